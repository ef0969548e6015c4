/* ctorch/nn_misc.h — embeddings, pixel/channel shuffles, resampling
 * (interpolate, Upsample), and Bilinear / LazyLinear, as PyTorch 1.13.1.
 *
 * Conventions
 * - Options: an options struct behind a macro, filled with designated
 *   initializers; a zero field means PyTorch's default:
 *       ct_tensor *e = ct_embedding(idx, w, .padding_idx = &(int64_t){0});
 *   Options whose default is None while zero is a legal value
 *   (padding_idx, max_norm) are POINTERS: NULL means None.
 * - Ownership: tensor arguments (and tensors in options) are borrowed;
 *   returned tensors and modules are new references.
 * - Errors: NULL with ct_last_error() worded as PyTorch; a NULL tensor
 *   argument returns NULL without touching the error.
 * - Gradients carry PyTorch's grad_fn names (EmbeddingBackward0,
 *   PixelShuffleBackward0, UpsampleBilinear2DBackward1, ...). See
 *   docs/nn-misc.md for which backwards are once differentiable. */
#ifndef CTORCH_NN_MISC_H
#define CTORCH_NN_MISC_H

#include <stdbool.h>
#include <stdint.h>

#include "nn.h"
#include "nn_conv.h"
#include "nn_norm.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================== embeddings ======================== */

/* F.embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
 *             scale_grad_by_freq=False, sparse=False):
 * input: any shape, int64 or int32 indices in [0, num_embeddings)
 * ("index out of range in self"); weight: (num_embeddings, D) ("'weight'
 * must be 2-D") -> input.shape + (D). padding_idx (may be negative, counted
 * from the end; "Padding_idx must be within num_embeddings") receives no
 * gradient. max_norm: rows of weight referenced by input whose norm_type
 * norm exceeds max_norm are rescaled IN PLACE to max_norm (under no_grad,
 * as PyTorch: weight's version is bumped). scale_grad_by_freq divides each
 * row's gradient by the index's frequency in the call. sparse is accepted
 * and ignored (ctorch has dense gradients only). Backward:
 * EmbeddingBackward0 (twice differentiable w.r.t. the gradient). */
typedef struct ct_embedding_options {
    const int64_t *padding_idx; /* NULL: None */
    const double *max_norm;     /* NULL: None */
    double norm_type;           /* 0: 2.0 */
    bool scale_grad_by_freq;
    bool sparse;
} ct_embedding_options;
ct_tensor *ct_embedding_opts(const ct_tensor *input, const ct_tensor *weight, const ct_embedding_options *o);
#define ct_embedding(input, weight, ...) \
    ct_embedding_opts((input), (weight), &(const ct_embedding_options){__VA_ARGS__})

/* torch.embedding_renorm_(weight, input, max_norm, norm_type) under no_grad:
 * each distinct row weight[i] (i in input) with norm > max_norm is scaled
 * by max_norm / (norm + 1e-7). */
CT_NODISCARD int ct_embedding_renorm_(ct_tensor *weight, const ct_tensor *input, double max_norm, double norm_type);

/* F.embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
 *                 scale_grad_by_freq=False, mode='mean', sparse=False,
 *                 per_sample_weights=None, include_last_offset=False,
 *                 padding_idx=None):
 * input 2-D (B, L) with offsets NULL -> (B, D), or 1-D (n) with 1-D offsets
 * (B or B+1 with include_last_offset) -> (B, D). Empty bags give zeros;
 * padding_idx entries are skipped (and not counted by 'mean').
 * per_sample_weights (input's shape, 'sum' only) scale each row.
 * Backward: EmbeddingBagBackward0 for weight and per_sample_weights. */
