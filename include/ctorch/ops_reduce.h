/* ctorch/ops_reduce.h — reductions and scans (torch.sum, mean, prod, var, norm, cumsum, all, any, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_REDUCE_H
#define CTORCH_OPS_REDUCE_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- reductions ------------------------------------------------------------ */
/* torch.sum(x) / x.sum(dims, keepdim): integers (and bool) sum to int64,
 * floats keep their dtype. dims: ndims entries (negative allowed);
 * ndims == 0 means all dims. */
ct_tensor *ct_sum(const ct_tensor *x);
ct_tensor *ct_sum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);
/* torch.mean: floating inputs only ("mean(): could not infer output dtype.
 * Input dtype must be either a floating point or complex dtype. Got: Long"). */
ct_tensor *ct_mean(const ct_tensor *x);
ct_tensor *ct_mean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);


#ifdef __cplusplus
}
#endif
#endif
