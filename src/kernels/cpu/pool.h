/* Internal: pooling loops behind src/ops/pool.c. Every kernel works on
 * contiguous data laid out as (planes, D, H, W): 1-d and 2-d pooling pass
 * size 1 (and window 1, stride 1, no padding) in the leading spatial dims.
 * Loops follow PyTorch 1.13.1's CPU kernels (MaxPoolKernel.cpp,
 * AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp, AdaptiveMaxPoolKernel.cpp,
 * DilatedMaxPool3d.cpp, AveragePool3d.cpp, MaxUnpoolKernel.cpp) so values,
 * NaN propagation and chosen indices are PyTorch's. Work is split over
 * planes (ctorch's thread pool through ct_parallel_for), so backward scatters are
 * race-free. Indices are flat positions within one input plane. */
#ifndef CT_KERNELS_CPU_POOL_H
#define CT_KERNELS_CPU_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

typedef struct ct__pool_geom {
    int64_t planes;        /* product of the non-spatial dims */
    int64_t in[3], out[3]; /* spatial sizes (D, H, W) */
    int64_t k[3], s[3], p[3], d[3];
    bool count_include_pad;
    int64_t divisor; /* divisor_override, 0 = none */
} ct__pool_geom;

/* dtype is CT_FLOAT32 or CT_FLOAT64 for every kernel (callers check). */

/* Windowed max: y and idx (int64) of shape (planes, out). */
void ct__max_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y, int64_t *idx);
/* Adaptive max (PyTorch's start/end index rule). */
void ct__adaptive_max_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y, int64_t *idx);
/* gx (planes, in) = 0, then gx[idx[o]] += gy[o] per plane: the backward of
 * both max poolings. */
void ct__max_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, const int64_t *idx, void *gx);
/* Windowed average with count_include_pad / divisor_override. */
void ct__avg_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y);
void ct__avg_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, void *gx);
void ct__adaptive_avg_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y);
void ct__adaptive_avg_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, void *gx);
/* max_unpool: y (planes, out) = 0, y[idx[i]] = x[i] for the (planes, in)
 * input; every index must lie in [0, out numel) (the caller checks). */
void ct__max_unpool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, const int64_t *idx, void *y);

#endif
