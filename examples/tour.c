/* A tour of ctorch's tensor core: creation, views, conversion, scopes and
 * errors. Run by the README's first command. */
#include <ctorch.h>
#include <stdio.h>

int main(void) {
    ct_tensor *a = ct_arange(0, 12, 1, NULL);          /* torch.arange(12) */
    ct_tensor *m = ct_view(a, CT_SIZE(3, 4));          /* a.view(3, 4) */
    ct_tensor *t = ct_t(m);                            /* m.t(): a view, no copy */
    printf("t: %dx%d, strides (%lld, %lld), contiguous=%d\n", (int)ct_size(t, 0), (int)ct_size(t, 1),
           (long long)ct_stride(t, 0), (long long)ct_stride(t, 1), ct_is_contiguous(t));

    /* a loop whose temporaries go away with the scope */
    for (int step = 0; step < 3; step++) {
        if (ct_scope_begin() < 0) return 1;
        ct_tensor *c = ct_contiguous(t);
        ct_tensor *h = ct_to_dtype(c, CT_FLOAT16);
        double x;
        if (ct_item(ct_select(ct_select(h, 0, step), 0, 1), &x) != CT_OK) return 1;
        printf("step %d: t[%d][1] = %g\n", step, step, x);
        if (ct_scope_end() < 0) return 1;
    }

    /* errors are values, worded like PyTorch's */
    ct_tensor *bad = ct_view(t, CT_SIZE(12));
    printf("t.view(12) -> %s: %s\n", bad ? "ok" : "NULL", ct_last_error());

    ct_free(t);
    ct_free(m);
    ct_free(a);
    printf("bytes still allocated: %lld\n", (long long)ct_memory_allocated());
    return 0;
}
