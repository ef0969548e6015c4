/* Scans: cumsum, cumprod, cummax, cummin (and their in-place forms), plus
 * the differentiable helpers their backward formulas need (flip, cat of
 * two tensors, gather / scatter_add along a dim). Backward formulas follow
 * PyTorch 1.13's derivatives.yaml / FunctionsManual.cpp. */
#include <string.h>

#include "kernels/cpu/scan.h"
#include "ops/op_util.h"
#include "ops/reduce_internal.h"

/* ---- helpers: flip, cat2, gather, scatter_add ---- */

static int flip_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct__flip_dim(g[0], (int)n->ints[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct__flip_dim(const ct_tensor *x, int dim) {
    if (!x) return NULL;
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out) return NULL;
    if (ct__numel(x) > 0) {
        /* a view of x walking dim backwards, copied */
        int64_t st[CT_MAX_DIMS];
        memcpy(st, x->strides, sizeof st);
        int64_t off = x->offset + (x->sizes[dim] - 1) * x->strides[dim];
        st[dim] = -x->strides[dim];
        ct_tensor *v = ct__tensor_make(x->storage, x->dtype, x->ndim, x->sizes, st, off);
        int rc = v ? ct__copy_(out, v) : CT_ERROR;
        ct_free(v);
        if (rc != CT_OK) {
            ct_free(out);
            return NULL;
        }
    }
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("FlipBackward0", flip_backward, out, 1, in);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        n->ints[0] = dim;
    }
    return out;
}

