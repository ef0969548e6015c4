/* Pointwise activations of torch.nn.functional (elu, selu, celu, hardtanh,
 * relu6, hardsigmoid, hardswish, leaky_relu, logsigmoid, prelu, rrelu,
 * gelu, silu, mish, softplus, softshrink, hardshrink, softsign,
 * tanhshrink, threshold, glu) and their in-place forms. Forward: one fused
 * kernel (kernels/cpu/activation.c). Backward: PyTorch's formulas
 * (derivatives.yaml, ATen's *_backward kernels, NaN branches included)
 * written with ctorch ops, so every gradient is itself differentiable. */
#include <math.h>
#include <string.h>

#include "ctorch/nn_activation.h"
#include "kernels/cpu/activation.h"
#include "kernels/cpu/transcend_f32.h"
#include "ops/op_util.h"
#include "tensor/generator.h"

/* ---- temporaries of a backward formula: every op takes NULL, so a chain
 * is written straight and checked once; the pool frees them all ---- */
#define POOL_CAP 32
typedef struct {
    ct_tensor *t[POOL_CAP];
    int n;
} pool;

static ct_tensor *K(pool *p, ct_tensor *t) {
    if (!t) return NULL;
    if (p->n == POOL_CAP) { /* cannot happen with the formulas below */
        ct_free(t);
        ct__error("internal: activation backward pool exhausted");
        return NULL;
    }
    p->t[p->n++] = t;
    return t;
}

static void pool_free(pool *p) {
    for (int i = 0; i < p->n; i++) ct_free(p->t[i]);
    p->n = 0;
}

/* store r into out[0] and report */
static int done(ct_tensor **out, ct_tensor *r) {
    out[0] = r;
    return r ? CT_OK : CT_ERROR;
}

/* ---- forward plumbing ---- */

static bool kernel_dtype_ok(ct_act_kind kind, ct_dtype d) {
    if (d == CT_FLOAT32 || d == CT_FLOAT64) return true;
    if (d == CT_BFLOAT16 && kind != CT_ACT_MISH) return true; /* mish_cpu has no BFloat16 in 1.13 */
    ct__error("\"%s\" not implemented for '%s'", ct__activation_kernel_name(kind), ct__traits(d)->scalar_name);
    return false;
}

/* kind(x) into a new contiguous tensor of x's dtype; no history */
static ct_tensor *act_forward(ct_act_kind kind, const ct_tensor *x, const double p[3]) {
    if (!kernel_dtype_ok(kind, x->dtype)) return NULL;
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[2] = {out, x};
    if (ct__iter_over(&it, 2, ops) != CT_OK || ct__kernel_activation(kind, &it, x->dtype, p) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* Record node `name` on out with inputs in[0..n), saving each input in
 * its slot; scalars s[0..4) for the formula. Frees out on failure. */
static ct_tensor *record(ct_tensor *out, int n, const ct_tensor *const *in, const char *name, ct_backward_fn fn,
                         const double s[4]) {
    if (!out) return NULL;
    if (!ct__any_requires_grad(n, in)) return out;
    ct_node *node = ct__record(name, fn, out, n, in);
    bool ok = node != NULL;
    for (int i = 0; ok && i < n; i++) ok = ct__save(node, i, in[i], false, 0) == CT_OK;
    if (!ok) {
        ct_free(out);
        return NULL;
    }
    for (int i = 0; i < 4; i++) node->scalars[i] = s ? s[i] : 0;
    return out;
}

static ct_tensor *unary_op(ct_act_kind kind, const ct_tensor *x, const double p[3], const char *name,
                           ct_backward_fn fn, const double s[4]) {
    if (!x) return NULL;
    const ct_tensor *in[1] = {x};
    return record(act_forward(kind, x, p), 1, in, name, fn, s);
}

/* ---- backward formulas: g = grads_in[0], x = saved slot 0 ---- */

#define BW_BEGIN                          \
    pool P = {.n = 0};                    \
    const ct_tensor *g = gin[0];          \
    ct_tensor *x = K(&P, ct__unpack(n, 0)); \
    const double *s = n->scalars;         \
    (void)s;
#define BW_END(R)                \
    ct_tensor *r_ = (R);         \
    pool_free(&P);               \
    return done(out, r_);

/* elu_backward(is_result=false): x <= 0 ? g * negiptcoef * negcoef *
 * exp(x * negiptcoef) : g * poscoef. s = {negcoef, poscoef, negiptcoef}.
 * The in-place forms record the same formula on the saved old value. */
static int elu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *e = K(&P, ct_exp(K(&P, ct_mul_scalar(x, s[2]))));
    ct_tensor *neg = K(&P, ct_mul(g, K(&P, ct_mul_scalar(e, s[0] * s[2]))));
    ct_tensor *pos = K(&P, ct_mul_scalar(g, s[1]));
    BW_END(ct_where(K(&P, ct_le_scalar(x, 0)), neg, pos))
}

/* hardtanh_backward: (x <= min || x >= max) ? 0 : g */
static int hardtanh_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *m = K(&P, ct_logical_or(K(&P, ct_le_scalar(x, s[0])), K(&P, ct_ge_scalar(x, s[1]))));
    BW_END(ct_where_scalar_self(m, 0.0, g))
}