typedef enum ct_embedding_bag_mode {
    CT_EMBEDDING_BAG_MEAN = 0, /* PyTorch's default */
    CT_EMBEDDING_BAG_SUM,
    CT_EMBEDDING_BAG_MAX
} ct_embedding_bag_mode;
typedef struct ct_embedding_bag_options {
    const ct_tensor *offsets;            /* may be NULL (2-D input) */
    ct_embedding_bag_mode mode;          /* 0: mean */
    const ct_tensor *per_sample_weights; /* may be NULL */
    bool include_last_offset;
    const int64_t *padding_idx; /* NULL: None */
    const double *max_norm;     /* NULL: None */
    double norm_type;           /* 0: 2.0 */
    bool scale_grad_by_freq;
    bool sparse; /* accepted, ignored */
} ct_embedding_bag_options;
ct_tensor *ct_embedding_bag_opts(const ct_tensor *input, const ct_tensor *weight, const ct_embedding_bag_options *o);
#define ct_embedding_bag(input, weight, ...) \
    ct_embedding_bag_opts((input), (weight), &(const ct_embedding_bag_options){__VA_ARGS__})

/* F.one_hot(tensor, num_classes=-1): int64 (*) -> int64 (*, num_classes);
 * num_classes -1 infers max + 1. */
ct_tensor *ct_one_hot(const ct_tensor *input, int64_t num_classes);

/* nn.Embedding(num_embeddings, embedding_dim, ...): weight
 * (num_embeddings, embedding_dim) ~ N(0, 1), padding row zeroed; forward
 * = F.embedding. repr "Embedding(10, 3, padding_idx=0)". */
typedef struct ct_embedding_module_options {
    const int64_t *padding_idx; /* NULL: None */
    const double *max_norm;     /* NULL: None */
    double norm_type;           /* 0: 2.0 */
    bool scale_grad_by_freq;
    bool sparse;
    ct_dtype dtype; /* 0: default float dtype */
} ct_embedding_module_options;
ct_module *ct_nn_embedding_opts(int64_t num_embeddings, int64_t embedding_dim, const ct_embedding_module_options *o);
#define ct_nn_embedding(num, dim, ...) \
    ct_nn_embedding_opts((num), (dim), &(const ct_embedding_module_options){__VA_ARGS__})
/* nn.Embedding.from_pretrained(embeddings, freeze=True, ...): embeddings
 * (rows, cols) must be 2-D ("Embeddings parameter is expected to be
 * 2-dimensional"); the weight shares its memory (Parameter(embeddings)),
 * nothing is drawn and the padding row is kept. PyTorch's freeze=True
 * default becomes the field `unfreeze` so that zero stays the default. */
typedef struct ct_embedding_pretrained_options {
    bool unfreeze; /* freeze=False */
    const int64_t *padding_idx;
    const double *max_norm;
    double norm_type;
    bool scale_grad_by_freq;
    bool sparse;
} ct_embedding_pretrained_options;
ct_module *ct_nn_embedding_from_pretrained_opts(const ct_tensor *embeddings, const ct_embedding_pretrained_options *o);
#define ct_nn_embedding_from_pretrained(emb, ...) \
    ct_nn_embedding_from_pretrained_opts((emb), &(const ct_embedding_pretrained_options){__VA_ARGS__})

/* nn.EmbeddingBag(num_embeddings, embedding_dim, ...): forward with
 * ct_forward (2-D input) or ct_forward_n(m, 2 or 3, {input, offsets,
 * per_sample_weights}) (offsets / per_sample_weights may be NULL). */
typedef struct ct_embedding_bag_module_options {
    const double *max_norm;
    double norm_type;
    bool scale_grad_by_freq;
    ct_embedding_bag_mode mode;
    bool sparse;
    bool include_last_offset;
    const int64_t *padding_idx;
    ct_dtype dtype;
} ct_embedding_bag_module_options;
ct_module *ct_nn_embedding_bag_opts(int64_t num_embeddings, int64_t embedding_dim,
                                    const ct_embedding_bag_module_options *o);
#define ct_nn_embedding_bag(num, dim, ...) \
    ct_nn_embedding_bag_opts((num), (dim), &(const ct_embedding_bag_module_options){__VA_ARGS__})

/* ======================== shuffles ======================== */

