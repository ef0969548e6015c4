/* Linear algebra beyond products: trace, diag, diag_embed, cross /
 * linalg.cross, linalg.vector_norm, linalg.matrix_norm ('fro'),
 * linalg.norm. Backward formulas follow PyTorch 1.13's derivatives.yaml,
 * written with public ops (abs as x * sign(x), masks as constants). */
#include <inttypes.h>
#include <math.h>
#include <string.h>

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

static bool matrix_norm_checks(const ct_tensor *x, int dim0, int dim1, int *d0, int *d1) {
    if (x->ndim < 2) {
        ct__error("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.");
        return false;
    }
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("linalg.matrix_norm: Expected a floating point or complex tensor as input. Got %s",
                  ct__traits(x->dtype)->scalar_name);
        return false;
    }
    *d0 = ct__wrap_dim(dim0, x->ndim);
    *d1 = *d0 < 0 ? -1 : ct__wrap_dim(dim1, x->ndim);
    if (*d0 < 0 || *d1 < 0) return false;
    if (*d0 == *d1) {
        ct__error("linalg.matrix_norm: dims must be different. Got (%d, %d)", dim0, dim1);
        return false;
    }
    return true;
}

ct_tensor *ct_linalg_matrix_norm_str(const ct_tensor *x, const char *ord, int dim0, int dim1, bool keepdim) {
    if (!x) return NULL;
    const char *o = ord ? ord : "fro";
    if (strcmp(o, "fro") && strcmp(o, "nuc")) {
        ct__error("linalg.matrix_norm: Order %s not supported.", o);
        return NULL;
    }
    int d0, d1;
    if (!matrix_norm_checks(x, dim0, dim1, &d0, &d1)) return NULL;
    if (!strcmp(o, "nuc")) {
        ct__error("linalg.matrix_norm: ord='nuc' needs an SVD, which ctorch does not have yet");
        return NULL;
    }
    return ct_linalg_vector_norm(x, 2.0, 2, (const int64_t[]){d0, d1}, keepdim);
}

ct_tensor *ct_linalg_matrix_norm(const ct_tensor *x, double ord, int dim0, int dim1, bool keepdim) {
    if (!x) return NULL;
    if (!(ord == 1 || ord == -1 || ord == 2 || ord == -2 || isinf(ord))) {
        ct__error("linalg.matrix_norm: Order %g not supported.", ord);
        return NULL;
    }
    int d0, d1;
    (void)keepdim;
    if (!matrix_norm_checks(x, dim0, dim1, &d0, &d1)) return NULL;
    ct__error("linalg.matrix_norm: ord=%g is not implemented in ctorch yet (ord 2/-2 need an SVD, 1/-1/inf/-inf "
              "need amax/amin)",
              ord);
    return NULL;
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