/* hardsigmoid_backward: (x > -3 && x < 3) ? g * one_sixth : 0, with
 * ATen's one_sixth = 1.0f / 6.0f (a float constant, also for double) */
static int hardsigmoid_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *m = K(&P, ct_logical_and(K(&P, ct_gt_scalar(x, -3.0)), K(&P, ct_lt_scalar(x, 3.0))));
    BW_END(ct_where_scalar_other(m, K(&P, ct_mul_scalar(g, (double)(1.0f / 6.0f))), 0.0))
}

/* hardswish_backward: x < -3 ? 0 : x <= 3 ? g * (x / 3 + 0.5) : g */
static int hardswish_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *mid = K(&P, ct_mul(g, K(&P, ct_add_scalar(K(&P, ct_div_scalar(x, 3.0)), 0.5))));
    ct_tensor *hi = K(&P, ct_where(K(&P, ct_le_scalar(x, 3.0)), mid, g));
    BW_END(ct_where_scalar_self(K(&P, ct_lt_scalar(x, -3.0)), 0.0, hi))
}

/* leaky_relu_backward: x > 0 ? g : g * slope. s[1] = 1 for the in-place
 * form with a negative slope, which PyTorch refuses to differentiate. */
static int leaky_relu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    if (n->scalars[1] != 0) {
        ct__error("In-place leakyReLu backward calculation is triggered with a negative slope which is not "
                  "supported. This is caused by calling in-place forward function with a negative slope, please "
                  "call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you "
                  "do require supporting in-place leakRelu backward calculation with negative slope");
        return CT_ERROR;
    }
    BW_BEGIN
    BW_END(ct_where(K(&P, ct_gt_scalar(x, 0)), g, K(&P, ct_mul_scalar(g, s[0]))))
}

/* log_sigmoid_backward: g * sigmoid(-x) (both branches of ATen's formula) */
static int logsigmoid_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    BW_END(ct_mul(g, K(&P, ct_sigmoid(K(&P, ct_neg(x))))))
}

/* softplus_backward: x * beta > threshold ? g : g * z / (z + 1), z = exp(x * beta) */
static int softplus_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *bx = K(&P, ct_mul_scalar(x, s[0]));
    ct_tensor *in = K(&P, ct_mul(g, K(&P, ct_sigmoid(bx))));
    BW_END(ct_where(K(&P, ct_gt_scalar(bx, s[1])), g, in))
}

/* softshrink / hardshrink backward: (x >= -l && x <= l) ? 0 : g */
static int shrink_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *m = K(&P, ct_logical_and(K(&P, ct_ge_scalar(x, -s[0])), K(&P, ct_le_scalar(x, s[0]))));
    BW_END(ct_where_scalar_self(m, 0.0, g))
}

/* threshold_backward: x <= threshold ? 0 : g */
static int threshold_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    BW_END(ct_where_scalar_self(K(&P, ct_le_scalar(x, s[0])), 0.0, g))
}

#define CT_SQRT1_2 0.70710678118654752440
#define CT_2_SQRTPI 1.12837916709551257390
#define CT_SQRT2 1.41421356237309504880

/* gelu_backward('none'): g * (Phi(x) + x * phi(x)). Without a graph to
 * build, contiguous float32 g and x of one shape take one vectorized loop
 * (transcend_f32.c, PyTorch's vector formula); else ctorch ops. */
