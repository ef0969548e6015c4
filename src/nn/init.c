/* torch.nn.init (torch/nn/init.py, 1.13.1): the same arithmetic in double,
 * the same draws through the tensor samplers. */
#include <math.h>
#include <string.h>

#include "ctorch/autograd.h"
#include "ctorch/nn_init.h"
#include "ctorch/random.h"
#include "tensor/tensor_impl.h"

double ct_init_calculate_gain(const char *nl, double param) {
    if (!nl) nl = "leaky_relu";
    static const char *const linear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                         "conv_transpose2d", "conv_transpose3d", "sigmoid"};
    for (size_t i = 0; i < sizeof linear / sizeof *linear; i++)
        if (!strcmp(nl, linear[i])) return 1;
    if (!strcmp(nl, "tanh")) return 5.0 / 3;
    if (!strcmp(nl, "relu")) return sqrt(2.0);
    if (!strcmp(nl, "leaky_relu")) {
        double slope = param < 0 ? 0.01 : param;
        return sqrt(2.0 / (1 + pow(slope, 2)));
    }
    if (!strcmp(nl, "selu")) return 3.0 / 4;
    ct__error("Unsupported nonlinearity %s", nl);
    return NAN;
}

int ct_init_calculate_fan_in_and_fan_out(const ct_tensor *t, int64_t *fan_in, int64_t *fan_out) {
    if (!t) return CT_ERROR;
    if (t->ndim < 2) {
        ct__error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        return CT_ERROR;
    }
    int64_t receptive = 1;
    for (int d = 2; d < t->ndim; d++) receptive *= t->sizes[d];
    if (fan_in) *fan_in = t->sizes[1] * receptive;
    if (fan_out) *fan_out = t->sizes[0] * receptive;
    return CT_OK;
}

int ct_init_uniform_(ct_tensor *t, double a, double b, ct_generator *g) {
    int rc;
    CT_NO_GRAD { rc = ct_uniform_(t, a, b, g); }
    return rc;
}

int ct_init_normal_(ct_tensor *t, double mean, double std, ct_generator *g) {
    int rc;
    CT_NO_GRAD { rc = ct_normal_(t, mean, std, g); }
    return rc;
}

int ct_init_constant_(ct_tensor *t, double value) {
    int rc;
    CT_NO_GRAD { rc = ct_fill_(t, value); }
    return rc;
}

int ct_init_ones_(ct_tensor *t) { return ct_init_constant_(t, 1.0); }
int ct_init_zeros_(ct_tensor *t) { return ct_init_constant_(t, 0.0); }

int ct_init_xavier_uniform_(ct_tensor *t, double gain, ct_generator *g) {
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return CT_ERROR;
    double std = gain * sqrt(2.0 / (double)(in + out));
    double a = sqrt(3.0) * std;
    return ct_init_uniform_(t, -a, a, g);
}

int ct_init_xavier_normal_(ct_tensor *t, double gain, ct_generator *g) {
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return CT_ERROR;
    double std = gain * sqrt(2.0 / (double)(in + out));
    return ct_init_normal_(t, 0.0, std, g);
}

/* std = gain / sqrt(fan) for kaiming; NAN on error */
static double kaiming_std(const ct_tensor *t, double a, ct_fan_mode mode, const char *nl) {
    if (!t) return NAN;
    if (ct__numel(t) == 0) {
        ct__warn("Initializing zero-element tensors is a no-op");
        return 0;
    }
    int64_t in, out;
    if (ct_init_calculate_fan_in_and_fan_out(t, &in, &out) != CT_OK) return NAN;
    double gain = ct_init_calculate_gain(nl, a);
    if (isnan(gain)) return NAN;
    return gain / sqrt((double)(mode == CT_FAN_OUT ? out : in));
}

int ct_init_kaiming_uniform_(ct_tensor *t, double a, ct_fan_mode mode, const char *nl, ct_generator *g) {
    double std = kaiming_std(t, a, mode, nl);
    if (isnan(std)) return CT_ERROR;
    if (ct__numel(t) == 0) return CT_OK;
    double bound = sqrt(3.0) * std;
    return ct_init_uniform_(t, -bound, bound, g);
}

int ct_init_kaiming_normal_(ct_tensor *t, double a, ct_fan_mode mode, const char *nl, ct_generator *g) {
    double std = kaiming_std(t, a, mode, nl);
    if (isnan(std)) return CT_ERROR;
    if (ct__numel(t) == 0) return CT_OK;
    return ct_init_normal_(t, 0.0, std, g);
}
