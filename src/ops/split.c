/* Splitting into views: chunk, split, split_with_sizes, tensor_split,
 * hsplit/vsplit/dsplit, unbind; and the list-valued broadcast_tensors and
 * meshgrid.
 *
 * PyTorch records one multi-output node (SplitBackward0, UnbindBackward0)
 * for all pieces; ctorch's nodes hold at most CT_NODE_MAX_OUTPUTS outputs,
 * so each piece gets its own node of that name whose formula pads the
 * piece's gradient with zeros (ct__pad_along, built with cat); the engine
 * sums what the pieces send to the input, which is PyTorch's result. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops/join_internal.h"

/* ints[0] = dim, ints[1] = start, ints[2] = the input's size along dim,
 * ints[3] = 1 when the piece dropped dim (unbind). */
static int piece_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    int dim = (int)n->ints[0];
    ct_tensor *gu = n->ints[3] ? ct_unsqueeze(g[0], dim) : ct__retain(g[0]);
    out[0] = gu ? ct__pad_along(gu, dim, n->ints[1], n->ints[2]) : NULL;
    ct_free(gu);
    return out[0] ? CT_OK : CT_ERROR;
}

/* The piece t[start : start + len] along dim (or t.select(dim, start) when
 * drop), recorded under name. */
static ct_tensor *piece(const ct_tensor *t, int dim, int64_t start, int64_t len, bool drop, const char *name) {
    ct_tensor *out = drop ? ct__select(t, dim, start) : ct__narrow(t, dim, start, len);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record(name, piece_backward, out, 1, &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = dim, n->ints[1] = start, n->ints[2] = t->sizes[dim], n->ints[3] = drop;
    ct__mark_view(out);
    return out;
}

/* Pieces of the given lengths along the (wrapped) dim. */
static ct_tensor_list *pieces(const ct_tensor *t, int dim, int n, const int64_t *lens, const char *name) {
    ct_tensor_list *l = ct__list_new(n);
    if (!l) return NULL;
    int64_t start = 0;
    for (int i = 0; i < n; i++) {
        if (!(l->items[i] = piece(t, dim, start, lens[i], false, name))) {
            ct_tensor_list_free(l);
            return NULL;
        }
        start += lens[i];
    }
    return l;
}

/* dim wrapped against t (which has >= 1 dim), or -1 with the error set */
static int wrap(const ct_tensor *t, int dim) { return ct__wrap_dim(dim, t->ndim); }

static ct_tensor_list *split_impl(const ct_tensor *t, int64_t split_size, int dim) {
    int d = wrap(t, dim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    if (split_size == 0 && size != 0) {
        ct__error("split_size can only be 0 if dimension size is 0, but got dimension size of %" PRId64, size);
        return NULL;
    }
    int64_t n = split_size == 0 ? 1 : (size + split_size - 1) / split_size;
    if (n < 1) n = 1;
    if (n > INT32_MAX) {
        ct__error("split: too many pieces (%" PRId64 ")", n);
        return NULL;
    }
    ct_tensor_list *l = ct__list_new((int)n);
    if (!l) return NULL;
    for (int64_t i = 0; i < n; i++) {
        int64_t len = i < n - 1 ? split_size : size - split_size * (n - 1);
        if (!(l->items[i] = piece(t, d, i * split_size, len, false, "SplitBackward0"))) {
            ct_tensor_list_free(l);
            return NULL;
        }
    }
    return l;
}

ct_tensor_list *ct_split(const ct_tensor *t, int64_t split_size, int dim) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        ct__error("split expects at least a 1-dimensional tensor");
        return NULL;
    }
    if (split_size < 0) {
        ct__error("split expects split_size be non-negative, but got split_size=%" PRId64, split_size);
        return NULL;
    }
    return split_impl(t, split_size, dim);
}

ct_tensor_list *ct_chunk(const ct_tensor *t, int64_t chunks, int dim) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        ct__error("chunk expects at least a 1-dimensional tensor");
        return NULL;
    }
    if (chunks <= 0) {
        ct__error("chunk expects `chunks` to be greater than 0, got: %" PRId64, chunks);
        return NULL;
    }
    int d = wrap(t, dim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    int64_t split_size = (size + chunks - 1) / chunks;
    if (split_size == 0 && size == 0) {
        /* PyTorch keeps the number of chunks: split_with_sizes of zeros */
        if (chunks > INT32_MAX) {
            ct__error("chunk: too many pieces (%" PRId64 ")", chunks);
            return NULL;
        }
        ct_tensor_list *l = ct__list_new((int)chunks);
        for (int64_t i = 0; l && i < chunks; i++) {
            if (!(l->items[i] = piece(t, d, 0, 0, false, "SplitWithSizesBackward0"))) {
                ct_tensor_list_free(l);
                return NULL;
            }
        }
        return l;
    }
    return split_impl(t, split_size, d);
}

/* "[1, 2, 3]" */
static const char *format_list(char *buf, size_t len, int n, const int64_t *v) {
    return ct__format_shape(buf, len, n, v);
}

