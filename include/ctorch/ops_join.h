/* ctorch/ops_join.h — joining and splitting (cat, stack, split, chunk, flip, roll, tril, einsum, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_JOIN_H
#define CTORCH_OPS_JOIN_H

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
