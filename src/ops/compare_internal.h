/* Internal: what src/ops/compare.c (comparisons, logical ops) and
 * src/ops/logical.c (bitwise ops, shifts) share — the converted-inputs
 * forward over a broadcast and the wrapped-number scalars. Defined in
 * compare.c. */
#ifndef CT_OPS_COMPARE_INTERNAL_H
#define CT_OPS_COMPARE_INTERNAL_H

#include "kernels/cpu/compare.h"
#include "ops/op_util.h"

/* Which kernel family ct__bool_family_forward runs. */
typedef enum ct__bool_family {
    CT__FAMILY_COMPARE, /* ct__kernel_compare(ct_compare_kind): bool out */
    CT__FAMILY_BITWISE  /* ct__kernel_bitwise(ct_bitwise_kind): out in dtype */
} ct__bool_family;

/* x in dtype without autograd history: x itself (new reference) or a
 * converted copy. */
ct_tensor *ct__converted(const ct_tensor *x, ct_dtype dtype);

/* A Python scalar s (a 0-dim tensor, consumed; NULL passes through) cast
 * to dtype as TensorIterator casts a wrapped number: without overflow
 * checks (1e10 in float16 is inf, (int8)1000 is -24). */
ct_tensor *ct__wrapped_number(ct_tensor *s, ct_dtype dtype);

/* out = kind(a, b) over the broadcast of a and b (b == NULL: unary, a's
 * shape), both converted to dtype first; the compare family gives bool,
 * the bitwise family dtype. kind is a ct_compare_kind or ct_bitwise_kind. */
ct_tensor *ct__bool_family_forward(ct__bool_family family, int kind, const ct_tensor *a, const ct_tensor *b,
                                   ct_dtype dtype);

/* The tensor-tensor form: NULL (no message) for a NULL argument, else the
 * forward in torch.result_type(a, b). */
ct_tensor *ct__bool_family_tensor(ct__bool_family family, int kind, const ct_tensor *a, const ct_tensor *b);

/* The tensor-scalar form: the forward of a with the wrapped scalar s
 * (consumed; NULL, from a failed allocation, gives NULL) in dtype. */
ct_tensor *ct__bool_family_scalar(ct__bool_family family, int kind, const ct_tensor *a, ct_tensor *s,
                                  ct_dtype dtype);

#endif
