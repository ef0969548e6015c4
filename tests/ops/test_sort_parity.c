/* Sorting and selection against tests/parity/data/sort.txt (gen_sort.py,
 * PyTorch 1.13.1): values, the indices chosen among ties and NaNs, errors,
 * grad_fn names, gradients, gradcheck and gradgradcheck (float64). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

/* "<op>_values" / "<op>_indices": one output of a two-output op. */
static ct_tensor *pick(int rc, ct_tensor **vp, ct_tensor **ip, bool want_indices) {
    ct_tensor *v = *vp, *i = *ip;
    if (rc != CT_OK) return NULL;
    if (want_indices) {
        ct_free(v);
        return i;
    }
    ct_free(i);
    return v;
}

static bool is(const char *op, const char *base, bool *indices) {
    size_t n = strlen(base);
    if (strncmp(op, base, n)) return false;
    if (!strcmp(op + n, "_values")) return *indices = false, true;
    if (!strcmp(op + n, "_indices")) return *indices = true, true;
    return false;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    ct_tensor *x = in[0], *v = NULL, *i = NULL;
    bool ind;
    if (!strcmp(op, "max")) return ct_max(x);
    if (!strcmp(op, "min")) return ct_min(x);
    if (!strcmp(op, "median")) return ct_median(x);
    if (!strcmp(op, "nanmedian")) return ct_nanmedian(x);
    if (!strcmp(op, "argmax")) return ct_argmax(x);
    if (!strcmp(op, "argmin")) return ct_argmin(x);
    if (!strcmp(op, "argmax_dim")) return ct_argmax_dim(x, (int)a[0], a[1] != 0);
    if (!strcmp(op, "argmin_dim")) return ct_argmin_dim(x, (int)a[0], a[1] != 0);
    if (!strcmp(op, "argsort")) return ct_argsort(x, (int)a[0], a[1] != 0);
    if (!strcmp(op, "argsort_stable")) return ct_argsort_stable(x, a[0] != 0, (int)a[1], a[2] != 0);
    if (!strcmp(op, "msort")) return ct_msort(x);
    if (is(op, "max_dim", &ind)) return pick(ct_max_dim(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    if (is(op, "min_dim", &ind)) return pick(ct_min_dim(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    if (is(op, "median_dim", &ind)) return pick(ct_median_dim(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    if (is(op, "nanmedian_dim", &ind)) return pick(ct_nanmedian_dim(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    if (is(op, "mode", &ind)) return pick(ct_mode(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    if (is(op, "kthvalue", &ind))
        return pick(ct_kthvalue(x, (int64_t)a[0], (int)a[1], a[2] != 0, &v, &i), &v, &i, ind);
    if (is(op, "topk", &ind))
        return pick(ct_topk(x, (int64_t)a[0], (int)a[1], a[2] != 0, a[3] != 0, &v, &i), &v, &i, ind);
    if (is(op, "sort_stable", &ind))
        return pick(ct_sort_stable(x, a[0] != 0, (int)a[1], a[2] != 0, &v, &i), &v, &i, ind);
    if (is(op, "sort", &ind)) return pick(ct_sort(x, (int)a[0], a[1] != 0, &v, &i), &v, &i, ind);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(sort, parity_values_indices_gradients) {
    cr_assert_gt(op_harness_run("sort.txt", run_op, NULL), 1000);
}
