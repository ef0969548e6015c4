/* Internal: the optimizer object shared by optimizer.c (groups, state,
 * state_dict), algorithms.c (the update loops), lbfgs.c and lr_scheduler.c. */
#ifndef CT_OPTIM_IMPL_H
#define CT_OPTIM_IMPL_H

#include <stddef.h>

#include "base/text.h"

#include "ctorch/optim.h"
#include "tensor/tensor_impl.h"

/* One parameter's state: PyTorch's dict, keys in insertion order. A NULL
 * value is Python's None (SGD's momentum_buffer without momentum). */
typedef struct ct__pstate {
    int n;
    char keys[CT_OPTIM_MAX_KEYS][24];
    ct_tensor *v[CT_OPTIM_MAX_KEYS];
} ct__pstate;

typedef struct ct__group {
    ct_optim_opts o;
    int first, n; /* flat parameter indices [first, first + n) */
} ct__group;

typedef struct ct__algo ct__algo;

struct ct_optimizer {
    ct_optim_kind kind;
    const ct__algo *algo;
    ct_optim_opts defaults;
    int n_groups, cap_groups;
    ct__group *groups;
    int n_params, cap_params;
    ct_tensor **params; /* owned references */
    ct__pstate *state;  /* n_params entries */
    /* optimizer._step_count, reset by each new scheduler (its warning) */
    int64_t step_count;
    bool lr_given; /* SGD: lr is `required` */
};

/* An algorithm: name, accepted keywords, defaults, checks and update. */
struct ct__algo {
    const char *name;
    const char *keywords; /* space separated, e.g. "lr momentum dampening" */
    ct_optim_opts defaults;
    bool lr_required;
    int (*validate)(const ct_optim_opts *o);
    /* state created at construction / add_param_group (Adagrad) */
    int (*init_state)(ct_optimizer *opt, int64_t index, const ct_optim_opts *o);
    /* the update of one parameter with its gradient (both borrowed;
     * contiguous, same dtype and shape) */
    int (*update)(ct_optimizer *opt, const ct_optim_opts *o, int64_t index, ct_tensor *p, ct_tensor *g);
    /* a whole step replacing the per-parameter loop (LBFGS) */
    ct_tensor *(*step)(ct_optimizer *opt, ct_optim_closure closure, void *ctx);
};

const ct__algo *ct__optim_algo(ct_optim_kind kind);
extern const ct__algo ct__algo_lbfgs;

/* State access: the value of key (NULL if absent or None), whether it is
 * present, and setting it (consumes v; NULL stores None). */
ct_tensor *ct__pstate_get(const ct__pstate *s, const char *key);
bool ct__pstate_has(const ct__pstate *s, const char *key);
int ct__pstate_set(ct__pstate *s, const char *key, ct_tensor *v);
void ct__pstate_clear(ct__pstate *s);

/* A reference no scope tracks (state must outlive the caller's scopes);
 * consumes t. */
static inline ct_tensor *ct__optim_own(ct_tensor *t) {
    if (!t) return NULL;
    ct_tensor *r = ct_ref(t);
    ct_free(t);
    return r;
}

/* Whether the algorithm takes keyword kw (optimizer.defaults has it). */
bool ct__optim_has_keyword(const ct_optimizer *opt, const char *kw);


/* 0-dim tensors for state scalars */
ct_tensor *ct__scalar_f32(double v);
ct_tensor *ct__scalar_f64(double v);
ct_tensor *ct__scalar_i64(int64_t v);
double ct__scalar_value(const ct_tensor *t);

#endif
