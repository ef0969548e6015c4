/* Activation modules (torch/nn/modules/activation.py, 1.13.1): each
 * holds its constructor arguments, forwards to the functional form, and
 * prints PyTorch's extra_repr. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/nn_activation.h"
#include "ctorch/ops.h"
#include "nn/module_impl.h"

/* Python's repr(float): the shortest digits that round-trip, fixed
 * notation for exponents in [-4, 16) with ".0" for whole numbers. */
static const char *py_float(char *buf, size_t len, double v) {
    if (isnan(v)) return "nan";
    if (isinf(v)) return v > 0 ? "inf" : "-inf";
    char tmp[40];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v) break;
    }
    int exp10 = atoi(strchr(tmp, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16) {
        snprintf(buf, len, "%s", tmp);
        return buf;
    }
    int decimals = prec - 1 - exp10;
    snprintf(buf, len, "%.*f", decimals > 0 ? decimals : 0, v);
    if (!strchr(buf, '.') && strlen(buf) + 2 < len) strcat(buf, ".0");
    return buf;
}

/* a number PyTorch's signature defaults to an int (Softplus, Threshold):
 * whole values print as ints, others as Python floats */
static const char *py_number(char *buf, size_t len, double v) {
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, len, "%.0f", v);
        return buf;
    }
    return py_float(buf, len, v);
}

typedef struct {
    ct_module base;
    double a, b; /* the module's numbers (alpha, min/max, slope, ...) */
    int64_t dim;
    int kind; /* the gelu approximation */
    bool inplace;
} act_module;

#define AM(self) ((act_module *)(self))
#define CAM(self) ((const act_module *)(self))

static ct_module *act_new(const ct_module_type *type, double a, double b, bool inplace) {
    act_module *m = (act_module *)ct_module_new(type);
    if (!m) return NULL;
    m->a = a;
    m->b = b;
    m->inplace = inplace;
    return &m->base;
}

/* forward of an activation with an in-place form: the input itself,
 * modified, when built with inplace=True */
#define FWD(FN, CALL, ICALL)                                                   \
    static ct_tensor *FN##_forward(ct_module *self, int n, ct_tensor *const *in) { \
        (void)n;                                                               \
        act_module *m = AM(self);                                              \
        ct_tensor *x = in[0];                                                  \
        (void)m;                                                               \
        if (m->inplace) return (ICALL) == CT_OK ? ct__retain(x) : NULL;           \
        return CALL;                                                           \
    }
#define FWD0(FN, CALL)                                                         \
    static ct_tensor *FN##_forward(ct_module *self, int n, ct_tensor *const *in) { \
        (void)n;                                                               \
        act_module *m = AM(self);                                              \
        ct_tensor *x = in[0];                                                  \
        (void)m;                                                               \
        return CALL;                                                           \
    }

/* ---- extra_repr ---- */
static int repr_inplace(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "%s", CAM(self)->inplace ? "inplace=True" : "");
}
static int repr_alpha(const ct_module *self, char *buf, size_t len) {
    char a[40];
    return snprintf(buf, len, "alpha=%s%s", py_float(a, sizeof a, CAM(self)->a),
                    CAM(self)->inplace ? ", inplace=True" : "");
}
static int repr_hardtanh(const ct_module *self, char *buf, size_t len) {
    char a[40], b[40];
    return snprintf(buf, len, "min_val=%s, max_val=%s%s", py_float(a, sizeof a, CAM(self)->a),
                    py_float(b, sizeof b, CAM(self)->b), CAM(self)->inplace ? ", inplace=True" : "");
}
static int repr_leaky(const ct_module *self, char *buf, size_t len) {
    char a[40];
    return snprintf(buf, len, "negative_slope=%s%s", py_float(a, sizeof a, CAM(self)->a),
                    CAM(self)->inplace ? ", inplace=True" : "");
}
static int repr_rrelu(const ct_module *self, char *buf, size_t len) {
    char a[40], b[40];
    return snprintf(buf, len, "lower=%s, upper=%s%s", py_float(a, sizeof a, CAM(self)->a),
                    py_float(b, sizeof b, CAM(self)->b), CAM(self)->inplace ? ", inplace=True" : "");
}
static int repr_threshold(const ct_module *self, char *buf, size_t len) {
    char a[40], b[40];
    return snprintf(buf, len, "threshold=%s, value=%s%s", py_number(a, sizeof a, CAM(self)->a),
                    py_number(b, sizeof b, CAM(self)->b), CAM(self)->inplace ? ", inplace=True" : "");
}
static int repr_softplus(const ct_module *self, char *buf, size_t len) {
    char a[40], b[40];
    return snprintf(buf, len, "beta=%s, threshold=%s", py_number(a, sizeof a, CAM(self)->a),
                    py_number(b, sizeof b, CAM(self)->b));
}
static int repr_lambd(const ct_module *self, char *buf, size_t len) {
    char a[40];
    return snprintf(buf, len, "%s", py_float(a, sizeof a, CAM(self)->a));
}
static int repr_gelu(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "approximate='%s'", CAM(self)->kind == CT_GELU_TANH ? "tanh" : "none");
}
static int repr_dim(const ct_module *self, char *buf, size_t len) {
    if (CAM(self)->dim == CT_SOFTMAX_DIM_NONE) return snprintf(buf, len, "dim=None");
    return snprintf(buf, len, "dim=%" PRId64, CAM(self)->dim);
}

