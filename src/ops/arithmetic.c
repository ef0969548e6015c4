/* add, sub, mul, div, neg: forward, in-place forms and backward formulas.
 * Backward formulas follow tools/autograd/derivatives.yaml (PyTorch 1.13). */
#include <inttypes.h>
#include <string.h>

#include "ops/arith_internal.h"

/* ---- forward ---- */

ct_tensor *ct__binary_forward(ct_binary_kind kind, const ct_tensor *a, const ct_tensor *b, double alpha,
                              ct_dtype dtype) {
    int64_t shape[CT_MAX_DIMS];
    int ndim = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    ct_tensor *out = ct__empty(dtype, ndim, shape);
    ct_tensor *ac = ct__as_dtype(a, dtype);
    ct_tensor *bc = ct__as_dtype(b, dtype);
    int rc = CT_ERROR;
    if (out && ac && bc) {
        ct_strided_iter it;
        const ct_tensor *ops[3] = {out, ac, bc};
        rc = ct__iter_over(&it, 3, ops);
        if (rc == CT_OK) rc = ct__kernel_binary(kind, &it, dtype, alpha);
    }
    ct_free(ac);
    ct_free(bc);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

static ct_tensor *scalar_like(double v, ct_dtype dtype) { return ct_scalar_tensor(v, CT_OPTS(.dtype = dtype)); }

ct_tensor *ct__arith_scalar(double v, bool is_int, ct_dtype dtype) {
    if (is_int && !ct_dtype_is_floating_point(dtype)) return ct_scalar_tensor_int((int64_t)v, CT_OPTS(.dtype = dtype));
    return scalar_like(v, dtype);
}

ct_dtype ct__result_type_scalar_kind(const ct_tensor *a, bool is_int) {
    if (!is_int) return ct__result_type_scalar(a);
    /* an integral scalar is a wrapped int64: it only lifts bool */
    return a->dtype == CT_BOOL ? CT_INT64 : a->dtype;
}

/* ---- backward formulas ---- */

/* AddBackward0 / SubBackward0: ints[0] unused; scalars[0] = alpha for b.
 * shape_arg / shape_arg2 hold a's and b's sizes (ints[0], ints[1] ndims). */
static int add_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn) out[0] = ct__sum_to(g[0], (int)n->ints[0], n->shape_arg);
    if (n->num_next > 1 && n->next[1].fn) {
        ct_tensor *gb = n->scalars[0] == 1.0 ? ct__retain(g[0]) : ct_mul_scalar(g[0], n->scalars[0]);
        out[1] = gb ? ct__sum_to(gb, (int)n->ints[1], n->shape_arg2) : NULL;
        ct_free(gb);
        if (!out[1]) return CT_ERROR;
    }
    return (n->next[0].fn && !out[0]) ? CT_ERROR : CT_OK;
}

