/* torch.optim.LBFGS 1.13 (with line_search_fn="strong_wolfe"), transcribed
 * operation for operation. PyTorch mixes Python floats with 0-dim tensors
 * of the parameters' dtype in its scalar arithmetic (gtd, ys, ro, H_diag,
 * and t after the first iteration); `num` below carries that distinction so
 * float32 parameters round where PyTorch's tensors do. Vectors are flat
 * tensors in the parameters' dtype; reductions (dot, sum, max) use the
 * library's ops. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "optim/optim_impl.h"

typedef struct {
    double v;
    bool t; /* a 0-dim tensor of the parameters' dtype */
} num;

/* the parameters' dtype is float32 (set at the start of each step) */
static _Thread_local bool f32_tls;
#define IS_F32 f32_tls

static double rT(double x) { return IS_F32 ? (double)(float)x : x; }
static num N(double v) { return (num){v, false}; }
static num TN(double v) { return (num){rT(v), true}; }
static num add(num a, num b) { return (a.t || b.t) ? TN(rT(a.v) + rT(b.v)) : N(a.v + b.v); }
static num sub(num a, num b) { return (a.t || b.t) ? TN(rT(a.v) - rT(b.v)) : N(a.v - b.v); }
static num mul(num a, num b) { return (a.t || b.t) ? TN(rT(a.v) * rT(b.v)) : N(a.v * b.v); }
static num dvd(num a, num b) { return (a.t || b.t) ? TN(rT(a.v) / rT(b.v)) : N(a.v / b.v); }
static bool lt(num a, num b) { return (a.t || b.t) ? rT(a.v) < rT(b.v) : a.v < b.v; }
static bool le(num a, num b) { return (a.t || b.t) ? rT(a.v) <= rT(b.v) : a.v <= b.v; }
static bool gt(num a, num b) { return lt(b, a); }
static bool ge(num a, num b) { return le(b, a); }
static num nabs(num a) { return (num){fabs(a.v), a.t}; }
static num pmin(num a, num b) { return lt(b, a) ? b : a; } /* Python min(a, b) */
static num pmax(num a, num b) { return gt(b, a) ? b : a; } /* Python max(a, b) */

/* ---- vectors ---- */

typedef struct {
    ct_optimizer *opt;
    ct__group *g;
    int64_t n;
    ct_dtype dt;
    ct_optim_closure closure;
    void *ctx;
} lb;

#define own ct__optim_own
static ct_tensor *vnew(const lb *L) { return own(ct_zeros(1, &L->n, CT_OPTS(.dtype = L->dt))); }
static void *D(const ct_tensor *t) { return ct_data_ptr(t); }
static double item(ct_tensor *t) { /* consumes t */
    double v = NAN;
    if (t && ct_item(t, &v) != CT_OK) v = NAN;
    ct_free(t);
    return v;
}
static num dot(const ct_tensor *a, const ct_tensor *b) { return TN(item(ct_dot(a, b))); }
static num absmax(const ct_tensor *a) {
    ct_tensor *x = ct_abs(a);
    num r = TN(item(x ? ct_max(x) : NULL));
    ct_free(x);
    return r;
}
static num abssum(const ct_tensor *a) {
    ct_tensor *x = ct_abs(a);
    num r = TN(item(x ? ct_sum(x) : NULL));
    ct_free(x);
    return r;
}
/* y += alpha * x (alpha a Python number or a tensor's item, cast to T) */
static void axpy(ct_tensor *y, double alpha, const ct_tensor *x, int64_t yoff, int64_t xoff, int64_t n) {
    if (IS_F32) {
        float *Y = (float *)D(y) + yoff, a = (float)alpha;
        const float *X = (const float *)D(x) + xoff;
        for (int64_t i = 0; i < n; i++) Y[i] = Y[i] + a * X[i];
    } else {
        double *Y = (double *)D(y) + yoff;
        const double *X = (const double *)D(x) + xoff;
        for (int64_t i = 0; i < n; i++) Y[i] = Y[i] + alpha * X[i];
    }
}
/* out = a * s (s cast to T) */
static ct_tensor *scaled(const lb *L, const ct_tensor *a, double s) {
    ct_tensor *o = vnew(L);
    if (!o) return NULL;
    if (IS_F32) {
        const float *A = D(a);
        float *O = D(o), k = (float)s;
        for (int64_t i = 0; i < L->n; i++) O[i] = A[i] * k;
    } else {
        const double *A = D(a);
        double *O = D(o);
        for (int64_t i = 0; i < L->n; i++) O[i] = A[i] * s;
    }
    return o;
}
static ct_tensor *vsub(const lb *L, const ct_tensor *a, const ct_tensor *b) {
    ct_tensor *o = vnew(L);
    if (!o) return NULL;
    if (IS_F32) {
        const float *A = D(a), *B = D(b);
        float *O = D(o);
        for (int64_t i = 0; i < L->n; i++) O[i] = A[i] - B[i];
    } else {
        const double *A = D(a), *B = D(b);
        double *O = D(o);
        for (int64_t i = 0; i < L->n; i++) O[i] = A[i] - B[i];
    }
    return o;
}
static ct_tensor *vclone(const lb *L, const ct_tensor *a) { return scaled(L, a, 1.0); }

