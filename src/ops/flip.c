/* Reordering copies: flip (fliplr, flipud), roll, rot90. Backward
 * formulas (derivatives.yaml, PyTorch 1.13) are the inverse transforms:
 * flip again, roll by -shifts, rot90 by -k. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops/join_internal.h"

/* ---- flip ---- */

/* x reversed along the dims set in mask, as a new contiguous tensor: copy
 * from an alias of x that walks those dims backwards. */
static ct_tensor *flip_raw(const ct_tensor *x, const bool *mask) {
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out || ct__numel(out) == 0) return out;
    int64_t strides[CT_MAX_DIMS], offset = x->offset;
    for (int d = 0; d < x->ndim; d++) {
        strides[d] = x->strides[d];
        if (mask[d]) {
            offset += (x->sizes[d] - 1) * x->strides[d];
            strides[d] = -x->strides[d];
        }
    }
    ct_tensor *src = ct__alias(x, x->ndim, x->sizes, strides, offset);
    int rc = src ? ct__copy_(out, src) : CT_ERROR;
    ct_free(src);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* at::dim_list_to_bitset: wrapped dims, no repeats */
static int dims_to_mask(const ct_tensor *x, int ndims, const int64_t *dims, bool *mask) {
    memset(mask, 0, CT_MAX_DIMS * sizeof *mask);
    for (int i = 0; i < ndims; i++) {
        int d = ct__wrap_dim(dims[i], x->ndim);
        if (d < 0) return CT_ERROR;
        if (mask[d]) {
            ct__error("dim %d appears multiple times in the list of dims", d);
            return CT_ERROR;
        }
        mask[d] = true;
    }
    if (x->ndim == 0) mask[0] = false; /* a scalar: nothing to reverse */
    return CT_OK;
}

