/* Internal: exp in float32 with a polynomial the compiler vectorizes
 * (Cephes' expf: Cody-Waite range reduction, degree-6 polynomial, about
 * 1 ulp), as PyTorch's vectorized float kernels compute exp. Used by the
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
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float z = r * r;
    float y = 1.9875691500E-4f;
    y = y * r + 1.3981999507E-3f;
    y = y * r + 8.3334519073E-3f;
    y = y * r + 4.1665795894E-2f;
    y = y * r + 1.6666665459E-1f;
    y = y * r + 5.0000001201E-1f;
    y = y * z + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return under ? 0.0f : y * scale;
}

#endif
