/* F.layer_norm and F.group_norm at sizes where ctorch's rows kernels
 * (src/kernels/cpu/norm_rows.c) split the backward into several blocks of
 * rows, against PyTorch 1.13.1 (tests/parity/data/norm_rows.txt,
 * gen_norm_rows.py): x, weight, bias and the incoming gradient are randn
 * after manual_seed (drawn bit-identically); the file holds whole weight /
 * bias gradients (PyTorch's float64 ones of the same inputs), some columns
 * of sampled rows of y and x.grad, and the float64 sums of y and x.grad.
 * The results must also be the same bits at 1 and 2 threads. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "vectors.h"

typedef struct {
    ct_tensor *y, *gx, *gw, *gb;
} norm_result;

static norm_result run(const vec_case *c, int threads) {
    int64_t shape[8];
    int nd = vec_ints(c, "shape", shape, 8);
    int64_t arg = vec_int(c, "arg", 0);
    bool ln = !strcmp(vec_tok(c, "op", 0), "layer_norm");
    ct_dtype dt = strcmp(vec_tok(c, "dtype", 0), "float64") ? CT_FLOAT32 : CT_FLOAT64;
    const char *affine = vec_tok(c, "affine", 0);
    bool hw = affine[0] == 'w', hb = strchr(affine, 'b') != NULL;
    int wnd = ln ? (int)arg : 1;
    const int64_t *wshape = ln ? shape + nd - arg : shape + 1;
    cr_assert_eq(ct_set_num_threads(threads), CT_OK);
    ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
    ct_tensor *x = ct_randn(nd, shape, CT_OPTS(.dtype = dt, .requires_grad = true));
    ct_tensor *w = ct_randn(wnd, wshape, CT_OPTS(.dtype = dt, .requires_grad = true));
    ct_tensor *b = ct_randn(wnd, wshape, CT_OPTS(.dtype = dt, .requires_grad = true));
    ct_tensor *g = ct_randn(nd, shape, CT_OPTS(.dtype = dt));
    cr_assert(x && w && b && g);
    ct_tensor *y = ln ? ct_layer_norm(x, wnd, wshape, hw ? w : NULL, hb ? b : NULL, 1e-5)
                      : ct_group_norm(x, arg, hw ? w : NULL, hb ? b : NULL, 1e-5);
    cr_assert_not_null(y, "%s: %s", vec_name(c), ct_last_error());
    cr_assert_eq(ct_backward(y, g, NULL), CT_OK, "%s: %s", vec_name(c), ct_last_error());
    norm_result r = {ct_detach(y), ct_grad(x), hw ? ct_grad(w) : NULL, hb ? ct_grad(b) : NULL};
    cr_assert(r.y && r.gx && (!hw || r.gw) && (!hb || r.gb));
    ct_free(y);
    ct_free(x);
    ct_free(w);
    ct_free(b);
    ct_free(g);
    return r;
}

static double at(const ct_tensor *t, int64_t i) {
    return ct_dtype_of(t) == CT_FLOAT64 ? ((const double *)ct_data_ptr(t))[i] : ((const float *)ct_data_ptr(t))[i];
}

/* t[off + idx[k]] (idx NULL: off + k) against the case's values under key */
static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, int64_t off, const int64_t *idx,
                         int64_t len, double atol, double rtol) {
    cr_assert_eq(vec_len(c, key), len, "%s: %s", vec_name(c), key);
    for (int64_t k = 0; k < len; k++) {
        double want = vec_double(c, key, (int)k), got = at(t, off + (idx ? idx[k] : k));
        cr_assert(fabs(got - want) <= atol + rtol * fabs(want), "%s %s[%lld]: %.9g vs PyTorch %.9g", vec_name(c),
                  key, (long long)k, got, want);
    }
}

static double sum_of(const ct_tensor *t) {
    double s = 0;
    for (int64_t i = 0; i < ct_numel(t); i++) s += at(t, i);
    return s;
}

static bool same_bits(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return a == b;
    return ct_numel(a) == ct_numel(b) &&
           !memcmp(ct_data_ptr(a), ct_data_ptr(b), (size_t)ct_numel(a) * (ct_dtype_of(a) == CT_FLOAT64 ? 8 : 4));
}

static void free_result(norm_result *r) {
    ct_free(r->y);
    ct_free(r->gx);
    ct_free(r->gw);
    ct_free(r->gb);
}

Test(norm_rows, matches_pytorch_and_thread_counts) {
    vec_file *f = vec_load("norm_rows.txt");
    cr_assert_not_null(f);
    cr_assert_eq(vec_count(f), 12);
    static int64_t cols[512];
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        int64_t rc[2];
        cr_assert_eq(vec_ints(c, "rowcols", rc, 2), 2);
        int ncols = vec_ints(c, "cols", cols, 512);
        cr_assert_gt(ncols, 0);
        bool f64 = !strcmp(vec_tok(c, "dtype", 0), "float64");
        /* float32: PyTorch computes in float, ctorch in double (one rounding
         * at the end): elements differ by a few float32 ulps. The weight and
         * bias gradients are PyTorch's float64 ones of the same inputs, which
         * ctorch's double sums rounded once to float32 must meet closely. */
        double atol = f64 ? 1e-12 : 1e-5, rtol = f64 ? 1e-11 : 1e-5;
        double watol = f64 ? 1e-10 : 1e-6, wrtol = f64 ? 1e-11 : 1e-6;
        norm_result r1 = run(c, 1), r2 = run(c, 2);
        for (int k = 0; k < vec_len(c, "rows"); k++) {
            int64_t row = vec_int(c, "rows", k);
            char key[32];
            snprintf(key, sizeof key, "y%lld", (long long)row);
            expect_close(c, key, r1.y, row * rc[1], cols, ncols, atol, rtol);
            snprintf(key, sizeof key, "gx%lld", (long long)row);
            expect_close(c, key, r1.gx, row * rc[1], cols, ncols, atol, rtol);
        }
        cr_assert_eq(vec_has(c, "gw"), r1.gw != NULL, "%s", vec_name(c));
        cr_assert_eq(vec_has(c, "gb"), r1.gb != NULL, "%s", vec_name(c));
        if (r1.gw) expect_close(c, "gw", r1.gw, 0, NULL, ct_numel(r1.gw), watol, wrtol);
        if (r1.gb) expect_close(c, "gb", r1.gb, 0, NULL, ct_numel(r1.gb), watol, wrtol);
        /* the sums of every element: rows * cols terms of size ~1 */
        double n = (double)(rc[0] * rc[1]), satol = (f64 ? 1e-12 : 1e-6) * n;
        double ys = sum_of(r1.y), gs = sum_of(r1.gx);
        cr_assert(fabs(ys - vec_double(c, "ysum", 0)) <= satol, "%s: sum(y) %.9g vs %.9g", vec_name(c), ys,
                  vec_double(c, "ysum", 0));
        cr_assert(fabs(gs - vec_double(c, "gxsum", 0)) <= satol, "%s: sum(x.grad) %.9g vs %.9g", vec_name(c), gs,
                  vec_double(c, "gxsum", 0));
        cr_assert(same_bits(r1.y, r2.y) && same_bits(r1.gx, r2.gx) && same_bits(r1.gw, r2.gw) &&
                      same_bits(r1.gb, r2.gb),
                  "%s: 1 and 2 threads differ", vec_name(c));
        free_result(&r1);
        free_result(&r2);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    vec_free(f);
}