/* ---- forwards ---- */
FWD(elu, ct_elu(x, m->a), ct_elu_(x, m->a))
FWD(celu, ct_celu(x, m->a), ct_celu_(x, m->a))
FWD(selu, ct_selu(x), ct_selu_(x))
FWD(relu6, ct_relu6(x), ct_relu6_(x))
FWD(relu, ct_relu(x), ct_relu_(x))
FWD(hardsigmoid, ct_hardsigmoid(x), ct_hardsigmoid_(x))
FWD(hardswish, ct_hardswish(x), ct_hardswish_(x))
FWD(silu, ct_silu(x), ct_silu_(x))
FWD(mish, ct_mish(x), ct_mish_(x))
FWD(hardtanh, ct_hardtanh(x, m->a, m->b), ct_hardtanh_(x, m->a, m->b))
FWD(leaky_relu, ct_leaky_relu(x, m->a), ct_leaky_relu_(x, m->a))
FWD(threshold, ct_threshold(x, m->a, m->b), ct_threshold_(x, m->a, m->b))
FWD(rrelu, ct_rrelu(x, m->a, m->b, ct_module_is_training(self), NULL),
    ct_rrelu_(x, m->a, m->b, ct_module_is_training(self), NULL))
FWD0(gelu, ct_gelu(x, (ct_gelu_approximate)m->kind))
FWD0(softplus, ct_softplus(x, m->a, m->b))
FWD0(hardshrink, ct_hardshrink(x, m->a))
FWD0(softshrink, ct_softshrink(x, m->a))
FWD0(glu, ct_glu(x, m->dim))
FWD0(logsigmoid, ct_logsigmoid(x))
FWD0(softsign, ct_softsign(x))
FWD0(tanhshrink, ct_tanhshrink(x))
FWD0(softmax, ct_softmax(x, m->dim))
FWD0(log_softmax, ct_log_softmax(x, m->dim))
FWD0(softmin, ct_softmin(x, m->dim))
FWD0(sigmoid, ct_sigmoid(x))
FWD0(tanh, ct_tanh(x))

static ct_tensor *softmax2d_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)self, (void)n;
    if (!in[0]) return NULL;
    if (in[0]->ndim != 3 && in[0]->ndim != 4) {
        ct__error("Softmax2d requires a 3D or 4D tensor as input");
        return NULL;
    }
    return ct_softmax(in[0], -3);
}

#define TYPE(FN, NAME, REPR) \
    static const ct_module_type FN##_type = {.name = NAME, .size = sizeof(act_module), .forward = FN##_forward, .extra_repr = REPR};

TYPE(elu, "ELU", repr_alpha)
TYPE(celu, "CELU", repr_alpha)
TYPE(selu, "SELU", repr_inplace)
TYPE(relu6, "ReLU6", repr_inplace)
TYPE(relu, "ReLU", repr_inplace)
TYPE(hardsigmoid, "Hardsigmoid", NULL)
TYPE(hardswish, "Hardswish", NULL)
TYPE(silu, "SiLU", repr_inplace)
TYPE(mish, "Mish", repr_inplace)
TYPE(hardtanh, "Hardtanh", repr_hardtanh)
TYPE(leaky_relu, "LeakyReLU", repr_leaky)
TYPE(threshold, "Threshold", repr_threshold)
TYPE(rrelu, "RReLU", repr_rrelu)
TYPE(gelu, "GELU", repr_gelu)
TYPE(softplus, "Softplus", repr_softplus)
TYPE(hardshrink, "Hardshrink", repr_lambd)
TYPE(softshrink, "Softshrink", repr_lambd)
TYPE(glu, "GLU", repr_dim)
TYPE(logsigmoid, "LogSigmoid", NULL)
TYPE(softsign, "Softsign", NULL)
TYPE(tanhshrink, "Tanhshrink", NULL)
TYPE(softmax, "Softmax", repr_dim)
TYPE(log_softmax, "LogSoftmax", repr_dim)
TYPE(softmin, "Softmin", repr_dim)
TYPE(softmax2d, "Softmax2d", NULL)
TYPE(sigmoid, "Sigmoid", NULL)
TYPE(tanh, "Tanh", NULL)

