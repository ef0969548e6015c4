/* Binary pointwise math: div with rounding modes, floor_divide, remainder,
 * fmod, pow, atan2, hypot, maximum/minimum/fmax/fmin, clamp, lerp, where.
 * Forward, in-place forms and backward formulas (tools/autograd/
 * derivatives.yaml and FunctionsManual.cpp of PyTorch 1.13). */
#include <math.h>
#include <string.h>

#include "ops/arith_internal.h"

/* ---- helpers ---- */

/* A bool mask kind(a, b), broadcast, computed in float64 (exact for every
 * floating input); no autograd history. */
static ct_tensor *mask(ct_mask_kind kind, const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int ndim = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    ct_tensor *a64 = ct__to_dtype_copy(a, CT_FLOAT64);
    ct_tensor *b64 = ct__to_dtype_copy(b, CT_FLOAT64);
    ct_tensor *out = (a64 && b64) ? ct__empty(CT_BOOL, ndim, shape) : NULL;
    if (out) {
        ct_strided_iter it;
        const ct_tensor *ops[3] = {out, a64, b64};
        if (ct__iter_over(&it, 3, ops) == CT_OK) {
            ct__kernel_mask(kind, &it);
        } else {
            ct_free(out);
            out = NULL;
        }
    }
    ct_free(a64);
    ct_free(b64);
    return out;
}

static ct_tensor *mask_scalar(ct_mask_kind kind, const ct_tensor *a, double v) {
    ct_tensor *s = ct_scalar_tensor(v, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *m = s ? mask(kind, a, s) : NULL;
    ct_free(s);
    return m;
}

/* where(m, g, 0) (g_if_true) or where(m, 0, g); takes ownership of m */
static ct_tensor *route(ct_tensor *m, const ct_tensor *g, bool g_if_true) {
    if (!m || !g) {
        ct_free(m);
        return NULL;
    }
    ct_tensor *zero = ct_scalar_tensor(0.0, CT_OPTS(.dtype = g->dtype));
    ct_tensor *r = zero ? (g_if_true ? ct_where(m, g, zero) : ct_where(m, zero, g)) : NULL;
    ct_free(zero);
    ct_free(m);
    return r;
}

/* logical and / or of two bool masks (bool mul / add); takes ownership */
static ct_tensor *mask_and(ct_tensor *m1, ct_tensor *m2) {
    ct_tensor *r = (m1 && m2) ? ct_mul(m1, m2) : NULL;
    ct_free(m1);
    ct_free(m2);
    return r;
}
static ct_tensor *mask_or(ct_tensor *m1, ct_tensor *m2) {
    ct_tensor *r = (m1 && m2) ? ct_add(m1, m2) : NULL;
    ct_free(m1);
    ct_free(m2);
    return r;
}

/* *slot = full summed to (ndim, sizes); takes ownership of full */
static int put(ct_tensor **slot, ct_tensor *full, int ndim, const int64_t *sizes) {
    if (!full) return CT_ERROR;
    *slot = ct__sum_to(full, ndim, sizes);
    ct_free(full);
    return *slot ? CT_OK : CT_ERROR;
}
static int put_like(ct_tensor **slot, ct_tensor *full, const ct_tensor *like) {
    if (!like) {
        ct_free(full);
        return CT_ERROR;
    }
    return put(slot, full, like->ndim, like->sizes);
}
/* gradient slot i wanted? */
static bool wants(const ct_node *n, int i) { return i < n->num_next && n->next[i].fn != NULL; }
/* the shape of input i (0 or 1) kept by ct__keep_shapes */
static int put_input(ct_node *n, ct_tensor **out, int i, ct_tensor *full) {
    return put(&out[i], full, (int)n->ints[i], i ? n->shape_arg2 : n->shape_arg);
}

static ct_tensor *mul3(const ct_tensor *a, const ct_tensor *b, const ct_tensor *c) {
    ct_tensor *t = ct_mul(a, b);
    ct_tensor *r = t ? ct_mul(t, c) : NULL;
    ct_free(t);
    return r;
}

/* Record node `name` on out for inputs (a, b) (b may be NULL: a one-edge
 * node); save a / b / out in slots 0 / 1 / 2 as asked. Frees out on error. */
enum { SAVE_A = 1, SAVE_B = 2, SAVE_OUT = 4 };
static ct_node *record(ct_tensor **outp, const ct_tensor *a, const ct_tensor *b, const char *name, ct_backward_fn fn,
                       int save) {
    ct_tensor *out = *outp;
    const ct_tensor *in[2] = {a, b};
    int nin = b ? 2 : 1;
    if (!ct__any_requires_grad(nin, in)) return NULL;
    ct_node *n = ct__record(name, fn, out, nin, in);
    if (!n || ((save & SAVE_A) && ct__save(n, 0, a, false, 0) != CT_OK) ||
        ((save & SAVE_B) && ct__save(n, 1, b, false, 0) != CT_OK) ||
        ((save & SAVE_OUT) && ct__save(n, 2, out, true, 0) != CT_OK)) {
        ct_free(out);
        *outp = NULL;
        return NULL;
    }
    ct__keep_shapes(n, a, b);
    return n;
}

/* out = kind(a, s) for a scalar s wrapped in dtype */
static ct_tensor *scalar_forward(ct_binary_kind kind, const ct_tensor *a, double v, bool is_int, ct_dtype dtype,
                                 bool scalar_first) {
    ct_tensor *s = ct__arith_scalar(v, is_int, dtype);
    ct_tensor *out = s ? (scalar_first ? ct__binary_forward(kind, s, a, 1.0, dtype)
                                       : ct__binary_forward(kind, a, s, 1.0, dtype))
                       : NULL;
    ct_free(s);
    return out;
}

/* integers and bool give the default float dtype */
static ct_dtype floating(ct_dtype d) { return ct_dtype_is_floating_point(d) ? d : ct_get_default_dtype(); }

/* ---- backward formulas ---- */

/* DivBackward2 / DivBackward3 (rounded division): zero gradients */
static int zero_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < n->num_next && i < 2; i++) {
        if (!wants(n, i)) continue;
        out[i] = ct_zeros((int)n->ints[i], i ? n->shape_arg2 : n->shape_arg, CT_OPTS(.dtype = g[0]->dtype));
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

/* floor_divide has no derivative in PyTorch 1.13 */
static int not_implemented_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    (void)g;
    (void)out;
    ct__error("the derivative for 'floor_divide' is not implemented.");
    return CT_ERROR;
}

