/* Functional losses (torch.nn.functional.*_loss) with PyTorch 1.13.1's
 * checks, values and backward names. Losses that are native ATen ops in
 * PyTorch (mse, huber, smooth_l1, bce, bce_with_logits, soft_margin, nll,
 * cross entropy's nll part, multi_margin, multilabel_margin, ctc) record one
 * node with PyTorch's name; their backward formulas use public ops (double
 * backward for free) except where PyTorch's own is once differentiable.
 * The losses PyTorch writes as compositions are compositions here too, so
 * their grad_fn chain is PyTorch's. See docs/nn-loss.md. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_loss.h"
#include "kernels/cpu/loss.h"
#include "ops/loss_internal.h"
#include "ops/op_util.h"

/* ---- helpers ---- */

ct_tensor *ct__loss_keep_end(ct_tensor *r) {
    r = ct_scope_keep(r);
    if (ct_scope_end() < 0) {
        ct_free(r);
        return NULL;
    }
    return r;
}

bool ct__loss_reduction_ok(ct_reduction r, bool allow_batchmean) {
    static const char *const names[] = {"mean", "sum", "none", "batchmean"};
    if ((unsigned)r <= CT_REDUCTION_NONE || (allow_batchmean && r == CT_REDUCTION_BATCHMEAN)) return true;
    if ((unsigned)r <= CT_REDUCTION_BATCHMEAN) ct__error("%s is not a valid value for reduction", names[r]);
    else ct__error("%d is not a valid value for reduction", (int)r);
    return false;
}

ct_tensor *ct__loss_reduce(const ct_tensor *l, ct_reduction r) {
    if (!l) return NULL;
    if (r == CT_REDUCTION_MEAN) return ct_mean(l);
    if (r == CT_REDUCTION_SUM) return ct_sum(l);
    return ct__retain(l);
}

const char *ct__loss_torch_size(char *buf, size_t len, const ct_tensor *t) {
    char shape[256];
    snprintf(buf, len, "torch.Size(%s)", ct__format_shape(shape, sizeof shape, t->ndim, t->sizes));
    return buf;
}

static bool same_shape(const ct_tensor *a, const ct_tensor *b) {
    return a->ndim == b->ndim && !memcmp(a->sizes, b->sizes, (size_t)a->ndim * sizeof(int64_t));
}

/* A graph-free scalar of t (t has one element). */
static double item(const ct_tensor *t) {
    double v = NAN;
    if (t && ct_item(t, &v) != CT_OK) return NAN;
    return v;
}

/* Python's loss-size warning, then broadcast_tensors(input, target). */
static int broadcast_pair(const ct_tensor *x, const ct_tensor *t, ct_tensor **xo, ct_tensor **to) {
    if (!same_shape(x, t)) {
        char a[300], b[300];
        ct__warn("Using a target size (%s) that is different to the input size (%s). This will likely lead to "
                 "incorrect results due to broadcasting. Please ensure they have the same size.",
                 ct__loss_torch_size(a, sizeof a, t), ct__loss_torch_size(b, sizeof b, x));
    }
    int64_t shape[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(x->ndim, x->sizes, t->ndim, t->sizes, shape);
    if (nd < 0) return CT_ERROR;
    *xo = ct_broadcast_to(x, nd, shape);
    *to = ct_broadcast_to(t, nd, shape);
    return *xo && *to ? CT_OK : CT_ERROR;
}

/* ---- pointwise native losses: one node, formulas in public ops ---- */

typedef struct pw_args {
    const ct_tensor *x, *t, *w, *pw;
    double p; /* delta / beta */
} pw_args;

typedef ct_tensor *(*pw_fn)(const pw_args *a);

typedef struct pw_loss {
    const char *name;
    pw_fn elem, dx, dt; /* dt NULL: no gradient for target (PyTorch: not differentiable) */
} pw_loss;

static ct_tensor *weighted(ct_tensor *v, const ct_tensor *w) { return w && v ? ct_mul(v, w) : v; }

/* MSE on contiguous float32/float64 operands of one dtype (the common case)
 * in one loop each way, with the operations, and so the bits, of the op
 * compositions beside them: d = x - t, then d * d forward; (d * 2) * g and
 * (d * -2) * g = -((d * 2) * g) backward. The tiny MLP's loss ran five ops
 * forward and seven backward here (~20 k instructions a step). */
static bool mse_fast_ok(const ct_tensor *x, const ct_tensor *t) {
    return x->dtype == t->dtype && (x->dtype == CT_FLOAT32 || x->dtype == CT_FLOAT64) && same_shape(x, t) &&
           ct__is_contiguous(x) && ct__is_contiguous(t);
}
#define MSE_LOOPS(T)                                                                                              \
    static void mse_sq_##T(const void *xv, const void *tv, void *yv, int64_t n) {                                 \
        const T *x = xv, *t = tv;                                                                                 \
        T *y = yv;                                                                                                \
        for (int64_t i = 0; i < n; i++) {                                                                         \
            T d = x[i] - t[i];                                                                                    \
            y[i] = d * d;                                                                                         \
        }                                                                                                         \
    }                                                                                                             \
    static void mse_grads_##T(const void *xv, const void *tv, const void *gv, void *dxv, void *dtv, int64_t n) {  \
        const T *x = xv, *t = tv, g = *(const T *)gv;                                                             \
        T *dx = dxv, *dt = dtv;                                                                                   \
        for (int64_t i = 0; i < n; i++) {                                                                         \
            T v = ((x[i] - t[i]) * (T)2) * g;                                                                     \
            if (dx) dx[i] = v;                                                                                    \
            if (dt) dt[i] = -v;                                                                                   \
        }                                                                                                         \
    }
