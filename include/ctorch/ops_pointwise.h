/* ctorch/ops_pointwise.h — unary pointwise math (torch.exp, log, sin, sigmoid, erf, floor, ...).
 * Conventions of every op: see ctorch/ops.h.
 *
 * Every function here maps x: any shape (0-dim and zero-size included, any
 * strides) to a new contiguous tensor of the same shape; x is borrowed, the
 * result is a new reference; NULL x returns NULL without touching the last
 * error. The in-place form op_(x) writes the result into x, bumps its
 * version and returns CT_OK / CT_ERROR (PyTorch's "result type Float can't
 * be cast to the desired output type Long" when the result dtype cannot go
 * back into x; "a leaf Variable that requires grad is being used in an
 * in-place operation." for leaves requiring grad).
 *
 * dtypes, as PyTorch 1.13.1 on CPU:
 *  - "float" ops (exp, log, sin, ..., erf, lgamma, digamma, polygamma,
 *    logit, sigmoid, sqrt, rsqrt, reciprocal): bool and integer inputs
 *    compute in the default float dtype (float32); floating inputs keep
 *    their dtype.
 *  - abs, sign, square, floor, ceil, round, trunc, frac, nan_to_num, relu
 *    keep the input dtype (details on each).
 *  - float16 is implemented only by abs, sign, reciprocal, square, exp2,
 *    frac and nan_to_num (as in PyTorch 1.13's CPU kernels); the others
 *    fail with PyTorch's message, e.g. "\"exp_vml_cpu\" not implemented
 *    for 'Half'". bfloat16 works everywhere and computes in float32.
 *
 * Autograd: every op with a floating result records PyTorch's node
 * (ExpBackward0, AbsBackward0, RoundBackward1, ...) with the formula of
 * derivatives.yaml, itself differentiable (double backward works).
 * floor/ceil/round/trunc/sign have zero gradients. Integer/bool results
 * never require grad. */
#ifndef CTORCH_OPS_POINTWISE_H
#define CTORCH_OPS_POINTWISE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- exponentials and logarithms (ints -> default float dtype) ---------- */
ct_tensor *ct_exp(const ct_tensor *x);
ct_tensor *ct_exp2(const ct_tensor *x);   /* 2^x; float16 supported */
ct_tensor *ct_expm1(const ct_tensor *x);  /* exp(x) - 1 */
ct_tensor *ct_log(const ct_tensor *x);
ct_tensor *ct_log2(const ct_tensor *x);
ct_tensor *ct_log10(const ct_tensor *x);
ct_tensor *ct_log1p(const ct_tensor *x);  /* log(1 + x) */
ct_tensor *ct_sqrt(const ct_tensor *x);
ct_tensor *ct_rsqrt(const ct_tensor *x);  /* 1 / sqrt(x) */
ct_tensor *ct_reciprocal(const ct_tensor *x); /* 1 / x; float16 supported */
/* torch.pow(x, exponent) with a scalar exponent (dtype: result_type(x, float)) */
ct_tensor *ct_pow_scalar(const ct_tensor *x, double exponent);

/* ---- trigonometric and hyperbolic (ints -> default float dtype) --------- */
ct_tensor *ct_sin(const ct_tensor *x);
ct_tensor *ct_cos(const ct_tensor *x);
ct_tensor *ct_tan(const ct_tensor *x);
ct_tensor *ct_asin(const ct_tensor *x);
ct_tensor *ct_acos(const ct_tensor *x);
ct_tensor *ct_atan(const ct_tensor *x);
ct_tensor *ct_sinh(const ct_tensor *x);
ct_tensor *ct_cosh(const ct_tensor *x);
ct_tensor *ct_tanh(const ct_tensor *x);
ct_tensor *ct_asinh(const ct_tensor *x);
ct_tensor *ct_acosh(const ct_tensor *x);
ct_tensor *ct_atanh(const ct_tensor *x);

/* ---- activations --------------------------------------------------------- */
ct_tensor *ct_sigmoid(const ct_tensor *x);
/* torch.logit(x): log(x / (1 - x)); ct_logit_eps clamps x to [eps, 1 - eps]
 * first (torch.logit(x, eps=eps)); the gradient is 0 outside that range
 * (NaN outside [0, 1] without eps) */
ct_tensor *ct_logit(const ct_tensor *x);
ct_tensor *ct_logit_eps(const ct_tensor *x, double eps);
/* max(x, 0); keeps integer dtypes; bool: "Boolean inputs not supported for relu" */
ct_tensor *ct_relu(const ct_tensor *x);

/* ---- special functions (ints -> default float dtype) -------------------- */
ct_tensor *ct_erf(const ct_tensor *x);
ct_tensor *ct_erfc(const ct_tensor *x);
ct_tensor *ct_erfinv(const ct_tensor *x);
ct_tensor *ct_lgamma(const ct_tensor *x);  /* log|Gamma(x)| */
ct_tensor *ct_digamma(const ct_tensor *x); /* psi(x); -inf/+inf at -0/+0, NaN at negative integers */
/* torch.polygamma(n, x), n >= 0 ("polygamma(n, x) does not support negative n.") */
ct_tensor *ct_polygamma(int64_t n, const ct_tensor *x);

