/* Factories: tensors from data, constants, ranges and the identity.
 * Range formulas follow PyTorch 1.13.1's CPU kernels
 * (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp), docs/creation.md. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/copy.h"
#include "tensor/tensor_iter.h"
#include "tensor/tensor_impl.h"

static ct_tensor *finish(ct_tensor *t, const ct_opts *o) { return ct__apply_requires_grad(t, o); }

ct_tensor *ct_tensor_from(const void *data, ct_dtype dtype, int ndim, const int64_t *sizes) {
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("ct_tensor_from: a dtype must be given (got %d)", (int)dtype);
        return NULL;
    }
    ct_tensor *t = ct__empty(dtype, ndim, sizes);
    if (!t) return NULL;
    size_t nbytes = (size_t)ct__numel(t) * ct__traits(dtype)->itemsize;
    if (nbytes) {
        if (!data) {
            ct_free(t);
            ct__error("ct_tensor_from: data must not be NULL for a non-empty shape");
            return NULL;
        }
        memcpy(ct__data(t), data, nbytes);
    }
    return t;
}

ct_tensor *ct_from_blob(void *data, ct_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides,
                        void (*deleter)(void *data, void *ctx), void *ctx) {
    int64_t numel = ct__check_shape(ndim, sizes, dtype);
    if (numel < 0) return NULL;
    size_t itemsize = ct__traits(dtype)->itemsize;
    /* storage must span every addressable element */
    int64_t span = numel > 0 ? 1 : 0;
    if (strides && numel > 0) {
        for (int i = 0; i < ndim; i++) {
            if (strides[i] < 0) {
                char buf[256];
                ct__error("from_blob: negative strides are not supported, got strides: %s",
                          ct__format_shape(buf, sizeof buf, ndim, strides));
                return NULL;
            }
            span += (sizes[i] - 1) * strides[i];
        }
    } else {
        span = numel;
    }
    if (span > 0 && !data) {
        ct__error("from_blob: data must not be NULL for a non-empty shape");
        return NULL;
    }
    ct_storage *s = calloc(1, sizeof *s);
    if (!s) {
        ct__error_oom(sizeof *s);
        return NULL;
    }
    atomic_init(&s->refcount, 1);
    atomic_init(&s->version, 0);
    s->data = data;
    s->nbytes = (size_t)span * itemsize;
    s->external = true;
    ct_tensor *t = ct__tensor_make(s, dtype, ndim, sizes, strides, 0);
    if (t) { /* the deleter belongs to the storage only once the tensor exists */
        s->deleter = deleter;
        s->deleter_ctx = ctx;
    }
    ct__storage_release(s);
    return t;
}

static ct_tensor *filled(ct_dtype dtype, int ndim, const int64_t *sizes, double v, const ct_opts *o) {
    ct_tensor *t = ct__empty(dtype, ndim, sizes);
    if (!t) return NULL;
    if (ct_fill_(t, v) != CT_OK) {
        ct_free(t);
        return NULL;
    }
    atomic_store(&t->storage->version, 0);
    return finish(t, o);
}

ct_tensor *ct_scalar_tensor(double value, const ct_opts *o) {
    return filled(ct__opt_dtype(o, ct_get_default_dtype()), 0, NULL, value, o);
}

ct_tensor *ct_scalar_tensor_int(int64_t value, const ct_opts *o) {
    ct_tensor *src = ct_from_blob(&value, CT_INT64, 0, NULL, NULL, NULL, NULL);
    if (!src) return NULL;
    ct_tensor *t = ct_to_dtype_copy(src, ct__opt_dtype(o, CT_INT64));
    ct_free(src);
    return finish(t, o);
}

ct_tensor *ct_empty(int ndim, const int64_t *sizes, const ct_opts *o) {
    return finish(ct__empty(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes), o);
}
ct_tensor *ct_zeros(int ndim, const int64_t *sizes, const ct_opts *o) {
    return filled(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes, 0.0, o);
}
ct_tensor *ct_ones(int ndim, const int64_t *sizes, const ct_opts *o) {
    return filled(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes, 1.0, o);
}
ct_tensor *ct_full(int ndim, const int64_t *sizes, double v, const ct_opts *o) {
    return filled(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes, v, o);
}

ct_tensor *ct_empty_like(const ct_tensor *t, const ct_opts *o) {
    if (!t) return NULL;
    return finish(ct__empty(ct__opt_dtype(o, t->dtype), t->ndim, t->sizes), o);
}
ct_tensor *ct_zeros_like(const ct_tensor *t, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), t->ndim, t->sizes, 0.0, o) : NULL;
}
ct_tensor *ct_ones_like(const ct_tensor *t, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), t->ndim, t->sizes, 1.0, o) : NULL;
}
ct_tensor *ct_full_like(const ct_tensor *t, double v, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), t->ndim, t->sizes, v, o) : NULL;
}