static int gelu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    if (ct__fused_f32_backward_ok(x, g)) {
        ct_tensor *r = ct__empty(CT_FLOAT32, x->ndim, x->sizes);
        if (r)
            ct__gelu_backward_f32((const float *)ct__data(g), (const float *)ct__data(x), (float *)ct__data(r),
                                  ct__numel(x));
        BW_END(r)
    }
    const double kBeta = CT_2_SQRTPI * CT_SQRT1_2 * 0.5; /* 1 / sqrt(2 pi) */
    ct_tensor *cdf = K(&P, ct_mul_scalar(K(&P, ct_add_scalar(K(&P, ct_erf(K(&P, ct_mul_scalar(x, CT_SQRT1_2)))), 1.0)), 0.5));
    ct_tensor *pdf = K(&P, ct_mul_scalar(K(&P, ct_exp(K(&P, ct_mul_scalar(K(&P, ct_mul(x, x)), -0.5)))), kBeta));
    ct_tensor *d = K(&P, ct_add(cdf, K(&P, ct_mul(x, pdf))));
    BW_END(ct_mul(g, d))
}

/* gelu_backward('tanh'): left = x/2, right = 1 + tanh(inner), inner =
 * kBeta (x + kKappa x^3); g * (right / 2 + left (1 - tanh^2) kBeta (1 + 3 kKappa x^2)) */
static int gelu_tanh_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    const double kBeta = CT_SQRT2 * CT_2_SQRTPI * 0.5, kKappa = 0.044715;
    ct_tensor *x2 = K(&P, ct_mul(x, x));
    ct_tensor *x3 = K(&P, ct_mul(x2, x));
    ct_tensor *inner = K(&P, ct_mul_scalar(K(&P, ct_add(x, K(&P, ct_mul_scalar(x3, kKappa)))), kBeta));
    ct_tensor *t = K(&P, ct_tanh(inner));
    ct_tensor *left_d = K(&P, ct_mul_scalar(K(&P, ct_add_scalar(t, 1.0)), 0.5));
    ct_tensor *tanh_d = K(&P, ct_rsub_scalar(K(&P, ct_mul(t, t)), 1.0));
    ct_tensor *inner_d = K(&P, ct_mul_scalar(K(&P, ct_add_scalar(K(&P, ct_mul_scalar(x2, 3.0 * kKappa)), 1.0)), kBeta));
    ct_tensor *right_d = K(&P, ct_mul(K(&P, ct_mul(K(&P, ct_mul_scalar(x, 0.5)), tanh_d)), inner_d));
    BW_END(ct_mul(g, K(&P, ct_add(left_d, right_d))))
}

/* silu_backward: g * s * (1 + x * (1 - s)), s = sigmoid(x) */
static int silu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *sg = K(&P, ct_sigmoid(x));
    ct_tensor *t = K(&P, ct_add_scalar(K(&P, ct_mul(x, K(&P, ct_rsub_scalar(sg, 1.0)))), 1.0));
    BW_END(ct_mul(g, K(&P, ct_mul(sg, t))))
}

/* mish_backward: g * (tsp + x * sigmoid(x) * (1 - tsp^2)), tsp = tanh(softplus(x)) */
static int mish_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    ct_tensor *tsp = K(&P, ct_tanh(K(&P, ct_softplus(x, 1.0, 20.0))));
    ct_tensor *sg = K(&P, ct_sigmoid(x));
    ct_tensor *t = K(&P, ct_mul(K(&P, ct_mul(x, sg)), K(&P, ct_rsub_scalar(K(&P, ct_mul(tsp, tsp)), 1.0))));
    BW_END(ct_mul(g, K(&P, ct_add(tsp, t))))
}

/* ---- public ops ---- */

#define SELU_ALPHA 1.6732632423543772848170429916717
#define SELU_SCALE 1.0507009873554804934193349852946

/* bw_ipcoef: the input scale of the backward formula (celu's
 * derivatives.yaml entry uses 1.0 / alpha.toFloat(), so it differs from
 * the forward's 1 / alpha in double) */
static ct_tensor *elu_impl(const ct_tensor *x, double negcoef, double poscoef, double ipcoef, double bw_ipcoef,
                           const char *name) {
    const double p[3] = {negcoef, poscoef, ipcoef}, s[4] = {negcoef, poscoef, bw_ipcoef, 0};
    return unary_op(CT_ACT_ELU, x, p, name, elu_backward, s);
}

