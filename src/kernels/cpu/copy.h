/* Internal: the copy/convert kernel. */
#ifndef CT_KERNELS_CPU_COPY_H
#define CT_KERNELS_CPU_COPY_H

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

/* Operand 0 is the destination (dtype dst), operand 1 the source (dtype
 * src); every element is converted. Parallel above the grain size. */
void ct__kernel_copy(const ct_strided_iter *it, ct_dtype dst, ct_dtype src);

/* Write value (converted from double as a floating source would be) to
 * every element of operand 0. */
void ct__kernel_fill(const ct_strided_iter *it, ct_dtype dtype, double value);

#endif
