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

/* A zeroed (IH + 2 ph) x (IW + 2 pw) plane of isz-byte elements, then
 * `extra` more: the padded copy of one input channel that the forward and
 * the weight gradient read (taps that read padding meet its zero border).
 * NULL when out of memory. */
static void *padded_plane_new(const ct_conv_geom *g, size_t isz, int64_t extra) {
    return calloc((size_t)((g->in[1] + 2 * g->pad[1]) * (g->in[2] + 2 * g->pad[2]) + extra), isz);
}
/* the channel plane x (IH, IW) into the middle of pad (the border stays 0) */
static void padded_plane_fill(const ct_conv_geom *g, size_t isz, void *pad, const void *x) {
    int64_t IW = g->in[2], PW = IW + 2 * g->pad[2];
    for (int64_t ih = 0; ih < g->in[1]; ih++)
        memcpy((char *)pad + (size_t)((ih + g->pad[1]) * PW + g->pad[2]) * isz,
               (const char *)x + (size_t)(ih * IW) * isz, (size_t)IW * isz);
}

#define DEFINE_DEPTHWISE(T, FMA)                                                                                  \
    /* y[o] = fma(wv, x[o * sw], y[o]) over one output row */                                                     \
    CT_SIMD_CLONES static void fma_row_##T(T *restrict y, const T *restrict x, int64_t sw, T wv, int64_t n) {     \
        if (sw == 1)                                                                                              \
            for (int64_t o = 0; o < n; o++) y[o] = FMA(wv, x[o], y[o]);                                           \
        else                                                                                                      \
            for (int64_t o = 0; o < n; o++) y[o] = FMA(wv, x[o * sw], y[o]);                                      \
    }                                                                                                             \
    /* one kernel row's taps (kw in order) over one output row, from a                                            \
     * zero-padded input row: y[o] = fma(w[kw], x[o * sw + kw * dw], y[o]);                                       \
     * 3 taps per pass over y for the common 3-wide kernel at stride 1 */                                         \
    CT_SIMD_CLONES static void fma_taps_row_##T(T *restrict y, const T *restrict x, int64_t sw, int64_t dw,       \
                                                const T *w, int64_t KW, int64_t n) {                              \
        if (KW == 3 && sw == 1) {                                                                                 \
            const T w0 = w[0], w1 = w[1], w2 = w[2];                                                              \
            for (int64_t o = 0; o < n; o++) {                                                                     \
                T a = FMA(w0, x[o], y[o]);                                                                        \
                a = FMA(w1, x[o + dw], a);                                                                        \
                y[o] = FMA(w2, x[o + 2 * dw], a);                                                                 \
            }                                                                                                     \
            return;                                                                                               \
        }                                                                                                         \
        for (int64_t kw = 0; kw < KW; kw++) fma_row_##T(y, x + kw * dw, sw, w[kw], n);                            \
    }                                                                                                             \
    /* forward planes (n, co): the input channel is copied into the middle of                                     \
     * a zero-padded plane (its border stays 0), so taps that read padding                                        \
     * multiply 0 like every other (w * 0 in the chain, as the GEMM does) */                                      \
    static void fwd_planes_##T(int64_t b, int64_t e, void *vc) {                                                  \
        dw_ctx *c = vc;                                                                                           \
        const ct_conv_geom *g = c->g;                                                                             \
        int64_t OH = g->out[1], OW = g->out[2], IH = g->in[1], IW = g->in[2], KH = g->k[1], KW = g->k[2];         \
        int64_t PW = IW + 2 * g->pad[2], L = OH * OW, I = IH * IW;                                                \
        T *xpad = padded_plane_new(g, sizeof(T), 0);                                                              \
        if (!xpad) {                                                                                              \
            c->failed = 1;                                                                                        \
            return;                                                                                               \
        }                                                                                                         \
        int64_t have = -1; /* the (image, input channel) in xpad */                                               \
        for (int64_t p = b; p < e; p++) { /* p = n * (C * M) + co */                                              \
            int64_t co = p % (c->C * c->M), n = p / (c->C * c->M), src = n * c->C + co / c->M;                    \
            if (src != have) {                                                                                    \
                padded_plane_fill(g, sizeof(T), xpad, (const T *)c->x + src * I);                                 \
                have = src;                                                                                       \
            }                                                                                                     \
            const T *wp = (const T *)c->w + co * KH * KW;                                                         \
            T *yp = (T *)c->out + p * L;                                                                          \
            memset(yp, 0, (size_t)L * sizeof(T));                                                                 \
            for (int64_t oh = 0; oh < OH; oh++)                                                                   \
                for (int64_t kh = 0; kh < KH; kh++)                                                               \
                    fma_taps_row_##T(yp + oh * OW, xpad + (oh * g->stride[1] + kh * g->dil[1]) * PW,              \
                                     g->stride[2], g->dil[2], wp + kh * KW, KW, OW);                              \
            if (c->bias) {                                                                                        \
                T bv = ((const T *)c->bias)[co];                                                                  \
                for (int64_t l = 0; l < L; l++) yp[l] += bv;                                                      \
            }                                                                                                     \
        }                                                                                                         \
        free(xpad);                                                                                               \
    }                                                                                                             \
    /* x[o * sx] += v[o] for one input row */                                                                     \
    CT_SIMD_CLONES static void add_row_##T(T *restrict x, int64_t sx, const T *restrict v, int64_t n) {           \
        if (sx == 1)                                                                                              \
            for (int64_t o = 0; o < n; o++) x[o] += v[o];                                                         \
        else                                                                                                      \
            for (int64_t o = 0; o < n; o++) x[o * sx] += v[o];                                                    \
    }                                                                                                             \
    /* x[o * sx] += wv * v[o] for one input row */                                                                \
    CT_SIMD_CLONES static void add_scaled_row_##T(T *restrict x, int64_t sx, const T *restrict v, T wv,           \
                                                  int64_t n) {                                                    \
        if (sx == 1)                                                                                              \
            for (int64_t o = 0; o < n; o++) x[o] += wv * v[o];                                                    \
        else                                                                                                      \
            for (int64_t o = 0; o < n; o++) x[o * sx] += wv * v[o];                                               \
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
                        T *xr = xp + (oh * sh + t.hb) * IW + t.wb + t.wlo * sw;                                   \
                        const T *yr = yp + oh * OW + t.wlo;                                                       \
                        if (M == 1) { /* fma(w, y, 0) is w * y rounded once */                                    \
                            add_scaled_row_##T(xr, sw, yr, wp[kh * KW + kw], nw);                                 \
                            continue;                                                                             \
                        }                                                                                         \
                        memset(tmp, 0, (size_t)nw * sizeof(T));                                                   \
                        for (int64_t j = 0; j < M; j++)                                                           \
                            fma_row_##T(tmp, yr + j * L, 1, wp[(j * KH + kh) * KW + kw], nw);                     \
                        add_row_##T(xr, sw, tmp, nw);                                                             \
                    }                                                                                             \
                }                                                                                                 \
            if (c->bias) {                                                                                        \
                T bv = ((const T *)c->bias)[ci];                                                                  \
                for (int64_t i = 0; i < I; i++) xp[i] += bv;                                                      \
            }                                                                                                     \
        }                                                                                                         \
        free(tmp);                                                                                                \
    }                                                                                                             \
    /* the weight gradient's sums: 8 partial sums as one GNU vector (lane                                          \
     * o % 8; a T[8] array was kept scalar and spilled), products rounded                                         \
     * then added (vector extensions have no fused multiply-add) */                                               \
    typedef T vec8_##T __attribute__((vector_size(8 * sizeof(T))));                                               \
    static inline T hsum8_##T(const vec8_##T *v) {                                                                \
        T a[8];                                                                                                   \
        memcpy(a, v, sizeof a);                                                                                   \
        return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));                                 \
    }                                                                                                             \
    /* *acc += y[0, 8) * x[0, 8) */                                                                               \
    static inline void mac8_##T(vec8_##T *acc, const T *y, const T *x) {                                          \
        vec8_##T a, b;                                                                                            \
        memcpy(&a, y, sizeof a);                                                                                  \
        memcpy(&b, x, sizeof b);                                                                                  \
        *acc += a * b;                                                                                            \
    }                                                                                                             \
    /* s[kw] += sum of y[o] * x[o * sw + kw * dw] over one row, for the taps                                      \
     * of one kernel row (one pass over y for all of them at stride 1) */                                         \
    CT_SIMD_CLONES static void dot_taps_row_##T(T *s, const T *restrict y, const T *restrict x, int64_t sw,       \
                                                int64_t dw, int64_t KW, int64_t n) {                              \
        for (int64_t k0 = 0; k0 < KW; k0 += 3) { /* taps k0 .. k0 + 2 */                                         \
            int64_t nk = KW - k0 < 3 ? KW - k0 : 3;                                                               \
            vec8_##T a[3] = {{0}, {0}, {0}};                                                                      \
            T t[3] = {0, 0, 0};                                                                                   \
            int64_t o = 0;                                                                                        \
            const T *x0 = x + k0 * dw, *x1 = x0 + dw, *x2 = x1 + dw;                                              \
            if (sw == 1 && nk == 3) { /* named accumulators: an indexed array stayed in memory */                \
                vec8_##T a0 = {0}, a1 = {0}, a2 = {0};                                                            \
                for (; o + 8 <= n; o += 8) {                                                                      \
                    mac8_##T(&a0, y + o, x0 + o);                                                                 \
                    mac8_##T(&a1, y + o, x1 + o);                                                                 \
                    mac8_##T(&a2, y + o, x2 + o);                                                                 \
                }                                                                                                 \
                a[0] = a0, a[1] = a1, a[2] = a2;                                                                  \
            } else if (sw == 1)                                                                                   \
                for (; o + 8 <= n; o += 8)                                                                        \
                    for (int64_t k = 0; k < nk; k++) mac8_##T(&a[k], y + o, x + o + (k0 + k) * dw);               \
            for (; o < n; o++)                                                                                    \
                for (int64_t k = 0; k < nk; k++) t[k] += y[o] * x[o * sw + (k0 + k) * dw];                        \
            for (int64_t k = 0; k < nk; k++) s[k0 + k] += hsum8_##T(&a[k]) + t[k];                                \
        }                                                                                                         \
    }                                                                                                             \
    /* weight adjoint of output channel co: per image, each tap's sum over                                        \
     * the image's output positions (read from a zero-padded copy of the                                          \
     * input plane: outputs that read padding add y * 0, NaN for a                                                \
     * non-finite y, as the GEMM's zero columns do), added image by image                                         \
     * into the tap's gradient (one image's planes stay in L1 for all taps) */                                    \
    static void wgt_channels_##T(int64_t b, int64_t e, void *vc) {                                                \
        dw_ctx *c = vc;                                                                                           \
        const ct_conv_geom *g = c->g;                                                                             \
        int64_t OH = g->out[1], OW = g->out[2], IH = g->in[1], IW = g->in[2], L = OH * OW, I = IH * IW;           \
        int64_t KH = g->k[1], KW = g->k[2], CM = c->C * c->M, PW = IW + 2 * g->pad[2], PH = IH + 2 * g->pad[1];   \
        T *xpad = padded_plane_new(g, sizeof(T), KW); /* the plane, then KW sums */                               \
        if (!xpad) {                                                                                              \
            c->failed = 1;                                                                                        \
            return;                                                                                               \
        }                                                                                                         \
        T *s = xpad + PH * PW;                                                                                    \
        for (int64_t co = b; co < e; co++) {                                                                      \
            T *wg = (T *)c->out + co * KH * KW; /* the zeroed gradient each image's sum is added to */            \
            memset(wg, 0, (size_t)(KH * KW) * sizeof(T));                                                         \
            for (int64_t n = 0; n < c->N; n++) {                                                                  \
                const T *yp = (const T *)c->y + (n * CM + co) * L;                                                \
                padded_plane_fill(g, sizeof(T), xpad, (const T *)c->x + (n * c->C + co / c->M) * I);              \
                for (int64_t kh = 0; kh < KH; kh++) {                                                             \
                    memset(s, 0, (size_t)KW * sizeof(T));                                                         \
                    for (int64_t oh = 0; oh < OH; oh++)                                                           \
                        dot_taps_row_##T(s, yp + oh * OW, xpad + (oh * g->stride[1] + kh * g->dil[1]) * PW,       \
                                         g->stride[2], g->dil[2], KW, OW);                                        \
                    for (int64_t kw = 0; kw < KW; kw++) wg[kh * KW + kw] += s[kw];                                \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
        free(xpad);                                                                                               \
    }
DEFINE_DEPTHWISE(float, fmaf)
DEFINE_DEPTHWISE(double, fma)

/* planes per chunk: about CT_GRAIN_SIZE multiply-adds */
static int64_t plane_grain(int64_t work) {
    int64_t gr = work > 0 ? CT_GRAIN_SIZE / work : 1;
    return gr < 1 ? 1 : gr;
}

static int64_t taps(const ct_conv_geom *g) { return g->k[1] * g->k[2]; }

int ct__conv_depthwise_forward(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M, const void *x,
                               const void *w, const void *bias, void *y) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .x = x, .w = w, .bias = bias, .out = y};
    int64_t work = ct__conv_geom_ovol(g) * taps(g);
    ct_parallel_for(0, N * C * M, plane_grain(work), dtype == CT_FLOAT64 ? fwd_planes_double : fwd_planes_float, &c);
    return c.failed ? -1 : 0;
}

int ct__conv_depthwise_input_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                     const void *y, const void *w, const void *bias, void *x) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .y = y, .w = w, .bias = bias, .out = x};
    int64_t work = ct__conv_geom_ovol(g) * taps(g) * M + ct__conv_geom_ivol(g);
    ct_parallel_for(0, N * C, plane_grain(work), dtype == CT_FLOAT64 ? adj_planes_double : adj_planes_float, &c);
    return c.failed ? -1 : 0;
}

int ct__conv_depthwise_weight_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t C, int64_t M,
                                      const void *x, const void *y, void *w) {
    dw_ctx c = {.g = g, .N = N, .C = C, .M = M, .x = x, .y = y, .out = w};
    if (N == 0) {
        memset(w, 0, (size_t)(C * M * taps(g)) * (dtype == CT_FLOAT64 ? sizeof(double) : sizeof(float)));
        return 0;
    }
    int64_t work = N * ct__conv_geom_ovol(g) * taps(g);
    ct_parallel_for(0, C * M, plane_grain(work), dtype == CT_FLOAT64 ? wgt_channels_double : wgt_channels_float,
                    &c);
    return c.failed ? -1 : 0;
}
