/* Internal: kernels of the comparison family over a strided iterator.
 * Operand 0 is the output. Inputs have already been converted to the
 * compute dtype by the ops layer (PyTorch's common dtype); float16 and
 * bfloat16 are widened to float32 (exact) before comparing. */
#ifndef CT_KERNELS_CPU_COMPARE_H
#define CT_KERNELS_CPU_COMPARE_H

#include <stdbool.h>

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

/* bool out = a op b, a and b of dtype. Logical kinds test (x != 0). */
typedef enum ct_compare_kind {
    CT_CMP_EQ,
    CT_CMP_NE,
    CT_CMP_LT,
    CT_CMP_LE,
    CT_CMP_GT,
    CT_CMP_GE,
    CT_CMP_LOGICAL_AND,
    CT_CMP_LOGICAL_OR,
    CT_CMP_LOGICAL_XOR,
    CT_NUM_COMPARE
} ct_compare_kind;

/* bool out = pred(a), a of dtype. */
typedef enum ct_predicate_kind {
    CT_PRED_ISNAN,
    CT_PRED_ISINF,
    CT_PRED_ISFINITE,
    CT_PRED_ISPOSINF,
    CT_PRED_ISNEGINF,
    CT_PRED_LOGICAL_NOT, /* x == 0 */
    CT_NUM_PREDICATE
} ct_predicate_kind;

/* out = a op b in dtype (integers and bool; shifts integers only). NOT is
 * unary (operands out, a). */
typedef enum ct_bitwise_kind {
    CT_BIT_AND,
    CT_BIT_OR,
    CT_BIT_XOR,
    CT_BIT_LSHIFT, /* (unsigned)a << (b mod 32, or mod 64 for int64) as x86 */
    CT_BIT_RSHIFT, /* a >> (b mod 32, or mod 64 for int64), arithmetic */
    CT_BIT_NOT,
    CT_NUM_BITWISE
} ct_bitwise_kind;

int ct__kernel_compare(ct_compare_kind kind, const ct_strided_iter *it, ct_dtype dtype);
int ct__kernel_predicate(ct_predicate_kind kind, const ct_strided_iter *it, ct_dtype dtype);
/* "\"bitwise_and_cpu\" not implemented for 'Float'" / "\"lshift_cpu\" ..." */
int ct__kernel_bitwise(ct_bitwise_kind kind, const ct_strided_iter *it, ct_dtype dtype);

/* bool out = isclose(a, b) as at::isclose computes it, a and b of dtype:
 * (a == b) | (equal_nan & isnan(a) & isnan(b)) |
 * (isfinite(|a - b|) & |a - b| <= atol + |rtol * b|), the error terms in
 * dtype for floating dtypes (float16/bfloat16 rounded after each op), and
 * in float_dtype (the default float dtype) for integers and bool. */
int ct__kernel_isclose(const ct_strided_iter *it, ct_dtype dtype, double rtol, double atol, bool equal_nan,
                       ct_dtype float_dtype);

#endif
