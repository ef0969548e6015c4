/* ctorch/ops.h — differentiable tensor operations (torch.* and Tensor.*).
 *
 * Every op: broadcasting (numpy rules) where PyTorch broadcasts, type
 * promotion as torch.result_type (a C double scalar acts as a Python
 * float: it does not raise a tensor's dtype within its category, but an
 * integer tensor with a double scalar gives the default float dtype), a
 * backward when any input requires grad, a new reference as result, NULL
 * with PyTorch's message on error. In-place forms (trailing _) return
 * CT_OK/CT_ERROR and bump the tensor's version. */
#ifndef CTORCH_OPS_H
#define CTORCH_OPS_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#include "ops_arith.h"
#include "ops_compare.h"
#include "ops_index.h"
#include "ops_join.h"
#include "ops_linalg.h"
#include "ops_pointwise.h"
#include "ops_reduce.h"
#include "ops_sort.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.result_type(a, b) for two tensors (0-dim tensors count less than
 * dimensioned ones, as in PyTorch). */
ct_dtype ct_result_type(const ct_tensor *a, const ct_tensor *b);


#ifdef __cplusplus
}
#endif
#endif
