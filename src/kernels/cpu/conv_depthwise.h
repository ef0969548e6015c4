/* Internal: depthwise 2-d convolution (groups == input channels, each
 * group's output channels reading one input channel) by direct loops. The
 * general path runs it as one im2col and one GEMM per (image, channel) with
 * a single output row and 9-25 inner products, where the per-call cost of
 * the GEMM dwarfs the arithmetic.
 *
 * The forward follows the order of PyTorch's float64 path (slow_conv2d: a
 * GEMM over the columns per group): per output an FMA chain over the
 * kernel taps (kh, kw) that includes the taps reading padding (w * 0: a
 * NaN or Inf weight reaches the border as it does there), the bias added
 * after. The input gradient adds each tap's w * y to its input element tap
 * by tap, as col2im does. The weight gradient sums each image's products
 * row by row in 8 partial sums (a single FMA chain does not vectorize) and
 * adds the images in order; it differs from PyTorch's in the last bits,
 * as float32 does anyway (PyTorch runs float32 depthwise through oneDNN).
 * Outputs that read padding still contribute y * 0 (NaN for a non-finite
 * y), as the GEMM's zero columns do. */
#ifndef CT_KERNELS_CPU_CONV_DEPTHWISE_H
#define CT_KERNELS_CPU_CONV_DEPTHWISE_H

#include <stdbool.h>

#include "kernels/cpu/conv.h"

/* g is 2-d (in[0] == k[0] == out[0] == 1); C input channels, M = output
 * channels per input channel (Cout = C * M). Shapes as in conv.h:
 * x (N, C, in), w (C * M, 1, k), y (N, C * M, out), all contiguous,
 * float32 or float64.
 * forward:  y = depthwise(x, w) + bias (C * M, or NULL)
 * input adjoint: x = adjoint(y, w) + bias (C, or NULL), overwritten
 * weight adjoint: w = sum over images, overwritten (N == 0: zeros)
 * Each returns 0, or -1 when out of memory (a padded plane, a row buffer). */
bool ct__conv_depthwise_ok(const ct_conv_geom *g, int64_t Cin, int64_t Cout, int64_t G);
int ct__conv_depthwise_forward(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M, const void *x,
                               const void *w, const void *bias, void *y);
int ct__conv_depthwise_input_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                     const void *y, const void *w, const void *bias, void *x);
int ct__conv_depthwise_weight_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                      const void *x, const void *y, void *w);

#endif
