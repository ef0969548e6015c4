/* F.grid_sample as PyTorch 1.13.1's CPU kernels compute it
 * (aten/src/ATen/native/GridSampler.{h,cpp}): bilinear / nearest /
 * bicubic sampling of a 4-D input, bilinear (trilinear) / nearest of a
 * 5-D input, with zeros / border / reflection padding. Coordinates are
 * computed in the input's precision with PyTorch's helpers
 * (unnormalize, clip, reflect, and their *_set_grad twins for the grid
 * gradient). The backward is one fused kernel (GridSampler2DBackward0 /
 * GridSampler3DBackward0) that is, as in PyTorch, once differentiable:
 * asking for a second derivative fails with PyTorch's message. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/nn_misc.h"
#include "ctorch/parallel.h"
#include "ops/op_util.h"

/* Everything a kernel needs, shared by forward and backward. */
typedef struct gs_geom {
    int nd; /* spatial dims: 2 or 3 */
    int64_t N, C;
    int64_t in[3];  /* spatial sizes of the input, outermost first (D, H, W) */
    int64_t out[3]; /* spatial sizes of the output (from the grid) */
    int64_t in_sp, out_sp;
    ct_grid_sample_mode mode;
    ct_grid_padding_mode pad;
    bool ac;
} gs_geom;

/* Coordinate k of a grid point (x, y, z) addresses spatial axis nd-1-k. */
static inline int64_t axis_size(const gs_geom *g, int k) { return g->in[g->nd - 1 - k]; }

/* Linear offset of an in-bounds point (coordinate order x, y, z), or -1. */
static inline int64_t in_offset(const gs_geom *g, const int64_t *ix) {
    int64_t off = 0;
    for (int a = 0; a < g->nd; a++) {
        int64_t i = ix[g->nd - 1 - a], n = g->in[a];
        if (i < 0 || i >= n) return -1;
        off = off * n + i;
    }
    return off;
}

