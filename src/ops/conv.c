/* Convolutions (F.conv1d/2d/3d, F.conv_transpose1d/2d/3d) and F.unfold /
 * F.fold with backward.
 *
 * Every one of them is one of three bilinear products over the same
 * geometry (see kernels/cpu/conv.h):
 *   FWD(x, w)  = conv(x, w)                 x-shaped -> y-shaped
 *   TIN(y, w)  = conv's adjoint in x        y-shaped -> x-shaped (conv_transpose)
 *   TW(x, y)   = conv's adjoint in w        -> w-shaped
 * and the gradient of each is again one of the three, so backward is
 * written with these same recorded ops and double backward comes free:
 *   FWD: dx = TIN(g, w), dw = TW(x, g)
 *   TIN: dy = FWD(g, w), dw = TW(g, y)
 *   TW:  dx = TIN(y, g), dy = FWD(x, g)
 * F.unfold is im2col with an identity weight, so it gets its own tiny
 * node pair (Im2ColBackward0 <-> Col2ImBackward0). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_conv.h"
#include "kernels/cpu/conv.h"
#include "ops/op_util.h"

enum { FWD = 0, TIN = 1, TW = 2 };

typedef struct conv_params {
    int nsp;
    int64_t groups;
    ct_conv_geom g; /* the convolution's geometry (input = x side) */
} conv_params;

static void params_to_node(ct_node *n, const conv_params *p, int mode) {
    n->ints[0] = p->nsp;
    n->ints[1] = p->groups;
    n->ints[2] = mode;
    for (int d = 0; d < 3; d++) {
        n->shape_arg[d] = p->g.in[d];
        n->shape_arg[3 + d] = p->g.out[d];
        n->shape_arg2[d] = p->g.k[d];
        n->ints[3 + d] = p->g.stride[d];
        n->ints[6 + d] = p->g.pad[d];
        n->ints[9 + d] = p->g.dil[d];
    }
    n->nints = 12;
}

static void params_from_node(const ct_node *n, conv_params *p, int *mode) {
    p->nsp = (int)n->ints[0];
    p->groups = n->ints[1];
    *mode = (int)n->ints[2];
    for (int d = 0; d < 3; d++) {
        p->g.in[d] = n->shape_arg[d];
        p->g.out[d] = n->shape_arg[3 + d];
        p->g.k[d] = n->shape_arg2[d];
        p->g.stride[d] = n->ints[3 + d];
        p->g.pad[d] = n->ints[6 + d];
        p->g.dil[d] = n->ints[9 + d];
    }
}

static ct_tensor *conv_core(int mode, const ct_tensor *a, const ct_tensor *b, const ct_tensor *bias,
                            const conv_params *p, const char *name);

/* bias gradient: g summed over every dim but 1 */
static ct_tensor *bias_grad(const ct_tensor *g) {
    int64_t dims[CT_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < g->ndim; d++)
        if (d != 1) dims[nd++] = d;
    return ct_sum_dim(g, nd, dims, false);
}

#define DOUBLE_BACKWARD_NAME "ConvolutionBackwardBackward0"

static int conv_backward(ct_node *n, ct_tensor *const *grads, ct_tensor **out) {
    conv_params p;
    int mode;
    params_from_node(n, &p, &mode);
    const ct_tensor *g = grads[0];
    ct_tensor *a = ct__unpack(n, 0), *b = ct__unpack(n, 1);
    int rc = CT_ERROR;
    if (!a || !b) goto done;
    const char *nm = DOUBLE_BACKWARD_NAME;
    if (mode == FWD) {
        if (n->next[0].fn && !(out[0] = conv_core(TIN, g, b, NULL, &p, nm))) goto done;
        if (n->next[1].fn && !(out[1] = conv_core(TW, a, g, NULL, &p, nm))) goto done;
    } else if (mode == TIN) {
        if (n->next[0].fn && !(out[0] = conv_core(FWD, g, b, NULL, &p, nm))) goto done;
        if (n->next[1].fn && !(out[1] = conv_core(TW, g, a, NULL, &p, nm))) goto done;
    } else {
        if (n->next[0].fn && !(out[0] = conv_core(TIN, b, g, NULL, &p, nm))) goto done;
        if (n->next[1].fn && !(out[1] = conv_core(FWD, a, g, NULL, &p, nm))) goto done;
    }
    if (n->num_next > 2 && n->next[2].fn && !(out[2] = bias_grad(g))) goto done;
    rc = CT_OK;
done:
    ct_free(a);
    ct_free(b);
    return rc;
}

