/* Indexing kernels: see index.h. Serial loops (scatter with duplicate
 * indices must apply in order; PyTorch's CPU scatter is serial too). */
#include "kernels/cpu/index.h"

#include <math.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/error.h"

static inline int64_t load_index(const char *p, ct_dtype d) {
    if (d == CT_INT32) {
        int32_t v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

double ct__elem_load_double(ct_dtype dtype, const char *p) { return ct__traits(dtype)->load_double(p); }
void ct__elem_store_double(ct_dtype dtype, char *p, double v) { ct__traits(dtype)->store_double(p, v); }

bool ct__elem_nonzero(ct_dtype dtype, const char *p) {
    if (ct__traits(dtype)->is_floating) return ct__traits(dtype)->load_double(p) != 0.0;
    return ct__traits(dtype)->load_int64(p) != 0;
}

/* integer store with C's modular truncation (as PyTorch's static_cast) */
static void store_int(ct_dtype d, char *p, int64_t v) {
    switch (d) {
    case CT_BOOL:
        *(uint8_t *)p = v != 0;
        break;
    case CT_UINT8:
        *(uint8_t *)p = (uint8_t)v;
        break;
    case CT_INT8:
        *(int8_t *)p = (int8_t)(uint8_t)v;
        break;
    case CT_INT16: {
        int16_t x = (int16_t)(uint16_t)v;
        memcpy(p, &x, sizeof x);
        break;
    }
    case CT_INT32: {
        int32_t x = (int32_t)(uint32_t)v;
        memcpy(p, &x, sizeof x);
        break;
    }
    default:
        memcpy(p, &v, sizeof v);
        break;
    }
}

static void combine(ct_dtype d, ct__scatter_op op, char *dst, const char *src, double value, double alpha) {
    const ct_dtype_traits *tr = ct__traits(d);
    size_t item = tr->itemsize;
    if (op == CT__SC_COPY) {
        if (src)
            memcpy(dst, src, item);
        else if (tr->is_floating)
            tr->store_double(dst, value);
        else
            store_int(d, dst,
                      d == CT_BOOL      ? (value != 0)
                      : value >= 0x1p63 ? INT64_MAX
                      : value < -0x1p63 ? INT64_MIN
                                        : (int64_t)value);
        return;
    }
    if (tr->is_floating) {
        double a = tr->load_double(dst), b = src ? tr->load_double(src) : value, r;
        switch (op) {
        case CT__SC_ADD:
            r = alpha == 1.0 ? a + b : a + alpha * b;
            break;
        case CT__SC_MUL:
            r = a * b;
            break;
        case CT__SC_MAX:
            r = isnan(b) ? b : (a < b ? b : a);
            break;
        default:
            r = isnan(b) ? b : (b < a ? b : a);
            break;
        }
        tr->store_double(dst, r);
        return;
    }
    int64_t a = tr->load_int64(dst), b = src ? tr->load_int64(src) : (int64_t)value, r;
    if (d == CT_BOOL) {
        bool x = a != 0, y = b != 0;
        r = (op == CT__SC_ADD || op == CT__SC_MAX) ? (x || y) : (x && y);
    } else {
        switch (op) {
        case CT__SC_ADD:
            r = (int64_t)((uint64_t)a + (uint64_t)b * (uint64_t)(int64_t)alpha);
            break;
        case CT__SC_MUL:
            r = (int64_t)((uint64_t)a * (uint64_t)b);
            break;
        case CT__SC_MAX:
            r = a < b ? b : a;
            break;
        default:
            r = b < a ? b : a;
            break;
        }
    }
    store_int(d, dst, r);
}

bool ct__index_find_bad(const char *idx, ct_dtype idx_dtype, int ndim, const int64_t *sizes, const int64_t *idx_st,
                        int64_t lo, int64_t hi, int64_t *bad) {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= sizes[d];
    if (n == 0 || !idx) return false;
    ct__walker w = {.ndim = ndim, .nops = 1};
    memcpy(w.sizes, sizes, (size_t)ndim * sizeof *sizes);
    memcpy(w.st[0], idx_st, (size_t)ndim * sizeof *idx_st);
    size_t isz = ct__traits(idx_dtype)->itemsize;
    for (int64_t k = 0; k < n; k++, ct__walker_next(&w)) {
        int64_t v = load_index(idx + w.off[0] * (int64_t)isz, idx_dtype);
        if (v < lo || v >= hi) {
            *bad = v;
            return true;
        }
    }
    return false;
}

int ct__index_kernel(const ct__index_geom *g, ct__scatter_op op, int64_t *bad) {
    int64_t n = 1;
    for (int d = 0; d < g->ndim; d++)
        n *= g->sizes[d];
    if (n == 0) return CT_OK;
    if (g->idx && g->dim_size >= 0 &&
        ct__index_find_bad(g->idx, g->idx_dtype, g->ndim, g->sizes, g->idx_st, g->wrap ? -g->dim_size : 0, g->dim_size,
                           bad))
        return CT_ERROR;
    ct__walker w = {.ndim = g->ndim, .nops = 3};
    memcpy(w.sizes, g->sizes, sizeof w.sizes);
    memcpy(w.st[0], g->dst_st, sizeof w.st[0]);
    memcpy(w.st[1], g->src_st, sizeof w.st[1]);
    memcpy(w.st[2], g->idx_st, sizeof w.st[2]);
    int64_t item = (int64_t)ct__traits(g->dtype)->itemsize;
    int64_t isz = g->idx ? (int64_t)ct__traits(g->idx_dtype)->itemsize : 0;
    for (int64_t k = 0; k < n; k++, ct__walker_next(&w)) {
        int64_t i = g->idx ? load_index(g->idx + w.off[2] * isz, g->idx_dtype) : 0;
        if (i < 0 && g->wrap) i += g->dim_size;
        int64_t shift = i * g->dim_stride;
        char *dst = g->dst + (w.off[0] + (g->index_dst ? shift : 0)) * item;
        const char *src = g->src ? g->src + (w.off[1] + (g->index_dst ? 0 : shift)) * item : NULL;
        combine(g->dtype, op, dst, src, g->value, g->alpha);
    }
    return CT_OK;
}
