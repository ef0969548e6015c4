/* Reductions: sum, nansum, mean, nanmean, prod, var, std, var_mean,
 * std_mean, norm, logsumexp, all, any, count_nonzero. Backward formulas
 * follow tools/autograd/derivatives.yaml and FunctionsManual.cpp of
 * PyTorch 1.13 and are built from public ops (double backward works). */
#include <math.h>
#include <string.h>

#include "kernels/cpu/reduce.h"
#include "ops/op_util.h"
#include "ops/reduce_internal.h"

/* ---- arguments ---- */

/* Parse dims into a mask (PyTorch: "dim 0 appears multiple times in the
 * list of dims"). ndims == 0 reduces everything. */
static int dims_mask(const ct_tensor *x, int ndims, const int64_t *dims, bool *mask) {
    memset(mask, 0, CT_MAX_DIMS * sizeof *mask);
    if (ndims == 0) {
        for (int d = 0; d < x->ndim; d++) mask[d] = true;
        return CT_OK;
    }
    if (!dims || ndims < 0) {
        ct__error("dims must not be NULL");
        return CT_ERROR;
    }
    for (int i = 0; i < ndims; i++) {
        int d = ct__wrap_dim(dims[i], x->ndim);
        if (d < 0) return CT_ERROR;
        if (x->ndim == 0) continue;
        if (mask[d]) {
            ct__error("dim %d appears multiple times in the list of dims", d);
            return CT_ERROR;
        }
        mask[d] = true;
    }
    return CT_OK;
}

/* Output shape: reduced dims become 1 (keepdim) or disappear. */
static int out_shape(const ct_tensor *x, const bool *mask, bool keepdim, int64_t *sizes) {
    int n = 0;
    for (int d = 0; d < x->ndim; d++) {
        if (!mask[d]) sizes[n++] = x->sizes[d];
        else if (keepdim) sizes[n++] = 1;
    }
    return n;
}

static int64_t reduced_count(const ct_tensor *x, const bool *mask) {
    int64_t count = 1;
    for (int d = 0; d < x->ndim; d++)
        if (mask[d]) count *= x->sizes[d];
    return count;
}

static const char *dtype_name(ct_dtype d) { return ct__traits(d)->scalar_name; }

/* ---- forward (graph-free) ---- */

static ct_tensor *sum_forward(const ct_tensor *x, const bool *mask, bool keepdim, ct_dtype out_dtype) {
    int64_t sizes[CT_MAX_DIMS];
    int n = out_shape(x, mask, keepdim, sizes);
    ct_tensor *out = ct__empty(out_dtype, n, sizes);
    if (out && ct__numel(out) > 0)
        ct__kernel_sum(ct__data(out), out_dtype, ct__data(x), x->dtype, x->ndim, x->sizes, x->strides, mask);
    return out;
}

/* Generic reduction into out_dtype; out2 (the mean of var/std) if asked. */
static ct_tensor *reduce_forward(ct_reduce_kind kind, double param, const ct_tensor *x, const bool *mask,
                                 bool keepdim, ct_dtype out_dtype, ct_tensor **out2) {
    int64_t sizes[CT_MAX_DIMS];
    int n = out_shape(x, mask, keepdim, sizes);
    ct_tensor *out = ct__empty(out_dtype, n, sizes);
    ct_tensor *o2 = out2 ? ct__empty(out_dtype, n, sizes) : NULL;
    if (!out || (out2 && !o2)) {
        ct_free(out);
        ct_free(o2);
        return NULL;
    }
    if (ct__numel(out) > 0)
        ct__kernel_reduce(kind, param, ct__data(out), o2 ? ct__data(o2) : NULL, out_dtype, ct__data(x), x->dtype,
                          x->ndim, x->sizes, x->strides, mask);
    if (out2) *out2 = o2;
    return out;
}

/* x converted to dtype without recording history (the node is recorded on
 * x itself; the engine converts the gradient back). */
static ct_tensor *cast_nograd(const ct_tensor *x, ct_dtype dtype) {
    return x->dtype == dtype ? ct__retain(x) : ct__to_dtype_copy(x, dtype);
}

/* ---- elementwise masks (constants for backward formulas) ---- */

typedef enum { MASK_NOT_NAN, MASK_ZERO, MASK_ABS_EQ_OR_NAN } mask_kind;

typedef struct {
    mask_kind kind;
    const ct_dtype_traits *to, *ta, *tb;
} mask_ctx;

static void mask_loop(char **data, const int64_t *st, int64_t n, void *vctx) {
    const mask_ctx *c = vctx;
    for (int64_t i = 0; i < n; i++) {
        double a = c->ta->load_double(data[1] + i * st[1]);
        double r;
        switch (c->kind) {
        case MASK_NOT_NAN: r = !isnan(a); break;
        case MASK_ZERO: r = a == 0; break;
        default: {
            double b = c->tb->load_double(data[2] + i * st[2]);
            r = fabs(a) == b || isnan(a);
        }
        }
        c->to->store_double(data[0] + i * st[0], r);
    }
}