static ct_tensor *gather_flat_grad(const lb *L) {
    ct_tensor *o = vnew(L);
    if (!o) return NULL;
    int64_t off = 0;
    size_t item_size = ct_dtype_itemsize(L->dt);
    for (int i = L->g->first; i < L->g->first + L->g->n; i++) {
        ct_tensor *p = L->opt->params[i];
        int64_t k = ct_numel(p);
        ct_tensor *g = ct_grad(p);
        if (g) {
            ct_tensor *gc = ct_contiguous(g);
            if (!gc || ct_dtype_of(gc) != L->dt) {
                ct_free(gc), ct_free(g), ct_free(o);
                ct__error("LBFGS: gradients must have their parameters' dtype");
                return NULL;
            }
            memcpy((char *)D(o) + (size_t)off * item_size, D(gc), (size_t)k * item_size);
            ct_free(gc);
            ct_free(g);
        }
        off += k;
    }
    return o;
}

static void add_grad(const lb *L, double t, const ct_tensor *d) {
    int64_t off = 0;
    for (int i = L->g->first; i < L->g->first + L->g->n; i++) {
        ct_tensor *p = L->opt->params[i];
        int64_t k = ct_numel(p);
        axpy(p, rT(t), d, 0, off, k);
        ct__bump_version(p);
        off += k;
    }
}

static double run_closure(const lb *L, int *rc) {
    ct_grad_mode m = ct_enable_grad_begin();
    ct_tensor *loss = L->closure(L->ctx);
    ct_grad_mode_end(m);
    if (!loss) {
        *rc = CT_ERROR;
        return NAN;
    }
    return item(loss);
}

/* _directional_evaluate: loss and flat grad at x + t d, params restored */
static int dir_eval(const lb *L, ct_tensor **x, num t, const ct_tensor *d, double *f, ct_tensor **g) {
    int rc = CT_OK;
    add_grad(L, t.v, d);
    *f = run_closure(L, &rc);
    *g = rc == CT_OK ? gather_flat_grad(L) : NULL;
    for (int i = 0; i < L->g->n; i++) {
        ct_tensor *p = L->opt->params[L->g->first + i];
        memcpy(D(p), D(x[i]), (size_t)ct_numel(p) * ct_dtype_itemsize(L->dt));
        ct__bump_version(p);
    }
    return *g ? CT_OK : CT_ERROR;
}

