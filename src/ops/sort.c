/* Sorting and selection: max/min (all elements and along a dim), argmax,
 * argmin, median, nanmedian, mode, kthvalue, topk, sort, argsort, msort.
 *
 * Every dim op works slice by slice: the elements along `dim` are loaded as
 * (key, index) pairs, PyTorch's own algorithm picks indices (see
 * kernels/cpu/sort.h for why the algorithms are reproduced exactly), and the
 * values are copied bit for bit from the input at those indices. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/sort.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */
#include "ops/op_util.h"

/* ---- the slice driver ------------------------------------------------------ */

typedef enum {
    K_MAX,
    K_MIN,
    K_MEDIAN,        /* along a dim: index tie-break */
    K_MEDIAN_ALL,    /* all elements: std::nth_element with '<' */
    K_NANMEDIAN,
    K_NANMEDIAN_ALL,
    K_MODE,
    K_KTH,
    K_SORT,
    K_TOPK
} kind;

typedef struct job {
    kind kind;
    bool floating;
    int64_t k;        /* kthvalue's k, topk's k */
    bool flag;        /* sort: descending; topk: largest */
    bool stable;      /* sort */
    bool sorted;      /* topk */
    /* input geometry (a 0-dim input is taken as 1-D of size 1) */
    const char *x;
    ct_dtype dtype;
    size_t item;
    int ndim, dim;
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    int64_t n, m;     /* slice length in, results per slice out */
    /* contiguous outputs of shape sizes with sizes[dim] = m (either may be NULL) */
    char *vals;
    int64_t *inds;
    int64_t ostrides[CT_MAX_DIMS];
    atomic_bool oom;
} job;

static inline void load_key(const job *j, const char *p, ct__kv *kv) {
    if (j->floating) kv->f = ct__traits(j->dtype)->load_double(p);
    else kv->i = ct__traits(j->dtype)->load_int64(p);
}

static inline bool kv_isnan(const job *j, const ct__kv *kv) { return j->floating && isnan(kv->f); }

/* max/min along the slice: the first NaN, else the first extreme value
 * (PyTorch's `!(value <= max)` scan). */
static int64_t scan_extreme(const job *j, const ct__kv *b, int64_t n) {
    int64_t best = 0;
    bool mx = j->kind == K_MAX;
    for (int64_t t = 0; t < n; t++) {
        bool take;
        if (j->floating) take = mx ? !(b[t].f <= b[best].f) : !(b[t].f >= b[best].f);
        else take = mx ? !(b[t].i <= b[best].i) : !(b[t].i >= b[best].i);
        if (take) {
            best = t;
            if (kv_isnan(j, &b[t])) break;
        }
    }
    return best;
}

/* scan_extreme on a float32 / float64 slice read in place (elements `step`
 * bytes apart), without loading the (key, index) pairs first */
#define SCAN_EXTREME_TYPED(T)                                                                   \
    static int64_t scan_extreme_##T(const char *xs, int64_t step, int64_t n, bool mx) {        \
        int64_t best = 0;                                                                      \
        T bv = *(const T *)(const void *)xs;                                                   \
        for (int64_t t = 0; t < n; t++) {                                                      \
            T v = *(const T *)(const void *)(xs + t * step);                                   \
            if (mx ? !(v <= bv) : !(v >= bv)) {                                                \
                best = t;                                                                      \
                bv = v;                                                                        \
                if (v != v) break;                                                             \
            }                                                                                  \
        }                                                                                      \
        return best;                                                                           \
    }
SCAN_EXTREME_TYPED(float)
SCAN_EXTREME_TYPED(double)

/* The same on a contiguous slice, in two vectorizable passes: the scan
 * above ends at the first NaN if there is one, else at the first element
 * equal (==, so -0 and +0 alike) to the slice's maximum / minimum: every
 * earlier element is below it, and no later one above. So: the extreme and
 * whether a NaN occurs over the whole slice (no early exit; no-trapping-math
 * changes no value), then the first element equal to it; a slice with a
 * NaN (or an infinity) takes the scan itself. */
#if defined(__GNUC__) && !defined(__clang__)
#define CT_SORT_NO_TRAP __attribute__((optimize("no-trapping-math")))
#else
#define CT_SORT_NO_TRAP
#endif
/* GCC vector extensions (32 bytes; two SSE halves on the default target,
 * AVX on x86-64-v3): m = v > m ? v : m as bit selects */