/* t as a contiguous graph-free tensor (a new reference). */
static ct_tensor *contig(const ct_tensor *t) { return ct__is_contiguous(t) ? ct__retain(t) : ct__clone(t); }

/* One of the three products; shapes were checked by the caller. a, b and
 * bias share one floating dtype. Records a node named `name` when needed. */
static ct_tensor *conv_core(int mode, const ct_tensor *a, const ct_tensor *b, const ct_tensor *bias,
                            const conv_params *p, const char *name) {
    if (!a || !b) return NULL;
    const int off = 3 - p->nsp;
    int64_t G = p->groups, N = 0, Cin, Cout;
    int64_t shape[CT_MAX_DIMS];
    int nd = 2 + p->nsp;
    if (mode == FWD) { /* a = x, b = w */
        N = a->sizes[0], Cin = a->sizes[1], Cout = b->sizes[0];
        shape[0] = N, shape[1] = Cout;
        for (int d = 0; d < p->nsp; d++) shape[2 + d] = p->g.out[off + d];
    } else if (mode == TIN) { /* a = y, b = w */
        N = a->sizes[0], Cout = a->sizes[1], Cin = b->sizes[1] * G;
        shape[0] = N, shape[1] = Cin;
        for (int d = 0; d < p->nsp; d++) shape[2 + d] = p->g.in[off + d];
    } else { /* a = x, b = y */
        N = a->sizes[0], Cin = a->sizes[1], Cout = b->sizes[1];
        shape[0] = Cout, shape[1] = Cin / G;
        for (int d = 0; d < p->nsp; d++) shape[2 + d] = p->g.k[off + d];
    }
    ct_tensor *out = ct__empty(a->dtype, nd, shape);
    ct_tensor *ac = contig(a), *bc = contig(b), *biasc = bias ? contig(bias) : NULL;
    if (!out || !ac || !bc || (bias && !biasc)) goto fail;
    int rc = 0;
    if (ct__numel(out) > 0) {
        if (mode == FWD)
            rc = ct__conv_forward(a->dtype, &p->g, N, Cin, Cout, G, ct__data(ac), ct__data(bc),
                                  biasc ? ct__data(biasc) : NULL, ct__data(out));
        else if (mode == TIN)
            rc = ct__conv_input_adjoint(a->dtype, &p->g, N, Cin, Cout, G, ct__data(ac), ct__data(bc),
                                        biasc ? ct__data(biasc) : NULL, ct__data(out));
        else
            rc = ct__conv_weight_adjoint(a->dtype, &p->g, N, Cin, Cout, G, ct__data(ac), ct__data(bc),
                                         ct__data(out));
    }
    if (rc != 0) {
        ct__error_oom(ct__numel(out));
        goto fail;
    }
    ct_free(ac), ct_free(bc), ct_free(biasc);
    ac = bc = biasc = NULL;
    const ct_tensor *in[3] = {a, b, bias};
    int nin = mode == TW ? 2 : 3;
    if (ct__any_requires_grad(nin, in)) {
        ct_node *n = ct__record(name, conv_backward, out, nin, in);
        if (!n) goto fail;
        params_to_node(n, p, mode);
        if (ct__save(n, 0, a, false, 0) != CT_OK || ct__save(n, 1, b, false, 0) != CT_OK) goto fail;
    }
    return out;
fail:
    ct_free(out), ct_free(ac), ct_free(bc), ct_free(biasc);
    return NULL;
}

/* ---- argument handling shared by the public forms ---------------------------- */

typedef struct conv_args {
    int64_t stride[3], pad[3], dil[3], opad[3], groups;
    int same;          /* padding='same' */
    int64_t extra[3];  /* 'same' with an odd total: one more on the right */
} conv_args;

/* The tuple field when any entry is set, else the scalar (0 -> dflt). */
static void pick(int nsp, const int64_t *nd, int64_t scalar, int64_t dflt, int64_t *out) {
    bool any = false;
    for (int d = 0; d < nsp; d++) any |= nd[d] != 0;
    for (int d = 0; d < nsp; d++) out[d] = any ? nd[d] : (scalar ? scalar : dflt);
}

