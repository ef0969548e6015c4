/* torchvision.transforms (0.14) on tensors: Compose, Lambda, ToTensor,
 * Normalize, RandomHorizontalFlip, CenterCrop, RandomCrop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/nn_conv.h"
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

/* F.pad(img, [left, top, right, bottom], fill, mode) on (..., H, W). */
static ct_tensor *pad_ltrb(const ct_tensor *x, const int64_t *ltrb, double fill, ct_padding_mode mode) {
    int64_t pad[4] = {ltrb[0], ltrb[2], ltrb[1], ltrb[3]}; /* torch order: left, right, top, bottom */
    if (mode == CT_PAD_CONSTANT) return ct_pad(x, 4, pad, "constant", fill);
    if (mode == CT_PAD_SYMMETRIC) {
        ct__error("padding_mode symmetric is not supported yet");
        return NULL;
    }
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
