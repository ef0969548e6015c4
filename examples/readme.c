/* The example of README.md, compiled so that it never goes stale. */
#include <ctorch.h>
#include <stdio.h>

int main(void) {
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(2, 3), NULL);   /* torch.randn(2, 3) */
    if (ct_print(x) != CT_OK) return 1;             /* tensor([[ 1.5410, -0.2934, -2.1788],
                                                               [ 0.5684, -1.0845, -1.3986]]) */
    ct_tensor *xt = ct_t(x);                        /* a view: shares storage */
    ct_tensor *y  = ct_to_dtype(xt, CT_FLOAT64);    /* x.t().double() */
    if (!y) fprintf(stderr, "%s\n", ct_last_error());
    ct_free(y); ct_free(xt); ct_free(x);
    return 0;
}
