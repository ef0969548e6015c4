/* F.interpolate's 'area' and 'nearest-exact' modes and antialias=True
 * (bilinear / bicubic), against tests/parity/data/interpolate_modes.txt
 * (gen_interpolate_modes.py, PyTorch 1.13.1): values, grad_fn names,
 * gradients, float64 gradcheck / gradgradcheck, PyTorch's error texts. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    cr_assert_str_eq(c->op, "interpolate");
    const double *a = c->args;
    ct_interpolate_options o = {.mode = (ct_interp_mode)(int)a[0], .align_corners = a[1] != 0,
                                .recompute_scale_factor = a[2] != 0, .antialias = a[6] != 0};
    for (int i = 0; i < 3; i++) o.scale_factor[i] = a[3 + i];
    for (int i = 0; i < c->ndims && i < 3; i++) o.size[i] = c->dims[i];
    return ct_interpolate_opts(in[0], &o);
}

Test(interpolate_modes, parity) {
    cr_assert_gt(op_harness_run("interpolate_modes.txt", run_op, NULL), 200);
}

Test(interpolate_modes, null_input_keeps_error) {
    ct_tensor *x = ct_zeros(CT_SIZE(1, 1, 4, 4), NULL);
    cr_assert_null(ct_interpolate(x, .size = {2}, .mode = CT_INTERP_AREA, .align_corners = true));
    const char *want = "align_corners option can only be set with the interpolating modes: linear | bilinear | "
                       "bicubic | trilinear";
    cr_assert_str_eq(ct_last_error(), want);
    cr_assert_null(ct_interpolate(NULL, .size = {2}, .mode = CT_INTERP_NEAREST_EXACT));
    cr_assert_null(ct_interpolate(NULL, .size = {2}, .mode = CT_INTERP_BILINEAR, .antialias = true));
    cr_assert_str_eq(ct_last_error(), want);
    cr_assert_null(ct_interpolate(x, .size = {2}, .mode = (ct_interp_mode)99));
    cr_assert_str_eq(ct_last_error(), "interpolate: unknown mode 99");
    ct_free(x);
}

Test(interpolate_modes, upsample_module_repr_and_forward) {
    ct_module *m = ct_nn_upsample(.scale_factor = {0.5}, .mode = CT_INTERP_AREA);
    char *r = ct_module_to_string(m);
    cr_assert_str_eq(r, "Upsample(scale_factor=0.5, mode=area)");
    free(r);
    ct_tensor *x = ct_arange(0, 16, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *x4 = ct_reshape(x, CT_SIZE(1, 1, 4, 4));
    ct_tensor *y = ct_forward(m, x4);
    cr_assert_not_null(y);
    /* mean of each 2x2 block of 0..15 */
    const double want[] = {2.5, 4.5, 10.5, 12.5};
    for (int i = 0; i < 4; i++) cr_assert_eq(((double *)ct_data_ptr(y))[i], want[i]);
    ct_module *e = ct_nn_upsample(.size = {3, 5}, .mode = CT_INTERP_NEAREST_EXACT);
    r = ct_module_to_string(e);
    cr_assert_str_eq(r, "Upsample(size=(3, 5), mode=nearest-exact)");
    free(r);
    ct_free(y), ct_free(x4), ct_free(x);
    ct_module_free(m), ct_module_free(e);
}

/* nearest-exact float32 (a gather and its scatter-add) is bit-identical
 * to PyTorch's, values and gradients (antialias float32 agrees to the
 * harness tolerance only: see docs/nn-misc.md). */
static void expect_same_bits(const vec_case *c, const char *what, const ct_tensor *got, const ct_tensor *want) {
    oh_expect_close(c, what, got, want);
    ct_tensor *g = ct_contiguous(got), *w = ct_contiguous(want);
    const float *a = ct_data_ptr(g), *b = ct_data_ptr(w);
    for (int64_t i = 0; i < ct_numel(w); i++)
        cr_assert(a[i] == b[i] && signbit(a[i]) == signbit(b[i]), "case %s: %s[%lld] = %a, PyTorch %a", vec_name(c),
                  what, (long long)i, (double)a[i], (double)b[i]);
    ct_free(g), ct_free(w);
}

Test(interpolate_modes, nearest_exact_float32_bit_exact) {
    vec_file *f = vec_load("interpolate_modes.txt");
    cr_assert_not_null(f);
    int checked = 0;
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        if (vec_has(c, "error") || strcmp(vec_tok(c, "in0_dtype", 0), "float32")) continue;
        op_call call = {.op = "interpolate"};
        call.nargs = vec_len(c, "args");
        for (int k = 0; k < call.nargs; k++) call.args[k] = vec_double(c, "args", k);
        if (call.args[0] != CT_INTERP_NEAREST_EXACT) continue;
        call.ndims = vec_ints(c, "dims", call.dims, CT_MAX_DIMS);
        ct_tensor *x = oh_load_tensor(c, "in0");
        cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
        ct_tensor *y = run_op(&call, (ct_tensor *[]){x});
        ct_tensor *want = oh_load_tensor(c, "out");
        expect_same_bits(c, "out", y, want);
        ct_tensor *w = oh_load_tensor(c, "w");
        cr_assert_eq(ct_backward(y, w, NULL), CT_OK);
        ct_tensor *g = ct_grad(x), *gw = oh_load_tensor(c, "grad0");
        expect_same_bits(c, "grad", g, gw);
        ct_free(g), ct_free(gw), ct_free(w), ct_free(want), ct_free(y), ct_free(x);
        checked++;
    }
    cr_assert_gt(checked, 25);
    vec_free(f);
}