static num cubic_interpolate(num x1, num f1, num g1, num x2, num f2, num g2, const num *bounds) {
    num xmin, xmax;
    if (bounds) {
        xmin = bounds[0], xmax = bounds[1];
    } else if (le(x1, x2)) {
        xmin = x1, xmax = x2;
    } else {
        xmin = x2, xmax = x1;
    }
    num d1 = sub(add(g1, g2), dvd(mul(N(3), sub(f1, f2)), sub(x1, x2)));
    num d2sq = sub(mul(d1, d1), mul(g1, g2));
    if (ge(d2sq, N(0))) {
        num d2 = d2sq.t ? TN(sqrt(d2sq.v)) : N(sqrt(d2sq.v));
        num mp;
        if (le(x1, x2))
            mp = sub(x2, mul(sub(x2, x1), dvd(sub(add(g2, d2), d1), add(sub(g2, g1), mul(N(2), d2)))));
        else
            mp = sub(x1, mul(sub(x1, x2), dvd(sub(add(g1, d2), d1), add(sub(g1, g2), mul(N(2), d2)))));
        return pmin(pmax(mp, xmin), xmax);
    }
    return dvd(add(xmin, xmax), N(2.));
}

/* One evaluation of the line search at step t: *f_new, *g_new (replacing
 * the previous one) and the directional derivative *gtd_new. */
static int ls_eval(const lb *L, ct_tensor **x, num t, const ct_tensor *d, double *f_new, ct_tensor **g_new,
                   num *gtd_new) {
    ct_free(*g_new);
    *g_new = NULL;
    int rc = dir_eval(L, x, t, d, f_new, g_new);
    if (rc == CT_OK) *gtd_new = dot(*g_new, d);
    return rc;
}

