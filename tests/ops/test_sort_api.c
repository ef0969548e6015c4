/* Sorting and selection: NULL inputs, out-parameter conventions, autograd
 * details the parity table does not reach (indices never require grad,
 * saved indices are version-checked, second derivatives, big inputs). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

Test(sort_api, null_inputs_keep_the_last_error) {
    ct_clear_error();
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    cr_assert_null(ct_view(x, CT_SIZE(7)));
    const char *first = ct_last_error();
    cr_assert_not_null(first);
    char saved[512];
    strncpy(saved, first, sizeof saved - 1);
    saved[sizeof saved - 1] = 0;
    ct_tensor *v = x, *i = x;
    cr_assert_null(ct_max(NULL));
    cr_assert_null(ct_min(NULL));
    cr_assert_null(ct_argmax(NULL));
    cr_assert_null(ct_argmin(NULL));
    cr_assert_null(ct_argmax_dim(NULL, 0, false));
    cr_assert_null(ct_argmin_dim(NULL, 0, false));
    cr_assert_null(ct_median(NULL));
    cr_assert_null(ct_nanmedian(NULL));
    cr_assert_null(ct_argsort(NULL, 0, false));
    cr_assert_null(ct_argsort_stable(NULL, true, 0, false));
    cr_assert_null(ct_msort(NULL));
    cr_assert_eq(ct_max_dim(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert(v == NULL && i == NULL);
    cr_assert_eq(ct_min_dim(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_median_dim(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_nanmedian_dim(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_mode(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_kthvalue(NULL, 1, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_topk(NULL, 1, 0, true, true, &v, &i), CT_ERROR);
    cr_assert_eq(ct_sort(NULL, 0, false, &v, &i), CT_ERROR);
    cr_assert_eq(ct_sort_stable(NULL, true, 0, false, &v, &i), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), saved);
    ct_free(x);
}

Test(sort_api, optional_outputs_and_errors_clear_them) {
    double d[] = {3, 1, 2, 5, 4, 0};
    ct_tensor *x = ct_tensor_from(d, CT_FLOAT64, CT_SIZE(2, 3));
    ct_tensor *v = NULL, *i = NULL;
    cr_assert_eq(ct_sort(x, 1, false, NULL, &i), CT_OK);
    int64_t got[6];
    cr_assert_eq(ct_copy_to_buffer(i, CT_INT64, got, sizeof got), CT_OK);
    int64_t want[6] = {1, 2, 0, 2, 1, 0};
    cr_assert_arr_eq(got, want, sizeof want);
    ct_free(i);
    cr_assert_eq(ct_max_dim(x, 1, false, &v, NULL), CT_OK);
    cr_assert_eq(ct_dim(v), 1);
    ct_free(v);
    v = x, i = x;
    cr_assert_eq(ct_topk(x, 4, 1, true, true, &v, &i), CT_ERROR);
    cr_assert(v == NULL && i == NULL);
    cr_assert_str_eq(ct_last_error(), "selected index k out of range");
    ct_free(x);
}

Test(sort_api, indices_never_require_grad_and_are_version_checked) {
    double d[] = {3, 1, 2, 5, 4, 0};
    ct_tensor *x = ct_tensor_from(d, CT_FLOAT64, CT_SIZE(2, 3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *v, *i;
    cr_assert_eq(ct_max_dim(x, 1, false, &v, &i), CT_OK);
    cr_assert(ct_requires_grad(v));
    cr_assert_not(ct_requires_grad(i));
    cr_assert_null(ct_grad_fn_name(i));
    cr_assert_str_eq(ct_grad_fn_name(v), "MaxBackward0");
    cr_assert_eq(ct_fill_(i, 0.0), CT_OK);
    ct_tensor *s = ct_sum(v);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_ERROR);
    cr_assert(strstr(ct_last_error(), "has been modified by an inplace operation") != NULL, "%s", ct_last_error());
    ct_free(s);
    ct_free(v);
    ct_free(i);
    ct_free(x);
}

/* d/dx of sum(topk(x) * w) is a scatter of w; its gradient w.r.t. w
 * (create_graph) gathers back. */
Test(sort_api, double_backward_through_topk) {
    double d[] = {0.5, 3, -1, 2, 7, 4};
    ct_tensor *x = ct_tensor_from(d, CT_FLOAT64, CT_SIZE(6));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *v, *i;
    cr_assert_eq(ct_topk(x, 2, 0, true, true, &v, &i), CT_OK);
    ct_tensor *sq = ct_mul(v, v);
    ct_tensor *s = ct_sum(sq);
    ct_tensor *g = NULL;
    ct_tensor *inputs[1] = {x};
    cr_assert_eq(ct_autograd_grad(1, &s, 1, inputs, NULL, &(ct_grad_opts){.create_graph = true}, &g), CT_OK,
                 "%s", ct_last_error());
    double gv[6];
    cr_assert_eq(ct_copy_to_buffer(g, CT_FLOAT64, gv, sizeof gv), CT_OK);
    double want[6] = {0, 0, 0, 0, 14, 8};
    for (int k = 0; k < 6; k++) cr_assert_float_eq(gv[k], want[k], 1e-12);
    ct_tensor *gs = ct_sum(g);
    ct_tensor *gg = NULL;
    cr_assert_eq(ct_autograd_grad(1, &gs, 1, inputs, NULL, NULL, &gg), CT_OK, "%s", ct_last_error());
    cr_assert_eq(ct_copy_to_buffer(gg, CT_FLOAT64, gv, sizeof gv), CT_OK);
    double want2[6] = {0, 0, 0, 0, 2, 2};
    for (int k = 0; k < 6; k++) cr_assert_float_eq(gv[k], want2[k], 1e-12);
    ct_free(gg);
    ct_free(gs);
    ct_free(g);
    ct_free(s);
    ct_free(sq);
    ct_free(v);
    ct_free(i);
    ct_free(x);
}

/* A large sort runs in parallel slices and stays ordered. */
Test(sort_api, large_sort_is_ordered) {
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(64, 2000), NULL);
    ct_tensor *v, *i;
    cr_assert_eq(ct_sort(x, 1, true, &v, &i), CT_OK);
    float *p = ct_data_ptr(v);
    for (int r = 0; r < 64; r++)
        for (int c = 1; c < 2000; c++) cr_assert_geq(p[r * 2000 + c - 1], p[r * 2000 + c]);
    ct_free(v);
    ct_free(i);
    ct_free(x);
}
