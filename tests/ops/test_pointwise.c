/* Unary pointwise family against tests/parity/data/pointwise.txt
 * (gen_pointwise.py, PyTorch 1.13.1) through the table-driven harness, plus
 * NULL-argument and in-place behaviour checks. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

typedef struct {
    const char *name;
    ct_tensor *(*fn)(const ct_tensor *);
    int (*ifn)(ct_tensor *);
} unary_entry;

#define E(op) {#op, ct_##op, ct_##op##_}
static const unary_entry unary_ops[] = {
    E(abs),   E(sign),  E(reciprocal), E(sqrt),  E(rsqrt), E(square), E(exp),    E(exp2),  E(expm1),
    E(log),   E(log2),  E(log10),      E(log1p), E(sin),   E(cos),    E(tan),    E(asin),  E(acos),
    E(atan),  E(sinh),  E(cosh),       E(tanh),  E(asinh), E(acosh),  E(atanh),  E(sigmoid), E(logit),
    E(erf),   E(erfc),  E(erfinv),     E(lgamma), E(digamma), E(floor), E(ceil), E(round), E(trunc),
    E(frac),  E(relu),
};
#undef E
#define N_UNARY (sizeof unary_ops / sizeof unary_ops[0])

/* the in-place form on a copy: x.clone().op_(...) */
static ct_tensor *inplace_result(ct_tensor *c, int rc) {
    if (rc == CT_OK) return c;
    ct_free(c);
    return NULL;
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    size_t len = strlen(op);
    bool leaf = !strncmp(op, "leaf_", 5);
    const char *base = leaf ? op + 5 : op;
    size_t blen = strlen(base);
    bool inplace = base[blen - 1] == '_';
    (void)len;
    for (size_t i = 0; i < N_UNARY; i++) {
        const unary_entry *e = &unary_ops[i];
        size_t n = strlen(e->name);
        if (strncmp(base, e->name, n) || (base[n] != 0 && !(base[n] == '_' && base[n + 1] == 0))) continue;
        if (!inplace) return e->fn(in[0]);
        if (leaf) return e->ifn(in[0]) == CT_OK ? ct_ref(in[0]) : NULL;
        ct_tensor *x = ct_clone(in[0]);
        return inplace_result(x, e->ifn(x));
    }
    if (!strcmp(op, "logit_eps")) return ct_logit_eps(in[0], a[0]);
    if (!strcmp(op, "polygamma")) return ct_polygamma((int64_t)a[0], in[0]);
    if (!strcmp(op, "round_decimals")) return ct_round_decimals(in[0], (int64_t)a[0]);
    if (!strcmp(op, "nan_to_num") || !strcmp(op, "nan_to_num_sp"))
        return ct_nan_to_num(in[0], a[0], a[3] != 0 ? &a[1] : NULL, a[4] != 0 ? &a[2] : NULL);
    ct_tensor *x = ct_clone(in[0]);
    if (!strcmp(op, "logit_eps_")) return inplace_result(x, ct_logit_eps_(x, a[0]));
    if (!strcmp(op, "polygamma_")) return inplace_result(x, ct_polygamma_(x, (int64_t)a[0]));
    if (!strcmp(op, "round_decimals_")) return inplace_result(x, ct_round_decimals_(x, (int64_t)a[0]));
    if (!strcmp(op, "nan_to_num_") || !strcmp(op, "nan_to_num_sp_"))
        return inplace_result(x, ct_nan_to_num_(x, a[0], a[3] != 0 ? &a[1] : NULL, a[4] != 0 ? &a[2] : NULL));
    ct_free(x);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* zero gradients (no graph to differentiate again) and kinks */
static const char *const once[] = {"sign",   "sign_",  "floor", "floor_", "ceil",           "ceil_",
                                   "round",  "round_", "trunc", "trunc_", "round_decimals", "round_decimals_",
                                   "relu",   "relu_",  NULL};

/* inputs holding inf / NaN: gradients are compared, finite differences are meaningless */
static const char *const no_gc[] = {"nan_to_num_sp", "nan_to_num_sp_", NULL};

Test(pointwise, parity_values_gradients_gradcheck) {
    op_harness_opts o = {.once_differentiable = once, .no_gradcheck = no_gc};
    cr_assert_gt(op_harness_run("pointwise.txt", run_op, &o), 1000);
}

Test(pointwise, null_inputs_keep_the_last_error) {
    ct_clear_error();
    ct_tensor *bad = ct_polygamma(-1, NULL);
    cr_assert_null(bad);
    cr_assert_null(ct_last_error());
    ct_tensor *h = ct_zeros(1, (int64_t[]){2}, CT_OPTS(.dtype = CT_FLOAT16));
    cr_assert_null(ct_exp(h)); /* sets "exp_vml_cpu" ... 'Half' */
    const char *first = ct_last_error();
    cr_assert_not_null(first);
    char saved[256];
    strncpy(saved, first, sizeof saved - 1);
    saved[sizeof saved - 1] = 0;
    for (size_t i = 0; i < N_UNARY; i++) {
        cr_assert_null(unary_ops[i].fn(NULL), "%s", unary_ops[i].name);
        cr_assert_eq(unary_ops[i].ifn(NULL), CT_ERROR, "%s_", unary_ops[i].name);
    }
    cr_assert_null(ct_logit_eps(NULL, 0.1));
    cr_assert_null(ct_polygamma(1, NULL));
    cr_assert_null(ct_round_decimals(NULL, 2));
    cr_assert_null(ct_nan_to_num(NULL, 0, NULL, NULL));
    cr_assert_null(ct_pow_scalar(NULL, 2));
    cr_assert_eq(ct_logit_eps_(NULL, 0.1), CT_ERROR);
    cr_assert_eq(ct_polygamma_(NULL, 1), CT_ERROR);
    cr_assert_eq(ct_round_decimals_(NULL, 1), CT_ERROR);
    cr_assert_eq(ct_nan_to_num_(NULL, 0, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), saved);
    ct_free(h);
}

Test(pointwise, inplace_bumps_version_and_shares_storage) {
    ct_tensor *x = ct_full(1, (int64_t[]){4}, 0.25, NULL);
    void *p = ct_data_ptr(x);
    int64_t v = ct_version(x);
    cr_assert_eq(ct_exp_(x), CT_OK);
    cr_assert_eq(ct_data_ptr(x), p);
    cr_assert_gt(ct_version(x), v);
    double got[4];
    cr_assert_eq(ct_copy_to_buffer(x, CT_FLOAT64, got, sizeof got), CT_OK);
    cr_assert_float_eq(got[0], expf(0.25f), 1e-6);
    ct_free(x);
}

Test(pointwise, inplace_on_a_view_writes_through) {
    ct_tensor *x = ct_arange(0, 6, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *s = ct_slice(x, 0, 1, 5, 2); /* elements 1 and 3 */
    cr_assert_eq(ct_square_(s), CT_OK);
    double got[6];
    cr_assert_eq(ct_copy_to_buffer(x, CT_FLOAT64, got, sizeof got), CT_OK);
    const double want[6] = {0, 1, 2, 9, 4, 5};
    for (int i = 0; i < 6; i++) cr_assert_eq(got[i], want[i]);
    ct_free(s);
    ct_free(x);
}

/* a saved input modified in place before backward: PyTorch's error */
Test(pointwise, saved_input_modified_in_place) {
    ct_tensor *x = ct_full(1, (int64_t[]){3}, 0.5, CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *y = ct_mul_scalar(x, 2.0);
    ct_tensor *z = ct_sin(y);
    cr_assert_eq(ct_cos_(y), CT_OK);
    ct_tensor *s = ct_sum(z);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_ERROR);
    cr_assert_not_null(strstr(ct_last_error(), "modified by an inplace operation"));
    ct_free(s);
    ct_free(z);
    ct_free(y);
    ct_free(x);
}
