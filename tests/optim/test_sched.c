/* torch.optim.lr_scheduler against tests/parity/data/sched.txt (gen_sched.py,
 * PyTorch 1.13.1): every scheduler's lr and momentum sequence over 100 steps,
 * state_dict resume at step 50, the step-order warning, messages. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

#define STEPS 100

static vec_file *V;
static void setup(void) { V = tu_load("sched.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(sched, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

typedef struct {
    ct_tensor *a, *b;
    ct_optimizer *opt;
} rig;

static rig make_rig(bool adam) {
    rig r;
    r.a = ct_zeros(CT_SIZE(3), CT_OPTS(.requires_grad = true));
    r.b = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    ct_param_group g[2] = {{.n = 1, .params = &r.a}, {.n = 1, .params = &r.b, .opts = {.lr = 0.01}}};
    if (adam)
        r.opt = ct_optim_create(CT_OPTIM_ADAM, 2, g, &(ct_optim_opts){.lr = 0.1});
    else
        r.opt = ct_optim_create(CT_OPTIM_SGD, 2, g, &(ct_optim_opts){.lr = 0.1, .momentum = 0.9});
    cr_assert_not_null(r.opt, "%s", ct_last_error());
    return r;
}
static void free_rig(rig *r) {
    ct_optim_free(r->opt);
    ct_free(r->a);
    ct_free(r->b);
}

static double pow97(int64_t e, void *ctx) { return (void)ctx, pow(0.97, (double)e); }
static double inv1(int64_t e, void *ctx) { return (void)ctx, 1.0 / (double)(1 + e); }
static double c98(int64_t e, void *ctx) { return (void)ctx, (void)e, 0.98; }
static double scale_fn(double x, void *ctx) { return (void)ctx, 1 / (1 + 0.1 * x); }

static ct_lr_scheduler *make_sched(const char *name, ct_optimizer *o) {
    if (!strcmp(name, "step")) return ct_lr_step(o, 7);
    if (!strcmp(name, "step_gamma")) return ct_lr_step(o, 3, .gamma = 0.5);
    if (!strcmp(name, "multi_step")) return ct_lr_multi_step(o, 4, ((int64_t[]){10, 30, 30, 60}), .gamma = 0.3);
    if (!strcmp(name, "constant")) return ct_lr_constant(o);
    if (!strcmp(name, "constant_opts")) return ct_lr_constant(o, .factor = 0.25, .total_iters = 12);
    if (!strcmp(name, "linear")) return ct_lr_linear(o);
    if (!strcmp(name, "linear_opts")) return ct_lr_linear(o, .start_factor = 0.1, .end_factor = 0.8, .total_iters = 40);
    if (!strcmp(name, "exponential")) return ct_lr_exponential(o, 0.95);
    if (!strcmp(name, "cosine")) return ct_lr_cosine_annealing(o, 20);
    if (!strcmp(name, "cosine_eta")) return ct_lr_cosine_annealing(o, 30, .eta_min = 0.001);
    if (!strcmp(name, "polynomial")) return ct_lr_polynomial(o);
    if (!strcmp(name, "polynomial_opts")) return ct_lr_polynomial(o, .total_iters = 50, .power = 2.0);
    if (!strcmp(name, "warm_restarts")) return ct_lr_cosine_annealing_warm_restarts(o, 10);
    if (!strcmp(name, "warm_restarts_mult"))
        return ct_lr_cosine_annealing_warm_restarts(o, 5, .T_mult = 2, .eta_min = 0.0005);
    if (!strcmp(name, "lambda")) return ct_lr_lambda(o, pow97, NULL);
    if (!strcmp(name, "lambda_groups"))
        return ct_lr_lambda_groups(o, 2, (ct_lr_lambda_fn[]){pow97, inv1}, NULL);
    if (!strcmp(name, "multiplicative")) return ct_lr_multiplicative(o, c98, NULL);
    if (!strcmp(name, "one_cycle")) return ct_lr_one_cycle(o, 1.0, .total_steps = 100);
    if (!strcmp(name, "one_cycle_opts"))
        return ct_lr_one_cycle(o, 0, .max_lrs = (double[]){1.0, 0.5}, .epochs = 10, .steps_per_epoch = 11,
                               .pct_start = 0.25, .anneal_strategy = "linear", .base_momentum = 0.8,
                               .max_momentum = 0.9, .div_factor = 10.0, .final_div_factor = 100.0,
                               .three_phase = true);
    if (!strcmp(name, "one_cycle_nomom")) return ct_lr_one_cycle(o, 0.5, .total_steps = 120, .no_cycle_momentum = true);
    if (!strcmp(name, "cyclic")) return ct_lr_cyclic(o, 0.001, 0.1, .step_size_up = 10);
    if (!strcmp(name, "cyclic_tri2"))
        return ct_lr_cyclic(o, 0.001, 0.1, .step_size_up = 7, .step_size_down = 13, .mode = "triangular2");
    if (!strcmp(name, "cyclic_exp"))
        return ct_lr_cyclic(o, 0.001, 0.1, .step_size_up = 5, .mode = "exp_range", .gamma = 0.97,
                            .base_momentum = 0.7, .max_momentum = 0.95);
    if (!strcmp(name, "cyclic_fn"))
        return ct_lr_cyclic(o, 0.001, 0.1, .step_size_up = 8, .scale_fn = scale_fn, .scale_mode = "iterations",
                            .no_cycle_momentum = true);
    if (!strcmp(name, "plateau")) return ct_lr_reduce_on_plateau(o, .patience = 3);
    if (!strcmp(name, "plateau_opts"))
        return ct_lr_reduce_on_plateau(o, .mode = "max", .factor = 0.5, .patience = CT_PATIENCE_ZERO,
                                       .threshold = 0.01, .threshold_mode = "abs", .cooldown = 2,
                                       .min_lrs = (double[]){0.01, 0.002}, .eps = 1e-3);
    if (!strcmp(name, "sequential")) {
        ct_lr_scheduler *s[2] = {ct_lr_linear(o, .start_factor = 0.1, .total_iters = 5), ct_lr_exponential(o, 0.9)};
        return ct_lr_sequential(o, 2, s, (int64_t[]){5});
    }
    if (!strcmp(name, "sequential3")) {
        ct_lr_scheduler *s[3] = {ct_lr_constant(o, .factor = 0.5, .total_iters = 3), ct_lr_cosine_annealing(o, 20),
                                 ct_lr_step(o, 5, .gamma = 0.5)};
        return ct_lr_sequential(o, 3, s, (int64_t[]){10, 50});
    }
    if (!strcmp(name, "chained")) {
        ct_lr_scheduler *s[2] = {ct_lr_constant(o, .factor = 0.5, .total_iters = 4), ct_lr_exponential(o, 0.95)};
        return ct_lr_chained(2, s);
    }
    cr_assert_fail("unknown scheduler %s", name);
    return NULL;
}

static double group_momentum(ct_optimizer *o, int g) {
    ct_optim_opts *p = ct_optim_group_opts(o, g);
    return ct_optim_kind_of(o) == CT_OPTIM_ADAM ? p->betas[0] : p->momentum;
}

static void expect_eq(const vec_case *c, const char *key, int i, double got) {
    double want = tu_hexd(c, key, i);
    /* the same formulas in the same order: equal up to libm's last bit */
    cr_assert(fabs(got - want) <= 1e-15 * fabs(want) + 1e-300, "%s %s[%d]: %.17g, PyTorch %.17g", vec_name(c), key, i,
              got, want);
}

