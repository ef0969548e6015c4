/* multi_margin_loss, multilabel_margin_loss and ctc_loss: native ops whose
 * PyTorch backward is once differentiable; forward and backward run as
 * loops in double over contiguous copies. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_loss.h"
#include "kernels/cpu/loss.h"
#include "ops/loss_internal.h"
#include "ops/op_util.h"

#define RED(o) ((o) ? (o)->reduction : CT_REDUCTION_MEAN)

/* graph-free contiguous copy of t as dtype */
static ct_tensor *dense(const ct_tensor *t, ct_dtype dtype) {
    ct_tensor *c = ct__to_dtype_copy(t, dtype);
    if (c && !ct__is_contiguous(c)) c = ct__clone(c);
    return c;
}

/* a tensor of dtype holding v (n values) */
static ct_tensor *from_doubles(const double *v, int64_t n, ct_dtype dtype, int ndim, const int64_t *sizes) {
    ct_tensor *d = ct__empty(CT_FLOAT64, ndim, sizes);
    if (!d) return NULL;
    memcpy(ct__data(d), v, (size_t)n * sizeof(double));
    return dtype == CT_FLOAT64 ? d : ct__to_dtype_copy(d, dtype);
}

enum { MM_MULTI, MM_MULTILABEL };

/* One pass over the frames: losses (nframe) and, when grad is non-NULL,
 * d loss_t / d x (nframe * dim) scaled by gs[t]. Returns -1 on a bad target. */
static int margin_pass(int kind, const double *x, const int64_t *tg, const double *w, int64_t nframe, int64_t dim,
                       int p, double margin, double *loss, const double *gs, double *grad) {
    char *is_target = kind == MM_MULTILABEL ? calloc((size_t)(dim > 0 ? dim : 1), 1) : NULL;
    if (kind == MM_MULTILABEL && !is_target) return -2;
    for (int64_t t = 0; t < nframe; t++) {
        const double *xr = x + t * dim;
        double *gr = grad ? grad + t * dim : NULL;
        if (gr) memset(gr, 0, (size_t)dim * sizeof(double));
        double sum = 0;
        if (kind == MM_MULTI) {
            int64_t y = tg[t];
            if (y < 0 || y >= dim) {
                free(is_target);
                return -1;
            }
            for (int64_t d = 0; d < dim; d++) {
                if (d == y) continue;
                double z = margin - xr[y] + xr[d];
                if (z > 0) {
                    double h = p == 1 ? z : z * z, wy = w ? w[y] : 1.0;
                    sum += h * wy;
                    if (gr) {
                        double gh = (p == 1 ? 1.0 : 2 * z) * wy * gs[t] / (double)dim;
                        gr[d] += gh;
                        gr[y] -= gh;
                    }
                }
            }
        } else {
            const int64_t *tr = tg + t * dim;
            memset(is_target, 0, (size_t)dim);
            for (int64_t k = 0; k < dim; k++) {
                if (tr[k] < 0) break;
                if (tr[k] >= dim) {
                    free(is_target);
                    return -1;
                }
                is_target[tr[k]] = 1;
            }
            for (int64_t k = 0; k < dim; k++) {
                int64_t ti = tr[k];
                if (ti < 0) break;
                for (int64_t d = 0; d < dim; d++) {
                    if (is_target[d]) continue;
                    double z = 1 - xr[ti] + xr[d];
                    if (z > 0) {
                        sum += z;
                        if (gr) {
                            gr[ti] -= gs[t] / (double)dim;
                            gr[d] += gs[t] / (double)dim;
                        }
                    }
                }
            }
        }
        loss[t] = sum / (double)dim;
    }
    free(is_target);
    return 0;
}

