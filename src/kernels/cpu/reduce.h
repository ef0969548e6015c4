/* Internal: reduction kernels on raw strided data. */
#ifndef CT_KERNELS_CPU_REDUCE_H
#define CT_KERNELS_CPU_REDUCE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* out[o] = sum over the reduced dims of in, for every output position o.
 * in: (ndim, sizes, in_strides) in elements of in_dtype; reduce[d] marks
 * reduced dims. out: contiguous over the kept dims, of out_dtype (int64
 * for integral inputs, the float dtype itself for floating ones).
 * float32 / float16 / bfloat16 accumulate in float in PyTorch's cascade
 * order (SumKernel.cpp: 4-way interleaved rows, 8-lane vectors for a
 * contiguous inner run); float64 in the same order in double; integers in
 * wrapping int64. */
void ct__kernel_sum(void *out, ct_dtype out_dtype, const void *in, ct_dtype in_dtype, int ndim, const int64_t *sizes,
                    const int64_t *in_strides, const bool *reduce);

typedef enum ct_reduce_kind {
    CT_REDUCE_NANSUM,        /* sum, NaN as 0 */
    CT_REDUCE_PROD,          /* product (int64 wrapping for integers) */
    CT_REDUCE_VAR,           /* param = correction; out2 = mean (may be NULL) */
    CT_REDUCE_STD,           /* sqrt of VAR */
    CT_REDUCE_NORM,          /* param = p (0, 1, 2, +-inf, other) */
    CT_REDUCE_LOGSUMEXP,
    CT_REDUCE_ALL,           /* x != 0 everywhere (NaN is true) */
    CT_REDUCE_ANY,
    CT_REDUCE_COUNT_NONZERO, /* int64 count */
} ct_reduce_kind;

/* Generic reduction: same layout rules as ct__kernel_sum; out2 (same
 * dtype and layout as out) only for VAR / STD. Floating inputs compute in
 * double and round on store; integral inputs in int64. */
void ct__kernel_reduce(ct_reduce_kind kind, double param, void *out, void *out2, ct_dtype out_dtype, const void *in,
                       ct_dtype in_dtype, int ndim, const int64_t *sizes, const int64_t *in_strides,
                       const bool *reduce);

/* Store an int64 into an element of an integral (or bool) dtype, wrapping
 * as a C cast does. */
void ct__store_int64(void *p, ct_dtype dtype, int64_t v);

#endif
