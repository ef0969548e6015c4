/* Pooling ops: F.max_pool / avg_pool / adaptive_* / max_unpool / lp_pool in
 * 1, 2 and 3 spatial dims, with PyTorch 1.13.1's argument checks, messages
 * and autograd graph. Kernels: src/kernels/cpu/pool.c.
 *
 * Autograd. The forward of a 2-d / 3-d pooling records one node
 * (MaxPool2DWithIndicesBackward0, AvgPool3DBackward0, ...) whose formula is
 * itself a recorded op (MaxPool2DWithIndicesBackwardBackward0, ...): the
 * backward of a max pooling is a scatter of the gradient to the saved
 * indices, whose own gradient is a gather (written with ct_gather, so it is
 * differentiable again); the backward of an average pooling is linear and
 * its gradient is the forward pooling again. The 1-d forms are the 2-d ops
 * on x.unsqueeze(-2) (max_unpool1d: unsqueeze(-1)), as in PyTorch. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_pool.h"
#include "kernels/cpu/pool.h"
#include "ops/op_util.h"

enum { K_MAX, K_AVG, K_AMAX, K_AAVG };

/* A pooling call: window arguments left-aligned (nsp of them). */
typedef struct pool_p {
    int kind, nsp;
    int64_t k[3], s[3], p[3], d[3];
    bool cip;        /* count_include_pad */
    int64_t divisor; /* divisor_override, 0 = none */
} pool_p;

static const char *fwd_name(const pool_p *pp) {
    static const char *const names[4][2] = {
        {"MaxPool2DWithIndicesBackward0", "MaxPool3DWithIndicesBackward0"},
        {"AvgPool2DBackward0", "AvgPool3DBackward0"},
        {"AdaptiveMaxPool2DBackward0", "AdaptiveMaxPool3DBackward0"},
        {"AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool3DBackward0"}};
    return names[pp->kind][pp->nsp == 3];
}

static const char *bwd_name(const pool_p *pp) {
    static const char *const names[4][2] = {
        {"MaxPool2DWithIndicesBackwardBackward0", "MaxPool3DWithIndicesBackwardBackward0"},
        {"AvgPool2DBackwardBackward0", "AvgPool3DBackwardBackward0"},
        {"AdaptiveMaxPool2DBackwardBackward0", "AdaptiveMaxPool3DBackwardBackward0"},
        {"AdaptiveAvgPool2DBackwardBackward0", "AdaptiveAvgPool3DBackwardBackward0"}};
    return names[pp->kind][pp->nsp == 3];
}

static bool is_max(const pool_p *pp) { return pp->kind == K_MAX || pp->kind == K_AMAX; }

/* ---- node argument packing ---- */
static void pack(ct_node *n, const pool_p *pp) {
    n->ints[0] = pp->kind, n->ints[1] = pp->nsp;
    for (int i = 0; i < 3; i++) {
        n->ints[2 + i] = pp->k[i], n->ints[5 + i] = pp->s[i];
        n->ints[8 + i] = pp->p[i], n->ints[11 + i] = pp->d[i];
    }
    n->ints[14] = pp->cip, n->ints[15] = pp->divisor;
    n->nints = 16;
}

static pool_p unpack(const ct_node *n) {
    pool_p pp = {.kind = (int)n->ints[0], .nsp = (int)n->ints[1], .cip = n->ints[14] != 0, .divisor = n->ints[15]};
    for (int i = 0; i < 3; i++) {
        pp.k[i] = n->ints[2 + i], pp.s[i] = n->ints[5 + i];
        pp.p[i] = n->ints[8 + i], pp.d[i] = n->ints[11 + i];
    }
    return pp;
}

/* ---- geometry ---- */
static int64_t lead_planes(int ndim, const int64_t *sizes, int nsp) {
    int64_t planes = 1;
    for (int i = 0; i < ndim - nsp; i++) planes *= sizes[i];
    return planes;
}

/* Kernel geometry for an input of (ndim, in_sizes) pooled to out_sp. */
static void make_geom(const pool_p *pp, int ndim, const int64_t *in_sizes, const int64_t *out_sp, ct__pool_geom *g) {
    memset(g, 0, sizeof *g);
    g->planes = lead_planes(ndim, in_sizes, pp->nsp);
    int off = 3 - pp->nsp;
    for (int i = 0; i < 3; i++) g->in[i] = g->out[i] = g->k[i] = g->s[i] = g->d[i] = 1;
    for (int i = 0; i < pp->nsp; i++) {
        g->in[off + i] = in_sizes[ndim - pp->nsp + i];
        g->out[off + i] = out_sp[i];
        g->k[off + i] = pp->k[i], g->s[off + i] = pp->s[i], g->p[off + i] = pp->p[i], g->d[off + i] = pp->d[i];
    }
    g->count_include_pad = pp->cip;
    g->divisor = pp->divisor;
}

static ct_tensor *contig(const ct_tensor *x) { return ct__is_contiguous(x) ? ct__retain(x) : ct__clone(x); }

/* The pooling kernel on x (no checks, no graph): out (+ int64 indices). */
static ct_tensor *pool_raw(const pool_p *pp, const ct_tensor *x, const int64_t *out_sp, ct_tensor **idx) {
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x->sizes, (size_t)x->ndim * sizeof *shape);
    memcpy(shape + x->ndim - pp->nsp, out_sp, (size_t)pp->nsp * sizeof *shape);
    ct__pool_geom g;
    make_geom(pp, x->ndim, x->sizes, out_sp, &g);
    ct_tensor *xc = contig(x);
    ct_tensor *out = xc ? ct__empty(x->dtype, x->ndim, shape) : NULL;
    ct_tensor *ind = out && is_max(pp) ? ct__empty(CT_INT64, x->ndim, shape) : NULL;
    if (!out || (is_max(pp) && !ind)) {
        ct_free(xc), ct_free(out), ct_free(ind);
        return NULL;
    }
    if (ct__numel(out) > 0) {
        switch (pp->kind) {
        case K_MAX: ct__max_pool_fwd(x->dtype, &g, ct__data(xc), ct__data(out), (int64_t *)ct__data(ind)); break;
        case K_AMAX:
            ct__adaptive_max_pool_fwd(x->dtype, &g, ct__data(xc), ct__data(out), (int64_t *)ct__data(ind));
            break;
        case K_AVG: ct__avg_pool_fwd(x->dtype, &g, ct__data(xc), ct__data(out)); break;
        default: ct__adaptive_avg_pool_fwd(x->dtype, &g, ct__data(xc), ct__data(out)); break;
        }
    }
    ct_free(xc);
    if (idx) *idx = ind;
    else ct_free(ind);
    return out;
}

