#define _POSIX_C_SOURCE 200809L /* clock_gettime */
/* The main job: a LeNet-style CNN (conv-bn-relu-pool x2, linear x2) trained
 * on Fashion-MNIST with Adam and a StepLR schedule, a progress bar per
 * epoch, a test-set evaluation after each epoch; saves the state_dict as a
 * .pt file that examples/fashion_mnist/fashion_lenet.py loads into the same
 * model written in PyTorch, and the loss / accuracy curves as an SVG.
 *
 *     train [--epochs 2] [--batch-size 64] [--lr 0.001] [--threads 2] [--seed 0]
 *           [--out fashion_lenet.pt] [--plot fashion_lenet.svg]
 *           [--data /usr/share/datasets/fashion-mnist] [--limit N]
 *
 * --limit N trains on the first N training images and tests on the first
 * N / 6 test images (the CI smoke run). */
#include <ctorch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "svg_plot.h"

typedef struct options {
    int epochs, threads;
    int64_t batch_size, limit;
    double lr;
    uint64_t seed;
    const char *out, *plot, *data;
} options;

static int parse(int argc, char **argv, options *o) {
    *o = (options){.epochs = 2, .threads = 2, .batch_size = 64, .lr = 1e-3, .seed = 0,
                   .out = "fashion_lenet.pt", .plot = "fashion_lenet.svg",
                   .data = "/usr/share/datasets/fashion-mnist"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) return 1;
        if (!v) {
            fprintf(stderr, "train: %s needs a value\n", a);
            return -1;
        }
        if (!strcmp(a, "--epochs")) o->epochs = atoi(v);
        else if (!strcmp(a, "--batch-size")) o->batch_size = atoll(v);
        else if (!strcmp(a, "--lr")) o->lr = atof(v);
        else if (!strcmp(a, "--threads")) o->threads = atoi(v);
        else if (!strcmp(a, "--seed")) o->seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--plot")) o->plot = v;
        else if (!strcmp(a, "--data")) o->data = v;
        else if (!strcmp(a, "--limit")) o->limit = atoll(v);
        else {
            fprintf(stderr, "train: unknown option %s\n", a);
            return -1;
        }
        i++;
    }
    if (o->epochs < 1 || o->batch_size < 1 || o->threads < 1 || !(o->lr > 0) || o->limit < 0) {
        fprintf(stderr, "train: epochs, batch size and threads must be >= 1, lr > 0, limit >= 0\n");
        return -1;
    }
    return 0;
}

/* FashionLeNet of fashion_lenet.py: the same state_dict keys. */
static ct_module *build_model(void) {
    ct_module *features = CT_SEQUENTIAL(ct_nn_conv2d(1, 32, 5, .padding = 2), ct_nn_batch_norm2d(32), ct_nn_relu(),
                                        ct_nn_max_pool2d(2), ct_nn_conv2d(32, 64, 5), ct_nn_batch_norm2d(64),
                                        ct_nn_relu(), ct_nn_max_pool2d(2));
    ct_module *classifier =
        CT_SEQUENTIAL(ct_nn_flatten(1, -1), ct_nn_linear(64 * 5 * 5, 128), ct_nn_relu(), ct_nn_linear(128, 10));
    return ct_nn_sequential_named(2, (const char *[]){"features", "classifier"},
                                  (ct_module *[]){features, classifier});
}

/* images (N, 28, 28) uint8 -> (N, 1, 28, 28) float32, (x / 255 - 0.2860) / 0.3530
 * (ToTensor then Normalize((0.2860,), (0.3530,))) */
static ct_tensor *prepare_images(const ct_tensor *u8, int64_t limit) {
    ct_tensor *x = ct_to_dtype(u8, CT_FLOAT32);
    if (x && limit > 0 && limit < ct_size(x, 0)) {
        ct_tensor *part = ct_narrow(x, 0, 0, limit);
        ct_free(x);
        x = part;
    }
    ct_tensor *s = ct_div_scalar(x, 255.0);
    ct_tensor *c = ct_sub_scalar(s, 0.2860);
    ct_tensor *n = ct_div_scalar(c, 0.3530);
    ct_tensor *out = n ? ct_unsqueeze(n, 1) : NULL;
    ct_tensor *cont = out ? ct_contiguous(out) : NULL;
    ct_free(x), ct_free(s), ct_free(c), ct_free(n), ct_free(out);
    return cont;
}

