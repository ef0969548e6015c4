/* The loss modules: nn.XxxLoss holding its options, forward = the
 * functional form. Weighted losses register their weight (and
 * BCEWithLogitsLoss its pos_weight) as buffers, as _WeightedLoss does, so
 * state_dict and .to(dtype) see them. */
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_loss.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

typedef struct {
    ct_module base;
    union {
        ct_loss_options plain;
        ct_huber_loss_options huber;
        ct_smooth_l1_loss_options sl1;
        ct_poisson_nll_loss_options poisson;
        ct_gaussian_nll_loss_options gauss;
        ct_nll_loss_options nll;
        ct_cross_entropy_options ce;
        ct_kl_div_options kl;
        ct_bce_options bce;
        ct_bce_with_logits_options bcel;
        ct_multi_margin_loss_options mm;
        ct_margin_loss_options margin;
        ct_triplet_margin_loss_options trip;
        ct_triplet_margin_with_distance_loss_options tripd;
        ct_ctc_loss_options ctc;
    } o;
    /* values behind the options' pointers */
    double margin, eps, beta;
    int64_t ignore_index;
} loss_module;

static const char *const arg_names[][4] = {
    {"input", "target"}, {"input", "target", "var"}, {"input1", "input2", "target"},
    {"anchor", "positive", "negative"}, {"log_probs", "targets", "input_lengths", "target_lengths"}};

/* forward(self, *inputs): PyTorch's TypeError when too few are given */
static bool need(int n, const ct_tensor *const *in, int want, int names) {
    if (n >= want) {
        for (int i = 0; i < want; i++)
            if (!in[i]) return false;
        return true;
    }
    int missing = want - n;
    char buf[256];
    size_t used = 0;
    for (int i = n; i < want; i++) {
        const char *sep = i == n ? "" : (i == want - 1 ? (missing == 2 ? " and " : ", and ") : ", ");
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s'%s'", sep, arg_names[names][i]);
        if (used >= sizeof buf) break;
    }
    ct__error("forward() missing %d required positional argument%s: %s", missing, missing > 1 ? "s" : "", buf);
    return false;
}

static const ct_tensor *buf_or_null(const ct_module *m, const char *name) { return ct_module_get_buffer(m, name); }

#define LM(self) ((loss_module *)(self))

