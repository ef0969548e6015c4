/* Advanced indexing: x[i0, i1, ...] with integer / bool index tensors
 * (NULL = ':') and its assignment index_put. As ATen's
 * TensorAdvancedIndexing.cpp: masks expand to their nonzero() columns,
 * index tensors broadcast together, the indexed subspace stays in place
 * when the indexed dims are adjacent and moves to the front otherwise. */
#include <stdio.h>
#include <string.h>

#include "ops/index_internal.h"

/* The canonical form: m indexed dims of x (ascending), and their int64
 * indices broadcast together and packed as one [m, B...] tensor. */
typedef struct adv {
    int m;
    int dims[CT_MAX_DIMS];
    ct_tensor *packed;
} adv;

static int canonicalize(const ct_tensor *x, int n, const ct_tensor *const *indices, adv *a) {
    memset(a, 0, sizeof *a);
    int used = 0;
    for (int i = 0; i < n; i++)
        used += indices[i] ? (indices[i]->dtype == CT_BOOL || indices[i]->dtype == CT_UINT8 ? indices[i]->ndim : 1) : 1;
    if (used > x->ndim) {
        ct__error("too many indices for tensor of dimension %d (got %d)", x->ndim, used);
        return CT_ERROR;
    }
    ct_tensor *cols[CT_MAX_DIMS] = {0};
    int rc = CT_OK, pos = 0, m = 0;
    for (int i = 0; i < n && rc == CT_OK; i++) {
        const ct_tensor *t = indices[i];
        if (!t) {
            pos++;
            continue;
        }
        if (t->dtype != CT_INT64 && t->dtype != CT_BOOL && t->dtype != CT_UINT8) {
            ct__error("tensors used as indices must be long, byte or bool tensors");
            rc = CT_ERROR;
            break;
        }
        if (t->dtype == CT_INT64) {
            a->dims[m] = pos++;
            cols[m++] = ct__retain(t);
            continue;
        }
        if (t->ndim == 0) {
            ct__error("ctorch: a 0-dim boolean index is not supported");
            rc = CT_ERROR;
            break;
        }
        for (int j = 0; j < t->ndim; j++) {
            if (t->sizes[j] != x->sizes[pos + j]) {
                char s1[256], s2[256];
                ct__error("The shape of the mask %s at index %d does not match the shape of the indexed tensor %s at "
                          "index %d",
                          ct__format_shape(s1, sizeof s1, t->ndim, t->sizes), j,
                          ct__format_shape(s2, sizeof s2, x->ndim, x->sizes), pos + j);
                rc = CT_ERROR;
                break;
            }
        }
        ct_tensor *nz = rc == CT_OK ? ct_nonzero(t) : NULL;
        if (rc == CT_OK && !nz) rc = CT_ERROR;
        for (int j = 0; rc == CT_OK && j < t->ndim; j++) {
            a->dims[m] = pos + j;
            if (!(cols[m++] = ct__select(nz, 1, j))) rc = CT_ERROR;
        }
        pos += t->ndim;
        ct_free(nz);
    }
    a->m = m;
    int64_t b[CT_MAX_DIMS];
    int bn = 0;
    for (int k = 0; rc == CT_OK && k < m; k++) {
        int r = ct_broadcast_shapes(bn, b, cols[k]->ndim, cols[k]->sizes, b);
        if (r < 0 || r > CT_MAX_DIMS - 1) {
            char msg[1024] = "", s[256];
            for (int j = 0; j < m; j++) {
                if (j) strncat(msg, ", ", sizeof msg - strlen(msg) - 1);
                strncat(msg, ct__format_shape(s, sizeof s, cols[j]->ndim, cols[j]->sizes),
                        sizeof msg - strlen(msg) - 1);
            }
            ct__error("shape mismatch: indexing tensors could not be broadcast together with shapes %s", msg);
            rc = CT_ERROR;
        }
        bn = r;
    }
    if (rc == CT_OK && m > 0) {
        int64_t ps[CT_MAX_DIMS];
        ps[0] = m;
        memcpy(ps + 1, b, (size_t)bn * sizeof *b);
        a->packed = ct__empty(CT_INT64, bn + 1, ps);
        for (int k = 0; a->packed && k < m && rc == CT_OK; k++) {
            ct_tensor *dst = ct__select(a->packed, 0, k);
            ct_tensor *src = dst ? ct__expand(cols[k], bn, b) : NULL;
            if (!src || ct__copy_(dst, src) != CT_OK) rc = CT_ERROR;
            ct_free(dst);
            ct_free(src);
        }
        if (!a->packed) rc = CT_ERROR;
    }
    for (int k = 0; k < m; k++)
        ct_free(cols[k]);
    if (rc != CT_OK) {
        ct_free(a->packed);
        a->packed = NULL;
    }
    return rc;
}