ct_tensor *ct_new_empty(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *o) {
    if (!t) return NULL;
    return finish(ct__empty(ct__opt_dtype(o, t->dtype), ndim, sizes), o);
}
ct_tensor *ct_new_zeros(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), ndim, sizes, 0.0, o) : NULL;
}
ct_tensor *ct_new_ones(const ct_tensor *t, int ndim, const int64_t *sizes, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), ndim, sizes, 1.0, o) : NULL;
}
ct_tensor *ct_new_full(const ct_tensor *t, int ndim, const int64_t *sizes, double v, const ct_opts *o) {
    return t ? filled(ct__opt_dtype(o, t->dtype), ndim, sizes, v, o) : NULL;
}

/* ---- ranges ---- */

/* Fill a new 1-D tensor of n elements with f(i) computed in double. */
typedef double (*range_fn)(int64_t i, const double *args);

static ct_tensor *range_tensor(ct_dtype dtype, int64_t n, range_fn f, const double *args, const ct_opts *o) {
    ct_tensor *t = ct__empty(dtype, 1, &n);
    if (!t) return NULL;
    char *p = ct__data(t);
    size_t item = ct__traits(dtype)->itemsize;
    for (int64_t i = 0; i < n; i++) ct__traits(dtype)->store_double(p + i * (int64_t)item, f(i, args));
    return finish(t, o);
}

static double arange_at(int64_t i, const double *a) { return a[0] + a[2] * (double)i; }

static ct_tensor *arange_impl(double start, double end, double step, ct_dtype dtype, const ct_opts *o) {
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    if (!isfinite(start) || !isfinite(end)) {
        ct__error("unsupported range: %g -> %g", start, end);
        return NULL;
    }
    if (step == 0) {
        ct__error("step must be nonzero");
        return NULL;
    }
    if (!((step > 0 && end >= start) || (step < 0 && end <= start))) {
        ct__error("upper bound and larger bound inconsistent with step sign");
        return NULL;
    }
    double size_d = ceil((end - start) / step);
    if (!(size_d >= 0 && size_d <= (double)INT64_MAX)) {
        ct__error("invalid size, possible overflow?");
        return NULL;
    }
    double args[3] = {start, end, step};
    return range_tensor(dtype, (int64_t)size_d, arange_at, args, o);
}

ct_tensor *ct_arange(int64_t start, int64_t end, int64_t step, const ct_opts *o) {
    return arange_impl((double)start, (double)end, (double)step, ct__opt_dtype(o, CT_INT64), o);
}

ct_tensor *ct_arange_f(double start, double end, double step, const ct_opts *o) {
    return arange_impl(start, end, step, ct__opt_dtype(o, ct_get_default_dtype()), o);
}

ct_tensor *ct_range(double start, double end, double step, const ct_opts *o) {
    ct__warn("torch.range is deprecated and will be removed in a future release because its behavior is "
             "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
             "[start, end).");
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    if (!isfinite(start) || !isfinite(end)) {
        ct__error("unsupported range: %g -> %g", start, end);
        return NULL;
    }
    if (step == 0) {
        ct__error("step must be nonzero");
        return NULL;
    }
    if (!((step > 0 && end >= start) || (step < 0 && end <= start))) {
        ct__error("upper bound and larger bound inconsistent with step sign");
        return NULL;
    }
    int64_t n = (int64_t)floor((end - start) / step) + 1;
    double args[3] = {start, end, step};
    return range_tensor(dtype, n, arange_at, args, o);
}

static double linspace_at(int64_t i, const double *a) {
    /* a: start, end, step, steps, halfway */
    if ((double)i < a[4]) return a[0] + a[2] * (double)i;
    return a[1] - a[2] * (a[3] - (double)i - 1);
}

ct_tensor *ct_linspace(double start, double end, int64_t steps, const ct_opts *o) {
    if (steps < 0) {
        ct__error("number of steps must be non-negative");
        return NULL;
    }
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    double args[5] = {start, end, step, (double)steps, (double)(steps / 2)};
    return range_tensor(dtype, steps, linspace_at, args, o);
}

static double logspace_at(int64_t i, const double *a) { return pow(a[5], linspace_at(i, a)); }

ct_tensor *ct_logspace(double start, double end, int64_t steps, double base, const ct_opts *o) {
    if (steps < 0) {
        ct__error("number of steps must be non-negative");
        return NULL;
    }
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0;
    double args[6] = {start, end, step, (double)steps, (double)(steps / 2), base};
    return range_tensor(dtype, steps, logspace_at, args, o);
}

ct_tensor *ct_eye(int64_t n, int64_t m, const ct_opts *o) {
    if (n < 0) {
        ct__error("n must be greater or equal to 0, got %" PRId64, n);
        return NULL;
    }
    if (m == -1) m = n;
    if (m < 0) {
        ct__error("m must be greater or equal to 0, got %" PRId64, m);
        return NULL;
    }
    ct_tensor *t = ct_zeros(CT_SIZE(n, m), CT_OPTS(.dtype = ct__opt_dtype(o, ct_get_default_dtype())));
    if (!t) return NULL;
    char *p = ct__data(t);
    size_t item = ct__traits(t->dtype)->itemsize;
    for (int64_t i = 0; i < n && i < m; i++) ct__traits(t->dtype)->store_double(p + (i * m + i) * (int64_t)item, 1.0);
    return finish(t, o);
}
