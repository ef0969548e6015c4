/* Scopes: per-thread stacks of tracked references (ctorch/scope.h). */
#include <pthread.h>
#include <stdlib.h>

#include "ctorch/scope.h"
#include "tensor/tensor_impl.h"

typedef struct scope {
    ct_tensor **items;
    size_t len, cap;
} scope;

static _Thread_local scope *tl_scopes;
static _Thread_local int tl_depth, tl_cap;

/* The per-depth arrays outlive the outermost scope (a training loop opens
 * and closes one per step: no malloc then), up to KEEP_ITEMS entries each;
 * a thread's arrays are freed when it ends (pthread key destructor). */
#define KEEP_ITEMS 4096
static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;
static bool tl_key_ok;
static _Thread_local bool tl_registered;

static void free_scopes(void *unused) {
    (void)unused;
    for (int i = 0; i < tl_cap; i++) free(tl_scopes[i].items);
    free(tl_scopes);
    tl_scopes = NULL;
    tl_cap = tl_depth = 0;
}
static void key_create(void) { tl_key_ok = pthread_key_create(&tl_key, free_scopes) == 0; }

/* true when this thread's arrays will be freed at its end */
static bool registered(void) {
    if (!tl_registered) {
        pthread_once(&tl_once, key_create);
        tl_registered = tl_key_ok && pthread_setspecific(tl_key, (void *)1) == 0;
    }
    return tl_registered;
}

int ct_scope_depth(void) { return tl_depth; }

/* An inner scope's item array stays with its depth when the scope ends
 * and serves the next scope opened at that depth (the scopes an op opens
 * inside a training step's scope then allocate nothing); everything is
 * freed when the outermost scope ends. */
int ct_scope_begin(void) {
    if (tl_depth == tl_cap) {
        int cap = tl_cap ? tl_cap * 2 : 8;
        scope *s = realloc(tl_scopes, (size_t)cap * sizeof *s);
        if (!s) {
            ct__error_oom((size_t)cap * sizeof *s);
            return CT_ERROR;
        }
        for (int i = tl_cap; i < cap; i++) s[i] = (scope){0};
        tl_scopes = s;
        tl_cap = cap;
    }
    tl_scopes[tl_depth++].len = 0;
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
    scope *s = &tl_scopes[--tl_depth];
    /* a drop may run code that opens a scope at this depth again (a hook):
     * take the entries out first */
    ct_tensor **items = s->items;
    size_t len = s->len, cap = s->cap;
    *s = (scope){0};
    for (size_t i = 0; i < len; i++) ct__drop(items[i]);
    if (!tl_depth && (!registered() || cap > KEEP_ITEMS)) {
        free(items);
        free_scopes(NULL);
    } else if (cap <= KEEP_ITEMS && tl_scopes && !tl_scopes[tl_depth].items) {
        tl_scopes[tl_depth] = (scope){items, 0, cap}; /* kept for the next scope at this depth */
    } else {
        free(items);
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
