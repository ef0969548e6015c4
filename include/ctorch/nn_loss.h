/* ctorch/nn_loss.h — torch.nn's loss functions: the functional forms
 * (torch.nn.functional.*_loss -> ct_*_loss) and the loss modules
 * (torch.nn.*Loss -> ct_nn_*_loss), as PyTorch 1.13.1.
 *
 * Conventions
 * - Options: every function has an options struct behind a macro, filled
 *   with designated initializers; a zero field means PyTorch's default:
 *       ct_tensor *l = ct_cross_entropy(logits, target, .label_smoothing = 0.1);
 *       ct_module *m = ct_nn_nll_loss(.weight = w, .ignore_index = &(int64_t){0});
 *   Options whose default is not zero while zero is a legal value (margins,
 *   eps, beta, ignore_index) are POINTERS: NULL means the default, a
 *   compound literal sets a value (.margin = &(double){0.0}).
 * - reduction: ct_reduction, zero = "mean". CT_REDUCTION_BATCHMEAN is only
 *   valid for kl_div; elsewhere it is PyTorch's ValueError
 *   "batchmean is not a valid value for reduction".
 * - Ownership: tensor arguments (and tensors in options) are borrowed;
 *   returned tensors are new references. Module constructors copy the
 *   options (a weight tensor is registered as the buffer "weight", taking
 *   its own reference, as _WeightedLoss does).
 * - Errors: NULL with ct_last_error() worded as PyTorch; a NULL tensor
 *   argument returns NULL without touching the error.
 * - Modules are called with ct_forward_n(m, 2, (ct_tensor *[]){input, target})
 *   (3 inputs for GaussianNLLLoss, MarginRankingLoss, CosineEmbeddingLoss,
 *   TripletMargin*; 4 for CTCLoss). repr is "MSELoss()" etc. (PyTorch's
 *   losses have no extra_repr).
 * - Gradients: every loss is differentiable with respect to its floating
 *   inputs as PyTorch 1.13.1 (grad_fn names as PyTorch: MseLossBackward0,
 *   NllLossBackward0, ...). Double backward works except where PyTorch's own
 *   backward is once differentiable: multi_margin_loss, multilabel_margin_loss
 *   and ctc_loss.
 */
#ifndef CTORCH_NN_LOSS_H
#define CTORCH_NN_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "nn.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ct_reduction {
    CT_REDUCTION_MEAN = 0,     /* 'mean' (default) */
    CT_REDUCTION_SUM = 1,      /* 'sum' */
    CT_REDUCTION_NONE = 2,     /* 'none' */
    CT_REDUCTION_BATCHMEAN = 3 /* 'batchmean' (kl_div only) */
} ct_reduction;

/* Options of the losses that only take a reduction. */
typedef struct ct_loss_options {
    ct_reduction reduction;
} ct_loss_options;

/* ---- regression ---- */

/* F.l1_loss: |input - target|. input, target: (*) broadcastable (PyTorch's
 * size-mismatch UserWarning is emitted) -> () or the broadcast shape for 'none'. */
ct_tensor *ct_l1_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o);
#define ct_l1_loss(input, target, ...) ct_l1_loss_opts((input), (target), &(const ct_loss_options){__VA_ARGS__})
/* F.mse_loss: (input - target)^2; shapes as l1_loss. MseLossBackward0. */
ct_tensor *ct_mse_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o);
#define ct_mse_loss(input, target, ...) ct_mse_loss_opts((input), (target), &(const ct_loss_options){__VA_ARGS__})

/* F.huber_loss(delta=1.0; delta <= 0 is "huber_loss does not support
 * non-positive values for delta."). Shapes as l1_loss. HuberLossBackward0. */
typedef struct ct_huber_loss_options {
    ct_reduction reduction;
    double delta; /* 0: 1.0 */
} ct_huber_loss_options;
ct_tensor *ct_huber_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_huber_loss_options *o);
#define ct_huber_loss(input, target, ...) \
    ct_huber_loss_opts((input), (target), &(const ct_huber_loss_options){__VA_ARGS__})

