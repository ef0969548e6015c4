/* copy_, fill_, clone, contiguous, dtype conversion and reading data out. */
#include <inttypes.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/convert.h"
#include "kernels/cpu/copy.h"
#include "tensor/tensor_iter.h"

/* Memory ranges [lo, hi) that t's elements touch. */
static void byte_extent(const ct_tensor *t, const char **lo, const char **hi) {
    const char *base = ct__data(t);
    int64_t item = (int64_t)ct__traits(t->dtype)->itemsize, min = 0, max = 0;
    for (int d = 0; d < t->ndim; d++) {
        int64_t span = (t->sizes[d] - 1) * t->strides[d];
        if (span < 0)
            min += span;
        else
            max += span;
    }
    *lo = base + min * item;
    *hi = base + (max + 1) * item;
}

static bool may_overlap(const ct_tensor *a, const ct_tensor *b) {
    if (a->storage != b->storage || !a->storage->data || ct__numel(a) == 0 || ct__numel(b) == 0) return false;
    const char *alo, *ahi, *blo, *bhi;
    byte_extent(a, &alo, &ahi);
    byte_extent(b, &blo, &bhi);
    return alo < bhi && blo < ahi;
}

/* Small same-dtype copies into a contiguous dst from a contiguous src of
 * the same trailing shape, broadcast over dst's leading dims (a bias row
 * into addmm's output, a clone): whole rows by memcpy, without building an
 * iterator. Below the grain size the kernel runs on one thread too. False
 * when not that case (the general path then checks the shapes). */
static bool copy_rows(ct_tensor *dst, const ct_tensor *src) {
    if (dst->dtype != src->dtype || src->ndim > dst->ndim) return false;
    int64_t n = ct__numel(dst);
    if (n == 0 || n >= CT_GRAIN_SIZE || !ct__is_contiguous(dst)) return false;
    int lead = dst->ndim - src->ndim, i = 0;
    while (i < src->ndim && src->sizes[i] == 1) i++; /* leading size-1 dims broadcast */
    int64_t row = 1, expected = 1;
    for (int d = src->ndim - 1; d >= i; d--) {
        if (src->sizes[d] != dst->sizes[d + lead]) return false;
        if (src->sizes[d] != 1 && src->strides[d] != expected) return false;
        expected *= src->sizes[d];
        row *= src->sizes[d];
    }
    if (may_overlap(dst, src)) return false;
    size_t bytes = (size_t)row * ct__traits(dst->dtype)->itemsize;
    char *d = ct__data(dst);
    const char *s = ct__data(src);
    for (int64_t r = 0, rows = n / row; r < rows; r++) memcpy(d + (size_t)r * bytes, s, bytes);
    return true;
}

/* Copy without touching version counters or autograd. */
static int copy_raw(ct_tensor *dst, const ct_tensor *src) {
    if (copy_rows(dst, src)) return CT_OK;
    ct_tensor *tmp = NULL;
    if (may_overlap(dst, src) && !(dst->offset == src->offset && dst->dtype == src->dtype && dst->ndim == src->ndim &&
                                   !memcmp(dst->strides, src->strides, (size_t)dst->ndim * sizeof(int64_t)))) {
        tmp = ct__clone(src);
        if (!tmp) return CT_ERROR;
        ct__scope_untrack(tmp);
        src = tmp;
    }
    ct_strided_iter it;
    const ct_tensor *ops[2] = {dst, src};
    int rc = ct__iter_over(&it, 2, ops);
    if (rc == CT_OK) ct__kernel_copy(&it, dst->dtype, src->dtype);
    ct__drop(tmp);
    return rc;
}

int ct__copy_(ct_tensor *dst, const ct_tensor *src) {
    if (!dst || !src) return CT_ERROR;
    if (copy_raw(dst, src) != CT_OK) return CT_ERROR;
    ct__bump_version(dst);
    return CT_OK;
}

int ct__fill_(ct_tensor *t, double value) {
    if (!t) return CT_ERROR;
    /* fill_ takes value.to<scalar_t>(), a checked conversion */
    const char *overflow = ct__overflow_f64(t->dtype, value);
    if (overflow) {
        ct__error("value cannot be converted to type %s without overflow", overflow);
        return CT_ERROR;
    }
    int64_t n = ct__numel(t);
    if ((t->dtype == CT_FLOAT32 || t->dtype == CT_FLOAT64) && n < CT_GRAIN_SIZE && ct__is_contiguous(t)) {
        /* small contiguous float tensors (a scalar operand, the backward's
         * seed): a direct loop, the value converted as the kernel does */
        if (t->dtype == CT_FLOAT32) {
            float *p = (float *)(void *)ct__data(t), v = ct__float32_from_f64(value);
            for (int64_t i = 0; i < n; i++) p[i] = v;
        } else {
            double *p = (double *)(void *)ct__data(t);
            for (int64_t i = 0; i < n; i++) p[i] = value;
        }
        ct__bump_version(t);
        return CT_OK;
    }
    ct_strided_iter it;
    const ct_tensor *ops[1] = {t};
    if (ct__iter_over(&it, 1, ops) != CT_OK) return CT_ERROR;
    ct__kernel_fill(&it, t->dtype, value);
    ct__bump_version(t);
    return CT_OK;
}

