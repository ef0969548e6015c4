/* The backward engine: dependency counting over the reachable graph, then
 * nodes run in PyTorch's order (a ready node with the highest sequence
 * number first; AccumulateGrad as soon as ready), gradients for a node
 * summed in its input buffer before it runs. Accumulating and summing use
 * the public ops (ct_add, ct_add_), as PyTorch's engine calls at::add. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"
#include "ctorch/ops.h"

/* A growable array that starts in the caller's stack buffer (a small
 * graph's backward then calls no malloc for its bookkeeping); on the heap
 * once it outgrows it. */
typedef struct node_vec {
    ct_node **items;
    size_t len, cap;
    bool heap;
} node_vec;
#define VEC_INLINE 64
#define VEC_INIT(buf) ((node_vec){(buf), 0, VEC_INLINE, false})

/* Room for twice the capacity of *items (len used, elem bytes each). */
static void *grow(void *items, size_t len, size_t *cap, bool *heap, size_t elem) {
    size_t ncap = *cap ? *cap * 2 : VEC_INLINE;
    void *p = *heap ? realloc(items, ncap * elem) : malloc(ncap * elem);
    if (!p) {
        ct__error_oom(ncap * elem);
        return NULL;
    }
    if (!*heap && len) memcpy(p, items, len * elem);
    *heap = true;
    *cap = ncap;
    return p;
}

static void vec_free(node_vec *v) {
    if (v->heap) free(v->items);
}

static int vec_push(node_vec *v, ct_node *n) {
    if (v->len == v->cap) {
        ct_node **p = grow(v->items, v->len, &v->cap, &v->heap, sizeof *p);
        if (!p) return CT_ERROR;
        v->items = p;
    }
    v->items[v->len++] = n;
    return CT_OK;
}

/* ---- ready queue: max-heap on sequence_nr ---- */

static void heap_up(ct_node **h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p]->sequence_nr >= h[i]->sequence_nr) break;
        ct_node *t = h[p];
        h[p] = h[i];
        h[i] = t;
        i = p;
    }
}

static ct_node *heap_pop(node_vec *q) {
    ct_node **h = q->items, *top = h[0];
    h[0] = h[--q->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->len && h[l]->sequence_nr > h[m]->sequence_nr) m = l;
        if (r < q->len && h[r]->sequence_nr > h[m]->sequence_nr) m = r;
        if (m == i) break;
        ct_node *t = h[m];
        h[m] = h[i];
        h[i] = t;
        i = m;
    }
    return top;
}

static int heap_push(node_vec *q, ct_node *n) {
    if (vec_push(q, n) != CT_OK) return CT_ERROR;
    heap_up(q->items, q->len - 1);
    return CT_OK;
}

/* ---- graph discovery ---- */

static atomic_int g_epoch;

/* All nodes reachable from roots, in DFS post-order (children first), with
 * deps = number of edges into each node from reachable nodes. */
static int discover(ct_node *const *roots, int nroots, int epoch, node_vec *post) {
    typedef struct {
        ct_node *n;
        int next;
    } frame;
    frame buf[VEC_INLINE];
    frame *stack = buf;
    size_t len = 0, cap = VEC_INLINE;
    bool heap = false;
    int rc = CT_OK;
    for (int r = 0; r < nroots && rc == CT_OK; r++) {
        ct_node *root = roots[r];
        if (root->visit_mark == epoch) continue;
        root->visit_mark = epoch;
        root->deps = 0;
        if (len == cap) {
            frame *s = grow(stack, len, &cap, &heap, sizeof *s);
            if (!s) {
                rc = CT_ERROR;
                break;
            }
            stack = s;
        }
        stack[len++] = (frame){root, 0};
        while (len && rc == CT_OK) {
            frame *f = &stack[len - 1];
            if (f->next == f->n->num_next) {
                rc = vec_push(post, f->n);
                len--;
                continue;
            }
            ct_node *c = f->n->next[f->next++].fn;
            if (!c) continue;
            if (c->visit_mark == epoch) {
                c->deps++;
                continue;
            }
            c->visit_mark = epoch;
            c->deps = 1;
            if (len == cap) {
                frame *s = grow(stack, len, &cap, &heap, sizeof *s);
                if (!s) {
                    rc = CT_ERROR;
                    break;
                }
                stack = s;
            }
            stack[len++] = (frame){c, 0};
        }
    }
    if (heap) free(stack);
    if (rc != CT_OK) ct__error("out of memory while walking the autograd graph");
    return rc;
}

