/* float32 exp, log, tanh, sigmoid and GELU on contiguous inputs (the vectorized
 * rows of src/kernels/cpu/transcend_f32.c) and their derivatives, against
 * PyTorch 1.13.1's vectorized kernels (tests/parity/data/transcend.txt,
 * gen_transcend.py): special values exactly, the rest within a few ulps.
 * The fused derivatives of tanh and sigmoid must also be the bits of the
 * op compositions that create_graph still runs (a NaN's sign aside). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "vectors.h"

static ct_tensor *from_hex(const vec_case *c, const char *key, int64_t n) {
    cr_assert_eq(vec_len(c, key), n, "%s: %s", vec_name(c), key);
    float *v = malloc((size_t)n * sizeof *v);
    for (int64_t i = 0; i < n; i++) {
        uint32_t b = (uint32_t)vec_hex(c, key, (int)i);
        memcpy(&v[i], &b, sizeof b);
    }
    ct_tensor *t = ct_tensor_from(v, CT_FLOAT32, CT_SIZE(n));
    free(v);
    return t;
}

static ct_tensor *apply(const char *op, const ct_tensor *x) {
    if (!strcmp(op, "exp")) return ct_exp(x);
    if (!strcmp(op, "log")) return ct_log(x);
    if (!strcmp(op, "tanh")) return ct_tanh(x);
    if (!strcmp(op, "sigmoid")) return ct_sigmoid(x);
    return ct_gelu(x, CT_GELU_NONE);
}

/* the spacing of floats at |v| (the smallest denormal at 0) */
static double ulp(float v) {
    float a = fabsf(v);
    return isfinite(a) ? (double)nextafterf(a, INFINITY) - (double)a : 0;
}

/* got within k ulps of PyTorch's want, or within atol; NaN, infinities and
 * signed zeros of PyTorch's exactly */
static void expect(const char *what, int64_t i, float x, float got, float want, double k, double atol) {
    if (isnan(want) || isinf(want) || want == 0) {
        bool same = isnan(want) ? isnan(got) : (got == want && signbit(got) == signbit(want));
        if (want == 0 && !same) same = fabs((double)got) <= atol; /* 0 from a cancellation */
        cr_assert(same, "%s[%lld] at x = %.9g: %.9g vs PyTorch %.9g", what, (long long)i, x, got, want);
        return;
    }
    double d = fabs((double)got - (double)want), tol = fmax(k * ulp(want), atol);
    cr_assert(d <= tol, "%s[%lld] at x = %.9g: %.9g vs PyTorch %.9g (%.3g ulps)", what, (long long)i, x, got, want,
              d / ulp(want));
}

Test(transcend, matches_pytorch_vector_kernels) {
    vec_file *f = vec_load("transcend.txt");
    cr_assert_not_null(f);
    cr_assert_eq(vec_count(f), 5);
    for (size_t c = 0; c < vec_count(f); c++) {
        const vec_case *vc = vec_at(f, c);
        const char *op = vec_tok(vc, "op", 0);
        int64_t n = vec_int(vc, "n", 0);
        ct_tensor *x0 = from_hex(vc, "x", n), *g = from_hex(vc, "g", n), *yw = from_hex(vc, "y", n);
        ct_tensor *gw = from_hex(vc, "gx", n), *x = ct_detach(x0);
        cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
        ct_tensor *y = apply(op, x);
        cr_assert_not_null(y, "%s: %s", op, ct_last_error());
        cr_assert_eq(ct_backward(y, g, NULL), CT_OK);
        ct_tensor *gx = ct_grad(x);
        /* ulps: exp, log and tanh are each within 1 of the exact value (Sleef
         * u10 and ctorch's), sigmoid and the products one rounding more;
         * where a result is 1 - (a value near 1) (tanh and sigmoid
         * derivatives near saturation, GELU's 1 + erf for x < 0) one ulp
         * of that value near 1 (6e-8) shows as an absolute difference,
         * scaled by |x| (GELU) or |g| */
        bool gelu = !strcmp(op, "gelu"), exp_op = !strcmp(op, "exp") || !strcmp(op, "log");
        const float *xs = ct_data_ptr(x0), *gs = ct_data_ptr(g), *ys = ct_data_ptr(y), *yws = ct_data_ptr(yw);
        const float *gxs = ct_data_ptr(gx), *gws = ct_data_ptr(gw);
        for (int64_t i = 0; i < n; i++) {
            double ax = fmax(1.0, fabs((double)xs[i])), ag = fabs((double)gs[i]);
            expect(op, i, xs[i], ys[i], yws[i], gelu ? 4 : 2, gelu ? 1.2e-7 * ax : 0);
            expect("gradient", i, xs[i], gxs[i], gws[i], 4, exp_op ? 0 : 2.5e-7 * ag * (gelu ? ax : 1));
        }
        /* tanh, sigmoid: the fused derivative is the composition's bits */
        if (!strcmp(op, "tanh") || !strcmp(op, "sigmoid")) {
            ct_tensor *x2 = ct_detach(x0);
            cr_assert_eq(ct_requires_grad_(x2, true), CT_OK);
            ct_tensor *y2 = apply(op, x2);
            ct_backward_opts o = {.create_graph = true};
            cr_assert_eq(ct_backward(y2, g, &o), CT_OK);
            ct_tensor *gx2 = ct_grad(x2), *gd = ct_detach(gx2);
            const float *cs = ct_data_ptr(gd);
            for (int64_t i = 0; i < n; i++) /* (the composition's negation flips a NaN's sign bit) */
                cr_assert((isnan(cs[i]) && isnan(gxs[i])) || !memcmp(&cs[i], &gxs[i], sizeof(float)),
                          "%s[%lld]: fused %.9g vs composed %.9g", op, (long long)i, gxs[i], cs[i]);
            ct_free(gd), ct_free(gx2), ct_free(y2), ct_free(x2);
        }
        ct_free(x0), ct_free(g), ct_free(yw), ct_free(gw), ct_free(x), ct_free(y), ct_free(gx);
    }
    vec_free(f);
}

/* a strided tensor takes libm's functions: the same values within 2 ulps */
Test(transcend, strided_matches_contiguous) {
    ct_manual_seed(3);
    ct_tensor *a = ct_randn(CT_SIZE(64, 48), NULL), *m = ct_mul_scalar(a, 4.0), *t = ct_t(m), *tc = ct_contiguous(t);
    ct_tensor *at = ct_abs(t), *atc = ct_abs(tc); /* log's inputs: positive, strided and contiguous */
    ct_tensor *(*fns[4])(const ct_tensor *) = {ct_exp, ct_tanh, ct_sigmoid, ct_log};
    for (int k = 0; k < 4; k++) {
        ct_tensor *ys = fns[k](k == 3 ? at : t), *yc = fns[k](k == 3 ? atc : tc), *ysc = ct_contiguous(ys);
        const float *p = ct_data_ptr(ysc), *q = ct_data_ptr(yc);
        for (int64_t i = 0; i < ct_numel(yc); i++)
            cr_assert(fabs((double)p[i] - (double)q[i]) <= 2 * ulp(q[i]), "fn %d element %lld", k, (long long)i);
        ct_free(ys), ct_free(yc), ct_free(ysc);
    }
    ct_free(a), ct_free(m), ct_free(t), ct_free(tc), ct_free(at), ct_free(atc);
}
