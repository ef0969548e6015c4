/* nn.ReflectionPad1d/2d/3d, nn.ReplicationPad1d/2d/3d, nn.ConstantPad1d/2d/3d,
 * nn.ZeroPad2d: F.pad with a fixed padding. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_conv.h"
#include "nn/module_impl.h"

typedef struct {
    ct_module base;
    int npad;
    int64_t pad[6];
    const char *mode;
    double value;
    bool show_value; /* ConstantPadNd's repr: "padding=(...), value=..." */
} pad_module;

/* Python's repr of a float: the shortest text that reads back the same,
 * with ".0" for integral values ("0.0", "3.5", "-1.0", "1e-05", "inf"). */
static void py_float(char *buf, size_t len, double v) {
    if (v != v) {
        snprintf(buf, len, "nan");
        return;
    }
    if (v == 1.0 / 0.0 || v == -1.0 / 0.0) {
        snprintf(buf, len, "%sinf", v < 0 ? "-" : "");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    char *e = strchr(buf, 'e');
    if (e) { /* Python: 1e-05 / 1e+16 (at least 2 exponent digits, as C) */
        return;
    }
    if (!strchr(buf, '.') && strlen(buf) + 3 < len) strcat(buf, ".0");
}

static int pad_repr(const ct_module *self, char *buf, size_t len) {
    const pad_module *p = (const pad_module *)self;
    size_t used = 0;
#define PUT(...) used += (size_t)snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__)
    if (p->show_value) PUT("padding=");
    PUT("(");
    for (int i = 0; i < p->npad; i++) PUT("%s%" PRId64, i ? ", " : "", p->pad[i]);
    PUT(")");
    if (p->show_value) {
        char v[64];
        py_float(v, sizeof v, p->value);
        PUT(", value=%s", v);
    }
#undef PUT
    return (int)used;
}

static ct_tensor *pad_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    pad_module *p = (pad_module *)self;
    return ct_pad(in[0], p->npad, p->pad, p->mode, p->value);
}

#define PAD_TYPE(nm) {.name = nm, .size = sizeof(pad_module), .forward = pad_forward, .extra_repr = pad_repr}
static const ct_module_type pad_types[] = {
    PAD_TYPE("ReflectionPad1d"),  PAD_TYPE("ReflectionPad2d"),  PAD_TYPE("ReflectionPad3d"),
    PAD_TYPE("ReplicationPad1d"), PAD_TYPE("ReplicationPad2d"), PAD_TYPE("ReplicationPad3d"),
    PAD_TYPE("ConstantPad1d"),    PAD_TYPE("ConstantPad2d"),    PAD_TYPE("ConstantPad3d"),
    PAD_TYPE("ZeroPad2d")};

static ct_module *make_pad(int type, int dims, int npad, const int64_t *padding, const char *mode, double value,
                           bool show_value) {
    if (npad != 1 && npad != 2 * dims) {
        ct__error("%s: padding must be an int or a tuple of %d ints, got %d values", pad_types[type].name, 2 * dims,
                  npad);
        return NULL;
    }
    if (!padding) return NULL;
    pad_module *p = (pad_module *)ct_module_new(&pad_types[type]);
    if (!p) return NULL;
    p->npad = 2 * dims;
    for (int i = 0; i < 2 * dims; i++) p->pad[i] = npad == 1 ? padding[0] : padding[i];
    p->mode = mode;
    p->value = value;
    p->show_value = show_value;
    return &p->base;
}

ct_module *ct_nn_reflection_pad1d(int n, const int64_t *p) { return make_pad(0, 1, n, p, "reflect", 0, false); }
ct_module *ct_nn_reflection_pad2d(int n, const int64_t *p) { return make_pad(1, 2, n, p, "reflect", 0, false); }
ct_module *ct_nn_reflection_pad3d(int n, const int64_t *p) { return make_pad(2, 3, n, p, "reflect", 0, false); }
ct_module *ct_nn_replication_pad1d(int n, const int64_t *p) { return make_pad(3, 1, n, p, "replicate", 0, false); }
ct_module *ct_nn_replication_pad2d(int n, const int64_t *p) { return make_pad(4, 2, n, p, "replicate", 0, false); }
ct_module *ct_nn_replication_pad3d(int n, const int64_t *p) { return make_pad(5, 3, n, p, "replicate", 0, false); }
ct_module *ct_nn_constant_pad1d(int n, const int64_t *p, double v) { return make_pad(6, 1, n, p, "constant", v, true); }
ct_module *ct_nn_constant_pad2d(int n, const int64_t *p, double v) { return make_pad(7, 2, n, p, "constant", v, true); }
ct_module *ct_nn_constant_pad3d(int n, const int64_t *p, double v) { return make_pad(8, 3, n, p, "constant", v, true); }
ct_module *ct_nn_zero_pad2d(int n, const int64_t *p) { return make_pad(9, 2, n, p, "constant", 0, false); }
