/* The ops with bool results: comparisons (eq, ne, lt, le, gt, ge and their
 * scalar / in-place forms), logical_and / or / xor / not, isclose,
 * allclose, equal and the predicates isnan, isinf, isfinite, isposinf,
 * isneginf (bitwise ops and shifts are in logical.c). Not differentiable: outputs are bool and carry no
 * history; only the in-place comparisons record PyTorch's EqBackward0/1
 * (..., zero gradients), as tools/autograd/derivatives.yaml (1.13) does. */
#include <stdio.h>
#include <string.h>

#include "ops/compare_internal.h"

/* ---- helpers ---- */

ct_tensor *ct__converted(const ct_tensor *x, ct_dtype dtype) {
    return x->dtype == dtype ? ct__retain(x) : ct__to_dtype_copy(x, dtype);
}

ct_tensor *ct__wrapped_number(ct_tensor *s, ct_dtype dtype) {
    if (!s || s->dtype == dtype) return s;
    ct_tensor *r = ct__to_dtype_copy(s, dtype);
    ct_free(s);
    return r;
}

ct_tensor *ct__bool_family_forward(ct__bool_family family, int kind, const ct_tensor *a, const ct_tensor *b,
                                   ct_dtype dtype) {
    int64_t shape[CT_MAX_DIMS];
    int ndim = a->ndim;
    if (b) {
        ndim = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
        if (ndim < 0) return NULL;
    } else {
        memcpy(shape, a->sizes, sizeof a->sizes);
    }
    ct_tensor *out = ct__empty(family == CT__FAMILY_COMPARE ? CT_BOOL : dtype, ndim, shape);
    ct_tensor *ac = out ? ct__converted(a, dtype) : NULL;
    ct_tensor *bc = ac && b ? ct__converted(b, dtype) : NULL;
    int rc = CT_ERROR;
    if (ac && (bc || !b)) {
        ct_strided_iter it;
        const ct_tensor *ops[3] = {out, ac, bc};
        rc = ct__iter_over(&it, b ? 3 : 2, ops);
        if (rc == CT_OK)
            rc = family == CT__FAMILY_COMPARE ? ct__kernel_compare((ct_compare_kind)kind, &it, dtype)
                                              : ct__kernel_bitwise((ct_bitwise_kind)kind, &it, dtype);
    }
    ct_free(ac);
    ct_free(bc);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct__bool_family_tensor(ct__bool_family family, int kind, const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    return ct__bool_family_forward(family, kind, a, b, ct_result_type(a, b));
}

ct_tensor *ct__bool_family_scalar(ct__bool_family family, int kind, const ct_tensor *a, ct_tensor *s, ct_dtype dtype) {
    ct_tensor *out = s ? ct__bool_family_forward(family, kind, a, s, dtype) : NULL;
    ct_free(s);
    return out;
}

static ct_tensor *compare_tensor(ct_compare_kind kind, const ct_tensor *a, const ct_tensor *b) {
    return ct__bool_family_tensor(CT__FAMILY_COMPARE, (int)kind, a, b);
}

/* A Python float: a float64 0-dim tensor cast as a wrapped number. */
static ct_tensor *compare_scalar(ct_compare_kind kind, const ct_tensor *a, double v) {
    if (!a) return NULL;
    ct_dtype dtype = ct__result_type_scalar(a);
    ct_tensor *s = ct__wrapped_number(ct_scalar_tensor(v, CT_OPTS(.dtype = CT_FLOAT64)), dtype);
    return ct__bool_family_scalar(CT__FAMILY_COMPARE, (int)kind, a, s, dtype);
}

/* True when every byte of the bool tensor r is set. */
static bool all_true(const ct_tensor *r) {
    const ct_tensor *c = r;
    ct_tensor *tmp = NULL;
    if (!ct__is_contiguous(r)) c = tmp = ct__clone(r);
    bool all = c != NULL;
    const uint8_t *p = c ? (const uint8_t *)ct__data(c) : NULL;
    for (int64_t i = 0, n = c ? ct__numel(c) : 0; i < n && all; i++) all = p[i] != 0;
    ct_free(tmp);
    return all;
}

/* ---- out-of-place comparisons ---- */

ct_tensor *ct_eq(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_EQ, a, b); }
ct_tensor *ct_ne(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_NE, a, b); }
ct_tensor *ct_lt(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_LT, a, b); }
ct_tensor *ct_le(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_LE, a, b); }
ct_tensor *ct_gt(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_GT, a, b); }
ct_tensor *ct_ge(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_GE, a, b); }
ct_tensor *ct_eq_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_EQ, a, b); }
ct_tensor *ct_ne_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_NE, a, b); }
ct_tensor *ct_lt_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_LT, a, b); }
ct_tensor *ct_le_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_LE, a, b); }
ct_tensor *ct_gt_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_GT, a, b); }
ct_tensor *ct_ge_scalar(const ct_tensor *a, double b) { return compare_scalar(CT_CMP_GE, a, b); }

