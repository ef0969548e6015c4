/* ctorch/tensor.h — the tensor handle, views, creation and conversion.
 *
 * Ownership (docs/ownership.md): every function that returns a ct_tensor *
 * returns a NEW reference that the caller owns and drops with ct_free (or
 * that the current scope drops, see scope.h). Tensor arguments are borrowed:
 * a call never frees or keeps the caller's reference. Views share storage
 * with their base and keep it alive.
 *
 * Errors (error.h): NULL return with ct_last_error() set; a NULL tensor
 * argument returns NULL and leaves the earlier message in place.
 *
 * Shapes are given as (ndim, sizes) pairs, outermost dimension first. The
 * CT_SIZE(...) macro writes such a pair inline:
 *     ct_tensor *z = ct_zeros(CT_SIZE(2, 3), NULL);
 *     ct_tensor *v = ct_view(z, CT_SIZE(3, -1));
 * A 0-dim shape is CT_SIZE0 (ndim 0; sizes may then be NULL).
 * Dimensions may be negative (counted from the end) wherever PyTorch
 * accepts that; out of range gives PyTorch's
 * "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
 */
#ifndef CTORCH_TENSOR_H
#define CTORCH_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dtype.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor ct_tensor;
typedef struct ct_generator ct_generator;

/* Most dimensions a tensor may have. */
#define CT_MAX_DIMS 16

/* ---- shape helpers ------------------------------------------------------ */
#define CT__NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define CT_NARGS(...) CT__NARGS_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
/* CT_SIZE(2, 3) -> 2, (const int64_t[]){2, 3} : an (ndim, sizes) pair. */
#define CT_SIZE(...) CT_NARGS(__VA_ARGS__), (const int64_t[]){__VA_ARGS__}
/* The 0-dim shape. */
#define CT_SIZE0 0, (const int64_t *)0

/* ---- options: PyTorch's keyword arguments --------------------------------
 * Pass NULL for all defaults, or CT_OPTS(.dtype = CT_FLOAT64, ...).
 * A zero field means PyTorch's default:
 *   dtype        CT_DTYPE_DEFAULT -> the call's PyTorch default (the default
 *                float dtype for float factories, int64 for randint/arange
 *                with integer arguments, the input's dtype for *_like/new_*)
 *   requires_grad false
 *   generator    NULL -> the default generator (random functions only) */
typedef struct ct_opts {
    ct_dtype dtype;
    bool requires_grad;
    ct_generator *generator;
} ct_opts;
#define CT_OPTS(...) (&(const ct_opts){__VA_ARGS__})

/* ---- lifetime ----------------------------------------------------------- */

/* Drop one reference; frees the handle (and its storage when no view is
 * left) at zero. NULL is a no-op. Inside a scope, a reference the scope
 * tracks is removed from it, so freeing by hand is always safe. */
void ct_free(ct_tensor *t);
/* A new reference to the same handle (like assigning a Python variable).
 * The returned reference is the caller's, never tracked by a scope. */
ct_tensor *ct_ref(ct_tensor *t);

/* ---- properties (t must not be NULL unless stated) ------------------------
 * Invalid arguments give -1 / false / NULL and set the error. */
int ct_dim(const ct_tensor *t);                  /* t.dim(); -1 if t is NULL */
int64_t ct_size(const ct_tensor *t, int dim);     /* t.size(dim); -1 on error */
int64_t ct_stride(const ct_tensor *t, int dim);   /* t.stride(dim); 0 on error (with the error set) */
const int64_t *ct_sizes(const ct_tensor *t);      /* t.shape: ct_dim(t) entries, valid while t lives */
const int64_t *ct_strides(const ct_tensor *t);    /* t.stride(), in elements */
int64_t ct_numel(const ct_tensor *t);             /* -1 if t is NULL */
ct_dtype ct_dtype_of(const ct_tensor *t);         /* t.dtype; CT_DTYPE_DEFAULT if NULL */
size_t ct_element_size(const ct_tensor *t);       /* t.element_size() */
int64_t ct_storage_offset(const ct_tensor *t);    /* t.storage_offset() */
bool ct_is_contiguous(const ct_tensor *t);
bool ct_is_floating_point(const ct_tensor *t);
bool ct_requires_grad(const ct_tensor *t);
/* t.requires_grad_(flag): only floating tensors may require grad
 * ("only Tensors of floating point dtype can require gradients"); a
 * non-leaf may not be set to false. */
CT_NODISCARD int ct_requires_grad_(ct_tensor *t, bool requires_grad);
bool ct_is_leaf(const ct_tensor *t);
/* t._version: bumped by every in-place change; shared by views. */
int64_t ct_version(const ct_tensor *t);
/* Address of element [0, ..., 0] (storage data + offset). Valid while t or
 * a view of its storage lives. May be NULL for a zero-size tensor. */
void *ct_data_ptr(const ct_tensor *t);
/* True when a and b use the same storage. */
bool ct_shares_storage(const ct_tensor *a, const ct_tensor *b);
/* "cpu" (the only device so far). */
const char *ct_device(const ct_tensor *t);

