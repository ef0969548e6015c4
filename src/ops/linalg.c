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
