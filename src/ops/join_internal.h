/* Internal: helpers shared by the join family's files (join.c, split.c,
 * repeat.c, flip.c, search.c, triangular.c). */
#ifndef CT_OPS_JOIN_INTERNAL_H
#define CT_OPS_JOIN_INTERNAL_H

#include "ops/op_util.h"

/* A list of n NULL items (malloc'd); NULL with the error set when out of
 * memory. */
ct_tensor_list *ct__list_new(int n);
/* True when n >= 0, tensors is non-NULL (or n == 0) and no entry is NULL.
 * Sets no error (NULL arguments propagate silently). */
bool ct__list_ok(int n, ct_tensor *const *tensors);

/* The gradient of a piece [start, start + g.size(dim)) of a tensor whose
 * size along dim is total: g padded with zeros along dim. Differentiable
 * (built with ct_cat). New reference. */
ct_tensor *ct__pad_along(const ct_tensor *g, int dim, int64_t start, int64_t total);

/* Mark out (a view of x) as carrying a view's autograd state after a node
 * was recorded on it. */
void ct__mark_view(ct_tensor *out);

#endif
