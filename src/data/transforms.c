/* torchvision.transforms (0.14) on tensors: Compose, Lambda, ToTensor,
 * Normalize, RandomHorizontalFlip, CenterCrop, RandomCrop (constant, edge,
 * reflect, symmetric padding), Resize (with PyTorch 1.13.1's antialiased
 * bilinear / bicubic kernels), RandomRotation (torchvision's affine grid +
 * grid_sample arithmetic). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/nn_conv.h"
#include "ctorch/nn_misc.h"
#include "ctorch/ops.h"
#include "ctorch/random.h"
#include "data/data_impl.h"
#include "tensor/tensor_impl.h"

struct ct_transform {
    atomic_int refcount;
    ct_tensor *(*apply)(ct_transform *tf, const ct_tensor *x);
    void (*free)(ct_transform *tf);
    /* parameters (each transform uses a few) */
    int n;
    ct_transform **list;
    ct_lambda_fn fn;
    void *ctx;
    double mean[64], std[64];
    bool inplace;
    double p;
    ct_generator *gen;
    int64_t h, w;
    ct_random_crop_options crop;
    ct_resize_options resize;
    ct_random_rotation_options rot;
    double deg[2];
};

static ct_transform *make(ct_tensor *(*apply)(ct_transform *, const ct_tensor *)) {
    ct_transform *tf = calloc(1, sizeof *tf);
    if (!tf) {
        ct__error_oom(sizeof *tf);
        return NULL;
    }
    atomic_init(&tf->refcount, 1);
    tf->apply = apply;
    return tf;
}

ct_tensor *ct_transform_apply(ct_transform *tf, const ct_tensor *x) {
    if (!tf || !x) return NULL;
    return tf->apply(tf, x);
}

ct_transform *ct_transform_ref(ct_transform *tf) {
    if (tf) atomic_fetch_add(&tf->refcount, 1);
    return tf;
}

void ct_transform_free(ct_transform *tf) {
    if (!tf || atomic_fetch_sub(&tf->refcount, 1) != 1) return;
    for (int i = 0; tf->list && i < tf->n; i++) ct_transform_free(tf->list[i]);
    free(tf->list);
    free(tf);
}

/* ---- Compose / Lambda ---- */

static ct_tensor *compose_apply(ct_transform *tf, const ct_tensor *x) {
    ct_tensor *cur = NULL;
    for (int i = 0; i < tf->n; i++) {
        ct_tensor *nx = ct_transform_apply(tf->list[i], cur ? cur : x);
        ct_free(cur);
        if (!nx) return NULL;
        cur = nx;
    }
    return cur ? cur : ct_detach(x);
}

ct_transform *ct_transforms_compose(int n, ct_transform *const *tfs) {
    if (n < 0 || (n > 0 && !tfs)) return NULL;
    for (int i = 0; i < n; i++)
        if (!tfs[i]) return NULL;
    ct_transform *tf = make(compose_apply);
    if (!tf) return NULL;
    tf->list = calloc((size_t)(n > 0 ? n : 1), sizeof *tf->list);
    if (!tf->list) {
        free(tf);
        ct__error_oom(n * 8);
        return NULL;
    }
    for (int i = 0; i < n; i++) tf->list[i] = ct_transform_ref(tfs[i]);
    tf->n = n;
    return tf;
}

static ct_tensor *lambda_apply(ct_transform *tf, const ct_tensor *x) { return tf->fn(x, tf->ctx); }

ct_transform *ct_transforms_lambda(ct_lambda_fn fn, void *ctx) {
    if (!fn) {
        ct__error("Argument lambd should be callable, got NULL");
        return NULL;
    }
    ct_transform *tf = make(lambda_apply);
    if (tf) {
        tf->fn = fn;
        tf->ctx = ctx;
    }
    return tf;
}

/* ---- ToTensor ---- */

static ct_tensor *to_tensor_apply(ct_transform *tf, const ct_tensor *x) {
    (void)tf;
    int nd = ct_dim(x);
    if (nd != 2 && nd != 3) {
        ct__error("pic should be 2/3 dimensional. Got %d dimensions.", nd);
        return NULL;
    }
    ct_tensor *hwc = nd == 2 ? ct_unsqueeze(x, 2) : ct_detach(x);
    ct_tensor *chw = ct_permute(hwc, CT_SIZE(2, 0, 1));
    ct_free(hwc);
    if (!chw) return NULL;
    ct_tensor *out;
    if (ct_dtype_of(x) == CT_UINT8) {
        ct_tensor *f = ct_to_dtype_copy(chw, CT_FLOAT32);
        out = ct_div_scalar(f, 255);
        ct_free(f);
    } else {
        out = ct_contiguous(chw);
    }
    ct_free(chw);
    return out;
}

ct_transform *ct_transforms_to_tensor(void) { return make(to_tensor_apply); }

/* ---- Normalize ---- */

static void shape_str(const ct_tensor *x, char *buf, size_t len) {
    ct__format_shape(buf, len, ct_dim(x), ct_sizes(x));
}

