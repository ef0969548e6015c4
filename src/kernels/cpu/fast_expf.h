/* Internal: exp in float32 with a polynomial the compiler vectorizes
 * (Cephes' expf: Cody-Waite range reduction, degree-6 polynomial, about
 * 1 ulp), as PyTorch's vectorized float kernels compute exp. The reduction
 * and Horner steps are explicit fused multiply-adds (fmaf; one instruction
 * on AVX2/AVX-512, which the row functions below use), like Sleef's expf
 * in PyTorch's AVX2/AVX-512 kernels. Used by the
 * fused cross-entropy and the float32 softmax rows; callers send rows with
 * a NaN or an infinite maximum down their exact double paths. */
#ifndef CT_KERNELS_CPU_FAST_EXPF_H
#define CT_KERNELS_CPU_FAST_EXPF_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* no-trapping-math lets the clamps below become vector min/max */
#if defined(__GNUC__) && !defined(__clang__)
#define CT_NO_TRAP __attribute__((optimize("no-trapping-math")))
#else
#define CT_NO_TRAP
#endif

CT_NO_TRAP static inline float ct__expf_poly(float x) {
    bool under = x < -87.3365f;
    x = x < -87.3365f ? -87.3365f : (x > 88.7228f ? 88.7228f : x);
    float n = floorf(fmaf(x, 1.44269504088896341f, 0.5f));
    float r = fmaf(n, -0.693359375f, x); /* exact: n * 0.693359375f needs < 24 bits */
    r = fmaf(n, 2.12194440e-4f, r);
    float z = r * r;
    float y = 1.9875691500E-4f;
    y = fmaf(y, r, 1.3981999507E-3f);
    y = fmaf(y, r, 8.3334519073E-3f);
    y = fmaf(y, r, 4.1665795894E-2f);
    y = fmaf(y, r, 1.6666665459E-1f);
    y = fmaf(y, r, 5.0000001201E-1f);
    y = fmaf(y, z, r) + 1.0f;
    /* NaN: y is NaN already; n is replaced so the conversion is defined */
    uint32_t bits = (uint32_t)((int32_t)(n == n ? n : 0.0f) + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return under ? 0.0f : y * scale;
}

/* ---- whole rows, vectorized with AVX-512 / AVX2 intrinsics behind runtime
 * CPU detection (src/kernels/cpu/softmax.c); every path computes exactly
 * ct__expf_poly's operations (its fmaf as FMA instructions), so the bits do not depend
 * on the CPU. ---- */

/* The maximum of x[0..n); false when a NaN is present or the maximum is
 * infinite (then *mx is unspecified). */
bool ct__row_max_f32(const float *x, int64_t n, float *mx);

/* Returns the sum of exp(x[k] - shift) over k in 16 double partial sums
 * (element k goes to partial sum k % 16, in increasing k; the partials are
 * combined as b[j] = a[j] + a[j + 8], then ((b0+b1)+(b2+b3))+((b4+b5)+(b6+b7)));
 * when y is non-NULL, y[k] = exp(x[k] - shift) (y may equal x). */
double ct__row_exp_sum_f32(const float *x, float *y, int64_t n, float shift);
/* The same, prefetching n floats of next_x into L2 and of next_y for
 * writing (each may be NULL) while it computes: the caller's next row. */
double ct__row_exp_sum_pf_f32(const float *x, float *y, int64_t n, float shift, const float *next_x, float *next_y);

/* y[k] = scale * exp(x[k] - shift) (y may equal x). */
void ct__row_exp_scale_f32(const float *x, float *y, int64_t n, float shift, float scale);
/* The same, prefetching the caller's next row (as ct__row_exp_sum_pf_f32). */
void ct__row_exp_scale_pf_f32(const float *x, float *y, int64_t n, float shift, float scale, const float *next_x,
                              float *next_y);

/* Testing: restrict the row functions to an instruction set: 0 scalar,
 * 1 AVX2, 2 AVX-512, -1 the best the CPU has (the default). A level the CPU
 * lacks falls back to the best it has. */
void ct__fast_expf_set_isa(int level);

#endif
