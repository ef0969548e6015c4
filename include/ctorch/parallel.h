/* ctorch/parallel.h — intra-op threads (OpenMP underneath). */
#ifndef CTORCH_PARALLEL_H
#define CTORCH_PARALLEL_H

#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.set_num_threads: n >= 1, else an error and nothing changes. */
CT_NODISCARD int ct_set_num_threads(int n);
/* torch.get_num_threads. */
int ct_get_num_threads(void);

/* fn(begin, end, ctx) is called on disjoint chunks that cover [begin, end).
 * Runs on the calling thread alone when end - begin <= grain_size, when
 * already inside a parallel region, or with one thread; otherwise the range
 * is split into at most ct_get_num_threads() chunks of at least grain_size
 * (at::parallel_for's contract). grain_size < 1 is taken as 1. */
typedef void (*ct_parallel_fn)(int64_t begin, int64_t end, void *ctx);
void ct_parallel_for(int64_t begin, int64_t end, int64_t grain_size, ct_parallel_fn fn, void *ctx);

/* The grain most elementwise kernels use (at::internal::GRAIN_SIZE). */
#define CT_GRAIN_SIZE 32768

#ifdef __cplusplus
}
#endif
#endif
