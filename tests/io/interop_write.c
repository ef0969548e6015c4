/* io_interop_write DIR: the ctorch half of the PyTorch / safetensors interop
 * tests (run by tests/parity/check_io_interop.py from CTest). Writes, with
 * ctorch only,
 *   c_seq_bn.pt        state_dict of Sequential(Linear, BatchNorm1d, ReLU,
 *                      Linear) after one training forward (running stats)
 *   c_dtypes.pt        every dtype, 0-dim, empty, views sharing one storage
 *                      (transposed, sliced, row, strided, expanded), a
 *                      tensor that requires grad, a non-ASCII name
 *   c_many.pt          2500 entries (several SETITEMS batches), half of
 *                      them rows of one shared storage
 *   c_tensor.pt        one non-contiguous tensor (ct_save_tensor)
 *   c_seq_bn.safetensors, c_dtypes.safetensors (with __metadata__)
 * and DIR/manifest.txt: what ctorch holds for each file (name, dtype,
 * shape, stride, storage offset, sharing group, requires_grad, value bits in
 * C order), which the Python side compares with what torch.load /
 * safetensors read. Exit 0 on success, 1 with a message otherwise. */
#include <ctorch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *manifest;

static int die(const char *what) {
    fprintf(stderr, "io_interop_write: %s: %s\n", what, ct_last_error() ? ct_last_error() : "(no error)");
    return 1;
}

#define CHECK(x, what)                     \
    do {                                   \
        if (!(x)) return die(what);        \
    } while (0)

/* one manifest block per file: "file NAME n", then one line per tensor */
static int describe(const char *file, const ct_state_dict *sd) {
    int n = ct_state_dict_size(sd);
    fprintf(manifest, "file %s %d\n", file, n);
    int *group = calloc((size_t)n + 1, sizeof *group), ng = 0;
    if (!group) return CT_ERROR;
    for (int i = 0; i < n; i++) {
        const ct_tensor *t = ct_state_dict_value(sd, i);
        group[i] = -1;
        for (int j = 0; j < i && group[i] < 0 && ct_numel(t); j++)
            if (ct_numel(ct_state_dict_value(sd, j)) && ct_shares_storage(t, ct_state_dict_value(sd, j)))
                group[i] = group[j];
        if (group[i] < 0) group[i] = ng++;
        /* name as hex bytes (names may hold any UTF-8) */
        fprintf(manifest, "t ");
        const char *k = ct_state_dict_key(sd, i);
        if (!*k) fprintf(manifest, "-");
        for (const unsigned char *p = (const unsigned char *)k; *p; p++) fprintf(manifest, "%02x", *p);
        fprintf(manifest, " %s %d", ct_dtype_name(ct_dtype_of(t)), ct_dim(t));
        for (int d = 0; d < ct_dim(t); d++) fprintf(manifest, " %" PRId64, ct_sizes(t)[d]);
        for (int d = 0; d < ct_dim(t); d++) fprintf(manifest, " %" PRId64, ct_strides(t)[d]);
        fprintf(manifest, " %" PRId64 " %d %d %" PRId64, ct_storage_offset(t), group[i], ct_requires_grad(t) ? 1 : 0,
                ct_numel(t));
        size_t item = ct_element_size(t), nb = (size_t)ct_numel(t) * item;
        unsigned char *b = malloc(nb + 1);
        if (!b || ct_copy_to_buffer(t, CT_DTYPE_DEFAULT, b, nb) != CT_OK) {
            free(b);
            free(group);
            return CT_ERROR;
        }
        for (size_t e = 0; e < (size_t)ct_numel(t); e++) {
            uint64_t v = 0;
            for (size_t q = 0; q < item; q++) v |= (uint64_t)b[e * item + q] << (8 * q);
            fprintf(manifest, " %" PRIx64, v);
        }
        fprintf(manifest, "\n");
        free(b);
    }
    free(group);
    return CT_OK;
}

/* sd[key] = t, then drop the caller's reference */
static int put(ct_state_dict *sd, const char *key, ct_tensor *t) {
    if (!t) return CT_ERROR;
    int rc = ct_state_dict_set(sd, key, t);
    ct_free(t);
    return rc;
}

static ct_tensor *from(const void *data, ct_dtype dt, int64_t n) { return ct_tensor_from(data, dt, 1, &n); }

