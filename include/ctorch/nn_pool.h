/* ctorch/nn_pool.h — pooling: F.max_pool1d/2d/3d (+ return_indices),
 * F.max_unpool1d/2d/3d, F.avg_pool1d/2d/3d, F.adaptive_max_pool1d/2d/3d,
 * F.adaptive_avg_pool1d/2d/3d, F.lp_pool1d/2d and their nn modules.
 *
 * Shapes: an Nd pooling takes (N, C, *spatial) or unbatched (C, *spatial)
 * with Nd spatial dims, and returns the same leading dims with the pooled
 * spatial sizes:
 *     out = floor_or_ceil((in + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1
 * where ceil_mode drops a last window that would start in the right
 * padding ("the last pooling starts inside the image"), as PyTorch.
 *
 * Window arguments (kernel_size, stride, padding, dilation, output_size)
 * are PyTorch's "int or tuple": a ct_pool_ints holding n values, n = 0
 * meaning "not given" (PyTorch's default), n = 1 an int (every spatial dim),
 * n = Nd a tuple. Write them with CT_POOL_INTS(2) / CT_POOL_INTS(3, 2); the
 * positional kernel_size / output_size of the macros also takes a plain
 * integer:
 *     ct_tensor *y = ct_max_pool2d(x, 2);                       // F.max_pool2d(x, 2)
 *     ct_tensor *z = ct_avg_pool2d(x, CT_POOL_INTS(3, 2), .stride = CT_POOL_INTS(1),
 *                                  .padding = CT_POOL_INTS(1, 0), .ceil_mode = true);
 *     ct_module *pool = ct_nn_max_pool2d(2);                    // nn.MaxPool2d(2)
 *
 * Ownership: returned tensors and modules are new references; arguments
 * are borrowed; *indices outputs receive a new reference (NULL on error).
 * Errors: NULL with ct_last_error() worded as PyTorch 1.13.1 (e.g. "pad
 * should be at most half of kernel size, but got pad=3 and kernel_size=2",
 * "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size
 * is too small", "Found an invalid max index: 70 (output volumes are of
 * size 4x4"); a NULL tensor argument returns NULL without a new error.
 *
 * dtypes: float32 and float64 (others: PyTorch's "\"max_pool2d\" not
 * implemented for 'Long'"-style error; ctorch also refuses integer
 * avg_pool, which PyTorch accepts).
 *
 * Autograd (grad_fn names as PyTorch): MaxPool2DWithIndicesBackward0,
 * MaxPool3DWithIndicesBackward0, AvgPool2DBackward0, AvgPool3DBackward0,
 * AdaptiveAvgPool2DBackward0, AdaptiveAvgPool3DBackward0,
 * AdaptiveMaxPool2DBackward0, AdaptiveMaxPool3DBackward0,
 * MaxUnpool2DBackward0, MaxUnpool3DBackward0. The 1-d forms run the 2-d op
 * on x.unsqueeze(-2) and squeeze the result, as PyTorch does, so their
 * grad_fn is SqueezeBackward1. lp_pool is composed of pow / avg_pool /
 * sign / relu / abs / mul (grad_fn PowBackward0). Every backward is itself
 * differentiable (the backward of the backward is PyTorch's
 * *BackwardBackward0 node), so gradgradcheck passes. */
#ifndef CTORCH_NN_POOL_H
#define CTORCH_NN_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "nn.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PyTorch's int-or-tuple argument: n = 0 not given, 1 an int, else a tuple. */
typedef struct ct_pool_ints {
    int n;
    int64_t v[3];
} ct_pool_ints;
#define CT_POOL_INTS(...) ((ct_pool_ints){CT_NARGS(__VA_ARGS__), {__VA_ARGS__}})
/* None inside an adaptive output_size tuple: keep that input size. */
#define CT_POOL_NONE INT64_MIN

static inline ct_pool_ints ct__pool_ints_id(ct_pool_ints v) { return v; }
static inline ct_pool_ints ct__pool_ints_one(int64_t k) { return (ct_pool_ints){1, {k, 0, 0}}; }
/* an int or a ct_pool_ints, as a ct_pool_ints */
#define CT_POOL_ARG(k) _Generic((k), ct_pool_ints: ct__pool_ints_id, default: ct__pool_ints_one)(k)