/* F.smooth_l1_loss(beta=1.0; beta == 0 is l1; negative is "smooth_l1_loss
 * does not support negative values for beta."). SmoothL1LossBackward0. */
typedef struct ct_smooth_l1_loss_options {
    ct_reduction reduction;
    const double *beta; /* NULL: 1.0 */
} ct_smooth_l1_loss_options;
ct_tensor *ct_smooth_l1_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_smooth_l1_loss_options *o);
#define ct_smooth_l1_loss(input, target, ...) \
    ct_smooth_l1_loss_opts((input), (target), &(const ct_smooth_l1_loss_options){__VA_ARGS__})

/* F.poisson_nll_loss(log_input=True, full=False, eps=1e-8):
 * exp(input) - target * input (log_input) or input - target * log(input + eps),
 * plus the Stirling term where target > 1 when full. Same shapes. */
typedef struct ct_poisson_nll_loss_options {
    ct_reduction reduction;
    bool no_log_input; /* log_input=False */
    bool full;
    const double *eps; /* NULL: 1e-8 */
} ct_poisson_nll_loss_options;
ct_tensor *ct_poisson_nll_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                     const ct_poisson_nll_loss_options *o);
#define ct_poisson_nll_loss(input, target, ...) \
    ct_poisson_nll_loss_opts((input), (target), &(const ct_poisson_nll_loss_options){__VA_ARGS__})

/* F.gaussian_nll_loss(input, target, var, full=False, eps=1e-6):
 * 0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi)).
 * input, target: (N, *); var: (N, *), (N, *, 1) or (N, *) minus its last
 * dim ("var is of incorrect size"; "var has negative entry/entries").
 * The clamp is not differentiated (as PyTorch's no_grad clamp_). */
typedef struct ct_gaussian_nll_loss_options {
    ct_reduction reduction;
    bool full;
    const double *eps; /* NULL: 1e-6 */
} ct_gaussian_nll_loss_options;
ct_tensor *ct_gaussian_nll_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_tensor *var,
                                      const ct_gaussian_nll_loss_options *o);
#define ct_gaussian_nll_loss(input, target, var, ...) \
    ct_gaussian_nll_loss_opts((input), (target), (var), &(const ct_gaussian_nll_loss_options){__VA_ARGS__})

/* ---- classification ---- */

/* F.nll_loss(input, target, weight=None, ignore_index=-100):
 * input (C) with target (), (N, C) with (N), or (N, C, d1, ..., dK) with
 * (N, d1, ..., dK) -> () or, for 'none', the target's shape. target int64
 * class indices ("Target 5 is out of bounds."); weight (C) may be NULL.
 * 'mean' divides by the sum of the weights of the non-ignored targets.
 * NllLossBackward0 (1-D/2-D input) / NllLoss2DBackward0 (K-D). No gradient
 * flows to weight (PyTorch: not implemented). */
typedef struct ct_nll_loss_options {
    ct_reduction reduction;
    const ct_tensor *weight;     /* (C) or NULL */
    const int64_t *ignore_index; /* NULL: -100 */
} ct_nll_loss_options;
ct_tensor *ct_nll_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_nll_loss_options *o);
#define ct_nll_loss(input, target, ...) ct_nll_loss_opts((input), (target), &(const ct_nll_loss_options){__VA_ARGS__})

/* F.cross_entropy(input, target, weight, ignore_index=-100,
 * label_smoothing=0.0): log_softmax over the class dim (1, or 0 for a 1-D
 * input) then nll_loss, in one fused numerically stable kernel.
 * - class indices: target int64 of the nll_loss shapes; grad_fn
 *   NllLossBackward0 / NllLoss2DBackward0 (AddBackward0 with smoothing);
 * - class probabilities: target floating with input's shape (ignore_index
 *   must then be negative); grad_fn DivBackward1 ('mean') / NegBackward0. */
