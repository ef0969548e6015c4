/* torch.optim.lr_scheduler 1.13: the chainable get_lr formulas (and the
 * closed forms step(epoch) uses), step counting and its warning,
 * state_dict snapshots. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/lr_scheduler.h"
#include "optim/optim_impl.h"

static const double PI = 3.141592653589793; /* math.pi */

typedef enum {
    K_STEP = 1,
    K_MULTI_STEP,
    K_CONSTANT,
    K_LINEAR,
    K_EXPONENTIAL,
    K_COSINE,
    K_POLYNOMIAL,
    K_WARM_RESTARTS,
    K_LAMBDA,
    K_MULTIPLICATIVE,
    K_ONE_CYCLE,
    K_CYCLIC,
    K_PLATEAU,
    K_SEQUENTIAL,
    K_CHAINED,
} kind_t;

static const char *const NAMES[] = {
    [K_STEP] = "StepLR",
    [K_MULTI_STEP] = "MultiStepLR",
    [K_CONSTANT] = "ConstantLR",
    [K_LINEAR] = "LinearLR",
    [K_EXPONENTIAL] = "ExponentialLR",
    [K_COSINE] = "CosineAnnealingLR",
    [K_POLYNOMIAL] = "PolynomialLR",
    [K_WARM_RESTARTS] = "CosineAnnealingWarmRestarts",
    [K_LAMBDA] = "LambdaLR",
    [K_MULTIPLICATIVE] = "MultiplicativeLR",
    [K_ONE_CYCLE] = "OneCycleLR",
    [K_CYCLIC] = "CyclicLR",
    [K_PLATEAU] = "ReduceLROnPlateau",
    [K_SEQUENTIAL] = "SequentialLR",
    [K_CHAINED] = "ChainedScheduler",
};

/* Everything a scheduler holds; a state_dict is a copy of it without the
 * optimizer and callbacks. */
struct ct_lr_scheduler {
    kind_t kind;
    ct_optimizer *opt; /* borrowed */
    int ng;
    int64_t last_epoch, step_count;
    double *base_lrs, *last_lr;
    /* hyperparameters */
    double gamma, factor, start_factor, end_factor, eta_min, power;
    int64_t step_size, total_iters, T_max;
    int n_milestones;
    int64_t *milestones; /* MultiStepLR (sorted), SequentialLR */
    /* CosineAnnealingWarmRestarts */
    int64_t T_0, T_mult;
    double T_i, T_cur;
    /* Lambda / Multiplicative */
    ct_lr_lambda_fn *fns;
    void **ctxs;
    /* OneCycleLR */
    int64_t total_steps;
    double pct_start;
    bool anneal_linear, cycle_momentum, use_beta1, three_phase;
    /* CyclicLR */
    double *max_lrs, *base_moms, *max_moms;
    double total_size, step_ratio;
    int cyc_mode; /* 0 triangular, 1 triangular2, 2 exp_range, 3 custom */
    bool scale_iterations;
    double (*scale_fn)(double, void *);
    void *scale_ctx;
    /* ReduceLROnPlateau */
    bool mode_max, thr_abs;
    int64_t patience, cooldown, cooldown_counter, num_bad_epochs;
    double threshold, eps, best;
    double *min_lrs;
    /* Sequential / Chained */
    int n_children;
    ct_lr_scheduler **children;
};
struct ct_lr_state {
    ct_lr_scheduler s;
};

static const char *WARN_ORDER =
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call "
    "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in "
    "PyTorch skipping the first value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";
static const char *WARN_EPOCH =
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. Please use "
    "`scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, the closed "
    "form is used instead of the new chainable form, where available. Please open an issue if you are unable to "
    "replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.";

static double dflt(double v, double d) { return v == 0 && !signbit(v) ? d : (v == 0 ? 0.0 : v); }

static ct__group *G(const ct_lr_scheduler *s, int g) { return &s->opt->groups[g]; }

static double *darr(int n) { return calloc((size_t)n + 1, sizeof(double)); }

/* ---- lifetime ---- */

void ct_lr_scheduler_free(ct_lr_scheduler *s) {
    if (!s) return;
    for (int i = 0; i < s->n_children; i++) ct_lr_scheduler_free(s->children[i]);
    free(s->children);
    free(s->base_lrs);
    free(s->last_lr);
    free(s->milestones);
    free(s->fns);
    free(s->ctxs);
    free(s->max_lrs);
    free(s->base_moms);
    free(s->max_moms);
    free(s->min_lrs);
    free(s);
}

const char *ct_lr_scheduler_name(const ct_lr_scheduler *s) { return s ? NAMES[s->kind] : NULL; }

static ct_lr_scheduler *alloc(kind_t kind, ct_optimizer *opt) {
    if (!opt) return NULL;
    ct_lr_scheduler *s = calloc(1, sizeof *s);
    if (!s) {
        ct__error_oom(sizeof *s);
        return NULL;
    }
    s->kind = kind;
    s->opt = opt;
    s->ng = opt->n_groups;
    s->base_lrs = darr(s->ng);
    s->last_lr = darr(s->ng);
    if (!s->base_lrs || !s->last_lr) {
        ct_lr_scheduler_free(s);
        ct__error_oom(0);
        return NULL;
    }
    return s;
}

/* ---- the formulas ---- */

