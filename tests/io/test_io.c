/* .pt and safetensors files: files written by PyTorch 1.13.1 (gen_io.py)
 * read back with the exact names, dtypes, shapes, strides, offsets, storage
 * sharing and value bits; round trips through the writers; the zip layout
 * of written files; the corpus of malformed files, each refused with its
 * error; truncations and byte flips never crash. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

static vec_file *V;
static void setup(void) {
    V = vec_load("io.txt");
    ct_clear_error();
}
static void teardown(void) { vec_free(V); }
TestSuite(io, .init = setup, .fini = teardown);

static char *data_path(const char *rel) {
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s/io/%s", CT_PARITY_DIR, rel);
    return buf;
}

static unsigned char *read_all(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static unsigned char *contiguous_bytes(const ct_tensor *t, size_t *n) {
    *n = (size_t)ct_numel(t) * ct_element_size(t);
    unsigned char *b = malloc(*n + 1);
    cr_assert_eq(ct_copy_to_buffer(t, CT_DTYPE_DEFAULT, b, *n), CT_OK, "%s", ct_last_error());
    return b;
}

static void check_case(const vec_case *c, const ct_state_dict *sd, bool geometry) {
    cr_assert_not_null(sd, "%s: %s", vec_name(c), ct_last_error());
    int n = (int)vec_int(c, "n", 0);
    cr_assert_eq(ct_state_dict_size(sd), n, "%s: %d tensors, PyTorch %d", vec_name(c), ct_state_dict_size(sd), n);
    char k[64];
    for (int i = 0; i < n; i++) {
        ct_tensor *t = ct_state_dict_value(sd, i);
        snprintf(k, sizeof k, "t%d_name", i);
        cr_assert_str_eq(ct_state_dict_key(sd, i), vec_str(c, k), "%s: name %d", vec_name(c), i);
        const char *name = ct_state_dict_key(sd, i);
        snprintf(k, sizeof k, "t%d_dtype", i);
        cr_assert_str_eq(ct_dtype_name(ct_dtype_of(t)), vec_tok(c, k, 0), "%s/%s dtype", vec_name(c), name);
        snprintf(k, sizeof k, "t%d_shape", i);
        cr_assert_eq(ct_dim(t), vec_len(c, k), "%s/%s ndim", vec_name(c), name);
        for (int d = 0; d < ct_dim(t); d++) cr_assert_eq(ct_sizes(t)[d], vec_int(c, k, d), "%s/%s size", vec_name(c), name);
        if (geometry) {
            snprintf(k, sizeof k, "t%d_stride", i);
            for (int d = 0; d < ct_dim(t); d++)
                cr_assert_eq(ct_strides(t)[d], vec_int(c, k, d), "%s/%s stride %d", vec_name(c), name, d);
            snprintf(k, sizeof k, "t%d_offset", i);
            cr_assert_eq(ct_storage_offset(t), vec_int(c, k, 0), "%s/%s offset", vec_name(c), name);
            /* sharing: same group <=> same storage */
            snprintf(k, sizeof k, "t%d_group", i);
            int64_t g = vec_int(c, k, 0);
            for (int j = 0; j < i; j++) {
                char kj[64];
                snprintf(kj, sizeof kj, "t%d_group", j);
                bool same = vec_int(c, kj, 0) == g;
                cr_assert_eq(ct_shares_storage(t, ct_state_dict_value(sd, j)), same, "%s: sharing of %s and %s",
                             vec_name(c), name, ct_state_dict_key(sd, j));
            }
            snprintf(k, sizeof k, "t%d_rg", i);
            cr_assert_eq(ct_requires_grad(t), vec_int(c, k, 0) != 0, "%s/%s requires_grad", vec_name(c), name);
        }
        snprintf(k, sizeof k, "t%d_bits", i);
        size_t nb;
        unsigned char *b = contiguous_bytes(t, &nb);
        size_t item = ct_element_size(t);
        cr_assert_eq((int64_t)vec_len(c, k), ct_numel(t));
        for (int64_t e = 0; e < ct_numel(t); e++) {
            uint64_t got = 0;
            memcpy(&got, b + e * item, item);
            cr_assert_eq(got, vec_hex(c, k, (int)e), "%s/%s[%lld] %llx vs PyTorch %llx", vec_name(c), name,
                         (long long)e, (unsigned long long)got, (unsigned long long)vec_hex(c, k, (int)e));
        }
        free(b);
    }
}

