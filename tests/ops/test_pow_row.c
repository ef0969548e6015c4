/* float32 pow(x, p) through ct_pow_scalar on contiguous inputs (the
 * vectorized row ct__pow_row_f32 for positive normal blocks, libm's powf
 * for blocks with anything else) against tests/parity/data/pow_row.txt
 * (gen_pow_row.py, PyTorch 1.13.1): zeros, infinities and NaN exactly as
 * PyTorch; finite results within 2 ulp of PyTorch's (Sleef, 1 ulp) and
 * within 1 ulp of PyTorch's float64 pow rounded to float32. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static float from_bits(uint32_t b) {
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* position of a float on the line of floats (monotonic) */
static int64_t ordinal(float f) {
    int32_t i;
    memcpy(&i, &f, sizeof i);
    return i < 0 ? -(int64_t)(i & 0x7fffffff) : (int64_t)i;
}

static void check(const char *name, float got, float want, float ref, int64_t k) {
    if (!isfinite(want) || want == 0 || !isfinite(ref) || ref == 0) {
        bool same = (isnan(got) && isnan(want)) || (got == want && signbit(got) == signbit(want));
        cr_assert(same, "%s[%lld]: %a vs PyTorch %a", name, (long long)k, (double)got, (double)want);
        return;
    }
    cr_assert_leq(llabs(ordinal(got) - ordinal(want)), 2, "%s[%lld]: %a vs PyTorch %a", name, (long long)k,
                  (double)got, (double)want);
    cr_assert_leq(llabs(ordinal(got) - ordinal(ref)), 1, "%s[%lld]: %a vs rounded float64 %a", name, (long long)k,
                  (double)got, (double)ref);
}

Test(pow_row, matches_pytorch_within_ulps) {
    vec_file *f = vec_load("pow_row.txt");
    cr_assert_not_null(f);
    cr_assert_gt(vec_count(f), 10);
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        int64_t n = vec_int(c, "n", 0);
        double p = vec_double(c, "p", 0);
        float *xs = malloc((size_t)n * sizeof *xs);
        cr_assert_not_null(xs);
        for (int64_t k = 0; k < n; k++) xs[k] = from_bits((uint32_t)vec_hex(c, "x", (int)k));
        ct_tensor *x = ct_tensor_from(xs, CT_FLOAT32, 1, (int64_t[]){n});
        cr_assert_not_null(x, "%s", ct_last_error());
        for (int threads = 1; threads <= 2; threads++) {
            cr_assert_eq(ct_set_num_threads(threads), CT_OK);
            ct_tensor *y = ct_pow_scalar(x, p);
            cr_assert_not_null(y, "%s: %s", vec_name(c), ct_last_error());
            const float *yd = ct_data_ptr(y);
            for (int64_t k = 0; k < n; k++)
                check(vec_name(c), yd[k], from_bits((uint32_t)vec_hex(c, "y", (int)k)),
                      from_bits((uint32_t)vec_hex(c, "ref", (int)k)), k);
            ct_free(y);
        }
        ct_free(x);
        free(xs);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    vec_free(f);
}
