/* Autograd semantics, each scenario mirroring one of gen_autograd.py whose
 * PyTorch results are in tests/parity/data/autograd.txt. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *g_vec;
static void setup(void) {
    g_vec = vec_load("autograd.txt");
    ct_clear_error();
    cr_assert_eq(ct_scope_begin(), 1);
}
static void teardown(void) {
    cr_assert_eq(ct_scope_end(), CT_OK);
    vec_free(g_vec);
}
TestSuite(autograd, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(g_vec, name); }

/* t (any float dtype) equals the float64 values of key, to rtol 1e-12 */
static void expect_values(const vec_case *c, const char *key, const ct_tensor *t) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = 1e-12, .atol = 1e-15});
}

static ct_tensor *X(void) {
    ct_tensor *x = ct_tensor_from((double[]){1, 2, 3}, CT_FLOAT64, CT_SIZE(3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    return x;
}

Test(autograd, accumulates_across_backward_calls) {
    ct_tensor *x = X();
    cr_assert_eq(ct_backward(ct_sum(ct_mul(x, x)), NULL, NULL), CT_OK);
    cr_assert_eq(ct_backward(ct_sum(ct_mul_scalar(x, 3)), NULL, NULL), CT_OK);
    expect_values(C("accumulate"), "grad", ct_grad(x));
}

Test(autograd, retain_graph_and_second_backward_error) {
    const vec_case *c = C("retain_graph");
    ct_tensor *x = X();
    ct_tensor *y = ct_sum(ct_exp(x));
    cr_assert_eq(ct_backward(y, NULL, &(ct_backward_opts){.retain_graph = true}), CT_OK);
    cr_assert_eq(ct_backward(y, NULL, NULL), CT_OK);
    expect_values(c, "grad", ct_grad(x));
    cr_assert_eq(ct_backward(y, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "error"));
}

Test(autograd, third_order_gradient_of_cube) {
    const vec_case *c = C("third_order");
    ct_tensor *x = ct_scalar_tensor(2.0, CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *y = ct_pow_scalar(x, 3);
    ct_tensor *g1, *g2, *g3;
    ct_grad_opts create = {.create_graph = true};
    cr_assert_eq(ct_autograd_grad(1, &y, 1, &x, NULL, &create, &g1), CT_OK, "%s", ct_last_error());
    cr_assert_str_eq(ct_grad_fn_name(g1), vec_str(c, "g1_fn"));
    cr_assert_eq(ct_autograd_grad(1, &g1, 1, &x, NULL, &create, &g2), CT_OK, "%s", ct_last_error());
    cr_assert_eq(ct_autograd_grad(1, &g2, 1, &x, NULL, NULL, &g3), CT_OK, "%s", ct_last_error());
    expect_values(c, "g1", g1);
    expect_values(c, "g2", g2);
    expect_values(c, "g3", g3);
}

Test(autograd, inplace_modification_of_saved_tensor) {
    const vec_case *c = C("version_error");
    ct_tensor *x = X();
    ct_tensor *a = ct_mul_scalar(x, 2);
    ct_tensor *b = ct_sin(a);
    cr_assert_eq(ct_add_scalar_(a, 1), CT_OK);
    cr_assert_eq(ct_version(a), vec_int(c, "version", 0));
    cr_assert_eq(ct_backward(ct_sum(b), NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "error"));

    const vec_case *c2 = C("version_error_output");
    ct_tensor *x2 = X();
    ct_tensor *e = ct_exp(x2);
    cr_assert_eq(ct_mul_scalar_(e, 2), CT_OK);
    cr_assert_eq(ct_backward(ct_sum(e), NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c2, "error"));
}

Test(autograd, grad_modes_nest) {
    const vec_case *c = C("modes");
    ct_tensor *x = X(), *y, *z = NULL;
    CT_ENABLE_GRAD {
        CT_NO_GRAD {
            cr_assert_not(ct_is_grad_enabled());
            y = ct_mul_scalar(x, 2);
            CT_ENABLE_GRAD { z = ct_mul_scalar(x, 2); }
            cr_assert_not(ct_is_grad_enabled());
        }
    }
    cr_assert(ct_is_grad_enabled());
    cr_assert_eq(ct_requires_grad(y), vec_int(c, "y_requires", 0));
    cr_assert_eq(ct_requires_grad(z), vec_int(c, "z_requires", 0));
    cr_assert_str_eq(ct_grad_fn_name(z), vec_str(c, "z_fn"));

    const vec_case *ci = C("inference");
    ct_tensor *w;
    CT_INFERENCE_MODE {
        cr_assert(ct_is_inference_mode_enabled());
        w = ct_mul_scalar(x, 2);
    }
    cr_assert_not(ct_is_inference_mode_enabled());
    cr_assert_eq(ct_requires_grad(w), vec_int(ci, "w_requires", 0));

    ct_set_grad_enabled(false);
    cr_assert_not(ct_requires_grad(ct_mul(x, x)));
    ct_set_grad_enabled(true);
    ct_grad_mode m = ct_set_grad_enabled_begin(false);
    cr_assert_not(ct_is_grad_enabled());
    ct_grad_mode_end(m);
    cr_assert(ct_is_grad_enabled());
}

static ct_tensor *times_two(ct_tensor *g, void *ctx) {
    (void)ctx;
    return ct_mul_scalar(g, 2);
}
static ct_tensor *plus_one(ct_tensor *g, void *ctx) {
    ++*(int *)ctx;
    return ct_add_scalar(g, 1);
}

Test(autograd, hooks_on_leaves_and_non_leaves) {
    ct_tensor *x = X();
    int id = ct_register_hook(x, times_two, NULL);
    cr_assert_gt(id, 0);
    cr_assert_eq(ct_backward(ct_sum(ct_mul(x, x)), NULL, NULL), CT_OK);
    expect_values(C("leaf_hook"), "grad", ct_grad(x));

    ct_tensor *x2 = X();
    ct_tensor *h = ct_mul_scalar(x2, 1);
    int calls = 0;
    cr_assert_gt(ct_register_hook(h, plus_one, &calls), 0);
    cr_assert_eq(ct_backward(ct_sum(ct_mul(h, h)), NULL, NULL), CT_OK);
    cr_assert_eq(calls, 1);
    expect_values(C("nonleaf_hook"), "grad", ct_grad(x2));

    /* removed hooks do not run */
    ct_tensor *x3 = X();
    int id3 = ct_register_hook(x3, times_two, NULL);
    cr_assert_eq(ct_remove_hook(x3, id3), CT_OK);
    cr_assert_eq(ct_remove_hook(x3, id3), CT_ERROR);
    cr_assert_eq(ct_backward(ct_sum(x3), NULL, NULL), CT_OK);
    double g[3];
    cr_assert_eq(ct_copy_to_buffer(ct_grad(x3), CT_FLOAT64, g, sizeof g), CT_OK);
    cr_assert_eq(g[0], 1.0);
}

Test(autograd, retain_grad_keeps_non_leaf_grad) {
    const vec_case *c = C("retain_grad");
    ct_tensor *x = X();
    ct_tensor *h = ct_mul_scalar(x, 2);
    cr_assert_eq(ct_retain_grad(h), CT_OK);
    cr_assert(ct_retains_grad(h));
    cr_assert_eq(ct_backward(ct_sum(ct_pow_scalar(h, 2)), NULL, NULL), CT_OK);
    expect_values(c, "h_grad", ct_grad(h));
    expect_values(c, "x_grad", ct_grad(x));
    /* a non-leaf without retain_grad has no .grad */
    ct_tensor *h2 = ct_mul_scalar(x, 2);
    cr_assert_eq(ct_backward(ct_sum(h2), NULL, NULL), CT_OK);
    cr_assert_null(ct_grad(h2));
}

Test(autograd, autograd_grad_allow_unused) {
    const vec_case *c = C("allow_unused");
    ct_tensor *x = X();
    ct_tensor *u = ct_tensor_from((double[]){1}, CT_FLOAT64, CT_SIZE(1));
    cr_assert_eq(ct_requires_grad_(u, true), CT_OK);
    ct_tensor *ins[2] = {x, u}, *res[2];
    ct_tensor *y = ct_sum(ct_mul(x, x));
    cr_assert_eq(ct_autograd_grad(1, &y, 2, ins, NULL, &(ct_grad_opts){.allow_unused = true}, res), CT_OK);
    expect_values(c, "g0", res[0]);
    cr_assert_eq(res[1] == NULL, vec_int(c, "g1_is_none", 0));
    cr_assert_null(ct_grad(x), "autograd.grad does not accumulate into .grad");
    ct_tensor *y2 = ct_sum(ct_mul(x, x));
    cr_assert_eq(ct_autograd_grad(1, &y2, 2, ins, NULL, NULL, res), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "error"));
}

Test(autograd, error_messages) {
    const vec_case *c = C("errors");
    ct_tensor *x = X();
    cr_assert_eq(ct_backward(ct_mul_scalar(x, 2), NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "nonscalar"));
    ct_tensor *two = ct_ones(CT_SIZE(2), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_backward(ct_mul_scalar(x, 2), two, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "mismatch"));
    cr_assert_eq(ct_backward(ct_sum(ct_ones(CT_SIZE(3), NULL)), NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "no_grad_root"));
    cr_assert_eq(ct_add_scalar_(x, 1), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "leaf_inplace"));
    cr_assert_eq(ct_requires_grad_(ct_ones(CT_SIZE(3), CT_OPTS(.dtype = CT_INT64)), true), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "int_requires"));
    cr_assert_eq(ct_requires_grad_(ct_mul_scalar(x, 2), false), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "nonleaf_requires"));
    cr_assert_eq(ct_register_hook(ct_ones(CT_SIZE(3), NULL), times_two, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "hook_no_grad"));
    /* NULL inputs fail without replacing the message */
    cr_assert_eq(ct_backward(NULL, NULL, NULL), CT_ERROR);
    cr_assert_null(ct_grad(NULL));
    cr_assert_eq(ct_retain_grad(NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "hook_no_grad"));
}

