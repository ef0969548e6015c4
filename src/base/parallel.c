/* parallel_for over a ctorch-owned thread pool, with at::parallel_for's
 * grain-size contract.
 *
 * Why not OpenMP: libgomp spins for a long time after each parallel region
 * (OMP_WAIT_POLICY=active by default) and reads that policy once at load, so
 * on a loaded 2-core machine its idle workers steal the cores the next serial
 * op needs. This pool spins briefly, then sleeps on a futex.
 *
 * Design (Linux futexes):
 * - workers = num_threads - 1, created lazily by the first call that needs
 *   them; the calling thread takes chunks too.
 * - one job slot guarded by `run_lock` (trylock: a second user thread calling
 *   ct_parallel_for at the same time runs its range serially).
 * - `state` packs (generation << 32 | nchunks << 16 | next_chunk); a thread
 *   claims chunk `next` with a CAS that also checks the generation, so a
 *   late worker can never take a chunk of a newer job. The job's fields stay
 *   valid until all its chunks are counted in `done`, which the caller waits
 *   for before returning.
 * - chunk boundaries are exactly the former OpenMP ones: nchunks =
 *   min(ceil(n / grain), threads), chunk = ceil(n / nchunks), chunk t covers
 *   [begin + t*chunk, min(begin + (t+1)*chunk, end)); which thread runs a
 *   chunk does not matter for the results.
 * - a call from inside a chunk (any thread of the pool) runs serially.
 * - atexit joins the workers; pthread_atfork resets the pool in the child. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/error_state.h"
#include "ctorch/parallel.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CT_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CT_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CT_CPU_RELAX() ((void)0)
#endif

enum { CT_MAX_THREADS = 1024 };
/* How long an idle thread spins before sleeping, in µs: long enough to catch
 * the next op's region in a training step, short enough not to steal a loaded
 * machine's cores for long. CTORCH_SPIN_US overrides it (0 = sleep at once). */
enum { CT_SPIN_US_DEFAULT = 50 };
static atomic_long spin_ns = -1;

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER; /* one job at a time; guards the pool */
static atomic_int num_threads;                               /* 0 = not yet read */
static pthread_t workers[CT_MAX_THREADS];
static uint32_t worker_gen0[CT_MAX_THREADS]; /* gen_word when worker i was created */
static int n_workers;          /* started and not yet joined (under run_lock) */
static atomic_int stop_above;  /* workers with index >= this exit */
static bool exit_registered;   /* under run_lock */
static atomic_bool shut_down;  /* after atexit: run serially */

/* the job: written by the caller before publishing `state` */
static ct_parallel_fn job_fn;
static void *job_ctx;
static int64_t job_begin, job_end, job_chunk;

static _Atomic uint64_t state; /* gen << 32 | nchunks << 16 | next */
static atomic_uint gen_word;   /* low 32 bits of gen: the workers' futex */
static atomic_uint done;       /* chunks finished: the caller's futex */
static atomic_int sleepers;    /* workers in (or about to enter) futex_wait */

static _Thread_local int in_region; /* set inside chunks and on pool workers */

