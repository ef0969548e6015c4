/* Internal: separable resampling (interpolate's nearest / linear / cubic
 * modes) as per-axis gather tables. Output element (o0, o1, o2) of a plane
 * is sum over taps of w0[o0,a] * w1[o1,b] * w2[o2,c] * in[i0[o0,a], i1[o1,b], i2[o2,c]]. */
#ifndef CT_KERNELS_CPU_RESAMPLE_H
#define CT_KERNELS_CPU_RESAMPLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ct_resample_axis {
    int taps;           /* 1 nearest, 2 linear, 4 cubic */
    int64_t in, out;    /* sizes along this axis */
    const int64_t *idx; /* out * taps source indices */
    const double *w;    /* out * taps weights */
} ct_resample_axis;

/* Forward (transpose false): out (planes, out sizes) from in (planes, in
 * sizes). Transpose (the backward): out (planes, in sizes) += the adjoint
 * of in (planes, out sizes); out must be zeroed. Both contiguous. nd in 1..3. */
void ct__kernel_resample_f32(const float *in, float *out, int64_t planes, int nd, const ct_resample_axis *ax,
                             bool transpose);
void ct__kernel_resample_f64(const double *in, double *out, int64_t planes, int nd, const ct_resample_axis *ax,
                             bool transpose);

#endif
