/* The restricted unpickler (spec §2, §3, §7): protocol-2 opcodes that build
 * plain containers, an exact allow-list of GLOBALs mapped to an enum, and
 * tensors rebuilt from storages by key. Nothing is ever executed; every read
 * is bounds-checked; stack, MARK depth and memo are capped. Values live in
 * an arena freed with the unpickler, so memo aliasing (shared or cyclic
 * containers) needs no reference counting; the flattening walk caps depth
 * and nodes visited. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_impl.h"

#define MAX_STACK (1u << 20)
#define MAX_MARKS 4096
#define MAX_MEMO (1u << 20)
#define MAX_WALK_DEPTH 64
#define MAX_WALK_NODES (1u << 20)
#define MAX_GLOBAL_LINE 256

struct ct_unpickler {
    ct_pv **arena;
    size_t n_arena, cap_arena;
    ct_pv **stack;
    size_t sp, cap_stack;
    size_t marks[MAX_MARKS];
    size_t n_marks;
    ct_pv **memo;
    size_t n_memo;
    ct_pv_storage **st;
    size_t n_st, cap_st;
    ct_storage_fill_fn fill;
    void *ctx;
    bool legacy;
    uint64_t budget; /* bytes storages may still allocate without a fill (legacy) */
};

static bool grow(void **p, size_t *cap, size_t need, size_t elsize);

ct_unpickler *ct__unpickler_new(ct_storage_fill_fn fill, void *ctx, bool legacy) {
    ct_unpickler *u = calloc(1, sizeof *u);
    if (!u) {
        ct__error_oom(sizeof *u);
        return NULL;
    }
    u->fill = fill;
    u->ctx = ctx;
    u->legacy = legacy;
    u->budget = UINT64_MAX;
    /* a stack from the start: pop_mark returns a view of it even when empty
     * (found by fuzz_pickle: NULL + 0 is undefined behaviour) */
    if (!grow((void **)&u->stack, &u->cap_stack, 64, sizeof *u->stack)) {
        free(u);
        return NULL;
    }
    return u;
}

static void pv_release(ct_pv *v) {
    if (v->kind == PV_STR) free(v->u.str.s);
    if (v->kind == PV_TUPLE || v->kind == PV_LIST || v->kind == PV_DICT) free(v->u.seq.items);
    if (v->kind == PV_TENSOR) ct__drop(v->u.t);
    free(v);
}

void ct__unpickler_free(ct_unpickler *u) {
    if (!u) return;
    for (size_t i = 0; i < u->n_arena; i++) pv_release(u->arena[i]);
    for (size_t i = 0; i < u->n_st; i++) {
        ct__storage_release(u->st[i]->s);
        free(u->st[i]);
    }
    free(u->arena);
    free(u->stack);
    free(u->memo);
    free(u->st);
    free(u);
}

size_t ct__unpickler_nstorages(const ct_unpickler *u) { return u->n_st; }
void ct__unpickler_limit(ct_unpickler *u, uint64_t max_bytes) { u->budget = max_bytes; }
ct_pv_storage *ct__unpickler_storage(ct_unpickler *u, size_t i) { return u->st[i]; }

static bool grow(void **p, size_t *cap, size_t need, size_t elsize) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elsize);
    if (!q) {
        ct__error_oom(c * elsize);
        return false;
    }
    *p = q;
    *cap = c;
    return true;
}

static ct_pv *pv_new(ct_unpickler *u, int kind) {
    if (!grow((void **)&u->arena, &u->cap_arena, u->n_arena + 1, sizeof *u->arena)) return NULL;
    ct_pv *v = calloc(1, sizeof *v);
    if (!v) {
        ct__error_oom(sizeof *v);
        return NULL;
    }
    v->kind = kind;
    u->arena[u->n_arena++] = v;
    return v;
}

static bool seq_push(ct_pv *s, ct_pv *item) {
    if (!grow((void **)&s->u.seq.items, &s->u.seq.cap, s->u.seq.n + 1, sizeof(ct_pv *))) return false;
    s->u.seq.items[s->u.seq.n++] = item;
    return true;
}

