/* Fused loss kernels: cross entropy (log_softmax + nll in one pass) and CTC. */
#include "kernels/cpu/loss.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/fast_expf.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

/* One (n, s) row of x (C values, stride S): max and log(sum(exp(x - max))). */
#define CE_ROW_STATS(T)                                                                                 \
    static void ce_row_##T(const T *xr, int64_t C, int64_t S, double *mx, double *lse) {             \
        double m = -INFINITY;                                                                          \
        for (int64_t c = 0; c < C; c++) {                                                              \
            double v = (double)xr[c * S];                                                              \
            if (v > m || isnan(v)) m = v;                                                              \
            if (isnan(v)) break;                                                                       \
        }                                                                                              \
        if (isinf(m)) m = m > 0 ? m : 0; /* all -inf: lse = -inf; +inf: NaN as PyTorch */             \
        double s = 0;                                                                                  \
        for (int64_t c = 0; c < C; c++) s += exp((double)xr[c * S] - m);                               \
        *mx = m;                                                                                       \
        *lse = log(s);                                                                                 \
    }
CE_ROW_STATS(float)
CE_ROW_STATS(double)

/* float32 rows with unit stride (the usual (N, C) logits): exp in float
 * (ct__expf_poly's operations, vectorized: kernels/cpu/fast_expf.h), as
 * PyTorch's vectorized log_softmax computes in float. The glibc double exp
 * per element cost 50% of the fused kernel (docs/performance.md). Rows with
 * a NaN or an infinite maximum take the double path above. */
static bool ce_row_fast_f32(const float *xr, int64_t C, double *mx, double *lse, const float *next) {
    float m;
    if (!ct__row_max_f32(xr, C, &m)) return false;
    double sum = ct__row_exp_sum_pf_f32(xr, NULL, C, m, next, NULL); /* the next row into L2 meanwhile */
    *mx = m;
    *lse = (double)logf((float)sum);
    return true;
}

/* gr = coef * (softmax(xr) - onehot(t)) in one pass, from the forward's
 * row statistics: softmax = exp(x - (float)(m + lse)) */
static void ce_bwd_row_f32(const float *xr, float *gr, int64_t C, int64_t t, double m, double lse, double coef,
                           bool more) {
    float mlse = (float)(m + lse), cf = (float)coef;
    ct__row_exp_scale_pf_f32(xr, gr, C, mlse, cf, more ? xr + C : NULL, more ? gr + C : NULL);
    gr[t] = cf * (ct__expf_poly(xr[t] - mlse) - 1.0f);
}

static bool ce_bwd_fast_f32(const float *xr, float *gr, int64_t C, int64_t t, const double *st, double coef,
                            bool more) {
    double m, lse;
    if (st) {
        m = st[0], lse = st[1];
        if (!isfinite(m) || !isfinite(lse)) return false; /* the forward took the double path */
    } else if (!ce_row_fast_f32(xr, C, &m, &lse, NULL)) {
        return false;
    }
    ce_bwd_row_f32(xr, gr, C, t, m, lse, coef, more);
    return true;
}

/* more: a next row follows in this chunk (prefetched meanwhile) */
#define ce_row_fast(xr, C, S, m, lse, more)                                                                   \
    _Generic((xr), const float *: ((S) == 1 && ce_row_fast_f32((const float *)(xr), (C), (m), (lse),         \
                                                               (more) ? (const float *)(xr) + (C) : NULL)), \
             default: false)
#define ce_bwd_fast(xr, gr, C, S, t, st, coef, more)                                                          \
    _Generic((xr), const float *: ((S) == 1 && ce_bwd_fast_f32((const float *)(xr), (float *)(gr), (C), (t), (st), (coef), (more))), \
             default: false)

typedef struct {
    const void *x, *w;
    const int64_t *t;
    int64_t C, S, ignore;
    double *loss, *wsum; /* per row */
    double *stats;       /* per row: max, log-sum-exp (may be NULL) */
    int64_t *bad;        /* per row: -1 ok, else the bad target's row */
    /* backward */
    const void *g;
    const double *st; /* the forward's stats, or NULL */
    bool gs;
    double scale;
    void *gx;
} ce_ctx;

