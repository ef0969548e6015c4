/* index_select, index_add, index_copy, index_fill, index_reduce,
 * masked_fill, masked_select, masked_scatter, take, nonzero: forward,
 * in-place forms and backward formulas (derivatives.yaml, PyTorch 1.13).
 * The "along dim with a vector index" ops run the scatter/gather cores
 * with the index viewed as [1, .., n, .., 1] and expanded (stride 0). */
#include <stdio.h>
#include <string.h>

#include "kernels/cpu/index_slices.h"
#include "ops/index_internal.h"

/* ---- in-place support ---- */

/* ---- helpers ---- */

/* c10's vector printing: "4 5" */
static const char *fmt(char *buf, size_t n, int ndim, const int64_t *s) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? " %lld" : "%lld", (long long)s[i]);
    return buf;
}

static ct_tensor *at_least_1d(const ct_tensor *t) {
    static const int64_t one[1] = {1};
    return t->ndim ? ct__retain(t) : ct__view(t, 1, one);
}

static ct_tensor *reshape_back(ct_tensor *r, int ndim, const int64_t *sizes) {
    if (!r || (r->ndim == ndim && !memcmp(r->sizes, sizes, (size_t)ndim * sizeof *sizes))) return r;
    ct_tensor *v = ct__reshape(r, ndim, sizes);
    ct_free(r);
    return v;
}

/* index (0-D or 1-D, int64 or int32) as an int64 tensor of shape
 * (ndim, sizes) with sizes[dim] = numel(index), other dims stride 0 */
static ct_tensor *expand_index(const ct_tensor *index, int ndim, const int64_t *sizes, int dim) {
    int64_t n = ct__numel(index), vs[CT_MAX_DIMS], es[CT_MAX_DIMS];
    for (int d = 0; d < ndim; d++)
        vs[d] = d == dim ? n : 1, es[d] = d == dim ? n : sizes[d];
    ct_tensor *l = ct__as_dtype(index, CT_INT64);
    ct_tensor *c = l ? ct__reshape(l, ndim, vs) : NULL;
    ct_tensor *e = c ? ct__expand(c, ndim, es) : NULL;
    ct_free(l);
    ct_free(c);
    return e;
}

/* ---- backward formulas: ints[0] = dim; saved[0] = index (as given);
 * shape_arg/ndim_arg = self's sizes, shape_arg2/ints[1] = source's ---- */

static void keep_shapes(ct_node *n, int dim, const ct_tensor *self, const ct_tensor *src) {
    n->ints[0] = dim;
    n->ndim_arg = self->ndim;
    memcpy(n->shape_arg, self->sizes, sizeof n->shape_arg);
    if (src) {
        n->ints[1] = src->ndim;
        memcpy(n->shape_arg2, src->sizes, sizeof n->shape_arg2);
    }
}

/* grad.index_select(dim, index) in source's shape, times alpha */
static ct_tensor *select_for_source(ct_node *n, ct_tensor *g, const ct_tensor *index, double alpha) {
    ct_tensor *s = ct_index_select(g, n->ints[0], index);
    ct_tensor *r = s ? ct_reshape(s, (int)n->ints[1], n->shape_arg2) : NULL;
    ct_free(s);
    if (r && alpha != 1.0) {
        ct_tensor *m = ct_mul_scalar(r, alpha);
        ct_free(r);
        r = m;
    }
    return r;
}

/* IndexSelectBackward0: zeros(self).index_add(dim, index, grad) */
static int index_select_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *index = ct__unpack(n, 0);
    ct_tensor *z = index ? ct__index_zeros(g[0]->dtype, n->ndim_arg, n->shape_arg) : NULL;
    out[0] = z ? ct_index_add(z, n->ints[0], index, g[0], 1.0) : NULL;
    ct_free(z);
    ct_free(index);
    return out[0] ? CT_OK : CT_ERROR;
}

/* IndexAddBackward0: self: grad; source: grad.index_select(dim, index) * alpha */
static int index_add_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (n->next[0].fn && !(out[0] = ct__retain(g[0]))) return CT_ERROR;
    if (n->next[1].fn) {
        ct_tensor *index = ct__unpack(n, 0);
        out[1] = index ? select_for_source(n, g[0], index, n->scalars[0]) : NULL;
        ct_free(index);
        if (!out[1]) return CT_ERROR;
    }
    return CT_OK;
}

/* IndexCopyBackward0 / IndexFillBackward0: self: grad.index_fill(dim, index, 0);
 * source: grad.index_select(dim, index) */
static int index_copy_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *index = ct__unpack(n, 0);
    if (!index) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn && !(out[0] = ct_index_fill(g[0], n->ints[0], index, 0.0))) rc = CT_ERROR;
    if (rc == CT_OK && n->num_next > 1 && n->next[1].fn && !(out[1] = select_for_source(n, g[0], index, 1.0)))
        rc = CT_ERROR;
    ct_free(index);
    return rc;
}

