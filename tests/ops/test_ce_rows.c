/* F.cross_entropy (class indices, float32) forward and backward against
 * PyTorch 1.13.1 on rows that exercise every path of the fused kernel
 * (src/kernels/cpu/loss.c): vector tails, > 4096 classes, -inf / +inf /
 * NaN entries, all -inf rows, ignored rows, class weights, the three
 * reductions; on every instruction-set path of kernels/cpu/fast_expf.h.
 * Vectors: tests/parity/gen_ce_rows.py. NaN must sit where PyTorch has NaN;
 * other values within 2e-6 relative (+ 1e-7 absolute): the exp is Cephes'
 * (~1 ulp) where PyTorch's is Sleef's. */
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
    cr_assert_eq(ct_numel(t), n, "%s %s", vec_name(c), key);
    const float *got = ct_data_ptr(t);
    for (int i = 0; i < n; i++) {
        float want = (float)tu_hexf(c, key, i);
        if (isnan(want)) {
            cr_assert(isnan(got[i]), "%s %s[%d] isa %d: %g, want NaN", vec_name(c), key, i, isa, got[i]);
        } else if (isinf(want)) {
            cr_assert_eq(got[i], want, "%s %s[%d] isa %d", vec_name(c), key, i, isa);
        } else {
            cr_assert(fabsf(got[i] - want) <= 1e-7f + 2e-6f * fabsf(want), "%s %s[%d] isa %d: %.9g vs %.9g",
                      vec_name(c), key, i, isa, got[i], want);
        }
    }
}

static void run_case(const vec_case *c, int isa) {
    int64_t shape[2];
    vec_ints(c, "shape", shape, 2);
    int red = (int)vec_int(c, "red", 0);
    int64_t ignore = vec_int(c, "ignore", 0);
    ct_tensor *x = load_f32(c, "x", 2, shape);
    int64_t tg[8192];
    int nt = vec_ints(c, "target", tg, 8192);
    ct_tensor *t = ct_tensor_from(tg, CT_INT64, 1, (const int64_t[]){nt});
    ct_tensor *w = vec_has(c, "weight") ? load_f32(c, "weight", 1, (const int64_t[]){shape[1]}) : NULL;
    ct_tensor *g = red == 2 ? load_f32(c, "g", 1, (const int64_t[]){nt}) : NULL;
    cr_assert(x && t && ct_requires_grad_(x, true) == CT_OK);
    ct_reduction reds[3] = {CT_REDUCTION_MEAN, CT_REDUCTION_SUM, CT_REDUCTION_NONE};
    ct_tensor *loss = ct_cross_entropy(x, t, .reduction = reds[red], .weight = w, .ignore_index = &ignore);
    cr_assert(loss, "%s: %s", vec_name(c), ct_last_error());
    expect_close(c, "loss", loss, isa);
    cr_assert_eq(ct_backward(loss, g, NULL), CT_OK, "%s", ct_last_error());
    ct_tensor *gx = ct_grad(x);
    cr_assert(gx);
    expect_close(c, "gx", gx, isa);
    ct_free(gx);
    ct_free(loss);
    ct_free(g);
    ct_free(w);
    ct_free(t);
    ct_free(x);
}

Test(ce_rows, parity_every_isa) {
    vec_file *f = vec_load("ce_rows.txt");
    cr_assert(f);
    cr_assert_gt(vec_count(f), 15);
    for (int isa = 0; isa <= 2; isa++) {
        ct__fast_expf_set_isa(isa);
        for (size_t i = 0; i < vec_count(f); i++) run_case(vec_at(f, i), isa);
    }
    ct__fast_expf_set_isa(-1);
    vec_free(f);
}
