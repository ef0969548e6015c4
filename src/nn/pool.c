/* Pooling modules: nn.MaxPool1d/2d/3d, MaxUnpool1d/2d/3d, AvgPool1d/2d/3d,
 * AdaptiveMaxPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, LPPool1d/2d. They hold
 * the arguments as given (PyTorch prints them back in repr) and call the
 * functional forms of src/ops/pool.c. No parameters, no buffers. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/nn_pool.h"
#include "nn/module_impl.h"

enum { M_MAX, M_AVG, M_UNPOOL, M_AMAX, M_AAVG, M_LP };

typedef struct pool_module {
    ct_module base;
    int kind, nsp;
    ct_pool_ints kernel_size, stride, padding, dilation, output_size;
    bool ceil_mode, return_indices, count_include_pad;
    int64_t divisor_override;
    double norm_type;
    int output_ndim;
    int64_t unpool_output_size[5];
} pool_module;

/* Python's repr of an int or a tuple: 2, (2,), (3, 2), (3, None) */
static size_t put_ints(char *buf, size_t len, size_t used, ct_pool_ints a, bool as_tuple) {
#define PUT(...) used += (size_t)snprintf(buf + (used < len ? used : len), used < len ? len - used : 0, __VA_ARGS__)
    if (a.n == 1 && !as_tuple) {
        PUT("%" PRId64, a.v[0]);
        return used;
    }
    PUT("(");
    for (int i = 0; i < a.n; i++) {
        if (a.v[i] == CT_POOL_NONE) PUT("%sNone", i ? ", " : "");
        else PUT("%s%" PRId64, i ? ", " : "", a.v[i]);
    }
    PUT("%s)", a.n == 1 ? "," : "");
    return used;
}

/* _single / _pair / _triple */
static ct_pool_ints ntuple(ct_pool_ints a, int nsp) {
    if (a.n == 1)
        for (int i = 1; i < nsp; i++) a.v[i] = a.v[0];
    a.n = nsp;
    return a;
}

static int pool_repr(const ct_module *self, char *buf, size_t len) {
    const pool_module *m = (const pool_module *)self;
    size_t used = 0;
    switch (m->kind) {
    case M_MAX:
        PUT("kernel_size=");
        used = put_ints(buf, len, used, m->kernel_size, false);
        PUT(", stride=");
        used = put_ints(buf, len, used, m->stride, false);
        PUT(", padding=");
        used = put_ints(buf, len, used, m->padding, false);
        PUT(", dilation=");
        used = put_ints(buf, len, used, m->dilation, false);
        PUT(", ceil_mode=%s", m->ceil_mode ? "True" : "False");
        break;
    case M_AVG:
    case M_UNPOOL: {
        bool tuple = m->kind == M_UNPOOL || m->nsp == 1; /* stored through _single / _pair / _triple */
        PUT("kernel_size=");
        used = put_ints(buf, len, used, tuple ? ntuple(m->kernel_size, m->nsp) : m->kernel_size, tuple);
        PUT(", stride=");
        used = put_ints(buf, len, used, tuple ? ntuple(m->stride, m->nsp) : m->stride, tuple);
        PUT(", padding=");
        used = put_ints(buf, len, used, tuple ? ntuple(m->padding, m->nsp) : m->padding, tuple);
        break;
    }
    case M_AMAX:
    case M_AAVG:
        PUT("output_size=");
        used = put_ints(buf, len, used, m->output_size, false);
        break;
    default:
        if (m->norm_type == floor(m->norm_type) && fabs(m->norm_type) < 1e15) PUT("norm_type=%.0f", m->norm_type);
        else PUT("norm_type=%.17g", m->norm_type);
        PUT(", kernel_size=");
        used = put_ints(buf, len, used, m->kernel_size, false);
        PUT(", stride=");
        if (m->stride.n) used = put_ints(buf, len, used, m->stride, false);
        else PUT("None");
        PUT(", ceil_mode=%s", m->ceil_mode ? "True" : "False");
        break;
    }
    return (int)used;
#undef PUT
}

