/* The table-driven op test (see op_harness.h). */
#include "op_harness.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ct_dtype oh_dtype_named(const char *s) {
    for (int d = 1; d < CT_NUM_DTYPES; d++)
        if (!strcmp(s, ct_dtype_name((ct_dtype)d))) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", s);
    return CT_DTYPE_DEFAULT;
}

ct_tensor *oh_load_tensor(const vec_case *c, const char *prefix) {
    char key[64];
    snprintf(key, sizeof key, "%s_dtype", prefix);
    ct_dtype dt = oh_dtype_named(vec_tok(c, key, 0));
    snprintf(key, sizeof key, "%s_shape", prefix);
    int64_t shape[CT_MAX_DIMS];
    int ndim = vec_ints(c, key, shape, CT_MAX_DIMS);
    ct_tensor *t = ct_empty(ndim, shape, CT_OPTS(.dtype = dt));
    cr_assert_not_null(t, "%s", ct_last_error());
    int64_t n = ct_numel(t);
    cr_assert_eq(vec_len(c, prefix), n, "case %s: %s has %d values, want %lld", vec_name(c), prefix,
                 vec_len(c, prefix), (long long)n);
    char *p = ct_data_ptr(t);
    size_t item = ct_element_size(t);
    for (int64_t i = 0; i < n; i++) {
        if (ct_dtype_is_floating_point(dt)) {
            uint64_t bits = vec_hex(c, prefix, (int)i);
            /* the hex is big-endian of exactly itemsize bytes: take the low bytes */
            memcpy(p + item * (size_t)i, &bits, item);
        } else {
            int64_t v = vec_int(c, prefix, (int)i);
            ct_tensor *s = ct_scalar_tensor_int(v, CT_OPTS(.dtype = dt));
            cr_assert_not_null(s, "%s", ct_last_error());
            memcpy(p + item * (size_t)i, ct_data_ptr(s), item);
            ct_free(s);
        }
    }
    return t;
}

void oh_expect_close(const vec_case *c, const char *what, const ct_tensor *got, const ct_tensor *want) {
    cr_assert_not_null(got, "case %s: %s is NULL (%s)", vec_name(c), what, ct_last_error());
    cr_assert_eq(ct_dtype_of(got), ct_dtype_of(want), "case %s: %s dtype %s, want %s", vec_name(c), what,
                 ct_dtype_name(ct_dtype_of(got)), ct_dtype_name(ct_dtype_of(want)));
    cr_assert_eq(ct_dim(got), ct_dim(want), "case %s: %s ndim %d, want %d", vec_name(c), what, ct_dim(got),
                 ct_dim(want));
    for (int d = 0; d < ct_dim(want); d++)
        cr_assert_eq(ct_size(got, d), ct_size(want, d), "case %s: %s size(%d)", vec_name(c), what, d);
    int64_t n = ct_numel(want);
    double *g = malloc((size_t)(n + 1) * sizeof *g), *w = malloc((size_t)(n + 1) * sizeof *w);
    cr_assert_eq(ct_copy_to_buffer(got, CT_FLOAT64, g, (size_t)n * sizeof *g), CT_OK);
    cr_assert_eq(ct_copy_to_buffer(want, CT_FLOAT64, w, (size_t)n * sizeof *w), CT_OK);
    ct_dtype dt = ct_dtype_of(want);
    /* float32 math (SLEEF exp, cascade sums) is not bit-identical to
     * PyTorch's; float64 agrees to rounding; float16/bfloat16 to one unit
     * in the last place; integers and bool exactly */
    double rtol = dt == CT_FLOAT64 ? 1e-12 : dt == CT_FLOAT32 ? 2e-6 : dt == CT_FLOAT16 ? 1e-3 : dt == CT_BFLOAT16 ? 8e-3 : 0;
    double atol = dt == CT_FLOAT64 ? 1e-13 : dt == CT_FLOAT32 ? 1e-5 : dt == CT_FLOAT16 || dt == CT_BFLOAT16 ? 1e-3 : 0;
    for (int64_t i = 0; i < n; i++) {
        bool same = (isnan(g[i]) && isnan(w[i])) || g[i] == w[i] || fabs(g[i] - w[i]) <= atol + rtol * fabs(w[i]);
        cr_assert(same, "case %s: %s[%lld] = %.17g, PyTorch %.17g", vec_name(c), what, (long long)i, g[i], w[i]);
    }
    free(g);
    free(w);
}

static bool listed(const char *const *list, const char *op) {
    for (; list && *list; list++)
        if (!strcmp(*list, op)) return true;
    return false;
}