static long spin_budget_ns(void) {
    long v = atomic_load_explicit(&spin_ns, memory_order_relaxed);
    if (v >= 0) return v;
    v = CT_SPIN_US_DEFAULT * 1000L;
    const char *env = getenv("CTORCH_SPIN_US");
    if (env) {
        char *endp;
        long us = strtol(env, &endp, 10);
        if (endp != env && us >= 0 && us <= 1000000) v = us * 1000L;
    }
    atomic_store_explicit(&spin_ns, v, memory_order_relaxed);
    return v;
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Spin until *addr != value or the budget runs out; returns the last value seen. */
static unsigned spin_while_equal(atomic_uint *addr, unsigned value) {
    unsigned v = atomic_load_explicit(addr, memory_order_acquire);
    long budget = spin_budget_ns();
    if (v != value || budget == 0) return v;
    int64_t t0 = now_ns();
    for (;;) {
        for (int i = 0; i < 16; i++) {
            CT_CPU_RELAX();
            v = atomic_load_explicit(addr, memory_order_acquire);
            if (v != value) return v;
        }
        if (now_ns() - t0 >= budget) return v;
    }
}

static void futex_wait(atomic_uint *addr, unsigned expected) {
    syscall(SYS_futex, (unsigned *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}
static void futex_wake(atomic_uint *addr, int n) {
    syscall(SYS_futex, (unsigned *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static int default_threads(void) {
    const char *env = getenv("OMP_NUM_THREADS"); /* as libgomp did: first value of the list */
    if (env) {
        char *endp;
        long v = strtol(env, &endp, 10);
        if (endp != env && v >= 1) return v > CT_MAX_THREADS ? CT_MAX_THREADS : (int)v;
    }
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n < 1) n = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n > CT_MAX_THREADS ? CT_MAX_THREADS : n;
}

int ct_get_num_threads(void) {
    int n = atomic_load_explicit(&num_threads, memory_order_relaxed);
    if (n == 0) {
        int d = default_threads();
        int expected = 0;
        atomic_compare_exchange_strong(&num_threads, &expected, d);
        n = atomic_load(&num_threads);
    }
    return n;
}

/* Claim and run chunks of job `gen` until none are left; a worker that
 * finishes the last chunk wakes the caller (who never sleeps on itself). */
static void run_chunks(uint32_t gen, bool is_caller) {
    uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(s >> 32) != gen) return;
        unsigned nch = (unsigned)(s >> 16) & 0xffffu, next = (unsigned)s & 0xffffu;
        if (next >= nch) return;
        if (!atomic_compare_exchange_weak_explicit(&state, &s, s + 1, memory_order_acq_rel, memory_order_acquire))
            continue;
        int64_t b = job_begin + (int64_t)next * job_chunk;
        int64_t e = b + job_chunk < job_end ? b + job_chunk : job_end;
        if (b < e) job_fn(b, e, job_ctx);
        if (atomic_fetch_add_explicit(&done, 1, memory_order_acq_rel) + 1 == nch && !is_caller) futex_wake(&done, 1);
        s = atomic_load_explicit(&state, memory_order_acquire);
    }
}

static void *worker_main(void *arg) {
    int idx = (int)(intptr_t)arg;
    in_region = 1;
    /* the generation when the creator started us: the thread may start
     * running only after the next job or a stop request was published */
    uint32_t seen = worker_gen0[idx];
    for (;;) {
        uint32_t g = spin_while_equal(&gen_word, seen);
        if (g == seen) {
            atomic_fetch_add(&sleepers, 1);
            futex_wait(&gen_word, seen); /* returns at once if gen_word moved on */
            atomic_fetch_sub(&sleepers, 1);
            g = atomic_load_explicit(&gen_word, memory_order_acquire);
        }
        if (idx >= atomic_load(&stop_above)) return NULL;
        if (g == seen) continue; /* spurious wake */
        seen = g;
        run_chunks(g, false);
    }
}

/* Under run_lock: ask workers [keep, n_workers) to exit and join them. */
static void stop_workers(int keep) {
    if (n_workers <= keep) return;
    atomic_store(&stop_above, keep);
    atomic_fetch_add(&gen_word, 1); /* no job carries this generation's state: run_chunks returns */
    futex_wake(&gen_word, INT32_MAX);
    for (int i = keep; i < n_workers; i++) pthread_join(workers[i], NULL);
    n_workers = keep;
    atomic_store(&stop_above, CT_MAX_THREADS);
}

static void shutdown_pool(void) {
    atomic_store(&shut_down, true);
    /* exit() from inside a chunk or while another thread runs a job: leave
     * the workers to the process's end */
    if (in_region || pthread_mutex_trylock(&run_lock) != 0) return;
    stop_workers(0);
    pthread_mutex_unlock(&run_lock);
}

static bool fork_locked;
static void fork_prepare(void) {
    fork_locked = !in_region; /* forking from inside a chunk: the lock is ours already */
    if (fork_locked) pthread_mutex_lock(&run_lock);
}
static void fork_parent(void) {
    if (fork_locked) pthread_mutex_unlock(&run_lock);
}
static void fork_child(void) {
    /* only the forking thread survives: forget the workers, start again lazily */
    pthread_mutex_init(&run_lock, NULL);
    n_workers = 0;
    atomic_store(&sleepers, 0);
    atomic_store(&stop_above, CT_MAX_THREADS);
    in_region = 0;
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static void install_hooks(void) {
    atomic_store(&stop_above, CT_MAX_THREADS);
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* Under run_lock: have at least `want` workers (fewer if creation fails). */
static void grow_workers(int want) {
    if (!exit_registered) {
        exit_registered = true;
        atexit(shutdown_pool);
    }
    while (n_workers < want) {
        worker_gen0[n_workers] = atomic_load(&gen_word);
        int rc = pthread_create(&workers[n_workers], NULL, worker_main, (void *)(intptr_t)n_workers);
        if (rc != 0) break;
        n_workers++;
    }
}

int ct_set_num_threads(int n) {
    if (n < 1) {
        ct__error("set_num_threads expects a positive integer");
        return CT_ERROR;
    }
    if (n > CT_MAX_THREADS) n = CT_MAX_THREADS;
    pthread_once(&hooks_once, install_hooks);
    atomic_store(&num_threads, n);
    /* shrink now (grow lazily); not from inside a chunk, where the pool is busy */
    if (!in_region && pthread_mutex_trylock(&run_lock) == 0) {
        stop_workers(n - 1);
        pthread_mutex_unlock(&run_lock);
    }
    return CT_OK;
}

void ct_parallel_for(int64_t begin, int64_t end, int64_t grain_size, ct_parallel_fn fn, void *ctx) {
    if (end <= begin) return;
    if (grain_size < 1) grain_size = 1;
    int64_t n = end - begin;
    int threads = ct_get_num_threads();
    if (n <= grain_size || threads <= 1 || in_region || atomic_load_explicit(&shut_down, memory_order_relaxed)) {
        fn(begin, end, ctx);
        return;
    }
    pthread_once(&hooks_once, install_hooks);
    if (pthread_mutex_trylock(&run_lock) != 0) { /* another thread owns the pool */
        fn(begin, end, ctx);
        return;
    }
    int64_t max_chunks = (n + grain_size - 1) / grain_size;
    int nchunks = (int)(max_chunks < threads ? max_chunks : threads);
    if (n_workers < nchunks - 1) grow_workers(nchunks - 1);
    if (n_workers == 0) { /* could not start any thread */
        pthread_mutex_unlock(&run_lock);
        in_region = 1;
        fn(begin, end, ctx);
        in_region = 0;
        return;
    }
    job_fn = fn;
    job_ctx = ctx;
    job_begin = begin;
    job_end = end;
    job_chunk = (n + nchunks - 1) / nchunks;
    atomic_store_explicit(&done, 0, memory_order_relaxed);
    uint32_t gen = atomic_load_explicit(&gen_word, memory_order_relaxed) + 1;
    atomic_store_explicit(&state, (uint64_t)gen << 32 | (uint64_t)nchunks << 16, memory_order_release);
    atomic_store(&gen_word, gen); /* seq_cst: pairs with the sleepers count */
    if (atomic_load(&sleepers) > 0) futex_wake(&gen_word, nchunks - 1);

    in_region = 1;
    run_chunks(gen, true);
    unsigned d = atomic_load_explicit(&done, memory_order_acquire);
    if (d != (unsigned)nchunks) d = spin_while_equal(&done, d);
    while (d != (unsigned)nchunks) {
        futex_wait(&done, d);
        d = atomic_load_explicit(&done, memory_order_acquire);
    }
    in_region = 0;
    pthread_mutex_unlock(&run_lock);
}
