/* ctorch/nn_activation.h — torch.nn's activation layers and their
 * functional forms (torch.nn.functional.elu, ... softmax, log_softmax).
 *
 * Functional forms: x: any shape (*) -> the same shape (GLU halves `dim`),
 * a new contiguous tensor; x is borrowed; NULL x returns NULL without
 * touching the last error. Every argument PyTorch takes by keyword is a
 * positional C argument here (pass PyTorch's default yourself:
 * ct_elu(x, 1.0)). The in-place form op_(x, ...) (PyTorch's inplace=True /
 * F.op_) writes into x, bumps its version and returns CT_OK / CT_ERROR
 * ("a leaf Variable that requires grad is being used in an in-place
 * operation." for leaves requiring grad).
 *
 * dtypes (PyTorch 1.13.1 CPU): float32, float64 and bfloat16; other dtypes
 * fail with PyTorch's message ("\"elu_cpu\" not implemented for 'Long'").
 * hardtanh / relu6 / threshold also take integer tensors (kept as they are);
 * softsign / tanhshrink promote integers to the default float dtype.
 *
 * Autograd: each op records PyTorch's node (EluBackward0, GeluBackward0,
 * SoftmaxBackward0, ...; the in-place forms EluBackward1, CeluBackward1,
 * LeakyReluBackward1, ThresholdBackward1, RreluWithNoiseBackward1 as
 * PyTorch names them). Backward formulas are written with ctorch ops, so
 * every one is twice differentiable (PyTorch's are too).
 *
 * Modules: ct_nn_<name>(...) returns a new module reference (free with
 * ct_module_free); forward takes one input (x) and returns
 * ct_<name>(x, <the module's settings>) (the in-place form when built with
 * inplace = true: the input itself, modified, as a new reference).
 * repr / extra_repr text is PyTorch's ("LeakyReLU(negative_slope=0.01)",
 * "Softmax(dim=1)", "ReLU(inplace=True)"). */
#ifndef CTORCH_NN_ACTIVATION_H
#define CTORCH_NN_ACTIVATION_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "nn.h"
#include "random.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================= functional forms ============================== */

/* F.elu(x, alpha): x > 0 ? x : alpha * (exp(x) - 1) */
ct_tensor *ct_elu(const ct_tensor *x, double alpha);
CT_NODISCARD int ct_elu_(ct_tensor *x, double alpha);
/* F.selu(x): scale * elu(x, alpha) with PyTorch's constants (node EluBackward0) */
ct_tensor *ct_selu(const ct_tensor *x);
CT_NODISCARD int ct_selu_(ct_tensor *x);
/* F.celu(x, alpha): max(0, x) + min(0, alpha * (exp(x / alpha) - 1));
 * alpha == 0: "ZeroDivisionError: alpha cannot be 0 for CELU" */
ct_tensor *ct_celu(const ct_tensor *x, double alpha);
CT_NODISCARD int ct_celu_(ct_tensor *x, double alpha);
/* F.hardtanh(x, min_val, max_val): clamp(x, min_val, max_val) */
ct_tensor *ct_hardtanh(const ct_tensor *x, double min_val, double max_val);
CT_NODISCARD int ct_hardtanh_(ct_tensor *x, double min_val, double max_val);
/* F.relu6(x) = hardtanh(x, 0, 6) */
ct_tensor *ct_relu6(const ct_tensor *x);
CT_NODISCARD int ct_relu6_(ct_tensor *x);
/* F.hardsigmoid(x): relu6(x + 3) / 6 */
ct_tensor *ct_hardsigmoid(const ct_tensor *x);
CT_NODISCARD int ct_hardsigmoid_(ct_tensor *x);
/* F.hardswish(x): x * relu6(x + 3) / 6 */
ct_tensor *ct_hardswish(const ct_tensor *x);
CT_NODISCARD int ct_hardswish_(ct_tensor *x);
/* F.leaky_relu(x, negative_slope): x > 0 ? x : negative_slope * x. The
 * in-place form with a negative slope fails in backward with PyTorch's
 * "In-place leakyReLu backward calculation is triggered with a negative
 * slope which is not supported. ..." */
