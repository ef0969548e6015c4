/* Internal: reduction kernels on raw strided data. */
#ifndef CT_KERNELS_CPU_REDUCE_H
#define CT_KERNELS_CPU_REDUCE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* out[o] = sum over the reduced dims of in, for every output position o.
 * in: (ndim, sizes, in_strides) in elements of in_dtype; reduce[d] marks
 * reduced dims. out: contiguous over the kept dims, of out_dtype (the
 * accumulation type: int64 for integral inputs, the float dtype itself
 * for floating ones, accumulated in double for float32 / float16 /
 * bfloat16 and in long double-free pairwise double for float64). */
void ct__kernel_sum(void *out, ct_dtype out_dtype, const void *in, ct_dtype in_dtype, int ndim, const int64_t *sizes,
                    const int64_t *in_strides, const bool *reduce);

#endif
