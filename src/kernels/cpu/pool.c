/* Pooling loops; see pool.h. One macro per kernel family instantiates the
 * float and double loops. */
#include "kernels/cpu/pool.h"

#include <math.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

static int64_t in_numel(const ct__pool_geom *g) { return g->in[0] * g->in[1] * g->in[2]; }
static int64_t out_numel(const ct__pool_geom *g) { return g->out[0] * g->out[1] * g->out[2]; }

/* planes per chunk so that one chunk holds about CT_GRAIN_SIZE elements */
static int64_t plane_grain(int64_t work_per_plane) {
    if (work_per_plane < 1) work_per_plane = 1;
    int64_t grain = CT_GRAIN_SIZE / work_per_plane;
    return grain > 0 ? grain : 1;
}

/* at::native adaptive pooling window: [start, end) */
static inline int64_t ad_start(int64_t a, int64_t b, int64_t c) { return (a * c) / b; }
static inline int64_t ad_end(int64_t a, int64_t b, int64_t c) { return ((a + 1) * c + b - 1) / b; }

typedef struct pool_ctx {
    const ct__pool_geom *g;
    const void *x;
    void *y;
    const int64_t *idx;
    int64_t *oidx;
} pool_ctx;

/* ---- windowed max (cpu_max_pool / max_pool3d_with_indices_single_out_frame) ---- */
#define DEF_MAX_FWD(T)                                                                                           \
    static void max_fwd_##T(int64_t b, int64_t e, void *vc) {                                                    \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            int64_t *ind = c->oidx + pl * osz;                                                                   \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        int64_t t0 = ot * g->s[0] - g->p[0], h0 = oh * g->s[1] - g->p[1];                        \
                        int64_t w0 = ow * g->s[2] - g->p[2];                                                     \
                        int64_t t1 = t0 + (g->k[0] - 1) * g->d[0] + 1, h1 = h0 + (g->k[1] - 1) * g->d[1] + 1;    \
                        int64_t w1 = w0 + (g->k[2] - 1) * g->d[2] + 1;                                           \
                        if (t1 > g->in[0]) t1 = g->in[0];                                                        \
                        if (h1 > g->in[1]) h1 = g->in[1];                                                        \
                        if (w1 > g->in[2]) w1 = g->in[2];                                                        \
                        while (t0 < 0) t0 += g->d[0];                                                            \
                        while (h0 < 0) h0 += g->d[1];                                                            \
                        while (w0 < 0) w0 += g->d[2];                                                            \
                        int64_t best = t0 * ihw + h0 * g->in[2] + w0;                                            \
                        T m = -(T)INFINITY;                                                                      \
                        for (int64_t it = t0; it < t1; it += g->d[0])                                            \
                            for (int64_t ih = h0; ih < h1; ih += g->d[1])                                        \
                                for (int64_t iw = w0; iw < w1; iw += g->d[2]) {                                  \
                                    int64_t i = it * ihw + ih * g->in[2] + iw;                                   \
                                    T v = x[i];                                                                  \
                                    if (v > m || isnan(v)) {                                                     \
                                        m = v;                                                                   \
                                        best = i;                                                                \
                                    }                                                                            \
                                }                                                                                \
                        *y++ = m;                                                                                \
                        *ind++ = best;                                                                           \
                    }                                                                                            \
        }                                                                                                        \
    }

/* ---- 2x2 stride 2 max (2D, no padding, no dilation, every window whole) ----
 * The generic loop's scan order and test (v > m || isnan(v), from -inf),
 * branch-free: same values, same indices. Starting from -inf, the first
 * element always wins (it is either > -inf, NaN, or -inf itself with the
 * same index), so m starts at it. One output row per call, in a loop the
 * compiler vectorizes (stride-2 loads, selects). */
