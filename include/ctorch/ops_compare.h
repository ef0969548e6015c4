/* ctorch/ops_compare.h — comparisons, predicates, logical and bitwise ops (torch.eq, isclose, isnan, logical_and, bitwise_xor, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_COMPARE_H
#define CTORCH_OPS_COMPARE_H

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
