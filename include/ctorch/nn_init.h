/* ctorch/nn_init.h — torch.nn.init: in-place initializers drawing from the
 * default generator (or g when given), run under no_grad, draw for draw as
 * PyTorch 1.13.1. Each returns CT_OK / CT_ERROR. */
#ifndef CTORCH_NN_INIT_H
#define CTORCH_NN_INIT_H

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ct_fan_mode { CT_FAN_IN = 0, CT_FAN_OUT = 1 } ct_fan_mode;

/* nn.init.calculate_gain(nonlinearity, param): "linear", "conv1d", "conv2d",
 * "conv3d", "conv_transpose1d/2d/3d", "sigmoid" -> 1; "tanh" -> 5/3; "relu"
 * -> sqrt(2); "leaky_relu" -> sqrt(2 / (1 + param^2)) (param < 0 means the
 * default 0.01); "selu" -> 3/4. Unknown: NAN with "Unsupported nonlinearity
 * foo". */
double ct_init_calculate_gain(const char *nonlinearity, double param);
/* nn.init._calculate_fan_in_and_fan_out (>= 2 dims: "Fan in and fan out can
 * not be computed for tensor with fewer than 2 dimensions"). */
CT_NODISCARD int ct_init_calculate_fan_in_and_fan_out(const ct_tensor *t, int64_t *fan_in, int64_t *fan_out);

CT_NODISCARD int ct_init_uniform_(ct_tensor *t, double a, double b, ct_generator *g);
CT_NODISCARD int ct_init_normal_(ct_tensor *t, double mean, double std, ct_generator *g);
CT_NODISCARD int ct_init_constant_(ct_tensor *t, double value);
CT_NODISCARD int ct_init_ones_(ct_tensor *t);
CT_NODISCARD int ct_init_zeros_(ct_tensor *t);
CT_NODISCARD int ct_init_xavier_uniform_(ct_tensor *t, double gain, ct_generator *g);
CT_NODISCARD int ct_init_xavier_normal_(ct_tensor *t, double gain, ct_generator *g);
/* kaiming_uniform_(t, a, mode, nonlinearity): nonlinearity NULL means
 * "leaky_relu" (PyTorch's default). */
CT_NODISCARD int ct_init_kaiming_uniform_(ct_tensor *t, double a, ct_fan_mode mode, const char *nonlinearity,
                                          ct_generator *g);
CT_NODISCARD int ct_init_kaiming_normal_(ct_tensor *t, double a, ct_fan_mode mode, const char *nonlinearity,
                                         ct_generator *g);

/* nn.init.eye_(t): t (n, m) = the identity ("Only tensors with 2
 * dimensions are supported"). */
CT_NODISCARD int ct_init_eye_(ct_tensor *t);
/* nn.init.dirac_(t, groups): t (out, in, *k) with 1 to 3 kernel dims ("Only
 * tensors with 3, 4, or 5 dimensions are supported"); size(0) % groups != 0:
 * "dim 0 must be divisible by groups". PyTorch's default groups is 1. */
CT_NODISCARD int ct_init_dirac_(ct_tensor *t, int64_t groups);
/* nn.init.trunc_normal_(t, mean, std, a, b) as PyTorch 1.13 computes it:
 * uniform_(2 l - 1, 2 u - 1) with l, u the normal CDF at a and b, then
 * erfinv_, mul_(std * sqrt(2)), add_(mean), clamp_(a, b) — draw for draw
 * (one uniform per element). Warns "mean is more than 2 std from [a, b] in
 * nn.init.trunc_normal_. The distribution of values may be incorrect."
 * PyTorch's defaults: mean 0, std 1, a -2, b 2. */
CT_NODISCARD int ct_init_trunc_normal_(ct_tensor *t, double mean, double std, double a, double b, ct_generator *g);
/* nn.init.orthogonal_(t, gain): t (rows, *) viewed as (rows, cols); the Q
 * of a QR of a standard normal (rows, cols) matrix drawn in t's dtype (its
 * transpose when rows < cols), with columns signed so that R's diagonal
 * is positive, times gain. The QR is a Householder QR in double, so
 * values match PyTorch's LAPACK result to rounding (not bit for bit).
 * Zero elements: no-op. ("Only tensors with 2 or more dimensions are
 * supported"). PyTorch's default gain is 1. */
CT_NODISCARD int ct_init_orthogonal_(ct_tensor *t, double gain, ct_generator *g);
/* nn.init.sparse_(t, sparsity, std): t (rows, cols) ~ N(0, std), then in
 * each column ceil(sparsity * rows) rows chosen by torch.randperm(rows)
 * set to 0, draw for draw. PyTorch's default std is 0.01. */
CT_NODISCARD int ct_init_sparse_(ct_tensor *t, double sparsity, double std, ct_generator *g);

#ifdef __cplusplus
}
#endif
#endif
