/* Internal: float32 3x3 stride-1 dilation-1 convolution by Winograd's
 * minimal filtering F(4x4, 3x3) (Lavin & Gray 2015): each 6x6 input tile is
 * transformed (B^T d B), multiplied point-wise with the transformed filters
 * (G g G^T) as 36 GEMMs over channels (OpenBLAS through ct__kernel_gemm_
 * batched), and transformed back (A^T m A) into a 4x4 output tile. 4x fewer
 * multiplies than im2col + GEMM; the rounding differs from a direct sum
 * (docs/nn-conv.md, "Winograd" gives the measured error). */
#ifndef CT_KERNELS_CPU_CONV_WINOGRAD_H
#define CT_KERNELS_CPU_CONV_WINOGRAD_H

#include <stdbool.h>
#include <stdint.h>

/* y (N, K, Ho, Wo) = conv2d(x (N, C, H, W), w, padding (ph, pw)) + bias,
 * with Ho = H + 2 ph - 2, Wo = W + 2 pw - 2 (both >= 1), 0 <= ph, pw <= 2.
 * w is (K, C, 3, 3) when !adjoint; when adjoint, w is (C, K, 3, 3) and the
 * filter used is w[c][k] flipped in both spatial dims (the input gradient
 * of a convolution with w, i.e. conv_transpose2d). bias (K) or NULL.
 * Returns 1 when done, 0 when the result would not match a direct sum in
 * its non-finite values (x or w holds an Inf/NaN, or a transform
 * overflowed: y is then garbage and the caller must use another method),
 * -1 when out of memory. */
int ct__conv3x3_winograd(int64_t N, int64_t C, int64_t K, int64_t H, int64_t W, int64_t ph, int64_t pw,
                         const float *x, const float *w, bool adjoint, const float *bias, float *y);

#endif