ct_tensor_list *ct_split_with_sizes(const ct_tensor *t, int nsizes, const int64_t *sizes, int dim) {
    if (!t || nsizes < 0 || (nsizes > 0 && !sizes)) return NULL;
    if (t->ndim == 0) {
        ct__error("split expects at least a 1-dimensional tensor");
        return NULL;
    }
    int d = wrap(t, dim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d], sum = 0;
    char buf[512];
    for (int i = 0; i < nsizes; i++) {
        if (sizes[i] < 0) {
            ct__error("split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=%s",
                      format_list(buf, sizeof buf, nsizes, sizes));
            return NULL;
        }
        sum += sizes[i];
    }
    if (sum != size) {
        ct__error("split_with_sizes expects split_sizes to sum exactly to %" PRId64
                  " (input tensor's size at dimension %d), but got split_sizes=%s",
                  size, dim, format_list(buf, sizeof buf, nsizes, sizes));
        return NULL;
    }
    return pieces(t, d, nsizes, sizes, "SplitWithSizesBackward0");
}

static bool tensor_split_check(const ct_tensor *t) {
    if (t->ndim > 0) return true;
    ct__error("tensor_split expected at least a 1-dimensional tensor, but got a tensor with %d dims", t->ndim);
    return false;
}

/* the pieces t[b[i] : b[i+1]] along d, as at::slice (SliceBackward0) */
static ct_tensor_list *slices(const ct_tensor *t, int d, int n, const int64_t *starts, const int64_t *ends) {
    ct_tensor_list *l = ct__list_new(n);
    for (int i = 0; l && i < n; i++) {
        if (!(l->items[i] = ct_slice(t, d, starts[i], ends[i], 1))) {
            ct_tensor_list_free(l);
            return NULL;
        }
    }
    return l;
}

ct_tensor_list *ct_tensor_split(const ct_tensor *t, int64_t sections, int dim) {
    if (!t || !tensor_split_check(t)) return NULL;
    if (sections <= 0) {
        ct__error("number of sections must be larger than 0, got %" PRId64, sections);
        return NULL;
    }
    int d = wrap(t, dim);
    if (d < 0) return NULL;
    if (sections > (int64_t)1 << 24) {
        ct__error("tensor_split: too many sections (%" PRId64 ")", sections);
        return NULL;
    }
    int n = (int)sections;
    int64_t size = t->sizes[d], min = size / sections, extra = size % sections, start = 0;
    int64_t *se = malloc(2 * (size_t)n * sizeof *se);
    if (!se) {
        ct__error("out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        int64_t len = i < extra ? min + 1 : min;
        se[i] = start, se[n + i] = start + len;
        start += len;
    }
    ct_tensor_list *l = slices(t, d, n, se, se + n);
    free(se);
    return l;
}

ct_tensor_list *ct_tensor_split_indices(const ct_tensor *t, int nindices, const int64_t *indices, int dim) {
    if (!t || nindices < 0 || (nindices > 0 && !indices) || !tensor_split_check(t)) return NULL;
    int d = wrap(t, dim);
    if (d < 0) return NULL;
    int n = nindices + 1;
    int64_t *se = malloc(2 * (size_t)n * sizeof *se);
    if (!se) {
        ct__error("out of memory");
        return NULL;
    }
    int64_t start = 0;
    for (int i = 0; i < nindices; i++) {
        se[i] = start, se[n + i] = indices[i];
        start = indices[i];
    }
    se[nindices] = start, se[n + nindices] = t->sizes[d];
    ct_tensor_list *l = slices(t, d, n, se, se + n);
    free(se);
    return l;
}

ct_tensor_list *ct_tensor_split_tensor(const ct_tensor *t, const ct_tensor *ios, int dim) {
    if (!t || !ios || !tensor_split_check(t)) return NULL;
    if (ios->dtype != CT_INT64) {
        ct__error("tensor_split expected tensor_indices_or_sections to have dtype of long, but got %s",
                  ct__traits(ios->dtype)->scalar_name);
        return NULL;
    }
    if (ios->ndim > 1) {
        ct__error("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                  "tensor, but got a tensor with %d dims",
                  ios->ndim);
        return NULL;
    }
    const int64_t *p = (const int64_t *)ct__data(ios);
    if (ios->ndim == 0) return ct_tensor_split(t, p[0], dim);
    int64_t n = ios->sizes[0];
    if (n > (int64_t)1 << 24) {
        ct__error("tensor_split: too many indices (%" PRId64 ")", n);
        return NULL;
    }
    int64_t *idx = malloc((size_t)(n + 1) * sizeof *idx);
    if (!idx) {
        ct__error("out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) idx[i] = p[i * ios->strides[0]];
    ct_tensor_list *l = ct_tensor_split_indices(t, (int)n, idx, dim);
    free(idx);
    return l;
}

/* hsplit / vsplit / dsplit: which = 0, 1, 2 */
static ct_tensor_list *xsplit(const ct_tensor *t, int64_t sections, int which) {
    static const char *const names[] = {"hsplit", "vsplit", "dsplit"};
    static const int min_dims[] = {1, 2, 3};
    if (!t) return NULL;
    if (t->ndim < min_dims[which]) {
        ct__error("torch.%s requires a tensor with at least %d dimension, but got a tensor with %d dimensions!",
                  names[which], min_dims[which], t->ndim);
        return NULL;
    }
    int dim = which == 0 ? (t->ndim == 1 ? 0 : 1) : which == 1 ? 0 : 2;
    if (sections == 0 || t->sizes[dim] % sections != 0) {
        ct__error("torch.%s attempted to split along dimension %d, but the size of the dimension %" PRId64
                  " is not divisible by the split_size %" PRId64 "!",
                  names[which], dim, t->sizes[dim], sections);
        return NULL;
    }
    return ct_tensor_split(t, sections, dim);
}

ct_tensor_list *ct_hsplit(const ct_tensor *t, int64_t sections) { return xsplit(t, sections, 0); }
ct_tensor_list *ct_vsplit(const ct_tensor *t, int64_t sections) { return xsplit(t, sections, 1); }
ct_tensor_list *ct_dsplit(const ct_tensor *t, int64_t sections) { return xsplit(t, sections, 2); }

ct_tensor_list *ct_unbind(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    int d = ct__wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim == 0) {
        ct__error("Dimension specified as %d but tensor has no dimensions", d);
        return NULL;
    }
    int64_t size = t->sizes[d];
    if (size > INT32_MAX) {
        ct__error("unbind: too many pieces (%" PRId64 ")", size);
        return NULL;
    }
    ct_tensor_list *l = ct__list_new((int)size);
    for (int64_t i = 0; l && i < size; i++) {
        if (!(l->items[i] = piece(t, d, i, 1, true, "UnbindBackward0"))) {
            ct_tensor_list_free(l);
            return NULL;
        }
    }
    return l;
}

/* ---- broadcast_tensors, meshgrid ---- */

ct_tensor_list *ct_broadcast_tensors(int n, ct_tensor *const *tensors) {
    if (!ct__list_ok(n, tensors)) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int ndim = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0) {
            ndim = tensors[0]->ndim;
            memcpy(shape, tensors[0]->sizes, sizeof shape);
        } else if ((ndim = ct_broadcast_shapes(ndim, shape, tensors[i]->ndim, tensors[i]->sizes, shape)) < 0) {
            return NULL;
        }
    }
    ct_tensor_list *l = ct__list_new(n);
    for (int i = 0; l && i < n; i++) {
        const ct_tensor *t = tensors[i];
        bool same = t->ndim == ndim && !memcmp(t->sizes, shape, (size_t)ndim * sizeof *shape);
        if (!(l->items[i] = same ? ct__retain(t) : ct_expand(t, ndim, shape))) {
            ct_tensor_list_free(l);
            return NULL;
        }
    }
    return l;
}

