/* ctorch/ops_compare.h — comparisons, predicates, logical and bitwise ops (torch.eq, isclose, isnan, logical_and, bitwise_xor, ...).
 * Conventions of every op: see ctorch/ops.h. Details and the decisions
 * where PyTorch was ambiguous: docs/ops-compare.md.
 *
 * Shapes: binary ops broadcast a and b (numpy rules); unary ops keep the
 * shape. Ownership: tensor arguments are borrowed, returned tensors are new
 * references. Errors: NULL (or CT_ERROR) with PyTorch 1.13's message; a
 * NULL tensor argument returns NULL / CT_ERROR without a new message.
 *
 * Autograd: none of these ops is differentiable. Their results never
 * require grad (PyTorch gives them no grad_fn), whatever the inputs. The
 * one exception is PyTorch's: the in-place comparisons (ct_eq_, ...) on a
 * tensor whose history requires grad record EqBackward0 (scalar form) /
 * EqBackward1 (tensor form), ..., whose gradient is zero for every input;
 * in-place logical ops leave the tensor's history as it was. */
#ifndef CTORCH_OPS_COMPARE_H
#define CTORCH_OPS_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- comparisons: a == b, a != b, a < b, a <= b, a > b, a >= b ---------------
 * out: bool, the broadcast shape of a and b. Both are first converted to
 * torch.result_type(a, b) and compared there (int64 vs float32 compares in
 * float32, as PyTorch). NaN compares unequal to everything (ne is true),
 * -0.0 == 0.0. Any dtype, including bool.
 * _scalar: b is a Python float: an integer or bool tensor compares in the
 * default float dtype; a floating tensor in its own dtype (b rounded to it).
 * In-place (a.eq_(b)): a keeps its dtype and receives 0/1 in it; the
 * broadcast shape must be a's ("output with shape [3] doesn't match the
 * broadcast shape [2, 3]"). */
