/* safetensors (spec §6): u64 header length N, N bytes of JSON, then the data
 * buffer tiled by the tensors' [begin, end) offsets. The reader validates
 * the header the way the reference Rust crate does and copies each tensor
 * into its own storage; the writer sorts by descending element size, then
 * name, and pads the header with spaces to a multiple of 8. */
#include <stdlib.h>
#include <string.h>

#include "io/io_impl.h"

#define HDR "Error while deserializing header: "
#define MAX_HEADER 100000000ull

static const struct {
    const char *name;
    ct_dtype dtype; /* CT_DTYPE_DEFAULT: valid safetensors, no ctorch dtype */
} DTYPES[] = {
    {"BOOL", CT_BOOL}, {"U8", CT_UINT8}, {"I8", CT_INT8}, {"I16", CT_INT16}, {"I32", CT_INT32},
    {"I64", CT_INT64}, {"F16", CT_FLOAT16}, {"BF16", CT_BFLOAT16}, {"F32", CT_FLOAT32}, {"F64", CT_FLOAT64},
    {"U16", CT_DTYPE_DEFAULT}, {"U32", CT_DTYPE_DEFAULT}, {"U64", CT_DTYPE_DEFAULT}, {"C64", CT_DTYPE_DEFAULT},
    {"F8_E4M3", CT_DTYPE_DEFAULT}, {"F8_E5M2", CT_DTYPE_DEFAULT}, {"F4", CT_DTYPE_DEFAULT},
    {"F6_E2M3", CT_DTYPE_DEFAULT}, {"F6_E3M2", CT_DTYPE_DEFAULT}, {"F8_E8M0", CT_DTYPE_DEFAULT},
};

/* ---- metadata map ---- */

int ct_metadata_set(ct_metadata *m, const char *key, const char *value) {
    if (!m || !key || !value) return CT_ERROR;
    char *v = malloc(strlen(value) + 1);
    if (!v) goto oom;
    strcpy(v, value);
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->keys[i], key)) {
            free(m->values[i]);
            m->values[i] = v;
            return CT_OK;
        }
    char *k = malloc(strlen(key) + 1);
    char **ks = realloc(m->keys, (size_t)(m->n + 1) * sizeof *ks);
    if (ks) m->keys = ks;
    char **vs = realloc(m->values, (size_t)(m->n + 1) * sizeof *vs);
    if (vs) m->values = vs;
    if (!k || !ks || !vs) {
        free(k), free(v);
        goto oom;
    }
    strcpy(k, key);
    m->keys[m->n] = k;
    m->values[m->n++] = v;
    return CT_OK;
oom:
    ct__error_oom(strlen(value) + 1);
    return CT_ERROR;
}

