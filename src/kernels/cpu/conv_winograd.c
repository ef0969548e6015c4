/* Winograd F(4x4, 3x3) convolution, float32 (see conv_winograd.h).
 *
 * Tiles: the output is cut into 4x4 tiles (the last row / column of tiles
 * may stick out and is clipped); tile t of image n reads the 6x6 input
 * window at (4 ty - ph, 4 tx - pw), zero outside the image. The tiles of
 * all images are numbered in one sequence and processed in blocks of TB:
 *   V[xi][c][t] = (B^T d_{c,t} B)[xi]       input transform  (parallel over c)
 *   M[xi]       = U[xi] (K x C) @ V[xi] (C x TB)   36 GEMMs (OpenBLAS)
 *   y tile      = A^T M[.][k][t] A + bias    output transform (parallel over k)
 * with U[xi][k][c] = (G g_{k,c} G^T)[xi] computed once in double. */
#include "kernels/cpu/conv_winograd.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/gemm.h"

#define WA 6 /* tile size alpha = m + r - 1 */
#define WM 4 /* output tile */
#define NXI (WA * WA)

/* ---- the three transforms, one dim at a time ---- */

/* B^T d: the input transform of a 6-vector (points 0, +-1, +-2, inf). */
#define BT6(d0, d1, d2, d3, d4, d5, r0, r1, r2, r3, r4, r5)                                                      \
    do {                                                                                                          \
        float t0_ = (d4) - 4.0f * (d2), t1_ = (d3) - 4.0f * (d1);                                                 \
        float t2_ = (d4) - (d2), t3_ = 2.0f * ((d3) - (d1));                                                      \
        r0 = 4.0f * (d0) - 5.0f * (d2) + (d4);                                                                    \
        r1 = t0_ + t1_;                                                                                           \
        r2 = t0_ - t1_;                                                                                           \
        r3 = t2_ + t3_;                                                                                           \
        r4 = t2_ - t3_;                                                                                           \
        r5 = 4.0f * (d1) - 5.0f * (d3) + (d5);                                                                    \
    } while (0)

/* A^T m: 6 -> 4 */
#define AT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3)                                                              \
    do {                                                                                                          \
        float a_ = (m1) + (m2), b_ = (m1) - (m2), c_ = (m3) + (m4), d_ = (m3) - (m4);                             \
        o0 = (m0) + a_ + c_;                                                                                      \
        o1 = b_ + 2.0f * d_;                                                                                      \
        o2 = a_ + 4.0f * c_;                                                                                      \
        o3 = b_ + 8.0f * d_ + (m5);                                                                               \
    } while (0)

/* G g: 3 -> 6, in double */
static void g3(const double *g, int64_t s, double *u) {
    double g0 = g[0], g1 = g[s], g2 = g[2 * s];
    u[0] = g0 / 4;
    u[1] = -(g0 + g1 + g2) / 6;
    u[2] = -(g0 - g1 + g2) / 6;
    u[3] = g0 / 24 + g1 / 12 + g2 / 6;
    u[4] = g0 / 24 - g1 / 12 + g2 / 6;
    u[5] = g2;
}

typedef struct wino_ctx {
    int64_t N, C, K, H, W, ph, pw, Ho, Wo, th, tw;
    const float *x, *w, *bias;
    bool adjoint;
    float *U, *V, *M, *y;
    int64_t t0, tb;  /* current block: first tile, tiles (tw + 1 per tile row) */
    int64_t R, RB;   /* tile rows in all, per block */
    atomic_int *bad; /* shared by the copies of the context */
    atomic_int *oom;
} wino_ctx;

/* U[xi][k][c] for k in [b, e) */
static void weight_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx *c = vctx;
    int64_t C = c->C, K = c->K;
    for (int64_t k = b; k < e; k++)
        for (int64_t ci = 0; ci < C; ci++) {
            /* g[i][j] of filter (k, ci) */
            double g[9], tmp[WA * 3], u[WA], col[3];
            const float *src = c->adjoint ? c->w + (ci * K + k) * 9 : c->w + (k * C + ci) * 9;
            for (int i = 0; i < 9; i++) g[i] = c->adjoint ? src[8 - i] : src[i]; /* flipped: (2-i, 2-j) */
            for (int j = 0; j < 3; j++) { /* columns: tmp[a][j] = (G g)[a][j] */
                g3(g + j, 3, u);
                for (int a = 0; a < WA; a++) tmp[a * 3 + j] = u[a];
            }
            for (int a = 0; a < WA; a++) { /* rows: (G g G^T)[a][b] */
                for (int j = 0; j < 3; j++) col[j] = tmp[a * 3 + j];
                g3(col, 1, u);
                for (int bb = 0; bb < WA; bb++) c->U[((int64_t)(a * WA + bb) * K + k) * C + ci] = (float)u[bb];
            }
        }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define WINO_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define WINO_CLONES
