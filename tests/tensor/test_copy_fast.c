/* The small-copy and small-fill fast paths of src/tensor/copy.c (whole rows
 * by memcpy into a contiguous destination; direct loops for contiguous
 * float fills) against the element-by-element definition of copy_ and
 * fill_: every destination element equals the broadcast source element.
 * Also the cases that must leave the fast path (overlap, a broadcast in a
 * middle dim, a transposed source, another dtype, a shape mismatch). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

static ct_tensor *arange_f(int64_t n) {
    ct_tensor *t = ct_arange(0, (double)n, 1, CT_OPTS(.dtype = CT_FLOAT32));
    cr_assert_not_null(t);
    return t;
}

/* element (i, j) of a contiguous float32 matrix */
static float at2(const ct_tensor *t, int64_t i, int64_t j) {
    cr_assert(ct_is_contiguous(t));
    return ((const float *)ct_data_ptr(t))[i * ct_size(t, 1) + j];
}

Test(copy_fast, bias_row_broadcast_into_matrix) {
    ct_tensor *row = arange_f(16), *dst = ct_empty(CT_SIZE(8, 16), NULL);
    cr_assert_eq(ct_copy_(dst, row), CT_OK);
    for (int64_t i = 0; i < 8; i++)
        for (int64_t j = 0; j < 16; j++) cr_assert_eq(at2(dst, i, j), (float)j);
    ct_tensor *row2 = ct_view(row, CT_SIZE(1, 1, 16)); /* leading size-1 dims */
    ct_tensor *d3 = ct_empty(CT_SIZE(2, 3, 16), NULL);
    cr_assert_eq(ct_copy_(d3, row2), CT_OK);
    const float *p = ct_data_ptr(d3);
    for (int64_t k = 0; k < 2 * 3 * 16; k++) cr_assert_eq(p[k], (float)(k % 16));
    ct_free(row);
    ct_free(row2);
    ct_free(dst);
    ct_free(d3);
}

Test(copy_fast, scalar_and_same_shape) {
    ct_tensor *s = ct_scalar_tensor(2.5, NULL), *dst = ct_empty(CT_SIZE(3, 5), NULL);
    cr_assert_eq(ct_copy_(dst, s), CT_OK);
    const float *p = ct_data_ptr(dst);
    for (int k = 0; k < 15; k++) cr_assert_eq(p[k], 2.5f);
    ct_tensor *src = arange_f(15), *src2 = ct_view(src, CT_SIZE(3, 5));
    cr_assert_eq(ct_copy_(dst, src2), CT_OK);
    for (int k = 0; k < 15; k++) cr_assert_eq(p[k], (float)k);
    ct_free(s);
    ct_free(src);
    ct_free(src2);
    ct_free(dst);
}

Test(copy_fast, middle_broadcast_and_transposed_source) {
    /* (3, 1, 4) into (3, 2, 4): broadcast in a middle dim (general path) */
    ct_tensor *a = arange_f(12), *a3 = ct_view(a, CT_SIZE(3, 1, 4)), *d = ct_empty(CT_SIZE(3, 2, 4), NULL);
    cr_assert_eq(ct_copy_(d, a3), CT_OK);
    const float *p = ct_data_ptr(d);
    for (int64_t i = 0; i < 3; i++)
        for (int64_t j = 0; j < 2; j++)
            for (int64_t k = 0; k < 4; k++) cr_assert_eq(p[(i * 2 + j) * 4 + k], (float)(i * 4 + k));
    /* a transposed source: element (i, j) = src[j][i] */
    ct_tensor *m = ct_view(a, CT_SIZE(4, 3)), *mt = ct_t(m), *dt = ct_empty(CT_SIZE(3, 4), NULL);
    cr_assert_eq(ct_copy_(dt, mt), CT_OK);
    for (int64_t i = 0; i < 3; i++)
        for (int64_t j = 0; j < 4; j++) cr_assert_eq(at2(dt, i, j), (float)(j * 3 + i));
    ct_tensor *tmp[] = {a, a3, d, m, mt, dt};
    for (int i = 0; i < 6; i++) ct_free(tmp[i]);
}

Test(copy_fast, overlapping_rows_of_one_storage) {
    /* dst = rows 1..3 of a (4, 4) matrix, src = its row 0 broadcast, then
     * src = rows 0..2 (overlapping dst): copy_ reads src as it was */
    ct_tensor *a = arange_f(16), *m = ct_view(a, CT_SIZE(4, 4));
    ct_tensor *dst = ct_narrow(m, 0, 1, 3), *src = ct_narrow(m, 0, 0, 3);
    cr_assert_eq(ct_copy_(dst, src), CT_OK);
    const float *p = ct_data_ptr(a);
    for (int64_t k = 0; k < 4; k++) cr_assert_eq(p[k], (float)k);
    for (int64_t i = 1; i < 4; i++)
        for (int64_t k = 0; k < 4; k++) cr_assert_eq(p[i * 4 + k], (float)((i - 1) * 4 + k));
    ct_tensor *tmp[] = {a, m, dst, src};
    for (int i = 0; i < 4; i++) ct_free(tmp[i]);
}

Test(copy_fast, other_dtype_and_bad_shape) {
    ct_tensor *row = arange_f(4), *d = ct_empty(CT_SIZE(2, 4), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_copy_(d, row), CT_OK);
    const double *p = ct_data_ptr(d);
    for (int k = 0; k < 8; k++) cr_assert_eq(p[k], (double)(k % 4));
    ct_tensor *bad = arange_f(3), *d2 = ct_empty(CT_SIZE(2, 4), NULL);
    cr_assert_eq(ct_copy_(d2, bad), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "The size of tensor a (4) must match the size of tensor b (3) at non-singleton "
                                      "dimension 1");
    ct_tensor *tmp[] = {row, d, bad, d2};
    for (int i = 0; i < 4; i++) ct_free(tmp[i]);
}

Test(copy_fast, fills) {
    ct_tensor *f = ct_full(CT_SIZE(3, 7), 0.1, NULL); /* converted once to float: (float)0.1 */
    const float *p = ct_data_ptr(f);
    for (int k = 0; k < 21; k++) cr_assert_eq(p[k], 0.1f);
    ct_tensor *d = ct_full(CT_SIZE(5), NAN, CT_OPTS(.dtype = CT_FLOAT64));
    const double *q = ct_data_ptr(d);
    for (int k = 0; k < 5; k++) cr_assert(isnan(q[k]));
    int64_t v0 = ct_version(f);
    cr_assert_eq(ct_fill_(f, -3.0), CT_OK);
    cr_assert_eq(ct_version(f), v0 + 1, "fill_ bumps the version");
    for (int k = 0; k < 21; k++) cr_assert_eq(p[k], -3.0f);
    /* a non-contiguous view: only its elements change */
    ct_tensor *col = ct_select(f, 1, 2);
    cr_assert_eq(ct_fill_(col, 9.0), CT_OK);
    for (int64_t i = 0; i < 3; i++)
        for (int64_t j = 0; j < 7; j++) cr_assert_eq(p[i * 7 + j], j == 2 ? 9.0f : -3.0f);
    ct_tensor *i8 = ct_full(CT_SIZE(4), 300, CT_OPTS(.dtype = CT_INT8));
    cr_assert_null(i8, "out-of-range fill for int8 is refused as PyTorch does");
    ct_free(f);
    ct_free(d);
    ct_free(col);
}
