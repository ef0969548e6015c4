/* Joining: cat, stack, hstack/vstack/dstack/column_stack, atleast_*d, and
 * the tensor-list type the family shares. Backward formulas follow
 * tools/autograd/derivatives.yaml (PyTorch 1.13): cat narrows the gradient
 * per input, stack selects it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ops/join_internal.h"

/* ---- lists ---- */

ct_tensor_list *ct__list_new(int n) {
    ct_tensor_list *l = malloc(sizeof *l);
    ct_tensor **items = calloc(n > 0 ? (size_t)n : 1, sizeof *items);
    if (!l || !items) {
        free(l);
        free(items);
        ct__error("out of memory");
        return NULL;
    }
    l->n = n;
    l->items = items;
    return l;
}

void ct_tensor_list_free(ct_tensor_list *list) {
    if (!list) return;
    for (int i = 0; i < list->n; i++) ct_free(list->items[i]);
    free(list->items);
    free(list);
}

bool ct__list_ok(int n, ct_tensor *const *tensors) {
    if (n < 0 || (n > 0 && !tensors)) return false;
    for (int i = 0; i < n; i++)
        if (!tensors[i]) return false;
    return true;
}

void ct__mark_view(ct_tensor *out) {
    ct_autograd_meta *m = ct__meta(out);
    if (m) m->is_view_of_grad = true;
}

/* ---- cat ---- */

/* at::native::cat_should_skip_tensor: legacy 1-D empty tensors */
static bool cat_skip(const ct_tensor *t) { return t->ndim == 1 && t->sizes[0] == 0; }

/* The concatenation without history. *dim_out: the wrapped dim (the raw
 * dim when every input is skipped). */
static ct_tensor *cat_raw(int n, ct_tensor *const *ts, int dim, int *dim_out) {
    for (int i = 0; i < n; i++) {
        if (ts[i]->ndim == 0) {
            ct__error("zero-dimensional tensor (at position %d) cannot be concatenated", i);
            return NULL;
        }
    }
    int valid = n;
    for (int i = 0; i < n; i++) {
        if (!cat_skip(ts[i])) {
            valid = i;
            break;
        }
    }
    int d = dim;
    if (valid < n && (d = ct__wrap_dim(dim, ts[valid]->ndim)) < 0) return NULL;
    if (n == 0) {
        ct__error("torch.cat(): expected a non-empty list of Tensors");
        return NULL;
    }
    *dim_out = d;
    ct_dtype dtype = ts[0]->dtype;
    for (int i = 1; i < n; i++) dtype = ct_promote_types(dtype, ts[i]->dtype);
    if (valid == n) return ct__empty(dtype, 1, (const int64_t[]){0});
    const ct_tensor *first = ts[valid];
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, first->sizes, sizeof sizes);
    sizes[d] = 0;
    for (int i = 0; i < n; i++) {
        const ct_tensor *t = ts[i];
        if (cat_skip(t)) continue;
        if (t->ndim != first->ndim) {
            ct__error("Tensors must have same number of dimensions: got %d and %d", first->ndim, t->ndim);
            return NULL;
        }
        for (int k = 0; k < first->ndim; k++) {
            if (k == d || t->sizes[k] == first->sizes[k]) continue;
            ct__error("Sizes of tensors must match except in dimension %d. Expected size %" PRId64
                      " but got size %" PRId64 " for tensor number %d in the list.",
                      d, first->sizes[k], t->sizes[k], i);
            return NULL;
        }
        sizes[d] += t->sizes[d];
    }
    ct_tensor *out = ct__empty(dtype, first->ndim, sizes);
    if (!out) return NULL;
    int64_t off = 0;
    for (int i = 0; i < n; i++) {
        const ct_tensor *t = ts[i];
        if (cat_skip(t) || t->sizes[d] == 0) continue;
        ct_tensor *v = ct__narrow(out, d, off, t->sizes[d]);
        int rc = v ? ct__copy_(v, t) : CT_ERROR;
        ct_free(v);
        if (rc != CT_OK) {
            ct_free(out);
            return NULL;
        }
        off += t->sizes[d];
    }
    return out;
}

/* CatBackward0: ints[0] = dim; saved[0] = int64 sizes along dim per input
 * (-1: a skipped empty input, whose gradient is empty). */
