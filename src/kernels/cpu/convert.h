/* Internal: element conversion between any two dtypes, as PyTorch's
 * c10::convert / static_cast does on x86-64 (docs/conversion.md). */
#ifndef CT_KERNELS_CPU_CONVERT_H
#define CT_KERNELS_CPU_CONVERT_H

#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/dtype.h"

/* Every dtype: enum, name, C storage type, load kind (I: integral -> int64,
 * H/B: float16/bfloat16 -> double, F: float -> double). */
#define CT_FOR_EACH_DTYPE(X)            \
    X(CT_BOOL, bool8, uint8_t, BOOL)     \
    X(CT_UINT8, uint8, uint8_t, I)      \
    X(CT_INT8, int8, int8_t, I)         \
    X(CT_INT16, int16, int16_t, I)      \
    X(CT_INT32, int32, int32_t, I)      \
    X(CT_INT64, int64, int64_t, I)      \
    X(CT_FLOAT16, float16, uint16_t, H) \
    X(CT_BFLOAT16, bfloat16, uint16_t, B) \
    X(CT_FLOAT32, float32, float, F)    \
    X(CT_FLOAT64, float64, double, F)

/* load: the exact value as int64 (integral) or double (floating) */
#define CT_LOAD_BOOL(x) ((int64_t)((x) != 0))
#define CT_LOAD_I(x) ((int64_t)(x))
#define CT_LOAD_H(x) ((double)ct_half_to_float(x))
#define CT_LOAD_B(x) ((double)ct_bfloat16_to_float(x))
#define CT_LOAD_F(x) ((double)(x))

/* store: from int64 (integral source) or double (floating source) */
static inline uint8_t ct__bool8_from_i64(int64_t v) { return v != 0; }
static inline uint8_t ct__bool8_from_f64(double v) { return v != 0; }
static inline uint8_t ct__uint8_from_i64(int64_t v) { return (uint8_t)v; }
/* c10 converts floating -> uint8 through int64 */
static inline uint8_t ct__uint8_from_f64(double v) { return (uint8_t)ct__double_to_int64(v); }
static inline int8_t ct__int8_from_i64(int64_t v) { return (int8_t)(uint8_t)v; }
static inline int8_t ct__int8_from_f64(double v) { return (int8_t)(uint8_t)(uint32_t)ct__double_to_int32(v); }
static inline int16_t ct__int16_from_i64(int64_t v) { return (int16_t)(uint16_t)v; }
static inline int16_t ct__int16_from_f64(double v) { return (int16_t)(uint16_t)(uint32_t)ct__double_to_int32(v); }
static inline int32_t ct__int32_from_i64(int64_t v) { return (int32_t)(uint32_t)v; }
static inline int32_t ct__int32_from_f64(double v) { return ct__double_to_int32(v); }
static inline int64_t ct__int64_from_i64(int64_t v) { return v; }
static inline int64_t ct__int64_from_f64(double v) { return ct__double_to_int64(v); }
static inline uint16_t ct__float16_from_i64(int64_t v) { return ct_float_to_half((float)v); }
static inline uint16_t ct__float16_from_f64(double v) { return ct_float_to_half((float)v); }
static inline uint16_t ct__bfloat16_from_i64(int64_t v) { return ct_float_to_bfloat16((float)v); }
static inline uint16_t ct__bfloat16_from_f64(double v) { return ct_float_to_bfloat16((float)v); }
static inline float ct__float32_from_i64(int64_t v) { return (float)v; }
static inline float ct__float32_from_f64(double v) { return (float)v; }
static inline double ct__float64_from_i64(int64_t v) { return (double)v; }
static inline double ct__float64_from_f64(double v) { return v; }

#define CT_CONVERT_TO(NAME, v) _Generic((v), int64_t: ct__##NAME##_from_i64, double: ct__##NAME##_from_f64)(v)

#endif
