/* avg_pool2d with 2x2 windows and stride 2 (the row path of
 * src/kernels/cpu/pool.c) against tests/parity/data/pool_k2.txt
 * (gen_pool_k2.py, PyTorch 1.13.1): odd sizes, divisor_override,
 * count_include_pad off, -0 / NaN / inf, and the shapes that leave the
 * path (ceil_mode, padding); values, gradients, gradcheck. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static ct_pool_ints one(const op_call *c, const char *key) {
    return vec_has(c->vc, key) ? (ct_pool_ints){1, {vec_int(c->vc, key, 0)}} : (ct_pool_ints){0};
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    cr_assert_str_eq(c->op, "avg_pool2d");
    ct_avg_pool_opts ao = {.stride = one(c, "s"),
                           .padding = one(c, "p"),
                           .ceil_mode = vec_int(c->vc, "ceil", 0) != 0,
                           .no_count_include_pad = vec_int(c->vc, "cip", 0) == 0,
                           .divisor_override = vec_has(c->vc, "div") ? vec_int(c->vc, "div", 0) : 0};
    return ct_avg_pool2d_opts(in[0], one(c, "k"), &ao);
}

Test(pool_k2, parity_one_thread) {
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    cr_assert_gt(op_harness_run("pool_k2.txt", run_op, NULL), 20);
}

Test(pool_k2, parity_two_threads) {
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    cr_assert_gt(op_harness_run("pool_k2.txt", run_op, NULL), 20);
}
