/* Internal: helpers shared by the indexing ops (index.c, scatter.c,
 * advanced_index.c). */
#ifndef CT_OPS_INDEX_INTERNAL_H
#define CT_OPS_INDEX_INTERNAL_H

#include "kernels/cpu/index.h"
#include "ops/op_util.h"


/* No-graph cores. self and index have the same ndim (>= 1); dim wrapped.
 * scatter: a contiguous copy of self with src (NULL: value) combined in
 * at the indexed positions; gather: out of index's shape. On an
 * out-of-range index: NULL, *bad set, no error set (the caller words it). */
ct_tensor *ct__scatter_run(const ct_tensor *self, int dim, const ct_tensor *index, const ct_tensor *src, double value,
                           ct__scatter_op op, double alpha, bool wrap, bool *oob, int64_t *bad);
ct_tensor *ct__gather_run(const ct_tensor *self, int dim, const ct_tensor *index, bool wrap, bool *oob, int64_t *bad);

/* zeros of (ndim, sizes) in dtype */
ct_tensor *ct__index_zeros(ct_dtype dtype, int ndim, const int64_t *sizes);
/* A graph-free comparison mask a == b (broadcast) as a tensor of dtype
 * (1 / 0): the constant factors of max/min backward. */
ct_tensor *ct__index_eq_mask(const ct_tensor *a, const ct_tensor *b, ct_dtype dtype);
/* Graph-free bool mask of t == value. */
ct_tensor *ct__index_eq_value(const ct_tensor *t, double value);

/* scatter_reduce with a wrapped dim and a parsed reduction (0 sum, 1 prod,
 * 2 mean, 3 amax, 4 amin), recording node `name`. *oob on entry: true to
 * leave the out-of-range message to the caller; on return: whether an
 * index was out of range. */
ct_tensor *ct__scatter_reduce_impl(const ct_tensor *self, int d, const ct_tensor *index, const ct_tensor *src, int k,
                                   bool include_self, const char *name, bool *oob);
#endif
