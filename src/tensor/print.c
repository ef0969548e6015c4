/* Printing: repr(tensor) exactly as PyTorch 1.13.1's torch/_tensor_str.py
 * builds it (docs/printing.md). The Python functions are mirrored one to
 * one: _Formatter -> formatter_init / format_elem, _vector_str,
 * _tensor_str_with_formatter -> tensor_str, get_summarized_data ->
 * walk_shown (the formatter only ever sees the elements that are shown, so
 * a huge tensor is never copied), _add_suffixes, _str_intern -> ct_to_string. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/print.h"
#include "tensor/print_internal.h"
#include "tensor/tensor_impl.h"

const char *(*ct__print_grad_fn_name)(const ct_tensor *t) = NULL;

/* ---- options (torch._tensor_str.PRINT_OPTS) ------------------------------ */

#define CT_PRINT_DEFAULTS                                                                                              \
    { .precision = 4, .threshold = 1000, .edgeitems = 3, .linewidth = 80, .sci_mode = CT_SCI_AUTO }

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ct_printoptions g_opts = CT_PRINT_DEFAULTS;

ct_printoptions ct_get_printoptions(void) {
    pthread_mutex_lock(&g_lock);
    ct_printoptions o = g_opts;
    pthread_mutex_unlock(&g_lock);
    return o;
}

int ct_set_printoptions(const ct_printoptions *o) {
    if (!o) {
        ct__error("set_printoptions: options must not be NULL");
        return CT_ERROR;
    }
    const char *bad = o->precision < 0   ? "precision"
                      : o->threshold < 0 ? "threshold"
                      : o->edgeitems < 0 ? "edgeitems"
                      : o->linewidth < 0 ? "linewidth"
                                         : NULL;
    if (bad) {
        int64_t v = !strcmp(bad, "precision")   ? o->precision
                    : !strcmp(bad, "threshold") ? o->threshold
                    : !strcmp(bad, "edgeitems") ? o->edgeitems
                                                : o->linewidth;
        ct__error("set_printoptions: %s must be non-negative, but got %" PRId64, bad, v);
        return CT_ERROR;
    }
    if (o->sci_mode != CT_SCI_AUTO && o->sci_mode != CT_SCI_ON && o->sci_mode != CT_SCI_OFF) {
        ct__error("set_printoptions: sci_mode must be CT_SCI_AUTO, CT_SCI_ON or CT_SCI_OFF, but got %d",
                  (int)o->sci_mode);
        return CT_ERROR;
    }
    pthread_mutex_lock(&g_lock);
    g_opts = *o;
    pthread_mutex_unlock(&g_lock);
    return CT_OK;
}

int ct_set_printoptions_profile(const char *profile) {
    ct_printoptions o = CT_PRINT_DEFAULTS;
    if (!profile) {
        ct__error("set_printoptions: profile must not be NULL");
        return CT_ERROR;
    }
    if (!strcmp(profile, "short")) {
        o.precision = 2;
        o.edgeitems = 2;
    } else if (!strcmp(profile, "full")) {
        o.threshold = INT64_MAX; /* Python's inf: never summarize */
    } else if (strcmp(profile, "default") != 0) {
        ct__error("set_printoptions: unknown profile '%s' (expected 'default', 'short' or 'full')", profile);
        return CT_ERROR;
    }
    /* set_printoptions(profile=...) also resets sci_mode to None */
    pthread_mutex_lock(&g_lock);
    g_opts = o;
    pthread_mutex_unlock(&g_lock);
    return CT_OK;
}

/* ---- a growing string --------------------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool failed; /* out of memory: further writes are dropped */
} sbuf;