static bool push(ct_unpickler *u, ct_pv *v) {
    if (!v) return false;
    if (u->sp >= MAX_STACK) {
        ct__error("Weights only load failed: pickle stack exceeds %u entries", MAX_STACK);
        return false;
    }
    if (!grow((void **)&u->stack, &u->cap_stack, u->sp + 1, sizeof *u->stack)) return false;
    u->stack[u->sp++] = v;
    return true;
}

static size_t floor_of(const ct_unpickler *u) { return u->n_marks ? u->marks[u->n_marks - 1] : 0; }

static ct_pv *pop(ct_unpickler *u) {
    if (u->sp <= floor_of(u)) {
        ct__error("Weights only load failed: unpickling stack underflow");
        return NULL;
    }
    return u->stack[--u->sp];
}

static ct_pv *top(ct_unpickler *u) {
    if (u->sp <= floor_of(u)) {
        ct__error("Weights only load failed: unpickling stack underflow");
        return NULL;
    }
    return u->stack[u->sp - 1];
}

/* pop everything above the last MARK into out[0..*n) (a view of the stack) */
static ct_pv **pop_mark(ct_unpickler *u, size_t *n) {
    if (!u->n_marks) {
        ct__error("Weights only load failed: could not find MARK");
        return NULL;
    }
    size_t m = u->marks[--u->n_marks];
    *n = u->sp - m;
    u->sp = m;
    return u->stack + m;
}

static ct_pv *make_tuple(ct_unpickler *u, ct_pv **items, size_t n) {
    ct_pv *t = pv_new(u, PV_TUPLE);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++)
        if (!seq_push(t, items[i])) return NULL;
    return t;
}


static bool dict_set(ct_pv *d, ct_pv *k, ct_pv *v) {
    if (d->kind != PV_DICT) {
        ct__error("Weights only load failed: SETITEM on a non-dict object");
        return false;
    }
    if (k->kind != PV_STR && k->kind != PV_INT) {
        ct__error("Weights only load failed: dict keys must be str or int");
        return false;
    }
    return seq_push(d, k) && seq_push(d, v);
}

static ct_pv *new_str(ct_unpickler *u, const uint8_t *s, size_t n) {
    ct_pv *v = pv_new(u, PV_STR);
    if (!v) return NULL;
    v->u.str.s = malloc(n + 1);
    if (!v->u.str.s) {
        ct__error_oom(n + 1);
        return NULL;
    }
    memcpy(v->u.str.s, s, n);
    v->u.str.s[n] = 0;
    v->u.str.n = n;
    return v;
}

static ct_pv *new_int(ct_unpickler *u, int64_t i) {
    ct_pv *v = pv_new(u, PV_INT);
    if (v) v->u.i = i;
    return v;
}

static ct_pv *global(ct_unpickler *u, const char *mod, const char *name) {
    int which = -1;
    ct_dtype dt = CT_DTYPE_DEFAULT;
    bool untyped = false;
    if (!strcmp(mod, "collections") && !strcmp(name, "OrderedDict"))
        which = G_ORDERED_DICT;
    else if (!strcmp(mod, "torch._utils")) {
        if (!strcmp(name, "_rebuild_tensor_v2")) which = G_REBUILD_V2;
        else if (!strcmp(name, "_rebuild_tensor_v3")) which = G_REBUILD_V3;
        else if (!strcmp(name, "_rebuild_parameter")) which = G_REBUILD_PARAM;
        else if (!strcmp(name, "_rebuild_parameter_with_state")) which = G_REBUILD_PARAM_STATE;
    } else if (!strcmp(mod, "torch")) {
        size_t n = strlen(name);
        if (!strcmp(name, "UntypedStorage")) {
            which = G_STORAGE, dt = CT_UINT8, untyped = true;
        } else if (n > 7 && !strcmp(name + n - 7, "Storage")) {
            dt = ct__dtype_from_storage_name(name, n);
            if (dt == CT_DTYPE_DEFAULT) {
                ct__error("unsupported storage type torch.%s", name);
                return NULL;
            }
            which = G_STORAGE;
        } else if ((dt = ct__dtype_from_storage_name(name, n)) != CT_DTYPE_DEFAULT && strchr(name, '_') == NULL &&
                   strcmp(name, "float") && strcmp(name, "double") && strcmp(name, "half") &&
                   strcmp(name, "long") && strcmp(name, "int") && strcmp(name, "short")) {
            which = G_DTYPE;
        } else if (!strcmp(name, "complex64") || !strcmp(name, "complex128") || !strcmp(name, "cfloat") ||
                   !strcmp(name, "cdouble")) {
            ct__error("unsupported dtype torch.%s", name);
            return NULL;
        }
    }
    if (which < 0) {
        ct__error("Weights only load failed: Unsupported class %s.%s", mod, name);
        return NULL;
    }
    ct_pv *v = pv_new(u, PV_GLOBAL);
    if (!v) return NULL;
    v->u.g.which = which;
    v->u.g.dtype = dt;
    v->u.g.untyped = untyped;
    return v;
}