/* A 0/1 tensor of a's shape (b broadcast to it) in dtype; no history. */
static ct_tensor *make_mask(mask_kind kind, const ct_tensor *a, const ct_tensor *b, ct_dtype dtype) {
    ct_tensor *out = ct__empty(dtype, a->ndim, a->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[3] = {out, a, b};
    if (ct__iter_over(&it, b ? 3 : 2, ops) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    mask_ctx c = {kind, ct__traits(dtype), ct__traits(a->dtype), b ? ct__traits(b->dtype) : NULL};
    ct__iter_run(&it, mask_loop, &c);
    return out;
}

static int64_t count_zeros(const ct_tensor *x) {
    ct_tensor *m = make_mask(MASK_ZERO, x, NULL, CT_INT64);
    ct_tensor *s = m ? sum_forward(m, (bool[CT_MAX_DIMS]){true, true, true, true, true, true, true, true, true, true,
                                                          true, true, true, true, true, true},
                                   false, CT_INT64)
                     : NULL;
    int64_t z = -1;
    if (s && ct_item_int64(s, &z) != CT_OK) z = -1;
    ct_free(m);
    ct_free(s);
    return z;
}

/* x.masked_fill(mask, 0) with mask broadcast to x (MaskedFillBackward0):
 * differentiable in x. saved[0] = mask. */
typedef struct {
    const ct_dtype_traits *t;
    const ct_dtype_traits *tm;
} mf_ctx;

static void masked_fill_loop(char **data, const int64_t *st, int64_t n, void *vctx) {
    const mf_ctx *c = vctx;
    size_t item = c->t->itemsize;
    for (int64_t i = 0; i < n; i++) {
        if (c->tm->load_double(data[2] + i * st[2]) != 0) c->t->store_double(data[0] + i * st[0], 0.0);
        else memcpy(data[0] + i * st[0], data[1] + i * st[1], item);
    }
}

static ct_tensor *masked_zero(const ct_tensor *x, const ct_tensor *mask);

static int masked_zero_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *m = ct__unpack(n, 0);
    out[0] = m ? masked_zero(g[0], m) : NULL;
    ct_free(m);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *masked_zero(const ct_tensor *x, const ct_tensor *mask) {
    if (!x || !mask) return NULL;
    ct_tensor *out = ct__empty(x->dtype, x->ndim, x->sizes);
    if (!out) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[3] = {out, x, mask};
    if (ct__iter_over(&it, 3, ops) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    mf_ctx c = {ct__traits(x->dtype), ct__traits(mask->dtype)};
    ct__iter_run(&it, masked_fill_loop, &c);
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        ct_node *n = ct__record("MaskedFillBackward0", masked_zero_backward, out, 1, in);
        if (!n || ct__save(n, 0, mask, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
    }
    return out;
}

/* ---- backward helpers: the node layout every reduction shares ----
 * ints[0] = input ndim, ints[1 + d] = dim d reduced, ints[KEEP] = keepdim,
 * ints[EXTRA] = op-specific (correction, prod's dim); shape_arg = input
 * sizes; scalars[0] = divisor (mean) or 1. */
enum { KEEP = CT_MAX_DIMS + 1, EXTRA = CT_MAX_DIMS + 2, EXTRA2 = CT_MAX_DIMS + 3 };

static ct_node *record_reduction(const char *name, ct_backward_fn fn, ct_tensor *out, const ct_tensor *x,
                                 const bool *mask, bool keepdim) {
    const ct_tensor *in[1] = {x};
    ct_node *n = ct__record(name, fn, out, 1, in);
    if (!n) return NULL;
    n->ints[0] = x->ndim;
    memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    for (int d = 0; d < x->ndim; d++) n->ints[1 + d] = mask[d];
    n->ints[KEEP] = keepdim;
    n->scalars[0] = 1.0;
    return n;
}

/* t (a reduced result or its gradient) with the reduced dims put back as
 * size 1, so it broadcasts against the input. */
static ct_tensor *keep_dims(const ct_node *n, const ct_tensor *t) {
    int ndim = (int)n->ints[0];
    if (n->ints[KEEP] || ndim == 0) return ct__retain(t);
    int64_t ks[CT_MAX_DIMS];
    for (int d = 0; d < ndim; d++) ks[d] = n->ints[1 + d] ? 1 : n->shape_arg[d];
    return ct_reshape(t, ndim, ks);
}

/* g with the reduced dims restored and expanded to the input's shape. */
static ct_tensor *expand_grad(const ct_node *n, const ct_tensor *g) {
    ct_tensor *gk = keep_dims(n, g);
    ct_tensor *e = gk ? ct_expand(gk, (int)n->ints[0], n->shape_arg) : NULL;
    ct_free(gk);
    return e;
}

static int node_dims(const ct_node *n, int64_t *dims) {
    int k = 0;
    for (int d = 0; d < (int)n->ints[0]; d++)
        if (n->ints[1 + d]) dims[k++] = d;
    return k;
}

static int64_t node_count(const ct_node *n) {
    int64_t c = 1;
    for (int d = 0; d < (int)n->ints[0]; d++)
        if (n->ints[1 + d]) c *= n->shape_arg[d];
    return c;
}

/* ---- sum / mean ---- */

/* SumBackward / MeanBackward: g expanded (divided by the count for mean). */
static ct_tensor *mean_or_sum_grad(const ct_node *n, const ct_tensor *g, double divisor) {
    ct_tensor *e = expand_grad(n, g);
    ct_tensor *r = !e ? NULL : divisor != 1.0 ? ct_div_scalar(e, divisor) : ct_contiguous(e);
    ct_free(e);
    return r;
}

static int sum_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = mean_or_sum_grad(n, g[0], n->scalars[0]);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *record_sum(ct_tensor *out, const ct_tensor *x, const bool *mask, bool keepdim, const char *name,
                             double divisor) {
    const ct_tensor *in[1] = {x};
    if (!out || !ct__any_requires_grad(1, in) || !ct_dtype_is_floating_point(out->dtype)) return out;
    ct_node *n = record_reduction(name, sum_backward, out, x, mask, keepdim);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->scalars[0] = divisor;
    return out;
}

static ct_dtype sum_dtype(ct_dtype d) { return ct_dtype_is_floating_point(d) ? d : CT_INT64; }

static ct_tensor *sum_impl(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype,
                           const char *name) {
    if (!x) return NULL;
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_dtype od = dtype == CT_DTYPE_DEFAULT ? sum_dtype(x->dtype) : dtype;
    ct_tensor *xc = cast_nograd(x, dtype == CT_DTYPE_DEFAULT ? x->dtype : dtype);
    ct_tensor *out = xc ? sum_forward(xc, mask, keepdim, od) : NULL;
    ct_free(xc);
    return record_sum(out, x, mask, keepdim, name, 1.0);
}

ct_tensor *ct_sum(const ct_tensor *x) { return sum_impl(x, 0, NULL, false, CT_DTYPE_DEFAULT, "SumBackward0"); }
ct_tensor *ct_sum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    return sum_impl(x, ndims, dims, keepdim, CT_DTYPE_DEFAULT, "SumBackward1");
}
ct_tensor *ct_sum_dtype(const ct_tensor *x, ct_dtype dtype) {
    return sum_impl(x, 0, NULL, false, dtype, "SumBackward0");
}
ct_tensor *ct_sum_dim_dtype(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype) {
    return sum_impl(x, ndims, dims, keepdim, dtype, "SumBackward1");
}

static ct_tensor *mean_impl(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype,
                            const char *name) {
    if (!x) return NULL;
    if (dtype != CT_DTYPE_DEFAULT && !ct_dtype_is_floating_point(dtype)) {
        ct__error("mean(): could not infer output dtype. Optional dtype must be either a floating point or complex "
                  "dtype. Got: %s",
                  dtype_name(dtype));
        return NULL;
    }
    if (dtype == CT_DTYPE_DEFAULT && !ct_dtype_is_floating_point(x->dtype)) {
        ct__error("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
                  "Got: %s",
                  dtype_name(x->dtype));
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_dtype od = dtype == CT_DTYPE_DEFAULT ? x->dtype : dtype;
    int64_t count = reduced_count(x, mask);
    ct_tensor *s;
    {
        ct_grad_mode g = ct_no_grad_begin();
        ct_tensor *xc = cast_nograd(x, od);
        ct_tensor *sum = xc ? sum_forward(xc, mask, keepdim, od) : NULL;
        if (sum && (od == CT_FLOAT32 || od == CT_FLOAT64)) {
            /* the fresh contiguous sum divided in place: div_scalar's
             * x / y in the dtype, y the count converted to it */
            int64_t ne = ct__numel(sum);
            if (od == CT_FLOAT32) {
                float *q = (float *)(void *)ct__data(sum), y = (float)(double)count;
                for (int64_t i = 0; i < ne; i++) q[i] = q[i] / y;
            } else {
                double *q = (double *)(void *)ct__data(sum), y = (double)count;
                for (int64_t i = 0; i < ne; i++) q[i] = q[i] / y;
            }
            s = sum;
            sum = NULL;
        } else {
            s = sum ? ct_div_scalar(sum, (double)count) : NULL;
        }
        ct_free(xc);
        ct_free(sum);
        ct_grad_mode_end(g);
    }
    return record_sum(s, x, mask, keepdim, name, (double)count);
}

ct_tensor *ct_mean(const ct_tensor *x) { return mean_impl(x, 0, NULL, false, CT_DTYPE_DEFAULT, "MeanBackward0"); }
ct_tensor *ct_mean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    return mean_impl(x, ndims, dims, keepdim, CT_DTYPE_DEFAULT, "MeanBackward1");
}
ct_tensor *ct_mean_dtype(const ct_tensor *x, ct_dtype dtype) {
    return mean_impl(x, 0, NULL, false, dtype, "MeanBackward0");
}
ct_tensor *ct_mean_dim_dtype(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype) {
    return mean_impl(x, ndims, dims, keepdim, dtype, "MeanBackward1");
}

/* ---- nansum / nanmean ---- */

/* NansumBackward0: grad.expand_as(x) * x.isnan().logical_not(). saved[0] = x. */
static int nansum_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *e = x ? expand_grad(n, g[0]) : NULL;
    ct_tensor *m = e ? make_mask(MASK_NOT_NAN, x, NULL, e->dtype) : NULL;
    out[0] = m ? ct_mul(e, m) : NULL;
    ct_free(x);
    ct_free(e);
    ct_free(m);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_nansum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim, ct_dtype dtype) {
    if (!x) return NULL;
    ct_dtype od = dtype == CT_DTYPE_DEFAULT ? sum_dtype(x->dtype) : dtype;
    if (!ct_dtype_is_floating_point(od) && od != CT_INT64) {
        ct__error("\"nansum_cpu\" not implemented for '%s'", dtype_name(od));
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_tensor *xc = cast_nograd(x, dtype == CT_DTYPE_DEFAULT ? x->dtype : dtype);
    ct_tensor *out = xc ? reduce_forward(CT_REDUCE_NANSUM, 0, xc, mask, keepdim, od, NULL) : NULL;
    ct_free(xc);
    const ct_tensor *in[1] = {x};
    if (out && ct_dtype_is_floating_point(od) && ct__any_requires_grad(1, in)) {
        ct_node *n = record_reduction("NansumBackward0", nansum_backward, out, x, mask, keepdim);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
    }
    return out;
}
ct_tensor *ct_nansum(const ct_tensor *x) { return ct_nansum_dim(x, 0, NULL, false, CT_DTYPE_DEFAULT); }

ct_tensor *ct_nanmean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("nanmean(): expected input to have floating point dtype but got %s", dtype_name(x->dtype));
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_tensor *m = make_mask(MASK_NOT_NAN, x, NULL, CT_INT64);
    ct_tensor *cnt = m ? sum_forward(m, mask, keepdim, CT_INT64) : NULL;
    ct_tensor *s = cnt ? ct_nansum_dim(x, ndims, dims, keepdim, CT_DTYPE_DEFAULT) : NULL;
    ct_tensor *r = s ? ct_div(s, cnt) : NULL;
    ct_free(m);
    ct_free(cnt);
    ct_free(s);
    return r;
}
ct_tensor *ct_nanmean(const ct_tensor *x) { return ct_nanmean_dim(x, 0, NULL, false); }

/* ---- prod ---- */

/* PyTorch's prod_safe_zeros_backward: grad * (exclusive cumprod from the
 * left * exclusive cumprod from the right) along dim. */
static ct_tensor *prod_safe_zeros_backward(const ct_tensor *grad, const ct_tensor *inp, int dim) {
    if (ct__numel(inp) == 0) {
        ct_tensor *e = ct_expand(grad, inp->ndim, inp->sizes);
        ct_tensor *r = e ? ct_contiguous(e) : NULL;
        ct_free(e);
        return r;
    }
    int64_t n = inp->sizes[dim];
    int64_t os[CT_MAX_DIMS];
    memcpy(os, inp->sizes, sizeof os);
    os[dim] = 1;
    ct_tensor *t[11] = {0};
    t[0] = ct_ones(inp->ndim, os, CT_OPTS(.dtype = inp->dtype));
    t[1] = ct_narrow(inp, dim, 0, n - 1);
    t[2] = ct__cat2(t[0], t[1], dim);
    t[3] = ct_cumprod(t[2], dim);                /* exclusive_normal */
    t[4] = ct_narrow(inp, dim, 1, n - 1);
    t[5] = t[4] ? ct__flip_dim(t[4], dim) : NULL;
    t[6] = ct__cat2(t[0], t[5], dim);
    t[7] = ct_cumprod(t[6], dim);
    t[8] = t[7] ? ct__flip_dim(t[7], dim) : NULL; /* exclusive_reverse */
    t[9] = ct_mul(t[3], t[8]);
    t[10] = ct_mul(grad, t[9]);
    ct_tensor *r = t[10];
    t[10] = NULL;
    ct__free_all(10, t);
    return r;
}

/* ProdBackward0 / ProdBackward1: saved[0] = x, saved[1] = result;
 * ints[EXTRA] = dim, ints[EXTRA2] = 1 for the dim form. */
static int prod_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0), *r = ct__unpack(n, 1);
    if (!x || !r) {
        ct_free(x);
        ct_free(r);
        return CT_ERROR;
    }
    if (x->ndim == 0) {
        out[0] = ct__retain(g[0]);
    } else {
        int64_t zeros = count_zeros(x);
        ct_tensor *gk = keep_dims(n, g[0]), *rk = keep_dims(n, r);
        if (zeros == 0) {
            ct_tensor *q = rk ? ct_div(rk, x) : NULL;
            out[0] = q && gk ? ct_mul(gk, q) : NULL;
            ct_free(q);
        } else if (!n->ints[EXTRA2]) {
            if (zeros > 1) {
                out[0] = ct_zeros(x->ndim, x->sizes, CT_OPTS(.dtype = x->dtype));
            } else {
                ct_tensor *xc = ct_contiguous(x);
                ct_tensor *xf = xc ? ct_reshape(xc, 1, (int64_t[]){-1}) : NULL;
                ct_tensor *p = xf && gk ? prod_safe_zeros_backward(gk, xf, 0) : NULL;
                out[0] = p ? ct_reshape(p, x->ndim, x->sizes) : NULL;
                ct_free(xc);
                ct_free(xf);
                ct_free(p);
            }
        } else {
            out[0] = gk ? prod_safe_zeros_backward(gk, x, (int)n->ints[EXTRA]) : NULL;
        }
        ct_free(gk);
        ct_free(rk);
    }
    ct_free(x);
    ct_free(r);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *prod_impl(const ct_tensor *x, bool has_dim, int64_t dim, bool keepdim, ct_dtype dtype) {
    if (!x) return NULL;
    if (dtype != CT_DTYPE_DEFAULT && dtype != x->dtype && ct_dtype_is_floating_point(dtype) && dtype != CT_FLOAT16) {
        /* PyTorch's formula uses self.to(grad's dtype): reduce the cast */
        ct_tensor *xc = ct_to_dtype(x, dtype);
        ct_tensor *r = xc ? prod_impl(xc, has_dim, dim, keepdim, CT_DTYPE_DEFAULT) : NULL;
        ct_free(xc);
        return r;
    }
    bool mask[CT_MAX_DIMS];
    int d = 0;
    if (has_dim) {
        d = ct__wrap_dim(dim, x->ndim);
        if (d < 0) return NULL;
        memset(mask, 0, sizeof mask);
        if (x->ndim > 0) mask[d] = true;
    } else if (dims_mask(x, 0, NULL, mask) != CT_OK) {
        return NULL;
    }
    ct_dtype od = dtype == CT_DTYPE_DEFAULT ? sum_dtype(x->dtype) : dtype;
    if (od == CT_FLOAT16) { /* PyTorch 1.13's CPU kernel has no Half */
        ct__error("\"prod_cpu\" not implemented for 'Half'");
        return NULL;
    }
    ct_tensor *xc = cast_nograd(x, dtype == CT_DTYPE_DEFAULT ? x->dtype : dtype);
    ct_tensor *out = xc ? reduce_forward(CT_REDUCE_PROD, 0, xc, mask, keepdim && has_dim, od, NULL) : NULL;
    ct_free(xc);
    const ct_tensor *in[1] = {x};
    if (out && ct_dtype_is_floating_point(od) && ct__any_requires_grad(1, in)) {
        ct_node *n = record_reduction(has_dim ? "ProdBackward1" : "ProdBackward0", prod_backward, out, x, mask,
                                      keepdim && has_dim);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        n->ints[EXTRA] = d;
        n->ints[EXTRA2] = has_dim;
    }
    return out;
}

ct_tensor *ct_prod(const ct_tensor *x) { return prod_impl(x, false, 0, false, CT_DTYPE_DEFAULT); }
ct_tensor *ct_prod_dim(const ct_tensor *x, int64_t dim, bool keepdim) {
    return prod_impl(x, true, dim, keepdim, CT_DTYPE_DEFAULT);
}
ct_tensor *ct_prod_dtype(const ct_tensor *x, ct_dtype dtype) { return prod_impl(x, false, 0, false, dtype); }
ct_tensor *ct_prod_dim_dtype(const ct_tensor *x, int64_t dim, bool keepdim, ct_dtype dtype) {
    return prod_impl(x, true, dim, keepdim, dtype);
}

/* ---- var / std / var_mean / std_mean ---- */

/* PyTorch's var_backward: (2 / (N - correction)) * grad * (x - x.mean(dims, true)). */
static ct_tensor *var_grad(const ct_node *n, const ct_tensor *grad, const ct_tensor *x) {
    int64_t dims[CT_MAX_DIMS];
    int nd = node_dims(n, dims);
    double dof = (double)node_count(n) - (double)n->ints[EXTRA];
    ct_tensor *t[5] = {0};
    t[0] = keep_dims(n, grad);
    t[1] = ct_mean_dim(x, nd, dims, true);
    t[2] = t[1] ? ct_sub(x, t[1]) : NULL;
    if (dof <= 0 && n->ints[EXTRA2]) {
        /* full reduction: where(x == mean, nan, inf), as PyTorch */
        ct_tensor *k = t[2] ? make_mask(MASK_ZERO, t[2], NULL, x->dtype) : NULL;
        if (k) {
            ct_grad_mode gm = ct_no_grad_begin();
            ct_tensor *a = ct_mul_scalar(k, -1.0);        /* -1 equal, 0 not */
            ct_tensor *b = a ? ct_add_scalar(a, 1.0) : NULL; /* 0 equal, 1 not */
            ct_tensor *cst = b ? ct_div_scalar(b, 0.0) : NULL; /* nan equal, inf not */
            ct_grad_mode_end(gm);
            t[3] = cst;
            ct_free(a);
            ct_free(b);
            ct_free(k);
        }
        t[4] = t[3] && t[0] ? ct_mul(t[0], t[3]) : NULL;
    } else {
        t[3] = t[0] ? ct_mul_scalar(t[0], 2.0 / dof) : NULL;
        t[4] = t[3] && t[2] ? ct_mul(t[3], t[2]) : NULL;
    }
    ct_tensor *r = t[4];
    t[4] = NULL;
    ct__free_all(4, t);
    return r;
}

/* std_backward: var_backward((grad / (2 * std)).masked_fill_(std == 0, 0)). */
static ct_tensor *std_grad(const ct_node *n, const ct_tensor *grad, const ct_tensor *x, const ct_tensor *std) {
    ct_tensor *t[4] = {0};
    t[0] = ct_mul_scalar(std, 2.0);
    t[1] = t[0] ? ct_div(grad, t[0]) : NULL;
    t[2] = make_mask(MASK_ZERO, std, NULL, CT_BOOL);
    t[3] = t[1] && t[2] ? masked_zero(t[1], t[2]) : NULL;
    ct_tensor *r = t[3] ? var_grad(n, t[3], x) : NULL;
    ct__free_all(4, t);
    return r;
}

/* VarBackward0 / StdBackward0 / VarMeanBackward0 / StdMeanBackward0:
 * saved[0] = x, saved[1] = the std (std forms); ints[EXTRA] = correction,
 * ints[EXTRA2] = reduces everything; n->num_outputs == 2 adds the mean's
 * gradient. */
static int var_std_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0);
    if (!x) return CT_ERROR;
    bool is_std = n->saved[1].tensor != NULL;
    ct_tensor *s = is_std ? ct__unpack(n, 1) : NULL;
    ct_tensor *gv = is_std ? (s ? std_grad(n, g[0], x, s) : NULL) : var_grad(n, g[0], x);
    if (gv && n->num_outputs == 2) {
        ct_tensor *gm = mean_or_sum_grad(n, g[1], (double)node_count(n));
        out[0] = gm ? ct_add(gv, gm) : NULL;
        ct_free(gm);
        ct_free(gv);
    } else {
        out[0] = gv;
    }
    ct_free(x);
    ct_free(s);
    return out[0] ? CT_OK : CT_ERROR;
}