/* ---- max pooling ---- */
typedef struct ct_max_pool_opts {
    ct_pool_ints stride;   /* default: kernel_size */
    ct_pool_ints padding;  /* default 0; at most kernel_size / 2 */
    ct_pool_ints dilation; /* default 1 */
    bool ceil_mode;
    bool return_indices; /* modules only (see ct_max_pool_forward_with_indices) */
} ct_max_pool_opts;

/* F.max_poolNd(x, kernel_size, stride, padding, dilation, ceil_mode):
 * x (N, C, *in) or (C, *in) -> (N, C, *out). NaN wins a window (the last
 * NaN's index), as PyTorch. */
ct_tensor *ct_max_pool1d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
ct_tensor *ct_max_pool2d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
ct_tensor *ct_max_pool3d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
#define ct_max_pool1d(x, k, ...) ct_max_pool1d_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
#define ct_max_pool2d(x, k, ...) ct_max_pool2d_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
#define ct_max_pool3d(x, k, ...) ct_max_pool3d_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
/* return_indices=True: *indices (int64, the output's shape) holds each
 * maximum's flat position within its input plane (h * W + w). */
ct_tensor *ct_max_pool1d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices);
ct_tensor *ct_max_pool2d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices);
ct_tensor *ct_max_pool3d_with_indices_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_max_pool_opts *opts,
                                           ct_tensor **indices);
#define ct_max_pool1d_with_indices(x, k, indices, ...) \
    ct_max_pool1d_with_indices_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__}, (indices))
#define ct_max_pool2d_with_indices(x, k, indices, ...) \
    ct_max_pool2d_with_indices_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__}, (indices))
#define ct_max_pool3d_with_indices(x, k, indices, ...) \
    ct_max_pool3d_with_indices_opts((x), CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__}, (indices))

/* ---- max unpooling ---- */
typedef struct ct_max_unpool_opts {
    ct_pool_ints stride;  /* default: kernel_size */
    ct_pool_ints padding; /* default 0 */
    /* output_size (may be NULL): the Nd spatial sizes, or the full shape
     * (N, C, *spatial) / (C, *spatial) as PyTorch accepts */
    int output_ndim;
    const int64_t *output_size;
} ct_max_unpool_opts;
/* F.max_unpoolNd(x, indices, kernel_size, ...): x and indices (N, C, *in)
 * -> (N, C, *out) with out = (in - 1) * stride - 2 * padding + kernel_size
 * (or output_size), zeros except out[indices] = x. */
ct_tensor *ct_max_unpool1d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts);
ct_tensor *ct_max_unpool2d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts);
ct_tensor *ct_max_unpool3d_opts(const ct_tensor *x, const ct_tensor *indices, ct_pool_ints kernel_size,
                                const ct_max_unpool_opts *opts);
#define ct_max_unpool1d(x, i, k, ...) \
    ct_max_unpool1d_opts((x), (i), CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})
#define ct_max_unpool2d(x, i, k, ...) \
    ct_max_unpool2d_opts((x), (i), CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})
#define ct_max_unpool3d(x, i, k, ...) \
    ct_max_unpool3d_opts((x), (i), CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})

