/* gradcheck / gradgradcheck: analytical Jacobians (one backward per output
 * element) against central finite differences. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"
#include "ctorch/ops.h"

/* Element j (row-major) of t, as a pointer. */
static double *elem_ptr(const ct_tensor *t, int64_t j) {
    int64_t off = 0;
    for (int d = t->ndim - 1; d >= 0; d--) {
        off += (j % t->sizes[d]) * t->strides[d];
        j /= t->sizes[d];
    }
    return (double *)ct__data(t) + off;
}

/* fn(inputs) as a flat double array (numel in *n); NULL on error. */
static double *eval_flat(ct_gradcheck_fn fn, void *ctx, ct_tensor *const *inputs, int64_t *n) {
    ct_grad_mode g = ct_no_grad_begin();
    ct_tensor *out = fn(inputs, ctx);
    ct_grad_mode_end(g);
    if (!out) return NULL;
    *n = ct__numel(out);
    double *buf = malloc((size_t)(*n > 0 ? *n : 1) * sizeof *buf);
    if (!buf || ct_copy_to_buffer(out, CT_FLOAT64, buf, (size_t)*n * sizeof *buf) != CT_OK) {
        free(buf);
        buf = NULL;
    }
    ct_free(out);
    return buf;
}

static double resolve(double v, double def) { return v > 0 ? v : def; }

int ct_gradcheck(ct_gradcheck_fn fn, void *ctx, int n_inputs, ct_tensor *const *inputs, const ct_gradcheck_opts *o) {
    if (!fn || !inputs || n_inputs < 1) {
        ct__error("gradcheck: fn and inputs must be given");
        return CT_ERROR;
    }
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) return CT_ERROR;
        if (inputs[i]->requires_grad && inputs[i]->dtype != CT_FLOAT64) {
            ct__error("gradcheck: input %d requires grad but is %s; use float64 inputs", i,
                      ct_dtype_name(inputs[i]->dtype));
            return CT_ERROR;
        }
    }
    double eps = resolve(o ? o->eps : 0, 1e-6), atol = resolve(o ? o->atol : 0, 1e-5),
           rtol = resolve(o ? o->rtol : 0, 1e-3);
    ct_tensor *out = fn(inputs, ctx);
    if (!out) return CT_ERROR;
    int64_t nout = ct__numel(out);
    int result = 1;
    for (int i = 0; i < n_inputs && result == 1; i++) {
        ct_tensor *x = inputs[i];
        if (!x->requires_grad) continue;
        int64_t nin = ct__numel(x);
        /* numerical Jacobian, column by column: J[k][j] = d out_k / d x_j */
        double *num = calloc((size_t)(nin * nout + 1), sizeof *num);
        double *ana = calloc((size_t)(nin * nout + 1), sizeof *ana);
        if (!num || !ana) {
            free(num), free(ana);
            ct_free(out);
            ct__error_oom((size_t)(nin * nout) * sizeof *num);
            return CT_ERROR;
        }
        for (int64_t j = 0; j < nin && result == 1; j++) {
            double *p = elem_ptr(x, j), orig = *p;
            int64_t n1, n2;
            *p = orig + eps;
            double *plus = eval_flat(fn, ctx, inputs, &n1);
            *p = orig - eps;
            double *minus = eval_flat(fn, ctx, inputs, &n2);
            *p = orig;
            if (!plus || !minus) result = CT_ERROR;
            for (int64_t k = 0; result == 1 && k < nout; k++) num[k * nin + j] = (plus[k] - minus[k]) / (2 * eps);
            free(plus);
            free(minus);
        }
        /* analytical Jacobian, row by row: one backward per output element */
        for (int64_t k = 0; k < nout && result == 1; k++) {
            ct_tensor *go = ct_zeros_like(out, NULL);
            if (!go) {
                result = CT_ERROR;
                break;
            }
            ct__traits(go->dtype)->store_double(ct__data(go) + k * (int64_t)ct__traits(go->dtype)->itemsize, 1.0);
            ct_tensor *gx = NULL;
            ct_grad_opts gopts = {.retain_graph = true, .allow_unused = true};
            ct_tensor *xi = x;
            int rc = out->requires_grad ? ct_autograd_grad(1, &out, 1, &xi, &go, &gopts, &gx) : CT_OK;
            ct_free(go);
            if (rc != CT_OK) {
                result = CT_ERROR;
                break;
            }
            if (gx) {
                double *row = ana + k * nin;
                if (ct_copy_to_buffer(gx, CT_FLOAT64, row, (size_t)nin * sizeof *row) != CT_OK) result = CT_ERROR;
                ct_free(gx);
            }
        }
        for (int64_t k = 0; k < nout && result == 1; k++) {
            for (int64_t j = 0; j < nin; j++) {
                double a = ana[k * nin + j], nu = num[k * nin + j];
                if (!(fabs(a - nu) <= atol + rtol * fabs(nu))) {
                    ct__error("Jacobian mismatch for output 0 with respect to input %d,\nnumerical:%.10g\n"
                              "analytical:%.10g\n(at output element %lld, input element %lld)",
                              i, nu, a, (long long)k, (long long)j);
                    result = 0;
                    break;
                }
            }
        }
        free(num);
        free(ana);
    }
    ct_free(out);
    return result;
}

/* gradgradcheck: for each input i, gradcheck of
 * h_i(inputs) = d<fn(inputs), v>/d input_i, with a fixed grad_output v. */
typedef struct {
    ct_gradcheck_fn fn;
    void *ctx;
    int n_inputs;
    int which;
} gg_ctx;

static ct_tensor *first_grad(ct_tensor *const *inputs, void *vctx) {
    gg_ctx *c = vctx;
    ct_grad_mode mode = ct_enable_grad_begin();
    ct_tensor *out = c->fn(inputs, c->ctx);
    ct_tensor *v = NULL, *g = NULL;
    if (out) {
        v = ct_empty_like(out, NULL);
        /* fixed, non-trivial grad_output: 0.5 + sin(k) / 3 */
        for (int64_t k = 0; v && k < ct__numel(v); k++)
            ct__traits(v->dtype)->store_double(ct__data(v) + k * (int64_t)ct__traits(v->dtype)->itemsize,
                                               0.5 + sin((double)k) / 3);
    }
    ct_grad_opts o = {.create_graph = true, .allow_unused = true};
    ct_tensor *x = inputs[c->which];
    if (v && !out->requires_grad) {
        g = ct_zeros_like(x, NULL); /* out does not depend on any input */
    } else if (v && ct_autograd_grad(1, &out, 1, &x, &v, &o, &g) == CT_OK && !g) {
        g = ct_zeros_like(x, NULL); /* out does not depend on this input */
    }
    ct_free(out);
    ct_free(v);
    ct_grad_mode_end(mode);
    return g;
}

int ct_gradgradcheck(ct_gradcheck_fn fn, void *ctx, int n_inputs, ct_tensor *const *inputs,
                     const ct_gradcheck_opts *o) {
    if (!fn || !inputs || n_inputs < 1) {
        ct__error("gradgradcheck: fn and inputs must be given");
        return CT_ERROR;
    }
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) return CT_ERROR;
        if (!inputs[i]->requires_grad) continue;
        gg_ctx c = {fn, ctx, n_inputs, i};
        int r = ct_gradcheck(first_grad, &c, n_inputs, inputs, o);
        if (r != 1) return r;
    }
    return 1;
}
