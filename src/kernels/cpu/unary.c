/* Unary elementwise kernels: one typed 1-D loop per (op, dtype), generated from
 * short macros; float16/bfloat16 go through float32. The special functions
 * (erfinv, digamma, trigamma, polygamma via zeta) follow ATen/native/Math.h of
 * PyTorch 1.13 (derived from the Cephes Math Library, 3-clause BSD). The
 * dtype rows of each op are those PyTorch 1.13's CPU kernel dispatches. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/transcend_f32.h"
#include "kernels/cpu/unary.h"

typedef struct {
    double p[3];
} un_ctx;

/* Loads/stores for the reduced-precision types. */
static inline float ld_h(const uint16_t *p) { return ct_half_to_float(*p); }
static inline float ld_b(const uint16_t *p) { return ct_bfloat16_to_float(*p); }
#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_H(p, v) (*(p) = ct_float_to_half(v))
#define ST_B(p, v) (*(p) = ct_float_to_bfloat16(v))

/* a float rounded to bfloat16 precision: c10::BFloat16 arithmetic rounds
 * every intermediate result */
static inline float bfr(float x) { return ct_bfloat16_to_float(ct_float_to_bfloat16(x)); }

/* ---- unary ---- */

/* The 1-D loop of one (op, dtype): a contiguous fast path (plain indexing,
 * auto-vectorized where the expression allows, SIMD clones) and the generic
 * strided loop. */
#define CT_UN_LOOP(NAME, T, CT, LD, ST, EXPR)                                                   \
    CT_SIMD_CLONES static void NAME##_contig(T *o, const T *a, int64_t n, CT p, CT q, CT r) {   \
        (void)p;                                                                               \
        (void)q;                                                                               \
        (void)r;                                                                               \
        for (int64_t i = 0; i < n; i++) {                                                       \
            CT x = LD(a + i);                                                                   \
            ST(o + i, (EXPR));                                                                  \
        }                                                                                      \
    }                                                                                          \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                      \
        const un_ctx *c_ = vctx;                                                                \
        const CT p = (CT)c_->p[0], q = (CT)c_->p[1], r = (CT)c_->p[2];                          \
        (void)p;                                                                               \
        (void)q;                                                                               \
        (void)r;                                                                               \
        if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T)) {                         \
            ct__loop_stats.contiguous++;                                                        \
            NAME##_contig((T *)d[0], (const T *)d[1], n, p, q, r);                              \
            return;                                                                            \
        }                                                                                      \
        ct__loop_stats.strided++;                                                               \
        for (int64_t i = 0; i < n; i++) {                                                       \
            CT x = LD((const T *)(d[1] + i * s[1]));                                            \
            ST((T *)(d[0] + i * s[0]), (EXPR));                                                 \
        }                                                                                      \
    }

/* float32 / float64 / bfloat16 versions of one math expression (FEXPR in
 * float, DEXPR in double); CT_UN_HALF adds float16 */
