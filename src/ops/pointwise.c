/* Unary pointwise math: exp/log/trig/hyperbolic, special functions (erf,
 * erfinv, lgamma, digamma, polygamma), rounding, abs/sign/square, logit,
 * nan_to_num, relu, pow with a scalar exponent; their in-place forms.
 * dtype rules and kernel coverage as PyTorch 1.13.1 on CPU; backward
 * formulas as tools/autograd/derivatives.yaml, written with ctorch ops so
 * that higher-order gradients work. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kernels/cpu/transcend_f32.h"
#include "kernels/cpu/unary.h"
#include "ops/op_util.h"

#define CT_PI 3.14159265358979323846
#define CT_LN2 0.6931471805599453
#define CT_LN10 2.3025850929940456

/* ---- forward plumbing ---- */

/* Run kind over x into a new tensor of dtype (x converted first). */
static ct_tensor *unary_forward3(ct_unary_kind kind, const ct_tensor *x, ct_dtype dtype, const double p[3]) {
    ct_tensor *xc = ct__as_dtype(x, dtype);
    ct_tensor *out = xc ? ct__empty(dtype, x->ndim, x->sizes) : NULL;
    int rc = CT_ERROR;
    if (out) {
        ct_strided_iter it;
        const ct_tensor *ops[2] = {out, xc};
        rc = ct__iter_over(&it, 2, ops);
        if (rc == CT_OK) rc = ct__kernel_unary3(kind, &it, dtype, p);
    }
    ct_free(xc);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

static ct_tensor *unary_forward(ct_unary_kind kind, const ct_tensor *x, ct_dtype dtype, double p) {
    const double ps[3] = {p, 0, 0};
    return unary_forward3(kind, x, dtype, ps);
}

/* integers and bool compute in the default float dtype */
static ct_dtype float_dtype(const ct_tensor *x) {
    return ct_dtype_is_floating_point(x->dtype) ? x->dtype : ct_get_default_dtype();
}

/* Record node `name` on out with one input x; save x (slot 0) and/or out
 * (slot 1); scalars[0] = p. Frees out and returns NULL on failure. */
static ct_tensor *record1(ct_tensor *out, const ct_tensor *x, const char *name, ct_backward_fn fn, bool save_x,
                          bool save_out, double p) {
    if (!out) return NULL;
    const ct_tensor *in[1] = {x};
    if (!ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(name, fn, out, 1, in);
    if (!n || (save_x && ct__save(n, 0, x, false, 0) != CT_OK) || (save_out && ct__save(n, 1, out, true, 0) != CT_OK)) {
        ct_free(out);
        return NULL;
    }
    n->scalars[0] = p;
    return out;
}

/* ---- helpers for backward chains: NULL propagates through every op ---- */

/* r, after dropping the intermediate a */
static ct_tensor *tk(ct_tensor *r, ct_tensor *a) {
    ct_free(a);
    return r;
}

/* -t, after dropping t */
static ct_tensor *neg_take(ct_tensor *t) { return tk(ct_neg(t), t); }

/* store r into out[0] and report */
static int done(ct_tensor **out, ct_tensor *r) {
    out[0] = r;
    return r ? CT_OK : CT_ERROR;
}

/* where(mask != 0, a, fill) with mask a constant of a's dtype (no grad):
 * differentiable in a, as at::where is. */
static ct_tensor *select_const(const ct_tensor *mask, const ct_tensor *a, double fill);

static int select_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *m = ct__unpack(n, 0);
    return done(out, tk(m ? select_const(m, g[0], 0.0) : NULL, m));
}

static ct_tensor *select_const(const ct_tensor *mask, const ct_tensor *a, double fill) {
    if (!mask || !a) return NULL;
    ct_tensor *out = ct__empty(a->dtype, a->ndim, a->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[3] = {out, mask, a};
    if (ct__iter_over(&it, 3, ops) != CT_OK || ct__kernel_select(&it, a->dtype, fill) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[1] = {a};
    if (!ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record("WhereBackward0", select_backward, out, 1, in);
    if (!n || ct__save(n, 0, mask, false, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- backward formulas (grad g[0] -> out[0]); x = slot 0, y = slot 1 ---- */

/* g * f(x) where f is an op of x */
#define BW_MUL_OF_X(NAME, FX)                                             \
    static int NAME(ct_node *n, ct_tensor *const *g, ct_tensor **out) {   \
        ct_tensor *x = ct__unpack(n, 0);                                  \
        ct_tensor *f = x ? (FX) : NULL;                                   \
        ct_free(x);                                                       \
        return done(out, tk(ct_mul(g[0], f), f));                         \
    }

static int exp_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *r = ct__unpack(n, 1);
    return done(out, tk(r ? ct_mul(g[0], r) : NULL, r));
}

static int log_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    return done(out, tk(x ? ct_div(g[0], x) : NULL, x));
}

BW_MUL_OF_X(sin_backward, ct_cos(x))
BW_MUL_OF_X(cos_backward, neg_take(ct_sin(x)))

/* Without a graph to build, contiguous float32 g and y of one shape take
 * one loop (transcend_f32.c) for tanh's and sigmoid's derivatives, with
 * the bits of the op compositions below (but for a NaN's sign bit, which
 * the composition's negation flips and PyTorch's loop does not). Returns the gradient, or NULL
 * (nothing set) when the operands do not qualify. */
static ct_tensor *from_output_fused(const ct_tensor *g, const ct_tensor *y,
                                    void (*fn)(const float *, const float *, float *, int64_t)) {
    if (!ct__fused_f32_backward_ok(y, g)) return NULL;
    ct_tensor *r = ct__empty(CT_FLOAT32, y->ndim, y->sizes);
    if (r) fn((const float *)ct__data(g), (const float *)ct__data(y), (float *)ct__data(r), ct__numel(y));
    return r;
}

/* tanh_backward: g * (1 - y*y) */
static int tanh_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *f = from_output_fused(g[0], y, ct__tanh_backward_f32);
    if (f) {
        ct_free(y);
        return done(out, f);
    }
    ct_tensor *t = y ? ct_mul(y, y) : NULL;
    t = tk(ct_neg(t), t);
    t = tk(ct_add_scalar(t, 1.0), t);
    ct_free(y);
    return done(out, tk(ct_mul(g[0], t), t));
}

/* sigmoid_backward: g * (1 - y) * y */
static int sigmoid_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *f = from_output_fused(g[0], y, ct__sigmoid_backward_f32);
    if (f) {
        ct_free(y);
        return done(out, f);
    }
    ct_tensor *t = y ? ct_neg(y) : NULL;
    t = tk(ct_add_scalar(t, 1.0), t);
    t = tk(ct_mul(g[0], t), t);
    t = tk(ct_mul(t, y), t);
    ct_free(y);
    return done(out, t);
}

/* g / (2 * y) */
static int sqrt_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *d = y ? ct_mul_scalar(y, 2.0) : NULL;
    ct_free(y);
    return done(out, tk(ct_div(g[0], d), d));
}

/* threshold_backward(g, y, 0): g where y > 0, else 0 — as g * sign(y),
 * since y = relu(x) >= 0 */
/* threshold_backward(g, y, 0) = y <= 0 ? 0 : g. y = relu(x) is never
 * negative, so y != 0 ? g : 0 is the same (NaN in y passes g, as in
 * PyTorch): one pass of the select kernel, y as the mask. */
static int relu_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    return done(out, tk(y ? select_const(y, g[0], 0.0) : NULL, y));
}

/* pow_backward: exponent == 0 -> zeros; else g * (p * x^(p-1)) */
static int pow_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double p = n->scalars[0];
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    ct_tensor *r;
    if (p == 0.0) {
        r = ct_zeros_like(x, NULL);
    } else {
        ct_tensor *t = ct_pow_scalar(x, p - 1.0);
        t = tk(ct_mul_scalar(t, p), t);
        r = tk(ct_mul(g[0], t), t);
    }
    ct_free(x);
    return done(out, r);
}

