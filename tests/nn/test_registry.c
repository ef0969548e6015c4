/* The module registry: one typical configuration of every module
 * constructor of include/ctorch/nn*.h against tests/parity/data/registry.txt
 * (gen_registry.py, PyTorch 1.13.1; same names, same order). For each:
 * repr before and after a forward, forward values after ct_manual_seed(1)
 * (train mode, so dropout masks are checked too), state_dict keys, shapes
 * and values bit for bit after ct_manual_seed(0) + construction, and for
 * modules with parameters: ct_module_to(float64), the float64 forward, and
 * a float64 gradcheck w.r.t. the floating inputs and every parameter. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"
#include "vectors.h"

#define P(...) CT_POOL_INTS(__VA_ARGS__)
#define PAD(...) (int)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t)), (const int64_t[]) { __VA_ARGS__ }

static ct_module *mk_sequential(void) { return CT_SEQUENTIAL(ct_nn_linear(4, 3), ct_nn_relu(), ct_nn_linear(3, 2)); }
static ct_module *mk_sequential_named(void) {
    return ct_nn_sequential_named(2, (const char *[]){"fc", "act"}, (ct_module *[]){ct_nn_linear(3, 2), ct_nn_sigmoid()});
}
static ct_module *mk_parameter_list(void) {
    return ct_nn_parameter_list(2, (ct_tensor *[]){ct_ones(CT_SIZE(2, 3), NULL), ct_zeros(CT_SIZE(4), NULL)});
}
static ct_module *mk_parameter_dict(void) {
    return ct_nn_parameter_dict(1, (const char *[]){"scale"}, (ct_tensor *[]){ct_ones(CT_SIZE(2), NULL)});
}
static ct_module *mk_module_list(void) { return ct_nn_module_list(2, (ct_module *[]){ct_nn_linear(2, 3), ct_nn_tanh()}); }
static ct_module *mk_module_dict(void) {
    return ct_nn_module_dict(2, (const char *[]){"fc", "act"}, (ct_module *[]){ct_nn_linear(2, 3), ct_nn_relu()});
}
static ct_module *mk_from_pretrained(void) {
    ct_tensor *e = ct_arange(0, 6, 1, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *e2 = ct_reshape(e, CT_SIZE(3, 2));
    ct_module *m = ct_nn_embedding_from_pretrained(e2);
    ct_free(e2), ct_free(e);
    return m;
}

typedef struct entry {
    const char *name;
    ct_module *(*make)(void);
} entry;

#define E(name, expr) {#name, mk_##name},
#define ENTRIES(X)                                                                                         \
    X(identity, ct_nn_identity())                                                                          \
    X(linear, ct_nn_linear(4, 3))                                                                          \
    X(linear_nobias, ct_nn_linear(4, 3, .no_bias = true))                                                  \
    X(lazy_linear, ct_nn_lazy_linear(3))                                                                   \
    X(bilinear, ct_nn_bilinear(3, 2, 4))                                                                   \
    X(flatten, ct_nn_flatten(1, -1))                                                                       \
    X(unflatten, ct_nn_unflatten(1, 2, (const int64_t[]){2, 3}))                                           \
    X(conv1d, ct_nn_conv1d(2, 3, 3, .stride = 2, .padding = 1))                                            \
    X(conv2d, ct_nn_conv2d(2, 4, 3, .padding = 1, .groups = 2))                                            \
    X(conv2d_reflect, ct_nn_conv2d(1, 2, 3, .padding = 1, .padding_mode = "reflect", .no_bias = true))    \
    X(conv3d, ct_nn_conv3d(1, 2, 2))                                                                       \
    X(conv_transpose1d, ct_nn_conv_transpose1d(2, 3, 3, .stride = 2))                                      \
    X(conv_transpose2d, ct_nn_conv_transpose2d(2, 2, 3, .stride = 2, .padding = 1, .output_padding = 1))   \
    X(conv_transpose3d, ct_nn_conv_transpose3d(1, 2, 2))                                                   \
    X(unfold, ct_nn_unfold(2, .stride = 1))                                                                \
    X(fold, ct_nn_fold(3, 3, 2))                                                                           \
    X(max_pool1d, ct_nn_max_pool1d(2))                                                                     \
    X(max_pool2d, ct_nn_max_pool2d(3, .stride = P(2), .padding = P(1), .ceil_mode = true))                 \
    X(max_pool3d, ct_nn_max_pool3d(2))                                                                     \
    X(max_unpool1d, ct_nn_max_unpool1d(2))                                                                 \
    X(max_unpool2d, ct_nn_max_unpool2d(2))                                                                 \
    X(max_unpool3d, ct_nn_max_unpool3d(2))                                                                 \
    X(avg_pool1d, ct_nn_avg_pool1d(3, .stride = P(2), .padding = P(1)))                                    \
    X(avg_pool2d, ct_nn_avg_pool2d(2, .no_count_include_pad = true, .padding = P(1)))                      \
    X(avg_pool3d, ct_nn_avg_pool3d(2))                                                                     \
    X(adaptive_avg_pool1d, ct_nn_adaptive_avg_pool1d(3))                                                   \
    X(adaptive_avg_pool2d, ct_nn_adaptive_avg_pool2d(P(2, 3)))                                             \
    X(adaptive_avg_pool3d, ct_nn_adaptive_avg_pool3d(2))                                                   \
    X(adaptive_max_pool1d, ct_nn_adaptive_max_pool1d(3))                                                   \
    X(adaptive_max_pool2d, ct_nn_adaptive_max_pool2d(2))                                                   \
    X(adaptive_max_pool3d, ct_nn_adaptive_max_pool3d(2))                                                   \
    X(lp_pool1d, ct_nn_lp_pool1d(2, 3, .stride = P(2)))                                                    \
    X(lp_pool2d, ct_nn_lp_pool2d(1.5, 2))                                                                  \
    X(reflection_pad1d, ct_nn_reflection_pad1d(PAD(2)))                                                    \
    X(reflection_pad2d, ct_nn_reflection_pad2d(PAD(1, 0, 2, 1)))                                           \
    X(reflection_pad3d, ct_nn_reflection_pad3d(PAD(1)))                                                    \
    X(replication_pad1d, ct_nn_replication_pad1d(PAD(1, 2)))                                               \
    X(replication_pad2d, ct_nn_replication_pad2d(PAD(1)))                                                  \
    X(replication_pad3d, ct_nn_replication_pad3d(PAD(1)))                                                  \
    X(constant_pad1d, ct_nn_constant_pad1d(PAD(2), 3.5))                                                   \
    X(constant_pad2d, ct_nn_constant_pad2d(PAD(1, 0, 0, 2), -1.0))                                         \
    X(constant_pad3d, ct_nn_constant_pad3d(PAD(1), 0.5))                                                   \
    X(zero_pad2d, ct_nn_zero_pad2d(PAD(1, 1, 2, 0)))                                                       \
    X(elu, ct_nn_elu(0.5, false))                                                                          \
    X(hardshrink, ct_nn_hardshrink(0.3))                                                                   \
    X(hardsigmoid, ct_nn_hardsigmoid(false))                                                               \
    X(hardtanh, ct_nn_hardtanh(-0.5, 0.5, false))                                                          \
    X(hardswish, ct_nn_hardswish(false))                                                                   \
    X(leaky_relu, ct_nn_leaky_relu(0.2, false))                                                            \
    X(logsigmoid, ct_nn_logsigmoid())                                                                      \
    X(prelu, ct_nn_prelu(3, 0.1, 0))                                                                       \
    X(relu, ct_nn_relu())                                                                                  \
    X(relu_inplace, ct_nn_relu_inplace())                                                                  \
    X(relu6, ct_nn_relu6(false))                                                                           \
    X(rrelu, ct_nn_rrelu(0.1, 0.3, false))                                                                 \
    X(selu, ct_nn_selu(false))                                                                             \
    X(celu, ct_nn_celu(0.7, false))                                                                        \
    X(gelu, ct_nn_gelu(CT_GELU_NONE))                                                                      \
    X(gelu_tanh, ct_nn_gelu(CT_GELU_TANH))                                                                 \
    X(sigmoid, ct_nn_sigmoid())                                                                            \
    X(silu, ct_nn_silu(false))                                                                             \
    X(mish, ct_nn_mish(false))                                                                             \
    X(softplus, ct_nn_softplus(2, 10))                                                                 \
    X(softshrink, ct_nn_softshrink(0.4))                                                                   \
    X(softsign, ct_nn_softsign())                                                                          \
    X(tanh, ct_nn_tanh())                                                                                  \
    X(tanhshrink, ct_nn_tanhshrink())                                                                      \
    X(threshold, ct_nn_threshold(0.1, 20, false))                                                        \
    X(glu, ct_nn_glu(-1))                                                                                  \
    X(softmin, ct_nn_softmin(1))                                                                           \
    X(softmax, ct_nn_softmax(-1))                                                                          \
    X(softmax2d, ct_nn_softmax2d())                                                                        \
    X(log_softmax, ct_nn_log_softmax(1))                                                                   \
    X(batch_norm1d, ct_nn_batch_norm1d(3))                                                                 \
    X(batch_norm2d, ct_nn_batch_norm2d(2, .momentum_none = true))                                          \
    X(batch_norm3d, ct_nn_batch_norm3d(2, .no_affine = true))                                              \
    X(group_norm, ct_nn_group_norm(2, 4))                                                                  \
    X(instance_norm1d, ct_nn_instance_norm1d(2, .affine = true))                                           \
    X(instance_norm2d, ct_nn_instance_norm2d(2, .track_running_stats = true))                              \
    X(instance_norm3d, ct_nn_instance_norm3d(1))                                                           \
    X(layer_norm, ct_nn_layer_norm(PAD(2, 3)))                                                             \
    X(local_response_norm, ct_nn_local_response_norm(3))                                                   \
    X(dropout, ct_nn_dropout(0.3))                                                                         \
    X(dropout1d, ct_nn_dropout1d(0.5))                                                                     \
    X(dropout2d, ct_nn_dropout2d(0.5))                                                                     \
    X(dropout3d, ct_nn_dropout3d(0.5))                                                                     \
    X(alpha_dropout, ct_nn_alpha_dropout(0.2))                                                             \
    X(feature_alpha_dropout, ct_nn_feature_alpha_dropout(0.5))                                             \
    X(embedding, ct_nn_embedding(5, 3, .padding_idx = &(const int64_t){1}))                                \
    X(embedding_bag, ct_nn_embedding_bag(6, 2, .mode = CT_EMBEDDING_BAG_SUM))                              \
    X(pixel_shuffle, ct_nn_pixel_shuffle(2))                                                               \
    X(pixel_unshuffle, ct_nn_pixel_unshuffle(2))                                                           \
    X(channel_shuffle, ct_nn_channel_shuffle(2))                                                           \
    X(upsample, ct_nn_upsample(.scale_factor = {2}, .mode = CT_INTERP_BILINEAR))                           \
    X(upsampling_nearest2d, ct_nn_upsampling_nearest2d(.size = {3, 4}))                                    \
    X(upsampling_bilinear2d, ct_nn_upsampling_bilinear2d(.scale_factor = {2}))                             \
    X(l1_loss, ct_nn_l1_loss())                                                                            \
    X(mse_loss, ct_nn_mse_loss(.reduction = CT_REDUCTION_SUM))                                             \
    X(cross_entropy_loss, ct_nn_cross_entropy_loss(.label_smoothing = 0.1))                                \
    X(ctc_loss, ct_nn_ctc_loss())                                                                          \
    X(nll_loss, ct_nn_nll_loss())                                                                          \
    X(poisson_nll_loss, ct_nn_poisson_nll_loss())                                                          \
    X(gaussian_nll_loss, ct_nn_gaussian_nll_loss())                                                        \
    X(kl_div_loss, ct_nn_kl_div_loss(.reduction = CT_REDUCTION_BATCHMEAN))                                 \
    X(bce_loss, ct_nn_bce_loss())                                                                          \
    X(bce_with_logits_loss, ct_nn_bce_with_logits_loss())                                                  \
    X(margin_ranking_loss, ct_nn_margin_ranking_loss(.margin = &(const double){0.1}))                      \
    X(hinge_embedding_loss, ct_nn_hinge_embedding_loss())                                                  \
    X(multilabel_margin_loss, ct_nn_multilabel_margin_loss())                                              \
    X(huber_loss, ct_nn_huber_loss(.delta = 0.5))                                                          \
    X(smooth_l1_loss, ct_nn_smooth_l1_loss(.beta = &(const double){0.5}))                                  \
    X(soft_margin_loss, ct_nn_soft_margin_loss())                                                          \
    X(multilabel_soft_margin_loss, ct_nn_multilabel_soft_margin_loss())                                    \
    X(cosine_embedding_loss, ct_nn_cosine_embedding_loss(.margin = &(const double){0.2}))                  \
    X(multi_margin_loss, ct_nn_multi_margin_loss())                                                        \
    X(triplet_margin_loss, ct_nn_triplet_margin_loss())                                                    \
    X(triplet_margin_with_distance_loss, ct_nn_triplet_margin_with_distance_loss())

#define MK(name, expr) \
    static ct_module *mk_##name(void) { return expr; }
ENTRIES(MK)

static const entry TABLE[] = {{"sequential", mk_sequential},
                              {"sequential_named", mk_sequential_named},
                              {"parameter_list", mk_parameter_list},
                              {"parameter_dict", mk_parameter_dict},
                              {"module_list", mk_module_list},
                              {"module_dict", mk_module_dict},
                              {"embedding_from_pretrained", mk_from_pretrained},
                              ENTRIES(E)};
#define NTABLE (sizeof TABLE / sizeof TABLE[0])

static vec_file *V;
static void setup(void) {
    V = vec_load("registry.txt");
    ct_clear_error();
    ct_set_warnings_enabled(false);
}
static void teardown(void) { vec_free(V); }
TestSuite(registry, .init = setup, .fini = teardown);

static const entry *lookup(const char *name) {
    for (size_t i = 0; i < NTABLE; i++)
        if (!strcmp(TABLE[i].name, name)) return &TABLE[i];
    return NULL;
}

static void expect_repr(const vec_case *c, const char *key, const ct_module *m) {
    char *s = ct_module_to_string(m);
    cr_assert_not_null(s, "%s: repr: %s", vec_name(c), ct_last_error());
    cr_expect_str_eq(s, vec_str(c, key), "%s: %s\n%s\nPyTorch:\n%s", vec_name(c), key, s, vec_str(c, key));
    free(s);
}

/* t equals PyTorch's tensor `prefix` exactly (dtype, shape, values) */
static void expect_exact(const vec_case *c, const char *prefix, const ct_tensor *t) {
    ct_tensor *want = oh_load_tensor(c, prefix);
    cr_assert_not_null(t, "%s/%s: NULL", vec_name(c), prefix);
    cr_expect_eq(ct_dtype_of(t), ct_dtype_of(want), "%s/%s: dtype", vec_name(c), prefix);
    bool same = false;
    if (ct_dtype_of(t) == ct_dtype_of(want)) cr_assert_eq(ct_equal(t, want, &same), CT_OK);
    cr_expect(same, "%s/%s: values or shape differ from PyTorch's", vec_name(c), prefix);
    ct_free(want);
}