MSE_LOOPS(float)
MSE_LOOPS(double)

static ct_tensor *mse_elem(const pw_args *a) {
    if (mse_fast_ok(a->x, a->t)) {
        ct_tensor *y = ct__empty(a->x->dtype, a->x->ndim, a->x->sizes);
        if (!y) return NULL;
        (y->dtype == CT_FLOAT64 ? mse_sq_double : mse_sq_float)(ct__data(a->x), ct__data(a->t), ct__data(y),
                                                                ct__numel(y));
        return y; /* tracked by the open scope, as an op's result */
    }
    ct_tensor *d = ct_sub(a->x, a->t);
    return d ? ct_mul(d, d) : NULL;
}

/* The MSE gradients in one loop when no graph is being built (the formulas
 * in ops are what double backward differentiates), the operands fit
 * mse_fast_ok and the incoming gradient gg is one number (reduction mean or
 * sum). Returns CT_OK with out[0] / out[1] set as wanted, or 1 when the
 * general formulas must run. */
static int mse_fast_backward(const ct_tensor *x, const ct_tensor *t, const ct_tensor *gg, bool want_x, bool want_t,
                             ct_tensor **out) {
    if (ct_is_grad_enabled() || !mse_fast_ok(x, t) || gg->dtype != x->dtype || ct__numel(gg) != 1) return 1;
    ct_tensor *dx = want_x ? ct__empty(x->dtype, x->ndim, x->sizes) : NULL;
    ct_tensor *dt = want_t ? ct__empty(x->dtype, x->ndim, x->sizes) : NULL;
    if ((want_x && !dx) || (want_t && !dt)) {
        ct_free(dx), ct_free(dt);
        return CT_ERROR;
    }
    int64_t n = ct__numel(x);
    (x->dtype == CT_FLOAT64 ? mse_grads_double : mse_grads_float)(ct__data(x), ct__data(t), ct__data(gg),
                                                                   dx ? ct__data(dx) : NULL,
                                                                   dt ? ct__data(dt) : NULL, n);
    out[0] = dx, out[1] = dt;
    return CT_OK;
}
static ct_tensor *mse_dx(const pw_args *a) { return ct_mul_scalar(ct_sub(a->x, a->t), 2.0); }
static ct_tensor *mse_dt(const pw_args *a) { return ct_mul_scalar(ct_sub(a->x, a->t), -2.0); }

static ct_tensor *huber_elem(const pw_args *a) {
    ct_tensor *z = ct_abs(ct_sub(a->x, a->t));
    double d = a->p;
    return ct_where(ct_lt_scalar(z, d), ct_mul_scalar(ct_mul(z, z), 0.5), ct_mul_scalar(ct_sub_scalar(z, 0.5 * d), d));
}
static ct_tensor *huber_dx(const pw_args *a) {
    double lo = -a->p, hi = a->p;
    return ct_clamp(ct_sub(a->x, a->t), &lo, &hi);
}
static ct_tensor *huber_dt(const pw_args *a) { return ct_neg(huber_dx(a)); }