/* persistent_load: ('storage', cls, key, location, numel[, None]) */
static ct_pv *persistent_load(ct_unpickler *u, ct_pv *pid) {
    size_t want = u->legacy ? 6 : 5;
    if (pid->kind != PV_TUPLE || pid->u.seq.n != want) goto bad;
    ct_pv **a = pid->u.seq.items;
    if (a[0]->kind != PV_STR || strcmp(a[0]->u.str.s, "storage") || a[1]->kind != PV_GLOBAL ||
        a[1]->u.g.which != G_STORAGE || a[2]->kind != PV_STR || a[3]->kind != PV_STR || a[4]->kind != PV_INT)
        goto bad;
    if (u->legacy && a[5]->kind != PV_NONE) {
        ct__error("legacy storage views are not supported");
        return NULL;
    }
    if (a[2]->u.str.n == 0 || a[2]->u.str.n > 64 || strchr(a[2]->u.str.s, '/') || a[2]->u.str.n != strlen(a[2]->u.str.s)) {
        ct__error("invalid storage key in persistent id");
        return NULL;
    }
    int64_t numel = a[4]->u.i;
    ct_dtype dt = a[1]->u.g.dtype;
    if (numel < 0) {
        ct__error("negative storage size %lld", (long long)numel);
        return NULL;
    }
    const char *key = a[2]->u.str.s;
    ct_pv_storage *st = NULL;
    for (size_t i = 0; i < u->n_st; i++)
        if (!strcmp(u->st[i]->key, key)) st = u->st[i];
    if (st) {
        /* untyped storages carry no dtype: v3 fixes it when the tensor is built */
        int64_t nbytes = numel * (int64_t)ct__traits(dt)->itemsize;
        if ((!a[1]->u.g.untyped && st->dtype != dt) ||
            nbytes != st->numel * (int64_t)ct__traits(st->dtype)->itemsize) {
            ct__error("storage %s is declared with two different types or sizes", key);
            return NULL;
        }
    } else {
        size_t item = ct__traits(dt)->itemsize;
        if ((uint64_t)numel > (uint64_t)INT64_MAX / item) {
            ct__error("storage %s: size %lld overflows", key, (long long)numel);
            return NULL;
        }
        if (!grow((void **)&u->st, &u->cap_st, u->n_st + 1, sizeof *u->st)) return NULL;
        st = calloc(1, sizeof *st);
        if (!st) {
            ct__error_oom(sizeof *st);
            return NULL;
        }
        u->st[u->n_st++] = st;
        memcpy(st->key, key, a[2]->u.str.n + 1);
        st->dtype = dt;
        st->numel = numel;
        if (u->fill) {
            /* the fill checks the record length before allocating */
            if (u->fill(u->ctx, st) != CT_OK) return NULL;
        } else {
            /* legacy: the bytes follow the pickles, so a storage larger than
             * what is left of the file is refused before allocating */
            uint64_t bytes = (uint64_t)numel * item;
            if (bytes > u->budget) {
                ct__error("storage %s declares %lld elements (%llu bytes), more than the file holds", key,
                          (long long)numel, (unsigned long long)bytes);
                return NULL;
            }
            u->budget -= bytes;
            st->s = ct__storage_new((size_t)numel * item);
            if (!st->s) return NULL;
        }
    }
    ct_pv *v = pv_new(u, PV_STORAGE);
    if (v) v->u.st = st;
    return v;
bad:
    ct__error("Weights only load failed: unsupported persistent id (expected ('storage', "
              "<StorageClass>, key, location, numel))");
    return NULL;
}

