/* searchsorted and bucketize (ATen/native/Bucketization.cpp, PyTorch
 * 1.13): binary search per value in its row of boundaries, with PyTorch's
 * comparisons (so NaN values land at the end). Integer results, no
 * backward. */
#include <inttypes.h>
#include <string.h>

#include "ops/join_internal.h"

/* Boundaries and values compare in their promoted dtype; integral dtypes
 * are searched as int64 and floating ones as double (both exact). */
#define DEFINE_BOUNDS(T, NAME)                                                                     \
    static int64_t NAME(int64_t start, int64_t end, T val, const T *bd, const int64_t *sort,      \
                        bool right) {                                                              \
        const int64_t orig = sort ? start : 0;                                                     \
        while (start < end) {                                                                      \
            const int64_t mid = start + ((end - start) >> 1);                                      \
            const T mv = sort ? bd[sort[mid] + orig] : bd[mid];                                    \
            if (right ? !(mv > val) : !(mv >= val)) start = mid + 1;                               \
            else end = mid;                                                                        \
        }                                                                                          \
        return start;                                                                              \
    }
DEFINE_BOUNDS(int64_t, bound_i64)
DEFINE_BOUNDS(double, bound_f64)

static bool same_shape(const ct_tensor *a, const ct_tensor *b) {
    return a->ndim == b->ndim && !memcmp(a->sizes, b->sizes, (size_t)a->ndim * sizeof *a->sizes);
}

/* x in the promoted dtype (rounded as PyTorch rounds it), then widened
 * exactly to the work dtype; a contiguous copy */
static ct_tensor *to_work(const ct_tensor *x, ct_dtype common, ct_dtype work) {
    if (x->dtype == common || common == work) return ct__to_dtype_copy(x, work);
    ct_tensor *c = ct__to_dtype_copy(x, common);
    ct_tensor *w = c ? ct__to_dtype_copy(c, work) : NULL;
    ct_free(c);
    return w;
}

