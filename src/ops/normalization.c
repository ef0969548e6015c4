/* F.batch_norm, F.instance_norm, F.layer_norm, F.group_norm,
 * F.local_response_norm, F.normalize (PyTorch 1.13.1).
 *
 * batch/layer/group norm share one forward (src/kernels/cpu/norm.c) and
 * one backward node: a fused kernel when no graph is being built, a
 * formula of ctorch ops under create_graph (twice differentiable, as
 * PyTorch's native_*_backward are). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_norm.h"
#include "kernels/cpu/norm.h"
#include "ops/op_util.h"

enum { I_P, I_Q, I_R, I_AR, I_AQ, I_BATCH, I_HAS_W };

/* Remember a temporary for ct__free_all (a function: K() calls nest). */
static ct_tensor *keep(ct_tensor **T, int *k, ct_tensor *t) {
    T[(*k)++] = t;
    return t;
}

static const char *tname(ct_dtype d) { return ct__traits(d)->scalar_name; }

static ct_tensor *contig(const ct_tensor *t) {
    if (!t) return NULL;
    return ct__is_contiguous(t) ? ct__retain(t) : ct__clone(t);
}

static void dim_out_of_range(int ndim, int dim) {
    int lo = ndim ? -ndim : -1, hi = ndim ? ndim - 1 : 0;
    ct__error("Dimension out of range (expected to be in range of [%d, %d], but got %d)", lo, hi, dim);
}