static int var_std_impl(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim,
                        bool is_std, bool with_mean, ct_tensor **res, ct_tensor **mean) {
    if (res) *res = NULL;
    if (mean) *mean = NULL;
    if (!x) return CT_ERROR;
    if (!ct_dtype_is_floating_point(x->dtype)) {
        if (with_mean) ct__error("%s only support floating point and complex dtypes", is_std ? "std_mean" : "var_mean");
        else ct__error("std and var only support floating point and complex dtypes");
        return CT_ERROR;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return CT_ERROR;
    ct_tensor *m = NULL;
    ct_tensor *out = reduce_forward(is_std ? CT_REDUCE_STD : CT_REDUCE_VAR, (double)correction, x, mask, keepdim,
                                    x->dtype, with_mean ? &m : NULL);
    if (!out) return CT_ERROR;
    const ct_tensor *in[1] = {x};
    if (ct__any_requires_grad(1, in)) {
        const char *name = with_mean ? (is_std ? "StdMeanBackward0" : "VarMeanBackward0")
                                     : (is_std ? "StdBackward0" : "VarBackward0");
        ct_node *n = record_reduction(name, var_std_backward, out, x, mask, keepdim);
        bool ok = n && ct__save(n, 0, x, false, 0) == CT_OK && (!is_std || ct__save(n, 1, out, true, 0) == CT_OK) &&
                  (!with_mean || ct__record_output(n, m, 1) == CT_OK);
        if (!ok) {
            ct_free(out);
            ct_free(m);
            return CT_ERROR;
        }
        n->ints[EXTRA] = correction;
        n->ints[EXTRA2] = ndims == 0 || x->ndim == 0;
    }
    *res = out;
    if (mean) *mean = m;
    return CT_OK;
}

static ct_tensor *var_std_one(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim,
                              bool is_std) {
    ct_tensor *r = NULL;
    return var_std_impl(x, ndims, dims, correction, keepdim, is_std, false, &r, NULL) == CT_OK ? r : NULL;
}

ct_tensor *ct_var(const ct_tensor *x) { return var_std_one(x, 0, NULL, 1, false, false); }
ct_tensor *ct_var_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool unbiased, bool keepdim) {
    return var_std_one(x, ndims, dims, unbiased ? 1 : 0, keepdim, false);
}
ct_tensor *ct_var_correction(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim) {
    return var_std_one(x, ndims, dims, correction, keepdim, false);
}
ct_tensor *ct_std(const ct_tensor *x) { return var_std_one(x, 0, NULL, 1, false, true); }
ct_tensor *ct_std_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool unbiased, bool keepdim) {
    return var_std_one(x, ndims, dims, unbiased ? 1 : 0, keepdim, true);
}
ct_tensor *ct_std_correction(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim) {
    return var_std_one(x, ndims, dims, correction, keepdim, true);
}
int ct_var_mean(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim, ct_tensor **var,
                ct_tensor **mean) {
    if (!var || !mean) return CT_ERROR;
    return var_std_impl(x, ndims, dims, correction, keepdim, false, true, var, mean);
}
int ct_std_mean(const ct_tensor *x, int ndims, const int64_t *dims, int64_t correction, bool keepdim, ct_tensor **std,
                ct_tensor **mean) {
    if (!std || !mean) return CT_ERROR;
    return var_std_impl(x, ndims, dims, correction, keepdim, true, true, std, mean);
}

