/* The module object: lifetime, registration, lookup, calling with hooks,
 * iteration and the training flag. */
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"
#include "base/text.h"
#include "nn/module_impl.h"

int ct__grow(void **items, int n, int *cap, size_t elem) {
    if (n < *cap) return CT_OK;
    int c = *cap ? *cap * 2 : 4;
    void *p = realloc(*items, (size_t)c * elem);
    if (!p) {
        ct__error_oom((size_t)c * elem);
        return CT_ERROR;
    }
    *items = p;
    *cap = c;
    return CT_OK;
}

const char *ct__torch_size(char *buf, size_t len, const ct_tensor *t) {
    char shape[256];
    snprintf(buf, len, "torch.Size(%s)", ct__format_shape(shape, sizeof shape, t->ndim, t->sizes));
    return buf;
}

/* ---- lifetime ---- */

ct_module *ct_module_new(const ct_module_type *type) {
    if (!type || !type->name) {
        ct__error("ct_module_new: a module type with a name is required");
        return NULL;
    }
    size_t size = type->size ? type->size : sizeof(ct_module);
    if (size < sizeof(ct_module)) {
        ct__error("ct_module_new: type %s has size %zu, smaller than ct_module", type->name, size);
        return NULL;
    }
    ct_module *m = calloc(1, size);
    struct ct_module_private *p = calloc(1, sizeof *p);
    if (!m || !p) {
        free(m);
        free(p);
        ct__error_oom(size);
        return NULL;
    }
    atomic_init(&p->refcount, 1);
    p->training = true;
    p->next_hook_id = 1;
    m->type = type;
    m->priv = p;
    return m;
}

ct_module *ct_module_ref(ct_module *m) {
    if (m) atomic_fetch_add(&m->priv->refcount, 1);
    return m;
}

static void drop_tensor(ct_tensor *t) {
    /* module tensors are never tracked by scopes */
    ct__drop(t);
}

void ct_module_free(ct_module *m) {
    if (!m || atomic_fetch_sub(&m->priv->refcount, 1) != 1) return;
    if (m->type->destroy) m->type->destroy(m);
    struct ct_module_private *p = m->priv;
    for (int i = 0; i < p->nparams; i++) free(p->params[i].name), drop_tensor(p->params[i].t);
    for (int i = 0; i < p->nbuffers; i++) free(p->buffers[i].name), drop_tensor(p->buffers[i].t);
    for (int i = 0; i < p->nchildren; i++) free(p->children[i].name), ct_module_free(p->children[i].m);
    free(p->params);
    free(p->buffers);
    free(p->children);
    free(p->hooks);
    free(p);
    free(m);
}

const char *ct_module_name(const ct_module *m) { return m ? m->type->name : NULL; }

/* ---- registration ---- */

static ct_member *find_member(ct_member *items, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(items[i].name, name)) return &items[i];
    return NULL;
}

static ct_child *find_child(const ct_module *m, const char *name) {
    for (int i = 0; i < m->priv->nchildren; i++)
        if (!strcmp(m->priv->children[i].name, name)) return &m->priv->children[i];
    return NULL;
}

/* PyTorch's checks on a new member's name (register_parameter's words). */
static int check_name(const ct_module *m, const char *name, const char *what, int kind) {
    if (!name) {
        ct__error("%s name should be a string. Got NoneType", what);
        return CT_ERROR;
    }
    if (!*name) {
        ct__error("%s name can't be empty string \"\"", what);
        return CT_ERROR;
    }
    if (strchr(name, '.')) {
        ct__error("%s name can't contain \".\"", what);
        return CT_ERROR;
    }
    const struct ct_module_private *p = m->priv;
    bool other = (kind != 0 && find_member(p->params, p->nparams, name)) ||
                 (kind != 1 && find_member(p->buffers, p->nbuffers, name)) || (kind != 2 && find_child(m, name));
    if (other) {
        ct__error("attribute '%s' already exists", name);
        return CT_ERROR;
    }
    return CT_OK;
}

