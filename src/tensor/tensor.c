/* The tensor handle: making, referencing, freeing, properties, and the
 * shape checks shared by every layer above. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/allocator.h"
#include "tensor/tensor_impl.h"

void (*ct__autograd_meta_release)(ct_tensor *t);

/* ---- shape helpers ---- */

int64_t ct__shape_numel(int ndim, const int64_t *sizes) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= sizes[i];
    return n;
}

const char *ct__format_shape(char *buf, size_t len, int ndim, const int64_t *sizes) {
    size_t used = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%" PRId64, i ? ", " : "", sizes[i]);
    if (used < len) snprintf(buf + used, len - used, "]");
    return buf;
}

void ct__contiguous_strides(int ndim, const int64_t *sizes, int64_t *strides) {
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= sizes[i] > 1 ? sizes[i] : 1;
    }
}

int64_t ct__check_shape(int ndim, const int64_t *sizes, ct_dtype dtype) {
    if (ndim < 0 || ndim > CT_MAX_DIMS) {
        ct__error("tensors with %d dimensions are not supported (ctorch supports at most %d)", ndim, CT_MAX_DIMS);
        return -1;
    }
    if (ndim > 0 && !sizes) {
        ct__error("sizes must not be NULL for a %d-dimensional shape", ndim);
        return -1;
    }
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("invalid dtype %d", (int)dtype);
        return -1;
    }
    /* one pass: the first negative size, any zero, the product (unsigned:
     * it may wrap, then `wrapped` says so) */
    uint64_t n = 1;
    bool zero = false, wrapped = false;
    for (int i = 0; i < ndim; i++) {
        int64_t d = sizes[i];
        if (d < 0) {
            char buf[256];
            ct__error("Trying to create tensor with negative dimension %" PRId64 ": %s", d,
                      ct__format_shape(buf, sizeof buf, ndim, sizes));
            return -1;
        }
        zero |= d == 0;
        wrapped |= __builtin_mul_overflow(n, (uint64_t)d, &n);
    }
    if (zero) return 0;
    /* numel * itemsize must fit in int64 (the sizes are >= 1 here, so the
     * running product never decreases: past the limit once, past it at
     * the end, as the per-dim test found) */
    if (wrapped || n > (uint64_t)(INT64_MAX / (int64_t)ct__traits(dtype)->itemsize)) {
        char buf[256];
        ct__error("Storage size calculation overflowed with sizes=%s", ct__format_shape(buf, sizeof buf, ndim, sizes));
        return -1;
    }
    return (int64_t)n;
}

int ct__wrap_dim(int64_t dim, int ndim) {
    int64_t n = ndim > 0 ? ndim : 1; /* a 0-dim tensor takes dims -1 and 0 */
    if (dim < -n || dim >= n) {
        ct__error("Dimension out of range (expected to be in range of [%" PRId64 ", %" PRId64 "], but got %" PRId64 ")",
                  -n, n - 1, dim);
        return -1;
    }
    return (int)(dim < 0 ? dim + n : dim);
}

bool ct__is_contiguous(const ct_tensor *t) {
    /* PyTorch: a tensor without elements is contiguous whatever its strides
     * (one pass: a mismatch counts only when no dim has size 0; unsigned
     * products, which cannot overflow for a tensor with elements) */
    uint64_t expected = 1;
    bool ok = true, empty = false;
    for (int i = t->ndim - 1; i >= 0; i--) {
        int64_t n = t->sizes[i];
        empty |= n == 0;
        if (n != 1 && (uint64_t)t->strides[i] != expected) ok = false;
        expected *= (uint64_t)n;
    }
    return ok || empty;
}

/* ---- handles ---- */

/* A handle on storage, taking over one reference the caller holds
 * (adopt) or taking a new one. */
static inline __attribute__((always_inline)) ct_tensor *tensor_make(ct_storage *storage, bool adopt, ct_dtype dtype,
                                                                    int ndim, const int64_t *sizes,
                                                                    const int64_t *strides, int64_t offset) {
    ct_tensor *t = ct__obj_alloc(sizeof *t);
    if (!t) return NULL;
    atomic_init(&t->refcount, 1);
    if (!adopt) atomic_fetch_add(&storage->refcount, 1);
    t->storage = storage;
    t->dtype = dtype;
    t->ndim = ndim;
    t->offset = offset;
    if (ndim) memcpy(t->sizes, sizes, (size_t)ndim * sizeof *sizes);
    if (strides) {
        if (ndim) memcpy(t->strides, strides, (size_t)ndim * sizeof *strides);
    } else {
        ct__contiguous_strides(ndim, t->sizes, t->strides);
    }
    ct__scope_track(t);
    return t;
}

ct_tensor *ct__tensor_make(ct_storage *storage, ct_dtype dtype, int ndim, const int64_t *sizes,
                           const int64_t *strides, int64_t offset) {
    return tensor_make(storage, false, dtype, ndim, sizes, strides, offset);
}

