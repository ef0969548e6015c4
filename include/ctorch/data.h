/* ctorch/data.h — torch.utils.data and torchvision's MNIST + transforms:
 * datasets, samplers, the DataLoader (worker threads), IDX files and image
 * transforms. docs/data.md describes the conventions and every difference
 * from PyTorch 1.13.1 / torchvision 0.14.
 *
 * Items. A dataset item, like PyTorch's (image, label) tuple, is a ct_sample:
 * up to CT_SAMPLE_MAX tensors. Whoever fills a ct_sample owns its tensors
 * (new references) and drops them with ct_sample_clear. A Python number in an
 * item is a 0-dim tensor here (int64 for labels, float64 for floats, as
 * default_collate turns Python numbers into tensors).
 *
 * Objects. Datasets, samplers, transforms and loaders are reference
 * counted opaque handles: constructors return a new reference; arguments
 * are borrowed (an object that keeps another takes its own reference);
 * *_free drops one reference (NULL is a no-op).
 *
 * Errors: NULL / CT_ERROR with ct_last_error() worded as PyTorch's
 * exception text where PyTorch has one; a NULL object argument fails
 * without replacing the stored message.
 *
 * Randomness: every random choice draws from a ct_generator exactly as
 * PyTorch draws from torch's: after ct_manual_seed(s), iterating a
 * shuffled DataLoader yields the batches PyTorch yields after
 * torch.manual_seed(s). A NULL generator means ct_data_generator(): the
 * default generator, or, inside a DataLoader worker thread, that worker's
 * own generator seeded base_seed + worker_id as PyTorch seeds its worker
 * processes. */
#ifndef CTORCH_DATA_H
#define CTORCH_DATA_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================== items ======================== */

#define CT_SAMPLE_MAX 8
/* A tuple of tensors: t[0..n). Zero-initialise before first use. */
typedef struct ct_sample {
    int n;
    ct_tensor *t[CT_SAMPLE_MAX];
} ct_sample;
/* Drop the n tensors and set n = 0. NULL is a no-op. */
void ct_sample_clear(ct_sample *item);

/* Set the thread's error message (for user callbacks: datasets, samplers,
 * collate functions, Lambda transforms that fail). */
void ct_data_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ======================== datasets ======================== */

typedef struct ct_dataset ct_dataset;

/* A map-style dataset written in C (torch.utils.data.Dataset):
 *   len(ctx)           number of items (>= 0), or -1 on error;
 *   get(ctx, i, out)   fill out (zeroed by the caller) with item i,
 *                      0 <= i < len, returning CT_OK, or CT_ERROR with a
 *                      message (ct_data_error) and nothing left in out;
 *   free(ctx)          release ctx when the dataset dies (may be NULL).
 * get is called from DataLoader worker threads concurrently: it must be
 * thread-safe (read-only access to shared data is). */
typedef struct ct_dataset_vtable {
    int64_t (*len)(void *ctx);
    int (*get)(void *ctx, int64_t index, ct_sample *out);
    void (*free)(void *ctx);
} ct_dataset_vtable;

/* A dataset over vt (kept by pointer: it must outlive the dataset) and
 * ctx (owned from now on: vt->free(ctx) runs when the dataset dies, also
 * when this call fails). */
ct_dataset *ct_dataset_new(const ct_dataset_vtable *vt, void *ctx);
ct_dataset *ct_dataset_ref(ct_dataset *ds); /* one more reference */
void ct_dataset_free(ct_dataset *ds);
/* len(ds); -1 on error. */
int64_t ct_dataset_len(const ct_dataset *ds);
/* ds[index] into out (zeroed by this call). Negative indices count from
 * the end for TensorDataset, Subset and ConcatDataset as in PyTorch; user
 * datasets receive the index untouched. */
CT_NODISCARD int ct_dataset_get(ct_dataset *ds, int64_t index, ct_sample *out);

/* TensorDataset(*tensors): item i is (t[0][i], ..., t[n-1][i]) (views).
 * Every tensor must have the same size(0) ("Size mismatch between
 * tensors"); 1 <= n <= CT_SAMPLE_MAX. */
