/* Views: new handles on the same storage with other sizes/strides/offset.
 * Messages follow PyTorch 1.13.1 (aten/src/ATen/native/TensorShape.cpp). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tensor/tensor_iter.h"
#include "tensor/tensor_impl.h"

/* a * b with two's-complement wrap-around, as PyTorch's int64 products
 * behave for absurd steps (and without undefined behaviour). */
static int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* ---- view / reshape --------------------------------------------------- */

/* at::infer_size: resolve one -1 against numel. Returns CT_OK, or
 * INFER_C10 / INFER_RUNTIME with the error set: PyTorch throws "only one
 * dimension can be inferred" and "shape '[..]' is invalid" as
 * std::runtime_error and the others as c10::Error, which unflatten reports
 * differently. */
enum { INFER_C10 = -1, INFER_RUNTIME = -2 };

static int infer_size(int ndim, const int64_t *sizes, int64_t numel, int64_t *out) {
    if (ndim < 0 || ndim > CT_MAX_DIMS || (ndim > 0 && !sizes)) {
        ct__error("tensors with %d dimensions are not supported (ctorch supports at most %d)", ndim, CT_MAX_DIMS);
        return INFER_C10;
    }
    int infer = -1;
    int64_t product = 1;
    for (int d = 0; d < ndim; d++) {
        out[d] = sizes[d];
        if (sizes[d] == -1) {
            if (infer >= 0) {
                ct__error("only one dimension can be inferred");
                return INFER_RUNTIME;
            }
            infer = d;
        } else if (sizes[d] >= 0) {
            product *= sizes[d];
        } else {
            ct__error("invalid shape dimension %" PRId64, sizes[d]);
            return INFER_C10;
        }
    }
    char buf[256];
    if (numel == product || (infer >= 0 && product > 0 && numel % product == 0)) {
        if (infer >= 0) {
            if (product == 0) {
                ct__error("cannot reshape tensor of 0 elements into shape %s because the unspecified dimension "
                          "size -1 can be any value and is ambiguous",
                          ct__format_shape(buf, sizeof buf, ndim, sizes));
                return INFER_C10;
            }
            out[infer] = numel / product;
        }
        return CT_OK;
    }
    ct__error("shape '%s' is invalid for input of size %" PRId64, ct__format_shape(buf, sizeof buf, ndim, sizes),
              numel);
    return INFER_RUNTIME;
}

/* The checks as_strided makes on a geometry for t's storage (setStrided,
 * checkInBoundsForStorage, computeStorageNbytes and TensorImpl's numel
 * check, in PyTorch's order and with its unsigned arithmetic, so that
 * negative sizes fail with the same message). */
static int check_geometry(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                          int64_t offset) {
    char a[256], b[256];
    for (int i = 0; i < ndim; i++) {
        if (strides[i] < 0) {
            ct__error("as_strided: Negative strides are not supported at the moment, got strides: %s",
                      ct__format_shape(a, sizeof a, ndim, strides));
            return CT_ERROR;
        }
    }
    uint64_t itemsize = ct__traits(t->dtype)->itemsize, need = 1;
    bool overflow = false, empty = false;
    for (int i = 0; i < ndim && !empty; i++) {
        if (sizes[i] == 0) {
            empty = true;
            break;
        }
        uint64_t span;
        overflow |= __builtin_mul_overflow((uint64_t)strides[i], (uint64_t)(sizes[i] - 1), &span);
        overflow |= __builtin_add_overflow(need, span, &need);
    }
    if (!empty) {
        overflow |= __builtin_mul_overflow(need, itemsize, &need);
        overflow |= need > (uint64_t)INT64_MAX;
        if (overflow) {
            ct__error("Storage size calculation overflowed with sizes=%s and strides=%s",
                      ct__format_shape(a, sizeof a, ndim, sizes), ct__format_shape(b, sizeof b, ndim, strides));
            return CT_ERROR;
        }
        int64_t total;
        bool huge = __builtin_mul_overflow(offset, (int64_t)itemsize, &total) ||
                    __builtin_add_overflow(total, (int64_t)need, &total);
        if (huge || total > (int64_t)t->storage->nbytes) {
            ct__error("setStorage: sizes %s, strides %s, storage offset %" PRId64 ", and itemsize %d requiring a "
                      "storage size of %" PRId64 " are out of bounds for storage of size %zu",
                      ct__format_shape(a, sizeof a, ndim, sizes), ct__format_shape(b, sizeof b, ndim, strides),
                      offset, (int)itemsize, total, t->storage->nbytes);
            return CT_ERROR;
        }
    }
    /* PyTorch goes on to build a tensor with a negative size when another
     * size is 0 (the product does not overflow); ctorch refuses every
     * negative size (docs/views.md). */
    uint64_t n = 1;
    overflow = false;
    for (int i = 0; i < ndim; i++) overflow |= __builtin_mul_overflow(n, (uint64_t)sizes[i], &n);
    for (int i = 0; i < ndim; i++) overflow |= sizes[i] < 0;
    if (overflow || n > (uint64_t)INT64_MAX) {
        ct__error("numel: integer multiplication overflow");
        return CT_ERROR;
    }
    return CT_OK;
}

