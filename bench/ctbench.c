/* ctbench: the ctorch side of the benchmark suite (bench/README in
 * docs/performance.md). One workload per run, the same workloads as
 * bench/torch_bench.py:
 *
 *     ctbench <workload> [--threads N] [--warmup W] [--reps R] [--limit B]
 *
 * prints one JSON line: {"workload", "threads", "ms" (median of the reps),
 * "min_ms", "gflop" (work of one rep, 0 where not counted), "rss_kb" (peak
 * resident set of this process), "check" (a number to compare with PyTorch's
 * run, e.g. the last loss)}.
 *
 *     ctbench all      runs every workload once in this process (peak RSS of
 *                      the whole suite)
 *     ctbench startup  builds the tiny MLP, runs one step, prints, exits: the
 *                      runner times the process from start to exit. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <ctorch.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#define CHECK(x)                                                                   \
    do {                                                                           \
        if (!(x)) {                                                                \
            fprintf(stderr, "ctbench: %s:%d: %s\n", __FILE__, __LINE__, ct_last_error()); \
            exit(1);                                                               \
        }                                                                          \
    } while (0)
#define OK(x) CHECK((x) >= 0) /* statuses: negative on error (scope_begin returns the depth) */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static const char *fmnist_root = "/usr/share/datasets/fashion-mnist";
static int64_t limit_batches = 0; /* fmnist epoch: 0 = the whole epoch */

/* ---- a model trained by an optimizer: shared by the training rows ---- */

typedef struct {
    ct_module *model;
    ct_optimizer *opt;
    ct_tensor *x, *y; /* one batch (float input, int64 class or float target) */
    bool mse;
    double loss;
} train_state;

static ct_optimizer *make_opt(ct_module *m, int adam, double lr, double momentum) {
    ct_named_tensors p = ct_module_named_parameters(m, true);
    ct_optimizer *o = adam ? ct_optim_adam(p.n, p.tensors, .lr = lr)
                           : ct_optim_sgd(p.n, p.tensors, .lr = lr, .momentum = momentum);
    ct_named_tensors_free(&p);
    CHECK(o);
    return o;
}

/* zero_grad(set_to_none), forward, loss, backward, step */
static void train_step(train_state *s, const ct_tensor *x, const ct_tensor *y) {
    OK(ct_scope_begin());
    OK(ct_optim_zero_grad(s->opt, true));
    ct_tensor *out = ct_forward(s->model, x);
    ct_tensor *loss = s->mse ? ct_mse_loss(out, y) : ct_cross_entropy(out, y);
    CHECK(loss);
    OK(ct_backward(loss, NULL, NULL));
    OK(ct_optim_step(s->opt));
    OK(ct_item(loss, &s->loss));
    OK(ct_scope_end());
}

static void train_free(train_state *s) {
    ct_optim_free(s->opt);
    ct_module_free(s->model);
    ct_free(s->x);
    ct_free(s->y);
}

static ct_module *seq(int n, ct_module **mods) { return ct_nn_sequential(n, mods); }

/* tiny MLP 16-16-1, batch 8, MSE, Adam */
static void tiny_setup(train_state *s) {
    memset(s, 0, sizeof *s);
    ct_module *m[] = {ct_nn_linear(16, 16), ct_nn_relu(), ct_nn_linear(16, 1)};
    CHECK(s->model = seq(3, m));
    s->opt = make_opt(s->model, 1, 1e-3, 0);
    CHECK(s->x = ct_randn(CT_SIZE(8, 16), NULL));
    CHECK(s->y = ct_randn(CT_SIZE(8, 1), NULL));
    s->mse = true;
}

/* MLP 784-256-10, batch 64, cross-entropy, SGD momentum 0.9 */
static void mlp_setup(train_state *s) {
    memset(s, 0, sizeof *s);
    ct_module *m[] = {ct_nn_linear(784, 256), ct_nn_relu(), ct_nn_linear(256, 10)};
    CHECK(s->model = seq(3, m));
    s->opt = make_opt(s->model, 0, 0.01, 0.9);
    CHECK(s->x = ct_randn(CT_SIZE(64, 784), NULL));
    CHECK(s->y = ct_randint(0, 10, CT_SIZE(64), NULL));
}

