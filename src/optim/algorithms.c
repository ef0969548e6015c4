/* The update rules of torch.optim 1.13 as fused loops: one pass over a
 * parameter's elements, in its dtype, with the operation order of
 * PyTorch's single-tensor (foreach=False) functions. Each tensor op there
 * rounds to the parameter's dtype, and Python-float scalars are cast to it
 * (e.g. `exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)` is
 * m = m * (T)b1 + (T)(1 - b1) * g), so every line below writes the
 * intermediate values into a T. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */
#include "optim/optim_impl.h"

#define SQRT(x) _Generic((x), float: sqrtf, default: sqrt)(x)
#define FABS(x) _Generic((x), float: fabsf, default: fabs)(x)

/* element pointers of a contiguous tensor */
#define PTR(T, t) ((T *)(void *)ct__data(t))

#define own ct__optim_own
static ct_tensor *zeros_like(const ct_tensor *p) { return own(ct_zeros_like(p, NULL)); }
static ct_tensor *full_like(const ct_tensor *p, double v) { return own(ct_full_like(p, v, NULL)); }

/* the state tensor of key, created by make when absent */
static int state_init(ct__pstate *s, const char *key, ct_tensor *v) {
    if (!v) return CT_ERROR;
    return ct__pstate_set(s, key, v);
}

/* add 1 to a 0-dim 'step' (float32 tensor or int64) and return it */
static double step_incr(ct_tensor *step) {
    if (ct_dtype_of(step) == CT_FLOAT32) {
        float *v = (float *)ct_data_ptr(step);
        *v = *v + 1.0f;
        return *v;
    }
    int64_t *v = (int64_t *)ct_data_ptr(step);
    return (double)++*v;
}

/* The state tensors an update reads: n pairs (const char *key,
 * ct_tensor **out) after n; a NULL key is a tensor the options do not use
 * (its *out is NULL). A used key that is absent (a state_dict loaded from
 * elsewhere) is PyTorch's KeyError. */
static int state_fetch(const ct_optimizer *opt, ct__pstate *s, int n, ...) {
    va_list ap;
    va_start(ap, n);
    bool missing = false;
    for (int i = 0; i < n; i++) {
        const char *key = va_arg(ap, const char *);
        ct_tensor **out = va_arg(ap, ct_tensor **);
        *out = key ? ct__pstate_get(s, key) : NULL;
        if (key && !*out) missing = true;
    }
    va_end(ap);
    if (missing) {
        ct__error("KeyError: optimizer state is missing a key of %s", opt->algo->name);
        return CT_ERROR;
    }
    return CT_OK;
}

static char *fmt(char *buf, double v) { return (char *)ct__py_float(buf, 40, v); }

/* pow(b, step) remembering its last two results: the parameters of a step
 * share the step count and the betas, so Adam's bias corrections cost one
 * libm pow per beta per step instead of per parameter (same value: the
 * same call's result). */
static double pow_memo(double b, double step) {
    static _Thread_local struct {
        double b, step, r;
        bool set;
    } memo[2];
    static _Thread_local int next;
    for (int i = 0; i < 2; i++)
        if (memo[i].set && memo[i].step == step && memcmp(&memo[i].b, &b, sizeof b) == 0) return memo[i].r;
    double r = pow(b, step);
    memo[next].b = b, memo[next].step = step, memo[next].r = r, memo[next].set = true;
    next ^= 1;
    return r;
}

/* ========================================================================
 * SGD */
#define DEF_SGD(T, S)                                                                                          \
    /* the common case (momentum, no weight decay, not the first step) in a  \
     * loop the compiler vectorizes; same operations as the general one */   \
    CT_SIMD_CLONES static void sgd_momentum_##S(int64_t n, T *restrict p, const T *restrict g, T *restrict buf, \
                                                T mom, T damp1, T nlr) {                                       \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T b = buf[i] * mom + damp1 * g[i];                                                               \
            buf[i] = b;                                                                                      \
            p[i] = p[i] + nlr * b;                                                                           \
        }                                                                                                    \
    }                                                                                                        \
    typedef struct {                                                                                         \
        T *p, *buf;                                                                                          \
        const T *g;                                                                                          \
        T mom, damp1, nlr;                                                                                   \
    } sgd_ctx_##S;                                                                                           \
    static void sgd_momentum_range_##S(int64_t b, int64_t e, void *vc) {                                     \
        const sgd_ctx_##S *c = vc;                                                                           \
        sgd_momentum_##S(e - b, c->p + b, c->g + b, c->buf + b, c->mom, c->damp1, c->nlr);                   \
    }                                                                                                        \
    static void sgd_##S(int64_t n, T *p, const T *g, T *buf, bool init, const ct_optim_opts *o) {              \
        T wd = (T)o->weight_decay, mom = (T)o->momentum, damp1 = (T)(1 - o->dampening), nlr = (T)(-o->lr);    \
        if (!o->maximize && o->weight_decay == 0 && o->momentum != 0 && !init && !o->nesterov) {             \
            sgd_ctx_##S c = {p, buf, g, mom, damp1, nlr};                                                    \
            ct_parallel_for(0, n, CT_GRAIN_SIZE, sgd_momentum_range_##S, &c); /* elementwise: same bits */    \
            return;                                                                                          \
        }                                                                                                    \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T d = o->maximize ? -g[i] : g[i];                                                                \
            if (o->weight_decay != 0) d = d + wd * p[i];                                                     \
            if (o->momentum != 0) {                                                                          \
                T b = init ? d : buf[i] * mom + damp1 * d;                                                   \
                buf[i] = b;                                                                                  \
                d = o->nesterov ? d + mom * b : b;                                                           \
            }                                                                                                \
            p[i] = p[i] + nlr * d;                                                                           \
        }                                                                                                    \
    }