static void read_opts(int nsp, const ct_conv_opts *o, conv_args *a) {
    static const ct_conv_opts none;
    if (!o) o = &none;
    memset(a, 0, sizeof *a);
    pick(nsp, o->stride_nd, o->stride, 1, a->stride);
    pick(nsp, o->padding_nd, o->padding, 0, a->pad);
    pick(nsp, o->dilation_nd, o->dilation, 1, a->dil);
    pick(nsp, o->output_padding_nd, o->output_padding, 0, a->opad);
    a->groups = o->groups ? o->groups : 1;
}

static const char *shape_str(char *buf, size_t len, const ct_tensor *t) {
    return ct__format_shape(buf, len, t->ndim, t->sizes);
}

/* "(8 x 8)" */
static const char *x_list(char *buf, size_t len, int n, const int64_t *v) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%" PRId64, i ? " x " : "", v[i]);
    return buf;
}

static bool float_dtype_ok(ct_dtype d) {
    if (d == CT_FLOAT32 || d == CT_FLOAT64) return true;
    if (d == CT_FLOAT16 || d == CT_BFLOAT16 || d == CT_BOOL)
        ct__error("\"slow_conv2d_cpu\" not implemented for '%s'", ct__traits(d)->scalar_name);
    else
        ct__error("\"conv\" not implemented for '%s' in ctorch (integer convolution is not supported)",
                  ct__traits(d)->scalar_name);
    return false;
}

/* caffe2::TypeMeta names as PyTorch prints them for the bias check */
static const char *c_type_name(ct_dtype d) {
    switch (d) {
    case CT_FLOAT32: return "float";
    case CT_FLOAT64: return "double";
    case CT_INT64: return "long int";
    case CT_INT32: return "int";
    case CT_INT16: return "short int";
    case CT_INT8: return "signed char";
    case CT_UINT8: return "unsigned char";
    case CT_BOOL: return "bool";
    case CT_FLOAT16: return "c10::Half";
    case CT_BFLOAT16: return "c10::BFloat16";
    default: return ct__traits(d)->scalar_name;
    }
}

/* The checks of at::_convolution / check_shape_forward, in PyTorch's order,
 * on a batched input. */
