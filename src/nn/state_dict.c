/* state_dict: an ordered name -> tensor map, and saving / loading a module's
 * parameters and persistent buffers through it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/node.h"
#include "base/text.h"
#include "nn/module_impl.h"

/* Entries keep insertion order in keys / values; an open-addressing hash
 * table of indices (FNV-1a over the key, linear probing, at most half full)
 * makes lookups O(1), so building a dict of n entries is O(n), not O(n^2)
 * (a .pt file of 10^6 names, or a memo bomb the flattening walk caps). */
struct ct_state_dict {
    int n, cap;
    char **keys;
    ct_tensor **values;
    int *slots;  /* index + 1, 0 = empty; NULL while no entry was added */
    size_t nslots; /* power of two, >= 2 * cap */
};

static size_t hash_key(const char *k) {
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)k; *p; p++) h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h ^ (h >> 32));
}

/* the slot holding key, or the empty slot where it would go */
static size_t slot_of(const ct_state_dict *sd, const char *key) {
    size_t mask = sd->nslots - 1, i = hash_key(key) & mask;
    while (sd->slots[i] && strcmp(sd->keys[sd->slots[i] - 1], key)) i = (i + 1) & mask;
    return i;
}

/* (re)build the table with room for cap entries */
static int rehash(ct_state_dict *sd, int cap) {
    size_t ns = 16;
    while (ns < 2 * (size_t)cap) ns *= 2;
    int *slots = calloc(ns, sizeof *slots);
    if (!slots) return CT_ERROR;
    free(sd->slots);
    sd->slots = slots;
    sd->nslots = ns;
    for (int i = 0; i < sd->n; i++) sd->slots[slot_of(sd, sd->keys[i])] = i + 1;
    return CT_OK;
}

ct_state_dict *ct_state_dict_new(void) {
    ct_state_dict *sd = calloc(1, sizeof *sd);
    if (!sd) ct__error_oom(sizeof *sd);
    return sd;
}

void ct_state_dict_free(ct_state_dict *sd) {
    if (!sd) return;
    for (int i = 0; i < sd->n; i++) free(sd->keys[i]), ct__drop(sd->values[i]);
    free(sd->keys);
    free(sd->values);
    free(sd->slots);
    free(sd);
}

int ct_state_dict_size(const ct_state_dict *sd) { return sd ? sd->n : -1; }
const char *ct_state_dict_key(const ct_state_dict *sd, int i) { return sd && i >= 0 && i < sd->n ? sd->keys[i] : NULL; }
ct_tensor *ct_state_dict_value(const ct_state_dict *sd, int i) {
    return sd && i >= 0 && i < sd->n ? sd->values[i] : NULL;
}

static int index_of(const ct_state_dict *sd, const char *key) {
    if (!sd->slots) return -1;
    return sd->slots[slot_of(sd, key)] - 1;
}

ct_tensor *ct_state_dict_get(const ct_state_dict *sd, const char *key) {
    int i = sd && key ? index_of(sd, key) : -1;
    return i >= 0 ? sd->values[i] : NULL;
}

int ct_state_dict_set(ct_state_dict *sd, const char *key, const ct_tensor *t) {
    if (!sd || !key || !t) {
        if (sd && t && !key) ct__error("state_dict keys must not be NULL");
        return CT_ERROR;
    }
    ct_tensor *ref = (ct_tensor *)t;
    int i = index_of(sd, key);
    if (i >= 0) {
        atomic_fetch_add(&ref->refcount, 1);
        ct__drop(sd->values[i]);
        sd->values[i] = ref;
        return CT_OK;
    }
    if (sd->n == sd->cap) {
        int cap = sd->cap ? sd->cap * 2 : 16;
        char **k = realloc(sd->keys, (size_t)cap * sizeof *k);
        if (!k) goto oom;
        sd->keys = k;
        ct_tensor **v = realloc(sd->values, (size_t)cap * sizeof *v);
        if (!v) goto oom;
        sd->values = v;
        if (rehash(sd, cap) != CT_OK) goto oom;
        sd->cap = cap;
    }
    char *copy = ct__strdup(key);
    if (!copy) goto oom;
    atomic_fetch_add(&ref->refcount, 1);
    sd->keys[sd->n] = copy;
    sd->values[sd->n++] = ref;
    sd->slots[slot_of(sd, copy)] = sd->n;
    return CT_OK;
oom:
    ct__error_oom(0);
    return CT_ERROR;
}