/* floor, ceil, round, trunc, sign: zeros_like(grad) */
static int zeros_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    return done(out, ct_zeros_like(g[0], NULL));
}

/* frac: grad */
static int identity_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    return done(out, ct__retain(g[0]));
}

/* abs: grad * self.sgn() */
BW_MUL_OF_X(abs_backward, ct_sign(x))

/* reciprocal: -grad * (result * result) */
static int reciprocal_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t = y ? ct_mul(y, y) : NULL;
    ct_tensor *ng = ct_neg(g[0]);
    ct_free(y);
    t = tk(ct_mul(ng, t), t);
    return done(out, tk(t, ng));
}

/* rsqrt: -0.5 * grad * result.pow(3) */
static int rsqrt_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t = y ? ct_pow_scalar(y, 3.0) : NULL;
    ct_tensor *hg = ct_mul_scalar(g[0], -0.5);
    ct_free(y);
    t = tk(ct_mul(hg, t), t);
    return done(out, tk(t, hg));
}

/* exp2: grad * result * ln 2 */
static int exp2_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t = y ? ct_mul(g[0], y) : NULL;
    ct_free(y);
    return done(out, tk(ct_mul_scalar(t, CT_LN2), t));
}

/* expm1: grad * (result + 1) */
static int expm1_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t = y ? ct_add_scalar(y, 1.0) : NULL;
    ct_free(y);
    return done(out, tk(ct_mul(g[0], t), t));
}