static bool int_tuple(const ct_pv *v, int64_t *out, int *n) {
    if (v->kind != PV_TUPLE) return false;
    if (v->u.seq.n > CT_MAX_DIMS) {
        ct__error("tensor has %zu dimensions; at most %d are supported", v->u.seq.n, CT_MAX_DIMS);
        return false;
    }
    for (size_t i = 0; i < v->u.seq.n; i++) {
        if (v->u.seq.items[i]->kind != PV_INT) return false;
        out[i] = v->u.seq.items[i]->u.i;
    }
    *n = (int)v->u.seq.n;
    return true;
}

/* _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
 * _rebuild_tensor_v3(..., dtype[, metadata]) */
static ct_pv *rebuild_tensor(ct_unpickler *u, bool v3, ct_pv *args) {
    size_t n = args->u.seq.n, lo = v3 ? 7 : 6;
    ct_pv **a = args->u.seq.items;
    int64_t size[CT_MAX_DIMS], stride[CT_MAX_DIMS];
    int nd = 0, ns = 0;
    ct_pv_storage *st = NULL;
    int64_t snumel = 0;
    if (n < lo || n > lo + 1 || a[0]->kind != PV_STORAGE || a[1]->kind != PV_INT) goto bad;
    if (!int_tuple(a[2], size, &nd) || !int_tuple(a[3], stride, &ns)) {
        if (ct_last_error() && strstr(ct_last_error(), "dimensions")) return NULL;
        goto bad;
    }
    if (a[4]->kind != PV_BOOL || nd != ns) goto bad;
    st = a[0]->u.st;
    ct_dtype dt = st->dtype;
    snumel = st->numel;
    if (v3) {
        if (a[6]->kind != PV_GLOBAL || a[6]->u.g.which != G_DTYPE) goto bad;
        dt = a[6]->u.g.dtype;
        size_t item = ct__traits(dt)->itemsize;
        int64_t bytes = st->numel * (int64_t)ct__traits(st->dtype)->itemsize;
        if (bytes % (int64_t)item) {
            ct__error("storage %s of %lld bytes does not hold whole %s elements", st->key, (long long)bytes,
                      ct__traits(dt)->name);
            return NULL;
        }
        snumel = bytes / (int64_t)item;
    }
    int64_t off = a[1]->u.i, numel = 1, last = 0;
    if (off < 0) goto range;
    for (int i = 0; i < nd; i++) {
        if (size[i] < 0 || stride[i] < 0) {
            ct__error("invalid tensor geometry: negative size or stride");
            return NULL;
        }
        if (size[i] == 0) numel = 0;
        else if (numel && __builtin_mul_overflow(numel, size[i], &numel)) goto range;
    }
    if (numel > 0) {
        for (int i = 0; i < nd; i++) {
            int64_t step;
            if (__builtin_mul_overflow(size[i] - 1, stride[i], &step) || __builtin_add_overflow(last, step, &last))
                goto range;
        }
        if (__builtin_add_overflow(last, off, &last) || last >= snumel) goto range;
    } else if (off > snumel) {
        goto range;
    }
    ct_tensor *t = ct__tensor_make(st->s, dt, nd, size, stride, off);
    if (!t) return NULL;
    ct__scope_untrack(t);
    ct_pv *v = pv_new(u, PV_TENSOR);
    if (!v) {
        ct__drop(t);
        return NULL;
    }
    v->u.t = t;
    if (a[4]->u.b && ct__traits(dt)->is_floating && ct_requires_grad_(t, true) != CT_OK) return NULL;
    return v;
range:
    ct__error("tensor view (offset %lld) lies outside its storage %s of %lld elements", (long long)a[1]->u.i,
              st->key, (long long)snumel);
    return NULL;
bad:
    ct__error("Weights only load failed: invalid arguments to torch._utils._rebuild_tensor_%s", v3 ? "v3" : "v2");
    return NULL;
}

