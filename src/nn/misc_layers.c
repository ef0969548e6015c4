/* nn.PixelShuffle, PixelUnshuffle, ChannelShuffle, Upsample,
 * UpsamplingNearest2d, UpsamplingBilinear2d, Bilinear (LazyLinear: lazy.c). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/autograd.h"
#include "ctorch/nn_init.h"
#include "ctorch/nn_misc.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

const char *ct__misc_py_float(char *buf, size_t len, double v); /* src/nn/embedding.c */

/* ---- shuffles: one struct, three types ---- */

typedef struct {
    ct_module base;
    int64_t factor;
} shuffle_module;

static ct_tensor *pixel_shuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_pixel_shuffle(in[0], ((shuffle_module *)self)->factor);
}
static ct_tensor *pixel_unshuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_pixel_unshuffle(in[0], ((shuffle_module *)self)->factor);
}
static ct_tensor *channel_shuffle_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_channel_shuffle(in[0], ((shuffle_module *)self)->factor);
}
static int upscale_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "upscale_factor=%" PRId64, ((const shuffle_module *)self)->factor);
}
static int downscale_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "downscale_factor=%" PRId64, ((const shuffle_module *)self)->factor);
}
static int groups_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "groups=%" PRId64, ((const shuffle_module *)self)->factor);
}
static const ct_module_type pixel_shuffle_type = {.name = "PixelShuffle",
                                                  .size = sizeof(shuffle_module),
                                                  .forward = pixel_shuffle_forward,
                                                  .extra_repr = upscale_repr};
static const ct_module_type pixel_unshuffle_type = {.name = "PixelUnshuffle",
                                                    .size = sizeof(shuffle_module),
                                                    .forward = pixel_unshuffle_forward,
                                                    .extra_repr = downscale_repr};
static const ct_module_type channel_shuffle_type = {.name = "ChannelShuffle",
                                                    .size = sizeof(shuffle_module),
                                                    .forward = channel_shuffle_forward,
                                                    .extra_repr = groups_repr};

static ct_module *shuffle_new(const ct_module_type *type, int64_t factor) {
    shuffle_module *s = (shuffle_module *)ct_module_new(type);
    if (s) s->factor = factor;
    return s ? &s->base : NULL;
}
ct_module *ct_nn_pixel_shuffle(int64_t upscale_factor) { return shuffle_new(&pixel_shuffle_type, upscale_factor); }
ct_module *ct_nn_pixel_unshuffle(int64_t downscale_factor) {
    return shuffle_new(&pixel_unshuffle_type, downscale_factor);
}
ct_module *ct_nn_channel_shuffle(int64_t groups) { return shuffle_new(&channel_shuffle_type, groups); }

/* ---- Upsample family ---- */

typedef struct {
    ct_module base;
    ct_interpolate_options o;
} upsample_module;

static ct_tensor *upsample_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_interpolate_opts(in[0], &((upsample_module *)self)->o);
}

static int upsample_repr(const ct_module *self, char *buf, size_t len) {
    static const char *const modes[] = {"nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"};
    const ct_interpolate_options *o = &((const upsample_module *)self)->o;
    size_t u = 0;
    int ns = 0, nf = 0;
    while (ns < 3 && o->size[ns]) ns++;
    while (nf < 3 && o->scale_factor[nf] != 0) nf++;
    char f[64];
    if (nf) {
        u += (size_t)snprintf(buf, len, "scale_factor=%s", nf > 1 ? "(" : "");
        for (int i = 0; i < nf && u < len; i++)
            u += (size_t)snprintf(buf + u, len - u, "%s%s", i ? ", " : "", ct__misc_py_float(f, sizeof f, o->scale_factor[i]));
        if (nf > 1 && u < len) u += (size_t)snprintf(buf + u, len - u, ")");
    } else {
        u += (size_t)snprintf(buf, len, "size=%s", ns > 1 ? "(" : "");
        for (int i = 0; i < ns && u < len; i++)
            u += (size_t)snprintf(buf + u, len - u, "%s%" PRId64, i ? ", " : "", o->size[i]);
        if (ns > 1 && u < len) u += (size_t)snprintf(buf + u, len - u, ")");
    }
    if (u < len) u += (size_t)snprintf(buf + u, len - u, ", mode=%s", modes[o->mode]);
    return (int)u;
}

static const ct_module_type upsample_type = {
    .name = "Upsample", .size = sizeof(upsample_module), .forward = upsample_forward, .extra_repr = upsample_repr};
static const ct_module_type upsampling_nearest_type = {.name = "UpsamplingNearest2d",
                                                       .size = sizeof(upsample_module),
                                                       .forward = upsample_forward,
                                                       .extra_repr = upsample_repr};
static const ct_module_type upsampling_bilinear_type = {.name = "UpsamplingBilinear2d",
                                                        .size = sizeof(upsample_module),
                                                        .forward = upsample_forward,
                                                        .extra_repr = upsample_repr};

static ct_module *upsample_new(const ct_module_type *t, const ct_interpolate_options *o) {
    upsample_module *u = (upsample_module *)ct_module_new(t);
    if (u && o) u->o = *o;
    return u ? &u->base : NULL;
}
ct_module *ct_nn_upsample_opts(const ct_interpolate_options *o) { return upsample_new(&upsample_type, o); }
ct_module *ct_nn_upsampling_nearest2d_opts(const ct_interpolate_options *o) {
    ct_interpolate_options c = {0};
    if (o) memcpy(c.size, o->size, sizeof c.size), memcpy(c.scale_factor, o->scale_factor, sizeof c.scale_factor);
    c.mode = CT_INTERP_NEAREST;
    return upsample_new(&upsampling_nearest_type, &c);
}
ct_module *ct_nn_upsampling_bilinear2d_opts(const ct_interpolate_options *o) {
    ct_interpolate_options c = {0};
    if (o) memcpy(c.size, o->size, sizeof c.size), memcpy(c.scale_factor, o->scale_factor, sizeof c.scale_factor);
    c.mode = CT_INTERP_BILINEAR;
    c.align_corners = true;
    return upsample_new(&upsampling_bilinear_type, &c);
}

