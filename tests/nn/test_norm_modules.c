/* Norm and dropout modules against tests/parity/data/norm_modules.txt
 * (gen_norm_modules.py, PyTorch 1.13.1): reprs, state_dict keys, running
 * statistics over training steps, eval behaviour, masks after a seed. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("norm_modules.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(norm_modules, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

/* a float64 (or float32 with f32) tensor of the hex values of key */
static ct_tensor *load(const vec_case *c, const char *key, int ndim, const int64_t *sizes, bool f32) {
    return tu_hex_tensor(c, key, f32 ? TU_BITS32 : TU_BITS64, f32 ? CT_FLOAT32 : CT_FLOAT64, ndim, sizes);
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, double rtol) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = rtol, .atol = rtol, .bits = TU_BITS_OF_T});
}

static void expect_names(const vec_case *c, const char *key, int n, char **names) {
    cr_assert_eq(n, vec_len(c, key), "%s/%s: %d names, PyTorch %d", vec_name(c), key, n, vec_len(c, key));
    for (int i = 0; i < n; i++) cr_assert_str_eq(names[i], vec_tok(c, key, i), "%s/%s[%d]", vec_name(c), key, i);
}

static void check_repr(const char *name, ct_module *m) {
    char key[64];
    snprintf(key, sizeof key, "repr_%s", name);
    const vec_case *c = C(key);
    cr_assert_not_null(m, "%s: %s", name, ct_last_error());
    char *s = ct_module_to_string(m);
    cr_assert_str_eq(s, vec_str(c, "text"));
    free(s);
    ct_state_dict *sd = ct_module_state_dict(m);
    int n = ct_state_dict_size(sd);
    char *keys[16];
    for (int i = 0; i < n && i < 16; i++) keys[i] = (char *)ct_state_dict_key(sd, i);
    expect_names(c, "keys", n, keys);
    ct_state_dict_free(sd);
    ct_named_tensors p = ct_module_named_parameters(m, true), b = ct_module_named_buffers(m, true);
    expect_names(c, "params", p.n, p.names);
    expect_names(c, "buffers", b.n, b.names);
    ct_named_tensors_free(&p);
    ct_named_tensors_free(&b);
    ct_module_free(m);
}

Test(norm_modules, reprs_and_state_dict_keys) {
    check_repr("bn1", ct_nn_batch_norm1d(3));
    check_repr("bn2", ct_nn_batch_norm2d(20));
    check_repr("bn3", ct_nn_batch_norm3d(4, .eps = 1e-3, .momentum_none = true, .no_affine = true));
    check_repr("bn2_notrack", ct_nn_batch_norm2d(5, .momentum = 0.25, .no_track_running_stats = true));
    check_repr("in1", ct_nn_instance_norm1d(3));
    check_repr("in2", ct_nn_instance_norm2d(4, .affine = true, .track_running_stats = true));
    check_repr("in3", ct_nn_instance_norm3d(2, .eps = 1e-6, .momentum = 0.3));
    check_repr("ln1", ct_nn_layer_norm(CT_SIZE(10)));
    check_repr("ln2", ct_nn_layer_norm(CT_SIZE(3, 4), .eps = 1e-6, .no_elementwise_affine = true));
    check_repr("gn1", ct_nn_group_norm(2, 4));
    check_repr("gn2", ct_nn_group_norm(1, 3, .eps = 0.001, .no_affine = true));
    check_repr("lrn1", ct_nn_local_response_norm(2));
    check_repr("lrn2", ct_nn_local_response_norm(3, .alpha = 0.5, .beta = 0.25, .k = 2.0));
    check_repr("do1", ct_nn_dropout(0.5));
    check_repr("do2", ct_nn_dropout(0.2, .inplace = true));
    check_repr("do1d", ct_nn_dropout1d(0.1));
    check_repr("do2d", ct_nn_dropout2d(0.25));
    check_repr("do3d", ct_nn_dropout3d(0.5));
    check_repr("ado", ct_nn_alpha_dropout(0.3));
    check_repr("fado", ct_nn_feature_alpha_dropout(0.0));
}

