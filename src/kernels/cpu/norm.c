/* Normalization kernels of the batch-norm layout (one statistic and one
 * affine channel per q): moments, affine normalise, fused backward; and the
 * moments of one row, which norm_rows.c (layer and group norm) shares. All
 * arithmetic in double; float32 rounds on store. */
#include "kernels/cpu/norm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/error.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/norm_simd.h"

static inline double ld(ct_dtype dt, const void *p, int64_t i) {
    return dt == CT_FLOAT64 ? ((const double *)p)[i] : (double)((const float *)p)[i];
}

/* grain in units of q: about CT_GRAIN_SIZE elements per chunk */
static int64_t q_grain(const ct_norm_geom *g) {
    int64_t per = g->P * g->R;
    return per >= CT_GRAIN_SIZE ? 1 : CT_GRAIN_SIZE / (per > 0 ? per : 1);
}

typedef struct {
    ct_dtype dt;
    const void *x, *gy, *w, *b;
    void *y, *gx;
    const ct_norm_geom *g;
    double *mean, *var, *gw, *gb;
    const double *cmean, *rstd;
    bool batch_stats;
} norm_ctx;

#define NORM_MOMENTS(T)                                                                  \
    static void moments_##T(const norm_ctx *c, int64_t q) {                              \
        const ct_norm_geom *g = c->g;                                                    \
        const T *X = c->x;                                                               \
        int64_t n = g->P * g->R;                                                         \
        double s = 0;                                                                    \
        for (int64_t p = 0; p < g->P; p++) {                                             \
            const T *x = X + (p * g->Q + q) * g->R;                                      \
            for (int64_t r = 0; r < g->R; r++) s += (double)x[r];                        \
        }                                                                                \
        double m = s / (double)n, v = 0;                                                 \
        for (int64_t p = 0; p < g->P; p++) {                                             \
            const T *x = X + (p * g->Q + q) * g->R;                                      \
            for (int64_t r = 0; r < g->R; r++) {                                         \
                double d = (double)x[r] - m;                                             \
                v += d * d;                                                              \
            }                                                                            \
        }                                                                                \
        c->mean[q] = n ? m : NAN;                                                        \
        c->var[q] = n ? v / (double)n : NAN;                                             \
    }
NORM_MOMENTS(double)

/* ---- float32, batch-norm layout (one affine channel per q): vectorized
 * loops. Sums in double with 8 partial sums (element r of a row goes to
 * partial r % 8 within each run of 8, the row's tail to partial 0), so the
 * compiler vectorizes them; cloned for AVX-512 and AVX2 (ifunc by CPU).
 * The order differs from one serial double chain per sum by
 * far less than float32's rounding. ---- */
/* s1 = sum(x - K), s2 = sum((x - K)^2) over P rows of R (row p at x + p *
 * ps), as 8 partials kept in locals (so they live in vector registers) */
CT_NORM_CLONES static void mom_rows_f32(const float *x, int64_t P, int64_t ps, int64_t R, double K, double *o1,
                                        double *o2) {
    v8d s1 = {0}, s2 = {0}, k = {K, K, K, K, K, K, K, K};
    for (int64_t p = 0; p < P; p++, x += ps) {
        int64_t r = 0;
        for (; r + 8 <= R; r += 8) {
            v8d d;
            LD8(d, x + r);
            d -= k;
            s1 += d;
            s2 += d * d;
        }
        for (; r < R; r++) {
            double d = (double)x[r] - K;
            s1[0] += d;
            s2[0] += d * d;
        }
    }
    memcpy(o1, &s1, sizeof s1);
    memcpy(o2, &s2, sizeof s2);
}

/* One pass: sums shifted by K = the channel's first element (a finite one;
 * else 0), so var = E[(x-K)^2] - E[x-K]^2 loses nothing in double for
 * float data. NaN / inf propagate as in the two-pass loop. */
static void moments_f32_perq(const norm_ctx *c, int64_t q) {
    const ct_norm_geom *g = c->g;
    const float *X = c->x;
    int64_t n = g->P * g->R;
    if (n == 0) {
        c->mean[q] = c->var[q] = NAN;
        return;
    }
    double K = (double)X[q * g->R];
    if (!isfinite(K)) K = 0;
    double s1[8], s2[8];
    mom_rows_f32(X + q * g->R, g->P, g->Q * g->R, g->R, K, s1, s2);
    double a = sum8d(s1) / (double)n, v = sum8d(s2) / (double)n - a * a;
    c->mean[q] = K + a;
    c->var[q] = v < 0 ? 0 : v;
}

CT_NORM_CLONES static void apply_row_f32(const float *x, float *y, int64_t R, double m, double rs, double w,
                                         double b) {
    for (int64_t r = 0; r < R; r++) y[r] = (float)(((double)x[r] - m) * rs * w + b);
}

/* the four sums of the backward over P rows of R (row p at offset p * ps),
 * partials in locals */
