/* The strided iterator (see strided_iter.h). */
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/strided_iter.h"

_Thread_local ct_loop_stats ct__loop_stats;

/* Merge dim d-1 into d (d inner) when contiguous for every operand. */
static void coalesce(ct_strided_iter *it) {
    int m = 0;
    for (int d = 0; d < it->ndim; d++) {
        if (m > 0) {
            bool mergeable = true;
            for (int k = 0; k < it->noperands; k++)
                if (it->strides[k][m - 1] != it->strides[k][d] * it->sizes[d]) mergeable = false;
            if (mergeable) {
                it->sizes[m - 1] *= it->sizes[d];
                for (int k = 0; k < it->noperands; k++) it->strides[k][m - 1] = it->strides[k][d];
                continue;
            }
        }
        it->sizes[m] = it->sizes[d];
        for (int k = 0; k < it->noperands; k++) it->strides[k][m] = it->strides[k][d];
        m++;
    }
    it->ndim = m;
}

void ct__iter_init(ct_strided_iter *it, int ndim, const int64_t *sizes, int noperands, char *const *data,
                   const int64_t *const *elem_strides, const int64_t *itemsizes) {
    memset(it, 0, sizeof *it);
    it->noperands = noperands;
    for (int k = 0; k < noperands; k++) it->data[k] = data[k];
    /* drop size-1 dims; keep the order (outermost first) */
    int n = 0;
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] == 1) continue;
        it->sizes[n] = sizes[d];
        for (int k = 0; k < noperands; k++) it->strides[k][n] = elem_strides[k][d] * itemsizes[k];
        n++;
    }
    it->ndim = n;
    coalesce(it);
}

int64_t ct__iter_numel(const ct_strided_iter *it) {
    int64_t n = 1;
    for (int d = 0; d < it->ndim; d++) n *= it->sizes[d];
    return n;
}

/* Run inner loops for the linear outer-index range [begin, end), where the
 * outer index enumerates all dims but the innermost. */
static void run_outer_range(const ct_strided_iter *it, int64_t begin, int64_t end, ct_loop1d_fn fn, void *ctx) {
    int nop = it->noperands;
    int64_t inner_strides[CT_ITER_MAX_OPERANDS];
    char *ptrs[CT_ITER_MAX_OPERANDS];
    if (it->ndim == 0) {
        for (int k = 0; k < nop; k++) inner_strides[k] = 0;
        for (int k = 0; k < nop; k++) ptrs[k] = it->data[k];
        if (begin < end) fn(ptrs, inner_strides, 1, ctx);
        return;
    }
    int inner = it->ndim - 1;
    for (int k = 0; k < nop; k++) inner_strides[k] = it->strides[k][inner];
    /* decompose begin into a counter over dims [0, inner) */
    int64_t counter[CT_MAX_DIMS] = {0};
    int64_t rem = begin;
    for (int d = inner - 1; d >= 0; d--) {
        counter[d] = rem % it->sizes[d];
        rem /= it->sizes[d];
    }
    for (int64_t o = begin; o < end; o++) {
        for (int k = 0; k < nop; k++) {
            char *p = it->data[k];
            for (int d = 0; d < inner; d++) p += counter[d] * it->strides[k][d];
            ptrs[k] = p;
        }
        fn(ptrs, inner_strides, it->sizes[inner], ctx);
        for (int d = inner - 1; d >= 0; d--) {
            if (++counter[d] < it->sizes[d]) break;
            counter[d] = 0;
        }
    }
}

static int64_t outer_count(const ct_strided_iter *it) {
    int64_t n = 1;
    for (int d = 0; d + 1 < it->ndim; d++) n *= it->sizes[d];
    return n;
}

void ct__iter_run(const ct_strided_iter *it, ct_loop1d_fn fn, void *ctx) {
    if (ct__iter_numel(it) == 0) return;
    run_outer_range(it, 0, outer_count(it), fn, ctx);
}

typedef struct {
    const ct_strided_iter *it;
    ct_loop1d_fn fn;
    void *ctx;
} par_ctx;

static void par_outer(int64_t b, int64_t e, void *vctx) {
    par_ctx *c = vctx;
    run_outer_range(c->it, b, e, c->fn, c->ctx);
}

/* Split the innermost run itself into chunks (a 1-D iteration). */
static void par_inner(int64_t b, int64_t e, void *vctx) {
    par_ctx *c = vctx;
    char *ptrs[CT_ITER_MAX_OPERANDS];
    int64_t strides[CT_ITER_MAX_OPERANDS];
    for (int k = 0; k < c->it->noperands; k++) {
        strides[k] = c->it->strides[k][0];
        ptrs[k] = c->it->data[k] + b * strides[k];
    }
    c->fn(ptrs, strides, e - b, c->ctx);
}

static int64_t abs64(int64_t x) { return x < 0 ? -x : x; }

