/* ctorch/parallel.h — intra-op threads: a ctorch-owned pthread pool.
 *
 * The pool (num_threads - 1 workers plus the calling thread) is created on
 * the first parallel call; idle workers spin for ~50 µs, then sleep on a
 * futex (CTORCH_SPIN_US=<µs> in the environment changes the spin, 0 = sleep
 * at once). The default thread count is OMP_NUM_THREADS if set, else the CPUs
 * this process may run on. Workers are joined at exit; a forked child starts
 * a fresh pool. */
#ifndef CTORCH_PARALLEL_H
#define CTORCH_PARALLEL_H

#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.set_num_threads: n >= 1, else an error and nothing changes. Extra
 * workers are stopped at once, missing ones started by the next parallel call.
 * n above 1024 is taken as 1024. */
CT_NODISCARD int ct_set_num_threads(int n);
/* torch.get_num_threads. */
int ct_get_num_threads(void);

/* fn(begin, end, ctx) is called on disjoint chunks that cover [begin, end).
 * Runs on the calling thread alone when end - begin <= grain_size, when
 * already inside a parallel region (nested calls are serial), with one
 * thread, or while another thread of the program is using the pool;
 * otherwise the range is split into nchunks = min(ceil(n / grain_size),
 * ct_get_num_threads()) chunks of ceil(n / nchunks) elements, the last one
 * shorter (at::parallel_for's contract; the boundaries depend only on n,
 * grain_size and the thread count, so results are reproducible). The caller
 * runs chunks too and returns when all are done. grain_size < 1 is taken
 * as 1. */
typedef void (*ct_parallel_fn)(int64_t begin, int64_t end, void *ctx);
void ct_parallel_for(int64_t begin, int64_t end, int64_t grain_size, ct_parallel_fn fn, void *ctx);

/* The grain most elementwise kernels use (at::internal::GRAIN_SIZE). */
#define CT_GRAIN_SIZE 32768

#ifdef __cplusplus
}
#endif
#endif
