/* Internal: one traits table describes every dtype (ggml's type_traits). */
#ifndef CT_BASE_DTYPE_TRAITS_H
#define CT_BASE_DTYPE_TRAITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctorch/dtype.h"

typedef struct ct_dtype_traits {
    const char *name;          /* "float32": after "torch." in reprs */
    const char *storage_name;  /* "FloatStorage": the .pt pickle's class */
    const char *scalar_name;   /* "Float": c10::ScalarType's name, as in
                                  "\"add_cpu\" not implemented for 'Float'" */
    size_t itemsize;
    bool is_floating;
    bool is_signed;
    /* Slow, exact-enough element access for printing, item() and tests:
     * every value of every dtype except int64 beyond 2^53 is exact in a
     * double; as_int64 is exact for the integral dtypes. */
    double (*load_double)(const void *p);
    int64_t (*load_int64)(const void *p);
    void (*store_double)(void *p, double v);
} ct_dtype_traits;

extern const ct_dtype_traits ct__dtype_traits[CT_NUM_DTYPES];

static inline const ct_dtype_traits *ct__traits(ct_dtype d) { return &ct__dtype_traits[d]; }

/* Conversion of one value from double to an integral type, defined for every
 * input as x86-64's truncating conversions behave (NaN and out-of-range
 * values give the "integer indefinite" pattern of the conversion width). */
int64_t ct__double_to_int64(double v);
int32_t ct__double_to_int32(double v);

/* Resolve CT_DTYPE_DEFAULT to the default float dtype. */
static inline ct_dtype ct__or_default_float(ct_dtype d) {
    return d == CT_DTYPE_DEFAULT ? ct_get_default_dtype() : d;
}

#endif
