/* Functional ops of the misc nn family (embedding, embedding_bag, one_hot,
 * pixel/channel shuffles, interpolate, grid_sample, affine_grid, bilinear)
 * against tests/parity/data/misc*.txt (gen_misc*.py, PyTorch 1.13.1). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

static const int64_t *opt_i64(double v, int64_t *slot) {
    if (isnan(v)) return NULL;
    *slot = (int64_t)v;
    return slot;
}
static const double *opt_f64(double v, double *slot) {
    if (isnan(v)) return NULL;
    *slot = v;
    return slot;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    int64_t pad;
    double mn;
    if (!strcmp(op, "embedding") || !strcmp(op, "embedding_nogc"))
        return ct_embedding(in[0], in[1], .padding_idx = opt_i64(a[0], &pad), .max_norm = opt_f64(a[1], &mn),
                            .norm_type = a[2], .scale_grad_by_freq = a[3] != 0);
    if (!strcmp(op, "embedding_bag") || !strcmp(op, "embedding_bag_nogc")) {
        bool has_off = vec_int(c->vc, "has_offsets", 0), has_psw = vec_int(c->vc, "has_psw", 0);
        int k = 2;
        const ct_tensor *off = has_off ? in[k++] : NULL;
        const ct_tensor *psw = has_psw ? in[k++] : NULL;
        static const ct_embedding_bag_mode modes[] = {CT_EMBEDDING_BAG_MEAN, CT_EMBEDDING_BAG_SUM,
                                                      CT_EMBEDDING_BAG_MAX};
        return ct_embedding_bag(in[0], in[1], .offsets = off, .per_sample_weights = psw, .mode = modes[(int)a[0]],
                                .padding_idx = opt_i64(a[1], &pad), .include_last_offset = a[2] != 0,
                                .scale_grad_by_freq = a[3] != 0, .max_norm = opt_f64(a[4], &mn));
    }
    if (!strcmp(op, "one_hot")) return ct_one_hot(in[0], (int64_t)a[0]);
    if (!strcmp(op, "pixel_shuffle")) return ct_pixel_shuffle(in[0], (int64_t)a[0]);
    if (!strcmp(op, "pixel_unshuffle")) return ct_pixel_unshuffle(in[0], (int64_t)a[0]);
    if (!strcmp(op, "channel_shuffle")) return ct_channel_shuffle(in[0], (int64_t)a[0]);
    if (!strcmp(op, "interpolate")) {
        ct_interpolate_options o = {.mode = (ct_interp_mode)(int)a[0], .align_corners = a[1] != 0,
                                    .recompute_scale_factor = a[2] != 0};
        for (int i = 0; i < 3; i++) o.scale_factor[i] = a[3 + i];
        for (int i = 0; i < c->ndims && i < 3; i++) o.size[i] = c->dims[i];
        return ct_interpolate_opts(in[0], &o);
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

static const char *const once[] = {NULL};
static const char *const nogc[] = {"embedding_nogc", "embedding_bag_nogc", NULL};

Test(misc_ops, parity_embedding_shuffle) {
    op_harness_opts o = {.once_differentiable = once, .no_gradcheck = nogc};
    cr_assert_gt(op_harness_run("misc.txt", run_op, &o), 100);
}

Test(misc_ops, parity_interpolate) {
    cr_assert_gt(op_harness_run("misc_resample.txt", run_op, NULL), 100);
}

Test(misc_ops, null_inputs_keep_error) {
    ct_tensor *w = ct_zeros(CT_SIZE(3, 2), NULL);
    ct_tensor *i5 = ct_tensor_from((int64_t[]){5}, CT_INT64, CT_SIZE(1));
    ct_tensor *bad = ct_embedding(i5, w);
    cr_assert_null(bad);
    cr_assert_str_eq(ct_last_error(), "index out of range in self");
    cr_assert_null(ct_embedding(NULL, w));
    cr_assert_null(ct_embedding_bag(NULL, w));
    cr_assert_null(ct_one_hot(NULL, 3));
    cr_assert_null(ct_pixel_shuffle(NULL, 2));
    cr_assert_null(ct_pixel_unshuffle(NULL, 2));
    cr_assert_null(ct_channel_shuffle(NULL, 2));
    cr_assert_null(ct_interpolate(NULL, .scale_factor = {2}));
    cr_assert_str_eq(ct_last_error(), "index out of range in self");
    ct_free(w);
    ct_free(i5);
}
