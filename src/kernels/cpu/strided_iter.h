/* Internal: the strided iterator that every elementwise kernel runs on
 * (PyTorch's TensorIterator, reduced to its loop): operands share one
 * iteration shape (broadcast operands have stride 0), dimensions that are
 * contiguous with each other for every operand are merged, and a 1-D inner
 * loop is called on runs of the innermost dimension. */
#ifndef CT_KERNELS_CPU_STRIDED_ITER_H
#define CT_KERNELS_CPU_STRIDED_ITER_H

#include <stdint.h>

#include "ctorch/tensor.h"

#define CT_ITER_MAX_OPERANDS 4

typedef struct ct_strided_iter {
    int noperands;
    int ndim; /* after coalescing; 0 means a single element */
    int64_t sizes[CT_MAX_DIMS];
    int64_t strides[CT_ITER_MAX_OPERANDS][CT_MAX_DIMS]; /* in bytes */
    char *data[CT_ITER_MAX_OPERANDS];
} ct_strided_iter;

/* data[k] + byte_strides[k] * i addresses element i of operand k. */
typedef void (*ct_loop1d_fn)(char **data, const int64_t *byte_strides, int64_t n, void *ctx);

/* Fill an iterator: shape (ndim, sizes); for each operand its base pointer,
 * its element strides over that shape (0 where broadcast) and itemsize.
 * Coalesces dimensions. */
void ct__iter_init(ct_strided_iter *it, int ndim, const int64_t *sizes, int noperands, char *const *data,
                   const int64_t *const *elem_strides, const int64_t *itemsizes);

/* Run fn over every element, serially, in row-major order of the shape. */
void ct__iter_run(const ct_strided_iter *it, ct_loop1d_fn fn, void *ctx);

/* Run fn over every element, splitting the work across threads when there
 * are more than grain elements (fn must be safe for disjoint output
 * ranges). Order of calls is unspecified: dims are reordered so that
 * operand 0's smallest strides are innermost (TensorIterator's
 * reorder_dimensions) and merged again, and when an operand walks the two
 * innermost dims against its memory order (a transpose) they are visited in
 * 32x32 tiles. */
void ct__iter_run_parallel(const ct_strided_iter *it, int64_t grain, ct_loop1d_fn fn, void *ctx);

int64_t ct__iter_numel(const ct_strided_iter *it);

/* Which inner loop the elementwise kernels (binary.c, unary.c) ran, counted
 * per calling thread: a contiguous run of every operand, a contiguous run
 * against one broadcast scalar, or the generic strided loop. The fast-path
 * guard (tests/bench/test_fast_paths.c) reads them: a contiguous add that
 * lands in `strided` is a silent slowdown. */
typedef struct ct_loop_stats {
    int64_t contiguous, scalar, strided;
} ct_loop_stats;
extern _Thread_local ct_loop_stats ct__loop_stats;

/* Contiguous inner loops are compiled twice, for x86-64-v3 (AVX2 + FMA) and
 * for the baseline, and picked at load time by the CPU (an ifunc): the
 * build runs on any x86-64. Elementwise IEEE arithmetic gives the same bits
 * either way (-ffp-contract=off still holds; fma() is only where written). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define CT_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CT_SIMD_CLONES
#endif

#endif
