/* torch.utils.data samplers: Sequential, Random, SubsetRandom,
 * WeightedRandom (torch.multinomial's CPU algorithms), Batch. Each one
 * draws lazily, at the first next() of a pass, as PyTorch's generator
 * functions do, so the order of draws on a shared generator is PyTorch's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "ctorch/random.h"
#include "data/data_impl.h"
#include "tensor/generator.h"

/* ---------------- the object ---------------- */

ct_sampler *ct_sampler_new(const ct_sampler_vtable *vt, void *ctx) {
    if (!vt || !vt->iter || !vt->next || !vt->len) {
        if (vt && vt->free) vt->free(ctx);
        ct__error("ct_sampler_new: the vtable needs iter, next and len");
        return NULL;
    }
    ct_sampler *s = calloc(1, sizeof *s);
    if (!s) {
        if (vt->free) vt->free(ctx);
        ct__error_oom(sizeof *s);
        return NULL;
    }
    atomic_init(&s->refcount, 1);
    s->vt = vt;
    s->ctx = ctx;
    return s;
}

ct_sampler *ct_sampler_ref(ct_sampler *s) {
    if (s) atomic_fetch_add(&s->refcount, 1);
    return s;
}

void ct_sampler_free(ct_sampler *s) {
    if (!s || atomic_fetch_sub(&s->refcount, 1) != 1) return;
    if (s->vt->free) s->vt->free(s->ctx);
    free(s);
}

int ct_sampler_iter(ct_sampler *s) {
    if (!s) return CT_ERROR;
    s->started = true;
    return s->vt->iter(s->ctx) < 0 ? CT_ERROR : CT_OK;
}

int ct_sampler_next(ct_sampler *s, int64_t *index) {
    if (!s || !index) return CT_ERROR;
    if (s->batch_size > 0) {
        ct__error("ct_sampler_next: a BatchSampler yields batches (use ct_batch_sampler_next)");
        return CT_ERROR;
    }
    if (!s->started && ct_sampler_iter(s) != CT_OK) return CT_ERROR;
    return s->vt->next(s->ctx, index);
}

int64_t ct_sampler_len(const ct_sampler *s) { return s ? s->vt->len(s->ctx) : -1; }

/* A tensor's int64 values into a malloc'd buffer (NULL + error on failure;
 * t is freed). */
static int64_t *take_int64(ct_tensor *t, int64_t *n) {
    if (!t) return NULL;
    int64_t k = ct_numel(t);
    int64_t *buf = malloc((size_t)(k > 0 ? k : 1) * sizeof *buf);
    if (!buf) ct__error_oom(k * 8);
    else if (ct_copy_to_buffer(t, CT_INT64, buf, (size_t)k * sizeof *buf) != CT_OK) {
        free(buf);
        buf = NULL;
    }
    ct_free(t);
    *n = k;
    return buf;
}

/* ---------------- SequentialSampler ---------------- */

typedef struct {
    int64_t n, i;
} seq_ctx;

static int seq_iter(void *ctx) {
    ((seq_ctx *)ctx)->i = 0;
    return CT_OK;
}
static int seq_next(void *ctx, int64_t *index) {
    seq_ctx *c = ctx;
    if (c->i >= c->n) return 0;
    *index = c->i++;
    return 1;
}
static int64_t seq_len(void *ctx) { return ((seq_ctx *)ctx)->n; }
static const ct_sampler_vtable seq_vt = {seq_iter, seq_next, seq_len, free};

ct_sampler *ct_sequential_sampler(int64_t n) {
    if (n < 0) {
        ct__error("SequentialSampler: negative length %lld", (long long)n);
        return NULL;
    }
    seq_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        ct__error_oom(sizeof *c);
        return NULL;
    }
    c->n = n;
    return ct_sampler_new(&seq_vt, c);
}

/* ---------------- chunked samplers (Random, SubsetRandom, Weighted) -------
 * A pass yields chunks of indices drawn one at a time, when the previous
 * chunk is used up. */

typedef struct chunked chunked;
struct chunked {
    int (*draw)(chunked *c); /* fill buf/len with the next chunk; 0 = none left, 1 = drew, CT_ERROR */
    int64_t *buf, len, pos;
    int64_t chunk; /* chunks drawn in this pass */
    /* RandomSampler */
    int64_t n, num_samples;
    bool replacement;
    ct_generator *user_gen, *own_gen, *gen;
    /* SubsetRandom / Weighted */
    int64_t *indices;
    double *weights;
};