static bool check_conv(int nsp, bool transposed, const ct_tensor *x, const ct_tensor *w, const ct_tensor *bias,
                       const conv_args *a) {
    char s1[160], s2[160];
    if (a->groups < 1) {
        ct__error("non-positive groups is not supported");
        return false;
    }
    for (int d = 0; d < nsp; d++) {
        if (a->pad[d] < 0) return ct__error("negative padding is not supported"), false;
    }
    for (int d = 0; d < nsp; d++)
        if (a->opad[d] < 0) return ct__error("negative output_padding is not supported"), false;
    for (int d = 0; d < nsp; d++)
        if (a->stride[d] < 1) return ct__error("non-positive stride is not supported"), false;
    for (int d = 0; d < nsp; d++)
        if (a->dil[d] < 1) return ct__error("non-positive dilation is not supported"), false;
    if (w->ndim != x->ndim) {
        ct__error("Expected %d-dimensional input for %d-dimensional weight %s, but got %d-dimensional input of size "
                  "%s instead",
                  w->ndim, w->ndim, shape_str(s1, sizeof s1, w), x->ndim, shape_str(s2, sizeof s2, x));
        return false;
    }
    int64_t G = a->groups;
    if (w->sizes[0] < G) {
        ct__error("Given groups=%" PRId64 ", expected weight to be at least %" PRId64
                  " at dimension 0, but got weight of size %s instead",
                  G, G, shape_str(s1, sizeof s1, w));
        return false;
    }
    if (w->sizes[0] % G) {
        ct__error("Given groups=%" PRId64 ", expected weight to be divisible by %" PRId64
                  " at dimension 0, but got weight of size [%s] instead",
                  G, G, shape_str(s1, sizeof s1, w));
        return false;
    }
    if (!transposed) {
        if (x->sizes[1] != w->sizes[1] * G) {
            ct__error("Given groups=%" PRId64 ", weight of size %s, expected input%s to have %" PRId64
                      " channels, but got %" PRId64 " channels instead",
                      G, shape_str(s1, sizeof s1, w), shape_str(s2, sizeof s2, x), w->sizes[1] * G, x->sizes[1]);
            return false;
        }
        if (bias && (bias->ndim != 1 || bias->sizes[0] != w->sizes[0])) {
            ct__error("Given weight of size %s, expected bias to be 1-dimensional with %" PRId64
                      " elements, but got bias of size %s instead",
                      shape_str(s1, sizeof s1, w), w->sizes[0], shape_str(s2, sizeof s2, bias));
            return false;
        }
        int64_t in[3], ker[3];
        bool ok = true;
        for (int d = 0; d < nsp; d++) {
            in[d] = x->sizes[2 + d] + 2 * a->pad[d] + a->extra[d];
            ker[d] = a->dil[d] * (w->sizes[2 + d] - 1) + 1;
            if (in[d] < ker[d]) ok = false;
        }
        if (!ok) {
            ct__error("Calculated padded input size per channel: (%s). Kernel size: (%s). Kernel size can't be greater "
                      "than actual input size",
                      x_list(s1, sizeof s1, nsp, in), x_list(s2, sizeof s2, nsp, ker));
            return false;
        }
    } else {
        if (x->sizes[1] != w->sizes[0]) {
            ct__error("Given transposed=1, weight of size %s, expected input%s to have %" PRId64
                      " channels, but got %" PRId64 " channels instead",
                      shape_str(s1, sizeof s1, w), shape_str(s2, sizeof s2, x), w->sizes[0], x->sizes[1]);
            return false;
        }
        if (bias && (bias->ndim != 1 || bias->sizes[0] != w->sizes[1] * G)) {
            ct__error("Given transposed=1, weight of size %s, expected bias to be 1-dimensional with %" PRId64
                      " elements, but got bias of size %s instead",
                      shape_str(s1, sizeof s1, w), w->sizes[1] * G, shape_str(s2, sizeof s2, bias));
            return false;
        }
    }
    /* dtypes (check_input_same_type_as_parameters, then the kernel's own check) */
    if (w->dtype != x->dtype) {
        if (x->dtype == CT_FLOAT32 || !ct__traits(x->dtype)->is_floating || x->dtype == CT_FLOAT16)
            ct__error("Input type (torch.%sTensor) and weight type (torch.%sTensor) should be the same or input should "
                      "be a MKLDNN tensor and weight is a dense tensor",
                      ct__traits(x->dtype)->scalar_name, ct__traits(w->dtype)->scalar_name);
        else
            ct__error("expected scalar type %s but found %s", ct__traits(x->dtype)->scalar_name,
                      ct__traits(w->dtype)->scalar_name);
        return false;
    }
    if (bias && bias->dtype != x->dtype) {
        ct__error("Input type (%s) and bias type (%s) should be the same", c_type_name(x->dtype),
                  c_type_name(bias->dtype));
        return false;
    }
    return float_dtype_ok(x->dtype);
}

/* "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [3, 8]" */
static bool check_batch_dim(const ct_tensor *x, int nsp, const char *fname) {
    if (x->ndim == nsp + 1 || x->ndim == nsp + 2) return true;
    char s[160];
    ct__error("Expected %dD (unbatched) or %dD (batched) input to %s, but got input of size: %s", nsp + 1, nsp + 2,
              fname, shape_str(s, sizeof s, x));
    return false;
}

static void fill_geom(int nsp, const conv_args *a, const int64_t *in, const int64_t *out, const int64_t *k,
                      conv_params *p) {
    p->nsp = nsp;
    p->groups = a->groups;
    for (int d = 0; d < 3; d++) {
        int s = d - (3 - nsp);
        bool on = s >= 0;
        p->g.in[d] = on ? in[s] : 1;
        p->g.out[d] = on ? out[s] : 1;
        p->g.k[d] = on ? k[s] : 1;
        p->g.stride[d] = on ? a->stride[s] : 1;
        p->g.pad[d] = on ? a->pad[s] : 0;
        p->g.dil[d] = on ? a->dil[s] : 1;
    }
}

