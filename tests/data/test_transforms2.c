/* torchvision 0.14 RandomRotation, Resize and RandomCrop(padding_mode=
 * "symmetric") on tensors against tests/parity/data/data_transforms2.txt
 * (gen_data_transforms2.py): same inputs, same seeds, same draws. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("data_transforms2.txt", false); }
static void teardown(void) { vec_free(V); }
TestSuite(transforms2, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

static ct_dtype dtype_of_key(const vec_case *c, const char *key) {
    char k[64];
    snprintf(k, sizeof k, "%s_dtype", key);
    const char *d = vec_tok(c, k, 0);
    return strcmp(d, "f32") == 0 ? CT_FLOAT32 : strcmp(d, "f64") == 0 ? CT_FLOAT64 : CT_UINT8;
}

/* The tensor stored under key (with key_dtype, key_shape). */
static ct_tensor *load(const vec_case *c, const char *key) {
    char k[64];
    snprintf(k, sizeof k, "%s_shape", key);
    int64_t shape[8];
    int nd = vec_ints(c, k, shape, 8);
    ct_dtype dt = dtype_of_key(c, key);
    int n = vec_len(c, key);
    void *buf = malloc((size_t)n * 8 + 8);
    for (int i = 0; i < n; i++) {
        if (dt == CT_FLOAT32) {
            uint32_t b = (uint32_t)vec_hex(c, key, i);
            memcpy((float *)buf + i, &b, 4);
        } else if (dt == CT_FLOAT64) {
            uint64_t b = vec_hex(c, key, i);
            memcpy((double *)buf + i, &b, 8);
        } else {
            ((uint8_t *)buf)[i] = (uint8_t)vec_int(c, key, i);
        }
    }
    ct_tensor *t = ct_tensor_from(buf, dt, nd, shape);
    free(buf);
    return t;
}

static ct_tensor *input(int k) {
    char name[32];
    snprintf(name, sizeof name, "input_%d", k);
    return load(C(name), "x");
}

/* y against the case's y: dtype and shape exactly; values within tol
 * (floats: |a - b| <= tol; uint8: |a - b| <= utol). */
static void expect(const vec_case *c, const ct_tensor *y, double tol, int utol) {
    cr_assert_not_null(y, "%s: %s", vec_name(c), ct_last_error());
    ct_tensor *e = load(c, "y");
    cr_assert_eq(ct_dtype_of(y), ct_dtype_of(e), "%s: dtype", vec_name(c));
    cr_assert_eq(ct_dim(y), ct_dim(e), "%s: dim", vec_name(c));
    for (int i = 0; i < ct_dim(e); i++)
        cr_assert_eq(ct_size(y, i), ct_size(e, i), "%s: size %d: %lld vs %lld", vec_name(c), i,
                     (long long)ct_size(y, i), (long long)ct_size(e, i));
    int64_t n = ct_numel(e);
    double *a = malloc((size_t)n * 8 + 8), *b = malloc((size_t)n * 8 + 8);
    cr_assert_eq(ct_copy_to_buffer(y, CT_FLOAT64, a, (size_t)n * 8), CT_OK);
    cr_assert_eq(ct_copy_to_buffer(e, CT_FLOAT64, b, (size_t)n * 8), CT_OK);
    bool u8 = ct_dtype_of(e) == CT_UINT8;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (tol == 0 && !u8) cr_assert(memcmp(&a[i], &b[i], 8) == 0, "%s[%lld]: %.9g vs %.9g", vec_name(c), (long long)i, a[i], b[i]);
        else cr_assert(d <= (u8 ? utol : tol), "%s[%lld]: %.9g vs %.9g", vec_name(c), (long long)i, a[i], b[i]);
    }
    free(a);
    free(b);
    ct_free(e);
}

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* ---- RandomRotation ---- */

static ct_transform *rotation_from(const vec_case *c) {
    ct_random_rotation_options o = {0};
    o.interpolation = vec_int(c, "interp", 0) ? CT_INTERPOLATION_BILINEAR : CT_INTERPOLATION_DEFAULT;
    o.expand = vec_int(c, "expand", 0) != 0;
    if (vec_has(c, "center")) {
        o.has_center = true;
        o.center[0] = vec_double(c, "center", 0);
        o.center[1] = vec_double(c, "center", 1);
    }
    if (vec_has(c, "fill")) {
        o.nfill = vec_len(c, "fill");
        for (int i = 0; i < o.nfill; i++) o.fill[i] = vec_double(c, "fill", i);
    }
    int ndeg = vec_len(c, "deg");
    double deg[2] = {vec_double(c, "deg", 0), ndeg > 1 ? vec_double(c, "deg", 1) : 0};
    ct_transform *tf = ct_transforms_random_rotation_opts(ndeg, deg, &o);
    cr_assert_not_null(tf, "%s: %s", vec_name(c), ct_last_error());
    return tf;
}

