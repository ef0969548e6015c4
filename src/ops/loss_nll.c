/* nll_loss (1-D, 2-D and K-D) and cross_entropy (class indices through the
 * fused log_softmax + nll kernel; label smoothing and class probabilities
 * as PyTorch's compositions). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_loss.h"
#include "kernels/cpu/loss.h"
#include "ops/loss_internal.h"
#include "ops/op_util.h"

/* The problem seen as (N, C, S) with target N*S. */
typedef struct nd_shape {
    int64_t N, C, S;
    bool kd;                    /* NllLoss2DBackward0 */
    bool view_out;              /* 'none' result is viewed to out (dim 3 / > 4) */
    int out_ndim;               /* 'none' result shape */
    int64_t out[CT_MAX_DIMS];
} nd_shape;

static const char *fmt(char *buf, size_t len, const ct_tensor *t) { return ct__format_shape(buf, len, t->ndim, t->sizes); }

/* nll_loss_nd's checks (PyTorch's messages) and the (N, C, S) view. */
static int nd_check(const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, nd_shape *s) {
    char a[256], b[256];
    int d = x->ndim;
    if (d < 1) {
        ct__error("input tensor should be 1D or more");
        return CT_ERROR;
    }
    if (d != 1 && t->ndim >= 1 && x->sizes[0] != t->sizes[0]) {
        ct__error("Expected input batch_size (%" PRId64 ") to match target batch_size (%" PRId64 ").", x->sizes[0],
                  t->sizes[0]);
        return CT_ERROR;
    }
    memset(s, 0, sizeof *s);
    if (d <= 2) {
        if (t->ndim > 1) {
            ct__error("0D or 1D target tensor expected, multi-target not supported");
            return CT_ERROR;
        }
        bool no_batch = d == 1 && t->ndim == 0;
        if (!(no_batch || (t->ndim == 1 && x->sizes[0] == t->sizes[0]))) {
            ct__error("size mismatch (got input: %s, target: %s)", fmt(a, sizeof a, x), fmt(b, sizeof b, t));
            return CT_ERROR;
        }
        s->N = d == 2 ? x->sizes[0] : 1;
        s->C = x->sizes[d - 1];
        s->S = 1;
        if (w && !(w->ndim == 1 && ct__numel(w) == s->C)) {
            ct__error("weight tensor should be defined either for all %" PRId64
                      " classes or no classes but got weight tensor of shape: %s",
                      s->C, fmt(a, sizeof a, w));
            return CT_ERROR;
        }
    } else if (d == 4) {
        if (t->ndim != 3) {
            ct__error("only batches of spatial targets supported (3D tensors) but got targets of dimension: %d",
                      t->ndim);
            return CT_ERROR;
        }
        if (w && ct__numel(w) != x->sizes[1]) {
            ct__error("weight tensor should be defined either for all or no classes");
            return CT_ERROR;
        }
        if (x->sizes[0] != t->sizes[0] || x->sizes[2] != t->sizes[1] || x->sizes[3] != t->sizes[2]) {
            ct__error("size mismatch (got input: %s , target: %s", fmt(a, sizeof a, x), fmt(b, sizeof b, t));
            return CT_ERROR;
        }
        s->kd = true;
    } else {
        bool ok = t->ndim == d - 1;
        for (int i = 2; ok && i < d; i++) ok = t->sizes[i - 1] == x->sizes[i];
        if (!ok) {
            int64_t out[CT_MAX_DIMS];
            out[0] = x->sizes[0];
            for (int i = 2; i < d; i++) out[i - 1] = x->sizes[i];
            ct__error("Expected target size %s, got %s", ct__format_shape(a, sizeof a, d - 1, out),
                      fmt(b, sizeof b, t));
            return CT_ERROR;
        }
        if (w && ct__numel(w) != x->sizes[1]) {
            ct__error("weight tensor should be defined either for all or no classes");
            return CT_ERROR;
        }
        s->kd = true;
        s->view_out = true;
    }
    if (d >= 3) {
        s->N = x->sizes[0];
        s->C = x->sizes[1];
        s->S = 1;
        for (int i = 2; i < d; i++) s->S *= x->sizes[i];
    }
    s->out_ndim = t->ndim;
    memcpy(s->out, t->sizes, sizeof s->out);
    if (t->dtype != CT_INT64) {
        ct__error("expected scalar type Long but found %s", ct__traits(t->dtype)->scalar_name);
        return CT_ERROR;
    }
    return CT_OK;
}

