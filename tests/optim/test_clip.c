/* torch.nn.utils gradient utilities against tests/parity/data/optim_clip.txt
 * (gen_optim_clip.py, PyTorch 1.13.1). */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("optim_clip.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(clip, .init = setup, .fini = teardown);

static const int64_t SH[3][2] = {{2, 3}, {4, 0}, {3, 0}};
static const int ND[3] = {2, 1, 1};

static const vec_case *C(const char *name) { return tu_case(V, name); }
static ct_tensor *tensor_of(const vec_case *c, const char *key, ct_dtype dt, int k) {
    return tu_hex_tensor(c, key, TU_BITS64, dt, ND[k], SH[k]);
}
static void expect_close(const vec_case *c, const char *key, const ct_tensor *t, double rtol) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = rtol, .atol = 1e-300, .nan_ok = true});
}

static void run(const char *dn, ct_dtype dt, double rtol) {
    char name[64];
    snprintf(name, sizeof name, "%s_data", dn);
    const vec_case *d = C(name);
    ct_tensor *ps[3], *gs[2];
    for (int k = 0; k < 3; k++) {
        char key[8];
        snprintf(key, sizeof key, "p%d", k);
        ps[k] = tensor_of(d, key, dt, k);
        cr_assert_eq(ct_requires_grad_(ps[k], true), CT_OK);
    }
    for (int k = 0; k < 2; k++) {
        char key[8];
        snprintf(key, sizeof key, "g%d", k);
        gs[k] = tensor_of(d, key, dt, k);
    }
    ct_tensor *vec = ct_parameters_to_vector(3, ps);
    expect_close(d, "vec", vec, 0);
    int ran = 0;
    for (size_t ci = 0; ci < vec_count(V); ci++) {
        const vec_case *c = vec_at(V, ci);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%s_norm_", dn);
        if (strncmp(vec_name(c), prefix, strlen(prefix))) continue;
        for (int k = 0; k < 2; k++) {
            ct_tensor *g = ct_clone(gs[k]);
            cr_assert_eq(ct_set_grad(ps[k], g), CT_OK);
            ct_free(g);
        }
        double total = -1;
        cr_assert_eq(ct_clip_grad_norm_(3, ps, tu_hexd(c, "max_norm", 0), tu_hexd(c, "norm_type", 0), false, &total),
                     CT_OK, "%s", ct_last_error());
        cr_assert(fabs(total - tu_hexd(c, "total", 0)) <= rtol * fabs(total), "%s total %.17g vs %.17g", vec_name(c),
                  total, tu_hexd(c, "total", 0));
        for (int k = 0; k < 2; k++) {
            char key[8];
            snprintf(key, sizeof key, "g%d", k);
            ct_tensor *g = ct_grad(ps[k]);
            expect_close(c, key, g, rtol);
            ct_free(g);
        }
        cr_assert_null(ct_grad(ps[2]));
        ran++;
    }
    cr_assert_eq(ran, 10);
    /* clip_grad_value_ */
    for (int k = 0; k < 2; k++) {
        ct_tensor *g = ct_clone(gs[k]);
        cr_assert_eq(ct_set_grad(ps[k], g), CT_OK);
        ct_free(g);
    }
    cr_assert_eq(ct_clip_grad_value_(3, ps, 1.5), CT_OK);
    snprintf(name, sizeof name, "%s_value", dn);
    for (int k = 0; k < 2; k++) {
        char key[8];
        snprintf(key, sizeof key, "g%d", k);
        ct_tensor *g = ct_grad(ps[k]);
        expect_close(C(name), key, g, 0);
        ct_free(g);
    }
    /* a NaN gradient with error_if_nonfinite */
    double nan = NAN;
    ct_tensor *g0 = ct_grad(ps[0]);
    ct_tensor *e = ct_select(g0, 0, 0), *e0 = ct_select(e, 0, 0);
    cr_assert_eq(ct_fill_(e0, nan), CT_OK);
    ct_free(e), ct_free(e0), ct_free(g0);
    snprintf(name, sizeof name, "%s_nonfinite", dn);
    cr_assert_eq(ct_clip_grad_norm_(3, ps, 1.0, 2.0, true, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(C(name), "msg"));
    snprintf(name, sizeof name, "%s_nonfinite_inf", dn);
    cr_assert_eq(ct_clip_grad_norm_(3, ps, 1.0, INFINITY, true, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(C(name), "msg"));
    /* vector_to_parameters: the inverse */
    ct_tensor *v2 = ct_mul_scalar(vec, 2);
    cr_assert_eq(ct_vector_to_parameters(v2, 3, ps), CT_OK, "%s", ct_last_error());
    ct_tensor *back = ct_parameters_to_vector(3, ps);
    ct_tensor *eq = ct_eq(back, v2), *all = ct_all(eq);
    bool ok = false;
    cr_assert_eq(ct_item_bool(all, &ok), CT_OK);
    cr_assert(ok);
    ct_free(eq), ct_free(all), ct_free(back), ct_free(v2), ct_free(vec);
    for (int k = 0; k < 3; k++) ct_free(ps[k]);
    for (int k = 0; k < 2; k++) ct_free(gs[k]);
}

Test(clip, float32) { run("f32", CT_FLOAT32, 1e-6); }
Test(clip, float64) { run("f64", CT_FLOAT64, 1e-12); }

Test(clip, null_and_empty) {
    ct_clear_error();
    cr_assert_eq(ct_clip_grad_norm_(1, NULL, 1.0, 2.0, false, NULL), CT_ERROR);
    cr_assert_null(ct_parameters_to_vector(1, NULL));
    cr_assert_null(ct_last_error());
    double total = -1;
    ct_tensor *p = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    cr_assert_eq(ct_clip_grad_norm_(1, &p, 1.0, 2.0, false, &total), CT_OK); /* no grads: norm 0 */
    cr_assert_eq(total, 0.0);
    ct_free(p);
}