/* RemainderBackward0/1, FmodBackward0/1: a: grad; b: -grad * div(a, b, mode)
 * with mode in ints[2] */
static int remainder_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (wants(n, 0) && put_input(n, out, 0, ct__retain(g[0])) != CT_OK) return CT_ERROR;
    if (wants(n, 1)) {
        ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
        ct_tensor *q = (a && b) ? ct_div_mode(a, b, (ct_rounding_mode)n->ints[2]) : NULL;
        ct_tensor *ng = q ? ct_neg(g[0]) : NULL;
        ct_tensor *r = ng ? ct_mul(ng, q) : NULL;
        ct_free(a);
        ct_free(b);
        ct_free(q);
        ct_free(ng);
        if (put_input(n, out, 1, r) != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

/* PowBackward1: a ** b.
 * a: where(b == 0, 0, grad * (b * a.pow(b - 1)))
 * b: grad * where(a == 0 & b >= 0, 0, result * log(a)) */
static int pow_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
    int rc = (a && b) ? CT_OK : CT_ERROR;
    if (rc == CT_OK && wants(n, 0)) {
        ct_tensor *t[3] = {0};
        t[0] = ct_sub_scalar_int(b, 1);
        t[1] = t[0] ? ct_pow(a, t[0]) : NULL;
        t[2] = t[1] ? ct_mul(b, t[1]) : NULL;
        ct_tensor *gt = t[2] ? ct_mul(g[0], t[2]) : NULL;
        ct__free_all(3, t);
        ct_tensor *r = gt ? route(mask_scalar(CT_MASK_EQ, b, 0.0), gt, false) : NULL;
        ct_free(gt);
        rc = put_like(&out[0], r, a);
    }
    if (rc == CT_OK && wants(n, 1)) {
        ct_tensor *res = ct__unpack(n, 2);
        ct_tensor *t[3] = {0};
        /* 1.13 takes log of a as it is (an integer base: in the default float dtype) */
        t[0] = res ? ct__retain(a) : NULL;
        t[1] = t[0] ? ct_log(t[0]) : NULL;
        t[2] = t[1] ? ct_mul(res, t[1]) : NULL;
        ct_tensor *m = t[2] ? mask_and(mask_scalar(CT_MASK_EQ, a, 0.0), mask_scalar(CT_MASK_GE, b, 0.0)) : NULL;
        ct_tensor *w = m ? route(m, t[2], false) : NULL;
        ct_tensor *r = w ? ct_mul(g[0], w) : NULL;
        ct_free(res);
        ct_free(w);
        ct__free_all(3, t);
        rc = put_like(&out[1], r, b);
    }
    ct_free(a);
    ct_free(b);
    return rc;
}

/* PowBackward2: base ** b for a scalar base (scalars[0]):
 * grad * (result * log(base)), zero where b >= 0 when base == 0 */
static int pow_scalar_base_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double base = n->scalars[0];
    ct_tensor *res = ct__unpack(n, 2);
    ct_tensor *t = res ? ct_mul_scalar(res, log(base)) : NULL;
    ct_tensor *w = t;
    if (t && base == 0.0) {
        ct_tensor *b = ct__unpack(n, 0);
        w = b ? route(mask_scalar(CT_MASK_GE, b, 0.0), t, false) : NULL;
        ct_free(b);
        ct_free(t);
    }
    ct_tensor *r = w ? ct_mul(g[0], w) : NULL;
    ct_free(res);
    ct_free(w);
    return put_input(n, out, 0, r);
}

/* Atan2Backward0: recip = 1 / (a*a + b*b); a: grad * b * recip; b: grad * -a * recip */
static int atan2_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
    ct_tensor *t[4] = {0};
    int rc = CT_ERROR;
    if (a && b) {
        t[0] = ct_mul(a, a);
        t[1] = ct_mul(b, b);
        t[2] = (t[0] && t[1]) ? ct_add(t[0], t[1]) : NULL;
        t[3] = t[2] ? ct_pow_scalar(t[2], -1.0) : NULL;
        rc = t[3] ? CT_OK : CT_ERROR;
    }
    if (rc == CT_OK && wants(n, 0)) rc = put_input(n, out, 0, mul3(g[0], b, t[3]));
    if (rc == CT_OK && wants(n, 1)) {
        ct_tensor *na = ct_neg(a);
        rc = put_input(n, out, 1, na ? mul3(g[0], na, t[3]) : NULL);
        ct_free(na);
    }
    ct__free_all(4, t);
    ct_free(a);
    ct_free(b);
    return rc;
}

