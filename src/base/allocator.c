/* Caching allocator: freed blocks are kept in free lists keyed by their
 * rounded size and handed out again, so a training loop that allocates the
 * same shapes every step stops calling malloc after the first step.
 *
 * Sizes round up to 64 bytes below 1 MiB and to 64 KiB above, to let
 * nearly-equal large requests share blocks. The cache holds at most
 * CACHE_LIMIT bytes; beyond, blocks go back to the system. Caching is off
 * under AddressSanitizer (reuse would hide use-after-free) or with
 * CTORCH_NO_CACHING_ALLOCATOR=1.
 *
 * Small blocks (up to TL_MAX_BYTES) first go through a per-thread cache
 * without a lock: the small tensors of an eager training step are made and
 * freed by the same thread over and over, and a mutex per allocation was a
 * visible part of a small op's cost. A thread's cache goes back to the
 * shared lists when the thread ends. The byte counters are atomics. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/allocator.h"
#include "base/error_state.h"
#include "ctorch/memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define CT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CT_ASAN 1
#endif
#endif

#define ALIGNMENT 64
#define NBUCKETS 1024
#define CACHE_LIMIT ((size_t)2 << 30)

typedef struct free_block {
    struct free_block *next;
    size_t size;
} free_block;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static free_block *g_buckets[NBUCKETS];
static size_t g_cached;                 /* bytes in the shared lists (under g_lock) */
static _Atomic int64_t g_thread_cached; /* bytes in the per-thread caches */
static _Atomic int64_t g_allocated, g_peak;
static int g_caching = -1; /* -1: not decided yet */

/* ---- per-thread cache of small blocks: bin i holds blocks of (i+1)*64 bytes */
#define TL_MAX_BYTES ((size_t)16 << 10)
#define TL_BINS (TL_MAX_BYTES / ALIGNMENT)
/* blocks kept per size: many for object-sized blocks (a training step
 * holds dozens of graph nodes at once), few for larger ones */
#define TL_PER_BIN(size) ((size) <= 2048 ? 128 : 16)

/* Library objects (ct__obj_alloc: tensor handles, storages, graph nodes)
 * have bins of their own, up to OBJ_MAX_BYTES: they are not memory a user
 * sees (not in ct_memory_reserved either), so taking and returning one
 * updates no shared counter -- two atomic read-modify-writes fewer per
 * object, and a small op makes and frees several. */
#define OBJ_MAX_BYTES ((size_t)2 << 10)
#define OBJ_BINS (OBJ_MAX_BYTES / ALIGNMENT)
#define OBJ_PER_BIN 128

typedef struct {
    free_block *head[TL_BINS];
    unsigned char count[TL_BINS]; /* <= TL_PER_BIN <= 255 */
    free_block *ohead[OBJ_BINS];
    unsigned char ocount[OBJ_BINS];
} thread_cache;

static _Thread_local thread_cache *tl_cache;
static pthread_key_t g_tl_key;
static pthread_once_t g_tl_once = PTHREAD_ONCE_INIT;
static bool g_tl_key_ok;

static size_t round_size(size_t n) {
    size_t g = n < ((size_t)1 << 20) ? ALIGNMENT : ((size_t)64 << 10); /* powers of two: no division */
    return (n + g - 1) & ~(g - 1);
}

static size_t bucket_of(size_t rounded) { return (rounded / ALIGNMENT) % NBUCKETS; }

static int caching_enabled(void) {
    if (g_caching < 0) {
#ifdef CT_ASAN
        g_caching = 0;
#else
        const char *env = getenv("CTORCH_NO_CACHING_ALLOCATOR");
        g_caching = !(env && env[0] && strcmp(env, "0") != 0);
#endif
    }
    return g_caching;
}

static void shared_put_locked(free_block *b, size_t size) {
    b->size = size;
    b->next = g_buckets[bucket_of(size)];
    g_buckets[bucket_of(size)] = b;
}

/* thread exit: the thread's cached blocks join the shared lists */
static void thread_cache_release(void *v) {
    thread_cache *c = v;
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < TL_BINS; i++) {
        while (c->head[i]) {
            free_block *b = c->head[i];
            c->head[i] = b->next;
            shared_put_locked(b, (i + 1) * ALIGNMENT);
            g_cached += (i + 1) * ALIGNMENT;
            atomic_fetch_sub_explicit(&g_thread_cached, (int64_t)(i + 1) * ALIGNMENT, memory_order_relaxed);
        }
        c->count[i] = 0;
    }
    pthread_mutex_unlock(&g_lock);
    for (size_t i = 0; i < OBJ_BINS; i++) { /* objects: back to the system */
        while (c->ohead[i]) {
            free_block *b = c->ohead[i];
            c->ohead[i] = b->next;
            free(b);
        }
        c->ocount[i] = 0;
    }
}

