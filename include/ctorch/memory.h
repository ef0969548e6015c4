/* ctorch/memory.h — the caching allocator's accounting.
 *
 * Tensor storage comes from a caching allocator: freed blocks are kept for
 * reuse (per rounded size) instead of being returned to the system, as
 * PyTorch's CUDA allocator does. Counts are in bytes of the rounded block
 * sizes handed to live storages (64-byte granularity), process-wide. */
#ifndef CTORCH_MEMORY_H
#define CTORCH_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* torch.cuda.memory_allocated: bytes held by live storages now. */
int64_t ct_memory_allocated(void);
/* torch.cuda.max_memory_allocated: the peak since start or the last reset. */
int64_t ct_max_memory_allocated(void);
/* torch.cuda.reset_peak_memory_stats: peak := current. */
void ct_reset_peak_memory_stats(void);
/* torch.cuda.memory_reserved: allocated + kept in the cache. */
int64_t ct_memory_reserved(void);
/* torch.cuda.empty_cache: return every cached free block to the system.
 * Other threads keep the small blocks (<= 16 KiB, at most 16 per size)
 * in their own lock-free caches until they end. */
void ct_empty_cache(void);

#ifdef __cplusplus
}
#endif
#endif
