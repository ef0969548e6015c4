/* The SVD-based part of the linalg family (linalg.svdvals, linalg.svd,
 * matrix_norm with numeric orders and 'nuc', linalg.norm of matrices)
 * against tests/parity/data/linalg2.txt (gen_linalg2.py, PyTorch 1.13.1),
 * through the table-driven harness, plus NULL-argument and invariant tests.
 * U and Vh are compared through functions that do not depend on the signs
 * of the singular vectors (U @ Vh, U diag(S) Vh, columns signed by their
 * first entry). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *mm_k(ct_tensor *U, ct_tensor *S, ct_tensor *Vh, bool scale) {
    /* U[..., :, :k] (* S) @ Vh[..., :k, :] */
    int64_t k = ct_size(S, -1);
    ct_tensor *Uk = ct_narrow(U, -1, 0, k), *Vk = ct_narrow(Vh, -2, 0, k);
    ct_tensor *Sr = scale ? ct_unsqueeze(S, -2) : NULL;
    ct_tensor *US = scale ? ct_mul(Uk, Sr) : ct_ref(Uk);
    ct_tensor *r = US && Vk ? ct_matmul(US, Vk) : NULL;
    ct_free(Uk);
    ct_free(Vk);
    ct_free(Sr);
    ct_free(US);
    return r;
}

static bool close(const ct_tensor *a, const ct_tensor *b) {
    bool r = false;
    return ct_allclose(a, b, 1e-12, 1e-12, false, &r) == CT_OK && r;
}

/* x * sign(x.narrow(dim, 0, 1)) */
static ct_tensor *signed_by_first(ct_tensor *x, int dim) {
    ct_tensor *f = ct_narrow(x, dim, 0, 1), *s = f ? ct_sign(f) : NULL;
    ct_tensor *r = s ? ct_mul(x, s) : NULL;
    ct_free(f);
    ct_free(s);
    return r;
}

