/* torch.utils.data.DataLoader: batches from a batch sampler, collated in
 * the calling thread or in worker threads that prefetch in PyTorch's round
 * robin (batch k -> worker k % W), returned in order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/ops.h"
#include "ctorch/random.h"
#include "data/data_impl.h"
#include "tensor/tensor_impl.h"

/* ---------------- worker identity (get_worker_info) ---------------- */

static _Thread_local struct {
    bool active;
    int id, num;
    uint64_t seed;
    ct_generator *gen;
} tl_worker;

bool ct_get_worker_info(int *id, int *num_workers, uint64_t *seed) {
    if (!tl_worker.active) return false;
    if (id) *id = tl_worker.id;
    if (num_workers) *num_workers = tl_worker.num;
    if (seed) *seed = tl_worker.seed;
    return true;
}

ct_generator *ct_data_generator(void) { return tl_worker.active ? tl_worker.gen : ct_default_generator(); }

/* ---------------- default_collate ---------------- */

int ct_default_collate(const ct_sample *items, int64_t n, ct_sample *out, void *ctx) {
    (void)ctx;
    if (!items || !out) return CT_ERROR;
    memset(out, 0, sizeof *out);
    if (n <= 0) {
        ct__error("default_collate: empty batch");
        return CT_ERROR;
    }
    int k = items[0].n;
    for (int64_t i = 1; i < n; i++)
        if (items[i].n != k) {
            ct__error("each element in list of batch should be of equal size");
            return CT_ERROR;
        }
    ct_tensor **col = malloc((size_t)n * sizeof *col);
    if (!col) {
        ct__error_oom(n * 8);
        return CT_ERROR;
    }
    for (int j = 0; j < k; j++) {
        for (int64_t i = 0; i < n; i++) col[i] = items[i].t[j];
        out->t[j] = ct_stack((int)n, col, 0);
        if (!out->t[j]) {
            free(col);
            ct_sample_clear(out);
            return CT_ERROR;
        }
        out->n = j + 1;
    }
    free(col);
    return CT_OK;
}

/* ---------------- the loader ---------------- */

enum { SLOT_EMPTY = 0, SLOT_PENDING, SLOT_BUSY, SLOT_DONE, SLOT_FAILED };

typedef struct {
    int state;
    int64_t batch_no;
    int64_t n;
    int64_t *idx; /* batch_size entries */
    ct_sample result;
    char *err;
} slot;

typedef struct worker worker;

struct ct_dataloader {
    ct_dataset *ds;
    ct_sampler *batch_sampler;
    ct_collate_fn collate;
    void *collate_ctx;
    int num_workers, prefetch;
    ct_generator *generator;
    int64_t batch_size;
    int64_t *idxbuf;
    /* epoch */
    bool active, sampler_done;
    uint64_t base_seed;
    int64_t sent, recv;
    /* workers */
    worker *workers;
    int nthreads;
    slot *slots;
    int cap;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    bool stop;
};

struct worker {
    ct_dataloader *dl;
    int id;
    pthread_t th;
    ct_generator *gen;
};

/* Fetch and collate one batch in the current thread. */
static int fetch(ct_dataloader *dl, const int64_t *idx, int64_t n, ct_sample *out) {
    memset(out, 0, sizeof *out);
    ct_sample *items = calloc((size_t)n, sizeof *items);
    if (!items) {
        ct__error_oom(n * (int64_t)sizeof *items);
        return CT_ERROR;
    }
    int rc = CT_OK;
    int64_t got = 0;
    for (; got < n; got++)
        if (ct_dataset_get(dl->ds, idx[got], &items[got]) != CT_OK) {
            rc = CT_ERROR;
            break;
        }
    if (rc == CT_OK) {
        rc = dl->collate(items, n, out, dl->collate_ctx) == CT_OK ? CT_OK : CT_ERROR;
        if (rc == CT_OK && (out->n < 0 || out->n > CT_SAMPLE_MAX)) {
            memset(out, 0, sizeof *out);
            ct__error("collate_fn returned %d tensors", out->n);
            rc = CT_ERROR;
        }
        if (rc != CT_OK) ct_sample_clear(out);
    }
    for (int64_t i = 0; i < got; i++) ct_sample_clear(&items[i]);
    free(items);
    return rc;
}

static void *worker_main(void *arg) {
    worker *w = arg;
    ct_dataloader *dl = w->dl;
    tl_worker.active = true;
    tl_worker.id = w->id;
    tl_worker.num = dl->num_workers;
    tl_worker.seed = dl->base_seed + (uint64_t)w->id;
    tl_worker.gen = w->gen;
    pthread_mutex_lock(&dl->mu);
    for (;;) {
        slot *s = NULL;
        for (int j = w->id; j < dl->cap; j += dl->num_workers)
            if (dl->slots[j].state == SLOT_PENDING && (!s || dl->slots[j].batch_no < s->batch_no)) s = &dl->slots[j];
        if (!s) {
            if (dl->stop) break;
            pthread_cond_wait(&dl->work, &dl->mu);
            continue;
        }
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&dl->mu);
        ct_sample res;
        int rc = fetch(dl, s->idx, s->n, &res);
        char *err = NULL;
        if (rc != CT_OK) {
            const char *m = ct_last_error();
            if (!m) m = "unknown error";
            err = malloc(strlen(m) + 1);
            if (err) memcpy(err, m, strlen(m) + 1);
        }
        pthread_mutex_lock(&dl->mu);
        s->result = res;
        s->err = err;
        s->state = rc == CT_OK ? SLOT_DONE : SLOT_FAILED;
        pthread_cond_broadcast(&dl->done);
    }
    pthread_mutex_unlock(&dl->mu);
    tl_worker.active = false;
    return NULL;
}

