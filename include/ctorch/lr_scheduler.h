/* ctorch/lr_scheduler.h — torch.optim.lr_scheduler: schedulers that set
 * each param group's lr (and, for OneCycleLR / CyclicLR, its momentum or
 * beta1) after every epoch or batch, with the same numbers as PyTorch 1.13
 * (the same chainable formulas, step for step).
 *
 *     ct_lr_scheduler *sched = ct_lr_step(opt, 30, .gamma = 0.1);
 *     for (epoch...) { ...; ct_optim_step(opt); ...; ct_lr_scheduler_step(sched); }
 *     ct_lr_scheduler_free(sched);
 *
 * Construction takes the scheduler's initial step, as PyTorch's does: it
 * records each group's 'initial_lr' and sets group lrs. The optimizer is
 * borrowed: it must outlive the scheduler. Options follow optim.h: a zero
 * field means PyTorch's default; CT_ZERO is an explicit 0.0. Every scheduler
 * starts at last_epoch = -1 (resume through ct_lr_load_state_dict).
 *
 * Calling ct_lr_scheduler_step before the first ct_optim_step emits
 * PyTorch's UserWarning "Detected call of `lr_scheduler.step()` before
 * `optimizer.step()`. ...".
 *
 * Errors: NULL / CT_ERROR with ct_last_error(), PyTorch's messages. */
#ifndef CTORCH_LR_SCHEDULER_H
#define CTORCH_LR_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "optim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_lr_scheduler ct_lr_scheduler;

/* StepLR(optimizer, step_size, gamma=0.1): lr *= gamma every step_size epochs. */
typedef struct ct_step_lr_opts { double gamma; } ct_step_lr_opts;
ct_lr_scheduler *ct_lr_step_opts(ct_optimizer *opt, int64_t step_size, const ct_step_lr_opts *o);
#define ct_lr_step(opt, step_size, ...) ct_lr_step_opts((opt), (step_size), &(const ct_step_lr_opts){__VA_ARGS__})

/* MultiStepLR(optimizer, milestones, gamma=0.1) (a milestone listed k
 * times multiplies by gamma**k). */
ct_lr_scheduler *ct_lr_multi_step_opts(ct_optimizer *opt, int n, const int64_t *milestones, const ct_step_lr_opts *o);
#define ct_lr_multi_step(opt, n, milestones, ...) \
    ct_lr_multi_step_opts((opt), (n), (milestones), &(const ct_step_lr_opts){__VA_ARGS__})

/* ConstantLR(factor=1/3, total_iters=5): "Constant multiplicative factor
 * expected to be between 0 and 1." */
typedef struct ct_constant_lr_opts { double factor; int64_t total_iters; } ct_constant_lr_opts;
ct_lr_scheduler *ct_lr_constant_opts(ct_optimizer *opt, const ct_constant_lr_opts *o);
#define ct_lr_constant(opt, ...) ct_lr_constant_opts((opt), &(const ct_constant_lr_opts){__VA_ARGS__})

/* LinearLR(start_factor=1/3, end_factor=1.0, total_iters=5). */
typedef struct ct_linear_lr_opts { double start_factor, end_factor; int64_t total_iters; } ct_linear_lr_opts;
ct_lr_scheduler *ct_lr_linear_opts(ct_optimizer *opt, const ct_linear_lr_opts *o);
#define ct_lr_linear(opt, ...) ct_lr_linear_opts((opt), &(const ct_linear_lr_opts){__VA_ARGS__})

/* ExponentialLR(gamma). */
ct_lr_scheduler *ct_lr_exponential(ct_optimizer *opt, double gamma);

/* CosineAnnealingLR(T_max, eta_min=0). */
typedef struct ct_cosine_lr_opts { double eta_min; } ct_cosine_lr_opts;
ct_lr_scheduler *ct_lr_cosine_annealing_opts(ct_optimizer *opt, int64_t T_max, const ct_cosine_lr_opts *o);
#define ct_lr_cosine_annealing(opt, T_max, ...) \
    ct_lr_cosine_annealing_opts((opt), (T_max), &(const ct_cosine_lr_opts){__VA_ARGS__})