/* ---- in-place comparisons ---- */

/* derivatives.yaml: eq_.Scalar / eq_.Tensor: every input gets zeros_like.
 * Edge 0 is a's previous history; edge 1 (tensor form) is b, whose shape
 * and dtype are kept in shape_arg / ndim_arg / dtypes[0]. */
static int zero_grads_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn && !(out[0] = ct_zeros_like(g[0], NULL))) return CT_ERROR;
    if (n->num_next > 1 && n->next[1].fn &&
        !(out[1] = ct_zeros(n->ndim_arg, n->shape_arg, CT_OPTS(.dtype = n->dtypes[0]))))
        return CT_ERROR;
    return CT_OK;
}

static const char *const inplace_names[6][2] = {
    {"EqBackward0", "EqBackward1"}, {"NeBackward0", "NeBackward1"}, {"LtBackward0", "LtBackward1"},
    {"LeBackward0", "LeBackward1"}, {"GtBackward0", "GtBackward1"}, {"GeBackward0", "GeBackward1"},
};

/* a.eq_(b) / a.eq_(v) / a.logical_and_(b): the bool result, broadcast to
 * a's shape, written into a in a's dtype. b == NULL selects the scalar
 * form. Comparisons record their zero-gradient node; logical ops leave a's
 * history alone, as PyTorch does. */
static int compare_inplace(ct_compare_kind kind, ct_tensor *a, const ct_tensor *b, double v) {
    if (ct__check_inplace(a) != CT_OK) return CT_ERROR;
    const ct_tensor *self[1] = {a}, *others[1] = {b};
    /* an integer a cannot carry history (PyTorch would give it one) */
    bool record = kind <= CT_CMP_GE && ct_dtype_is_floating_point(a->dtype) &&
                  (ct__any_requires_grad(1, self) || (b && ct__any_requires_grad(1, others)));
    if (record && ct__check_inplace_recordable(a) != CT_OK) return CT_ERROR;
    ct_tensor *r = b ? compare_tensor(kind, a, b) : compare_scalar(kind, a, v);
    if (!r) return CT_ERROR;
    int rc = CT_OK;
    char s1[256], s2[256];
    if (r->ndim != a->ndim || memcmp(r->sizes, a->sizes, (size_t)a->ndim * sizeof *a->sizes)) {
        ct__error("output with shape %s doesn't match the broadcast shape %s",
                  ct__format_shape(s1, sizeof s1, a->ndim, a->sizes), ct__format_shape(s2, sizeof s2, r->ndim, r->sizes));
        rc = CT_ERROR;
    }
    if (rc == CT_OK) rc = ct__copy_(a, r);
    ct_free(r);
    if (rc == CT_OK && record) {
        ct_node *n = ct__record_inplace(inplace_names[kind][b != NULL], zero_grads_backward, a, b ? 1 : 0, others);
        if (!n) return CT_ERROR;
        if (b) {
            n->ndim_arg = b->ndim;
            memcpy(n->shape_arg, b->sizes, sizeof b->sizes);
            n->dtypes[0] = b->dtype;
        }
    }
    return rc;
}

static int compare_inplace_tensor(ct_compare_kind kind, ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return CT_ERROR;
    return compare_inplace(kind, a, b, 0.0);
}
static int compare_inplace_scalar(ct_compare_kind kind, ct_tensor *a, double v) {
    if (!a) return CT_ERROR;
    return compare_inplace(kind, a, NULL, v);
}

int ct_eq_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_EQ, a, b); }
int ct_ne_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_NE, a, b); }
int ct_lt_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_LT, a, b); }
int ct_le_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_LE, a, b); }
int ct_gt_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_GT, a, b); }
int ct_ge_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_GE, a, b); }
int ct_eq_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_EQ, a, b); }
int ct_ne_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_NE, a, b); }
int ct_lt_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_LT, a, b); }
int ct_le_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_LE, a, b); }
int ct_gt_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_GT, a, b); }
int ct_ge_scalar_(ct_tensor *a, double b) { return compare_inplace_scalar(CT_CMP_GE, a, b); }

