/* nn.BatchNorm1d/2d/3d, nn.InstanceNorm1d/2d/3d, nn.LayerNorm,
 * nn.GroupNorm, nn.LocalResponseNorm (PyTorch 1.13.1). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "ctorch/nn_norm.h"
#include "ctorch/ops.h"
#include "kernels/cpu/norm.h"
#include "nn/module_impl.h"

/* ---- _NormBase: BatchNorm and InstanceNorm ---- */

typedef struct {
    ct_module base;
    int64_t num_features;
    double eps, momentum;
    bool momentum_none, affine, track, instance;
    int dims; /* 1, 2, 3 */
} normbase_module;

static int normbase_repr(const ct_module *self, char *buf, size_t len) {
    const normbase_module *m = (const normbase_module *)self;
    char e[40], mo[40];
    ct__py_float(e, sizeof e, m->eps);
    if (m->momentum_none)
        snprintf(mo, sizeof mo, "None");
    else
        ct__py_float(mo, sizeof mo, m->momentum);
    return snprintf(buf, len, "%" PRId64 ", eps=%s, momentum=%s, affine=%s, track_running_stats=%s", m->num_features,
                    e, mo, m->affine ? "True" : "False", m->track ? "True" : "False");
}

static ct_tensor *batchnorm_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    normbase_module *m = (normbase_module *)self;
    const ct_tensor *x = in[0];
    if (!x) return NULL;
    bool ok = m->dims == 1 ? (x->ndim == 2 || x->ndim == 3) : x->ndim == m->dims + 2;
    if (!ok) {
        if (m->dims == 1)
            ct__error("expected 2D or 3D input (got %dD input)", x->ndim);
        else
            ct__error("expected %dD input (got %dD input)", m->dims + 2, x->ndim);
        return NULL;
    }
    bool training = ct_module_is_training(self);
    ct_tensor *rm = ct_module_get_buffer(self, "running_mean"), *rv = ct_module_get_buffer(self, "running_var");
    ct_tensor *nbt = ct_module_get_buffer(self, "num_batches_tracked");
    double factor = m->momentum_none ? 0.0 : m->momentum;
    if (training && m->track && nbt) {
        int64_t *c = (int64_t *)ct__data(nbt);
        (*c)++;
        ct__bump_version(nbt);
        factor = m->momentum_none ? 1.0 / (double)*c : m->momentum;
    }
    bool bn_training = training ? true : (!rm && !rv);
    bool pass = !training || m->track;
    return ct_batch_norm(x, pass ? rm : NULL, pass ? rv : NULL, ct_module_get_parameter(self, "weight"),
                         ct_module_get_parameter(self, "bias"), bn_training, factor, m->eps);
}

static ct_tensor *instancenorm_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    normbase_module *m = (normbase_module *)self;
    const ct_tensor *x = in[0];
    if (!x) return NULL;
    if (x->ndim != m->dims + 1 && x->ndim != m->dims + 2) {
        ct__error("expected %dD or %dD input (got %dD input)", m->dims + 1, m->dims + 2, x->ndim);
        return NULL;
    }
    ct_tensor *w = ct_module_get_parameter(self, "weight"), *b = ct_module_get_parameter(self, "bias");
    ct_tensor *rm = ct_module_get_buffer(self, "running_mean"), *rv = ct_module_get_buffer(self, "running_var");
    /* 1.13 does not compare the channels with num_features here (2.0 does):
     * a mismatch reaches F.instance_norm, whose batch_norm reports the
     * weight or running_mean size ("weight should contain 8 elements not 6") */
    bool use_input_stats = ct_module_is_training(self) || !m->track;
    double mom = m->momentum_none ? 0.0 : m->momentum;
    if (x->ndim == m->dims + 1) {
        ct_tensor *u = ct_unsqueeze(x, 0);
        ct_tensor *r = u ? ct_instance_norm(u, rm, rv, w, b, use_input_stats, mom, m->eps) : NULL;
        ct_tensor *out = r ? ct_squeeze_dim(r, 0) : NULL;
        ct_free(u);
        ct_free(r);
        return out;
    }
    return ct_instance_norm(x, rm, rv, w, b, use_input_stats, mom, m->eps);
}

