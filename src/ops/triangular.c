/* tril / triu and their in-place forms. Backward (derivatives.yaml,
 * PyTorch 1.13): grad.tril(k) / grad.triu(k). */
#include <inttypes.h>
#include <string.h>

#include "ops/join_internal.h"

/* Copy x and zero, in every (M, N) matrix, the columns j outside the
 * triangle: tril keeps j - i <= k, triu keeps j - i >= k. */
static ct_tensor *tri_raw(const ct_tensor *x, int64_t k, bool upper) {
    if (x->ndim == 0) {
        ct__error("Dimension specified as -2 but tensor has no dimensions");
        return NULL;
    }
    if (ct__wrap_dim(-2, x->ndim) < 0) return NULL;
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out) return NULL;
    if (ct__numel(out) == 0) return out;
    if (ct__copy_(out, x) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    int64_t m = x->sizes[x->ndim - 2], nc = x->sizes[x->ndim - 1];
    int64_t batch = ct__numel(out) / (m * nc);
    size_t item = ct__traits(out->dtype)->itemsize;
    char *base = ct__data(out);
    for (int64_t b = 0; b < batch; b++) {
        for (int64_t i = 0; i < m; i++) {
            char *row = base + (size_t)((b * m + i) * nc) * item;
            int64_t lo, hi; /* zero [lo, hi) */
            if (upper) {
                lo = 0;
                hi = k > nc - i ? nc : i + k; /* j < i + k */
                if (hi < 0) hi = 0;
            } else {
                lo = k >= nc - i ? nc : i + k + 1; /* j > i + k */
                if (lo < 0) lo = 0;
                hi = nc;
            }
            if (hi > lo) memset(row + (size_t)lo * item, 0, (size_t)(hi - lo) * item);
        }
    }
    return out;
}

static int tril_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_tril(g[0], n->ints[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static int triu_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_triu(g[0], n->ints[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *tri(const ct_tensor *t, int64_t k, bool upper) {
    if (!t) return NULL;
    ct_tensor *out = tri_raw(t, k, upper);
    if (!out || !ct__any_requires_grad(1, &t)) return out;
    ct_node *n = ct__record(upper ? "TriuBackward0" : "TrilBackward0", upper ? triu_backward : tril_backward, out, 1,
                            &t);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = k;
    return out;
}

ct_tensor *ct_tril(const ct_tensor *t, int64_t diagonal) { return tri(t, diagonal, false); }
ct_tensor *ct_triu(const ct_tensor *t, int64_t diagonal) { return tri(t, diagonal, true); }

/* In place: compute out of place, copy back, and make the node t's history
 * (its edge already points at t's previous history). */
static int tri_(ct_tensor *t, int64_t k, bool upper) {
    if (!t) return CT_ERROR;
    if (ct__check_inplace(t) != CT_OK) return CT_ERROR;
    ct_tensor *r = tri(t, k, upper);
    if (!r) return CT_ERROR;
    ct_node *n = ct__grad_fn(r);
    int rc = CT_OK;
    if (n && ct__check_inplace_recordable(t) != CT_OK) rc = CT_ERROR;
    if (rc == CT_OK) rc = ct__copy_(t, r);
    if (rc == CT_OK && n) rc = ct__record_output(n, t, 0);
    ct_free(r);
    return rc;
}

int ct_tril_(ct_tensor *t, int64_t diagonal) { return tri_(t, diagonal, false); }
int ct_triu_(ct_tensor *t, int64_t diagonal) { return tri_(t, diagonal, true); }