typedef struct ct_cross_entropy_options {
    ct_reduction reduction;
    const ct_tensor *weight;     /* (C) or NULL */
    const int64_t *ignore_index; /* NULL: -100 */
    double label_smoothing;      /* in [0, 1] */
} ct_cross_entropy_options;
ct_tensor *ct_cross_entropy_opts(const ct_tensor *input, const ct_tensor *target, const ct_cross_entropy_options *o);
#define ct_cross_entropy(input, target, ...) \
    ct_cross_entropy_opts((input), (target), &(const ct_cross_entropy_options){__VA_ARGS__})

/* F.kl_div(input, target, log_target=False): input holds log-probabilities;
 * target * (log(target) - input) (xlogy: 0 where target == 0), or
 * exp(target) * (target - input) with log_target. 'mean' emits PyTorch's
 * UserWarning; CT_REDUCTION_BATCHMEAN divides the sum by input.size(0). */
typedef struct ct_kl_div_options {
    ct_reduction reduction;
    bool log_target;
} ct_kl_div_options;
ct_tensor *ct_kl_div_opts(const ct_tensor *input, const ct_tensor *target, const ct_kl_div_options *o);
#define ct_kl_div(input, target, ...) ct_kl_div_opts((input), (target), &(const ct_kl_div_options){__VA_ARGS__})

/* F.binary_cross_entropy(input, target, weight): input probabilities in
 * [0, 1] ("all elements of input should be between 0 and 1"), target of the
 * same shape (else PyTorch's "Using a target size (...) that is different to
 * the input size (...) is deprecated. ..." ValueError), weight broadcastable
 * to it. log is clamped at -100. BinaryCrossEntropyBackward0 (input and target). */
typedef struct ct_bce_options {
    ct_reduction reduction;
    const ct_tensor *weight; /* may be NULL */
} ct_bce_options;
ct_tensor *ct_binary_cross_entropy_opts(const ct_tensor *input, const ct_tensor *target, const ct_bce_options *o);
#define ct_binary_cross_entropy(input, target, ...) \
    ct_binary_cross_entropy_opts((input), (target), &(const ct_bce_options){__VA_ARGS__})

/* F.binary_cross_entropy_with_logits(input, target, weight, pos_weight):
 * sigmoid + BCE, stably. target of input's shape ("Target size (...) must be
 * the same as input size (...)"); weight / pos_weight broadcastable (pos_weight
 * along the last dim). BinaryCrossEntropyWithLogitsBackward0. */
typedef struct ct_bce_with_logits_options {
    ct_reduction reduction;
    const ct_tensor *weight;     /* may be NULL */
    const ct_tensor *pos_weight; /* may be NULL */
} ct_bce_with_logits_options;
ct_tensor *ct_binary_cross_entropy_with_logits_opts(const ct_tensor *input, const ct_tensor *target,
                                                    const ct_bce_with_logits_options *o);
#define ct_binary_cross_entropy_with_logits(input, target, ...) \
    ct_binary_cross_entropy_with_logits_opts((input), (target), &(const ct_bce_with_logits_options){__VA_ARGS__})

/* F.soft_margin_loss: log(1 + exp(-target * input)). SoftMarginLossBackward0. */
ct_tensor *ct_soft_margin_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o);
#define ct_soft_margin_loss(input, target, ...) \
    ct_soft_margin_loss_opts((input), (target), &(const ct_loss_options){__VA_ARGS__})

/* F.multilabel_soft_margin_loss(input, target, weight): input, target (N, C)
 * -> mean over C of the per-class logistic loss -> (N) for 'none'. */
ct_tensor *ct_multilabel_soft_margin_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_bce_options *o);
#define ct_multilabel_soft_margin_loss(input, target, ...) \
    ct_multilabel_soft_margin_loss_opts((input), (target), &(const ct_bce_options){__VA_ARGS__})