static const ct_module_type bn_types[3] = {
    {.name = "BatchNorm1d", .size = sizeof(normbase_module), .forward = batchnorm_forward, .extra_repr = normbase_repr},
    {.name = "BatchNorm2d", .size = sizeof(normbase_module), .forward = batchnorm_forward, .extra_repr = normbase_repr},
    {.name = "BatchNorm3d", .size = sizeof(normbase_module), .forward = batchnorm_forward, .extra_repr = normbase_repr},
};
static const ct_module_type in_types[3] = {
    {.name = "InstanceNorm1d", .size = sizeof(normbase_module), .forward = instancenorm_forward,
     .extra_repr = normbase_repr},
    {.name = "InstanceNorm2d", .size = sizeof(normbase_module), .forward = instancenorm_forward,
     .extra_repr = normbase_repr},
    {.name = "InstanceNorm3d", .size = sizeof(normbase_module), .forward = instancenorm_forward,
     .extra_repr = normbase_repr},
};

static bool negative_dim(int64_t n) {
    if (n < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 "]", n, n);
        return true;
    }
    return false;
}

static ct_module *normbase_new(const ct_module_type *type, int dims, bool instance, int64_t nf, double eps,
                               double momentum, bool momentum_none, bool affine, bool track, ct_dtype dtype) {
    if (negative_dim(nf)) return NULL;
    if (!dtype) dtype = ct_get_default_dtype();
    normbase_module *m = (normbase_module *)ct_module_new(type);
    if (!m) return NULL;
    m->num_features = nf;
    m->eps = eps ? eps : 1e-5;
    m->momentum = momentum ? momentum : 0.1;
    m->momentum_none = momentum_none;
    m->affine = affine;
    m->track = track;
    m->instance = instance;
    m->dims = dims;
    ct_module *b = &m->base;
    if (affine) {
        if (!ct_module_register_parameter(b, "weight", ct_ones(CT_SIZE(nf), CT_OPTS(.dtype = dtype))) ||
            !ct_module_register_parameter(b, "bias", ct_zeros(CT_SIZE(nf), CT_OPTS(.dtype = dtype))))
            goto fail;
    } else {
        ct_module_register_parameter(b, "weight", NULL);
        ct_module_register_parameter(b, "bias", NULL);
    }
    if (track) {
        if (!ct_module_register_buffer(b, "running_mean", ct_zeros(CT_SIZE(nf), CT_OPTS(.dtype = dtype)), true) ||
            !ct_module_register_buffer(b, "running_var", ct_ones(CT_SIZE(nf), CT_OPTS(.dtype = dtype)), true) ||
            !ct_module_register_buffer(b, "num_batches_tracked", ct_zeros(CT_SIZE0, CT_OPTS(.dtype = CT_INT64)),
                                       true))
            goto fail;
    } else {
        ct_module_register_buffer(b, "running_mean", NULL, true);
        ct_module_register_buffer(b, "running_var", NULL, true);
        ct_module_register_buffer(b, "num_batches_tracked", NULL, true);
    }
    ct_clear_error();
    return b;
fail:
    ct_module_free(b);
    return NULL;
}

static ct_module *bn_new(int dims, int64_t nf, const ct_batch_norm_opts *o) {
    ct_batch_norm_opts z = {0};
    if (!o) o = &z;
    return normbase_new(&bn_types[dims - 1], dims, false, nf, o->eps, o->momentum, o->momentum_none, !o->no_affine,
                        !o->no_track_running_stats, o->dtype);
}
ct_module *ct_nn_batch_norm1d_opts(int64_t nf, const ct_batch_norm_opts *o) { return bn_new(1, nf, o); }
ct_module *ct_nn_batch_norm2d_opts(int64_t nf, const ct_batch_norm_opts *o) { return bn_new(2, nf, o); }
ct_module *ct_nn_batch_norm3d_opts(int64_t nf, const ct_batch_norm_opts *o) { return bn_new(3, nf, o); }