/* F.pixel_shuffle(x, r): (*, C*r*r, H, W) -> (*, C, H*r, W*r).
 * PixelShuffleBackward0 (its gradient is pixel_unshuffle, so twice
 * differentiable). */
ct_tensor *ct_pixel_shuffle(const ct_tensor *x, int64_t upscale_factor);
/* F.pixel_unshuffle(x, r): (*, C, H*r, W*r) -> (*, C*r*r, H, W). PixelUnshuffleBackward0. */
ct_tensor *ct_pixel_unshuffle(const ct_tensor *x, int64_t downscale_factor);
/* F.channel_shuffle(x, g): (N, C, *) -> (N, C, *), channels regrouped as
 * (g, C/g) -> (C/g, g). PyTorch 1.13's output has a grad_fn named
 * "NotImplemented" that raises in backward; ctorch's is differentiable
 * (ChannelShuffleBackward0, its gradient is channel_shuffle(grad, C/g)). */
ct_tensor *ct_channel_shuffle(const ct_tensor *x, int64_t groups);

ct_module *ct_nn_pixel_shuffle(int64_t upscale_factor);     /* "PixelShuffle(upscale_factor=2)" */
ct_module *ct_nn_pixel_unshuffle(int64_t downscale_factor); /* "PixelUnshuffle(downscale_factor=2)" */
ct_module *ct_nn_channel_shuffle(int64_t groups);           /* "ChannelShuffle(groups=2)" */

/* ======================== resampling ======================== */

typedef enum ct_interp_mode {
    CT_INTERP_NEAREST = 0, /* PyTorch's default */
    CT_INTERP_LINEAR,      /* 3-D input */
    CT_INTERP_BILINEAR,    /* 4-D input */
    CT_INTERP_BICUBIC,     /* 4-D input */
    CT_INTERP_TRILINEAR,   /* 5-D input */
    CT_INTERP_AREA,        /* 3-D, 4-D or 5-D: adaptive_avg_pool{1,2,3}d */
    CT_INTERP_NEAREST_EXACT /* 3-D, 4-D or 5-D: 'nearest-exact' */
} ct_interp_mode;

/* F.interpolate(x, size=None, scale_factor=None, mode='nearest',
 *               align_corners=None, recompute_scale_factor=None,
 *               antialias=False):
 * x (N, C, d1[, d2[, d3]]) float32/float64 -> (N, C, o1[, o2[, o3]]).
 * size / scale_factor: unused entries are 0; one entry applies to every
 * spatial dim (PyTorch's scalar), else one per spatial dim. Exactly one of
 * the two must be given. With scale_factor, o = (int)(d * s) and the
 * kernel uses 1/s as PyTorch does, unless recompute_scale_factor (then
 * o = floor(d * s) and the ratio d/o). Values, errors and grad_fn names
 * (UpsampleNearest2DBackward1, UpsampleBilinear2DBackward1, ...) as
 * PyTorch; the backward is differentiable (its gradient is the forward).
 * 'nearest-exact' (CT_INTERP_NEAREST_EXACT) takes source index
 * floor((o + 0.5) * scale) (UpsampleNearestExact{1,2,3}DBackward1).
 * 'area' (CT_INTERP_AREA) is adaptive_avg_pool{1,2,3}d to the output
 * size; with scale_factor it always recomputes (o = floor(d * s)), as
 * PyTorch. align_corners with nearest / area / nearest-exact: "align_corners
 * option can only be set with the interpolating modes: linear | bilinear |
 * bicubic | trilinear".
 * antialias: bilinear / bicubic on 4-D input only ("Anti-alias option is
 * only supported for bilinear and bicubic modes"), PyTorch's
 * _upsample_bilinear2d_aa / _upsample_bicubic2d_aa (a triangle / Keys
 * a = -0.5 filter widened by the downsampling ratio, normalised weights;
 * grad_fn UpsampleBilinear2DAaBackward1 / UpsampleBicubic2DAaBackward1). */