#define MAX2_STEP(v, off)                                                                                        \
    do {                                                                                                         \
        bool t_ = (v) > m || (v) != (v);                                                                         \
        m = t_ ? (v) : m;                                                                                        \
        k = t_ ? (off) : k;                                                                                      \
    } while (0)
#define DEF_MAX2_FWD(T)                                                                                          \
    CT_SIMD_CLONES static void max2_row_##T(const T *restrict r0, const T *restrict r1, T *restrict y,           \
                                            int64_t *restrict ind, int64_t ow_n, int64_t i0, int64_t W) {        \
        for (int64_t ow = 0; ow < ow_n; ow++) {                                                                  \
            T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];                            \
            T m = a;                                                                                             \
            int64_t k = 0;                                                                                       \
            MAX2_STEP(b, 1);                                                                                     \
            MAX2_STEP(c, W);                                                                                     \
            MAX2_STEP(d, W + 1);                                                                                 \
            y[ow] = m;                                                                                           \
            ind[ow] = i0 + 2 * ow + k;                                                                           \
        }                                                                                                        \
    }                                                                                                            \
    static void max2_fwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), W = g->in[2], OH = g->out[1], OW = g->out[2];            \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            int64_t *ind = c->oidx + pl * osz;                                                                   \
            for (int64_t oh = 0; oh < OH; oh++)                                                                  \
                max2_row_##T(x + 2 * oh * W, x + (2 * oh + 1) * W, y + oh * OW, ind + oh * OW, OW, 2 * oh * W, W); \
        }                                                                                                        \
    }

/* ---- adaptive max (cpu_adaptive_max_pool) ---- */
#define DEF_AMAX_FWD(T)                                                                                          \
    static void amax_fwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            int64_t *ind = c->oidx + pl * osz;                                                                   \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        int64_t t0 = ad_start(ot, g->out[0], g->in[0]), t1 = ad_end(ot, g->out[0], g->in[0]);    \
                        int64_t h0 = ad_start(oh, g->out[1], g->in[1]), h1 = ad_end(oh, g->out[1], g->in[1]);    \
                        int64_t w0 = ad_start(ow, g->out[2], g->in[2]), w1 = ad_end(ow, g->out[2], g->in[2]);    \
                        int64_t best = t0 * ihw + h0 * g->in[2] + w0;                                            \
                        T m = -(T)INFINITY;                                                                      \
                        for (int64_t it = t0; it < t1; it++)                                                     \
                            for (int64_t ih = h0; ih < h1; ih++)                                                 \
                                for (int64_t iw = w0; iw < w1; iw++) {                                           \
                                    int64_t i = it * ihw + ih * g->in[2] + iw;                                   \
                                    T v = x[i];                                                                  \
                                    if (v > m || isnan(v)) {                                                     \
                                        m = v;                                                                   \
                                        best = i;                                                                \
                                    }                                                                            \
                                }                                                                                \
                        *y++ = m;                                                                                \
                        *ind++ = best;                                                                           \
                    }                                                                                            \
        }                                                                                                        \
    }

/* ---- max backward: scatter-add by index within each plane ---- */
#define DEF_MAX_BWD(T)                                                                                           \
    static void max_bwd_##T(int64_t b, int64_t e, void *vc) {                                                    \
        pool_ctx *c = vc;                                                                                        \
        int64_t isz = in_numel(c->g), osz = out_numel(c->g);                                                     \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *gy = (const T *)c->x + pl * osz;                                                            \
            const int64_t *ind = c->idx + pl * osz;                                                              \
            T *gx = (T *)c->y + pl * isz;                                                                        \
            memset(gx, 0, (size_t)isz * sizeof(T));                                                              \
            for (int64_t o = 0; o < osz; o++)                                                                    \
                if (ind[o] >= 0 && ind[o] < isz) gx[ind[o]] += gy[o];                                           \
        }                                                                                                        \
    }

/* The averaging window of output (ot, oh, ow): clamped bounds and divisor
 * (0: the window lies entirely in the padding). */