/* The geometry of x[a]: x's view xp (indexed dims moved to the front when
 * not adjacent), start s of the indexed block, the result shape and the
 * element offsets of each broadcast position (int64 of shape B). */
typedef struct plan {
    ct_tensor *xp, *offsets;
    int s, ndim;
    int64_t sizes[CT_MAX_DIMS];
} plan;

static void plan_free(plan *p) {
    ct_free(p->xp);
    ct_free(p->offsets);
}

static int make_plan(const ct_tensor *x, const adv *a, plan *p) {
    memset(p, 0, sizeof *p);
    bool adjacent = true;
    for (int k = 1; k < a->m; k++)
        adjacent &= a->dims[k] == a->dims[k - 1] + 1;
    if (adjacent) {
        p->xp = ct__retain(x);
        p->s = a->dims[0];
    } else {
        int64_t perm[CT_MAX_DIMS];
        int q = 0;
        bool is_idx[CT_MAX_DIMS] = {0};
        for (int k = 0; k < a->m; k++)
            perm[q++] = a->dims[k], is_idx[a->dims[k]] = true;
        for (int d = 0; d < x->ndim; d++)
            if (!is_idx[d]) perm[q++] = d;
        p->xp = ct__permute(x, x->ndim, perm);
        p->s = 0;
    }
    if (!p->xp) return CT_ERROR;
    const ct_tensor *pk = a->packed;
    int bn = pk->ndim - 1, m = a->m, s = p->s;
    p->ndim = s + bn + (p->xp->ndim - s - m);
    if (p->ndim > CT_MAX_DIMS) {
        ct__error("ctorch: the indexing result has more than %d dimensions", CT_MAX_DIMS);
        return CT_ERROR;
    }
    memcpy(p->sizes, p->xp->sizes, (size_t)s * sizeof(int64_t));
    memcpy(p->sizes + s, pk->sizes + 1, (size_t)bn * sizeof(int64_t));
    memcpy(p->sizes + s + bn, p->xp->sizes + s + m, (size_t)(p->xp->ndim - s - m) * sizeof(int64_t));
    p->offsets = ct__empty(CT_INT64, bn, pk->sizes + 1);
    if (!p->offsets) return CT_ERROR;
    int64_t nb = ct__numel(p->offsets);
    const int64_t *iv = (const int64_t *)ct__data(pk);
    int64_t *off = (int64_t *)ct__data(p->offsets);
    bool check = ct__shape_numel(p->ndim, p->sizes) > 0;
    for (int64_t b = 0; b < nb; b++) {
        int64_t o = 0;
        for (int k = 0; k < m; k++) {
            int64_t size = p->xp->sizes[s + k], v = iv[k * nb + b];
            if (check && (v < -size || v >= size)) {
                ct__error("index %lld is out of bounds for dimension %d with size %lld", (long long)v, k,
                          (long long)size);
                return CT_ERROR;
            }
            if (v < 0) v += size;
            o += v * p->xp->strides[s + k];
        }
        off[b] = o;
    }
    return CT_OK;
}

/* kernel geometry over the result shape: the indexed side is xp (its
 * strides with 0 over B), the other side `other` with `ost` strides */