static void thread_cache_free(void *v) {
    thread_cache_release(v);
    free(v);
    tl_cache = NULL;
}

static void tl_key_create(void) { g_tl_key_ok = pthread_key_create(&g_tl_key, thread_cache_free) == 0; }

/* this thread's cache, made on first use; NULL when it cannot be made */
static thread_cache *my_cache(void) {
    if (tl_cache) return tl_cache;
    pthread_once(&g_tl_once, tl_key_create);
    if (!g_tl_key_ok) return NULL;
    thread_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (pthread_setspecific(g_tl_key, c) != 0) {
        free(c);
        return NULL;
    }
    return tl_cache = c;
}

static void count_alloc(size_t size) {
    int64_t now = atomic_fetch_add_explicit(&g_allocated, (int64_t)size, memory_order_relaxed) + (int64_t)size;
    int64_t peak = atomic_load_explicit(&g_peak, memory_order_relaxed);
    while (now > peak && !atomic_compare_exchange_weak_explicit(&g_peak, &peak, now, memory_order_relaxed,
                                                                memory_order_relaxed)) {
    }
}

/* a block of `size` (rounded) from this thread's cache, or NULL */
static void *thread_take(size_t size) {
    if (size > TL_MAX_BYTES || !caching_enabled()) return NULL;
    thread_cache *c = my_cache();
    size_t bin = size / ALIGNMENT - 1;
    if (!c || !c->head[bin]) return NULL;
    free_block *b = c->head[bin];
    c->head[bin] = b->next;
    c->count[bin]--;
    atomic_fetch_sub_explicit(&g_thread_cached, (int64_t)size, memory_order_relaxed);
    return b;
}

/* block p of `size` (rounded, at most TL_MAX_BYTES) onto thread cache c's
 * bin; false if the bin is full */
static inline bool data_bin_push(thread_cache *c, void *p, size_t size) {
    size_t bin = size / ALIGNMENT - 1;
    if (c->count[bin] >= TL_PER_BIN(size)) return false;
    free_block *b = p;
    b->size = size;
    b->next = c->head[bin];
    c->head[bin] = b;
    c->count[bin]++;
    atomic_fetch_add_explicit(&g_thread_cached, (int64_t)size, memory_order_relaxed);
    return true;
}

/* keep block p of `size` (rounded) in this thread's cache; false if full */
static bool thread_put(void *p, size_t size) {
    if (size > TL_MAX_BYTES || !caching_enabled()) return false;
    thread_cache *c = my_cache();
    return c && data_bin_push(c, p, size);
}

/* The paths below the fast ones (first use of the thread's cache, an
 * empty bin, objects above OBJ_MAX_BYTES, caching off). */
static __attribute__((noinline)) void *obj_alloc_slow(size_t nbytes) {
    size_t size = round_size(nbytes);
    void *p = NULL;
    thread_cache *c;
    if (size <= OBJ_MAX_BYTES && caching_enabled() && (c = my_cache())) {
        size_t bin = size / ALIGNMENT - 1;
        free_block *b = c->ohead[bin];
        if (b) {
            c->ohead[bin] = b->next;
            c->ocount[bin]--;
            p = b;
        }
    } else {
        p = thread_take(size); /* a larger object: the shared small-block bins */
    }
    if (!p) p = aligned_alloc(ALIGNMENT, size);
    if (!p) {
        ct__error_oom(nbytes);
        return NULL;
    }
    memset(p, 0, nbytes);
    return p;
}

/* p onto this thread's object bin, unless the bin is full */
static inline bool obj_bin_push(thread_cache *c, size_t bin, void *p) {
    if (c->ocount[bin] >= OBJ_PER_BIN) return false;
    free_block *b = p;
    b->next = c->ohead[bin];
    c->ohead[bin] = b;
    c->ocount[bin]++;
    return true;
}

static __attribute__((noinline)) void obj_free_slow(void *p, size_t nbytes) {
    if (!p) return;
    size_t size = round_size(nbytes);
    thread_cache *c;
    if (size <= OBJ_MAX_BYTES && caching_enabled() && (c = my_cache()) && obj_bin_push(c, size / ALIGNMENT - 1, p))
        return;
    if (!thread_put(p, size)) free(p);
}

/* Fast paths: a block from / to this thread's object bin, with nothing
 * else to decide (tl_cache exists only once caching was found on, and it
 * never turns off). Objects are at most OBJ_MAX_BYTES, below the 1 MiB
 * where round_size changes granularity. */
