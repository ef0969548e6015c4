/* mm and matmul (1-D and 2-D operands) with their backward formulas. */
#include <inttypes.h>
#include <string.h>

#include "kernels/cpu/gemm.h"
#include "ops/op_util.h"

static ct_tensor *mm_forward(const ct_tensor *a, const ct_tensor *b) {
    ct_dtype dtype = a->dtype;
    ct_tensor *out = ct__empty(dtype, CT_SIZE(a->sizes[0], b->sizes[1]));
    if (!out) return NULL;
    ct__kernel_gemm(dtype, a->sizes[0], b->sizes[1], a->sizes[1], ct__data(a), a->strides[0], a->strides[1],
                    ct__data(b), b->strides[0], b->strides[1], ct__data(out));
    return out;
}

/* MmBackward0: grad_a = g @ b^T, grad_b = a^T @ g. saved: a (0), b (1). */
static int mm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < 2; i++) {
        if (!n->next[i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        ct_tensor *ot = ct_t(other);
        out[i] = ot ? (i == 0 ? ct_mm(g[0], ot) : ct_mm(ot, g[0])) : NULL;
        ct_free(other);
        ct_free(ot);
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

ct_tensor *ct_mm(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim != 2) {
        ct__error("self must be a matrix");
        return NULL;
    }
    if (b->ndim != 2) {
        ct__error("mat2 must be a matrix");
        return NULL;
    }
    if (a->sizes[1] != b->sizes[0]) {
        ct__error("mat1 and mat2 shapes cannot be multiplied (%" PRId64 "x%" PRId64 " and %" PRId64 "x%" PRId64 ")",
                  a->sizes[0], a->sizes[1], b->sizes[0], b->sizes[1]);
        return NULL;
    }
    if (a->dtype != b->dtype) {
        ct__error("expected scalar type %s but found %s", ct_dtype_name(a->dtype), ct_dtype_name(b->dtype));
        return NULL;
    }
    if (a->dtype == CT_BOOL) {
        ct__error("\"addmm_impl_cpu_\" not implemented for 'Bool'");
        return NULL;
    }
    ct_tensor *out = mm_forward(a, b);
    if (!out) return NULL;
    const ct_tensor *in[2] = {a, b};
    if (ct__any_requires_grad(2, in)) {
        ct_node *n = ct__record("MmBackward0", mm_backward, out, 2, in);
        if (!n || (n->next[1].fn && ct__save(n, 0, a, false, 0) != CT_OK) ||
            (n->next[0].fn && ct__save(n, 1, b, false, 0) != CT_OK)) {
            ct_free(out);
            return NULL;
        }
    }
    return out;
}

/* torch.matmul for ranks 1 and 2, composed of views and mm as PyTorch
 * composes it (so grad_fn names match: MmBackward0, and views around). */
ct_tensor *ct_matmul(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim == 0 || b->ndim == 0) {
        ct__error("both arguments to matmul need to be at least 1D, but they are %dD and %dD", a->ndim, b->ndim);
        return NULL;
    }
    if (a->ndim > 2 || b->ndim > 2) {
        ct__error("matmul: batched operands (%dD and %dD) are not supported yet", a->ndim, b->ndim);
        return NULL;
    }
    if (a->ndim == 2 && b->ndim == 2) return ct_mm(a, b);
    if (a->ndim == 1 && b->ndim == 1) {
        if (a->sizes[0] != b->sizes[0]) {
            ct__error("inconsistent tensor size, expected tensor [%" PRId64 "] and src [%" PRId64
                      "] to have the same number of elements, but got %" PRId64 " and %" PRId64 " elements respectively",
                      a->sizes[0], b->sizes[0], a->sizes[0], b->sizes[0]);
            return NULL;
        }
    }
    /* vector operands become (1, n) rows / (n, 1) columns, then squeezed */
    ct_tensor *a2 = a->ndim == 1 ? ct_unsqueeze(a, 0) : ct__retain(a);
    ct_tensor *b2 = b->ndim == 1 ? ct_unsqueeze(b, 1) : ct__retain(b);
    ct_tensor *p = a2 && b2 ? ct_mm(a2, b2) : NULL;
    ct_tensor *r = NULL;
    if (p) {
        if (a->ndim == 1 && b->ndim == 1) r = ct_view(p, CT_SIZE0);
        else if (a->ndim == 1) r = ct_squeeze_dim(p, 0);
        else r = ct_squeeze_dim(p, 1);
    }
    ct_free(a2);
    ct_free(b2);
    ct_free(p);
    return r;
}
