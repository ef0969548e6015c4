/* libFuzzer target: the restricted unpickler and the flattening walk on
 * their own. Inside a .pt zip the pickle is guarded by a CRC-32 the fuzzer
 * cannot keep right, so this target feeds the input as data.pkl directly;
 * storages are served by a fill callback as a zip record of exactly the
 * declared size would be (capped at 1 MiB). An input that is a zip (a .pt
 * seed) has its data.pkl record extracted first, so the .pt seeds work. */
#include <ctorch.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "io/io_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fill(void *ctx, ct_pv_storage *st) {
    (void)ctx;
    uint64_t bytes = (uint64_t)st->numel * ct__traits(st->dtype)->itemsize;
    if (bytes > (1u << 20)) {
        ct__error("storage %s: record too large for the fuzzer", st->key);
        return CT_ERROR;
    }
    st->s = ct__storage_new((size_t)bytes);
    if (!st->s) return CT_ERROR;
    if (bytes) memset(st->s->data, 0x3c, (size_t)bytes);
    return CT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ct_io_buf b = {.p = data, .n = size};
    ct_zip z;
    const uint8_t *pkl = data;
    size_t n = size;
    bool zip = size >= 4 && !memcmp(data, "PK\3\4", 4) && ct__zip_open(&z, &b) == CT_OK;
    if (zip) {
        const ct_zip_entry *e = ct__zip_find(&z, "data.pkl");
        pkl = e ? ct__zip_data(&z, e) : NULL;
        n = e ? (size_t)e->size : 0;
    }
    ct_unpickler *u = pkl ? ct__unpickler_new(fill, NULL, false) : NULL;
    ct_pv *v = u ? ct__unpickle(u, pkl, n, NULL) : NULL;
    ct_state_dict *sd = v ? ct_state_dict_new() : NULL;
    if (sd) (void)ct__pv_flatten(v, sd);
    ct_state_dict_free(sd);
    ct__unpickler_free(u);
    if (zip) ct__zip_close(&z);
    ct_clear_error();
    return 0;
}