static ct_module *in_new(int dims, int64_t nf, const ct_instance_norm_opts *o) {
    ct_instance_norm_opts z = {0};
    if (!o) o = &z;
    return normbase_new(&in_types[dims - 1], dims, true, nf, o->eps, o->momentum, o->momentum_none, o->affine,
                        o->track_running_stats, o->dtype);
}
ct_module *ct_nn_instance_norm1d_opts(int64_t nf, const ct_instance_norm_opts *o) { return in_new(1, nf, o); }
ct_module *ct_nn_instance_norm2d_opts(int64_t nf, const ct_instance_norm_opts *o) { return in_new(2, nf, o); }
ct_module *ct_nn_instance_norm3d_opts(int64_t nf, const ct_instance_norm_opts *o) { return in_new(3, nf, o); }

/* ---- LayerNorm ---- */

typedef struct {
    ct_module base;
    int ndim;
    int64_t shape[CT_MAX_DIMS];
    double eps;
    bool affine;
} layernorm_module;

static ct_tensor *layernorm_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    layernorm_module *m = (layernorm_module *)self;
    return ct_layer_norm(in[0], m->ndim, m->shape, ct_module_get_parameter(self, "weight"),
                         ct_module_get_parameter(self, "bias"), m->eps);
}

static int tuple_repr(char *buf, size_t len, int n, const int64_t *v) {
    size_t u = (size_t)snprintf(buf, len, "(");
    for (int i = 0; i < n && u < len; i++) u += (size_t)snprintf(buf + u, len - u, "%s%" PRId64, i ? ", " : "", v[i]);
    if (u < len) u += (size_t)snprintf(buf + u, len - u, "%s)", n == 1 ? "," : "");
    return (int)u;
}

static int layernorm_repr(const ct_module *self, char *buf, size_t len) {
    const layernorm_module *m = (const layernorm_module *)self;
    char t[512], e[40];
    tuple_repr(t, sizeof t, m->ndim, m->shape);
    return snprintf(buf, len, "%s, eps=%s, elementwise_affine=%s", t, ct__py_float(e, sizeof e, m->eps),
                    m->affine ? "True" : "False");
}

static const ct_module_type layernorm_type = {
    .name = "LayerNorm", .size = sizeof(layernorm_module), .forward = layernorm_forward, .extra_repr = layernorm_repr};

ct_module *ct_nn_layer_norm_opts(int ndim, const int64_t *shape, const ct_layer_norm_opts *o) {
    ct_layer_norm_opts z = {0};
    if (!o) o = &z;
    if (ndim < 0 || ndim > CT_MAX_DIMS || (ndim && !shape)) {
        ct__error("LayerNorm(): invalid normalized_shape");
        return NULL;
    }
    for (int i = 0; i < ndim; i++)
        if (negative_dim(shape[i])) return NULL;
    ct_dtype dtype = o->dtype ? o->dtype : ct_get_default_dtype();
    layernorm_module *m = (layernorm_module *)ct_module_new(&layernorm_type);
    if (!m) return NULL;
    m->ndim = ndim;
    memcpy(m->shape, shape, (size_t)ndim * sizeof *shape);
    m->eps = o->eps ? o->eps : 1e-5;
    m->affine = !o->no_elementwise_affine;
    ct_module *b = &m->base;
    if (m->affine) {
        if (!ct_module_register_parameter(b, "weight", ct_ones(ndim, shape, CT_OPTS(.dtype = dtype))) ||
            !ct_module_register_parameter(b, "bias", ct_zeros(ndim, shape, CT_OPTS(.dtype = dtype)))) {
            ct_module_free(b);
            return NULL;
        }
    } else {
        ct_module_register_parameter(b, "weight", NULL);
        ct_module_register_parameter(b, "bias", NULL);
        ct_clear_error();
    }
    return b;
}

/* ---- GroupNorm ---- */

