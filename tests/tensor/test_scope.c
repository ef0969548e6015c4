/* Scopes and reference counting: invariants of ctorch's ownership model
 * (DESIGN.md section 3), checked with ct_memory_allocated(). */
#include <criterion/criterion.h>

#include <ctorch.h>

#include "tensor/tensor_impl.h"

static int refcount(const ct_tensor *t) { return atomic_load(&t->refcount); }

Test(scope, end_releases_everything_created_inside) {
    int64_t mem0 = ct_memory_allocated();
    cr_assert_eq(ct_scope_begin(), 1);
    cr_expect_eq(ct_scope_depth(), 1);
    ct_tensor *x = ct_zeros(CT_SIZE(100, 10), NULL);
    ct_tensor *v = ct_t(ct_view(x, CT_SIZE(10, 100))); /* the inner view is tracked too */
    cr_assert_not_null(v);
    cr_expect_gt(ct_memory_allocated(), mem0);
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_expect_eq(ct_scope_depth(), 0);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(scope, free_inside_a_scope_is_safe) {
    int64_t mem0 = ct_memory_allocated();
    cr_assert_eq(ct_scope_begin(), 1);
    ct_tensor *x = ct_ones(CT_SIZE(1000), NULL);
    ct_tensor *y = ct_slice(x, 0, 0, CT_END, 2);
    ct_free(x); /* untracked and dropped; y keeps the storage */
    cr_expect_gt(ct_memory_allocated(), mem0);
    ct_free(y);
    cr_expect_eq(ct_memory_allocated(), mem0);
    cr_assert_eq(ct_scope_end(), CT_OK); /* nothing left to drop twice */
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(scope, keep_moves_to_the_caller_or_outer_scope) {
    int64_t mem0 = ct_memory_allocated();
    cr_assert_eq(ct_scope_begin(), 1);
    cr_assert_eq(ct_scope_begin(), 2);
    ct_tensor *inner = ct_scope_keep(ct_ones(CT_SIZE(64), NULL)); /* -> outer scope */
    ct_tensor *tmp = ct_zeros(CT_SIZE(64), NULL);
    (void)tmp;
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_expect_eq(ct_scope_depth(), 1);
    double v;
    ct_tensor *e = ct_select(inner, 0, 5); /* inner is still alive */
    cr_assert_eq(ct_item(e, &v), CT_OK);
    cr_expect_eq(v, 1.0);
    ct_tensor *kept = ct_scope_keep(ct_reshape(inner, CT_SIZE(8, 8))); /* -> caller */
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_expect_eq(ct_scope_depth(), 0);
    /* kept holds the storage of inner (a view) */
    cr_expect_eq(ct_dim(kept), 2);
    cr_expect_gt(ct_memory_allocated(), mem0);
    ct_free(kept);
    cr_expect_eq(ct_memory_allocated(), mem0);
    cr_expect_null(ct_scope_keep(NULL));
}

Test(scope, keep_of_untracked_reference_is_a_no_op) {
    ct_tensor *x = ct_zeros(CT_SIZE(3), NULL); /* outside any scope */
    cr_assert_eq(ct_scope_begin(), 1);
    cr_expect_eq(ct_scope_keep(x), x);
    ct_tensor *r = ct_ref(x); /* ct_ref is never tracked */
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_expect_eq(refcount(x), 2);
    ct_free(r);
    cr_expect_eq(refcount(x), 1);
    ct_free(x);
}

Test(scope, end_without_begin) {
    ct_clear_error();
    cr_expect_eq(ct_scope_depth(), 0);
    cr_expect_eq(ct_scope_end(), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "ct_scope_end called without a matching ct_scope_begin");
    cr_expect_eq(ct_scope_depth(), 0);
}

Test(scope, deep_nesting_and_many_tensors) {
    int64_t mem0 = ct_memory_allocated();
    for (int d = 1; d <= 40; d++) cr_assert_eq(ct_scope_begin(), d);
    for (int i = 0; i < 1000; i++) cr_assert_not_null(ct_unsqueeze(ct_ones(CT_SIZE(4), NULL), 0));
    for (int d = 40; d >= 1; d--) {
        cr_expect_eq(ct_scope_depth(), d);
        cr_assert_eq(ct_scope_end(), CT_OK);
    }
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(scope, same_handle_tracked_twice) {
    /* ct_contiguous of a contiguous tensor returns the same handle with one
     * more reference; the scope drops both references */
    int64_t mem0 = ct_memory_allocated();
    cr_assert_eq(ct_scope_begin(), 1);
    ct_tensor *x = ct_zeros(CT_SIZE(16), NULL);
    ct_tensor *c = ct_contiguous(x);
    cr_expect_eq(c, x);
    cr_expect_eq(refcount(x), 2);
    ct_free(c);
    cr_expect_eq(refcount(x), 1);
    ct_tensor *c2 = ct_contiguous(x);
    (void)c2;
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(refcount, views_keep_storage_alive) {
    int64_t mem0 = ct_memory_allocated();
    ct_tensor *x = ct_arange(0, 12, 1, NULL);
    ct_tensor *v = ct_view(x, CT_SIZE(3, 4));
    ct_tensor *d = ct_diagonal(v, 1, 0, 1);
    ct_free(x);
    ct_free(v);
    cr_expect_gt(ct_memory_allocated(), mem0);
    int64_t out[3];
    cr_assert_eq(ct_copy_to_buffer(d, CT_INT64, out, sizeof out), CT_OK);
    cr_expect_eq(out[0], 1);
    cr_expect_eq(out[1], 6);
    cr_expect_eq(out[2], 11);
    ct_free(d);
    cr_expect_eq(ct_memory_allocated(), mem0);
}

Test(refcount, version_counter_shared_by_views) {
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    ct_tensor *v = ct_t(x);
    ct_tensor *s = ct_select(x, 0, 1);
    int64_t v0 = ct_version(x);
    cr_expect_eq(ct_version(v), v0);
    cr_assert_eq(ct_fill_(s, 2.0), CT_OK);
    cr_expect_eq(ct_version(x), v0 + 1);
    cr_expect_eq(ct_version(v), v0 + 1);
    cr_expect_eq(ct_version(s), v0 + 1);
    ct_tensor *src = ct_ones(CT_SIZE(3, 2), NULL);
    cr_assert_eq(ct_copy_(v, src), CT_OK);
    cr_expect_eq(ct_version(x), v0 + 2);
    cr_expect_eq(ct_version(src), 0);
    cr_assert_eq(ct_zero_(x), CT_OK);
    cr_expect_eq(ct_version(s), v0 + 3);
    /* a copy does not share the counter */
    ct_tensor *c = ct_contiguous(v);
    int64_t vc = ct_version(c);
    cr_assert_eq(ct_fill_(c, 1.0), CT_OK);
    cr_expect_eq(ct_version(x), v0 + 3);
    cr_expect_eq(ct_version(c), vc + 1);
    cr_expect_eq(ct_version(NULL), -1);
    ct_free(c);
    ct_free(src);
    ct_free(s);
    ct_free(v);
    ct_free(x);
}

Test(refcount, ref_and_free) {
    int64_t mem0 = ct_memory_allocated();
    ct_tensor *x = ct_zeros(CT_SIZE(10), NULL);
    ct_tensor *r = ct_ref(x);
    cr_expect_eq(r, x);
    cr_expect_eq(refcount(x), 2);
    ct_free(x);
    cr_expect_gt(ct_memory_allocated(), mem0);
    ct_free(r);
    cr_expect_eq(ct_memory_allocated(), mem0);
    cr_expect_null(ct_ref(NULL));
    ct_free(NULL);
}
