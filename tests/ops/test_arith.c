/* The arithmetic family against tests/parity/data/arith.txt (gen_arith.py,
 * PyTorch 1.13.1) through the table-driven harness, plus NULL-argument
 * and API tests. In-place forms run as clone-then-op_. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <string.h>

#include "op_harness.h"

/* clone x, run the in-place op, return the clone (or NULL on failure) */
#define INPLACE(CALL)                                   \
    do {                                                \
        ct_tensor *x = ct_clone(in[0]);                 \
        if (!x) return NULL;                            \
        if ((CALL) != CT_OK) {                          \
            ct_free(x);                                 \
            return NULL;                                \
        }                                               \
        return x;                                       \
    } while (0)

static ct_tensor *run_clamp_tensor(const double *a, ct_tensor *const *in, int inplace_form) {
    int k = 1;
    const ct_tensor *lo = a[0] != 0 ? in[k++] : NULL;
    const ct_tensor *hi = a[1] != 0 ? in[k++] : NULL;
    if (!inplace_form) return ct_clamp_tensor(in[0], lo, hi);
    INPLACE(ct_clamp_tensor_(x, lo, hi));
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    int64_t i0 = (int64_t)a[0], i1 = (int64_t)a[1];
    const double *lo = a[0] != 0 ? &a[1] : NULL, *hi = a[2] != 0 ? &a[3] : NULL;
    if (!strcmp(op, "div_mode")) return ct_div_mode(in[0], in[1], (ct_rounding_mode)i0);
    if (!strcmp(op, "div_scalar_mode")) return ct_div_scalar_mode(in[0], a[0], (ct_rounding_mode)i1);
    if (!strcmp(op, "div_scalar_mode_int")) return ct_div_scalar_mode_int(in[0], i0, (ct_rounding_mode)i1);
    if (!strcmp(op, "floor_divide")) return ct_floor_divide(in[0], in[1]);
    if (!strcmp(op, "floor_divide_scalar")) return ct_floor_divide_scalar(in[0], a[0]);
    if (!strcmp(op, "floor_divide_scalar_int")) return ct_floor_divide_scalar_int(in[0], i0);
    if (!strcmp(op, "remainder")) return ct_remainder(in[0], in[1]);
    if (!strcmp(op, "remainder_scalar")) return ct_remainder_scalar(in[0], a[0]);
    if (!strcmp(op, "remainder_scalar_int")) return ct_remainder_scalar_int(in[0], i0);
    if (!strcmp(op, "fmod")) return ct_fmod(in[0], in[1]);
    if (!strcmp(op, "fmod_scalar")) return ct_fmod_scalar(in[0], a[0]);
    if (!strcmp(op, "fmod_scalar_int")) return ct_fmod_scalar_int(in[0], i0);
    if (!strcmp(op, "pow")) return ct_pow(in[0], in[1]);
    if (!strcmp(op, "pow_scalar_int")) return ct_pow_scalar_int(in[0], i0);
    if (!strcmp(op, "pow_scalar_base")) return ct_pow_scalar_base(a[0], in[0]);
    if (!strcmp(op, "pow_scalar_base_int")) return ct_pow_scalar_base_int(i0, in[0]);
    if (!strcmp(op, "atan2")) return ct_atan2(in[0], in[1]);
    if (!strcmp(op, "hypot")) return ct_hypot(in[0], in[1]);
    if (!strcmp(op, "maximum")) return ct_maximum(in[0], in[1]);
    if (!strcmp(op, "minimum")) return ct_minimum(in[0], in[1]);
    if (!strcmp(op, "fmax")) return ct_fmax(in[0], in[1]);
    if (!strcmp(op, "fmin")) return ct_fmin(in[0], in[1]);
    if (!strcmp(op, "rsub")) return ct_rsub(in[0], in[1]);
    if (!strcmp(op, "rsub_alpha")) return ct_rsub_alpha(in[0], in[1], a[0]);
    if (!strcmp(op, "rsub_scalar")) return ct_rsub_scalar(in[0], a[0]);
    if (!strcmp(op, "rsub_scalar_int")) return ct_rsub_scalar_int(in[0], i0);
    if (!strcmp(op, "sub")) return ct_sub(in[0], in[1]);
    if (!strcmp(op, "sub_scalar")) return ct_sub_scalar(in[0], a[0]);
    if (!strcmp(op, "add_scalar_int")) return ct_add_scalar_int(in[0], i0);
    if (!strcmp(op, "sub_scalar_int")) return ct_sub_scalar_int(in[0], i0);
    if (!strcmp(op, "mul_scalar_int")) return ct_mul_scalar_int(in[0], i0);
    if (!strcmp(op, "clamp")) return ct_clamp(in[0], lo, hi);
    if (!strcmp(op, "clamp_int")) return ct_clamp_int(in[0], &i0, &i1);
    if (!strcmp(op, "clamp_min")) return ct_clamp_min(in[0], a[0]);
    if (!strcmp(op, "clamp_max")) return ct_clamp_max(in[0], a[0]);
    if (!strcmp(op, "clamp_tensor")) return run_clamp_tensor(a, in, 0);
    if (!strcmp(op, "clamp_min_tensor")) return ct_clamp_min_tensor(in[0], in[1]);
    if (!strcmp(op, "clamp_max_tensor")) return ct_clamp_max_tensor(in[0], in[1]);
    if (!strcmp(op, "lerp")) return ct_lerp(in[0], in[1], a[0]);
    if (!strcmp(op, "lerp_tensor")) return ct_lerp_tensor(in[0], in[1], in[2]);
    if (!strcmp(op, "where")) return ct_where(in[0], in[1], in[2]);
    if (!strcmp(op, "where_scalar_other")) return ct_where_scalar_other(in[0], in[1], a[0]);
    if (!strcmp(op, "where_scalar_self")) return ct_where_scalar_self(in[0], a[0], in[1]);
    if (!strcmp(op, "where_scalar")) return ct_where_scalar(in[0], a[0], a[1]);
    /* in-place forms */
    if (!strcmp(op, "div_mode_")) INPLACE(ct_div_mode_(x, in[1], (ct_rounding_mode)i0));
    if (!strcmp(op, "div_scalar_mode_")) INPLACE(ct_div_scalar_mode_(x, a[0], (ct_rounding_mode)i1));
    if (!strcmp(op, "true_divide_")) INPLACE(ct_true_divide_(x, in[1]));
    if (!strcmp(op, "floor_divide_")) INPLACE(ct_floor_divide_(x, in[1]));
    if (!strcmp(op, "remainder_")) INPLACE(ct_remainder_(x, in[1]));
    if (!strcmp(op, "remainder_scalar_")) INPLACE(ct_remainder_scalar_(x, a[0]));
    if (!strcmp(op, "fmod_")) INPLACE(ct_fmod_(x, in[1]));
    if (!strcmp(op, "fmod_scalar_")) INPLACE(ct_fmod_scalar_(x, a[0]));
    if (!strcmp(op, "pow_")) INPLACE(ct_pow_(x, in[1]));
    if (!strcmp(op, "pow_scalar_")) INPLACE(ct_pow_scalar_(x, a[0]));
    if (!strcmp(op, "pow_scalar_int_")) INPLACE(ct_pow_scalar_int_(x, i0));
    if (!strcmp(op, "atan2_")) INPLACE(ct_atan2_(x, in[1]));
    if (!strcmp(op, "hypot_")) INPLACE(ct_hypot_(x, in[1]));
    if (!strcmp(op, "clamp_")) INPLACE(ct_clamp_(x, lo, hi));
    if (!strcmp(op, "clamp_min_")) INPLACE(ct_clamp_min_(x, a[0]));
    if (!strcmp(op, "clamp_max_")) INPLACE(ct_clamp_max_(x, a[0]));
    if (!strcmp(op, "clamp_tensor_")) INPLACE(ct_clamp_tensor_(x, in[1], in[2]));
    if (!strcmp(op, "clamp_min_tensor_")) INPLACE(ct_clamp_min_tensor_(x, in[1]));
    if (!strcmp(op, "clamp_max_tensor_")) INPLACE(ct_clamp_max_tensor_(x, in[1]));
    if (!strcmp(op, "lerp_")) INPLACE(ct_lerp_(x, in[1], a[0]));
    if (!strcmp(op, "lerp_tensor_")) INPLACE(ct_lerp_tensor_(x, in[1], in[2]));
    if (!strcmp(op, "sub_scalar_")) INPLACE(ct_sub_scalar_(x, a[0]));
    if (!strcmp(op, "div_scalar_")) INPLACE(ct_div_scalar_(x, a[0]));
    if (!strcmp(op, "add_scalar_int_")) INPLACE(ct_add_scalar_int_(x, i0));
    if (!strcmp(op, "sub_scalar_int_")) INPLACE(ct_sub_scalar_int_(x, i0));
    if (!strcmp(op, "mul_scalar_int_")) INPLACE(ct_mul_scalar_int_(x, i0));
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(arith, parity_values_gradients_gradcheck) {
    cr_assert_gt(op_harness_run("arith.txt", run_op, NULL), 800);
}

/* A NULL tensor argument gives NULL and keeps the first error. */
Test(arith, null_arguments_keep_the_first_error) {
    ct_tensor *x = ct_ones(1, (int64_t[]){3}, NULL);
    ct_tensor *c = ct_full(1, (int64_t[]){3}, 1.0, CT_OPTS(.dtype = CT_BOOL));
    ct_clear_error();
    ct_tensor *bad = ct_div_mode(x, x, (ct_rounding_mode)7); /* sets an error */
    cr_assert_null(bad);
    const char *first = ct_last_error();
    cr_assert_str_eq(first, "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '7'");
    double one = 1.0;
    ct_tensor *r[] = {
        ct_div_mode(NULL, x, CT_ROUND_FLOOR), ct_div_mode(x, NULL, CT_ROUND_TRUNC), ct_div_scalar_mode(NULL, 2, 1),
        ct_floor_divide(NULL, x), ct_remainder(x, NULL), ct_remainder_scalar(NULL, 2), ct_fmod(NULL, x),
        ct_fmod_scalar_int(NULL, 2), ct_pow(NULL, x), ct_pow(x, NULL), ct_pow_scalar_int(NULL, 2),
        ct_pow_scalar_base(2, NULL), ct_atan2(NULL, x), ct_hypot(x, NULL), ct_maximum(NULL, x), ct_minimum(x, NULL),
        ct_fmax(NULL, x), ct_fmin(x, NULL), ct_rsub(NULL, x), ct_rsub_scalar(NULL, 1), ct_add_scalar_int(NULL, 1),
        ct_clamp(NULL, &one, NULL), ct_clamp_min(NULL, 0), ct_clamp_max(NULL, 0), ct_clamp_tensor(NULL, x, x),
        ct_clamp_min_tensor(x, NULL), ct_clamp_max_tensor(NULL, x), ct_lerp(NULL, x, 0.5), ct_lerp(x, NULL, 0.5),
        ct_lerp_tensor(x, x, NULL), ct_where(NULL, x, x), ct_where(c, NULL, x), ct_where(c, x, NULL),
        ct_where_scalar_other(c, NULL, 1), ct_where_scalar_self(NULL, 1, x), ct_where_scalar(NULL, 1, 2),
        ct_true_divide(NULL, x)};
    for (size_t i = 0; i < sizeof r / sizeof *r; i++) cr_assert_null(r[i], "op %zu", i);
    cr_assert_eq(ct_remainder_(NULL, x), CT_ERROR);
    cr_assert_eq(ct_pow_(x, NULL), CT_ERROR);
    cr_assert_eq(ct_clamp_(NULL, &one, NULL), CT_ERROR);
    cr_assert_eq(ct_clamp_tensor_(NULL, x, NULL), CT_ERROR);
    cr_assert_eq(ct_lerp_tensor_(x, x, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), first);
    ct_free(x);
    ct_free(c);
}

/* In-place on a leaf that requires grad is refused; the version bumps. */
Test(arith, inplace_rules) {
    ct_tensor *x = ct_ones(1, (int64_t[]){3}, CT_OPTS(.requires_grad = true));
    ct_tensor *y = ct_full(1, (int64_t[]){3}, 2.0, NULL);
    cr_assert_eq(ct_clamp_min_(x, 0.5), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    int64_t v = ct_version(y);
    cr_assert_eq(ct_remainder_scalar_(y, 1.5), CT_OK);
    cr_assert_gt(ct_version(y), v);
    double out[3];
    cr_assert_eq(ct_copy_to_buffer(y, CT_FLOAT64, out, sizeof out), CT_OK);
    cr_assert_float_eq(out[0], 0.5, 1e-12);
    ct_free(x);
    ct_free(y);
}

/* floor_divide records PyTorch's NotImplemented node: backward fails. */
Test(arith, floor_divide_is_not_differentiable) {
    ct_tensor *x = ct_full(1, (int64_t[]){3}, 5.0, CT_OPTS(.requires_grad = true));
    ct_tensor *d = ct_full(1, (int64_t[]){3}, 2.0, NULL);
    ct_tensor *q = ct_floor_divide(x, d);
    cr_assert_not_null(q);
    cr_assert_str_eq(ct_grad_fn_name(q), "NotImplemented");
    ct_tensor *s = ct_sum(q);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "the derivative for 'floor_divide' is not implemented.");
    ct_free(s);
    ct_free(q);
    ct_free(x);
    ct_free(d);
}

/* Integer division overflow wraps instead of trapping (PyTorch dies of SIGFPE). */
Test(arith, int64_min_div_minus_one_wraps) {
    int64_t a[2] = {INT64_MIN, 7}, b[2] = {-1, -1};
    ct_tensor *ta = ct_tensor_from(a, CT_INT64, 1, (int64_t[]){2});
    ct_tensor *tb = ct_tensor_from(b, CT_INT64, 1, (int64_t[]){2});
    ct_tensor *q = ct_div_mode(ta, tb, CT_ROUND_FLOOR), *r = ct_remainder(ta, tb);
    int64_t qo[2], ro[2];
    cr_assert_eq(ct_copy_to_buffer(q, CT_INT64, qo, sizeof qo), CT_OK);
    cr_assert_eq(ct_copy_to_buffer(r, CT_INT64, ro, sizeof ro), CT_OK);
    cr_assert_eq(qo[0], INT64_MIN);
    cr_assert_eq(qo[1], -7);
    cr_assert_eq(ro[0], 0);
    ct_free(ta);
    ct_free(tb);
    ct_free(q);
    ct_free(r);
}

/* A big contiguous tensor runs the parallel path. */
Test(arith, large_parallel) {
    int64_t n = 200000;
    ct_tensor *x = ct_arange_f(0, (double)n, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *r = ct_remainder_scalar(x, 7.0);
    ct_tensor *m = ct_clamp_max(r, 3.0);
    double v;
    ct_tensor *s = ct_sum(m);
    cr_assert_eq(ct_item(s, &v), CT_OK);
    double want = 0;
    for (int64_t i = 0; i < n; i++) want += fmin((double)(i % 7), 3.0);
    cr_assert_float_eq(v, want, 1e-6);
    ct_free(x);
    ct_free(r);
    ct_free(m);
    ct_free(s);
}
