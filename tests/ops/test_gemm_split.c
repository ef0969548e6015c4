/* Products large enough that gemm.c shares them out over ctorch's threads
 * (src/kernels/cpu/gemm.c, gemm_one): by blocks of C's rows, or by blocks of
 * columns counted in cache lines of C's row, the last one short. Each case
 * checks every element of C against a float64 sum of the same products
 * computed here (not by ctorch): a block computed twice, skipped, shifted or
 * written past the last column shows as a wrong element. The bound is the
 * usual one for a sum of k products: k * eps * sum_k |a_ik * b_kj|. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static double uniform(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0 - 0.5;
}

/* a (rows x cols) tensor of values in [-0.5, 0.5); stored transposed (and
 * returned as the t() view) when `transposed` */
static ct_tensor *matrix(ct_dtype dt, int64_t rows, int64_t cols, bool transposed) {
    int64_t r = transposed ? cols : rows, c = transposed ? rows : cols;
    ct_tensor *m = ct_empty(CT_SIZE(r, c), CT_OPTS(.dtype = dt));
    cr_assert(m);
    for (int64_t i = 0; i < r * c; i++) {
        double v = uniform();
        if (dt == CT_FLOAT64) ((double *)ct_data_ptr(m))[i] = v;
        else ((float *)ct_data_ptr(m))[i] = (float)v;
    }
    if (!transposed) return m;
    ct_tensor *t = ct_t(m);
    ct_free(m);
    cr_assert(t);
    return t;
}

/* element (i, j) of bias + a @ b, and the error bound for it */
static void reference(const double *a, const double *b, const double *bias, int64_t n, int64_t k, int64_t i,
                      int64_t j, double eps, double *want, double *tol) {
    double s = bias ? bias[j] : 0, mag = bias ? fabs(bias[j]) : 0;
    for (int64_t p = 0; p < k; p++) {
        s += a[i * k + p] * b[p * n + j];
        mag += fabs(a[i * k + p] * b[p * n + j]);
    }
    *want = s;
    *tol = (double)(k + 2) * eps * mag + 1e-300;
}

/* contiguous float64 copy of a 2-d tensor, row-major */
static double *to_doubles(const ct_tensor *t) {
    ct_tensor *d64 = ct_to_dtype_copy(t, CT_FLOAT64), *d = ct_contiguous(d64);
    ct_free(d64);
    cr_assert(d);
    int64_t n = ct_numel(d);
    double *out = malloc((size_t)n * sizeof *out);
    memcpy(out, ct_data_ptr(d), (size_t)n * sizeof *out);
    ct_free(d);
    return out;
}

static void check_product(ct_dtype dt, int64_t m, int64_t n, int64_t k, bool ta, bool tb, bool with_bias) {
    cr_assert(ct_scope_begin() >= 1); /* the scope drops every tensor made here */
    ct_tensor *a = matrix(dt, m, k, ta), *b = matrix(dt, k, n, tb);
    ct_tensor *bias = with_bias ? matrix(dt, 1, n, false) : NULL;
    ct_tensor *c = with_bias ? ct_addmm(ct_squeeze_dim(bias, 0), a, b, 1.0, 1.0) : ct_mm(a, b);
    cr_assert(c, "%s", ct_last_error());
    double *A = to_doubles(a), *B = to_doubles(b), *Bias = bias ? to_doubles(bias) : NULL, *C = to_doubles(c);
    double eps = dt == CT_FLOAT64 ? DBL_EPSILON : FLT_EPSILON;
    int64_t bad = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double want, tol;
            reference(A, B, Bias, n, k, i, j, eps, &want, &tol);
            if (!(fabs(C[i * n + j] - want) <= tol) && bad++ < 5)
                cr_log_error("%s %lldx%lldx%lld ta=%d tb=%d bias=%d: C[%lld,%lld] = %.17g, want %.17g",
                             dt == CT_FLOAT64 ? "f64" : "f32", (long long)m, (long long)n, (long long)k, ta, tb,
                             with_bias, (long long)i, (long long)j, C[i * n + j], want);
        }
    free(A), free(B), free(Bias), free(C);
    cr_assert_eq(bad, 0, "%lld wrong elements", (long long)bad);
    cr_assert_eq(ct_scope_end(), CT_OK);
}

/* (m, n, k): split by rows (m >= n, or the weight-gradient shape with small
 * k), by columns (the linear layer's forward: large k, n > m), with n not a
 * multiple of a cache line's elements so the last column block is short */
static const int64_t shapes[][3] = {
    {256, 787, 64}, {64, 301, 784}, {301, 64, 512}, {96, 1000, 300}, {33, 517, 1024},
};

Test(gemm_split, float32_two_threads) {
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int lay = 0; lay < 4; lay++)
            check_product(CT_FLOAT32, shapes[s][0], shapes[s][1], shapes[s][2], lay & 1, lay & 2, s % 2 == 0);
}

Test(gemm_split, float64_two_threads) {
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int lay = 0; lay < 4; lay++)
            check_product(CT_FLOAT64, shapes[s][0], shapes[s][1], shapes[s][2], lay & 2, lay & 1, s % 2 == 1);
}

Test(gemm_split, float32_three_threads) {
    /* three blocks: the middle one starts and ends inside the range */
    cr_assert_eq(ct_set_num_threads(3), CT_OK);
    check_product(CT_FLOAT32, 256, 787, 64, true, false, false);
    check_product(CT_FLOAT32, 64, 301, 784, false, true, true);
}
