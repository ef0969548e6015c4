/* torch.optim.Optimizer: param groups over defaults, zero_grad, step (with
 * a closure), per-parameter state, state_dict / load_state_dict. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "autograd/node.h"
#include "optim/optim_impl.h"

/* ---- small helpers ---------------------------------------------------------- */

#define own ct__optim_own

ct_tensor *ct__scalar_f32(double v) { return own(ct_scalar_tensor(v, CT_OPTS(.dtype = CT_FLOAT32))); }
ct_tensor *ct__scalar_f64(double v) { return own(ct_scalar_tensor(v, CT_OPTS(.dtype = CT_FLOAT64))); }
ct_tensor *ct__scalar_i64(int64_t v) { return own(ct_scalar_tensor_int(v, NULL)); }
double ct__scalar_value(const ct_tensor *t) {
    double v = NAN;
    if (t && ct_item(t, &v) != CT_OK) return NAN;
    return v;
}

/* ---- per-parameter state ------------------------------------------------------ */

static int pstate_find(const ct__pstate *s, const char *key) {
    for (int i = 0; i < s->n; i++)
        if (s->keys[i][0] == key[0] && !strcmp(s->keys[i], key)) return i;
    return -1;
}
ct_tensor *ct__pstate_get(const ct__pstate *s, const char *key) {
    int i = pstate_find(s, key);
    return i < 0 ? NULL : s->v[i];
}
bool ct__pstate_has(const ct__pstate *s, const char *key) { return pstate_find(s, key) >= 0; }
int ct__pstate_set(ct__pstate *s, const char *key, ct_tensor *v) {
    int i = pstate_find(s, key);
    if (i < 0) {
        if (s->n == CT_OPTIM_MAX_KEYS || strlen(key) >= sizeof s->keys[0]) {
            ct_free(v);
            ct__error("optimizer state: too many keys or key too long ('%s')", key);
            return CT_ERROR;
        }
        i = s->n++;
        snprintf(s->keys[i], sizeof s->keys[i], "%s", key);
        s->v[i] = NULL;
    }
    ct_free(s->v[i]);
    s->v[i] = v;
    return CT_OK;
}
void ct__pstate_clear(ct__pstate *s) {
    for (int i = 0; i < s->n; i++) ct_free(s->v[i]);
    s->n = 0;
}

/* ---- options ---------------------------------------------------------------------- */

typedef struct {
    const char *name; /* PyTorch's keyword */
    size_t off;
    char type; /* d double, i int, b bool, s string */
} field;

#define F(name, member, type) {name, offsetof(ct_optim_opts, member), type}
static const field FIELDS[] = {
    F("lr", lr, 'd'),
    F("momentum", momentum, 'd'),
    F("dampening", dampening, 'd'),
    F("weight_decay", weight_decay, 'd'),
    F("nesterov", nesterov, 'b'),
    F("maximize", maximize, 'b'),
    F("betas", betas[0], 'd'),
    F("betas", betas[1], 'd'),
    F("eps", eps, 'd'),
    F("amsgrad", amsgrad, 'b'),
    F("lr_decay", lr_decay, 'd'),
    F("initial_accumulator_value", initial_accumulator_value, 'd'),
    F("rho", rho, 'd'),
    F("alpha", alpha, 'd'),
    F("centered", centered, 'b'),
    F("etas", etas[0], 'd'),
    F("etas", etas[1], 'd'),
    F("step_sizes", step_sizes[0], 'd'),
    F("step_sizes", step_sizes[1], 'd'),
    F("lambd", lambd, 'd'),
    F("t0", t0, 'd'),
    F("momentum_decay", momentum_decay, 'd'),
    F("max_iter", max_iter, 'i'),
    F("max_eval", max_eval, 'i'),
    F("tolerance_grad", tolerance_grad, 'd'),
    F("tolerance_change", tolerance_change, 'd'),
    F("history_size", history_size, 'i'),
    F("line_search_fn", line_search_fn, 's'),
    F("foreach", foreach, 'b'),
    F("differentiable", differentiable, 'b'),
    F("capturable", capturable, 'b'),
    F("fused", fused, 'b'),
};
#undef F
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