#define DEFINE_GRID_SAMPLE(T, FLOOR, FMOD, FABS, RINT, SUF)                                                         \
    static inline T unnormalize_##SUF(T c, int64_t size, bool ac, T *gm) {                                         \
        if (ac) {                                                                                                    \
            if (gm) *gm = (T)(size - 1) / 2;                                                                         \
            return ((c + 1) / 2) * (T)(size - 1);                                                                    \
        }                                                                                                            \
        if (gm) *gm = (T)size / 2;                                                                                   \
        return ((c + 1) * (T)size - 1) / 2;                                                                          \
    }                                                                                                                \
    static inline T clip_##SUF(T in, int64_t limit, T *gm) {                                                       \
        if (in <= (T)0) {                                                                                            \
            if (gm) *gm = 0;                                                                                         \
            return 0;                                                                                                \
        }                                                                                                            \
        T max = (T)(limit - 1);                                                                                      \
        if (in >= max) {                                                                                             \
            if (gm) *gm = 0;                                                                                         \
            return max;                                                                                              \
        }                                                                                                            \
        if (gm) *gm = 1;                                                                                             \
        /* std::min(limit - 1, std::max(in, 0)) passes NaN through */                                                \
        return in;                                                                                                   \
    }                                                                                                                \
    static inline T reflect_##SUF(T in, int64_t twice_low, int64_t twice_high, T *gm) {                            \
        if (twice_low == twice_high) {                                                                               \
            if (gm) *gm = 0;                                                                                         \
            return 0;                                                                                                \
        }                                                                                                            \
        T min = (T)twice_low / 2, span = (T)(twice_high - twice_low) / 2;                                            \
        T sign = 1;                                                                                                  \
        in = in - min;                                                                                               \
        if (in < (T)0) sign = -1, in = -in;                                                                          \
        T extra = FMOD(in, span);                                                                                    \
        int flips = (int)FLOOR(in / span);                                                                           \
        if (gm) *gm = flips % 2 == 0 ? sign : -sign;                                                                 \
        return flips % 2 == 0 ? extra + min : span - extra + min;                                                    \
    }                                                                                                                \
    /* compute_coordinates (gm: the derivative of the result w.r.t. c) */                                            \
    static inline T coords_##SUF(T c, int64_t size, ct_grid_padding_mode pad, bool ac, T *gm) {                    \
        T gc = 1, gr = 1;                                                                                            \
        if (pad == CT_GRID_PAD_BORDER) {                                                                             \
            c = clip_##SUF(c, size, &gc);                                                                            \
        } else if (pad == CT_GRID_PAD_REFLECTION) {                                                                  \
            c = ac ? reflect_##SUF(c, 0, 2 * (size - 1), &gr) : reflect_##SUF(c, -1, 2 * size - 1, &gr);            \
            c = clip_##SUF(c, size, &gc);                                                                            \
        }                                                                                                            \
        if (gm) *gm = pad == CT_GRID_PAD_REFLECTION ? gr * gc : gc;                                                  \
        return c;                                                                                                    \
    }                                                                                                                \
    /* grid_sampler_compute_source_index[_set_grad] */                                                               \
    static inline T source_##SUF(T c, int64_t size, ct_grid_padding_mode pad, bool ac, T *gm) {                    \
        T gu = 1, gp = 1;                                                                                            \
        c = unnormalize_##SUF(c, size, ac, &gu);                                                                     \
        c = coords_##SUF(c, size, pad, ac, &gp);                                                                     \
        if (gm) *gm = pad == CT_GRID_PAD_ZEROS ? gu : gu * gp;                                                       \
        return c;                                                                                                    \
    }                                                                                                                \
    static inline void cubic_coeffs_##SUF(T c[4], T t) {                                                           \
        const T A = (T)-0.75;                                                                                        \
        T x1 = t + (T)1.0, x2 = (T)1.0 - t, x3 = x2 + (T)1.0;                                                        \
        c[0] = ((A * x1 - 5 * A) * x1 + 8 * A) * x1 - 4 * A;                                                         \
        c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;                                                                  \
        c[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;                                                               \
        c[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;                                                         \
    }                                                                                                                \
    /* get_cubic_coefficients_grad: minus the derivative of each coefficient */                                      \
    static inline void cubic_coeffs_grad_##SUF(T c[4], T t) {                                                      \
        const T A = (T)-0.75;                                                                                        \
        T x = -1 - t;                                                                                                \
        c[0] = (-3 * A * x - 10 * A) * x - 8 * A;                                                                    \
        x = -t;                                                                                                      \
        c[1] = (-3 * (A + 2) * x - 2 * (A + 3)) * x;                                                                 \
        x = 1 - t;                                                                                                   \
        c[2] = (3 * (A + 2) * x - 2 * (A + 3)) * x;                                                                  \
        x = 2 - t;                                                                                                   \
        c[3] = (3 * A * x - 10 * A) * x + 8 * A;                                                                     \
    }                                                                                                                \
    /* get_value_bounded / add_value_bounded: the 2-D offset of tap (x, y) */                                        \
    static inline int64_t bounded_##SUF(const gs_geom *g, T x, T y) {                                              \
        int64_t ix[2] = {(int64_t)coords_##SUF(x, g->in[1], g->pad, g->ac, NULL),                                    \
                         (int64_t)coords_##SUF(y, g->in[0], g->pad, g->ac, NULL)};                                   \
        return in_offset(g, ix);                                                                                     \
    }                                                                                                                \
    /* The taps of one output point: input offsets (-1: out of bounds) with   \
     * their weights; for the grid gradient, d w / d ix_k (linear modes) or   \
     * the 1-D coefficients and PyTorch's coefficient gradients (bicubic). */ \
    typedef struct taps_##SUF {                                               \
        int n;                                                                \
        int64_t off[16];                                                      \
        T w[8];                                                               \
        T dw[8][3];                                                           \
        T xc[4], yc[4], xg[4], yg[4];                                         \
        T gm[3]; /* d ix_k / d grid_k */                                      \
    } taps_##SUF;                                                             \
    static void make_taps_##SUF(const gs_geom *g, const T *gp, bool want_grad, taps_##SUF *tp) { \
        int nd = g->nd;                                                       \
        if (g->mode == CT_GRID_SAMPLE_BICUBIC) {                              \
            /* no padding before flooring: the taps are padded one by one */  \
            T ix = unnormalize_##SUF(gp[0], g->in[1], g->ac, &tp->gm[0]);     \
            T iy = unnormalize_##SUF(gp[1], g->in[0], g->ac, &tp->gm[1]);     \
            T x0 = FLOOR(ix), y0 = FLOOR(iy), tx = ix - x0, ty = iy - y0;     \
            cubic_coeffs_##SUF(tp->xc, tx);                                   \
            cubic_coeffs_##SUF(tp->yc, ty);                                   \
            if (want_grad) cubic_coeffs_grad_##SUF(tp->xg, tx), cubic_coeffs_grad_##SUF(tp->yg, ty); \
            tp->n = 16;                                                       \
            for (int j = 0; j < 4; j++)                                       \
                for (int i = 0; i < 4; i++) tp->off[4 * j + i] = bounded_##SUF(g, x0 - 1 + (T)i, y0 - 1 + (T)j); \
            return;                                                           \
        }                                                                     \
        T ix[3];                                                              \
        for (int k = 0; k < nd; k++) ix[k] = source_##SUF(gp[k], axis_size(g, k), g->pad, g->ac, &tp->gm[k]); \
        if (g->mode == CT_GRID_SAMPLE_NEAREST) {                              \
            int64_t ii[3];                                                    \
            for (int k = 0; k < nd; k++) ii[k] = (int64_t)RINT(ix[k]);        \
            tp->n = 1;                                                        \
            tp->off[0] = in_offset(g, ii);                                    \
            tp->w[0] = 1;                                                     \
            for (int k = 0; k < nd; k++) tp->dw[0][k] = 0;                    \
            return;                                                           \
        }                                                                     \
        int64_t i0[3];                                                        \
        T f[3][2]; /* f[k][b]: axis k's factor for corner bit b */            \
        for (int k = 0; k < nd; k++) {                                        \
            i0[k] = (int64_t)FLOOR(ix[k]);                                    \
            f[k][0] = (T)(i0[k] + 1) - ix[k];                                 \
            f[k][1] = ix[k] - (T)i0[k];                                       \
        }                                                                     \
        /* corner c: bit k set = +1 along coordinate k (nw, ne, sw, se, ...) */ \
        tp->n = 1 << nd;                                                      \
        for (int c = 0; c < tp->n; c++) {                                     \
            int64_t ii[3];                                                    \
            T w = 1;                                                          \
            for (int k = 0; k < nd; k++) {                                    \
                int b = (c >> k) & 1;                                         \
                ii[k] = i0[k] + b;                                            \
                w = k ? w * f[k][b] : f[k][b];                                \
            }                                                                 \
            tp->off[c] = in_offset(g, ii);                                    \
            tp->w[c] = w;                                                     \
            if (!want_grad) continue;                                         \
            for (int k = 0; k < nd; k++) {                                    \
                T d = 1;                                                      \
                bool first = true;                                            \
                for (int j = 0; j < nd; j++) {                                \
                    if (j == k) continue;                                     \
                    T fj = f[j][(c >> j) & 1];                                \
                    d = first ? fj : d * fj;                                  \
                    first = false;                                            \
                }                                                             \
                tp->dw[c][k] = ((c >> k) & 1) ? d : -d;                       \
            }                                                                 \
        }                                                                     \
    }                                                                         \
    typedef struct ctx_##SUF {                                                \
        const gs_geom *g;                                                     \
        const T *x, *grid, *gout; /* gout: backward only */                   \
        T *y;                     /* forward output */                        \
        T *gx, *ggrid;            /* backward outputs, may be NULL */         \
    } ctx_##SUF;                                                              \
    static void forward_chunk_##SUF(int64_t begin, int64_t end, void *vctx) { \
        const ctx_##SUF *cx = vctx;                                           \
        const gs_geom *g = cx->g;                                             \
        taps_##SUF tp;                                                        \
        for (int64_t p = begin; p < end; p++) { /* p = n * out_sp + o */      \
            int64_t n = p / g->out_sp, o = p % g->out_sp;                     \
            make_taps_##SUF(g, cx->grid + p * g->nd, false, &tp);             \
            for (int64_t c = 0; c < g->C; c++) {                              \
                const T *xp = cx->x + (n * g->C + c) * g->in_sp;              \
                T acc = 0;                                                    \
                if (g->mode == CT_GRID_SAMPLE_BICUBIC) {                      \
                    /* cubic_interp1d along x for each row, then along y */   \
                    T rows[4];                                                \
                    for (int j = 0; j < 4; j++) {                             \
                        const int64_t *of = tp.off + 4 * j;                   \
                        T v0 = of[0] >= 0 ? xp[of[0]] : 0, v1 = of[1] >= 0 ? xp[of[1]] : 0; \
                        T v2 = of[2] >= 0 ? xp[of[2]] : 0, v3 = of[3] >= 0 ? xp[of[3]] : 0; \
                        rows[j] = v0 * tp.xc[0] + v1 * tp.xc[1] + v2 * tp.xc[2] + v3 * tp.xc[3]; \
                    }                                                         \
                    acc = rows[0] * tp.yc[0] + rows[1] * tp.yc[1] + rows[2] * tp.yc[2] + rows[3] * tp.yc[3]; \
                } else {                                                      \
                    for (int k = 0; k < tp.n; k++)                            \
                        if (tp.off[k] >= 0) acc += xp[tp.off[k]] * tp.w[k];   \
                }                                                             \
                cx->y[(n * g->C + c) * g->out_sp + o] = acc;                  \
            }                                                                 \
        }                                                                     \
    }                                                                         \
    /* Split by batch item so that gx accumulation is race-free. */           \
    static void backward_chunk_##SUF(int64_t begin, int64_t end, void *vctx) { \
        const ctx_##SUF *cx = vctx;                                           \
        const gs_geom *g = cx->g;                                             \
        int nd = g->nd;                                                       \
        bool cubic = g->mode == CT_GRID_SAMPLE_BICUBIC;                       \
        taps_##SUF tp;                                                        \
        for (int64_t n = begin; n < end; n++)                                 \
            for (int64_t o = 0; o < g->out_sp; o++) {                         \
                int64_t p = n * g->out_sp + o;                                \
                make_taps_##SUF(g, cx->grid + p * nd, cx->ggrid != NULL, &tp); \
                T gk[3] = {0, 0, 0};                                          \
                for (int64_t c = 0; c < g->C; c++) {                          \
                    const T *xp = cx->x + (n * g->C + c) * g->in_sp;          \
                    T *gxp = cx->gx ? cx->gx + (n * g->C + c) * g->in_sp : NULL; \
                    T go = cx->gout[(n * g->C + c) * g->out_sp + o];          \
                    if (cubic) {                                              \
                        for (int i = 0; i < 4; i++)                           \
                            for (int j = 0; j < 4; j++) {                     \
                                int64_t of = tp.off[4 * j + i];               \
                                if (of < 0) continue;                         \
                                if (gxp) gxp[of] += go * tp.xc[i] * tp.yc[j]; \
                                if (cx->ggrid) {                              \
                                    T v = xp[of];                             \
                                    gk[0] -= v * tp.xg[i] * tp.yc[j] * go;    \
                                    gk[1] -= v * tp.yg[j] * tp.xc[i] * go;    \
                                }                                             \
                            }                                                 \
                        continue;                                             \
                    }                                                         \
                    for (int k = 0; k < tp.n; k++) {                          \
                        int64_t of = tp.off[k];                               \
                        if (of < 0) continue;                                 \
                        if (gxp) gxp[of] += tp.w[k] * go;                     \
                        if (cx->ggrid && g->mode != CT_GRID_SAMPLE_NEAREST) { \
                            T v = xp[of];                                     \
                            for (int a = 0; a < nd; a++) gk[a] += v * tp.dw[k][a] * go; \
                        }                                                     \
                    }                                                         \
                }                                                             \
                if (cx->ggrid)                                                \
                    for (int a = 0; a < nd; a++) cx->ggrid[p * nd + a] = tp.gm[a] * gk[a]; \
            }                                                                 \
    }

