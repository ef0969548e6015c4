/* ctorch/io.h — PyTorch .pt files (torch.save / torch.load) and safetensors.
 *
 * Reading is safe on untrusted files: the .pt reader is a restricted
 * unpickler (the allow-list of torch.load(weights_only=True): OrderedDict,
 * _rebuild_tensor_v2/_v3, _rebuild_parameter, the storage classes and
 * dtypes); nothing is executed, every size and offset is checked, and
 * malformed input gives NULL / CT_ERROR with a one-line ct_last_error().
 *
 * Names: nested dicts, lists and tuples are flattened with dots
 * ({'model': {'0': {'weight': t}}} -> "model.0.weight", a list's items get
 * "0", "1", ...); non-tensor values (ints, floats, strings, None: an
 * optimizer's step counts and param_groups) are dropped; a file holding a
 * single tensor loads as one entry named "".
 *
 * Tensors loaded from one storage share memory as in PyTorch (views keep
 * their offset / size / stride). Loaded tensors are new references owned by
 * the returned ct_state_dict (free it with ct_state_dict_free; take your own
 * reference with ct_ref to keep one longer). A saved nn.Parameter loads
 * with requires_grad set; state_dict() tensors load as plain tensors.
 *
 * dtypes: every ctorch dtype (bool, uint8, int8, int16, int32, int64,
 * float16, bfloat16, float32, float64). Complex and other storages are
 * refused ("unsupported storage type ComplexFloatStorage").
 */
#ifndef CTORCH_IO_H
#define CTORCH_IO_H

#include <stddef.h>

#include "error.h"
#include "nn.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- .pt (PyTorch >= 1.6 zip files; legacy pre-1.6 files are read too) ---- */

/* torch.load(path, weights_only=True) flattened into a name -> tensor map. */
ct_state_dict *ct_load(const char *path);
/* The same on a file image in memory (data borrowed for the call only). */
ct_state_dict *ct_load_buffer(const void *data, size_t size);

/* torch.save(state_dict, path): a zip that torch.load(path,
 * weights_only=True) in PyTorch 1.13.1 reads back as an OrderedDict with
 * the same names, dtypes, shapes, strides and values. Storages shared by
 * several tensors are written once (views stay views); record data is
 * 64-byte aligned; zip64 records appear when a size or offset reaches
 * 4 GiB. The record prefix is the file's basename without its last
 * extension, as PyTorch's. CT_ERROR on a NULL argument, an I/O error or
 * an empty name. */
CT_NODISCARD int ct_save(const char *path, const ct_state_dict *sd);

/* torch.save(t, path) / torch.load(path) for one tensor. ct_load_tensor
 * fails ("... holds N tensors, not one tensor") unless the file's object is
 * a single tensor (a nested container with exactly one tensor is
 * accepted). Returns a new reference. */
CT_NODISCARD int ct_save_tensor(const char *path, const ct_tensor *t);
ct_tensor *ct_load_tensor(const char *path);

/* Optimizer state dicts (hook for later): ct_load already reads a
 * checkpoint {'model': ..., 'optimizer': opt.state_dict()} into names such
 * as "optimizer.state.0.exp_avg" (param_groups' scalars are dropped);
 * writing an optimizer state_dict with its scalars is not implemented yet. */

/* ---- safetensors ---- */

/* The "__metadata__" string -> string map of a safetensors header. */
typedef struct ct_metadata {
    int n;
    char **keys;
    char **values;
} ct_metadata;
/* Add or replace a pair (copies both strings). */
CT_NODISCARD int ct_metadata_set(ct_metadata *m, const char *key, const char *value);
/* Free the strings and reset m to empty (m itself is the caller's). */
void ct_metadata_clear(ct_metadata *m);

/* Read a safetensors file; metadata (may be NULL) receives __metadata__
 * (clear it with ct_metadata_clear). Each tensor gets its own storage.
 * Checks: header length <= 100,000,000, valid JSON, known dtypes, no
 * duplicate names, offsets that tile the data buffer with no hole or
 * overlap, byte sizes equal to prod(shape) * itemsize, file size. */
ct_state_dict *ct_safetensors_load(const char *path, ct_metadata *metadata);
ct_state_dict *ct_safetensors_load_buffer(const void *data, size_t size, ct_metadata *metadata);
/* Write sd (tensors in C order, little-endian; non-contiguous tensors are
 * copied, tensors sharing a storage are written once each) with optional
 * metadata (may be NULL). Entries are sorted by descending element size,
 * then name; the header is padded with spaces to a multiple of 8. */
CT_NODISCARD int ct_safetensors_save(const char *path, const ct_state_dict *sd, const ct_metadata *metadata);

/* ---- file kind ---- */
typedef enum ct_file_format {
    CT_FORMAT_UNKNOWN = 0,
    CT_FORMAT_PT_ZIP,    /* torch.save since 1.6 */
    CT_FORMAT_PT_LEGACY, /* torch.save before 1.6 */
    CT_FORMAT_SAFETENSORS
} ct_file_format;
/* Guess from the first bytes of the file (not the extension);
 * CT_FORMAT_UNKNOWN also when the file cannot be read (error set). */
ct_file_format ct_file_format_of(const char *path);

#ifdef __cplusplus
}
#endif
#endif