DEF_SGD(float, f32)
DEF_SGD(double, f64)

static int sgd_validate(const ct_optim_opts *o) {
    char b[40];
    if (o->lr < 0) return ct__error("Invalid learning rate: %s", fmt(b, o->lr)), CT_ERROR;
    if (o->momentum < 0) return ct__error("Invalid momentum value: %s", fmt(b, o->momentum)), CT_ERROR;
    if (o->weight_decay < 0) return ct__error("Invalid weight_decay value: %s", fmt(b, o->weight_decay)), CT_ERROR;
    if (o->nesterov && (o->momentum <= 0 || o->dampening != 0))
        return ct__error("Nesterov momentum requires a momentum and zero dampening"), CT_ERROR;
    return CT_OK;
}

static int sgd_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    ct_tensor *buf = ct__pstate_get(s, "momentum_buffer");
    bool init = false;
    if (o->momentum != 0 && !buf) {
        buf = own(ct_empty_like(p, NULL));
        if (!buf || ct__pstate_set(s, "momentum_buffer", buf) != CT_OK) return CT_ERROR;
        init = true;
    } else if (!ct__pstate_has(s, "momentum_buffer")) {
        if (ct__pstate_set(s, "momentum_buffer", NULL) != CT_OK) return CT_ERROR;
    }
    int64_t n = ct_numel(p);
    if (ct_dtype_of(p) == CT_FLOAT32)
        sgd_f32(n, PTR(float, p), PTR(float, g), buf ? PTR(float, buf) : NULL, init, o);
    else
        sgd_f64(n, PTR(double, p), PTR(double, g), buf ? PTR(double, buf) : NULL, init, o);
    return CT_OK;
}

/* ========================================================================
 * Adam / AdamW (decoupled: p *= 1 - lr * wd first) */
#define DEF_ADAM(T, S)                                                                                          \
    /* one element once its gradient gi is formed (and p decayed if decoupled): */ \
    /* m and v (and vmax for amsgrad, else NULL) updated; returns the new p */    \
    static inline __attribute__((always_inline)) T adam_elem_##S(T pi, T gi, T *m, T *v, T *vmax, T tb1, T ob1,  \
                                                                 T tb2, T ob2, T bc2s, T eps, T nss) {         \
        T mi = *m * tb1;                                                                                     \
        mi = mi + ob1 * gi;                                                                                  \
        T vi = *v * tb2;                                                                                     \
        vi = vi + ob2 * gi * gi;                                                                             \
        *m = mi;                                                                                             \
        *v = vi;                                                                                             \
        T den;                                                                                               \
        if (vmax) {                                                                                          \
            T mx = *vmax;                                                                                    \
            mx = (isnan(mx) || mx > vi) ? mx : vi;                                                           \
            *vmax = mx;                                                                                      \
            den = SQRT(mx) / bc2s;                                                                           \
        } else {                                                                                             \
            den = SQRT(vi) / bc2s;                                                                           \
        }                                                                                                    \
        den = den + eps;                                                                                     \
        return pi + nss * mi / den;                                                                          \
    }                                                                                                        \
    /* the common case (no maximize, no amsgrad, weight decay only decoupled) \
     * in a loop the compiler vectorizes (adam_elem inlined without vmax) */  \
    CT_SIMD_CLONES static void adam_plain_##S(int64_t n, T *restrict p, const T *restrict g, T *restrict m,     \
                                              T *restrict v, T tb1, T ob1, T tb2, T ob2, T bc2s, T eps, T nss,  \
                                              T dec, bool decoupled) {                                         \
        for (int64_t i = 0; i < n; i++)                                                                      \
            p[i] = adam_elem_##S(decoupled ? p[i] * dec : p[i], g[i], &m[i], &v[i], NULL, tb1, ob1, tb2, ob2,  \
                                 bc2s, eps, nss);                                                            \
    }                                                                                                        \
    typedef struct {                                                                                         \
        T *p, *m, *v;                                                                                        \
        const T *g;                                                                                          \
        T tb1, ob1, tb2, ob2, bc2s, eps, nss, dec;                                                           \
        bool decoupled;                                                                                      \
    } adam_ctx_##S;                                                                                          \
    static void adam_plain_range_##S(int64_t b, int64_t e, void *vc) {                                       \
        const adam_ctx_##S *c = vc;                                                                          \
        adam_plain_##S(e - b, c->p + b, c->g + b, c->m + b, c->v + b, c->tb1, c->ob1, c->tb2, c->ob2, c->bc2s, \
                       c->eps, c->nss, c->dec, c->decoupled);                                                \
    }                                                                                                        \
    static void adam_##S(int64_t n, T *p, const T *g, T *m, T *v, T *vmax, double step, bool decoupled,        \
                         const ct_optim_opts *o) {                                                             \
        double b1 = o->betas[0], b2 = o->betas[1];                                                            \
        double bc1 = 1 - pow_memo(b1, step), bc2 = 1 - pow_memo(b2, step);                                     \
        T nss = (T)(-(o->lr / bc1)), bc2s = (T)sqrt(bc2), eps = (T)o->eps;                                     \
        T tb1 = (T)b1, tb2 = (T)b2, ob1 = (T)(1 - b1), ob2 = (T)(1 - b2), wd = (T)o->weight_decay;             \
        T dec = (T)(1 - o->lr * o->weight_decay);                                                             \
        if (!o->maximize && !vmax && (decoupled || o->weight_decay == 0)) {                                 \
            adam_ctx_##S c = {p, m, v, g, tb1, ob1, tb2, ob2, bc2s, eps, nss, dec, decoupled};               \
            ct_parallel_for(0, n, CT_GRAIN_SIZE / 4, adam_plain_range_##S, &c); /* elementwise: same bits */  \
            return;                                                                                          \
        }                                                                                                    \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (decoupled)                                                                                   \
                p[i] = p[i] * dec;                                                                           \
            else if (o->weight_decay != 0)                                                                   \
                gi = gi + wd * p[i];                                                                         \
            p[i] = adam_elem_##S(p[i], gi, &m[i], &v[i], vmax ? &vmax[i] : NULL, tb1, ob1, tb2, ob2, bc2s, eps, nss); \
        }                                                                                                    \
    }
