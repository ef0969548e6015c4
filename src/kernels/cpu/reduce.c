/* Reductions: each output element reduces its sub-block of the input.
 *
 * Sums follow PyTorch's cascade summation (aten/src/ATen/native/cpu/
 * SumKernel.cpp) so that float32 results match bit for bit where the
 * reduced block is one run (a contiguous inner reduction); other layouts
 * use the same cascade over the block in row-major order. The other
 * reductions gather each block into a double (or int64) buffer and reduce
 * it. Parallel over outputs, or over chunks of a large single-output sum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"
#include "ctorch/tensor.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

void ct__store_int64(void *p, ct_dtype dtype, int64_t v) {
    switch (dtype) {
    case CT_BOOL: *(bool *)p = v != 0; break;
    case CT_UINT8: *(uint8_t *)p = (uint8_t)v; break;
    case CT_INT8: *(int8_t *)p = (int8_t)v; break;
    case CT_INT16: *(int16_t *)p = (int16_t)v; break;
    case CT_INT32: *(int32_t *)p = (int32_t)v; break;
    case CT_INT64: *(int64_t *)p = v; break;
    default: ct__traits(dtype)->store_double(p, (double)v); break;
    }
}

/* ---- the block walker: kept dims index outputs, reduced dims a block ---- */

typedef struct {
    int nk, nr; /* kept / reduced dims */
    int64_t ksizes[CT_MAX_DIMS], kstrides[CT_MAX_DIMS];
    int64_t rsizes[CT_MAX_DIMS], rstrides[CT_MAX_DIMS]; /* in bytes */
    const char *in;
    ct_dtype in_dtype, out_dtype;
    char *out, *out2;
    int64_t rnumel, onumel;
    ct_reduce_kind kind;
    double param;
} plan;

static void make_plan(plan *p, const void *in, ct_dtype in_dtype, int ndim, const int64_t *sizes,
                      const int64_t *strides, const bool *reduce) {
    /* the scalars only: the dim arrays are read up to nk / nr (a memset
     * of the whole plan was a good part of a tiny sum's cost) */
    p->nk = p->nr = 0;
    p->out = p->out2 = NULL;
    p->out_dtype = in_dtype;
    p->kind = CT_REDUCE_NANSUM; /* set by ct__kernel_reduce */
    p->param = 0;
    p->in = in;
    p->in_dtype = in_dtype;
    p->rnumel = p->onumel = 1;
    int64_t item = (int64_t)ct__traits(in_dtype)->itemsize;
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] == 1) continue; /* size-1 dims change nothing */
        if (reduce[d]) {
            /* merge with the previous reduced dim when contiguous with it */
            if (p->nr > 0 && p->rstrides[p->nr - 1] == strides[d] * item * sizes[d]) {
                p->rsizes[p->nr - 1] *= sizes[d];
                p->rstrides[p->nr - 1] = strides[d] * item;
            } else {
                p->rsizes[p->nr] = sizes[d];
                p->rstrides[p->nr++] = strides[d] * item;
            }
            p->rnumel *= sizes[d];
        } else if (p->nk > 0 && p->kstrides[p->nk - 1] == strides[d] * item * sizes[d]) {
            /* merged with the previous kept dim: outputs are numbered
             * row-major over the kept dims, so the offset of output o is
             * the same (e.g. the batch and channel dims of a pool) */
            p->ksizes[p->nk - 1] *= sizes[d];
            p->kstrides[p->nk - 1] = strides[d] * item;
            p->onumel *= sizes[d];
        } else {
            p->ksizes[p->nk] = sizes[d];
            p->kstrides[p->nk++] = strides[d] * item;
            p->onumel *= sizes[d];
        }
    }
}

static const char *block_base(const plan *p, int64_t o) {
    const char *base = p->in;
    if (p->rnumel == 0) return base; /* nothing is read (data may be NULL) */
    for (int d = p->nk - 1; d >= 0; d--) {
        base += (o % p->ksizes[d]) * p->kstrides[d];
        o /= p->ksizes[d];
    }
    return base;
}

