/* ctorch/nn_norm.h — normalization and dropout: torch.nn.functional's
 * batch_norm, instance_norm, layer_norm, group_norm, local_response_norm,
 * normalize, dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout,
 * and the modules BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm,
 * GroupNorm, LocalResponseNorm, Dropout, Dropout1d/2d/3d, AlphaDropout,
 * FeatureAlphaDropout (PyTorch 1.13.1 semantics; docs/nn-norm.md).
 *
 * Conventions:
 * - Functional forms take PyTorch's arguments positionally, in PyTorch's
 *   order (optional tensors may be NULL = None). Modules take the required
 *   arguments positionally and the keyword arguments through an options
 *   struct where a zero field means PyTorch's default.
 * - Returned tensors and modules are new references; arguments are
 *   borrowed. running_mean / running_var passed to the functional forms are
 *   updated in place in training mode, as PyTorch does.
 * - Errors: NULL with ct_last_error() worded as PyTorch 1.13.1; a NULL
 *   input returns NULL without touching the error.
 * - dtypes: the normalizations compute float32 and float64 (statistics are
 *   accumulated in double); other dtypes are refused with PyTorch's
 *   "not implemented for 'Long'" message. Dropout masks need float32 or
 *   float64 (PyTorch's bernoulli_ has no Half kernel on CPU either).
 * - Backward: NativeBatchNormBackward0, NativeLayerNormBackward0 and
 *   NativeGroupNormBackward0 run one fused kernel when no graph is being
 *   built, and a formula of ctorch ops under create_graph, so they are
 *   twice differentiable (as PyTorch's). The others are compositions of
 *   differentiable ops and take those ops' grad_fn names (PyTorch's). */
#ifndef CTORCH_NN_NORM_H
#define CTORCH_NN_NORM_H

#include <stdbool.h>
#include <stdint.h>

#include "nn.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================= functional normalizations ====================== */

/* F.batch_norm(x, running_mean, running_var, weight, bias, training,
 * momentum, eps). x: (N, C, *) -> (N, C, *); running_mean, running_var,
 * weight, bias: (C) or NULL. training: normalise with the batch's
 * statistics (biased variance) and, when running stats are given, update
 * them in place: r = (1 - momentum) * r + momentum * batch (unbiased
 * variance for running_var). Not training: normalise with the running
 * stats (which must then be given). grad_fn NativeBatchNormBackward0.
 * Errors: "running_mean should contain 3 elements not 4", "running_mean
 * must be defined in evaluation mode", "Expected more than 1 value per
 * channel when training, got input size torch.Size([1, 3])", ... */
ct_tensor *ct_batch_norm(const ct_tensor *x, ct_tensor *running_mean, ct_tensor *running_var, const ct_tensor *weight,
                         const ct_tensor *bias, bool training, double momentum, double eps);

/* F.instance_norm(x, running_mean, running_var, weight, bias,
 * use_input_stats, momentum, eps): x (N, C, *) -> (N, C, *), each (n, c)
 * slice normalised on its own; running stats (C) updated with the mean
 * over the batch of the per-instance updates. grad_fn ViewBackward0
 * (PyTorch runs batch_norm on a (1, N*C, *) view). PyTorch's F defaults:
 * running stats NULL, use_input_stats true, momentum 0.1, eps 1e-5. */
ct_tensor *ct_instance_norm(const ct_tensor *x, ct_tensor *running_mean, ct_tensor *running_var,
                            const ct_tensor *weight, const ct_tensor *bias, bool use_input_stats, double momentum,
                            double eps);

/* F.layer_norm(x, normalized_shape, weight, bias, eps):
 * x (*, normalized_shape) -> same shape, normalised over the trailing
 * dims; weight, bias: normalized_shape or NULL. Use CT_SIZE for the shape:
 * ct_layer_norm(x, CT_SIZE(3, 4), w, b, 1e-5). grad_fn
 * NativeLayerNormBackward0. */
ct_tensor *ct_layer_norm(const ct_tensor *x, int ndim, const int64_t *normalized_shape, const ct_tensor *weight,
                         const ct_tensor *bias, double eps);

/* F.group_norm(x, num_groups, weight, bias, eps): x (N, C, *) -> same;
 * C % num_groups == 0; weight, bias (C) or NULL. grad_fn
 * NativeGroupNormBackward0. */
ct_tensor *ct_group_norm(const ct_tensor *x, int64_t num_groups, const ct_tensor *weight, const ct_tensor *bias,
                         double eps);

/* F.local_response_norm(x, size, alpha, beta, k): x (N, C, *) with at
 * least 3 dims -> same; x / (k + alpha/size * sum of squares over a window
 * of `size` channels)^beta (PyTorch's defaults alpha 1e-4, beta 0.75,
 * k 1.0). grad_fn DivBackward0. */