static bool field_set(const ct_optim_opts *o, const field *f) {
    const char *p = (const char *)o + f->off;
    switch (f->type) {
    case 'd': {
        double v;
        memcpy(&v, p, sizeof v);
        return v != 0 || signbit(v);
    }
    case 'i': {
        int v;
        memcpy(&v, p, sizeof v);
        return v != 0;
    }
    case 'b': {
        bool v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    default: {
        const char *v;
        memcpy(&v, p, sizeof v);
        return v != NULL;
    }
    }
}

static bool keyword_ok(const char *keywords, const char *name) {
    size_t n = strlen(name);
    for (const char *s = keywords; (s = strstr(s, name)) != NULL; s += n)
        if ((s == keywords || s[-1] == ' ') && (s[n] == ' ' || s[n] == 0)) return true;
    return false;
}

bool ct__optim_has_keyword(const ct_optimizer *opt, const char *kw) { return keyword_ok(opt->algo->keywords, kw); }

/* out = base with every field user sets (CT_ZERO -> 0.0); keywords the
 * algorithm does not take are PyTorch's TypeError. */
static int resolve(const ct__algo *a, const ct_optim_opts *base, const ct_optim_opts *user, ct_optim_opts *out,
                   const char *fn) {
    *out = *base;
    if (!user) return CT_OK;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const field *f = &FIELDS[i];
        if (!field_set(user, f)) continue;
        if (fn && !keyword_ok(a->keywords, f->name)) {
            ct__error("%s.__init__() got an unexpected keyword argument '%s'", a->name, f->name);
            return CT_ERROR;
        }
        char *dst = (char *)out + f->off;
        const char *src = (const char *)user + f->off;
        if (f->type == 'd') {
            double v;
            memcpy(&v, src, sizeof v);
            if (v == 0) v = 0.0; /* CT_ZERO */
            memcpy(dst, &v, sizeof v);
        } else if (f->type == 'i') {
            memcpy(dst, src, sizeof(int));
        } else if (f->type == 'b') {
            memcpy(dst, src, sizeof(bool));
        } else {
            const char *sv;
            memcpy(&sv, src, sizeof sv);
            memcpy(dst, &sv, sizeof sv);
        }
    }
    if (user->sched_keys) {
        out->sched_keys |= user->sched_keys;
        if (user->sched_keys & CT_GROUP_HAS_INITIAL_LR) out->initial_lr = user->initial_lr;
        if (user->sched_keys & CT_GROUP_HAS_MAX_LR) out->max_lr = user->max_lr;
        if (user->sched_keys & CT_GROUP_HAS_MIN_LR) out->min_lr = user->min_lr;
        if (user->sched_keys & CT_GROUP_HAS_BASE_MOMENTUM) out->base_momentum = user->base_momentum;
        if (user->sched_keys & CT_GROUP_HAS_MAX_MOMENTUM) out->max_momentum = user->max_momentum;
    }
    return CT_OK;
}

/* ---- construction ------------------------------------------------------------------ */