static ct_tensor *run_svd(const char *op, ct_tensor *x, bool full) {
    ct_tensor *U, *S, *Vh, *r = NULL;
    if (ct_linalg_svd(x, full, &U, &S, &Vh) != CT_OK) return NULL;
    if (!strcmp(op, "svd_S")) r = ct_ref(S);
    else if (!strcmp(op, "svd_UVh")) r = mm_k(U, S, Vh, false);
    else if (!strcmp(op, "svd_USVh")) r = mm_k(U, S, Vh, true);
    else if (!strcmp(op, "svd_U")) r = signed_by_first(U, -2);
    else if (!strcmp(op, "svd_Vh")) r = signed_by_first(Vh, -1);
    ct_free(U);
    ct_free(S);
    ct_free(Vh);
    return r;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    int d0 = c->ndims ? (int)c->dims[0] : -2, d1 = c->ndims > 1 ? (int)c->dims[1] : -1;
    if (!strcmp(op, "svdvals")) return ct_linalg_svdvals(in[0]);
    if (!strncmp(op, "svd_", 4)) return run_svd(op, in[0], a[0] != 0);
    if (!strcmp(op, "matrix_norm") || !strcmp(op, "matrix_norm_tie"))
        return ct_linalg_matrix_norm(in[0], a[0], d0, d1, a[1] != 0);
    if (!strcmp(op, "matrix_norm_nuc")) return ct_linalg_matrix_norm_str(in[0], "nuc", d0, d1, a[0] != 0);
    if (!strcmp(op, "norm_ord")) return ct_linalg_norm(in[0], &a[0], c->ndims, c->dims, a[1] != 0);
    if (!strcmp(op, "norm_nuc")) return ct_linalg_norm_str(in[0], "nuc", c->ndims, c->dims, a[0] != 0);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(linalg2, parity_values_gradients_gradcheck) {
    /* ties of the abs-sums at the max: finite differences straddle the kink */
    static const char *const kinks[] = {"matrix_norm_tie", NULL};
    op_harness_opts o = {.no_gradcheck = kinks};
    cr_assert_gt(op_harness_run("linalg2.txt", run_op, &o), 400);
}

/* U, Vh orthonormal and U diag(S) Vh == x for a larger, ill-conditioned
 * batch, reduced and full */
Test(linalg2, svd_invariants) {
    ct_manual_seed(7);
    for (int full = 0; full < 2; full++) {
        for (int shape = 0; shape < 2; shape++) {
            int64_t m = shape ? 9 : 17, n = shape ? 17 : 9, k = 9;
            ct_tensor *x = ct_randn(CT_SIZE(3, m, n), CT_OPTS(.dtype = CT_FLOAT64));
            ct_tensor *U, *S, *Vh;
            cr_assert_eq(ct_linalg_svd(x, full, &U, &S, &Vh), CT_OK, "%s", ct_last_error());
            cr_assert_eq(ct_size(U, -1), full ? m : k);
            cr_assert_eq(ct_size(Vh, -2), full ? n : k);
            ct_tensor *r = mm_k(U, S, Vh, true);
            cr_assert(close(r, x));
            ct_tensor *Ut = ct_transpose(U, -2, -1), *UtU = ct_matmul(Ut, U);
            ct_tensor *Vt = ct_transpose(Vh, -2, -1), *VVt = ct_matmul(Vh, Vt);
            ct_tensor *Iu = ct_eye(ct_size(U, -1), ct_size(U, -1), CT_OPTS(.dtype = CT_FLOAT64));
            ct_tensor *Iv = ct_eye(ct_size(Vh, -2), ct_size(Vh, -2), CT_OPTS(.dtype = CT_FLOAT64));
            ct_tensor *Iub = ct_expand_as(Iu, UtU), *Ivb = ct_expand_as(Iv, VVt);
            cr_assert(close(UtU, Iub));
            cr_assert(close(VVt, Ivb));
            const double *s = ct_data_ptr(S);
            for (int64_t b = 0; b < 3; b++)
                for (int64_t i = 1; i < k; i++) cr_assert_geq(s[b * k + i - 1], s[b * k + i]);
            ct_tensor *all[] = {x, U, S, Vh, r, Ut, UtU, Vt, VVt, Iu, Iv, Iub, Ivb};
            for (size_t i = 0; i < sizeof all / sizeof *all; i++) ct_free(all[i]);
        }
    }
}

/* rank-deficient input: U still has orthonormal columns */
Test(linalg2, svd_rank_deficient_basis) {
    ct_tensor *x = ct_ones(CT_SIZE(4, 3), CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *U, *S, *Vh;
    cr_assert_eq(ct_linalg_svd(x, true, &U, &S, &Vh), CT_OK);
    ct_tensor *Ut = ct_transpose(U, -2, -1), *UtU = ct_matmul(Ut, U);
    ct_tensor *I = ct_eye(4, 4, CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert(close(UtU, I));
    const double *s = ct_data_ptr(S);
    cr_assert_float_eq(s[0], sqrt(12.0), 1e-13);
    cr_assert_float_eq(s[1], 0.0, 1e-13);
    ct_tensor *r = mm_k(U, S, Vh, true);
    cr_assert(close(r, x));
    ct_tensor *all[] = {x, U, S, Vh, Ut, UtU, I, r};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) ct_free(all[i]);
}

/* zero and wide inputs with full_matrices: complete orthonormal bases */
Test(linalg2, svd_zero_full_basis) {
    int64_t shapes[3][2] = {{3, 5}, {5, 3}, {40, 40}};
    for (int c = 0; c < 3; c++) {
        int64_t m = shapes[c][0], n = shapes[c][1];
        ct_tensor *x = ct_zeros(CT_SIZE(2, m, n), CT_OPTS(.dtype = CT_FLOAT64));
        ct_tensor *U, *S, *Vh;
        cr_assert_eq(ct_linalg_svd(x, true, &U, &S, &Vh), CT_OK);
        ct_tensor *Ut = ct_transpose(U, -2, -1), *UtU = ct_matmul(Ut, U);
        ct_tensor *Vt = ct_transpose(Vh, -2, -1), *VVt = ct_matmul(Vh, Vt);
        ct_tensor *Iu = ct_eye(m, m, CT_OPTS(.dtype = CT_FLOAT64)), *Iv = ct_eye(n, n, CT_OPTS(.dtype = CT_FLOAT64));
        ct_tensor *Iub = ct_expand_as(Iu, UtU), *Ivb = ct_expand_as(Iv, VVt);
        cr_assert(close(UtU, Iub));
        cr_assert(close(VVt, Ivb));
        ct_tensor *z = ct_zeros_like(S, NULL);
        cr_assert(close(S, z));
        ct_tensor *all[] = {x, U, S, Vh, Ut, UtU, Vt, VVt, Iu, Iv, Iub, Ivb, z};
        for (size_t i = 0; i < sizeof all / sizeof *all; i++) ct_free(all[i]);
    }
}

/* NULL arguments: NULL / CT_ERROR back, the earlier error kept */
Test(linalg2, null_arguments_keep_error) {
    ct_tensor *x = ct_ones(CT_SIZE(2, 2), NULL);
    ct_tensor *v = ct_ones(CT_SIZE(2), NULL);
    cr_assert_null(ct_linalg_svdvals(v));
    char msg[256];
    snprintf(msg, sizeof msg, "%s", ct_last_error());
    ct_tensor *U = x, *S = x, *Vh = x;
    cr_assert_null(ct_linalg_svdvals(NULL));
    cr_assert_eq(ct_linalg_svd(NULL, false, &U, &S, &Vh), CT_ERROR);
    cr_assert_eq(ct_linalg_svd(x, false, NULL, &S, &Vh), CT_ERROR);
    cr_assert_eq(ct_linalg_svd(x, true, &U, NULL, &Vh), CT_ERROR);
    cr_assert_eq(ct_linalg_svd(x, true, &U, &S, NULL), CT_ERROR);
    cr_assert_null(ct_linalg_matrix_norm(NULL, 2, -2, -1, false));
    cr_assert_null(ct_linalg_matrix_norm(NULL, 1, -2, -1, true));
    cr_assert_null(ct_linalg_matrix_norm_str(NULL, "nuc", -2, -1, false));
    cr_assert_null(ct_linalg_norm(NULL, &(double){2}, 0, NULL, false));
    cr_assert_null(ct_linalg_norm_str(NULL, "nuc", 0, NULL, false));
    cr_assert_str_eq(ct_last_error(), msg);
    /* a failing svd sets its outputs to NULL */
    cr_assert_eq(ct_linalg_svd(v, false, &U, &S, &Vh), CT_ERROR);
    cr_assert(U == NULL && S == NULL && Vh == NULL);
    ct_free(x);
    ct_free(v);
}