static ct_pv *reduce(ct_unpickler *u, ct_pv *f, ct_pv *args) {
    if (f->kind != PV_GLOBAL || args->kind != PV_TUPLE) {
        ct__error("Weights only load failed: REDUCE on a non-callable object");
        return NULL;
    }
    size_t n = args->u.seq.n;
    ct_pv **a = args->u.seq.items;
    switch (f->u.g.which) {
    case G_ORDERED_DICT:
        if (n != 0) break;
        return pv_new(u, PV_DICT);
    case G_REBUILD_V2:
        return rebuild_tensor(u, false, args);
    case G_REBUILD_V3:
        return rebuild_tensor(u, true, args);
    case G_REBUILD_PARAM:
    case G_REBUILD_PARAM_STATE:
        if (n != (f->u.g.which == G_REBUILD_PARAM ? 3u : 4u) || a[0]->kind != PV_TENSOR || a[1]->kind != PV_BOOL)
            break;
        if (a[1]->u.b != ct_requires_grad(a[0]->u.t)) {
            if (a[1]->u.b && !ct__traits(a[0]->u.t->dtype)->is_floating) {
                ct__error("only Tensors of floating point dtype can require gradients");
                return NULL;
            }
            if (ct_requires_grad_(a[0]->u.t, a[1]->u.b) != CT_OK) return NULL;
        }
        return a[0];
    default:
        break;
    }
    ct__error("Weights only load failed: invalid call in the pickle (a GLOBAL used with the wrong arguments)");
    return NULL;
}

#define NEED(k)                                                                                      \
    do {                                                                                             \
        if ((size_t)(end - p) < (size_t)(k)) {                                                       \
            ct__error("Weights only load failed: pickle data was truncated");                       \
            goto fail;                                                                               \
        }                                                                                            \
    } while (0)

static bool memo_put(ct_unpickler *u, uint64_t idx) {
    if (idx >= MAX_MEMO) {
        ct__error("Weights only load failed: memo index %llu out of range", (unsigned long long)idx);
        return false;
    }
    ct_pv *v = top(u);
    if (!v) return false;
    if (idx >= u->n_memo) {
        size_t n = u->n_memo ? u->n_memo : 64;
        while (n <= idx) n *= 2;
        if (n > MAX_MEMO) n = MAX_MEMO;
        ct_pv **m = realloc(u->memo, n * sizeof *m);
        if (!m) {
            ct__error_oom(n * sizeof *m);
            return false;
        }
        memset(m + u->n_memo, 0, (n - u->n_memo) * sizeof *m);
        u->memo = m;
        u->n_memo = n;
    }
    u->memo[idx] = v;
    return true;
}

static ct_pv *memo_get(ct_unpickler *u, uint64_t idx) {
    if (idx >= u->n_memo || !u->memo[idx]) {
        ct__error("Weights only load failed: Memo value not found at index %llu", (unsigned long long)idx);
        return NULL;
    }
    return u->memo[idx];
}