/* src viewed as (planes, -1) gathered at idx viewed as (planes, -1), shaped
 * as idx: max_pool_double_backward, and max_unpool's backward. */
static ct_tensor *gather_planes(const ct_tensor *src, const ct_tensor *idx, int nsp) {
    int64_t planes = lead_planes(idx->ndim, idx->sizes, nsp);
    int64_t sn = ct__numel(src), in_ = ct__numel(idx);
    int64_t ps = planes ? sn / planes : 0, pi = planes ? in_ / planes : 0;
    ct_tensor *s2 = ct_reshape(src, CT_SIZE(planes, ps));
    ct_tensor *i2 = ct_reshape(idx, CT_SIZE(planes, pi));
    ct_tensor *g = s2 && i2 ? ct_gather(s2, 1, i2) : NULL;
    ct_tensor *r = g ? ct_reshape(g, idx->ndim, idx->sizes) : NULL;
    ct_free(s2), ct_free(i2), ct_free(g);
    return r;
}

static ct_tensor *pool_forward(const pool_p *pp, const ct_tensor *x, const int64_t *out_sp, ct_tensor **idx);

/* The backward pooling op (a recorded op of its own): gy (out shape) ->
 * grad of the input (ndim, in_sizes). */
static int pool_grad_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out);

static ct_tensor *pool_grad(const pool_p *pp, const ct_tensor *gy, int ndim, const int64_t *in_sizes,
                            const ct_tensor *idx) {
    ct_tensor *gyc = contig(gy);
    ct_tensor *gx = gyc ? ct__empty(gy->dtype, ndim, in_sizes) : NULL;
    if (!gx) {
        ct_free(gyc);
        return NULL;
    }
    ct__pool_geom g;
    make_geom(pp, ndim, in_sizes, gy->sizes + gy->ndim - pp->nsp, &g);
    ct_tensor *ic = idx ? contig(idx) : NULL;
    if (ct__numel(gx) > 0) {
        if (ct__numel(gy) == 0) memset(ct__data(gx), 0, (size_t)ct__numel(gx) * ct__traits(gx->dtype)->itemsize);
        else if (is_max(pp)) ct__max_pool_bwd(gy->dtype, &g, ct__data(gyc), (const int64_t *)ct__data(ic), ct__data(gx));
        else if (pp->kind == K_AVG) ct__avg_pool_bwd(gy->dtype, &g, ct__data(gyc), ct__data(gx));
        else ct__adaptive_avg_pool_bwd(gy->dtype, &g, ct__data(gyc), ct__data(gx));
    }
    ct_free(gyc), ct_free(ic);
    if (!ct__any_requires_grad(1, &gy)) return gx;
    ct_node *n = ct__record(bwd_name(pp), pool_grad_backward, gx, 1, &gy);
    if (!n || (idx && ct__save(n, 0, idx, false, 0) != CT_OK)) {
        ct_free(gx);
        return NULL;
    }
    pack(n, pp);
    n->ndim_arg = gy->ndim;
    memcpy(n->shape_arg, gy->sizes, (size_t)gy->ndim * sizeof *gy->sizes);
    return gx;
}

/* gradient of the backward op w.r.t. gy: gather (max) or the pooling itself */
static int pool_grad_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    pool_p pp = unpack(n);
    if (is_max(&pp)) {
        ct_tensor *idx = ct__unpack(n, 0);
        out[0] = idx ? gather_planes(g[0], idx, pp.nsp) : NULL;
        ct_free(idx);
    } else {
        out[0] = pool_forward(&pp, g[0], n->shape_arg + n->ndim_arg - pp.nsp, NULL);
    }
    return out[0] ? CT_OK : CT_ERROR;
}

static int pool_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    pool_p pp = unpack(n);
    ct_tensor *idx = is_max(&pp) ? ct__unpack(n, 0) : NULL;
    if (is_max(&pp) && !idx) return CT_ERROR;
    out[0] = pool_grad(&pp, g[0], n->ndim_arg, n->shape_arg, idx);
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

/* Forward with autograd: out (+ indices, never requiring grad). */
static ct_tensor *pool_forward(const pool_p *pp, const ct_tensor *x, const int64_t *out_sp, ct_tensor **idx) {
    ct_tensor *ind = NULL;
    ct_tensor *out = pool_raw(pp, x, out_sp, &ind);
    if (!out) return NULL;
    if (ct__any_requires_grad(1, &x)) {
        ct_node *n = ct__record(fwd_name(pp), pool_backward, out, 1, &x);
        if (!n || (ind && ct__save(n, 0, ind, false, 0) != CT_OK)) {
            ct_free(out), ct_free(ind);
            return NULL;
        }
        pack(n, pp);
        n->ndim_arg = x->ndim;
        memcpy(n->shape_arg, x->sizes, (size_t)x->ndim * sizeof *x->sizes);
    }
    if (idx) *idx = ind;
    else ct_free(ind);
    return out;
}

/* ---- argument checks (Pool.h, DilatedMaxPool2d.cpp, AveragePool2d.cpp ...) ---- */

static const char *const count_word[] = {"", "one", "two", "three"};

/* Resolve an int-or-tuple argument into nsp values; dflt when omitted
 * (dflt NULL: required). */
static int resolve(ct_pool_ints a, int nsp, const int64_t *dflt, int64_t *out, const char *errfmt, const char *fn) {
    if (a.n == 0 && dflt) {
        memcpy(out, dflt, (size_t)nsp * sizeof *out);
        return CT_OK;
    }
    if (a.n != 1 && a.n != nsp) {
        ct__error(errfmt, fn, count_word[nsp]);
        return CT_ERROR;
    }
    for (int i = 0; i < nsp; i++) out[i] = a.v[a.n == 1 ? 0 : i];
    return CT_OK;
}

