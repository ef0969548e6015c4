/* Internal: helpers shared by src/ops/arithmetic.c and src/ops/binary_math.c
 * (the arithmetic family). */
#ifndef CT_OPS_ARITH_INTERNAL_H
#define CT_OPS_ARITH_INTERNAL_H

#include "kernels/cpu/binary.h"
#include "kernels/cpu/binary.h"
#include "kernels/cpu/unary.h"
#include "ops/op_util.h"

/* out = kind(a, b) computed in dtype (inputs converted), broadcast. */
ct_tensor *ct__binary_forward(ct_binary_kind kind, const ct_tensor *a, const ct_tensor *b, double alpha,
                              ct_dtype dtype);

/* A 0-dim tensor of dtype holding v (is_int: v is an integral Python-like
 * scalar, stored exactly for int64). */
ct_tensor *ct__arith_scalar(double v, bool is_int, ct_dtype dtype);

/* torch.result_type(a, scalar) for an integral (is_int) or floating scalar. */
ct_dtype ct__result_type_scalar_kind(const ct_tensor *a, bool is_int);

/* Remember a's (and b's, if non-NULL) shapes in n for ct__sum_to:
 * ints[0]/shape_arg and ints[1]/shape_arg2. */
void ct__keep_shapes(ct_node *n, const ct_tensor *a, const ct_tensor *b);

/* The common start of every in-place op: NULL checks (no message) and the
 * leaf rule. */
int ct__inplace_check(ct_tensor *a, const ct_tensor *b);

#endif