static double anneal(const ct_lr_scheduler *s, double start, double end, double pct) {
    if (s->anneal_linear) return (end - start) * pct + start;
    double cos_out = cos(PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
}

static double cyc_scale(const ct_lr_scheduler *s, double x) {
    switch (s->cyc_mode) {
    case 0: return 1.;
    case 1: return 1 / pow(2., x - 1);
    case 2: return pow(s->gamma, x);
    default: return s->scale_fn(x, s->scale_ctx);
    }
}

static double group_get(const ct__group *g, const char *key) {
    if (!strcmp(key, "initial_lr")) return g->o.initial_lr;
    if (!strcmp(key, "max_lr")) return g->o.max_lr;
    if (!strcmp(key, "min_lr")) return g->o.min_lr;
    if (!strcmp(key, "max_momentum")) return g->o.max_momentum;
    return g->o.base_momentum;
}
static void set_momentum(ct_lr_scheduler *s, int g, double m) {
    if (s->use_beta1)
        G(s, g)->o.betas[0] = m;
    else
        G(s, g)->o.momentum = m;
}

/* get_lr() (chainable form): new lrs into out. */
static int get_lr(ct_lr_scheduler *s, double *out) {
    int64_t e = s->last_epoch;
    for (int g = 0; g < s->ng; g++) {
        double lr = G(s, g)->o.lr, base = s->base_lrs[g];
        switch (s->kind) {
        case K_STEP: out[g] = (e == 0 || e % s->step_size != 0) ? lr : lr * s->gamma; break;
        case K_MULTI_STEP: {
            int cnt = 0;
            for (int i = 0; i < s->n_milestones; i++) cnt += s->milestones[i] == e;
            out[g] = cnt ? lr * pow(s->gamma, cnt) : lr;
            break;
        }
        case K_CONSTANT:
            if (e == 0)
                out[g] = lr * s->factor;
            else if (e > s->total_iters || e != s->total_iters)
                out[g] = lr;
            else
                out[g] = lr * (1.0 / s->factor);
            break;
        case K_LINEAR:
            if (e == 0)
                out[g] = lr * s->start_factor;
            else if (e > s->total_iters)
                out[g] = lr;
            else
                out[g] = lr * (1. + (s->end_factor - s->start_factor) /
                                        ((double)s->total_iters * s->start_factor +
                                         (double)(e - 1) * (s->end_factor - s->start_factor)));
            break;
        case K_EXPONENTIAL: out[g] = e == 0 ? lr : lr * s->gamma; break;
        case K_COSINE: {
            double T = (double)s->T_max;
            if (e == 0)
                out[g] = lr;
            else if (s->step_count == 1 && e > 0)
                out[g] = s->eta_min + (base - s->eta_min) * (1 + cos((double)e * PI / T)) / 2;
            else if ((e - 1 - s->T_max) % (2 * s->T_max) == 0)
                out[g] = lr + (base - s->eta_min) * (1 - cos(PI / T)) / 2;
            else
                out[g] = (1 + cos(PI * (double)e / T)) / (1 + cos(PI * (double)(e - 1) / T)) * (lr - s->eta_min) +
                         s->eta_min;
            break;
        }
        case K_POLYNOMIAL:
            if (e == 0 || e > s->total_iters) {
                out[g] = lr;
            } else {
                double ti = (double)s->total_iters;
                double f = pow((1.0 - (double)e / ti) / (1.0 - (double)(e - 1) / ti), s->power);
                out[g] = lr * f;
            }
            break;
        case K_WARM_RESTARTS:
            out[g] = s->eta_min + (base - s->eta_min) * (1 + cos(PI * s->T_cur / s->T_i)) / 2;
            break;
        case K_LAMBDA: out[g] = base * s->fns[g]((int64_t)e, s->ctxs[g]); break;
        case K_MULTIPLICATIVE: out[g] = e > 0 ? lr * s->fns[g](e, s->ctxs[g]) : lr; break;
        case K_ONE_CYCLE: {
            if (e > s->total_steps) {
                ct__error("Tried to step %lld times. The specified number of total steps is %lld", (long long)(e + 1),
                          (long long)s->total_steps);
                return CT_ERROR;
            }
            double ts = (double)s->total_steps;
            struct {
                double end;
                const char *slr, *elr, *sm, *em;
            } ph[3];
            int nph;
            if (s->three_phase) {
                nph = 3;
                ph[0].end = s->pct_start * ts - 1, ph[0].slr = "initial_lr", ph[0].elr = "max_lr";
                ph[0].sm = "max_momentum", ph[0].em = "base_momentum";
                ph[1].end = 2 * s->pct_start * ts - 2, ph[1].slr = "max_lr", ph[1].elr = "initial_lr";
                ph[1].sm = "base_momentum", ph[1].em = "max_momentum";
                ph[2].end = ts - 1, ph[2].slr = "initial_lr", ph[2].elr = "min_lr";
                ph[2].sm = "max_momentum", ph[2].em = "max_momentum";
            } else {
                nph = 2;
                ph[0].end = s->pct_start * ts - 1, ph[0].slr = "initial_lr", ph[0].elr = "max_lr";
                ph[0].sm = "max_momentum", ph[0].em = "base_momentum";
                ph[1].end = ts - 1, ph[1].slr = "max_lr", ph[1].elr = "min_lr";
                ph[1].sm = "base_momentum", ph[1].em = "max_momentum";
            }
            double start = 0, clr = lr, cm = 0;
            for (int i = 0; i < nph; i++) {
                if ((double)e <= ph[i].end || i == nph - 1) {
                    double pct = ((double)e - start) / (ph[i].end - start);
                    clr = anneal(s, group_get(G(s, g), ph[i].slr), group_get(G(s, g), ph[i].elr), pct);
                    if (s->cycle_momentum)
                        cm = anneal(s, group_get(G(s, g), ph[i].sm), group_get(G(s, g), ph[i].em), pct);
                    break;
                }
                start = ph[i].end;
            }
            out[g] = clr;
            if (s->cycle_momentum) set_momentum(s, g, cm);
            break;
        }
        case K_CYCLIC: {
            double cycle = floor(1 + (double)e / s->total_size);
            double x = 1. + (double)e / s->total_size - cycle;
            double sf = x <= s->step_ratio ? x / s->step_ratio : (x - 1) / (s->step_ratio - 1);
            double arg = s->scale_iterations ? (double)e : cycle;
            double bh = (s->max_lrs[g] - base) * sf;
            out[g] = base + bh * cyc_scale(s, arg);
            if (s->cycle_momentum) {
                double mh = (s->max_moms[g] - s->base_moms[g]) * sf;
                G(s, g)->o.momentum = s->max_moms[g] - mh * cyc_scale(s, arg);
            }
            break;
        }
        default: out[g] = lr; break;
        }
    }
    return CT_OK;
}

/* _get_closed_form_lr(), when the scheduler has one (else get_lr). */
static int closed_form(ct_lr_scheduler *s, double *out) {
    int64_t e = s->last_epoch;
    for (int g = 0; g < s->ng; g++) {
        double base = s->base_lrs[g];
        switch (s->kind) {
        case K_STEP: {
            /* Python floor division */
            int64_t q = e / s->step_size;
            if ((e % s->step_size != 0) && ((e < 0) != (s->step_size < 0))) q--;
            out[g] = base * pow(s->gamma, (double)q);
            break;
        }
        case K_MULTI_STEP: {
            int cnt = 0;
            for (int i = 0; i < s->n_milestones; i++) cnt += s->milestones[i] <= e;
            out[g] = base * pow(s->gamma, cnt);
            break;
        }
        case K_CONSTANT: out[g] = base * (s->factor + (double)(e >= s->total_iters) * (1 - s->factor)); break;
        case K_LINEAR:
            out[g] = base * (s->start_factor + (s->end_factor - s->start_factor) *
                                                   (double)(s->total_iters < e ? s->total_iters : e) /
                                                   (double)s->total_iters);
            break;
        case K_EXPONENTIAL: out[g] = base * pow(s->gamma, (double)e); break;
        case K_COSINE:
            out[g] = s->eta_min + (base - s->eta_min) * (1 + cos(PI * (double)e / (double)s->T_max)) / 2;
            break;
        case K_POLYNOMIAL:
            out[g] = base * pow(1.0 - (double)(s->total_iters < e ? s->total_iters : e) / (double)s->total_iters,
                                s->power);
            break;
        default: return get_lr(s, out);
        }
    }
    return CT_OK;
}

static void apply(ct_lr_scheduler *s, const double *lrs) {
    for (int g = 0; g < s->ng; g++) {
        G(s, g)->o.lr = lrs[g];
        s->last_lr[g] = lrs[g];
    }
}

/* _LRScheduler.step(epoch); has_epoch false = step() */
static int base_step(ct_lr_scheduler *s, bool has_epoch, int64_t epoch) {
    if (s->step_count == 1 && s->opt->step_count < 1) ct__warn("%s", WARN_ORDER);
    s->step_count++;
    double *lrs = darr(s->ng);
    if (!lrs) return ct__error_oom(0), CT_ERROR;
    int rc;
    if (!has_epoch) {
        s->last_epoch++;
        rc = get_lr(s, lrs);
    } else {
        ct__warn("%s", WARN_EPOCH);
        s->last_epoch = epoch;
        rc = closed_form(s, lrs);
    }
    if (rc == CT_OK) apply(s, lrs);
    free(lrs);
    return rc;
}

/* CosineAnnealingWarmRestarts.step(epoch) */
static int warm_step(ct_lr_scheduler *s, bool has_epoch, double epoch) {
    if (!has_epoch && s->last_epoch < 0) {
        has_epoch = true;
        epoch = 0;
    }
    if (!has_epoch) {
        epoch = (double)(s->last_epoch + 1);
        s->T_cur = s->T_cur + 1;
        if (s->T_cur >= s->T_i) {
            s->T_cur = s->T_cur - s->T_i;
            s->T_i = s->T_i * (double)s->T_mult;
        }
    } else {
        if (epoch < 0) {
            char b[40];
            ct__error("Expected non-negative epoch, but got %s", ct__py_float(b, sizeof b, epoch));
            return CT_ERROR;
        }
        double T0 = (double)s->T_0, Tm = (double)s->T_mult;
        if (epoch >= T0) {
            if (s->T_mult == 1) {
                s->T_cur = fmod(epoch, T0);
            } else {
                double n = floor(log(epoch / T0 * (Tm - 1) + 1) / log(Tm));
                s->T_cur = epoch - T0 * (pow(Tm, n) - 1) / (Tm - 1);
                s->T_i = T0 * pow(Tm, n);
            }
        } else {
            s->T_i = T0;
            s->T_cur = epoch;
        }
    }
    s->last_epoch = (int64_t)floor(epoch);
    double *lrs = darr(s->ng);
    if (!lrs) return ct__error_oom(0), CT_ERROR;
    int rc = get_lr(s, lrs);
    if (rc == CT_OK) apply(s, lrs);
    free(lrs);
    return rc;
}

static int initial_step(ct_lr_scheduler *s) {
    s->opt->step_count = 0;
    s->step_count = 0;
    if (s->kind == K_WARM_RESTARTS) return warm_step(s, false, 0);
    return base_step(s, false, 0);
}

/* _LRScheduler.__init__ with last_epoch=-1 */
static ct_lr_scheduler *finish(ct_lr_scheduler *s) {
    if (!s) return NULL;
    for (int g = 0; g < s->ng; g++) {
        ct__group *grp = G(s, g);
        if (!(grp->o.sched_keys & CT_GROUP_HAS_INITIAL_LR)) {
            grp->o.initial_lr = grp->o.lr;
            grp->o.sched_keys |= CT_GROUP_HAS_INITIAL_LR;
        }
        s->base_lrs[g] = grp->o.initial_lr;
    }
    s->last_epoch = -1;
    if (initial_step(s) != CT_OK) {
        ct_lr_scheduler_free(s);
        return NULL;
    }
    return s;
}

/* ---- constructors ---- */

ct_lr_scheduler *ct_lr_step_opts(ct_optimizer *opt, int64_t step_size, const ct_step_lr_opts *o) {
    ct_lr_scheduler *s = alloc(K_STEP, opt);
    if (!s) return NULL;
    if (step_size == 0) {
        ct_lr_scheduler_free(s);
        ct__error("integer division or modulo by zero");
        return NULL;
    }
    s->step_size = step_size;
    s->gamma = dflt(o ? o->gamma : 0, 0.1);
    return finish(s);
}

ct_lr_scheduler *ct_lr_multi_step_opts(ct_optimizer *opt, int n, const int64_t *milestones, const ct_step_lr_opts *o) {
    if (n > 0 && !milestones) return NULL;
    ct_lr_scheduler *s = alloc(K_MULTI_STEP, opt);
    if (!s) return NULL;
    s->milestones = malloc(((size_t)(n > 0 ? n : 0) + 1) * sizeof *s->milestones);
    if (!s->milestones) {
        ct_lr_scheduler_free(s);
        return ct__error_oom(0), NULL;
    }
    s->n_milestones = n > 0 ? n : 0;
    if (n > 0) memcpy(s->milestones, milestones, (size_t)n * sizeof *milestones);
    s->gamma = dflt(o ? o->gamma : 0, 0.1);
    return finish(s);
}

ct_lr_scheduler *ct_lr_constant_opts(ct_optimizer *opt, const ct_constant_lr_opts *o) {
    double factor = dflt(o ? o->factor : 0, 1.0 / 3);
    if (!opt) return NULL;
    if (factor > 1.0 || factor < 0) {
        ct__error("Constant multiplicative factor expected to be between 0 and 1.");
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_CONSTANT, opt);
    if (!s) return NULL;
    s->factor = factor;
    s->total_iters = o && o->total_iters ? o->total_iters : 5;
    return finish(s);
}

ct_lr_scheduler *ct_lr_linear_opts(ct_optimizer *opt, const ct_linear_lr_opts *o) {
    double sf = dflt(o ? o->start_factor : 0, 1.0 / 3), ef = dflt(o ? o->end_factor : 0, 1.0);
    if (!opt) return NULL;
    if (sf > 1.0 || sf < 0) {
        ct__error("Starting multiplicative factor expected to be between 0 and 1.");
        return NULL;
    }
    if (ef > 1.0 || ef < 0) {
        ct__error("Ending multiplicative factor expected to be between 0 and 1.");
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_LINEAR, opt);
    if (!s) return NULL;
    s->start_factor = sf;
    s->end_factor = ef;
    s->total_iters = o && o->total_iters ? o->total_iters : 5;
    return finish(s);
}

ct_lr_scheduler *ct_lr_exponential(ct_optimizer *opt, double gamma) {
    ct_lr_scheduler *s = alloc(K_EXPONENTIAL, opt);
    if (!s) return NULL;
    s->gamma = gamma;
    return finish(s);
}

ct_lr_scheduler *ct_lr_cosine_annealing_opts(ct_optimizer *opt, int64_t T_max, const ct_cosine_lr_opts *o) {
    ct_lr_scheduler *s = alloc(K_COSINE, opt);
    if (!s) return NULL;
    s->T_max = T_max;
    s->eta_min = o ? dflt(o->eta_min, 0) : 0;
    return finish(s);
}

ct_lr_scheduler *ct_lr_polynomial_opts(ct_optimizer *opt, const ct_polynomial_lr_opts *o) {
    ct_lr_scheduler *s = alloc(K_POLYNOMIAL, opt);
    if (!s) return NULL;
    s->total_iters = o && o->total_iters ? o->total_iters : 5;
    s->power = dflt(o ? o->power : 0, 1.0);
    return finish(s);
}

ct_lr_scheduler *ct_lr_cosine_annealing_warm_restarts_opts(ct_optimizer *opt, int64_t T_0,
                                                           const ct_warm_restarts_lr_opts *o) {
    int64_t T_mult = o && o->T_mult ? o->T_mult : 1;
    if (!opt) return NULL;
    if (T_0 <= 0) {
        ct__error("Expected positive integer T_0, but got %lld", (long long)T_0);
        return NULL;
    }
    if (T_mult < 1) {
        ct__error("Expected integer T_mult >= 1, but got %lld", (long long)T_mult);
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_WARM_RESTARTS, opt);
    if (!s) return NULL;
    s->T_0 = T_0;
    s->T_i = (double)T_0;
    s->T_mult = T_mult;
    s->eta_min = o ? dflt(o->eta_min, 0) : 0;
    s->T_cur = -1;
    return finish(s);
}

static ct_lr_scheduler *lambda_make(kind_t kind, ct_optimizer *opt, int n, const ct_lr_lambda_fn *fns,
                                    void *const *ctxs, bool one) {
    if (!opt || !fns) return NULL;
    if (!one && n != opt->n_groups) {
        ct__error("Expected %d lr_lambdas, but got %d", opt->n_groups, n);
        return NULL;
    }
    ct_lr_scheduler *s = alloc(kind, opt);
    if (!s) return NULL;
    s->fns = calloc((size_t)s->ng + 1, sizeof *s->fns);
    s->ctxs = calloc((size_t)s->ng + 1, sizeof *s->ctxs);
    if (!s->fns || !s->ctxs) {
        ct_lr_scheduler_free(s);
        return ct__error_oom(0), NULL;
    }
    for (int g = 0; g < s->ng; g++) {
        s->fns[g] = fns[one ? 0 : g];
        s->ctxs[g] = ctxs ? ctxs[one ? 0 : g] : NULL;
        if (!s->fns[g]) {
            ct_lr_scheduler_free(s);
            ct__error("lr_lambda is NULL");
            return NULL;
        }
    }
    return finish(s);
}
ct_lr_scheduler *ct_lr_lambda(ct_optimizer *opt, ct_lr_lambda_fn fn, void *ctx) {
    return lambda_make(K_LAMBDA, opt, 1, &fn, &ctx, true);
}
ct_lr_scheduler *ct_lr_lambda_groups(ct_optimizer *opt, int n, const ct_lr_lambda_fn *fns, void *const *ctxs) {
    return lambda_make(K_LAMBDA, opt, n, fns, ctxs, false);
}
ct_lr_scheduler *ct_lr_multiplicative(ct_optimizer *opt, ct_lr_lambda_fn fn, void *ctx) {
    return lambda_make(K_MULTIPLICATIVE, opt, 1, &fn, &ctx, true);
}

ct_lr_scheduler *ct_lr_one_cycle_opts(ct_optimizer *opt, double max_lr, const ct_one_cycle_lr_opts *o) {
    static const ct_one_cycle_lr_opts none = {0};
    if (!opt) return NULL;
    if (!o) o = &none;
    int64_t total;
    if (o->total_steps == 0 && o->epochs == 0 && o->steps_per_epoch == 0) {
        ct__error("You must define either total_steps OR (epochs AND steps_per_epoch)");
        return NULL;
    } else if (o->total_steps != 0) {
        if (o->total_steps <= 0) {
            ct__error("Expected positive integer total_steps, but got %lld", (long long)o->total_steps);
            return NULL;
        }
        total = o->total_steps;
    } else {
        if (o->epochs <= 0) {
            ct__error("Expected positive integer epochs, but got %lld", (long long)o->epochs);
            return NULL;
        }
        if (o->steps_per_epoch <= 0) {
            ct__error("Expected positive integer steps_per_epoch, but got %lld", (long long)o->steps_per_epoch);
            return NULL;
        }
        total = o->epochs * o->steps_per_epoch;
    }
    double pct = dflt(o->pct_start, 0.3);
    char b[40];
    if (pct < 0 || pct > 1) {
        ct__error("Expected float between 0 and 1 pct_start, but got %s", ct__py_float(b, sizeof b, pct));
        return NULL;
    }
    const char *as = o->anneal_strategy ? o->anneal_strategy : "cos";
    if (strcmp(as, "cos") && strcmp(as, "linear")) {
        ct__error("anneal_strategy must by one of 'cos' or 'linear', instead got %s", as);
        return NULL;
    }
    bool cm = !o->no_cycle_momentum;
    if (cm && !ct__optim_has_keyword(opt, "momentum") && !ct__optim_has_keyword(opt, "betas")) {
        ct__error("optimizer must support momentum with `cycle_momentum` option enabled");
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_ONE_CYCLE, opt);
    if (!s) return NULL;
    s->total_steps = total;
    s->pct_start = pct;
    s->anneal_linear = !strcmp(as, "linear");
    s->three_phase = o->three_phase;
    s->cycle_momentum = cm;
    double div = dflt(o->div_factor, 25.), fdiv = dflt(o->final_div_factor, 1e4);
    for (int g = 0; g < s->ng; g++) {
        ct__group *grp = G(s, g);
        double m = o->max_lrs ? o->max_lrs[g] : max_lr;
        grp->o.initial_lr = m / div;
        grp->o.max_lr = m;
        grp->o.min_lr = grp->o.initial_lr / fdiv;
        grp->o.sched_keys |= CT_GROUP_HAS_INITIAL_LR | CT_GROUP_HAS_MAX_LR | CT_GROUP_HAS_MIN_LR;
    }
    if (cm) {
        s->use_beta1 = ct__optim_has_keyword(opt, "betas");
        double mm = dflt(o->max_momentum, 0.95), bm = dflt(o->base_momentum, 0.85);
        for (int g = 0; g < s->ng; g++) {
            set_momentum(s, g, mm);
            G(s, g)->o.max_momentum = mm;
            G(s, g)->o.base_momentum = bm;
            G(s, g)->o.sched_keys |= CT_GROUP_HAS_MAX_MOMENTUM | CT_GROUP_HAS_BASE_MOMENTUM;
        }
    }
    return finish(s);
}

ct_lr_scheduler *ct_lr_cyclic_opts(ct_optimizer *opt, double base_lr, double max_lr, const ct_cyclic_lr_opts *o) {
    static const ct_cyclic_lr_opts none = {0};
    if (!opt) return NULL;
    if (!o) o = &none;
    int mode = 0;
    if (o->scale_fn) {
        mode = 3;
    } else if (!o->mode || !strcmp(o->mode, "triangular")) {
        mode = 0;
    } else if (!strcmp(o->mode, "triangular2")) {
        mode = 1;
    } else if (!strcmp(o->mode, "exp_range")) {
        mode = 2;
    } else {
        ct__error("mode is invalid and scale_fn is None");
        return NULL;
    }
    bool cm = !o->no_cycle_momentum;
    if (cm && !ct__optim_has_keyword(opt, "momentum")) {
        ct__error("optimizer must support momentum with `cycle_momentum` option enabled");
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_CYCLIC, opt);
    if (!s) return NULL;
    s->max_lrs = darr(s->ng);
    s->base_moms = darr(s->ng);
    s->max_moms = darr(s->ng);
    if (!s->max_lrs || !s->base_moms || !s->max_moms) {
        ct_lr_scheduler_free(s);
        return ct__error_oom(0), NULL;
    }
    for (int g = 0; g < s->ng; g++) {
        G(s, g)->o.lr = base_lr;
        s->max_lrs[g] = max_lr;
    }
    double up = dflt(o->step_size_up, 2000.), down = o->step_size_down != 0 ? o->step_size_down : up;
    s->total_size = up + down;
    s->step_ratio = up / s->total_size;
    s->cyc_mode = mode;
    s->gamma = dflt(o->gamma, 1.);
    s->scale_fn = o->scale_fn;
    s->scale_ctx = o->scale_fn_ctx;
    s->scale_iterations = mode == 2 || (mode == 3 && o->scale_mode && !strcmp(o->scale_mode, "iterations"));
    s->cycle_momentum = cm;
    if (cm) {
        double bm = dflt(o->base_momentum, 0.8), mm = dflt(o->max_momentum, 0.9);
        for (int g = 0; g < s->ng; g++) {
            G(s, g)->o.momentum = bm;
            s->base_moms[g] = bm;
            s->max_moms[g] = mm;
        }
    }
    s = finish(s);
    if (s)
        for (int g = 0; g < s->ng; g++) s->base_lrs[g] = base_lr;
    return s;
}

ct_lr_scheduler *ct_lr_reduce_on_plateau_opts(ct_optimizer *opt, const ct_plateau_lr_opts *o) {
    static const ct_plateau_lr_opts none = {0};
    if (!opt) return NULL;
    if (!o) o = &none;
    double factor = dflt(o->factor, 0.1);
    if (factor >= 1.0) {
        ct__error("Factor should be < 1.0.");
        return NULL;
    }
    const char *mode = o->mode ? o->mode : "min", *tm = o->threshold_mode ? o->threshold_mode : "rel";
    if (strcmp(mode, "min") && strcmp(mode, "max")) {
        ct__error("mode %s is unknown!", mode);
        return NULL;
    }
    if (strcmp(tm, "rel") && strcmp(tm, "abs")) {
        ct__error("threshold mode %s is unknown!", tm);
        return NULL;
    }
    ct_lr_scheduler *s = alloc(K_PLATEAU, opt);
    if (!s) return NULL;
    s->min_lrs = darr(s->ng);
    if (!s->min_lrs) {
        ct_lr_scheduler_free(s);
        return ct__error_oom(0), NULL;
    }
    for (int g = 0; g < s->ng; g++) {
        s->min_lrs[g] = o->min_lrs ? o->min_lrs[g] : dflt(o->min_lr, 0);
        s->last_lr[g] = G(s, g)->o.lr;
    }
    s->factor = factor;
    s->patience = o->patience == CT_PATIENCE_ZERO ? 0 : o->patience ? o->patience : 10;
    s->cooldown = o->cooldown > 0 ? o->cooldown : 0;
    s->threshold = dflt(o->threshold, 1e-4);
    s->eps = dflt(o->eps, 1e-8);
    s->mode_max = !strcmp(mode, "max");
    s->thr_abs = !strcmp(tm, "abs");
    s->best = s->mode_max ? -INFINITY : INFINITY;
    s->last_epoch = 0;
    return s;
}

ct_lr_scheduler *ct_lr_sequential(ct_optimizer *opt, int n, ct_lr_scheduler *const *schedulers,
                                  const int64_t *milestones) {
    ct_lr_scheduler *s = NULL;
    bool ok = opt && schedulers && n > 0;
    for (int i = 0; ok && i < n; i++) ok = schedulers[i] != NULL;
    if (!ok) goto fail;
    for (int i = 0; i < n; i++)
        if (schedulers[i]->opt != opt) {
            ct__error("Sequential Schedulers expects all schedulers to belong to the same optimizer, but got "
                      "schedulers at index %d to be different than the optimizer passed in.",
                      i);
            goto fail;
        }
    if (n - 1 > 0 && !milestones) goto fail;
    s = alloc(K_SEQUENTIAL, opt);
    if (!s) goto fail;
    s->children = calloc((size_t)n, sizeof *s->children);
    s->milestones = calloc((size_t)n, sizeof *s->milestones);
    if (!s->children || !s->milestones) {
        ct__error_oom(0);
        goto fail;
    }
    s->n_children = n;
    memcpy(s->children, schedulers, (size_t)n * sizeof *schedulers);
    s->n_milestones = n - 1;
    if (n > 1) memcpy(s->milestones, milestones, (size_t)(n - 1) * sizeof *milestones);
    s->last_epoch = 0;
    for (int g = 0; g < s->ng; g++) G(s, g)->o.lr = G(s, g)->o.initial_lr;
    for (int i = 0; i < n; i++) s->children[i]->last_epoch -= 1;
    if (initial_step(s->children[0]) != CT_OK) {
        ct_lr_scheduler_free(s);
        return NULL;
    }
    memcpy(s->last_lr, s->children[0]->last_lr, (size_t)s->ng * sizeof(double));
    return s;
fail:
    if (s && s->n_children) {
        ct_lr_scheduler_free(s);
    } else {
        ct_lr_scheduler_free(s);
        for (int i = 0; schedulers && i < n; i++) ct_lr_scheduler_free(schedulers[i]);
    }
    return NULL;
}

ct_lr_scheduler *ct_lr_chained(int n, ct_lr_scheduler *const *schedulers) {
    bool ok = schedulers && n > 0;
    for (int i = 0; ok && i < n; i++) ok = schedulers[i] != NULL;
    ct_lr_scheduler *s = NULL;
    if (!ok) goto fail;
    for (int i = 1; i < n; i++)
        if (schedulers[i]->opt != schedulers[0]->opt) {
            ct__error("ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at "
                      "index 0 and %d to be different",
                      i);
            goto fail;
        }
    s = alloc(K_CHAINED, schedulers[0]->opt);
    if (!s) goto fail;
    s->children = calloc((size_t)n, sizeof *s->children);
    if (!s->children) {
        ct_lr_scheduler_free(s);
        s = NULL;
        ct__error_oom(0);
        goto fail;
    }
    s->n_children = n;
    memcpy(s->children, schedulers, (size_t)n * sizeof *schedulers);
    for (int g = 0; g < s->ng; g++) s->last_lr[g] = G(s, g)->o.lr;
    return s;
fail:
    for (int i = 0; schedulers && i < n; i++) ct_lr_scheduler_free(schedulers[i]);
    return NULL;
}

/* ---- stepping ---- */

static bool sched_ok(const ct_lr_scheduler *s) {
    if (!s) return false;
    if (s->opt->n_groups != s->ng) {
        ct__error("%s: the optimizer's param groups changed after the scheduler was made", NAMES[s->kind]);
        return false;
    }
    return true;
}

int ct_lr_scheduler_step(ct_lr_scheduler *s) {
    if (!sched_ok(s)) return CT_ERROR;
    switch (s->kind) {
    case K_PLATEAU: ct__error("step() missing 1 required positional argument: 'metrics'"); return CT_ERROR;
    case K_WARM_RESTARTS: return warm_step(s, false, 0);
    case K_SEQUENTIAL: {
        s->last_epoch++;
        int idx = 0;
        while (idx < s->n_milestones && s->milestones[idx] <= s->last_epoch) idx++; /* bisect_right */
        ct_lr_scheduler *c = s->children[idx];
        int rc;
        if (idx > 0 && s->milestones[idx - 1] == s->last_epoch)
            rc = c->kind == K_WARM_RESTARTS ? warm_step(c, true, 0) : base_step(c, true, 0);
        else
            rc = ct_lr_scheduler_step(c);
        memcpy(s->last_lr, c->last_lr, (size_t)s->ng * sizeof(double));
        return rc;
    }
    case K_CHAINED:
        for (int i = 0; i < s->n_children; i++)
            if (ct_lr_scheduler_step(s->children[i]) != CT_OK) return CT_ERROR;
        for (int g = 0; g < s->ng; g++) s->last_lr[g] = G(s, g)->o.lr;
        return CT_OK;
    default: return base_step(s, false, 0);
    }
}

int ct_lr_scheduler_step_epoch(ct_lr_scheduler *s, double epoch) {
    if (!sched_ok(s)) return CT_ERROR;
    switch (s->kind) {
    case K_WARM_RESTARTS: return warm_step(s, true, epoch);
    case K_PLATEAU:
    case K_SEQUENTIAL:
    case K_CHAINED: ct__error("step() takes 1 positional argument but 2 were given"); return CT_ERROR;
    default: return base_step(s, true, (int64_t)epoch);
    }
}

int ct_lr_scheduler_step_metric(ct_lr_scheduler *s, double current) {
    if (!sched_ok(s)) return CT_ERROR;
    if (s->kind != K_PLATEAU) {
        ct__error("step() takes 1 positional argument but 2 were given");
        return CT_ERROR;
    }
    s->last_epoch++;
    bool better;
    if (!s->mode_max && !s->thr_abs)
        better = current < s->best * (1. - s->threshold);
    else if (!s->mode_max)
        better = current < s->best - s->threshold;
    else if (!s->thr_abs)
        better = current > s->best * (s->threshold + 1.);
    else
        better = current > s->best + s->threshold;
    if (better) {
        s->best = current;
        s->num_bad_epochs = 0;
    } else {
        s->num_bad_epochs++;
    }
    if (s->cooldown_counter > 0) {
        s->cooldown_counter--;
        s->num_bad_epochs = 0;
    }
    if (s->num_bad_epochs > s->patience) {
        for (int g = 0; g < s->ng; g++) {
            double old = G(s, g)->o.lr;
            double nl = fmax(old * s->factor, s->min_lrs[g]);
            if (old - nl > s->eps) G(s, g)->o.lr = nl;
        }
        s->cooldown_counter = s->cooldown;
        s->num_bad_epochs = 0;
    }
    for (int g = 0; g < s->ng; g++) s->last_lr[g] = G(s, g)->o.lr;
    return CT_OK;
}

int ct_lr_get_last_lr(const ct_lr_scheduler *s, double *out, int n) {
    if (!s) return -1;
    for (int g = 0; g < s->ng && g < n && out; g++) out[g] = s->last_lr[g];
    return s->ng;
}

int64_t ct_lr_last_epoch(const ct_lr_scheduler *s) { return s ? s->last_epoch : -1; }

/* ---- state_dict ---- */

static double *dup_d(const double *a, int n) {
    if (!a) return NULL;
    double *r = darr(n);
    if (r) memcpy(r, a, (size_t)n * sizeof *r);
    return r;
}

static void free_copy(ct_lr_scheduler *c) {
    ct_lr_scheduler_free(c);
}

static ct_lr_scheduler *snapshot(const ct_lr_scheduler *s) {
    ct_lr_scheduler *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    *c = *s;
    c->opt = NULL;
    c->fns = NULL;
    c->ctxs = NULL;
    c->scale_fn = NULL;
    c->scale_ctx = NULL;
    c->base_lrs = dup_d(s->base_lrs, s->ng);
    c->last_lr = dup_d(s->last_lr, s->ng);
    c->max_lrs = dup_d(s->max_lrs, s->ng);
    c->base_moms = dup_d(s->base_moms, s->ng);
    c->max_moms = dup_d(s->max_moms, s->ng);
    c->min_lrs = dup_d(s->min_lrs, s->ng);
    c->milestones = NULL;
    c->children = NULL;
    c->n_children = 0;
    if (s->milestones) {
        c->milestones = malloc(((size_t)s->n_milestones + 1) * sizeof *c->milestones);
        if (c->milestones) memcpy(c->milestones, s->milestones, (size_t)s->n_milestones * sizeof *c->milestones);
    }
    if (s->n_children) {
        c->children = calloc((size_t)s->n_children, sizeof *c->children);
        if (!c->children) {
            free_copy(c);
            return NULL;
        }
        c->n_children = s->n_children;
        for (int i = 0; i < s->n_children; i++) {
            c->children[i] = snapshot(s->children[i]);
            if (!c->children[i]) {
                free_copy(c);
                return NULL;
            }
        }
    }
    return c;
}

ct_lr_state *ct_lr_state_dict(const ct_lr_scheduler *s) {
    if (!s) return NULL;
    ct_lr_scheduler *c = snapshot(s);
    if (!c) ct__error_oom(0);
    return (ct_lr_state *)c;
}

void ct_lr_state_free(ct_lr_state *st) { free_copy((ct_lr_scheduler *)st); }

static bool same_shape(const ct_lr_scheduler *a, const ct_lr_scheduler *b) {
    if (a->kind != b->kind || a->ng != b->ng || a->n_children != b->n_children) return false;
    for (int i = 0; i < a->n_children; i++)
        if (!same_shape(a->children[i], b->children[i])) return false;
    return true;
}

static void restore(ct_lr_scheduler *s, const ct_lr_scheduler *c) {
    ct_lr_scheduler keep = *s;
    *s = *c;
    /* keep our optimizer, callbacks and storage; copy values */
    s->opt = keep.opt;
    s->fns = keep.fns;
    s->ctxs = keep.ctxs;
    s->scale_fn = keep.scale_fn;
    s->scale_ctx = keep.scale_ctx;
    s->children = keep.children;
    s->base_lrs = keep.base_lrs;
    s->last_lr = keep.last_lr;
    s->max_lrs = keep.max_lrs;
    s->base_moms = keep.base_moms;
    s->max_moms = keep.max_moms;
    s->min_lrs = keep.min_lrs;
    s->milestones = keep.milestones;
    s->n_milestones = keep.n_milestones;
#define CP(f)                                                                                                        \
    if (s->f && c->f) memcpy(s->f, c->f, (size_t)s->ng * sizeof(double))
    CP(base_lrs);
    CP(last_lr);
    CP(max_lrs);
    CP(base_moms);
    CP(max_moms);
    CP(min_lrs);
#undef CP
    if (s->milestones && c->milestones && c->n_milestones == s->n_milestones)
        memcpy(s->milestones, c->milestones, (size_t)s->n_milestones * sizeof *s->milestones);
    for (int i = 0; i < s->n_children; i++) restore(s->children[i], c->children[i]);
}

int ct_lr_load_state_dict(ct_lr_scheduler *s, const ct_lr_state *st) {
    if (!s || !st) return CT_ERROR;
    const ct_lr_scheduler *c = (const ct_lr_scheduler *)st;
    if (!same_shape(s, c)) {
        ct__error("%s.load_state_dict: the state_dict is from a %s", NAMES[s->kind], NAMES[c->kind]);
        return CT_ERROR;
    }
    restore(s, c);
    return CT_OK;
}
