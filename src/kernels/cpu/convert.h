/* Internal: element conversion between any two dtypes, as PyTorch's
 * c10::convert / static_cast does on x86-64 (docs/conversion.md). */
#ifndef CT_KERNELS_CPU_CONVERT_H
#define CT_KERNELS_CPU_CONVERT_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/dtype.h"

/* Every dtype: enum, name, C storage type, load kind (I: integral -> int64,
 * H/B: float16/bfloat16 -> double, F: float -> double). */
#define CT_FOR_EACH_DTYPE(X)                                                                                           \
    X(CT_BOOL, bool8, uint8_t, BOOL)                                                                                   \
    X(CT_UINT8, uint8, uint8_t, I)                                                                                     \
    X(CT_INT8, int8, int8_t, I)                                                                                        \
    X(CT_INT16, int16, int16_t, I)                                                                                     \
    X(CT_INT32, int32, int32_t, I)                                                                                     \
    X(CT_INT64, int64, int64_t, I)                                                                                     \
    X(CT_FLOAT16, float16, uint16_t, H)                                                                                \
    X(CT_BFLOAT16, bfloat16, uint16_t, B)                                                                              \
    X(CT_FLOAT32, float32, float, F)                                                                                   \
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

#define CT_CONVERT_TO(NAME, v) _Generic((v), int64_t : ct__##NAME##_from_i64, double : ct__##NAME##_from_f64)(v)

/* c10::checked_convert (Scalar::to<T>), used where PyTorch converts a
 * scalar argument (fill values, range bounds): NULL when v fits dtype, else
 * the C++ type name PyTorch prints in "value cannot be converted to type
 * <name> without overflow". Floating targets accept +-inf and NaN; integral
 * targets reject NaN; conversion to bool never overflows. */
static inline const char *ct__scalar_type_name(ct_dtype d) {
    switch (d) {
    case CT_BOOL:
        return "bool";
    case CT_UINT8:
        return "uint8_t";
    case CT_INT8:
        return "int8_t";
    case CT_INT16:
        return "int16_t";
    case CT_INT32:
        return "int";
    case CT_INT64:
        return "int64_t";
    case CT_FLOAT16:
        return "at::Half";
    case CT_BFLOAT16:
        return "at::BFloat16";
    case CT_FLOAT32:
        return "float";
    case CT_FLOAT64:
        return "double";
    default:
        return "undefined";
    }
}

static inline const char *ct__overflow_f64(ct_dtype d, double v) {
    double lo, hi;
    switch (d) {
    case CT_BOOL:
    case CT_FLOAT64:
        return NULL;
    case CT_UINT8:
        lo = 0, hi = 255;
        break;
    case CT_INT8:
        lo = -128, hi = 127;
        break;
    case CT_INT16:
        lo = -32768, hi = 32767;
        break;
    case CT_INT32:
        lo = -2147483648.0, hi = 2147483647.0;
        break;
    case CT_INT64:
        lo = -9223372036854775808.0, hi = 9223372036854775807.0;
        break; /* hi rounds to 2^63 */
    case CT_FLOAT16:
        lo = -65504.0, hi = 65504.0;
        break;
    case CT_BFLOAT16:
        lo = -3.38953138925153547590e+38, hi = 3.38953138925153547590e+38;
        break;
    case CT_FLOAT32:
        lo = -(double)FLT_MAX, hi = (double)FLT_MAX;
        break;
    default:
        return "undefined";
    }
    bool floating = d == CT_FLOAT16 || d == CT_BFLOAT16 || d == CT_FLOAT32;
    if (floating && (isinf(v) || isnan(v))) return NULL;
    if (isnan(v) || v < lo || v > hi) return ct__scalar_type_name(d);
    return NULL;
}

/* Integral scalars: negative values may wrap into uint8 (two's complement,
 * as c10::overflows allows) as long as -v <= 255. */
static inline const char *ct__overflow_i64(ct_dtype d, int64_t v) {
    int64_t lo, hi;
    switch (d) {
    case CT_UINT8:
        return (v > 255 || v < -255) ? "uint8_t" : NULL;
    case CT_INT8:
        lo = INT8_MIN, hi = INT8_MAX;
        break;
    case CT_INT16:
        lo = INT16_MIN, hi = INT16_MAX;
        break;
    case CT_INT32:
        lo = INT32_MIN, hi = INT32_MAX;
        break;
    default:
        return NULL;
    }
    return (v < lo || v > hi) ? ct__scalar_type_name(d) : NULL;
}

#endif
