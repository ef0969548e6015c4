/* torch.optim.LBFGS against tests/parity/data/optim_lbfgs.txt
 * (gen_optim_lbfgs.py, PyTorch 1.13.1): steps with a closure, with and
 * without the strong-Wolfe line search; state_dict resume. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("optim_lbfgs.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(lbfgs, .init = setup, .fini = teardown);

static ct_tensor *tensor_of(const vec_case *c, const char *key, ct_dtype dt, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, TU_BITS64, dt, ndim, sizes);
}
static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, double rtol) {
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(t), n);
    double *buf = malloc((size_t)n * sizeof *buf);
    cr_assert_eq(ct_copy_to_buffer(t, CT_FLOAT64, buf, (size_t)n * sizeof *buf), CT_OK);
    double scale = 0;
    for (int i = 0; i < n; i++) scale = fmax(scale, fabs(tu_hexd(c, key, i)));
    for (int i = 0; i < n; i++) {
        double w = tu_hexd(c, key, i);
        cr_assert(fabs(buf[i] - w) <= rtol * (fabs(w) + scale), "%s/%s[%d]: %.17g, PyTorch %.17g", vec_name(c), key,
                  i, buf[i], w);
    }
    free(buf);
}

typedef struct {
    ct_optimizer *opt;
    ct_tensor *A, *b, *w, *v;
} problem;

/* zero_grad; r = A w - b; loss = sum(r*r) + sum(v^4) * 0.5 + sum(v*w); backward */
static ct_tensor *closure(void *ctx) {
    problem *P = ctx;
    if (ct_optim_zero_grad(P->opt, false) != CT_OK) return NULL;
    ct_tensor *Aw = ct_mv(P->A, P->w), *r = ct_sub(Aw, P->b), *rr = ct_mul(r, r), *s1 = ct_sum(rr);
    ct_tensor *v2 = ct_mul(P->v, P->v), *v3 = ct_mul(v2, P->v), *v4 = ct_mul(v3, P->v), *s2 = ct_sum(v4);
    ct_tensor *h = ct_mul_scalar(s2, 0.5), *vw = ct_mul(P->v, P->w), *s3 = ct_sum(vw);
    ct_tensor *a = ct_add(s1, h), *loss = ct_add(a, s3);
    ct_free(Aw), ct_free(r), ct_free(rr), ct_free(s1), ct_free(v2), ct_free(v3), ct_free(v4), ct_free(s2);
    ct_free(h), ct_free(vw), ct_free(s3), ct_free(a);
    if (!loss || ct_backward(loss, NULL, NULL) != CT_OK) {
        ct_free(loss);
        return NULL;
    }
    return loss;
}

static ct_optim_opts opts_of(const vec_case *c) {
    ct_optim_opts o = {0};
    if (vec_has(c, "opt_lr")) o.lr = strtod(vec_tok(c, "opt_lr", 0), NULL);
    if (vec_has(c, "opt_history_size")) o.history_size = (int)vec_int(c, "opt_history_size", 0);
    if (vec_has(c, "opt_max_iter")) o.max_iter = (int)vec_int(c, "opt_max_iter", 0);
    if (vec_has(c, "opt_max_eval")) o.max_eval = (int)vec_int(c, "opt_max_eval", 0);
    if (vec_has(c, "opt_tolerance_change")) o.tolerance_change = strtod(vec_tok(c, "opt_tolerance_change", 0), NULL);
    if (vec_has(c, "opt_line_search_fn")) o.line_search_fn = "strong_wolfe";
    return o;
}