int ct_state_dict_remove(ct_state_dict *sd, const char *key) {
    int i = sd && key ? index_of(sd, key) : -1;
    if (i < 0) {
        if (sd && key) ct__error("'%s'", key); /* Python's KeyError text */
        return CT_ERROR;
    }
    free(sd->keys[i]);
    ct__drop(sd->values[i]);
    memmove(&sd->keys[i], &sd->keys[i + 1], (size_t)(sd->n - i - 1) * sizeof *sd->keys);
    memmove(&sd->values[i], &sd->values[i + 1], (size_t)(sd->n - i - 1) * sizeof *sd->values);
    sd->n--;
    /* indices after i moved down: rebuild the table (removal was O(n) already) */
    memset(sd->slots, 0, sd->nslots * sizeof *sd->slots);
    for (int j = 0; j < sd->n; j++) sd->slots[slot_of(sd, sd->keys[j])] = j + 1;
    return CT_OK;
}

/* ---- module <-> state_dict ---- */

/* Visit (full key, tensor slot) for every parameter, then persistent
 * buffer, module by module in named_modules order (PyTorch's
 * _save_to_state_dict recursion). */
typedef int (*entry_fn)(const char *key, ct_tensor *t, void *ctx);

static int visit(const ct_module *m, const char *prefix, entry_fn fn, void *ctx) {
    const struct ct_module_private *p = m->priv;
    char key[1024];
    for (int i = 0; i < p->nparams; i++) {
        if (!p->params[i].t) continue;
        snprintf(key, sizeof key, "%s%s", prefix, p->params[i].name);
        if (fn(key, p->params[i].t, ctx) != CT_OK) return CT_ERROR;
    }
    for (int i = 0; i < p->nbuffers; i++) {
        if (!p->buffers[i].t || !p->buffers[i].persistent) continue;
        snprintf(key, sizeof key, "%s%s", prefix, p->buffers[i].name);
        if (fn(key, p->buffers[i].t, ctx) != CT_OK) return CT_ERROR;
    }
    for (int i = 0; i < p->nchildren; i++) {
        if (!p->children[i].m) continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s%s.", prefix, p->children[i].name);
        if (visit(p->children[i].m, sub, fn, ctx) != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

static int save_entry(const char *key, ct_tensor *t, void *ctx) {
    ct_tensor *d = ct_detach(t);
    if (!d) return CT_ERROR;
    int rc = ct_state_dict_set(ctx, key, d);
    ct_free(d);
    return rc;
}

ct_state_dict *ct_module_state_dict(const ct_module *m) {
    if (!m) return NULL;
    ct_state_dict *sd = ct_state_dict_new();
    if (sd && visit(m, "", save_entry, sd) != CT_OK) {
        ct_state_dict_free(sd);
        return NULL;
    }
    return sd;
}

void ct_key_list_free(ct_key_list *l) {
    if (!l) return;
    for (int i = 0; i < l->n; i++) free(l->keys[i]);
    free(l->keys);
    *l = (ct_key_list){0};
}

static int key_list_add(ct_key_list *l, const char *key) {
    char **k = realloc(l->keys, (size_t)(l->n + 1) * sizeof *k);
    if (!k) return CT_ERROR;
    l->keys = k;
    if (!(l->keys[l->n] = ct__strdup(key))) return CT_ERROR;
    l->n++;
    return CT_OK;
}

/* Growing error text */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void text_add(text *t, const char *piece) {
    size_t n = strlen(piece);
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->s, cap);
        if (!p) return;
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, piece, n + 1);
    t->len += n;
}

typedef struct {
    const ct_state_dict *sd;
    bool *used;
    ct_key_list missing;
    text mismatches;
    bool copy; /* second pass: copy values */
    int rc;
} load_ctx;

static int load_entry(const char *key, ct_tensor *t, void *vctx) {
    load_ctx *c = vctx;
    int i = index_of(c->sd, key);
    if (i < 0) {
        if (!c->copy && key_list_add(&c->missing, key) != CT_OK) return CT_ERROR;
        return CT_OK;
    }
    c->used[i] = true;
    ct_tensor *src = c->sd->values[i];
    bool same = src->ndim == t->ndim && !memcmp(src->sizes, t->sizes, (size_t)t->ndim * sizeof *t->sizes);
    if (!same) {
        if (!c->copy) {
            char a[300], b[300], line[800];
            snprintf(line, sizeof line,
                     "\n\tsize mismatch for %s: copying a param with shape %s from checkpoint, the shape in current "
                     "model is %s.",
                     key, ct__torch_size(a, sizeof a, src), ct__torch_size(b, sizeof b, t));
            text_add(&c->mismatches, line);
        }
        return CT_OK;
    }
    if (c->copy) {
        int rc;
        CT_NO_GRAD { rc = ct_copy_(t, src); }
        if (rc != CT_OK) return CT_ERROR;
    }
    return CT_OK;
}

int ct_module_load_state_dict(ct_module *m, const ct_state_dict *sd, bool strict, ct_key_list *missing,
                              ct_key_list *unexpected) {
    if (missing) *missing = (ct_key_list){0};
    if (unexpected) *unexpected = (ct_key_list){0};
    if (!m || !sd) return CT_ERROR;
    if (ct__lazy_load_hook(m, "", sd) != CT_OK) return CT_ERROR;
    load_ctx c = {.sd = sd, .used = calloc((size_t)sd->n + 1, sizeof(bool))};
    ct_key_list unexp = {0};
    int rc = c.used ? visit(m, "", load_entry, &c) : CT_ERROR;
    for (int i = 0; rc == CT_OK && i < sd->n; i++)
        if (!c.used[i] && key_list_add(&unexp, sd->keys[i]) != CT_OK) rc = CT_ERROR;
    if (rc != CT_OK) ct__error_oom(0);
    /* PyTorch's message: missing, then unexpected (strict only), then size mismatches */
    text msg = {0};
    if (rc == CT_OK && strict && c.missing.n) {
        text_add(&msg, "\n\tMissing key(s) in state_dict: ");
        for (int i = 0; i < c.missing.n; i++) {
            text_add(&msg, i ? ", \"" : "\"");
            text_add(&msg, c.missing.keys[i]);
            text_add(&msg, "\"");
        }
        text_add(&msg, ". ");
    }
    if (rc == CT_OK && strict && unexp.n) {
        text_add(&msg, "\n\tUnexpected key(s) in state_dict: ");
        for (int i = 0; i < unexp.n; i++) {
            text_add(&msg, i ? ", \"" : "\"");
            text_add(&msg, unexp.keys[i]);
            text_add(&msg, "\"");
        }
        text_add(&msg, ". ");
    }
    if (rc == CT_OK && c.mismatches.len) text_add(&msg, c.mismatches.s);
    if (rc == CT_OK && msg.len) {
        ct__error("Error(s) in loading state_dict for %s:%s", m->type->name, msg.s);
        rc = CT_ERROR;
    }
    if (rc == CT_OK) {
        c.copy = true;
        rc = visit(m, "", load_entry, &c);
    }
    if (rc == CT_OK && missing) *missing = c.missing;
    else ct_key_list_free(&c.missing);
    if (rc == CT_OK && unexpected) *unexpected = unexp;
    else ct_key_list_free(&unexp);
    free(msg.s);
    free(c.mismatches.s);
    free(c.used);
    return rc;
}
