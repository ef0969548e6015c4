/* The module system against tests/parity/data/nn_module.txt (written by
 * gen_nn_module.py with PyTorch 1.13.1): default initialisation, reprs,
 * state_dict keys and loading, Linear forward/backward, hooks. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"
#include "vectors.h"

static vec_file *V;
static void setup(void) { V = tu_load("nn_module.txt", true); }
static void teardown(void) { vec_free(V); }
TestSuite(nn_module, .init = setup, .fini = teardown);

static const vec_case *C(const char *name) { return tu_case(V, name); }

/* t equals the hex values of key bit for bit (float32 or float64) */
static void expect_bits(const vec_case *c, const char *key, const ct_tensor *t) {
    cr_assert_not_null(t, "%s/%s NULL: %s", vec_name(c), key, ct_last_error());
    int n = vec_len(c, key);
    cr_assert_eq(ct_numel(t), n, "%s/%s numel %lld want %d", vec_name(c), key, (long long)ct_numel(t), n);
    size_t item = ct_element_size(t);
    unsigned char *buf = malloc((size_t)n * item + 1);
    cr_assert_eq(ct_copy_to_buffer(t, CT_DTYPE_DEFAULT, buf, (size_t)n * item), CT_OK);
    for (int i = 0; i < n; i++) {
        uint64_t want = vec_hex(c, key, i), got = 0;
        memcpy(&got, buf + (size_t)i * item, item);
        cr_assert_eq(got, want, "%s/%s[%d]: %llx, PyTorch %llx", vec_name(c), key, i, (unsigned long long)got,
                     (unsigned long long)want);
    }
    free(buf);
}

static void expect_close(const vec_case *c, const char *key, const ct_tensor *t) {
    tu_expect_hex(c, key, t, (tu_tol){.rtol = 1e-12, .atol = 1e-14});
}

static ct_tensor *tensor_of(const vec_case *c, const char *key, int ndim, const int64_t *sizes) {
    return tu_hex_tensor(c, key, TU_BITS64, CT_FLOAT64, ndim, sizes);
}

static void expect_text(const char *got, const char *want) {
    cr_assert_not_null(got, "%s", ct_last_error());
    cr_assert_str_eq(got, want);
}

static void expect_repr(const vec_case *c, const char *key, ct_module *m) {
    cr_assert_not_null(m, "%s", ct_last_error());
    char *s = ct_module_to_string(m);
    expect_text(s, vec_str(c, key));
    free(s);
}

Test(nn_module, linear_default_init_is_pytorchs) {
    int checked = 0;
    for (size_t k = 0; k < vec_count(V); k++) {
        const vec_case *c = vec_at(V, k);
        if (strncmp(vec_name(c), "linear_init_", 12) || !vec_has(c, "seed")) continue;
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_module *lin = ct_nn_linear(vec_int(c, "i", 0), vec_int(c, "o", 0));
        expect_bits(c, "weight", ct_module_get_parameter(lin, "weight"));
        expect_bits(c, "bias", ct_module_get_parameter(lin, "bias"));
        ct_module_free(lin);
        checked++;
    }
    cr_assert_eq(checked, 5);
    const vec_case *c = C("linear_init_nobias");
    ct_manual_seed(3);
    ct_module *lin = ct_nn_linear(4, 3, .no_bias = true);
    expect_bits(c, "weight", ct_module_get_parameter(lin, "weight"));
    cr_assert_null(ct_module_get_parameter(lin, "bias"));
    ct_tensor *r = ct_rand(CT_SIZE(2), NULL);
    expect_bits(c, "next_rand", r);
    ct_free(r);
    ct_module_free(lin);
}

