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

/* ---- libstdc++'s algorithms (sort_algos.h) -------------------------------- */
static int64_t lg(int64_t n) {
    int64_t r = 0;
    while (n > 1) n >>= 1, r++;
    return r;
}

enum { S_THRESHOLD = 16 };

/* generic pairs, the order passed at run time */
#define SA_T ct__kv
#define SA_FN(name) kv_##name
#define SA_LESS(a, b) less(a, b)
#define SA_CMP_PARAM , ct__kv_less less
#define SA_CMP_ARG , less
#include "kernels/cpu/sort_algos.h"

void ct__std_sort(ct__kv *v, int64_t n, ct__kv_less less) { kv_sort(v, n, less); }
void ct__std_partial_sort(ct__kv *v, int64_t mid, int64_t n, ct__kv_less less) { kv_partial_sort(v, mid, n, less); }
void ct__std_nth_element(ct__kv *v, int64_t nth, int64_t n, ct__kv_less less) { kv_nth_element(v, nth, n, less); }
void ct__stable_sort(ct__kv *v, int64_t n, ct__kv_less less, ct__kv *tmp) { kv_stable_sort(v, n, tmp, less); }

/* float32 keys, sort / topk's two orders inlined (asc_f / desc_f on floats:
 * a float widened to double compares as itself) */
#define F32_ASC(a, b) ((!isnan((a)->f) && isnan((b)->f)) || (a)->f < (b)->f)
#define F32_DESC(a, b) ((isnan((a)->f) && !isnan((b)->f)) || (a)->f > (b)->f)
#define SA_T ct__kf
#define SA_FN(name) kf_asc_##name
#define SA_LESS(a, b) F32_ASC(a, b)
#define SA_CMP_PARAM
#define SA_CMP_ARG
#include "kernels/cpu/sort_algos.h"
#define SA_T ct__kf
#define SA_FN(name) kf_desc_##name
#define SA_LESS(a, b) F32_DESC(a, b)
#define SA_CMP_PARAM
#define SA_CMP_ARG
#include "kernels/cpu/sort_algos.h"

void ct__sort_f32(ct__kf *v, int64_t n, bool descending, bool stable, ct__kf *tmp) {
    if (stable) {
        if (descending) kf_desc_stable_sort(v, n, tmp);
        else kf_asc_stable_sort(v, n, tmp);
    } else {
        if (descending) kf_desc_sort(v, n);
        else kf_asc_sort(v, n);
    }
}

/* PyTorch's topk_impl_loop (TopKImpl.h) on one slice */
void ct__topk_f32(ct__kf *v, int64_t n, int64_t k, bool largest, bool sorted) {
    if (k == 0) return;
    if (k * 64 <= n) {
        if (largest) kf_desc_partial_sort(v, k, n);
        else kf_asc_partial_sort(v, k, n);
    } else {
        if (largest) kf_desc_nth_element(v, k - 1, n);
        else kf_asc_nth_element(v, k - 1, n);
        if (sorted) {
            if (largest) kf_desc_sort(v, k - 1);
            else kf_asc_sort(v, k - 1);
        }
    }
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