typedef struct {
    ct_module base;
    int64_t num_groups, num_channels;
    double eps;
    bool affine;
} groupnorm_module;

static ct_tensor *groupnorm_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    groupnorm_module *m = (groupnorm_module *)self;
    return ct_group_norm(in[0], m->num_groups, ct_module_get_parameter(self, "weight"),
                         ct_module_get_parameter(self, "bias"), m->eps);
}

static int groupnorm_repr(const ct_module *self, char *buf, size_t len) {
    const groupnorm_module *m = (const groupnorm_module *)self;
    char e[40];
    return snprintf(buf, len, "%" PRId64 ", %" PRId64 ", eps=%s, affine=%s", m->num_groups, m->num_channels,
                    ct__py_float(e, sizeof e, m->eps), m->affine ? "True" : "False");
}

static const ct_module_type groupnorm_type = {
    .name = "GroupNorm", .size = sizeof(groupnorm_module), .forward = groupnorm_forward, .extra_repr = groupnorm_repr};

ct_module *ct_nn_group_norm_opts(int64_t num_groups, int64_t num_channels, const ct_group_norm_opts *o) {
    ct_group_norm_opts z = {0};
    if (!o) o = &z;
    if (num_groups == 0) {
        ct__error("integer division or modulo by zero");
        return NULL;
    }
    if (num_channels % num_groups != 0) {
        ct__error("num_channels must be divisible by num_groups");
        return NULL;
    }
    if (negative_dim(num_channels)) return NULL;
    ct_dtype dtype = o->dtype ? o->dtype : ct_get_default_dtype();
    groupnorm_module *m = (groupnorm_module *)ct_module_new(&groupnorm_type);
    if (!m) return NULL;
    m->num_groups = num_groups;
    m->num_channels = num_channels;
    m->eps = o->eps ? o->eps : 1e-5;
    m->affine = !o->no_affine;
    ct_module *b = &m->base;
    if (m->affine) {
        if (!ct_module_register_parameter(b, "weight", ct_ones(CT_SIZE(num_channels), CT_OPTS(.dtype = dtype))) ||
            !ct_module_register_parameter(b, "bias", ct_zeros(CT_SIZE(num_channels), CT_OPTS(.dtype = dtype)))) {
            ct_module_free(b);
            return NULL;
        }
    } else {
        ct_module_register_parameter(b, "weight", NULL);
        ct_module_register_parameter(b, "bias", NULL);
        ct_clear_error();
    }
    return b;
}

/* ---- LocalResponseNorm ---- */

typedef struct {
    ct_module base;
    int64_t size;
    double alpha, beta, k;
} lrn_module;

static ct_tensor *lrn_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    lrn_module *m = (lrn_module *)self;
    return ct_local_response_norm(in[0], m->size, m->alpha, m->beta, m->k);
}

static int lrn_repr(const ct_module *self, char *buf, size_t len) {
    const lrn_module *m = (const lrn_module *)self;
    char a[40], b[40], k[40];
    return snprintf(buf, len, "%" PRId64 ", alpha=%s, beta=%s, k=%s", m->size, ct__py_float(a, sizeof a, m->alpha),
                    ct__py_float(b, sizeof b, m->beta), ct__py_float(k, sizeof k, m->k));
}

static const ct_module_type lrn_type = {
    .name = "LocalResponseNorm", .size = sizeof(lrn_module), .forward = lrn_forward, .extra_repr = lrn_repr};

ct_module *ct_nn_local_response_norm_opts(int64_t size, const ct_local_response_norm_opts *o) {
    ct_local_response_norm_opts z = {0};
    if (!o) o = &z;
    lrn_module *m = (lrn_module *)ct_module_new(&lrn_type);
    if (!m) return NULL;
    m->size = size;
    m->alpha = o->alpha_zero ? 0 : o->alpha ? o->alpha : 1e-4;
    m->beta = o->beta_zero ? 0 : o->beta ? o->beta : 0.75;
    m->k = o->k_zero ? 0 : o->k ? o->k : 1.0;
    return &m->base;
}