Test(transforms2, random_rotation) {
    int count = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!starts(vec_name(c), "rot_") || starts(vec_name(c), "rot_err")) continue;
        ct_tensor *x = input((int)vec_int(c, "inp", 0));
        ct_transform *tf = rotation_from(c);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *y = ct_transform_apply(tf, x);
        bool nearest = vec_int(c, "interp", 0) == 0;
        expect(c, y, nearest ? 0 : 1e-6, nearest ? 0 : 1);
        tu_check_after(c);
        ct_free(y);
        ct_free(x);
        ct_transform_free(tf);
        count++;
    }
    cr_assert_eq(count, 54);
}

Test(transforms2, rotation_expand_sizes) {
    const vec_case *c = C("expand_sizes");
    int n = (int)vec_int(c, "n", 0);
    for (int k = 0; k < n; k++) {
        int64_t w = vec_int(c, "v", 5 * k), h = vec_int(c, "v", 5 * k + 1);
        double a = vec_double(c, "v", 5 * k + 2);
        ct_tensor *x = ct_zeros(CT_SIZE(1, h, w), NULL);
        ct_transform *tf = ct_transforms_random_rotation_range(a, a, .expand = true);
        ct_tensor *y = ct_transform_apply(tf, x);
        cr_assert_not_null(y, "%s", ct_last_error());
        cr_assert_eq(ct_size(y, 2), vec_int(c, "v", 5 * k + 3), "%lldx%lld at %g: width", (long long)h, (long long)w, a);
        cr_assert_eq(ct_size(y, 1), vec_int(c, "v", 5 * k + 4), "%lldx%lld at %g: height", (long long)h, (long long)w, a);
        ct_free(y);
        ct_free(x);
        ct_transform_free(tf);
    }
}

Test(transforms2, rotation_errors) {
    cr_assert_null(ct_transforms_random_rotation(-3));
    cr_assert_str_eq(ct_last_error(), vec_str(C("rot_err_neg"), "msg"));
    cr_assert_null(ct_transforms_random_rotation_opts(3, (double[]){1, 2, 3}, NULL));
    cr_assert_str_eq(ct_last_error(), vec_str(C("rot_err_len"), "msg"));
    ct_transform *tf = ct_transforms_random_rotation(10, .nfill = 2, .fill = {1, 2});
    cr_assert_not_null(tf);
    ct_tensor *x = input(0);
    cr_assert_null(ct_transform_apply(tf, x));
    cr_assert_str_eq(ct_last_error(), vec_str(C("rot_err_fill"), "msg"));
    ct_transform_free(tf);
    cr_assert_null(ct_transforms_random_rotation(10, .interpolation = CT_INTERPOLATION_BICUBIC));
    cr_assert_str_eq(ct_last_error(), "Interpolation mode 'bicubic' is unsupported with Tensor input");
    /* a (H, W) image fails as torchvision's does (img.shape[3]) */
    tf = ct_transforms_random_rotation(10);
    ct_tensor *hw = ct_zeros(CT_SIZE(4, 5), NULL);
    cr_assert_null(ct_transform_apply(tf, hw));
    cr_assert_str_eq(ct_last_error(), "tuple index out of range");
    ct_clear_error();
    cr_assert_null(ct_transform_apply(tf, NULL));
    cr_assert_null(ct_transform_apply(NULL, x));
    ct_transform_free(tf);
    ct_free(hw);
    ct_free(x);
}

/* ---- Resize ---- */

Test(transforms2, resize) {
    int count = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!starts(vec_name(c), "resize_") || starts(vec_name(c), "resize_err")) continue;
        ct_tensor *x = input((int)vec_int(c, "inp", 0));
        int interp = (int)vec_int(c, "interp", 0);
        ct_resize_options o = {
            .interpolation = interp == 0   ? CT_INTERPOLATION_NEAREST
                             : interp == 1 ? CT_INTERPOLATION_BILINEAR
                                           : CT_INTERPOLATION_BICUBIC,
            .max_size = vec_int(c, "max_size", 0),
            .antialias = vec_int(c, "aa", 0) != 0,
        };
        int64_t h = vec_int(c, "size", 0), w = vec_len(c, "size") > 1 ? vec_int(c, "size", 1) : 0;
        ct_transform *tf = ct_transforms_resize_opts(h, w, &o);
        cr_assert_not_null(tf, "%s: %s", vec_name(c), ct_last_error());
        ct_tensor *y = ct_transform_apply(tf, x);
        expect(c, y, interp == 0 ? 0 : 2e-6, interp == 0 ? 0 : 1);
        ct_free(y);
        ct_free(x);
        ct_transform_free(tf);
        count++;
    }
    cr_assert_eq(count, 106);
}

