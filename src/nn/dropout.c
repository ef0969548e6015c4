/* nn.Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout. */
#include <stdio.h>

#include "base/text.h"
#include "ctorch/nn_norm.h"
#include "kernels/cpu/norm.h"
#include "nn/module_impl.h"
#include "tensor/tensor_impl.h"

typedef struct {
    ct_module base;
    double p;
    bool inplace;
} dropout_module;

static int dropout_repr(const ct_module *self, char *buf, size_t len) {
    const dropout_module *m = (const dropout_module *)self;
    char p[40];
    return snprintf(buf, len, "p=%s, inplace=%s", ct__py_float(p, sizeof p, m->p), m->inplace ? "True" : "False");
}

/* The in-place module forms: PyTorch's dropout_ family; ctorch has the
 * element-wise one (ct_dropout_). The feature forms compute out of place
 * and copy back when inplace is set. */
static ct_tensor *finish_inplace(ct_tensor *x, ct_tensor *r) {
    if (!r || r == x) return r;
    int rc = ct_copy_(x, r);
    ct_free(r);
    return rc == CT_OK ? ct__retain(x) : NULL;
}

#define DROPOUT_FORWARD(fname, call)                                                 \
    static ct_tensor *fname(ct_module *self, int n, ct_tensor *const *in) {          \
        (void)n;                                                                     \
        dropout_module *m = (dropout_module *)self;                                  \
        bool tr = ct_module_is_training(self);                                       \
        ct_tensor *r = call(in[0], m->p, tr);                                        \
        return m->inplace ? finish_inplace(in[0], r) : r;                            \
    }
DROPOUT_FORWARD(dropout1d_forward, ct_dropout1d)
DROPOUT_FORWARD(dropout2d_forward, ct_dropout2d)
DROPOUT_FORWARD(dropout3d_forward, ct_dropout3d)
DROPOUT_FORWARD(alpha_forward, ct_alpha_dropout)
DROPOUT_FORWARD(feature_alpha_forward, ct_feature_alpha_dropout)

static ct_tensor *dropout_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    dropout_module *m = (dropout_module *)self;
    bool tr = ct_module_is_training(self);
    if (!m->inplace) return ct_dropout(in[0], m->p, tr);
    if (!in[0]) return NULL;
    return ct_dropout_(in[0], m->p, tr) == CT_OK ? ct__retain(in[0]) : NULL;
}

#define DTYPE(nm, fwd) {.name = nm, .size = sizeof(dropout_module), .forward = fwd, .extra_repr = dropout_repr}
static const ct_module_type dropout_type = DTYPE("Dropout", dropout_forward);
static const ct_module_type dropout1d_type = DTYPE("Dropout1d", dropout1d_forward);
static const ct_module_type dropout2d_type = DTYPE("Dropout2d", dropout2d_forward);
static const ct_module_type dropout3d_type = DTYPE("Dropout3d", dropout3d_forward);
static const ct_module_type alpha_type = DTYPE("AlphaDropout", alpha_forward);
static const ct_module_type feature_alpha_type = DTYPE("FeatureAlphaDropout", feature_alpha_forward);

static ct_module *dropout_new(const ct_module_type *t, double p, const ct_dropout_opts *o) {
    if (!(p >= 0 && p <= 1)) {
        char b[40];
        ct__error("dropout probability has to be between 0 and 1, but got %s", ct__py_float(b, sizeof b, p));
        return NULL;
    }
    dropout_module *m = (dropout_module *)ct_module_new(t);
    if (!m) return NULL;
    m->p = p;
    m->inplace = o && o->inplace;
    return &m->base;
}

ct_module *ct_nn_dropout_opts(double p, const ct_dropout_opts *o) { return dropout_new(&dropout_type, p, o); }
ct_module *ct_nn_dropout1d_opts(double p, const ct_dropout_opts *o) { return dropout_new(&dropout1d_type, p, o); }
ct_module *ct_nn_dropout2d_opts(double p, const ct_dropout_opts *o) { return dropout_new(&dropout2d_type, p, o); }
ct_module *ct_nn_dropout3d_opts(double p, const ct_dropout_opts *o) { return dropout_new(&dropout3d_type, p, o); }
ct_module *ct_nn_alpha_dropout_opts(double p, const ct_dropout_opts *o) { return dropout_new(&alpha_type, p, o); }
ct_module *ct_nn_feature_alpha_dropout_opts(double p, const ct_dropout_opts *o) {
    return dropout_new(&feature_alpha_type, p, o);
}
