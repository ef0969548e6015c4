/* F.pad: constant (negative amounts crop), reflect, replicate, circular,
 * with backward. Every mode is an index map per dim (kernels/cpu/pad.h);
 * the backward is the map's scatter-add, whose own backward is the gather
 * again, so double backward works. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_conv.h"
#include "kernels/cpu/pad.h"
#include "ops/op_util.h"

enum { PAD_CONSTANT = 0, PAD_REFLECT, PAD_REPLICATE, PAD_CIRCULAR };

/* pads[d] (left, right) per dim of x (0 for unpadded dims) */
typedef struct pad_spec {
    int mode;
    int ndim, np; /* np: padded trailing dims */
    int64_t in[CT_MAX_DIMS], out[CT_MAX_DIMS], lo[CT_MAX_DIMS];
} pad_spec;

static int64_t source(int mode, int64_t o, int64_t lo, int64_t n) {
    int64_t i = o - lo;
    if (i >= 0 && i < n) return i;
    switch (mode) {
    case PAD_REFLECT:
        if (i < 0) i = -i;
        if (i >= n) i = 2 * (n - 1) - i;
        return i;
    case PAD_REPLICATE: return i < 0 ? 0 : n - 1;
    case PAD_CIRCULAR: return ((i % n) + n) % n;
    default: return -1;
    }
}

/* maps[d] for every dim; one malloc'd block (free maps[0]'s block via *block) */
static int64_t **make_maps(const pad_spec *s, int64_t **block) {
    int64_t total = 0;
    for (int d = 0; d < s->ndim; d++) total += s->out[d];
    int64_t **maps = malloc(sizeof(int64_t *) * (size_t)(s->ndim ? s->ndim : 1));
    int64_t *b = malloc(sizeof(int64_t) * (size_t)(total + 1));
    if (!maps || !b) {
        free(maps), free(b);
        ct__error_oom(total * 8);
        return NULL;
    }
    int64_t *p = b;
    for (int d = 0; d < s->ndim; d++) {
        maps[d] = p;
        for (int64_t o = 0; o < s->out[d]; o++) p[o] = source(s->mode, o, s->lo[d], s->in[d]);
        p += s->out[d];
    }
    *block = b;
    return maps;
}

