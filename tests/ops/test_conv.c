/* The conv family's functional ops (F.conv*, F.conv_transpose*, F.unfold,
 * F.fold, F.pad) against tests/parity/data/conv.txt (gen_conv.py, PyTorch
 * 1.13.1) through the table-driven harness: values, errors, grad_fn names,
 * gradients, gradcheck and gradgradcheck. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static void nd(const op_call *c, const char *key, int64_t *out) {
    if (vec_has(c->vc, key)) vec_ints(c->vc, key, out, 3);
}

static ct_conv_opts opts_of(const op_call *c) {
    const double *a = c->args;
    ct_conv_opts o = {.stride = (int64_t)a[0], .padding = (int64_t)a[1], .dilation = (int64_t)a[2],
                      .groups = (int64_t)a[3]};
    /* PyTorch's explicit 0 for padding is our default; a negative value must reach the checks */
    nd(c, "stride_nd", o.stride_nd);
    nd(c, "padding_nd", o.padding_nd);
    if (c->nargs > 5) o.output_padding = (int64_t)a[5];
    if (vec_has(c->vc, "padding_str")) o.padding_str = vec_str(c->vc, "padding_str");
    if (vec_has(c->vc, "padding")) o.padding_str = vec_str(c->vc, "padding");
    return o;
}

static ct_conv_opts fold_opts(const op_call *c) {
    const double *a = c->args;
    ct_conv_opts o = {.dilation = (int64_t)a[1], .padding = (int64_t)a[2], .stride = (int64_t)a[3]};
    nd(c, "kernel", o.kernel_nd);
    return o;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    if (!strncmp(op, "conv", 4)) {
        ct_conv_opts o = opts_of(c);
        const ct_tensor *b = c->args[4] != 0 ? in[2] : NULL;
        if (!strcmp(op, "conv1d")) return ct_conv1d_opts(in[0], in[1], b, &o);
        if (!strcmp(op, "conv2d")) return ct_conv2d_opts(in[0], in[1], b, &o);
        if (!strcmp(op, "conv3d")) return ct_conv3d_opts(in[0], in[1], b, &o);
        if (!strcmp(op, "conv_transpose1d")) return ct_conv_transpose1d_opts(in[0], in[1], b, &o);
        if (!strcmp(op, "conv_transpose2d")) return ct_conv_transpose2d_opts(in[0], in[1], b, &o);
        if (!strcmp(op, "conv_transpose3d")) return ct_conv_transpose3d_opts(in[0], in[1], b, &o);
    }
    if (!strcmp(op, "unfold")) {
        ct_conv_opts o = fold_opts(c);
        return ct_im2col_opts(in[0], (int64_t)c->args[0], &o);
    }
    if (!strcmp(op, "fold")) {
        ct_conv_opts o = fold_opts(c);
        return ct_col2im_opts(in[0], vec_int(c->vc, "osize", 0), vec_int(c->vc, "osize", 1), (int64_t)c->args[0], &o);
    }
    if (!strcmp(op, "pad")) {
        static const char *const modes[] = {"constant", "reflect", "replicate", "circular"};
        int64_t p[8];
        int n = vec_ints(c->vc, "pad", p, 8);
        return ct_pad(in[0], n, p, modes[(int)c->args[0]], c->args[1]);
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(ops_conv, parity_values_gradients_gradcheck) {
    op_harness_opts o = {0};
    cr_assert_gt(op_harness_run("conv.txt", run_op, &o), 100);
}

Test(ops_conv, null_inputs_return_null) {
    ct_tensor *x = ct_zeros(CT_SIZE(1, 1, 4, 4), NULL), *w = ct_zeros(CT_SIZE(1, 1, 3, 3), NULL);
    cr_assert_null(ct_conv2d(NULL, w, NULL));
    cr_assert_null(ct_conv2d(x, NULL, NULL));
    cr_assert_null(ct_conv_transpose2d(NULL, w, NULL));
    cr_assert_null(ct_im2col(NULL, 3));
    cr_assert_null(ct_col2im(NULL, 4, 4, 3));
    cr_assert_null(ct_pad(NULL, CT_SIZE(1, 1), NULL, 0));
    ct_free(x);
    ct_free(w);
}