/* LeNet with BatchNorm, batch 64 of 1x28x28, cross-entropy, Adam */
static void lenet_setup(train_state *s) {
    memset(s, 0, sizeof *s);
    ct_module *m[] = {ct_nn_conv2d(1, 20, 5),  ct_nn_batch_norm2d(20), ct_nn_relu(), ct_nn_max_pool2d(2),
                      ct_nn_conv2d(20, 50, 5), ct_nn_batch_norm2d(50), ct_nn_relu(), ct_nn_max_pool2d(2),
                      ct_nn_flatten(1, -1),    ct_nn_linear(800, 500), ct_nn_relu(), ct_nn_linear(500, 10)};
    CHECK(s->model = seq(12, m));
    s->opt = make_opt(s->model, 1, 1e-3, 0);
    CHECK(s->x = ct_randn(CT_SIZE(64, 1, 28, 28), NULL));
    CHECK(s->y = ct_randint(0, 10, CT_SIZE(64), NULL));
}

/* the main job's model (examples/fashion_mnist/fashion_lenet.py) */
static ct_module *fashion_lenet(void) {
    ct_module *f[] = {ct_nn_conv2d(1, 32, 5, .padding = 2), ct_nn_batch_norm2d(32), ct_nn_relu(), ct_nn_max_pool2d(2),
                      ct_nn_conv2d(32, 64, 5), ct_nn_batch_norm2d(64), ct_nn_relu(), ct_nn_max_pool2d(2)};
    ct_module *c[] = {ct_nn_flatten(1, -1), ct_nn_linear(64 * 5 * 5, 128), ct_nn_relu(), ct_nn_linear(128, 10)};
    const char *names[] = {"features", "classifier"};
    ct_module *parts[] = {seq(8, f), seq(4, c)};
    return ct_nn_sequential_named(2, names, parts);
}

/* An IDX file (gzip) as a uint8 tensor; read here rather than with
 * ct_read_idx so the row runs before the data family lands. */
static ct_tensor *read_idx_gz(const char *path) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fprintf(stderr, "ctbench: cannot open %s (--data DIR)\n", path);
        exit(1);
    }
    unsigned char head[4], d[4];
    int64_t sizes[4] = {0};
    CHECK(gzread(f, head, 4) == 4 && head[2] == 0x08 && head[3] >= 1 && head[3] <= 4);
    for (int i = 0; i < head[3]; i++) {
        CHECK(gzread(f, d, 4) == 4);
        sizes[i] = (int64_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
    }
    ct_tensor *t = ct_empty(head[3], sizes, CT_OPTS(.dtype = CT_UINT8));
    CHECK(t);
    CHECK(gzread(f, ct_data_ptr(t), (unsigned)ct_numel(t)) == (int)ct_numel(t));
    gzclose(f);
    return t;
}

typedef struct {
    train_state t;
    ct_tensor *images, *labels; /* (60000, 1, 28, 28) uint8 as in the file, (60000) int64 */
} epoch_state;

/* The images stay uint8 (47 MB, not 188 MB of float32): each batch is
 * converted and normalized when gathered, as torchvision's ToTensor and
 * Normalize do per sample; the values are the same floats. */
static void epoch_setup(epoch_state *s) {
    memset(s, 0, sizeof *s);
    char path[512];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", fmnist_root);
    ct_tensor *raw = read_idx_gz(path);
    CHECK(raw);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte.gz", fmnist_root);
    ct_tensor *lab = read_idx_gz(path);
    CHECK(lab);
    CHECK(s->images = ct_unsqueeze(raw, 1));
    ct_free(raw);
    CHECK(s->labels = ct_to_dtype(lab, CT_INT64));
    ct_free(lab);
    CHECK(s->t.model = fashion_lenet());
    s->t.opt = make_opt(s->t.model, 1, 1e-3, 0);
}

/* x.float().div(255).sub(0.2860).div(0.3530), in place on the new float batch */
static ct_tensor *normalized_batch(const ct_tensor *u8) {
    ct_tensor *x = ct_to_dtype(u8, CT_FLOAT32);
    CHECK(x);
    OK(ct_div_scalar_(x, 255.0));
    OK(ct_sub_scalar_(x, 0.2860));
    OK(ct_div_scalar_(x, 0.3530));
    return x;
}

