/* Sorting and selection on (key, index) pairs: libstdc++'s algorithms
 * reproduced move for move (see sort.h), plus TH's quick_select. */
#include "kernels/cpu/sort.h"

#include <math.h>
#include <string.h>

/* ---- the orders ---------------------------------------------------------- */
#define DEF_ORDERS(S, K, ISNAN)                                                                        \
    static bool asc_##S(const ct__kv *a, const ct__kv *b) {                                            \
        return (!ISNAN(a->K) && ISNAN(b->K)) || a->K < b->K;                                          \
    }                                                                                                  \
    static bool desc_##S(const ct__kv *a, const ct__kv *b) {                                           \
        return (ISNAN(a->K) && !ISNAN(b->K)) || a->K > b->K;                                          \
    }                                                                                                  \
    static bool less_##S(const ct__kv *a, const ct__kv *b) { return a->K < b->K; }                    \
    static bool less_idx_##S(const ct__kv *a, const ct__kv *b) {                                       \
        return a->K < b->K || (a->K == b->K && a->idx < b->idx);                                       \
    }                                                                                                  \
    static bool nanlast_idx_##S(const ct__kv *a, const ct__kv *b) {                                    \
        return a->K < b->K || (a->K == b->K && a->idx < b->idx) || (ISNAN(b->K) && !ISNAN(a->K));      \
    }                                                                                                  \
    static bool nanlast_##S(const ct__kv *a, const ct__kv *b) {                                        \
        return a->K < b->K || (ISNAN(b->K) && !ISNAN(a->K));                                           \
    }

#define NAN_F(x) isnan(x)
#define NAN_I(x) ((void)(x), false)
DEF_ORDERS(f, f, NAN_F)
DEF_ORDERS(i, i, NAN_I)

ct__kv_less ct__kv_comparator(ct__kv_order order, bool floating) {
    switch (order) {
    case CT__ORD_ASC: return floating ? asc_f : asc_i;
    case CT__ORD_DESC:
    case CT__ORD_GT_OR_NAN: return floating ? desc_f : desc_i;
    case CT__ORD_LESS: return floating ? less_f : less_i;
    case CT__ORD_LESS_IDX: return floating ? less_idx_f : less_idx_i;
    case CT__ORD_NANLAST_IDX: return floating ? nanlast_idx_f : nanlast_idx_i;
    case CT__ORD_NANLAST: return floating ? nanlast_f : nanlast_i;
    }
    return less_f;
}

/* ---- libstdc++ building blocks ------------------------------------------- */
static inline void kv_swap(ct__kv *a, ct__kv *b) {
    ct__kv t = *a;
    *a = *b;
    *b = t;
}

static int64_t lg(int64_t n) {
    int64_t r = 0;
    while (n > 1) n >>= 1, r++;
    return r;
}

