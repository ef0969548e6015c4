/* ctorch/nn.h — torch.nn's module system: modules with named parameters,
 * buffers and submodules, state_dict, hooks, printing, containers, and the
 * layers built on it (this header: Linear, Identity, Flatten, Unflatten and
 * the parameter-free activations; more layers in nn_*.h).
 *
 * Ownership: ct_module is reference counted. Constructors return a new
 * reference (free with ct_module_free). Registration functions
 * (ct_module_register_module, ct_module_register_parameter,
 * ct_module_register_buffer, container appends) CONSUME the reference they
 * are given — even when they fail — so a constructor can be nested inside
 * them; the module then owns it. Functions returning a parameter, buffer or
 * child return a BORROWED pointer, valid while the module lives.
 *
 * Errors: NULL / CT_ERROR with ct_last_error() as everywhere (error.h).
 *
 * A user-defined module is a C struct whose first member is a ct_module,
 * described by a ct_module_type (name, forward, extra_repr, destroy):
 *
 *     typedef struct { ct_module base; ct_module *conv1, *conv2; } Model;
 *     static ct_tensor *model_forward(ct_module *self, int n, ct_tensor *const *in) {
 *         Model *m = (Model *)self;
 *         ct_tensor *h = ct_relu(ct_forward(m->conv1, in[0]));   // inside a scope
 *         return ct_relu(ct_forward(m->conv2, h));
 *     }
 *     static const ct_module_type model_type = {.name = "Model", .size = sizeof(Model),
 *                                               .forward = model_forward};
 *     Model *m = (Model *)ct_module_new(&model_type);
 *     m->conv1 = ct_module_register_module(&m->base, "conv1", ct_nn_conv2d(1, 20, 5));
 *
 * examples/model.c is this example, compiled. */
#ifndef CTORCH_NN_H
#define CTORCH_NN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_module ct_module;

/* forward(self, n_inputs, inputs): a new reference, or NULL on error. */
typedef ct_tensor *(*ct_forward_fn)(ct_module *self, int n_inputs, ct_tensor *const *inputs);

typedef struct ct_module_type {
    const char *name;  /* the class name printed by repr: "Linear" */
    size_t size;       /* bytes of the struct that starts with ct_module (0: sizeof(ct_module)) */
    ct_forward_fn forward;
    /* extra_repr: write the text inside the parentheses ("in_features=3, ...")
     * with snprintf semantics; NULL for none. */
    int (*extra_repr)(const ct_module *self, char *buf, size_t len);
    /* release what the struct holds beyond what is registered; may be NULL */
    void (*destroy)(ct_module *self);
} ct_module_type;

/* The base every module starts with. Read its fields through the
 * functions below; the layout is private. */
struct ct_module {
    const ct_module_type *type;
    struct ct_module_private *priv;
};

/* ---- lifetime ---- */
/* A new, empty module of type (zero-filled struct of type->size bytes). */
ct_module *ct_module_new(const ct_module_type *type);
void ct_module_free(ct_module *m);          /* drop a reference; NULL is fine */
ct_module *ct_module_ref(ct_module *m);     /* one more reference */
const char *ct_module_name(const ct_module *m); /* type name: "Linear" */

/* ---- registration (consumes the given reference; see above) ----
 * Names follow PyTorch's rules: non-empty, no '.', not already a different
 * kind of member ("attribute 'x' already exists"). A NULL value registers
 * PyTorch's None (a hole that state_dict skips). */
ct_module *ct_module_register_module(ct_module *m, const char *name, ct_module *child);
/* register_parameter: p becomes a leaf requiring grad (nn.Parameter). */
ct_tensor *ct_module_register_parameter(ct_module *m, const char *name, ct_tensor *p);
ct_tensor *ct_module_register_buffer(ct_module *m, const char *name, ct_tensor *b, bool persistent);
#define ct_module_add_module ct_module_register_module

/* Borrowed lookups by (possibly dotted) name; NULL if absent (no error). */
ct_tensor *ct_module_get_parameter(const ct_module *m, const char *name);
ct_tensor *ct_module_get_buffer(const ct_module *m, const char *name);
ct_module *ct_module_get_submodule(const ct_module *m, const char *name);
/* Set a registered parameter/buffer (consumes t), e.g. after loading or
 * converting. When the member holds a tensor, that handle is kept (layers
 * and users hold pointers to it) and takes t's data, shape and dtype, as
 * PyTorch's `param.data = t`; when it is None, t becomes the member. */
CT_NODISCARD int ct_module_set_parameter(ct_module *m, const char *name, ct_tensor *t);
CT_NODISCARD int ct_module_set_buffer(ct_module *m, const char *name, ct_tensor *t);

/* ---- calling ---- */
/* module(x): runs forward pre-hooks, forward, forward hooks. */
ct_tensor *ct_forward(ct_module *m, const ct_tensor *input);
ct_tensor *ct_forward_n(ct_module *m, int n_inputs, ct_tensor *const *inputs);