CT_NORM_CLONES static void bwd_sums_f32(const float *x, const float *gy, int64_t P, int64_t ps, int64_t R, double m,
                                        double rs, double w, double *o /* 4 x 8 */) {
    v8d sg = {0}, sgx = {0}, sw = {0}, sb = {0};
    const v8d mv = {m, m, m, m, m, m, m, m}, rv = {rs, rs, rs, rs, rs, rs, rs, rs}, wv = {w, w, w, w, w, w, w, w};
    for (int64_t p = 0; p < P; p++, x += ps, gy += ps) {
        int64_t r = 0;
        for (; r + 8 <= R; r += 8) {
            v8d gv, d;
            LD8(gv, gy + r);
            LD8(d, x + r);
            d -= mv;
            v8d gh = gv * wv;
            sg += gh;
            sgx += gh * d * rv;
            sw += gv * d * rv;
            sb += gv;
        }
        for (; r < R; r++) {
            double gv = (double)gy[r], d = (double)x[r] - m;
            double gh = gv * w;
            sg[0] += gh;
            sgx[0] += gh * d * rs;
            sw[0] += gv * d * rs;
            sb[0] += gv;
        }
    }
    memcpy(o, &sg, sizeof sg);
    memcpy(o + 8, &sgx, sizeof sgx);
    memcpy(o + 16, &sw, sizeof sw);
    memcpy(o + 24, &sb, sizeof sb);
}

CT_NORM_CLONES static void bwd_gx_row_f32(const float *x, const float *gy, float *gx, int64_t R, double m, double rs,
                                          double w, double sg, double sgx, bool stats) {
    if (stats) {
        for (int64_t r = 0; r < R; r++) {
            double gh = (double)gy[r] * w;
            double xh = ((double)x[r] - m) * rs;
            gx[r] = (float)(rs * (gh - sg - xh * sgx));
        }
    } else {
        for (int64_t r = 0; r < R; r++) gx[r] = (float)((double)gy[r] * w * rs);
    }
}

/* bwd_perq_float with vectorized rows (w == 1 when there is no weight:
 * gv * 1 is gv exactly) */
static void bwd_perq_f32(const norm_ctx *c, int64_t q, double *gwq, double *gbq) {
    const ct_norm_geom *g = c->g;
    const float *X = c->x, *GY = c->gy;
    double n = (double)(g->P * g->R), m = c->cmean[q], rs = c->rstd[q];
    double w = c->w ? (double)((const float *)c->w)[q] : 1.0;
    double o[32] = {0};
    bool need_stats = c->gx && c->batch_stats;
    if (need_stats || gwq || gbq) bwd_sums_f32(X + q * g->R, GY + q * g->R, g->P, g->Q * g->R, g->R, m, rs, w, o);
    if (gwq) *gwq = sum8d(o + 16);
    if (gbq) *gbq = sum8d(o + 24);
    if (!c->gx) return;
    double mg = sum8d(o) / n, mgx = sum8d(o + 8) / n;
    for (int64_t p = 0; p < g->P; p++) {
        int64_t base = (p * g->Q + q) * g->R;
        bwd_gx_row_f32(X + base, GY + base, (float *)c->gx + base, g->R, m, rs, w, mg, mgx, c->batch_stats);
    }
}

/* float64: two passes in double, in element order; float32: one shifted
 * pass (moments_f32_perq). */
static void moments_range(int64_t q0, int64_t q1, void *vctx) {
    norm_ctx *c = vctx;
    for (int64_t q = q0; q < q1; q++) {
        if (c->dt == CT_FLOAT64)
            moments_double(c, q);
        else
            moments_f32_perq(c, q);
    }
}

void ct__norm_moments(ct_dtype dtype, const void *x, const ct_norm_geom *g, double *mean, double *var) {
    norm_ctx c = {.dt = dtype, .x = x, .g = g, .mean = mean, .var = var};
    ct_parallel_for(0, g->Q, q_grain(g), moments_range, &c);
}

void ct__norm_row_moments(ct_dtype dtype, const void *x, int64_t n, double *mean, double *var) {
    ct_norm_geom g = {1, 1, n, 1, 1};
    norm_ctx c = {.dt = dtype, .x = x, .g = &g, .mean = mean, .var = var};
    if (dtype == CT_FLOAT64)
        moments_double(&c, 0);
    else
        moments_f32_perq(&c, 0);
}

/* batch-norm layout: one scale and shift per q */
static void apply_range(int64_t q0, int64_t q1, void *vctx) {
    norm_ctx *c = vctx;
    const ct_norm_geom *g = c->g;
    for (int64_t q = q0; q < q1; q++) {
        double m = c->cmean[q], rs = c->rstd[q];
        double w = c->w ? ld(c->dt, c->w, q) : 1, b = c->b ? ld(c->dt, c->b, q) : 0;
        for (int64_t p = 0; p < g->P; p++) {
            int64_t base = (p * g->Q + q) * g->R;
            if (c->dt == CT_FLOAT32) {
                apply_row_f32((const float *)c->x + base, (float *)c->y + base, g->R, m, rs, w, b);
            } else {
                const double *x = (const double *)c->x + base;
                double *y = (double *)c->y + base;
                for (int64_t r = 0; r < g->R; r++) y[r] = (x[r] - m) * rs * w + b;
            }
        }
    }
}

