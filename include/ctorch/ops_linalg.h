/* ctorch/ops_linalg.h — matrix products and linear algebra (torch.mm,
 * matmul, bmm, addmm, dot, outer, cross, einsum, diag, trace, linalg.norm, ...).
 * Conventions of every op: see ctorch/ops.h. All results are new references;
 * tensor arguments are borrowed; NULL arguments give NULL without touching
 * the last error. Details and deviations: docs/ops-linalg.md.
 *
 * dtypes of the products (as PyTorch 1.13 on CPU): both operands must have
 * the SAME dtype (no promotion: "expected scalar type Float but found
 * Double"); float32/float64 go to CBLAS (OpenBLAS, multithreaded for large
 * sizes), bfloat16 and integer dtypes use loops (integers wrap around);
 * bool and float16 are refused ("\"addmm_impl_cpu_\" not implemented for
 * 'Bool'"). Integer results never require grad. */
#ifndef CTORCH_OPS_LINALG_H
#define CTORCH_OPS_LINALG_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- matrix products ---------------------------------------------------------- */

/* torch.mm: a (n, m), b (m, p) -> (n, p). Errors: "self must be a matrix",
 * "mat2 must be a matrix", "mat1 and mat2 shapes cannot be multiplied
 * (2x3 and 4x5)". grad_fn MmBackward0. */
ct_tensor *ct_mm(const ct_tensor *a, const ct_tensor *b);
/* torch.bmm: a (B, n, m), b (B, m, p) -> (B, n, p). Errors: "batch1 must
 * be a 3D tensor", "Expected size for first two dimensions of batch2 tensor
 * to be: [2, 3] but got: [2, 4].". grad_fn BmmBackward0. */
ct_tensor *ct_bmm(const ct_tensor *a, const ct_tensor *b);
/* torch.dot / torch.vdot (same for real dtypes): a (n,), b (n,) -> 0-dim.
 * bfloat16 and integers allowed; "1D tensors expected, but got 2D and 1D
 * tensors", "dot : expected both vectors to have same dtype, but found
 * Float and Double", "inconsistent tensor size, ...". */