/* out without the batch dim an unbatched input was given (out is consumed) */
static ct_tensor *unbatched(ct_tensor *out, bool batched) {
    if (!out || batched) return out;
    ct_tensor *sq = ct_squeeze_dim(out, 0);
    ct_free(out);
    return sq;
}

static ct_tensor *conv_nd(int nsp, const char *fname, const ct_tensor *x, const ct_tensor *w, const ct_tensor *bias,
                          const ct_conv_opts *o) {
    if (!x || !w) return NULL;
    if (!check_batch_dim(x, nsp, fname)) return NULL;
    conv_args a;
    read_opts(nsp, o, &a);
    if (o && o->padding_str) {
        if (!strcmp(o->padding_str, "valid")) {
            memset(a.pad, 0, sizeof a.pad);
        } else if (!strcmp(o->padding_str, "same")) {
            a.same = 1;
        } else {
            ct__error("Invalid padding string: '%s'", o->padding_str);
            return NULL;
        }
    }
    bool batched = x->ndim == nsp + 2;
    ct_tensor *xb = batched ? ct__retain(x) : ct_unsqueeze(x, 0);
    ct_tensor *xp = NULL, *out = NULL;
    if (!xb) return NULL;
    if (a.same) {
        for (int d = 0; d < nsp; d++)
            if (a.stride[d] != 1) {
                ct__error("padding='same' is not supported for strided convolutions");
                goto done;
            }
        if (w->ndim != xb->ndim) {
            char s1[160], s2[160];
            ct__error("Expected %d-dimensional input for %d-dimensional weight %s, but got %d-dimensional input of "
                      "size %s instead",
                      w->ndim, w->ndim, shape_str(s1, sizeof s1, w), xb->ndim, shape_str(s2, sizeof s2, xb));
            goto done;
        }
        bool asym = false;
        int64_t padv[6] = {0};
        for (int d = 0; d < nsp; d++) {
            int64_t total = a.dil[d] * (w->sizes[2 + d] - 1);
            a.pad[d] = total / 2;
            a.extra[d] = total - 2 * a.pad[d];
            if (a.extra[d]) asym = true;
            /* F.pad order: last dim first */
            padv[2 * (nsp - 1 - d) + 1] = a.extra[d];
        }
        if (asym) {
            ct__warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy of "
                     "the input be created");
        }
        if (asym) {
            /* the extra element goes on the right, through a real zero pad */
            xp = ct_pad(xb, 2 * nsp, padv, NULL, 0.0);
            if (!xp) goto done;
            ct_free(xb);
            xb = xp;
            xp = NULL;
            memset(a.extra, 0, sizeof a.extra);
        }
    }
    if (!check_conv(nsp, false, xb, w, bias, &a)) goto done;
    int64_t in[3], outsz[3], k[3];
    for (int d = 0; d < nsp; d++) {
        in[d] = xb->sizes[2 + d];
        k[d] = w->sizes[2 + d];
        outsz[d] = (in[d] + 2 * a.pad[d] - a.dil[d] * (k[d] - 1) - 1) / a.stride[d] + 1;
    }
    conv_params p;
    fill_geom(nsp, &a, in, outsz, k, &p);
    out = unbatched(conv_core(FWD, xb, w, bias, &p, "ConvolutionBackward0"), batched);
done:
    ct_free(xb);
    return out;
}

