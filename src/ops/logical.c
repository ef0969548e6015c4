/* Bitwise ops on integers and bool (bitwise_and / or / xor / not) and the
 * shifts (bitwise_left_shift / bitwise_right_shift), with their scalar
 * (Python int) and in-place forms. Not differentiable: integer and bool
 * results never require grad. (The logical_* ops, which give bool, live
 * with the comparisons in compare.c.) */
#include <string.h>

#include "ops/compare_internal.h"

/* torch.result_type(tensor, python int): an int scalar only lifts bool. */
static ct_dtype int_scalar_type(const ct_tensor *a) { return a->dtype == CT_BOOL ? CT_INT64 : a->dtype; }

/* A Python int: an int64 0-dim tensor cast as a wrapped number (int8 &
 * 1000 uses (int8)1000 == -24). */
static ct_tensor *int_scalar(int64_t v, ct_dtype dtype) {
    return ct__wrapped_number(ct_scalar_tensor_int(v, NULL), dtype);
}

/* out (dtype) = kind(a, b) broadcast; b == NULL for bitwise_not. */
static ct_tensor *bitwise_forward(ct_bitwise_kind kind, const ct_tensor *a, const ct_tensor *b, ct_dtype dtype) {
    return ct__bool_family_forward(CT__FAMILY_BITWISE, (int)kind, a, b, dtype);
}

static ct_tensor *bitwise_tensor(ct_bitwise_kind kind, const ct_tensor *a, const ct_tensor *b) {
    return ct__bool_family_tensor(CT__FAMILY_BITWISE, (int)kind, a, b);
}

static ct_tensor *bitwise_scalar(ct_bitwise_kind kind, const ct_tensor *a, int64_t v) {
    if (!a) return NULL;
    ct_dtype dtype = int_scalar_type(a);
    return ct__bool_family_scalar(CT__FAMILY_BITWISE, (int)kind, a, int_scalar(v, dtype), dtype);
}

/* a.op_(b): TensorIterator's order of checks — the broadcast shape must be
 * a's, then the result type must cast to a's dtype, then the kernel's
 * dtype check. b == NULL: the scalar form with v; kind NOT: unary. */
static int bitwise_inplace(ct_bitwise_kind kind, ct_tensor *a, const ct_tensor *b, int64_t v, bool unary) {
    if (ct__check_inplace(a) != CT_OK) return CT_ERROR;
    ct_dtype dtype = unary ? a->dtype : b ? ct_result_type(a, b) : int_scalar_type(a);
    ct_tensor *s = !unary && !b ? int_scalar(v, dtype) : NULL;
    const ct_tensor *other = b ? b : s;
    if (!unary && !other) return CT_ERROR;
    int rc = CT_OK;
    if (other) {
        int64_t shape[CT_MAX_DIMS];
        char s1[256], s2[256];
        int ndim = ct_broadcast_shapes(a->ndim, a->sizes, other->ndim, other->sizes, shape);
        if (ndim < 0) {
            rc = CT_ERROR;
        } else if (ndim != a->ndim || memcmp(shape, a->sizes, (size_t)ndim * sizeof *shape)) {
            ct__error("output with shape %s doesn't match the broadcast shape %s",
                      ct__format_shape(s1, sizeof s1, a->ndim, a->sizes), ct__format_shape(s2, sizeof s2, ndim, shape));
            rc = CT_ERROR;
        }
    }
    if (rc == CT_OK && !ct__can_cast(dtype, a->dtype)) {
        ct__error("result type %s can't be cast to the desired output type %s", ct__traits(dtype)->scalar_name,
                  ct__traits(a->dtype)->scalar_name);
        rc = CT_ERROR;
    }
    ct_tensor *r = rc == CT_OK ? bitwise_forward(kind, a, unary ? NULL : other, dtype) : NULL;
    if (rc == CT_OK) rc = r ? ct__copy_(a, r) : CT_ERROR;
    ct_free(r);
    ct_free(s);
    return rc;
}

