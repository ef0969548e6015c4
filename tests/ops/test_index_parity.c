/* The indexing family against tests/parity/data/index.txt (gen_index.py,
 * PyTorch 1.13.1) through the table-driven harness, plus NULL-argument
 * and in-place checks. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *cloned(ct_tensor *x) { return ct_clone(x); }

/* pattern tokens: 'i' = the next input, 'n' = NULL (':') */
static int read_pattern(const op_call *c, ct_tensor *const *in, int first, const ct_tensor **idx) {
    int n = vec_len(c->vc, "pat"), k = first;
    for (int i = 0; i < n; i++)
        idx[i] = !strcmp(vec_tok(c->vc, "pat", i), "i") ? in[k++] : NULL;
    return n;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    int64_t d = (int64_t)a[0];
    const char *red = vec_has(c->vc, "reduce") ? vec_tok(c->vc, "reduce", 0) : NULL;
    if (!strcmp(op, "gather")) return ct_gather(in[0], d, in[1]);
    if (!strcmp(op, "scatter")) return ct_scatter(in[0], d, in[1], in[2]);
    if (!strcmp(op, "scatter_value")) return ct_scatter_value(in[0], d, in[1], a[1]);
    if (!strcmp(op, "scatter_add")) return ct_scatter_add(in[0], d, in[1], in[2]);
    if (!strcmp(op, "scatter_reduce")) return ct_scatter_reduce(in[0], d, in[1], in[2], red, a[1] != 0);
    if (!strcmp(op, "index_select")) return ct_index_select(in[0], d, in[1]);
    if (!strcmp(op, "index_add")) return ct_index_add(in[0], d, in[1], in[2], a[1]);
    if (!strcmp(op, "index_copy")) return ct_index_copy(in[0], d, in[1], in[2]);
    if (!strcmp(op, "index_fill")) return ct_index_fill(in[0], d, in[1], a[1]);
    if (!strcmp(op, "index_reduce")) return ct_index_reduce(in[0], d, in[1], in[2], red, a[1] != 0);
    if (!strcmp(op, "masked_fill")) return ct_masked_fill(in[0], in[1], a[0]);
    if (!strcmp(op, "masked_fill_t")) return ct_masked_fill_tensor(in[0], in[1], in[2]);
    if (!strcmp(op, "masked_select")) return ct_masked_select(in[0], in[1]);
    if (!strcmp(op, "masked_scatter")) return ct_masked_scatter(in[0], in[1], in[2]);
    if (!strcmp(op, "take")) return ct_take(in[0], in[1]);
    if (!strcmp(op, "nonzero")) return ct_nonzero(in[0]);
    if (!strcmp(op, "nonzero_tuple")) {
        ct_tensor *out[CT_MAX_DIMS] = {0};
        int n = ct_nonzero_tuple(in[0], out);
        cr_assert_gt(n, (int)a[0]);
        for (int i = 0; i < n; i++)
            if (i != (int)a[0]) ct_free(out[i]);
        return out[(int)a[0]];
    }
    if (!strcmp(op, "index")) {
        const ct_tensor *idx[CT_MAX_DIMS];
        int n = read_pattern(c, in, 1, idx);
        return ct_index(in[0], n, idx);
    }
    if (!strcmp(op, "index_put") || !strcmp(op, "index_put_")) {
        const ct_tensor *idx[CT_MAX_DIMS];
        int n = read_pattern(c, in, 1, idx), ni = 0;
        for (int i = 0; i < n; i++)
            ni += idx[i] != NULL;
        if (op[9] == '\0') return ct_index_put(in[0], n, idx, in[1 + ni], a[0] != 0);
        ct_tensor *x = cloned(in[0]);
        return x && ct_index_put_(x, n, idx, in[1 + ni], a[0] != 0) == CT_OK ? x : NULL;
    }
    /* in-place forms: clone, then op_ */
    ct_tensor *x = cloned(in[0]);
    if (!x) return NULL;
    int rc = CT_ERROR;
    if (!strcmp(op, "scatter_"))
        rc = ct_scatter_(x, d, in[1], in[2]);
    else if (!strcmp(op, "scatter_add_"))
        rc = ct_scatter_add_(x, d, in[1], in[2]);
    else if (!strcmp(op, "scatter_reduce_"))
        rc = ct_scatter_reduce_(x, d, in[1], in[2], red, a[1] != 0);
    else if (!strcmp(op, "index_add_"))
        rc = ct_index_add_(x, d, in[1], in[2], a[1]);
    else if (!strcmp(op, "index_copy_"))
        rc = ct_index_copy_(x, d, in[1], in[2]);
    else if (!strcmp(op, "index_fill_"))
        rc = ct_index_fill_(x, d, in[1], a[1]);
    else if (!strcmp(op, "index_reduce_"))
        rc = ct_index_reduce_(x, d, in[1], in[2], red, a[1] != 0);
    else if (!strcmp(op, "masked_fill_"))
        rc = ct_masked_fill_(x, in[1], a[0]);
    else if (!strcmp(op, "masked_fill_t_"))
        rc = ct_masked_fill_tensor_(x, in[1], in[2]);
    else if (!strcmp(op, "masked_scatter_"))
        rc = ct_masked_scatter_(x, in[1], in[2]);
    else
        cr_assert_fail("unknown op %s", op);
    return rc == CT_OK ? x : NULL;
}

