/* F.interpolate (nearest, linear, bilinear, bicubic, trilinear) as
 * PyTorch 1.13.1's CPU kernels compute it: per-axis source indices and
 * weights (in the input's precision, as PyTorch's opmath), then one
 * separable gather (src/kernels/cpu/resample.c). The backward is the
 * transposed gather and its own backward the forward again, so every
 * order of derivative exists. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/nn_misc.h"
#include "ctorch/nn_pool.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/resample.h"
#include "ops/op_util.h"

/* Per-axis tables in the precision T (float for float32, as PyTorch). */
#define DEFINE_AXIS(T, FLOOR, SUFFIX)                                                                            \
    static void axis_##SUFFIX(ct_interp_mode mode, bool ac, int64_t in, int64_t out, double scale, int64_t *idx, \
                              double *w) {                                                                       \
        /* scale: the user's scale factor for this axis, or 0 */                                                 \
        T sc = scale > 0 ? (T)(1.0 / scale) : (T)in / (T)out; /* compute_scales_value */                         \
        if (mode == CT_INTERP_NEAREST || mode == CT_INTERP_NEAREST_EXACT) {                                      \
            float fs = scale > 0 ? (float)(1.0 / scale) : (float)in / (float)out;                                \
            for (int64_t o = 0; o < out; o++) {                                                                  \
                int64_t s;                                                                                       \
                if (mode == CT_INTERP_NEAREST_EXACT) /* floorf((o + 0.5) * scale): a double product */           \
                    s = (int64_t)floorf((float)(((double)o + 0.5) * (double)fs));                                \
                else                                                                                             \
                    s = out == in ? o : out == 2 * in ? o >> 1 : (int64_t)floorf((float)o * fs);                 \
                idx[o] = s < in - 1 ? s : in - 1;                                                                \
                w[o] = 1;                                                                                        \
            }                                                                                                    \
            return;                                                                                              \
        }                                                                                                        \
        T area = ac ? (out > 1 ? (T)(in - 1) / (T)(out - 1) : (T)0) : sc; /* area_pixel_compute_scale */         \
        bool cubic = mode == CT_INTERP_BICUBIC;                                                                  \
        for (int64_t o = 0; o < out; o++) {                                                                      \
            T real;                                                                                              \
            if (ac)                                                                                              \
                real = area * (T)o;                                                                              \
            else {                                                                                               \
                real = area * ((T)o + (T)0.5) - (T)0.5;                                                          \
                if (!cubic && real < 0) real = 0;                                                                \
            }                                                                                                    \
            if (!cubic) {                                                                                        \
                if (out == in && !ac) {                                                                          \
                    idx[2 * o] = idx[2 * o + 1] = o, w[2 * o] = 1, w[2 * o + 1] = 0;                             \
                    continue;                                                                                    \
                }                                                                                                \
                int64_t i0 = (int64_t)real;                                                                      \
                T l1 = real - (T)i0;                                                                             \
                l1 = l1 < 0 ? 0 : l1 > 1 ? 1 : l1;                                                               \
                idx[2 * o] = i0;                                                                                 \
                idx[2 * o + 1] = i0 + (i0 < in - 1 ? 1 : 0);                                                     \
                w[2 * o] = (double)((T)1 - l1);                                                                  \
                w[2 * o + 1] = (double)l1;                                                                       \
            } else {                                                                                             \
                int64_t i0 = (int64_t)FLOOR(real);                                                               \
                if (i0 > in - 1) i0 = in - 1;                                                                    \
                T t = real - (T)i0;                                                                              \
                t = t < 0 ? 0 : t > 1 ? 1 : t;                                                                   \
                const T A = (T)-0.75;                                                                            \
                T x1 = t + 1, x2 = 1 - t, x3 = 2 - t;                                                            \
                T c[4] = {((A * x1 - 5 * A) * x1 + 8 * A) * x1 - 4 * A, ((A + 2) * t - (A + 3)) * t * t + 1,     \
                          ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1, ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A}; \
                for (int k = 0; k < 4; k++) {                                                                    \
                    int64_t s = i0 - 1 + k;                                                                      \
                    idx[4 * o + k] = s < 0 ? 0 : s > in - 1 ? in - 1 : s;                                        \
                    w[4 * o + k] = (double)c[k];                                                                 \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }
DEFINE_AXIS(float, floorf, f32)
DEFINE_AXIS(double, floor, f64)

/* Antialiased tables (PyTorch 1.13's HelperInterpBase::_compute_weights_aa
 * with the linear (triangle) or cubic (Keys, a = -0.5) filter), in T with
 * ATen's mixed float/double arithmetic. The filter support widens by the
 * downsampling ratio; each output reads xsize <= taps inputs from xmin, the
 * weights normalised to sum 1. Unused taps get weight 0 and index xmin. */
#define DEFINE_AA(T, SUFFIX)                                                                                    \
    static T aa_filter_##SUFFIX(bool cubic, T x) {                                                              \
        if (x < 0) x = -x;                                                                                      \
        if (!cubic) return x < (T)1 ? (T)(1.0 - (double)x) : (T)0;                                              \
        const T A = (T)-0.5;                                                                                    \
        if (x < (T)1) return ((A + 2) * x - (A + 3)) * x * x + 1;                                               \
        if (x < (T)2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;                                         \
        return 0;                                                                                               \
    }                                                                                                           \
    static T aa_scale_##SUFFIX(bool ac, int64_t in, int64_t out, double scale) {                                \
        if (ac) return out > 1 ? (T)(in - 1) / (T)(out - 1) : (T)0;                                             \
        return scale > 0 ? (T)(1.0 / scale) : (T)in / (T)out;                                                   \
    }                                                                                                           \
    static int aa_taps_##SUFFIX(bool cubic, bool ac, int64_t in, int64_t out, double scale) {                   \
        T sc = aa_scale_##SUFFIX(ac, in, out, scale);                                                           \
        int base = cubic ? 4 : 2;                                                                               \
        T support = sc >= (T)1 ? (T)((base * 0.5) * (double)sc) : (T)(base * 0.5);                              \
        return (int)ceilf((float)support) * 2 + 1;                                                              \
    }                                                                                                           \
    static void aa_axis_##SUFFIX(bool cubic, bool ac, int64_t in, int64_t out, double scale, int taps,          \
                                 int64_t *idx, double *w) {                                                     \
        T sc = aa_scale_##SUFFIX(ac, in, out, scale);                                                           \
        int base = cubic ? 4 : 2;                                                                               \
        T support = sc >= (T)1 ? (T)((base * 0.5) * (double)sc) : (T)(base * 0.5);                              \
        T invscale = sc >= (T)1 ? (T)(1.0 / (double)sc) : (T)1;                                                 \
        for (int64_t i = 0; i < out; i++) {                                                                     \
            double *wt = w + (int64_t)taps * i; /* T values, exact in double */                                 \
            T center = (T)((double)sc * ((double)i + 0.5));                                                     \
            int64_t xmin = (int64_t)((double)(center - support) + 0.5);                                         \
            if (xmin < 0) xmin = 0;                                                                             \
            int64_t xmax = (int64_t)((double)(center + support) + 0.5);                                         \
            int64_t xsize = (xmax < in ? xmax : in) - xmin;                                                     \
            if (xsize > taps) xsize = taps;                                                                     \
            T total = 0;                                                                                        \
            for (int64_t j = 0; j < xsize; j++) {                                                               \
                T arg = (T)(((double)((T)(j + xmin) - center) + 0.5) * (double)invscale);                       \
                T v = aa_filter_##SUFFIX(cubic, arg);                                                           \
                wt[j] = (double)v;                                                                              \
                total += v;                                                                                     \
            }                                                                                                   \
            for (int j = 0; j < taps; j++) {                                                                    \
                T v = j < xsize ? (total != 0 ? (T)wt[j] / total : (T)wt[j]) : (T)0;                            \
                idx[(int64_t)taps * i + j] = j < xsize ? xmin + j : (xmin < in ? xmin : in - 1);                \
                wt[j] = (double)v;                                                                              \
            }                                                                                                   \
        }                                                                                                       \
    }
