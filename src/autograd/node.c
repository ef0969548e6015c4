/* Graph nodes, per-tensor autograd state, saved tensors, recording. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/allocator.h"
#include "autograd/node.h"
#include "tensor/print_internal.h"

static atomic_uint_fast64_t g_sequence_nr;

/* ---- per-tensor state ---- */

static void meta_release(ct_autograd_meta *m) {
    ct__drop(m->grad);
    if (m->grad_fn) ct__node_release(m->grad_fn);
    free(m->hooks);
    ct__obj_free(m, sizeof *m);
}

/* Forget weak retain_grad entries pointing at a dying tensor. */
static void forget_retained(ct_tensor *t) {
    ct_autograd_meta *m = ct__meta_if(t);
    if (!m || !m->retains_grad || !m->grad_fn) return;
    ct_node *n = m->grad_fn;
    for (int i = 0; i < n->nhooks; i++)
        if (n->hooks[i].retain_target == t) n->hooks[i] = n->hooks[--n->nhooks], i--;
}

static void tensor_meta_release(ct_tensor *t) {
    forget_retained(t);
    meta_release(t->autograd_meta);
    t->autograd_meta = NULL;
}

ct_autograd_meta *ct__meta(ct_tensor *t) {
    if (!t->autograd_meta) {
        ct_autograd_meta *m = ct__obj_alloc(sizeof *m);
        if (!m) return NULL;
        m->next_hook_id = 1;
        t->autograd_meta = m;
        ct__autograd_meta_release = tensor_meta_release;
        ct__print_grad_fn_name = ct_grad_fn_name;
    }
    return t->autograd_meta;
}

/* ---- nodes ---- */

/* bytes of a node followed by its num_next edges */
static inline size_t node_bytes(int num_next) { return sizeof(ct_node) + (size_t)num_next * sizeof(ct_edge); }

ct_node *ct__node_new(const char *name, ct_backward_fn backward, int num_next) {
    /* the node and its edge array in one object (freed together) */
    ct_node *n = ct__obj_alloc(node_bytes(num_next));
    if (!n) return NULL;
    atomic_init(&n->refcount, 1);
    n->name = name;
    n->backward = backward;
    n->num_next = num_next;
    n->next = num_next ? (ct_edge *)(n + 1) : NULL;
    n->num_outputs = 1;
    n->sequence_nr = atomic_fetch_add(&g_sequence_nr, 1);
    return n;
}

void ct__node_retain(ct_node *n) { atomic_fetch_add(&n->refcount, 1); }

void ct__node_release_saved(ct_node *n) {
    for (int i = 0; i < CT_NODE_MAX_SAVED; i++) {
        ct__drop(n->saved[i].tensor);
        n->saved[i].tensor = NULL;
    }
    n->released = true;
}

/* Release iteratively: a long chain of nodes must not recurse deeply. */
void ct__node_release(ct_node *first) {
    ct_node **stack = NULL;
    size_t len = 0, cap = 0;
    ct_node *n = first;
    while (n) {
        if (atomic_fetch_sub(&n->refcount, 1) == 1) {
            ct__node_release_saved(n);
            for (int i = 0; i < CT_NODE_MAX_OUTPUTS; i++) ct__drop(n->buffer[i]);
            if (n->variable) {
                ct_autograd_meta *m = ct__meta_if(n->variable);
                if (m && m->grad_accumulator == n) m->grad_accumulator = NULL;
                ct__drop(n->variable);
            }
            for (int i = 0; i < n->num_next; i++) {
                if (!n->next[i].fn) continue;
                if (len == cap) {
                    cap = cap ? cap * 2 : 16;
                    ct_node **s = realloc(stack, cap * sizeof *s);
                    if (!s) { /* cannot defer: release recursively */
                        ct__node_release(n->next[i].fn);
                        continue;
                    }
                    stack = s;
                }
                stack[len++] = n->next[i].fn;
            }
            free(n->hooks);
            ct__obj_free(n, node_bytes(n->num_next));
        }
        n = len ? stack[--len] : NULL;
    }
    free(stack);
}

static int accumulate_grad_backward(ct_node *n, ct_tensor *const *grads_in, ct_tensor **grads_out);

