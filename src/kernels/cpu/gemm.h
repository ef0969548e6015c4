/* Internal: C = A @ B for row-major-or-transposed operands. */
#ifndef CT_KERNELS_CPU_GEMM_H
#define CT_KERNELS_CPU_GEMM_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* A: (m, k) with element strides (sa0, sa1); B: (k, n) with (sb0, sb1);
 * C: (m, n) contiguous, overwritten. float32/float64 go to CBLAS when each
 * operand has a unit stride in one dim; others use a plain loop (float16 /
 * bfloat16 accumulate in float32, integers in their own type). */
void ct__kernel_gemm(ct_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t sa0, int64_t sa1,
                     const void *b, int64_t sb0, int64_t sb1, void *c);

#endif
