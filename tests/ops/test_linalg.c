/* The linalg family (matrix products, cross, diag, trace, einsum, norms)
 * against tests/parity/data/linalg.txt (gen_linalg.py, PyTorch 1.13.1),
 * through the table-driven harness, plus NULL-argument tests. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

/* in-place forms run on a clone, as the generator's s.clone().op_(...) */
typedef int (*fused_inplace_fn)(ct_tensor *, const ct_tensor *, const ct_tensor *, double, double);
static ct_tensor *run_inplace(fused_inplace_fn fn, ct_tensor *const *in, const double *a) {
    ct_tensor *s = ct_clone(in[0]);
    if (!s) return NULL;
    if (fn(s, in[1], in[2], a[0], a[1]) != CT_OK) {
        ct_free(s);
        return NULL;
    }
    return s;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    if (!strcmp(op, "mm")) return ct_mm(in[0], in[1]);
    if (!strcmp(op, "bmm")) return ct_bmm(in[0], in[1]);
    if (!strcmp(op, "dot")) return ct_dot(in[0], in[1]);
    if (!strcmp(op, "vdot")) return ct_vdot(in[0], in[1]);
    if (!strcmp(op, "mv")) return ct_mv(in[0], in[1]);
    if (!strcmp(op, "outer")) return ct_outer(in[0], in[1]);
    if (!strcmp(op, "ger")) return ct_ger(in[0], in[1]);
    if (!strcmp(op, "matmul")) return ct_matmul(in[0], in[1]);
    if (!strcmp(op, "matmul_perm")) {
        ct_tensor *p = ct_permute(in[0], CT_SIZE(0, 2, 1));
        ct_tensor *r = p ? ct_matmul(p, in[1]) : NULL;
        ct_free(p);
        return r;
    }
    if (!strcmp(op, "addmm")) return ct_addmm(in[0], in[1], in[2], a[0], a[1]);
    if (!strcmp(op, "addmv")) return ct_addmv(in[0], in[1], in[2], a[0], a[1]);
    if (!strcmp(op, "addbmm")) return ct_addbmm(in[0], in[1], in[2], a[0], a[1]);
    if (!strcmp(op, "baddbmm")) return ct_baddbmm(in[0], in[1], in[2], a[0], a[1]);
    if (!strcmp(op, "addmm_")) return run_inplace(ct_addmm_, in, a);
    if (!strcmp(op, "addmv_")) return run_inplace(ct_addmv_, in, a);
    if (!strcmp(op, "addbmm_")) return run_inplace(ct_addbmm_, in, a);
    if (!strcmp(op, "baddbmm_")) return run_inplace(ct_baddbmm_, in, a);
    if (!strcmp(op, "diag")) return ct_diag(in[0], (int64_t)a[0]);
    if (!strcmp(op, "diag_embed")) return ct_diag_embed(in[0], (int64_t)a[0], (int)a[1], (int)a[2]);
    if (!strcmp(op, "trace")) return ct_trace(in[0]);
    if (!strcmp(op, "cross")) return ct_cross(in[0], in[1]);
    if (!strcmp(op, "cross_dim")) return ct_cross_dim(in[0], in[1], (int)a[0]);
    if (!strcmp(op, "linalg_cross")) return ct_linalg_cross(in[0], in[1], (int)a[0]);
    if (!strcmp(op, "vector_norm") || !strcmp(op, "vector_norm_tie")) return ct_linalg_vector_norm(in[0], a[0], c->ndims, c->dims, a[1] != 0);
    if (!strcmp(op, "matrix_norm_fro")) {
        int d0 = c->ndims ? (int)c->dims[0] : -2, d1 = c->ndims ? (int)c->dims[1] : -1;
        return ct_linalg_matrix_norm_str(in[0], "fro", d0, d1, a[0] != 0);
    }
    if (!strcmp(op, "matrix_norm")) return ct_linalg_matrix_norm(in[0], a[0], -2, -1, false);
    if (!strcmp(op, "norm")) return ct_linalg_norm(in[0], NULL, c->ndims, c->dims, false);
    if (!strcmp(op, "norm_ord")) return ct_linalg_norm(in[0], &a[0], c->ndims, c->dims, false);
    if (!strcmp(op, "norm_fro")) return ct_linalg_norm_str(in[0], "fro", 0, NULL, false);
    if (!strcmp(op, "einsum"))
        return ct_einsum(vec_str(c->vc, "eq"), (int)vec_int(c->vc, "ninputs", 0), (const ct_tensor *const *)in);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(linalg, parity_values_gradients_gradcheck) {
    /* ties of |x| at the max: finite differences straddle the kink */
    static const char *const kinks[] = {"vector_norm_tie", NULL};
    op_harness_opts o = {.no_gradcheck = kinks};
    cr_assert_gt(op_harness_run("linalg.txt", run_op, &o), 300);
}

/* NULL arguments: NULL back, the earlier error kept */
Test(linalg, null_arguments_keep_error) {
    ct_tensor *x = ct_ones(CT_SIZE(2, 2), NULL);
    ct_tensor *v = ct_ones(CT_SIZE(2), NULL);
    ct_tensor *b = ct_ones(CT_SIZE(1, 2, 2), NULL);
    ct_tensor *bad = ct_mm(v, v);
    cr_assert_null(bad);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", ct_last_error());
    cr_assert_null(ct_mm(NULL, x));
    cr_assert_null(ct_mm(x, NULL));
    cr_assert_null(ct_bmm(NULL, b));
    cr_assert_null(ct_dot(v, NULL));
    cr_assert_null(ct_vdot(NULL, v));
    cr_assert_null(ct_mv(NULL, v));
    cr_assert_null(ct_outer(v, NULL));
    cr_assert_null(ct_matmul(NULL, x));
    cr_assert_null(ct_addmm(NULL, x, x, 1, 1));
    cr_assert_null(ct_addmv(v, x, NULL, 1, 1));
    cr_assert_null(ct_addbmm(x, NULL, b, 1, 1));
    cr_assert_null(ct_baddbmm(b, b, NULL, 1, 1));
    cr_assert_null(ct_diag(NULL, 0));
    cr_assert_null(ct_diag_embed(NULL, 0, -2, -1));
    cr_assert_null(ct_trace(NULL));
    const ct_tensor *ops2[2] = {x, NULL};
    cr_assert_null(ct_einsum("ij,jk", 2, ops2));
    cr_assert_null(ct_einsum(NULL, 1, ops2));
    cr_assert_null(ct_linalg_vector_norm(NULL, 2, 0, NULL, false));
    cr_assert_null(ct_linalg_matrix_norm_str(NULL, "fro", -2, -1, false));
    cr_assert_null(ct_linalg_norm(NULL, NULL, 0, NULL, false));
    cr_assert_null(ct_cross(NULL, v));
    cr_assert_null(ct_linalg_cross(v, NULL, -1));
    cr_assert_eq(ct_addmm_(NULL, x, x, 1, 1), CT_ERROR);
    cr_assert_eq(ct_addmv_(v, NULL, v, 1, 1), CT_ERROR);
    cr_assert_eq(ct_addbmm_(x, b, NULL, 1, 1), CT_ERROR);
    cr_assert_eq(ct_baddbmm_(NULL, b, b, 1, 1), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), msg);
    ct_free(x);
    ct_free(v);
    ct_free(b);
}

/* in-place on a leaf requiring grad is refused; on a non-leaf it records */
Test(linalg, inplace_leaf_and_history) {
    ct_tensor *s = ct_zeros(CT_SIZE(2, 2), CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    ct_tensor *m = ct_ones(CT_SIZE(2, 2), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_addmm_(s, m, m, 1, 1), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    ct_tensor *c = ct_mul_scalar(s, 2.0);
    cr_assert_eq(ct_addmm_(c, m, m, 1, 1), CT_OK);
    cr_assert_eq(ct_version(c), 1);
    ct_free(c);
    ct_free(s);
    ct_free(m);
}