ct_dataset *ct_tensor_dataset(int n, ct_tensor *const *tensors);
/* Subset(ds, indices): item k is ds[indices[k]] (indices copied). */
ct_dataset *ct_subset(ct_dataset *ds, int64_t n, const int64_t *indices);
/* ConcatDataset(datasets): the items of each in turn ("datasets should not
 * be an empty iterable"). */
ct_dataset *ct_concat_dataset(int n, ct_dataset *const *datasets);
/* random_split(ds, lengths, generator): n lengths, either counts summing
 * to len(ds), or fractions summing to 1 (math.isclose(sum, 1) and sum <= 1,
 * as 1.13: floor(frac * len) each, the remainder spread round-robin, a
 * warning for empty splits). Writes n new Subsets into out. g NULL = the
 * default generator (random_split's default is torch.default_generator).
 * Errors: "Sum of input lengths does not equal the length of the input
 * dataset!", "Fraction at index 1 is not between 0 and 1". */
CT_NODISCARD int ct_random_split(ct_dataset *ds, int n, const double *lengths, ct_generator *g,
                                 ct_dataset **out);

/* ======================== samplers ======================== */

typedef struct ct_sampler ct_sampler;

/* A sampler yields dataset indices. ct_sampler_iter starts a pass (Python's
 * iter(sampler)); like PyTorch's generator functions it draws nothing until
 * the first ct_sampler_next, which returns 1 with *index set, 0 at the end
 * of the pass, CT_ERROR on error. Not thread-safe (one pass at a time). */
CT_NODISCARD int ct_sampler_iter(ct_sampler *s);
CT_NODISCARD int ct_sampler_next(ct_sampler *s, int64_t *index);
int64_t ct_sampler_len(const ct_sampler *s); /* len(sampler) */
ct_sampler *ct_sampler_ref(ct_sampler *s);
void ct_sampler_free(ct_sampler *s);

/* A sampler written in C: iter(ctx) starts a pass, next(ctx, &i) as
 * ct_sampler_next, len(ctx), free(ctx) (may be NULL). */
typedef struct ct_sampler_vtable {
    int (*iter)(void *ctx);
    int (*next)(void *ctx, int64_t *index);
    int64_t (*len)(void *ctx);
    void (*free)(void *ctx);
} ct_sampler_vtable;
ct_sampler *ct_sampler_new(const ct_sampler_vtable *vt, void *ctx);

/* SequentialSampler(range(n)): 0, 1, ..., n-1. */
ct_sampler *ct_sequential_sampler(int64_t n);

/* RandomSampler(data_source of length n, replacement, num_samples,
 * generator). Each pass: without a generator, seed a fresh generator with
 * torch.empty((), dtype=torch.int64).random_() from the default generator;
 * then randperm(n) per full pass (num_samples // n of them, then the first
 * num_samples % n of one more), or, with replacement, randint(0, n) in
 * chunks of 32. num_samples 0 = n. Errors: "num_samples should be a
 * positive integer value, but got num_samples=0" (n = 0 and no
 * num_samples, or num_samples < 0). */
typedef struct ct_random_sampler_options {
    bool replacement;
    int64_t num_samples;     /* 0 = n */
    ct_generator *generator; /* may be NULL; borrowed, must outlive the sampler */
} ct_random_sampler_options;
ct_sampler *ct_random_sampler_opts(int64_t n, const ct_random_sampler_options *o);
#define ct_random_sampler(n, ...) ct_random_sampler_opts((n), &(const ct_random_sampler_options){__VA_ARGS__})

/* SubsetRandomSampler(indices, generator): indices[randperm(n)]; g NULL =
 * ct_data_generator(). */
ct_sampler *ct_subset_random_sampler(int64_t n, const int64_t *indices, ct_generator *g);