/* ---- Bilinear ---- */

/* y = ((x1 (rows, in1) @ W.permute(1, 0, 2).reshape(in1, out*in2)).view(rows, out, in2) * x2[:, None, :]).sum(-1) + b */
ct_tensor *ct_bilinear(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *weight, const ct_tensor *bias) {
    if (!x1 || !x2 || !weight) return NULL;
    if (weight->ndim != 3 || x1->ndim < 1 || x2->ndim != x1->ndim || x1->sizes[x1->ndim - 1] != weight->sizes[1] ||
        x2->sizes[x2->ndim - 1] != weight->sizes[2]) {
        ct__error("bilinear(): input and weight shapes do not match");
        return NULL;
    }
    for (int d = 0; d + 1 < x1->ndim; d++)
        if (x1->sizes[d] != x2->sizes[d]) {
            ct__error("bilinear(): input batch dimensions do not match: got %" PRId64 " and %" PRId64, x1->sizes[d],
                      x2->sizes[d]);
            return NULL;
        }
    int64_t in1 = weight->sizes[1], in2 = weight->sizes[2], out = weight->sizes[0];
    ct_tensor *a = ct_reshape(x1, CT_SIZE(-1, in1));
    ct_tensor *b = ct_reshape(x2, CT_SIZE(-1, 1, in2));
    ct_tensor *wp = ct_permute(weight, CT_SIZE(1, 0, 2));
    ct_tensor *wr = wp ? ct_reshape(wp, CT_SIZE(in1, out * in2)) : NULL;
    ct_tensor *m = a && wr ? ct_mm(a, wr) : NULL;
    ct_tensor *mv = m ? ct_reshape(m, CT_SIZE(-1, out, in2)) : NULL;
    ct_tensor *pr = mv && b ? ct_mul(mv, b) : NULL;
    ct_tensor *s = pr ? ct_sum_dim(pr, CT_SIZE(-1), false) : NULL;
    ct_tensor *sb = s && bias ? ct_add(s, bias) : (s ? ct_ref(s) : NULL);
    int64_t shape[CT_MAX_DIMS];
    memcpy(shape, x1->sizes, (size_t)x1->ndim * sizeof *shape);
    shape[x1->ndim - 1] = out;
    ct_tensor *y = sb ? ct_reshape(sb, x1->ndim, shape) : NULL;
    ct_tensor *tmp[] = {a, b, wp, wr, m, mv, pr, s, sb};
    for (int i = 0; i < 9; i++) ct_free(tmp[i]);
    return y;
}

typedef struct {
    ct_module base;
    int64_t in1, in2, out;
    bool bias;
} bilinear_module;

static ct_tensor *bilinear_forward(ct_module *self, int n, ct_tensor *const *in) {
    if (n < 2) {
        ct__error("forward() missing 1 required positional argument: 'input2'");
        return NULL;
    }
    return ct_bilinear(in[0], in[1], ct_module_get_parameter(self, "weight"), ct_module_get_parameter(self, "bias"));
}
static int bilinear_repr(const ct_module *self, char *buf, size_t len) {
    const bilinear_module *b = (const bilinear_module *)self;
    return snprintf(buf, len, "in1_features=%" PRId64 ", in2_features=%" PRId64 ", out_features=%" PRId64 ", bias=%s",
                    b->in1, b->in2, b->out, b->bias ? "True" : "False");
}
static const ct_module_type bilinear_type = {
    .name = "Bilinear", .size = sizeof(bilinear_module), .forward = bilinear_forward, .extra_repr = bilinear_repr};

ct_module *ct_nn_bilinear_opts(int64_t in1, int64_t in2, int64_t out, const ct_linear_opts *opts) {
    if (in1 < 0 || in2 < 0 || out < 0) {
        ct__error("Trying to create tensor with negative dimension");
        return NULL;
    }
    ct_dtype dt = opts && opts->dtype ? opts->dtype : ct_get_default_dtype();
    bilinear_module *b = (bilinear_module *)ct_module_new(&bilinear_type);
    if (!b) return NULL;
    b->in1 = in1, b->in2 = in2, b->out = out, b->bias = !(opts && opts->no_bias);
    double bound = in1 > 0 ? 1 / sqrt((double)in1) : 0;
    ct_tensor *w = ct_module_register_parameter(&b->base, "weight", ct_empty(CT_SIZE(out, in1, in2), CT_OPTS(.dtype = dt)));
    if (!w || ct_init_uniform_(w, -bound, bound, NULL) != CT_OK) goto fail;
    if (b->bias) {
        ct_tensor *bb = ct_module_register_parameter(&b->base, "bias", ct_empty(CT_SIZE(out), CT_OPTS(.dtype = dt)));
        if (!bb || ct_init_uniform_(bb, -bound, bound, NULL) != CT_OK) goto fail;
    } else if (!ct_module_register_parameter(&b->base, "bias", NULL) && ct_last_error()) {
        /* registering None cannot fail on a fresh module */
    }
    return &b->base;
fail:
    ct_module_free(&b->base);
    return NULL;
}

/* LazyLinear and the other Lazy* modules: src/nn/lazy.c */