DEFINE_AA(float, f32)
DEFINE_AA(double, f64)

static int mode_taps(ct_interp_mode m) {
    return m == CT_INTERP_NEAREST || m == CT_INTERP_NEAREST_EXACT ? 1 : m == CT_INTERP_BICUBIC ? 4 : 2;
}

/* A resampling of the last nd dims: everything backward needs. */
typedef struct plan {
    ct_interp_mode mode;
    bool ac;
    bool aa; /* antialias (bilinear / bicubic, 2-D) */
    int nd;
    int64_t in[3], out[3];
    double scale[3]; /* 0: none */
} plan;

static ct_tensor *resample_op(const ct_tensor *x, const plan *p, bool transpose);

static const char *grad_name(const plan *p, bool transpose) {
    static const char *const fwd[][3] = {
        {"UpsampleNearest1DBackward1", "UpsampleNearest2DBackward1", "UpsampleNearest3DBackward1"},
        {"UpsampleLinear1DBackward1", "UpsampleBilinear2DBackward1", "UpsampleTrilinear3DBackward1"},
        {"UpsampleBicubic2DBackward1", "UpsampleBicubic2DBackward1", "UpsampleBicubic2DBackward1"}};
    static const char *const bwd[][3] = {
        {"UpsampleNearest1DBackwardBackward0", "UpsampleNearest2DBackwardBackward0",
         "UpsampleNearest3DBackwardBackward0"},
        {"UpsampleLinear1DBackwardBackward0", "UpsampleBilinear2DBackwardBackward0",
         "UpsampleTrilinear3DBackwardBackward0"},
        {"UpsampleBicubic2DBackwardBackward0", "UpsampleBicubic2DBackwardBackward0",
         "UpsampleBicubic2DBackwardBackward0"}};
    static const char *const exact[2][3] = {
        {"UpsampleNearestExact1DBackward1", "UpsampleNearestExact2DBackward1", "UpsampleNearestExact3DBackward1"},
        {"UpsampleNearestExact1DBackwardBackward0", "UpsampleNearestExact2DBackwardBackward0",
         "UpsampleNearestExact3DBackwardBackward0"}};
    if (p->aa && p->mode == CT_INTERP_BICUBIC)
        return transpose ? "UpsampleBicubic2DAaBackwardBackward0" : "UpsampleBicubic2DAaBackward1";
    if (p->aa) return transpose ? "UpsampleBilinear2DAaBackwardBackward0" : "UpsampleBilinear2DAaBackward1";
    if (p->mode == CT_INTERP_NEAREST_EXACT) return exact[transpose][p->nd - 1];
    int row = p->mode == CT_INTERP_NEAREST ? 0 : p->mode == CT_INTERP_BICUBIC ? 2 : 1;
    return transpose ? bwd[row][p->nd - 1] : fwd[row][p->nd - 1];
}

