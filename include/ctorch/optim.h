/* ctorch/optim.h — torch.optim: optimizers with param groups and
 * state_dicts, and the gradient utilities of torch.nn.utils
 * (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
 * vector_to_parameters). The lr schedulers are in lr_scheduler.h.
 * docs/optim.md has the training loop of the seeds in C.
 *
 *     ct_named_tensors p = ct_module_named_parameters(model, true);
 *     ct_optimizer *opt = ct_optim_sgd(p.n, p.tensors, .lr = 1e-2, .momentum = 0.9);
 *     ct_named_tensors_free(&p);
 *     ...
 *     ct_optim_zero_grad(opt, false);  // forward, loss, backward ...
 *     ct_optim_step(opt);
 *
 * Options: one struct, ct_optim_opts, holds every keyword argument of every
 * algorithm; each algorithm reads the ones it has and rejects the others
 * ("__init__() got an unexpected keyword argument 'momentum'"). A zero
 * field means PyTorch's default for that algorithm; where 0 is a legal value
 * different from the default (betas, eps, alpha, weight_decay of a group, ...)
 * write CT_ZERO (a negative zero, stored as +0.0). Per-group options
 * (PyTorch's [{'params': base}, {'params': classifier, 'lr': 1e-3}]) use the
 * same struct: a zero field takes the optimizer's default; a bool set to
 * true overrides, a bool left false takes the default (so a group cannot
 * switch off a flag the defaults switched on).
 *
 * Ownership: an optimizer holds a reference to each parameter (the tensors
 * passed are borrowed by the call). It holds its state (momentum buffers,
 * moments) itself. ct_optim_free releases all of it.
 *
 * Parameters must be float32 or float64 leaves; the updates are fused loops
 * in the parameter's dtype, run without recording a graph, with the
 * operation order of PyTorch 1.13's single-tensor (foreach=False) code.
 *
 * Errors: NULL / CT_ERROR with ct_last_error(), PyTorch's wording
 * ("Invalid learning rate: -0.1", "Invalid beta parameter at index 0: 1.5"). */
#ifndef CTORCH_OPTIM_H
#define CTORCH_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An explicit zero for an option whose zero field would mean "default". */
#define CT_ZERO (-0.0)

typedef enum ct_optim_kind {
    CT_OPTIM_SGD = 1,
    CT_OPTIM_ADAM,
    CT_OPTIM_ADAMW,
    CT_OPTIM_ADAMAX,
    CT_OPTIM_NADAM,
    CT_OPTIM_RADAM,
    CT_OPTIM_ADAGRAD,
    CT_OPTIM_ADADELTA,
    CT_OPTIM_RMSPROP,
    CT_OPTIM_RPROP,
    CT_OPTIM_ASGD,
    CT_OPTIM_LBFGS,
    CT_OPTIM_SPARSE_ADAM,
} ct_optim_kind;

/* Every keyword argument of torch.optim 1.13 (defaults per algorithm in
 * brackets; "-" = the algorithm does not take it). */
typedef struct ct_optim_opts {
    /* SGD [required] Adam/AdamW/Adamax/RAdam/SparseAdam [1e-3, Adamax 2e-3]
     * NAdam [2e-3] Adagrad/RMSprop/Rprop [1e-2] Adadelta/LBFGS [1.0] ASGD [1e-2] */
    double lr;
    double momentum;       /* SGD [0], RMSprop [0] */
    double dampening;      /* SGD [0] */
    double weight_decay;   /* all but Rprop/LBFGS/SparseAdam [0; AdamW 1e-2] */
    bool nesterov;         /* SGD */
    bool maximize;         /* all but NAdam/RAdam/LBFGS [false] */
    double betas[2];       /* Adam family [(0.9, 0.999)] */
    double eps;            /* [1e-8; Adagrad 1e-10; Adadelta 1e-6] */
    bool amsgrad;          /* Adam, AdamW */
    double lr_decay;       /* Adagrad [0] */
    double initial_accumulator_value; /* Adagrad [0] */
    double rho;            /* Adadelta [0.9] */
    double alpha;          /* RMSprop [0.99], ASGD [0.75] */
    bool centered;         /* RMSprop */
    double etas[2];        /* Rprop [(0.5, 1.2)] */
    double step_sizes[2];  /* Rprop [(1e-6, 50)] */
    double lambd;          /* ASGD [1e-4] */
    double t0;             /* ASGD [1e6] */
    double momentum_decay; /* NAdam [4e-3] */
    /* LBFGS */
    int max_iter;              /* [20] */
    int max_eval;              /* [max_iter * 5 / 4] */
    double tolerance_grad;     /* [1e-7] */
    double tolerance_change;   /* [1e-9] */
    int history_size;          /* [100] */
    const char *line_search_fn; /* NULL or "strong_wolfe" */
    /* accepted for compatibility; the single-tensor path is always used */
    bool foreach, differentiable, capturable, fused;
    /* Keys the lr schedulers add to a group (initial_lr, and OneCycleLR /
     * CyclicLR's max_lr, min_lr, base_momentum, max_momentum); sched_keys
     * says which are present (CT_GROUP_HAS_*). Users leave them zero. */
    double initial_lr, max_lr, min_lr, base_momentum, max_momentum;
    unsigned sched_keys;
} ct_optim_opts;
enum {
    CT_GROUP_HAS_INITIAL_LR = 1,
    CT_GROUP_HAS_MAX_LR = 2,
    CT_GROUP_HAS_MIN_LR = 4,
    CT_GROUP_HAS_BASE_MOMENTUM = 8,
    CT_GROUP_HAS_MAX_MOMENTUM = 16,
};

