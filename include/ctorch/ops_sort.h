/* ctorch/ops_sort.h — sorting and selection (torch.max/min with indices, argmax, sort, topk, median, mode, kthvalue, ...).
 * Conventions of every op: see ctorch/ops.h.
 *
 * Ops with two results (values, indices) return CT_OK / CT_ERROR and hand
 * them out through out-parameters: each may be NULL when that result is
 * not wanted; on success each non-NULL pointer receives a new reference,
 * on error both receive NULL. A NULL x returns CT_ERROR without touching
 * the last error. indices are int64 and never require grad; values keep
 * x's dtype and are differentiable (PyTorch's grad_fn names are given).
 *
 * `dim` may be negative; a 0-dim x accepts dim 0 and -1 and gives 0-dim
 * results. keepdim keeps the reduced dim with size 1. NaN counts as larger
 * than every number (sort, topk, kthvalue) or wins (max, min, argmax,
 * argmin, median); among equal values the index chosen is exactly the one
 * PyTorch 1.13.1's CPU kernels choose (docs/ops-sort.md). */
#ifndef CTORCH_OPS_SORT_H
#define CTORCH_OPS_SORT_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.max(x) / torch.min(x): the largest / smallest element as a 0-dim
 * tensor of x's dtype (NaN if any element is NaN). All dtypes. Empty x:
 * "max(): Expected reduction dim to be specified for input.numel() == 0.
 * Specify the reduction dim with the 'dim' argument.". Backward
 * (MaxBackward1 / MinBackward1): the gradient is shared evenly among the
 * elements equal to the result. */
ct_tensor *ct_max(const ct_tensor *x);
ct_tensor *ct_min(const ct_tensor *x);

/* torch.max(x, dim, keepdim) / torch.min: x (..., n, ...) -> values and
 * indices (..., ...) (or (..., 1, ...) with keepdim). The first NaN, else
 * the first occurrence of the extreme value. All dtypes. n == 0: "max():
 * Expected reduction dim 0 to have non-zero size.". Backward MaxBackward0 /
 * MinBackward0: the gradient goes to the selected index. */
CT_NODISCARD int ct_max_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices);
CT_NODISCARD int ct_min_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices);

/* torch.argmax(x) / argmin(x): the flat index (0-dim int64) of the first
 * NaN, else of the first extreme element. _dim forms: along dim (int64,
 * shapes as ct_max_dim). Not differentiable. Bool x: "\"argmax_cpu\" not
 * implemented for 'Bool'"; empty x: "argmax(): Expected reduction dim to be
 * specified for input.numel() == 0.". */
ct_tensor *ct_argmax(const ct_tensor *x);
ct_tensor *ct_argmin(const ct_tensor *x);
ct_tensor *ct_argmax_dim(const ct_tensor *x, int dim, bool keepdim);
ct_tensor *ct_argmin_dim(const ct_tensor *x, int dim, bool keepdim);

/* torch.median(x): the lower median of all elements (element (n-1)/2 in
 * sorted order), NaN if any element is NaN; torch.nanmedian(x) ignores
 * NaNs (NaN only if all are). 0-dim result of x's dtype; empty x gives NaN
 * converted to x's dtype (as PyTorch). Bool and float16: "\"median_cpu\"
 * not implemented for 'Half'". Backward MedianBackward0 / NanmedianBackward0:
 * shared evenly among the elements equal to the result. */
ct_tensor *ct_median(const ct_tensor *x);
ct_tensor *ct_nanmedian(const ct_tensor *x);

/* torch.median(x, dim, keepdim) / torch.nanmedian(x, dim, keepdim): the
 * lower median along dim and its index (among equal values, the one of
 * rank (n-1)/2 in index order; with NaN present, median returns the first
 * NaN). Bool/float16: "\"median_out\" not implemented for 'Half'".
 * Backward MedianBackward1 / NanmedianBackward1. */
CT_NODISCARD int ct_median_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices);
CT_NODISCARD int ct_nanmedian_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values,
                                  ct_tensor **indices);

/* torch.mode(x, dim=-1, keepdim): the most frequent value along dim (the
 * smallest among equally frequent ones) and the index PyTorch returns (the
 * last of its run after PyTorch's unstable sort). All dtypes. Backward
 * ModeBackward0. Pass dim = -1 for PyTorch's default. */
CT_NODISCARD int ct_mode(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices);

/* torch.kthvalue(x, k, dim=-1, keepdim): the k-th smallest (1-based) along
 * dim. k outside [1, n]: "kthvalue(): selected number k out of range for
 * dimension 1". Bool/float16 not implemented ("kthvalue_cpu"). Backward
 * KthvalueBackward0. */
CT_NODISCARD int ct_kthvalue(const ct_tensor *x, int64_t k, int dim, bool keepdim, ct_tensor **values,
                             ct_tensor **indices);

/* torch.topk(x, k, dim=-1, largest=True, sorted=True): x (..., n, ...) ->
 * (..., k, ...). k outside [0, n]: "selected index k out of range".
 * Bool/float16 not implemented ("topk_cpu"). Backward TopkBackward0. */
CT_NODISCARD int ct_topk(const ct_tensor *x, int64_t k, int dim, bool largest, bool sorted, ct_tensor **values,
                         ct_tensor **indices);

/* torch.sort(x, dim=-1, descending=False): values and indices of x's shape.
 * NaN sorts as the largest value. Equal values come out in the order
 * PyTorch's (unstable) std::sort leaves them. Backward SortBackward0.
 * ct_sort_stable is torch.sort(x, stable=..., dim=..., descending=...)
 * (PyTorch's sort.stable overload, SortBackward1); stable = true keeps
 * equal values in index order. All dtypes. */
CT_NODISCARD int ct_sort(const ct_tensor *x, int dim, bool descending, ct_tensor **values, ct_tensor **indices);
CT_NODISCARD int ct_sort_stable(const ct_tensor *x, bool stable, int dim, bool descending, ct_tensor **values,
                                ct_tensor **indices);

/* torch.argsort(x, dim=-1, descending=False[, stable]): the indices of
 * ct_sort / ct_sort_stable. int64, not differentiable. */
ct_tensor *ct_argsort(const ct_tensor *x, int dim, bool descending);
ct_tensor *ct_argsort_stable(const ct_tensor *x, bool stable, int dim, bool descending);

/* torch.msort(x): the values of sort along dim 0 (SortBackward0). */
ct_tensor *ct_msort(const ct_tensor *x);

#ifdef __cplusplus
}
#endif
#endif
