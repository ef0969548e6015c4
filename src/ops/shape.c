/* The differentiable face of the view and copy functions: each public view
 * (src/tensor/view.c has the raw, graph-free versions, ct__view etc.)
 * records its backward here, with PyTorch's node names.
 *
 * Views that pick elements (select, slice/narrow, diagonal, unfold,
 * as_strided) share one backward: "embed" the gradient into zeros of the
 * input's shape through the same view (adding where windows overlap). The
 * embed is itself differentiable (its backward is the view again), so
 * higher-order gradients work. */
#include <string.h>

#include "ops/op_util.h"

/* ---- reshaping views: backward composed of other views ---- */

static void keep_input(ct_node *n, const ct_tensor *x) {
    n->ndim_arg = x->ndim;
    memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    n->dtypes[0] = x->dtype;
}

/* g reshaped to the input's sizes (ViewBackward0, Squeeze*, Reshape*) */
static int reshape_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_reshape(g[0], n->ndim_arg, n->shape_arg);
    return out[0] ? CT_OK : CT_ERROR;
}

static int transpose_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_transpose(g[0], (int)n->ints[0], (int)n->ints[1]);
    return out[0] ? CT_OK : CT_ERROR;
}

static int permute_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int64_t inv[CT_MAX_DIMS];
    for (int i = 0; i < n->ndim_arg; i++) inv[n->ints[i]] = i;
    out[0] = ct_permute(g[0], n->ndim_arg, inv);
    return out[0] ? CT_OK : CT_ERROR;
}

static int expand_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct__sum_to(g[0], n->ndim_arg, n->shape_arg);
    return out[0] ? CT_OK : CT_ERROR;
}

