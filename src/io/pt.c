/* torch.save / torch.load for PyTorch >= 1.6 zip files (spec §1, §2, §4):
 * the reader takes the pickle through the restricted unpickler and each
 * storage from its data/<key> record; the writer follows the spec's recipe
 * (a memo-free protocol-2 pickle, one record per storage). */
#include <stdlib.h>
#include <string.h>

#include "io/io_impl.h"

/* ---- reading ---- */

typedef struct zip_ctx {
    ct_zip *z;
    bool big;
} zip_ctx;

static int fill_from_zip(void *ctx, ct_pv_storage *st) {
    zip_ctx *c = ctx;
    char rel[80];
    snprintf(rel, sizeof rel, "data/%s", st->key);
    const ct_zip_entry *e = ct__zip_find(c->z, rel);
    if (!e) {
        ct__error("PytorchStreamReader failed locating file %s: file not found", rel);
        return CT_ERROR;
    }
    size_t item = ct__traits(st->dtype)->itemsize;
    uint64_t want = (uint64_t)st->numel * item;
    if (e->size != want) {
        ct__error("storage %s declares %lld elements (%llu bytes) but its record holds %llu bytes", st->key,
                  (long long)st->numel, (unsigned long long)want, (unsigned long long)e->size);
        return CT_ERROR;
    }
    const uint8_t *d = ct__zip_data(c->z, e);
    if (!d) return CT_ERROR;
    st->s = ct__storage_new((size_t)want);
    if (!st->s) return CT_ERROR;
    if (want) memcpy(st->s->data, d, (size_t)want);
    if (c->big) ct__byteswap(st->s->data, (size_t)st->numel, item);
    return CT_OK;
}

static const uint8_t *record(const ct_zip *z, const char *rel, uint64_t *size, bool required) {
    const ct_zip_entry *e = ct__zip_find(z, rel);
    if (!e) {
        if (required) ct__error("PytorchStreamReader failed locating file %s: file not found", rel);
        return NULL;
    }
    *size = e->size;
    return ct__zip_data(z, e);
}

static ct_state_dict *load_zip(const ct_io_buf *b) {
    ct_zip z;
    if (ct__zip_open(&z, b) != CT_OK) return NULL;
    ct_state_dict *sd = NULL;
    ct_unpickler *u = NULL;
    zip_ctx c = {.z = &z};
    uint64_t n = 0;
    bool script = ct__zip_find(&z, "constants.pkl") != NULL;
    for (size_t i = 0; i < z.n && !script; i++)
        script = z.e[i].name_len > z.prefix_len + 5 && !memcmp(z.e[i].name + z.prefix_len, "code/", 5);
    if (script) {
        ct__error("this is a TorchScript archive (torch.jit.save); only torch.save files are supported");
        goto done;
    }
    const uint8_t *ver = record(&z, "version", &n, false);
    if (!ver && !(ver = record(&z, ".data/version", &n, false))) {
        if (!ct_last_error() || !strstr(ct_last_error(), "CRC"))
            ct__error("PytorchStreamReader failed locating file version: file not found");
        goto done;
    }
    {
        long long v = 0;
        size_t i = 0;
        while (i < n && i < 20 && ver[i] >= '0' && ver[i] <= '9') v = v * 10 + (ver[i++] - '0');
        if (i == 0 || v < 1 || v > 10) {
            ct__error("PytorchStreamReader failed reading file version: unsupported version %.*s",
                      (int)(n < 20 ? n : 20), (const char *)ver);
            goto done;
        }
    }
    const uint8_t *bo = record(&z, "byteorder", &n, false);
    if (bo) {
        if (n == 3 && !memcmp(bo, "big", 3))
            c.big = true;
        else if (!(n == 6 && !memcmp(bo, "little", 6))) {
            ct__error("Unknown endianness type: %.*s", (int)(n < 16 ? n : 16), (const char *)bo);
            goto done;
        }
    } else if (ct_last_error() && strstr(ct_last_error(), "CRC") && ct__zip_find(&z, "byteorder")) {
        goto done;
    }
    const uint8_t *pkl = record(&z, "data.pkl", &n, true);
    if (!pkl) goto done;
    if (!(u = ct__unpickler_new(fill_from_zip, &c, false))) goto done;
    ct_pv *v = ct__unpickle(u, pkl, (size_t)n, NULL);
    if (!v) goto done;
    if (!(sd = ct_state_dict_new())) goto done;
    if (ct__pv_flatten(v, sd) != CT_OK) {
        ct_state_dict_free(sd);
        sd = NULL;
    }
done:
    ct__unpickler_free(u);
    ct__zip_close(&z);
    return sd;
}

