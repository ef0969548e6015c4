/* Depthwise 2-d convolution by direct loops (see conv_depthwise.h). One
 * macro instantiates the float and double loops; planes of (image, output
 * channel) run in parallel for the forward and the input adjoint, output
 * channels for the weight adjoint (each sums its own images: no partial
 * buffers, and the same order at any thread count). */
#include "kernels/cpu/conv_depthwise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

/* every depthwise 2-d convolution: one input channel per group */
bool ct__conv_depthwise_ok(const ct_conv_geom *g, int64_t Cin, int64_t Cout, int64_t G) {
    return G > 1 && G == Cin && Cout % G == 0 && g->in[0] == 1 && g->k[0] == 1 && g->out[0] == 1;
}

typedef struct dw_ctx {
    const ct_conv_geom *g;
    int64_t N, C, M;
    const void *x, *w, *bias, *y;
    void *out;
    int failed; /* out of memory in a chunk */
} dw_ctx;

/* Per kernel tap: output rows [hlo, hhi) and columns [wlo, whi) read inside
 * the image; input row oh * sh + hb, column ow * sw + wb. */
typedef struct tap {
    int64_t hb, wb, hlo, hhi, wlo, whi;
} tap;

static tap tap_of(const ct_conv_geom *g, int64_t kh, int64_t kw) {
    tap t;
    t.hb = kh * g->dil[1] - g->pad[1];
    t.wb = kw * g->dil[2] - g->pad[2];
    ct__conv_valid_range(t.hb, g->stride[1], g->in[1], g->out[1], &t.hlo, &t.hhi);
    ct__conv_valid_range(t.wb, g->stride[2], g->in[2], g->out[2], &t.wlo, &t.whi);
    return t;
}

