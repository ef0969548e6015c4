/* The loss modules against tests/parity/data/loss_modules.txt
 * (gen_loss_modules.py, PyTorch 1.13.1): repr, state_dict keys and buffer
 * values, forward values, grad_fn names and the printed loss; plus module
 * errors (missing forward inputs, bad options). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static vec_file *V;
static void setup(void) {
    V = vec_load("loss_modules.txt");
    ct_clear_error();
    ct_set_warnings_enabled(false);
}
static void teardown(void) { vec_free(V); }
TestSuite(nn_loss, .init = setup, .fini = teardown);

static ct_dtype dtype_named(const char *s) {
    if (!strcmp(s, "int64")) return CT_INT64;
    if (!strcmp(s, "float32")) return CT_FLOAT32;
    return CT_FLOAT64;
}

/* a tensor from key (float64 hex bits or int64 decimal), as dtype */
static ct_tensor *load(const vec_case *c, const char *key, ct_dtype dtype, int ndim, const int64_t *sizes) {
    int n = vec_len(c, key);
    if (dtype == CT_INT64) {
        int64_t *v = malloc((size_t)(n + 1) * sizeof *v);
        for (int i = 0; i < n; i++) v[i] = vec_int(c, key, i);
        ct_tensor *t = ct_tensor_from(v, CT_INT64, ndim, sizes);
        free(v);
        return t;
    }
    double *v = malloc((size_t)(n + 1) * sizeof *v);
    for (int i = 0; i < n; i++) {
        uint64_t bits = vec_hex(c, key, i);
        memcpy(&v[i], &bits, sizeof bits);
    }
    ct_tensor *t = ct_tensor_from(v, CT_FLOAT64, ndim, sizes);
    free(v);
    if (dtype == CT_FLOAT64) return t;
    ct_tensor *r = ct_to_dtype(t, dtype);
    ct_free(t);
    return r;
}

static ct_tensor *load_sd(const vec_case *c, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "sd_%s", name);
    if (!vec_has(c, key)) return NULL;
    return load(c, key, CT_FLOAT64, 1, (const int64_t[]){vec_len(c, key)});
}

static ct_module *build(const char *name, const vec_case *c) {
    ct_tensor *w = load_sd(c, "weight"), *pw = load_sd(c, "pos_weight");
    ct_module *m = NULL;
    int64_t zero = 0;
    double half = 0.5, margin07 = 0.7, margin01 = 0.1;
    if (!strcmp(name, "L1Loss") || !strcmp(name, "doc_l1")) m = ct_nn_l1_loss();
    else if (!strcmp(name, "MSELoss") || !strcmp(name, "doc_mse")) m = ct_nn_mse_loss();
    else if (!strcmp(name, "MSELoss_sum") || !strcmp(name, "doc_mse_sum")) m = ct_nn_mse_loss(.reduction = CT_REDUCTION_SUM);
    else if (!strcmp(name, "HuberLoss")) m = ct_nn_huber_loss(.delta = 0.5);
    else if (!strcmp(name, "SmoothL1Loss")) m = ct_nn_smooth_l1_loss(.beta = &half);
    else if (!strcmp(name, "CrossEntropyLoss") || !strcmp(name, "doc_ce")) m = ct_nn_cross_entropy_loss();
    else if (!strcmp(name, "CrossEntropyLoss_w"))
        m = ct_nn_cross_entropy_loss(.weight = w, .ignore_index = &zero, .label_smoothing = 0.1);
    else if (!strcmp(name, "NLLLoss")) m = ct_nn_nll_loss();
    else if (!strcmp(name, "NLLLoss_w")) m = ct_nn_nll_loss(.weight = w, .reduction = CT_REDUCTION_NONE);
    else if (!strcmp(name, "PoissonNLLLoss")) m = ct_nn_poisson_nll_loss();
    else if (!strcmp(name, "GaussianNLLLoss")) m = ct_nn_gaussian_nll_loss();
    else if (!strcmp(name, "KLDivLoss")) m = ct_nn_kl_div_loss(.reduction = CT_REDUCTION_BATCHMEAN);
    else if (!strcmp(name, "BCELoss") || !strcmp(name, "doc_bce")) m = ct_nn_bce_loss();
    else if (!strcmp(name, "BCELoss_w")) m = ct_nn_bce_loss(.weight = w);
    else if (!strcmp(name, "BCEWithLogitsLoss")) m = ct_nn_bce_with_logits_loss(.pos_weight = pw);
    else if (!strcmp(name, "SoftMarginLoss")) m = ct_nn_soft_margin_loss();
    else if (!strcmp(name, "MultiLabelSoftMarginLoss")) m = ct_nn_multilabel_soft_margin_loss(.weight = w);
    else if (!strcmp(name, "MultiLabelMarginLoss")) m = ct_nn_multilabel_margin_loss();
    else if (!strcmp(name, "MultiMarginLoss")) m = ct_nn_multi_margin_loss(.p = 2, .margin = &margin07, .weight = w);
    else if (!strcmp(name, "MarginRankingLoss")) m = ct_nn_margin_ranking_loss(.margin = &margin01);
    else if (!strcmp(name, "HingeEmbeddingLoss")) m = ct_nn_hinge_embedding_loss();
    else if (!strcmp(name, "CosineEmbeddingLoss")) m = ct_nn_cosine_embedding_loss();
    else if (!strcmp(name, "TripletMarginLoss")) m = ct_nn_triplet_margin_loss();
    else if (!strcmp(name, "TripletMarginWithDistanceLoss")) m = ct_nn_triplet_margin_with_distance_loss();
    else if (!strcmp(name, "CTCLoss")) m = ct_nn_ctc_loss();
    ct_free(w);
    ct_free(pw);
    cr_assert_not_null(m, "%s: %s", name, ct_last_error());
    return m;
}