static ct_state_dict *every_dtype(void) {
    ct_state_dict *d = ct_state_dict_new();
    if (!d) return NULL;
    static const bool b[] = {true, false, true};
    static const uint8_t u8[] = {0, 1, 255};
    static const int8_t i8[] = {-128, 0, 127};
    static const int16_t i16[] = {-32768, 7, 32767};
    static const int32_t i32[] = {INT32_MIN, 5, INT32_MAX};
    static const int64_t i64[] = {INT64_MIN, (1LL << 53) + 1, INT64_MAX};
    static const uint16_t f16[] = {0x3e00, 0x8000, 0x7c00, 0x7bff, 0x7e00}; /* 1.5 -0 inf 65504 nan */
    static const uint16_t bf16[] = {0x3fc0, 0xc010, 0xff80, 0x7f62};        /* 1.5 -2.25 -inf ~3e38 */
    static const uint32_t f32[] = {0x3dcccccd, 0x7fc00000, 0x80000001, 0x7f7fc99e}; /* 0.1 nan -1e-45 3.4e38 */
    static const uint64_t f64[] = {0x3fb999999999999aull, 0x8010000000000000ull, 1ull, 0xfff8000000000000ull};
    int rc = CT_OK;
    rc |= put(d, "bool", from(b, CT_BOOL, 3));
    rc |= put(d, "uint8", from(u8, CT_UINT8, 3));
    rc |= put(d, "int8", from(i8, CT_INT8, 3));
    rc |= put(d, "int16", from(i16, CT_INT16, 3));
    rc |= put(d, "int32", from(i32, CT_INT32, 3));
    rc |= put(d, "int64", from(i64, CT_INT64, 3));
    rc |= put(d, "float16", from(f16, CT_FLOAT16, 5));
    rc |= put(d, "bfloat16", from(bf16, CT_BFLOAT16, 4));
    ct_tensor *f = from(f32, CT_FLOAT32, 4);
    rc |= put(d, "float32", f ? ct_view(f, 2, (int64_t[]){2, 2}) : NULL);
    ct_free(f);
    rc |= put(d, "float64", from(f64, CT_FLOAT64, 4));
    rc |= put(d, "scalar", ct_scalar_tensor_int(7, NULL));
    rc |= put(d, "scalar_f", ct_scalar_tensor(-2.5, NULL));
    rc |= put(d, "empty", ct_zeros(2, (int64_t[]){0, 3}, NULL));
    ct_tensor *r = ct_arange(0, 24, 1, CT_OPTS(.dtype = CT_FLOAT32));
    ct_tensor *base = r ? ct_view(r, 2, (int64_t[]){4, 6}) : NULL;
    ct_free(r);
    if (!base) {
        ct_state_dict_free(d);
        return NULL;
    }
    rc |= ct_state_dict_set(d, "base", base);
    rc |= put(d, "transposed", ct_transpose(base, 0, 1));
    ct_tensor *rows = ct_slice(base, 0, 1, 3, 1);
    rc |= put(d, "slice", rows ? ct_slice(rows, 1, 2, 5, 1) : NULL);
    ct_free(rows);
    rc |= put(d, "row", ct_select(base, 0, 2));
    rc |= put(d, "strided", ct_slice(base, 1, 0, 6, 2));
    rc |= put(d, "corner", ct_as_strided(base, 2, (int64_t[]){2, 2}, (int64_t[]){12, 5}, 1));
    ct_free(base);
    static const float two[] = {1.0f, 2.0f};
    ct_tensor *v = from(two, CT_FLOAT32, 2);
    rc |= put(d, "expanded", v ? ct_expand(v, 2, (int64_t[]){3, 2}) : NULL);
    ct_free(v);
    ct_tensor *ten = ct_arange(0, 10, 1, CT_OPTS(.dtype = CT_INT32));
    rc |= put(d, "onlyslice", ten ? ct_slice(ten, 0, 3, 7, 1) : NULL);
    ct_free(ten);
    ct_tensor *p = ct_ones(1, (int64_t[]){2}, CT_OPTS(.dtype = CT_FLOAT64, .requires_grad = true));
    rc |= put(d, "param", p);
    rc |= put(d, "name with spaces.caf\xc3\xa9 \"q\"", ct_zeros(1, (int64_t[]){1}, CT_OPTS(.dtype = CT_INT16)));
    if (rc != CT_OK) {
        ct_state_dict_free(d);
        return NULL;
    }
    return d;
}

