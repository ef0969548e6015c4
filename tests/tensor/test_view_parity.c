/* Views against PyTorch 1.13.1: every case of tests/parity/data/views.txt
 * (written by tests/parity/gen_views.py) is a chain of view ops on
 * arange(n).view(base) that this file replays with ctorch, then compares
 * sizes, strides, storage_offset, is_contiguous, values, storage sharing,
 * whether the op returned its input itself, or the exact error message. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctorch.h>

#include "vectors.h"

static vec_file *g_vec;

static void setup(void) { g_vec = vec_load("views.txt"); }
static void teardown(void) { vec_free(g_vec); }

TestSuite(views, .init = setup, .fini = teardown);

static ct_dtype dtype_named(const char *s) {
    if (!strcmp(s, "int64")) return CT_INT64;
    if (!strcmp(s, "float32")) return CT_FLOAT32;
    if (!strcmp(s, "float64")) return CT_FLOAT64;
    if (!strcmp(s, "uint8")) return CT_UINT8;
    if (!strcmp(s, "int16")) return CT_INT16;
    cr_assert_fail("unknown dtype %s", s);
    return CT_INT64;
}

/* Integer token; "N" (Python None) gives none_value. */
static int64_t arg(const vec_case *c, const char *key, int i, int64_t none_value) {
    const char *t = vec_tok(c, key, i);
    return strcmp(t, "N") ? strtoll(t, NULL, 10) : none_value;
}

/* arange(numel(sizes)) of the case's dtype viewed as sizes (key "base"). */
static ct_tensor *make_base(const vec_case *c) {
    int n = vec_len(c, "base") - 1;
    int64_t sizes[CT_MAX_DIMS];
    for (int i = 0; i < n; i++) sizes[i] = vec_int(c, "base", i + 1);
    int64_t numel = 1;
    for (int i = 0; i < n; i++) numel *= sizes[i];
    ct_tensor *r = ct_arange(0, numel, 1, CT_OPTS(.dtype = dtype_named(vec_tok(c, "base", 0))));
    cr_assert_not_null(r, "%s: arange: %s", vec_name(c), ct_last_error());
    ct_tensor *v = ct_view(r, n, sizes);
    cr_assert_not_null(v, "%s: base view: %s", vec_name(c), ct_last_error());
    ct_free(r);
    return v;
}

/* Apply op `key` (tokens: name args...) to t. */
static ct_tensor *apply(const vec_case *c, const char *key, ct_tensor *t) {
    const char *op = vec_tok(c, key, 0);
    int na = vec_len(c, key) - 1;
    int64_t a[2 * CT_MAX_DIMS + 2];
    cr_assert(na <= (int)(sizeof a / sizeof *a));
    for (int i = 0; i < na; i++) a[i] = arg(c, key, i + 1, 0);
    if (!strcmp(op, "view")) return ct_view(t, na, a);
    if (!strcmp(op, "reshape")) return ct_reshape(t, na, a);
    if (!strcmp(op, "view_as") || !strcmp(op, "reshape_as") || !strcmp(op, "expand_as")) {
        ct_tensor *other = ct_empty(na, a, NULL);
        cr_assert_not_null(other);
        ct_tensor *r = !strcmp(op, "view_as")      ? ct_view_as(t, other)
                       : !strcmp(op, "reshape_as") ? ct_reshape_as(t, other)
                                                   : ct_expand_as(t, other);
        ct_free(other);
        return r;
    }
    if (!strcmp(op, "transpose")) return ct_transpose(t, (int)a[0], (int)a[1]);
    if (!strcmp(op, "permute")) return ct_permute(t, na, a);
    if (!strcmp(op, "t")) return ct_t(t);
    if (!strcmp(op, "expand")) return ct_expand(t, na, a);
    if (!strcmp(op, "broadcast_to")) return ct_broadcast_to(t, na, a);
    if (!strcmp(op, "squeeze")) return ct_squeeze(t);
    if (!strcmp(op, "squeeze_dim")) return ct_squeeze_dim(t, (int)a[0]);
    if (!strcmp(op, "unsqueeze")) return ct_unsqueeze(t, (int)a[0]);
    if (!strcmp(op, "flatten")) return ct_flatten(t, (int)a[0], (int)a[1]);
    if (!strcmp(op, "unflatten")) return ct_unflatten(t, (int)a[0], na - 1, a + 1);
    if (!strcmp(op, "narrow")) return ct_narrow(t, (int)a[0], a[1], a[2]);
    if (!strcmp(op, "select")) return ct_select(t, (int)a[0], a[1]);
    if (!strcmp(op, "slice"))
        return ct_slice(t, (int)a[0], arg(c, key, 2, 0), arg(c, key, 3, CT_END), a[3]);
    if (!strcmp(op, "diagonal")) return ct_diagonal(t, a[0], (int)a[1], (int)a[2]);
    if (!strcmp(op, "unfold")) return ct_unfold(t, (int)a[0], a[1], a[2]);
    if (!strcmp(op, "as_strided")) {
        int n = (int)a[0];
        return ct_as_strided(t, n, a + 1, a + 1 + n, arg(c, key, 2 + 2 * n, -1));
    }
    if (!strcmp(op, "detach")) return ct_detach(t);
    if (!strcmp(op, "contiguous")) return ct_contiguous(t);
    if (!strcmp(op, "clone")) return ct_clone(t);
    cr_assert_fail("%s: unknown op %s", vec_name(c), op);
    return NULL;
}