/* ---- iteration: named_parameters, named_buffers, named_children, named_modules ----
 * A list of (dotted name, borrowed pointer) pairs in PyTorch's order;
 * free the list (not the items) with ct_named_list_free. Duplicated
 * objects are listed once (remove_duplicate=True), as PyTorch does. */
typedef struct ct_named_tensors {
    int n;
    char **names;
    ct_tensor **tensors;
} ct_named_tensors;
typedef struct ct_named_modules {
    int n;
    char **names;
    ct_module **modules;
} ct_named_modules;
ct_named_tensors ct_module_named_parameters(const ct_module *m, bool recurse);
ct_named_tensors ct_module_named_buffers(const ct_module *m, bool recurse);
ct_named_modules ct_module_named_children(const ct_module *m);
ct_named_modules ct_module_named_modules(const ct_module *m); /* self first, name "" */
void ct_named_tensors_free(ct_named_tensors *l);
void ct_named_modules_free(ct_named_modules *l);
/* Count of parameters / of their elements (sum(p.numel() for p in m.parameters())). */
int ct_module_num_parameters(const ct_module *m);
int64_t ct_module_num_parameter_elements(const ct_module *m);

/* ---- state ---- */
CT_NODISCARD int ct_module_train(ct_module *m, bool mode);  /* m.train(mode), recursive */
CT_NODISCARD int ct_module_eval(ct_module *m);              /* m.eval() */
bool ct_module_is_training(const ct_module *m);              /* m.training */
CT_NODISCARD int ct_module_requires_grad_(ct_module *m, bool requires_grad);
/* m.zero_grad(set_to_none): PyTorch 1.13's default set_to_none is false. */
CT_NODISCARD int ct_module_zero_grad(ct_module *m, bool set_to_none);
/* m.to(dtype) for floating parameters and buffers (m.double(), m.float(), m.half()). */
CT_NODISCARD int ct_module_to(ct_module *m, ct_dtype dtype);
/* m.apply(fn): fn on every submodule (children first) then m. */
CT_NODISCARD int ct_module_apply(ct_module *m, int (*fn)(ct_module *m, void *ctx), void *ctx);

/* ---- state_dict ---- */
/* An ordered name -> tensor map; tensors are new references to detached
 * views of the module's tensors (state_dict shares memory, as PyTorch). */
typedef struct ct_state_dict ct_state_dict;
ct_state_dict *ct_state_dict_new(void);
void ct_state_dict_free(ct_state_dict *sd);
int ct_state_dict_size(const ct_state_dict *sd);
const char *ct_state_dict_key(const ct_state_dict *sd, int i);
ct_tensor *ct_state_dict_value(const ct_state_dict *sd, int i);      /* borrowed */
ct_tensor *ct_state_dict_get(const ct_state_dict *sd, const char *key); /* borrowed, NULL if absent */
/* Insert or replace (takes its own reference to t). */
CT_NODISCARD int ct_state_dict_set(ct_state_dict *sd, const char *key, const ct_tensor *t);
CT_NODISCARD int ct_state_dict_remove(ct_state_dict *sd, const char *key);

/* m.state_dict(): parameters, then persistent buffers, module by module. */
ct_state_dict *ct_module_state_dict(const ct_module *m);
/* m.load_state_dict(sd, strict): copies values into the module's tensors
 * (under no_grad). missing / unexpected (may be NULL) receive the key lists
 * (free with ct_key_list_free). With strict, any missing or
 * unexpected key is an error; a shape mismatch is always one, worded as
 * PyTorch's "Error(s) in loading state_dict for Linear:\n\tsize mismatch
 * for weight: copying a param with shape torch.Size([2, 4]) from
 * checkpoint, the shape in current model is torch.Size([2, 3])." On error
 * nothing is copied. */
typedef struct ct_key_list {
    int n;
    char **keys;
} ct_key_list;
CT_NODISCARD int ct_module_load_state_dict(ct_module *m, const ct_state_dict *sd, bool strict, ct_key_list *missing,
                                           ct_key_list *unexpected);
void ct_key_list_free(ct_key_list *l);

/* ---- hooks ----
 * ct_module_remove_hook removes any kind by its handle.
 * pre-hook(m, n, inputs, ctx): return NULL to keep the inputs, or a new
 * tensor that replaces inputs[0]. forward hook(m, n, inputs, output, ctx):
 * return NULL to keep the output or a new tensor replacing it. Both return
 * a handle > 0 for ct_module_remove_hook. */