static ct_tensor *sl1_elem(const pw_args *a) {
    ct_tensor *z = ct_abs(ct_sub(a->x, a->t));
    double b = a->p;
    if (b == 0) return z;
    return ct_where(ct_lt_scalar(z, b), ct_div_scalar(ct_mul_scalar(ct_mul(z, z), 0.5), b), ct_sub_scalar(z, 0.5 * b));
}
static ct_tensor *sl1_dx(const pw_args *a) {
    ct_tensor *d = ct_sub(a->x, a->t);
    if (a->p == 0) return ct_sign(d);
    double lo = -1, hi = 1;
    return ct_clamp(ct_div_scalar(d, a->p), &lo, &hi);
}
static ct_tensor *sl1_dt(const pw_args *a) { return ct_neg(sl1_dx(a)); }

static ct_tensor *bce_elem(const pw_args *a) {
    /* (target - 1) * max(log1p(-input), -100) - target * max(log(input), -100) */
    ct_tensor *l1 = ct_mul(ct_sub_scalar(a->t, 1), ct_clamp_min(ct_log1p(ct_neg(a->x)), -100));
    return weighted(ct_sub(l1, ct_mul(a->t, ct_clamp_min(ct_log(a->x), -100))), a->w);
}
static ct_tensor *bce_dx(const pw_args *a) {
    ct_tensor *den = ct_clamp_min(ct_mul(ct_rsub_scalar(a->x, 1), a->x), 1e-12);
    return weighted(ct_div(ct_sub(a->x, a->t), den), a->w);
}
static ct_tensor *bce_dt(const pw_args *a) { return weighted(ct_neg(ct_logit(a->x)), a->w); }

/* log(sigmoid(v)) = min(v, 0) - log1p(exp(-|v|)) */
static ct_tensor *log_sigmoid(const ct_tensor *v) {
    return ct_sub(ct_clamp_max(v, 0), ct_log1p(ct_exp(ct_neg(ct_abs(v)))));
}

static ct_tensor *bcel_elem(const pw_args *a) {
    ct_tensor *max_val = ct_clamp_min(ct_neg(a->x), 0);
    ct_tensor *lse = ct_log(ct_add(ct_exp(ct_neg(max_val)), ct_exp(ct_sub(ct_neg(a->x), max_val))));
    ct_tensor *lin = ct_mul(ct_rsub_scalar(a->t, 1), a->x);
    ct_tensor *l;
    if (a->pw) {
        ct_tensor *log_weight = ct_add_scalar(ct_mul(ct_sub_scalar(a->pw, 1), a->t), 1);
        l = ct_add(lin, ct_mul(log_weight, ct_add(lse, max_val)));
    } else {
        l = ct_add(ct_add(lin, max_val), lse);
    }
    return weighted(l, a->w);
}
static ct_tensor *bcel_dx(const pw_args *a) {
    ct_tensor *s = ct_sigmoid(a->x);
    if (!a->pw) return weighted(ct_sub(s, a->t), a->w);
    ct_tensor *pt = ct_mul(a->pw, a->t);
    return weighted(ct_sub(ct_mul(ct_sub(ct_add_scalar(pt, 1), a->t), s), pt), a->w);
}
static ct_tensor *bcel_dt(const pw_args *a) {
    if (!a->pw) return weighted(ct_neg(a->x), a->w);
    return weighted(ct_sub(log_sigmoid(ct_neg(a->x)), ct_mul(log_sigmoid(a->x), a->pw)), a->w);
}

static ct_tensor *soft_elem(const pw_args *a) { return ct_log1p(ct_exp(ct_neg(ct_mul(a->x, a->t)))); }
static ct_tensor *soft_dx(const pw_args *a) {
    ct_tensor *z = ct_exp(ct_neg(ct_mul(a->t, a->x)));
    return ct_div(ct_mul(ct_neg(a->t), z), ct_add_scalar(z, 1));
}

