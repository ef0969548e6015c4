/* Binary elementwise kernels: one typed 1-D loop per (op, dtype), generated from
 * short macros; float16/bfloat16 go through float32. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/binary.h"

typedef struct {
    double alpha;
} scalar_ctx;

/* ---- binary ---- */

/* Loads/stores for the reduced-precision types. */
static inline float ld_h(const uint16_t *p) { return ct_half_to_float(*p); }
static inline float ld_b(const uint16_t *p) { return ct_bfloat16_to_float(*p); }

#define CT_BIN_LOOP(NAME, T, CT, LD, ST, EXPR)                                                   \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                       \
        const CT alpha = (CT)((const scalar_ctx *)vctx)->alpha;                                  \
        (void)alpha;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT x = LD((const T *)(d[1] + i * s[1]));                                             \
            CT y = LD((const T *)(d[2] + i * s[2]));                                             \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                                  \
        }                                                                                       \
    }

#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_H(p, v) (*(p) = ct_float_to_half(v))
#define ST_B(p, v) (*(p) = ct_float_to_bfloat16(v))

/* integer ops wrap like two's complement: compute in unsigned */
#define ADD_INT(T, UT) (T)((UT)x + (UT)alpha * (UT)y)
#define MUL_INT(T, UT) (T)((UT)x * (UT)y)

CT_BIN_LOOP(add_f32, float, float, LD_NATIVE, ST_NATIVE, fmaf(y, alpha, x))
CT_BIN_LOOP(add_f64, double, double, LD_NATIVE, ST_NATIVE, fma(y, alpha, x))
CT_BIN_LOOP(add_f16, uint16_t, float, ld_h, ST_H, fmaf(y, alpha, x))
CT_BIN_LOOP(add_bf16, uint16_t, float, ld_b, ST_B, fmaf(y, alpha, x))
CT_BIN_LOOP(add_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, ADD_INT(uint8_t, uint8_t))
CT_BIN_LOOP(add_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, ADD_INT(int8_t, uint8_t))
CT_BIN_LOOP(add_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, ADD_INT(int16_t, uint16_t))
CT_BIN_LOOP(add_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, ADD_INT(int32_t, uint32_t))
CT_BIN_LOOP(add_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, ADD_INT(int64_t, uint64_t))
CT_BIN_LOOP(add_bool, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)((x || (alpha && y)) ? 1 : 0))

CT_BIN_LOOP(mul_f32, float, float, LD_NATIVE, ST_NATIVE, x * y)
CT_BIN_LOOP(mul_f64, double, double, LD_NATIVE, ST_NATIVE, x * y)
CT_BIN_LOOP(mul_f16, uint16_t, float, ld_h, ST_H, x * y)
CT_BIN_LOOP(mul_bf16, uint16_t, float, ld_b, ST_B, x * y)
CT_BIN_LOOP(mul_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, MUL_INT(uint8_t, uint8_t))
CT_BIN_LOOP(mul_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, MUL_INT(int8_t, uint8_t))
CT_BIN_LOOP(mul_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, MUL_INT(int16_t, uint16_t))
CT_BIN_LOOP(mul_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, MUL_INT(int32_t, uint32_t))
CT_BIN_LOOP(mul_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, MUL_INT(int64_t, uint64_t))
CT_BIN_LOOP(mul_bool, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)(x && y))

CT_BIN_LOOP(div_f32, float, float, LD_NATIVE, ST_NATIVE, x / y)
CT_BIN_LOOP(div_f64, double, double, LD_NATIVE, ST_NATIVE, x / y)
CT_BIN_LOOP(div_f16, uint16_t, float, ld_h, ST_H, x / y)
CT_BIN_LOOP(div_bf16, uint16_t, float, ld_b, ST_B, x / y)

static const ct_loop1d_fn binary_table[CT_NUM_BINARY][CT_NUM_DTYPES] = {
    [CT_BINARY_ADD] = {[CT_BOOL] = add_bool, [CT_UINT8] = add_u8, [CT_INT8] = add_i8, [CT_INT16] = add_i16,
                       [CT_INT32] = add_i32, [CT_INT64] = add_i64, [CT_FLOAT16] = add_f16,
                       [CT_BFLOAT16] = add_bf16, [CT_FLOAT32] = add_f32, [CT_FLOAT64] = add_f64},
    [CT_BINARY_MUL] = {[CT_BOOL] = mul_bool, [CT_UINT8] = mul_u8, [CT_INT8] = mul_i8, [CT_INT16] = mul_i16,
                       [CT_INT32] = mul_i32, [CT_INT64] = mul_i64, [CT_FLOAT16] = mul_f16,
                       [CT_BFLOAT16] = mul_bf16, [CT_FLOAT32] = mul_f32, [CT_FLOAT64] = mul_f64},
    [CT_BINARY_DIV] = {[CT_FLOAT16] = div_f16, [CT_BFLOAT16] = div_bf16, [CT_FLOAT32] = div_f32,
                       [CT_FLOAT64] = div_f64},
};

static const char *const binary_names[CT_NUM_BINARY] = {"add_cpu", "mul_cpu", "div_true_cpu"};


int ct__kernel_binary(ct_binary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double alpha) {
    ct_loop1d_fn fn = binary_table[kind][dtype];
    if (!fn) {
        ct__error("\"%s\" not implemented for '%s'", binary_names[kind], ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    scalar_ctx c = {alpha};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}

