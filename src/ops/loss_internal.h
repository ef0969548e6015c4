/* Internal: helpers shared by the loss files (src/ops/loss*.c, src/nn/loss.c). */
#ifndef CT_OPS_LOSS_INTERNAL_H
#define CT_OPS_LOSS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ctorch/nn_loss.h"
#include "ctorch/scope.h"

/* Keep r in the enclosing scope and close the current one (NULL passes). */
ct_tensor *ct__loss_keep_end(ct_tensor *r);
/* PyTorch's "<name> is not a valid value for reduction". */
bool ct__loss_reduction_ok(ct_reduction r, bool allow_batchmean);
/* apply_loss_reduction: mean / sum / (none: a new reference to l). */
ct_tensor *ct__loss_reduce(const ct_tensor *l, ct_reduction r);
/* "torch.Size([2, 3])" */
const char *ct__loss_torch_size(char *buf, size_t len, const ct_tensor *t);

#endif