/* saved: 0 x, 1 target, 2 weight; ints: 0 kind, 1 reduction, 2 p, 3 nframe, 4 dim; scalars[0] margin */
static int margin_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    if (ct_scope_begin() < 0) return CT_ERROR;
    int64_t nframe = n->ints[3], dim = n->ints[4];
    ct_tensor *x = ct__unpack(n, 0), *t = ct__unpack(n, 1);
    ct_tensor *w = n->saved[2].tensor ? ct__unpack(n, 2) : NULL;
    ct_tensor *xd = x ? dense(x, CT_FLOAT64) : NULL, *td = t ? dense(t, CT_INT64) : NULL;
    ct_tensor *wd = w ? dense(w, CT_FLOAT64) : NULL, *gd = dense(g[0], CT_FLOAT64);
    ct_tensor *r = NULL;
    double *gs = malloc((size_t)(nframe > 0 ? nframe : 1) * sizeof(double));
    double *loss = malloc((size_t)(nframe > 0 ? nframe : 1) * sizeof(double));
    double *grad = malloc((size_t)(nframe * dim > 0 ? nframe * dim : 1) * sizeof(double));
    if (xd && td && gd && (!w || wd) && gs && loss && grad) {
        const double *gv = (const double *)ct__data(gd);
        bool none = n->ints[1] == CT_REDUCTION_NONE && ct__numel(gd) == nframe && gd->ndim > 0;
        for (int64_t i = 0; i < nframe; i++)
            gs[i] = none ? gv[i] : gv[0] / (n->ints[1] == CT_REDUCTION_MEAN ? (double)nframe : 1.0);
        if (margin_pass((int)n->ints[0], (const double *)ct__data(xd), (const int64_t *)ct__data(td),
                        wd ? (const double *)ct__data(wd) : NULL, nframe, dim, (int)n->ints[2], n->scalars[0], loss,
                        gs, grad) == 0)
            r = from_doubles(grad, nframe * dim, x->dtype, x->ndim, x->sizes);
    }
    free(gs);
    free(loss);
    free(grad);
    out[0] = ct__loss_keep_end(r);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *margin_run(int kind, const ct_tensor *x, const ct_tensor *t, const ct_tensor *w, int p,
                             double margin, ct_reduction red, int64_t nframe, int64_t dim, bool none_vector) {
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *xd = dense(x, CT_FLOAT64), *td = dense(t, CT_INT64), *wd = w ? dense(w, CT_FLOAT64) : NULL;
    ct_tensor *out = NULL;
    double *loss = malloc((size_t)(nframe > 0 ? nframe : 1) * sizeof(double));
    if (xd && td && (!w || wd) && loss) {
        int rc = margin_pass(kind, (const double *)ct__data(xd), (const int64_t *)ct__data(td),
                             wd ? (const double *)ct__data(wd) : NULL, nframe, dim, p, margin, loss, NULL, NULL);
        if (rc == -1) {
            ct__error("target out of range");
        } else if (rc == 0) {
            if (red == CT_REDUCTION_NONE) {
                out = none_vector ? from_doubles(loss, nframe, x->dtype, 1, (const int64_t[]){nframe})
                                  : from_doubles(loss, 1, x->dtype, 0, NULL);
            } else {
                double s = 0;
                for (int64_t i = 0; i < nframe; i++) s += loss[i];
                if (red == CT_REDUCTION_MEAN) s /= (double)nframe;
                out = from_doubles(&s, 1, x->dtype, 0, NULL);
            }
        }
    }
    free(loss);
    const ct_tensor *in[1] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record(kind == MM_MULTI ? "MultiMarginLossBackward0" : "MultilabelMarginLossBackward0",
                                margin_backward, out, 1, in);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, t, false, 0) != CT_OK ||
            (w && ct__save(n, 2, w, false, 0) != CT_OK)) {
            out = NULL;
        } else {
            n->ints[0] = kind, n->ints[1] = red, n->ints[2] = p, n->ints[3] = nframe, n->ints[4] = dim;
            n->nints = 5;
            n->scalars[0] = margin;
        }
    }
    return ct__loss_keep_end(out);
}

ct_tensor *ct_multi_margin_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                     const ct_multi_margin_loss_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = RED(o);
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    int p = o && o->p ? o->p : 1;
    double margin = o && o->margin ? *o->margin : 1.0;
    const ct_tensor *w = o ? o->weight : NULL;
    if (p != 1 && p != 2) {
        ct__error("only p == 1 and p == 2 supported");
        return NULL;
    }
    if (w && w->ndim != 1) {
        ct__error("weight must be None or 1D");
        return NULL;
    }
    char a[256];
    int nd = input->ndim;
    if (!(ct__numel(input) > 0 && nd <= 2)) {
        ct__error("Expected non-empty vector or matrix with optional 0-dim batch size, but got: %s",
                  ct__format_shape(a, sizeof a, nd, input->sizes));
        return NULL;
    }
    int64_t nframe = nd <= 1 ? 1 : input->sizes[0], dim = nd == 0 ? 1 : input->sizes[nd - 1];
    if (!(target->ndim <= 1 && ct__numel(target) == nframe)) {
        ct__error("inconsistent target size, got: %s", ct__format_shape(a, sizeof a, target->ndim, target->sizes));
        return NULL;
    }
    if (w && ct__numel(w) != dim) {
        ct__error("inconsistent weight size, expected %" PRId64 " but got %s", dim,
                  ct__format_shape(a, sizeof a, w->ndim, w->sizes));
        return NULL;
    }
    if (!ct__traits(input->dtype)->is_floating) {
        ct__error("\"multi_margin_loss_cpu_kernel\" not implemented for '%s'", ct__traits(input->dtype)->scalar_name);
        return NULL;
    }
    return margin_run(MM_MULTI, input, target, w, p, margin, red, nframe, dim, target->ndim > 0);
}