/* Call fn on the runs of the block elements [rb, re) in row-major order. */
typedef void (*run_fn)(const char *q, int64_t stride, int64_t n, void *ctx);
static void walk(const plan *p, const char *base, int64_t rb, int64_t re, run_fn fn, void *ctx) {
    if (rb >= re) return;
    if (p->nr == 0) {
        fn(base, 0, 1, ctx);
        return;
    }
    int inner = p->nr - 1;
    int64_t counter[CT_MAX_DIMS];
    int64_t rem = rb;
    for (int d = p->nr - 1; d >= 0; d--) {
        counter[d] = rem % p->rsizes[d];
        rem /= p->rsizes[d];
    }
    int64_t i = rb;
    while (i < re) {
        const char *q = base;
        for (int d = 0; d < inner; d++) q += counter[d] * p->rstrides[d];
        int64_t run = p->rsizes[inner] - counter[inner];
        if (run > re - i) run = re - i;
        q += counter[inner] * p->rstrides[inner];
        fn(q, p->rstrides[inner], run, ctx);
        i += run;
        counter[inner] += run;
        for (int d = inner; d > 0 && counter[d] >= p->rsizes[d]; d--) {
            counter[d] = 0;
            counter[d - 1]++;
        }
    }
}

/* ---- cascade sum (SumKernel.cpp) ----
 * multi_row_sum: 4 levels of partial sums; level 0 takes level_step rows
 * at a time, then is pushed up while the row index is a multiple of the
 * level's span. */
#define CASCADE_LEVELS 4
#define MAX_LANES 32 /* columns summed side by side: up to 4 vectors of 8 floats */

static int64_t ceil_log2(int64_t x) {
    int64_t r = 0;
    while (((int64_t)1 << r) < x) r++;
    return r;
}

/* Sum, for each of `lanes` interleaved columns k, the elements
 * load(i * row_stride + k * col_stride), i < size. T = float or double. */
#define DEFINE_MULTI_ROW_SUM(T, NAME, LD)                                                                  \
    static inline __attribute__((always_inline)) void NAME##_body(const char *in, int64_t row_stride,            \
                                                                  int64_t col_stride, int64_t size, int lanes,   \
                                                                  double (*load)(const void *), T *ret) {        \
        T acc[CASCADE_LEVELS][MAX_LANES];                                                                     \
        (void)load;                                                                                           \
        if (size < 16) {                                                                                      \
            /* fewer rows than one level-0 step (>= 16): the levels above */                                  \
            /* stay zero; level 0 takes every row, then adds them (+0, */                                     \
            /* which turns a -0 sum into +0 as the full cascade does) */                                       \
            for (int k = 0; k < lanes; k++) acc[0][k] = 0;                                                    \
            for (int64_t i = 0; i < size; i++) {                                                              \
                const char *b = in + i * row_stride;                                                          \
                for (int k = 0; k < lanes; k++) acc[0][k] += LD(b + k * col_stride);                          \
            }                                                                                                 \
            for (int k = 0; k < lanes; k++) ret[k] = acc[0][k] + (T)0;                                        \
            return;                                                                                           \
        }                                                                                                     \
        for (int j = 0; j < CASCADE_LEVELS; j++) /* only the lanes used (a memset of all was most of a */    \
            for (int k = 0; k < lanes; k++) acc[j][k] = 0; /* tiny sum's cost) */                             \
        int64_t lp = ceil_log2(size) / CASCADE_LEVELS;                                                        \
        if (lp < 4) lp = 4;                                                                                   \
        const int64_t step = (int64_t)1 << lp, mask0 = step - 1;                                              \
        int64_t i = 0;                                                                                        \
        for (; i + step <= size;) {                                                                           \
            for (int64_t j = 0; j < step; j++) {                                                              \
                const char *b = in + (i + j) * row_stride;                                                    \
                for (int k = 0; k < lanes; k++) acc[0][k] += LD(b + k * col_stride);                      \
            }                                                                                                 \
            i += step;                                                                                        \
            for (int j = 1; j < CASCADE_LEVELS; j++) {                                                        \
                for (int k = 0; k < lanes; k++) {                                                             \
                    acc[j][k] += acc[j - 1][k];                                                               \
                    acc[j - 1][k] = 0;                                                                        \
                }                                                                                             \
                if ((i & (mask0 << (j * lp))) != 0) break;                                                    \
            }                                                                                                 \
        }                                                                                                     \
        for (; i < size; i++) {                                                                               \
            const char *b = in + i * row_stride;                                                              \
            for (int k = 0; k < lanes; k++) acc[0][k] += LD(b + k * col_stride);                          \
        }                                                                                                     \
        for (int j = 1; j < CASCADE_LEVELS; j++)                                                              \
            for (int k = 0; k < lanes; k++) acc[0][k] += acc[j][k];                                           \
        for (int k = 0; k < lanes; k++) ret[k] = acc[0][k];                                                   \
    }