/* one epoch: shuffle, batches of 64 gathered with index_select, Adam steps */
static void epoch_run(epoch_state *s) {
    int64_t n = ct_numel(s->labels), bs = 64, nb = (n + bs - 1) / bs;
    if (limit_batches > 0 && limit_batches < nb) nb = limit_batches;
    ct_tensor *perm = ct_randperm(n, NULL);
    CHECK(perm);
    for (int64_t b = 0; b < nb; b++) {
        OK(ct_scope_begin());
        int64_t len = b * bs + bs <= n ? bs : n - b * bs;
        ct_tensor *idx = ct_narrow(perm, 0, b * bs, len);
        ct_tensor *xu = ct_index_select(s->images, 0, idx), *y = ct_index_select(s->labels, 0, idx);
        CHECK(xu && y);
        train_step(&s->t, normalized_batch(xu), y);
        OK(ct_scope_end());
    }
    ct_free(perm);
}

/* ---- single-op rows ---- */

typedef struct {
    ct_tensor *a, *b, *c, *g;
    double check;
} op_state;

static void op_free(op_state *s) {
    ct_free(s->a);
    ct_free(s->b);
    ct_free(s->c);
    ct_free(s->g);
}

static double sum_of(const ct_tensor *t) {
    ct_tensor *s = ct_sum(t);
    double v = NAN;
    OK(ct_item(s, &v));
    ct_free(s);
    return v;
}

/* The forward of a forward + backward row: a, b, c requiring grad, arg
 * the row's own parameter. */
typedef ct_tensor *(*fwd_fn)(const op_state *s, int64_t arg);

static ct_tensor *conv_fwd(const op_state *s, int64_t groups) {
    return ct_conv2d(s->a, s->b, s->c, .padding = 1, .groups = groups);
}
static ct_tensor *layer_norm_fwd(const op_state *s, int64_t K) { return ct_layer_norm(s->a, 1, &K, s->b, s->c, 1e-5); }
static ct_tensor *group_norm_fwd(const op_state *s, int64_t groups) {
    return ct_group_norm(s->a, groups, s->b, s->c, 1e-5);
}

/* warmup, then reps timed into t: a, b, c's gradients back to None, the
 * forward, backward(g); the check is the sum of b's gradient; s freed */
static void fwd_bwd_reps(op_state *s, fwd_fn fwd, int64_t arg, int warmup, int reps, double *t, double *check) {
    for (int i = 0; i < warmup + reps; i++) {
        double t0 = now_ms();
        OK(ct_scope_begin());
        OK(ct_set_grad(s->a, NULL));
        OK(ct_set_grad(s->b, NULL));
        OK(ct_set_grad(s->c, NULL));
        ct_tensor *y = fwd(s, arg);
        CHECK(y);
        OK(ct_backward(y, s->g, NULL));
        OK(ct_scope_end());
        if (i >= warmup) t[i - warmup] = now_ms() - t0;
    }
    ct_tensor *gw = ct_grad(s->b);
    *check = sum_of(gw);
    ct_free(gw);
    op_free(s);
}

/* ---- the workload table ---- */

typedef struct {
    const char *name;
    double gflop; /* per rep */
    int warmup, reps;
} workload;

