/* ctorch.h — PyTorch's programming model in C11. Includes the whole API. */
#ifndef CTORCH_H
#define CTORCH_H

#include "ctorch/error.h"
#include "ctorch/dtype.h"
#include "ctorch/memory.h"
#include "ctorch/parallel.h"
#include "ctorch/tensor.h"
#include "ctorch/scope.h"
#include "ctorch/random.h"
#include "ctorch/print.h"
#include "ctorch/autograd.h"
#include "ctorch/ops.h"
#include "ctorch/nn.h"
#include "ctorch/nn_init.h"
#include "ctorch/nn_activation.h"
#include "ctorch/io.h"
#include "ctorch/nn_norm.h"
#include "ctorch/nn_loss.h"
#include "ctorch/nn_conv.h"
#include "ctorch/nn_misc.h"
#include "ctorch/nn_pool.h"
#include "ctorch/optim.h"
#include "ctorch/lr_scheduler.h"
#include "ctorch/data.h"
#include "ctorch/progress.h"

#endif