static ct_tensor *add_member(ct_module *m, ct_member **items, int *n, int *cap, const char *name, ct_tensor *t,
                             bool persistent, int kind, const char *what) {
    if (check_name(m, name, what, kind) != CT_OK) {
        ct_free(t);
        return NULL;
    }
    if (t) ct__scope_untrack(t); /* the module owns it now */
    ct_member *old = find_member(*items, *n, name);
    if (old) {
        drop_tensor(old->t);
        old->t = t;
        old->persistent = persistent;
        return t;
    }
    char *copy = ct__strdup(name);
    if (!copy || ct__grow((void **)items, *n, cap, sizeof **items) != CT_OK) {
        free(copy);
        drop_tensor(t);
        if (!copy) ct__error_oom(strlen(name));
        return NULL;
    }
    (*items)[(*n)++] = (ct_member){copy, t, persistent};
    return t;
}

ct_tensor *ct_module_register_parameter(ct_module *m, const char *name, ct_tensor *p) {
    if (!m) {
        ct_free(p);
        return NULL;
    }
    if (p) {
        if (ct__grad_fn(p)) {
            ct__error("Cannot assign non-leaf Tensor to parameter '%s'. Model parameters must be created explicitly. "
                      "To express '%s' as a function of another Tensor, compute the value in the forward() method.",
                      name ? name : "", name ? name : "");
            ct_free(p);
            return NULL;
        }
        if (ct_requires_grad_(p, true) != CT_OK) {
            ct_free(p);
            return NULL;
        }
    }
    struct ct_module_private *q = m->priv;
    return add_member(m, &q->params, &q->nparams, &q->cap_params, name, p, true, 0, "parameter");
}

ct_tensor *ct_module_register_buffer(ct_module *m, const char *name, ct_tensor *b, bool persistent) {
    if (!m) {
        ct_free(b);
        return NULL;
    }
    struct ct_module_private *q = m->priv;
    return add_member(m, &q->buffers, &q->nbuffers, &q->cap_buffers, name, b, persistent, 1, "buffer");
}

ct_module *ct_module_register_module(ct_module *m, const char *name, ct_module *child) {
    if (!m) {
        ct_module_free(child);
        return NULL;
    }
    if (check_name(m, name, "module", 2) != CT_OK) {
        ct_module_free(child);
        return NULL;
    }
    ct_child *old = find_child(m, name);
    if (old) {
        ct_module_free(old->m);
        old->m = child;
        return child;
    }
    struct ct_module_private *q = m->priv;
    char *copy = ct__strdup(name);
    if (!copy || ct__grow((void **)&q->children, q->nchildren, &q->cap_children, sizeof *q->children) != CT_OK) {
        free(copy);
        ct_module_free(child);
        if (!copy) ct__error_oom(strlen(name));
        return NULL;
    }
    q->children[q->nchildren++] = (ct_child){copy, child};
    return child;
}

/* ---- lookup by dotted name ---- */

/* Split "a.b.c" into the owner of "c" and "c". */
static const ct_module *owner_of(const ct_module *m, const char *name, const char **leaf) {
    const char *dot;
    while (m && (dot = strchr(name, '.'))) {
        char part[256];
        size_t len = (size_t)(dot - name);
        if (len >= sizeof part) return NULL;
        memcpy(part, name, len);
        part[len] = 0;
        ct_child *c = find_child(m, part);
        m = c ? c->m : NULL;
        name = dot + 1;
    }
    *leaf = name;
    return m;
}

ct_tensor *ct_module_get_parameter(const ct_module *m, const char *name) {
    const char *leaf;
    const ct_module *o = m && name ? owner_of(m, name, &leaf) : NULL;
    ct_member *mem = o ? find_member(o->priv->params, o->priv->nparams, leaf) : NULL;
    return mem ? mem->t : NULL;
}

ct_tensor *ct_module_get_buffer(const ct_module *m, const char *name) {
    const char *leaf;
    const ct_module *o = m && name ? owner_of(m, name, &leaf) : NULL;
    ct_member *mem = o ? find_member(o->priv->buffers, o->priv->nbuffers, leaf) : NULL;
    return mem ? mem->t : NULL;
}

