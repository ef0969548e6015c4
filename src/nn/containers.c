/* Containers: Sequential, ModuleList, ModuleDict, ParameterList,
 * ParameterDict. */
#include <stdlib.h>
#include <string.h>

#include "nn/module_impl.h"

static ct_tensor *sequential_forward(ct_module *self, int n, ct_tensor *const *inputs) {
    if (n != 1) {
        ct__error("forward() takes 2 positional arguments but %d were given", n + 1);
        return NULL;
    }
    struct ct_module_private *p = self->priv;
    ct_tensor *x = ct__retain(inputs[0]);
    for (int i = 0; i < p->nchildren && x; i++) {
        if (!p->children[i].m) {
            ct__error("'NoneType' object is not callable");
            ct_free(x);
            return NULL;
        }
        ct_tensor *y = ct_forward(p->children[i].m, x);
        ct_free(x);
        x = y;
    }
    return x;
}

static const ct_module_type sequential_type = {.name = "Sequential", .forward = sequential_forward};
static const ct_module_type module_list_type = {.name = "ModuleList"};
static const ct_module_type module_dict_type = {.name = "ModuleDict"};

static ct_module *build(const ct_module_type *type, int n, const char *const *names, ct_module *const *modules) {
    ct_module *m = ct_module_new(type);
    bool ok = m != NULL && n >= 0;
    for (int i = 0; i < n; i++) {
        if (!ok) {
            ct_module_free(modules[i]); /* consumed even on failure */
            continue;
        }
        char idx[32];
        snprintf(idx, sizeof idx, "%d", i);
        if (!modules[i]) {
            ct__error("%s: module %d is NULL", type->name, i);
            ok = false;
            continue;
        }
        if (!ct_module_register_module(m, names ? names[i] : idx, modules[i])) ok = false;
    }
    if (!ok) {
        ct_module_free(m);
        return NULL;
    }
    return m;
}

ct_module *ct_nn_sequential(int n, ct_module *const *modules) { return build(&sequential_type, n, NULL, modules); }
ct_module *ct_nn_sequential_named(int n, const char *const *names, ct_module *const *modules) {
    return build(&sequential_type, n, names, modules);
}
ct_module *ct_nn_module_list(int n, ct_module *const *modules) { return build(&module_list_type, n, NULL, modules); }
ct_module *ct_nn_module_dict(int n, const char *const *names, ct_module *const *modules) {
    return build(&module_dict_type, n, names, modules);
}

int ct_sequential_append(ct_module *seq, ct_module *child) {
    if (!seq || !child) {
        ct_module_free(child);
        return CT_ERROR;
    }
    char idx[32];
    snprintf(idx, sizeof idx, "%d", seq->priv->nchildren);
    return ct_module_register_module(seq, idx, child) ? CT_OK : CT_ERROR;
}

ct_module *ct_module_at(const ct_module *m, int index) {
    if (!m) return NULL;
    int n = m->priv->nchildren;
    if (index < -n || index >= n) {
        ct__error("index %d is out of range", index);
        return NULL;
    }
    return m->priv->children[index < 0 ? index + n : index].m;
}

ct_module *ct_sequential_slice(const ct_module *seq, int start, int stop) {
    if (!seq) return NULL;
    int n = seq->priv->nchildren;
    if (start < 0) start = start < -n ? 0 : start + n;
    if (stop < 0) stop = stop < -n ? 0 : stop + n;
    if (start > n) start = n;
    if (stop > n) stop = n;
    ct_module *s = ct_module_new(&sequential_type);
    for (int i = start; s && i < stop; i++) {
        ct_child *c = &seq->priv->children[i];
        /* the slice keeps the original names, as Sequential(OrderedDict(items[idx])) */
        if (!ct_module_register_module(s, c->name, ct_module_ref(c->m))) {
            ct_module_free(s);
            return NULL;
        }
    }
    return s;
}

/* ---- parameter containers ---- */

static int params_repr(const ct_module *m, char *buf, size_t len, bool dict) {
    size_t used = 0;
    buf[0] = 0;
    const struct ct_module_private *p = m->priv;
    for (int i = 0; i < p->nparams && used < len; i++) {
        const ct_tensor *t = p->params[i].t;
        char size[256] = "";
        size_t s = 0;
        for (int d = 0; d < t->ndim && s < sizeof size; d++)
            s += (size_t)snprintf(size + s, sizeof size - s, "%s%lld", d ? "x" : "", (long long)t->sizes[d]);
        const char *sname = ct__traits(t->dtype)->storage_name;
        char type[64];
        if (dict) {
            snprintf(type, sizeof type, "torch.%.*sTensor", (int)(strlen(sname) - 7), sname);
        } else {
            snprintf(type, sizeof type, "torch.%s", ct_dtype_name(t->dtype));
        }
        used += (size_t)snprintf(buf + used, len - used, "%s  (%s): Parameter containing: [%s of size %s]",
                                 i ? "\n" : "", p->params[i].name, type, size);
    }
    return (int)used;
}

static int param_list_repr(const ct_module *m, char *buf, size_t len) { return params_repr(m, buf, len, false); }
static int param_dict_repr(const ct_module *m, char *buf, size_t len) { return params_repr(m, buf, len, true); }

static const ct_module_type param_list_type = {.name = "ParameterList", .extra_repr = param_list_repr};
static const ct_module_type param_dict_type = {.name = "ParameterDict", .extra_repr = param_dict_repr};

static ct_module *build_params(const ct_module_type *type, int n, const char *const *names, ct_tensor *const *ps) {
    ct_module *m = ct_module_new(type);
    bool ok = m != NULL;
    for (int i = 0; i < n; i++) {
        if (!ok) {
            ct_free(ps[i]);
            continue;
        }
        char idx[32];
        snprintf(idx, sizeof idx, "%d", i);
        if (!ps[i]) {
            ct__error("%s: parameter %d is NULL", type->name, i);
            ok = false;
            continue;
        }
        if (!ct_module_register_parameter(m, names ? names[i] : idx, ps[i])) ok = false;
    }
    if (!ok) {
        ct_module_free(m);
        return NULL;
    }
    return m;
}

ct_module *ct_nn_parameter_list(int n, ct_tensor *const *params) {
    return build_params(&param_list_type, n, NULL, params);
}
ct_module *ct_nn_parameter_dict(int n, const char *const *names, ct_tensor *const *params) {
    return build_params(&param_dict_type, n, names, params);
}

int ct_module_len(const ct_module *m) {
    if (!m) return -1;
    bool params = m->type == &param_list_type || m->type == &param_dict_type;
    return params ? m->priv->nparams : m->priv->nchildren;
}
