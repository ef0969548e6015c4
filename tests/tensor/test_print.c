/* repr(tensor) against PyTorch 1.13.1 (vectors from tests/parity/gen_print.py). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctorch.h>

#include "tensor/print_internal.h"
#include "vectors.h"

static ct_dtype dtype_by_name(const char *name) {
    for (int d = CT_BOOL; d < CT_NUM_DTYPES; d++)
        if (!strcmp(ct_dtype_name((ct_dtype)d), name)) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", name);
    return CT_DTYPE_DEFAULT;
}

static ct_sci_mode sci_by_name(const char *s) {
    if (!strcmp(s, "on")) return CT_SCI_ON;
    if (!strcmp(s, "off")) return CT_SCI_OFF;
    cr_assert_str_eq(s, "auto");
    return CT_SCI_AUTO;
}

/* The tensor a case describes (a new reference). */
static ct_tensor *build(const vec_case *c) {
    ct_dtype dtype = dtype_by_name(vec_tok(c, "dtype", 0));
    int64_t sizes[CT_MAX_DIMS];
    int ndim = vec_ints(c, "shape", sizes, CT_MAX_DIMS);
    ct_tensor *t;
    if (vec_has(c, "make")) {
        cr_assert_str_eq(vec_tok(c, "make", 0), "arange");
        t = ct_arange(0, vec_int(c, "make", 1), 1, NULL);
    } else {
        size_t itemsize = ct_dtype_itemsize(dtype);
        int n = vec_len(c, "bits");
        char *data = malloc((size_t)n * itemsize + 1);
        for (int i = 0; i < n; i++) {
            uint64_t bits = vec_hex(c, "bits", i);
            memcpy(data + (size_t)i * itemsize, &bits, itemsize); /* little-endian */
        }
        t = ct_tensor_from(data, dtype, ndim, sizes);
        free(data);
    }
    cr_assert_not_null(t, "case %s: %s", vec_name(c), ct_last_error());
    cr_assert_eq(ct_dtype_of(t), dtype);
    if (vec_has(c, "requires_grad")) cr_assert_eq(ct_requires_grad_(t, true), CT_OK);
    if (vec_has(c, "view")) {
        ct_tensor *v;
        const char *kind = vec_tok(c, "view", 0);
        if (!strcmp(kind, "transpose")) {
            v = ct_transpose(t, (int)vec_int(c, "view", 1), (int)vec_int(c, "view", 2));
        } else if (!strcmp(kind, "expand")) {
            int64_t es[CT_MAX_DIMS];
            int en = vec_len(c, "view") - 1;
            for (int k = 0; k < en; k++)
                es[k] = vec_int(c, "view", k + 1);
            v = ct_expand(t, en, es);
        } else {
            cr_assert_str_eq(kind, "slice");
            v = ct_slice(t, (int)vec_int(c, "view", 1), vec_int(c, "view", 2), vec_int(c, "view", 3),
                         vec_int(c, "view", 4));
        }
        cr_assert_not_null(v, "case %s: %s", vec_name(c), ct_last_error());
        cr_assert(!ct_is_contiguous(v));
        ct_free(t);
        t = v;
    }
    return t;
}

static void apply_options(const vec_case *c) {
    if (vec_has(c, "profile")) {
        cr_assert_eq(ct_set_printoptions_profile(vec_tok(c, "profile", 0)), CT_OK);
        return;
    }
    ct_printoptions o = {
        .precision = (int)vec_int(c, "opts", 0),
        .threshold = vec_int(c, "opts", 1),
        .edgeitems = (int)vec_int(c, "opts", 2),
        .linewidth = (int)vec_int(c, "opts", 3),
        .sci_mode = sci_by_name(vec_tok(c, "opts", 4)),
    };
    cr_assert_eq(ct_set_printoptions(&o), CT_OK, "%s", ct_last_error());
}

static void restore_defaults(void) {
    cr_assert_eq(ct_set_printoptions_profile("default"), CT_OK);
    cr_assert_eq(ct_set_default_dtype(CT_FLOAT32), CT_OK);
}

Test(print, parity_with_pytorch) {
    vec_file *f = vec_load("print.txt");
    cr_assert_geq(vec_count(f), 60);
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        ct_tensor *t = build(c);
        apply_options(c);
        if (vec_has(c, "default_dtype"))
            cr_assert_eq(ct_set_default_dtype(dtype_by_name(vec_tok(c, "default_dtype", 0))), CT_OK);
        ct_clear_error();
        char *s = ct_to_string(t);
        restore_defaults();
        if (vec_has(c, "error")) {
            cr_expect_null(s, "case %s: expected an error", vec_name(c));
            cr_expect_str_eq(ct_last_error() ? ct_last_error() : "(none)", vec_str(c, "error"), "case %s", vec_name(c));
        } else {
            cr_expect_not_null(s, "case %s: %s", vec_name(c), ct_last_error());
            if (s)
                cr_expect(!strcmp(s, vec_str(c, "expect")), "case %s:\nexpected:\n%s\ngot:\n%s", vec_name(c),
                          vec_str(c, "expect"), s);
        }
        free(s);
        ct_free(t);
    }
    vec_free(f);
}

