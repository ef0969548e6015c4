/* Fused softmax / log_softmax kernels (see softmax.h). Work is split by
 * output rows, so threads never share an output element. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/fast_expf.h"
#include "kernels/cpu/softmax.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

typedef struct {
    const void *x;
    void *y;
    int64_t n, inner;
    bool log;
} sm_ctx;

/* One (outer, inner) row at stride `inner`: T storage, CT compute type. */
#define SM_ROWS(NAME, T, CT, LD, ST, EXP, LOGF)                                     \
    static void NAME(int64_t begin, int64_t end, void *vctx) {                      \
        const sm_ctx *c = vctx;                                                     \
        const int64_t n = c->n, inner = c->inner;                                   \
        for (int64_t r = begin; r < end; r++) {                                     \
            int64_t o = r / inner, i = r % inner;                                   \
            const T *xp = (const T *)c->x + o * n * inner + i;                      \
            T *yp = (T *)c->y + o * n * inner + i;                                  \
            CT mx = -INFINITY;                                                      \
            bool has_nan = false;                                                   \
            for (int64_t k = 0; k < n; k++) {                                       \
                CT v = LD(xp + k * inner);                                          \
                if (isnan(v)) has_nan = true;                                       \
                if (v > mx) mx = v;                                                 \
            }                                                                       \
            if (has_nan) mx = (CT)NAN;                                              \
            double sum = 0;                                                         \
            for (int64_t k = 0; k < n; k++) sum += (double)EXP(LD(xp + k * inner) - mx); \
            if (c->log) {                                                           \
                CT ls = (CT)LOGF(sum);                                              \
                for (int64_t k = 0; k < n; k++) ST(yp + k * inner, LD(xp + k * inner) - mx - ls); \
            } else {                                                                \
                for (int64_t k = 0; k < n; k++)                                     \
                    ST(yp + k * inner, (CT)((double)EXP(LD(xp + k * inner) - mx) / sum)); \
            }                                                                       \
        }                                                                           \
    }

static inline float ld_bf(const uint16_t *p) { return ct_bfloat16_to_float(*p); }
#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_BF(p, v) (*(p) = ct_float_to_bfloat16(v))

SM_ROWS(rows_f32, float, float, LD_NATIVE, ST_NATIVE, expf, log)
SM_ROWS(rows_f64, double, double, LD_NATIVE, ST_NATIVE, exp, log)
SM_ROWS(rows_bf16, uint16_t, float, ld_bf, ST_BF, expf, log)


/* ---- float32 rows with unit stride (inner == 1): the approach of the fused
 * cross-entropy kernel (src/kernels/cpu/loss.c): exp in float
 * (ct__expf_poly, kernels/cpu/fast_expf.h), written straight into the
 * output row; the sum in 8
 * double partial sums in a fixed order; one multiply by 1/sum. Rows holding
 * a NaN or an infinite maximum take the generic loop above. ---- */
/* max of a row; false when it is NaN or infinite */
CT_SIMD_CLONES CT_NO_TRAP static bool sm_max_f32(const float *x, int64_t n, float *mx) {
    float m = -INFINITY;
    int nan = 0;
    for (int64_t k = 0; k < n; k++) {
        m = x[k] > m ? x[k] : m;
        nan |= x[k] != x[k];
    }
    *mx = m;
    return !nan && isfinite(m);
}

/* y[k] = exp(x[k] - m); returns the sum in 8 double partial sums */
CT_SIMD_CLONES CT_NO_TRAP static double sm_exp_sum_f32(const float *x, float *y, int64_t n, float m) {
    for (int64_t k = 0; k < n; k++) y[k] = ct__expf_poly(x[k] - m);
    double acc[8] = {0};
    int64_t k = 0;
    for (; k + 8 <= n; k += 8)
        for (int j = 0; j < 8; j++) acc[j] += (double)y[k + j];
    for (; k < n; k++) acc[k % 8] += (double)y[k];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

CT_SIMD_CLONES static void sm_scale_f32(float *y, int64_t n, float s) {
    for (int64_t k = 0; k < n; k++) y[k] *= s;
}

CT_SIMD_CLONES static void sm_logout_f32(const float *x, float *y, int64_t n, float m, float ls) {
    for (int64_t k = 0; k < n; k++) y[k] = x[k] - m - ls;
}

static void rows_f32_unit(int64_t begin, int64_t end, void *vctx) {
    const sm_ctx *c = vctx;
    const int64_t n = c->n;
    for (int64_t r = begin; r < end; r++) {
        const float *xp = (const float *)c->x + r * n;
        float *yp = (float *)c->y + r * n;
        float mx;
        if (!sm_max_f32(xp, n, &mx)) {
            rows_f32(r, r + 1, vctx);
            continue;
        }
        double sum = sm_exp_sum_f32(xp, yp, n, mx);
        if (c->log)
            sm_logout_f32(xp, yp, n, mx, (float)log(sum));
        else
            sm_scale_f32(yp, n, (float)(1.0 / sum));
    }
}

int ct__kernel_softmax(const void *x, void *y, ct_dtype dtype, int64_t outer, int64_t n, int64_t inner, bool log) {
    ct_parallel_fn fn = dtype == CT_FLOAT32 ? rows_f32 : dtype == CT_FLOAT64 ? rows_f64 : dtype == CT_BFLOAT16 ? rows_bf16 : NULL;
    if (!fn) return CT_ERROR;
    int64_t rows = outer * inner;
    if (rows == 0 || n == 0) return CT_OK;
    sm_ctx c = {x, y, n, inner, log};
    if (dtype == CT_FLOAT32 && inner == 1) fn = rows_f32_unit;
    int64_t grain = 32768 / (n > 0 ? n : 1);
    ct_parallel_for(0, rows, grain > 0 ? grain : 1, fn, &c);
    return CT_OK;
}
