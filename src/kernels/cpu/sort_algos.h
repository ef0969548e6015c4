/* Internal template, included by sort.c only: libstdc++'s sort, partial
 * sort, nth_element (GCC 12's bits/stl_algo.h, stl_heap.h) and a stable
 * merge sort, move for move, over elements of type SA_T compared by
 * SA_LESS(a, b) (pointers to elements). Instantiated once with the
 * generic (key, index) pairs and a comparator passed at run time, and
 * once per order for float32 keys with the comparator inlined: the same
 * comparisons and moves in the same sequence, so the same result.
 *
 * Parameters (#defined by the includer, #undef'd here at the end):
 *   SA_T           element type
 *   SA_FN(name)    the name of a function of this instance
 *   SA_LESS(a, b)  the strict order (may use SA_CMP_ARG)
 *   SA_CMP_PARAM   extra trailing parameter, e.g. `, ct__kv_less less` (or empty)
 *   SA_CMP_ARG     the matching argument, e.g. `, less` (or empty) */

static inline void SA_FN(swap)(SA_T *a, SA_T *b) {
    SA_T t = *a;
    *a = *b;
    *b = t;
}

/* __push_heap: comp(*(first + parent), value) */
static inline void SA_FN(push_heap)(SA_T *first, int64_t hole, int64_t top, SA_T value SA_CMP_PARAM) {
    int64_t parent = (hole - 1) / 2;
    while (hole > top && SA_LESS(first + parent, &value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void SA_FN(adjust_heap)(SA_T *first, int64_t hole, int64_t len, SA_T value SA_CMP_PARAM) {
    const int64_t top = hole;
    int64_t child = hole;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (SA_LESS(first + child, first + (child - 1))) child--;
        first[hole] = first[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        first[hole] = first[child - 1];
        hole = child - 1;
    }
    SA_FN(push_heap)(first, hole, top, value SA_CMP_ARG);
}

static void SA_FN(make_heap)(SA_T *first, int64_t len SA_CMP_PARAM) {
    if (len < 2) return;
    int64_t parent = (len - 2) / 2;
    for (;;) {
        SA_T value = first[parent];
        SA_FN(adjust_heap)(first, parent, len, value SA_CMP_ARG);
        if (parent == 0) return;
        parent--;
    }
}

/* __pop_heap(first, last, result) */
static inline void SA_FN(pop_heap)(SA_T *first, int64_t len, SA_T *result SA_CMP_PARAM) {
    SA_T value = *result;
    *result = *first;
    SA_FN(adjust_heap)(first, 0, len, value SA_CMP_ARG);
}

static void SA_FN(heap_select)(SA_T *first, int64_t middle, int64_t last SA_CMP_PARAM) {
    SA_FN(make_heap)(first, middle SA_CMP_ARG);
    for (int64_t i = middle; i < last; i++)
        if (SA_LESS(first + i, first)) SA_FN(pop_heap)(first, middle, first + i SA_CMP_ARG);
}

static void SA_FN(sort_heap)(SA_T *first, int64_t len SA_CMP_PARAM) {
    while (len > 1) {
        --len;
        SA_FN(pop_heap)(first, len, first + len SA_CMP_ARG);
    }
}

static inline void SA_FN(move_median_to_first)(SA_T *result, SA_T *a, SA_T *b, SA_T *c SA_CMP_PARAM) {
    if (SA_LESS(a, b)) {
        if (SA_LESS(b, c)) SA_FN(swap)(result, b);
        else if (SA_LESS(a, c)) SA_FN(swap)(result, c);
        else SA_FN(swap)(result, a);
    } else if (SA_LESS(a, c)) {
        SA_FN(swap)(result, a);
    } else if (SA_LESS(b, c)) {
        SA_FN(swap)(result, c);
    } else {
        SA_FN(swap)(result, b);
    }
}

/* __unguarded_partition(first, last, pivot). The pivot is a sentinel only
 * under a strict weak order; the bounds guards change nothing then, and keep
 * plain '<' with NaN (where libstdc++ is undefined) inside the array. */
static inline SA_T *SA_FN(unguarded_partition)(SA_T *first, SA_T *last, SA_T *pivot, SA_T *lo, SA_T *hi SA_CMP_PARAM) {
    for (;;) {
        while (first < hi && SA_LESS(first, pivot)) ++first;
        --last;
        while (last > lo && SA_LESS(pivot, last)) --last;
        if (!(first < last)) return first;
        SA_FN(swap)(first, last);
        ++first;
    }
}

static SA_T *SA_FN(unguarded_partition_pivot)(SA_T *first, SA_T *last SA_CMP_PARAM) {
    SA_T *mid = first + (last - first) / 2;
    SA_FN(move_median_to_first)(first, first + 1, mid, last - 1 SA_CMP_ARG);
    return SA_FN(unguarded_partition)(first + 1, last, first, first, last SA_CMP_ARG);
}

/* __unguarded_linear_insert; lo guards against non-strict orders only. */
static inline void SA_FN(unguarded_linear_insert)(SA_T *last, SA_T *lo SA_CMP_PARAM) {
    SA_T val = *last;
    SA_T *next = last - 1;
    while (next >= lo && SA_LESS(&val, next)) {
        *last = *next;
        last = next;
        --next;
    }
    *last = val;
}

static void SA_FN(insertion_sort)(SA_T *first, SA_T *last SA_CMP_PARAM) {
    if (first == last) return;
    for (SA_T *i = first + 1; i != last; ++i) {
        if (SA_LESS(i, first)) {
            SA_T val = *i;
            memmove(first + 1, first, (size_t)(i - first) * sizeof *first);
            *first = val;
        } else {
            SA_FN(unguarded_linear_insert)(i, first SA_CMP_ARG);
        }
    }
}

static void SA_FN(introsort_loop)(SA_T *first, SA_T *last, int64_t depth SA_CMP_PARAM) {
    while (last - first > S_THRESHOLD) {
        if (depth == 0) {
            SA_FN(heap_select)(first, last - first, last - first SA_CMP_ARG);
            SA_FN(sort_heap)(first, last - first SA_CMP_ARG);
            return;
        }
        --depth;
        SA_T *cut = SA_FN(unguarded_partition_pivot)(first, last SA_CMP_ARG);
        SA_FN(introsort_loop)(cut, last, depth SA_CMP_ARG);
        last = cut;
    }
}

static void SA_FN(final_insertion_sort)(SA_T *first, SA_T *last SA_CMP_PARAM) {
    if (last - first > S_THRESHOLD) {
        SA_FN(insertion_sort)(first, first + S_THRESHOLD SA_CMP_ARG);
        for (SA_T *i = first + S_THRESHOLD; i != last; ++i) SA_FN(unguarded_linear_insert)(i, first SA_CMP_ARG);
    } else {
        SA_FN(insertion_sort)(first, last SA_CMP_ARG);
    }
}

/* std::sort */
static void SA_FN(sort)(SA_T *v, int64_t n SA_CMP_PARAM) {
    if (n <= 0) return;
    SA_FN(introsort_loop)(v, v + n, lg(n) * 2 SA_CMP_ARG);
    SA_FN(final_insertion_sort)(v, v + n SA_CMP_ARG);
}

/* std::partial_sort */
static void SA_FN(partial_sort)(SA_T *v, int64_t mid, int64_t n SA_CMP_PARAM) {
    SA_FN(heap_select)(v, mid, n SA_CMP_ARG);
    SA_FN(sort_heap)(v, mid SA_CMP_ARG);
}

/* std::nth_element */
static void SA_FN(nth_element)(SA_T *v, int64_t nth, int64_t n SA_CMP_PARAM) {
    if (n == 0 || nth == n) return;
    SA_T *first = v, *last = v + n, *pnth = v + nth;
    int64_t depth = lg(n) * 2;
    while (last - first > 3) {
        if (depth == 0) {
            SA_FN(heap_select)(first, pnth + 1 - first, last - first SA_CMP_ARG);
            SA_FN(swap)(first, pnth);
            return;
        }
        --depth;
        SA_T *cut = SA_FN(unguarded_partition_pivot)(first, last SA_CMP_ARG);
        if (cut <= pnth) first = cut;
        else last = cut;
    }
    SA_FN(insertion_sort)(first, last SA_CMP_ARG);
}

/* Any stable sort gives std::stable_sort's result: a bottom-up merge sort. */
static void SA_FN(stable_sort)(SA_T *v, int64_t n, SA_T *tmp SA_CMP_PARAM) {
    SA_T *src = v, *dst = tmp;
    for (int64_t w = 1; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi) dst[o++] = SA_LESS(src + j, src + i) ? src[j++] : src[i++];
            while (i < mid) dst[o++] = src[i++];
            while (j < hi) dst[o++] = src[j++];
        }
        SA_T *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, (size_t)n * sizeof *v);
}

#undef SA_T
#undef SA_FN
#undef SA_LESS
#undef SA_CMP_PARAM
#undef SA_CMP_ARG