DEFINE_GRID_SAMPLE(float, floorf, fmodf, fabsf, nearbyintf, f32)
DEFINE_GRID_SAMPLE(double, floor, fmod, fabs, nearbyint, f64)

static void run_kernel(const gs_geom *g, ct_dtype dt, const ct_tensor *x, const ct_tensor *grid,
                       const ct_tensor *gout, ct_tensor *y, ct_tensor *gx, ct_tensor *ggrid) {
    bool f32 = dt == CT_FLOAT32;
    ctx_f32 c32 = {0};
    ctx_f64 c64 = {0};
#define SET(cx, T)                                                    \
    cx.g = g, cx.x = (const T *)ct__data(x), cx.grid = (const T *)ct__data(grid); \
    cx.gout = gout ? (const T *)ct__data(gout) : NULL, cx.y = y ? (T *)ct__data(y) : NULL; \
    cx.gx = gx ? (T *)ct__data(gx) : NULL, cx.ggrid = ggrid ? (T *)ct__data(ggrid) : NULL
    if (f32) {
        SET(c32, float);
    } else {
        SET(c64, double);
    }
#undef SET
    int64_t work = g->C * (g->mode == CT_GRID_SAMPLE_BICUBIC ? 16 : 1 << g->nd);
    if (y) {
        int64_t grain = CT_GRAIN_SIZE / (work > 0 ? work : 1) + 1;
        ct_parallel_for(0, g->N * g->out_sp, grain, f32 ? forward_chunk_f32 : forward_chunk_f64,
                        f32 ? (void *)&c32 : (void *)&c64);
    } else {
        int64_t grain = CT_GRAIN_SIZE / (work * g->out_sp > 0 ? work * g->out_sp : 1) + 1;
        ct_parallel_for(0, g->N, grain, f32 ? backward_chunk_f32 : backward_chunk_f64,
                        f32 ? (void *)&c32 : (void *)&c64);
    }
}