ct_tensor *ct_leaky_relu(const ct_tensor *x, double negative_slope);
CT_NODISCARD int ct_leaky_relu_(ct_tensor *x, double negative_slope);
/* F.logsigmoid(x): log(sigmoid(x)), computed stably */
ct_tensor *ct_logsigmoid(const ct_tensor *x);
/* F.prelu(x, weight): x > 0 ? x : weight[c] * x with c the channel (dim 1;
 * a one-element weight applies everywhere). weight: (C) or (1), or 0-dim.
 * Errors: "Mismatch of parameter numbers and input channel size. Found
 * parameter numbers = 3 and channel size = 4.", "prelu: Expected `weight`
 * to be a scalar or 1D tensor, but got ndim = 2". Node PreluBackward0
 * (gradients for x and weight). */
ct_tensor *ct_prelu(const ct_tensor *x, const ct_tensor *weight);
/* F.rrelu(x, lower, upper, training): training: each x <= 0 is multiplied
 * by a slope drawn from U(lower, upper) (one double uniform per such
 * element, in memory order, from g or the default generator when NULL —
 * PyTorch's draws exactly); otherwise leaky_relu with (lower + upper) / 2.
 * Node RreluWithNoiseBackward0 (grad * the slopes used). */
ct_tensor *ct_rrelu(const ct_tensor *x, double lower, double upper, bool training, ct_generator *g);
CT_NODISCARD int ct_rrelu_(ct_tensor *x, double lower, double upper, bool training, ct_generator *g);
/* F.gelu(x, approximate): x * Phi(x), or with CT_GELU_TANH
 * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). Another value:
 * "approximate argument must be either none or tanh." */
typedef enum ct_gelu_approximate { CT_GELU_NONE = 0, CT_GELU_TANH = 1 } ct_gelu_approximate;
ct_tensor *ct_gelu(const ct_tensor *x, ct_gelu_approximate approximate);
/* F.silu(x): x * sigmoid(x) */
ct_tensor *ct_silu(const ct_tensor *x);
CT_NODISCARD int ct_silu_(ct_tensor *x);
/* F.mish(x): x * tanh(softplus(x)) */
ct_tensor *ct_mish(const ct_tensor *x);
CT_NODISCARD int ct_mish_(ct_tensor *x);
/* F.softplus(x, beta, threshold): log(1 + exp(beta x)) / beta, x where
 * beta x > threshold (PyTorch's defaults: beta 1, threshold 20) */
ct_tensor *ct_softplus(const ct_tensor *x, double beta, double threshold);
/* F.softshrink(x, lambd): x - lambd above lambd, x + lambd below -lambd,
 * else 0; lambd < 0: "lambda must be greater or equal to 0, but found to
 * be -1." */
ct_tensor *ct_softshrink(const ct_tensor *x, double lambd);
/* F.hardshrink(x, lambd): x where |x| > lambd, else 0 */
ct_tensor *ct_hardshrink(const ct_tensor *x, double lambd);
/* F.softsign(x) = x / (1 + |x|) and F.tanhshrink(x) = x - tanh(x): composed
 * of ops as in PyTorch (nodes DivBackward0 / SubBackward0) */
ct_tensor *ct_softsign(const ct_tensor *x);
ct_tensor *ct_tanhshrink(const ct_tensor *x);
/* F.threshold(x, threshold, value): x <= threshold ? value : x */
ct_tensor *ct_threshold(const ct_tensor *x, double threshold, double value);
CT_NODISCARD int ct_threshold_(ct_tensor *x, double threshold, double value);
/* F.glu(x, dim): a * sigmoid(b) with (a, b) the halves of x along dim:
 * (*, 2k, *) -> (*, k, *). "glu does not support scalars because halving
 * size must be even", "Halving dimension must be even, but dimension 1 is
 * size 3". */
ct_tensor *ct_glu(const ct_tensor *x, int64_t dim);

/* ---- softmax family ----
 * F.softmax(x, dim) / F.log_softmax / F.softmin (= softmax(-x)): x: any
 * shape -> the same shape, normalized over dim (numerically stable: the
 * row maximum is subtracted first). dim = CT_SOFTMAX_DIM_NONE is
 * PyTorch's dim=None: it warns "Implicit dimension choice for softmax has
 * been deprecated. Change the call to include dim=X as an argument." and
 * uses dim 0 for 0-, 1- and 3-dim inputs, else 1. The _dtype forms convert
 * x to dtype first (F.softmax(x, dim, dtype=...)). Floating inputs only
 * ("\"softmax_lastdim_kernel_impl\" not implemented for 'Long'"). Nodes
 * SoftmaxBackward0 / LogSoftmaxBackward0. */
