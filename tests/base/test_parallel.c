/* parallel_for: coverage of the range, grain size, thread settings. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Chunk boundaries: nchunks = min(ceil(n / grain), threads), chunk = ceil(n / nchunks). */
typedef struct {
    int64_t starts[64], ends[64];
    atomic_int n;
} bounds_ctx;

static void record(int64_t b, int64_t e, void *vctx) {
    bounds_ctx *c = vctx;
    int i = atomic_fetch_add(&c->n, 1);
    if (i < 64) c->starts[i] = b, c->ends[i] = e;
}

static void check_bounds(int threads, int64_t begin, int64_t end, int64_t grain) {
    cr_assert_eq(ct_set_num_threads(threads), CT_OK);
    bounds_ctx c = {.n = 0};
    ct_parallel_for(begin, end, grain, record, &c);
    int64_t n = end - begin;
    int64_t nch = n <= grain || threads == 1 ? 1 : (n + grain - 1) / grain;
    if (nch > threads) nch = threads;
    int64_t chunk = (n + nch - 1) / nch;
    int64_t expected = 0;
    for (int64_t t = 0; t < nch; t++)
        if (begin + t * chunk < end) expected++;
    cr_assert_eq(atomic_load(&c.n), expected, "threads %d n %ld grain %ld", threads, (long)n, (long)grain);
    for (int i = 0; i < atomic_load(&c.n); i++) {
        int64_t t = (c.starts[i] - begin) / chunk;
        cr_assert_eq(c.starts[i], begin + t * chunk);
        int64_t e = begin + (t + 1) * chunk;
        cr_assert_eq(c.ends[i], e < end ? e : end);
    }
}

Test(parallel, chunk_boundaries) {
    int before = ct_get_num_threads();
    check_bounds(2, 0, 65537, 32768);
    check_bounds(2, 10, 65546, 32768);
    check_bounds(3, 0, 100, 1);
    check_bounds(4, 0, 9, 1);   /* chunk 3: three chunks, none empty */
    check_bounds(4, 0, 10, 1);  /* chunk 3: chunks 0..3, the last has one index */
    check_bounds(7, 0, 15, 2);
    check_bounds(1, 0, 100000, 10);
    check_bounds(8, -5, 1000, 100);
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}

static void nested_inner(int64_t b, int64_t e, void *vctx) {
    cover_ctx *c = vctx;
    atomic_fetch_add(&c->calls, 1);
    for (int64_t i = b; i < e; i++) c->hits[i]++;
}

typedef struct {
    cover_ctx inner[4];
    unsigned char hits[4][1000];
    atomic_int outer_calls;
} nest_ctx;

static void nested_outer(int64_t b, int64_t e, void *vctx) {
    nest_ctx *c = vctx;
    atomic_fetch_add(&c->outer_calls, 1);
    for (int64_t i = b; i < e; i++) {
        c->inner[i].hits = c->hits[i];
        ct_parallel_for(0, 1000, 1, nested_inner, &c->inner[i]);
    }
}

Test(parallel, nested_calls_run_serially) {
    int before = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(4), CT_OK);
    static nest_ctx c;
    memset(&c, 0, sizeof c);
    ct_parallel_for(0, 4, 1, nested_outer, &c);
    cr_assert_eq(atomic_load(&c.outer_calls), 4);
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(atomic_load(&c.inner[k].calls), 1, "inner %d", k);
        for (int i = 0; i < 1000; i++) cr_assert_eq(c.hits[k][i], 1);
    }
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}

typedef struct {
    _Atomic int64_t sum;
} sum_ctx;

static void add_range(int64_t b, int64_t e, void *vctx) {
    sum_ctx *c = vctx;
    int64_t s = 0;
    for (int64_t i = b; i < e; i++) s += i;
    atomic_fetch_add(&c->sum, s);
}

static int64_t many_calls(int reps) {
    int64_t bad = 0;
    for (int r = 0; r < reps; r++) {
        sum_ctx c = {0};
        int64_t n = 100 + r % 37;
        ct_parallel_for(0, n, 1 + r % 5, add_range, &c);
        if (atomic_load(&c.sum) != n * (n - 1) / 2) bad++;
    }
    return bad;
}

Test(parallel, many_back_to_back_calls_and_resizing) {
    int before = ct_get_num_threads();
    for (int t = 1; t <= 5; t++) {
        cr_assert_eq(ct_set_num_threads(t), CT_OK);
        cr_assert_eq(ct_get_num_threads(), t);
        cr_assert_eq(many_calls(2000), 0, "threads %d", t);
    }
    cr_assert_eq(ct_set_num_threads(3), CT_OK);
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    cr_assert_eq(many_calls(2000), 0);
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}

static void *user_thread(void *arg) {
    (void)arg;
    return (void *)(intptr_t)many_calls(3000);
}

Test(parallel, concurrent_callers_from_user_threads) {
    int before = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(3), CT_OK);
    pthread_t th[3];
    for (int i = 0; i < 3; i++) cr_assert_eq(pthread_create(&th[i], NULL, user_thread, NULL), 0);
    int64_t bad = many_calls(3000);
    for (int i = 0; i < 3; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (intptr_t)r;
    }
    cr_assert_eq(bad, 0);
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}

Test(parallel, pool_works_in_a_forked_child) {
    int before = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    cr_assert_eq(many_calls(100), 0); /* the pool exists before the fork */
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        enum { N = 5000 };
        static unsigned char hits[N];
        cover_ctx c = {.hits = hits};
        ct_parallel_for(0, N, 10, mark, &c);
        int ok = many_calls(500) == 0 && atomic_load(&c.calls) == 2;
        for (int i = 0; i < N; i++) ok &= hits[i] == 1;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    cr_assert_eq(many_calls(100), 0);
    cr_assert_eq(ct_set_num_threads(before), CT_OK);
}