Test(nn_module, reprs_are_pytorchs) {
    ct_module *m;
    expect_repr(C("repr_linear"), "text", m = ct_nn_linear(3, 2));
    ct_module_free(m);
    expect_repr(C("repr_linear_nobias"), "text", m = ct_nn_linear(3, 2, .no_bias = true));
    ct_module_free(m);
    m = CT_SEQUENTIAL(ct_nn_linear(2, 3), ct_nn_relu(), CT_SEQUENTIAL(ct_nn_linear(3, 1), ct_nn_sigmoid()));
    expect_repr(C("repr_seq"), "text", m);
    ct_module_free(m);
    const char *names[] = {"fc1", "act", "flat", "id"};
    m = ct_nn_sequential_named(4, names,
                               (ct_module *[]){ct_nn_linear(1, 2), ct_nn_tanh(), ct_nn_flatten(1, -1), ct_nn_identity()});
    expect_repr(C("repr_seq_named"), "text", m);
    ct_module_free(m);
    expect_repr(C("repr_empty"), "text", m = ct_nn_sequential(0, NULL));
    ct_module_free(m);
    expect_repr(C("repr_module_list"), "text", m = ct_nn_module_list(2, (ct_module *[]){ct_nn_relu(), ct_nn_identity()}));
    ct_module_free(m);
    m = ct_nn_module_dict(2, (const char *[]){"a", "b"}, (ct_module *[]){ct_nn_relu(), ct_nn_linear(2, 2)});
    expect_repr(C("repr_module_dict"), "text", m);
    ct_module_free(m);
    m = ct_nn_parameter_list(2, (ct_tensor *[]){ct_zeros(CT_SIZE(2, 3), NULL),
                                                 ct_zeros(CT_SIZE(4), CT_OPTS(.dtype = CT_FLOAT64))});
    expect_repr(C("repr_param_list"), "text", m);
    ct_module_free(m);
    m = ct_nn_parameter_list(1, (ct_tensor *[]){ct_zeros(CT_SIZE(2, 3), NULL)});
    expect_repr(C("repr_param_list1"), "text", m);
    ct_module_free(m);
    m = ct_nn_parameter_dict(2, (const char *[]){"p", "q"},
                             (ct_tensor *[]){ct_zeros(CT_SIZE(2), NULL), ct_zeros(CT_SIZE(2, 2), CT_OPTS(.dtype = CT_FLOAT64))});
    expect_repr(C("repr_param_dict"), "text", m);
    ct_module_free(m);
    expect_repr(C("repr_unflatten"), "text", m = ct_nn_unflatten(1, CT_SIZE(2, 2)));
    ct_module_free(m);
    expect_repr(C("repr_unflatten1"), "text", m = ct_nn_unflatten(0, CT_SIZE(4)));
    ct_module_free(m);

    const vec_case *c = C("repr_none_child");
    m = CT_SEQUENTIAL(ct_nn_linear(1, 1));
    cr_assert_null(ct_module_register_module(m, "x", NULL));
    expect_repr(c, "text", m);
    ct_state_dict *sd = ct_module_state_dict(m);
    cr_assert_eq(ct_state_dict_size(sd), vec_len(c, "keys"));
    for (int i = 0; i < vec_len(c, "keys"); i++) cr_assert_str_eq(ct_state_dict_key(sd, i), vec_tok(c, "keys", i));
    ct_state_dict_free(sd);
    ct_module_free(m);

    c = C("repr_slice");
    m = CT_SEQUENTIAL(ct_nn_linear(2, 3), ct_nn_relu(), ct_nn_linear(3, 1));
    ct_module *s = ct_sequential_slice(m, 1, 3);
    expect_repr(c, "text", s);
    expect_repr(c, "last", ct_module_at(m, -1));
    cr_assert_eq(ct_module_len(m), 3);
    cr_assert_null(ct_module_at(m, 3));
    cr_assert_str_eq(ct_last_error(), "index 3 is out of range");
    ct_module_free(s);
    ct_module_free(m);
}

/* The Net of gen_nn_module.py, as a user-defined C module. */
typedef struct {
    ct_module base;
    ct_module *features, *head;
    ct_tensor *running, *scale;
} net_module;

static ct_tensor *net_forward(ct_module *self, int n, ct_tensor *const *in) {
    (void)n;
    net_module *m = (net_module *)self;
    ct_tensor *f = ct_forward(m->features, in[0]);
    ct_tensor *s = ct_add(f, m->running);
    ct_tensor *h = ct_forward(m->head, s);
    ct_tensor *y = ct_mul(h, m->scale);
    ct_free(f), ct_free(s), ct_free(h);
    return y;
}