static int bitwise_inplace_tensor(ct_bitwise_kind kind, ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return CT_ERROR;
    return bitwise_inplace(kind, a, b, 0, false);
}
static int bitwise_inplace_scalar(ct_bitwise_kind kind, ct_tensor *a, int64_t v) {
    if (!a) return CT_ERROR;
    return bitwise_inplace(kind, a, NULL, v, false);
}

ct_tensor *ct_bitwise_and(const ct_tensor *a, const ct_tensor *b) { return bitwise_tensor(CT_BIT_AND, a, b); }
ct_tensor *ct_bitwise_or(const ct_tensor *a, const ct_tensor *b) { return bitwise_tensor(CT_BIT_OR, a, b); }
ct_tensor *ct_bitwise_xor(const ct_tensor *a, const ct_tensor *b) { return bitwise_tensor(CT_BIT_XOR, a, b); }
ct_tensor *ct_bitwise_and_scalar(const ct_tensor *a, int64_t b) { return bitwise_scalar(CT_BIT_AND, a, b); }
ct_tensor *ct_bitwise_or_scalar(const ct_tensor *a, int64_t b) { return bitwise_scalar(CT_BIT_OR, a, b); }
ct_tensor *ct_bitwise_xor_scalar(const ct_tensor *a, int64_t b) { return bitwise_scalar(CT_BIT_XOR, a, b); }
int ct_bitwise_and_(ct_tensor *a, const ct_tensor *b) { return bitwise_inplace_tensor(CT_BIT_AND, a, b); }
int ct_bitwise_or_(ct_tensor *a, const ct_tensor *b) { return bitwise_inplace_tensor(CT_BIT_OR, a, b); }
int ct_bitwise_xor_(ct_tensor *a, const ct_tensor *b) { return bitwise_inplace_tensor(CT_BIT_XOR, a, b); }
int ct_bitwise_and_scalar_(ct_tensor *a, int64_t b) { return bitwise_inplace_scalar(CT_BIT_AND, a, b); }
int ct_bitwise_or_scalar_(ct_tensor *a, int64_t b) { return bitwise_inplace_scalar(CT_BIT_OR, a, b); }
int ct_bitwise_xor_scalar_(ct_tensor *a, int64_t b) { return bitwise_inplace_scalar(CT_BIT_XOR, a, b); }

ct_tensor *ct_bitwise_not(const ct_tensor *a) {
    if (!a) return NULL;
    return bitwise_forward(CT_BIT_NOT, a, NULL, a->dtype);
}
int ct_bitwise_not_(ct_tensor *a) {
    if (!a) return CT_ERROR;
    return bitwise_inplace(CT_BIT_NOT, a, NULL, 0, true);
}

ct_tensor *ct_bitwise_left_shift(const ct_tensor *a, const ct_tensor *b) { return bitwise_tensor(CT_BIT_LSHIFT, a, b); }
ct_tensor *ct_bitwise_right_shift(const ct_tensor *a, const ct_tensor *b) { return bitwise_tensor(CT_BIT_RSHIFT, a, b); }
ct_tensor *ct_bitwise_left_shift_scalar(const ct_tensor *a, int64_t b) { return bitwise_scalar(CT_BIT_LSHIFT, a, b); }
ct_tensor *ct_bitwise_right_shift_scalar(const ct_tensor *a, int64_t b) { return bitwise_scalar(CT_BIT_RSHIFT, a, b); }
int ct_bitwise_left_shift_(ct_tensor *a, const ct_tensor *b) { return bitwise_inplace_tensor(CT_BIT_LSHIFT, a, b); }
int ct_bitwise_right_shift_(ct_tensor *a, const ct_tensor *b) { return bitwise_inplace_tensor(CT_BIT_RSHIFT, a, b); }
int ct_bitwise_left_shift_scalar_(ct_tensor *a, int64_t b) { return bitwise_inplace_scalar(CT_BIT_LSHIFT, a, b); }
int ct_bitwise_right_shift_scalar_(ct_tensor *a, int64_t b) { return bitwise_inplace_scalar(CT_BIT_RSHIFT, a, b); }