static ct_state_dict *load_any(const ct_io_buf *b) {
    if (b->n >= 4 && !memcmp(b->p, "PK\3\4", 4)) return load_zip(b);
    if (ct__is_legacy(b)) {
        ct_unpickler *u = NULL;
        ct_pv *v = ct__legacy_load(&u, b);
        ct_state_dict *sd = v ? ct_state_dict_new() : NULL;
        if (sd && ct__pv_flatten(v, sd) != CT_OK) {
            ct_state_dict_free(sd);
            sd = NULL;
        }
        ct__unpickler_free(u);
        return sd;
    }
    if (b->n == 0)
        ct__error("Ran out of input");
    else if (b->n >= 2 && b->p[0] == 0x80)
        ct__error("invalid .pt file: a pickle without the legacy magic number (Invalid magic number; corrupt file?)");
    else if (b->p[0] >= 0x20 && b->p[0] < 0x7f)
        ct__error("invalid load key, '%c'.", b->p[0]);
    else
        ct__error("invalid load key, '\\x%02x'.", b->p[0]);
    return NULL;
}

ct_state_dict *ct_load_buffer(const void *data, size_t size) {
    if (!data && size) return NULL;
    ct_io_buf b = {.p = data, .n = size};
    return load_any(&b);
}

ct_state_dict *ct_load(const char *path) {
    ct_io_buf b;
    if (!path || ct__io_map(path, &b) != CT_OK) return NULL;
    ct_state_dict *sd = load_any(&b);
    ct__io_unmap(&b);
    return sd;
}

ct_tensor *ct_load_tensor(const char *path) {
    ct_state_dict *sd = ct_load(path);
    if (!sd) return NULL;
    ct_tensor *t = NULL;
    if (ct_state_dict_size(sd) != 1)
        ct__error("%s holds %d tensors, not one tensor", path, ct_state_dict_size(sd));
    else
        t = ct__retain(ct_state_dict_value(sd, 0));
    ct_state_dict_free(sd);
    return t;
}

/* ---- writing ---- */

typedef struct pbuf {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} pbuf;

