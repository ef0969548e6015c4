/* Internal: differentiable helpers shared by the reduction and scan ops
 * (src/ops/reduce.c, src/ops/scan.c). They record PyTorch's node names
 * (FlipBackward0, CatBackward0) so backward formulas built from them stay
 * differentiable. */
#ifndef CT_OPS_REDUCE_INTERNAL_H
#define CT_OPS_REDUCE_INTERNAL_H

#include "ops/op_util.h"

/* torch.flip(x, [dim]). New reference. */
ct_tensor *ct__flip_dim(const ct_tensor *x, int dim);
/* torch.cat([a, b], dim): a and b have equal sizes except along dim and
 * the same dtype. New reference. */
ct_tensor *ct__cat2(const ct_tensor *a, const ct_tensor *b, int dim);

#endif
