/* gather, scatter (src and value), scatter_add, scatter_reduce: forward,
 * in-place forms and backward formulas (tools/autograd/derivatives.yaml,
 * PyTorch 1.13). Argument checks and messages as ATen's
 * ScatterGatherChecks.h. */
#include <math.h>
#include <string.h>

#include "ops/index_internal.h"

/* ---- no-graph cores ---- */

static void geom_common(ct__index_geom *g, const ct_tensor *index, int dim, const ct_tensor *indexed) {
    g->ndim = index->ndim;
    memcpy(g->sizes, index->sizes, sizeof g->sizes);
    g->idx = ct__data(index);
    memcpy(g->idx_st, index->strides, sizeof g->idx_st);
    g->idx_dtype = index->dtype;
    g->dim_size = indexed->sizes[dim];
    g->dim_stride = indexed->strides[dim];
    g->alpha = 1.0;
}

ct_tensor *ct__scatter_run(const ct_tensor *self, int dim, const ct_tensor *index, const ct_tensor *src, double value,
                           ct__scatter_op op, double alpha, bool wrap, bool *oob, int64_t *bad) {
    *oob = false;
    ct_tensor *out = ct__clone(self);
    if (!out) return NULL;
    ct__index_geom g = {.dtype = self->dtype, .index_dst = true, .wrap = wrap, .value = value};
    geom_common(&g, index, dim, out);
    g.alpha = alpha;
    g.dst = ct__data(out);
    memcpy(g.dst_st, out->strides, sizeof g.dst_st);
    g.dst_st[dim] = 0;
    if (src) {
        g.src = ct__data(src);
        memcpy(g.src_st, src->strides, sizeof g.src_st);
    }
    if (ct__index_kernel(&g, op, bad) != CT_OK) {
        *oob = true;
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct__gather_run(const ct_tensor *self, int dim, const ct_tensor *index, bool wrap, bool *oob, int64_t *bad) {
    *oob = false;
    ct_tensor *out = ct__empty(self->dtype, index->ndim, index->sizes);
    if (!out) return NULL;
    ct__index_geom g = {.dtype = self->dtype, .index_dst = false, .wrap = wrap};
    geom_common(&g, index, dim, self);
    g.dst = ct__data(out);
    memcpy(g.dst_st, out->strides, sizeof g.dst_st);
    g.src = ct__data(self);
    memcpy(g.src_st, self->strides, sizeof g.src_st);
    g.src_st[dim] = 0;
    if (ct__index_kernel(&g, CT__SC_COPY, bad) != CT_OK) {
        *oob = true;
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct__index_zeros(ct_dtype dtype, int ndim, const int64_t *sizes) {
    return ct_zeros(ndim, sizes, CT_OPTS(.dtype = dtype));
}

ct_tensor *ct__index_eq_mask(const ct_tensor *a, const ct_tensor *b, ct_dtype dtype) {
    int64_t shape[CT_MAX_DIMS];
    int ndim = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    ct_tensor *out = ct__empty(dtype, ndim, shape);
    if (!out) return NULL;
    ct__walker w = {.ndim = ndim, .nops = 3};
    memcpy(w.sizes, shape, sizeof shape);
    if (ct__broadcast_strides(out, ndim, shape, w.st[0]) != CT_OK || ct__broadcast_strides(a, ndim, shape, w.st[1]) ||
        ct__broadcast_strides(b, ndim, shape, w.st[2])) {
        ct_free(out);
        return NULL;
    }
    int64_t n = ct__numel(out), ia = (int64_t)ct__traits(a->dtype)->itemsize,
            ib = (int64_t)ct__traits(b->dtype)->itemsize, io = (int64_t)ct__traits(dtype)->itemsize;
    char *po = ct__data(out);
    const char *pa = ct__data(a), *pb = ct__data(b);
    for (int64_t k = 0; k < n; k++, ct__walker_next(&w)) {
        double x = ct__elem_load_double(a->dtype, pa + w.off[1] * ia);
        double y = ct__elem_load_double(b->dtype, pb + w.off[2] * ib);
        ct__elem_store_double(dtype, po + w.off[0] * io, x == y ? 1.0 : 0.0);
    }
    return out;
}

ct_tensor *ct__index_eq_value(const ct_tensor *t, double value) {
    ct_tensor *v = ct_scalar_tensor(value, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *m = v ? ct__index_eq_mask(t, v, CT_BOOL) : NULL;
    ct_free(v);
    return m;
}

/* ---- checks (ATen ScatterGatherChecks.h) ---- */

static int nonempty_dim(const ct_tensor *t) { return t->ndim ? t->ndim : 1; }
static int64_t nonempty_size(const ct_tensor *t, int d) { return t->ndim ? t->sizes[d] : 1; }

static const char *fmt(char *buf, size_t n, const ct_tensor *t) { return ct__format_shape(buf, n, t->ndim, t->sizes); }

static int gather_checks(const ct_tensor *self, int64_t dim, const ct_tensor *index, int *wdim) {
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return CT_ERROR;
    *wdim = d;
    if (index->dtype != CT_INT64) {
        ct__error("gather(): Expected dtype int64 for index");
        return CT_ERROR;
    }
    if (ct__numel(index) == 0) return CT_OK;
    if (nonempty_dim(index) != nonempty_dim(self)) {
        ct__error("Index tensor must have the same number of dimensions as input tensor");
        return CT_ERROR;
    }
    for (int i = 0; i < nonempty_dim(self); i++) {
        if (i == d) continue;
        if (nonempty_size(index, i) > nonempty_size(self, i)) {
            char a[256], b[256];
            ct__error("Size does not match at dimension %d expected index %s to be smaller than self %s apart from "
                      "dimension %d",
                      i, fmt(a, sizeof a, index), fmt(b, sizeof b, self), d);
            return CT_ERROR;
        }
    }
    return CT_OK;
}

static int scatter_checks(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src, int *wdim) {
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return CT_ERROR;
    *wdim = d;
    if (ct__numel(index) != 0 && index->dtype != CT_INT64) {
        ct__error("scatter(): Expected dtype int64 for index");
        return CT_ERROR;
    }
    if (src && src->dtype != self->dtype) {
        ct__error("scatter(): Expected self.dtype to be equal to src.dtype");
        return CT_ERROR;
    }
    if (ct__numel(index) == 0) return CT_OK;
    if (nonempty_dim(index) != nonempty_dim(self)) {
        ct__error("Index tensor must have the same number of dimensions as self tensor");
        return CT_ERROR;
    }
    if (src && nonempty_dim(index) != nonempty_dim(src)) {
        ct__error("Index tensor must have the same number of dimensions as src tensor");
        return CT_ERROR;
    }
    bool wrong = false;
    for (int i = 0; i < nonempty_dim(self) && !wrong; i++)
        if (i != d && nonempty_size(index, i) > nonempty_size(self, i)) wrong = true;
    for (int i = 0; src && i < nonempty_dim(self) && !wrong; i++)
        if (nonempty_size(index, i) > nonempty_size(src, i)) wrong = true;
    if (wrong) {
        char a[256], b[256], c[256];
        if (src)
            ct__error(
                "Expected index %s to be smaller than self %s apart from dimension %d and to be smaller size than "
                "src %s",
                fmt(a, sizeof a, index), fmt(b, sizeof b, self), d, fmt(c, sizeof c, src));
        else
            ct__error("Expected index %s to be smaller than self %s apart from dimension %d", fmt(a, sizeof a, index),
                      fmt(b, sizeof b, self), d);
        return CT_ERROR;
    }
    return CT_OK;
}

static void oob_error(int64_t bad, int dim, int64_t size) {
    ct__error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, dim, (long long)size);
}

/* 0-dim tensors act as 1-element 1-D ones (ensure_nonempty_dim) */
static ct_tensor *at_least_1d(const ct_tensor *t) {
    static const int64_t one[1] = {1};
    return t->ndim ? ct__retain(t) : ct__view(t, 1, one);
}

/* result of a core run on the 1-D views, back to shape (ndim, sizes) */
static ct_tensor *reshape_back(ct_tensor *r, int ndim, const int64_t *sizes) {
    if (!r || r->ndim == ndim) return r;
    ct_tensor *v = ct__view(r, ndim, sizes);
    ct_free(r);
    return v;
}

/* the scatter core with 0-dim handling and the out-of-range message */
static ct_tensor *scatter_core(const ct_tensor *self, int dim, const ct_tensor *index, const ct_tensor *src,
                               double value, ct__scatter_op op) {
    ct_tensor *s = at_least_1d(self), *i = at_least_1d(index), *v = src ? at_least_1d(src) : NULL;
    ct_tensor *r = NULL;
    if (s && i && (!src || v)) {
        bool oob;
        int64_t bad;
        r = ct__scatter_run(s, dim, i, v, value, op, 1.0, false, &oob, &bad);
        if (oob) oob_error(bad, dim, s->sizes[dim]);
    }
    ct_free(s);
    ct_free(i);
    ct_free(v);
    return reshape_back(r, self->ndim, self->sizes);
}

static ct_tensor *gather_core(const ct_tensor *self, int dim, const ct_tensor *index) {
    ct_tensor *s = at_least_1d(self), *i = at_least_1d(index), *r = NULL;
    if (s && i) {
        bool oob;
        int64_t bad;
        r = ct__gather_run(s, dim, i, false, &oob, &bad);
        if (oob) oob_error(bad, dim, s->sizes[dim]);
    }
    ct_free(s);
    ct_free(i);
    return reshape_back(r, index->ndim, index->sizes);
}

/* ---- backward formulas ----
 * ints[0] = dim; saved[0] = index; shape_arg / ndim_arg = self's sizes. */

static void keep_self(ct_node *n, const ct_tensor *self, int dim) {
    n->ints[0] = dim;
    n->ndim_arg = self->ndim;
    memcpy(n->shape_arg, self->sizes, sizeof n->shape_arg);
}

/* GatherBackward0: zeros(self).scatter_add(dim, index, grad) */
static int gather_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *index = ct__unpack(n, 0);
    ct_tensor *z = index ? ct__index_zeros(g[0]->dtype, n->ndim_arg, n->shape_arg) : NULL;
    out[0] = z ? ct_scatter_add(z, n->ints[0], index, g[0]) : NULL;
    ct_free(z);
    ct_free(index);
    return out[0] ? CT_OK : CT_ERROR;
}

/* ScatterBackward0/1: self: grad.scatter(dim, index, 0); src: grad.gather(dim, index) */
static int scatter_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *index = ct__unpack(n, 0);
    if (!index) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn && !(out[0] = ct_scatter_value(g[0], n->ints[0], index, 0.0))) rc = CT_ERROR;
    if (rc == CT_OK && n->num_next > 1 && n->next[1].fn && !(out[1] = ct_gather(g[0], n->ints[0], index)))
        rc = CT_ERROR;
    ct_free(index);
    return rc;
}

/* ScatterAddBackward0: self: grad; src: grad.gather(dim, index) */
static int scatter_add_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn && !(out[0] = ct__retain(g[0]))) return CT_ERROR;
    if (n->next[1].fn) {
        ct_tensor *index = ct__unpack(n, 0);
        out[1] = index ? ct_gather(g[0], n->ints[0], index) : NULL;
        ct_free(index);
        if (!out[1]) return CT_ERROR;
    }
    return CT_OK;
}