void *ct__obj_alloc(size_t nbytes) {
    thread_cache *c = tl_cache;
    if (c && nbytes - 1 < OBJ_MAX_BYTES) {
        size_t bin = (nbytes + ALIGNMENT - 1) / ALIGNMENT - 1;
        free_block *b = c->ohead[bin];
        if (b) {
            c->ohead[bin] = b->next;
            c->ocount[bin]--;
            memset(b, 0, nbytes);
            return b;
        }
    }
    return obj_alloc_slow(nbytes);
}

void ct__obj_free(void *p, size_t nbytes) {
    thread_cache *c = tl_cache;
    if (p && c && nbytes - 1 < OBJ_MAX_BYTES && obj_bin_push(c, (nbytes + ALIGNMENT - 1) / ALIGNMENT - 1, p)) return;
    obj_free_slow(p, nbytes);
}

static __attribute__((noinline)) void *alloc_slow(size_t nbytes) {
    if (nbytes == 0) return NULL;
    if (nbytes > SIZE_MAX / 2) {
        ct__error_oom(nbytes);
        return NULL;
    }
    size_t size = round_size(nbytes);
    void *p = NULL;
    if ((p = thread_take(size))) {
        count_alloc(size);
        return p;
    }
    pthread_mutex_lock(&g_lock);
    if (caching_enabled()) {
        free_block **link = &g_buckets[bucket_of(size)];
        for (; *link; link = &(*link)->next) {
            if ((*link)->size == size) {
                p = *link;
                *link = (*link)->next;
                g_cached -= size;
                break;
            }
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (!p) {
        p = aligned_alloc(ALIGNMENT, size);
        if (!p) {
            /* the cache may be what stands in the way: release it and retry */
            ct_empty_cache();
            p = aligned_alloc(ALIGNMENT, size);
        }
        if (!p) {
            ct__error_oom(nbytes);
            return NULL;
        }
    }
    count_alloc(size);
    return p;
}

static __attribute__((noinline)) void dealloc_slow(void *p, size_t nbytes) {
    if (!p) return;
    size_t size = round_size(nbytes);
    atomic_fetch_sub_explicit(&g_allocated, (int64_t)size, memory_order_relaxed);
    if (!caching_enabled()) {
        free(p);
        return;
    }
    if (thread_put(p, size)) return;
    pthread_mutex_lock(&g_lock);
    if (g_cached + size <= CACHE_LIMIT) {
        shared_put_locked(p, size);
        g_cached += size;
        p = NULL;
    }
    pthread_mutex_unlock(&g_lock);
    free(p);
}

/* Fast paths for small data blocks: this thread's bins (thread_take /
 * thread_put inlined, same counters). */
void *ct__alloc(size_t nbytes) {
    thread_cache *c = tl_cache;
    if (c && nbytes - 1 < TL_MAX_BYTES) {
        size_t size = round_size(nbytes), bin = size / ALIGNMENT - 1;
        free_block *b = c->head[bin];
        if (b) {
            c->head[bin] = b->next;
            c->count[bin]--;
            atomic_fetch_sub_explicit(&g_thread_cached, (int64_t)size, memory_order_relaxed);
            count_alloc(size);
            return b;
        }
    }
    return alloc_slow(nbytes);
}

void ct__dealloc(void *p, size_t nbytes) {
    thread_cache *c = tl_cache;
    if (p && c && nbytes - 1 < TL_MAX_BYTES) {
        size_t size = round_size(nbytes);
        if (data_bin_push(c, p, size)) {
            atomic_fetch_sub_explicit(&g_allocated, (int64_t)size, memory_order_relaxed);
            return;
        }
    }
    dealloc_slow(p, nbytes);
}

int64_t ct_memory_allocated(void) { return atomic_load(&g_allocated); }

int64_t ct_max_memory_allocated(void) { return atomic_load(&g_peak); }

void ct_reset_peak_memory_stats(void) { atomic_store(&g_peak, atomic_load(&g_allocated)); }

int64_t ct_memory_reserved(void) {
    pthread_mutex_lock(&g_lock);
    int64_t v = atomic_load(&g_allocated) + (int64_t)g_cached + atomic_load(&g_thread_cached);
    pthread_mutex_unlock(&g_lock);
    return v;
}

void ct_empty_cache(void) {
    if (tl_cache) thread_cache_release(tl_cache); /* other threads keep their small caches */
    pthread_mutex_lock(&g_lock);
    free_block *all = NULL;
    for (size_t i = 0; i < NBUCKETS; i++) {
        while (g_buckets[i]) {
            free_block *b = g_buckets[i];
            g_buckets[i] = b->next;
            b->next = all;
            all = b;
        }
    }
    g_cached = 0;
    pthread_mutex_unlock(&g_lock);
    while (all) {
        free_block *next = all->next;
        free(all);
        all = next;
    }
}
