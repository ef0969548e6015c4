/* Internal: what every op shares — type promotion, broadcasting outputs,
 * running a pointwise kernel, and undoing broadcasting in backward. */
#ifndef CT_OPS_OP_UTIL_H
#define CT_OPS_OP_UTIL_H

#include "autograd/node.h"
#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "tensor/tensor_iter.h"

/* torch.result_type with one tensor and a Python-float-like scalar. */
ct_dtype ct__result_type_scalar(const ct_tensor *a);

/* x converted to dtype: x itself (new reference) when it already is. */
ct_tensor *ct__as_dtype(const ct_tensor *x, ct_dtype dtype);

/* Sum grad down to (ndim, sizes), undoing broadcasting. New reference. */
ct_tensor *ct__sum_to(const ct_tensor *grad, int ndim, const int64_t *sizes);

/* Drop tensors created inside an op (NULLs fine), n of them. */
void ct__free_all(int n, ct_tensor **ts);

#endif
