/* nn.Conv1d/2d/3d, nn.ConvTranspose1d/2d/3d, nn.Unfold, nn.Fold. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_conv.h"
#include "ctorch/nn_init.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

enum { PM_ZEROS = 0, PM_REFLECT, PM_REPLICATE, PM_CIRCULAR };
static const char *const pm_names[] = {"zeros", "reflect", "replicate", "circular"};

typedef struct {
    ct_module base;
    int nsp;
    bool transposed;
    int64_t in_ch, out_ch, groups;
    int64_t k[3], stride[3], pad[3], dil[3], opad[3];
    const char *padding_str; /* "same" / "valid" or NULL */
    int padding_mode;
    int64_t rev_pad[6]; /* _reversed_padding_repeated_twice */
    ct_tensor *weight, *bias; /* borrowed from the registry */
} conv_module;

/* Python's tuple repr: "(5, 5)" / "(3,)" */
static size_t put_tuple(char *buf, size_t len, size_t used, int n, const int64_t *v) {
    used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "(");
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%" PRId64, i ? ", " : "", v[i]);
    used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s)", n == 1 ? "," : "");
    return used;
}

static bool all_eq(int n, const int64_t *v, int64_t x) {
    for (int i = 0; i < n; i++)
        if (v[i] != x) return false;
    return true;
}

#define PUT(...) used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__)

static int conv_repr(const ct_module *self, char *buf, size_t len) {
    const conv_module *c = (const conv_module *)self;
    size_t used = 0;
    PUT("%" PRId64 ", %" PRId64 ", kernel_size=", c->in_ch, c->out_ch);
    used = put_tuple(buf, len, used, c->nsp, c->k);
    PUT(", stride=");
    used = put_tuple(buf, len, used, c->nsp, c->stride);
    if (c->padding_str) {
        PUT(", padding=%s", c->padding_str);
    } else if (!all_eq(c->nsp, c->pad, 0)) {
        PUT(", padding=");
        used = put_tuple(buf, len, used, c->nsp, c->pad);
    }
    if (!all_eq(c->nsp, c->dil, 1)) {
        PUT(", dilation=");
        used = put_tuple(buf, len, used, c->nsp, c->dil);
    }
    if (!all_eq(c->nsp, c->opad, 0)) {
        PUT(", output_padding=");
        used = put_tuple(buf, len, used, c->nsp, c->opad);
    }
    if (c->groups != 1) PUT(", groups=%" PRId64, c->groups);
    if (!c->bias) PUT(", bias=False");
    if (c->padding_mode != PM_ZEROS) PUT(", padding_mode=%s", pm_names[c->padding_mode]);
    return (int)used;
}

static ct_conv_opts call_opts(const conv_module *c, bool zero_padding) {
    ct_conv_opts o = {.groups = c->groups};
    for (int d = 0; d < c->nsp; d++) {
        o.stride_nd[d] = c->stride[d];
        o.dilation_nd[d] = c->dil[d];
        o.padding_nd[d] = zero_padding ? 0 : c->pad[d];
        o.output_padding_nd[d] = c->opad[d];
    }
    if (!zero_padding) o.padding_str = c->padding_str;
    return o;
}

static ct_tensor *conv_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    conv_module *c = (conv_module *)self;
    static ct_tensor *(*const fwd[3])(const ct_tensor *, const ct_tensor *, const ct_tensor *,
                                      const ct_conv_opts *) = {ct_conv1d_opts, ct_conv2d_opts, ct_conv3d_opts};
    static ct_tensor *(*const tr[3])(const ct_tensor *, const ct_tensor *, const ct_tensor *,
                                     const ct_conv_opts *) = {ct_conv_transpose1d_opts, ct_conv_transpose2d_opts,
                                                              ct_conv_transpose3d_opts};
    if (c->transposed) {
        ct_conv_opts o = call_opts(c, false);
        return tr[c->nsp - 1](in[0], c->weight, c->bias, &o);
    }
    if (c->padding_mode == PM_ZEROS) {
        ct_conv_opts o = call_opts(c, false);
        return fwd[c->nsp - 1](in[0], c->weight, c->bias, &o);
    }
    ct_tensor *xp = ct_pad(in[0], 2 * c->nsp, c->rev_pad, pm_names[c->padding_mode], 0);
    ct_conv_opts o = call_opts(c, true);
    ct_tensor *y = xp ? fwd[c->nsp - 1](xp, c->weight, c->bias, &o) : NULL;
    ct_free(xp);
    return y;
}

static const char *const conv_names[2][3] = {{"Conv1d", "Conv2d", "Conv3d"},
                                             {"ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"}};
#define CONV_TYPE(nm) {.name = nm, .size = sizeof(conv_module), .forward = conv_forward, .extra_repr = conv_repr}
static const ct_module_type conv_types[2][3] = {
    {CONV_TYPE("Conv1d"), CONV_TYPE("Conv2d"), CONV_TYPE("Conv3d")},
    {CONV_TYPE("ConvTranspose1d"), CONV_TYPE("ConvTranspose2d"), CONV_TYPE("ConvTranspose3d")}};

