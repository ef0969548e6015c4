/* Kernels of the comparison family: comparisons and logical ops (bool
 * output), predicates (isnan, isinf, ...), bitwise ops and shifts, and
 * isclose. One typed 1-D loop per (op, dtype), generated from short macros;
 * float16/bfloat16 are widened to float32 (exact) and, where an op
 * produces a value (isclose's error terms), rounded back after each step as
 * PyTorch's per-op tensors are. */
#include <math.h>
#include <stdint.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/compare.h"

static inline float ld_h(const uint16_t *p) { return ct_half_to_float(*p); }
static inline float ld_b(const uint16_t *p) { return ct_bfloat16_to_float(*p); }
#define LD_NATIVE(p) (*(p))

/* Per dtype: NAME suffix, storage type, compute type, load. */
#define CT_FOR_ALL_DTYPES(X, ...)                           \
    X(bool, uint8_t, uint8_t, LD_NATIVE, __VA_ARGS__)       \
    X(u8, uint8_t, uint8_t, LD_NATIVE, __VA_ARGS__)         \
    X(i8, int8_t, int8_t, LD_NATIVE, __VA_ARGS__)           \
    X(i16, int16_t, int16_t, LD_NATIVE, __VA_ARGS__)        \
    X(i32, int32_t, int32_t, LD_NATIVE, __VA_ARGS__)        \
    X(i64, int64_t, int64_t, LD_NATIVE, __VA_ARGS__)        \
    X(f16, uint16_t, float, ld_h, __VA_ARGS__)              \
    X(bf16, uint16_t, float, ld_b, __VA_ARGS__)             \
    X(f32, float, float, LD_NATIVE, __VA_ARGS__)            \
    X(f64, double, double, LD_NATIVE, __VA_ARGS__)

#define CT_DTYPE_ROW(PREFIX)                                                                                   \
    {[CT_BOOL] = PREFIX##_bool, [CT_UINT8] = PREFIX##_u8, [CT_INT8] = PREFIX##_i8, [CT_INT16] = PREFIX##_i16, \
     [CT_INT32] = PREFIX##_i32, [CT_INT64] = PREFIX##_i64, [CT_FLOAT16] = PREFIX##_f16,                      \
     [CT_BFLOAT16] = PREFIX##_bf16, [CT_FLOAT32] = PREFIX##_f32, [CT_FLOAT64] = PREFIX##_f64}

/* ---- comparisons and logical ops: bool out = EXPR(x, y) ---- */

#define CMP_LOOP(SFX, T, CT, LD, KIND, EXPR)                                     \
    static void KIND##_##SFX(char **d, const int64_t *s, int64_t n, void *ctx) { \
        (void)ctx;                                                               \
        for (int64_t i = 0; i < n; i++) {                                        \
            CT x = LD((const T *)(d[1] + i * s[1]));                             \
            CT y = LD((const T *)(d[2] + i * s[2]));                             \
            *(uint8_t *)(d[0] + i * s[0]) = (uint8_t)((EXPR) ? 1 : 0);           \
        }                                                                        \
    }

CT_FOR_ALL_DTYPES(CMP_LOOP, eq, x == y)
CT_FOR_ALL_DTYPES(CMP_LOOP, ne, x != y)
CT_FOR_ALL_DTYPES(CMP_LOOP, lt, x < y)
CT_FOR_ALL_DTYPES(CMP_LOOP, le, x <= y)
CT_FOR_ALL_DTYPES(CMP_LOOP, gt, x > y)
CT_FOR_ALL_DTYPES(CMP_LOOP, ge, x >= y)
CT_FOR_ALL_DTYPES(CMP_LOOP, land, x != 0 && y != 0)
CT_FOR_ALL_DTYPES(CMP_LOOP, lor, x != 0 || y != 0)
CT_FOR_ALL_DTYPES(CMP_LOOP, lxor, (x != 0) != (y != 0))

static const ct_loop1d_fn compare_table[CT_NUM_COMPARE][CT_NUM_DTYPES] = {
    [CT_CMP_EQ] = CT_DTYPE_ROW(eq),           [CT_CMP_NE] = CT_DTYPE_ROW(ne),
    [CT_CMP_LT] = CT_DTYPE_ROW(lt),           [CT_CMP_LE] = CT_DTYPE_ROW(le),
    [CT_CMP_GT] = CT_DTYPE_ROW(gt),           [CT_CMP_GE] = CT_DTYPE_ROW(ge),
    [CT_CMP_LOGICAL_AND] = CT_DTYPE_ROW(land), [CT_CMP_LOGICAL_OR] = CT_DTYPE_ROW(lor),
    [CT_CMP_LOGICAL_XOR] = CT_DTYPE_ROW(lxor),
};

