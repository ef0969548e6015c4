/* ctorch/error.h — how failures are reported.
 *
 * Rules (docs/errors.md):
 *  - A function that returns a pointer returns NULL on failure; one that
 *    returns a status returns a negative value (and is warn_unused_result).
 *  - The failure's message, worded like PyTorch's where PyTorch has one, is
 *    kept per thread and read with ct_last_error().
 *  - A NULL tensor argument makes a function fail *without* replacing the
 *    message already stored, so nested calls can be checked once at the end.
 *  - Nothing the caller owns is freed or modified by a failing call.
 */
#ifndef CTORCH_ERROR_H
#define CTORCH_ERROR_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CT_NODISCARD __attribute__((warn_unused_result))
#else
#define CT_NODISCARD
#endif

/* Status codes returned by status functions. */
enum { CT_OK = 0, CT_ERROR = -1 };

/* The message of the last failure on this thread, or NULL if none since the
 * last ct_clear_error(). The pointer stays valid until the next failure or
 * clear on this thread. */
const char *ct_last_error(void);

/* Forget the stored message on this thread. */
void ct_clear_error(void);

/* Called with each new error message (on the failing thread), before the
 * failing call returns. ctx is passed back untouched. */
typedef void (*ct_error_handler)(const char *message, void *ctx);

/* Install a process-wide handler (NULL removes it). */
void ct_set_error_handler(ct_error_handler handler, void *ctx);

/* Debugging switch: when on, every error prints "ctorch error: <message>" to
 * stderr and aborts. Also turned on by the environment variable
 * CTORCH_ABORT_ON_ERROR=1 at the first error. */
void ct_set_abort_on_error(bool on);

/* Warnings (PyTorch's UserWarning): printed once per distinct message to
 * stderr as "UserWarning: <message>" unless silenced. */
void ct_set_warnings_enabled(bool on);
/* Number of warnings emitted on this thread so far (for tests). */
long ct_warning_count(void);
/* The last warning text emitted on this thread, or NULL. */
const char *ct_last_warning(void);

#ifdef __cplusplus
}
#endif
#endif
