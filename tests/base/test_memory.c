/* The caching allocator's accounting (ctorch/memory.h). */
#include <criterion/criterion.h>
#include <ctorch.h>

Test(memory, counts_live_storage_and_peak) {
    int64_t base = ct_memory_allocated();
    ct_reset_peak_memory_stats();
    cr_assert_eq(ct_max_memory_allocated(), base);
    ct_tensor *a = ct_empty(CT_SIZE(1000), CT_OPTS(.dtype = CT_FLOAT32)); /* 4000 -> 4032 bytes (64-byte blocks) */
    cr_assert_eq(ct_memory_allocated(), base + 4032);
    ct_tensor *v = ct_view(a, CT_SIZE(10, 100)); /* views allocate no storage */
    cr_assert_eq(ct_memory_allocated(), base + 4032);
    ct_free(a);
    cr_assert_eq(ct_memory_allocated(), base + 4032, "the view keeps the storage alive");
    ct_free(v);
    cr_assert_eq(ct_memory_allocated(), base);
    cr_assert_eq(ct_max_memory_allocated(), base + 4032);
    ct_reset_peak_memory_stats();
    cr_assert_eq(ct_max_memory_allocated(), base);
    cr_assert_geq(ct_memory_reserved(), ct_memory_allocated());
    ct_empty_cache();
    cr_assert_eq(ct_memory_reserved(), ct_memory_allocated());
}

Test(memory, zero_size_tensors_allocate_nothing) {
    int64_t base = ct_memory_allocated();
    ct_tensor *e = ct_zeros(CT_SIZE(0, 3), NULL);
    cr_assert_not_null(e);
    cr_assert_eq(ct_numel(e), 0);
    cr_assert_eq(ct_memory_allocated(), base);
    ct_free(e);
}

Test(memory, huge_request_fails_cleanly) {
    ct_clear_error();
    ct_tensor *t = ct_empty(CT_SIZE(1LL << 40, 1LL << 20), NULL);
    cr_assert_null(t);
    cr_assert_not_null(ct_last_error());
}