static int resample_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    plan p;
    memcpy(&p, n->shape_arg, sizeof p); /* the plan is stored as raw bytes */
    out[0] = resample_op(g[0], &p, n->ints[0] == 0);
    return out[0] ? CT_OK : CT_ERROR;
}

/* One antialiased pass along an axis of (outer, in, inner) -> (outer, out,
 * inner), each output s[0] * w[0] + s[1] * w[1] + ... in tap order, as
 * PyTorch's interpolate_aa_single_dim (the zero-weight padding taps add
 * exact zeros). Measured against PyTorch 1.13.1's float32 results this is
 * bit-identical for interior outputs; at the borders PyTorch's compiled
 * kernel rounds differently in the last bit (an FMA-like pattern that
 * depends on the output), so float32 agrees to 1-2 ulp there. */
typedef struct {
    const void *src;
    void *dst;
    int64_t inner;
    const ct_resample_axis *a;
} aa_ctx;
#define DEFINE_AA_PASS(T, SUFFIX)                                                                             \
    static void aa_pass_##SUFFIX(int64_t begin, int64_t end, void *vctx) {                                    \
        const aa_ctx *c = vctx;                                                                               \
        const ct_resample_axis *a = c->a;                                                                     \
        int64_t inner = c->inner;                                                                             \
        for (int64_t p = begin; p < end; p++) {                                                               \
            const T *s = (const T *)c->src + p * a->in * inner;                                               \
            T *d = (T *)c->dst + p * a->out * inner;                                                          \
            for (int64_t o = 0; o < a->out; o++) {                                                            \
                const int64_t *ix = a->idx + o * a->taps;                                                     \
                const double *wt = a->w + o * a->taps;                                                        \
                for (int64_t k = 0; k < inner; k++) {                                                         \
                    T acc = s[ix[0] * inner + k] * (T)wt[0];                                                  \
                    for (int j = 1; j < a->taps; j++) acc += s[ix[j] * inner + k] * (T)wt[j];                 \
                    d[o * inner + k] = acc;                                                                   \
                }                                                                                             \
            }                                                                                                 \
        }                                                                                                     \
    }
