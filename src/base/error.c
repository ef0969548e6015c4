/* Thread-local error and warning state. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"

#define CT_ERROR_MAX 1024

static _Thread_local char tl_message[CT_ERROR_MAX];
static _Thread_local int tl_has_error;
static _Thread_local char tl_warning[CT_ERROR_MAX];
static _Thread_local int tl_has_warning;
static _Thread_local long tl_warning_count;

static ct_error_handler g_handler;
static void *g_handler_ctx;
/* -1: not yet read from the environment; 0 / 1: off / on. */
static atomic_int g_abort = -1;
static atomic_int g_warnings_enabled = 1;

const char *ct_last_error(void) { return tl_has_error ? tl_message : NULL; }

void ct_clear_error(void) {
    tl_has_error = 0;
    tl_message[0] = '\0';
}

void ct_set_error_handler(ct_error_handler handler, void *ctx) {
    g_handler = handler;
    g_handler_ctx = ctx;
}

void ct_set_abort_on_error(bool on) { atomic_store(&g_abort, on ? 1 : 0); }

static int abort_enabled(void) {
    int a = atomic_load(&g_abort);
    if (a < 0) {
        const char *env = getenv("CTORCH_ABORT_ON_ERROR");
        a = (env && env[0] && strcmp(env, "0") != 0) ? 1 : 0;
        atomic_store(&g_abort, a);
    }
    return a;
}

void ct__verror(const char *fmt, va_list ap) {
    vsnprintf(tl_message, sizeof tl_message, fmt, ap);
    tl_has_error = 1;
    if (g_handler) g_handler(tl_message, g_handler_ctx);
    if (abort_enabled()) {
        fprintf(stderr, "ctorch error: %s\n", tl_message);
        abort();
    }
}

void ct__error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ct__verror(fmt, ap);
    va_end(ap);
}

void ct_set_warnings_enabled(bool on) { atomic_store(&g_warnings_enabled, on ? 1 : 0); }
long ct_warning_count(void) { return tl_warning_count; }
const char *ct_last_warning(void) { return tl_has_warning ? tl_warning : NULL; }

void ct__warn(const char *fmt, ...) {
    char msg[CT_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tl_warning_count++;
    /* Python's default filter shows a given warning once per location; a
     * repeat of the last message on this thread is not printed again. */
    int repeat = tl_has_warning && strcmp(msg, tl_warning) == 0;
    memcpy(tl_warning, msg, sizeof msg);
    tl_has_warning = 1;
    if (!repeat && atomic_load(&g_warnings_enabled)) fprintf(stderr, "UserWarning: %s\n", msg);
}
