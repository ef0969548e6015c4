/* torch.nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector,
 * vector_to_parameters (1.13). Gradients are changed in place under no_grad. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "optim/optim_impl.h"

static bool check_params(int n, ct_tensor *const *params) {
    if (n < 0 || (n > 0 && !params)) return false;
    for (int i = 0; i < n; i++)
        if (!params[i]) return false;
    return true;
}

/* torch.norm(g, p) of one gradient, as a double (computed in g's dtype). */
static int grad_norm(const ct_tensor *g, double p, double *out) {
    ct_tensor *n;
    if (isinf(p) && p > 0) {
        ct_tensor *a = ct_abs(g);
        n = a ? ct_max(a) : NULL;
        ct_free(a);
    } else {
        n = ct_linalg_vector_norm(g, p, 0, NULL, false);
    }
    int rc = n ? ct_item(n, out) : CT_ERROR;
    ct_free(n);
    return rc;
}

int ct_clip_grad_norm_(int n, ct_tensor *const *params, double max_norm, double norm_type, bool error_if_nonfinite,
                       double *total_norm) {
    if (!check_params(n, params)) return CT_ERROR;
    ct_tensor **grads = calloc((size_t)n + 1, sizeof *grads);
    double *norms = calloc((size_t)n + 1, sizeof *norms);
    int ng = 0, rc = CT_OK;
    if (!grads || !norms) {
        free(grads), free(norms);
        return ct__error_oom(0), CT_ERROR;
    }
    for (int i = 0; i < n; i++) {
        ct_tensor *g = ct_grad(params[i]);
        if (g) grads[ng++] = g;
    }
    ct_grad_mode m = ct_no_grad_begin();
    double total = 0;
    if (ng > 0) {
        ct_dtype dt = ct_dtype_of(grads[0]);
        for (int i = 0; i < ng && rc == CT_OK; i++) rc = grad_norm(grads[i], norm_type, &norms[i]);
        if (rc == CT_OK) {
            if (isinf(norm_type) && norm_type > 0 && ng == 1) {
                total = norms[0];
            } else {
                /* torch.norm(torch.stack(norms), norm_type), in the grads' dtype */
                int64_t sz = ng;
                ct_tensor *v = ct_tensor_from(norms, CT_FLOAT64, 1, &sz);
                ct_tensor *vd = v ? ct_to_dtype(v, dt) : NULL;
                rc = vd ? grad_norm(vd, norm_type, &total) : CT_ERROR;
                ct_free(v);
                ct_free(vd);
            }
        }
        if (rc == CT_OK && error_if_nonfinite && !isfinite(total)) {
            char b[40];
            ct__error("The total norm of order %s for gradients from `parameters` is non-finite, so it cannot be "
                      "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                      "`error_if_nonfinite=False`",
                      ct__py_float(b, sizeof b, norm_type));
            rc = CT_ERROR;
        }
        if (rc == CT_OK) {
            /* clip_coef = max_norm / (total_norm + 1e-6), clamped to 1, in dtype */
            double coef;
            if (dt == CT_FLOAT32) {
                float t = (float)total + (float)1e-6;
                float c = (float)max_norm / t;
                coef = c > 1.0f ? 1.0f : c;
            } else {
                double c = max_norm / (total + 1e-6);
                coef = c > 1.0 ? 1.0 : c;
            }
            for (int i = 0; i < ng && rc == CT_OK; i++) rc = ct_mul_scalar_(grads[i], coef);
        }
    }
    ct_grad_mode_end(m);
    for (int i = 0; i < ng; i++) ct_free(grads[i]);
    free(grads);
    free(norms);
    if (rc == CT_OK && total_norm) *total_norm = total;
    return rc;
}

int ct_clip_grad_value_(int n, ct_tensor *const *params, double clip_value) {
    if (!check_params(n, params)) return CT_ERROR;
    int rc = CT_OK;
    double lo = -clip_value, hi = clip_value;
    ct_grad_mode m = ct_no_grad_begin();
    for (int i = 0; i < n && rc == CT_OK; i++) {
        ct_tensor *g = ct_grad(params[i]);
        if (g) rc = ct_clamp_(g, &lo, &hi);
        ct_free(g);
    }
    ct_grad_mode_end(m);
    return rc;
}

ct_tensor *ct_parameters_to_vector(int n, ct_tensor *const *params) {
    if (!check_params(n, params)) return NULL;
    if (n == 0) {
        ct__error("torch.cat(): expected a non-empty list of Tensors");
        return NULL;
    }
    int64_t total = 0;
    for (int i = 0; i < n; i++) total += ct_numel(params[i]);
    ct_dtype dt = ct_dtype_of(params[0]);
    for (int i = 1; i < n; i++) dt = ct_promote_types(dt, ct_dtype_of(params[i]));
    ct_tensor *out = ct_empty(1, &total, CT_OPTS(.dtype = dt));
    if (!out) return NULL;
    int64_t off = 0;
    int rc = CT_OK;
    for (int i = 0; i < n && rc == CT_OK; i++) {
        int64_t k = ct_numel(params[i]);
        ct_tensor *dst = ct_narrow(out, 0, off, k);
        ct_tensor *src = ct_reshape(params[i], 1, &k);
        ct_tensor *sd = src ? ct_detach(src) : NULL;
        rc = dst && sd ? ct_copy_(dst, sd) : CT_ERROR;
        ct_free(dst), ct_free(src), ct_free(sd);
        off += k;
    }
    if (rc != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

int ct_vector_to_parameters(const ct_tensor *vec, int n, ct_tensor *const *params) {
    if (!vec || !check_params(n, params)) return CT_ERROR;
    int64_t total = 0;
    for (int i = 0; i < n; i++) total += ct_numel(params[i]);
    if (ct_dim(vec) != 1 || ct_numel(vec) < total) {
        ct__error("vector_to_parameters: vec has %lld elements, the parameters %lld", (long long)ct_numel(vec),
                  (long long)total);
        return CT_ERROR;
    }
    int rc = CT_OK;
    int64_t off = 0;
    ct_grad_mode m = ct_no_grad_begin();
    for (int i = 0; i < n && rc == CT_OK; i++) {
        int64_t k = ct_numel(params[i]);
        ct_tensor *slice = ct_narrow(vec, 0, off, k);
        ct_tensor *v = slice ? ct_view_as(slice, params[i]) : NULL;
        rc = v ? ct_copy_(params[i], v) : CT_ERROR;
        ct_free(slice), ct_free(v);
        off += k;
    }
    ct_grad_mode_end(m);
    return rc;
}
