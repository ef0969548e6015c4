/* Pooling functional ops against tests/parity/data/pool.txt (gen_pool.py,
 * PyTorch 1.13.1): values, indices, errors, grad_fn names, gradients,
 * gradcheck and gradgradcheck, through the table-driven harness. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

/* an int-or-tuple argument from key (absent: not given; "N": None) */
static ct_pool_ints arg(const op_call *c, const char *key) {
    ct_pool_ints r = {0};
    if (!vec_has(c->vc, key)) return r;
    r.n = vec_len(c->vc, key);
    for (int i = 0; i < r.n && i < 3; i++) {
        const char *t = vec_tok(c->vc, key, i);
        r.v[i] = !strcmp(t, "N") ? CT_POOL_NONE : strtoll(t, NULL, 10);
    }
    return r;
}

static bool flag(const op_call *c, const char *key) { return vec_has(c->vc, key) && vec_int(c->vc, key, 0) != 0; }

/* return the indices output instead of the values */
static ct_tensor *second(ct_tensor *out, ct_tensor **idx) {
    ct_free(out);
    return *idx;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    ct_max_pool_opts mo = {.stride = arg(c, "s"), .padding = arg(c, "p"), .dilation = arg(c, "d"),
                           .ceil_mode = flag(c, "ceil")};
    ct_avg_pool_opts ao = {.stride = arg(c, "s"),
                           .padding = arg(c, "p"),
                           .ceil_mode = flag(c, "ceil"),
                           .no_count_include_pad = vec_has(c->vc, "cip") && !flag(c, "cip"),
                           .divisor_override = vec_has(c->vc, "div") ? vec_int(c->vc, "div", 0) : 0};
    ct_pool_ints k = arg(c, "k"), os = arg(c, "os");
    ct_tensor *idx = NULL;
    if (!strcmp(op, "max_pool1d")) return ct_max_pool1d_opts(in[0], k, &mo);
    if (!strcmp(op, "max_pool2d")) return ct_max_pool2d_opts(in[0], k, &mo);
    if (!strcmp(op, "max_pool3d")) return ct_max_pool3d_opts(in[0], k, &mo);
    if (!strcmp(op, "max_pool1d_indices")) return second(ct_max_pool1d_with_indices_opts(in[0], k, &mo, &idx), &idx);
    if (!strcmp(op, "max_pool2d_indices")) return second(ct_max_pool2d_with_indices_opts(in[0], k, &mo, &idx), &idx);
    if (!strcmp(op, "max_pool3d_indices")) return second(ct_max_pool3d_with_indices_opts(in[0], k, &mo, &idx), &idx);
    if (!strcmp(op, "avg_pool1d")) return ct_avg_pool1d_opts(in[0], k, &ao);
    if (!strcmp(op, "avg_pool2d")) return ct_avg_pool2d_opts(in[0], k, &ao);
    if (!strcmp(op, "avg_pool3d")) return ct_avg_pool3d_opts(in[0], k, &ao);
    if (!strcmp(op, "adaptive_avg_pool1d")) return ct_adaptive_avg_pool1d_opts(in[0], os);
    if (!strcmp(op, "adaptive_avg_pool2d")) return ct_adaptive_avg_pool2d_opts(in[0], os);
    if (!strcmp(op, "adaptive_avg_pool3d")) return ct_adaptive_avg_pool3d_opts(in[0], os);
    if (!strcmp(op, "adaptive_max_pool1d")) return ct_adaptive_max_pool1d_opts(in[0], os, NULL);
    if (!strcmp(op, "adaptive_max_pool2d")) return ct_adaptive_max_pool2d_opts(in[0], os, NULL);
    if (!strcmp(op, "adaptive_max_pool3d")) return ct_adaptive_max_pool3d_opts(in[0], os, NULL);
    if (!strcmp(op, "adaptive_max_pool1d_indices")) return second(ct_adaptive_max_pool1d_opts(in[0], os, &idx), &idx);
    if (!strcmp(op, "adaptive_max_pool2d_indices")) return second(ct_adaptive_max_pool2d_opts(in[0], os, &idx), &idx);
    if (!strcmp(op, "adaptive_max_pool3d_indices")) return second(ct_adaptive_max_pool3d_opts(in[0], os, &idx), &idx);
    if (!strncmp(op, "max_unpool", 10)) {
        int64_t osz[5];
        int n = vec_has(c->vc, "osz") ? vec_ints(c->vc, "osz", osz, 5) : 0;
        ct_max_unpool_opts uo = {.stride = arg(c, "s"), .padding = arg(c, "p"), .output_ndim = n,
                                 .output_size = n ? osz : NULL};
        if (!strncmp(op, "max_unpool1d", 12)) return ct_max_unpool1d_opts(in[0], in[1], k, &uo);
        if (!strncmp(op, "max_unpool2d", 12)) return ct_max_unpool2d_opts(in[0], in[1], k, &uo);
        return ct_max_unpool3d_opts(in[0], in[1], k, &uo);
    }
    ct_lp_pool_opts lo = {.stride = arg(c, "s"), .ceil_mode = flag(c, "ceil")};
    if (!strcmp(op, "lp_pool1d")) return ct_lp_pool1d_opts(in[0], vec_double(c->vc, "norm", 0), k, &lo);
    if (!strcmp(op, "lp_pool2d")) return ct_lp_pool2d_opts(in[0], vec_double(c->vc, "norm", 0), k, &lo);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(pool, parity_values_gradients_gradcheck) {
    /* repeated indices: max_unpool keeps the last write, PyTorch's gradient
     * gathers every one, so finite differences disagree (in PyTorch too) */
    static const char *const no_gradcheck[] = {"max_unpool2d_overlap", NULL};
    op_harness_opts o = {.no_gradcheck = no_gradcheck};
    cr_assert_gt(op_harness_run("pool.txt", run_op, &o), 150);
}

Test(pool, null_inputs_return_null_without_error) {
    ct_tensor *x = ct_randn(CT_SIZE(1, 1, 4, 4), NULL);
    ct_tensor *idx = NULL;
    ct_clear_error();
    cr_assert_null(ct_max_pool2d(NULL, 2));
    cr_assert_null(ct_max_pool1d(NULL, 2));
    cr_assert_null(ct_max_pool3d_with_indices(NULL, 2, &idx));
    cr_assert_null(idx);
    cr_assert_null(ct_avg_pool2d(NULL, 2));
    cr_assert_null(ct_avg_pool1d(NULL, 2));
    cr_assert_null(ct_adaptive_avg_pool2d(NULL, 2));
    cr_assert_null(ct_adaptive_max_pool1d(NULL, 2));
    cr_assert_null(ct_max_unpool2d(x, NULL, 2));
    cr_assert_null(ct_lp_pool2d(NULL, 2, 2));
    cr_assert_null(ct_last_error());
    ct_free(x);
}