DEF_ADAM(float, f32)
DEF_ADAM(double, f64)

static int betas_check(const ct_optim_opts *o) {
    char b[40];
    if (!(0 <= o->betas[0] && o->betas[0] < 1))
        return ct__error("Invalid beta parameter at index 0: %s", fmt(b, o->betas[0])), CT_ERROR;
    if (!(0 <= o->betas[1] && o->betas[1] < 1))
        return ct__error("Invalid beta parameter at index 1: %s", fmt(b, o->betas[1])), CT_ERROR;
    return CT_OK;
}
static int lr_check(const ct_optim_opts *o) {
    char b[40];
    if (!(0 <= o->lr)) return ct__error("Invalid learning rate: %s", fmt(b, o->lr)), CT_ERROR;
    return CT_OK;
}
static int eps_check(const ct_optim_opts *o) {
    char b[40];
    if (!(0 <= o->eps)) return ct__error("Invalid epsilon value: %s", fmt(b, o->eps)), CT_ERROR;
    return CT_OK;
}
static int wd_check(const ct_optim_opts *o) {
    char b[40];
    if (!(0 <= o->weight_decay))
        return ct__error("Invalid weight_decay value: %s", fmt(b, o->weight_decay)), CT_ERROR;
    return CT_OK;
}
static int adam_validate(const ct_optim_opts *o) {
    if (lr_check(o) || eps_check(o) || betas_check(o) || wd_check(o)) return CT_ERROR;
    return CT_OK;
}

static int adam_like_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g,
                            bool decoupled) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n) {
        if (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "exp_avg", zeros_like(p)) ||
            state_init(s, "exp_avg_sq", zeros_like(p)) ||
            (o->amsgrad && state_init(s, "max_exp_avg_sq", zeros_like(p))))
            return CT_ERROR;
    }
    ct_tensor *m, *v, *vmax, *st;
    /* the state as this function made it (keys in this order, each padded
     * with zeros): by position, without a lookup per key; anything else
     * (a loaded state_dict, stale padding) through state_fetch */
    static const char keys[4][sizeof s->keys[0]] = {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    int nk = o->amsgrad ? 4 : 3;
    if (s->n == nk && !memcmp(s->keys, keys, (size_t)nk * sizeof keys[0]) && s->v[0] && s->v[1] && s->v[2] &&
        (!o->amsgrad || s->v[3])) {
        st = s->v[0], m = s->v[1], v = s->v[2], vmax = o->amsgrad ? s->v[3] : NULL;
    } else if (state_fetch(opt, s, 4, "exp_avg", &m, "exp_avg_sq", &v, o->amsgrad ? "max_exp_avg_sq" : NULL, &vmax,
                           "step", &st) != CT_OK) {
        return CT_ERROR;
    }
    double step = step_incr(st);
    int64_t n = ct_numel(p);
    if (ct_dtype_of(p) == CT_FLOAT32)
        adam_f32(n, PTR(float, p), PTR(float, g), PTR(float, m), PTR(float, v), vmax ? PTR(float, vmax) : NULL,
                 step, decoupled, o);
    else
        adam_f64(n, PTR(double, p), PTR(double, g), PTR(double, m), PTR(double, v),
                 vmax ? PTR(double, vmax) : NULL, step, decoupled, o);
    return CT_OK;
}
static int adam_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    return adam_like_update(opt, o, idx, p, g, false);
}
static int adamw_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    return adam_like_update(opt, o, idx, p, g, true);
}