/* _strong_wolfe: on success *f_out, *g_out (new), *t_out, *evals */
static int strong_wolfe(const lb *L, ct_tensor **x, num t, const ct_tensor *d, double f, const ct_tensor *g0,
                        num gtd, double *f_out, ct_tensor **g_out, num *t_out, int *evals) {
    const double c1 = 1e-4, c2 = 0.9;
    const double tolerance_change = L->g->o.tolerance_change;
    const int max_ls = 25;
    num d_norm = absmax(d);
    ct_tensor *g = vclone(L, g0);
    double f_new;
    ct_tensor *g_new = NULL;
    ct_tensor *bg[2] = {NULL, NULL}, *g_prev = NULL;
    num gtd_new;
    int rc = ls_eval(L, x, t, d, &f_new, &g_new, &gtd_new);
    if (rc != CT_OK) goto out;
    int ls_func_evals = 1;
    num t_prev = N(0), f_prev = N(f), gtd_prev = gtd;
    g_prev = ct_ref(g);
    bool done = false;
    int ls_iter = 0, nb = 0;
    num b[2] = {N(0), N(0)}, bf[2] = {N(0), N(0)}, bgtd[2] = {N(0), N(0)};
    while (ls_iter < max_ls) {
        if (gt(N(f_new), add(N(f), mul(mul(N(c1), t), gtd))) || (ls_iter > 1 && ge(N(f_new), f_prev))) {
            nb = 2, b[0] = t_prev, b[1] = t, bf[0] = f_prev, bf[1] = N(f_new);
            bg[0] = ct_ref(g_prev), bg[1] = vclone(L, g_new);
            bgtd[0] = gtd_prev, bgtd[1] = gtd_new;
            break;
        }
        if (le(nabs(gtd_new), mul(N(-c2), gtd))) {
            nb = 1, b[0] = t, bf[0] = N(f_new), bg[0] = ct_ref(g_new);
            done = true;
            break;
        }
        if (ge(gtd_new, N(0))) {
            nb = 2, b[0] = t_prev, b[1] = t, bf[0] = f_prev, bf[1] = N(f_new);
            bg[0] = ct_ref(g_prev), bg[1] = vclone(L, g_new);
            bgtd[0] = gtd_prev, bgtd[1] = gtd_new;
            break;
        }
        num min_step = add(t, mul(N(0.01), sub(t, t_prev)));
        num max_step = mul(t, N(10));
        num tmp = t;
        num bounds[2] = {min_step, max_step};
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, N(f_new), gtd_new, bounds);
        t_prev = tmp;
        f_prev = N(f_new);
        ct_free(g_prev);
        g_prev = vclone(L, g_new);
        gtd_prev = gtd_new;
        if ((rc = ls_eval(L, x, t, d, &f_new, &g_new, &gtd_new)) != CT_OK) goto out;
        ls_func_evals++;
        ls_iter++;
    }
    if (ls_iter == max_ls) {
        ct_free(bg[0]), ct_free(bg[1]);
        nb = 2, b[0] = N(0), b[1] = t, bf[0] = N(f), bf[1] = N(f_new);
        bg[0] = ct_ref(g), bg[1] = ct_ref(g_new);
    }
    bool insuf = false;
    int lo = 0, hi = 1;
    if (!le(bf[0], bf[nb - 1])) lo = 1, hi = 0;
    while (!done && ls_iter < max_ls) {
        if (lt(mul(nabs(sub(b[1], b[0])), d_norm), N(tolerance_change))) break;
        t = cubic_interpolate(b[0], bf[0], bgtd[0], b[1], bf[1], bgtd[1], NULL);
        num bmax = pmax(b[0], b[1]), bmin = pmin(b[0], b[1]);
        num eps = mul(N(0.1), sub(bmax, bmin));
        if (lt(pmin(sub(bmax, t), sub(t, bmin)), eps)) {
            if (insuf || ge(t, bmax) || le(t, bmin)) {
                if (lt(nabs(sub(t, bmax)), nabs(sub(t, bmin))))
                    t = sub(bmax, eps);
                else
                    t = add(bmin, eps);
                insuf = false;
            } else {
                insuf = true;
            }
        } else {
            insuf = false;
        }
        if ((rc = ls_eval(L, x, t, d, &f_new, &g_new, &gtd_new)) != CT_OK) goto out;
        ls_func_evals++;
        ls_iter++;
        if (gt(N(f_new), add(N(f), mul(mul(N(c1), t), gtd))) || ge(N(f_new), bf[lo])) {
            b[hi] = t, bf[hi] = N(f_new);
            ct_free(bg[hi]);
            bg[hi] = vclone(L, g_new);
            bgtd[hi] = gtd_new;
            if (le(bf[0], bf[1]))
                lo = 0, hi = 1;
            else
                lo = 1, hi = 0;
        } else {
            if (le(nabs(gtd_new), mul(N(-c2), gtd))) {
                done = true;
            } else if (ge(mul(gtd_new, sub(b[hi], b[lo])), N(0))) {
                b[hi] = b[lo], bf[hi] = bf[lo];
                ct_free(bg[hi]);
                bg[hi] = ct_ref(bg[lo]);
                bgtd[hi] = bgtd[lo];
            }
            b[lo] = t, bf[lo] = N(f_new);
            ct_free(bg[lo]);
            bg[lo] = vclone(L, g_new);
            bgtd[lo] = gtd_new;
        }
    }
    *t_out = b[lo];
    *f_out = bf[lo].v;
    *g_out = ct_ref(bg[lo]);
    *evals = ls_func_evals;
out:
    ct_free(g), ct_free(g_new), ct_free(g_prev), ct_free(bg[0]), ct_free(bg[1]);
    return rc;
}

/* ---- state: lists as stacked rows ---- */