/* ---- logical ops ---- */

ct_tensor *ct_logical_and(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_LOGICAL_AND, a, b); }
ct_tensor *ct_logical_or(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_LOGICAL_OR, a, b); }
ct_tensor *ct_logical_xor(const ct_tensor *a, const ct_tensor *b) { return compare_tensor(CT_CMP_LOGICAL_XOR, a, b); }
int ct_logical_and_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_LOGICAL_AND, a, b); }
int ct_logical_or_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_LOGICAL_OR, a, b); }
int ct_logical_xor_(ct_tensor *a, const ct_tensor *b) { return compare_inplace_tensor(CT_CMP_LOGICAL_XOR, a, b); }

/* ---- isclose, allclose, equal ---- */

ct_tensor *ct_isclose(const ct_tensor *a, const ct_tensor *b, double rtol, double atol, bool equal_nan) {
    if (!a || !b) return NULL;
    if (a->dtype != b->dtype) {
        ct__error("%s did not match %s", ct__traits(a->dtype)->scalar_name, ct__traits(b->dtype)->scalar_name);
        return NULL;
    }
    /* TORCH_CHECK prints doubles as an ostream does: %g */
    if (!(rtol >= 0)) {
        ct__error("rtol must be greater than or equal to zero, but got %g", rtol);
        return NULL;
    }
    if (!(atol >= 0)) {
        ct__error("atol must be greater than or equal to zero, but got %g", atol);
        return NULL;
    }
    int64_t shape[CT_MAX_DIMS];
    int ndim = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    ct_tensor *out = ct__empty(CT_BOOL, ndim, shape);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[3] = {out, a, b};
    if (ct__iter_over(&it, 3, ops) != CT_OK ||
        ct__kernel_isclose(&it, a->dtype, rtol, atol, equal_nan, ct_get_default_dtype()) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

int ct_allclose(const ct_tensor *a, const ct_tensor *b, double rtol, double atol, bool equal_nan, bool *result) {
    if (!a || !b || !result) return CT_ERROR;
    ct_tensor *r = ct_isclose(a, b, rtol, atol, equal_nan);
    if (!r) return CT_ERROR;
    *result = all_true(r);
    ct_free(r);
    return CT_OK;
}

int ct_equal(const ct_tensor *a, const ct_tensor *b, bool *result) {
    if (!a || !b || !result) return CT_ERROR;
    if (a->ndim != b->ndim || memcmp(a->sizes, b->sizes, (size_t)a->ndim * sizeof *a->sizes)) {
        *result = false;
        return CT_OK;
    }
    ct_tensor *r = compare_tensor(CT_CMP_EQ, a, b);
    if (!r) return CT_ERROR;
    *result = all_true(r);
    ct_free(r);
    return CT_OK;
}

/* ---- predicates ---- */

static ct_tensor *predicate(ct_predicate_kind kind, const ct_tensor *a) {
    if (!a) return NULL;
    ct_tensor *out = ct__empty(CT_BOOL, a->ndim, a->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[2] = {out, a};
    if (ct__iter_over(&it, 2, ops) != CT_OK || ct__kernel_predicate(kind, &it, a->dtype) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct_isnan(const ct_tensor *a) { return predicate(CT_PRED_ISNAN, a); }
ct_tensor *ct_isinf(const ct_tensor *a) { return predicate(CT_PRED_ISINF, a); }
ct_tensor *ct_isfinite(const ct_tensor *a) { return predicate(CT_PRED_ISFINITE, a); }
ct_tensor *ct_isposinf(const ct_tensor *a) { return predicate(CT_PRED_ISPOSINF, a); }
ct_tensor *ct_isneginf(const ct_tensor *a) { return predicate(CT_PRED_ISNEGINF, a); }

ct_tensor *ct_logical_not(const ct_tensor *a) { return predicate(CT_PRED_LOGICAL_NOT, a); }

int ct_logical_not_(ct_tensor *a) {
    if (!a) return CT_ERROR;
    if (ct__check_inplace(a) != CT_OK) return CT_ERROR;
    ct_tensor *r = ct_logical_not(a);
    int rc = r ? ct__copy_(a, r) : CT_ERROR;
    ct_free(r);
    return rc;
}