static int unsqueeze_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_squeeze_dim(g[0], (int)n->ints[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static int identity_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    out[0] = ct__retain(g[0]);
    return CT_OK;
}

static int to_copy_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_to_dtype(g[0], n->dtypes[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

/* Mark out as a view produced from x and record node (when x requires
 * grad). Frees out on failure. */
static ct_tensor *record_view(ct_tensor *out, const ct_tensor *x, const char *name, ct_backward_fn fn, ct_node **node) {
    if (node) *node = NULL;
    if (!out) return NULL;
    const ct_tensor *in[1] = {x};
    if (!ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(name, fn, out, 1, in);
    ct_autograd_meta *m = n ? ct__meta(out) : NULL;
    if (!m) {
        ct_free(out);
        return NULL;
    }
    m->is_view_of_grad = true;
    keep_input(n, x);
    if (node) *node = n;
    return out;
}

ct_tensor *ct_view(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    return record_view(ct__view(t, ndim, sizes), t, "ViewBackward0", reshape_backward, NULL);
}

ct_tensor *ct_view_as(const ct_tensor *t, const ct_tensor *other) {
    if (!t || !other) return NULL;
    return ct_view(t, other->ndim, other->sizes);
}

ct_tensor *ct_reshape(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    ct_tensor *r = ct__reshape(t, ndim, sizes);
    if (!r) return NULL;
    bool alias = r->storage == t->storage;
    r = record_view(r, t, alias ? "ReshapeAliasBackward0" : "UnsafeViewBackward0", reshape_backward, NULL);
    if (r && !alias && ct__meta_if(r)) ct__meta_if(r)->is_view_of_grad = false; /* a copy, not a view */
    return r;
}

ct_tensor *ct_reshape_as(const ct_tensor *t, const ct_tensor *other) {
    if (!t || !other) return NULL;
    return ct_reshape(t, other->ndim, other->sizes);
}

ct_tensor *ct_transpose(const ct_tensor *t, int dim0, int dim1) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = record_view(ct__transpose(t, dim0, dim1), t, "TransposeBackward0", transpose_backward, &n);
    if (n) n->ints[0] = dim0, n->ints[1] = dim1;
    return r;
}

ct_tensor *ct_t(const ct_tensor *t) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = record_view(ct__t(t), t, "TBackward0", transpose_backward, &n);
    if (n) n->ints[0] = 0, n->ints[1] = t->ndim < 2 ? 0 : 1;
    return r;
}

ct_tensor *ct_permute(const ct_tensor *t, int ndim, const int64_t *dims) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = record_view(ct__permute(t, ndim, dims), t, "PermuteBackward0", permute_backward, &n);
    if (n)
        for (int i = 0; i < ndim; i++) n->ints[i] = dims[i] < 0 ? dims[i] + ndim : dims[i];
    return r;
}

ct_tensor *ct_expand(const ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    return record_view(ct__expand(t, ndim, sizes), t, "ExpandBackward0", expand_backward, NULL);
}

ct_tensor *ct_expand_as(const ct_tensor *t, const ct_tensor *other) {
    if (!t || !other) return NULL;
    return ct_expand(t, other->ndim, other->sizes);
}

ct_tensor *ct_broadcast_to(const ct_tensor *t, int ndim, const int64_t *sizes) { return ct_expand(t, ndim, sizes); }

ct_tensor *ct_squeeze(const ct_tensor *t) {
    if (!t) return NULL;
    return record_view(ct__squeeze(t), t, "SqueezeBackward0", reshape_backward, NULL);
}

ct_tensor *ct_squeeze_dim(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    return record_view(ct__squeeze_dim(t, dim), t, "SqueezeBackward1", reshape_backward, NULL);
}

ct_tensor *ct_unsqueeze(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = record_view(ct__unsqueeze(t, dim), t, "UnsqueezeBackward0", unsqueeze_backward, &n);
    if (n) n->ints[0] = dim < 0 ? dim + t->ndim + 1 : dim;
    return r;
}

ct_tensor *ct_flatten(const ct_tensor *t, int start_dim, int end_dim) {
    if (!t) return NULL;
    /* flatten is reshape in PyTorch (and t itself when nothing merges) */
    ct_tensor *probe = ct__flatten(t, start_dim, end_dim);
    if (!probe) return NULL;
    if (probe == t) return probe;
    int64_t sizes[CT_MAX_DIMS];
    int ndim = probe->ndim;
    memcpy(sizes, probe->sizes, sizeof sizes);
    ct_free(probe);
    return ct_reshape(t, ndim, sizes);
}

ct_tensor *ct_unflatten(const ct_tensor *t, int dim, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    ct_tensor *probe = ct__unflatten(t, dim, ndim, sizes);
    if (!probe) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int n = probe->ndim;
    memcpy(shape, probe->sizes, sizeof shape);
    ct_free(probe);
    return ct_view(t, n, shape);
}

/* ---- element-picking views and their embed backward ---- */

typedef enum { PICK_SELECT, PICK_SLICE, PICK_DIAGONAL, PICK_UNFOLD, PICK_AS_STRIDED } pick_kind;

/* The view described by n's arguments, applied to t. Differentiable
 * (public ops) unless raw. */
static ct_tensor *apply_pick(const ct_node *n, const ct_tensor *t, bool raw) {
    const int64_t *a = n->ints;
    switch ((pick_kind)a[0]) {
    case PICK_SELECT: return raw ? ct__select(t, (int)a[1], a[2]) : ct_select(t, (int)a[1], a[2]);
    case PICK_SLICE: return raw ? ct__slice(t, (int)a[1], a[2], a[3], a[4]) : ct_slice(t, (int)a[1], a[2], a[3], a[4]);
    case PICK_DIAGONAL: return raw ? ct__diagonal(t, a[1], (int)a[2], (int)a[3]) : ct_diagonal(t, a[1], (int)a[2], (int)a[3]);
    case PICK_UNFOLD: return raw ? ct__unfold(t, (int)a[1], a[2], a[3]) : ct_unfold(t, (int)a[1], a[2], a[3]);
    case PICK_AS_STRIDED:
        return raw ? ct__as_strided(t, (int)a[1], n->shape_arg2, n->shape_arg2 + CT_MAX_DIMS / 2, a[2])
                   : ct_as_strided(t, (int)a[1], n->shape_arg2, n->shape_arg2 + CT_MAX_DIMS / 2, a[2]);
    }
    return NULL;
}

/* dst (a view, maybe self-overlapping) += src, element by element in
 * row-major order, serially so that overlapping windows add up. */
static void scatter_add(ct_tensor *dst, const ct_tensor *src) {
    const ct_dtype_traits *tr = ct__traits(dst->dtype), *ts = ct__traits(src->dtype);
    int64_t n = ct__numel(dst);
    char *db = ct__data(dst);
    const char *sb = ct__data(src);
    for (int64_t i = 0; i < n; i++) {
        int64_t rem = i, doff = 0, soff = 0;
        for (int d = dst->ndim - 1; d >= 0; d--) {
            int64_t c = rem % dst->sizes[d];
            rem /= dst->sizes[d];
            doff += c * dst->strides[d];
            soff += c * src->strides[d];
        }
        char *dp = db + doff * (int64_t)tr->itemsize;
        tr->store_double(dp, tr->load_double(dp) + ts->load_double(sb + soff * (int64_t)ts->itemsize));
    }
}

static int embed_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out);