static ct_tensor *l1_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_l1_loss_opts(in[0], in[1], &LM(s)->o.plain) : NULL;
}
static ct_tensor *mse_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_mse_loss_opts(in[0], in[1], &LM(s)->o.plain) : NULL;
}
static ct_tensor *huber_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_huber_loss_opts(in[0], in[1], &LM(s)->o.huber) : NULL;
}
static ct_tensor *sl1_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_smooth_l1_loss_options o = LM(s)->o.sl1;
    o.beta = &LM(s)->beta;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_smooth_l1_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *poisson_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_poisson_nll_loss_options o = LM(s)->o.poisson;
    o.eps = &LM(s)->eps;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_poisson_nll_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *gauss_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_gaussian_nll_loss_options o = LM(s)->o.gauss;
    o.eps = &LM(s)->eps;
    return need(n, (const ct_tensor *const *)in, 3, 1) ? ct_gaussian_nll_loss_opts(in[0], in[1], in[2], &o) : NULL;
}
static ct_tensor *nll_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_nll_loss_options o = LM(s)->o.nll;
    o.weight = buf_or_null(s, "weight");
    o.ignore_index = &LM(s)->ignore_index;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_nll_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *ce_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_cross_entropy_options o = LM(s)->o.ce;
    o.weight = buf_or_null(s, "weight");
    o.ignore_index = &LM(s)->ignore_index;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_cross_entropy_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *kl_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_kl_div_opts(in[0], in[1], &LM(s)->o.kl) : NULL;
}
static ct_tensor *bce_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_bce_options o = LM(s)->o.bce;
    o.weight = buf_or_null(s, "weight");
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_binary_cross_entropy_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *bcel_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_bce_with_logits_options o = LM(s)->o.bcel;
    o.weight = buf_or_null(s, "weight");
    o.pos_weight = buf_or_null(s, "pos_weight");
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_binary_cross_entropy_with_logits_opts(in[0], in[1], &o)
                                                       : NULL;
}
static ct_tensor *soft_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_soft_margin_loss_opts(in[0], in[1], &LM(s)->o.plain)
                                                       : NULL;
}
static ct_tensor *mlsm_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_bce_options o = LM(s)->o.bce;
    o.weight = buf_or_null(s, "weight");
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_multilabel_soft_margin_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *mlm_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_multilabel_margin_loss_opts(in[0], in[1], &LM(s)->o.plain)
                                                       : NULL;
}
static ct_tensor *mm_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_multi_margin_loss_options o = LM(s)->o.mm;
    o.weight = buf_or_null(s, "weight");
    o.margin = &LM(s)->margin;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_multi_margin_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *mrank_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_margin_loss_options o = LM(s)->o.margin;
    o.margin = &LM(s)->margin;
    return need(n, (const ct_tensor *const *)in, 3, 2) ? ct_margin_ranking_loss_opts(in[0], in[1], in[2], &o) : NULL;
}
static ct_tensor *hinge_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_margin_loss_options o = LM(s)->o.margin;
    o.margin = &LM(s)->margin;
    return need(n, (const ct_tensor *const *)in, 2, 0) ? ct_hinge_embedding_loss_opts(in[0], in[1], &o) : NULL;
}
static ct_tensor *cos_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_margin_loss_options o = LM(s)->o.margin;
    o.margin = &LM(s)->margin;
    return need(n, (const ct_tensor *const *)in, 3, 2) ? ct_cosine_embedding_loss_opts(in[0], in[1], in[2], &o) : NULL;
}
static ct_tensor *trip_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_triplet_margin_loss_options o = LM(s)->o.trip;
    o.margin = &LM(s)->margin;
    o.eps = &LM(s)->eps;
    return need(n, (const ct_tensor *const *)in, 3, 3) ? ct_triplet_margin_loss_opts(in[0], in[1], in[2], &o) : NULL;
}
static ct_tensor *tripd_fwd(ct_module *s, int n, ct_tensor *const *in) {
    ct_triplet_margin_with_distance_loss_options o = LM(s)->o.tripd;
    o.margin = &LM(s)->margin;
    return need(n, (const ct_tensor *const *)in, 3, 3) ? ct_triplet_margin_with_distance_loss_opts(in[0], in[1], in[2], &o)
                                                       : NULL;
}
static ct_tensor *ctc_fwd(ct_module *s, int n, ct_tensor *const *in) {
    return need(n, (const ct_tensor *const *)in, 4, 4) ? ct_ctc_loss_opts(in[0], in[1], in[2], in[3], &LM(s)->o.ctc)
                                                       : NULL;
}

#define LOSS_TYPE(id, NAME) \
    static const ct_module_type id##_type = {.name = NAME, .size = sizeof(loss_module), .forward = id##_fwd};
LOSS_TYPE(l1, "L1Loss")
LOSS_TYPE(mse, "MSELoss")
LOSS_TYPE(huber, "HuberLoss")
LOSS_TYPE(sl1, "SmoothL1Loss")
LOSS_TYPE(poisson, "PoissonNLLLoss")
LOSS_TYPE(gauss, "GaussianNLLLoss")
LOSS_TYPE(nll, "NLLLoss")
LOSS_TYPE(ce, "CrossEntropyLoss")
LOSS_TYPE(kl, "KLDivLoss")
LOSS_TYPE(bce, "BCELoss")
LOSS_TYPE(bcel, "BCEWithLogitsLoss")
LOSS_TYPE(soft, "SoftMarginLoss")
LOSS_TYPE(mlsm, "MultiLabelSoftMarginLoss")
LOSS_TYPE(mlm, "MultiLabelMarginLoss")
LOSS_TYPE(mm, "MultiMarginLoss")
LOSS_TYPE(mrank, "MarginRankingLoss")
LOSS_TYPE(hinge, "HingeEmbeddingLoss")
LOSS_TYPE(cos, "CosineEmbeddingLoss")
LOSS_TYPE(trip, "TripletMarginLoss")
LOSS_TYPE(tripd, "TripletMarginWithDistanceLoss")
LOSS_TYPE(ctc, "CTCLoss")