typedef struct {
    op_dispatch_fn dispatch;
    const op_call *call;
} gc_ctx;

static ct_tensor *gc_fn(ct_tensor *const *inputs, void *vctx) {
    gc_ctx *c = vctx;
    return c->dispatch(c->call, inputs);
}

static void read_call(const vec_case *c, op_call *call) {
    memset(call, 0, sizeof *call);
    call->vc = c;
    call->op = vec_tok(c, "op", 0);
    call->nargs = vec_len(c, "args");
    cr_assert_leq(call->nargs, 8);
    for (int i = 0; i < call->nargs; i++) call->args[i] = vec_double(c, "args", i);
    if (vec_has(c, "dims")) call->ndims = vec_ints(c, "dims", call->dims, CT_MAX_DIMS);
}

size_t op_harness_run(const char *file, op_dispatch_fn dispatch, const op_harness_opts *opts) {
    static const op_harness_opts none = {0};
    if (!opts) opts = &none;
    vec_file *f = vec_load(file);
    size_t n_cases = vec_count(f);
    for (size_t k = 0; k < n_cases; k++) {
        const vec_case *c = vec_at(f, k);
        cr_assert_eq(ct_scope_begin(), 1);
        ct_clear_error();
        op_call call;
        read_call(c, &call);
        int n = (int)vec_int(c, "ninputs", 0);
        cr_assert_leq(n, 8);
        ct_tensor *in[8] = {0};
        for (int i = 0; i < n; i++) {
            char p[16], key[32];
            snprintf(p, sizeof p, "in%d", i);
            ct_tensor *base = oh_load_tensor(c, p);
            snprintf(key, sizeof key, "in%d_layout", i);
            in[i] = !strcmp(vec_tok(c, key, 0), "t") ? ct_t(base) : base;
            snprintf(key, sizeof key, "in%d_requires_grad", i);
            if (vec_int(c, key, 0)) cr_assert_eq(ct_requires_grad_(in[i], true), CT_OK);
        }
        ct_tensor *out = dispatch(&call, in);
        if (vec_has(c, "error")) {
            cr_assert_null(out, "case %s: expected PyTorch's error \"%s\"", vec_name(c), vec_str(c, "error"));
            cr_assert_not_null(ct_last_error(), "case %s: NULL without a message", vec_name(c));
            cr_assert_str_eq(ct_last_error(), vec_str(c, "error"), "case %s", vec_name(c));
            cr_assert_eq(ct_scope_end(), CT_OK);
            continue;
        }
        ct_tensor *want = oh_load_tensor(c, "out");
        oh_expect_close(c, "out", out, want);
        if (vec_has(c, "grad_fn")) {
            const char *name = ct_grad_fn_name(out);
            cr_assert_not_null(name, "case %s: no grad_fn (PyTorch has %s): a missing backward", vec_name(c),
                               vec_tok(c, "grad_fn", 0));
            if (!listed(opts->other_grad_fn_name, call.op))
                cr_assert_str_eq(name, vec_tok(c, "grad_fn", 0), "case %s", vec_name(c));
            ct_tensor *w = oh_load_tensor(c, "w");
            cr_assert_eq(ct_backward(out, w, NULL), CT_OK, "case %s: %s", vec_name(c), ct_last_error());
            for (int i = 0; i < n; i++) {
                char p[16];
                snprintf(p, sizeof p, "grad%d", i);
                if (!vec_has(c, p)) continue;
                oh_expect_close(c, p, ct_grad(in[i]), oh_load_tensor(c, p));
            }
            if (ct_dtype_of(want) == CT_FLOAT64 && ct_numel(want) > 0 && !listed(opts->no_gradcheck, call.op)) {
                gc_ctx g = {dispatch, &call};
                int r = ct_gradcheck(gc_fn, &g, n, in, NULL);
                cr_assert_eq(r, 1, "case %s: gradcheck: %s", vec_name(c), ct_last_error());
                if (!listed(opts->once_differentiable, call.op)) {
                    r = ct_gradgradcheck(gc_fn, &g, n, in, NULL);
                    cr_assert_eq(r, 1, "case %s: gradgradcheck: %s", vec_name(c), ct_last_error());
                }
            }
        } else {
            cr_assert_null(ct_grad_fn_name(out), "case %s: PyTorch's result has no grad_fn", vec_name(c));
        }
        cr_assert_eq(ct_scope_end(), CT_OK);
    }
    vec_free(f);
    return n_cases;
}