static ct_tensor *normalize_apply(ct_transform *tf, const ct_tensor *x) {
    if (!ct_is_floating_point(x)) {
        ct__error("Input tensor should be a float tensor. Got torch.%s.", ct__traits(ct_dtype_of(x))->name);
        return NULL;
    }
    if (ct_dim(x) < 3) {
        char s[128];
        shape_str(x, s, sizeof s);
        ct__error("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size(%s)", s);
        return NULL;
    }
    ct_dtype dt = ct_dtype_of(x);
    int64_t c = tf->n;
    ct_tensor *mean = ct_empty(CT_SIZE(c, 1, 1), CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *std = ct_empty(CT_SIZE(c, 1, 1), CT_OPTS(.dtype = CT_FLOAT64));
    if (!mean || !std) {
        ct_free(mean);
        ct_free(std);
        return NULL;
    }
    memcpy(ct_data_ptr(mean), tf->mean, (size_t)c * 8);
    memcpy(ct_data_ptr(std), tf->std, (size_t)c * 8);
    ct_tensor *m = ct_to_dtype(mean, dt), *s = ct_to_dtype(std, dt);
    ct_free(mean);
    ct_free(std);
    ct_tensor *out = NULL;
    if (m && s) {
        double *sv = malloc((size_t)c * sizeof *sv);
        ct_tensor *s64 = ct_to_dtype(s, CT_FLOAT64);
        bool zero = false;
        if (sv && s64 && ct_copy_to_buffer(s64, CT_FLOAT64, sv, (size_t)c * 8) == CT_OK)
            for (int64_t i = 0; i < c; i++) zero |= sv[i] == 0;
        free(sv);
        ct_free(s64);
        if (zero)
            ct__error("std evaluated to zero after conversion to torch.%s, leading to division by zero.",
                      ct__traits(dt)->name);
        else {
            ct_tensor *d = ct_sub(x, m);
            out = ct_div(d, s);
            ct_free(d);
            if (out && tf->inplace) {
                if (ct_copy_((ct_tensor *)x, out) != CT_OK) {
                    ct_free(out);
                    out = NULL;
                } else {
                    ct_free(out);
                    out = ct_detach(x);
                }
            }
        }
    }
    ct_free(m);
    ct_free(s);
    return out;
}

ct_transform *ct_transforms_normalize(int n, const double *mean, const double *std, bool inplace) {
    if (n < 1 || n > 64 || !mean || !std) {
        ct__error("Normalize: 1 to 64 channels, got %d", n);
        return NULL;
    }
    ct_transform *tf = make(normalize_apply);
    if (!tf) return NULL;
    tf->n = n;
    memcpy(tf->mean, mean, (size_t)n * 8);
    memcpy(tf->std, std, (size_t)n * 8);
    tf->inplace = inplace;
    return tf;
}

/* ---- RandomHorizontalFlip ---- */

static ct_tensor *hflip_apply(ct_transform *tf, const ct_tensor *x) {
    ct_generator *g = tf->gen ? tf->gen : ct_data_generator();
    ct_tensor *r = ct_rand(CT_SIZE(1), CT_OPTS(.generator = g)); /* torch.rand(1) < p */
    float u;
    if (!r || ct_copy_to_buffer(r, CT_FLOAT32, &u, sizeof u) != CT_OK) {
        ct_free(r);
        return NULL;
    }
    ct_free(r);
    if (u < (float)tf->p) return ct_flip(x, CT_SIZE(-1));
    return ct_detach(x);
}

ct_transform *ct_transforms_random_horizontal_flip(double p, ct_generator *g) {
    ct_transform *tf = make(hflip_apply);
    if (tf) {
        tf->p = p;
        tf->gen = g;
    }
    return tf;
}

/* ---- padding and cropping (torchvision.transforms.functional_tensor) ---- */

/* Indices of torchvision's _pad_symmetric along one axis of size n padded
 * by a before and b after: a-1, ..., 0, 0, ..., n-1, n-1, ..., n-b. */
static ct_tensor *symmetric_indices(int64_t n, int64_t a, int64_t b) {
    int64_t len = a + n + b;
    ct_tensor *t = ct_empty(CT_SIZE(len), CT_OPTS(.dtype = CT_INT64));
    if (!t) return NULL;
    int64_t *p = ct_data_ptr(t), k = 0;
    for (int64_t i = a - 1; i >= 0; i--) p[k++] = i;
    for (int64_t i = 0; i < n; i++) p[k++] = i;
    for (int64_t i = 0; i < b; i++) p[k++] = n - (i + 1); /* Python's -(i + 1) */
    return t;
}

/* torchvision's _pad_symmetric(img, [left, right, top, bottom]): negative
 * paddings crop first; 3-D and 4-D images only. */
static ct_tensor *pad_symmetric(const ct_tensor *x, const int64_t *p) {
    int nd = ct_dim(x);
    ct_tensor *img = ct_detach(x);
    if (!img) return NULL;
    if (nd >= 2 && (p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0)) {
        int64_t H = ct_size(img, nd - 2), W = ct_size(img, nd - 1);
        int64_t cl = p[0] < 0 ? -p[0] : 0, cr = p[1] < 0 ? -p[1] : 0, ct = p[2] < 0 ? -p[2] : 0,
                cb = p[3] < 0 ? -p[3] : 0;
        ct_tensor *a = ct_slice(img, nd - 2, ct, H - cb > ct ? H - cb : ct, 1);
        ct_tensor *b = a ? ct_slice(a, nd - 1, cl, W - cr > cl ? W - cr : cl, 1) : NULL;
        ct_free(a);
        ct_free(img);
        if (!b) return NULL;
        img = b;
    }
    if (nd != 3 && nd != 4) {
        ct_free(img);
        ct__error("Symmetric padding of N-D tensors are not supported yet");
        return NULL;
    }
    int64_t q[4];
    for (int i = 0; i < 4; i++) q[i] = p[i] > 0 ? p[i] : 0;
    ct_tensor *yi = symmetric_indices(ct_size(img, nd - 2), q[2], q[3]);
    ct_tensor *xi = symmetric_indices(ct_size(img, nd - 1), q[0], q[1]);
    ct_tensor *rows = yi && xi ? ct_index_select(img, nd - 2, yi) : NULL;
    ct_tensor *out = rows ? ct_index_select(rows, nd - 1, xi) : NULL;
    ct_free(rows);
    ct_free(yi);
    ct_free(xi);
    ct_free(img);
    return out;
}

/* F.pad(img, [left, top, right, bottom], fill, mode) on (..., H, W). */
static ct_tensor *pad_ltrb(const ct_tensor *x, const int64_t *ltrb, double fill, ct_padding_mode mode) {
    int64_t pad[4] = {ltrb[0], ltrb[2], ltrb[1], ltrb[3]}; /* torch order: left, right, top, bottom */
    if (mode == CT_PAD_CONSTANT) return ct_pad(x, 4, pad, "constant", fill);
    if (mode == CT_PAD_SYMMETRIC) return pad_symmetric(x, pad);
    /* reflect / replicate need a 4-D float input, as torchvision arranges */
    int nd = ct_dim(x);
    if (nd < 2) {
        ct__error("Expected a tensor image of size (..., H, W)");
        return NULL;
    }
    ct_tensor *cur = ct_detach(x);
    int added = 0;
    while (ct_dim(cur) < 4) {
        ct_tensor *u = ct_unsqueeze(cur, 0);
        ct_free(cur);
        cur = u;
        added++;
    }
    ct_dtype dt = ct_dtype_of(x);
    bool cast = !ct_is_floating_point(x);
    if (cast) {
        ct_tensor *f = ct_to_dtype(cur, CT_FLOAT32);
        ct_free(cur);
        cur = f;
    }
    ct_tensor *out = ct_pad(cur, 4, pad, mode == CT_PAD_EDGE ? "replicate" : "reflect", 0);
    ct_free(cur);
    for (int i = 0; out && i < added; i++) {
        ct_tensor *s = ct_squeeze_dim(out, 0);
        ct_free(out);
        out = s;
    }
    if (out && cast) {
        ct_tensor *c = ct_to_dtype(out, dt);
        ct_free(out);
        out = c;
    }
    return out;
}

/* F.crop(img, top, left, h, w): zero padding where the box leaves the image. */
static ct_tensor *crop(const ct_tensor *x, int64_t top, int64_t left, int64_t h, int64_t w) {
    int nd = ct_dim(x);
    if (nd < 2) {
        ct__error("Expected a tensor image of size (..., H, W)");
        return NULL;
    }
    int64_t H = ct_size(x, nd - 2), W = ct_size(x, nd - 1);
    int64_t right = left + w, bottom = top + h;
    if (left < 0 || top < 0 || right > W || bottom > H) {
        int64_t t0 = top > 0 ? top : 0, l0 = left > 0 ? left : 0;
        int64_t b0 = bottom < H ? bottom : H, r0 = right < W ? right : W;
        ct_tensor *a = ct_slice(x, nd - 2, t0, b0 > t0 ? b0 : t0, 1);
        ct_tensor *b = ct_slice(a, nd - 1, l0, r0 > l0 ? r0 : l0, 1);
        ct_free(a);
        int64_t ltrb[4] = {l0 - left, t0 - top, right > W ? right - W : 0, bottom > H ? bottom - H : 0};
        ct_tensor *out = b ? pad_ltrb(b, ltrb, 0, CT_PAD_CONSTANT) : NULL;
        ct_free(b);
        return out;
    }
    ct_tensor *a = ct_slice(x, nd - 2, top, bottom, 1);
    ct_tensor *b = ct_slice(a, nd - 1, left, right, 1);
    ct_free(a);
    return b;
}

static ct_tensor *center_crop_apply(ct_transform *tf, const ct_tensor *x) {
    int nd = ct_dim(x);
    if (nd < 2) {
        ct__error("Expected a tensor image of size (..., H, W)");
        return NULL;
    }
    int64_t H = ct_size(x, nd - 2), W = ct_size(x, nd - 1), ch = tf->h, cw = tf->w;
    ct_tensor *img = ct_detach(x);
    if (cw > W || ch > H) {
        int64_t ltrb[4] = {cw > W ? (cw - W) / 2 : 0, ch > H ? (ch - H) / 2 : 0, cw > W ? (cw - W + 1) / 2 : 0,
                           ch > H ? (ch - H + 1) / 2 : 0};
        ct_tensor *p = pad_ltrb(img, ltrb, 0, CT_PAD_CONSTANT);
        ct_free(img);
        if (!p) return NULL;
        img = p;
        H = ct_size(img, nd - 2);
        W = ct_size(img, nd - 1);
        if (cw == W && ch == H) return img;
    }
    /* int(round((h - crop_h) / 2.0)): Python rounds half to even */
    int64_t top = (int64_t)nearbyint((double)(H - ch) / 2.0), left = (int64_t)nearbyint((double)(W - cw) / 2.0);
    ct_tensor *out = crop(img, top, left, ch, cw);
    ct_free(img);
    return out;
}

ct_transform *ct_transforms_center_crop(int64_t h, int64_t w) {
    if (h <= 0 || w <= 0) {
        ct__error("CenterCrop: size must be positive, got (%lld, %lld)", (long long)h, (long long)w);
        return NULL;
    }
    ct_transform *tf = make(center_crop_apply);
    if (tf) {
        tf->h = h;
        tf->w = w;
    }
    return tf;
}

static int64_t randint1(ct_generator *g, int64_t high) {
    ct_tensor *t = ct_randint(0, high, CT_SIZE(1), CT_OPTS(.generator = g));
    int64_t v = -1;
    if (!t || ct_item_int64(t, &v) != CT_OK) v = -1;
    ct_free(t);
    return v;
}

static ct_tensor *random_crop_apply(ct_transform *tf, const ct_tensor *x) {
    const ct_random_crop_options *o = &tf->crop;
    ct_tensor *img = ct_detach(x);
    if (!img) return NULL;
    if (o->npad) {
        int64_t ltrb[4];
        if (o->npad == 1) ltrb[0] = ltrb[1] = ltrb[2] = ltrb[3] = o->padding[0];
        else if (o->npad == 2) {
            ltrb[0] = ltrb[2] = o->padding[0];
            ltrb[1] = ltrb[3] = o->padding[1];
        } else memcpy(ltrb, o->padding, sizeof ltrb);
        ct_tensor *p = pad_ltrb(img, ltrb, o->fill, o->padding_mode);
        ct_free(img);
        if (!p) return NULL;
        img = p;
    }
    int nd = ct_dim(img);
    if (nd < 2) {
        ct_free(img);
        ct__error("Expected a tensor image of size (..., H, W)");
        return NULL;
    }
    int64_t H = ct_size(img, nd - 2), W = ct_size(img, nd - 1);
    if (o->pad_if_needed && W < tf->w) {
        int64_t ltrb[4] = {tf->w - W, 0, tf->w - W, 0};
        ct_tensor *p = pad_ltrb(img, ltrb, o->fill, o->padding_mode);
        ct_free(img);
        if (!p) return NULL;
        img = p;
    }
    if (o->pad_if_needed && H < tf->h) {
        int64_t ltrb[4] = {0, tf->h - H, 0, tf->h - H};
        ct_tensor *p = pad_ltrb(img, ltrb, o->fill, o->padding_mode);
        ct_free(img);
        if (!p) return NULL;
        img = p;
    }
    H = ct_size(img, nd - 2);
    W = ct_size(img, nd - 1);
    if (H < tf->h || W < tf->w) {
        ct__error("Required crop size (%lld, %lld) is larger than input image size (%lld, %lld)", (long long)tf->h,
                  (long long)tf->w, (long long)H, (long long)W);
        ct_free(img);
        return NULL;
    }
    if (H == tf->h && W == tf->w) return img;
    ct_generator *g = o->generator ? o->generator : ct_data_generator();
    int64_t i = randint1(g, H - tf->h + 1), j = i < 0 ? -1 : randint1(g, W - tf->w + 1);
    ct_tensor *out = j < 0 ? NULL : crop(img, i, j, tf->h, tf->w);
    ct_free(img);
    return out;
}

ct_transform *ct_transforms_random_crop_opts(int64_t h, int64_t w, const ct_random_crop_options *o) {
    static const ct_random_crop_options defaults = {0};
    if (!o) o = &defaults;
    if (h <= 0 || w <= 0 || (o->npad != 0 && o->npad != 1 && o->npad != 2 && o->npad != 4)) {
        if (h <= 0 || w <= 0) ct__error("RandomCrop: size must be positive, got (%lld, %lld)", (long long)h, (long long)w);
        else ct__error("Padding must be an int or a 1, 2, or 4 element tuple, not a %d element tuple", o->npad);
        return NULL;
    }
    ct_transform *tf = make(random_crop_apply);
    if (tf) {
        tf->h = h;
        tf->w = w;
        tf->crop = *o;
    }
    return tf;
}

/* ---- shared by Resize and RandomRotation ---- */

static bool is_integral_dtype(ct_dtype d) {
    return d == CT_UINT8 || d == CT_INT8 || d == CT_INT16 || d == CT_INT32 || d == CT_INT64;
}

/* _cast_squeeze_out: drop the batch dim added by _cast_squeeze_in, round
 * integer images half to even, cast back. Consumes img. */
static ct_tensor *cast_squeeze_out(ct_tensor *img, bool need_cast, bool need_squeeze, ct_dtype out_dtype) {
    if (img && need_squeeze) {
        ct_tensor *s = ct_squeeze_dim(img, 0);
        ct_free(img);
        img = s;
    }
    if (img && need_cast) {
        if (is_integral_dtype(out_dtype)) {
            ct_tensor *r = ct_round(img);
            ct_free(img);
            img = r;
        }
        ct_tensor *c = img ? ct_to_dtype(img, out_dtype) : NULL;
        ct_free(img);
        img = c;
    }
    return img;
}

/* ---- Resize ---- */

/* PyTorch 1.13.1's antialiased interpolation weights
 * (HelperInterpLinear / HelperInterpCubic::compute_indices_weights_aa in
 * aten/src/ATen/native/cpu/UpSampleKernel.cpp), computed with its mix of
 * scalar_t and double steps; the AVX2 build contracts a*b+c into fma. */
#define DEFINE_AA(T, SUF, FMA)                                                                                    \
    static T aa_filter_##SUF(T x, bool cubic) {                                                                  \
        if (x < 0.0) x = -x;                                                                                     \
        if (!cubic) return x < 1.0 ? (T)(1.0 - x) : (T)0;                                                        \
        const double a = -0.5;                                                                                   \
        if (x < 1.0) return (T)fma(fma(a + 2.0, (double)x, -(a + 3.0)) * (double)x, (double)x, 1.0);          \
        if (x < 2.0) return (T)((double)FMA(FMA(x - 5, x, (T)8), x, (T)-4) * a);                               \
        return 0;                                                                                                \
    }                                                                                                            \
    /* Weights of output i: w[i * *isz + j] for source xmin[i] + j, j < xsize[i]. */                            \
    static T *aa_weights_##SUF(int64_t in, int64_t out, bool cubic, int64_t *isz, int64_t **xmin, int64_t **xsize) { \
        T scale = (T)in / (T)out;                                                                                \
        int64_t interp = cubic ? 4 : 2;                                                                          \
        T support = scale >= 1.0 ? (T)((interp * 0.5) * scale) : (T)(interp * 0.5);                            \
        int64_t n = (int64_t)ceilf((float)support) * 2 + 1;                                                     \
        T invscale = scale >= 1.0 ? (T)(1.0 / scale) : (T)1;                                                    \
        T *w = calloc((size_t)(out * n), sizeof *w);                                                             \
        *xmin = malloc((size_t)out * sizeof **xmin);                                                            \
        *xsize = malloc((size_t)out * sizeof **xsize);                                                          \
        if (!w || !*xmin || !*xsize) {                                                                           \
            free(w);                                                                                             \
            free(*xmin);                                                                                         \
            free(*xsize);                                                                                        \
            ct__error_oom(out * n * (int64_t)sizeof(T));                                                         \
            return NULL;                                                                                         \
        }                                                                                                        \
        for (int64_t i = 0; i < out; i++) {                                                                      \
            T center = (T)(scale * (i + 0.5));                                                                   \
            int64_t lo = (int64_t)((double)(center - support) + 0.5);                                           \
            int64_t hi = (int64_t)((double)(center + support) + 0.5);                                           \
            if (lo < 0) lo = 0;                                                                                  \
            if (hi > in) hi = in;                                                                                \
            int64_t sz = hi - lo;                                                                                \
            if (sz > n) sz = n;                                                                                  \
            (*xmin)[i] = lo;                                                                                     \
            (*xsize)[i] = sz;                                                                                    \
            T total = 0, *wi = w + i * n;                                                                        \
            for (int64_t j = 0; j < sz; j++) {                                                                   \
                T v = aa_filter_##SUF((T)(((double)((T)(j + lo) - center) + 0.5) * (double)invscale), cubic);    \
                wi[j] = v;                                                                                       \
                total += v;                                                                                      \
            }                                                                                                    \
            if (total != 0.0)                                                                                    \
                for (int64_t j = 0; j < sz; j++) wi[j] /= total;                                                 \
        }                                                                                                        \
        *isz = n;                                                                                                \
        return w;                                                                                                \
    }                                                                                                            \
    /* One separable pass: src (outer, in, inner) -> dst (outer, out, inner). */                                 \
    static int aa_pass_##SUF(const T *src, T *dst, int64_t outer, int64_t in, int64_t out, int64_t inner,        \
                             bool cubic) {                                                                       \
        int64_t n, *xmin, *xsize;                                                                                \
        T *w = aa_weights_##SUF(in, out, cubic, &n, &xmin, &xsize);                                             \
        if (!w) return CT_ERROR;                                                                                 \
        for (int64_t o = 0; o < outer; o++)                                                                      \
            for (int64_t i = 0; i < out; i++) {                                                                  \
                const T *wi = w + i * n;                                                                         \
                const T *s0 = src + (o * in + xmin[i]) * inner;                                                  \
                T *d = dst + (o * out + i) * inner;                                                              \
                for (int64_t k = 0; k < inner; k++) {                                                            \
                    T acc = s0[k] * wi[0];                                                                       \
                    for (int64_t j = 1; j < xsize[i]; j++) acc = FMA(s0[j * inner + k], wi[j], acc);             \
                    d[k] = acc;                                                                                  \
                }                                                                                                \
            }                                                                                                    \
        free(w);                                                                                                 \
        free(xmin);                                                                                              \
        free(xsize);                                                                                             \
        return CT_OK;                                                                                            \
    }
