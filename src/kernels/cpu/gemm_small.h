/* Internal: small float32/float64 products by direct loops, bitwise equal to
 * OpenBLAS's Prescott (SSE3) sgemm/dgemm kernels, the ones a DYNAMIC_ARCH
 * OpenBLAS picks by default on a CPU it does not know (see gemm.c: small
 * products keep OpenBLAS's default kernel table so their rounding is the
 * one PyTorch's parity data was made with). Calling CBLAS for an 8x16x16
 * product costs ~2 k instructions of driver, buffer allocation and packing;
 * these loops skip all of it. */
#ifndef CT_KERNELS_CPU_GEMM_SMALL_H
#define CT_KERNELS_CPU_GEMM_SMALL_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* Products the loops take: m * n * k at most this many multiply-adds and k
 * at most CT_GEMM_SMALL_MAX_K (OpenBLAS's level-3 driver splits longer sums
 * into blocks of GEMM_Q, which these loops do not reproduce). */
#define CT_GEMM_SMALL_MAX_WORK 4096
#define CT_GEMM_SMALL_MAX_K 128

/* C = beta * C + alpha * A @ B with A (m, k) at element strides (sa0, sa1),
 * B (k, n) at (sb0, sb1), C (m, n) contiguous, as cblas_sgemm/cblas_dgemm
 * with the Prescott kernels would compute it (alpha, beta rounded to the
 * dtype first). Returns false, leaving C alone, when it cannot promise
 * that: another dtype, k < 1, a product above the limits, or an OpenBLAS
 * whose default kernels are not Prescott's (another CPU, OPENBLAS_CORETYPE
 * set, another CBLAS). */
bool ct__gemm_small(ct_dtype dtype, int64_t m, int64_t n, int64_t k, double alpha, const void *a, int64_t sa0,
                    int64_t sa1, const void *b, int64_t sb0, int64_t sb1, double beta, void *c);

/* The loops themselves, whatever the machine (tests compare them with
 * cblas_sgemm/cblas_dgemm running the Prescott kernels): C has row stride
 * ldc >= n; k >= 1, k * n and k * m at most CT_GEMM_SMALL_MAX_WORK (the
 * packing buffer). */
void ct__gemm_small_prescott_f32(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t sa0,
                                 int64_t sa1, const float *b, int64_t sb0, int64_t sb1, float beta, float *c,
                                 int64_t ldc);
void ct__gemm_small_prescott_f64(int64_t m, int64_t n, int64_t k, double alpha, const double *a, int64_t sa0,
                                 int64_t sa1, const double *b, int64_t sb0, int64_t sb1, double beta, double *c,
                                 int64_t ldc);

#endif