static int add_group(ct_optimizer *opt, int n, ct_tensor *const *params, const ct_optim_opts *user) {
    if (!params && n > 0) return CT_ERROR;
    if (n < 0) {
        ct__error("optimizer got an empty parameter list");
        return CT_ERROR;
    }
    for (int i = 0; i < n; i++) {
        if (!params[i]) return CT_ERROR; /* NULL tensor: keep the earlier error */
        if (!ct_is_leaf(params[i])) {
            ct__error("can't optimize a non-leaf Tensor");
            return CT_ERROR;
        }
        ct_dtype d = ct_dtype_of(params[i]);
        if (d != CT_FLOAT32 && d != CT_FLOAT64) {
            ct__error("optimizer: parameters of dtype %s are not supported (float32 and float64 only)",
                      ct_dtype_name(d));
            return CT_ERROR;
        }
    }
    ct_optim_opts o;
    if (resolve(opt->algo, &opt->defaults, user, &o, NULL) != CT_OK) return CT_ERROR;
    if (opt->algo->lr_required && !opt->lr_given && !(user && field_set(user, &FIELDS[0]))) {
        /* lr never given (SGD's `required`) */
        ct__error("parameter group didn't specify a value of required optimization parameter lr");
        return CT_ERROR;
    }
    if (opt->kind == CT_OPTIM_LBFGS) {
        if (!o.max_eval) o.max_eval = o.max_iter * 5 / 4;
        if (o.line_search_fn) {
            if (strcmp(o.line_search_fn, "strong_wolfe")) {
                ct__error("only 'strong_wolfe' is supported");
                return CT_ERROR;
            }
            o.line_search_fn = "strong_wolfe"; /* never keep the caller's pointer */
        }
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < opt->n_params; j++)
            if (opt->params[j] == params[i]) goto dup;
        for (int j = 0; j < i; j++)
            if (params[j] == params[i]) goto dup;
    }
    if (opt->n_groups == opt->cap_groups) {
        int cap = opt->cap_groups ? 2 * opt->cap_groups : 4;
        ct__group *g = realloc(opt->groups, (size_t)cap * sizeof *g);
        if (!g) goto oom;
        opt->groups = g;
        opt->cap_groups = cap;
    }
    if (opt->n_params + n > opt->cap_params) {
        int cap = opt->cap_params ? 2 * opt->cap_params : 8;
        while (cap < opt->n_params + n) cap *= 2;
        ct_tensor **p = realloc(opt->params, (size_t)cap * sizeof *p);
        if (!p) goto oom;
        opt->params = p;
        ct__pstate *s = realloc(opt->state, (size_t)cap * sizeof *s);
        if (!s) goto oom;
        opt->state = s;
        opt->cap_params = cap;
    }
    ct__group *g = &opt->groups[opt->n_groups++];
    g->o = o;
    g->first = opt->n_params;
    g->n = n;
    for (int i = 0; i < n; i++) {
        opt->params[opt->n_params] = ct_ref(params[i]);
        memset(&opt->state[opt->n_params], 0, sizeof(ct__pstate));
        opt->n_params++;
    }
    if (opt->algo->init_state)
        for (int i = g->first; i < g->first + n; i++)
            if (opt->algo->init_state(opt, i, &g->o) != CT_OK) return CT_ERROR;
    return CT_OK;
dup:
    ct__error("some parameters appear in more than one parameter group");
    return CT_ERROR;
oom:
    ct__error_oom(0);
    return CT_ERROR;
}

ct_optimizer *ct_optim_create(ct_optim_kind kind, int n_groups, const ct_param_group *groups,
                              const ct_optim_opts *defaults) {
    const ct__algo *a = ct__optim_algo(kind);
    if (!a) {
        ct__error("unknown optimizer kind %d", (int)kind);
        return NULL;
    }
    if (n_groups < 0 || (n_groups > 0 && !groups)) return NULL;
    ct_optimizer *opt = calloc(1, sizeof *opt);
    if (!opt) {
        ct__error_oom(sizeof *opt);
        return NULL;
    }
    opt->kind = kind;
    opt->algo = a;
    if (resolve(a, &a->defaults, defaults, &opt->defaults, a->name) != CT_OK) goto fail;
    opt->lr_given = defaults && field_set(defaults, &FIELDS[0]);
    if (a->validate && a->validate(&opt->defaults) != CT_OK) goto fail;
    int total = 0;
    for (int i = 0; i < n_groups; i++) total += groups[i].n > 0 ? groups[i].n : 0;
    if (n_groups == 0 || total == 0) {
        ct__error("optimizer got an empty parameter list");
        goto fail;
    }
    if (kind == CT_OPTIM_LBFGS && n_groups != 1) {
        ct__error("LBFGS doesn't support per-parameter options (parameter groups)");
        goto fail;
    }
    for (int i = 0; i < n_groups; i++)
        if (add_group(opt, groups[i].n, groups[i].params, &groups[i].opts) != CT_OK) goto fail;
    return opt;
fail:
    ct_optim_free(opt);
    return NULL;
}

ct_optimizer *ct_optim_new(ct_optim_kind kind, int n, ct_tensor *const *params, const ct_optim_opts *defaults) {
    if (n > 0 && !params) return NULL;
    ct_param_group g = {.n = n, .params = params};
    return ct_optim_create(kind, 1, &g, defaults);
}