static void pb_bytes(pbuf *b, const void *d, size_t n) {
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 1024;
        while (c < b->n + n) c *= 2;
        uint8_t *q = realloc(b->p, c);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = c;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void pb_byte(pbuf *b, uint8_t c) { pb_bytes(b, &c, 1); }
static void pb_str(pbuf *b, const char *s) {
    size_t n = strlen(s);
    uint8_t h[5] = {'X', (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    pb_bytes(b, h, 5);
    pb_bytes(b, s, n);
}
static void pb_int(pbuf *b, int64_t v) {
    uint8_t h[10];
    if (v >= 0 && v <= 255) {
        h[0] = 'K', h[1] = (uint8_t)v;
        pb_bytes(b, h, 2);
    } else if (v >= 0 && v <= 65535) {
        h[0] = 'M', h[1] = (uint8_t)v, h[2] = (uint8_t)(v >> 8);
        pb_bytes(b, h, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        uint32_t w = (uint32_t)v;
        h[0] = 'J';
        for (int i = 0; i < 4; i++) h[1 + i] = (uint8_t)(w >> (8 * i));
        pb_bytes(b, h, 5);
    } else {
        uint64_t w = (uint64_t)v;
        h[0] = 0x8a, h[1] = 8;
        for (int i = 0; i < 8; i++) h[2 + i] = (uint8_t)(w >> (8 * i));
        pb_bytes(b, h, 10);
    }
}
static void pb_global(pbuf *b, const char *mod, const char *name) {
    pb_byte(b, 'c');
    pb_bytes(b, mod, strlen(mod));
    pb_byte(b, '\n');
    pb_bytes(b, name, strlen(name));
    pb_byte(b, '\n');
}
static void pb_ordered_dict(pbuf *b) {
    pb_global(b, "collections", "OrderedDict");
    pb_byte(b, ')');
    pb_byte(b, 'R');
}

typedef struct wstore {
    const ct_storage *s;
    ct_dtype dtype;
} wstore;

typedef struct writer {
    pbuf pk;
    wstore *st;
    size_t n_st, cap_st;
} writer;

static int storage_key(writer *w, const ct_tensor *t) {
    for (size_t i = 0; i < w->n_st; i++)
        if (w->st[i].s == t->storage && w->st[i].dtype == t->dtype) return (int)i;
    if (w->n_st == w->cap_st) {
        size_t c = w->cap_st ? 2 * w->cap_st : 16;
        wstore *q = realloc(w->st, c * sizeof *q);
        if (!q) {
            ct__error_oom(c * sizeof *q);
            return -1;
        }
        w->st = q;
        w->cap_st = c;
    }
    w->st[w->n_st] = (wstore){t->storage, t->dtype};
    return (int)w->n_st++;
}

static int pickle_tensor(writer *w, const ct_tensor *t) {
    pbuf *b = &w->pk;
    int key = storage_key(w, t);
    if (key < 0) return CT_ERROR;
    char ks[24];
    snprintf(ks, sizeof ks, "%d", key);
    size_t item = ct__traits(t->dtype)->itemsize;
    pb_global(b, "torch._utils", "_rebuild_tensor_v2");
    pb_byte(b, '(');
    pb_byte(b, '(');
    pb_str(b, "storage");
    pb_global(b, "torch", ct__traits(t->dtype)->storage_name);
    pb_str(b, ks);
    pb_str(b, "cpu");
    pb_int(b, (int64_t)(t->storage->nbytes / item));
    pb_byte(b, 't');
    pb_byte(b, 'Q');
    pb_int(b, t->offset);
    pb_byte(b, '(');
    for (int i = 0; i < t->ndim; i++) pb_int(b, t->sizes[i]);
    pb_byte(b, 't');
    pb_byte(b, '(');
    for (int i = 0; i < t->ndim; i++) pb_int(b, t->strides[i]);
    pb_byte(b, 't');
    pb_byte(b, ct_requires_grad(t) ? 0x88 : 0x89);
    pb_ordered_dict(b);
    pb_byte(b, 't');
    pb_byte(b, 'R');
    return CT_OK;
}

/* basename without its last extension, "archive" if that is empty */
static void archive_prefix(const char *path, char *out, size_t cap) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char *dot = strrchr(base, '.');
    if (dot) n = (size_t)(dot - base);
    if (n == 0 || n + 2 > cap) {
        snprintf(out, cap, "archive/");
        return;
    }
    memcpy(out, base, n);
    out[n] = '/';
    out[n + 1] = 0;
}

static int write_pt(const char *path, const ct_state_dict *sd, const ct_tensor *single) {
    writer w = {0};
    pbuf *b = &w.pk;
    int rc = CT_ERROR;
    pb_byte(b, 0x80);
    pb_byte(b, 2);
    if (single) {
        if (pickle_tensor(&w, single) != CT_OK) goto done;
    } else {
        pb_ordered_dict(b);
        int n = ct_state_dict_size(sd);
        if (n > 0) pb_byte(b, '(');
        for (int i = 0; i < n; i++) {
            const char *k = ct_state_dict_key(sd, i);
            pb_str(b, k);
            if (pickle_tensor(&w, ct_state_dict_value(sd, i)) != CT_OK) goto done;
            /* SETITEMS in batches of 1000, as CPython's pickler */
            if ((i + 1) % 1000 == 0 && i + 1 < n) pb_byte(b, 'u'), pb_byte(b, '(');
        }
        if (n > 0) pb_byte(b, 'u');
    }
    pb_byte(b, '.');
    if (b->oom) {
        ct__error_oom(b->cap * 2);
        goto done;
    }
    char prefix[512], name[600];
    archive_prefix(path, prefix, sizeof prefix);
    ct_zip_writer zw;
    if (ct__zip_writer_open(&zw, path) != CT_OK) goto done;
    snprintf(name, sizeof name, "%sdata.pkl", prefix);
    if (ct__zip_write(&zw, name, b->p, b->n) != CT_OK) goto fail;
    snprintf(name, sizeof name, "%sbyteorder", prefix);
    if (ct__zip_write(&zw, name, "little", 6) != CT_OK) goto fail;
    for (size_t i = 0; i < w.n_st; i++) {
        size_t item = ct__traits(w.st[i].dtype)->itemsize;
        snprintf(name, sizeof name, "%sdata/%zu", prefix, i);
        if (ct__zip_write(&zw, name, w.st[i].s->data, w.st[i].s->nbytes / item * item) != CT_OK) goto fail;
    }
    snprintf(name, sizeof name, "%sversion", prefix);
    if (ct__zip_write(&zw, name, "3\n", 2) != CT_OK) goto fail;
    rc = ct__zip_writer_finish(&zw);
    if (rc != CT_OK) remove(path);
    goto done;
fail:
    ct__zip_writer_abort(&zw, path);
done:
    free(b->p);
    free(w.st);
    return rc;
}

int ct_save(const char *path, const ct_state_dict *sd) {
    if (!path || !sd) return CT_ERROR;
    for (int i = 0; i < ct_state_dict_size(sd); i++)
        if (!ct_state_dict_value(sd, i)) return CT_ERROR;
    return write_pt(path, sd, NULL);
}

int ct_save_tensor(const char *path, const ct_tensor *t) {
    if (!path || !t) return CT_ERROR;
    return write_pt(path, NULL, t);
}
