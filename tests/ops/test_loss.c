/* The loss family's functional forms against tests/parity/data/loss.txt
 * (gen_loss.py, PyTorch 1.13.1) through the table-driven harness: values,
 * PyTorch's errors, grad_fn names, gradients, gradcheck / gradgradcheck. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    ct_reduction r = (ct_reduction)(int)a[0];
    if (!strcmp(op, "l1")) return ct_l1_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "mse")) return ct_mse_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "huber")) return ct_huber_loss(in[0], in[1], .reduction = r, .delta = a[1]);
    if (!strcmp(op, "smooth_l1")) return ct_smooth_l1_loss(in[0], in[1], .reduction = r, .beta = &a[1]);
    if (!strcmp(op, "soft_margin")) return ct_soft_margin_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "bce")) return ct_binary_cross_entropy(in[0], in[1], .reduction = r);
    if (!strcmp(op, "bce_w")) return ct_binary_cross_entropy(in[0], in[1], .reduction = r, .weight = in[2]);
    if (!strcmp(op, "bcel")) return ct_binary_cross_entropy_with_logits(in[0], in[1], .reduction = r);
    if (!strcmp(op, "bcel_w"))
        return ct_binary_cross_entropy_with_logits(in[0], in[1], .reduction = r, .weight = in[2], .pos_weight = in[3]);
    int64_t ig = c->nargs > 1 ? (int64_t)a[1] : -100;
    if (!strcmp(op, "nll")) return ct_nll_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "nll_w")) return ct_nll_loss(in[0], in[1], .reduction = r, .weight = in[2]);
    if (!strcmp(op, "nll_ig")) return ct_nll_loss(in[0], in[1], .reduction = r, .ignore_index = &ig);
    if (!strcmp(op, "ce")) return ct_cross_entropy(in[0], in[1], .reduction = r);
    if (!strcmp(op, "ce_w")) return ct_cross_entropy(in[0], in[1], .reduction = r, .weight = in[2]);
    if (!strcmp(op, "ce_ig")) return ct_cross_entropy(in[0], in[1], .reduction = r, .ignore_index = &ig);
    if (!strcmp(op, "ce_ls")) return ct_cross_entropy(in[0], in[1], .reduction = r, .label_smoothing = a[1]);
    if (!strcmp(op, "ce_ls_w"))
        return ct_cross_entropy(in[0], in[1], .reduction = r, .weight = in[2], .label_smoothing = a[1]);
    if (!strcmp(op, "ce_ls_ig"))
        return ct_cross_entropy(in[0], in[1], .reduction = r, .ignore_index = &ig, .label_smoothing = a[2]);
    if (!strcmp(op, "ce_p")) return ct_cross_entropy(in[0], in[1], .reduction = r);
    if (!strcmp(op, "ce_p_w"))
        return ct_cross_entropy(in[0], in[1], .reduction = r, .weight = in[2], .label_smoothing = a[1]);
    if (!strcmp(op, "poisson"))
        return ct_poisson_nll_loss(in[0], in[1], .reduction = r, .no_log_input = a[1] == 0, .full = a[2] != 0);
    if (!strcmp(op, "gauss")) return ct_gaussian_nll_loss(in[0], in[1], in[2], .reduction = r, .full = a[1] != 0);
    if (!strcmp(op, "kl")) return ct_kl_div(in[0], in[1], .reduction = r, .log_target = a[1] != 0);
    if (!strcmp(op, "mlsm")) return ct_multilabel_soft_margin_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "mlsm_w")) return ct_multilabel_soft_margin_loss(in[0], in[1], .reduction = r, .weight = in[2]);
    if (!strcmp(op, "mrank")) return ct_margin_ranking_loss(in[0], in[1], in[2], .reduction = r, .margin = &a[1]);
    if (!strcmp(op, "hinge")) return ct_hinge_embedding_loss(in[0], in[1], .reduction = r, .margin = &a[1]);
    if (!strcmp(op, "cosine")) return ct_cosine_embedding_loss(in[0], in[1], in[2], .reduction = r, .margin = &a[1]);
    if (!strcmp(op, "multi_margin"))
        return ct_multi_margin_loss(in[0], in[1], .reduction = r, .p = (int)a[1], .margin = &a[2]);
    if (!strcmp(op, "multi_margin_w"))
        return ct_multi_margin_loss(in[0], in[1], .reduction = r, .p = (int)a[1], .margin = &a[2], .weight = in[2]);
    if (!strcmp(op, "mlm")) return ct_multilabel_margin_loss(in[0], in[1], .reduction = r);
    if (!strcmp(op, "triplet"))
        return ct_triplet_margin_loss(in[0], in[1], in[2], .reduction = r, .margin = &a[1], .p = a[2], .swap = a[3] != 0);
    if (!strcmp(op, "triplet_dist"))
        return ct_triplet_margin_with_distance_loss(in[0], in[1], in[2], .reduction = r, .margin = &a[1],
                                                    .swap = a[2] != 0);
    if (!strcmp(op, "ctc") || !strcmp(op, "ctc_raw")) {
        ct_tensor *lp = in[0];
        ct_tensor *ls = NULL;
        if (!strcmp(op, "ctc")) {
            /* x.log_softmax(-1) as x - logsumexp(x, -1, keepdim) */
            int d = ct_dim(in[0]) - 1;
            ct_tensor *lse = ct_logsumexp(in[0], 1, (const int64_t[]){d}, true);
            ls = ct_sub(in[0], lse);
            ct_free(lse);
            lp = ls;
        }
        ct_tensor *r2 = ct_ctc_loss(lp, in[1], in[2], in[3], .reduction = r, .blank = (int64_t)a[1],
                                    .zero_infinity = a[2] != 0);
        ct_free(ls);
        return r2;
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(loss, parity_values_gradients_gradcheck) {
    static const char *const once[] = {"multi_margin", "multi_margin_w", "mlm", "ctc", "ctc_raw", NULL};
    /* ctc_raw: PyTorch's gradient assumes log_softmax inputs, so finite differences disagree */
    static const char *const nogc[] = {"ctc_raw", NULL};
    op_harness_opts o = {.once_differentiable = once, .no_gradcheck = nogc};
    cr_assert_gt(op_harness_run("loss.txt", run_op, &o), 600);
}