/* ========================================================================
 * Adamax */
#define DEF_ADAMAX(T, S)                                                                                        \
    static void adamax_##S(int64_t n, T *p, const T *g, T *m, T *u, double step, const ct_optim_opts *o) {    \
        double b1 = o->betas[0];                                                                              \
        T tb1 = (T)b1, ob1 = (T)(1 - b1), tb2 = (T)o->betas[1], eps = (T)o->eps, wd = (T)o->weight_decay;     \
        T nclr = (T)(-(o->lr / (1 - pow(b1, step))));                                                         \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T mi = m[i] * tb1;                                                                               \
            mi = mi + ob1 * gi;                                                                              \
            m[i] = mi;                                                                                       \
            T a = u[i] * tb2, b = FABS(gi) + eps;                                                            \
            T ui = (isnan(a) || a > b) ? a : b;                                                              \
            if (isnan(b)) ui = b;                                                                            \
            u[i] = ui;                                                                                       \
            p[i] = p[i] + nclr * mi / ui;                                                                    \
        }                                                                                                    \
    }
DEF_ADAMAX(float, f32)
DEF_ADAMAX(double, f64)

static int adamax_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "exp_avg", zeros_like(p)) ||
                  state_init(s, "exp_inf", zeros_like(p))))
        return CT_ERROR;
    ct_tensor *st, *m, *u;
    if (state_fetch(opt, s, 3, "step", &st, "exp_avg", &m, "exp_inf", &u) != CT_OK) return CT_ERROR;
    double step = step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        adamax_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, m), PTR(float, u), step, o);
    else
        adamax_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, m), PTR(double, u), step, o);
    return CT_OK;
}

/* ========================================================================
 * NAdam (no maximize in 1.13). mu_product is a float32 0-dim tensor. */
#define DEF_NADAM(T, S)                                                                                         \
    static void nadam_##S(int64_t n, T *p, const T *g, T *m, T *v, double bc2, double c1, double c2,           \
                          const ct_optim_opts *o) {                                                           \
        double b1 = o->betas[0], b2 = o->betas[1];                                                            \
        T tb1 = (T)b1, ob1 = (T)(1 - b1), tb2 = (T)b2, ob2 = (T)(1 - b2), tbc2 = (T)bc2;                      \
        T eps = (T)o->eps, wd = (T)o->weight_decay, k1 = (T)c1, k2 = (T)c2;                                   \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = g[i];                                                                                     \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T mi = m[i] * tb1;                                                                               \
            mi = mi + ob1 * gi;                                                                              \
            T vi = v[i] * tb2;                                                                               \
            vi = vi + ob2 * gi * gi;                                                                         \
            m[i] = mi;                                                                                       \
            v[i] = vi;                                                                                       \
            T den = vi / tbc2;                                                                               \
            den = SQRT(den) + eps;                                                                           \
            T pi = p[i] + k1 * gi / den;                                                                     \
            p[i] = pi + k2 * mi / den;                                                                       \
        }                                                                                                    \
    }
DEF_NADAM(float, f32)
DEF_NADAM(double, f64)

static int nadam_validate(const ct_optim_opts *o) {
    char b[40];
    if (adam_validate(o)) return CT_ERROR;
    if (!(0 <= o->momentum_decay))
        return ct__error("Invalid momentum_decay value: %s", fmt(b, o->momentum_decay)), CT_ERROR;
    return CT_OK;
}

static int nadam_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "mu_product", ct__scalar_f32(1)) ||
                  state_init(s, "exp_avg", zeros_like(p)) || state_init(s, "exp_avg_sq", zeros_like(p))))
        return CT_ERROR;
    ct_tensor *st, *mp, *m, *v;
    if (state_fetch(opt, s, 4, "step", &st, "mu_product", &mp, "exp_avg", &m, "exp_avg_sq", &v) != CT_OK)
        return CT_ERROR;
    double step = step_incr(st);
    double b1 = o->betas[0];
    double bc2 = 1 - pow(o->betas[1], step);
    double mu = b1 * (1. - 0.5 * pow(0.96, step * o->momentum_decay));
    double mu_next = b1 * (1. - 0.5 * pow(0.96, (step + 1) * o->momentum_decay));
    /* the float32 tensor arithmetic of mu_product */
    float mpf = (float)ct__scalar_value(mp);
    if (ct_dtype_of(mp) == CT_FLOAT32) {
        mpf = mpf * (float)mu;
        *(float *)ct_data_ptr(mp) = mpf;
    } else {
        double *d = (double *)ct_data_ptr(mp);
        *d = *d * mu;
        mpf = (float)*d;
    }
    double mp_item = ct_dtype_of(mp) == CT_FLOAT32 ? (double)mpf : *(double *)ct_data_ptr(mp);
    double mpn_item;
    if (ct_dtype_of(mp) == CT_FLOAT32) {
        float t = mpf * (float)mu;
        t = t * (float)mu_next;
        mpn_item = t;
    } else {
        mpn_item = mp_item * mu * mu_next;
    }
    double c1 = -o->lr * (1. - mu) / (1. - mp_item);
    double c2 = -o->lr * mu_next / (1. - mpn_item);
    if (ct_dtype_of(p) == CT_FLOAT32)
        nadam_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, m), PTR(float, v), bc2, c1, c2, o);
    else
        nadam_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, m), PTR(double, v), bc2, c1, c2, o);
    return CT_OK;
}

