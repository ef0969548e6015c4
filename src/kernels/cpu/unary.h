/* Internal: unary elementwise kernels over a strided iterator. Operand 0 is
 * the output; inputs have the output's dtype (the ops layer converts them
 * first). float16/bfloat16 compute in float32 and round on store. */
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
    CT_UNARY_POW,  /* x ** p */
    CT_UNARY_SIGN,
    CT_NUM_UNARY
} ct_unary_kind;

int ct__kernel_unary(ct_unary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double p);

#endif
