/* float32 exp / tanh / GELU rows: see transcend_f32.h. Each row goes in
 * blocks of BLOCK elements: one loop prepares the exponent arguments, the
 * row exponential runs on them, one loop finishes; GCC vectorizes the two
 * loops in the AVX-512 / AVX2 clones (fmaf becomes an FMA instruction). */
#include "kernels/cpu/transcend_f32.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/fast_expf.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define CT_TR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CT_TR_CLONES
#endif

#define BLOCK 256
#define EXP_LO (-87.3365f) /* ct__expf_poly's range: below it flushes to 0, */
#define EXP_HI 88.7228f    /* above it stays finite */

/* every x[k] in [lo, hi] (NaN is not). The three tests or'ed without
 * short-circuit, and no-trapping-math (which changes no value), so that
 * GCC vectorizes the loop: `!(x >= lo && x <= hi)` compiled to a scalar
 * compare-and-branch per element, which cost 2.5 times the exponentials. */
CT_TR_CLONES CT_NO_TRAP static bool all_within(const float *x, int64_t n, float lo, float hi) {
    int bad = 0;
    for (int64_t k = 0; k < n; k++) {
        float v = x[k];
        bad |= (v < lo) | (v > hi) | (v != v);
    }
    return !bad;
}

/* y = f(x) in blocks: a block within [lo, hi] through the vectorized row,
 * any other through libm's function element by element */
static void row_or_libm(const float *x, float *y, int64_t n, float lo, float hi,
                        void (*row)(const float *, float *, int64_t), float (*libm)(float)) {
    for (int64_t i = 0; i < n; i += BLOCK) {
        int64_t m = n - i < BLOCK ? n - i : BLOCK;
        if (all_within(x + i, m, lo, hi))
            row(x + i, y + i, m);
        else
            for (int64_t k = i; k < i + m; k++) y[k] = libm(x[k]);
    }
}

static void exp_row(const float *x, float *y, int64_t n) { ct__row_exp_scale_f32(x, y, n, 0.0f, 1.0f); }

void ct__exp_row_f32(const float *x, float *y, int64_t n) { row_or_libm(x, y, n, EXP_LO, EXP_HI, exp_row, expf); }

/* ---- pow(x, p), x a positive normal float: exp2(p * log2(x)) in double,
 * ~1e-14 relative before the rounding to float (e + log2(m) rounds at
 * 2^-46 for |e| near 127), so the result is the correctly rounded one
 * except within ~1e-14 of a halfway point (libm's
 * powf: within 0.82 ulp; Sleef's, PyTorch's vector path: 1 ulp) ----
 * log(m), m in [sqrt(1/2), sqrt(2)): 2 atanh(s), s = (m - 1) / (m + 1),
 * |s| <= 0.172, the series to s^21 (next term < 3e-17); 2^f, |f| <= 1/2:
 * Taylor to degree 13 of e^(f ln 2) (next term < 2e-17); the product
 * clamped to [-200, 200] (beyond, the float result is 0 or inf either way),
 * 2^n from the rounding constant's low bits. */