ct_tensor *ct_multilabel_margin_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                          const ct_loss_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = RED(o);
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    char a[256];
    int nd = input->ndim;
    if (!((nd == 2 && input->sizes[1] != 0) || (nd == 1 && input->sizes[0] != 0) || nd == 0)) {
        ct__error("Expected non-empty vector or matrix with optional 0-dim batch size, but got: %s",
                  ct__format_shape(a, sizeof a, nd, input->sizes));
        return NULL;
    }
    int64_t nframe, dim;
    bool bad;
    if (nd <= 1) {
        nframe = 1;
        dim = nd == 0 ? 1 : input->sizes[0];
        bad = !(target->ndim <= 1 && ct__numel(target) == dim);
    } else {
        nframe = input->sizes[0];
        dim = input->sizes[1];
        bad = !(target->ndim == 2 && target->sizes[0] == nframe && target->sizes[1] == dim);
    }
    if (bad) {
        ct__error("inconsistent size %s for argument #2 'target'", ct__format_shape(a, sizeof a, target->ndim, target->sizes));
        return NULL;
    }
    if (!ct__traits(input->dtype)->is_floating) {
        ct__error("\"multilabel_margin_loss_forward_out_frame\" not implemented for '%s'",
                  ct__traits(input->dtype)->scalar_name);
        return NULL;
    }
    return margin_run(MM_MULTILABEL, input, target, NULL, 1, 1.0, red, nframe, dim, nd == 2);
}

/* ---- CTC ---- */

typedef struct ctc_geom {
    int64_t T, N, C, blank;
    const int64_t *il, *tl, *tg;
    int64_t *tg_off; /* per batch offset into tg */
    int64_t tg_stride;
} ctc_geom;

/* per batch: nll (and the gradient into grad (T, N, C) doubles when non-NULL) */
static int ctc_run(const ctc_geom *g, const double *lp, double *nll, const double *gout, bool zero_inf,
                   double *grad) {
    int64_t maxl = 0;
    for (int64_t b = 0; b < g->N; b++) maxl = g->tl[b] > maxl ? g->tl[b] : maxl;
    double *seq = malloc((size_t)(g->T * g->C + 1) * sizeof(double));
    double *sg = malloc((size_t)(g->T * g->C + 1) * sizeof(double));
    double *scratch = malloc((size_t)(2 * g->T * (2 * maxl + 1) + 1) * sizeof(double));
    int64_t *lab = malloc((size_t)(maxl + 1) * sizeof(int64_t));
    if (!seq || !sg || !scratch || !lab) {
        free(seq), free(sg), free(scratch), free(lab);
        ct__error_oom((g->T * g->C) * 8);
        return CT_ERROR;
    }
    if (grad) memset(grad, 0, (size_t)(g->T * g->N * g->C) * sizeof(double));
    for (int64_t b = 0; b < g->N; b++) {
        int64_t T = g->il[b], L = g->tl[b];
        for (int64_t t = 0; t < T; t++)
            for (int64_t c = 0; c < g->C; c++) seq[t * g->C + c] = lp[(t * g->N + b) * g->C + c];
        for (int64_t l = 0; l < L; l++) lab[l] = g->tg[g->tg_off[b] + l * g->tg_stride];
        double v = ct__kernel_ctc(seq, T, g->C, lab, L, g->blank, grad ? gout[b] : 0, grad ? sg : NULL, scratch);
        if (nll) nll[b] = v;
        if (grad && !(zero_inf && v == INFINITY))
            for (int64_t t = 0; t < T; t++)
                for (int64_t c = 0; c < g->C; c++) grad[(t * g->N + b) * g->C + c] = sg[t * g->C + c];
    }
    free(seq), free(sg), free(scratch), free(lab);
    return CT_OK;
}