Test(autograd, shared_subexpressions_views_broadcasting) {
    const vec_case *c = C("graph");
    ct_tensor *x = ct_tensor_from((double[]){0.5, -1.0, 2.0, 1.5, 0.25, -0.75}, CT_FLOAT64, CT_SIZE(2, 3));
    ct_tensor *w = ct_tensor_from((double[]){0.1, -0.2, 0.3}, CT_FLOAT64, CT_SIZE(3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(w, true), CT_OK);
    ct_tensor *h = ct_tanh(ct_mul(x, w));
    ct_tensor *t1 = ct_sum(ct_matmul(ct_t(h), h));
    ct_tensor *t2 = ct_sum(ct_exp(ct_select(h, 0, 0)));
    ct_tensor *s = ct_sigmoid(ct_slice(ct_transpose(x, 0, 1), 0, 1, CT_END, 1));
    ct_tensor *t3 = ct_mean(ct_mul(s, ct_slice(ct_t(h), 0, 1, CT_END, 1)));
    ct_tensor *y = ct_add(ct_add(t1, t2), t3);
    expect_values(c, "y", y);
    cr_assert_eq(ct_backward(y, NULL, NULL), CT_OK, "%s", ct_last_error());
    expect_values(c, "x_grad", ct_grad(x));
    expect_values(c, "w_grad", ct_grad(w));
}

static void expect_repr(const vec_case *c, const char *key, const ct_tensor *t) {
    char *s = ct_to_string(t);
    cr_assert_not_null(s, "%s", ct_last_error());
    cr_assert_str_eq(s, vec_str(c, key));
    free(s);
}

Test(autograd, repr_shows_grad_fn) {
    const vec_case *c = C("repr");
    ct_tensor *x = ct_tensor_from((float[]){1, 2, 3}, CT_FLOAT32, CT_SIZE(3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    expect_repr(c, "leaf", x);
    expect_repr(c, "mul", ct_mul_scalar(x, 2));
    expect_repr(c, "sum", ct_sum(ct_mul_scalar(x, 2)));
    expect_repr(c, "view", ct_select(ct_view(x, CT_SIZE(3, 1)), 0, 1));
}

Test(autograd, detach_shares_memory_and_cuts_graph) {
    const vec_case *c = C("detach");
    ct_tensor *x = X();
    ct_tensor *d = ct_detach(x);
    cr_assert(ct_shares_storage(x, d));
    cr_assert_eq(ct_fill_(ct_select(d, 0, 0), 10), CT_OK);
    double x0;
    cr_assert_eq(ct_item(ct_select(x, 0, 0), &x0), CT_OK);
    cr_assert_eq(x0, vec_double(c, "x0", 0));
    cr_assert_eq(ct_requires_grad(d), vec_int(c, "d_requires", 0));
    cr_assert_eq(ct_is_leaf(d), vec_int(c, "d_leaf", 0));
}

Test(autograd, inplace_ops_on_non_leaves) {
    const vec_case *c = C("inplace_graph");
    ct_tensor *x = X();
    ct_tensor *h = ct_mul_scalar(x, 1);
    cr_assert_eq(ct_mul_(h, x), CT_OK);
    cr_assert_eq(ct_add_(h, x), CT_OK);
    cr_assert_str_eq(ct_grad_fn_name(h), vec_str(c, "fn"));
    cr_assert_eq(ct_backward(ct_sum(h), NULL, NULL), CT_OK, "%s", ct_last_error());
    expect_values(c, "grad", ct_grad(x));
}

/* gradcheck itself must be able to fail: a wrong backward is caught */
static ct_tensor *wrong_fn(ct_tensor *const *in, void *ctx) {
    (void)ctx;
    /* exp computed as exp(x) but with the detached value multiplied in, so
     * the analytical gradient misses a term */
    ct_tensor *d = ct_detach(in[0]);
    ct_tensor *r = ct_mul(ct_exp(in[0]), d);
    return r;
}

Test(autograd, gradcheck_detects_wrong_gradients) {
    ct_tensor *x = ct_tensor_from((double[]){0.3, -0.7}, CT_FLOAT64, CT_SIZE(2));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_gradcheck(wrong_fn, NULL, 1, &x, NULL), 0);
    cr_assert_not_null(strstr(ct_last_error(), "Jacobian mismatch"));
    ct_tensor *f = ct_tensor_from((float[]){1}, CT_FLOAT32, CT_SIZE(1));
    cr_assert_eq(ct_requires_grad_(f, true), CT_OK);
    cr_assert_eq(ct_gradcheck(wrong_fn, NULL, 1, &f, NULL), CT_ERROR);
}