#define POW_RND 6755399441055744.0 /* 0x1.8p52: (t + RND) - RND rounds t to an integer */
CT_TR_CLONES CT_NO_TRAP static void pow_pos_row(const float *x, float *y, int64_t n, double p) {
    for (int64_t k = 0; k < n; k++) {
        uint32_t xb;
        memcpy(&xb, &x[k], sizeof xb);
        int32_t e = (int32_t)(xb >> 23) - 127;
        uint32_t mb = (xb & 0x007fffffu) | 0x3f800000u; /* m in [1, 2) */
        int32_t hi = mb > 0x3fb504f3u;                  /* m > sqrt(2): take m / 2 */
        mb -= (uint32_t)hi << 23;
        e += hi;
        float mf;
        memcpy(&mf, &mb, sizeof mf);
        double m = mf, sv = (m - 1.0) / (m + 1.0), s2 = sv * sv;
        double l = 1.0 / 21;
        l = l * s2 + 1.0 / 19;
        l = l * s2 + 1.0 / 17;
        l = l * s2 + 1.0 / 15;
        l = l * s2 + 1.0 / 13;
        l = l * s2 + 1.0 / 11;
        l = l * s2 + 1.0 / 9;
        l = l * s2 + 1.0 / 7;
        l = l * s2 + 1.0 / 5;
        l = l * s2 + 1.0 / 3;
        l = l * s2 + 1.0;
        double t = p * ((double)e + 2.0 * sv * l * 1.4426950408889634074);
        t = t < -200.0 ? -200.0 : (t > 200.0 ? 200.0 : t);
        double r = t + POW_RND, nf = r - POW_RND, g = (t - nf) * 0.69314718055994530942;
        double q = 1.0 / 6227020800.0;
        q = q * g + 1.0 / 479001600.0;
        q = q * g + 1.0 / 39916800.0;
        q = q * g + 1.0 / 3628800.0;
        q = q * g + 1.0 / 362880.0;
        q = q * g + 1.0 / 40320.0;
        q = q * g + 1.0 / 5040.0;
        q = q * g + 1.0 / 720.0;
        q = q * g + 1.0 / 120.0;
        q = q * g + 1.0 / 24.0;
        q = q * g + 1.0 / 6.0;
        q = q * g + 0.5;
        q = q * g + 1.0;
        q = q * g + 1.0;
        uint64_t rb;
        memcpy(&rb, &r, sizeof rb);
        uint64_t sb = (rb + 1023u) << 52;
        double scale;
        memcpy(&scale, &sb, sizeof scale);
        y[k] = (float)(q * scale);
    }
}

void ct__pow_row_f32(const float *x, float *y, int64_t n, float p) {
    for (int64_t i = 0; i < n; i += BLOCK) {
        int64_t m = n - i < BLOCK ? n - i : BLOCK;
        if (isfinite(p) && all_within(x + i, m, 0x1p-126f, 0x1.fffffep127f))
            pow_pos_row(x + i, y + i, m, p);
        else
            for (int64_t k = i; k < i + m; k++) y[k] = powf(x[k], p);
    }
}

CT_TR_CLONES static void negate(const float *x, float *y, int64_t n) {
    for (int64_t k = 0; k < n; k++) y[k] = -x[k];
}

CT_TR_CLONES static void sigmoid_finish(const float *e, float *y, int64_t n) {
    for (int64_t k = 0; k < n; k++) y[k] = 1.0f / (1.0f + e[k]);
}

void ct__sigmoid_row_f32(const float *x, float *y, int64_t n) {
    float e[BLOCK];
    for (int64_t i = 0; i < n; i += BLOCK) {
        int64_t m = n - i < BLOCK ? n - i : BLOCK;
        negate(x + i, e, m);
        ct__exp_row_f32(e, e, m);
        sigmoid_finish(e, y + i, m);
    }
}

/* ---- log: Cephes' logf (m in [sqrt(1/2), sqrt(2)), log(1 + f) as f -
 * f^2 / 2 + f^3 P(f), ln 2 in two parts), vectorizable: the exponent and
 * mantissa come from the bits. Blocks holding anything but positive
 * normal finite numbers take libm's logf. ---- */