/* Checks and geometry; tensors from dense() stay in the caller's scope. */
static int ctc_prepare(const ct_tensor *lp3, const ct_tensor *targets, const ct_tensor *il, const ct_tensor *tl,
                       int64_t blank, ctc_geom *g, int64_t **offs) {
    g->T = lp3->sizes[0], g->N = lp3->sizes[1], g->C = lp3->sizes[2], g->blank = blank;
    if (!(blank < g->C && blank >= 0)) {
        ct__error("blank must be in label range");
        return CT_ERROR;
    }
    ct_tensor *ild = dense(il, CT_INT64), *tld = dense(tl, CT_INT64), *tgd = dense(targets, CT_INT64);
    if (!ild || !tld || !tgd) return CT_ERROR;
    if (ct__numel(ild) != g->N) {
        ct__error("input_lengths must be of size batch_size");
        return CT_ERROR;
    }
    if (ct__numel(tld) != g->N) {
        ct__error("target_lengths must be of size batch_size");
        return CT_ERROR;
    }
    g->il = (const int64_t *)ct__data(ild);
    g->tl = (const int64_t *)ct__data(tld);
    g->tg = (const int64_t *)ct__data(tgd);
    *offs = malloc((size_t)(g->N + 1) * sizeof(int64_t));
    if (!*offs) return CT_ERROR;
    g->tg_off = *offs;
    int64_t pos = 0, maxl = 0;
    for (int64_t b = 0; b < g->N; b++) {
        if (g->tl[b] < 0) {
            ct__error("Expected target_lengths to have value at least 0, but got value %" PRId64
                      " (while checking arguments for ctc_loss_cpu)",
                      g->tl[b]);
            return CT_ERROR;
        }
        maxl = g->tl[b] > maxl ? g->tl[b] : maxl;
        if (targets->ndim == 1) {
            g->tg_off[b] = pos;
            pos += g->tl[b];
        } else {
            g->tg_off[b] = b * (targets->ndim == 2 ? targets->sizes[1] : 0);
        }
    }
    g->tg_stride = 1;
    if (targets->ndim == 1) {
        if (ct__numel(tgd) < pos) {
            ct__error("Expected tensor to have size at least %" PRId64
                      " at dimension 0, but got size %" PRId64 " for argument #2 'targets' (while checking arguments for ctc_loss_cpu)",
                      pos, ct__numel(tgd));
            return CT_ERROR;
        }
    } else if (targets->ndim == 2) {
        if (targets->sizes[0] != g->N) {
            ct__error("Expected tensor to have size %" PRId64 " at dimension 0, but got size %" PRId64
                      " for argument #2 'targets' (while checking arguments for ctc_loss_cpu)",
                      g->N, targets->sizes[0]);
            return CT_ERROR;
        }
        if (targets->sizes[1] < maxl) {
            ct__error("Expected tensor to have size at least %" PRId64 " at dimension 1, but got size %" PRId64
                      " for argument #2 'targets' (while checking arguments for ctc_loss_cpu)",
                      maxl, targets->sizes[1]);
            return CT_ERROR;
        }
    } else {
        ct__error("targets must be 1-D or 2-D");
        return CT_ERROR;
    }
    for (int64_t b = 0; b < g->N; b++) {
        if (g->il[b] < 0 || g->il[b] > g->T) {
            ct__error("Expected input_lengths to have value at most %" PRId64 ", but got value %" PRId64
                      " (while checking arguments for ctc_loss_cpu)",
                      g->T, g->il[b]);
            return CT_ERROR;
        }
    }
    return CT_OK;
}