static int64_t div_rtn(int64_t x, int64_t y) {
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) q--;
    return q;
}

/* at::native::pooling_output_shape */
static int out_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil, int64_t *o) {
    if (s == 0) {
        ct__error("stride should not be zero");
        return CT_ERROR;
    }
    if (pad < 0) {
        ct__error("pad must be non-negative, but got pad: %" PRId64, pad);
        return CT_ERROR;
    }
    if (pad > k / 2) {
        ct__error("pad should be at most half of kernel size, but got pad=%" PRId64 " and kernel_size=%" PRId64, pad,
                  k);
        return CT_ERROR;
    }
    int64_t r = div_rtn(in + 2 * pad - d * (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
    if (ceil && (r - 1) * s >= in + pad) r--;
    *o = r;
    return CT_OK;
}

static int check_dtype(const ct_tensor *x, const char *name) {
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        ct__error("\"%s\" not implemented for '%s'", name, ct__traits(x->dtype)->scalar_name);
        return CT_ERROR;
    }
    return CT_OK;
}

/* pool2d_shape_check / pool3d_shape_check */
static int shape_check(const pool_p *pp, const ct_tensor *x, const int64_t *o, bool avg3d_input_check) {
    const int64_t *k = pp->k, *s = pp->s, *p = pp->p, *d = pp->d;
    int nd = x->ndim;
    char buf[256];
    if (pp->nsp == 2) {
        if (k[0] <= 0 || k[1] <= 0) {
            ct__error("kernel size should be greater than zero, but got kH: %" PRId64 " kW: %" PRId64, k[0], k[1]);
            return CT_ERROR;
        }
        if (s[0] <= 0 || s[1] <= 0) {
            ct__error("stride should be greater than zero, but got dH: %" PRId64 " dW: %" PRId64, s[0], s[1]);
            return CT_ERROR;
        }
        if (d[0] <= 0 || d[1] <= 0) {
            ct__error("dilation should be greater than zero, but got dilationH: %" PRId64 " dilationW: %" PRId64, d[0],
                      d[1]);
            return CT_ERROR;
        }
        bool valid = x->sizes[nd - 3] != 0 && x->sizes[nd - 2] != 0;
        if (!((nd == 3 && x->sizes[0] != 0 && valid) || (nd == 4 && valid && x->sizes[3] != 0))) {
            ct__error("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:%s",
                      ct__format_shape(buf, sizeof buf, nd, x->sizes));
            return CT_ERROR;
        }
        if (k[1] / 2 < p[1] || k[0] / 2 < p[0]) {
            ct__error("pad should be smaller than or equal to half of kernel size, but got padW = %" PRId64
                      ", padH = %" PRId64 ", kW = %" PRId64 ", kH = %" PRId64,
                      p[1], p[0], k[1], k[0]);
            return CT_ERROR;
        }
        if (o[0] < 1 || o[1] < 1) {
            int64_t c = x->sizes[nd - 3];
            ct__error("Given input size: (%" PRId64 "x%" PRId64 "x%" PRId64 "). Calculated output size: (%" PRId64
                      "x%" PRId64 "x%" PRId64 "). Output size is too small",
                      c, x->sizes[nd - 2], x->sizes[nd - 1], c, o[0], o[1]);
            return CT_ERROR;
        }
        return CT_OK;
    }
    if (k[0] <= 0 || k[1] <= 0 || k[2] <= 0) {
        ct__error("kernel size should be greater than zero, but got kT: %" PRId64 " kH: %" PRId64 " kW: %" PRId64, k[0],
                  k[1], k[2]);
        return CT_ERROR;
    }
    if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0) {
        ct__error("stride should be greater than zero, but got dT: %" PRId64 " dH: %" PRId64 " dW: %" PRId64, s[0],
                  s[1], s[2]);
        return CT_ERROR;
    }
    if (d[0] <= 0 || d[1] <= 0 || d[2] <= 0) {
        ct__error("dilation should be greater than zero, but got dilationT: %" PRId64 " dilationH: %" PRId64
                  " dilationW: %" PRId64,
                  d[0], d[1], d[2]);
        return CT_ERROR;
    }
    const char *fn = avg3d_input_check ? "avg_pool3d()" : "max_pool3d_with_indices_out_cpu_template()";
    for (int i = 1; i < nd; i++)
        if (x->sizes[i] <= 0) {
            ct__error("%s: Expected input's non-batch dimensions to have positive length, but input has a shape of %s "
                      "and non-batch dimension %" PRId64 " has length zero!",
                      fn, ct__format_shape(buf, sizeof buf, nd, x->sizes), x->sizes[i]);
            return CT_ERROR;
        }
    const int64_t *in = x->sizes + nd - 3;
    if (avg3d_input_check && (in[0] < k[0] || in[1] < k[1] || in[2] < k[2])) {
        ct__error("input image (T: %" PRId64 " H: %" PRId64 " W: %" PRId64 ") smaller than kernel size (kT: %" PRId64
                  " kH: %" PRId64 " kW: %" PRId64 ")",
                  in[0], in[1], in[2], k[0], k[1], k[2]);
        return CT_ERROR;
    }
    if (k[0] / 2 < p[0] || k[2] / 2 < p[2] || k[1] / 2 < p[1]) {
        ct__error("pad should be smaller than or equal to half of kernel size, but got kT: %" PRId64 " kW: %" PRId64
                  " kH: %" PRId64 " padT: %" PRId64 " padW: %" PRId64 " padH: %" PRId64,
                  k[0], k[2], k[1], p[0], p[2], p[1]);
        return CT_ERROR;
    }
    if (o[0] < 1 || o[1] < 1 || o[2] < 1) {
        int64_t c = x->sizes[nd - 4];
        ct__error("Given input size: (%" PRId64 "x%" PRId64 "x%" PRId64 "x%" PRId64 "). Calculated output size: (%" PRId64
                  "x%" PRId64 "x%" PRId64 "x%" PRId64 "). Output size is too small",
                  c, in[0], in[1], in[2], c, o[0], o[1], o[2]);
        return CT_ERROR;
    }
    return CT_OK;
}