DEFINE_AA(float, f32, fmaf)
DEFINE_AA(double, f64, fma)

/* aten::_upsample_{bilinear,bicubic}2d_aa(x, (oh, ow), align_corners=False)
 * on a 4-D float32 / float64 tensor: the width pass, then the height pass,
 * each skipped when that size does not change. */
static ct_tensor *resize_aa(const ct_tensor *x, int64_t oh, int64_t ow, bool cubic) {
    ct_dtype dt = ct_dtype_of(x);
    int64_t N = ct_size(x, 0) * ct_size(x, 1), H = ct_size(x, 2), W = ct_size(x, 3);
    if (H <= 0 || W <= 0 || oh <= 0 || ow <= 0) { /* upsample_2d_common_check */
        ct__error("Input and output sizes should be greater than 0, but got input (H: %lld, W: %lld) output (H: %lld, "
                  "W: %lld)",
                  (long long)H, (long long)W, (long long)oh, (long long)ow);
        return NULL;
    }
    ct_tensor *src = ct_contiguous(x);
    if (!src) return NULL;
    ct_tensor *mid = NULL, *out = NULL;
    if (W != ow) {
        mid = ct_empty(CT_SIZE(ct_size(x, 0), ct_size(x, 1), H, ow), CT_OPTS(.dtype = dt));
        int rc = !mid                ? CT_ERROR
                 : dt == CT_FLOAT32 ? aa_pass_f32(ct_data_ptr(src), ct_data_ptr(mid), N * H, W, ow, 1, cubic)
                                     : aa_pass_f64(ct_data_ptr(src), ct_data_ptr(mid), N * H, W, ow, 1, cubic);
        if (rc != CT_OK) goto done;
    } else {
        mid = ct_detach(src);
    }
    if (H != oh) {
        out = ct_empty(CT_SIZE(ct_size(x, 0), ct_size(x, 1), oh, ow), CT_OPTS(.dtype = dt));
        int rc = !out                ? CT_ERROR
                 : dt == CT_FLOAT32 ? aa_pass_f32(ct_data_ptr(mid), ct_data_ptr(out), N, H, oh, ow, cubic)
                                     : aa_pass_f64(ct_data_ptr(mid), ct_data_ptr(out), N, H, oh, ow, cubic);
        if (rc != CT_OK) {
            ct_free(out);
            out = NULL;
        }
    } else {
        out = ct_detach(mid);
    }
done:
    ct_free(mid);
    ct_free(src);
    return out;
}