#define SCAN_EXTREME_CONTIG(T, IT)                                                              \
    typedef T T##_v32 __attribute__((vector_size(32)));                                        \
    typedef IT T##_m32 __attribute__((vector_size(32)));                                       \
    /* two vectors side by side (without NaN the extreme is the same */                        \
    /* whatever the order); chk sums v - v: 0 unless a NaN or an infinity */                   \
    CT_SIMD_CLONES CT_SORT_NO_TRAP static T extreme_pass_##T(const T *x, int64_t n, bool mx,    \
                                                               bool *special) {                 \
        enum { W = 32 / sizeof(T) };                                                           \
        T##_v32 m0, m1, c0 = {0}, c1 = {0}, v0, v1;                                            \
        for (int l = 0; l < W; l++) m0[l] = m1[l] = x[0];                                      \
        int64_t t = 0;                                                                         \
        for (; t + 2 * W <= n; t += 2 * W) {                                                   \
            memcpy(&v0, x + t, sizeof v0);                                                     \
            memcpy(&v1, x + t + W, sizeof v1);                                                 \
            c0 += v0 - v0;                                                                     \
            c1 += v1 - v1;                                                                     \
            T##_m32 k0 = mx ? v0 > m0 : v0 < m0, k1 = mx ? v1 > m1 : v1 < m1;                  \
            m0 = (T##_v32)(((T##_m32)v0 & k0) | ((T##_m32)m0 & ~k0));                          \
            m1 = (T##_v32)(((T##_m32)v1 & k1) | ((T##_m32)m1 & ~k1));                          \
        }                                                                                      \
        T m = x[0], chk = 0;                                                                   \
        for (int l = 0; l < W; l++) {                                                          \
            chk += c0[l] + c1[l];                                                              \
            m = mx ? (m0[l] > m ? m0[l] : m) : (m0[l] < m ? m0[l] : m);                        \
            m = mx ? (m1[l] > m ? m1[l] : m) : (m1[l] < m ? m1[l] : m);                        \
        }                                                                                      \
        for (; t < n; t++) {                                                                   \
            T v = x[t];                                                                        \
            chk += v - v;                                                                      \
            m = mx ? (v > m ? v : m) : (v < m ? v : m);                                        \
        }                                                                                      \
        *special = chk != 0;                                                                   \
        return m;                                                                              \
    }                                                                                          \
    /* the first t with x[t] == m: vectors compared whole, then the one */                     \
    /* holding it element by element */                                                       \
    CT_SIMD_CLONES CT_SORT_NO_TRAP static int64_t first_equal_##T(const T *x, int64_t n, T m) { \
        enum { W = 32 / sizeof(T) };                                                           \
        T##_v32 mv, v;                                                                         \
        for (int l = 0; l < W; l++) mv[l] = m;                                                 \
        int64_t t = 0;                                                                         \
        for (; t + W <= n; t += W) {                                                           \
            memcpy(&v, x + t, sizeof v);                                                       \
            T##_m32 k = v == mv;                                                               \
            IT any = 0;                                                                        \
            for (int l = 0; l < W; l++) any |= k[l];                                           \
            if (any) break;                                                                    \
        }                                                                                      \
        for (; t < n; t++)                                                                     \
            if (x[t] == m) return t;                                                           \
        return 0;                                                                              \
    }                                                                                          \
    /* a NaN or an infinity: the scan above as it is */                                        \
    static int64_t scan_extreme_contig_##T(const T *x, int64_t n, bool mx) {                   \
        bool special;                                                                          \
        T m = extreme_pass_##T(x, n, mx, &special);                                            \
        if (special) return scan_extreme_##T((const char *)(const void *)x, sizeof(T), n, mx); \
        return first_equal_##T(x, n, m);                                                       \
    }
SCAN_EXTREME_CONTIG(float, int32_t)
SCAN_EXTREME_CONTIG(double, int64_t)