static void set_vec(ct_module *m, const char *name, double a, double b, double c) {
    ct_tensor *t = ct_module_get_parameter(m, name);
    ct_tensor *v = ct_tensor_from((double[]){a, b, c}, CT_FLOAT64, CT_SIZE(3));
    ct_grad_mode g = ct_no_grad_begin();
    cr_assert_eq(ct_copy_(t, v), CT_OK);
    ct_grad_mode_end(g);
    ct_free(v);
}

static void run_bn(const char *name, ct_module *m) {
    const vec_case *c = C(name);
    cr_assert_not_null(m);
    cr_assert_eq(ct_module_to(m, CT_FLOAT64), CT_OK);
    set_vec(m, "weight", 0.5, 1.5, -1.0);
    set_vec(m, "bias", (float)0.1, (float)-0.2, (float)0.3); /* torch.tensor([...]) is float32 */
    int64_t shape[8];
    int nd = vec_ints(c, "shape", shape, 8);
    for (int s = 0; s < 3; s++) {
        char k[8][8];
        const char *pre[5] = {"x", "y", "rm", "rv", "nbt"};
        for (int j = 0; j < 5; j++) snprintf(k[j], 8, "%s%d", pre[j], s);
        ct_tensor *x = load(c, k[0], nd, shape, false);
        ct_tensor *y = ct_forward(m, x);
        expect_close(c, k[1], y, 1e-12);
        expect_close(c, k[2], ct_module_get_buffer(m, "running_mean"), 1e-12);
        expect_close(c, k[3], ct_module_get_buffer(m, "running_var"), 1e-12);
        int64_t nbt = 0;
        cr_assert_eq(ct_copy_to_buffer(ct_module_get_buffer(m, "num_batches_tracked"), CT_INT64, &nbt, 8), CT_OK);
        cr_assert_eq(nbt, vec_int(c, k[4], 0));
        ct_free(x);
        ct_free(y);
    }
    cr_assert_eq(ct_module_eval(m), CT_OK);
    ct_tensor *x = load(c, "xe", nd, shape, false);
    ct_tensor *y = ct_forward(m, x);
    expect_close(c, "ye", y, 1e-12);
    ct_free(x);
    ct_free(y);
    ct_module_free(m);
}

Test(norm_modules, batch_norm_running_stats_train_eval) {
    run_bn("bn2_mom", ct_nn_batch_norm2d(3, .momentum = 0.1));
    run_bn("bn2_none", ct_nn_batch_norm2d(3, .momentum_none = true));
    run_bn("bn1_mom", ct_nn_batch_norm1d(3, .momentum = 0.3));
    run_bn("bn1_3d", ct_nn_batch_norm1d(3));
    run_bn("bn3", ct_nn_batch_norm3d(3, .eps = 1e-3));

    const vec_case *c = C("bn_notrack_eval");
    ct_module *m = ct_nn_batch_norm1d(3, .no_track_running_stats = true, .dtype = CT_FLOAT64);
    cr_assert_eq(ct_module_eval(m), CT_OK);
    ct_tensor *x = load(c, "x", CT_SIZE(4, 3), false), *y = ct_forward(m, x);
    expect_close(c, "y", y, 1e-12);
    ct_free(x);
    ct_free(y);
    ct_module_free(m);
}

static void expect_err(const vec_case *c, const char *key, ct_tensor *got) {
    cr_assert_null(got);
    cr_assert_str_eq(ct_last_error(), vec_str(c, key));
}

