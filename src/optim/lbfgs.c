/* torch.optim.LBFGS (placeholder while the port lands). */
#include "optim/optim_impl.h"

static ct_tensor *lbfgs_step(ct_optimizer *opt, ct_optim_closure closure, void *ctx) {
    (void)opt, (void)closure, (void)ctx;
    ct__error("LBFGS: not implemented yet");
    return NULL;
}

const ct__algo ct__algo_lbfgs = {
    "LBFGS", "lr max_iter max_eval tolerance_grad tolerance_change history_size line_search_fn",
    {.lr = 1, .max_iter = 20, .tolerance_grad = 1e-7, .tolerance_change = 1e-9, .history_size = 100},
    false, NULL, NULL, NULL, lbfgs_step};