static ct_state_dict *load_case(const vec_case *c) {
    const char *f = data_path(vec_str(c, "file"));
    if (!strcmp(vec_str(c, "format"), "safetensors")) return ct_safetensors_load(f, NULL);
    return ct_load(f);
}

Test(io, files_written_by_pytorch) {
    int seen = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "n")) continue;
        ct_state_dict *sd = load_case(c);
        check_case(c, sd, true);
        ct_state_dict_free(sd);
        seen++;
    }
    cr_assert_geq(seen, 10);
}

Test(io, safetensors_metadata) {
    ct_metadata m = {0};
    ct_state_dict *sd = ct_safetensors_load(data_path("basic.safetensors"), &m);
    cr_assert_not_null(sd, "%s", ct_last_error());
    const vec_case *c = vec_find(V, "safetensors_meta");
    cr_assert_eq(m.n, 2);
    cr_assert_str_eq(m.keys[0], vec_str(c, "key0"));
    cr_assert_str_eq(m.values[0], vec_str(c, "val0"));
    cr_assert_str_eq(m.keys[1], vec_str(c, "key1"));
    cr_assert_str_eq(m.values[1], vec_str(c, "val1"));
    ct_metadata_clear(&m);
    ct_state_dict_free(sd);
}

Test(io, malformed_files_are_refused) {
    int seen = 0;
    for (size_t i = 0; i < vec_count(V); i++) {
        const vec_case *c = vec_at(V, i);
        if (!vec_has(c, "error")) continue;
        const char *rel = vec_str(c, "file");
        ct_clear_error();
        size_t n = strlen(rel);
        ct_state_dict *sd = n > 12 && !strcmp(rel + n - 12, ".safetensors") ? ct_safetensors_load(data_path(rel), NULL)
                                                                            : ct_load(data_path(rel));
        cr_assert_null(sd, "%s loaded", rel);
        cr_assert_not_null(ct_last_error());
        cr_assert(strstr(ct_last_error(), vec_str(c, "error")) != NULL, "%s: '%s' lacks '%s'", rel, ct_last_error(),
                  vec_str(c, "error"));
        cr_assert(!strchr(ct_last_error(), '\n'), "%s: error is not one line", rel);
        seen++;
    }
    cr_assert_geq(seen, 25);
}

/* every prefix and many byte flips of valid files: an error or a result, never a crash */
static void mangle(const char *rel, bool st) {
    size_t n;
    unsigned char *b = read_all(data_path(rel), &n);
    for (size_t len = 0; len < n; len += (n > 4000 ? 7 : 1)) {
        ct_state_dict *sd = st ? ct_safetensors_load_buffer(b, len, NULL) : ct_load_buffer(b, len);
        cr_assert_null(sd, "%s truncated to %zu bytes loaded", rel, len);
    }
    for (size_t i = 0; i < n; i += (n > 4000 ? 5 : 1)) {
        unsigned char keep = b[i];
        b[i] ^= 0x5a;
        ct_state_dict *sd = st ? ct_safetensors_load_buffer(b, n, NULL) : ct_load_buffer(b, n);
        ct_state_dict_free(sd);
        b[i] = 0xff;
        sd = st ? ct_safetensors_load_buffer(b, n, NULL) : ct_load_buffer(b, n);
        ct_state_dict_free(sd);
        b[i] = keep;
    }
    free(b);
}

Test(io, truncations_and_flips_never_crash) {
    mangle("linear.pt", false);
    mangle("legacy_linear.pt", false);
    mangle("tensor.pt", false);
    mangle("basic.safetensors", true);
}