/* log2 / log10: grad / (self * ln b); log1p: grad / (self + 1) */
static int log_base_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *d = x ? ct_mul_scalar(x, n->scalars[0]) : NULL;
    ct_free(x);
    return done(out, tk(ct_div(g[0], d), d));
}
static int log1p_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *d = x ? ct_add_scalar(x, 1.0) : NULL;
    ct_free(x);
    return done(out, tk(ct_div(g[0], d), d));
}

/* tan: grad * (1 + result.pow(2)) */
static int tan_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t = y ? ct_pow_scalar(y, 2.0) : NULL;
    ct_free(y);
    t = tk(ct_add_scalar(t, 1.0), t);
    return done(out, tk(ct_mul(g[0], t), t));
}

/* (-x * x + 1).rsqrt() */
static ct_tensor *one_minus_sq_rsqrt(const ct_tensor *x) {
    ct_tensor *t = ct_neg(x);
    t = tk(ct_mul(t, x), t);
    t = tk(ct_add_scalar(t, 1.0), t);
    return tk(ct_rsqrt(t), t);
}
/* (x.pow(2) + c).rsqrt() */
static ct_tensor *sq_plus_rsqrt(const ct_tensor *x, double c) {
    ct_tensor *t = ct_pow_scalar(x, 2.0);
    t = tk(ct_add_scalar(t, c), t);
    return tk(ct_rsqrt(t), t);
}

/* asin: grad * (-self * self + 1).rsqrt(); acos: the negative */
BW_MUL_OF_X(asin_backward, one_minus_sq_rsqrt(x))
BW_MUL_OF_X(acos_backward, neg_take(one_minus_sq_rsqrt(x)))
/* sinh: grad * cosh(self); cosh: grad * sinh(self) */
BW_MUL_OF_X(sinh_backward, ct_cosh(x))
BW_MUL_OF_X(cosh_backward, ct_sinh(x))
/* asinh: grad * (self.pow(2) + 1).rsqrt(); acosh: (self.pow(2) - 1).rsqrt() */
BW_MUL_OF_X(asinh_backward, sq_plus_rsqrt(x, 1.0))
BW_MUL_OF_X(acosh_backward, sq_plus_rsqrt(x, -1.0))

/* atan: grad / (self * self + 1) */
static int atan_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *d = x ? ct_mul(x, x) : NULL;
    ct_free(x);
    d = tk(ct_add_scalar(d, 1.0), d);
    return done(out, tk(ct_div(g[0], d), d));
}

/* atanh: grad * 1 / (1 - self.pow(2)) */
static int atanh_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *d = x ? ct_pow_scalar(x, 2.0) : NULL;
    ct_free(x);
    d = neg_take(d);
    d = tk(ct_add_scalar(d, 1.0), d);
    return done(out, tk(ct_div(g[0], d), d));
}

