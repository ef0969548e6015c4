/* dtype conversion against PyTorch 1.13.1 (tests/parity/gen_convert.py):
 * every (source, destination) pair, contiguous (vector path), strided and
 * single-element, through ct_to_dtype, ct_copy_ and ct_copy_to_buffer;
 * item(); error paths. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ctorch.h>

#include "vectors.h"

static ct_dtype dtype_named(const char *name) {
    for (int d = 1; d < CT_NUM_DTYPES; d++)
        if (!strcmp(ct_dtype_name((ct_dtype)d), name)) return (ct_dtype)d;
    cr_assert_fail("unknown dtype %s", name);
    return CT_DTYPE_DEFAULT;
}

/* Element i of key as raw bytes of size item. */
static void hex_at(const vec_case *c, const char *key, int i, void *out, size_t item) {
    uint64_t v = vec_hex(c, key, i);
    memcpy(out, &v, item); /* little-endian */
}

static void expect_bits(const vec_case *c, const char *key, const unsigned char *got, int n, size_t item,
                        const char *how) {
    int bad = 0;
    for (int i = 0; i < n && bad < 4; i++) {
        uint64_t g = 0, w = vec_hex(c, key, i);
        memcpy(&g, got + (size_t)i * item, item);
        if (g != w) {
            bad++;
            uint64_t in = vec_hex(c, "in", i);
            cr_expect_eq(g, w, "%s %s[%d] (in %llx): got %llx want %llx", vec_name(c), how, i, (unsigned long long)in,
                         (unsigned long long)g, (unsigned long long)w);
        }
    }
}

typedef struct {
    ct_dtype src, dst;
    int n;
    size_t si, di;
    unsigned char *in; /* n source elements */
} conv_case;

static conv_case load(const vec_case *c) {
    conv_case k = {.src = dtype_named(vec_tok(c, "src", 0)), .dst = dtype_named(vec_tok(c, "dst", 0))};
    k.n = vec_len(c, "in");
    k.si = ct_dtype_itemsize(k.src);
    k.di = ct_dtype_itemsize(k.dst);
    k.in = malloc((size_t)k.n * k.si);
    for (int i = 0; i < k.n; i++)
        hex_at(c, "in", i, k.in + (size_t)i * k.si, k.si);
    return k;
}

static void for_each_pair(void (*fn)(const vec_case *, const conv_case *)) {
    vec_file *f = vec_load("convert.txt");
    cr_assert_eq(vec_count(f), 100);
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        conv_case k = load(c);
        fn(c, &k);
        free(k.in);
    }
    vec_free(f);
}

/* A contiguous run of reps copies of the input (>= 64 elements), converted
 * with ct_to_dtype: the head copy must equal PyTorch's contiguous result. */
static void check_contig(const vec_case *c, const conv_case *k) {
    int reps = (64 + k->n - 1) / k->n + 1;
    int64_t total = (int64_t)reps * k->n;
    unsigned char *buf = malloc((size_t)total * k->si);
    for (int r = 0; r < reps; r++)
        memcpy(buf + (size_t)r * k->n * k->si, k->in, (size_t)k->n * k->si);
    ct_tensor *x = ct_tensor_from(buf, k->src, 1, &total);
    cr_assert_not_null(x);
    ct_tensor *y = ct_to_dtype(x, k->dst);
    cr_assert_not_null(y, "%s", ct_last_error());
    cr_assert_eq(ct_dtype_of(y), k->dst);
    if (k->src == k->dst) cr_expect(ct_shares_storage(x, y), "to(same dtype) returns self");
    expect_bits(c, "contig", ct_data_ptr(y), k->n, k->di, "contig");
    /* copy_ into an existing contiguous tensor takes the same path */
    ct_tensor *z = ct_empty(1, &total, CT_OPTS(.dtype = k->dst));
    cr_assert_eq(ct_copy_(z, x), CT_OK);
    expect_bits(c, "contig", ct_data_ptr(z), k->n, k->di, "copy_");
    ct_free(z);
    ct_free(y);
    ct_free(x);
    free(buf);
}