static void check(const vec_case *c, ct_optimizer *o, int i) {
    expect_eq(c, "lr0", i, ct_optim_get_lr(o, 0));
    expect_eq(c, "lr1", i, ct_optim_get_lr(o, 1));
    expect_eq(c, "mom0", i, group_momentum(o, 0));
    expect_eq(c, "mom1", i, group_momentum(o, 1));
}

static int sched_step(const char *name, ct_lr_scheduler *s, int i) {
    if (!strncmp(name, "plateau", 7)) return ct_lr_scheduler_step_metric(s, tu_hexd(C("metrics"), "values", i));
    return ct_lr_scheduler_step(s);
}

Test(sched, sequences_and_resume) {
    int ran = 0;
    for (size_t ci = 0; ci < vec_count(V); ci++) {
        const vec_case *c = vec_at(V, ci);
        const char *name = vec_name(c);
        if (!vec_has(c, "lr0")) continue;
        bool adam = !strcmp(name, "one_cycle_opts");
        rig r = make_rig(adam);
        ct_lr_scheduler *s = make_sched(name, r.opt);
        cr_assert_not_null(s, "%s: %s", name, ct_last_error());
        check(c, r.opt, 0);
        rig r2 = {0};
        ct_lr_scheduler *s2 = NULL;
        for (int i = 0; i < STEPS; i++) {
            cr_assert_eq(ct_optim_step(r.opt), CT_OK);
            cr_assert_eq(sched_step(name, s, i), CT_OK, "%s step %d: %s", name, i, ct_last_error());
            check(c, r.opt, i + 1);
            if (i == 49) {
                /* resume: fresh optimizer + scheduler, both state_dicts loaded */
                ct_optim_state *osd = ct_optim_state_dict(r.opt);
                ct_lr_state *ssd = ct_lr_state_dict(s);
                cr_assert(osd && ssd);
                r2 = make_rig(adam);
                s2 = make_sched(name, r2.opt);
                cr_assert_not_null(s2);
                cr_assert_eq(ct_optim_load_state_dict(r2.opt, osd), CT_OK, "%s", ct_last_error());
                cr_assert_eq(ct_lr_load_state_dict(s2, ssd), CT_OK, "%s", ct_last_error());
                ct_optim_state_dict_free(osd);
                ct_lr_state_free(ssd);
            } else if (i > 49) {
                cr_assert_eq(ct_optim_step(r2.opt), CT_OK);
                cr_assert_eq(sched_step(name, s2, i), CT_OK);
                check(c, r2.opt, i + 1);
            }
        }
        double last[2];
        cr_assert_eq(ct_lr_get_last_lr(s, last, 2), 2);
        expect_eq(c, "last_lr", 0, last[0]);
        expect_eq(c, "last_lr", 1, last[1]);
        if (vec_int(c, "last_epoch", 0) != -1 || strcmp(name, "chained"))
            cr_assert_eq(ct_lr_last_epoch(s), vec_int(c, "last_epoch", 0), "%s last_epoch", name);
        ct_lr_scheduler_free(s);
        ct_lr_scheduler_free(s2);
        free_rig(&r);
        if (r2.opt) free_rig(&r2);
        ran++;
    }
    cr_assert_eq(ran, 29);
}