static bool check_float(const ct_tensor *x, const char *kernel) {
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        ct__error("\"%s\" not implemented for '%s'", kernel, tname(x->dtype));
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- backward */

static int fill_from_double(ct_tensor *t, const double *v) {
    char *p = ct__data(t);
    int64_t n = ct__numel(t);
    for (int64_t i = 0; i < n; i++) {
        if (t->dtype == CT_FLOAT64)
            ((double *)p)[i] = v[i];
        else
            ((float *)p)[i] = (float)v[i];
    }
    return CT_OK;
}

static int fused_backward(ct_node *n, const ct_tensor *x, const ct_tensor *w, const ct_tensor *g, ct_tensor **out) {
    ct_norm_geom geo = {n->ints[I_P], n->ints[I_Q], n->ints[I_R], n->ints[I_AR], n->ints[I_AQ]};
    ct_tensor *mean = ct__unpack(n, 2), *rstd = ct__unpack(n, 3);
    ct_tensor *xc = contig(x), *gc = contig(g), *wc = w ? contig(w) : NULL;
    bool need_x = n->next[0].fn, need_w = n->num_next > 1 && n->next[1].fn, need_b = n->num_next > 2 && n->next[2].fn;
    int rc = CT_ERROR;
    double *gw = NULL, *gb = NULL;
    if (!mean || !rstd || !xc || !gc || (w && !wc)) goto done;
    if (need_x && !(out[0] = ct__empty(x->dtype, x->ndim, x->sizes))) goto done;
    gw = need_w ? malloc((size_t)(geo.aQ + 1) * sizeof *gw) : NULL;
    gb = need_b ? malloc((size_t)(geo.aQ + 1) * sizeof *gb) : NULL;
    if ((need_w && !gw) || (need_b && !gb)) {
        ct__error_oom(geo.aQ * 8);
        goto done;
    }
    if (ct__norm_backward(x->dtype, ct__data(xc), ct__data(gc), &geo, (const double *)ct__data(mean),
                          (const double *)ct__data(rstd), wc ? ct__data(wc) : NULL, n->ints[I_BATCH] != 0,
                          need_x ? ct__data(out[0]) : NULL, gw, gb) != CT_OK)
        goto done;
    if (need_w) {
        if (!(out[1] = ct__empty(x->dtype, n->ndim_arg, n->shape_arg))) goto done;
        fill_from_double(out[1], gw);
    }
    if (need_b) {
        if (!(out[2] = ct__empty(x->dtype, n->ndim_arg, n->shape_arg))) goto done;
        fill_from_double(out[2], gb);
    }
    rc = CT_OK;
done:
    free(gw);
    free(gb);
    ct_free(mean);
    ct_free(rstd);
    ct_free(xc);
    ct_free(gc);
    ct_free(wc);
    return rc;
}

/* The same gradients from ctorch ops, so that they are differentiable. */
static int composite_backward(ct_node *n, const ct_tensor *x, const ct_tensor *w, const ct_tensor *g, ct_tensor **out) {
    int64_t P = n->ints[I_P], Q = n->ints[I_Q], R = n->ints[I_R], aR = n->ints[I_AR], aQ = n->ints[I_AQ];
    int64_t numel = ct__numel(x), A = (aQ > 0 && aR > 0) ? numel / (aQ * aR) : 0;
    const int64_t d02[2] = {0, 2};
    bool need_x = n->next[0].fn, need_w = n->num_next > 1 && n->next[1].fn, need_b = n->num_next > 2 && n->next[2].fn;
    ct_tensor *T[32] = {0};
    int k = 0;
#define K(e) keep(T, &k, (e))
    ct_tensor *x3 = K(ct_reshape(x, CT_SIZE(P, Q, R)));
    ct_tensor *ga = K(ct_reshape(g, CT_SIZE(A, aQ, aR)));
    ct_tensor *gxh;
    if (w) {
        ct_tensor *wv = K(ct_reshape(w, CT_SIZE(1, aQ, 1)));
        gxh = K(ct_reshape(K(ct_mul(ga, wv)), CT_SIZE(P, Q, R)));
    } else {
        gxh = K(ct_reshape(g, CT_SIZE(P, Q, R)));
    }
    ct_tensor *rstd, *xh;
    if (n->ints[I_BATCH]) {
        ct_tensor *mean = K(ct_mean_dim(x3, 2, d02, true));
        ct_tensor *xc = K(ct_sub(x3, mean));
        ct_tensor *var = K(ct_mean_dim(K(ct_mul(xc, xc)), 2, d02, true));
        rstd = K(ct_rsqrt(K(ct_add_scalar(var, n->scalars[0]))));
        xh = K(ct_mul(xc, rstd));
    } else {
        ct_tensor *m0 = K(ct__unpack(n, 2)), *r0 = K(ct__unpack(n, 3));
        ct_tensor *mean = K(ct_reshape(K(ct__as_dtype(m0, x->dtype)), CT_SIZE(1, Q, 1)));
        rstd = K(ct_reshape(K(ct__as_dtype(r0, x->dtype)), CT_SIZE(1, Q, 1)));
        xh = K(ct_mul(K(ct_sub(x3, mean)), rstd));
    }
    if (need_x) {
        ct_tensor *gx3;
        if (n->ints[I_BATCH]) {
            ct_tensor *a = K(ct_mean_dim(gxh, 2, d02, true));
            ct_tensor *bb = K(ct_mean_dim(K(ct_mul(gxh, xh)), 2, d02, true));
            gx3 = K(ct_mul(rstd, K(ct_sub(K(ct_sub(gxh, a)), K(ct_mul(xh, bb))))));
        } else {
            gx3 = K(ct_mul(gxh, rstd));
        }
        out[0] = ct_reshape(gx3, x->ndim, x->sizes);
    }
    if (need_w) {
        ct_tensor *xha = K(ct_reshape(xh, CT_SIZE(A, aQ, aR)));
        out[1] = ct_reshape(K(ct_sum_dim(K(ct_mul(ga, xha)), 2, d02, false)), n->ndim_arg, n->shape_arg);
    }
    if (need_b) out[2] = ct_reshape(K(ct_sum_dim(ga, 2, d02, false)), n->ndim_arg, n->shape_arg);
#undef K
    ct__free_all(k, T);
    if ((need_x && !out[0]) || (need_w && !out[1]) || (need_b && !out[2])) return CT_ERROR;
    return CT_OK;
}

static int norm_backward(ct_node *n, ct_tensor *const *grads_in, ct_tensor **grads_out) {
    ct_tensor *x = ct__unpack(n, 0);
    ct_tensor *w = n->ints[I_HAS_W] ? ct__unpack(n, 1) : NULL;
    int rc = CT_ERROR;
    if (x && (w || !n->ints[I_HAS_W]))
        rc = ct_is_grad_enabled() ? composite_backward(n, x, w, grads_in[0], grads_out)
                                  : fused_backward(n, x, w, grads_in[0], grads_out);
    ct_free(x);
    ct_free(w);
    return rc;
}

/* ----------------------------------------------------------------- forward */

typedef struct norm_call {
    const char *node_name;
    ct_norm_geom geo;
    double eps;
    bool batch_stats;
    const ct_tensor *stat_mean, *stat_var; /* running stats used when !batch_stats */
    ct_tensor *upd_mean, *upd_var;         /* running stats to update when batch_stats */
    double momentum;
    int affine_ndim;
    const int64_t *affine_shape;
} norm_call;

static bool store_running(ct_tensor *r, const double *v, double momentum) {
    const ct_dtype_traits *tr = ct__traits(r->dtype);
    char *p = ct__data(r);
    int64_t st = r->ndim ? r->strides[0] : 1, n = ct__numel(r);
    size_t item = tr->itemsize;
    for (int64_t i = 0; i < n; i++) {
        char *e = p + i * st * (int64_t)item;
        double old = tr->load_double(e);
        tr->store_double(e, momentum * v[i] + (1 - momentum) * old);
    }
    ct__bump_version(r);
    return true;
}

/* Load a 1-D tensor's values as doubles. */
static void load_vec(const ct_tensor *t, double *out) {
    const ct_dtype_traits *tr = ct__traits(t->dtype);
    const char *p = ct__data(t);
    int64_t st = t->ndim ? t->strides[0] : 1, n = ct__numel(t);
    for (int64_t i = 0; i < n; i++) out[i] = tr->load_double(p + i * st * (int64_t)tr->itemsize);
}

static ct_tensor *norm_run(const norm_call *c, const ct_tensor *x, const ct_tensor *w, const ct_tensor *b) {
    const ct_norm_geom *g = &c->geo;
    ct_tensor *xc = contig(x), *wc = w ? contig(w) : NULL, *bc = b ? contig(b) : NULL;
    ct_tensor *mean = ct__empty(CT_FLOAT64, CT_SIZE(g->Q)), *rstd = ct__empty(CT_FLOAT64, CT_SIZE(g->Q));
    ct_tensor *y = ct__empty(x->dtype, x->ndim, x->sizes), *var = ct__empty(CT_FLOAT64, CT_SIZE(g->Q));
    ct_tensor *ret = NULL;
    if (!xc || (w && !wc) || (b && !bc) || !mean || !rstd || !y || !var) goto done;
    double *m = (double *)ct__data(mean), *r = (double *)ct__data(rstd), *v = (double *)ct__data(var);
    const void *wp = wc ? ct__data(wc) : NULL, *bp = bc ? ct__data(bc) : NULL;
    /* statistics over contiguous rows (layer and group norm; batch and
     * instance norm when one sample's channel is the row) and no running
     * statistics to update: statistics and output in one pass over the rows */
    bool fused = c->batch_stats && !c->upd_mean && !c->upd_var &&
                 ct__norm_forward_rows(x->dtype, ct__data(xc), ct__data(y), g, c->eps, wp, bp, m, v, r);
    if (!fused) {
        if (c->batch_stats) {
            ct__norm_moments(x->dtype, ct__data(xc), g, m, v);
            for (int64_t q = 0; q < g->Q; q++) r[q] = 1 / sqrt(v[q] + c->eps);
            int64_t cnt = g->P * g->R;
            if (c->upd_mean && cnt > 0) store_running(c->upd_mean, m, c->momentum);
            if (c->upd_var && cnt > 0) {
                for (int64_t q = 0; q < g->Q; q++) v[q] = cnt > 1 ? v[q] * (double)cnt / (double)(cnt - 1) : INFINITY;
                store_running(c->upd_var, v, c->momentum);
            }
        } else {
            load_vec(c->stat_mean, m);
            load_vec(c->stat_var, v);
            for (int64_t q = 0; q < g->Q; q++) r[q] = 1 / sqrt(v[q] + c->eps);
        }
        ct__norm_apply(x->dtype, ct__data(xc), ct__data(y), g, m, r, wp, bp);
    }
    const ct_tensor *in[3] = {x, w, b};
    if (ct__any_requires_grad(3, in)) {
        ct_node *n = ct__record(c->node_name, norm_backward, y, 3, in);
        if (!n || ct__save(n, 0, x, false, 0) != CT_OK || (w && ct__save(n, 1, w, false, 0) != CT_OK) ||
            ct__save(n, 2, mean, false, 0) != CT_OK || ct__save(n, 3, rstd, false, 0) != CT_OK)
            goto done;
        n->ints[I_P] = g->P, n->ints[I_Q] = g->Q, n->ints[I_R] = g->R;
        n->ints[I_AR] = g->aR, n->ints[I_AQ] = g->aQ;
        n->ints[I_BATCH] = c->batch_stats, n->ints[I_HAS_W] = w != NULL;
        n->nints = I_HAS_W + 1;
        n->scalars[0] = c->eps;
        n->ndim_arg = c->affine_ndim;
        memcpy(n->shape_arg, c->affine_shape, (size_t)c->affine_ndim * sizeof *c->affine_shape);
    }
    ret = y;
    y = NULL;
done:
    ct_free(xc);
    ct_free(wc);
    ct_free(bc);
    ct_free(mean);
    ct_free(rstd);
    ct_free(var);
    ct_free(y);
    return ret;
}

static bool same_dtype(const ct_tensor *x, const ct_tensor *t) {
    if (t && t->dtype != x->dtype) {
        ct__error("expected scalar type %s but found %s", tname(x->dtype), tname(t->dtype));
        return false;
    }
    return true;
}

static const char *torch_size(char *buf, size_t len, int ndim, const int64_t *sizes) {
    char s[256];
    snprintf(buf, len, "torch.Size(%s)", ct__format_shape(s, sizeof s, ndim, sizes));
    return buf;
}

static ct_tensor *batch_norm_impl(const ct_tensor *x, ct_tensor *rm, ct_tensor *rv, const ct_tensor *w,
                                  const ct_tensor *b, bool training, double momentum, double eps, bool verify) {
    if (!x) return NULL;
    if (x->ndim < 2) {
        dim_out_of_range(x->ndim, 1);
        return NULL;
    }
    if (training && verify) {
        int64_t prod = x->sizes[0];
        for (int d = 2; d < x->ndim; d++) prod *= x->sizes[d];
        if (prod == 1) {
            char s[300];
            ct__error("Expected more than 1 value per channel when training, got input size %s",
                      torch_size(s, sizeof s, x->ndim, x->sizes));
            return NULL;
        }
    }
    int64_t C = x->sizes[1];
    if (ct__numel(x) != 0) {
        const char *names[4] = {"running_mean", "running_var", "weight", "bias"};
        const ct_tensor *ts[4] = {rm, rv, w, b};
        for (int i = 0; i < 4; i++) {
            if (ts[i]) {
                if (ct__numel(ts[i]) != C) {
                    ct__error("%s should contain %" PRId64 " elements not %" PRId64, names[i], C, ct__numel(ts[i]));
                    return NULL;
                }
            } else if (i < 2 && !training) {
                ct__error("%s must be defined in evaluation mode", names[i]);
                return NULL;
            }
        }
    }
    if (!check_float(x, "batch_norm")) return NULL;
    if ((w && w->dtype != x->dtype) || (b && b->dtype != x->dtype)) {
        ct__error("mixed dtype (CPU): expect parameter to have scalar type of %s", tname(x->dtype));
        return NULL;
    }
    if (!same_dtype(x, rm) || !same_dtype(x, rv)) return NULL;
    int64_t S = 1;
    for (int d = 2; d < x->ndim; d++) S *= x->sizes[d];
    norm_call c = {.node_name = "NativeBatchNormBackward0",
                   .geo = {x->sizes[0], C, S, S, C},
                   .eps = eps,
                   .batch_stats = training,
                   .stat_mean = rm,
                   .stat_var = rv,
                   .upd_mean = training ? rm : NULL,
                   .upd_var = training ? rv : NULL,
                   .momentum = momentum,
                   .affine_ndim = 1,
                   .affine_shape = &C};
    return norm_run(&c, x, w, b);
}

ct_tensor *ct_batch_norm(const ct_tensor *x, ct_tensor *running_mean, ct_tensor *running_var, const ct_tensor *weight,
                         const ct_tensor *bias, bool training, double momentum, double eps) {
    return batch_norm_impl(x, running_mean, running_var, weight, bias, training, momentum, eps, true);
}

ct_tensor *ct_layer_norm(const ct_tensor *x, int ndim, const int64_t *normalized_shape, const ct_tensor *weight,
                         const ct_tensor *bias, double eps) {
    if (!x) return NULL;
    char ns[256], s1[256];
    if (ndim < 0 || ndim > CT_MAX_DIMS || (ndim > 0 && !normalized_shape)) {
        ct__error("layer_norm(): invalid normalized_shape");
        return NULL;
    }
    ct__format_shape(ns, sizeof ns, ndim, normalized_shape);
    if (ndim < 1) {
        ct__error("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but "
                  "got normalized_shape = %s",
                  ns);
        return NULL;
    }
    const ct_tensor *aff[2] = {weight, bias};
    const char *an[2] = {"weight", "bias"};
    for (int i = 0; i < 2; i++) {
        const ct_tensor *t = aff[i];
        if (t && (t->ndim != ndim || memcmp(t->sizes, normalized_shape, (size_t)ndim * sizeof(int64_t)))) {
            ct__error("Expected %s to be of same shape as normalized_shape, but got %s of shape %s and "
                      "normalized_shape = %s",
                      an[i], an[i], ct__format_shape(s1, sizeof s1, t->ndim, t->sizes), ns);
            return NULL;
        }
    }
    bool ok = x->ndim >= ndim;
    for (int i = 0; ok && i < ndim; i++) ok = x->sizes[x->ndim - ndim + i] == normalized_shape[i];
    if (!ok) {
        char buf[512];
        size_t u = (size_t)snprintf(buf, sizeof buf, "[*");
        for (int i = 0; i < ndim && u < sizeof buf; i++)
            u += (size_t)snprintf(buf + u, sizeof buf - u, ", %" PRId64, normalized_shape[i]);
        ct__error("Given normalized_shape=%s, expected input with shape %s], but got input of size%s", ns, buf,
                  ct__format_shape(s1, sizeof s1, x->ndim, x->sizes));
        return NULL;
    }
    if (!check_float(x, "LayerNormKernelImpl")) return NULL;
    if ((weight && weight->dtype != x->dtype) || (bias && bias->dtype != x->dtype)) {
        ct__error("mixed dtype (CPU): expect input to have scalar type of BFloat16");
        return NULL;
    }
    int64_t K = ct__shape_numel(ndim, normalized_shape), M = ct__shape_numel(x->ndim - ndim, x->sizes);
    norm_call c = {.node_name = "NativeLayerNormBackward0",
                   .geo = {1, M, K, 1, K},
                   .eps = eps,
                   .batch_stats = true,
                   .affine_ndim = ndim,
                   .affine_shape = normalized_shape};
    return norm_run(&c, x, weight, bias);
}

ct_tensor *ct_group_norm(const ct_tensor *x, int64_t num_groups, const ct_tensor *weight, const ct_tensor *bias,
                         double eps) {
    if (!x) return NULL;
    if (x->ndim < 2) {
        dim_out_of_range(x->ndim, 1);
        return NULL;
    }
    if (num_groups == 0) {
        ct__error("integer division or modulo by zero");
        return NULL;
    }
    int64_t N = x->sizes[0], C = x->sizes[1], S = 1;
    for (int d = 2; d < x->ndim; d++) S *= x->sizes[d];
    /* _verify_batch_size([N * C // G, G] + spatial), floor division as Python */
    int64_t nc = N * C, q = nc / num_groups;
    if ((nc % num_groups != 0) && ((nc < 0) != (num_groups < 0))) q--;
    if (q * S == 1) {
        char buf[300];
        size_t u = (size_t)snprintf(buf, sizeof buf, "[%" PRId64 ", %" PRId64, q, num_groups);
        for (int d = 2; d < x->ndim && u < sizeof buf; d++)
            u += (size_t)snprintf(buf + u, sizeof buf - u, ", %" PRId64, x->sizes[d]);
        snprintf(buf + u, sizeof buf - u, "]");
        ct__error("Expected more than 1 value per channel when training, got input size %s", buf);
        return NULL;
    }
    char s1[256], s2[256];
    if (num_groups < 0 || C % num_groups != 0) {
        ct__error("Expected number of channels in input to be divisible by num_groups, but got input of shape %s and "
                  "num_groups=%" PRId64,
                  ct__format_shape(s1, sizeof s1, x->ndim, x->sizes), num_groups);
        return NULL;
    }
    const ct_tensor *aff[2] = {weight, bias};
    const char *an[2] = {"weight", "bias"};
    for (int i = 0; i < 2; i++) {
        const ct_tensor *t = aff[i];
        if (t && (t->ndim != 1 || t->sizes[0] != C)) {
            ct__error("Expected %s to be a vector of size equal to the number of channels in input, but got %s of "
                      "shape %s and input of shape %s",
                      an[i], an[i], ct__format_shape(s1, sizeof s1, t->ndim, t->sizes),
                      ct__format_shape(s2, sizeof s2, x->ndim, x->sizes));
            return NULL;
        }
    }
    if (!check_float(x, "GroupNormKernelImpl")) return NULL;
    if (!same_dtype(x, weight) || !same_dtype(x, bias)) return NULL;
    norm_call c = {.node_name = "NativeGroupNormBackward0",
                   .geo = {1, N * num_groups, C / num_groups * S, S, C},
                   .eps = eps,
                   .batch_stats = true,
                   .affine_ndim = 1,
                   .affine_shape = &C};
    return norm_run(&c, x, weight, bias);
}

/* at::instance_norm: batch_norm over a (1, N*C, *) view with the affine
 * parameters and running stats repeated N times; the running stats get
 * the mean over N of the repeated copies' updates. */
ct_tensor *ct_instance_norm(const ct_tensor *x, ct_tensor *running_mean, ct_tensor *running_var,
                            const ct_tensor *weight, const ct_tensor *bias, bool use_input_stats, double momentum,
                            double eps) {
    if (!x) return NULL;
    if (use_input_stats) {
        int64_t prod = 1;
        for (int d = 2; d < x->ndim; d++) prod *= x->sizes[d];
        if (prod == 1) {
            char s[300];
            ct__error("Expected more than 1 spatial element when training, got input size %s",
                      torch_size(s, sizeof s, x->ndim, x->sizes));
            return NULL;
        }
    }
    if (x->ndim < 2) {
        dim_out_of_range(x->ndim, 1);
        return NULL;
    }
    int64_t B = x->sizes[0], C = x->sizes[1];
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x->sizes, (size_t)x->ndim * sizeof *shape);
    shape[0] = 1;
    shape[1] = B * C;
    ct_tensor *T[12] = {0};
    int k = 0;
#define K(e) keep(T, &k, (e))
    ct_tensor *w = weight ? K(ct_repeat(weight, CT_SIZE(B))) : NULL;
    ct_tensor *b = bias ? K(ct_repeat(bias, CT_SIZE(B))) : NULL;
    ct_tensor *rm = NULL, *rv = NULL;
    {
        ct_grad_mode gm = ct_no_grad_begin();
        rm = running_mean ? K(ct_repeat(running_mean, CT_SIZE(B))) : NULL;
        rv = running_var ? K(ct_repeat(running_var, CT_SIZE(B))) : NULL;
        ct_grad_mode_end(gm);
    }
    ct_tensor *out = NULL;
    if ((weight && !w) || (bias && !b) || (running_mean && !rm) || (running_var && !rv)) goto done;
    ct_tensor *xr = K(ct_view(K(ct_contiguous(x)), x->ndim, shape));
    ct_tensor *y = xr ? K(batch_norm_impl(xr, rm, rv, w, b, use_input_stats, momentum, eps, false)) : NULL;
    if (!y) goto done;
    ct_tensor *upd[2] = {running_mean, running_var}, *rep[2] = {rm, rv};
    for (int i = 0; i < 2; i++) {
        if (!upd[i]) continue;
        ct_grad_mode gm = ct_no_grad_begin();
        ct_tensor *mv = K(ct_mean_dim(K(ct_view(rep[i], CT_SIZE(B, C))), CT_SIZE(0), false));
        int rc = mv ? ct__copy_(upd[i], mv) : CT_ERROR;
        ct_grad_mode_end(gm);
        if (rc != CT_OK) goto done;
    }
    out = ct_view(y, x->ndim, x->sizes);
done:
#undef K
    ct__free_all(k, T);
    return out;
}

