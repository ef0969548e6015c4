/* The losses PyTorch 1.13.1 writes as compositions of other ops (poisson /
 * gaussian nll, kl_div, margin ranking, hinge / cosine embedding, triplet,
 * multilabel soft margin) — composed the same way here so the grad_fn chain
 * is PyTorch's — and the native margin losses (multi_margin,
 * multilabel_margin) with their once-differentiable kernels. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_loss.h"
#include "ops/loss_internal.h"
#include "ops/op_util.h"

#define CT_LOSS_PI 3.14159265358979323846

#define RED(o) ((o) ? (o)->reduction : CT_REDUCTION_MEAN)
#define PTRVAL(o, field, dflt) ((o) && (o)->field ? *(o)->field : (dflt))

ct_tensor *ct_poisson_nll_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                    const ct_poisson_nll_loss_options *o) {
    if (!input || !target) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    double eps = PTRVAL(o, eps, 1e-8);
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *loss;
    if (!(o && o->no_log_input)) loss = ct_sub(ct_exp(input), ct_mul(target, input));
    else loss = ct_sub(input, ct_mul(target, ct_log(ct_add_scalar(input, eps))));
    if (o && o->full) {
        /* target * log(target) - target + 0.5 * log(2 pi target), 0 where target <= 1 */
        ct_tensor *st = ct_add(ct_sub(ct_mul(target, ct_log(target)), target),
                               ct_mul_scalar(ct_log(ct_mul_scalar(target, 2 * CT_LOSS_PI)), 0.5));
        loss = ct_add(loss, ct_masked_fill(st, ct_le_scalar(target, 1), 0.0));
    }
    return ct__loss_keep_end(ct__loss_reduce(loss, RED(o)));
}

ct_tensor *ct_gaussian_nll_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_tensor *var,
                                     const ct_gaussian_nll_loss_options *o) {
    if (!input || !target || !var) return NULL;
    double eps = PTRVAL(o, eps, 1e-6);
    if (ct_scope_begin() < 0) return NULL;
    const ct_tensor *v = var;
    bool same = var->ndim == input->ndim && !memcmp(var->sizes, input->sizes, (size_t)var->ndim * sizeof(int64_t));
    if (!same) {
        bool short_by_one = input->ndim >= 1 && var->ndim == input->ndim - 1 &&
                            !memcmp(var->sizes, input->sizes, (size_t)var->ndim * sizeof(int64_t));
        bool last_one = input->ndim >= 1 && var->ndim == input->ndim && var->sizes[var->ndim - 1] == 1 &&
                        !memcmp(var->sizes, input->sizes, (size_t)(var->ndim - 1) * sizeof(int64_t));
        if (short_by_one) {
            v = ct_unsqueeze(var, -1);
        } else if (!last_one) {
            ct__error("var is of incorrect size");
            return ct__loss_keep_end(NULL);
        }
    }
    if (!ct__loss_reduction_ok(RED(o), false)) return ct__loss_keep_end(NULL);
    double anyneg = 0;
    CT_NO_GRAD {
        ct_tensor *a = ct_any(ct_lt_scalar(v, 0));
        if (!a || ct_item(a, &anyneg) != CT_OK) anyneg = NAN;
    }
    if (isnan(anyneg)) return ct__loss_keep_end(NULL);
    if (anyneg != 0) {
        ct__error("var has negative entry/entries");
        return ct__loss_keep_end(NULL);
    }
    /* var.clone(); with no_grad: var.clamp_(min=eps): the clamp is invisible to autograd */
    ct_tensor *vd = ct_detach(v);
    ct_tensor *vc = ct_add(v, ct_sub(ct_clamp_min(vd, eps), vd));
    ct_tensor *d = ct_sub(input, target);
    ct_tensor *loss = ct_mul_scalar(ct_add(ct_log(vc), ct_div(ct_pow_scalar(d, 2), vc)), 0.5);
    if (o && o->full) loss = ct_add_scalar(loss, 0.5 * log(2 * CT_LOSS_PI));
    return ct__loss_keep_end(ct__loss_reduce(loss, RED(o)));
}

