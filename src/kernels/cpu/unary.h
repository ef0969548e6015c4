/* Internal: unary elementwise kernels over a strided iterator. Operand 0 is
 * the output; inputs have the output's dtype (the ops layer converts them
 * first). float16/bfloat16 compute in float32 and round on store. A dtype
 * PyTorch 1.13's CPU kernel does not dispatch for fails with its message
 * ("\"exp_vml_cpu\" not implemented for 'Half'"). */
#ifndef CT_KERNELS_CPU_UNARY_H
#define CT_KERNELS_CPU_UNARY_H

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

typedef enum ct_unary_kind {
    CT_UNARY_NEG,
    CT_UNARY_EXP,
    CT_UNARY_LOG,
    CT_UNARY_SIN,
    CT_UNARY_COS,
    CT_UNARY_TANH,
    CT_UNARY_SIGMOID,
    CT_UNARY_RELU,
    CT_UNARY_SQRT,
    CT_UNARY_POW, /* x ** p[0] */
    CT_UNARY_SIGN,
    CT_UNARY_ABS,
    CT_UNARY_RECIPROCAL,
    CT_UNARY_RSQRT,
    CT_UNARY_SQUARE, /* integers only (floats go through pow) */
    CT_UNARY_EXP2,
    CT_UNARY_EXPM1,
    CT_UNARY_LOG2,
    CT_UNARY_LOG10,
    CT_UNARY_LOG1P,
    CT_UNARY_TAN,
    CT_UNARY_ASIN,
    CT_UNARY_ACOS,
    CT_UNARY_ATAN,
    CT_UNARY_SINH,
    CT_UNARY_COSH,
    CT_UNARY_ASINH,
    CT_UNARY_ACOSH,
    CT_UNARY_ATANH,
    CT_UNARY_LOGIT, /* p[0] = eps (< 0: no clamping) */
    CT_UNARY_ERF,
    CT_UNARY_ERFC,
    CT_UNARY_ERFINV,
    CT_UNARY_LGAMMA,
    CT_UNARY_DIGAMMA,
    CT_UNARY_TRIGAMMA,
    CT_UNARY_POLYGAMMA, /* p[0] = n >= 2 */
    CT_UNARY_FLOOR,
    CT_UNARY_CEIL,
    CT_UNARY_ROUND,
    CT_UNARY_ROUND_DECIMALS, /* p[0] = 10^|decimals|, p[1] = 1 if decimals < 0 */
    CT_UNARY_TRUNC,
    CT_UNARY_FRAC,
    CT_UNARY_NAN_TO_NUM, /* p[0] = nan, p[1] = posinf, p[2] = neginf replacements */
    CT_UNARY_INRANGE_MASK, /* 1 where !(x < p[0] || x > p[1]), else 0 */
    CT_UNARY_ISFINITE_MASK, /* 1 where x is finite, else 0 */
    CT_NUM_UNARY
} ct_unary_kind;

/* kind over it in dtype with one parameter p (p[0]). */
int ct__kernel_unary(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double p);
/* kind with up to three parameters. */
int ct__kernel_unary3(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, const double p[3]);
/* Operands (out, mask, a), one floating dtype: out = mask != 0 ? a : fill. */
int ct__kernel_select(const ct_strided_iter *it, ct_dtype dtype, double fill);

#endif