/* erf: 2/sqrt(pi) * exp(-(self.pow(2))) * grad; erfc: the negative */
static int erf_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *t = x ? ct_pow_scalar(x, 2.0) : NULL;
    ct_free(x);
    t = neg_take(t);
    t = tk(ct_exp(t), t);
    t = tk(ct_mul_scalar(t, n->scalars[0] * 2.0 / sqrt(CT_PI)), t);
    return done(out, tk(ct_mul(t, g[0]), t));
}

/* erfinv: 0.5 * sqrt(pi) * exp(self.erfinv().pow(2)) * grad */
static int erfinv_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *t = x ? ct_erfinv(x) : NULL;
    ct_free(x);
    t = tk(ct_pow_scalar(t, 2.0), t);
    t = tk(ct_exp(t), t);
    t = tk(ct_mul_scalar(t, 0.5 * sqrt(CT_PI)), t);
    return done(out, tk(ct_mul(t, g[0]), t));
}

/* lgamma: grad * digamma(self); digamma: grad * polygamma(1, self);
 * polygamma(n): grad * polygamma(n + 1, self) */
BW_MUL_OF_X(lgamma_backward, ct_digamma(x))
BW_MUL_OF_X(digamma_backward, ct_polygamma(1, x))
BW_MUL_OF_X(polygamma_backward, ct_polygamma((int64_t)n->scalars[0] + 1, x))

/* nan_to_num: grad * isfinite(self) */
static int nan_to_num_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *m = x ? unary_forward(CT_UNARY_ISFINITE_MASK, x, x->dtype, 0) : NULL;
    ct_free(x);
    return done(out, tk(ct_mul(g[0], m), m));
}

/* logit: grad / (self * (1 - self)) where lo <= self <= hi, else 0 (with
 * eps: lo = eps, hi = 1 - eps) or NaN (without eps: lo = 0, hi = 1).
 * scalars[0] = eps (NaN: none). As logit_backward's kernel, a NaN self is
 * inside the range. */
static int logit_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double eps = n->scalars[0];
    bool has_eps = !isnan(eps);
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    const double range[3] = {has_eps ? eps : 0.0, has_eps ? 1.0 - eps : 1.0, 0};
    ct_tensor *m = unary_forward3(CT_UNARY_INRANGE_MASK, x, x->dtype, range);
    ct_tensor *t = ct_neg(x);
    t = tk(ct_add_scalar(t, 1.0), t);
    t = tk(ct_mul(x, t), t);
    t = tk(ct_div(g[0], t), t);
    ct_tensor *r = select_const(m, t, has_eps ? 0.0 : NAN);
    ct_free(x);
    ct_free(m);
    ct_free(t);
    return done(out, r);
}

/* ---- public ops ---- */

#define CT_FLOAT_UNARY(NAME, KIND, NODE, FN, SAVE_X, SAVE_OUT, P)                                    \
    ct_tensor *NAME(const ct_tensor *x) {                                                           \
        if (!x) return NULL;                                                                        \
        return record1(unary_forward(KIND, x, float_dtype(x), 0), x, NODE, FN, SAVE_X, SAVE_OUT, P); \
    }

