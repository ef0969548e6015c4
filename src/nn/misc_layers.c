/* nn.PixelShuffle, PixelUnshuffle, ChannelShuffle, Upsample,
 * UpsamplingNearest2d, UpsamplingBilinear2d, Bilinear, LazyLinear. */
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

/* ---- LazyLinear ----
 * nn.LazyLinear(out_features): weight and bias are placeholders (empty (0,)
 * tensors standing for PyTorch's UninitializedParameter) until the first
 * forward, which reads in_features from the input's last dim, materializes
 * both with Linear's reset_parameters (draw for draw) and turns the module
 * into a Linear (PyTorch's cls_to_become): its type name and repr become
 * Linear's. */
typedef struct {
    ct_module base;
    int64_t in_features, out_features;
    bool has_bias;
    ct_dtype dtype; /* 0: the default dtype at materialization */
} lazy_linear_module;

static int lazy_linear_repr(const ct_module *self, char *buf, size_t len) {
    const lazy_linear_module *l = (const lazy_linear_module *)self;
    return snprintf(buf, len, "in_features=%" PRId64 ", out_features=%" PRId64 ", bias=%s", l->in_features,
                    l->out_features, l->has_bias ? "True" : "False");
}

static ct_tensor *lazy_linear_forward(ct_module *self, int n, ct_tensor *const *in);

static const ct_module_type lazy_linear_type = {.name = "LazyLinear",
                                                .size = sizeof(lazy_linear_module),
                                                .forward = lazy_linear_forward,
                                                .extra_repr = lazy_linear_repr};
/* what a LazyLinear becomes: PyTorch's Linear, same text, same forward */
static const ct_module_type lazy_became_linear_type = {.name = "Linear",
                                                       .size = sizeof(lazy_linear_module),
                                                       .forward = lazy_linear_forward,
                                                       .extra_repr = lazy_linear_repr};

static int lazy_linear_materialize(lazy_linear_module *l, const ct_tensor *x) {
    if (x->ndim == 0) {
        ct__error("tuple index out of range"); /* input.shape[-1] of a 0-dim tensor */
        return CT_ERROR;
    }
    int64_t in = x->sizes[x->ndim - 1];
    ct_dtype dt = l->dtype ? l->dtype : ct_get_default_dtype();
    int rc = CT_ERROR;
    CT_NO_GRAD {
        ct_tensor *w = ct_empty(CT_SIZE(l->out_features, in), CT_OPTS(.dtype = dt));
        ct_tensor *b = l->has_bias ? ct_empty(CT_SIZE(l->out_features), CT_OPTS(.dtype = dt)) : NULL;
        if (w && (b || !l->has_bias)) {
            /* set_parameter keeps the registered handles (consumes w and b) */
            rc = ct_module_set_parameter(&l->base, "weight", w);
            w = NULL;
            if (rc == CT_OK && b) rc = ct_module_set_parameter(&l->base, "bias", b);
            b = NULL;
        }
        ct_free(w), ct_free(b);
        ct_tensor *wp = ct_module_get_parameter(&l->base, "weight"), *bp = ct_module_get_parameter(&l->base, "bias");
        if (rc == CT_OK) rc = ct_init_kaiming_uniform_(wp, sqrt(5.0), CT_FAN_IN, "leaky_relu", NULL);
        if (rc == CT_OK && bp) {
            double bound = in > 0 ? 1 / sqrt((double)in) : 0;
            rc = ct_init_uniform_(bp, -bound, bound, NULL);
        }
    }
    if (rc != CT_OK) return rc;
    l->in_features = in;
    l->base.type = &lazy_became_linear_type;
    return CT_OK;
}

static ct_tensor *lazy_linear_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    lazy_linear_module *l = (lazy_linear_module *)self;
    if (self->type == &lazy_linear_type && lazy_linear_materialize(l, in[0]) != CT_OK) return NULL;
    return ct_linear(in[0], ct_module_get_parameter(self, "weight"), ct_module_get_parameter(self, "bias"));
}

ct_module *ct_nn_lazy_linear_opts(int64_t out_features, const ct_linear_opts *opts) {
    if (out_features < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 ", 0]", out_features,
                  out_features);
        return NULL;
    }
    ct__warn("Lazy modules are a new feature under heavy development so changes to the API or functionality can "
             "happen at any moment.");
    lazy_linear_module *l = (lazy_linear_module *)ct_module_new(&lazy_linear_type);
    if (!l) return NULL;
    l->out_features = out_features;
    l->has_bias = !(opts && opts->no_bias);
    l->dtype = opts ? opts->dtype : 0;
    ct_dtype dt = l->dtype ? l->dtype : ct_get_default_dtype();
    if (!ct_module_register_parameter(&l->base, "weight", ct_empty(CT_SIZE(0), CT_OPTS(.dtype = dt)))) goto fail;
    if (l->has_bias) {
        if (!ct_module_register_parameter(&l->base, "bias", ct_empty(CT_SIZE(0), CT_OPTS(.dtype = dt)))) goto fail;
    } else {
        (void)ct_module_register_parameter(&l->base, "bias", NULL); /* None */
    }
    return &l->base;
fail:
    ct_module_free(&l->base);
    return NULL;
}
