/* ctorch/ops_index.h — indexing (index_select, gather, scatter, masked_fill, take, nonzero, advanced indexing, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_INDEX_H
#define CTORCH_OPS_INDEX_H

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