#define DEFINE_DEPTHWISE(T, FMA)                                                                                  \
    /* y[o] = fma(wv, x[o * sw], y[o]) over one output row; a tap reading                                         \
     * padding multiplies 0 (x == NULL) */                                                                        \
    CT_SIMD_CLONES static void fma_row_##T(T *restrict y, const T *restrict x, int64_t sw, T wv, int64_t n) {     \
        if (!x)                                                                                                   \
            for (int64_t o = 0; o < n; o++) y[o] = FMA(wv, (T)0, y[o]);                                           \
        else if (sw == 1)                                                                                         \
            for (int64_t o = 0; o < n; o++) y[o] = FMA(wv, x[o], y[o]);                                           \
        else                                                                                                      \
            for (int64_t o = 0; o < n; o++) y[o] = FMA(wv, x[o * sw], y[o]);                                      \
    }                                                                                                             \
    /* the chain of one tap over an output plane: rows and columns that read                                      \
     * padding take w * 0 */                                                                                      \
    static void fwd_tap_##T(const ct_conv_geom *g, const tap *t, const T *xp, T wv, T *yp) {                      \
        int64_t OH = g->out[1], OW = g->out[2], IW = g->in[2], sh = g->stride[1], sw = g->stride[2];              \
        for (int64_t oh = 0; oh < OH; oh++) {                                                                     \
            T *yr = yp + oh * OW;                                                                                 \
            if (oh < t->hlo || oh >= t->hhi) {                                                                    \
                fma_row_##T(yr, NULL, 1, wv, OW);                                                                 \
                continue;                                                                                         \
            }                                                                                                     \
            const T *xr = xp + (oh * sh + t->hb) * IW + t->wb;                                                    \
            fma_row_##T(yr, NULL, 1, wv, t->wlo);                                                                 \
            fma_row_##T(yr + t->wlo, xr + t->wlo * sw, sw, wv, t->whi - t->wlo);                                  \
            fma_row_##T(yr + t->whi, NULL, 1, wv, OW - t->whi);                                                   \
        }                                                                                                         \
    }                                                                                                             \
    static void fwd_planes_##T(int64_t b, int64_t e, void *vc) {                                                  \
        dw_ctx *c = vc;                                                                                           \
        const ct_conv_geom *g = c->g;                                                                             \
        int64_t L = g->out[1] * g->out[2], I = g->in[1] * g->in[2], KH = g->k[1], KW = g->k[2];                   \
        for (int64_t p = b; p < e; p++) { /* p = n * (C * M) + co */                                              \
            int64_t co = p % (c->C * c->M), n = p / (c->C * c->M);                                                \
            const T *xp = (const T *)c->x + (n * c->C + co / c->M) * I;                                           \
            const T *wp = (const T *)c->w + co * KH * KW;                                                         \
            T *yp = (T *)c->out + p * L;                                                                          \
            memset(yp, 0, (size_t)L * sizeof(T));                                                                 \
            for (int64_t kh = 0; kh < KH; kh++)                                                                   \
                for (int64_t kw = 0; kw < KW; kw++) {                                                             \
                    tap t = tap_of(g, kh, kw);                                                                    \
                    fwd_tap_##T(g, &t, xp, wp[kh * KW + kw], yp);                                                 \
                }                                                                                                 \
            if (c->bias) {                                                                                        \
                T bv = ((const T *)c->bias)[co];                                                                  \
                for (int64_t l = 0; l < L; l++) yp[l] += bv;                                                      \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    /* x[o * sx] += v[o] for one input row */                                                                     \
    CT_SIMD_CLONES static void add_row_##T(T *restrict x, int64_t sx, const T *restrict v, int64_t n) {           \
        if (sx == 1)                                                                                              \
            for (int64_t o = 0; o < n; o++) x[o] += v[o];                                                         \
        else                                                                                                      \
            for (int64_t o = 0; o < n; o++) x[o * sx] += v[o];                                                    \
    }                                                                                                             \
    /* input adjoint, plane (n, ci): per tap and output row, the column                                           \
     * entries v = w_j * y_j (a chain over the channel's M outputs j, in                                          \
     * tmp) added into the input row they came from */                                                            \
    static void adj_planes_##T(int64_t b, int64_t e, void *vc) {                                                  \
        dw_ctx *c = vc;                                                                                           \
        const ct_conv_geom *g = c->g;                                                                             \
        int64_t OW = g->out[2], IW = g->in[2], L = g->out[1] * OW, I = g->in[1] * IW, KH = g->k[1];               \
        int64_t KW = g->k[2], sh = g->stride[1], sw = g->stride[2], M = c->M;                                     \
        T *tmp = malloc((size_t)OW * sizeof(T) + 1);                                                              \
        if (!tmp) {                                                                                               \
            c->failed = 1;                                                                                        \
            return;                                                                                               \
        }                                                                                                         \
        for (int64_t p = b; p < e; p++) { /* p = n * C + ci */                                                    \
            int64_t ci = p % c->C, n = p / c->C;                                                                  \
            const T *yp = (const T *)c->y + (n * c->C * M + ci * M) * L;                                          \
            const T *wp = (const T *)c->w + ci * M * KH * KW;                                                     \
            T *xp = (T *)c->out + p * I;                                                                          \
            memset(xp, 0, (size_t)I * sizeof(T));                                                                 \
            for (int64_t kh = 0; kh < KH; kh++)                                                                   \
                for (int64_t kw = 0; kw < KW; kw++) {                                                             \
                    tap t = tap_of(g, kh, kw);                                                                    \
                    int64_t nw = t.whi - t.wlo;                                                                   \
                    for (int64_t oh = t.hlo; oh < t.hhi && nw > 0; oh++) {                                        \
                        memset(tmp, 0, (size_t)nw * sizeof(T));                                                   \
                        for (int64_t j = 0; j < M; j++)                                                           \
                            fma_row_##T(tmp, yp + j * L + oh * OW + t.wlo, 1, wp[(j * KH + kh) * KW + kw], nw);   \
                        add_row_##T(xp + (oh * sh + t.hb) * IW + t.wb + t.wlo * sw, sw, tmp, nw);                 \
                    }                                                                                             \
                }                                                                                                 \
            if (c->bias) {                                                                                        \
                T bv = ((const T *)c->bias)[ci];                                                                  \
                for (int64_t i = 0; i < I; i++) xp[i] += bv;                                                      \
            }                                                                                                     \
        }                                                                                                         \
        free(tmp);                                                                                                \
    }                                                                                                             \
    /* sum of y[o] * x[o * sx] over one row, in 8 partial sums (lane o % 8,                                       \
     * the tail in lane 0) so that it vectorizes */                                                               \
    CT_SIMD_CLONES static T dot_row_##T(const T *restrict y, const T *restrict x, int64_t sx, int64_t n) {        \
        T acc[8] = {0};                                                                                           \
        int64_t o = 0;                                                                                            \
        if (sx == 1)                                                                                              \
            for (; o + 8 <= n; o += 8)                                                                            \
                for (int q = 0; q < 8; q++) acc[q] = FMA(y[o + q], x[o + q], acc[q]);                            \
        for (; o < n; o++) acc[0] = FMA(y[o], x[o * sx], acc[0]);                                                 \
        return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));                 \
    }                                                                                                             \
    /* y * 0 over n outputs that read padding: 0, or NaN when y holds an Inf                                      \
     * or NaN (as the GEMM's zero columns give) */                                                                \
    static T pad_term_##T(const T *y, int64_t n) {                                                                \
        T s = 0;                                                                                                  \
        for (int64_t o = 0; o < n; o++) s += y[o] * (T)0;                                                         \
        return s;                                                                                                 \
    }                                                                                                             \
    /* weight adjoint of output channel co: per image and tap, the sum over                                       \
     * the image's output positions, added image by image into the tap's                                          \
     * gradient (images outside, taps inside: the image's planes stay in L1                                       \
     * for all taps; each tap still adds its images in order) */                                                  \
    static void wgt_channels_##T(int64_t b, int64_t e, void *vc) {                                                \
        dw_ctx *c = vc;                                                                                           \
        const ct_conv_geom *g = c->g;                                                                             \
        int64_t OH = g->out[1], OW = g->out[2], IW = g->in[2], L = OH * OW, I = g->in[1] * IW, KH = g->k[1];      \
        int64_t KW = g->k[2], sh = g->stride[1], sw = g->stride[2], CM = c->C * c->M;                             \
        for (int64_t co = b; co < e; co++) {                                                                      \
            T *wg = (T *)c->out + co * KH * KW; /* the zeroed gradient each image's sum is added to */            \
            memset(wg, 0, (size_t)(KH * KW) * sizeof(T));                                                         \
            for (int64_t n = 0; n < c->N; n++) {                                                                  \
                const T *yp = (const T *)c->y + (n * CM + co) * L;                                                \
                const T *xp = (const T *)c->x + (n * c->C + co / c->M) * I;                                       \
                for (int64_t kh = 0; kh < KH; kh++)                                                               \
                    for (int64_t kw = 0; kw < KW; kw++) {                                                         \
                        tap t = tap_of(g, kh, kw);                                                                \
                        T s = pad_term_##T(yp, t.hlo * OW) + pad_term_##T(yp + t.hhi * OW, (OH - t.hhi) * OW);    \
                        for (int64_t oh = t.hlo; oh < t.hhi; oh++) {                                              \
                            const T *yr = yp + oh * OW;                                                           \
                            s += pad_term_##T(yr, t.wlo) + pad_term_##T(yr + t.whi, OW - t.whi);                  \
                            s += dot_row_##T(yr + t.wlo, xp + (oh * sh + t.hb) * IW + t.wb + t.wlo * sw, sw,      \
                                             t.whi - t.wlo);                                                      \
                        }                                                                                         \
                        wg[kh * KW + kw] += s;                                                                    \
                    }                                                                                             \
            }                                                                                                     \
        }                                                                                                         \
    }