void ct_metadata_clear(ct_metadata *m) {
    if (!m) return;
    for (int i = 0; i < m->n; i++) free(m->keys[i]), free(m->values[i]);
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

/* ---- a small JSON reader for the header ---- */

typedef struct js {
    const char *p, *end;
} js;

static void ws(js *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}
static bool eat(js *j, char c) {
    ws(j);
    if (j->p < j->end && *j->p == c) {
        j->p++;
        return true;
    }
    return false;
}

static void put_utf8(char *o, size_t *n, uint32_t c) {
    if (c < 0x80) o[(*n)++] = (char)c;
    else if (c < 0x800) o[(*n)++] = (char)(0xC0 | c >> 6), o[(*n)++] = (char)(0x80 | (c & 63));
    else if (c < 0x10000)
        o[(*n)++] = (char)(0xE0 | c >> 12), o[(*n)++] = (char)(0x80 | ((c >> 6) & 63)), o[(*n)++] = (char)(0x80 | (c & 63));
    else
        o[(*n)++] = (char)(0xF0 | c >> 18), o[(*n)++] = (char)(0x80 | ((c >> 12) & 63)),
        o[(*n)++] = (char)(0x80 | ((c >> 6) & 63)), o[(*n)++] = (char)(0x80 | (c & 63));
}

static int hex4(const char *p) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* a malloc'd NUL-terminated string; NULL on a syntax error (no error set) */
static char *jstring(js *j) {
    if (!eat(j, '"')) return NULL;
    const char *s = j->p;
    while (j->p < j->end && *j->p != '"') j->p += (*j->p == '\\' && j->p + 1 < j->end) ? 2 : 1;
    if (j->p >= j->end) return NULL;
    size_t len = (size_t)(j->p - s);
    char *o = malloc(len + 1);
    if (!o) return NULL;
    size_t n = 0;
    for (const char *q = s; q < j->p; q++) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20) goto bad;
        if (c != '\\') {
            o[n++] = (char)c;
            continue;
        }
        c = (unsigned char)*++q;
        switch (c) {
        case '"': case '\\': case '/': o[n++] = (char)c; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'n': o[n++] = '\n'; break;
        case 'r': o[n++] = '\r'; break;
        case 't': o[n++] = '\t'; break;
        case 'u': {
            if (j->p - q < 5) goto bad;
            int c1 = hex4(q + 1);
            if (c1 < 0) goto bad;
            q += 4;
            uint32_t cp = (uint32_t)c1;
            if (cp >= 0xD800 && cp < 0xDC00) {
                int c2 = (j->p - q >= 7 && q[1] == '\\' && q[2] == 'u') ? hex4(q + 3) : -1;
                if (c2 < 0xDC00 || c2 > 0xDFFF) goto bad;
                cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)c2 - 0xDC00);
                q += 6;
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                goto bad;
            }
            if (cp == 0) goto bad;
            put_utf8(o, &n, cp);
            break;
        }
        default: goto bad;
        }
    }
    o[n] = 0;
    j->p++;
    return o;
bad:
    free(o);
    return NULL;
}

static bool juint(js *j, uint64_t *v) {
    ws(j);
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return false;
    uint64_t x = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        if (x > (UINT64_MAX - 9) / 10) return false;
        x = x * 10 + (uint64_t)(*j->p++ - '0');
    }
    *v = x;
    return j->p >= j->end || (*j->p != '.' && *j->p != 'e' && *j->p != 'E');
}

typedef struct st_entry {
    char *name;
    ct_dtype dtype;
    int ndim;
    int64_t shape[CT_MAX_DIMS];
    uint64_t begin, end;
} st_entry;

static int by_begin(const void *a, const void *b) {
    const st_entry *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}
static int by_name(const void *a, const void *b) {
    return strcmp(((const st_entry *)a)->name, ((const st_entry *)b)->name);
}

/* {"dtype": ..., "shape": [...], "data_offsets": [b, e]} */
static int parse_info(js *j, st_entry *e) {
    bool has_d = false, has_s = false, has_o = false;
    if (!eat(j, '{')) return CT_ERROR;
    if (eat(j, '}')) goto missing;
    do {
        char *k = jstring(j);
        if (!k || !eat(j, ':')) {
            free(k);
            return CT_ERROR;
        }
        if (!strcmp(k, "dtype") && !has_d) {
            char *d = jstring(j);
            has_d = true;
            size_t i = 0;
            while (d && i < sizeof DTYPES / sizeof DTYPES[0] && strcmp(DTYPES[i].name, d)) i++;
            if (!d || i == sizeof DTYPES / sizeof DTYPES[0] || DTYPES[i].dtype == CT_DTYPE_DEFAULT) {
                if (d && i < sizeof DTYPES / sizeof DTYPES[0])
                    ct__error("safetensors dtype %s is not supported by ctorch (tensor '%s')", d, e->name);
                else
                    ct__error(HDR "InvalidHeaderDeserialization (unknown dtype for tensor '%s')", e->name);
                free(d), free(k);
                return -2;
            }
            e->dtype = DTYPES[i].dtype;
            free(d);
        } else if (!strcmp(k, "shape") && !has_s) {
            has_s = true;
            if (!eat(j, '[')) goto bad_k;
            if (!eat(j, ']')) {
                do {
                    uint64_t v;
                    if (e->ndim >= CT_MAX_DIMS) {
                        ct__error("tensor '%s' has more than %d dimensions", e->name, CT_MAX_DIMS);
                        free(k);
                        return -2;
                    }
                    if (!juint(j, &v) || v > (uint64_t)INT64_MAX) goto bad_k;
                    e->shape[e->ndim++] = (int64_t)v;
                } while (eat(j, ','));
                if (!eat(j, ']')) goto bad_k;
            }
        } else if (!strcmp(k, "data_offsets") && !has_o) {
            has_o = true;
            if (!eat(j, '[') || !juint(j, &e->begin) || !eat(j, ',') || !juint(j, &e->end) || !eat(j, ']')) goto bad_k;
        } else {
            goto bad_k;
        }
        free(k);
        continue;
    bad_k:
        free(k);
        return CT_ERROR;
    } while (eat(j, ','));
    if (!eat(j, '}')) return CT_ERROR;
    if (has_d && has_s && has_o) return CT_OK;
missing:
    ct__error(HDR "InvalidHeaderDeserialization (tensor '%s' needs dtype, shape and data_offsets)", e->name);
    return -2;
}

