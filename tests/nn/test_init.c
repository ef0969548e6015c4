/* torch.nn.init against tests/parity/data/init.txt (gen_init.py, PyTorch
 * 1.13.1): each initializer after the same seed gives PyTorch's values bit
 * for bit (orthogonal_: within the case's tolerance, QR rounding) and
 * leaves the generator where PyTorch leaves it; errors and warnings as
 * PyTorch's. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static void expect_vals(const vec_case *c, const char *key, const ct_tensor *t, double tol) {
    if (tol == 0)
        tu_expect_hex(c, key, t, (tu_tol){.exact = true, .bits = TU_BITS_OF_T});
    else
        tu_expect_hex(c, key, t, (tu_tol){.atol = tol, .bits = TU_BITS_OF_T});
}

static int run_init(const vec_case *c, ct_tensor *t) {
    const char *fn = vec_tok(c, "fn", 0);
    int na = vec_len(c, "args");
    double a[4] = {0, 0, 0, 0};
    for (int i = 0; i < na && i < 4; i++) a[i] = vec_double(c, "args", i);
    const char *nl = vec_has(c, "nl") ? vec_tok(c, "nl", 0) : NULL;
    ct_fan_mode mode = vec_has(c, "mode") && !strcmp(vec_tok(c, "mode", 0), "fan_out") ? CT_FAN_OUT : CT_FAN_IN;
#define IS(s) (!strcmp(fn, s))
    if (IS("uniform_")) return ct_init_uniform_(t, a[0], a[1], NULL);
    if (IS("normal_")) return ct_init_normal_(t, a[0], a[1], NULL);
    if (IS("trunc_normal_")) return ct_init_trunc_normal_(t, a[0], a[1], a[2], a[3], NULL);
    if (IS("constant_")) return ct_init_constant_(t, a[0]);
    if (IS("ones_")) return ct_init_ones_(t);
    if (IS("zeros_")) return ct_init_zeros_(t);
    if (IS("xavier_uniform_")) return ct_init_xavier_uniform_(t, a[0], NULL);
    if (IS("xavier_normal_")) return ct_init_xavier_normal_(t, a[0], NULL);
    if (IS("kaiming_uniform_")) return ct_init_kaiming_uniform_(t, a[0], mode, nl, NULL);
    if (IS("kaiming_normal_")) return ct_init_kaiming_normal_(t, a[0], mode, nl, NULL);
    if (IS("orthogonal_")) return ct_init_orthogonal_(t, a[0], NULL);
    if (IS("eye_")) return ct_init_eye_(t);
    if (IS("dirac_")) return ct_init_dirac_(t, (int64_t)a[0]);
    if (IS("sparse_")) return ct_init_sparse_(t, a[0], a[1], NULL);
#undef IS
    cr_assert_fail("unknown init %s", fn);
    return CT_ERROR;
}

Test(nn_init, every_initializer_matches_pytorch_after_the_same_seed) {
    vec_file *V = vec_load("init.txt");
    ct_set_warnings_enabled(true);
    size_t n = vec_count(V);
    for (size_t i = 0; i < n; i++) {
        const vec_case *c = vec_at(V, i);
        int64_t shape[8];
        int nd = vec_ints(c, "shape", shape, 8);
        ct_dtype dt = !strcmp(vec_tok(c, "dtype", 0), "float64") ? CT_FLOAT64 : CT_FLOAT32;
        ct_tensor *t = ct_empty(nd, shape, CT_OPTS(.dtype = dt));
        cr_assert_not_null(t);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        long w0 = ct_warning_count();
        ct_clear_error();
        int rc = run_init(c, t);
        if (vec_has(c, "error")) {
            cr_assert_eq(rc, CT_ERROR, "%s: no error", vec_name(c));
            cr_assert_str_eq(ct_last_error(), vec_str(c, "error"), "%s", vec_name(c));
        } else {
            cr_assert_eq(rc, CT_OK, "%s: %s", vec_name(c), ct_last_error());
            expect_vals(c, "out", t, vec_double(c, "tol", 0));
            ct_tensor *nxt = ct_rand(CT_SIZE(2), NULL);
            expect_vals(c, "next", nxt, 0);
            ct_free(nxt);
        }
        if (vec_has(c, "warning")) {
            cr_assert_eq(ct_warning_count(), w0 + 1, "%s: no warning", vec_name(c));
            cr_assert_str_eq(ct_last_warning(), vec_str(c, "warning"));
        }
        ct_free(t);
    }
    cr_assert_gt(n, 150);
    vec_free(V);
}

Test(nn_init, null_tensors_fail_quietly) {
    ct_clear_error();
    cr_assert_eq(ct_init_eye_(NULL), CT_ERROR);
    cr_assert_eq(ct_init_dirac_(NULL, 1), CT_ERROR);
    cr_assert_eq(ct_init_trunc_normal_(NULL, 0, 1, -2, 2, NULL), CT_ERROR);
    cr_assert_eq(ct_init_orthogonal_(NULL, 1, NULL), CT_ERROR);
    cr_assert_eq(ct_init_sparse_(NULL, 0.1, 0.01, NULL), CT_ERROR);
    cr_assert_null(ct_last_error());
}

Test(nn_init, orthogonal_gives_orthonormal_rows_or_columns) {
    ct_manual_seed(5);
    ct_tensor *w = ct_empty(CT_SIZE(30, 50), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_init_orthogonal_(w, 1.0, NULL), CT_OK);
    ct_tensor *wt = ct_t(w);
    ct_tensor *p = ct_mm(w, wt); /* rows < cols: orthonormal rows */
    ct_tensor *e = ct_eye(30, 30, CT_OPTS(.dtype = CT_FLOAT64));
    bool close = false;
    cr_assert_eq(ct_allclose(p, e, 0, 1e-12, false, &close), CT_OK);
    cr_assert(close);
    ct_free(w), ct_free(wt), ct_free(p), ct_free(e);
}
