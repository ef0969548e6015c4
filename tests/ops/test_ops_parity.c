/* The op table test: every case of tests/parity/data/ops.txt (written by
 * gen_ops.py with PyTorch 1.13.1) is replayed: values, dtype, shape,
 * grad_fn name and input gradients must match PyTorch; float64 cases also
 * pass gradcheck (and gradgradcheck where the op is twice differentiable). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

typedef struct op_call {
    const char *op;
    double args[4];
    int nargs;
    int64_t dims[CT_MAX_DIMS];
    int ndims;
} op_call;

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    if (!strcmp(op, "add")) return ct_add(in[0], in[1]);
    if (!strcmp(op, "sub")) return ct_sub(in[0], in[1]);
    if (!strcmp(op, "mul")) return ct_mul(in[0], in[1]);
    if (!strcmp(op, "div")) return ct_div(in[0], in[1]);
    if (!strcmp(op, "add_alpha")) return ct_add_alpha(in[0], in[1], a[0]);
    if (!strcmp(op, "add_scalar")) return ct_add_scalar(in[0], a[0]);
    if (!strcmp(op, "mul_scalar")) return ct_mul_scalar(in[0], a[0]);
    if (!strcmp(op, "div_scalar")) return ct_div_scalar(in[0], a[0]);
    if (!strcmp(op, "neg")) return ct_neg(in[0]);
    if (!strcmp(op, "exp")) return ct_exp(in[0]);
    if (!strcmp(op, "log")) return ct_log(in[0]);
    if (!strcmp(op, "sin")) return ct_sin(in[0]);
    if (!strcmp(op, "cos")) return ct_cos(in[0]);
    if (!strcmp(op, "tanh")) return ct_tanh(in[0]);
    if (!strcmp(op, "sigmoid")) return ct_sigmoid(in[0]);
    if (!strcmp(op, "sqrt")) return ct_sqrt(in[0]);
    if (!strcmp(op, "relu")) return ct_relu(in[0]);
    if (!strcmp(op, "sign")) return ct_sign(in[0]);
    if (!strcmp(op, "pow_scalar")) return ct_pow_scalar(in[0], a[0]);
    if (!strcmp(op, "sum")) return ct_sum(in[0]);
    if (!strcmp(op, "mean")) return ct_mean(in[0]);
    if (!strcmp(op, "sum_dim")) return ct_sum_dim(in[0], c->ndims, c->dims, a[0] != 0);
    if (!strcmp(op, "mean_dim")) return ct_mean_dim(in[0], c->ndims, c->dims, a[0] != 0);
    if (!strcmp(op, "mm")) return ct_mm(in[0], in[1]);
    if (!strcmp(op, "matmul")) return ct_matmul(in[0], in[1]);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

static ct_tensor *gc_fn(ct_tensor *const *inputs, void *ctx) { return run_op(ctx, inputs); }

static ct_dtype dtype_named(const char *s) {
    static const char *const names[] = {"", "bool", "uint8", "int8", "int16", "int32", "int64",
                                        "float16", "bfloat16", "float32", "float64"};
    for (int d = 1; d < CT_NUM_DTYPES; d++)
        if (!strcmp(s, names[d])) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", s);
    return CT_DTYPE_DEFAULT;
}

/* A tensor from the vectors: prefix_dtype, prefix_shape, prefix values. */
static ct_tensor *load_tensor(const vec_case *c, const char *prefix) {
    char key[64];
    snprintf(key, sizeof key, "%s_dtype", prefix);
    ct_dtype dt = dtype_named(vec_tok(c, key, 0));
    snprintf(key, sizeof key, "%s_shape", prefix);
    int64_t shape[CT_MAX_DIMS];
    int ndim = vec_ints(c, key, shape, CT_MAX_DIMS);
    ct_tensor *t = ct_empty(ndim, shape, CT_OPTS(.dtype = dt));
    cr_assert_not_null(t, "%s", ct_last_error());
    int64_t n = ct_numel(t);
    cr_assert_eq(vec_len(c, prefix), n, "case %s: %s has %d values, want %lld", vec_name(c), prefix,
                 vec_len(c, prefix), (long long)n);
    char *p = ct_data_ptr(t);
    for (int64_t i = 0; i < n; i++) {
        uint64_t bits;
        switch (dt) {
        case CT_FLOAT64: bits = vec_hex(c, prefix, (int)i); memcpy(p + 8 * i, &bits, 8); break;
        case CT_FLOAT32: { uint32_t b = (uint32_t)vec_hex(c, prefix, (int)i); memcpy(p + 4 * i, &b, 4); break; }
        case CT_FLOAT16: case CT_BFLOAT16: { uint16_t b = (uint16_t)vec_hex(c, prefix, (int)i); memcpy(p + 2 * i, &b, 2); break; }
        default: {
            int64_t v = vec_int(c, prefix, (int)i);
            ct_tensor *s = ct_scalar_tensor_int(v, CT_OPTS(.dtype = dt));
            memcpy(p + (int64_t)ct_element_size(t) * i, ct_data_ptr(s), ct_element_size(t));
            ct_free(s);
        }
        }
    }
    return t;
}