Test(transforms2, resize_errors) {
    cr_assert_null(ct_transforms_resize(7, 0, .max_size = 7));
    cr_assert_str_eq(ct_last_error(), vec_str(C("resize_err_max"), "msg"));
    cr_assert_null(ct_transforms_resize(7, 8, .max_size = 9));
    cr_assert_str_eq(ct_last_error(), vec_str(C("resize_err_max_seq"), "msg"));
    cr_assert_null(ct_transforms_resize(7, 0, .interpolation = CT_INTERPOLATION_NEAREST, .antialias = true));
    cr_assert_str_eq(ct_last_error(), vec_str(C("resize_err_aa"), "msg"));
    ct_transform *tf = ct_transforms_resize(7, 0);
    ct_tensor *v = ct_zeros(CT_SIZE(5), NULL);
    cr_assert_null(ct_transform_apply(tf, v));
    cr_assert_str_eq(ct_last_error(), "Tensor is not a torch image.");
    /* already the right size: the same values back */
    ct_tensor *x = input(0);
    ct_transform *same = ct_transforms_resize(11, 13);
    ct_tensor *y = ct_transform_apply(same, x);
    cr_assert_not_null(y);
    cr_assert(ct_shares_storage(x, y));
    ct_free(y);
    ct_transform_free(same);
    ct_free(x);
    ct_free(v);
    ct_transform_free(tf);
}

/* ---- RandomCrop, symmetric padding ---- */

Test(transforms2, random_crop_symmetric) {
    int count = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!starts(vec_name(c), "crop_")) continue;
        ct_tensor *x = input((int)vec_int(c, "inp", 0));
        ct_random_crop_options o = {.padding_mode = CT_PAD_SYMMETRIC,
                                    .pad_if_needed = vec_int(c, "pad_if_needed", 0) != 0};
        o.npad = vec_len(c, "padding");
        for (int k = 0; k < o.npad; k++) o.padding[k] = vec_int(c, "padding", k);
        ct_transform *tf = ct_transforms_random_crop_opts(vec_int(c, "size", 0), vec_int(c, "size", 1), &o);
        cr_assert_not_null(tf);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *y = ct_transform_apply(tf, x);
        expect(c, y, 0, 0);
        tu_check_after(c);
        ct_free(y);
        ct_free(x);
        ct_transform_free(tf);
        count++;
    }
    cr_assert_eq(count, 45);
    /* 2-D images: torchvision's _pad_symmetric refuses them */
    ct_transform *tf = ct_transforms_random_crop(2, 2, .npad = 1, .padding = {1}, .padding_mode = CT_PAD_SYMMETRIC);
    ct_tensor *hw = ct_zeros(CT_SIZE(4, 5), NULL);
    cr_assert_null(ct_transform_apply(tf, hw));
    cr_assert_str_eq(ct_last_error(), "Symmetric padding of N-D tensors are not supported yet");
    ct_free(hw);
    ct_transform_free(tf);
}

/* Degenerate and strided inputs: errors or PyTorch's results, never a crash. */
Test(transforms2, edge_cases) {
    ct_transform *aa = ct_transforms_resize(3, 4, .antialias = true);
    ct_tensor *empty = ct_zeros(CT_SIZE(2, 0, 5), NULL);
    cr_assert_null(ct_transform_apply(aa, empty));
    cr_assert_str_eq(ct_last_error(), "Input and output sizes should be greater than 0, but got input (H: 0, W: 5) "
                                      "output (H: 3, W: 4)");
    ct_transform *rot = ct_transforms_random_rotation(30, .expand = true);
    ct_tensor *r = ct_transform_apply(rot, empty);
    if (r) cr_assert_eq(ct_numel(r), 0);
    ct_free(r);
    /* a transposed (non-contiguous) view gives the values of its copy */
    ct_tensor *x = input(0);
    ct_tensor *t = ct_transpose(x, 1, 2), *tc = ct_contiguous(t);
    ct_transform *tfs[3] = {aa, rot, ct_transforms_resize(5, 0, .interpolation = CT_INTERPOLATION_BICUBIC)};
    for (int k = 0; k < 3; k++) {
        ct_manual_seed(5);
        ct_tensor *a = ct_transform_apply(tfs[k], t);
        ct_manual_seed(5);
        ct_tensor *b = ct_transform_apply(tfs[k], tc);
        cr_assert_not_null(a, "%s", ct_last_error());
        cr_assert_not_null(b);
        ct_tensor *eq = ct_eq(a, b);
        bool all;
        ct_tensor *al = ct_all(eq);
        cr_assert_eq(ct_item_bool(al, &all), CT_OK);
        cr_assert(all, "transform %d", k);
        ct_free(al);
        ct_free(eq);
        ct_free(a);
        ct_free(b);
    }
    ct_transform_free(tfs[2]);
    ct_free(tc);
    ct_free(t);
    ct_free(x);
    ct_free(empty);
    ct_transform_free(rot);
    ct_transform_free(aa);
}