static int parse_metadata(js *j, ct_metadata *m) {
    if (!eat(j, '{')) return CT_ERROR;
    if (eat(j, '}')) return CT_OK;
    do {
        char *k = jstring(j), *v = NULL;
        int rc = k && eat(j, ':') && (v = jstring(j)) ? CT_OK : CT_ERROR;
        if (rc == CT_OK && m && ct_metadata_set(m, k, v) != CT_OK) rc = -2;
        free(k), free(v);
        if (rc != CT_OK) return rc;
    } while (eat(j, ','));
    return eat(j, '}') ? CT_OK : CT_ERROR;
}

/* strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as
 * Rust's str::from_utf8 that the reference reader runs on the header */
static bool valid_utf8(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (!len || n - i < len) return false;
        for (size_t k = 1; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80) return false;
        if ((c == 0xE0 && p[i + 1] < 0xA0) || (c == 0xED && p[i + 1] > 0x9F) || (c == 0xF0 && p[i + 1] < 0x90) ||
            (c == 0xF4 && p[i + 1] > 0x8F))
            return false;
        i += len;
    }
    return true;
}

static ct_state_dict *load_st(const ct_io_buf *b, ct_metadata *meta) {
    if (meta) memset(meta, 0, sizeof *meta);
    if (b->n < 8) {
        ct__error(HDR "HeaderTooSmall");
        return NULL;
    }
    uint64_t hn = ct__rd64(b->p);
    if (hn > MAX_HEADER) {
        ct__error(HDR "HeaderTooLarge");
        return NULL;
    }
    if (hn > b->n - 8) {
        ct__error(HDR "InvalidHeaderLength");
        return NULL;
    }
    if (hn < 2 || b->p[8] != '{') {
        ct__error(HDR "InvalidHeaderStart");
        return NULL;
    }
    if (memchr(b->p + 8, 0, (size_t)hn)) {
        ct__error(HDR "InvalidHeaderDeserialization (NUL byte in the header)");
        return NULL;
    }
    if (!valid_utf8(b->p + 8, (size_t)hn)) {
        ct__error(HDR "InvalidHeader (the header is not valid UTF-8)");
        return NULL;
    }
    js j = {(const char *)b->p + 8, (const char *)b->p + 8 + hn};
    st_entry *e = NULL;
    size_t n = 0, cap = 0;
    ct_state_dict *sd = NULL;
    int rc = CT_ERROR;
    bool seen_meta = false;
    if (!eat(&j, '{')) goto syntax;
    if (!eat(&j, '}')) {
        do {
            char *k = jstring(&j);
            if (!k || !eat(&j, ':')) {
                free(k);
                goto syntax;
            }
            if (!strcmp(k, "__metadata__") && !seen_meta) {
                seen_meta = true;
                free(k);
                if ((rc = parse_metadata(&j, meta)) != CT_OK) goto err;
                continue;
            }
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                st_entry *q = realloc(e, cap * sizeof *q);
                if (!q) {
                    free(k);
                    ct__error_oom(cap * sizeof *q);
                    goto fail;
                }
                e = q;
            }
            memset(&e[n], 0, sizeof e[n]);
            e[n].name = k;
            n++;
            if ((rc = parse_info(&j, &e[n - 1])) != CT_OK) goto err;
        } while (eat(&j, ','));
        if (!eat(&j, '}')) goto syntax;
    }
    ws(&j);
    if (j.p != j.end) goto syntax;
    /* duplicates */
    if (n > 1) qsort(e, n, sizeof *e, by_name); /* e is NULL when n == 0 (an empty file) */
    for (size_t i = 1; i < n; i++)
        if (!strcmp(e[i - 1].name, e[i].name)) {
            ct__error(HDR "InvalidHeaderDeserialization (duplicate tensor '%s')", e[i].name);
            goto fail;
        }
    /* offsets tile the buffer */
    if (n > 1) qsort(e, n, sizeof *e, by_begin);
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bytes = ct__traits(e[i].dtype)->itemsize;
        for (int d = 0; d < e[i].ndim; d++)
            if (__builtin_mul_overflow(bytes, (uint64_t)e[i].shape[d], &bytes)) {
                ct__error("Error while deserializing header: TensorInvalidInfo (tensor '%s' is too large)",
                          e[i].name);
                goto fail;
            }
        if (e[i].begin != at || e[i].end < e[i].begin) {
            ct__error("Error while deserializing header: InvalidOffset(\"%s\") (the tensors must tile the data "
                      "buffer without holes or overlaps)", e[i].name);
            goto fail;
        }
        if (e[i].end - e[i].begin != bytes) {
            ct__error("Error while deserializing header: TensorInvalidInfo (tensor '%s': %llu bytes for shape "
                      "and dtype, offsets give %llu)", e[i].name, (unsigned long long)bytes,
                      (unsigned long long)(e[i].end - e[i].begin));
            goto fail;
        }
        at = e[i].end;
    }
    if (at != b->n - 8 - hn) {
        ct__error("Error while deserializing header: MetadataIncompleteBuffer (data buffer of %llu bytes, "
                  "tensors cover %llu)", (unsigned long long)(b->n - 8 - hn), (unsigned long long)at);
        goto fail;
    }
    if (!(sd = ct_state_dict_new())) goto fail;
    const uint8_t *data = b->p + 8 + hn;
    for (size_t i = 0; i < n; i++) {
        ct_tensor *t = ct__empty(e[i].dtype, e[i].ndim, e[i].shape);
        if (!t) goto fail;
        if (e[i].end > e[i].begin) memcpy(ct__data(t), data + e[i].begin, (size_t)(e[i].end - e[i].begin));
        int r = ct_state_dict_set(sd, e[i].name, t);
        ct_free(t);
        if (r != CT_OK) goto fail;
    }
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
    return sd;