/* Graph-free contiguous copies: target (N*S int64), weights as double. */
typedef struct nd_data {
    ct_tensor *t, *w; /* t: int64 contiguous; w: float64 (C) or NULL */
} nd_data;

static int nd_load(const ct_tensor *t, const ct_tensor *w, nd_data *d) {
    d->t = ct__is_contiguous(t) ? ct__retain(t) : ct__clone(t);
    d->w = w ? ct__to_dtype_copy(w, CT_FLOAT64) : NULL;
    if (d->w && !ct__is_contiguous(d->w)) d->w = ct__clone(d->w);
    return d->t && (!w || d->w) ? CT_OK : CT_ERROR;
}

/* The per-row target index (ignored -> 0) as (N, 1, S) int64 and the
 * per-row weight (ignored -> 0) as (N, 1, S) of dtype; the total weight.
 * Returns CT_ERROR with "Target t is out of bounds." */
static int nd_rows(const nd_data *d, const nd_shape *s, int64_t ignore, ct_dtype dtype, ct_tensor **tidx,
                   ct_tensor **roww, double *total) {
    int64_t rows = s->N * s->S;
    ct_tensor *ti = ct__empty(CT_INT64, 3, (const int64_t[]){s->N, 1, s->S});
    ct_tensor *rw = ct__empty(CT_FLOAT64, 3, (const int64_t[]){s->N, 1, s->S});
    if (!ti || !rw) return CT_ERROR;
    const int64_t *t = (const int64_t *)ct__data(d->t);
    const double *w = d->w ? (const double *)ct__data(d->w) : NULL;
    int64_t *tp = (int64_t *)ct__data(ti);
    double *wp = (double *)ct__data(rw), tot = 0;
    for (int64_t r = 0; r < rows; r++) {
        int64_t v = t[r];
        if (v == ignore) {
            tp[r] = 0, wp[r] = 0;
            continue;
        }
        if (v < 0 || v >= s->C) {
            ct__error("Target %" PRId64 " is out of bounds.", v);
            return CT_ERROR;
        }
        tp[r] = v;
        wp[r] = w ? w[v] : 1.0;
        tot += wp[r];
    }
    *tidx = ti;
    *roww = dtype == CT_FLOAT64 ? rw : ct__to_dtype_copy(rw, dtype);
    *total = tot;
    return *roww ? CT_OK : CT_ERROR;
}

/* ---- nll_loss ---- */

/* saved: 0 tidx (N,1,S), 1 row weight (N,1,S); scalars[0] total weight;
 * ints: 0 reduction, 1 N, 2 C, 3 S; ndim_arg / shape_arg: input shape. */
static int nll_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    if (ct_scope_begin() < 0) return CT_ERROR;
    int64_t N = n->ints[1], C = n->ints[2], S = n->ints[3];
    ct_tensor *ti = ct__unpack(n, 0), *rw = ct__unpack(n, 1), *gg;
    if (n->ints[0] == CT_REDUCTION_NONE) gg = ct_reshape(g[0], 3, (const int64_t[]){N, 1, S});
    else if (n->ints[0] == CT_REDUCTION_MEAN) gg = ct_div_scalar(g[0], n->scalars[0]);
    else gg = ct__retain(g[0]);
    ct_tensor *src = ct_neg(ct_mul(rw, gg));
    ct_tensor *z = src ? ct_zeros(3, (const int64_t[]){N, C, S}, CT_OPTS(.dtype = src->dtype)) : NULL;
    ct_tensor *r = ct_reshape(ct_scatter(z, 1, ti, src), n->ndim_arg, n->shape_arg);
    out[0] = ct__loss_keep_end(r);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *nll_impl(const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, int64_t ignore,
                           ct_reduction red) {
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    nd_shape s;
    if (nd_check(x, t, w, &s) != CT_OK) return NULL;
    if (!ct__traits(x->dtype)->is_floating) {
        ct__error("\"nll_loss_out_frame\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *out = NULL, *ti = NULL, *rw = NULL;
    nd_data d;
    double total = 0;
    ct_grad_mode gm = ct_no_grad_begin();
    if (nd_load(t, w, &d) == CT_OK && nd_rows(&d, &s, ignore, x->dtype, &ti, &rw, &total) == CT_OK) {
        /* per-row loss: -w[t] * x[n, t, s] (0 where ignored), from a graph-free gather */
        ct_tensor *x3 = ct__reshape(x, 3, (const int64_t[]){s.N, s.C, s.S});
        ct_tensor *el = ct_neg(ct_mul(ct_gather(x3, 1, ti), rw)); /* (N, 1, S) */
        if (red == CT_REDUCTION_NONE) {
            out = s.view_out ? ct_reshape(el, 2, (const int64_t[]){s.N, s.S}) : ct_reshape(el, s.out_ndim, s.out);
        } else {
            out = ct_sum(el);
            if (out && red == CT_REDUCTION_MEAN) out = ct_div_scalar(out, total);
        }
        /* a fresh tensor, so the node can own it */
        out = out ? ct__clone(out) : NULL;
    }
    ct_grad_mode_end(gm);
    const ct_tensor *in[1] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record(s.kd ? "NllLoss2DBackward0" : "NllLossBackward0", nll_backward, out, 1, in);
        if (!n || ct__save(n, 0, ti, false, 0) != CT_OK || ct__save(n, 1, rw, false, 0) != CT_OK) {
            out = NULL;
        } else {
            n->scalars[0] = total;
            n->ints[0] = red, n->ints[1] = s.N, n->ints[2] = s.C, n->ints[3] = s.S;
            n->nints = 4;
            n->ndim_arg = x->ndim;
            memcpy(n->shape_arg, x->sizes, sizeof n->shape_arg);
        }
    }
    if (out && red == CT_REDUCTION_NONE && s.view_out) out = ct_view(out, s.out_ndim, s.out);
    return ct__loss_keep_end(out);
}

ct_tensor *ct_nll_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_nll_loss_options *o) {
    if (!input || !target) return NULL;
    return nll_impl(input, target, o ? o->weight : NULL, o && o->ignore_index ? *o->ignore_index : -100,
                    o ? o->reduction : CT_REDUCTION_MEAN);
}

