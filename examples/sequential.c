/* nn.Sequential in its three forms — positional, named (PyTorch's
 * OrderedDict) and add_module — printing what examples/sequential.py prints
 * with PyTorch 1.13.1 (tests/parity/data/example_sequential.txt). */
#include <ctorch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>

/* print(t.shape): "torch.Size([100, 32, 26, 26])" */
static void print_size(const ct_tensor *t) {
    printf("torch.Size([");
    for (int d = 0; d < ct_dim(t); d++) printf("%s%" PRId64, d ? ", " : "", ct_size(t, d));
    printf("])\n");
}

/* print(list(model.state_dict().keys())) */
static void print_keys(const ct_module *m) {
    ct_state_dict *sd = ct_module_state_dict(m);
    printf("[");
    for (int i = 0; i < ct_state_dict_size(sd); i++) printf("%s'%s'", i ? ", " : "", ct_state_dict_key(sd, i));
    printf("]\n");
    ct_state_dict_free(sd);
}

int main(void) {
    if (ct_scope_begin() < 0) return 1; /* every tensor below is released by ct_scope_end */
    ct_manual_seed(0);

    /* a layer is a module: call it like a function */
    ct_module *conv = ct_nn_conv2d(1, 32, 3);
    ct_tensor *x = ct_randn(CT_SIZE(100, 1, 28, 28), NULL);
    ct_tensor *h = ct_forward(conv, x);
    if (!h) goto fail;
    print_size(h);

    /* 1. positional: nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), ...) */
    ct_module *model = CT_SEQUENTIAL(ct_nn_conv2d(1, 20, 5), ct_nn_relu(), ct_nn_conv2d(20, 64, 5), ct_nn_relu());
    if (!model || ct_module_print(model) != CT_OK) goto fail;
    ct_tensor *y = ct_forward(model, ct_slice(x, 0, 0, 4, 1)); /* model(x[:4]) */
    if (!y) goto fail;
    print_size(y);
    char *first = ct_module_to_string(ct_module_at(model, 0)), *last = ct_module_to_string(ct_module_at(model, -1));
    printf("%d %s %s\n", ct_module_len(model), first, last);
    free(first), free(last);
    ct_module *middle = ct_sequential_slice(model, 1, 3); /* model[1:3] shares the children */
    if (!middle || ct_module_print(middle) != CT_OK) goto fail;
    print_keys(model);
    ct_module_free(middle), ct_module_free(model);

    /* 2. named: nn.Sequential(OrderedDict([("conv1", nn.Conv2d(1, 20, 5)), ...])) */
    model = ct_nn_sequential_named(
        4, (const char *const[]){"conv1", "relu1", "conv2", "relu2"},
        (ct_module *const[]){ct_nn_conv2d(1, 20, 5), ct_nn_relu(), ct_nn_conv2d(20, 64, 5), ct_nn_relu()});
    if (!model || ct_module_print(model) != CT_OK) goto fail;
    print_size(ct_module_get_parameter(model, "conv2.weight")); /* model.conv2.weight.shape */
    print_keys(model);
    ct_module_free(model);

    /* 3. empty, then add_module */
    model = ct_nn_sequential(0, NULL);
    ct_module_add_module(model, "conv1", ct_nn_conv2d(1, 20, 5));
    ct_module_add_module(model, "relu1", ct_nn_relu());
    ct_module_add_module(model, "flatten", ct_nn_flatten(1, -1));
    if (!ct_module_add_module(model, "fc", ct_nn_linear(20 * 24 * 24, 10))) goto fail;
    if (ct_module_print(model) != CT_OK) goto fail;
    ct_tensor *out = ct_forward(model, ct_slice(x, 0, 0, 4, 1));
    if (!out) goto fail;
    print_size(out);
    ct_tensor *target = ct_tensor_from((const int64_t[]){1, 0, 4, 9}, CT_INT64, CT_SIZE(4));
    ct_tensor *loss = ct_cross_entropy(out, target);
    if (!loss || ct_print(loss) != CT_OK) goto fail;
    ct_module_free(model), ct_module_free(conv);

    if (ct_scope_end() < 0) return 1;
    return 0;
fail:
    fprintf(stderr, "sequential failed: %s\n", ct_last_error() ? ct_last_error() : "(no message)");
    return 1;
}
