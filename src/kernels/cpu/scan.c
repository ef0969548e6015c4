/* Scans along one dim: every line (all other indices fixed) is walked in
 * order; lines are split across threads. */
#include <math.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"
#include "ctorch/tensor.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/scan.h"

typedef struct {
    ct_scan_kind kind;
    char *out;
    ct_dtype out_dtype, in_dtype;
    int64_t *indices;
    const char *in;
    int nk;
    int64_t ksizes[CT_MAX_DIMS], kin[CT_MAX_DIMS], kout[CT_MAX_DIMS]; /* in / out element strides */
    int64_t len, in_step, out_step;
} scan_plan;

/* cumsum / cumprod of float32 or float64 into the same dtype: typed loads
 * and stores around the same double accumulator as the general loop
 * (PyTorch's CPU acc_type for both) */
#define CUM_LINE_TYPED(T)                                                                               \
    static void cum_line_##T(const T *src, int64_t in_step, T *dst, int64_t out_step, int64_t n, bool sum) { \
        double acc = sum ? 0 : 1;                                                                       \
        for (int64_t k = 0; k < n; k++) {                                                               \
            double v = (double)src[k * in_step];                                                        \
            acc = sum ? acc + v : acc * v;                                                              \
            dst[k * out_step] = (T)acc;                                                                 \
        }                                                                                               \
    }
CUM_LINE_TYPED(float)
CUM_LINE_TYPED(double)

static void scan_line(const scan_plan *p, const char *src, int64_t oidx) {
    const ct_dtype_traits *ti = ct__traits(p->in_dtype), *to = ct__traits(p->out_dtype);
    if ((p->kind == CT_SCAN_CUMSUM || p->kind == CT_SCAN_CUMPROD) && p->in_dtype == p->out_dtype &&
        (p->in_dtype == CT_FLOAT32 || p->in_dtype == CT_FLOAT64)) {
        bool sum = p->kind == CT_SCAN_CUMSUM;
        if (p->in_dtype == CT_FLOAT32)
            cum_line_float((const float *)(const void *)src, p->in_step, (float *)(void *)p->out + oidx, p->out_step,
                           p->len, sum);
        else
            cum_line_double((const double *)(const void *)src, p->in_step, (double *)(void *)p->out + oidx,
                            p->out_step, p->len, sum);
        return;
    }
    int64_t iitem = (int64_t)ti->itemsize, oitem = (int64_t)to->itemsize;
    char *dst = p->out + oidx * oitem;
    bool lowp = p->in_dtype == CT_FLOAT16 || p->in_dtype == CT_BFLOAT16;
    if (p->kind == CT_SCAN_CUMSUM || p->kind == CT_SCAN_CUMPROD) {
        bool sum = p->kind == CT_SCAN_CUMSUM;
        if (ti->is_floating || ct_dtype_is_floating_point(p->out_dtype)) {
            double acc = sum ? 0 : 1;
            float facc = sum ? 0.f : 1.f;
            for (int64_t k = 0; k < p->len; k++) {
                double v = ti->load_double(src + k * p->in_step * iitem);
                if (lowp) {
                    facc = sum ? facc + (float)v : facc * (float)v;
                    acc = facc;
                } else {
                    acc = sum ? acc + v : acc * v;
                }
                if (to->is_floating) to->store_double(dst + k * p->out_step * oitem, acc);
                else ct__store_int64(dst + k * p->out_step * oitem, p->out_dtype, ct__double_to_int64(acc));
            }
        } else {
            uint64_t acc = sum ? 0 : 1;
            for (int64_t k = 0; k < p->len; k++) {
                uint64_t v = (uint64_t)ti->load_int64(src + k * p->in_step * iitem);
                acc = sum ? acc + v : acc * v;
                ct__store_int64(dst + k * p->out_step * oitem, p->out_dtype, (int64_t)acc);
            }
        }
        return;
    }
    bool is_max = p->kind == CT_SCAN_CUMMAX;
    int64_t best_i = 0;
    if (ti->is_floating) {
        double best = 0;
        for (int64_t k = 0; k < p->len; k++) {
            const char *q = src + k * p->in_step * iitem;
            double v = ti->load_double(q);
            if (k == 0 || isnan(v) || (!isnan(best) && (is_max ? v >= best : v <= best))) {
                best = v;
                best_i = k;
            }
            /* copy the element's bytes: keeps NaN payloads and -0.0 */
            memcpy(dst + k * p->out_step * oitem, src + best_i * p->in_step * iitem, (size_t)iitem);
            p->indices[oidx + k * p->out_step] = best_i;
        }
    } else {
        int64_t best = 0;
        for (int64_t k = 0; k < p->len; k++) {
            int64_t v = ti->load_int64(src + k * p->in_step * iitem);
            if (k == 0 || (is_max ? v >= best : v <= best)) {
                best = v;
                best_i = k;
            }
            memcpy(dst + k * p->out_step * oitem, src + best_i * p->in_step * iitem, (size_t)iitem);
            p->indices[oidx + k * p->out_step] = best_i;
        }
    }
}

static void scan_lines(int64_t b, int64_t e, void *vp) {
    const scan_plan *p = vp;
    int64_t iitem = (int64_t)ct__traits(p->in_dtype)->itemsize;
    for (int64_t l = b; l < e; l++) {
        int64_t rem = l, ioff = 0, ooff = 0;
        for (int d = p->nk - 1; d >= 0; d--) {
            int64_t c = rem % p->ksizes[d];
            rem /= p->ksizes[d];
            ioff += c * p->kin[d];
            ooff += c * p->kout[d];
        }
        scan_line(p, p->in + ioff * iitem, ooff);
    }
}

void ct__kernel_scan(ct_scan_kind kind, void *out, ct_dtype out_dtype, int64_t *indices, const void *in,
                     ct_dtype in_dtype, int ndim, const int64_t *sizes, const int64_t *in_strides, int dim) {
    scan_plan p = {.kind = kind, .out = out, .out_dtype = out_dtype, .in_dtype = in_dtype, .indices = indices,
                   .in = in, .len = 1, .in_step = 0, .out_step = 1};
    int64_t ostrides[CT_MAX_DIMS];
    int64_t acc = 1, nlines = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        ostrides[d] = acc;
        acc *= sizes[d];
    }
    if (acc == 0) return;
    for (int d = 0; d < ndim; d++) {
        if (d == dim) {
            p.len = sizes[d];
            p.in_step = in_strides[d];
            p.out_step = ostrides[d];
        } else {
            p.ksizes[p.nk] = sizes[d];
            p.kin[p.nk] = in_strides[d];
            p.kout[p.nk++] = ostrides[d];
            nlines *= sizes[d];
        }
    }
    int64_t grain = CT_GRAIN_SIZE / (p.len > 0 ? p.len : 1);
    ct_parallel_for(0, nlines, grain > 0 ? grain : 1, scan_lines, &p);
}
