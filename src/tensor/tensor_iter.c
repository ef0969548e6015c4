/* Strided iterators over tensors, with broadcasting to the first operand. */
#include <inttypes.h>
#include <string.h>

#include "tensor/tensor_iter.h"

int ct__broadcast_strides(const ct_tensor *t, int ndim, const int64_t *sizes, int64_t *strides) {
    int lead = ndim - t->ndim;
    bool ok = lead >= 0;
    for (int d = 0; ok && d < ndim; d++) {
        int s = d - lead;
        if (s < 0) {
            strides[d] = 0;
        } else if (t->sizes[s] == sizes[d]) {
            strides[d] = t->strides[s];
        } else if (t->sizes[s] == 1) {
            strides[d] = 0;
        } else {
            char a[256], b[256];
            ct__error("The expanded size of the tensor (%" PRId64 ") must match the existing size (%" PRId64
                      ") at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                      sizes[d], t->sizes[s], d, ct__format_shape(a, sizeof a, ndim, sizes),
                      ct__format_shape(b, sizeof b, t->ndim, t->sizes));
            return CT_ERROR;
        }
    }
    if (!ok) {
        char a[256], b[256];
        ct__error("expand(torch.%.*sTensor{%s}, size=%s): the number of sizes provided (%d) must be greater or "
                  "equal to the number of dimensions in the tensor (%d)",
                  (int)(strlen(ct__traits(t->dtype)->storage_name) - 7), ct__traits(t->dtype)->storage_name,
                  ct__format_shape(b, sizeof b, t->ndim, t->sizes),
                  ct__format_shape(a, sizeof a, ndim, sizes), ndim, t->ndim);
        return CT_ERROR;
    }
    return CT_OK;
}

/* TensorIterator's compute_shape: the output takes part (copy_ does not
 * resize), the shape is folded operand by operand with at::infer_size, and
 * a non-resizable output must equal the result. */
static int check_shapes(int n, const ct_tensor *const *tensors) {
    const ct_tensor *out = tensors[0];
    int64_t shape[CT_MAX_DIMS];
    int nd = out->ndim;
    memcpy(shape, out->sizes, (size_t)nd * sizeof *shape);
    for (int k = 1; k < n; k++) {
        nd = ct_broadcast_shapes(nd, shape, tensors[k]->ndim, tensors[k]->sizes, shape);
        if (nd < 0) return CT_ERROR;
    }
    if (nd != out->ndim || memcmp(shape, out->sizes, (size_t)nd * sizeof *shape) != 0) {
        char a[256], b[256];
        ct__error("output with shape %s doesn't match the broadcast shape %s",
                  ct__format_shape(a, sizeof a, out->ndim, out->sizes), ct__format_shape(b, sizeof b, nd, shape));
        return CT_ERROR;
    }
    return CT_OK;
}

/* The common case of an elementwise op: every operand contiguous with the
 * output's shape. One flat dimension (what coalescing would give), without
 * the broadcast checks. False when not that case. */
static bool flat_iter(ct_strided_iter *it, int n, const ct_tensor *const *tensors) {
    const ct_tensor *out = tensors[0];
    int64_t numel = ct__numel(out);
    if (numel == 0) return false;
    for (int k = 0; k < n; k++) {
        const ct_tensor *t = tensors[k];
        if (t->ndim != out->ndim || (k && memcmp(t->sizes, out->sizes, (size_t)out->ndim * sizeof *t->sizes)) ||
            !ct__is_contiguous(t))
            return false;
    }
    it->noperands = n;
    it->ndim = numel > 1;
    it->sizes[0] = numel;
    for (int k = 0; k < n; k++) {
        it->data[k] = ct__data(tensors[k]);
        it->strides[k][0] = (int64_t)ct__traits(tensors[k]->dtype)->itemsize;
    }
    return true;
}

int ct__iter_over(ct_strided_iter *it, int n, const ct_tensor *const *tensors) {
    const ct_tensor *out = tensors[0];
    if (flat_iter(it, n, tensors)) return CT_OK;
    int64_t strides[CT_ITER_MAX_OPERANDS][CT_MAX_DIMS];
    const int64_t *sp[CT_ITER_MAX_OPERANDS];
    char *data[CT_ITER_MAX_OPERANDS];
    int64_t itemsizes[CT_ITER_MAX_OPERANDS];
    if (check_shapes(n, tensors) != CT_OK) return CT_ERROR;
    for (int k = 0; k < n; k++) {
        if (ct__broadcast_strides(tensors[k], out->ndim, out->sizes, strides[k]) != CT_OK) return CT_ERROR;
        sp[k] = strides[k];
        data[k] = ct__data(tensors[k]);
        itemsizes[k] = (int64_t)ct__traits(tensors[k]->dtype)->itemsize;
    }
    ct__iter_init(it, out->ndim, out->sizes, n, data, sp, itemsizes);
    return CT_OK;
}