ct_tensor *ct_local_response_norm(const ct_tensor *x, int64_t size, double alpha, double beta, double k);

/* F.normalize(x, p, dim, eps): x / max(||x||_p over dim, eps) (PyTorch's
 * defaults p 2.0, dim 1, eps 1e-12). grad_fn DivBackward0. */
ct_tensor *ct_normalize(const ct_tensor *x, double p, int64_t dim, double eps);

/* =========================== functional dropout ========================= */
/* All: p in [0, 1] ("dropout probability has to be between 0 and 1, but
 * got 1.5"); training false, p == 0 or an empty x: x itself is returned
 * (a new reference, no random draws); p == 1: x * 0 (no draws). Masks are
 * drawn from the default generator exactly as PyTorch 1.13.1 draws them
 * (one U53 < 1-p draw per element, or per (N, C) channel for the feature
 * forms, in row-major order), so after the same seed the masks are equal
 * bit for bit. The in-place forms (_) overwrite x and return CT_OK. */

/* F.dropout(x, p, training): x * mask / (1 - p). grad_fn MulBackward0. */
ct_tensor *ct_dropout(const ct_tensor *x, double p, bool training);
CT_NODISCARD int ct_dropout_(ct_tensor *x, double p, bool training);
/* F.dropout1d: x (N, C, L) or (C, L); one draw per channel. */
ct_tensor *ct_dropout1d(const ct_tensor *x, double p, bool training);
/* F.dropout2d: x (N, C, H, W) (3-D inputs are treated as (N, C, L) with
 * PyTorch's warning; other ranks warn and still drop channels). */
ct_tensor *ct_dropout2d(const ct_tensor *x, double p, bool training);
/* F.dropout3d: x (N, C, D, H, W) or (C, D, H, W). */
ct_tensor *ct_dropout3d(const ct_tensor *x, double p, bool training);
/* torch.feature_dropout (what dropout1d/2d/3d call): x (N, C, *). */
ct_tensor *ct_feature_dropout(const ct_tensor *x, double p, bool training);
/* F.alpha_dropout(x, p, training): keeps SELU's mean and variance:
 * a * (x * mask + alpha' * (1 - mask)) + b with PyTorch's constants.
 * (F's default training is false.) grad_fn AddBackward0. */
ct_tensor *ct_alpha_dropout(const ct_tensor *x, double p, bool training);
/* F.feature_alpha_dropout: alpha dropout with one draw per (N, C). */
ct_tensor *ct_feature_alpha_dropout(const ct_tensor *x, double p, bool training);

/* ================================ modules ================================ */

/* nn.BatchNorm1d/2d/3d(num_features, eps=1e-5, momentum=0.1, affine=True,
 * track_running_stats=True). Parameters weight (ones), bias (zeros);
 * buffers running_mean (zeros), running_var (ones), num_batches_tracked
 * (int64 0-dim). Input: BatchNorm1d (N, C) or (N, C, L); 2d (N, C, H, W);
 * 3d (N, C, D, H, W) ("expected 4D input (got 3D input)"). Training with
 * tracked stats bumps num_batches_tracked and updates the running stats
 * (momentum_none: cumulative average, factor 1/num_batches_tracked). */
typedef struct ct_batch_norm_opts {
    double eps;                  /* 0 -> 1e-5 */
    double momentum;             /* 0 -> 0.1 (momentum 0 cannot be asked for) */
    bool momentum_none;          /* momentum=None */
    bool no_affine;              /* affine=False */
    bool no_track_running_stats; /* track_running_stats=False */
    ct_dtype dtype;              /* 0 -> the default float dtype */
} ct_batch_norm_opts;
ct_module *ct_nn_batch_norm1d_opts(int64_t num_features, const ct_batch_norm_opts *opts);
ct_module *ct_nn_batch_norm2d_opts(int64_t num_features, const ct_batch_norm_opts *opts);
ct_module *ct_nn_batch_norm3d_opts(int64_t num_features, const ct_batch_norm_opts *opts);
#define ct_nn_batch_norm1d(n, ...) ct_nn_batch_norm1d_opts((n), &(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_batch_norm2d(n, ...) ct_nn_batch_norm2d_opts((n), &(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_batch_norm3d(n, ...) ct_nn_batch_norm3d_opts((n), &(const ct_batch_norm_opts){__VA_ARGS__})

/* nn.InstanceNorm1d/2d/3d(num_features, eps=1e-5, momentum=0.1,
 * affine=False, track_running_stats=False): the same members as BatchNorm
 * when enabled. Input: 1d (N, C, L) or (C, L); 2d (N, C, H, W) or
 * (C, H, W); 3d (N, C, D, H, W) or (C, D, H, W). Uses the input's
 * statistics in training or when not tracking. */
