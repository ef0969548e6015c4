/* ctorch/ops_reduce.h — reductions and scans (torch.sum, mean, prod, var, norm, cumsum, all, any, ...).
 * Conventions of every op: see ctorch/ops.h.
 *
 * Shared conventions of this family (docs/ops-reduce.md):
 *  - dims: (ndims, dims) lists the reduced dims, negative allowed, each at
 *    most once ("dim 0 appears multiple times in the list of dims");
 *    ndims == 0 reduces every dim (PyTorch's dim=None / dim=[]); dims may
 *    be NULL when ndims == 0. A bad dim gives PyTorch's "Dimension out of
 *    range (expected to be in range of [-2, 1], but got 5)".
 *  - keepdim: reduced dims stay as size 1 (true) or disappear (false).
 *  - dtype: CT_DTYPE_DEFAULT means PyTorch's default (dtype=None); any
 *    other value converts the input to that dtype before reducing, as
 *    PyTorch does (torch.sum(x, dtype=torch.int64) sums truncated values).
 *    The gradient flows back in the input's dtype.
 *  - Shapes: x (d0, ..., dn) -> x with the reduced dims removed (or 1).
 *  - Returned tensors are new references; arguments are borrowed; NULL
 *    input returns NULL without touching the last error.
 *  - Multi-output ops (var_mean, std_mean, cummax, cummin) return CT_OK /
 *    CT_ERROR and write two new references through out-parameters (both
 *    NULL on error); both outputs hang on one autograd node. */
#ifndef CTORCH_OPS_REDUCE_H
#define CTORCH_OPS_REDUCE_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- sums and means --------------------------------------------------------- */
/* torch.sum(x) / x.sum(dims, keepdim): integers (and bool) sum to int64,
 * floats keep their dtype. Empty sums are 0. Backward: SumBackward0/1. */
ct_tensor *ct_sum(const ct_tensor *x);
ct_tensor *ct_sum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);
/* torch.sum(x, dtype=) / torch.sum(x, dims, keepdim, dtype=). */
ct_tensor *ct_sum_dtype(const ct_tensor *x, ct_dtype dtype);
ct_tensor *ct_sum_dim_dtype(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype);
/* torch.nansum: sum treating NaN as 0 (NansumBackward0: grad where x is
 * not NaN). Integer inputs sum to int64; dtype must be floating or int64
 * ("\"nansum_cpu\" not implemented for 'Int'"). */
ct_tensor *ct_nansum(const ct_tensor *x);
ct_tensor *ct_nansum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype);
/* torch.mean: floating inputs only ("mean(): could not infer output dtype.
 * Input dtype must be either a floating point or complex dtype. Got: Long");
 * with dtype, the dtype must be floating ("... Optional dtype must be ...")
 * and an integer input is converted first. Mean of nothing is NaN. */
ct_tensor *ct_mean(const ct_tensor *x);
ct_tensor *ct_mean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);
ct_tensor *ct_mean_dtype(const ct_tensor *x, ct_dtype dtype);
ct_tensor *ct_mean_dim_dtype(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype);
/* torch.nanmean: nansum / number of non-NaN elements (a composite: its
 * grad_fn is DivBackward0, as in PyTorch). Floating inputs only
 * ("nanmean(): expected input to have floating point dtype but got Long"). */
ct_tensor *ct_nanmean(const ct_tensor *x);
ct_tensor *ct_nanmean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);

/* ---- products ------------------------------------------------------------- */
/* torch.prod(x) / torch.prod(x, dim, keepdim): ONE dim (PyTorch's
 * signature). Integers and bool multiply to int64 (wrapping), floats keep
 * their dtype; the product of nothing is 1. Backward ProdBackward0/1,
 * exact with zeros in the input (PyTorch's prod_safe_zeros_backward). */
ct_tensor *ct_prod(const ct_tensor *x);
ct_tensor *ct_prod_dim(const ct_tensor *x, int64_t dim, bool keepdim);
ct_tensor *ct_prod_dtype(const ct_tensor *x, ct_dtype dtype);
ct_tensor *ct_prod_dim_dtype(const ct_tensor *x, int64_t dim, bool keepdim, ct_dtype dtype);

/* ---- variance and standard deviation ----------------------------------------
 * torch.var / torch.std: sum((x - mean)^2) / max(0, N - correction), std is
 * its square root. correction = 1 is unbiased=True (the default), 0 is
 * unbiased=False. Floating inputs only ("std and var only support floating
 * point and complex dtypes"). N - correction <= 0 gives inf or NaN as in
 * PyTorch. Backward: VarBackward0 / StdBackward0 (std's gradient is 0 where
 * std == 0). */
