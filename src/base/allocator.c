/* Caching allocator: freed blocks are kept in free lists keyed by their
 * rounded size and handed out again, so a training loop that allocates the
 * same shapes every step stops calling malloc after the first step.
 *
 * Sizes round up to 64 bytes below 1 MiB and to 64 KiB above, to let
 * nearly-equal large requests share blocks. The cache holds at most
 * CACHE_LIMIT bytes; beyond, blocks go back to the system. Caching is off
 * under AddressSanitizer (reuse would hide use-after-free) or with
 * CTORCH_NO_CACHING_ALLOCATOR=1. */
#include <pthread.h>
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
static size_t g_cached;
static int64_t g_allocated, g_peak;
static int g_caching = -1; /* -1: not decided yet */

static size_t round_size(size_t n) {
    size_t g = n < ((size_t)1 << 20) ? ALIGNMENT : ((size_t)64 << 10);
    return (n + g - 1) / g * g;
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

void *ct__alloc(size_t nbytes) {
    if (nbytes == 0) return NULL;
    if (nbytes > SIZE_MAX / 2) {
        ct__error_oom(nbytes);
        return NULL;
    }
    size_t size = round_size(nbytes);
    void *p = NULL;
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
    pthread_mutex_lock(&g_lock);
    g_allocated += (int64_t)size;
    if (g_allocated > g_peak) g_peak = g_allocated;
    pthread_mutex_unlock(&g_lock);
    return p;
}

void ct__dealloc(void *p, size_t nbytes) {
    if (!p) return;
    size_t size = round_size(nbytes);
    pthread_mutex_lock(&g_lock);
    g_allocated -= (int64_t)size;
    if (caching_enabled() && g_cached + size <= CACHE_LIMIT) {
        free_block *b = p;
        b->size = size;
        b->next = g_buckets[bucket_of(size)];
        g_buckets[bucket_of(size)] = b;
        g_cached += size;
        p = NULL;
    }
    pthread_mutex_unlock(&g_lock);
    free(p);
}

int64_t ct_memory_allocated(void) {
    pthread_mutex_lock(&g_lock);
    int64_t v = g_allocated;
    pthread_mutex_unlock(&g_lock);
    return v;
}

int64_t ct_max_memory_allocated(void) {
    pthread_mutex_lock(&g_lock);
    int64_t v = g_peak;
    pthread_mutex_unlock(&g_lock);
    return v;
}

void ct_reset_peak_memory_stats(void) {
    pthread_mutex_lock(&g_lock);
    g_peak = g_allocated;
    pthread_mutex_unlock(&g_lock);
}

int64_t ct_memory_reserved(void) {
    pthread_mutex_lock(&g_lock);
    int64_t v = g_allocated + (int64_t)g_cached;
    pthread_mutex_unlock(&g_lock);
    return v;
}

void ct_empty_cache(void) {
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