CT_FLOAT_UNARY(ct_exp, CT_UNARY_EXP, "ExpBackward0", exp_backward, false, true, 0)
CT_FLOAT_UNARY(ct_log, CT_UNARY_LOG, "LogBackward0", log_backward, true, false, 0)
CT_FLOAT_UNARY(ct_sin, CT_UNARY_SIN, "SinBackward0", sin_backward, true, false, 0)
CT_FLOAT_UNARY(ct_cos, CT_UNARY_COS, "CosBackward0", cos_backward, true, false, 0)
CT_FLOAT_UNARY(ct_tanh, CT_UNARY_TANH, "TanhBackward0", tanh_backward, false, true, 0)
CT_FLOAT_UNARY(ct_sigmoid, CT_UNARY_SIGMOID, "SigmoidBackward0", sigmoid_backward, false, true, 0)
CT_FLOAT_UNARY(ct_sqrt, CT_UNARY_SQRT, "SqrtBackward0", sqrt_backward, false, true, 0)
CT_FLOAT_UNARY(ct_reciprocal, CT_UNARY_RECIPROCAL, "ReciprocalBackward0", reciprocal_backward, false, true, 0)
CT_FLOAT_UNARY(ct_rsqrt, CT_UNARY_RSQRT, "RsqrtBackward0", rsqrt_backward, false, true, 0)
CT_FLOAT_UNARY(ct_exp2, CT_UNARY_EXP2, "Exp2Backward0", exp2_backward, false, true, 0)
CT_FLOAT_UNARY(ct_expm1, CT_UNARY_EXPM1, "Expm1Backward0", expm1_backward, false, true, 0)
CT_FLOAT_UNARY(ct_log2, CT_UNARY_LOG2, "Log2Backward0", log_base_backward, true, false, CT_LN2)
CT_FLOAT_UNARY(ct_log10, CT_UNARY_LOG10, "Log10Backward0", log_base_backward, true, false, CT_LN10)
CT_FLOAT_UNARY(ct_log1p, CT_UNARY_LOG1P, "Log1PBackward0", log1p_backward, true, false, 0)
CT_FLOAT_UNARY(ct_tan, CT_UNARY_TAN, "TanBackward0", tan_backward, false, true, 0)
CT_FLOAT_UNARY(ct_asin, CT_UNARY_ASIN, "AsinBackward0", asin_backward, true, false, 0)
CT_FLOAT_UNARY(ct_acos, CT_UNARY_ACOS, "AcosBackward0", acos_backward, true, false, 0)
CT_FLOAT_UNARY(ct_atan, CT_UNARY_ATAN, "AtanBackward0", atan_backward, true, false, 0)
CT_FLOAT_UNARY(ct_sinh, CT_UNARY_SINH, "SinhBackward0", sinh_backward, true, false, 0)
CT_FLOAT_UNARY(ct_cosh, CT_UNARY_COSH, "CoshBackward0", cosh_backward, true, false, 0)
CT_FLOAT_UNARY(ct_asinh, CT_UNARY_ASINH, "AsinhBackward0", asinh_backward, true, false, 0)
CT_FLOAT_UNARY(ct_acosh, CT_UNARY_ACOSH, "AcoshBackward0", acosh_backward, true, false, 0)
CT_FLOAT_UNARY(ct_atanh, CT_UNARY_ATANH, "AtanhBackward0", atanh_backward, true, false, 0)
CT_FLOAT_UNARY(ct_erf, CT_UNARY_ERF, "ErfBackward0", erf_backward, true, false, 1.0)
CT_FLOAT_UNARY(ct_erfc, CT_UNARY_ERFC, "ErfcBackward0", erf_backward, true, false, -1.0)
CT_FLOAT_UNARY(ct_erfinv, CT_UNARY_ERFINV, "ErfinvBackward0", erfinv_backward, true, false, 0)
CT_FLOAT_UNARY(ct_lgamma, CT_UNARY_LGAMMA, "LgammaBackward0", lgamma_backward, true, false, 0)
CT_FLOAT_UNARY(ct_digamma, CT_UNARY_DIGAMMA, "DigammaBackward0", digamma_backward, true, false, 0)

ct_tensor *ct_polygamma(int64_t n, const ct_tensor *x) {
    if (!x) return NULL;
    if (n < 0) {
        ct__error("polygamma(n, x) does not support negative n.");
        return NULL;
    }
    ct_unary_kind kind = n == 0 ? CT_UNARY_DIGAMMA : n == 1 ? CT_UNARY_TRIGAMMA : CT_UNARY_POLYGAMMA;
    return record1(unary_forward(kind, x, float_dtype(x), (double)n), x, "PolygammaBackward0", polygamma_backward,
                   true, false, (double)n);
}

