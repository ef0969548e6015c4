/* Pooling modules: repr text (expected strings printed by PyTorch 1.13.1's
 * repr() for the same constructor calls, see gen_pool.py's header note),
 * no parameters / state, forward = functional form in train and eval,
 * indices through ct_max_pool_forward_with_indices, MaxUnpool with two inputs. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <string.h>

static void expect_repr(ct_module *m, const char *want) {
    cr_assert_not_null(m, "%s: %s", want, ct_last_error());
    char *s = ct_module_to_string(m);
    cr_assert_str_eq(s, want);
    free(s);
    ct_module_free(m);
}

Test(pool_modules, repr_as_pytorch) {
    expect_repr(ct_nn_max_pool1d(2), "MaxPool1d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect_repr(ct_nn_max_pool2d(2), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect_repr(ct_nn_max_pool2d(CT_POOL_INTS(3, 2), .stride = CT_POOL_INTS(1), .padding = CT_POOL_INTS(1, 0),
                                 .dilation = CT_POOL_INTS(2), .ceil_mode = true, .return_indices = true),
                "MaxPool2d(kernel_size=(3, 2), stride=1, padding=(1, 0), dilation=2, ceil_mode=True)");
    expect_repr(ct_nn_max_pool3d(2), "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect_repr(ct_nn_avg_pool1d(2), "AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
    expect_repr(ct_nn_avg_pool1d(3, .stride = CT_POOL_INTS(1), .padding = CT_POOL_INTS(1), .ceil_mode = true,
                                 .no_count_include_pad = true),
                "AvgPool1d(kernel_size=(3,), stride=(1,), padding=(1,))");
    expect_repr(ct_nn_avg_pool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
    expect_repr(ct_nn_avg_pool2d(CT_POOL_INTS(3, 2), .stride = CT_POOL_INTS(1), .padding = CT_POOL_INTS(1),
                                 .ceil_mode = true, .no_count_include_pad = true, .divisor_override = 2),
                "AvgPool2d(kernel_size=(3, 2), stride=1, padding=1)");
    expect_repr(ct_nn_avg_pool3d(2, .divisor_override = 3, .no_count_include_pad = true),
                "AvgPool3d(kernel_size=2, stride=2, padding=0)");
    expect_repr(ct_nn_max_unpool1d(2), "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))");
    expect_repr(ct_nn_max_unpool2d(2), "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
    expect_repr(ct_nn_max_unpool2d(CT_POOL_INTS(3, 2), .stride = CT_POOL_INTS(1), .padding = CT_POOL_INTS(1, 0)),
                "MaxUnpool2d(kernel_size=(3, 2), stride=(1, 1), padding=(1, 0))");
    expect_repr(ct_nn_max_unpool3d(2), "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))");
    expect_repr(ct_nn_adaptive_avg_pool1d(3), "AdaptiveAvgPool1d(output_size=3)");
    expect_repr(ct_nn_adaptive_avg_pool2d(3), "AdaptiveAvgPool2d(output_size=3)");
    expect_repr(ct_nn_adaptive_avg_pool2d(CT_POOL_INTS(3, CT_POOL_NONE)), "AdaptiveAvgPool2d(output_size=(3, None))");
    expect_repr(ct_nn_adaptive_avg_pool3d(CT_POOL_INTS(2, 3, 4)), "AdaptiveAvgPool3d(output_size=(2, 3, 4))");
    expect_repr(ct_nn_adaptive_max_pool1d(3), "AdaptiveMaxPool1d(output_size=3)");
    expect_repr(ct_nn_adaptive_max_pool2d_opts(CT_POOL_ARG(3), true), "AdaptiveMaxPool2d(output_size=3)");
    expect_repr(ct_nn_adaptive_max_pool3d(2), "AdaptiveMaxPool3d(output_size=2)");
    expect_repr(ct_nn_lp_pool1d(2, 3), "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)");
    expect_repr(ct_nn_lp_pool2d(2.5, CT_POOL_INTS(3, 2), .stride = CT_POOL_INTS(1), .ceil_mode = true),
                "LPPool2d(norm_type=2.5, kernel_size=(3, 2), stride=1, ceil_mode=True)");
    expect_repr(ct_nn_lp_pool1d(1, 3, .stride = CT_POOL_INTS(2)),
                "LPPool1d(norm_type=1, kernel_size=3, stride=2, ceil_mode=False)");
}

static void expect_equal(const ct_tensor *a, const ct_tensor *b) {
    cr_assert_not_null(a, "%s", ct_last_error());
    cr_assert_not_null(b, "%s", ct_last_error());
    bool same = false;
    cr_assert_eq(ct_equal(a, b, &same), CT_OK);
    cr_assert(same, "module forward differs from the functional form");
}

Test(pool_modules, forward_matches_functional_train_and_eval) {
    cr_assert_eq(ct_scope_begin(), 1);
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(2, 3, 8, 8), NULL);
    ct_module *mods[] = {ct_nn_max_pool2d(2), ct_nn_avg_pool2d(3, .stride = CT_POOL_INTS(2), .padding = CT_POOL_INTS(1)),
                         ct_nn_adaptive_avg_pool2d(CT_POOL_INTS(3, 5)), ct_nn_adaptive_max_pool2d(3)};
    ct_tensor *want[] = {ct_max_pool2d(x, 2), ct_avg_pool2d(x, 3, .stride = CT_POOL_INTS(2), .padding = CT_POOL_INTS(1)),
                         ct_adaptive_avg_pool2d(x, CT_POOL_INTS(3, 5)), ct_adaptive_max_pool2d(x, 3)};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(ct_module_num_parameters(mods[i]), 0);
        ct_state_dict *sd = ct_module_state_dict(mods[i]);
        cr_assert_eq(ct_state_dict_size(sd), 0);
        ct_state_dict_free(sd);
        expect_equal(ct_forward(mods[i], x), want[i]);
        cr_assert_eq(ct_module_eval(mods[i]), CT_OK);
        expect_equal(ct_forward(mods[i], x), want[i]);
        ct_module_free(mods[i]);
    }
    cr_assert_eq(ct_scope_end(), CT_OK);
}

Test(pool_modules, indices_and_unpool_round_trip) {
    cr_assert_eq(ct_scope_begin(), 1);
    ct_tensor *x = ct_arange(0, 16, 1, NULL);
    ct_tensor *x4 = ct_reshape(x, CT_SIZE(1, 1, 4, 4));
    ct_tensor *xf = ct_to_dtype(x4, CT_FLOAT32);
    ct_module *pool = ct_nn_max_pool2d(2, .return_indices = true);
    ct_module *unpool = ct_nn_max_unpool2d(2);
    ct_tensor *idx = NULL;
    ct_tensor *y = ct_max_pool_forward_with_indices(pool, xf, &idx);
    cr_assert_not_null(y, "%s", ct_last_error());
    cr_assert_not_null(idx);
    int64_t want_idx[4] = {5, 7, 13, 15};
    for (int i = 0; i < 4; i++) cr_assert_eq(((const int64_t *)ct_data_ptr(idx))[i], want_idx[i]);
    ct_tensor *in2[2] = {y, idx};
    ct_tensor *u = ct_forward_n(unpool, 2, in2);
    cr_assert_not_null(u, "%s", ct_last_error());
    const float *up = ct_data_ptr(u);
    for (int i = 0; i < 16; i++) cr_assert_eq(up[i], (i == 5 || i == 7 || i == 13 || i == 15) ? (float)i : 0.f);
    /* a single input is PyTorch's TypeError */
    cr_assert_null(ct_forward(unpool, y));
    cr_assert_str_eq(ct_last_error(), "forward() missing 1 required positional argument: 'indices'");
    /* not a max pooling module */
    ct_module *avg = ct_nn_avg_pool2d(2);
    cr_assert_null(ct_max_pool_forward_with_indices(avg, xf, &idx));
    cr_assert_null(idx);
    ct_module_free(avg);
    ct_module_free(pool);
    ct_module_free(unpool);
    cr_assert_eq(ct_scope_end(), CT_OK);
}

Test(pool_modules, bad_arguments) {
    cr_assert_null(ct_nn_max_pool2d(CT_POOL_INTS(1, 2, 3)));
    cr_assert_not_null(ct_last_error());
    ct_module *m = ct_nn_max_pool2d(2, .padding = CT_POOL_INTS(3));
    cr_assert_not_null(m); /* PyTorch checks at forward time */
    ct_tensor *x = ct_randn(CT_SIZE(1, 1, 4, 4), NULL);
    cr_assert_null(ct_forward(m, x));
    cr_assert_str_eq(ct_last_error(), "pad should be at most half of kernel size, but got pad=3 and kernel_size=2");
    ct_free(x);
    ct_module_free(m);
}
