/* F.affine_grid against tests/parity/data/grid.txt (gen_grid.py, PyTorch
 * 1.13.1): values, grad_fn, gradients, gradcheck / gradgradcheck, errors. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    if (!strcmp(c->op, "affine_grid")) return ct_affine_grid(in[0], c->ndims, c->dims, c->args[0] != 0);
    cr_assert_fail("unknown op %s", c->op);
    return NULL;
}

Test(grid_ops, parity_affine_grid) {
    ct_set_warnings_enabled(false);
    cr_assert_gt(op_harness_run("grid.txt", run_op, NULL), 20);
}

Test(grid_ops, affine_grid_null_and_bad_size) {
    ct_clear_error();
    cr_assert_null(ct_affine_grid(NULL, 4, (const int64_t[]){1, 1, 2, 2}, false));
    cr_assert_null(ct_last_error());
    ct_tensor *th = ct_zeros(CT_SIZE(1, 2, 3), NULL);
    cr_assert_null(ct_affine_grid(th, 4, NULL, false));
    cr_assert_not_null(ct_last_error());
    /* batch mismatch: bmm's message */
    cr_assert_null(ct_affine_grid(th, 4, (const int64_t[]){2, 1, 2, 2}, false));
    cr_assert_str_eq(ct_last_error(),
                     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [1, 3].");
    ct_clear_error();
    ct_free(th);
}