void ct_optim_free(ct_optimizer *opt) {
    if (!opt) return;
    for (int i = 0; i < opt->n_params; i++) {
        ct__pstate_clear(&opt->state[i]);
        ct_free(opt->params[i]);
    }
    free(opt->params);
    free(opt->state);
    free(opt->groups);
    free(opt);
}

const char *ct_optim_name(const ct_optimizer *opt) { return opt ? opt->algo->name : NULL; }
ct_optim_kind ct_optim_kind_of(const ct_optimizer *opt) { return opt ? opt->kind : (ct_optim_kind)0; }

int ct_optim_add_param_group(ct_optimizer *opt, int n, ct_tensor *const *params, const ct_optim_opts *opts) {
    if (!opt) return CT_ERROR;
    if (opt->kind == CT_OPTIM_LBFGS) {
        ct__error("LBFGS doesn't support per-parameter options (parameter groups)");
        return CT_ERROR;
    }
    int ng = opt->n_groups, np = opt->n_params;
    if (add_group(opt, n, params, opts) != CT_OK) {
        /* undo a partial group */
        for (int i = np; i < opt->n_params; i++) {
            ct__pstate_clear(&opt->state[i]);
            ct_free(opt->params[i]);
        }
        opt->n_params = np;
        opt->n_groups = ng;
        return CT_ERROR;
    }
    return CT_OK;
}

/* ---- zero_grad / step ---------------------------------------------------------------- */

