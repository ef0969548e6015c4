/* The strided iterator (see strided_iter.h). */
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/strided_iter.h"

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
    /* merge dim i-1 into i (i inner) when contiguous for every operand */
    int m = 0;
    for (int d = 0; d < n; d++) {
        if (m > 0) {
            bool mergeable = true;
            for (int k = 0; k < noperands; k++)
                if (it->strides[k][m - 1] != it->strides[k][d] * it->sizes[d]) mergeable = false;
            if (mergeable) {
                it->sizes[m - 1] *= it->sizes[d];
                for (int k = 0; k < noperands; k++) it->strides[k][m - 1] = it->strides[k][d];
                continue;
            }
        }
        it->sizes[m] = it->sizes[d];
        for (int k = 0; k < noperands; k++) it->strides[k][m] = it->strides[k][d];
        m++;
    }
    it->ndim = m;
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

void ct__iter_run_parallel(const ct_strided_iter *it, int64_t grain, ct_loop1d_fn fn, void *ctx) {
    int64_t numel = ct__iter_numel(it);
    if (numel == 0) return;
    par_ctx c = {it, fn, ctx};
    if (it->ndim == 1) {
        ct_parallel_for(0, numel, grain, par_inner, &c);
        return;
    }
    int64_t outer = outer_count(it);
    int64_t inner = it->ndim ? it->sizes[it->ndim - 1] : 1;
    int64_t outer_grain = grain / (inner > 0 ? inner : 1);
    ct_parallel_for(0, outer, outer_grain > 0 ? outer_grain : 1, par_outer, &c);
}