#define CT_UN_FLOATS(OP, FEXPR, DEXPR)                                \
    CT_UN_LOOP(OP##_f32, float, float, LD_NATIVE, ST_NATIVE, FEXPR)   \
    CT_UN_LOOP(OP##_f64, double, double, LD_NATIVE, ST_NATIVE, DEXPR) \
    CT_UN_LOOP(OP##_bf16, uint16_t, float, ld_b, ST_B, FEXPR)
#define CT_UN_HALF(OP, FEXPR) CT_UN_LOOP(OP##_f16, uint16_t, float, ld_h, ST_H, FEXPR)
#define CT_UN_ALLFLOATS(OP, FEXPR, DEXPR) CT_UN_FLOATS(OP, FEXPR, DEXPR) CT_UN_HALF(OP, FEXPR)

static inline float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }
static inline double sigmoid_(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline float relu_f(float x) { return isnan(x) ? x : (x > 0 ? x : 0.0f); }
static inline double relu_d(double x) { return isnan(x) ? x : (x > 0 ? x : 0.0); }
static inline float sign_f(float x) { return (float)((x > 0) - (x < 0)); } /* NaN -> 0 */
static inline double sign_d(double x) { return (double)((x > 0) - (x < 0)); }

/* pow(x, p) as PyTorch's pow_tensor_scalar_optimized_kernel: exponents 2,
 * 3, 0.5, -0.5, -1, -2 are multiplications / square roots */
#define CT_POW_SPECIAL(NAME, T, SQRT, POW)                          \
    static inline T NAME(T x, T p) {                                \
        if (p == 2) return x * x;                                   \
        if (p == 3) return x * x * x;                               \
        if (p == 0.5) return SQRT(x);                               \
        if (p == -0.5) return 1 / SQRT(x);                          \
        if (p == -1) return 1 / x;                                  \
        if (p == -2) return 1 / (x * x);                            \
        return POW(x, p);                                           \
    }
CT_POW_SPECIAL(pow_f, float, sqrtf, powf)
CT_POW_SPECIAL(pow_d, double, sqrt, pow)
/* bfloat16: the exponent and every intermediate are bfloat16 */
static inline float pow_bf(float x, float p) {
    p = bfr(p);
    if (p == 3) return bfr(x * x) * x;
    if (p == -2) return 1 / bfr(x * x);
    return pow_f(x, p);
}

/* logit: clamp to [eps, 1 - eps] when eps >= 0; log(x / (1 - x)) */
static inline float logit_f(float x, float eps) {
    if (eps >= 0) {
        float hi = 1.0f - eps;
        x = x < eps ? eps : (x > hi ? hi : x);
    }
    return x == 1.0f ? INFINITY : logf(x / (1.0f - x));
}
static inline double logit_d(double x, double eps) {
    if (eps >= 0) {
        double hi = 1.0 - eps;
        x = x < eps ? eps : (x > hi ? hi : x);
    }
    return x == 1.0 ? INFINITY : log(x / (1.0 - x));
}
/* bfloat16: every step rounds to bfloat16 as c10::BFloat16 arithmetic does */
static inline float logit_bf(float x, float eps) {
    if (eps >= 0) {
        float lo = bfr(eps), hi = bfr(1.0f - lo);
        x = x < lo ? lo : (x > hi ? hi : x);
    }
    return x == 1.0f ? INFINITY : logf(bfr(x / bfr(1.0f - x)));
}

/* calc_erfinv: rational approximation + two Newton steps */
#define CT_ERFINV(NAME, T, SQRT, LOG, ERF, EXP, FABS, COPYSIGN)                                         \
    static T NAME(T y) {                                                                              \
        const T a[4] = {(T)0.886226899, (T)-1.645349621, (T)0.914624893, (T)-0.140543331};           \
        const T b[4] = {(T)-2.118377725, (T)1.442710462, (T)-0.329097515, (T)0.012229801};           \
        const T c[4] = {(T)-1.970840454, (T)-1.624906493, (T)3.429567803, (T)1.641345311};           \
        const T dd[2] = {(T)3.543889200, (T)1.637067800};                                            \
        T x, z, num, dem;                                                                             \
        T y_abs = FABS(y);                                                                            \
        if (y_abs > 1.0) return (T)NAN;                                                               \
        if (y_abs == 1.0) return COPYSIGN((T)INFINITY, y);                                            \
        if (y_abs <= (T)0.7) {                                                                        \
            z = y * y;                                                                                \
            num = (((a[3] * z + a[2]) * z + a[1]) * z + a[0]);                                        \
            dem = ((((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + (T)1.0);                         \
            x = y * num / dem;                                                                        \
        } else {                                                                                      \
            z = SQRT(-LOG(((T)1.0 - y_abs) / (T)2.0));                                                \
            num = ((c[3] * z + c[2]) * z + c[1]) * z + c[0];                                          \
            dem = (dd[1] * z + dd[0]) * z + (T)1.0;                                                   \
            x = COPYSIGN(num, y) / dem;                                                               \
        }                                                                                             \
        const T two_over_sqrt_pi = (T)2.0 / (T)sqrt(3.14159265358979323846);                          \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                      \
        x = x - (ERF(x) - y) / (two_over_sqrt_pi * EXP(-x * x));                                      \
        return x;                                                                                     \
    }
CT_ERFINV(erfinv_f, float, sqrtf, logf, erff, expf, fabsf, copysignf)
CT_ERFINV(erfinv_d, double, sqrt, log, erf, exp, fabs, copysign)

#define CT_PI 3.14159265358979323846

static double polevl_d(double x, const double *A, int len) {
    double result = 0;
    for (int i = 0; i <= len; i++) result = result * x + A[i];
    return result;
}
static float polevl_f(float x, const float *A, int len) {
    float result = 0;
    for (int i = 0; i <= len; i++) result = result * x + A[i];
    return result;
}

static double digamma_d(double x) {
    static const double PSI_10 = 2.25175258906672110764;
    if (x == 0) return copysign(INFINITY, -x);
    if (x < 0) {
        if (x == trunc(x)) return NAN;
        double q, r = modf(x, &q);
        return digamma_d(1 - x) - CT_PI / tan(CT_PI * r);
    }
    double result = 0;
    while (x < 10) {
        result -= 1 / x;
        x += 1;
    }
    if (x == 10) return result + PSI_10;
    static const double A[] = {8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                               -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                               8.33333333333333333333E-2};
    double y = 0;
    if (x < 1.0e17) {
        double z = 1.0 / (x * x);
        y = z * polevl_d(z, A, 6);
    }
    return result + log(x) - (0.5 / x) - y;
}

static float digamma_f(float x) {
    static const float PSI_10 = 2.25175258906672110764f;
    if (x == 0) return copysignf(INFINITY, -x);
    if (x < 0) {
        if (x == truncf(x)) return NAN;
        double q, r = modf((double)x, &q);
        float pi_over_tan_pi_x = (float)(CT_PI / tan(CT_PI * r));
        return digamma_f(1 - x) - pi_over_tan_pi_x;
    }
    float result = 0;
    while (x < 10) {
        result -= 1 / x;
        x += 1;
    }
    if (x == 10) return result + PSI_10;
    static const float A[] = {8.33333333333333333333E-2f, -2.10927960927960927961E-2f, 7.57575757575757575758E-3f,
                              -4.16666666666666666667E-3f, 3.96825396825396825397E-3f, -8.33333333333333333333E-3f,
                              8.33333333333333333333E-2f};
    float y = 0;
    if (x < 1.0e17f) {
        float z = 1 / (x * x);
        y = z * polevl_f(z, A, 6);
    }
    return result + logf(x) - (0.5f / x) - y;
}

static double trigamma_d(double x) {
    double sign = +1, result = 0;
    if (x < 0.5) {
        sign = -1;
        const double sin_pi_x = sin(CT_PI * x);
        result -= (CT_PI * CT_PI) / (sin_pi_x * sin_pi_x);
        x = 1 - x;
    }
    for (int i = 0; i < 6; ++i) {
        result += 1 / (x * x);
        x += 1;
    }
    const double ixx = 1 / (x * x);
    result += (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x;
    return sign * result;
}

static float trigamma_f(float x) {
    const float pi = (float)CT_PI;
    float sign = +1, result = 0;
    if (x < 0.5f) {
        sign = -1;
        const float sin_pi_x = sinf(pi * x);
        result -= (pi * pi) / (sin_pi_x * sin_pi_x);
        x = 1 - x;
    }
    for (int i = 0; i < 6; ++i) {
        result += 1 / (x * x);
        x += 1;
    }
    const float ixx = 1 / (x * x);
    result += (1 + 1 / (2 * x) + ixx * (1.f / 6 - ixx * (1.f / 30 - ixx * (1.f / 42)))) / x;
    return sign * result;
}

/* Hurwitz zeta(x, q) in double (PyTorch's accumulation type on CPU) */
static double zeta_d(double x, double q) {
    const double MACHEP = 1.11022302462515654042E-16;
    static const double A[] = {12.0,
                               -720.0,
                               30240.0,
                               -1209600.0,
                               47900160.0,
                               -1.8924375803183791606e9,
                               7.47242496e10,
                               -2.950130727918164224e12,
                               1.1646782814350067249e14,
                               -4.5979787224074726105e15,
                               1.8152105401943546773e17,
                               -7.1661652561756670113e18};
    double a, b, k, s, t, w;
    if (x == 1) return INFINITY;
    if (x < 1) return NAN;
    if (q <= 0) {
        if (q == floor(q)) return INFINITY;
        if (x != floor(x)) return NAN;
    }
    s = pow(q, -x);
    a = q;
    int i = 0;
    b = 0;
    while ((i < 9) || (a <= 9.0)) {
        i += 1;
        a += 1;
        b = pow(a, -x);
        s += b;
        if ((-MACHEP * s < b) && (b < MACHEP * s)) return s;
    }
    w = a;
    s += b * w / (x - 1);
    s -= 0.5 * b;
    a = 1;
    k = 0;
    for (int j = 0; j < 12; j++) {
        a *= x + k;
        b /= w;
        t = a * b / A[j];
        s = s + t;
        t = fabs(t / s);
        if (t < MACHEP) return s;
        k += 1;
        a *= x + k;
        b /= w;
        k += 1;
    }
    return s;
}

/* n is a whole number >= 2, kept in floating point so any n is defined */
static double polygamma_d(double x, double n) {
    return (fmod(n, 2) != 0 ? 1.0 : -1.0) * exp(lgamma(n + 1)) * zeta_d(n + 1, x);
}
static float polygamma_f(float x, double n) {
    return (fmod(n, 2) != 0 ? 1.0f : -1.0f) * expf(lgammaf((float)n + 1)) * (float)zeta_d(n + 1, (double)x);
}

/* round(x, decimals): p = 10^|decimals| in the dtype, q = 1 when negative */
static inline float round_dec_f(float x, float p, float q) { return q != 0 ? nearbyintf(x / p) * p : nearbyintf(x * p) / p; }
static inline double round_dec_d(double x, double p, double q) { return q != 0 ? nearbyint(x / p) * p : nearbyint(x * p) / p; }
static inline float round_dec_bf(float x, float p, float q) {
    p = bfr(p);
    return q != 0 ? nearbyintf(bfr(x / p)) * p : nearbyintf(bfr(x * p)) / p;
}

#define NAN_TO_NUM(x) (isnan(x) ? p : (x) == INFINITY ? q : (x) == -INFINITY ? r : (x))

CT_UN_FLOATS(neg, -x, -x)
/* float32 exp / log / tanh / sigmoid: contiguous runs go through the vectorized rows of
 * transcend_f32.c; strided ones keep libm's function */
#define CT_UN_ROW_F32(OP, FEXPR, ROWFN)                                            \
    static void OP##_f32(char **d, const int64_t *s, int64_t n, void *vctx) {     \
        (void)vctx;                                                                \
        if (s[0] == (int64_t)sizeof(float) && s[1] == (int64_t)sizeof(float)) {   \
            ct__loop_stats.contiguous++;                                           \
            ROWFN((const float *)d[1], (float *)d[0], n);                          \
            return;                                                                \
        }                                                                          \
        ct__loop_stats.strided++;                                                  \
        for (int64_t i = 0; i < n; i++) {                                          \
            float x = *(const float *)(d[1] + i * s[1]);                           \
            *(float *)(d[0] + i * s[0]) = (FEXPR);                                 \
        }                                                                          \
    }
/* CT_UN_FLOATS with the float32 loop through a vectorized row */
#define CT_UN_ROW_FLOATS(OP, FEXPR, DEXPR, ROWFN)                      \
    CT_UN_ROW_F32(OP, FEXPR, ROWFN)                                    \
    CT_UN_LOOP(OP##_f64, double, double, LD_NATIVE, ST_NATIVE, DEXPR)  \
    CT_UN_LOOP(OP##_bf16, uint16_t, float, ld_b, ST_B, FEXPR)
CT_UN_ROW_FLOATS(exp, expf(x), exp(x), ct__exp_row_f32)
CT_UN_ROW_FLOATS(log, logf(x), log(x), ct__log_row_f32)
CT_UN_FLOATS(sin, sinf(x), sin(x))
CT_UN_FLOATS(cos, cosf(x), cos(x))
CT_UN_ROW_FLOATS(tanh, tanhf(x), tanh(x), ct__tanh_row_f32)
CT_UN_ROW_FLOATS(sigmoid, sigmoidf_(x), sigmoid_(x), ct__sigmoid_row_f32)
CT_UN_FLOATS(relu, relu_f(x), relu_d(x))
CT_UN_FLOATS(sqrt, sqrtf(x), sqrt(x))
/* float32 pow: contiguous runs with an exponent pow_f does not special-case
 * go through transcend_f32.c's vectorized row; the rest as pow_f */
CT_UN_LOOP(pow_f32_plain, float, float, LD_NATIVE, ST_NATIVE, pow_f(x, p))
static void pow_f32(char **d, const int64_t *s, int64_t n, void *vctx) {
    const un_ctx *c = vctx;
    float p = (float)c->p[0];
    bool special = p == 2 || p == 3 || p == 0.5 || p == -0.5 || p == -1 || p == -2;
    if (!special && s[0] == (int64_t)sizeof(float) && s[1] == (int64_t)sizeof(float)) {
        ct__loop_stats.contiguous++;
        ct__pow_row_f32((const float *)d[1], (float *)d[0], n, p);
        return;
    }
    pow_f32_plain(d, s, n, vctx);
}
CT_UN_LOOP(pow_f64, double, double, LD_NATIVE, ST_NATIVE, pow_d(x, p))
CT_UN_LOOP(pow_bf16, uint16_t, float, ld_b, ST_B, pow_bf(x, p))
CT_UN_HALF(pow, pow_f(x, p))
CT_UN_ALLFLOATS(sign, sign_f(x), sign_d(x))
CT_UN_HALF(neg, -x)
CT_UN_ALLFLOATS(abs, fabsf(x), fabs(x))
CT_UN_ALLFLOATS(reciprocal, 1.0f / x, 1.0 / x)
CT_UN_FLOATS(rsqrt, 1.0f / sqrtf(x), 1.0 / sqrt(x))
CT_UN_ALLFLOATS(exp2, exp2f(x), exp2(x))
CT_UN_FLOATS(expm1, expm1f(x), expm1(x))
CT_UN_FLOATS(log2, log2f(x), log2(x))
CT_UN_FLOATS(log10, log10f(x), log10(x))
CT_UN_FLOATS(log1p, log1pf(x), log1p(x))
CT_UN_FLOATS(tan, tanf(x), tan(x))
CT_UN_FLOATS(asin, asinf(x), asin(x))
CT_UN_FLOATS(acos, acosf(x), acos(x))
CT_UN_FLOATS(atan, atanf(x), atan(x))
CT_UN_FLOATS(sinh, sinhf(x), sinh(x))
CT_UN_FLOATS(cosh, coshf(x), cosh(x))
CT_UN_FLOATS(asinh, asinhf(x), asinh(x))
CT_UN_FLOATS(acosh, acoshf(x), acosh(x))
CT_UN_FLOATS(atanh, atanhf(x), atanh(x))
CT_UN_LOOP(logit_f32, float, float, LD_NATIVE, ST_NATIVE, logit_f(x, p))
CT_UN_LOOP(logit_f64, double, double, LD_NATIVE, ST_NATIVE, logit_d(x, p))
CT_UN_LOOP(logit_bf16, uint16_t, float, ld_b, ST_B, logit_bf(x, p))
CT_UN_FLOATS(erf, erff(x), erf(x))
CT_UN_FLOATS(erfc, erfcf(x), erfc(x))
CT_UN_FLOATS(erfinv, erfinv_f(x), erfinv_d(x))
CT_UN_FLOATS(lgamma, lgammaf(x), lgamma(x))
CT_UN_FLOATS(digamma, digamma_f(x), digamma_d(x))
CT_UN_FLOATS(trigamma, trigamma_f(x), trigamma_d(x))
CT_UN_FLOATS(polygamma, polygamma_f(x, p), polygamma_d(x, p)) /* p: the integer order, exact in float */
CT_UN_FLOATS(floor, floorf(x), floor(x))
CT_UN_FLOATS(ceil, ceilf(x), ceil(x))
CT_UN_FLOATS(round, nearbyintf(x), nearbyint(x))
CT_UN_LOOP(round_dec_f32, float, float, LD_NATIVE, ST_NATIVE, round_dec_f(x, p, q))
CT_UN_LOOP(round_dec_f64, double, double, LD_NATIVE, ST_NATIVE, round_dec_d(x, p, q))
CT_UN_LOOP(round_dec_bf16, uint16_t, float, ld_b, ST_B, round_dec_bf(x, p, q))
CT_UN_FLOATS(trunc, truncf(x), trunc(x))
CT_UN_ALLFLOATS(frac, x - truncf(x), x - trunc(x))
CT_UN_ALLFLOATS(nan_to_num, NAN_TO_NUM(x), NAN_TO_NUM(x))
CT_UN_ALLFLOATS(inrange, (x < p || x > q) ? 0.0f : 1.0f, (x < p || x > q) ? 0.0 : 1.0)
CT_UN_ALLFLOATS(isfinite, isfinite(x) ? 1.0f : 0.0f, isfinite(x) ? 1.0 : 0.0)

/* integer loops */
#define CT_UN_INTS(OP, EXPR)                                               \
    CT_UN_LOOP(OP##_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, EXPR)      \
    CT_UN_LOOP(OP##_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, EXPR)        \
    CT_UN_LOOP(OP##_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, EXPR)     \
    CT_UN_LOOP(OP##_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, EXPR)     \
    CT_UN_LOOP(OP##_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, EXPR)

CT_UN_INTS(negi, (__typeof__(x))(0u - (uint64_t)x))
CT_UN_INTS(relui, (__typeof__(x))(x > 0 ? x : 0))
/* wrapping x * x, as PyTorch's integer pow(x, 2) */
CT_UN_INTS(squarei, (__typeof__(x))((uint64_t)x * (uint64_t)x))
/* sign / abs: uint8 has no negatives (separate loops keep -Wtype-limits quiet) */
CT_UN_LOOP(signi_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, (uint8_t)(x > 0))
CT_UN_LOOP(signi_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, (int8_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, (int16_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, (int32_t)((x > 0) - (x < 0)))
CT_UN_LOOP(signi_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, (int64_t)((x > 0) - (x < 0)))
#define ABS_I(x) (__typeof__(x))((x) < 0 ? 0u - (uint64_t)(x) : (uint64_t)(x))
CT_UN_LOOP(absi_u8, uint8_t, uint8_t, LD_NATIVE, ST_NATIVE, x)
CT_UN_LOOP(absi_i8, int8_t, int8_t, LD_NATIVE, ST_NATIVE, ABS_I(x))
CT_UN_LOOP(absi_i16, int16_t, int16_t, LD_NATIVE, ST_NATIVE, ABS_I(x))
CT_UN_LOOP(absi_i32, int32_t, int32_t, LD_NATIVE, ST_NATIVE, ABS_I(x))
CT_UN_LOOP(absi_i64, int64_t, int64_t, LD_NATIVE, ST_NATIVE, ABS_I(x))

#define FLOAT_ROW(OP) [CT_BFLOAT16] = OP##_bf16, [CT_FLOAT32] = OP##_f32, [CT_FLOAT64] = OP##_f64
#define HALF_ROW(OP) [CT_FLOAT16] = OP##_f16, FLOAT_ROW(OP)
#define INT_ROW(OP) [CT_UINT8] = OP##_u8, [CT_INT8] = OP##_i8, [CT_INT16] = OP##_i16, [CT_INT32] = OP##_i32, [CT_INT64] = OP##_i64

static const ct_loop1d_fn unary_table[CT_NUM_UNARY][CT_NUM_DTYPES] = {
    [CT_UNARY_NEG] = {HALF_ROW(neg), INT_ROW(negi)},
    [CT_UNARY_EXP] = {FLOAT_ROW(exp)},
    [CT_UNARY_LOG] = {FLOAT_ROW(log)},
    [CT_UNARY_SIN] = {FLOAT_ROW(sin)},
    [CT_UNARY_COS] = {FLOAT_ROW(cos)},
    [CT_UNARY_TANH] = {FLOAT_ROW(tanh)},
    [CT_UNARY_SIGMOID] = {FLOAT_ROW(sigmoid)},
    [CT_UNARY_RELU] = {FLOAT_ROW(relu), INT_ROW(relui)},
    [CT_UNARY_SQRT] = {FLOAT_ROW(sqrt)},
    [CT_UNARY_POW] = {HALF_ROW(pow)},
    [CT_UNARY_SIGN] = {HALF_ROW(sign), INT_ROW(signi)},
    [CT_UNARY_ABS] = {HALF_ROW(abs), INT_ROW(absi)},
    [CT_UNARY_RECIPROCAL] = {HALF_ROW(reciprocal)},
    [CT_UNARY_RSQRT] = {FLOAT_ROW(rsqrt)},
    [CT_UNARY_SQUARE] = {INT_ROW(squarei)},
    [CT_UNARY_EXP2] = {HALF_ROW(exp2)},
    [CT_UNARY_EXPM1] = {FLOAT_ROW(expm1)},
    [CT_UNARY_LOG2] = {FLOAT_ROW(log2)},
    [CT_UNARY_LOG10] = {FLOAT_ROW(log10)},
    [CT_UNARY_LOG1P] = {FLOAT_ROW(log1p)},
    [CT_UNARY_TAN] = {FLOAT_ROW(tan)},
    [CT_UNARY_ASIN] = {FLOAT_ROW(asin)},
    [CT_UNARY_ACOS] = {FLOAT_ROW(acos)},
    [CT_UNARY_ATAN] = {FLOAT_ROW(atan)},
    [CT_UNARY_SINH] = {FLOAT_ROW(sinh)},
    [CT_UNARY_COSH] = {FLOAT_ROW(cosh)},
    [CT_UNARY_ASINH] = {FLOAT_ROW(asinh)},
    [CT_UNARY_ACOSH] = {FLOAT_ROW(acosh)},
    [CT_UNARY_ATANH] = {FLOAT_ROW(atanh)},
    [CT_UNARY_LOGIT] = {FLOAT_ROW(logit)},
    [CT_UNARY_ERF] = {FLOAT_ROW(erf)},
    [CT_UNARY_ERFC] = {FLOAT_ROW(erfc)},
    [CT_UNARY_ERFINV] = {FLOAT_ROW(erfinv)},
    [CT_UNARY_LGAMMA] = {FLOAT_ROW(lgamma)},
    [CT_UNARY_DIGAMMA] = {FLOAT_ROW(digamma)},
    [CT_UNARY_TRIGAMMA] = {FLOAT_ROW(trigamma)},
    [CT_UNARY_POLYGAMMA] = {FLOAT_ROW(polygamma)},
    [CT_UNARY_FLOOR] = {FLOAT_ROW(floor)},
    [CT_UNARY_CEIL] = {FLOAT_ROW(ceil)},
    [CT_UNARY_ROUND] = {FLOAT_ROW(round)},
    [CT_UNARY_ROUND_DECIMALS] = {FLOAT_ROW(round_dec)},
    [CT_UNARY_TRUNC] = {FLOAT_ROW(trunc)},
    [CT_UNARY_FRAC] = {HALF_ROW(frac)},
    [CT_UNARY_NAN_TO_NUM] = {HALF_ROW(nan_to_num)},
    [CT_UNARY_INRANGE_MASK] = {HALF_ROW(inrange)},
    [CT_UNARY_ISFINITE_MASK] = {HALF_ROW(isfinite)},
};

/* PyTorch's kernel names, for "\"xxx\" not implemented for 'Half'" */
static const char *const unary_names[CT_NUM_UNARY] = {
    [CT_UNARY_NEG] = "neg_cpu",
    [CT_UNARY_EXP] = "exp_vml_cpu",
    [CT_UNARY_LOG] = "log_vml_cpu",
    [CT_UNARY_SIN] = "sin_vml_cpu",
    [CT_UNARY_COS] = "cos_vml_cpu",
    [CT_UNARY_TANH] = "tanh_vml_cpu",
    [CT_UNARY_SIGMOID] = "sigmoid_cpu",
    [CT_UNARY_RELU] = "clamp_min_cpu",
    [CT_UNARY_SQRT] = "sqrt_vml_cpu",
    [CT_UNARY_POW] = "pow",
    [CT_UNARY_SIGN] = "sign_cpu",
    [CT_UNARY_ABS] = "abs_cpu",
    [CT_UNARY_RECIPROCAL] = "reciprocal_cpu",
    [CT_UNARY_RSQRT] = "rsqrt_cpu",
    [CT_UNARY_SQUARE] = "pow",
    [CT_UNARY_EXP2] = "exp2",
    [CT_UNARY_EXPM1] = "expm1_vml_cpu",
    [CT_UNARY_LOG2] = "log2_vml_cpu",
    [CT_UNARY_LOG10] = "log10_vml_cpu",
    [CT_UNARY_LOG1P] = "log1p_vml_cpu",
    [CT_UNARY_TAN] = "tan_vml_cpu",
    [CT_UNARY_ASIN] = "asin_vml_cpu",
    [CT_UNARY_ACOS] = "acos_vml_cpu",
    [CT_UNARY_ATAN] = "atan_vml_cpu",
    [CT_UNARY_SINH] = "sinh_cpu",
    [CT_UNARY_COSH] = "cosh_cpu",
    [CT_UNARY_ASINH] = "asinh_cpu",
    [CT_UNARY_ACOSH] = "acosh_cpu",
    [CT_UNARY_ATANH] = "atanh_cpu",
    [CT_UNARY_LOGIT] = "logit_cpu",
    [CT_UNARY_ERF] = "erf_vml_cpu",
    [CT_UNARY_ERFC] = "erfc_vml_cpu",
    [CT_UNARY_ERFINV] = "erfinv_vml_cpu",
    [CT_UNARY_LGAMMA] = "lgamma_vml_cpu",
    [CT_UNARY_DIGAMMA] = "digamma",
    [CT_UNARY_TRIGAMMA] = "trigamma",
    [CT_UNARY_POLYGAMMA] = "polygamma",
    [CT_UNARY_FLOOR] = "floor_vml_cpu",
    [CT_UNARY_CEIL] = "ceil_vml_cpu",
    [CT_UNARY_ROUND] = "round_vml_cpu",
    [CT_UNARY_ROUND_DECIMALS] = "round_cpu",
    [CT_UNARY_TRUNC] = "trunc_vml_cpu",
    [CT_UNARY_FRAC] = "frac_cpu",
    [CT_UNARY_NAN_TO_NUM] = "nan_to_num",
    [CT_UNARY_INRANGE_MASK] = "logit_backward",
    [CT_UNARY_ISFINITE_MASK] = "isfinite",
};

int ct__kernel_unary3(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, const double p[3]) {
    ct_loop1d_fn fn = unary_table[kind][dtype];
    if (!fn) {
        ct__error("\"%s\" not implemented for '%s'", unary_names[kind], ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    un_ctx c = {{p[0], p[1], p[2]}};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fn, &c);
    return CT_OK;
}

int ct__kernel_unary(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double p) {
    const double ps[3] = {p, 0, 0};
    return ct__kernel_unary3(kind, it, dtype, ps);
}

/* ---- select: out = mask != 0 ? a : fill ---- */

#define CT_SEL_LOOP(NAME, T, CT, LD, ST)                                                         \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                       \
        const CT fill = (CT)((const un_ctx *)vctx)->p[0];                                        \
        for (int64_t i = 0; i < n; i++) {                                                        \
            CT m = LD((const T *)(d[1] + i * s[1]));                                             \
            CT a = LD((const T *)(d[2] + i * s[2]));                                             \
            ST((T *)(d[0] + i * s[0]), m != 0 ? a : fill);                                       \
        }                                                                                       \
    }
/* contiguous float32/float64 (e.g. relu's backward): a loop the compiler vectorizes */
#define CT_SEL_CONTIG(NAME, T)                                                                   \
    CT_SIMD_CLONES static void NAME##_contig(T *restrict o, const T *m, const T *a, int64_t n, T fill) { \
        for (int64_t i = 0; i < n; i++) o[i] = m[i] != 0 ? a[i] : fill;                           \
    }                                                                                            \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {                       \
        if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {                       \
            NAME##_contig((T *)d[0], (const T *)d[1], (const T *)d[2], n,                         \
                          (T)((const un_ctx *)vctx)->p[0]);                                       \
            return;                                                                              \
        }                                                                                        \
        NAME##_strided(d, s, n, vctx);                                                           \
    }
CT_SEL_LOOP(sel_f32_strided, float, float, LD_NATIVE, ST_NATIVE)
CT_SEL_LOOP(sel_f64_strided, double, double, LD_NATIVE, ST_NATIVE)
CT_SEL_CONTIG(sel_f32, float)
CT_SEL_CONTIG(sel_f64, double)
CT_SEL_LOOP(sel_f16, uint16_t, float, ld_h, ST_H)
CT_SEL_LOOP(sel_bf16, uint16_t, float, ld_b, ST_B)

int ct__kernel_select(const ct_strided_iter *it, ct_dtype dtype, double fill) {
    static const ct_loop1d_fn table[CT_NUM_DTYPES] = {HALF_ROW(sel)};
    if (!table[dtype]) {
        ct__error("\"where_cpu\" not implemented for '%s'", ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    un_ctx c = {{fill, 0, 0}};
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, table[dtype], &c);
    return CT_OK;
}