/* ========================================================================
 * RAdam (no maximize in 1.13) */
#define DEF_RADAM(T, S)                                                                                         \
    static void radam_##S(int64_t n, T *p, const T *g, T *m, T *v, double step, const ct_optim_opts *o) {     \
        double b1 = o->betas[0], b2 = o->betas[1];                                                            \
        double bc1 = 1 - pow(b1, step), bc2 = 1 - pow(b2, step);                                               \
        double rho_inf = 2 / (1 - b2) - 1;                                                                    \
        double rho_t = rho_inf - 2 * step * pow(b2, step) / bc2;                                              \
        bool rect_on = rho_t > 5.;                                                                           \
        double rect = rect_on ? sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) \
                              : 0;                                                                           \
        T tb1 = (T)b1, ob1 = (T)(1 - b1), tb2 = (T)b2, ob2 = (T)(1 - b2), tbc1 = (T)bc1;                      \
        T eps = (T)o->eps, wd = (T)o->weight_decay, lr = (T)o->lr, trect = (T)rect, sbc2 = (T)sqrt(bc2);       \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = g[i];                                                                                     \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T mi = m[i] * tb1;                                                                               \
            mi = mi + ob1 * gi;                                                                              \
            T vi = v[i] * tb2;                                                                               \
            vi = vi + ob2 * gi * gi;                                                                         \
            m[i] = mi;                                                                                       \
            v[i] = vi;                                                                                       \
            T bce = mi / tbc1;                                                                               \
            T upd;                                                                                           \
            if (rect_on) {                                                                                   \
                T den = SQRT(vi) + eps;                                                                      \
                T alr = sbc2 / den;                                                                          \
                upd = bce * lr;                                                                              \
                upd = upd * alr;                                                                             \
                upd = upd * trect;                                                                           \
            } else {                                                                                         \
                upd = bce * lr;                                                                              \
            }                                                                                                \
            p[i] = p[i] + (T)(-1.0) * upd;                                                                   \
        }                                                                                                    \
    }
DEF_RADAM(float, f32)
DEF_RADAM(double, f64)

static int radam_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "exp_avg", zeros_like(p)) ||
                  state_init(s, "exp_avg_sq", zeros_like(p))))
        return CT_ERROR;
    ct_tensor *st, *m, *v;
    if (state_fetch(opt, s, 3, "step", &st, "exp_avg", &m, "exp_avg_sq", &v) != CT_OK) return CT_ERROR;
    double step = step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        radam_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, m), PTR(float, v), step, o);
    else
        radam_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, m), PTR(double, v), step, o);
    return CT_OK;
}

/* ========================================================================
 * Adagrad: state created with the optimizer (as PyTorch's __init__) */
#define DEF_ADAGRAD(T, S)                                                                                       \
    static void adagrad_##S(int64_t n, T *p, const T *g, T *sum, double step, const ct_optim_opts *o) {       \
        T nclr = (T)(-(o->lr / (1 + (step - 1) * o->lr_decay)));                                             \
        T eps = (T)o->eps, wd = (T)o->weight_decay, one = (T)1;                                               \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T si = sum[i] + one * gi * gi;                                                                   \
            sum[i] = si;                                                                                     \
            T sd = SQRT(si) + eps;                                                                           \
            p[i] = p[i] + nclr * gi / sd;                                                                    \
        }                                                                                                    \
    }
DEF_ADAGRAD(float, f32)
DEF_ADAGRAD(double, f64)

static int adagrad_validate(const ct_optim_opts *o) {
    char b[40];
    if (lr_check(o)) return CT_ERROR;
    if (!(0 <= o->lr_decay)) return ct__error("Invalid lr_decay value: %s", fmt(b, o->lr_decay)), CT_ERROR;
    if (wd_check(o)) return CT_ERROR;
    if (!(0 <= o->initial_accumulator_value))
        return ct__error("Invalid initial_accumulator_value value: %s", fmt(b, o->initial_accumulator_value)),
               CT_ERROR;
    return eps_check(o);
}
static int adagrad_init(ct_optimizer *opt, int64_t idx, const ct_optim_opts *o) {
    ct__pstate *s = &opt->state[idx];
    ct_tensor *p = opt->params[idx];
    if (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "sum", full_like(p, o->initial_accumulator_value)))
        return CT_ERROR;
    return CT_OK;
}
static int adagrad_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    ct_tensor *st = ct__pstate_get(s, "step"), *sum = ct__pstate_get(s, "sum");
    if (!st || !sum) return ct__error("KeyError: 'sum'"), CT_ERROR;
    double step = step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        adagrad_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, sum), step, o);
    else
        adagrad_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, sum), step, o);
    return CT_OK;
}