static ct_tensor *search(const ct_tensor *bd, const ct_tensor *in, const ct_searchsorted_opts *o) {
    static const ct_searchsorted_opts none = {0};
    if (!o) o = &none;
    char s1[256], s2[256];
    if (o->side) {
        if (strcmp(o->side, "left") && strcmp(o->side, "right")) {
            ct__error("torch.searchsorted(): side can only be 'left' or 'right' but got %s", o->side);
            return NULL;
        }
        if (o->right && strcmp(o->side, "right")) {
            ct__error("torch.searchsorted(): side and right can't be set to opposites, got side of %s while right "
                      "was True",
                      o->side);
            return NULL;
        }
    }
    const ct_tensor *sorter = o->sorter;
    if (sorter) {
        if (!same_shape(sorter, bd)) {
            ct__error("torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                      "%sand got sorter tensor %s",
                      ct__format_shape(s1, sizeof s1, bd->ndim, bd->sizes),
                      ct__format_shape(s2, sizeof s2, sorter->ndim, sorter->sizes));
            return NULL;
        }
        if (sorter->dtype != CT_INT64) {
            ct__error("torch.searchsorted(): sorter must be a tensor of long dtype but got dtype %s",
                      ct__traits(sorter->dtype)->scalar_name);
            return NULL;
        }
    }
    if (!(in->ndim > 0 || (in->ndim == 0 && bd->ndim == 1))) {
        ct__error("torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but "
                  "we got boundaries tensor dim(%d) and input value's dim(%d) numel(1)",
                  bd->ndim, in->ndim);
        return NULL;
    }
    if (bd->ndim == 0) {
        ct__error("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
        return NULL;
    }
    bool lead_match = bd->ndim == in->ndim &&
                      !memcmp(bd->sizes, in->sizes, (size_t)(bd->ndim - 1) * sizeof *bd->sizes);
    if (bd->ndim != 1 && !lead_match) {
        ct__error("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                  "boundaries tensor and input value tensor must match, but we got boundaries tensor %s and input "
                  "value tensor %s",
                  ct__format_shape(s1, sizeof s1, bd->ndim, bd->sizes), ct__format_shape(s2, sizeof s2, in->ndim, in->sizes));
        return NULL;
    }
    ct_dtype common = ct_promote_types(bd->dtype, in->dtype);
    if (common == CT_BOOL) {
        ct__error("\"searchsorted_out_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    int64_t idim_bd = bd->sizes[bd->ndim - 1];
    if (o->out_int32 && idim_bd >= INT32_MAX) {
        ct__error("torch.searchsorted(): the size of boundaries' last dimension should be less than %d, but we got "
                  "%" PRId64,
                  INT32_MAX, idim_bd);
        return NULL;
    }
    bool right = o->side ? !strcmp(o->side, "right") : o->right;
    ct_tensor *out = ct__empty(o->out_int32 ? CT_INT32 : CT_INT64, in->ndim, in->sizes);
    int64_t numel = out ? ct__numel(out) : 0;
    if (!out || numel == 0) return out;
    bool floating = ct_dtype_is_floating_point(common);
    ct_dtype work = floating ? CT_FLOAT64 : CT_INT64;
    /* contiguous copies in the work dtype (also when the dtypes differ, as
     * PyTorch's trim step promotes both) */
    ct_tensor *b = to_work(bd, common, work), *v = b ? to_work(in, common, work) : NULL;
    ct_tensor *so = v && sorter ? ct__clone(sorter) : NULL;
    if (!v || (sorter && !so)) {
        ct_free(b), ct_free(v), ct_free(so), ct_free(out);
        return NULL;
    }
    const int64_t *sp = so ? (const int64_t *)ct__data(so) : NULL;
    int64_t nbd = ct__numel(b);
    if (sp) {
        for (int64_t i = 0; i < nbd; i++) {
            if (sp[i] < 0 || sp[i] >= idim_bd) {
                ct__error("torch.searchsorted(): sorter index out of range");
                ct_free(b), ct_free(v), ct_free(so), ct_free(out);
                return NULL;
            }
        }
    }
    int64_t idim_in = in->ndim == 0 ? 1 : in->sizes[in->ndim - 1];
    bool one_row = bd->ndim == 1;
    char *od = ct__data(out);
    for (int64_t i = 0; i < numel; i++) {
        int64_t start = one_row ? 0 : (i / idim_in) * idim_bd, end = start + idim_bd, pos;
        if (floating) {
            pos = bound_f64(start, end, ((const double *)(void *)ct__data(v))[i], (const double *)(void *)ct__data(b),
                            sp, right);
        } else {
            pos = bound_i64(start, end, ((const int64_t *)(void *)ct__data(v))[i],
                            (const int64_t *)(void *)ct__data(b), sp, right);
        }
        pos -= start;
        if (o->out_int32) ((int32_t *)(void *)od)[i] = (int32_t)pos;
        else ((int64_t *)(void *)od)[i] = pos;
    }
    ct_free(b), ct_free(v), ct_free(so);
    return out;
}

ct_tensor *ct_searchsorted(const ct_tensor *sorted_sequence, const ct_tensor *values,
                           const ct_searchsorted_opts *opts) {
    if (!sorted_sequence || !values) return NULL;
    return search(sorted_sequence, values, opts);
}

/* a Python float: a 0-dim float64 tensor */
static ct_tensor *value_tensor(double v) { return ct_scalar_tensor(v, CT_OPTS(.dtype = CT_FLOAT64)); }

ct_tensor *ct_searchsorted_scalar(const ct_tensor *sorted_sequence, double value, const ct_searchsorted_opts *opts) {
    if (!sorted_sequence) return NULL;
    ct_tensor *v = value_tensor(value);
    ct_tensor *r = v ? search(sorted_sequence, v, opts) : NULL;
    ct_free(v);
    return r;
}

ct_tensor *ct_bucketize(const ct_tensor *input, const ct_tensor *boundaries, bool out_int32, bool right) {
    if (!input || !boundaries) return NULL;
    if (boundaries->ndim != 1) {
        ct__error("boundaries tensor must be 1 dimension, but got dim(%d)", boundaries->ndim);
        return NULL;
    }
    return search(boundaries, input, CT_SEARCHSORTED_OPTS(.out_int32 = out_int32, .right = right));
}

ct_tensor *ct_bucketize_scalar(double input, const ct_tensor *boundaries, bool out_int32, bool right) {
    if (!boundaries) return NULL;
    ct_tensor *v = value_tensor(input);
    ct_tensor *r = v ? ct_bucketize(v, boundaries, out_int32, right) : NULL;
    ct_free(v);
    return r;
}