CT_TR_CLONES static void log_poly(const float *x, float *y, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        uint32_t b;
        memcpy(&b, &x[k], sizeof b);
        float e = (float)((int32_t)(b >> 23) - 126); /* x = m 2^e, m in [0.5, 1) */
        b = (b & 0x007fffffu) | 0x3f000000u;
        float m;
        memcpy(&m, &b, sizeof m);
        bool low = m < 0.707106781186547524f;
        e = low ? e - 1.0f : e;
        float f = low ? m + m - 1.0f : m - 1.0f;
        float z = f * f;
        float p = 7.0376836292e-2f;
        p = p * f - 1.1514610310e-1f;
        p = p * f + 1.1676998740e-1f;
        p = p * f - 1.2420140846e-1f;
        p = p * f + 1.4249322787e-1f;
        p = p * f - 1.6668057665e-1f;
        p = p * f + 2.0000714765e-1f;
        p = p * f - 2.4999993993e-1f;
        p = p * f + 3.3333331174e-1f;
        float r = f * z * p;
        r += -2.12194440e-4f * e;
        r += -0.5f * z;
        y[k] = (f + r) + 0.693359375f * e;
    }
}

void ct__log_row_f32(const float *x, float *y, int64_t n) {
    row_or_libm(x, y, n, 0x1p-126f, 0x1.fffffep127f, log_poly, logf); /* positive normal finite numbers */
}

/* Cephes tanhf's polynomial for |x| < 0.625: x + x^3 P(x^2) */
#define TANH_P0 (-5.70498872745e-3f)
#define TANH_P1 2.06390887954e-2f
#define TANH_P2 (-5.37397155531e-2f)
#define TANH_P3 1.33314422036e-1f
#define TANH_P4 (-3.33332819422e-1f)

/* e[k] = 2|x| capped at 18 (tanh is 1.0f from 9 on; NaN also gets 18) */
CT_TR_CLONES static void tanh_args(const float *x, float *e, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        float a = fabsf(x[k]);
        e[k] = a < 9.0f ? a + a : 18.0f;
    }
}

CT_TR_CLONES static void tanh_finish(const float *x, const float *e, float *y, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        float v = x[k], s = v * v;
        float p = (((TANH_P0 * s + TANH_P1) * s + TANH_P2) * s + TANH_P3) * s + TANH_P4;
        float small = fmaf(p * s, v, v), large = copysignf(1.0f - 2.0f / (e[k] + 1.0f), v);
        float r = fabsf(v) < 0.625f ? small : large;
        y[k] = v != v ? v : r;
    }
}

/* y from x in blocks: args writes each element's exponent argument, the
 * row exponential runs on them, finish combines x and the exponentials */
static void through_exp(const float *x, float *y, int64_t n, void (*args)(const float *, float *, int64_t),
                        void (*finish)(const float *, const float *, float *, int64_t)) {
    float e[BLOCK];
    for (int64_t i = 0; i < n; i += BLOCK) {
        int64_t m = n - i < BLOCK ? n - i : BLOCK;
        args(x + i, e, m);
        ct__row_exp_scale_f32(e, e, m, 0.0f, 1.0f);
        finish(x + i, e, y + i, m);
    }
}

void ct__tanh_row_f32(const float *x, float *y, int64_t n) { through_exp(x, y, n, tanh_args, tanh_finish); }

#define SQRT1_2F 0.70710678118654752440f
/* M_2_SQRTPI * M_SQRT1_2 * 0.5 = 1 / sqrt(2 pi), as a float */
#define GELU_BETAF ((float)(1.12837916709551257390 * 0.70710678118654752440 * 0.5))

/* e[k] = -(u * u), u = x * (1 / sqrt 2): the argument of erf's exp */
CT_TR_CLONES static void erf_args(const float *x, float *e, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        float u = x[k] * SQRT1_2F;
        e[k] = -(u * u);
    }
}

/* erf(x / sqrt 2) from e = exp(-u^2), as Vectorized<float>::erf: t = 1 /
 * (p |u| + 1), r = the quartic in t, erf = sign(u) | (1 - r t e) (the sign
 * bit or'ed in, as PyTorch does) */
