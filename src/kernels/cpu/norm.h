/* Internal: normalization kernels (batch / layer / group norm share them)
 * and the Python float formatting the norm and dropout families print. */
#ifndef CT_KERNELS_CPU_NORM_H
#define CT_KERNELS_CPU_NORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* A contiguous x seen twice:
 * - statistics layout (P, Q, R): one mean / variance per q, over (p, r)
 *   (batch norm: (N, C, S); layer norm: (1, M, K); group norm: (1, N*G, C/G*S));
 * - affine layout: element i uses weight/bias channel (i / aR) % aQ
 *   (batch and group norm: aR = S, aQ = C; layer norm: aR = 1, aQ = K). */
typedef struct ct_norm_geom {
    int64_t P, Q, R;
    int64_t aR, aQ;
} ct_norm_geom;

/* mean[q] and biased var[q] (double), two passes in double. dtype float32
 * or float64. A q with no elements gets NaN. */
void ct__norm_moments(ct_dtype dtype, const void *x, const ct_norm_geom *g, double *mean, double *var);

/* Batch-norm layout only (aR == R, aQ == Q; the rows layouts normalize in
 * ct__norm_forward_rows): y = (x - mean[q]) * rstd[q] * w[q] + b[q]; w, b
 * (dtype, Q) may be NULL. */
void ct__norm_apply(ct_dtype dtype, const void *x, void *y, const ct_norm_geom *g, const double *mean,
                    const double *rstd, const void *w, const void *b);

/* mean and biased var (double) of one contiguous row of n elements, as
 * ct__norm_moments computes them (float32 or float64). */
void ct__norm_row_moments(ct_dtype dtype, const void *x, int64_t n, double *mean, double *var);

/* The rows layout of layer and group norm (norm_rows.c): P == 1 and each
 * row is R / aR segments of aR elements whose affine channels are
 * consecutive, starting at (q * (R / aR)) % aQ (aQ a positive multiple of
 * R / aR); or P == 1 and empty rows (R == 0). Layer norm: aR = 1, aQ = R;
 * group norm: aR = S, aQ = C. */
bool ct__norm_rows_layout(const ct_norm_geom *g);

/* Rows layout only: ct__norm_moments, rstd[q] = 1 / sqrt(var[q] + eps),
 * then ct__norm_apply, row by row while each row is in cache. mean, var,
 * rstd (double, Q) are written. Returns false, doing nothing, for any other
 * layout. */
bool ct__norm_forward_rows(ct_dtype dtype, const void *x, void *y, const ct_norm_geom *g, double eps, const void *w,
                           const void *b, double *mean, double *var, double *rstd);

/* Rows layout only: ct__norm_backward (which calls it for that layout).
 * The weight / bias gradients are summed in fixed blocks of rows and the
 * blocks in order: the same bits at any thread count. */
int ct__norm_backward_rows(ct_dtype dtype, const void *x, const void *gy, const ct_norm_geom *g, const double *mean,
                           const double *rstd, const void *w, bool batch_stats, void *gx, double *gw, double *gb);

/* The fused backward of ct__norm_apply. gy contiguous like x. With
 * batch_stats, mean/rstd are functions of x (training batch norm, layer
 * norm, group norm): gx = rstd * (gxh - mean(gxh) - xh * mean(gxh * xh))
 * with gxh = gy * w, xh = (x - mean) * rstd; else gx = gy * w * rstd.
 * gx (dtype, may be NULL); gw, gb (double, aQ, may be NULL) receive
 * sum(gy * xh) and sum(gy) per affine channel. The batch-norm layout or a
 * rows layout (ct__norm_backward_rows). Returns CT_OK, or CT_ERROR with the
 * error set when scratch memory cannot be had (rows layout: per-block
 * partial sums of gw / gb, 16 bytes per channel and block) or the layout
 * is neither. */
int ct__norm_backward(ct_dtype dtype, const void *x, const void *gy, const ct_norm_geom *g, const double *mean,
                      const double *rstd, const void *w, bool batch_stats, void *gx, double *gw, double *gb);


#endif