typedef struct ct_interpolate_options {
    int64_t size[3];
    double scale_factor[3];
    ct_interp_mode mode;
    bool align_corners;
    bool recompute_scale_factor;
    bool antialias;
} ct_interpolate_options;
ct_tensor *ct_interpolate_opts(const ct_tensor *x, const ct_interpolate_options *o);
#define ct_interpolate(x, ...) ct_interpolate_opts((x), &(const ct_interpolate_options){__VA_ARGS__})

/* nn.Upsample(size, scale_factor, mode, align_corners, recompute_scale_factor):
 * forward = F.interpolate. repr "Upsample(scale_factor=2.0, mode=nearest)"
 * (size: "size=4" or "size=(3, 4)" when several entries are given). */
ct_module *ct_nn_upsample_opts(const ct_interpolate_options *o);
#define ct_nn_upsample(...) ct_nn_upsample_opts(&(const ct_interpolate_options){__VA_ARGS__})
/* nn.UpsamplingNearest2d(size, scale_factor) / nn.UpsamplingBilinear2d
 * (bilinear with align_corners=True); only size / scale_factor are read. */
ct_module *ct_nn_upsampling_nearest2d_opts(const ct_interpolate_options *o);
#define ct_nn_upsampling_nearest2d(...) ct_nn_upsampling_nearest2d_opts(&(const ct_interpolate_options){__VA_ARGS__})
ct_module *ct_nn_upsampling_bilinear2d_opts(const ct_interpolate_options *o);
#define ct_nn_upsampling_bilinear2d(...) \
    ct_nn_upsampling_bilinear2d_opts(&(const ct_interpolate_options){__VA_ARGS__})

/* ======================== Bilinear ======================== */

/* F.bilinear(x1, x2, weight, bias): x1 (*, in1), x2 (*, in2), weight
 * (out, in1, in2), bias (out) or NULL -> (*, out);
 * y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o]. Composed of
 * matmuls (grad_fn differs from PyTorch's: see docs/nn-misc.md). */
ct_tensor *ct_bilinear(const ct_tensor *x1, const ct_tensor *x2, const ct_tensor *weight, const ct_tensor *bias);
/* nn.Bilinear(in1, in2, out, bias=True): weight and bias ~
 * U(-1/sqrt(in1), 1/sqrt(in1)), weight first. Call with
 * ct_forward_n(m, 2, (ct_tensor *[]){x1, x2}). */
ct_module *ct_nn_bilinear_opts(int64_t in1_features, int64_t in2_features, int64_t out_features,
                               const ct_linear_opts *opts);
#define ct_nn_bilinear(in1, in2, out, ...) \
    ct_nn_bilinear_opts((in1), (in2), (out), &(const ct_linear_opts){__VA_ARGS__})

/* ======================== Lazy modules ========================
 * nn.LazyLinear, LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d,
 * LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d (src/nn/lazy.c).
 * Until the first forward the parameters (and the norms' running_mean /
 * running_var) are registered as empty (0,) placeholders standing for
 * PyTorch's UninitializedParameter / UninitializedBuffer, so state_dict has
 * PyTorch's keys (num_batches_tracked is a real int64 0). The repr prints
 * the missing size as 0: "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1,
 * 1))". The first ct_forward reads it from the input (LazyLinear: last dim;
 * conv: dim 1 of a batched / dim 0 of an unbatched input; norms:
 * input.shape[1], also for an unbatched InstanceNorm input, as PyTorch),
 * materializes the placeholders IN PLACE (the parameter handles stay the
 * same) under no_grad with the target class's reset_parameters, draw for
 * draw from the default generator (Linear / Conv: kaiming_uniform_(a=
 * sqrt(5)) then the bias; norms: ones / zeros, nothing drawn), in the
 * placeholders' dtype (so ct_module_to before materialization is kept),
 * and the module becomes its cls_to_become: ct_module_name and repr give
 * "Linear" / "Conv2d" / "ConvTranspose1d" / "BatchNorm2d" /
 * "InstanceNorm3d" ... . Materialization happens inside forward, after
 * user forward pre-hooks.
 * ct_module_load_state_dict into an unmaterialized module materializes each
 * placeholder whose key is in the state_dict with the loaded shape (PyTorch's
 * _lazy_load_hook; nothing drawn) and loads it; a loaded (0,) value counts
 * as uninitialized and is skipped. The module still becomes its class on
 * its first forward, but then never infers the size, which prints as 0
 * ("Linear(in_features=0, ...)"), as PyTorch.
 * Errors: "tuple index out of range" (input with too few dims for the
 * norms / LazyLinear), "Expected 3D (unbatched) or 4D (batched) input to
 * LazyConv2d, but got input of size: torch.Size([4])", "in_channels must
 * be divisible by groups"; construction errors as the target class's.
 * Every constructor warns as PyTorch ("Lazy modules are a new feature ..."). */

