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

#ifdef __cplusplus
}
#endif
#endif