typedef struct avg_win {
    int64_t t0, t1, h0, h1, w0, w1, div;
} avg_win;

static avg_win avg_window(const ct__pool_geom *g, int64_t ot, int64_t oh, int64_t ow) {
    avg_win w;
    w.t0 = ot * g->s[0] - g->p[0], w.h0 = oh * g->s[1] - g->p[1], w.w0 = ow * g->s[2] - g->p[2];
    w.t1 = w.t0 + g->k[0], w.h1 = w.h0 + g->k[1], w.w1 = w.w0 + g->k[2];
    if (w.t1 > g->in[0] + g->p[0]) w.t1 = g->in[0] + g->p[0];
    if (w.h1 > g->in[1] + g->p[1]) w.h1 = g->in[1] + g->p[1];
    if (w.w1 > g->in[2] + g->p[2]) w.w1 = g->in[2] + g->p[2];
    int64_t pool_size = (w.t1 - w.t0) * (w.h1 - w.h0) * (w.w1 - w.w0);
    if (w.t0 < 0) w.t0 = 0;
    if (w.h0 < 0) w.h0 = 0;
    if (w.w0 < 0) w.w0 = 0;
    if (w.t1 > g->in[0]) w.t1 = g->in[0];
    if (w.h1 > g->in[1]) w.h1 = g->in[1];
    if (w.w1 > g->in[2]) w.w1 = g->in[2];
    if (w.t0 >= w.t1 || w.h0 >= w.h1 || w.w0 >= w.w1) {
        w.div = 0;
        return w;
    }
    if (g->divisor) w.div = g->divisor;
    else if (g->count_include_pad) w.div = pool_size;
    else w.div = (w.t1 - w.t0) * (w.h1 - w.h0) * (w.w1 - w.w0);
    return w;
}

/* ---- average (cpu_avg_pool / avg_pool3d_out_frame): sum in T, one division ---- */
#define DEF_AVG(T)                                                                                               \
    static void avg_fwd_##T(int64_t b, int64_t e, void *vc) {                                                    \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        avg_win w = avg_window(g, ot, oh, ow);                                                   \
                        if (!w.div) {                                                                            \
                            *y++ = 0;                                                                            \
                            continue;                                                                            \
                        }                                                                                        \
                        T sum = 0;                                                                               \
                        for (int64_t it = w.t0; it < w.t1; it++)                                                 \
                            for (int64_t ih = w.h0; ih < w.h1; ih++)                                             \
                                for (int64_t iw = w.w0; iw < w.w1; iw++) sum += x[it * ihw + ih * g->in[2] + iw]; \
                        *y++ = sum / (T)w.div;                                                                   \
                    }                                                                                            \
        }                                                                                                        \
    }                                                                                                            \
    static void avg_bwd_##T(int64_t b, int64_t e, void *vc) {                                                    \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *gy = (const T *)c->x + pl * osz;                                                            \
            T *gx = (T *)c->y + pl * isz;                                                                        \
            memset(gx, 0, (size_t)isz * sizeof(T));                                                              \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        avg_win w = avg_window(g, ot, oh, ow);                                                   \
                        T gv = *gy++;                                                                            \
                        if (!w.div) continue;                                                                    \
                        T delta = gv / (T)w.div;                                                                 \
                        for (int64_t it = w.t0; it < w.t1; it++)                                                 \
                            for (int64_t ih = w.h0; ih < w.h1; ih++)                                             \
                                for (int64_t iw = w.w0; iw < w.w1; iw++) gx[it * ihw + ih * g->in[2] + iw] += delta; \
                    }                                                                                            \
        }                                                                                                        \
    }

/* ---- average, 2x2 windows, stride 2, no padding, inside the input (the
 * common 2-D pool): avg_fwd / avg_bwd's operations for these windows (sum
 * from 0 in row-major order, one division by the window's divisor; delta
 * = g / divisor added to the zeroed gradient), as whole rows the compiler
 * vectorizes instead of a window computation per output ---- */