static ct_tensor *conv_transpose_nd(int nsp, const char *fname, const ct_tensor *x, const ct_tensor *w,
                                    const ct_tensor *bias, const ct_conv_opts *o) {
    if (!x || !w) return NULL;
    if (!check_batch_dim(x, nsp, fname)) return NULL;
    conv_args a;
    read_opts(nsp, o, &a);
    if (o && o->padding_str) {
        ct__error("%s(): argument 'padding' must be tuple of ints, not str", fname);
        return NULL;
    }
    bool batched = x->ndim == nsp + 2;
    ct_tensor *xb = batched ? ct__retain(x) : ct_unsqueeze(x, 0);
    ct_tensor *out = NULL;
    if (!xb) return NULL;
    if (!check_conv(nsp, true, xb, w, bias, &a)) goto done;
    /* slow_conv_transpose's shape check: output_padding, output size */
    bool op_ok = true;
    for (int d = 0; d < nsp; d++)
        if (a.opad[d] >= a.stride[d] && a.opad[d] >= a.dil[d]) op_ok = false;
    static const char *const names3[] = {"depth", "height", "width"};
    /* 1-d runs as 2-d with a height of 1 */
    int nn = nsp == 1 ? 2 : nsp;
    int64_t opad[3], st[3], dl[3];
    for (int d = 0; d < nn; d++) {
        int s = d - (nn - nsp);
        opad[d] = s >= 0 ? a.opad[s] : 0;
        st[d] = s >= 0 ? a.stride[s] : 1;
        dl[d] = s >= 0 ? a.dil[s] : 1;
    }
    if (!op_ok) {
        char msg[512];
        size_t used = (size_t)snprintf(msg, sizeof msg, "output padding must be smaller than either stride or dilation, but got");
        const char *const *nm = names3 + (3 - nn);
        for (int d = 0; d < nn; d++) used += (size_t)snprintf(msg + used, sizeof msg - used, " output_padding_%s: %" PRId64, nm[d], opad[d]);
        for (int d = 0; d < nn; d++) used += (size_t)snprintf(msg + used, sizeof msg - used, " stride_%s: %" PRId64, nm[d], st[d]);
        for (int d = 0; d < nn; d++) used += (size_t)snprintf(msg + used, sizeof msg - used, " dilation_%s: %" PRId64, nm[d], dl[d]);
        ct__error("%s", msg);
        goto done;
    }
    int64_t in[3], outsz[3], k[3];
    bool size_ok = true;
    for (int d = 0; d < nsp; d++) {
        in[d] = xb->sizes[2 + d];
        k[d] = w->sizes[2 + d];
        outsz[d] = (in[d] - 1) * a.stride[d] - 2 * a.pad[d] + a.dil[d] * (k[d] - 1) + a.opad[d] + 1;
        if (outsz[d] < 1) size_ok = false;
    }
    if (!size_ok) {
        char s1[160], s2[160];
        int64_t i2[3], o2[3];
        for (int d = 0; d < nn; d++) {
            int s = d - (nn - nsp);
            i2[d] = s >= 0 ? in[s] : 1;
            o2[d] = s >= 0 ? outsz[s] : 1;
        }
        ct__error("Given input size per channel: (%s). Calculated output size per channel: (%s). Output size is too "
                  "small",
                  x_list(s1, sizeof s1, nn, i2), x_list(s2, sizeof s2, nn, o2));
        goto done;
    }
    /* the transposed convolution of x is the input adjoint of the
     * convolution whose input has size outsz and output size in */
    conv_params p;
    fill_geom(nsp, &a, outsz, in, k, &p);
    out = unbatched(conv_core(TIN, xb, w, bias, &p, "ConvolutionBackward0"), batched);
done:
    ct_free(xb);
    return out;
}

ct_tensor *ct_conv1d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b, const ct_conv_opts *o) {
    return conv_nd(1, "conv1d", x, w, b, o);
}
ct_tensor *ct_conv2d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b, const ct_conv_opts *o) {
    return conv_nd(2, "conv2d", x, w, b, o);
}
ct_tensor *ct_conv3d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b, const ct_conv_opts *o) {
    return conv_nd(3, "conv3d", x, w, b, o);
}
ct_tensor *ct_conv_transpose1d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b,
                                    const ct_conv_opts *o) {
    return conv_transpose_nd(1, "conv_transpose1d", x, w, b, o);
}
ct_tensor *ct_conv_transpose2d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b,
                                    const ct_conv_opts *o) {
    return conv_transpose_nd(2, "conv_transpose2d", x, w, b, o);
}
ct_tensor *ct_conv_transpose3d_opts(const ct_tensor *x, const ct_tensor *w, const ct_tensor *b,
                                    const ct_conv_opts *o) {
    return conv_transpose_nd(3, "conv_transpose3d", x, w, b, o);
}

/* ---- F.unfold / F.fold ---------------------------------------------------------- */

static ct_tensor *cols_core(bool to_cols, const ct_tensor *t, const conv_params *p);

static int cols_backward(ct_node *n, ct_tensor *const *grads, ct_tensor **out) {
    conv_params p;
    int to_cols;
    params_from_node(n, &p, &to_cols);
    if (n->next[0].fn && !(out[0] = cols_core(!to_cols, grads[0], &p))) return CT_ERROR;
    return CT_OK;
}