typedef ct_tensor *(*ct_forward_pre_hook)(ct_module *m, int n, ct_tensor *const *inputs, void *ctx);
typedef ct_tensor *(*ct_forward_hook)(ct_module *m, int n, ct_tensor *const *inputs, ct_tensor *output, void *ctx);
CT_NODISCARD int ct_module_register_forward_pre_hook(ct_module *m, ct_forward_pre_hook fn, void *ctx);
CT_NODISCARD int ct_module_register_forward_hook(ct_module *m, ct_forward_hook fn, void *ctx);
/* m.register_full_backward_hook(fn): fn runs during backward once the
 * gradients w.r.t. the module's inputs are computed, with
 *   grad_input[0..n_in):   d loss / d inputs[i] (NULL = PyTorch's None: the
 *                          input does not require grad),
 *   grad_output[0..n_out): d loss / d output (n_out = 1: ct_forward returns
 *                          one tensor),
 * all borrowed. To change the gradients passed on to the inputs, store a
 * new reference in new_grad_input[i] (NULL on entry; ownership passes to
 * ctorch; same shape as grad_input[i]); leave it NULL to keep grad_input[i]
 * (a C hook cannot turn a gradient into None). Return CT_OK, or CT_ERROR to
 * fail the backward call. Hooks run in registration order, each seeing the
 * previous one's replacements.
 * Implemented as PyTorch's BackwardHook: when grad mode is on, the inputs
 * that require grad go through an identity node (BackwardHookFunctionBackward)
 * before forward, and the output through another one after the forward
 * hooks; so the forward hooks see the wrapped inputs and the output's
 * grad_fn is BackwardHookFunctionBackward. When no input requires grad the
 * hooks run as soon as grad_output is known, with every grad_input NULL, and
 * a replacement is PyTorch's error "Backward hook for Modules where no input
 * requires gradient should always return None or None for all gradients.".
 * When the output does not depend on the inputs' graph the hooks do not run
 * (as PyTorch). At most 4 inputs may require grad. The hook must not free
 * the module. Returns a handle > 0 for ct_module_remove_hook. */
typedef int (*ct_full_backward_hook)(ct_module *m, int n_in, ct_tensor *const *grad_input, int n_out,
                                     ct_tensor *const *grad_output, ct_tensor **new_grad_input, void *ctx);
CT_NODISCARD int ct_module_register_full_backward_hook(ct_module *m, ct_full_backward_hook fn, void *ctx);
CT_NODISCARD int ct_module_remove_hook(ct_module *m, int handle);

/* ---- printing ---- */
/* repr(m): malloc'd text (free()), exactly PyTorch's nn.Module.__repr__. */
char *ct_module_to_string(const ct_module *m);
CT_NODISCARD int ct_module_print(const ct_module *m); /* print(m) */

/* ---- containers ---- */
/* nn.Sequential(*modules) (consumes each; NULL entries are an error). */
ct_module *ct_nn_sequential(int n, ct_module *const *modules);
#define CT_SEQUENTIAL(...) \
    ct_nn_sequential((int)(sizeof((ct_module *[]){__VA_ARGS__}) / sizeof(ct_module *)), (ct_module *[]){__VA_ARGS__})
/* nn.Sequential(OrderedDict(...)): names[i] for modules[i]. */
ct_module *ct_nn_sequential_named(int n, const char *const *names, ct_module *const *modules);
/* seq.append(m) / ModuleList.append (consumes m). */
CT_NODISCARD int ct_sequential_append(ct_module *seq, ct_module *child);
/* len(seq), seq[i] (negative from the end; borrowed), seq[start:stop]
 * (a new Sequential sharing the children, as PyTorch). */
int ct_module_len(const ct_module *m);
ct_module *ct_module_at(const ct_module *m, int index);
ct_module *ct_sequential_slice(const ct_module *seq, int start, int stop);
ct_module *ct_nn_module_list(int n, ct_module *const *modules);
ct_module *ct_nn_module_dict(int n, const char *const *names, ct_module *const *modules);
/* nn.ParameterList / nn.ParameterDict (consume the tensors). */
ct_module *ct_nn_parameter_list(int n, ct_tensor *const *params);
ct_module *ct_nn_parameter_dict(int n, const char *const *names, ct_tensor *const *params);

/* ---- layers of this header ---- */
/* nn.Linear(in, out, bias): x (*, in) -> (*, out). weight (out, in),
 * bias (out), initialized as PyTorch (kaiming_uniform_(a=sqrt(5)), then
 * bias uniform(-1/sqrt(in), 1/sqrt(in))) from the default generator. */
typedef struct ct_linear_opts {
    bool no_bias;   /* bias=False */
    ct_dtype dtype; /* default float dtype when 0 */
} ct_linear_opts;
ct_module *ct_nn_linear_opts(int64_t in_features, int64_t out_features, const ct_linear_opts *opts);
#define ct_nn_linear(in, out, ...) ct_nn_linear_opts((in), (out), &(const ct_linear_opts){__VA_ARGS__})
/* F.linear(x, weight, bias): bias may be NULL. */
ct_tensor *ct_linear(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias);

ct_module *ct_nn_identity(void);
/* nn.Flatten(start_dim=1, end_dim=-1) */
ct_module *ct_nn_flatten(int start_dim, int end_dim);
/* nn.Unflatten(dim, unflattened_size) */
ct_module *ct_nn_unflatten(int dim, int ndim, const int64_t *sizes);

/* parameter-free activations whose functional form is in ops_pointwise.h */
ct_module *ct_nn_relu(void);
ct_module *ct_nn_sigmoid(void);
ct_module *ct_nn_tanh(void);

#ifdef __cplusplus
}
#endif
#endif
