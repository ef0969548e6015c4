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
    if (!strcmp(op, "arange_i"))
        return ct_arange(vec_int(c, "args", 0), vec_int(c, "args", 1), vec_int(c, "args", 2), o);
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
    for (int i = 0; i < nd; i++)
        cr_assert_eq(ct_size(t, i), vec_int(c, "shape", i), "%s", vec_name(c));
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

/* ---- from_blob, tensor_from, *_like / new_*, errors ---- */

static int deleter_calls;
static void *deleter_seen;
static void count_deleter(void *data, void *ctx) {
    deleter_calls++;
    deleter_seen = data;
    (void)ctx;
}

Test(create, from_blob_shares_and_deletes_once) {
    float buf[6] = {0, 1, 2, 3, 4, 5};
    deleter_calls = 0;
    ct_tensor *t = ct_from_blob(buf, CT_FLOAT32, CT_SIZE(2, 3), NULL, count_deleter, NULL);
    cr_assert_not_null(t);
    cr_expect_eq(ct_data_ptr(t), buf);
    ct_tensor *v = ct_transpose(t, 0, 1);
    cr_assert_eq(ct_fill_(v, 7.0), CT_OK); /* writes through to the caller's array */
    cr_expect_eq(buf[4], 7.0f);
    buf[0] = -1;
    double d;
    ct_tensor *row = ct_select(t, 0, 0), *e = ct_select(row, 0, 0);
    cr_assert_eq(ct_item(e, &d), CT_OK);
    cr_expect_eq(d, -1.0);
    ct_free(e);
    ct_free(row);
    ct_free(t);
    cr_expect_eq(deleter_calls, 0, "a view still uses the memory");
    ct_free(v);
    cr_expect_eq(deleter_calls, 1);
    cr_expect_eq(deleter_seen, buf);

    /* strided blob */
    int32_t m[6] = {1, 2, 3, 4, 5, 6};
    ct_tensor *s = ct_from_blob(m, CT_INT32, CT_SIZE(3), (const int64_t[]){2}, NULL, NULL);
    int32_t out[3];
    cr_assert_eq(ct_copy_to_buffer(s, CT_DTYPE_DEFAULT, out, sizeof out), CT_OK);
    cr_expect(out[0] == 1 && out[1] == 3 && out[2] == 5);
    ct_free(s);

    /* failing calls never call the deleter */
    deleter_calls = 0;
    cr_expect_null(ct_from_blob(buf, CT_FLOAT32, CT_SIZE(-1, 2), NULL, count_deleter, NULL));
    cr_expect_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -1: [-1, 2]");
    cr_expect_null(ct_from_blob(NULL, CT_FLOAT32, CT_SIZE(2), NULL, count_deleter, NULL));
    cr_expect_str_eq(ct_last_error(), "from_blob: data must not be NULL for a non-empty shape");
    cr_expect_null(ct_from_blob(buf, CT_FLOAT32, CT_SIZE(2), (const int64_t[]){-1}, count_deleter, NULL));
    cr_expect_str_eq(ct_last_error(), "from_blob: negative strides are not supported, got strides: [-1]");
    cr_expect_null(ct_from_blob(buf, (ct_dtype)55, CT_SIZE(2), NULL, count_deleter, NULL));
    cr_expect_eq(deleter_calls, 0);
    ct_tensor *empty = ct_from_blob(NULL, CT_FLOAT32, CT_SIZE(0, 3), NULL, count_deleter, NULL);
    cr_assert_not_null(empty);
    ct_free(empty);
    cr_expect_eq(deleter_calls, 1);
}

Test(create, tensor_from_copies) {
    int16_t src[4] = {1, -2, 3, -4};
    ct_tensor *t = ct_tensor_from(src, CT_INT16, CT_SIZE(2, 2));
    cr_assert_not_null(t);
    cr_expect_neq(ct_data_ptr(t), (void *)src);
    src[0] = 100;
    int64_t v;
    ct_tensor *row = ct_select(t, 0, 0), *e = ct_select(row, 0, 0);
    cr_assert_eq(ct_item_int64(e, &v), CT_OK);
    cr_expect_eq(v, 1);
    ct_free(e);
    ct_free(row);
    ct_free(t);
    cr_expect_null(ct_tensor_from(src, CT_DTYPE_DEFAULT, CT_SIZE(2)));
    cr_expect_str_eq(ct_last_error(), "ct_tensor_from: a dtype must be given (got 0)");
    cr_expect_null(ct_tensor_from(NULL, CT_INT16, CT_SIZE(2)));
    cr_expect_str_eq(ct_last_error(), "ct_tensor_from: data must not be NULL for a non-empty shape");
    cr_expect_null(ct_tensor_from(src, CT_INT16, CT_SIZE(2, -3)));
    cr_expect_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -3: [2, -3]");
    ct_tensor *z = ct_tensor_from(NULL, CT_INT16, CT_SIZE(0));
    cr_assert_not_null(z);
    ct_free(z);
}

