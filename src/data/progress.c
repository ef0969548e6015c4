/* A tqdm-style progress bar: tqdm.format_meter's text (smoothing=0),
 * redrawn in place on a terminal, plain lines elsewhere. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ctorch/progress.h"

struct ct_progress {
    ct_progress_options o;
    char desc[256], unit[32], postfix[512];
    bool off, tty;
    int64_t n, total;
    double start, last_draw;
    int64_t last_step; /* plain: the last percent step printed */
    size_t last_len;   /* terminal: columns of the last line (to blank it) */
    char last[2048];   /* the last line drawn */
};

static atomic_int g_enabled = 1;

void ct_progress_set_enabled(bool on) { atomic_store(&g_enabled, on ? 1 : 0); }

bool ct_progress_enabled(void) {
    const char *e = getenv("CTORCH_PROGRESS");
    if (e && (!strcmp(e, "0") || !strcmp(e, "off") || !strcmp(e, "false"))) return false;
    return atomic_load(&g_enabled) != 0;
}

static double now(const ct_progress *p) {
    if (p->o.clock) return p->o.clock(p->o.clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* tqdm.format_interval */
static void fmt_interval(char *buf, size_t len, double t) {
    long s = (long)t, mins = s / 60, h = mins / 60;
    s %= 60;
    mins %= 60;
    if (h) snprintf(buf, len, "%ld:%02ld:%02ld", h, mins, s);
    else snprintf(buf, len, "%02ld:%02ld", mins, s);
}

/* Display columns of UTF-8 text (every code point one column). */
static size_t columns(const char *s) {
    size_t c = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) c++;
    return c;
}

static int terminal_width(FILE *f) {
    struct winsize ws;
    if (f && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int v = c ? atoi(c) : 0;
    return v > 0 ? v : 80;
}

/* Append with bounds. */
typedef struct {
    char *b;
    size_t len, pos;
} sbuf;
static void put(sbuf *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = s->pos < s->len ? s->len - s->pos : 0;
    int k = vsnprintf(room ? s->b + s->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (k > 0) s->pos += (size_t)k;
}

static int format_at(const ct_progress *p, double t, char *buf, size_t len, int ncols, bool ascii) {
    double elapsed = t - p->start;
    if (elapsed < 0) elapsed = 0;
    char el[32], rem[32], rate_s[48], post[520] = "";
    fmt_interval(el, sizeof el, elapsed);
    double rate = elapsed > 0 ? (double)p->n / elapsed : 0;
    if (rate == 0) snprintf(rate_s, sizeof rate_s, "?%s/s", p->unit);
    else if (1 / rate > 1) snprintf(rate_s, sizeof rate_s, "%5.2fs/%s", 1 / rate, p->unit);
    else snprintf(rate_s, sizeof rate_s, "%5.2f%s/s", rate, p->unit);
    if (p->postfix[0]) snprintf(post, sizeof post, ", %s", p->postfix);
    sbuf s = {buf, len, 0};
    if (len) buf[0] = 0;
    if (p->total <= 0) {
        put(&s, "%s%s%lld%s [%s, %s%s]", p->desc, p->desc[0] ? ": " : "", (long long)p->n, p->unit, el, rate_s,
            post);
        return (int)s.pos;
    }
    if (rate > 0) fmt_interval(rem, sizeof rem, (double)(p->total - p->n) / rate);
    else snprintf(rem, sizeof rem, "?");
    double frac = (double)p->n / (double)p->total;
    char lbar[300], rbar[700];
    snprintf(lbar, sizeof lbar, "%s%s%3.0f%%|", p->desc, p->desc[0] ? ": " : "", frac * 100);
    snprintf(rbar, sizeof rbar, "| %lld/%lld [%s<%s, %s%s]", (long long)p->n, (long long)p->total, el, rem,
             rate_s, post);
    int nbars = ncols > 0 ? ncols - (int)(columns(lbar) + columns(rbar)) : 10;
    if (nbars < 1) nbars = 1;
    if (frac > 1) frac = 1;
    static const char *uni[] = {" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"};
    static const char *asc[] = {" ", "1", "2", "3", "4", "5", "6", "7", "8", "9", "#"};
    const char **cs = ascii ? asc : uni;
    int nsyms = ascii ? 10 : 8;
    long cells = (long)(frac * nbars * nsyms);
    long full = cells / nsyms, part = cells % nsyms;
    put(&s, "%s", lbar);
    for (long i = 0; i < full; i++) put(&s, "%s", cs[nsyms]);
    if (full < nbars) {
        put(&s, "%s", cs[part]);
        for (long i = full + 1; i < nbars; i++) put(&s, " ");
    }
    put(&s, "%s", rbar);
    return (int)s.pos;
}

int ct_progress_format(const ct_progress *p, char *buf, size_t len) {
    if (!p) {
        if (len) buf[0] = 0;
        return 0;
    }
    return format_at(p, now(p), buf, len, p->tty ? (p->o.ncols ? p->o.ncols : terminal_width(p->o.file)) : p->o.ncols,
                     p->tty ? p->o.ascii : true);
}

static void draw(ct_progress *p, double t, bool final) {
    char line[2048];
    int ncols = p->tty ? (p->o.ncols ? p->o.ncols : terminal_width(p->o.file)) : p->o.ncols;
    format_at(p, t, line, sizeof line, ncols, p->tty ? p->o.ascii : true);
    if (p->tty) {
        size_t c = columns(line);
        fprintf(p->o.file, "\r%s", line);
        for (size_t i = c; i < p->last_len; i++) fputc(' ', p->o.file);
        p->last_len = c;
        if (final) fputc('\n', p->o.file);
    } else {
        fprintf(p->o.file, "%s\n", line);
    }
    fflush(p->o.file);
    p->last_draw = t;
    memcpy(p->last, line, sizeof line);
}

static void copy_str(char *dst, size_t len, const char *src) {
    snprintf(dst, len, "%s", src ? src : "");
}

ct_progress *ct_progress_opts(const ct_progress_options *o) {
    static const ct_progress_options defaults = {0};
    ct_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->o = o ? *o : defaults;
    if (!p->o.file) p->o.file = stderr;
    if (p->o.min_interval <= 0) p->o.min_interval = 0.1;
    if (p->o.plain_percent <= 0) p->o.plain_percent = 10;
    if (p->o.plain_seconds <= 0) p->o.plain_seconds = 10;
    copy_str(p->desc, sizeof p->desc, p->o.desc);
    copy_str(p->unit, sizeof p->unit, p->o.unit ? p->o.unit : "it");
    p->o.desc = p->o.unit = NULL;
    p->off = p->o.disable || !ct_progress_enabled();
    p->tty = p->o.tty > 0 || (p->o.tty == 0 && isatty(fileno(p->o.file)));
    p->total = p->o.total > 0 ? p->o.total : 0;
    p->start = now(p);
    if (!p->off) draw(p, p->start, false);
    return p;
}

void ct_progress_update(ct_progress *p, int64_t n) {
    if (!p || p->off) return;
    p->n += n;
    double t = now(p);
    if (p->tty) {
        if (t - p->last_draw >= p->o.min_interval || (p->total && p->n >= p->total)) draw(p, t, false);
        return;
    }
    bool line = t - p->last_draw >= p->o.plain_seconds;
    if (p->total) {
        int64_t step = (int64_t)floor((double)p->n * 100.0 / (double)p->total / p->o.plain_percent);
        if (step > p->last_step) {
            p->last_step = step;
            line = true;
        }
    }
    if (line) draw(p, t, false);
}

void ct_progress_set_postfix(ct_progress *p, const char *fmt, ...) {
    if (!p || !fmt) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->postfix, sizeof p->postfix, fmt, ap);
    va_end(ap);
}

void ct_progress_set_description(ct_progress *p, const char *desc) {
    if (p) copy_str(p->desc, sizeof p->desc, desc);
}

void ct_progress_reset(ct_progress *p, int64_t total) {
    if (!p) return;
    p->n = 0;
    p->total = total > 0 ? total : 0;
    p->last_step = 0;
    p->start = now(p);
    if (!p->off && p->tty) draw(p, p->start, false);
}

void ct_progress_close(ct_progress *p) {
    if (!p) return;
    if (!p->off) {
        double t = now(p);
        char line[2048];
        format_at(p, t, line, sizeof line, p->o.ncols, true);
        /* plain output: a last line unless the previous one shows the same */
        if (p->tty || strcmp(line, p->last)) draw(p, t, true);
    }
    free(p);
}