/* Stop and join the workers, drop undelivered batches. */
static void end_epoch(ct_dataloader *dl) {
    if (dl->nthreads > 0) {
        pthread_mutex_lock(&dl->mu);
        dl->stop = true;
        /* pending work is abandoned: mark it so workers exit at once */
        for (int j = 0; j < dl->cap; j++)
            if (dl->slots[j].state == SLOT_PENDING) dl->slots[j].state = SLOT_EMPTY;
        pthread_cond_broadcast(&dl->work);
        pthread_mutex_unlock(&dl->mu);
        for (int i = 0; i < dl->nthreads; i++) pthread_join(dl->workers[i].th, NULL);
        dl->nthreads = 0;
    }
    if (dl->slots)
        for (int j = 0; j < dl->cap; j++) {
            slot *s = &dl->slots[j];
            ct_sample_clear(&s->result);
            free(s->err);
            s->err = NULL;
            s->state = SLOT_EMPTY;
        }
    dl->active = false;
}

/* _try_put_index: hand the next batch of indices to its worker. */
static int put_index(ct_dataloader *dl) {
    if (dl->sampler_done) return CT_OK;
    slot *s = &dl->slots[dl->sent % dl->cap];
    int64_t n = ct_batch_sampler_next(dl->batch_sampler, s->idx);
    if (n < 0) return CT_ERROR;
    if (n == 0) {
        dl->sampler_done = true;
        return CT_OK;
    }
    pthread_mutex_lock(&dl->mu);
    s->n = n;
    s->batch_no = dl->sent++;
    s->state = SLOT_PENDING;
    pthread_cond_broadcast(&dl->work);
    pthread_mutex_unlock(&dl->mu);
    return CT_OK;
}

int ct_dataloader_iter(ct_dataloader *dl) {
    if (!dl) return CT_ERROR;
    end_epoch(dl);
    /* _BaseDataLoaderIter.__init__: the base seed, from loader.generator */
    int64_t seed = ct__draw_seed(dl->generator);
    if (seed < 0) return CT_ERROR;
    dl->base_seed = (uint64_t)seed;
    if (ct_sampler_iter(dl->batch_sampler) != CT_OK) return CT_ERROR;
    dl->sent = dl->recv = 0;
    dl->sampler_done = false;
    dl->stop = false;
    dl->active = true;
    if (dl->num_workers == 0) return CT_OK;
    for (int i = 0; i < dl->num_workers; i++) {
        worker *w = &dl->workers[i];
        w->dl = dl;
        w->id = i;
        ct_generator_manual_seed(w->gen, dl->base_seed + (uint64_t)i);
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            ct__error("DataLoader: cannot start worker thread %d", i);
            end_epoch(dl);
            return CT_ERROR;
        }
        dl->nthreads = i + 1;
    }
    /* _reset: prefetch_factor * num_workers batches in flight */
    for (int i = 0; i < dl->cap; i++)
        if (put_index(dl) != CT_OK) {
            end_epoch(dl);
            return CT_ERROR;
        }
    return CT_OK;
}

static void track(ct_sample *b) {
    for (int i = 0; i < b->n; i++) ct__scope_track(b->t[i]);
}

int ct_dataloader_next(ct_dataloader *dl, ct_sample *batch) {
    if (!batch) return CT_ERROR;
    memset(batch, 0, sizeof *batch);
    if (!dl) return CT_ERROR;
    if (!dl->active && ct_dataloader_iter(dl) != CT_OK) return CT_ERROR;
    if (dl->num_workers == 0) {
        if (dl->sampler_done) return 0;
        int64_t n = ct_batch_sampler_next(dl->batch_sampler, dl->idxbuf);
        if (n < 0) return CT_ERROR;
        if (n == 0) {
            dl->sampler_done = true;
            dl->active = false;
            return 0;
        }
        return fetch(dl, dl->idxbuf, n, batch) == CT_OK ? 1 : CT_ERROR;
    }
    if (dl->recv >= dl->sent) {
        end_epoch(dl);
        return 0;
    }
    slot *s = &dl->slots[dl->recv % dl->cap];
    pthread_mutex_lock(&dl->mu);
    while (s->state != SLOT_DONE && s->state != SLOT_FAILED) pthread_cond_wait(&dl->done, &dl->mu);
    pthread_mutex_unlock(&dl->mu);
    if (s->state == SLOT_FAILED) {
        int wid = (int)(s->batch_no % dl->num_workers);
        char *err = s->err;
        s->err = NULL;
        end_epoch(dl);
        ct__error("Caught error in DataLoader worker %d: %s", wid, err ? err : "");
        free(err);
        return CT_ERROR;
    }
    *batch = s->result;
    memset(&s->result, 0, sizeof s->result);
    pthread_mutex_lock(&dl->mu);
    s->state = SLOT_EMPTY;
    pthread_mutex_unlock(&dl->mu);
    dl->recv++;
    if (put_index(dl) != CT_OK) {
        ct_sample_clear(batch);
        end_epoch(dl);
        return CT_ERROR;
    }
    track(batch);
    return 1;
}