ct_pv *ct__unpickle(ct_unpickler *u, const uint8_t *data, size_t n, size_t *used) {
    const uint8_t *p = data, *end = data + n;
    u->sp = 0;
    u->n_marks = 0;
    for (size_t i = 0; i < u->n_memo; i++) u->memo[i] = NULL;
    for (;;) {
        NEED(1);
        uint8_t op = *p++;
        ct_pv *v = NULL, *k = NULL, *x = NULL;
        ct_pv **items;
        size_t cnt;
        switch (op) {
        case 0x80: /* PROTO */
            NEED(1);
            if (*p > 5) {
                ct__error("unsupported pickle protocol: %d", *p);
                goto fail;
            }
            p++;
            break;
        case '.': /* STOP */
            if (u->n_marks || u->sp != 1) {
                ct__error("Weights only load failed: unexpected STOP (stack of %zu values%s)", u->sp,
                          u->n_marks ? ", open MARK" : "");
                goto fail;
            }
            if (used)
                *used = (size_t)(p - data);
            else if (p != end) {
                ct__error("Weights only load failed: %zu trailing bytes after the pickle's STOP",
                          (size_t)(end - p));
                goto fail;
            }
            return u->stack[0];
        case '(': /* MARK */
            if (u->n_marks >= MAX_MARKS) {
                ct__error("Weights only load failed: more than %d nested MARKs", MAX_MARKS);
                goto fail;
            }
            u->marks[u->n_marks++] = u->sp;
            break;
        case ')':
            if (!push(u, pv_new(u, PV_TUPLE))) goto fail;
            break;
        case 't':
            if (!(items = pop_mark(u, &cnt)) || !push(u, make_tuple(u, items, cnt))) goto fail;
            break;
        case 0x85:
        case 0x86:
        case 0x87: {
            size_t m = (size_t)(op - 0x84);
            if (u->sp < floor_of(u) + m) {
                ct__error("Weights only load failed: unpickling stack underflow");
                goto fail;
            }
            u->sp -= m;
            if (!push(u, make_tuple(u, u->stack + u->sp, m))) goto fail;
            break;
        }
        case '}':
            if (!push(u, pv_new(u, PV_DICT))) goto fail;
            break;
        case ']':
            if (!push(u, pv_new(u, PV_LIST))) goto fail;
            break;
        case 's':
            if (!(v = pop(u)) || !(k = pop(u)) || !(x = top(u)) || !dict_set(x, k, v)) goto fail;
            break;
        case 'u':
            if (!(items = pop_mark(u, &cnt)) || !(x = top(u))) goto fail;
            if (cnt % 2) {
                ct__error("Weights only load failed: odd number of items for SETITEMS");
                goto fail;
            }
            for (size_t i = 0; i < cnt; i += 2)
                if (!dict_set(x, items[i], items[i + 1])) goto fail;
            break;
        case 'a':
            if (!(v = pop(u)) || !(x = top(u))) goto fail;
            if (x->kind != PV_LIST) goto not_list;
            if (!seq_push(x, v)) goto fail;
            break;
        case 'e':
            if (!(items = pop_mark(u, &cnt)) || !(x = top(u))) goto fail;
            if (x->kind != PV_LIST) goto not_list;
            for (size_t i = 0; i < cnt; i++)
                if (!seq_push(x, items[i])) goto fail;
            break;
        case 'X': { /* BINUNICODE */
            NEED(4);
            uint32_t len = ct__rd32(p);
            p += 4;
            NEED(len);
            if (!push(u, new_str(u, p, len))) goto fail;
            p += len;
            break;
        }
        case 'U': { /* SHORT_BINSTRING */
            NEED(1);
            uint8_t len = *p++;
            NEED(len);
            if (!push(u, new_str(u, p, len))) goto fail;
            p += len;
            break;
        }
        case 'K':
            NEED(1);
            if (!push(u, new_int(u, *p))) goto fail;
            p += 1;
            break;
        case 'M':
            NEED(2);
            if (!push(u, new_int(u, ct__rd16(p)))) goto fail;
            p += 2;
            break;
        case 'J':
            NEED(4);
            if (!push(u, new_int(u, (int32_t)ct__rd32(p)))) goto fail;
            p += 4;
            break;
        case 0x8a: { /* LONG1 */
            NEED(1);
            uint8_t len = *p++;
            if (len > 8) {
                ct__error("Weights only load failed: integer of %u bytes is too large", len);
                goto fail;
            }
            NEED(len);
            uint64_t w = 0;
            for (unsigned i = 0; i < len; i++) w |= (uint64_t)p[i] << (8 * i);
            if (len && len < 8 && (p[len - 1] & 0x80)) w |= ~(uint64_t)0 << (8 * len);
            p += len;
            int64_t iv;
            memcpy(&iv, &w, sizeof iv);
            if (!push(u, new_int(u, iv))) goto fail;
            break;
        }
        case 0x88:
        case 0x89:
            if (!(v = pv_new(u, PV_BOOL))) goto fail;
            v->u.b = op == 0x88;
            if (!push(u, v)) goto fail;
            break;
        case 'N':
            if (!push(u, pv_new(u, PV_NONE))) goto fail;
            break;
        case 'G': { /* BINFLOAT, big-endian */
            NEED(8);
            uint64_t w = 0;
            for (int i = 0; i < 8; i++) w = (w << 8) | p[i];
            p += 8;
            if (!(v = pv_new(u, PV_FLOAT))) goto fail;
            memcpy(&v->u.f, &w, sizeof w);
            if (!push(u, v)) goto fail;
            break;
        }
        case 'q':
            NEED(1);
            if (!memo_put(u, *p)) goto fail;
            p += 1;
            break;
        case 'r':
            NEED(4);
            if (!memo_put(u, ct__rd32(p))) goto fail;
            p += 4;
            break;
        case 'h':
            NEED(1);
            if (!push(u, memo_get(u, *p))) goto fail;
            p += 1;
            break;
        case 'j':
            NEED(4);
            if (!push(u, memo_get(u, ct__rd32(p)))) goto fail;
            p += 4;
            break;
        case 'c': { /* GLOBAL "module\nname\n" */
            char line[2][MAX_GLOBAL_LINE + 1];
            for (int l = 0; l < 2; l++) {
                size_t avail = (size_t)(end - p);
                const uint8_t *nl = memchr(p, '\n', avail < MAX_GLOBAL_LINE + 1 ? avail : MAX_GLOBAL_LINE + 1);
                if (!nl) {
                    ct__error("Weights only load failed: GLOBAL line too long or truncated");
                    goto fail;
                }
                size_t len = (size_t)(nl - p);
                memcpy(line[l], p, len);
                line[l][len] = 0;
                if (memchr(p, 0, len)) {
                    ct__error("Weights only load failed: NUL in GLOBAL");
                    goto fail;
                }
                p = nl + 1;
            }
            if (!push(u, global(u, line[0], line[1]))) goto fail;
            break;
        }
        case 'R':
            if (!(v = pop(u)) || !(k = pop(u)) || !push(u, reduce(u, k, v))) goto fail;
            break;
        case 'Q':
            if (!(v = pop(u)) || !push(u, persistent_load(u, v))) goto fail;
            break;
        case 'b': /* BUILD: only OrderedDict._metadata = dict */
            if (!(v = pop(u)) || !(x = top(u))) goto fail;
            if (x->kind != PV_DICT || v->kind != PV_DICT) {
                ct__error("Weights only load failed: BUILD is only allowed on an OrderedDict with a dict");
                goto fail;
            }
            break;
        default:
            ct__error("Weights only load failed: unsupported pickle opcode 0x%02x", op);
            goto fail;
        }
        continue;
    not_list:
        ct__error("Weights only load failed: APPEND on a non-list object");
        goto fail;
    }
fail:
    return NULL;
}