/* Choose the m result indices of one slice (b: n pairs, scratch: n more). */
static void select_slice(const job *j, ct__kv *b, ct__kv *scratch, int64_t *sel) {
    int64_t n = j->n;
    bool fl = j->floating;
    switch (j->kind) {
    case K_MAX:
    case K_MIN: sel[0] = scan_extreme(j, b, n); return;
    case K_MEDIAN:
    case K_MEDIAN_ALL: {
        for (int64_t t = 0; t < n; t++)
            if (kv_isnan(j, &b[t])) {
                sel[0] = t;
                return;
            }
        int64_t nth = (n - 1) / 2;
        ct__std_nth_element(b, nth, n, ct__kv_comparator(j->kind == K_MEDIAN ? CT__ORD_LESS_IDX : CT__ORD_LESS, fl));
        sel[0] = b[nth].idx;
        return;
    }
    case K_NANMEDIAN:
    case K_NANMEDIAN_ALL: {
        int64_t nnan = 0;
        for (int64_t t = 0; t < n; t++) nnan += kv_isnan(j, &b[t]);
        int64_t nth = (n - nnan - 1) / 2; /* C++ truncation: 0 when all are NaN */
        ct__std_nth_element(b, nth, n,
                            ct__kv_comparator(j->kind == K_NANMEDIAN ? CT__ORD_NANLAST_IDX : CT__ORD_NANLAST, fl));
        sel[0] = b[nth].idx;
        return;
    }
    case K_MODE: {
        ct__kv_less less = ct__kv_comparator(CT__ORD_LESS, fl);
        ct__std_sort(b, n, less);
        int64_t modei = 0, freq = 0, maxf = 0;
        for (int64_t t = 0; t < n; t++) {
            freq++;
            bool end = t == n - 1 || (fl ? b[t].f != b[t + 1].f : b[t].i != b[t + 1].i);
            if (end) {
                if (freq > maxf) {
                    modei = b[t].idx;
                    maxf = freq;
                }
                freq = 0;
            }
        }
        sel[0] = modei;
        return;
    }
    case K_KTH:
        ct__th_quick_select(b, n, j->k - 1, ct__kv_comparator(CT__ORD_GT_OR_NAN, fl));
        sel[0] = b[j->k - 1].idx;
        return;
    case K_SORT: {
        ct__kv_less less = ct__kv_comparator(j->flag ? CT__ORD_DESC : CT__ORD_ASC, fl);
        if (j->stable) ct__stable_sort(b, n, less, scratch);
        else ct__std_sort(b, n, less);
        for (int64_t t = 0; t < n; t++) sel[t] = b[t].idx;
        return;
    }
    case K_TOPK: {
        int64_t k = j->k;
        if (k == 0) return;
        ct__kv_less less = ct__kv_comparator(j->flag ? CT__ORD_DESC : CT__ORD_ASC, fl);
        if (k * 64 <= n) {
            ct__std_partial_sort(b, k, n, less);
        } else {
            ct__std_nth_element(b, k - 1, n, less);
            if (j->sorted) ct__std_sort(b, k - 1, less);
        }
        for (int64_t t = 0; t < k; t++) sel[t] = b[t].idx;
        return;
    }
    }
}

static void run_slices(int64_t begin, int64_t end, void *vctx) {
    job *j = vctx;
    int64_t n = j->n;
    ct__kv *b = malloc((size_t)(2 * n + 1) * sizeof *b);
    int64_t *sel = malloc((size_t)(j->m + 1) * sizeof *sel);
    if (!b || !sel) {
        atomic_store(&j->oom, true);
        free(b);
        free(sel);
        return;
    }
    int d0 = j->dim;
    for (int64_t o = begin; o < end; o++) {
        /* o enumerates the positions of every dim but `dim`, row-major */
        int64_t rem = o, xoff = 0, ooff = 0;
        for (int d = j->ndim - 1; d >= 0; d--) {
            if (d == d0) continue;
            int64_t c = rem % j->sizes[d];
            rem /= j->sizes[d];
            xoff += c * j->strides[d];
            ooff += c * j->ostrides[d];
        }
        const char *xs = j->x + xoff * (int64_t)j->item;
        int64_t xstep = j->strides[d0] * (int64_t)j->item;
        if ((j->kind == K_SORT || j->kind == K_TOPK) && j->dtype == CT_FLOAT32 && n <= INT32_MAX) {
            /* float32 sort / topk: (float, int32) pairs and the order
             * inlined (ct__sort_f32 / ct__topk_f32), the same algorithms;
             * the buffer of n + 1 pairs of 24 bytes holds 2n of 8 */
            ct__kf *kb = (ct__kf *)(void *)b;
            for (int64_t t = 0; t < n; t++) {
                kb[t].f = *(const float *)(const void *)(xs + t * xstep);
                kb[t].idx = (int32_t)t;
            }
            if (j->kind == K_SORT) ct__sort_f32(kb, n, j->flag, j->stable, kb + n);
            else ct__topk_f32(kb, n, j->k, j->flag, j->sorted);
            for (int64_t t = 0; t < j->m; t++) {
                int64_t at = ooff + t * j->ostrides[d0];
                if (j->inds) j->inds[at] = kb[t].idx;
                if (j->vals) ((float *)(void *)j->vals)[at] = kb[t].f;
            }
            continue;
        }
        if ((j->kind == K_MAX || j->kind == K_MIN) && (j->dtype == CT_FLOAT32 || j->dtype == CT_FLOAT64)) {
            bool mx = j->kind == K_MAX;
            if (xstep == (int64_t)j->item && n > 0)
                sel[0] = j->dtype == CT_FLOAT32 ? scan_extreme_contig_float((const float *)(const void *)xs, n, mx)
                                                : scan_extreme_contig_double((const double *)(const void *)xs, n, mx);
            else
                sel[0] = j->dtype == CT_FLOAT32 ? scan_extreme_float(xs, xstep, n, mx)
                                                : scan_extreme_double(xs, xstep, n, mx);
        } else {
            for (int64_t t = 0; t < n; t++) {
                load_key(j, xs + t * xstep, &b[t]);
                b[t].idx = t;
            }
            select_slice(j, b, b + n, sel);
        }
        for (int64_t t = 0; t < j->m; t++) {
            int64_t at = ooff + t * j->ostrides[d0];
            if (j->inds) j->inds[at] = sel[t];
            if (j->vals) memcpy(j->vals + at * (int64_t)j->item, xs + sel[t] * xstep, j->item);
        }
    }
    free(b);
    free(sel);
}