static void plan_geom(const plan *p, const adv *a, ct__index_geom *g) {
    int bn = a->packed->ndim - 1, s = p->s, m = a->m;
    g->ndim = p->ndim;
    memcpy(g->sizes, p->sizes, sizeof g->sizes);
    int64_t xs[CT_MAX_DIMS] = {0}, is[CT_MAX_DIMS] = {0};
    for (int d = 0; d < s; d++)
        xs[d] = p->xp->strides[d];
    for (int d = s + m; d < p->xp->ndim; d++)
        xs[d - m + bn] = p->xp->strides[d];
    for (int d = 0; d < bn; d++)
        is[s + d] = p->offsets->strides[d];
    g->idx = ct__data(p->offsets);
    g->idx_dtype = CT_INT64;
    memcpy(g->idx_st, is, sizeof is);
    g->dim_size = -1;
    g->dim_stride = 1;
    g->alpha = 1.0;
    if (g->index_dst) {
        g->dst = ct__data(p->xp);
        memcpy(g->dst_st, xs, sizeof xs);
    } else {
        g->src = ct__data(p->xp);
        memcpy(g->src_st, xs, sizeof xs);
    }
}

static ct_tensor *index_canon(const ct_tensor *x, const adv *a);
static ct_tensor *index_put_canon(const ct_tensor *x, const adv *a, const ct_tensor *values, bool accumulate);

/* saved[0] = packed; ints[0] = m, ints[1..m] = dims; ndim_arg/shape_arg = x's shape */
static void keep_adv(ct_node *n, const adv *a, const ct_tensor *x) {
    n->ints[0] = a->m;
    for (int k = 0; k < a->m; k++)
        n->ints[1 + k] = a->dims[k];
    n->ndim_arg = x->ndim;
    memcpy(n->shape_arg, x->sizes, sizeof n->shape_arg);
}

static int unpack_adv(ct_node *n, adv *a) {
    memset(a, 0, sizeof *a);
    a->m = (int)n->ints[0];
    for (int k = 0; k < a->m; k++)
        a->dims[k] = (int)n->ints[1 + k];
    a->packed = ct__unpack(n, 0);
    return a->packed ? CT_OK : CT_ERROR;
}

/* IndexBackward0: zeros(x).index_put_(indices, grad, accumulate=True) */
static int index_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    adv a;
    if (unpack_adv(n, &a) != CT_OK) return CT_ERROR;
    ct_tensor *z = ct__index_zeros(g[0]->dtype, n->ndim_arg, n->shape_arg);
    out[0] = z ? index_put_canon(z, &a, g[0], true) : NULL;
    ct_free(z);
    ct_free(a.packed);
    return out[0] ? CT_OK : CT_ERROR;
}

/* IndexPutBackward0: self: accumulate ? grad : grad.index_put(indices, 0);
 * values: grad[indices] summed to values' shape (shape_arg2, offset_arg ndim) */
static int index_put_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    adv a;
    if (unpack_adv(n, &a) != CT_OK) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn) {
        if (n->scalars[0] != 0) {
            out[0] = ct__retain(g[0]);
        } else {
            ct_tensor *z = ct_scalar_tensor(0.0, CT_OPTS(.dtype = g[0]->dtype));
            out[0] = z ? index_put_canon(g[0], &a, z, false) : NULL;
            ct_free(z);
        }
        if (!out[0]) rc = CT_ERROR;
    }
    if (rc == CT_OK && n->next[1].fn) {
        ct_tensor *r = index_canon(g[0], &a);
        out[1] = r ? ct__sum_to(r, (int)n->offset_arg, n->shape_arg2) : NULL;
        ct_free(r);
        if (!out[1]) rc = CT_ERROR;
    }
    ct_free(a.packed);
    return rc;
}

