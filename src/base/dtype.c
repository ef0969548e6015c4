/* The dtype traits table, type promotion and the default dtype. */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"

/* ---- exact conversions to integers (see dtype_traits.h) ---- */

int64_t ct__double_to_int64(double v) {
    /* cvttsd2si: NaN or outside [-2^63, 2^63) gives INT64_MIN */
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)v;
}

int32_t ct__double_to_int32(double v) {
    if (!(v > -2147483649.0 && v < 2147483648.0)) return INT32_MIN;
    return (int32_t)v;
}

/* ---- per-dtype element access ---- */

#define CT_DEFINE_ACCESS(NAME, CTYPE, TO_DOUBLE, FROM_DOUBLE, TO_INT64)                   \
    static double load_double_##NAME(const void *p) {                                    \
        CTYPE x;                                                                         \
        memcpy(&x, p, sizeof x);                                                         \
        return TO_DOUBLE;                                                                \
    }                                                                                    \
    static int64_t load_int64_##NAME(const void *p) {                                    \
        CTYPE x;                                                                         \
        memcpy(&x, p, sizeof x);                                                         \
        return TO_INT64;                                                                 \
    }                                                                                    \
    static void store_double_##NAME(void *p, double v) {                                 \
        CTYPE x = FROM_DOUBLE;                                                           \
        memcpy(p, &x, sizeof x);                                                         \
    }

CT_DEFINE_ACCESS(bool, uint8_t, (double)(x != 0), (uint8_t)(v != 0), (int64_t)(x != 0))
CT_DEFINE_ACCESS(uint8, uint8_t, (double)x, (uint8_t)ct__double_to_int64(v), (int64_t)x)
CT_DEFINE_ACCESS(int8, int8_t, (double)x, (int8_t)(uint8_t)ct__double_to_int64(v), (int64_t)x)
CT_DEFINE_ACCESS(int16, int16_t, (double)x, (int16_t)(uint16_t)ct__double_to_int64(v), (int64_t)x)
CT_DEFINE_ACCESS(int32, int32_t, (double)x, ct__double_to_int32(v), (int64_t)x)
CT_DEFINE_ACCESS(int64, int64_t, (double)x, ct__double_to_int64(v), x)
CT_DEFINE_ACCESS(float16, uint16_t, (double)ct_half_to_float(x), ct_float_to_half((float)v),
                 ct__double_to_int64((double)ct_half_to_float(x)))
CT_DEFINE_ACCESS(bfloat16, uint16_t, (double)ct_bfloat16_to_float(x), ct_float_to_bfloat16((float)v),
                 ct__double_to_int64((double)ct_bfloat16_to_float(x)))
CT_DEFINE_ACCESS(float32, float, (double)x, (float)v, ct__double_to_int64((double)x))
CT_DEFINE_ACCESS(float64, double, x, v, ct__double_to_int64(x))

#define CT_TRAITS(NAME, STORAGE, SCALAR, SIZE, FLOATING, SIGNED)                                  \
    {.name = #NAME, .storage_name = STORAGE, .scalar_name = SCALAR, .itemsize = SIZE, .is_floating = FLOATING,  \
     .is_signed = SIGNED, .load_double = load_double_##NAME, .load_int64 = load_int64_##NAME, \
     .store_double = store_double_##NAME}

const ct_dtype_traits ct__dtype_traits[CT_NUM_DTYPES] = {
    [CT_DTYPE_DEFAULT] = {.name = "undefined", .storage_name = "", .scalar_name = "Undefined", .itemsize = 0},
    [CT_BOOL] = CT_TRAITS(bool, "BoolStorage", "Bool", 1, false, false),
    [CT_UINT8] = CT_TRAITS(uint8, "ByteStorage", "Byte", 1, false, false),
    [CT_INT8] = CT_TRAITS(int8, "CharStorage", "Char", 1, false, true),
    [CT_INT16] = CT_TRAITS(int16, "ShortStorage", "Short", 2, false, true),
    [CT_INT32] = CT_TRAITS(int32, "IntStorage", "Int", 4, false, true),
    [CT_INT64] = CT_TRAITS(int64, "LongStorage", "Long", 8, false, true),
    [CT_FLOAT16] = CT_TRAITS(float16, "HalfStorage", "Half", 2, true, true),
    [CT_BFLOAT16] = CT_TRAITS(bfloat16, "BFloat16Storage", "BFloat16", 2, true, true),
    [CT_FLOAT32] = CT_TRAITS(float32, "FloatStorage", "Float", 4, true, true),
    [CT_FLOAT64] = CT_TRAITS(float64, "DoubleStorage", "Double", 8, true, true),
};

bool ct_dtype_is_valid(ct_dtype d) { return d > CT_DTYPE_DEFAULT && d < CT_NUM_DTYPES; }

const char *ct_dtype_name(ct_dtype d) { return ct_dtype_is_valid(d) ? ct__dtype_traits[d].name : "undefined"; }

size_t ct_dtype_itemsize(ct_dtype d) { return ct_dtype_is_valid(d) ? ct__dtype_traits[d].itemsize : 0; }

bool ct_dtype_is_floating_point(ct_dtype d) { return ct_dtype_is_valid(d) && ct__dtype_traits[d].is_floating; }

bool ct_dtype_is_signed(ct_dtype d) { return ct_dtype_is_valid(d) && ct__dtype_traits[d].is_signed; }

bool ct_dtype_is_integral(ct_dtype d, bool include_bool) {
    if (!ct_dtype_is_valid(d)) return false;
    if (d == CT_BOOL) return include_bool;
    return !ct__dtype_traits[d].is_floating;
}

/* torch.promote_types: bool < integers < floating; within integers the
 * wider wins, and uint8 with a signed type needs at least int16; within
 * floating types float16 with bfloat16 gives float32. */
ct_dtype ct_promote_types(ct_dtype a, ct_dtype b) {
    if (!ct_dtype_is_valid(a) || !ct_dtype_is_valid(b)) return CT_DTYPE_DEFAULT;
    if (a == b) return a;
    if (a == CT_BOOL) return b;
    if (b == CT_BOOL) return a;
    bool fa = ct__dtype_traits[a].is_floating, fb = ct__dtype_traits[b].is_floating;
    if (fa && fb) {
        if ((a == CT_FLOAT16 && b == CT_BFLOAT16) || (a == CT_BFLOAT16 && b == CT_FLOAT16)) return CT_FLOAT32;
        return a > b ? a : b; /* enum order: float16, bfloat16 < float32 < float64 */
    }
    if (fa) return a;
    if (fb) return b;
    if (a == CT_UINT8 || b == CT_UINT8) {
        ct_dtype other = a == CT_UINT8 ? b : a;
        return other == CT_INT8 ? CT_INT16 : other;
    }
    return a > b ? a : b; /* int8 < int16 < int32 < int64 */
}

static atomic_int g_default_dtype = CT_FLOAT32;

ct_dtype ct_get_default_dtype(void) { return (ct_dtype)atomic_load(&g_default_dtype); }

int ct_set_default_dtype(ct_dtype d) {
    if (!ct_dtype_is_floating_point(d)) {
        ct__error("only floating-point types are supported as the default type");
        return CT_ERROR;
    }
    atomic_store(&g_default_dtype, (int)d);
    return CT_OK;
}