ct_tensor *ct_eq(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_ne(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_lt(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_le(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_gt(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_ge(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_eq_scalar(const ct_tensor *a, double b);
ct_tensor *ct_ne_scalar(const ct_tensor *a, double b);
ct_tensor *ct_lt_scalar(const ct_tensor *a, double b);
ct_tensor *ct_le_scalar(const ct_tensor *a, double b);
ct_tensor *ct_gt_scalar(const ct_tensor *a, double b);
ct_tensor *ct_ge_scalar(const ct_tensor *a, double b);
CT_NODISCARD int ct_eq_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_ne_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_lt_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_le_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_gt_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_ge_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_eq_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_ne_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_lt_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_le_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_gt_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_ge_scalar_(ct_tensor *a, double b);

/* ---- closeness and equality ------------------------------------------------
 * torch.isclose(a, b, rtol, atol, equal_nan): bool, broadcast shape;
 *   close = (a == b) | (equal_nan & isnan(a) & isnan(b))
 *         | (isfinite(|a - b|) & |a - b| <= atol + |rtol * b|)
 * (only a == b when rtol == atol == 0). The error terms are computed in the
 * inputs' dtype (float16/bfloat16 rounded after each step), or in the
 * default float dtype for integer and bool inputs. PyTorch's defaults are
 * rtol = CT_ISCLOSE_RTOL, atol = CT_ISCLOSE_ATOL, equal_nan = false.
 * Errors: a and b of different dtypes ("Long did not match Float"),
 * "rtol must be greater than or equal to zero, but got -1" (same for
 * atol), shapes that do not broadcast. */
#define CT_ISCLOSE_RTOL 1e-05
#define CT_ISCLOSE_ATOL 1e-08
ct_tensor *ct_isclose(const ct_tensor *a, const ct_tensor *b, double rtol, double atol, bool equal_nan);
/* torch.allclose: *result = isclose(...).all(). Returns CT_OK, or CT_ERROR
 * (isclose's errors) with *result untouched. */
CT_NODISCARD int ct_allclose(const ct_tensor *a, const ct_tensor *b, double rtol, double atol, bool equal_nan,
                             bool *result);
/* torch.equal: *result = same shape (no broadcasting) and equal values,
 * compared in torch.result_type(a, b) (float32 [1, 2] equals int64 [1, 2]);
 * NaN makes it false, even against itself. Returns CT_OK / CT_ERROR. */
CT_NODISCARD int ct_equal(const ct_tensor *a, const ct_tensor *b, bool *result);

/* ---- predicates: bool, a's shape, any dtype --------------------------------
 * Integer and bool tensors are never nan or infinite (isfinite: all true). */
ct_tensor *ct_isnan(const ct_tensor *a);
ct_tensor *ct_isinf(const ct_tensor *a);
ct_tensor *ct_isfinite(const ct_tensor *a);
ct_tensor *ct_isposinf(const ct_tensor *a);
ct_tensor *ct_isneginf(const ct_tensor *a);

/* ---- logical ops: any dtypes in, bool out -----------------------------------
 * logical_and / or / xor: a and b are converted to torch.result_type(a, b)
 * first (so a float64 0-dim 1e-50 with a float32 tensor counts as 0, as in
 * PyTorch), then x != 0 is the truth value (NaN is true, -0.0 false).
 * logical_not: a == 0. In-place forms keep a's dtype (0/1 in it) and a's
 * autograd history (PyTorch records nothing for them). */
ct_tensor *ct_logical_and(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_logical_or(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_logical_xor(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_logical_not(const ct_tensor *a);
CT_NODISCARD int ct_logical_and_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_logical_or_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_logical_xor_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_logical_not_(ct_tensor *a);

/* ---- bitwise ops: integers and bool -----------------------------------------
 * out dtype: torch.result_type(a, b); floating results fail with PyTorch's
 * "\"bitwise_and_cpu\" not implemented for 'Float'" (bitwise_or_cpu,
 * bitwise_xor_cpu, bitwise_not_cpu). On bool, and/or/xor/not are logical.
 * _scalar: b is a Python int (int64; wrapped to the tensor's dtype, a bool
 * tensor gives int64). In-place: the result type must cast to a's dtype
 * ("result type Long can't be cast to the desired output type Bool"). */
ct_tensor *ct_bitwise_and(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_bitwise_or(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_bitwise_xor(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_bitwise_not(const ct_tensor *a);
ct_tensor *ct_bitwise_and_scalar(const ct_tensor *a, int64_t b);
ct_tensor *ct_bitwise_or_scalar(const ct_tensor *a, int64_t b);
ct_tensor *ct_bitwise_xor_scalar(const ct_tensor *a, int64_t b);
CT_NODISCARD int ct_bitwise_and_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_bitwise_or_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_bitwise_xor_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_bitwise_not_(ct_tensor *a);
CT_NODISCARD int ct_bitwise_and_scalar_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_bitwise_or_scalar_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_bitwise_xor_scalar_(ct_tensor *a, int64_t b);

/* ---- shifts: integers only (bool and floats: "\"lshift_cpu\" not
 * implemented for 'Bool'", "rshift_cpu") ------------------------------------
 * Computed in torch.result_type(a, b) exactly as PyTorch 1.13 on x86-64:
 * left: (unsigned)a << n, right: arithmetic a >> n, where n is b taken
 * modulo 32 (modulo 64 for int64) — so shifting by >= the width or by a
 * negative count wraps the count (int8 1 << 9 == 0, int64 -2 << 64 == -2,
 * int8 5 >> -1 == 5 >> 31 == 0). */
ct_tensor *ct_bitwise_left_shift(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_bitwise_right_shift(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_bitwise_left_shift_scalar(const ct_tensor *a, int64_t b);
ct_tensor *ct_bitwise_right_shift_scalar(const ct_tensor *a, int64_t b);
CT_NODISCARD int ct_bitwise_left_shift_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_bitwise_right_shift_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_bitwise_left_shift_scalar_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_bitwise_right_shift_scalar_(ct_tensor *a, int64_t b);

#ifdef __cplusplus
}
#endif
#endif