static int output_sizes(const pool_p *pp, const ct_tensor *x, bool ceil, int64_t *o) {
    for (int i = 0; i < pp->nsp; i++)
        if (out_size(x->sizes[x->ndim - pp->nsp + i], pp->k[i], pp->p[i], pp->s[i], pp->d[i], ceil, o + i) != CT_OK)
            return CT_ERROR;
    return CT_OK;
}

static int ndim_check(const ct_tensor *x, int nsp) {
    if (x->ndim != nsp + 1 && x->ndim != nsp + 2) {
        ct__error(nsp == 2 ? "non-empty 3D or 4D (batch mode) tensor expected for input"
                           : "non-empty 4D or 5D (batch mode) tensor expected for input");
        return CT_ERROR;
    }
    return CT_OK;
}

/* ---- max pooling ---- */

static const int64_t ones3[3] = {1, 1, 1}, zeros3[3] = {0, 0, 0};

static int max_args(pool_p *pp, int nsp, ct_pool_ints kernel_size, const ct_max_pool_opts *o, const char *fn) {
    static const ct_max_pool_opts none = {0};
    if (!o) o = &none;
    *pp = (pool_p){.kind = K_MAX, .nsp = nsp};
    if (resolve(kernel_size, nsp, NULL, pp->k, "%s: kernel_size must either be a single int, or a tuple of %s ints",
                fn) != CT_OK ||
        resolve(o->stride, nsp, pp->k, pp->s, "%s: stride must either be omitted, a single int, or a tuple of %s ints",
                fn) != CT_OK ||
        resolve(o->padding, nsp, zeros3, pp->p, "%s: padding must either be a single int, or a tuple of %s ints", fn) !=
            CT_OK ||
        resolve(o->dilation, nsp, ones3, pp->d, "%s: dilation must be either a single int, or a tuple of %s ints", fn) !=
            CT_OK)
        return CT_ERROR;
    return CT_OK;
}

static ct_tensor *max_pool_nd(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *o, int nsp,
                              ct_tensor **indices) {
    if (indices) *indices = NULL;
    if (!x) return NULL;
    pool_p pp;
    int64_t out[3];
    bool ceil = o && o->ceil_mode;
    if (max_args(&pp, nsp, kernel_size, o, nsp == 2 ? "max_pool2d" : "max_pool3d") != CT_OK) return NULL;
    if (ndim_check(x, nsp) != CT_OK || output_sizes(&pp, x, ceil, out) != CT_OK ||
        shape_check(&pp, x, out, false) != CT_OK ||
        check_dtype(x, nsp == 2 ? "max_pool2d" : "max_pool3d_with_indices_cpu") != CT_OK)
        return NULL;
    return pool_forward(&pp, x, out, indices);
}

ct_tensor *ct_max_pool2d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts) {
    return max_pool_nd(x, kernel_size, opts, 2, NULL);
}
ct_tensor *ct_max_pool3d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts) {
    return max_pool_nd(x, kernel_size, opts, 3, NULL);
}
ct_tensor *ct_max_pool2d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices) {
    ct_tensor *dummy = NULL;
    ct_tensor *r = max_pool_nd(x, kernel_size, opts, 2, indices ? indices : &dummy);
    ct_free(dummy);
    return r;
}
ct_tensor *ct_max_pool3d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices) {
    ct_tensor *dummy = NULL;
    ct_tensor *r = max_pool_nd(x, kernel_size, opts, 3, indices ? indices : &dummy);
    ct_free(dummy);
    return r;
}

/* checkDimRange(fn, self, 2, 4) */
static int dim_range_2_3(const ct_tensor *x, const char *fn) {
    if (x->ndim >= 2 && x->ndim <= 3) return CT_OK;
    ct__error("Expected 2 to 3 dimensions, but got %d-dimensional tensor for argument #1 'self' (while checking "
              "arguments for %s)",
              x->ndim, fn);
    return CT_ERROR;
}

/* "max_pool1d() argument 'kernel_size' should contain one int (got 2)" */
static int check1d(const char *fn, const char *arg, ct_pool_ints a, bool optional) {
    if ((optional && a.n == 0) || a.n == 1) return CT_OK;
    ct__error("%s() argument '%s' should contain one int (got %d)", fn, arg, a.n);
    return CT_ERROR;
}

static ct_pool_ints pair_1(ct_pool_ints a, int64_t lead) {
    return a.n == 0 ? a : (ct_pool_ints){2, {lead, a.v[0], 0}};
}

static ct_tensor *squeeze_free(ct_tensor *t, int dim) {
    ct_tensor *r = t ? ct_squeeze_dim(t, dim) : NULL;
    ct_free(t);
    return r;
}

/* The end of a 1-d max pool run as 2-d on x.unsqueeze(-2): y and ind
 * (both consumed) lose dim -2; ind goes to *indices (dropped when indices
 * is NULL). NULL, with *indices untouched, when y is NULL. */
static ct_tensor *squeeze_pair(ct_tensor *y, ct_tensor *ind, ct_tensor **indices) {
    y = squeeze_free(y, -2);
    ind = squeeze_free(ind, -2);
    if (!y) {
        ct_free(ind);
        return NULL;
    }
    if (indices) *indices = ind;
    else ct_free(ind);
    return y;
}

/* max_pool1d_impl: the path PyTorch takes when no gradient is needed */
static ct_tensor *max_pool1d_nograd(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *o) {
    int64_t k = kernel_size.v[0], s = o->stride.n ? o->stride.v[0] : k, p = o->padding.n ? o->padding.v[0] : 0,
            d = o->dilation.n ? o->dilation.v[0] : 1;
    if (k <= 0) ct__error("max_pool1d() kernel_size must be greater than zero, but got %" PRId64, k);
    else if (s <= 0) ct__error("max_pool1d() stride must be greater than zero, but got %" PRId64, s);
    else if (p < 0) ct__error("max_pool1d() padding must be non-negative, but got %" PRId64, p);
    else if (p > k / 2)
        ct__error("max_pool1d() padding should be at most half of kernel size, but got padding=%" PRId64
                  " and kernel_size=%" PRId64,
                  p, k);
    else if (d <= 0) ct__error("max_pool1d() dilation must be greater than zero, but got %" PRId64, d);
    else {
        int64_t ow;
        if (out_size(x->sizes[x->ndim - 1], k, p, s, d, o->ceil_mode, &ow) != CT_OK) return NULL;
        if (ow < 0) {
            ct__error("max_pool1d() Invalid computed output size: %" PRId64, ow);
            return NULL;
        }
        if (check_dtype(x, "max_pool1d_impl") != CT_OK) return NULL;
        pool_p pp = {.kind = K_MAX, .nsp = 1, .k = {k}, .s = {s}, .p = {p}, .d = {d}};
        return pool_raw(&pp, x, &ow, NULL);
    }
    return NULL;
}

