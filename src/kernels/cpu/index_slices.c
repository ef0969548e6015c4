/* index_select / index_add by whole slices: see index_slices.h. */
#include "kernels/cpu/index_slices.h"

#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"

static int64_t index_at(const void *idx, ct_dtype idx_dtype, int64_t i) {
    return idx_dtype == CT_INT32 ? (int64_t)((const int32_t *)idx)[i] : ((const int64_t *)idx)[i];
}

/* the first index outside [0, size), in index order */
static bool find_bad(const void *idx, ct_dtype idx_dtype, int64_t n, int64_t size, int64_t *bad) {
    for (int64_t i = 0; i < n; i++) {
        int64_t v = index_at(idx, idx_dtype, i);
        if (v < 0 || v >= size) {
            *bad = v;
            return true;
        }
    }
    return false;
}

typedef struct {
    const char *src;
    char *dst;
    const void *idx;
    ct_dtype idx_dtype;
    int64_t size, inner, n;
    size_t row; /* bytes of one slice row (inner elements) */
    double alpha;
    bool f64;
} slices_ctx;

/* destination rows [r0, r1) of (outer * n) */
static void select_rows(int64_t r0, int64_t r1, void *vctx) {
    const slices_ctx *c = vctx;
    for (int64_t r = r0; r < r1; r++) {
        int64_t o = r / c->n, i = r % c->n;
        memcpy(c->dst + (size_t)r * c->row, c->src + (size_t)(o * c->size + index_at(c->idx, c->idx_dtype, i)) * c->row,
               c->row);
    }
}

bool ct__index_select_slices(ct_dtype dtype, const void *src, int64_t outer, int64_t size, int64_t inner,
                             const void *idx, ct_dtype idx_dtype, int64_t n, void *dst, int64_t *bad) {
    if (find_bad(idx, idx_dtype, n, size, bad)) return false;
    slices_ctx c = {.src = src, .dst = dst, .idx = idx, .idx_dtype = idx_dtype, .size = size, .inner = inner,
                    .n = n, .row = (size_t)inner * ct__traits(dtype)->itemsize};
    int64_t grain = inner >= CT_GRAIN_SIZE ? 1 : CT_GRAIN_SIZE / (inner > 0 ? inner : 1);
    ct_parallel_for(0, outer * n, grain, select_rows, &c);
    return true;
}

/* dst[k] += alpha * src[k] for k in [k0, k1) of one row, in double as
 * index.c's element kernel (for float32 with alpha 1 that is the float sum) */
#define ADD_ROW(T)                                                                                      \
    static void add_row_##T(T *restrict d, const T *restrict s, int64_t k0, int64_t k1, double alpha) { \
        if (alpha == 1.0)                                                                               \
            for (int64_t k = k0; k < k1; k++) d[k] = (T)((double)d[k] + (double)s[k]);                  \
        else                                                                                            \
            for (int64_t k = k0; k < k1; k++) d[k] = (T)((double)d[k] + alpha * (double)s[k]);          \
    }
ADD_ROW(float)
ADD_ROW(double)

/* outer slices [o0, o1), columns [k0, k1) of each row, indices in order */
static void add_block(const slices_ctx *c, int64_t o0, int64_t o1, int64_t k0, int64_t k1) {
    size_t isz = c->f64 ? sizeof(double) : sizeof(float);
    for (int64_t o = o0; o < o1; o++)
        for (int64_t i = 0; i < c->n; i++) {
            char *d = c->dst + (size_t)(o * c->size + index_at(c->idx, c->idx_dtype, i)) * c->row;
            const char *s = c->src + (size_t)(o * c->n + i) * (size_t)c->inner * isz;
            if (c->f64)
                add_row_double((double *)d, (const double *)s, k0, k1, c->alpha);
            else
                add_row_float((float *)d, (const float *)s, k0, k1, c->alpha);
        }
}

static void add_outer(int64_t o0, int64_t o1, void *vctx) {
    const slices_ctx *c = vctx;
    add_block(c, o0, o1, 0, c->inner);
}

static void add_columns(int64_t k0, int64_t k1, void *vctx) {
    const slices_ctx *c = vctx;
    add_block(c, 0, 1, k0, k1);
}

bool ct__index_add_slices(ct_dtype dtype, void *dst, int64_t outer, int64_t size, int64_t inner, const void *idx,
                          ct_dtype idx_dtype, int64_t n, const void *src, double alpha, int64_t *bad) {
    if (find_bad(idx, idx_dtype, n, size, bad)) return false;
    slices_ctx c = {.src = src, .dst = dst, .idx = idx, .idx_dtype = idx_dtype, .size = size, .inner = inner,
                    .n = n, .row = (size_t)inner * ct__traits(dtype)->itemsize, .alpha = alpha,
                    .f64 = dtype == CT_FLOAT64};
    /* threads never share a destination element: split by outer slice, or
     * (one slice) by columns */
    int64_t per_o = n * inner;
    if (outer > 1)
        ct_parallel_for(0, outer, per_o >= CT_GRAIN_SIZE ? 1 : CT_GRAIN_SIZE / (per_o > 0 ? per_o : 1), add_outer, &c);
    else if (outer == 1) {
        int64_t grain = n >= CT_GRAIN_SIZE / 64 ? 64 : CT_GRAIN_SIZE / (n > 0 ? n : 1);
        ct_parallel_for(0, inner, grain, add_columns, &c);
    }
    return true;
}