/* ---- flattening ---- */

typedef struct walk {
    ct_state_dict *sd;
    size_t nodes;
    char *name;
    size_t len, cap;
} walk;

static int walk_value(walk *w, const ct_pv *v, int depth) {
    if (++w->nodes > MAX_WALK_NODES || depth > MAX_WALK_DEPTH) {
        ct__error("object nesting too deep or too large (more than %d levels or %u nodes)", MAX_WALK_DEPTH,
                  MAX_WALK_NODES);
        return CT_ERROR;
    }
    if (v->kind == PV_TENSOR) return ct_state_dict_set(w->sd, w->name, v->u.t);
    if (v->kind != PV_DICT && v->kind != PV_LIST && v->kind != PV_TUPLE) return CT_OK;
    bool dict = v->kind == PV_DICT;
    size_t step = dict ? 2 : 1, base = w->len;
    for (size_t i = 0; i < v->u.seq.n; i += step) {
        char num[32];
        const char *part = num;
        size_t pl;
        if (dict && v->u.seq.items[i]->kind == PV_STR) {
            part = v->u.seq.items[i]->u.str.s;
            pl = v->u.seq.items[i]->u.str.n;
            if (strlen(part) != pl) {
                ct__error("tensor names must not contain NUL");
                return CT_ERROR;
            }
        } else {
            pl = (size_t)snprintf(num, sizeof num, "%lld",
                                  (long long)(dict ? v->u.seq.items[i]->u.i : (int64_t)i));
        }
        if (!grow((void **)&w->name, &w->cap, base + pl + 2, 1)) return CT_ERROR;
        size_t at = base;
        if (base) w->name[at++] = '.';
        memcpy(w->name + at, part, pl);
        w->len = at + pl;
        w->name[w->len] = 0;
        if (walk_value(w, v->u.seq.items[i + step - 1], depth + 1) != CT_OK) return CT_ERROR;
        w->len = base;
        w->name[base] = 0;
    }
    return CT_OK;
}

int ct__pv_flatten(const ct_pv *v, ct_state_dict *sd) {
    walk w = {.sd = sd};
    if (!grow((void **)&w.name, &w.cap, 64, 1)) return CT_ERROR;
    w.name[0] = 0;
    int rc = walk_value(&w, v, 0);
    free(w.name);
    return rc;
}