static void expect_close(const vec_case *c, const char *what, const ct_tensor *got, const ct_tensor *want) {
    cr_assert_not_null(got, "case %s: %s is NULL (%s)", vec_name(c), what, ct_last_error());
    cr_assert_eq(ct_dtype_of(got), ct_dtype_of(want), "case %s: %s dtype %s, want %s", vec_name(c), what,
                 ct_dtype_name(ct_dtype_of(got)), ct_dtype_name(ct_dtype_of(want)));
    cr_assert_eq(ct_dim(got), ct_dim(want), "case %s: %s ndim", vec_name(c), what);
    for (int d = 0; d < ct_dim(want); d++)
        cr_assert_eq(ct_size(got, d), ct_size(want, d), "case %s: %s size(%d)", vec_name(c), what, d);
    int64_t n = ct_numel(want);
    double *g = malloc((size_t)(n + 1) * sizeof *g), *w = malloc((size_t)(n + 1) * sizeof *w);
    cr_assert_eq(ct_copy_to_buffer(got, CT_FLOAT64, g, (size_t)n * sizeof *g), CT_OK);
    cr_assert_eq(ct_copy_to_buffer(want, CT_FLOAT64, w, (size_t)n * sizeof *w), CT_OK);
    ct_dtype dt = ct_dtype_of(want);
    /* float32 math (exp, sums) is not bit-identical to PyTorch's SLEEF and
     * cascade-sum kernels; float64 agrees to rounding; integers exactly */
    double rtol = dt == CT_FLOAT64 ? 1e-12 : dt == CT_FLOAT32 ? 2e-6 : 0;
    double atol = dt == CT_FLOAT64 ? 1e-13 : dt == CT_FLOAT32 ? 1e-5 : 0;
    for (int64_t i = 0; i < n; i++) {
        bool same = (isnan(g[i]) && isnan(w[i])) || g[i] == w[i] || fabs(g[i] - w[i]) <= atol + rtol * fabs(w[i]);
        cr_assert(same, "case %s: %s[%lld] = %.17g, PyTorch %.17g", vec_name(c), what, (long long)i, g[i], w[i]);
    }
    free(g);
    free(w);
}

static void read_call(const vec_case *c, op_call *call) {
    memset(call, 0, sizeof *call);
    call->op = vec_tok(c, "op", 0);
    call->nargs = vec_len(c, "args");
    for (int i = 0; i < call->nargs; i++) call->args[i] = vec_double(c, "args", i);
    if (vec_has(c, "dims")) call->ndims = vec_ints(c, "dims", call->dims, CT_MAX_DIMS);
}

static bool twice_differentiable(const char *op) {
    return strcmp(op, "relu") && strcmp(op, "sign") && strcmp(op, "sum") && strcmp(op, "mean");
}

Test(ops, parity_values_gradients_gradcheck) {
    vec_file *f = vec_load("ops.txt");
    cr_assert_gt(vec_count(f), 200);
    for (size_t k = 0; k < vec_count(f); k++) {
        const vec_case *c = vec_at(f, k);
        cr_assert_eq(ct_scope_begin(), 1);
        op_call call;
        read_call(c, &call);
        int n = (int)vec_int(c, "ninputs", 0);
        ct_tensor *in[4] = {0};
        for (int i = 0; i < n; i++) {
            char p[16], key[32];
            snprintf(p, sizeof p, "in%d", i);
            ct_tensor *base = load_tensor(c, p);
            snprintf(key, sizeof key, "in%d_layout", i);
            in[i] = !strcmp(vec_tok(c, key, 0), "t") ? ct_t(base) : base;
            snprintf(key, sizeof key, "in%d_requires_grad", i);
            if (vec_int(c, key, 0)) cr_assert_eq(ct_requires_grad_(in[i], true), CT_OK);
        }
        ct_tensor *out = run_op(&call, in);
        ct_tensor *want = load_tensor(c, "out");
        expect_close(c, "out", out, want);
        if (vec_has(c, "grad_fn")) {
            const char *name = ct_grad_fn_name(out);
            cr_assert_not_null(name, "case %s: no grad_fn", vec_name(c));
            /* matmul of vectors: PyTorch uses dot/mv kernels; ctorch composes mm with views */
            if (strcmp(call.op, "matmul")) cr_assert_str_eq(name, vec_tok(c, "grad_fn", 0), "case %s", vec_name(c));
            ct_tensor *w = load_tensor(c, "w");
            cr_assert_eq(ct_backward(out, w, NULL), CT_OK, "case %s: %s", vec_name(c), ct_last_error());
            for (int i = 0; i < n; i++) {
                char p[16];
                snprintf(p, sizeof p, "grad%d", i);
                if (!vec_has(c, p)) continue;
                ct_tensor *gw = load_tensor(c, p);
                expect_close(c, p, ct_grad(in[i]), gw);
            }
            if (ct_dtype_of(want) == CT_FLOAT64 && ct_numel(want) > 0) {
                int r = ct_gradcheck(gc_fn, &call, n, in, NULL);
                cr_assert_eq(r, 1, "case %s: gradcheck: %s", vec_name(c), ct_last_error());
                if (twice_differentiable(call.op)) {
                    r = ct_gradgradcheck(gc_fn, &call, n, in, NULL);
                    cr_assert_eq(r, 1, "case %s: gradgradcheck: %s", vec_name(c), ct_last_error());
                }
            }
        } else {
            cr_assert_not(ct_requires_grad(out), "case %s", vec_name(c));
        }
        cr_assert_eq(ct_scope_end(), CT_OK);
    }
    vec_free(f);
}