/* ---- average pooling ---- */
typedef struct ct_avg_pool_opts {
    ct_pool_ints stride;  /* default: kernel_size */
    ct_pool_ints padding; /* default 0 */
    bool ceil_mode;
    bool no_count_include_pad; /* count_include_pad=False */
    int64_t divisor_override;  /* 0: None (2d/3d only) */
} ct_avg_pool_opts;
/* F.avg_poolNd: x (N, C, *in) or (C, *in) -> (N, C, *out). */
ct_tensor *ct_avg_pool1d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
ct_tensor *ct_avg_pool2d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
ct_tensor *ct_avg_pool3d_opts(const ct_tensor *x, ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
#define ct_avg_pool1d(x, k, ...) ct_avg_pool1d_opts((x), CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})
#define ct_avg_pool2d(x, k, ...) ct_avg_pool2d_opts((x), CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})
#define ct_avg_pool3d(x, k, ...) ct_avg_pool3d_opts((x), CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})

/* ---- adaptive pooling ----
 * output_size: int or Nd-tuple (CT_POOL_NONE entries keep the input size).
 * Window o of a dim covers [floor(o * in / out), ceil((o + 1) * in / out)). */
ct_tensor *ct_adaptive_avg_pool1d_opts(const ct_tensor *x, ct_pool_ints output_size);
ct_tensor *ct_adaptive_avg_pool2d_opts(const ct_tensor *x, ct_pool_ints output_size);
ct_tensor *ct_adaptive_avg_pool3d_opts(const ct_tensor *x, ct_pool_ints output_size);
#define ct_adaptive_avg_pool1d(x, s) ct_adaptive_avg_pool1d_opts((x), CT_POOL_ARG(s))
#define ct_adaptive_avg_pool2d(x, s) ct_adaptive_avg_pool2d_opts((x), CT_POOL_ARG(s))
#define ct_adaptive_avg_pool3d(x, s) ct_adaptive_avg_pool3d_opts((x), CT_POOL_ARG(s))
/* indices may be NULL (return_indices=False) */
ct_tensor *ct_adaptive_max_pool1d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices);
ct_tensor *ct_adaptive_max_pool2d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices);
ct_tensor *ct_adaptive_max_pool3d_opts(const ct_tensor *x, ct_pool_ints output_size, ct_tensor **indices);
#define ct_adaptive_max_pool1d(x, s) ct_adaptive_max_pool1d_opts((x), CT_POOL_ARG(s), NULL)
#define ct_adaptive_max_pool2d(x, s) ct_adaptive_max_pool2d_opts((x), CT_POOL_ARG(s), NULL)
#define ct_adaptive_max_pool3d(x, s) ct_adaptive_max_pool3d_opts((x), CT_POOL_ARG(s), NULL)
#define ct_adaptive_max_pool1d_with_indices(x, s, i) ct_adaptive_max_pool1d_opts((x), CT_POOL_ARG(s), (i))
#define ct_adaptive_max_pool2d_with_indices(x, s, i) ct_adaptive_max_pool2d_opts((x), CT_POOL_ARG(s), (i))
#define ct_adaptive_max_pool3d_with_indices(x, s, i) ct_adaptive_max_pool3d_opts((x), CT_POOL_ARG(s), (i))

/* ---- power-average pooling ---- */
typedef struct ct_lp_pool_opts {
    ct_pool_ints stride; /* default: kernel_size */
    bool ceil_mode;
} ct_lp_pool_opts;
/* F.lp_poolNd(x, norm_type, kernel_size, stride, ceil_mode):
 * (sum over the window of x^p)^(1/p), computed as PyTorch's composition
 * (sign(a) * relu(|a|) * prod(kernel_size))^(1/p) with a = avg_pool(x^p). */
ct_tensor *ct_lp_pool1d_opts(const ct_tensor *x, double norm_type, ct_pool_ints kernel_size,
                             const ct_lp_pool_opts *opts);
ct_tensor *ct_lp_pool2d_opts(const ct_tensor *x, double norm_type, ct_pool_ints kernel_size,
                             const ct_lp_pool_opts *opts);
#define ct_lp_pool1d(x, p, k, ...) ct_lp_pool1d_opts((x), (p), CT_POOL_ARG(k), &(const ct_lp_pool_opts){__VA_ARGS__})
#define ct_lp_pool2d(x, p, k, ...) ct_lp_pool2d_opts((x), (p), CT_POOL_ARG(k), &(const ct_lp_pool_opts){__VA_ARGS__})

/* ---- modules ----
 * Same options as the functional forms; repr text, stored defaults
 * (stride = kernel_size) and behaviour as PyTorch 1.13.1. No parameters or
 * buffers; train/eval changes nothing. ct_forward returns the pooled
 * output; a MaxPool / AdaptiveMaxPool module gives the indices too through
 * ct_max_pool_forward_with_indices (whether or not return_indices was
 * set). A MaxUnpool module takes (x, indices) through ct_forward_n (and an
 * optional third input is not supported: set output_size in its options). */