/* zeros(input shape) with g added through the view: the gradient of a
 * picking view. Records "<Name>Backward" when g requires grad. */
static ct_tensor *embed(const ct_node *spec, const ct_tensor *g) {
    ct_tensor *z = ct_zeros(spec->ndim_arg, spec->shape_arg, CT_OPTS(.dtype = g->dtype));
    ct_tensor *zv = z ? apply_pick(spec, z, true) : NULL;
    if (!zv) {
        ct_free(z);
        return NULL;
    }
    scatter_add(zv, g);
    ct_free(zv);
    const ct_tensor *in[1] = {g};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record(spec->name, embed_backward, z, 1, in);
        if (!n) {
            ct_free(z);
            return NULL;
        }
        memcpy(n->ints, spec->ints, sizeof n->ints);
        n->ndim_arg = spec->ndim_arg;
        memcpy(n->shape_arg, spec->shape_arg, sizeof n->shape_arg);
        memcpy(n->shape_arg2, spec->shape_arg2, sizeof n->shape_arg2);
    }
    return z;
}

/* the embed's own backward: the view again */
static int embed_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *v = apply_pick(n, g[0], false);
    out[0] = v ? ct_contiguous(v) : NULL;
    ct_free(v);
    return out[0] ? CT_OK : CT_ERROR;
}

static int pick_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = embed(n, g[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *record_pick(ct_tensor *out, const ct_tensor *x, const char *name, pick_kind kind, int64_t a1,
                              int64_t a2, int64_t a3, int64_t a4) {
    ct_node *n;
    out = record_view(out, x, name, pick_backward, &n);
    if (n) {
        n->ints[0] = kind, n->ints[1] = a1, n->ints[2] = a2, n->ints[3] = a3, n->ints[4] = a4;
    }
    return out;
}

ct_tensor *ct_select(const ct_tensor *t, int dim, int64_t index) {
    if (!t) return NULL;
    return record_pick(ct__select(t, dim, index), t, "SelectBackward0", PICK_SELECT, dim, index, 0, 0);
}

ct_tensor *ct_narrow(const ct_tensor *t, int dim, int64_t start, int64_t length) {
    if (!t) return NULL;
    ct_tensor *r = ct__narrow(t, dim, start, length);
    if (!r) return NULL;
    int d = dim < 0 ? dim + t->ndim : dim;
    int64_t s = start < 0 ? start + t->sizes[d] : start;
    return record_pick(r, t, "SliceBackward0", PICK_SLICE, d, s, s + length, 1);
}

ct_tensor *ct_slice(const ct_tensor *t, int dim, int64_t start, int64_t end, int64_t step) {
    if (!t) return NULL;
    return record_pick(ct__slice(t, dim, start, end, step), t, "SliceBackward0", PICK_SLICE, dim, start, end, step);
}

ct_tensor *ct_diagonal(const ct_tensor *t, int64_t offset, int dim1, int dim2) {
    if (!t) return NULL;
    return record_pick(ct__diagonal(t, offset, dim1, dim2), t, "DiagonalBackward0", PICK_DIAGONAL, offset, dim1, dim2,
                       0);
}

ct_tensor *ct_unfold(const ct_tensor *t, int dim, int64_t size, int64_t step) {
    if (!t) return NULL;
    return record_pick(ct__unfold(t, dim, size, step), t, "UnfoldBackward0", PICK_UNFOLD, dim, size, step, 0);
}

ct_tensor *ct_as_strided(const ct_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                         int64_t storage_offset) {
    if (!t) return NULL;
    ct_tensor *r = ct__as_strided(t, ndim, sizes, strides, storage_offset);
    if (r && ndim > CT_MAX_DIMS / 2 && ct__any_requires_grad(1, (const ct_tensor *const[]){t})) {
        ct_free(r);
        ct__error("as_strided: backward supports at most %d dimensions", CT_MAX_DIMS / 2);
        return NULL;
    }
    ct_node *n;
    r = record_view(r, t, "AsStridedBackward0", pick_backward, &n);
    if (n) {
        n->ints[0] = PICK_AS_STRIDED;
        n->ints[1] = ndim;
        n->ints[2] = r->offset;
        memcpy(n->shape_arg2, sizes, (size_t)ndim * sizeof *sizes);
        memcpy(n->shape_arg2 + CT_MAX_DIMS / 2, strides, (size_t)ndim * sizeof *strides);
    }
    return r;
}

/* ---- copies ---- */

ct_tensor *ct_clone(const ct_tensor *t) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = record_view(ct__clone(t), t, "CloneBackward0", identity_backward, &n);
    if (n) ct__meta_if(r)->is_view_of_grad = false;
    return r;
}

ct_tensor *ct_contiguous(const ct_tensor *t) {
    if (!t) return NULL;
    return ct__is_contiguous(t) ? ct__retain(t) : ct_clone(t);
}

ct_tensor *ct_to_dtype_copy(const ct_tensor *t, ct_dtype dtype) {
    if (!t) return NULL;
    ct_node *n;
    ct_tensor *r = ct__to_dtype_copy(t, dtype);
    if (r && !ct_dtype_is_floating_point(dtype)) return r; /* integer results never require grad */
    r = record_view(r, t, "ToCopyBackward0", to_copy_backward, &n);
    if (n) ct__meta_if(r)->is_view_of_grad = false;
    return r;
}

ct_tensor *ct_to_dtype(const ct_tensor *t, ct_dtype dtype) {
    if (!t) return NULL;
    if (t->dtype == dtype) return ct__retain(t);
    return ct_to_dtype_copy(t, dtype);
}

/* ---- in-place writes: the old value gets no gradient ---- */

static int zero_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    out[0] = ct_zeros_like(g[0], NULL);
    return out[0] ? CT_OK : CT_ERROR;
}