/* at::detail::computeStride: strides for viewing (old sizes/strides) as
 * new sizes without copying, or false when impossible. */
static bool compute_view_strides(int old_ndim, const int64_t *old_sizes, const int64_t *old_strides,
                                 int new_ndim, const int64_t *new_sizes, int64_t *new_strides) {
    if (old_ndim == 0) { /* a scalar: every new dim is 1 */
        for (int d = 0; d < new_ndim; d++) new_strides[d] = 1;
        return true;
    }
    if (ct__shape_numel(old_ndim, old_sizes) == 0) {
        if (old_ndim == new_ndim && !memcmp(old_sizes, new_sizes, (size_t)old_ndim * sizeof *old_sizes)) {
            memcpy(new_strides, old_strides, (size_t)old_ndim * sizeof *old_strides);
        } else {
            ct__contiguous_strides(new_ndim, new_sizes, new_strides);
        }
        return true;
    }
    int view_d = new_ndim - 1;
    int64_t chunk_base_stride = old_strides[old_ndim - 1];
    int64_t tensor_numel = 1, view_numel = 1;
    for (int tensor_d = old_ndim - 1; tensor_d >= 0; tensor_d--) {
        tensor_numel *= old_sizes[tensor_d];
        if (tensor_d == 0 ||
            (old_sizes[tensor_d - 1] != 1 && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
                new_strides[view_d] = view_numel * chunk_base_stride;
                view_numel *= new_sizes[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel) return false;
            if (tensor_d > 0) {
                chunk_base_stride = old_strides[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

ct_tensor *ct__view(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    int64_t shape[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    if (infer_size(ndim, sizes, ct__numel(t), shape) != CT_OK) return NULL;
    if (!compute_view_strides(t->ndim, t->sizes, t->strides, ndim, shape, strides)) {
        ct__error("view size is not compatible with input tensor's size and stride (at least one dimension spans "
                  "across two contiguous subspaces). Use .reshape(...) instead.");
        return NULL;
    }
    return ct__alias(t, ndim, shape, strides, t->offset);
}

ct_tensor *ct__reshape(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    int64_t shape[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    if (infer_size(ndim, sizes, ct__numel(t), shape) != CT_OK) return NULL;
    if (compute_view_strides(t->ndim, t->sizes, t->strides, ndim, shape, strides))
        return ct__alias(t, ndim, shape, strides, t->offset);
    ct_tensor *c = ct__clone(t);
    if (!c) return NULL;
    ct_tensor *v = ct__alias(c, ndim, shape, NULL, 0);
    ct_free(c);
    return v;
}

/* ---- dimension shuffles ------------------------------------------------ */

ct_tensor *ct__transpose(const ct_tensor *t, int dim0, int dim1) {
    if (!t) return NULL;
    int a = ct__wrap_dim(dim0, t->ndim);
    if (a < 0) return NULL;
    int b = ct__wrap_dim(dim1, t->ndim);
    if (b < 0) return NULL;
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    memcpy(strides, t->strides, sizeof strides);
    if (t->ndim > 0) {
        sizes[a] = t->sizes[b], sizes[b] = t->sizes[a];
        strides[a] = t->strides[b], strides[b] = t->strides[a];
    }
    return ct__alias(t, t->ndim, sizes, strides, t->offset);
}

ct_tensor *ct__permute(const ct_tensor *t, int ndim, const int64_t *dims) {
    if (!t) return NULL;
    if (ndim != t->ndim) {
        ct__error("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                  "desired ordering of dimensions i.e. input.dim() = %d is not equal to len(dims) = %d",
                  t->ndim, ndim);
        return NULL;
    }
    if (ndim > 0 && !dims) {
        ct__error("permute(): dims must not be NULL");
        return NULL;
    }
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    bool seen[CT_MAX_DIMS] = {false};
    for (int i = 0; i < ndim; i++) {
        int d = ct__wrap_dim(dims[i], ndim);
        if (d < 0) return NULL;
        if (seen[d]) {
            ct__error("permute(): duplicate dims are not allowed.");
            return NULL;
        }
        seen[d] = true;
        sizes[i] = t->sizes[d];
        strides[i] = t->strides[d];
    }
    return ct__alias(t, ndim, sizes, strides, t->offset);
}

ct_tensor *ct__t(const ct_tensor *t) {
    if (!t) return NULL;
    if (t->ndim > 2) {
        ct__error("t() expects a tensor with <= 2 dimensions, but self is %dD", t->ndim);
        return NULL;
    }
    return ct__transpose(t, 0, t->ndim < 2 ? 0 : 1);
}

/* ---- broadcasting views ------------------------------------------------- */

int ct_broadcast_shapes(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b, int64_t *out) {
    if (ndim_a < 0 || ndim_b < 0 || ndim_a > CT_MAX_DIMS || ndim_b > CT_MAX_DIMS || !out ||
        (ndim_a && !a) || (ndim_b && !b)) {
        ct__error("broadcast_shapes: invalid arguments");
        return CT_ERROR;
    }
    /* torch.broadcast_shapes' own check on negative sizes */
    for (int k = 0; k < 2; k++) {
        const int64_t *s = k ? b : a;
        for (int i = (k ? ndim_b : ndim_a) - 1; i >= 0; i--) {
            if (s[i] < 0) {
                ct__error("Trying to create tensor with negative dimension (%" PRId64 "): (%" PRId64 ")", s[i], s[i]);
                return CT_ERROR;
            }
        }
    }
    /* at::infer_size: scanned from the last dimension */
    int n = ndim_a > ndim_b ? ndim_a : ndim_b;
    int64_t res[CT_MAX_DIMS];
    for (int i = n - 1; i >= 0; i--) {
        int ia = ndim_a - n + i, ib = ndim_b - n + i;
        int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            ct__error("The size of tensor a (%" PRId64 ") must match the size of tensor b (%" PRId64
                      ") at non-singleton dimension %d",
                      sa, sb, i);
            return CT_ERROR;
        }
        res[i] = sa == 1 ? sb : sa;
    }
    memcpy(out, res, (size_t)n * sizeof *res);
    return n;
}

/* at::inferExpandGeometry, then as_strided's checks. */
ct_tensor *ct__expand(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    if (ndim < 0 || ndim > CT_MAX_DIMS || (ndim > 0 && !sizes)) {
        ct__error("tensors with %d dimensions are not supported (ctorch supports at most %d)", ndim, CT_MAX_DIMS);
        return NULL;
    }
    char a[256], b[256];
    if (ndim < t->ndim) {
        const char *sn = ct__traits(t->dtype)->storage_name; /* "FloatStorage" -> "FloatTensor" */
        ct__error("expand(torch.%.*sTensor{%s}, size=%s): the number of sizes provided (%d) must be greater or "
                  "equal to the number of dimensions in the tensor (%d)",
                  (int)(strlen(sn) - 7), sn, ct__format_shape(a, sizeof a, t->ndim, t->sizes),
                  ct__format_shape(b, sizeof b, ndim, sizes), ndim, t->ndim);
        return NULL;
    }
    int64_t out_sizes[CT_MAX_DIMS], out_strides[CT_MAX_DIMS];
    /* a 0-dim input takes the sizes as given (even -1) with stride 0 */
    for (int i = ndim - 1; i >= 0 && t->ndim == 0; i--) out_sizes[i] = sizes[i], out_strides[i] = 0;
    for (int i = ndim - 1; i >= 0 && t->ndim > 0; i--) {
        int dim = t->ndim - ndim + i;
        int64_t size = dim >= 0 ? t->sizes[dim] : 1;
        int64_t stride = dim >= 0 ? t->strides[dim] : out_sizes[i + 1] * out_strides[i + 1];
        int64_t target = sizes[i];
        if (target == -1) {
            if (dim < 0) {
                ct__error("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                          "dimension %d",
                          i);
                return NULL;
            }
            target = size;
        }
        if (size != target) {
            if (size != 1) {
                ct__error("The expanded size of the tensor (%" PRId64 ") must match the existing size (%" PRId64
                          ") at non-singleton dimension %d.  Target sizes: %s.  Tensor sizes: %s",
                          target, size, i, ct__format_shape(a, sizeof a, ndim, sizes),
                          ct__format_shape(b, sizeof b, t->ndim, t->sizes));
                return NULL;
            }
            size = target;
            stride = 0;
        }
        out_sizes[i] = size;
        out_strides[i] = stride;
    }
    if (check_geometry(t, ndim, out_sizes, out_strides, t->offset) != CT_OK) return NULL;
    return ct__alias(t, ndim, out_sizes, out_strides, t->offset);
}

/* ---- adding and removing dims ------------------------------------------- */

/* Copy t's geometry without dim d. */
static int drop_dim(const ct_tensor *t, int d, int64_t *sizes, int64_t *strides) {
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d) continue;
        sizes[n] = t->sizes[i];
        strides[n] = t->strides[i];
        n++;
    }
    return n;
}

ct_tensor *ct__squeeze(const ct_tensor *t) {
    if (!t) return NULL;
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (t->sizes[i] == 1) continue;
        sizes[n] = t->sizes[i];
        strides[n] = t->strides[i];
        n++;
    }
    return ct__alias(t, n, sizes, strides, t->offset);
}

ct_tensor *ct__squeeze_dim(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim == 0 || t->sizes[d] != 1) return ct__alias(t, t->ndim, t->sizes, t->strides, t->offset);
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    int n = drop_dim(t, d, sizes, strides);
    return ct__alias(t, n, sizes, strides, t->offset);
}

ct_tensor *ct__unsqueeze(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    int d = ct__wrap_dim(dim, t->ndim + 1);
    if (d < 0) return NULL;
    if (t->ndim == CT_MAX_DIMS) {
        ct__error("unsqueeze: tensors with more than %d dimensions are not supported", CT_MAX_DIMS);
        return NULL;
    }
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            sizes[i] = 1;
            strides[i] = d < t->ndim ? t->sizes[d] * t->strides[d] : 1;
        } else {
            sizes[i] = t->sizes[j];
            strides[i] = t->strides[j];
            j++;
        }
    }
    return ct__alias(t, t->ndim + 1, sizes, strides, t->offset);
}

ct_tensor *ct__flatten(const ct_tensor *t, int start_dim, int end_dim) {
    if (!t) return NULL;
    int s = ct__wrap_dim(start_dim, t->ndim);
    if (s < 0) return NULL;
    int e = ct__wrap_dim(end_dim, t->ndim);
    if (e < 0) return NULL;
    if (s > e) {
        ct__error("flatten() has invalid args: start_dim cannot come after end_dim");
        return NULL;
    }
    if (t->ndim == 0) return ct__reshape(t, CT_SIZE(1));
    if (s == e) return ct__retain(t); /* PyTorch returns self */
    int64_t sizes[CT_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < s; i++) sizes[n++] = t->sizes[i];
    int64_t prod = 1;
    for (int i = s; i <= e; i++) prod *= t->sizes[i];
    sizes[n++] = prod;
    for (int i = e + 1; i < t->ndim; i++) sizes[n++] = t->sizes[i];
    return ct__reshape(t, n, sizes);
}

ct_tensor *ct__unflatten(const ct_tensor *t, int dim, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    if (ndim < 1 || !sizes) { /* checked first by Tensor.unflatten in Python */
        ct__error("unflatten: sizes must be non-empty");
        return NULL;
    }
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim == 0) { /* self.size(d) wraps again, without the scalar rule */
        ct__error("Dimension specified as %d but tensor has no dimensions", d);
        return NULL;
    }
    if (t->ndim - 1 + ndim > CT_MAX_DIMS) {
        ct__error("tensors with %d dimensions are not supported (ctorch supports at most %d)", t->ndim - 1 + ndim,
                  CT_MAX_DIMS);
        return NULL;
    }
    int64_t inferred[CT_MAX_DIMS];
    int rc = infer_size(ndim, sizes, t->sizes[d], inferred);
    if (rc == INFER_RUNTIME) {
        /* handle_unflatten_exception rewords PyTorch's runtime_errors */
        char buf[256];
        if (strstr(ct_last_error(), "is invalid for input of size")) {
            ct__error("unflatten: Provided sizes %s don't multiply up to the size of dim %d (%" PRId64
                      ") in the input tensor",
                      ct__format_shape(buf, sizeof buf, ndim, sizes), d, t->sizes[d]);
        } else {
            snprintf(buf, sizeof buf, "%s", ct_last_error());
            ct__error("unflatten got an unexpected error:\n%s", buf);
        }
        return NULL;
    }
    if (rc != CT_OK) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < d; i++) shape[n++] = t->sizes[i];
    for (int i = 0; i < ndim; i++) shape[n++] = inferred[i];
    for (int i = d + 1; i < t->ndim; i++) shape[n++] = t->sizes[i];
    return ct__view(t, n, shape);
}