/* ---- sign, magnitude, rounding (keep the input dtype) ------------------- */
ct_tensor *ct_abs(const ct_tensor *x);    /* integers wrap (abs(INT_MIN) = INT_MIN); bool: error */
ct_tensor *ct_sign(const ct_tensor *x);   /* -1/0/1 (bool: copy); gradient zero */
/* x * x: floating inputs record PowBackward0 (torch.square is pow(x, 2));
 * integers keep their dtype (wrapping), bool gives int64 */
ct_tensor *ct_square(const ct_tensor *x);
/* floor/ceil/round/trunc: integer inputs are returned as a copy, bool and
 * float16 fail as in PyTorch; round is half-to-even */
ct_tensor *ct_floor(const ct_tensor *x);
ct_tensor *ct_ceil(const ct_tensor *x);
ct_tensor *ct_round(const ct_tensor *x);
ct_tensor *ct_trunc(const ct_tensor *x);
/* torch.round(x, decimals=d): nearbyint(x * 10^d) / 10^d (d < 0:
 * nearbyint(x / 10^-d) * 10^-d); floating dtypes only except float16;
 * node RoundBackward1 */
ct_tensor *ct_round_decimals(const ct_tensor *x, int64_t decimals);
ct_tensor *ct_frac(const ct_tensor *x);   /* x - trunc(x); floating only; gradient = grad */
/* torch.nan_to_num(x, nan, posinf, neginf): NaN -> nan, +inf -> *posinf,
 * -inf -> *neginf; posinf / neginf may be NULL (PyTorch's None: the
 * dtype's largest / lowest finite value). Integer and bool inputs are
 * returned as a copy. Gradient: grad where x is finite, else 0. */
ct_tensor *ct_nan_to_num(const ct_tensor *x, double nan, const double *posinf /* may be NULL */,
                         const double *neginf /* may be NULL */);

/* ---- in-place forms (x.op_()) -------------------------------------------- */
CT_NODISCARD int ct_exp_(ct_tensor *x);
CT_NODISCARD int ct_exp2_(ct_tensor *x);
CT_NODISCARD int ct_expm1_(ct_tensor *x);
CT_NODISCARD int ct_log_(ct_tensor *x);
CT_NODISCARD int ct_log2_(ct_tensor *x);
CT_NODISCARD int ct_log10_(ct_tensor *x);
CT_NODISCARD int ct_log1p_(ct_tensor *x);
CT_NODISCARD int ct_sqrt_(ct_tensor *x);
CT_NODISCARD int ct_rsqrt_(ct_tensor *x);
CT_NODISCARD int ct_reciprocal_(ct_tensor *x);
CT_NODISCARD int ct_sin_(ct_tensor *x);
CT_NODISCARD int ct_cos_(ct_tensor *x);
CT_NODISCARD int ct_tan_(ct_tensor *x);
CT_NODISCARD int ct_asin_(ct_tensor *x);
CT_NODISCARD int ct_acos_(ct_tensor *x);
CT_NODISCARD int ct_atan_(ct_tensor *x);
CT_NODISCARD int ct_sinh_(ct_tensor *x);
CT_NODISCARD int ct_cosh_(ct_tensor *x);
CT_NODISCARD int ct_tanh_(ct_tensor *x);
CT_NODISCARD int ct_asinh_(ct_tensor *x);
CT_NODISCARD int ct_acosh_(ct_tensor *x);
CT_NODISCARD int ct_atanh_(ct_tensor *x);
CT_NODISCARD int ct_sigmoid_(ct_tensor *x);
CT_NODISCARD int ct_logit_(ct_tensor *x);
CT_NODISCARD int ct_logit_eps_(ct_tensor *x, double eps);
CT_NODISCARD int ct_relu_(ct_tensor *x);
CT_NODISCARD int ct_erf_(ct_tensor *x);
CT_NODISCARD int ct_erfc_(ct_tensor *x);
CT_NODISCARD int ct_erfinv_(ct_tensor *x);
CT_NODISCARD int ct_lgamma_(ct_tensor *x);
CT_NODISCARD int ct_digamma_(ct_tensor *x);
CT_NODISCARD int ct_polygamma_(ct_tensor *x, int64_t n); /* x.polygamma_(n) */
CT_NODISCARD int ct_abs_(ct_tensor *x);
CT_NODISCARD int ct_sign_(ct_tensor *x);
CT_NODISCARD int ct_square_(ct_tensor *x);
CT_NODISCARD int ct_floor_(ct_tensor *x);
CT_NODISCARD int ct_ceil_(ct_tensor *x);
CT_NODISCARD int ct_round_(ct_tensor *x);
CT_NODISCARD int ct_round_decimals_(ct_tensor *x, int64_t decimals);
CT_NODISCARD int ct_trunc_(ct_tensor *x);
CT_NODISCARD int ct_frac_(ct_tensor *x);
CT_NODISCARD int ct_nan_to_num_(ct_tensor *x, double nan, const double *posinf, const double *neginf);

#ifdef __cplusplus
}
#endif
#endif
