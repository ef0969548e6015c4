/* ctorch/progress.h — a progress bar in the spirit of tqdm for any long
 * loop (docs/data.md):
 *
 *     ct_progress *bar = ct_progress(.desc = "epoch 1", .total = 938);
 *     for (...) { ...; ct_progress_set_postfix(bar, "loss=%.4f, acc=%.1f%%", loss, acc);
 *                 ct_progress_update(bar, 1); }
 *     ct_progress_close(bar);
 *
 * draws, on a terminal, redrawn in place with \r at most every
 * min_interval seconds and as wide as the terminal:
 *     epoch 1:  45%|████▌     | 422/938 [00:05<00:06, 84.21it/s, loss=0.4123, acc=87.5%]
 * tqdm's format_meter text with smoothing=0 (rate = n / elapsed): "?it/s"
 * before time passes, "s/it" below one item per second, "mm:ss" or
 * "h:mm:ss" times, no bar and "422it [00:05, 84.21it/s]" without a total.
 * When the output is not a terminal it writes plain lines instead (ASCII
 * bar '#', 10 columns unless ncols is set): one when each plain_percent
 * step of the total is crossed or plain_seconds have passed since the
 * last line, and one at close.
 *
 * Off switch: ct_progress_set_enabled(false), the environment variable
 * CTORCH_PROGRESS=0 (read when a bar is made), or .disable: the bar is
 * still returned and every call on it does nothing.
 * A NULL bar is accepted (and ignored) by every function. */
#ifndef CTORCH_PROGRESS_H
#define CTORCH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_progress ct_progress;

typedef struct ct_progress_options {
    const char *desc;     /* copied; may be NULL */
    int64_t total;        /* 0 = unknown */
    FILE *file;           /* NULL = stderr */
    int ncols;            /* 0: the terminal's width (COLUMNS, else 80); 10-column bar on plain output */
    int tty;              /* 0: isatty(file); 1: draw as on a terminal; -1: plain lines */
    bool ascii;           /* bar of " 123456789#" instead of Unicode blocks (always on plain output) */
    bool disable;
    const char *unit;     /* "it" */
    double min_interval;  /* terminal: seconds between redraws, 0 = 0.1 */
    double plain_percent; /* plain: a line every this many percent, 0 = 10 */
    double plain_seconds; /* plain: or after this many seconds, 0 = 10 */
    double (*clock)(void *ctx); /* seconds; NULL = CLOCK_MONOTONIC (tests inject one) */
    void *clock_ctx;
} ct_progress_options;

/* A new bar (draws its first state at once, as tqdm). NULL only when out
 * of memory. */
ct_progress *ct_progress_opts(const ct_progress_options *o);
#define ct_progress(...) ct_progress_opts(&(const ct_progress_options){__VA_ARGS__})
/* bar.update(n): n more items done. */
void ct_progress_update(ct_progress *p, int64_t n);
/* bar.set_postfix_str(...): printf-style text after the rate ("" clears). */
void ct_progress_set_postfix(ct_progress *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* bar.set_description(desc). */
void ct_progress_set_description(ct_progress *p, const char *desc);
/* bar.reset(total): n = 0, the clock restarts. */
void ct_progress_reset(ct_progress *p, int64_t total);
/* bar.close(): draws the final state, ends the line, frees the bar. */
void ct_progress_close(ct_progress *p);
/* The text the bar would draw now (tqdm's format_meter) into buf; returns
 * its length in bytes (as snprintf). */
int ct_progress_format(const ct_progress *p, char *buf, size_t len);

/* Process-wide switch (on by default; CTORCH_PROGRESS=0 turns it off). */
void ct_progress_set_enabled(bool on);
bool ct_progress_enabled(void);

#ifdef __cplusplus
}
#endif
#endif
