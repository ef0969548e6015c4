/* The Lazy* modules of PyTorch 1.13.1: LazyLinear, LazyConv1d/2d/3d,
 * LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d.
 *
 * Until materialization the parameters (and the norms' running_mean /
 * running_var) are registered as empty (0,) tensors standing for PyTorch's
 * UninitializedParameter / UninitializedBuffer, so state_dict has PyTorch's
 * keys. The first forward reads the missing size from the input,
 * materializes the placeholders IN PLACE (the handles stay the same, as
 * PyTorch's materialize() keeps the Parameter object) with the module's
 * reset_parameters() draw for draw, and the module becomes its
 * cls_to_become: the type name and repr switch to "Linear", "Conv2d",
 * "BatchNorm2d", ... .
 *
 * The conv and norm modules keep an "inner" module of the type they become
 * (built with in_channels / num_features 0 at construction, for the repr
 * and the option checks, and rebuilt at materialization) whose registry is
 * pointed at this module's handles; forward and extra_repr delegate to it.
 *
 * ct__lazy_load_hook (called by ct_module_load_state_dict) is PyTorch's
 * _lazy_load_hook: a placeholder whose key is in the state_dict is
 * materialized with the loaded shape (no draws), then loaded. As in
 * PyTorch, the module still becomes its cls_to_become on the first forward,
 * but in_features / in_channels / num_features are then never inferred and
 * print as 0. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/autograd.h"
#include "ctorch/nn_conv.h"
#include "ctorch/nn_init.h"
#include "ctorch/nn_misc.h"
#include "ctorch/nn_norm.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

typedef enum { LZ_LINEAR, LZ_CONV, LZ_CONVT, LZ_BN, LZ_IN } lazy_kind;

/* members that can be placeholders; bit i of `pending` is names[i] */
static const char *const lazy_names[4] = {"weight", "bias", "running_mean", "running_var"};

typedef struct {
    ct_module base;
    lazy_kind kind;
    bool lazy;          /* still the Lazy* class */
    int nsp;            /* conv: spatial dims; norms: 1, 2, 3 */
    int64_t in, out;    /* LazyLinear's in_features (0 until inferred) / out */
    int64_t kernel;     /* conv: the int kernel_size argument */
    ct_conv_opts conv;  /* padding_mode / padding_str point into pm / ps */
    char pm[16], ps[8];
    ct_batch_norm_opts norm; /* no_affine / no_track_running_stats for both norms */
    bool has_bias;      /* linear */
    ct_module *inner;   /* conv / norms: what forward and repr delegate to */
    unsigned pending;   /* placeholders not yet materialized */
    int64_t inner_features; /* norms: num_features of inner (0 until inferred) */
    bool size_unknown;  /* norms that became their class after a load: num_features prints as 0 */
} lazy_module;

static ct_tensor *lazy_forward(ct_module *self, int n, ct_tensor *const *in);
static int lazy_repr(const ct_module *self, char *buf, size_t len);
static void lazy_destroy(ct_module *self);

#define LZ_TYPE(nm) {.name = nm, .size = sizeof(lazy_module), .forward = lazy_forward, .extra_repr = lazy_repr, \
                     .destroy = lazy_destroy}
/* [kind][dims - 1]: before and after materialization */
static const ct_module_type lazy_types[5][3] = {
    {LZ_TYPE("LazyLinear"), LZ_TYPE("LazyLinear"), LZ_TYPE("LazyLinear")},
    {LZ_TYPE("LazyConv1d"), LZ_TYPE("LazyConv2d"), LZ_TYPE("LazyConv3d")},
    {LZ_TYPE("LazyConvTranspose1d"), LZ_TYPE("LazyConvTranspose2d"), LZ_TYPE("LazyConvTranspose3d")},
    {LZ_TYPE("LazyBatchNorm1d"), LZ_TYPE("LazyBatchNorm2d"), LZ_TYPE("LazyBatchNorm3d")},
    {LZ_TYPE("LazyInstanceNorm1d"), LZ_TYPE("LazyInstanceNorm2d"), LZ_TYPE("LazyInstanceNorm3d")}};