/* (row_sum and the outer blocks inline the body, with constant lanes for
 * one vector of contiguous lanes, so the compiler keeps each level in one
 * register) */
/* LD(p): the element at byte address p, as T. Through the caller's load
 * function for float16 / bfloat16 / ints; read directly for float32 and
 * float64 (which then never go through the load function), where
 * the compiler can then vectorize (same values: a float widened to double
 * and back is itself). */
#define LD_CALL_F(p) ((float)load(p))
#define LD_F32(p) (*(const float *)(const void *)(p))
#define LD_F64(p) (*(const double *)(const void *)(p))
DEFINE_MULTI_ROW_SUM(float, multi_row_sum_f, LD_CALL_F)
DEFINE_MULTI_ROW_SUM(float, multi_row_sum_f32, LD_F32)
DEFINE_MULTI_ROW_SUM(double, multi_row_sum_f64, LD_F64)

static double ld_f32(const void *p) { return *(const float *)p; }
static double ld_f64(const void *p) { return *(const double *)p; }

/* row_sum: a row seen as (-1, 4), summed per column, then combined. Each
 * "element" may be a vector of `lanes` floats (stride elem_stride between
 * elements, lane_stride between lanes). */
#define DEFINE_ROW_SUM(T, NAME, MRS, LD, ATTR)                                                                   \
    static inline __attribute__((always_inline)) void NAME##_body(const char *in, int64_t elem_stride,           \
                                                                  int64_t lane_stride, int64_t size, int lanes,  \
                                                                  double (*load)(const void *), T *out) {        \
        T part[4][16];                                                                                        \
        int64_t size_ilp = size / 4;                                                                          \
        T tmp[16 * 4];                                                                                        \
        /* 4 interleaved columns of vectors = 4 * lanes scalar columns */                                     \
        for (int c = 0; c < 4; c++)                                                                           \
            MRS##_body(in + c * elem_stride, 4 * elem_stride, lane_stride, size_ilp, lanes, load, tmp + c * 16); \
        for (int c = 0; c < 4; c++)                                                                           \
            for (int k = 0; k < lanes; k++) part[c][k] = tmp[c * 16 + k];                                     \
        for (int64_t i = size_ilp * 4; i < size; i++)                                                         \
            for (int k = 0; k < lanes; k++) part[0][k] += LD(in + i * elem_stride + k * lane_stride);    \
        for (int c = 1; c < 4; c++)                                                                           \
            for (int k = 0; k < lanes; k++) part[0][k] += part[c][k];                                         \
        for (int k = 0; k < lanes; k++) out[k] = part[0][k];                                                  \
    }                                                                                                         \
    /* the body inlined with constant lanes for one vector of contiguous */                                   \
    /* lanes and for single columns, so each level stays in a register */                                     \
    ATTR static void NAME(const char *in, int64_t elem_stride, int64_t lane_stride, int64_t size, int lanes,        \
                     double (*load)(const void *), T *out) {                                                   \
        if (lanes == 32 / (int)sizeof(T) && lane_stride == sizeof(T))                                         \
            NAME##_body(in, elem_stride, sizeof(T), size, 32 / (int)sizeof(T), load, out);                    \
        else if (lanes == 1)                                                                                  \
            NAME##_body(in, elem_stride, 0, size, 1, load, out);                                              \
        else                                                                                                  \
            NAME##_body(in, elem_stride, lane_stride, size, lanes, load, out);                                \
    }
