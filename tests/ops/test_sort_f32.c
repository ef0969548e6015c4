/* float32 sort / topk on long slices against tests/parity/data/sort_f32.txt
 * (gen_sort_f32.py, PyTorch 1.13.1): the indices chosen among ties, NaNs and
 * signed zeros by ctorch's float32 path (ct__sort_f32 / ct__topk_f32: the
 * libstdc++ algorithms with the order inlined), on slices long enough for
 * introsort's partitions and heaps, at 1 and 2 threads; max / min along
 * long contiguous rows (float32, float64) with ties, -0, NaN and inf. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "kernels/cpu/sort.h"
#include "op_harness.h"

/* (v and i passed by address: read after the call that sets them) */
static ct_tensor *pick(int rc, ct_tensor **vp, ct_tensor **ip, bool want_indices) {
    ct_tensor *v = *vp, *i = *ip;
    if (rc != CT_OK) return NULL;
    ct_free(want_indices ? v : i);
    return want_indices ? i : v;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    ct_tensor *x = in[0], *v = NULL, *i = NULL;
    if (!strcmp(op, "sort_indices") || !strcmp(op, "sort_values"))
        return pick(ct_sort(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, op[5] == 'i');
    if (!strcmp(op, "sort_stable_indices"))
        return pick(ct_sort_stable(x, a[0] != 0, (int)a[1], a[2] != 0, &v, &i), &v, &i, true);
    if (!strcmp(op, "topk_indices") || !strcmp(op, "topk_values"))
        return pick(ct_topk(x, (int64_t)a[0], (int)a[1], a[2] != 0, a[3] != 0, &v, &i), &v, &i, op[5] == 'i');
    if (!strcmp(op, "max_dim_indices") || !strcmp(op, "max_dim_values"))
        return pick(ct_max_dim(x, (int)a[0], false, &v, &i), &v, &i, op[8] == 'i');
    if (!strcmp(op, "min_dim_indices") || !strcmp(op, "min_dim_values"))
        return pick(ct_min_dim(x, (int)a[0], false, &v, &i), &v, &i, op[8] == 'i');
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(sort_f32, parity_long_slices_one_thread) {
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    cr_assert_gt(op_harness_run("sort_f32.txt", run_op, NULL), 100);
}

Test(sort_f32, parity_long_slices_two_threads) {
    cr_assert_eq(ct_set_num_threads(2), CT_OK);
    cr_assert_gt(op_harness_run("sort_f32.txt", run_op, NULL), 100);
}

/* the float32 kernels against the generic pairs on the same slice: every
 * order, stable or not, topk through both of its paths */
Test(sort_f32, kernels_match_generic_pairs) {
    enum { N = 1500 };
    static ct__kv g[2 * N];
    static ct__kf f[2 * N];
    unsigned s = 12345;
    for (int rep = 0; rep < 8; rep++) {
        for (int t = 0; t < N; t++) {
            s = s * 1103515245u + 12345u;
            float v = (float)((s >> 16) % (rep < 4 ? 7u : 5000u));
            if ((s >> 8) % 29 == 0) v = NAN;
            if (v == 0 && (s & 1)) v = -0.0f;
            g[t] = (ct__kv){.f = v, .i = 0, .idx = t};
            f[t] = (ct__kf){.f = v, .idx = t};
        }
        bool desc = rep & 1, stable = rep & 2;
        ct__kv_less less = ct__kv_comparator(desc ? CT__ORD_DESC : CT__ORD_ASC, true);
        if (rep < 4) {
            if (stable) ct__stable_sort(g, N, less, g + N);
            else ct__std_sort(g, N, less);
            ct__sort_f32(f, N, desc, stable, f + N);
        } else {
            int64_t k = stable ? N / 64 : N / 3; /* partial sort / nth_element */
            if (k * 64 <= N) {
                ct__std_partial_sort(g, k, N, less);
            } else {
                ct__std_nth_element(g, k - 1, N, less);
                ct__std_sort(g, k - 1, less);
            }
            ct__topk_f32(f, N, k, desc, true);
        }
        for (int t = 0; t < N; t++) cr_assert_eq(f[t].idx, g[t].idx, "rep %d at %d", rep, t);
    }
}
