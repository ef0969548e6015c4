/* repr(module): torch.nn.Module.__repr__ (extra_repr lines, then each
 * child indented by two spaces). */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "nn/module_impl.h"

typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
} sbuf;

static void put(sbuf *b, const char *piece, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, piece, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

/* _addindent(s, 2): every line after the first gets two spaces */
static void put_indented(sbuf *b, const char *s) {
    const char *nl;
    while ((nl = strchr(s, '\n'))) {
        put(b, s, (size_t)(nl - s + 1));
        puts_(b, "  ");
        s = nl + 1;
    }
    puts_(b, s);
}

static char *repr(const ct_module *m) {
    sbuf b = {0};
    char extra[4096] = "";
    if (m->type->extra_repr) m->type->extra_repr(m, extra, sizeof extra);
    const struct ct_module_private *p = m->priv;
    int n_extra_lines = 0;
    if (*extra) {
        n_extra_lines = 1;
        for (const char *c = extra; *c; c++) n_extra_lines += *c == '\n';
    }
    puts_(&b, m->type->name);
    puts_(&b, "(");
    if (n_extra_lines == 1 && p->nchildren == 0) {
        puts_(&b, extra);
    } else if (n_extra_lines || p->nchildren) {
        if (n_extra_lines) {
            puts_(&b, "\n  ");
            put_indented(&b, extra); /* lines joined by "\n  " */
        }
        for (int i = 0; i < p->nchildren; i++) {
            puts_(&b, "\n  (");
            puts_(&b, p->children[i].name);
            puts_(&b, "): ");
            char *child = p->children[i].m ? repr(p->children[i].m) : ct__strdup("None");
            if (!child) {
                b.failed = true;
                break;
            }
            put_indented(&b, child);
            free(child);
        }
        puts_(&b, "\n");
    }
    puts_(&b, ")");
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

char *ct_module_to_string(const ct_module *m) {
    if (!m) return NULL;
    char *s = repr(m);
    if (!s) ct__error_oom(0);
    return s;
}

int ct_module_print(const ct_module *m) {
    char *s = ct_module_to_string(m);
    if (!s) return CT_ERROR;
    puts(s);
    free(s);
    return CT_OK;
}