static void pick(int nsp, const int64_t *nd, int64_t scalar, int64_t dflt, int64_t *out) {
    bool any = false;
    for (int d = 0; d < nsp; d++) any |= nd[d] != 0;
    for (int d = 0; d < nsp; d++) out[d] = any ? nd[d] : (scalar ? scalar : dflt);
}

static ct_module *make_conv(int nsp, bool transposed, int64_t in_ch, int64_t out_ch, int64_t kernel_size,
                            const ct_conv_opts *o, bool init) {
    static const ct_conv_opts none;
    if (!o) o = &none;
    int64_t groups = o->groups ? o->groups : 1;
    if (groups <= 0) {
        ct__error("groups must be a positive integer");
        return NULL;
    }
    if (in_ch % groups) {
        ct__error("in_channels must be divisible by groups");
        return NULL;
    }
    if (out_ch % groups) {
        ct__error("out_channels must be divisible by groups");
        return NULL;
    }
    int pm = PM_ZEROS;
    if (o->padding_mode) {
        for (pm = 0; pm < 4 && strcmp(o->padding_mode, pm_names[pm]); pm++) {
        }
        if (pm == 4) {
            ct__error("padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got "
                      "padding_mode='%s'",
                      o->padding_mode);
            return NULL;
        }
    }
    if (transposed && pm != PM_ZEROS) {
        ct__error("Only \"zeros\" padding mode is supported for %s", conv_names[1][nsp - 1]);
        return NULL;
    }
    conv_module tmp = {.nsp = nsp, .transposed = transposed, .in_ch = in_ch, .out_ch = out_ch, .groups = groups,
                       .padding_mode = pm};
    pick(nsp, o->kernel_nd, kernel_size, 1, tmp.k);
    pick(nsp, o->stride_nd, o->stride, 1, tmp.stride);
    pick(nsp, o->padding_nd, o->padding, 0, tmp.pad);
    pick(nsp, o->dilation_nd, o->dilation, 1, tmp.dil);
    pick(nsp, o->output_padding_nd, o->output_padding, 0, tmp.opad);
    if (o->padding_str) {
        if (strcmp(o->padding_str, "same") && strcmp(o->padding_str, "valid")) {
            ct__error("Invalid padding string '%s', should be one of {'valid', 'same'}", o->padding_str);
            return NULL;
        }
        tmp.padding_str = !strcmp(o->padding_str, "same") ? "same" : "valid";
        if (tmp.padding_str[0] == 's' && !all_eq(nsp, tmp.stride, 1)) {
            ct__error("padding='same' is not supported for strided convolutions");
            return NULL;
        }
        memset(tmp.pad, 0, sizeof tmp.pad);
    }
    /* _reversed_padding_repeated_twice: last dim first, (left, right) */
    for (int d = 0; d < nsp; d++) {
        int j = nsp - 1 - d;
        if (tmp.padding_str && tmp.padding_str[0] == 's') {
            int64_t total = tmp.dil[d] * (tmp.k[d] - 1), left = total / 2;
            tmp.rev_pad[2 * j] = left;
            tmp.rev_pad[2 * j + 1] = total - left;
        } else {
            tmp.rev_pad[2 * j] = tmp.rev_pad[2 * j + 1] = tmp.pad[d];
        }
    }
    ct_dtype dtype = o->dtype ? o->dtype : ct_get_default_dtype();
    int64_t wshape[5];
    wshape[0] = transposed ? in_ch : out_ch;
    wshape[1] = transposed ? out_ch / groups : in_ch / groups;
    for (int d = 0; d < nsp; d++) wshape[2 + d] = tmp.k[d];
    for (int d = 0; d < nsp + 2; d++)
        if (wshape[d] < 0) {
            char s[160];
            ct__error("Trying to create tensor with negative dimension %" PRId64 ": %s", wshape[d],
                      ct__format_shape(s, sizeof s, nsp + 2, wshape));
            return NULL;
        }
    conv_module *c = (conv_module *)ct_module_new(&conv_types[transposed][nsp - 1]);
    if (!c) return NULL;
    tmp.base = c->base;
    *c = tmp;
    c->weight = ct_module_register_parameter(&c->base, "weight", ct_empty(nsp + 2, wshape, CT_OPTS(.dtype = dtype)));
    if (!c->weight) goto fail;
    if (!o->no_bias) {
        c->bias = ct_module_register_parameter(&c->base, "bias", ct_empty(CT_SIZE(out_ch), CT_OPTS(.dtype = dtype)));
        if (!c->bias) goto fail;
    } else {
        (void)ct_module_register_parameter(&c->base, "bias", NULL);
    }
    /* reset_parameters() */
    if (!init) return &c->base;
    if (ct_init_kaiming_uniform_(c->weight, sqrt(5.0), CT_FAN_IN, "leaky_relu", NULL) != CT_OK) goto fail;
    if (c->bias) {
        int64_t fan_in = wshape[1];
        for (int d = 0; d < nsp; d++) fan_in *= tmp.k[d];
        if (fan_in != 0) {
            double bound = 1 / sqrt((double)fan_in);
            if (ct_init_uniform_(c->bias, -bound, bound, NULL) != CT_OK) goto fail;
        }
    }
    return &c->base;
fail:
    ct_module_free(&c->base);
    return NULL;
}