/* torchvision's _compute_resized_output_size. */
static int resized_size(const ct_transform *tf, int64_t H, int64_t W, int64_t *oh, int64_t *ow) {
    if (tf->w > 0) {
        *oh = tf->h;
        *ow = tf->w;
        return CT_OK;
    }
    int64_t sh = W <= H ? W : H, lg = W <= H ? H : W;
    if (sh == 0) {
        ct__error("division by zero");
        return CT_ERROR;
    }
    int64_t new_short = tf->h, new_long = (int64_t)((double)(tf->h * lg) / (double)sh);
    int64_t max_size = tf->resize.max_size;
    if (max_size > 0 && new_long > max_size) {
        new_short = (int64_t)((double)(max_size * new_short) / (double)new_long);
        new_long = max_size;
    }
    *ow = W <= H ? new_short : new_long;
    *oh = W <= H ? new_long : new_short;
    return CT_OK;
}

static ct_tensor *resize_apply(ct_transform *tf, const ct_tensor *x) {
    int nd = ct_dim(x);
    if (nd < 2) {
        ct__error("Tensor is not a torch image.");
        return NULL;
    }
    int64_t H = ct_size(x, nd - 2), W = ct_size(x, nd - 1), oh, ow;
    if (resized_size(tf, H, W, &oh, &ow) != CT_OK) return NULL;
    if (oh == H && ow == W) return ct_detach(x);
    ct_interpolation_mode mode = tf->resize.interpolation ? tf->resize.interpolation : CT_INTERPOLATION_BILINEAR;
    /* _cast_squeeze_in(img, [float32, float64]) */
    ct_dtype out_dtype = ct_dtype_of(x);
    bool need_squeeze = nd < 4, need_cast = out_dtype != CT_FLOAT32 && out_dtype != CT_FLOAT64;
    ct_tensor *img = need_squeeze ? ct_unsqueeze(x, 0) : ct_detach(x);
    if (img && need_cast) {
        ct_tensor *f = ct_to_dtype(img, CT_FLOAT32);
        ct_free(img);
        img = f;
    }
    if (!img) return NULL;
    ct_tensor *y;
    if (tf->resize.antialias) {
        if (ct_dim(img) != 4) {
            ct__error("Anti-alias option is only supported for bilinear and bicubic modes");
            y = NULL;
        } else {
            y = resize_aa(img, oh, ow, mode == CT_INTERPOLATION_BICUBIC);
        }
    } else {
        ct_interp_mode m = mode == CT_INTERPOLATION_NEAREST    ? CT_INTERP_NEAREST
                           : mode == CT_INTERPOLATION_BICUBIC ? CT_INTERP_BICUBIC
                                                               : CT_INTERP_BILINEAR;
        y = ct_interpolate(img, .size = {oh, ow}, .mode = m);
    }
    ct_free(img);
    if (y && mode == CT_INTERPOLATION_BICUBIC && out_dtype == CT_UINT8) {
        ct_tensor *c = ct_clamp(y, &(double){0}, &(double){255});
        ct_free(y);
        y = c;
    }
    return cast_squeeze_out(y, need_cast, need_squeeze, out_dtype);
}

