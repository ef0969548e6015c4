/* The random stream against PyTorch 1.13.1 (tests/parity/gen_random.py):
 * every value compared bit for bit. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <ctorch.h>

#include "tensor/generator.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = vec_load("random.txt"); }
static void teardown(void) { vec_free(V); }
TestSuite(random, .init = setup, .fini = teardown);

static ct_dtype dtype_named(const char *s) {
    static const struct {
        const char *n;
        ct_dtype d;
    } map[] = {{"float32", CT_FLOAT32}, {"float64", CT_FLOAT64}, {"float16", CT_FLOAT16}, {"bfloat16", CT_BFLOAT16},
               {"int64", CT_INT64},     {"int32", CT_INT32},     {"int16", CT_INT16},     {"int8", CT_INT8},
               {"uint8", CT_UINT8},     {"bool", CT_BOOL}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].n, s)) return map[i].d;
    cr_assert_fail("unknown dtype %s", s);
    return CT_DTYPE_DEFAULT;
}

/* t's elements (logical order) against key: bits for floats, ints else */
static void check_values(const vec_case *c, const char *key, const ct_tensor *t) {
    cr_assert_not_null(t, "%s: %s", vec_name(c), ct_last_error());
    int64_t n = ct_numel(t);
    cr_assert_eq(n, vec_len(c, key), "%s/%s: %lld elements, expected %d", vec_name(c), key, (long long)n,
                 vec_len(c, key));
    ct_dtype d = ct_dtype_of(t);
    size_t isz = ct_dtype_itemsize(d);
    unsigned char *buf = malloc((size_t)(n > 0 ? n : 1) * isz);
    cr_assert_eq(ct_copy_to_buffer(t, d, buf, (size_t)n * isz), CT_OK);
    for (int64_t i = 0; i < n; i++) {
        unsigned char *p = buf + (size_t)i * isz;
        if (ct_dtype_is_floating_point(d)) {
            uint64_t bits = 0;
            memcpy(&bits, p, isz);
            uint64_t want = vec_hex(c, key, (int)i);
            if (bits != want) {
                free(buf);
                cr_assert_fail("%s/%s[%lld]: bits %llx, torch %llx", vec_name(c), key, (long long)i,
                               (unsigned long long)bits, (unsigned long long)want);
            }
        } else {
            int64_t v;
            switch (d) {
            case CT_BOOL: case CT_UINT8: v = *p; break;
            case CT_INT8: v = *(int8_t *)p; break;
            case CT_INT16: { int16_t x; memcpy(&x, p, 2); v = x; break; }
            case CT_INT32: { int32_t x; memcpy(&x, p, 4); v = x; break; }
            default: memcpy(&v, p, 8); break;
            }
            int64_t want = vec_int(c, key, (int)i);
            if (v != want) {
                free(buf);
                cr_assert_fail("%s/%s[%lld]: %lld, torch %lld", vec_name(c), key, (long long)i, (long long)v,
                               (long long)want);
            }
        }
    }
    free(buf);
}

/* A tensor of dtype d from the bits of key (1-D) */
static ct_tensor *input(const vec_case *c, const char *key, ct_dtype d) {
    int n = vec_len(c, key);
    size_t isz = ct_dtype_itemsize(d);
    unsigned char *buf = malloc((size_t)(n > 0 ? n : 1) * isz);
    for (int i = 0; i < n; i++) {
        uint64_t bits = vec_hex(c, key, i);
        memcpy(buf + (size_t)i * isz, &bits, isz);
    }
    ct_tensor *t = ct_tensor_from(buf, d, 1, (const int64_t[]){n});
    free(buf);
    return t;
}

static int64_t *size_of(const vec_case *c, int *nd) {
    static int64_t sz[CT_MAX_DIMS];
    *nd = vec_ints(c, "size", sz, CT_MAX_DIMS);
    return sz;
}

