/* ctorch/ops_sort.h — sorting and selection (torch.max/min with indices, argmax, sort, topk, median, mode, kthvalue, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_SORT_H
#define CTORCH_OPS_SORT_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
