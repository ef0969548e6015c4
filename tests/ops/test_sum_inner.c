/* Sums and means over the contiguous last dim, and adaptive_avg_pool2d to
 * 1x1, bit for bit against PyTorch (tests/parity/data/sum_inner.txt,
 * gen_sum_inner.py): src/kernels/cpu/reduce.c's inner cascade on rows long
 * enough to fill levels 1-3, odd tails, float32 and float64, at 1 and 2
 * threads; sums whose kept dims merge into one (over dim 0 of 3-d tensors,
 * over the last two of 4-d ones). x = randn after manual_seed, which ctorch
 * draws bit-identically. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "vectors.h"

Test(sum_inner, matches_pytorch_bits) {
    vec_file *f = vec_load("sum_inner.txt");
    cr_assert_not_null(f);
    cr_assert_gt(vec_count(f), 0);
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        int64_t shape[4];
        int nd = (int)vec_ints(c, "shape", shape, 4);
        bool dbl = !strcmp(vec_tok(c, "dtype", 0), "float64");
        const char *op = vec_tok(c, "op", 0);
        cr_assert_eq(ct_set_num_threads((int)vec_int(c, "threads", 0)), CT_OK);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *x = ct_randn(nd, shape, CT_OPTS(.dtype = dbl ? CT_FLOAT64 : CT_FLOAT32));
        ct_tensor *s = !strcmp(op, "sum")        ? ct_sum_dim(x, 1, (int64_t[]){-1}, false)
                       : !strcmp(op, "mean")     ? ct_mean_dim(x, 1, (int64_t[]){-1}, false)
                       : !strcmp(op, "sum0")     ? ct_sum_dim(x, 1, (int64_t[]){0}, false)
                       : !strcmp(op, "sumlast2") ? ct_sum_dim(x, 2, (int64_t[]){-2, -1}, false)
                                                 : ct_adaptive_avg_pool2d(x, CT_POOL_INTS(1));
        cr_assert_not_null(s, "%s: %s", vec_name(c), ct_last_error());
        int64_t n = ct_numel(s);
        cr_assert_eq(vec_len(c, "bits"), n, "%s", vec_name(c));
        for (int64_t k = 0; k < n; k++) {
            uint64_t got = 0;
            if (dbl) memcpy(&got, (const double *)ct_data_ptr(s) + k, 8);
            else {
                uint32_t b;
                memcpy(&b, (const float *)ct_data_ptr(s) + k, 4);
                got = b;
            }
            cr_assert_eq(got, vec_hex(c, "bits", (int)k), "%s output %lld: %llx vs PyTorch %llx", vec_name(c),
                         (long long)k, (unsigned long long)got, (unsigned long long)vec_hex(c, "bits", (int)k));
        }
        ct_free(s);
        ct_free(x);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    vec_free(f);
}
