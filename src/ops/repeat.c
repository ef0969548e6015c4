/* Repeating: repeat, tile, repeat_interleave (with the index_select /
 * index_add pair it is built on in PyTorch). Backward formulas as in
 * tools/autograd/derivatives.yaml (PyTorch 1.13): repeat sums the gradient
 * over the tiled blocks (repeat_backward); repeat_interleave is
 * index_select(input, dim, repeat_interleave(repeats)), whose gradient is
 * index_add into zeros (and index_add's is index_select again). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops/join_internal.h"

/* ---- repeat / tile ---- */

/* x repeated (nrep >= x->ndim, checked), no history. The result viewed
 * as (r0, s0, r1, s1, ...) — size-1 repeats left out — is contiguous; x
 * broadcasts into it with stride 0 on the repeat dims. */
static ct_tensor *repeat_raw(const ct_tensor *x, int nrep, const int64_t *reps) {
    int lead = nrep - x->ndim;
    int64_t target[CT_MAX_DIMS];
    int n_split = 0;
    for (int i = 0; i < nrep; i++) {
        int64_t s = i < lead ? 1 : x->sizes[i - lead];
        target[i] = s * reps[i];
        if (reps[i] != 1) n_split++;
    }
    if (nrep + n_split > CT_MAX_DIMS) {
        /* too many dims for one interleaved view: repeat in two rounds */
        int64_t first[CT_MAX_DIMS], second[CT_MAX_DIMS];
        int seen = 0;
        for (int i = 0; i < nrep; i++) {
            bool early = reps[i] != 1 && seen++ < n_split / 2;
            first[i] = early ? reps[i] : 1;
            second[i] = early ? 1 : reps[i];
        }
        ct_tensor *a = repeat_raw(x, nrep, first);
        ct_tensor *b = a ? repeat_raw(a, nrep, second) : NULL;
        ct_free(a);
        return b;
    }
    ct_tensor *out = ct__empty(x->dtype, nrep, target);
    if (!out || ct__numel(out) == 0) return out;
    int64_t sizes[CT_MAX_DIMS], dst_strides[CT_MAX_DIMS], src_strides[CT_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < nrep; i++) {
        int64_t s = i < lead ? 1 : x->sizes[i - lead];
        int64_t st = i < lead ? 0 : x->strides[i - lead];
        if (reps[i] != 1) sizes[k] = reps[i], src_strides[k++] = 0;
        sizes[k] = s, src_strides[k++] = st;
    }
    ct__contiguous_strides(k, sizes, dst_strides);
    ct_tensor *dst = ct__alias(out, k, sizes, dst_strides, out->offset);
    ct_tensor *src = dst ? ct__alias(x, k, sizes, src_strides, x->offset) : NULL;
    int rc = src ? ct__copy_(dst, src) : CT_ERROR;
    ct_free(dst);
    ct_free(src);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* RepeatBackward0 (repeat_backward): ints[0] = nrep, ints[1..] = repeats;
 * ndim_arg / shape_arg = the input's shape. */
static int repeat_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int nrep = (int)n->ints[0], ndim = n->ndim_arg, lead = nrep - ndim;
    const int64_t *reps = n->ints + 1;
    for (int i = 0; i < nrep; i++) {
        if (reps[i] == 0) {
            out[0] = ct_zeros(ndim, n->shape_arg, CT_OPTS(.dtype = g[0]->dtype));
            return out[0] ? CT_OK : CT_ERROR;
        }
    }
    ct_tensor *grad;
    if (lead > 0) {
        int64_t dims[CT_MAX_DIMS];
        for (int i = 0; i < lead; i++) dims[i] = i;
        grad = ct_sum_dim(g[0], lead, dims, false);
    } else {
        grad = ct__retain(g[0]);
    }
    if (!grad) return CT_ERROR;
    int64_t grad_size[2 * CT_MAX_DIMS], sum_dims[CT_MAX_DIMS];
    int ng = 0, ns = 0;
    for (int d = 0; d < ndim; d++) {
        int64_t r = reps[d + lead];
        if (r != 1) {
            grad_size[ng++] = r;
            sum_dims[ns++] = ng - 1;
        }
        grad_size[ng++] = n->shape_arg[d];
    }
    if (ns == 0) {
        out[0] = grad;
        return CT_OK;
    }
    if (ng > CT_MAX_DIMS) {
        /* too many dims for one reshape: sum the repeat blocks dim by dim */
        for (int d = 0; d < ndim && grad; d++) {
            int64_t r = reps[d + lead];
            if (r == 1) continue;
            int64_t sz[CT_MAX_DIMS + 1];
            int m = 0;
            for (int e = 0; e < ndim; e++) {
                if (e == d) sz[m++] = r, sz[m++] = n->shape_arg[e];
                else sz[m++] = grad->sizes[e];
            }
            ct_tensor *v = ct_reshape(grad, m, sz);
            ct_free(grad);
            grad = v ? ct_sum_dim(v, 1, (const int64_t[]){d}, false) : NULL;
            ct_free(v);
        }
        out[0] = grad;
        return out[0] ? CT_OK : CT_ERROR;
    }
    ct_tensor *v = ct_reshape(grad, ng, grad_size);
    out[0] = v ? ct_sum_dim(v, ns, sum_dims, false) : NULL;
    ct_free(v);
    ct_free(grad);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_repeat(const ct_tensor *t, int nrepeats, const int64_t *repeats) {
    if (!t || nrepeats < 0 || (nrepeats > 0 && !repeats)) return NULL;
    if (nrepeats < t->ndim) {
        ct__error("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        return NULL;
    }
    if (nrepeats > CT_MAX_DIMS) {
        ct__error("repeat: at most %d dims (ctorch's CT_MAX_DIMS), got %d", CT_MAX_DIMS, nrepeats);
        return NULL;
    }
    ct_tensor *out = repeat_raw(t, nrepeats, repeats);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record("RepeatBackward0", repeat_backward, out, 1, &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = nrepeats;
    memcpy(n->ints + 1, repeats, (size_t)nrepeats * sizeof *repeats);
    n->ndim_arg = t->ndim;
    memcpy(n->shape_arg, t->sizes, sizeof t->sizes);
    return out;
}

ct_tensor *ct_tile(const ct_tensor *t, int nreps, const int64_t *reps) {
    if (!t || nreps < 0 || (nreps > 0 && !reps)) return NULL;
    if (nreps >= t->ndim) return ct_repeat(t, nreps, reps);
    int64_t padded[CT_MAX_DIMS];
    int lead = t->ndim - nreps;
    for (int i = 0; i < t->ndim; i++) padded[i] = i < lead ? 1 : reps[i - lead];
    return ct_repeat(t, t->ndim, padded);
}

/* ---- index_select / index_add along a dim (the pair behind
 * repeat_interleave) ---- */

/* dst += src, one element at a time (float16/bfloat16/float32 sums are
 * rounded once from the exact double sum, as a float32 add would) */
static void add_loop(char **data, const int64_t *bs, int64_t n, void *ctx) {
    const ct_dtype_traits *tr = ctx;
    for (int64_t i = 0; i < n; i++) {
        char *o = data[0] + i * bs[0];
        tr->store_double(o, tr->load_double(data[1] + i * bs[1]) + tr->load_double(data[2] + i * bs[2]));
    }
}

/* out[..., j, ...] = x[..., idx[j], ...] (add: out[..., idx[j], ...] +=
 * x[..., j, ...]) over the slices of dim d, reusing two slice handles. */
static int slices_apply(ct_tensor *out, const ct_tensor *x, int d, const int64_t *idx, int64_t n, bool add) {
    if (n == 0 || ct__numel(out) == 0 || ct__numel(x) == 0) return CT_OK;
    ct_tensor *so = ct__select(out, d, 0), *sx = ct__select(x, d, 0);
    int rc = so && sx ? CT_OK : CT_ERROR;
    int64_t o0 = so ? so->offset : 0, x0 = sx ? sx->offset : 0;
    for (int64_t j = 0; j < n && rc == CT_OK; j++) {
        so->offset = o0 + (add ? idx[j] : j) * out->strides[d];
        sx->offset = x0 + (add ? j : idx[j]) * x->strides[d];
        if (!add) {
            rc = ct__copy_(so, sx);
            continue;
        }
        ct_strided_iter it;
        const ct_tensor *ops[3] = {so, so, sx};
        rc = ct__iter_over(&it, 3, ops);
        if (rc == CT_OK) ct__iter_run(&it, add_loop, (void *)ct__traits(out->dtype));
    }
    ct_free(so);
    ct_free(sx);
    return rc;
}

static ct_tensor *index_select_op(const ct_tensor *x, int d, const ct_tensor *idx);

/* IndexAddBackward0 (for source): saved[0] = idx; ints[0] = d */
static int index_add_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    out[0] = idx ? index_select_op(g[0], (int)n->ints[0], idx) : NULL;
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

/* zeros(ndim, sizes).index_add_(d, idx, src), differentiable in src */
static ct_tensor *index_add_op(const ct_tensor *src, int d, const ct_tensor *idx, int ndim, const int64_t *sizes) {
    ct_tensor *z = ct_zeros(ndim, sizes, CT_OPTS(.dtype = src->dtype));
    if (!z) return NULL;
    ct_tensor *sc = ct_contiguous(src);
    int rc = sc ? slices_apply(z, sc, d, (const int64_t *)ct__data(idx), idx->sizes[0], true) : CT_ERROR;
    ct_free(sc);
    if (rc == CT_OK && ct__any_requires_grad(1, &src)) {
        ct_node *n = ct__record("IndexAddBackward0", index_add_backward, z, 1, &src);
        if (!n || ct__save(n, 0, idx, false, 0) != CT_OK) rc = CT_ERROR;
        else n->ints[0] = d;
    }
    if (rc != CT_OK) {
        ct_free(z);
        return NULL;
    }
    return z;
}

/* IndexSelectBackward0: saved[0] = idx; ints[0] = d; the input's shape */
static int index_select_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    out[0] = idx ? index_add_op(g[0], (int)n->ints[0], idx, n->ndim_arg, n->shape_arg) : NULL;
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

/* x.index_select(d, idx) for a contiguous 1-D int64 idx of valid indices */
static ct_tensor *index_select_op(const ct_tensor *x, int d, const ct_tensor *idx) {
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, x->sizes, sizeof sizes);
    sizes[d] = idx->sizes[0];
    ct_tensor *out = ct__empty(x->dtype, x->ndim, sizes);
    if (!out) return NULL;
    int rc = slices_apply(out, x, d, (const int64_t *)ct__data(idx), idx->sizes[0], false);
    if (rc == CT_OK && ct__any_requires_grad(1, &x)) {
        ct_node *n = ct__record("IndexSelectBackward0", index_select_backward, out, 1, &x);
        if (!n || ct__save(n, 0, idx, false, 0) != CT_OK) {
            rc = CT_ERROR;
        } else {
            n->ints[0] = d;
            n->ndim_arg = x->ndim;
            memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
        }
    }
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- repeat_interleave ---- */

ct_tensor *ct_repeat_interleave_indices(const ct_tensor *repeats) {
    if (!repeats) return NULL;
    if (repeats->dtype != CT_INT64 && repeats->dtype != CT_INT32) {
        ct__error("\"repeat_interleave_cpu\" not implemented for '%s'", ct__traits(repeats->dtype)->scalar_name);
        return NULL;
    }
    if (repeats->ndim != 1) {
        ct__error("repeat_interleave only accept 1D vector as repeat");
        return NULL;
    }
    int64_t n = repeats->sizes[0], total = 0;
    const ct_dtype_traits *tr = ct__traits(repeats->dtype);
    const char *p = ct__data(repeats);
    bool negative = false;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = tr->load_int64(p + i * repeats->strides[0] * (int64_t)tr->itemsize);
        if (r < 0) negative = true;
        total += r;
    }
    if (negative) {
        ct__error("repeats can not be negative");
        return NULL;
    }
    ct_tensor *out = ct__empty(repeats->dtype, 1, (const int64_t[]){total});
    if (!out) return NULL;
    char *o = ct__data(out);
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = tr->load_int64(p + i * repeats->strides[0] * (int64_t)tr->itemsize);
        for (int64_t j = 0; j < r; j++, k++) {
            if (repeats->dtype == CT_INT64) ((int64_t *)(void *)o)[k] = i;
            else ((int32_t *)(void *)o)[k] = (int32_t)i;
        }
    }
    return out;
}

/* has_dim false: PyTorch's dim=None (t is flattened) */
static ct_tensor *repeat_interleave_impl(const ct_tensor *t, const ct_tensor *repeats, bool has_dim, int dim) {
    ct_tensor *input = has_dim ? ct__retain(t) : ct_flatten(t, 0, -1);
    if (!input) return NULL;
    ct_tensor *out = NULL, *rep = NULL, *idx = NULL, *idx64 = NULL;
    int d = has_dim ? ct__wrap_dim(dim, input->ndim) : 0;
    if (d < 0) goto done;
    if (input->ndim == 0) {
        /* index_select treats a 0-dim input as one element */
        ct_tensor *v = ct_reshape(input, CT_SIZE(1));
        ct_free(input);
        if (!(input = v)) goto done;
    }
    int64_t size = input->sizes[d];
    if (repeats->ndim == 0 || (repeats->ndim == 1 && repeats->sizes[0] == 1)) {
        ct_tensor *r1 = ct__reshape(repeats, CT_SIZE(1));
        rep = r1 ? ct__expand(r1, CT_SIZE(size)) : NULL;
        ct_free(r1);
    } else if (repeats->ndim == 1) {
        if (repeats->sizes[0] != size) {
            ct__error("repeats must have the same size as input along dim");
            goto done;
        }
        rep = ct__retain(repeats);
    } else {
        ct__error("repeats must be 0-dim or 1-dim tensor");
        goto done;
    }
    if (!rep || !(idx = ct_repeat_interleave_indices(rep))) goto done;
    if (!(idx64 = ct__to_dtype_copy(idx, CT_INT64))) goto done;
    out = index_select_op(input, d, idx64);
done:
    ct_free(input);
    ct_free(rep);
    ct_free(idx);
    ct_free(idx64);
    return out;
}

ct_tensor *ct_repeat_interleave_tensor(const ct_tensor *t, const ct_tensor *repeats) {
    if (!t || !repeats) return NULL;
    return repeat_interleave_impl(t, repeats, false, 0);
}

ct_tensor *ct_repeat_interleave_tensor_dim(const ct_tensor *t, const ct_tensor *repeats, int dim) {
    if (!t || !repeats) return NULL;
    return repeat_interleave_impl(t, repeats, true, dim);
}

static ct_tensor *repeat_interleave_scalar(const ct_tensor *t, int64_t repeats, bool has_dim, int dim) {
    if (!t) return NULL;
    ct_tensor *r = ct_tensor_from(&repeats, CT_INT64, 1, (const int64_t[]){1});
    ct_tensor *out = r ? repeat_interleave_impl(t, r, has_dim, dim) : NULL;
    ct_free(r);
    return out;
}

ct_tensor *ct_repeat_interleave(const ct_tensor *t, int64_t repeats) {
    return repeat_interleave_scalar(t, repeats, false, 0);
}

ct_tensor *ct_repeat_interleave_dim(const ct_tensor *t, int64_t repeats, int dim) {
    return repeat_interleave_scalar(t, repeats, true, dim);
}
