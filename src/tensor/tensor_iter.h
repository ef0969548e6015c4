/* Internal: build a strided iterator over tensors. */
#ifndef CT_TENSOR_TENSOR_ITER_H
#define CT_TENSOR_TENSOR_ITER_H

#include "kernels/cpu/strided_iter.h"
#include "tensor/tensor_impl.h"

/* Operand 0 (usually the output) fixes the iteration shape; the others
 * broadcast to it (stride 0 on new or size-1 dims). Fails with PyTorch's
 * broadcast message when an operand does not fit. */
CT_NODISCARD int ct__iter_over(ct_strided_iter *it, int n, const ct_tensor *const *tensors);

/* Element strides of t broadcast to (ndim, sizes), or -1 with
 * "The expanded size of the tensor (4) must match the existing size (3) at
 * non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]". */
CT_NODISCARD int ct__broadcast_strides(const ct_tensor *t, int ndim, const int64_t *sizes, int64_t *strides);

#endif