ct_transform *ct_transforms_resize_opts(int64_t h, int64_t w, const ct_resize_options *o) {
    static const ct_resize_options defaults = {0};
    if (!o) o = &defaults;
    if (h <= 0 || w < 0) {
        ct__error("Resize: size must be positive, got (%lld, %lld)", (long long)h, (long long)w);
        return NULL;
    }
    if (o->interpolation < CT_INTERPOLATION_DEFAULT || o->interpolation > CT_INTERPOLATION_BICUBIC) {
        ct__error("Argument interpolation should be a InterpolationMode");
        return NULL;
    }
    if (o->max_size < 0) {
        ct__error("Resize: max_size must be positive, got %lld", (long long)o->max_size);
        return NULL;
    }
    if (o->max_size > 0 && w > 0) {
        ct__error("max_size should only be passed if size specifies the length of the smaller edge, i.e. size should "
                  "be an int or a sequence of length 1 in torchscript mode.");
        return NULL;
    }
    if (o->max_size > 0 && o->max_size <= h) {
        ct__error("max_size = %lld must be strictly greater than the requested size for the smaller edge size = [%lld]",
                  (long long)o->max_size, (long long)h);
        return NULL;
    }
    if (o->antialias && o->interpolation == CT_INTERPOLATION_NEAREST) {
        ct__error("Antialias option is supported for bilinear and bicubic interpolation modes only");
        return NULL;
    }
    ct_transform *tf = make(resize_apply);
    if (tf) {
        tf->h = h;
        tf->w = w;
        tf->resize = *o;
    }
    return tf;
}