ct_module *ct_module_get_submodule(const ct_module *m, const char *name) {
    if (!m || !name) return NULL;
    if (!*name) return (ct_module *)m;
    const char *leaf;
    const ct_module *o = owner_of(m, name, &leaf);
    ct_child *c = o ? find_child(o, leaf) : NULL;
    return c ? c->m : NULL;
}

static int set_member(ct_module *m, const char *name, ct_tensor *t, bool param) {
    const char *leaf;
    const ct_module *o = m && name ? owner_of(m, name, &leaf) : NULL;
    ct_member *mem = NULL;
    if (o) mem = param ? find_member(o->priv->params, o->priv->nparams, leaf)
                       : find_member(o->priv->buffers, o->priv->nbuffers, leaf);
    if (!mem) {
        if (m && name) ct__error("'%s' has no %s '%s'", m->type->name, param ? "parameter" : "buffer", name);
        ct_free(t);
        return CT_ERROR;
    }
    if (t && mem->t) {
        /* keep the registered handle (layers hold pointers to it) and give
         * it t's data, shape and dtype: PyTorch's `param.data = t` */
        ct__set_data(mem->t, t);
        ct_free(t);
        return CT_OK;
    }
    if (t) {
        ct__scope_untrack(t);
        if (param && !t->requires_grad && ct_requires_grad_(t, true) != CT_OK) {
            drop_tensor(t);
            return CT_ERROR;
        }
    }
    drop_tensor(mem->t);
    mem->t = t;
    return CT_OK;
}

int ct_module_set_parameter(ct_module *m, const char *name, ct_tensor *t) { return set_member(m, name, t, true); }
int ct_module_set_buffer(ct_module *m, const char *name, ct_tensor *t) { return set_member(m, name, t, false); }

/* ---- full backward hooks (PyTorch's torch.utils.hooks.BackwardHook) ----
 * One state per module call, shared by two identity nodes named
 * BackwardHookFunctionBackward: one between the inputs that require grad
 * and forward, one after the output. The output node runs first in
 * backward and records grad_output; the input node then calls the user
 * hooks with (grad_input, grad_output). The state lives in a 1-byte uint8
 * tensor over caller memory saved in both nodes, so it is freed with the
 * graph (the blob's deleter). */

#define BW_MAX_REQ CT_NODE_MAX_OUTPUTS

typedef struct bw_state {
    ct_module *module; /* a reference */
    int nhooks;
    ct_mhook *hooks;   /* a copy of the full backward hooks at call time */
    int n_inputs;
    int n_req;              /* inputs that require grad (0: PyTorch's input_tensors_index None) */
    int req_index[BW_MAX_REQ]; /* their positions among the inputs */
    ct_tensor *grad_output; /* captured by the output node; NULL when not (yet) known */
    /* the inputs' shapes: an input that does not require grad gets a zero
     * grad_input when another one does (PyTorch's materialized gradient) */
    ct_dtype dtype[8];
    int ndim[8];
    int64_t sizes[8][CT_MAX_DIMS];
} bw_state;

static void bw_state_free(void *data, void *ctx) {
    (void)ctx;
    bw_state *st = data;
    ct_module_free(st->module);
    if (st->grad_output) ct__drop(st->grad_output);
    free(st->hooks);
    free(st);
}

static bw_state *bw_unpack(ct_node *n, ct_tensor **blob) {
    *blob = ct__unpack(n, 0);
    return *blob ? (bw_state *)ct__data(*blob) : NULL;
}

/* Calls the user hooks; grad_input[] holds new references (or NULL) and is
 * updated in place with the replacements. */