#define CE_FWD(T)                                                                                  \
    static void ce_fwd_##T(int64_t b, int64_t e, void *vctx) {                                    \
        ce_ctx *k = vctx;                                                                          \
        const T *x = k->x, *w = k->w;                                                              \
        for (int64_t r = b; r < e; r++) {                                                          \
            int64_t n = r / k->S, s = r % k->S, t = k->t[r];                                       \
            k->loss[r] = 0, k->wsum[r] = 0, k->bad[r] = -1;                                        \
            if (k->stats) k->stats[2 * r] = k->stats[2 * r + 1] = NAN;                             \
            if (t == k->ignore) continue;                                                          \
            if (t < 0 || t >= k->C) {                                                              \
                k->bad[r] = t;                                                                     \
                continue;                                                                          \
            }                                                                                      \
            const T *xr = x + n * k->C * k->S + s;                                                 \
            double m, lse;                                                                         \
            if (!ce_row_fast(xr, k->C, k->S, &m, &lse, r + 1 < e)) ce_row_##T(xr, k->C, k->S, &m, &lse); \
            double wt = w ? (double)w[t] : 1.0;                                                    \
            k->loss[r] = -wt * ((double)xr[t * k->S] - m - lse);                                   \
            k->wsum[r] = wt;                                                                       \
            if (k->stats) k->stats[2 * r] = m, k->stats[2 * r + 1] = lse;                          \
        }                                                                                          \
    }
CE_FWD(float)
CE_FWD(double)

int ct__kernel_cross_entropy_fwd(ct_dtype dtype, const void *x, const int64_t *target, const void *weight, int64_t N,
                                 int64_t C, int64_t S, int64_t ignore_index, void *out, double *sum_loss,
                                 double *sum_weight, int64_t *bad, double *stats) {
    int64_t rows = N * S;
    double *buf = malloc((size_t)(rows > 0 ? rows : 1) * 2 * sizeof(double));
    int64_t *badv = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(int64_t));
    if (!buf || !badv) {
        free(buf);
        free(badv);
        *bad = INT64_MIN;
        return -1;
    }
    ce_ctx k = {.x = x, .w = weight, .t = target, .C = C, .S = S, .ignore = ignore_index, .loss = buf,
                .wsum = buf + rows, .bad = badv, .stats = stats};
    int64_t grain = C > 0 ? 1 + 32768 / C : 32768;
    ct_parallel_for(0, rows, grain, dtype == CT_FLOAT64 ? ce_fwd_double : ce_fwd_float, &k);
    double sl = 0, sw = 0;
    int rc = 0;
    for (int64_t r = 0; r < rows; r++) {
        if (badv[r] != -1 && !rc) {
            *bad = badv[r];
            rc = -1;
        }
        sl += buf[r];
        sw += buf[rows + r];
        if (out) {
            if (dtype == CT_FLOAT64) ((double *)out)[r] = buf[r];
            else ((float *)out)[r] = (float)buf[r];
        }
    }
    *sum_loss = sl;
    *sum_weight = sw;
    free(buf);
    free(badv);
    return rc;
}

#define CE_BWD(T)                                                                                  \
    static void ce_bwd_##T(int64_t b, int64_t e, void *vctx) {                                    \
        ce_ctx *k = vctx;                                                                          \
        const T *x = k->x, *w = k->w, *g = k->g;                                                   \
        T *gx = k->gx;                                                                             \
        for (int64_t r = b; r < e; r++) {                                                          \
            int64_t n = r / k->S, s = r % k->S, t = k->t[r];                                       \
            const T *xr = x + n * k->C * k->S + s;                                                 \
            T *gr = gx + n * k->C * k->S + s;                                                      \
            if (t < 0 || t >= k->C || (double)w[r] == 0) {                                        \
                for (int64_t c = 0; c < k->C; c++) gr[c * k->S] = 0;                               \
                continue;                                                                          \
            }                                                                                      \
            double m, lse;                                                                         \
            double coef = k->scale * (double)w[r] * (double)(k->gs ? g[0] : g[r]);                 \
            const double *st = k->st ? k->st + 2 * r : NULL;                                       \
            if (ce_bwd_fast(xr, gr, k->C, k->S, t, st, coef, r + 1 < e)) continue;                 \
            if (st) m = st[0], lse = st[1];                                                        \
            else ce_row_##T(xr, k->C, k->S, &m, &lse);                                             \
            for (int64_t c = 0; c < k->C; c++) {                                                   \
                double p = exp((double)xr[c * k->S] - m - lse);                                    \
                gr[c * k->S] = (T)(coef * (p - (c == t ? 1.0 : 0.0)));                             \
            }                                                                                      \
        }                                                                                          \
    }
CE_BWD(float)
CE_BWD(double)