/* im2col (to_cols): (N, C, H, W) -> (N, C*K, L); col2im: the reverse sum.
 * Unbatched inputs ((C, H, W) / (C*K, L)) run as N = 1 without a batch dim. */
static ct_tensor *cols_core(bool to_cols, const ct_tensor *t, const conv_params *p) {
    bool batched = t->ndim == (to_cols ? 4 : 3);
    int b = batched ? 1 : 0;
    int64_t N = batched ? t->sizes[0] : 1, K = ct__conv_geom_kvol(&p->g), L = ct__conv_geom_ovol(&p->g),
            I = ct__conv_geom_ivol(&p->g);
    int64_t C = to_cols ? t->sizes[b] : t->sizes[b] / K;
    int64_t shape[4] = {N, C * K, L}, shape2[4] = {N, C, p->g.in[1], p->g.in[2]};
    ct_tensor *out = to_cols ? ct__empty(t->dtype, 2 + b, shape + 1 - b) : ct__empty(t->dtype, 3 + b, shape2 + 1 - b);
    ct_tensor *tc = contig(t);
    if (!out || !tc) {
        ct_free(out), ct_free(tc);
        return NULL;
    }
    size_t isz = ct__traits(t->dtype)->itemsize;
    const char *src = ct__data(tc);
    char *dst = ct__data(out);
    if (!to_cols && ct__numel(out)) memset(dst, 0, (size_t)ct__numel(out) * isz);
    for (int64_t n = 0; n < N && ct__numel(out) && ct__numel(tc); n++) {
        if (to_cols)
            ct__im2col(t->dtype, &p->g, C, src + (size_t)(n * C * I) * isz, dst + (size_t)(n * C * K * L) * isz);
        else
            ct__col2im(t->dtype, &p->g, C, src + (size_t)(n * C * K * L) * isz, dst + (size_t)(n * C * I) * isz);
    }
    ct_free(tc);
    if (ct__any_requires_grad(1, &t)) {
        ct_node *n = ct__record(to_cols ? "Im2ColBackward0" : "Col2ImBackward0", cols_backward, out, 1, &t);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        params_to_node(n, p, to_cols);
    }
    return out;
}

/* kernel/dilation/padding/stride of F.unfold/F.fold: the 2-d tuples */
static void fold_args(const ct_conv_opts *o, int64_t kernel_size, int64_t *k, conv_args *a) {
    read_opts(2, o, a);
    pick(2, o ? o->kernel_nd : (const int64_t[3]){0}, kernel_size, 1, k);
}

/* "(3, 3)" */
static const char *tuple2(char *buf, size_t len, const int64_t *v) {
    snprintf(buf, len, "(%" PRId64 ", %" PRId64 ")", v[0], v[1]);
    return buf;
}

static bool fold_params_ok(const int64_t *k, const conv_args *a) {
    /* im2col_shape_check / col2im_shape_check argument checks */
    if (k[0] <= 0 || k[1] <= 0) {
        ct__error("kernel size should be greater than zero, but got kernel_height: %" PRId64 " kernel_width: %" PRId64,
                  k[0], k[1]);
        return false;
    }
    if (a->stride[0] <= 0 || a->stride[1] <= 0) {
        ct__error("stride should be greater than zero, but got stride_height: %" PRId64 " stride_width: %" PRId64,
                  a->stride[0], a->stride[1]);
        return false;
    }
    if (a->dil[0] <= 0 || a->dil[1] <= 0) {
        ct__error("dilation should be greater than zero, but got dilation_height: %" PRId64 " dilation_width: %" PRId64,
                  a->dil[0], a->dil[1]);
        return false;
    }
    if (a->pad[0] < 0 || a->pad[1] < 0) {
        ct__error("padding should be non-negative, but got pad_height: %" PRId64 " pad_width: %" PRId64, a->pad[0],
                  a->pad[1]);
        return false;
    }
    return true;
}