/* One case of the per-op table; returns false for ops handled elsewhere. */
static bool run_op(const vec_case *c) {
    const char *op = vec_tok(c, "op", 0);
    uint64_t seed = (uint64_t)vec_int(c, "seed", 0);
    ct_dtype d = dtype_named(vec_tok(c, "dtype", 0));
    int nd;
    int64_t *sz = size_of(c, &nd);
    const ct_opts *o = CT_OPTS(.dtype = d);
    ct_tensor *out = NULL;
    ct_manual_seed(seed);
    if (!strcmp(op, "rand")) {
        out = ct_rand(nd, sz, o);
    } else if (!strcmp(op, "randn")) {
        out = ct_randn(nd, sz, o);
    } else if (!strcmp(op, "uniform_") || !strcmp(op, "normal_") || !strcmp(op, "random_") ||
               !strcmp(op, "random_range_")) {
        out = ct_empty(nd, sz, o);
        int st;
        if (op[0] == 'u') st = ct_uniform_(out, vec_double(c, "a", 0), vec_double(c, "b", 0), NULL);
        else if (op[0] == 'n') st = ct_normal_(out, vec_double(c, "a", 0), vec_double(c, "b", 0), NULL);
        else if (!strcmp(op, "random_")) st = ct_random_(out, NULL);
        else st = ct_random_range_(out, vec_int(c, "lo", 0), vec_int(c, "hi", 0), NULL);
        cr_assert_eq(st, CT_OK, "%s: %s", vec_name(c), ct_last_error());
    } else if (!strcmp(op, "normal_t")) {
        ct_tensor *base = ct_empty(CT_SIZE(sz[1], sz[0]), o);
        out = ct_t(base);
        ct_free(base);
        cr_assert(!ct_is_contiguous(out) || sz[1] == 1);
        cr_assert_eq(ct_normal_(out, vec_double(c, "a", 0), vec_double(c, "b", 0), NULL), CT_OK);
    } else if (!strcmp(op, "normal_size")) {
        out = ct_normal_size(vec_double(c, "a", 0), vec_double(c, "b", 0), nd, sz, o);
    } else if (!strcmp(op, "normal_tt") || !strcmp(op, "normal_st") || !strcmp(op, "normal_ts")) {
        ct_tensor *mean = vec_has(c, "mean") ? input(c, "mean", d) : NULL;
        ct_tensor *std = vec_has(c, "std") ? input(c, "std", d) : NULL;
        ct_manual_seed(seed);
        if (op[7] == 't' && op[8] == 't') out = ct_normal(mean, std, NULL);
        else if (op[7] == 's') out = ct_normal_mean_scalar(vec_double(c, "a", 0), std, NULL);
        else out = ct_normal_std_scalar(mean, vec_double(c, "b", 0), NULL);
        ct_free(mean);
        ct_free(std);
    } else if (!strcmp(op, "bernoulli")) {
        ct_tensor *p = input(c, "p", d);
        ct_manual_seed(seed);
        out = ct_bernoulli(p, NULL);
        ct_free(p);
    } else if (!strcmp(op, "bernoulli_s")) {
        ct_tensor *z = ct_zeros(nd, sz, o);
        out = ct_bernoulli_scalar(z, vec_double(c, "a", 0), NULL);
        ct_free(z);
    } else if (!strcmp(op, "rand_like") || !strcmp(op, "randn_like") || !strcmp(op, "randint_like")) {
        ct_tensor *base = ct_empty(CT_SIZE(sz[1], sz[0]), o);
        ct_tensor *like = ct_t(base);
        if (op[4] == '_') out = ct_rand_like(like, NULL);
        else if (op[4] == 'n') out = ct_randn_like(like, NULL);
        else out = ct_randint_like(like, vec_int(c, "lo", 0), vec_int(c, "hi", 0), NULL);
        cr_assert_not_null(out, "%s: %s", vec_name(c), ct_last_error());
        cr_assert_eq(ct_dtype_of(out), d);
        ct_free(base);
        ct_free(like);
    } else if (!strcmp(op, "randint")) {
        out = ct_randint(vec_int(c, "lo", 0), vec_int(c, "hi", 0), nd, sz, o);
    } else if (!strcmp(op, "randperm")) {
        out = ct_randperm(sz[0], o);
    } else {
        return false;
    }
    cr_assert_not_null(out, "%s: %s", vec_name(c), ct_last_error());
    check_values(c, "out", out);
    ct_free(out);
    return true;
}