typedef struct ct_instance_norm_opts {
    double eps;               /* 0 -> 1e-5 */
    double momentum;          /* 0 -> 0.1 */
    bool momentum_none;       /* momentum=None */
    bool affine;              /* affine=True */
    bool track_running_stats; /* track_running_stats=True */
    ct_dtype dtype;
} ct_instance_norm_opts;
ct_module *ct_nn_instance_norm1d_opts(int64_t num_features, const ct_instance_norm_opts *opts);
ct_module *ct_nn_instance_norm2d_opts(int64_t num_features, const ct_instance_norm_opts *opts);
ct_module *ct_nn_instance_norm3d_opts(int64_t num_features, const ct_instance_norm_opts *opts);
#define ct_nn_instance_norm1d(n, ...) ct_nn_instance_norm1d_opts((n), &(const ct_instance_norm_opts){__VA_ARGS__})
#define ct_nn_instance_norm2d(n, ...) ct_nn_instance_norm2d_opts((n), &(const ct_instance_norm_opts){__VA_ARGS__})
#define ct_nn_instance_norm3d(n, ...) ct_nn_instance_norm3d_opts((n), &(const ct_instance_norm_opts){__VA_ARGS__})

/* nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True):
 * weight (ones) and bias (zeros) of normalized_shape. PyTorch 1.13 has no
 * bias=False option. ct_nn_layer_norm(CT_SIZE(3, 4), .eps = 1e-6). */
typedef struct ct_layer_norm_opts {
    double eps;                   /* 0 -> 1e-5 */
    bool no_elementwise_affine;   /* elementwise_affine=False */
    ct_dtype dtype;
} ct_layer_norm_opts;
ct_module *ct_nn_layer_norm_opts(int ndim, const int64_t *normalized_shape, const ct_layer_norm_opts *opts);
#define ct_nn_layer_norm(shape, ...) ct_nn_layer_norm_opts(shape, &(const ct_layer_norm_opts){__VA_ARGS__})

/* nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True):
 * "num_channels must be divisible by num_groups". */
typedef struct ct_group_norm_opts {
    double eps;     /* 0 -> 1e-5 */
    bool no_affine; /* affine=False */
    ct_dtype dtype;
} ct_group_norm_opts;
ct_module *ct_nn_group_norm_opts(int64_t num_groups, int64_t num_channels, const ct_group_norm_opts *opts);
#define ct_nn_group_norm(g, c, ...) ct_nn_group_norm_opts((g), (c), &(const ct_group_norm_opts){__VA_ARGS__})

/* nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0). A zero field
 * means the default; an exact zero is asked for with the *_zero flags. */
typedef struct ct_local_response_norm_opts {
    double alpha, beta, k;
    bool alpha_zero, beta_zero, k_zero;
} ct_local_response_norm_opts;
ct_module *ct_nn_local_response_norm_opts(int64_t size, const ct_local_response_norm_opts *opts);
#define ct_nn_local_response_norm(size, ...) \
    ct_nn_local_response_norm_opts((size), &(const ct_local_response_norm_opts){__VA_ARGS__})

/* nn.Dropout(p, inplace=False) and friends: p is required (p = 0 is a
 * legal value, so it cannot mean "default"; PyTorch's default is 0.5).
 * Errors: "dropout probability has to be between 0 and 1, but got 1.5".
 * Train mode drops, eval mode returns the input. */
typedef struct ct_dropout_opts {
    bool inplace;
} ct_dropout_opts;
ct_module *ct_nn_dropout_opts(double p, const ct_dropout_opts *opts);
ct_module *ct_nn_dropout1d_opts(double p, const ct_dropout_opts *opts);
ct_module *ct_nn_dropout2d_opts(double p, const ct_dropout_opts *opts);
ct_module *ct_nn_dropout3d_opts(double p, const ct_dropout_opts *opts);
ct_module *ct_nn_alpha_dropout_opts(double p, const ct_dropout_opts *opts);
ct_module *ct_nn_feature_alpha_dropout_opts(double p, const ct_dropout_opts *opts);
#define ct_nn_dropout(p, ...) ct_nn_dropout_opts((p), &(const ct_dropout_opts){__VA_ARGS__})
#define ct_nn_dropout1d(p, ...) ct_nn_dropout1d_opts((p), &(const ct_dropout_opts){__VA_ARGS__})
#define ct_nn_dropout2d(p, ...) ct_nn_dropout2d_opts((p), &(const ct_dropout_opts){__VA_ARGS__})
#define ct_nn_dropout3d(p, ...) ct_nn_dropout3d_opts((p), &(const ct_dropout_opts){__VA_ARGS__})
#define ct_nn_alpha_dropout(p, ...) ct_nn_alpha_dropout_opts((p), &(const ct_dropout_opts){__VA_ARGS__})
#define ct_nn_feature_alpha_dropout(p, ...) ct_nn_feature_alpha_dropout_opts((p), &(const ct_dropout_opts){__VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