ct_tensor *ct__empty(ct_dtype dtype, int ndim, const int64_t *sizes) {
    int64_t numel = ct__check_shape(ndim, sizes, dtype);
    if (numel < 0) return NULL;
    ct_storage *s = ct__storage_new((size_t)numel * ct__traits(dtype)->itemsize);
    if (!s) return NULL;
    /* the handle takes the new storage's only reference (no atomic
     * increment and decrement around it) */
    ct_tensor *t = tensor_make(s, true, dtype, ndim, sizes, NULL, 0);
    if (!t) ct__storage_release(s);
    return t;
}

ct_tensor *ct__alias(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides, int64_t offset) {
    ct_tensor *v = ct__tensor_make(t->storage, t->dtype, ndim, sizes, strides, offset);
    if (v) v->is_view = true;
    return v;
}

ct_tensor *ct__retain(const ct_tensor *t) {
    ct_tensor *m = (ct_tensor *)t;
    atomic_fetch_add(&m->refcount, 1);
    ct__scope_track(m);
    return m;
}

ct_tensor *ct_ref(ct_tensor *t) {
    if (!t) return NULL;
    atomic_fetch_add(&t->refcount, 1);
    return t;
}

void ct_free(ct_tensor *t) {
    if (!t) return;
    ct__scope_untrack(t);
    ct__drop(t);
}

void ct__set_data(ct_tensor *t, const ct_tensor *src) {
    atomic_fetch_add(&src->storage->refcount, 1);
    ct__storage_release(t->storage);
    t->storage = src->storage;
    t->offset = src->offset;
    t->ndim = src->ndim;
    t->dtype = src->dtype;
    memcpy(t->sizes, src->sizes, sizeof t->sizes);
    memcpy(t->strides, src->strides, sizeof t->strides);
}

void ct__drop(ct_tensor *t) {
    if (!t) return;
    if (atomic_fetch_sub(&t->refcount, 1) != 1) return;
    if (t->autograd_meta && ct__autograd_meta_release) ct__autograd_meta_release(t);
    ct__storage_release(t->storage);
    ct__obj_free(t, sizeof *t);
}

ct_tensor *ct__apply_requires_grad(ct_tensor *t, const ct_opts *o) {
    if (!t || !o || !o->requires_grad) return t;
    if (!ct__traits(t->dtype)->is_floating) {
        /* the factories' wording (requires_grad_ says "only Tensors of floating point dtype ...") */
        ct__error("Only Tensors of floating point and complex dtype can require gradients");
        ct_free(t);
        return NULL;
    }
    if (ct_requires_grad_(t, true) != CT_OK) {
        ct_free(t);
        return NULL;
    }
    return t;
}

/* ---- properties ---- */

int ct_dim(const ct_tensor *t) { return t ? t->ndim : -1; }

/* t.size(dim) / t.stride(dim) wrap without PyTorch's scalar rule. */
static int wrap_dim_no_scalar(int dim, int ndim) {
    if (ndim == 0) {
        ct__error("Dimension specified as %d but tensor has no dimensions", dim);
        return -1;
    }
    return ct__wrap_dim(dim, ndim);
}

int64_t ct_size(const ct_tensor *t, int dim) {
    if (!t) return -1;
    int d = wrap_dim_no_scalar(dim, t->ndim);
    return d < 0 ? -1 : t->sizes[d];
}

int64_t ct_stride(const ct_tensor *t, int dim) {
    if (!t) return 0;
    int d = wrap_dim_no_scalar(dim, t->ndim);
    return d < 0 ? 0 : t->strides[d];
}

const int64_t *ct_sizes(const ct_tensor *t) { return t ? t->sizes : NULL; }
const int64_t *ct_strides(const ct_tensor *t) { return t ? t->strides : NULL; }
int64_t ct_numel(const ct_tensor *t) { return t ? ct__numel(t) : -1; }
ct_dtype ct_dtype_of(const ct_tensor *t) { return t ? t->dtype : CT_DTYPE_DEFAULT; }
size_t ct_element_size(const ct_tensor *t) { return t ? ct__traits(t->dtype)->itemsize : 0; }
int64_t ct_storage_offset(const ct_tensor *t) { return t ? t->offset : -1; }
bool ct_is_contiguous(const ct_tensor *t) { return t && ct__is_contiguous(t); }
bool ct_is_floating_point(const ct_tensor *t) { return t && ct__traits(t->dtype)->is_floating; }
bool ct_requires_grad(const ct_tensor *t) { return t && t->requires_grad; }
int64_t ct_version(const ct_tensor *t) { return t ? (int64_t)atomic_load(&t->storage->version) : -1; }
void *ct_data_ptr(const ct_tensor *t) { return t ? ct__data(t) : NULL; }
bool ct_shares_storage(const ct_tensor *a, const ct_tensor *b) { return a && b && a->storage == b->storage; }
const char *ct_device(const ct_tensor *t) { return t ? "cpu" : NULL; }