static inline float erf_from_exp(float x, float e) {
    float u = x * SQRT1_2F, t = 1.0f / fmaf(0.3275911f, fabsf(u), 1.0f);
    float r = fmaf(fmaf(fmaf(fmaf(1.061405429f, t, -1.453152027f), t, 1.421413741f), t, -0.284496736f), t,
                   0.254829592f);
    float v = fmaf(-e * t, r, 1.0f);
    uint32_t vb, ub;
    memcpy(&vb, &v, sizeof vb);
    memcpy(&ub, &u, sizeof ub);
    vb |= ub & 0x80000000u;
    memcpy(&v, &vb, sizeof v);
    return v;
}

CT_TR_CLONES static void gelu_finish(const float *x, const float *e, float *y, int64_t n) {
    for (int64_t k = 0; k < n; k++) y[k] = x[k] * 0.5f * (1.0f + erf_from_exp(x[k], e[k]));
}

void ct__gelu_row_f32(const float *x, float *y, int64_t n) { through_exp(x, y, n, erf_args, gelu_finish); }

/* e1 = -(u * u) (erf's), e2 = -0.5 * x * x (the density's) */
CT_TR_CLONES static void gelu_bwd_args(const float *x, float *e1, float *e2, int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        float u = x[k] * SQRT1_2F;
        e1[k] = -(u * u);
        e2[k] = -0.5f * x[k] * x[k];
    }
}

CT_TR_CLONES static void gelu_bwd_finish(const float *g, const float *x, const float *e1, const float *e2, float *gx,
                                         int64_t n) {
    for (int64_t k = 0; k < n; k++) {
        float cdf = 0.5f * (1.0f + erf_from_exp(x[k], e1[k])), pdf = e2[k] * GELU_BETAF;
        gx[k] = g[k] * (cdf + x[k] * pdf);
    }
}

typedef struct {
    const float *g, *x;
    float *gx;
} gelu_bwd_ctx;

static void gelu_bwd_range(int64_t i0, int64_t i1, void *vctx) {
    const gelu_bwd_ctx *c = vctx;
    float e1[BLOCK], e2[BLOCK];
    for (int64_t i = i0; i < i1; i += BLOCK) {
        int64_t m = i1 - i < BLOCK ? i1 - i : BLOCK;
        gelu_bwd_args(c->x + i, e1, e2, m);
        ct__row_exp_scale_f32(e1, e1, m, 0.0f, 1.0f);
        ct__row_exp_scale_f32(e2, e2, m, 0.0f, 1.0f);
        gelu_bwd_finish(c->g + i, c->x + i, e1, e2, c->gx + i, m);
    }
}

void ct__gelu_backward_f32(const float *g, const float *x, float *gx, int64_t n) {
    gelu_bwd_ctx c = {g, x, gx};
    ct_parallel_for(0, n, CT_GRAIN_SIZE, gelu_bwd_range, &c);
}

/* ---- derivatives from the outputs ---- */

typedef struct {
    const float *g, *y;
    float *gx;
} from_output_ctx;

CT_TR_CLONES static void tanh_bwd_range(int64_t i0, int64_t i1, void *vctx) {
    const from_output_ctx *c = vctx;
    for (int64_t k = i0; k < i1; k++) c->gx[k] = c->g[k] * (1.0f - c->y[k] * c->y[k]);
}

CT_TR_CLONES static void sigmoid_bwd_range(int64_t i0, int64_t i1, void *vctx) {
    const from_output_ctx *c = vctx;
    for (int64_t k = i0; k < i1; k++) c->gx[k] = c->g[k] * (1.0f - c->y[k]) * c->y[k];
}

void ct__tanh_backward_f32(const float *g, const float *y, float *gx, int64_t n) {
    from_output_ctx c = {g, y, gx};
    ct_parallel_for(0, n, CT_GRAIN_SIZE, tanh_bwd_range, &c);
}

void ct__sigmoid_backward_f32(const float *g, const float *y, float *gx, int64_t n) {
    from_output_ctx c = {g, y, gx};
    ct_parallel_for(0, n, CT_GRAIN_SIZE, sigmoid_bwd_range, &c);
}
