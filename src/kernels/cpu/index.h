/* Internal: the indexing kernels (gather / scatter along a dim with an index
 * tensor, element reductions, masked walks). Raw pointers and element
 * strides; the ops layer (src/ops/index.c, scatter.c, advanced_index.c)
 * checks arguments and writes PyTorch's messages. */
#ifndef CT_KERNELS_CPU_INDEX_H
#define CT_KERNELS_CPU_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"
#include "ctorch/tensor.h"

/* How an element of src meets its destination. */
typedef enum ct__scatter_op {
    CT__SC_COPY, /* dst = src */
    CT__SC_ADD,  /* dst += alpha * src (bool: or) */
    CT__SC_MUL,  /* dst *= src (bool: and) */
    CT__SC_MAX,  /* dst = isnan(src) ? src : max(dst, src) (NaN propagates) */
    CT__SC_MIN
} ct__scatter_op;

/* One indexed copy/reduction. The iteration runs over (ndim, sizes); at
 * position p, with i = idx[p] (wrapped when negative and wrap is set):
 *   scatter (index_dst): dst[off_dst(p) + i * dim_stride] op= src[off_src(p)]
 *   gather            : dst[off_dst(p)] = src[off_src(p) + i * dim_stride]
 * Strides are in elements; stride 0 broadcasts. src NULL: the value is
 * `value` (a fill). idx NULL: i = 0. dim_size < 0: no bounds check. */
typedef struct ct__index_geom {
    ct_dtype dtype;
    int ndim;
    int64_t sizes[CT_MAX_DIMS];
    char *dst;
    int64_t dst_st[CT_MAX_DIMS];
    const char *src;
    int64_t src_st[CT_MAX_DIMS];
    const char *idx;
    int64_t idx_st[CT_MAX_DIMS];
    ct_dtype idx_dtype; /* CT_INT64 or CT_INT32 */
    bool index_dst;
    bool wrap;
    int64_t dim_size;
    int64_t dim_stride;
    double value;
    double alpha;
} ct__index_geom;

/* Checks every index first (no write happens on failure): returns CT_OK, or
 * CT_ERROR with *bad set to the first out-of-range index in row-major order
 * (the error text is the caller's). */
int ct__index_kernel(const ct__index_geom *g, ct__scatter_op op, int64_t *bad);

/* The first index (row-major over (ndim, sizes) with idx strides) outside
 * [lo, hi); true when one is found (*bad = it). */
bool ct__index_find_bad(const char *idx, ct_dtype idx_dtype, int ndim, const int64_t *sizes, const int64_t *idx_st,
                        int64_t lo, int64_t hi, int64_t *bad);

/* Element value as double / int64 and back (exact for integers up to int64
 * via the int path). */
bool ct__elem_nonzero(ct_dtype dtype, const char *p);
void ct__elem_store_double(ct_dtype dtype, char *p, double v);
double ct__elem_load_double(ct_dtype dtype, const char *p);

/* Odometer over a shape for up to 4 operands (element offsets). */
typedef struct ct__walker {
    int ndim, nops;
    int64_t sizes[CT_MAX_DIMS];
    int64_t pos[CT_MAX_DIMS];
    int64_t st[4][CT_MAX_DIMS];
    int64_t off[4];
} ct__walker;

static inline void ct__walker_next(ct__walker *w) {
    for (int d = w->ndim - 1; d >= 0; d--) {
        w->pos[d]++;
        for (int k = 0; k < w->nops; k++)
            w->off[k] += w->st[k][d];
        if (w->pos[d] < w->sizes[d]) return;
        for (int k = 0; k < w->nops; k++)
            w->off[k] -= w->st[k][d] * w->sizes[d];
        w->pos[d] = 0;
    }
}

#endif