/* F.multilabel_margin_loss: input (C) or (N, C), target int64 of the same
 * shape holding class indices ended by -1. MultilabelMarginLossBackward0
 * (once differentiable). */
ct_tensor *ct_multilabel_margin_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_loss_options *o);
#define ct_multilabel_margin_loss(input, target, ...) \
    ct_multilabel_margin_loss_opts((input), (target), &(const ct_loss_options){__VA_ARGS__})

/* F.multi_margin_loss(input, target, p=1, margin=1, weight=None):
 * input (C) or (N, C), target int64 (N) (or ()); p is 1 or 2 ("only p == 1
 * and p == 2 supported"). MultiMarginLossBackward0 (once differentiable). */
typedef struct ct_multi_margin_loss_options {
    ct_reduction reduction;
    int p;                   /* 0: 1 */
    const double *margin;    /* NULL: 1.0 */
    const ct_tensor *weight; /* (C) or NULL */
} ct_multi_margin_loss_options;
ct_tensor *ct_multi_margin_loss_opts(const ct_tensor *input, const ct_tensor *target,
                                      const ct_multi_margin_loss_options *o);
#define ct_multi_margin_loss(input, target, ...) \
    ct_multi_margin_loss_opts((input), (target), &(const ct_multi_margin_loss_options){__VA_ARGS__})

/* ---- embeddings and ranking ---- */

/* Options with one margin; NULL means the loss's default margin. */
typedef struct ct_margin_loss_options {
    ct_reduction reduction;
    const double *margin;
} ct_margin_loss_options;

/* F.margin_ranking_loss(x1, x2, target, margin=0): max(0, -target * (x1 - x2) + margin);
 * all three of the same number of dims. */
ct_tensor *ct_margin_ranking_loss_opts(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *target,
                                       const ct_margin_loss_options *o);
#define ct_margin_ranking_loss(x1, x2, target, ...) \
    ct_margin_ranking_loss_opts((x1), (x2), (target), &(const ct_margin_loss_options){__VA_ARGS__})

/* F.hinge_embedding_loss(input, target, margin=1.0): target in {1, -1}. */
ct_tensor *ct_hinge_embedding_loss_opts(const ct_tensor *input, const ct_tensor *target, const ct_margin_loss_options *o);
#define ct_hinge_embedding_loss(input, target, ...) \
    ct_hinge_embedding_loss_opts((input), (target), &(const ct_margin_loss_options){__VA_ARGS__})

/* F.cosine_embedding_loss(x1, x2, target, margin=0): x1, x2 (N, D) with
 * target (N), or (D) with target (). */
ct_tensor *ct_cosine_embedding_loss_opts(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *target,
                                         const ct_margin_loss_options *o);
#define ct_cosine_embedding_loss(x1, x2, target, ...) \
    ct_cosine_embedding_loss_opts((x1), (x2), (target), &(const ct_margin_loss_options){__VA_ARGS__})

/* F.triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2,
 * eps=1e-6, swap=False): distances by pairwise_distance over the last dim.
 * anchor, positive, negative: (N, D) or (D). */
typedef struct ct_triplet_margin_loss_options {
    ct_reduction reduction;
    const double *margin; /* NULL: 1.0 */
    double p;             /* 0: 2 */
    const double *eps;    /* NULL: 1e-6 */
    bool swap;
} ct_triplet_margin_loss_options;
ct_tensor *ct_triplet_margin_loss_opts(const ct_tensor *anchor, const ct_tensor *positive, const ct_tensor *negative,
                                        const ct_triplet_margin_loss_options *o);
#define ct_triplet_margin_loss(a, p, n, ...) \
    ct_triplet_margin_loss_opts((a), (p), (n), &(const ct_triplet_margin_loss_options){__VA_ARGS__})

