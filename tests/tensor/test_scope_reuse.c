/* Scopes reuse their item arrays (src/tensor/scope.c): an inner scope's
 * array serves the next scope opened at that depth, and the arrays outlive
 * the outermost scope until the thread ends. These tests run the patterns
 * a training loop makes (many steps, inner scopes per op, keep into the
 * outer scope, more than the kept capacity) and check every tensor made
 * inside is released exactly when its scope ends; under ASan, the thread
 * test also checks a thread's arrays are freed when it ends. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <pthread.h>

/* one "step": an outer scope, inner scopes making tensors, one kept into
 * the outer scope, which keeps its result for the caller */
static ct_tensor *step(int inner, int per_inner) {
    cr_assert_eq(ct_scope_begin(), 1);
    ct_tensor *acc = ct_zeros(CT_SIZE(4), NULL);
    for (int i = 0; i < inner; i++) {
        cr_assert_eq(ct_scope_begin(), 2);
        ct_tensor *last = NULL;
        for (int k = 0; k < per_inner; k++) last = ct_add_scalar(acc, 1.0);
        ct_scope_keep(last); /* into the outer scope */
        cr_assert_eq(ct_scope_end(), CT_OK);
        acc = last;
    }
    ct_scope_keep(acc);
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_assert_eq(ct_scope_depth(), 0);
    return acc;
}

Test(scope_reuse, training_loop_pattern) {
    int64_t base = ct_memory_allocated();
    for (int s = 0; s < 50; s++) {
        ct_tensor *r = step(3, 5);
        const float *p = ct_data_ptr(r);
        for (int k = 0; k < 4; k++) cr_assert_eq(p[k], 3.0f);
        ct_free(r);
        cr_assert_eq(ct_memory_allocated(), base, "step %d left tensors alive", s);
    }
}

Test(scope_reuse, more_than_the_kept_capacity) {
    /* 5000 tensors in one scope (> 4096 entries: that array is not kept),
     * then normal steps again */
    int64_t base = ct_memory_allocated();
    cr_assert_eq(ct_scope_begin(), 1);
    for (int k = 0; k < 5000; k++) (void)ct_zeros(CT_SIZE(2), NULL);
    cr_assert_eq(ct_scope_end(), CT_OK);
    cr_assert_eq(ct_memory_allocated(), base);
    ct_tensor *r = step(2, 3000);
    cr_assert_eq(((const float *)ct_data_ptr(r))[0], 2.0f);
    ct_free(r);
    cr_assert_eq(ct_memory_allocated(), base);
    cr_assert_eq(ct_scope_end(), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "ct_scope_end called without a matching ct_scope_begin");
}

Test(scope_reuse, deeper_then_shallower) {
    int64_t base = ct_memory_allocated();
    for (int round = 0; round < 3; round++) {
        for (int d = 1; d <= 12; d++) {
            cr_assert_eq(ct_scope_begin(), d);
            (void)ct_ones(CT_SIZE(3), NULL);
        }
        for (int d = 12; d >= 1; d--) cr_assert_eq(ct_scope_end(), CT_OK);
        cr_assert_eq(ct_memory_allocated(), base);
    }
}

static void *thread_body(void *arg) {
    (void)arg;
    for (int s = 0; s < 10; s++) ct_free(step(2, 4));
    return NULL;
}

Test(scope_reuse, threads_keep_their_own_arrays) {
    int64_t base = ct_memory_allocated();
    pthread_t th[2];
    for (int i = 0; i < 2; i++) cr_assert_eq(pthread_create(&th[i], NULL, thread_body, NULL), 0);
    thread_body(NULL);
    for (int i = 0; i < 2; i++) cr_assert_eq(pthread_join(th[i], NULL), 0);
    cr_assert_eq(ct_memory_allocated(), base);
}