static int bw_call_hooks(bw_state *st, ct_tensor **grad_input, bool none_inputs) {
    for (int h = 0; h < st->nhooks; h++) {
        ct_tensor *repl[8] = {0};
        ct_full_backward_hook fn = (ct_full_backward_hook)st->hooks[h].fn;
        int rc = fn(st->module, st->n_inputs, grad_input, 1, &st->grad_output, repl, st->hooks[h].ctx);
        bool replaced = false;
        for (int i = 0; i < st->n_inputs; i++) replaced |= repl[i] != NULL;
        if (rc != CT_OK || (replaced && none_inputs)) {
            for (int i = 0; i < st->n_inputs; i++) ct_free(repl[i]);
            if (rc == CT_OK)
                ct__error("Backward hook for Modules where no input requires gradient should always return None or "
                          "None for all gradients.");
            return CT_ERROR;
        }
        for (int i = 0; i < st->n_inputs; i++) {
            if (!repl[i]) continue;
            ct__scope_untrack(repl[i]);
            if (grad_input[i]) ct__drop(grad_input[i]);
            grad_input[i] = repl[i];
        }
    }
    return CT_OK;
}

/* The output node: identity; records grad_output. */
static int bw_output_backward(ct_node *n, ct_tensor *const *grads_in, ct_tensor **grads_out) {
    ct_tensor *blob;
    bw_state *st = bw_unpack(n, &blob);
    if (!st) return CT_ERROR;
    if (st->grad_output) ct__drop(st->grad_output);
    st->grad_output = ct_ref(grads_in[0]);
    int rc = CT_OK;
    if (st->n_req == 0) {
        ct_tensor *none[8] = {0};
        rc = bw_call_hooks(st, none, true);
        ct__drop(st->grad_output);
        st->grad_output = NULL;
    }
    ct_free(blob);
    if (rc != CT_OK) return CT_ERROR;
    if (n->next[0].fn) grads_out[0] = ct_ref(grads_in[0]);
    return CT_OK;
}

/* The input node: identity, then the user hooks may replace grad_input. */
static int bw_input_backward(ct_node *n, ct_tensor *const *grads_in, ct_tensor **grads_out) {
    ct_tensor *blob;
    bw_state *st = bw_unpack(n, &blob);
    if (!st) return CT_ERROR;
    ct_tensor *gi[8] = {0};
    for (int k = 0; k < st->n_req; k++) gi[st->req_index[k]] = ct_ref(grads_in[k]);
    int rc = CT_OK;
    for (int i = 0; i < st->n_inputs && rc == CT_OK; i++) {
        if (gi[i]) continue;
        gi[i] = ct_zeros(st->ndim[i], st->sizes[i], CT_OPTS(.dtype = st->dtype[i]));
        if (gi[i]) ct__scope_untrack(gi[i]);
        else rc = CT_ERROR;
    }
    if (st->grad_output) { /* else the output did not depend on this graph: PyTorch skips the hooks */
        rc = bw_call_hooks(st, gi, false);
        ct__drop(st->grad_output);
        st->grad_output = NULL;
    }
    for (int k = 0; k < st->n_req && rc == CT_OK; k++) {
        ct_tensor *g = gi[st->req_index[k]];
        if (n->next[k].fn && g) grads_out[k] = ct_ref(g);
    }
    for (int i = 0; i < st->n_inputs; i++)
        if (gi[i]) ct__drop(gi[i]);
    ct_free(blob);
    return rc;
}

/* Identity aliases of ins[0..n) recorded as one BackwardHookFunctionBackward
 * node whose saved slot 0 is blob. outs[] receive new references. */
static int bw_wrap(int n, ct_tensor *const *ins, ct_tensor **outs, ct_backward_fn fn, ct_tensor *blob) {
    for (int k = 0; k < n; k++) outs[k] = NULL;
    for (int k = 0; k < n; k++)
        if (!(outs[k] = ct_detach(ins[k]))) goto fail;
    ct_node *node = ct__record("BackwardHookFunctionBackward", fn, outs[0], n, (const ct_tensor *const *)ins);
    if (!node || ct__save(node, 0, blob, false, 0) != CT_OK) goto fail;
    for (int k = 1; k < n; k++)
        if (ct__record_output(node, outs[k], k) != CT_OK) goto fail;
    return CT_OK;
fail:
    for (int k = 0; k < n; k++) ct_free(outs[k]);
    return CT_ERROR;
}