int ct__kernel_compare(ct_compare_kind kind, const ct_strided_iter *it, ct_dtype dtype) {
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, compare_table[kind][dtype], NULL);
    return CT_OK;
}

/* ---- predicates: bool out = EXPR(x) ---- */

#define PRED_LOOP(SFX, T, CT, LD, KIND, EXPR)                                    \
    static void KIND##_##SFX(char **d, const int64_t *s, int64_t n, void *ctx) { \
        (void)ctx;                                                               \
        for (int64_t i = 0; i < n; i++) {                                        \
            CT x = LD((const T *)(d[1] + i * s[1]));                             \
            *(uint8_t *)(d[0] + i * s[0]) = (uint8_t)((EXPR) ? 1 : 0);           \
        }                                                                        \
    }

/* Floating dtypes only: integers and bool are never nan/inf (see below). */
#define CT_FOR_FLOAT_DTYPES(X, ...)              \
    X(f16, uint16_t, float, ld_h, __VA_ARGS__)   \
    X(bf16, uint16_t, float, ld_b, __VA_ARGS__)  \
    X(f32, float, float, LD_NATIVE, __VA_ARGS__) \
    X(f64, double, double, LD_NATIVE, __VA_ARGS__)

CT_FOR_FLOAT_DTYPES(PRED_LOOP, isnan, x != x)
CT_FOR_FLOAT_DTYPES(PRED_LOOP, isinf, isinf(x))
CT_FOR_FLOAT_DTYPES(PRED_LOOP, isfinite, isfinite(x))
CT_FOR_FLOAT_DTYPES(PRED_LOOP, isposinf, x == INFINITY)
CT_FOR_FLOAT_DTYPES(PRED_LOOP, isneginf, x == -INFINITY)
CT_FOR_ALL_DTYPES(PRED_LOOP, lnot, x == 0)

static void fill_false(char **d, const int64_t *s, int64_t n, void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) *(uint8_t *)(d[0] + i * s[0]) = 0;
}
static void fill_true(char **d, const int64_t *s, int64_t n, void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) *(uint8_t *)(d[0] + i * s[0]) = 1;
}

#define INT_ROW(FN) \
    [CT_BOOL] = FN, [CT_UINT8] = FN, [CT_INT8] = FN, [CT_INT16] = FN, [CT_INT32] = FN, [CT_INT64] = FN
#define FLOAT_ROW(PREFIX)                                                                     \
    [CT_FLOAT16] = PREFIX##_f16, [CT_BFLOAT16] = PREFIX##_bf16, [CT_FLOAT32] = PREFIX##_f32, \
    [CT_FLOAT64] = PREFIX##_f64

static const ct_loop1d_fn predicate_table[CT_NUM_PREDICATE][CT_NUM_DTYPES] = {
    [CT_PRED_ISNAN] = {INT_ROW(fill_false), FLOAT_ROW(isnan)},
    [CT_PRED_ISINF] = {INT_ROW(fill_false), FLOAT_ROW(isinf)},
    [CT_PRED_ISFINITE] = {INT_ROW(fill_true), FLOAT_ROW(isfinite)},
    [CT_PRED_ISPOSINF] = {INT_ROW(fill_false), FLOAT_ROW(isposinf)},
    [CT_PRED_ISNEGINF] = {INT_ROW(fill_false), FLOAT_ROW(isneginf)},
    [CT_PRED_LOGICAL_NOT] = CT_DTYPE_ROW(lnot),
};

int ct__kernel_predicate(ct_predicate_kind kind, const ct_strided_iter *it, ct_dtype dtype) {
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, predicate_table[kind][dtype], NULL);
    return CT_OK;
}

/* ---- bitwise ops and shifts: out (dtype) = EXPR(x, y) ---- */

#define BIT_LOOP(SFX, T, KIND, EXPR)                                             \
    static void KIND##_##SFX(char **d, const int64_t *s, int64_t n, void *ctx) { \
        (void)ctx;                                                               \
        for (int64_t i = 0; i < n; i++) {                                        \
            T x = *(const T *)(d[1] + i * s[1]);                                 \
            T y = *(const T *)(d[2] + i * s[2]);                                 \
            *(T *)(d[0] + i * s[0]) = (T)(EXPR);                                 \
        }                                                                        \
    }
#define NOT_LOOP(SFX, T, EXPR)                                                 \
    static void bnot_##SFX(char **d, const int64_t *s, int64_t n, void *ctx) { \
        (void)ctx;                                                             \
        for (int64_t i = 0; i < n; i++) {                                      \
            T x = *(const T *)(d[1] + i * s[1]);                               \
            *(T *)(d[0] + i * s[0]) = (T)(EXPR);                               \
        }                                                                      \
    }