/* Run job kind on x along dim (already wrapped), m results per slice.
 * Writes contiguous outputs of x's shape with sizes[dim] = m, reshaped to
 * the final shape: dim removed unless keepdim (x 0-dim: 0-dim outputs).
 * want_values / want_indices select the outputs made. */
static int run_job(job *j, const ct_tensor *x, int dim, int64_t m, bool keepdim, bool want_values,
                   bool want_indices, ct_tensor **values, ct_tensor **indices) {
    *values = *indices = NULL;
    j->floating = ct_dtype_is_floating_point(x->dtype);
    j->x = ct__data(x);
    j->dtype = x->dtype;
    j->item = ct__traits(x->dtype)->itemsize;
    if (x->ndim == 0) {
        j->ndim = 1;
        j->dim = 0;
        j->sizes[0] = 1;
        j->strides[0] = 1;
    } else {
        j->ndim = x->ndim;
        j->dim = dim;
        memcpy(j->sizes, x->sizes, sizeof x->sizes);
        memcpy(j->strides, x->strides, sizeof x->strides);
    }
    j->n = j->sizes[j->dim];
    j->m = m;
    atomic_init(&j->oom, false);
    int64_t osizes[CT_MAX_DIMS];
    memcpy(osizes, j->sizes, sizeof osizes);
    osizes[j->dim] = m;
    ct__contiguous_strides(j->ndim, osizes, j->ostrides);
    ct_tensor *v = want_values ? ct__empty(x->dtype, j->ndim, osizes) : NULL;
    ct_tensor *ix = want_indices ? ct__empty(CT_INT64, j->ndim, osizes) : NULL;
    if ((want_values && !v) || (want_indices && !ix)) goto fail;
    j->vals = v ? ct__data(v) : NULL;
    j->inds = ix ? (int64_t *)ct__data(ix) : NULL;
    int64_t outer = ct__shape_numel(j->ndim, osizes) / (m > 0 ? m : 1);
    if (m > 0 && outer > 0) {
        int64_t grain = CT_GRAIN_SIZE / (j->n > 1 ? j->n : 1);
        ct_parallel_for(0, outer, grain, run_slices, j);
        if (atomic_load(&j->oom)) {
            ct__error_oom((long long)(2 * j->n + 1) * (long long)sizeof(ct__kv));
            goto fail;
        }
    }
    /* final shape */
    int64_t fs[CT_MAX_DIMS];
    int fn = 0;
    if (x->ndim > 0)
        for (int d = 0; d < x->ndim; d++) {
            if (d == dim && !keepdim) continue;
            fs[fn++] = osizes[d];
        }
    if (fn != j->ndim) {
        ct_tensor *t;
        if (v) {
            t = ct__view(v, fn, fs);
            ct_free(v);
            v = t;
            if (!v) goto fail;
        }
        if (ix) {
            t = ct__view(ix, fn, fs);
            ct_free(ix);
            ix = t;
            if (!ix) goto fail;
        }
    }
    *values = v;
    *indices = ix;
    return CT_OK;
fail:
    ct_free(v);
    ct_free(ix);
    return CT_ERROR;
}

/* ---- differentiable scatter / gather for value_selecting_reduction_backward
 * Indices along `dim` are unique in every use here, so scatter into zeros
 * and gather are each other's adjoint. */