static const ct_module_type net_type = {.name = "Net", .size = sizeof(net_module), .forward = net_forward};

static net_module *make_net(void) {
    net_module *m = (net_module *)ct_module_new(&net_type);
    m->features = ct_module_register_module(&m->base, "features", CT_SEQUENTIAL(ct_nn_linear(4, 3), ct_nn_relu()));
    m->running = ct_module_register_buffer(&m->base, "running", ct_zeros(CT_SIZE(3), NULL), true);
    cr_assert_not_null(ct_module_register_buffer(&m->base, "scratch", ct_zeros(CT_SIZE(1), NULL), false));
    m->head = ct_module_register_module(&m->base, "head", ct_nn_linear(3, 2));
    m->scale = ct_module_register_parameter(&m->base, "scale", ct_ones(CT_SIZE(1), NULL));
    cr_assert(m->features && m->running && m->head && m->scale, "%s", ct_last_error());
    return m;
}

static void expect_names(const vec_case *c, const char *key, int n, char **names) {
    cr_assert_eq(n, vec_len(c, key), "%s: %d names, PyTorch %d", key, n, vec_len(c, key));
    for (int i = 0; i < n; i++) {
        const char *want = vec_tok(c, key, i);
        cr_assert_str_eq(*names[i] ? names[i] : "<self>", want, "%s[%d]", key, i);
    }
}

Test(nn_module, user_module_names_state_dict_and_repr) {
    const vec_case *c = C("net_keys");
    net_module *net = make_net();
    ct_state_dict *sd = ct_module_state_dict(&net->base);
    cr_assert_eq(ct_state_dict_size(sd), vec_len(c, "keys"));
    for (int i = 0; i < ct_state_dict_size(sd); i++) cr_assert_str_eq(ct_state_dict_key(sd, i), vec_tok(c, "keys", i));
    /* state_dict values share memory with the module */
    cr_assert(ct_shares_storage(ct_state_dict_get(sd, "head.weight"), ct_module_get_parameter(&net->base, "head.weight")));
    cr_assert_not(ct_requires_grad(ct_state_dict_get(sd, "head.weight")));
    ct_state_dict_free(sd);
    ct_named_tensors ps = ct_module_named_parameters(&net->base, true);
    expect_names(c, "params", ps.n, ps.names);
    ct_named_tensors_free(&ps);
    ct_named_tensors bs = ct_module_named_buffers(&net->base, true);
    expect_names(c, "buffers", bs.n, bs.names);
    ct_named_tensors_free(&bs);
    ct_named_modules ms = ct_module_named_modules(&net->base);
    expect_names(c, "modules", ms.n, ms.names);
    ct_named_modules_free(&ms);
    ct_named_modules ch = ct_module_named_children(&net->base);
    expect_names(c, "children", ch.n, ch.names);
    ct_named_modules_free(&ch);
    expect_repr(c, "repr", &net->base);
    cr_assert_eq(ct_module_num_parameter_elements(&net->base), vec_int(c, "nparams", 0));
    /* forward runs through the user's function */
    ct_tensor *x = ct_ones(CT_SIZE(5, 4), NULL);
    ct_tensor *y = ct_forward(&net->base, x);
    cr_assert_not_null(y, "%s", ct_last_error());
    cr_assert_eq(ct_size(y, 1), 2);
    cr_assert_str_eq(ct_grad_fn_name(y), "MulBackward0");
    ct_free(y);
    ct_free(x);
    /* name rules */
    cr_assert_null(ct_module_register_parameter(&net->base, "a.b", ct_zeros(CT_SIZE(1), NULL)));
    cr_assert_str_eq(ct_last_error(), "parameter name can't contain \".\"");
    cr_assert_null(ct_module_register_buffer(&net->base, "head", ct_zeros(CT_SIZE(1), NULL), true));
    cr_assert_str_eq(ct_last_error(), "attribute 'head' already exists");
    ct_module_free(&net->base);
}

