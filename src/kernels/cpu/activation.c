/* Fused forward kernels of the pointwise activations: one typed loop per
 * (kind, dtype) from a short macro. */
#include <math.h>
#include <stdint.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "kernels/cpu/activation.h"
#include "kernels/cpu/transcend_f32.h"

typedef struct {
    double p[3];
} act_ctx;

#define CT_ACT_GRAIN 32768

static inline float ld_bf(const uint16_t *q) { return ct_bfloat16_to_float(*q); }
#define LD_NATIVE(q) (*(q))
#define ST_NATIVE(q, v) (*(q) = (v))
#define ST_BF(q, v) (*(q) = ct_float_to_bfloat16(v))

/* One 1-D loop: CT is the compute type, T the storage type. */
#define ACT_LOOP(NAME, T, CT, LD, ST, EXPR)                                 \
    static void NAME(char **d, const int64_t *s, int64_t n, void *vctx) {  \
        const act_ctx *c_ = vctx;                                           \
        const CT p0 = (CT)c_->p[0], p1 = (CT)c_->p[1], p2 = (CT)c_->p[2];   \
        (void)p0, (void)p1, (void)p2;                                       \
        for (int64_t i = 0; i < n; i++) {                                   \
            CT x = LD((const T *)(d[1] + i * s[1]));                        \
            ST((T *)(d[0] + i * s[0]), (EXPR));                             \
        }                                                                   \
    }

