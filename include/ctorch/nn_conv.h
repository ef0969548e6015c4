/* ctorch/nn_conv.h — convolution and padding: F.conv1d/2d/3d,
 * F.conv_transpose1d/2d/3d, F.unfold / F.fold (ct_im2col / ct_col2im),
 * F.pad, and the modules nn.Conv*d, nn.ConvTranspose*d, nn.Unfold,
 * nn.Fold, nn.ReflectionPad*d, nn.ReplicationPad*d, nn.ConstantPad*d,
 * nn.ZeroPad2d.
 *
 *     ct_module *conv = ct_nn_conv2d(1, 20, 5, .stride = 2, .padding = 1);
 *     ct_tensor *y = ct_forward(conv, x);                 // (N, 1, 28, 28) -> (N, 20, 13, 13)
 *     ct_tensor *z = ct_conv2d(x, w, NULL, .padding_str = "same");
 *     ct_tensor *p = ct_pad(x, CT_SIZE(1, 1, 2, 2), "reflect", 0);
 *
 * Options (PyTorch's keyword arguments) go through ct_conv_opts with
 * designated initializers; a zero field means PyTorch's default. An int
 * argument of PyTorch (stride=2) is the scalar field (.stride = 2); a tuple
 * (stride=(2, 1)) is the _nd field (.stride_nd = {2, 1}), which wins when
 * any of its entries is nonzero and is then taken entry by entry (so a
 * tuple must spell out every spatial dim). Because zero means "default",
 * the scalar stride/dilation/groups cannot express PyTorch's invalid 0:
 * negative values give PyTorch's errors instead.
 *
 * Ownership: returned tensors and modules are new references; arguments
 * are borrowed. A NULL tensor argument returns NULL without a new error.
 * Errors: NULL with ct_last_error() worded as PyTorch 1.13.1.
 *
 * dtypes: float32 and float64 (PyTorch's CPU convolution also runs on
 * integer tensors; ctorch refuses them with "\"conv\" not implemented for
 * 'Long'"). Input and weight must share the dtype, as in PyTorch.
 *
 * Autograd: every convolution and transposed convolution records
 * ConvolutionBackward0 (inputs input, weight, bias), F.unfold records
 * Im2ColBackward0, F.fold Col2ImBackward0, F.pad ConstantPadNdBackward0 /
 * ReflectionPad{1,2,3}DBackward0 / ReplicationPad{1,2,3}DBackward0 (circular:
 * see docs/nn-conv.md). All backward formulas are built from these same
 * differentiable ops, so double backward (create_graph) works for all of
 * them. */
#ifndef CTORCH_NN_CONV_H
#define CTORCH_NN_CONV_H

#include <stdbool.h>

#include "nn.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_conv_opts {
    int64_t stride;         /* 0: 1 */
    int64_t padding;        /* 0: 0 (implicit zero padding on both sides) */
    int64_t dilation;       /* 0: 1 */
    int64_t output_padding; /* transposed convolutions only; 0: 0 */
    int64_t groups;         /* 0: 1 */
    /* per-dim tuples (up to 3 spatial dims); used when any entry is nonzero */
    int64_t stride_nd[3], padding_nd[3], dilation_nd[3], output_padding_nd[3];
    /* padding='same' / 'valid' (non-transposed convolutions); NULL: numeric */
    const char *padding_str;
    /* modules only */
    int64_t kernel_nd[3];     /* kernel_size as a tuple, overrides the int argument */
    bool no_bias;             /* bias=False */
    const char *padding_mode; /* "zeros" (NULL), "reflect", "replicate", "circular" */
    ct_dtype dtype;           /* parameter dtype; 0: the default dtype */
} ct_conv_opts;

/* ---- functional convolutions ----
 * F.conv{1,2,3}d(x, weight, bias, stride, padding, dilation, groups):
 *   x: (N, C_in, *in) or unbatched (C_in, *in) with 1/2/3 spatial dims;
 *   weight: (C_out, C_in / groups, *k); bias: (C_out) or NULL
 *   -> (N, C_out, *out), out = (in + 2 pad - dil (k - 1) - 1) / stride + 1.
 * padding_str "same" pads so that out == in (stride must be 1; an odd total
 * padding puts the extra element on the right, as PyTorch); "valid" = 0. */
ct_tensor *ct_conv1d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias, const ct_conv_opts *o);
ct_tensor *ct_conv2d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias, const ct_conv_opts *o);
ct_tensor *ct_conv3d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias, const ct_conv_opts *o);
#define ct_conv1d(x, w, b, ...) ct_conv1d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})
#define ct_conv2d(x, w, b, ...) ct_conv2d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})
#define ct_conv3d(x, w, b, ...) ct_conv3d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})

/* F.conv_transpose{1,2,3}d(x, weight, bias, stride, padding, output_padding,
 * groups, dilation):
 *   x: (N, C_in, *in) or unbatched; weight: (C_in, C_out / groups, *k);
 *   bias: (C_out) or NULL -> (N, C_out, *out),
 *   out = (in - 1) stride - 2 pad + dil (k - 1) + output_padding + 1.
 * output_padding must be smaller than stride or dilation. */
ct_tensor *ct_conv_transpose1d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias,
                                    const ct_conv_opts *o);
ct_tensor *ct_conv_transpose2d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias,
                                    const ct_conv_opts *o);
ct_tensor *ct_conv_transpose3d_opts(const ct_tensor *x, const ct_tensor *weight, const ct_tensor *bias,
                                    const ct_conv_opts *o);
