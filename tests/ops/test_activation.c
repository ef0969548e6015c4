/* Activation family (src/ops/activation.c, src/ops/softmax.c) against
 * tests/parity/data/activation.txt (gen_activation.py, PyTorch 1.13.1)
 * through the table-driven harness, plus NULL-argument, warning, rrelu
 * and in-place checks. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *inplace_result(ct_tensor *c, int rc) {
    if (rc == CT_OK) return c;
    ct_free(c);
    return NULL;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    const ct_tensor *x = in[0];
#define IS(name) (!strcmp(op, name))
    if (IS("elu")) return ct_elu(x, a[0]);
    if (IS("selu")) return ct_selu(x);
    if (IS("celu")) return ct_celu(x, a[0]);
    if (IS("hardtanh")) return ct_hardtanh(x, a[0], a[1]);
    if (IS("relu6")) return ct_relu6(x);
    if (IS("hardsigmoid")) return ct_hardsigmoid(x);
    if (IS("hardswish")) return ct_hardswish(x);
    if (IS("leaky_relu")) return ct_leaky_relu(x, a[0]);
    if (IS("logsigmoid")) return ct_logsigmoid(x);
    if (IS("rrelu_eval")) return ct_rrelu(x, a[0], a[1], false, NULL);
    if (IS("gelu")) return ct_gelu(x, (ct_gelu_approximate)(int)a[0]);
    if (IS("silu")) return ct_silu(x);
    if (IS("mish")) return ct_mish(x);
    if (IS("softplus")) return ct_softplus(x, a[0], a[1]);
    if (IS("softshrink")) return ct_softshrink(x, a[0]);
    if (IS("hardshrink")) return ct_hardshrink(x, a[0]);
    if (IS("softsign")) return ct_softsign(x);
    if (IS("tanhshrink")) return ct_tanhshrink(x);
    if (IS("threshold")) return ct_threshold(x, a[0], a[1]);
    if (IS("prelu")) return ct_prelu(x, in[1]);
    if (IS("glu")) return ct_glu(x, (int64_t)a[0]);
    if (IS("softmax")) return ct_softmax(x, (int64_t)a[0]);
    if (IS("log_softmax")) return ct_log_softmax(x, (int64_t)a[0]);
    if (IS("softmin")) return ct_softmin(x, (int64_t)a[0]);
    if (IS("softmax_dtype")) return ct_softmax_dtype(x, (int64_t)a[0], oh_dtype_named(vec_tok(c->vc, "dtype", 0)));
    if (IS("log_softmax_dtype"))
        return ct_log_softmax_dtype(x, (int64_t)a[0], oh_dtype_named(vec_tok(c->vc, "dtype", 0)));
    if (IS("softmin_dtype")) return ct_softmin_dtype(x, (int64_t)a[0], oh_dtype_named(vec_tok(c->vc, "dtype", 0)));
    /* in-place forms on a copy */
    ct_tensor *y = ct_clone(x);
    if (IS("elu_")) return inplace_result(y, ct_elu_(y, a[0]));
    if (IS("selu_")) return inplace_result(y, ct_selu_(y));
    if (IS("celu_")) return inplace_result(y, ct_celu_(y, a[0]));
    if (IS("hardtanh_")) return inplace_result(y, ct_hardtanh_(y, a[0], a[1]));
    if (IS("relu6_")) return inplace_result(y, ct_relu6_(y));
    if (IS("hardsigmoid_")) return inplace_result(y, ct_hardsigmoid_(y));
    if (IS("hardswish_")) return inplace_result(y, ct_hardswish_(y));
    if (IS("leaky_relu_")) return inplace_result(y, ct_leaky_relu_(y, a[0]));
    if (IS("silu_")) return inplace_result(y, ct_silu_(y));
    if (IS("mish_")) return inplace_result(y, ct_mish_(y));
    if (IS("threshold_")) return inplace_result(y, ct_threshold_(y, a[0], a[1]));
#undef IS
    ct_free(y);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* kinks: the gradient is piecewise constant, so its derivative is zero
 * almost everywhere; PyTorch's double backward is defined too, but
 * finite differences of it are meaningless across the kinks */
static const char *const once[] = {"hardtanh", "hardtanh_", "relu6", "relu6_", "hardshrink", "softshrink",
                                   "threshold", "threshold_", NULL};

/* the _dtype forms convert a float32 input to float64: gradients are
 * compared with PyTorch's, finite differences need float64 inputs */
static const char *const no_gc[] = {"softmax_dtype", "log_softmax_dtype", "softmin_dtype", NULL};

Test(activation, parity_values_gradients_gradcheck) {
    op_harness_opts o = {.once_differentiable = once, .no_gradcheck = no_gc};
    cr_assert_gt(op_harness_run("activation.txt", run_op, &o), 600);
}