static const ct_module_type became_types[5][3] = {
    {LZ_TYPE("Linear"), LZ_TYPE("Linear"), LZ_TYPE("Linear")},
    {LZ_TYPE("Conv1d"), LZ_TYPE("Conv2d"), LZ_TYPE("Conv3d")},
    {LZ_TYPE("ConvTranspose1d"), LZ_TYPE("ConvTranspose2d"), LZ_TYPE("ConvTranspose3d")},
    {LZ_TYPE("BatchNorm1d"), LZ_TYPE("BatchNorm2d"), LZ_TYPE("BatchNorm3d")},
    {LZ_TYPE("InstanceNorm1d"), LZ_TYPE("InstanceNorm2d"), LZ_TYPE("InstanceNorm3d")}};

static bool is_lazy_module(const ct_module *m) { return m && m->type->forward == lazy_forward; }

static void lazy_destroy(ct_module *self) { ct_module_free(((lazy_module *)self)->inner); }

static int lazy_repr(const ct_module *self, char *buf, size_t len) {
    const lazy_module *l = (const lazy_module *)self;
    if (l->kind == LZ_LINEAR)
        return snprintf(buf, len, "in_features=%" PRId64 ", out_features=%" PRId64 ", bias=%s", l->in, l->out,
                        l->has_bias ? "True" : "False");
    if (!l->size_unknown) return l->inner->type->extra_repr(l->inner, buf, len);
    /* "3, eps=..." of the inner norm printed as PyTorch's "0, eps=..." */
    char tmp[512];
    l->inner->type->extra_repr(l->inner, tmp, sizeof tmp);
    const char *rest = strchr(tmp, ',');
    return snprintf(buf, len, "0%s", rest ? rest : "");
}

static ct_member *member(ct_module *m, const char *name, bool param) {
    struct ct_module_private *p = m->priv;
    ct_member *v = param ? p->params : p->buffers;
    int n = param ? p->nparams : p->nbuffers;
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) return &v[i];
    return NULL;
}

static ct_dtype placeholder_dtype(lazy_module *l) {
    for (int i = 0; i < 4; i++) {
        ct_member *m = member(&l->base, lazy_names[i], i < 2);
        if (m && m->t) return m->t->dtype;
    }
    return ct_get_default_dtype();
}

/* Point the inner module's registry at this module's handles (so both
 * see the same parameters, gradients and running statistics). */
static void bind_inner(lazy_module *l) {
    struct ct_module_private *p = l->inner->priv;
    for (int k = 0; k < 2; k++) {
        ct_member *v = k ? p->buffers : p->params;
        int n = k ? p->nbuffers : p->nparams;
        for (int i = 0; i < n; i++) {
            ct_member *mine = member(&l->base, v[i].name, k == 0);
            if (!mine || !mine->t || mine->t == v[i].t) continue;
            ct__drop(v[i].t);
            v[i].t = ct_ref(mine->t);
        }
    }
    if (l->kind == LZ_CONV || l->kind == LZ_CONVT) ct__conv_rebind(l->inner);
}

/* this module's placeholder name takes src's data (PyTorch's materialize + reset) */
static int take_data(lazy_module *l, const char *name, bool param, ct_module *src) {
    ct_tensor *s = param ? ct_module_get_parameter(src, name) : ct_module_get_buffer(src, name);
    if (!s) return CT_OK;
    ct_tensor *d = ct_detach(s);
    if (!d) return CT_ERROR;
    return param ? ct_module_set_parameter(&l->base, name, d) : ct_module_set_buffer(&l->base, name, d);
}

static ct_module *build_inner(lazy_module *l, int64_t in, ct_dtype dtype, bool init) {
    if (l->kind == LZ_CONV || l->kind == LZ_CONVT) {
        ct_conv_opts o = l->conv;
        o.dtype = dtype;
        return ct__conv_new(l->nsp, l->kind == LZ_CONVT, in, l->out, l->kernel, &o, init);
    }
    ct_batch_norm_opts b = l->norm;
    b.dtype = dtype;
    if (l->kind == LZ_BN) {
        ct_module *(*const f[3])(int64_t, const ct_batch_norm_opts *) = {
            ct_nn_batch_norm1d_opts, ct_nn_batch_norm2d_opts, ct_nn_batch_norm3d_opts};
        return f[l->nsp - 1](in, &b);
    }
    ct_instance_norm_opts io = {.eps = b.eps, .momentum = b.momentum, .momentum_none = b.momentum_none,
                                .affine = !b.no_affine, .track_running_stats = !b.no_track_running_stats,
                                .dtype = dtype};
    ct_module *(*const f[3])(int64_t, const ct_instance_norm_opts *) = {
        ct_nn_instance_norm1d_opts, ct_nn_instance_norm2d_opts, ct_nn_instance_norm3d_opts};
    return f[l->nsp - 1](in, &io);
}