#endif

/* The 1-d transforms over n independent vectors, one restrict pointer per
 * stream: with the streams as offsets of one pointer the vectorizer needed
 * more run-time alias checks than it allows and stayed scalar. */
WINO_CLONES __attribute__((noinline)) static void bt6_n(int64_t n, const float *restrict d0,
                                                        const float *restrict d1, const float *restrict d2,
                                                        const float *restrict d3, const float *restrict d4,
                                                        const float *restrict d5, float *restrict r0,
                                                        float *restrict r1, float *restrict r2, float *restrict r3,
                                                        float *restrict r4, float *restrict r5) {
    for (int64_t f = 0; f < n; f++) BT6(d0[f], d1[f], d2[f], d3[f], d4[f], d5[f], r0[f], r1[f], r2[f], r3[f], r4[f], r5[f]);
}

WINO_CLONES __attribute__((noinline)) static void at6_n(int64_t n, const float *restrict m0,
                                                        const float *restrict m1, const float *restrict m2,
                                                        const float *restrict m3, const float *restrict m4,
                                                        const float *restrict m5, float *restrict o0,
                                                        float *restrict o1, float *restrict o2, float *restrict o3) {
    for (int64_t f = 0; f < n; f++) AT6(m0[f], m1[f], m2[f], m3[f], m4[f], m5[f], o0[f], o1[f], o2[f], o3[f]);
}

/* o[4 f + q] = t_q[f] + bias */
WINO_CLONES __attribute__((noinline)) static void interleave4(int64_t n, const float *restrict t0,
                                                              const float *restrict t1, const float *restrict t2,
                                                              const float *restrict t3, float bias,
                                                              float *restrict o) {
    for (int64_t f = 0; f < n; f++) {
        o[4 * f] = t0[f] + bias, o[4 * f + 1] = t1[f] + bias, o[4 * f + 2] = t2[f] + bias;
        o[4 * f + 3] = t3[f] + bias;
    }
}

/* Layout: each tile row holds Lt = tw + 1 tiles in V and M, the last a
 * phantom (computed, never written out), so that a block of tile rows is
 * one flat run of tiles and the 1-d transforms are long unit-stride loops
 * (a loop over the 14 tiles of one row ran half in its scalar epilogue). */

/* Channel xc of the block's tile rows through B^T . B into v (V + channel
 * offset; xi stride plane). The 6 input rows of each tile row are first
 * split by column phase: padded column j = 4 i + k of tile row rl goes to
 * d[a][k][rl * Lt + i]; then tile f uses phases 0-3 at f and 0-1 at f + 1.
 * d and s: 6 * 4 * (n + 1) floats, n = rows * Lt. */
WINO_CLONES static void input_block(const wino_ctx *c, const float *restrict xc, int64_t row0, int64_t rows,
                                    float *restrict d, float *restrict s, float *restrict v, int64_t plane) {
    const int64_t H = c->H, W = c->W, Lt = c->tw + 1, n = rows * Lt, P = n + 1; /* P: phase stride */
    const int64_t A = 4 * P;                                                    /* stride of a (or r) */
    for (int a = 0; a < WA; a++)
        for (int k = 0; k < 4; k++) d[a * A + k * P + n] = 0.0f;
    for (int64_t rl = 0; rl < rows; rl++) {
        int64_t row = row0 + rl, img = row / c->th, y0 = (row % c->th) * WM - c->ph, x0 = -c->pw;
        const float *xi = xc + img * c->C * H * W;
        for (int a = 0; a < WA; a++) {
            float *d0 = d + a * A + rl * Lt, *d1 = d0 + P, *d2 = d0 + 2 * P, *d3 = d0 + 3 * P;
            int64_t yy = y0 + a;
            if (yy < 0 || yy >= H) {
                for (int64_t i = 0; i < Lt; i++) d0[i] = d1[i] = d2[i] = d3[i] = 0.0f;
                continue;
            }
            const float *xr = xi + yy * W + x0; /* xr[j], valid for j in [jlo, jhi) */
            int64_t jlo = x0 < 0 ? -x0 : 0, jhi = W - x0 < 4 * Lt ? W - x0 : 4 * Lt;
            int64_t ilo = (jlo + 3) / 4, ihi = jhi / 4; /* groups of 4 wholly inside */
            if (ihi < ilo) ihi = ilo;
            float *dk[4] = {d0, d1, d2, d3};
            for (int64_t j = 0; j < 4 * ilo; j++) dk[j & 3][j >> 2] = j >= jlo && j < jhi ? xr[j] : 0.0f;
            for (int64_t i = ilo; i < ihi; i++) {
                float a0 = xr[4 * i], a1 = xr[4 * i + 1], a2 = xr[4 * i + 2], a3 = xr[4 * i + 3];
                d0[i] = a0, d1[i] = a1, d2[i] = a2, d3[i] = a3;
            }
            for (int64_t j = 4 * ihi; j < 4 * Lt; j++) dk[j & 3][j >> 2] = j >= jlo && j < jhi ? xr[j] : 0.0f;
        }
    }
    /* columns: s[r][k][f] = (B^T d)[r] over the 6 rows */
    bt6_n(A, d, d + A, d + 2 * A, d + 3 * A, d + 4 * A, d + 5 * A, s, s + A, s + 2 * A, s + 3 * A, s + 4 * A,
          s + 5 * A);
    /* rows: tile f uses columns 4f .. 4f + 5 = phases 0-3 at f, 0-1 at f + 1 */
    for (int r = 0; r < WA; r++) {
        const float *p0 = s + r * A, *p1 = p0 + P, *p2 = p0 + 2 * P, *p3 = p0 + 3 * P;
        float *o = v + (int64_t)(r * WA) * plane;
        bt6_n(n, p0, p1, p2, p3, p0 + 1, p1 + 1, o, o + plane, o + 2 * plane, o + 3 * plane, o + 4 * plane,
              o + 5 * plane);
    }
}