/* setup_input_hook: returns the state's blob (a new reference) and replaces
 * the inputs that require grad in args[] (new references in wrapped[]). */
static ct_tensor *bw_setup(ct_module *m, int n, ct_tensor **args, ct_tensor **wrapped) {
    struct ct_module_private *p = m->priv;
    bw_state *st = calloc(1, sizeof *st);
    if (!st) return ct__error_oom(sizeof *st), NULL;
    st->hooks = calloc((size_t)p->nhooks, sizeof *st->hooks);
    if (!st->hooks) {
        free(st);
        return ct__error_oom(sizeof *st->hooks), NULL;
    }
    for (int h = 0; h < p->nhooks; h++)
        if (p->hooks[h].kind == CT_HOOK_FULL_BACKWARD) st->hooks[st->nhooks++] = p->hooks[h];
    st->module = ct_module_ref(m);
    st->n_inputs = n;
    for (int i = 0; i < n; i++) {
        st->dtype[i] = args[i]->dtype;
        st->ndim[i] = args[i]->ndim;
        memcpy(st->sizes[i], args[i]->sizes, sizeof st->sizes[i]);
    }
    ct_tensor *blob = ct_from_blob(st, CT_UINT8, CT_SIZE(1), NULL, bw_state_free, NULL);
    if (!blob) {
        bw_state_free(st, NULL);
        return NULL;
    }
    ct_tensor *req[BW_MAX_REQ];
    for (int i = 0; i < n; i++) {
        if (!ct_requires_grad(args[i])) continue;
        if (st->n_req == BW_MAX_REQ) {
            ct__error("register_full_backward_hook: ctorch supports at most %d inputs that require grad", BW_MAX_REQ);
            ct_free(blob);
            return NULL;
        }
        req[st->n_req] = args[i];
        st->req_index[st->n_req++] = i;
    }
    if (st->n_req && bw_wrap(st->n_req, req, wrapped, bw_input_backward, blob) != CT_OK) {
        ct_free(blob);
        return NULL;
    }
    for (int k = 0; k < st->n_req; k++) args[st->req_index[k]] = wrapped[k];
    return blob;
}

static bool has_hooks(const ct_module *m, int kind) {
    for (int h = 0; h < m->priv->nhooks; h++)
        if (m->priv->hooks[h].kind == kind) return true;
    return false;
}

/* ---- calling ----
 * As nn.Module._call_impl: forward pre-hooks, backward-hook input wrapping,
 * forward, forward hooks, backward-hook output wrapping. */

ct_tensor *ct_forward_n(ct_module *m, int n, ct_tensor *const *inputs) {
    if (!m) return NULL;
    for (int i = 0; i < n; i++)
        if (!inputs || !inputs[i]) return NULL;
    if (!m->type->forward) {
        ct__error("Module [%s] is missing the required \"forward\" function", m->type->name);
        return NULL;
    }
    struct ct_module_private *p = m->priv;
    ct_tensor *args[8];
    if (n > 8) {
        ct__error("ct_forward_n: at most 8 inputs");
        return NULL;
    }
    for (int i = 0; i < n; i++) args[i] = inputs[i];
    ct_tensor *replaced = NULL;
    for (int h = 0; h < p->nhooks; h++) {
        if (p->hooks[h].kind != CT_HOOK_FORWARD_PRE) continue;
        ct_tensor *r = ((ct_forward_pre_hook)p->hooks[h].fn)(m, n, args, p->hooks[h].ctx);
        if (r) {
            ct_free(replaced);
            replaced = r;
            args[0] = r;
        }
    }
    ct_tensor *blob = NULL, *wrapped[BW_MAX_REQ] = {0}, *out = NULL;
    if (ct_is_grad_enabled() && has_hooks(m, CT_HOOK_FULL_BACKWARD)) {
        blob = bw_setup(m, n, args, wrapped);
        if (!blob) goto done;
    }
    out = m->type->forward(m, n, args);
    for (int h = 0; out && h < p->nhooks; h++) {
        if (p->hooks[h].kind != CT_HOOK_FORWARD) continue;
        ct_tensor *r = ((ct_forward_hook)p->hooks[h].fn)(m, n, args, out, p->hooks[h].ctx);
        if (r) {
            ct_free(out);
            out = r;
        }
    }
    if (out && blob && ct_requires_grad(out)) {
        ct_tensor *w;
        ct_tensor *o = out;
        if (bw_wrap(1, &o, &w, bw_output_backward, blob) != CT_OK) w = NULL;
        ct_free(out);
        out = w;
    }
done:
    for (int k = 0; k < BW_MAX_REQ; k++) ct_free(wrapped[k]);
    ct_free(blob);
    ct_free(replaced);
    return out;
}