/* print(t) writes the repr and a newline. */
Test(print, fprint_writes_repr_and_newline) {
    ct_tensor *t = ct_arange(0, 3, 1, NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    cr_assert_not_null(mem);
    cr_assert_eq(ct_fprint(mem, t), CT_OK);
    fclose(mem);
    /* torch.arange(3) */
    cr_expect_str_eq(buf, "tensor([0, 1, 2])\n");
    free(buf);
    ct_free(t);
}

Test(print, options_roundtrip_and_profiles) {
    ct_printoptions d = ct_get_printoptions();
    /* torch._tensor_str.PRINT_OPTS defaults */
    cr_expect_eq(d.precision, 4);
    cr_expect_eq(d.threshold, 1000);
    cr_expect_eq(d.edgeitems, 3);
    cr_expect_eq(d.linewidth, 80);
    cr_expect_eq(d.sci_mode, CT_SCI_AUTO);

    ct_printoptions o = d;
    o.precision = 7;
    o.sci_mode = CT_SCI_ON;
    cr_assert_eq(ct_set_printoptions(&o), CT_OK);
    ct_printoptions g = ct_get_printoptions();
    cr_expect_eq(g.precision, 7);
    cr_expect_eq(g.sci_mode, CT_SCI_ON);

    /* profile="short": precision 2, edgeitems 2, and sci_mode back to None */
    cr_assert_eq(ct_set_printoptions_profile("short"), CT_OK);
    g = ct_get_printoptions();
    cr_expect_eq(g.precision, 2);
    cr_expect_eq(g.edgeitems, 2);
    cr_expect_eq(g.threshold, 1000);
    cr_expect_eq(g.linewidth, 80);
    cr_expect_eq(g.sci_mode, CT_SCI_AUTO);

    cr_assert_eq(ct_set_printoptions_profile("full"), CT_OK);
    g = ct_get_printoptions();
    cr_expect_eq(g.precision, 4);
    cr_expect_eq(g.threshold, INT64_MAX);

    cr_assert_eq(ct_set_printoptions_profile("default"), CT_OK);
    g = ct_get_printoptions();
    cr_expect_eq(g.precision, 4);
    cr_expect_eq(g.threshold, 1000);
    cr_expect_eq(g.edgeitems, 3);
}

Test(print, option_errors) {
    ct_printoptions d = ct_get_printoptions();
    struct {
        ct_printoptions o;
        const char *msg;
    } bad[] = {
        {{.precision = -1, .threshold = 1000, .edgeitems = 3, .linewidth = 80},
         "set_printoptions: precision must be non-negative, but got -1"},
        {{.precision = 4, .threshold = -5, .edgeitems = 3, .linewidth = 80},
         "set_printoptions: threshold must be non-negative, but got -5"},
        {{.precision = 4, .threshold = 1000, .edgeitems = -2, .linewidth = 80},
         "set_printoptions: edgeitems must be non-negative, but got -2"},
        {{.precision = 4, .threshold = 1000, .edgeitems = 3, .linewidth = -80},
         "set_printoptions: linewidth must be non-negative, but got -80"},
        {{.precision = 4, .threshold = 1000, .edgeitems = 3, .linewidth = 80, .sci_mode = (ct_sci_mode)7},
         "set_printoptions: sci_mode must be CT_SCI_AUTO, CT_SCI_ON or CT_SCI_OFF, but got 7"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(ct_set_printoptions(&bad[i].o), CT_ERROR);
        cr_expect_str_eq(ct_last_error(), bad[i].msg);
    }
    cr_expect_eq(ct_set_printoptions(NULL), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "set_printoptions: options must not be NULL");
    cr_expect_eq(ct_set_printoptions_profile("long"), CT_ERROR);
    cr_expect_str_eq(ct_last_error(),
                     "set_printoptions: unknown profile 'long' (expected 'default', 'short' or 'full')");
    cr_expect_eq(ct_set_printoptions_profile(NULL), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "set_printoptions: profile must not be NULL");
    /* nothing was changed by the failures */
    ct_printoptions g = ct_get_printoptions();
    cr_expect_eq(memcmp(&g, &d, sizeof g), 0);
}

Test(print, null_tensor_keeps_first_error) {
    ct_printoptions o = {.precision = -3};
    cr_assert_eq(ct_set_printoptions(&o), CT_ERROR);
    const char *first = "set_printoptions: precision must be non-negative, but got -3";
    cr_expect_null(ct_to_string(NULL));
    cr_expect_str_eq(ct_last_error(), first);
    cr_expect_eq(ct_print(NULL), CT_ERROR);
    cr_expect_eq(ct_fprint(stderr, NULL), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), first);

    ct_tensor *t = ct_arange(0, 3, 1, NULL);
    cr_expect_eq(ct_fprint(NULL, t), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "ct_fprint: the file must not be NULL");
    ct_free(t);
}

/* The autograd layer's hook: a grad_fn name replaces requires_grad=True. */
static const char *fake_grad_fn(const ct_tensor *t) { return ct_requires_grad(t) ? "AddBackward0" : NULL; }

Test(print, grad_fn_hook) {
    ct_tensor *t = ct_arange_f(0, 2, 1, CT_OPTS(.requires_grad = true));
    ct_tensor *u = ct_arange_f(0, 2, 1, NULL);
    ct__print_grad_fn_name = fake_grad_fn;
    char *s = ct_to_string(t), *r = ct_to_string(u);
    ct__print_grad_fn_name = NULL;
    /* repr(torch.arange(2.) + torch.zeros(2, requires_grad=True)) */
    cr_expect_str_eq(s, "tensor([0., 1.], grad_fn=<AddBackward0>)");
    cr_expect_str_eq(r, "tensor([0., 1.])");
    free(s);
    free(r);
    ct_free(t);
    ct_free(u);
}