DEFINE_ROW_SUM(float, row_sum_f, multi_row_sum_f, LD_CALL_F, )
DEFINE_ROW_SUM(float, row_sum_f32, multi_row_sum_f32, LD_F32, CT_SIMD_CLONES)
DEFINE_ROW_SUM(double, row_sum_f64, multi_row_sum_f64, LD_F64, CT_SIMD_CLONES)

#define OUTER_BLOCK_BYTES 128
CT_SIMD_CLONES static void outer_block_f(const char *in, int64_t row_stride, int64_t rows, float *out) {
    multi_row_sum_f32_body(in, row_stride, sizeof(float), rows, OUTER_BLOCK_BYTES / sizeof(float), NULL, out);
}
CT_SIMD_CLONES static void outer_block_d(const char *in, int64_t row_stride, int64_t rows, double *out) {
    multi_row_sum_f64_body(in, row_stride, sizeof(double), rows, OUTER_BLOCK_BYTES / sizeof(double), NULL, out);
}

/* row_sum of nvec contiguous vectors of 32 bytes (float32 / float64):
 * PyTorch's row_sum runs its 4 interleaved columns of vectors through ONE
 * multi_row_sum (nrows = 4), so the 4 accumulators are independent and
 * the adds overlap. Seen as 32 / 16 scalar lanes of a (nvec / 4, 128 B)
 * matrix that is the outer block's sum: the same adds in the same order
 * per lane as row_sum_f32 / row_sum_f64 with 8 / 4 lanes (which walk the
 * 4 columns one after the other, one dependent chain each). */
#define DEFINE_CONTIG_ROW_SUM(T, NAME, BLOCK)                                                                    \
    static void NAME(const char *in, int64_t nvec, T *out) {                                                   \
        enum { L = 32 / (int)sizeof(T) };                                                                     \
        T tmp[4 * L];                                                                                         \
        int64_t size_ilp = nvec / 4;                                                                          \
        BLOCK(in, 4 * 32, size_ilp, tmp);                                                                     \
        for (int64_t i = size_ilp * 4; i < nvec; i++)                                                         \
            for (int k = 0; k < L; k++) tmp[k] += ((const T *)(const void *)in)[i * L + k];                   \
        for (int c = 1; c < 4; c++)                                                                           \
            for (int k = 0; k < L; k++) tmp[k] += tmp[c * L + k];                                             \
        for (int k = 0; k < L; k++) out[k] = tmp[k];                                                          \
    }
DEFINE_CONTIG_ROW_SUM(float, contig_row_sum_f32, outer_block_f)
DEFINE_CONTIG_ROW_SUM(double, contig_row_sum_f64, outer_block_d)

/* vectorized_inner_sum for one contiguous row of n elements: vectors of
 * 32 bytes (8 floats / 4 doubles), scalar tail, then the lanes. */
static double inner_sum(const char *in, int64_t stride, int64_t n, ct_dtype dt, double (*load)(const void *)) {
    bool is_double = dt == CT_FLOAT64;
    int64_t item = (int64_t)ct__traits(dt)->itemsize;
    int lanes = is_double ? 4 : 8;
    if (stride == item && n >= lanes) {
        int64_t nvec = n / lanes;
        if (is_double) {
            double v[16], acc = 0;
            contig_row_sum_f64(in, nvec, v);
            for (int64_t k = nvec * lanes; k < n; k++) acc += load(in + k * item);
            for (int k = 0; k < lanes; k++) acc += v[k];
            return acc;
        }
        float v[16], acc = 0;
        if (dt == CT_FLOAT32) contig_row_sum_f32(in, nvec, v);
        else row_sum_f(in, lanes * item, item, nvec, lanes, load, v);
        for (int64_t k = nvec * lanes; k < n; k++) acc += (float)load(in + k * item);
        for (int k = 0; k < lanes; k++) acc += v[k];
        return acc;
    }
    if (is_double) {
        double r;
        row_sum_f64(in, stride, 0, n, 1, load, &r);
        return r;
    }
    float r;
    if (dt == CT_FLOAT32) row_sum_f32(in, stride, 0, n, 1, load, &r);
    else row_sum_f(in, stride, 0, n, 1, load, &r);
    return r;
}

typedef struct {
    ct_dtype dt;
    double (*load)(const void *);
    double dacc;
    float facc;
    uint64_t iacc;
} sum_ctx;