ct_tensor *ct_elu(const ct_tensor *x, double alpha) { return elu_impl(x, alpha, 1.0, 1.0, 1.0, "EluBackward0"); }
ct_tensor *ct_selu(const ct_tensor *x) {
    return elu_impl(x, SELU_ALPHA * SELU_SCALE, SELU_SCALE, 1.0, 1.0, "EluBackward0");
}
ct_tensor *ct_celu(const ct_tensor *x, double alpha) {
    if (!x) return NULL;
    if (alpha == 0) {
        ct__error("ZeroDivisionError: alpha cannot be 0 for CELU");
        return NULL;
    }
    return elu_impl(x, alpha, 1.0, 1.0 / alpha, 1.0 / (double)(float)alpha, "CeluBackward0");
}

/* integer tensors: computed in float64 and converted back (PyTorch keeps
 * the integer dtype for hardtanh / threshold) */
static ct_tensor *int_via_double(ct_act_kind kind, const ct_tensor *x, const double p[3]) {
    ct_tensor *xd = ct__as_dtype(x, CT_FLOAT64);
    ct_tensor *yd = xd ? act_forward(kind, xd, p) : NULL;
    ct_tensor *y = yd ? ct__as_dtype(yd, x->dtype) : NULL;
    ct_free(xd);
    ct_free(yd);
    return y;
}

ct_tensor *ct_hardtanh(const ct_tensor *x, double min_val, double max_val) {
    if (!x) return NULL;
    const double p[3] = {min_val, max_val, 0}, s[4] = {min_val, max_val, 0, 0};
    if (x->dtype != CT_BOOL && !ct_dtype_is_floating_point(x->dtype)) return int_via_double(CT_ACT_HARDTANH, x, p);
    return unary_op(CT_ACT_HARDTANH, x, p, "HardtanhBackward0", hardtanh_backward, s);
}
ct_tensor *ct_relu6(const ct_tensor *x) { return ct_hardtanh(x, 0.0, 6.0); }

ct_tensor *ct_hardsigmoid(const ct_tensor *x) {
    return unary_op(CT_ACT_HARDSIGMOID, x, NULL, "HardsigmoidBackward0", hardsigmoid_backward, NULL);
}
ct_tensor *ct_hardswish(const ct_tensor *x) {
    return unary_op(CT_ACT_HARDSWISH, x, NULL, "HardswishBackward0", hardswish_backward, NULL);
}
ct_tensor *ct_leaky_relu(const ct_tensor *x, double slope) {
    const double p[3] = {slope, 0, 0}, s[4] = {slope, 0, 0, 0};
    return unary_op(CT_ACT_LEAKY_RELU, x, p, "LeakyReluBackward0", leaky_relu_backward, s);
}
ct_tensor *ct_logsigmoid(const ct_tensor *x) {
    return unary_op(CT_ACT_LOGSIGMOID, x, NULL, "LogSigmoidBackward0", logsigmoid_backward, NULL);
}
ct_tensor *ct_softplus(const ct_tensor *x, double beta, double threshold) {
    const double p[3] = {beta, threshold, 0}, s[4] = {beta, threshold, 0, 0};
    return unary_op(CT_ACT_SOFTPLUS, x, p, "SoftplusBackward0", softplus_backward, s);
}
ct_tensor *ct_softshrink(const ct_tensor *x, double lambd) {
    if (!x) return NULL;
    if (!(lambd >= 0)) {
        /* c10 prints the Scalar as an ostream double, then "." */
        ct__error("lambda must be greater or equal to 0, but found to be %g.", lambd);
        return NULL;
    }
    const double p[3] = {lambd, 0, 0}, s[4] = {lambd, 0, 0, 0};
    return unary_op(CT_ACT_SOFTSHRINK, x, p, "SoftshrinkBackward0", shrink_backward, s);
}
ct_tensor *ct_hardshrink(const ct_tensor *x, double lambd) {
    const double p[3] = {lambd, 0, 0}, s[4] = {lambd, 0, 0, 0};
    return unary_op(CT_ACT_HARDSHRINK, x, p, "HardshrinkBackward0", shrink_backward, s);
}
ct_tensor *ct_threshold(const ct_tensor *x, double threshold, double value) {
    if (!x) return NULL;
    const double p[3] = {threshold, value, 0}, s[4] = {threshold, value, 0, 0};
    if (x->dtype != CT_BOOL && !ct_dtype_is_floating_point(x->dtype)) return int_via_double(CT_ACT_THRESHOLD, x, p);
    return unary_op(CT_ACT_THRESHOLD, x, p, "ThresholdBackward0", threshold_backward, s);
}
ct_tensor *ct_gelu(const ct_tensor *x, ct_gelu_approximate approximate) {
    if (!x) return NULL;
    if (approximate != CT_GELU_NONE && approximate != CT_GELU_TANH) {
        ct__error("approximate argument must be either none or tanh.");
        return NULL;
    }
    if (approximate == CT_GELU_TANH)
        return unary_op(CT_ACT_GELU_TANH, x, NULL, "GeluBackward0", gelu_tanh_backward, NULL);
    return unary_op(CT_ACT_GELU, x, NULL, "GeluBackward0", gelu_backward, NULL);
}
ct_tensor *ct_silu(const ct_tensor *x) { return unary_op(CT_ACT_SILU, x, NULL, "SiluBackward0", silu_backward, NULL); }
ct_tensor *ct_mish(const ct_tensor *x) { return unary_op(CT_ACT_MISH, x, NULL, "MishBackward0", mish_backward, NULL); }

