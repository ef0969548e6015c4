/* libFuzzer target: ct_safetensors_load_buffer (header JSON, offsets,
 * metadata) on any bytes. Seeds: tests/parity/data/io/ *.safetensors and
 * the malformed ones in bad/. */
#include <ctorch.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ct_metadata meta = {0};
    ct_state_dict *sd = ct_safetensors_load_buffer(data, size, &meta);
    ct_state_dict_free(sd);
    ct_metadata_clear(&meta);
    ct_clear_error();
    return 0;
}