/* One run of a block: its cascade sum is added to the accumulator (as
 * PyTorch's StorePolicy accumulates into the output per inner loop). */
static void sum_run(const char *q, int64_t stride, int64_t n, void *vctx) {
    sum_ctx *c = vctx;
    if (!ct__traits(c->dt)->is_floating) {
        const ct_dtype_traits *tr = ct__traits(c->dt);
        for (int64_t k = 0; k < n; k++) c->iacc += (uint64_t)tr->load_int64(q + k * stride);
        return;
    }
    double s = inner_sum(q, stride, n, c->dt, c->load);
    if (c->dt == CT_FLOAT64) c->dacc += s;
    else c->facc += (float)s;
}

static void sum_ctx_init(sum_ctx *c, ct_dtype dt) {
    memset(c, 0, sizeof *c);
    c->dt = dt;
    c->load = dt == CT_FLOAT32 ? ld_f32 : dt == CT_FLOAT64 ? ld_f64 : ct__traits(dt)->load_double;
}

static double sum_ctx_value(const sum_ctx *c) { return c->dt == CT_FLOAT64 ? c->dacc : (double)c->facc; }

static void sum_store(const plan *p, int64_t o, const sum_ctx *c) {
    char *dst = p->out + o * (int64_t)ct__traits(p->out_dtype)->itemsize;
    if (ct__traits(p->in_dtype)->is_floating) ct__traits(p->out_dtype)->store_double(dst, sum_ctx_value(c));
    else ct__store_int64(dst, p->out_dtype, (int64_t)c->iacc);
}

static void sum_outputs(int64_t b, int64_t e, void *vp) {
    const plan *p = vp;
    if (p->nk == 1 && p->nr == 1 && p->out_dtype == p->in_dtype &&
        ((p->in_dtype == CT_FLOAT32 && p->rstrides[0] == 4) || (p->in_dtype == CT_FLOAT64 && p->rstrides[0] == 8))) {
        /* rows of one contiguous run each (a sum over the last dims):
         * what the loop below does for them (the run's sum added to a
         * zero accumulator, so -0 becomes +0), without the walk */
        for (int64_t o = b; o < e; o++) {
            const char *q = p->in + o * p->kstrides[0];
            if (p->in_dtype == CT_FLOAT32) {
                float acc = 0;
                acc += (float)inner_sum(q, 4, p->rnumel, CT_FLOAT32, ld_f32);
                ((float *)(void *)p->out)[o] = acc;
            } else {
                double acc = 0;
                acc += inner_sum(q, 8, p->rnumel, CT_FLOAT64, ld_f64);
                ((double *)(void *)p->out)[o] = acc;
            }
        }
        return;
    }
    for (int64_t o = b; o < e; o++) {
        sum_ctx c;
        sum_ctx_init(&c, p->in_dtype);
        walk(p, block_base(p, o), 0, p->rnumel, sum_run, &c);
        sum_store(p, o, &c);
    }
}

typedef struct {
    const plan *p;
    sum_ctx *parts;
    int64_t chunk;
} full_ctx;

static void full_range(int64_t b, int64_t e, void *vctx) {
    full_ctx *c = vctx;
    for (int64_t k = b; k < e; k++) {
        int64_t rb = k * c->chunk, re = rb + c->chunk < c->p->rnumel ? rb + c->chunk : c->p->rnumel;
        walk(c->p, c->p->in, rb, re, sum_run, &c->parts[k]);
    }
}

/* ---- outer sums (SumKernel.cpp's vectorized_outer_sum) ----
 * The reduced dim is outer and the kept one contiguous, e.g. a bias
 * gradient: sum over dim 0 of a (rows, cols) matrix. PyTorch walks the
 * columns in blocks of 4 vectors (32 floats / 16 doubles; AVX2), each
 * column summed by multi_row_sum over all rows; then single vectors
 * through row_sum (4-way interleaved rows); then single columns. The
 * blocks of 4 vectors are the bulk: outer_block_f / _d above,
 * multi_row_sum's body with 32 constant lanes and direct loads, which the
 * compiler vectorizes. */