/* ---- RandomRotation ---- */

/* torchvision's _get_inverse_affine_matrix(center, angle, [0, 0], 1, [0, 0])
 * step by step in double (math.radians is x * (pi / 180)). */
static void inverse_affine_matrix(double cx, double cy, double angle, double m[6]) {
    const double deg_to_rad = 3.14159265358979323846 / 180.0;
    double rot = angle * deg_to_rad, sx = 0.0 * deg_to_rad, sy = 0.0 * deg_to_rad, tx = 0.0, ty = 0.0;
    double a = cos(rot - sy) / cos(sy);
    double b = -cos(rot - sy) * tan(sx) / cos(sy) - sin(rot);
    double c = sin(rot - sy) / cos(sy);
    double d = -sin(rot - sy) * tan(sx) / cos(sy) + cos(rot);
    m[0] = d / 1.0;
    m[1] = -b / 1.0;
    m[2] = 0.0 / 1.0;
    m[3] = -c / 1.0;
    m[4] = a / 1.0;
    m[5] = 0.0 / 1.0;
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
}

/* _compute_affine_output_size in float32: the rotated corners, shifted to
 * [0, w] x [0, h], truncated to 1e-4, ceil(max) - floor(min). */
static void affine_output_size(const double m[6], int64_t w, int64_t h, int64_t *ow, int64_t *oh) {
    float pts[4][2] = {{(float)(-0.5 * (double)w), (float)(-0.5 * (double)h)},
                       {(float)(-0.5 * (double)w), (float)(0.5 * (double)h)},
                       {(float)(0.5 * (double)w), (float)(0.5 * (double)h)},
                       {(float)(0.5 * (double)w), (float)(-0.5 * (double)h)}};
    float th[6];
    for (int i = 0; i < 6; i++) th[i] = (float)m[i];
    float mn[2] = {INFINITY, INFINITY}, mx[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++) {
            float v = 0.0f;
            v += pts[i][0] * th[3 * k];
            v += pts[i][1] * th[3 * k + 1];
            v += 1.0f * th[3 * k + 2];
            if (v < mn[k]) mn[k] = v;
            if (v > mx[k]) mx[k] = v;
        }
    float half[2] = {(float)((double)w * 0.5), (float)((double)h * 0.5)};
    const float tol = (float)1e-4;
    int64_t size[2];
    for (int k = 0; k < 2; k++) {
        float hi = mx[k] + half[k], lo = mn[k] + half[k];
        float cmax = ceilf(truncf(hi / tol) * tol), cmin = floorf(truncf(lo / tol) * tol);
        size[k] = (int64_t)(cmax - cmin);
    }
    *ow = size[0];
    *oh = size[1];
}

