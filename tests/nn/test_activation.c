/* Activation modules against tests/parity/data/activation_nn.txt (written
 * by gen_activation_nn.py with PyTorch 1.13.1): reprs, PReLU's parameter
 * and gradients, RReLU's random slopes bit for bit after a seed (train)
 * and its fixed slope (eval), in-place modules, Softmax2d. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("activation_nn.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(nn_activation, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

/* the hex values of key as a tensor of dtype (float32 / float64 bits) */
static ct_tensor *tensor_of(const vec_case *c, const char *key, ct_dtype dtype, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, dtype == CT_FLOAT32 ? TU_BITS32 : TU_BITS64, dtype, ndim, sizes);
}

/* t equals key: bit for bit (tol 0) or within tol relative + tol absolute */
static void expect_vals(const vec_case *c, const char *key, const ct_tensor *t, double tol) {
    if (tol == 0)
        tu_expect_hex(c, key, t, (tu_tol){.exact = true, .nan_ok = true, .bits = TU_BITS_OF_T});
    else
        tu_expect_hex(c, key, t, (tu_tol){.rtol = tol, .atol = tol, .bits = TU_BITS_OF_T});
}

/* the module each repr label names, built as gen_activation_nn.py builds it */
static ct_module *build(const char *l) {
#define L(name) (!strcmp(l, name))
    if (L("elu")) return ct_nn_elu(1.0, false);
    if (L("elu_a")) return ct_nn_elu(0.5, true);
    if (L("celu")) return ct_nn_celu(1.0, false);
    if (L("celu_a")) return ct_nn_celu(2.0, false);
    if (L("selu")) return ct_nn_selu(false);
    if (L("selu_i")) return ct_nn_selu(true);
    if (L("relu")) return ct_nn_relu();
    if (L("relu_i")) return ct_nn_relu_inplace();
    if (L("relu6")) return ct_nn_relu6(false);
    if (L("relu6_i")) return ct_nn_relu6(true);
    if (L("hardsigmoid")) return ct_nn_hardsigmoid(false);
    if (L("hardswish")) return ct_nn_hardswish(false);
    if (L("silu")) return ct_nn_silu(false);
    if (L("silu_i")) return ct_nn_silu(true);
    if (L("mish")) return ct_nn_mish(false);
    if (L("hardtanh")) return ct_nn_hardtanh(-1.0, 1.0, false);
    if (L("hardtanh_a")) return ct_nn_hardtanh(0.0, 1.0, true);
    if (L("leaky")) return ct_nn_leaky_relu(0.01, false);
    if (L("leaky_a")) return ct_nn_leaky_relu(0.2, true);
    if (L("rrelu")) return ct_nn_rrelu(1.0 / 8, 1.0 / 3, false);
    if (L("rrelu_a")) return ct_nn_rrelu(0.1, 0.3, true);
    if (L("gelu")) return ct_nn_gelu(CT_GELU_NONE);
    if (L("gelu_t")) return ct_nn_gelu(CT_GELU_TANH);
    if (L("softplus")) return ct_nn_softplus(1, 20);
    if (L("softplus_a")) return ct_nn_softplus(2, 10);
    if (L("hardshrink")) return ct_nn_hardshrink(0.5);
    if (L("hardshrink_a")) return ct_nn_hardshrink(1.25);
    if (L("softshrink")) return ct_nn_softshrink(0.5);
    if (L("threshold")) return ct_nn_threshold(0.1, 20, false);
    if (L("threshold_a")) return ct_nn_threshold(-1.5, 0.25, true);
    if (L("prelu")) return ct_nn_prelu(1, 0.25, CT_DTYPE_DEFAULT);
    if (L("prelu_3")) return ct_nn_prelu(3, 0.1, CT_DTYPE_DEFAULT);
    if (L("glu")) return ct_nn_glu(-1);
    if (L("glu_0")) return ct_nn_glu(0);
    if (L("logsigmoid")) return ct_nn_logsigmoid();
    if (L("softsign")) return ct_nn_softsign();
    if (L("tanhshrink")) return ct_nn_tanhshrink();
    if (L("softmax2d")) return ct_nn_softmax2d();
    if (L("softmax")) return ct_nn_softmax(1);
    if (L("softmax_none")) return ct_nn_softmax(CT_SOFTMAX_DIM_NONE);
    if (L("log_softmax")) return ct_nn_log_softmax(-1);
    if (L("softmin")) return ct_nn_softmin(0);
    if (L("sigmoid")) return ct_nn_sigmoid();
    if (L("tanh")) return ct_nn_tanh();
    if (L("seq")) return CT_SEQUENTIAL(ct_nn_linear(2, 3), ct_nn_prelu(3, 0.25, CT_DTYPE_DEFAULT),
                                       ct_nn_gelu(CT_GELU_TANH), ct_nn_softmax(-1));
#undef L
    cr_assert_fail("unknown label %s", l);
    return NULL;
}

Test(nn_activation, reprs_are_pytorchs) {
    int n = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "repr_", 5)) continue;
        ct_module *m = build(vec_str(c, "label"));
        cr_assert_not_null(m, "%s: %s", vec_name(c), ct_last_error());
        char *s = ct_module_to_string(m);
        cr_assert_not_null(s);
        cr_assert_str_eq(s, vec_str(c, "text"), "%s", vec_name(c));
        free(s);
        ct_module_free(m);
        n++;
    }
    cr_assert_gt(n, 40);
}