Test(nn_module, load_state_dict_strict_and_messages) {
    const vec_case *c = C("load_errors");
    ct_module *lin = ct_nn_linear(3, 2);
    ct_state_dict *sd = ct_state_dict_new();
    ct_tensor *w4 = ct_zeros(CT_SIZE(2, 4), NULL), *w3 = ct_ones(CT_SIZE(2, 3), NULL), *b = ct_ones(CT_SIZE(2), NULL),
              *e = ct_zeros(CT_SIZE(1), NULL);
    cr_assert_eq(ct_state_dict_set(sd, "weight", w4), CT_OK);
    cr_assert_eq(ct_state_dict_set(sd, "bias", b), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(lin, sd, true, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "size"));
    /* nothing was copied: bias still holds its initial values */
    double bias0;
    cr_assert_eq(ct_item(ct_select(ct_module_get_parameter(lin, "bias"), 0, 0), &bias0), CT_OK);
    cr_assert_neq(bias0, 1.0);
    cr_assert_eq(ct_state_dict_set(sd, "weight", w3), CT_OK);
    cr_assert_eq(ct_state_dict_remove(sd, "bias"), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(lin, sd, true, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "missing"));
    cr_assert_eq(ct_state_dict_set(sd, "bias", b), CT_OK);
    cr_assert_eq(ct_state_dict_set(sd, "extra", e), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(lin, sd, true, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "unexpected"));
    cr_assert_eq(ct_state_dict_set(sd, "weight", w4), CT_OK);
    cr_assert_eq(ct_state_dict_remove(sd, "bias"), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(lin, sd, true, NULL, NULL), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), vec_str(c, "all"));
    /* non-strict: missing and unexpected are returned, values copied */
    cr_assert_eq(ct_state_dict_set(sd, "weight", w3), CT_OK);
    ct_key_list missing, unexpected;
    cr_assert_eq(ct_module_load_state_dict(lin, sd, false, &missing, &unexpected), CT_OK, "%s", ct_last_error());
    cr_assert_eq(missing.n, 1);
    cr_assert_str_eq(missing.keys[0], "bias");
    cr_assert_eq(unexpected.n, 1);
    cr_assert_str_eq(unexpected.keys[0], "extra");
    ct_key_list_free(&missing);
    ct_key_list_free(&unexpected);
    double w;
    cr_assert_eq(ct_item(ct_sum(ct_module_get_parameter(lin, "weight")), &w), CT_OK);
    cr_assert_eq(w, 6.0);
    ct_free(w4), ct_free(w3), ct_free(b), ct_free(e);
    ct_state_dict_free(sd);
    ct_module_free(lin);
}