/* The expression once with float math (F) and once with double math (D). */
#define ACT_KIND(OP, FEXPR, DEXPR)                                  \
    ACT_LOOP(OP##_f32, float, float, LD_NATIVE, ST_NATIVE, FEXPR)   \
    ACT_LOOP(OP##_f64, double, double, LD_NATIVE, ST_NATIVE, DEXPR) \
    ACT_LOOP(OP##_bf16, uint16_t, float, ld_bf, ST_BF, FEXPR)

#define M_SQRT1_2_ 0.70710678118654752440
#define M_SQRT2_ 1.41421356237309504880
#define M_2_SQRTPI_ 1.12837916709551257390

static inline float hardtanh_f(float x, float lo, float hi) { return x < lo ? lo : (x > hi ? hi : x); }
static inline double hardtanh_d(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }
static inline float hsig_f(float x) { return fminf(fmaxf(x + 3.0f, 0.0f), 6.0f) / 6.0f; }
static inline double hsig_d(double x) { return fmin(fmax(x + 3.0, 0.0), 6.0) / 6.0; }
static inline float logsig_f(float x) { return fminf(x, 0.0f) - log1pf(expf(-fabsf(x))); }
static inline double logsig_d(double x) { return fmin(x, 0.0) - log1p(exp(-fabs(x))); }
static inline float softplus_f(float x, float beta, float th) {
    return x * beta > th ? x : log1pf(expf(x * beta)) / beta;
}
static inline double softplus_d(double x, double beta, double th) {
    return x * beta > th ? x : log1p(exp(x * beta)) / beta;
}
static inline float softshrink_f(float x, float l) { return x > l ? x - l : (x < -l ? x + l : 0.0f); }
static inline double softshrink_d(double x, double l) { return x > l ? x - l : (x < -l ? x + l : 0.0); }
static inline float gelu_tanh_f(float x) {
    const float kBeta = (float)(M_SQRT2_ * M_2_SQRTPI_ * 0.5), kKappa = 0.044715f;
    float inner = kBeta * (x + kKappa * x * x * x);
    return 0.5f * x * (1.0f + tanhf(inner));
}
static inline double gelu_tanh_d(double x) {
    const double kBeta = M_SQRT2_ * M_2_SQRTPI_ * 0.5, kKappa = 0.044715;
    double inner = kBeta * (x + kKappa * x * x * x);
    return 0.5 * x * (1.0 + tanh(inner));
}

/* fmin/fmax above drop NaN; PyTorch's hardsigmoid/hardswish propagate it */
ACT_KIND(elu, x <= 0 ? expm1f(x * p2) * p0 : x * p1, x <= 0 ? expm1(x * p2) * p0 : x * p1)
ACT_KIND(hardtanh, isnan(x) ? x : hardtanh_f(x, p0, p1), isnan(x) ? x : hardtanh_d(x, p0, p1))
ACT_KIND(hardsigmoid, isnan(x) ? x : hsig_f(x), isnan(x) ? x : hsig_d(x))
ACT_KIND(hardswish, isnan(x) ? x : x * hsig_f(x), isnan(x) ? x : x * hsig_d(x))
ACT_KIND(leaky_relu, x > 0 ? x : x * p0, x > 0 ? x : x * p0)
ACT_KIND(logsigmoid, isnan(x) ? x : logsig_f(x), isnan(x) ? x : logsig_d(x))
ACT_KIND(softplus, softplus_f(x, p0, p1), softplus_d(x, p0, p1))
ACT_KIND(softshrink, softshrink_f(x, p0), softshrink_d(x, p0)) /* NaN -> 0, as ATen */
ACT_KIND(hardshrink, (x >= -p0 && x <= p0) ? 0.0f : x, (x >= -p0 && x <= p0) ? 0.0 : x)
ACT_KIND(threshold, x <= p0 ? p1 : x, x <= p0 ? p1 : x)
/* gelu: contiguous float32 runs through the vectorized row of
 * transcend_f32.c (PyTorch's vector erf); strided ones keep libm's erff */
static void gelu_f32(char **d, const int64_t *s, int64_t n, void *vctx) {
    (void)vctx;
    if (s[0] == (int64_t)sizeof(float) && s[1] == (int64_t)sizeof(float)) {
        ct__gelu_row_f32((const float *)d[1], (float *)d[0], n);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        float x = *(const float *)(d[1] + i * s[1]);
        *(float *)(d[0] + i * s[0]) = x * 0.5f * (1.0f + erff(x * (float)M_SQRT1_2_));
    }
}
ACT_LOOP(gelu_f64, double, double, LD_NATIVE, ST_NATIVE, x * 0.5 * (1.0 + erf(x * M_SQRT1_2_)))
ACT_LOOP(gelu_bf16, uint16_t, float, ld_bf, ST_BF, x * 0.5f * (1.0f + erff(x * (float)M_SQRT1_2_)))
ACT_KIND(gelu_tanh, gelu_tanh_f(x), gelu_tanh_d(x))
ACT_KIND(silu, x / (1.0f + expf(-x)), x / (1.0 + exp(-x)))
ACT_KIND(mish, x * tanhf(log1pf(expf(x))), x * tanh(log1p(exp(x))))

typedef struct {
    const char *name;
    ct_loop1d_fn f32, f64, bf16;
} act_entry;

#define E(K, OP, NAME) [K] = {NAME, OP##_f32, OP##_f64, OP##_bf16}
static const act_entry table[CT_NUM_ACT] = {
    E(CT_ACT_ELU, elu, "elu_cpu"),
    E(CT_ACT_HARDTANH, hardtanh, "hardtanh_cpu"),
    E(CT_ACT_HARDSIGMOID, hardsigmoid, "hardsigmoid_cpu"),
    E(CT_ACT_HARDSWISH, hardswish, "hardswish_cpu"),
    E(CT_ACT_LEAKY_RELU, leaky_relu, "leaky_relu_cpu"),
    E(CT_ACT_LOGSIGMOID, logsigmoid, "log_sigmoid_cpu"),
    E(CT_ACT_SOFTPLUS, softplus, "softplus_cpu"),
    E(CT_ACT_SOFTSHRINK, softshrink, "softshrink_cpu"),
    E(CT_ACT_HARDSHRINK, hardshrink, "hardshrink_cpu"),
    E(CT_ACT_THRESHOLD, threshold, "threshold_cpu"),
    E(CT_ACT_GELU, gelu, "GeluKernelImpl"),
    E(CT_ACT_GELU_TANH, gelu_tanh, "GeluKernelImpl"),
    E(CT_ACT_SILU, silu, "silu_cpu"),
    E(CT_ACT_MISH, mish, "mish_cpu"),
};
#undef E

const char *ct__activation_kernel_name(ct_act_kind kind) {
    return kind >= 0 && kind < CT_NUM_ACT ? table[kind].name : "activation";
}

int ct__kernel_activation(ct_act_kind kind, const ct_strided_iter *it, ct_dtype dtype, const double p[3]) {
    if (kind < 0 || kind >= CT_NUM_ACT) {
        ct__error("internal: unknown activation kernel %d", (int)kind);
        return CT_ERROR;
    }
    const act_entry *e = &table[kind];
    ct_loop1d_fn fn = dtype == CT_FLOAT32 ? e->f32 : dtype == CT_FLOAT64 ? e->f64 : dtype == CT_BFLOAT16 ? e->bf16 : NULL;
    if (!fn) {
        ct__error("\"%s\" not implemented for '%s'", e->name, ct__traits(dtype)->scalar_name);
        return CT_ERROR;
    }
    act_ctx c = {{p ? p[0] : 0, p ? p[1] : 0, p ? p[2] : 0}};
    ct__iter_run_parallel(it, CT_ACT_GRAIN, fn, &c);
    return CT_OK;
}