static const char *node_name(const pad_spec *s, bool forward) {
    static const char *const fw[4][3] = {
        {"ConstantPadNdBackward0", "ConstantPadNdBackward0", "ConstantPadNdBackward0"},
        {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"},
        {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0", "ReplicationPad3DBackward0"},
        {"CopySlices", "CopySlices", "CopySlices"}};
    static const char *const bw[4] = {"ConstantPadNdBackwardBackward0", "ReflectionPadBackwardBackward0",
                                      "ReplicationPadBackwardBackward0", "CircularPadBackwardBackward0"};
    int k = s->np > 3 ? 2 : (s->np < 1 ? 0 : s->np - 1);
    return forward ? fw[s->mode][k] : bw[s->mode];
}

static ct_tensor *pad_core(bool forward, const ct_tensor *t, const pad_spec *s, const char *name);

static void spec_to_node(ct_node *n, const pad_spec *s) {
    n->ints[0] = s->mode;
    n->ints[CT_MAX_DIMS + 1] = s->np;
    n->ndim_arg = s->ndim;
    for (int d = 0; d < s->ndim; d++) {
        n->shape_arg[d] = s->in[d];
        n->shape_arg2[d] = s->lo[d];
        n->ints[1 + d] = s->out[d];
    }
}

static void spec_from_node(const ct_node *n, pad_spec *s) {
    s->mode = (int)n->ints[0];
    s->np = (int)n->ints[CT_MAX_DIMS + 1];
    s->ndim = n->ndim_arg;
    for (int d = 0; d < s->ndim; d++) {
        s->in[d] = n->shape_arg[d];
        s->lo[d] = n->shape_arg2[d];
        s->out[d] = n->ints[1 + d];
    }
}

static int pad_backward(ct_node *n, ct_tensor *const *grads, ct_tensor **out) {
    pad_spec s;
    spec_from_node(n, &s);
    bool forward = n->scalars[0] != 0;
    if (n->next[0].fn && !(out[0] = pad_core(!forward, grads[0], &s, node_name(&s, !forward)))) return CT_ERROR;
    return CT_OK;
}

/* forward: x (in) -> (out) gather, filling `value` (scalars[1]) for -1;
 * backward form: g (out) -> (in) scatter-add. */
static ct_tensor *pad_core_value(bool forward, const ct_tensor *t, const pad_spec *s, const char *name,
                                 double value) {
    int64_t block_dummy = 0, *block = &block_dummy;
    int64_t **maps = make_maps(s, &block);
    if (!maps) return NULL;
    ct_tensor *out = ct__empty(t->dtype, s->ndim, forward ? s->out : s->in);
    ct_tensor *src = NULL;
    if (!out) goto fail;
    if (forward) {
        bool has_fill = false;
        for (int d = 0; d < s->ndim; d++)
            for (int64_t o = 0; o < s->out[d]; o++) has_fill |= maps[d][o] < 0;
        if (has_fill && ct__fill_(out, value) != CT_OK) goto fail;
        if (ct__numel(out) && ct__numel(t))
            ct__pad_gather(t->dtype, s->ndim, s->out, (const int64_t *const *)maps, ct__data(t), t->strides,
                           ct__data(out));
    } else {
        if (ct__fill_(out, 0) != CT_OK) goto fail;
        src = ct__is_contiguous(t) ? ct__retain(t) : ct__clone(t);
        if (!src) goto fail;
        if (ct__numel(src) && ct__numel(out))
            ct__pad_scatter_add(t->dtype, s->ndim, s->out, (const int64_t *const *)maps, ct__data(src), out->strides,
                                ct__data(out));
    }
    ct_free(src);
    free(maps), free(block);
    if (ct__any_requires_grad(1, &t)) {
        ct_node *n = ct__record(name, pad_backward, out, 1, &t);
        if (!n) {
            ct_free(out);
            return NULL;
        }
        spec_to_node(n, s);
        n->scalars[0] = forward;
    }
    return out;
fail:
    ct_free(out), ct_free(src);
    free(maps), free(block);
    return NULL;
}

static ct_tensor *pad_core(bool forward, const ct_tensor *t, const pad_spec *s, const char *name) {
    return pad_core_value(forward, t, s, name, 0.0);
}

static bool check_reflect(const ct_tensor *x, const pad_spec *s, int np) {
    /* PyTorch checks width, then height, then depth: "Argument #4/#6/#8" */
    for (int j = 0; j < np; j++) {
        int d = x->ndim - 1 - j;
        int64_t l = s->lo[d], r = s->out[d] - s->in[d] - s->lo[d];
        if (l >= s->in[d] || r >= s->in[d]) {
            char shp[160];
            if (np == 2)
                snprintf(shp, sizeof shp, "%d", x->ndim);
            else
                ct__format_shape(shp, sizeof shp, x->ndim, x->sizes);
            ct__error("Argument #%d: Padding size should be less than the corresponding input dimension, but got: "
                      "padding (%" PRId64 ", %" PRId64 ") at dimension %d of input %s",
                      4 + 2 * j, l, r, d, shp);
            return false;
        }
    }
    return true;
}

ct_tensor *ct_pad(const ct_tensor *x, int npad, const int64_t *pad, const char *mode_str, double value) {
    if (!x || (npad && !pad)) return NULL;
    int mode;
    if (!mode_str || !strcmp(mode_str, "constant"))
        mode = PAD_CONSTANT;
    else if (!strcmp(mode_str, "reflect"))
        mode = PAD_REFLECT;
    else if (!strcmp(mode_str, "replicate"))
        mode = PAD_REPLICATE;
    else if (!strcmp(mode_str, "circular"))
        mode = PAD_CIRCULAR;
    else {
        ct__error("Unrecognised padding mode %s", mode_str);
        return NULL;
    }
    if (npad % 2) {
        ct__error("Padding length must be divisible by 2");
        return NULL;
    }
    if (npad > 2 * x->ndim) {
        ct__error("Padding length too large");
        return NULL;
    }
    pad_spec s = {.mode = mode, .ndim = x->ndim, .np = npad / 2};
    for (int d = 0; d < x->ndim; d++) s.in[d] = s.out[d] = x->sizes[d];
    int np = npad / 2;
    for (int j = 0; j < np; j++) {
        int d = x->ndim - 1 - j;
        s.lo[d] = pad[2 * j];
        s.out[d] = x->sizes[d] + pad[2 * j] + pad[2 * j + 1];
    }
    if (mode == PAD_CONSTANT) {
        for (int j = 0; j < np; j++) {
            int d = x->ndim - 1 - j;
            if (s.out[d] < 0) {
                ct__error("The input size %" PRId64 ", plus negative padding %" PRId64 " and %" PRId64
                          " resulted in a negative output size, which is invalid. Check dimension %d of your input.",
                          x->sizes[d], pad[2 * j], pad[2 * j + 1], d);
                return NULL;
            }
        }
        return pad_core_value(true, x, &s, "ConstantPadNdBackward0", value);
    }
    if (value != 0) {
        ct__error("Padding mode \"%s\" doesn't take in value argument", mode_str);
        return NULL;
    }
    if (!(np >= 1 && np <= 3 && (x->ndim == np + 1 || x->ndim == np + 2))) {
        ct__error("Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
        return NULL;
    }
    if (mode == PAD_CIRCULAR && x->ndim != np + 2) {
        /* _pad_circular wants (N, C, *) */
        ct__error("Invalid padding size, expected %d but got %d", 2 * (x->ndim - 2), npad);
        return NULL;
    }
    if (x->dtype != CT_FLOAT32 && x->dtype != CT_FLOAT64 && mode != PAD_CIRCULAR) {
        ct__error("\"%s_pad%dd%s\" not implemented for '%s'", mode == PAD_REFLECT ? "reflection" : "replication", np,
                  mode == PAD_REPLICATE ? "_cpu" : "", ct__traits(x->dtype)->scalar_name);
        return NULL;
    }
    /* the non-batch dims other than the padded ones must be non-empty */
    for (int d = x->ndim == np + 2 ? 1 : 0; d < x->ndim; d++) {
        if (x->sizes[d] == 0) {
            char shp[160];
            ct__format_shape(shp, sizeof shp, x->ndim, x->sizes);
            ct__error("Expected %dD or %dD (batch mode) tensor with possibly 0 batch size and other non-zero dimensions "
                      "for input, but got: %s",
                      np + 1, np + 2, shp);
            return NULL;
        }
    }
    if (mode == PAD_REFLECT && !check_reflect(x, &s, np)) return NULL;
    for (int j = 0; j < np; j++) {
        int d = x->ndim - 1 - j;
        int64_t l = pad[2 * j], r = pad[2 * j + 1];
        if (mode == PAD_CIRCULAR && (l > x->sizes[d] || r > x->sizes[d])) {
            ct__error("Padding value causes wrapping around more than once.");
            return NULL;
        }
        if (mode == PAD_REPLICATE && (np == 1 ? s.out[d] < 1 : s.out[d] < 0)) {
            static const char *const nm[3] = {"W", "H", "D"};
            ct__error("input (%s: %" PRId64 ") is too small. Calculated output %s: %" PRId64, nm[j], x->sizes[d], nm[j],
                      s.out[d]);
            return NULL;
        }
    }
    return pad_core(true, x, &s, node_name(&s, true));
}