static int cat_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *sz = ct__unpack(n, 0);
    if (!sz) return CT_ERROR;
    const int64_t *s = (const int64_t *)ct__data(sz);
    int dim = (int)n->ints[0];
    int64_t off = 0;
    int rc = CT_OK;
    for (int i = 0; i < n->num_next && rc == CT_OK; i++) {
        if (s[i] < 0) {
            if (n->next[i].fn && !(out[i] = ct_zeros(1, (const int64_t[]){0}, CT_OPTS(.dtype = g[0]->dtype))))
                rc = CT_ERROR;
            continue;
        }
        if (n->next[i].fn && !(out[i] = ct_narrow(g[0], dim, off, s[i]))) rc = CT_ERROR;
        off += s[i];
    }
    ct_free(sz);
    return rc;
}

ct_tensor *ct_cat(int n, ct_tensor *const *tensors, int dim) {
    if (!ct__list_ok(n, tensors)) return NULL;
    int d;
    ct_tensor *out = cat_raw(n, tensors, dim, &d);
    if (!out) return NULL;
    if (!ct__any_requires_grad(n, (const ct_tensor *const *)tensors)) return out;
    ct_tensor *sz = ct__empty(CT_INT64, 1, (const int64_t[]){n});
    ct_node *node = sz ? ct__record("CatBackward0", cat_backward, out, n, (const ct_tensor *const *)tensors) : NULL;
    if (node) {
        int64_t *s = (int64_t *)ct__data(sz);
        for (int i = 0; i < n; i++) s[i] = cat_skip(tensors[i]) ? -1 : tensors[i]->sizes[d];
        node->ints[0] = d;
    }
    if (!node || ct__save(node, 0, sz, false, 0) != CT_OK) {
        ct_free(sz);
        ct_free(out);
        return NULL;
    }
    ct_free(sz);
    return out;
}

ct_tensor *ct_concat(int n, ct_tensor *const *tensors, int dim) { return ct_cat(n, tensors, dim); }

/* ---- stack ---- */

