#include "test_util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

vec_file *tu_load(const char *name, bool quiet) {
    vec_file *f = vec_load(name);
    ct_clear_error();
    if (quiet) ct_set_warnings_enabled(false);
    return f;
}

const vec_case *tu_case(const vec_file *f, const char *name) {
    const vec_case *c = vec_find(f, name);
    cr_assert_not_null(c, "no case %s", name);
    return c;
}

double tu_hexd(const vec_case *c, const char *key, int i) {
    uint64_t b = vec_hex(c, key, i);
    double d;
    memcpy(&d, &b, 8);
    return d;
}

double tu_hexf(const vec_case *c, const char *key, int i) {
    uint32_t b32 = (uint32_t)vec_hex(c, key, i);
    float f;
    memcpy(&f, &b32, 4);
    return f;
}

ct_tensor *tu_hex_tensor(const vec_case *c, const char *key, tu_bits bits, ct_dtype dtype, int ndim,
                         const int64_t *sizes) {
    int n = vec_len(c, key);
    double *buf = malloc((size_t)n * sizeof *buf + 8);
    cr_assert_not_null(buf);
    for (int i = 0; i < n; i++) buf[i] = bits == TU_BITS32 ? tu_hexf(c, key, i) : tu_hexd(c, key, i);
    ct_tensor *t = ct_tensor_from(buf, CT_FLOAT64, ndim, sizes);
    free(buf);
    if (t && dtype != CT_FLOAT64) {
        ct_tensor *u = ct_to_dtype_copy(t, dtype);
        ct_free(t);
        t = u;
    }
    return t;
}

void tu_expect_hex(const vec_case *c, const char *key, const ct_tensor *t, tu_tol tol) {
    cr_assert_not_null(t, "%s/%s NULL: %s", vec_name(c), key, ct_last_error());
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(t), n, "%s/%s numel %lld, PyTorch %d", vec_name(c), key, (long long)ct_numel(t), n);
    bool f32 = tol.bits == TU_BITS32 || (tol.bits == TU_BITS_OF_T && ct_dtype_of(t) == CT_FLOAT32);
    double *got = malloc((size_t)n * sizeof *got + 8);
    cr_assert_not_null(got);
    cr_assert_eq(ct_copy_to_buffer(t, CT_FLOAT64, got, (size_t)n * sizeof *got), CT_OK);
    for (int i = 0; i < n; i++) {
        double want = f32 ? tu_hexf(c, key, i) : tu_hexd(c, key, i);
        bool ok = tol.exact ? got[i] == want : fabs(got[i] - want) <= tol.rtol * fabs(want) + tol.atol;
        if (!ok && tol.nan_ok) ok = isnan(got[i]) && isnan(want);
        cr_assert(ok, "%s/%s[%d]: %.17g, PyTorch %.17g", vec_name(c), key, i, got[i], want);
    }
    free(got);
}

void tu_check_after(const vec_case *c) {
    ct_tensor *t = ct_randint(0, 1 << 30, CT_SIZE(1), NULL);
    int64_t v = -1;
    cr_assert_eq(ct_item_int64(t, &v), CT_OK);
    ct_free(t);
    cr_assert_eq(v, vec_int(c, "after", 0), "%s: generator position differs", vec_name(c));
}
