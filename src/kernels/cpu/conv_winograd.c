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
    int64_t t0, tb;  /* current block of tiles */
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

/* One tile row (4 output rows, tw tiles) of one channel through B^T . B.
 * The 6 input rows are first split by column phase (column j of the padded
 * row -> d[a][j % 4][j / 4]), so both 1-d passes are loops over tiles with
 * unit stride, which the compiler vectorizes. d, s: 6 * 4 * (tw + 1) floats.
 * v: V + channel offset + tile offset; plane: stride of xi in V. */
WINO_CLONES static void input_row(const float *restrict xc, int64_t H, int64_t W, int64_t y0, int64_t x0,
                                  int64_t tw, float *restrict d, float *restrict s, float *restrict v,
                                  int64_t plane) {
    const int64_t L = tw + 1; /* phase length */
    for (int a = 0; a < WA; a++) {
        float *da = d + a * 4 * L;
        int64_t yy = y0 + a;
        if (yy < 0 || yy >= H) {
            for (int64_t j = 0; j < 4 * L; j++) da[j] = 0.0f;
            continue;
        }
        const float *xr = xc + yy * W + x0; /* xr[j], valid for j in [jlo, jhi) */
        int64_t jlo = x0 < 0 ? -x0 : 0, jhi = W - x0 < 4 * L ? W - x0 : 4 * L;
        int64_t ilo = (jlo + 3) / 4, ihi = jhi / 4; /* groups of 4 wholly inside */
        if (ihi < ilo) ihi = ilo;
        float *d0 = da, *d1 = da + L, *d2 = da + 2 * L, *d3 = da + 3 * L;
        for (int64_t j = 0; j < 4 * ilo; j++) da[(j & 3) * L + (j >> 2)] = j >= jlo && j < jhi ? xr[j] : 0.0f;
        for (int64_t i = ilo; i < ihi; i++) {
            float a0 = xr[4 * i], a1 = xr[4 * i + 1], a2 = xr[4 * i + 2], a3 = xr[4 * i + 3];
            d0[i] = a0, d1[i] = a1, d2[i] = a2, d3[i] = a3;
        }
        for (int64_t j = 4 * ihi; j < 4 * L; j++) da[(j & 3) * L + (j >> 2)] = j >= jlo && j < jhi ? xr[j] : 0.0f;
    }
    /* columns: s[r][k][i] = (B^T d)[r] over the 6 rows */
    const int64_t A = 4 * L; /* stride of a (or r) */
    for (int64_t j = 0; j < A; j++) {
        float r0, r1, r2, r3, r4, r5;
        BT6(d[j], d[A + j], d[2 * A + j], d[3 * A + j], d[4 * A + j], d[5 * A + j], r0, r1, r2, r3, r4, r5);
        s[j] = r0, s[A + j] = r1, s[2 * A + j] = r2, s[3 * A + j] = r3, s[4 * A + j] = r4, s[5 * A + j] = r5;
    }
    /* rows: tile i uses columns 4i .. 4i + 5 = phases 0-3 at i, 0-1 at i + 1 */
    for (int r = 0; r < WA; r++) {
        const float *p0 = s + r * A, *p1 = p0 + L, *p2 = p0 + 2 * L, *p3 = p0 + 3 * L;
        float *o = v + (int64_t)(r * WA) * plane;
        for (int64_t i = 0; i < tw; i++) {
            float r0, r1, r2, r3, r4, r5;
            BT6(p0[i], p1[i], p2[i], p3[i], p0[i + 1], p1[i + 1], r0, r1, r2, r3, r4, r5);
            o[i] = r0, o[plane + i] = r1, o[2 * plane + i] = r2, o[3 * plane + i] = r3, o[4 * plane + i] = r4,
            o[5 * plane + i] = r5;
        }
    }
}

/* V for channels [b, e) of the current block (whole tile rows) */
static void input_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx *c = vctx;
    const int64_t C = c->C, tw = c->tw, tb = c->tb, plane = C * tb;
    float *scratch = malloc(sizeof(float) * (size_t)(2 * WA * 4 * (tw + 1)));
    if (!scratch) {
        atomic_store_explicit(c->oom, 1, memory_order_relaxed);
        return;
    }
    for (int64_t ci = b; ci < e; ci++)
        for (int64_t rl = 0; rl < tb / tw; rl++) {
            int64_t row = c->t0 / tw + rl, n = row / c->th, ty = row % c->th;
            input_row(c->x + (n * C + ci) * c->H * c->W, c->H, c->W, ty * WM - c->ph, -c->pw, tw, scratch,
                      scratch + WA * 4 * (tw + 1), c->V + ci * tb + rl * tw, plane);
        }
    free(scratch);
}