ct_node *ct__grad_accumulator(ct_tensor *leaf) {
    ct_autograd_meta *m = ct__meta(leaf);
    if (!m) return NULL;
    if (m->grad_accumulator) {
        ct__node_retain(m->grad_accumulator);
        return m->grad_accumulator;
    }
    ct_node *n = ct__node_new("AccumulateGrad", accumulate_grad_backward, 0);
    if (!n) return NULL;
    n->sequence_nr = UINT64_MAX; /* runs as soon as it is ready, as PyTorch's */
    n->variable = leaf;
    atomic_fetch_add(&leaf->refcount, 1);
    n->out_meta[0].dtype = leaf->dtype;
    n->out_meta[0].ndim = leaf->ndim;
    memcpy(n->out_meta[0].sizes, leaf->sizes, sizeof leaf->sizes);
    m->grad_accumulator = n;
    return n;
}

/* The engine handles AccumulateGrad itself (ct__engine_accumulate); this
 * formula is never called. */
static int accumulate_grad_backward(ct_node *n, ct_tensor *const *grads_in, ct_tensor **grads_out) {
    (void)n, (void)grads_in, (void)grads_out;
    return CT_OK;
}

int ct__gradient_edge(ct_tensor *t, ct_edge *out) {
    *out = (ct_edge){0};
    ct_autograd_meta *m = ct__meta_if(t);
    if (m && m->grad_fn) {
        ct__node_retain(m->grad_fn);
        *out = (ct_edge){m->grad_fn, m->output_nr};
        return CT_OK;
    }
    if (t->requires_grad) {
        ct_node *acc = ct__grad_accumulator(t);
        if (!acc) return CT_ERROR;
        *out = (ct_edge){acc, 0};
    }
    return CT_OK;
}

/* ---- saved tensors ---- */

int ct__save(ct_node *n, int i, const ct_tensor *t, bool is_output, int output_nr) {
    ct_tensor *s;
    if (is_output) {
        s = ct__alias(t, t->ndim, t->sizes, t->strides, t->offset);
        if (!s) return CT_ERROR;
        ct__scope_untrack(s);
    } else {
        s = (ct_tensor *)t;
        atomic_fetch_add(&s->refcount, 1);
    }
    n->saved[i] = (ct_saved){.tensor = s, .version = ct_version(t), .is_output = is_output, .output_nr = output_nr};
    return CT_OK;
}

static void type_name(ct_dtype d, char *buf, size_t len) {
    const char *s = ct__traits(d)->storage_name;
    snprintf(buf, len, "torch.%.*sTensor", (int)(strlen(s) - 7), s);
}

ct_tensor *ct__unpack(ct_node *n, int i) {
    if (n->released) {
        ct__error("Trying to backward through the graph a second time (or directly access saved tensors after they "
                  "have already been freed). Saved intermediate values of the graph are freed when you call "
                  ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                  "graph a second time or if you need to access saved tensors after calling backward.");
        return NULL;
    }
    ct_saved *s = &n->saved[i];
    int64_t now = ct_version(s->tensor);
    if (now != s->version) {
        char tname[64], shape[256], who[128] = "";
        type_name(s->tensor->dtype, tname, sizeof tname);
        ct__format_shape(shape, sizeof shape, s->tensor->ndim, s->tensor->sizes);
        ct_node *producer = s->is_output ? n : ct__grad_fn(s->tensor);
        int out_nr = s->is_output ? s->output_nr : (ct__meta_if(s->tensor) ? ct__meta_if(s->tensor)->output_nr : 0);
        if (producer) snprintf(who, sizeof who, ", which is output %d of %s,", out_nr, producer->name);
        ct__error("one of the variables needed for gradient computation has been modified by an inplace operation: "
                  "[%s %s]%s is at version %" PRId64 "; expected version %" PRId64
                  " instead. Hint: enable anomaly detection to find the operation that failed to compute its "
                  "gradient, with torch.autograd.set_detect_anomaly(True).",
                  tname, shape, who, now, s->version);
        return NULL;
    }
    if (!s->is_output || !ct_is_grad_enabled()) return ct__retain(s->tensor);
    /* create_graph: the saved output must carry its history again */
    ct_tensor *a = ct__alias(s->tensor, s->tensor->ndim, s->tensor->sizes, s->tensor->strides, s->tensor->offset);
    if (!a) return NULL;
    ct_autograd_meta *m = ct__meta(a);
    if (!m) {
        ct_free(a);
        return NULL;
    }
    a->requires_grad = true;
    m->grad_fn = n;
    m->output_nr = s->output_nr;
    ct__node_retain(n);
    return a;
}

/* ---- recording ---- */

bool ct__any_requires_grad(int n, const ct_tensor *const *inputs) {
    if (!ct_is_grad_enabled()) return false;
    for (int i = 0; i < n; i++)
        if (inputs[i] && inputs[i]->requires_grad) return true;
    return false;
}