static ct_tensor *prepare_labels(const ct_tensor *labels, int64_t limit) {
    if (limit > 0 && limit < ct_size(labels, 0)) return ct_narrow(labels, 0, 0, limit);
    return ct_ref((ct_tensor *)labels);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Test accuracy in eval mode, batches of 1000, no grad. */
static double evaluate(ct_module *model, const ct_tensor *images, const ct_tensor *labels) {
    if (ct_module_eval(model) != CT_OK) return NAN;
    int64_t n = ct_size(images, 0), correct = 0;
    ct_grad_mode g = ct_no_grad_begin();
    for (int64_t i = 0; i < n; i += 1000) {
        int64_t len = n - i < 1000 ? n - i : 1000;
        if (ct_scope_begin() < 0) break;
        ct_tensor *logits = ct_forward(model, ct_narrow(images, 0, i, len));
        ct_tensor *pred = ct_argmax_dim(logits, 1, false);
        ct_tensor *hits = ct_sum(ct_eq(pred, ct_narrow(labels, 0, i, len)));
        int64_t h = 0;
        int rc = hits ? ct_item_int64(hits, &h) : CT_ERROR;
        if (ct_scope_end() < 0 || rc != CT_OK) {
            correct = -1;
            break;
        }
        correct += h;
    }
    ct_grad_mode_end(g);
    int rc = ct_module_train(model, true);
    return correct < 0 || rc != CT_OK ? NAN : 100.0 * (double)correct / (double)n;
}

static int save_plot(const char *path, int epochs, const double *step_x, const double *step_loss, int nsteps,
                     const double *train_acc, const double *test_acc) {
    FILE *f = svg_begin(path, 900, 360);
    if (!f) return -1;
    double ex[64];
    for (int e = 0; e < epochs && e < 64; e++) ex[e] = e + 1;
    svg_series loss = {"training loss (running mean)", "#1f77b4", step_x, step_loss, nsteps};
    svg_panel(f, 0, 0, 450, 360, "Loss", "epoch", "cross-entropy", &loss, 1);
    svg_series acc[2] = {{"train accuracy", "#ff7f0e", ex, train_acc, epochs},
                         {"test accuracy", "#2ca02c", ex, test_acc, epochs}};
    svg_panel(f, 450, 0, 450, 360, "Accuracy", "epoch", "%", acc, 2);
    return svg_end(f);
}

int main(int argc, char **argv) {
    options o;
    int pr = parse(argc, argv, &o);
    if (pr) {
        fprintf(pr > 0 ? stdout : stderr,
                "usage: train [--epochs N] [--batch-size N] [--lr X] [--threads N] [--seed N] [--out FILE.pt]\n"
                "             [--plot FILE.svg] [--data DIR] [--limit N]\n");
        return pr > 0 ? 0 : 2;
    }
    if (ct_set_num_threads(o.threads) != CT_OK) goto fail;
    ct_manual_seed(o.seed);

    /* data: Fashion-MNIST from the IDX files, normalized once */
    ct_dataset *train_raw = ct_fashion_mnist(o.data, .train = true);
    ct_dataset *test_raw = ct_fashion_mnist(o.data, .train = false);
    if (!train_raw || !test_raw) goto fail;
    ct_tensor *train_u8 = ct_mnist_data(train_raw), *train_lbl = ct_mnist_targets(train_raw);
    ct_tensor *test_u8 = ct_mnist_data(test_raw), *test_lbl = ct_mnist_targets(test_raw);
    ct_tensor *train_x = prepare_images(train_u8, o.limit), *train_y = prepare_labels(train_lbl, o.limit);
    ct_tensor *test_x = prepare_images(test_u8, o.limit / 6), *test_y = prepare_labels(test_lbl, o.limit / 6);
    ct_free(train_u8), ct_free(train_lbl), ct_free(test_u8), ct_free(test_lbl);
    ct_dataset_free(train_raw), ct_dataset_free(test_raw);
    if (!train_x || !train_y || !test_x || !test_y) goto fail;
    ct_dataset *train_ds = ct_tensor_dataset(2, (ct_tensor *[]){train_x, train_y});
    ct_dataloader *loader = train_ds ? ct_dataloader(train_ds, .batch_size = o.batch_size, .shuffle = true) : NULL;
    if (!loader) goto fail;

    ct_module *model = build_model();
    if (!model) goto fail;
    ct_named_tensors params = ct_module_named_parameters(model, true);
    ct_optimizer *opt = ct_optim_adam(params.n, params.tensors, .lr = o.lr);
    ct_lr_scheduler *sched = opt ? ct_lr_step(opt, 1, .gamma = 0.7) : NULL;
    if (!sched) goto fail;
    printf("FashionLeNet: %lld parameters; %lld training / %lld test images; batch %lld, %d epoch(s), %d thread(s)\n",
           (long long)ct_module_num_parameter_elements(model), (long long)ct_size(train_x, 0),
           (long long)ct_size(test_x, 0), (long long)o.batch_size, o.epochs, ct_get_num_threads());

    int64_t batches = ct_dataloader_len(loader);
    int cap = (int)(o.epochs * batches) + 1;
    double *step_x = calloc((size_t)cap, sizeof *step_x), *step_loss = calloc((size_t)cap, sizeof *step_loss);
    double train_acc[64] = {0}, test_acc[64] = {0};
    int nsteps = 0;
    double t0 = now_seconds();
    for (int epoch = 0; epoch < o.epochs && epoch < 64; epoch++) {
        char desc[64];
        snprintf(desc, sizeof desc, "epoch %d/%d", epoch + 1, o.epochs);
        ct_progress *bar = ct_progress(.desc = desc, .total = batches, .file = stdout, .unit = "batch");
        if (ct_dataloader_iter(loader) != CT_OK) goto fail;
        double running = 0;
        int64_t seen = 0, correct = 0, step = 0;
        ct_sample batch = {0};
        int more;
        while ((more = ct_dataloader_next(loader, &batch)) == 1) {
            if (ct_scope_begin() < 0) goto fail;
            ct_tensor *x = batch.t[0], *y = batch.t[1];
            ct_tensor *logits = ct_forward(model, x);
            ct_tensor *loss = ct_cross_entropy(logits, y);
            if (!loss || ct_optim_zero_grad(opt, true) != CT_OK || ct_backward(loss, NULL, NULL) != CT_OK ||
                ct_optim_step(opt) != CT_OK)
                goto fail;
            double l;
            int64_t hits;
            ct_tensor *pred = ct_argmax_dim(ct_detach(logits), 1, false);
            if (ct_item(loss, &l) != CT_OK || ct_item_int64(ct_sum(ct_eq(pred, y)), &hits) != CT_OK) goto fail;
            if (ct_scope_end() < 0) goto fail;
            ct_sample_clear(&batch);
            running = step ? 0.98 * running + 0.02 * l : l;
            seen += ct_size(x, 0), correct += hits, step++;
            step_x[nsteps] = epoch + (double)step / (double)batches;
            step_loss[nsteps++] = running;
            ct_progress_set_postfix(bar, "loss=%.4f, acc=%.1f%%", running, 100.0 * (double)correct / (double)seen);
            ct_progress_update(bar, 1);
        }
        ct_sample_clear(&batch);
        ct_progress_close(bar);
        if (more < 0) goto fail;
        train_acc[epoch] = 100.0 * (double)correct / (double)(seen ? seen : 1);
        test_acc[epoch] = evaluate(model, test_x, test_y);
        double lr;
        if (ct_lr_get_last_lr(sched, &lr, 1) < 1) goto fail;
        printf("epoch %d: train loss %.4f, train accuracy %.2f%%, test accuracy %.2f%%, lr %.6g, %.1f s\n", epoch + 1,
               running, train_acc[epoch], test_acc[epoch], lr, now_seconds() - t0);
        if (isnan(test_acc[epoch]) || ct_lr_scheduler_step(sched) != CT_OK) goto fail;
    }

    ct_state_dict *sd = ct_module_state_dict(model);
    if (!sd || ct_save(o.out, sd) != CT_OK) goto fail;
    ct_state_dict_free(sd);
    printf("saved %s (load it in PyTorch: /usr/bin/python3 examples/fashion_mnist/fashion_lenet.py %s)\n", o.out,
           o.out);
    if (save_plot(o.plot, o.epochs < 64 ? o.epochs : 64, step_x, step_loss, nsteps, train_acc, test_acc) != 0) {
        fprintf(stderr, "train: cannot write %s\n", o.plot);
        return 1;
    }
    printf("wrote %s (loss and accuracy curves)\n", o.plot);
    free(step_x), free(step_loss);
    ct_lr_scheduler_free(sched);
    ct_optim_free(opt);
    ct_named_tensors_free(&params);
    ct_module_free(model);
    ct_dataloader_free(loader);
    ct_dataset_free(train_ds);
    ct_free(train_x), ct_free(train_y), ct_free(test_x), ct_free(test_y);
    return 0;
fail:
    fprintf(stderr, "train: %s\n", ct_last_error() ? ct_last_error() : "failed");
    return 1;
}