/* ---- constructors ---- */
ct_module *ct_nn_relu(void) { return act_new(&relu_type, 0, 0, false); }
ct_module *ct_nn_relu_inplace(void) { return act_new(&relu_type, 0, 0, true); }
ct_module *ct_nn_sigmoid(void) { return act_new(&sigmoid_type, 0, 0, false); }
ct_module *ct_nn_tanh(void) { return act_new(&tanh_type, 0, 0, false); }
ct_module *ct_nn_elu(double alpha, bool inplace) { return act_new(&elu_type, alpha, 0, inplace); }
ct_module *ct_nn_celu(double alpha, bool inplace) { return act_new(&celu_type, alpha, 0, inplace); }
ct_module *ct_nn_selu(bool inplace) { return act_new(&selu_type, 0, 0, inplace); }
ct_module *ct_nn_relu6(bool inplace) { return act_new(&relu6_type, 0, 0, inplace); }
ct_module *ct_nn_hardsigmoid(bool inplace) { return act_new(&hardsigmoid_type, 0, 0, inplace); }
ct_module *ct_nn_hardswish(bool inplace) { return act_new(&hardswish_type, 0, 0, inplace); }
ct_module *ct_nn_silu(bool inplace) { return act_new(&silu_type, 0, 0, inplace); }
ct_module *ct_nn_mish(bool inplace) { return act_new(&mish_type, 0, 0, inplace); }
ct_module *ct_nn_hardtanh(double min_val, double max_val, bool inplace) {
    if (!(max_val > min_val)) {
        ct__error("Hardtanh: max_val must be greater than min_val");
        return NULL;
    }
    return act_new(&hardtanh_type, min_val, max_val, inplace);
}
ct_module *ct_nn_leaky_relu(double negative_slope, bool inplace) {
    return act_new(&leaky_relu_type, negative_slope, 0, inplace);
}
ct_module *ct_nn_threshold(double threshold, double value, bool inplace) {
    return act_new(&threshold_type, threshold, value, inplace);
}
ct_module *ct_nn_rrelu(double lower, double upper, bool inplace) { return act_new(&rrelu_type, lower, upper, inplace); }
ct_module *ct_nn_gelu(ct_gelu_approximate approximate) {
    if (approximate != CT_GELU_NONE && approximate != CT_GELU_TANH) {
        ct__error("approximate argument must be either none or tanh.");
        return NULL;
    }
    ct_module *m = act_new(&gelu_type, 0, 0, false);
    if (m) AM(m)->kind = (int)approximate;
    return m;
}
ct_module *ct_nn_softplus(double beta, double threshold) { return act_new(&softplus_type, beta, threshold, false); }
ct_module *ct_nn_hardshrink(double lambd) { return act_new(&hardshrink_type, lambd, 0, false); }
ct_module *ct_nn_softshrink(double lambd) { return act_new(&softshrink_type, lambd, 0, false); }
ct_module *ct_nn_logsigmoid(void) { return act_new(&logsigmoid_type, 0, 0, false); }
ct_module *ct_nn_softsign(void) { return act_new(&softsign_type, 0, 0, false); }
ct_module *ct_nn_tanhshrink(void) { return act_new(&tanhshrink_type, 0, 0, false); }
ct_module *ct_nn_softmax2d(void) { return act_new(&softmax2d_type, 0, 0, false); }

static ct_module *dim_new(const ct_module_type *type, int64_t dim) {
    ct_module *m = act_new(type, 0, 0, false);
    if (m) AM(m)->dim = dim;
    return m;
}
ct_module *ct_nn_glu(int64_t dim) { return dim_new(&glu_type, dim); }
ct_module *ct_nn_softmax(int64_t dim) { return dim_new(&softmax_type, dim); }
ct_module *ct_nn_log_softmax(int64_t dim) { return dim_new(&log_softmax_type, dim); }
ct_module *ct_nn_softmin(int64_t dim) { return dim_new(&softmin_type, dim); }

/* ---- PReLU: one parameter ---- */
typedef struct {
    ct_module base;
    int64_t num_parameters;
    ct_tensor *weight; /* borrowed from the registry */
} prelu_module;

static ct_tensor *prelu_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    return ct_prelu(in[0], ((prelu_module *)self)->weight);
}
static int prelu_repr(const ct_module *self, char *buf, size_t len) {
    return snprintf(buf, len, "num_parameters=%" PRId64, ((const prelu_module *)self)->num_parameters);
}
static const ct_module_type prelu_type = {
    .name = "PReLU", .size = sizeof(prelu_module), .forward = prelu_forward, .extra_repr = prelu_repr};

ct_module *ct_nn_prelu(int64_t num_parameters, double init, ct_dtype dtype) {
    if (num_parameters < 0) {
        ct__error("Trying to create tensor with negative dimension %" PRId64 ": [%" PRId64 "]", num_parameters,
                  num_parameters);
        return NULL;
    }
    if (dtype == CT_DTYPE_DEFAULT) dtype = ct_get_default_dtype();
    prelu_module *m = (prelu_module *)ct_module_new(&prelu_type);
    if (!m) return NULL;
    m->num_parameters = num_parameters;
    m->weight = ct_module_register_parameter(&m->base, "weight",
                                             ct_full(CT_SIZE(num_parameters), init, CT_OPTS(.dtype = dtype)));
    if (!m->weight) {
        ct_module_free(&m->base);
        return NULL;
    }
    return &m->base;
}