/* ---- running ---- */

static void format_size(char *buf, size_t len, int ndim, const int64_t *sizes) {
    char shape[256];
    snprintf(buf, len, "torch.Size(%s)", ct__format_shape(shape, sizeof shape, ndim, sizes));
}

/* Add g (a new reference, consumed) into slot. */
static int buffer_add(ct_tensor **slot, ct_tensor *g) {
    if (!*slot) {
        *slot = g;
        return CT_OK;
    }
    ct_tensor *sum = ct_add(*slot, g);
    ct__drop(g);
    if (!sum) return CT_ERROR;
    ct__scope_untrack(sum);
    ct__drop(*slot);
    *slot = sum;
    return CT_OK;
}

/* Run hooks (and retain_grad) on the gradient for output k. */
static int run_hooks(ct_pre_hook *hooks, int nhooks, int k, ct_tensor **grad) {
    for (int pass = 0; pass < 2; pass++) { /* user hooks first, then retain_grad */
        for (int i = 0; i < nhooks; i++) {
            ct_pre_hook *h = &hooks[i];
            if (h->output_nr != k || (pass == 0) != (h->retain_target == NULL)) continue;
            if (h->retain_target) {
                ct_autograd_meta *m = ct__meta(h->retain_target);
                if (!m) return CT_ERROR;
                ct_tensor *g;
                if (m->grad) {
                    g = ct_add(m->grad, *grad);
                } else {
                    g = ct_is_grad_enabled() ? ct__retain(*grad) : ct_clone(*grad);
                }
                if (!g) return CT_ERROR;
                ct__scope_untrack(g);
                ct__drop(m->grad);
                m->grad = g;
                continue;
            }
            ct_tensor *r = h->fn(*grad, h->ctx);
            if (r) {
                ct__scope_untrack(r);
                ct__drop(*grad);
                *grad = r;
            }
        }
    }
    return CT_OK;
}

static int accumulate(ct_tensor *var, ct_tensor **slot, bool create_graph) {
    ct_autograd_meta *m = ct__meta(var);
    if (!m) return CT_ERROR;
    ct_tensor *g = *slot;
    if (!m->grad) {
        if (create_graph || (atomic_load(&g->refcount) == 1 && ct__is_contiguous(g) && !ct__grad_fn(g))) {
            m->grad = g; /* steal the buffer */
            *slot = NULL;
            return CT_OK;
        }
        ct_tensor *c = ct_clone(g);
        if (!c) return CT_ERROR;
        ct__scope_untrack(c);
        m->grad = c;
        return CT_OK;
    }
    if (create_graph) {
        ct_tensor *sum = ct_add(m->grad, g);
        if (!sum) return CT_ERROR;
        ct__scope_untrack(sum);
        ct__drop(m->grad);
        m->grad = sum;
        return CT_OK;
    }
    return ct_add_(m->grad, g);
}

/* The validated gradient for edge e: dtype converted to what the target
 * expects; shape must match. Consumes g. */
static ct_tensor *validate(ct_node *node, int i, ct_tensor *g) {
    ct_edge e = node->next[i];
    const ct_out_meta *om = &e.fn->out_meta[e.input_nr];
    if (g->ndim != om->ndim || memcmp(g->sizes, om->sizes, (size_t)om->ndim * sizeof *om->sizes) != 0) {
        char got[256], want[256];
        ct__error("Function %s returned an invalid gradient at index %d - got %s but expected shape compatible with %s",
                  node->name, i, ct__format_shape(got, sizeof got, g->ndim, g->sizes),
                  ct__format_shape(want, sizeof want, om->ndim, om->sizes));
        ct__drop(g);
        return NULL;
    }
    if (g->dtype != om->dtype) {
        ct_tensor *c = ct_to_dtype(g, om->dtype);
        ct__drop(g);
        if (c) ct__scope_untrack(c);
        return c;
    }
    return g;
}

