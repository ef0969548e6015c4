/* Parameter-free activation modules whose functional form is an op
 * (ReLU, Sigmoid, Tanh). */
#include "ctorch/ops.h"
#include "nn/module_impl.h"

#define CT_SIMPLE_ACTIVATION(FN, NAME, OP)                                                \
    static ct_tensor *FN##_forward(ct_module *self, int n, ct_tensor *const *in) {       \
        (void)self, (void)n;                                                              \
        return OP(in[0]);                                                                 \
    }                                                                                     \
    static const ct_module_type FN##_type = {.name = NAME, .forward = FN##_forward};     \
    ct_module *ct_nn_##FN(void) { return ct_module_new(&FN##_type); }

CT_SIMPLE_ACTIVATION(relu, "ReLU", ct_relu)
CT_SIMPLE_ACTIVATION(sigmoid, "Sigmoid", ct_sigmoid)
CT_SIMPLE_ACTIVATION(tanh, "Tanh", ct_tanh)
