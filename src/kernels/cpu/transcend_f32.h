/* Internal: float32 exp, log, tanh, sigmoid and GELU (erf form) over contiguous rows,
 * vectorized through fast_expf.h's row exponential (~1 ulp, the same bits
 * on every CPU). PyTorch's float kernels are vectorized the same way (Sleef
 * exp and tanh, and for GELU its own erf from exp); the strided loops keep
 * libm's functions, so a contiguous and a strided tensor of the same
 * values may differ in the last bit, as PyTorch's vector and scalar paths
 * do. x and y may be the same array. */
#ifndef CT_KERNELS_CPU_TRANSCEND_F32_H
#define CT_KERNELS_CPU_TRANSCEND_F32_H

#include <stdint.h>

/* y = exp(x); inputs outside [-87.3, 88.7] (NaN, overflow, denormal
 * results) take libm's expf, so every special value is libm's. */
void ct__exp_row_f32(const float *x, float *y, int64_t n);

/* y = log(x) by Cephes' logf polynomial (within 1 ulp); blocks holding
 * anything but positive normal finite numbers (0, negatives, denormals,
 * inf, NaN) take libm's logf. */
void ct__log_row_f32(const float *x, float *y, int64_t n);

/* y = pow(x, p) for an exponent pow's special cases (2, 3, +-0.5, -1, -2)
 * do not take: exp2(p * log2(x)) in double, rounded once (correctly
 * rounded but within ~1e-14 of a halfway point; libm's powf is within 0.82
 * ulp, so the two differ in the last bit now and then); blocks holding
 * anything but positive normal finite numbers, and a non-finite p, take
 * libm's powf. */
void ct__pow_row_f32(const float *x, float *y, int64_t n, float p);

/* y = 1 / (1 + exp(-x)), the exponential as ct__exp_row_f32. */
void ct__sigmoid_row_f32(const float *x, float *y, int64_t n);

/* y = tanh(x): a degree-5 odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1)
 * above (Cephes' tanhf), NaN kept. Within 2 ulp. */
void ct__tanh_row_f32(const float *x, float *y, int64_t n);

/* y = x * 0.5 * (1 + erf(x / sqrt 2)) with PyTorch's vectorized erf
 * (Abramowitz-Stegun 7.1.26 with fused multiply-adds and exp(-u^2):
 * ~1e-7 absolute in erf), operation for operation as GeluKernelImpl's
 * vector path. */
void ct__gelu_row_f32(const float *x, float *y, int64_t n);

/* gx = g * (cdf + x * pdf), cdf = 0.5 * (1 + erf(x / sqrt 2)), pdf =
 * exp(-0.5 * x * x) / sqrt(2 pi), as GeluBackwardKernelImpl's vector path;
 * over threads for large n (elementwise: the same bits). */
void ct__gelu_backward_f32(const float *g, const float *x, float *gx, int64_t n);

/* The derivatives from the outputs, as PyTorch's tanh_backward /
 * sigmoid_backward vector loops: gx = g * (1 - y * y), gx = g * (1 - y) * y
 * (float operations in that order, the same bits as the op compositions
 * they replace, a NaN's sign aside); over threads for large n. */
void ct__tanh_backward_f32(const float *g, const float *y, float *gx, int64_t n);
void ct__sigmoid_backward_f32(const float *g, const float *y, float *gx, int64_t n);

#endif
