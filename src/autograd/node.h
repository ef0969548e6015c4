/* Internal: the autograd graph. A node is the backward of one op call: its
 * formula, the tensors it saved, and edges to the nodes of its inputs. */
#ifndef CT_AUTOGRAD_NODE_H
#define CT_AUTOGRAD_NODE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctorch/autograd.h"
#include "tensor/tensor_impl.h"

typedef struct ct_node ct_node;

/* Where a gradient goes: input `input_nr` of node fn (NULL: nowhere). */
typedef struct ct_edge {
    ct_node *fn;
    int input_nr;
} ct_edge;

/* A tensor saved for backward, with the version it had when saved. An op's
 * own output is saved as a detached alias (is_output) so that no reference
 * cycle forms; it gets its grad_fn back when unpacked for create_graph. */
typedef struct ct_saved {
    ct_tensor *tensor; /* NULL if nothing saved */
    int64_t version;
    bool is_output;
    int output_nr;
} ct_saved;

/* grads_in[i]: the gradient w.r.t. the node's output i (never NULL: the
 * engine fills zeros). The formula writes grads_out[j] for each next edge
 * j (new references, or NULL for "no gradient"). Returns CT_OK/CT_ERROR. */
typedef int (*ct_backward_fn)(ct_node *node, ct_tensor *const *grads_in, ct_tensor **grads_out);

#define CT_NODE_MAX_SAVED 4
#define CT_NODE_MAX_OUTPUTS 4

typedef struct ct_pre_hook {
    int id;
    int output_nr;
    ct_tensor_hook fn;
    void *ctx;
    ct_tensor *retain_target; /* weak: a retain_grad entry when non-NULL */
} ct_pre_hook;

typedef struct ct_out_meta {
    ct_dtype dtype;
    int ndim;
    int64_t sizes[CT_MAX_DIMS];
} ct_out_meta;

struct ct_node {
    atomic_int refcount;
    const char *name;
    uint64_t sequence_nr;
    ct_backward_fn backward;

    int num_next;
    ct_edge *next;

    int num_outputs;
    ct_out_meta out_meta[CT_NODE_MAX_OUTPUTS];

    ct_saved saved[CT_NODE_MAX_SAVED];
    bool released; /* saved tensors were freed by a backward */

    /* op arguments the formula needs */
    double scalars[4];
    int64_t ints[CT_MAX_DIMS + 4];
    int nints;
    ct_dtype dtypes[4];
    int ndim_arg;
    int64_t shape_arg[CT_MAX_DIMS];  /* e.g. an input's shape */
    int64_t shape_arg2[CT_MAX_DIMS]; /* e.g. an input's strides */
    int64_t offset_arg;

    /* AccumulateGrad: the leaf (a strong reference) */
    ct_tensor *variable;

    ct_pre_hook *hooks;
    int nhooks, hooks_cap;

    /* engine bookkeeping during one backward */
    int deps;
    ct_tensor *buffer[CT_NODE_MAX_OUTPUTS];
    bool needed, captured;
    int visit_mark;
};

/* Per-tensor autograd state (struct ct_tensor.autograd_meta). */
typedef struct ct_autograd_meta {
    ct_tensor *grad;          /* owned */
    ct_node *grad_fn;         /* owned reference; NULL for leaves */
    int output_nr;
    ct_node *grad_accumulator;/* weak: a leaf's AccumulateGrad, if alive */
    bool retains_grad;
    bool is_inference;
    bool is_view_of_grad;     /* produced by a differentiable view op */
    ct_pre_hook *hooks;       /* leaf hooks (AccumulateGrad runs them) */
    int nhooks, hooks_cap;
    int next_hook_id;
} ct_autograd_meta;

/* Get (creating if needed) t's meta; NULL on out-of-memory. */
ct_autograd_meta *ct__meta(ct_tensor *t);
static inline ct_autograd_meta *ct__meta_if(const ct_tensor *t) { return (ct_autograd_meta *)t->autograd_meta; }
static inline ct_node *ct__grad_fn(const ct_tensor *t) {
    ct_autograd_meta *m = ct__meta_if(t);
    return m ? m->grad_fn : NULL;
}

/* ---- nodes ---- */
ct_node *ct__node_new(const char *name, ct_backward_fn backward, int num_next);
void ct__node_retain(ct_node *n);
void ct__node_release(ct_node *n);
/* Free the saved tensors (after a backward without retain_graph). */
void ct__node_release_saved(ct_node *n);

/* The edge a gradient for t should flow into: its grad_fn, or its
 * AccumulateGrad when it is a leaf requiring grad, or none. */
CT_NODISCARD int ct__gradient_edge(ct_tensor *t, ct_edge *out);
/* The leaf's AccumulateGrad node (new reference), created if needed. */
ct_node *ct__grad_accumulator(ct_tensor *leaf);

/* Save t in slot i (input: as is; output: as a detached alias). */
CT_NODISCARD int ct__save(ct_node *n, int i, const ct_tensor *t, bool is_output, int output_nr);
/* Unpack slot i: a new reference (output slots get their grad_fn back when
 * grad mode is on). Fails with PyTorch's messages when the graph was freed
 * or the tensor was modified in place. */
ct_tensor *ct__unpack(ct_node *n, int i);

/* ---- recording ---- */
/* True when an op with these inputs must record a node: grad mode on and
 * some input requires grad. NULL entries are skipped. */
bool ct__any_requires_grad(int n, const ct_tensor *const *inputs);
/* Create a node with edges to inputs, and make `out` (output 0) its
 * result: out->requires_grad, grad_fn, output_nr 0. The returned node is
 * borrowed (owned by out); save tensors into it right after. NULL on error
 * (out is left untouched). */
ct_node *ct__record(const char *name, ct_backward_fn backward, ct_tensor *out, int n_inputs,
                    const ct_tensor *const *inputs);
/* Attach more outputs of a multi-output node (output_nr >= 1). */
CT_NODISCARD int ct__record_output(ct_node *node, ct_tensor *out, int output_nr);
/* An in-place op on t: checks PyTorch's leaf rule ("a leaf Variable that
 * requires grad is being used in an in-place operation."). */
CT_NODISCARD int ct__check_inplace(const ct_tensor *t);
/* An in-place op on t that records history: t must not be a view (ctorch
 * has no CopySlices yet). Call before writing. */
CT_NODISCARD int ct__check_inplace_recordable(const ct_tensor *t);
/* After an in-place op on t with other inputs: t's history becomes the new
 * node (whose first edge is t's previous history). */
ct_node *ct__record_inplace(const char *name, ct_backward_fn backward, ct_tensor *t, int n_others,
                            const ct_tensor *const *others);

#endif