Test(activation, null_inputs_keep_the_last_error) {
    ct_clear_error();
    ct_tensor *l = ct_ones(1, (int64_t[]){2}, CT_OPTS(.dtype = CT_INT64));
    cr_assert_null(ct_elu(l, 1.0));
    char saved[256];
    strncpy(saved, ct_last_error(), sizeof saved - 1);
    saved[sizeof saved - 1] = 0;
    cr_assert_null(ct_elu(NULL, 1));
    cr_assert_null(ct_selu(NULL));
    cr_assert_null(ct_celu(NULL, 0)); /* NULL before the alpha check */
    cr_assert_null(ct_hardtanh(NULL, -1, 1));
    cr_assert_null(ct_relu6(NULL));
    cr_assert_null(ct_hardsigmoid(NULL));
    cr_assert_null(ct_hardswish(NULL));
    cr_assert_null(ct_leaky_relu(NULL, 0.1));
    cr_assert_null(ct_logsigmoid(NULL));
    cr_assert_null(ct_prelu(NULL, l));
    cr_assert_null(ct_prelu(l, NULL));
    cr_assert_null(ct_rrelu(NULL, 0.1, 0.3, true, NULL));
    cr_assert_null(ct_gelu(NULL, 7));
    cr_assert_null(ct_silu(NULL));
    cr_assert_null(ct_mish(NULL));
    cr_assert_null(ct_softplus(NULL, 1, 20));
    cr_assert_null(ct_softshrink(NULL, -1));
    cr_assert_null(ct_hardshrink(NULL, 0.5));
    cr_assert_null(ct_softsign(NULL));
    cr_assert_null(ct_tanhshrink(NULL));
    cr_assert_null(ct_threshold(NULL, 0, 0));
    cr_assert_null(ct_glu(NULL, 0));
    cr_assert_null(ct_softmax(NULL, CT_SOFTMAX_DIM_NONE));
    cr_assert_null(ct_log_softmax(NULL, 0));
    cr_assert_null(ct_softmin(NULL, 0));
    cr_assert_null(ct_softmax_dtype(NULL, 0, CT_FLOAT64));
    cr_assert_null(ct_log_softmax_dtype(NULL, 0, CT_FLOAT64));
    cr_assert_null(ct_softmin_dtype(NULL, 0, CT_FLOAT64));
    cr_assert_eq(ct_elu_(NULL, 1), CT_ERROR);
    cr_assert_eq(ct_selu_(NULL), CT_ERROR);
    cr_assert_eq(ct_celu_(NULL, 1), CT_ERROR);
    cr_assert_eq(ct_hardtanh_(NULL, -1, 1), CT_ERROR);
    cr_assert_eq(ct_relu6_(NULL), CT_ERROR);
    cr_assert_eq(ct_hardsigmoid_(NULL), CT_ERROR);
    cr_assert_eq(ct_hardswish_(NULL), CT_ERROR);
    cr_assert_eq(ct_leaky_relu_(NULL, 0.1), CT_ERROR);
    cr_assert_eq(ct_rrelu_(NULL, 0.1, 0.2, false, NULL), CT_ERROR);
    cr_assert_eq(ct_silu_(NULL), CT_ERROR);
    cr_assert_eq(ct_mish_(NULL), CT_ERROR);
    cr_assert_eq(ct_threshold_(NULL, 0, 0), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), saved);
    ct_free(l);
}

Test(activation, implicit_softmax_dim_warns_and_picks_pytorchs_dim) {
    ct_tensor *x = ct_arange(0, 24, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *x3 = ct_reshape(x, CT_SIZE(2, 3, 4));
    ct_tensor *x2 = ct_reshape(x, CT_SIZE(6, 4));
    long w0 = ct_warning_count();
    ct_tensor *a = ct_softmax(x3, CT_SOFTMAX_DIM_NONE); /* 3-D: dim 0 */
    cr_assert_eq(ct_warning_count(), w0 + 1);
    cr_assert_str_eq(ct_last_warning(), "Implicit dimension choice for softmax has been deprecated. Change the call "
                                        "to include dim=X as an argument.");
    ct_tensor *b = ct_softmax(x3, 0);
    bool eq = false;
    cr_assert_eq(ct_equal(a, b, &eq), CT_OK);
    cr_assert(eq);
    ct_tensor *c = ct_log_softmax(x2, CT_SOFTMAX_DIM_NONE); /* 2-D: dim 1 */
    cr_assert_str_eq(ct_last_warning(), "Implicit dimension choice for log_softmax has been deprecated. Change the "
                                         "call to include dim=X as an argument.");
    ct_tensor *d = ct_log_softmax(x2, 1);
    cr_assert_eq(ct_equal(c, d, &eq), CT_OK);
    cr_assert(eq);
    ct_tensor *e = ct_softmin(x2, CT_SOFTMAX_DIM_NONE);
    cr_assert_str_eq(ct_last_warning(), "Implicit dimension choice for softmin has been deprecated. Change the call "
                                        "to include dim=X as an argument.");
    ct_free(x), ct_free(x2), ct_free(x3), ct_free(a), ct_free(b), ct_free(c), ct_free(d), ct_free(e);
}

Test(activation, inplace_forms_write_into_x_and_refuse_leaves) {
    ct_tensor *x = ct_full(1, (int64_t[]){3}, -1.0, NULL);
    void *p = ct_data_ptr(x);
    int64_t v = ct_version(x);
    cr_assert_eq(ct_elu_(x, 1.0), CT_OK);
    cr_assert_eq(ct_data_ptr(x), p);
    cr_assert_gt(ct_version(x), v);
    float got[3];
    cr_assert_eq(ct_copy_to_buffer(x, CT_FLOAT32, got, sizeof got), CT_OK);
    cr_assert_float_eq(got[0], expm1f(-1.0f), 1e-6);
    ct_tensor *leaf = ct_ones(1, (int64_t[]){3}, CT_OPTS(.requires_grad = true));
    cr_assert_eq(ct_leaky_relu_(leaf, 0.1), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    /* in-place leaky_relu with a negative slope: backward refuses, as PyTorch */
    ct_tensor *z = ct_randn(1, (int64_t[]){4}, CT_OPTS(.requires_grad = true));
    ct_tensor *y = ct_mul_scalar(z, 1.0);
    cr_assert_eq(ct_leaky_relu_(y, -0.1), CT_OK);
    ct_tensor *s = ct_sum(y);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_ERROR);
    cr_assert(strstr(ct_last_error(), "In-place leakyReLu backward calculation is triggered with a negative slope"));
    ct_free(x), ct_free(leaf), ct_free(z), ct_free(y), ct_free(s);
}
