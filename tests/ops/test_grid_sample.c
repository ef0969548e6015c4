/* F.grid_sample against tests/parity/data/grid_sample.txt
 * (gen_grid_sample.py, PyTorch 1.13.1): values, grad_fn, gradients w.r.t.
 * input and grid, float64 gradcheck, PyTorch's errors; plus NULL inputs,
 * strided inputs and the once-differentiable backward. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    if (!strcmp(c->op, "grid_sample"))
        return ct_grid_sample(in[0], in[1], .mode = (ct_grid_sample_mode)c->args[0],
                              .padding_mode = (ct_grid_padding_mode)c->args[1], .align_corners = c->args[2] != 0);
    cr_assert_fail("unknown op %s", c->op);
    return NULL;
}

Test(grid_sample, parity) {
    static const char *const once[] = {"grid_sample", NULL};
    op_harness_opts o = {.once_differentiable = once};
    cr_assert_gt(op_harness_run("grid_sample.txt", run_op, &o), 100);
}

Test(grid_sample, null_inputs) {
    ct_clear_error();
    ct_tensor *g = ct_zeros(CT_SIZE(1, 2, 2, 2), NULL);
    ct_tensor *x = ct_ones(CT_SIZE(1, 1, 3, 3), NULL);
    cr_assert_null(ct_grid_sample(NULL, g));
    cr_assert_null(ct_grid_sample(x, NULL));
    cr_assert_null(ct_last_error());
    cr_assert_null(ct_grid_sample(x, g, .mode = (ct_grid_sample_mode)7));
    cr_assert_not_null(ct_last_error());
    ct_clear_error();
    ct_free(x), ct_free(g);
}

/* A non-contiguous input and grid give the values of their contiguous copies. */
Test(grid_sample, strided_inputs) {
    ct_manual_seed(3);
    ct_tensor *xb = ct_randn(CT_SIZE(1, 2, 5, 4), NULL);
    ct_tensor *x = ct_transpose(xb, 2, 3); /* (1, 2, 4, 5) */
    ct_tensor *gb = ct_rand(CT_SIZE(1, 2, 3, 3), NULL);
    ct_tensor *g = ct_narrow(gb, 3, 1, 2);
    ct_tensor *xc = ct_contiguous(x), *gc = ct_contiguous(g);
    ct_tensor *a = ct_grid_sample(x, g, .mode = CT_GRID_SAMPLE_BICUBIC, .padding_mode = CT_GRID_PAD_REFLECTION);
    ct_tensor *b = ct_grid_sample(xc, gc, .mode = CT_GRID_SAMPLE_BICUBIC, .padding_mode = CT_GRID_PAD_REFLECTION);
    cr_assert(a && b);
    bool same = false;
    cr_assert_eq(ct_equal(a, b, &same), CT_OK);
    cr_assert(same);
    ct_free(a), ct_free(b), ct_free(xc), ct_free(gc), ct_free(g), ct_free(gb), ct_free(x), ct_free(xb);
}

/* As PyTorch: the gradient made with create_graph cannot be differentiated again. */
Test(grid_sample, double_backward_fails) {
    ct_manual_seed(1);
    ct_tensor *x = ct_randn(CT_SIZE(1, 1, 3, 3), CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *g = ct_rand(CT_SIZE(1, 2, 2, 2), CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *y = ct_grid_sample(x, g);
    ct_tensor *s = ct_sum(y);
    ct_tensor *grads[2] = {0};
    cr_assert_eq(ct_autograd_grad(1, &s, 2, (ct_tensor *[]){x, g}, NULL, &(ct_grad_opts){.create_graph = true}, grads), CT_OK, "%s",
                 ct_last_error());
    cr_assert_str_eq(ct_grad_fn_name(grads[1]), "NotImplemented");
    ct_tensor *s2 = ct_sum(grads[1]);
    ct_tensor *gg[1] = {0};
    cr_assert_neq(ct_autograd_grad(1, &s2, 1, &x, NULL, NULL, gg), CT_OK);
    cr_assert_str_eq(ct_last_error(), "derivative for aten::grid_sampler_2d_backward is not implemented");
    ct_clear_error();
    ct_free(s2), ct_free(grads[0]), ct_free(grads[1]), ct_free(s), ct_free(y), ct_free(g), ct_free(x);
}