Test(sched, order_warning) {
    rig r = make_rig(false);
    ct_lr_scheduler *s = ct_lr_step(r.opt, 3);
    long before = ct_warning_count();
    cr_assert_eq(ct_lr_scheduler_step(s), CT_OK);
    cr_assert_eq(ct_warning_count(), before + 1);
    cr_assert_str_eq(ct_last_warning(), vec_str(C("warn_order"), "msg"));
    /* the right order warns nothing */
    ct_lr_scheduler *s2 = ct_lr_step(r.opt, 3);
    before = ct_warning_count();
    cr_assert_eq(ct_optim_step(r.opt), CT_OK);
    cr_assert_eq(ct_lr_scheduler_step(s2), CT_OK);
    cr_assert_eq(ct_warning_count(), before);
    ct_lr_scheduler_free(s);
    ct_lr_scheduler_free(s2);
    free_rig(&r);
}

#define EXPECT_ERR(call, name)                                                                                       \
    do {                                                                                                             \
        ct_clear_error();                                                                                            \
        ct_lr_scheduler *s_ = (call);                                                                                \
        cr_assert_null(s_, "%s: no error", name);                                                                    \
        cr_assert_not_null(ct_last_error(), "%s", name);                                                             \
        cr_assert_str_eq(ct_last_error(), vec_str(C(name), "msg"));                                                  \
    } while (0)

Test(sched, errors) {
    rig r = make_rig(false), ra = make_rig(true);
    EXPECT_ERR(ct_lr_constant(r.opt, .factor = 1.5), "err_constant_factor");
    EXPECT_ERR(ct_lr_linear(r.opt, .start_factor = 1.5), "err_linear_start");
    EXPECT_ERR(ct_lr_linear(r.opt, .end_factor = -0.5), "err_linear_end");
    EXPECT_ERR(ct_lr_cosine_annealing_warm_restarts(r.opt, 0), "err_warm_t0");
    EXPECT_ERR(ct_lr_one_cycle(r.opt, 1.0), "err_one_cycle_total");
    EXPECT_ERR(ct_lr_one_cycle(r.opt, 1.0, .total_steps = 10, .pct_start = 1.5), "err_one_cycle_pct");
    EXPECT_ERR(ct_lr_reduce_on_plateau(r.opt, .factor = 1.0), "err_plateau_factor");
    EXPECT_ERR(ct_lr_reduce_on_plateau(r.opt, .mode = "avg"), "err_plateau_mode");
    EXPECT_ERR(ct_lr_cyclic(ra.opt, 0.01, 0.1), "err_cyclic_momentum");
    EXPECT_ERR(ct_lr_lambda_groups(r.opt, 1, (ct_lr_lambda_fn[]){pow97}, NULL), "err_lambda_count");
    ct_lr_scheduler *s = ct_lr_one_cycle(r.opt, 1.0, .total_steps = 3);
    cr_assert_not_null(s);
    int rc = CT_OK;
    for (int i = 0; i < 4 && rc == CT_OK; i++) {
        cr_assert_eq(ct_optim_step(r.opt), CT_OK);
        rc = ct_lr_scheduler_step(s);
    }
    cr_assert_eq(rc, CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(C("err_one_cycle_overstep"), "msg"));
    ct_lr_scheduler_free(s);
    /* NULL optimizer: NULL back, no new message */
    ct_clear_error();
    cr_assert_null(ct_lr_step(NULL, 3));
    cr_assert_null(ct_lr_exponential(NULL, 0.5));
    cr_assert_null(ct_last_error());
    cr_assert_eq(ct_lr_scheduler_step(NULL), CT_ERROR);
    free_rig(&r);
    free_rig(&ra);
}
