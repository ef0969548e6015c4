/* Internal: raising errors and warnings (public side: ctorch/error.h). */
#ifndef CT_BASE_ERROR_STATE_H
#define CT_BASE_ERROR_STATE_H

#include <stdarg.h>

#include "ctorch/error.h"

#if defined(__GNUC__)
#define CT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CT_PRINTF(a, b)
#endif

/* Store a new message for this thread (replacing the old one), call the
 * handler, abort if the debugging switch is on. */
void ct__error(const char *fmt, ...) CT_PRINTF(1, 2);
void ct__verror(const char *fmt, va_list ap);
/* Emit a UserWarning. */
void ct__warn(const char *fmt, ...) CT_PRINTF(1, 2);

/* The error for an allocation that failed. */
#define ct__error_oom(bytes) \
    ct__error("DefaultCPUAllocator: not enough memory: you tried to allocate %lld bytes.", (long long)(bytes))

#endif