DEFINE_AA_PASS(float, f32)
DEFINE_AA_PASS(double, f64)

/* outer slices in parallel (each writes its own output slice) */
static void aa_pass(ct_dtype dt, const void *src, void *dst, int64_t outer, int64_t inner, const ct_resample_axis *a) {
    aa_ctx c = {.src = src, .dst = dst, .inner = inner, .a = a};
    int64_t work = a->out * inner * a->taps;
    ct_parallel_for(0, outer, work >= 32768 ? 1 : 32768 / (work > 0 ? work : 1),
                    dt == CT_FLOAT32 ? aa_pass_f32 : aa_pass_f64, &c);
}

/* The antialiased forward as PyTorch 1.13's separable_upsample_generic_Nd
 * kernel: the width pass first (into (planes, H_in, W_out)), then the
 * height pass, each skipped when that size does not change. xc, out:
 * contiguous (planes, H, W). */
static int aa_forward_two_pass(const ct_tensor *xc, ct_tensor *out, int64_t planes, const ct_resample_axis *ax) {
    ct_dtype dt = xc->dtype;
    size_t item = ct__traits(dt)->itemsize;
    int64_t hi = ax[0].in, ho = ax[0].out, wi = ax[1].in, wo = ax[1].out;
    const void *src = ct__data(xc);
    void *tmp = NULL;
    if (wo != wi) {
        if (ho != hi) {
            tmp = malloc((size_t)(planes * hi * wo) * item + 1);
            if (!tmp) {
                ct__error_oom((planes * hi * wo) * (int64_t)item);
                return CT_ERROR;
            }
        }
        aa_pass(dt, src, tmp ? tmp : ct__data(out), planes * hi, 1, &ax[1]);
        src = tmp;
    }
    if (ho != hi)
        aa_pass(dt, src, ct__data(out), planes, wo, &ax[0]);
    else if (wo == wi)
        memcpy(ct__data(out), src, (size_t)(planes * hi * wi) * item);
    free(tmp);
    return CT_OK;
}

