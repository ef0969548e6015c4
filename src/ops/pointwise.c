/* Unary pointwise math: exp, log, sin, cos, tanh, sigmoid, sqrt, relu,
 * sign, pow with a scalar exponent. Backward formulas as derivatives.yaml. */
#include <math.h>

#include "ops/op_util.h"

/* Run kind over x into a new tensor of dtype (x converted first). */
static ct_tensor *unary_forward(ct_unary_kind kind, const ct_tensor *x, ct_dtype dtype, double p) {
    ct_tensor *xc = ct__as_dtype(x, dtype);
    ct_tensor *out = xc ? ct__empty(dtype, x->ndim, x->sizes) : NULL;
    int rc = CT_ERROR;
    if (out) {
        ct_strided_iter it;
        const ct_tensor *ops[2] = {out, xc};
        rc = ct__iter_over(&it, 2, ops);
        if (rc == CT_OK) rc = ct__kernel_unary(kind, &it, dtype, p);
    }
    ct_free(xc);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* integers and bool compute in the default float dtype */
static ct_dtype float_dtype(const ct_tensor *x) {
    return ct_dtype_is_floating_point(x->dtype) ? x->dtype : ct_get_default_dtype();
}

/* Record node `name` on out with one input x; save x (slot 0) and/or out
 * (slot 1). Frees out and returns NULL on failure. */
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

/* ---- backward formulas (grad g[0] -> out[0]) ---- */

static int exp_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *r = ct__unpack(n, 1);
    out[0] = r ? ct_mul(g[0], r) : NULL;
    ct_free(r);
    return out[0] ? CT_OK : CT_ERROR;
}

static int log_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    out[0] = x ? ct_div(g[0], x) : NULL;
    ct_free(x);
    return out[0] ? CT_OK : CT_ERROR;
}

static int sin_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *c = ct_cos(x);
    out[0] = c ? ct_mul(g[0], c) : NULL;
    ct_free(x);
    ct_free(c);
    return out[0] ? CT_OK : CT_ERROR;
}

static int cos_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *s = ct_sin(x);
    ct_tensor *ns = ct_neg(s);
    out[0] = ns ? ct_mul(g[0], ns) : NULL;
    ct_free(x);
    ct_free(s);
    ct_free(ns);
    return out[0] ? CT_OK : CT_ERROR;
}

/* tanh_backward: g * (1 - y*y) */
static int tanh_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t[3] = {0};
    t[0] = ct_mul(y, y);
    t[1] = ct_neg(t[0]);
    t[2] = ct_add_scalar(t[1], 1.0);
    out[0] = t[2] ? ct_mul(g[0], t[2]) : NULL;
    ct_free(y);
    ct__free_all(3, t);
    return out[0] ? CT_OK : CT_ERROR;
}

/* sigmoid_backward: g * (1 - y) * y */
static int sigmoid_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *t[3] = {0};
    t[0] = ct_neg(y);
    t[1] = ct_add_scalar(t[0], 1.0);
    t[2] = ct_mul(g[0], t[1]);
    out[0] = t[2] ? ct_mul(t[2], y) : NULL;
    ct_free(y);
    ct__free_all(3, t);
    return out[0] ? CT_OK : CT_ERROR;
}

/* g / (2 * y) */
static int sqrt_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *d = ct_mul_scalar(y, 2.0);
    out[0] = d ? ct_div(g[0], d) : NULL;
    ct_free(y);
    ct_free(d);
    return out[0] ? CT_OK : CT_ERROR;
}

/* threshold_backward(g, y, 0): g where y > 0, else 0 — as g * sign(y),
 * since y = relu(x) >= 0 */
static int relu_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 1);
    ct_tensor *s = ct_sign(y);
    out[0] = s ? ct_mul(g[0], s) : NULL;
    ct_free(y);
    ct_free(s);
    return out[0] ? CT_OK : CT_ERROR;
}

/* pow_backward: exponent == 0 -> zeros; else g * (p * x^(p-1)) */
static int pow_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double p = n->scalars[0];
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    if (p == 0.0) {
        out[0] = ct_zeros_like(x, NULL);
    } else {
        ct_tensor *t = ct_pow_scalar(x, p - 1.0);
        ct_tensor *u = t ? ct_mul_scalar(t, p) : NULL;
        out[0] = u ? ct_mul(g[0], u) : NULL;
        ct_free(t);
        ct_free(u);
    }
    ct_free(x);
    return out[0] ? CT_OK : CT_ERROR;
}

static int sign_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    out[0] = ct_zeros_like(g[0], NULL);
    return out[0] ? CT_OK : CT_ERROR;
}

/* ---- public ops ---- */

#define CT_FLOAT_UNARY(NAME, KIND, NODE, FN, SAVE_X, SAVE_OUT)                                       \
    ct_tensor *NAME(const ct_tensor *x) {                                                           \
        if (!x) return NULL;                                                                        \
        return record1(unary_forward(KIND, x, float_dtype(x), 0), x, NODE, FN, SAVE_X, SAVE_OUT, 0); \
    }

CT_FLOAT_UNARY(ct_exp, CT_UNARY_EXP, "ExpBackward0", exp_backward, false, true)
CT_FLOAT_UNARY(ct_log, CT_UNARY_LOG, "LogBackward0", log_backward, true, false)
CT_FLOAT_UNARY(ct_sin, CT_UNARY_SIN, "SinBackward0", sin_backward, true, false)
CT_FLOAT_UNARY(ct_cos, CT_UNARY_COS, "CosBackward0", cos_backward, true, false)
CT_FLOAT_UNARY(ct_tanh, CT_UNARY_TANH, "TanhBackward0", tanh_backward, false, true)
CT_FLOAT_UNARY(ct_sigmoid, CT_UNARY_SIGMOID, "SigmoidBackward0", sigmoid_backward, false, true)
CT_FLOAT_UNARY(ct_sqrt, CT_UNARY_SQRT, "SqrtBackward0", sqrt_backward, false, true)

ct_tensor *ct_relu(const ct_tensor *x) {
    if (!x) return NULL;
    if (x->dtype == CT_BOOL) {
        ct__error("\"clamp_min_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    return record1(unary_forward(CT_UNARY_RELU, x, x->dtype, 0), x, "ReluBackward0", relu_backward, false, true, 0);
}

ct_tensor *ct_sign(const ct_tensor *x) {
    if (!x) return NULL;
    if (x->dtype == CT_BOOL) return ct_clone(x);
    return record1(unary_forward(CT_UNARY_SIGN, x, x->dtype, 0), x, "SignBackward0", sign_backward, false, false, 0);
}

ct_tensor *ct_pow_scalar(const ct_tensor *x, double p) {
    if (!x) return NULL;
    ct_dtype dtype = ct__result_type_scalar(x);
    return record1(unary_forward(CT_UNARY_POW, x, dtype, p), x, "PowBackward0", pow_backward, true, false, p);
}