static void expect_same(const ct_state_dict *a, const ct_state_dict *b, bool geometry) {
    cr_assert_not_null(b, "%s", ct_last_error());
    cr_assert_eq(ct_state_dict_size(a), ct_state_dict_size(b));
    for (int i = 0; i < ct_state_dict_size(a); i++) {
        ct_tensor *x = ct_state_dict_value(a, i), *y = ct_state_dict_get(b, ct_state_dict_key(a, i));
        cr_assert_not_null(y, "missing %s", ct_state_dict_key(a, i));
        cr_assert_eq(ct_dtype_of(x), ct_dtype_of(y));
        cr_assert_eq(ct_dim(x), ct_dim(y));
        for (int d = 0; d < ct_dim(x); d++) {
            cr_assert_eq(ct_sizes(x)[d], ct_sizes(y)[d]);
            if (geometry) cr_assert_eq(ct_strides(x)[d], ct_strides(y)[d], "%s stride", ct_state_dict_key(a, i));
        }
        if (geometry) {
            cr_assert_eq(ct_storage_offset(x), ct_storage_offset(y));
            for (int j = 0; j < i; j++)
                cr_assert_eq(ct_shares_storage(x, ct_state_dict_value(a, j)),
                             ct_shares_storage(y, ct_state_dict_get(b, ct_state_dict_key(a, j))));
        }
        size_t n1, n2;
        unsigned char *p = contiguous_bytes(x, &n1), *q = contiguous_bytes(y, &n2);
        cr_assert_eq(n1, n2);
        cr_assert(!memcmp(p, q, n1), "%s values differ", ct_state_dict_key(a, i));
        free(p), free(q);
    }
}

/* walk the local headers: every record's data 64-byte aligned, names in order */
static void check_layout(const char *path, const char *prefix, int n_storages) {
    size_t n;
    unsigned char *b = read_all(path, &n);
    cr_assert(n > 4 && !memcmp(b, "PK\3\4", 4));
    size_t off = 0;
    int rec = 0;
    char want[256];
    while (off + 30 <= n && !memcmp(b + off, "PK\3\4", 4)) {
        unsigned nl = b[off + 26] | b[off + 27] << 8, xl = b[off + 28] | b[off + 29] << 8;
        uint32_t size = (uint32_t)b[off + 18] | (uint32_t)b[off + 19] << 8 | (uint32_t)b[off + 20] << 16 |
                        (uint32_t)b[off + 21] << 24;
        size_t data = off + 30 + nl + xl;
        cr_assert_eq(data % 64, 0, "record %d data at %zu", rec, data);
        cr_assert_eq(b[off + 8] | b[off + 9] << 8, 0, "stored");
        if (rec == 0) snprintf(want, sizeof want, "%s/data.pkl", prefix);
        else if (rec == 1) snprintf(want, sizeof want, "%s/byteorder", prefix);
        else if (rec < 2 + n_storages) snprintf(want, sizeof want, "%s/data/%d", prefix, rec - 2);
        else snprintf(want, sizeof want, "%s/version", prefix);
        cr_assert(nl == strlen(want) && !memcmp(b + off + 30, want, nl), "record %d name %.*s, want %s", rec, (int)nl,
                  b + off + 30, want);
        off = data + size;
        rec++;
    }
    cr_assert_eq(rec, 3 + n_storages);
    cr_assert(!memcmp(b + off, "PK\1\2", 4), "central directory follows the records");
    free(b);
}

Test(io, pt_round_trip) {
    const char *files[] = {"dtypes.pt", "seq_bn.pt", "checkpoint.pt", "legacy.pt", "big_endian.pt", "param.pt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        ct_state_dict *a = ct_load(data_path(files[i]));
        cr_assert_not_null(a, "%s: %s", files[i], ct_last_error());
        char out[256];
        snprintf(out, sizeof out, "/tmp/ctorch_io_rt_%d.weights.pt", (int)i);
        cr_assert_eq(ct_save(out, a), CT_OK, "%s", ct_last_error());
        ct_state_dict *b = ct_load(out);
        expect_same(a, b, true);
        /* storages written once each */
        int groups = 0;
        for (int t = 0; t < ct_state_dict_size(a); t++) {
            bool first = true;
            for (int u = 0; u < t; u++)
                if (ct_shares_storage(ct_state_dict_value(a, t), ct_state_dict_value(a, u))) first = false;
            groups += first;
        }
        char prefix[64];
        snprintf(prefix, sizeof prefix, "ctorch_io_rt_%d.weights", (int)i);
        check_layout(out, prefix, groups);
        ct_state_dict_free(a);
        ct_state_dict_free(b);
        remove(out);
    }
}