#define DEF_AVG2(T)                                                                                              \
    CT_SIMD_CLONES static void avg2_row_##T(const T *restrict r0, const T *restrict r1, T *restrict y,           \
                                            int64_t ow_n, T div) {                                               \
        for (int64_t ow = 0; ow < ow_n; ow++) {                                                                  \
            T sum = 0;                                                                                           \
            sum += r0[2 * ow];                                                                                   \
            sum += r0[2 * ow + 1];                                                                               \
            sum += r1[2 * ow];                                                                                   \
            sum += r1[2 * ow + 1];                                                                               \
            y[ow] = sum / div;                                                                                   \
        }                                                                                                        \
    }                                                                                                            \
    static void avg2_fwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), W = g->in[2], OH = g->out[1], OW = g->out[2];            \
        T div = (T)(g->divisor ? g->divisor : 4);                                                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            for (int64_t oh = 0; oh < OH; oh++) avg2_row_##T(x + 2 * oh * W, x + (2 * oh + 1) * W, y + oh * OW, OW, div); \
        }                                                                                                        \
    }                                                                                                            \
    CT_SIMD_CLONES static void avg2_bwd_row_##T(const T *restrict gy, T *restrict r0, T *restrict r1,           \
                                                int64_t ow_n, T div) {                                           \
        for (int64_t ow = 0; ow < ow_n; ow++) {                                                                  \
            T delta = gy[ow] / div; /* 0 + delta: -0 becomes +0 as in the zeroed gradient */                     \
            r0[2 * ow] = 0 + delta;                                                                              \
            r0[2 * ow + 1] = 0 + delta;                                                                          \
            r1[2 * ow] = 0 + delta;                                                                              \
            r1[2 * ow + 1] = 0 + delta;                                                                          \
        }                                                                                                        \
    }                                                                                                            \
    static void avg2_bwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), W = g->in[2], H = g->in[1], OH = g->out[1], OW = g->out[2]; \
        T div = (T)(g->divisor ? g->divisor : 4);                                                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *gy = (const T *)c->x + pl * osz;                                                            \
            T *gx = (T *)c->y + pl * isz;                                                                        \
            for (int64_t oh = 0; oh < OH; oh++) {                                                                \
                T *r0 = gx + 2 * oh * W, *r1 = r0 + W;                                                           \
                avg2_bwd_row_##T(gy + oh * OW, r0, r1, OW, div);                                                 \
                /* columns no window covers (odd W) */                                                           \
                for (int64_t iw = 2 * OW; iw < W; iw++) r0[iw] = r1[iw] = 0;                                     \
            }                                                                                                    \
            /* rows no window covers (odd H) */                                                                  \
            if (2 * OH < H) memset(gx + 2 * OH * W, 0, (size_t)((H - 2 * OH) * W) * sizeof(T));                 \
        }                                                                                                        \
    }

