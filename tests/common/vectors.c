/* Parity vector reader (see vectors.h). */
#include "vectors.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CT_PARITY_DIR
#error "CT_PARITY_DIR must be defined by the build"
#endif

typedef struct entry {
    char *key;
    char **toks;
    int ntoks;
    char *str; /* for key$ lines */
} entry;

struct vec_case {
    char *name;
    entry *entries;
    int nentries, cap;
};

struct vec_file {
    vec_case *cases;
    size_t ncases, cap;
};

static char *unescape(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
    return out;
}

vec_file *vec_load(const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", CT_PARITY_DIR, name);
    FILE *fp = fopen(path, "r");
    if (!fp) cr_assert_fail("cannot open parity vectors %s", path);
    vec_file *f = calloc(1, sizeof *f);
    vec_case *cur = NULL;
    size_t cap = 1 << 16;
    char *line = malloc(cap);
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len == 0 || line[0] == '#') continue;
        if (!strncmp(line, "case ", 5)) {
            if (f->ncases == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 64;
                f->cases = realloc(f->cases, f->cap * sizeof *f->cases);
            }
            cur = &f->cases[f->ncases++];
            memset(cur, 0, sizeof *cur);
            cur->name = strdup(line + 5);
            continue;
        }
        if (!strcmp(line, "end")) {
            cur = NULL;
            continue;
        }
        if (!cur) cr_assert_fail("%s: line outside a case: %.60s", path, line);
        if (cur->nentries == cur->cap) {
            cur->cap = cur->cap ? cur->cap * 2 : 8;
            cur->entries = realloc(cur->entries, (size_t)cur->cap * sizeof *cur->entries);
        }
        entry *e = &cur->entries[cur->nentries++];
        memset(e, 0, sizeof *e);
        char *sp = strchr(line, ' ');
        size_t klen = sp ? (size_t)(sp - line) : strlen(line);
        e->key = strndup(line, klen);
        const char *rest = sp ? sp + 1 : "";
        if (klen > 0 && e->key[klen - 1] == '$') {
            e->key[klen - 1] = 0;
            e->str = unescape(rest);
            continue;
        }
        char *copy = strdup(rest), *save = NULL;
        int tcap = 16;
        e->toks = malloc((size_t)tcap * sizeof *e->toks);
        for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
            if (e->ntoks == tcap) {
                tcap *= 2;
                e->toks = realloc(e->toks, (size_t)tcap * sizeof *e->toks);
            }
            e->toks[e->ntoks++] = strdup(tok);
        }
        free(copy);
    }
    free(line);
    fclose(fp);
    return f;
}

void vec_free(vec_file *f) {
    if (!f) return;
    for (size_t i = 0; i < f->ncases; i++) {
        vec_case *c = &f->cases[i];
        for (int j = 0; j < c->nentries; j++) {
            entry *e = &c->entries[j];
            for (int k = 0; k < e->ntoks; k++) free(e->toks[k]);
            free(e->toks);
            free(e->str);
            free(e->key);
        }
        free(c->entries);
        free(c->name);
    }
    free(f->cases);
    free(f);
}

size_t vec_count(const vec_file *f) { return f->ncases; }
const vec_case *vec_at(const vec_file *f, size_t i) { return &f->cases[i]; }
const char *vec_name(const vec_case *c) { return c->name; }

const vec_case *vec_find(const vec_file *f, const char *name) {
    for (size_t i = 0; i < f->ncases; i++)
        if (!strcmp(f->cases[i].name, name)) return &f->cases[i];
    return NULL;
}

static const entry *find(const vec_case *c, const char *key) {
    for (int i = 0; i < c->nentries; i++)
        if (!strcmp(c->entries[i].key, key)) return &c->entries[i];
    return NULL;
}

bool vec_has(const vec_case *c, const char *key) { return find(c, key) != NULL; }

int vec_len(const vec_case *c, const char *key) {
    const entry *e = find(c, key);
    return e ? e->ntoks : 0;
}

const char *vec_tok(const vec_case *c, const char *key, int i) {
    const entry *e = find(c, key);
    if (!e) cr_assert_fail("case %s: no key %s", c->name, key);
    if (i < 0 || i >= e->ntoks) cr_assert_fail("case %s: key %s has no token %d", c->name, key, i);
    return e->toks[i];
}

int64_t vec_int(const vec_case *c, const char *key, int i) { return strtoll(vec_tok(c, key, i), NULL, 10); }

double vec_double(const vec_case *c, const char *key, int i) {
    const char *t = vec_tok(c, key, i);
    if (!strcmp(t, "nan")) return NAN;
    if (!strcmp(t, "-nan")) return -NAN;
    if (!strcmp(t, "inf")) return INFINITY;
    if (!strcmp(t, "-inf")) return -INFINITY;
    return strtod(t, NULL);
}

uint64_t vec_hex(const vec_case *c, const char *key, int i) { return strtoull(vec_tok(c, key, i), NULL, 16); }

const char *vec_str(const vec_case *c, const char *key) {
    const entry *e = find(c, key);
    if (!e || !e->str) cr_assert_fail("case %s: no string key %s", c->name, key);
    return e->str;
}

int vec_ints(const vec_case *c, const char *key, int64_t *out, int max) {
    int n = vec_len(c, key);
    if (n > max) n = max;
    for (int i = 0; i < n; i++) out[i] = vec_int(c, key, i);
    return n;
}
