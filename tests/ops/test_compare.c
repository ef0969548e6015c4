/* The comparison family (ops_compare.h) against
 * tests/parity/data/compare.txt (gen_compare.py, PyTorch 1.13.1) through the
 * table-driven harness, plus NULL-argument and direct API tests. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

typedef ct_tensor *(*bin_fn)(const ct_tensor *, const ct_tensor *);
typedef ct_tensor *(*sd_fn)(const ct_tensor *, double);
typedef ct_tensor *(*si_fn)(const ct_tensor *, int64_t);
typedef ct_tensor *(*un_fn)(const ct_tensor *);
typedef int (*ibin_fn)(ct_tensor *, const ct_tensor *);
typedef int (*isd_fn)(ct_tensor *, double);
typedef int (*isi_fn)(ct_tensor *, int64_t);
typedef int (*iun_fn)(ct_tensor *);

#define E(name) {#name, (void (*)(void))ct_##name}
typedef struct {
    const char *name;
    void (*fn)(void);
} entry;

static const entry binary[] = {E(eq), E(ne), E(lt), E(le), E(gt), E(ge), E(logical_and), E(logical_or),
                               E(logical_xor), E(bitwise_and), E(bitwise_or), E(bitwise_xor),
                               E(bitwise_left_shift), E(bitwise_right_shift), {0}};
static const entry scalar_d[] = {E(eq_scalar), E(ne_scalar), E(lt_scalar), E(le_scalar), E(gt_scalar), E(ge_scalar),
                                 {0}};
static const entry scalar_i[] = {E(bitwise_and_scalar), E(bitwise_or_scalar), E(bitwise_xor_scalar),
                                 E(bitwise_left_shift_scalar), E(bitwise_right_shift_scalar), {0}};
static const entry unary[] = {E(isnan), E(isinf), E(isfinite), E(isposinf), E(isneginf), E(logical_not),
                              E(bitwise_not), {0}};
static const entry ibinary[] = {E(eq_), E(ne_), E(lt_), E(le_), E(gt_), E(ge_), E(logical_and_), E(logical_or_),
                                E(logical_xor_), E(bitwise_and_), E(bitwise_or_), E(bitwise_xor_),
                                E(bitwise_left_shift_), E(bitwise_right_shift_), {0}};
static const entry iscalar_d[] = {E(eq_scalar_), E(ne_scalar_), E(lt_scalar_), E(le_scalar_), E(gt_scalar_),
                                  E(ge_scalar_), {0}};
static const entry iscalar_i[] = {E(bitwise_and_scalar_), E(bitwise_or_scalar_), E(bitwise_xor_scalar_),
                                  E(bitwise_left_shift_scalar_), E(bitwise_right_shift_scalar_), {0}};
static const entry iunary[] = {E(logical_not_), E(bitwise_not_), {0}};

static void (*find(const entry *t, const char *name))(void) {
    for (; t->name; t++)
        if (!strcmp(t->name, name)) return t->fn;
    return NULL;
}

/* In-place forms run on a clone (so the input keeps its value). */
static ct_tensor *keep_if_ok(ct_tensor *c, int rc) {
    if (rc != CT_OK) {
        ct_free(c);
        return NULL;
    }
    return c;
}