/* _gen_affine_grid(theta, w, h, ow, oh) in T: float32 linspace pixel
 * centres, theta^T / (w/2, h/2), and the bmm's ((x t0 + y t1) + t2). */
#define DEFINE_GRID(T, SUF)                                                                                       \
    static void affine_grid_##SUF(T *g, const double m[6], int64_t w, int64_t h, int64_t ow, int64_t oh,          \
                                  const float *xs, const float *ys) {                                            \
        T th[6], rt[3][2];                                                                                        \
        for (int i = 0; i < 6; i++) th[i] = (T)m[i];                                                              \
        T div[2] = {(T)(0.5 * (double)w), (T)(0.5 * (double)h)};                                                  \
        for (int k = 0; k < 3; k++)                                                                               \
            for (int j = 0; j < 2; j++) rt[k][j] = th[3 * j + k] / div[j];                                        \
        for (int64_t i = 0; i < oh; i++)                                                                          \
            for (int64_t j = 0; j < ow; j++)                                                                      \
                for (int c = 0; c < 2; c++) {                                                                     \
                    T acc = 0;                                                                                    \
                    acc += (T)xs[j] * rt[0][c];                                                                   \
                    acc += (T)ys[i] * rt[1][c];                                                                   \
                    acc += (T)1 * rt[2][c];                                                                       \
                    g[(i * ow + j) * 2 + c] = acc;                                                                \
                }                                                                                                 \
    }                                                                                                             \
    /* The fill step of _apply_grid_transform on y (N, C + 1, P) contiguous, into o (N, C, P). */               \
    static void apply_fill_##SUF(const T *y, T *o, int64_t N, int64_t C, int64_t P, const double *fill, int nfill, \
                                 bool nearest) {                                                                  \
        for (int64_t n = 0; n < N; n++)                                                                           \
            for (int64_t c = 0; c < C; c++) {                                                                     \
                const T *src = y + (n * (C + 1) + c) * P, *mask = y + (n * (C + 1) + C) * P;                      \
                T *dst = o + (n * C + c) * P, f = (T)fill[nfill == 1 ? 0 : c];                                    \
                for (int64_t p = 0; p < P; p++) {                                                                 \
                    T v = src[p], mk = mask[p];                                                                   \
                    if (nearest) dst[p] = mk < (T)0.5 ? f : v;                                                    \
                    else {                                                                                        \
                        T a = v * mk, b = ((T)1.0 - mk) * f;                                                      \
                        dst[p] = a + b;                                                                           \
                    }                                                                                             \
                }                                                                                                 \
            }                                                                                                     \
    }
DEFINE_GRID(float, f32)
DEFINE_GRID(double, f64)

