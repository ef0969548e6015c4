/* The benchmark smoke test (issue 7, item 4): fails when a fast path the
 * benchmark table depends on silently stops being taken. No timing: it
 * reads which inner loop the elementwise kernels ran (ct__loop_stats,
 * counted per thread, so the tests run single-threaded) and which kernel set
 * OpenBLAS runs, and checks the values stay right on the fast paths. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_DEFAULT */
#endif
#include <criterion/criterion.h>
#include <ctorch.h>
#include <dlfcn.h>
#include <string.h>
#include <strings.h>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/strided_iter.h"

static void setup(void) {
    cr_assert_eq(ct_set_num_threads(1), CT_OK);
    ct_manual_seed(0);
}

static ct_loop_stats delta(ct_loop_stats before) {
    ct_loop_stats now = ct__loop_stats;
    return (ct_loop_stats){now.contiguous - before.contiguous, now.scalar - before.scalar,
                           now.strided - before.strided};
}

static double sum_of(const ct_tensor *t) {
    ct_tensor *s = ct_sum(t);
    double v = 0;
    cr_assert_eq(ct_item(s, &v), CT_OK);
    ct_free(s);
    return v;
}

TestSuite(fast_paths, .init = setup);

Test(fast_paths, contiguous_add_skips_the_strided_loop) {
    ct_tensor *a = ct_randn(CT_SIZE(1000, 1000), NULL), *b = ct_randn(CT_SIZE(1000, 1000), NULL);
    ct_loop_stats s0 = ct__loop_stats;
    ct_tensor *c = ct_add(a, b);
    ct_loop_stats d = delta(s0);
    cr_assert_not_null(c);
    cr_assert_eq(d.strided, 0, "a contiguous add ran the generic strided loop %lld times", (long long)d.strided);
    cr_assert_eq(d.contiguous, 1, "a contiguous add should be one contiguous run, got %lld", (long long)d.contiguous);
    const float *pa = ct_data_ptr(a), *pb = ct_data_ptr(b), *pc = ct_data_ptr(c);
    for (int i = 0; i < 1000 * 1000; i += 9973) cr_assert_eq(pc[i], pa[i] + pb[i]);
    ct_free(a), ct_free(b), ct_free(c);
}

Test(fast_paths, scalar_operand_and_in_place) {
    ct_tensor *x = ct_randn(CT_SIZE(4096), NULL);
    ct_loop_stats s0 = ct__loop_stats;
    ct_tensor *y = ct_mul_scalar(x, 2.0);
    cr_assert_not_null(y);
    cr_assert_eq(ct_add_scalar_(y, 1.0), CT_OK);
    cr_assert_eq(ct_mul_scalar_(y, 0.5), CT_OK);
    ct_loop_stats d = delta(s0);
    cr_assert_eq(d.strided, 0, "x * 2 / y += 1 / y *= 0.5 ran the strided loop");
    cr_assert_eq(d.scalar + d.contiguous, 3);
    const float *px = ct_data_ptr(x), *py = ct_data_ptr(y);
    for (int i = 0; i < 4096; i += 97) cr_assert_eq(py[i], (px[i] * 2.0f + 1.0f) * 0.5f);
    ct_free(x), ct_free(y);
}

Test(fast_paths, relu_mul_add_row) {
    /* the benchmark's relu(x * 2 + x): three contiguous passes */
    ct_tensor *x = ct_randn(CT_SIZE(1 << 16), NULL);
    ct_loop_stats s0 = ct__loop_stats;
    ct_tensor *m = ct_mul_scalar(x, 2.0), *a = ct_add(m, x), *r = ct_relu(a);
    ct_loop_stats d = delta(s0);
    cr_assert_not_null(r);
    cr_assert_eq(d.strided, 0);
    cr_assert_eq(d.contiguous + d.scalar, 3);
    const float *px = ct_data_ptr(x), *pr = ct_data_ptr(r);
    for (int i = 0; i < (1 << 16); i += 101) {
        float v = px[i] * 2.0f + px[i];
        cr_assert_eq(pr[i], v > 0 ? v : 0.0f);
    }
    ct_free(x), ct_free(m), ct_free(a), ct_free(r);
}

Test(fast_paths, float64_and_alpha_keep_the_fast_path) {
    ct_tensor *a = ct_randn(CT_SIZE(300), CT_OPTS(.dtype = CT_FLOAT64)), *b = ct_randn(CT_SIZE(300), CT_OPTS(.dtype = CT_FLOAT64));
    ct_loop_stats s0 = ct__loop_stats;
    ct_tensor *c = ct_sub(a, b), *e = ct_exp(a);
    ct_loop_stats d = delta(s0);
    cr_assert_eq(d.strided, 0);
    cr_assert_eq(d.contiguous, 2);
    double want = 0;
    const double *pa = ct_data_ptr(a), *pb = ct_data_ptr(b);
    for (int i = 0; i < 300; i++) want += pa[i] - pb[i];
    cr_assert_float_eq(sum_of(c), want, 1e-9);
    ct_free(a), ct_free(b), ct_free(c), ct_free(e);
}