#define CT_FOR_INT_DTYPES(X, ...) \
    X(u8, uint8_t, __VA_ARGS__)   \
    X(i8, int8_t, __VA_ARGS__)    \
    X(i16, int16_t, __VA_ARGS__)  \
    X(i32, int32_t, __VA_ARGS__)

CT_FOR_INT_DTYPES(BIT_LOOP, band, x & y)
CT_FOR_INT_DTYPES(BIT_LOOP, bor, x | y)
CT_FOR_INT_DTYPES(BIT_LOOP, bxor, x ^ y)
BIT_LOOP(i64, int64_t, band, x & y)
BIT_LOOP(i64, int64_t, bor, x | y)
BIT_LOOP(i64, int64_t, bxor, x ^ y)
BIT_LOOP(bool, uint8_t, band, x & y)
BIT_LOOP(bool, uint8_t, bor, x | y)
BIT_LOOP(bool, uint8_t, bxor, x ^ y)

/* PyTorch 1.13 computes static_cast<make_unsigned_t<T>>(a) << b and a >> b
 * with the operands promoted to int (int64_t for int64): x86 masks the
 * count to 5 (6) bits, so shifts by >= 32 (64) or negative counts wrap
 * around (measured: int8 1 << 9 == 0, int64 -2 << 64 == -2). */
#define SHL_SMALL(UT) ((uint32_t)(UT)x << ((uint32_t)y & 31u))
#define SHR_SMALL ((int32_t)x >> ((uint32_t)y & 31u))
BIT_LOOP(u8, uint8_t, shl, SHL_SMALL(uint8_t))
BIT_LOOP(i8, int8_t, shl, SHL_SMALL(uint8_t))
BIT_LOOP(i16, int16_t, shl, SHL_SMALL(uint16_t))
BIT_LOOP(i32, int32_t, shl, SHL_SMALL(uint32_t))
BIT_LOOP(i64, int64_t, shl, (uint64_t)x << ((uint64_t)y & 63u))
BIT_LOOP(u8, uint8_t, shr, SHR_SMALL)
BIT_LOOP(i8, int8_t, shr, SHR_SMALL)
BIT_LOOP(i16, int16_t, shr, SHR_SMALL)
BIT_LOOP(i32, int32_t, shr, SHR_SMALL)
BIT_LOOP(i64, int64_t, shr, x >> ((uint64_t)y & 63u))

NOT_LOOP(bool, uint8_t, !x)
NOT_LOOP(u8, uint8_t, ~x)
NOT_LOOP(i8, int8_t, ~x)
NOT_LOOP(i16, int16_t, ~x)
NOT_LOOP(i32, int32_t, ~x)
NOT_LOOP(i64, int64_t, ~x)

#define INTS_ROW(PREFIX)                                                                                        \
    [CT_UINT8] = PREFIX##_u8, [CT_INT8] = PREFIX##_i8, [CT_INT16] = PREFIX##_i16, [CT_INT32] = PREFIX##_i32, \
    [CT_INT64] = PREFIX##_i64

static const ct_loop1d_fn bitwise_table[CT_NUM_BITWISE][CT_NUM_DTYPES] = {
    [CT_BIT_AND] = {[CT_BOOL] = band_bool, INTS_ROW(band)},
    [CT_BIT_OR] = {[CT_BOOL] = bor_bool, INTS_ROW(bor)},
    [CT_BIT_XOR] = {[CT_BOOL] = bxor_bool, INTS_ROW(bxor)},
    [CT_BIT_LSHIFT] = {INTS_ROW(shl)},
    [CT_BIT_RSHIFT] = {INTS_ROW(shr)},
    [CT_BIT_NOT] = {[CT_BOOL] = bnot_bool, INTS_ROW(bnot)},
};

static const char *const bitwise_names[CT_NUM_BITWISE] = {"bitwise_and_cpu", "bitwise_or_cpu", "bitwise_xor_cpu",
                                                          "lshift_cpu",      "rshift_cpu",     "bitwise_not_cpu"};