static ct_tensor *logit_impl(const ct_tensor *x, double eps, bool has_eps) {
    if (!x) return NULL;
    return record1(unary_forward(CT_UNARY_LOGIT, x, float_dtype(x), has_eps ? eps : -1.0), x, "LogitBackward0",
                   logit_backward, true, false, has_eps ? eps : NAN);
}
ct_tensor *ct_logit(const ct_tensor *x) { return logit_impl(x, 0, false); }
ct_tensor *ct_logit_eps(const ct_tensor *x, double eps) { return logit_impl(x, eps, true); }

ct_tensor *ct_relu(const ct_tensor *x) {
    if (!x) return NULL;
    if (x->dtype == CT_BOOL) {
        ct__error("Boolean inputs not supported for relu");
        return NULL;
    }
    return record1(unary_forward(CT_UNARY_RELU, x, x->dtype, 0), x, "ReluBackward0", relu_backward, false, true, 0);
}

ct_tensor *ct_sign(const ct_tensor *x) {
    if (!x) return NULL;
    if (x->dtype == CT_BOOL) return ct_clone(x);
    return record1(unary_forward(CT_UNARY_SIGN, x, x->dtype, 0), x, "SignBackward0", zeros_backward, false, false, 0);
}

ct_tensor *ct_abs(const ct_tensor *x) {
    if (!x) return NULL;
    return record1(unary_forward(CT_UNARY_ABS, x, x->dtype, 0), x, "AbsBackward0", abs_backward, true, false, 0);
}

ct_tensor *ct_pow_scalar(const ct_tensor *x, double p) {
    if (!x) return NULL;
    ct_dtype dtype = ct__result_type_scalar(x);
    return record1(unary_forward(CT_UNARY_POW, x, dtype, p), x, "PowBackward0", pow_backward, true, false, p);
}

/* square = pow(x, 2) with an integer exponent: integers keep their dtype,
 * bool becomes int64 */
ct_tensor *ct_square(const ct_tensor *x) {
    if (!x) return NULL;
    if (ct_dtype_is_floating_point(x->dtype)) return ct_pow_scalar(x, 2.0);
    return unary_forward(CT_UNARY_SQUARE, x, x->dtype == CT_BOOL ? CT_INT64 : x->dtype, 0);
}

/* floor/ceil/round/trunc: integers are returned as a copy */
#define CT_ROUNDING(NAME, KIND, NODE)                                                                          \
    ct_tensor *NAME(const ct_tensor *x) {                                                                     \
        if (!x) return NULL;                                                                                  \
        if (x->dtype != CT_BOOL && !ct_dtype_is_floating_point(x->dtype)) return ct_clone(x);                 \
        return record1(unary_forward(KIND, x, x->dtype, 0), x, NODE, zeros_backward, false, false, 0);        \
    }
CT_ROUNDING(ct_floor, CT_UNARY_FLOOR, "FloorBackward0")
CT_ROUNDING(ct_ceil, CT_UNARY_CEIL, "CeilBackward0")
CT_ROUNDING(ct_round, CT_UNARY_ROUND, "RoundBackward0")
CT_ROUNDING(ct_trunc, CT_UNARY_TRUNC, "TruncBackward0")

ct_tensor *ct_round_decimals(const ct_tensor *x, int64_t decimals) {
    if (!x) return NULL;
    uint64_t ad = decimals < 0 ? 0u - (uint64_t)decimals : (uint64_t)decimals;
    const double p[3] = {pow(10.0, (double)ad), decimals < 0 ? 1.0 : 0.0, 0};
    return record1(unary_forward3(CT_UNARY_ROUND_DECIMALS, x, x->dtype, p), x, "RoundBackward1", zeros_backward,
                   false, false, 0);
}

ct_tensor *ct_frac(const ct_tensor *x) {
    if (!x) return NULL;
    return record1(unary_forward(CT_UNARY_FRAC, x, x->dtype, 0), x, "FracBackward0", identity_backward, false, false,
                   0);
}

/* the dtype's largest finite value (numeric_limits<scalar_t>::max()) */
static double dtype_max(ct_dtype d) {
    switch (d) {
    case CT_FLOAT16: return 65504.0;
    case CT_BFLOAT16: return 3.3895313892515355e38;
    case CT_FLOAT32: return FLT_MAX;
    default: return DBL_MAX;
    }
}