static ct_tensor *bool_tensor(bool v) {
    uint8_t b = v;
    return ct_tensor_from(&b, CT_BOOL, CT_SIZE0);
}

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    const double *a = c->args;
    void (*f)(void);
    if ((f = find(binary, op))) return ((bin_fn)f)(in[0], in[1]);
    if ((f = find(scalar_d, op))) return ((sd_fn)f)(in[0], a[0]);
    if ((f = find(scalar_i, op))) return ((si_fn)f)(in[0], (int64_t)a[0]);
    if ((f = find(unary, op))) return ((un_fn)f)(in[0]);
    if ((f = find(ibinary, op))) {
        ct_tensor *x = ct_clone(in[0]);
        return keep_if_ok(x, ((ibin_fn)f)(x, in[1]));
    }
    if ((f = find(iscalar_d, op))) {
        ct_tensor *x = ct_clone(in[0]);
        return keep_if_ok(x, ((isd_fn)f)(x, a[0]));
    }
    if ((f = find(iscalar_i, op))) {
        ct_tensor *x = ct_clone(in[0]);
        return keep_if_ok(x, ((isi_fn)f)(x, (int64_t)a[0]));
    }
    if ((f = find(iunary, op))) {
        ct_tensor *x = ct_clone(in[0]);
        return keep_if_ok(x, ((iun_fn)f)(x));
    }
    size_t n = strlen(op);
    if (n > 5 && !strcmp(op + n - 5, "_leaf")) {
        /* x.eq_(y) on a leaf that requires grad */
        char name[32];
        snprintf(name, sizeof name, "%.*s_", (int)(n - 5), op);
        f = find(ibinary, name);
        cr_assert_not_null(f, "unknown op %s", op);
        cr_assert_eq(ct_requires_grad_(in[0], true), CT_OK);
        return ((ibin_fn)f)(in[0], in[1]) == CT_OK ? ct_detach(in[0]) : NULL;
    }
    if (!strcmp(op, "isclose")) return ct_isclose(in[0], in[1], a[0], a[1], a[2] != 0);
    if (!strcmp(op, "allclose")) {
        bool r = false;
        return ct_allclose(in[0], in[1], a[0], a[1], a[2] != 0, &r) == CT_OK ? bool_tensor(r) : NULL;
    }
    if (!strcmp(op, "equal")) {
        bool r = false;
        return ct_equal(in[0], in[1], &r) == CT_OK ? bool_tensor(r) : NULL;
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

Test(compare, parity_values_errors_grad_fn) {
    cr_assert_gt(op_harness_run("compare.txt", run_op, NULL), 2000);
}

/* A NULL argument returns NULL / CT_ERROR and keeps the earlier message. */
Test(compare, null_arguments_keep_the_last_error) {
    ct_tensor *x = ct_ones(CT_SIZE(3), NULL);
    ct_tensor *bad = ct_view(x, CT_SIZE(7)); /* sets an error */
    cr_assert_null(bad);
    const char *msg = ct_last_error();
    cr_assert_not_null(msg);
    char want[512];
    snprintf(want, sizeof want, "%s", msg);
    bool r = true;
    for (const entry *t = binary; t->name; t++) {
        cr_assert_null(((bin_fn)t->fn)(x, NULL), "%s", t->name);
        cr_assert_null(((bin_fn)t->fn)(NULL, x), "%s", t->name);
    }
    for (const entry *t = scalar_d; t->name; t++) cr_assert_null(((sd_fn)t->fn)(NULL, 1.0), "%s", t->name);
    for (const entry *t = scalar_i; t->name; t++) cr_assert_null(((si_fn)t->fn)(NULL, 1), "%s", t->name);
    for (const entry *t = unary; t->name; t++) cr_assert_null(((un_fn)t->fn)(NULL), "%s", t->name);
    for (const entry *t = ibinary; t->name; t++) {
        cr_assert_eq(((ibin_fn)t->fn)(x, NULL), CT_ERROR, "%s", t->name);
        cr_assert_eq(((ibin_fn)t->fn)(NULL, x), CT_ERROR, "%s", t->name);
    }
    for (const entry *t = iscalar_d; t->name; t++) cr_assert_eq(((isd_fn)t->fn)(NULL, 1.0), CT_ERROR, "%s", t->name);
    for (const entry *t = iscalar_i; t->name; t++) cr_assert_eq(((isi_fn)t->fn)(NULL, 1), CT_ERROR, "%s", t->name);
    for (const entry *t = iunary; t->name; t++) cr_assert_eq(((iun_fn)t->fn)(NULL), CT_ERROR, "%s", t->name);
    cr_assert_null(ct_isclose(NULL, x, 1e-5, 1e-8, false));
    cr_assert_null(ct_isclose(x, NULL, 1e-5, 1e-8, false));
    cr_assert_eq(ct_allclose(NULL, x, 1e-5, 1e-8, false, &r), CT_ERROR);
    cr_assert_eq(ct_allclose(x, x, 1e-5, 1e-8, false, NULL), CT_ERROR);
    cr_assert_eq(ct_equal(x, NULL, &r), CT_ERROR);
    cr_assert_eq(ct_equal(NULL, x, &r), CT_ERROR);
    cr_assert_eq(ct_equal(x, x, NULL), CT_ERROR);
    cr_assert(r, "a failing call must not write the result");
    cr_assert_str_eq(ct_last_error(), want);
    ct_free(x);
}

Test(compare, results_never_require_grad_and_inplace_bumps_version) {
    ct_tensor *x = ct_randn(CT_SIZE(2, 3), NULL);
    ct_tensor *y = ct_randn(CT_SIZE(3), NULL);
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *outs[] = {ct_lt(x, y), ct_isnan(x), ct_logical_and(x, y), ct_isclose(x, x, 0, 0, false),
                         ct_ge_scalar(x, 0.0)};
    for (size_t i = 0; i < sizeof outs / sizeof *outs; i++) {
        cr_assert_not_null(outs[i]);
        cr_assert_eq(ct_dtype_of(outs[i]), CT_BOOL);
        cr_assert(!ct_requires_grad(outs[i]));
        cr_assert_null(ct_grad_fn_name(outs[i]));
        ct_free(outs[i]);
    }
    int64_t v = ct_version(y);
    cr_assert_eq(ct_gt_scalar_(y, 0.0), CT_OK);
    cr_assert_gt(ct_version(y), v);
    cr_assert_eq(ct_dtype_of(y), CT_FLOAT32);
    /* x.eq_(y) on a non-leaf: EqBackward1, zero gradients for x and y */
    ct_tensor *w = ct_randn(CT_SIZE(3), NULL);
    cr_assert_eq(ct_requires_grad_(w, true), CT_OK);
    ct_tensor *c = ct_clone(x);
    cr_assert_eq(ct_eq_(c, w), CT_OK);
    cr_assert_str_eq(ct_grad_fn_name(c), "EqBackward1");
    ct_tensor *s = ct_sum(c);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK, "%s", ct_last_error());
    bool z = false;
    ct_tensor *zx = ct_zeros_like(x, NULL), *zw = ct_zeros_like(w, NULL);
    ct_tensor *gx = ct_grad(x), *gw = ct_grad(w);
    cr_assert_eq(ct_equal(gx, zx, &z), CT_OK);
    cr_assert(z);
    cr_assert_eq(ct_equal(gw, zw, &z), CT_OK);
    cr_assert(z);
    ct_free(gx);
    ct_free(gw);
    ct_free(zx);
    ct_free(zw);
    ct_free(s);
    ct_free(c);
    ct_free(w);
    ct_free(x);
    ct_free(y);
}

Test(compare, large_inputs_run_in_parallel_like_small_ones) {
    /* more than one grain: the threaded path gives the same answer */
    ct_tensor *x = ct_arange(0, 200000, 1, NULL);
    ct_tensor *m = ct_bitwise_and_scalar(x, 1);
    ct_tensor *e = ct_eq_scalar(m, 1.0);
    ct_tensor *s = ct_sum(e);
    int64_t n = 0;
    cr_assert_eq(ct_item_int64(s, &n), CT_OK);
    cr_assert_eq(n, 100000);
    ct_tensor *sh = ct_bitwise_left_shift_scalar(x, 65); /* count wraps to 1 */
    ct_tensor *twice = ct_mul_scalar(x, 2.0);
    ct_tensor *tl = ct_long(twice);
    bool same = false;
    cr_assert_eq(ct_equal(sh, tl, &same), CT_OK);
    cr_assert(same);
    ct_free(tl);
    ct_free(twice);
    ct_free(sh);
    ct_free(s);
    ct_free(e);
    ct_free(m);
    ct_free(x);
}