/* PolynomialLR(total_iters=5, power=1.0). */
typedef struct ct_polynomial_lr_opts { int64_t total_iters; double power; } ct_polynomial_lr_opts;
ct_lr_scheduler *ct_lr_polynomial_opts(ct_optimizer *opt, const ct_polynomial_lr_opts *o);
#define ct_lr_polynomial(opt, ...) ct_lr_polynomial_opts((opt), &(const ct_polynomial_lr_opts){__VA_ARGS__})

/* CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0): "Expected
 * positive integer T_0, but got 0", "Expected integer T_mult >= 1, but got 0". */
typedef struct ct_warm_restarts_lr_opts { int64_t T_mult; double eta_min; } ct_warm_restarts_lr_opts;
ct_lr_scheduler *ct_lr_cosine_annealing_warm_restarts_opts(ct_optimizer *opt, int64_t T_0,
                                                            const ct_warm_restarts_lr_opts *o);
#define ct_lr_cosine_annealing_warm_restarts(opt, T_0, ...) \
    ct_lr_cosine_annealing_warm_restarts_opts((opt), (T_0), &(const ct_warm_restarts_lr_opts){__VA_ARGS__})

/* LambdaLR(lr_lambda): lr = initial_lr * fn(last_epoch, ctx);
 * MultiplicativeLR(lr_lambda): lr *= fn(last_epoch, ctx) after epoch 0.
 * The _groups forms take one function and context per param group ("Expected
 * 2 lr_lambdas, but got 1"). */
typedef double (*ct_lr_lambda_fn)(int64_t epoch, void *ctx);
ct_lr_scheduler *ct_lr_lambda(ct_optimizer *opt, ct_lr_lambda_fn fn, void *ctx);
ct_lr_scheduler *ct_lr_lambda_groups(ct_optimizer *opt, int n, const ct_lr_lambda_fn *fns, void *const *ctxs);
ct_lr_scheduler *ct_lr_multiplicative(ct_optimizer *opt, ct_lr_lambda_fn fn, void *ctx);

/* OneCycleLR(max_lr, total_steps | epochs * steps_per_epoch, pct_start=0.3,
 * anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
 * max_momentum=0.95, div_factor=25, final_div_factor=1e4, three_phase=False).
 * max_lrs: NULL = max_lr for every group, or one per group. Cycles
 * 'momentum', or betas[0] when the optimizer has betas. */
typedef struct ct_one_cycle_lr_opts {
    int64_t total_steps, epochs, steps_per_epoch;
    double pct_start;
    const char *anneal_strategy; /* "cos" (NULL) or "linear" */
    bool no_cycle_momentum;      /* cycle_momentum=False */
    double base_momentum, max_momentum, div_factor, final_div_factor;
    bool three_phase;
    const double *max_lrs; /* per group, overrides max_lr */
} ct_one_cycle_lr_opts;
ct_lr_scheduler *ct_lr_one_cycle_opts(ct_optimizer *opt, double max_lr, const ct_one_cycle_lr_opts *o);
#define ct_lr_one_cycle(opt, max_lr, ...) ct_lr_one_cycle_opts((opt), (max_lr), &(const ct_one_cycle_lr_opts){__VA_ARGS__})

/* CyclicLR(base_lr, max_lr, step_size_up=2000, step_size_down=None,
 * mode='triangular', gamma=1.0, scale_fn=None, scale_mode='cycle',
 * cycle_momentum=True, base_momentum=0.8, max_momentum=0.9). */