ct_tensor *ct_im2col_opts(const ct_tensor *x, int64_t kernel_size, const ct_conv_opts *o) {
    if (!x) return NULL;
    int64_t k[3];
    conv_args a;
    fold_args(o, kernel_size, k, &a);
    if (!fold_params_ok(k, &a)) return NULL;
    char s1[64], s2[64], s3[64], s4[64], s5[64];
    bool valid = (x->ndim == 3 && x->sizes[0] != 0 && x->sizes[1] != 0 && x->sizes[2] != 0) ||
                 (x->ndim == 4 && x->sizes[1] != 0 && x->sizes[2] != 0 && x->sizes[3] != 0);
    if (!valid) {
        ct__error("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
                  "input, but got: %s",
                  shape_str(s1, sizeof s1, x));
        return NULL;
    }
    if (!float_dtype_ok(x->dtype)) return NULL;
    bool batched = x->ndim == 4;
    int64_t in[2] = {x->sizes[x->ndim - 2], x->sizes[x->ndim - 1]}, out[2];
    for (int d = 0; d < 2; d++) out[d] = (in[d] + 2 * a.pad[d] - (a.dil[d] * (k[d] - 1) + 1)) / a.stride[d] + 1;
    if (out[0] < 1 || out[1] < 1) {
        ct__error("Given input with spatial size %s, kernel_size=%s, dilation=%s, padding=%s, calculated shape of the "
                  "array of sliding blocks as %s, but its components must be at least one.",
                  tuple2(s1, sizeof s1, in), tuple2(s2, sizeof s2, k), tuple2(s3, sizeof s3, a.dil),
                  tuple2(s4, sizeof s4, a.pad), tuple2(s5, sizeof s5, out));
        return NULL;
    }
    conv_params p;
    fill_geom(2, &a, in, out, k, &p);
    (void)batched;
    return cols_core(true, x, &p);
}

ct_tensor *ct_col2im_opts(const ct_tensor *x, int64_t out_h, int64_t out_w, int64_t kernel_size,
                          const ct_conv_opts *o) {
    if (!x) return NULL;
    int64_t k[3];
    conv_args a;
    fold_args(o, kernel_size, k, &a);
    int64_t osz[2] = {out_h, out_w};
    if (out_h <= 0 || out_w <= 0) {
        ct__error("output_size should be greater than zero, but got output_height: %" PRId64 " output_width: %" PRId64,
                  out_h, out_w);
        return NULL;
    }
    if (!fold_params_ok(k, &a)) return NULL;
    char s1[64], s2[64], s3[64], s4[64], s5[64];
    bool valid = (x->ndim == 2 && x->sizes[0] != 0 && x->sizes[1] != 0) ||
                 (x->ndim == 3 && x->sizes[1] != 0 && x->sizes[2] != 0);
    if (!valid) {
        ct__error("Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero dimensions for input, "
                  "but got: %s",
                  shape_str(s1, sizeof s1, x));
        return NULL;
    }
    bool batched = x->ndim == 3;
    int64_t c1 = x->sizes[batched ? 1 : 0], l = x->sizes[batched ? 2 : 1];
    if (c1 % (k[0] * k[1])) {
        ct__error("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
                  "input.size(1)=%" PRId64 " and kernel_size=%s.",
                  c1, tuple2(s1, sizeof s1, k));
        return NULL;
    }
    int64_t blocks[2];
    for (int d = 0; d < 2; d++)
        blocks[d] = (osz[d] + 2 * a.pad[d] - (a.dil[d] * (k[d] - 1) + 1)) / a.stride[d] + 1;
    if (blocks[0] < 1 || blocks[1] < 1 || blocks[0] * blocks[1] != l) {
        ct__error("Given output_size=%s, kernel_size=%s, dilation=%s, padding=%s, stride=%s, expected size of input's "
                  "dimension 2 to match the calculated number of sliding blocks %" PRId64 " * %" PRId64 " = %" PRId64
                  ", but got input.size(2)=%" PRId64 ".",
                  tuple2(s1, sizeof s1, osz), tuple2(s2, sizeof s2, k), tuple2(s3, sizeof s3, a.dil),
                  tuple2(s4, sizeof s4, a.pad), tuple2(s5, sizeof s5, a.stride), blocks[0], blocks[1],
                  blocks[0] * blocks[1], l);
        return NULL;
    }
    if (!float_dtype_ok(x->dtype)) return NULL;
    conv_params p;
    fill_geom(2, &a, osz, blocks, k, &p);
    return cols_core(false, x, &p);
}