typedef struct capture {
    ct_node *fn;
    int input_nr;
    ct_tensor *result;
} capture;

static int execute(node_vec *all, node_vec *ready, bool retain_graph, bool create_graph, capture *caps, int ncaps) {
    bool capturing = ncaps > 0;
    while (ready->len) {
        ct_node *node = heap_pop(ready);
        if (capturing && !node->needed) continue;
        /* materialize missing gradients as zeros */
        for (int k = 0; k < node->num_outputs; k++) {
            if (node->buffer[k]) continue;
            const ct_out_meta *om = &node->out_meta[k];
            node->buffer[k] = ct_zeros(om->ndim, om->sizes, CT_OPTS(.dtype = om->dtype));
            if (!node->buffer[k]) return CT_ERROR;
            ct__scope_untrack(node->buffer[k]);
        }
        ct_grad_mode mode = ct_set_grad_enabled_begin(create_graph);
        int rc = CT_OK;
        /* hooks: a leaf's are on its tensor, a non-leaf's on its grad_fn */
        ct_autograd_meta *vm = node->variable ? ct__meta_if(node->variable) : NULL;
        for (int k = 0; k < node->num_outputs && rc == CT_OK; k++) {
            rc = run_hooks(node->hooks, node->nhooks, k, &node->buffer[k]);
            if (rc == CT_OK && vm) rc = run_hooks(vm->hooks, vm->nhooks, k, &node->buffer[k]);
        }
        for (int c = 0; c < ncaps && rc == CT_OK; c++) {
            if (caps[c].fn != node) continue;
            ct_tensor *g = node->buffer[caps[c].input_nr];
            caps[c].result = create_graph ? ct__retain(g) : ct_detach(g);
            if (!caps[c].result) rc = CT_ERROR;
            else ct__scope_untrack(caps[c].result);
        }
        if (rc != CT_OK) {
            ct_grad_mode_end(mode);
            return CT_ERROR;
        }
        if (node->variable) {
            if (!capturing) rc = accumulate(node->variable, &node->buffer[0], create_graph);
            ct_grad_mode_end(mode);
            if (rc != CT_OK) return CT_ERROR;
            for (int k = 0; k < CT_NODE_MAX_OUTPUTS; k++) ct__drop(node->buffer[k]), node->buffer[k] = NULL;
            continue;
        }
        enum { OUTS_INLINE = 8 };
        ct_tensor *outs_buf[OUTS_INLINE] = {0};
        ct_tensor **outs = node->num_next <= OUTS_INLINE ? outs_buf : calloc((size_t)node->num_next, sizeof *outs);
        if (!outs) {
            ct_grad_mode_end(mode);
            ct__error_oom((size_t)node->num_next * sizeof *outs);
            return CT_ERROR;
        }
        /* unpacking saved tensors during the formula must not be tracked by
         * a user scope: results are untracked below */
        rc = node->backward(node, node->buffer, outs);
        ct_grad_mode_end(mode);
        for (int k = 0; k < CT_NODE_MAX_OUTPUTS; k++) ct__drop(node->buffer[k]), node->buffer[k] = NULL;
        if (!retain_graph) ct__node_release_saved(node);
        for (int i = 0; i < node->num_next; i++) {
            if (outs[i]) ct__scope_untrack(outs[i]);
        }
        for (int i = 0; i < node->num_next; i++) {
            ct_edge e = node->next[i];
            ct_tensor *g = outs[i];
            outs[i] = NULL;
            if (rc != CT_OK || !e.fn || (capturing && !e.fn->needed)) {
                ct__drop(g);
            } else if (g) {
                g = validate(node, i, g);
                if (!g || buffer_add(&e.fn->buffer[e.input_nr], g) != CT_OK) rc = CT_ERROR;
            }
            if (e.fn && --e.fn->deps == 0 && rc == CT_OK) rc = heap_push(ready, e.fn);
        }
        if (outs != outs_buf) free(outs);
        if (rc != CT_OK) return CT_ERROR;
    }
    (void)all;
    return CT_OK;
}

