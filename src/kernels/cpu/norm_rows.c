/* Layer and group norm: the statistics are per row, and a row is a run of
 * channel segments (ct__norm_rows_layout in norm.h). Each row's moments,
 * rstd and output are computed while the row is in cache, and the backward
 * makes one pass over memory for the row sums, then computes the input
 * gradient from cache. All arithmetic in double; float32 rounds on store.
 *
 * Layer norm: segments of one element (aR == 1), the channel is the
 * position in the row. Group norm: segments of S elements (aR == S), one
 * weight and bias per segment. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/error.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/norm_simd.h"

bool ct__norm_rows_layout(const ct_norm_geom *g) {
    if (g->P != 1) return false;
    if (g->R == 0) return true; /* empty rows: NaN statistics, zero weight / bias gradients */
    if (g->aR < 1 || g->R % g->aR) return false;
    return g->aQ > 0 && g->aQ % (g->R / g->aR) == 0;
}

/* the first channel of row q (the row's segments use channels c0, c0 + 1, ...) */
static int64_t first_channel(const ct_norm_geom *g, int64_t q) { return q * (g->R / g->aR) % g->aQ; }

typedef struct {
    ct_dtype dt;
    const ct_norm_geom *g;
    const void *x, *gy, *w, *b;
    void *y, *gx;
    double *mean, *var, *rstd; /* (Q) the forward writes them, the backward reads mean and rstd */
    double eps;
    bool stats;             /* backward: mean and rstd are functions of x */
    int64_t rows_per_block; /* backward */
    double *part;           /* backward: per block, a gw partial (aQ) then a gb partial (aQ); NULL: none wanted */
    bool want_gw, want_gb;
} rows_ctx;

/* ---------------------------------------------------------------- forward */

/* y = (x - m) * rs [* w] [+ b] in double, with w, b per element (layer
 * norm; pointers at the row's first channel) or one per segment (group
 * norm). Without w or b there is no multiply or add at all (-0 stays -0). */
#define NORM_APPLY(T)                                                                                              \
    CT_NORM_CLONES static void apply_elem_##T(const T *restrict x, T *restrict y, int64_t n, double m, double rs,  \
                                              const T *restrict w, const T *restrict b) {                          \
        if (w && b)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs * (double)w[r] + (double)b[r]);    \
        else if (w)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs * (double)w[r]);                   \
        else if (b)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs + (double)b[r]);                   \
        else                                                                                                       \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs);                                  \
    }                                                                                                              \
    CT_NORM_CLONES static void apply_seg_##T(const T *restrict x, T *restrict y, int64_t n, double m, double rs,   \
                                             const T *w, const T *b) {                                             \
        double wv = w ? (double)*w : 1, bv = b ? (double)*b : 0;                                                   \
        if (w && b)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs * wv + bv);                         \
        else if (w)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs * wv);                              \
        else if (b)                                                                                                \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs + bv);                              \
        else                                                                                                       \
            for (int64_t r = 0; r < n; r++) y[r] = (T)(((double)x[r] - m) * rs);                                   \
    }                                                                                                              \
    static void forward_row_##T(const rows_ctx *c, int64_t q) {                                                    \
        const ct_norm_geom *g = c->g;                                                                              \
        const T *x = (const T *)c->x + q * g->R, *w = c->w, *b = c->b;                                             \
        T *y = (T *)c->y + q * g->R;                                                                               \
        ct__norm_row_moments(c->dt, x, g->R, &c->mean[q], &c->var[q]);                                             \
        double m = c->mean[q], rs = c->rstd[q] = 1 / sqrt(c->var[q] + c->eps);                                    \
        if (g->R == 0) return;                                                                                     \
        int64_t c0 = first_channel(g, q), L = g->aR;                                                               \
        if (L == 1) {                                                                                              \
            apply_elem_##T(x, y, g->R, m, rs, w ? w + c0 : NULL, b ? b + c0 : NULL);                               \
            return;                                                                                                \
        }                                                                                                          \
        for (int64_t j = 0; j < g->R / L; j++)                                                                     \
            apply_seg_##T(x + j * L, y + j * L, L, m, rs, w ? w + c0 + j : NULL, b ? b + c0 + j : NULL);           \
    }
NORM_APPLY(float)
NORM_APPLY(double)

static void forward_range(int64_t q0, int64_t q1, void *vctx) {
    const rows_ctx *c = vctx;
    for (int64_t q = q0; q < q1; q++) {
        if (c->dt == CT_FLOAT32)
            forward_row_float(c, q);
        else
            forward_row_double(c, q);
    }
}