Test(fast_paths, counters_see_the_strided_loop) {
    /* the guard itself works: a transposed operand does take the strided loop */
    ct_tensor *a = ct_randn(CT_SIZE(64, 64), NULL), *b = ct_randn(CT_SIZE(64, 64), NULL);
    ct_tensor *at = ct_t(a);
    ct_loop_stats s0 = ct__loop_stats;
    ct_tensor *c = ct_add(at, b);
    ct_loop_stats d = delta(s0);
    cr_assert_gt(d.strided, 0);
    ct_free(a), ct_free(b), ct_free(at), ct_free(c);
}

Test(fast_paths, openblas_runs_the_kernels_the_cpu_has) {
    /* A DYNAMIC_ARCH OpenBLAS that does not know this CPU model falls back
     * to Prescott (SSE3) kernels, 6-7x slower; gemm.c switches it. */
    ct_tensor *a = ct_randn(CT_SIZE(64, 64), NULL), *b = ct_randn(CT_SIZE(64, 64), NULL);
    ct_tensor *c = ct_mm(a, b);
    cr_assert_not_null(c);
    char *(*corename)(void);
    *(void **)&corename = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    if (!corename) cr_skip_test("the BLAS is not OpenBLAS");
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        cr_assert(strcasecmp(corename(), "prescott") != 0, "OpenBLAS runs its Prescott kernels on an AVX2 CPU");
    int (*get_threads)(void);
    *(void **)&get_threads = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    /* ctorch shares products out over its own threads: OpenBLAS's pool
     * stays at one thread, so the two pools never spin against each other */
    if (get_threads) cr_assert_eq(get_threads(), 1, "OpenBLAS runs its own threads");
    ct_free(a), ct_free(b), ct_free(c);
}

Test(fast_paths, openblas_workers_stop) {
    /* OpenBLAS's pthreads build starts OPENBLAS_NUM_THREADS - 1 workers when
     * it is loaded; idle, they spin on sched_yield for ~0.1 s, against
     * ctorch's own pool. The first product stops them (gemm.c). Seen in a
     * process of its own: Criterion's forked test process has none. */
    char *(*corename)(void);
    *(void **)&corename = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    if (!corename) cr_skip_test("the BLAS is not OpenBLAS");
    FILE *p = popen("OPENBLAS_NUM_THREADS=2 '" CT_BLAS_THREADS_PROBE "'", "r");
    cr_assert_not_null(p);
    int before = -1, after = -1;
    int got = fscanf(p, "%d %d", &before, &after);
    cr_assert_eq(pclose(p), 0, "blas_threads_probe failed");
    cr_assert_eq(got, 2);
    if (before == 1) cr_skip_test("this OpenBLAS starts no worker threads (not its pthreads build)");
    cr_assert_eq(before, 2, "threads at load: %d", before);
    cr_assert_eq(after, 1, "OpenBLAS's worker thread still runs after a product (%d threads)", after);
}

/* A convolution's forward and backward, returning which conv kernels ran. */
static ct_conv_stats conv_paths(ct_tensor *x, ct_tensor *w, int64_t pad, int64_t groups) {
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    cr_assert_eq(ct_requires_grad_(w, true), CT_OK);
    ct_conv_stats s0 = ct__conv_stats;
    ct_tensor *y = ct_conv2d(x, w, NULL, .padding = pad, .groups = groups);
    cr_assert_not_null(y);
    ct_tensor *s = ct_sum(y);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK);
    ct_conv_stats now = ct__conv_stats;
    ct_free(y), ct_free(s);
    return (ct_conv_stats){now.winograd - s0.winograd, now.depthwise - s0.depthwise,
                           now.unit_stride_cols - s0.unit_stride_cols};
}

Test(fast_paths, convolutions_take_their_kernels) {
    /* the main job's 5x5 convolutions: unit-stride im2col (forward, weight
     * gradient) and col2im (input gradient) */
    ct_tensor *x = ct_randn(CT_SIZE(2, 8, 14, 14), NULL), *w = ct_randn(CT_SIZE(16, 8, 5, 5), NULL);
    ct_conv_stats d = conv_paths(x, w, 0, 1);
    cr_assert_geq(d.unit_stride_cols, 3 * 2, "5x5 stride-1 conv left the unit-stride im2col/col2im");
    cr_assert_eq(d.winograd + d.depthwise, 0);
    ct_free(x), ct_free(w);
    /* 3x3, 32+ channels, float32: Winograd forward and input gradient */
    x = ct_randn(CT_SIZE(1, 32, 12, 12), NULL), w = ct_randn(CT_SIZE(32, 32, 3, 3), NULL);
    d = conv_paths(x, w, 1, 1);
    cr_assert_eq(d.winograd, 2, "3x3 conv left Winograd");
    ct_free(x), ct_free(w);
    /* groups == channels: the depthwise loops, all three products */
    x = ct_randn(CT_SIZE(2, 6, 9, 9), NULL), w = ct_randn(CT_SIZE(6, 1, 3, 3), NULL);
    d = conv_paths(x, w, 1, 6);
    cr_assert_eq(d.depthwise, 3, "depthwise conv left its direct loops");
    ct_free(x), ct_free(w);
}