int64_t ct_dataloader_len(const ct_dataloader *dl) { return dl ? ct_sampler_len(dl->batch_sampler) : -1; }

void ct_dataloader_free(ct_dataloader *dl) {
    if (!dl) return;
    end_epoch(dl);
    if (dl->workers)
        for (int i = 0; i < dl->num_workers; i++) ct_generator_free(dl->workers[i].gen);
    if (dl->slots)
        for (int j = 0; j < dl->cap; j++) free(dl->slots[j].idx);
    free(dl->workers);
    free(dl->slots);
    free(dl->idxbuf);
    pthread_mutex_destroy(&dl->mu);
    pthread_cond_destroy(&dl->work);
    pthread_cond_destroy(&dl->done);
    ct_sampler_free(dl->batch_sampler);
    ct_dataset_free(dl->ds);
    free(dl);
}

ct_dataloader *ct_dataloader_opts(ct_dataset *ds, const ct_dataloader_options *o) {
    static const ct_dataloader_options defaults = {0};
    if (!ds) return NULL;
    if (!o) o = &defaults;
    if (o->num_workers < 0) {
        ct__error("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.");
        return NULL;
    }
    if (o->num_workers == 0 && o->prefetch_factor != 0 && o->prefetch_factor != 2) {
        ct__error("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to "
                  "enable multiprocessing.");
        return NULL;
    }
    if (o->prefetch_factor < 0) {
        ct__error("prefetch_factor should be positive, but got %d", o->prefetch_factor);
        return NULL;
    }
    if (o->sampler && o->shuffle) {
        ct__error("sampler option is mutually exclusive with shuffle");
        return NULL;
    }
    if (o->batch_sampler &&
        ((o->batch_size != 0 && o->batch_size != 1) || o->shuffle || o->sampler || o->drop_last)) {
        ct__error("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
        return NULL;
    }
    if (o->batch_sampler && o->batch_sampler->batch_size <= 0) {
        ct__error("batch_sampler must be a BatchSampler (ct_batch_sampler)");
        return NULL;
    }
    int64_t len = ct_dataset_len(ds);
    if (len < 0) return NULL;
    ct_sampler *bs;
    if (o->batch_sampler) bs = ct_sampler_ref(o->batch_sampler);
    else {
        ct_sampler *s = o->sampler ? ct_sampler_ref(o->sampler)
                        : o->shuffle ? ct_random_sampler(len, .generator = o->generator)
                                     : ct_sequential_sampler(len);
        if (!s) return NULL;
        bs = ct_batch_sampler(s, o->batch_size ? o->batch_size : 1, o->drop_last);
        ct_sampler_free(s);
        if (!bs) return NULL;
    }
    ct_dataloader *dl = calloc(1, sizeof *dl);
    if (!dl) {
        ct_sampler_free(bs);
        ct__error_oom(sizeof *dl);
        return NULL;
    }
    pthread_mutex_init(&dl->mu, NULL);
    pthread_cond_init(&dl->work, NULL);
    pthread_cond_init(&dl->done, NULL);
    dl->ds = ct_dataset_ref(ds);
    dl->batch_sampler = bs;
    dl->collate = o->collate_fn ? o->collate_fn : ct_default_collate;
    dl->collate_ctx = o->collate_ctx;
    dl->num_workers = o->num_workers;
    dl->prefetch = o->prefetch_factor ? o->prefetch_factor : 2;
    dl->generator = o->generator;
    dl->batch_size = bs->batch_size;
    dl->idxbuf = malloc((size_t)dl->batch_size * sizeof *dl->idxbuf);
    bool ok = dl->idxbuf != NULL;
    if (ok && dl->num_workers > 0) {
        dl->cap = dl->prefetch * dl->num_workers;
        dl->slots = calloc((size_t)dl->cap, sizeof *dl->slots);
        dl->workers = calloc((size_t)dl->num_workers, sizeof *dl->workers);
        ok = dl->slots && dl->workers;
        for (int j = 0; ok && j < dl->cap; j++) ok = (dl->slots[j].idx = malloc((size_t)dl->batch_size * 8)) != NULL;
        for (int i = 0; ok && i < dl->num_workers; i++) ok = (dl->workers[i].gen = ct_generator_new()) != NULL;
    }
    if (!ok) {
        ct__error_oom(dl->batch_size * 8);
        ct_dataloader_free(dl);
        return NULL;
    }
    return dl;
}
