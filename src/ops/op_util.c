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

bool ct__can_cast(ct_dtype from, ct_dtype to) {
    if (ct_dtype_is_floating_point(from) && !ct_dtype_is_floating_point(to)) return false;
    if (from != CT_BOOL && to == CT_BOOL) return false;
    return true;
}

/* r was computed from a (and others); make it a's new value and history. */
int ct__write_back(ct_tensor *a, ct_tensor *r) {
    if (!r) return CT_ERROR;
    int rc = CT_OK;
    char s1[256], s2[256];
    if (r->ndim != a->ndim || memcmp(r->sizes, a->sizes, (size_t)a->ndim * sizeof *a->sizes)) {
        ct__error("output with shape %s doesn't match the broadcast shape %s",
                  ct__format_shape(s1, sizeof s1, a->ndim, a->sizes), ct__format_shape(s2, sizeof s2, r->ndim, r->sizes));
        rc = CT_ERROR;
    } else if (!ct__can_cast(r->dtype, a->dtype)) {
        ct__error("result type %s can't be cast to the desired output type %s", ct__traits(r->dtype)->scalar_name,
                  ct__traits(a->dtype)->scalar_name);
        rc = CT_ERROR;
    }
    ct_node *n = rc == CT_OK ? ct__grad_fn(r) : NULL;
    if (n && ct__check_inplace_recordable(a) != CT_OK) rc = CT_ERROR, n = NULL;
    if (n) {
        /* a's old value is what the formula needs: snapshot it */
        for (int i = 0; i < CT_NODE_MAX_SAVED && rc == CT_OK; i++) {
            if (n->saved[i].tensor != a) continue;
            /* a differentiable copy (PyTorch's original_self = self.clone()),
             * so double backward still reaches a's old history */
            ct_tensor *c = ct_clone(a);
            if (!c) {
                rc = CT_ERROR;
                break;
            }
            ct__scope_untrack(c);
            ct__drop(n->saved[i].tensor);
            n->saved[i].tensor = c;
            n->saved[i].version = ct_version(c);
        }
    }
    if (rc == CT_OK) {
        ct_grad_mode g = ct_no_grad_begin();
        ct_tensor *rd = ct_detach(r);
        rc = rd ? ct_copy_(a, rd) : CT_ERROR;
        ct_free(rd);
        ct_grad_mode_end(g);
    }
    if (rc == CT_OK && n) {
        rc = ct__record_output(n, a, 0);
        n->out_meta[0].dtype = a->dtype;
    }
    ct_free(r);
    return rc;
}

bool ct__fused_f32_backward_ok(const ct_tensor *a, const ct_tensor *b) {
    return a && b && !ct_is_grad_enabled() && a->dtype == CT_FLOAT32 && b->dtype == CT_FLOAT32 &&
           ct__is_contiguous(a) && ct__is_contiguous(b) && a->ndim == b->ndim &&
           !memcmp(a->sizes, b->sizes, (size_t)a->ndim * sizeof *a->sizes);
}