/* prod backward divides by the inputs (PyTorch's zero handling is not
 * reproduced): its second derivative is still checked. */
static const char *const once[] = {NULL};

Test(index, parity_values_gradients_gradcheck) {
    op_harness_opts o = {.once_differentiable = once};
    cr_assert_gt(op_harness_run("index.txt", run_op, &o), 400);
}

Test(index, null_arguments_keep_the_last_error) {
    int64_t s[2] = {2, 3};
    ct_tensor *x = ct_zeros(2, s, NULL);
    ct_tensor *i = ct_zeros(2, s, CT_OPTS(.dtype = CT_INT64));
    ct_tensor *m = ct_zeros(2, s, CT_OPTS(.dtype = CT_BOOL));
    ct_tensor *i1 = ct_zeros(1, s, CT_OPTS(.dtype = CT_INT64));
    cr_assert_null(ct_gather(x, 5, i)); /* sets an error */
    const char *want = ct_last_error();
    cr_assert_not_null(want);
    char saved[512];
    strncpy(saved, want, sizeof saved - 1);
    saved[sizeof saved - 1] = 0;
    const ct_tensor *idx[1] = {NULL};
    cr_assert_null(ct_gather(NULL, 0, i));
    cr_assert_null(ct_gather(x, 0, NULL));
    cr_assert_null(ct_scatter(x, 0, i, NULL));
    cr_assert_null(ct_scatter_value(NULL, 0, i, 1.0));
    cr_assert_null(ct_scatter_add(x, 0, NULL, x));
    cr_assert_null(ct_scatter_reduce(x, 0, i, NULL, "sum", true));
    cr_assert_null(ct_scatter_reduce(x, 0, i, x, NULL, true));
    cr_assert_null(ct_index_select(NULL, 0, i1));
    cr_assert_null(ct_index_add(x, 0, i1, NULL, 1.0));
    cr_assert_null(ct_index_copy(x, 0, NULL, x));
    cr_assert_null(ct_index_fill(NULL, 0, i1, 1.0));
    cr_assert_null(ct_index_reduce(x, 0, i1, NULL, "prod", true));
    cr_assert_null(ct_masked_fill(x, NULL, 1.0));
    cr_assert_null(ct_masked_fill_tensor(x, m, NULL));
    cr_assert_null(ct_masked_select(NULL, m));
    cr_assert_null(ct_masked_scatter(x, m, NULL));
    cr_assert_null(ct_take(x, NULL));
    cr_assert_null(ct_nonzero(NULL));
    cr_assert_null(ct_index(NULL, 1, idx));
    cr_assert_null(ct_index_put(x, 1, idx, NULL, false));
    cr_assert_eq(ct_scatter_(NULL, 0, i, x), CT_ERROR);
    cr_assert_eq(ct_scatter_add_(x, 0, i, NULL), CT_ERROR);
    cr_assert_eq(ct_index_add_(x, 0, NULL, x, 1.0), CT_ERROR);
    cr_assert_eq(ct_masked_fill_(x, NULL, 0.0), CT_ERROR);
    cr_assert_eq(ct_index_put_(NULL, 1, idx, x, false), CT_ERROR);
    cr_assert_eq(ct_nonzero_tuple(NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), saved);
    ct_free(x);
    ct_free(i);
    ct_free(m);
    ct_free(i1);
}

Test(index, inplace_bumps_version_and_refuses_leaf) {
    int64_t s[1] = {3};
    ct_tensor *x = ct_zeros(1, s, NULL);
    ct_tensor *m = ct_ones(1, s, CT_OPTS(.dtype = CT_BOOL));
    int64_t v0 = ct_version(x);
    cr_assert_eq(ct_masked_fill_(x, m, 2.0), CT_OK);
    cr_assert_gt(ct_version(x), v0);
    double v;
    ct_tensor *e = ct_select(x, 0, 1);
    cr_assert_eq(ct_item(e, &v), CT_OK);
    cr_assert_eq(v, 2.0);
    ct_free(e);
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_masked_fill_(x, m, 1.0), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    ct_free(x);
    ct_free(m);
}
