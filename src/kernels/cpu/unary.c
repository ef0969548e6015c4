/* Unary elementwise kernels: one typed 1-D loop per (op, dtype), generated from
 * short macros; float16/bfloat16 go through float32. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/unary.h"

typedef struct {
    double alpha;
} scalar_ctx;

/* Loads/stores for the reduced-precision types. */
static inline float ld_h(const uint16_t *p) { return ct_half_to_float(*p); }
static inline float ld_b(const uint16_t *p) { return ct_bfloat16_to_float(*p); }
#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_H(p, v) (*(p) = ct_float_to_half(v))
#define ST_B(p, v) (*(p) = ct_float_to_bfloat16(v))

/* ---- unary ---- */

#define CT_UN_LOOP(NAME, T, CT, LD, ST, EXPR)                                                    \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                       \
        const CT p = (CT)((const scalar_ctx *)vctx)->alpha;                                      \
        (void)p;                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT x = LD((const T *)(d[1] + i * s[1]));                                             \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                                  \
        }                                                                                       \
    }

/* float32 / float64 / float16 / bfloat16 versions of one math expression
 * (FEXPR in float, DEXPR in double) */
#define CT_UN_FLOATS(OP, FEXPR, DEXPR)                                \
    CT_UN_LOOP(OP##_f32, float, float, LD_NATIVE, ST_NATIVE, FEXPR)   \
    CT_UN_LOOP(OP##_f64, double, double, LD_NATIVE, ST_NATIVE, DEXPR) \
    CT_UN_LOOP(OP##_f16, uint16_t, float, ld_h, ST_H, FEXPR)          \
    CT_UN_LOOP(OP##_bf16, uint16_t, float, ld_b, ST_B, FEXPR)

static inline float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline double sigmoid_(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline float relu_f(float x) { return isnan(x) ? x : (x > 0 ? x : 0.0f); }
static inline double relu_d(double x) { return isnan(x) ? x : (x > 0 ? x : 0.0); }
static inline float sign_f(float x) { return isnan(x) ? x : (float)((x > 0) - (x < 0)); }
static inline double sign_d(double x) { return isnan(x) ? x : (double)((x > 0) - (x < 0)); }

CT_UN_FLOATS(neg, -x, -x)
CT_UN_FLOATS(exp, expf(x), exp(x))
CT_UN_FLOATS(log, logf(x), log(x))
CT_UN_FLOATS(sin, sinf(x), sin(x))
CT_UN_FLOATS(cos, cosf(x), cos(x))
CT_UN_FLOATS(tanh, tanhf(x), tanh(x))
CT_UN_FLOATS(sigmoid, sigmoidf_(x), sigmoid_(x))
CT_UN_FLOATS(relu, relu_f(x), relu_d(x))
CT_UN_FLOATS(sqrt, sqrtf(x), sqrt(x))
CT_UN_FLOATS(pow, powf(x, p), pow(x, p))
CT_UN_FLOATS(sign, sign_f(x), sign_d(x))

/* integer negation / relu / sign */
#define CT_UN_INTS(OP, EXPR)                                               \
    CT_UN_LOOP(OP##_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, EXPR)      \
    CT_UN_LOOP(OP##_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, EXPR)        \
    CT_UN_LOOP(OP##_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, EXPR)     \
    CT_UN_LOOP(OP##_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, EXPR)     \
    CT_UN_LOOP(OP##_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)

CT_UN_INTS(negi, (__typeof__(x))(0u - (uint64_t)x))
CT_UN_INTS(relui, (__typeof__(x))(x > 0 ? x : 0))
/* sign: uint8 has no negatives (a separate loop keeps -Wtype-limits quiet) */
CT_UN_LOOP(signi_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)(x > 0))
CT_UN_LOOP(signi_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, (int8_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, (int16_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, (int32_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, (int64_t)((x > 0) - (x < 0)))

#define FLOAT_ROW(OP) [CT_FLOAT16] = OP##_f16, [CT_BFLOAT16] = OP##_bf16, [CT_FLOAT32] = OP##_f32, [CT_FLOAT64] = OP##_f64
#define INT_ROW(OP) [CT_UINT8] = OP##_u8, [CT_INT8] = OP##_i8, [CT_INT16] = OP##_i16, [CT_INT32] = OP##_i32, [CT_INT64] = OP##_i64

static const ct_loop1d_fn unary_table[CT_NUM_UNARY][CT_NUM_DTYPES] = {
    [CT_UNARY_NEG] = {FLOAT_ROW(neg), INT_ROW(negi)},
    [CT_UNARY_EXP] = {FLOAT_ROW(exp)},
    [CT_UNARY_LOG] = {FLOAT_ROW(log)},
    [CT_UNARY_SIN] = {FLOAT_ROW(sin)},
    [CT_UNARY_COS] = {FLOAT_ROW(cos)},
    [CT_UNARY_TANH] = {FLOAT_ROW(tanh)},
    [CT_UNARY_SIGMOID] = {FLOAT_ROW(sigmoid)},
    [CT_UNARY_RELU] = {FLOAT_ROW(relu), INT_ROW(relui)},
    [CT_UNARY_SQRT] = {FLOAT_ROW(sqrt)},
    [CT_UNARY_POW] = {FLOAT_ROW(pow)},
    [CT_UNARY_SIGN] = {FLOAT_ROW(sign), INT_ROW(signi)},
};

static const char *const unary_names[CT_NUM_UNARY] = {
    "neg_cpu", "exp_vml_cpu", "log_vml_cpu", "sin_vml_cpu", "cos_vml_cpu", "tanh_cpu",
    "sigmoid_cpu", "clamp_min_cpu", "sqrt_vml_cpu", "pow", "sign_cpu"};

int ct__kernel_unary(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double p) {
    ct_loop1d_fn fn = unary_table[kind][dtype];
    if (!fn) {
        ct__error("\"%s\" not implemented for '%s'", unary_names[kind], ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    scalar_ctx c = {p};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}