static void reset(node_vec *all) {
    for (size_t i = 0; i < all->len; i++) {
        ct_node *n = all->items[i];
        for (int k = 0; k < CT_NODE_MAX_OUTPUTS; k++) ct__drop(n->buffer[k]), n->buffer[k] = NULL;
        n->deps = 0;
        n->needed = n->captured = false;
    }
}

/* roots: n tensors with their gradients (new references, consumed). */
static int run_backward(int n, ct_tensor *const *roots, ct_tensor **grads, bool retain_graph, bool create_graph,
                        int ncaps, capture *caps, bool allow_unused) {
    ct_node *all_buf[VEC_INLINE], *ready_buf[VEC_INLINE], *roots_buf[8] = {0};
    node_vec all = VEC_INIT(all_buf), ready = VEC_INIT(ready_buf);
    ct_node **root_fns = n <= 8 ? roots_buf : calloc((size_t)n, sizeof *root_fns);
    int rc = root_fns ? CT_OK : CT_ERROR;
    for (int i = 0; i < n && rc == CT_OK; i++) {
        ct_edge e;
        rc = ct__gradient_edge(roots[i], &e);
        if (rc == CT_OK && !e.fn) {
            ct__error("element %d of tensors does not require grad and does not have a grad_fn", i);
            rc = CT_ERROR;
        }
        if (rc != CT_OK) break;
        root_fns[i] = e.fn; /* our reference */
        rc = buffer_add(&e.fn->buffer[e.input_nr], grads[i]);
        grads[i] = NULL;
    }
    for (int i = 0; i < n; i++) ct__drop(grads[i]);
    int epoch = atomic_fetch_add(&g_epoch, 1) + 1;
    int nroots = 0;
    while (nroots < n && root_fns[nroots]) nroots++;
    if (rc == CT_OK) rc = discover(root_fns, nroots, epoch, &all);
    if (rc == CT_OK && ncaps) {
        for (int c = 0; c < ncaps; c++) {
            if (caps[c].fn && caps[c].fn->visit_mark == epoch) {
                caps[c].fn->captured = true;
            } else if (!allow_unused) {
                ct__error("One of the differentiated Tensors appears to not have been used in the graph. Set "
                          "allow_unused=True if this is the desired behavior.");
                rc = CT_ERROR;
            }
        }
        /* post-order: children come before parents */
        for (size_t i = 0; i < all.len; i++) {
            ct_node *m = all.items[i];
            m->needed = m->captured;
            for (int j = 0; j < m->num_next && !m->needed; j++)
                if (m->next[j].fn && m->next[j].fn->needed) m->needed = true;
        }
    }
    for (int i = 0; i < nroots && rc == CT_OK; i++) {
        bool queued = false;
        for (int j = 0; j < i; j++) queued |= root_fns[j] == root_fns[i];
        if (!queued && root_fns[i]->deps == 0) rc = heap_push(&ready, root_fns[i]);
    }
    if (rc == CT_OK) rc = execute(&all, &ready, retain_graph, create_graph, caps, ncaps);
    reset(&all);
    for (int i = 0; i < nroots; i++) ct__node_release(root_fns[i]);
    if (root_fns != roots_buf) free(root_fns);
    vec_free(&all);
    vec_free(&ready);
    return rc;
}

