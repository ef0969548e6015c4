/* Internal: C = beta * C + alpha * A @ B for strided operands, batched. */
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

/* One strided matrix operand of a batched GEMM: element strides of the
 * batch, row and column dims. */
typedef struct ct_gemm_operand {
    const void *data;
    int64_t sbatch, s0, s1;
} ct_gemm_operand;

/* For each of `batch` matrices: C[b] = beta * C[b] + alpha * A[b] @ B[b],
 * C contiguous (batch, m, n). beta == 0 ignores C's old contents (NaN
 * included), as BLAS does. Integer dtypes use (int64)alpha and (int64)beta,
 * as PyTorch converts the Scalars. Bool is refused by the ops. Large
 * float32/float64 products use OpenBLAS's threads; many small integer /
 * bfloat16 batches are split over threads by batch. */
void ct__kernel_gemm_batched(ct_dtype dtype, int64_t batch, int64_t m, int64_t n, int64_t k, double alpha,
                             ct_gemm_operand a, ct_gemm_operand b, double beta, void *c);

/* The OpenBLAS core ctorch switched to at the first BLAS call ("SkylakeX",
 * "Haswell"), or NULL when it left OpenBLAS's own choice (see gemm.c). */
const char *ct__blas_core_override(void);

#endif
