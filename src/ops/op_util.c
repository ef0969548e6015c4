/* Type promotion and helpers shared by the ops. */
#include <string.h>

#include "ops/op_util.h"

/* at::native::result_type: dimensioned tensors, then 0-dim tensors, then
 * wrapped numbers, combined by category (bool < integral < floating). */
static int category(ct_dtype d) { return d == CT_BOOL ? 0 : ct_dtype_is_floating_point(d) ? 2 : 1; }

static ct_dtype combine_categories(ct_dtype higher, ct_dtype lower) {
    if (higher == CT_DTYPE_DEFAULT) return lower;
    if (lower == CT_DTYPE_DEFAULT) return higher;
    if (ct_dtype_is_floating_point(higher)) return higher;
    if (higher == CT_BOOL || ct_dtype_is_floating_point(lower)) return ct_promote_types(higher, lower);
    return higher;
}

ct_dtype ct_result_type(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return CT_DTYPE_DEFAULT;
    ct_dtype dim = CT_DTYPE_DEFAULT, zero = CT_DTYPE_DEFAULT;
    const ct_tensor *ts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        ct_dtype *slot = ts[i]->ndim > 0 ? &dim : &zero;
        *slot = *slot == CT_DTYPE_DEFAULT ? ts[i]->dtype : ct_promote_types(*slot, ts[i]->dtype);
    }
    (void)category;
    return combine_categories(dim, zero);
}

ct_dtype ct__result_type_scalar(const ct_tensor *a) {
    /* a Python float is wrapped as the default dtype, lowest priority */
    return combine_categories(a->dtype, ct_get_default_dtype());
}

ct_tensor *ct__as_dtype(const ct_tensor *x, ct_dtype dtype) { return ct_to_dtype(x, dtype); }

ct_tensor *ct__sum_to(const ct_tensor *grad, int ndim, const int64_t *sizes) {
    if (grad->ndim == ndim && !memcmp(grad->sizes, sizes, (size_t)ndim * sizeof *sizes)) return ct__retain(grad);
    int lead = grad->ndim - ndim;
    int64_t dims[CT_MAX_DIMS] = {0};
    int n = 0;
    for (int d = 0; d < grad->ndim; d++) {
        if (d < lead || (sizes[d - lead] == 1 && grad->sizes[d] != 1)) dims[n++] = d;
    }
    ct_tensor *s = ct_sum_dim(grad, n, dims, true);
    if (!s || lead == 0) return s;
    ct_tensor *r = ct_view(s, ndim, sizes);
    ct_free(s);
    return r;
}

void ct__free_all(int n, ct_tensor **ts) {
    for (int i = 0; i < n; i++) ct_free(ts[i]);
}