enum { PW_MSE, PW_HUBER, PW_SL1, PW_BCE, PW_BCEL, PW_SOFT };
static const pw_loss pw_table[] = {
    [PW_MSE] = {"MseLossBackward0", mse_elem, mse_dx, mse_dt},
    [PW_HUBER] = {"HuberLossBackward0", huber_elem, huber_dx, huber_dt},
    [PW_SL1] = {"SmoothL1LossBackward0", sl1_elem, sl1_dx, sl1_dt},
    [PW_BCE] = {"BinaryCrossEntropyBackward0", bce_elem, bce_dx, bce_dt},
    [PW_BCEL] = {"BinaryCrossEntropyWithLogitsBackward0", bcel_elem, bcel_dx, bcel_dt},
    [PW_SOFT] = {"SoftMarginLossBackward0", soft_elem, soft_dx, NULL},
};

/* saved: 0 x, 1 t, 2 w, 3 pw; ints: 0 kind, 1 reduction; scalars: 0 p, 1 numel */
static int pw_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    const pw_loss *L = &pw_table[n->ints[0]];
    if (ct_scope_begin() < 0) return CT_ERROR;
    pw_args a = {.p = n->scalars[0]};
    ct_tensor *x = ct__unpack(n, 0), *t = ct__unpack(n, 1);
    ct_tensor *w = n->saved[2].tensor ? ct__unpack(n, 2) : NULL;
    ct_tensor *pw = n->saved[3].tensor ? ct__unpack(n, 3) : NULL;
    a.x = x, a.t = t, a.w = w, a.pw = pw;
    ct_tensor *gg = g[0];
    if (n->ints[1] == CT_REDUCTION_MEAN) gg = ct_div_scalar(g[0], n->scalars[1]);
    int rc = x && t && gg && (!n->saved[2].tensor || w) && (!n->saved[3].tensor || pw) ? CT_OK : CT_ERROR;
    bool want_t = n->num_next > 1 && n->next[1].fn;
    if (rc == CT_OK && n->ints[0] == PW_MSE && (rc = mse_fast_backward(x, t, gg, n->next[0].fn, want_t, out)) != 1)
        goto done; /* CT_OK or CT_ERROR: the one loop ran (or failed) */
    rc = CT_OK;
    if (rc == CT_OK && n->next[0].fn) {
        out[0] = ct_mul(L->dx(&a), gg);
        if (!out[0]) rc = CT_ERROR;
    }
    if (rc == CT_OK && n->num_next > 1 && n->next[1].fn) {
        out[1] = ct_mul(L->dt(&a), gg);
        if (!out[1]) rc = CT_ERROR;
    }
done:
    for (int i = 0; i < n->num_next && i < 2; i++) out[i] = ct_scope_keep(out[i]);
    if (ct_scope_end() < 0) rc = CT_ERROR;
    return rc;
}

/* x, t: same shape; w, pw broadcastable (may be NULL). */
static ct_tensor *pw_loss_run(int kind, const ct_tensor *x, const ct_tensor *t, const ct_tensor *w,
                              const ct_tensor *pw, double p, ct_reduction red) {
    const pw_loss *L = &pw_table[kind];
    pw_args a = {.x = x, .t = t, .w = w, .pw = pw, .p = p};
    ct_tensor *out = NULL;
    if (ct_scope_begin() < 0) return NULL;
    ct_grad_mode gm = ct_no_grad_begin();
    out = ct__loss_reduce(L->elem(&a), red);
    ct_grad_mode_end(gm);
    const ct_tensor *in[2] = {x, t};
    int nin = L->dt ? 2 : 1;
    if (out && ct__any_requires_grad(nin, in)) {
        ct_node *n = ct__record(L->name, pw_backward, out, nin, in);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, t, false, 0) != CT_OK ||
            (w && ct__save(n, 2, w, false, 0) != CT_OK) || (pw && ct__save(n, 3, pw, false, 0) != CT_OK)) {
            out = NULL;
        } else {
            n->ints[0] = kind;
            n->ints[1] = red;
            n->nints = 2;
            n->scalars[0] = p;
            n->scalars[1] = (double)ct__numel(x);
        }
    }
    return ct__loss_keep_end(out);
}