typedef struct ct_optimizer ct_optimizer;

/* A parameter group: n borrowed tensors and the options that differ from
 * the optimizer's defaults. */
typedef struct ct_param_group {
    int n;
    ct_tensor *const *params;
    ct_optim_opts opts;
} ct_param_group;

/* torch.optim.<Kind>(params, **defaults) with params a list of groups.
 * defaults may be NULL (all defaults; SGD then fails: "parameter group
 * didn't specify a value of required optimization parameter lr"). Errors:
 * "optimizer got an empty parameter list", "can't optimize a non-leaf
 * Tensor", "some parameters appear in more than one parameter group", the
 * option checks of each algorithm. LBFGS takes one group ("LBFGS doesn't
 * support per-parameter options (parameter groups)"). */
ct_optimizer *ct_optim_create(ct_optim_kind kind, int n_groups, const ct_param_group *groups,
                              const ct_optim_opts *defaults);
/* One group of n parameters (the common case). */
ct_optimizer *ct_optim_new(ct_optim_kind kind, int n, ct_tensor *const *params, const ct_optim_opts *defaults);

#define CT__OPTIM(kind, n, params, ...) ct_optim_new((kind), (n), (params), &(const ct_optim_opts){__VA_ARGS__})
/* ct_optim_sgd(n, params, .lr = 0.1, .momentum = 0.9) etc. */
#define ct_optim_sgd(n, params, ...) CT__OPTIM(CT_OPTIM_SGD, n, params, __VA_ARGS__)
#define ct_optim_adam(n, params, ...) CT__OPTIM(CT_OPTIM_ADAM, n, params, __VA_ARGS__)
#define ct_optim_adamw(n, params, ...) CT__OPTIM(CT_OPTIM_ADAMW, n, params, __VA_ARGS__)
#define ct_optim_adamax(n, params, ...) CT__OPTIM(CT_OPTIM_ADAMAX, n, params, __VA_ARGS__)
#define ct_optim_nadam(n, params, ...) CT__OPTIM(CT_OPTIM_NADAM, n, params, __VA_ARGS__)
#define ct_optim_radam(n, params, ...) CT__OPTIM(CT_OPTIM_RADAM, n, params, __VA_ARGS__)
#define ct_optim_adagrad(n, params, ...) CT__OPTIM(CT_OPTIM_ADAGRAD, n, params, __VA_ARGS__)
#define ct_optim_adadelta(n, params, ...) CT__OPTIM(CT_OPTIM_ADADELTA, n, params, __VA_ARGS__)
#define ct_optim_rmsprop(n, params, ...) CT__OPTIM(CT_OPTIM_RMSPROP, n, params, __VA_ARGS__)
#define ct_optim_rprop(n, params, ...) CT__OPTIM(CT_OPTIM_RPROP, n, params, __VA_ARGS__)
#define ct_optim_asgd(n, params, ...) CT__OPTIM(CT_OPTIM_ASGD, n, params, __VA_ARGS__)
#define ct_optim_lbfgs(n, params, ...) CT__OPTIM(CT_OPTIM_LBFGS, n, params, __VA_ARGS__)
#define ct_optim_sparse_adam(n, params, ...) CT__OPTIM(CT_OPTIM_SPARSE_ADAM, n, params, __VA_ARGS__)

void ct_optim_free(ct_optimizer *opt); /* NULL is fine */
const char *ct_optim_name(const ct_optimizer *opt); /* "SGD", "Adam", ... */
ct_optim_kind ct_optim_kind_of(const ct_optimizer *opt);

/* optimizer.add_param_group({'params': params, **opts}); opts may be NULL. */
CT_NODISCARD int ct_optim_add_param_group(ct_optimizer *opt, int n, ct_tensor *const *params,
                                          const ct_optim_opts *opts);

/* optimizer.zero_grad(set_to_none): 1.13's default set_to_none is false. */
CT_NODISCARD int ct_optim_zero_grad(ct_optimizer *opt, bool set_to_none);

/* optimizer.step(): parameters without .grad are skipped. LBFGS needs a
 * closure ("step() missing 1 required positional argument: 'closure'"). */
CT_NODISCARD int ct_optim_step(ct_optimizer *opt);