Test(nn_loss, parity_modules) {
    size_t n = vec_count(V);
    cr_assert_gt(n, 25);
    for (size_t k = 0; k < n; k++) {
        const vec_case *c = vec_at(V, k);
        const char *name = vec_name(c);
        ct_module *m = build(name, c); /* the weights were copied into buffers */
        char *repr = ct_module_to_string(m);
        cr_assert_str_eq(repr, vec_str(c, "repr"), "%s", name);
        free(repr);
        ct_state_dict *sd = ct_module_state_dict(m);
        cr_assert_eq(ct_state_dict_size(sd), vec_len(c, "keys"), "%s", name);
        for (int i = 0; i < ct_state_dict_size(sd); i++)
            cr_assert_str_eq(ct_state_dict_key(sd, i), vec_tok(c, "keys", i), "%s", name);
        ct_state_dict_free(sd);
        ct_tensor *in[4] = {0};
        int nin = 0;
        for (; nin < 4; nin++) {
            char key[32], dk[32], sk[32];
            snprintf(key, sizeof key, "in%d", nin);
            snprintf(dk, sizeof dk, "in%d_dtype", nin);
            snprintf(sk, sizeof sk, "in%d_shape", nin);
            if (!vec_has(c, dk)) break;
            int64_t sizes[8];
            int nd = vec_ints(c, sk, sizes, 8);
            in[nin] = load(c, key, dtype_named(vec_tok(c, dk, 0)), nd, sizes);
            if (nin == 0) cr_assert_eq(ct_requires_grad_(in[0], true), CT_OK);
        }
        ct_tensor *y = ct_forward_n(m, nin, in);
        cr_assert_not_null(y, "%s: %s", name, ct_last_error());
        cr_assert_str_eq(ct_grad_fn_name(y), vec_tok(c, "grad_fn", 0), "%s", name);
        int64_t want_shape[8];
        int wnd = vec_ints(c, "out_shape", want_shape, 8);
        cr_assert_eq(ct_dim(y), wnd, "%s", name);
        ct_tensor *yd = ct_to_dtype(y, CT_FLOAT64);
        ct_tensor *yc = ct_contiguous(yd);
        const double *got = ct_data_ptr(yc);
        bool f32 = ct_dtype_of(y) == CT_FLOAT32;
        for (int i = 0; i < vec_len(c, "out"); i++) {
            uint64_t bits = vec_hex(c, "out", i);
            double want;
            memcpy(&want, &bits, sizeof want);
            double tol = f32 ? 2e-6 * fabs(want) + 1e-5 : 1e-12 * fabs(want) + 1e-13;
            cr_assert(fabs(got[i] - want) <= tol, "%s[%d]: %.17g, PyTorch %.17g", name, i, got[i], want);
        }
        ct_tensor *yp = ct_detach(y);
        char *txt = ct_to_string(yp);
        cr_assert_str_eq(txt, vec_str(c, "print"), "%s", name);
        free(txt);
        ct_free(yp);
        ct_free(yc);
        ct_free(yd);
        ct_free(y);
        for (int i = 0; i < nin; i++) ct_free(in[i]);
        ct_module_free(m);
    }
}

