/* ctorch/ops_linalg.h — matrix products and norms (torch.mm, matmul, bmm, addmm, linalg.norm, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_LINALG_H
#define CTORCH_OPS_LINALG_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- matrix products (CBLAS for float32/float64) ----------------------------- */
/* a: (n, m), b: (m, p) -> (n, p); "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" */
ct_tensor *ct_mm(const ct_tensor *a, const ct_tensor *b);
/* torch.matmul for 1-D and 2-D operands (dot, mv, vector-matrix, mm). */
ct_tensor *ct_matmul(const ct_tensor *a, const ct_tensor *b);


#ifdef __cplusplus
}
#endif
#endif
