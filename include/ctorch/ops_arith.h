/* ctorch/ops_arith.h — arithmetic and binary pointwise ops (torch.add, mul, div, pow, clamp, where, ...).
 * Conventions of every op: see ctorch/ops.h. */
#ifndef CTORCH_OPS_ARITH_H
#define CTORCH_OPS_ARITH_H

#include <stdbool.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---- arithmetic: out = a op b, broadcast ---------------------------------- */
ct_tensor *ct_add(const ct_tensor *a, const ct_tensor *b);                 /* a + b */
ct_tensor *ct_add_alpha(const ct_tensor *a, const ct_tensor *b, double alpha); /* torch.add(a, b, alpha=) */
ct_tensor *ct_add_scalar(const ct_tensor *a, double b);                    /* a + 2.5 */
ct_tensor *ct_sub(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_sub_alpha(const ct_tensor *a, const ct_tensor *b, double alpha);
ct_tensor *ct_sub_scalar(const ct_tensor *a, double b);
ct_tensor *ct_mul(const ct_tensor *a, const ct_tensor *b);
ct_tensor *ct_mul_scalar(const ct_tensor *a, double b);
ct_tensor *ct_div(const ct_tensor *a, const ct_tensor *b);                 /* true division */
ct_tensor *ct_div_scalar(const ct_tensor *a, double b);
ct_tensor *ct_neg(const ct_tensor *a);
CT_NODISCARD int ct_add_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_add_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_sub_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_mul_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_mul_scalar_(ct_tensor *a, double b);
CT_NODISCARD int ct_div_(ct_tensor *a, const ct_tensor *b);
CT_NODISCARD int ct_neg_(ct_tensor *a);


#ifdef __cplusplus
}
#endif
#endif