/* saved: 0 log_probs (T, N, C), 1 targets, 2 input_lengths, 3 target_lengths; ints: 0 blank, 1 zero_infinity */
static int ctc_backward(ct_node *n, ct_tensor *const *gin, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    if (ct_scope_begin() < 0) return CT_ERROR;
    ct_tensor *lp = ct__unpack(n, 0), *tg = ct__unpack(n, 1), *il = ct__unpack(n, 2), *tl = ct__unpack(n, 3);
    ct_tensor *r = NULL;
    int64_t *offs = NULL;
    ctc_geom g;
    if (lp && tg && il && tl && ctc_prepare(lp, tg, il, tl, n->ints[0], &g, &offs) == CT_OK) {
        ct_tensor *lpd = dense(lp, CT_FLOAT64), *gd = dense(gin[0], CT_FLOAT64);
        double *grad = malloc((size_t)(g.T * g.N * g.C + 1) * sizeof(double));
        if (lpd && gd && grad &&
            ctc_run(&g, (const double *)ct__data(lpd), NULL, (const double *)ct__data(gd), n->ints[1] != 0, grad) ==
                CT_OK)
            r = from_doubles(grad, g.T * g.N * g.C, lp->dtype, 3, lp->sizes);
        free(grad);
    }
    free(offs);
    out[0] = ct__loss_keep_end(r);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_ctc_loss_opts(const ct_tensor *log_probs, const ct_tensor *targets, const ct_tensor *input_lengths,
                            const ct_tensor *target_lengths, const ct_ctc_loss_options *o) {
    if (!log_probs || !targets || !input_lengths || !target_lengths) return NULL;
    ct_reduction red = RED(o);
    if (!ct__loss_reduction_ok(red, false)) return NULL;
    if (ct__traits(input_lengths->dtype)->is_floating || input_lengths->dtype == CT_BOOL) {
        ct__error("input_lengths must be integral");
        return NULL;
    }
    if (ct__traits(target_lengths->dtype)->is_floating || target_lengths->dtype == CT_BOOL) {
        ct__error("target_lengths must be integral");
        return NULL;
    }
    if (log_probs->ndim != 2 && log_probs->ndim != 3) {
        ct__error("ctc_loss: log_probs must be 2-D (T, C) or 3-D (T, N, C), got %d-D", log_probs->ndim);
        return NULL;
    }
    if (!ct__traits(log_probs->dtype)->is_floating) {
        ct__error("\"ctc_loss_cpu\" not implemented for '%s'", ct__traits(log_probs->dtype)->scalar_name);
        return NULL;
    }
    bool batched = log_probs->ndim == 3;
    bool zero_inf = o && o->zero_infinity;
    int64_t blank = o ? o->blank : 0;
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *lp3 = batched ? ct__retain(log_probs) : ct_unsqueeze(log_probs, 1);
    ct_tensor *res = NULL;
    int64_t *offs = NULL;
    ctc_geom g;
    if (lp3 && ctc_prepare(lp3, targets, input_lengths, target_lengths, blank, &g, &offs) == CT_OK) {
        ct_tensor *lpd = dense(lp3, CT_FLOAT64);
        double *nll = malloc((size_t)(g.N + 1) * sizeof(double));
        if (lpd && nll && ctc_run(&g, (const double *)ct__data(lpd), nll, NULL, false, NULL) == CT_OK)
            res = from_doubles(nll, g.N, lp3->dtype, 1, (const int64_t[]){g.N});
        free(nll);
        const ct_tensor *in[1] = {lp3};
        if (res && ct__any_requires_grad(1, in)) {
            ct_tensor *tgc = ct__clone(targets), *ilc = ct__clone(input_lengths), *tlc = ct__clone(target_lengths);
            ct_node *n = tgc && ilc && tlc ? ct__record("CtcLossBackward0", ctc_backward, res, 1, in) : NULL;
            if (!n || ct__save(n, 0, lp3, false, 0) != CT_OK || ct__save(n, 1, tgc, false, 0) != CT_OK ||
                ct__save(n, 2, ilc, false, 0) != CT_OK || ct__save(n, 3, tlc, false, 0) != CT_OK) {
                res = NULL;
            } else {
                n->ints[0] = blank, n->ints[1] = zero_inf;
                n->nints = 2;
            }
        }
    }
    free(offs);
    if (res && zero_inf) res = ct_where(ct_eq_scalar(res, INFINITY), ct_zeros(CT_SIZE0, CT_OPTS(.dtype = res->dtype)), res);
    ct_tensor *out = NULL;
    if (res && red == CT_REDUCTION_MEAN) {
        ct_tensor *tlf = ct_clamp_min(ct_to_dtype(target_lengths, res->dtype), 1);
        out = ct_mean(ct_div(res, tlf));
    } else if (res && red == CT_REDUCTION_SUM) {
        out = ct_sum(res);
    } else if (res) {
        out = batched ? ct__retain(res) : ct_squeeze_dim(res, 0);
    }
    return ct__loss_keep_end(out);
}