typedef struct ct_cyclic_lr_opts {
    double step_size_up, step_size_down; /* 0: 2000 and step_size_up */
    const char *mode;                    /* "triangular" (NULL), "triangular2", "exp_range" */
    double gamma;
    double (*scale_fn)(double x, void *ctx); /* custom: replaces mode */
    void *scale_fn_ctx;
    const char *scale_mode; /* with scale_fn: "cycle" (NULL) or "iterations" */
    bool no_cycle_momentum;
    double base_momentum, max_momentum;
} ct_cyclic_lr_opts;
ct_lr_scheduler *ct_lr_cyclic_opts(ct_optimizer *opt, double base_lr, double max_lr, const ct_cyclic_lr_opts *o);
#define ct_lr_cyclic(opt, base_lr, max_lr, ...) \
    ct_lr_cyclic_opts((opt), (base_lr), (max_lr), &(const ct_cyclic_lr_opts){__VA_ARGS__})

/* ReduceLROnPlateau(mode='min', factor=0.1, patience=10, threshold=1e-4,
 * threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8); step with a metric.
 * patience and cooldown: 0 means the default (10, 0); CT_PATIENCE_ZERO is
 * patience 0. */
typedef struct ct_plateau_lr_opts {
    const char *mode; /* "min" (NULL) or "max" */
    double factor;
    int64_t patience;
    double threshold;
    const char *threshold_mode; /* "rel" (NULL) or "abs" */
    int64_t cooldown;
    double min_lr;
    const double *min_lrs; /* per group, overrides min_lr */
    double eps;
} ct_plateau_lr_opts;
#define CT_PATIENCE_ZERO (-1)
ct_lr_scheduler *ct_lr_reduce_on_plateau_opts(ct_optimizer *opt, const ct_plateau_lr_opts *o);
#define ct_lr_reduce_on_plateau(opt, ...) \
    ct_lr_reduce_on_plateau_opts((opt), &(const ct_plateau_lr_opts){__VA_ARGS__})

/* SequentialLR(optimizer, schedulers, milestones) (n schedulers, n - 1
 * milestones) and ChainedScheduler(schedulers): CONSUME the schedulers
 * given (even on failure), which must use opt. */
ct_lr_scheduler *ct_lr_sequential(ct_optimizer *opt, int n, ct_lr_scheduler *const *schedulers,
                                  const int64_t *milestones);
ct_lr_scheduler *ct_lr_chained(int n, ct_lr_scheduler *const *schedulers);

void ct_lr_scheduler_free(ct_lr_scheduler *s); /* NULL is fine */
const char *ct_lr_scheduler_name(const ct_lr_scheduler *s); /* "StepLR", ... */

/* scheduler.step(); ReduceLROnPlateau needs the metric form
 * ("step() missing 1 required positional argument: 'metrics'"). */
CT_NODISCARD int ct_lr_scheduler_step(ct_lr_scheduler *s);
CT_NODISCARD int ct_lr_scheduler_step_metric(ct_lr_scheduler *s, double metric);
/* scheduler.step(epoch) (deprecated in PyTorch, with its warning): the
 * closed form where PyTorch has one. */
CT_NODISCARD int ct_lr_scheduler_step_epoch(ct_lr_scheduler *s, double epoch);

/* get_last_lr(): writes up to n values; returns the number of groups. */
int ct_lr_get_last_lr(const ct_lr_scheduler *s, double *out, int n);
int64_t ct_lr_last_epoch(const ct_lr_scheduler *s);

/* state_dict() / load_state_dict(): an opaque snapshot of everything but
 * the optimizer and the callbacks (as PyTorch's __dict__ minus optimizer
 * and lr_lambdas); loading into a scheduler of another kind is an error. */
typedef struct ct_lr_state ct_lr_state;
ct_lr_state *ct_lr_state_dict(const ct_lr_scheduler *s);
CT_NODISCARD int ct_lr_load_state_dict(ct_lr_scheduler *s, const ct_lr_state *st);
void ct_lr_state_free(ct_lr_state *st);

#ifdef __cplusplus
}
#endif
#endif
