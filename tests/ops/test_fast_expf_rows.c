/* The vectorized row functions of kernels/cpu/fast_expf.h: every
 * instruction-set path (scalar, AVX2, AVX-512: whichever this CPU has) gives
 * bitwise the results of the scalar ct__expf_poly and the documented
 * partial-sum order, for every row length 0..70 (all tail shapes) and
 * inputs spanning underflow, -inf and the clamp range. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <ctorch.h>

#include "kernels/cpu/fast_expf.h"

static uint32_t bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static void fill(float *x, int n, uint32_t seed) {
    for (int k = 0; k < n; k++) {
        seed = seed * 1664525u + 1013904223u;
        x[k] = ((float)(seed >> 8) / 16777216.0f - 0.5f) * 60.0f;
    }
    if (n > 3) x[3] = -INFINITY;
    if (n > 5) x[5] = -200.0f; /* underflows to 0 */
}

static double ref_sum(const float *x, int n, float shift, float *y) {
    double a[16] = {0}, b[8];
    for (int k = 0; k < n; k++) {
        y[k] = ct__expf_poly(x[k] - shift);
        a[k % 16] += (double)y[k];
    }
    for (int j = 0; j < 8; j++) b[j] = a[j] + a[j + 8];
    return ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
}

Test(fast_expf_rows, every_isa_matches_scalar_bits) {
    float x[80], y[80], r[80];
    for (int isa = 0; isa <= 2; isa++) {
        ct__fast_expf_set_isa(isa);
        for (int n = 0; n <= 70; n++) {
            fill(x, n, (uint32_t)(n * 7 + 1));
            float m = -INFINITY, mref = -INFINITY;
            for (int k = 0; k < n; k++) mref = x[k] > mref ? x[k] : mref;
            bool ok = ct__row_max_f32(x, n, &m);
            cr_assert_eq(ok, n > 0, "isa %d n %d", isa, n);
            if (n > 0) cr_assert_eq(bits(m), bits(mref), "isa %d n %d max", isa, n);
            float shift = n > 0 ? m : 0.0f;
            double want = ref_sum(x, n, shift, r);
            memset(y, 0xff, sizeof y);
            double got = ct__row_exp_sum_f32(x, y, n, shift);
            cr_assert_eq(got, want, "isa %d n %d sum %.17g vs %.17g", isa, n, got, want);
            for (int k = 0; k < n; k++) cr_assert_eq(bits(y[k]), bits(r[k]), "isa %d n %d k %d", isa, n, k);
            cr_assert_eq(bits(y[n]), 0xffffffffu, "isa %d n %d: wrote past the row", isa, n);
            cr_assert_eq(ct__row_exp_sum_f32(x, NULL, n, shift), want);
            ct__row_exp_scale_f32(x, y, n, shift, 0.37f);
            for (int k = 0; k < n; k++) cr_assert_eq(bits(y[k]), bits(0.37f * r[k]), "isa %d n %d k %d", isa, n, k);
            cr_assert_eq(bits(y[n]), 0xffffffffu);
        }
    }
    ct__fast_expf_set_isa(-1);
}

Test(fast_expf_rows, nan_and_inf_rows_are_refused) {
    float x[40];
    for (int isa = 0; isa <= 2; isa++) {
        ct__fast_expf_set_isa(isa);
        for (int pos = 0; pos < 40; pos += 3) {
            float m;
            for (int k = 0; k < 40; k++) x[k] = (float)k * 0.25f;
            x[pos] = NAN;
            cr_assert_not(ct__row_max_f32(x, 40, &m), "isa %d NaN at %d", isa, pos);
            x[pos] = INFINITY;
            cr_assert_not(ct__row_max_f32(x, 40, &m), "isa %d inf at %d", isa, pos);
            x[pos] = -INFINITY;
            cr_assert(ct__row_max_f32(x, 40, &m));
            cr_assert_eq(m, (pos == 39 ? 38 : 39) * 0.25f);
        }
        for (int k = 0; k < 40; k++) x[k] = -INFINITY;
        float m;
        cr_assert_not(ct__row_max_f32(x, 40, &m), "isa %d all -inf", isa);
    }
    ct__fast_expf_set_isa(-1);
}

/* softmax over the last dim of a float32 output of >= 32 MiB takes the
 * streaming-store path of kernels/cpu/softmax.c: its rows must be bitwise the
 * rows of the cached path (a small tensor holding the same rows), including
 * an odd row length (unaligned row starts) and a NaN row. */
Test(fast_expf_rows, streamed_softmax_equals_cached) {
    const int64_t R = 2100, n = 4099, k = 5;
    ct_manual_seed(3);
    ct_tensor *big = ct_randn(2, (const int64_t[]){R, n}, NULL);
    cr_assert(big);
    float *bx = ct_data_ptr(big);
    bx[2 * n + 7] = NAN;
    ct_tensor *small = ct_tensor_from(bx, CT_FLOAT32, 2, (const int64_t[]){k, n});
    ct_tensor *yb = ct_softmax(big, -1), *ys = ct_softmax(small, -1);
    cr_assert(yb && ys);
    const float *pb = ct_data_ptr(yb), *ps = ct_data_ptr(ys);
    for (int64_t i = 0; i < k * n; i++) cr_assert_eq(bits(pb[i]), bits(ps[i]), "element %ld", (long)i);
    cr_assert(isnan(pb[2 * n]));
    double s = 0;
    for (int64_t j = 0; j < n; j++) s += pb[(R - 1) * n + j];
    cr_assert(fabs(s - 1) < 1e-5, "last row sums to %.9g", s);
    ct_free(yb);
    ct_free(ys);
    ct_free(small);
    ct_free(big);
}

Test(fast_expf_rows, nan_propagates_on_every_isa) {
    float x[37], y[37];
    for (int isa = 0; isa <= 2; isa++) {
        ct__fast_expf_set_isa(isa);
        for (int k = 0; k < 37; k++) x[k] = -0.5f * (float)k;
        x[4] = NAN;
        x[33] = NAN;
        ct__row_exp_scale_f32(x, y, 37, 0.0f, 2.0f);
        for (int k = 0; k < 37; k++)
            cr_assert_eq(isnan(y[k]), k == 4 || k == 33, "isa %d k %d: %g", isa, k, y[k]);
        cr_assert(isnan(ct__row_exp_sum_f32(x, y, 37, 0.0f)));
        cr_assert(isnan(y[33]) && isnan(y[4]) && y[0] == 1.0f);
    }
    ct__fast_expf_set_isa(-1);
}
