/* torchvision transforms (tests/parity/data/data_transforms.txt from
 * gen_data_transforms.py) and IDX / MNIST reading from generated files. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("data_transforms.txt", false); }
static void teardown(void) { vec_free(V); }
TestSuite(transforms, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

static ct_tensor *input_img(void) { /* the (5, 7, 3) uint8 HWC image */
    uint8_t b[105];
    for (int i = 0; i < 105; i++) b[i] = (uint8_t)(i * 37 % 256);
    return ct_tensor_from(b, CT_UINT8, CT_SIZE(5, 7, 3));
}

static void expect(const vec_case *c, const ct_tensor *y) {
    cr_assert_not_null(y, "%s: %s", vec_name(c), ct_last_error());
    int nd = vec_len(c, "y_shape");
    cr_assert_eq(ct_dim(y), nd, "%s: dim", vec_name(c));
    for (int i = 0; i < nd; i++) cr_assert_eq(ct_size(y, i), vec_int(c, "y_shape", i), "%s: size %d", vec_name(c), i);
    int64_t n = ct_numel(y);
    float *buf = malloc((size_t)n * 4 + 4);
    cr_assert_eq(ct_copy_to_buffer(y, CT_FLOAT32, buf, (size_t)n * 4), CT_OK);
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &buf[i], 4);
        cr_assert_eq(bits, (uint32_t)vec_hex(c, "y", (int)i), "%s[%lld]: %a", vec_name(c), (long long)i, buf[i]);
    }
    free(buf);
}

static ct_tensor *chw(void) {
    ct_transform *tt = ct_transforms_to_tensor();
    ct_tensor *img = input_img();
    ct_tensor *x = ct_transform_apply(tt, img);
    ct_free(img);
    ct_transform_free(tt);
    return x;
}

Test(transforms, to_tensor_normalize) {
    ct_tensor *x = chw();
    expect(C("to_tensor_hwc"), x);
    ct_tensor *img = input_img();
    ct_tensor *hw = ct_select(img, 2, 0);
    ct_transform *tt = ct_transforms_to_tensor();
    ct_tensor *y = ct_transform_apply(tt, hw);
    expect(C("to_tensor_hw"), y);
    ct_free(y);
    ct_transform *nm = ct_transforms_normalize(3, (double[]){0.5, 0.25, 0.1}, (double[]){0.2, 0.3, 0.4}, false);
    ct_transform *both[2] = {tt, nm};
    ct_transform *comp = ct_transforms_compose(2, both);
    y = ct_transform_apply(comp, img);
    expect(C("normalize"), y);
    ct_free(y);
    cr_assert_null(ct_transform_apply(nm, img));
    cr_assert_str_eq(ct_last_error(), "Input tensor should be a float tensor. Got torch.uint8.");
    ct_transform *z = ct_transforms_normalize(1, (double[]){0}, (double[]){0}, false);
    cr_assert_null(ct_transform_apply(z, x));
    cr_assert_str_eq(ct_last_error(), "std evaluated to zero after conversion to torch.float32, leading to division by zero.");
    ct_transform_free(z);
    ct_transform_free(comp);
    ct_transform_free(nm);
    ct_transform_free(tt);
    ct_free(hw);
    ct_free(img);
    ct_free(x);
}

Test(transforms, hflip_center_random_crop) {
    ct_tensor *x = chw();
    char name[64];
    for (int s = 0; s < 4; s++) {
        snprintf(name, sizeof name, "hflip_%d", s);
        ct_manual_seed((uint64_t)s);
        ct_transform *f = ct_transforms_random_horizontal_flip(0.5, NULL);
        ct_tensor *y = ct_transform_apply(f, x);
        expect(C(name), y);
        tu_check_after(C(name));
        ct_free(y);
        ct_transform_free(f);
    }
    int hw[4][2] = {{3, 4}, {5, 7}, {8, 9}, {2, 2}};
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof name, "center_%d_%d", hw[k][0], hw[k][1]);
        ct_transform *f = ct_transforms_center_crop(hw[k][0], hw[k][1]);
        ct_tensor *y = ct_transform_apply(f, x);
        expect(C(name), y);
        ct_free(y);
        ct_transform_free(f);
    }
    for (int s = 0; s < 3; s++) {
        ct_transform *f[5] = {
            ct_transforms_random_crop(4, 5),
            ct_transforms_random_crop(4, 5, .npad = 1, .padding = {2}),
            ct_transforms_random_crop(4, 5, .npad = 2, .padding = {1, 2}, .fill = 0.5),
            ct_transforms_random_crop(4, 5, .npad = 4, .padding = {1, 2, 3, 0}, .padding_mode = CT_PAD_REFLECT),
            ct_transforms_random_crop(6, 9, .pad_if_needed = true, .padding_mode = CT_PAD_EDGE),
        };
        const char *names[5] = {"plain", "pad2", "pad_fill", "reflect", "edge_needed"};
        for (int k = 0; k < 5; k++) {
            snprintf(name, sizeof name, "crop_%s_%d", names[k], s);
            ct_manual_seed((uint64_t)s);
            ct_tensor *y = ct_transform_apply(f[k], x);
            expect(C(name), y);
            tu_check_after(C(name));
            ct_free(y);
            ct_transform_free(f[k]);
        }
    }
    ct_transform *big = ct_transforms_random_crop(40, 40);
    cr_assert_null(ct_transform_apply(big, x));
    cr_assert_str_eq(ct_last_error(), "Required crop size (40, 40) is larger than input image size (5, 7)");
    ct_transform_free(big);
    ct_free(x);
}

