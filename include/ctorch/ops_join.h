/* ctorch/ops_join.h — joining and splitting (cat, stack, split, chunk, flip, roll, tril, ...).
 * Conventions of every op: see ctorch/ops.h; this family's choices are in
 * docs/ops-join.md.
 *
 * Lists of tensors.
 *   Arguments: (int n, ct_tensor *const *tensors) — n borrowed handles.
 *   CT_TENSORS(a, b, c) writes such a pair inline:
 *       ct_tensor *y = ct_cat(CT_TENSORS(a, b), 0);
 *   A NULL entry makes the op return NULL without setting an error (as a
 *   NULL tensor argument anywhere).
 *   Results: ct_tensor_list * — a malloc'd list of n new references, freed
 *   (each tensor and the list) by ct_tensor_list_free. A list result may be
 *   passed straight back as an argument: ct_cat(l->n, l->items, 0).
 *   The tensors of a list are tracked by the current scope like any other
 *   result; the list struct itself is not.
 *
 * Dims: negative dims count from the end; out of range gives PyTorch's
 * "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
 *
 * Autograd: every floating result is differentiable (grad_fn names as in
 * PyTorch 1.13: CatBackward0, StackBackward0, SplitBackward0,
 * SplitWithSizesBackward0, UnbindBackward0, SliceBackward0, RepeatBackward0,
 * IndexSelectBackward0, FlipBackward0, RollBackward0, Rot90Backward0,
 * ExpandBackward0, TrilBackward0, TriuBackward0). searchsorted, bucketize
 * and the index form of repeat_interleave return integers and are not
 * differentiable. */
#ifndef CTORCH_OPS_JOIN_H
#define CTORCH_OPS_JOIN_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- tensor lists ---------------------------------------------------------- */

typedef struct ct_tensor_list {
    int n;
    ct_tensor **items; /* n new references */
} ct_tensor_list;

/* Free every tensor of the list, the array and the list. NULL is a no-op. */
void ct_tensor_list_free(ct_tensor_list *list);

/* CT_TENSORS(a, b) -> 2, (ct_tensor *const[]){a, b} : an (n, tensors) pair. */
#define CT_TENSORS(...) CT_NARGS(__VA_ARGS__), (ct_tensor *const[]){__VA_ARGS__}

/* ---- joining ---------------------------------------------------------------- */

/* torch.cat(tensors, dim): all tensors have the same ndim (>= 1) and sizes
 * except along dim; 1-D empty tensors (shape [0]) are skipped as in
 * PyTorch. dtype: torch.result_type of all inputs (int + float32 ->
 * float32, bool + int8 -> int8). Errors: "torch.cat(): expected a
 * non-empty list of Tensors", "zero-dimensional tensor (at position 0)
 * cannot be concatenated", "Tensors must have same number of dimensions:
 * got 2 and 3", "Sizes of tensors must match except in dimension 1.
 * Expected size 2 but got size 3 for tensor number 1 in the list." */
ct_tensor *ct_cat(int n, ct_tensor *const *tensors, int dim);
/* torch.concat / torch.concatenate: aliases of cat. */
ct_tensor *ct_concat(int n, ct_tensor *const *tensors, int dim);
/* torch.stack(tensors, dim): n tensors of one shape S -> S with a new dim
 * of size n at dim (in [-ndim-1, ndim]). "stack expects a non-empty
 * TensorList", "stack expects each tensor to be equal size, but got [2, 3]
 * at entry 0 and [3, 3] at entry 1". */
ct_tensor *ct_stack(int n, ct_tensor *const *tensors, int dim);
/* torch.hstack: cat along dim 1 (dim 0 for 1-D inputs) after atleast_1d.
 * torch.vstack (= row_stack): cat along 0 after atleast_2d.
 * torch.dstack: cat along 2 after atleast_3d.
 * torch.column_stack: 0-D/1-D inputs become columns (N, 1), then hstack. */
ct_tensor *ct_hstack(int n, ct_tensor *const *tensors);
ct_tensor *ct_vstack(int n, ct_tensor *const *tensors);
ct_tensor *ct_row_stack(int n, ct_tensor *const *tensors);
ct_tensor *ct_dstack(int n, ct_tensor *const *tensors);
ct_tensor *ct_column_stack(int n, ct_tensor *const *tensors);
/* torch.atleast_1d/2d/3d of one tensor (a view, or t itself). */
ct_tensor *ct_atleast_1d(const ct_tensor *t);
ct_tensor *ct_atleast_2d(const ct_tensor *t);
ct_tensor *ct_atleast_3d(const ct_tensor *t);