/* __push_heap: comp(*(first + parent), value) */
static void push_heap(ct__kv *first, int64_t hole, int64_t top, ct__kv value, ct__kv_less less) {
    int64_t parent = (hole - 1) / 2;
    while (hole > top && less(first + parent, &value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void adjust_heap(ct__kv *first, int64_t hole, int64_t len, ct__kv value, ct__kv_less less) {
    const int64_t top = hole;
    int64_t child = hole;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (less(first + child, first + (child - 1))) child--;
        first[hole] = first[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        first[hole] = first[child - 1];
        hole = child - 1;
    }
    push_heap(first, hole, top, value, less);
}

static void make_heap(ct__kv *first, int64_t len, ct__kv_less less) {
    if (len < 2) return;
    int64_t parent = (len - 2) / 2;
    for (;;) {
        ct__kv value = first[parent];
        adjust_heap(first, parent, len, value, less);
        if (parent == 0) return;
        parent--;
    }
}

/* __pop_heap(first, last, result) */
static void pop_heap(ct__kv *first, int64_t len, ct__kv *result, ct__kv_less less) {
    ct__kv value = *result;
    *result = *first;
    adjust_heap(first, 0, len, value, less);
}

static void heap_select(ct__kv *first, int64_t middle, int64_t last, ct__kv_less less) {
    make_heap(first, middle, less);
    for (int64_t i = middle; i < last; i++)
        if (less(first + i, first)) pop_heap(first, middle, first + i, less);
}

static void sort_heap(ct__kv *first, int64_t len, ct__kv_less less) {
    while (len > 1) {
        --len;
        pop_heap(first, len, first + len, less);
    }
}

static void move_median_to_first(ct__kv *result, ct__kv *a, ct__kv *b, ct__kv *c, ct__kv_less less) {
    if (less(a, b)) {
        if (less(b, c)) kv_swap(result, b);
        else if (less(a, c)) kv_swap(result, c);
        else kv_swap(result, a);
    } else if (less(a, c)) {
        kv_swap(result, a);
    } else if (less(b, c)) {
        kv_swap(result, c);
    } else {
        kv_swap(result, b);
    }
}

/* __unguarded_partition(first, last, pivot). The pivot is a sentinel only
 * under a strict weak order; the bounds guards change nothing then, and keep
 * plain '<' with NaN (where libstdc++ is undefined) inside the array. */
static ct__kv *unguarded_partition(ct__kv *first, ct__kv *last, ct__kv *pivot, ct__kv *lo, ct__kv *hi,
                                   ct__kv_less less) {
    for (;;) {
        while (first < hi && less(first, pivot)) ++first;
        --last;
        while (last > lo && less(pivot, last)) --last;
        if (!(first < last)) return first;
        kv_swap(first, last);
        ++first;
    }
}

static ct__kv *unguarded_partition_pivot(ct__kv *first, ct__kv *last, ct__kv_less less) {
    ct__kv *mid = first + (last - first) / 2;
    move_median_to_first(first, first + 1, mid, last - 1, less);
    return unguarded_partition(first + 1, last, first, first, last, less);
}

/* __unguarded_linear_insert; lo guards against non-strict orders only. */
static void unguarded_linear_insert(ct__kv *last, ct__kv *lo, ct__kv_less less) {
    ct__kv val = *last;
    ct__kv *next = last - 1;
    while (next >= lo && less(&val, next)) {
        *last = *next;
        last = next;
        --next;
    }
    *last = val;
}

static void insertion_sort(ct__kv *first, ct__kv *last, ct__kv_less less) {
    if (first == last) return;
    for (ct__kv *i = first + 1; i != last; ++i) {
        if (less(i, first)) {
            ct__kv val = *i;
            memmove(first + 1, first, (size_t)(i - first) * sizeof *first);
            *first = val;
        } else {
            unguarded_linear_insert(i, first, less);
        }
    }
}

enum { S_THRESHOLD = 16 };

static void introsort_loop(ct__kv *first, ct__kv *last, int64_t depth, ct__kv_less less) {
    while (last - first > S_THRESHOLD) {
        if (depth == 0) {
            heap_select(first, last - first, last - first, less);
            sort_heap(first, last - first, less);
            return;
        }
        --depth;
        ct__kv *cut = unguarded_partition_pivot(first, last, less);
        introsort_loop(cut, last, depth, less);
        last = cut;
    }
}

static void final_insertion_sort(ct__kv *first, ct__kv *last, ct__kv_less less) {
    if (last - first > S_THRESHOLD) {
        insertion_sort(first, first + S_THRESHOLD, less);
        for (ct__kv *i = first + S_THRESHOLD; i != last; ++i) unguarded_linear_insert(i, first, less);
    } else {
        insertion_sort(first, last, less);
    }
}

void ct__std_sort(ct__kv *v, int64_t n, ct__kv_less less) {
    if (n <= 0) return;
    introsort_loop(v, v + n, lg(n) * 2, less);
    final_insertion_sort(v, v + n, less);
}

void ct__std_partial_sort(ct__kv *v, int64_t mid, int64_t n, ct__kv_less less) {
    heap_select(v, mid, n, less);
    sort_heap(v, mid, less);
}

void ct__std_nth_element(ct__kv *v, int64_t nth, int64_t n, ct__kv_less less) {
    if (n == 0 || nth == n) return;
    ct__kv *first = v, *last = v + n, *pnth = v + nth;
    int64_t depth = lg(n) * 2;
    while (last - first > 3) {
        if (depth == 0) {
            heap_select(first, pnth + 1 - first, last - first, less);
            kv_swap(first, pnth);
            return;
        }
        --depth;
        ct__kv *cut = unguarded_partition_pivot(first, last, less);
        if (cut <= pnth) first = cut;
        else last = cut;
    }
    insertion_sort(first, last, less);
}

/* Any stable sort gives std::stable_sort's result: a bottom-up merge sort. */
void ct__stable_sort(ct__kv *v, int64_t n, ct__kv_less less, ct__kv *tmp) {
    ct__kv *src = v, *dst = tmp;
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) dst[o++] = less(src + j, src + i) ? src[j++] : src[i++];
            while (i < mid) dst[o++] = src[i++];
            while (j < hi) dst[o++] = src[j++];
        }
        ct__kv *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, (size_t)n * sizeof *v);
}

void ct__th_quick_select(ct__kv *arr, int64_t n, int64_t k, ct__kv_less gt) {
    int64_t P, L = 0, R = n - 1, i, j;
    for (;;) {
        if (R <= L) return;
        if (R == L + 1) {
            if (gt(arr + L, arr + R)) kv_swap(arr + L, arr + R);
            return;
        }
        P = (L + R) >> 1;
        kv_swap(arr + P, arr + L + 1);
        if (gt(arr + L + 1, arr + R)) kv_swap(arr + L + 1, arr + R);
        if (gt(arr + L, arr + R)) kv_swap(arr + L, arr + R);
        if (gt(arr + L + 1, arr + L)) kv_swap(arr + L + 1, arr + L);
        i = L + 1;
        j = R;
        ct__kv piv = arr[L];
        for (;;) {
            do i++;
            while (i < n - 1 && gt(&piv, arr + i));
            do j--;
            while (j > 0 && gt(arr + j, &piv));
            if (j < i) break;
            kv_swap(arr + i, arr + j);
        }
        kv_swap(arr + L, arr + j);
        if (j <= k) L = i;
        if (j >= k) R = j - 1;
    }
}