Test(io, safetensors_round_trip) {
    ct_state_dict *a = ct_load(data_path("dtypes.pt"));
    cr_assert_not_null(a);
    ct_metadata m = {0};
    cr_assert_eq(ct_metadata_set(&m, "format", "pt"), CT_OK);
    cr_assert_eq(ct_metadata_set(&m, "q\"uote", "line\nbreak"), CT_OK);
    const char *out = "/tmp/ctorch_io_rt.safetensors";
    cr_assert_eq(ct_safetensors_save(out, a, &m), CT_OK, "%s", ct_last_error());
    ct_metadata m2 = {0};
    ct_state_dict *b = ct_safetensors_load(out, &m2);
    expect_same(a, b, false);
    for (int i = 0; i < ct_state_dict_size(b); i++) cr_assert(ct_is_contiguous(ct_state_dict_value(b, i)));
    cr_assert_eq(m2.n, 2);
    cr_assert_str_eq(m2.values[1], "line\nbreak");
    cr_assert_str_eq(m2.keys[1], "q\"uote");
    size_t n;
    unsigned char *raw = read_all(out, &n);
    uint64_t hn = 0;
    memcpy(&hn, raw, 8);
    cr_assert_eq(hn % 8, 0);
    /* descending element size first: float64 / int64 entries come first */
    cr_assert_str_eq(ct_dtype_name(ct_dtype_of(ct_state_dict_value(b, 0))), "float64");
    free(raw);
    ct_metadata_clear(&m);
    ct_metadata_clear(&m2);
    ct_state_dict_free(a);
    ct_state_dict_free(b);
    remove(out);
}

Test(io, single_tensor) {
    ct_tensor *t = ct_load_tensor(data_path("tensor.pt"));
    cr_assert_not_null(t, "%s", ct_last_error());
    cr_assert_eq(ct_dim(t), 2);
    cr_assert_eq(ct_strides(t)[0], 1);
    const char *out = "/tmp/ctorch_io_single.pt";
    cr_assert_eq(ct_save_tensor(out, t), CT_OK);
    ct_tensor *u = ct_load_tensor(out);
    cr_assert_not_null(u);
    cr_assert_eq(ct_strides(u)[1], 3);
    double *p = ct_data_ptr(u);
    cr_assert_eq(p[5], 5.0);
    ct_free(t);
    ct_free(u);
    remove(out);
    cr_assert_null(ct_load_tensor(data_path("linear.pt")));
    cr_assert(strstr(ct_last_error(), "holds 2 tensors") != NULL);
}

Test(io, null_and_missing) {
    ct_clear_error();
    cr_assert_null(ct_load(NULL));
    cr_assert_null(ct_safetensors_load(NULL, NULL));
    cr_assert_null(ct_load_tensor(NULL));
    cr_assert_eq(ct_save(NULL, NULL), CT_ERROR);
    cr_assert_eq(ct_save_tensor("/tmp/x.pt", NULL), CT_ERROR);
    cr_assert_eq(ct_safetensors_save("/tmp/x.safetensors", NULL, NULL), CT_ERROR);
    cr_assert_null(ct_last_error());
    cr_assert_null(ct_load("/nonexistent/file.pt"));
    cr_assert(strstr(ct_last_error(), "No such file or directory") != NULL, "%s", ct_last_error());
    cr_assert_eq(ct_file_format_of(data_path("linear.pt")), CT_FORMAT_PT_ZIP);
    cr_assert_eq(ct_file_format_of(data_path("legacy.pt")), CT_FORMAT_PT_LEGACY);
    cr_assert_eq(ct_file_format_of(data_path("basic.safetensors")), CT_FORMAT_SAFETENSORS);
}

Test(io, module_state_dict_round_trip) {
    ct_manual_seed(0);
    ct_module *lin = ct_nn_linear(3, 2);
    ct_state_dict *sd = ct_module_state_dict(lin);
    const char *out = "/tmp/ctorch_io_linear.pt";
    cr_assert_eq(ct_save(out, sd), CT_OK);
    ct_state_dict *back = ct_load(out);
    expect_same(sd, back, true);
    /* PyTorch's nn.Linear(3, 2) after manual_seed(0) holds the same bits */
    ct_state_dict *py = ct_load(data_path("linear.pt"));
    expect_same(py, back, true);
    ct_state_dict_free(sd);
    ct_state_dict_free(back);
    ct_state_dict_free(py);
    ct_module_free(lin);
    remove(out);
}

/* an optimizer checkpoint torch.save({'model': ..., 'optimizer':
 * opt.state_dict(), 'epoch': 3, ...}) from PyTorch 1.13.1: tensors kept
 * (exp_avg, exp_avg_sq, step), scalars and param_groups dropped */