static const workload workloads[] = {
    {"mlp_tiny_adam", 0, 200, 2000},
    {"mlp_784_sgd", 0, 20, 200},
    {"lenet_bn_adam", 0, 3, 20},
    {"sgemm_1024", 2.0 * 1024 * 1024 * 1024 / 1e9, 2, 10},
    {"conv3x3_fwd", 2.0 * 16 * 64 * 56 * 56 * 64 * 9 / 1e9, 1, 5},
    {"conv3x3_fwd_bwd", 3 * 2.0 * 16 * 64 * 56 * 56 * 64 * 9 / 1e9, 1, 5},
    {"dwconv3x3_fwd_bwd", 3 * 2.0 * 16 * 128 * 56 * 56 * 9 / 1e9, 2, 10},
    {"softmax_4096", 0, 2, 10},
    {"relu_mul_add_16m", 0, 2, 10},
    {"cross_entropy_4096x1000", 0, 2, 10},
    {"layer_norm_8192x768_fwd_bwd", 0, 2, 10},
    {"group_norm_16x64x56x56_fwd_bwd", 0, 2, 10},
    {"fmnist_epoch", 0, 0, 1},
};
#define N_WORKLOADS ((int)(sizeof workloads / sizeof workloads[0]))

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Runs workload w: setup, warmup, reps timed one by one. */
static void run(const workload *w, int warmup, int reps, double *median, double *min, double *check) {
    double *t = calloc((size_t)reps, sizeof *t);
    CHECK(t);
    const char *n = w->name;
#define TIMED(BODY)                                        \
    do {                                                   \
        for (int i = 0; i < warmup; i++) { BODY; }         \
        for (int i = 0; i < reps; i++) {                   \
            double t0 = now_ms();                          \
            BODY;                                          \
            t[i] = now_ms() - t0;                          \
        }                                                  \
    } while (0)
    if (!strcmp(n, "mlp_tiny_adam") || !strcmp(n, "mlp_784_sgd") || !strcmp(n, "lenet_bn_adam")) {
        train_state s;
        if (!strcmp(n, "mlp_tiny_adam")) tiny_setup(&s);
        else if (!strcmp(n, "mlp_784_sgd")) mlp_setup(&s);
        else lenet_setup(&s);
        TIMED(train_step(&s, s.x, s.y));
        *check = s.loss;
        train_free(&s);
    } else if (!strcmp(n, "sgemm_1024")) {
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(1024, 1024), NULL));
        CHECK(s.b = ct_randn(CT_SIZE(1024, 1024), NULL));
        TIMED(ct_free(s.c); CHECK(s.c = ct_mm(s.a, s.b)));
        *check = sum_of(s.c);
        op_free(&s);
    } else if (!strcmp(n, "conv3x3_fwd")) {
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(16, 64, 56, 56), NULL));
        CHECK(s.b = ct_randn(CT_SIZE(64, 64, 3, 3), NULL));
        CHECK(s.g = ct_randn(CT_SIZE(64), NULL));
        TIMED(ct_free(s.c); CHECK(s.c = ct_conv2d(s.a, s.b, s.g, .padding = 1)));
        *check = sum_of(s.c);
        op_free(&s);
    } else if (!strcmp(n, "conv3x3_fwd_bwd") || !strcmp(n, "dwconv3x3_fwd_bwd")) {
        /* 64 -> 64 channels; or depthwise, groups == 128 channels (MobileNet's 3x3) */
        bool dw = n[0] == 'd';
        int64_t C = dw ? 128 : 64, groups = dw ? 128 : 1;
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(16, C, 56, 56), CT_OPTS(.requires_grad = true)));
        CHECK(s.b = ct_randn(CT_SIZE(C, C / groups, 3, 3), CT_OPTS(.requires_grad = true)));
        CHECK(s.c = ct_randn(CT_SIZE(C), CT_OPTS(.requires_grad = true)));
        CHECK(s.g = ct_randn(CT_SIZE(16, C, 56, 56), NULL));
        fwd_bwd_reps(&s, conv_fwd, groups, warmup, reps, t, check);
    } else if (!strcmp(n, "softmax_4096")) {
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(4096, 4096), NULL));
        TIMED(ct_free(s.c); CHECK(s.c = ct_softmax(s.a, -1)));
        *check = sum_of(s.c);
        op_free(&s);
    } else if (!strcmp(n, "relu_mul_add_16m")) {
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(16 * 1024 * 1024), NULL));
        TIMED({
            ct_free(s.c);
            ct_tensor *m = ct_mul_scalar(s.a, 2.0);
            ct_tensor *ad = ct_add(m, s.a);
            ct_free(m); /* each temporary goes as soon as it is used */
            CHECK(s.c = ct_relu(ad));
            ct_free(ad);
        });
        *check = sum_of(s.c);
        op_free(&s);
    } else if (!strcmp(n, "cross_entropy_4096x1000")) {
        op_state s = {0};
        CHECK(s.a = ct_randn(CT_SIZE(4096, 1000), CT_OPTS(.requires_grad = true)));
        CHECK(s.b = ct_randint(0, 1000, CT_SIZE(4096), NULL));
        TIMED({
            OK(ct_scope_begin());
            OK(ct_set_grad(s.a, NULL));
            ct_tensor *l = ct_cross_entropy(s.a, s.b);
            CHECK(l);
            OK(ct_backward(l, NULL, NULL));
            OK(ct_item(l, check));
            OK(ct_scope_end());
        });
        op_free(&s);
    } else if (!strcmp(n, "layer_norm_8192x768_fwd_bwd") || !strcmp(n, "group_norm_16x64x56x56_fwd_bwd")) {
        /* a transformer's LayerNorm(768) over 8192 tokens, or GroupNorm(32,
         * 64) over a 56x56 feature map of a batch of 16; weight and bias
         * learned, input requiring grad: forward + backward(g) */
        bool ln = n[0] == 'l';
        op_state s = {0};
        int64_t K = ln ? 768 : 64;
        const int64_t xs[4] = {ln ? 8192 : 16, K, 56, 56};
        CHECK(s.a = ct_randn(ln ? 2 : 4, xs, CT_OPTS(.requires_grad = true)));
        CHECK(s.b = ct_randn(CT_SIZE(K), CT_OPTS(.requires_grad = true)));
        CHECK(s.c = ct_randn(CT_SIZE(K), CT_OPTS(.requires_grad = true)));
        CHECK(s.g = ct_randn(ln ? 2 : 4, xs, NULL));
        fwd_bwd_reps(&s, ln ? layer_norm_fwd : group_norm_fwd, ln ? K : 32, warmup, reps, t, check);
    } else if (!strcmp(n, "fmnist_epoch")) {
        epoch_state s;
        epoch_setup(&s);
        TIMED(epoch_run(&s));
        *check = s.t.loss;
        train_free(&s.t);
        ct_free(s.images);
        ct_free(s.labels);
    } else {
        fprintf(stderr, "ctbench: unknown workload '%s'\n", n);
        exit(2);
    }