/* A contiguous, graph-free alias or copy of t (new reference). */
static ct_tensor *contig(const ct_tensor *t) { return ct__is_contiguous(t) ? ct__retain(t) : ct__clone(t); }

static void fill_geom(gs_geom *g, const ct_tensor *x, const ct_tensor *grid, int mode, int pad, bool ac) {
    g->nd = x->ndim - 2;
    g->N = x->sizes[0], g->C = x->sizes[1];
    g->in_sp = g->out_sp = 1;
    for (int a = 0; a < g->nd; a++) {
        g->in[a] = x->sizes[2 + a], g->out[a] = grid->sizes[1 + a];
        g->in_sp *= g->in[a], g->out_sp *= g->out[a];
    }
    g->mode = (ct_grid_sample_mode)mode, g->pad = (ct_grid_padding_mode)pad, g->ac = ac;
}

/* PyTorch 1.13's grid_sampler_2d_backward has no derivative: a gradient
 * computed with create_graph carries this node, whose backward fails. */
static int not_implemented_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)g, (void)out;
    ct__error("derivative for aten::grid_sampler_%s_backward is not implemented", n->ints[0] == 2 ? "2d" : "3d");
    return CT_ERROR;
}

static int grid_sample_backward(ct_node *n, ct_tensor *const *grads, ct_tensor **out) {
    bool need_x = n->next[0].fn != NULL, need_grid = n->next[1].fn != NULL;
    if (!need_x && !need_grid) return CT_OK;
    ct_tensor *x = ct__unpack(n, 0), *grid = ct__unpack(n, 1);
    ct_tensor *xc = contig(x), *gc = contig(grid), *go = contig(grads[0]);
    ct_tensor *gx = NULL, *ggrid = NULL;
    int rc = CT_ERROR;
    if (!xc || !gc || !go) goto done;
    if (need_x && !(gx = ct_zeros(x->ndim, x->sizes, CT_OPTS(.dtype = x->dtype)))) goto done;
    if (need_grid && !(ggrid = ct__empty(grid->dtype, grid->ndim, grid->sizes))) goto done;
    gs_geom g;
    fill_geom(&g, x, grid, (int)n->ints[1], (int)n->ints[2], n->ints[3] != 0);
    if (g.N * g.out_sp > 0) run_kernel(&g, x->dtype, xc, gc, go, NULL, gx, ggrid);
    const ct_tensor *ins[3] = {grads[0], x, grid};
    if (ct__any_requires_grad(3, ins)) {
        ct_tensor *first = gx ? gx : ggrid;
        ct_node *nn = ct__record("NotImplemented", not_implemented_backward, first, 3, ins);
        if (!nn) goto done;
        nn->ints[0] = g.nd;
        if (gx && ggrid && ct__record_output(nn, ggrid, 1) != CT_OK) goto done;
    }
    out[0] = need_x ? gx : NULL;
    out[1] = need_grid ? ggrid : NULL;
    gx = ggrid = NULL;
    rc = CT_OK;
done:
    ct_free(gx), ct_free(ggrid), ct_free(go), ct_free(gc), ct_free(xc), ct_free(grid), ct_free(x);
    return rc;
}