/* CopyBackwards: edges (dst's old history, src) */
static int copy_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn && !(out[0] = ct_zeros_like(g[0], NULL))) return CT_ERROR;
    if (n->next[1].fn) {
        ct_tensor *c = ct_to_dtype(g[0], n->dtypes[1]);
        out[1] = c ? ct__sum_to(c, (int)n->ints[0], n->shape_arg2) : NULL;
        ct_free(c);
        if (!out[1]) return CT_ERROR;
    }
    return CT_OK;
}

int ct_copy_(ct_tensor *dst, const ct_tensor *src) {
    if (!dst || !src) return CT_ERROR;
    const ct_tensor *in[2] = {dst, src};
    bool record = ct__any_requires_grad(2, in);
    if (record && (ct__check_inplace(dst) != CT_OK || ct__check_inplace_recordable(dst) != CT_OK)) return CT_ERROR;
    if (ct__copy_(dst, src) != CT_OK) return CT_ERROR;
    if (!record) return CT_OK;
    ct_node *n = ct__record_inplace("CopyBackwards", copy_backward, dst, 1, &src);
    if (!n) return CT_ERROR;
    n->dtypes[1] = src->dtype;
    n->ints[0] = src->ndim;
    memcpy(n->shape_arg2, src->sizes, sizeof src->sizes);
    return CT_OK;
}

static int overwrite(ct_tensor *t, double value, const char *name) {
    if (!t) return CT_ERROR;
    const ct_tensor *in[1] = {t};
    bool record = ct__any_requires_grad(1, in);
    if (record && (ct__check_inplace(t) != CT_OK || ct__check_inplace_recordable(t) != CT_OK)) return CT_ERROR;
    if (ct__fill_(t, value) != CT_OK) return CT_ERROR;
    if (record && !ct__record_inplace(name, zero_backward, t, 0, NULL)) return CT_ERROR;
    return CT_OK;
}

int ct_fill_(ct_tensor *t, double value) { return overwrite(t, value, "FillBackward2"); }
int ct_zero_(ct_tensor *t) { return overwrite(t, 0.0, "ZeroBackward0"); }