#undef TIMED
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    *median = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
    *min = t[0];
    free(t);
}

/* OpenBLAS's kernel set after ctorch's first GEMM ("unknown" for another
 * BLAS): the runner gives PyTorch the same with OPENBLAS_CORETYPE. */
static const char *blas_core(void) {
    char *(*corename)(void);
    *(void **)&corename = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    return corename ? corename() : "unknown";
}

static long peak_rss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: ctbench <workload|all|startup|list> [--threads N] [--warmup W] [--reps R] [--limit B]\n");
        return 2;
    }
    const char *name = argv[1];
    int threads = 1, warmup = -1, reps = -1;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--limit")) limit_batches = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--data")) fmnist_root = argv[i + 1];
        else {
            fprintf(stderr, "ctbench: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    OK(ct_set_num_threads(threads));
    ct_manual_seed(0);
    if (!strcmp(name, "list")) {
        for (int i = 0; i < N_WORKLOADS; i++) printf("%s\n", workloads[i].name);
        return 0;
    }
    if (!strcmp(name, "startup")) {
        train_state s;
        tiny_setup(&s);
        train_step(&s, s.x, s.y);
        printf("{\"workload\": \"startup\", \"check\": %.6g}\n", s.loss);
        train_free(&s);
        return 0;
    }
    if (!strcmp(name, "all")) {
        double t0 = now_ms();
        if (limit_batches == 0) limit_batches = 20; /* the epoch's data is loaded whole all the same */
        for (int i = 0; i < N_WORKLOADS; i++) {
            double med, mn, check = 0;
            run(&workloads[i], 0, 1, &med, &mn, &check);
            /* the caching allocator would otherwise keep every finished
             * workload's blocks (PyTorch's CPU allocator keeps none) */
            ct_empty_cache();
        }
        printf("{\"workload\": \"all\", \"threads\": %d, \"ms\": %.4f, \"rss_kb\": %ld}\n", threads, now_ms() - t0,
               peak_rss_kb());
        return 0;
    }
    for (int i = 0; i < N_WORKLOADS; i++) {
        if (strcmp(workloads[i].name, name)) continue;
        double med, mn, check = 0;
        run(&workloads[i], warmup >= 0 ? warmup : workloads[i].warmup, reps > 0 ? reps : workloads[i].reps, &med,
            &mn, &check);
        printf("{\"workload\": \"%s\", \"threads\": %d, \"ms\": %.6f, \"min_ms\": %.6f, \"gflop\": %.6f, "
               "\"rss_kb\": %ld, \"check\": %.6g, \"blas_core\": \"%s\"}\n",
               name, threads, med, mn, workloads[i].gflop, peak_rss_kb(), check, blas_core());
        return 0;
    }
    fprintf(stderr, "ctbench: unknown workload '%s' (try: ctbench list)\n", name);
    return 2;
}