/* ========================================================================
 * Adadelta */
#define DEF_ADADELTA(T, S)                                                                                      \
    static void adadelta_##S(int64_t n, T *p, const T *g, T *sq, T *acc, const ct_optim_opts *o) {            \
        T rho = (T)o->rho, orho = (T)(1 - o->rho), eps = (T)o->eps, wd = (T)o->weight_decay, nlr = (T)(-o->lr); \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T si = sq[i] * rho;                                                                              \
            si = si + orho * gi * gi;                                                                        \
            sq[i] = si;                                                                                      \
            T sd = si + eps;                                                                                 \
            sd = SQRT(sd);                                                                                   \
            T d = acc[i] + eps;                                                                              \
            d = SQRT(d);                                                                                     \
            d = d / sd;                                                                                      \
            d = d * gi;                                                                                      \
            T ai = acc[i] * rho;                                                                             \
            acc[i] = ai + orho * d * d;                                                                      \
            p[i] = p[i] + nlr * d;                                                                           \
        }                                                                                                    \
    }
DEF_ADADELTA(float, f32)
DEF_ADADELTA(double, f64)

static int adadelta_validate(const ct_optim_opts *o) {
    char b[40];
    if (lr_check(o)) return CT_ERROR;
    if (!(0 <= o->rho && o->rho <= 1)) return ct__error("Invalid rho value: %s", fmt(b, o->rho)), CT_ERROR;
    if (eps_check(o) || wd_check(o)) return CT_ERROR;
    return CT_OK;
}
static int adadelta_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_i64(0)) || state_init(s, "square_avg", zeros_like(p)) ||
                  state_init(s, "acc_delta", zeros_like(p))))
        return CT_ERROR;
    ct_tensor *st, *sq, *acc;
    if (state_fetch(opt, s, 3, "step", &st, "square_avg", &sq, "acc_delta", &acc) != CT_OK) return CT_ERROR;
    step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        adadelta_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, sq), PTR(float, acc), o);
    else
        adadelta_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, sq), PTR(double, acc), o);
    return CT_OK;
}

/* ========================================================================
 * RMSprop */
#define DEF_RMSPROP(T, S)                                                                                       \
    static void rmsprop_##S(int64_t n, T *p, const T *g, T *sq, T *ga, T *buf, const ct_optim_opts *o) {      \
        T al = (T)o->alpha, oal = (T)(1 - o->alpha), eps = (T)o->eps, wd = (T)o->weight_decay;                \
        T mom = (T)o->momentum, nlr = (T)(-o->lr), one = (T)1, mone = (T)(-1);                                 \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T si = sq[i] * al;                                                                               \
            si = si + oal * gi * gi;                                                                         \
            sq[i] = si;                                                                                      \
            T avg;                                                                                           \
            if (ga) {                                                                                        \
                T gai = ga[i] * al;                                                                          \
                gai = gai + oal * gi;                                                                        \
                ga[i] = gai;                                                                                 \
                avg = si + mone * gai * gai;                                                                 \
                avg = SQRT(avg);                                                                             \
            } else {                                                                                         \
                avg = SQRT(si);                                                                              \
            }                                                                                                \
            avg = avg + eps;                                                                                 \
            if (buf) {                                                                                       \
                T b = buf[i] * mom;                                                                          \
                b = b + one * gi / avg;                                                                      \
                buf[i] = b;                                                                                  \
                p[i] = p[i] + nlr * b;                                                                       \
            } else {                                                                                         \
                p[i] = p[i] + nlr * gi / avg;                                                                \
            }                                                                                                \
        }                                                                                                    \
    }
DEF_RMSPROP(float, f32)
DEF_RMSPROP(double, f64)

static int rmsprop_validate(const ct_optim_opts *o) {
    char b[40];
    if (lr_check(o) || eps_check(o)) return CT_ERROR;
    if (!(0 <= o->momentum)) return ct__error("Invalid momentum value: %s", fmt(b, o->momentum)), CT_ERROR;
    if (wd_check(o)) return CT_ERROR;
    if (!(0 <= o->alpha)) return ct__error("Invalid alpha value: %s", fmt(b, o->alpha)), CT_ERROR;
    return CT_OK;
}
static int rmsprop_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_i64(0)) || state_init(s, "square_avg", zeros_like(p)) ||
                  (o->momentum > 0 && state_init(s, "momentum_buffer", zeros_like(p))) ||
                  (o->centered && state_init(s, "grad_avg", zeros_like(p)))))
        return CT_ERROR;
    ct_tensor *st, *sq, *buf, *ga;
    if (state_fetch(opt, s, 4, "step", &st, "square_avg", &sq, o->momentum > 0 ? "momentum_buffer" : NULL, &buf,
                    o->centered ? "grad_avg" : NULL, &ga) != CT_OK)
        return CT_ERROR;
    step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        rmsprop_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, sq), ga ? PTR(float, ga) : NULL,
                    buf ? PTR(float, buf) : NULL, o);
    else
        rmsprop_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, sq), ga ? PTR(double, ga) : NULL,
                    buf ? PTR(double, buf) : NULL, o);
    return CT_OK;
}