/* ---- creation ------------------------------------------------------------- */

/* torch.tensor(data): copies numel elements of dtype from data (row-major).
 * data may be NULL only when the shape has zero elements. dtype must be
 * given (no CT_DTYPE_DEFAULT). */
ct_tensor *ct_tensor_from(const void *data, ct_dtype dtype, int ndim, const int64_t *sizes);
/* torch.from_numpy / torch.from_blob: wrap caller memory without copying.
 * strides may be NULL (contiguous). deleter (may be NULL) is called once
 * with (data, ctx) when the last tensor using the memory is gone; it is
 * NOT called if this function fails. */
ct_tensor *ct_from_blob(void *data, ct_dtype dtype, int ndim, const int64_t *sizes,
                        const int64_t *strides, void (*deleter)(void *data, void *ctx), void *ctx);
/* torch.scalar_tensor(v) / torch.tensor(v): a 0-dim tensor. The double form
 * defaults to the default float dtype, the int form to int64. */
ct_tensor *ct_scalar_tensor(double value, const ct_opts *opts);
ct_tensor *ct_scalar_tensor_int(int64_t value, const ct_opts *opts);

/* torch.empty/zeros/ones/full(size, ...): default dtype = default float. */
ct_tensor *ct_empty(int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_zeros(int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_ones(int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_full(int ndim, const int64_t *sizes, double fill_value, const ct_opts *opts);
/* *_like: same shape as t; dtype defaults to t's. The result is contiguous. */
ct_tensor *ct_empty_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_zeros_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_ones_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_full_like(const ct_tensor *t, double fill_value, const ct_opts *opts);
/* t.new_*: a new shape; dtype defaults to t's. */
ct_tensor *ct_new_empty(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_new_zeros(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_new_ones(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_new_full(const ct_tensor *t, int ndim, const int64_t *sizes, double fill_value, const ct_opts *opts);

/* torch.arange with integer arguments (dtype defaults to int64), and with
 * floating arguments (dtype defaults to the default float dtype).
 * Length = ceil((end - start) / step). Errors as PyTorch: "step must be
 * nonzero", "upper bound and larger bound inconsistent with step sign". */
ct_tensor *ct_arange(int64_t start, int64_t end, int64_t step, const ct_opts *opts);
ct_tensor *ct_arange_f(double start, double end, double step, const ct_opts *opts);
/* torch.range (deprecated in PyTorch, end inclusive): floor((end-start)/step)+1
 * elements, default float dtype. */
ct_tensor *ct_range(double start, double end, double step, const ct_opts *opts);
/* torch.linspace / torch.logspace(start, end, steps, base): steps >= 0
 * ("number of steps must be non-negative"). */
ct_tensor *ct_linspace(double start, double end, int64_t steps, const ct_opts *opts);
ct_tensor *ct_logspace(double start, double end, int64_t steps, double base, const ct_opts *opts);
/* torch.eye(n, m): m == -1 means m = n ("n must be greater or equal to 0,
 * got -1" for other negatives). */
ct_tensor *ct_eye(int64_t n, int64_t m, const ct_opts *opts);

/* ---- views (share storage with t) ----------------------------------------- */

/* t.view(*sizes): one size may be -1. Fails with PyTorch's "view size is not
 * compatible with input tensor's size and stride (at least one dimension
 * spans across two contiguous subspaces). Use .reshape(...) instead." */
ct_tensor *ct_view(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct_view_as(const ct_tensor *t, const ct_tensor *other);
/* t.reshape(*sizes): a view when the strides allow it, else a copy. */
ct_tensor *ct_reshape(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct_reshape_as(const ct_tensor *t, const ct_tensor *other);
ct_tensor *ct_transpose(const ct_tensor *t, int dim0, int dim1);
/* t.permute(*dims): dims is a permutation of 0..ndim-1 (negatives allowed). */
ct_tensor *ct_permute(const ct_tensor *t, int ndim, const int64_t *dims);
/* t.t(): <= 2-D only ("t() expects a tensor with <= 2 dimensions, but self is 3D"). */
ct_tensor *ct_t(const ct_tensor *t);
/* t.expand(*sizes): -1 keeps a size; new leading dims allowed; only size-1
 * dims can grow (stride becomes 0). */
ct_tensor *ct_expand(const ct_tensor *t, int ndim, const int64_t *sizes);
ct_tensor *ct_expand_as(const ct_tensor *t, const ct_tensor *other);
ct_tensor *ct_broadcast_to(const ct_tensor *t, int ndim, const int64_t *sizes);
/* torch.broadcast_shapes for two shapes: writes the result (at most
 * CT_MAX_DIMS entries) to out_sizes and returns its ndim, or -1 with
 * at::infer_size's "The size of tensor a (3) must match the size of tensor
 * b (4) at non-singleton dimension 1" (innermost mismatch first; negative
 * sizes: "Trying to create tensor with negative dimension (-1): (-1)"). */
CT_NODISCARD int ct_broadcast_shapes(int ndim_a, const int64_t *a, int ndim_b, const int64_t *b,
                                     int64_t *out_sizes);
ct_tensor *ct_squeeze(const ct_tensor *t);               /* all size-1 dims */
ct_tensor *ct_squeeze_dim(const ct_tensor *t, int dim);  /* no-op if size != 1 */
ct_tensor *ct_unsqueeze(const ct_tensor *t, int dim);    /* dim in [-ndim-1, ndim] */
/* torch.flatten(t, start_dim, end_dim); a 0-dim tensor becomes 1-D. */
ct_tensor *ct_flatten(const ct_tensor *t, int start_dim, int end_dim);
/* t.unflatten(dim, sizes): sizes multiply to t.size(dim); one may be -1. */
ct_tensor *ct_unflatten(const ct_tensor *t, int dim, int ndim, const int64_t *sizes);
ct_tensor *ct_narrow(const ct_tensor *t, int dim, int64_t start, int64_t length);
/* t.select(dim, index) == t[..., index, ...]: removes dim. */
ct_tensor *ct_select(const ct_tensor *t, int dim, int64_t index);
/* t[start:end:step] along dim, Python rules: negative indices count from the
 * end, out-of-range bounds clamp, CT_END as end means "to the end".
 * step must be > 0 (Python's "slice step cannot be zero" / "step must be
 * greater than zero"). See docs/views.md. */
#define CT_END INT64_MAX
ct_tensor *ct_slice(const ct_tensor *t, int dim, int64_t start, int64_t end, int64_t step);
/* torch.diagonal(t, offset, dim1, dim2): the diagonal becomes the last dim. */
ct_tensor *ct_diagonal(const ct_tensor *t, int64_t offset, int dim1, int dim2);
/* t.unfold(dim, size, step): all windows of `size` along dim, as a new last
 * dim of length size; dim shrinks to (n - size) / step + 1. */
ct_tensor *ct_unfold(const ct_tensor *t, int dim, int64_t size, int64_t step);
/* torch.as_strided(t, size, stride, storage_offset); storage_offset < 0
 * keeps t's offset. Bounds are checked against the storage ("setStorage:
 * sizes [...], strides [...], storage offset 0, and itemsize 4 requiring a
 * storage size of 40 are out of bounds for storage of size 24"). */
ct_tensor *ct_as_strided(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                         int64_t storage_offset);
/* t.contiguous(): t itself (a new reference) when already contiguous. */
ct_tensor *ct_contiguous(const ct_tensor *t);
/* t.clone(): a contiguous copy (row-major strides). */
ct_tensor *ct_clone(const ct_tensor *t);
/* t.detach(): same storage, requires_grad false, no history. */
ct_tensor *ct_detach(const ct_tensor *t);

/* ---- conversion and data access ------------------------------------------- */

/* t.to(dtype): t itself (new reference) when dtype already matches, else a
 * converted contiguous copy. float->int truncates toward zero; ->bool is
 * (x != 0); float16/bfloat16 round to nearest even. Out-of-range and NaN
 * conversions give what PyTorch gives on x86-64 (docs/conversion.md). */
ct_tensor *ct_to_dtype(const ct_tensor *t, ct_dtype dtype);
/* t.to(dtype, copy=True) always copies. */
ct_tensor *ct_to_dtype_copy(const ct_tensor *t, ct_dtype dtype);
ct_tensor *ct_float(const ct_tensor *t);   /* t.float() */
ct_tensor *ct_double(const ct_tensor *t);  /* t.double() */
ct_tensor *ct_long(const ct_tensor *t);    /* t.long() */
ct_tensor *ct_int(const ct_tensor *t);     /* t.int() */
ct_tensor *ct_half(const ct_tensor *t);    /* t.half() */
ct_tensor *ct_bfloat16(const ct_tensor *t);/* t.bfloat16() */
ct_tensor *ct_bool(const ct_tensor *t);    /* t.bool() */

/* t.item(): one element ("a Tensor with 2 elements cannot be converted to
 * Scalar"), as double / int64 (converted like t.to(...)) / bool. */
CT_NODISCARD int ct_item(const ct_tensor *t, double *out);
CT_NODISCARD int ct_item_int64(const ct_tensor *t, int64_t *out);
CT_NODISCARD int ct_item_bool(const ct_tensor *t, bool *out);

/* Copy t's elements in row-major (logical) order into buf, converted to
 * dtype (CT_DTYPE_DEFAULT = t's own). buf_bytes must be at least
 * numel * itemsize. The C counterpart of t.numpy() / t.tolist(). */
CT_NODISCARD int ct_copy_to_buffer(const ct_tensor *t, ct_dtype dtype, void *buf, size_t buf_bytes);

/* dst.copy_(src): src broadcasts to dst's shape and converts to dst's dtype.
 * Overlapping memory is handled (src is read before dst is written). */
CT_NODISCARD int ct_copy_(ct_tensor *dst, const ct_tensor *src);
/* t.fill_(v) / t.zero_(). */
CT_NODISCARD int ct_fill_(ct_tensor *t, double value);
CT_NODISCARD int ct_zero_(ct_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
