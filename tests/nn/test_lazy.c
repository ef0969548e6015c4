/* The Lazy* modules (LazyLinear, LazyConv*, LazyConvTranspose*,
 * LazyBatchNorm*, LazyInstanceNorm*) against tests/parity/data/lazy.txt
 * (gen_lazy.py, PyTorch 1.13.1): repr and state_dict keys before and after
 * materialization, the materialized parameters bit for bit after
 * manual_seed(0), running statistics and outputs, load_state_dict into an
 * unmaterialized module (_lazy_load_hook), errors of the first forward. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_harness.h"

static ct_module *build(const vec_case *c) {
    const char *kind = vec_tok(c, "kind", 0);
    int dims = (int)vec_int(c, "dims", 0);
    int64_t out = vec_int(c, "outf", 0), k = vec_int(c, "k", 0);
    if (!strcmp(kind, "linear")) return ct_nn_lazy_linear(out, .no_bias = vec_has(c, "bias") && !vec_int(c, "bias", 0));
    if (!strcmp(kind, "conv") || !strcmp(kind, "convt")) {
        ct_conv_opts o = {0};
        o.stride = vec_has(c, "stride") ? vec_int(c, "stride", 0) : 0;
        o.groups = vec_has(c, "groups") ? vec_int(c, "groups", 0) : 0;
        o.dilation = vec_has(c, "dilation") ? vec_int(c, "dilation", 0) : 0;
        o.output_padding = vec_has(c, "output_padding") ? vec_int(c, "output_padding", 0) : 0;
        if (vec_has(c, "padding")) {
            const char *p = vec_tok(c, "padding", 0);
            if (!strcmp(p, "same") || !strcmp(p, "valid"))
                o.padding_str = p;
            else
                o.padding = vec_int(c, "padding", 0);
        }
        o.no_bias = vec_has(c, "bias") && !vec_int(c, "bias", 0);
        char pm[16] = "";
        if (vec_has(c, "padding_mode")) {
            snprintf(pm, sizeof pm, "%s", vec_tok(c, "padding_mode", 0));
            o.padding_mode = pm;
        }
        ct_module *(*const conv[3])(int64_t, int64_t, const ct_conv_opts *) = {
            ct_nn_lazy_conv1d_opts, ct_nn_lazy_conv2d_opts, ct_nn_lazy_conv3d_opts};
        ct_module *(*const convt[3])(int64_t, int64_t, const ct_conv_opts *) = {
            ct_nn_lazy_conv_transpose1d_opts, ct_nn_lazy_conv_transpose2d_opts, ct_nn_lazy_conv_transpose3d_opts};
        ct_module *m = (kind[4] == 't' ? convt : conv)[dims - 1](out, k, &o);
        memset(pm, 'x', sizeof pm - 1); /* the module must have copied the string */
        return m;
    }
    ct_batch_norm_opts o = {0};
    if (vec_has(c, "eps")) o.eps = vec_double(c, "eps", 0);
    if (vec_has(c, "momentum")) o.momentum = vec_double(c, "momentum", 0);
    o.momentum_none = vec_has(c, "momentum_none");
    o.no_affine = vec_has(c, "affine") && !vec_int(c, "affine", 0);
    o.no_track_running_stats = vec_has(c, "track_running_stats") && !vec_int(c, "track_running_stats", 0);
    ct_module *(*const bn[3])(const ct_batch_norm_opts *) = {
        ct_nn_lazy_batch_norm1d_opts, ct_nn_lazy_batch_norm2d_opts, ct_nn_lazy_batch_norm3d_opts};
    ct_module *(*const in[3])(const ct_batch_norm_opts *) = {
        ct_nn_lazy_instance_norm1d_opts, ct_nn_lazy_instance_norm2d_opts, ct_nn_lazy_instance_norm3d_opts};
    return (!strcmp(kind, "bn") ? bn : in)[dims - 1](&o);
}

static void expect_repr(const vec_case *c, const ct_module *m, const char *key) {
    char *r = ct_module_to_string(m);
    cr_assert_str_eq(r, vec_str(c, key), "case %s: %s", vec_name(c), key);
    free(r);
}

static void expect_keys(const vec_case *c, const ct_state_dict *sd, const char *key) {
    int n = vec_len(c, key);
    cr_assert_eq(ct_state_dict_size(sd), n, "case %s: %s has %d entries, want %d", vec_name(c), key,
                 ct_state_dict_size(sd), n);
    for (int i = 0; i < n; i++)
        cr_assert_str_eq(ct_state_dict_key(sd, i), vec_tok(c, key, i), "case %s: %s[%d]", vec_name(c), key, i);
}

static void expect_bits(const vec_case *c, const char *what, const ct_tensor *got, const ct_tensor *want) {
    oh_expect_close(c, what, got, want);
    size_t bytes = (size_t)ct_numel(want) * ct_dtype_itemsize(ct_dtype_of(want));
    ct_tensor *g = ct_contiguous(got), *w = ct_contiguous(want);
    cr_assert(!memcmp(ct_data_ptr(g), ct_data_ptr(w), bytes), "case %s: %s not bit-identical", vec_name(c), what);
    ct_free(g), ct_free(w);
}