/* ---- public ops ---- */

ct_tensor *ct_gather(const ct_tensor *self, int64_t dim, const ct_tensor *index) {
    if (!self || !index) return NULL;
    int d;
    if (gather_checks(self, dim, index, &d) != CT_OK) return NULL;
    ct_tensor *out = gather_core(self, d, index);
    if (!out) return NULL;
    const ct_tensor *in[1] = {self};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("GatherBackward0", gather_backward, out, 1, in);
        if (!n || ct__save(n, 0, index, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_self(n, self, d);
    }
    return out;
}

static ct_tensor *scatter_impl(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src,
                               double value, bool add) {
    int d;
    if (scatter_checks(self, dim, index, src, &d) != CT_OK) return NULL;
    ct_tensor *out = scatter_core(self, d, index, src, value, add ? CT__SC_ADD : CT__SC_COPY);
    if (!out) return NULL;
    const ct_tensor *in[2] = {self, src};
    int nin = src ? 2 : 1;
    if (ct__any_requires_grad(nin, in)) {
        const char *name = add ? "ScatterAddBackward0" : src ? "ScatterBackward0" : "ScatterBackward1";
        ct_node *n = ct__record(name, add ? scatter_add_backward : scatter_backward, out, nin, in);
        if (!n || ct__save(n, 0, index, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_self(n, self, d);
    }
    return out;
}

ct_tensor *ct_scatter(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src) {
    if (!self || !index || !src) return NULL;
    return scatter_impl(self, dim, index, src, 0.0, false);
}

ct_tensor *ct_scatter_value(const ct_tensor *self, int64_t dim, const ct_tensor *index, double value) {
    if (!self || !index) return NULL;
    return scatter_impl(self, dim, index, NULL, value, false);
}

ct_tensor *ct_scatter_add(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src) {
    if (!self || !index || !src) return NULL;
    return scatter_impl(self, dim, index, src, 0.0, true);
}

/* ---- scatter_reduce ---- */

typedef enum { RED_SUM, RED_PROD, RED_MEAN, RED_AMAX, RED_AMIN, RED_BAD } red_kind;

static red_kind parse_reduce(const char *s) {
    static const char *const names[] = {"sum", "prod", "mean", "amax", "amin"};
    for (int i = 0; s && i < 5; i++)
        if (!strcmp(s, names[i])) return (red_kind)i;
    return RED_BAD;
}

/* the identity a reduction starts from when include_self is false */
static double reduce_init(red_kind k, ct_dtype dt) {
    if (k == RED_PROD) return 1.0;
    if (k != RED_AMAX && k != RED_AMIN) return 0.0;
    bool mx = k == RED_AMAX;
    if (ct_dtype_is_floating_point(dt)) return mx ? -INFINITY : INFINITY;
    switch (dt) {
    case CT_BOOL:
        return mx ? 0 : 1;
    case CT_UINT8:
        return mx ? 0 : 255;
    case CT_INT8:
        return mx ? -128 : 127;
    case CT_INT16:
        return mx ? -32768 : 32767;
    case CT_INT32:
        return mx ? -2147483648.0 : 2147483647.0;
    default:
        return mx ? -0x1p63 : 0x1p63; /* the kernel saturates 2^63 to INT64_MAX */
    }
}

static ct__scatter_op reduce_op(red_kind k) {
    return k == RED_PROD ? CT__SC_MUL : k == RED_AMAX ? CT__SC_MAX : k == RED_AMIN ? CT__SC_MIN : CT__SC_ADD;
}

/* mean: the count of values that met at each position (1 for self when
 * included), zeros replaced by 1, in float64; graph-free. 1-D views in. */
static ct_tensor *mean_count(const ct_tensor *self1, int dim, const ct_tensor *index1, bool include_self) {
    ct_tensor *c = include_self ? ct_ones(self1->ndim, self1->sizes, CT_OPTS(.dtype = CT_FLOAT64))
                                : ct__index_zeros(CT_FLOAT64, self1->ndim, self1->sizes);
    ct_tensor *one = ct_scalar_tensor(1.0, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *ones = one ? ct__expand(one, index1->ndim, index1->sizes) : NULL;
    ct_tensor *r = NULL;
    if (c && ones) {
        bool oob;
        int64_t bad;
        r = ct__scatter_run(c, dim, index1, ones, 0, CT__SC_ADD, 1.0, false, &oob, &bad);
    }
    if (r) {
        double *p = (double *)ct__data(r);
        for (int64_t k = 0, n = ct__numel(r); k < n; k++)
            if (p[k] == 0) p[k] = 1;
    }
    ct_free(c);
    ct_free(one);
    ct_free(ones);
    return r;
}

/* out (contiguous, self's dtype) /= count elementwise; floor for integers */
static void divide_by(ct_tensor *out, const ct_tensor *count) {
    const double *c = (const double *)ct__data(count);
    char *p = ct__data(out);
    size_t item = ct__traits(out->dtype)->itemsize;
    bool fl = ct_dtype_is_floating_point(out->dtype);
    for (int64_t k = 0, n = ct__numel(out); k < n; k++) {
        double v = ct__elem_load_double(out->dtype, p + (size_t)k * item);
        ct__elem_store_double(out->dtype, p + (size_t)k * item, fl ? v / c[k] : floor(v / c[k]));
    }
}

/* no-graph scatter_reduce on the 1-D views */
static ct_tensor *scatter_reduce_core(const ct_tensor *self, int dim, const ct_tensor *index, const ct_tensor *src,
                                      red_kind k, bool include_self, bool *oobp) {
    ct_tensor *s = at_least_1d(self), *i = at_least_1d(index), *v = at_least_1d(src);
    ct_tensor *r = NULL, *base = NULL;
    bool oob = false;
    int64_t bad = 0;
    bool quiet = *oobp; /* the caller words out-of-range itself */
    if (s && i && v) {
        base = include_self
                   ? ct__retain(s)
                   : ct__scatter_run(s, dim, i, NULL, reduce_init(k, self->dtype), CT__SC_COPY, 1.0, false, &oob, &bad);
        if (base) r = ct__scatter_run(base, dim, i, v, 0, reduce_op(k), 1.0, false, &oob, &bad);
        if (oob && !quiet) oob_error(bad, dim, s->sizes[dim]);
        *oobp = oob;
        if (r && k == RED_MEAN) {
            ct_tensor *cnt = mean_count(s, dim, i, include_self);
            if (cnt)
                divide_by(r, cnt);
            else
                ct_free(r), r = NULL;
            ct_free(cnt);
        }
    }
    ct__free_all(4, (ct_tensor *[]){s, i, v, base});
    return reshape_back(r, self->ndim, self->sizes);
}

/* ScatterReduceBackward0: ints[0] = dim, ints[1] = reduce, ints[2] =
 * include_self; saved: index, self, src. */
static int scatter_reduce_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    red_kind k = (red_kind)n->ints[1];
    bool include_self = n->ints[2] != 0;
    ct_tensor *index = ct__unpack(n, 0), *self = ct__unpack(n, 1), *src = ct__unpack(n, 2);
    /* the forward result, recomputed (with graph, for prod's double backward) */
    static const char *const rnames[] = {"sum", "prod", "mean", "amax", "amin"};
    ct_tensor *result = k == RED_SUM || k == RED_MEAN || !index || !self || !src
                            ? NULL
                            : ct_scatter_reduce(self, dim, index, src, rnames[k], include_self);
    ct_tensor *t[8] = {0};
    ct_tensor *gs = NULL, *gsrc = NULL;
    int rc = CT_ERROR;
    if (!index || !self || !src || ((k == RED_PROD || k == RED_AMAX || k == RED_AMIN) && !result)) goto done;
    if (k == RED_SUM) {
        gs = ct__retain(g[0]);
        gsrc = ct_gather(g[0], dim, index);
    } else if (k == RED_MEAN) {
        ct_tensor *s1 = at_least_1d(self), *i1 = at_least_1d(index);
        ct_tensor *cnt = s1 && i1 ? mean_count(s1, dim, i1, include_self) : NULL;
        t[0] = cnt ? ct__view(cnt, self->ndim, self->sizes) : NULL;
        ct_free(cnt);
        ct_free(s1);
        ct_free(i1);
        t[1] = t[0] ? ct__to_dtype_copy(t[0], g[0]->dtype) : NULL;
        gs = t[1] ? ct_div(g[0], t[1]) : NULL;
        t[2] = t[1] ? ct_gather(t[1], dim, index) : NULL;
        t[3] = ct_gather(g[0], dim, index);
        gsrc = t[2] && t[3] ? ct_div(t[3], t[2]) : NULL;
    } else if (k == RED_PROD) {
        /* PyTorch 1.13's exclusive products around zeros:
         * self: grad * masked_self.scatter_reduce(...) / masked_self with
         * masked_self = self.masked_fill(self == 0, 1); src: where a src
         * position is the only zero of its group, grad * (the product with
         * it replaced by 1), else (grad * result).gather / src.masked_fill(src == 0, 1) */
        ct_tensor *u[16] = {0};
        u[0] = ct__index_eq_value(self, 0.0);
        u[1] = u[0] ? ct_masked_fill(self, u[0], 1.0) : NULL;
        u[2] = u[1] ? ct_scatter_reduce(u[1], dim, index, src, "prod", include_self) : NULL;
        u[3] = u[2] ? ct_mul(g[0], u[2]) : NULL;
        gs = u[3] ? ct_div(u[3], u[1]) : NULL;
        u[4] = ct__index_eq_value(src, 0.0); /* src_zero */
        u[5] = u[4] ? ct__to_dtype_copy(u[4], CT_FLOAT64) : NULL;
        u[6] = u[5] ? ct__index_zeros(CT_FLOAT64, self->ndim, self->sizes) : NULL;
        u[7] = u[6] ? scatter_core(u[6], dim, index, u[5], 0, CT__SC_ADD) : NULL;
        u[8] = u[7] ? gather_core(u[7], dim, index) : NULL; /* zeros per group */
        u[9] = u[8] ? ct__index_eq_value(u[8], 1.0) : NULL;
        /* single zero = src_zero && count == 1: both flags set */
        u[11] = u[9] ? ct__index_eq_value(u[4], 1.0) : NULL;
        ct_tensor *single = NULL, *not_single = NULL;
        if (u[9] && u[11]) {
            ct_tensor *f1 = ct__to_dtype_copy(u[9], CT_FLOAT64), *f2 = ct__to_dtype_copy(u[11], CT_FLOAT64);
            ct_tensor *sum = f1 && f2 ? ct_add(f1, f2) : NULL;
            single = sum ? ct__index_eq_value(sum, 2.0) : NULL;
            not_single = single ? ct__index_eq_value(single, 0.0) : NULL;
            ct__free_all(3, (ct_tensor *[]){f1, f2, sum});
        }
        u[12] = single ? ct_masked_fill(src, single, 1.0) : NULL;
        u[13] = u[12] ? ct_scatter_reduce(self, dim, index, u[12], "prod", include_self) : NULL;
        t[0] = u[13] ? ct_mul(g[0], u[13]) : NULL;
        t[1] = t[0] ? ct_gather(t[0], dim, index) : NULL; /* single-zero branch */
        t[2] = ct_mul(g[0], result);
        t[3] = t[2] ? ct_gather(t[2], dim, index) : NULL;
        t[4] = u[4] ? ct_masked_fill(src, u[4], 1.0) : NULL;
        t[5] = t[3] && t[4] ? ct_div(t[3], t[4]) : NULL;
        t[6] = t[1] && not_single ? ct_masked_fill(t[1], not_single, 0.0) : NULL;
        t[7] = t[5] && single ? ct_masked_fill(t[5], single, 0.0) : NULL;
        gsrc = t[6] && t[7] ? ct_add(t[6], t[7]) : NULL;
        ct__free_all(16, u);
        ct_free(single);
        ct_free(not_single);
    } else {
        ct_tensor *rd = ct_detach(result);
        ct_tensor *value = rd ? gather_core(rd, dim, index) : NULL;
        ct_free(rd);
        t[0] = ct__index_eq_mask(self, result, g[0]->dtype);
        t[1] = value ? ct__index_eq_mask(src, value, g[0]->dtype) : NULL;
        ct_free(value);
        t[2] = t[0] && t[1] ? scatter_core(t[0], dim, index, t[1], 0, CT__SC_ADD) : NULL;
        t[3] = t[2] ? ct_div(g[0], t[2]) : NULL;
        gs = t[3] ? ct_mul(t[0], t[3]) : NULL;
        t[4] = t[3] ? ct_gather(t[3], dim, index) : NULL;
        gsrc = t[4] ? ct_mul(t[1], t[4]) : NULL;
    }
    if (!gs || !gsrc) goto done;
    if (!include_self) {
        ct_tensor *z = ct_scatter_value(gs, dim, index, 0.0);
        ct_free(gs);
        gs = z;
        if (!gs) goto done;
    }
    if (n->next[0].fn) out[0] = ct__retain(gs);
    if (n->next[1].fn) out[1] = ct__retain(gsrc);
    rc = CT_OK;
done:
    ct__free_all(8, t);
    ct__free_all(6, (ct_tensor *[]){gs, gsrc, index, self, src, result});
    return rc;
}

ct_tensor *ct__scatter_reduce_impl(const ct_tensor *self, int d, const ct_tensor *index, const ct_tensor *src, int k,
                                   bool include_self, const char *name, bool *oob) {
    ct_tensor *out = scatter_reduce_core(self, d, index, src, (red_kind)k, include_self, oob);
    if (!out) return NULL;
    const ct_tensor *in[2] = {self, src};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record(name, scatter_reduce_backward, out, 2, in);
        if (!n || ct__save(n, 0, index, false, 0) != CT_OK || ct__save(n, 1, self, false, 0) != CT_OK ||
            ct__save(n, 2, src, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_self(n, self, d);
        n->ints[1] = k;
        n->ints[2] = include_self;
    }
    return out;
}

ct_tensor *ct_scatter_reduce(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src,
                             const char *reduce, bool include_self) {
    if (!self || !index || !src || !reduce) return NULL;
    int d;
    if (scatter_checks(self, dim, index, src, &d) != CT_OK) return NULL;
    red_kind k = parse_reduce(reduce);
    if (k == RED_BAD) {
        ct__error("reduce argument must be either sum, prod, mean, amax or amin.");
        return NULL;
    }
    bool oob = false;
    return ct__scatter_reduce_impl(self, d, index, src, k, include_self, "ScatterReduceBackward0", &oob);
}

/* ---- in-place forms ---- */

static int inplace_ok(ct_tensor *self, const ct_tensor *a, const ct_tensor *b) {
    if (!self || !a || !b) return CT_ERROR;
    return ct__check_inplace(self);
}

int ct_scatter_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src) {
    if (inplace_ok(self, index, src) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_scatter(self, dim, index, src));
}
int ct_scatter_value_(ct_tensor *self, int64_t dim, const ct_tensor *index, double value) {
    if (inplace_ok(self, index, index) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_scatter_value(self, dim, index, value));
}
int ct_scatter_add_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src) {
    if (inplace_ok(self, index, src) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_scatter_add(self, dim, index, src));
}
int ct_scatter_reduce_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *src, const char *reduce,
                       bool include_self) {
    if (inplace_ok(self, index, src) != CT_OK || !reduce) return CT_ERROR;
    return ct__write_back(self, ct_scatter_reduce(self, dim, index, src, reduce, include_self));
}
