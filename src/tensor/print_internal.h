/* Internal: the hook through which printing learns a tensor's grad_fn. */
#ifndef CT_TENSOR_PRINT_INTERNAL_H
#define CT_TENSOR_PRINT_INTERNAL_H

#include "ctorch/tensor.h"

/* Set by the autograd layer (NULL until then): returns the name of t's
 * grad_fn ("AddBackward0"), or NULL when t has none (a leaf). A tensor
 * with a grad_fn prints ", grad_fn=<AddBackward0>"; one without but with
 * requires_grad prints ", requires_grad=True" (torch/_tensor_str.py). The
 * returned string is borrowed and must stay valid while t lives. */
extern const char *(*ct__print_grad_fn_name)(const ct_tensor *t);

#endif
