/* libFuzzer target: the legacy (pre-1.6) .pt reader through ct_load_buffer.
 * An input that does not start with the legacy magic number gets it
 * prepended, so mutations reach the five pickles and the raw storages
 * instead of being refused at the first byte. Seeds: legacy*.pt. */
#include <ctorch.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t MAGIC[15] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                  0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ct_state_dict *sd;
    if (size >= sizeof MAGIC && !memcmp(data, MAGIC, sizeof MAGIC)) {
        sd = ct_load_buffer(data, size);
    } else {
        uint8_t *b = malloc(size + sizeof MAGIC);
        if (!b) return 0;
        memcpy(b, MAGIC, sizeof MAGIC);
        if (size) memcpy(b + sizeof MAGIC, data, size);
        sd = ct_load_buffer(b, size + sizeof MAGIC);
        free(b);
    }
    ct_state_dict_free(sd);
    ct_clear_error();
    return 0;
}