/* x viewed with stride 2 (torch.stack([x, x], 1)[:, 0]). */
static void check_strided(const vec_case *c, const conv_case *k) {
    unsigned char *buf = malloc((size_t)k->n * 2 * k->si);
    for (int i = 0; i < k->n; i++) {
        memcpy(buf + (size_t)(2 * i) * k->si, k->in + (size_t)i * k->si, k->si);
        memcpy(buf + (size_t)(2 * i + 1) * k->si, k->in + (size_t)i * k->si, k->si);
    }
    ct_tensor *x2 = ct_tensor_from(buf, k->src, CT_SIZE(k->n, 2));
    ct_tensor *x = ct_select(x2, 1, 0);
    cr_assert_not_null(x);
    cr_assert(!ct_is_contiguous(x));
    ct_tensor *y = ct_to_dtype_copy(x, k->dst);
    cr_assert_not_null(y);
    cr_assert(ct_is_contiguous(y));
    expect_bits(c, "strided", ct_data_ptr(y), k->n, k->di, "strided");
    /* copy_to_buffer reads the same strided tensor */
    unsigned char *out = malloc((size_t)k->n * k->di);
    cr_assert_eq(ct_copy_to_buffer(x, k->dst, out, (size_t)k->n * k->di), CT_OK);
    expect_bits(c, "strided", out, k->n, k->di, "copy_to_buffer");
    free(out);
    ct_free(y);
    ct_free(x);
    ct_free(x2);
    free(buf);
}

/* Each element alone, and item() on it. */
static void check_single(const vec_case *c, const conv_case *k) {
    for (int i = 0; i < k->n; i++) {
        ct_tensor *x = ct_tensor_from(k->in + (size_t)i * k->si, k->src, CT_SIZE0);
        ct_tensor *y = ct_to_dtype_copy(x, k->dst);
        cr_assert_not_null(y);
        uint64_t g = 0, w = vec_hex(c, "single", i);
        memcpy(&g, ct_data_ptr(y), k->di);
        cr_expect_eq(g, w, "%s single[%d]: got %llx want %llx", vec_name(c), i, (unsigned long long)g,
                     (unsigned long long)w);
        if (k->dst == CT_INT64 && k->src != CT_BOOL) { /* item_int64 converts like to(int64) */
            int64_t v;
            cr_assert_eq(ct_item_int64(x, &v), CT_OK);
            cr_expect_eq((uint64_t)v, w, "%s item_int64[%d]", vec_name(c), i);
        }
        if (k->dst == CT_BOOL) {
            bool b;
            cr_assert_eq(ct_item_bool(x, &b), CT_OK);
            cr_expect_eq((uint64_t)b, w, "%s item_bool[%d]", vec_name(c), i);
        }
        if (vec_has(c, "item")) {
            double d;
            cr_assert_eq(ct_item(x, &d), CT_OK);
            uint64_t db;
            memcpy(&db, &d, 8);
            cr_expect_eq(db, vec_hex(c, "item", i), "%s item[%d]: got %llx", vec_name(c), i, (unsigned long long)db);
        }
        ct_free(y);
        ct_free(x);
    }
}

Test(convert, contiguous_all_pairs) { for_each_pair(check_contig); }
Test(convert, strided_all_pairs) { for_each_pair(check_strided); }
Test(convert, single_all_pairs) { for_each_pair(check_single); }

/* float64 -> bfloat16 NaN: vector blocks of 16 give 0xFFFF, the tail 0x7FC0
 * (measured with torch 1.13.1: see docs/conversion.md). */
Test(convert, float64_nan_to_bfloat16_blocks) {
    double buf[40];
    for (int i = 0; i < 40; i++)
        buf[i] = NAN;
    int64_t n = 40;
    ct_tensor *x = ct_tensor_from(buf, CT_FLOAT64, 1, &n);
    ct_tensor *y = ct_bfloat16(x);
    const uint16_t *p = ct_data_ptr(y);
    for (int i = 0; i < 40; i++)
        cr_expect_eq(p[i], i < 32 ? 0xFFFF : 0x7FC0, "[%d] %x", i, p[i]);
    ct_free(y);
    ct_free(x);
}

Test(convert, shorthands) {
    ct_tensor *x = ct_arange(0, 4, 1, NULL);
    ct_tensor *(*fns[])(const ct_tensor *) = {ct_float, ct_double, ct_long, ct_int, ct_half, ct_bfloat16, ct_bool};
    ct_dtype want[] = {CT_FLOAT32, CT_FLOAT64, CT_INT64, CT_INT32, CT_FLOAT16, CT_BFLOAT16, CT_BOOL};
    for (int i = 0; i < 7; i++) {
        ct_tensor *y = fns[i](x);
        cr_assert_not_null(y);
        cr_expect_eq(ct_dtype_of(y), want[i]);
        ct_free(y);
    }
    ct_tensor *same = ct_long(x);
    cr_expect_eq(same, x, "to(same dtype) returns self");
    ct_free(same);
    ct_tensor *copy = ct_to_dtype_copy(x, CT_INT64);
    cr_expect(!ct_shares_storage(copy, x));
    ct_free(copy);
    ct_free(x);
}

