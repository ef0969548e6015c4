/* The Winograd F(4x4, 3x3) path of conv2d / conv_transpose2d (float32, 3x3,
 * stride 1, dilation 1, padding <= 2, groups 1, >= 32 channels): forward and
 * backward against PyTorch 1.13.1 computed in float64
 * (tests/parity/gen_conv_winograd.py). Winograd rounds differently from a
 * direct sum, so values are compared with a tolerance relative to the
 * largest reference value of each tensor (docs/nn-conv.md, "Winograd"). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

/* max |ctorch - ref| / max |ref| allowed. PyTorch's own float32 error on
 * these cases is 1e-7 - 4e-7 (the comments in the data file); Winograd
 * F(4x4, 3x3) measures up to 4.1e-6 on them (docs/nn-conv.md). */
#define WINO_TOL 1e-5
/* tensors that do not go through Winograd (weight and bias gradients) */
#define DIRECT_TOL 2e-6

static float bits_to_float(uint64_t b) {
    uint32_t u = (uint32_t)b;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static ct_tensor *load(const vec_case *c, const char *key, const char *shape_key) {
    int64_t sizes[4];
    int nd = 1;
    if (shape_key) {
        nd = vec_ints(c, shape_key, sizes, 4);
    } else {
        sizes[0] = vec_len(c, key);
    }
    int n = vec_len(c, key);
    float *buf = malloc(sizeof(float) * (size_t)n);
    cr_assert_not_null(buf);
    for (int i = 0; i < n; i++) buf[i] = bits_to_float(vec_hex(c, key, i));
    ct_tensor *t = ct_tensor_from(buf, CT_FLOAT32, nd, sizes);
    free(buf);
    cr_assert_not_null(t, "%s: %s", vec_name(c), ct_last_error());
    return t;
}

/* max |got - ref| / max |ref| over finite refs; non-finite entries must
 * match exactly (NaN for NaN, the same infinity) */
static double rel_err(const vec_case *c, const char *key, const ct_tensor *got) {
    cr_assert_not_null(got, "%s: %s missing", vec_name(c), key);
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(got), n, "%s: %s has %lld elements, want %d", vec_name(c), key, (long long)ct_numel(got), n);
    ct_tensor *g = ct_contiguous(got);
    const float *d = ct_data_ptr(g);
    double maxref = 0, maxerr = 0;
    for (int i = 0; i < n; i++) {
        double r = bits_to_float(vec_hex(c, key, i));
        if (!isfinite(r)) {
            if (isnan(r)) cr_expect(isnan(d[i]), "%s %s[%d]: %g, want nan", vec_name(c), key, i, d[i]);
            else cr_expect(d[i] == r, "%s %s[%d]: %g, want %g", vec_name(c), key, i, d[i], r);
            continue;
        }
        cr_expect(isfinite(d[i]), "%s %s[%d]: %g, want %g", vec_name(c), key, i, d[i], r);
        if (fabs(r) > maxref) maxref = fabs(r);
        if (fabs(d[i] - r) > maxerr) maxerr = fabs(d[i] - r);
    }
    ct_free(g);
    double e = maxref > 0 ? maxerr / maxref : maxerr;
    fprintf(stderr, "%-22s %-4s max abs err %.3g, / max|ref| %.3g\n", vec_name(c), key, maxerr, e);
    return e;
}

static void run_case(const vec_case *c) {
    bool transposed = strcmp(vec_str(c, "op"), "conv_transpose2d") == 0;
    ct_tensor *x = load(c, "x", "x_shape"), *w = load(c, "w", "w_shape");
    ct_tensor *b = vec_has(c, "b") ? load(c, "b", NULL) : NULL;
    cr_assert_eq(ct_requires_grad_(x, true), 0);
    cr_assert_eq(ct_requires_grad_(w, true), 0);
    if (b) cr_assert_eq(ct_requires_grad_(b, true), 0);
    ct_conv_opts o = {.padding_nd = {vec_int(c, "padding", 0), vec_int(c, "padding", 1)}};
    /* padding (0, 0) through the _nd field reads as "unset": 0 is the default anyway */
    ct_tensor *y = transposed ? ct_conv_transpose2d_opts(x, w, b, &o) : ct_conv2d_opts(x, w, b, &o);
    cr_assert_not_null(y, "%s: %s", vec_name(c), ct_last_error());
    int64_t ys[4];
    cr_assert_eq(vec_ints(c, "y_shape", ys, 4), 4);
    for (int d = 0; d < 4; d++) cr_assert_eq(ct_size(y, d), ys[d], "%s: y dim %d", vec_name(c), d);
    cr_expect_leq(rel_err(c, "y64", y), WINO_TOL, "%s: y", vec_name(c));
    if (vec_has(c, "gy")) {
        ct_tensor *gy = load(c, "gy", "y_shape");
        cr_assert_eq(ct_backward(y, gy, NULL), 0, "%s: %s", vec_name(c), ct_last_error());
        ct_tensor *gx = ct_grad(x), *gw = ct_grad(w), *gb = b ? ct_grad(b) : NULL;
        /* conv2d: gx is the Winograd input adjoint; conv_transpose2d: gx is a
         * conv2d of gy, Winograd too */
        cr_expect_leq(rel_err(c, "gx64", gx), WINO_TOL, "%s: gx", vec_name(c));
        cr_expect_leq(rel_err(c, "gw64", gw), DIRECT_TOL, "%s: gw", vec_name(c));
        if (b) cr_expect_leq(rel_err(c, "gb64", gb), DIRECT_TOL, "%s: gb", vec_name(c));
        ct_free(gx), ct_free(gw), ct_free(gb), ct_free(gy);
    }
    ct_free(y), ct_free(x), ct_free(w), ct_free(b);
}