/* ---- splitting (results are views of t) -------------------------------------- */

/* torch.chunk(t, chunks, dim): ceil(size / chunks)-sized pieces (the last
 * smaller; possibly fewer than chunks pieces). "chunk expects `chunks` to be
 * greater than 0, got: 0", "chunk expects at least a 1-dimensional tensor". */
ct_tensor_list *ct_chunk(const ct_tensor *t, int64_t chunks, int dim);
/* torch.split(t, split_size, dim): pieces of split_size (the last may be
 * smaller). split_size 0 only for an empty dim. */
ct_tensor_list *ct_split(const ct_tensor *t, int64_t split_size, int dim);
/* torch.split(t, [s0, s1, ...], dim) == torch.split_with_sizes: the sizes
 * sum to t.size(dim). */
ct_tensor_list *ct_split_with_sizes(const ct_tensor *t, int nsizes, const int64_t *sizes, int dim);
/* torch.tensor_split(t, sections, dim): `sections` pieces, the first
 * size % sections of them one longer. */
ct_tensor_list *ct_tensor_split(const ct_tensor *t, int64_t sections, int dim);
/* torch.tensor_split(t, [i0, i1, ...], dim): pieces t[:i0], t[i0:i1], ...,
 * t[ik:] along dim (Python slice rules: negative indices count from the
 * end, out-of-range clamps, decreasing indices give empty pieces). */
ct_tensor_list *ct_tensor_split_indices(const ct_tensor *t, int nindices, const int64_t *indices, int dim);
/* torch.tensor_split(t, tensor_indices_or_sections, dim): an int64 tensor;
 * 0-dim = sections, 1-D = indices. */
ct_tensor_list *ct_tensor_split_tensor(const ct_tensor *t, const ct_tensor *indices_or_sections, int dim);
/* torch.hsplit / vsplit / dsplit with a number of sections (tensor_split
 * along dim 1 (0 for 1-D) / 0 / 2, where sections must divide the size). */
ct_tensor_list *ct_hsplit(const ct_tensor *t, int64_t sections);
ct_tensor_list *ct_vsplit(const ct_tensor *t, int64_t sections);
ct_tensor_list *ct_dsplit(const ct_tensor *t, int64_t sections);
/* torch.unbind(t, dim): t.size(dim) views with dim removed. */
ct_tensor_list *ct_unbind(const ct_tensor *t, int dim);

/* ---- broadcasting ------------------------------------------------------------- */

/* torch.broadcast_tensors(*tensors): each input expanded to the common
 * shape (an input that already has it is returned as itself, as PyTorch
 * does). n == 0 gives an empty list. */
ct_tensor_list *ct_broadcast_tensors(int n, ct_tensor *const *tensors);
/* torch.meshgrid(*tensors, indexing=): 0-D or 1-D inputs of one dtype ->
 * n grids of shape (len0, len1, ...) for "ij"; "xy" swaps the first two
 * dims of the grids. indexing NULL means "ij" (PyTorch 1.13's default,
 * without its deprecation warning). Grids are expanded views. */
ct_tensor_list *ct_meshgrid(int n, ct_tensor *const *tensors, const char *indexing);

/* ---- repeating ------------------------------------------------------------------ */

/* t.repeat(*repeats): nrepeats >= t.ndim; leading extra entries add dims;
 * result size = padded size * repeat per dim (repeat 0 gives an empty
 * tensor). "Number of dimensions of repeat dims can not be smaller than
 * number of dimensions of tensor". At most CT_MAX_DIMS / 2 dims whose
 * repeat is not 1 together with the other dims (ctorch limit). */
ct_tensor *ct_repeat(const ct_tensor *t, int nrepeats, const int64_t *repeats);
/* torch.tile(t, reps): like repeat, with reps padded by leading 1s when
 * shorter than t.ndim. */
ct_tensor *ct_tile(const ct_tensor *t, int nreps, const int64_t *reps);
/* torch.repeat_interleave(t, repeats) (dim=None: t is flattened) and
 * torch.repeat_interleave(t, repeats, dim): each element (slice along dim)
 * repeated `repeats` times. "repeats can not be negative". */
ct_tensor *ct_repeat_interleave(const ct_tensor *t, int64_t repeats);
ct_tensor *ct_repeat_interleave_dim(const ct_tensor *t, int64_t repeats, int dim);
/* The same with a tensor of repeats (int64 or int32; 0-dim or one entry:
 * the same for all; 1-D: one per element along dim, "repeats must have
 * the same size as input along dim"). */