bool ct__norm_forward_rows(ct_dtype dtype, const void *x, void *y, const ct_norm_geom *g, double eps, const void *w,
                           const void *b, double *mean, double *var, double *rstd) {
    if (!ct__norm_rows_layout(g)) return false;
    rows_ctx c = {.dt = dtype, .g = g, .x = x, .y = y, .w = w, .b = b, .mean = mean, .var = var, .rstd = rstd,
                  .eps = eps};
    int64_t grain = g->R >= CT_GRAIN_SIZE ? 1 : CT_GRAIN_SIZE / (g->R > 0 ? g->R : 1);
    ct_parallel_for(0, g->Q, grain, forward_range, &c);
    return true;
}

/* --------------------------------------------------------------- backward */

/* Layer norm's row sums sg = sum(gy * w), sgx = sum(gy * w * (x - m) * rs):
 * float32 with 8 partials (r % 8 per run of 8, the tail to partial 0),
 * float64 in one chain. */
CT_NORM_CLONES static void elem_sums_f32(const float *x, const float *gy, const float *w, int64_t R, double m,
                                         double rs, double *osg, double *osgx) {
    v8d sg = {0}, sgx = {0};
    const v8d mv = {m, m, m, m, m, m, m, m}, rv = {rs, rs, rs, rs, rs, rs, rs, rs};
    int64_t r = 0;
    for (; r + 8 <= R; r += 8) {
        v8d gh, d;
        LD8(gh, gy + r);
        if (w) {
            v8d wv;
            LD8(wv, w + r);
            gh *= wv;
        }
        LD8(d, x + r);
        sg += gh;
        sgx += gh * (d - mv) * rv;
    }
    for (; r < R; r++) {
        double gh = w ? (double)gy[r] * (double)w[r] : (double)gy[r];
        sg[0] += gh;
        sgx[0] += gh * ((double)x[r] - m) * rs;
    }
    *osg = sum8d((const double *)&sg);
    *osgx = sum8d((const double *)&sgx);
}

static void elem_sums_f64(const double *x, const double *gy, const double *w, int64_t R, double m, double rs,
                          double *osg, double *osgx) {
    double sg = 0, sgx = 0;
    for (int64_t r = 0; r < R; r++) {
        double gh = w ? gy[r] * w[r] : gy[r];
        sg += gh;
        sgx += gh * (x[r] - m) * rs;
    }
    *osg = sg;
    *osgx = sgx;
}

/* Group norm's segment sums s1 = sum(gy), s2 = sum(gy * (x - m)) */
CT_NORM_CLONES static void seg_sums_f32(const float *x, const float *gy, int64_t n, double m, double *o1,
                                        double *o2) {
    v8d s1 = {0}, s2 = {0};
    const v8d mv = {m, m, m, m, m, m, m, m};
    int64_t r = 0;
    for (; r + 8 <= n; r += 8) {
        v8d gv, d;
        LD8(gv, gy + r);
        LD8(d, x + r);
        s1 += gv;
        s2 += gv * (d - mv);
    }
    for (; r < n; r++) {
        s1[0] += (double)gy[r];
        s2[0] += (double)gy[r] * ((double)x[r] - m);
    }
    *o1 = sum8d((const double *)&s1);
    *o2 = sum8d((const double *)&s2);
}

static void seg_sums_f64(const double *x, const double *gy, int64_t n, double m, double *o1, double *o2) {
    double s1 = 0, s2 = 0;
    for (int64_t r = 0; r < n; r++) {
        s1 += gy[r];
        s2 += gy[r] * (x[r] - m);
    }
    *o1 = s1;
    *o2 = s2;
}

/* gx = rs * (gy * w - sg - (x - m) * rs * sgx) (w per element, or one
 * scalar ws when w is NULL), or gy * w * rs without batch statistics;
 * gw[r] += gy * (x - m) * rs and gb[r] += gy per element (layer norm; NULL:
 * not wanted). */
#define NORM_GX(T)                                                                                                 \
    CT_NORM_CLONES static void gx_row_##T(const T *restrict x, const T *restrict gy, const T *restrict w,         \
                                          double ws, T *restrict gx, int64_t n, double m, double rs, double sg,    \
                                          double sgx, bool stats) {                                                \
        for (int64_t r = 0; r < n; r++) {                                                                          \
            double gh = (double)gy[r] * (w ? (double)w[r] : ws);                                                   \
            gx[r] = (T)(stats ? rs * (gh - sg - ((double)x[r] - m) * rs * sgx) : gh * rs);                         \
        }                                                                                                          \
    }                                                                                                              \
    CT_NORM_CLONES static void wb_elem_##T(const T *restrict x, const T *restrict gy, int64_t n, double m,        \
                                           double rs, double *restrict gw, double *restrict gb) {                  \
        if (gw)                                                                                                    \
            for (int64_t r = 0; r < n; r++) gw[r] += (double)gy[r] * ((double)x[r] - m) * rs;                      \
        if (gb)                                                                                                    \
            for (int64_t r = 0; r < n; r++) gb[r] += (double)gy[r];                                                \
    }