ct_tensor *ct_dot(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_vdot(const ct_tensor *a, const ct_tensor *b);
/* torch.mv: mat (n, m), vec (m,) -> (n,). "vector + matrix @ vector
 * expected, got 1, 2, 2", "size mismatch, got 2, 2x3,4". */
ct_tensor *ct_mv(const ct_tensor *mat, const ct_tensor *vec);
/* torch.outer / torch.ger: a (n,), b (m,) -> (n, m) = a.reshape(-1, 1) * b
 * (type promotion of mul, any dtype; grad_fn MulBackward0). */
ct_tensor *ct_outer(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_ger(const ct_tensor *a, const ct_tensor *b);
/* torch.matmul, every rank case as PyTorch composes it:
 *   1-D x 1-D  dot                        (DotBackward0)
 *   2-D x 1-D  mv                         (MvBackward0)
 *   1-D x 2-D  unsqueeze(0), mm, squeeze_ (SqueezeBackward3)
 *   2-D x 2-D  mm                         (MmBackward0)
 *   N-D x 1-D/2-D (and the transposed case): batch dims folded into mm/mv
 *              (UnsafeViewBackward0; CloneBackward0 when transposed back)
 *   otherwise  batch dims broadcast, bmm, view (UnsafeViewBackward0).
 * 0-dim operands: "both arguments to matmul need to be at least 1D, but
 * they are 0D and 1D". */
ct_tensor *ct_matmul(const ct_tensor *a, const ct_tensor *b);

/* ---- fused products: out = beta * self + alpha * product --------------------
 * beta and alpha are required (PyTorch's defaults are 1.0 and 1.0; zero is a
 * meaningful value, so no zero-means-default here). beta == 0 ignores self
 * entirely (NaN/Inf in it do not propagate). Integer dtypes truncate beta
 * and alpha to integers, as PyTorch's Scalar conversion does. self
 * broadcasts to the product's shape ("The expanded size of the tensor (2)
 * must match the existing size (3) at non-singleton dimension 0.  Target
 * sizes: [2, 4].  Tensor sizes: [3, 4]"). In-place forms need self to have
 * the product's shape ("Bad in-place call: input tensor size [4] and output
 * tensor size [2, 4] should match"). */
/* self: broadcastable to (n, p); mat1 (n, m), mat2 (m, p). All three of one
 * dtype ("mat1 and mat2 must have the same dtype", "self and mat2 must have
 * the same dtype"). AddmmBackward0. */
ct_tensor *ct_addmm(const ct_tensor *self, const ct_tensor *mat1, const ct_tensor *mat2, double beta, double alpha);
CT_NODISCARD int ct_addmm_(ct_tensor *self, const ct_tensor *mat1, const ct_tensor *mat2, double beta, double alpha);
/* self: broadcastable to (n,); mat (n, m), vec (m,). self is converted to
 * mat's dtype. AddmvBackward0. */
ct_tensor *ct_addmv(const ct_tensor *self, const ct_tensor *mat, const ct_tensor *vec, double beta, double alpha);
CT_NODISCARD int ct_addmv_(ct_tensor *self, const ct_tensor *mat, const ct_tensor *vec, double beta, double alpha);
/* self: broadcastable to (n, p); batch1 (B, n, m), batch2 (B, m, p); the
 * products are summed over B. AddbmmBackward0. */
ct_tensor *ct_addbmm(const ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                     double alpha);
CT_NODISCARD int ct_addbmm_(ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                            double alpha);
/* self: broadcastable to (B, n, p); batch1 (B, n, m), batch2 (B, m, p).
 * self is converted to the batches' dtype. BaddbmmBackward0. */
ct_tensor *ct_baddbmm(const ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                      double alpha);
CT_NODISCARD int ct_baddbmm_(ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                             double alpha);

/* torch.einsum(equation, *operands): n operands (n >= 1), equation with
 * subscripts in [a-zA-Z], "..." for broadcast dims, spaces ignored,
 * implicit output (labels seen once, sorted, after the ellipsis dims) or
 * explicit "->". Repeated labels in one operand take diagonals; contraction
 * goes left to right through sum/mul/bmm, as PyTorch 1.13 without
 * opt_einsum, so results and grad_fn names (ViewBackward0, MulBackward0,
 * SumBackward1, PermuteBackward0) match. Errors worded as PyTorch's
 * ("einsum(): fewer operands were provided than specified in the
 * equation", "einsum(): output subscript k does not appear in the equation
 * for any input operand", ...). */
ct_tensor *ct_einsum(const char *equation, int n, const ct_tensor *const *operands);

/* ---- diagonals, trace, cross ---------------------------------------------------- */

/* torch.diag(x, diagonal): x (n,) -> (n+|k|, n+|k|) with x on diagonal k;
 * x (n, m) -> its k-th diagonal as a new 1-D tensor (a copy). Any dtype.
 * "matrix or a vector expected". DiagBackward0. */
ct_tensor *ct_diag(const ct_tensor *x, int64_t diagonal);
/* torch.diag_embed(x, offset, dim1, dim2) (PyTorch's defaults: 0, -2, -1):
 * x (..., n) -> one more dim; the last dim of x goes on the diagonal of
 * dims (dim1, dim2) of size n+|offset|. "diagonal dimensions cannot be
 * identical 1, 1". DiagEmbedBackward0. */
ct_tensor *ct_diag_embed(const ct_tensor *x, int64_t offset, int dim1, int dim2);
/* torch.trace: x (n, m) -> 0-dim sum of the main diagonal; integers sum to
 * int64, floats accumulate in double. "trace: expected a matrix, but got
 * tensor with dim 1". TraceBackward0. */
ct_tensor *ct_trace(const ct_tensor *x);
/* torch.linalg.cross(a, b, dim) (PyTorch's default dim: -1): a, b of the same
 * ndim, broadcast, size 3 along dim; same dtype. Errors: "linalg.cross:
 * inputs must have the same number of dimensions.", "linalg.cross: inputs
 * dimension -1 must have length 3. Got 4 and 4". LinalgCrossBackward0. */
ct_tensor *ct_linalg_cross(const ct_tensor *a, const ct_tensor *b, int dim);
/* torch.cross(a, b, dim=dim) */
ct_tensor *ct_cross_dim(const ct_tensor *a, const ct_tensor *b, int dim);
/* torch.cross(a, b) without dim (deprecated in 1.13; warns once): dim is the
 * first dim of a with size 3 ("no dimension of size 3 in input"). */
ct_tensor *ct_cross(const ct_tensor *a, const ct_tensor *b);

/* ---- norms (floating inputs only: "linalg.vector_norm: Expected a floating
 * point or complex tensor as input. Got Long"; the result keeps x's dtype) -- */
/* torch.linalg.vector_norm(x, ord, dim, keepdim): ord any double (0 counts
 * non-zeros, INFINITY / -INFINITY are max / min of |x|; PyTorch's default
 * is 2). dims: ndims entries (negative allowed), ndims == 0 / dims NULL =
 * all dims. inf/-inf/negative ord over an empty reduction fails as PyTorch
 * ("linalg.vector_norm cannot compute the inf norm on an empty tensor
 * because the operation does not have an identity"). LinalgVectorNormBackward0. */
ct_tensor *ct_linalg_vector_norm(const ct_tensor *x, double ord, int ndims, const int64_t *dims, bool keepdim);
/* torch.linalg.matrix_norm(x, ord, dim=(dim0, dim1), keepdim) (PyTorch's
 * default: 'fro', (-2, -1)). x: (..., m, n) floating; the result drops dims
 * dim0 and dim1 (keeps them as size 1 with keepdim) and has x's dtype.
 * The string form takes "fro" (NULL = "fro", the vector 2-norm over both
 * dims) and "nuc" (sum of the singular values: SumBackward1, or
 * PermuteBackward0 with keepdim). The numeric form takes ord 1 / -1 (max /
 * min over dim1 of the column abs-sums), INFINITY / -INFINITY (max / min
 * over dim0 of the row abs-sums) — AmaxBackward0 / AminBackward0, ties
 * share the gradient — and 2 / -2 (largest / smallest singular value,
 * AmaxBackward0 / AminBackward0, PermuteBackward0 with keepdim). Orders 2,
 * -2 and "nuc" go through ct_linalg_svdvals and refuse float16/bfloat16
 * ("linalg.matrix_norm: Low precision dtypes not supported. Got Half").
 * Errors: "linalg.matrix_norm: Order 3 not supported.", "...: The input
 * tensor A must have at least 2 dimensions.", "...: dims must be
 * different. Got (1, 1)" (dims wrapped), "amax(): Expected reduction dim
 * -1 to have non-zero size." for empty reductions with no identity. */
ct_tensor *ct_linalg_matrix_norm_str(const ct_tensor *x, const char *ord, int dim0, int dim1, bool keepdim);
ct_tensor *ct_linalg_matrix_norm(const ct_tensor *x, double ord, int dim0, int dim1, bool keepdim);
/* torch.linalg.norm(x, ord, dim, keepdim): ord NULL is None (2-norm of the
 * flattened input, or over dims); with ord and no dims x must be 1-D
 * (vector norm) or 2-D (matrix norm); dims of length 1 -> vector norm, 2 ->
 * matrix norm. The _str form takes "fro" / "nuc" (matrix norms). */
ct_tensor *ct_linalg_norm(const ct_tensor *x, const double *ord, int ndims, const int64_t *dims, bool keepdim);
ct_tensor *ct_linalg_norm_str(const ct_tensor *x, const char *ord, int ndims, const int64_t *dims, bool keepdim);

/* ---- singular value decomposition (float32 / float64 only) -------------------
 * Computed by a one-sided Jacobi SVD in double for every dtype (then rounded
 * to x's dtype), batched over the leading dims. Errors as PyTorch's:
 * "linalg.svd: The input tensor A must have at least 2 dimensions.",
 * "linalg.svd: Expected a floating point or complex tensor as input. Got
 * Long", "\"linalg_svd_cpu\" not implemented for 'Half'", and for NaN in
 * x "linalg.svd: The algorithm failed to converge because the input matrix
 * contained non-finite values." (an infinite entry gives NaN outputs, as
 * LAPACK does). grad_fn LinalgSvdBackward0 (PyTorch's svd_backward: twice
 * differentiable; well defined for distinct non-zero singular values). */
/* torch.linalg.svdvals(x): x (..., m, n) -> S (..., k), k = min(m, n), the
 * singular values in descending order. Backward: U diag(gS) Vh (U and Vh
 * are computed and kept by the node). */
ct_tensor *ct_linalg_svdvals(const ct_tensor *x);
/* torch.linalg.svd(x, full_matrices): *U (..., m, m or k), *S (..., k),
 * *Vh (..., n or k, n) (PyTorch's default full_matrices is true), with x =
 * U[..., :k] diag(S) Vh[..., :k, :]. The signs of the singular vectors
 * (and any basis of repeated / zero singular values, and the extra columns
 * of full_matrices) may differ from LAPACK's: only gauge-invariant
 * functions of U and Vh match PyTorch. On success the three outputs are
 * new references and CT_OK is returned; on error they are set to NULL and
 * CT_ERROR is returned. NULL x or output pointer: CT_ERROR, no error set. */
CT_NODISCARD int ct_linalg_svd(const ct_tensor *x, bool full_matrices, ct_tensor **U, ct_tensor **S, ct_tensor **Vh);

#ifdef __cplusplus
}
#endif
#endif