/* ---- adaptive average: sum / kT / kH / kW, as PyTorch divides ---- */
#define DEF_AAVG(T)                                                                                              \
    static void aavg_fwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            T *y = (T *)c->y + pl * osz;                                                                         \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        int64_t t0 = ad_start(ot, g->out[0], g->in[0]), t1 = ad_end(ot, g->out[0], g->in[0]);    \
                        int64_t h0 = ad_start(oh, g->out[1], g->in[1]), h1 = ad_end(oh, g->out[1], g->in[1]);    \
                        int64_t w0 = ad_start(ow, g->out[2], g->in[2]), w1 = ad_end(ow, g->out[2], g->in[2]);    \
                        T sum = 0;                                                                               \
                        for (int64_t it = t0; it < t1; it++)                                                     \
                            for (int64_t ih = h0; ih < h1; ih++)                                                 \
                                for (int64_t iw = w0; iw < w1; iw++) sum += x[it * ihw + ih * g->in[2] + iw];    \
                        T v = g->in[0] == 1 && g->out[0] == 1 ? sum : sum / (T)(t1 - t0);                        \
                        *y++ = v / (T)(h1 - h0) / (T)(w1 - w0);                                                  \
                    }                                                                                            \
        }                                                                                                        \
    }                                                                                                            \
    static void aavg_bwd_##T(int64_t b, int64_t e, void *vc) {                                                   \
        pool_ctx *c = vc;                                                                                        \
        const ct__pool_geom *g = c->g;                                                                           \
        int64_t isz = in_numel(g), osz = out_numel(g), ihw = g->in[1] * g->in[2];                                \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *gy = (const T *)c->x + pl * osz;                                                            \
            T *gx = (T *)c->y + pl * isz;                                                                        \
            memset(gx, 0, (size_t)isz * sizeof(T));                                                              \
            for (int64_t ot = 0; ot < g->out[0]; ot++)                                                           \
                for (int64_t oh = 0; oh < g->out[1]; oh++)                                                       \
                    for (int64_t ow = 0; ow < g->out[2]; ow++) {                                                 \
                        int64_t t0 = ad_start(ot, g->out[0], g->in[0]), t1 = ad_end(ot, g->out[0], g->in[0]);    \
                        int64_t h0 = ad_start(oh, g->out[1], g->in[1]), h1 = ad_end(oh, g->out[1], g->in[1]);    \
                        int64_t w0 = ad_start(ow, g->out[2], g->in[2]), w1 = ad_end(ow, g->out[2], g->in[2]);    \
                        T v = *gy++;                                                                             \
                        if (!(g->in[0] == 1 && g->out[0] == 1)) v = v / (T)(t1 - t0);                            \
                        T delta = v / (T)(h1 - h0) / (T)(w1 - w0);                                               \
                        for (int64_t it = t0; it < t1; it++)                                                     \
                            for (int64_t ih = h0; ih < h1; ih++)                                                 \
                                for (int64_t iw = w0; iw < w1; iw++) gx[it * ihw + ih * g->in[2] + iw] += delta; \
                    }                                                                                            \
        }                                                                                                        \
    }

/* ---- max_unpool: zero, then scatter (last write wins, as the serial loop);
 * indices were checked by the caller ---- */
#define DEF_UNPOOL(T)                                                                                            \
    static void unpool_##T(int64_t b, int64_t e, void *vc) {                                                     \
        pool_ctx *c = vc;                                                                                        \
        int64_t isz = in_numel(c->g), osz = out_numel(c->g);                                                     \
        for (int64_t pl = b; pl < e; pl++) {                                                                     \
            const T *x = (const T *)c->x + pl * isz;                                                             \
            const int64_t *ind = c->idx + pl * isz;                                                              \
            T *y = (T *)c->y + pl * osz;                                                                         \
            memset(y, 0, (size_t)osz * sizeof(T));                                                               \
            for (int64_t i = 0; i < isz; i++) y[ind[i]] = x[i];                                                  \
        }                                                                                                        \
    }

DEF_MAX_FWD(float)
DEF_MAX_FWD(double)
DEF_MAX2_FWD(float)
DEF_MAX2_FWD(double)
DEF_AMAX_FWD(float)
DEF_AMAX_FWD(double)
DEF_MAX_BWD(float)
DEF_MAX_BWD(double)
DEF_AVG(float)
DEF_AVG(double)
DEF_AVG2(float)
DEF_AVG2(double)
DEF_AAVG(float)
DEF_AAVG(double)
DEF_UNPOOL(float)
DEF_UNPOOL(double)

static void run(const ct__pool_geom *g, int64_t work, ct_parallel_fn fn, pool_ctx *c) {
    if (g->planes > 0) ct_parallel_for(0, g->planes, plane_grain(work), fn, c);
}

static int64_t window_work(const ct__pool_geom *g) {
    return out_numel(g) * g->k[0] * g->k[1] * g->k[2] + in_numel(g);
}

