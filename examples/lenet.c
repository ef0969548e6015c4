/* LeNet-5 with batch normalization, trained for a few SGD steps on random
 * data, then evaluated: prints what examples/lenet.py prints with PyTorch
 * 1.13.1 (tests/parity/data/example_lenet.txt). */
#include <ctorch.h>
#include <inttypes.h>
#include <stdio.h>

static void print_size(const ct_tensor *t) {
    printf("torch.Size([");
    for (int d = 0; d < ct_dim(t); d++) printf("%s%" PRId64, d ? ", " : "", ct_size(t, d));
    printf("])\n");
}

typedef struct LeNet {
    ct_module base;
    ct_module *conv1, *bn1, *conv2, *bn2, *classifier;
} LeNet;

/* x = max_pool2d(relu(bn1(conv1(x))), 2); x = max_pool2d(relu(bn2(conv2(x))), 2);
 * return classifier(flatten(x, 1)). A scope releases the intermediates. */
static ct_tensor *lenet_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    LeNet *m = (LeNet *)self;
    if (ct_scope_begin() < 0) return NULL;
    ct_tensor *x = ct_max_pool2d(ct_relu(ct_forward(m->bn1, ct_forward(m->conv1, in[0]))), 2);
    x = ct_max_pool2d(ct_relu(ct_forward(m->bn2, ct_forward(m->conv2, x))), 2);
    ct_tensor *y = ct_scope_keep(ct_forward(m->classifier, ct_view(x, CT_SIZE(ct_size(x, 0), -1))));
    if (ct_scope_end() < 0) {
        ct_free(y);
        return NULL;
    }
    return y;
}

static const ct_module_type lenet_type = {.name = "LeNet", .size = sizeof(LeNet), .forward = lenet_forward};

static ct_module *lenet_new(void) {
    LeNet *m = (LeNet *)ct_module_new(&lenet_type);
    if (!m) return NULL;
    ct_module *self = &m->base;
    m->conv1 = ct_module_register_module(self, "conv1", ct_nn_conv2d(1, 6, 5));
    m->bn1 = ct_module_register_module(self, "bn1", ct_nn_batch_norm2d(6));
    m->conv2 = ct_module_register_module(self, "conv2", ct_nn_conv2d(6, 16, 5));
    m->bn2 = ct_module_register_module(self, "bn2", ct_nn_batch_norm2d(16));
    m->classifier = ct_module_register_module(self, "classifier",
                                              CT_SEQUENTIAL(ct_nn_linear(16 * 4 * 4, 120), ct_nn_relu(),
                                                            ct_nn_linear(120, 84), ct_nn_relu(), ct_nn_linear(84, 10)));
    if (!m->conv1 || !m->bn1 || !m->conv2 || !m->bn2 || !m->classifier) {
        ct_module_free(self);
        return NULL;
    }
    return self;
}

int main(void) {
    if (ct_scope_begin() < 0) return 1;
    ct_manual_seed(0);
    ct_module *model = lenet_new();
    if (!model || ct_module_print(model) != CT_OK) goto fail;
    ct_state_dict *sd = ct_module_state_dict(model);
    for (int i = 0; i < ct_state_dict_size(sd); i++) {
        printf("%s ", ct_state_dict_key(sd, i));
        print_size(ct_state_dict_value(sd, i));
    }
    ct_state_dict_free(sd);
    printf("%" PRId64 "\n", ct_module_num_parameter_elements(model));

    ct_tensor *x = ct_randn(CT_SIZE(16, 1, 28, 28), NULL);
    ct_tensor *target = ct_randint(0, 10, CT_SIZE(16), NULL);
    ct_named_tensors params = ct_module_named_parameters(model, true);
    ct_optimizer *opt = ct_optim_sgd(params.n, params.tensors, .lr = 0.1, .momentum = 0.9);
    ct_named_tensors_free(&params);
    if (!x || !target || !opt) goto fail;
    for (int step = 0; step < 5; step++) {
        if (ct_scope_begin() < 0) goto fail;
        if (ct_optim_zero_grad(opt, false) != CT_OK) goto fail;
        ct_tensor *loss = ct_cross_entropy(ct_forward(model, x), target);
        if (!loss || ct_backward(loss, NULL, NULL) != CT_OK || ct_optim_step(opt) != CT_OK) goto fail;
        printf("%d ", step);
        if (ct_print(loss) != CT_OK || ct_scope_end() < 0) goto fail;
    }
    LeNet *m = (LeNet *)model;
    if (ct_print(ct_module_get_buffer(m->bn1, "running_mean")) != CT_OK) goto fail;
    if (ct_print(ct_module_get_buffer(model, "bn1.num_batches_tracked")) != CT_OK) goto fail;

    if (ct_module_eval(model) != CT_OK) goto fail;
    ct_tensor *out;
    CT_NO_GRAD { out = ct_forward(model, ct_slice(x, 0, 0, 2, 1)); }
    if (!out) goto fail;
    print_size(out);
    if (ct_print(ct_argmax_dim(out, 1, false)) != CT_OK) goto fail;
    ct_optim_free(opt);
    ct_module_free(model);
    if (ct_scope_end() < 0) return 1;
    return 0;
fail:
    fprintf(stderr, "lenet failed: %s\n", ct_last_error() ? ct_last_error() : "(no message)");
    return 1;
}