/* TensorIterator's reorder_dimensions: true when dim a should be iterated
 * inside dim b, decided by the first operand whose strides on both dims are
 * nonzero and differ (operand 0, the output, first). */
static bool inner_of(const ct_strided_iter *it, int a, int b) {
    for (int k = 0; k < it->noperands; k++) {
        int64_t sa = abs64(it->strides[k][a]), sb = abs64(it->strides[k][b]);
        if (sa == 0 || sb == 0 || sa == sb) continue;
        return sa < sb;
    }
    return false;
}

/* Reorder dims so that the output's smallest strides are innermost, then
 * merge again (a transposed copy into a transposed destination becomes a
 * contiguous run). Stable: ties keep row-major order. */
static void reorder(ct_strided_iter *it) {
    for (int i = 1; i < it->ndim; i++) {
        /* move dim i outward past every dim it should be outside of */
        for (int j = i; j > 0 && inner_of(it, j - 1, j); j--) {
            int64_t t = it->sizes[j];
            it->sizes[j] = it->sizes[j - 1], it->sizes[j - 1] = t;
            for (int k = 0; k < it->noperands; k++) {
                t = it->strides[k][j];
                it->strides[k][j] = it->strides[k][j - 1], it->strides[k][j - 1] = t;
            }
        }
    }
    coalesce(it);
}

/* Square tiles over the two innermost dims when an operand walks them
 * against its memory order (a transpose): every row of a tile then reuses
 * the cache lines the previous row brought in. */
#define TILE 32

static bool want_tiles(const ct_strided_iter *it) {
    if (it->ndim < 2) return false;
    int i = it->ndim - 1, o = it->ndim - 2;
    if (it->sizes[i] < TILE || it->sizes[o] < TILE) return false;
    for (int k = 0; k < it->noperands; k++)
        if (abs64(it->strides[k][o]) < abs64(it->strides[k][i])) return true;
    return false;
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static void run_tiles(int64_t begin, int64_t end, void *vctx) {
    par_ctx *c = vctx;
    const ct_strided_iter *it = c->it;
    int nop = it->noperands, i = it->ndim - 1, o = it->ndim - 2;
    int64_t ti = ceil_div(it->sizes[i], TILE), to = ceil_div(it->sizes[o], TILE);
    int64_t inner_strides[CT_ITER_MAX_OPERANDS];
    for (int k = 0; k < nop; k++) inner_strides[k] = it->strides[k][i];
    for (int64_t tile = begin; tile < end; tile++) {
        int64_t batch = tile / (ti * to), bo = tile / ti % to, bi = tile % ti;
        char *base[CT_ITER_MAX_OPERANDS];
        for (int k = 0; k < nop; k++) base[k] = it->data[k];
        for (int d = o - 1; d >= 0; d--) {
            int64_t idx = batch % it->sizes[d];
            batch /= it->sizes[d];
            for (int k = 0; k < nop; k++) base[k] += idx * it->strides[k][d];
        }
        int64_t r0 = bo * TILE, r1 = r0 + TILE < it->sizes[o] ? r0 + TILE : it->sizes[o];
        int64_t c0 = bi * TILE, len = c0 + TILE < it->sizes[i] ? TILE : it->sizes[i] - c0;
        for (int64_t r = r0; r < r1; r++) {
            char *ptrs[CT_ITER_MAX_OPERANDS];
            for (int k = 0; k < nop; k++) ptrs[k] = base[k] + r * it->strides[k][o] + c0 * it->strides[k][i];
            c->fn(ptrs, inner_strides, len, c->ctx);
        }
    }
}

void ct__iter_run_parallel(const ct_strided_iter *it_in, int64_t grain, ct_loop1d_fn fn, void *ctx) {
    int64_t numel = ct__iter_numel(it_in);
    if (numel == 0) return;
    ct_strided_iter local = *it_in, *it = &local;
    reorder(it);
    par_ctx c = {it, fn, ctx};
    if (it->ndim == 1) {
        ct_parallel_for(0, numel, grain, par_inner, &c);
        return;
    }
    if (want_tiles(it)) {
        int64_t ntiles = ceil_div(it->sizes[it->ndim - 1], TILE) * ceil_div(it->sizes[it->ndim - 2], TILE);
        for (int d = 0; d < it->ndim - 2; d++) ntiles *= it->sizes[d];
        int64_t tile_grain = grain / (TILE * TILE);
        ct_parallel_for(0, ntiles, tile_grain > 0 ? tile_grain : 1, run_tiles, &c);
        return;
    }
    int64_t outer = outer_count(it);
    int64_t inner = it->ndim ? it->sizes[it->ndim - 1] : 1;
    int64_t outer_grain = grain / (inner > 0 ? inner : 1);
    ct_parallel_for(0, outer, outer_grain > 0 ? outer_grain : 1, par_outer, &c);
}
