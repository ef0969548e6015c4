/* libFuzzer target: ct_load_buffer on any bytes (the .pt reader: zip
 * container, restricted unpickler, legacy files). Seeds: the valid and
 * malformed files of tests/parity/data/io/. Built with CTORCH_FUZZ=ON
 * (fuzz/run.sh). */
#include <ctorch.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ct_state_dict *sd = ct_load_buffer(data, size);
    ct_state_dict_free(sd);
    ct_clear_error();
    return 0;
}