syntax:
    ct__error(HDR "InvalidHeaderDeserialization (invalid JSON)");
    goto fail;
err:
    if (rc == CT_ERROR) goto syntax;
fail:
    for (size_t i = 0; i < n; i++) free(e[i].name);
    free(e);
    ct_state_dict_free(sd);
    if (meta) ct_metadata_clear(meta);
    return NULL;
}

ct_state_dict *ct_safetensors_load_buffer(const void *data, size_t size, ct_metadata *metadata) {
    if (!data && size) return NULL;
    ct_io_buf b = {.p = data, .n = size};
    return load_st(&b, metadata);
}

ct_state_dict *ct_safetensors_load(const char *path, ct_metadata *metadata) {
    ct_io_buf b;
    if (metadata) memset(metadata, 0, sizeof *metadata);
    if (!path || ct__io_map(path, &b) != CT_OK) return NULL;
    ct_state_dict *sd = load_st(&b, metadata);
    ct__io_unmap(&b);
    return sd;
}

/* ---- writing ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->n + n + 1) c *= 2;
        char *q = realloc(b->p, c);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void sb_s(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }
static void sb_json_str(sbuf *b, const char *s) {
    sb_s(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\', esc[1] = (char)c;
            sb_add(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_s(b, esc);
        } else {
            sb_add(b, s, 1);
        }
    }
    sb_s(b, "\"");
}

typedef struct wentry {
    const char *name;
    const ct_tensor *t;
} wentry;

static int by_size_name(const void *a, const void *b) {
    const wentry *x = a, *y = b;
    size_t sx = ct__traits(x->t->dtype)->itemsize, sy = ct__traits(y->t->dtype)->itemsize;
    if (sx != sy) return sx > sy ? -1 : 1;
    return strcmp(x->name, y->name);
}

static const char *st_dtype_name(ct_dtype d) {
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
        if (DTYPES[i].dtype == d) return DTYPES[i].name;
    return NULL;
}

int ct_safetensors_save(const char *path, const ct_state_dict *sd, const ct_metadata *metadata) {
    if (!path || !sd) return CT_ERROR;
    int n = ct_state_dict_size(sd);
    wentry *w = calloc((size_t)n + 1, sizeof *w);
    sbuf h = {0};
    FILE *f = NULL;
    int rc = CT_ERROR;
    if (!w) {
        ct__error_oom(((size_t)n + 1) * sizeof *w);
        return CT_ERROR;
    }
    for (int i = 0; i < n; i++) {
        w[i].name = ct_state_dict_key(sd, i);
        w[i].t = ct_state_dict_value(sd, i);
        if (!w[i].t) goto done;
    }
    qsort(w, (size_t)n, sizeof *w, by_size_name);
    sb_s(&h, "{");
    if (metadata && metadata->n) {
        sb_s(&h, "\"__metadata__\":{");
        for (int i = 0; i < metadata->n; i++) {
            if (i) sb_s(&h, ",");
            sb_json_str(&h, metadata->keys[i]);
            sb_s(&h, ":");
            sb_json_str(&h, metadata->values[i]);
        }
        sb_s(&h, "}");
    }
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        const ct_tensor *t = w[i].t;
        char num[64];
        if (h.n > 1) sb_s(&h, ",");
        sb_json_str(&h, w[i].name);
        sb_s(&h, ":{\"dtype\":\"");
        sb_s(&h, st_dtype_name(t->dtype));
        sb_s(&h, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            snprintf(num, sizeof num, d ? ",%lld" : "%lld", (long long)t->sizes[d]);
            sb_s(&h, num);
        }
        uint64_t bytes = (uint64_t)ct__numel(t) * ct__traits(t->dtype)->itemsize;
        snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)at,
                 (unsigned long long)(at + bytes));
        sb_s(&h, num);
        at += bytes;
    }
    sb_s(&h, "}");
    while (h.n % 8) sb_s(&h, " ");
    if (h.oom) {
        ct__error_oom(h.cap * 2);
        goto done;
    }
    if (!(f = fopen(path, "wb"))) {
        ct__error("cannot open '%s' for writing", path);
        goto done;
    }
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)((uint64_t)h.n >> (8 * i));
    bool ok = fwrite(len, 1, 8, f) == 8 && fwrite(h.p, 1, h.n, f) == h.n;
    for (int i = 0; ok && i < n; i++) {
        const ct_tensor *t = w[i].t;
        size_t bytes = (size_t)ct__numel(t) * ct__traits(t->dtype)->itemsize;
        if (!bytes) continue;
        if (ct__is_contiguous(t)) {
            ok = fwrite(ct__data(t), 1, bytes, f) == bytes;
        } else {
            void *tmp = malloc(bytes);
            if (!tmp) {
                ct__error_oom(bytes);
                fclose(f);
                remove(path);
                goto done;
            }
            ok = ct_copy_to_buffer(t, CT_DTYPE_DEFAULT, tmp, bytes) == CT_OK && fwrite(tmp, 1, bytes, f) == bytes;
            free(tmp);
        }
    }
    if (fclose(f) != 0) ok = false;
    if (!ok) {
        ct__error("failed writing '%s'", path);
        remove(path);
        goto done;
    }
    rc = CT_OK;
done:
    free(w);
    free(h.p);
    return rc;
}