Test(nn_loss, forward_needs_its_inputs) {
    ct_module *m = ct_nn_cross_entropy_loss();
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    cr_assert_null(ct_forward(m, x));
    cr_assert_str_eq(ct_last_error(), "forward() missing 1 required positional argument: 'target'");
    ct_module *g = ct_nn_gaussian_nll_loss();
    cr_assert_null(ct_forward(g, x));
    cr_assert_str_eq(ct_last_error(), "forward() missing 2 required positional arguments: 'target' and 'var'");
    cr_assert_null(ct_forward_n(m, 2, (ct_tensor *[]){x, NULL}));
    ct_module_free(m);
    ct_module_free(g);
    ct_free(x);
}

Test(nn_loss, bad_options) {
    cr_assert_null(ct_nn_mse_loss(.reduction = CT_REDUCTION_BATCHMEAN));
    cr_assert_str_eq(ct_last_error(), "batchmean is not a valid value for reduction");
    cr_assert_null(ct_nn_multi_margin_loss(.p = 3));
    cr_assert_str_eq(ct_last_error(), "only p == 1 and p == 2 supported");
    double m0 = 0;
    cr_assert_null(ct_nn_triplet_margin_with_distance_loss(.margin = &m0));
    cr_assert_str_eq(ct_last_error(), "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got 0 instead");
    ct_module *kl = ct_nn_kl_div_loss(.reduction = CT_REDUCTION_BATCHMEAN);
    cr_assert_not_null(kl);
    ct_module_free(kl);
}

/* modules' buffers follow .to(dtype), and a float32 forward then works */
Test(nn_loss, weight_buffer_follows_to) {
    ct_tensor *w = ct_ones(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64));
    ct_module *m = ct_nn_cross_entropy_loss(.weight = w);
    ct_free(w);
    cr_assert_eq(ct_module_to(m, CT_FLOAT32), CT_OK);
    cr_assert_eq(ct_dtype_of(ct_module_get_buffer(m, "weight")), CT_FLOAT32);
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    ct_tensor *t = ct_zeros(CT_SIZE(2), CT_OPTS(.dtype = CT_INT64));
    ct_tensor *y = ct_forward_n(m, 2, (ct_tensor *[]){x, t});
    cr_assert_not_null(y, "%s", ct_last_error());
    double v = 0;
    cr_assert_eq(ct_item(y, &v), CT_OK);
    cr_assert_float_eq(v, log(3.0), 1e-6);
    ct_free(y);
    ct_free(x);
    ct_free(t);
    ct_module_free(m);
}

/* a custom distance for TripletMarginWithDistanceLoss: |x1 - x2| summed */
static ct_tensor *l1_distance(const ct_tensor *a, const ct_tensor *b, void *ctx) {
    int *calls = ctx;
    (*calls)++;
    ct_tensor *d = ct_sub(a, b);
    ct_tensor *ad = ct_abs(d);
    ct_tensor *s = ct_sum_dim(ad, 1, (const int64_t[]){-1}, false);
    ct_free(d);
    ct_free(ad);
    return s;
}

Test(nn_loss, triplet_custom_distance) {
    int calls = 0;
    ct_tensor *a = ct_zeros(CT_SIZE(2, 3), NULL), *p = ct_ones(CT_SIZE(2, 3), NULL);
    ct_tensor *n = ct_full(CT_SIZE(2, 3), 2.0, NULL);
    ct_tensor *l = ct_triplet_margin_with_distance_loss(a, p, n, .distance_function = l1_distance,
                                                         .distance_ctx = &calls, .swap = true);
    cr_assert_not_null(l, "%s", ct_last_error());
    cr_assert_eq(calls, 3);
    double v = -1;
    cr_assert_eq(ct_item(l, &v), CT_OK);
    /* max(1 + 3 - min(6, 3), 0) = 1 */
    cr_assert_float_eq(v, 1.0, 1e-12);
    ct_free(l);
    ct_free(a);
    ct_free(p);
    ct_free(n);
}