static ct_tensor *index_canon(const ct_tensor *x, const adv *a) {
    plan p;
    ct_tensor *out = NULL;
    if (make_plan(x, a, &p) == CT_OK && (out = ct__empty(x->dtype, p.ndim, p.sizes))) {
        ct__index_geom g = {.dtype = x->dtype, .index_dst = false};
        plan_geom(&p, a, &g);
        g.dst = ct__data(out);
        memcpy(g.dst_st, out->strides, sizeof g.dst_st);
        int64_t bad;
        if (ct__index_kernel(&g, CT__SC_COPY, &bad) != CT_OK) ct_free(out), out = NULL;
    }
    plan_free(&p);
    if (!out) return NULL;
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("IndexBackward0", index_backward, out, 1, in);
        if (!n || ct__save(n, 0, a->packed, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_adv(n, a, x);
    }
    return out;
}

static ct_tensor *index_put_canon(const ct_tensor *x, const adv *a, const ct_tensor *values, bool accumulate) {
    if (values->dtype != x->dtype) {
        ct__error("Index put requires the source and destination dtypes match, got %s for the destination and %s for "
                  "the source.",
                  ct__traits(x->dtype)->scalar_name, ct__traits(values->dtype)->scalar_name);
        return NULL;
    }
    ct_tensor *out = ct__clone(x);
    if (!out) return NULL;
    plan p;
    int rc = make_plan(out, a, &p);
    ct_tensor *v = NULL;
    if (rc == CT_OK) {
        int64_t vst[CT_MAX_DIMS];
        if (ct__broadcast_strides(values, p.ndim, p.sizes, vst) != CT_OK) {
            char s1[256], s2[256];
            ct_clear_error();
            ct__error("shape mismatch: value tensor of shape %s cannot be broadcast to indexing result of shape %s",
                      ct__format_shape(s1, sizeof s1, values->ndim, values->sizes),
                      ct__format_shape(s2, sizeof s2, p.ndim, p.sizes));
            rc = CT_ERROR;
        } else {
            ct__index_geom g = {.dtype = x->dtype, .index_dst = true};
            plan_geom(&p, a, &g);
            g.src = ct__data(values);
            memcpy(g.src_st, vst, sizeof vst);
            int64_t bad;
            rc = ct__index_kernel(&g, accumulate ? CT__SC_ADD : CT__SC_COPY, &bad);
        }
    }
    plan_free(&p);
    ct_free(v);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[2] = {x, values};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record("IndexPutBackward0", index_put_backward, out, 2, in);
        if (!n || ct__save(n, 0, a->packed, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_adv(n, a, x);
        n->scalars[0] = accumulate;
        n->offset_arg = values->ndim;
        memcpy(n->shape_arg2, values->sizes, sizeof n->shape_arg2);
    }
    return out;
}

ct_tensor *ct_index(const ct_tensor *x, int n, const ct_tensor *const *indices) {
    if (!x || (n > 0 && !indices) || n < 0) return NULL;
    adv a;
    if (canonicalize(x, n, indices, &a) != CT_OK) return NULL;
    ct_tensor *out = a.m ? index_canon(x, &a) : ct_view(x, x->ndim, x->sizes);
    ct_free(a.packed);
    return out;
}

ct_tensor *ct_index_put(const ct_tensor *x, int n, const ct_tensor *const *indices, const ct_tensor *values,
                        bool accumulate) {
    if (!x || !values || (n > 0 && !indices) || n < 0) return NULL;
    adv a;
    if (canonicalize(x, n, indices, &a) != CT_OK) return NULL;
    ct_tensor *out = NULL;
    if (a.m) {
        out = index_put_canon(x, &a, values, accumulate);
    } else {
        /* no index tensor: x[:] = values through an arange index on dim 0 */
        ct_tensor *r = x->ndim ? ct_arange(0, x->sizes[0], 1, CT_OPTS(.dtype = CT_INT64)) : NULL;
        const ct_tensor *idx[1] = {r};
        if (r && canonicalize(x, 1, idx, &a) == CT_OK) out = index_put_canon(x, &a, values, accumulate);
        if (!x->ndim) ct__error("ctorch: index_put without an index tensor on a 0-dim tensor is not supported");
        ct_free(r);
    }
    ct_free(a.packed);
    return out;
}

int ct_index_put_(ct_tensor *x, int n, const ct_tensor *const *indices, const ct_tensor *values, bool accumulate) {
    if (!x || !values) return CT_ERROR;
    if (ct__check_inplace(x) != CT_OK) return CT_ERROR;
    return ct__write_back(x, ct_index_put(x, n, indices, values, accumulate));
}