/* WeightedRandomSampler(weights, num_samples, replacement, generator):
 * torch.multinomial(weights as float64, num_samples, replacement) with
 * PyTorch 1.13's CPU algorithms: with replacement one U53 draw per sample
 * searched in the normalised cumulative sums; without replacement
 * argmax/topk of w / Exp(1) (one exponential draw per weight). Errors as torch.multinomial:
 * "num_samples should be a positive integer value, but got num_samples=0",
 * "cannot sample n_sample > prob_dist.size(-1) samples without
 * replacement", "probability tensor contains either `inf`, `nan` or
 * element < 0", "invalid multinomial distribution (sum of probabilities <=
 * 0)", "invalid multinomial distribution (encountering probability entry <
 * 0)". */
ct_sampler *ct_weighted_random_sampler(int64_t n, const double *weights, int64_t num_samples, bool replacement,
                                       ct_generator *g);

/* BatchSampler(sampler, batch_size, drop_last): yields lists of indices.
 * ct_batch_sampler_next writes up to batch_size indices into out (room for
 * batch_size) and returns how many (0 at the end), or CT_ERROR.
 * "batch_size should be a positive integer value, but got batch_size=0". */
ct_sampler *ct_batch_sampler(ct_sampler *sampler, int64_t batch_size, bool drop_last);
CT_NODISCARD int64_t ct_batch_sampler_next(ct_sampler *bs, int64_t *out);
int64_t ct_batch_sampler_batch_size(const ct_sampler *bs); /* -1 if not a batch sampler */

/* ======================== DataLoader ======================== */

typedef struct ct_dataloader ct_dataloader;

/* collate_fn(batch): n items -> one batch item. Return CT_OK with out
 * filled (new references), or CT_ERROR. Called from worker threads. */
typedef int (*ct_collate_fn)(const ct_sample *items, int64_t n, ct_sample *out, void *ctx);
/* default_collate: stacks position k of every item along a new dim 0
 * (torch.stack; shapes must match, "stack expects each tensor to be equal
 * size, ..."); every item must have as many tensors ("each element in list
 * of batch should be of equal size"). */
CT_NODISCARD int ct_default_collate(const ct_sample *items, int64_t n, ct_sample *out, void *ctx);

/* DataLoader(dataset, batch_size=1, shuffle=False, sampler=None,
 * batch_sampler=None, num_workers=0, collate_fn=None, drop_last=False,
 * generator=None, prefetch_factor=2). Zero fields are PyTorch's defaults.
 * sampler / batch_sampler / generator are borrowed (the loader keeps a
 * reference to the samplers; a generator must outlive the loader).
 * num_workers > 0 starts that many threads when an epoch starts; batch k
 * is made by worker k % num_workers (PyTorch's round robin) and batches
 * come back in order; at most prefetch_factor * num_workers batches are in
 * flight. Errors (PyTorch's ValueError texts): "sampler option is mutually
 * exclusive with shuffle", "batch_sampler option is mutually exclusive with
 * batch_size, shuffle, sampler, and drop_last", "num_workers option should
 * be non-negative; use num_workers=0 to disable multiprocessing.",
 * "prefetch_factor option could only be specified in multiprocessing.let
 * num_workers > 0 to enable multiprocessing.", "batch_size should be a
 * positive integer value, but got batch_size=-1". */
typedef struct ct_dataloader_options {
    int64_t batch_size; /* 0 = 1 */
    bool shuffle;
    ct_sampler *sampler;
    ct_sampler *batch_sampler;
    int num_workers;
    ct_collate_fn collate_fn; /* NULL = ct_default_collate */
    void *collate_ctx;
    bool drop_last;
    ct_generator *generator;
    int prefetch_factor; /* 0 = 2 */
} ct_dataloader_options;
ct_dataloader *ct_dataloader_opts(ct_dataset *ds, const ct_dataloader_options *o);
#define ct_dataloader(ds, ...) ct_dataloader_opts((ds), &(const ct_dataloader_options){__VA_ARGS__})
/* len(loader): number of batches per epoch. */
int64_t ct_dataloader_len(const ct_dataloader *dl);
/* iter(loader): start an epoch (ending any epoch still running). Draws the
 * base seed (torch.empty((), dtype=torch.int64).random_(generator)) as
 * _BaseDataLoaderIter does, then starts the workers. */