Test(random, parity_table) {
    int ran = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (vec_has(c, "op") && run_op(c)) ran++;
    }
    cr_assert_gt(ran, 700, "only %d table cases ran", ran);
}

Test(random, randn_2x3_seed0) {
    ct_manual_seed(0);
    ct_tensor *t = ct_randn(CT_SIZE(2, 3), NULL);
    const float want[6] = {1.5410f, -0.2934f, -2.1788f, 0.5684f, -1.0845f, -1.3986f};
    const float *p = ct_data_ptr(t);
    for (int i = 0; i < 6; i++) cr_assert_float_eq(p[i], want[i], 1e-4);
    ct_free(t);
}

Test(random, cached_normal_sequence) {
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "op") || strcmp(vec_tok(c, "op", 0), "seq") != 0) continue;
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *t[7];
        t[0] = ct_randn(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64));
        t[1] = ct_randn(CT_SIZE(40), CT_OPTS(.dtype = CT_FLOAT32));
        t[2] = ct_randn(CT_SIZE(1), CT_OPTS(.dtype = CT_FLOAT32));
        t[3] = ct_randn(CT_SIZE(5), CT_OPTS(.dtype = CT_FLOAT16));
        t[4] = ct_rand(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64));
        t[5] = ct_randn(CT_SIZE(2), CT_OPTS(.dtype = CT_BFLOAT16));
        ct_tensor *base = ct_empty(CT_SIZE(4, 5), CT_OPTS(.dtype = CT_FLOAT64));
        t[6] = ct_t(base);
        cr_assert_eq(ct_normal_(t[6], 2.0, 0.5, NULL), CT_OK);
        char key[8];
        for (int k = 0; k < 7; k++) {
            snprintf(key, sizeof key, "out%d", k);
            check_values(c, key, t[k]);
            ct_free(t[k]);
        }
        ct_free(base);
    }
}

Test(random, generator_objects) {
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "op") || strcmp(vec_tok(c, "op", 0), "gen") != 0) continue;
        uint64_t seed = (uint64_t)vec_int(c, "seed", 0);
        ct_manual_seed(seed);
        ct_generator *g = ct_generator_new();
        ct_generator_manual_seed(g, seed + 1);
        cr_assert_eq(ct_generator_initial_seed(g), (uint64_t)vec_int(c, "initial", 0));
        ct_tensor *t[7];
        t[0] = ct_randn(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64, .generator = g));
        t[1] = ct_rand(CT_SIZE(5), NULL);
        t[2] = ct_randn(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64, .generator = g));
        t[3] = ct_randint(0, 10, CT_SIZE(6), CT_OPTS(.generator = g));
        t[4] = ct_randn(CT_SIZE(17), NULL);
        t[5] = ct_randperm(10, CT_OPTS(.generator = g));
        ct_generator *fresh = ct_generator_new();
        cr_assert_eq(ct_generator_initial_seed(fresh), (uint64_t)vec_int(c, "fresh_initial", 0));
        t[6] = ct_rand(CT_SIZE(4), CT_OPTS(.generator = fresh));
        char key[8];
        for (int k = 0; k < 7; k++) {
            snprintf(key, sizeof key, "out%d", k);
            check_values(c, key, t[k]);
            ct_free(t[k]);
        }
        ct_generator_free(g);
        ct_generator_free(fresh);
    }
}

static void check_state_bytes(const vec_case *c, const char *key, const ct_tensor *st) {
    check_values(c, key, st);
}