ct_tensor *ct_kl_div_opts(const ct_tensor *input, const ct_tensor *target, const ct_kl_div_options *o) {
    if (!input || !target) return NULL;
    ct_reduction red = RED(o);
    if (!ct__loss_reduction_ok(red, true)) return NULL;
    if (red == CT_REDUCTION_MEAN)
        ct__warn("reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' "
                 "divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed "
                 "to behave the same as 'batchmean' in the next major release.");
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *l;
    if (o && o->log_target) {
        l = ct_mul(ct_exp(target), ct_sub(target, input));
    } else {
        /* xlogy(target, target): 0 where target == 0 */
        ct_tensor *safe = ct_where_scalar_self(ct_eq_scalar(target, 0), 1.0, target);
        ct_tensor *xlogy = ct_mul(target, ct_log(safe));
        l = ct_sub(xlogy, ct_mul(target, input));
    }
    ct_tensor *out;
    if (red == CT_REDUCTION_BATCHMEAN) {
        out = ct_sum(l);
        if (input->ndim != 0) out = ct_div_scalar(out, (double)input->sizes[0]);
    } else {
        out = ct__loss_reduce(l, red);
    }
    return ct__loss_keep_end(out);
}

ct_tensor *ct_multilabel_soft_margin_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                               const ct_bce_options *o) {
    if (!input || !target) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    if (input->ndim < 1) {
        ct__error("Dimension specified as -1 but tensor has no dimensions");
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    /* -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input)) */
    ct_tensor *ls_pos = ct_sub(ct_clamp_max(input, 0), ct_log1p(ct_exp(ct_neg(ct_abs(input)))));
    ct_tensor *ni = ct_neg(input);
    ct_tensor *ls_neg = ct_sub(ct_clamp_max(ni, 0), ct_log1p(ct_exp(ct_neg(ct_abs(ni)))));
    ct_tensor *loss = ct_neg(ct_add(ct_mul(target, ls_pos), ct_mul(ct_rsub_scalar(target, 1), ls_neg)));
    if (o && o->weight) loss = ct_mul(loss, o->weight);
    int cdim = input->ndim - 1;
    loss = ct_div_scalar(ct_sum_dim(loss, 1, (const int64_t[]){cdim}, false), (double)input->sizes[cdim]);
    return ct__loss_keep_end(ct__loss_reduce(loss, RED(o)));
}

ct_tensor *ct_margin_ranking_loss_opts(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *target,
                                       const ct_margin_loss_options *o) {
    if (!x1 || !x2 || !target) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    if (x1->ndim != x2->ndim || x1->ndim != target->ndim) {
        char a[300], b[300], c[300];
        ct__error("margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: %s, "
                  "input2: %s, target: %s ",
                  ct__loss_torch_size(a, sizeof a, x1), ct__loss_torch_size(b, sizeof b, x2),
                  ct__loss_torch_size(c, sizeof c, target));
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *l = ct_clamp_min(ct_add_scalar(ct_mul(ct_neg(target), ct_sub(x1, x2)), PTRVAL(o, margin, 0.0)), 0);
    return ct__loss_keep_end(ct__loss_reduce(l, RED(o)));
}

ct_tensor *ct_hinge_embedding_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                        const ct_margin_loss_options *o) {
    if (!input || !target) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    if (ct_scope_begin() < 0) return NULL;
    double margin = PTRVAL(o, margin, 1.0);
    ct_tensor *zeros = ct_zeros_like(input, NULL);
    ct_tensor *margin_clamp = ct_clamp_min(ct_rsub_scalar(input, margin), 0);
    ct_tensor *out_margin = ct_where(ct_ne_scalar(target, 1), margin_clamp, zeros);
    ct_tensor *out_self = ct_where(ct_ne_scalar(target, -1), input, zeros);
    return ct__loss_keep_end(ct__loss_reduce(ct_add(out_margin, out_self), RED(o)));
}

ct_tensor *ct_cosine_embedding_loss_opts(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *target,
                                         const ct_margin_loss_options *o) {
    if (!x1 || !x2 || !target) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    int td = target->ndim;
    char a[256], b[256];
    if (td != 0 && td != 1) {
        ct__error("0D or 1D target tensor expected, multi-target not supported");
        return NULL;
    }
    if (td == 1 && !(x1->ndim == 2 && x2->ndim == 2)) {
        ct__error("1D target tensor expects 2D input tensors, but found inputs with sizes %s and %s.",
                  ct__format_shape(a, sizeof a, x1->ndim, x1->sizes), ct__format_shape(b, sizeof b, x2->ndim, x2->sizes));
        return NULL;
    }
    if (td == 0 && !(x1->ndim == 1 && x2->ndim == 1)) {
        ct__error("0D target tensor expects 1D input tensors, but found inputs with sizes %s and %s.",
                  ct__format_shape(a, sizeof a, x1->ndim, x1->sizes), ct__format_shape(b, sizeof b, x2->ndim, x2->sizes));
        return NULL;
    }
    if (ct_scope_begin() < 0) return NULL;
    const int64_t dim[1] = {td};
    const double EPSILON = 1e-12;
    ct_tensor *prod_sum = ct_sum_dim(ct_mul(x1, x2), 1, dim, false);
    ct_tensor *m1 = ct_add_scalar(ct_sum_dim(ct_mul(x1, x1), 1, dim, false), EPSILON);
    ct_tensor *m2 = ct_add_scalar(ct_sum_dim(ct_mul(x2, x2), 1, dim, false), EPSILON);
    ct_tensor *cos = ct_div(prod_sum, ct_sqrt(ct_mul(m1, m2)));
    ct_tensor *zeros = ct_zeros_like(cos, NULL);
    ct_tensor *pos = ct_rsub_scalar(cos, 1);
    ct_tensor *neg = ct_clamp_min(ct_sub_scalar(cos, PTRVAL(o, margin, 0.0)), 0);
    ct_tensor *out = ct_add(ct_where(ct_eq_scalar(target, 1), pos, zeros), ct_where(ct_eq_scalar(target, -1), neg, zeros));
    return ct__loss_keep_end(ct__loss_reduce(out, RED(o)));
}

/* F.pairwise_distance(x1, x2, p, eps): norm(x1 - x2 + eps, p, last dim) */
static ct_tensor *pairwise_distance(const ct_tensor *x1, const ct_tensor *x2, double p, double eps) {
    int nd = x1->ndim > x2->ndim ? x1->ndim : x2->ndim;
    return ct_norm_dim(ct_add_scalar(ct_sub(x1, x2), eps), p, 1, (const int64_t[]){nd - 1}, false);
}

static bool same_dims(const ct_tensor *a, const ct_tensor *p, const ct_tensor *n) {
    if (a->ndim == p->ndim && p->ndim == n->ndim) return true;
    ct__error("The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
              "got: anchor %dD, positive %dD, and negative %dD inputs",
              a->ndim, p->ndim, n->ndim);
    return false;
}

ct_tensor *ct_triplet_margin_loss_opts(const ct_tensor *anchor, const ct_tensor *positive, const ct_tensor *negative,
                                       const ct_triplet_margin_loss_options *o) {
    if (!anchor || !positive || !negative) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    if (anchor->ndim != positive->ndim || positive->ndim != negative->ndim) {
        ct__error("All inputs should have same dimension but got %dD, %dD and %dD inputs.", anchor->ndim,
                  positive->ndim, negative->ndim);
        return NULL;
    }
    double p = o && o->p != 0 ? o->p : 2.0, eps = PTRVAL(o, eps, 1e-6), margin = PTRVAL(o, margin, 1.0);
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *dp = pairwise_distance(anchor, positive, p, eps);
    ct_tensor *dn = pairwise_distance(anchor, negative, p, eps);
    if (o && o->swap) dn = ct_minimum(dn, pairwise_distance(positive, negative, p, eps));
    ct_tensor *out = ct_clamp_min(ct_sub(ct_add_scalar(dp, margin), dn), 0);
    return ct__loss_keep_end(ct__loss_reduce(out, RED(o)));
}

ct_tensor *ct_triplet_margin_with_distance_loss_opts(const ct_tensor *anchor, const ct_tensor *positive,
                                                     const ct_tensor *negative,
                                                     const ct_triplet_margin_with_distance_loss_options *o) {
    if (!anchor || !positive || !negative) return NULL;
    if (!ct__loss_reduction_ok(RED(o), false)) return NULL;
    double margin = PTRVAL(o, margin, 1.0);
    if (!(margin > 0)) {
        ct__error("triplet_margin_with_distance_loss: expected margin to be greater than 0, got %g instead", margin);
        return NULL;
    }
    if (!same_dims(anchor, positive, negative)) return NULL;
    if (ct_scope_begin() < 0) return NULL;
    ct_distance_fn fn = o ? o->distance_function : NULL;
    void *ctx = o ? o->distance_ctx : NULL;
#define DIST(a, b) (fn ? fn((a), (b), ctx) : pairwise_distance((a), (b), 2.0, 1e-6))
    ct_tensor *dp = DIST(anchor, positive);
    ct_tensor *dn = DIST(anchor, negative);
    if (o && o->swap) dn = ct_minimum(dn, DIST(positive, negative));
#undef DIST
    double lo = 0.0;
    ct_tensor *out = ct_clamp(ct_sub(ct_add_scalar(dp, margin), dn), &lo, NULL);
    return ct__loss_keep_end(ct__loss_reduce(out, RED(o)));
}
