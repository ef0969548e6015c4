/* The first op families (arithmetic, pointwise, reductions, matrix
 * products) against tests/parity/data/ops.txt (gen_ops.py, PyTorch 1.13.1),
 * through the table-driven harness (tests/common/op_harness.h). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    if (!strcmp(op, "add")) return ct_add(in[0], in[1]);
    if (!strcmp(op, "sub")) return ct_sub(in[0], in[1]);
    if (!strcmp(op, "mul")) return ct_mul(in[0], in[1]);
    if (!strcmp(op, "div")) return ct_div(in[0], in[1]);
    if (!strcmp(op, "add_alpha")) return ct_add_alpha(in[0], in[1], a[0]);
    if (!strcmp(op, "add_scalar")) return ct_add_scalar(in[0], a[0]);
    if (!strcmp(op, "mul_scalar")) return ct_mul_scalar(in[0], a[0]);
    if (!strcmp(op, "div_scalar")) return ct_div_scalar(in[0], a[0]);
    if (!strcmp(op, "neg")) return ct_neg(in[0]);
    if (!strcmp(op, "exp")) return ct_exp(in[0]);
    if (!strcmp(op, "log")) return ct_log(in[0]);
    if (!strcmp(op, "sin")) return ct_sin(in[0]);
    if (!strcmp(op, "cos")) return ct_cos(in[0]);
    if (!strcmp(op, "tanh")) return ct_tanh(in[0]);
    if (!strcmp(op, "sigmoid")) return ct_sigmoid(in[0]);
    if (!strcmp(op, "sqrt")) return ct_sqrt(in[0]);
    if (!strcmp(op, "relu")) return ct_relu(in[0]);
    if (!strcmp(op, "sign")) return ct_sign(in[0]);
    if (!strcmp(op, "pow_scalar")) return ct_pow_scalar(in[0], a[0]);
    if (!strcmp(op, "sum")) return ct_sum(in[0]);
    if (!strcmp(op, "mean")) return ct_mean(in[0]);
    if (!strcmp(op, "sum_dim")) return ct_sum_dim(in[0], c->ndims, c->dims, a[0] != 0);
    if (!strcmp(op, "mean_dim")) return ct_mean_dim(in[0], c->ndims, c->dims, a[0] != 0);
    if (!strcmp(op, "mm")) return ct_mm(in[0], in[1]);
    if (!strcmp(op, "matmul")) return ct_matmul(in[0], in[1]);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

static const char *const once[] = {"relu", "sign", "sum", "mean", NULL};

Test(ops, parity_values_gradients_gradcheck) {
    op_harness_opts o = {.once_differentiable = once};
    cr_assert_gt(op_harness_run("ops.txt", run_op, &o), 200);
}
