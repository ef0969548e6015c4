/* The zip container of PyTorch files (spec §1, §4, §7): a reader that takes
 * sizes, CRCs and offsets only from the central directory and checks every
 * one of them, and a writer of stored, 64-byte aligned records with zip64
 * records when a size, an offset or the entry count needs them. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "io/io_impl.h"

#define ZERR "PytorchStreamReader failed reading zip archive: "
#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u

static int name_cmp(const void *a, const void *b) {
    const ct_zip_entry *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

int ct__zip_open(ct_zip *z, const ct_io_buf *b) {
    memset(z, 0, sizeof *z);
    z->buf = b;
    const uint8_t *p = b->p;
    size_t n = b->n;
    if (n < 22) goto no_cd;
    size_t lo = n - 22 > 65535 ? n - 22 - 65535 : 0, pos = n - 22;
    for (;; pos--) {
        if (ct__rd32(p + pos) == SIG_EOCD && pos + 22 + ct__rd16(p + pos + 20) <= n) break;
        if (pos == lo) goto no_cd;
    }
    uint64_t entries = ct__rd16(p + pos + 10), cd_size = ct__rd32(p + pos + 12), cd_off = ct__rd32(p + pos + 16);
    uint64_t limit = pos;
    if (ct__rd16(p + pos + 4) != 0 || ct__rd16(p + pos + 6) != 0 || ct__rd16(p + pos + 8) != entries) {
        ct__error(ZERR "multi-disk archives are not supported");
        return CT_ERROR;
    }
    if (pos >= 20 && ct__rd32(p + pos - 20) == SIG_LOC64) {
        uint64_t z64 = ct__rd64(p + pos - 20 + 8);
        if (z64 > pos - 20 || pos - 20 - z64 < 56 || ct__rd32(p + z64) != SIG_EOCD64) {
            ct__error(ZERR "invalid zip64 end of central directory record");
            return CT_ERROR;
        }
        entries = ct__rd64(p + z64 + 32);
        cd_size = ct__rd64(p + z64 + 40);
        cd_off = ct__rd64(p + z64 + 48);
        limit = z64;
    } else if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
        ct__error(ZERR "zip64 end of central directory locator missing");
        return CT_ERROR;
    }
    if (cd_off > limit || cd_size > limit - cd_off) {
        ct__error(ZERR "central directory out of bounds (offset %llu, size %llu, file size %zu)",
                  (unsigned long long)cd_off, (unsigned long long)cd_size, n);
        return CT_ERROR;
    }
    if (entries == 0 || entries > cd_size / 46) {
        ct__error(ZERR "invalid number of records (%llu)", (unsigned long long)entries);
        return CT_ERROR;
    }
    z->e = calloc((size_t)entries, sizeof *z->e);
    if (!z->e) {
        ct__error_oom(entries * sizeof *z->e);
        return CT_ERROR;
    }
    const uint8_t *q = p + cd_off, *end = p + cd_off + cd_size;
    for (uint64_t i = 0; i < entries; i++) {
        if ((size_t)(end - q) < 46 || ct__rd32(q) != SIG_CENTRAL) goto bad_cd;
        unsigned flags = ct__rd16(q + 8), method = ct__rd16(q + 10);
        uint64_t csize = ct__rd32(q + 20), usize = ct__rd32(q + 24), lho = ct__rd32(q + 42);
        size_t nl = ct__rd16(q + 28), xl = ct__rd16(q + 30), cl = ct__rd16(q + 32);
        if ((size_t)(end - q) - 46 < nl + xl + cl) goto bad_cd;
        ct_zip_entry *e = &z->e[i];
        e->name = (const char *)q + 46;
        e->name_len = nl;
        e->crc = ct__rd32(q + 16);
        /* zip64 extra: only the overflowed fields, in this order */
        const uint8_t *x = q + 46 + nl, *xe = x + xl;
        while (xe - x >= 4) {
            unsigned id = ct__rd16(x), len = ct__rd16(x + 2);
            if ((size_t)(xe - x) - 4 < len) goto bad_cd;
            if (id == 1) {
                const uint8_t *f = x + 4;
                unsigned left = len;
                uint64_t *fields[3] = {&usize, &csize, &lho};
                for (int k = 0; k < 3; k++)
                    if (*fields[k] == 0xFFFFFFFFu) {
                        if (left < 8) goto bad_cd;
                        *fields[k] = ct__rd64(f);
                        f += 8;
                        left -= 8;
                    }
            }
            x += 4 + len;
        }
        q += 46 + nl + xl + cl;
        if (nl == 0 || memchr(e->name, 0, nl)) goto bad_cd;
        if (flags & 0x41) {
            ct__error(ZERR "encrypted record %.*s", (int)nl, e->name);
            goto fail;
        }
        if (method != 0) {
            ct__error(ZERR "record %.*s is compressed (method %u); only stored records are supported", (int)nl,
                      e->name, method);
            goto fail;
        }
        if (csize != usize) goto bad_cd;
        if (lho > cd_off || cd_off - lho < 30 || ct__rd32(p + lho) != SIG_LOCAL) {
            ct__error(ZERR "invalid local header for record %.*s", (int)nl, e->name);
            goto fail;
        }
        uint64_t data = lho + 30 + (uint64_t)ct__rd16(p + lho + 26) + ct__rd16(p + lho + 28);
        if (data > cd_off || usize > cd_off - data) {
            ct__error(ZERR "record %.*s (%llu bytes at offset %llu) lies outside the archive data", (int)nl,
                      e->name, (unsigned long long)usize, (unsigned long long)data);
            goto fail;
        }
        e->data_off = data;
        e->size = usize;
    }
    z->n = (size_t)entries;
    /* one prefix: the first name up to its first '/' */
    const char *slash = memchr(z->e[0].name, '/', z->e[0].name_len);
    if (!slash || (size_t)(slash - z->e[0].name) + 1 >= sizeof z->prefix) {
        ct__error(ZERR "file in archive is not in a subdirectory: %.*s", (int)z->e[0].name_len, z->e[0].name);
        goto fail;
    }
    z->prefix_len = (size_t)(slash - z->e[0].name) + 1;
    memcpy(z->prefix, z->e[0].name, z->prefix_len);
    for (size_t i = 0; i < z->n; i++)
        if (z->e[i].name_len < z->prefix_len || memcmp(z->e[i].name, z->prefix, z->prefix_len)) {
            ct__error(ZERR "record %.*s is outside the archive's directory %.*s", (int)z->e[i].name_len,
                      z->e[i].name, (int)z->prefix_len, z->prefix);
            goto fail;
        }
    qsort(z->e, z->n, sizeof *z->e, name_cmp);
    for (size_t i = 1; i < z->n; i++)
        if (!name_cmp(&z->e[i - 1], &z->e[i])) {
            ct__error(ZERR "duplicate record %.*s", (int)z->e[i].name_len, z->e[i].name);
            goto fail;
        }
    return CT_OK;
