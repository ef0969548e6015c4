/* Small float32/float64 products by direct loops (src/kernels/cpu/gemm_small.c)
 * against OpenBLAS itself: cblas_sgemm/cblas_dgemm with OpenBLAS's default
 * kernels on this machine (Prescott's, which ctorch keeps for products of
 * at most 4096 multiply-adds so their rounding is the one PyTorch's parity
 * data has). Every comparison is bitwise. Each test runs in its own process
 * (Criterion), and calls CBLAS before anything in ctorch can switch
 * OpenBLAS's kernel table (gemm.c switches it at the first BLAS call). */
#include <cblas.h>
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "kernels/cpu/gemm_small.h"

char *openblas_get_corename(void);

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double uniform(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}
/* values over 16 binades, so the order of the additions shows in the bits;
 * with `special`, now and then -0, +-inf or NaN */
static double value(bool special) {
    if (special && uniform() < 0.03) {
        static const double sp[] = {-0.0, INFINITY, -INFINITY, NAN};
        return sp[(int)(uniform() * 4)];
    }
    return (uniform() - 0.5) * ldexp(1.0, (int)(uniform() * 16) - 8);
}

static const double alphas[] = {1, -1, 0.5, 2.5, 1.0 / 3, 0};
static const double betas[] = {0, 1, 0.5, -2, 1.0 / 3};

static bool prescott_default(void) {
    const char *core = openblas_get_corename();
    return core && strcasecmp(core, "prescott") == 0;
}

/* bitwise, or (nan_any) any NaN for any NaN: which of two NaN operands an
 * addition returns depends on the operand order the compiler picked */
static bool same_f32(const float *x, const float *y, int64_t count, bool nan_any) {
    for (int64_t i = 0; i < count; i++)
        if (memcmp(x + i, y + i, sizeof *x) != 0 && !(nan_any && isnan(x[i]) && isnan(y[i]))) return false;
    return true;
}
static bool same_f64(const double *x, const double *y, int64_t count, bool nan_any) {
    for (int64_t i = 0; i < count; i++)
        if (memcmp(x + i, y + i, sizeof *x) != 0 && !(nan_any && isnan(x[i]) && isnan(y[i]))) return false;
    return true;
}

/* One product in both precisions, both ways: the loops (strides taken from
 * the BLAS layout) and CBLAS. Returns the number of mismatches (0, 1, 2). */
static int compare(int m, int n, int k, bool ta, bool tb, int pad, int padc, double alpha, double beta, bool special) {
    static float as[8192], bs[8192], cs[8192], cl[8192];
    static double ad[8192], bd[8192], cd[8192], cld[8192];
    int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + padc;
    int an = (ta ? k : m) * lda, bn = (tb ? n : k) * ldb, cn = m * ldc;
    cr_assert(an <= 8192 && bn <= 8192 && cn <= 8192);
    for (int i = 0; i < an; i++) ad[i] = value(special), as[i] = (float)ad[i];
    for (int i = 0; i < bn; i++) bd[i] = value(special), bs[i] = (float)bd[i];
    for (int i = 0; i < cn; i++) cd[i] = value(special), cs[i] = (float)cd[i];
    memcpy(cl, cs, sizeof(float) * (size_t)cn);
    memcpy(cld, cd, sizeof(double) * (size_t)cn);
    CBLAS_TRANSPOSE TA = ta ? CblasTrans : CblasNoTrans, TB = tb ? CblasTrans : CblasNoTrans;
    cblas_sgemm(CblasRowMajor, TA, TB, m, n, k, (float)alpha, as, lda, bs, ldb, (float)beta, cs, ldc);
    cblas_dgemm(CblasRowMajor, TA, TB, m, n, k, alpha, ad, lda, bd, ldb, beta, cd, ldc);
    /* A (m, k): element (i, p) at i * sa0 + p * sa1 */
    int64_t sa0 = ta ? 1 : lda, sa1 = ta ? lda : 1, sb0 = tb ? 1 : ldb, sb1 = tb ? ldb : 1;
    ct__gemm_small_prescott_f32(m, n, k, (float)alpha, as, sa0, sa1, bs, sb0, sb1, (float)beta, cl, ldc);
    ct__gemm_small_prescott_f64(m, n, k, alpha, ad, sa0, sa1, bd, sb0, sb1, beta, cld, ldc);
    return !same_f32(cs, cl, cn, special) + !same_f64(cd, cld, cn, special);
}

Test(gemm_small, bitwise_cblas_all_shapes_layouts) {
    cr_assert(prescott_default(), "OpenBLAS's default core here is %s, not Prescott: the loops are not used",
              openblas_get_corename());
    int bad = 0, runs = 0;
    for (int m = 1; m <= 20; m++)
        for (int n = 1; n <= 20; n++)
            for (int k = 1; k <= 20; k++)
                for (int lay = 0; lay < 4; lay++) {
                    int pad = (m + n + k + lay) % 3, padc = (m * n + k) % 2;
                    double alpha = alphas[(m + 2 * n + 3 * k + lay) % 6], beta = betas[(m + n * k + lay) % 5];
                    int b = compare(m, n, k, lay & 1, lay & 2, pad, padc, alpha, beta, false);
                    if (b && bad < 5) cr_log_error("mismatch m=%d n=%d k=%d layout=%d alpha=%g beta=%g", m, n, k, lay, alpha, beta);
                    bad += b, runs++;
                }
    cr_assert_eq(bad, 0, "%d of %d products differ from CBLAS", bad, 2 * runs);
}

