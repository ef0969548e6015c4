/* ctorch/ops.h — differentiable tensor operations (torch.* and Tensor.*).
 *
 * Every op: broadcasting (numpy rules) where PyTorch broadcasts, type
 * promotion as torch.result_type (a C double scalar acts as a Python
 * float: it does not raise a tensor's dtype within its category, but an
 * integer tensor with a double scalar gives the default float dtype), a
 * backward when any input requires grad, a new reference as result, NULL
 * with PyTorch's message on error. In-place forms (trailing _) return
 * CT_OK/CT_ERROR and bump the tensor's version. */
#ifndef CTORCH_OPS_H
#define CTORCH_OPS_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.result_type(a, b) for two tensors (0-dim tensors count less than
 * dimensioned ones, as in PyTorch). */
ct_dtype ct_result_type(const ct_tensor *a, const ct_tensor *b);

/* ---- arithmetic: out = a op b, broadcast ---------------------------------- */
ct_tensor *ct_add(const ct_tensor *a, const ct_tensor *b);                 /* a + b */
ct_tensor *ct_add_alpha(const ct_tensor *a, const ct_tensor *b, double alpha); /* torch.add(a, b, alpha=) */
ct_tensor *ct_add_scalar(const ct_tensor *a, double b);                    /* a + 2.5 */
ct_tensor *ct_sub(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_sub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha);
ct_tensor *ct_sub_scalar(const ct_tensor *a, double b);
ct_tensor *ct_mul(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_mul_scalar(const ct_tensor *a, double b);
ct_tensor *ct_div(const ct_tensor *a, const ct_tensor *b);                 /* true division */
ct_tensor *ct_div_scalar(const ct_tensor *a, double b);
ct_tensor *ct_neg(const ct_tensor *a);
CT_NODISCARD int ct_add_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_add_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_sub_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_mul_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_mul_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_div_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_neg_(ct_tensor *a);

/* ---- pointwise math (integer inputs promote to the default float dtype) --- */
ct_tensor *ct_exp(const ct_tensor *x);
ct_tensor *ct_log(const ct_tensor *x);
ct_tensor *ct_sin(const ct_tensor *x);
ct_tensor *ct_cos(const ct_tensor *x);
ct_tensor *ct_tanh(const ct_tensor *x);
ct_tensor *ct_sigmoid(const ct_tensor *x);
ct_tensor *ct_sqrt(const ct_tensor *x);
ct_tensor *ct_relu(const ct_tensor *x);      /* keeps integer dtypes */
ct_tensor *ct_sign(const ct_tensor *x);      /* keeps dtype; gradient zero */
/* torch.pow(x, exponent) with a scalar exponent */
ct_tensor *ct_pow_scalar(const ct_tensor *x, double exponent);

/* ---- reductions ------------------------------------------------------------ */
/* torch.sum(x) / x.sum(dims, keepdim): integers (and bool) sum to int64,
 * floats keep their dtype. dims: ndims entries (negative allowed);
 * ndims == 0 means all dims. */
ct_tensor *ct_sum(const ct_tensor *x);
ct_tensor *ct_sum_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);
/* torch.mean: floating inputs only ("mean(): could not infer output dtype.
 * Input dtype must be either a floating point or complex dtype. Got: Long"). */
ct_tensor *ct_mean(const ct_tensor *x);
ct_tensor *ct_mean_dim(const ct_tensor *x, int ndims, const int64_t *dims, bool keepdim);

/* ---- matrix products (CBLAS for float32/float64) ----------------------------- */
/* a: (n, m), b: (m, p) -> (n, p); "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" */
ct_tensor *ct_mm(const ct_tensor *a, const ct_tensor *b);
/* torch.matmul for 1-D and 2-D operands (dot, mv, vector-matrix, mm). */
ct_tensor *ct_matmul(const ct_tensor *a, const ct_tensor *b);

#ifdef __cplusplus
}
#endif
#endif