/* the loaded size of a norm's weight / running_mean (0: none) */
static int64_t norm_features(lazy_module *l) {
    for (int i = 0; i < 4; i += 2) {
        ct_member *m = member(&l->base, lazy_names[i], i < 2);
        if (m && m->t && m->t->ndim == 1) return m->t->sizes[0];
    }
    return 0;
}

static int materialize_linear(lazy_module *l, const ct_tensor *x) {
    if (x->ndim == 0) {
        ct__error("tuple index out of range"); /* input.shape[-1] of a 0-dim tensor */
        return CT_ERROR;
    }
    int64_t in = x->sizes[x->ndim - 1];
    ct_dtype dt = placeholder_dtype(l);
    int rc = CT_ERROR;
    CT_NO_GRAD {
        ct_tensor *w = ct_empty(CT_SIZE(l->out, in), CT_OPTS(.dtype = dt));
        ct_tensor *b = l->has_bias ? ct_empty(CT_SIZE(l->out), CT_OPTS(.dtype = dt)) : NULL;
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
    if (rc == CT_OK) l->in = in;
    return rc;
}

static int materialize(lazy_module *l, const ct_tensor *x) {
    if (l->kind == LZ_LINEAR) return materialize_linear(l, x);
    char buf[160];
    int64_t in;
    if (l->kind == LZ_CONV || l->kind == LZ_CONVT) {
        if (x->ndim != l->nsp + 1 && x->ndim != l->nsp + 2) {
            ct__error("Expected %dD (unbatched) or %dD (batched) input to %s, but got input of size: %s", l->nsp + 1,
                      l->nsp + 2, l->base.type->name, ct__torch_size(buf, sizeof buf, x));
            return CT_ERROR;
        }
        in = x->ndim == l->nsp + 2 ? x->sizes[1] : x->sizes[0];
        int64_t groups = l->conv.groups ? l->conv.groups : 1;
        if (in % groups) {
            ct__error("in_channels must be divisible by groups");
            return CT_ERROR;
        }
    } else {
        if (x->ndim < 2) {
            ct__error("tuple index out of range"); /* input.shape[1] */
            return CT_ERROR;
        }
        in = x->sizes[1];
    }
    ct_module *m = NULL;
    int rc = CT_ERROR;
    CT_NO_GRAD {
        m = build_inner(l, in, placeholder_dtype(l), true); /* reset_parameters() draws here */
        rc = m ? CT_OK : CT_ERROR;
        for (int i = 0; i < 4 && rc == CT_OK; i++) rc = take_data(l, lazy_names[i], i < 2, m);
        if (rc == CT_OK && (l->kind == LZ_BN || l->kind == LZ_IN))
            rc = take_data(l, "num_batches_tracked", false, m); /* reset_running_stats zeroes it */
    }
    if (rc != CT_OK) {
        ct_module_free(m);
        return CT_ERROR;
    }
    ct_module_free(l->inner);
    l->inner = m;
    l->inner_features = in;
    return CT_OK;
}

/* PyTorch's _infer_parameters: materialize what is still uninitialized,
 * then become cls_to_become. */
static int lazy_infer(lazy_module *l, const ct_tensor *x) {
    if (l->pending && materialize(l, x) != CT_OK) return CT_ERROR;
    l->pending = 0;
    if ((l->kind == LZ_BN || l->kind == LZ_IN) && norm_features(l) > 0 && !l->inner_features) {
        /* loaded, never inferred: PyTorch keeps num_features 0 (repr) and its
         * forward reads the loaded statistics; the inner norm gets the
         * loaded size */
        ct_module *m = build_inner(l, norm_features(l), placeholder_dtype(l), false);
        if (!m) return CT_ERROR;
        ct_module_free(l->inner);
        l->inner = m;
        l->size_unknown = true;
    }
    if (l->inner) bind_inner(l);
    l->lazy = false;
    l->base.type = &became_types[l->kind][l->nsp - 1];
    return CT_OK;
}

/* PyTorch registers _infer_parameters as a lazy module's first forward
 * pre-hook, so the user's pre-hooks (registered later) see the
 * materialized module. A pre-hook cannot report an error: on failure the
 * module stays lazy and the forward tries again, setting the same error. */
static ct_tensor *lazy_pre_hook(ct_module *m, int n, ct_tensor *const *in, void *ctx) {
    (void)ctx;
    lazy_module *l = (lazy_module *)m;
    if (l->lazy && n >= 1 && in[0]) (void)lazy_infer(l, in[0]); /* the forward reports a failure */
    return NULL;
}

static ct_tensor *lazy_forward(ct_module *self, int n, ct_tensor *const *in) {
    lazy_module *l = (lazy_module *)self;
    if (n < 1 || !in[0]) return NULL;
    if (l->lazy && lazy_infer(l, in[0]) != CT_OK) return NULL;
    if (l->kind == LZ_LINEAR)
        return ct_linear(in[0], ct_module_get_parameter(self, "weight"), ct_module_get_parameter(self, "bias"));
    l->inner->priv->training = self->priv->training;
    return l->inner->type->forward(l->inner, n, in);
}

/* the constructors' last step: l with its inference hook, or NULL (l freed) */
static ct_module *with_infer_hook(lazy_module *l) {
    if (ct_module_register_forward_pre_hook(&l->base, lazy_pre_hook, NULL) < 0) {
        ct_module_free(&l->base);
        return NULL;
    }
    return &l->base;
}

static void lazy_warn(void) {
    ct__warn("Lazy modules are a new feature under heavy development so changes to the API or functionality can "
             "happen at any moment.");
}

/* register name as a (0,) placeholder of dtype (or None when !on) */
static bool add_placeholder(lazy_module *l, int i, bool on, ct_dtype dt) {
    ct_tensor *t = on ? ct_empty(CT_SIZE(0), CT_OPTS(.dtype = dt)) : NULL;
    if (on && !t) return false;
    ct_tensor *r = i < 2 ? ct_module_register_parameter(&l->base, lazy_names[i], t)
                         : ct_module_register_buffer(&l->base, lazy_names[i], t, true);
    if (on && !r) return false;
    if (on) l->pending |= 1u << i;
    return true;
}

ct_module *ct_nn_lazy_linear_opts(int64_t out_features, const ct_linear_opts *opts) {
    if (out_features < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 ", 0]", out_features,
                  out_features);
        return NULL;
    }
    lazy_warn();
    lazy_module *l = (lazy_module *)ct_module_new(&lazy_types[LZ_LINEAR][0]);
    if (!l) return NULL;
    l->kind = LZ_LINEAR, l->lazy = true, l->nsp = 1;
    l->out = out_features;
    l->has_bias = !(opts && opts->no_bias);
    ct_dtype dt = opts && opts->dtype ? opts->dtype : ct_get_default_dtype();
    if (!add_placeholder(l, 0, true, dt) || !add_placeholder(l, 1, l->has_bias, dt)) {
        ct_module_free(&l->base);
        return NULL;
    }
    return with_infer_hook(l);
}