/* HypotBackward0: a: grad * a / result; b: grad * b / result */
static int hypot_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *res = ct__unpack(n, 2);
    int rc = res ? CT_OK : CT_ERROR;
    for (int i = 0; i < 2 && rc == CT_OK; i++) {
        if (!wants(n, i)) continue;
        ct_tensor *x = ct__unpack(n, i);
        ct_tensor *p = x ? ct_mul(g[0], x) : NULL;
        ct_tensor *q = p ? ct_div(p, res) : NULL;
        ct_free(x);
        ct_free(p);
        rc = put_input(n, out, i, q);
    }
    ct_free(res);
    return rc;
}

/* MaximumBackward0 (ints[2] = 1) / MinimumBackward0 (ints[2] = 0):
 * t = where(a == b, grad / 2, grad); a: t masked where a loses; b: likewise */
static int maxmin_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    bool is_max = n->ints[2] != 0;
    ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
    ct_tensor *half = ct_div_scalar(g[0], 2.0);
    ct_tensor *eq = (a && b && half) ? mask(CT_MASK_EQ, a, b) : NULL;
    ct_tensor *t = eq ? ct_where(eq, half, g[0]) : NULL;
    int rc = t ? CT_OK : CT_ERROR;
    if (rc == CT_OK && wants(n, 0))
        rc = put_input(n, out, 0, route(mask(is_max ? CT_MASK_LT : CT_MASK_GT, a, b), t, false));
    if (rc == CT_OK && wants(n, 1))
        rc = put_input(n, out, 1, route(mask(is_max ? CT_MASK_GT : CT_MASK_LT, a, b), t, false));
    ct_free(a);
    ct_free(b);
    ct_free(half);
    ct_free(eq);
    ct_free(t);
    return rc;
}

/* FmaxBackward0 / FminBackward0: m = (a >= b) | isnan(b) (<= for fmin);
 * a: grad where m; b: grad where !m */
static int fmaxmin_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_mask_kind k = n->ints[2] ? CT_MASK_GE_OR_B_NAN : CT_MASK_LE_OR_B_NAN;
    ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
    int rc = (a && b) ? CT_OK : CT_ERROR;
    if (rc == CT_OK && wants(n, 0)) rc = put_input(n, out, 0, route(mask(k, a, b), g[0], true));
    if (rc == CT_OK && wants(n, 1)) rc = put_input(n, out, 1, route(mask(k, a, b), g[0], false));
    ct_free(a);
    ct_free(b);
    return rc;
}

/* ---- division with rounding, floor_divide, remainder, fmod ---- */

static bool check_mode(ct_rounding_mode mode) {
    if (mode == CT_ROUND_NONE || mode == CT_ROUND_TRUNC || mode == CT_ROUND_FLOOR) return true;
    ct__error("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%d'", (int)mode);
    return false;
}

ct_tensor *ct_div_mode(const ct_tensor *a, const ct_tensor *b, ct_rounding_mode mode) {
    if (!a || !b || !check_mode(mode)) return NULL;
    if (mode == CT_ROUND_NONE) return ct_div(a, b);
    ct_tensor *out = ct__binary_forward(mode == CT_ROUND_TRUNC ? CT_BINARY_DIV_TRUNC : CT_BINARY_DIV_FLOOR, a, b, 1.0,
                                        ct_result_type(a, b));
    if (out) record(&out, a, b, "DivBackward2", zero_backward, 0);
    return out;
}

static ct_tensor *div_scalar_mode_impl(const ct_tensor *a, double v, bool is_int, ct_rounding_mode mode) {
    if (!a || !check_mode(mode)) return NULL;
    if (mode == CT_ROUND_NONE) return ct_div_scalar(a, v);
    ct_tensor *out = scalar_forward(mode == CT_ROUND_TRUNC ? CT_BINARY_DIV_TRUNC : CT_BINARY_DIV_FLOOR, a, v, is_int,
                                    ct__result_type_scalar_kind(a, is_int), false);
    if (out) record(&out, a, NULL, "DivBackward2", zero_backward, 0);
    return out;
}
ct_tensor *ct_div_scalar_mode(const ct_tensor *a, double b, ct_rounding_mode mode) {
    return div_scalar_mode_impl(a, b, false, mode);
}
ct_tensor *ct_div_scalar_mode_int(const ct_tensor *a, int64_t b, ct_rounding_mode mode) {
    return div_scalar_mode_impl(a, (double)b, true, mode);
}

ct_tensor *ct_true_divide(const ct_tensor *a, const ct_tensor *b) { return ct_div(a, b); }
ct_tensor *ct_true_divide_scalar(const ct_tensor *a, double b) { return ct_div_scalar(a, b); }

ct_tensor *ct_floor_divide(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_DIV_FLOOR, a, b, 1.0, ct_result_type(a, b));
    if (out) record(&out, a, b, "NotImplemented", not_implemented_backward, 0);
    return out;
}
static ct_tensor *floor_divide_scalar_impl(const ct_tensor *a, double v, bool is_int) {
    if (!a) return NULL;
    ct_tensor *out = scalar_forward(CT_BINARY_DIV_FLOOR, a, v, is_int, ct__result_type_scalar_kind(a, is_int), false);
    if (out) record(&out, a, NULL, "NotImplemented", not_implemented_backward, 0);
    return out;
}
ct_tensor *ct_floor_divide_scalar(const ct_tensor *a, double b) { return floor_divide_scalar_impl(a, b, false); }
ct_tensor *ct_floor_divide_scalar_int(const ct_tensor *a, int64_t b) {
    return floor_divide_scalar_impl(a, (double)b, true);
}