ct_tensor *ct_repeat_interleave_tensor(const ct_tensor *t, const ct_tensor *repeats);
ct_tensor *ct_repeat_interleave_tensor_dim(const ct_tensor *t, const ct_tensor *repeats, int dim);
/* torch.repeat_interleave(repeats): 1-D int64/int32 repeats -> the indices
 * 0..n-1 each repeated repeats[i] times, in repeats' dtype. */
ct_tensor *ct_repeat_interleave_indices(const ct_tensor *repeats);

/* ---- reordering ------------------------------------------------------------------ */

/* torch.flip(t, dims): reverse the order along each listed dim (a copy).
 * "dim 0 appears multiple times in the list of dims". */
ct_tensor *ct_flip(const ct_tensor *t, int ndims, const int64_t *dims);
/* torch.fliplr (dim 1, needs >= 2 dims) / torch.flipud (dim 0, >= 1 dim). */
ct_tensor *ct_fliplr(const ct_tensor *t);
ct_tensor *ct_flipud(const ct_tensor *t);
/* torch.roll(t, shifts, dims): elements shifted cyclically by shifts[i]
 * along dims[i]. ndims == 0 with one shift rolls the flattened tensor
 * (PyTorch's dims=None). "`shifts` required", "shifts and dimensions must
 * align. shifts: 2, dims:1". */
ct_tensor *ct_roll(const ct_tensor *t, int nshifts, const int64_t *shifts, int ndims, const int64_t *dims);
/* torch.rot90(t, k, dims): rotate by 90 degrees k times (any integer k)
 * in the plane of the two dims, from dims[0] towards dims[1]. ndims == 0
 * means PyTorch's default dims (0, 1). "expected total rotation dims == 2,
 * but got dims = 1", "expected total dims >= 2, but got total dims = 1". */
ct_tensor *ct_rot90(const ct_tensor *t, int64_t k, int ndims, const int64_t *dims);

/* ---- triangles ------------------------------------------------------------------- */

/* torch.tril / torch.triu(t, diagonal): t: (..., M, N); keeps the
 * elements on and below (tril) / above (triu) the diagonal-th diagonal
 * (0 main, > 0 above, < 0 below), zeroes the rest. Every dtype. */
ct_tensor *ct_tril(const ct_tensor *t, int64_t diagonal);
ct_tensor *ct_triu(const ct_tensor *t, int64_t diagonal);
CT_NODISCARD int ct_tril_(ct_tensor *t, int64_t diagonal);
CT_NODISCARD int ct_triu_(ct_tensor *t, int64_t diagonal);

/* ---- searching (not differentiable: integer results) --------------------------- */

/* Keyword arguments of searchsorted; a zero field is PyTorch's default. */
typedef struct ct_searchsorted_opts {
    bool out_int32;          /* int32 result instead of int64 */
    bool right;              /* upper bound (first index with boundary > value) */
    const char *side;        /* NULL, "left" or "right" (overrides right; may not contradict it) */
    const ct_tensor *sorter; /* may be NULL: int64 indices that sort each row of sorted_sequence */
} ct_searchsorted_opts;
#define CT_SEARCHSORTED_OPTS(...) (&(const ct_searchsorted_opts){__VA_ARGS__})

/* torch.searchsorted(sorted_sequence, values, ...): sorted_sequence is 1-D
 * (shared by all values) or (..., M) with the same leading dims as values
 * (one row per row of values). Result: values' shape, int64 (int32 with
 * out_int32): for each value the index where it would be inserted to keep
 * the row sorted (left: first boundary >= value; right: first > value).
 * Mixed dtypes compare in their promoted dtype. bool is refused
 * ("\"searchsorted_out_cpu\" not implemented for 'Bool'"). opts may be NULL. */
ct_tensor *ct_searchsorted(const ct_tensor *sorted_sequence, const ct_tensor *values,
                           const ct_searchsorted_opts *opts);
/* The same for one value (a Python float): a 0-dim result. */
ct_tensor *ct_searchsorted_scalar(const ct_tensor *sorted_sequence, double value, const ct_searchsorted_opts *opts);
/* torch.bucketize(input, boundaries, out_int32, right): boundaries 1-D
 * ("boundaries tensor must be 1 dimension, but got dim(2)"); the same as
 * searchsorted(boundaries, input). */
ct_tensor *ct_bucketize(const ct_tensor *input, const ct_tensor *boundaries, bool out_int32, bool right);
ct_tensor *ct_bucketize_scalar(double input, const ct_tensor *boundaries, bool out_int32, bool right);

#ifdef __cplusplus
}
#endif
#endif