/* ---- norm ---- */

static ct_tensor *abs_d(const ct_tensor *x) {
    ct_tensor *s = ct_sign(x);
    ct_tensor *r = s ? ct_mul(x, s) : NULL;
    ct_free(s);
    return r;
}

/* NormBackward1 (PyTorch's norm_backward): saved[0] = x, saved[1] = norm;
 * scalars[1] = p. */
static int norm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double p = n->scalars[1];
    ct_tensor *x = ct__unpack(n, 0), *nr = ct__unpack(n, 1);
    ct_tensor *t[12] = {0};
    ct_tensor *gk = x && nr ? keep_dims(n, g[0]) : NULL;
    ct_tensor *nk = gk ? keep_dims(n, nr) : NULL;
    ct_tensor *r = NULL;
    if (nk) {
        if (p == 0) {
            r = ct_zeros(x->ndim, x->sizes, CT_OPTS(.dtype = x->dtype));
        } else if (p == 1) {
            t[0] = ct_sign(x);
            r = t[0] ? ct_mul(t[0], gk) : NULL;
        } else if (p == 2) {
            t[0] = ct_div(x, nk);
            t[1] = make_mask(MASK_ZERO, nk, NULL, CT_BOOL);
            t[2] = t[0] && t[1] ? masked_zero(t[0], t[1]) : NULL;
            r = t[2] ? ct_mul(gk, t[2]) : NULL;
        } else if (isinf(p)) {
            int64_t dims[CT_MAX_DIMS];
            int nd = node_dims(n, dims);
            t[0] = make_mask(MASK_ABS_EQ_OR_NAN, x, nk, x->dtype);
            t[1] = t[0] ? ct_sum_dim(t[0], nd, dims, true) : NULL;
            t[2] = t[1] ? ct_div(gk, t[1]) : NULL;
            t[3] = t[2] ? ct_mul(t[2], t[0]) : NULL;
            t[4] = ct_sign(x);
            r = t[3] && t[4] ? ct_mul(t[4], t[3]) : NULL;
        } else if (p < 1) {
            t[0] = ct_sign(x);
            t[1] = abs_d(x);
            t[2] = t[1] ? ct_pow_scalar(t[1], p - 1) : NULL;
            t[3] = make_mask(MASK_ZERO, x, NULL, CT_BOOL);
            t[4] = t[2] && t[3] ? masked_zero(t[2], t[3]) : NULL;
            t[5] = t[4] && t[0] ? ct_mul(t[0], t[4]) : NULL; /* self_scaled */
            t[6] = t[5] ? ct_mul(t[5], gk) : NULL;
            t[7] = ct_pow_scalar(nk, 1 - p);
            r = t[6] && t[7] ? ct_mul(t[6], t[7]) : NULL;
        } else {
            t[1] = abs_d(x);
            if (p < 2) {
                t[0] = ct_sign(x);
                t[2] = t[1] ? ct_pow_scalar(t[1], p - 1) : NULL;
            } else {
                t[0] = ct__retain(x);
                t[2] = t[1] ? ct_pow_scalar(t[1], p - 2) : NULL;
            }
            t[3] = t[0] && t[2] ? ct_mul(t[0], t[2]) : NULL; /* self_scaled */
            t[4] = ct_pow_scalar(nk, p - 1);
            t[5] = t[4] ? ct_div(gk, t[4]) : NULL;
            t[6] = make_mask(MASK_ZERO, nk, NULL, CT_BOOL);
            t[7] = t[5] && t[6] ? masked_zero(t[5], t[6]) : NULL; /* scale_v */
            r = t[3] && t[7] ? ct_mul(t[3], t[7]) : NULL;
        }
    }
    ct__free_all(12, t);
    ct_free(gk);
    ct_free(nk);
    ct_free(x);
    ct_free(nr);
    out[0] = r;
    return r ? CT_OK : CT_ERROR;
}

