/* Internal: the caching allocator behind every storage (public side:
 * ctorch/memory.h). Blocks are 64-byte aligned. */
#ifndef CT_BASE_ALLOCATOR_H
#define CT_BASE_ALLOCATOR_H

#include <stddef.h>

/* A block of at least nbytes, 64-byte aligned; NULL for nbytes == 0 (not an
 * error) and NULL with the out-of-memory error set on failure. */
void *ct__alloc(size_t nbytes);
/* Give back a block from ct__alloc with the same nbytes. NULL is a no-op. */
void ct__dealloc(void *p, size_t nbytes);

/* Zeroed memory for a library object (tensor handle, storage, graph node):
 * from the calling thread's small-block cache when it has one, not counted
 * in ct_memory_allocated. NULL with the out-of-memory error set on failure.
 * Free with ct__obj_free and the same nbytes. */
void *ct__obj_alloc(size_t nbytes);
void ct__obj_free(void *p, size_t nbytes);

#endif