/* ---- selecting parts ------------------------------------------------------ */

ct_tensor *ct__narrow(const ct_tensor *t, int dim, int64_t start, int64_t length) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        ct__error("narrow() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    /* start == size is valid; otherwise start wraps like a dim index */
    if (start != size) {
        int64_t n = size > 0 ? size : 1;
        if (start < -n || start >= n) {
            ct__error("Dimension out of range (expected to be in range of [%" PRId64 ", %" PRId64
                      "], but got %" PRId64 ")",
                      -n, n - 1, start);
            return NULL;
        }
        if (start < 0) start += n;
    }
    if (length < 0 || start > size - length) {
        ct__error("start (%" PRId64 ") + length (%" PRId64 ") exceeds dimension size (%" PRId64 ").", start, length,
                  size);
        return NULL;
    }
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    sizes[d] = length;
    return ct__alias(t, t->ndim, sizes, t->strides, t->offset + start * t->strides[d]);
}

ct_tensor *ct__select(const ct_tensor *t, int dim, int64_t index) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        ct__error("select() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    if (index < -size || index >= size) {
        char buf[256];
        ct__error("select(): index %" PRId64 " out of range for tensor of size %s at dimension %d", index,
                  ct__format_shape(buf, sizeof buf, t->ndim, t->sizes), d);
        return NULL;
    }
    if (index < 0) index += size;
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    int n = drop_dim(t, d, sizes, strides);
    return ct__alias(t, n, sizes, strides, t->offset + index * t->strides[d]);
}