static int64_t block_rows(const wino_ctx *c) { return c->tb / (c->tw + 1); }

/* V for channels [b, e) of the current block */
static void input_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx *c = vctx;
    const int64_t C = c->C, tb = c->tb, plane = C * tb;
    float *scratch = malloc(sizeof(float) * (size_t)(2 * WA * 4 * (tb + 1)));
    if (!scratch) {
        atomic_store_explicit(c->oom, 1, memory_order_relaxed);
        return;
    }
    for (int64_t ci = b; ci < e; ci++)
        input_block(c, c->x + ci * c->H * c->W, c->t0 / (c->tw + 1), block_rows(c), scratch,
                    scratch + WA * 4 * (tb + 1), c->V + ci * tb, plane);
    free(scratch);
}

/* Output channel k of the block through A^T . A, + bias, into y (clipped
 * to Ho x Wo). m: M + channel offset; s: 4 * 6 * n floats, o: 8 * n.
 * Returns nonzero when a value written was Inf or NaN. */
WINO_CLONES static uint32_t output_block(const wino_ctx *c, int64_t k, const float *restrict m, int64_t plane,
                                         float *restrict s, float *restrict o) {
    const int64_t Lt = c->tw + 1, rows = block_rows(c), n = rows * Lt, row0 = c->t0 / Lt;
    const int64_t Ho = c->Ho, Wo = c->Wo;
    const float bias = c->bias ? c->bias[k] : 0.0f;
    uint32_t bad = 0;
    /* columns: s[a][bb][f] = (A^T m)[a] over xi = (0..5, bb) */
    const int64_t st = WA * plane;
    for (int bb = 0; bb < WA; bb++) {
        const float *q = m + (int64_t)bb * plane;
        at6_n(n, q, q + st, q + 2 * st, q + 3 * st, q + 4 * st, q + 5 * st, s + (0 * WA + bb) * n,
              s + (1 * WA + bb) * n, s + (2 * WA + bb) * n, s + (3 * WA + bb) * n);
    }
    /* rows: output row a of every tile row, columns 4f .. 4f + 3 */
    float *t = o + 4 * n; /* 4 * n more */
    for (int64_t a = 0; a < WM; a++) {
        const float *sa = s + a * WA * n;
        at6_n(n, sa, sa + n, sa + 2 * n, sa + 3 * n, sa + 4 * n, sa + 5 * n, t, t + n, t + 2 * n, t + 3 * n);
        interleave4(n, t, t + n, t + 2 * n, t + 3 * n, bias, o);
        for (int64_t rl = 0; rl < rows; rl++) {
            int64_t row = row0 + rl, img = row / c->th, yy = (row % c->th) * WM + a;
            if (yy >= Ho) continue;
            const float *src = o + 4 * rl * Lt;
            for (int64_t j = 0; j < Wo; j++) {
                uint32_t u;
                memcpy(&u, &src[j], sizeof u);
                bad |= (~u & 0x7f800000u) == 0;
            }
            memcpy(c->y + ((img * c->K + k) * Ho + yy) * Wo, src, sizeof(float) * (size_t)Wo);
        }
    }
    return bad;
}

