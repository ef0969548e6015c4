/* Modules of the misc nn family against tests/parity/data/misc_modules.txt
 * (gen_misc_modules.py, PyTorch 1.13.1): default init bits after the same
 * seed, repr text, state_dict keys, Bilinear forward values. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static const vec_case *load(vec_file **f) {
    *f = vec_load("misc_modules.txt");
    cr_assert_not_null(*f);
    return vec_find(*f, "modules");
}

static void expect_bits(const vec_case *c, const char *key, const ct_tensor *t) {
    int64_t n = ct_numel(t);
    cr_assert_eq(n, vec_len(c, key), "%s: numel", key);
    float *buf = malloc((size_t)n * sizeof *buf + 1);
    cr_assert_eq(ct_copy_to_buffer(t, CT_FLOAT32, buf, (size_t)n * sizeof *buf), CT_OK);
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &buf[i], 4);
        cr_assert_eq(bits, (uint32_t)vec_hex(c, key, (int)i), "%s[%ld]", key, (long)i);
    }
    free(buf);
}

static void expect_repr(const vec_case *c, const char *key, ct_module *m) {
    cr_assert_not_null(m, "%s: %s", key, ct_last_error());
    char *s = ct_module_to_string(m);
    cr_assert_str_eq(s, vec_str(c, key));
    free(s);
    ct_module_free(m);
}

Test(misc_modules, init_repr_forward) {
    vec_file *f;
    const vec_case *c = load(&f);
    ct_manual_seed(0);
    ct_module *e = ct_nn_embedding(10, 3, .padding_idx = &(int64_t){0});
    expect_bits(c, "emb_weight", ct_module_get_parameter(e, "weight"));
    ct_state_dict *sd = ct_module_state_dict(e);
    cr_assert_eq(ct_state_dict_size(sd), 1);
    cr_assert_str_eq(ct_state_dict_key(sd, 0), "weight");
    ct_state_dict_free(sd);
    expect_repr(c, "emb_repr", e);

    ct_manual_seed(1);
    ct_module *b = ct_nn_bilinear(2, 3, 4);
    expect_bits(c, "bil_weight", ct_module_get_parameter(b, "weight"));
    expect_bits(c, "bil_bias", ct_module_get_parameter(b, "bias"));
    ct_tensor *a1 = ct_arange_f(0, 10, 1, NULL), *a2 = ct_arange_f(0, 15, 1, NULL);
    ct_tensor *x1v = ct_reshape(a1, CT_SIZE(5, 2)), *x2v = ct_reshape(a2, CT_SIZE(5, 3));
    ct_tensor *x1 = ct_div_scalar(x1v, 7), *x2 = ct_div_scalar(x2v, 11);
    ct_tensor *y = ct_forward_n(b, 2, (ct_tensor *[]){x1, x2});
    cr_assert_not_null(y, "%s", ct_last_error());
    float got[20];
    cr_assert_eq(ct_copy_to_buffer(y, CT_FLOAT32, got, sizeof got), CT_OK);
    for (int i = 0; i < 20; i++) {
        uint32_t bits = (uint32_t)vec_hex(c, "bil_out", i);
        float want;
        memcpy(&want, &bits, 4);
        cr_assert_float_eq(got[i], want, 1e-6f, "bil_out[%d]", i);
    }
    ct_tensor *tmp[] = {a1, a2, x1v, x2v, x1, x2, y};
    for (int i = 0; i < 7; i++) ct_free(tmp[i]);
    expect_repr(c, "bil_repr", b);

    ct_manual_seed(2);
    ct_module *eb = ct_nn_embedding_bag(6, 2, .mode = CT_EMBEDDING_BAG_MAX, .padding_idx = &(int64_t){1},
                                        .max_norm = &(double){2.0});
    expect_bits(c, "bag_weight", ct_module_get_parameter(eb, "weight"));
    expect_repr(c, "bag_repr", eb);
    expect_repr(c, "emb2_repr",
                ct_nn_embedding(10, 3, .max_norm = &(double){1.0}, .norm_type = 3.0, .scale_grad_by_freq = true,
                                .sparse = true));
    expect_repr(c, "up1_repr", ct_nn_upsample(.scale_factor = {2}));
    expect_repr(c, "up2_repr", ct_nn_upsample(.size = {3, 4}, .mode = CT_INTERP_BILINEAR, .align_corners = true));
    expect_repr(c, "up3_repr", ct_nn_upsampling_nearest2d(.scale_factor = {2}));
    expect_repr(c, "up4_repr", ct_nn_upsampling_bilinear2d(.size = {4}));
    expect_repr(c, "ps_repr",
                CT_SEQUENTIAL(ct_nn_pixel_shuffle(2), ct_nn_pixel_unshuffle(2), ct_nn_channel_shuffle(3)));
    expect_repr(c, "bil2_repr", ct_nn_bilinear(2, 3, 4, .no_bias = true));
    vec_free(f);
}

Test(misc_modules, embedding_forward_and_errors) {
    cr_assert_null(ct_nn_embedding(3, 2, .padding_idx = &(int64_t){3}));
    cr_assert_str_eq(ct_last_error(), "Padding_idx must be within num_embeddings");
    ct_tensor *w = ct_ones(CT_SIZE(2, 2), NULL);
    ct_tensor *row = ct_select(w, 0, 0);
    cr_assert_null(ct_nn_embedding_from_pretrained(row));
    cr_assert_str_eq(ct_last_error(), "Embeddings parameter is expected to be 2-dimensional");
    ct_free(row);
    ct_module *e = ct_nn_embedding_from_pretrained(w);
    cr_assert_not_null(e);
    cr_assert(!ct_requires_grad(ct_module_get_parameter(e, "weight")));
    ct_tensor *i = ct_tensor_from((int64_t[]){1, 0, 1}, CT_INT64, CT_SIZE(3));
    ct_tensor *y = ct_forward(e, i);
    cr_assert_eq(ct_dim(y), 2);
    cr_assert_eq(ct_size(y, 0), 3);
    ct_free(y);
    ct_free(i);
    ct_module_free(e);
    ct_free(w);
}
