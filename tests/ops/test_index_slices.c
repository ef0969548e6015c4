/* index_select / index_add / embedding's backward by whole slices
 * (src/kernels/cpu/index_slices.c) against the general element kernel
 * (index.c) that non-contiguous operands of the same values still take:
 * bitwise equal, at 1 and 2 threads, at sizes where the slices are split
 * over threads (by rows, by outer slice, by columns). PyTorch's values for
 * these paths are checked by the index parity cases (gen_index.py); this
 * checks the thread splits and the layouts. Also ct_fill_'s runs (memset
 * for zero bytes, stores of the element width, strided). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

/* a contiguous tensor and a non-contiguous one of the same values */
static void both_layouts(ct_tensor *c, ct_tensor **nc) {
    ct_tensor *t = ct_transpose(c, 0, ct_dim(c) - 1), *tc = ct_contiguous(t); /* values transposed, contiguous */
    *nc = ct_transpose(tc, 0, ct_dim(c) - 1);                                  /* c's values, strided */
    cr_assert(*nc && !ct_is_contiguous(*nc));
    ct_free(t);
    ct_free(tc);
}

static void assert_same(const ct_tensor *a, const ct_tensor *b, const char *what) {
    cr_assert(a && b, "%s: %s", what, ct_last_error());
    cr_assert_eq(ct_numel(a), ct_numel(b), "%s", what);
    ct_tensor *ac = ct_contiguous(a), *bc = ct_contiguous(b);
    size_t bytes = (size_t)ct_numel(a) * ct_element_size(a);
    cr_assert_eq(memcmp(ct_data_ptr(ac), ct_data_ptr(bc), bytes), 0, "%s differ", what);
    ct_free(ac);
    ct_free(bc);
}