DEFINE_DEPTHWISE(float, fmaf)
DEFINE_DEPTHWISE(double, fma)

/* planes per chunk: about CT_GRAIN_SIZE multiply-adds */
static int64_t plane_grain(int64_t work) {
    int64_t gr = work > 0 ? CT_GRAIN_SIZE / work : 1;
    return gr < 1 ? 1 : gr;
}

static int64_t taps(const ct_conv_geom *g) { return g->k[1] * g->k[2]; }

void ct__conv_depthwise_forward(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M, const void *x,
                                const void *w, const void *bias, void *y) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .x = x, .w = w, .bias = bias, .out = y};
    int64_t work = ct__conv_geom_ovol(g) * taps(g);
    ct_parallel_for(0, N * C * M, plane_grain(work), dtype == CT_FLOAT64 ? fwd_planes_double : fwd_planes_float, &c);
}

int ct__conv_depthwise_input_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                     const void *y, const void *w, const void *bias, void *x) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .y = y, .w = w, .bias = bias, .out = x};
    int64_t work = ct__conv_geom_ovol(g) * taps(g) * M + ct__conv_geom_ivol(g);
    ct_parallel_for(0, N * C, plane_grain(work), dtype == CT_FLOAT64 ? adj_planes_double : adj_planes_float, &c);
    return c.failed ? -1 : 0;
}

void ct__conv_depthwise_weight_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                       const void *x, const void *y, void *w) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .x = x, .y = y, .out = w};
    if (N == 0) {
        memset(w, 0, (size_t)(C * M * taps(g)) * (dtype == CT_FLOAT64 ? sizeof(double) : sizeof(float)));
        return;
    }
    int64_t work = N * ct__conv_geom_ovol(g) * taps(g);
    ct_parallel_for(0, C * M, plane_grain(work), dtype == CT_FLOAT64 ? wgt_channels_double : wgt_channels_float,
                    &c);
}