static int chunked_iter(void *ctx) {
    chunked *c = ctx;
    free(c->buf);
    c->buf = NULL;
    c->len = c->pos = 0;
    c->chunk = 0;
    return CT_OK;
}

static int chunked_next(void *ctx, int64_t *index) {
    chunked *c = ctx;
    while (c->pos >= c->len) {
        free(c->buf);
        c->buf = NULL;
        c->len = c->pos = 0;
        int r = c->draw(c);
        if (r <= 0) return r;
        c->chunk++;
    }
    *index = c->buf[c->pos++];
    return 1;
}

static void chunked_free(void *ctx) {
    chunked *c = ctx;
    free(c->buf);
    free(c->indices);
    free(c->weights);
    if (c->own_gen) ct_generator_free(c->own_gen);
    free(c);
}

static int64_t random_len(void *ctx) { return ((chunked *)ctx)->num_samples; }

static int random_draw(chunked *c) {
    if (c->chunk == 0) {
        if (c->user_gen) c->gen = c->user_gen;
        else {
            /* seed = int(torch.empty((), dtype=torch.int64).random_().item()) */
            int64_t seed = ct__draw_seed(NULL);
            if (seed < 0) return CT_ERROR;
            if (!c->own_gen && !(c->own_gen = ct_generator_new())) return CT_ERROR;
            ct_generator_manual_seed(c->own_gen, (uint64_t)seed);
            c->gen = c->own_gen;
        }
    }
    int64_t k = c->chunk;
    ct_tensor *t;
    if (c->replacement) {
        int64_t full = c->num_samples / 32;
        if (k > full) return 0;
        int64_t size = k < full ? 32 : c->num_samples % 32;
        t = ct_randint(0, c->n, CT_SIZE(size), CT_OPTS(.dtype = CT_INT64, .generator = c->gen));
        if (!t) return CT_ERROR;
        c->buf = take_int64(t, &c->len);
    } else {
        if (c->n == 0) {
            ct__error("integer division or modulo by zero");
            return CT_ERROR;
        }
        int64_t full = c->num_samples / c->n;
        if (k > full) return 0;
        t = ct_randperm(c->n, CT_OPTS(.generator = c->gen));
        if (!t) return CT_ERROR;
        c->buf = take_int64(t, &c->len);
        if (k == full) c->len = c->num_samples % c->n; /* randperm(n)[:num_samples % n] */
    }
    return c->buf ? 1 : CT_ERROR;
}

static const ct_sampler_vtable random_vt = {chunked_iter, chunked_next, random_len, chunked_free};

ct_sampler *ct_random_sampler_opts(int64_t n, const ct_random_sampler_options *o) {
    static const ct_random_sampler_options defaults = {0};
    if (!o) o = &defaults;
    int64_t ns = o->num_samples ? o->num_samples : n;
    if (ns <= 0) {
        ct__error("num_samples should be a positive integer value, but got num_samples=%lld", (long long)ns);
        return NULL;
    }
    if (n < 0) {
        ct__error("RandomSampler: negative length %lld", (long long)n);
        return NULL;
    }
    chunked *c = calloc(1, sizeof *c);
    if (!c) {
        ct__error_oom(sizeof *c);
        return NULL;
    }
    c->draw = random_draw;
    c->n = n;
    c->num_samples = ns;
    c->replacement = o->replacement;
    c->user_gen = o->generator;
    return ct_sampler_new(&random_vt, c);
}

/* ---------------- SubsetRandomSampler ---------------- */

static int64_t subset_len(void *ctx) { return ((chunked *)ctx)->n; }

static int subset_draw(chunked *c) {
    if (c->chunk > 0) return 0;
    ct_tensor *t = ct_randperm(c->n, CT_OPTS(.generator = c->user_gen ? c->user_gen : ct_data_generator()));
    c->buf = take_int64(t, &c->len);
    if (!c->buf) return CT_ERROR;
    for (int64_t i = 0; i < c->len; i++) c->buf[i] = c->indices[c->buf[i]];
    return 1;
}

static const ct_sampler_vtable subset_vt = {chunked_iter, chunked_next, subset_len, chunked_free};