static ct_tensor *max_pool1d_any(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *o,
                                 ct_tensor **indices) {
    static const ct_max_pool_opts none = {0};
    if (indices) *indices = NULL;
    if (!x) return NULL;
    if (!o) o = &none;
    if (check1d("max_pool1d", "kernel_size", kernel_size, false) != CT_OK ||
        check1d("max_pool1d", "stride", o->stride, true) != CT_OK ||
        check1d("max_pool1d", "padding", o->padding, true) != CT_OK ||
        check1d("max_pool1d", "dilation", o->dilation, true) != CT_OK)
        return NULL;
    if (indices) {
        if (dim_range_2_3(x, "max_pool1d") != CT_OK) return NULL;
    } else {
        bool ok = (x->ndim == 2 && x->sizes[0] != 0 && x->sizes[1] != 0) ||
                  (x->ndim == 3 && x->sizes[1] != 0 && x->sizes[2] != 0);
        if (!ok) {
            char buf[256];
            ct__error("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but "
                      "got:%s",
                      ct__format_shape(buf, sizeof buf, x->ndim, x->sizes));
            return NULL;
        }
        if (!ct__any_requires_grad(1, &x)) return max_pool1d_nograd(x, kernel_size, o);
    }
    ct_max_pool_opts o2 = {.stride = pair_1(o->stride, 1),
                           .padding = pair_1(o->padding, 0),
                           .dilation = pair_1(o->dilation, 1),
                           .ceil_mode = o->ceil_mode};
    if (o2.padding.n == 0) o2.padding = (ct_pool_ints){2, {0, 0, 0}};
    if (o2.stride.n == 0) o2.stride = (ct_pool_ints){2, {1, kernel_size.v[0], 0}};
    ct_tensor *xu = ct_unsqueeze(x, -2);
    ct_tensor *ind = NULL;
    ct_tensor *y = xu ? max_pool_nd(xu, pair_1(kernel_size, 1), &o2, 2, &ind) : NULL;
    ct_free(xu);
    return squeeze_pair(y, ind, indices);
}

ct_tensor *ct_max_pool1d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts) {
    return max_pool1d_any(x, kernel_size, opts, NULL);
}
ct_tensor *ct_max_pool1d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices) {
    ct_tensor *dummy = NULL;
    ct_tensor *r = max_pool1d_any(x, kernel_size, opts, indices ? indices : &dummy);
    ct_free(dummy);
    return r;
}

/* ---- average pooling ---- */

static ct_tensor *avg_pool_nd(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *o, int nsp) {
    static const ct_avg_pool_opts none = {0};
    if (!x) return NULL;
    if (!o) o = &none;
    const char *fn = nsp == 2 ? "avg_pool2d" : "avg_pool3d";
    pool_p pp = {.kind = K_AVG, .nsp = nsp, .cip = !o->no_count_include_pad, .divisor = o->divisor_override};
    memcpy(pp.d, ones3, sizeof ones3);
    if (resolve(kernel_size, nsp, NULL, pp.k,
                nsp == 2 ? "%s: kernel_size must either be a single int, or a tuple of %s ints"
                         : "%s: kernel_size must be a single int, or a tuple of %s ints",
                fn) != CT_OK ||
        resolve(o->stride, nsp, pp.k, pp.s, "%s: stride must either be omitted, a single int, or a tuple of %s ints",
                fn) != CT_OK ||
        resolve(o->padding, nsp, zeros3, pp.p,
                nsp == 2 ? "%s: padding must either be a single int, or a tuple of %s ints"
                         : "%s: padding must be a single int, or a tuple of %s ints",
                fn) != CT_OK)
        return NULL;
    /* the meta function reads input.size(-(nsp + 1)) first */
    if (x->ndim < nsp + 1 && ct__wrap_dim(-(nsp + 1), x->ndim) < 0) return NULL;
    if (ndim_check(x, nsp) != CT_OK) return NULL;
    int64_t out[3];
    if (output_sizes(&pp, x, o->ceil_mode, out) != CT_OK || shape_check(&pp, x, out, nsp == 3) != CT_OK ||
        check_dtype(x, nsp == 2 ? "avg_pool2d" : "avg_pool3d_out_frame") != CT_OK)
        return NULL;
    return pool_forward(&pp, x, out, NULL);
}

ct_tensor *ct_avg_pool2d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts) {
    return avg_pool_nd(x, kernel_size, opts, 2);
}
ct_tensor *ct_avg_pool3d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts) {
    return avg_pool_nd(x, kernel_size, opts, 3);
}

ct_tensor *ct_avg_pool1d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts) {
    static const ct_avg_pool_opts none = {0};
    if (!x) return NULL;
    if (!opts) opts = &none;
    if (opts->divisor_override) {
        ct__error("avg_pool1d() got an unexpected keyword argument 'divisor_override'");
        return NULL;
    }
    if (dim_range_2_3(x, "avg_pool1d") != CT_OK || check1d("avg_pool1d", "kernel_size", kernel_size, false) != CT_OK ||
        check1d("avg_pool1d", "stride", opts->stride, true) != CT_OK ||
        check1d("avg_pool1d", "padding", opts->padding, true) != CT_OK)
        return NULL;
    ct_avg_pool_opts o2 = *opts;
    o2.stride = (ct_pool_ints){2, {1, opts->stride.n ? opts->stride.v[0] : kernel_size.v[0], 0}};
    o2.padding = (ct_pool_ints){2, {0, opts->padding.n ? opts->padding.v[0] : 0, 0}};
    ct_tensor *xu = ct_unsqueeze(x, -2);
    ct_tensor *y = xu ? avg_pool_nd(xu, pair_1(kernel_size, 1), &o2, 2) : NULL;
    ct_free(xu);
    return squeeze_free(y, -2);
}