/* The gradient of one root: given (checked and converted) or ones. */
static ct_tensor *root_grad(const ct_tensor *out, const ct_tensor *given, int index) {
    ct_tensor *g;
    if (!given) {
        if (ct__numel(out) != 1) {
            ct__error("grad can be implicitly created only for scalar outputs");
            return NULL;
        }
        g = ct_ones_like(out, NULL);
    } else {
        if (given->ndim != out->ndim || memcmp(given->sizes, out->sizes, (size_t)out->ndim * sizeof *out->sizes)) {
            char a[300], b[300];
            format_size(a, sizeof a, given->ndim, given->sizes);
            format_size(b, sizeof b, out->ndim, out->sizes);
            ct__error("Mismatch in shape: grad_output[%d] has a shape of %s and output[%d] has a shape of %s.", index,
                      a, index, b);
            return NULL;
        }
        g = given->dtype == out->dtype ? ct__retain(given) : ct_to_dtype(given, out->dtype);
    }
    if (g) ct__scope_untrack(g);
    return g;
}

int ct_backward(ct_tensor *t, const ct_tensor *gradient, const ct_backward_opts *opts) {
    if (!t) return CT_ERROR;
    bool create = opts && opts->create_graph;
    bool retain = (opts && opts->retain_graph) || create;
    if (!t->requires_grad) {
        ct__error("element 0 of tensors does not require grad and does not have a grad_fn");
        return CT_ERROR;
    }
    ct_tensor *g = root_grad(t, gradient, 0);
    if (!g) return CT_ERROR;
    return run_backward(1, &t, &g, retain, create, 0, NULL, false);
}

int ct_autograd_grad(int n_outputs, ct_tensor *const *outputs, int n_inputs, ct_tensor *const *inputs,
                     ct_tensor *const *grad_outputs, const ct_grad_opts *opts, ct_tensor **results) {
    if (!outputs || !inputs || !results || n_outputs < 1 || n_inputs < 1) {
        ct__error("autograd.grad: outputs, inputs and results must be non-empty arrays");
        return CT_ERROR;
    }
    for (int i = 0; i < n_inputs; i++) results[i] = NULL;
    for (int i = 0; i < n_outputs; i++)
        if (!outputs[i]) return CT_ERROR;
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i]) return CT_ERROR;
        if (!inputs[i]->requires_grad) {
            ct__error("One of the differentiated Tensors does not require grad");
            return CT_ERROR;
        }
    }
    for (int i = 0; i < n_outputs; i++) {
        if (!outputs[i]->requires_grad) {
            ct__error("element %d of tensors does not require grad and does not have a grad_fn", i);
            return CT_ERROR;
        }
    }
    bool create = opts && opts->create_graph;
    bool retain = (opts && opts->retain_graph) || create;
    bool allow_unused = opts && opts->allow_unused;
    ct_tensor **grads = calloc((size_t)n_outputs, sizeof *grads);
    capture *caps = calloc((size_t)n_inputs, sizeof *caps);
    int rc = grads && caps ? CT_OK : CT_ERROR;
    if (rc != CT_OK) ct__error_oom((size_t)n_inputs * sizeof *caps);
    for (int i = 0; i < n_outputs && rc == CT_OK; i++) {
        grads[i] = root_grad(outputs[i], grad_outputs ? grad_outputs[i] : NULL, i);
        if (!grads[i]) rc = CT_ERROR;
    }
    for (int i = 0; i < n_inputs && rc == CT_OK; i++) {
        ct_edge e;
        rc = ct__gradient_edge(inputs[i], &e);
        caps[i] = (capture){e.fn, e.input_nr, NULL};
    }
    if (rc == CT_OK) {
        rc = run_backward(n_outputs, outputs, grads, retain, create, n_inputs, caps, allow_unused);
    } else if (grads) {
        for (int i = 0; i < n_outputs; i++) ct__drop(grads[i]);
    }
    for (int i = 0; caps && i < n_inputs; i++) {
        if (rc == CT_OK) {
            results[i] = caps[i].result;
            if (results[i]) ct__scope_track(results[i]);
        } else {
            ct__drop(caps[i].result);
        }
        if (caps[i].fn) ct__node_release(caps[i].fn);
    }
    free(grads);
    free(caps);
    return rc;
}