/* softsign / tanhshrink: compositions, as torch/nn/functional.py */
ct_tensor *ct_softsign(const ct_tensor *x) {
    if (!x) return NULL;
    pool P = {.n = 0};
    ct_tensor *r = ct_div(x, K(&P, ct_add_scalar(K(&P, ct_abs(x)), 1.0)));
    pool_free(&P);
    return r;
}
ct_tensor *ct_tanhshrink(const ct_tensor *x) {
    if (!x) return NULL;
    ct_tensor *t = ct_tanh(x);
    ct_tensor *r = t ? ct_sub(x, t) : NULL;
    ct_free(t);
    return r;
}

/* ---- prelu: inputs (x, weight) ---- */

/* weight viewed to broadcast against x: the channel (dim 1) for C > 1,
 * every dim 1 for a single weight */
static ct_tensor *prelu_weight_view(const ct_tensor *w, const ct_tensor *x) {
    int64_t shape[CT_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) shape[d] = 1;
    if (ct__numel(w) != 1) shape[1] = ct__numel(w);
    return ct_reshape(w, x->ndim, shape);
}

static int prelu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    pool P = {.n = 0};
    const ct_tensor *g = gin[0];
    ct_tensor *x = K(&P, ct__unpack(n, 0));
    ct_tensor *w = K(&P, ct__unpack(n, 1));
    ct_tensor *pos = K(&P, x ? ct_gt_scalar(x, 0) : NULL);
    int rc = x && w && pos ? CT_OK : CT_ERROR;
    if (rc == CT_OK && n->next[0].fn) {
        ct_tensor *wb = K(&P, prelu_weight_view(w, x));
        out[0] = ct_where(pos, g, K(&P, ct_mul(g, wb)));
        if (!out[0]) rc = CT_ERROR;
    }
    if (rc == CT_OK && n->next[1].fn) {
        ct_tensor *gw = K(&P, ct_where_scalar_self(pos, 0.0, K(&P, ct_mul(x, g))));
        ct_tensor *sum;
        if (ct__numel(w) != 1) {
            int64_t dims[CT_MAX_DIMS];
            int nd = 0;
            for (int d = 0; d < x->ndim; d++)
                if (d != 1) dims[nd++] = d;
            sum = K(&P, nd ? ct_sum_dim(gw, nd, dims, false) : ct__retain(gw));
        } else {
            sum = K(&P, ct_sum(gw));
        }
        out[1] = ct_reshape(sum, w->ndim, w->sizes);
        if (!out[1]) rc = CT_ERROR;
    }
    pool_free(&P);
    return rc;
}