/* ========================================================================
 * Rprop */
#define DEF_RPROP(T, S)                                                                                         \
    static void rprop_##S(int64_t n, T *p, const T *g, T *prev, T *ss, const ct_optim_opts *o) {              \
        T em = (T)o->etas[0], ep = (T)o->etas[1], lo = (T)o->step_sizes[0], hi = (T)o->step_sizes[1];         \
        T mone = (T)(-1);                                                                                    \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            T pr = gi * prev[i];                                                                             \
            T f = pr > 0 ? ep : pr < 0 ? em : (T)1;                                                          \
            T s = ss[i] * f;                                                                                 \
            s = s < lo ? lo : s; /* clamp_(min, max): NaN stays NaN */                                       \
            s = s > hi ? hi : s;                                                                             \
            ss[i] = s;                                                                                       \
            if (f == em) gi = 0;                                                                             \
            T sg = (T)((gi > 0) - (gi < 0));                                                                 \
            p[i] = p[i] + mone * sg * s;                                                                     \
            prev[i] = gi;                                                                                    \
        }                                                                                                    \
    }
DEF_RPROP(float, f32)
DEF_RPROP(double, f64)

static int rprop_validate(const ct_optim_opts *o) {
    char b[40], c[40];
    if (lr_check(o)) return CT_ERROR;
    if (!(0 < o->etas[0] && o->etas[0] < 1 && 1 < o->etas[1]))
        return ct__error("Invalid eta values: %s, %s", fmt(b, o->etas[0]), fmt(c, o->etas[1])), CT_ERROR;
    return CT_OK;
}
static int rprop_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_i64(0)) || state_init(s, "prev", zeros_like(p)) ||
                  state_init(s, "step_size", full_like(g, o->lr))))
        return CT_ERROR;
    ct_tensor *st, *prev, *ss;
    if (state_fetch(opt, s, 3, "step", &st, "prev", &prev, "step_size", &ss) != CT_OK) return CT_ERROR;
    step_incr(st);
    if (ct_dtype_of(p) == CT_FLOAT32)
        rprop_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, prev), PTR(float, ss), o);
    else
        rprop_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, prev), PTR(double, ss), o);
    return CT_OK;
}

/* ========================================================================
 * ASGD: eta and mu are float32 0-dim tensors (torch.tensor(python float)) */
#define DEF_ASGD(T, S)                                                                                          \
    static void asgd_##S(int64_t n, T *p, const T *g, T *ax, double eta, double mu, const ct_optim_opts *o) { \
        T dec = (T)(1 - o->lambd * eta), neta = (T)(-eta), tmu = (T)mu, wd = (T)o->weight_decay;              \
        for (int64_t i = 0; i < n; i++) {                                                                    \
            T gi = o->maximize ? -g[i] : g[i];                                                               \
            if (o->weight_decay != 0) gi = gi + wd * p[i];                                                   \
            T pi = p[i] * dec;                                                                               \
            pi = pi + neta * gi;                                                                             \
            p[i] = pi;                                                                                       \
            if (mu != 1) {                                                                                   \
                T d = pi - ax[i];                                                                            \
                d = d * tmu;                                                                                 \
                ax[i] = ax[i] + d;                                                                           \
            } else {                                                                                         \
                ax[i] = pi;                                                                                  \
            }                                                                                                \
        }                                                                                                    \
    }
DEF_ASGD(float, f32)
DEF_ASGD(double, f64)

static int asgd_validate(const ct_optim_opts *o) {
    if (lr_check(o) || wd_check(o)) return CT_ERROR;
    return CT_OK;
}
static int asgd_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    ct__pstate *s = &opt->state[idx];
    if (!s->n && (state_init(s, "step", ct__scalar_f32(0)) || state_init(s, "eta", ct__scalar_f32(o->lr)) ||
                  state_init(s, "mu", ct__scalar_f32(1)) || state_init(s, "ax", zeros_like(p))))
        return CT_ERROR;
    ct_tensor *st, *eta, *mu, *ax;
    if (state_fetch(opt, s, 4, "step", &st, "eta", &eta, "mu", &mu, "ax", &ax) != CT_OK) return CT_ERROR;
    double step = step_incr(st);
    double e = ct__scalar_value(eta), m = ct__scalar_value(mu);
    if (ct_dtype_of(p) == CT_FLOAT32)
        asgd_f32(ct_numel(p), PTR(float, p), PTR(float, g), PTR(float, ax), e, m, o);
    else
        asgd_f64(ct_numel(p), PTR(double, p), PTR(double, g), PTR(double, ax), e, m, o);
    double ne = o->lr / pow(1 + o->lambd * o->lr * step, o->alpha);
    double nm = 1 / fmax(1, step - o->t0);
    if (ct_fill_(eta, (double)(float)ne) != CT_OK || ct_fill_(mu, (double)(float)nm) != CT_OK) return CT_ERROR;
    return CT_OK;
}