ct_tensor *ct_var(const ct_tensor *x);                       /* torch.var(x) */
ct_tensor *ct_var_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool unbiased, bool keepdim);
ct_tensor *ct_var_correction(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim);
ct_tensor *ct_std(const ct_tensor *x);
ct_tensor *ct_std_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool unbiased, bool keepdim);
ct_tensor *ct_std_correction(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim);
/* torch.var_mean / torch.std_mean(x, dims, correction=, keepdim=): both
 * outputs on one node (VarMeanBackward0 / StdMeanBackward0). Messages:
 * "var_mean only support floating point and complex dtypes" (std_mean
 * likewise). */
CT_NODISCARD int ct_var_mean(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim,
                             ct_tensor **var, ct_tensor **mean);
CT_NODISCARD int ct_std_mean(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim,
                             ct_tensor **std, ct_tensor **mean);

/* ---- norms ------------------------------------------------------------------
 * torch.norm(x, p) / torch.norm(x, p, dims, keepdim): the vector p-norm
 * over the reduced elements. p: 2, 1, INFINITY (max |x|), -INFINITY
 * (min |x|), 0 (count of non-zeros), any other real (sum |x|^p)^(1/p).
 * Floating inputs only ("norm(): input dtype should be either floating
 * point or complex. Got Long instead."). Empty inputs give 0 (also for
 * +-inf, as torch 1.13.1's norm). Backward NormBackward1 (PyTorch's
 * norm_backward; p = 0 has a zero gradient). */
ct_tensor *ct_norm(const ct_tensor *x, double p);
ct_tensor *ct_norm_dim(const ct_tensor *x, double p, int ndims, const int64_t *dims, bool keepdim);
/* torch.norm(x, "fro", dims, keepdim): the 2-norm over at most 2 dims
 * ("Expected at most 2 dimensions, but got 3 dimensions instead.");
 * ndims == 0 reduces everything. */
ct_tensor *ct_norm_fro(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);

/* torch.logsumexp(x, dims, keepdim): log(sum(exp(x))) computed stably
 * (max subtracted; +-inf maxima handled as PyTorch). ndims must be > 0
 * (PyTorch rejects dim=()). Integer inputs give the default float dtype.
 * Empty reductions give -inf. Backward LogsumexpBackward0. */
ct_tensor *ct_logsumexp(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);

/* ---- logical reductions (not differentiable: bool results) --------------------
 * torch.all / torch.any over everything or ONE dim: bool results (uint8
 * for a uint8 input, as PyTorch 1.13), any input dtype; NaN counts as
 * true. all of nothing is true, any of nothing is false. */
ct_tensor *ct_all(const ct_tensor *x);
ct_tensor *ct_all_dim(const ct_tensor *x, int64_t dim, bool keepdim);
ct_tensor *ct_any(const ct_tensor *x);
ct_tensor *ct_any_dim(const ct_tensor *x, int64_t dim, bool keepdim);
/* torch.count_nonzero(x, dims): int64, never keepdim; ndims == 0 counts
 * over everything. Not differentiable. */
ct_tensor *ct_count_nonzero(const ct_tensor *x, int ndims, const int64_t *dims);

/* ---- scans (same shape as x, along one dim) -----------------------------------
 * torch.cumsum / torch.cumprod(x, dim, dtype=): integers and bool
 * accumulate in int64 (the result dtype) unless dtype is given; floats
 * accumulate in double (float32, float64) or float (float16, bfloat16) and
 * round each step, as PyTorch's CPU kernel. A 0-dim x accepts dim 0 / -1.
 * Backward CumsumBackward0 / CumprodBackward0 (exact with zeros). The
 * in-place forms keep x's dtype (the result is cast back) and refuse
 * leaves that require grad. */
ct_tensor *ct_cumsum(const ct_tensor *x, int64_t dim);
ct_tensor *ct_cumsum_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype);
CT_NODISCARD int ct_cumsum_(ct_tensor *x, int64_t dim);
ct_tensor *ct_cumprod(const ct_tensor *x, int64_t dim);
ct_tensor *ct_cumprod_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype);
CT_NODISCARD int ct_cumprod_(ct_tensor *x, int64_t dim);
/* torch.cummax / torch.cummin(x, dim): values (x's dtype) and int64
 * indices of the running max / min; ties take the later index; once a NaN
 * is seen it stays (with its index). Backward CummaxBackward0 /
 * CumminBackward0 on the values (a scatter-add by indices). */
CT_NODISCARD int ct_cummax(const ct_tensor *x, int64_t dim, ct_tensor **values, ct_tensor **indices);
CT_NODISCARD int ct_cummin(const ct_tensor *x, int64_t dim, ct_tensor **values, ct_tensor **indices);

#ifdef __cplusplus
}
#endif
#endif
