/* ctorch/dtype.h — element types, their traits, type promotion and the
 * float16 / bfloat16 conversions. */
#ifndef CTORCH_DTYPE_H
#define CTORCH_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CT_DTYPE_DEFAULT (0) means "not given": each function then uses PyTorch's
 * default for that call (usually the default float dtype, float32). */
typedef enum ct_dtype {
    CT_DTYPE_DEFAULT = 0,
    CT_BOOL,
    CT_UINT8,
    CT_INT8,
    CT_INT16,
    CT_INT32,
    CT_INT64,
    CT_FLOAT16,
    CT_BFLOAT16,
    CT_FLOAT32,
    CT_FLOAT64,
    CT_NUM_DTYPES
} ct_dtype;

/* PyTorch's aliases: torch.float, torch.double, torch.half, torch.long, ... */
#define CT_FLOAT CT_FLOAT32
#define CT_DOUBLE CT_FLOAT64
#define CT_HALF CT_FLOAT16
#define CT_LONG CT_INT64
#define CT_INT CT_INT32
#define CT_SHORT CT_INT16

/* "float32", "int64", ... (PyTorch prints these after "torch."); "undefined"
 * for an invalid value. */
const char *ct_dtype_name(ct_dtype dtype);
/* Bytes per element (torch.Tensor.element_size), 0 for an invalid dtype. */
size_t ct_dtype_itemsize(ct_dtype dtype);
/* dtype.is_floating_point / dtype.is_signed; integral excludes bool. */
bool ct_dtype_is_floating_point(ct_dtype dtype);
bool ct_dtype_is_signed(ct_dtype dtype);
bool ct_dtype_is_integral(ct_dtype dtype, bool include_bool);
bool ct_dtype_is_valid(ct_dtype dtype);

/* torch.promote_types(a, b). CT_DTYPE_DEFAULT if either is invalid. */
ct_dtype ct_promote_types(ct_dtype a, ct_dtype b);

/* torch.get_default_dtype / torch.set_default_dtype (any floating dtype;
 * others: "only floating-point types are supported as the default type").
 * Process-wide. */
ct_dtype ct_get_default_dtype(void);
CT_NODISCARD int ct_set_default_dtype(ct_dtype dtype);

/* IEEE binary16 and bfloat16 conversions, round to nearest even, NaN kept
 * as a quiet NaN (bfloat16 NaN -> 0x7FC0 as in c10::BFloat16). */
uint16_t ct_float_to_half(float f);
float ct_half_to_float(uint16_t h);
uint16_t ct_float_to_bfloat16(float f);
float ct_bfloat16_to_float(uint16_t b);

#ifdef __cplusplus
}
#endif
#endif
