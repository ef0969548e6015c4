/* Linear algebra beyond products: trace, diag, diag_embed, cross /
 * linalg.cross, linalg.vector_norm, linalg.matrix_norm (all orders),
 * linalg.norm, linalg.svdvals / linalg.svd (one-sided Jacobi). Backward
 * formulas follow PyTorch 1.13's derivatives.yaml, written with public ops
 * (abs as x * sign(x), masks as constants). */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "ops/op_util.h"

static bool refuse(const char *kernel, ct_dtype d) {
    if (d != CT_BOOL && d != CT_FLOAT16) return false;
    ct__error("\"%s\" not implemented for '%s'", kernel, ct__traits(d)->scalar_name);
    return true;
}

/* ---- diagonal embedding (diag of a vector, diag_embed, their backward) ---- */

typedef struct embed_args {
    int64_t offset;
    int dim1, dim2;
} embed_args;

/* backward of an embedding: the diagonal again (a differentiable view) */
static int embed_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *d = ct_diagonal(g[0], n->ints[0], (int)n->ints[1], (int)n->ints[2]);
    out[0] = d ? ct_contiguous(d) : NULL;
    ct_free(d);
    return out[0] ? CT_OK : CT_ERROR;
}

/* zeros(sizes) with x copied into diagonal(offset, dim1, dim2). */
static ct_tensor *embed(const ct_tensor *x, int ndim, const int64_t *sizes, embed_args a, const char *name) {
    ct_tensor *out = ct__empty(x->dtype, ndim, sizes);
    if (!out) return NULL;
    ct_tensor *d = NULL;
    if (ct__fill_(out, 0) != CT_OK || !(d = ct__diagonal(out, a.offset, a.dim1, a.dim2)) || ct__copy_(d, x) != CT_OK) {
        ct_free(d);
        ct_free(out);
        return NULL;
    }
    ct_free(d);
    const ct_tensor *in[1] = {x};
    if (!ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(name, embed_backward, out, 1, in);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = a.offset, n->ints[1] = a.dim1, n->ints[2] = a.dim2;
    return out;
}

/* DiagBackward0 of a matrix input: the gradient embedded in zeros of its shape */
static int diag2_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    embed_args a = {n->ints[0], 0, 1};
    out[0] = embed(g[0], n->ndim_arg, n->shape_arg, a, "DiagBackwardBackward0");
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_diag(const ct_tensor *x, int64_t diagonal) {
    if (!x) return NULL;
    if (x->ndim == 1) {
        int64_t n = x->sizes[0] + (diagonal < 0 ? -diagonal : diagonal);
        embed_args a = {diagonal, 0, 1};
        return embed(x, CT_SIZE(n, n), a, "DiagBackward0");
    }
    if (x->ndim != 2) {
        ct__error("matrix or a vector expected");
        return NULL;
    }
    ct_tensor *d = ct__diagonal(x, diagonal, 0, 1);
    ct_tensor *out = d ? ct__clone(d) : NULL;
    ct_free(d);
    const ct_tensor *in[1] = {x};
    if (!out || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record("DiagBackward0", diag2_backward, out, 1, in);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = diagonal;
    n->ndim_arg = 2;
    memcpy(n->shape_arg, x->sizes, 2 * sizeof *x->sizes);
    return out;
}

ct_tensor *ct_diag_embed(const ct_tensor *x, int64_t offset, int dim1, int dim2) {
    if (!x) return NULL;
    int nd = x->ndim + 1;
    if (x->ndim == 0) {
        ct__error("Dimension specified as -1 but tensor has no dimensions");
        return NULL;
    }
    if (nd > CT_MAX_DIMS) {
        ct__error("diag_embed: too many dimensions");
        return NULL;
    }
    int d1 = ct__wrap_dim(dim1, nd), d2 = d1 < 0 ? -1 : ct__wrap_dim(dim2, nd);
    if (d1 < 0 || d2 < 0) return NULL;
    if (d1 == d2) {
        ct__error("diagonal dimensions cannot be identical %d, %d", dim1, dim2);
        return NULL;
    }
    int64_t len = x->sizes[x->ndim - 1] + (offset < 0 ? -offset : offset);
    int lo = d1 < d2 ? d1 : d2, hi = d1 < d2 ? d2 : d1;
    int64_t sizes[CT_MAX_DIMS];
    for (int i = 0, j = 0; i < nd; i++) sizes[i] = (i == lo || i == hi) ? len : x->sizes[j++];
    embed_args a = {offset, d1, d2};
    return embed(x, nd, sizes, a, "DiagEmbedBackward0");
}

/* ---- trace ---------------------------------------------------------------------- */

/* TraceBackward0: g on the diagonal of zeros of the input's shape */
static int trace_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int64_t len = n->shape_arg[0] < n->shape_arg[1] ? n->shape_arg[0] : n->shape_arg[1];
    ct_tensor *ge = ct_expand(g[0], CT_SIZE(len));
    embed_args a = {0, 0, 1};
    out[0] = ge ? embed(ge, 2, n->shape_arg, a, "TraceBackwardBackward0") : NULL;
    ct_free(ge);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_trace(const ct_tensor *x) {
    if (!x) return NULL;
    if (x->ndim != 2) {
        ct__error("trace: expected a matrix, but got tensor with dim %d", x->ndim);
        return NULL;
    }
    if (refuse("trace", x->dtype)) return NULL;
    bool fl = ct_dtype_is_floating_point(x->dtype);
    ct_tensor *out = ct__empty(fl ? x->dtype : CT_INT64, CT_SIZE0);
    if (!out) return NULL;
    int64_t len = x->sizes[0] < x->sizes[1] ? x->sizes[0] : x->sizes[1];
    int64_t step = (x->strides[0] + x->strides[1]) * (int64_t)ct__traits(x->dtype)->itemsize;
    const char *p = ct__data(x);
    const ct_dtype_traits *tr = ct__traits(x->dtype);
    if (fl) {
        /* accumulates in double (at::acc_type on CPU) */
        double s = 0;
        for (int64_t i = 0; i < len; i++) s += tr->load_double(p + i * step);
        ct__traits(out->dtype)->store_double(ct__data(out), s);
    } else {
        uint64_t s = 0;
        for (int64_t i = 0; i < len; i++) {
            const char *q = p + i * step;
            switch (x->dtype) {
            case CT_UINT8: s += *(const uint8_t *)q; break;
            case CT_INT8: s += (uint64_t)(int64_t) * (const int8_t *)q; break;
            case CT_INT16: s += (uint64_t)(int64_t) * (const int16_t *)q; break;
            case CT_INT32: s += (uint64_t)(int64_t) * (const int32_t *)q; break;
            default: s += (uint64_t) * (const int64_t *)q; break;
            }
        }
        *(int64_t *)ct__data(out) = (int64_t)s;
    }
    const ct_tensor *in[1] = {x};
    if (!fl || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record("TraceBackward0", trace_backward, out, 1, in);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ndim_arg = 2;
    memcpy(n->shape_arg, x->sizes, 2 * sizeof *x->sizes);
    return out;
}

/* ---- cross ---------------------------------------------------------------------- */

/* LinalgCrossBackward0: a: cross(b, g), b: cross(g, a), summed to shape. */
static int cross_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    for (int i = 0; i < 2; i++) {
        if (!n->next[i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        ct_tensor *c = other ? (i == 0 ? ct_linalg_cross(other, g[0], dim) : ct_linalg_cross(g[0], other, dim)) : NULL;
        ct_free(other);
        int nd = (int)n->ints[1 + i];
        out[i] = c ? ct__sum_to(c, nd, i == 0 ? n->shape_arg : n->shape_arg2) : NULL;
        ct_free(c);
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct_linalg_cross(const ct_tensor *a, const ct_tensor *b, int dim) {
    if (!a || !b) return NULL;
    if (a->ndim != b->ndim) {
        ct__error("linalg.cross: inputs must have the same number of dimensions.");
        return NULL;
    }
    int64_t bs[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, bs);
    if (nd < 0) return NULL;
    int d = ct__wrap_dim(dim, nd);
    if (d < 0) return NULL;
    if (a->ndim == 0 || a->sizes[d] != 3 || b->sizes[d] != 3) {
        ct__error("linalg.cross: inputs dimension %d must have length 3. Got %" PRId64 " and %" PRId64, dim,
                  a->ndim ? a->sizes[d] : 1, b->ndim ? b->sizes[d] : 1);
        return NULL;
    }
    if (a->dtype != b->dtype) {
        ct__error("expected scalar type %s but found %s", ct__traits(a->dtype)->scalar_name,
                  ct__traits(b->dtype)->scalar_name);
        return NULL;
    }
    if (refuse("cross", a->dtype)) return NULL;
    ct_tensor *out = ct__empty(a->dtype, nd, bs);
    if (!out) return NULL;
    int rc = CT_OK;
    {
        ct_grad_mode gm = ct_no_grad_begin();
        ct_tensor *da = ct_detach(a), *db = ct_detach(b);
        /* out_k = a_i * b_j - a_j * b_i for (k, i, j) cyclic */
        for (int k = 0; k < 3 && rc == CT_OK; k++) {
            int i = (k + 1) % 3, j = (k + 2) % 3;
            ct_tensor *ai = ct_select(da, d, i), *aj = ct_select(da, d, j);
            ct_tensor *bi = ct_select(db, d, i), *bj = ct_select(db, d, j);
            ct_tensor *p = ct_mul(ai, bj), *q = ct_mul(aj, bi);
            ct_tensor *r = p && q ? ct_sub(p, q) : NULL;
            ct_tensor *ok = ct__select(out, d, k);
            rc = r && ok ? ct__copy_(ok, r) : CT_ERROR;
            ct_tensor *tmp[8] = {ai, aj, bi, bj, p, q, r, ok};
            ct__free_all(8, tmp);
        }
        ct_free(da);
        ct_free(db);
        ct_grad_mode_end(gm);
    }
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[2] = {a, b};
    if (!ct__any_requires_grad(2, in)) return out;
    ct_node *n = ct__record("LinalgCrossBackward0", cross_backward, out, 2, in);
    if (!n || (n->next[1].fn && ct__save(n, 0, a, false, 0) != CT_OK) ||
        (n->next[0].fn && ct__save(n, 1, b, false, 0) != CT_OK)) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = d;
    n->ints[1] = a->ndim;
    n->ints[2] = b->ndim;
    memcpy(n->shape_arg, a->sizes, sizeof a->sizes);
    memcpy(n->shape_arg2, b->sizes, sizeof b->sizes);
    return out;
}

ct_tensor *ct_cross_dim(const ct_tensor *a, const ct_tensor *b, int dim) { return ct_linalg_cross(a, b, dim); }

ct_tensor *ct_cross(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    static _Thread_local bool warned;
    if (!warned) {
        warned = true;
        ct__warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                 "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree with "
                 "that of linalg.cross in a future release.");
    }
    for (int i = 0; i < a->ndim; i++)
        if (a->sizes[i] == 3) return ct_linalg_cross(a, b, i);
    ct__error("no dimension of size 3 in input");
    return NULL;
}

/* ---- norms -------------------------------------------------------------------- */

/* 1 where r == 0, else 0 (a constant of r's dtype and shape) */
static ct_tensor *const_mask(const ct_tensor *x, const ct_tensor *r, bool inf_mode) {
    /* inf_mode: 1 where |x| == r (r broadcast to x) or isnan(|x|); else r == 0 */
    const ct_tensor *shape = inf_mode ? x : r;
    ct_tensor *re = ct__expand(r, shape->ndim, shape->sizes);
    ct_tensor *rd = re ? ct__to_dtype_copy(re, CT_FLOAT64) : NULL;
    ct_tensor *xd = inf_mode && rd ? ct__to_dtype_copy(x, CT_FLOAT64) : NULL;
    ct_tensor *m = rd && (!inf_mode || xd) ? ct__empty(shape->dtype, shape->ndim, shape->sizes) : NULL;
    if (m) {
        const double *pr = (const double *)ct__data(rd);
        const double *px = xd ? (const double *)ct__data(xd) : NULL;
        const ct_dtype_traits *tr = ct__traits(m->dtype);
        size_t isz = tr->itemsize;
        for (int64_t i = 0, nel = ct__numel(m); i < nel; i++) {
            bool on = inf_mode ? (fabs(px[i]) == pr[i] || isnan(px[i])) : pr[i] == 0;
            tr->store_double(ct__data(m) + i * (int64_t)isz, on ? 1.0 : 0.0);
        }
    }
    ct_free(re);
    ct_free(rd);
    ct_free(xd);
    return m;
}

/* LinalgVectorNormBackward0: PyTorch's norm_backward. saved: x (0), result (1).
 * ints: the reduced dims (nints of them, sorted); ints[CT_MAX_DIMS]: keepdim. */
static int vnorm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double p = n->scalars[0];
    ct_tensor *x = ct__unpack(n, 0), *r = ct__unpack(n, 1);
    ct_tensor *t[16] = {0};
    int nt = 0;
    ct_tensor *gk = ct__retain(g[0]), *rk = r ? ct__retain(r) : NULL;
    if (x && rk && !n->ints[CT_MAX_DIMS] && x->ndim > 0) {
        for (int i = 0; i < n->nints && gk && rk; i++) {
            ct_tensor *a = ct_unsqueeze(gk, (int)n->ints[i]), *b = ct_unsqueeze(rk, (int)n->ints[i]);
            ct_free(gk);
            ct_free(rk);
            gk = a, rk = b;
        }
    }
    t[nt++] = gk, t[nt++] = rk;
    ct_tensor *res = NULL;
    if (x && gk && rk) {
        if (p == 0) {
            res = ct_zeros_like(x, NULL);
        } else {
            ct_tensor *sgn = t[nt++] = ct_sign(x);
            ct_tensor *ab = t[nt++] = sgn ? ct_mul(x, sgn) : NULL;
            if (!ab) {
            } else if (p == 1) {
                res = ct_mul(sgn, gk);
            } else if (isinf(p)) {
                ct_tensor *m = t[nt++] = const_mask(x, rk, true);
                ct_tensor *cnt = t[nt++] = m ? ct_sum_dim(m, n->nints, n->ints, true) : NULL;
                ct_tensor *q = t[nt++] = cnt ? ct_div(gk, cnt) : NULL;
                ct_tensor *qm = t[nt++] = q ? ct_mul(q, m) : NULL;
                res = qm ? ct_mul(sgn, qm) : NULL;
            } else {
                /* scale = g * r^(1-p) (p < 1) or g / r^(p-1) masked where r == 0 */
                ct_tensor *scale = NULL;
                if (p == 2 || p >= 1) {
                    ct_tensor *z = t[nt++] = const_mask(NULL, rk, false);
                    ct_tensor *rp = t[nt++] = p == 2 ? ct__retain(rk) : ct_pow_scalar(rk, p - 1);
                    ct_tensor *safe = t[nt++] = z && rp ? ct_add(rp, z) : NULL;
                    ct_tensor *q = t[nt++] = safe ? ct_div(gk, safe) : NULL;
                    ct_tensor *nz = t[nt++] = z ? ct_neg(z) : NULL;
                    if (nz && ct_add_scalar_(nz, 1.0) != CT_OK) nz = NULL;
                    scale = t[nt++] = q && nz ? ct_mul(q, nz) : NULL;
                } else {
                    ct_tensor *rp = t[nt++] = ct_pow_scalar(rk, 1 - p);
                    scale = t[nt++] = rp ? ct_mul(gk, rp) : NULL;
                }
                ct_tensor *s = NULL;
                if (p == 2) s = t[nt++] = ct__retain(x);
                else if (p < 2) {
                    ct_tensor *pw = t[nt++] = ct_pow_scalar(ab, p - 1);
                    s = t[nt++] = pw ? ct_mul(sgn, pw) : NULL;
                } else {
                    ct_tensor *pw = t[nt++] = ct_pow_scalar(ab, p - 2);
                    s = t[nt++] = pw ? ct_mul(x, pw) : NULL;
                }
                res = s && scale ? ct_mul(s, scale) : NULL;
            }
        }
    }
    ct__free_all(nt, t);
    ct_free(x);
    ct_free(r);
    out[0] = res;
    return res ? CT_OK : CT_ERROR;
}

static double norm_reduce(const double *v, int64_t k, double p) {
    double acc = 0;
    if (p == INFINITY || p == -INFINITY) {
        acc = k ? fabs(v[0]) : 0;
        for (int64_t i = 0; i < k; i++) {
            double a = fabs(v[i]);
            if (isnan(a)) return a;
            if (p > 0 ? a > acc : a < acc) acc = a;
        }
        return acc;
    }
    for (int64_t i = 0; i < k; i++) {
        double a = fabs(v[i]);
        if (p == 0) acc += a != 0;
        else if (p == 1) acc += a;
        else if (p == 2) acc += a * a;
        else acc += pow(a, p);
    }
    if (p == 0 || p == 1) return acc;
    if (p == 2) return sqrt(acc);
    return pow(acc, 1.0 / p);
}

ct_tensor *ct_linalg_vector_norm(const ct_tensor *x, double ord, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("linalg.vector_norm: Expected a floating point or complex tensor as input. Got %s",
                  ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    bool red[CT_MAX_DIMS] = {0};
    int64_t sorted[CT_MAX_DIMS];
    int nred = 0;
    if (ndims == 0 || !dims) {
        for (int i = 0; i < x->ndim; i++) red[i] = true;
    } else {
        for (int i = 0; i < ndims; i++) {
            int d = ct__wrap_dim(dims[i], x->ndim);
            if (d < 0) return NULL;
            if (x->ndim == 0) d = 0;
            if (red[d]) {
                ct__error("dim %d appears multiple times in the list of dims", d);
                return NULL;
            }
            red[d] = true;
        }
    }
    bool empty_red = ct__numel(x) == 0 && (ndims == 0 || !dims);
    for (int i = 0; i < x->ndim; i++) {
        if (red[i]) sorted[nred++] = i;
        if (red[i] && x->sizes[i] == 0 && ndims > 0 && dims) empty_red = true;
    }
    if (empty_red && (ord < 0 || ord == INFINITY)) {
        ct__error("linalg.vector_norm cannot compute the %s norm on an empty tensor because the operation does not "
                  "have an identity",
                  ord == INFINITY ? "inf" : ord == -INFINITY ? "-inf" : "negative");
        return NULL;
    }
    /* reduced dims last, contiguous float64 copy, one row per output */
    int64_t perm[CT_MAX_DIMS], osz[CT_MAX_DIMS], ksz[CT_MAX_DIMS];
    int np = 0, no = 0, nk = 0;
    int64_t k = 1;
    for (int i = 0; i < x->ndim; i++)
        if (!red[i]) perm[np++] = i, osz[no++] = x->sizes[i], ksz[nk++] = x->sizes[i];
        else if (keepdim) ksz[nk++] = 1;
    for (int i = 0; i < x->ndim; i++)
        if (red[i]) perm[np++] = i, k *= x->sizes[i];
    ct_tensor *pv = ct__permute(x, x->ndim, perm);
    ct_tensor *xd = pv ? ct__to_dtype_copy(pv, CT_FLOAT64) : NULL;
    ct_tensor *out = xd ? ct__empty(x->dtype, keepdim ? nk : no, keepdim ? ksz : osz) : NULL;
    ct_free(pv);
    if (out) {
        const double *v = (const double *)ct__data(xd);
        const ct_dtype_traits *tr = ct__traits(x->dtype);
        for (int64_t o = 0, nout = ct__numel(out); o < nout; o++)
            tr->store_double(ct__data(out) + o * (int64_t)tr->itemsize, norm_reduce(v + o * k, k, ord));
    }
    ct_free(xd);
    const ct_tensor *in[1] = {x};
    if (!out || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record("LinalgVectorNormBackward0", vnorm_backward, out, 1, in);
    if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    n->scalars[0] = ord;
    n->nints = nred;
    memcpy(n->ints, sorted, (size_t)nred * sizeof *sorted);
    n->ints[CT_MAX_DIMS] = keepdim;
    return out;
}

/* ---- amax / amin over one dim (matrix norms need them) ------------------------- */

/* AmaxBackward0 / AminBackward0: grad / count at the elements equal to the
 * result (PyTorch's scale_grad_by_count). saved: x (0), result (1);
 * ints[0]: the wrapped dim, ints[1]: keepdim. */
static int amax_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0), *r = ct__unpack(n, 1);
    ct_tensor *t[8] = {0};
    int nt = 0, d = (int)n->ints[0];
    bool keep = n->ints[1] != 0;
    ct_tensor *gu = t[nt++] = keep ? ct__retain(g[0]) : ct_unsqueeze(g[0], d);
    ct_tensor *ru = t[nt++] = !r ? NULL : keep ? ct__retain(r) : ct_unsqueeze(r, d);
    ct_tensor *eq = t[nt++] = x && ru ? ct_eq(x, ru) : NULL;
    ct_tensor *mask = t[nt++] = eq ? ct_to_dtype(eq, x->dtype) : NULL;
    ct_tensor *cnt = t[nt++] = mask ? ct_sum_dim(mask, 1, (const int64_t[]){d}, true) : NULL;
    ct_tensor *q = t[nt++] = gu && cnt ? ct_div(gu, cnt) : NULL;
    out[0] = q ? ct_mul(q, mask) : NULL;
    ct__free_all(nt, t);
    ct_free(x);
    ct_free(r);
    return out[0] ? CT_OK : CT_ERROR;
}

/* x.amax(dim, keepdim) / x.amin(dim, keepdim) for floating x; NaN wins. The
 * empty-dim message shows `dim` as the caller wrote it (as PyTorch). */
static ct_tensor *amax_dim(const ct_tensor *x, int dim, bool keepdim, bool is_max) {
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return NULL;
    if (x->ndim > 0 && x->sizes[d] == 0) {
        ct__error("%s(): Expected reduction dim %d to have non-zero size.", is_max ? "amax" : "amin", dim);
        return NULL;
    }
    int64_t perm[CT_MAX_DIMS], osz[CT_MAX_DIMS];
    int np = 0, no = 0;
    for (int i = 0; i < x->ndim; i++)
        if (i != d) perm[np++] = i, osz[no++] = x->sizes[i];
        else if (keepdim) osz[no++] = 1;
    if (x->ndim > 0) perm[np++] = d;
    int64_t k = x->ndim > 0 ? x->sizes[d] : 1;
    ct_tensor *pv = ct__permute(x, x->ndim, perm);
    ct_tensor *xd = pv ? ct__to_dtype_copy(pv, CT_FLOAT64) : NULL;
    ct_tensor *out = xd ? ct__empty(x->dtype, no, osz) : NULL;
    ct_free(pv);
    if (out) {
        const double *v = (const double *)ct__data(xd);
        const ct_dtype_traits *tr = ct__traits(x->dtype);
        for (int64_t o = 0, nout = ct__numel(out); o < nout; o++) {
            double acc = v[o * k];
            for (int64_t i = 1; i < k && !isnan(acc); i++) {
                double a = v[o * k + i];
                if (isnan(a) || (is_max ? a > acc : a < acc)) acc = a;
            }
            tr->store_double(ct__data(out) + o * (int64_t)tr->itemsize, acc);
        }
    }
    ct_free(xd);
    const ct_tensor *in[1] = {x};
    if (!out || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(is_max ? "AmaxBackward0" : "AminBackward0", amax_backward, out, 1, in);
    if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = x->ndim > 0 ? d : 0;
    n->ints[1] = keepdim || x->ndim == 0;
    return out;
}

/* ---- matrix norms -------------------------------------------------------------- */

/* _linalg_matrix_norm_checks: ndim, dtype (low precision refused for the
 * SVD-based orders), dims wrapped then compared. */
static bool matrix_norm_checks(const ct_tensor *x, int dim0, int dim1, bool low_precision, int *d0, int *d1) {
    if (x->ndim < 2) {
        ct__error("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
        return false;
    }
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("linalg.matrix_norm: Expected a floating point or complex tensor as input. Got %s",
                  ct__traits(x->dtype)->scalar_name);
        return false;
    }
    if (!low_precision && (x->dtype == CT_FLOAT16 || x->dtype == CT_BFLOAT16)) {
        ct__error("linalg.matrix_norm: Low precision dtypes not supported. Got %s", ct__traits(x->dtype)->scalar_name);
        return false;
    }
    *d0 = ct__wrap_dim(dim0, x->ndim);
    *d1 = *d0 < 0 ? -1 : ct__wrap_dim(dim1, x->ndim);
    if (*d0 < 0 || *d1 < 0) return false;
    if (*d0 == *d1) {
        ct__error("linalg.matrix_norm: dims must be different. Got (%d, %d)", *d0, *d1);
        return false;
    }
    return true;
}

/* ord 2 / -2 (amax / amin of the singular values) and 'nuc' (their sum), as
 * PyTorch: move (d0, d1) to the end, svdvals, reduce the last dim, and with
 * keepdim unsqueeze and permute back. mode: 2, -2, or 0 for 'nuc'. */
static ct_tensor *svd_matrix_norm(const ct_tensor *x, int d0, int d1, bool keepdim, int mode) {
    int nd = x->ndim;
    int64_t perm[CT_MAX_DIMS], inv[CT_MAX_DIMS];
    int np = 0;
    for (int i = 0; i < nd; i++)
        if (i != d0 && i != d1) perm[np++] = i;
    perm[np++] = d0;
    perm[np++] = d1;
    for (int i = 0; i < nd; i++) inv[perm[i]] = i;
    ct_tensor *t[4] = {0};
    ct_tensor *xp = t[0] = ct_permute(x, nd, perm);
    ct_tensor *s = t[1] = xp ? ct_linalg_svdvals(xp) : NULL;
    ct_tensor *r = t[2] = !s      ? NULL
                          : mode ? amax_dim(s, -1, keepdim, mode > 0)
                                 : ct_sum_dim(s, 1, (const int64_t[]){-1}, keepdim);
    ct_tensor *res = NULL;
    if (r && keepdim) {
        ct_tensor *u = t[3] = ct_unsqueeze(r, -1);
        res = u ? ct_permute(u, nd, inv) : NULL;
    } else if (r) {
        res = ct__retain(r);
    }
    ct__free_all(4, t);
    return res;
}

ct_tensor *ct_linalg_matrix_norm_str(const ct_tensor *x, const char *ord, int dim0, int dim1, bool keepdim) {
    if (!x) return NULL;
    const char *o = ord ? ord : "fro";
    if (strcmp(o, "fro") && strcmp(o, "nuc")) {
        ct__error("linalg.matrix_norm: Order %s not supported.", o);
        return NULL;
    }
    bool nuc = !strcmp(o, "nuc");
    int d0, d1;
    if (!matrix_norm_checks(x, dim0, dim1, !nuc, &d0, &d1)) return NULL;
    if (nuc) return svd_matrix_norm(x, d0, d1, keepdim, 0);
    return ct_linalg_vector_norm(x, 2.0, 2, (const int64_t[]){d0, d1}, keepdim);
}

ct_tensor *ct_linalg_matrix_norm(const ct_tensor *x, double ord, int dim0, int dim1, bool keepdim) {
    if (!x) return NULL;
    double ab = fabs(ord);
    if (!(ab == 1 || ab == 2 || ab == INFINITY)) {
        ct__error("linalg.matrix_norm: Order %g not supported.", ord);
        return NULL;
    }
    int d0, d1;
    if (!matrix_norm_checks(x, dim0, dim1, ab != 2, &d0, &d1)) return NULL;
    if (ab == 2) return svd_matrix_norm(x, d0, d1, keepdim, ord > 0 ? 2 : -2);
    /* the inf norm is the 1 norm of the transpose */
    if (ab == INFINITY) {
        int tmp = d0;
        d0 = d1, d1 = tmp;
    }
    if (!keepdim && d0 < d1) d1--;
    ct_tensor *v = ct_linalg_vector_norm(x, 1.0, 1, (const int64_t[]){d0}, keepdim);
    ct_tensor *r = v ? amax_dim(v, d1, keepdim, ord > 0) : NULL;
    ct_free(v);
    return r;
}

static ct_tensor *norm_impl(const ct_tensor *x, const double *ord, const char *sord, int ndims, const int64_t *dims,
                            bool keepdim) {
    if (!x) return NULL;
    if (dims && ndims > 0 && ndims != 1 && ndims != 2) {
        char buf[256];
        ct__error("linalg.norm: If dim is specified, it must be of length 1 or 2. Got %s",
                  ct__format_shape(buf, sizeof buf, ndims, dims));
        return NULL;
    }
    bool has_dim = dims && ndims > 0;
    if (!ord && !sord) {
        /* vector 2-norm of the flattened input, or over the given dims */
        return ct_linalg_vector_norm(x, 2.0, has_dim ? ndims : 0, has_dim ? dims : NULL, keepdim);
    }
    if (!has_dim && x->ndim != 1 && x->ndim != 2) {
        ct__error("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got %dD.", x->ndim);
        return NULL;
    }
    bool matrix = has_dim ? ndims == 2 : x->ndim == 2;
    if (sord || matrix) {
        int a = has_dim ? (int)dims[0] : -2, b = has_dim && ndims == 2 ? (int)dims[1] : -1;
        if (sord) return ct_linalg_matrix_norm_str(x, sord, a, b, keepdim);
        return ct_linalg_matrix_norm(x, *ord, a, b, keepdim);
    }
    return ct_linalg_vector_norm(x, *ord, has_dim ? ndims : 0, has_dim ? dims : NULL, keepdim);
}

ct_tensor *ct_linalg_norm(const ct_tensor *x, const double *ord, int ndims, const int64_t *dims, bool keepdim) {
    return norm_impl(x, ord, NULL, ndims, dims, keepdim);
}

ct_tensor *ct_linalg_norm_str(const ct_tensor *x, const char *ord, int ndims, const int64_t *dims, bool keepdim) {
    return norm_impl(x, NULL, ord ? ord : "fro", ndims, dims, keepdim);
}

/* ---- SVD: one-sided Jacobi in double ---------------------------------------------- */

/* One-sided (Hestenes) Jacobi on the `cols` columns of W (column-major,
 * columns of length len): rotates pairs of columns until all are
 * orthogonal to working precision; V (cols x cols, column-major, starting
 * as the identity) accumulates the rotations, so W_in V = W_out. */
static void jacobi_sweeps(double *W, int64_t len, int64_t cols, double *V, double *nrm2) {
    for (int sweep = 0; sweep < 100; sweep++) {
        bool rotated = false;
        /* squared column norms: recomputed each sweep, updated exactly
         * enough within it (alpha - t*gamma, beta + t*gamma) */
        for (int64_t p = 0; p < cols; p++) {
            double acc = 0;
            for (int64_t i = 0; i < len; i++) acc += W[p * len + i] * W[p * len + i];
            nrm2[p] = acc;
        }
        for (int64_t p = 0; p < cols; p++) {
            for (int64_t q = p + 1; q < cols; q++) {
                double *wp = W + p * len, *wq = W + q * len;
                double alpha = nrm2[p], beta = nrm2[q], gamma = 0;
                for (int64_t i = 0; i < len; i++) gamma += wp[i] * wq[i];
                if (gamma == 0 || fabs(gamma) <= DBL_EPSILON * sqrt(alpha) * sqrt(beta)) continue;
                rotated = true;
                double zeta = (beta - alpha) / (2 * gamma);
                double t = fabs(zeta) > 1e150 ? 0.5 / zeta : copysign(1.0, zeta) / (fabs(zeta) + sqrt(1 + zeta * zeta));
                double c = 1 / sqrt(1 + t * t), s = c * t;
                for (int64_t i = 0; i < len; i++) {
                    double a = wp[i], b = wq[i];
                    wp[i] = c * a - s * b;
                    wq[i] = s * a + c * b;
                }
                nrm2[p] = fmax(alpha - t * gamma, 0.0);
                nrm2[q] = beta + t * gamma;
                double *vp = V + p * cols, *vq = V + q * cols;
                for (int64_t i = 0; i < cols; i++) {
                    double a = vp[i], b = vq[i];
                    vp[i] = c * a - s * b;
                    vq[i] = s * a + c * b;
                }
            }
        }
        if (!rotated) break;
    }
}

/* Fill the columns r of Q (column-major, columns of length len) with
 * missing[r] set so that all `want` columns are orthonormal: Gram-Schmidt
 * (twice) of a unit vector e_t. The squared residuals of all e_t sum to
 * the number of directions still free, so the first e_t whose squared
 * residual reaches half their mean is taken (the best one otherwise). */
static void complete_basis(double *Q, int64_t len, int64_t want, bool *missing, double *tmp) {
    int64_t nvalid = 0;
    for (int64_t r = 0; r < want; r++) nvalid += !missing[r];
    for (int64_t r = 0; r < want; r++) {
        if (!missing[r]) continue;
        double best = -1, enough = 0.5 * (double)(len - nvalid) / (double)len;
        for (int64_t e = 0; e < len && (best < 0 || best * best < enough); e++) {
            for (int64_t i = 0; i < len; i++) tmp[i] = i == e;
            for (int pass = 0; pass < 2; pass++)
                for (int64_t c = 0; c < want; c++) {
                    if (missing[c]) continue;
                    double dot = 0;
                    for (int64_t i = 0; i < len; i++) dot += Q[c * len + i] * tmp[i];
                    for (int64_t i = 0; i < len; i++) tmp[i] -= dot * Q[c * len + i];
                }
            double nrm = 0;
            for (int64_t i = 0; i < len; i++) nrm += tmp[i] * tmp[i];
            nrm = sqrt(nrm);
            if (nrm > best) {
                best = nrm;
                for (int64_t i = 0; i < len; i++) Q[r * len + i] = tmp[i] / nrm;
            }
        }
        missing[r] = false;
        nvalid++;
    }
}

/* SVD of one row-major m x n matrix a: S (k), U (m x ucols, row-major),
 * Vh (vrows x n, row-major), k = min(m, n), ucols/vrows = m/n when full,
 * else k. Singular values descending (ties in column order). work: see
 * svd_work_size. */
static size_t svd_work_size(int64_t m, int64_t n) {
    int64_t len = m > n ? m : n, k = m < n ? m : n;
    return (size_t)(len * len + len * k + k * k + len + k) * sizeof(double) + (size_t)k * sizeof(int64_t) +
           (size_t)len;
}

static void svd_one(const double *a, int64_t m, int64_t n, bool full, double *S, double *U, double *Vh, void *work) {
    bool tall = m >= n;
    int64_t len = tall ? m : n, k = tall ? n : m;
    double *W = work, *Wc = W + len * len, *V = Wc + len * k, *tmp = V + k * k, *sv = tmp + len;
    int64_t *ord = (int64_t *)(sv + k);
    bool *miss = (bool *)(ord + k);
    /* W: the k columns of A (tall) or of A^T (wide), scaled by a power of
     * two so that the largest |entry| is in [0.5, 1) (no overflow of the
     * sums of squares; exact) */
    double amax = 0;
    for (int64_t i = 0; i < m * n; i++) amax = fmax(amax, fabs(a[i]));
    int ex = 0;
    if (amax > 0) frexp(amax, &ex);
    for (int64_t j = 0; j < k; j++)
        for (int64_t i = 0; i < len; i++) W[j * len + i] = ldexp(tall ? a[i * n + j] : a[j * n + i], -ex);
    for (int64_t i = 0; i < k * k; i++) V[i] = 0;
    for (int64_t i = 0; i < k; i++) V[i * k + i] = 1;
    jacobi_sweeps(W, len, k, V, tmp);
    for (int64_t j = 0; j < k; j++) {
        double s = 0;
        for (int64_t i = 0; i < len; i++) s += W[j * len + i] * W[j * len + i];
        sv[j] = sqrt(s);
        ord[j] = j;
    }
    /* stable insertion sort, descending */
    for (int64_t i = 1; i < k; i++) {
        int64_t o = ord[i], j = i;
        while (j > 0 && sv[ord[j - 1]] < sv[o]) ord[j] = ord[j - 1], j--;
        ord[j] = o;
    }
    /* the normalized left vectors in sorted order: L (len x want, column-major) */
    int64_t want = full ? len : k;
    double *L = W;
    memcpy(Wc, W, (size_t)(len * k) * sizeof(double));
    for (int64_t r = 0; r < want; r++) {
        miss[r] = r >= k || sv[ord[r]] == 0;
        if (!miss[r])
            for (int64_t i = 0; i < len; i++) L[r * len + i] = Wc[ord[r] * len + i] / sv[ord[r]];
    }
    complete_basis(L, len, want, miss, tmp);
    for (int64_t r = 0; r < k; r++) S[r] = ldexp(sv[ord[r]], ex);
    /* tall: U = L (m x want), Vh rows = V columns; wide: U = V columns
     * (m x k), Vh rows = L columns (want x n) */
    if (tall) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t r = 0; r < want; r++) U[i * want + r] = L[r * len + i];
        for (int64_t r = 0; r < k; r++)
            for (int64_t j = 0; j < n; j++) Vh[r * n + j] = V[ord[r] * k + j];
    } else {
        for (int64_t i = 0; i < m; i++)
            for (int64_t r = 0; r < k; r++) U[i * k + r] = V[ord[r] * k + i];
        for (int64_t r = 0; r < want; r++)
            for (int64_t j = 0; j < n; j++) Vh[r * n + j] = L[r * len + j];
    }
}

/* true when g stands for an undefined gradient: the engine's zeros (no
 * history, all zero) */
static bool undefined_grad(const ct_tensor *g) {
    if (ct_requires_grad(g)) return false;
    ct_tensor *d = ct__to_dtype_copy(g, CT_FLOAT64);
    if (!d) return false;
    const double *p = (const double *)ct__data(d);
    bool zero = true;
    for (int64_t i = 0, nel = ct__numel(d); i < nel && zero; i++) zero = p[i] == 0;
    ct_free(d);
    return zero;
}

/* LinalgSvdBackward0: PyTorch 1.13's svd_backward (real case), written with
 * public ops. saved: U (0), S (1), Vh (2), all outputs of this node.
 * ints[0]: full_matrices. Gradients that are the engine's zeros count as
 * undefined, as PyTorch's (so svdvals takes the U diag(gS) Vh shortcut). */
static int svd_backward(ct_node *nd, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *t[48] = {0};
    int nt = 0;
#define T(e) (t[nt++] = (e))
    ct_tensor *U = T(ct__unpack(nd, 0)), *S = T(ct__unpack(nd, 1)), *Vh = T(ct__unpack(nd, 2));
    ct_tensor *gU = g[0], *gS = g[1], *gVh = g[2], *gA = NULL;
    bool dU = !undefined_grad(gU), dS = !undefined_grad(gS), dV = !undefined_grad(gVh);
    int rc = CT_ERROR;
    if (!U || !S || !Vh) goto done;
    int64_t m = U->sizes[U->ndim - 2], n = Vh->sizes[Vh->ndim - 1], k = S->sizes[S->ndim - 1];
    if (!dU && !dS && !dV) {
        rc = CT_OK; /* no gradient */
        goto done;
    }
    if (nd->ints[0]) {
        U = T(ct_narrow(U, -1, 0, k));
        Vh = T(ct_narrow(Vh, -2, 0, k));
        gU = T(ct_narrow(gU, -1, 0, k));
        gVh = T(ct_narrow(gVh, -2, 0, k));
        if (!U || !Vh || !gU || !gVh) goto done;
    }
    ct_tensor *Sr = T(ct_unsqueeze(S, -2)), *Sc = T(ct_unsqueeze(S, -1));
    if (!Sr || !Sc) goto done;
    if (!dU && !dV) {
        /* svdvals: gA = U diag(gS) Vh */
        if (m >= n) {
            ct_tensor *gc = T(ct_unsqueeze(gS, -1)), *p = gc ? T(ct_mul(gc, Vh)) : NULL;
            gA = p ? ct_matmul(U, p) : NULL;
        } else {
            ct_tensor *gr = T(ct_unsqueeze(gS, -2)), *p = gr ? T(ct_mul(U, gr)) : NULL;
            gA = p ? ct_matmul(p, Vh) : NULL;
        }
        rc = gA ? CT_OK : CT_ERROR;
        goto done;
    }
    ct_tensor *Ut = T(ct_transpose(U, -2, -1)), *V = T(ct_transpose(Vh, -2, -1));
    if (!Ut || !V) goto done;
    ct_tensor *UhgU = NULL, *VhgV = NULL;
    if (dU) {
        ct_tensor *a = T(ct_matmul(Ut, gU)), *at = a ? T(ct_transpose(a, -2, -1)) : NULL;
        if (!(UhgU = at ? T(ct_sub(a, at)) : NULL)) goto done;
    }
    if (dV) {
        ct_tensor *gV = T(ct_transpose(gVh, -2, -1)), *a = gV ? T(ct_matmul(Vh, gV)) : NULL;
        ct_tensor *at = a ? T(ct_transpose(a, -2, -1)) : NULL;
        if (!(VhgV = at ? T(ct_sub(a, at)) : NULL)) goto done;
    }
    /* E = S2.unsqueeze(-2) - S2.unsqueeze(-1) with ones on the diagonal */
    ct_tensor *S2 = T(ct_mul(S, S));
    ct_tensor *S2r = S2 ? T(ct_unsqueeze(S2, -2)) : NULL, *S2c = S2 ? T(ct_unsqueeze(S2, -1)) : NULL;
    ct_tensor *E0 = S2r && S2c ? T(ct_sub(S2r, S2c)) : NULL;
    ct_tensor *I = T(ct_eye(k, k, CT_OPTS(.dtype = S->dtype)));
    ct_tensor *E = E0 && I ? T(ct_add(E0, I)) : NULL;
    if (!E) goto done;
    ct_tensor *ret = NULL;
    if (dU && dV) {
        ct_tensor *a = T(ct_mul(UhgU, Sr)), *b = T(ct_mul(Sc, VhgV)), *c = a && b ? T(ct_add(a, b)) : NULL;
        ret = c ? T(ct_div(c, E)) : NULL;
    } else if (dU) {
        ct_tensor *a = T(ct_div(UhgU, E));
        ret = a ? T(ct_mul(a, Sr)) : NULL;
    } else {
        ct_tensor *a = T(ct_div(VhgV, E));
        ret = a ? T(ct_mul(Sc, a)) : NULL;
    }
    if (ret && dS) {
        ct_tensor *de = T(ct_diag_embed(gS, 0, -2, -1));
        ret = de ? T(ct_add(ret, de)) : NULL;
    }
    if (!ret) goto done;
    if (m > n && dU) {
        /* gA = [U gA + (I_m - U U^H) gU S^-1] V^H */
        ct_tensor *a = T(ct_matmul(U, ret)), *gUS = T(ct_div(gU, Sr));
        ct_tensor *b = gUS ? T(ct_matmul(Ut, gUS)) : NULL, *c = b ? T(ct_matmul(U, b)) : NULL;
        ct_tensor *s1 = a && gUS ? T(ct_add(a, gUS)) : NULL, *s2 = s1 && c ? T(ct_sub(s1, c)) : NULL;
        gA = s2 ? ct_matmul(s2, Vh) : NULL;
    } else if (m < n && dV) {
        /* gA = U [gA V^H + S^-1 gVh (I_n - V V^H)] */
        ct_tensor *a = T(ct_matmul(ret, Vh)), *SgV = T(ct_div(gVh, Sc));
        ct_tensor *b = SgV ? T(ct_matmul(SgV, V)) : NULL, *c = b ? T(ct_matmul(b, Vh)) : NULL;
        ct_tensor *s1 = a && SgV ? T(ct_add(a, SgV)) : NULL, *s2 = s1 && c ? T(ct_sub(s1, c)) : NULL;
        gA = s2 ? ct_matmul(U, s2) : NULL;
    } else if (m >= n) {
        ct_tensor *a = T(ct_matmul(ret, Vh));
        gA = a ? ct_matmul(U, a) : NULL;
    } else {
        ct_tensor *a = T(ct_matmul(U, ret));
        gA = a ? ct_matmul(a, Vh) : NULL;
    }
    rc = gA ? CT_OK : CT_ERROR;
done:
#undef T
    ct__free_all(nt, t);
    out[0] = gA;
    return rc;
}

/* The batch of svd_impl, split over threads (each chunk has its own work). */
typedef struct svd_ctx {
    const double *a;
    double *pu, *ps, *pv;
    int64_t m, n, k, uc, vr;
    bool full, inf;
    atomic_int failed;
} svd_ctx;

static void svd_chunk(int64_t begin, int64_t end, void *vctx) {
    svd_ctx *c = vctx;
    int64_t m = c->m, n = c->n, k = c->k, uc = c->uc, vr = c->vr;
    void *work = c->inf ? NULL : malloc(svd_work_size(m, n) + 64);
    if (!c->inf && !work) {
        atomic_store(&c->failed, 1);
        return;
    }
    for (int64_t b = begin; b < end; b++) {
        double *ub = c->pu + b * m * uc, *sb = c->ps + b * k, *vb = c->pv + b * vr * n;
        for (int64_t i = 0; i < m * uc; i++) ub[i] = NAN;
        for (int64_t i = 0; i < k; i++) sb[i] = NAN;
        for (int64_t i = 0; i < vr * n; i++) vb[i] = NAN;
        /* an infinite entry gives NaN everywhere, as LAPACK does */
        if (!c->inf) svd_one(c->a + b * m * n, m, n, c->full, sb, ub, vb, work);
    }
    free(work);
}

/* The forward shared by svd and svdvals: checks, the batched Jacobi SVD in
 * double, outputs of x's dtype, the LinalgSvdBackward0 node (three outputs)
 * when x requires grad. */
static int svd_impl(const ct_tensor *x, bool full, ct_tensor **Uo, ct_tensor **So, ct_tensor **Vho) {
    *Uo = *So = *Vho = NULL;
    if (x->ndim < 2) {
        ct__error("linalg.svd: The input tensor A must have at least 2 dimensions.");
        return CT_ERROR;
    }
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("linalg.svd: Expected a floating point or complex tensor as input. Got %s",
                  ct__traits(x->dtype)->scalar_name);
        return CT_ERROR;
    }
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        ct__error("\"linalg_svd_cpu\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return CT_ERROR;
    }
    int nd = x->ndim;
    int64_t m = x->sizes[nd - 2], n = x->sizes[nd - 1], k = m < n ? m : n;
    int64_t uc = full ? m : k, vr = full ? n : k, batch = 1;
    for (int i = 0; i < nd - 2; i++) batch *= x->sizes[i];
    int64_t sz[CT_MAX_DIMS];
    memcpy(sz, x->sizes, (size_t)nd * sizeof *sz);
    ct_tensor *xd = ct__to_dtype_copy(x, CT_FLOAT64);
    if (!xd) return CT_ERROR;
    const double *a = (const double *)ct__data(xd);
    bool nan = false, inf = false;
    for (int64_t i = 0, nel = ct__numel(xd); i < nel; i++) nan |= isnan(a[i]), inf |= isinf(a[i]);
    if (nan) {
        ct_free(xd);
        ct__error("linalg.svd: The algorithm failed to converge because the input matrix contained non-finite "
                  "values.");
        return CT_ERROR;
    }
    sz[nd - 1] = uc;
    ct_tensor *U = ct__empty(CT_FLOAT64, nd, sz);
    sz[nd - 2] = vr, sz[nd - 1] = n;
    ct_tensor *Vh = ct__empty(CT_FLOAT64, nd, sz);
    sz[nd - 2] = k;
    ct_tensor *S = ct__empty(CT_FLOAT64, nd - 1, sz);
    svd_ctx ctx = {a, U ? (double *)ct__data(U) : NULL, S ? (double *)ct__data(S) : NULL,
                   Vh ? (double *)ct__data(Vh) : NULL, m, n, k, uc, vr, full, inf, 0};
    int rc = U && Vh && S ? CT_OK : CT_ERROR;
    if (rc == CT_OK && batch > 0) {
        int64_t cost = m * n * (k + 1) + 1;
        ct_parallel_for(0, batch, cost >= 4096 ? 1 : 4096 / cost, svd_chunk, &ctx);
        if (atomic_load(&ctx.failed)) {
            ct__error("linalg.svd: out of memory");
            rc = CT_ERROR;
        }
    }
    ct_free(xd);
    if (rc == CT_OK && x->dtype != CT_FLOAT64) {
        ct_tensor *t3[3] = {U, S, Vh};
        for (int i = 0; i < 3; i++) {
            ct_tensor *c = ct__to_dtype_copy(t3[i], x->dtype);
            ct_free(t3[i]);
            t3[i] = c;
            if (!c) rc = CT_ERROR;
        }
        U = t3[0], S = t3[1], Vh = t3[2];
    }
    const ct_tensor *in[1] = {x};
    if (rc == CT_OK && ct__any_requires_grad(1, in)) {
        ct_node *node = ct__record("LinalgSvdBackward0", svd_backward, U, 1, in);
        if (!node || ct__record_output(node, S, 1) != CT_OK || ct__record_output(node, Vh, 2) != CT_OK ||
            ct__save(node, 0, U, true, 0) != CT_OK || ct__save(node, 1, S, true, 1) != CT_OK ||
            ct__save(node, 2, Vh, true, 2) != CT_OK)
            rc = CT_ERROR;
        else
            node->ints[0] = full;
    }
    if (rc != CT_OK) {
        ct_free(U);
        ct_free(S);
        ct_free(Vh);
        return CT_ERROR;
    }
    *Uo = U, *So = S, *Vho = Vh;
    return CT_OK;
}

int ct_linalg_svd(const ct_tensor *x, bool full_matrices, ct_tensor **U, ct_tensor **S, ct_tensor **Vh) {
    if (!x || !U || !S || !Vh) return CT_ERROR;
    return svd_impl(x, full_matrices, U, S, Vh);
}

ct_tensor *ct_linalg_svdvals(const ct_tensor *x) {
    if (!x) return NULL;
    ct_tensor *U, *S, *Vh;
    if (svd_impl(x, false, &U, &S, &Vh) != CT_OK) return NULL;
    ct_free(U);
    ct_free(Vh);
    return S;
}