#define ct_conv_transpose1d(x, w, b, ...) ct_conv_transpose1d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})
#define ct_conv_transpose2d(x, w, b, ...) ct_conv_transpose2d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})
#define ct_conv_transpose3d(x, w, b, ...) ct_conv_transpose3d_opts((x), (w), (b), &(const ct_conv_opts){__VA_ARGS__})

/* F.unfold(x, kernel_size, dilation, padding, stride) — named after its
 * ATen kernel because ct_unfold is Tensor.unfold:
 *   x: (N, C, H, W) or (C, H, W) -> (N, C * kh * kw, L) or (C * kh * kw, L).
 * kernel_size is the int k (or .kernel_nd = {kh, kw}). */
ct_tensor *ct_im2col_opts(const ct_tensor *x, int64_t kernel_size, const ct_conv_opts *o);
#define ct_im2col(x, k, ...) ct_im2col_opts((x), (k), &(const ct_conv_opts){__VA_ARGS__})
/* F.fold(x, output_size, kernel_size, dilation, padding, stride): the sum
 * of sliding blocks: x (N, C * kh * kw, L) or (C * kh * kw, L)
 *   -> (N, C, out_h, out_w) or (C, out_h, out_w). */
ct_tensor *ct_col2im_opts(const ct_tensor *x, int64_t out_h, int64_t out_w, int64_t kernel_size,
                          const ct_conv_opts *o);
#define ct_col2im(x, oh, ow, k, ...) ct_col2im_opts((x), (oh), (ow), (k), &(const ct_conv_opts){__VA_ARGS__})

/* ---- F.pad ----
 * pad: npad (even) amounts, last dim first: (left, right, top, bottom,
 * front, back). mode "constant" (NULL; negative amounts crop), "reflect",
 * "replicate", "circular" (those three pad the last 1-3 dims of a 2-5-d
 * input; only trailing dims of (N, C, ...) or (C, ...) as PyTorch).
 * value: the fill of constant mode (PyTorch's None is 0).
 *     ct_pad(x, CT_SIZE(1, 2), "reflect", 0)   // F.pad(x, (1, 2), 'reflect') */
ct_tensor *ct_pad(const ct_tensor *x, int npad, const int64_t *pad, const char *mode, double value);

/* ---- modules ----
 * nn.Conv{1,2,3}d(in_channels, out_channels, kernel_size, ...): weight
 * (C_out, C_in / groups, *k), bias (C_out), initialised as PyTorch's
 * reset_parameters (kaiming_uniform_(a=sqrt(5)), then bias uniform with
 * fan_in from the weight) from the default generator. padding_mode other
 * than zeros pads with F.pad first (PyTorch's
 * _reversed_padding_repeated_twice). */
ct_module *ct_nn_conv1d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_conv2d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
ct_module *ct_nn_conv3d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size, const ct_conv_opts *o);
#define ct_nn_conv1d(i, o, k, ...) ct_nn_conv1d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_conv2d(i, o, k, ...) ct_nn_conv2d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_conv3d(i, o, k, ...) ct_nn_conv3d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})
/* nn.ConvTranspose{1,2,3}d: weight (C_in, C_out / groups, *k), bias (C_out);
 * only padding_mode zeros, as PyTorch. */
ct_module *ct_nn_conv_transpose1d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                       const ct_conv_opts *o);
ct_module *ct_nn_conv_transpose2d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                       const ct_conv_opts *o);
ct_module *ct_nn_conv_transpose3d_opts(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                       const ct_conv_opts *o);
#define ct_nn_conv_transpose1d(i, o, k, ...) \
    ct_nn_conv_transpose1d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_conv_transpose2d(i, o, k, ...) \
    ct_nn_conv_transpose2d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})
#define ct_nn_conv_transpose3d(i, o, k, ...) \
    ct_nn_conv_transpose3d_opts((i), (o), (k), &(const ct_conv_opts){__VA_ARGS__})

/* nn.Unfold(kernel_size, dilation, padding, stride) / nn.Fold(output_size,
 * kernel_size, ...): the functional forms above as modules. */
ct_module *ct_nn_unfold_opts(int64_t kernel_size, const ct_conv_opts *o);
#define ct_nn_unfold(k, ...) ct_nn_unfold_opts((k), &(const ct_conv_opts){__VA_ARGS__})
ct_module *ct_nn_fold_opts(int64_t out_h, int64_t out_w, int64_t kernel_size, const ct_conv_opts *o);
#define ct_nn_fold(oh, ow, k, ...) ct_nn_fold_opts((oh), (ow), (k), &(const ct_conv_opts){__VA_ARGS__})

/* Padding modules. padding: one int (npad = 1, all sides) or the full
 * tuple (npad = 2 * dims, last dim first), e.g.
 * ct_nn_reflection_pad2d(CT_SIZE(1, 1, 2, 0)). */
ct_module *ct_nn_reflection_pad1d(int npad, const int64_t *padding);
ct_module *ct_nn_reflection_pad2d(int npad, const int64_t *padding);
ct_module *ct_nn_reflection_pad3d(int npad, const int64_t *padding);
ct_module *ct_nn_replication_pad1d(int npad, const int64_t *padding);
ct_module *ct_nn_replication_pad2d(int npad, const int64_t *padding);
ct_module *ct_nn_replication_pad3d(int npad, const int64_t *padding);
ct_module *ct_nn_constant_pad1d(int npad, const int64_t *padding, double value);
ct_module *ct_nn_constant_pad2d(int npad, const int64_t *padding, double value);
ct_module *ct_nn_constant_pad3d(int npad, const int64_t *padding, double value);
ct_module *ct_nn_zero_pad2d(int npad, const int64_t *padding);

#ifdef __cplusplus
}
#endif
#endif