/* NULL arguments: NULL back, the earlier error kept */
Test(loss, null_arguments_keep_error) {
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    ct_tensor *t = ct_zeros(CT_SIZE(2), CT_OPTS(.dtype = CT_INT64));
    cr_assert_null(ct_cross_entropy(x, t, .reduction = (ct_reduction)7));
    cr_assert_str_eq(ct_last_error(), "7 is not a valid value for reduction");
    cr_assert_null(ct_mse_loss(x, x, .reduction = CT_REDUCTION_BATCHMEAN));
    cr_assert_str_eq(ct_last_error(), "batchmean is not a valid value for reduction");
    cr_assert_null(ct_cross_entropy(NULL, t));
    cr_assert_null(ct_nll_loss(x, NULL));
    cr_assert_null(ct_mse_loss(NULL, x));
    cr_assert_null(ct_l1_loss(x, NULL));
    cr_assert_null(ct_binary_cross_entropy(NULL, x));
    cr_assert_null(ct_binary_cross_entropy_with_logits(x, NULL));
    cr_assert_null(ct_kl_div(NULL, x));
    cr_assert_null(ct_huber_loss(NULL, x));
    cr_assert_null(ct_smooth_l1_loss(NULL, x));
    cr_assert_null(ct_poisson_nll_loss(NULL, x));
    cr_assert_null(ct_gaussian_nll_loss(x, x, NULL));
    cr_assert_null(ct_margin_ranking_loss(x, x, NULL));
    cr_assert_null(ct_hinge_embedding_loss(NULL, x));
    cr_assert_null(ct_cosine_embedding_loss(x, NULL, x));
    cr_assert_null(ct_multi_margin_loss(NULL, t));
    cr_assert_null(ct_multilabel_margin_loss(x, NULL));
    cr_assert_null(ct_soft_margin_loss(NULL, x));
    cr_assert_null(ct_multilabel_soft_margin_loss(NULL, x));
    cr_assert_null(ct_triplet_margin_loss(x, x, NULL));
    cr_assert_null(ct_triplet_margin_with_distance_loss(NULL, x, x));
    cr_assert_null(ct_ctc_loss(x, t, t, NULL));
    cr_assert_str_eq(ct_last_error(), "batchmean is not a valid value for reduction");
    ct_free(x);
    ct_free(t);
}

/* a larger fused cross entropy against the composition it fuses */
Test(loss, cross_entropy_fused_matches_composition) {
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(64, 10), CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *t = ct_randint(0, 10, CT_SIZE(64), NULL);
    ct_tensor *l = ct_cross_entropy(x, t);
    cr_assert_not_null(l, "%s", ct_last_error());
    cr_assert_str_eq(ct_grad_fn_name(l), "NllLossBackward0");
    ct_tensor *lse = ct_logsumexp(x, 1, (const int64_t[]){1}, true);
    ct_tensor *lsm = ct_sub(x, lse);
    ct_tensor *l2 = ct_nll_loss(lsm, t);
    double a = 0, b = 0;
    cr_assert_eq(ct_item(l, &a), CT_OK);
    cr_assert_eq(ct_item(l2, &b), CT_OK);
    cr_assert(fabs(a - b) < 1e-12, "%.17g vs %.17g", a, b);
    ct_tensor *tensors[] = {x, t, l, lse, lsm, l2};
    for (size_t i = 0; i < sizeof tensors / sizeof *tensors; i++) ct_free(tensors[i]);
}