Test(random, state_from_torch_and_back) {
    int seen = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "op") || strcmp(vec_tok(c, "op", 0), "state") != 0) continue;
        seen++;
        uint64_t seed = (uint64_t)vec_int(c, "seed", 0);
        /* the same draws in ctorch give torch's state bytes */
        ct_manual_seed(seed);
        ct_free(ct_randn(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64)));
        ct_free(ct_rand(CT_SIZE(700), NULL));
        ct_tensor *mine = ct_get_rng_state();
        check_state_bytes(c, "state", mine);
        /* torch's bytes loaded into a generator continue torch's stream */
        int64_t n = vec_len(c, "state");
        unsigned char *bytes = malloc((size_t)n);
        for (int64_t k = 0; k < n; k++) bytes[k] = (unsigned char)vec_int(c, "state", (int)k);
        ct_tensor *st = ct_tensor_from(bytes, CT_UINT8, 1, &n);
        free(bytes);
        ct_manual_seed(seed + 99); /* scramble the default generator first */
        ct_generator *g = ct_generator_new();
        cr_assert_eq(ct_generator_set_state(g, st), CT_OK, "%s", ct_last_error());
        cr_assert_eq(ct_set_rng_state(st), CT_OK);
        ct_tensor *a = ct_randn(CT_SIZE(5), CT_OPTS(.dtype = CT_FLOAT64, .generator = g));
        ct_tensor *b = ct_rand(CT_SIZE(20), CT_OPTS(.generator = g));
        check_values(c, "out0", a);
        check_values(c, "out1", b);
        ct_free(a);
        ct_free(b);
        a = ct_randn(CT_SIZE(5), CT_OPTS(.dtype = CT_FLOAT64));
        b = ct_rand(CT_SIZE(20), NULL);
        check_values(c, "out0", a);
        check_values(c, "out1", b);
        /* round trip: get_state of a loaded generator is the loaded bytes */
        cr_assert_eq(ct_generator_set_state(g, st), CT_OK);
        ct_tensor *again = ct_generator_get_state(g);
        check_state_bytes(c, "state", again);
        ct_free(again);
        ct_free(a);
        ct_free(b);
        ct_free(st);
        ct_free(mine);
        ct_generator_free(g);
    }
    cr_assert_eq(seen, 3);
}

Test(random, legacy_state) {
    const vec_case *c = vec_find(V, "state_legacy");
    cr_assert_not_null(c);
    int64_t n = vec_len(c, "state");
    cr_assert_eq(n, 5048);
    unsigned char *bytes = malloc((size_t)n);
    for (int64_t k = 0; k < n; k++) bytes[k] = (unsigned char)vec_int(c, "state", (int)k);
    ct_tensor *st = ct_tensor_from(bytes, CT_UINT8, 1, &n);
    free(bytes);
    ct_generator *g = ct_generator_new();
    cr_assert_eq(ct_generator_set_state(g, st), CT_OK, "%s", ct_last_error());
    ct_tensor *a = ct_randn(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT64, .generator = g));
    ct_tensor *b = ct_rand(CT_SIZE(4), CT_OPTS(.generator = g));
    ct_tensor *back = ct_generator_get_state(g); /* torch's state after the same draws */
    check_values(c, "back", back);
    check_values(c, "out0", a);
    check_values(c, "out1", b);
    ct_free(a);
    ct_free(b);
    ct_free(back);
    ct_free(st);
    ct_generator_free(g);
}

Test(random, wide_seeds) {
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "op") || strcmp(vec_tok(c, "op", 0), "seedwide") != 0) continue;
        uint64_t seed = strtoull(vec_tok(c, "seed", 0), NULL, 10);
        ct_manual_seed(seed);
        cr_assert_eq(ct_initial_seed(), strtoull(vec_tok(c, "initial", 0), NULL, 10));
        ct_tensor *t = ct_rand(CT_SIZE(4), NULL);
        check_values(c, "out", t);
        ct_free(t);
    }
}

Test(random, seed_is_set_and_returned) {
    uint64_t s = ct_seed();
    cr_assert_eq(ct_initial_seed(), s);
    ct_tensor *a = ct_rand(CT_SIZE(8), NULL);
    ct_manual_seed(s);
    ct_tensor *b = ct_rand(CT_SIZE(8), NULL);
    cr_assert_eq(memcmp(ct_data_ptr(a), ct_data_ptr(b), 8 * sizeof(float)), 0);
    ct_free(a);
    ct_free(b);
    ct_generator *g = ct_generator_new();
    uint64_t s2 = ct_generator_seed(g);
    cr_assert_eq(ct_generator_initial_seed(g), s2);
    ct_generator_free(g);
}

