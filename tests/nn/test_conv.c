/* Conv / ConvTranspose / Unfold / Fold / padding modules against
 * tests/parity/data/conv_modules.txt (gen_conv.py, PyTorch 1.13.1):
 * default init bits after the same seed, the draw count (next rand),
 * repr, state_dict keys, forward values in float64. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = vec_load("conv_modules.txt"); }
static void teardown(void) { vec_free(V); }
TestSuite(nn_conv, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

/* float32 bits for "next" (a float32 rand), float64 bits otherwise (the
 * generator converts the module to double before dumping it) */
static void expect_bits(const vec_case *c, const char *key, const ct_tensor *t) {
    int n = vec_len(c, key);
    if (!t) {
        cr_assert_eq(n, 0, "%s/%s missing", vec_name(c), key);
        return;
    }
    cr_assert_eq(ct_numel(t), n, "%s/%s numel %lld want %d", vec_name(c), key, (long long)ct_numel(t), n);
    bool f32 = !strcmp(key, "next");
    double *buf = malloc((size_t)n * sizeof *buf + 1);
    cr_assert_eq(ct_copy_to_buffer(t, CT_FLOAT64, buf, (size_t)n * sizeof *buf), CT_OK);
    for (int i = 0; i < n; i++) {
        uint64_t got;
        if (f32) {
            float f = (float)buf[i];
            uint32_t b32;
            memcpy(&b32, &f, 4);
            got = b32;
        } else {
            memcpy(&got, &buf[i], 8);
        }
        cr_assert_eq(got, vec_hex(c, key, i), "%s/%s[%d]", vec_name(c), key, i);
    }
    free(buf);
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = 1e-12, .atol = 1e-13});
}

static ct_tensor *tensor_of(const vec_case *c, const char *key, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, TU_BITS64, CT_FLOAT64, ndim, sizes);
}

static void expect_repr(const vec_case *c, ct_module *m) {
    cr_assert_not_null(m, "%s: %s", vec_name(c), ct_last_error());
    char *s = ct_module_to_string(m);
    cr_assert_not_null(s);
    cr_assert_str_eq(s, vec_str(c, "repr"));
    free(s);
}

/* expect_repr, then drop the module */
static void expect_repr_free(const vec_case *c, ct_module *m) {
    expect_repr(c, m);
    ct_module_free(m);
}

/* the same modules as gen_conv.py's MODS, in order */
static ct_module *make(int i) {
    switch (i) {
    case 0: return ct_nn_conv2d(1, 20, 5);
    case 1: return ct_nn_conv2d(1, 20, 5, .stride = 2, .padding = 1, .no_bias = true);
    case 2: return ct_nn_conv2d(4, 4, 3, .padding_str = "same", .groups = 2, .dilation = 2, .padding_mode = "reflect");
    case 3: return ct_nn_conv1d(2, 3, 3, .padding_str = "valid");
    case 4: return ct_nn_conv2d(2, 3, 0, .kernel_nd = {2, 3}, .padding_nd = {1, 2}, .padding_mode = "circular");
    case 5: return ct_nn_conv1d(2, 2, 3, .padding = 2, .padding_mode = "replicate");
    case 6: return ct_nn_conv_transpose2d(2, 3, 3, .stride = 2, .output_padding = 1);
    case 7: return ct_nn_conv_transpose1d(2, 4, 3, .groups = 2, .dilation = 2, .padding = 1);
    case 8: return ct_nn_conv3d(2, 3, 0, .kernel_nd = {1, 2, 3});
    case 9: return ct_nn_conv_transpose3d(2, 2, 2, .stride = 2, .no_bias = true);
    default: return NULL;
    }
}
static const char *const names[] = {"conv2d_lenet", "conv2d_opts", "conv2d_same", "conv1d_valid", "conv2d_circular",
                                    "conv1d_replicate", "convt2d", "convt1d", "conv3d", "convt3d"};

Test(nn_conv, init_repr_state_dict_forward) {
    for (int i = 0; i < 10; i++) {
        const vec_case *c = C(names[i]);
        ct_manual_seed(7);
        ct_module *m = make(i);
        expect_repr(c, m);
        ct_tensor *nx = ct_rand(CT_SIZE(1), NULL);
        expect_bits(c, "next", nx);
        ct_free(nx);
        expect_bits(c, "weight", ct_module_get_parameter(m, "weight"));
        expect_bits(c, "bias", ct_module_get_parameter(m, "bias"));
        ct_state_dict *sd = ct_module_state_dict(m);
        char keys[256] = "";
        for (int k = 0; k < ct_state_dict_size(sd); k++) {
            if (k) strcat(keys, " ");
            strcat(keys, ct_state_dict_key(sd, k));
        }
        cr_assert_str_eq(keys, vec_str(c, "keys") ? vec_str(c, "keys") : "", "%s", names[i]);
        ct_state_dict_free(sd);
        cr_assert_eq(ct_module_to(m, CT_FLOAT64), CT_OK);
        const ct_tensor *w = ct_module_get_parameter(m, "weight");
        int nsp = ct_dim(w) - 2;
        int64_t cin = i == 6 || i == 7 || i == 9 ? ct_size(w, 0) : ct_size(w, 1) * (i == 2 || i == 7 ? 2 : 1);
        int64_t xs[5] = {2, cin, 5, 5, 5};
        ct_tensor *x = tensor_of(c, "x", nsp + 2, xs);
        ct_tensor *y = ct_forward(m, x);
        expect_close(c, "y", y);
        ct_free(x);
        ct_free(y);
        ct_module_free(m);
    }
}

Test(nn_conv, fold_and_padding_reprs) {
    expect_repr_free(C("repr_unfold"), ct_nn_unfold(3));
    expect_repr_free(C("repr_unfold_t"), ct_nn_unfold(0, .kernel_nd = {2, 3}, .dilation = 2, .padding = 1, .stride = 2));
    expect_repr_free(C("repr_fold"), ct_nn_fold(4, 5, 3));
    expect_repr_free(C("repr_rpad2"), ct_nn_reflection_pad2d(CT_SIZE(2)));
    expect_repr_free(C("repr_reppad1"), ct_nn_replication_pad1d(CT_SIZE(1, 2)));
    expect_repr_free(C("repr_cpad2"), ct_nn_constant_pad2d(CT_SIZE(1), 3.5));
    expect_repr_free(C("repr_zpad2"), ct_nn_zero_pad2d(CT_SIZE(1, 2, 3, 4)));
    expect_repr_free(C("repr_cpad1"), ct_nn_constant_pad1d(CT_SIZE(2), 0.0));
    expect_repr_free(C("repr_rpad3"), ct_nn_reflection_pad3d(CT_SIZE(1)));
    expect_repr_free(C("repr_reppad3"), ct_nn_replication_pad3d(CT_SIZE(1, 0, 1, 0, 0, 1)));
    expect_repr_free(C("repr_cpad3"), ct_nn_constant_pad3d(CT_SIZE(1, 1, 1, 1, 2, 2), -1.0));
}

Test(nn_conv, module_errors) {
    cr_assert_null(ct_nn_conv2d(3, 4, 3, .groups = 2));
    cr_assert_str_eq(ct_last_error(), "in_channels must be divisible by groups");
    cr_assert_null(ct_nn_conv2d(4, 3, 3, .groups = 2));
    cr_assert_str_eq(ct_last_error(), "out_channels must be divisible by groups");
    cr_assert_null(ct_nn_conv2d(4, 4, 3, .stride = 2, .padding_str = "same"));
    cr_assert_str_eq(ct_last_error(), "padding='same' is not supported for strided convolutions");
}