static ct_module *lazy_conv_new(int nsp, bool transposed, int64_t out, int64_t k, const ct_conv_opts *o) {
    static const ct_conv_opts none;
    if (!o) o = &none;
    lazy_module tmp = {.kind = transposed ? LZ_CONVT : LZ_CONV, .lazy = true, .nsp = nsp, .out = out, .kernel = k,
                       .conv = *o};
    if (o->padding_mode) {
        snprintf(tmp.pm, sizeof tmp.pm, "%s", o->padding_mode);
        if (strcmp(tmp.pm, o->padding_mode)) snprintf(tmp.pm, sizeof tmp.pm, "?"); /* too long: invalid anyway */
    }
    if (o->padding_str) {
        snprintf(tmp.ps, sizeof tmp.ps, "%s", o->padding_str);
        if (strcmp(tmp.ps, o->padding_str)) snprintf(tmp.ps, sizeof tmp.ps, "?");
    }
    /* option checks and the repr come from the Conv it becomes (in_channels 0, nothing drawn) */
    ct_dtype dt = o->dtype ? o->dtype : ct_get_default_dtype();
    ct_module *inner = ct__conv_new(nsp, transposed, 0, out, k, o, false);
    if (!inner) return NULL;
    lazy_warn();
    lazy_module *l = (lazy_module *)ct_module_new(&lazy_types[tmp.kind][nsp - 1]);
    if (!l) {
        ct_module_free(inner);
        return NULL;
    }
    tmp.base = l->base;
    *l = tmp;
    l->conv.padding_mode = o->padding_mode ? l->pm : NULL;
    l->conv.padding_str = o->padding_str ? l->ps : NULL;
    l->inner = inner;
    if (!add_placeholder(l, 0, true, dt) || !add_placeholder(l, 1, !o->no_bias, dt)) {
        ct_module_free(&l->base);
        return NULL;
    }
    return with_infer_hook(l);
}