static ct_tensor *norm_impl(const ct_tensor *x, double p, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    if (!ct_dtype_is_floating_point(x->dtype)) {
        ct__error("norm(): input dtype should be either floating point or complex. Got %s instead.",
                  dtype_name(x->dtype));
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_tensor *out = reduce_forward(CT_REDUCE_NORM, p, x, mask, keepdim, x->dtype, NULL);
    const ct_tensor *in[1] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        ct_node *n = record_reduction("NormBackward1", norm_backward, out, x, mask, keepdim);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        n->scalars[1] = p;
    }
    return out;
}

ct_tensor *ct_norm(const ct_tensor *x, double p) { return norm_impl(x, p, 0, NULL, false); }
ct_tensor *ct_norm_dim(const ct_tensor *x, double p, int ndims, const int64_t *dims, bool keepdim) {
    return norm_impl(x, p, ndims, dims, keepdim);
}
ct_tensor *ct_norm_fro(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    if (ndims > 2) {
        ct__error("Expected at most 2 dimensions, but got %d dimensions instead.", ndims);
        return NULL;
    }
    if (ndims == 2) { /* PyTorch 1.13's frobenius_norm: sqrt(sum(x * x, dims)) */
        if (!ct_dtype_is_floating_point(x->dtype)) return norm_impl(x, 2.0, ndims, dims, keepdim); /* the message */
        ct_tensor *sq = ct_mul(x, x);
        ct_tensor *s = sq ? ct_sum_dim(sq, ndims, dims, keepdim) : NULL;
        ct_tensor *r = s ? ct_sqrt(s) : NULL;
        ct_free(sq);
        ct_free(s);
        return r;
    }
    return norm_impl(x, 2.0, ndims, dims, keepdim);
}