ct_tensor *ct_prelu(const ct_tensor *x, const ct_tensor *weight) {
    if (!x || !weight) return NULL;
    if (!ct_dtype_is_floating_point(x->dtype) || x->dtype == CT_FLOAT16) {
        ct__error("\"prelu_cpu\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    int64_t wn = ct__numel(weight);
    if (wn != 1) {
        if (x->ndim == 0) {
            ct__error("Not allow zero-dim input tensor.");
            return NULL;
        }
        int64_t channels = x->ndim > 1 ? x->sizes[1] : 1;
        if (channels != wn) {
            ct__error("Mismatch of parameter numbers and input channel size. Found parameter numbers = %lld and "
                      "channel size = %lld.",
                      (long long)wn, (long long)channels);
            return NULL;
        }
    }
    if (weight->ndim > 1) {
        ct__error("prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = %d", weight->ndim);
        return NULL;
    }
    ct_tensor *out = NULL;
    CT_NO_GRAD {
        pool P = {.n = 0};
        ct_tensor *wb = K(&P, prelu_weight_view(weight, x));
        ct_tensor *neg = K(&P, ct_mul(x, wb));
        ct_tensor *pos = K(&P, ct_gt_scalar(x, 0));
        ct_tensor *xd = K(&P, ct_detach(x));
        ct_tensor *r = neg && pos && xd ? ct_where(pos, xd, neg) : NULL;
        /* the result keeps x's dtype (a where() of mixed dtypes would promote) */
        out = r ? ct__as_dtype(r, x->dtype) : NULL;
        ct_free(r);
        pool_free(&P);
    }
    const ct_tensor *in[2] = {x, weight};
    return record(out, 2, in, "PreluBackward0", prelu_backward, NULL);
}

/* ---- rrelu ---- */

/* grad * noise (slot 1: the slopes, a constant) */
static int rrelu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    ct_tensor *noise = ct__unpack(n, 1);
    ct_tensor *r = noise ? ct_mul(gin[0], noise) : NULL;
    ct_free(noise);
    return done(out, r);
}

/* _rrelu_with_noise_train: over the elements in memory order of the
 * (contiguous) input, x <= 0 draws r = U53 * (upper - lower) + lower
 * (at::uniform_real_distribution<double>, not fused) where lower and upper
 * were first rounded to the op's math type (float for float32), and r is
 * rounded to it too */
#define RRELU_LOOP(T, CT)                                                              \
    do {                                                                               \
        const double lo_ = (double)(CT)lower, hi_ = (double)(CT)upper;                 \
        const T *xp = (const T *)ct__data(xc);                                         \
        T *yp = (T *)ct__data(out), *np = (T *)ct__data(noise);                        \
        for (int64_t i = 0; i < numel; i++) {                                          \
            if (xp[i] <= 0) {                                                          \
                uint64_t v = ct__gen_random64(gen) & ((UINT64_C(1) << 53) - 1);        \
                double u = (double)v * (1.0 / (double)(UINT64_C(1) << 53));            \
                CT r = (CT)(u * (hi_ - lo_) + lo_);                                    \
                yp[i] = (T)(xp[i] * r);                                                \
                np[i] = (T)r;                                                          \
            } else {                                                                   \
                np[i] = (T)1;                                                          \
                yp[i] = xp[i];                                                         \
            }                                                                          \
        }                                                                              \
    } while (0)

static ct_tensor *rrelu_train(const ct_tensor *x, double lower, double upper, ct_generator *g,
                              ct_tensor **noise_out) {
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        ct__error("\"rrelu_with_noise_out_cpu\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    ct_tensor *xc = ct_contiguous(x);
    ct_tensor *out = xc ? ct__empty(x->dtype, x->ndim, x->sizes) : NULL;
    ct_tensor *noise = out ? ct__empty(x->dtype, x->ndim, x->sizes) : NULL;
    if (!noise) {
        ct_free(xc);
        ct_free(out);
        return NULL;
    }
    int64_t numel = ct__numel(x);
    ct_generator *gen = ct__generator_acquire(g);
    if (x->dtype == CT_FLOAT32)
        RRELU_LOOP(float, float);
    else
        RRELU_LOOP(double, double);
    ct__generator_release(gen);
    ct_free(xc);
    *noise_out = noise;
    return out;
}

ct_tensor *ct_rrelu(const ct_tensor *x, double lower, double upper, bool training, ct_generator *g) {
    if (!x) return NULL;
    if (!training) {
        ct_tensor *r = ct_leaky_relu(x, (lower + upper) / 2);
        ct_node *node = r ? ct__grad_fn(r) : NULL;
        if (node) node->name = "RreluWithNoiseBackward0";
        return r;
    }
    ct_tensor *noise = NULL;
    ct_tensor *out = rrelu_train(x, lower, upper, g, &noise);
    if (!out) return NULL;
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *node = ct__record("RreluWithNoiseBackward0", rrelu_backward, out, 1, in);
        if (!node || ct__save(node, 1, noise, false, 0) != CT_OK) {
            ct_free(out);
            out = NULL;
        }
    }
    ct_free(noise);
    return out;
}

/* ---- glu ---- */

/* grad_a = g * sigmoid(b); grad_b = g * a * s * (1 - s); cat along dim */
static int glu_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    BW_BEGIN
    int dim = (int)n->ints[0];
    int64_t h = x ? x->sizes[dim] / 2 : 0;
    ct_tensor *a = K(&P, ct_narrow(x, dim, 0, h));
    ct_tensor *b = K(&P, ct_narrow(x, dim, h, h));
    ct_tensor *sg = K(&P, ct_sigmoid(b));
    ct_tensor *ga = K(&P, ct_mul(g, sg));
    ct_tensor *gb = K(&P, ct_mul(K(&P, ct_mul(g, a)), K(&P, ct_mul(sg, K(&P, ct_rsub_scalar(sg, 1.0))))));
    ct_tensor *parts[2] = {ga, gb};
    BW_END(ga && gb ? ct_cat(2, parts, dim) : NULL)
}