static ct_tensor *pool_call(pool_module *m, const ct_tensor *x, const ct_tensor *second, ct_tensor **indices) {
    switch (m->kind) {
    case M_MAX: {
        ct_max_pool_opts o = {
            .stride = m->stride, .padding = m->padding, .dilation = m->dilation, .ceil_mode = m->ceil_mode};
        if (m->nsp == 1)
            return indices ? ct_max_pool1d_with_indices_opts(x, m->kernel_size, &o, indices)
                           : ct_max_pool1d_opts(x, m->kernel_size, &o);
        if (m->nsp == 2)
            return indices ? ct_max_pool2d_with_indices_opts(x, m->kernel_size, &o, indices)
                           : ct_max_pool2d_opts(x, m->kernel_size, &o);
        return indices ? ct_max_pool3d_with_indices_opts(x, m->kernel_size, &o, indices)
                       : ct_max_pool3d_opts(x, m->kernel_size, &o);
    }
    case M_AVG: {
        ct_avg_pool_opts o = {.stride = m->stride,
                              .padding = m->padding,
                              .ceil_mode = m->ceil_mode,
                              .no_count_include_pad = !m->count_include_pad,
                              .divisor_override = m->divisor_override};
        if (m->nsp == 1) return ct_avg_pool1d_opts(x, m->kernel_size, &o);
        if (m->nsp == 2) return ct_avg_pool2d_opts(x, m->kernel_size, &o);
        return ct_avg_pool3d_opts(x, m->kernel_size, &o);
    }
    case M_UNPOOL: {
        if (!second) {
            ct__error("forward() missing 1 required positional argument: 'indices'");
            return NULL;
        }
        ct_max_unpool_opts o = {.stride = m->stride,
                                .padding = m->padding,
                                .output_ndim = m->output_ndim,
                                .output_size = m->output_ndim ? m->unpool_output_size : NULL};
        if (m->nsp == 1) return ct_max_unpool1d_opts(x, second, m->kernel_size, &o);
        if (m->nsp == 2) return ct_max_unpool2d_opts(x, second, m->kernel_size, &o);
        return ct_max_unpool3d_opts(x, second, m->kernel_size, &o);
    }
    case M_AMAX:
        if (m->nsp == 1) return ct_adaptive_max_pool1d_opts(x, m->output_size, indices);
        if (m->nsp == 2) return ct_adaptive_max_pool2d_opts(x, m->output_size, indices);
        return ct_adaptive_max_pool3d_opts(x, m->output_size, indices);
    case M_AAVG:
        if (m->nsp == 1) return ct_adaptive_avg_pool1d_opts(x, m->output_size);
        if (m->nsp == 2) return ct_adaptive_avg_pool2d_opts(x, m->output_size);
        return ct_adaptive_avg_pool3d_opts(x, m->output_size);
    default: {
        ct_lp_pool_opts o = {.stride = m->stride, .ceil_mode = m->ceil_mode};
        return m->nsp == 1 ? ct_lp_pool1d_opts(x, m->norm_type, m->kernel_size, &o)
                           : ct_lp_pool2d_opts(x, m->norm_type, m->kernel_size, &o);
    }
    }
}

static ct_tensor *pool_forward(ct_module *self, int n, ct_tensor *const *in) {
    return pool_call((pool_module *)self, in[0], n > 1 ? in[1] : NULL, NULL);
}

#define TYPE(var, nm) \
    static const ct_module_type var = { \
        .name = nm, .size = sizeof(pool_module), .forward = pool_forward, .extra_repr = pool_repr}
TYPE(max1_type, "MaxPool1d");
TYPE(max2_type, "MaxPool2d");
TYPE(max3_type, "MaxPool3d");
TYPE(avg1_type, "AvgPool1d");
TYPE(avg2_type, "AvgPool2d");
TYPE(avg3_type, "AvgPool3d");
TYPE(unpool1_type, "MaxUnpool1d");
TYPE(unpool2_type, "MaxUnpool2d");
TYPE(unpool3_type, "MaxUnpool3d");
TYPE(amax1_type, "AdaptiveMaxPool1d");
TYPE(amax2_type, "AdaptiveMaxPool2d");
TYPE(amax3_type, "AdaptiveMaxPool3d");
TYPE(aavg1_type, "AdaptiveAvgPool1d");
TYPE(aavg2_type, "AdaptiveAvgPool2d");
TYPE(aavg3_type, "AdaptiveAvgPool3d");
TYPE(lp1_type, "LPPool1d");
TYPE(lp2_type, "LPPool2d");
#undef TYPE

