/* ctorch/autograd.h — reverse-mode automatic differentiation, as
 * torch.autograd: a dynamic graph recorded by the ops, backward, grad modes,
 * hooks and gradcheck. docs/autograd.md walks through an example.
 *
 * Rules (PyTorch's): user tensors start with requires_grad false; an op
 * whose input requires grad (while grad mode is on) returns a tensor that
 * requires grad and has a grad_fn; leaves accumulate gradients into .grad;
 * backward() without a gradient only for a one-element output; detach()
 * shares memory and cuts the graph. */
#ifndef CTORCH_AUTOGRAD_H
#define CTORCH_AUTOGRAD_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- grad modes (thread-local, nestable) --------------------------------- */

bool ct_is_grad_enabled(void);              /* torch.is_grad_enabled */
void ct_set_grad_enabled(bool enabled);     /* torch.set_grad_enabled(mode) */
bool ct_is_inference_mode_enabled(void);    /* torch.is_inference_mode_enabled */

/* A saved mode, restored by ct_grad_mode_end. Begin/end pairs nest:
 *     ct_grad_mode g = ct_no_grad_begin();
 *     ... no graph is recorded here ...
 *     ct_grad_mode_end(g);
 * or, around a block (do not jump out of it with return/break/goto):
 *     CT_NO_GRAD { ... }                                                   */
typedef struct ct_grad_mode {
    bool grad_enabled;
    bool inference;
} ct_grad_mode;

ct_grad_mode ct_no_grad_begin(void);            /* torch.no_grad() */
ct_grad_mode ct_enable_grad_begin(void);        /* torch.enable_grad() */
ct_grad_mode ct_set_grad_enabled_begin(bool on);/* torch.set_grad_enabled(on) as a context */
/* torch.inference_mode(mode): like no_grad; tensors made inside are
 * inference tensors (they never require grad). */
ct_grad_mode ct_inference_mode_begin(bool mode);
void ct_grad_mode_end(ct_grad_mode saved);

#define CT__GUARD_CAT2(a, b) a##b
#define CT__GUARD_CAT(a, b) CT__GUARD_CAT2(a, b)
#define CT__GRAD_GUARD(begin_expr)                                                                  \
    for (ct_grad_mode CT__GUARD_CAT(ct__gm_, __LINE__) = (begin_expr),                               \
                      *CT__GUARD_CAT(ct__gp_, __LINE__) = &CT__GUARD_CAT(ct__gm_, __LINE__);         \
         CT__GUARD_CAT(ct__gp_, __LINE__);                                                           \
         ct_grad_mode_end(CT__GUARD_CAT(ct__gm_, __LINE__)), CT__GUARD_CAT(ct__gp_, __LINE__) = 0)
#define CT_NO_GRAD CT__GRAD_GUARD(ct_no_grad_begin())
#define CT_ENABLE_GRAD CT__GRAD_GUARD(ct_enable_grad_begin())
#define CT_SET_GRAD_ENABLED(on) CT__GRAD_GUARD(ct_set_grad_enabled_begin(on))
#define CT_INFERENCE_MODE CT__GRAD_GUARD(ct_inference_mode_begin(true))

/* ---- tensor autograd state ------------------------------------------------ */

/* t.grad: a new reference to the accumulated gradient, or NULL when there
 * is none (not an error: PyTorch's None; ct_last_error is untouched). */
ct_tensor *ct_grad(const ct_tensor *t);
/* t.grad = g (g may be NULL to clear; g's shape and dtype must match t's:
 * "assigned grad has data of a different size"). Takes its own reference. */
CT_NODISCARD int ct_set_grad(ct_tensor *t, ct_tensor *g);
/* t.grad_fn's name ("AddBackward0"), or NULL for leaves. Valid while t lives. */
const char *ct_grad_fn_name(const ct_tensor *t);
/* t.retain_grad(): a non-leaf keeps its .grad after backward. */
CT_NODISCARD int ct_retain_grad(ct_tensor *t);
bool ct_retains_grad(const ct_tensor *t);
bool ct_is_inference(const ct_tensor *t); /* t.is_inference() */

/* ---- backward -------------------------------------------------------------- */

typedef struct ct_backward_opts {
    bool retain_graph; /* keep saved tensors for another backward (default: = create_graph) */
    bool create_graph; /* record the backward pass itself (higher-order grads) */
} ct_backward_opts;

/* t.backward(gradient, retain_graph, create_graph). gradient may be NULL
 * only when t has one element ("grad can be implicitly created only for
 * scalar outputs"). opts may be NULL. Gradients accumulate into the .grad
 * of the leaves that require grad. */
CT_NODISCARD int ct_backward(ct_tensor *t, const ct_tensor *gradient, const ct_backward_opts *opts);

typedef struct ct_grad_opts {
    bool retain_graph;
    bool create_graph;
    bool allow_unused; /* an input the outputs do not depend on gets NULL */
} ct_grad_opts;

/* torch.autograd.grad(outputs, inputs, grad_outputs): writes n_inputs new
 * references to results (NULL for unused inputs when allow_unused). Leaves'
 * .grad are not touched. grad_outputs may be NULL, or an array whose NULL
 * entries mean "ones" for one-element outputs. */
CT_NODISCARD int ct_autograd_grad(int n_outputs, ct_tensor *const *outputs, int n_inputs, ct_tensor *const *inputs,
                                  ct_tensor *const *grad_outputs, const ct_grad_opts *opts, ct_tensor **results);

/* ---- hooks ---------------------------------------------------------------- */

/* Called with the gradient flowing into t during backward. Return NULL to
 * keep it, or a new tensor (same shape) to replace it: ownership of the
 * returned reference passes to ctorch. */
typedef ct_tensor *(*ct_tensor_hook)(ct_tensor *grad, void *ctx);
/* t.register_hook(fn): returns a handle (> 0) for ct_remove_hook. t must
 * require grad ("cannot register a hook on a tensor that doesn't require
 * gradient"). */
CT_NODISCARD int ct_register_hook(ct_tensor *t, ct_tensor_hook fn, void *ctx);
CT_NODISCARD int ct_remove_hook(ct_tensor *t, int handle);

/* ---- gradient checking ------------------------------------------------------ */

/* The function under test: inputs -> one output tensor (a new reference). */
typedef ct_tensor *(*ct_gradcheck_fn)(ct_tensor *const *inputs, void *ctx);

typedef struct ct_gradcheck_opts {
    double eps;  /* finite-difference step; 0 -> 1e-6 */
    double atol; /* 0 -> 1e-5 */
    double rtol; /* 0 -> 1e-3 */
} ct_gradcheck_opts;

/* torch.autograd.gradcheck: compares the analytical Jacobian (backward
 * with each unit grad_output) with central finite differences, for every
 * floating input that requires grad (inputs should be float64). Returns 1
 * when they agree, 0 with ct_last_error() describing the first mismatch
 * ("Jacobian mismatch for output 0 with respect to input 0, ..."), -1 on
 * other errors. */
int ct_gradcheck(ct_gradcheck_fn fn, void *ctx, int n_inputs, ct_tensor *const *inputs,
                 const ct_gradcheck_opts *opts);
/* torch.autograd.gradgradcheck: gradcheck of the first backward (with a
 * fixed random grad_output, create_graph) — second derivatives. */
int ct_gradgradcheck(ct_gradcheck_fn fn, void *ctx, int n_inputs, ct_tensor *const *inputs,
                     const ct_gradcheck_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
