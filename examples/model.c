/* A user-defined module in C: the Model of torch.nn.Module's docs
 * (conv1 = Conv2d(1, 20, 5), conv2 = Conv2d(20, 20, 5), forward
 * relu(conv2(relu(conv1(x))))), printing what examples/model.py prints
 * with PyTorch 1.13.1 (tests/parity/data/example_model.txt). */
#include <ctorch.h>
#include <inttypes.h>
#include <stdio.h>

static void print_size(const ct_tensor *t) {
    printf("torch.Size([");
    for (int d = 0; d < ct_dim(t); d++) printf("%s%" PRId64, d ? ", " : "", ct_size(t, d));
    printf("])\n");
}

/* class Model(nn.Module): the struct starts with the ct_module base and
 * keeps borrowed pointers to its registered children. */
typedef struct Model {
    ct_module base;
    ct_module *conv1, *conv2;
} Model;

/* def forward(self, x): a new reference; the intermediate is freed here. */
static ct_tensor *model_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    Model *m = (Model *)self;
    ct_tensor *a = ct_forward(m->conv1, in[0]);
    ct_tensor *h = ct_relu(a);
    ct_free(a);
    ct_tensor *b = ct_forward(m->conv2, h);
    ct_free(h);
    ct_tensor *y = ct_relu(b);
    ct_free(b);
    return y;
}

static const ct_module_type model_type = {.name = "Model", .size = sizeof(Model), .forward = model_forward};

/* def __init__(self): registration consumes the new conv and returns it */
static ct_module *model_new(void) {
    Model *m = (Model *)ct_module_new(&model_type);
    if (!m) return NULL;
    m->conv1 = ct_module_register_module(&m->base, "conv1", ct_nn_conv2d(1, 20, 5));
    m->conv2 = ct_module_register_module(&m->base, "conv2", ct_nn_conv2d(20, 20, 5));
    if (!m->conv1 || !m->conv2) {
        ct_module_free(&m->base);
        return NULL;
    }
    return &m->base;
}

int main(void) {
    if (ct_scope_begin() < 0) return 1;
    ct_manual_seed(0);
    ct_module *model = model_new();
    if (!model || ct_module_print(model) != CT_OK) goto fail;
    ct_named_tensors params = ct_module_named_parameters(model, true);
    for (int i = 0; i < params.n; i++) {
        printf("%s ", params.names[i]);
        print_size(params.tensors[i]);
    }
    ct_named_tensors_free(&params);

    ct_tensor *x = ct_randn(CT_SIZE(8, 1, 28, 28), NULL);
    ct_tensor *y = ct_forward(model, x);
    if (!y) goto fail;
    print_size(y);
    ct_tensor *loss = ct_mean(y);
    if (!loss || ct_print(loss) != CT_OK) goto fail;
    if (ct_backward(loss, NULL, NULL) != CT_OK) goto fail;
    Model *m = (Model *)model;
    ct_tensor *g = ct_grad(ct_module_get_parameter(m->conv1, "weight"));
    if (!g) goto fail;
    print_size(g);
    ct_tensor *gb = ct_grad(ct_module_get_parameter(model, "conv1.bias"));
    if (ct_print(ct_sum(ct_abs(gb))) != CT_OK) goto fail;
    if (ct_module_eval(model) != CT_OK) goto fail;
    printf("%s %s\n", ct_module_is_training(model) ? "True" : "False",
           ct_module_is_training(m->conv1) ? "True" : "False");
    ct_module_free(model);
    if (ct_scope_end() < 0) return 1;
    return 0;
fail:
    fprintf(stderr, "model failed: %s\n", ct_last_error() ? ct_last_error() : "(no message)");
    return 1;
}