/* ---- adaptive pooling ---- */

static int adaptive_sizes(const ct_tensor *x, ct_pool_ints os, int nsp, int64_t *out, const char *fn) {
    if (os.n != 1 && os.n != nsp) {
        ct__error("%s: output_size must be %d", fn, nsp);
        return CT_ERROR;
    }
    for (int i = 0; i < nsp; i++) {
        int64_t v = os.v[os.n == 1 ? 0 : i];
        /* None keeps the input size (F.adaptive_*'s _list_with_default) */
        out[i] = v == CT_POOL_NONE ? (x->ndim >= nsp ? x->sizes[x->ndim - nsp + i] : 0) : v;
    }
    return CT_OK;
}

static ct_tensor *adaptive_avg_nd(const ct_tensor *x, ct_pool_ints output_size, int nsp) {
    if (!x) return NULL;
    const char *fn = nsp == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d";
    int64_t out[3];
    char buf[256];
    if (adaptive_sizes(x, output_size, nsp, out, fn) != CT_OK) return NULL;
    bool neg = false, all_one = true;
    for (int i = 0; i < nsp; i++) neg |= out[i] < 0, all_one &= out[i] == 1;
    if (neg) {
        if (nsp == 2)
            ct__error("%s: elements of output_size must be greater than or equal to 0 but received {%" PRId64
                      ", %" PRId64 "}",
                      fn, out[0], out[1]);
        else
            ct__error("%s: elements of output_size must be greater than or equal to 0 but received {%" PRId64
                      ", %" PRId64 ", %" PRId64 "}",
                      fn, out[0], out[1], out[2]);
        return NULL;
    }
    if (all_one) /* PyTorch computes a mean over the spatial dims here (MeanBackward1) */
        return ct_mean_dim(x, nsp, nsp == 2 ? (const int64_t[]){-1, -2} : (const int64_t[]){-1, -2, -3}, true);
    if (nsp == 2) {
        if (x->ndim != 3 && x->ndim != 4) {
            ct__error("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got %s",
                      ct__format_shape(buf, sizeof buf, x->ndim, x->sizes));
            return NULL;
        }
        for (int i = -2; i <= -1; i++)
            if (x->sizes[x->ndim + i] <= 0) {
                ct__error("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but "
                          "input has sizes %s with dimension %d being empty",
                          ct__format_shape(buf, sizeof buf, x->ndim, x->sizes), x->ndim + i);
                return NULL;
            }
    } else {
        for (int i = 1; i < x->ndim; i++)
            if (x->sizes[i] <= 0) {
                ct__error("adaptive_avg_pool3d(): Expected input to have non-zero size for non-batch dimensions, but "
                          "input has sizes %s with dimension %d being empty",
                          ct__format_shape(buf, sizeof buf, x->ndim, x->sizes), i);
                return NULL;
            }
        if (x->ndim != 4 && x->ndim != 5) {
            ct__error("adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got %s",
                      ct__format_shape(buf, sizeof buf, x->ndim, x->sizes));
            return NULL;
        }
    }
    if (check_dtype(x, nsp == 2 ? "adaptive_avg_pool2d" : "adaptive_avg_pool3d_cpu") != CT_OK) return NULL;
    pool_p pp = {.kind = K_AAVG, .nsp = nsp};
    return pool_forward(&pp, x, out, NULL);
}

ct_tensor *ct_adaptive_avg_pool2d_opts(const ct_tensor *x, ct_pool_ints output_size) {
    return adaptive_avg_nd(x, output_size, 2);
}
ct_tensor *ct_adaptive_avg_pool3d_opts(const ct_tensor *x, ct_pool_ints output_size) {
    return adaptive_avg_nd(x, output_size, 3);
}
ct_tensor *ct_adaptive_avg_pool1d_opts(const ct_tensor *x, ct_pool_ints output_size) {
    if (!x) return NULL;
    if (dim_range_2_3(x, "adaptive_avg_pool1d") != CT_OK ||
        check1d("adaptive_avg_pool1d", "output_size", output_size, false) != CT_OK)
        return NULL;
    ct_tensor *xu = ct_unsqueeze(x, -2);
    int64_t os = output_size.v[0] == CT_POOL_NONE ? x->sizes[x->ndim - 1] : output_size.v[0];
    ct_tensor *y = xu ? adaptive_avg_nd(xu, (ct_pool_ints){2, {1, os, 0}}, 2) : NULL;
    ct_free(xu);
    return squeeze_free(y, -2);
}

static ct_tensor *adaptive_max_nd(const ct_tensor *x, ct_pool_ints output_size, int nsp, ct_tensor **indices) {
    if (indices) *indices = NULL;
    if (!x) return NULL;
    const char *fn = nsp == 2 ? "adaptive_max_pool2d" : "adaptive_max_pool3d";
    int64_t out[3];
    char buf[256];
    if (adaptive_sizes(x, output_size, nsp, out, fn) != CT_OK) return NULL;
    if (x->ndim != nsp + 1 && x->ndim != nsp + 2) {
        ct__error("%s(): Expected %s tensor, but got: %s", fn, nsp == 2 ? "3D or 4D" : "4D or 5D",
                  ct__format_shape(buf, sizeof buf, x->ndim, x->sizes));
        return NULL;
    }
    for (int i = 1; i < x->ndim; i++)
        if (x->sizes[i] <= 0) {
            ct__error("%s(): Expected input to have non-zero size for non-batch dimensions, but input has sizes %s with "
                      "dimension %d being empty",
                      fn, ct__format_shape(buf, sizeof buf, x->ndim, x->sizes), i);
            return NULL;
        }
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x->sizes, (size_t)x->ndim * sizeof *shape);
    memcpy(shape + x->ndim - nsp, out, (size_t)nsp * sizeof *out);
    if (ct__check_shape(x->ndim, shape, x->dtype) < 0) return NULL;
    if (check_dtype(x, nsp == 2 ? "adaptive_max_pool2d" : "adaptive_max_pool3d_cpu") != CT_OK) return NULL;
    pool_p pp = {.kind = K_AMAX, .nsp = nsp};
    ct_tensor *ind = NULL;
    ct_tensor *y = pool_forward(&pp, x, out, &ind);
    if (indices) *indices = ind;
    else ct_free(ind);
    return y;
}

