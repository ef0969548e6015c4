/* Full backward hooks (ct_module_register_full_backward_hook) against
 * tests/parity/data/module_hooks.txt, written by gen_module_hooks.py with
 * PyTorch 1.13.1: the grad_input / grad_output each hook sees, call order,
 * replaced grad_input, the no-input-requires-grad path and its error. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("module_hooks.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(module_hooks, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

static ct_tensor *T(const vec_case *c, const char *key, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, TU_BITS64, CT_FLOAT64, ndim, sizes);
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = 1e-12, .atol = 1e-14});
}

/* What the hooks saw, in call order. */
typedef struct {
    int calls;
    char order[128];
    const char *tag[8];
    ct_tensor *gi[8][2];
    int n_in[8];
    ct_tensor *go[8];
    double scale; /* != 0: replace grad_input[0] by scale * grad_input[0] */
    bool replace_with_ones;
} hook_log;

static void log_free(hook_log *L) {
    for (int k = 0; k < L->calls; k++) {
        ct_free(L->gi[k][0]), ct_free(L->gi[k][1]), ct_free(L->go[k]);
    }
}

static int hook(ct_module *m, int n_in, ct_tensor *const *gi, int n_out, ct_tensor *const *go, ct_tensor **repl,
                void *ctx) {
    hook_log *L = ctx;
    cr_assert_eq(n_out, 1);
    int k = L->calls++;
    cr_assert(k < 8);
    L->tag[k] = ct_module_name(m);
    snprintf(L->order + strlen(L->order), sizeof L->order - strlen(L->order), "%s%s", k ? " " : "",
             ct_module_name(m));
    L->n_in[k] = n_in;
    for (int i = 0; i < n_in && i < 2; i++) L->gi[k][i] = gi[i] ? ct_detach(gi[i]) : NULL;
    L->go[k] = ct_detach(go[0]);
    if (L->scale != 0) repl[0] = ct_mul_scalar(gi[0], L->scale);
    if (L->replace_with_ones) repl[0] = ct_ones(CT_SIZE(4, 3), CT_OPTS(.dtype = CT_FLOAT64));
    return CT_OK;
}

/* load PyTorch's weight and bias (layers keep pointers to their
 * parameters, so the values are copied in, as load_state_dict does) */
static void load(ct_module *m, ct_tensor *w, ct_tensor *b) {
    cr_assert_not_null(m, "%s", ct_last_error());
    ct_state_dict *sd = ct_state_dict_new();
    cr_assert_eq(ct_state_dict_set(sd, "weight", w), CT_OK);
    cr_assert_eq(ct_state_dict_set(sd, "bias", b), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(m, sd, true, NULL, NULL), CT_OK, "%s", ct_last_error());
    ct_state_dict_free(sd);
    ct_free(w), ct_free(b);
}

static ct_module *linear_from(const vec_case *c) {
    ct_module *m = ct_nn_linear(3, 2, .dtype = CT_FLOAT64);
    load(m, T(c, "w", CT_SIZE(2, 3)), T(c, "b", CT_SIZE(2)));
    return m;
}

/* loss = (y * up).sum(); backward */
static void backward_of(ct_tensor *y, const vec_case *c) {
    cr_assert_not_null(y, "%s", ct_last_error());
    ct_tensor *up = T(c, "up", CT_SIZE(4, 2));
    ct_tensor *p = ct_mul(y, up);
    ct_tensor *s = ct_sum(p);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK, "%s", ct_last_error());
    ct_free(s), ct_free(p), ct_free(up);
}