ct_module *ct_nn_max_pool1d_opts(ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
ct_module *ct_nn_max_pool2d_opts(ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
ct_module *ct_nn_max_pool3d_opts(ct_pool_ints kernel_size, const ct_max_pool_opts *opts);
#define ct_nn_max_pool1d(k, ...) ct_nn_max_pool1d_opts(CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
#define ct_nn_max_pool2d(k, ...) ct_nn_max_pool2d_opts(CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
#define ct_nn_max_pool3d(k, ...) ct_nn_max_pool3d_opts(CT_POOL_ARG(k), &(const ct_max_pool_opts){__VA_ARGS__})
/* m(x) with return_indices: the output, and the indices in *indices. */
ct_tensor *ct_max_pool_forward_with_indices(ct_module *m, const ct_tensor *x, ct_tensor **indices);

ct_module *ct_nn_max_unpool1d_opts(ct_pool_ints kernel_size, const ct_max_unpool_opts *opts);
ct_module *ct_nn_max_unpool2d_opts(ct_pool_ints kernel_size, const ct_max_unpool_opts *opts);
ct_module *ct_nn_max_unpool3d_opts(ct_pool_ints kernel_size, const ct_max_unpool_opts *opts);
#define ct_nn_max_unpool1d(k, ...) ct_nn_max_unpool1d_opts(CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})
#define ct_nn_max_unpool2d(k, ...) ct_nn_max_unpool2d_opts(CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})
#define ct_nn_max_unpool3d(k, ...) ct_nn_max_unpool3d_opts(CT_POOL_ARG(k), &(const ct_max_unpool_opts){__VA_ARGS__})

ct_module *ct_nn_avg_pool1d_opts(ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
ct_module *ct_nn_avg_pool2d_opts(ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
ct_module *ct_nn_avg_pool3d_opts(ct_pool_ints kernel_size, const ct_avg_pool_opts *opts);
#define ct_nn_avg_pool1d(k, ...) ct_nn_avg_pool1d_opts(CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})
#define ct_nn_avg_pool2d(k, ...) ct_nn_avg_pool2d_opts(CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})
#define ct_nn_avg_pool3d(k, ...) ct_nn_avg_pool3d_opts(CT_POOL_ARG(k), &(const ct_avg_pool_opts){__VA_ARGS__})

ct_module *ct_nn_adaptive_avg_pool1d_opts(ct_pool_ints output_size);
ct_module *ct_nn_adaptive_avg_pool2d_opts(ct_pool_ints output_size);
ct_module *ct_nn_adaptive_avg_pool3d_opts(ct_pool_ints output_size);
#define ct_nn_adaptive_avg_pool1d(s) ct_nn_adaptive_avg_pool1d_opts(CT_POOL_ARG(s))
#define ct_nn_adaptive_avg_pool2d(s) ct_nn_adaptive_avg_pool2d_opts(CT_POOL_ARG(s))
#define ct_nn_adaptive_avg_pool3d(s) ct_nn_adaptive_avg_pool3d_opts(CT_POOL_ARG(s))
/* return_indices only changes what ct_max_pool_forward_with_indices is for */
ct_module *ct_nn_adaptive_max_pool1d_opts(ct_pool_ints output_size, bool return_indices);
ct_module *ct_nn_adaptive_max_pool2d_opts(ct_pool_ints output_size, bool return_indices);
ct_module *ct_nn_adaptive_max_pool3d_opts(ct_pool_ints output_size, bool return_indices);
#define ct_nn_adaptive_max_pool1d(s) ct_nn_adaptive_max_pool1d_opts(CT_POOL_ARG(s), false)
#define ct_nn_adaptive_max_pool2d(s) ct_nn_adaptive_max_pool2d_opts(CT_POOL_ARG(s), false)
#define ct_nn_adaptive_max_pool3d(s) ct_nn_adaptive_max_pool3d_opts(CT_POOL_ARG(s), false)

/* nn.LPPoolNd(norm_type, kernel_size, stride, ceil_mode); repr prints an
 * integral norm_type as an int ("norm_type=2"). */
ct_module *ct_nn_lp_pool1d_opts(double norm_type, ct_pool_ints kernel_size, const ct_lp_pool_opts *opts);
ct_module *ct_nn_lp_pool2d_opts(double norm_type, ct_pool_ints kernel_size, const ct_lp_pool_opts *opts);
#define ct_nn_lp_pool1d(p, k, ...) ct_nn_lp_pool1d_opts((p), CT_POOL_ARG(k), &(const ct_lp_pool_opts){__VA_ARGS__})
#define ct_nn_lp_pool2d(p, k, ...) ct_nn_lp_pool2d_opts((p), CT_POOL_ARG(k), &(const ct_lp_pool_opts){__VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