Test(index_slices, index_add_matches_general_kernel) {
    for (int threads = 1; threads <= 2; threads++) {
        cr_assert_eq(ct_set_num_threads(threads), CT_OK);
        ct_manual_seed(7);
        /* dim 0 of a 2-D self: one outer slice, split by columns */
        ct_tensor *self = ct_randn(CT_SIZE(300, 96), NULL), *src = ct_randn(CT_SIZE(5000, 96), NULL);
        ct_tensor *idx = ct_randint(0, 300, CT_SIZE(5000), NULL), *src_nc;
        both_layouts(src, &src_nc);
        ct_tensor *fast = ct_index_add(self, 0, idx, src, 1.0), *gen = ct_index_add(self, 0, idx, src_nc, 1.0);
        assert_same(fast, gen, "index_add dim 0");
        ct_tensor *fast2 = ct_index_add(self, 0, idx, src, -0.75), *gen2 = ct_index_add(self, 0, idx, src_nc, -0.75);
        assert_same(fast2, gen2, "index_add dim 0 alpha");
        ct_free(fast), ct_free(gen), ct_free(fast2), ct_free(gen2);
        ct_free(self), ct_free(src), ct_free(src_nc), ct_free(idx);
        /* dim 1 of a 3-D float64 self: split by outer slice */
        self = ct_randn(CT_SIZE(4, 300, 40), CT_OPTS(.dtype = CT_FLOAT64));
        src = ct_randn(CT_SIZE(4, 2000, 40), CT_OPTS(.dtype = CT_FLOAT64));
        idx = ct_randint(0, 300, CT_SIZE(2000), NULL);
        both_layouts(src, &src_nc);
        fast = ct_index_add(self, 1, idx, src, 1.0), gen = ct_index_add(self, 1, idx, src_nc, 1.0);
        assert_same(fast, gen, "index_add dim 1");
        ct_free(fast), ct_free(gen);
        ct_free(self), ct_free(src), ct_free(src_nc), ct_free(idx);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
}

Test(index_slices, index_select_matches_general_kernel) {
    for (int threads = 1; threads <= 2; threads++) {
        cr_assert_eq(ct_set_num_threads(threads), CT_OK);
        ct_manual_seed(8);
        ct_tensor *x = ct_randn(CT_SIZE(500, 70, 3), NULL), *x_nc;
        both_layouts(x, &x_nc);
        ct_tensor *i0 = ct_randint(0, 500, CT_SIZE(4000), NULL), *i1 = ct_randint(0, 70, CT_SIZE(90), NULL);
        ct_tensor *i1_32 = ct_to_dtype(i1, CT_INT32);
        ct_tensor *a = ct_index_select(x, 0, i0), *b = ct_index_select(x_nc, 0, i0);
        assert_same(a, b, "index_select dim 0");
        ct_free(a), ct_free(b);
        a = ct_index_select(x, 1, i1_32), b = ct_index_select(x_nc, 1, i1);
        assert_same(a, b, "index_select dim 1");
        ct_free(a), ct_free(b);
        ct_free(x), ct_free(x_nc), ct_free(i0), ct_free(i1), ct_free(i1_32);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
}

Test(index_slices, out_of_range_indices) {
    ct_tensor *x = ct_zeros(CT_SIZE(4, 5, 3), NULL), *x_nc;
    both_layouts(x, &x_nc);
    int64_t iv[3] = {0, 7, 1};
    ct_tensor *idx = ct_tensor_from(iv, CT_INT64, CT_SIZE(3));
    /* PyTorch words dim 1 of a >= 2-D tensor as caffe2 did, whatever the layout */
    cr_assert_null(ct_index_select(x, 1, idx));
    cr_assert_str_eq(ct_last_error(), "INDICES element is out of DATA bounds, id=7 axis_dim=5");
    cr_assert_null(ct_index_select(x_nc, 1, idx));
    cr_assert_str_eq(ct_last_error(), "INDICES element is out of DATA bounds, id=7 axis_dim=5");
    cr_assert_null(ct_index_select(x, 0, idx));
    cr_assert_str_eq(ct_last_error(), "index out of range in self");
    ct_tensor *src = ct_ones(CT_SIZE(3, 5, 3), NULL);
    cr_assert_null(ct_index_add(x, 0, idx, src, 1.0));
    cr_assert_str_eq(ct_last_error(), "index out of range in self");
    ct_free(x), ct_free(x_nc), ct_free(idx), ct_free(src);
}

Test(index_slices, embedding_backward_matches_index_add) {
    for (int threads = 1; threads <= 2; threads++) {
        cr_assert_eq(ct_set_num_threads(threads), CT_OK);
        ct_manual_seed(9);
        ct_tensor *w = ct_randn(CT_SIZE(1000, 64), CT_OPTS(.requires_grad = true));
        ct_tensor *tok = ct_randint(0, 1000, CT_SIZE(64, 80), NULL), *g = ct_randn(CT_SIZE(64, 80, 64), NULL);
        ct_tensor *y = ct_embedding(tok, w);
        cr_assert_not_null(y, "%s", ct_last_error());
        cr_assert_eq(ct_backward(y, g, NULL), CT_OK);
        ct_tensor *gw = ct_grad(w);
        /* zeros(1000, 64).index_add(0, tok.view(-1), g.view(-1, 64)) by the element kernel */
        ct_tensor *z = ct_zeros(CT_SIZE(1000, 64), NULL), *flat = ct_reshape(tok, CT_SIZE(-1));
        ct_tensor *g2 = ct_reshape(g, CT_SIZE(-1, 64)), *g2_nc;
        both_layouts(g2, &g2_nc);
        ct_tensor *want = ct_index_add(z, 0, flat, g2_nc, 1.0);
        assert_same(gw, want, "embedding backward");
        ct_free(w), ct_free(tok), ct_free(g), ct_free(y), ct_free(gw), ct_free(z), ct_free(flat), ct_free(g2);
        ct_free(g2_nc), ct_free(want);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
}

/* every element of t (int64 or floating, any layout) equals v, bit for bit */
static void assert_filled(const ct_tensor *t, double v) {
    ct_tensor *c = ct_contiguous(t), *want = ct_full(ct_dim(t), ct_sizes(t), v, CT_OPTS(.dtype = ct_dtype_of(t)));
    size_t isz = ct_element_size(t);
    for (int64_t i = 0; i < ct_numel(t); i++)
        cr_assert_eq(memcmp((const char *)ct_data_ptr(c) + i * (int64_t)isz, ct_data_ptr(want), isz), 0,
                     "element %lld of a %s fill of %g", (long long)i, ct_dtype_name(ct_dtype_of(t)), v);
    ct_free(c);
    ct_free(want);
}

Test(index_slices, fill_runs) {
    const ct_dtype dts[] = {CT_FLOAT32, CT_FLOAT64, CT_INT8, CT_INT16, CT_INT32, CT_INT64, CT_BOOL, CT_FLOAT16};
    const double vals[] = {0.0, -0.0, 1.5, -3.0};
    for (int threads = 1; threads <= 2; threads++) {
        cr_assert_eq(ct_set_num_threads(threads), CT_OK);
        for (size_t d = 0; d < sizeof dts / sizeof *dts; d++)
            for (size_t k = 0; k < sizeof vals / sizeof *vals; k++) {
                if (dts[d] == CT_BOOL && vals[k] < 0) continue;
                ct_tensor *t = ct_empty(CT_SIZE(300, 257), CT_OPTS(.dtype = dts[d]));
                cr_assert_eq(ct_fill_(t, vals[k]), CT_OK);
                assert_filled(t, vals[k]);
                double v2 = vals[(k + 1) % 4];
                if (dts[d] == CT_BOOL && v2 < 0) v2 = 1.0;
                ct_tensor *tt = ct_t(t); /* a strided run */
                cr_assert_eq(ct_fill_(tt, v2), CT_OK);
                assert_filled(t, v2);
                ct_free(tt);
                ct_free(t);
            }
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
}
