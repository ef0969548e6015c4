/* torch.utils.data datasets: the C Dataset interface, TensorDataset,
 * Subset, ConcatDataset, random_split. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/random.h"
#include "ctorch/ops.h"
#include "tensor/tensor_impl.h"
#include "data/data_impl.h"

void ct_sample_clear(ct_sample *item) {
    if (!item) return;
    for (int i = 0; i < item->n && i < CT_SAMPLE_MAX; i++) ct_free(item->t[i]);
    memset(item, 0, sizeof *item);
}

void ct_data_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    ct__verror(fmt, ap);
    va_end(ap);
}

int64_t ct__draw_seed(ct_generator *g) {
    ct_tensor *t = ct_empty(CT_SIZE0, CT_OPTS(.dtype = CT_INT64));
    int64_t v = -1;
    if (!t) return -1;
    if (ct_random_(t, g) != CT_OK || ct_item_int64(t, &v) != CT_OK) v = -1;
    ct_free(t);
    return v;
}

/* ---------------- the object ---------------- */

ct_dataset *ct__dataset_make(const ct_dataset_vtable *vt, void *ctx, int kind) {
    ct_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) {
        if (vt && vt->free) vt->free(ctx);
        ct__error_oom(sizeof *ds);
        return NULL;
    }
    atomic_init(&ds->refcount, 1);
    ds->vt = vt;
    ds->ctx = ctx;
    ds->kind = kind;
    return ds;
}

ct_dataset *ct_dataset_new(const ct_dataset_vtable *vt, void *ctx) {
    if (!vt || !vt->len || !vt->get) {
        if (vt && vt->free) vt->free(ctx);
        ct__error("ct_dataset_new: the vtable needs len and get");
        return NULL;
    }
    return ct__dataset_make(vt, ctx, CT__DS_USER);
}

ct_dataset *ct_dataset_ref(ct_dataset *ds) {
    if (ds) atomic_fetch_add(&ds->refcount, 1);
    return ds;
}

void ct_dataset_free(ct_dataset *ds) {
    if (!ds || atomic_fetch_sub(&ds->refcount, 1) != 1) return;
    if (ds->vt->free) ds->vt->free(ds->ctx);
    free(ds);
}

int64_t ct_dataset_len(const ct_dataset *ds) { return ds ? ds->vt->len(ds->ctx) : -1; }

int ct_dataset_get(ct_dataset *ds, int64_t index, ct_sample *out) {
    if (!out) return CT_ERROR;
    memset(out, 0, sizeof *out);
    if (!ds) return CT_ERROR;
    int rc = ds->vt->get(ds->ctx, index, out);
    if (rc != CT_OK) {
        ct_sample_clear(out);
        return CT_ERROR;
    }
    if (out->n < 0 || out->n > CT_SAMPLE_MAX) {
        memset(out, 0, sizeof *out);
        ct__error("dataset item has %d tensors (at most %d)", out->n, CT_SAMPLE_MAX);
        return CT_ERROR;
    }
    for (int i = 0; i < out->n; i++)
        if (!out->t[i]) {
            ct_sample_clear(out);
            ct__error("dataset item %lld: tensor %d is NULL", (long long)index, i);
            return CT_ERROR;
        }
    return CT_OK;
}

/* ---------------- TensorDataset ---------------- */

typedef struct {
    int n;
    ct_tensor *t[CT_SAMPLE_MAX];
} tensor_ds;

static int64_t tensor_ds_len(void *ctx) { return ct_size(((tensor_ds *)ctx)->t[0], 0); }

static int tensor_ds_get(void *ctx, int64_t index, ct_sample *out) {
    tensor_ds *d = ctx;
    int64_t len = ct_size(d->t[0], 0);
    if (ct__wrap_index(index, len) < 0) {
        ct__error("index %lld is out of bounds for dimension 0 with size %lld", (long long)index, (long long)len);
        return CT_ERROR;
    }
    for (int i = 0; i < d->n; i++) {
        out->t[i] = ct_select(d->t[i], 0, index); /* PyTorch's tensor[index] and its message */
        if (!out->t[i]) return CT_ERROR;
        out->n = i + 1;
    }
    return CT_OK;
}