typedef struct {
    const plan *p;
    int64_t block; /* columns per parallel chunk: a multiple of the block of 4 vectors */
} outer_ctx;

/* columns [jb, je) of the (rows, cols) outer sum into p->out */
/* the sums of columns [j, j + n) into p->out */
static void store_columns(const plan *p, int64_t j, int64_t n, const float *vf, const double *vd) {
    if (p->out_dtype == p->in_dtype) { /* float -> float, double -> double: the values as they are */
        if (vd) memcpy((double *)(void *)p->out + j, vd, (size_t)n * sizeof *vd);
        else memcpy((float *)(void *)p->out + j, vf, (size_t)n * sizeof *vf);
        return;
    }
    const ct_dtype_traits *ot = ct__traits(p->out_dtype);
    for (int64_t k = 0; k < n; k++) ot->store_double(p->out + (j + k) * (int64_t)ot->itemsize, vd ? vd[k] : vf[k]);
}

static void outer_sum_columns(const plan *p, int64_t jb, int64_t je) {
    bool dbl = p->in_dtype == CT_FLOAT64;
    int64_t item = dbl ? 8 : 4, lanes = 32 / item, rows = p->rsizes[0], rs = p->rstrides[0];
    union {
        float f[OUTER_BLOCK_BYTES / 4];
        double d[OUTER_BLOCK_BYTES / 4];
    } v;
    int64_t j = jb;
    for (; j + 4 * lanes <= je; j += 4 * lanes) {
        const char *q = p->in + j * item;
        if (dbl) outer_block_d(q, rs, rows, v.d);
        else outer_block_f(q, rs, rows, v.f);
        store_columns(p, j, 4 * lanes, v.f, dbl ? v.d : NULL);
    }
    for (int n; j < je; j += n) {
        n = j + lanes <= je ? (int)lanes : 1; /* a whole vector, then single columns */
        const char *q = p->in + j * item;
        if (dbl) row_sum_f64(q, rs, item, rows, n, NULL, v.d); /* direct loads: no load function */
        else row_sum_f32(q, rs, item, rows, n, NULL, v.f);
        store_columns(p, j, n, v.f, dbl ? v.d : NULL);
    }
}

static void outer_sum_range(int64_t b, int64_t e, void *vctx) {
    const outer_ctx *c = vctx;
    int64_t cols = c->p->ksizes[0];
    outer_sum_columns(c->p, b * c->block, e * c->block < cols ? e * c->block : cols);
}

/* Below PyTorch's grain size (32768 elements) the sum runs on one thread
 * as PyTorch's does; larger ones split the columns over the threads in
 * whole blocks of 4 vectors. */
static bool outer_sum(const plan *p) {
    if ((p->in_dtype != CT_FLOAT32 && p->in_dtype != CT_FLOAT64) || p->nk != 1 || p->nr != 1) return false;
    int64_t item = (int64_t)ct__traits(p->in_dtype)->itemsize, cols = p->ksizes[0];
    if (p->kstrides[0] != item || cols < 32 / item || p->rstrides[0] < cols * item) return false;
    int64_t nthreads = ct_get_num_threads(), block = 128 / item;
    if (p->rnumel * cols >= 32768 && nthreads > 1) {
        int64_t per = (cols + nthreads - 1) / nthreads;
        block = (per + block - 1) / block * block;
    } else {
        block = cols;
    }
    outer_ctx c = {p, block};
    ct_parallel_for(0, (cols + block - 1) / block, 1, outer_sum_range, &c);
    return true;
}