int ct__kernel_bitwise(ct_bitwise_kind kind, const ct_strided_iter *it, ct_dtype dtype) {
    ct_loop1d_fn fn = bitwise_table[kind][dtype];
    if (!fn) {
        ct__error("\"%s\" not implemented for '%s'", bitwise_names[kind], ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, NULL);
    return CT_OK;
}

/* ---- isclose ---- */

typedef struct {
    double rtol, atol;
    bool equal_nan;
} isclose_ctx;

static inline float rnd_h(float v) { return ct_half_to_float(ct_float_to_half(v)); }
static inline float rnd_b(float v) { return ct_bfloat16_to_float(ct_float_to_bfloat16(v)); }
#define RND_NONE(v) (v)

/* With rtol == atol == 0, at::isclose returns the equality alone. */

/* Floating dtypes: every intermediate tensor of at::isclose is of the
 * input dtype, so each step rounds to it (RND); the wrapped scalars rtol
 * and atol are cast to it first. */
#define ISCLOSE_FLOAT(SFX, T, CT, LD, RND, FABS)                                                   \
    static void isclose_##SFX(char **d, const int64_t *s, int64_t n, void *vctx) {                 \
        const isclose_ctx *c = vctx;                                                               \
        const bool zero_tol = c->rtol == 0 && c->atol == 0;                                        \
        const CT rtol = RND((CT)c->rtol), atol = RND((CT)c->atol);                                 \
        for (int64_t i = 0; i < n; i++) {                                                          \
            CT x = LD((const T *)(d[1] + i * s[1]));                                               \
            CT y = LD((const T *)(d[2] + i * s[2]));                                               \
            bool close = x == y || (c->equal_nan && x != x && y != y);                             \
            CT allowed = RND(FABS(RND(y * rtol)) + atol);                                          \
            CT actual = RND(FABS(RND(x - y)));                                                     \
            close = close || (!zero_tol && isfinite(actual) && actual <= allowed);                 \
            *(uint8_t *)(d[0] + i * s[0]) = close;                                                 \
        }                                                                                          \
    }

ISCLOSE_FLOAT(f16, uint16_t, float, ld_h, rnd_h, fabsf)
ISCLOSE_FLOAT(bf16, uint16_t, float, ld_b, rnd_b, fabsf)
ISCLOSE_FLOAT(f32, float, float, LD_NATIVE, RND_NONE, fabsf)
ISCLOSE_FLOAT(f64, double, double, LD_NATIVE, RND_NONE, fabs)

/* Integers and bool: equality in the dtype, the error terms in the default
 * float dtype F (other.to(F); self - other promotes self to F). */
#define ISCLOSE_INT(SFX, T, F, FABS)                                                 \
    static void isclose_##SFX(char **d, const int64_t *s, int64_t n, void *vctx) {   \
        const isclose_ctx *c = vctx;                                                 \
        const bool zero_tol = c->rtol == 0 && c->atol == 0;                          \
        const F rtol = (F)c->rtol, atol = (F)c->atol;                                \
        for (int64_t i = 0; i < n; i++) {                                            \
            T x = *(const T *)(d[1] + i * s[1]);                                     \
            T y = *(const T *)(d[2] + i * s[2]);                                     \
            F xf = (F)x, yf = (F)y;                                                  \
            F allowed = FABS(yf * rtol) + atol;                                      \
            F actual = FABS(xf - yf);                                                \
            *(uint8_t *)(d[0] + i * s[0]) = x == y || (!zero_tol && isfinite(actual) && actual <= allowed); \
        }                                                                            \
    }

#define ISCLOSE_INTS(SFX, T, ...)                 \
    ISCLOSE_INT(SFX##_as_f32, T, float, fabsf)    \
    ISCLOSE_INT(SFX##_as_f64, T, double, fabs)
ISCLOSE_INTS(bool, uint8_t)
CT_FOR_INT_DTYPES(ISCLOSE_INTS, 0)
ISCLOSE_INTS(i64, int64_t)

#define ISCLOSE_INT_ROW(F)                                                                           \
    {[CT_BOOL] = isclose_bool_as_##F, [CT_UINT8] = isclose_u8_as_##F, [CT_INT8] = isclose_i8_as_##F, \
     [CT_INT16] = isclose_i16_as_##F, [CT_INT32] = isclose_i32_as_##F, [CT_INT64] = isclose_i64_as_##F, \
     FLOAT_ROW(isclose)}

int ct__kernel_isclose(const ct_strided_iter *it, ct_dtype dtype, double rtol, double atol, bool equal_nan,
                       ct_dtype float_dtype) {
    static const ct_loop1d_fn as_f32[CT_NUM_DTYPES] = ISCLOSE_INT_ROW(f32);
    static const ct_loop1d_fn as_f64[CT_NUM_DTYPES] = ISCLOSE_INT_ROW(f64);
    ct_loop1d_fn fn = float_dtype == CT_FLOAT64 ? as_f64[dtype] : as_f32[dtype];
    isclose_ctx c = {rtol, atol, equal_nan};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}