/* distance_function(x1, x2, ctx) -> a new tensor of per-sample distances, or NULL. */
typedef ct_tensor *(*ct_distance_fn)(const ct_tensor *x1, const ct_tensor *x2, void *ctx);
/* F.triplet_margin_with_distance_loss(anchor, positive, negative,
 * distance_function=None (pairwise_distance), margin=1.0, swap=False);
 * margin must be > 0. */
typedef struct ct_triplet_margin_with_distance_loss_options {
    ct_reduction reduction;
    ct_distance_fn distance_function; /* NULL: pairwise_distance (p=2, eps=1e-6) */
    void *distance_ctx;
    const double *margin; /* NULL: 1.0 */
    bool swap;
} ct_triplet_margin_with_distance_loss_options;
ct_tensor *ct_triplet_margin_with_distance_loss_opts(const ct_tensor *anchor, const ct_tensor *positive,
                                                      const ct_tensor *negative,
                                                      const ct_triplet_margin_with_distance_loss_options *o);
#define ct_triplet_margin_with_distance_loss(a, p, n, ...) \
    ct_triplet_margin_with_distance_loss_opts((a), (p), (n), &(const ct_triplet_margin_with_distance_loss_options){__VA_ARGS__})

/* ---- sequences ---- */

/* F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0,
 * zero_infinity=False): log_probs (T, N, C) or (T, C) (log_softmax output),
 * targets (N, S) padded or 1-D concatenated, int64; input_lengths,
 * target_lengths int64 (N). 'mean' divides each loss by its target length
 * (at least 1) then averages. The alpha-beta recursion runs in double.
 * CtcLossBackward0 (once differentiable); its gradient is PyTorch's, which
 * assumes log_probs came from a log_softmax. */
typedef struct ct_ctc_loss_options {
    ct_reduction reduction;
    int64_t blank;
    bool zero_infinity;
} ct_ctc_loss_options;
ct_tensor *ct_ctc_loss_opts(const ct_tensor *log_probs, const ct_tensor *targets, const ct_tensor *input_lengths,
                             const ct_tensor *target_lengths, const ct_ctc_loss_options *o);
#define ct_ctc_loss(lp, tg, il, tl, ...) ct_ctc_loss_opts((lp), (tg), (il), (tl), &(const ct_ctc_loss_options){__VA_ARGS__})

/* ---- modules: nn.XxxLoss(...) with the functional form's options ----
 * forward inputs as the functional form's tensor arguments, in order. */
