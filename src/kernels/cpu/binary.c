/* Binary and ternary elementwise kernels: one typed 1-D loop per (op, dtype),
 * generated from short macros; float16/bfloat16 go through float32. The
 * scalar formulas are PyTorch 1.13's (aten/src/ATen/native/cpu/
 * BinaryOpsKernel.cpp, c10/util/generic_math.h, TensorCompareKernel.cpp). */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/binary.h"

typedef struct {
    double alpha;
    atomic_int zero_div; /* set by integer division loops that meet b == 0 */
} scalar_ctx;

/* Loads/stores for the reduced-precision types. */
static inline float ld_h(const uint16_t *p) { return ct_half_to_float(*p); }
static inline float ld_b(const uint16_t *p) { return ct_bfloat16_to_float(*p); }

#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_H(p, v) (*(p) = ct_float_to_half(v))
#define ST_B(p, v) (*(p) = ct_float_to_bfloat16(v))

/* ---- binary ---- */

/* The 1-D loop of one (op, dtype): a contiguous fast path (plain indexing,
 * auto-vectorized, SIMD clones), one for a broadcast scalar second operand
 * (x * 2, x + 1), and the generic strided loop. */
#define CT_BIN_LOOP(NAME, T, CT, LD, ST, EXPR)                                                   \
    CT_SIMD_CLONES static void NAME##_contig(T *o, const T *a, const T *b, int64_t n, CT alpha) { \
        (void)alpha;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT x = LD(a + i);                                                                    \
            CT y = LD(b + i);                                                                    \
            ST(o + i, (EXPR));                                                                   \
        }                                                                                       \
    }                                                                                           \
    CT_SIMD_CLONES static void NAME##_scalar(T *o, const T *a, CT y, int64_t n, CT alpha) {     \
        (void)alpha;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT x = LD(a + i);                                                                    \
            ST(o + i, (EXPR));                                                                   \
        }                                                                                       \
    }                                                                                           \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                       \
        const CT alpha = (CT)((const scalar_ctx *)vctx)->alpha;                                  \
        (void)alpha;                                                                            \
        const int64_t z = (int64_t)sizeof(T);                                                    \
        if (s[0] == z && s[1] == z && s[2] == z) {                                               \
            ct__loop_stats.contiguous++;                                                         \
            NAME##_contig((T *)d[0], (const T *)d[1], (const T *)d[2], n, alpha);                \
            return;                                                                             \
        }                                                                                       \
        if (s[0] == z && s[1] == z && s[2] == 0) {                                               \
            ct__loop_stats.scalar++;                                                             \
            NAME##_scalar((T *)d[0], (const T *)d[1], LD((const T *)d[2]), n, alpha);           \
            return;                                                                             \
        }                                                                                       \
        ct__loop_stats.strided++;                                                                \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT x = LD((const T *)(d[1] + i * s[1]));                                             \
            CT y = LD((const T *)(d[2] + i * s[2]));                                             \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                                  \
        }                                                                                       \
    }

/* float32 / float64 / float16 / bfloat16 loops of one expression (FEXPR in
 * float, DEXPR in double) */