static ct_tensor *sel_scatter(const ct_tensor *src, int dim, const ct_tensor *idx, int ndim, const int64_t *sizes);
static ct_tensor *sel_gather(const ct_tensor *src, int dim, const ct_tensor *idx);

/* For every position p of idx: dst[p'] = src[p] (scatter) or dst[p] =
 * src[p'] (gather), p' = p with p[dim] replaced by idx[p]. */
static void scatter_gather(bool scatter, ct_tensor *dst, const ct_tensor *src, const ct_tensor *idx, int dim) {
    size_t item = ct__traits(dst->dtype)->itemsize;
    int64_t n = ct__numel(idx);
    const char *ib = ct__data(idx), *sb = ct__data(src);
    char *db = ct__data(dst);
    for (int64_t e = 0; e < n; e++) {
        int64_t rem = e, io = 0, so = 0, doff = 0, c[CT_MAX_DIMS];
        for (int d = idx->ndim - 1; d >= 0; d--) {
            c[d] = rem % idx->sizes[d];
            rem /= idx->sizes[d];
            io += c[d] * idx->strides[d];
        }
        int64_t at = *(const int64_t *)(ib + io * (int64_t)sizeof(int64_t));
        for (int d = 0; d < idx->ndim; d++) {
            int64_t cs = scatter ? c[d] : (d == dim ? at : c[d]);
            int64_t cd = scatter ? (d == dim ? at : c[d]) : c[d];
            so += cs * src->strides[d];
            doff += cd * dst->strides[d];
        }
        memcpy(db + doff * (int64_t)item, sb + so * (int64_t)item, item);
    }
}

static int scatter_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    ct_tensor *idx = ct__unpack(n, 0);
    if (!idx) return CT_ERROR;
    out[0] = sel_gather(g[0], (int)n->ints[0], idx);
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

static int gather_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    ct_tensor *idx = ct__unpack(n, 0);
    if (!idx) return CT_ERROR;
    out[0] = sel_scatter(g[0], (int)n->ints[0], idx, n->ndim_arg, n->shape_arg);
    ct_free(idx);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *record_sel(ct_tensor *out, const char *name, ct_backward_fn fn, const ct_tensor *src,
                             const ct_tensor *idx, int dim) {
    const ct_tensor *in[1] = {src};
    if (!out || !ct__any_requires_grad(1, in)) return out;
    ct_node *n = ct__record(name, fn, out, 1, in);
    if (!n || ct__save(n, 0, idx, false, 0) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    n->ints[0] = dim;
    n->ndim_arg = src->ndim;
    memcpy(n->shape_arg, src->sizes, sizeof src->sizes);
    return out;
}

static ct_tensor *sel_scatter(const ct_tensor *src, int dim, const ct_tensor *idx, int ndim, const int64_t *sizes) {
    ct_tensor *out = ct_zeros(ndim, sizes, CT_OPTS(.dtype = src->dtype));
    if (!out) return NULL;
    scatter_gather(true, out, src, idx, dim);
    return record_sel(out, "ScatterBackward0", scatter_backward, src, idx, dim);
}

static ct_tensor *sel_gather(const ct_tensor *src, int dim, const ct_tensor *idx) {
    ct_tensor *out = ct__empty(src->dtype, idx->ndim, idx->sizes);
    if (!out) return NULL;
    scatter_gather(false, out, src, idx, dim);
    return record_sel(out, "GatherBackward0", gather_backward, src, idx, dim);
}

/* value_selecting_reduction_backward(grad, dim, indices, sizes, keepdim).
 * ints[0] = dim, ints[1] = keepdim; ndim_arg/shape_arg = input shape;
 * saved[0] = indices. */
static int value_selecting_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    int dim = (int)n->ints[0], ndim = n->ndim_arg;
    if (ndim == 0) {
        out[0] = ct__retain(g[0]);
        return CT_OK;
    }
    ct_tensor *idx = ct__unpack(n, 0);
    if (!idx) return CT_ERROR;
    ct_tensor *gg, *ii;
    if (!n->ints[1]) {
        gg = ct_unsqueeze(g[0], dim);
        ii = ct__unsqueeze(idx, dim);
    } else {
        gg = ct__retain(g[0]);
        ii = ct__retain(idx);
    }
    out[0] = gg && ii ? sel_scatter(gg, dim, ii, ndim, n->shape_arg) : NULL;
    ct__free_all(3, (ct_tensor *[]){gg, ii, idx});
    return out[0] ? CT_OK : CT_ERROR;
}