static const ct_module_type *const types[6][3] = {
    {&max1_type, &max2_type, &max3_type},          {&avg1_type, &avg2_type, &avg3_type},
    {&unpool1_type, &unpool2_type, &unpool3_type}, {&amax1_type, &amax2_type, &amax3_type},
    {&aavg1_type, &aavg2_type, &aavg3_type},       {&lp1_type, &lp2_type, NULL}};

static pool_module *pool_new(int kind, int nsp) {
    pool_module *m = (pool_module *)ct_module_new(types[kind][nsp - 1]);
    if (!m) return NULL;
    m->kind = kind, m->nsp = nsp;
    return m;
}

/* kernel_size must be an int or an nsp-tuple */
static bool valid_ints(ct_pool_ints a, int nsp, bool optional, const char *what) {
    if ((optional && a.n == 0) || a.n == 1 || a.n == nsp) return true;
    ct__error("%s must be an int or a tuple of %d ints, but got %d values", what, nsp, a.n);
    return false;
}

static const ct_pool_ints int0 = {1, {0, 0, 0}}, int1 = {1, {1, 0, 0}};

static ct_module *max_pool_new(int nsp, ct_pool_ints k, const ct_max_pool_opts *o) {
    static const ct_max_pool_opts none = {0};
    if (!o) o = &none;
    if (!valid_ints(k, nsp, false, "kernel_size") || !valid_ints(o->stride, nsp, true, "stride") ||
        !valid_ints(o->padding, nsp, true, "padding") || !valid_ints(o->dilation, nsp, true, "dilation"))
        return NULL;
    pool_module *m = pool_new(M_MAX, nsp);
    if (!m) return NULL;
    m->kernel_size = k;
    m->stride = o->stride.n ? o->stride : k; /* stride if (stride is not None) else kernel_size */
    m->padding = o->padding.n ? o->padding : int0;
    m->dilation = o->dilation.n ? o->dilation : int1;
    m->ceil_mode = o->ceil_mode;
    m->return_indices = o->return_indices;
    return &m->base;
}
ct_module *ct_nn_max_pool1d_opts(ct_pool_ints k, const ct_max_pool_opts *o) { return max_pool_new(1, k, o); }
ct_module *ct_nn_max_pool2d_opts(ct_pool_ints k, const ct_max_pool_opts *o) { return max_pool_new(2, k, o); }
ct_module *ct_nn_max_pool3d_opts(ct_pool_ints k, const ct_max_pool_opts *o) { return max_pool_new(3, k, o); }

ct_tensor *ct_max_pool_forward_with_indices(ct_module *mod, const ct_tensor *x, ct_tensor **indices) {
    if (indices) *indices = NULL;
    if (!mod || !x || !indices) return NULL;
    pool_module *m = (pool_module *)mod;
    bool ok = false;
    for (int i = 0; i < 3; i++) ok |= mod->type == types[M_MAX][i] || mod->type == types[M_AMAX][i];
    if (!ok) {
        ct__error("ct_max_pool_forward_with_indices: expected a MaxPool or AdaptiveMaxPool module, got %s",
                  ct_module_name(mod));
        return NULL;
    }
    return pool_call(m, x, NULL, indices);
}

static ct_module *avg_pool_new(int nsp, ct_pool_ints k, const ct_avg_pool_opts *o) {
    static const ct_avg_pool_opts none = {0};
    if (!o) o = &none;
    if (!valid_ints(k, nsp, false, "kernel_size") || !valid_ints(o->stride, nsp, true, "stride") ||
        !valid_ints(o->padding, nsp, true, "padding"))
        return NULL;
    pool_module *m = pool_new(M_AVG, nsp);
    if (!m) return NULL;
    m->kernel_size = k;
    m->stride = o->stride.n ? o->stride : k;
    m->padding = o->padding.n ? o->padding : int0;
    m->ceil_mode = o->ceil_mode;
    m->count_include_pad = !o->no_count_include_pad;
    m->divisor_override = o->divisor_override;
    return &m->base;
}
ct_module *ct_nn_avg_pool1d_opts(ct_pool_ints k, const ct_avg_pool_opts *o) { return avg_pool_new(1, k, o); }
ct_module *ct_nn_avg_pool2d_opts(ct_pool_ints k, const ct_avg_pool_opts *o) { return avg_pool_new(2, k, o); }
ct_module *ct_nn_avg_pool3d_opts(ct_pool_ints k, const ct_avg_pool_opts *o) { return avg_pool_new(3, k, o); }