Test(norm_modules, errors) {
    const vec_case *c = C("bn_errors");
    ct_module *m2 = ct_nn_batch_norm2d(3), *m1 = ct_nn_batch_norm1d(3), *m3 = ct_nn_batch_norm3d(3);
    ct_module *i2 = ct_nn_instance_norm2d(3);
    ct_tensor *x3 = ct_zeros(CT_SIZE(2, 3, 4), NULL), *x4 = ct_zeros(CT_SIZE(2, 3, 4, 5), NULL);
    ct_tensor *x13 = ct_zeros(CT_SIZE(1, 3), NULL), *x45 = ct_zeros(CT_SIZE(4, 5), NULL);
    expect_err(c, "dim2", ct_forward(m2, x3));
    expect_err(c, "dim1", ct_forward(m1, x4));
    expect_err(c, "dim3", ct_forward(m3, x3));
    expect_err(c, "one", ct_forward(m1, x13));
    expect_err(c, "in2", ct_forward(i2, x45));
    /* channels other than num_features: accepted without affine or running
     * stats (as 1.13), batch_norm's size error otherwise */
    ct_module *ia = ct_nn_instance_norm2d(3, .affine = true), *it = ct_nn_instance_norm2d(3, .track_running_stats = true);
    ct_tensor *x4c = ct_zeros(CT_SIZE(2, 4, 5, 5), NULL), *y4c = ct_forward(i2, x4c);
    cr_assert_not_null(y4c, "%s", ct_last_error());
    cr_assert_eq(ct_size(y4c, 1), 4);
    expect_err(c, "in_affine", ct_forward(ia, x4c));
    expect_err(c, "in_track", ct_forward(it, x4c));
    ct_free(y4c);
    ct_free(x4c);
    ct_module_free(ia);
    ct_module_free(it);
    cr_assert_null(ct_nn_group_norm(2, 3));
    cr_assert_str_eq(ct_last_error(), vec_str(c, "gn"));
    cr_assert_null(ct_nn_dropout(1.5));
    cr_assert_str_eq(ct_last_error(), vec_str(c, "drop"));
    /* NULL input: NULL, error untouched */
    ct_clear_error();
    cr_assert_null(ct_forward(m2, NULL));
    cr_assert_null(ct_batch_norm(NULL, NULL, NULL, NULL, NULL, true, 0.1, 1e-5));
    cr_assert_null(ct_layer_norm(NULL, CT_SIZE(3), NULL, NULL, 1e-5));
    cr_assert_null(ct_group_norm(NULL, 1, NULL, NULL, 1e-5));
    cr_assert_null(ct_instance_norm(NULL, NULL, NULL, NULL, NULL, true, 0.1, 1e-5));
    cr_assert_null(ct_dropout(NULL, 0.5, true));
    cr_assert_null(ct_normalize(NULL, 2, 1, 1e-12));
    cr_assert_null(ct_local_response_norm(NULL, 2, 1e-4, 0.75, 1));
    cr_assert_eq(ct_dropout_(NULL, 0.5, true), CT_ERROR);
    cr_assert_null(ct_last_error());
    ct_free(x3);
    ct_free(x4);
    ct_free(x13);
    ct_free(x45);
    ct_module_free(m1);
    ct_module_free(m2);
    ct_module_free(m3);
    ct_module_free(i2);
}

Test(norm_modules, instance_norm_tracking) {
    const vec_case *c = C("in1_track");
    ct_module *m = ct_nn_instance_norm1d(3, .affine = true, .track_running_stats = true, .dtype = CT_FLOAT64);
    ct_tensor *x0 = load(c, "x0", CT_SIZE(2, 3, 5), false), *y0 = ct_forward(m, x0);
    expect_close(c, "y0", y0, 1e-12);
    expect_close(c, "rm0", ct_module_get_buffer(m, "running_mean"), 1e-12);
    expect_close(c, "rv0", ct_module_get_buffer(m, "running_var"), 1e-12);
    ct_tensor *x1 = load(c, "x1", CT_SIZE(3, 4), false), *y1 = ct_forward(m, x1);
    expect_close(c, "y1", y1, 1e-12);
    expect_close(c, "rm1", ct_module_get_buffer(m, "running_mean"), 1e-12);
    expect_close(c, "rv1", ct_module_get_buffer(m, "running_var"), 1e-12);
    cr_assert_eq(ct_module_eval(m), CT_OK);
    ct_tensor *xe = load(c, "xe", CT_SIZE(2, 3, 4), false), *ye = ct_forward(m, xe);
    expect_close(c, "ye", ye, 1e-12);
    int64_t nbt = -1;
    cr_assert_eq(ct_copy_to_buffer(ct_module_get_buffer(m, "num_batches_tracked"), CT_INT64, &nbt, 8), CT_OK);
    cr_assert_eq(nbt, vec_int(c, "nbt", 0));
    ct_tensor *all[] = {x0, y0, x1, y1, xe, ye};
    for (int i = 0; i < 6; i++) ct_free(all[i]);
    ct_module_free(m);
}

