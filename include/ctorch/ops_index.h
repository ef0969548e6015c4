/* ctorch/ops_index.h — indexing (index_select, gather, scatter, masked_fill, take, nonzero, advanced indexing, ...).
 * Conventions of every op: see ctorch/ops.h.
 *
 * Common rules of this family:
 * - dim is wrapped as in PyTorch (negative counts from the end); a 0-dim
 *   tensor acts as a 1-element 1-D one where PyTorch does so.
 * - Index tensors are int64 (index_select, index_add and index_reduce also
 *   take int32), never require grad, and are borrowed; out-of-range
 *   indices give PyTorch's message and no partial write.
 * - Results are new tensors of self's dtype (no type promotion: self and
 *   src/source must have the same dtype, as PyTorch requires).
 * - Differentiable w.r.t. self and src/source/values (floating dtypes);
 *   never w.r.t. indices or masks. Integer/bool results never require grad.
 * - In-place forms (trailing _) write into self, bump its version and
 *   return CT_OK/CT_ERROR; self's shape never changes.
 * - A NULL tensor argument returns NULL (CT_ERROR) without setting an error.
 */
#ifndef CTORCH_OPS_INDEX_H
#define CTORCH_OPS_INDEX_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- along one dim with an index tensor of self's rank (ScatterGather) ----
 * index: same number of dims as self; index.size(d) <= self.size(d) for
 * d != dim (and <= src.size(d) for every d when src is given).
 * Values in [0, self.size(dim)); negative indices are errors. */

/* torch.gather(self, dim, index): out[i][j] = self[index[i][j]][j] (dim 0).
 * -> index's shape. Backward: zeros(self).scatter_add(dim, index, grad). */
ct_tensor *ct_gather(const ct_tensor *self, int64_t dim, const ct_tensor *index);
/* torch.scatter(self, dim, index, src): out = self; out[index[i][j]][j] =
 * src[i][j]. Duplicate indices: the last write in row-major order wins. */
ct_tensor *ct_scatter(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src);
/* torch.scatter(self, dim, index, value) with a number. */
ct_tensor *ct_scatter_value(const ct_tensor *self, int64_t dim, const ct_tensor *index, double value);
/* torch.scatter_add: out[index[i][j]][j] += src[i][j] (duplicates add up). */
ct_tensor *ct_scatter_add(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src);
/* torch.scatter_reduce(self, dim, index, src, reduce, include_self=):
 * reduce is "sum", "prod", "mean", "amax" or "amin"; include_self false
 * starts every scattered-to position from the reduction's identity
 * (PyTorch's default is true). Integer "mean" rounds down. */
ct_tensor *ct_scatter_reduce(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src,
                             const char *reduce, bool include_self);
CT_NODISCARD int ct_scatter_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src);
CT_NODISCARD int ct_scatter_value_(ct_tensor *self, int64_t dim, const ct_tensor *index, double value);
CT_NODISCARD int ct_scatter_add_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src);
CT_NODISCARD int ct_scatter_reduce_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src,
                                    const char *reduce, bool include_self);

/* ---- along one dim with a vector index (0-D or 1-D) ----
 * index_select/index_add/index_reduce take int64 or int32 indices, the
 * others int64. source has self's rank (or is 0-dim), index.numel() ==
 * source.size(dim), and source.size(d) == self.size(d) for d != dim. */

/* torch.index_select(self, dim, index): self's shape with size(dim) =
 * index.numel(). Backward: zeros(self).index_add(dim, index, grad). */
ct_tensor *ct_index_select(const ct_tensor *self, int64_t dim, const ct_tensor *index);
/* torch.index_add(self, dim, index, source, alpha=): out = self;
 * out.select(dim, index[i]) += alpha * source.select(dim, i); duplicates add. */
ct_tensor *ct_index_add(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                        double alpha);
/* torch.index_copy: out.select(dim, index[i]) = source.select(dim, i). */
ct_tensor *ct_index_copy(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source);
/* torch.index_fill(self, dim, index, value): negative indices wrap. */
ct_tensor *ct_index_fill(const ct_tensor *self, int64_t dim, const ct_tensor *index, double value);
/* torch.index_reduce(self, dim, index, source, reduce, include_self=):
 * reduce "prod", "mean", "amax" or "amin" (PyTorch's default include_self
 * is true). */
