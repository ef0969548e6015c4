/* Fused softmax / log_softmax kernels (see softmax.h). Work is split by
 * output rows, so threads never share an output element. */
#include <math.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/softmax.h"

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

int ct__kernel_softmax(const void *x, void *y, ct_dtype dtype, int64_t outer, int64_t n, int64_t inner, bool log) {
    ct_parallel_fn fn = dtype == CT_FLOAT32 ? rows_f32 : dtype == CT_FLOAT64 ? rows_f64 : dtype == CT_BFLOAT16 ? rows_bf16 : NULL;
    if (!fn) return CT_ERROR;
    int64_t rows = outer * inner;
    if (rows == 0 || n == 0) return CT_OK;
    sm_ctx c = {x, y, n, inner, log};
    int64_t grain = 32768 / (n > 0 ? n : 1);
    ct_parallel_for(0, rows, grain > 0 ? grain : 1, fn, &c);
    return CT_OK;
}
