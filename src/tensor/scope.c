/* Scopes: per-thread stacks of tracked references (ctorch/scope.h). */
#include <stdlib.h>

#include "ctorch/scope.h"
#include "tensor/tensor_impl.h"

typedef struct scope {
    ct_tensor **items;
    size_t len, cap;
} scope;

static _Thread_local scope *tl_scopes;
static _Thread_local int tl_depth, tl_cap;

int ct_scope_depth(void) { return tl_depth; }

int ct_scope_begin(void) {
    if (tl_depth == tl_cap) {
        int cap = tl_cap ? tl_cap * 2 : 8;
        scope *s = realloc(tl_scopes, (size_t)cap * sizeof *s);
        if (!s) {
            ct__error_oom((size_t)cap * sizeof *s);
            return CT_ERROR;
        }
        tl_scopes = s;
        tl_cap = cap;
    }
    tl_scopes[tl_depth++] = (scope){0};
    return tl_depth;
}

static int push(scope *s, ct_tensor *t) {
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        ct_tensor **items = realloc(s->items, cap * sizeof *items);
        if (!items) return -1;
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = t;
    return 0;
}

/* Remove the most recent entry for t (frees by hand usually come in
 * reverse order of creation, so the search from the end is short). */
static bool remove_last(scope *s, ct_tensor *t) {
    for (size_t i = s->len; i-- > 0;) {
        if (s->items[i] == t) {
            s->items[i] = s->items[--s->len];
            return true;
        }
    }
    return false;
}

int ct__scope_track(ct_tensor *t) {
    if (!tl_depth) return 0;
    return push(&tl_scopes[tl_depth - 1], t);
}

bool ct__scope_untrack(ct_tensor *t) {
    if (!tl_depth) return false;
    return remove_last(&tl_scopes[tl_depth - 1], t);
}

int ct_scope_end(void) {
    if (!tl_depth) {
        ct__error("ct_scope_end called without a matching ct_scope_begin");
        return CT_ERROR;
    }
    scope s = tl_scopes[--tl_depth];
    for (size_t i = 0; i < s.len; i++) ct__drop(s.items[i]);
    free(s.items);
    if (!tl_depth) {
        free(tl_scopes);
        tl_scopes = NULL;
        tl_cap = 0;
    }
    return CT_OK;
}

ct_tensor *ct_scope_keep(ct_tensor *t) {
    if (!t || !tl_depth) return t;
    if (!remove_last(&tl_scopes[tl_depth - 1], t)) return t;
    if (tl_depth > 1 && push(&tl_scopes[tl_depth - 2], t) != 0) {
        /* cannot track in the outer scope: the caller owns it instead */
        ct__error_oom(sizeof t);
    }
    return t;
}