ct_tensor *ct__slice(const ct_tensor *t, int dim, int64_t start, int64_t end, int64_t step) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        ct__error("slice() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (step <= 0) {
        ct__error(step == 0 ? "slice step cannot be zero" : "step must be greater than zero");
        return NULL;
    }
    int64_t size = t->sizes[d];
    /* aten::slice: negative counts from the end, then clamp */
    if (start < 0) start = start < -size ? 0 : start + size;
    if (end < 0) end = end < -size ? 0 : end + size;
    if (start > size) start = size;
    if (end > size) end = size;
    if (end < start) end = start;
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    memcpy(strides, t->strides, sizeof strides);
    sizes[d] = end == start ? 0 : (end - start - 1) / step + 1; /* round up without overflow */
    strides[d] = wrap_mul(t->strides[d], step);
    return ct__alias(t, t->ndim, sizes, strides, t->offset + start * t->strides[d]);
}

ct_tensor *ct__diagonal(const ct_tensor *t, int64_t offset, int dim1, int dim2) {
    if (!t) return NULL;
    int a = ct__wrap_dim(dim1, t->ndim);
    if (a < 0) return NULL;
    int b = ct__wrap_dim(dim2, t->ndim);
    if (b < 0) return NULL;
    if (a == b) {
        ct__error("diagonal dimensions cannot be identical %d, %d", dim1, dim2);
        return NULL;
    }
    int64_t len, start = t->offset;
    if (offset >= 0) {
        len = t->sizes[a] < t->sizes[b] - offset ? t->sizes[a] : t->sizes[b] - offset;
    } else {
        len = t->sizes[a] + offset < t->sizes[b] ? t->sizes[a] + offset : t->sizes[b];
    }
    if (len <= 0) {
        len = 0;
    } else if (offset >= 0) {
        start += offset * t->strides[b];
    } else {
        start -= offset * t->strides[a];
    }
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == a || i == b) continue;
        sizes[n] = t->sizes[i];
        strides[n] = t->strides[i];
        n++;
    }
    sizes[n] = len;
    strides[n] = t->strides[a] + t->strides[b];
    n++;
    return ct__alias(t, n, sizes, strides, start);
}