static ct_tensor *remainder_impl(ct_binary_kind kind, const ct_tensor *a, const ct_tensor *b, const char *name) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(kind, a, b, 1.0, ct_result_type(a, b));
    if (!out) return NULL;
    ct_node *n = record(&out, a, b, name, remainder_backward, SAVE_A | SAVE_B);
    if (n) n->ints[2] = kind == CT_BINARY_REMAINDER ? CT_ROUND_FLOOR : CT_ROUND_TRUNC;
    return out;
}
static ct_tensor *remainder_scalar_impl(ct_binary_kind kind, const ct_tensor *a, double v, bool is_int,
                                        const char *name) {
    if (!a) return NULL;
    ct_tensor *out = scalar_forward(kind, a, v, is_int, ct__result_type_scalar_kind(a, is_int), false);
    if (out) record(&out, a, NULL, name, remainder_backward, 0);
    return out;
}
ct_tensor *ct_remainder(const ct_tensor *a, const ct_tensor *b) {
    return remainder_impl(CT_BINARY_REMAINDER, a, b, "RemainderBackward1");
}
ct_tensor *ct_remainder_scalar(const ct_tensor *a, double b) {
    return remainder_scalar_impl(CT_BINARY_REMAINDER, a, b, false, "RemainderBackward0");
}
ct_tensor *ct_remainder_scalar_int(const ct_tensor *a, int64_t b) {
    return remainder_scalar_impl(CT_BINARY_REMAINDER, a, (double)b, true, "RemainderBackward0");
}
ct_tensor *ct_fmod(const ct_tensor *a, const ct_tensor *b) { return remainder_impl(CT_BINARY_FMOD, a, b, "FmodBackward1"); }
ct_tensor *ct_fmod_scalar(const ct_tensor *a, double b) {
    return remainder_scalar_impl(CT_BINARY_FMOD, a, b, false, "FmodBackward0");
}
ct_tensor *ct_fmod_scalar_int(const ct_tensor *a, int64_t b) {
    return remainder_scalar_impl(CT_BINARY_FMOD, a, (double)b, true, "FmodBackward0");
}

/* ---- pow ---- */

ct_tensor *ct_pow(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_POW, a, b, 1.0, ct_result_type(a, b));
    if (out) record(&out, a, b, "PowBackward1", pow_backward, SAVE_A | SAVE_B | SAVE_OUT);
    return out;
}

ct_tensor *ct_pow_scalar_int(const ct_tensor *a, int64_t e) {
    if (!a) return NULL;
    if (ct_dtype_is_floating_point(a->dtype)) return ct_pow_scalar(a, (double)e);
    if (e < 0) {
        ct__error("Integers to negative integer powers are not allowed.");
        return NULL;
    }
    return scalar_forward(CT_BINARY_POW, a, (double)e, true, ct__result_type_scalar_kind(a, true), false);
}

static ct_tensor *pow_scalar_base_impl(double base, bool is_int, const ct_tensor *e) {
    if (!e) return NULL;
    ct_tensor *out = scalar_forward(CT_BINARY_POW, e, base, is_int, ct__result_type_scalar_kind(e, is_int), true);
    if (!out) return NULL;
    ct_node *n = record(&out, e, NULL, "PowBackward2", pow_scalar_base_backward, SAVE_A | SAVE_OUT);
    if (n) n->scalars[0] = base;
    return out;
}
ct_tensor *ct_pow_scalar_base(double base, const ct_tensor *e) { return pow_scalar_base_impl(base, false, e); }
ct_tensor *ct_pow_scalar_base_int(int64_t base, const ct_tensor *e) {
    return pow_scalar_base_impl((double)base, true, e);
}

/* ---- atan2, hypot ---- */

ct_tensor *ct_atan2(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_ATAN2, a, b, 1.0, floating(ct_result_type(a, b)));
    if (out) record(&out, a, b, "Atan2Backward0", atan2_backward, SAVE_A | SAVE_B);
    return out;
}

ct_tensor *ct_hypot(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_HYPOT, a, b, 1.0, ct_result_type(a, b));
    if (out) record(&out, a, b, "HypotBackward0", hypot_backward, SAVE_A | SAVE_B | SAVE_OUT);
    return out;
}

/* ---- maximum, minimum, fmax, fmin ---- */

static ct_tensor *maxmin_impl(ct_binary_kind kind, const ct_tensor *a, const ct_tensor *b, const char *name,
                              ct_backward_fn fn, bool is_max) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(kind, a, b, 1.0, ct_result_type(a, b));
    if (!out) return NULL;
    ct_node *n = record(&out, a, b, name, fn, SAVE_A | SAVE_B);
    if (n) n->ints[2] = is_max;
    return out;
}
ct_tensor *ct_maximum(const ct_tensor *a, const ct_tensor *b) {
    return maxmin_impl(CT_BINARY_MAXIMUM, a, b, "MaximumBackward0", maxmin_backward, true);
}
ct_tensor *ct_minimum(const ct_tensor *a, const ct_tensor *b) {
    return maxmin_impl(CT_BINARY_MINIMUM, a, b, "MinimumBackward0", maxmin_backward, false);
}
ct_tensor *ct_fmax(const ct_tensor *a, const ct_tensor *b) {
    return maxmin_impl(CT_BINARY_FMAX, a, b, "FmaxBackward0", fmaxmin_backward, true);
}
ct_tensor *ct_fmin(const ct_tensor *a, const ct_tensor *b) {
    return maxmin_impl(CT_BINARY_FMIN, a, b, "FminBackward0", fmaxmin_backward, false);
}

