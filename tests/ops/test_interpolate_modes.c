/* F.interpolate's 'area' and 'nearest-exact' modes and antialias=True
 * (bilinear / bicubic), against tests/parity/data/interpolate_modes.txt
 * (gen_interpolate_modes.py, PyTorch 1.13.1): values, grad_fn names,
 * gradients, float64 gradcheck / gradgradcheck, PyTorch's error texts. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdlib.h>
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
