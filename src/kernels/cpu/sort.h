/* Internal: the sorting and selection algorithms behind src/ops/sort.c.
 *
 * PyTorch 1.13.1's CPU kernels call libstdc++'s std::sort, std::partial_sort
 * and std::nth_element on (value, index) pairs, and TH's quick_select for
 * kthvalue. Which index wins among equal values is decided by the exact
 * sequence of comparisons and moves of those algorithms, so they are
 * reproduced here step by step (GCC 12's bits/stl_algo.h, stl_heap.h). */
#ifndef CT_KERNELS_CPU_SORT_H
#define CT_KERNELS_CPU_SORT_H

#include <stdbool.h>
#include <stdint.h>

/* One element: its key (f for floating dtypes, i for integral and bool)
 * and its position along the sorted dimension. */
typedef struct ct__kv {
    double f;
    int64_t i;
    int64_t idx;
} ct__kv;

/* The strict orders PyTorch's kernels use. */
typedef enum ct__kv_order {
    CT__ORD_ASC,          /* sort/topk smallest: (!nan(a) && nan(b)) || a < b */
    CT__ORD_DESC,         /* sort/topk largest:  (nan(a) && !nan(b)) || a > b */
    CT__ORD_LESS,         /* plain a < b (mode, median of all elements) */
    CT__ORD_LESS_IDX,     /* a < b || (a == b && ia < ib) (median along a dim) */
    CT__ORD_NANLAST_IDX,  /* nanmedian along a dim: LESS_IDX || (nan(b) && !nan(a)) */
    CT__ORD_NANLAST,      /* nanmedian of all elements: a < b || (nan(b) && !nan(a)) */
    CT__ORD_GT_OR_NAN     /* kthvalue's quick_select: (nan(a) && !nan(b)) || a > b */
} ct__kv_order;

typedef bool (*ct__kv_less)(const ct__kv *a, const ct__kv *b);

/* The comparison for an order on floating (f) or integral (i) keys. */
ct__kv_less ct__kv_comparator(ct__kv_order order, bool floating);

/* std::sort(v, v + n, less) */
void ct__std_sort(ct__kv *v, int64_t n, ct__kv_less less);
/* std::stable_sort(v, v + n, less); tmp holds n elements. */
void ct__stable_sort(ct__kv *v, int64_t n, ct__kv_less less, ct__kv *tmp);
/* std::partial_sort(v, v + mid, v + n, less) */
void ct__std_partial_sort(ct__kv *v, int64_t mid, int64_t n, ct__kv_less less);
/* std::nth_element(v, v + nth, v + n, less) */
void ct__std_nth_element(ct__kv *v, int64_t nth, int64_t n, ct__kv_less less);
/* A float32 key and its position (< 2^31) along the sorted dimension. */
typedef struct ct__kf {
    float f;
    int32_t idx;
} ct__kf;

/* ct__std_sort (stable: ct__stable_sort, tmp holds n elements) with
 * CT__ORD_DESC (descending) or CT__ORD_ASC on float32 keys: the same
 * comparisons and moves, the order inlined. */
void ct__sort_f32(ct__kf *v, int64_t n, bool descending, bool stable, ct__kf *tmp);
/* topk's selection on one slice (TopKImpl.h): for k * 64 <= n
 * std::partial_sort of the first k, else std::nth_element at k - 1 and
 * (sorted) std::sort of the first k - 1; order CT__ORD_DESC (largest) or
 * CT__ORD_ASC. The k results are v[0..k). */
void ct__topk_f32(ct__kf *v, int64_t n, int64_t k, bool largest, bool sorted);
/* TH's quick_select_template (Sedgewick) as kthvalue uses it: afterwards
 * v[k] is the k-th smallest under gt_or_nan. */
void ct__th_quick_select(ct__kv *v, int64_t n, int64_t k, ct__kv_less gt_or_nan);

#endif