static void set_out_meta(ct_node *node, int k, const ct_tensor *out) {
    node->out_meta[k].dtype = out->dtype;
    node->out_meta[k].ndim = out->ndim;
    memcpy(node->out_meta[k].sizes, out->sizes, sizeof out->sizes);
}

int ct__record_output(ct_node *node, ct_tensor *out, int output_nr) {
    ct_autograd_meta *m = ct__meta(out);
    if (!m) return CT_ERROR;
    if (output_nr >= node->num_outputs) node->num_outputs = output_nr + 1;
    set_out_meta(node, output_nr, out);
    if (m->grad_fn) ct__node_release(m->grad_fn);
    ct__node_retain(node);
    m->grad_fn = node;
    m->output_nr = output_nr;
    out->requires_grad = true;
    return CT_OK;
}

static ct_node *make_node(const char *name, ct_backward_fn backward, int n_inputs, const ct_tensor *const *inputs,
                          const ct_edge *first) {
    int offset = first ? 1 : 0;
    ct_node *node = ct__node_new(name, backward, n_inputs + offset);
    if (!node) return NULL;
    if (first) node->next[0] = *first;
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) continue;
        if (ct__gradient_edge((ct_tensor *)inputs[i], &node->next[i + offset]) != CT_OK) {
            ct__node_release(node);
            return NULL;
        }
    }
    return node;
}

ct_node *ct__record(const char *name, ct_backward_fn backward, ct_tensor *out, int n_inputs,
                    const ct_tensor *const *inputs) {
    ct_node *node = make_node(name, backward, n_inputs, inputs, NULL);
    if (!node) return NULL;
    if (ct__record_output(node, out, 0) != CT_OK) {
        ct__node_release(node);
        return NULL;
    }
    ct__node_release(node); /* out holds it now */
    return node;
}

int ct__check_inplace_recordable(const ct_tensor *t) {
    if (t->is_view) {
        ct__error("in-place operations that need a gradient on a view are not supported by ctorch yet (PyTorch "
                  "rebases them with CopySlices); apply the operation to the base tensor or clone() the view");
        return CT_ERROR;
    }
    return CT_OK;
}

int ct__check_inplace(const ct_tensor *t) {
    if (ct_is_grad_enabled() && t->requires_grad && !ct__grad_fn(t)) {
        ct__error("a leaf Variable that requires grad is being used in an in-place operation.");
        return CT_ERROR;
    }
    ct_autograd_meta *m = ct__meta_if(t);
    if (ct_is_grad_enabled() && m && m->is_view_of_grad) {
        ct__error("in-place operations on views of tensors that require grad are not supported by ctorch yet "
                  "(PyTorch rebases them with CopySlices); apply the operation to the base tensor or clone() the view");
        return CT_ERROR;
    }
    return CT_OK;
}

ct_node *ct__record_inplace(const char *name, ct_backward_fn backward, ct_tensor *t, int n_others,
                            const ct_tensor *const *others) {
    ct_edge prev;
    if (ct__gradient_edge(t, &prev) != CT_OK) return NULL;
    ct_node *node = make_node(name, backward, n_others, others, &prev);
    if (!node) {
        if (prev.fn) ct__node_release(prev.fn);
        return NULL;
    }
    if (ct__record_output(node, t, 0) != CT_OK) {
        ct__node_release(node);
        return NULL;
    }
    ct__node_release(node);
    return node;
}

/* ---- public per-tensor API ---- */

bool ct_is_leaf(const ct_tensor *t) { return t && !ct__grad_fn(t); }

const char *ct_grad_fn_name(const ct_tensor *t) {
    ct_node *n = t ? ct__grad_fn(t) : NULL;
    return n ? n->name : NULL;
}

bool ct_retains_grad(const ct_tensor *t) { return t && ct__meta_if(t) && ct__meta_if(t)->retains_grad; }

bool ct_is_inference(const ct_tensor *t) { return t && ct__meta_if(t) && ct__meta_if(t)->is_inference; }

