/* The op survey (docs/performance.md §21): single ops and their backward
 * at sizes a model meets, outside the table, each timed alone
 * (the minimum of 7 runs) and printed as "name ms"; bench/torch_opsurvey.py
 * times the same in PyTorch and bench/survey.py runs both alternately and
 * prints the ratios. usage: opsurvey [--threads N] */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <ctorch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

#define REPS 7
/* BODY timed REPS times, CLEANUP after each (untimed); the minimum printed */
#define RUN(NAME, BODY, CLEANUP)                    \
    do {                                            \
        double best_ = 1e30;                        \
        for (int r_ = 0; r_ < REPS; r_++) {         \
            double t0_ = now_ms();                  \
            BODY;                                   \
            double t_ = now_ms() - t0_;             \
            if (t_ < best_) best_ = t_;             \
            CLEANUP;                                \
        }                                           \
        printf("%-24s %10.3f\n", NAME, best_);      \
    } while (0)

/* forward and backward with a gradient of ones, in a scope; the leaf's
 * gradient reset first */
#define FWD_BWD(LEAF, EXPR)                              \
    do {                                                 \
        (void)!ct_scope_begin();                         \
        (void)!ct_set_grad(LEAF, NULL);                  \
        ct_tensor *o_ = (EXPR);                          \
        ct_tensor *g_ = ct_ones_like(o_, NULL);          \
        (void)!ct_backward(o_, g_, NULL);                \
        (void)!ct_scope_end();                           \
    } while (0)

int main(int argc, char **argv) {
    int threads = argc > 2 && !strcmp(argv[1], "--threads") ? atoi(argv[2]) : 1;
    if (ct_set_num_threads(threads) != CT_OK) return 1;
    ct_manual_seed(0);
    ct_tensor *x = ct_randn(CT_SIZE(2048, 2048), NULL);
    ct_tensor *xg = ct_randn(CT_SIZE(2048, 2048), CT_OPTS(.requires_grad = true));
    ct_tensor *ax = ct_abs(x), *mask = ct_gt_scalar(x, 0), *y = NULL, *v = NULL, *ix = NULL;
    RUN("sigmoid", y = ct_sigmoid(x), ct_free(y));
    RUN("tanh", y = ct_tanh(x), ct_free(y));
    RUN("gelu", y = ct_gelu(x, CT_GELU_NONE), ct_free(y));
    RUN("exp", y = ct_exp(x), ct_free(y));
    RUN("log_abs", y = ct_log(ax), ct_free(y));
    RUN("pow2.5_abs", y = ct_pow_scalar(ax, 2.5), ct_free(y));
    RUN("sum_dim1", y = ct_sum_dim(x, 1, (int64_t[]){1}, false), ct_free(y));
    RUN("sum_dim0", y = ct_sum_dim(x, 1, (int64_t[]){0}, false), ct_free(y));
    RUN("mean_dim1", y = ct_mean_dim(x, 1, (int64_t[]){1}, false), ct_free(y));
    RUN("max_dim1", (void)!ct_max_dim(x, 1, false, &v, &ix), (ct_free(v), ct_free(ix)));
    RUN("argmax_dim1", y = ct_argmax_dim(x, 1, false), ct_free(y));
    RUN("transpose_contig", { ct_tensor *t = ct_transpose(x, 0, 1); y = ct_contiguous(t); ct_free(t); }, ct_free(y));
    RUN("cat_dim1", y = ct_cat(2, (ct_tensor *[]){x, x}, 1), ct_free(y));
    RUN("cumsum_dim1", y = ct_cumsum(x, 1), ct_free(y));
    RUN("sort_dim1", (void)!ct_sort(x, 1, false, &v, &ix), (ct_free(v), ct_free(ix)));
    RUN("topk10_dim1", (void)!ct_topk(x, 10, 1, true, true, &v, &ix), (ct_free(v), ct_free(ix)));
    RUN("where_gt", y = ct_where(mask, x, xg), ct_free(y));
    RUN("clamp", y = ct_clamp(x, &(double){-0.5}, &(double){0.5}), ct_free(y));
    RUN("dropout_train", y = ct_dropout(x, 0.5, true), ct_free(y));
    ct_tensor *tbl = ct_randn(CT_SIZE(100000, 64), NULL), *idx = ct_randint(0, 100000, CT_SIZE(20000), NULL);
    RUN("index_select", y = ct_index_select(tbl, 0, idx), ct_free(y));
    ct_tensor *lg = ct_randn(CT_SIZE(4096, 1000), CT_OPTS(.requires_grad = true));
    RUN("log_softmax_fwd_bwd", FWD_BWD(lg, ct_log_softmax(lg, 1)), );
    RUN("sigmoid_fwd_bwd", FWD_BWD(xg, ct_sigmoid(xg)), );
    RUN("gelu_fwd_bwd", FWD_BWD(xg, ct_gelu(xg, CT_GELU_NONE)), );
    RUN("tanh_fwd_bwd", FWD_BWD(xg, ct_tanh(xg)), );
    ct_tensor *ba = ct_randn(CT_SIZE(64, 128, 64), NULL), *bb = ct_randn(CT_SIZE(64, 64, 128), NULL);
    RUN("bmm_64x128x64x128", y = ct_bmm(ba, bb), ct_free(y));
    ct_tensor *im = ct_randn(CT_SIZE(16, 64, 56, 56), CT_OPTS(.requires_grad = true));
    ct_grad_mode gm = ct_no_grad_begin();
    RUN("avg_pool2d_k2", y = ct_avg_pool2d(im, CT_POOL_INTS(2)), ct_free(y));
    RUN("adaptive_avg_pool_1", y = ct_adaptive_avg_pool2d(im, CT_POOL_INTS(1)), ct_free(y));
    ct_grad_mode_end(gm);
    RUN("avg_pool2d_fwd_bwd", FWD_BWD(im, ct_avg_pool2d(im, CT_POOL_INTS(2))), );
    ct_tensor *emb = ct_randn(CT_SIZE(30000, 256), CT_OPTS(.requires_grad = true));
    ct_tensor *tok = ct_randint(0, 30000, CT_SIZE(64, 128), NULL);
    RUN("embedding_fwd_bwd", FWD_BWD(emb, ct_embedding(tok, emb)), );
    gm = ct_no_grad_begin();
    RUN("interp_bilinear_x2", y = ct_interpolate(im, .scale_factor = {2}, .mode = CT_INTERP_BILINEAR), ct_free(y));
    ct_grad_mode_end(gm);
    ct_tensor *all[] = {x, xg, ax, mask, tbl, idx, lg, ba, bb, im, emb, tok};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) ct_free(all[i]);
    return 0;
}