/* A contiguous copy of t converted to dtype. */
static ct_tensor *copy_as(const ct_tensor *t, ct_dtype dtype) {
    ct_tensor *out = ct__empty(dtype, t->ndim, t->sizes);
    if (!out) return NULL;
    if (copy_raw(out, t) != CT_OK) {
        ct_free(out);
        return NULL;
    }
    return out;
}

ct_tensor *ct__clone(const ct_tensor *t) {
    if (!t) return NULL;
    return copy_as(t, t->dtype);
}

static bool check_dtype(ct_dtype d) {
    if (!ct_dtype_is_valid(d)) {
        ct__error("invalid dtype %d", (int)d);
        return false;
    }
    return true;
}

ct_tensor *ct__to_dtype_copy(const ct_tensor *t, ct_dtype dtype) {
    if (!t || !check_dtype(dtype)) return NULL;
    return copy_as(t, dtype);
}

ct_tensor *ct_float(const ct_tensor *t) { return ct_to_dtype(t, CT_FLOAT32); }
ct_tensor *ct_double(const ct_tensor *t) { return ct_to_dtype(t, CT_FLOAT64); }
ct_tensor *ct_long(const ct_tensor *t) { return ct_to_dtype(t, CT_INT64); }
ct_tensor *ct_int(const ct_tensor *t) { return ct_to_dtype(t, CT_INT32); }
ct_tensor *ct_half(const ct_tensor *t) { return ct_to_dtype(t, CT_FLOAT16); }
ct_tensor *ct_bfloat16(const ct_tensor *t) { return ct_to_dtype(t, CT_BFLOAT16); }
ct_tensor *ct_bool(const ct_tensor *t) { return ct_to_dtype(t, CT_BOOL); }

int ct_copy_to_buffer(const ct_tensor *t, ct_dtype dtype, void *buf, size_t buf_bytes) {
    if (!t) return CT_ERROR;
    if (dtype == CT_DTYPE_DEFAULT) dtype = t->dtype;
    if (!check_dtype(dtype)) return CT_ERROR;
    int64_t numel = ct__numel(t);
    size_t need = (size_t)numel * ct__traits(dtype)->itemsize;
    if (buf_bytes < need) {
        ct__error("buffer of %zu bytes is too small for %" PRId64 " elements of %s (%zu bytes)", buf_bytes, numel,
                  ct_dtype_name(dtype), need);
        return CT_ERROR;
    }
    if (numel == 0) return CT_OK;
    if (!buf) {
        ct__error("buffer must not be NULL");
        return CT_ERROR;
    }
    /* wrap buf as a contiguous tensor without owning it */
    ct_storage view = {.data = buf, .nbytes = need, .external = true};
    atomic_init(&view.refcount, 1);
    ct_tensor dst = {.storage = &view, .dtype = dtype, .ndim = t->ndim};
    memcpy(dst.sizes, t->sizes, sizeof dst.sizes);
    ct__contiguous_strides(t->ndim, dst.sizes, dst.strides);
    return copy_raw(&dst, t);
}

static int check_one_element(const ct_tensor *t) {
    if (!t) return CT_ERROR;
    int64_t n = ct__numel(t);
    if (n != 1) {
        ct__error("a Tensor with %" PRId64 " elements cannot be converted to Scalar", n);
        return CT_ERROR;
    }
    return CT_OK;
}

int ct_item(const ct_tensor *t, double *out) {
    if (check_one_element(t) != CT_OK) return CT_ERROR;
    *out = ct__traits(t->dtype)->load_double(ct__data(t));
    return CT_OK;
}

int ct_item_int64(const ct_tensor *t, int64_t *out) {
    if (check_one_element(t) != CT_OK) return CT_ERROR;
    *out = ct__traits(t->dtype)->load_int64(ct__data(t));
    return CT_OK;
}

int ct_item_bool(const ct_tensor *t, bool *out) {
    if (check_one_element(t) != CT_OK) return CT_ERROR;
    *out = ct__traits(t->dtype)->load_double(ct__data(t)) != 0;
    return CT_OK;
}