NORM_GX(float)
NORM_GX(double)

/* LayerNorm with elementwise_affine in float32: gx_row and wb_elem in one
 * loop, the same operations */
CT_NORM_CLONES static void gx_wb_elem_f32(const float *restrict x, const float *restrict gy, const float *restrict w,
                                          float *restrict gx, int64_t R, double m, double rs, double sg, double sgx,
                                          double *restrict gw, double *restrict gb) {
    for (int64_t r = 0; r < R; r++) {
        double gv = (double)gy[r], d = (double)x[r] - m;
        gx[r] = (float)(rs * (gv * (double)w[r] - sg - d * rs * sgx));
        gw[r] += gv * d * rs;
        gb[r] += gv;
    }
}

/* One row of layer norm (segments of one element). pw, pb: the block's
 * partials at the row's first channel (NULL: not wanted). */
static void backward_row_elem(const rows_ctx *c, int64_t q, double *pw, double *pb) {
    const ct_norm_geom *g = c->g;
    int64_t R = g->R, c0 = first_channel(g, q);
    double m = c->mean[q], rs = c->rstd[q];
    bool f32 = c->dt == CT_FLOAT32;
    size_t isz = f32 ? sizeof(float) : sizeof(double);
    const char *x = (const char *)c->x + (size_t)(q * R) * isz, *gy = (const char *)c->gy + (size_t)(q * R) * isz;
    const char *w = c->w ? (const char *)c->w + (size_t)c0 * isz : NULL;
    if (c->gx) {
        double sg = 0, sgx = 0;
        if (c->stats) {
            if (f32)
                elem_sums_f32((const float *)x, (const float *)gy, (const float *)w, R, m, rs, &sg, &sgx);
            else
                elem_sums_f64((const double *)x, (const double *)gy, (const double *)w, R, m, rs, &sg, &sgx);
            sg /= (double)R;
            sgx /= (double)R;
        }
        char *gx = (char *)c->gx + (size_t)(q * R) * isz;
        if (f32 && w && c->stats && pw && pb) {
            gx_wb_elem_f32((const float *)x, (const float *)gy, (const float *)w, (float *)gx, R, m, rs, sg, sgx, pw,
                           pb);
            return;
        }
        if (f32)
            gx_row_float((const float *)x, (const float *)gy, (const float *)w, 1, (float *)gx, R, m, rs, sg, sgx,
                         c->stats);
        else
            gx_row_double((const double *)x, (const double *)gy, (const double *)w, 1, (double *)gx, R, m, rs, sg,
                          sgx, c->stats);
    }
    if (f32)
        wb_elem_float((const float *)x, (const float *)gy, R, m, rs, pw, pb);
    else
        wb_elem_double((const double *)x, (const double *)gy, R, m, rs, pw, pb);
}

/* One row of group norm (segments of L = aR elements, one weight each): the
 * segment sums give the row sums and the weight / bias gradients at once. */
static void backward_row_seg(const rows_ctx *c, int64_t q, double *pw, double *pb) {
    const ct_norm_geom *g = c->g;
    int64_t R = g->R, L = g->aR, nseg = R / L, c0 = first_channel(g, q);
    double m = c->mean[q], rs = c->rstd[q], sg = 0, sgx = 0;
    bool f32 = c->dt == CT_FLOAT32;
    size_t isz = f32 ? sizeof(float) : sizeof(double);
    const char *x = (const char *)c->x + (size_t)(q * R) * isz, *gy = (const char *)c->gy + (size_t)(q * R) * isz;
    for (int64_t j = 0; j < nseg; j++) {
        double s1, s2;
        size_t off = (size_t)(j * L) * isz;
        if (f32)
            seg_sums_f32((const float *)(x + off), (const float *)(gy + off), L, m, &s1, &s2);
        else
            seg_sums_f64((const double *)(x + off), (const double *)(gy + off), L, m, &s1, &s2);
        double wj = c->w ? (f32 ? (double)((const float *)c->w)[c0 + j] : ((const double *)c->w)[c0 + j]) : 1;
        sg += wj * s1;
        sgx += wj * s2;
        if (pw) pw[j] += s2 * rs;
        if (pb) pb[j] += s1;
    }
    if (!c->gx) return;
    if (c->stats) {
        sg /= (double)R;
        sgx = sgx * rs / (double)R;
    }
    for (int64_t j = 0; j < nseg; j++) {
        size_t off = (size_t)(j * L) * isz;
        double wj = c->w ? (f32 ? (double)((const float *)c->w)[c0 + j] : ((const double *)c->w)[c0 + j]) : 1;
        char *gx = (char *)c->gx + (size_t)(q * R) * isz + off;
        if (f32)
            gx_row_float((const float *)(x + off), (const float *)(gy + off), NULL, wj, (float *)gx, L, m, rs, sg, sgx,
                         c->stats);
        else
            gx_row_double((const double *)(x + off), (const double *)(gy + off), NULL, wj, (double *)gx, L, m, rs, sg,
                          sgx, c->stats);
    }
}