/* ---- logsumexp ---- */

/* LogsumexpBackward0: grad * exp(x - result). saved[0] = x, saved[1] = result. */
static int logsumexp_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *x = ct__unpack(n, 0), *r = ct__unpack(n, 1);
    ct_tensor *t[5] = {0};
    t[0] = x && r ? keep_dims(n, g[0]) : NULL;
    t[1] = t[0] ? keep_dims(n, r) : NULL;
    t[2] = t[1] ? ct_sub(x, t[1]) : NULL;
    t[3] = t[2] ? ct_exp(t[2]) : NULL;
    out[0] = t[3] ? ct_mul(t[0], t[3]) : NULL;
    ct__free_all(4, t);
    ct_free(x);
    ct_free(r);
    return out[0] ? CT_OK : CT_ERROR;
}

ct_tensor *ct_logsumexp(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim) {
    if (!x) return NULL;
    if (ndims == 0 && x->ndim > 0 && !keepdim) {
        int64_t ones[CT_MAX_DIMS];
        for (int d = 0; d < x->ndim; d++) ones[d] = 1;
        char buf[256];
        ct__error("output with shape [] doesn't match the broadcast shape %s",
                  ct__format_shape(buf, sizeof buf, x->ndim, ones));
        return NULL;
    }
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    ct_dtype od = ct_dtype_is_floating_point(x->dtype) ? x->dtype : ct_get_default_dtype();
    ct_tensor *xc = cast_nograd(x, od);
    ct_tensor *out = xc ? reduce_forward(CT_REDUCE_LOGSUMEXP, 0, xc, mask, keepdim, od, NULL) : NULL;
    ct_free(xc);
    const ct_tensor *in[1] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        ct_node *n = record_reduction("LogsumexpBackward0", logsumexp_backward, out, x, mask, keepdim);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, out, true, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
    }
    return out;
}