/* evenly_distribute_backward(grad, self, result): the gradient is shared
 * among the elements equal to the result (the NaNs when it is NaN).
 * saved[0] = self, saved[1] = result. */
static int evenly_distribute_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    if (!n->next[0].fn) return CT_OK;
    ct_tensor *x = ct__unpack(n, 0), *r = x ? ct__unpack(n, 1) : NULL;
    ct_tensor *mask = NULL, *share = NULL;
    int rc = CT_ERROR;
    if (!r) goto done;
    double value;
    if (ct_item(r, &value) != CT_OK) goto done;
    ct_tensor *xc = ct__to_dtype_copy(x, CT_FLOAT64);
    mask = xc ? ct__empty(g[0]->dtype, x->ndim, x->sizes) : NULL;
    if (!mask) {
        ct_free(xc);
        goto done;
    }
    const double *xv = (const double *)ct__data(xc);
    char *mp = ct__data(mask);
    const ct_dtype_traits *tr = ct__traits(mask->dtype);
    int64_t count = 0, numel = ct__numel(x);
    for (int64_t e = 0; e < numel; e++) {
        bool hit = isnan(value) ? isnan(xv[e]) : xv[e] == value;
        count += hit;
        tr->store_double(mp + e * (int64_t)tr->itemsize, hit ? 1.0 : 0.0);
    }
    ct_free(xc);
    share = ct_div_scalar(g[0], (double)count);
    out[0] = share ? ct_mul(mask, share) : NULL;
    rc = out[0] ? CT_OK : CT_ERROR;
done:
    ct__free_all(4, (ct_tensor *[]){x, r, mask, share});
    return rc;
}

/* ---- recording ------------------------------------------------------------- */

static int record_selecting(const char *name, const ct_tensor *x, ct_tensor *values, const ct_tensor *indices,
                            int dim, bool keepdim) {
    const ct_tensor *in[1] = {x};
    if (!values || !ct__any_requires_grad(1, in)) return CT_OK;
    ct_node *n = ct__record(name, value_selecting_backward, values, 1, in);
    if (!n || ct__save(n, 0, indices, false, 0) != CT_OK) return CT_ERROR;
    n->ints[0] = dim;
    n->ints[1] = keepdim;
    n->ndim_arg = x->ndim;
    memcpy(n->shape_arg, x->sizes, sizeof x->sizes);
    return CT_OK;
}

static ct_tensor *record_evenly(const char *name, const ct_tensor *x, ct_tensor *result) {
    const ct_tensor *in[1] = {x};
    if (!result || !ct__any_requires_grad(1, in)) return result;
    ct_node *n = ct__record(name, evenly_distribute_backward, result, 1, in);
    if (!n || ct__save(n, 0, x, false, 0) != CT_OK || ct__save(n, 1, result, true, 0) != CT_OK) {
        ct_free(result);
        return NULL;
    }
    return result;
}

/* ---- checks ------------------------------------------------------------------ */

static bool not_implemented(const char *kernel, ct_dtype d, bool no_bool, bool no_half) {
    if ((no_bool && d == CT_BOOL) || (no_half && d == CT_FLOAT16)) {
        ct__error("\"%s\" not implemented for '%s'", kernel, ct__traits(d)->scalar_name);
        return true;
    }
    return false;
}

/* PyTorch's zero-size check of a reduction along dim (wrapped). */
static bool empty_dim(const char *op, const ct_tensor *x, int dim) {
    if (x->ndim > 0 && x->sizes[dim] == 0) {
        ct__error("%s(): Expected reduction dim %d to have non-zero size.", op, dim);
        return true;
    }
    return false;
}

/* Store the two results where asked (NULL: not wanted), or clean up. */
static int hand_out(int rc, ct_tensor *v, ct_tensor *i, ct_tensor **values, ct_tensor **indices) {
    if (rc != CT_OK) {
        ct_free(v);
        ct_free(i);
        v = i = NULL;
    }
    if (values) *values = v;
    else ct_free(v);
    if (indices) *indices = i;
    else ct_free(i);
    return rc;
}

static void clear_outs(ct_tensor **values, ct_tensor **indices) {
    if (values) *values = NULL;
    if (indices) *indices = NULL;
}