ct_tensor *ct__unfold(const ct_tensor *t, int dim, int64_t size, int64_t step) {
    if (!t) return NULL;
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    int64_t max = t->ndim ? t->sizes[d] : 1;
    if (size > max) {
        ct__error("maximum size for tensor at dimension %d is %" PRId64 " but size is %" PRId64, d, max, size);
        return NULL;
    }
    if (step <= 0) {
        ct__error("step is %" PRId64 " but must be > 0", step);
        return NULL;
    }
    if (t->ndim == CT_MAX_DIMS) {
        ct__error("tensors with %d dimensions are not supported (ctorch supports at most %d)", t->ndim + 1,
                  CT_MAX_DIMS);
        return NULL;
    }
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    memcpy(strides, t->strides, sizeof strides);
    int n = t->ndim;
    if (n > 0) {
        sizes[d] = (t->sizes[d] - size) / step + 1;
        strides[d] = wrap_mul(step, t->strides[d]);
    }
    sizes[n] = size;
    strides[n] = n > 0 ? t->strides[d] : 1;
    /* PyTorch builds it with as_strided, whose checks catch size < 0 */
    if (check_geometry(t, n + 1, sizes, strides, t->offset) != CT_OK) return NULL;
    return ct__alias(t, n + 1, sizes, strides, t->offset);
}

ct_tensor *ct__as_strided(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                         int64_t storage_offset) {
    if (!t) return NULL;
    if (ndim < 0 || ndim > CT_MAX_DIMS || (ndim > 0 && (!sizes || !strides))) {
        ct__error("as_strided: invalid arguments (ndim %d, at most %d; sizes and strides must not be NULL)", ndim,
                  CT_MAX_DIMS);
        return NULL;
    }
    int64_t offset = storage_offset < 0 ? t->offset : storage_offset;
    if (check_geometry(t, ndim, sizes, strides, offset) != CT_OK) return NULL;
    return ct__alias(t, ndim, sizes, strides, offset);
}

ct_tensor *ct_detach(const ct_tensor *t) {
    if (!t) return NULL;
    return ct__alias(t, t->ndim, t->sizes, t->strides, t->offset);
}