static void run_case(const vec_case *c) {
    ct_module *m = build(c);
    cr_assert_not_null(m, "case %s: %s", vec_name(c), ct_last_error());
    ct_tensor *x = oh_load_tensor(c, "x");
    if (vec_has(c, "to_double")) cr_assert_eq(ct_module_to(m, CT_FLOAT64), CT_OK);
    if (vec_has(c, "eval")) cr_assert_eq(ct_module_eval(m), CT_OK);
    if (vec_has(c, "error")) {
        ct_tensor *y = ct_forward(m, x);
        cr_assert_null(y, "case %s: expected PyTorch's error", vec_name(c));
        cr_assert_str_eq(ct_last_error(), vec_str(c, "error"), "case %s", vec_name(c));
        ct_free(x);
        ct_module_free(m);
        return;
    }
    bool load = vec_has(c, "load");
    if (load) {
        ct_state_dict *ld = ct_state_dict_new();
        for (int i = 0; i < vec_len(c, "loadkeys"); i++) {
            char p[16];
            snprintf(p, sizeof p, "ld%d", i);
            ct_tensor *t = oh_load_tensor(c, p);
            cr_assert_eq(ct_state_dict_set(ld, vec_tok(c, "loadkeys", i), t), CT_OK);
            ct_free(t);
        }
        cr_assert_eq(ct_module_load_state_dict(m, ld, true, NULL, NULL), CT_OK, "case %s: %s", vec_name(c),
                     ct_last_error());
        ct_state_dict_free(ld);
    } else {
        ct_state_dict *sd0 = ct_module_state_dict(m);
        expect_keys(c, sd0, "sd0_keys");
        for (int i = 0; i < ct_state_dict_size(sd0); i++) {
            /* placeholders: (0,) in the module's dtype; num_batches_tracked a real 0 */
            ct_tensor *v = ct_state_dict_value(sd0, i);
            if (!strcmp(ct_state_dict_key(sd0, i), "num_batches_tracked"))
                cr_assert_eq(ct_dim(v), 0);
            else
                cr_assert(ct_dim(v) == 1 && ct_size(v, 0) == 0, "case %s: placeholder %s", vec_name(c),
                          ct_state_dict_key(sd0, i));
        }
        ct_state_dict_free(sd0);
    }
    expect_repr(c, m, "repr0");
    ct_manual_seed(0);
    ct_tensor *y = ct_forward(m, x);
    cr_assert_not_null(y, "case %s: %s", vec_name(c), ct_last_error());
    expect_repr(c, m, "repr1");
    ct_state_dict *sd = ct_module_state_dict(m);
    expect_keys(c, sd, "sd1_keys");
    const char *kind = vec_tok(c, "kind", 0);
    bool drawn = !strcmp(kind, "linear") || !strncmp(kind, "conv", 4);
    for (int i = 0; i < ct_state_dict_size(sd); i++) {
        char p[16];
        snprintf(p, sizeof p, "sd%d", i);
        ct_tensor *want = oh_load_tensor(c, p);
        const char *key = ct_state_dict_key(sd, i);
        bool stat = !strncmp(key, "running_", 8);
        /* drawn / loaded parameters and num_batches_tracked exactly; computed statistics to tolerance */
        if (!stat && (drawn || load || strcmp(key, "weight")))
            expect_bits(c, key, ct_state_dict_value(sd, i), want);
        else
            oh_expect_close(c, key, ct_state_dict_value(sd, i), want);
        ct_free(want);
    }
    ct_state_dict_free(sd);
    ct_tensor *want = oh_load_tensor(c, "out");
    oh_expect_close(c, "out", y, want);
    ct_free(want), ct_free(y), ct_free(x);
    ct_module_free(m);
}

Test(lazy, parity) {
    vec_file *f = vec_load("lazy.txt");
    cr_assert_not_null(f);
    cr_assert_geq(vec_count(f), 30);
    for (size_t i = 0; i < vec_count(f); i++)
        if (strncmp(vec_name(vec_at(f, i)), "prehook_", 8)) run_case(vec_at(f, i)); /* those: the hook test */
    vec_free(f);
}

/* A forward pre-hook registered after construction sees the materialized
 * module (PyTorch's _infer_parameters is the module's first pre-hook):
 * the weight's shape and the repr it prints, recorded in PyTorch. */
typedef struct {
    int64_t wshape[8];
    int wdim;
    char *text;
} seen_by_hook;

static ct_tensor *record_hook(ct_module *m, int n, ct_tensor *const *in, void *ctx) {
    (void)n, (void)in;
    seen_by_hook *s = ctx;
    ct_tensor *w = ct_module_get_parameter(m, "weight");
    s->wdim = ct_dim(w);
    for (int d = 0; d < s->wdim && d < 8; d++) s->wshape[d] = ct_size(w, d);
    s->text = ct_module_to_string(m);
    return NULL;
}