ct_tensor *ct_forward(ct_module *m, const ct_tensor *input) {
    ct_tensor *in = (ct_tensor *)input;
    return input ? ct_forward_n(m, 1, &in) : NULL;
}

static int add_hook(ct_module *m, int kind, void *fn, void *ctx) {
    if (!m) return CT_ERROR;
    if (!fn) {
        ct__error("%s: the hook must not be NULL", kind == CT_HOOK_FULL_BACKWARD ? "register_full_backward_hook"
                                                    : kind == CT_HOOK_FORWARD_PRE ? "register_forward_pre_hook"
                                                                                   : "register_forward_hook");
        return CT_ERROR;
    }
    struct ct_module_private *p = m->priv;
    if (ct__grow((void **)&p->hooks, p->nhooks, &p->cap_hooks, sizeof *p->hooks) != CT_OK) return CT_ERROR;
    p->hooks[p->nhooks] = (ct_mhook){p->next_hook_id++, kind, fn, ctx};
    return p->hooks[p->nhooks++].id;
}

int ct_module_register_forward_pre_hook(ct_module *m, ct_forward_pre_hook fn, void *ctx) {
    return add_hook(m, CT_HOOK_FORWARD_PRE, (void *)fn, ctx);
}

int ct_module_register_forward_hook(ct_module *m, ct_forward_hook fn, void *ctx) {
    return add_hook(m, CT_HOOK_FORWARD, (void *)fn, ctx);
}

int ct_module_register_full_backward_hook(ct_module *m, ct_full_backward_hook fn, void *ctx) {
    return add_hook(m, CT_HOOK_FULL_BACKWARD, (void *)fn, ctx);
}

int ct_module_remove_hook(ct_module *m, int handle) {
    if (!m) return CT_ERROR;
    struct ct_module_private *p = m->priv;
    for (int i = 0; i < p->nhooks; i++) {
        if (p->hooks[i].id != handle) continue;
        memmove(&p->hooks[i], &p->hooks[i + 1], (size_t)(p->nhooks - i - 1) * sizeof *p->hooks);
        p->nhooks--;
        return CT_OK;
    }
    ct__error("remove_hook: no hook with handle %d on this module", handle);
    return CT_ERROR;
}

/* ---- iteration ---- */

typedef struct {
    int n, cap;
    char **names;
    void **items;
} collect;

static bool seen(const collect *c, const void *item) {
    for (int i = 0; i < c->n; i++)
        if (c->items[i] == item) return true;
    return false;
}

static int push(collect *c, const char *prefix, const char *name, void *item) {
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 16;
        char **nn = realloc(c->names, (size_t)cap * sizeof *nn);
        if (!nn) return CT_ERROR;
        c->names = nn;
        void **ni = realloc(c->items, (size_t)cap * sizeof *ni);
        if (!ni) return CT_ERROR;
        c->items = ni;
        c->cap = cap;
    }
    size_t len = strlen(prefix) + strlen(name) + 2;
    char *full = malloc(len);
    if (!full) return CT_ERROR;
    snprintf(full, len, "%s%s%s", prefix, *prefix && *name ? "." : "", name);
    c->names[c->n] = full;
    c->items[c->n++] = item;
    return CT_OK;
}