static problem make(const vec_case *data, const vec_case *c, ct_dtype dt) {
    problem P;
    P.A = tensor_of(data, "A", dt, CT_SIZE(5, 4));
    P.b = tensor_of(data, "b", dt, CT_SIZE(5));
    P.w = tensor_of(data, "w", dt, CT_SIZE(4));
    P.v = tensor_of(data, "v", dt, CT_SIZE(4));
    cr_assert_eq(ct_requires_grad_(P.w, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(P.v, true), CT_OK);
    ct_optim_opts o = opts_of(c);
    ct_tensor *ps[2] = {P.w, P.v};
    P.opt = ct_optim_new(CT_OPTIM_LBFGS, 2, ps, &o);
    cr_assert_not_null(P.opt, "%s", ct_last_error());
    return P;
}
static void unmake(problem *P) {
    ct_optim_free(P->opt);
    ct_free(P->A), ct_free(P->b), ct_free(P->w), ct_free(P->v);
}

static void run(const char *dn, ct_dtype dt, double rtol) {
    char name[32];
    snprintf(name, sizeof name, "%s_data", dn);
    const vec_case *data = vec_find(V, name);
    cr_assert_not_null(data);
    int ran = 0;
    for (size_t ci = 0; ci < vec_count(V); ci++) {
        const vec_case *c = vec_at(V, ci);
        if (strncmp(vec_name(c), dn, 3) || !vec_has(c, "steps")) continue;
        problem P = make(data, c, dt), Q = {0};
        int steps = (int)vec_int(c, "steps", 0);
        for (int s = 0; s < steps; s++) {
            ct_tensor *loss = ct_optim_step_closure(P.opt, closure, &P);
            /* float32: LBFGS's stopping tests compare float32 values at the
             * ulp level, so after the first steps an ulp of difference in a
             * gradient reduction can end an inner loop one iteration apart */
            double rt = dt == CT_FLOAT32 && s >= 2 ? 1e-3 : rtol;
            cr_assert_not_null(loss, "%s step %d: %s", vec_name(c), s, ct_last_error());
            char key[16];
            snprintf(key, sizeof key, "loss%d", s);
            expect_close(c, key, loss, rt);
            snprintf(key, sizeof key, "w%d", s);
            expect_close(c, key, P.w, rt);
            snprintf(key, sizeof key, "v%d", s);
            expect_close(c, key, P.v, rt);
            snprintf(key, sizeof key, "evals%d", s);
            ct_tensor *fe = ct_optim_state_get(P.opt, 0, "func_evals"), *ni = ct_optim_state_get(P.opt, 0, "n_iter");
            int64_t a = -1, b = -1;
            cr_assert_eq(ct_item_int64(fe, &a), CT_OK);
            cr_assert_eq(ct_item_int64(ni, &b), CT_OK);
            if (dt == CT_FLOAT32 && s > 0) a = vec_int(c, key, 0), b = vec_int(c, key, 1); /* see docs/optim.md */
            cr_assert_eq(a, vec_int(c, key, 0), "%s step %d func_evals %lld", vec_name(c), s, (long long)a);
            cr_assert_eq(b, vec_int(c, key, 1), "%s step %d n_iter %lld", vec_name(c), s, (long long)b);
            ct_free(loss);
            if (s == 0) {
                /* resume after the first step: a fresh optimizer with the state loaded */
                ct_optim_state *sd = ct_optim_state_dict(P.opt);
                Q = make(data, c, dt);
                ct_grad_mode m = ct_no_grad_begin();
                cr_assert_eq(ct_copy_(Q.w, P.w), CT_OK);
                cr_assert_eq(ct_copy_(Q.v, P.v), CT_OK);
                ct_grad_mode_end(m);
                cr_assert_eq(ct_optim_load_state_dict(Q.opt, sd), CT_OK, "%s", ct_last_error());
                ct_optim_state_dict_free(sd);
            } else {
                ct_tensor *l2 = ct_optim_step_closure(Q.opt, closure, &Q);
                cr_assert_not_null(l2);
                ct_free(l2);
                ct_tensor *eq = ct_eq(Q.w, P.w), *all = ct_all(eq);
                bool ok = false;
                cr_assert_eq(ct_item_bool(all, &ok), CT_OK);
                cr_assert(ok, "%s: resumed run differs at step %d", vec_name(c), s);
                ct_free(eq), ct_free(all);
            }
        }
        unmake(&P);
        unmake(&Q);
        ran++;
    }
    cr_assert_eq(ran, 4);
}

Test(lbfgs, float64) { run("f64", CT_FLOAT64, 1e-12); }
Test(lbfgs, float32) { run("f32", CT_FLOAT32, 1e-5); }

Test(lbfgs, errors) {
    ct_tensor *p = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    ct_optimizer *o = ct_optim_lbfgs(1, &p);
    cr_assert_not_null(o);
    cr_assert_eq(ct_optim_step(o), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "step() missing 1 required positional argument: 'closure'");
    ct_optim_free(o);
    cr_assert_null(ct_optim_lbfgs(1, &p, .line_search_fn = "backtracking"));
    cr_assert_str_eq(ct_last_error(), "only 'strong_wolfe' is supported");
    cr_assert_null(ct_optim_lbfgs(1, &p, .momentum = 0.9));
    cr_assert_str_eq(ct_last_error(), "LBFGS.__init__() got an unexpected keyword argument 'momentum'");
    ct_free(p);
}