/* A reduction with indices along dim: max/min/median/nanmedian/mode/kthvalue. */
static int reduce_dim(kind kd, const char *op, const char *node, const ct_tensor *x, int64_t k, int dim, bool keepdim,
                      ct_tensor **values, ct_tensor **indices) {
    clear_outs(values, indices);
    if (!x) return CT_ERROR;
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return CT_ERROR;
    if (kd == K_MEDIAN || kd == K_NANMEDIAN) {
        if (not_implemented("median_out", x->dtype, true, true)) return CT_ERROR;
    }
    if (kd == K_KTH) {
        if (empty_dim(op, x, d)) return CT_ERROR;
        int64_t size = x->ndim > 0 ? x->sizes[d] : 1;
        if (k < 1 || k > size) {
            ct__error("kthvalue(): selected number k out of range for dimension %d", d);
            return CT_ERROR;
        }
        if (not_implemented("kthvalue_cpu", x->dtype, true, true)) return CT_ERROR;
    } else if (empty_dim(op, x, d)) {
        return CT_ERROR;
    }
    job j = {.kind = kd, .k = k};
    ct_tensor *v, *ix;
    int rc = run_job(&j, x, d, 1, keepdim, true, true, &v, &ix);
    if (rc == CT_OK) rc = record_selecting(node, x, v, ix, d, keepdim);
    return hand_out(rc, v, ix, values, indices);
}

/* ---- public: max / min ----------------------------------------------------- */

static ct_tensor *reduce_all(kind kd, const ct_tensor *x, const char *node) {
    ct_tensor *flat = ct__reshape(x, 1, (const int64_t[]){ct__numel(x)});
    if (!flat) return NULL;
    job j = {.kind = kd};
    ct_tensor *v, *ix;
    int rc = run_job(&j, flat, 0, 1, false, true, false, &v, &ix);
    ct_free(flat);
    if (rc != CT_OK) return NULL;
    return record_evenly(node, x, v);
}

static ct_tensor *extreme_all(kind kd, const ct_tensor *x) {
    if (!x) return NULL;
    const char *op = kd == K_MAX ? "max" : "min";
    if (ct__numel(x) == 0) {
        ct__error("%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
                  "with the 'dim' argument.",
                  op);
        return NULL;
    }
    return reduce_all(kd, x, kd == K_MAX ? "MaxBackward1" : "MinBackward1");
}

ct_tensor *ct_max(const ct_tensor *x) { return extreme_all(K_MAX, x); }
ct_tensor *ct_min(const ct_tensor *x) { return extreme_all(K_MIN, x); }

int ct_max_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_MAX, "max", "MaxBackward0", x, 0, dim, keepdim, values, indices);
}
int ct_min_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_MIN, "min", "MinBackward0", x, 0, dim, keepdim, values, indices);
}

/* ---- public: argmax / argmin ----------------------------------------------- */

static ct_tensor *arg_extreme(kind kd, const ct_tensor *x, bool all, int dim, bool keepdim) {
    if (!x) return NULL;
    const char *op = kd == K_MAX ? "argmax" : "argmin";
    int d = 0;
    if (!all) {
        d = ct__wrap_dim(dim, x->ndim);
        if (d < 0) return NULL;
    }
    if (all && ct__numel(x) == 0) {
        ct__error("%s(): Expected reduction dim to be specified for input.numel() == 0.", op);
        return NULL;
    }
    if (!all && empty_dim(op, x, d)) return NULL;
    if (not_implemented(kd == K_MAX ? "argmax_cpu" : "argmin_cpu", x->dtype, true, false)) return NULL;
    job j = {.kind = kd};
    ct_tensor *v, *ix;
    if (all) {
        ct_tensor *flat = ct__reshape(x, 1, (const int64_t[]){ct__numel(x)});
        if (!flat) return NULL;
        int rc = run_job(&j, flat, 0, 1, false, false, true, &v, &ix);
        ct_free(flat);
        return rc == CT_OK ? ix : NULL;
    }
    if (run_job(&j, x, d, 1, keepdim, false, true, &v, &ix) != CT_OK) return NULL;
    return ix;
}

ct_tensor *ct_argmax(const ct_tensor *x) { return arg_extreme(K_MAX, x, true, 0, false); }
ct_tensor *ct_argmin(const ct_tensor *x) { return arg_extreme(K_MIN, x, true, 0, false); }
ct_tensor *ct_argmax_dim(const ct_tensor *x, int dim, bool keepdim) { return arg_extreme(K_MAX, x, false, dim, keepdim); }
ct_tensor *ct_argmin_dim(const ct_tensor *x, int dim, bool keepdim) { return arg_extreme(K_MIN, x, false, dim, keepdim); }

/* ---- public: median / nanmedian / mode / kthvalue -------------------------- */