ct_module *ct_nn_lazy_conv1d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(1, false, out, k, o);
}
ct_module *ct_nn_lazy_conv2d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(2, false, out, k, o);
}
ct_module *ct_nn_lazy_conv3d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(3, false, out, k, o);
}
ct_module *ct_nn_lazy_conv_transpose1d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(1, true, out, k, o);
}
ct_module *ct_nn_lazy_conv_transpose2d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(2, true, out, k, o);
}
ct_module *ct_nn_lazy_conv_transpose3d_opts(int64_t out, int64_t k, const ct_conv_opts *o) {
    return lazy_conv_new(3, true, out, k, o);
}

static ct_module *lazy_norm_new(lazy_kind kind, int dims, const ct_batch_norm_opts *o) {
    static const ct_batch_norm_opts none;
    if (!o) o = &none;
    lazy_module tmp = {.kind = kind, .lazy = true, .nsp = dims, .norm = *o};
    ct_dtype dt = o->dtype ? o->dtype : ct_get_default_dtype();
    ct_module *inner = build_inner(&tmp, 0, dt, false);
    if (!inner) return NULL;
    lazy_warn();
    lazy_module *l = (lazy_module *)ct_module_new(&lazy_types[kind][dims - 1]);
    if (!l) {
        ct_module_free(inner);
        return NULL;
    }
    tmp.base = l->base;
    *l = tmp;
    l->inner = inner;
    bool affine = !o->no_affine, track = !o->no_track_running_stats;
    bool ok = add_placeholder(l, 0, affine, dt) && add_placeholder(l, 1, affine, dt) &&
              add_placeholder(l, 2, track, dt) && add_placeholder(l, 3, track, dt);
    if (ok) {
        ct_tensor *nbt = track ? ct_zeros(CT_SIZE0, CT_OPTS(.dtype = CT_INT64)) : NULL;
        ok = (!track || nbt) && (ct_module_register_buffer(&l->base, "num_batches_tracked", nbt, true) || !track);
    }
    if (!ok) {
        ct_module_free(&l->base);
        return NULL;
    }
    return with_infer_hook(l);
}

ct_module *ct_nn_lazy_batch_norm1d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_BN, 1, o); }
ct_module *ct_nn_lazy_batch_norm2d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_BN, 2, o); }
ct_module *ct_nn_lazy_batch_norm3d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_BN, 3, o); }
ct_module *ct_nn_lazy_instance_norm1d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_IN, 1, o); }
ct_module *ct_nn_lazy_instance_norm2d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_IN, 2, o); }
ct_module *ct_nn_lazy_instance_norm3d_opts(const ct_batch_norm_opts *o) { return lazy_norm_new(LZ_IN, 3, o); }

/* A loaded value that is itself an uninitialized placeholder ((0,), as
 * ctorch's state_dict of an unmaterialized module holds) leaves ours lazy. */
static bool looks_uninitialized(const ct_tensor *t) { return t->ndim == 1 && t->sizes[0] == 0; }

int ct__lazy_load_hook(ct_module *m, const char *prefix, const ct_state_dict *sd) {
    if (!m || !sd) return CT_ERROR;
    char key[1024];
    if (is_lazy_module(m)) {
        lazy_module *l = (lazy_module *)m;
        for (int i = 0; i < 4; i++) {
            if (!(l->pending & (1u << i))) continue;
            snprintf(key, sizeof key, "%s%s", prefix, lazy_names[i]);
            ct_tensor *v = ct_state_dict_get(sd, key);
            if (!v || looks_uninitialized(v)) continue;
            ct_member *mem = member(m, lazy_names[i], i < 2);
            ct_tensor *t = ct_empty(v->ndim, v->sizes, CT_OPTS(.dtype = mem->t->dtype));
            if (!t) return CT_ERROR;
            int rc = i < 2 ? ct_module_set_parameter(m, lazy_names[i], t) : ct_module_set_buffer(m, lazy_names[i], t);
            if (rc != CT_OK) return CT_ERROR;
            l->pending &= ~(1u << i);
        }
    }
    for (int i = 0; i < m->priv->nchildren; i++) {
        ct_child *c = &m->priv->children[i];
        if (!c->m) continue;
        snprintf(key, sizeof key, "%s%s.", prefix, c->name);
        if (ct__lazy_load_hook(c->m, key, sd) != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}
