/* ctorch/ops_arith.h — arithmetic and binary pointwise ops (torch.add, mul, div, pow, clamp, where, ...).
 * Conventions of every op: see ctorch/ops.h. In short:
 *   - a, b: any shapes that broadcast (numpy rules); the result has the
 *     broadcast shape and dtype torch.result_type(a, b);
 *   - `double` scalars act as Python floats (an integer tensor with a double
 *     scalar gives the default float dtype); the `_int` variants take an
 *     int64_t that acts as a Python int (int tensor + 2 stays int);
 *   - results are new references, arguments are borrowed; NULL with
 *     PyTorch's message on error; a NULL tensor argument returns NULL
 *     without touching the last error (except where a parameter is marked
 *     "may be NULL", meaning PyTorch's None);
 *   - in-place forms (trailing _) write into a (which must have the broadcast
 *     shape, and a dtype the result can be cast to: "result type Float can't
 *     be cast to the desired output type Long"), bump its version, refuse
 *     leaves that require grad, and return CT_OK / CT_ERROR;
 *   - backward: every floating input gets a gradient (derivatives.yaml of
 *     PyTorch 1.13, node names as PyTorch's grad_fn). Integer and bool
 *     results never require grad. */
#ifndef CTORCH_OPS_ARITH_H
#define CTORCH_OPS_ARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- add / sub / mul / div: out = a op b ---------------------------------- */
ct_tensor *ct_add(const ct_tensor *a, const ct_tensor *b);                 /* a + b */
ct_tensor *ct_add_alpha(const ct_tensor *a, const ct_tensor *b, double alpha); /* torch.add(a, b, alpha=) */
ct_tensor *ct_add_scalar(const ct_tensor *a, double b);                    /* a + 2.5 */
ct_tensor *ct_add_scalar_int(const ct_tensor *a, int64_t b);               /* a + 2 */
/* bool operands: "Subtraction, the `-` operator, with a bool tensor is not supported. ..." */
ct_tensor *ct_sub(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_sub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha);
ct_tensor *ct_sub_scalar(const ct_tensor *a, double b);
ct_tensor *ct_sub_scalar_int(const ct_tensor *a, int64_t b);
/* torch.rsub(a, b, alpha) = b - alpha * a; ct_rsub_scalar(a, s) = s - a */
ct_tensor *ct_rsub(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_rsub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha);
ct_tensor *ct_rsub_scalar(const ct_tensor *a, double b);
ct_tensor *ct_rsub_scalar_int(const ct_tensor *a, int64_t b);
ct_tensor *ct_mul(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_mul_scalar(const ct_tensor *a, double b);
ct_tensor *ct_mul_scalar_int(const ct_tensor *a, int64_t b);
/* true division: integer inputs give the default float dtype */
ct_tensor *ct_div(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_div_scalar(const ct_tensor *a, double b);
ct_tensor *ct_true_divide(const ct_tensor *a, const ct_tensor *b);         /* = ct_div */
ct_tensor *ct_true_divide_scalar(const ct_tensor *a, double b);
ct_tensor *ct_neg(const ct_tensor *a); /* bool: "Negation, the `-` operator, on a bool tensor is not supported. ..." */

/* torch.div(a, b, rounding_mode=...). CT_ROUND_NONE (zero, the default) is
 * true division; TRUNC and FLOOR keep integer dtypes (integer division by
 * zero: "ZeroDivisionError"; bool: "\"div_floor_cpu\" not implemented for
 * 'Bool'"). Rounded results have a zero gradient (DivBackward2). */
typedef enum ct_rounding_mode { CT_ROUND_NONE = 0, CT_ROUND_TRUNC, CT_ROUND_FLOOR } ct_rounding_mode;
ct_tensor *ct_div_mode(const ct_tensor *a, const ct_tensor *b, ct_rounding_mode mode);
ct_tensor *ct_div_scalar_mode(const ct_tensor *a, double b, ct_rounding_mode mode);
ct_tensor *ct_div_scalar_mode_int(const ct_tensor *a, int64_t b, ct_rounding_mode mode);
/* torch.floor_divide = div(rounding_mode='floor'); as in PyTorch 1.13 it is
 * not differentiable: a floating input requiring grad gives a "NotImplemented"
 * node whose backward fails with "the derivative for 'floor_divide' is not
 * implemented." */
ct_tensor *ct_floor_divide(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_floor_divide_scalar(const ct_tensor *a, double b);
ct_tensor *ct_floor_divide_scalar_int(const ct_tensor *a, int64_t b);

/* torch.remainder: Python's %, the result has b's sign; torch.fmod: C's
 * fmod, the result has a's sign. Integer division by zero: "ZeroDivisionError".
 * Gradients: a gets grad; b gets -grad * div(a, b, floor / trunc). */
ct_tensor *ct_remainder(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_remainder_scalar(const ct_tensor *a, double b);
ct_tensor *ct_remainder_scalar_int(const ct_tensor *a, int64_t b);
ct_tensor *ct_fmod(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_fmod_scalar(const ct_tensor *a, double b);
ct_tensor *ct_fmod_scalar_int(const ct_tensor *a, int64_t b);

/* torch.pow. Integer ** integer stays integer (wrapping; negative exponents
 * give 1, +-1 for bases 1 and -1, else 0); an integer tensor with a negative
 * integer scalar exponent fails: "Integers to negative integer powers are
 * not allowed."; bool ** bool: "\"pow\" not implemented for 'Bool'".
 * ct_pow_scalar(x, e) (a double exponent) is declared in ops_pointwise.h. */
ct_tensor *ct_pow(const ct_tensor *base, const ct_tensor *exponent);
ct_tensor *ct_pow_scalar_int(const ct_tensor *base, int64_t exponent);
ct_tensor *ct_pow_scalar_base(double base, const ct_tensor *exponent);     /* torch.pow(2.5, t) */
ct_tensor *ct_pow_scalar_base_int(int64_t base, const ct_tensor *exponent); /* torch.pow(2, t) */

/* torch.atan2(a, b) (integers and bool give the default float dtype),
 * torch.hypot(a, b) (floating dtypes only). */
ct_tensor *ct_atan2(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_hypot(const ct_tensor *a, const ct_tensor *b);

/* Elementwise max / min. maximum/minimum propagate NaN; fmax/fmin return the
 * other operand when one is NaN. Gradients: maximum/minimum split a tie half
 * and half; fmax/fmin give a tie (and a NaN b) to a. */
ct_tensor *ct_maximum(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_minimum(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_fmax(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_fmin(const ct_tensor *a, const ct_tensor *b);

/* torch.clamp(x, min, max) with scalar bounds: min / max may be NULL (None),
 * not both ("torch.clamp: At least one of 'min' or 'max' must not be None").
 * A NaN x stays NaN; a NaN bound makes every element NaN when both bounds are
 * given; min > max gives max. float16/bfloat16/bool x: "\"clamp_scalar_cpu\"
 * not implemented for 'Half'". Gradient: grad where min <= x <= max, else 0. */
ct_tensor *ct_clamp(const ct_tensor *x, const double *min /* may be NULL */, const double *max /* may be NULL */);
ct_tensor *ct_clamp_min(const ct_tensor *x, double min);
ct_tensor *ct_clamp_max(const ct_tensor *x, double max);
ct_tensor *ct_clamp_int(const ct_tensor *x, const int64_t *min /* may be NULL */, const int64_t *max /* may be NULL */);
/* clamp with tensor bounds (broadcast with x; dtype: result_type of all);
 * a NaN bound gives NaN. min / max may be NULL (None), not both. */
ct_tensor *ct_clamp_tensor(const ct_tensor *x, const ct_tensor *min /* may be NULL */,
                           const ct_tensor *max /* may be NULL */);
ct_tensor *ct_clamp_min_tensor(const ct_tensor *x, const ct_tensor *min);
ct_tensor *ct_clamp_max_tensor(const ct_tensor *x, const ct_tensor *max);

/* torch.lerp(a, end, weight) = a + weight * (end - a). a, end (and a weight
 * tensor) must share one floating dtype, float32 or float64 ("expected dtype
 * float for `end` but got dtype double"). */
ct_tensor *ct_lerp(const ct_tensor *a, const ct_tensor *end, double weight);
ct_tensor *ct_lerp_tensor(const ct_tensor *a, const ct_tensor *end, const ct_tensor *weight);

/* torch.where(cond, a, b): cond is bool (uint8 is accepted with PyTorch's
 * deprecation warning); shapes broadcast over all three; dtype
 * result_type(a, b). The gradient goes to a where cond, to b elsewhere. */
ct_tensor *ct_where(const ct_tensor *cond, const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_where_scalar_other(const ct_tensor *cond, const ct_tensor *a, double b); /* where(c, a, 2.5) */
ct_tensor *ct_where_scalar_self(const ct_tensor *cond, double a, const ct_tensor *b);  /* where(c, 2.5, b) */
ct_tensor *ct_where_scalar(const ct_tensor *cond, double a, double b); /* default float dtype */

/* ---- in-place forms ------------------------------------------------------- */
CT_NODISCARD int ct_add_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_add_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_add_scalar_int_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_sub_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_sub_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_sub_scalar_int_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_mul_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_mul_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_mul_scalar_int_(ct_tensor *a, int64_t b);
CT_NODISCARD int ct_div_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_div_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_div_mode_(ct_tensor *a, const ct_tensor *b, ct_rounding_mode mode);
CT_NODISCARD int ct_div_scalar_mode_(ct_tensor *a, double b, ct_rounding_mode mode);
CT_NODISCARD int ct_true_divide_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_floor_divide_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_floor_divide_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_neg_(ct_tensor *a);
CT_NODISCARD int ct_remainder_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_remainder_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_fmod_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_fmod_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_pow_(ct_tensor *a, const ct_tensor *exponent);
CT_NODISCARD int ct_pow_scalar_(ct_tensor *a, double exponent);
CT_NODISCARD int ct_pow_scalar_int_(ct_tensor *a, int64_t exponent);
CT_NODISCARD int ct_atan2_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_hypot_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_clamp_(ct_tensor *x, const double *min, const double *max);
CT_NODISCARD int ct_clamp_min_(ct_tensor *x, double min);
CT_NODISCARD int ct_clamp_max_(ct_tensor *x, double max);
CT_NODISCARD int ct_clamp_tensor_(ct_tensor *x, const ct_tensor *min, const ct_tensor *max);
CT_NODISCARD int ct_clamp_min_tensor_(ct_tensor *x, const ct_tensor *min);
CT_NODISCARD int ct_clamp_max_tensor_(ct_tensor *x, const ct_tensor *max);
CT_NODISCARD int ct_lerp_(ct_tensor *a, const ct_tensor *end, double weight);
CT_NODISCARD int ct_lerp_tensor_(ct_tensor *a, const ct_tensor *end, const ct_tensor *weight);

#ifdef __cplusplus
}
#endif
#endif