static ct_tensor *median_all(kind kd, const ct_tensor *x) {
    if (!x) return NULL;
    const char *node = kd == K_MEDIAN_ALL ? "MedianBackward0" : "NanmedianBackward0";
    if (ct__numel(x) == 0) {
        /* PyTorch: at::full({}, NAN, self.options()) */
        ct_tensor *r = ct__empty(x->dtype, 0, NULL);
        if (r) ct__traits(x->dtype)->store_double(ct__data(r), NAN);
        return record_evenly(node, x, r);
    }
    if (not_implemented("median_cpu", x->dtype, true, true)) return NULL;
    return reduce_all(kd, x, node);
}

ct_tensor *ct_median(const ct_tensor *x) { return median_all(K_MEDIAN_ALL, x); }
ct_tensor *ct_nanmedian(const ct_tensor *x) { return median_all(K_NANMEDIAN_ALL, x); }

int ct_median_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_MEDIAN, "median", "MedianBackward1", x, 0, dim, keepdim, values, indices);
}
int ct_nanmedian_dim(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_NANMEDIAN, "median", "NanmedianBackward1", x, 0, dim, keepdim, values, indices);
}
int ct_mode(const ct_tensor *x, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_MODE, "mode", "ModeBackward0", x, 0, dim, keepdim, values, indices);
}
int ct_kthvalue(const ct_tensor *x, int64_t k, int dim, bool keepdim, ct_tensor **values, ct_tensor **indices) {
    return reduce_dim(K_KTH, "kthvalue", "KthvalueBackward0", x, k, dim, keepdim, values, indices);
}

/* ---- public: topk / sort / argsort / msort --------------------------------- */

int ct_topk(const ct_tensor *x, int64_t k, int dim, bool largest, bool sorted, ct_tensor **values,
            ct_tensor **indices) {
    clear_outs(values, indices);
    if (!x) return CT_ERROR;
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return CT_ERROR;
    int64_t size = x->ndim > 0 ? x->sizes[d] : 1;
    if (k < 0 || k > size) {
        ct__error("selected index k out of range");
        return CT_ERROR;
    }
    if (not_implemented("topk_cpu", x->dtype, true, true)) return CT_ERROR;
    if (x->ndim == 0) k = 1; /* PyTorch: a 0-dim input gives its element even for k = 0 */
    job j = {.kind = K_TOPK, .k = k, .flag = largest, .sorted = sorted};
    ct_tensor *v, *ix;
    int rc = run_job(&j, x, d, k, true, true, true, &v, &ix);
    if (rc == CT_OK) rc = record_selecting("TopkBackward0", x, v, ix, d, true);
    return hand_out(rc, v, ix, values, indices);
}

static int sort_impl(const char *node, const ct_tensor *x, bool stable, int dim, bool descending, bool want_values,
                     ct_tensor **values, ct_tensor **indices) {
    clear_outs(values, indices);
    if (!x) return CT_ERROR;
    int d = ct__wrap_dim(dim, x->ndim);
    if (d < 0) return CT_ERROR;
    job j = {.kind = K_SORT, .flag = descending, .stable = stable};
    ct_tensor *v, *ix;
    int64_t n = x->ndim > 0 ? x->sizes[d] : 1;
    int rc = run_job(&j, x, d, n, true, want_values, true, &v, &ix);
    if (rc == CT_OK && v) rc = record_selecting(node, x, v, ix, d, true);
    return hand_out(rc, v, ix, values, indices);
}

int ct_sort(const ct_tensor *x, int dim, bool descending, ct_tensor **values, ct_tensor **indices) {
    return sort_impl("SortBackward0", x, false, dim, descending, true, values, indices);
}
int ct_sort_stable(const ct_tensor *x, bool stable, int dim, bool descending, ct_tensor **values,
                   ct_tensor **indices) {
    return sort_impl("SortBackward1", x, stable, dim, descending, true, values, indices);
}

ct_tensor *ct_argsort(const ct_tensor *x, int dim, bool descending) {
    ct_tensor *ix = NULL;
    return sort_impl(NULL, x, false, dim, descending, false, NULL, &ix) == CT_OK ? ix : NULL;
}
ct_tensor *ct_argsort_stable(const ct_tensor *x, bool stable, int dim, bool descending) {
    ct_tensor *ix = NULL;
    return sort_impl(NULL, x, stable, dim, descending, false, NULL, &ix) == CT_OK ? ix : NULL;
}

ct_tensor *ct_msort(const ct_tensor *x) {
    ct_tensor *v = NULL;
    return sort_impl("SortBackward0", x, false, 0, false, true, &v, NULL) == CT_OK ? v : NULL;
}