static loss_module *new_loss(const ct_module_type *type, ct_reduction red, bool allow_batchmean) {
    static const char *const names[] = {"mean", "sum", "none", "batchmean"};
    if (!((unsigned)red <= CT_REDUCTION_NONE || (allow_batchmean && red == CT_REDUCTION_BATCHMEAN))) {
        if ((unsigned)red <= CT_REDUCTION_BATCHMEAN) ct__error("%s is not a valid value for reduction", names[red]);
        else ct__error("%d is not a valid value for reduction", (int)red);
        return NULL;
    }
    return (loss_module *)ct_module_new(type);
}

/* register_buffer(name, t): a new reference to t (NULL registers None) */
static bool reg_buffer(loss_module *l, const char *name, const ct_tensor *t) {
    if (!t) {
        (void)ct_module_register_buffer(&l->base, name, NULL, true);
        return true;
    }
    if (!ct_module_register_buffer(&l->base, name, ct__retain(t), true)) {
        ct_module_free(&l->base);
        return false;
    }
    return true;
}

#define OPT(o, field, dflt) ((o) ? (o)->field : (dflt))
#define PTRVAL(o, field, dflt) ((o) && (o)->field ? *(o)->field : (dflt))

ct_module *ct_nn_l1_loss_opts(const ct_loss_options *o) {
    loss_module *l = new_loss(&l1_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.plain = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_mse_loss_opts(const ct_loss_options *o) {
    loss_module *l = new_loss(&mse_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.plain = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_huber_loss_opts(const ct_huber_loss_options *o) {
    loss_module *l = new_loss(&huber_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.huber = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_smooth_l1_loss_opts(const ct_smooth_l1_loss_options *o) {
    loss_module *l = new_loss(&sl1_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.sl1 = *o;
    l->beta = PTRVAL(o, beta, 1.0);
    return &l->base;
}
ct_module *ct_nn_poisson_nll_loss_opts(const ct_poisson_nll_loss_options *o) {
    loss_module *l = new_loss(&poisson_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.poisson = *o;
    l->eps = PTRVAL(o, eps, 1e-8);
    return &l->base;
}
ct_module *ct_nn_gaussian_nll_loss_opts(const ct_gaussian_nll_loss_options *o) {
    loss_module *l = new_loss(&gauss_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.gauss = *o;
    l->eps = PTRVAL(o, eps, 1e-6);
    return &l->base;
}
ct_module *ct_nn_nll_loss_opts(const ct_nll_loss_options *o) {
    loss_module *l = new_loss(&nll_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.nll = *o;
    l->ignore_index = PTRVAL(o, ignore_index, -100);
    return reg_buffer(l, "weight", OPT(o, weight, NULL)) ? &l->base : NULL;
}
ct_module *ct_nn_cross_entropy_loss_opts(const ct_cross_entropy_options *o) {
    loss_module *l = new_loss(&ce_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.ce = *o;
    l->ignore_index = PTRVAL(o, ignore_index, -100);
    return reg_buffer(l, "weight", OPT(o, weight, NULL)) ? &l->base : NULL;
}
ct_module *ct_nn_kl_div_loss_opts(const ct_kl_div_options *o) {
    loss_module *l = new_loss(&kl_type, OPT(o, reduction, 0), true);
    if (l && o) l->o.kl = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_bce_loss_opts(const ct_bce_options *o) {
    loss_module *l = new_loss(&bce_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.bce = *o;
    return reg_buffer(l, "weight", OPT(o, weight, NULL)) ? &l->base : NULL;
}
ct_module *ct_nn_bce_with_logits_loss_opts(const ct_bce_with_logits_options *o) {
    loss_module *l = new_loss(&bcel_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.bcel = *o;
    if (!reg_buffer(l, "weight", OPT(o, weight, NULL))) return NULL;
    return reg_buffer(l, "pos_weight", OPT(o, pos_weight, NULL)) ? &l->base : NULL;
}
ct_module *ct_nn_soft_margin_loss_opts(const ct_loss_options *o) {
    loss_module *l = new_loss(&soft_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.plain = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_multilabel_soft_margin_loss_opts(const ct_bce_options *o) {
    loss_module *l = new_loss(&mlsm_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.bce = *o;
    return reg_buffer(l, "weight", OPT(o, weight, NULL)) ? &l->base : NULL;
}
ct_module *ct_nn_multilabel_margin_loss_opts(const ct_loss_options *o) {
    loss_module *l = new_loss(&mlm_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.plain = *o;
    return l ? &l->base : NULL;
}
ct_module *ct_nn_multi_margin_loss_opts(const ct_multi_margin_loss_options *o) {
    int p = OPT(o, p, 0) ? o->p : 1;
    if (p != 1 && p != 2) {
        ct__error("only p == 1 and p == 2 supported");
        return NULL;
    }
    const ct_tensor *w = OPT(o, weight, NULL);
    if (w && w->ndim != 1) {
        ct__error("weight must be None or 1D");
        return NULL;
    }
    loss_module *l = new_loss(&mm_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.mm = *o;
    l->margin = PTRVAL(o, margin, 1.0);
    return reg_buffer(l, "weight", w) ? &l->base : NULL;
}
static ct_module *margin_module(const ct_module_type *type, const ct_margin_loss_options *o, double dflt) {
    loss_module *l = new_loss(type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.margin = *o;
    l->margin = PTRVAL(o, margin, dflt);
    return &l->base;
}
ct_module *ct_nn_margin_ranking_loss_opts(const ct_margin_loss_options *o) { return margin_module(&mrank_type, o, 0.0); }
ct_module *ct_nn_hinge_embedding_loss_opts(const ct_margin_loss_options *o) { return margin_module(&hinge_type, o, 1.0); }
ct_module *ct_nn_cosine_embedding_loss_opts(const ct_margin_loss_options *o) { return margin_module(&cos_type, o, 0.0); }
ct_module *ct_nn_triplet_margin_loss_opts(const ct_triplet_margin_loss_options *o) {
    loss_module *l = new_loss(&trip_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.trip = *o;
    l->margin = PTRVAL(o, margin, 1.0);
    l->eps = PTRVAL(o, eps, 1e-6);
    return &l->base;
}
/* nn.PairwiseDistance() as TripletMarginWithDistanceLoss's default
 * distance_function child (repr only; the loss calls the functional form) */
static ct_tensor *pd_fwd(ct_module *s, int n, ct_tensor *const *in) {
    (void)s;
    if (n < 2 || !in[0] || !in[1]) {
        if (n < 2) ct__error("forward() missing %d required positional argument%s", 2 - n, n == 0 ? "s" : "");
        return NULL;
    }
    int nd = ct_dim(in[0]) > ct_dim(in[1]) ? ct_dim(in[0]) : ct_dim(in[1]);
    ct_tensor *d = ct_sub(in[0], in[1]);
    ct_tensor *e = ct_add_scalar(d, 1e-6);
    ct_tensor *r = ct_norm_dim(e, 2.0, 1, (const int64_t[]){nd - 1}, false);
    ct_free(d);
    ct_free(e);
    return r;
}
static const ct_module_type pairwise_distance_type = {.name = "PairwiseDistance", .forward = pd_fwd};

ct_module *ct_nn_triplet_margin_with_distance_loss_opts(const ct_triplet_margin_with_distance_loss_options *o) {
    double margin = PTRVAL(o, margin, 1.0);
    if (!(margin > 0)) {
        ct__error("TripletMarginWithDistanceLoss: expected margin to be greater than 0, got %g instead", margin);
        return NULL;
    }
    loss_module *l = new_loss(&tripd_type, OPT(o, reduction, 0), false);
    if (!l) return NULL;
    if (o) l->o.tripd = *o;
    l->margin = margin;
    if (!(o && o->distance_function) &&
        !ct_module_register_module(&l->base, "distance_function", ct_module_new(&pairwise_distance_type))) {
        ct_module_free(&l->base);
        return NULL;
    }
    return &l->base;
}
ct_module *ct_nn_ctc_loss_opts(const ct_ctc_loss_options *o) {
    loss_module *l = new_loss(&ctc_type, OPT(o, reduction, 0), false);
    if (l && o) l->o.ctc = *o;
    return l ? &l->base : NULL;
}