Test(gemm_small, bitwise_cblas_every_alpha_beta) {
    cr_assert(prescott_default());
    int bad = 0;
    static const int shapes[][3] = {{8, 16, 16}, {8, 1, 16}, {8, 16, 1}, {1, 16, 8}, {16, 16, 8}, {7, 13, 19},
                                    {3, 9, 17},  {5, 6, 33}, {2, 2, 40}, {1, 1, 64}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int ai = 0; ai < 6; ai++)
            for (int bi = 0; bi < 5; bi++)
                for (int lay = 0; lay < 4; lay++)
                    bad += compare(shapes[s][0], shapes[s][1], shapes[s][2], lay & 1, lay & 2, 1, 1, alphas[ai],
                                   betas[bi], false);
    cr_assert_eq(bad, 0);
}

/* long sums up to the limit the loops take (k <= CT_GEMM_SMALL_MAX_K) */
Test(gemm_small, bitwise_cblas_long_k) {
    cr_assert(prescott_default());
    int bad = 0;
    for (int m = 1; m <= 5; m++)
        for (int n = 1; n <= 9; n++)
            for (int k = 21; k <= CT_GEMM_SMALL_MAX_K; k++)
                if (m * n * k <= CT_GEMM_SMALL_MAX_WORK) {
                    int lay = (m + n + k) % 4;
                    bad += compare(m, n, k, lay & 1, lay & 2, 0, 0, alphas[k % 6], betas[(m + k) % 5], false);
                }
    cr_assert_eq(bad, 0);
}

/* -0, infinities and NaN in A, B and C: the same values (any NaN for NaN);
 * beta == 0 drops C's NaN, alpha == 0 drops A's and B's */
Test(gemm_small, special_values) {
    cr_assert(prescott_default());
    int bad = 0;
    for (int rep = 0; rep < 4; rep++)
        for (int m = 1; m <= 12; m++)
            for (int n = 1; n <= 12; n++)
                for (int k = 1; k <= 12; k++) {
                    int lay = (m + n + k + rep) % 4;
                    bad += compare(m, n, k, lay & 1, lay & 2, rep % 2, 0, alphas[(m + k + rep) % 6],
                                   betas[(n + k + rep) % 5], true);
                }
    cr_assert_eq(bad, 0);
}

/* ct__gemm_small takes float32/float64 products within the limits, on this
 * machine, and gives CBLAS's bits with C contiguous */
Test(gemm_small, dispatch) {
    cr_assert(prescott_default());
    float a[64 * 3], b[3 * 64], c1[64 * 64], c2[64 * 64];
    for (int i = 0; i < 64 * 3; i++) a[i] = (float)value(false), b[i] = (float)value(false);
    for (int i = 0; i < 64 * 64; i++) c1[i] = c2[i] = (float)value(false);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 8, 16, 3, 1.0f, a, 3, b, 3, 1.0f, c1, 16);
    /* from here OpenBLAS may run other kernels: ct__gemm_small sets up gemm.c */
    cr_assert(ct__gemm_small(CT_FLOAT32, 8, 16, 3, 1.0, a, 3, 1, b, 1, 3, 1.0, c2));
    cr_assert(same_f32(c1, c2, 8 * 16, false));
    double d[4] = {1, 2, 3, 4}, e[4] = {0};
    cr_assert(ct__gemm_small(CT_FLOAT64, 2, 2, 1, 1.0, d, 1, 1, d, 2, 1, 0.0, e));
    cr_assert(!ct__gemm_small(CT_INT32, 2, 2, 1, 1.0, d, 1, 1, d, 2, 1, 0.0, e), "integers are not BLAS's");
    cr_assert(!ct__gemm_small(CT_FLOAT32, 1, 1, CT_GEMM_SMALL_MAX_K + 1, 1.0, a, 1, 1, b, 1, 1, 0.0, c2),
              "OpenBLAS splits longer sums");
    cr_assert(!ct__gemm_small(CT_FLOAT32, 64, 64, 2, 1.0, a, 2, 1, b, 64, 1, 0.0, c2), "above the size limit");
}

/* Through the ops: mm, addmm and a Linear layer's product give CBLAS's bits
 * (the references computed first, with OpenBLAS's default kernels) */
Test(gemm_small, ops_match_cblas) {
    cr_assert(prescott_default());
    ct_tensor *x = ct_randn(CT_SIZE(8, 16), NULL), *w = ct_randn(CT_SIZE(16, 16), NULL), *bias = ct_randn(CT_SIZE(16), NULL);
    cr_assert(x && w && bias);
    const float *xp = ct_data_ptr(x), *wp = ct_data_ptr(w), *bp = ct_data_ptr(bias);
    float ref_mm[8 * 16], ref_addmm[8 * 16];
    /* mm(x, w.t()) and addmm(bias, x, w.t()) as ctorch issues them */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 8, 16, 16, 1.0f, xp, 16, wp, 16, 0.0f, ref_mm, 16);
    for (int i = 0; i < 8; i++) memcpy(ref_addmm + i * 16, bp, sizeof(float) * 16);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 8, 16, 16, 1.0f, xp, 16, wp, 16, 1.0f, ref_addmm, 16);
    ct_tensor *wt = ct_t(w);
    ct_tensor *y = ct_mm(x, wt), *z = ct_addmm(bias, x, wt, 1.0, 1.0);
    cr_assert(y && z);
    cr_assert(same_f32(ct_data_ptr(y), ref_mm, 8 * 16, false), "mm differs from cblas_sgemm");
    cr_assert(same_f32(ct_data_ptr(z), ref_addmm, 8 * 16, false), "addmm differs from cblas_sgemm");
    ct_free(x), ct_free(w), ct_free(bias), ct_free(wt), ct_free(y), ct_free(z);
}
