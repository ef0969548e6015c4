/* torch.sum(x, 0) of (rows, cols) matrices bit for bit against PyTorch
 * (tests/parity/data/sum_outer.txt, gen_sum_outer.py): the outer-sum path
 * of src/kernels/cpu/reduce.c, at 1 and 2 threads. x = randn after
 * manual_seed, which ctorch draws bit-identically. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "vectors.h"

Test(sum_outer, matches_pytorch_bits) {
    vec_file *f = vec_load("sum_outer.txt");
    cr_assert_not_null(f);
    cr_assert_gt(vec_count(f), 0);
    for (size_t i = 0; i < vec_count(f); i++) {
        const vec_case *c = vec_at(f, i);
        int64_t shape[2];
        cr_assert_eq(vec_ints(c, "shape", shape, 2), 2);
        bool dbl = !strcmp(vec_tok(c, "dtype", 0), "float64");
        cr_assert_eq(ct_set_num_threads((int)vec_int(c, "threads", 0)), CT_OK);
        ct_manual_seed((uint64_t)vec_int(c, "seed", 0));
        ct_tensor *x = ct_randn(2, shape, CT_OPTS(.dtype = dbl ? CT_FLOAT64 : CT_FLOAT32));
        ct_tensor *s = ct_sum_dim(x, 1, (int64_t[]){0}, false);
        cr_assert_not_null(s, "%s: %s", vec_name(c), ct_last_error());
        cr_assert_eq(vec_len(c, "bits"), shape[1]);
        for (int64_t k = 0; k < shape[1]; k++) {
            uint64_t got = 0;
            if (dbl) memcpy(&got, (const double *)ct_data_ptr(s) + k, 8);
            else {
                uint32_t b;
                memcpy(&b, (const float *)ct_data_ptr(s) + k, 4);
                got = b;
            }
            cr_assert_eq(got, vec_hex(c, "bits", (int)k), "%s column %lld: %llx vs PyTorch %llx", vec_name(c),
                         (long long)k, (unsigned long long)got, (unsigned long long)vec_hex(c, "bits", (int)k));
        }
        ct_free(s);
        ct_free(x);
    }
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    vec_free(f);
}