/* x: (*, in...) -> (*, out...) (transpose: (*, out...) -> (*, in...)). */
static ct_tensor *resample_op(const ct_tensor *x, const plan *p, bool transpose) {
    int64_t *idx[3] = {0};
    double *w[3] = {0};
    ct_resample_axis ax[3];
    ct_tensor *xc = NULL, *out = NULL;
    bool ok = true;
    bool f32 = x->dtype == CT_FLOAT32, cubic = p->mode == CT_INTERP_BICUBIC;
    for (int d = 0; d < p->nd && ok; d++) {
        int taps = !p->aa ? mode_taps(p->mode)
                   : f32  ? aa_taps_f32(cubic, p->ac, p->in[d], p->out[d], p->scale[d])
                          : aa_taps_f64(cubic, p->ac, p->in[d], p->out[d], p->scale[d]);
        idx[d] = malloc((size_t)(p->out[d] * taps + 1) * sizeof *idx[d]);
        w[d] = malloc((size_t)(p->out[d] * taps + 1) * sizeof *w[d]);
        ok = idx[d] && w[d];
        if (!ok) break;
        if (p->aa && f32)
            aa_axis_f32(cubic, p->ac, p->in[d], p->out[d], p->scale[d], taps, idx[d], w[d]);
        else if (p->aa)
            aa_axis_f64(cubic, p->ac, p->in[d], p->out[d], p->scale[d], taps, idx[d], w[d]);
        else if (f32)
            axis_f32(p->mode, p->ac, p->in[d], p->out[d], p->scale[d], idx[d], w[d]);
        else
            axis_f64(p->mode, p->ac, p->in[d], p->out[d], p->scale[d], idx[d], w[d]);
        ax[d] = (ct_resample_axis){.taps = taps, .in = p->in[d], .out = p->out[d], .idx = idx[d], .w = w[d]};
    }
    if (!ok) ct__error("out of memory");
    int64_t shape[CT_MAX_DIMS], planes = 1;
    int b = x->ndim - p->nd;
    for (int d = 0; d < b; d++) shape[d] = x->sizes[d], planes *= x->sizes[d];
    for (int d = 0; d < p->nd; d++) shape[b + d] = transpose ? p->in[d] : p->out[d];
    if (ok) xc = ct__clone(x);
    if (xc) out = transpose ? ct_zeros(x->ndim, shape, CT_OPTS(.dtype = x->dtype)) : ct__empty(x->dtype, x->ndim, shape);
    if (out && p->aa && !transpose) {
        if (aa_forward_two_pass(xc, out, planes, ax) != CT_OK) {
            ct_free(out);
            out = NULL;
        }
    } else if (out) {
        if (x->dtype == CT_FLOAT32)
            ct__kernel_resample_f32((const float *)ct__data(xc), (float *)ct__data(out), planes, p->nd, ax, transpose);
        else
            ct__kernel_resample_f64((const double *)ct__data(xc), (double *)ct__data(out), planes, p->nd, ax,
                                    transpose);
    }
    for (int d = 0; d < 3; d++) free(idx[d]), free(w[d]);
    ct_free(xc);
    const ct_tensor *in[] = {x};
    if (out && ct__any_requires_grad(1, in)) {
        _Static_assert(sizeof(plan) <= sizeof(((ct_node *)0)->shape_arg), "plan fits in shape_arg");
        ct_node *n = ct__record(grad_name(p, transpose), resample_backward, out, 1, in);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        memcpy(n->shape_arg, p, sizeof *p);
        n->ints[0] = transpose;
        n->nints = 1;
    }
    return out;
}

static ct_tensor *interpolate_area(const ct_tensor *x, const plan *p);

/* a C array printed as the Python tuple a caller would pass: "(3, 4)" */
static const char *format_tuple(char *buf, size_t len, int n, const int64_t *v) {
    size_t u = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < n && u < len; i++) u += (size_t)snprintf(buf + u, len - u, "%s%" PRId64, i ? ", " : "", v[i]);
    if (u < len) snprintf(buf + u, len - u, ")");
    return buf;
}

static const char *const mode_names[] = {"nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"};

static int count_given_i(const int64_t *v) {
    int n = 0;
    while (n < 3 && v[n]) n++;
    return n;
}
static int count_given_d(const double *v) {
    int n = 0;
    while (n < 3 && v[n] != 0) n++;
    return n;
}