Test(create, like_and_new) {
    ct_tensor *base = ct_ones(CT_SIZE(2, 3), CT_OPTS(.dtype = CT_INT32));
    ct_tensor *tt = ct_t(base);
    ct_tensor *outs[] = {ct_empty_like(tt, NULL), ct_zeros_like(tt, NULL), ct_ones_like(tt, NULL),
                         ct_full_like(tt, 7, NULL), ct_full_like(tt, 2.5, CT_OPTS(.dtype = CT_FLOAT64))};
    for (int i = 0; i < 5; i++) {
        cr_assert_not_null(outs[i]);
        cr_expect_eq(ct_size(outs[i], 0), 3);
        cr_expect_eq(ct_size(outs[i], 1), 2);
        cr_expect(ct_is_contiguous(outs[i]));
        cr_expect_eq(ct_dtype_of(outs[i]), i == 4 ? CT_FLOAT64 : CT_INT32);
    }
    double d;
    ct_tensor *row = ct_select(outs[3], 0, 2), *e = ct_select(row, 0, 1);
    cr_assert_eq(ct_item(e, &d), CT_OK);
    cr_expect_eq(d, 7.0);
    ct_free(e);
    ct_free(row);
    for (int i = 0; i < 5; i++)
        ct_free(outs[i]);
    ct_tensor *news[] = {ct_new_empty(tt, CT_SIZE(4), NULL), ct_new_zeros(tt, CT_SIZE(4), NULL),
                         ct_new_ones(tt, CT_SIZE(4), NULL), ct_new_full(tt, CT_SIZE(4), -3, NULL)};
    for (int i = 0; i < 4; i++) {
        cr_assert_not_null(news[i]);
        cr_expect_eq(ct_dtype_of(news[i]), CT_INT32);
        cr_expect_eq(ct_numel(news[i]), 4);
        ct_free(news[i]);
    }
    /* requires_grad only for floating dtypes */
    cr_expect_null(ct_ones(CT_SIZE(2), CT_OPTS(.dtype = CT_INT32, .requires_grad = true)));
    /* torch.ones(2, dtype=torch.int32, requires_grad=True)'s message */
    cr_expect_str_eq(ct_last_error(), "Only Tensors of floating point and complex dtype can require gradients");
    ct_tensor *g = ct_zeros(CT_SIZE(2), CT_OPTS(.requires_grad = true));
    cr_expect(ct_requires_grad(g));
    ct_free(g);
    /* errors keep PyTorch's words; NULL keeps the first error */
    cr_expect_null(ct_full_like(tt, 1e10, NULL));
    cr_expect_str_eq(ct_last_error(), "value cannot be converted to type int without overflow");
    cr_expect_null(ct_new_zeros(tt, CT_SIZE(-1, 2), NULL));
    cr_expect_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -1: [-1, 2]");
    cr_expect_null(ct_zeros(CT_SIZE(2), CT_OPTS(.dtype = (ct_dtype)40)));
    const char *first = ct_last_error();
    cr_assert_not_null(first);
    char saved[256];
    snprintf(saved, sizeof saved, "%s", first);
    cr_expect_null(ct_empty_like(NULL, NULL));
    cr_expect_null(ct_zeros_like(NULL, NULL));
    cr_expect_null(ct_ones_like(NULL, NULL));
    cr_expect_null(ct_full_like(NULL, 1, NULL));
    cr_expect_null(ct_new_empty(NULL, CT_SIZE(1), NULL));
    cr_expect_null(ct_new_zeros(NULL, CT_SIZE(1), NULL));
    cr_expect_null(ct_new_ones(NULL, CT_SIZE(1), NULL));
    cr_expect_null(ct_new_full(NULL, CT_SIZE(1), 1, NULL));
    cr_expect_str_eq(ct_last_error(), saved);
    ct_free(tt);
    ct_free(base);
}

Test(create, invalid_dtypes) {
    const ct_opts *bad = CT_OPTS(.dtype = (ct_dtype)31);
    cr_expect_null(ct_arange(0, 3, 1, bad));
    cr_expect_str_eq(ct_last_error(), "invalid dtype 31");
    cr_expect_null(ct_arange_f(0, 3, 1, bad));
    cr_expect_null(ct_range(0, 3, 1, bad));
    cr_expect_null(ct_linspace(0, 3, 4, bad));
    cr_expect_str_eq(ct_last_error(), "invalid dtype 31");
    cr_expect_null(ct_logspace(0, 3, 4, 10, bad));
    cr_expect_null(ct_eye(2, 2, bad));
    cr_expect_null(ct_full(CT_SIZE(2), 1, bad));
    cr_expect_null(ct_scalar_tensor(1, bad));
    cr_expect_null(ct_scalar_tensor_int(1, bad));
    cr_expect_null(ct_empty(CT_SIZE(2), bad));
}

Test(create, scalar_tensor_int) {
    ct_tensor *t = ct_scalar_tensor_int(INT64_MAX, NULL);
    cr_assert_not_null(t);
    cr_expect_eq(ct_dim(t), 0);
    cr_expect_eq(ct_dtype_of(t), CT_INT64);
    int64_t v;
    cr_assert_eq(ct_item_int64(t, &v), CT_OK);
    cr_expect_eq(v, INT64_MAX);
    ct_free(t);
    t = ct_scalar_tensor_int(-1, CT_OPTS(.dtype = CT_UINT8));
    cr_assert_not_null(t);
    cr_assert_eq(ct_item_int64(t, &v), CT_OK);
    cr_expect_eq(v, 255);
    ct_free(t);
}

/* Lengths above the grain size: computed in chunks as at::parallel_for
 * would (one chunk with one thread): compare to the single-chunk formula
 * checked by the 32768-element parity vector — the first 32768 elements of
 * a longer arange equal arange of 32768. */
Test(create, arange_beyond_grain_single_thread) {
    int threads = ct_get_num_threads();
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    ct_tensor *a = ct_arange_f(0.1, 0.1 + 0.0137 * 40000, 0.0137, NULL);
    ct_tensor *b = ct_arange_f(0.1, 0.1 + 0.0137 * 32767.5, 0.0137, NULL);
    cr_assert_not_null(a);
    cr_assert_eq(ct_numel(b), 32768);
    cr_expect(!memcmp(ct_data_ptr(a), ct_data_ptr(b), 32768 * 4));
    ct_free(a);
    ct_free(b);
    cr_assert_eq(ct_set_num_threads(threads), CT_OK);
}
