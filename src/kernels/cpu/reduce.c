/* Sum reduction: each output element sums its sub-block of the input.
 * Accumulation is in double for floating types (more precise than
 * PyTorch's float cascade sum; results agree to rounding) and in int64 for
 * integers (wrapping, as PyTorch). Parallel over outputs, or over chunks
 * of a full reduction. */
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"
#include "ctorch/tensor.h"
#include "kernels/cpu/reduce.h"

typedef struct {
    int nk, nr;                     /* kept / reduced dims */
    int64_t ksizes[CT_MAX_DIMS], kstrides[CT_MAX_DIMS];
    int64_t rsizes[CT_MAX_DIMS], rstrides[CT_MAX_DIMS];
    const char *in;
    size_t item;
    ct_dtype in_dtype, out_dtype;
    char *out;
    int64_t rnumel;
} sum_plan;

/* Sum the reduced block starting at base, elements [rb, re) of it. */
static void block_sum(const sum_plan *p, const char *base, int64_t rb, int64_t re, double *dacc, int64_t *iacc) {
    const ct_dtype_traits *tr = ct__traits(p->in_dtype);
    bool is_float = tr->is_floating;
    int inner = p->nr - 1;
    int64_t counter[CT_MAX_DIMS];
    int64_t rem = rb;
    for (int d = p->nr - 1; d >= 0; d--) {
        counter[d] = rem % p->rsizes[d];
        rem /= p->rsizes[d];
    }
    double ds = 0;
    uint64_t is = 0; /* integer sums wrap, as PyTorch's int64 accumulation */
    int64_t i = rb;
    while (i < re) {
        const char *q = base;
        for (int d = 0; d < inner; d++) q += counter[d] * p->rstrides[d] * (int64_t)p->item;
        int64_t run = p->rsizes[inner] - counter[inner];
        if (run > re - i) run = re - i;
        int64_t st = p->rstrides[inner] * (int64_t)p->item;
        q += counter[inner] * st;
        if (is_float) {
            if (p->in_dtype == CT_FLOAT32) {
                for (int64_t k = 0; k < run; k++) ds += *(const float *)(q + k * st);
            } else if (p->in_dtype == CT_FLOAT64) {
                for (int64_t k = 0; k < run; k++) ds += *(const double *)(q + k * st);
            } else {
                for (int64_t k = 0; k < run; k++) ds += tr->load_double(q + k * st);
            }
        } else {
            for (int64_t k = 0; k < run; k++) is += (uint64_t)tr->load_int64(q + k * st);
        }
        i += run;
        counter[inner] += run;
        for (int d = inner; d > 0 && counter[d] >= p->rsizes[d]; d--) {
            counter[d] = 0;
            counter[d - 1]++;
        }
    }
    *dacc = ds;
    *iacc = (int64_t)is;
}

static void store(const sum_plan *p, int64_t o, double ds, int64_t is) {
    char *dst = p->out + o * (int64_t)ct__traits(p->out_dtype)->itemsize;
    if (ct__traits(p->in_dtype)->is_floating) {
        ct__traits(p->out_dtype)->store_double(dst, ds);
    } else {
        memcpy(dst, &is, sizeof is);
    }
}

static void outputs_range(int64_t b, int64_t e, void *ctx) {
    const sum_plan *p = ctx;
    for (int64_t o = b; o < e; o++) {
        const char *base = p->in;
        int64_t rem = o;
        for (int d = p->nk - 1; d >= 0; d--) {
            base += (rem % p->ksizes[d]) * p->kstrides[d] * (int64_t)p->item;
            rem /= p->ksizes[d];
        }
        double ds = 0;
        int64_t is = 0;
        if (p->nr == 0) { /* nothing reduced (a 0-dim input): copy */
            ds = ct__traits(p->in_dtype)->load_double(base);
            is = ct__traits(p->in_dtype)->load_int64(base);
        } else if (p->rnumel > 0) {
            block_sum(p, base, 0, p->rnumel, &ds, &is);
        }
        store(p, o, ds, is);
    }
}

typedef struct {
    const sum_plan *p;
    double *dparts;
    int64_t *iparts;
    int64_t chunk;
} full_ctx;

static void full_range(int64_t b, int64_t e, void *vctx) {
    full_ctx *c = vctx;
    for (int64_t k = b; k < e; k++) {
        int64_t rb = k * c->chunk, re = rb + c->chunk < c->p->rnumel ? rb + c->chunk : c->p->rnumel;
        block_sum(c->p, c->p->in, rb, re, &c->dparts[k], &c->iparts[k]);
    }
}

void ct__kernel_sum(void *out, ct_dtype out_dtype, const void *in, ct_dtype in_dtype, int ndim, const int64_t *sizes,
                    const int64_t *in_strides, const bool *reduce) {
    sum_plan p = {.in = in, .item = ct__traits(in_dtype)->itemsize, .in_dtype = in_dtype, .out_dtype = out_dtype,
                  .out = out, .rnumel = 1};
    int64_t onumel = 1;
    for (int d = 0; d < ndim; d++) {
        if (reduce[d]) {
            p.rsizes[p.nr] = sizes[d];
            p.rstrides[p.nr++] = in_strides[d];
            p.rnumel *= sizes[d];
        } else {
            p.ksizes[p.nk] = sizes[d];
            p.kstrides[p.nk++] = in_strides[d];
            onumel *= sizes[d];
        }
    }
    if (onumel == 0) return;
    if (onumel == 1 && p.nr > 0 && p.rnumel >= 2 * CT_GRAIN_SIZE) {
        /* one output: split the reduction into chunks, add the partials in order */
        enum { MAX_CHUNKS = 64 };
        double dparts[MAX_CHUNKS] = {0};
        int64_t iparts[MAX_CHUNKS] = {0};
        int64_t nchunks = p.rnumel / CT_GRAIN_SIZE;
        if (nchunks > MAX_CHUNKS) nchunks = MAX_CHUNKS;
        full_ctx c = {&p, dparts, iparts, (p.rnumel + nchunks - 1) / nchunks};
        ct_parallel_for(0, nchunks, 1, full_range, &c);
        double ds = 0;
        uint64_t us = 0;
        for (int64_t k = 0; k < nchunks; k++) ds += dparts[k], us += (uint64_t)iparts[k];
        store(&p, 0, ds, (int64_t)us);
        return;
    }
    int64_t grain = p.rnumel > 0 ? CT_GRAIN_SIZE / p.rnumel : CT_GRAIN_SIZE;
    ct_parallel_for(0, onumel, grain > 0 ? grain : 1, outputs_range, &p);
}