ct_tensor *ct_interpolate_opts(const ct_tensor *x, const ct_interpolate_options *o) {
    ct_interpolate_options defaults = {0};
    if (!o) o = &defaults;
    if (!x) return NULL;
    ct_interp_mode mode = o->mode;
    if ((unsigned)mode > CT_INTERP_NEAREST_EXACT) {
        ct__error("interpolate: unknown mode %d", (int)mode);
        return NULL;
    }
    bool nearest_like = mode == CT_INTERP_NEAREST || mode == CT_INTERP_AREA || mode == CT_INTERP_NEAREST_EXACT;
    if (nearest_like && o->align_corners) {
        ct__error("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | "
                  "trilinear");
        return NULL;
    }
    int dim = x->ndim - 2;
    int ns = count_given_i(o->size), nf = count_given_d(o->scale_factor);
    char buf[128], buf2[128];
    if (ns && nf) {
        ct__error("only one of size or scale_factor should be defined");
        return NULL;
    }
    if (ns > 1 && ns != dim) {
        ct__error("Input and output must have the same number of spatial dimensions, but got input with spatial "
                  "dimensions of %s and output size of %s. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                  "format and output size in (o1, o2, ...,oK) format.",
                  ct__format_shape(buf, sizeof buf, dim > 0 ? dim : 0, x->sizes + 2), format_tuple(buf2, sizeof buf2, ns, o->size));
        return NULL;
    }
    if (nf > 1 && nf != dim) {
        size_t u = (size_t)snprintf(buf2, sizeof buf2, "[");
        for (int i = 0; i < nf; i++) u += (size_t)snprintf(buf2 + u, sizeof buf2 - u, "%s%g", i ? ", " : "", o->scale_factor[i]);
        snprintf(buf2 + u, sizeof buf2 - u, "]");
        ct__error("Input and scale_factor must have the same number of spatial dimensions, but got input with "
                  "spatial dimensions of %s and scale_factor of shape %s. Please provide input tensor in (N, C, d1, "
                  "d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.",
                  ct__format_shape(buf, sizeof buf, dim > 0 ? dim : 0, x->sizes + 2), buf2);
        return NULL;
    }
    if (!ns && !nf) {
        ct__error("either size or scale_factor should be defined");
        return NULL;
    }
    if (o->recompute_scale_factor && ns) {
        ct__error("recompute_scale_factor is not meaningful with an explicit size.");
        return NULL;
    }
    /* area always recomputes the output size from a scale factor */
    bool recompute = o->recompute_scale_factor || (mode == CT_INTERP_AREA && nf);
    if (o->antialias && !((mode == CT_INTERP_BILINEAR || mode == CT_INTERP_BICUBIC) && x->ndim == 4)) {
        ct__error("Anti-alias option is only supported for bilinear and bicubic modes");
        return NULL;
    }
    static const int need[] = {0, 1, 2, 2, 3, 0, 0};
    if (x->ndim < 3 || x->ndim > 5) {
        ct__error("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: nearest | linear "
                  "| bilinear | bicubic | trilinear | area | nearest-exact (got %s)",
                  x->ndim, mode_names[mode]);
        return NULL;
    }
    if (!nearest_like && need[mode] != dim) {
        ct__error("Got %dD input, but %s mode needs %dD input", x->ndim, mode_names[mode], need[mode] + 2);
        return NULL;
    }
    if (mode != CT_INTERP_AREA && x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64) {
        if (mode == CT_INTERP_NEAREST_EXACT || o->antialias) {
            ct__error("\"%s\" not implemented for '%s'",
                      o->antialias ? "compute_indices_weights_aa" : "compute_indices_weights_nearest",
                      ct__traits(x->dtype)->scalar_name);
            return NULL;
        }
        static const char *const kn[][3] = {{"upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d"},
                                            {"upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d"},
                                            {"upsample_bicubic2d", "upsample_bicubic2d", "upsample_bicubic2d"}};
        int row = mode == CT_INTERP_NEAREST ? 0 : mode == CT_INTERP_BICUBIC ? 2 : 1;
        ct__error("\"%s_out_frame\" not implemented for '%s'", kn[row][dim - 1], ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    plan p = {.mode = mode, .ac = o->align_corners, .aa = o->antialias, .nd = dim};
    for (int d = 0; d < dim; d++) {
        p.in[d] = x->sizes[2 + d];
        if (ns) {
            p.out[d] = o->size[ns == 1 ? 0 : d];
        } else {
            double sf = o->scale_factor[nf == 1 ? 0 : d];
            if (recompute) {
                p.out[d] = (int64_t)floor((double)p.in[d] * sf);
            } else {
                p.out[d] = (int64_t)((double)p.in[d] * sf);
                p.scale[d] = sf;
            }
        }
    }
    if (mode == CT_INTERP_AREA) return interpolate_area(x, &p);
    for (int d = 0; d < dim; d++)
        if (p.in[d] <= 0 || p.out[d] <= 0) {
            static const char *const ax[][3] = {{"W"}, {"H", "W"}, {"D", "H", "W"}};
            size_t u = (size_t)snprintf(buf, sizeof buf, "input (");
            for (int k = 0; k < dim; k++)
                u += (size_t)snprintf(buf + u, sizeof buf - u, "%s%s: %" PRId64, k ? ", " : "", ax[dim - 1][k], p.in[k]);
            u += (size_t)snprintf(buf + u, sizeof buf - u, ") output (");
            for (int k = 0; k < dim; k++)
                u += (size_t)snprintf(buf + u, sizeof buf - u, "%s%s: %" PRId64, k ? ", " : "", ax[dim - 1][k], p.out[k]);
            snprintf(buf + u, sizeof buf - u, ")");
            ct__error("Input and output sizes should be greater than 0, but got %s", buf);
            return NULL;
        }
    return resample_op(x, &p, false);
}

static ct_tensor *interpolate_area(const ct_tensor *x, const plan *p) {
    ct_pool_ints os = {p->nd, {p->out[0], p->out[1], p->out[2]}};
    if (p->nd == 1) return ct_adaptive_avg_pool1d_opts(x, os);
    if (p->nd == 2) return ct_adaptive_avg_pool2d_opts(x, os);
    return ct_adaptive_avg_pool3d_opts(x, os);
}

/* ---- F.affine_grid ----
 * ATen's affine_grid_generator: a base grid (1, *spatial, D+1) of
 * normalized coordinates (x fastest, then y, then z, then a column of ones)
 * times theta^T, per batch. The backward is base^T @ grad, written with
 * public ops so it is differentiable again (AffineGridGeneratorBackward0). */

/* linspace_from_neg_one: steps points in [-1, 1], scaled by (steps-1)/steps
 * when !align_corners (a tensor * int, then / int, as ATen); 0 when steps <= 1. */
static ct_tensor *neg_one_space(int64_t steps, bool ac, ct_dtype dt) {
    if (steps <= 1) return ct_zeros(1, (const int64_t[]){1}, CT_OPTS(.dtype = dt));
    ct_tensor *r = ct_linspace(-1, 1, steps, CT_OPTS(.dtype = dt));
    if (!r || ac) return r;
    ct_tensor *a = ct_mul_scalar(r, (double)(steps - 1));
    ct_tensor *b = ct_div_scalar(a, (double)steps);
    ct_free(a), ct_free(r);
    return b;
}

/* (1, prod(spatial), D+1) for spatial = (H, W) or (D, H, W). */
static ct_tensor *affine_base_grid(int nsp, const int64_t *sp, bool ac, ct_dtype dt) {
    int64_t shape[3] = {1, 1, 1};
    for (int i = 0; i < nsp; i++) shape[i] = sp[i];
    ct_tensor *cols[4] = {0};
    ct_tensor *res = NULL;
    /* column k (k < nsp) varies along spatial axis nsp-1-k (x is the last axis) */
    for (int k = 0; k < nsp; k++) {
        int axis = nsp - 1 - k;
        ct_tensor *l = neg_one_space(sp[axis], ac, dt);
        int64_t vs[3] = {1, 1, 1};
        vs[axis] = sp[axis] <= 1 ? 1 : sp[axis];
        ct_tensor *v = ct_reshape(l, nsp, vs);
        cols[k] = ct_expand(v, nsp, shape);
        ct_free(v), ct_free(l);
        if (!cols[k]) goto done;
    }
    cols[nsp] = ct_ones(nsp, shape, CT_OPTS(.dtype = dt));
    if (!cols[nsp]) goto done;
    ct_tensor *g = ct_stack(nsp + 1, cols, -1);
    int64_t n = 1;
    for (int i = 0; i < nsp; i++) n *= sp[i];
    res = ct_reshape(g, 3, (const int64_t[]){1, n, nsp + 1});
    ct_free(g);
done:
    for (int k = 0; k <= nsp; k++) ct_free(cols[k]);
    return res;
}

static int affine_grid_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    int nsp = n->ndim_arg;
    ct_tensor *base = affine_base_grid(nsp, n->shape_arg + 2, n->ints[0] != 0, n->dtypes[0]);
    if (!base) return CT_ERROR;
    int64_t hw = 1;
    for (int i = 0; i < nsp; i++) hw *= n->shape_arg[2 + i];
    ct_tensor *gv = ct_reshape(g[0], 3, (const int64_t[]){n->shape_arg[0], hw, nsp});
    ct_tensor *bt = ct_transpose(base, 1, 2); /* (1, D+1, HW) */
    ct_tensor *m = ct_matmul(bt, gv);         /* (N, D+1, D) */
    out[0] = ct_transpose(m, 1, 2);           /* (N, D, D+1) */
    ct_free(m), ct_free(bt), ct_free(gv), ct_free(base);
    return out[0] ? CT_OK : CT_ERROR;
}

static void format_list(char *buf, size_t len, int n, const int64_t *v) {
    size_t k = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < n && k < len; i++) k += (size_t)snprintf(buf + k, len - k, "%s%" PRId64, i ? ", " : "", v[i]);
    if (k < len) snprintf(buf + k, len - k, "]");
}