CT_NODISCARD int ct_dataloader_iter(ct_dataloader *dl);
/* next(it): 1 with *batch filled (new references, tracked by the caller's
 * scope), 0 at the end of the epoch (workers then stop), CT_ERROR on error.
 * An error inside a worker surfaces here as "Caught error in DataLoader
 * worker 0: <message>" and ends the epoch. */
CT_NODISCARD int ct_dataloader_next(ct_dataloader *dl, ct_sample *batch);
/* Stops the workers (joins them) and frees the loader. */
void ct_dataloader_free(ct_dataloader *dl);

/* torch.utils.data.get_worker_info(): in a DataLoader worker thread,
 * true with its id, the number of workers and its seed (base_seed + id);
 * false in any other thread. Any out pointer may be NULL. */
bool ct_get_worker_info(int *id, int *num_workers, uint64_t *seed);
/* The generator random transforms and samplers use when given NULL: the
 * worker's own in a worker thread, else the default generator. */
ct_generator *ct_data_generator(void);

/* ======================== IDX / MNIST ======================== */

/* Read an IDX file (raw, or gzip-compressed: detected by its magic) into a
 * new tensor of the file's type (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C
 * int32, 0x0D float32, 0x0E float64; big-endian data) and shape, as
 * torchvision's read_sn3_pascalvincent_tensor. Errors name the file:
 * "<path>: cannot open: No such file or directory", "<path>: not an IDX
 * file (bad magic 0x...)", "<path>: truncated IDX file (expected N bytes of
 * data, got M)", "<path>: IDX dimensions too large". */
ct_tensor *ct_read_idx(const char *path);

/* torchvision.datasets.MNIST / FashionMNIST(root, train): reads
 * <root>/{train,t10k}-{images,labels}-idx{3,1}-ubyte (raw or with .gz;
 * also <root>/<Class>/raw/..., torchvision's layout). Item i is
 * (transform(image[i]), target_transform(label[i])): image a uint8
 * (28, 28) view, label a 0-dim int64 — PyTorch's dataset.data / targets
 * layout. ct_mnist_data / ct_mnist_targets give the (N, 28, 28) uint8 and
 * (N,) int64 tensors (new references). The transforms are borrowed. */
typedef struct ct_transform ct_transform;
typedef struct ct_mnist_options {
    bool train;                     /* torchvision's default is True: set it */
    ct_transform *transform;        /* may be NULL */
    ct_transform *target_transform; /* may be NULL */
} ct_mnist_options;
ct_dataset *ct_mnist_opts(const char *root, const ct_mnist_options *o);
#define ct_mnist(root, ...) ct_mnist_opts((root), &(const ct_mnist_options){__VA_ARGS__})
ct_dataset *ct_fashion_mnist_opts(const char *root, const ct_mnist_options *o);
#define ct_fashion_mnist(root, ...) ct_fashion_mnist_opts((root), &(const ct_mnist_options){__VA_ARGS__})
ct_tensor *ct_mnist_data(const ct_dataset *ds);
ct_tensor *ct_mnist_targets(const ct_dataset *ds);

/* ======================== transforms ======================== */

/* torchvision.transforms on tensors (..., C, H, W) or (H, W[, C]) uint8 for
 * ToTensor. ct_transform_apply returns a new tensor (the input is
 * borrowed), NULL on error. Random transforms draw from their generator
 * (NULL = ct_data_generator()) exactly as torchvision 0.14 draws from
 * torch's. */
ct_tensor *ct_transform_apply(ct_transform *tf, const ct_tensor *x);
ct_transform *ct_transform_ref(ct_transform *tf);
void ct_transform_free(ct_transform *tf);