void ct__max_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y, int64_t *idx) {
    pool_ctx c = {.g = g, .x = x, .y = y, .oidx = idx};
    bool k2s2 = g->in[0] == 1 && g->out[0] == 1 && g->k[0] == 1 && g->p[0] == 0 && g->k[1] == 2 && g->k[2] == 2 &&
                g->s[1] == 2 && g->s[2] == 2 && g->p[1] == 0 && g->p[2] == 0 && g->d[1] == 1 && g->d[2] == 1 &&
                2 * g->out[1] <= g->in[1] && 2 * g->out[2] <= g->in[2];
    if (k2s2) {
        run(g, window_work(g), dt == CT_FLOAT64 ? max2_fwd_double : max2_fwd_float, &c);
        return;
    }
    run(g, window_work(g), dt == CT_FLOAT64 ? max_fwd_double : max_fwd_float, &c);
}

void ct__adaptive_max_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y, int64_t *idx) {
    pool_ctx c = {.g = g, .x = x, .y = y, .oidx = idx};
    run(g, 2 * in_numel(g) + out_numel(g), dt == CT_FLOAT64 ? amax_fwd_double : amax_fwd_float, &c);
}

void ct__max_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, const int64_t *idx, void *gx) {
    pool_ctx c = {.g = g, .x = gy, .y = gx, .idx = idx};
    run(g, in_numel(g) + out_numel(g), dt == CT_FLOAT64 ? max_bwd_double : max_bwd_float, &c);
}

/* 2-D 2x2 windows, stride 2, no padding, all inside the input: the
 * divisor is divisor_override or 4 whatever count_include_pad says */
static bool avg_k2s2(const ct__pool_geom *g) {
    return g->in[0] == 1 && g->out[0] == 1 && g->k[0] == 1 && g->p[0] == 0 && g->k[1] == 2 && g->k[2] == 2 &&
           g->s[1] == 2 && g->s[2] == 2 && g->p[1] == 0 && g->p[2] == 0 && 2 * g->out[1] <= g->in[1] &&
           2 * g->out[2] <= g->in[2];
}

void ct__avg_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y) {
    pool_ctx c = {.g = g, .x = x, .y = y};
    if (avg_k2s2(g)) run(g, window_work(g), dt == CT_FLOAT64 ? avg2_fwd_double : avg2_fwd_float, &c);
    else run(g, window_work(g), dt == CT_FLOAT64 ? avg_fwd_double : avg_fwd_float, &c);
}

void ct__avg_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, void *gx) {
    pool_ctx c = {.g = g, .x = gy, .y = gx};
    if (avg_k2s2(g)) run(g, window_work(g), dt == CT_FLOAT64 ? avg2_bwd_double : avg2_bwd_float, &c);
    else run(g, window_work(g), dt == CT_FLOAT64 ? avg_bwd_double : avg_bwd_float, &c);
}

void ct__adaptive_avg_pool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, void *y) {
    pool_ctx c = {.g = g, .x = x, .y = y};
    run(g, 2 * in_numel(g) + out_numel(g), dt == CT_FLOAT64 ? aavg_fwd_double : aavg_fwd_float, &c);
}

void ct__adaptive_avg_pool_bwd(ct_dtype dt, const ct__pool_geom *g, const void *gy, void *gx) {
    pool_ctx c = {.g = g, .x = gy, .y = gx};
    run(g, 2 * in_numel(g) + out_numel(g), dt == CT_FLOAT64 ? aavg_bwd_double : aavg_bwd_float, &c);
}

void ct__max_unpool_fwd(ct_dtype dt, const ct__pool_geom *g, const void *x, const int64_t *idx, void *y) {
    pool_ctx c = {.g = g, .x = x, .y = y, .idx = idx};
    run(g, in_numel(g) + out_numel(g), dt == CT_FLOAT64 ? unpool_double : unpool_float, &c);
}