/* The closure re-evaluates the model: zero_grad, forward, loss, backward,
 * and returns the loss (a new reference to a one-element tensor), or NULL
 * on error. It is called with grad mode on. */
typedef ct_tensor *(*ct_optim_closure)(void *ctx);
/* optimizer.step(closure): returns the closure's first loss (a new
 * reference), or NULL on error. */
ct_tensor *ct_optim_step_closure(ct_optimizer *opt, ct_optim_closure closure, void *ctx);

/* ---- param groups ---- */
int ct_optim_num_groups(const ct_optimizer *opt);
/* optimizer.param_groups[g]: the group's options (every field resolved),
 * a mutable pointer valid until the next add_param_group / load_state_dict
 * / free. NULL if g is out of range. */
ct_optim_opts *ct_optim_group_opts(ct_optimizer *opt, int g);
/* len(group['params']) and group['params'][i] (borrowed). */
int ct_optim_group_size(const ct_optimizer *opt, int g);
ct_tensor *ct_optim_group_param(const ct_optimizer *opt, int g, int i);
/* group['lr'] get / set (NaN and CT_ERROR on a bad index). */
double ct_optim_get_lr(const ct_optimizer *opt, int g);
CT_NODISCARD int ct_optim_set_lr(ct_optimizer *opt, int g, double lr);

/* ---- state ----
 * optimizer.state[p][key] for the parameter of flat index i (parameters
 * numbered 0.. across the groups in order, as in state_dict): a borrowed
 * tensor or NULL when absent (or PyTorch's None). */
ct_tensor *ct_optim_state_get(const ct_optimizer *opt, int64_t index, const char *key);

/* optimizer.state_dict(): {'state': {index: {key: value}}, 'param_groups':
 * [{options..., 'params': [indices]}]}. Values are copies (the dict stays
 * valid after the optimizer changes or dies); a NULL value is None. Scalars
 * are 0-dim tensors: 'step' is float32 where PyTorch keeps a tensor (Adam,
 * AdamW, Adamax, NAdam, RAdam, Adagrad, ASGD) and int64 where it keeps a
 * Python int (Adadelta, RMSprop, Rprop, SparseAdam). LBFGS's lists are
 * stacked into 2-D tensors (old_dirs, old_stps: (history, numel); ro, al:
 * (history)), its numbers into 0-dim float64 / int64 tensors. */
#define CT_OPTIM_MAX_KEYS 12
typedef struct ct_optim_param_state {
    int64_t index;
    int n;
    char keys[CT_OPTIM_MAX_KEYS][24];
    ct_tensor *values[CT_OPTIM_MAX_KEYS];
} ct_optim_param_state;
typedef struct ct_optim_group_state {
    ct_optim_opts opts;
    int n;
    int64_t *params;
} ct_optim_group_state;
typedef struct ct_optim_state {
    ct_optim_kind kind;
    int n_state;                  /* parameters that have state, by ascending index */
    ct_optim_param_state *state;
    int n_groups;
    ct_optim_group_state *groups;
} ct_optim_state;

ct_optim_state *ct_optim_state_dict(const ct_optimizer *opt);
void ct_optim_state_dict_free(ct_optim_state *sd);
/* optimizer.load_state_dict(sd): copies sd (state tensors cast to their
 * parameter's dtype, 'step' kept). Errors: "loaded state dict has a
 * different number of parameter groups", "loaded state dict contains a
 * parameter group that doesn't match the size of optimizer's group". */
CT_NODISCARD int ct_optim_load_state_dict(ct_optimizer *opt, const ct_optim_state *sd);

/* ---- torch.nn.utils ---- */
/* clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite): scales
 * every .grad by max_norm / (total_norm + 1e-6) when that is < 1. norm_type
 * may be INFINITY. Writes the total norm (over all gradients, as one
 * vector) to *total_norm (may be NULL). Parameters without .grad are
 * skipped; none gives a norm of 0. With error_if_nonfinite a NaN/Inf norm
 * fails with PyTorch's "The total norm of order 2.0 for gradients from
 * `parameters` is non-finite, so it cannot be clipped. ...". */
CT_NODISCARD int ct_clip_grad_norm_(int n, ct_tensor *const *params, double max_norm, double norm_type,
                                    bool error_if_nonfinite, double *total_norm);
/* clip_grad_value_(params, clip_value): clamps each .grad to [-v, v]. */
CT_NODISCARD int ct_clip_grad_value_(int n, ct_tensor *const *params, double clip_value);
/* parameters_to_vector(params): (sum of numel) 1-D, a new tensor. */
ct_tensor *ct_parameters_to_vector(int n, ct_tensor *const *params);
/* vector_to_parameters(vec, params): copies consecutive slices of vec into
 * the parameters' data ("expected torch.Tensor, but got: ..." has no C
 * counterpart; a length mismatch is an error). */
CT_NODISCARD int ct_vector_to_parameters(const ct_tensor *vec, int n, ct_tensor *const *params);

#ifdef __cplusplus
}
#endif
#endif