static ct_tensor *rotation_apply(ct_transform *tf, const ct_tensor *x) {
    const ct_random_rotation_options *o = &tf->rot;
    int nd = ct_dim(x);
    if (nd < 2) {
        ct__error("Tensor is not a torch image.");
        return NULL;
    }
    int64_t C = nd == 2 ? 1 : ct_size(x, nd - 3), H = ct_size(x, nd - 2), W = ct_size(x, nd - 1);
    /* forward(): fill = [float(fill)] * channels for a number */
    int nfill = o->nfill ? o->nfill : 1;
    double fill0 = 0;
    const double *fill = o->nfill ? o->fill : &fill0;
    /* get_params: torch.empty(1).uniform_(lo, hi).item() */
    ct_generator *g = o->generator ? o->generator : ct_data_generator();
    ct_tensor *r = ct_empty(CT_SIZE(1), CT_OPTS(.dtype = CT_FLOAT32));
    float af;
    if (!r || ct_uniform_(r, tf->deg[0], tf->deg[1], g) != CT_OK ||
        ct_copy_to_buffer(r, CT_FLOAT32, &af, sizeof af) != CT_OK) {
        ct_free(r);
        return NULL;
    }
    ct_free(r);
    if (nfill > 1 && nfill != C) {
        ct__error("The number of elements in 'fill' cannot broadcast to match the number of channels of the image "
                  "(%d != %lld)",
                  nfill, (long long)C);
        return NULL;
    }
    if (nd != 3 && nd != 4) {
        if (nd == 2) ct__error("tuple index out of range"); /* img.shape[3] in _apply_grid_transform */
        else ct__error("RandomRotation: expected a (C, H, W) or (N, C, H, W) image, got %d dimensions", nd);
        return NULL;
    }
    double cx = 0.0, cy = 0.0;
    if (o->has_center) {
        cx = 1.0 * (o->center[0] - (double)W * 0.5);
        cy = 1.0 * (o->center[1] - (double)H * 0.5);
    }
    double m[6];
    inverse_affine_matrix(cx, cy, -(double)af, m);
    int64_t ow = W, oh = H;
    if (o->expand) affine_output_size(m, W, H, &ow, &oh);
    ct_dtype out_dtype = ct_dtype_of(x);
    ct_dtype T = out_dtype == CT_FLOAT64 ? CT_FLOAT64 : CT_FLOAT32;
    bool need_squeeze = nd < 4, need_cast = out_dtype != T;
    ct_tensor *img = need_squeeze ? ct_unsqueeze(x, 0) : ct_detach(x);
    if (img && need_cast) {
        ct_tensor *f = ct_to_dtype(img, T);
        ct_free(img);
        img = f;
    }
    if (!img) return NULL;
    int64_t N = ct_size(img, 0);
    ct_tensor *xs = ct_linspace(-(double)ow * 0.5 + 0.5, (double)ow * 0.5 + 0.5 - 1, ow, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *ys = ct_linspace(-(double)oh * 0.5 + 0.5, (double)oh * 0.5 + 0.5 - 1, oh, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *grid = ct_empty(CT_SIZE(1, oh, ow, 2), CT_OPTS(.dtype = T));
    ct_tensor *ones = ct_ones(CT_SIZE(N, 1, H, W), CT_OPTS(.dtype = T));
    ct_tensor *cat = NULL, *gridn = NULL, *y = NULL, *out = NULL;
    if (!xs || !ys || !grid || !ones) goto done;
    if (T == CT_FLOAT32) affine_grid_f32(ct_data_ptr(grid), m, W, H, ow, oh, ct_data_ptr(xs), ct_data_ptr(ys));
    else affine_grid_f64(ct_data_ptr(grid), m, W, H, ow, oh, ct_data_ptr(xs), ct_data_ptr(ys));
    cat = ct_cat(2, (ct_tensor *const[]){img, ones}, 1);
    gridn = ct_expand(grid, CT_SIZE(N, oh, ow, 2));
    if (!cat || !gridn) goto done;
    bool nearest = o->interpolation != CT_INTERPOLATION_BILINEAR;
    y = ct_grid_sample(cat, gridn, .mode = nearest ? CT_GRID_SAMPLE_NEAREST : CT_GRID_SAMPLE_BILINEAR);
    if (!y) goto done;
    ct_tensor *yc = ct_contiguous(y);
    ct_free(y);
    y = yc;
    out = y ? ct_empty(CT_SIZE(N, C, oh, ow), CT_OPTS(.dtype = T)) : NULL;
    if (!out) goto done;
    if (T == CT_FLOAT32) apply_fill_f32(ct_data_ptr(y), ct_data_ptr(out), N, C, oh * ow, fill, nfill, nearest);
    else apply_fill_f64(ct_data_ptr(y), ct_data_ptr(out), N, C, oh * ow, fill, nfill, nearest);
done:
    ct_free(xs);
    ct_free(ys);
    ct_free(grid);
    ct_free(ones);
    ct_free(cat);
    ct_free(gridn);
    ct_free(y);
    ct_free(img);
    return cast_squeeze_out(out, need_cast, need_squeeze, out_dtype);
}

ct_transform *ct_transforms_random_rotation_opts(int ndeg, const double *degrees, const ct_random_rotation_options *o) {
    static const ct_random_rotation_options defaults = {0};
    if (!o) o = &defaults;
    if (!degrees || (ndeg != 1 && ndeg != 2)) {
        ct__error("degrees should be a sequence of length 2.");
        return NULL;
    }
    if (ndeg == 1 && degrees[0] < 0) {
        ct__error("If degrees is a single number, it must be positive.");
        return NULL;
    }
    if (o->interpolation == CT_INTERPOLATION_BICUBIC) {
        ct__error("Interpolation mode 'bicubic' is unsupported with Tensor input");
        return NULL;
    }
    if (o->interpolation < CT_INTERPOLATION_DEFAULT || o->interpolation > CT_INTERPOLATION_BICUBIC) {
        ct__error("Argument interpolation should be a InterpolationMode");
        return NULL;
    }
    if (o->nfill < 0 || o->nfill > 64) {
        ct__error("RandomRotation: fill must have 0 to 64 values, got %d", o->nfill);
        return NULL;
    }
    ct_transform *tf = make(rotation_apply);
    if (tf) {
        tf->rot = *o;
        tf->deg[0] = ndeg == 1 ? -degrees[0] : degrees[0];
        tf->deg[1] = ndeg == 1 ? degrees[0] : degrees[1];
    }
    return tf;
}