ct_tensor_list *ct_meshgrid(int n, ct_tensor *const *tensors, const char *indexing) {
    if (!ct__list_ok(n, tensors)) return NULL;
    if (n == 0) {
        ct__error("meshgrid expects a non-empty TensorList");
        return NULL;
    }
    if (n > CT_MAX_DIMS) {
        ct__error("meshgrid: at most %d tensors (ctorch's CT_MAX_DIMS), got %d", CT_MAX_DIMS, n);
        return NULL;
    }
    for (int i = 0; i + 1 < n; i++) {
        if (tensors[i]->dtype != tensors[i + 1]->dtype) {
            ct__error("meshgrid expects all tensors to have the same dtype");
            return NULL;
        }
    }
    if (!indexing) indexing = "ij";
    bool swap = false;
    if (!strcmp(indexing, "xy")) {
        swap = n >= 2;
    } else if (strcmp(indexing, "ij")) {
        ct__error("torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: %s", indexing);
        return NULL;
    }
    const ct_tensor *refs[CT_MAX_DIMS];
    for (int i = 0; i < n; i++) refs[i] = tensors[i];
    if (swap) refs[0] = tensors[1], refs[1] = tensors[0];
    int64_t shape[CT_MAX_DIMS], view_shape[CT_MAX_DIMS];
    for (int i = 0; i < n; i++) {
        if (refs[i]->ndim > 1) {
            char buf[256];
            ct__error("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: a tensor of shape %s",
                      ct__format_shape(buf, sizeof buf, refs[i]->ndim, refs[i]->sizes));
            return NULL;
        }
        shape[i] = ct__numel(refs[i]);
        view_shape[i] = 1;
    }
    ct_tensor_list *l = ct__list_new(n);
    for (int i = 0; l && i < n; i++) {
        view_shape[i] = -1;
        ct_tensor *v = ct_view(refs[i], n, view_shape);
        view_shape[i] = 1;
        int slot = swap && i < 2 ? 1 - i : i;
        if (!v || !(l->items[slot] = ct_expand(v, n, shape))) {
            ct_free(v);
            ct_tensor_list_free(l);
            return NULL;
        }
        ct_free(v);
    }
    return l;
}
