/* Internal: the raw loops of convolution — im2col / col2im (vol2col for
 * 3-d) over 1 to 3 spatial dims, and the three products a convolution is
 * made of (forward, its adjoint in the input, its adjoint in the weight) as
 * im2col + GEMM per image, with a 1x1 fast path that skips im2col. */
#ifndef CT_KERNELS_CPU_CONV_H
#define CT_KERNELS_CPU_CONV_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* Geometry of one convolution, always 3 spatial dims (unused leading dims
 * have size 1, kernel 1, stride 1, padding 0, dilation 1). `in` is the
 * convolution's input size, `out` its output size (both per image). */
typedef struct ct_conv_geom {
    int64_t in[3], out[3], k[3], stride[3], pad[3], dil[3];
} ct_conv_geom;

static inline int64_t ct__conv_geom_kvol(const ct_conv_geom *g) { return g->k[0] * g->k[1] * g->k[2]; }
static inline int64_t ct__conv_geom_ivol(const ct_conv_geom *g) { return g->in[0] * g->in[1] * g->in[2]; }
static inline int64_t ct__conv_geom_ovol(const ct_conv_geom *g) { return g->out[0] * g->out[1] * g->out[2]; }

/* [lo, hi): the output positions o in [0, n_out) whose input index
 * o * s + base falls inside [0, n_in). */
static inline void ct__conv_valid_range(int64_t base, int64_t s, int64_t n_in, int64_t n_out, int64_t *lo,
                                        int64_t *hi) {
    int64_t l = base >= 0 ? 0 : (-base + s - 1) / s;
    int64_t h = n_in - base <= 0 ? 0 : (n_in - 1 - base) / s + 1;
    if (h > n_out) h = n_out;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

/* x: (C, in...) contiguous -> cols: (C * kvol, ovol) contiguous; zero
 * padding. dtype float32 or float64. */
void ct__im2col(ct_dtype dtype, const ct_conv_geom *g, int64_t C, const void *x, void *cols);
/* The adjoint: x (C, in...) += cols scattered back (x is accumulated). */
void ct__col2im(ct_dtype dtype, const ct_conv_geom *g, int64_t C, const void *cols, void *x);

/* Which convolution kernels ran, counted per calling thread (the
 * fast-path guard, tests/bench/test_fast_paths.c, reads them): Winograd
 * products, depthwise products, and im2col/col2im calls that took the 2-d
 * unit-stride rows. */
typedef struct ct_conv_stats {
    int64_t winograd, depthwise, unit_stride_cols;
} ct_conv_stats;
extern _Thread_local ct_conv_stats ct__conv_stats;

/* Tests: 0 keeps im2col/col2im on the portable loops, -1 (the default)
 * lets them use AVX-512 masked rows where the CPU has them. */
void ct__conv_set_isa(int level);

/* All tensors contiguous, dtype float32/float64.
 * forward:  x (N, Cin, in) , w (Cout, Cin/G, k) , bias (Cout) or NULL -> y (N, Cout, out)
 * input adjoint (conv_transpose): y (N, Cout, out), w -> x (N, Cin, in) [+ bias (Cin)]
 * weight adjoint: x (N, Cin, in), y (N, Cout, out) -> w (Cout, Cin/G, k) (overwritten) */
int ct__conv_forward(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                      const void *x, const void *w, const void *bias, void *y);
int ct__conv_input_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                            const void *y, const void *w, const void *bias, void *x);
/* Each returns 0, or -1 when out of memory. */
int ct__conv_weight_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                            const void *x, const void *y, void *w);

#endif