static bool sb_reserve(sbuf *b, size_t extra) {
    if (b->failed) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

static void sb_putn(sbuf *b, const char *p, size_t n) {
    if (!sb_reserve(b, n)) return;
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void sb_puts(sbuf *b, const char *p) { sb_putn(b, p, strlen(p)); }

static void sb_chars(sbuf *b, char c, int64_t n) {
    if (n <= 0 || !sb_reserve(b, (size_t)n)) return;
    memset(b->s + b->len, c, (size_t)n);
    b->len += (size_t)n;
    b->s[b->len] = 0;
}

static void sb_printf(sbuf *b, const char *fmt, ...) CT_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* ---- the formatter (_Formatter) ----------------------------------------- */

typedef struct printer {
    ct_printoptions o;
    const ct_tensor *t;
    const ct_dtype_traits *tr;
    bool summarize;
    bool floating, int_mode, sci_mode;
    int64_t max_width;
    /* statistics over the nonzero finite values */
    int64_t n_nzf;
    double nzf_min, nzf_max;
    sbuf out, tmp;
} printer;

typedef void (*elem_fn)(printer *pr, const char *p);

/* Visit the elements get_summarized_data keeps (in row-major order). The
 * last dimension is cut with slices (self[:e], self[-e:]: with e == 0 the
 * second slice is the whole row), the outer ones with index ranges. */
static void walk_shown(printer *pr, int d, const char *p, elem_fn fn) {
    const ct_tensor *t = pr->t;
    if (d == t->ndim) {
        fn(pr, p);
        return;
    }
    int64_t n = t->sizes[d], e = pr->o.edgeitems;
    int64_t step = t->strides[d] * (int64_t)pr->tr->itemsize;
    if (pr->summarize && n > 2 * e) {
        bool last = d == t->ndim - 1;
        for (int64_t i = 0; i < e; i++)
            walk_shown(pr, d + 1, p + i * step, fn);
        int64_t from = (last && e == 0) ? 0 : n - e;
        for (int64_t i = from; i < n; i++)
            walk_shown(pr, d + 1, p + i * step, fn);
    } else {
        for (int64_t i = 0; i < n; i++)
            walk_shown(pr, d + 1, p + i * step, fn);
    }
}

/* The text of a floating value in one of Python's formats: 'e' is
 * '{:.Pe}', 'f' is '{:.Pf}', 'i' is int_mode's '{:.0f}' + '.'. Python
 * writes every NaN as "nan" (C may write "-nan"). */
static void float_text(sbuf *b, double v, char mode, int precision) {
    if (isnan(v)) {
        sb_puts(b, "nan");
    } else if (isinf(v)) {
        sb_puts(b, v < 0 ? "-inf" : "inf");
    } else if (mode == 'e') {
        sb_printf(b, "%.*e", precision, v);
    } else if (mode == 'f') {
        sb_printf(b, "%.*f", precision, v);
    } else {
        sb_printf(b, "%.0f.", v);
    }
}

static void int_text(sbuf *b, const printer *pr, const char *p) {
    if (pr->t->dtype == CT_BOOL) {
        sb_puts(b, pr->tr->load_int64(p) ? "True" : "False");
    } else {
        sb_printf(b, "%" PRId64, pr->tr->load_int64(p));
    }
}

static void stat_elem(printer *pr, const char *p) {
    double v = pr->tr->load_double(p);
    if (!isfinite(v) || v == 0) return;
    double a = fabs(v);
    if (pr->n_nzf == 0 || a < pr->nzf_min) pr->nzf_min = a;
    if (pr->n_nzf == 0 || a > pr->nzf_max) pr->nzf_max = a;
    pr->n_nzf++;
    if (v != ceil(v)) pr->int_mode = false;
}

static void width_elem(printer *pr, const char *p) {
    pr->tmp.len = 0;
    if (pr->floating) {
        double v = pr->tr->load_double(p);
        if (!isfinite(v) || v == 0) return;
        /* int_mode's width counts the '.' too, which float_text writes */
        float_text(&pr->tmp, v, pr->sci_mode ? 'e' : pr->int_mode ? 'i' : 'f', pr->o.precision);
    } else {
        int_text(&pr->tmp, pr, p);
    }
    if ((int64_t)pr->tmp.len > pr->max_width) pr->max_width = (int64_t)pr->tmp.len;
}

static void formatter_init(printer *pr) {
    const ct_tensor *t = pr->t;
    pr->floating = pr->tr->is_floating;
    pr->int_mode = true;
    pr->sci_mode = false;
    pr->max_width = 1;
    if (pr->floating) {
        walk_shown(pr, 0, ct__data(t), stat_elem);
        if (pr->n_nzf == 0) return; /* returns before the sci_mode override */
        double ratio = pr->nzf_max / pr->nzf_min;
        if (pr->int_mode) {
            pr->sci_mode = ratio > 1000.0 || pr->nzf_max > 1.0e8;
        } else {
            pr->sci_mode = ratio > 1000.0 || pr->nzf_max > 1.0e8 || pr->nzf_min < 1.0e-4;
        }
    }
    walk_shown(pr, 0, ct__data(t), width_elem);
    if (pr->o.sci_mode != CT_SCI_AUTO) pr->sci_mode = pr->o.sci_mode == CT_SCI_ON;
}

/* _Formatter.format: the text right-aligned to max_width. */
static void format_elem(printer *pr, const char *p) {
    pr->tmp.len = 0;
    if (pr->floating) {
        float_text(&pr->tmp, pr->tr->load_double(p), pr->sci_mode ? 'e' : pr->int_mode ? 'i' : 'f', pr->o.precision);
    } else {
        int_text(&pr->tmp, pr, p);
    }
    if (pr->tmp.failed) {
        pr->out.failed = true;
        return;
    }
    sb_chars(&pr->out, ' ', pr->max_width - (int64_t)pr->tmp.len);
    sb_putn(&pr->out, pr->tmp.s, pr->tmp.len);
}

/* ---- layout (_vector_str, _tensor_str_with_formatter) -------------------- */

static void vector_str(printer *pr, const char *p, int64_t indent) {
    const ct_tensor *t = pr->t;
    int d = t->ndim - 1;
    int64_t n = t->sizes[d], e = pr->o.edgeitems;
    int64_t step = t->strides[d] * (int64_t)pr->tr->itemsize;
    int64_t element_length = pr->max_width + 2;
    double per = floor((double)(pr->o.linewidth - indent) / (double)element_length);
    int64_t per_line = per < 1 ? 1 : (int64_t)per;
    int64_t k = 0; /* items written, " ..." included */
    sb_putn(&pr->out, "[", 1);
#define CT_NEXT_ITEM()                                                                                                 \
    do {                                                                                                               \
        if (k > 0 && k % per_line == 0) {                                                                              \
            sb_putn(&pr->out, ",\n", 2);                                                                               \
            sb_chars(&pr->out, ' ', indent + 1);                                                                       \
        } else if (k > 0) {                                                                                            \
            sb_putn(&pr->out, ", ", 2);                                                                                \
        }                                                                                                              \
        k++;                                                                                                           \
    } while (0)
    if (pr->summarize && n > 2 * e) {
        for (int64_t i = 0; i < e; i++) {
            CT_NEXT_ITEM();
            format_elem(pr, p + i * step);
        }
        CT_NEXT_ITEM();
        sb_puts(&pr->out, " ...");
        for (int64_t i = e == 0 ? 0 : n - e; i < n; i++) { /* self[-e:] */
            CT_NEXT_ITEM();
            format_elem(pr, p + i * step);
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            CT_NEXT_ITEM();
            format_elem(pr, p + i * step);
        }
    }
#undef CT_NEXT_ITEM
    sb_putn(&pr->out, "]", 1);
}

static void tensor_str(printer *pr, int d, const char *p, int64_t indent) {
    const ct_tensor *t = pr->t;
    int dim = t->ndim - d;
    if (dim == 0) {
        format_elem(pr, p);
        return;
    }
    if (dim == 1) {
        vector_str(pr, p, indent);
        return;
    }
    int64_t n = t->sizes[d], e = pr->o.edgeitems;
    int64_t step = t->strides[d] * (int64_t)pr->tr->itemsize;
    bool cut = pr->summarize && n > 2 * e;
    int64_t k = 0;
    sb_putn(&pr->out, "[", 1);
    for (int64_t i = 0; i < n; i++) {
        if (cut && i == e) {
            if (k++ > 0) {
                sb_putn(&pr->out, ",", 1);
                sb_chars(&pr->out, '\n', dim - 1);
                sb_chars(&pr->out, ' ', indent + 1);
            }
            sb_puts(&pr->out, "...");
            i = n - e - 1;
            continue;
        }
        if (k++ > 0) {
            sb_putn(&pr->out, ",", 1);
            sb_chars(&pr->out, '\n', dim - 1);
            sb_chars(&pr->out, ' ', indent + 1);
        }
        tensor_str(pr, d + 1, p + i * step, indent + 1);
    }
    sb_putn(&pr->out, "]", 1);
}

/* ---- suffixes (_add_suffixes) and the whole repr (_str_intern) ------------ */

#define CT_MAX_SUFFIXES 4
#define CT_SUFFIX_LEN 512

static void add_suffixes(sbuf *b, char suffixes[][CT_SUFFIX_LEN], int n, int64_t indent, int64_t linewidth) {
    const char *nl = b->s ? strrchr(b->s, '\n') : NULL;
    int64_t pos = nl ? (int64_t)(nl - b->s) : -1;
    int64_t last_line_len = (int64_t)b->len - pos + 1;
    for (int i = 0; i < n; i++) {
        int64_t len = (int64_t)strlen(suffixes[i]);
        if (last_line_len + len + 2 > linewidth) {
            sb_putn(b, ",\n", 2);
            sb_chars(b, ' ', indent);
            last_line_len = indent + len;
        } else {
            sb_putn(b, ", ", 2);
            last_line_len += len + 2;
        }
        sb_puts(b, suffixes[i]);
    }
    sb_putn(b, ")", 1);
}

/* str(tuple(shape)): "(2, 0)", "(0,)". */
static void shape_tuple(char *buf, size_t cap, const ct_tensor *t) {
    size_t n = (size_t)snprintf(buf, cap, "size=(");
    for (int d = 0; d < t->ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, d ? ", %" PRId64 : "%" PRId64, t->sizes[d]);
    if (n < cap) snprintf(buf + n, cap - n, t->ndim == 1 ? ",)" : ")");
}

char *ct_to_string(const ct_tensor *t) {
    if (!t) return NULL;
    printer pr = {.o = ct_get_printoptions(), .t = t, .tr = ct__traits(t->dtype)};
    const int64_t indent = 7; /* len("tensor(") */
    char suffixes[CT_MAX_SUFFIXES][CT_SUFFIX_LEN];
    int nsuf = 0;
    ct_dtype def = ct_get_default_dtype();
    int64_t numel = ct__numel(t);

    sb_puts(&pr.out, "tensor(");
    if (numel == 0) {
        /* the shape is shown unless it is (0,); the dtype unless default */
        if (t->ndim != 1) shape_tuple(suffixes[nsuf++], CT_SUFFIX_LEN, t);
        if (t->dtype != def) snprintf(suffixes[nsuf++], CT_SUFFIX_LEN, "dtype=torch.%s", pr.tr->name);
        sb_puts(&pr.out, "[]");
    } else {
        if (t->dtype != def && t->dtype != CT_INT64 && t->dtype != CT_BOOL)
            snprintf(suffixes[nsuf++], CT_SUFFIX_LEN, "dtype=torch.%s", pr.tr->name);
        pr.summarize = numel > pr.o.threshold;
        if (pr.summarize && pr.o.edgeitems == 0 && t->ndim >= 2) {
            /* get_summarized_data stacks no rows at all */
            free(pr.out.s);
            ct__error("stack expects a non-empty TensorList");
            return NULL;
        }
        formatter_init(&pr);
        tensor_str(&pr, 0, ct__data(t), indent);
    }
    const char *grad_fn = ct__print_grad_fn_name ? ct__print_grad_fn_name(t) : NULL;
    if (grad_fn)
        snprintf(suffixes[nsuf++], CT_SUFFIX_LEN, "grad_fn=<%.400s>", grad_fn);
    else if (ct_requires_grad(t))
        snprintf(suffixes[nsuf++], CT_SUFFIX_LEN, "requires_grad=True");
    add_suffixes(&pr.out, suffixes, nsuf, indent, pr.o.linewidth);

    free(pr.tmp.s);
    if (pr.out.failed || pr.tmp.failed) {
        free(pr.out.s);
        ct__error_oom(pr.out.cap * 2);
        return NULL;
    }
    return pr.out.s;
}

int ct_fprint(FILE *f, const ct_tensor *t) {
    if (!t) return CT_ERROR;
    if (!f) {
        ct__error("ct_fprint: the file must not be NULL");
        return CT_ERROR;
    }
    char *s = ct_to_string(t);
    if (!s) return CT_ERROR;
    int rc = fputs(s, f) < 0 || fputc('\n', f) == EOF ? CT_ERROR : CT_OK;
    free(s);
    if (rc != CT_OK) ct__error("ct_fprint: writing the tensor failed");
    return rc;
}

int ct_print(const ct_tensor *t) { return ct_fprint(stdout, t); }