ct_module *ct_nn_conv1d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(1, false, i, o, k, opts, true);
}
ct_module *ct_nn_conv2d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(2, false, i, o, k, opts, true);
}
ct_module *ct_nn_conv3d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(3, false, i, o, k, opts, true);
}
ct_module *ct_nn_conv_transpose1d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(1, true, i, o, k, opts, true);
}
ct_module *ct_nn_conv_transpose2d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(2, true, i, o, k, opts, true);
}
ct_module *ct_nn_conv_transpose3d_opts(int64_t i, int64_t o, int64_t k, const ct_conv_opts *opts) {
    return make_conv(3, true, i, o, k, opts, true);
}

/* For src/nn/lazy.c (LazyConv*): a Conv module without reset_parameters()
 * (init false), and re-reading the weight / bias handles after the lazy
 * module swapped them in the registry. */
ct_module *ct__conv_new(int nsp, bool transposed, int64_t in_ch, int64_t out_ch, int64_t kernel_size,
                        const ct_conv_opts *o, bool init) {
    return make_conv(nsp, transposed, in_ch, out_ch, kernel_size, o, init);
}
void ct__conv_rebind(ct_module *m) {
    conv_module *c = (conv_module *)m;
    c->weight = ct_module_get_parameter(m, "weight");
    c->bias = ct_module_get_parameter(m, "bias");
}

/* ---- Unfold / Fold ---- */

typedef struct {
    ct_module base;
    bool fold;
    int64_t out_size[2];
    ct_conv_opts opts;
    int64_t kernel_size;
} fold_module;

/* an int argument prints as the int, a tuple as the tuple */
static size_t put_arg(char *buf, size_t len, size_t used, const char *name, const int64_t *nd, int64_t scalar,
                      int64_t dflt) {
    PUT(", %s=", name);
    if (nd[0] || nd[1]) return put_tuple(buf, len, used, 2, nd);
    PUT("%" PRId64, scalar ? scalar : dflt);
    return used;
}

static int fold_repr(const ct_module *self, char *buf, size_t len) {
    const fold_module *f = (const fold_module *)self;
    size_t used = 0;
    if (f->fold) {
        PUT("output_size=");
        used = put_tuple(buf, len, used, 2, f->out_size);
        PUT(", kernel_size=");
    } else {
        PUT("kernel_size=");
    }
    if (f->opts.kernel_nd[0] || f->opts.kernel_nd[1])
        used = put_tuple(buf, len, used, 2, f->opts.kernel_nd);
    else
        PUT("%" PRId64, f->kernel_size);
    used = put_arg(buf, len, used, "dilation", f->opts.dilation_nd, f->opts.dilation, 1);
    used = put_arg(buf, len, used, "padding", f->opts.padding_nd, f->opts.padding, 0);
    used = put_arg(buf, len, used, "stride", f->opts.stride_nd, f->opts.stride, 1);
    return (int)used;
}

static ct_tensor *fold_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    fold_module *f = (fold_module *)self;
    if (f->fold) return ct_col2im_opts(in[0], f->out_size[0], f->out_size[1], f->kernel_size, &f->opts);
    return ct_im2col_opts(in[0], f->kernel_size, &f->opts);
}

static const ct_module_type unfold_type = {
    .name = "Unfold", .size = sizeof(fold_module), .forward = fold_forward, .extra_repr = fold_repr};
static const ct_module_type fold_type = {
    .name = "Fold", .size = sizeof(fold_module), .forward = fold_forward, .extra_repr = fold_repr};

static ct_module *make_fold(bool fold, int64_t oh, int64_t ow, int64_t k, const ct_conv_opts *o) {
    fold_module *f = (fold_module *)ct_module_new(fold ? &fold_type : &unfold_type);
    if (!f) return NULL;
    f->fold = fold;
    f->out_size[0] = oh;
    f->out_size[1] = ow;
    f->kernel_size = k;
    if (o) f->opts = *o;
    return &f->base;
}

ct_module *ct_nn_unfold_opts(int64_t k, const ct_conv_opts *o) { return make_fold(false, 0, 0, k, o); }
ct_module *ct_nn_fold_opts(int64_t oh, int64_t ow, int64_t k, const ct_conv_opts *o) {
    return make_fold(true, oh, ow, k, o);
}