Test(convert, copy_broadcasts_and_overlaps) {
    ct_tensor *dst = ct_zeros(CT_SIZE(2, 3), NULL);
    ct_tensor *src = ct_arange(1, 4, 1, NULL);
    cr_assert_eq(ct_copy_(dst, src), CT_OK);
    float out[6];
    cr_assert_eq(ct_copy_to_buffer(dst, CT_FLOAT32, out, sizeof out), CT_OK);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(out[i], (float)(i % 3 + 1));
    /* overlapping: shift a row by one element within the same storage */
    ct_tensor *row = ct_select(dst, 0, 0);
    ct_tensor *a = ct_slice(row, 0, 0, 2, 1), *b = ct_slice(row, 0, 1, 3, 1);
    cr_assert_eq(ct_copy_(b, a), CT_OK); /* [1,2,3] -> [1,1,2] */
    cr_assert_eq(ct_copy_to_buffer(row, CT_FLOAT32, out, sizeof out), CT_OK);
    cr_expect(out[0] == 1 && out[1] == 1 && out[2] == 2);
    ct_free(a);
    ct_free(b);
    ct_free(row);
    ct_free(src);
    ct_free(dst);
}

/* ---- errors ---- */

Test(convert, errors) {
    ct_tensor *x = ct_arange(0, 2, 1, NULL);
    double d;
    int64_t i64;
    bool b;
    cr_expect_eq(ct_item(x, &d), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "a Tensor with 2 elements cannot be converted to Scalar");
    ct_tensor *e = ct_empty(CT_SIZE(0), NULL);
    cr_expect_eq(ct_item_int64(e, &i64), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "a Tensor with 0 elements cannot be converted to Scalar");
    cr_expect_eq(ct_item_bool(x, &b), CT_ERROR);

    cr_expect_null(ct_to_dtype(x, (ct_dtype)99));
    cr_expect_str_eq(ct_last_error(), "invalid dtype 99");
    cr_expect_null(ct_to_dtype_copy(x, CT_DTYPE_DEFAULT));
    cr_expect_str_eq(ct_last_error(), "invalid dtype 0");

    int64_t buf[2];
    cr_expect_eq(ct_copy_to_buffer(x, CT_DTYPE_DEFAULT, buf, sizeof buf - 1), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "buffer of 15 bytes is too small for 2 elements of int64 (16 bytes)");
    cr_expect_eq(ct_copy_to_buffer(x, CT_DTYPE_DEFAULT, NULL, 16), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "buffer must not be NULL");
    cr_expect_eq(ct_copy_to_buffer(x, (ct_dtype)-3, buf, sizeof buf), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "invalid dtype -3");
    cr_expect_eq(ct_copy_to_buffer(e, CT_DTYPE_DEFAULT, NULL, 0), CT_OK);

    ct_tensor *y = ct_zeros(CT_SIZE(3), NULL);
    cr_expect_eq(ct_copy_(y, x), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "The size of tensor a (3) must match the size of tensor b (2) at "
                                      "non-singleton dimension 0");

    /* fill_ converts its value like Scalar::to<T>() (checked) */
    ct_tensor *u8 = ct_zeros(CT_SIZE(2), CT_OPTS(.dtype = CT_UINT8));
    cr_expect_eq(ct_fill_(u8, 300.5), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "value cannot be converted to type uint8_t without overflow");
    cr_expect_eq(ct_fill_(u8, NAN), CT_ERROR);
    cr_expect_eq(ct_fill_(u8, 255.5), CT_ERROR);
    cr_expect_eq(ct_fill_(u8, 255.0), CT_OK);
    cr_expect_eq(((uint8_t *)ct_data_ptr(u8))[1], 255);

    /* NULL inputs keep the first error */
    ct_clear_error();
    cr_expect_null(ct_to_dtype(x, (ct_dtype)77));
    const char *first = ct_last_error();
    cr_assert_not_null(first);
    cr_expect_null(ct_to_dtype(NULL, CT_FLOAT32));
    cr_expect_null(ct_to_dtype_copy(NULL, CT_FLOAT32));
    cr_expect_null(ct_float(NULL));
    cr_expect_null(ct_clone(NULL));
    cr_expect_null(ct_contiguous(NULL));
    cr_expect_eq(ct_copy_(NULL, x), CT_ERROR);
    cr_expect_eq(ct_copy_(y, NULL), CT_ERROR);
    cr_expect_eq(ct_copy_to_buffer(NULL, CT_FLOAT32, buf, sizeof buf), CT_ERROR);
    cr_expect_eq(ct_item(NULL, &d), CT_ERROR);
    cr_expect_eq(ct_item_int64(NULL, &i64), CT_ERROR);
    cr_expect_eq(ct_item_bool(NULL, &b), CT_ERROR);
    cr_expect_eq(ct_fill_(NULL, 1.0), CT_ERROR);
    cr_expect_eq(ct_zero_(NULL), CT_ERROR);
    cr_expect_str_eq(ct_last_error(), "invalid dtype 77");
    ct_free(u8);
    ct_free(y);
    ct_free(e);
    ct_free(x);
}
