/* The legacy format (torch.save before 1.6, or
 * _use_new_zipfile_serialization=False), read only (spec §5): five pickles
 * back to back — magic number, protocol version 1001, sys_info, the object
 * (6-tuple persistent ids), the storage keys — then per key an int64 numel
 * and the raw storage bytes. */
#include <string.h>

#include "io/io_impl.h"

static const uint8_t MAGIC[15] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                  0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};

bool ct__is_legacy(const ct_io_buf *b) { return b->n >= sizeof MAGIC && !memcmp(b->p, MAGIC, sizeof MAGIC); }

static const ct_pv *dict_get(const ct_pv *d, const char *key) {
    if (d->kind != PV_DICT) return NULL;
    for (size_t i = 0; i + 1 < d->u.seq.n; i += 2)
        if (d->u.seq.items[i]->kind == PV_STR && !strcmp(d->u.seq.items[i]->u.str.s, key)) return d->u.seq.items[i + 1];
    return NULL;
}

ct_pv *ct__legacy_load(ct_unpickler **out, const ct_io_buf *b) {
    const uint8_t *p = b->p + sizeof MAGIC, *end = b->p + b->n;
    size_t used;
    ct_unpickler *u = ct__unpickler_new(NULL, NULL, true);
    *out = u;
    if (!u) return NULL;
    ct__unpickler_limit(u, b->n);
    const ct_pv *v = ct__unpickle(u, p, (size_t)(end - p), &used);
    if (!v) return NULL;
    if (v->kind != PV_INT || v->u.i != 1001) {
        ct__error("Invalid protocol version: %lld", v->kind == PV_INT ? (long long)v->u.i : -1LL);
        return NULL;
    }
    p += used;
    const ct_pv *sys = ct__unpickle(u, p, (size_t)(end - p), &used);
    if (!sys) return NULL;
    p += used;
    const ct_pv *le = dict_get(sys, "little_endian");
    bool big = le && le->kind == PV_BOOL && !le->u.b;
    ct_pv *obj = ct__unpickle(u, p, (size_t)(end - p), &used);
    if (!obj) return NULL;
    p += used;
    const ct_pv *keys = ct__unpickle(u, p, (size_t)(end - p), &used);
    if (!keys) return NULL;
    p += used;
    if (keys->kind != PV_LIST || keys->u.seq.n != ct__unpickler_nstorages(u)) {
        ct__error("legacy file: the storage key list does not match the storages of the object");
        return NULL;
    }
    for (size_t i = 0; i < keys->u.seq.n; i++) {
        const ct_pv *k = keys->u.seq.items[i];
        ct_pv_storage *st = NULL;
        for (size_t j = 0; k->kind == PV_STR && j < ct__unpickler_nstorages(u); j++)
            if (!strcmp(ct__unpickler_storage(u, j)->key, k->u.str.s)) st = ct__unpickler_storage(u, j);
        if (!st || !st->s) {
            ct__error("legacy file: unknown or repeated storage key in the key list");
            return NULL;
        }
        size_t item = ct__traits(st->dtype)->itemsize;
        uint64_t nbytes = (uint64_t)st->numel * item;
        if ((size_t)(end - p) < 8 || ct__rd64(p) != (uint64_t)st->numel || (size_t)(end - p) - 8 < nbytes) {
            ct__error("legacy file: storage %s is truncated or its size does not match (%lld elements)", st->key,
                      (long long)st->numel);
            return NULL;
        }
        p += 8;
        if (nbytes) memcpy(st->s->data, p, (size_t)nbytes);
        if (big) ct__byteswap(st->s->data, (size_t)st->numel, item);
        p += nbytes;
        /* a key read once: a repeated key would find st->s already filled; mark it */
        st->key[0] = 0;
    }
    return obj;
}