ct_tensor *ct_nan_to_num(const ct_tensor *x, double nan, const double *posinf, const double *neginf) {
    if (!x) return NULL;
    if (!ct_dtype_is_floating_point(x->dtype)) return ct_clone(x);
    const double p[3] = {nan, posinf ? *posinf : dtype_max(x->dtype), neginf ? *neginf : -dtype_max(x->dtype)};
    return record1(unary_forward3(CT_UNARY_NAN_TO_NUM, x, x->dtype, p), x, "NanToNumBackward0",
                   nan_to_num_backward, true, false, 0);
}

/* ---- in-place forms: compute out of place, write back, take over history ---- */

static int inplace_check(ct_tensor *a) {
    if (!a) return CT_ERROR;
    return ct__check_inplace(a);
}

#define CT_INPLACE(NAME, CALL)                               \
    int NAME##_(ct_tensor *x) {                              \
        if (inplace_check(x) != CT_OK) return CT_ERROR;      \
        return ct__write_back(x, CALL);                          \
    }
#define CT_INPLACE1(NAME) CT_INPLACE(NAME, NAME(x))

CT_INPLACE1(ct_exp)
CT_INPLACE1(ct_log)
CT_INPLACE1(ct_sin)
CT_INPLACE1(ct_cos)
CT_INPLACE1(ct_tanh)
CT_INPLACE1(ct_sigmoid)
CT_INPLACE1(ct_sqrt)
CT_INPLACE1(ct_relu)
CT_INPLACE1(ct_sign)
CT_INPLACE1(ct_abs)
CT_INPLACE1(ct_reciprocal)
CT_INPLACE1(ct_rsqrt)
/* pow_(2) on bool: PyTorch's result-type check of the in-place pow */
CT_INPLACE(ct_square, x->dtype == CT_BOOL ? (ct__error("Found dtype Bool but expected Long"), NULL) : ct_square(x))
CT_INPLACE1(ct_exp2)
CT_INPLACE1(ct_expm1)
CT_INPLACE1(ct_log2)
CT_INPLACE1(ct_log10)
CT_INPLACE1(ct_log1p)
CT_INPLACE1(ct_tan)
CT_INPLACE1(ct_asin)
CT_INPLACE1(ct_acos)
CT_INPLACE1(ct_atan)
CT_INPLACE1(ct_sinh)
CT_INPLACE1(ct_cosh)
CT_INPLACE1(ct_asinh)
CT_INPLACE1(ct_acosh)
CT_INPLACE1(ct_atanh)
CT_INPLACE1(ct_logit)
CT_INPLACE1(ct_erf)
CT_INPLACE1(ct_erfc)
CT_INPLACE1(ct_erfinv)
CT_INPLACE1(ct_lgamma)
CT_INPLACE1(ct_digamma)
CT_INPLACE1(ct_floor)
CT_INPLACE1(ct_ceil)
CT_INPLACE1(ct_round)
CT_INPLACE1(ct_trunc)
CT_INPLACE1(ct_frac)

int ct_logit_eps_(ct_tensor *x, double eps) {
    if (inplace_check(x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, ct_logit_eps(x, eps));
}
int ct_polygamma_(ct_tensor *x, int64_t n) {
    if (inplace_check(x) != CT_OK) return CT_ERROR;
    ct_tensor *r = ct_polygamma(n, x);
    ct_node *node = r ? ct__grad_fn(r) : NULL;
    if (node) node->name = "PolygammaBackward1"; /* derivatives.yaml's entry for polygamma_ */
    return ct__write_back(x, r);
}
int ct_round_decimals_(ct_tensor *x, int64_t decimals) {
    if (inplace_check(x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, ct_round_decimals(x, decimals));
}
int ct_nan_to_num_(ct_tensor *x, double nan, const double *posinf, const double *neginf) {
    if (inplace_check(x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, ct_nan_to_num(x, nan, posinf, neginf));
}
