/* Loss functions in C as modules and as functions, with their
 * reductions, and a gradient through cross-entropy: prints what
 * examples/losses.py prints with PyTorch 1.13.1
 * (tests/parity/data/example_losses.txt). Everything made here lives in
 * one scope; the loss modules are freed by hand. */
#include <ctorch.h>
#include <stdio.h>

/* criterion(input, target): a loss module takes two inputs */
static ct_tensor *apply(ct_module *criterion, const ct_tensor *input, const ct_tensor *target) {
    ct_tensor *in[2] = {(ct_tensor *)input, (ct_tensor *)target};
    return ct_forward_n(criterion, 2, in);
}

static int show(const ct_tensor *t) { return t ? ct_print(t) : CT_ERROR; }

int main(void) {
    if (ct_scope_begin() < 0) return 1;
    ct_module *mse = ct_nn_mse_loss(), *mse_sum = ct_nn_mse_loss(.reduction = CT_REDUCTION_SUM);
    ct_module *l1 = ct_nn_l1_loss(), *criterion = ct_nn_cross_entropy_loss();
    ct_module *bce = ct_nn_bce_loss(), *bce_logits = ct_nn_bce_with_logits_loss();
    if (!mse || !mse_sum || !l1 || !criterion || !bce || !bce_logits) goto fail;

    /* regression: every prediction 2 away from its target */
    ct_tensor *pred = ct_ones(CT_SIZE(2, 5), NULL), *target = ct_full(CT_SIZE(2, 5), 3.0, NULL);
    if (show(apply(mse, pred, target)) || show(apply(mse_sum, pred, target)) || show(apply(l1, pred, target)) ||
        show(ct_mse_loss(pred, target, .reduction = CT_REDUCTION_NONE)))
        goto fail;

    /* classification: raw scores (logits) and class indices */
    const float scores[] = {1.0f, 0.3f, 0.3f, 0.2f, 1.5f, -0.4f};
    const int64_t classes[] = {0, 1}, one[] = {1};
    ct_tensor *logits = ct_tensor_from(scores, CT_FLOAT32, CT_SIZE(2, 3));
    ct_tensor *labels = ct_tensor_from(classes, CT_INT64, CT_SIZE(2));
    if (!logits || !labels || ct_requires_grad_(logits, true) != CT_OK || ct_module_print(criterion) != CT_OK)
        goto fail;
    ct_tensor *first = ct_narrow(logits, 0, 0, 1); /* logits[:1] */
    if (show(apply(criterion, first, ct_narrow(labels, 0, 0, 1))) ||
        show(ct_cross_entropy(first, ct_tensor_from(one, CT_INT64, CT_SIZE(1)))))
        goto fail;
    ct_tensor *loss = apply(criterion, logits, labels);
    if (show(loss) || ct_backward(loss, NULL, NULL) != CT_OK || show(ct_grad(logits)))
        goto fail;
    if (show(ct_cross_entropy(logits, labels, .reduction = CT_REDUCTION_NONE)) ||
        show(ct_cross_entropy(logits, labels, .label_smoothing = 0.1)) ||
        show(ct_nll_loss(ct_log_softmax(logits, 1), labels)))
        goto fail;

    /* binary: probabilities vs logits */
    const float probs[] = {0.9f, 0.2f, 0.6f}, truth[] = {1.0f, 0.0f, 1.0f};
    ct_tensor *p = ct_tensor_from(probs, CT_FLOAT32, CT_SIZE(3)), *y = ct_tensor_from(truth, CT_FLOAT32, CT_SIZE(3));
    if (show(apply(bce, p, y)) || show(apply(bce_logits, ct_logit(p), y))) goto fail;

    ct_module *all[] = {mse, mse_sum, l1, criterion, bce, bce_logits};
    for (int i = 0; i < 6; i++) ct_module_free(all[i]);
    if (ct_scope_end() < 0) return 1;
    return 0;
fail:
    fprintf(stderr, "losses failed: %s\n", ct_last_error() ? ct_last_error() : "(no message)");
    return 1;
}