/* ---- errors: messages from PyTorch (vectors), NULL inputs ---- */

static void expect_err(const char *name) {
    char key[64];
    snprintf(key, sizeof key, "err_%s", name);
    const vec_case *c = vec_find(V, key);
    cr_assert_not_null(c, "no case %s", key);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "msg"), "%s", name);
}

Test(random, error_messages) {
    ct_tensor *t3 = ct_empty(CT_SIZE(3), NULL);
    cr_assert_null(ct_randint(5, 5, CT_SIZE(3), NULL));
    expect_err("randint_eq");
    cr_assert_null(ct_randint(5, 2, CT_SIZE(3), NULL));
    expect_err("randint_gt");
    cr_assert_null(ct_rand(CT_SIZE(2), CT_OPTS(.dtype = CT_INT64)));
    expect_err("rand_long");
    cr_assert_null(ct_randn(CT_SIZE(2), CT_OPTS(.dtype = CT_INT32)));
    expect_err("randn_int");
    cr_assert_eq(ct_normal_(t3, 0, -1, NULL), CT_ERROR);
    expect_err("normal_std");
    cr_assert_null(ct_normal_size(0, -1, CT_SIZE(3), NULL));
    expect_err("normal_std");
    cr_assert_null(ct_normal_std_scalar(t3, -1, NULL));
    expect_err("normal_std");
    ct_tensor *zeros = ct_zeros(CT_SIZE(3), NULL), *neg = ct_full(CT_SIZE(3), -1.0, NULL);
    ct_tensor *ones4 = ct_ones(CT_SIZE(4), NULL);
    cr_assert_null(ct_normal(zeros, neg, NULL));
    expect_err("normal_std_tensor");
    cr_assert_null(ct_normal_mean_scalar(0.0, neg, NULL));
    expect_err("normal_std_tensor");
    cr_assert_null(ct_normal(zeros, ones4, NULL));
    expect_err("normal_bcast");
    cr_assert_eq(ct_uniform_(t3, 1, 0, NULL), CT_ERROR);
    expect_err("uniform_order");
    cr_assert_eq(ct_uniform_(t3, -3e38, 3e38, NULL), CT_ERROR);
    expect_err("uniform_range");
    ct_tensor *h3 = ct_empty(CT_SIZE(3), CT_OPTS(.dtype = CT_FLOAT16));
    cr_assert_eq(ct_uniform_(h3, -70000, 1, NULL), CT_ERROR);
    expect_err("uniform_half_bounds");
    cr_assert_eq(ct_bernoulli_(t3, 1.5, NULL), CT_ERROR);
    expect_err("bernoulli_p");
    cr_assert_null(ct_bernoulli_scalar(t3, 1.5, NULL));
    expect_err("bernoulli_p");
    ct_tensor *pbad = ct_tensor_from((const float[]){0.5f, 1.5f}, CT_FLOAT32, CT_SIZE(2));
    cr_assert_null(ct_bernoulli(pbad, NULL));
    expect_err("bernoulli_tensor_p");
    ct_tensor *plong = ct_tensor_from((const int64_t[]){1, 0}, CT_INT64, CT_SIZE(2));
    cr_assert_null(ct_bernoulli(plong, NULL));
    expect_err("bernoulli_long");
    cr_assert_null(ct_randperm(-1, NULL));
    expect_err("randperm_neg");
    cr_assert_null(ct_randperm(300, CT_OPTS(.dtype = CT_UINT8)));
    expect_err("randperm_uint8");
    cr_assert_null(ct_randperm(5000, CT_OPTS(.dtype = CT_FLOAT16)));
    expect_err("randperm_half");
    cr_assert_null(ct_randperm(3, CT_OPTS(.dtype = CT_BOOL)));
    expect_err("randperm_bool");
    ct_tensor *u8 = ct_empty(CT_SIZE(3), CT_OPTS(.dtype = CT_UINT8));
    cr_assert_eq(ct_random_range_(u8, 0, 300, NULL), CT_ERROR);
    expect_err("random_uint8");
    ct_tensor *i8 = ct_empty(CT_SIZE(3), CT_OPTS(.dtype = CT_INT8));
    cr_assert_eq(ct_random_range_(i8, -200, 3, NULL), CT_ERROR);
    expect_err("random_int8_from");
    ct_tensor *b3 = ct_empty(CT_SIZE(3), CT_OPTS(.dtype = CT_BOOL));
    cr_assert_eq(ct_random_range_(b3, 0, 3, NULL), CT_ERROR);
    expect_err("random_bool");
    cr_assert_eq(ct_set_rng_state(zeros), CT_ERROR);
    expect_err("state_dtype");
    ct_tensor *s10 = ct_zeros(CT_SIZE(10), CT_OPTS(.dtype = CT_UINT8));
    cr_assert_eq(ct_set_rng_state(s10), CT_ERROR);
    expect_err("state_size");
    ct_tensor *one = ct_zeros(CT_SIZE(1), NULL);
    ct_tensor *ex = ct_expand(one, CT_SIZE(3));
    cr_assert_eq(ct_normal_(ex, 0, 1, NULL), CT_ERROR);
    expect_err("overlap");
    ct_tensor *all[] = {t3, zeros, neg, ones4, h3, pbad, plong, u8, i8, b3, s10, one, ex};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) ct_free(all[k]);
}