static ct_module *unpool_new(int nsp, ct_pool_ints k, const ct_max_unpool_opts *o) {
    static const ct_max_unpool_opts none = {0};
    if (!o) o = &none;
    if (!valid_ints(k, nsp, false, "kernel_size") || !valid_ints(o->stride, nsp, true, "stride") ||
        !valid_ints(o->padding, nsp, true, "padding"))
        return NULL;
    if (o->output_size && (o->output_ndim < 0 || o->output_ndim > 5)) {
        ct__error("output_size should be a sequence containing %d or %d elements, but it has a length of '%d'", nsp,
                  nsp + 2, o->output_ndim);
        return NULL;
    }
    pool_module *m = pool_new(M_UNPOOL, nsp);
    if (!m) return NULL;
    m->kernel_size = k;
    m->stride = o->stride.n ? o->stride : k;
    m->padding = o->padding.n ? o->padding : int0;
    if (o->output_size) {
        m->output_ndim = o->output_ndim;
        memcpy(m->unpool_output_size, o->output_size, (size_t)o->output_ndim * sizeof(int64_t));
    }
    return &m->base;
}
ct_module *ct_nn_max_unpool1d_opts(ct_pool_ints k, const ct_max_unpool_opts *o) { return unpool_new(1, k, o); }
ct_module *ct_nn_max_unpool2d_opts(ct_pool_ints k, const ct_max_unpool_opts *o) { return unpool_new(2, k, o); }
ct_module *ct_nn_max_unpool3d_opts(ct_pool_ints k, const ct_max_unpool_opts *o) { return unpool_new(3, k, o); }

static ct_module *adaptive_new(int kind, int nsp, ct_pool_ints os, bool return_indices) {
    if (!valid_ints(os, nsp, false, "output_size")) return NULL;
    pool_module *m = pool_new(kind, nsp);
    if (!m) return NULL;
    m->output_size = os;
    m->return_indices = return_indices;
    return &m->base;
}
ct_module *ct_nn_adaptive_avg_pool1d_opts(ct_pool_ints os) { return adaptive_new(M_AAVG, 1, os, false); }
ct_module *ct_nn_adaptive_avg_pool2d_opts(ct_pool_ints os) { return adaptive_new(M_AAVG, 2, os, false); }
ct_module *ct_nn_adaptive_avg_pool3d_opts(ct_pool_ints os) { return adaptive_new(M_AAVG, 3, os, false); }
ct_module *ct_nn_adaptive_max_pool1d_opts(ct_pool_ints os, bool ri) { return adaptive_new(M_AMAX, 1, os, ri); }
ct_module *ct_nn_adaptive_max_pool2d_opts(ct_pool_ints os, bool ri) { return adaptive_new(M_AMAX, 2, os, ri); }
ct_module *ct_nn_adaptive_max_pool3d_opts(ct_pool_ints os, bool ri) { return adaptive_new(M_AMAX, 3, os, ri); }

static ct_module *lp_new(int nsp, double p, ct_pool_ints k, const ct_lp_pool_opts *o) {
    static const ct_lp_pool_opts none = {0};
    if (!o) o = &none;
    if (!valid_ints(k, nsp, false, "kernel_size") || !valid_ints(o->stride, nsp, true, "stride")) return NULL;
    pool_module *m = pool_new(M_LP, nsp);
    if (!m) return NULL;
    m->norm_type = p;
    m->kernel_size = k;
    m->stride = o->stride; /* LPPool keeps stride=None */
    m->ceil_mode = o->ceil_mode;
    return &m->base;
}
ct_module *ct_nn_lp_pool1d_opts(double p, ct_pool_ints k, const ct_lp_pool_opts *o) { return lp_new(1, p, k, o); }
ct_module *ct_nn_lp_pool2d_opts(double p, ct_pool_ints k, const ct_lp_pool_opts *o) { return lp_new(2, p, k, o); }