static void check_linear(const char *name, double scale) {
    const vec_case *c = C(name);
    ct_module *m = linear_from(c);
    hook_log L = {.scale = scale};
    int h = ct_module_register_full_backward_hook(m, hook, &L);
    cr_assert_gt(h, 0);
    ct_tensor *x = T(c, "x", CT_SIZE(4, 3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *y = ct_forward(m, x);
    cr_assert_not_null(y, "%s", ct_last_error());
    cr_assert_str_eq(ct_grad_fn_name(y), vec_str(c, "grad_fn"));
    backward_of(y, c);
    cr_assert_eq(L.calls, (int)vec_int(c, "calls", 0));
    cr_assert_eq(L.n_in[0], 1);
    expect_close(c, "gi0", L.gi[0][0]);
    expect_close(c, "go0", L.go[0]);
    ct_tensor *gx = ct_grad(x), *gw = ct_grad(ct_module_get_parameter(m, "weight")),
              *gb = ct_grad(ct_module_get_parameter(m, "bias"));
    expect_close(c, "x_grad", gx);
    expect_close(c, "w_grad", gw);
    expect_close(c, "b_grad", gb);
    ct_free(gx), ct_free(gw), ct_free(gb);
    /* removed: the next call does not run it */
    cr_assert_eq(ct_module_remove_hook(m, h), CT_OK);
    ct_tensor *y2 = ct_forward(m, x);
    cr_assert_str_neq(ct_grad_fn_name(y2), "BackwardHookFunctionBackward");
    ct_free(y2), ct_free(y), ct_free(x);
    log_free(&L);
    ct_module_free(m);
}

Test(module_hooks, linear_grad_input_and_output) { check_linear("linear", 0); }
Test(module_hooks, linear_hook_replaces_grad_input) { check_linear("linear_double", 2); }

Test(module_hooks, no_input_requires_grad) {
    const vec_case *c = C("linear_noinput");
    ct_module *m = linear_from(c);
    hook_log L = {0};
    cr_assert_gt(ct_module_register_full_backward_hook(m, hook, &L), 0);
    ct_tensor *x = T(c, "x", CT_SIZE(4, 3));
    ct_tensor *y = ct_forward(m, x);
    cr_assert_str_eq(ct_grad_fn_name(y), vec_str(c, "grad_fn"));
    backward_of(y, c);
    cr_assert_eq(L.calls, 1);
    cr_assert_null(L.gi[0][0]); /* None */
    expect_close(c, "go0", L.go[0]);
    ct_tensor *gw = ct_grad(ct_module_get_parameter(m, "weight"));
    expect_close(c, "w_grad", gw);
    ct_free(gw), ct_free(y);
    log_free(&L);

    /* replacing a None grad_input is PyTorch's error */
    const vec_case *e = C("linear_noinput_replace");
    hook_log R = {.replace_with_ones = true};
    ct_module *m2 = linear_from(c);
    cr_assert_gt(ct_module_register_full_backward_hook(m2, hook, &R), 0);
    y = ct_forward(m2, x);
    ct_tensor *up = T(c, "up", CT_SIZE(4, 2));
    ct_tensor *p = ct_mul(y, up), *s = ct_sum(p);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(e, "error"));
    ct_clear_error();
    ct_free(s), ct_free(p), ct_free(up), ct_free(y), ct_free(x);
    log_free(&R);
    ct_module_free(m2);
    ct_module_free(m);
}

Test(module_hooks, sequential_and_children_in_pytorchs_order) {
    const vec_case *c = C("sequential");
    ct_module *seq = CT_SEQUENTIAL(linear_from(c), ct_nn_tanh());
    hook_log L = {0};
    cr_assert_gt(ct_module_register_full_backward_hook(seq, hook, &L), 0);
    cr_assert_gt(ct_module_register_full_backward_hook(ct_module_at(seq, 0), hook, &L), 0);
    cr_assert_gt(ct_module_register_full_backward_hook(ct_module_at(seq, 1), hook, &L), 0);
    ct_tensor *x = T(c, "x", CT_SIZE(4, 3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *y = ct_forward(seq, x);
    backward_of(y, c);
    cr_assert_str_eq(L.order, vec_str(c, "order"));
    for (int k = 0; k < L.calls; k++) {
        char key[64];
        snprintf(key, sizeof key, "%s_gi0", L.tag[k]);
        expect_close(c, key, L.gi[k][0]);
        snprintf(key, sizeof key, "%s_go0", L.tag[k]);
        expect_close(c, key, L.go[k]);
    }
    ct_tensor *gx = ct_grad(x);
    expect_close(c, "x_grad", gx);
    ct_free(gx), ct_free(y), ct_free(x);
    log_free(&L);
    ct_module_free(seq);
}

Test(module_hooks, two_inputs_one_requires_grad) {
    const vec_case *c = C("bilinear");
    ct_module *m = ct_nn_bilinear(3, 2, 2, .dtype = CT_FLOAT64);
    load(m, T(c, "w", CT_SIZE(2, 3, 2)), T(c, "b", CT_SIZE(2)));
    hook_log L = {0};
    cr_assert_gt(ct_module_register_full_backward_hook(m, hook, &L), 0);
    ct_tensor *x1 = T(c, "x1", CT_SIZE(4, 3)), *x2 = T(c, "x2", CT_SIZE(4, 2));
    cr_assert_eq(ct_requires_grad_(x1, true), CT_OK);
    ct_tensor *y = ct_forward_n(m, 2, (ct_tensor *const[]){x1, x2});
    backward_of(y, c);
    cr_assert_eq(L.calls, 1);
    cr_assert_eq(L.n_in[0], 2);
    expect_close(c, "gi0", L.gi[0][0]);
    expect_close(c, "gi1", L.gi[0][1]); /* zeros, as PyTorch materializes them */
    expect_close(c, "go0", L.go[0]);
    ct_tensor *g1 = ct_grad(x1);
    expect_close(c, "x1_grad", g1);
    ct_free(g1), ct_free(y), ct_free(x1), ct_free(x2);
    log_free(&L);
    ct_module_free(m);
}

Test(module_hooks, no_grad_mode_wraps_nothing_and_errors) {
    const vec_case *c = C("no_grad");
    ct_module *m = ct_nn_linear(3, 2);
    hook_log L = {0};
    cr_assert_gt(ct_module_register_full_backward_hook(m, hook, &L), 0);
    ct_tensor *x = ct_ones(CT_SIZE(4, 3), NULL);
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *y;
    CT_NO_GRAD { y = ct_forward(m, x); }
    cr_assert_not_null(y);
    cr_assert_str_eq(ct_requires_grad(y) ? "True" : "False", vec_str(c, "requires_grad"));
    cr_assert_eq(L.calls, 0);
    /* errors: NULL hook, NULL module, unknown handle */
    cr_assert_eq(ct_module_register_full_backward_hook(m, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "register_full_backward_hook: the hook must not be NULL");
    cr_assert_eq(ct_module_register_full_backward_hook(NULL, hook, &L), CT_ERROR);
    cr_assert_eq(ct_module_remove_hook(m, 999), CT_ERROR);
    ct_clear_error();
    ct_free(y), ct_free(x);
    ct_module_free(m);
}