/* y tiles of output channels [b, e) from M */
static void output_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx *c = vctx;
    const int64_t tb = c->tb, plane = c->K * tb;
    float *scratch = malloc(sizeof(float) * (size_t)(WM * WA * tb + 2 * WM * tb));
    if (!scratch) {
        atomic_store_explicit(c->oom, 1, memory_order_relaxed);
        return;
    }
    uint32_t bad = 0;
    for (int64_t k = b; k < e; k++) bad |= output_block(c, k, c->M + k * tb, plane, scratch, scratch + WM * WA * tb);
    free(scratch);
    if (bad) atomic_store_explicit(c->bad, 1, memory_order_relaxed);
}

/* parallel grain: items of `per` flops each, ~64k flops per chunk */
static int64_t grain(int64_t per) {
    int64_t g = per > 0 ? 65536 / per : 1;
    return g < 1 ? 1 : g;
}

/* One block of tile rows: transforms, 36 GEMMs, inverse transforms. */
static void run_block(wino_ctx *c, int64_t r0) {
    const int64_t C = c->C, K = c->K;
    c->t0 = r0 * (c->tw + 1);
    c->tb = (c->R - r0 < c->RB ? c->R - r0 : c->RB) * (c->tw + 1);
    ct_parallel_for(0, C, grain(c->tb * 200), input_chunk, c);
    ct_gemm_operand A = {c->U, K * C, C, 1}, B = {c->V, C * c->tb, c->tb, 1};
    ct__kernel_gemm_batched(CT_FLOAT32, NXI, K, c->tb, C, 1.0, A, B, 0.0, c->M);
    ct_parallel_for(0, K, grain(c->tb * 150), output_chunk, c);
}

/* Blocks [b, e) on one thread with its own V and M (the nested parallel
 * loops in run_block then run serially): each thread keeps its tiles in
 * its own cache and there is no barrier per GEMM. */
static void block_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx c = *(const wino_ctx *)vctx;
    c.V = malloc(sizeof(float) * (size_t)(NXI * c.C * c.RB * (c.tw + 1)));
    c.M = malloc(sizeof(float) * (size_t)(NXI * c.K * c.RB * (c.tw + 1)));
    if (!c.V || !c.M) atomic_store_explicit(c.oom, 1, memory_order_relaxed);
    for (int64_t bi = b; bi < e && c.V && c.M; bi++) {
        if (atomic_load_explicit(c.bad, memory_order_relaxed) || atomic_load_explicit(c.oom, memory_order_relaxed))
            break;
        run_block(&c, bi * c.RB);
    }
    free(c.V), free(c.M);
}

int ct__conv3x3_winograd(int64_t N, int64_t C, int64_t K, int64_t H, int64_t W, int64_t ph, int64_t pw,
                         const float *x, const float *w, bool adjoint, const float *bias, float *y) {
    atomic_int bad, oom;
    atomic_init(&bad, 0);
    atomic_init(&oom, 0);
    wino_ctx c = {.N = N, .C = C, .K = K, .H = H, .W = W, .ph = ph, .pw = pw, .x = x, .w = w, .bias = bias,
                  .adjoint = adjoint, .y = y, .bad = &bad, .oom = &oom};
    c.Ho = H + 2 * ph - 2, c.Wo = W + 2 * pw - 2;
    c.th = (c.Ho + WM - 1) / WM, c.tw = (c.Wo + WM - 1) / WM;
    int64_t R = N * c.th, tw = c.tw; /* tile rows, tiles per row */
    /* a block of whole tile rows: V and M each ~1-2 MB (one core's L2) but
     * at least a few hundred tiles so the GEMMs stay efficient */
    int64_t cmax = C > K ? C : K, TB = (int64_t)(384 * 1024) / (NXI * cmax);
    if (TB < 128) TB = 128;
    {
        const char *e = getenv("CT_WINO_TB");
        if (e && atoll(e) > 0) TB = atoll(e);
    }
    int64_t RB = (TB + tw) / (tw + 1);
    if (RB > R) RB = R;
    c.R = R, c.RB = RB;
    int64_t nblocks = (R + RB - 1) / RB;
    c.U = malloc(sizeof(float) * (size_t)(NXI * K * C));
    if (!c.U) return -1;
    ct_parallel_for(0, K, grain(C * 9 * 60), weight_chunk, &c);
    /* with enough blocks, whole blocks per thread; else one block at a
     * time with each step split over the threads */
    int nt = ct_get_num_threads();
    if (nt > 1 && nblocks >= 2 * nt) {
        ct_parallel_for(0, nblocks, 1, block_chunk, &c);
    } else {
        block_chunk(0, nblocks, &c);
    }
    free(c.U);
    if (atomic_load_explicit(&oom, memory_order_relaxed)) return -1;
    return atomic_load_explicit(&bad, memory_order_relaxed) ? 0 : 1;
}