void ct__kernel_sum(void *out, ct_dtype out_dtype, const void *in, ct_dtype in_dtype, int ndim, const int64_t *sizes,
                    const int64_t *in_strides, const bool *reduce) {
    plan p;
    make_plan(&p, in, in_dtype, ndim, sizes, in_strides, reduce);
    p.out = out;
    p.out_dtype = out_dtype;
    if (p.onumel == 0) return;
    if (outer_sum(&p)) return;
    if (p.onumel == 1 && p.nr == 1 && p.rnumel > 0 && p.rnumel < CT_GRAIN_SIZE && ct__traits(in_dtype)->is_floating) {
        /* one run below the grain size (a small contiguous sum): what
         * sum_outputs does for it, without the walk */
        sum_ctx c;
        sum_ctx_init(&c, in_dtype);
        sum_run(p.in, p.rstrides[0], p.rnumel, &c);
        sum_store(&p, 0, &c);
        return;
    }
    if (p.onumel == 1 && p.nr > 0 && p.rnumel >= 2 * CT_GRAIN_SIZE && ct_get_num_threads() > 1) {
        /* one output: chunks in parallel, partials added in order */
        enum { MAX_CHUNKS = 64 };
        sum_ctx parts[MAX_CHUNKS];
        int64_t nchunks = ct_get_num_threads();
        if (nchunks > MAX_CHUNKS) nchunks = MAX_CHUNKS;
        for (int64_t k = 0; k < nchunks; k++) sum_ctx_init(&parts[k], in_dtype);
        full_ctx c = {&p, parts, (p.rnumel + nchunks - 1) / nchunks};
        ct_parallel_for(0, nchunks, 1, full_range, &c);
        sum_ctx total;
        sum_ctx_init(&total, in_dtype);
        for (int64_t k = 0; k < nchunks; k++) {
            total.dacc += parts[k].dacc;
            total.facc += parts[k].facc;
            total.iacc += parts[k].iacc;
        }
        sum_store(&p, 0, &total);
        return;
    }
    int64_t grain = p.rnumel > 0 ? CT_GRAIN_SIZE / p.rnumel : CT_GRAIN_SIZE;
    ct_parallel_for(0, p.onumel, grain > 0 ? grain : 1, sum_outputs, &p);
}

/* ---- generic reductions over a gathered block ---- */

typedef struct {
    double *d;
    int64_t *i;
    int64_t n;
    const ct_dtype_traits *tr;
} gather_ctx;

static void gather_run(const char *q, int64_t stride, int64_t n, void *vctx) {
    gather_ctx *g = vctx;
    for (int64_t k = 0; k < n; k++) {
        if (g->d) g->d[g->n] = g->tr->load_double(q + k * stride);
        else g->i[g->n] = g->tr->load_int64(q + k * stride);
        g->n++;
    }
}

static double reduce_float(const plan *p, const double *x, int64_t n, double *second) {
    switch (p->kind) {
    case CT_REDUCE_NANSUM: {
        double s = 0;
        for (int64_t k = 0; k < n; k++)
            if (!isnan(x[k])) s += x[k];
        return s;
    }
    case CT_REDUCE_PROD: {
        double s = 1;
        for (int64_t k = 0; k < n; k++) s *= x[k];
        return s;
    }
    case CT_REDUCE_VAR:
    case CT_REDUCE_STD: {
        double m = 0;
        for (int64_t k = 0; k < n; k++) m += x[k];
        m = n > 0 ? m / (double)n : NAN;
        double m2 = 0;
        for (int64_t k = 0; k < n; k++) m2 += (x[k] - m) * (x[k] - m);
        double den = (double)n - p->param;
        if (den < 0) den = 0;
        double v = m2 / den;
        if (n == 0) v = NAN;
        *second = m;
        return p->kind == CT_REDUCE_STD ? sqrt(v) : v;
    }
    case CT_REDUCE_NORM: {
        double pp = p->param, s = 0;
        if (pp == 0) {
            for (int64_t k = 0; k < n; k++) s += x[k] != 0;
            return s;
        }
        if (isinf(pp)) {
            if (n == 0) return 0;
            s = fabs(x[0]);
            for (int64_t k = 0; k < n; k++) {
                double a = fabs(x[k]);
                if (isnan(a) || isnan(s)) s = NAN;
                else if (pp > 0 ? a > s : a < s) s = a;
            }
            return s;
        }
        if (pp == 1) {
            for (int64_t k = 0; k < n; k++) s += fabs(x[k]);
            return s;
        }
        if (pp == 2) {
            for (int64_t k = 0; k < n; k++) s += x[k] * x[k];
            return sqrt(s);
        }
        for (int64_t k = 0; k < n; k++) s += pow(fabs(x[k]), pp);
        return pow(s, 1.0 / pp);
    }
    case CT_REDUCE_LOGSUMEXP: {
        if (n == 0) return -INFINITY;
        double m = x[0];
        for (int64_t k = 1; k < n; k++)
            if (isnan(x[k]) || x[k] > m) m = isnan(m) ? m : x[k];
        if (isinf(m)) m = 0;
        double s = 0;
        for (int64_t k = 0; k < n; k++) s += exp(x[k] - m);
        return log(s) + m;
    }
    case CT_REDUCE_ALL: {
        for (int64_t k = 0; k < n; k++)
            if (x[k] == 0) return 0;
        return 1;
    }
    case CT_REDUCE_ANY: {
        for (int64_t k = 0; k < n; k++)
            if (x[k] != 0) return 1;
        return 0;
    }
    case CT_REDUCE_COUNT_NONZERO: {
        double c = 0;
        for (int64_t k = 0; k < n; k++) c += x[k] != 0;
        return c;
    }
    }
    return 0;
}