int ct_optim_zero_grad(ct_optimizer *opt, bool set_to_none) {
    if (!opt) return CT_ERROR;
    for (int i = 0; i < opt->n_params; i++) {
        ct_tensor *p = opt->params[i];
        ct_tensor *g = ct_grad(p);
        if (!g) continue;
        int rc;
        if (set_to_none) {
            rc = ct_set_grad(p, NULL);
        } else if (ct_grad_fn_name(g)) {
            /* p.grad.detach_(); requires_grad_(False); zero_() */
            ct_tensor *z = ct_zeros_like(g, NULL);
            rc = z ? ct_set_grad(p, z) : CT_ERROR;
            ct_free(z);
        } else {
            ct_grad_mode m = ct_no_grad_begin();
            rc = ct_zero_(g);
            ct_grad_mode_end(m);
        }
        ct_free(g);
        if (rc != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

static int run_updates(ct_optimizer *opt) {
    int rc = CT_OK;
    ct_grad_mode m = ct_no_grad_begin();
    for (int gi = 0; gi < opt->n_groups && rc == CT_OK; gi++) {
        ct__group *grp = &opt->groups[gi];
        for (int i = grp->first; i < grp->first + grp->n && rc == CT_OK; i++) {
            ct_tensor *p = opt->params[i];
            ct_autograd_meta *am = ct__meta_if(p);
            ct_tensor *gb = am ? am->grad : NULL; /* borrowed */
            if (!gb) continue;
            if (gb->dtype == p->dtype && gb->ndim == p->ndim &&
                !memcmp(gb->sizes, p->sizes, (size_t)p->ndim * sizeof *p->sizes) && ct__is_contiguous(gb) &&
                ct__is_contiguous(p)) {
                /* the common case, without the references taken below
                 * (the update reads the gradient and writes p's elements) */
                rc = opt->algo->update(opt, &grp->o, i, p, gb);
                if (rc == CT_OK) ct__bump_version(p);
                continue;
            }
            ct_tensor *g = ct__retain(gb);
            if (ct_dtype_of(g) != ct_dtype_of(p) || ct_dim(g) != ct_dim(p) ||
                memcmp(ct_sizes(g), ct_sizes(p), (size_t)ct_dim(p) * sizeof(int64_t))) {
                ct__error("%s: a gradient's dtype or shape differs from its parameter's", opt->algo->name);
                rc = CT_ERROR;
            } else {
                ct_tensor *gc = ct_contiguous(g);
                ct_tensor *pc = ct_is_contiguous(p) ? ct_ref(p) : ct_contiguous(p);
                rc = gc && pc ? opt->algo->update(opt, &grp->o, i, pc, gc) : CT_ERROR;
                if (rc == CT_OK && pc != p) {
                    rc = ct_copy_(p, pc);
                } else if (rc == CT_OK) {
                    ct__bump_version(p);
                }
                ct_free(gc);
                ct_free(pc);
            }
            ct_free(g);
        }
    }
    ct_grad_mode_end(m);
    return rc;
}

int ct_optim_step(ct_optimizer *opt) {
    if (!opt) return CT_ERROR;
    if (opt->algo->step) {
        ct__error("step() missing 1 required positional argument: 'closure'");
        return CT_ERROR;
    }
    opt->step_count++;
    return run_updates(opt);
}

ct_tensor *ct_optim_step_closure(ct_optimizer *opt, ct_optim_closure closure, void *ctx) {
    if (!opt) return NULL;
    if (!closure) {
        if (opt->algo->step) {
            ct__error("step() missing 1 required positional argument: 'closure'");
            return NULL;
        }
        ct__error("step(): closure is NULL (use ct_optim_step)");
        return NULL;
    }
    opt->step_count++;
    if (opt->algo->step) return opt->algo->step(opt, closure, ctx);
    ct_grad_mode m = ct_enable_grad_begin();
    ct_tensor *loss = closure(ctx);
    ct_grad_mode_end(m);
    if (!loss) return NULL;
    if (run_updates(opt) != CT_OK) {
        ct_free(loss);
        return NULL;
    }
    return loss;
}

/* ---- groups ------------------------------------------------------------------------------ */

int ct_optim_num_groups(const ct_optimizer *opt) { return opt ? opt->n_groups : -1; }

static bool group_ok(const ct_optimizer *opt, int g) {
    if (!opt) return false;
    if (g < 0 || g >= opt->n_groups) {
        ct__error("list index out of range");
        return false;
    }
    return true;
}
ct_optim_opts *ct_optim_group_opts(ct_optimizer *opt, int g) { return group_ok(opt, g) ? &opt->groups[g].o : NULL; }
int ct_optim_group_size(const ct_optimizer *opt, int g) { return group_ok(opt, g) ? opt->groups[g].n : -1; }
ct_tensor *ct_optim_group_param(const ct_optimizer *opt, int g, int i) {
    if (!group_ok(opt, g)) return NULL;
    if (i < 0 || i >= opt->groups[g].n) {
        ct__error("list index out of range");
        return NULL;
    }
    return opt->params[opt->groups[g].first + i];
}
double ct_optim_get_lr(const ct_optimizer *opt, int g) { return group_ok(opt, g) ? opt->groups[g].o.lr : NAN; }
int ct_optim_set_lr(ct_optimizer *opt, int g, double lr) {
    if (!group_ok(opt, g)) return CT_ERROR;
    opt->groups[g].o.lr = lr;
    return CT_OK;
}

ct_tensor *ct_optim_state_get(const ct_optimizer *opt, int64_t index, const char *key) {
    if (!opt || !key || index < 0 || index >= opt->n_params) return NULL;
    return ct__pstate_get(&opt->state[index], key);
}

/* ---- state_dict ---------------------------------------------------------------------------- */

void ct_optim_state_dict_free(ct_optim_state *sd) {
    if (!sd) return;
    for (int i = 0; i < sd->n_state; i++)
        for (int k = 0; k < sd->state[i].n; k++) ct_free(sd->state[i].values[k]);
    for (int g = 0; g < sd->n_groups; g++) free(sd->groups[g].params);
    free(sd->state);
    free(sd->groups);
    free(sd);
}

static ct_tensor *copy_value(const ct_tensor *v, ct_dtype dtype) {
    if (!v) return NULL;
    ct_tensor *c = dtype ? ct_to_dtype_copy(v, dtype) : ct_clone(v);
    ct_tensor *d = c ? ct_detach(c) : NULL;
    ct_free(c);
    return own(d);
}

ct_optim_state *ct_optim_state_dict(const ct_optimizer *opt) {
    if (!opt) return NULL;
    ct_optim_state *sd = calloc(1, sizeof *sd);
    if (!sd) goto oom;
    sd->kind = opt->kind;
    sd->state = calloc((size_t)opt->n_params + 1, sizeof *sd->state);
    sd->groups = calloc((size_t)opt->n_groups + 1, sizeof *sd->groups);
    if (!sd->state || !sd->groups) goto oom;
    ct_grad_mode m = ct_no_grad_begin();
    for (int i = 0; i < opt->n_params; i++) {
        const ct__pstate *s = &opt->state[i];
        if (!s->n) continue;
        ct_optim_param_state *d = &sd->state[sd->n_state++];
        d->index = i;
        for (int k = 0; k < s->n; k++) {
            memcpy(d->keys[k], s->keys[k], sizeof d->keys[k]);
            d->values[k] = s->v[k] ? copy_value(s->v[k], CT_DTYPE_DEFAULT) : NULL;
            d->n = k + 1;
            if (s->v[k] && !d->values[k]) {
                ct_grad_mode_end(m);
                ct_optim_state_dict_free(sd);
                return NULL;
            }
        }
    }
    ct_grad_mode_end(m);
    for (int g = 0; g < opt->n_groups; g++) {
        ct_optim_group_state *d = &sd->groups[g];
        d->opts = opt->groups[g].o;
        d->params = malloc(((size_t)opt->groups[g].n + 1) * sizeof *d->params);
        sd->n_groups = g + 1;
        if (!d->params) goto oom;
        d->n = opt->groups[g].n;
        for (int i = 0; i < d->n; i++) d->params[i] = opt->groups[g].first + i;
    }
    return sd;
oom:
    ct_optim_state_dict_free(sd);
    ct__error_oom(0);
    return NULL;
}

int ct_optim_load_state_dict(ct_optimizer *opt, const ct_optim_state *sd) {
    if (!opt || !sd) return CT_ERROR;
    if (sd->n_groups != opt->n_groups) {
        ct__error("loaded state dict has a different number of parameter groups");
        return CT_ERROR;
    }
    for (int g = 0; g < sd->n_groups; g++)
        if (sd->groups[g].n != opt->groups[g].n) {
            ct__error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
            return CT_ERROR;
        }
    /* id_map: saved index -> our flat index, in the same group order */
    ct__pstate *ns = calloc((size_t)opt->n_params + 1, sizeof *ns);
    if (!ns) {
        ct__error_oom(0);
        return CT_ERROR;
    }
    int rc = CT_OK;
    ct_grad_mode m = ct_no_grad_begin();
    for (int i = 0; i < sd->n_state && rc == CT_OK; i++) {
        const ct_optim_param_state *s = &sd->state[i];
        int64_t target = -1;
        for (int g = 0; g < sd->n_groups && target < 0; g++)
            for (int k = 0; k < sd->groups[g].n; k++)
                if (sd->groups[g].params[k] == s->index) {
                    target = opt->groups[g].first + k;
                    break;
                }
        if (target < 0) continue; /* state of no parameter: PyTorch keeps it by key; we drop it */
        ct_tensor *p = opt->params[target];
        for (int k = 0; k < s->n && rc == CT_OK; k++) {
            ct_tensor *v = NULL;
            if (s->values[k]) {
                bool cast = strcmp(s->keys[k], "step") && ct_is_floating_point(s->values[k]);
                v = copy_value(s->values[k], cast ? ct_dtype_of(p) : CT_DTYPE_DEFAULT);
                if (!v) rc = CT_ERROR;
            }
            if (rc == CT_OK) rc = ct__pstate_set(&ns[target], s->keys[k], v);
        }
    }
    ct_grad_mode_end(m);
    if (rc != CT_OK) {
        for (int i = 0; i < opt->n_params; i++) ct__pstate_clear(&ns[i]);
        free(ns);
        return CT_ERROR;
    }
    for (int i = 0; i < opt->n_params; i++) ct__pstate_clear(&opt->state[i]);
    memcpy(opt->state, ns, (size_t)opt->n_params * sizeof *ns);
    free(ns);
    for (int g = 0; g < opt->n_groups; g++) {
        opt->groups[g].o = sd->groups[g].opts;
    }
    return CT_OK;
}