#define CT_BIN_FLOATS(OP, FEXPR, DEXPR)                                \
    CT_BIN_LOOP(OP##_f32, float, float, LD_NATIVE, ST_NATIVE, FEXPR)   \
    CT_BIN_LOOP(OP##_f64, double, double, LD_NATIVE, ST_NATIVE, DEXPR) \
    CT_BIN_LOOP(OP##_f16, uint16_t, float, ld_h, ST_H, FEXPR)          \
    CT_BIN_LOOP(OP##_bf16, uint16_t, float, ld_b, ST_B, FEXPR)

/* integer loops computing in int64 (the store wraps to the narrow type) */
#define CT_BIN_INTS(OP, EXPR)                                             \
    CT_BIN_LOOP(OP##_u8, uint8_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)    \
    CT_BIN_LOOP(OP##_i8, int8_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)     \
    CT_BIN_LOOP(OP##_i16, int16_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)   \
    CT_BIN_LOOP(OP##_i32, int32_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)   \
    CT_BIN_LOOP(OP##_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)

/* integer division loops: stop and flag on a zero divisor */
#define CT_DIV_LOOP(NAME, T, EXPR)                                                                   \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                           \
        scalar_ctx *c = vctx;                                                                       \
        for (int64_t i = 0; i < n; i++) {                                                            \
            int64_t x = *(const T *)(d[1] + i * s[1]);                                               \
            int64_t y = *(const T *)(d[2] + i * s[2]);                                               \
            if (y == 0) {                                                                           \
                atomic_store_explicit(&c->zero_div, 1, memory_order_relaxed);                        \
                return;                                                                             \
            }                                                                                       \
            *(T *)(d[0] + i * s[0]) = (T)(EXPR);                                                     \
        }                                                                                           \
    }
#define CT_DIV_INTS(OP, EXPR)              \
    CT_DIV_LOOP(OP##_u8, uint8_t, EXPR)    \
    CT_DIV_LOOP(OP##_i8, int8_t, EXPR)     \
    CT_DIV_LOOP(OP##_i16, int16_t, EXPR)   \
    CT_DIV_LOOP(OP##_i32, int32_t, EXPR)   \
    CT_DIV_LOOP(OP##_i64, int64_t, EXPR)

/* integer ops wrap like two's complement: compute in uint64_t (narrower
 * unsigned types would promote to int and overflow) and keep the low bits */
#define ADD_INT(T, UT) (T)(UT)((uint64_t)x + (uint64_t)alpha * (uint64_t)y)
#define MUL_INT(T, UT) (T)(UT)((uint64_t)x * (uint64_t)y)

/* fma(y, 1, x) rounds x + y once, as x + y does: alpha == 1 skips the fma
 * (a libm call on a baseline x86-64) with the same bits */
CT_BIN_LOOP(add_f32, float, float, LD_NATIVE, ST_NATIVE, alpha == 1 ? x + y : fmaf(y, alpha, x))
CT_BIN_LOOP(add_f64, double, double, LD_NATIVE, ST_NATIVE, alpha == 1 ? x + y : fma(y, alpha, x))
CT_BIN_LOOP(add_f16, uint16_t, float, ld_h, ST_H, alpha == 1 ? x + y : fmaf(y, alpha, x))
CT_BIN_LOOP(add_bf16, uint16_t, float, ld_b, ST_B, alpha == 1 ? x + y : fmaf(y, alpha, x))
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

CT_BIN_FLOATS(div, x / y, x / y)

/* ---- division family (floating) ---- */

/* div_floor_floating: floor(a / b) computed from fmod so that it is exact */
#define DIV_FLOOR_FN(NAME, T, FMOD, FLOOR, COPYSIGN)       \
    static inline T NAME(T a, T b) {                       \
        if (b == 0) return a / b;                          \
        T mod = FMOD(a, b);                                \
        T div = (a - mod) / b;                             \
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;    \
        if (div == 0) return COPYSIGN((T)0, a / b);        \
        T fl = FLOOR(div);                                 \
        if (div - fl > (T)0.5) fl += 1;                    \
        return fl;                                         \
    }
DIV_FLOOR_FN(div_floor_f, float, fmodf, floorf, copysignf)
DIV_FLOOR_FN(div_floor_d, double, fmod, floor, copysign)

/* Python's remainder: the result has the divisor's sign */
#define REMAINDER_FN(NAME, T, FMOD)                          \
    static inline T NAME(T a, T b) {                         \
        T mod = FMOD(a, b);                                  \
        if (mod != 0 && (b < 0) != (mod < 0)) mod += b;      \
        return mod;                                          \
    }
REMAINDER_FN(remainder_f, float, fmodf)
REMAINDER_FN(remainder_d, double, fmod)

CT_BIN_FLOATS(div_trunc, truncf(x / y), trunc(x / y))
CT_BIN_FLOATS(div_floor, div_floor_f(x, y), div_floor_d(x, y))
CT_BIN_FLOATS(remainder, remainder_f(x, y), remainder_d(x, y))
CT_BIN_FLOATS(fmod, fmodf(x, y), fmod(x, y))

/* ---- division family (integers; b != 0 is checked by the loop). b == -1
 * is spelled out: INT64_MIN / -1 wraps instead of trapping. */
static inline int64_t neg_wrap(int64_t a) { return (int64_t)(0ull - (uint64_t)a); }
static inline int64_t idiv_trunc(int64_t a, int64_t b) { return b == -1 ? neg_wrap(a) : a / b; }
static inline int64_t idiv_floor(int64_t a, int64_t b) {
    if (b == -1) return neg_wrap(a);
    int64_t q = a / b, r = a % b;
    return (r != 0 && (r < 0) != (b < 0)) ? q - 1 : q;
}
static inline int64_t iremainder(int64_t a, int64_t b) {
    if (b == -1) return 0;
    int64_t r = a % b;
    return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;
}
static inline int64_t ifmod(int64_t a, int64_t b) { return b == -1 ? 0 : a % b; }

CT_DIV_INTS(div_trunc, idiv_trunc(x, y))
CT_DIV_INTS(div_floor, idiv_floor(x, y))
CT_DIV_INTS(remainder, iremainder(x, y))
CT_DIV_INTS(fmod, ifmod(x, y))

/* ---- pow ---- */

/* PyTorch's powi: square-and-multiply (wrapping: the low bits of the
 * product only depend on the low bits of the factors), and for negative
 * exponents 1 ** b = 1, (-1) ** b = +-1, else 0 */
static inline int64_t powi(int64_t a, int64_t b) {
    if (b < 0) {
        if (a == 1) return 1;
        if (a == -1) return (b % 2) ? -1 : 1;
        return 0;
    }
    uint64_t r = 1, ua = (uint64_t)a;
    while (b) {
        if (b & 1) r *= ua;
        b /= 2;
        ua *= ua;
    }
    return (int64_t)r;
}
CT_BIN_FLOATS(pow, powf(x, y), pow(x, y))
CT_BIN_INTS(pow, powi(x, y))

/* ---- atan2, hypot ---- */
CT_BIN_LOOP(atan2_f32, float, float, LD_NATIVE, ST_NATIVE, atan2f(x, y))
CT_BIN_LOOP(atan2_f64, double, double, LD_NATIVE, ST_NATIVE, atan2(x, y))
CT_BIN_LOOP(atan2_bf16, uint16_t, float, ld_b, ST_B, atan2f(x, y))
CT_BIN_LOOP(hypot_f32, float, float, LD_NATIVE, ST_NATIVE, hypotf(x, y))
CT_BIN_LOOP(hypot_f64, double, double, LD_NATIVE, ST_NATIVE, hypot(x, y))
CT_BIN_LOOP(hypot_bf16, uint16_t, float, ld_b, ST_B, hypotf(x, y))

/* ---- maximum / minimum (NaN wins), fmax / fmin (NaN loses); ties keep a,
 * as std::max / std::min ---- */
#define MAXMIN_FNS(S, T)                                                                                   \
    static inline T maximum_##S(T a, T b) { return (a != a || b != b) ? (T)NAN : (a < b ? b : a); }      \
    static inline T minimum_##S(T a, T b) { return (a != a || b != b) ? (T)NAN : (b < a ? b : a); }      \
    static inline T fmax_##S(T a, T b) { return b != b ? a : a != a ? b : (a < b ? b : a); }             \
    static inline T fmin_##S(T a, T b) { return b != b ? a : a != a ? b : (b < a ? b : a); }
MAXMIN_FNS(f, float)
MAXMIN_FNS(d, double)

CT_BIN_FLOATS(maximum, maximum_f(x, y), maximum_d(x, y))
CT_BIN_FLOATS(minimum, minimum_f(x, y), minimum_d(x, y))
CT_BIN_FLOATS(fmax, fmax_f(x, y), fmax_d(x, y))
CT_BIN_FLOATS(fmin, fmin_f(x, y), fmin_d(x, y))
/* integers and bool (0/1): plain comparisons */
CT_BIN_INTS(imax, x < y ? y : x)
CT_BIN_INTS(imin, y < x ? y : x)
CT_BIN_LOOP(imax_bool, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)(x < y ? y : x))
CT_BIN_LOOP(imin_bool, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)(y < x ? y : x))

#define FLOAT_ROW(OP) [CT_FLOAT16] = OP##_f16, [CT_BFLOAT16] = OP##_bf16, [CT_FLOAT32] = OP##_f32, [CT_FLOAT64] = OP##_f64
#define INT_ROW(OP) [CT_UINT8] = OP##_u8, [CT_INT8] = OP##_i8, [CT_INT16] = OP##_i16, [CT_INT32] = OP##_i32, [CT_INT64] = OP##_i64

static const ct_loop1d_fn binary_table[CT_NUM_BINARY][CT_NUM_DTYPES] = {
    [CT_BINARY_ADD] = {[CT_BOOL] = add_bool, INT_ROW(add), FLOAT_ROW(add)},
    [CT_BINARY_MUL] = {[CT_BOOL] = mul_bool, INT_ROW(mul), FLOAT_ROW(mul)},
    [CT_BINARY_DIV] = {FLOAT_ROW(div)},
    [CT_BINARY_DIV_TRUNC] = {INT_ROW(div_trunc), FLOAT_ROW(div_trunc)},
    [CT_BINARY_DIV_FLOOR] = {INT_ROW(div_floor), FLOAT_ROW(div_floor)},
    [CT_BINARY_REMAINDER] = {INT_ROW(remainder), FLOAT_ROW(remainder)},
    [CT_BINARY_FMOD] = {INT_ROW(fmod), FLOAT_ROW(fmod)},
    [CT_BINARY_POW] = {INT_ROW(pow), FLOAT_ROW(pow)},
    /* PyTorch 1.13 has no float16 atan2 / hypot on CPU */
    [CT_BINARY_ATAN2] = {[CT_BFLOAT16] = atan2_bf16, [CT_FLOAT32] = atan2_f32, [CT_FLOAT64] = atan2_f64},
    [CT_BINARY_HYPOT] = {[CT_BFLOAT16] = hypot_bf16, [CT_FLOAT32] = hypot_f32, [CT_FLOAT64] = hypot_f64},
    [CT_BINARY_MAXIMUM] = {[CT_BOOL] = imax_bool, INT_ROW(imax), FLOAT_ROW(maximum)},
    [CT_BINARY_MINIMUM] = {[CT_BOOL] = imin_bool, INT_ROW(imin), FLOAT_ROW(minimum)},
    [CT_BINARY_FMAX] = {[CT_BOOL] = imax_bool, INT_ROW(imax), FLOAT_ROW(fmax)},
    [CT_BINARY_FMIN] = {[CT_BOOL] = imin_bool, INT_ROW(imin), FLOAT_ROW(fmin)},
};

static const char *const binary_names[CT_NUM_BINARY] = {
    [CT_BINARY_ADD] = "add_cpu",           [CT_BINARY_MUL] = "mul_cpu",
    [CT_BINARY_DIV] = "div_true_cpu",      [CT_BINARY_DIV_TRUNC] = "div_trunc_cpu",
    [CT_BINARY_DIV_FLOOR] = "div_floor_cpu", [CT_BINARY_REMAINDER] = "remainder_cpu",
    [CT_BINARY_FMOD] = "fmod_cpu",         [CT_BINARY_POW] = "pow",
    [CT_BINARY_ATAN2] = "atan2_cpu",       [CT_BINARY_HYPOT] = "hypot_cpu",
    [CT_BINARY_MAXIMUM] = "maximum_cpu",   [CT_BINARY_MINIMUM] = "minimum_cpu",
    [CT_BINARY_FMAX] = "fmax_cpu",         [CT_BINARY_FMIN] = "fmin_cpu",
};

static int not_implemented(const char *name, ct_dtype dtype) {
    ct__error("\"%s\" not implemented for '%s'", name, ct__traits(dtype)->scalar_name);
    return CT_ERROR;
}

int ct__kernel_binary(ct_binary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double alpha) {
    ct_loop1d_fn fn = binary_table[kind][dtype];
    if (!fn) return not_implemented(binary_names[kind], dtype);
    scalar_ctx c = {.alpha = alpha};
    atomic_init(&c.zero_div, 0);
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    if (atomic_load(&c.zero_div)) {
        ct__error("ZeroDivisionError");
        return CT_ERROR;
    }
    return CT_OK;
}

/* ---- ternary ---- */

/* where: a byte copy per item size (keeps NaN payloads and -0.0) */
#define WHERE_LOOP(NAME, T)                                                          \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {           \
        (void)vctx;                                                                 \
        for (int64_t i = 0; i < n; i++) {                                            \
            const T *src = *(const uint8_t *)(d[1] + i * s[1]) ? (const T *)(d[2] + i * s[2]) \
                                                               : (const T *)(d[3] + i * s[3]); \
            *(T *)(d[0] + i * s[0]) = *src;                                          \
        }                                                                           \
    }
WHERE_LOOP(where_1, uint8_t)
WHERE_LOOP(where_2, uint16_t)
WHERE_LOOP(where_4, uint32_t)
WHERE_LOOP(where_8, uint64_t)

#define TERN_LOOP(NAME, T, CT, LD, ST, EXPR)                                         \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {           \
        (void)vctx;                                                                 \
        for (int64_t i = 0; i < n; i++) {                                            \
            CT x = LD((const T *)(d[1] + i * s[1]));                                 \
            CT y = LD((const T *)(d[2] + i * s[2]));                                 \
            CT z = LD((const T *)(d[3] + i * s[3]));                                 \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                      \
        }                                                                           \
    }

/* lerp as PyTorch 1.13: the formula anchored at the nearer end */
#define LERP_FN(NAME, T, FABS) \
    static inline T NAME(T a, T b, T w) { return FABS(w) < (T)0.5 ? a + w * (b - a) : b - (b - a) * ((T)1 - w); }
LERP_FN(lerp_f, float, fabsf)
LERP_FN(lerp_d, double, fabs)
TERN_LOOP(lerp_f32, float, float, LD_NATIVE, ST_NATIVE, lerp_f(x, y, z))
TERN_LOOP(lerp_f64, double, double, LD_NATIVE, ST_NATIVE, lerp_d(x, y, z))
TERN_LOOP(lerp_bf16, uint16_t, float, ld_b, ST_B, lerp_f(x, y, z))

/* clamp(x, lo, hi) = min(max(x, lo), hi); a NaN bound gives NaN */
#define CLAMP_EXPR(NANV) ((y != y || z != z) ? (NANV) : (z < (x < y ? y : x) ? z : (x < y ? y : x)))
TERN_LOOP(clamp_f32, float, float, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(NAN))
TERN_LOOP(clamp_f64, double, double, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(NAN))
TERN_LOOP(clamp_f16, uint16_t, float, ld_h, ST_H, CLAMP_EXPR(NAN))
TERN_LOOP(clamp_bf16, uint16_t, float, ld_b, ST_B, CLAMP_EXPR(NAN))
TERN_LOOP(clamp_u8, uint8_t, int64_t, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(0))
TERN_LOOP(clamp_i8, int8_t, int64_t, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(0))
TERN_LOOP(clamp_i16, int16_t, int64_t, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(0))
TERN_LOOP(clamp_i32, int32_t, int64_t, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(0))
TERN_LOOP(clamp_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, CLAMP_EXPR(0))

static const ct_loop1d_fn ternary_table[CT_NUM_TERNARY][CT_NUM_DTYPES] = {
    [CT_TERNARY_LERP] = {[CT_BFLOAT16] = lerp_bf16, [CT_FLOAT32] = lerp_f32, [CT_FLOAT64] = lerp_f64},
    [CT_TERNARY_CLAMP] = {INT_ROW(clamp), FLOAT_ROW(clamp)},
};
static const char *const ternary_names[CT_NUM_TERNARY] = {"where_cpu", "lerp_kernel_tensor", "clamp_cpu"};

int ct__kernel_ternary(ct_ternary_kind kind, const ct_strided_iter *it, ct_dtype dtype) {
    ct_loop1d_fn fn = NULL;
    if (kind == CT_TERNARY_WHERE) {
        size_t sz = ct__traits(dtype)->itemsize;
        fn = sz == 1 ? where_1 : sz == 2 ? where_2 : sz == 4 ? where_4 : where_8;
    } else {
        fn = ternary_table[kind][dtype];
    }
    if (!fn) return not_implemented(ternary_names[kind], dtype);
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, NULL);
    return CT_OK;
}

/* ---- lerp / clamp with scalars ---- */

typedef struct {
    double w, lo, hi;
    bool has_lo, has_hi;
} scalars2;

#define UN_LOOP(NAME, T, CT, LD, ST, EXPR)                                           \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {           \
        const scalars2 *c = vctx;                                                   \
        (void)c;                                                                    \
        for (int64_t i = 0; i < n; i++) {                                            \
            CT x = LD((const T *)(d[1] + i * s[1]));                                 \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                      \
        }                                                                           \
    }
UN_LOOP(lerps_f32, float, float, LD_NATIVE, ST_NATIVE, lerp_f(x, *(const float *)(d[2] + i * s[2]), (float)c->w))
UN_LOOP(lerps_f64, double, double, LD_NATIVE, ST_NATIVE, lerp_d(x, *(const double *)(d[2] + i * s[2]), c->w))
UN_LOOP(lerps_bf16, uint16_t, float, ld_b, ST_B, lerp_f(x, ld_b((const uint16_t *)(d[2] + i * s[2])), (float)c->w))

int ct__kernel_lerp_scalar(const ct_strided_iter *it, ct_dtype dtype, double weight) {
    ct_loop1d_fn fn = dtype == CT_FLOAT32    ? lerps_f32
                      : dtype == CT_FLOAT64  ? lerps_f64
                      : dtype == CT_BFLOAT16 ? lerps_bf16
                                             : NULL;
    if (!fn) return not_implemented("lerp_kernel_scalar", dtype);
    scalars2 c = {.w = weight};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}

/* std::min(std::max(x, lo), hi) with either side optional; a NaN x stays */
#define CLAMPS_FN(NAME, T)                                        \
    static inline T NAME(T x, const scalars2 *c) {                \
        if (c->has_lo && x < (T)c->lo) x = (T)c->lo;              \
        if (c->has_hi && (T)c->hi < x) x = (T)c->hi;              \
        return x;                                                 \
    }
CLAMPS_FN(clamps_f, float)
CLAMPS_FN(clamps_d, double)
CLAMPS_FN(clamps_i, int64_t)
UN_LOOP(clamps_f32_strided, float, float, LD_NATIVE, ST_NATIVE, clamps_f(x, c))
UN_LOOP(clamps_f64_strided, double, double, LD_NATIVE, ST_NATIVE, clamps_d(x, c))

/* float32 / float64 contiguous runs: clamps_f / clamps_d as two selects the
 * compiler vectorizes, an absent bound an infinity that never wins (NaN and
 * -0.0 kept as the branches keep them) */
#define CLAMPS_RUN(NAME, T)                                                                   \
    CT_SIMD_CLONES static void NAME##_contig(T *restrict o, const T *restrict a, int64_t n, T lo, T hi) { \
        for (int64_t i = 0; i < n; i++) {                                                     \
            T x = a[i];                                                                       \
            x = x < lo ? lo : x;                                                              \
            o[i] = hi < x ? hi : x;                                                           \
        }                                                                                     \
    }                                                                                         \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                     \
        const scalars2 *c = vctx;                                                             \
        if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T)) {                       \
            NAME##_contig((T *)d[0], (const T *)d[1], n, c->has_lo ? (T)c->lo : (T)-INFINITY, \
                          c->has_hi ? (T)c->hi : (T)INFINITY);                                \
            return;                                                                           \
        }                                                                                     \
        NAME##_strided(d, s, n, vctx);                                                        \
    }
CLAMPS_RUN(clamps_f32, float)
CLAMPS_RUN(clamps_f64, double)
UN_LOOP(clamps_bf16, uint16_t, float, ld_b, ST_B, clamps_f(x, c))
UN_LOOP(clamps_u8, uint8_t, int64_t, LD_NATIVE, ST_NATIVE, clamps_i(x, c))
UN_LOOP(clamps_i8, int8_t, int64_t, LD_NATIVE, ST_NATIVE, clamps_i(x, c))
UN_LOOP(clamps_i16, int16_t, int64_t, LD_NATIVE, ST_NATIVE, clamps_i(x, c))
UN_LOOP(clamps_i32, int32_t, int64_t, LD_NATIVE, ST_NATIVE, clamps_i(x, c))
UN_LOOP(clamps_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, clamps_i(x, c))

/* PyTorch 1.13 has no float16 scalar clamp on CPU */
static const ct_loop1d_fn clamps_table[CT_NUM_DTYPES] = {INT_ROW(clamps), [CT_BFLOAT16] = clamps_bf16,
                                                          [CT_FLOAT32] = clamps_f32, [CT_FLOAT64] = clamps_f64};

int ct__kernel_clamp_scalar(const ct_strided_iter *it, ct_dtype dtype, bool has_lo, double lo, bool has_hi,
                            double hi) {
    ct_loop1d_fn fn = clamps_table[dtype];
    if (!fn)
        return not_implemented(has_lo && has_hi ? "clamp_scalar_cpu" : has_lo ? "clamp_min_scalar_cpu"
                                                                              : "clamp_max_scalar_cpu",
                               dtype);
    scalars2 c = {.lo = lo, .hi = hi, .has_lo = has_lo, .has_hi = has_hi};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}

/* ---- masks ---- */

#define CMP_LOOP(NAME, EXPR)                                                         \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {           \
        (void)vctx;                                                                 \
        for (int64_t i = 0; i < n; i++) {                                            \
            double a = *(const double *)(d[1] + i * s[1]);                           \
            double b = *(const double *)(d[2] + i * s[2]);                           \
            *(uint8_t *)(d[0] + i * s[0]) = (uint8_t)((EXPR) ? 1 : 0);               \
        }                                                                           \
    }
CMP_LOOP(cmp_eq, a == b)
CMP_LOOP(cmp_lt, a < b)
CMP_LOOP(cmp_le, a <= b)
CMP_LOOP(cmp_gt, a > b)
CMP_LOOP(cmp_ge, a >= b)
CMP_LOOP(cmp_ge_bnan, a >= b || isnan(b))
CMP_LOOP(cmp_le_bnan, a <= b || isnan(b))

void ct__kernel_mask(ct_mask_kind kind, const ct_strided_iter *it) {
    static const ct_loop1d_fn table[CT_NUM_MASK] = {cmp_eq, cmp_lt, cmp_le, cmp_gt, cmp_ge, cmp_ge_bnan, cmp_le_bnan};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, table[kind], NULL);
}
