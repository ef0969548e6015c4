/* ctorch/ops_pointwise.h — unary pointwise math (torch.exp, log, sin, sigmoid, erf, floor, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_POINTWISE_H
#define CTORCH_OPS_POINTWISE_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
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


#ifdef __cplusplus
}
#endif
#endif