ct_tensor *ct_adaptive_max_pool2d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices) {
    return adaptive_max_nd(x, output_size, 2, indices);
}
ct_tensor *ct_adaptive_max_pool3d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices) {
    return adaptive_max_nd(x, output_size, 3, indices);
}
ct_tensor *ct_adaptive_max_pool1d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices) {
    if (indices) *indices = NULL;
    if (!x) return NULL;
    if (dim_range_2_3(x, "adaptive_max_pool1d") != CT_OK ||
        check1d("adaptive_max_pool1d", "output_size", output_size, false) != CT_OK)
        return NULL;
    ct_tensor *xu = ct_unsqueeze(x, -2), *ind = NULL;
    int64_t os = output_size.v[0] == CT_POOL_NONE ? x->sizes[x->ndim - 1] : output_size.v[0];
    ct_tensor *y = xu ? adaptive_max_nd(xu, (ct_pool_ints){2, {1, os, 0}}, 2, &ind) : NULL;
    ct_free(xu);
    return squeeze_pair(y, ind, indices);
}

/* ---- max unpooling ---- */

/* MaxUnpool2DBackward0 / MaxUnpool3DBackward0: max_pool_double_backward */
static int unpool_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    ct_tensor *idx = ct__unpack(n, 0);
    out[0] = idx ? gather_planes(g[0], idx, (int)n->ints[0]) : NULL;
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

/* torch._C._nn.max_unpool2d / max_unpool3d with a resolved output size */
static ct_tensor *unpool_core(const ct_tensor *x, const ct_tensor *idx, int nsp, const int64_t *osz,
                              const int64_t *stride) {
    char b1[256], b2[256];
    if (idx->dtype != CT_INT64) {
        if (nsp == 2)
            ct__error("elements in indices should be type int64 but got: %s", ct__traits(idx->dtype)->scalar_name);
        else ct__error("elements in indices should be type int64");
        return NULL;
    }
    if (x->ndim != nsp + 1 && x->ndim != nsp + 2) {
        ct__error("Input to max_unpooling%dd should be a %dd or %dd Tensor, but got a tensor with %d dimensions.", nsp,
                  nsp + 1, nsp + 2, x->ndim);
        return NULL;
    }
    if (x->ndim != idx->ndim || memcmp(x->sizes, idx->sizes, (size_t)x->ndim * sizeof *x->sizes)) {
        ct__error("Expected shape of indices to be same as that of the input tensor (%s) but got indices tensor with "
                  "shape: %s",
                  ct__format_shape(b1, sizeof b1, x->ndim, x->sizes),
                  ct__format_shape(b2, sizeof b2, idx->ndim, idx->sizes));
        return NULL;
    }
    for (int i = 1; i < x->ndim; i++)
        if (x->sizes[i] <= 0) {
            ct__error("%s: Expected input to have non-zero size for non-batch dimensions, but got %s with dimension %d "
                      "being empty.",
                      nsp == 2 ? "max_unpooling2d_forward_out_cpu()" : "max_unpooling3d_forward_out_cpu_template()",
                      ct__format_shape(b1, sizeof b1, x->ndim, x->sizes), i);
            return NULL;
        }
    if (nsp == 3 && (stride[0] <= 0 || stride[1] <= 0 || stride[2] <= 0)) {
        ct__error("strides should be greater than zero, but got stride: [%" PRId64 ", %" PRId64 ", %" PRId64 "]",
                  stride[0], stride[1], stride[2]);
        return NULL;
    }
    if (check_dtype(x, nsp == 2 ? "max_unpool2d" : "max_unpool3d") != CT_OK) return NULL;
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x->sizes, (size_t)x->ndim * sizeof *shape);
    memcpy(shape + x->ndim - nsp, osz, (size_t)nsp * sizeof *osz);
    if (ct__check_shape(x->ndim, shape, x->dtype) < 0) return NULL;
    ct_tensor *xc = contig(x), *ic = contig(idx);
    ct_tensor *out = xc && ic ? ct__empty(x->dtype, x->ndim, shape) : NULL;
    if (!out) goto fail;
    /* the last invalid index is the one PyTorch reports */
    int64_t plane = 1, n = ct__numel(ic), bad = 0;
    bool failed = false;
    for (int i = 0; i < nsp; i++) plane *= osz[i];
    const int64_t *ip = (const int64_t *)ct__data(ic);
    for (int64_t i = 0; i < n; i++)
        if (ip[i] < 0 || ip[i] >= plane) failed = true, bad = ip[i];
    if (failed) {
        if (nsp == 2)
            ct__error("Found an invalid max index: %" PRId64 " (output volumes are of size %" PRId64 "x%" PRId64, bad,
                      osz[0], osz[1]);
        else
            ct__error("Found an invalid max index: %" PRId64 " (output volumes are of size %" PRId64 "x%" PRId64
                      "x%" PRId64,
                      bad, osz[0], osz[1], osz[2]);
        goto fail;
    }
    pool_p pp = {.nsp = nsp};
    ct__pool_geom g;
    make_geom(&pp, x->ndim, x->sizes, osz, &g);
    if (ct__numel(out) > 0) ct__max_unpool_fwd(x->dtype, &g, ct__data(xc), ip, ct__data(out));
    ct_free(xc), ct_free(ic);
    if (ct__any_requires_grad(1, &x)) {
        ct_node *nd = ct__record(nsp == 2 ? "MaxUnpool2DBackward0" : "MaxUnpool3DBackward0", unpool_backward, out, 1, &x);
        if (!nd || ct__save(nd, 0, idx, false, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        nd->ints[0] = nsp;
        nd->nints = 1;
    }
    return out;
fail:
    ct_free(xc), ct_free(ic), ct_free(out);
    return NULL;
}

/* F._unpool_output_size */
static int unpool_size(const ct_tensor *x, int nsp, const int64_t *k, const int64_t *s, const int64_t *p,
                       const ct_max_unpool_opts *o, int64_t *out) {
    int64_t def[3];
    for (int d = 0; d < nsp; d++) {
        int64_t in = x->ndim >= nsp ? x->sizes[x->ndim - nsp + d] : 1;
        def[d] = (in - 1) * s[d] + k[d] - 2 * p[d];
    }
    if (!o->output_size || o->output_ndim == 0) {
        memcpy(out, def, (size_t)nsp * sizeof *out);
        return CT_OK;
    }
    const int64_t *os = o->output_size;
    int n = o->output_ndim;
    if (n == nsp + 2) os += 2, n -= 2;
    if (n != nsp) {
        ct__error("output_size should be a sequence containing %d or %d elements, but it has a length of '%d'", nsp,
                  nsp + 2, o->output_ndim);
        return CT_ERROR;
    }
    for (int d = 0; d < nsp; d++) {
        int64_t lo = def[d] - s[d], hi = def[d] + s[d];
        if (!(lo < os[d] && os[d] < hi)) {
            char buf[128];
            size_t u = (size_t)snprintf(buf, sizeof buf, "(");
            for (int i = 0; i < n && u < sizeof buf; i++)
                u += (size_t)snprintf(buf + u, sizeof buf - u, "%s%" PRId64, i ? ", " : "", os[i]);
            if (u < sizeof buf) snprintf(buf + u, sizeof buf - u, "%s)", n == 1 ? "," : "");
            ct__error("invalid output_size \"%s\" (dim %d must be between %" PRId64 " and %" PRId64 ")", buf, d, lo,
                      hi);
            return CT_ERROR;
        }
    }
    memcpy(out, os, (size_t)nsp * sizeof *out);
    return CT_OK;
}

static ct_tensor *max_unpool_nd(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *o, int nsp) {
    static const ct_max_unpool_opts none = {0};
    if (!x || !indices) return NULL;
    if (!o) o = &none;
    int64_t k[3], s[3], p[3], osz[3];
    const char *fmt = "%s: expected an int or a tuple of %s ints";
    const char *fn = nsp == 1 ? "max_unpool1d" : nsp == 2 ? "max_unpool2d" : "max_unpool3d";
    if (resolve(kernel_size, nsp, NULL, k, fmt, fn) != CT_OK || resolve(o->stride, nsp, k, s, fmt, fn) != CT_OK ||
        resolve(o->padding, nsp, zeros3, p, fmt, fn) != CT_OK || unpool_size(x, nsp, k, s, p, o, osz) != CT_OK)
        return NULL;
    if (nsp > 1) return unpool_core(x, indices, nsp, osz, s);
    /* max_unpool2d(x.unsqueeze(-1), indices.unsqueeze(-1), output_size + [1]).squeeze(-1) */
    ct_tensor *xu = ct_unsqueeze(x, -1), *iu = ct_unsqueeze(indices, -1);
    int64_t o2[2] = {osz[0], 1}, s2[2] = {s[0], 1};
    ct_tensor *y = xu && iu ? unpool_core(xu, iu, 2, o2, s2) : NULL;
    ct_free(xu), ct_free(iu);
    return squeeze_free(y, -1);
}

ct_tensor *ct_max_unpool1d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts) {
    return max_unpool_nd(x, indices, kernel_size, opts, 1);
}
ct_tensor *ct_max_unpool2d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts) {
    return max_unpool_nd(x, indices, kernel_size, opts, 2);
}
ct_tensor *ct_max_unpool3d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts) {
    return max_unpool_nd(x, indices, kernel_size, opts, 3);
}

