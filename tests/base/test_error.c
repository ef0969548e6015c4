/* Error state: messages, NULL propagation, handlers, warnings. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

TestSuite(error, .init = ct_clear_error);

Test(error, starts_clear_and_clears) {
    cr_assert_null(ct_last_error());
    cr_assert_null(ct_zeros(CT_SIZE(-1, 2), NULL));
    cr_assert_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -1: [-1, 2]");
    ct_clear_error();
    cr_assert_null(ct_last_error());
}

Test(error, null_argument_keeps_first_message) {
    /* the inner call fails with PyTorch's message; the outer calls see NULL
     * and leave that message in place */
    ct_tensor *x = ct_zeros(CT_SIZE(2, 3), NULL);
    ct_tensor *y = ct_transpose(ct_view(ct_select(x, 0, 5), CT_SIZE(3)), 0, 0);
    cr_assert_null(y);
    cr_assert_str_eq(ct_last_error(), "select(): index 5 out of range for tensor of size [2, 3] at dimension 0");
    cr_assert_eq(ct_dim(NULL), -1);
    cr_assert_eq(ct_numel(NULL), -1);
    cr_assert_eq(ct_copy_(NULL, x), CT_ERROR);
    cr_assert_str_eq(ct_last_error(), "select(): index 5 out of range for tensor of size [2, 3] at dimension 0");
    ct_free(NULL);
    ct_free(x);
}

static int g_calls;
static char g_seen[256];
static void handler(const char *msg, void *ctx) {
    g_calls += *(int *)ctx;
    strncpy(g_seen, msg, sizeof g_seen - 1);
}

Test(error, handler_sees_each_error) {
    int inc = 1;
    g_calls = 0;
    ct_set_error_handler(handler, &inc);
    cr_assert_null(ct_eye(-1, -1, NULL));
    cr_assert_eq(g_calls, 1);
    cr_assert_str_eq(g_seen, "n must be greater or equal to 0, got -1");
    ct_set_error_handler(NULL, NULL);
    cr_assert_null(ct_eye(-2, -1, NULL));
    cr_assert_eq(g_calls, 1);
}

Test(error, abort_switch_aborts, .signal = SIGABRT) {
    ct_set_abort_on_error(true);
    (void)ct_zeros(CT_SIZE(-1), NULL);
}

Test(error, abort_switch_from_environment, .signal = SIGABRT) {
    setenv("CTORCH_ABORT_ON_ERROR", "1", 1);
    (void)ct_zeros(CT_SIZE(-1), NULL);
}

static void *other_thread(void *arg) {
    int *saw = arg;
    *saw = ct_last_error() != NULL; /* a new thread starts clean */
    (void)ct_eye(-7, -1, NULL);      /* and its errors stay its own */
    return NULL;
}

Test(error, thread_local_messages) {
    cr_assert_null(ct_zeros(CT_SIZE(-3), NULL));
    int saw = -1;
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, other_thread, &saw), 0);
    pthread_join(th, NULL);
    cr_assert_eq(saw, 0);
    cr_assert_str_eq(ct_last_error(), "Trying to create tensor with negative dimension -3: [-3]");
}

Test(error, warnings_count_and_print_once) {
    ct_set_warnings_enabled(false);
    long before = ct_warning_count();
    ct_tensor *r = ct_range(0, 2, 1, NULL);
    cr_assert_not_null(r);
    cr_assert_eq(ct_warning_count(), before + 1);
    cr_assert_not_null(strstr(ct_last_warning(), "torch.range is deprecated"));
    ct_free(r);
    ct_set_warnings_enabled(true);
}
