/* Internal: fused forward kernels of the pointwise activations
 * (src/ops/activation.c). Operands (out, x) of one floating dtype
 * (float32, float64, bfloat16; bfloat16 computes in float32 and rounds on
 * store). Formulas as ATen/native/cpu/Activation.cpp of PyTorch 1.13.1,
 * including which branch a NaN takes. */
#ifndef CT_KERNELS_CPU_ACTIVATION_H
#define CT_KERNELS_CPU_ACTIVATION_H

#include "ctorch/dtype.h"
#include "kernels/cpu/strided_iter.h"

typedef enum ct_act_kind {
    CT_ACT_ELU,         /* p = {negcoef, poscoef, negiptcoef}: x <= 0 ? expm1(x*p2)*p0 : x*p1 */
    CT_ACT_HARDTANH,    /* p = {min, max} */
    CT_ACT_HARDSIGMOID, /* min(max(x + 3, 0), 6) / 6 */
    CT_ACT_HARDSWISH,   /* x * min(max(x + 3, 0), 6) / 6 */
    CT_ACT_LEAKY_RELU,  /* p = {slope}: x > 0 ? x : x * slope */
    CT_ACT_LOGSIGMOID,  /* min(x, 0) - log1p(exp(-|x|)) */
    CT_ACT_SOFTPLUS,    /* p = {beta, threshold} */
    CT_ACT_SOFTSHRINK,  /* p = {lambd} */
    CT_ACT_HARDSHRINK,  /* p = {lambd} */
    CT_ACT_THRESHOLD,   /* p = {threshold, value}: x <= th ? value : x */
    CT_ACT_GELU,        /* x * Phi(x) */
    CT_ACT_GELU_TANH,   /* tanh approximation */
    CT_ACT_SILU,        /* x * sigmoid(x) */
    CT_ACT_MISH,        /* x * tanh(softplus(x)) */
    CT_NUM_ACT
} ct_act_kind;

/* out = f(x) over it. dtype must be floating and not float16 (the ops
 * layer reports PyTorch's "not implemented" message first). */
int ct__kernel_activation(ct_act_kind kind, const ct_strided_iter *it, ct_dtype dtype, const double p[3]);

/* The name PyTorch's CPU kernel dispatches under ("elu_cpu"), for its
 * "\"elu_cpu\" not implemented for 'Long'" message. */
const char *ct__activation_kernel_name(ct_act_kind kind);

#endif