int ct_requires_grad_(ct_tensor *t, bool requires_grad) {
    if (!t) return CT_ERROR;
    if (requires_grad && !ct__traits(t->dtype)->is_floating) {
        ct__error("only Tensors of floating point dtype can require gradients");
        return CT_ERROR;
    }
    if (!requires_grad && ct__grad_fn(t)) {
        ct__error("you can only change requires_grad flags of leaf variables. If you want to use a computed variable "
                  "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        return CT_ERROR;
    }
    if (requires_grad && ct_is_inference(t)) {
        ct__error("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
        return CT_ERROR;
    }
    t->requires_grad = requires_grad;
    return CT_OK;
}

ct_tensor *ct_grad(const ct_tensor *t) {
    ct_autograd_meta *m = t ? ct__meta_if(t) : NULL;
    if (!m || !m->grad) return NULL;
    return ct__retain(m->grad);
}

int ct_set_grad(ct_tensor *t, ct_tensor *g) {
    if (!t) return CT_ERROR;
    if (g && (g->ndim != t->ndim || memcmp(g->sizes, t->sizes, (size_t)t->ndim * sizeof *t->sizes) != 0)) {
        ct__error("assigned grad has data of a different size");
        return CT_ERROR;
    }
    if (g && g->dtype != t->dtype) {
        ct__error("assigned grad has data of a different type");
        return CT_ERROR;
    }
    ct_autograd_meta *m = ct__meta(t);
    if (!m) return CT_ERROR;
    if (g) atomic_fetch_add(&g->refcount, 1);
    ct__drop(m->grad);
    m->grad = g;
    return CT_OK;
}

int ct_retain_grad(ct_tensor *t) {
    if (!t) return CT_ERROR;
    if (!t->requires_grad) {
        ct__error("can't retain_grad on Tensor that has requires_grad=False");
        return CT_ERROR;
    }
    ct_autograd_meta *m = ct__meta(t);
    if (!m) return CT_ERROR;
    if (!m->grad_fn || m->retains_grad) return CT_OK; /* leaves always keep .grad */
    ct_node *n = m->grad_fn;
    if (n->nhooks == n->hooks_cap) {
        int cap = n->hooks_cap ? n->hooks_cap * 2 : 4;
        ct_pre_hook *h = realloc(n->hooks, (size_t)cap * sizeof *h);
        if (!h) {
            ct__error_oom((size_t)cap * sizeof *h);
            return CT_ERROR;
        }
        n->hooks = h;
        n->hooks_cap = cap;
    }
    n->hooks[n->nhooks++] = (ct_pre_hook){.id = 0, .output_nr = m->output_nr, .retain_target = t};
    m->retains_grad = true;
    return CT_OK;
}

static int add_hook(ct_pre_hook **hooks, int *n, int *cap, ct_pre_hook h) {
    if (*n == *cap) {
        int c = *cap ? *cap * 2 : 4;
        ct_pre_hook *p = realloc(*hooks, (size_t)c * sizeof *p);
        if (!p) {
            ct__error_oom((size_t)c * sizeof *p);
            return CT_ERROR;
        }
        *hooks = p;
        *cap = c;
    }
    (*hooks)[(*n)++] = h;
    return CT_OK;
}

int ct_register_hook(ct_tensor *t, ct_tensor_hook fn, void *ctx) {
    if (!t) return CT_ERROR;
    if (!fn) {
        ct__error("register_hook: the hook function must not be NULL");
        return CT_ERROR;
    }
    if (!t->requires_grad) {
        ct__error("cannot register a hook on a tensor that doesn't require gradient");
        return CT_ERROR;
    }
    ct_autograd_meta *m = ct__meta(t);
    if (!m) return CT_ERROR;
    ct_pre_hook h = {.id = m->next_hook_id++, .output_nr = m->output_nr, .fn = fn, .ctx = ctx};
    int rc = m->grad_fn ? add_hook(&m->grad_fn->hooks, &m->grad_fn->nhooks, &m->grad_fn->hooks_cap, h)
                        : add_hook(&m->hooks, &m->nhooks, &m->hooks_cap, h);
    return rc == CT_OK ? h.id : CT_ERROR;
}

static bool remove_from(ct_pre_hook *hooks, int *n, int id) {
    for (int i = 0; i < *n; i++) {
        if (hooks[i].id == id && !hooks[i].retain_target) {
            memmove(&hooks[i], &hooks[i + 1], (size_t)(*n - i - 1) * sizeof *hooks);
            (*n)--;
            return true;
        }
    }
    return false;
}

int ct_remove_hook(ct_tensor *t, int handle) {
    if (!t) return CT_ERROR;
    ct_autograd_meta *m = ct__meta_if(t);
    bool found = m && (remove_from(m->hooks, &m->nhooks, handle) ||
                       (m->grad_fn && remove_from(m->grad_fn->hooks, &m->grad_fn->nhooks, handle)));
    if (!found) {
        ct__error("remove_hook: no hook with handle %d on this tensor", handle);
        return CT_ERROR;
    }
    return CT_OK;
}
