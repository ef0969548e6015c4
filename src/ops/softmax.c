/* softmax, log_softmax, softmin (torch.nn.functional) over one dim, with
 * PyTorch's implicit-dim rule and dtype argument. Forward: the fused
 * kernel of kernels/cpu/softmax.c on a contiguous copy. Backward (saved
 * output y, written with ctorch ops so it is twice differentiable):
 *   softmax:     y * (g - sum(g * y, dim))
 *   log_softmax: g - exp(y) * sum(g, dim)
 * A plain backward (grad mode off) of float32 over the last dim runs the
 * same formulas as one fused kernel pass per row (kernels/cpu/softmax.c). */
#include <string.h>

#include "ctorch/nn_activation.h"
#include "kernels/cpu/softmax.h"
#include "ops/op_util.h"

/* keepdim sum over dim, also for a 0-dim tensor (dim 0: itself) */
static ct_tensor *sum_keep(const ct_tensor *t, int dim) {
    if (!t) return NULL;
    if (t->ndim == 0) return ct__retain(t);
    const int64_t d[1] = {dim};
    return ct_sum_dim(t, 1, d, true);
}

/* Plain backward (grad mode off) of float32 over the last dim: one fused
 * kernel pass per row. Returns false when the case is not covered. */
static bool fused_backward(ct_node *n, ct_tensor *y, const ct_tensor *g, bool log, ct_tensor **out) {
    int d = (int)n->ints[0];
    if (!y || !g || ct_is_grad_enabled() || y->dtype != CT_FLOAT32 || g->dtype != CT_FLOAT32 || y->ndim == 0 ||
        d != y->ndim - 1 || !ct__is_contiguous(y) || g->ndim != y->ndim)
        return false;
    for (int i = 0; i < y->ndim; i++)
        if (g->sizes[i] != y->sizes[i]) return false;
    ct_tensor *gc = ct_contiguous(g);
    ct_tensor *gx = gc ? ct__empty(CT_FLOAT32, y->ndim, y->sizes) : NULL;
    if (gx) {
        int64_t cols = y->sizes[d], rows = cols ? ct__numel(y) / cols : 0;
        ct__kernel_softmax_backward_f32((const float *)ct__data(y), (const float *)ct__data(gc), (float *)ct__data(gx), rows,
                                        cols, log);
    }
    ct_free(gc);
    *out = gx;
    return true;
}

static int softmax_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 0);
    if (fused_backward(n, y, gin[0], false, &out[0])) {
        ct_free(y);
        return out[0] ? CT_OK : CT_ERROR;
    }
    ct_tensor *gy = y ? ct_mul(gin[0], y) : NULL;
    ct_tensor *s = sum_keep(gy, (int)n->ints[0]);
    ct_tensor *ys = s ? ct_mul(y, s) : NULL;
    out[0] = ys ? ct_sub(gy, ys) : NULL;
    ct_free(y);
    ct_free(gy);
    ct_free(s);
    ct_free(ys);
    return out[0] ? CT_OK : CT_ERROR;
}

static int log_softmax_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    ct_tensor *y = ct__unpack(n, 0);
    if (fused_backward(n, y, gin[0], true, &out[0])) {
        ct_free(y);
        return out[0] ? CT_OK : CT_ERROR;
    }
    ct_tensor *e = y ? ct_exp(y) : NULL;
    ct_tensor *s = e ? sum_keep(gin[0], (int)n->ints[0]) : NULL;
    ct_tensor *es = s ? ct_mul(e, s) : NULL;
    out[0] = es ? ct_sub(gin[0], es) : NULL;
    ct_free(y);
    ct_free(e);
    ct_free(s);
    ct_free(es);
    return out[0] ? CT_OK : CT_ERROR;
}

/* F._get_softmax_dim */
static int64_t resolve_dim(const ct_tensor *x, int64_t dim, const char *name) {
    if (dim != CT_SOFTMAX_DIM_NONE) return dim;
    ct__warn("Implicit dimension choice for %s has been deprecated. Change the call to include dim=X as an "
             "argument.",
             name);
    return (x->ndim == 0 || x->ndim == 1 || x->ndim == 3) ? 0 : 1;
}

static ct_tensor *softmax_impl(const ct_tensor *x, int64_t dim, bool log) {
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return NULL;
    bool lastdim = x->ndim == 0 || d == x->ndim - 1;
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64 && x->dtype != CT_BFLOAT16) {
        /* PyTorch 1.13 names both non-last-dim kernels "softmax_kernel_impl" */
        ct__error("\"%s\" not implemented for '%s'",
                  !lastdim ? "softmax_kernel_impl" : log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl",
                  ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    int64_t outer = 1, n = 1, inner = 1;
    if (x->ndim > 0) {
        for (int i = 0; i < d; i++) outer *= x->sizes[i];
        n = x->sizes[d];
        for (int i = d + 1; i < x->ndim; i++) inner *= x->sizes[i];
    }
    ct_tensor *xc = ct_contiguous(x);
    ct_tensor *out = xc ? ct__empty(x->dtype, x->ndim, x->sizes) : NULL;
    if (out && ct__kernel_softmax(ct__data(xc), ct__data(out), x->dtype, outer, n, inner, log) != CT_OK) {
        ct_free(out);
        out = NULL;
    }
    ct_free(xc);
    if (!out) return NULL;
    const ct_tensor *in[1] = {x};
    if (!ct__any_requires_grad(1, in)) return out;
    ct_node *node = ct__record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0",
                               log ? log_softmax_backward : softmax_backward, out, 1, in);
    if (!node || ct__save(node, 0, out, true, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    node->ints[0] = x->ndim == 0 ? 0 : d;
    node->nints = 1;
    return out;
}

/* x converted to dtype first (differentiably), when one is given */
static ct_tensor *with_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype, bool log, bool negate,
                             const char *name) {
    if (!x) return NULL;
    dim = resolve_dim(x, dim, name);
    ct_tensor *t = negate ? ct_neg(x) : ct__retain(x);
    if (t && dtype != CT_DTYPE_DEFAULT && t->dtype != dtype) {
        ct_tensor *c = ct_to_dtype(t, dtype);
        ct_free(t);
        t = c;
    }
    ct_tensor *out = t ? softmax_impl(t, dim, log) : NULL;
    ct_free(t);
    return out;
}

ct_tensor *ct_softmax(const ct_tensor *x, int64_t dim) { return with_dtype(x, dim, CT_DTYPE_DEFAULT, false, false, "softmax"); }
ct_tensor *ct_softmax_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    return with_dtype(x, dim, dtype, false, false, "softmax");
}
ct_tensor *ct_log_softmax(const ct_tensor *x, int64_t dim) {
    return with_dtype(x, dim, CT_DTYPE_DEFAULT, true, false, "log_softmax");
}
ct_tensor *ct_log_softmax_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    return with_dtype(x, dim, dtype, true, false, "log_softmax");
}
ct_tensor *ct_softmin(const ct_tensor *x, int64_t dim) { return with_dtype(x, dim, CT_DTYPE_DEFAULT, false, true, "softmin"); }
ct_tensor *ct_softmin_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype) {
    return with_dtype(x, dim, dtype, false, true, "softmin");
}