/* CatBackward0: ints[0] = dim, ints[1] = a's size along dim. */
static int cat_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    int64_t na = n->ints[1], nb = g[0]->sizes[dim] - na;
    for (int i = 0; i < 2; i++) {
        if (!n->next[i].fn) continue;
        ct_tensor *v = ct_narrow(g[0], dim, i ? na : 0, i ? nb : na);
        out[i] = v ? ct_contiguous(v) : NULL;
        ct_free(v);
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct__cat2(const ct_tensor *a, const ct_tensor *b, int dim) {
    if (!a || !b) return NULL;
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, a->sizes, sizeof sizes);
    sizes[dim] += b->sizes[dim];
    ct_tensor *out = ct__empty(a->dtype, a->ndim, sizes);
    if (!out) return NULL;
    ct_tensor *pa = ct__narrow(out, dim, 0, a->sizes[dim]);
    ct_tensor *pb = pa ? ct__narrow(out, dim, a->sizes[dim], b->sizes[dim]) : NULL;
    int rc = pb && ct__copy_(pa, a) == CT_OK && ct__copy_(pb, b) == CT_OK ? CT_OK : CT_ERROR;
    ct_free(pa);
    ct_free(pb);
    const ct_tensor *in[2] = {a, b};
    if (rc == CT_OK && ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record("CatBackward0", cat_backward, out, 2, in);
        if (!n) rc = CT_ERROR;
        else n->ints[0] = dim, n->ints[1] = a->sizes[dim];
    }
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* out[..., idx[..., j, ...], ...] += src[..., j, ...] along dim (scatter_add
 * into zeros of `shape`), or out = src[..., idx, ...] (gather); idx is
 * contiguous int64 of src's / out's shape respectively. */
static void index_walk(bool scatter, char *dst, const char *src, const int64_t *idx, int ndim, const int64_t *isizes,
                       const ct_tensor *xt, const ct_tensor *ot, int dim) {
    /* xt: the tensor indexed along dim (dst for scatter, src for gather);
     * ot: the tensor with idx's shape. Both contiguous, same dtype. */
    int64_t n = ct__shape_numel(ndim, isizes);
    const ct_dtype_traits *tr = ct__traits(xt->dtype);
    size_t item = tr->itemsize;
    int64_t xs[CT_MAX_DIMS], os[CT_MAX_DIMS];
    ct__contiguous_strides(ndim, xt->sizes, xs);
    ct__contiguous_strides(ndim, ot->sizes, os);
    for (int64_t k = 0; k < n; k++) {
        int64_t rem = k, xoff = 0;
        for (int d = ndim - 1; d >= 0; d--) {
            int64_t c = rem % isizes[d];
            rem /= isizes[d];
            xoff += (d == dim ? idx[k] : c) * xs[d];
        }
        if (scatter) {
            char *p = dst + xoff * (int64_t)item;
            tr->store_double(p, tr->load_double(p) + tr->load_double(src + k * (int64_t)item));
        } else {
            memcpy(dst + k * (int64_t)item, src + xoff * (int64_t)item, item);
        }
    }
}

static ct_tensor *gather_dim(const ct_tensor *x, int dim, const ct_tensor *idx);

/* ScatterAddBackward0 (w.r.t. src): grad.gather(dim, index). saved[0] = index. */
static int scatter_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    out[0] = idx ? gather_dim(g[0], (int)n->ints[0], idx) : NULL;
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

/* zeros(shape).scatter_add(dim, idx, src); idx has src's shape. */
static ct_tensor *scatter_add_zeros(const ct_tensor *src, int dim, const ct_tensor *idx, int ndim,
                                    const int64_t *shape) {
    ct_tensor *out = ct_zeros(ndim, shape, CT_OPTS(.dtype = src->dtype));
    ct_tensor *sc = out ? ct__clone(src) : NULL;
    if (!sc) {
        ct_free(out);
        return NULL;
    }
    index_walk(true, ct__data(out), ct__data(sc), (const int64_t *)ct__data(idx), ndim, src->sizes, out, sc, dim);
    ct_free(sc);
    const ct_tensor *in[1] = {src};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("ScatterAddBackward0", scatter_backward, out, 1, in);
        if (!n || ct__save(n, 0, idx, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        n->ints[0] = dim;
    }
    return out;
}

/* GatherBackward0: zeros(x.shape).scatter_add(dim, index, grad). */
static int gather_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    out[0] = idx ? scatter_add_zeros(g[0], (int)n->ints[0], idx, n->ndim_arg, n->shape_arg) : NULL;
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *gather_dim(const ct_tensor *x, int dim, const ct_tensor *idx) {
    ct_tensor *out = ct__empty(x->dtype, idx->ndim, idx->sizes);
    ct_tensor *xc = out ? ct__clone(x) : NULL;
    if (!xc) {
        ct_free(out);
        return NULL;
    }
    index_walk(false, ct__data(out), ct__data(xc), (const int64_t *)ct__data(idx), idx->ndim, idx->sizes, xc, out,
               dim);
    ct_free(xc);
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("GatherBackward0", gather_backward, out, 1, in);
        if (!n || ct__save(n, 0, idx, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        n->ints[0] = dim;
        n->ndim_arg = x->ndim;
        memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    }
    return out;
}

/* ---- forward ---- */

static ct_tensor *scan_forward(ct_scan_kind kind, const ct_tensor *x, int dim, ct_dtype out_dtype,
                               ct_tensor **indices) {
    ct_tensor *out = ct__empty(out_dtype, x->ndim, x->sizes);
    ct_tensor *ix = indices ? ct__empty(CT_INT64, x->ndim, x->sizes) : NULL;
    if (!out || (indices && !ix)) {
        ct_free(out);
        ct_free(ix);
        return NULL;
    }
    if (ct__numel(x) > 0)
        ct__kernel_scan(kind, ct__data(out), out_dtype, ix ? (int64_t *)ct__data(ix) : NULL, ct__data(x), x->dtype,
                        x->ndim, x->sizes, x->strides, dim);
    if (indices) *indices = ix;
    return out;
}

/* ---- cumsum ---- */

/* CumsumBackward0: grad.flip(dim).cumsum(dim).flip(dim). ints[0] = dim. */
static int cumsum_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    /* derivatives.yaml: cumsum_backward(grad.to(self.scalar_type()), dim) */
    ct_tensor *gi = ct_to_dtype(g[0], n->dtypes[0]);
    if (!gi) return CT_ERROR;
    if (gi->ndim == 0 || ct__numel(gi) <= 1 || gi->sizes[dim] == 1) {
        out[0] = gi;
        return CT_OK;
    }
    ct_tensor *a = ct__flip_dim(gi, dim);
    ct_tensor *b = a ? ct_cumsum(a, dim) : NULL;
    out[0] = b ? ct__flip_dim(b, dim) : NULL;
    ct_free(gi);
    ct_free(a);
    ct_free(b);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *cum_impl(ct_scan_kind kind, const ct_tensor *x, int64_t dim, ct_dtype dtype);

ct_tensor *ct_cumsum_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    return cum_impl(CT_SCAN_CUMSUM, x, dim, dtype);
}
ct_tensor *ct_cumsum(const ct_tensor *x, int64_t dim) { return cum_impl(CT_SCAN_CUMSUM, x, dim, CT_DTYPE_DEFAULT); }

/* ---- cumprod ---- */

/* CumprodBackward0 (PyTorch's cumprod_backward): saved[0] = x, saved[1] =
 * result; ints[0] = dim. Without zeros: reversed_cumsum(result * grad) / x.
 * With zeros: for every k, sum_{j >= k} grad_j * prod_{i <= j, i != k} x_i,
 * written with cumprod / prod / cat so that it stays differentiable. */
static ct_tensor *reversed_cumsum(ct_tensor *w, int dim) {
    ct_tensor *a = ct__flip_dim(w, dim);
    ct_tensor *b = a ? ct_cumsum(a, dim) : NULL;
    ct_tensor *r = b ? ct__flip_dim(b, dim) : NULL;
    ct_free(a);
    ct_free(b);
    return r;
}

static int64_t zeros_in(const ct_tensor *x) {
    ct_tensor *c = ct_count_nonzero(x, 0, NULL);
    int64_t nz = -1;
    if (c && ct_item_int64(c, &nz) != CT_OK) nz = -1;
    ct_free(c);
    return nz < 0 ? -1 : ct__numel(x) - nz;
}

static ct_tensor *cumprod_grad_with_zeros(const ct_tensor *g, const ct_tensor *x, int dim) {
    int64_t n = x->sizes[dim];
    ct_tensor *acc = NULL;
    for (int64_t k = 0; k < n && (k == 0 || acc); k++) {
        ct_tensor *t[8] = {0};
        /* omitted products for j = k..n-1: prod_{i<k} x_i * cumprod_{k<i<=j} x_i */
        t[0] = k + 1 < n ? ct_narrow(x, dim, k + 1, n - k - 1) : NULL;
        t[1] = t[0] ? ct_cumprod(t[0], dim) : NULL;
        if (k == 0) {
            int64_t os[CT_MAX_DIMS];
            memcpy(os, x->sizes, sizeof os);
            os[dim] = 1;
            t[2] = ct_ones(x->ndim, os, CT_OPTS(.dtype = x->dtype));
        } else {
            t[3] = ct_narrow(x, dim, 0, k);
            t[2] = t[3] ? ct_prod_dim(t[3], dim, true) : NULL;
        }
        if (t[1]) {
            t[4] = t[2] ? ct_mul(t[2], t[1]) : NULL;
            t[5] = t[4] ? ct__cat2(t[2], t[4], dim) : NULL;
        } else {
            t[5] = t[2] ? ct__retain(t[2]) : NULL; /* k == n - 1 */
        }
        t[6] = t[5] ? ct_narrow(g, dim, k, n - k) : NULL;
        t[7] = t[6] ? ct_mul(t[6], t[5]) : NULL;
        ct_tensor *gk = t[7] ? ct_sum_dim(t[7], 1, (int64_t[]){dim}, true) : NULL;
        ct_tensor *next = gk ? (acc ? ct__cat2(acc, gk, dim) : ct__retain(gk)) : NULL;
        ct_free(gk);
        ct_free(acc);
        acc = next;
        ct__free_all(8, t);
    }
    return acc;
}

static int cumprod_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    if (x->ndim == 0 || ct__numel(x) <= 1 || x->sizes[dim] == 1) {
        ct_free(x);
        out[0] = ct__retain(g[0]);
        return CT_OK;
    }
    int64_t z = zeros_in(x);
    if (z == 0) {
        ct_tensor *r = ct__unpack(n, 1);
        ct_tensor *w = r ? ct_mul(r, g[0]) : NULL;
        ct_tensor *rc = w ? reversed_cumsum(w, dim) : NULL;
        out[0] = rc ? ct_div(rc, x) : NULL;
        ct_free(r);
        ct_free(w);
        ct_free(rc);
    } else if (z > 0) {
        out[0] = cumprod_grad_with_zeros(g[0], x, dim);
    }
    ct_free(x);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_cumprod_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    return cum_impl(CT_SCAN_CUMPROD, x, dim, dtype);
}
ct_tensor *ct_cumprod(const ct_tensor *x, int64_t dim) { return cum_impl(CT_SCAN_CUMPROD, x, dim, CT_DTYPE_DEFAULT); }

static ct_tensor *cum_impl(ct_scan_kind kind, const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    if (!x) return NULL;
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return NULL;
    ct_dtype od = dtype != CT_DTYPE_DEFAULT ? dtype : ct_dtype_is_floating_point(x->dtype) ? x->dtype : CT_INT64;
    if (od == CT_FLOAT16) { /* PyTorch 1.13's CPU kernels have no Half */
        ct__error("\"%s_out_cpu\" not implemented for 'Half'", kind == CT_SCAN_CUMSUM ? "cumsum" : "cumprod");
        return NULL;
    }
    ct_tensor *xc = x->dtype == od ? ct__retain(x) : ct__to_dtype_copy(x, od);
    ct_tensor *out = xc ? scan_forward(kind, xc, d, od, NULL) : NULL;
    ct_free(xc);
    const ct_tensor *in[1] = {x};
    if (out && ct_dtype_is_floating_point(od) && ct__any_requires_grad(1, in)) {
        bool sum = kind == CT_SCAN_CUMSUM;
        ct_node *n = ct__record(sum ? "CumsumBackward0" : "CumprodBackward0", sum ? cumsum_backward : cumprod_backward,
                                out, 1, in);
        if (!n || (!sum && (ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK))) {
            ct_free(out);
            return NULL;
        }
        n->ints[0] = d;
        n->dtypes[0] = x->dtype;
    }
    return out;
}

/* ---- in-place forms ---- */

static int cum_inplace(ct_scan_kind kind, ct_tensor *x, int64_t dim) {
    if (!x) return CT_ERROR;
    if (ct__check_inplace(x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, cum_impl(kind, x, dim, x->dtype));
}
int ct_cumsum_(ct_tensor *x, int64_t dim) { return cum_inplace(CT_SCAN_CUMSUM, x, dim); }
int ct_cumprod_(ct_tensor *x, int64_t dim) { return cum_inplace(CT_SCAN_CUMPROD, x, dim); }

/* ---- cummax / cummin ---- */

/* CummaxBackward0 / CumminBackward0: zeros_like(x).scatter_add(dim,
 * indices, grad). saved[0] = indices (an output); ints[0] = dim. */
static int cummaxmin_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    if (!idx) return CT_ERROR;
    out[0] = ct__numel(idx) == 0 ? ct_zeros(n->ndim_arg, n->shape_arg, CT_OPTS(.dtype = g[0]->dtype))
                                 : scatter_add_zeros(g[0], (int)n->ints[0], idx, n->ndim_arg, n->shape_arg);
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

static int cummaxmin(ct_scan_kind kind, const ct_tensor *x, int64_t dim, ct_tensor **values, ct_tensor **indices) {
    if (values) *values = NULL;
    if (indices) *indices = NULL;
    if (!x || !values || !indices) return CT_ERROR;
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return CT_ERROR;
    if (x->dtype == CT_FLOAT16) {
        ct__error("\"%s_cpu\" not implemented for 'Half'", kind == CT_SCAN_CUMMAX ? "cummax" : "cummin");
        return CT_ERROR;
    }
    ct_tensor *ix = NULL;
    ct_tensor *v = scan_forward(kind, x, d, x->dtype, &ix);
    if (!v) return CT_ERROR;
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record(kind == CT_SCAN_CUMMAX ? "CummaxBackward0" : "CumminBackward0", cummaxmin_backward, v,
                                1, in);
        if (!n || ct__save(n, 0, ix, false, 0) != CT_OK) {
            ct_free(v);
            ct_free(ix);
            return CT_ERROR;
        }
        n->ints[0] = d;
        n->ndim_arg = x->ndim;
        memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    }
    *values = v;
    *indices = ix;
    return CT_OK;
}

int ct_cummax(const ct_tensor *x, int64_t dim, ct_tensor **values, ct_tensor **indices) {
    return cummaxmin(CT_SCAN_CUMMAX, x, dim, values, indices);
}
int ct_cummin(const ct_tensor *x, int64_t dim, ct_tensor **values, ct_tensor **indices) {
    return cummaxmin(CT_SCAN_CUMMIN, x, dim, values, indices);
}