static void tensor_ds_free(void *ctx) {
    tensor_ds *d = ctx;
    for (int i = 0; i < d->n; i++) ct__drop(d->t[i]); /* untracked references: leave scopes alone */
    free(d);
}

static const ct_dataset_vtable tensor_ds_vt = {tensor_ds_len, tensor_ds_get, tensor_ds_free};

ct_dataset *ct_tensor_dataset(int n, ct_tensor *const *tensors) {
    if (n < 1 || n > CT_SAMPLE_MAX || !tensors) {
        ct__error("TensorDataset takes 1 to %d tensors, got %d", CT_SAMPLE_MAX, n);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!tensors[i]) return NULL;
    for (int i = 0; i < n; i++)
        if (ct_dim(tensors[i]) < 1 || ct_size(tensors[i], 0) != ct_size(tensors[0], 0)) {
            ct__error("Size mismatch between tensors");
            return NULL;
        }
    tensor_ds *d = calloc(1, sizeof *d);
    if (!d) {
        ct__error_oom(sizeof *d);
        return NULL;
    }
    for (int i = 0; i < n; i++) d->t[i] = ct_ref(tensors[i]);
    d->n = n;
    return ct__dataset_make(&tensor_ds_vt, d, CT__DS_TENSOR);
}

/* ---------------- Subset ---------------- */

typedef struct {
    ct_dataset *ds;
    int64_t n;
    int64_t *idx;
} subset_ds;

static int64_t subset_len(void *ctx) { return ((subset_ds *)ctx)->n; }

static int subset_get(void *ctx, int64_t index, ct_sample *out) {
    subset_ds *s = ctx;
    int64_t k = ct__wrap_index(index, s->n);
    if (k < 0) {
        ct__error("list index out of range");
        return CT_ERROR;
    }
    return ct_dataset_get(s->ds, s->idx[k], out);
}

static void subset_free(void *ctx) {
    subset_ds *s = ctx;
    ct_dataset_free(s->ds);
    free(s->idx);
    free(s);
}

static const ct_dataset_vtable subset_vt = {subset_len, subset_get, subset_free};

ct_dataset *ct_subset(ct_dataset *ds, int64_t n, const int64_t *indices) {
    if (!ds) return NULL;
    if (n < 0 || (n > 0 && !indices)) {
        ct__error("Subset: %lld indices", (long long)n);
        return NULL;
    }
    subset_ds *s = calloc(1, sizeof *s);
    int64_t *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    if (!s || !idx) {
        free(s);
        free(idx);
        ct__error_oom(n * 8);
        return NULL;
    }
    if (n) memcpy(idx, indices, (size_t)n * sizeof *idx);
    s->ds = ct_dataset_ref(ds);
    s->n = n;
    s->idx = idx;
    return ct__dataset_make(&subset_vt, s, CT__DS_SUBSET);
}

/* ---------------- ConcatDataset ---------------- */

typedef struct {
    int n;
    ct_dataset **ds;
    int64_t *cum; /* cumulative_sizes */
} concat_ds;

static int64_t concat_len(void *ctx) {
    concat_ds *c = ctx;
    return c->cum[c->n - 1];
}

static int concat_get(void *ctx, int64_t idx, ct_sample *out) {
    concat_ds *c = ctx;
    int64_t total = c->cum[c->n - 1];
    if (idx < 0) {
        if (-idx > total) {
            ct__error("absolute value of index should not exceed dataset length");
            return CT_ERROR;
        }
        idx += total;
    }
    /* bisect.bisect_right(cumulative_sizes, idx) */
    int lo = 0, hi = c->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (idx < c->cum[mid]) hi = mid;
        else lo = mid + 1;
    }
    if (lo >= c->n) {
        ct__error("list index out of range");
        return CT_ERROR;
    }
    int64_t sample = lo == 0 ? idx : idx - c->cum[lo - 1];
    return ct_dataset_get(c->ds[lo], sample, out);
}

static void concat_free(void *ctx) {
    concat_ds *c = ctx;
    for (int i = 0; i < c->n; i++) ct_dataset_free(c->ds[i]);
    free(c->ds);
    free(c->cum);
    free(c);
}

static const ct_dataset_vtable concat_vt = {concat_len, concat_get, concat_free};