ct_tensor *ct_grid_sample_opts(const ct_tensor *input, const ct_tensor *grid, const ct_grid_sample_options *o) {
    if (!input || !grid) return NULL;
    static const ct_grid_sample_options defaults = {0};
    if (!o) o = &defaults;
    if ((unsigned)o->mode > CT_GRID_SAMPLE_BICUBIC) {
        ct__error("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '%d'",
                  (int)o->mode);
        return NULL;
    }
    if ((unsigned)o->padding_mode > CT_GRID_PAD_REFLECTION) {
        ct__error("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but "
                  "got: '%d'",
                  (int)o->padding_mode);
        return NULL;
    }
    char xs[160], gs[160];
    ct__format_shape(xs, sizeof xs, input->ndim, input->sizes);
    ct__format_shape(gs, sizeof gs, grid->ndim, grid->sizes);
    /* check_grid_sampler_common */
    if (input->ndim < 1 || grid->ndim < 1) {
        ct__error("grid_sampler(): expected %dD input and grid with same number of dimensions, but got input with "
                  "sizes %s and grid with sizes %s",
                  input->ndim == 4 ? 4 : 5, xs, gs);
        return NULL;
    }
    if (input->sizes[0] != grid->sizes[0]) {
        ct__error("grid_sampler(): expected grid and input to have same batch size, but got input with sizes %s and "
                  "grid with sizes %s",
                  xs, gs);
        return NULL;
    }
    if (grid->sizes[grid->ndim - 1] != input->ndim - 2) {
        ct__error("grid_sampler(): expected grid to have size %d in last dimension, but got grid with sizes %s",
                  input->ndim - 2, gs);
        return NULL;
    }
    for (int i = 2; i < input->ndim; i++)
        if (input->sizes[i] <= 0) {
            ct__error("grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes %s "
                      "with dimension %d being empty",
                      xs, i);
            return NULL;
        }
    /* check_grid_sampler_2d / _3d */
    int nd = input->ndim == 4 ? 2 : 3;
    if (input->ndim != nd + 2 || grid->ndim != input->ndim) {
        ct__error("grid_sampler(): expected %dD input and grid with same number of dimensions, but got input with "
                  "sizes %s and grid with sizes %s",
                  nd + 2, xs, gs);
        return NULL;
    }
    if (nd == 3 && o->mode == CT_GRID_SAMPLE_BICUBIC) {
        ct__error("grid_sampler(): bicubic interpolation only supports 4D input");
        return NULL;
    }
    if (input->dtype != CT_FLOAT32 && input->dtype != CT_FLOAT64) {
        /* the 2-D kernel checks by hand, the 3-D one through AT_DISPATCH */
        if (nd == 2)
            ct__error("grid_sampler_2d_cpu not implemented for %s", ct__traits(input->dtype)->scalar_name);
        else
            ct__error("\"grid_sampler3d_cpu\" not implemented for '%s'", ct__traits(input->dtype)->scalar_name);
        return NULL;
    }
    if (grid->dtype != input->dtype) {
        ct__error("expected scalar type %s but found %s", ct__traits(input->dtype)->scalar_name,
                  ct__traits(grid->dtype)->scalar_name);
        return NULL;
    }
    gs_geom g;
    fill_geom(&g, input, grid, o->mode, o->padding_mode, o->align_corners);
    int64_t shape[5] = {g.N, g.C};
    for (int a = 0; a < nd; a++) shape[2 + a] = g.out[a];
    ct_tensor *y = ct__empty(input->dtype, nd + 2, shape);
    ct_tensor *xc = contig(input), *gc = contig(grid);
    if (!y || !xc || !gc) {
        ct_free(y), ct_free(xc), ct_free(gc);
        return NULL;
    }
    if (g.N * g.C * g.out_sp > 0) run_kernel(&g, input->dtype, xc, gc, NULL, y, NULL, NULL);
    ct_free(xc), ct_free(gc);
    const ct_tensor *ins[2] = {input, grid};
    if (ct__any_requires_grad(2, ins)) {
        ct_node *n = ct__record(nd == 2 ? "GridSampler2DBackward0" : "GridSampler3DBackward0", grid_sample_backward, y,
                                2, ins);
        if (!n || ct__save(n, 0, input, false, 0) != CT_OK || ct__save(n, 1, grid, false, 0) != CT_OK) {
            ct_free(y);
            return NULL;
        }
        n->ints[1] = o->mode, n->ints[2] = o->padding_mode, n->ints[3] = o->align_corners;
    }
    return y;
}
