/* Internal: index_select and index_add on contiguous tensors, seen along
 * their dim as (outer, size, inner): whole runs of `inner` elements are
 * copied or added instead of walking an expanded index element by element
 * (index.c's general kernel, which handles every other layout). */
#ifndef CT_KERNELS_CPU_INDEX_SLICES_H
#define CT_KERNELS_CPU_INDEX_SLICES_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* dst (outer, n, inner) = src (outer, size, inner) at idx[0..n) along the
 * middle dim (idx int64 or int32), any dtype. Every index is checked first:
 * on one outside [0, size) nothing is written, *bad is set to the first
 * such (in index order) and false is returned. */
bool ct__index_select_slices(ct_dtype dtype, const void *src, int64_t outer, int64_t size, int64_t inner,
                             const void *idx, ct_dtype idx_dtype, int64_t n, void *dst, int64_t *bad);

/* dst (outer, size, inner) += alpha * src (outer, n, inner) at idx along the
 * middle dim; dtype float32 or float64 (the caller runs index.c's general
 * kernel for the others). Indices in order, so repeated ones add up as in
 * PyTorch's serial CPU loop; each element as index.c computes it (in
 * double: a + b, or a + alpha * b), the same bits at any thread count.
 * Range check as above (false, *bad set, nothing written). */
bool ct__index_add_slices(ct_dtype dtype, void *dst, int64_t outer, int64_t size, int64_t inner, const void *idx,
                          ct_dtype idx_dtype, int64_t n, const void *src, double alpha, int64_t *bad);

#endif