ct_tensor *ct_affine_grid(const ct_tensor *theta, int ndim, const int64_t *size, bool align_corners) {
    if (!theta) return NULL;
    char sz[160], th[160], shape[128];
    if (ndim < 0 || ndim > 8 || (ndim && !size)) {
        ct__error("affine_grid: size must be a list of 4 or 5 sizes");
        return NULL;
    }
    format_list(sz, sizeof sz, ndim, size);
    snprintf(th, sizeof th, "torch.Size(%s)", ct__format_shape(shape, sizeof shape, theta->ndim, theta->sizes));
    if (!ct_is_floating_point(theta)) {
        ct__error("Expected theta to have floating point type, but got torch.%s", ct_dtype_name(theta->dtype));
        return NULL;
    }
    int nsp = ndim - 2;
    if (ndim == 4 || ndim == 5) {
        if (theta->ndim != 3 || theta->sizes[1] != nsp || theta->sizes[2] != nsp + 1) {
            ct__error("Expected a batch of %dD affine matrices of shape Nx%dx%d for size %s. Got %s.", nsp, nsp,
                      nsp + 1, sz, th);
            return NULL;
        }
    } else {
        ct__error("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got "
                  "size %s.",
                  sz);
        return NULL;
    }
    int64_t mn = size[0];
    for (int i = 1; i < ndim; i++) mn = size[i] < mn ? size[i] : mn;
    int64_t msp = size[2];
    for (int i = 3; i < ndim; i++) msp = size[i] < msp ? size[i] : msp;
    if (align_corners && msp == 1) {
        ct__warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. "
                 "This is not an intended use case of affine_grid. See the documentation of affine_grid for details.");
    } else if (mn <= 0) {
        ct__error("Expected non-zero, positive output size. Got %s", sz);
        return NULL;
    }
    if (theta->sizes[0] != size[0]) {
        ct__error("Expected size for first two dimensions of batch2 tensor to be: [%" PRId64 ", %d] but got: [%" PRId64
                  ", %d].",
                  size[0], nsp + 1, theta->sizes[0], nsp + 1);
        return NULL;
    }
    ct_tensor *grid = NULL;
    CT_NO_GRAD {
        ct_tensor *base = affine_base_grid(nsp, size + 2, align_corners, theta->dtype);
        ct_tensor *tt = ct_transpose(theta, 1, 2);
        ct_tensor *m = base && tt ? ct_matmul(base, tt) : NULL; /* (N, HW, D) */
        int64_t shp[5] = {size[0]};
        for (int i = 0; i < nsp; i++) shp[1 + i] = size[2 + i];
        shp[nsp + 1] = nsp;
        grid = m ? ct_reshape(m, nsp + 2, shp) : NULL;
        if (grid && !ct_is_contiguous(grid)) {
            ct_tensor *c = ct_contiguous(grid);
            ct_free(grid);
            grid = c;
        }
        ct_free(m), ct_free(tt), ct_free(base);
    }
    if (!grid) return NULL;
    if (ct__any_requires_grad(1, &theta)) {
        /* a fresh handle: reshape may have returned a view of m */
        ct_tensor *out = ct_detach(grid);
        ct_free(grid);
        grid = out;
        ct_node *n = grid ? ct__record("AffineGridGeneratorBackward0", affine_grid_backward, grid, 1, &theta) : NULL;
        if (!n) {
            ct_free(grid);
            return NULL;
        }
        n->ndim_arg = nsp;
        memcpy(n->shape_arg, size, (size_t)ndim * sizeof *size);
        n->ints[0] = align_corners;
        n->dtypes[0] = theta->dtype;
    }
    return grid;
}