/* ---- cross_entropy with class indices: the fused kernel ---- */

/* saved: 0 x, 1 tidx (N,1,S; ignored -> 0), 2 row weight (N,1,S; ignored
 * -> 0), 3 the forward's row statistics (N*S, 2) float64 (max,
 * log-sum-exp); same ints / scalars as nll. */
static int ce_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    if (ct_scope_begin() < 0) return CT_ERROR;
    int64_t N = n->ints[1], C = n->ints[2], S = n->ints[3];
    ct_tensor *x = ct__unpack(n, 0), *ti = ct__unpack(n, 1), *rw = ct__unpack(n, 2), *r = NULL;
    bool none = n->ints[0] == CT_REDUCTION_NONE;
    double scale = n->ints[0] == CT_REDUCTION_MEAN ? 1.0 / n->scalars[0] : 1.0;
    if (x && ti && rw && !ct_is_grad_enabled()) {
        /* plain backward: one fused pass per row, from the forward's stats */
        ct_tensor *st = ct__unpack(n, 3);
        ct_tensor *xc = ct__is_contiguous(x) ? x : ct__clone(x);
        ct_tensor *gc = ct__to_dtype_copy(g[0], x->dtype);
        if (gc && !ct__is_contiguous(gc)) gc = ct__clone(gc);
        ct_tensor *gx = ct__empty(x->dtype, x->ndim, x->sizes);
        ct_tensor *rwc = ct__is_contiguous(rw) ? rw : ct__clone(rw);
        ct_tensor *tic = ct__is_contiguous(ti) ? ti : ct__clone(ti);
        if (st && xc && gc && gx && rwc && tic) {
            ct__kernel_cross_entropy_bwd(x->dtype, ct__data(xc), (const int64_t *)ct__data(tic), ct__data(rwc), N, C,
                                         S, ct__data(gc), !none, scale, ct__data(gx),
                                         ct__is_contiguous(st) ? (const double *)ct__data(st) : NULL);
            r = gx;
        }
    } else if (x && ti && rw) {
        /* create_graph: the same formula in differentiable ops */
        ct_tensor *x3 = ct_reshape(x, 3, (const int64_t[]){N, C, S});
        ct_tensor *p = ct_exp(ct_sub(x3, ct_logsumexp(x3, 1, (const int64_t[]){1}, true)));
        ct_tensor *gg = none ? ct_reshape(g[0], 3, (const int64_t[]){N, 1, S}) : ct_mul_scalar(g[0], scale);
        ct_tensor *coef = ct_mul(rw, gg);
        ct_tensor *z = coef ? ct_zeros(3, (const int64_t[]){N, C, S}, CT_OPTS(.dtype = coef->dtype)) : NULL;
        r = ct_reshape(ct_sub(ct_mul(p, coef), ct_scatter(z, 1, ti, coef)), n->ndim_arg, n->shape_arg);
    }
    out[0] = ct__loss_keep_end(r);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *ce_indices(const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, int64_t ignore,
                             ct_reduction red) {
    nd_shape s;
    if (nd_check(x, t, w, &s) != CT_OK) return NULL;
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        ct__error("\"log_softmax_lastdim_kernel_impl\" not implemented for '%s'", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *out = NULL, *ti = NULL, *rw = NULL;
    nd_data d;
    double total = 0;
    ct_tensor *xc = ct__is_contiguous(x) ? ct__retain(x) : ct__clone(x);
    ct_tensor *wc = w ? ct__to_dtype_copy(w, x->dtype) : NULL;
    if (wc && !ct__is_contiguous(wc)) wc = ct__clone(wc);
    if (xc && (!w || wc) && nd_load(t, w, &d) == CT_OK && nd_rows(&d, &s, ignore, x->dtype, &ti, &rw, &total) == CT_OK) {
        bool none = red == CT_REDUCTION_NONE;
        out = none ? (s.view_out ? ct__empty(x->dtype, 2, (const int64_t[]){s.N, s.S})
                                 : ct__empty(x->dtype, s.out_ndim, s.out))
                   : ct__empty(x->dtype, 0, NULL);
        double sl = 0, sw = 0;
        int64_t bad = 0;
        const ct_tensor *in[1] = {x};
        bool grad = ct__any_requires_grad(1, in);
        ct_tensor *st = grad ? ct__empty(CT_FLOAT64, 2, (const int64_t[]){s.N * s.S, 2}) : NULL;
        if (grad && !st) out = NULL;
        if (out && ct__kernel_cross_entropy_fwd(x->dtype, ct__data(xc), (const int64_t *)ct__data(d.t),
                                                wc ? ct__data(wc) : NULL, s.N, s.C, s.S, ignore,
                                                none ? ct__data(out) : NULL, &sl, &sw, &bad,
                                                st ? (double *)ct__data(st) : NULL) != 0) {
            ct__error("Target %" PRId64 " is out of bounds.", bad);
            out = NULL;
        }
        if (out && !none) {
            double v = red == CT_REDUCTION_MEAN ? sl / total : sl;
            if (x->dtype == CT_FLOAT64) *(double *)ct__data(out) = v;
            else *(float *)ct__data(out) = (float)v;
        }
        if (out && grad) {
            ct_node *n = ct__record(s.kd ? "NllLoss2DBackward0" : "NllLossBackward0", ce_backward, out, 1, in);
            if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, ti, false, 0) != CT_OK ||
                ct__save(n, 2, rw, false, 0) != CT_OK || ct__save(n, 3, st, false, 0) != CT_OK) {
                out = NULL;
            } else {
                n->scalars[0] = total;
                n->ints[0] = red, n->ints[1] = s.N, n->ints[2] = s.C, n->ints[3] = s.S;
                n->nints = 4;
                n->ndim_arg = x->ndim;
                memcpy(n->shape_arg, x->sizes, sizeof n->shape_arg);
            }
        }
        if (out && none && s.view_out) out = ct_view(out, s.out_ndim, s.out);
    }
    return ct__loss_keep_end(out);
}

