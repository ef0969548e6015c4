/* nn.Linear and F.linear; Identity, Flatten, Unflatten. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_init.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

/* F.linear: x @ weight.t() + bias. x: (*, in); weight: (out, in); bias: (out). */
ct_tensor *ct_linear(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias) {
    if (!x || !weight) return NULL;
    if (weight->ndim != 2) {
        ct__error("linear(): weight must be 2-D, got %d-D", weight->ndim);
        return NULL;
    }
    int64_t in = weight->sizes[1];
    if (x->ndim == 0 || x->sizes[x->ndim - 1] != in) {
        int64_t rows = 1;
        for (int d = 0; d + 1 < x->ndim; d++) rows *= x->sizes[d];
        ct__error("mat1 and mat2 shapes cannot be multiplied (%" PRId64 "x%" PRId64 " and %" PRId64 "x%" PRId64 ")",
                  x->ndim ? rows : 1, x->ndim ? x->sizes[x->ndim - 1] : 1, in, weight->sizes[0]);
        return NULL;
    }
    /* at::linear: addmm for a 2-D input with bias (AddmmBackward0); a
     * contiguous 3-D input with bias is viewed as 2-D around the addmm
     * (ViewBackward0); else matmul then add (AddBackward0) */
    ct_tensor *wt = ct_t(weight);
    if (!wt) return NULL;
    ct_tensor *out;
    if (x->ndim == 2 && bias) {
        out = ct_addmm(bias, x, wt, 1.0, 1.0);
    } else if (x->ndim == 3 && bias && ct_is_contiguous(x)) {
        ct_tensor *x2 = ct_view(x, CT_SIZE(-1, in));
        ct_tensor *y2 = x2 ? ct_addmm(bias, x2, wt, 1.0, 1.0) : NULL;
        out = y2 ? ct_view(y2, CT_SIZE(x->sizes[0], x->sizes[1], weight->sizes[0])) : NULL;
        ct_free(x2);
        ct_free(y2);
    } else {
        ct_tensor *y = ct_matmul(x, wt);
        out = y && bias ? ct_add(y, bias) : (y ? ct__retain(y) : NULL);
        ct_free(y);
    }
    ct_free(wt);
    return out;
}

typedef struct {
    ct_module base;
    int64_t in_features, out_features;
    ct_tensor *weight, *bias; /* borrowed from the registry (handles stay valid) */
} linear_module;

static ct_tensor *linear_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    linear_module *l = (linear_module *)self;
    return ct_linear(in[0], l->weight, l->bias);
}

static int linear_repr(const ct_module *self, char *buf, size_t len) {
    const linear_module *l = (const linear_module *)self;
    return snprintf(buf, len, "in_features=%" PRId64 ", out_features=%" PRId64 ", bias=%s", l->in_features,
                    l->out_features, l->bias ? "True" : "False");
}

static const ct_module_type linear_type = {
    .name = "Linear", .size = sizeof(linear_module), .forward = linear_forward, .extra_repr = linear_repr};

ct_module *ct_nn_linear_opts(int64_t in_features, int64_t out_features, const ct_linear_opts *opts) {
    if (in_features < 0 || out_features < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 ", %" PRId64 "]",
                  out_features < 0 ? out_features : in_features, out_features, in_features);
        return NULL;
    }
    ct_dtype dtype = opts && opts->dtype ? opts->dtype : ct_get_default_dtype();
    linear_module *l = (linear_module *)ct_module_new(&linear_type);
    if (!l) return NULL;
    l->in_features = in_features;
    l->out_features = out_features;
    l->weight = ct_module_register_parameter(&l->base, "weight",
                                             ct_empty(CT_SIZE(out_features, in_features), CT_OPTS(.dtype = dtype)));
    if (!l->weight) goto fail;
    if (!(opts && opts->no_bias)) {
        l->bias = ct_module_register_parameter(&l->base, "bias", ct_empty(CT_SIZE(out_features), CT_OPTS(.dtype = dtype)));
        if (!l->bias) goto fail;
    } else if (!ct_module_register_parameter(&l->base, "bias", NULL) && ct_last_error()) {
        /* registering None cannot fail for a fresh module */
    }
    /* reset_parameters(): kaiming_uniform_(weight, a=sqrt(5)); bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) */
    if (ct_init_kaiming_uniform_(l->weight, sqrt(5.0), CT_FAN_IN, "leaky_relu", NULL) != CT_OK) goto fail;
    if (l->bias) {
        double bound = in_features > 0 ? 1 / sqrt((double)in_features) : 0;
        if (ct_init_uniform_(l->bias, -bound, bound, NULL) != CT_OK) goto fail;
    }
    return &l->base;
fail:
    ct_module_free(&l->base);
    return NULL;
}

/* ---- Identity, Flatten, Unflatten ---- */

static ct_tensor *identity_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)self, (void)n;
    return ct__retain(in[0]);
}
static const ct_module_type identity_type = {.name = "Identity", .forward = identity_forward};
ct_module *ct_nn_identity(void) { return ct_module_new(&identity_type); }

typedef struct {
    ct_module base;
    int start_dim, end_dim;
} flatten_module;

static ct_tensor *flatten_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    flatten_module *f = (flatten_module *)self;
    return ct_flatten(in[0], f->start_dim, f->end_dim);
}
static int flatten_repr(const ct_module *self, char *buf, size_t len) {
    const flatten_module *f = (const flatten_module *)self;
    return snprintf(buf, len, "start_dim=%d, end_dim=%d", f->start_dim, f->end_dim);
}
static const ct_module_type flatten_type = {
    .name = "Flatten", .size = sizeof(flatten_module), .forward = flatten_forward, .extra_repr = flatten_repr};

ct_module *ct_nn_flatten(int start_dim, int end_dim) {
    flatten_module *f = (flatten_module *)ct_module_new(&flatten_type);
    if (!f) return NULL;
    f->start_dim = start_dim;
    f->end_dim = end_dim;
    return &f->base;
}

typedef struct {
    ct_module base;
    int dim, ndim;
    int64_t sizes[CT_MAX_DIMS];
} unflatten_module;

static ct_tensor *unflatten_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    unflatten_module *u = (unflatten_module *)self;
    return ct_unflatten(in[0], u->dim, u->ndim, u->sizes);
}
static int unflatten_repr(const ct_module *self, char *buf, size_t len) {
    const unflatten_module *u = (const unflatten_module *)self;
    /* a tuple prints as Python's tuple: (2, 2) / (4,) */
    size_t used = (size_t)snprintf(buf, len, "dim=%d, unflattened_size=(", u->dim);
    for (int i = 0; i < u->ndim && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%" PRId64, i ? ", " : "", u->sizes[i]);
    if (used < len) used += (size_t)snprintf(buf + used, len - used, "%s)", u->ndim == 1 ? "," : "");
    return (int)used;
}
static const ct_module_type unflatten_type = {
    .name = "Unflatten", .size = sizeof(unflatten_module), .forward = unflatten_forward, .extra_repr = unflatten_repr};

ct_module *ct_nn_unflatten(int dim, int ndim, const int64_t *sizes) {
    if (ndim < 1 || ndim > CT_MAX_DIMS || !sizes) {
        ct__error("unflattened_size must be non-empty");
        return NULL;
    }
    unflatten_module *u = (unflatten_module *)ct_module_new(&unflatten_type);
    if (!u) return NULL;
    u->dim = dim;
    u->ndim = ndim;
    memcpy(u->sizes, sizes, (size_t)ndim * sizeof *sizes);
    return &u->base;
}