/* Compose(transforms): applies each in turn. */
ct_transform *ct_transforms_compose(int n, ct_transform *const *tfs);
/* Lambda(fn): fn(x, ctx) returns a new tensor or NULL with an error. */
typedef ct_tensor *(*ct_lambda_fn)(const ct_tensor *x, void *ctx);
ct_transform *ct_transforms_lambda(ct_lambda_fn fn, void *ctx);
/* ToTensor(): uint8 (H, W, C) -> float32 (C, H, W) / 255, (H, W) ->
 * (1, H, W); a floating input is only permuted (ndarray semantics).
 * "pic should be 2/3 dimensional. Got 4 dimensions." */
ct_transform *ct_transforms_to_tensor(void);
/* Normalize(mean, std, inplace): (x - mean[c]) / std[c] over (..., C, H,
 * W) floating tensors; n = 1 broadcasts. "std evaluated to zero after
 * conversion to torch.float32, leading to division by zero.", "Input
 * tensor should be a float tensor. Got torch.uint8.". */
ct_transform *ct_transforms_normalize(int n, const double *mean, const double *std, bool inplace);
/* RandomHorizontalFlip(p): flips the last dim when torch.rand(1) < p. */
ct_transform *ct_transforms_random_horizontal_flip(double p, ct_generator *g);
/* CenterCrop(size): (h, w); padding with zeros when the image is smaller,
 * as torchvision. */
ct_transform *ct_transforms_center_crop(int64_t h, int64_t w);

/* padding_mode: constant (fill), edge, reflect, symmetric (torchvision's
 * _pad_symmetric: the edge pixel repeated, [1, 2, 3, 4] padded by 2 ->
 * [2, 1, 1, 2, 3, 4, 4, 3]; images of 3 or 4 dims only, "Symmetric padding
 * of N-D tensors are not supported yet"; a padding wider than the image
 * fails with the index error). */
typedef enum { CT_PAD_CONSTANT = 0, CT_PAD_EDGE, CT_PAD_REFLECT, CT_PAD_SYMMETRIC } ct_padding_mode;
/* RandomCrop(size, padding, pad_if_needed, fill, padding_mode).
 * padding: npad 0 (none), 1 (all sides), 2 (left/right, top/bottom) or 4
 * (left, top, right, bottom). Draws randint(0, h - th + 1) then
 * randint(0, w - tw + 1) unless the image already has the size.
 * "Required crop size (40, 40) is larger than input image size (28, 28)". */
typedef struct ct_random_crop_options {
    int npad;
    int64_t padding[4];
    bool pad_if_needed;
    double fill;
    ct_padding_mode padding_mode;
    ct_generator *generator;
} ct_random_crop_options;
ct_transform *ct_transforms_random_crop_opts(int64_t h, int64_t w, const ct_random_crop_options *o);
#define ct_transforms_random_crop(h, w, ...) ct_transforms_random_crop_opts((h), (w), &(const ct_random_crop_options){__VA_ARGS__})

/* torchvision.transforms.InterpolationMode for Resize / RandomRotation.
 * CT_INTERPOLATION_DEFAULT (0) is the transform's own default (BILINEAR for
 * Resize, NEAREST for RandomRotation). */
typedef enum {
    CT_INTERPOLATION_DEFAULT = 0,
    CT_INTERPOLATION_NEAREST,
    CT_INTERPOLATION_BILINEAR,
    CT_INTERPOLATION_BICUBIC
} ct_interpolation_mode;

