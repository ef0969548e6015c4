/* Box-Muller blocks of 16 for the vectorised normal path (see the header).
 * Compiled with -ffp-contract=off: every fused multiply-add of PyTorch's
 * AVX2 build is written as fmaf/fma, every other operation rounds alone. */
#include "kernels/cpu/random_normal.h"

#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <string.h>

#include "ctorch/dtype.h"

static inline uint32_t f2u(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}
static inline float u2f(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* avx_mathfun.h constants: decimal literal -> double -> float, as
 * _ps256_const(name, value) stores them. */
#define K(v) ((float)(v))

float ct__cephes_logf(float x) {
    bool invalid = !(x > 0.0f);
    x = fmaxf(x, FLT_MIN);
    uint32_t bits = f2u(x);
    float e = (float)((int32_t)(bits >> 23) - 127) + 1.0f;
    float m = u2f((bits & 0x807FFFFFu) | 0x3F000000u);
    float t = 0.0f;
    if (m < K(0.707106781186547524)) {
        e -= 1.0f;
        t = m;
    }
    x = (m - 1.0f) + t;
    float z = x * x;
    float y = K(7.0376836292E-2);
    y = fmaf(y, x, K(-1.1514610310E-1));
    y = fmaf(y, x, K(1.1676998740E-1));
    y = fmaf(y, x, K(-1.2420140846E-1));
    y = fmaf(y, x, K(1.4249322787E-1));
    y = fmaf(y, x, K(-1.6668057665E-1));
    y = fmaf(y, x, K(2.0000714765E-1));
    y = fmaf(y, x, K(-2.4999993993E-1));
    y = fmaf(y, x, K(3.3333331174E-1));
    y = y * x;
    y = fmaf(y, z, e * K(-2.12194440e-4));
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    x = fmaf(e, K(0.693359375), x);
    return invalid ? u2f(f2u(x) | 0xFFFFFFFFu) : x; /* NaN for x <= 0 */
}

void ct__cephes_sincosf(float theta, float *s, float *c) {
    uint32_t sign_sin = f2u(theta) & 0x80000000u;
    float x = fabsf(theta);
    int32_t j = (int32_t)(x * K(1.27323954473516)); /* cvttps: truncation */
    j = (j + 1) & ~1;
    float y = (float)j;
    uint32_t swap_sin = (uint32_t)(j & 4) << 29;
    bool poly = (j & 2) == 0;
    x = fmaf(y, K(-0.78515625), x);
    x = fmaf(y, K(-2.4187564849853515625e-4), x);
    x = fmaf(y, K(-3.77489497744594108e-8), x);
    uint32_t sign_cos = (uint32_t)(~(j - 2) & 4) << 29;
    sign_sin ^= swap_sin;
    float z = x * x;
    float cc = fmaf(fmaf(K(2.443315711809948E-5), z, K(-1.388731625493765E-3)), z, K(4.166664568298827E-2));
    cc = cc * z;
    cc = fmaf(cc, z, -(z * 0.5f));
    cc = cc + 1.0f;
    float ss = fmaf(fmaf(K(-1.9515295891E-4), z, K(8.3321608736E-3)), z, K(-1.6666654611E-1));
    ss = ss * z;
    ss = fmaf(ss, x, x);
    /* the masked selects are additions with +0 in avx_mathfun */
    float sv = poly ? 0.0f + ss : cc + 0.0f;
    float cv = poly ? cc + 0.0f : 0.0f + ss;
    *s = u2f(f2u(sv) ^ sign_sin);
    *c = u2f(f2u(cv) ^ sign_cos);
}

void ct__normal_fill16_f32(float *d, float mean, float std) {
    const float two_pi = (float)(2.0 * 3.14159265358979323846);
    for (int j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j];
        float u2 = d[j + 8];
        float radius = sqrtf(-2.0f * ct__cephes_logf(u1));
        float theta = two_pi * u2;
        float sn, cs;
        ct__cephes_sincosf(theta, &sn, &cs);
        d[j] = fmaf(radius * cs, std, mean);
        d[j + 8] = fmaf(radius * sn, std, mean);
    }
}

void ct__normal_fill16_f64(double *d, double mean, double std) {
    const double two_pi = 2.0 * 3.14159265358979323846;
    for (int j = 0; j < 8; j++) {
        double u1 = 1.0 - d[j];
        double u2 = d[j + 8];
        double radius = sqrt(-2.0 * log(u1));
        double theta = two_pi * u2;
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

/* normal_fill_16<Half>: c10's operators compute in float and round to
 * Half at every named variable; std::log/sqrt/cos/sin are the float ones;
 * theta is computed in double (double * Half) and rounded through float;
 * the final float expression is fused. */
#define CT_FILL16_HALFLIKE(NAME, TO, FROM)                                      \
    void NAME(uint16_t *d, uint16_t mean_h, uint16_t std_h) {                  \
        const double two_pi = 2.0 * 3.14159265358979323846;                    \
        float mean = FROM(mean_h), std = FROM(std_h);                          \
        for (int j = 0; j < 8; j++) {                                          \
            uint16_t u1 = TO(1.0f - FROM(d[j]));                               \
            uint16_t u2 = d[j + 8];                                            \
            uint16_t radius = TO(sqrtf(-2.0f * logf(FROM(u1))));               \
            uint16_t theta = TO((float)(two_pi * (double)FROM(u2)));           \
            float r = FROM(radius), th = FROM(theta);                          \
            d[j] = TO(fmaf(r * cosf(th), std, mean));                          \
            d[j + 8] = TO(fmaf(r * sinf(th), std, mean));                      \
        }                                                                      \
    }

CT_FILL16_HALFLIKE(ct__normal_fill16_f16, ct_float_to_half, ct_half_to_float)

/* normal_fill_16<BFloat16>: c10/util/BFloat16-math.h gives std::log, sqrt,
 * cos and sin BFloat16 overloads, and BFloat16's operators with int and
 * BFloat16 operands return BFloat16, so every step rounds (no fusion). */
static inline float bf(float x) { return ct_bfloat16_to_float(ct_float_to_bfloat16(x)); }

void ct__normal_fill16_bf16(uint16_t *d, uint16_t mean_h, uint16_t std_h) {
    const double two_pi = 2.0 * 3.14159265358979323846;
    float mean = ct_bfloat16_to_float(mean_h), std = ct_bfloat16_to_float(std_h);
    for (int j = 0; j < 8; j++) {
        float u1 = bf(1.0f - ct_bfloat16_to_float(d[j]));
        float u2 = ct_bfloat16_to_float(d[j + 8]);
        float radius = bf(sqrtf(bf(-2.0f * bf(logf(u1)))));
        float theta = bf((float)(two_pi * (double)u2));
        float c = bf(cosf(theta)), sn = bf(sinf(theta));
        d[j] = ct_float_to_bfloat16(bf(bf(radius * c) * std) + mean);
        d[j + 8] = ct_float_to_bfloat16(bf(bf(radius * sn) * std) + mean);
    }
}