ct_module *ct_nn_l1_loss_opts(const ct_loss_options *o);
#define ct_nn_l1_loss(...) ct_nn_l1_loss_opts(&(const ct_loss_options){__VA_ARGS__})
ct_module *ct_nn_mse_loss_opts(const ct_loss_options *o);
#define ct_nn_mse_loss(...) ct_nn_mse_loss_opts(&(const ct_loss_options){__VA_ARGS__})
ct_module *ct_nn_huber_loss_opts(const ct_huber_loss_options *o);
#define ct_nn_huber_loss(...) ct_nn_huber_loss_opts(&(const ct_huber_loss_options){__VA_ARGS__})
ct_module *ct_nn_smooth_l1_loss_opts(const ct_smooth_l1_loss_options *o);
#define ct_nn_smooth_l1_loss(...) ct_nn_smooth_l1_loss_opts(&(const ct_smooth_l1_loss_options){__VA_ARGS__})
ct_module *ct_nn_poisson_nll_loss_opts(const ct_poisson_nll_loss_options *o);
#define ct_nn_poisson_nll_loss(...) ct_nn_poisson_nll_loss_opts(&(const ct_poisson_nll_loss_options){__VA_ARGS__})
ct_module *ct_nn_gaussian_nll_loss_opts(const ct_gaussian_nll_loss_options *o);
#define ct_nn_gaussian_nll_loss(...) ct_nn_gaussian_nll_loss_opts(&(const ct_gaussian_nll_loss_options){__VA_ARGS__})
ct_module *ct_nn_nll_loss_opts(const ct_nll_loss_options *o);
#define ct_nn_nll_loss(...) ct_nn_nll_loss_opts(&(const ct_nll_loss_options){__VA_ARGS__})
ct_module *ct_nn_cross_entropy_loss_opts(const ct_cross_entropy_options *o);
#define ct_nn_cross_entropy_loss(...) ct_nn_cross_entropy_loss_opts(&(const ct_cross_entropy_options){__VA_ARGS__})
ct_module *ct_nn_kl_div_loss_opts(const ct_kl_div_options *o);
#define ct_nn_kl_div_loss(...) ct_nn_kl_div_loss_opts(&(const ct_kl_div_options){__VA_ARGS__})
ct_module *ct_nn_bce_loss_opts(const ct_bce_options *o);
#define ct_nn_bce_loss(...) ct_nn_bce_loss_opts(&(const ct_bce_options){__VA_ARGS__})
ct_module *ct_nn_bce_with_logits_loss_opts(const ct_bce_with_logits_options *o);
#define ct_nn_bce_with_logits_loss(...) ct_nn_bce_with_logits_loss_opts(&(const ct_bce_with_logits_options){__VA_ARGS__})
ct_module *ct_nn_soft_margin_loss_opts(const ct_loss_options *o);
#define ct_nn_soft_margin_loss(...) ct_nn_soft_margin_loss_opts(&(const ct_loss_options){__VA_ARGS__})
ct_module *ct_nn_multilabel_soft_margin_loss_opts(const ct_bce_options *o);
#define ct_nn_multilabel_soft_margin_loss(...) ct_nn_multilabel_soft_margin_loss_opts(&(const ct_bce_options){__VA_ARGS__})
ct_module *ct_nn_multilabel_margin_loss_opts(const ct_loss_options *o);
#define ct_nn_multilabel_margin_loss(...) ct_nn_multilabel_margin_loss_opts(&(const ct_loss_options){__VA_ARGS__})
ct_module *ct_nn_multi_margin_loss_opts(const ct_multi_margin_loss_options *o);
#define ct_nn_multi_margin_loss(...) ct_nn_multi_margin_loss_opts(&(const ct_multi_margin_loss_options){__VA_ARGS__})
ct_module *ct_nn_margin_ranking_loss_opts(const ct_margin_loss_options *o);
#define ct_nn_margin_ranking_loss(...) ct_nn_margin_ranking_loss_opts(&(const ct_margin_loss_options){__VA_ARGS__})
ct_module *ct_nn_hinge_embedding_loss_opts(const ct_margin_loss_options *o);
#define ct_nn_hinge_embedding_loss(...) ct_nn_hinge_embedding_loss_opts(&(const ct_margin_loss_options){__VA_ARGS__})
ct_module *ct_nn_cosine_embedding_loss_opts(const ct_margin_loss_options *o);
#define ct_nn_cosine_embedding_loss(...) ct_nn_cosine_embedding_loss_opts(&(const ct_margin_loss_options){__VA_ARGS__})
ct_module *ct_nn_triplet_margin_loss_opts(const ct_triplet_margin_loss_options *o);
#define ct_nn_triplet_margin_loss(...) ct_nn_triplet_margin_loss_opts(&(const ct_triplet_margin_loss_options){__VA_ARGS__})
ct_module *ct_nn_triplet_margin_with_distance_loss_opts(const ct_triplet_margin_with_distance_loss_options *o);
#define ct_nn_triplet_margin_with_distance_loss(...) \
    ct_nn_triplet_margin_with_distance_loss_opts(&(const ct_triplet_margin_with_distance_loss_options){__VA_ARGS__})
ct_module *ct_nn_ctc_loss_opts(const ct_ctc_loss_options *o);
#define ct_nn_ctc_loss(...) ct_nn_ctc_loss_opts(&(const ct_ctc_loss_options){__VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