ct_dataset *ct_concat_dataset(int n, ct_dataset *const *datasets) {
    if (n <= 0 || !datasets) {
        ct__error("datasets should not be an empty iterable");
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!datasets[i]) return NULL;
    concat_ds *c = calloc(1, sizeof *c);
    if (c) {
        c->ds = calloc((size_t)n, sizeof *c->ds);
        c->cum = calloc((size_t)n, sizeof *c->cum);
    }
    if (!c || !c->ds || !c->cum) {
        if (c) {
            free(c->ds);
            free(c->cum);
        }
        free(c);
        ct__error_oom(n * 16);
        return NULL;
    }
    int64_t s = 0;
    for (int i = 0; i < n; i++) {
        int64_t l = ct_dataset_len(datasets[i]);
        if (l < 0) {
            c->n = i;
            concat_free(c);
            return NULL;
        }
        s += l;
        c->cum[i] = s;
        c->ds[i] = ct_dataset_ref(datasets[i]);
        c->n = i + 1;
    }
    return ct__dataset_make(&concat_vt, c, CT__DS_CONCAT);
}

/* ---------------- random_split ---------------- */

/* Python's math.isclose(a, b) with rel_tol 1e-9, abs_tol 0. */
static bool isclose(double a, double b) {
    if (a == b) return true;
    if (isinf(a) || isinf(b)) return false;
    double diff = fabs(b - a);
    return diff <= fabs(1e-9 * b) || diff <= fabs(1e-9 * a);
}

int ct_random_split(ct_dataset *ds, int n, const double *lengths, ct_generator *g, ct_dataset **out) {
    if (!ds || !lengths || !out || n <= 0) {
        if (ds && n <= 0) ct__error("Sum of input lengths does not equal the length of the input dataset!");
        return CT_ERROR;
    }
    int64_t len = ct_dataset_len(ds);
    if (len < 0) return CT_ERROR;
    int64_t *ls = calloc((size_t)n, sizeof *ls);
    if (!ls) {
        ct__error_oom(n * 8);
        return CT_ERROR;
    }
    double sum = 0; /* Python's sum(): left to right */
    for (int i = 0; i < n; i++) sum += lengths[i];
    if (isclose(sum, 1) && sum <= 1) {
        int64_t tot = 0;
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > 1) {
                ct__error("Fraction at index %d is not between 0 and 1", i);
                free(ls);
                return CT_ERROR;
            }
            ls[i] = (int64_t)floor((double)len * lengths[i]);
            tot += ls[i];
        }
        for (int64_t i = 0; i < len - tot; i++) ls[i % n] += 1;
        for (int i = 0; i < n; i++)
            if (ls[i] == 0) ct__warn("Length of split at index %d is 0. This might result in an empty dataset.", i);
    } else {
        for (int i = 0; i < n; i++) {
            if (lengths[i] != floor(lengths[i]) || lengths[i] < 0) {
                ct__error("Sum of input lengths does not equal the length of the input dataset!");
                free(ls);
                return CT_ERROR;
            }
            ls[i] = (int64_t)lengths[i];
        }
    }
    int64_t tot = 0;
    for (int i = 0; i < n; i++) tot += ls[i];
    if (tot != len) {
        ct__error("Sum of input lengths does not equal the length of the input dataset!");
        free(ls);
        return CT_ERROR;
    }
    ct_tensor *perm = ct_randperm(tot, CT_OPTS(.generator = g));
    int64_t *idx = malloc((size_t)(tot > 0 ? tot : 1) * sizeof *idx);
    if (!perm || !idx || ct_copy_to_buffer(perm, CT_INT64, idx, (size_t)tot * sizeof *idx) != CT_OK) {
        if (perm && !idx) ct__error_oom(tot * 8);
        ct_free(perm);
        free(idx);
        free(ls);
        return CT_ERROR;
    }
    ct_free(perm);
    int64_t off = 0;
    int rc = CT_OK;
    for (int i = 0; i < n; i++) {
        out[i] = rc == CT_OK ? ct_subset(ds, ls[i], idx + off) : NULL;
        if (!out[i] && rc == CT_OK) {
            rc = CT_ERROR;
            for (int j = 0; j < i; j++) {
                ct_dataset_free(out[j]);
                out[j] = NULL;
            }
        }
        off += ls[i];
    }
    free(idx);
    free(ls);
    return rc;
}