typedef struct gc_ctx {
    ct_module *m;
    int n;
} gc_ctx;
static ct_tensor *gc_forward(ct_tensor *const *in, void *vctx) {
    gc_ctx *g = vctx;
    return ct_forward_n(g->m, g->n, in);
}

static void run_case(const vec_case *c) {
    const char *name = vec_name(c);
    const entry *e = lookup(name);
    cr_assert_not_null(e, "no C constructor for %s", name);
    ct_manual_seed(0);
    ct_module *m = e->make();
    cr_assert_not_null(m, "%s: %s", name, ct_last_error());
    expect_repr(c, "repr", m);
    int n = (int)vec_int(c, "ninputs", 0);
    ct_tensor *in[4] = {0};
    for (int i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "in%d", i);
        in[i] = oh_load_tensor(c, key);
    }
    if (vec_has(c, "out")) {
        ct_tensor *cl[4] = {0};
        for (int i = 0; i < n; i++) cl[i] = ct_clone(in[i]); /* in-place modules write their input */
        ct_manual_seed(1);
        ct_tensor *y = ct_forward_n(m, n, cl);
        for (int i = 0; i < n; i++) ct_free(cl[i]);
        cr_assert_not_null(y, "%s: forward: %s", name, ct_last_error());
        ct_tensor *want = oh_load_tensor(c, "out");
        oh_expect_close(c, "out", y, want);
        ct_free(want), ct_free(y);
    }
    expect_repr(c, "repr_after", m);
    ct_state_dict *sd = ct_module_state_dict(m);
    cr_assert_not_null(sd, "%s: state_dict: %s", name, ct_last_error());
    int nsd = (int)vec_int(c, "sd_n", 0);
    cr_expect_eq(ct_state_dict_size(sd), nsd, "%s: %d state_dict entries, PyTorch %d", name, ct_state_dict_size(sd), nsd);
    for (int i = 0; i < nsd && i < ct_state_dict_size(sd); i++) {
        char key[32], pre[32];
        snprintf(key, sizeof key, "sd%d_key", i);
        snprintf(pre, sizeof pre, "sd%d", i);
        cr_expect_str_eq(ct_state_dict_key(sd, i), vec_str(c, key), "%s: key %d", name, i);
        /* running statistics are computed by the forward, not drawn: close, not bit-equal */
        if (strstr(vec_str(c, key), "running_")) {
            ct_tensor *want = oh_load_tensor(c, pre);
            oh_expect_close(c, pre, ct_state_dict_value(sd, i), want);
            ct_free(want);
        } else {
            expect_exact(c, pre, ct_state_dict_value(sd, i));
        }
    }
    ct_state_dict_free(sd);
    if (vec_has(c, "out64")) {
        cr_assert_eq(ct_module_to(m, CT_FLOAT64), CT_OK, "%s: to(float64): %s", name, ct_last_error());
        ct_tensor *all[16] = {0};
        int na = 0;
        for (int i = 0; i < n; i++) {
            bool fl = ct_is_floating_point(in[i]);
            all[na++] = fl ? ct_to_dtype_copy(in[i], CT_FLOAT64) : ct_ref(in[i]);
            if (fl && (i == 0 || !strcmp(name, "bilinear"))) cr_assert_eq(ct_requires_grad_(all[na - 1], true), CT_OK);
        }
        ct_manual_seed(1);
        ct_tensor *y = ct_forward_n(m, n, all);
        cr_assert_not_null(y, "%s: float64 forward: %s", name, ct_last_error());
        ct_tensor *want = oh_load_tensor(c, "out64");
        oh_expect_close(c, "out64", y, want);
        ct_free(want), ct_free(y);
        /* gradcheck w.r.t. the inputs and every parameter (perturbed in place) */
        ct_named_tensors ps = ct_module_named_parameters(m, true);
        for (int i = 0; i < ps.n && na < 16; i++) all[na++] = ct_ref(ps.tensors[i]);
        ct_named_tensors_free(&ps);
        gc_ctx g = {m, n};
        /* embedding: the padding row's gradient is zero by definition, which
         * finite differences do not see (PyTorch's gradcheck fails there too) */
        if (strcmp(name, "embedding") != 0) {
            int r = ct_gradcheck(gc_forward, &g, na, all, NULL);
            cr_expect_eq(r, 1, "%s: gradcheck: %s", name, ct_last_error());
        }
        for (int i = 0; i < na; i++) ct_free(all[i]);
    }
    for (int i = 0; i < n; i++) ct_free(in[i]);
    ct_module_free(m);
    ct_clear_error();
}