/* ========================================================================
 * SparseAdam: ctorch has no sparse gradients yet, so every step meets a
 * dense gradient, which is PyTorch's own error. */
static int sparse_adam_validate(const ct_optim_opts *o) {
    char b[40];
    if (!(0 < o->lr)) return ct__error("Invalid learning rate: %s", fmt(b, o->lr)), CT_ERROR;
    if (!(0 < o->eps)) return ct__error("Invalid epsilon value: %s", fmt(b, o->eps)), CT_ERROR;
    return betas_check(o);
}
static int sparse_adam_update(ct_optimizer *opt, const ct_optim_opts *o, int64_t idx, ct_tensor *p, ct_tensor *g) {
    (void)opt, (void)o, (void)idx, (void)p, (void)g;
    ct__error("SparseAdam does not support dense gradients, please consider Adam instead");
    return CT_ERROR;
}

/* ======================================================================== */

static const ct__algo ALGOS[] = {
    [CT_OPTIM_SGD] = {"SGD", "lr momentum dampening weight_decay nesterov maximize foreach differentiable",
                      {.lr = 0}, true, sgd_validate, NULL, sgd_update, NULL},
    [CT_OPTIM_ADAM] = {"Adam",
                       "lr betas eps weight_decay amsgrad foreach maximize capturable differentiable fused",
                       {.lr = 1e-3, .betas = {0.9, 0.999}, .eps = 1e-8},
                       false, adam_validate, NULL, adam_update, NULL},
    [CT_OPTIM_ADAMW] = {"AdamW", "lr betas eps weight_decay amsgrad maximize foreach capturable",
                        {.lr = 1e-3, .betas = {0.9, 0.999}, .eps = 1e-8, .weight_decay = 1e-2},
                        false, adam_validate, NULL, adamw_update, NULL},
    [CT_OPTIM_ADAMAX] = {"Adamax", "lr betas eps weight_decay foreach maximize",
                         {.lr = 2e-3, .betas = {0.9, 0.999}, .eps = 1e-8},
                         false, adam_validate, NULL, adamax_update, NULL},
    [CT_OPTIM_NADAM] = {"NAdam", "lr betas eps weight_decay momentum_decay foreach",
                        {.lr = 2e-3, .betas = {0.9, 0.999}, .eps = 1e-8, .momentum_decay = 4e-3},
                        false, nadam_validate, NULL, nadam_update, NULL},
    [CT_OPTIM_RADAM] = {"RAdam", "lr betas eps weight_decay foreach",
                        {.lr = 1e-3, .betas = {0.9, 0.999}, .eps = 1e-8},
                        false, adam_validate, NULL, radam_update, NULL},
    [CT_OPTIM_ADAGRAD] = {"Adagrad", "lr lr_decay weight_decay initial_accumulator_value eps foreach maximize",
                          {.lr = 1e-2, .eps = 1e-10},
                          false, adagrad_validate, adagrad_init, adagrad_update, NULL},
    [CT_OPTIM_ADADELTA] = {"Adadelta", "lr rho eps weight_decay foreach maximize",
                           {.lr = 1.0, .rho = 0.9, .eps = 1e-6},
                           false, adadelta_validate, NULL, adadelta_update, NULL},
    [CT_OPTIM_RMSPROP] = {"RMSprop", "lr alpha eps weight_decay momentum centered foreach maximize differentiable",
                          {.lr = 1e-2, .alpha = 0.99, .eps = 1e-8},
                          false, rmsprop_validate, NULL, rmsprop_update, NULL},
    [CT_OPTIM_RPROP] = {"Rprop", "lr etas step_sizes foreach maximize",
                        {.lr = 1e-2, .etas = {0.5, 1.2}, .step_sizes = {1e-6, 50}},
                        false, rprop_validate, NULL, rprop_update, NULL},
    [CT_OPTIM_ASGD] = {"ASGD", "lr lambd alpha t0 weight_decay foreach maximize",
                       {.lr = 1e-2, .lambd = 1e-4, .alpha = 0.75, .t0 = 1e6},
                       false, asgd_validate, NULL, asgd_update, NULL},
    [CT_OPTIM_SPARSE_ADAM] = {"SparseAdam", "lr betas eps maximize",
                              {.lr = 1e-3, .betas = {0.9, 0.999}, .eps = 1e-8},
                              false, sparse_adam_validate, NULL, sparse_adam_update, NULL},
};

const ct__algo *ct__optim_algo(ct_optim_kind kind) {
    if (kind == CT_OPTIM_LBFGS) return &ct__algo_lbfgs;
    if ((int)kind <= 0 || (size_t)kind >= sizeof ALGOS / sizeof ALGOS[0] || !ALGOS[kind].name) return NULL;
    return &ALGOS[kind];
}