/* Replay the chain; returns the result (NULL on error), sets *prev to the
 * last op's input (a new reference the caller frees) and *base. */
static ct_tensor *replay(const vec_case *c, ct_tensor **base, ct_tensor **prev) {
    *base = make_base(c);
    ct_tensor *t = ct_ref(*base);
    *prev = ct_ref(*base);
    for (int i = 0;; i++) {
        char key[16];
        snprintf(key, sizeof key, "op%d", i);
        if (!vec_has(c, key)) break;
        ct_free(*prev);
        *prev = t;
        t = apply(c, key, t);
        if (!t) break;
    }
    return t;
}

static void check_values(const vec_case *c, const ct_tensor *t, const char *key) {
    int n = vec_len(c, key);
    cr_expect_eq(ct_numel(t), n, "%s: numel %" PRId64 " != %d", vec_name(c), ct_numel(t), n);
    if (ct_numel(t) != n) return;
    int64_t *buf = malloc(((size_t)n + 1) * sizeof *buf);
    cr_assert_eq(ct_copy_to_buffer(t, CT_INT64, buf, (size_t)n * sizeof *buf), CT_OK, "%s: %s", vec_name(c),
                 ct_last_error());
    for (int i = 0; i < n; i++) {
        if (buf[i] != vec_int(c, key, i)) {
            cr_expect_fail("%s: value %d is %" PRId64 ", PyTorch has %" PRId64, vec_name(c), i, buf[i],
                           vec_int(c, key, i));
            break;
        }
    }
    free(buf);
}

static void check_ints(const vec_case *c, const char *key, const int64_t *got, int n, const char *what) {
    int m = vec_len(c, key);
    cr_expect_eq(n, m, "%s: %s has %d entries, PyTorch %d", vec_name(c), what, n, m);
    for (int i = 0; i < n && i < m; i++)
        cr_expect_eq(got[i], vec_int(c, key, i), "%s: %s[%d] = %" PRId64 ", PyTorch %" PRId64, vec_name(c), what,
                     i, got[i], vec_int(c, key, i));
}

static void check_error(const vec_case *c, const void *result) {
    cr_expect_null(result, "%s: expected error '%s'", vec_name(c), vec_str(c, "error"));
    if (result) return;
    const char *msg = ct_last_error();
    cr_expect(msg && !strcmp(msg, vec_str(c, "error")), "%s:\n  got      '%s'\n  expected '%s'", vec_name(c),
              msg ? msg : "(null)", vec_str(c, "error"));
}

static void run_chain_case(const vec_case *c) {
    int64_t mem0 = ct_memory_allocated();
    ct_clear_error();
    ct_tensor *base, *prev;
    ct_tensor *r = replay(c, &base, &prev);
    if (vec_has(c, "error")) {
        check_error(c, r);
    } else {
        cr_expect_not_null(r, "%s: failed: %s", vec_name(c), ct_last_error());
        if (r) {
            check_ints(c, "sizes", ct_sizes(r), ct_dim(r), "sizes");
            check_ints(c, "strides", ct_strides(r), ct_dim(r), "strides");
            cr_expect_eq(ct_storage_offset(r), vec_int(c, "offset", 0), "%s: offset %" PRId64, vec_name(c),
                         ct_storage_offset(r));
            cr_expect_eq(ct_is_contiguous(r), vec_int(c, "contig", 0) != 0, "%s: is_contiguous", vec_name(c));
            cr_expect_eq(ct_shares_storage(r, base), vec_int(c, "shares", 0) != 0, "%s: shares storage",
                         vec_name(c));
            cr_expect_eq(r == prev, vec_int(c, "same", 0) != 0, "%s: returned its input itself", vec_name(c));
            check_values(c, r, "values");
        }
    }
    ct_free(r);
    ct_free(prev);
    ct_free(base);
    cr_expect_eq(ct_memory_allocated(), mem0, "%s: leaked %" PRId64 " bytes", vec_name(c),
                 ct_memory_allocated() - mem0);
}

