/* Internal: the pieces the .pt, legacy and safetensors readers/writers share:
 * a read-only byte buffer (mapped file), the zip container, the restricted
 * unpickler with its storage table, and the flattening of the unpickled
 * object into a name -> tensor map. Spec: /work/shared/specs/pt-format.md. */
#ifndef CT_IO_IMPL_H
#define CT_IO_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctorch/io.h"
#include "tensor/tensor_impl.h"

/* ---- bytes ---- */
typedef struct ct_io_buf {
    const uint8_t *p;
    size_t n;
    void *map; /* mmap'd region (or malloc'd copy) to release, NULL if borrowed */
    size_t map_len;
    bool mapped;
} ct_io_buf;

/* Map path read-only (an empty file gives n == 0). CT_ERROR with
 * "[Errno 2] No such file or directory: 'path'" style errors. */
int ct__io_map(const char *path, ct_io_buf *b);
void ct__io_unmap(ct_io_buf *b);

static inline uint16_t ct__rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t ct__rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t ct__rd64(const uint8_t *p) { return ct__rd32(p) | ((uint64_t)ct__rd32(p + 4) << 32); }

/* ---- zip reader (stored entries only) ---- */
typedef struct ct_zip_entry {
    const char *name; /* points into the central directory, name_len bytes, not NUL-terminated */
    size_t name_len;
    uint64_t data_off, size;
    uint32_t crc;
} ct_zip_entry;

typedef struct ct_zip {
    const ct_io_buf *buf;
    ct_zip_entry *e;
    size_t n;
    char prefix[512]; /* "P/" */
    size_t prefix_len;
} ct_zip;

/* Parse and check the whole directory (spec §1 and §7). */
int ct__zip_open(ct_zip *z, const ct_io_buf *b);
void ct__zip_close(ct_zip *z);
/* The record prefix + rel ("data.pkl"), NULL if absent (no error set). */
const ct_zip_entry *ct__zip_find(const ct_zip *z, const char *rel);
/* Data of an entry after a CRC-32 check; NULL with the error set. */
const uint8_t *ct__zip_data(const ct_zip *z, const ct_zip_entry *e);

/* ---- zip writer ---- */
typedef struct ct_zip_writer {
    FILE *f;
    uint64_t off;
    struct ct_zw_entry {
        char *name;
        uint64_t off, size;
        uint32_t crc;
    } *e;
    size_t n, cap;
    bool failed;
} ct_zip_writer;

int ct__zip_writer_open(ct_zip_writer *w, const char *path);
/* One stored record, 64-byte aligned data. */
int ct__zip_write(ct_zip_writer *w, const char *name, const void *data, uint64_t size);
/* Central directory + (zip64) end records; closes the file. */
int ct__zip_writer_finish(ct_zip_writer *w);
/* Close without finishing (after an error): the partial file is removed. */
void ct__zip_writer_abort(ct_zip_writer *w, const char *path);

/* ---- restricted unpickler ---- */
enum ct_pv_kind {
    PV_NONE, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_TUPLE, PV_LIST, PV_DICT, PV_GLOBAL, PV_STORAGE, PV_TENSOR
};

/* The allowed GLOBALs (spec §3), matched exactly. */
enum ct_pv_global {
    G_ORDERED_DICT, G_REBUILD_V2, G_REBUILD_V3, G_REBUILD_PARAM, G_REBUILD_PARAM_STATE,
    G_STORAGE,   /* torch <X>Storage: dtype in pv.dtype (CT_DTYPE_DEFAULT + byte storage for Untyped) */
    G_DTYPE,     /* torch float32 ...: dtype in pv.dtype */
};

typedef struct ct_pv ct_pv;
struct ct_pv {
    int kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            char *s;
            size_t n;
        } str;
        struct {
            ct_pv **items; /* a dict stores key, value, key, value, ... */
            size_t n, cap;
        } seq;
        struct {
            int which;
            ct_dtype dtype;
            bool untyped;
        } g;
        struct ct_pv_storage *st;
        ct_tensor *t;
    } u;
};

/* One storage referenced by key (spec §2 persistent ids). */
typedef struct ct_pv_storage {
    char key[65];
    ct_dtype dtype;
    int64_t numel; /* elements */
    ct_storage *s; /* owned reference */
} ct_pv_storage;

typedef struct ct_unpickler ct_unpickler;
/* Fills a new storage's bytes (zip: the data/<key> record). May be NULL
 * (legacy: the data follows the pickles). */
typedef int (*ct_storage_fill_fn)(void *ctx, ct_pv_storage *st);

ct_unpickler *ct__unpickler_new(ct_storage_fill_fn fill, void *ctx, bool legacy);
void ct__unpickler_free(ct_unpickler *u);
/* Run one pickle from data[0..n). *used receives its length (through STOP);
 * with used == NULL trailing bytes are an error. The value lives as long as
 * the unpickler. NULL with the error set. */
ct_pv *ct__unpickle(ct_unpickler *u, const uint8_t *data, size_t n, size_t *used);
size_t ct__unpickler_nstorages(const ct_unpickler *u);
/* Without a fill callback (legacy), storages together may allocate at most
 * max_bytes (the file's size): a huge declared numel is refused before any
 * allocation. */
void ct__unpickler_limit(ct_unpickler *u, uint64_t max_bytes);
ct_pv_storage *ct__unpickler_storage(ct_unpickler *u, size_t i);

/* Flatten dicts / lists / tuples of tensors into sd with "a.b.0" names
 * (scalars dropped; a bare tensor becomes the name ""). */
int ct__pv_flatten(const ct_pv *v, ct_state_dict *sd);

/* Reverse each element's bytes in place (byteorder "big"). */
void ct__byteswap(void *data, size_t numel, size_t itemsize);

/* dtype from a torch storage class name ("FloatStorage") or dtype name
 * ("float32"); CT_DTYPE_DEFAULT if unknown. */
ct_dtype ct__dtype_from_storage_name(const char *name, size_t n);

/* Legacy (pre-1.6) reader on a whole buffer. */
ct_pv *ct__legacy_load(ct_unpickler **u, const ct_io_buf *b);
bool ct__is_legacy(const ct_io_buf *b);

#endif
