/* mse_loss's one-loop path (contiguous float operands of one dtype, no
 * graph being built in backward) gives bitwise the loss and gradients of the
 * op compositions it stands for, which non-contiguous operands still take;
 * the values of both against PyTorch are in test_loss (gen_loss.py). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

/* loss, d/dx, d/dt of mse_loss(x, t) with the given reduction */
static void run(ct_tensor *x, ct_tensor *t, ct_reduction red, ct_tensor **out) {
    cr_assert_eq(ct_set_grad(x, NULL), CT_OK);
    cr_assert_eq(ct_set_grad(t, NULL), CT_OK);
    ct_tensor *l = ct_mse_loss(x, t, .reduction = red);
    cr_assert_not_null(l);
    ct_tensor *seed = ct_ones_like(l, NULL);
    cr_assert_eq(ct_backward(l, seed, NULL), CT_OK);
    out[0] = l, out[1] = ct_grad(x), out[2] = ct_grad(t);
    cr_assert(out[1] && out[2]);
    ct_free(seed);
}

static void assert_same_bits(const ct_tensor *a, const ct_tensor *b, const char *what) {
    ct_tensor *ac = ct_contiguous(a), *bc = ct_contiguous(b);
    cr_assert_eq(ct_numel(ac), ct_numel(bc));
    size_t bytes = (size_t)ct_numel(ac) * (ct_dtype_of(ac) == CT_FLOAT64 ? 8 : 4);
    cr_assert(memcmp(ct_data_ptr(ac), ct_data_ptr(bc), bytes) == 0, "%s differs", what);
    ct_free(ac), ct_free(bc);
}

static void check(ct_dtype dt, ct_reduction red) {
    /* (7, 5) contiguous, and the same values as the transpose of a (5, 7)
     * contiguous tensor: a non-contiguous (7, 5) view */
    ct_tensor *xs = ct_randn(CT_SIZE(5, 7), CT_OPTS(.dtype = dt)), *ts = ct_randn(CT_SIZE(5, 7), CT_OPTS(.dtype = dt));
    ct_tensor *xv = ct_t(xs), *tv = ct_t(ts);
    ct_tensor *x = ct_contiguous(xv), *t = ct_contiguous(tv);
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(t, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(xs, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(ts, true), CT_OK);
    ct_free(xv), ct_free(tv);
    xv = ct_t(xs), tv = ct_t(ts); /* views that carry the grad to xs, ts */
    ct_tensor *fast[3], *slow[3];
    run(x, t, red, fast);
    /* the composition: non-contiguous operands */
    cr_assert_eq(ct_set_grad(xs, NULL), CT_OK);
    cr_assert_eq(ct_set_grad(ts, NULL), CT_OK);
    ct_tensor *l = ct_mse_loss(xv, tv, .reduction = red), *seed = ct_ones_like(l, NULL);
    cr_assert_eq(ct_backward(l, seed, NULL), CT_OK);
    slow[0] = l;
    ct_tensor *gx = ct_grad(xs), *gt = ct_grad(ts);
    slow[1] = ct_t(gx), slow[2] = ct_t(gt);
    assert_same_bits(fast[0], slow[0], "loss");
    assert_same_bits(fast[1], slow[1], "grad of input");
    assert_same_bits(fast[2], slow[2], "grad of target");
    for (int i = 0; i < 3; i++) ct_free(fast[i]), ct_free(slow[i]);
    ct_free(gx), ct_free(gt), ct_free(seed);
    ct_free(x), ct_free(t), ct_free(xs), ct_free(ts), ct_free(xv), ct_free(tv);
}

Test(mse_fast, equals_the_composition_bitwise) {
    ct_manual_seed(3);
    for (int d = 0; d < 2; d++) {
        ct_dtype dt = d ? CT_FLOAT64 : CT_FLOAT32;
        check(dt, CT_REDUCTION_MEAN);
        check(dt, CT_REDUCTION_SUM);
        check(dt, CT_REDUCTION_NONE);
    }
}