static ct_state_dict *seq_bn(void) {
    ct_manual_seed(0);
    ct_module *m = CT_SEQUENTIAL(ct_nn_linear(4, 3), ct_nn_batch_norm1d(3), ct_nn_relu(), ct_nn_linear(3, 2));
    if (!m) return NULL;
    ct_tensor *x = ct_randn(2, (int64_t[]){5, 4}, NULL), *y = x ? ct_forward(m, x) : NULL;
    ct_state_dict *sd = y ? ct_module_state_dict(m) : NULL;
    ct_free(x);
    ct_free(y);
    ct_module_free(m);
    return sd;
}

static ct_state_dict *many(void) {
    ct_state_dict *d = ct_state_dict_new();
    ct_tensor *r = ct_arange(0, 2500, 1, CT_OPTS(.dtype = CT_INT64));
    ct_tensor *base = r ? ct_view(r, 2, (int64_t[]){1250, 2}) : NULL;
    ct_free(r);
    int rc = d && base ? CT_OK : CT_ERROR;
    char k[32];
    for (int i = 0; i < 2500 && rc == CT_OK; i++) {
        snprintf(k, sizeof k, "layer%d.w", i);
        rc = put(d, k, i % 2 ? ct_full(1, (int64_t[]){1}, i, NULL) : ct_select(base, 0, i / 2));
    }
    ct_free(base);
    if (rc != CT_OK) {
        ct_state_dict_free(d);
        return NULL;
    }
    return d;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: io_interop_write DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.txt", argv[1]);
    manifest = fopen(path, "w");
    CHECK(manifest, "cannot write the manifest");

    ct_state_dict *bn = seq_bn(), *dt = every_dtype(), *mn = many();
    CHECK(bn && dt && mn, "building the state_dicts");
    struct {
        const char *file;
        ct_state_dict *sd;
    } pt[] = {{"c_seq_bn.pt", bn}, {"c_dtypes.pt", dt}, {"c_many.pt", mn}};
    for (size_t i = 0; i < sizeof pt / sizeof pt[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], pt[i].file);
        CHECK(ct_save(path, pt[i].sd) == CT_OK, pt[i].file);
        CHECK(describe(pt[i].file, pt[i].sd) == CT_OK, "describing");
    }

    /* one tensor: non-contiguous float64 */
    ct_tensor *a = ct_arange_f(0, 6, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *a2 = a ? ct_view(a, 2, (int64_t[]){2, 3}) : NULL, *at = a2 ? ct_transpose(a2, 0, 1) : NULL;
    CHECK(at, "building the single tensor");
    snprintf(path, sizeof path, "%s/c_tensor.pt", argv[1]);
    CHECK(ct_save_tensor(path, at) == CT_OK, "c_tensor.pt");
    ct_state_dict *one = ct_state_dict_new();
    CHECK(one && ct_state_dict_set(one, "", at) == CT_OK, "single");
    CHECK(describe("c_tensor.pt", one) == CT_OK, "describing");
    ct_state_dict_free(one);
    ct_free(a), ct_free(a2), ct_free(at);

    /* safetensors: contiguous copies in C order; the manifest keeps ctorch's order */
    ct_metadata meta = {0};
    CHECK(ct_metadata_set(&meta, "format", "pt") == CT_OK, "metadata");
    CHECK(ct_metadata_set(&meta, "note \"quoted\"", "caf\xc3\xa9\nline\\two\t\x01") == CT_OK, "metadata");
    struct {
        const char *file;
        ct_state_dict *sd;
        const ct_metadata *meta;
    } st[] = {{"c_seq_bn.safetensors", bn, NULL}, {"c_dtypes.safetensors", dt, &meta}};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], st[i].file);
        CHECK(ct_safetensors_save(path, st[i].sd, st[i].meta) == CT_OK, st[i].file);
        CHECK(describe(st[i].file, st[i].sd) == CT_OK, "describing");
        if (st[i].meta)
            for (int m = 0; m < st[i].meta->n; m++) {
                fprintf(manifest, "meta ");
                for (const unsigned char *p = (const unsigned char *)st[i].meta->keys[m]; *p; p++)
                    fprintf(manifest, "%02x", *p);
                fprintf(manifest, " ");
                for (const unsigned char *p = (const unsigned char *)st[i].meta->values[m]; *p; p++)
                    fprintf(manifest, "%02x", *p);
                fprintf(manifest, "\n");
            }
    }
    ct_metadata_clear(&meta);
    ct_state_dict_free(bn);
    ct_state_dict_free(dt);
    ct_state_dict_free(mn);
    CHECK(fclose(manifest) == 0, "writing the manifest");
    return 0;
}