/* StackBackward0: ints[0] = dim; input i gets g.select(dim, i) */
static int stack_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < n->num_next; i++) {
        if (n->next[i].fn && !(out[i] = ct_select(g[0], (int)n->ints[0], i))) return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct_stack(int n, ct_tensor *const *tensors, int dim) {
    if (!ct__list_ok(n, tensors)) return NULL;
    if (n == 0) {
        ct__error("stack expects a non-empty TensorList");
        return NULL;
    }
    int wd = ct__wrap_dim(dim, tensors[0]->ndim + 1);
    if (wd < 0) return NULL;
    const ct_tensor *t0 = tensors[0];
    {
        for (int i = 1; i < n; i++) {
            const ct_tensor *t = tensors[i];
            if (t->ndim == t0->ndim && !memcmp(t->sizes, t0->sizes, (size_t)t0->ndim * sizeof *t0->sizes)) continue;
            char a[256], b[256];
            ct__error("stack expects each tensor to be equal size, but got %s at entry 0 and %s at entry %d",
                      ct__format_shape(a, sizeof a, t0->ndim, t0->sizes), ct__format_shape(b, sizeof b, t->ndim, t->sizes),
                      i);
            return NULL;
        }
    }
    ct_tensor **u = calloc((size_t)n, sizeof *u);
    if (!u) {
        ct__error("out of memory");
        return NULL;
    }
    ct_tensor *out = NULL;
    int i = 0;
    for (; i < n; i++)
        if (!(u[i] = ct__unsqueeze(tensors[i], wd))) break;
    int d;
    if (i == n) out = cat_raw(n, u, wd, &d);
    ct__free_all(n, u);
    free(u);
    if (!out || !ct__any_requires_grad(n, (const ct_tensor *const *)tensors)) return out;
    ct_node *node = ct__record("StackBackward0", stack_backward, out, n, (const ct_tensor *const *)tensors);
    if (!node) {
        ct_free(out);
        return NULL;
    }
    node->ints[0] = d;
    return out;
}

/* ---- atleast_*d and the *stack family ---- */

ct_tensor *ct_atleast_1d(const ct_tensor *t) {
    if (!t) return NULL;
    return t->ndim == 0 ? ct_reshape(t, CT_SIZE(1)) : ct__retain(t);
}

ct_tensor *ct_atleast_2d(const ct_tensor *t) {
    if (!t) return NULL;
    if (t->ndim == 0) return ct_reshape(t, CT_SIZE(1, 1));
    if (t->ndim == 1) return ct_unsqueeze(t, 0);
    return ct__retain(t);
}

ct_tensor *ct_atleast_3d(const ct_tensor *t) {
    if (!t) return NULL;
    if (t->ndim == 0) return ct_reshape(t, CT_SIZE(1, 1, 1));
    if (t->ndim == 1) {
        ct_tensor *a = ct_unsqueeze(t, 0);
        ct_tensor *b = a ? ct_unsqueeze(a, -1) : NULL;
        ct_free(a);
        return b;
    }
    if (t->ndim == 2) return ct_unsqueeze(t, -1);
    return ct__retain(t);
}

typedef enum { STACK_H, STACK_V, STACK_D, STACK_COLUMN } stack_kind;

static ct_tensor *column(const ct_tensor *t) {
    return t->ndim <= 1 ? ct_reshape(t, CT_SIZE(ct__numel(t), 1)) : ct__retain(t);
}

static ct_tensor *stack_family(int n, ct_tensor *const *tensors, stack_kind kind) {
    static const char *const names[] = {"hstack", "vstack", "dstack", "column_stack"};
    if (!ct__list_ok(n, tensors)) return NULL;
    if (n == 0) {
        ct__error("%s expects a non-empty TensorList", names[kind]);
        return NULL;
    }
    ct_tensor **r = calloc((size_t)n, sizeof *r);
    if (!r) {
        ct__error("out of memory");
        return NULL;
    }
    int i = 0;
    for (; i < n; i++) {
        const ct_tensor *t = tensors[i];
        r[i] = kind == STACK_H ? ct_atleast_1d(t) : kind == STACK_V ? ct_atleast_2d(t)
             : kind == STACK_D ? ct_atleast_3d(t) : column(t);
        if (!r[i]) break;
    }
    ct_tensor *out = NULL;
    if (i == n) {
        if (kind == STACK_COLUMN) out = ct_hstack(n, r);
        else out = ct_cat(n, r, kind == STACK_V ? 0 : kind == STACK_D ? 2 : r[0]->ndim == 1 ? 0 : 1);
    }
    ct__free_all(n, r);
    free(r);
    return out;
}

ct_tensor *ct_hstack(int n, ct_tensor *const *tensors) { return stack_family(n, tensors, STACK_H); }
ct_tensor *ct_vstack(int n, ct_tensor *const *tensors) { return stack_family(n, tensors, STACK_V); }
ct_tensor *ct_row_stack(int n, ct_tensor *const *tensors) { return stack_family(n, tensors, STACK_V); }
ct_tensor *ct_dstack(int n, ct_tensor *const *tensors) { return stack_family(n, tensors, STACK_D); }
ct_tensor *ct_column_stack(int n, ct_tensor *const *tensors) { return stack_family(n, tensors, STACK_COLUMN); }

/* ---- the gradient of a piece: zeros around it ---- */

ct_tensor *ct__pad_along(const ct_tensor *g, int dim, int64_t start, int64_t total) {
    int64_t len = g->sizes[dim], after = total - start - len;
    if (start == 0 && after == 0) return ct__retain(g);
    int64_t sizes[CT_MAX_DIMS];
    memcpy(sizes, g->sizes, sizeof sizes);
    ct_tensor *parts[3] = {0}, *zs[2] = {0};
    int k = 0;
    if (start > 0) {
        sizes[dim] = start;
        parts[k++] = zs[0] = ct_zeros(g->ndim, sizes, CT_OPTS(.dtype = g->dtype));
    }
    parts[k++] = (ct_tensor *)g;
    if (after > 0) {
        sizes[dim] = after;
        parts[k++] = zs[1] = ct_zeros(g->ndim, sizes, CT_OPTS(.dtype = g->dtype));
    }
    ct_tensor *r = ct__list_ok(k, parts) ? ct_cat(k, parts, dim) : NULL;
    ct__free_all(2, zs);
    return r;
}