/* The rows run in fixed blocks, a number that depends on the shape only (at
 * most 32, each of at least 2^17 elements): each block sums its rows'
 * weight / bias gradients into its own partials (rows in order), and the
 * partials are added in block order, so the result is the same at any
 * thread count. */
static void backward_blocks(int64_t b0, int64_t b1, void *vctx) {
    const rows_ctx *c = vctx;
    int64_t Q = c->g->Q, aQ = c->g->aQ, per = c->rows_per_block;
    for (int64_t blk = b0; blk < b1; blk++) {
        double *pw = c->want_gw ? c->part + blk * 2 * aQ : NULL, *pb = c->want_gb ? c->part + blk * 2 * aQ + aQ : NULL;
        if (pw) memset(pw, 0, (size_t)aQ * sizeof *pw);
        if (pb) memset(pb, 0, (size_t)aQ * sizeof *pb);
        int64_t q1 = (blk + 1) * per < Q ? (blk + 1) * per : Q;
        for (int64_t q = blk * per; q < q1; q++) {
            int64_t c0 = first_channel(c->g, q);
            if (c->g->aR == 1)
                backward_row_elem(c, q, pw ? pw + c0 : NULL, pb ? pb + c0 : NULL);
            else
                backward_row_seg(c, q, pw ? pw + c0 : NULL, pb ? pb + c0 : NULL);
        }
    }
}

/* dst = 0 + the nblocks partials (stride apart), in block order */
CT_NORM_CLONES static void add_partials(double *restrict dst, const double *restrict part, int64_t nblocks,
                                        int64_t stride, int64_t n) {
    memset(dst, 0, (size_t)n * sizeof *dst);
    for (int64_t blk = 0; blk < nblocks; blk++)
        for (int64_t r = 0; r < n; r++) dst[r] += part[blk * stride + r];
}

int ct__norm_backward_rows(ct_dtype dtype, const void *x, const void *gy, const ct_norm_geom *g, const double *mean,
                           const double *rstd, const void *w, bool batch_stats, void *gx, double *gw, double *gb) {
    int64_t Q = g->Q, aQ = g->aQ;
    if (g->R == 0) { /* nothing to differentiate: zero weight / bias gradients */
        if (gw) memset(gw, 0, (size_t)aQ * sizeof *gw);
        if (gb) memset(gb, 0, (size_t)aQ * sizeof *gb);
        return CT_OK;
    }
    int64_t nblocks = (Q * g->R) >> 17;
    nblocks = nblocks < 1 ? 1 : nblocks > 32 ? 32 : nblocks > Q ? Q : nblocks;
    int64_t per = Q > 0 ? (Q + nblocks - 1) / nblocks : 1;
    nblocks = Q > 0 ? (Q + per - 1) / per : 0;
    rows_ctx c = {.dt = dtype, .g = g, .x = x, .gy = gy, .w = w, .gx = gx, .mean = (double *)mean,
                  .rstd = (double *)rstd, .stats = batch_stats, .rows_per_block = per, .want_gw = gw != NULL,
                  .want_gb = gb != NULL};
    if (gw || gb) {
        size_t bytes = (size_t)(nblocks * 2 * aQ) * sizeof(double);
        if (!(c.part = malloc(bytes ? bytes : 1))) {
            ct__error_oom((int64_t)bytes);
            return CT_ERROR;
        }
    }
    ct_parallel_for(0, nblocks, 1, backward_blocks, &c);
    if (gw) add_partials(gw, c.part, nblocks, 2 * aQ, aQ);
    if (gb) add_partials(gb, c.part + aQ, nblocks, 2 * aQ, aQ);
    free(c.part);
    return CT_OK;
}
