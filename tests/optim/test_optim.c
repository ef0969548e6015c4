/* torch.optim against tests/parity/data/optim_*.txt (gen_optim.py, PyTorch
 * 1.13.1): 20 steps of each algorithm and option set with PyTorch's
 * gradients, parameters and state after every step (float32 to 1e-6
 * relative, float64 to 1e-12); state_dict round trip and resume; PyTorch's
 * messages for invalid options. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

#define STEPS 20
#define NP 2
static const int64_t SHAPES[NP][2] = {{2, 3}, {3, 0}};
static const int NDIMS[NP] = {2, 1};

static void setup(void) {
    ct_clear_error();
    ct_set_warnings_enabled(false);
}
TestSuite(optim, .init = setup);

static ct_tensor *tensor_of(const vec_case *c, const char *key, ct_dtype dt, int k) {
    int n = vec_len(c, key);
    cr_assert(n > 0, "%s: no %s", vec_name(c), key);
    double *buf = malloc((size_t)n * sizeof *buf);
    for (int i = 0; i < n; i++) {
        uint64_t b = vec_hex(c, key, i);
        memcpy(&buf[i], &b, 8);
    }
    ct_tensor *t64 = ct_tensor_from(buf, CT_FLOAT64, NDIMS[k], SHAPES[k]);
    ct_tensor *t = ct_to_dtype_copy(t64, dt);
    ct_free(t64);
    free(buf);
    return t;
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, double rtol) {
    cr_assert_not_null(t, "%s/%s NULL: %s", vec_name(c), key, ct_last_error());
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(t), n, "%s/%s numel %lld want %d", vec_name(c), key, (long long)ct_numel(t), n);
    double *buf = malloc((size_t)n * sizeof *buf + 8);
    cr_assert_eq(ct_copy_to_buffer(t, CT_FLOAT64, buf, (size_t)n * sizeof *buf), CT_OK);
    double scale = 0;
    double *want = malloc((size_t)n * sizeof *want + 8);
    for (int i = 0; i < n; i++) {
        uint64_t bits = vec_hex(c, key, i);
        memcpy(&want[i], &bits, 8);
        if (fabs(want[i]) > scale) scale = fabs(want[i]);
    }
    for (int i = 0; i < n; i++) {
        double tol = rtol * (fabs(want[i]) + scale) + 1e-300;
        cr_assert(fabs(buf[i] - want[i]) <= tol || (isnan(buf[i]) && isnan(want[i])),
                  "%s/%s[%d]: %.17g, PyTorch %.17g", vec_name(c), key, i, buf[i], want[i]);
    }
    free(buf);
    free(want);
}

/* "lr=0.1 betas=0.9,0.99 nesterov=1" -> options (0 values as CT_ZERO) */
static ct_optim_opts parse_opts(const vec_case *c, const char *key) {
    ct_optim_opts o = {0};
    for (int i = 0; i < vec_len(c, key); i++) {
        const char *tok = vec_tok(c, key, i);
        if (!strcmp(tok, "-") || !strcmp(tok, "none")) continue;
        char name[64];
        const char *eq = strchr(tok, '=');
        cr_assert_not_null(eq);
        snprintf(name, sizeof name, "%.*s", (int)(eq - tok), tok);
        double a = strtod(eq + 1, NULL), b = 0;
        const char *comma = strchr(eq, ',');
        if (comma) b = strtod(comma + 1, NULL);
        if (a == 0) a = CT_ZERO;
        if (b == 0) b = CT_ZERO;
#define D(field)                                                                                                     \
    else if (!strcmp(name, #field)) o.field = a
#define B(field)                                                                                                     \
    else if (!strcmp(name, #field)) o.field = a != 0
#define P(field)                                                                                                     \
    else if (!strcmp(name, #field)) o.field[0] = a, o.field[1] = b
        if (0) {
        }
        D(lr); D(momentum); D(dampening); D(weight_decay); D(eps); D(lr_decay); D(initial_accumulator_value);
        D(rho); D(alpha); D(lambd); D(t0); D(momentum_decay);
        B(nesterov); B(maximize); B(amsgrad); B(centered);
        P(betas); P(etas); P(step_sizes);
        else cr_assert_fail("unknown option %s", name);
#undef D
#undef B
#undef P
    }
    return o;
}

static ct_optim_kind kind_of(const char *k) {
    static const struct {
        const char *n;
        ct_optim_kind k;
    } T[] = {{"sgd", CT_OPTIM_SGD},         {"adam", CT_OPTIM_ADAM},         {"adamw", CT_OPTIM_ADAMW},
             {"adamax", CT_OPTIM_ADAMAX},   {"nadam", CT_OPTIM_NADAM},       {"radam", CT_OPTIM_RADAM},
             {"adagrad", CT_OPTIM_ADAGRAD}, {"adadelta", CT_OPTIM_ADADELTA}, {"rmsprop", CT_OPTIM_RMSPROP},
             {"rprop", CT_OPTIM_RPROP},     {"asgd", CT_OPTIM_ASGD}};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (!strcmp(T[i].n, k)) return T[i].k;
    cr_assert_fail("kind %s", k);
    return 0;
}

static ct_optimizer *make(const vec_case *c, ct_tensor **params) {
    ct_optim_opts d = parse_opts(c, "opts");
    ct_optimizer *opt;
    if (strcmp(vec_tok(c, "group1", 0), "none")) {
        ct_param_group g[2] = {{.n = 1, .params = &params[0]}, {.n = 1, .params = &params[1], .opts = parse_opts(c, "group1")}};
        opt = ct_optim_create(kind_of(vec_tok(c, "kind", 0)), 2, g, &d);
    } else {
        opt = ct_optim_new(kind_of(vec_tok(c, "kind", 0)), NP, params, &d);
    }
    cr_assert_not_null(opt, "%s: %s", vec_name(c), ct_last_error());
    return opt;
}

static void set_grads(const vec_case *grads, ct_tensor **params, ct_dtype dt, int s) {
    for (int k = 0; k < NP; k++) {
        char key[32];
        snprintf(key, sizeof key, "g%d_%d", s, k);
        ct_tensor *g = (s == 5 && k == 1) ? NULL : tensor_of(grads, key, dt, k);
        cr_assert_eq(ct_set_grad(params[k], g), CT_OK, "%s", ct_last_error());
        ct_free(g);
    }
}

static void check_step(const vec_case *c, ct_optimizer *opt, ct_tensor **params, int s, double rtol) {
    for (int k = 0; k < NP; k++) {
        char key[64];
        snprintf(key, sizeof key, "p%d_%d", s, k);
        expect_close(c, key, params[k], rtol);
        snprintf(key, sizeof key, "keys%d_%d", s, k);
        for (int j = 0; j < vec_len(c, key); j++) {
            char sk[48], full[96];
            snprintf(sk, sizeof sk, "%s", vec_tok(c, key, j));
            char *colon = strchr(sk, ':');
            if (colon) {
                *colon = 0;
                cr_assert_null(ct_optim_state_get(opt, k, sk), "%s: state %s should be None", vec_name(c), sk);
                continue;
            }
            snprintf(full, sizeof full, "s%d_%d_%s", s, k, sk);
            ct_tensor *v = ct_optim_state_get(opt, k, sk);
            cr_assert_not_null(v, "%s step %d: no state %s of param %d", vec_name(c), s, sk, k);
            /* the step counters are exact */
            expect_close(c, full, v, rtol);
        }
    }
}

static void run_file(const char *file, ct_dtype dt, double rtol) {
    vec_file *V = vec_load(file);
    const vec_case *grads = vec_at(V, 0);
    int ran = 0;
    for (size_t ci = 1; ci < vec_count(V); ci++) {
        const vec_case *c = vec_at(V, ci);
        ct_tensor *params[NP];
        for (int k = 0; k < NP; k++) {
            char key[16];
            snprintf(key, sizeof key, "init%d", k);
            params[k] = tensor_of(grads, key, dt, k);
            cr_assert_eq(ct_requires_grad_(params[k], true), CT_OK);
        }
        ct_optimizer *opt = make(c, params);
        /* a second optimizer resumed from a state_dict after step 9 */
        ct_tensor *params2[NP] = {NULL, NULL};
        ct_optimizer *opt2 = NULL;
        for (int s = 0; s < STEPS; s++) {
            set_grads(grads, params, dt, s);
            cr_assert_eq(ct_optim_step(opt), CT_OK, "%s step %d: %s", vec_name(c), s, ct_last_error());
            check_step(c, opt, params, s, rtol);
            if (s == 9) {
                ct_optim_state *sd = ct_optim_state_dict(opt);
                cr_assert_not_null(sd);
                for (int k = 0; k < NP; k++) {
                    ct_tensor *d = ct_detach(params[k]);
                    params2[k] = ct_clone(d);
                    ct_free(d);
                    cr_assert_eq(ct_requires_grad_(params2[k], true), CT_OK);
                }
                opt2 = make(c, params2);
                cr_assert_eq(ct_optim_load_state_dict(opt2, sd), CT_OK, "%s", ct_last_error());
                ct_optim_state_dict_free(sd);
            } else if (s > 9) {
                set_grads(grads, params2, dt, s);
                cr_assert_eq(ct_optim_step(opt2), CT_OK);
                /* resumed == uninterrupted, bit for bit; except where PyTorch's
                 * load_state_dict itself casts float32 scalars (NAdam's
                 * mu_product, ASGD's eta/mu) to a float64 parameter's dtype */
                const char *kind = vec_tok(c, "kind", 0);
                bool cast = dt == CT_FLOAT64 && (!strcmp(kind, "nadam") || !strcmp(kind, "asgd"));
                for (int k = 0; k < NP && cast; k++) {
                    ct_tensor *d = ct_sub(params[k], params2[k]);
                    ct_tensor *a = ct_abs(d), *m = ct_max(a);
                    double md = 1;
                    cr_assert_eq(ct_item(m, &md), CT_OK);
                    cr_assert(md < 1e-6, "%s: resumed run differs by %g at step %d", vec_name(c), md, s);
                    ct_free(d), ct_free(a), ct_free(m);
                }
                for (int k = 0; k < NP && !cast; k++) {
                    ct_tensor *eq = ct_eq(params[k], params2[k]);
                    bool all = false;
                    ct_tensor *a = ct_all(eq);
                    cr_assert_eq(ct_item_bool(a, &all), CT_OK);
                    cr_assert(all, "%s: resumed run differs at step %d", vec_name(c), s);
                    ct_free(eq);
                    ct_free(a);
                }
            }
        }
        ct_optim_free(opt);
        ct_optim_free(opt2);
        for (int k = 0; k < NP; k++) {
            ct_free(params[k]);
            ct_free(params2[k]);
        }
        ran++;
    }
    cr_assert(ran >= 30);
    vec_free(V);
}

Test(optim, steps_float32) { run_file("optim_f32.txt", CT_FLOAT32, 1e-6); }
Test(optim, steps_float64) { run_file("optim_f64.txt", CT_FLOAT64, 1e-12); }

/* ---- invalid options: PyTorch's messages ---- */
static vec_file *E;
static const char *msg(const char *name) {
    const vec_case *c = vec_find(E, name);
    cr_assert_not_null(c, "no case %s", name);
    return vec_str(c, "msg");
}
#define EXPECT_ERR(call, name)                                                                                       \
    do {                                                                                                             \
        ct_clear_error();                                                                                            \
        ct_optimizer *o_ = (call);                                                                                   \
        cr_assert_null(o_, "%s: no error", name);                                                                    \
        cr_assert_not_null(ct_last_error(), "%s: no message", name);                                                 \
        cr_assert_str_eq(ct_last_error(), msg(name));                                                                \
    } while (0)

Test(optim, errors) {
    E = vec_load("optim_errors.txt");
    ct_tensor *p = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    ct_tensor *q = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    EXPECT_ERR(ct_optim_sgd(1, &p, .lr = -0.1), "err_sgd_lr");
    EXPECT_ERR(ct_optim_new(CT_OPTIM_SGD, 1, &p, NULL), "err_sgd_required");
    EXPECT_ERR(ct_optim_sgd(1, &p, .lr = 0.1, .momentum = -0.5), "err_sgd_momentum");
    EXPECT_ERR(ct_optim_sgd(1, &p, .lr = 0.1, .weight_decay = -1e-5), "err_sgd_wd");
    EXPECT_ERR(ct_optim_sgd(1, &p, .lr = 0.1, .nesterov = true), "err_sgd_nesterov");
    EXPECT_ERR(ct_optim_adam(1, &p, .betas = {1.5, 0.9}), "err_adam_beta0");
    EXPECT_ERR(ct_optim_adam(1, &p, .betas = {0.9, 1.0}), "err_adam_beta1");
    EXPECT_ERR(ct_optim_adam(1, &p, .eps = -1e-8), "err_adam_eps");
    EXPECT_ERR(ct_optim_adam(1, &p, .lr = -0.001), "err_adam_lr");
    EXPECT_ERR(ct_optim_adam(1, &p, .momentum = 0.9), "err_adam_kw");
    EXPECT_ERR(ct_optim_adagrad(1, &p, .initial_accumulator_value = -0.5), "err_adagrad_iav");
    EXPECT_ERR(ct_optim_adagrad(1, &p, .lr_decay = -0.5), "err_adagrad_lr_decay");
    EXPECT_ERR(ct_optim_adadelta(1, &p, .rho = 1.5), "err_adadelta_rho");
    EXPECT_ERR(ct_optim_rmsprop(1, &p, .alpha = -0.5), "err_rmsprop_alpha");
    EXPECT_ERR(ct_optim_rmsprop(1, &p, .momentum = -0.5), "err_rmsprop_momentum");
    EXPECT_ERR(ct_optim_rprop(1, &p, .etas = {1.5, 1.2}), "err_rprop_etas");
    EXPECT_ERR(ct_optim_nadam(1, &p, .momentum_decay = -0.25), "err_nadam_md");
    EXPECT_ERR(ct_optim_sparse_adam(1, &p, .lr = CT_ZERO), "err_sparse_adam_lr");
    EXPECT_ERR(ct_optim_sgd(0, NULL, .lr = 0.1), "err_empty");
    ct_tensor *q2 = ct_mul_scalar(q, 2);
    EXPECT_ERR(ct_optim_sgd(1, &q2, .lr = 0.1), "err_nonleaf");
    ct_free(q2);
    ct_param_group dup[2] = {{.n = 1, .params = &q}, {.n = 1, .params = &q}};
    EXPECT_ERR(ct_optim_create(CT_OPTIM_SGD, 2, dup, &(ct_optim_opts){.lr = 0.1}), "err_dup");
    ct_param_group two[2] = {{.n = 1, .params = &q}, {.n = 1, .params = &p}};
    EXPECT_ERR(ct_optim_create(CT_OPTIM_LBFGS, 2, two, NULL), "err_lbfgs_groups");

    /* SparseAdam meets a dense gradient */
    ct_optimizer *sa = ct_optim_sparse_adam(1, &p);
    cr_assert_not_null(sa);
    ct_tensor *one = ct_ones(CT_SIZE(2), NULL);
    cr_assert_eq(ct_set_grad(p, one), CT_OK);
    cr_assert_eq(ct_optim_step(sa), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), msg("err_sparse_adam_dense"));
    ct_optim_free(sa);

    /* load_state_dict checks */
    ct_optimizer *o1 = ct_optim_sgd(1, &q, .lr = 0.1);
    ct_optimizer *o2 = ct_optim_create(CT_OPTIM_SGD, 2, two, &(ct_optim_opts){.lr = 0.1});
    ct_tensor *both[2] = {q, p};
    ct_optimizer *o3 = ct_optim_sgd(2, both, .lr = 0.1);
    ct_optim_state *sd2 = ct_optim_state_dict(o2), *sd3 = ct_optim_state_dict(o3);
    cr_assert_eq(ct_optim_load_state_dict(o1, sd2), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), msg("err_load_groups"));
    cr_assert_eq(ct_optim_load_state_dict(o1, sd3), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), msg("err_load_sizes"));
    ct_optim_state_dict_free(sd2);
    ct_optim_state_dict_free(sd3);
    ct_optim_free(o1), ct_optim_free(o2), ct_optim_free(o3);

    /* NULL inputs: NULL back, the earlier message kept */
    ct_clear_error();
    ct_tensor *nul = NULL;
    cr_assert_null(ct_optim_sgd(1, &nul, .lr = 0.1));
    cr_assert_null(ct_last_error());
    cr_assert_eq(ct_optim_step(NULL), CT_ERROR);
    cr_assert_eq(ct_optim_zero_grad(NULL, false), CT_ERROR);
    cr_assert_null(ct_optim_state_dict(NULL));
    cr_assert_null(ct_last_error());
    ct_free(one), ct_free(p), ct_free(q);
    vec_free(E);
}

/* ---- the Optimizer base: zero_grad, groups, lr, closures, state keys ---- */
static int closure_calls;
static ct_tensor *one_loss(void *ctx) {
    (void)ctx;
    closure_calls++;
    return ct_scalar_tensor(3.5, NULL);
}

Test(optim, base_api) {
    ct_tensor *a = ct_ones(CT_SIZE(3), CT_OPTS(.requires_grad = true));
    ct_tensor *b = ct_ones(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    ct_tensor *c = ct_ones(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    ct_optimizer *o = ct_optim_sgd(1, &a, .lr = 0.1, .momentum = 0.9, .weight_decay = 0.5);
    cr_assert_not_null(o);
    cr_assert_str_eq(ct_optim_name(o), "SGD");
    /* add_param_group: CT_ZERO overrides a non-zero default; a duplicate is refused */
    cr_assert_eq(ct_optim_add_param_group(o, 1, &b, &(ct_optim_opts){.lr = 1e-3, .weight_decay = CT_ZERO}), CT_OK);
    cr_assert_eq(ct_optim_add_param_group(o, 1, &a, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "some parameters appear in more than one parameter group");
    cr_assert_eq(ct_optim_num_groups(o), 2);
    cr_assert_eq(ct_optim_group_opts(o, 1)->weight_decay, 0.0);
    cr_assert(!signbit(ct_optim_group_opts(o, 1)->weight_decay));
    cr_assert_eq(ct_optim_group_opts(o, 1)->momentum, 0.9);
    cr_assert_eq(ct_optim_get_lr(o, 1), 1e-3);
    cr_assert_eq(ct_optim_group_param(o, 1, 0), b);
    cr_assert_eq(ct_optim_set_lr(o, 0, 0.25), CT_OK);
    cr_assert_eq(ct_optim_get_lr(o, 0), 0.25);
    cr_assert(isnan(ct_optim_get_lr(o, 5)));
    /* no grads: step is a no-op and creates no state */
    cr_assert_eq(ct_optim_step(o), CT_OK);
    cr_assert_null(ct_optim_state_get(o, 0, "momentum_buffer"));
    /* grads, step, zero_grad(false) keeps zero tensors, (true) removes them */
    ct_tensor *g3 = ct_full(CT_SIZE(3), 2.0, NULL), *g2 = ct_full(CT_SIZE(2), 2.0, NULL);
    cr_assert_eq(ct_set_grad(a, g3), CT_OK);
    cr_assert_eq(ct_set_grad(b, g2), CT_OK);
    closure_calls = 0;
    ct_tensor *loss = ct_optim_step_closure(o, one_loss, NULL);
    cr_assert_not_null(loss);
    cr_assert_eq(closure_calls, 1);
    double lv = 0;
    cr_assert_eq(ct_item(loss, &lv), CT_OK);
    cr_assert_eq(lv, 3.5);
    ct_free(loss);
    /* a: 1 - 0.25 * (2 + 0.5 * 1) = 0.375 (first step: buf = d) */
    double av[3];
    cr_assert_eq(ct_copy_to_buffer(a, CT_FLOAT64, av, sizeof av), CT_OK);
    cr_assert_float_eq(av[0], 0.375, 1e-7);
    cr_assert_not_null(ct_optim_state_get(o, 0, "momentum_buffer"));
    cr_assert_eq(ct_optim_zero_grad(o, false), CT_OK);
    ct_tensor *ga = ct_grad(a);
    cr_assert_not_null(ga);
    double gv[3] = {1, 1, 1};
    cr_assert_eq(ct_copy_to_buffer(ga, CT_FLOAT64, gv, sizeof gv), CT_OK);
    cr_assert_eq(gv[0], 0.0);
    ct_free(ga);
    cr_assert_eq(ct_optim_zero_grad(o, true), CT_OK);
    cr_assert_null(ct_grad(a));
    cr_assert_null(ct_grad(b));
    /* state_dict: indices across groups, groups' options */
    ct_optim_state *sd = ct_optim_state_dict(o);
    cr_assert_eq(sd->n_state, 2);
    cr_assert_eq(sd->state[1].index, 1);
    cr_assert_str_eq(sd->state[0].keys[0], "momentum_buffer");
    cr_assert_eq(sd->n_groups, 2);
    cr_assert_eq(sd->groups[1].params[0], 1);
    cr_assert_eq(sd->groups[0].opts.lr, 0.25);
    ct_optim_state_dict_free(sd);
    ct_optim_free(o);

    /* SGD without momentum keeps momentum_buffer = None; Adam's keys in PyTorch's order */
    ct_optimizer *s0 = ct_optim_sgd(1, &c, .lr = 0.1);
    ct_tensor *gc = ct_ones(CT_SIZE(2), NULL);
    cr_assert_eq(ct_set_grad(c, gc), CT_OK);
    cr_assert_eq(ct_optim_step(s0), CT_OK);
    sd = ct_optim_state_dict(s0);
    cr_assert_eq(sd->n_state, 1);
    cr_assert_str_eq(sd->state[0].keys[0], "momentum_buffer");
    cr_assert_null(sd->state[0].values[0]);
    ct_optim_state_dict_free(sd);
    ct_optim_free(s0);
    ct_optimizer *ad = ct_optim_adam(1, &c, .amsgrad = true);
    cr_assert_eq(ct_optim_step(ad), CT_OK);
    sd = ct_optim_state_dict(ad);
    const char *keys[] = {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    cr_assert_eq(sd->state[0].n, 4);
    for (int i = 0; i < 4; i++) cr_assert_str_eq(sd->state[0].keys[i], keys[i]);
    cr_assert_eq(ct_dtype_of(sd->state[0].values[0]), CT_FLOAT32);
    ct_optim_state_dict_free(sd);
    ct_optim_free(ad);
    /* stepping inside a scope keeps the state alive after it */
    ct_optimizer *sc = ct_optim_rmsprop(1, &c, .momentum = 0.5, .centered = true);
    cr_assert(ct_scope_begin() > 0);
    cr_assert_eq(ct_optim_step(sc), CT_OK);
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_assert_eq(ct_optim_step(sc), CT_OK);
    cr_assert_not_null(ct_optim_state_get(sc, 0, "grad_avg"));
    ct_optim_free(sc);
    ct_free(g3), ct_free(g2), ct_free(gc), ct_free(a), ct_free(b), ct_free(c);
}