Test(ops_conv_winograd, forward_backward_vs_float64) {
    vec_file *f = vec_load("conv_winograd.txt");
    cr_assert_not_null(f);
    size_t ran = 0;
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        if (strcmp(vec_name(c), "nonfinite") == 0) continue;
        run_case(c);
        ran++;
    }
    cr_assert_geq(ran, 5);
    vec_free(f);
}

/* The same cases cut into blocks of 16 tiles (CT_WINO_TB, the block-size
 * knob of conv_winograd.c) at 2 threads: many blocks, whole blocks per
 * thread, the last block short. */
Test(ops_conv_winograd, small_blocks_two_threads) {
    cr_assert_eq(setenv("CT_WINO_TB", "16", 1), 0);
    int saved = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(2), 0);
    vec_file *f = vec_load("conv_winograd.txt");
    cr_assert_not_null(f);
    for (size_t i = 0; i < vec_count(f); i++) run_case(vec_at(f, i));
    vec_free(f);
    cr_assert_eq(ct_set_num_threads(saved), 0);
    unsetenv("CT_WINO_TB");
}

/* The im2col paths of large images on these small shapes: groups of
 * images with one GEMM each (CT_CONV_GROUPS, conv.c: the weight gradient
 * of the 2-image cases) and the weight gradient of one image in chunks of
 * 1-2 output rows (CT_CONV_DW_CHUNK), the last chunk short. */
Test(ops_conv_winograd, weight_grad_groups_and_row_chunks) {
    cr_assert_eq(setenv("CT_CONV_GROUPS", "1", 1), 0);
    cr_assert_eq(setenv("CT_CONV_DW_CHUNK", "20000", 1), 0);
    int saved = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(1), 0);
    vec_file *f = vec_load("conv_winograd.txt");
    cr_assert_not_null(f);
    for (size_t i = 0; i < vec_count(f); i++) run_case(vec_at(f, i));
    vec_free(f);
    cr_assert_eq(ct_set_num_threads(saved), 0);
    unsetenv("CT_CONV_DW_CHUNK");
    unsetenv("CT_CONV_GROUPS");
}

/* Inf / NaN in x: the result's non-finite entries are PyTorch's (the
 * direct sum, not Winograd's Inf - Inf = NaN) and the finite ones match. */
Test(ops_conv_winograd, nonfinite_input_propagates_as_pytorch) {
    vec_file *f = vec_load("conv_winograd.txt");
    cr_assert_not_null(f);
    const vec_case *c = vec_find(f, "nonfinite");
    cr_assert_not_null(c);
    run_case(c);
    /* PyTorch's own float32 result has the same pattern */
    ct_tensor *x = load(c, "x", "x_shape"), *w = load(c, "w", "w_shape");
    ct_tensor *y = ct_conv2d(x, w, NULL, .padding = 1);
    cr_assert_not_null(y);
    const float *d = ct_data_ptr(y);
    int n = vec_len(c, "y32"), ninf = 0, nnan = 0;
    for (int i = 0; i < n; i++) {
        float r = bits_to_float(vec_hex(c, "y32", i));
        cr_expect_eq(isnan(d[i]) != 0, isnan(r) != 0, "y[%d] = %g, PyTorch %g", i, d[i], r);
        cr_expect_eq(isinf(d[i]) != 0, isinf(r) != 0, "y[%d] = %g, PyTorch %g", i, d[i], r);
        ninf += isinf(r) != 0, nnan += isnan(r) != 0;
    }
    cr_expect_gt(ninf, 0);
    cr_expect_gt(nnan, 0);
    ct_free(y), ct_free(x), ct_free(w);
    vec_free(f);
}

/* Error paths are the shared conv checks (tests/ops/test_conv.c); the ones
 * that matter here: a Winograd-sized call with a bad weight still fails
 * with PyTorch's message and a NULL input returns NULL quietly. */
Test(ops_conv_winograd, errors) {
    ct_opts f32 = {.dtype = CT_FLOAT32};
    ct_tensor *x = ct_zeros(4, (int64_t[]){1, 32, 8, 8}, &f32);
    ct_tensor *w = ct_zeros(4, (int64_t[]){32, 31, 3, 3}, &f32);
    cr_assert_null(ct_conv2d(x, w, NULL, .padding = 1));
    cr_assert_str_eq(ct_last_error(), "Given groups=1, weight of size [32, 31, 3, 3], expected input[1, 32, 8, 8] to "
                                      "have 31 channels, but got 32 channels instead");
    cr_assert_null(ct_conv2d(NULL, w, NULL, .padding = 1));
    cr_assert_str_eq(ct_last_error(), "Given groups=1, weight of size [32, 31, 3, 3], expected input[1, 32, 8, 8] to "
                                      "have 31 channels, but got 32 channels instead");
    ct_free(x), ct_free(w);
}