bad_cd:
    ct__error(ZERR "invalid header or archive is corrupted");
fail:
    free(z->e);
    z->e = NULL;
    z->n = 0;
    return CT_ERROR;
no_cd:
    ct__error(ZERR "failed finding central directory");
    return CT_ERROR;
}

void ct__zip_close(ct_zip *z) {
    if (!z) return;
    free(z->e);
    z->e = NULL;
    z->n = 0;
}

const ct_zip_entry *ct__zip_find(const ct_zip *z, const char *rel) {
    char name[1024];
    size_t rl = strlen(rel);
    if (z->prefix_len + rl > sizeof name) return NULL;
    memcpy(name, z->prefix, z->prefix_len);
    memcpy(name + z->prefix_len, rel, rl);
    ct_zip_entry key = {.name = name, .name_len = z->prefix_len + rl};
    return bsearch(&key, z->e, z->n, sizeof *z->e, name_cmp);
}

static uint32_t crc_of(const uint8_t *p, uint64_t n) {
    uLong c = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

const uint8_t *ct__zip_data(const ct_zip *z, const ct_zip_entry *e) {
    const uint8_t *d = z->buf->p + e->data_off;
    if (crc_of(d, e->size) != e->crc) {
        ct__error("PytorchStreamReader failed reading file %.*s: CRC-32 check failed", (int)e->name_len, e->name);
        return NULL;
    }
    return d;
}

/* ---- writer ---- */

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xFFFF), put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32)); }

static void out(ct_zip_writer *w, const void *p, uint64_t n) {
    if (w->failed || !n) return;
    const uint8_t *c = p;
    while (n) {
        size_t k = n > (1u << 30) ? (1u << 30) : (size_t)n;
        if (fwrite(c, 1, k, w->f) != k) {
            w->failed = true;
            return;
        }
        c += k;
        n -= k;
        w->off += k;
    }
}

int ct__zip_writer_open(ct_zip_writer *w, const char *path) {
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f) {
        ct__error("cannot open '%s' for writing", path);
        return CT_ERROR;
    }
    return CT_OK;
}

#define BIG 0xFFFFFFFFu