/* Resize(size, interpolation=BILINEAR, max_size=None, antialias=None) on
 * (..., H, W) tensors, as torchvision 0.14's F.resize on tensors:
 *   w > 0:  size (h, w): the output is (..., h, w);
 *   w == 0: size = h (an int): the smaller edge becomes h and the other
 *           int(h * long / short); with max_size, when that longer edge
 *           exceeds max_size it becomes max_size and the shorter
 *           int(max_size * h / long).
 * An image already of the output size is returned as is (a new reference
 * to a view, as torchvision returns the same tensor). Otherwise
 * F.interpolate(align_corners=False) on the image made 4-D (3-D images get
 * a batch dim, so (C, H, W) and (N, C, H, W) work; other ranks fail with
 * F.interpolate's error), integer images computed in float32 then rounded
 * half to even and cast back (bicubic uint8 clamped to [0, 255] first).
 * antialias (bilinear / bicubic only) is aten::_upsample_bilinear2d_aa /
 * _upsample_bicubic2d_aa of PyTorch 1.13.1 (separable PIL-style filters,
 * width pass then height pass; bicubic with a = -0.5); false = torchvision's
 * default for tensors. Not differentiable (data transform).
 * Errors, raised by the constructor (torchvision raises them at the call):
 * "max_size should only be passed if size specifies the length of the
 * smaller edge, i.e. size should be an int or a sequence of length 1 in
 * torchscript mode.", "max_size = 7 must be strictly greater than the
 * requested size for the smaller edge size = [7]", "Antialias option is
 * supported for bilinear and bicubic interpolation modes only". */
typedef struct ct_resize_options {
    ct_interpolation_mode interpolation; /* 0 = BILINEAR */
    int64_t max_size;                    /* 0 = None */
    bool antialias;
} ct_resize_options;
ct_transform *ct_transforms_resize_opts(int64_t h, int64_t w, const ct_resize_options *o);
#define ct_transforms_resize(h, w, ...) ct_transforms_resize_opts((h), (w), &(const ct_resize_options){__VA_ARGS__})

/* RandomRotation(degrees, interpolation=NEAREST, expand=False, center=None,
 * fill=0) on (C, H, W) or (N, C, H, W) tensors. Each call draws the angle
 * as torch.empty(1).uniform_(lo, hi) (one float32 uniform) and rotates
 * counter-clockwise as torchvision 0.14's F.rotate on tensors: the inverse
 * affine matrix in double, an affine grid in the image's floating dtype
 * (float32 for integer images) over torch.linspace's float32 pixel centres,
 * grid_sample (zeros padding, align_corners=False) of the image with a ones
 * channel appended, then the fill where that mask says "outside" (NEAREST:
 * mask < 0.5; BILINEAR: img * mask + (1 - mask) * fill). Integer images are
 * rounded half to even and cast back.
 *   degrees: ct_transforms_random_rotation(d, ...) draws in (-d, d) ("If
 *            degrees is a single number, it must be positive.");
 *            ct_transforms_random_rotation_range(lo, hi, ...) in (lo, hi);
 *   interpolation: NEAREST (default) or BILINEAR ("Interpolation mode
 *            'bicubic' is unsupported with Tensor input");
 *   expand:  the output grows to hold the whole rotated image (size from
 *            the float32 corner arithmetic of _compute_affine_output_size);
 *   center:  has_center with center = {x, y} in pixels from the top-left
 *            corner; default the image centre;
 *   fill:    nfill 0 (fill 0) or 1 value for every channel, or one value
 *            per channel ("The number of elements in 'fill' cannot
 *            broadcast to match the number of channels of the image (2 !=
 *            3)"); at most 64.
 *   generator: NULL = ct_data_generator().
 * Not differentiable (data transform). */
typedef struct ct_random_rotation_options {
    ct_interpolation_mode interpolation; /* 0 = NEAREST */
    bool expand;
    bool has_center;
    double center[2]; /* (x, y) */
    int nfill;
    double fill[64];
    ct_generator *generator;
} ct_random_rotation_options;
/* ndeg 1: degrees[0] is a number d (range (-d, d)); ndeg 2: (min, max)
 * ("degrees should be a sequence of length 2." otherwise). */
ct_transform *ct_transforms_random_rotation_opts(int ndeg, const double *degrees,
                                                 const ct_random_rotation_options *o);
#define ct_transforms_random_rotation(d, ...) \
    ct_transforms_random_rotation_opts(1, (const double[]){(d)}, &(const ct_random_rotation_options){__VA_ARGS__})
#define ct_transforms_random_rotation_range(lo, hi, ...)                        \
    ct_transforms_random_rotation_opts(2, (const double[]){(lo), (hi)}, \
                                       &(const ct_random_rotation_options){__VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