static int64_t rows(const ct_tensor *m) { return m ? ct_size(m, 0) : 0; }
/* a (k, n) list with row `drop` removed (or -1) and v appended (or NULL) */
static ct_tensor *list_edit(const lb *L, const ct_tensor *m, int64_t drop, const ct_tensor *v, int64_t width) {
    int64_t k = rows(m), nk = k - (drop >= 0) + (v != NULL);
    int64_t sz[2] = {nk, width};
    ct_tensor *o = own(ct_empty(width ? 2 : 1, width ? sz : &nk, CT_OPTS(.dtype = L->dt)));
    if (!o) return NULL;
    size_t row = (size_t)(width ? width : 1) * ct_dtype_itemsize(L->dt);
    char *dst = D(o);
    for (int64_t i = 0; i < k; i++) {
        if (i == drop) continue;
        memcpy(dst, (const char *)D(m) + (size_t)i * row, row);
        dst += row;
    }
    if (v) memcpy(dst, D(v), row);
    return o;
}
static ct_tensor *row_view(const ct_tensor *m, int64_t i) { return ct_select(m, 0, i); }
static double list_at(const ct_tensor *v, int64_t i) {
    return IS_F32 ? (double)((const float *)D(v))[i] : ((const double *)D(v))[i];
}
static void list_set(ct_tensor *v, int64_t i, double x) {
    if (IS_F32)
        ((float *)D(v))[i] = (float)x;
    else
        ((double *)D(v))[i] = x;
}
static ct_tensor *scalar_T(const lb *L, double v) {
    return own(ct_scalar_tensor(v, CT_OPTS(.dtype = L->dt)));
}

