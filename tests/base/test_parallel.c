/* parallel_for: coverage of the range, grain size, thread settings. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

typedef struct {
    unsigned char *hits;
    atomic_int calls;
    int64_t min_chunk;
} cover_ctx;

static void mark(int64_t b, int64_t e, void *vctx) {
    cover_ctx *c = vctx;
    atomic_fetch_add(&c->calls, 1);
    for (int64_t i = b; i < e; i++) c->hits[i]++;
}

Test(parallel, covers_each_index_once) {
    enum { N = 100003 };
    static unsigned char hits[N];
    memset(hits, 0, sizeof hits);
    cover_ctx c = {.hits = hits};
    ct_parallel_for(0, N, 1000, mark, &c);
    for (int i = 0; i < N; i++) cr_assert_eq(hits[i], 1, "index %d", i);
    cr_assert_leq(atomic_load(&c.calls), ct_get_num_threads());
}

Test(parallel, small_ranges_stay_serial) {
    unsigned char hits[10] = {0};
    cover_ctx c = {.hits = hits};
    ct_parallel_for(0, 10, 32768, mark, &c);
    cr_assert_eq(atomic_load(&c.calls), 1);
    ct_parallel_for(5, 5, 1, mark, &c); /* empty range: no call */
    cr_assert_eq(atomic_load(&c.calls), 1);
}

Test(parallel, num_threads) {
    int before = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    cr_assert_eq(ct_get_num_threads(), 1);
    cr_assert_eq(ct_set_num_threads(0), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "set_num_threads expects a positive integer");
    cr_assert_eq(ct_get_num_threads(), 1);
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}