/* ---- IDX files written here: raw, gzip, malformed ---- */

static void write_idx(const char *path, bool gz, const uint8_t *hdr, size_t hlen, const uint8_t *data, size_t dlen) {
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, hdr, (unsigned)hlen);
        if (dlen) gzwrite(f, data, (unsigned)dlen);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(hdr, 1, hlen, f);
        if (dlen) fwrite(data, 1, dlen, f);
        fclose(f);
    }
}

Test(transforms, idx_and_mnist) {
    char dir[] = "/tmp/ctorch_idx_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char p[256];
    uint8_t img[3 * 28 * 28];
    for (size_t i = 0; i < sizeof img; i++) img[i] = (uint8_t)(i % 251);
    uint8_t ih[16] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28};
    uint8_t lh[8] = {0, 0, 8, 1, 0, 0, 0, 3};
    uint8_t lab[3] = {7, 0, 9};
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    write_idx(p, true, ih, 16, img, sizeof img);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte", dir);
    write_idx(p, false, lh, 8, lab, 3);
    ct_transform *tt = ct_transforms_to_tensor();
    ct_dataset *ds = ct_fashion_mnist(dir, .train = true, .transform = tt);
    cr_assert_not_null(ds, "%s", ct_last_error());
    ct_transform_free(tt);
    cr_assert_eq(ct_dataset_len(ds), 3);
    ct_sample s;
    cr_assert_eq(ct_dataset_get(ds, 2, &s), CT_OK);
    cr_assert_eq(ct_dim(s.t[0]), 3);
    cr_assert_eq(ct_size(s.t[0], 0), 1);
    cr_assert_eq(ct_dtype_of(s.t[0]), CT_FLOAT32);
    int64_t v;
    cr_assert_eq(ct_item_int64(s.t[1], &v), CT_OK);
    cr_assert_eq(v, 9);
    ct_sample_clear(&s);
    ct_tensor *d = ct_mnist_data(ds), *t = ct_mnist_targets(ds);
    cr_assert_eq(ct_dtype_of(d), CT_UINT8);
    cr_assert_eq(ct_dtype_of(t), CT_INT64);
    cr_assert_eq(((uint8_t *)ct_data_ptr(d))[800], 800 % 251);
    ct_free(d);
    ct_free(t);
    ct_dataset_free(ds);
    cr_assert_null(ct_mnist(dir, .train = false));
    /* malformed */
    uint8_t bad[8] = {1, 2, 8, 1, 0, 0, 0, 3};
    snprintf(p, sizeof p, "%s/bad", dir);
    write_idx(p, false, bad, 8, lab, 3);
    cr_assert_null(ct_read_idx(p));
    cr_assert(strstr(ct_last_error(), "not an IDX file (bad magic 0x01020801)"));
    write_idx(p, true, lh, 8, lab, 2);
    cr_assert_null(ct_read_idx(p));
    cr_assert(strstr(ct_last_error(), "truncated IDX file (expected 3 bytes of data, got 2)"));
    uint8_t huge[16] = {0, 0, 0x0E, 3, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 9};
    write_idx(p, false, huge, 16, NULL, 0);
    cr_assert_null(ct_read_idx(p));
    cr_assert(strstr(ct_last_error(), "IDX dimensions too large"));
    write_idx(p, false, huge, 6, NULL, 0);
    cr_assert_null(ct_read_idx(p));
    cr_assert(strstr(ct_last_error(), "truncated IDX file"));
    snprintf(p, sizeof p, "%s/none", dir);
    cr_assert_null(ct_read_idx(p));
    cr_assert(strstr(ct_last_error(), "cannot open: No such file or directory"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Optional: the real Fashion-MNIST when Debian's package is installed. */
Test(transforms, real_fashion_mnist_if_present) {
    FILE *f = fopen("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz", "rb");
    if (!f) cr_skip_test("dataset-fashion-mnist not installed");
    fclose(f);
    ct_dataset *ds = ct_fashion_mnist("/usr/share/datasets/fashion-mnist", .train = false);
    cr_assert_not_null(ds, "%s", ct_last_error());
    cr_assert_eq(ct_dataset_len(ds), 10000);
    ct_tensor *t = ct_mnist_targets(ds);
    int64_t first;
    ct_tensor *t0 = ct_select(t, 0, 0);
    cr_assert_eq(ct_item_int64(t0, &first), CT_OK);
    cr_assert_eq(first, 9); /* the test set starts with an ankle boot */
    ct_free(t0);
    ct_free(t);
    ct_dataset_free(ds);
}
