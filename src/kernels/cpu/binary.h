/* Internal: binary elementwise kernels over a strided iterator. Operand 0 is
 * the output; inputs have the output's dtype (the ops layer converts them
 * first). float16/bfloat16 compute in float32 and round on store. */
#ifndef CT_KERNELS_CPU_BINARY_H
#define CT_KERNELS_CPU_BINARY_H

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

typedef enum ct_binary_kind {
    CT_BINARY_ADD, /* a + alpha * b (fused, as PyTorch's vectorized add) */
    CT_BINARY_MUL,
    CT_BINARY_DIV, /* true division (floating dtypes) */
    CT_NUM_BINARY
} ct_binary_kind;

/* Returns CT_ERROR with "\"add_cpu\" not implemented for 'Bool'"-style
 * messages for unsupported dtypes. */
int ct__kernel_binary(ct_binary_kind kind, const ct_strided_iter *it, ct_dtype dtype, double alpha);

#endif
