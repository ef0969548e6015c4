/* Reductions and scans against tests/parity/data/reduce.txt
 * (gen_reduce.py, PyTorch 1.13.1) through the table-driven harness, plus
 * NULL-argument and out-parameter checks. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static ct_dtype dtype_key(const op_call *c) {
    return vec_has(c->vc, "dtype") ? oh_dtype_named(vec_tok(c->vc, "dtype", 0)) : CT_DTYPE_DEFAULT;
}

/* one output of a two-output op: which != 0 picks the second */
static ct_tensor *pick(int rc, ct_tensor *a, ct_tensor *b, double which) {
    if (rc != CT_OK) {
        cr_assert_null(a);
        cr_assert_null(b);
        return NULL;
    }
    if (which != 0) {
        ct_free(a);
        return b;
    }
    ct_free(b);
    return a;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    ct_tensor *x = in[0];
    int nd = c->ndims;
    const int64_t *dims = c->dims;
    ct_tensor *v = NULL, *i = NULL;
    if (!strcmp(op, "sum")) return ct_sum(x);
    if (!strcmp(op, "sum_dim")) return ct_sum_dim(x, nd, dims, a[0] != 0);
    if (!strcmp(op, "sum_dtype")) return ct_sum_dtype(x, dtype_key(c));
    if (!strcmp(op, "sum_dim_dtype")) return ct_sum_dim_dtype(x, nd, dims, a[0] != 0, dtype_key(c));
    if (!strcmp(op, "nansum")) return ct_nansum(x);
    if (!strcmp(op, "nansum_dim")) return ct_nansum_dim(x, nd, dims, a[0] != 0, dtype_key(c));
    if (!strcmp(op, "mean")) return ct_mean(x);
    if (!strcmp(op, "mean_dim")) return ct_mean_dim(x, nd, dims, a[0] != 0);
    if (!strcmp(op, "mean_dtype")) return ct_mean_dtype(x, dtype_key(c));
    if (!strcmp(op, "mean_dim_dtype")) return ct_mean_dim_dtype(x, nd, dims, a[0] != 0, dtype_key(c));
    if (!strcmp(op, "nanmean")) return ct_nanmean(x);
    if (!strcmp(op, "nanmean_dim")) return ct_nanmean_dim(x, nd, dims, a[0] != 0);
    if (!strcmp(op, "prod")) return ct_prod(x);
    if (!strcmp(op, "prod_dim")) return ct_prod_dim(x, (int64_t)a[0], a[1] != 0);
    if (!strcmp(op, "prod_dtype")) return ct_prod_dtype(x, dtype_key(c));
    if (!strcmp(op, "var")) return ct_var(x);
    if (!strcmp(op, "std")) return ct_std(x);
    if (!strcmp(op, "var_dim")) return ct_var_dim(x, nd, dims, a[0] != 0, a[1] != 0);
    if (!strcmp(op, "std_dim")) return ct_std_dim(x, nd, dims, a[0] != 0, a[1] != 0);
    if (!strcmp(op, "var_corr")) return ct_var_correction(x, nd, dims, (int64_t)a[0], a[1] != 0);
    if (!strcmp(op, "std_corr")) return ct_std_correction(x, nd, dims, (int64_t)a[0], a[1] != 0);
    int rc;
    if (!strcmp(op, "var_mean")) {
        rc = ct_var_mean(x, nd, dims, (int64_t)a[0], a[1] != 0, &v, &i);
        return pick(rc, v, i, a[2]);
    }
    if (!strcmp(op, "std_mean")) {
        rc = ct_std_mean(x, nd, dims, (int64_t)a[0], a[1] != 0, &v, &i);
        return pick(rc, v, i, a[2]);
    }
    if (!strcmp(op, "norm")) return ct_norm(x, a[0]);
    if (!strcmp(op, "norm_dim")) return ct_norm_dim(x, a[0], nd, dims, a[1] != 0);
    if (!strcmp(op, "norm_fro")) return ct_norm_fro(x, nd, dims, a[0] != 0);
    if (!strcmp(op, "logsumexp")) return ct_logsumexp(x, nd, dims, a[0] != 0);
    if (!strcmp(op, "all")) return ct_all(x);
    if (!strcmp(op, "all_dim")) return ct_all_dim(x, (int64_t)a[0], a[1] != 0);
    if (!strcmp(op, "any")) return ct_any(x);
    if (!strcmp(op, "any_dim")) return ct_any_dim(x, (int64_t)a[0], a[1] != 0);
    if (!strcmp(op, "count_nonzero")) return ct_count_nonzero(x, nd, dims);
    if (!strcmp(op, "cumsum")) return ct_cumsum(x, (int64_t)a[0]);
    if (!strcmp(op, "cumprod")) return ct_cumprod(x, (int64_t)a[0]);
    if (!strcmp(op, "cumsum_dtype")) return ct_cumsum_dtype(x, (int64_t)a[0], dtype_key(c));
    if (!strcmp(op, "cumprod_dtype")) return ct_cumprod_dtype(x, (int64_t)a[0], dtype_key(c));
    if (!strcmp(op, "cumsum_") || !strcmp(op, "cumprod_")) {
        ct_tensor *y = ct_clone(x);
        int rc2 = op[3] == 's' ? ct_cumsum_(y, (int64_t)a[0]) : ct_cumprod_(y, (int64_t)a[0]);
        if (rc2 != CT_OK) {
            ct_free(y);
            return NULL;
        }
        return y;
    }
    if (!strcmp(op, "cummax") || !strcmp(op, "cummin")) {
        rc = op[4] == 'a' ? ct_cummax(x, (int64_t)a[0], &v, &i) : ct_cummin(x, (int64_t)a[0], &v, &i);
        return pick(rc, v, i, a[1]);
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* kinks or integer-valued results where finite differences are meaningless */
static const char *const no_gc[] = {"all", "any", "count_nonzero", NULL};
/* backward formulas with masks/sign (their second derivative exists but
 * is zero almost everywhere in PyTorch as well) are still checked; these
 * are the ones whose gradient is piecewise constant */
static const char *const once[] = {"sum", "sum_dim", "sum_dtype", "sum_dim_dtype", "mean", "mean_dim", "mean_dtype",
                                   "mean_dim_dtype", "nansum", "nansum_dim", "cumsum", "cumsum_", "cumsum_dtype",
                                   "cummax", "cummin", "cumprod_", NULL};

Test(reduce, parity_values_gradients_gradcheck) {
    op_harness_opts o = {.once_differentiable = once, .no_gradcheck = no_gc};
    cr_assert_gt(op_harness_run("reduce.txt", run_op, &o), 700);
}

Test(reduce, null_inputs_keep_the_first_error) {
    ct_clear_error();
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    cr_assert_null(ct_sum_dim(x, 1, (int64_t[]){7}, false));
    const char *first = ct_last_error();
    cr_assert_not_null(first);
    char saved[256];
    snprintf(saved, sizeof saved, "%s", first);
    ct_tensor *v = x, *i = x;
    cr_assert_null(ct_sum(NULL));
    cr_assert_null(ct_sum_dtype(NULL, CT_FLOAT64));
    cr_assert_null(ct_nansum(NULL));
    cr_assert_null(ct_mean_dtype(NULL, CT_FLOAT64));
    cr_assert_null(ct_nanmean(NULL));
    cr_assert_null(ct_prod(NULL));
    cr_assert_null(ct_prod_dim(NULL, 0, false));
    cr_assert_null(ct_var(NULL));
    cr_assert_null(ct_std_dim(NULL, 0, NULL, true, false));
    cr_assert_eq(ct_var_mean(NULL, 0, NULL, 1, false, &v, &i), CT_ERROR);
    cr_assert(v == NULL && i == NULL);
    cr_assert_eq(ct_std_mean(NULL, 0, NULL, 1, false, &v, &i), CT_ERROR);
    cr_assert_null(ct_norm(NULL, 2.0));
    cr_assert_null(ct_norm_fro(NULL, 0, NULL, false));
    cr_assert_null(ct_logsumexp(NULL, 1, (int64_t[]){0}, false));
    cr_assert_null(ct_all(NULL));
    cr_assert_null(ct_any_dim(NULL, 0, false));
    cr_assert_null(ct_count_nonzero(NULL, 0, NULL));
    cr_assert_null(ct_cumsum(NULL, 0));
    cr_assert_null(ct_cumprod_dtype(NULL, 0, CT_FLOAT64));
    cr_assert_eq(ct_cumsum_(NULL, 0), CT_ERROR);
    cr_assert_eq(ct_cumprod_(NULL, 0), CT_ERROR);
    v = i = x;
    cr_assert_eq(ct_cummax(NULL, 0, &v, &i), CT_ERROR);
    cr_assert(v == NULL && i == NULL);
    cr_assert_eq(ct_cummin(NULL, 0, &v, &i), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), saved);
    ct_free(x);
}

Test(reduce, inplace_scan_refuses_leaf_and_bumps_version) {
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_cumsum_(x, 1), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    ct_tensor *y = ct_ones(CT_SIZE(2, 3), NULL);
    int64_t v0 = ct_version(y);
    cr_assert_eq(ct_cumsum_(y, 1), CT_OK);
    cr_assert_gt(ct_version(y), v0);
    double last;
    ct_tensor *s = ct_sum(y);
    cr_assert_eq(ct_item(s, &last), CT_OK);
    cr_assert_eq(last, 12.0);
    ct_free(s);
    ct_free(x);
    ct_free(y);
}

Test(reduce, var_mean_outputs_share_one_node) {
    ct_tensor *x = ct_randn(CT_SIZE(3, 4), CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *v = NULL, *m = NULL;
    cr_assert_eq(ct_var_mean(x, 1, (int64_t[]){1}, 1, false, &v, &m), CT_OK);
    cr_assert_str_eq(ct_grad_fn_name(v), "VarMeanBackward0");
    cr_assert_str_eq(ct_grad_fn_name(m), "VarMeanBackward0");
    ct_tensor *sv = ct_sum(v), *sm = ct_sum(m);
    ct_tensor *s = ct_add(sv, sm);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK);
    ct_tensor *gx = ct_grad(x);
    cr_assert_not_null(gx);
    ct_free(gx);
    ct_free(sv);
    ct_free(sm);
    ct_free(x);
    ct_free(v);
    ct_free(m);
    ct_free(s);
}