/* ---- power-average pooling (F.lp_pool1d / lp_pool2d, a composition) ---- */

static ct_tensor *lp_pool_nd(const ct_tensor *x, double norm_type, ct_pool_ints kernel_size, const ct_lp_pool_opts *o,
                             int nsp) {
    static const ct_lp_pool_opts none = {0};
    if (!x) return NULL;
    if (!o) o = &none;
    int64_t k[2];
    if (resolve(kernel_size, nsp, NULL, k, "%s: kernel_size must either be a single int, or a tuple of %s ints",
                nsp == 1 ? "lp_pool1d" : "lp_pool2d") != CT_OK)
        return NULL;
    int64_t kprod = nsp == 1 ? k[0] : k[0] * k[1];
    ct_tensor *t[6] = {0};
    t[0] = ct_pow_scalar(x, norm_type);
    if (t[0]) {
        if (nsp == 1) {
            ct_avg_pool_opts ao = {.stride = o->stride, .ceil_mode = o->ceil_mode};
            t[1] = ct_avg_pool1d_opts(t[0], kernel_size, &ao);
        } else {
            ct_avg_pool_opts ao = {.stride = o->stride, .ceil_mode = o->ceil_mode};
            t[1] = ct_avg_pool2d_opts(t[0], kernel_size, &ao);
        }
    }
    t[2] = t[1] ? ct_sign(t[1]) : NULL;
    ct_tensor *a = t[1] ? ct_abs(t[1]) : NULL;
    t[3] = a ? ct_relu(a) : NULL;
    ct_free(a);
    t[4] = t[2] && t[3] ? ct_mul(t[2], t[3]) : NULL;
    t[5] = t[4] ? ct_mul_scalar_int(t[4], kprod) : NULL;
    ct_tensor *r = t[5] ? ct_pow_scalar(t[5], 1.0 / norm_type) : NULL;
    ct__free_all(6, t);
    return r;
}

ct_tensor *ct_lp_pool1d_opts(const ct_tensor *x, double norm_type, ct_pool_ints kernel_size,
                             const ct_lp_pool_opts *opts) {
    return lp_pool_nd(x, norm_type, kernel_size, opts, 1);
}
ct_tensor *ct_lp_pool2d_opts(const ct_tensor *x, double norm_type, ct_pool_ints kernel_size,
                             const ct_lp_pool_opts *opts) {
    return lp_pool_nd(x, norm_type, kernel_size, opts, 2);
}