/* MulBackward0: saved[0] = a, saved[1] = b. */
static int mul_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < 2; i++) {
        if (!n->next[i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        ct_tensor *p = other ? ct_mul(g[0], other) : NULL;
        out[i] = p ? ct__sum_to(p, (int)n->ints[i], i ? n->shape_arg2 : n->shape_arg) : NULL;
        ct_free(other);
        ct_free(p);
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

/* MulBackward0 with a scalar (tensor * scalar): scalars[0] = the scalar. */
static int mul_scalar_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_mul_scalar(g[0], n->scalars[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

/* DivBackward0: saved[0] = a, saved[1] = b.
 * grad_a = g / b; grad_b = -g * ((a / b) / b). */
static int div_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *b = ct__unpack(n, 1);
    if (!b) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn) {
        ct_tensor *q = ct_div(g[0], b);
        out[0] = q ? ct__sum_to(q, (int)n->ints[0], n->shape_arg) : NULL;
        ct_free(q);
        if (!out[0]) rc = CT_ERROR;
    }
    if (rc == CT_OK && n->next[1].fn) {
        ct_tensor *a = ct__unpack(n, 0);
        ct_tensor *t[5] = {0};
        t[0] = ct_div(a, b);
        t[1] = ct_div(t[0], b);
        t[2] = ct_neg(g[0]);
        t[3] = ct_mul(t[2], t[1]);
        out[1] = t[3] ? ct__sum_to(t[3], (int)n->ints[1], n->shape_arg2) : NULL;
        ct_free(a);
        ct__free_all(4, t);
        if (!out[1]) rc = CT_ERROR;
    }
    ct_free(b);
    return rc;
}

/* DivBackward0 with a scalar (tensor / scalar): g / scalar. */
static int div_scalar_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_div_scalar(g[0], n->scalars[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static int neg_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    out[0] = ct_neg(g[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

/* Remember a's and b's shapes for sum_to. */
void ct__keep_shapes(ct_node *n, const ct_tensor *a, const ct_tensor *b) {
    n->ints[0] = a->ndim;
    memcpy(n->shape_arg, a->sizes, sizeof a->sizes);
    if (b) {
        n->ints[1] = b->ndim;
        memcpy(n->shape_arg2, b->sizes, sizeof b->sizes);
    }
}

/* ---- public ops ---- */

/* The tail of add / sub / rsub with two tensors: out (NULL passes through)
 * gets a two-edge node `name` when a or b requires grad, with both shapes
 * kept and scalars[0] = alpha. NULL (out freed) on failure. */
static ct_tensor *record_add_like(ct_tensor *out, const ct_tensor *a, const ct_tensor *b, double alpha,
                                  const char *name, ct_backward_fn backward) {
    if (!out) return NULL;
    const ct_tensor *in[2] = {a, b};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record(name, backward, out, 2, in);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        ct__keep_shapes(n, a, b);
        n->scalars[0] = alpha;
    }
    return out;
}

static ct_tensor *add_impl(const ct_tensor *a, const ct_tensor *b, double alpha, const char *name) {
    if (!a || !b) return NULL;
    ct_dtype dtype = ct_result_type(a, b);
    return record_add_like(ct__binary_forward(CT_BINARY_ADD, a, b, alpha, dtype), a, b, alpha, name, add_backward);
}

ct_tensor *ct_add_alpha(const ct_tensor *a, const ct_tensor *b, double alpha) {
    return add_impl(a, b, alpha, "AddBackward0");
}
ct_tensor *ct_add(const ct_tensor *a, const ct_tensor *b) { return add_impl(a, b, 1.0, "AddBackward0"); }
/* sub_check: PyTorch's two messages */
static bool sub_bool_error(const ct_tensor *a, const ct_tensor *b) {
    if (a->dtype == CT_BOOL && b->dtype == CT_BOOL) {
        ct__error("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                  "`logical_xor()` operator instead.");
        return true;
    }
    if (a->dtype == CT_BOOL || b->dtype == CT_BOOL) {
        ct__error("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
                  "mask, use the `~` or `logical_not()` operator instead.");
        return true;
    }
    return false;
}

ct_tensor *ct_sub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha) {
    if (!a || !b || sub_bool_error(a, b)) return NULL;
    return add_impl(a, b, -alpha, "SubBackward0");
}
ct_tensor *ct_sub(const ct_tensor *a, const ct_tensor *b) { return ct_sub_alpha(a, b, 1.0); }

/* tensor op scalar: the scalar is a 0-dim tensor of the result dtype that
 * never requires grad; the node has one edge (PyTorch wraps the scalar, so
 * the names are AddBackward0 etc.). is_int: an integral scalar (keeps
 * integer dtypes, as `int_tensor + 2` in Python). */

/* The skeleton every scalar form shares: out = kind(a, v) (kind(v, a) when
 * swap) in dtype, and, when a requires grad, a one-edge node `name` with
 * `backward`, given back in *node (NULL when nothing was recorded) for the
 * caller to fill in. NULL (out freed) on failure. */
static ct_tensor *scalar_forward(ct_binary_kind kind, const ct_tensor *a, double v, bool is_int, ct_dtype dtype,
                                 bool swap, double alpha, const char *name, ct_backward_fn backward, ct_node **node) {
    *node = NULL;
    ct_tensor *s = ct__arith_scalar(v, is_int, dtype);
    ct_tensor *out = s ? ct__binary_forward(kind, swap ? s : a, swap ? a : s, alpha, dtype) : NULL;
    ct_free(s);
    if (!out) return NULL;
    const ct_tensor *in[1] = {a};
    if (ct__any_requires_grad(1, in)) {
        *node = ct__record(name, backward, out, 1, in);
        if (!*node) {
            ct_free(out);
            return NULL;
        }
    }
    return out;
}

static ct_tensor *add_scalar_impl(const ct_tensor *a, double v, bool is_int, const char *name) {
    if (!a) return NULL;
    ct_node *n;
    ct_tensor *out = scalar_forward(CT_BINARY_ADD, a, v, is_int, ct__result_type_scalar_kind(a, is_int), false, 1.0,
                                    name, add_backward, &n);
    if (n) ct__keep_shapes(n, a, NULL);
    return out;
}

static bool sub_scalar_bool_error(const ct_tensor *a) {
    if (a->dtype != CT_BOOL) return false;
    ct__error("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
              "mask, use the `~` or `logical_not()` operator instead.");
    return true;
}

ct_tensor *ct_add_scalar(const ct_tensor *a, double b) { return add_scalar_impl(a, b, false, "AddBackward0"); }
ct_tensor *ct_add_scalar_int(const ct_tensor *a, int64_t b) {
    return add_scalar_impl(a, (double)b, true, "AddBackward0");
}
ct_tensor *ct_sub_scalar(const ct_tensor *a, double b) {
    if (a && sub_scalar_bool_error(a)) return NULL;
    return add_scalar_impl(a, -b, false, "SubBackward0");
}
ct_tensor *ct_sub_scalar_int(const ct_tensor *a, int64_t b) {
    if (a && sub_scalar_bool_error(a)) return NULL;
    return add_scalar_impl(a, -(double)b, true, "SubBackward0");
}

/* RsubBackward0: inputs (a, b), out = b - alpha * a. */
static int rsub_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn) {
        ct_tensor *ga = ct_mul_scalar(g[0], -n->scalars[0]);
        out[0] = ga ? ct__sum_to(ga, (int)n->ints[0], n->shape_arg) : NULL;
        ct_free(ga);
        if (!out[0]) return CT_ERROR;
    }
    if (n->num_next > 1 && n->next[1].fn) {
        out[1] = ct__sum_to(g[0], (int)n->ints[1], n->shape_arg2);
        if (!out[1]) return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct_rsub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha) {
    if (!a || !b || sub_bool_error(b, a)) return NULL;
    return record_add_like(ct__binary_forward(CT_BINARY_ADD, b, a, -alpha, ct_result_type(a, b)), a, b, alpha,
                           "RsubBackward0", rsub_backward);
}
ct_tensor *ct_rsub(const ct_tensor *a, const ct_tensor *b) { return ct_rsub_alpha(a, b, 1.0); }

/* RsubBackward1: b - a for a scalar b. */
static ct_tensor *rsub_scalar_impl(const ct_tensor *a, double v, bool is_int) {
    if (!a || sub_scalar_bool_error(a)) return NULL;
    ct_node *n;
    ct_tensor *out = scalar_forward(CT_BINARY_ADD, a, v, is_int, ct__result_type_scalar_kind(a, is_int), true, -1.0,
                                    "RsubBackward1", rsub_backward, &n);
    if (n) {
        ct__keep_shapes(n, a, NULL);
        n->scalars[0] = 1.0;
    }
    return out;
}
ct_tensor *ct_rsub_scalar(const ct_tensor *a, double b) { return rsub_scalar_impl(a, b, false); }
ct_tensor *ct_rsub_scalar_int(const ct_tensor *a, int64_t b) { return rsub_scalar_impl(a, (double)b, true); }

ct_tensor *ct_mul(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_MUL, a, b, 1.0, ct_result_type(a, b));
    if (!out) return NULL;
    const ct_tensor *in[2] = {a, b};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record("MulBackward0", mul_backward, out, 2, in);
        if (!n || (n->next[1].fn && ct__save(n, 0, a, false, 0) != CT_OK) ||
            (n->next[0].fn && ct__save(n, 1, b, false, 0) != CT_OK)) {
            ct_free(out);
            return NULL;
        }
        ct__keep_shapes(n, a, b);
    }
    return out;
}

static ct_tensor *mul_scalar_impl(const ct_tensor *a, double v, bool is_int) {
    if (!a) return NULL;
    ct_node *n;
    ct_tensor *out = scalar_forward(CT_BINARY_MUL, a, v, is_int, ct__result_type_scalar_kind(a, is_int), false, 1.0,
                                    "MulBackward0", mul_scalar_backward, &n);
    if (n) n->scalars[0] = v;
    return out;
}

ct_tensor *ct_mul_scalar(const ct_tensor *a, double v) { return mul_scalar_impl(a, v, false); }
ct_tensor *ct_mul_scalar_int(const ct_tensor *a, int64_t v) { return mul_scalar_impl(a, (double)v, true); }

/* integer true division computes in the default float dtype */
static ct_dtype div_dtype(ct_dtype d) { return ct_dtype_is_floating_point(d) ? d : ct_get_default_dtype(); }

ct_tensor *ct_div(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    ct_tensor *out = ct__binary_forward(CT_BINARY_DIV, a, b, 1.0, div_dtype(ct_result_type(a, b)));
    if (!out) return NULL;
    const ct_tensor *in[2] = {a, b};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record("DivBackward0", div_backward, out, 2, in);
        if (!n || (n->next[1].fn && ct__save(n, 0, a, false, 0) != CT_OK) || ct__save(n, 1, b, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        ct__keep_shapes(n, a, b);
    }
    return out;
}

ct_tensor *ct_div_scalar(const ct_tensor *a, double v) {
    if (!a) return NULL;
    ct_node *n;
    ct_tensor *out = scalar_forward(CT_BINARY_DIV, a, v, false, div_dtype(ct__result_type_scalar(a)), false, 1.0,
                                    "DivBackward0", div_scalar_backward, &n);
    if (n) n->scalars[0] = v;
    return out;
}

ct_tensor *ct_neg(const ct_tensor *a) {
    if (!a) return NULL;
    if (a->dtype == CT_BOOL) {
        ct__error("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
                  "use the `~` or `logical_not()` operator instead.");
        return NULL;
    }
    ct_tensor *out = ct__empty(a->dtype, a->ndim, a->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[2] = {out, a};
    if (ct__iter_over(&it, 2, ops) != CT_OK || ct__kernel_unary(CT_UNARY_NEG, &it, a->dtype, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[1] = {a};
    if (ct__any_requires_grad(1, in) && !ct__record("NegBackward0", neg_backward, out, 1, in)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- in-place forms: compute out of place, write back, take over history ---- */

int ct__inplace_check(ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return CT_ERROR;
    return ct__check_inplace(a);
}

int ct_add_(ct_tensor *a, const ct_tensor *b) {
    if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_add(a, b));
}
int ct_add_scalar_(ct_tensor *a, double b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_add_scalar(a, b));
}
int ct_sub_(ct_tensor *a, const ct_tensor *b) {
    if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_sub(a, b));
}
int ct_mul_(ct_tensor *a, const ct_tensor *b) {
    if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_mul(a, b));
}
int ct_mul_scalar_(ct_tensor *a, double b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_mul_scalar(a, b));
}
int ct_div_(ct_tensor *a, const ct_tensor *b) {
    if (ct__inplace_check(a, b) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_div(a, b));
}
int ct_neg_(ct_tensor *a) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_neg(a));
}
int ct_sub_scalar_(ct_tensor *a, double b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_sub_scalar(a, b));
}
int ct_div_scalar_(ct_tensor *a, double b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_div_scalar(a, b));
}
int ct_add_scalar_int_(ct_tensor *a, int64_t b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_add_scalar_int(a, b));
}
int ct_sub_scalar_int_(ct_tensor *a, int64_t b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_sub_scalar_int(a, b));
}
int ct_mul_scalar_int_(ct_tensor *a, int64_t b) {
    if (ct__inplace_check(a, a) != CT_OK) return CT_ERROR;
    return ct__write_back(a, ct_mul_scalar_int(a, b));
}