/* FlipBackward0: ints[0] = ndims, ints[1..] = dims */
static int flip_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_flip(g[0], (int)n->ints[0], n->ints + 1);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_flip(const ct_tensor *t, int ndims, const int64_t *dims) {
    if (!t || ndims < 0 || (ndims > 0 && !dims)) return NULL;
    bool mask[CT_MAX_DIMS];
    if (dims_to_mask(t, ndims, dims, mask) != CT_OK) return NULL;
    ct_tensor *out = flip_raw(t, mask);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record("FlipBackward0", flip_backward, out, 1, &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    int k = 0;
    for (int d = 0; d < t->ndim; d++)
        if (mask[d]) n->ints[1 + k++] = d;
    n->ints[0] = k;
    return out;
}

ct_tensor *ct_fliplr(const ct_tensor *t) {
    if (!t) return NULL;
    if (t->ndim < 2) {
        ct__error("Input must be >= 2-d.");
        return NULL;
    }
    return ct_flip(t, 1, (const int64_t[]){1});
}

ct_tensor *ct_flipud(const ct_tensor *t) {
    if (!t) return NULL;
    if (t->ndim < 1) {
        ct__error("Input must be >= 1-d.");
        return NULL;
    }
    return ct_flip(t, 1, (const int64_t[]){0});
}

/* ---- roll ---- */

/* x rolled by shift along one dim (roll_cpu): cat(x[start:], x[:start]) */
static ct_tensor *roll_one(const ct_tensor *x, int64_t shift, int64_t dim) {
    if (ct__numel(x) == 0) return ct__clone(x); /* PyTorch does not even check dim */
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return NULL;
    if (x->ndim == 0) {
        ct__error("Dimension specified as %d but tensor has no dimensions", d);
        return NULL;
    }
    int64_t size = x->sizes[d];
    int64_t start = (size - shift % size) % size;
    if (start < 0) start += size;
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out) return NULL;
    ct_tensor *v[4] = {ct__narrow(out, d, 0, size - start), ct__narrow(x, d, start, size - start),
                       ct__narrow(out, d, size - start, start), ct__narrow(x, d, 0, start)};
    int rc = v[0] && v[1] && v[2] && v[3] && ct__copy_(v[0], v[1]) == CT_OK && ct__copy_(v[2], v[3]) == CT_OK
                 ? CT_OK
                 : CT_ERROR;
    ct__free_all(4, v);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

static ct_tensor *roll_raw(const ct_tensor *x, int nshifts, const int64_t *shifts, int ndims, const int64_t *dims) {
    if (nshifts == 0) {
        ct__error("`shifts` required");
        return NULL;
    }
    if (ndims == 0 && nshifts == 1) {
        ct_tensor *c = ct__clone(x);
        ct_tensor *flat = c ? ct__view(c, CT_SIZE(ct__numel(x))) : NULL;
        ct_tensor *r = flat ? roll_one(flat, shifts[0], 0) : NULL;
        ct_tensor *out = r ? ct__view(r, x->ndim, x->sizes) : NULL;
        ct_free(c);
        ct_free(flat);
        ct_free(r);
        return out;
    }
    if (nshifts != ndims) {
        ct__error("shifts and dimensions must align. shifts: %d, dims:%d", nshifts, ndims);
        return NULL;
    }
    ct_tensor *cur = ct__retain(x);
    for (int i = 0; i < ndims && cur; i++) {
        ct_tensor *next = roll_one(cur, shifts[i], dims[i]);
        ct_free(cur);
        cur = next;
    }
    return cur;
}

/* RollBackward0: ints[0] = nshifts, ints[1] = ndims; shape_arg = shifts,
 * shape_arg2 = dims */
static int roll_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int64_t neg[CT_MAX_DIMS];
    for (int i = 0; i < n->ints[0]; i++) neg[i] = -n->shape_arg[i];
    out[0] = ct_roll(g[0], (int)n->ints[0], neg, (int)n->ints[1], n->shape_arg2);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_roll(const ct_tensor *t, int nshifts, const int64_t *shifts, int ndims, const int64_t *dims) {
    if (!t || nshifts < 0 || ndims < 0 || (nshifts > 0 && !shifts) || (ndims > 0 && !dims)) return NULL;
    if (nshifts > CT_MAX_DIMS || ndims > CT_MAX_DIMS) {
        ct__error("roll: at most %d shifts and dims (ctorch's CT_MAX_DIMS)", CT_MAX_DIMS);
        return NULL;
    }
    ct_tensor *out = roll_raw(t, nshifts, shifts, ndims, dims);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record("RollBackward0", roll_backward, out, 1, &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = nshifts, n->ints[1] = ndims;
    /* shifts modulo a size keep -shift in range */
    memcpy(n->shape_arg, shifts, (size_t)nshifts * sizeof *shifts);
    if (ndims) memcpy(n->shape_arg2, dims, (size_t)ndims * sizeof *dims);
    return out;
}

/* ---- rot90 ---- */

static ct_tensor *rot90_raw(const ct_tensor *x, int64_t k, int d0, int d1) {
    bool mask[CT_MAX_DIMS] = {0};
    k = (4 + k % 4) % 4;
    if (k == 0) return ct__clone(x);
    if (k == 2) mask[d0] = mask[d1] = true;
    else mask[k == 1 ? d1 : d0] = true;
    ct_tensor *f = flip_raw(x, mask);
    if (!f || k == 2) return f;
    ct_tensor *out = ct__transpose(f, d0, d1);
    ct_free(f);
    return out;
}

/* Rot90Backward0: ints[0] = k, ints[1], ints[2] = the dims as given */
static int rot90_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int64_t k = n->ints[0] % 4;
    out[0] = ct_rot90(g[0], -k, 2, n->ints + 1);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_rot90(const ct_tensor *t, int64_t k, int ndims, const int64_t *dims) {
    if (!t || ndims < 0 || (ndims > 0 && !dims)) return NULL;
    static const int64_t dflt[2] = {0, 1};
    if (ndims == 0) ndims = 2, dims = dflt;
    int64_t total = t->ndim;
    if (ndims != 2) {
        ct__error("expected total rotation dims == 2, but got dims = %d", ndims);
        return NULL;
    }
    if (total < 2) {
        ct__error("expected total dims >= 2, but got total dims = %" PRId64, total);
        return NULL;
    }
    if (dims[0] == dims[1] || llabs(dims[0] - dims[1]) == total) {
        ct__error("expected rotation dims to be different, but got dim0 = %" PRId64 " and dim1 = %" PRId64, dims[0],
                  dims[1]);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        if (dims[i] >= total || dims[i] < -total) {
            ct__error("Rotation dim%d out of range, dim%d = %" PRId64, i, i, dims[i]);
            return NULL;
        }
    }
    int d0 = (int)(dims[0] < 0 ? dims[0] + total : dims[0]), d1 = (int)(dims[1] < 0 ? dims[1] + total : dims[1]);
    ct_tensor *out = rot90_raw(t, k, d0, d1);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record("Rot90Backward0", rot90_backward, out, 1, &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = k % 4, n->ints[1] = dims[0], n->ints[2] = dims[1];
    return out;
}