void ct__norm_apply(ct_dtype dtype, const void *x, void *y, const ct_norm_geom *g, const double *mean,
                    const double *rstd, const void *w, const void *b) {
    norm_ctx c = {.dt = dtype, .x = x, .y = y, .g = g, .cmean = mean, .rstd = rstd, .w = w, .b = b};
    ct_parallel_for(0, g->Q, q_grain(g), apply_range, &c);
}

/* Batch-norm layout (one affine channel per q): typed loops, no per-element
 * dtype switch or channel division; gw[q] / gb[q] are accumulated in the same
 * pass (each q owns its channel, so this runs in parallel over q). The double
 * sums run in element order (p, r). */
#define NORM_BWD_PERQ(T)                                                                              \
    static void bwd_perq_##T(const norm_ctx *c, int64_t q, double *gwq, double *gbq) {               \
        const ct_norm_geom *g = c->g;                                                                 \
        const T *X = c->x, *GY = c->gy;                                                               \
        double n = (double)(g->P * g->R), m = c->cmean[q], rs = c->rstd[q];                           \
        bool hw = c->w != NULL;                                                                       \
        double w = hw ? (double)((const T *)c->w)[q] : 1.0;                                           \
        double sg = 0, sgx = 0, sw = 0, sb = 0;                                                       \
        bool need_stats = c->gx && c->batch_stats;                                                    \
        if (need_stats || gwq || gbq) {                                                               \
            for (int64_t p = 0; p < g->P; p++) {                                                      \
                const T *x = X + (p * g->Q + q) * g->R, *gy = GY + (p * g->Q + q) * g->R;             \
                for (int64_t r = 0; r < g->R; r++) {                                                  \
                    double gv = (double)gy[r], d = (double)x[r] - m;                                  \
                    double gh = hw ? gv * w : gv;                                                     \
                    sg += gh;                                                                         \
                    sgx += gh * d * rs;                                                               \
                    sw += gv * d * rs;                                                                \
                    sb += gv;                                                                         \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
        if (gwq) *gwq = sw;                                                                           \
        if (gbq) *gbq = sb;                                                                           \
        if (!c->gx) return;                                                                           \
        sg /= n;                                                                                      \
        sgx /= n;                                                                                     \
        for (int64_t p = 0; p < g->P; p++) {                                                          \
            int64_t base = (p * g->Q + q) * g->R;                                                     \
            const T *x = X + base, *gy = GY + base;                                                   \
            T *gx = (T *)c->gx + base;                                                                \
            if (c->batch_stats) {                                                                     \
                for (int64_t r = 0; r < g->R; r++) {                                                  \
                    double gh = hw ? (double)gy[r] * w : (double)gy[r];                               \
                    double xh = ((double)x[r] - m) * rs;                                              \
                    gx[r] = (T)(rs * (gh - sg - xh * sgx));                                           \
                }                                                                                     \
            } else {                                                                                  \
                for (int64_t r = 0; r < g->R; r++) {                                                  \
                    double gh = hw ? (double)gy[r] * w : (double)gy[r];                               \
                    gx[r] = (T)(gh * rs);                                                             \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }
NORM_BWD_PERQ(double)

static void bwd_perq_range(int64_t q0, int64_t q1, void *vctx) {
    norm_ctx *c = vctx;
    for (int64_t q = q0; q < q1; q++) {
        double *gwq = c->gw ? c->gw + q : NULL, *gbq = c->gb ? c->gb + q : NULL;
        if (c->dt == CT_FLOAT64)
            bwd_perq_double(c, q, gwq, gbq);
        else
            bwd_perq_f32(c, q, gwq, gbq);
    }
}

int ct__norm_backward(ct_dtype dtype, const void *x, const void *gy, const ct_norm_geom *g, const double *mean,
                      const double *rstd, const void *w, bool batch_stats, void *gx, double *gw, double *gb) {
    if (g->aR == g->R && g->aQ == g->Q) {
        norm_ctx c = {.dt = dtype, .x = x, .gy = gy, .g = g, .cmean = mean, .rstd = rstd, .w = w,
                      .batch_stats = batch_stats, .gx = gx, .gw = gw, .gb = gb};
        ct_parallel_for(0, g->Q, q_grain(g), bwd_perq_range, &c);
        return CT_OK;
    }
    if (ct__norm_rows_layout(g)) return ct__norm_backward_rows(dtype, x, gy, g, mean, rstd, w, batch_stats, gx, gw, gb);
    ct__error("internal error: a normalization layout that is neither batch norm's nor rows");
    return CT_ERROR;
}