Test(random, invalid_state_contents) {
    ct_tensor *st = ct_get_rng_state();
    unsigned char *p = ct_data_ptr(st);
    int32_t left = 0; /* left_ = 0 is not a valid mt19937 state */
    memcpy(p + 8, &left, 4);
    cr_assert_eq(ct_set_rng_state(st), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "Invalid mt19937 state");
    ct_free(st);
}

Test(random, null_inputs_keep_the_first_error) {
    ct_tensor *t = ct_rand(CT_SIZE(2), CT_OPTS(.dtype = CT_INT64)); /* sets an error */
    cr_assert_null(t);
    const char *first = "\"check_uniform_bounds\" not implemented for 'Long'";
    cr_assert_str_eq(ct_last_error(), first);
    cr_assert_null(ct_rand_like(NULL, NULL));
    cr_assert_null(ct_randn_like(NULL, NULL));
    cr_assert_null(ct_randint_like(NULL, 0, 3, NULL));
    cr_assert_null(ct_normal(NULL, NULL, NULL));
    cr_assert_null(ct_normal_mean_scalar(0, NULL, NULL));
    cr_assert_null(ct_normal_std_scalar(NULL, 1, NULL));
    cr_assert_null(ct_bernoulli(NULL, NULL));
    cr_assert_null(ct_bernoulli_scalar(NULL, 0.5, NULL));
    cr_assert_eq(ct_uniform_(NULL, 0, 1, NULL), CT_ERROR);
    cr_assert_eq(ct_normal_(NULL, 0, 1, NULL), CT_ERROR);
    cr_assert_eq(ct_random_(NULL, NULL), CT_ERROR);
    cr_assert_eq(ct_random_range_(NULL, 0, 1, NULL), CT_ERROR);
    cr_assert_eq(ct_bernoulli_(NULL, 0.5, NULL), CT_ERROR);
    cr_assert_eq(ct_set_rng_state(NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), first);
}

Test(random, requires_grad_option) {
    ct_tensor *t = ct_randn(CT_SIZE(4), CT_OPTS(.requires_grad = true));
    cr_assert(ct_requires_grad(t));
    ct_free(t);
    cr_assert_null(ct_randint(0, 3, CT_SIZE(3), CT_OPTS(.requires_grad = true)));
}

Test(random, randn_million_is_fast) {
    ct_manual_seed(1);
    ct_tensor *t = ct_randn(CT_SIZE(1000000), NULL);
    cr_assert_not_null(t);
    ct_free(t);
}