/* F.local_response_norm: div = (k + alpha * avg of x^2 over `size`
 * channels, zero padded size//2 before and (size-1)//2 after)^beta. */
ct_tensor *ct_local_response_norm(const ct_tensor *x, int64_t size, double alpha, double beta, double k) {
    if (!x) return NULL;
    if (x->ndim < 3) {
        ct__error("Expected 3D or higher dimensionality                          input (got %d dimensions)", x->ndim);
        return NULL;
    }
    if (ct__numel(x) == 0) return ct__retain(x);
    if (size < 1) {
        ct__error("local_response_norm(): size must be positive, got %" PRId64, size);
        return NULL;
    }
    ct_tensor *T[12] = {0};
    int n = 0;
#define K(e) keep(T, &n, (e))
    ct_tensor *sq = K(ct_mul(x, x));
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x->sizes, (size_t)x->ndim * sizeof *shape);
    shape[1] = size / 2;
    ct_tensor *front = K(ct_zeros(x->ndim, shape, CT_OPTS(.dtype = x->dtype)));
    shape[1] = (size - 1) / 2;
    ct_tensor *back = K(ct_zeros(x->ndim, shape, CT_OPTS(.dtype = x->dtype)));
    ct_tensor *cat = K(ct_cat(3, (ct_tensor *[]){front, sq, back}, 1));
    ct_tensor *win = K(ct_unfold(cat, 1, size, 1)); /* (N, C, *, size) */
    ct_tensor *avg = K(ct_mean_dim(win, CT_SIZE(-1), false));
    ct_tensor *div = K(ct_pow_scalar(K(ct_add_scalar(K(ct_mul_scalar(avg, alpha)), k)), beta));
    ct_tensor *out = div ? ct_div(x, div) : NULL;
#undef K
    ct__free_all(n, T);
    return out;
}

/* F.normalize: x / norm(x, p, dim, keepdim).clamp_min(eps).expand_as(x). */
ct_tensor *ct_normalize(const ct_tensor *x, double p, int64_t dim, double eps) {
    if (!x) return NULL;
    ct_tensor *nrm = ct_norm_dim(x, p, CT_SIZE(dim), true);
    ct_tensor *cl = nrm ? ct_clamp_min(nrm, eps) : NULL;
    ct_tensor *ex = cl ? ct_expand_as(cl, x) : NULL;
    ct_tensor *out = ex ? ct_div(x, ex) : NULL;
    ct_free(nrm);
    ct_free(cl);
    ct_free(ex);
    return out;
}
