/* Reductions: sum and mean over all or some dims, with keepdim. */
#include <string.h>

#include "kernels/cpu/reduce.h"
#include "ops/op_util.h"

/* Parse dims into a mask (PyTorch: "dim 0 appears multiple times in the
 * list of dims"). ndims == 0 reduces everything. */
static int dims_mask(const ct_tensor *x, int ndims, const int64_t *dims, bool *mask) {
    memset(mask, 0, CT_MAX_DIMS * sizeof *mask);
    if (ndims == 0) {
        for (int d = 0; d < x->ndim; d++) mask[d] = true;
        return CT_OK;
    }
    if (!dims || ndims < 0) {
        ct__error("dims must not be NULL");
        return CT_ERROR;
    }
    for (int i = 0; i < ndims; i++) {
        int d = ct__wrap_dim(dims[i], x->ndim);
        if (d < 0) return CT_ERROR;
        if (x->ndim == 0) continue;
        if (mask[d]) {
            ct__error("dim %d appears multiple times in the list of dims", d);
            return CT_ERROR;
        }
        mask[d] = true;
    }
    return CT_OK;
}

/* Output shape: reduced dims become 1 (keepdim) or disappear. */
static int out_shape(const ct_tensor *x, const bool *mask, bool keepdim, int64_t *sizes) {
    int n = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (!mask[d]) sizes[n++] = x->sizes[d];
        else if (keepdim) sizes[n++] = 1;
    }
    return n;
}

static ct_tensor *sum_forward(const ct_tensor *x, const bool *mask, bool keepdim, ct_dtype out_dtype) {
    int64_t sizes[CT_MAX_DIMS];
    int n = out_shape(x, mask, keepdim, sizes);
    ct_tensor *out = ct__empty(out_dtype, n, sizes);
    if (!out) return NULL;
    if (ct__numel(out) > 0) {
        if (ct__numel(x) == 0) {
            if (ct_fill_(out, 0.0) != CT_OK) {
                ct_free(out);
                return NULL;
            }
        } else {
            ct__kernel_sum(ct__data(out), out_dtype, ct__data(x), x->dtype, x->ndim, x->sizes, x->strides, mask);
        }
    }
    return out;
}

/* SumBackward: g (with keepdim restored) expanded to the input shape.
 * ints[0] = input ndim, shape_arg = input sizes; ints[1..] = mask;
 * ints[CT_MAX_DIMS+1] = keepdim; scalars[0] = divisor (mean) or 1. */
static int sum_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int ndim = (int)n->ints[0];
    bool keepdim = n->ints[CT_MAX_DIMS + 1] != 0;
    ct_tensor *gk;
    if (keepdim || ndim == 0) {
        gk = ct__retain(g[0]);
    } else {
        int64_t ks[CT_MAX_DIMS];
        for (int d = 0; d < ndim; d++) ks[d] = n->ints[1 + d] ? 1 : n->shape_arg[d];
        gk = ct_view(g[0], ndim, ks);
    }
    ct_tensor *e = gk ? ct_expand(gk, ndim, n->shape_arg) : NULL;
    if (n->scalars[0] != 1.0 && e) {
        out[0] = ct_div_scalar(e, n->scalars[0]);
    } else {
        out[0] = e ? ct_contiguous(e) : NULL;
    }
    ct_free(gk);
    ct_free(e);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *record_sum(ct_tensor *out, const ct_tensor *x, const bool *mask, bool keepdim, const char *name,
                             double divisor) {
    const ct_tensor *in[1] = {x};
    if (!out || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(name, sum_backward, out, 1, in);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = x->ndim;
    memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    for (int d = 0; d < x->ndim; d++) n->ints[1 + d] = mask[d];
    n->ints[CT_MAX_DIMS + 1] = keepdim;
    n->scalars[0] = divisor;
    return out;
}

static ct_dtype sum_dtype(ct_dtype d) { return ct_dtype_is_floating_point(d) ? d : CT_INT64; }

ct_tensor *ct_sum(const ct_tensor *x) {
    if (!x) return NULL;
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, 0, NULL, mask) != CT_OK) return NULL;
    return record_sum(sum_forward(x, mask, false, sum_dtype(x->dtype)), x, mask, false, "SumBackward0", 1.0);
}

ct_tensor *ct_sum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    return record_sum(sum_forward(x, mask, keepdim, sum_dtype(x->dtype)), x, mask, keepdim, "SumBackward1", 1.0);
}

static ct_tensor *mean_impl(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, const char *name) {
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
                  "Got: %s",
                  x->dtype == CT_INT64 ? "Long" : x->dtype == CT_INT32 ? "Int" : x->dtype == CT_INT16 ? "Short"
                  : x->dtype == CT_INT8 ? "Char" : x->dtype == CT_UINT8 ? "Byte" : "Bool");
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    int64_t count = 1;
    for (int d = 0; d < x->ndim; d++)
        if (mask[d]) count *= x->sizes[d];
    ct_tensor *s;
    {
        ct_grad_mode g = ct_no_grad_begin();
        ct_tensor *sum = sum_forward(x, mask, keepdim, x->dtype);
        s = sum ? ct_div_scalar(sum, (double)count) : NULL;
        ct_free(sum);
        ct_grad_mode_end(g);
    }
    return record_sum(s, x, mask, keepdim, name, (double)count);
}

ct_tensor *ct_mean(const ct_tensor *x) { return x ? mean_impl(x, 0, NULL, false, "MeanBackward0") : NULL; }

ct_tensor *ct_mean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    return x ? mean_impl(x, ndims, dims, keepdim, "MeanBackward1") : NULL;
}
