/* Internal: binary (and ternary) elementwise kernels over a strided iterator.
 * Operand 0 is the output; inputs have the output's dtype (the ops layer
 * converts them first), except where's condition (bool) and the compare
 * kernels (bool output, float64 inputs). float16/bfloat16 compute in float32
 * and round on store. */
#ifndef CT_KERNELS_CPU_BINARY_H
#define CT_KERNELS_CPU_BINARY_H

#include <stdbool.h>

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

typedef enum ct_binary_kind {
    CT_BINARY_ADD, /* a + alpha * b (fused, as PyTorch's vectorized add) */
    CT_BINARY_MUL,
    CT_BINARY_DIV,       /* true division (floating dtypes) */
    CT_BINARY_DIV_TRUNC, /* trunc(a / b); integers: C division, ZeroDivisionError */
    CT_BINARY_DIV_FLOOR, /* floor(a / b) as PyTorch's div_floor_floating / _integer */
    CT_BINARY_REMAINDER, /* Python's %: the sign of b */
    CT_BINARY_FMOD,      /* C's fmod / %: the sign of a */
    CT_BINARY_POW,       /* a ** b; integers as PyTorch's powi */
    CT_BINARY_ATAN2,
    CT_BINARY_HYPOT,
    CT_BINARY_MAXIMUM, /* NaN propagates */
    CT_BINARY_MINIMUM,
    CT_BINARY_FMAX, /* NaN ignored unless both are NaN */
    CT_BINARY_FMIN,
    CT_NUM_BINARY
} ct_binary_kind;

/* Returns CT_ERROR with "\"add_cpu\" not implemented for 'Bool'"-style
 * messages for unsupported dtypes, and "ZeroDivisionError" for an integer
 * division (trunc/floor/remainder/fmod) by zero. */
int ct__kernel_binary(ct_binary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double alpha);

/* Four-operand kernels: out, x, y, z (all of dtype; WHERE's x is bool). */
typedef enum ct_ternary_kind {
    CT_TERNARY_WHERE, /* x ? y : z */
    CT_TERNARY_LERP,  /* x + z * (y - x), PyTorch's two-sided formula */
    CT_TERNARY_CLAMP, /* min(max(x, y), z); NaN if y or z is NaN */
    CT_NUM_TERNARY
} ct_ternary_kind;
int ct__kernel_ternary(ct_ternary_kind kind, const ct_strided_iter *it, ct_dtype dtype);

/* lerp with a scalar weight: out, x, y. */
int ct__kernel_lerp_scalar(const ct_strided_iter *it, ct_dtype dtype, double weight);

/* clamp with scalar bounds: out, x. has_lo/has_hi select clamp_min /
 * clamp_max / clamp (the kernel names in the messages follow). A NaN
 * input stays NaN; a NaN bound is ignored (the ops layer handles PyTorch's
 * NaN-bound fills). */
int ct__kernel_clamp_scalar(const ct_strided_iter *it, ct_dtype dtype, bool has_lo, double lo, bool has_hi,
                            double hi);

/* Masks for backward formulas: out bool, inputs float64. */
typedef enum ct_mask_kind {
    CT_MASK_EQ,
    CT_MASK_LT,
    CT_MASK_LE,
    CT_MASK_GT,
    CT_MASK_GE,
    CT_MASK_GE_OR_B_NAN, /* a >= b || isnan(b) */
    CT_MASK_LE_OR_B_NAN, /* a <= b || isnan(b) */
    CT_NUM_MASK
} ct_mask_kind;
void ct__kernel_mask(ct_mask_kind kind, const ct_strided_iter *it);

#endif
