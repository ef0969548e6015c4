/* Internal: what every op shares — type promotion, broadcasting outputs,
 * running a pointwise kernel, and undoing broadcasting in backward. */
#ifndef CT_OPS_OP_UTIL_H
#define CT_OPS_OP_UTIL_H

#include "autograd/node.h"
#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "tensor/tensor_iter.h"

/* torch.result_type with one tensor and a Python-float-like scalar. */
ct_dtype ct__result_type_scalar(const ct_tensor *a);

/* x converted to dtype: x itself (new reference) when it already is. */
ct_tensor *ct__as_dtype(const ct_tensor *x, ct_dtype dtype);

/* Sum grad down to (ndim, sizes), undoing broadcasting. New reference. */
ct_tensor *ct__sum_to(const ct_tensor *grad, int ndim, const int64_t *sizes);

/* torch.can_cast(from, to): no floating -> integral, nothing but bool -> bool. */
bool ct__can_cast(ct_dtype from, ct_dtype to);

/* The end of every in-place op computed out of place: r (consumed) was
 * computed from a (and others); check r's shape and castability as
 * PyTorch's in-place ops do ("output with shape [3] doesn't match the
 * broadcast shape [2, 3]", "result type Float can't be cast to the desired
 * output type Long"), copy r into a (bumping a's version) and give a r's
 * history. Saved references to a in r's node become a differentiable
 * clone of a's old value (PyTorch's original_self), so double backward
 * reaches a's previous history. */
CT_NODISCARD int ct__write_back(ct_tensor *a, ct_tensor *r);

/* A backward may take a fused float32 loop instead of its op composition:
 * no graph is being built (no create_graph), and a and b (either may be
 * NULL: false) are contiguous float32 tensors of one shape. */
bool ct__fused_f32_backward_ok(const ct_tensor *a, const ct_tensor *b);

/* Drop tensors created inside an op (NULLs fine), n of them. */
void ct__free_all(int n, ct_tensor **ts);

#endif
