/* Internal: fused, numerically stable softmax / log_softmax over one
 * dimension of a contiguous tensor viewed as (outer, n, inner): per row,
 * the maximum is subtracted before exponentiating; sums accumulate in
 * double. float32 / float64 / bfloat16 (computed in float32). */
#ifndef CT_KERNELS_CPU_SOFTMAX_H
#define CT_KERNELS_CPU_SOFTMAX_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* y = softmax(x) (log_softmax when log) along the middle dimension; x and
 * y are contiguous buffers of outer * n * inner elements of dtype.
 * Returns CT_OK, or CT_ERROR for a dtype without a kernel (no message:
 * the caller words it). */
int ct__kernel_softmax(const void *x, void *y, ct_dtype dtype, int64_t outer, int64_t n, int64_t inner, bool log);

/* The backward over the last dimension of contiguous float32 rows (rows x
 * n): gx = y * (g - sum(g * y)) (softmax; y its output) or gx = g -
 * exp(y) * sum(g) (log_softmax; y its output). Sums in double, the rest in
 * float as PyTorch's vectorized kernel. gx may not alias y or g. */
void ct__kernel_softmax_backward_f32(const float *y, const float *g, float *gx, int64_t rows, int64_t n, bool log);

#endif