static ct_tensor *lbfgs_step(ct_optimizer *opt, ct_optim_closure closure, void *ctx) {
    ct__group *G = &opt->groups[0];
    ct_tensor *p0 = opt->params[G->first];
    lb L = {opt, G, 0, ct_dtype_of(p0), closure, ctx};
    for (int i = G->first; i < G->first + G->n; i++) {
        if (ct_dtype_of(opt->params[i]) != L.dt || !ct_is_contiguous(opt->params[i])) {
            ct__error("LBFGS: parameters must be contiguous and of one dtype");
            return NULL;
        }
        L.n += ct_numel(opt->params[i]);
    }
    if (G->o.line_search_fn && strcmp(G->o.line_search_fn, "strong_wolfe")) {
        ct__error("only 'strong_wolfe' is supported");
        return NULL;
    }
    IS_F32 = L.dt == CT_FLOAT32;
    const double lr = G->o.lr, tol_grad = G->o.tolerance_grad, tol_change = G->o.tolerance_change;
    const int max_iter = G->o.max_iter, max_eval = G->o.max_eval ? G->o.max_eval : G->o.max_iter * 5 / 4;
    const int history_size = G->o.history_size;
    ct__pstate *S = &opt->state[G->first];
    if (!ct__pstate_has(S, "func_evals") && ct__pstate_set(S, "func_evals", ct__scalar_i64(0))) return NULL;
    if (!ct__pstate_has(S, "n_iter") && ct__pstate_set(S, "n_iter", ct__scalar_i64(0))) return NULL;
    int64_t *func_evals = D(ct__pstate_get(S, "func_evals"));
    int64_t *state_n_iter = D(ct__pstate_get(S, "n_iter"));

    ct_grad_mode gm = ct_no_grad_begin();
    ct_grad_mode em = ct_enable_grad_begin();
    ct_tensor *orig_loss = closure(ctx);
    ct_grad_mode_end(em);
    ct_tensor *flat_grad = NULL, *d = NULL, *old_dirs = NULL, *old_stps = NULL, *ro = NULL, *prev_flat_grad = NULL;
    ct_tensor **x_init = NULL;
    int rc = orig_loss ? CT_OK : CT_ERROR;
    if (rc != CT_OK) goto done;
    double loss;
    if (ct_item(orig_loss, &loss) != CT_OK) {
        rc = CT_ERROR;
        goto done;
    }
    int current_evals = 1;
    *func_evals += 1;
    flat_grad = gather_flat_grad(&L);
    if (!flat_grad) {
        rc = CT_ERROR;
        goto done;
    }
    bool opt_cond = le(absmax(flat_grad), N(tol_grad));
    if (opt_cond) goto done;

    /* the saved state (references we own while working) */
    d = ct_ref(ct__pstate_get(S, "d"));
    num t = N(ct__scalar_value(ct__pstate_get(S, "t")));
    old_dirs = ct_ref(ct__pstate_get(S, "old_dirs"));
    old_stps = ct_ref(ct__pstate_get(S, "old_stps"));
    ro = ct_ref(ct__pstate_get(S, "ro"));
    num H_diag = N(1);
    if (ct__pstate_get(S, "H_diag")) H_diag = TN(ct__scalar_value(ct__pstate_get(S, "H_diag")));
    prev_flat_grad = ct_ref(ct__pstate_get(S, "prev_flat_grad"));
    double prev_loss = ct__scalar_value(ct__pstate_get(S, "prev_loss"));
    (void)prev_loss;

    int n_iter = 0;
    while (n_iter < max_iter) {
        n_iter++;
        *state_n_iter += 1;
        if (*state_n_iter == 1) {
            ct_free(d);
            d = scaled(&L, flat_grad, -1.0);
            ct_free(old_dirs), ct_free(old_stps), ct_free(ro);
            old_dirs = list_edit(&L, NULL, -1, NULL, L.n);
            old_stps = list_edit(&L, NULL, -1, NULL, L.n);
            ro = list_edit(&L, NULL, -1, NULL, 0);
            H_diag = N(1);
        } else {
            ct_tensor *y = vsub(&L, flat_grad, prev_flat_grad);
            ct_tensor *s = scaled(&L, d, t.v);
            num ys = dot(y, s);
            if (gt(ys, N(1e-10))) {
                int64_t drop = rows(old_dirs) == history_size ? 0 : -1;
                ct_tensor *nd = list_edit(&L, old_dirs, drop, y, L.n);
                ct_tensor *ns = list_edit(&L, old_stps, drop, s, L.n);
                ct_tensor *r1 = scalar_T(&L, dvd(N(1.), ys).v);
                ct_tensor *nr = list_edit(&L, ro, drop, r1, 0);
                ct_free(r1);
                ct_free(old_dirs), ct_free(old_stps), ct_free(ro);
                old_dirs = nd, old_stps = ns, ro = nr;
                H_diag = dvd(ys, dot(y, y));
            }
            ct_free(y), ct_free(s);
            int64_t num_old = rows(old_dirs);
            if (!ct__pstate_has(S, "al")) {
                int64_t hs = history_size;
                if (ct__pstate_set(S, "al", own(ct_zeros(1, &hs, CT_OPTS(.dtype = L.dt))))) {
                    rc = CT_ERROR;
                    goto done;
                }
            }
            ct_tensor *al = ct__pstate_get(S, "al");
            ct_tensor *q = scaled(&L, flat_grad, -1.0);
            for (int64_t i = num_old - 1; i >= 0; i--) {
                ct_tensor *si = row_view(old_stps, i), *di = row_view(old_dirs, i);
                num a = mul(dot(si, q), TN(list_at(ro, i)));
                list_set(al, i, a.v);
                axpy(q, -a.v, di, 0, 0, L.n);
                ct_free(si), ct_free(di);
            }
            ct_free(d);
            d = scaled(&L, q, H_diag.v); /* d = r = q * H_diag */
            ct_free(q);
            for (int64_t i = 0; i < num_old; i++) {
                ct_tensor *si = row_view(old_stps, i), *di = row_view(old_dirs, i);
                num be = mul(dot(di, d), TN(list_at(ro, i)));
                axpy(d, sub(TN(list_at(al, i)), be).v, si, 0, 0, L.n);
                ct_free(si), ct_free(di);
            }
        }
        if (!prev_flat_grad)
            prev_flat_grad = vclone(&L, flat_grad);
        else
            memcpy(D(prev_flat_grad), D(flat_grad), (size_t)L.n * ct_dtype_itemsize(L.dt));
        prev_loss = loss;
        if (*state_n_iter == 1)
            t = mul(pmin(N(1.), mul(TN(1.0 / abssum(flat_grad).v), N(1.))), N(lr));
        else
            t = N(lr);
        num gtd = dot(flat_grad, d);
        if (gt(gtd, N(-tol_change))) break;
        int ls_func_evals = 0;
        if (G->o.line_search_fn) {
            x_init = calloc((size_t)G->n, sizeof *x_init);
            if (!x_init) {
                rc = CT_ERROR;
                goto done;
            }
            for (int i = 0; i < G->n; i++) {
                ct_tensor *pd = ct_detach(opt->params[G->first + i]);
                x_init[i] = own(ct_clone(pd));
                ct_free(pd);
            }
            ct_tensor *g_new = NULL;
            double f_new = NAN;
            num t_new = N(0);
            rc = strong_wolfe(&L, x_init, t, d, loss, flat_grad, gtd, &f_new, &g_new, &t_new, &ls_func_evals);
            for (int i = 0; i < G->n; i++) ct_free(x_init[i]);
            free(x_init);
            x_init = NULL;
            if (rc != CT_OK) goto done;
            loss = f_new;
            ct_free(flat_grad);
            flat_grad = g_new;
            t = t_new;
            add_grad(&L, t.v, d);
            opt_cond = le(absmax(flat_grad), N(tol_grad));
        } else {
            add_grad(&L, t.v, d);
            if (n_iter != max_iter) {
                loss = run_closure(&L, &rc);
                if (rc != CT_OK) goto done;
                ct_free(flat_grad);
                flat_grad = gather_flat_grad(&L);
                if (!flat_grad) {
                    rc = CT_ERROR;
                    goto done;
                }
                opt_cond = le(absmax(flat_grad), N(tol_grad));
                ls_func_evals = 1;
            }
        }
        current_evals += ls_func_evals;
        *func_evals += ls_func_evals;
        if (n_iter == max_iter) break;
        if (current_evals >= max_eval) break;
        if (opt_cond) break;
        ct_tensor *dt_ = scaled(&L, d, t.v);
        bool small = le(absmax(dt_), N(tol_change));
        ct_free(dt_);
        if (small) break;
        if (fabs(loss - prev_loss) < tol_change) break;
    }
    if (ct__pstate_set(S, "d", ct_ref(d)) || ct__pstate_set(S, "t", ct__scalar_f64(t.v)) ||
        ct__pstate_set(S, "old_dirs", ct_ref(old_dirs)) || ct__pstate_set(S, "old_stps", ct_ref(old_stps)) ||
        ct__pstate_set(S, "ro", ct_ref(ro)) || ct__pstate_set(S, "H_diag", ct__scalar_f64(H_diag.v)) ||
        ct__pstate_set(S, "prev_flat_grad", ct_ref(prev_flat_grad)) ||
        ct__pstate_set(S, "prev_loss", ct__scalar_f64(prev_loss)))
        rc = CT_ERROR;
done:
    ct_grad_mode_end(gm);
    ct_free(flat_grad), ct_free(d), ct_free(old_dirs), ct_free(old_stps), ct_free(ro), ct_free(prev_flat_grad);
    if (rc != CT_OK) {
        ct_free(orig_loss);
        return NULL;
    }
    return orig_loss;
}

static int lbfgs_validate(const ct_optim_opts *o) {
    if (o->line_search_fn && strcmp(o->line_search_fn, "strong_wolfe")) {
        /* PyTorch accepts any value here and fails in step(); so do we */
    }
    return CT_OK;
}

const ct__algo ct__algo_lbfgs = {
    "LBFGS", "lr max_iter max_eval tolerance_grad tolerance_change history_size line_search_fn",
    {.lr = 1, .max_iter = 20, .tolerance_grad = 1e-7, .tolerance_change = 1e-9, .history_size = 100},
    false, lbfgs_validate, NULL, NULL, lbfgs_step};