ct_sampler *ct_subset_random_sampler(int64_t n, const int64_t *indices, ct_generator *g) {
    if (n < 0 || (n > 0 && !indices)) {
        ct__error("SubsetRandomSampler: %lld indices", (long long)n);
        return NULL;
    }
    chunked *c = calloc(1, sizeof *c);
    if (c) c->indices = malloc((size_t)(n > 0 ? n : 1) * sizeof *c->indices);
    if (!c || !c->indices) {
        free(c);
        ct__error_oom(n * 8);
        return NULL;
    }
    if (n) memcpy(c->indices, indices, (size_t)n * sizeof *indices);
    c->draw = subset_draw;
    c->n = n;
    c->user_gen = g;
    return ct_sampler_new(&subset_vt, c);
}

/* ---------------- WeightedRandomSampler: torch.multinomial ---------------- */

static int weighted_draw(chunked *c) {
    if (c->chunk > 0) return 0;
    int64_t n = c->n, ns = c->num_samples;
    const double *w = c->weights;
    if (!c->replacement && ns > n) {
        ct__error("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
        return CT_ERROR;
    }
    int64_t *out = malloc((size_t)ns * sizeof *out);
    double *q = malloc((size_t)(n > 0 ? n : 1) * sizeof *q);
    if (!out || !q) {
        free(out);
        free(q);
        ct__error_oom(ns * 8);
        return CT_ERROR;
    }
    ct_generator *g = c->user_gen ? c->user_gen : ct_data_generator();
    int rc = 1;
    if (!c->replacement) {
        /* The fast path: argmax / topk of w / Exp(1). */
        double mx = -INFINITY, mn = INFINITY, sum = 0;
        bool nan = false;
        for (int64_t i = 0; i < n; i++) {
            if (isnan(w[i])) nan = true;
            mx = fmax(mx, w[i]);
            mn = fmin(mn, w[i]);
            sum += w[i];
        }
        if (nan || !(mx < INFINITY) || !(mn >= 0)) {
            ct__error("probability tensor contains either `inf`, `nan` or element < 0");
            rc = CT_ERROR;
        } else if (sum == 0) {
            ct__error("invalid multinomial distribution (sum of probabilities <= 0)");
            rc = CT_ERROR;
        } else {
            /* exponential_(1): -1 / lambda * log(1 - U53), one per element in order */
            ct_generator *lg = ct__generator_acquire(g);
            for (int64_t i = 0; i < n; i++) {
                double u = ct__gen_uniform_f64(lg);
                q[i] = w[i] / (-1.0 / 1.0 * log(1.0 - u));
            }
            ct__generator_release(lg);
            /* topk(q, ns): largest first; ties keep the lower index first
             * (argmax returns the first maximum) */
            bool *used = calloc((size_t)(n > 0 ? n : 1), 1);
            if (!used) {
                ct__error_oom(n);
                rc = CT_ERROR;
            } else {
                for (int64_t k = 0; k < ns; k++) {
                    int64_t best = -1;
                    for (int64_t i = 0; i < n; i++)
                        if (!used[i] && (best < 0 || q[i] > q[best] || (isnan(q[i]) && !isnan(q[best])))) best = i;
                    used[best] = true;
                    out[k] = best;
                }
                free(used);
            }
        }
    } else {
        /* multinomial_with_replacement: normalised cumulative sums, one U53
         * per sample, binary search for the first bucket >= u. */
        double sum = 0;
        for (int64_t j = 0; j < n && rc > 0; j++) {
            if (!(w[j] >= 0)) {
                if (isnan(w[j])) {
                    ct__error("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
                } else {
                    ct__error("invalid multinomial distribution (encountering probability entry < 0)");
                }
                rc = CT_ERROR;
            } else if (!isfinite(w[j])) {
                ct__error("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
                rc = CT_ERROR;
            }
            sum += w[j];
            q[j] = sum;
        }
        if (rc > 0 && !(sum > 0)) {
            ct__error("invalid multinomial distribution (sum of probabilities <= 0)");
            rc = CT_ERROR;
        }
        if (rc > 0) {
            for (int64_t j = 0; j < n; j++) q[j] /= sum;
            q[n - 1] = 1;
            ct_generator *lg = ct__generator_acquire(g);
            for (int64_t k = 0; k < ns; k++) {
                double u = ct__gen_uniform_f64(lg);
                int64_t lo = 0, hi = n;
                while (hi - lo > 0) {
                    int64_t mid = lo + (hi - lo) / 2;
                    if (q[mid] < u) lo = mid + 1;
                    else hi = mid;
                }
                out[k] = lo;
            }
            ct__generator_release(lg);
        }
    }
    free(q);
    if (rc <= 0) {
        free(out);
        return rc;
    }
    c->buf = out;
    c->len = ns;
    return 1;
}

static int64_t weighted_len(void *ctx) { return ((chunked *)ctx)->num_samples; }
static const ct_sampler_vtable weighted_vt = {chunked_iter, chunked_next, weighted_len, chunked_free};

ct_sampler *ct_weighted_random_sampler(int64_t n, const double *weights, int64_t num_samples, bool replacement,
                                       ct_generator *g) {
    if (num_samples <= 0) {
        ct__error("num_samples should be a positive integer value, but got num_samples=%lld",
                  (long long)num_samples);
        return NULL;
    }
    if (n <= 0 || !weights) {
        ct__error("multinomial only supports 1D or 2D tensors, got weights of length %lld", (long long)n);
        return NULL;
    }
    chunked *c = calloc(1, sizeof *c);
    if (c) c->weights = malloc((size_t)n * sizeof *c->weights);
    if (!c || !c->weights) {
        free(c);
        ct__error_oom(n * 8);
        return NULL;
    }
    memcpy(c->weights, weights, (size_t)n * sizeof *weights);
    c->draw = weighted_draw;
    c->n = n;
    c->num_samples = num_samples;
    c->replacement = replacement;
    c->user_gen = g;
    return ct_sampler_new(&weighted_vt, c);
}

/* ---------------- BatchSampler ---------------- */

typedef struct {
    ct_sampler *inner;
    int64_t bs;
    bool drop_last, done;
} batch_ctx;

static int batch_iter(void *ctx) {
    batch_ctx *b = ctx;
    b->done = false;
    return ct_sampler_iter(b->inner);
}
static int batch_next_unused(void *ctx, int64_t *index) {
    (void)ctx;
    (void)index;
    return CT_ERROR;
}
static int64_t batch_len(void *ctx) {
    batch_ctx *b = ctx;
    int64_t n = ct_sampler_len(b->inner);
    if (n < 0) return -1;
    return b->drop_last ? n / b->bs : (n + b->bs - 1) / b->bs;
}
static void batch_free(void *ctx) {
    batch_ctx *b = ctx;
    ct_sampler_free(b->inner);
    free(b);
}
static const ct_sampler_vtable batch_vt = {batch_iter, batch_next_unused, batch_len, batch_free};

ct_sampler *ct_batch_sampler(ct_sampler *sampler, int64_t batch_size, bool drop_last) {
    if (!sampler) return NULL;
    if (batch_size <= 0) {
        ct__error("batch_size should be a positive integer value, but got batch_size=%lld", (long long)batch_size);
        return NULL;
    }
    if (sampler->batch_size > 0) {
        ct__error("BatchSampler: the inner sampler yields batches");
        return NULL;
    }
    batch_ctx *b = calloc(1, sizeof *b);
    if (!b) {
        ct__error_oom(sizeof *b);
        return NULL;
    }
    b->inner = ct_sampler_ref(sampler);
    b->bs = batch_size;
    b->drop_last = drop_last;
    ct_sampler *s = ct_sampler_new(&batch_vt, b);
    if (s) s->batch_size = batch_size;
    return s;
}

int64_t ct_batch_sampler_batch_size(const ct_sampler *bs) { return bs && bs->batch_size > 0 ? bs->batch_size : -1; }

int64_t ct_batch_sampler_next(ct_sampler *s, int64_t *out) {
    if (!s || !out) return CT_ERROR;
    if (s->batch_size <= 0) {
        ct__error("ct_batch_sampler_next: not a BatchSampler");
        return CT_ERROR;
    }
    if (!s->started && ct_sampler_iter(s) != CT_OK) return CT_ERROR;
    batch_ctx *b = s->ctx;
    if (b->done) return 0;
    int64_t k = 0;
    while (k < b->bs) {
        int r = ct_sampler_next(b->inner, &out[k]);
        if (r < 0) return CT_ERROR;
        if (r == 0) {
            b->done = true;
            break;
        }
        k++;
    }
    if (k < b->bs && b->drop_last) return 0;
    return k;
}