/* nn.LazyLinear(out_features, bias=True): x (*, in) -> (*, out). */
ct_module *ct_nn_lazy_linear_opts(int64_t out_features, const ct_linear_opts *opts);
#define ct_nn_lazy_linear(out, ...) ct_nn_lazy_linear_opts((out), &(const ct_linear_opts){__VA_ARGS__})

/* nn.LazyConv{1,2,3}d(out_channels, kernel_size, stride=1, padding=0,
 * dilation=1, groups=1, bias=True, padding_mode='zeros') and
 * nn.LazyConvTranspose{1,2,3}d(out_channels, kernel_size, ..., output_padding):
 * the options of ct_nn_conv*d (ct_conv_opts; its strings are copied). */
ct_module *ct_nn_lazy_conv1d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_lazy_conv2d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_lazy_conv3d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_lazy_conv_transpose1d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_lazy_conv_transpose2d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_lazy_conv_transpose3d_opts(int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
#define ct_nn_lazy_conv1d(o, k, ...) ct_nn_lazy_conv1d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_lazy_conv2d(o, k, ...) ct_nn_lazy_conv2d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_lazy_conv3d(o, k, ...) ct_nn_lazy_conv3d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_lazy_conv_transpose1d(o, k, ...) \
    ct_nn_lazy_conv_transpose1d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_lazy_conv_transpose2d(o, k, ...) \
    ct_nn_lazy_conv_transpose2d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_lazy_conv_transpose3d(o, k, ...) \
    ct_nn_lazy_conv_transpose3d_opts((o), (k), &(const ct_conv_opts){__VA_ARGS__})

/* nn.LazyBatchNorm{1,2,3}d(eps=1e-5, momentum=0.1, affine=True,
 * track_running_stats=True) and nn.LazyInstanceNorm{1,2,3}d(eps=1e-5,
 * momentum=0.1, affine=True, track_running_stats=True) -- PyTorch 1.13's
 * LazyInstanceNorm defaults ARE affine=True, track_running_stats=True,
 * unlike InstanceNorm's -- both take ct_batch_norm_opts (no_affine,
 * no_track_running_stats: zero = PyTorch's default). */
ct_module *ct_nn_lazy_batch_norm1d_opts(const ct_batch_norm_opts *o);
ct_module *ct_nn_lazy_batch_norm2d_opts(const ct_batch_norm_opts *o);
ct_module *ct_nn_lazy_batch_norm3d_opts(const ct_batch_norm_opts *o);
ct_module *ct_nn_lazy_instance_norm1d_opts(const ct_batch_norm_opts *o);
ct_module *ct_nn_lazy_instance_norm2d_opts(const ct_batch_norm_opts *o);
ct_module *ct_nn_lazy_instance_norm3d_opts(const ct_batch_norm_opts *o);
#define ct_nn_lazy_batch_norm1d(...) ct_nn_lazy_batch_norm1d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_lazy_batch_norm2d(...) ct_nn_lazy_batch_norm2d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_lazy_batch_norm3d(...) ct_nn_lazy_batch_norm3d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_lazy_instance_norm1d(...) ct_nn_lazy_instance_norm1d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_lazy_instance_norm2d(...) ct_nn_lazy_instance_norm2d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})
#define ct_nn_lazy_instance_norm3d(...) ct_nn_lazy_instance_norm3d_opts(&(const ct_batch_norm_opts){__VA_ARGS__})

/* F.affine_grid(theta, size, align_corners): the sampling grid of a batch
 * of affine matrices.
 *   theta: (N, 2, 3), size = {N, C, H, W}    -> (N, H, W, 2)
 *   theta: (N, 3, 4), size = {N, C, D, H, W} -> (N, D, H, W, 3)
 * (x, y[, z]) in [-1, 1] as PyTorch 1.13.1's affine_grid_generator;
 * align_corners = false is PyTorch's default. Differentiable in theta
 * (AffineGridGeneratorBackward0, twice differentiable). Errors with
 * PyTorch's words: "Expected a batch of 2D affine matrices of shape Nx2x3
 * for size [1, 1, 2, 2]. Got torch.Size([1, 3, 3]).", "Expected
 * non-zero, positive output size. Got [...]", integer theta, sizes of
 * other lengths; warns for unit-size grids with align_corners. */
ct_tensor *ct_affine_grid(const ct_tensor *theta, int ndim, const int64_t *size, bool align_corners);

/* F.grid_sample(input, grid, mode='bilinear', padding_mode='zeros',
 *               align_corners=False): samples input at the grid's
 * normalized locations ((-1, -1) = the top-left pixel's corner, or its
 * centre with align_corners; grid[..., 0] is x (width), [..., 1] y,
 * [..., 2] z (depth)).
 *   input: (N, C, H_in, W_in),        grid: (N, H, W, 2)    -> (N, C, H, W)
 *   input: (N, C, D_in, H_in, W_in),  grid: (N, D, H, W, 3) -> (N, C, D, H, W)
 * mode: bilinear (trilinear for 5-D, PyTorch's default), nearest (ties
 * to even, as nearbyint), bicubic (4-D only; A = -0.75). padding_mode:
 * zeros (default), border, reflection. float32 / float64; grid must have
 * input's dtype. Errors as PyTorch 1.13.1's ("grid_sampler(): expected
 * grid and input to have same batch size, but got input with sizes [2, 1,
 * 3, 3] and grid with sizes [1, 2, 2, 2]", "grid_sampler(): bicubic
 * interpolation only supports 4D input", "expected scalar type Float but
 * found Double", "grid_sampler_2d_cpu not implemented for Long", ...).
 * PyTorch's warning for align_corners=None does not exist here (C has no
 * None: false is the default). Differentiable in input and grid
 * (GridSampler2DBackward0 / GridSampler3DBackward0); once differentiable
 * as in PyTorch: a gradient made with create_graph carries a
 * "NotImplemented" node whose backward fails with "derivative for
 * aten::grid_sampler_2d_backward is not implemented". */
typedef enum ct_grid_sample_mode {
    CT_GRID_SAMPLE_BILINEAR = 0, /* PyTorch's default */
    CT_GRID_SAMPLE_NEAREST,
    CT_GRID_SAMPLE_BICUBIC
} ct_grid_sample_mode;
typedef enum ct_grid_padding_mode {
    CT_GRID_PAD_ZEROS = 0, /* PyTorch's default */
    CT_GRID_PAD_BORDER,
    CT_GRID_PAD_REFLECTION
} ct_grid_padding_mode;
typedef struct ct_grid_sample_options {
    ct_grid_sample_mode mode;
    ct_grid_padding_mode padding_mode;
    bool align_corners;
} ct_grid_sample_options;
ct_tensor *ct_grid_sample_opts(const ct_tensor *input, const ct_tensor *grid, const ct_grid_sample_options *o);
#define ct_grid_sample(input, grid, ...) \
    ct_grid_sample_opts((input), (grid), &(const ct_grid_sample_options){__VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
