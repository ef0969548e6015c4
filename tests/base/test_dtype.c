/* The dtype table against PyTorch 1.13.1 (tests/parity/gen_convert.py ->
 * convert_dtype.txt): promote_types for all 100 pairs, names, itemsize,
 * is_floating_point / is_signed, set/get default dtype; float16/bfloat16
 * scalar conversions. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <ctorch.h>

#include "vectors.h"

static const char *names[] = {"bool",  "uint8",   "int8",     "int16",   "int32",
                              "int64", "float16", "bfloat16", "float32", "float64"};

static ct_dtype dtype_named(const char *name) {
    for (int d = 1; d < CT_NUM_DTYPES; d++)
        if (!strcmp(ct_dtype_name((ct_dtype)d), name)) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", name);
    return CT_DTYPE_DEFAULT;
}

Test(dtype, promote_types_all_pairs) {
    vec_file *f = vec_load("convert_dtype.txt");
    const vec_case *c = vec_find(f, "promote");
    cr_assert_not_null(c);
    for (int a = 0; a < 10; a++)
        for (int b = 0; b < 10; b++) {
            ct_dtype want = dtype_named(vec_tok(c, names[a], b));
            ct_dtype got = ct_promote_types(dtype_named(names[a]), dtype_named(names[b]));
            cr_expect_eq(got, want, "promote(%s, %s) = %s, want %s", names[a], names[b], ct_dtype_name(got),
                         ct_dtype_name(want));
        }
    cr_expect_eq(ct_promote_types(CT_DTYPE_DEFAULT, CT_FLOAT32), CT_DTYPE_DEFAULT);
    cr_expect_eq(ct_promote_types(CT_FLOAT32, (ct_dtype)42), CT_DTYPE_DEFAULT);
    vec_free(f);
}

Test(dtype, traits) {
    vec_file *f = vec_load("convert_dtype.txt");
    for (int a = 0; a < 10; a++) {
        char key[32];
        snprintf(key, sizeof key, "info_%s", names[a]);
        const vec_case *c = vec_find(f, key);
        cr_assert_not_null(c);
        ct_dtype d = dtype_named(names[a]);
        cr_expect_str_eq(ct_dtype_name(d), vec_tok(c, "name", 0));
        cr_expect_eq((int64_t)ct_dtype_itemsize(d), vec_int(c, "itemsize", 0), "%s", names[a]);
        cr_expect_eq(ct_dtype_is_floating_point(d), vec_int(c, "is_floating_point", 0) != 0, "%s", names[a]);
        cr_expect_eq(ct_dtype_is_signed(d), vec_int(c, "is_signed", 0) != 0, "%s", names[a]);
        cr_expect(ct_dtype_is_valid(d));
        cr_expect_eq(ct_dtype_is_integral(d, true), !ct_dtype_is_floating_point(d));
        cr_expect_eq(ct_dtype_is_integral(d, false), !ct_dtype_is_floating_point(d) && d != CT_BOOL);
    }
    cr_expect_str_eq(ct_dtype_name(CT_DTYPE_DEFAULT), "undefined");
    cr_expect_str_eq(ct_dtype_name((ct_dtype)-1), "undefined");
    cr_expect_str_eq(ct_dtype_name(CT_NUM_DTYPES), "undefined");
    cr_expect_eq(ct_dtype_itemsize((ct_dtype)99), 0);
    cr_expect(!ct_dtype_is_floating_point((ct_dtype)99));
    cr_expect(!ct_dtype_is_valid(CT_DTYPE_DEFAULT));
    vec_free(f);
}

Test(dtype, default_dtype) {
    vec_file *f = vec_load("convert_dtype.txt");
    for (int a = 0; a < 10; a++) {
        char key[32];
        snprintf(key, sizeof key, "default_%s", names[a]);
        const vec_case *c = vec_find(f, key);
        cr_assert_not_null(c);
        ct_clear_error();
        int rc = ct_set_default_dtype(dtype_named(names[a]));
        if (vec_has(c, "error")) {
            cr_expect_eq(rc, CT_ERROR, "%s", names[a]);
            cr_expect_str_eq(ct_last_error(), vec_str(c, "error"));
            cr_expect_eq(ct_get_default_dtype(), CT_FLOAT32);
        } else {
            cr_expect_eq(rc, CT_OK, "%s", names[a]);
            cr_expect_str_eq(ct_dtype_name(ct_get_default_dtype()), vec_tok(c, "ok", 0));
        }
        cr_assert_eq(ct_set_default_dtype(CT_FLOAT32), CT_OK);
    }
    cr_expect_eq(ct_set_default_dtype(CT_DTYPE_DEFAULT), CT_ERROR);
    cr_expect_eq(ct_set_default_dtype((ct_dtype)99), CT_ERROR);

    /* factories follow the default dtype */
    const vec_case *c = vec_find(f, "default_float64_factories");
    cr_assert_eq(ct_set_default_dtype(CT_FLOAT64), CT_OK);
    ct_tensor *z = ct_zeros(CT_SIZE(1), NULL), *af = ct_arange_f(0, 1, 1, NULL), *ai = ct_arange(0, 1, 1, NULL),
              *l = ct_linspace(0, 1, 2, NULL);
    cr_expect_str_eq(ct_dtype_name(ct_dtype_of(z)), vec_tok(c, "zeros", 0));
    cr_expect_str_eq(ct_dtype_name(ct_dtype_of(af)), vec_tok(c, "arange_f", 0));
    cr_expect_str_eq(ct_dtype_name(ct_dtype_of(ai)), vec_tok(c, "arange_i", 0));
    cr_expect_str_eq(ct_dtype_name(ct_dtype_of(l)), vec_tok(c, "linspace", 0));
    ct_free(z);
    ct_free(af);
    ct_free(ai);
    ct_free(l);
    cr_assert_eq(ct_set_default_dtype(CT_FLOAT32), CT_OK);
    vec_free(f);
}