static ct_node *record(const char *name, ct_backward_fn fn, ct_tensor *out, int nin, const ct_tensor *const *in,
                       const ct_tensor *index, int dim, const ct_tensor *self, const ct_tensor *src) {
    ct_node *n = ct__record(name, fn, out, nin, in);
    if (!n) return NULL;
    if (index && ct__save(n, 0, index, false, 0) != CT_OK) return NULL;
    keep_shapes(n, dim, self, src);
    return n;
}

/* ---- index_select ---- */

/* t seen along dim d as (outer, t->sizes[d], inner) */
static int64_t outer_of(const ct_tensor *t, int d) { return ct__shape_numel(d, t->sizes); }
static int64_t inner_of(const ct_tensor *t, int d) { return ct__shape_numel(t->ndim - d - 1, t->sizes + d + 1); }

/* PyTorch's wording for an index outside self's dim d: its dim-1 fast
 * path of a tensor of 2 or more dims (index_select_out_cpu_dim1_, taken
 * whatever self's layout) checks the indices with caffe2's message */
static void index_select_range_error(const ct_tensor *self, int d, int64_t bad) {
    if (self->ndim > 1 && d == 1)
        ct__error("INDICES element is out of DATA bounds, id=%lld axis_dim=%lld", (long long)bad,
                  (long long)self->sizes[1]);
    else
        ct__error("index out of range in self");
}

/* contiguous self (at least 1-D) and index: whole slices (index_slices.c) */
static ct_tensor *index_select_slices(const ct_tensor *self, int d, const ct_tensor *index) {
    int64_t osz[CT_MAX_DIMS], n = ct__numel(index), bad;
    memcpy(osz, self->sizes, (size_t)self->ndim * sizeof *osz);
    osz[d] = n;
    ct_tensor *out = ct__empty(self->dtype, self->ndim, osz);
    if (out && !ct__index_select_slices(self->dtype, ct__data(self), outer_of(self, d), self->sizes[d],
                                        inner_of(self, d), ct__data(index), index->dtype, n, ct__data(out), &bad)) {
        index_select_range_error(self, d, bad);
        ct_free(out);
        return NULL;
    }
    return out;
}