ct_tensor *ct_index_reduce(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                           const char *reduce, bool include_self);
CT_NODISCARD int ct_index_add_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                               double alpha);
CT_NODISCARD int ct_index_copy_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source);
CT_NODISCARD int ct_index_fill_(ct_tensor *self, int64_t dim, const ct_tensor *index, double value);
CT_NODISCARD int ct_index_reduce_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                                  const char *reduce, bool include_self);

/* ---- masks (bool; uint8 accepted as PyTorch does) ----
 * self and mask broadcast (out-of-place forms give the broadcast shape;
 * in-place forms need mask to broadcast to self). */

/* torch.masked_fill(self, mask, value): value converted to self's dtype
 * (1.5 into int64 gives 1). Backward: grad.masked_fill(mask, 0). */
ct_tensor *ct_masked_fill(const ct_tensor *self, const ct_tensor *mask, double value);
/* masked_fill with a 0-dim value tensor (differentiable w.r.t. value:
 * the sum of grad where mask is set). */
ct_tensor *ct_masked_fill_tensor(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *value);
/* torch.masked_select -> 1-D, the selected elements of broadcast(self,
 * mask) in row-major order. mask must be bool or uint8. */
ct_tensor *ct_masked_select(const ct_tensor *self, const ct_tensor *mask);
/* torch.masked_scatter: the k-th set position (row-major) takes source's
 * k-th element (source read flattened; needs enough elements). */
ct_tensor *ct_masked_scatter(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *source);
CT_NODISCARD int ct_masked_fill_(ct_tensor *self, const ct_tensor *mask, double value);
CT_NODISCARD int ct_masked_fill_tensor_(ct_tensor *self, const ct_tensor *mask, const ct_tensor *value);
CT_NODISCARD int ct_masked_scatter_(ct_tensor *self, const ct_tensor *mask, const ct_tensor *source);

/* ---- flat and coordinate forms ---- */

/* torch.take(self, index): self read as flattened, index (int64, any
 * shape, negative wraps) -> index's shape. */
ct_tensor *ct_take(const ct_tensor *self, const ct_tensor *index);
/* torch.nonzero(self) -> (n, self.dim()) int64 coordinates, row-major. */
ct_tensor *ct_nonzero(const ct_tensor *self);
/* torch.nonzero(self, as_tuple=True): writes max(self.dim(), 1) 1-D int64
 * tensors (new references) into out (room for CT_MAX_DIMS) and returns
 * how many, or CT_ERROR. */
CT_NODISCARD int ct_nonzero_tuple(const ct_tensor *self, ct_tensor **out);

/* ---- advanced indexing ----
 * indices: n entries, one per leading dim of x; a NULL entry is ':' (the
 * whole dim; trailing dims are implicitly ':'). Entries are int64 (a
 * coordinate per element, negative wraps) or bool/uint8 masks (a k-dim
 * mask indexes k dims, as its nonzero() columns). Index tensors broadcast
 * together to B; the result is x's non-indexed dims with B in place of the
 * indexed block when the indexed dims are adjacent, else B first.
 * Slices with steps / single integers: compose with ct_slice / ct_select. */

/* x[indices] -> new tensor (a copy). With no index tensor: a view of x. */
ct_tensor *ct_index(const ct_tensor *x, int n, const ct_tensor *const *indices);
/* x.index_put(indices, values, accumulate): values (x's dtype) broadcast to
 * x[indices]'s shape; accumulate adds (duplicates add up), else assigns
 * (duplicates: the last in row-major order wins). */
ct_tensor *ct_index_put(const ct_tensor *x, int n, const ct_tensor *const *indices, const ct_tensor *values,
                        bool accumulate);
/* x[indices] = values (accumulate false) or += (true), in place. */
CT_NODISCARD int ct_index_put_(ct_tensor *x, int n, const ct_tensor *const *indices, const ct_tensor *values,
                               bool accumulate);

#ifdef __cplusplus
}
#endif
#endif