/* ---- all / any / count_nonzero (no gradient) ---- */

static ct_tensor *logical_impl(ct_reduce_kind kind, const ct_tensor *x, bool has_dim, int64_t dim, bool keepdim) {
    if (!x) return NULL;
    bool mask[CT_MAX_DIMS];
    if (has_dim) {
        int d = ct__wrap_dim(dim, x->ndim);
        if (d < 0) return NULL;
        memset(mask, 0, sizeof mask);
        if (x->ndim > 0) mask[d] = true;
    } else if (dims_mask(x, 0, NULL, mask) != CT_OK) {
        return NULL;
    }
    return reduce_forward(kind, 0, x, mask, keepdim && has_dim, x->dtype == CT_UINT8 ? CT_UINT8 : CT_BOOL, NULL);
}

ct_tensor *ct_all(const ct_tensor *x) { return logical_impl(CT_REDUCE_ALL, x, false, 0, false); }
ct_tensor *ct_all_dim(const ct_tensor *x, int64_t dim, bool keepdim) {
    return logical_impl(CT_REDUCE_ALL, x, true, dim, keepdim);
}
ct_tensor *ct_any(const ct_tensor *x) { return logical_impl(CT_REDUCE_ANY, x, false, 0, false); }
ct_tensor *ct_any_dim(const ct_tensor *x, int64_t dim, bool keepdim) {
    return logical_impl(CT_REDUCE_ANY, x, true, dim, keepdim);
}

ct_tensor *ct_count_nonzero(const ct_tensor *x, int ndims, const int64_t *dims) {
    if (!x) return NULL;
    bool mask[CT_MAX_DIMS];
    if (dims_mask(x, ndims, dims, mask) != CT_OK) return NULL;
    return reduce_forward(CT_REDUCE_COUNT_NONZERO, 0, x, mask, false, CT_INT64, NULL);
}