static int vector_index_checks(const char *fn, int64_t dim, const ct_tensor *self, const ct_tensor *index, int *wdim) {
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return CT_ERROR;
    *wdim = d;
    if (index->ndim > 1) {
        ct__error("%s(): Index is supposed to be a vector", fn);
        return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct_index_select(const ct_tensor *self, int64_t dim, const ct_tensor *index) {
    if (!self || !index) return NULL;
    int d;
    if (vector_index_checks("index_select", dim, self, index, &d) != CT_OK) return NULL;
    if (index->dtype != CT_INT64 && index->dtype != CT_INT32) {
        ct__error("index_select(): Expected dtype int32 or int64 for index");
        return NULL;
    }
    ct_tensor *out = NULL;
    if (self->ndim > 0 && ct__is_contiguous(self) && ct__is_contiguous(index)) {
        out = index_select_slices(self, d, index);
    } else {
        ct_tensor *s = at_least_1d(self);
        int64_t osz[CT_MAX_DIMS];
        memcpy(osz, s ? s->sizes : self->sizes, sizeof osz);
        osz[d] = ct__numel(index);
        ct_tensor *e = s ? expand_index(index, s->ndim, osz, d) : NULL;
        if (e) {
            bool oob;
            int64_t bad;
            out = ct__gather_run(s, d, e, false, &oob, &bad);
            if (oob) index_select_range_error(self, d, bad);
        }
        ct_free(s);
        ct_free(e);
        if (out && self->ndim == 0) out = reshape_back(out, 0, NULL);
    }
    if (!out) return NULL;
    const ct_tensor *in[1] = {self};
    if (ct__any_requires_grad(1, in) &&
        !record("IndexSelectBackward0", index_select_backward, out, 1, in, index, d, self, NULL)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- index_add / index_copy / index_reduce (source along dim) ---- */

/* self and source agree outside dim (PyTorch broadcasts the slices in
 * place; ctorch requires equal slices and words the broadcast message) */
static int slices_match(const ct_tensor *self, const ct_tensor *src, int d) {
    if (self->ndim == 0 || src->ndim == 0 || src->ndim != self->ndim) return CT_OK;
    for (int i = 0, k = 0; i < self->ndim; i++) {
        if (i == d) continue;
        if (self->sizes[i] != src->sizes[i] && src->sizes[i] != 1) {
            ct__error(
                "The size of tensor a (%lld) must match the size of tensor b (%lld) at non-singleton dimension %d",
                (long long)self->sizes[i], (long long)src->sizes[i], k);
            return CT_ERROR;
        }
        k++;
    }
    return CT_OK;
}

static int index_func_checks(const char *fn, const ct_tensor *self, int64_t dim, const ct_tensor *index,
                             const ct_tensor *src, int *wdim) {
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return CT_ERROR;
    *wdim = d;
    int64_t numel = ct__numel(index);
    if (index->ndim > 1) {
        ct__error("%s_(): Index is supposed to be a vector", fn);
        return CT_ERROR;
    }
    if (index->dtype != CT_INT64 && index->dtype != CT_INT32) {
        ct__error("%s_(): Expected dtype int32/int64 for index but got: %s", fn, ct__traits(index->dtype)->scalar_name);
        return CT_ERROR;
    }
    if (self->dtype != src->dtype) {
        ct__error("%s_(): self (%s) and source (%s) must have the same scalar type", fn,
                  ct__traits(self->dtype)->scalar_name, ct__traits(src->dtype)->scalar_name);
        return CT_ERROR;
    }
    if (!(d == 0 || d < src->ndim)) {
        ct__error("%s_(): Indexing dim %d is out of bounds of the source tensor with dim %d", fn, d, src->ndim);
        return CT_ERROR;
    }
    int64_t ssz = src->ndim == 0 ? 1 : src->sizes[d];
    if (numel != ssz) {
        ct__error("%s_(): Number of indices (%lld) should be equal to source.size(dim): (%lld), for dim: %d", fn,
                  (long long)numel, (long long)ssz, d);
        return CT_ERROR;
    }
    return slices_match(self, src, d);
}

/* clone(self) with source combined in along dim at index (no graph).
 * src expanded to self's slice shape. */
static ct_tensor *along_dim_run(const ct_tensor *self, int d, const ct_tensor *index, const ct_tensor *src,
                                ct__scatter_op op, double alpha, bool wrap, bool *oob, int64_t *bad) {
    ct_tensor *s = at_least_1d(self);
    int64_t it[CT_MAX_DIMS];
    memcpy(it, s ? s->sizes : self->sizes, sizeof it);
    it[d] = ct__numel(index);
    ct_tensor *e = s ? expand_index(index, s->ndim, it, d) : NULL;
    ct_tensor *v = NULL, *v1 = NULL, *out = NULL;
    *oob = false;
    if (src && e) {
        v1 = at_least_1d(src);
        v = v1 ? ct__expand(v1, s->ndim, it) : NULL;
    }
    if (e && (!src || v)) out = ct__scatter_run(s, d, e, v, 0.0, op, alpha, wrap, oob, bad);
    ct__free_all(4, (ct_tensor *[]){s, e, v, v1});
    return reshape_back(out, self->ndim, self->sizes);
}

/* index_add by whole slices: float32/float64, source contiguous and of
 * self's shape but for n along d (no broadcast), index contiguous */
static bool slices_fit(const ct_tensor *self, int d, const ct_tensor *index, const ct_tensor *src) {
    if ((self->dtype != CT_FLOAT32 && self->dtype != CT_FLOAT64) || src->dtype != self->dtype || self->ndim == 0 ||
        src->ndim != self->ndim || !ct__is_contiguous(src) || !ct__is_contiguous(index))
        return false;
    for (int i = 0; i < self->ndim; i++)
        if (src->sizes[i] != (i == d ? ct__numel(index) : self->sizes[i])) return false;
    return true;
}

ct_tensor *ct_index_add(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                        double alpha) {
    if (!self || !index || !source) return NULL;
    int d;
    if (index_func_checks("index_add", self, dim, index, source, &d) != CT_OK) return NULL;
    bool oob = false;
    int64_t bad;
    ct_tensor *out = NULL;
    if (slices_fit(self, d, index, source)) {
        /* a contiguous copy of self, then whole slices of source added in */
        out = ct__clone(self);
        if (out &&
            !ct__index_add_slices(self->dtype, ct__data(out), outer_of(self, d), self->sizes[d], inner_of(self, d),
                                  ct__data(index), index->dtype, ct__numel(index), ct__data(source), alpha, &bad)) {
            oob = true;
            ct_free(out);
            out = NULL;
        }
    } else {
        out = along_dim_run(self, d, index, source, CT__SC_ADD, alpha, false, &oob, &bad);
    }
    if (oob) ct__error("index out of range in self");
    if (!out) return NULL;
    const ct_tensor *in[2] = {self, source};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = record("IndexAddBackward0", index_add_backward, out, 2, in, index, d, self, source);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        n->scalars[0] = alpha;
    }
    return out;
}

ct_tensor *ct_index_copy(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source) {
    if (!self || !index || !source) return NULL;
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return NULL;
    int64_t ni = ct__numel(index);
    if (index->ndim >= 2) {
        ct__error("index_copy_(): Index should have dimension 1 or 0 (got %d)", index->ndim);
        return NULL;
    }
    if (source->ndim == 0 && ni != 1) {
        ct__error("index_copy_(): When source is scalar, index should have one element (got %lld)", (long long)ni);
        return NULL;
    }
    if (source->ndim != self->ndim && source->ndim != 0 && self->ndim != 0) {
        ct__error("index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                  "Source dimensionality (%d), destination dimensionality (%d)",
                  source->ndim, self->ndim);
        return NULL;
    }
    if (index->dtype != CT_INT64) {
        ct__error("index_copy_(): Expected a long tensor for index, but got %s", ct__traits(index->dtype)->scalar_name);
        return NULL;
    }
    if (self->dtype != source->dtype) {
        ct__error("index_copy_(): self and source expected to have the same dtype, but got (self) %s and (source) %s",
                  ct__traits(self->dtype)->scalar_name, ct__traits(source->dtype)->scalar_name);
        return NULL;
    }
    int64_t a[CT_MAX_DIMS], b[CT_MAX_DIMS];
    int na = 0, nb = 0;
    for (int i = 0; i < self->ndim; i++)
        if (i != d) a[na++] = self->sizes[i];
    for (int i = 0; i < source->ndim; i++)
        if (i != d) b[nb++] = source->sizes[i];
    if (na != nb || memcmp(a, b, (size_t)na * sizeof *a)) {
        char s1[256], s2[256];
        ct__error("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: %s "
                  "at dimension %d and source slice shape: %s at dimension 0.",
                  fmt(s1, sizeof s1, na, a), d, fmt(s2, sizeof s2, nb, b));
        return NULL;
    }
    if (source->ndim != 0 && ni != source->sizes[d]) {
        ct__error("index_copy_(): Number of indices (%lld) should be equal to source.size(dim) (%lld)", (long long)ni,
                  (long long)source->sizes[d]);
        return NULL;
    }
    bool oob;
    int64_t bad;
    ct_tensor *out = along_dim_run(self, d, index, source, CT__SC_COPY, 1.0, false, &oob, &bad);
    if (oob)
        ct__error("index_copy_(): index %lld is out of bounds for dimension %d with size %lld", (long long)bad, d,
                  (long long)(self->ndim ? self->sizes[d] : 1));
    if (!out) return NULL;
    const ct_tensor *in[2] = {self, source};
    if (ct__any_requires_grad(2, in) &&
        !record("IndexCopyBackward0", index_copy_backward, out, 2, in, index, d, self, source)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct_index_fill(const ct_tensor *self, int64_t dim, const ct_tensor *index, double value) {
    if (!self || !index) return NULL;
    int d = ct__wrap_dim(dim, self->ndim);
    if (d < 0) return NULL;
    if (index->dtype != CT_INT64) {
        ct__error("index_fill_(): Expected dtype int64 for index.");
        return NULL;
    }
    if (index->ndim > 1) {
        ct__error("index_fill_(): Index is supposed to be a vector");
        return NULL;
    }
    bool oob;
    int64_t bad;
    ct_tensor *s = at_least_1d(self);
    int64_t it[CT_MAX_DIMS];
    memcpy(it, s ? s->sizes : self->sizes, sizeof it);
    it[d] = ct__numel(index);
    ct_tensor *e = s ? expand_index(index, s->ndim, it, d) : NULL;
    ct_tensor *out = e ? ct__scatter_run(s, d, e, NULL, value, CT__SC_COPY, 1.0, true, &oob, &bad) : NULL;
    if (e && oob)
        ct__error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, d,
                  (long long)s->sizes[d]);
    ct_free(s);
    ct_free(e);
    out = reshape_back(out, self->ndim, self->sizes);
    if (!out) return NULL;
    const ct_tensor *in[1] = {self};
    if (ct__any_requires_grad(1, in) &&
        !record("IndexFillBackward0", index_copy_backward, out, 1, in, index, d, self, NULL)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct_index_reduce(const ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source,
                           const char *reduce, bool include_self) {
    if (!self || !index || !source || !reduce) return NULL;
    int d;
    if (index_func_checks("index_reduce", self, dim, index, source, &d) != CT_OK) return NULL;
    static const char *const names[] = {"prod", "mean", "amax", "amin"};
    static const int kinds[] = {1, 2, 3, 4};
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (!strcmp(reduce, names[i])) k = kinds[i];
    if (k < 0) {
        ct__error("index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got %s.", reduce);
        return NULL;
    }
    /* scatter_reduce with the index expanded to source's shape */
    ct_tensor *s1 = at_least_1d(source);
    ct_tensor *e = s1 ? expand_index(index, s1->ndim, s1->sizes, d) : NULL;
    ct_tensor *e0 = e && source->ndim == 0 ? ct__view(e, 0, NULL) : e ? ct__retain(e) : NULL;
    bool oob = true;
    ct_tensor *out =
        e0 ? ct__scatter_reduce_impl(self, d, e0, source, k, include_self, "IndexReduceBackward0", &oob) : NULL;
    if (e0 && oob) ct__error("index out of range in self");
    ct__free_all(3, (ct_tensor *[]){s1, e, e0});
    return out;
}

/* ---- masked_fill ---- */

/* broadcast shape of mask and self; a non-bool mask must hold only 0 and 1
 * (PyTorch 1.13 accepts uint8 and, out of its checks, integer masks) */
static int mask_bcast(const ct_tensor *self, const ct_tensor *mask, int *ndim, int64_t *shape) {
    *ndim = ct_broadcast_shapes(mask->ndim, mask->sizes, self->ndim, self->sizes, shape);
    if (*ndim < 0) return CT_ERROR;
    int64_t bad;
    if (mask->dtype != CT_BOOL) {
        ct_tensor *m = ct__to_dtype_copy(mask, CT_INT64);
        if (!m) return CT_ERROR;
        bool found = ct__index_find_bad(ct__data(m), CT_INT64, m->ndim, m->sizes, m->strides, 0, 2, &bad);
        ct_free(m);
        if (found) {
            ct__error("Mask tensor can take 0 and 1 values only");
            return CT_ERROR;
        }
    }
    return CT_OK;
}

/* out (contiguous, broadcast of self and mask) = self; out[mask] = value (no graph) */
static ct_tensor *masked_fill_run(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *value_t,
                                  double value) {
    int ndim;
    int64_t shape[CT_MAX_DIMS];
    if (mask_bcast(self, mask, &ndim, shape) != CT_OK) return NULL;
    ct_tensor *e = ct__expand(self, ndim, shape);
    ct_tensor *out = e ? ct__clone(e) : NULL;
    ct_free(e);
    if (!out) return NULL;
    if (!ct__is_contiguous(out)) {
        ct_tensor *c = ct__reshape(out, ndim, shape);
        ct_free(out);
        out = c && !ct__is_contiguous(c) ? (ct_free(c), NULL) : c;
        if (!out) return NULL;
    }
    char vbuf[16];
    const ct_dtype_traits *tr = ct__traits(out->dtype);
    /* the value (tensor, or the Python float as a float64 0-dim tensor) in out's dtype */
    ct_tensor *vs = value_t ? NULL : ct_scalar_tensor(value, CT_OPTS(.dtype = CT_FLOAT64));
    const ct_tensor *v = value_t ? value_t : vs;
    ct_tensor *vc = v ? ct__to_dtype_copy(v, out->dtype) : NULL;
    ct_free(vs);
    if (!vc) {
        ct_free(out);
        return NULL;
    }
    memcpy(vbuf, ct__data(vc), tr->itemsize);
    ct_free(vc);
    ct__walker w = {.ndim = ndim, .nops = 2};
    memcpy(w.sizes, shape, sizeof shape);
    memcpy(w.st[0], out->strides, sizeof w.st[0]);
    if (ct__broadcast_strides(mask, ndim, shape, w.st[1]) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    char *po = ct__data(out);
    const char *pm = ct__data(mask);
    int64_t mi = (int64_t)ct__traits(mask->dtype)->itemsize, oi = (int64_t)tr->itemsize;
    for (int64_t k = 0, n = ct__numel(out); k < n; k++, ct__walker_next(&w))
        if (ct__elem_nonzero(mask->dtype, pm + w.off[1] * mi)) memcpy(po + w.off[0] * oi, vbuf, tr->itemsize);
    return out;
}

/* self's gradient in MaskedFillBackward0/1 and MaskedScatterBackward0:
 * grad.masked_fill(mask, 0), summed to self's shape (ndim_arg, shape_arg). */
static ct_tensor *masked_self_grad(const ct_node *n, const ct_tensor *g, const ct_tensor *mask) {
    ct_tensor *f = ct_masked_fill(g, mask, 0.0);
    ct_tensor *r = f ? ct__sum_to(f, n->ndim_arg, n->shape_arg) : NULL;
    ct_free(f);
    return r;
}

/* MaskedFillBackward0: self: grad.masked_fill(mask, 0), summed to self.
 * saved[0] = mask; MaskedFillBackward1 also value: grad.masked_select(mask).sum() */
static int masked_fill_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *mask = ct__unpack(n, 0);
    if (!mask) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn && !(out[0] = masked_self_grad(n, g[0], mask))) rc = CT_ERROR;
    if (rc == CT_OK && n->num_next > 1 && n->next[1].fn) {
        ct_tensor *s = ct_masked_select(g[0], mask);
        ct_tensor *sum = s ? ct_sum(s) : NULL;
        out[1] = sum ? ct_to_dtype(sum, n->dtypes[0]) : NULL;
        ct_free(s);
        ct_free(sum);
        if (!out[1]) rc = CT_ERROR;
    }
    ct_free(mask);
    return rc;
}

static ct_tensor *masked_fill_impl(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *value_t,
                                   double value) {
    if (value_t && value_t->ndim != 0) {
        ct__error("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with %d dimension(s).",
                  value_t->ndim);
        return NULL;
    }
    ct_tensor *out = masked_fill_run(self, mask, value_t, value);
    if (!out) return NULL;
    const ct_tensor *in[2] = {self, value_t};
    int nin = value_t ? 2 : 1;
    if (ct__any_requires_grad(nin, in)) {
        ct_node *n =
            ct__record(value_t ? "MaskedFillBackward1" : "MaskedFillBackward0", masked_fill_backward, out, nin, in);
        if (!n || ct__save(n, 0, mask, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        keep_shapes(n, 0, self, NULL);
        if (value_t) n->dtypes[0] = value_t->dtype;
    }
    return out;
}

ct_tensor *ct_masked_fill(const ct_tensor *self, const ct_tensor *mask, double value) {
    if (!self || !mask) return NULL;
    return masked_fill_impl(self, mask, NULL, value);
}

ct_tensor *ct_masked_fill_tensor(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *value) {
    if (!self || !mask || !value) return NULL;
    return masked_fill_impl(self, mask, value, 0.0);
}

/* ---- take ---- */

/* TakeBackward0: zeros(self).put_(index, grad, accumulate=True) */
static int take_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *index = ct__unpack(n, 0);
    int64_t numel = ct__shape_numel(n->ndim_arg, n->shape_arg), m = index ? ct__numel(index) : 0;
    ct_tensor *t[5] = {0};
    t[0] = index ? ct__index_zeros(g[0]->dtype, 1, &numel) : NULL;
    t[1] = t[0] ? ct__reshape(index, 1, &m) : NULL;
    t[2] = t[1] ? ct_reshape(g[0], 1, &m) : NULL;
    const ct_tensor *idx[1] = {t[1]};
    t[3] = t[2] ? ct_index_put(t[0], 1, idx, t[2], true) : NULL;
    out[0] = t[3] ? ct_reshape(t[3], n->ndim_arg, n->shape_arg) : NULL;
    ct__free_all(4, t);
    ct_free(index);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_take(const ct_tensor *self, const ct_tensor *index) {
    if (!self || !index) return NULL;
    if (index->dtype != CT_INT64) {
        ct__error("take(): Expected a long tensor for index, but got %s", ct__traits(index->dtype)->scalar_name);
        return NULL;
    }
    int64_t numel = ct__numel(self);
    if (numel == 0 && ct__numel(index) != 0) {
        ct__error("take(): tried to take from an empty tensor");
        return NULL;
    }
    int64_t bad;
    if (ct__index_find_bad(ct__data(index), CT_INT64, index->ndim, index->sizes, index->strides, -numel, numel, &bad)) {
        ct__error("out of range: tried to access index %lld on a tensor of %lld elements.", (long long)bad,
                  (long long)numel);
        return NULL;
    }
    ct_tensor *flat = ct__reshape(self, 1, &numel);
    ct_tensor *out = flat ? ct__empty(self->dtype, index->ndim, index->sizes) : NULL;
    if (out) {
        ct__index_geom g = {.dtype = self->dtype,
                            .ndim = index->ndim,
                            .dst = ct__data(out),
                            .src = ct__data(flat),
                            .idx = ct__data(index),
                            .idx_dtype = CT_INT64,
                            .wrap = true,
                            .dim_size = numel,
                            .dim_stride = flat->strides[0]};
        memcpy(g.sizes, index->sizes, sizeof g.sizes);
        memcpy(g.dst_st, out->strides, sizeof g.dst_st);
        memcpy(g.idx_st, index->strides, sizeof g.idx_st);
        if (ct__index_kernel(&g, CT__SC_COPY, &bad) != CT_OK) ct_free(out), out = NULL;
    }
    ct_free(flat);
    if (!out) return NULL;
    const ct_tensor *in[1] = {self};
    if (ct__any_requires_grad(1, in) && !record("TakeBackward0", take_backward, out, 1, in, index, 0, self, NULL)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- nonzero, masked_select, masked_scatter ---- */

ct_tensor *ct_nonzero(const ct_tensor *self) {
    if (!self) return NULL;
    int64_t n = ct__numel(self), count = 0;
    ct__walker w = {.ndim = self->ndim, .nops = 1};
    memcpy(w.sizes, self->sizes, sizeof w.sizes);
    memcpy(w.st[0], self->strides, sizeof w.st[0]);
    const char *p = ct__data(self);
    int64_t item = (int64_t)ct__traits(self->dtype)->itemsize;
    for (int64_t k = 0; k < n; k++, ct__walker_next(&w))
        count += ct__elem_nonzero(self->dtype, p + w.off[0] * item);
    int64_t shape[2] = {count, self->ndim};
    ct_tensor *out = ct__empty(CT_INT64, 2, shape);
    if (!out || count == 0 || self->ndim == 0) return out;
    int64_t *o = (int64_t *)ct__data(out);
    ct__walker v = {.ndim = self->ndim, .nops = 1};
    memcpy(v.sizes, self->sizes, sizeof v.sizes);
    memcpy(v.st[0], self->strides, sizeof v.st[0]);
    for (int64_t k = 0; k < n; k++, ct__walker_next(&v)) {
        if (!ct__elem_nonzero(self->dtype, p + v.off[0] * item)) continue;
        memcpy(o, v.pos, (size_t)self->ndim * sizeof *o);
        o += self->ndim;
    }
    return out;
}

int ct_nonzero_tuple(const ct_tensor *self, ct_tensor **out) {
    if (!self || !out) return CT_ERROR;
    ct_tensor *nz = ct_nonzero(self);
    if (!nz) return CT_ERROR;
    int m = self->ndim ? self->ndim : 1;
    int64_t count = nz->sizes[0];
    for (int i = 0; i < m; i++) {
        if (self->ndim == 0) {
            out[i] = ct_zeros(1, &count, CT_OPTS(.dtype = CT_INT64));
        } else {
            ct_tensor *c = ct__select(nz, 1, i);
            out[i] = c ? ct__clone(c) : NULL;
            ct_free(c);
        }
        if (!out[i]) {
            for (int j = 0; j < i; j++)
                ct_free(out[j]), out[j] = NULL;
            ct_free(nz);
            return CT_ERROR;
        }
    }
    ct_free(nz);
    return m;
}

static int mask_dtype_check(const ct_tensor *mask, const char *msg) {
    if (mask->dtype != CT_BOOL && mask->dtype != CT_UINT8) {
        ct__error("%s", msg);
        return CT_ERROR;
    }
    return CT_OK;
}

/* MaskedSelectBackward0: zeros(broadcast).masked_scatter(mask, grad), summed to self */
static int masked_select_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *mask = ct__unpack(n, 0);
    ct_tensor *t[3] = {0};
    t[0] = mask ? ct__index_zeros(g[0]->dtype, (int)n->ints[1], n->shape_arg2) : NULL;
    t[1] = t[0] ? ct_masked_scatter(t[0], mask, g[0]) : NULL;
    out[0] = t[1] ? ct__sum_to(t[1], n->ndim_arg, n->shape_arg) : NULL;
    ct__free_all(2, t);
    ct_free(mask);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_masked_select(const ct_tensor *self, const ct_tensor *mask) {
    if (!self || !mask) return NULL;
    if (mask_dtype_check(mask, "masked_select: expected BoolTensor or ByteTensor for mask") != CT_OK) return NULL;
    int ndim;
    int64_t shape[CT_MAX_DIMS];
    if (mask_bcast(self, mask, &ndim, shape) != CT_OK) return NULL;
    ct__walker w = {.ndim = ndim, .nops = 2};
    memcpy(w.sizes, shape, sizeof shape);
    if (ct__broadcast_strides(self, ndim, shape, w.st[0]) != CT_OK ||
        ct__broadcast_strides(mask, ndim, shape, w.st[1]) != CT_OK)
        return NULL;
    int64_t n = ct__shape_numel(ndim, shape), count = 0, k;
    const char *pm = ct__data(mask), *ps = ct__data(self);
    int64_t mi = (int64_t)ct__traits(mask->dtype)->itemsize, si = (int64_t)ct__traits(self->dtype)->itemsize;
    ct__walker w2 = w;
    for (k = 0; k < n; k++, ct__walker_next(&w))
        count += ct__elem_nonzero(mask->dtype, pm + w.off[1] * mi);
    ct_tensor *out = ct__empty(self->dtype, 1, &count);
    if (!out) return NULL;
    char *po = ct__data(out);
    for (k = 0; k < n; k++, ct__walker_next(&w2)) {
        if (!ct__elem_nonzero(mask->dtype, pm + w2.off[1] * mi)) continue;
        memcpy(po, ps + w2.off[0] * si, (size_t)si);
        po += si;
    }
    const ct_tensor *in[1] = {self};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n2 = record("MaskedSelectBackward0", masked_select_backward, out, 1, in, mask, 0, self, NULL);
        if (!n2) {
            ct_free(out);
            return NULL;
        }
        n2->ints[1] = ndim;
        memcpy(n2->shape_arg2, shape, sizeof shape);
    }
    return out;
}

/* MaskedScatterBackward0: self: grad.masked_fill(mask, 0) (summed to self);
 * source: grad.masked_select(mask) padded with zeros to source's numel,
 * in source's shape. saved[0] = mask. */
static int masked_scatter_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *mask = ct__unpack(n, 0);
    if (!mask) return CT_ERROR;
    int rc = CT_OK;
    if (n->next[0].fn && !(out[0] = masked_self_grad(n, g[0], mask))) rc = CT_ERROR;
    if (rc == CT_OK && n->next[1].fn) {
        int64_t numel = ct__shape_numel((int)n->ints[1], n->shape_arg2);
        ct_tensor *t[4] = {0};
        t[0] = ct_masked_select(g[0], mask);
        int64_t m = t[0] ? t[0]->sizes[0] : 0;
        t[1] = t[0] ? ct__index_zeros(g[0]->dtype, 1, &numel) : NULL;
        t[2] = t[1] ? ct_arange(0, m, 1, CT_OPTS(.dtype = CT_INT64)) : NULL;
        t[3] = t[2] ? ct_index_copy(t[1], 0, t[2], t[0]) : NULL;
        out[1] = t[3] ? ct_reshape(t[3], (int)n->ints[1], n->shape_arg2) : NULL;
        ct__free_all(4, t);
        if (!out[1]) rc = CT_ERROR;
    }
    ct_free(mask);
    return rc;
}

ct_tensor *ct_masked_scatter(const ct_tensor *self, const ct_tensor *mask, const ct_tensor *source) {
    if (!self || !mask || !source) return NULL;
    if (self->dtype != source->dtype) {
        ct__error("masked_scatter: expected self and source to have same dtypes but got%s and %s",
                  ct__traits(self->dtype)->scalar_name, ct__traits(source->dtype)->scalar_name);
        return NULL;
    }
    int ndim;
    int64_t shape[CT_MAX_DIMS];
    if (mask_bcast(self, mask, &ndim, shape) != CT_OK) return NULL;
    ct_tensor *e = ct__expand(self, ndim, shape);
    ct_tensor *out = e ? ct__clone(e) : NULL;
    ct_tensor *src = out ? ct__clone(source) : NULL; /* contiguous, row-major */
    ct_free(e);
    if (!src) {
        ct_free(out);
        return NULL;
    }
    ct__walker w = {.ndim = ndim, .nops = 2};
    memcpy(w.sizes, shape, sizeof shape);
    memcpy(w.st[0], out->strides, sizeof w.st[0]);
    int rc = ct__broadcast_strides(mask, ndim, shape, w.st[1]);
    const char *pm = ct__data(mask), *ps = ct__data(src);
    char *po = ct__data(out);
    int64_t mi = (int64_t)ct__traits(mask->dtype)->itemsize, si = (int64_t)ct__traits(self->dtype)->itemsize;
    int64_t n = ct__numel(out), avail = ct__numel(src), used = 0;
    for (int64_t k = 0; rc == CT_OK && k < n; k++, ct__walker_next(&w)) {
        if (!ct__elem_nonzero(mask->dtype, pm + w.off[1] * mi)) continue;
        if (used >= avail) {
            ct__error("Number of elements of source < number of ones in mask");
            rc = CT_ERROR;
            break;
        }
        memcpy(po + w.off[0] * si, ps + used * si, (size_t)si);
        used++;
    }
    ct_free(src);
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    const ct_tensor *in[2] = {self, source};
    if (ct__any_requires_grad(2, in) &&
        !record("MaskedScatterBackward0", masked_scatter_backward, out, 2, in, mask, 0, self, source)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* ---- in-place forms ---- */

static int inplace_ok(ct_tensor *self, const ct_tensor *a, const ct_tensor *b) {
    if (!self || !a || !b) return CT_ERROR;
    return ct__check_inplace(self);
}

int ct_index_add_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source, double alpha) {
    if (inplace_ok(self, index, source) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_index_add(self, dim, index, source, alpha));
}
int ct_index_copy_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source) {
    if (inplace_ok(self, index, source) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_index_copy(self, dim, index, source));
}
int ct_index_fill_(ct_tensor *self, int64_t dim, const ct_tensor *index, double value) {
    if (inplace_ok(self, index, index) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_index_fill(self, dim, index, value));
}
int ct_index_reduce_(ct_tensor *self, int64_t dim, const ct_tensor *index, const ct_tensor *source, const char *reduce,
                     bool include_self) {
    if (inplace_ok(self, index, source) != CT_OK || !reduce) return CT_ERROR;
    return ct__write_back(self, ct_index_reduce(self, dim, index, source, reduce, include_self));
}
int ct_masked_fill_(ct_tensor *self, const ct_tensor *mask, double value) {
    if (inplace_ok(self, mask, mask) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_masked_fill(self, mask, value));
}
int ct_masked_fill_tensor_(ct_tensor *self, const ct_tensor *mask, const ct_tensor *value) {
    if (inplace_ok(self, mask, value) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_masked_fill_tensor(self, mask, value));
}
int ct_masked_scatter_(ct_tensor *self, const ct_tensor *mask, const ct_tensor *source) {
    if (inplace_ok(self, mask, source) != CT_OK) return CT_ERROR;
    return ct__write_back(self, ct_masked_scatter(self, mask, source));
}