ct_tensor *ct_glu(const ct_tensor *x, int64_t dim) {
    if (!x) return NULL;
    if (x->ndim == 0) {
        ct__error("glu does not support scalars because halving size must be even");
        return NULL;
    }
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return NULL;
    if (x->sizes[d] % 2 != 0) {
        ct__error("Halving dimension must be even, but dimension %d is size %lld", d, (long long)x->sizes[d]);
        return NULL;
    }
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64 && x->dtype != CT_BFLOAT16) {
        ct__error("\"glu_cpu\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    int64_t h = x->sizes[d] / 2;
    ct_tensor *out = NULL;
    CT_NO_GRAD {
        pool P = {.n = 0};
        ct_tensor *a = K(&P, ct_narrow(x, d, 0, h));
        ct_tensor *b = K(&P, ct_narrow(x, d, h, h));
        out = ct_mul(a, K(&P, ct_sigmoid(b)));
        pool_free(&P);
    }
    const ct_tensor *in[1] = {x};
    out = record(out, 1, in, "GluBackward0", glu_backward, NULL);
    ct_node *node = out ? ct__grad_fn(out) : NULL;
    if (node) node->ints[0] = d, node->nints = 1;
    return out;
}

/* ---- in-place forms: computed out of place, written back (op_util) ---- */

static int inplace_named(ct_tensor *x, ct_tensor *r, const char *name) {
    ct_node *node = r ? ct__grad_fn(r) : NULL;
    if (node && name) node->name = name;
    return ct__write_back(x, r);
}

#define INPLACE(DECL, CALL, NAME)                                  \
    int DECL {                                                     \
        if (!x || ct__check_inplace(x) != CT_OK) return CT_ERROR;  \
        return inplace_named(x, CALL, NAME);                       \
    }

INPLACE(ct_elu_(ct_tensor *x, double alpha), ct_elu(x, alpha), "EluBackward1")
INPLACE(ct_selu_(ct_tensor *x), ct_selu(x), "EluBackward1")
INPLACE(ct_celu_(ct_tensor *x, double alpha), ct_celu(x, alpha), "CeluBackward1")
INPLACE(ct_hardtanh_(ct_tensor *x, double min_val, double max_val), ct_hardtanh(x, min_val, max_val), NULL)
INPLACE(ct_relu6_(ct_tensor *x), ct_relu6(x), NULL)
INPLACE(ct_hardsigmoid_(ct_tensor *x), ct_hardsigmoid(x), NULL)
INPLACE(ct_hardswish_(ct_tensor *x), ct_hardswish(x), NULL)
INPLACE(ct_silu_(ct_tensor *x), ct_silu(x), NULL)
INPLACE(ct_mish_(ct_tensor *x), ct_mish(x), NULL)
INPLACE(ct_threshold_(ct_tensor *x, double threshold, double value), ct_threshold(x, threshold, value),
        "ThresholdBackward1")
INPLACE(ct_rrelu_(ct_tensor *x, double lower, double upper, bool training, ct_generator *g),
        ct_rrelu(x, lower, upper, training, g), "RreluWithNoiseBackward1")

int ct_leaky_relu_(ct_tensor *x, double slope) {
    if (!x || ct__check_inplace(x) != CT_OK) return CT_ERROR;
    ct_tensor *r = ct_leaky_relu(x, slope);
    ct_node *node = r ? ct__grad_fn(r) : NULL;
    if (node) node->scalars[1] = slope < 0 ? 1 : 0;
    return inplace_named(x, r, "LeakyReluBackward1");
}
