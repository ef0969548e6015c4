/* Internal: the storage and tensor structs and the helpers every layer
 * above base uses to make, check and wrap tensors. */
#ifndef CT_TENSOR_IMPL_H
#define CT_TENSOR_IMPL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/tensor.h"

/* Reference-counted untyped bytes. Views share one storage; the version
 * counter lives here so every view of the data sees in-place changes. */
typedef struct ct_storage {
    atomic_int refcount;
    void *data;
    size_t nbytes;
    /* Caller memory (from_blob): deleter may be NULL. Allocator memory has
     * external == false. */
    bool external;
    void (*deleter)(void *data, void *ctx);
    void *deleter_ctx;
    atomic_llong version;
} ct_storage;

struct ct_tensor {
    atomic_int refcount;
    ct_storage *storage;
    int64_t offset; /* in elements */
    int ndim;
    ct_dtype dtype;
    int64_t sizes[CT_MAX_DIMS];
    int64_t strides[CT_MAX_DIMS]; /* in elements */
    bool requires_grad;
    bool is_view; /* made by a view function: shares its base's storage */
    /* Owned by the autograd layer (grad, grad_fn, hooks); released through
     * ct__autograd_meta_release when the handle dies. */
    void *autograd_meta;
};

/* Set by the autograd layer (when it first attaches state to a tensor);
 * called when a handle with autograd state dies. */
extern void (*ct__autograd_meta_release)(ct_tensor *t);

/* ---- storage ---- */
ct_storage *ct__storage_new(size_t nbytes);
void ct__storage_release(ct_storage *s);

/* ---- handles ----
 * ct__tensor_make takes a new reference to storage; sizes must already be
 * checked; strides NULL = contiguous. The handle is tracked by the current
 * scope. NULL with the error set on failure. */
ct_tensor *ct__tensor_make(ct_storage *storage, ct_dtype dtype, int ndim, const int64_t *sizes,
                           const int64_t *strides, int64_t offset);
/* A new contiguous tensor with uninitialized data (checks sizes). */
ct_tensor *ct__empty(ct_dtype dtype, int ndim, const int64_t *sizes);
/* A new handle on t's storage with the given geometry, same dtype
 * (a view); requires_grad etc. are not copied. */
ct_tensor *ct__alias(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                     int64_t offset);
/* t itself with one more reference, tracked by the current scope (what a
 * function returns when PyTorch returns `self`). */
ct_tensor *ct__retain(const ct_tensor *t);

/* t.data = src: t takes src's storage, geometry and dtype; t's autograd
 * state (requires_grad, grad, hooks) stays. Version counters are not
 * shared afterwards (src's storage has its own). */
void ct__set_data(ct_tensor *t, const ct_tensor *src);

/* Drop one reference without touching scopes (what ct_scope_end uses). */
void ct__drop(ct_tensor *t);

/* ---- scope tracking (scope.c) ---- */
/* Track one reference to t in the current scope, if any. Returns 0, or -1
 * when out of memory (the reference is then not tracked, but still valid). */
int ct__scope_track(ct_tensor *t);
/* Remove one tracked reference of t from the current scope; true if found. */
bool ct__scope_untrack(ct_tensor *t);

/* ---- checks with PyTorch's messages ---- */
/* Wrap a possibly negative dim into [0, ndim); a 0-dim tensor accepts
 * -1 and 0 (PyTorch's scalar rule). -1 with the error set when out of range. */
int ct__wrap_dim(int64_t dim, int ndim);
/* ndim in [0, CT_MAX_DIMS], sizes non-negative, numel * itemsize fits.
 * Returns numel, or -1 with the error set. */
int64_t ct__check_shape(int ndim, const int64_t *sizes, ct_dtype dtype);
int64_t ct__shape_numel(int ndim, const int64_t *sizes);
/* "[2, 3]" into buf. */
const char *ct__format_shape(char *buf, size_t len, int ndim, const int64_t *sizes);
/* Row-major strides for sizes. */
void ct__contiguous_strides(int ndim, const int64_t *sizes, int64_t *strides);
bool ct__is_contiguous(const ct_tensor *t);

/* Bumps t's version counter (every in-place write). */
static inline void ct__bump_version(ct_tensor *t) { atomic_fetch_add(&t->storage->version, 1); }

static inline int64_t ct__numel(const ct_tensor *t) { return ct__shape_numel(t->ndim, t->sizes); }

static inline char *ct__data(const ct_tensor *t) {
    return t->storage->data ? (char *)t->storage->data + t->offset * (int64_t)ct__traits(t->dtype)->itemsize
                            : NULL;
}

/* ---- graph-free views and copies (view.c, copy.c) ----
 * The public ct_view, ct_clone, ... (src/ops/shape.c) call these and record
 * the autograd history; everything else in the library may call either. */
ct_tensor *ct__view(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct__reshape(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct__transpose(const ct_tensor *t, int dim0, int dim1);
ct_tensor *ct__permute(const ct_tensor *t, int ndim, const int64_t *dims);
ct_tensor *ct__t(const ct_tensor *t);
ct_tensor *ct__expand(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct__squeeze(const ct_tensor *t);
ct_tensor *ct__squeeze_dim(const ct_tensor *t, int dim);
ct_tensor *ct__unsqueeze(const ct_tensor *t, int dim);
ct_tensor *ct__flatten(const ct_tensor *t, int start_dim, int end_dim);
ct_tensor *ct__unflatten(const ct_tensor *t, int dim, int ndim, const int64_t *sizes);
ct_tensor *ct__narrow(const ct_tensor *t, int dim, int64_t start, int64_t length);
ct_tensor *ct__select(const ct_tensor *t, int dim, int64_t index);
ct_tensor *ct__slice(const ct_tensor *t, int dim, int64_t start, int64_t end, int64_t step);
ct_tensor *ct__diagonal(const ct_tensor *t, int64_t offset, int dim1, int dim2);
ct_tensor *ct__unfold(const ct_tensor *t, int dim, int64_t size, int64_t step);
ct_tensor *ct__as_strided(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                          int64_t storage_offset);
ct_tensor *ct__clone(const ct_tensor *t);
ct_tensor *ct__to_dtype_copy(const ct_tensor *t, ct_dtype dtype);
CT_NODISCARD int ct__copy_(ct_tensor *dst, const ct_tensor *src);
CT_NODISCARD int ct__fill_(ct_tensor *t, double value);

/* Resolve a dtype option: CT_DTYPE_DEFAULT -> fallback; else check it. */
static inline ct_dtype ct__opt_dtype(const ct_opts *o, ct_dtype fallback) {
    return (o && o->dtype != CT_DTYPE_DEFAULT) ? o->dtype : fallback;
}

/* Apply opts->requires_grad to a new tensor: fails (and frees t) for
 * non-floating dtypes as PyTorch does. */
ct_tensor *ct__apply_requires_grad(ct_tensor *t, const ct_opts *o);

#endif
