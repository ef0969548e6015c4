/* Internal: the private part of ct_module and helpers shared by src/nn/. */
#ifndef CT_NN_MODULE_IMPL_H
#define CT_NN_MODULE_IMPL_H

#include <stdatomic.h>

#include "ctorch/nn.h"
#include "ctorch/nn_conv.h"
#include "tensor/tensor_impl.h"

typedef struct ct_member {
    char *name;
    ct_tensor *t; /* NULL: registered as None */
    bool persistent;
} ct_member;

typedef struct ct_child {
    char *name;
    ct_module *m; /* NULL: registered as None */
} ct_child;

enum { CT_HOOK_FORWARD, CT_HOOK_FORWARD_PRE, CT_HOOK_FULL_BACKWARD };

typedef struct ct_mhook {
    int id;
    int kind; /* CT_HOOK_* */
    void *fn;
    void *ctx;
} ct_mhook;

struct ct_module_private {
    atomic_int refcount;
    bool training;
    ct_member *params;
    int nparams, cap_params;
    ct_member *buffers;
    int nbuffers, cap_buffers;
    ct_child *children;
    int nchildren, cap_children;
    ct_mhook *hooks;
    int nhooks, cap_hooks, next_hook_id;
};

/* Grow an array of elem-size items to hold n + 1. */
CT_NODISCARD int ct__grow(void **items, int n, int *cap, size_t elem);

/* "torch.Size([2, 3])" */
const char *ct__torch_size(char *buf, size_t len, const ct_tensor *t);

/* src/nn/conv.c, for the LazyConv* modules of src/nn/lazy.c: a Conv
 * module (init false: parameters left uninitialized) and re-reading its
 * weight / bias handles from the registry. */
ct_module *ct__conv_new(int nsp, bool transposed, int64_t in_ch, int64_t out_ch, int64_t kernel_size,
                        const ct_conv_opts *o, bool init);
void ct__conv_rebind(ct_module *m);

/* src/nn/lazy.c: PyTorch's _lazy_load_hook for every Lazy* module in m's
 * tree (called by ct_module_load_state_dict before it checks shapes):
 * uninitialized parameters / buffers whose key is in sd are materialized
 * with the loaded shape. */
CT_NODISCARD int ct__lazy_load_hook(ct_module *m, const char *prefix, const ct_state_dict *sd);

#endif