void ct__kernel_cross_entropy_bwd(ct_dtype dtype, const void *x, const int64_t *target, const void *row_w, int64_t N,
                                  int64_t C, int64_t S, const void *grad, bool grad_scalar, double scale,
                                  void *grad_x, const double *stats) {
    ce_ctx k = {.x = x, .w = row_w, .t = target, .C = C, .S = S, .g = grad, .st = stats,
                .gs = grad_scalar, .scale = scale, .gx = grad_x};
    int64_t grain = C > 0 ? 1 + 32768 / C : 32768;
    ct_parallel_for(0, N * S, grain, dtype == CT_FLOAT64 ? ce_bwd_double : ce_bwd_float, &k);
}

/* ---- CTC (Graves et al. 2006), as PyTorch's ctc_loss_cpu_template ---- */

static inline int64_t prime(const int64_t *tg, int64_t s, int64_t blank) { return s % 2 == 0 ? blank : tg[s / 2]; }

static inline double lse3(double a, double b, double c) {
    double m = a;
    if (b > m) m = b;
    if (c > m) m = c;
    if (m == -INFINITY) m = 0;
    return log(exp(a - m) + exp(b - m) + exp(c - m)) + m;
}

double ct__kernel_ctc(const double *lp, int64_t T, int64_t C, const int64_t *tg, int64_t L, int64_t blank, double g,
                      double *grad, double *scratch) {
    int64_t Sn = 2 * L + 1;
    double *la = scratch, *lb = scratch + T * Sn;
    for (int64_t i = 0; i < T * Sn; i++) la[i] = lb[i] = -INFINITY;
    if (T == 0) {
        /* no frames: likelihood 1 only for the empty target */
        if (grad)
            for (int64_t i = 0; i < T * C; i++) grad[i] = 0;
        return L == 0 ? 0.0 : INFINITY;
    }
    la[0] = lp[blank];
    if (L > 0) la[1] = lp[prime(tg, 1, blank)];
    for (int64_t t = 1; t < T; t++)
        for (int64_t s = 0; s < Sn; s++) {
            int64_t cur = prime(tg, s, blank);
            double a1 = la[(t - 1) * Sn + s], a2 = -INFINITY, a3 = -INFINITY;
            if (s > 0) a2 = la[(t - 1) * Sn + s - 1];
            if (s > 1 && prime(tg, s - 2, blank) != cur) a3 = la[(t - 1) * Sn + s - 2];
            la[t * Sn + s] = lse3(a1, a2, a3) + lp[t * C + cur];
        }
    double nll;
    if (L == 0) {
        nll = -la[(T - 1) * Sn];
    } else {
        double l1 = la[(T - 1) * Sn + 2 * L], l2 = la[(T - 1) * Sn + 2 * L - 1];
        double m = l1 > l2 ? l1 : l2;
        if (m == -INFINITY) m = 0;
        nll = -(log(exp(l1 - m) + exp(l2 - m)) + m);
    }
    if (!grad) return nll;
    lb[(T - 1) * Sn + 2 * L] = lp[(T - 1) * C + blank];
    if (L > 0) lb[(T - 1) * Sn + 2 * L - 1] = lp[(T - 1) * C + prime(tg, 2 * L - 1, blank)];
    for (int64_t t = T - 2; t >= 0; t--)
        for (int64_t s = 2 * L; s >= 0; s--) {
            int64_t cur = prime(tg, s, blank);
            double b1 = lb[(t + 1) * Sn + s], b2 = -INFINITY, b3 = -INFINITY;
            if (s < 2 * L) b2 = lb[(t + 1) * Sn + s + 1];
            if (s < 2 * L - 1 && prime(tg, s + 2, blank) != cur) b3 = lb[(t + 1) * Sn + s + 2];
            lb[t * Sn + s] = lse3(b1, b2, b3) + lp[t * C + cur];
        }
    for (int64_t i = 0; i < T * C; i++) grad[i] = -INFINITY;
    for (int64_t t = 0; t < T; t++)
        for (int64_t s = 0; s < Sn; s++) {
            int64_t c = prime(tg, s, blank);
            double lab = la[t * Sn + s] + lb[t * Sn + s];
            double *lc = &grad[t * C + c];
            if (*lc == -INFINITY) {
                *lc = lab;
            } else {
                double m = *lc > lab ? *lc : lab;
                *lc = log(exp(*lc - m) + exp(lab - m)) + m;
            }
        }
    for (int64_t t = 0; t < T; t++)
        for (int64_t c = 0; c < C; c++) {
            double l = lp[t * C + c];
            grad[t * C + c] = (exp(l) - exp(grad[t * C + c] + nll - l)) * g;
        }
    return nll;
}