Test(lazy, user_pre_hook_sees_materialized_module) {
    vec_file *f = vec_load("lazy.txt");
    cr_assert_not_null(f);
    const char *names[2] = {"prehook_linear", "prehook_conv"};
    for (int i = 0; i < 2; i++) {
        const vec_case *c = vec_find(f, names[i]);
        cr_assert_not_null(c, "no case %s", names[i]);
        ct_module *m = i == 0 ? ct_nn_lazy_linear(3) : ct_nn_lazy_conv2d(4, 3);
        cr_assert_not_null(m);
        int64_t xs[8];
        int xd = vec_ints(c, "xshape", xs, 8);
        ct_tensor *x = ct_zeros(xd, xs, NULL);
        seen_by_hook s = {0};
        cr_assert_gt(ct_module_register_forward_pre_hook(m, record_hook, &s), 0);
        ct_tensor *y = ct_forward(m, x);
        cr_assert_not_null(y, "%s: %s", names[i], ct_last_error());
        int64_t want[8];
        int wd = vec_ints(c, "wshape", want, 8);
        cr_assert_eq(s.wdim, wd, "%s: weight dims seen by the hook", names[i]);
        for (int d = 0; d < wd; d++) cr_assert_eq(s.wshape[d], want[d], "%s: weight size %d", names[i], d);
        cr_assert_str_eq(s.text, vec_str(c, "text"));
        free(s.text);
        ct_free(y);
        ct_free(x);
        ct_module_free(m);
    }
    vec_free(f);
}

/* The materialized parameters are the placeholders' handles; gradients reach them. */
Test(lazy, handles_kept_and_trainable) {
    ct_module *m = ct_nn_lazy_conv2d(2, 3, .padding = 1);
    ct_tensor *w0 = ct_module_get_parameter(m, "weight"), *b0 = ct_module_get_parameter(m, "bias");
    cr_assert_str_eq(ct_module_name(m), "LazyConv2d");
    ct_tensor *x = ct_randn(CT_SIZE(1, 4, 5, 5), NULL);
    ct_tensor *y = ct_forward(m, x);
    cr_assert_not_null(y);
    cr_assert_str_eq(ct_module_name(m), "Conv2d");
    cr_assert_eq(ct_module_get_parameter(m, "weight"), w0);
    cr_assert_eq(ct_module_get_parameter(m, "bias"), b0);
    cr_assert_eq(ct_size(w0, 1), 4);
    ct_tensor *s = ct_sum(y);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK);
    ct_tensor *g = ct_grad(w0);
    cr_assert_not_null(g, "the gradient reaches the registered handle");
    /* an in-place update of the handle changes the next forward */
    ct_tensor *y1 = ct_forward(m, x);
    CT_NO_GRAD {
        cr_assert_eq(ct_zero_(w0), CT_OK);
        cr_assert_eq(ct_zero_(b0), CT_OK);
    }
    ct_tensor *y2 = ct_forward(m, x);
    ct_tensor *s2 = ct_sum(y2);
    double v = -1;
    cr_assert_eq(ct_item(s2, &v), CT_OK);
    cr_assert_eq(v, 0.0);
    ct_free(s2), ct_free(g), ct_free(s), ct_free(y), ct_free(y1), ct_free(y2), ct_free(x);
    ct_module_free(m);
}

Test(lazy, batch_norm_follows_train_eval) {
    ct_module *m = ct_nn_lazy_batch_norm1d();
    ct_tensor *x = ct_randn(CT_SIZE(8, 3), NULL);
    ct_tensor *y = ct_forward(m, x);
    ct_tensor *nbt = ct_module_get_buffer(m, "num_batches_tracked");
    int64_t count = 0;
    cr_assert_eq(ct_item_int64(nbt, &count), CT_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(ct_module_eval(m), CT_OK);
    ct_tensor *y2 = ct_forward(m, x);
    cr_assert_eq(ct_item_int64(nbt, &count), CT_OK);
    cr_assert_eq(count, 1, "eval mode does not count batches");
    ct_free(y), ct_free(y2), ct_free(x);
    ct_module_free(m);
}

Test(lazy, errors_and_null) {
    cr_assert_null(ct_nn_lazy_conv2d(4, 3, .groups = 3));
    cr_assert_str_eq(ct_last_error(), "out_channels must be divisible by groups");
    cr_assert_null(ct_nn_lazy_conv1d(4, 3, .padding_mode = "wrap"));
    cr_assert_str_eq(ct_last_error(), "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, "
                                      "but got padding_mode='wrap'");
    cr_assert_null(ct_nn_lazy_linear(-1));
    ct_module *m = ct_nn_lazy_linear(3);
    cr_assert_null(ct_forward(m, NULL));
    cr_assert_str_eq(ct_module_name(m), "LazyLinear", "a failed forward does not materialize");
    ct_module_free(m);
}