Test(norm_modules, layer_group_lrn_modules) {
    const vec_case *c = C("ln_fwd");
    ct_module *ln = ct_nn_layer_norm(CT_SIZE(3, 4), .dtype = CT_FLOAT64);
    ct_tensor *x = load(c, "x", CT_SIZE(2, 3, 4), false), *w = load(c, "w", CT_SIZE(2, 3, 4), false);
    ct_tensor *y = ct_forward(ln, x);
    expect_close(c, "y", y, 1e-12);
    ct_tensor *yw = ct_mul(y, w), *s = ct_sum(yw);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK);
    ct_tensor *gw = ct_grad(ct_module_get_parameter(ln, "weight")), *gb = ct_grad(ct_module_get_parameter(ln, "bias"));
    expect_close(c, "gw", gw, 1e-12);
    expect_close(c, "gb", gb, 1e-12);
    ct_tensor *all[] = {x, w, y, yw, s, gw, gb};
    for (int i = 0; i < 7; i++) ct_free(all[i]);
    ct_module_free(ln);

    c = C("gn_fwd");
    ct_module *gn = ct_nn_group_norm(2, 4, .dtype = CT_FLOAT64);
    x = load(c, "x", CT_SIZE(2, 4, 3), false);
    y = ct_forward(gn, x);
    expect_close(c, "y", y, 1e-12);
    ct_free(x);
    ct_free(y);
    ct_module_free(gn);

    c = C("lrn_fwd");
    ct_module *lrn = ct_nn_local_response_norm(3, .alpha = 0.5, .beta = 0.25, .k = 2.0);
    x = load(c, "x", CT_SIZE(2, 4, 3), false);
    y = ct_forward(lrn, x);
    expect_close(c, "y", y, 1e-12);
    ct_free(x);
    ct_free(y);
    ct_module_free(lrn);
}

static void run_drop(const char *name, ct_module *m) {
    char key[64];
    snprintf(key, sizeof key, "drop_%s", name);
    const vec_case *c = C(key);
    int64_t shape[8];
    int nd = vec_ints(c, "shape", shape, 8);
    ct_tensor *x = load(c, "x", nd, shape, true);
    ct_manual_seed(11);
    ct_tensor *y = ct_forward(m, x);
    expect_close(c, "y", y, 0); /* bit for bit */
    ct_tensor *nxt = ct_rand(CT_SIZE(3), NULL);
    expect_close(c, "next", nxt, 0); /* same number of draws */
    cr_assert_eq(ct_module_eval(m), CT_OK);
    ct_tensor *ye = ct_forward(m, x);
    cr_assert(ct_shares_storage(ye, x), "%s: eval returns the input (or a view of it)", name);
    ct_free(ye);
    ct_free(nxt);
    ct_free(x);
    ct_free(y);
    ct_module_free(m);
}

Test(norm_modules, dropout_masks_after_seed) {
    run_drop("do", ct_nn_dropout(0.3));
    run_drop("do2d", ct_nn_dropout2d(0.5));
    run_drop("do1d", ct_nn_dropout1d(0.5));
    run_drop("do3d", ct_nn_dropout3d(0.5));
    run_drop("ado", ct_nn_alpha_dropout(0.2));
    run_drop("fado", ct_nn_feature_alpha_dropout(0.4));
}