int ct__zip_write(ct_zip_writer *w, const char *name, const void *data, uint64_t size) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        void *e = realloc(w->e, cap * sizeof *w->e);
        if (!e) {
            ct__error_oom(cap * sizeof *w->e);
            return CT_ERROR;
        }
        w->e = e;
        w->cap = cap;
    }
    size_t nl = strlen(name);
    struct ct_zw_entry *e = &w->e[w->n];
    e->name = malloc(nl + 1);
    if (!e->name) {
        ct__error_oom(nl + 1);
        return CT_ERROR;
    }
    memcpy(e->name, name, nl + 1);
    e->off = w->off;
    e->size = size;
    e->crc = crc_of(data, size);
    w->n++;
    bool z64 = size >= BIG;
    uint64_t base = w->off + 30 + nl + 4 + (z64 ? 20 : 0);
    unsigned pad = (unsigned)((64 - base % 64) % 64);
    uint8_t h[30 + 20 + 4 + 64];
    put32(h, SIG_LOCAL);
    put16(h + 4, z64 ? 45 : 20);
    put16(h + 6, 0);
    put16(h + 8, 0);
    put16(h + 10, 0);
    put16(h + 12, 0x21); /* 1980-01-01 */
    put32(h + 14, e->crc);
    put32(h + 18, z64 ? BIG : (uint32_t)size);
    put32(h + 22, z64 ? BIG : (uint32_t)size);
    put16(h + 26, (unsigned)nl);
    put16(h + 28, (z64 ? 20 : 0) + 4 + pad);
    out(w, h, 30);
    out(w, name, nl);
    size_t k = 0;
    if (z64) {
        put16(h, 1), put16(h + 2, 16), put64(h + 4, size), put64(h + 12, size);
        k = 20;
    }
    put16(h + k, 0x4246), put16(h + k + 2, pad);
    memset(h + k + 4, 'Z', pad);
    out(w, h, k + 4 + pad);
    out(w, data, size);
    if (w->failed) {
        ct__error("failed writing record %s: %s", name, "write error");
        return CT_ERROR;
    }
    return CT_OK;
}

int ct__zip_writer_finish(ct_zip_writer *w) {
    uint64_t cd_off = w->off;
    for (size_t i = 0; i < w->n; i++) {
        struct ct_zw_entry *e = &w->e[i];
        uint8_t h[46], x[28];
        size_t nl = strlen(e->name), xl = 0;
        bool bs = e->size >= BIG, bo = e->off >= BIG;
        if (bs) put64(x + 4 + xl, e->size), xl += 8, put64(x + 4 + xl, e->size), xl += 8;
        if (bo) put64(x + 4 + xl, e->off), xl += 8;
        put32(h, SIG_CENTRAL);
        put16(h + 4, 45);
        put16(h + 6, (bs || bo) ? 45 : 20);
        put16(h + 8, 0);
        put16(h + 10, 0);
        put16(h + 12, 0);
        put16(h + 14, 0x21);
        put32(h + 16, e->crc);
        put32(h + 20, bs ? BIG : (uint32_t)e->size);
        put32(h + 24, bs ? BIG : (uint32_t)e->size);
        put16(h + 28, (unsigned)nl);
        put16(h + 30, xl ? (unsigned)xl + 4 : 0);
        put16(h + 32, 0);
        put16(h + 34, 0);
        put16(h + 36, 0);
        put32(h + 38, 0);
        put32(h + 42, bo ? BIG : (uint32_t)e->off);
        out(w, h, 46);
        out(w, e->name, nl);
        if (xl) {
            put16(x, 1), put16(x + 2, (unsigned)xl);
            out(w, x, xl + 4);
        }
    }
    uint64_t cd_size = w->off - cd_off;
    bool z64 = w->n >= 0xFFFF || cd_off >= BIG || cd_size >= BIG;
    uint8_t h[56];
    if (z64) {
        uint64_t at = w->off;
        put32(h, SIG_EOCD64);
        put64(h + 4, 44);
        put16(h + 12, 45);
        put16(h + 14, 45);
        put32(h + 16, 0);
        put32(h + 20, 0);
        put64(h + 24, w->n);
        put64(h + 32, w->n);
        put64(h + 40, cd_size);
        put64(h + 48, cd_off);
        out(w, h, 56);
        put32(h, SIG_LOC64);
        put32(h + 4, 0);
        put64(h + 8, at);
        put32(h + 16, 1);
        out(w, h, 20);
    }
    put32(h, SIG_EOCD);
    put16(h + 4, 0);
    put16(h + 6, 0);
    put16(h + 8, z64 ? 0xFFFF : (unsigned)w->n);
    put16(h + 10, z64 ? 0xFFFF : (unsigned)w->n);
    put32(h + 12, z64 ? BIG : (uint32_t)cd_size);
    put32(h + 16, z64 ? BIG : (uint32_t)cd_off);
    put16(h + 20, 0);
    out(w, h, 22);
    bool failed = w->failed;
    if (fclose(w->f) != 0) failed = true;
    w->f = NULL;
    for (size_t i = 0; i < w->n; i++) free(w->e[i].name);
    free(w->e);
    w->e = NULL;
    if (failed) {
        ct__error("failed writing the zip archive");
        return CT_ERROR;
    }
    return CT_OK;
}

void ct__zip_writer_abort(ct_zip_writer *w, const char *path) {
    if (w->f) fclose(w->f);
    w->f = NULL;
    for (size_t i = 0; i < w->n; i++) free(w->e[i].name);
    free(w->e);
    w->e = NULL;
    if (path) remove(path);
}