Test(nn_activation, prelu_parameter_state_dict_forward_backward) {
    const vec_case *c = C("prelu_fb");
    ct_module *m = ct_nn_prelu(3, 0.1, CT_DTYPE_DEFAULT);
    ct_tensor *w = ct_module_get_parameter(m, "weight");
    expect_vals(c, "weight", w, 0);
    cr_assert(ct_requires_grad(w));
    ct_state_dict *sd = ct_module_state_dict(m);
    cr_assert_eq(ct_state_dict_size(sd), 1);
    cr_assert_str_eq(ct_state_dict_key(sd, 0), vec_tok(c, "keys", 0));
    ct_state_dict_free(sd);
    const int64_t shape[3] = {2, 3, 4};
    ct_tensor *x = tensor_of(c, "x", CT_FLOAT32, 3, shape);
    ct_tensor *g = tensor_of(c, "w", CT_FLOAT32, 3, shape);
    ct_tensor *y = ct_forward(m, x);
    expect_vals(c, "y", y, 0);
    cr_assert_eq(ct_backward(y, g, NULL), CT_OK);
    ct_tensor *gw = ct_grad(w);
    expect_vals(c, "gweight", gw, 1e-6);
    ct_free(x), ct_free(g), ct_free(y), ct_free(gw);
    ct_module_free(m);
    /* errors */
    cr_assert_null(ct_nn_prelu(-1, 0.25, CT_DTYPE_DEFAULT));
    cr_assert_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -1: [-1]");
}

Test(nn_activation, rrelu_draws_pytorchs_slopes_in_training_and_is_fixed_in_eval) {
    int n = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (strncmp(vec_name(c), "rrelu_", 6)) continue;
        ct_dtype dt = !strcmp(vec_str(c, "dtype"), "float64") ? CT_FLOAT64 : CT_FLOAT32;
        int64_t shape[4];
        int nd = vec_ints(c, "shape", shape, 4);
        ct_tensor *x0 = tensor_of(c, "x", dt, nd, shape);
        ct_tensor *x = ct_detach(x0);
        cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
        ct_module *m = ct_nn_rrelu(strtod(vec_str(c, "lower"), NULL), strtod(vec_str(c, "upper"), NULL), false);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *y = ct_forward(m, x);
        expect_vals(c, "y", y, 0);
        cr_assert_str_eq(ct_grad_fn_name(y), vec_str(c, "grad_fn"));
        ct_tensor *nxt = ct_rand(CT_SIZE(3), NULL);
        expect_vals(c, "next", nxt, 0);
        ct_tensor *ones = ct_ones_like(x, NULL);
        cr_assert_eq(ct_backward(y, ones, NULL), CT_OK);
        ct_tensor *gx = ct_grad(x);
        expect_vals(c, "grad", gx, 0);
        ct_free(gx);
        cr_assert_eq(ct_module_eval(m), CT_OK);
        ct_tensor *ye = ct_forward(m, x);
        expect_vals(c, "y_eval", ye, 0);
        ct_free(x0), ct_free(x), ct_free(y), ct_free(nxt), ct_free(ones), ct_free(ye);
        ct_module_free(m);
        n++;
    }
    cr_assert_eq(n, 3);
}

Test(nn_activation, inplace_module_and_softmax2d) {
    const vec_case *c = C("elu_inplace");
    ct_tensor *x = ct_tensor_from((const float[]){-2.0f, -0.5f, 0.0f, 1.5f}, CT_FLOAT32, CT_SIZE(4));
    ct_module *m = ct_nn_elu(0.5, true);
    ct_tensor *y = ct_forward(m, x);
    cr_assert_eq(ct_data_ptr(y), ct_data_ptr(x));
    expect_vals(c, "y", x, 1e-7);
    ct_free(x), ct_free(y);
    ct_module_free(m);

    c = C("softmax2d");
    const int64_t s4[4] = {2, 3, 2, 2};
    x = tensor_of(c, "x", CT_FLOAT32, 4, s4);
    m = ct_nn_softmax2d();
    y = ct_forward(m, x);
    expect_vals(c, "y", y, 1e-6);
    ct_tensor *x3 = ct_select(x, 0, 0);
    ct_tensor *y3 = ct_forward(m, x3);
    expect_vals(c, "y3", y3, 1e-6);
    ct_tensor *x2 = ct_reshape(x, CT_SIZE(6, 4));
    cr_assert_null(ct_forward(m, x2));
    cr_assert_str_eq(ct_last_error(), vec_str(C("softmax2d_err"), "text"));
    ct_free(x), ct_free(y), ct_free(x3), ct_free(y3), ct_free(x2);
    ct_module_free(m);
}

Test(nn_activation, constructor_errors) {
    cr_assert_null(ct_nn_hardtanh(1.0, -1.0, false));
    cr_assert_str_eq(ct_last_error(), "Hardtanh: max_val must be greater than min_val");
    cr_assert_null(ct_nn_gelu((ct_gelu_approximate)5));
    cr_assert_str_eq(ct_last_error(), "approximate argument must be either none or tanh.");
    /* softmax module with dim=None warns on each forward */
    ct_set_warnings_enabled(true);
    ct_module *m = ct_nn_softmax(CT_SOFTMAX_DIM_NONE);
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    long w0 = ct_warning_count();
    ct_tensor *y = ct_forward(m, x);
    cr_assert_not_null(y);
    cr_assert_eq(ct_warning_count(), w0 + 1);
    ct_free(x), ct_free(y);
    ct_module_free(m);
}