#define CT_SOFTMAX_DIM_NONE INT64_MIN
ct_tensor *ct_softmax(const ct_tensor *x, int64_t dim);
ct_tensor *ct_softmax_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype);
ct_tensor *ct_log_softmax(const ct_tensor *x, int64_t dim);
ct_tensor *ct_log_softmax_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype);
ct_tensor *ct_softmin(const ct_tensor *x, int64_t dim);
ct_tensor *ct_softmin_dtype(const ct_tensor *x, int64_t dim, ct_dtype dtype);

/* =============================== modules ================================ */
/* Constructors take PyTorch's constructor arguments positionally, in
 * PyTorch's order (nn.ELU(alpha=1.0, inplace=False) -> ct_nn_elu(1.0,
 * false)): most of these numbers have 0 as a meaningful value, so no
 * "zero means default" options struct is used here. */

ct_module *ct_nn_elu(double alpha, bool inplace);       /* nn.ELU(alpha=1.0, inplace=False) */
ct_module *ct_nn_celu(double alpha, bool inplace);      /* nn.CELU(alpha=1.0, inplace=False) */
ct_module *ct_nn_selu(bool inplace);                    /* nn.SELU(inplace=False) */
ct_module *ct_nn_relu6(bool inplace);                   /* nn.ReLU6(inplace=False) */
ct_module *ct_nn_hardsigmoid(bool inplace);             /* nn.Hardsigmoid(inplace=False) */
ct_module *ct_nn_hardswish(bool inplace);               /* nn.Hardswish(inplace=False) */
ct_module *ct_nn_silu(bool inplace);                    /* nn.SiLU(inplace=False) */
ct_module *ct_nn_mish(bool inplace);                    /* nn.Mish(inplace=False) */
ct_module *ct_nn_relu_inplace(void);                    /* nn.ReLU(inplace=True); ct_nn_relu() is ReLU() */
/* nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False); max_val <= min_val
 * fails ("Hardtanh: max_val must be greater than min_val"; PyTorch asserts) */
ct_module *ct_nn_hardtanh(double min_val, double max_val, bool inplace);
ct_module *ct_nn_leaky_relu(double negative_slope, bool inplace); /* nn.LeakyReLU(0.01, False) */
/* nn.RReLU(lower=1/8, upper=1/3, inplace=False): random slopes from the
 * default generator in training mode, (lower + upper) / 2 in eval mode */
ct_module *ct_nn_rrelu(double lower, double upper, bool inplace);
ct_module *ct_nn_gelu(ct_gelu_approximate approximate); /* nn.GELU(approximate='none') */
ct_module *ct_nn_softplus(double beta, double threshold); /* nn.Softplus(beta=1, threshold=20) */
ct_module *ct_nn_hardshrink(double lambd);              /* nn.Hardshrink(lambd=0.5) */
ct_module *ct_nn_softshrink(double lambd);              /* nn.Softshrink(lambd=0.5) */
ct_module *ct_nn_threshold(double threshold, double value, bool inplace); /* nn.Threshold */
/* nn.PReLU(num_parameters=1, init=0.25): parameter "weight" of shape
 * (num_parameters) filled with init (no random draw); dtype
 * CT_DTYPE_DEFAULT (0) = the default float dtype. */
ct_module *ct_nn_prelu(int64_t num_parameters, double init, ct_dtype dtype);
ct_module *ct_nn_glu(int64_t dim);                      /* nn.GLU(dim=-1) */
ct_module *ct_nn_logsigmoid(void);                      /* nn.LogSigmoid() */
ct_module *ct_nn_softsign(void);                        /* nn.Softsign() */
ct_module *ct_nn_tanhshrink(void);                      /* nn.Tanhshrink() */
/* nn.Softmax2d(): x (C, H, W) or (N, C, H, W), softmax over C (dim -3);
 * other ranks: "Softmax2d requires a 3D or 4D tensor as input" */
ct_module *ct_nn_softmax2d(void);
/* nn.Softmax(dim) / LogSoftmax(dim) / Softmin(dim); dim may be
 * CT_SOFTMAX_DIM_NONE (repr "Softmax(dim=None)"; each forward then warns) */
ct_module *ct_nn_softmax(int64_t dim);
ct_module *ct_nn_log_softmax(int64_t dim);
ct_module *ct_nn_softmin(int64_t dim);

#ifdef __cplusplus
}
#endif
#endif
