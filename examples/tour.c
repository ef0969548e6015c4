/* A tour of ctorch: PyTorch's random stream and printing, views, dtype
 * conversion, scopes, errors, and autograd. Run by the README's first
 * command; every printed tensor is what PyTorch 1.13.1 prints for the same
 * program (examples/tour.py). */
#include <ctorch.h>
#include <stdio.h>

static int print_named(const char *name, const ct_tensor *t) {
    printf("%s:\n", name);
    return ct_print(t);
}

int main(void) {
    /* torch.manual_seed(0); x = torch.randn(2, 3) */
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(2, 3), NULL);
    if (!x || print_named("x = torch.randn(2, 3)", x) != CT_OK) goto fail;

    /* views share storage: x.t() is a transposed view, no copy */
    ct_tensor *xt = ct_t(x);
    printf("x.t() shape (%lld, %lld), stride (%lld, %lld), contiguous: %s\n", (long long)ct_size(xt, 0),
           (long long)ct_size(xt, 1), (long long)ct_stride(xt, 0), (long long)ct_stride(xt, 1),
           ct_is_contiguous(xt) ? "True" : "False");

    /* torch.arange(12).view(3, 4) and a float16 copy */
    ct_tensor *r = ct_arange(0, 12, 1, NULL);
    ct_tensor *a = ct_view(r, CT_SIZE(3, 4));
    ct_tensor *h = ct_to_dtype(a, CT_FLOAT16);
    if (!a || !h || print_named("torch.arange(12).view(3, 4).half()", h) != CT_OK) goto fail;

    /* a loop whose temporaries are released by a scope */
    ct_tensor *acc = ct_zeros(CT_SIZE(3), NULL);
    for (int step = 0; step < 3; step++) {
        if (ct_scope_begin() < 0) goto fail;
        ct_tensor *row = ct_select(ct_to_dtype(a, CT_FLOAT32), 0, step);
        if (ct_add_(acc, ct_slice(row, 0, 1, CT_END, 1)) != CT_OK) goto fail;
        if (ct_scope_end() < 0) goto fail;
    }
    if (print_named("sum of a[:, 1:] rows", acc) != CT_OK) goto fail;

    /* errors are values, worded like PyTorch's */
    ct_tensor *bad = ct_view(xt, CT_SIZE(6));
    printf("x.t().view(6) -> %s\n  %s\n", bad ? "ok" : "NULL", ct_last_error());

    /* autograd: w = x.clone().requires_grad_(); y = (w * w).sum(); y.backward() */
    ct_tensor *w = ct_clone(x);
    if (ct_requires_grad_(w, true) != CT_OK) goto fail;
    ct_tensor *sq = ct_mul(w, w);
    ct_tensor *y = ct_sum(sq);
    if (print_named("y = (w * w).sum()", y) != CT_OK) goto fail;
    if (ct_backward(y, NULL, NULL) != CT_OK) goto fail;
    ct_tensor *g = ct_grad(w);
    if (print_named("w.grad", g) != CT_OK) goto fail;

    ct_free(g), ct_free(y), ct_free(sq), ct_free(w), ct_free(acc), ct_free(h), ct_free(a), ct_free(r), ct_free(xt), ct_free(x);
    printf("bytes still allocated: %lld\n", (long long)ct_memory_allocated());
    return 0;
fail:
    fprintf(stderr, "tour failed: %s\n", ct_last_error() ? ct_last_error() : "(no message)");
    return 1;
}