/* log_softmax over dim as x - logsumexp(x, dim, keepdim) (differentiable). */
static ct_tensor *log_softmax_dim(const ct_tensor *x, int dim) {
    return ct_sub(x, ct_logsumexp(x, 1, (const int64_t[]){dim}, true));
}

/* weight viewed to broadcast along the class dim of an ndim input */
static ct_tensor *class_view(const ct_tensor *w, int ndim, int cdim) {
    int64_t shape[CT_MAX_DIMS];
    for (int i = 0; i < ndim; i++) shape[i] = 1;
    shape[cdim] = ct__numel(w);
    return ct_view(w, ndim, shape);
}

/* grad_fn "DivBackward1": out = x / s (a C++ integer Scalar in PyTorch). */
static int div1_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_div_scalar(g[0], n->scalars[0]);
    return out[0] ? CT_OK : CT_ERROR;
}
static ct_tensor *div_scalar1(const ct_tensor *x, double s) {
    if (!x) return NULL;
    ct_tensor *out = NULL;
    CT_NO_GRAD { out = ct_div_scalar(x, s); }
    const ct_tensor *in[1] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("DivBackward1", div1_backward, out, 1, in);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        n->scalars[0] = s;
    }
    return out;
}

static ct_tensor *ce_probs(const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, ct_reduction red, double eps) {
    int cdim = x->ndim == 1 ? 0 : 1;
    int64_t C = x->sizes[cdim];
    if (w && !(w->ndim == 1 && ct__numel(w) == C)) {
        char a[256];
        ct__error("cross_entropy: weight tensor should be defined either for all %" PRId64
                  " classes or no classes but got weight tensor of shape: %s",
                  C, fmt(a, sizeof a, w));
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *lsm = log_softmax_dim(x, cdim);
    const ct_tensor *tt = t;
    if (eps > 0) tt = ct_add_scalar(ct_mul_scalar(t, 1 - eps), eps / (double)C);
    ct_tensor *prod = ct_mul(lsm, tt);
    if (w) prod = ct_mul(prod, class_view(w, x->ndim, cdim));
    ct_tensor *out;
    if (red == CT_REDUCTION_NONE) {
        out = ct_neg(ct_sum_dim(prod, 1, (const int64_t[]){cdim}, false));
    } else if (red == CT_REDUCTION_SUM) {
        out = ct_neg(ct_sum(prod));
    } else if (ct__numel(x) == 0) {
        out = ct_neg(ct_sum(prod));
        if (out && ct_fill_(out, NAN) != CT_OK) out = NULL;
    } else {
        out = div_scalar1(ct_neg(ct_sum(prod)), (double)(ct__numel(x) / C));
    }
    return ct__loss_keep_end(out);
}

static ct_tensor *ce_smoothing(const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, int64_t ignore,
                               ct_reduction red, double eps) {
    if (ct_scope_begin() < 0) return NULL;
    int cdim = x->ndim == 1 ? 0 : 1;
    int64_t C = x->sizes[cdim];
    ct_tensor *nll = ce_indices(x, t, w, ignore, red);
    ct_tensor *lsm = nll ? log_softmax_dim(x, cdim) : NULL;
    ct_tensor *sm = w ? ct_mul(lsm, class_view(w, x->ndim, cdim)) : lsm;
    ct_tensor *smooth = ct_neg(ct_sum_dim(sm, 1, (const int64_t[]){cdim}, false));
    ct_tensor *mask = ct_eq_scalar(t, (double)ignore);
    smooth = ct_masked_fill(smooth, mask, 0.0);
    ct_tensor *ret = NULL;
    if (red == CT_REDUCTION_MEAN) {
        double den = 0;
        ct_grad_mode gm = ct_no_grad_begin();
        if (w) {
            ct_tensor *sel = ct_masked_select(t, ct_logical_not(mask));
            ct_tensor *ws = sel ? ct_sum(ct_gather(w, 0, ct_flatten(sel, 0, -1))) : NULL;
            if (ws && ct_item(ws, &den) != CT_OK) ws = NULL;
            if (!ws) smooth = NULL;
        } else {
            ct_tensor *cnt = ct_sum(ct_logical_not(mask));
            if (!cnt || ct_item(cnt, &den) != CT_OK) smooth = NULL;
        }
        ct_grad_mode_end(gm);
        ret = ct_div_scalar(ct_sum(smooth), den);
    } else if (red == CT_REDUCTION_SUM) {
        ret = ct_sum(smooth);
    } else {
        ret = smooth ? ct__retain(smooth) : NULL;
    }
    ct_tensor *out = ct_add(ct_mul_scalar(nll, 1 - eps), ct_mul_scalar(ret, eps / (double)C));
    return ct__loss_keep_end(out);
}

ct_tensor *ct_cross_entropy_opts(const ct_tensor *input, const ct_tensor *target, const ct_cross_entropy_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = o ? o->reduction : CT_REDUCTION_MEAN;
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    const ct_tensor *w = o ? o->weight : NULL;
    int64_t ignore = o && o->ignore_index ? *o->ignore_index : -100;
    double eps = o ? o->label_smoothing : 0.0;
    if (input->ndim == target->ndim && !memcmp(input->sizes, target->sizes, (size_t)input->ndim * sizeof(int64_t))) {
        if (!ct__traits(target->dtype)->is_floating) {
            ct__error("Expected floating point type for target with class probabilities, got %s",
                      ct__traits(target->dtype)->scalar_name);
            return NULL;
        }
        if (ignore >= 0) {
            ct__error("ignore_index is not supported for floating point target");
            return NULL;
        }
        return ce_probs(input, target, w, red, eps);
    }
    if (eps > 0) {
        if (eps > 1.0) {
            ct__error("label_smoothing must be between 0.0 and 1.0. Got: %g", eps);
            return NULL;
        }
        return ce_smoothing(input, target, w, ignore, red, eps);
    }
    return ce_indices(input, target, w, ignore, red);
}