Test(nn_module, linear_forward_backward_matches) {
    const vec_case *c = C("linear_forward");
    ct_module *lin = ct_nn_linear(3, 2, .dtype = CT_FLOAT64);
    ct_tensor *w = tensor_of(c, "weight", CT_SIZE(2, 3)), *b = tensor_of(c, "bias", CT_SIZE(2));
    ct_state_dict *sd = ct_state_dict_new();
    cr_assert_eq(ct_state_dict_set(sd, "weight", w), CT_OK);
    cr_assert_eq(ct_state_dict_set(sd, "bias", b), CT_OK);
    cr_assert_eq(ct_module_load_state_dict(lin, sd, true, NULL, NULL), CT_OK, "%s", ct_last_error());
    ct_tensor *x = tensor_of(c, "x", CT_SIZE(4, 3));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *y = ct_forward(lin, x);
    expect_close(c, "y", y);
    cr_assert_str_eq(ct_grad_fn_name(y), vec_str(c, "y_fn"));
    ct_tensor *g = tensor_of(c, "w", CT_SIZE(4, 2));
    cr_assert_eq(ct_backward(y, g, NULL), CT_OK, "%s", ct_last_error());
    expect_close(c, "x_grad", ct_grad(x));
    expect_close(c, "weight_grad", ct_grad(ct_module_get_parameter(lin, "weight")));
    expect_close(c, "bias_grad", ct_grad(ct_module_get_parameter(lin, "bias")));
    /* zero_grad: zeros (1.13's default), then None */
    cr_assert_eq(ct_module_zero_grad(lin, false), CT_OK);
    double s;
    cr_assert_eq(ct_item(ct_sum(ct_grad(ct_module_get_parameter(lin, "weight"))), &s), CT_OK);
    cr_assert_eq(s, 0.0);
    cr_assert_eq(ct_module_zero_grad(lin, true), CT_OK);
    cr_assert_null(ct_grad(ct_module_get_parameter(lin, "weight")));

    const vec_case *c3 = C("linear_forward_3d");
    ct_tensor *x3 = tensor_of(c3, "x", CT_SIZE(2, 5, 3));
    ct_tensor *y3 = ct_forward(lin, x3);
    cr_assert_eq(ct_dim(y3), 3);
    cr_assert_eq(ct_requires_grad_(x3, true), CT_OK);
    ct_tensor *y3g = ct_forward(lin, x3);
    cr_assert_str_eq(ct_grad_fn_name(y3g), vec_str(c3, "y_fn"));
    ct_free(y3g);
    expect_close(c3, "y", y3);
    ct_tensor *bad = ct_zeros(CT_SIZE(4, 5), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_null(ct_forward(lin, bad));
    cr_assert_str_eq(ct_last_error(), vec_str(C("linear_error"), "msg"));
    ct_free(w), ct_free(b), ct_free(x), ct_free(y), ct_free(g), ct_free(x3), ct_free(y3), ct_free(bad);
    ct_state_dict_free(sd);
    ct_module_free(lin);
}

static ct_tensor *double_input(ct_module *m, int n, ct_tensor *const *in, void *ctx) {
    (void)m, (void)n;
    ++*(int *)ctx;
    return ct_mul_scalar(in[0], 2);
}
static ct_tensor *negate_output(ct_module *m, int n, ct_tensor *const *in, ct_tensor *out, void *ctx) {
    (void)m, (void)n, (void)in;
    ++*(int *)ctx;
    return ct_neg(out);
}

Test(nn_module, hooks_train_eval_to_dtype) {
    ct_module *id = ct_nn_identity();
    int pre = 0, post = 0;
    int h1 = ct_module_register_forward_pre_hook(id, double_input, &pre);
    int h2 = ct_module_register_forward_hook(id, negate_output, &post);
    cr_assert(h1 > 0 && h2 > 0);
    ct_tensor *x = ct_ones(CT_SIZE(2), NULL);
    ct_tensor *y = ct_forward(id, x);
    double v;
    cr_assert_eq(ct_item(ct_select(y, 0, 0), &v), CT_OK);
    cr_assert_eq(v, -2.0);
    cr_assert_eq(pre + post, 2);
    cr_assert_eq(ct_module_remove_hook(id, h1), CT_OK);
    cr_assert_eq(ct_module_remove_hook(id, h1), CT_ERROR);
    ct_free(y);
    ct_free(x);
    ct_module_free(id);

    ct_module *seq = CT_SEQUENTIAL(ct_nn_linear(2, 2), ct_nn_relu());
    cr_assert(ct_module_is_training(seq));
    cr_assert_eq(ct_module_eval(seq), CT_OK);
    cr_assert_not(ct_module_is_training(ct_module_at(seq, 0)));
    ct_tensor *w = ct_module_get_parameter(seq, "0.weight");
    cr_assert_eq(ct_module_to(seq, CT_FLOAT64), CT_OK);
    cr_assert_eq(ct_module_get_parameter(seq, "0.weight"), w, "the handle survives .double()");
    cr_assert_eq(ct_dtype_of(w), CT_FLOAT64);
    cr_assert(ct_requires_grad(w));
    cr_assert_eq(ct_module_to(seq, CT_INT64), CT_ERROR);
    cr_assert_str_eq(ct_last_error(),
                     "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=torch.int64");
    cr_assert_eq(ct_module_requires_grad_(seq, false), CT_OK);
    cr_assert_not(ct_requires_grad(w));
    ct_module_free(seq);
}