/* One tile row of one output channel through A^T . A, + bias, into 4
 * output rows (clipped to Ho - y0 rows and Wo columns). s: 4 * 6 * tw
 * floats, o: 4 * tw. Returns nonzero when a value was Inf or NaN. */
WINO_CLONES static uint32_t output_row(const float *restrict m, int64_t plane, int64_t tw, float bias,
                                       float *restrict s, float *restrict o, float *restrict yr, int64_t rows,
                                       int64_t Wo) {
    uint32_t bad = 0;
    /* columns: s[a][bb][i] = (A^T m)[a] over xi = (0..5, bb) */
    for (int bb = 0; bb < WA; bb++) {
        const float *q = m + (int64_t)bb * plane;
        const int64_t st = WA * plane;
        for (int64_t i = 0; i < tw; i++) {
            float o0, o1, o2, o3;
            AT6(q[i], q[st + i], q[2 * st + i], q[3 * st + i], q[4 * st + i], q[5 * st + i], o0, o1, o2, o3);
            s[(0 * WA + bb) * tw + i] = o0, s[(1 * WA + bb) * tw + i] = o1, s[(2 * WA + bb) * tw + i] = o2,
                                 s[(3 * WA + bb) * tw + i] = o3;
        }
    }
    /* rows: output row a, columns 4i .. 4i + 3 */
    for (int64_t a = 0; a < rows; a++) {
        const float *sa = s + a * WA * tw;
        for (int64_t i = 0; i < tw; i++) {
            float o0, o1, o2, o3;
            AT6(sa[i], sa[tw + i], sa[2 * tw + i], sa[3 * tw + i], sa[4 * tw + i], sa[5 * tw + i], o0, o1, o2, o3);
            o[4 * i] = o0 + bias, o[4 * i + 1] = o1 + bias, o[4 * i + 2] = o2 + bias, o[4 * i + 3] = o3 + bias;
        }
        for (int64_t j = 0; j < 4 * tw; j++) {
            uint32_t u;
            memcpy(&u, &o[j], sizeof u);
            bad |= (~u & 0x7f800000u) == 0;
        }
        memcpy(yr + a * Wo, o, sizeof(float) * (size_t)Wo);
    }
    return bad;
}

/* y tiles of output channels [b, e) from M */
static void output_chunk(int64_t b, int64_t e, void *vctx) {
    wino_ctx *c = vctx;
    const int64_t K = c->K, Ho = c->Ho, Wo = c->Wo, tw = c->tw, tb = c->tb, plane = K * tb;
    float *scratch = malloc(sizeof(float) * (size_t)(WM * WA * tw + WM * tw));
    if (!scratch) {
        atomic_store_explicit(c->oom, 1, memory_order_relaxed);
        return;
    }
    uint32_t bad = 0;
    for (int64_t k = b; k < e; k++) {
        float bias = c->bias ? c->bias[k] : 0.0f;
        for (int64_t rl = 0; rl < tb / tw; rl++) {
            int64_t row = c->t0 / tw + rl, n = row / c->th, ty = row % c->th, y0 = ty * WM;
            int64_t rows = Ho - y0 < WM ? Ho - y0 : WM;
            bad |= output_row(c->M + k * tb + rl * tw, plane, tw, bias, scratch, scratch + WM * WA * tw,
                              c->y + ((n * K + k) * Ho + y0) * Wo, rows, Wo);
        }
    }
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
    c->t0 = r0 * c->tw;
    c->tb = (c->R - r0 < c->RB ? c->R - r0 : c->RB) * c->tw;
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
    c.V = malloc(sizeof(float) * (size_t)(NXI * c.C * c.RB * c.tw));
    c.M = malloc(sizeof(float) * (size_t)(NXI * c.K * c.RB * c.tw));
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
    int64_t RB = (TB + tw - 1) / tw;
    if (RB > R) RB = R;
    c.R = R, c.RB = RB;
    int64_t nblocks = (R + RB - 1) / RB;
    c.U = malloc(sizeof(float) * (size_t)(NXI * K * C));
    if (!c.U) return -1;
    ct_parallel_for(0, K, grain(C * 9 * 60), weight_chunk, &c);
    /* with enough blocks, whole blocks per thread; else one block at a
     * time with each step split over the threads */
    int nt = ct_get_num_threads();
    if (nt > 1 && nblocks >= 2 * nt && !getenv("CT_WINO_SPLIT")) {
        ct_parallel_for(0, nblocks, 1, block_chunk, &c);
    } else {
        block_chunk(0, nblocks, &c);
    }
    free(c.U);
    if (atomic_load_explicit(&oom, memory_order_relaxed)) return -1;
    return atomic_load_explicit(&bad, memory_order_relaxed) ? 0 : 1;
}