static void run_copy_case(const vec_case *c) {
    int64_t mem0 = ct_memory_allocated();
    ct_clear_error();
    int64_t dst_sizes[CT_MAX_DIMS];
    int nd = vec_ints(c, "dst", dst_sizes, CT_MAX_DIMS);
    ct_tensor *dst = ct_zeros(nd, dst_sizes, CT_OPTS(.dtype = CT_INT64));
    cr_assert_not_null(dst);
    ct_tensor *base, *prev;
    ct_tensor *src = replay(c, &base, &prev);
    cr_assert_not_null(src, "%s: %s", vec_name(c), ct_last_error());
    int64_t v0 = ct_version(dst);
    int rc = ct_copy_(dst, src);
    if (vec_has(c, "error")) {
        check_error(c, rc == CT_OK ? (void *)dst : NULL);
        cr_expect_eq(ct_version(dst), v0, "%s: failed copy_ bumped the version", vec_name(c));
    } else {
        cr_expect_eq(rc, CT_OK, "%s: %s", vec_name(c), ct_last_error());
        cr_expect_eq(ct_version(dst), v0 + 1, "%s: version", vec_name(c));
        check_values(c, dst, "values");
    }
    ct_free(src);
    ct_free(prev);
    ct_free(base);
    ct_free(dst);
    cr_expect_eq(ct_memory_allocated(), mem0, "%s: leaked", vec_name(c));
}

static void run_bshape_case(const vec_case *c) {
    int64_t a[CT_MAX_DIMS], b[CT_MAX_DIMS], out[CT_MAX_DIMS];
    int na = vec_ints(c, "a", a, CT_MAX_DIMS), nb = vec_ints(c, "b", b, CT_MAX_DIMS);
    ct_clear_error();
    int n = ct_broadcast_shapes(na, a, nb, b, out);
    if (vec_has(c, "error")) {
        cr_expect_eq(n, CT_ERROR, "%s: expected an error", vec_name(c));
        check_error(c, n < 0 ? NULL : out);
    } else {
        cr_expect_geq(n, 0, "%s: %s", vec_name(c), ct_last_error());
        if (n >= 0) check_ints(c, "out", out, n, "broadcast shape");
    }
}

static void run_prop_case(const vec_case *c) {
    int64_t sizes[CT_MAX_DIMS];
    int n = vec_ints(c, "sizes", sizes, CT_MAX_DIMS);
    ct_tensor *t = ct_empty(n, sizes, NULL);
    cr_assert_not_null(t);
    int dim = (int)vec_int(c, "dim", 0);
    ct_clear_error();
    int64_t size = ct_size(t, dim), stride = ct_stride(t, dim);
    if (vec_has(c, "error")) {
        cr_expect_eq(size, -1, "%s: size", vec_name(c));
        check_error(c, NULL);
    } else {
        cr_expect_eq(size, vec_int(c, "size", 0), "%s: size %" PRId64, vec_name(c), size);
        cr_expect_eq(stride, vec_int(c, "stride", 0), "%s: stride %" PRId64, vec_name(c), stride);
    }
    ct_free(t);
}

/* Run every case whose name starts with prefix (and the kind matches);
 * returns how many ran so that an empty selection fails. */
static size_t run_prefix(const char *prefix, const char *infix) {
    size_t ran = 0;
    for (size_t i = 0; i < vec_count(g_vec); i++) {
        const vec_case *c = vec_at(g_vec, i);
        const char *name = vec_name(c);
        if (prefix && strncmp(name, prefix, strlen(prefix))) continue;
        if (infix && !strstr(name, infix)) continue;
        const char *kind = vec_has(c, "kind") ? vec_tok(c, "kind", 0) : "chain";
        if (!strcmp(kind, "copy")) run_copy_case(c);
        else if (!strcmp(kind, "bshape")) run_bshape_case(c);
        else if (!strcmp(kind, "prop")) run_prop_case(c);
        else run_chain_case(c);
        ran++;
    }
    cr_assert_gt(ran, 0, "no cases for %s %s", prefix ? prefix : "", infix ? infix : "");
    return ran;
}

Test(views, view_reshape) { run_prefix(NULL, "_view"), run_prefix(NULL, "_reshape"); }
Test(views, transpose_permute_t) {
    run_prefix(NULL, "_transpose");
    run_prefix(NULL, "_permute");
    run_prefix(NULL, "_t");
}
Test(views, expand_broadcast_to) {
    run_prefix(NULL, "_expand");
    run_prefix(NULL, "_broadcast_to");
}
Test(views, squeeze_unsqueeze) {
    run_prefix(NULL, "_squeeze");
    run_prefix(NULL, "_unsqueeze");
}
Test(views, flatten_unflatten) {
    run_prefix(NULL, "_flatten");
    run_prefix(NULL, "_unflatten");
}
Test(views, narrow_select_slice) {
    run_prefix(NULL, "_narrow");
    run_prefix(NULL, "_select");
    run_prefix(NULL, "_slice");
}
Test(views, diagonal) { run_prefix(NULL, "_diag"); }
Test(views, unfold) { run_prefix(NULL, "_unfold"); }
Test(views, as_strided) { run_prefix(NULL, "_as"); }
Test(views, detach_contiguous) {
    run_prefix(NULL, "_detach");
    run_prefix(NULL, "_contig");
}
Test(views, chains) { run_prefix("chain_", NULL); }
Test(views, copy_broadcast) { run_prefix("copy_", NULL); }
Test(views, broadcast_shapes) { run_prefix("bshape_", NULL); }
Test(views, size_stride_dim) { run_prefix("prop_", NULL); }
Test(views, all_cases) { cr_expect_gt(run_prefix(NULL, NULL), 4000); }