Test(io, optimizer_checkpoint_names) {
    ct_state_dict *sd = ct_load(data_path("checkpoint.pt"));
    cr_assert_not_null(sd, "%s", ct_last_error());
    const char *want[] = {"model.0.weight", "optimizer.state.0.step", "optimizer.state.0.exp_avg",
                          "optimizer.state.0.exp_avg_sq", "optimizer.state.3.exp_avg_sq", "layers.0", "layers.1.0"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(ct_state_dict_get(sd, want[i]), "%s missing", want[i]);
    for (int i = 0; i < ct_state_dict_size(sd); i++) {
        cr_assert_null(strstr(ct_state_dict_key(sd, i), "param_groups"), "%s", ct_state_dict_key(sd, i));
        cr_assert_str_neq(ct_state_dict_key(sd, i), "epoch");
    }
    ct_tensor *step = ct_state_dict_get(sd, "optimizer.state.0.step");
    cr_assert_eq(ct_dim(step), 0);
    cr_assert_eq(*(float *)ct_data_ptr(step), 2.0f);
    ct_state_dict_free(sd);
}

/* the hash index keeps insertion order, replaces in place and survives removal */
Test(io, state_dict_index) {
    ct_state_dict *sd = ct_state_dict_new();
    ct_tensor *t = ct_zeros(1, (int64_t[]){1}, NULL), *u = ct_ones(1, (int64_t[]){1}, NULL);
    char k[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "k%d", i);
        cr_assert_eq(ct_state_dict_set(sd, k, i % 2 ? t : u), CT_OK);
    }
    cr_assert_eq(ct_state_dict_set(sd, "k17", u), CT_OK);
    cr_assert_eq(ct_state_dict_size(sd), 5000);
    cr_assert_eq(ct_state_dict_get(sd, "k17"), u);
    cr_assert_str_eq(ct_state_dict_key(sd, 17), "k17");
    cr_assert_eq(ct_state_dict_remove(sd, "k0"), CT_OK);
    cr_assert_eq(ct_state_dict_remove(sd, "k0"), CT_ERROR);
    cr_assert_null(ct_state_dict_get(sd, "k0"));
    cr_assert_str_eq(ct_state_dict_key(sd, 0), "k1");
    for (int i = 1; i < 5000; i++) {
        snprintf(k, sizeof k, "k%d", i);
        cr_assert_eq(ct_state_dict_get(sd, k), ct_state_dict_value(sd, i - 1), "%s", k);
    }
    cr_assert_null(ct_state_dict_get(sd, "k5000"));
    cr_assert_eq(ct_state_dict_set(sd, "k0", t), CT_OK);
    cr_assert_str_eq(ct_state_dict_key(sd, 4999), "k0");
    ct_state_dict_free(sd);
    ct_free(t);
    ct_free(u);
}

/* the header must be valid UTF-8, as for the reference reader */
Test(io, safetensors_header_utf8) {
    const char *hdrs[] = {"{\"\xff\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                          "{\"\xc3\xa9\xed\xa0\x80\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}",
                          "{\"caf\xc3\xa9\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}}"};
    for (int i = 0; i < 3; i++) {
        unsigned char buf[256];
        uint64_t n = strlen(hdrs[i]);
        memcpy(buf, &n, 8);
        memcpy(buf + 8, hdrs[i], n);
        ct_state_dict *sd = ct_safetensors_load_buffer(buf, 8 + n, NULL);
        if (i < 2) {
            cr_assert_null(sd, "header %d loaded", i);
            cr_assert(strstr(ct_last_error(), "InvalidHeader (the header is not valid UTF-8)") != NULL, "%s",
                      ct_last_error());
        } else {
            cr_assert_not_null(sd, "%s", ct_last_error());
            cr_assert_str_eq(ct_state_dict_key(sd, 0), "caf\xc3\xa9");
            ct_state_dict_free(sd);
        }
    }
}

/* a header with no tensor: an empty state_dict (found by the interop test
 * under UBSan: qsort on a NULL array) */
Test(io, safetensors_empty) {
    const unsigned char buf[] = {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    ct_state_dict *sd = ct_safetensors_load_buffer(buf, sizeof buf, NULL);
    cr_assert_not_null(sd, "%s", ct_last_error());
    cr_assert_eq(ct_state_dict_size(sd), 0);
    ct_state_dict_free(sd);
}
