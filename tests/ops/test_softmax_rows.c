/* softmax / log_softmax of float32 over the last dim (the vectorized rows
 * of src/kernels/cpu/softmax.c and its fused backward) and over a middle
 * dim (its 16-column AVX-512 kernel) against PyTorch
 * 1.13.1, on every instruction-set path of kernels/cpu/fast_expf.h. Vectors:
 * tests/parity/gen_softmax_rows.py. NaN where PyTorch has NaN; else within
 * the op harness tolerance, 2e-6 relative + 1e-5 absolute (Cephes exp vs
 * Sleef's; double vs float sums, which the backward's g - sum(g * y)
 * cancellation magnifies). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ctorch.h>

#include "kernels/cpu/fast_expf.h"
#include "test_util.h"

/* the float32 tensor of key's hex bits */
static ct_tensor *load_f32(const vec_case *c, const char *key, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, TU_BITS32, CT_FLOAT32, ndim, sizes);
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, int isa) {
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(t), n);
    const float *got = ct_data_ptr(t);
    for (int i = 0; i < n; i++) {
        float want = (float)tu_hexf(c, key, i);
        if (isnan(want))
            cr_assert(isnan(got[i]), "%s %s[%d] isa %d: %g, want NaN", vec_name(c), key, i, isa, got[i]);
        else if (isinf(want))
            cr_assert_eq(got[i], want, "%s %s[%d] isa %d", vec_name(c), key, i, isa);
        else
            cr_assert(fabsf(got[i] - want) <= 1e-5f + 2e-6f * fabsf(want), "%s %s[%d] isa %d: %.9g vs %.9g",
                      vec_name(c), key, i, isa, got[i], want);
    }
}

Test(softmax_rows, parity_every_isa) {
    vec_file *f = vec_load("softmax_rows.txt");
    cr_assert(f);
    cr_assert_gt(vec_count(f), 15);
    for (int isa = 0; isa <= 2; isa++) {
        ct__fast_expf_set_isa(isa);
        for (size_t i = 0; i < vec_count(f); i++) {
            const vec_case *c = vec_at(f, i);
            int64_t shape[8];
            int nd = vec_ints(c, "shape", shape, 8);
            bool log = vec_int(c, "log", 0) != 0;
            int64_t dim = vec_int(c, "dim", 0);
            ct_tensor *x = load_f32(c, "x", nd, shape), *g = load_f32(c, "g", nd, shape);
            cr_assert(x && g && ct_requires_grad_(x, true) == CT_OK);
            ct_tensor *y = log ? ct_log_softmax(x, dim) : ct_softmax(x, dim);
            cr_assert(y, "%s", ct_last_error());
            expect_close(c, "y", y, isa);
            cr_assert_eq(ct_backward(y, g, NULL), CT_OK, "%s", ct_last_error());
            ct_tensor *gx = ct_grad(x);
            cr_assert(gx);
            expect_close(c, "gx", gx, isa);
            ct_free(gx);
            ct_free(y);
            ct_free(g);
            ct_free(x);
        }
    }
    ct__fast_expf_set_isa(-1);
    vec_free(f);
}