/* l1 / mse / huber / smooth_l1: broadcast (with the warning), then the loss. */
static ct_tensor *regression(int kind, const ct_tensor *x, const ct_tensor *t, double p, ct_reduction red) {
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *xb = NULL, *tb = NULL, *out = NULL;
    if (broadcast_pair(x, t, &xb, &tb) == CT_OK) {
        if (kind < 0) out = ct__loss_reduce(ct_abs(ct_sub(xb, tb)), red); /* l1: a composition in 1.13 */
        else out = pw_loss_run(kind, xb, tb, NULL, NULL, p, red);
    }
    return ct__loss_keep_end(out);
}

ct_tensor *ct_l1_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o) {
    if (!input || !target) return NULL;
    return regression(-1, input, target, 0, o ? o->reduction : CT_REDUCTION_MEAN);
}

ct_tensor *ct_mse_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o) {
    if (!input || !target) return NULL;
    return regression(PW_MSE, input, target, 0, o ? o->reduction : CT_REDUCTION_MEAN);
}

ct_tensor *ct_huber_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_huber_loss_options *o) {
    if (!input || !target) return NULL;
    double delta = o && o->delta != 0 ? o->delta : 1.0;
    if (!(delta > 0)) {
        ct__error("huber_loss does not support non-positive values for delta.");
        return NULL;
    }
    return regression(PW_HUBER, input, target, delta, o ? o->reduction : CT_REDUCTION_MEAN);
}

ct_tensor *ct_smooth_l1_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                  const ct_smooth_l1_loss_options *o) {
    if (!input || !target) return NULL;
    double beta = o && o->beta ? *o->beta : 1.0;
    if (beta < 0) {
        ct__error("smooth_l1_loss does not support negative values for beta.");
        return NULL;
    }
    return regression(PW_SL1, input, target, beta, o ? o->reduction : CT_REDUCTION_MEAN);
}

ct_tensor *ct_soft_margin_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = o ? o->reduction : CT_REDUCTION_MEAN;
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *out = NULL;
    int64_t shape[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(input->ndim, input->sizes, target->ndim, target->sizes, shape);
    if (nd >= 0) {
        out = pw_loss_run(PW_SOFT, ct_broadcast_to(input, nd, shape), ct_broadcast_to(target, nd, shape), NULL,
                          NULL, 0, red);
    }
    return ct__loss_keep_end(out);
}

ct_tensor *ct_binary_cross_entropy_opts(const ct_tensor *input, const ct_tensor *target, const ct_bce_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = o ? o->reduction : CT_REDUCTION_MEAN;
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    if (!same_shape(input, target)) {
        char a[300], b[300];
        ct__error("Using a target size (%s) that is different to the input size (%s) is deprecated. Please ensure "
                  "they have the same size.",
                  ct__loss_torch_size(a, sizeof a, target), ct__loss_torch_size(b, sizeof b, input));
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *out = NULL, *w = NULL;
    bool ok = true;
    if (o && o->weight) {
        int64_t shape[CT_MAX_DIMS];
        int nd = ct_broadcast_shapes(target->ndim, target->sizes, o->weight->ndim, o->weight->sizes, shape);
        w = nd >= 0 ? ct_expand(o->weight, nd, shape) : NULL;
        ok = w != NULL;
    }
    if (ok) {
        /* "all elements of input should be between 0 and 1" (NaN included) */
        ct_grad_mode gm = ct_no_grad_begin();
        double inside = item(ct_all(ct_logical_and(ct_ge_scalar(input, 0), ct_le_scalar(input, 1))));
        ct_grad_mode_end(gm);
        if (isnan(inside)) ok = false;
        else if (inside == 0) {
            ct__error("all elements of input should be between 0 and 1");
            ok = false;
        }
    }
    if (ok) out = pw_loss_run(PW_BCE, input, target, w, NULL, 0, red);
    return ct__loss_keep_end(out);
}

ct_tensor *ct_binary_cross_entropy_with_logits_opts(const ct_tensor *input, const ct_tensor *target,
                                                    const ct_bce_with_logits_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = o ? o->reduction : CT_REDUCTION_MEAN;
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    if (!same_shape(input, target)) {
        char a[300], b[300];
        ct__error("Target size (%s) must be the same as input size (%s)", ct__loss_torch_size(a, sizeof a, target),
                  ct__loss_torch_size(b, sizeof b, input));
        return NULL;
    }
    return pw_loss_run(PW_BCEL, input, target, o ? o->weight : NULL, o ? o->pos_weight : NULL, 0, red);
}