/* ---- clamp ---- */

/* ClampBackward1 / ClampMinBackward0 / ClampMaxBackward0 (scalar bounds):
 * grad where x >= min (ints[2]) and x <= max (ints[3]); scalars[0..1] */
static int clamp_scalar_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    ct_tensor *m = NULL;
    if (n->ints[2] && n->ints[3])
        m = mask_and(mask_scalar(CT_MASK_GE, x, n->scalars[0]), mask_scalar(CT_MASK_LE, x, n->scalars[1]));
    else if (n->ints[2])
        m = mask_scalar(CT_MASK_GE, x, n->scalars[0]);
    else
        m = mask_scalar(CT_MASK_LE, x, n->scalars[1]);
    ct_tensor *r = route(m, g[0], true);
    int rc = put_like(&out[0], r, x);
    ct_free(x);
    return rc;
}

static ct_tensor *clamp_scalar_impl(const ct_tensor *x, bool has_lo, double lo, bool has_hi, double hi, bool is_int,
                                    bool nan_fills, const char *name) {
    if (!x) return NULL;
    if (!has_lo && !has_hi) {
        ct__error("torch.clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    ct_dtype dtype = ct__result_type_scalar_kind(x, is_int);
    ct_tensor *xc = ct__as_dtype(x, dtype);
    ct_tensor *out = xc ? ct__empty(dtype, x->ndim, x->sizes) : NULL;
    int rc = out ? CT_OK : CT_ERROR;
    if (rc == CT_OK && nan_fills && ((has_lo && isnan(lo)) || (has_hi && isnan(hi)))) {
        rc = ct__fill_(out, NAN);
    } else if (rc == CT_OK) {
        ct_strided_iter it;
        const ct_tensor *ops[2] = {out, xc};
        rc = ct__iter_over(&it, 2, ops);
        if (rc == CT_OK) rc = ct__kernel_clamp_scalar(&it, dtype, has_lo, lo, has_hi, hi);
    }
    ct_free(xc);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    ct_node *n = record(&out, x, NULL, name, clamp_scalar_backward, SAVE_A);
    if (n) {
        n->scalars[0] = lo;
        n->scalars[1] = hi;
        n->ints[2] = has_lo;
        n->ints[3] = has_hi;
    }
    return out;
}

ct_tensor *ct_clamp(const ct_tensor *x, const double *min, const double *max) {
    /* one bound: PyTorch's clamp ignores a NaN bound; two: NaN fills */
    return clamp_scalar_impl(x, min != NULL, min ? *min : 0, max != NULL, max ? *max : 0, false, min && max,
                             "ClampBackward1");
}
ct_tensor *ct_clamp_int(const ct_tensor *x, const int64_t *min, const int64_t *max) {
    return clamp_scalar_impl(x, min != NULL, min ? (double)*min : 0, max != NULL, max ? (double)*max : 0, true, false,
                             "ClampBackward1");
}
ct_tensor *ct_clamp_min(const ct_tensor *x, double min) {
    return clamp_scalar_impl(x, true, min, false, 0, false, true, "ClampMinBackward0");
}
ct_tensor *ct_clamp_max(const ct_tensor *x, double max) {
    return clamp_scalar_impl(x, false, 0, true, max, false, true, "ClampMaxBackward0");
}

/* torch.result_type over up to three tensors (NULLs skipped): dimensioned
 * tensors, then 0-dim ones, combined by category */
static int category(ct_dtype d) { return d == CT_BOOL ? 0 : ct_dtype_is_floating_point(d) ? 2 : 1; }
static ct_dtype result_type3(const ct_tensor *a, const ct_tensor *b, const ct_tensor *c) {
    ct_dtype dim = CT_DTYPE_DEFAULT, zero = CT_DTYPE_DEFAULT;
    const ct_tensor *ts[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (!ts[i]) continue;
        ct_dtype *slot = ts[i]->ndim > 0 ? &dim : &zero;
        *slot = *slot == CT_DTYPE_DEFAULT ? ts[i]->dtype : ct_promote_types(*slot, ts[i]->dtype);
    }
    if (dim == CT_DTYPE_DEFAULT) return zero;
    if (zero == CT_DTYPE_DEFAULT) return dim;
    return category(zero) > category(dim) ? ct_promote_types(dim, zero) : dim;
}

/* ClampBackward0 (tensor bounds). Saved: x (0), min (1), max (2) as given;
 * ints[2] / ints[3]: min / max given; edges: x, then the given bounds. */
static int clamp_tensor_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    bool has_lo = n->ints[2] != 0, has_hi = n->ints[3] != 0;
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *lo = has_lo ? ct__unpack(n, 1) : NULL;
    ct_tensor *hi = has_hi ? ct__unpack(n, 2) : NULL;
    int rc = (x && (!has_lo || lo) && (!has_hi || hi)) ? CT_OK : CT_ERROR;
    int lo_edge = 1, hi_edge = has_lo ? 2 : 1;
    if (rc == CT_OK && wants(n, 0)) {
        ct_tensor *m = has_lo && has_hi ? mask_and(mask(CT_MASK_GE, x, lo), mask(CT_MASK_LE, x, hi))
                       : has_lo         ? mask(CT_MASK_GE, x, lo)
                                        : mask(CT_MASK_LE, x, hi);
        rc = put_like(&out[0], route(m, g[0], true), x);
    }
    if (rc == CT_OK && has_lo && wants(n, lo_edge)) {
        ct_tensor *m = has_hi ? mask_and(mask(CT_MASK_LT, x, lo), mask(CT_MASK_LT, lo, hi)) : mask(CT_MASK_LT, x, lo);
        rc = put_like(&out[lo_edge], route(m, g[0], true), lo);
    }
    if (rc == CT_OK && has_hi && wants(n, hi_edge)) {
        ct_tensor *m = has_lo ? mask_or(mask(CT_MASK_GT, x, hi), mask(CT_MASK_LT, hi, lo)) : mask(CT_MASK_GT, x, hi);
        rc = put_like(&out[hi_edge], route(m, g[0], true), hi);
    }
    ct_free(x);
    ct_free(lo);
    ct_free(hi);
    return rc;
}

static ct_tensor *clamp_tensor_impl(const ct_tensor *x, const ct_tensor *lo, const ct_tensor *hi, const char *name) {
    if (!lo && !hi) {
        ct__error("torch.clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    ct_dtype dtype = result_type3(x, lo, hi);
    ct_tensor *out = NULL;
    if (!lo || !hi) {
        out = ct__binary_forward(lo ? CT_BINARY_MAXIMUM : CT_BINARY_MINIMUM, x, lo ? lo : hi, 1.0, dtype);
    } else {
        int64_t s1[CT_MAX_DIMS], s2[CT_MAX_DIMS];
        int nd = ct_broadcast_shapes(x->ndim, x->sizes, lo->ndim, lo->sizes, s1);
        if (nd >= 0) nd = ct_broadcast_shapes(nd, s1, hi->ndim, hi->sizes, s2);
        if (nd < 0) return NULL;
        ct_tensor *c[3] = {ct__as_dtype(x, dtype), ct__as_dtype(lo, dtype), ct__as_dtype(hi, dtype)};
        out = (c[0] && c[1] && c[2]) ? ct__empty(dtype, nd, s2) : NULL;
        if (out) {
            ct_strided_iter it;
            const ct_tensor *ops[4] = {out, c[0], c[1], c[2]};
            if (ct__iter_over(&it, 4, ops) != CT_OK || ct__kernel_ternary(CT_TERNARY_CLAMP, &it, dtype) != CT_OK) {
                ct_free(out);
                out = NULL;
            }
        }
        ct__free_all(3, c);
    }
    if (!out) return NULL;
    const ct_tensor *in[3];
    int nin = 0;
    in[nin++] = x;
    if (lo) in[nin++] = lo;
    if (hi) in[nin++] = hi;
    if (!ct__any_requires_grad(nin, in)) return out;
    ct_node *n = ct__record(name, clamp_tensor_backward, out, nin, in);
    if (!n || ct__save(n, 0, x, false, 0) != CT_OK || (lo && ct__save(n, 1, lo, false, 0) != CT_OK) ||
        (hi && ct__save(n, 2, hi, false, 0) != CT_OK)) {
        ct_free(out);
        return NULL;
    }
    n->ints[2] = lo != NULL;
    n->ints[3] = hi != NULL;
    return out;
}

ct_tensor *ct_clamp_tensor(const ct_tensor *x, const ct_tensor *min, const ct_tensor *max) {
    if (!x) return NULL;
    return clamp_tensor_impl(x, min, max, "ClampBackward0");
}
ct_tensor *ct_clamp_min_tensor(const ct_tensor *x, const ct_tensor *min) {
    if (!x || !min) return NULL;
    return clamp_tensor_impl(x, min, NULL, "ClampMinBackward1");
}
ct_tensor *ct_clamp_max_tensor(const ct_tensor *x, const ct_tensor *max) {
    if (!x || !max) return NULL;
    return clamp_tensor_impl(x, NULL, max, "ClampMaxBackward1");
}

/* ---- lerp ---- */

/* caffe2::TypeMeta names, as in lerp's dtype messages */
static const char *type_meta_name(ct_dtype d) {
    switch (d) {
    case CT_BOOL: return "bool";
    case CT_UINT8: return "unsigned char";
    case CT_INT8: return "signed char";
    case CT_INT16: return "short int";
    case CT_INT32: return "int";
    case CT_INT64: return "long int";
    case CT_FLOAT16: return "c10::Half";
    case CT_BFLOAT16: return "c10::BFloat16";
    case CT_FLOAT32: return "float";
    case CT_FLOAT64: return "double";
    default: return "unknown";
    }
}

static bool lerp_dtype_ok(const ct_tensor *a, const ct_tensor *t, const char *what) {
    if (t->dtype == a->dtype) return true;
    ct__error("expected dtype %s for `%s` but got dtype %s", type_meta_name(a->dtype), what, type_meta_name(t->dtype));
    return false;
}

/* LerpBackward0: a: grad * (1 - w); end: grad * w (w = scalars[0]) */
static int lerp_scalar_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double w = n->scalars[0];
    if (wants(n, 0) && put_input(n, out, 0, ct_mul_scalar(g[0], 1.0 - w)) != CT_OK) return CT_ERROR;
    if (wants(n, 1) && put_input(n, out, 1, ct_mul_scalar(g[0], w)) != CT_OK) return CT_ERROR;
    return CT_OK;
}

ct_tensor *ct_lerp(const ct_tensor *a, const ct_tensor *end, double weight) {
    if (!a || !end || !lerp_dtype_ok(a, end, "end")) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(a->ndim, a->sizes, end->ndim, end->sizes, shape);
    if (nd < 0) return NULL;
    ct_tensor *out = ct__empty(a->dtype, nd, shape);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[3] = {out, a, end};
    if (ct__iter_over(&it, 3, ops) != CT_OK || ct__kernel_lerp_scalar(&it, a->dtype, weight) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    ct_node *n = record(&out, a, end, "LerpBackward0", lerp_scalar_backward, 0);
    if (n) n->scalars[0] = weight;
    return out;
}

/* LerpBackward1: a: grad * (1 - w); end: grad * w; w: grad * (end - a) */
static int lerp_tensor_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *a = ct__unpack(n, 0), *end = ct__unpack(n, 1), *w = ct__unpack(n, 2);
    int rc = (a && end && w) ? CT_OK : CT_ERROR;
    if (rc == CT_OK && wants(n, 0)) {
        ct_tensor *omw = ct_rsub_scalar(w, 1.0);
        rc = put_like(&out[0], omw ? ct_mul(g[0], omw) : NULL, a);
        ct_free(omw);
    }
    if (rc == CT_OK && wants(n, 1)) rc = put_like(&out[1], ct_mul(g[0], w), end);
    if (rc == CT_OK && wants(n, 2)) {
        ct_tensor *d = ct_sub(end, a);
        rc = put_like(&out[2], d ? ct_mul(g[0], d) : NULL, w);
        ct_free(d);
    }
    ct_free(a);
    ct_free(end);
    ct_free(w);
    return rc;
}

ct_tensor *ct_lerp_tensor(const ct_tensor *a, const ct_tensor *end, const ct_tensor *weight) {
    if (!a || !end || !weight || !lerp_dtype_ok(a, end, "end") || !lerp_dtype_ok(a, weight, "weight")) return NULL;
    int64_t s1[CT_MAX_DIMS], s2[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(a->ndim, a->sizes, end->ndim, end->sizes, s1);
    if (nd >= 0) nd = ct_broadcast_shapes(nd, s1, weight->ndim, weight->sizes, s2);
    if (nd < 0) return NULL;
    ct_tensor *out = ct__empty(a->dtype, nd, s2);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[4] = {out, a, end, weight};
    if (ct__iter_over(&it, 4, ops) != CT_OK || ct__kernel_ternary(CT_TERNARY_LERP, &it, a->dtype) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[3] = {a, end, weight};
    if (!ct__any_requires_grad(3, in)) return out;
    ct_node *n = ct__record("LerpBackward1", lerp_tensor_backward, out, 3, in);
    if (!n || ct__save(n, 0, a, false, 0) != CT_OK || ct__save(n, 1, end, false, 0) != CT_OK ||
        ct__save(n, 2, weight, false, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- where ---- */

/* WhereBackward0: a: where(cond, grad, 0); b: where(cond, 0, grad).
 * Saved: cond (slot 0, as bool). */
static int where_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < 2; i++) {
        if (!wants(n, i)) continue;
        ct_tensor *c = ct__unpack(n, 0);
        if (put_input(n, out, i, route(c, g[0], i == 0)) != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

static ct_tensor *where_impl(const ct_tensor *cond, const ct_tensor *a, const ct_tensor *b, ct_dtype dtype) {
    if (cond->dtype != CT_BOOL && cond->dtype != CT_UINT8) {
        ct__error("where expected condition to be a boolean tensor, but got a tensor with dtype %s",
                  ct__traits(cond->dtype)->scalar_name);
        return NULL;
    }
    int64_t s1[CT_MAX_DIMS], s2[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(cond->ndim, cond->sizes, a->ndim, a->sizes, s1);
    if (nd >= 0) nd = ct_broadcast_shapes(nd, s1, b->ndim, b->sizes, s2);
    if (nd < 0) return NULL;
    if (cond->dtype == CT_UINT8)
        ct__warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                 "future version of PyTorch. Use a boolean condition instead.");
    ct_tensor *c[3] = {ct__as_dtype(cond, CT_BOOL), ct__as_dtype(a, dtype), ct__as_dtype(b, dtype)};
    ct_tensor *out = (c[0] && c[1] && c[2]) ? ct__empty(dtype, nd, s2) : NULL;
    if (out) {
        ct_strided_iter it;
        const ct_tensor *ops[4] = {out, c[0], c[1], c[2]};
        if (ct__iter_over(&it, 4, ops) != CT_OK || ct__kernel_ternary(CT_TERNARY_WHERE, &it, dtype) != CT_OK) {
            ct_free(out);
            out = NULL;
        }
    }
    if (out) {
        const ct_tensor *in[2] = {a, b};
        if (ct__any_requires_grad(2, in)) {
            ct_node *n = ct__record("WhereBackward0", where_backward, out, 2, in);
            if (!n || ct__save(n, 0, c[0], false, 0) != CT_OK) {
                ct_free(out);
                out = NULL;
            } else {
                ct__keep_shapes(n, a, b);
            }
        }
    }
    ct__free_all(3, c);
    return out;
}

ct_tensor *ct_where(const ct_tensor *cond, const ct_tensor *a, const ct_tensor *b) {
    if (!cond || !a || !b) return NULL;
    return where_impl(cond, a, b, ct_result_type(a, b));
}

ct_tensor *ct_where_scalar_other(const ct_tensor *cond, const ct_tensor *a, double b) {
    if (!cond || !a) return NULL;
    ct_dtype dtype = ct__result_type_scalar(a);
    ct_tensor *s = ct__arith_scalar(b, false, dtype);
    ct_tensor *out = s ? where_impl(cond, a, s, dtype) : NULL;
    ct_free(s);
    return out;
}

ct_tensor *ct_where_scalar_self(const ct_tensor *cond, double a, const ct_tensor *b) {
    if (!cond || !b) return NULL;
    ct_dtype dtype = ct__result_type_scalar(b);
    ct_tensor *s = ct__arith_scalar(a, false, dtype);
    ct_tensor *out = s ? where_impl(cond, s, b, dtype) : NULL;
    ct_free(s);
    return out;
}

ct_tensor *ct_where_scalar(const ct_tensor *cond, double a, double b) {
    if (!cond) return NULL;
    ct_dtype dtype = ct_get_default_dtype();
    ct_tensor *sa = ct__arith_scalar(a, false, dtype);
    ct_tensor *sb = ct__arith_scalar(b, false, dtype);
    ct_tensor *out = (sa && sb) ? where_impl(cond, sa, sb, dtype) : NULL;
    ct_free(sa);
    ct_free(sb);
    return out;
}

/* ---- in-place forms ---- */

#define INPLACE2(NAME, CALL)                                           \
    int NAME(ct_tensor *a, const ct_tensor *b) {                       \
        if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;         \
        return ct__write_back(a, CALL);                                \
    }
#define INPLACE_S(NAME, T, CALL)                                       \
    int NAME(ct_tensor *a, T b) {                                      \
        if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;         \
        return ct__write_back(a, CALL);                                \
    }

INPLACE2(ct_true_divide_, ct_div(a, b))
INPLACE2(ct_floor_divide_, ct_floor_divide(a, b))
INPLACE2(ct_remainder_, ct_remainder(a, b))
INPLACE2(ct_fmod_, ct_fmod(a, b))
INPLACE2(ct_pow_, ct_pow(a, b))
INPLACE2(ct_atan2_, ct_atan2(a, b))
INPLACE2(ct_hypot_, ct_hypot(a, b))
INPLACE2(ct_clamp_min_tensor_, ct_clamp_min_tensor(a, b))
INPLACE2(ct_clamp_max_tensor_, ct_clamp_max_tensor(a, b))
INPLACE_S(ct_floor_divide_scalar_, double, ct_floor_divide_scalar(a, b))
INPLACE_S(ct_remainder_scalar_, double, ct_remainder_scalar(a, b))
INPLACE_S(ct_fmod_scalar_, double, ct_fmod_scalar(a, b))
INPLACE_S(ct_pow_scalar_int_, int64_t, ct_pow_scalar_int(a, b))
INPLACE_S(ct_clamp_min_, double, ct_clamp_min(a, b))
INPLACE_S(ct_clamp_max_, double, ct_clamp_max(a, b))

int ct_div_mode_(ct_tensor *a, const ct_tensor *b, ct_rounding_mode mode) {
    if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_div_mode(a, b, mode));
}
int ct_div_scalar_mode_(ct_tensor *a, double b, ct_rounding_mode mode) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_div_scalar_mode(a, b, mode));
}
int ct_pow_scalar_(ct_tensor *a, double b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    if (!ct_dtype_is_floating_point(a->dtype)) { /* PyTorch checks this one before computing */
        ct__error("Found dtype %s but expected %s", ct__traits(a->dtype)->scalar_name,
                  ct__traits(ct__result_type_scalar(a))->scalar_name);
        return CT_ERROR;
    }
    return ct__write_back(a, ct_pow_scalar(a, b));
}
int ct_clamp_(ct_tensor *x, const double *min, const double *max) {
    if (ct__inplace_check(x, x) != CT_OK) return CT_ERROR;
    if (!ct_dtype_is_floating_point(x->dtype) && (min || max)) { /* clamp_'s own check, with TypeMeta names */
        ct__error("result type %s can't be cast to the desired output type %s",
                  ct__traits(ct__result_type_scalar(x))->scalar_name, type_meta_name(x->dtype));
        return CT_ERROR;
    }
    return ct__write_back(x, ct_clamp(x, min, max));
}
int ct_clamp_tensor_(ct_tensor *x, const ct_tensor *min, const ct_tensor *max) {
    if (ct__inplace_check(x, x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, ct_clamp_tensor(x, min, max));
}
int ct_lerp_(ct_tensor *a, const ct_tensor *end, double weight) {
    if (ct__inplace_check(a, end) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_lerp(a, end, weight));
}
int ct_lerp_tensor_(ct_tensor *a, const ct_tensor *end, const ct_tensor *weight) {
    if (!weight || ct__inplace_check(a, end) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_lerp_tensor(a, end, weight));
}