/* named_modules order: self, then each child's subtree (pre-order). */
static int walk_modules(const ct_module *m, const char *prefix, collect *c) {
    if (seen(c, m)) return CT_OK;
    if (push(c, prefix, "", (void *)m) != CT_OK) return CT_ERROR;
    for (int i = 0; i < m->priv->nchildren; i++) {
        ct_child *ch = &m->priv->children[i];
        if (!ch->m) continue;
        size_t len = strlen(prefix) + strlen(ch->name) + 2;
        char *sub = malloc(len);
        if (!sub) return CT_ERROR;
        snprintf(sub, len, "%s%s%s", prefix, *prefix ? "." : "", ch->name);
        int rc = walk_modules(ch->m, sub, c);
        free(sub);
        if (rc != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

static void collect_free(collect *c) {
    for (int i = 0; i < c->n; i++) free(c->names[i]);
    free(c->names);
    free(c->items);
}

ct_named_modules ct_module_named_modules(const ct_module *m) {
    ct_named_modules out = {0};
    if (!m) return out;
    collect c = {0};
    if (walk_modules(m, "", &c) != CT_OK) {
        collect_free(&c);
        ct__error_oom(0);
        return out;
    }
    return (ct_named_modules){c.n, c.names, (ct_module **)c.items};
}

ct_named_modules ct_module_named_children(const ct_module *m) {
    ct_named_modules out = {0};
    if (!m) return out;
    collect c = {0};
    for (int i = 0; i < m->priv->nchildren; i++) {
        ct_child *ch = &m->priv->children[i];
        if (!ch->m || seen(&c, ch->m)) continue;
        if (push(&c, "", ch->name, ch->m) != CT_OK) {
            collect_free(&c);
            ct__error_oom(0);
            return out;
        }
    }
    return (ct_named_modules){c.n, c.names, (ct_module **)c.items};
}

static ct_named_tensors named_members(const ct_module *m, bool recurse, bool params) {
    ct_named_tensors out = {0};
    if (!m) return out;
    ct_named_modules mods = {0};
    if (recurse) {
        mods = ct_module_named_modules(m);
    } else {
        static const char empty[] = "";
        char *self_name = (char *)empty;
        mods = (ct_named_modules){1, &self_name, (ct_module **)&m};
    }
    collect c = {0};
    int rc = CT_OK;
    for (int k = 0; k < mods.n && rc == CT_OK; k++) {
        struct ct_module_private *p = mods.modules[k]->priv;
        ct_member *items = params ? p->params : p->buffers;
        int n = params ? p->nparams : p->nbuffers;
        for (int i = 0; i < n && rc == CT_OK; i++) {
            if (!items[i].t || seen(&c, items[i].t)) continue;
            rc = push(&c, mods.names[k], items[i].name, items[i].t);
        }
    }
    if (recurse) ct_named_modules_free(&mods);
    if (rc != CT_OK) {
        collect_free(&c);
        ct__error_oom(0);
        return out;
    }
    return (ct_named_tensors){c.n, c.names, (ct_tensor **)c.items};
}

ct_named_tensors ct_module_named_parameters(const ct_module *m, bool recurse) { return named_members(m, recurse, true); }
ct_named_tensors ct_module_named_buffers(const ct_module *m, bool recurse) { return named_members(m, recurse, false); }

void ct_named_tensors_free(ct_named_tensors *l) {
    if (!l) return;
    for (int i = 0; i < l->n; i++) free(l->names[i]);
    free(l->names);
    free(l->tensors);
    *l = (ct_named_tensors){0};
}

void ct_named_modules_free(ct_named_modules *l) {
    if (!l) return;
    for (int i = 0; i < l->n; i++) free(l->names[i]);
    free(l->names);
    free(l->modules);
    *l = (ct_named_modules){0};
}

int ct_module_num_parameters(const ct_module *m) {
    ct_named_tensors l = ct_module_named_parameters(m, true);
    int n = l.n;
    ct_named_tensors_free(&l);
    return n;
}

int64_t ct_module_num_parameter_elements(const ct_module *m) {
    ct_named_tensors l = ct_module_named_parameters(m, true);
    int64_t n = 0;
    for (int i = 0; i < l.n; i++) n += ct_numel(l.tensors[i]);
    ct_named_tensors_free(&l);
    return n;
}

/* ---- state ---- */

int ct_module_train(ct_module *m, bool mode) {
    if (!m) return CT_ERROR;
    ct_named_modules all = ct_module_named_modules(m);
    for (int i = 0; i < all.n; i++) all.modules[i]->priv->training = mode;
    ct_named_modules_free(&all);
    return CT_OK;
}

int ct_module_eval(ct_module *m) { return ct_module_train(m, false); }
bool ct_module_is_training(const ct_module *m) { return m && m->priv->training; }

int ct_module_requires_grad_(ct_module *m, bool requires_grad) {
    if (!m) return CT_ERROR;
    ct_named_tensors ps = ct_module_named_parameters(m, true);
    int rc = CT_OK;
    for (int i = 0; i < ps.n && rc == CT_OK; i++) rc = ct_requires_grad_(ps.tensors[i], requires_grad);
    ct_named_tensors_free(&ps);
    return rc;
}

int ct_module_zero_grad(ct_module *m, bool set_to_none) {
    if (!m) return CT_ERROR;
    ct_named_tensors ps = ct_module_named_parameters(m, true);
    int rc = CT_OK;
    for (int i = 0; i < ps.n && rc == CT_OK; i++) {
        ct_tensor *g = ct_grad(ps.tensors[i]);
        if (!g) continue;
        if (set_to_none) {
            rc = ct_set_grad(ps.tensors[i], NULL);
        } else {
            /* PyTorch detaches a grad that has a grad_fn, then zeroes it */
            CT_NO_GRAD { rc = ct_zero_(g); }
        }
        ct_free(g);
    }
    ct_named_tensors_free(&ps);
    return rc;
}

/* Convert every floating tensor in items to dtype in place (t.data =
 * t.to(dtype), as Module._apply does): handles stay the same, so pointers
 * kept by layers and users remain valid; a parameter's .grad follows. */
static int convert_data(ct_tensor *t, ct_dtype dtype) {
    ct_tensor *c;
    CT_NO_GRAD { c = ct_to_dtype(t, dtype); }
    if (!c) return CT_ERROR;
    ct__set_data(t, c);
    ct_free(c);
    return CT_OK;
}

static int convert_members(ct_member *items, int n, ct_dtype dtype) {
    for (int i = 0; i < n; i++) {
        ct_tensor *t = items[i].t;
        if (!t || !ct_is_floating_point(t) || ct_dtype_of(t) == dtype) continue;
        if (convert_data(t, dtype) != CT_OK) return CT_ERROR;
        ct_tensor *g = ct_grad(t);
        int rc = g ? convert_data(g, dtype) : CT_OK;
        ct_free(g);
        if (rc != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

int ct_module_to(ct_module *m, ct_dtype dtype) {
    if (!m) return CT_ERROR;
    if (!ct_dtype_is_floating_point(dtype)) {
        ct__error("nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.%s",
                  ct_dtype_name(dtype));
        return CT_ERROR;
    }
    ct_named_modules all = ct_module_named_modules(m);
    int rc = CT_OK;
    for (int i = 0; i < all.n && rc == CT_OK; i++) {
        struct ct_module_private *p = all.modules[i]->priv;
        rc = convert_members(p->params, p->nparams, dtype);
        if (rc == CT_OK) rc = convert_members(p->buffers, p->nbuffers, dtype);
    }
    ct_named_modules_free(&all);
    return rc;
}

int ct_module_apply(ct_module *m, int (*fn)(ct_module *m, void *ctx), void *ctx) {
    if (!m || !fn) return CT_ERROR;
    for (int i = 0; i < m->priv->nchildren; i++)
        if (m->priv->children[i].m && ct_module_apply(m->priv->children[i].m, fn, ctx) != CT_OK) return CT_ERROR;
    return fn(m, ctx);
}