Test(registry, every_module) {
    size_t count = vec_count(V);
    cr_assert_geq(count, NTABLE);
    for (size_t i = 0; i < count; i++) run_case(vec_at(V, i));
}

/* Every constructor in the table has a PyTorch case. */
Test(registry, table_is_covered) {
    for (size_t i = 0; i < NTABLE; i++) cr_expect_not_null(vec_find(V, TABLE[i].name), "%s has no case", TABLE[i].name);
}

/* LazyLinear: placeholders before the first forward, Linear after. */
Test(registry, lazy_linear_materializes) {
    ct_module *m = ct_nn_lazy_linear(3, .no_bias = true);
    cr_assert_str_eq(ct_module_name(m), "LazyLinear");
    cr_assert_eq(ct_numel(ct_module_get_parameter(m, "weight")), 0);
    ct_tensor *w = ct_module_get_parameter(m, "weight");
    ct_tensor *x = ct_ones(CT_SIZE(4), NULL);
    ct_tensor *y = ct_forward(m, x);
    cr_assert_not_null(y, "%s", ct_last_error());
    cr_assert_str_eq(ct_module_name(m), "Linear");
    cr_assert_eq(ct_module_get_parameter(m, "weight"), w, "the handle is kept");
    cr_assert_eq(ct_dim(w), 2);
    cr_assert_eq(ct_size(w, 1), 4);
    ct_free(y), ct_free(x);
    ct_tensor *s = ct_zeros(CT_SIZE0, NULL);
    cr_assert_null(ct_nn_lazy_linear(-1));
    ct_module *m2 = ct_nn_lazy_linear(2);
    cr_assert_null(ct_forward(m2, s));
    cr_assert_str_eq(ct_last_error(), "tuple index out of range");
    ct_clear_error();
    ct_module_free(m2), ct_free(s), ct_module_free(m);
}
