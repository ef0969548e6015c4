/* Views: NULL inputs keep the first error, failures leak nothing, detach /
 * contiguous identity, and the strided iterator's reordered and tiled paths
 * (PyTorch messages and geometry are checked in test_view_parity.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ctorch.h>

#define FIRST "first error"

/* Set a known message by provoking a real error. */
static void set_first_error(void) {
    ct_tensor *a = ct_zeros(CT_SIZE(2), NULL);
    ct_tensor *bad = ct_view(a, CT_SIZE(3));
    cr_assert_null(bad);
    ct_free(a);
    cr_assert_str_eq(ct_last_error(), "shape '[3]' is invalid for input of size 2");
}

#define EXPECT_NULL_KEEPS(expr)                                                                           \
    do {                                                                                                  \
        set_first_error();                                                                                \
        ct_tensor *r_ = (expr);                                                                           \
        cr_expect_null(r_, "%s did not fail", #expr);                                                     \
        cr_expect_str_eq(ct_last_error(), "shape '[3]' is invalid for input of size 2", "%s overwrote", #expr); \
        ct_free(r_);                                                                                      \
    } while (0)

Test(view_errors, null_inputs_keep_first_error) {
    int64_t mem0 = ct_memory_allocated();
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    EXPECT_NULL_KEEPS(ct_view(NULL, CT_SIZE(6)));
    EXPECT_NULL_KEEPS(ct_view_as(NULL, x));
    EXPECT_NULL_KEEPS(ct_view_as(x, NULL));
    EXPECT_NULL_KEEPS(ct_reshape(NULL, CT_SIZE(6)));
    EXPECT_NULL_KEEPS(ct_reshape_as(NULL, x));
    EXPECT_NULL_KEEPS(ct_reshape_as(x, NULL));
    EXPECT_NULL_KEEPS(ct_transpose(NULL, 0, 1));
    EXPECT_NULL_KEEPS(ct_permute(NULL, CT_SIZE(1, 0)));
    EXPECT_NULL_KEEPS(ct_t(NULL));
    EXPECT_NULL_KEEPS(ct_expand(NULL, CT_SIZE(2, 3)));
    EXPECT_NULL_KEEPS(ct_expand_as(NULL, x));
    EXPECT_NULL_KEEPS(ct_expand_as(x, NULL));
    EXPECT_NULL_KEEPS(ct_broadcast_to(NULL, CT_SIZE(2, 3)));
    EXPECT_NULL_KEEPS(ct_squeeze(NULL));
    EXPECT_NULL_KEEPS(ct_squeeze_dim(NULL, 0));
    EXPECT_NULL_KEEPS(ct_unsqueeze(NULL, 0));
    EXPECT_NULL_KEEPS(ct_flatten(NULL, 0, -1));
    EXPECT_NULL_KEEPS(ct_unflatten(NULL, 0, CT_SIZE(2, 1)));
    EXPECT_NULL_KEEPS(ct_narrow(NULL, 0, 0, 1));
    EXPECT_NULL_KEEPS(ct_select(NULL, 0, 0));
    EXPECT_NULL_KEEPS(ct_slice(NULL, 0, 0, CT_END, 1));
    EXPECT_NULL_KEEPS(ct_diagonal(NULL, 0, 0, 1));
    EXPECT_NULL_KEEPS(ct_unfold(NULL, 0, 1, 1));
    EXPECT_NULL_KEEPS(ct_as_strided(NULL, CT_SIZE(2), (const int64_t[]){1}, 0));
    EXPECT_NULL_KEEPS(ct_contiguous(NULL));
    EXPECT_NULL_KEEPS(ct_detach(NULL));
    set_first_error();
    cr_expect_eq(ct_copy_(NULL, x), CT_ERROR);
    cr_expect_eq(ct_copy_(x, NULL), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "shape '[3]' is invalid for input of size 2");
    /* nested: the innermost failure is the one reported */
    ct_clear_error();
    ct_tensor *r = ct_t(ct_view(ct_transpose(x, 0, 5), CT_SIZE(6)));
    cr_expect_null(r);
    cr_expect_str_eq(ct_last_error(), "Dimension out of range (expected to be in range of [-2, 1], but got 5)");
    ct_free(x);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(view_errors, bad_arguments_no_crash) {
    int64_t mem0 = ct_memory_allocated();
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    int64_t big[CT_MAX_DIMS + 1];
    for (int i = 0; i <= CT_MAX_DIMS; i++) big[i] = 1;
    cr_expect_null(ct_view(x, CT_MAX_DIMS + 1, big));
    cr_expect_null(ct_view(x, -1, big));
    cr_expect_null(ct_view(x, 2, NULL));
    cr_expect_null(ct_reshape(x, CT_MAX_DIMS + 1, big));
    cr_expect_null(ct_expand(x, CT_MAX_DIMS + 1, big));
    cr_expect_null(ct_permute(x, 2, NULL));
    cr_expect_null(ct_as_strided(x, 2, NULL, NULL, 0));
    cr_expect_null(ct_as_strided(x, CT_MAX_DIMS + 1, big, big, 0));
    cr_expect_null(ct_unflatten(x, 0, 1, NULL));
    cr_expect_str_eq(ct_last_error(), "unflatten: sizes must be non-empty");
    int64_t out[CT_MAX_DIMS];
    cr_expect_eq(ct_broadcast_shapes(2, NULL, 1, big, out), CT_ERROR);
    cr_expect_eq(ct_broadcast_shapes(1, big, 1, big, NULL), CT_ERROR);
    /* a 16-dim tensor cannot grow another dim */
    ct_tensor *m = ct_view(x, CT_MAX_DIMS, (const int64_t[]){2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
    cr_assert_not_null(m, "%s", ct_last_error());
    cr_expect_null(ct_unsqueeze(m, 0));
    cr_expect_null(ct_unfold(m, 0, 1, 1));
    cr_expect_null(ct_unflatten(m, 0, CT_SIZE(1, 2)));
    ct_free(m);
    /* as_strided beyond int64 */
    cr_expect_null(ct_as_strided(x, CT_SIZE(2, 2), (const int64_t[]){INT64_MAX / 2, 1}, 0));
    cr_expect_str_eq(ct_last_error(),
                     "Storage size calculation overflowed with sizes=[2, 2] and strides=[4611686018427387903, 1]");
    /* huge steps: no signed overflow (UBSan). unfold matches PyTorch (size 1);
     * PyTorch's slice overflows into size -1 and fails, ctorch gives the one
     * element (docs/views.md) */
    ct_tensor *sl = ct_slice(x, 1, 1, CT_END, INT64_MAX);
    cr_assert_not_null(sl);
    cr_expect_eq(ct_size(sl, 1), 1);
    cr_expect_eq(ct_storage_offset(sl), 1);
    ct_free(sl);
    ct_tensor *uf = ct_unfold(x, 1, 2, INT64_MAX);
    cr_assert_not_null(uf, "%s", ct_last_error());
    cr_expect_eq(ct_size(uf, 1), 1);
    ct_free(uf);
    /* an absurd storage offset is out of bounds, not an overflow crash */
    cr_expect_null(ct_as_strided(x, CT_SIZE(1), (const int64_t[]){1}, INT64_MAX / 2));
    cr_expect(ct_last_error() && !strncmp(ct_last_error(), "setStorage: sizes [1], strides [1], storage offset", 50));
    ct_free(x);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(view_errors, copy_failure_leaves_dst_untouched) {
    ct_tensor *dst = ct_zeros(CT_SIZE(2, 3), NULL);
    ct_tensor *src = ct_ones(CT_SIZE(4), NULL);
    int64_t v0 = ct_version(dst);
    cr_expect_eq(ct_copy_(dst, src), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton "
                                      "dimension 1");
    cr_expect_eq(ct_version(dst), v0);
    float buf[6];
    cr_assert_eq(ct_copy_to_buffer(dst, CT_FLOAT32, buf, sizeof buf), CT_OK);
    for (int i = 0; i < 6; i++) cr_expect_eq(buf[i], 0.0f);
    ct_free(src);
    ct_free(dst);
}

Test(view_errors, detach_shares_and_contiguous_identity) {
    ct_tensor *x = ct_arange(0, 6, 1, CT_OPTS(.dtype = CT_FLOAT32));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *d = ct_detach(x);
    cr_expect(d != x);
    cr_expect(ct_shares_storage(d, x));
    cr_expect_eq(ct_data_ptr(d), ct_data_ptr(x));
    cr_expect(!ct_requires_grad(d));
    cr_expect(ct_requires_grad(x));
    cr_assert_eq(ct_fill_(d, 7.0), CT_OK); /* writes through */
    double v;
    ct_tensor *e = ct_select(x, 0, 3);
    cr_assert_eq(ct_item(e, &v), CT_OK);
    cr_expect_eq(v, 7.0);
    cr_expect_eq(ct_version(x), ct_version(d));
    ct_tensor *c = ct_contiguous(x);
    cr_expect_eq(c, x); /* same handle, one more reference */
    ct_free(c);
    ct_tensor *x23 = ct_view(x, CT_SIZE(2, 3));
    ct_tensor *tt = ct_t(x23);
    ct_tensor *c2 = ct_contiguous(tt);
    cr_expect(c2 != tt && !ct_shares_storage(c2, tt) && ct_is_contiguous(c2));
    ct_free(c2);
    ct_free(tt);
    ct_free(x23);
    ct_free(e);
    ct_free(d);
    ct_free(x);
}

/* The iterator's reordered and tiled paths against the index arithmetic of
 * the permutation (no ctorch output is used as the expectation). */
static void check_permuted_copy(int ndim, const int64_t *sizes, const int64_t *perm, bool into_permuted_dst) {
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) numel *= sizes[i];
    ct_tensor *a = ct_arange(0, numel, 1, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *base = ct_view(a, ndim, sizes);
    ct_tensor *p = ct_permute(base, ndim, perm);
    cr_assert_not_null(p);
    ct_tensor *out;
    if (into_permuted_dst) {
        /* dst is a permuted view of a fresh tensor; copy p into it */
        ct_tensor *raw = ct_zeros(ndim, sizes, CT_OPTS(.dtype = CT_FLOAT64));
        ct_tensor *dst = ct_permute(raw, ndim, perm);
        cr_assert_eq(ct_copy_(dst, p), CT_OK, "%s", ct_last_error());
        out = ct_contiguous(dst);
        ct_free(dst);
        ct_free(raw);
    } else {
        out = ct_contiguous(p);
    }
    float *buf = malloc((size_t)numel * sizeof *buf);
    cr_assert_eq(ct_copy_to_buffer(out, CT_FLOAT32, buf, (size_t)numel * sizeof *buf), CT_OK);
    /* element at permuted index j has the base linear index of its source */
    int64_t idx[CT_MAX_DIMS] = {0}, bstride[CT_MAX_DIMS];
    for (int i = ndim - 1, s = 1; i >= 0; i--) bstride[i] = s, s *= (int)sizes[i];
    for (int64_t j = 0; j < numel; j++) {
        int64_t src = 0;
        for (int i = 0; i < ndim; i++) src += idx[i] * bstride[perm[i]];
        if (buf[j] != (float)src) {
            cr_expect_fail("element %lld is %g, want %lld", (long long)j, buf[j], (long long)src);
            break;
        }
        for (int i = ndim - 1; i >= 0; i--) {
            if (++idx[i] < sizes[perm[i]]) break;
            idx[i] = 0;
        }
    }
    free(buf);
    ct_free(out);
    ct_free(p);
    ct_free(base);
    ct_free(a);
}

Test(view_errors, iterator_transposes) {
    int64_t mem0 = ct_memory_allocated();
    check_permuted_copy(2, (const int64_t[]){203, 517}, (const int64_t[]){1, 0}, false);
    check_permuted_copy(2, (const int64_t[]){203, 517}, (const int64_t[]){1, 0}, true);
    check_permuted_copy(3, (const int64_t[]){3, 70, 45}, (const int64_t[]){0, 2, 1}, false);
    check_permuted_copy(3, (const int64_t[]){3, 70, 45}, (const int64_t[]){2, 0, 1}, true);
    check_permuted_copy(4, (const int64_t[]){5, 33, 2, 40}, (const int64_t[]){3, 1, 0, 2}, false);
    check_permuted_copy(4, (const int64_t[]){5, 33, 2, 40}, (const int64_t[]){3, 1, 0, 2}, true);
    check_permuted_copy(2, (const int64_t[]){1, 100}, (const int64_t[]){1, 0}, false);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Performance sanity: contiguous() of a transposed 2000x2000 float tensor.
 * The bound is loose (sanitizer and debug builds, busy machines); the
 * Release figure is a few ms (docs/views.md). */
Test(view_errors, transpose_contiguous_speed) {
    ct_tensor *a = ct_arange(0, 4000000, 1, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *v = ct_view(a, CT_SIZE(2000, 2000));
    ct_tensor *t = ct_t(v);
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        double t0 = seconds();
        ct_tensor *c = ct_contiguous(t);
        double dt = seconds() - t0;
        best = dt < best ? dt : best;
        cr_assert_not_null(c);
        float x;
        ct_tensor *row = ct_select(c, 0, 1234);
        ct_tensor *el = ct_select(row, 0, 567);
        cr_assert_eq(ct_copy_to_buffer(el, CT_FLOAT32, &x, sizeof x), CT_OK);
        cr_expect_eq(x, 567.0f * 2000 + 1234);
        ct_free(el);
        ct_free(row);
        ct_free(c);
    }
    cr_expect_lt(best, 1.0, "contiguous of a transposed 2000x2000 took %.1f ms", best * 1e3);
    cr_log_info("contiguous(t) 2000x2000 float32: %.2f ms", best * 1e3);
    ct_free(t);
    ct_free(v);
    ct_free(a);
}