static int64_t reduce_int(const plan *p, const int64_t *x, int64_t n) {
    switch (p->kind) {
    case CT_REDUCE_NANSUM: {
        uint64_t s = 0;
        for (int64_t k = 0; k < n; k++) s += (uint64_t)x[k];
        return (int64_t)s;
    }
    case CT_REDUCE_PROD: {
        uint64_t s = 1;
        for (int64_t k = 0; k < n; k++) s *= (uint64_t)x[k];
        return (int64_t)s;
    }
    case CT_REDUCE_ALL:
        for (int64_t k = 0; k < n; k++)
            if (x[k] == 0) return 0;
        return 1;
    case CT_REDUCE_ANY:
        for (int64_t k = 0; k < n; k++)
            if (x[k] != 0) return 1;
        return 0;
    case CT_REDUCE_COUNT_NONZERO: {
        int64_t c = 0;
        for (int64_t k = 0; k < n; k++) c += x[k] != 0;
        return c;
    }
    default: return 0; /* the op layer sends floating kinds only floats */
    }
}

static void reduce_outputs(int64_t b, int64_t e, void *vp) {
    const plan *p = vp;
    const ct_dtype_traits *tr = ct__traits(p->in_dtype);
    bool fl = tr->is_floating;
    size_t bytes = (size_t)(p->rnumel > 0 ? p->rnumel : 1) * 8;
    void *buf = malloc(bytes);
    if (!buf) return; /* out of memory: outputs stay as they were */
    size_t oitem = ct__traits(p->out_dtype)->itemsize;
    for (int64_t o = b; o < e; o++) {
        gather_ctx g = {fl ? buf : NULL, fl ? NULL : buf, 0, tr};
        walk(p, block_base(p, o), 0, p->rnumel, gather_run, &g);
        char *dst = p->out + o * (int64_t)oitem;
        if (fl) {
            double second = 0;
            double v = reduce_float(p, g.d, g.n, &second);
            if (p->kind == CT_REDUCE_COUNT_NONZERO || !ct_dtype_is_floating_point(p->out_dtype))
                ct__store_int64(dst, p->out_dtype, (int64_t)v);
            else
                ct__traits(p->out_dtype)->store_double(dst, v);
            if (p->out2) ct__traits(p->out_dtype)->store_double(p->out2 + o * (int64_t)oitem, second);
        } else {
            ct__store_int64(dst, p->out_dtype, reduce_int(p, g.i, g.n));
        }
    }
    free(buf);
}

void ct__kernel_reduce(ct_reduce_kind kind, double param, void *out, void *out2, ct_dtype out_dtype, const void *in,
                       ct_dtype in_dtype, int ndim, const int64_t *sizes, const int64_t *in_strides,
                       const bool *reduce) {
    plan p;
    make_plan(&p, in, in_dtype, ndim, sizes, in_strides, reduce);
    p.out = out;
    p.out2 = out2;
    p.out_dtype = out_dtype;
    p.kind = kind;
    p.param = param;
    if (p.onumel == 0) return;
    int64_t grain = p.rnumel > 0 ? CT_GRAIN_SIZE / p.rnumel : CT_GRAIN_SIZE;
    ct_parallel_for(0, p.onumel, grain > 0 ? grain : 1, reduce_outputs, &p);
}