/* The scalar float16/bfloat16 functions agree with the tensor conversions
 * (which the convert parity vectors pin to PyTorch) on every float16 and
 * bfloat16 bit pattern and on float32 patterns around every rounding
 * boundary of the 2-byte formats. */
Test(dtype, half_bfloat16_scalar_functions_match_tensor_path) {
    int64_t n = 65536;
    ct_tensor *bits = ct_arange(0, 65536, 1, CT_OPTS(.dtype = CT_INT32));
    ct_tensor *i16 = ct_to_dtype(bits, CT_INT16);
    for (int k = 0; k < 2; k++) {
        ct_dtype d = k ? CT_BFLOAT16 : CT_FLOAT16;
        uint16_t *raw = ct_data_ptr(i16);
        ct_tensor *h = ct_from_blob(raw, d, 1, &n, NULL, NULL, NULL);
        ct_tensor *fl = ct_float(h);
        const float *pf = ct_data_ptr(fl);
        for (int64_t i = 0; i < n; i++) {
            float want = pf[i];
            float got = k ? ct_bfloat16_to_float(raw[i]) : ct_half_to_float(raw[i]);
            cr_assert(!memcmp(&got, &want, 4), "%s 0x%04x", ct_dtype_name(d), raw[i]);
        }
        ct_free(fl);
        ct_free(h);
    }
    /* float16 NaN payloads become quiet, keep the payload bits */
    float q = ct_half_to_float(0x7C01);
    uint32_t qb;
    memcpy(&qb, &q, 4);
    cr_expect_eq(qb, 0x7FC02000u);
    cr_expect_eq(ct_float_to_half(NAN), 0x7E00);
    cr_expect_eq(ct_float_to_half(-NAN), 0xFE00);
    cr_expect_eq(ct_float_to_bfloat16(NAN), 0x7FC0);
    cr_expect_eq(ct_float_to_half(65520.0f), 0x7C00);
    cr_expect_eq(ct_float_to_half(65519.996f), 0x7BFF);
    cr_expect_eq(ct_float_to_bfloat16(1.00390625f), 0x3F80); /* tie to even */
    cr_expect_eq(ct_float_to_bfloat16(1.01171875f), 0x3F82);
    ct_free(i16);
    ct_free(bits);
}
