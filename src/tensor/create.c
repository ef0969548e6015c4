/* Factories: tensors from data, constants, ranges and the identity.
 * Range formulas follow PyTorch 1.13.1's CPU kernels
 * (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp), docs/creation.md. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/allocator.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/convert.h"
#include "kernels/cpu/copy.h"
#include "tensor/tensor_impl.h"
#include "tensor/tensor_iter.h"

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
    ct_storage *s = ct__obj_alloc(sizeof *s);
    if (!s) return NULL;
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

/* ---- ranges ----
 * PyTorch takes range bounds as Scalars and converts them (checked, as
 * Scalar::to<T>) to the kernel's accumulate type: int64 for integral
 * outputs, float for float16/bfloat16, double for float32/float64. */

typedef struct {
    bool is_int;
    int64_t i;
    double d;
} rscalar;

static rscalar sc_i(int64_t v) { return (rscalar){.is_int = true, .i = v, .d = (double)v}; }
static rscalar sc_d(double v) { return (rscalar){.is_int = false, .i = 0, .d = v}; }

/* Scalar::to<T>() for the T of dtype: the overflow check only. */
static int sc_check(rscalar s, ct_dtype d) {
    const char *name = s.is_int ? ct__overflow_i64(d, s.i) : ct__overflow_f64(d, s.d);
    if (name) {
        ct__error("value cannot be converted to type %s without overflow", name);
        return CT_ERROR;
    }
    return CT_OK;
}
static int64_t sc_int64(rscalar s) { return s.is_int ? s.i : ct__double_to_int64(s.d); }

static bool is_half_like(ct_dtype d) { return d == CT_FLOAT16 || d == CT_BFLOAT16; }
static float round_half_like(ct_dtype d, float v) {
    return d == CT_FLOAT16 ? ct_half_to_float(ct_float_to_half(v)) : ct_bfloat16_to_float(ct_float_to_bfloat16(v));
}

/* An int64 result stored to an integral dtype (truncating, as the kernels'
 * static_cast<scalar_t>(int64_t) does). */
static void store_i64(ct_dtype d, char *p, int64_t v) {
    switch (d) {
    case CT_UINT8: {
        uint8_t x = (uint8_t)v;
        memcpy(p, &x, 1);
        break;
    }
    case CT_INT8: {
        int8_t x = (int8_t)(uint8_t)v;
        memcpy(p, &x, 1);
        break;
    }
    case CT_INT16: {
        int16_t x = (int16_t)(uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case CT_INT32: {
        int32_t x = (int32_t)(uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default:
        memcpy(p, &v, 8);
        break;
    }
}

/* A double stored to an integral dtype by a plain C++ static_cast (x86-64
 * cvttsd2si: 32-bit for int32 and narrower, 64-bit for int64). */
static void store_cast_f64(ct_dtype d, char *p, double v) {
    if (d == CT_INT64)
        store_i64(d, p, ct__double_to_int64(v));
    else
        store_i64(d, p, (int64_t)ct__double_to_int32(v));
}

/* A float32 value stored to a floating dtype (float16/bfloat16 via c10's
 * conversions), or a double stored to float32/float64. */
static void store_float(ct_dtype d, char *p, float v) {
    uint16_t h = d == CT_FLOAT16 ? ct_float_to_half(v) : ct_float_to_bfloat16(v);
    memcpy(p, &h, 2);
}
static void store_double(ct_dtype d, char *p, double v) {
    if (d == CT_FLOAT32) {
        float f = (float)v;
        memcpy(p, &f, 4);
    } else {
        memcpy(p, &v, 8);
    }
}

static int64_t uwrap_add_mul(int64_t a, int64_t b, int64_t c) { /* a + b * c with wraparound */
    return (int64_t)((uint64_t)a + (uint64_t)b * (uint64_t)c);
}

static bool not_implemented_bool(ct_dtype d, const char *kernel) {
    if (d == CT_BOOL) {
        ct__error("\"%s\" not implemented for 'Bool'", kernel);
        return true;
    }
    return false;
}

/* Accumulate-type values of (start, end, step) after Scalar::to<acc_t>. */
typedef struct {
    ct_dtype dtype;
    int64_t is, ie, ist; /* integral outputs */
    float fs, fe, fst;   /* float16 / bfloat16 outputs */
    double ds, de, dst;  /* float32 / float64 outputs */
} range_args;

/* The checks arange and range share: conversions, step nonzero, finite
 * bounds, step sign ("larger" in arange's message, "lower" in range's). */
static int range_prepare(range_args *a, ct_dtype dtype, rscalar start, rscalar end, rscalar step,
                         const char *bound_word) {
    a->dtype = dtype;
    bool sign_ok;
    if (ct_dtype_is_integral(dtype, false)) {
        if (sc_check(start, CT_INT64) || sc_check(end, CT_INT64) || sc_check(step, CT_INT64)) return CT_ERROR;
        a->is = sc_int64(start), a->ie = sc_int64(end), a->ist = sc_int64(step);
        if (a->ist == 0) goto zero_step;
        sign_ok = (a->ist > 0 && a->ie >= a->is) || (a->ist < 0 && a->ie <= a->is);
    } else if (is_half_like(dtype)) {
        if (sc_check(start, CT_FLOAT32) || sc_check(end, CT_FLOAT32) || sc_check(step, CT_FLOAT32)) return CT_ERROR;
        a->fs = (float)start.d, a->fe = (float)end.d, a->fst = (float)step.d;
        if (!(a->fst > 0 || a->fst < 0)) goto zero_step;
        if (!isfinite(a->fs) || !isfinite(a->fe)) {
            ct__error("unsupported range: %g -> %g", (double)a->fs, (double)a->fe);
            return CT_ERROR;
        }
        sign_ok = (a->fst > 0 && a->fe >= a->fs) || (a->fst < 0 && a->fe <= a->fs);
    } else {
        a->ds = start.d, a->de = end.d, a->dst = step.d;
        if (!(a->dst > 0 || a->dst < 0)) goto zero_step;
        if (!isfinite(a->ds) || !isfinite(a->de)) {
            ct__error("unsupported range: %g -> %g", a->ds, a->de);
            return CT_ERROR;
        }
        sign_ok = (a->dst > 0 && a->de >= a->ds) || (a->dst < 0 && a->de <= a->ds);
    }
    if (!sign_ok) {
        ct__error("upper bound and %s bound inconsistent with step sign", bound_word);
        return CT_ERROR;
    }
    return CT_OK;
zero_step:
    ct__error("step must be nonzero");
    return CT_ERROR;
}

/* Elements per Vectorized<T> on the AVX2 build PyTorch dispatches to on
 * x86-64 (32-byte vectors). */
static int64_t vec_size(ct_dtype d) { return 32 / (int64_t)ct__traits(d)->itemsize; }

/* arange over [p_begin, p_end) exactly as cpu_serial_kernel_vec runs
 * arange_kernel: blocks of 2 vectors whose lanes are base + k*step from a
 * per-vector base = start + step*idx, then a scalar tail start + step*idx.
 * PyTorch's build contracts a + b*c into one fma. */
static void arange_chunk(int64_t p_begin, int64_t p_end, void *vctx) {
    const range_args *a = ((void **)vctx)[0];
    char *out = ((void **)vctx)[1];
    ct_dtype d = a->dtype;
    size_t item = ct__traits(d)->itemsize;
    int64_t w = vec_size(d), n = p_end - p_begin, i = 0;
    if (ct_dtype_is_integral(d, false)) { /* exact in int64: no blocking visible */
        for (int64_t idx = p_begin; idx < p_end; idx++)
            store_i64(d, out + idx * (int64_t)item, uwrap_add_mul(a->is, a->ist, idx));
        return;
    }
    for (; i <= n - 2 * w; i += 2 * w) {
        for (int64_t v = 0; v < 2; v++) {
            int64_t idx = p_begin + i + v * w;
            char *p = out + idx * (int64_t)item;
            if (is_half_like(d)) {
                float base = round_half_like(d, fmaf(a->fst, (float)idx, a->fs));
                for (int64_t k = 0; k < w; k++)
                    store_float(d, p + k * (int64_t)item, k ? base + (float)k * a->fst : base);
            } else if (d == CT_FLOAT32) {
                double base = (double)(float)fma(a->dst, (double)idx, a->ds);
                for (int64_t k = 0; k < w; k++)
                    store_double(d, p + k * 4, k ? fma((double)k, a->dst, base) : base);
            } else {
                double base = fma(a->dst, (double)idx, a->ds);
                for (int64_t k = 0; k < w; k++)
                    store_double(d, p + k * 8, k ? fma((double)k, a->dst, base) : base);
            }
        }
    }
    for (int64_t idx = p_begin + i; idx < p_end; idx++) {
        char *p = out + idx * (int64_t)item;
        if (is_half_like(d))
            store_float(d, p, fmaf(a->fst, (float)idx, a->fs));
        else
            store_double(d, p, fma(a->dst, (double)idx, a->ds));
    }
}

static ct_tensor *arange_impl(rscalar start, rscalar end, rscalar step, ct_dtype dtype, const ct_opts *o) {
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    if (not_implemented_bool(dtype, "arange_cpu")) return NULL;
    range_args a;
    if (range_prepare(&a, dtype, start, end, step, "larger") != CT_OK) return NULL;
    /* the length in double, except int64 outputs: (end - start) in int64 */
    double size_d;
    if (dtype == CT_INT64)
        size_d = ceil((double)(int64_t)((uint64_t)a.ie - (uint64_t)a.is) / (double)a.ist);
    else
        size_d = ceil((end.d - start.d) / step.d);
    if (!(size_d >= 0 && size_d <= (double)INT64_MAX)) {
        ct__error("invalid size, possible overflow?");
        return NULL;
    }
    int64_t n = (int64_t)size_d;
    ct_tensor *t = ct__empty(dtype, 1, &n);
    if (!t) return NULL;
    void *ctx[2] = {&a, ct__data(t)};
    ct_parallel_for(0, n, CT_GRAIN_SIZE, arange_chunk, ctx);
    return finish(t, o);
}

ct_tensor *ct_arange(int64_t start, int64_t end, int64_t step, const ct_opts *o) {
    return arange_impl(sc_i(start), sc_i(end), sc_i(step), ct__opt_dtype(o, CT_INT64), o);
}

ct_tensor *ct_arange_f(double start, double end, double step, const ct_opts *o) {
    return arange_impl(sc_d(start), sc_d(end), sc_d(step), ct__opt_dtype(o, ct_get_default_dtype()), o);
}

static void range_chunk(int64_t p_begin, int64_t p_end, void *vctx) {
    const range_args *a = ((void **)vctx)[0];
    char *out = ((void **)vctx)[1];
    ct_dtype d = a->dtype;
    size_t item = ct__traits(d)->itemsize;
    for (int64_t i = p_begin; i < p_end; i++) {
        char *p = out + i * (int64_t)item;
        if (ct_dtype_is_integral(d, false))
            store_i64(d, p, uwrap_add_mul(a->is, i, a->ist));
        else if (is_half_like(d))
            store_float(d, p, a->fs + (float)i * a->fst);
        else
            store_double(d, p, a->ds + (double)i * a->dst);
    }
}

ct_tensor *ct_range(double start, double end, double step, const ct_opts *o) {
    ct__warn("torch.range is deprecated and will be removed in a future release because its behavior is "
             "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
             "[start, end).");
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    if (not_implemented_bool(dtype, "range_cpu")) return NULL;
    if (dtype == CT_FLOAT16) {
        ct__error("\"range_cpu\" not implemented for 'Half'");
        return NULL;
    }
    range_args a;
    if (range_prepare(&a, dtype, sc_d(start), sc_d(end), sc_d(step), "lower") != CT_OK) return NULL;
    /* size = (end - start) / step + 1 in the accumulate type, truncated */
    int64_t n;
    if (ct_dtype_is_integral(dtype, false))
        n = (int64_t)((uint64_t)((a.ie - a.is) / a.ist) + 1u);
    else if (is_half_like(dtype))
        n = (int64_t)((a.fe - a.fs) / a.fst + 1.0f);
    else
        n = ct__double_to_int64((a.de - a.ds) / a.dst + 1.0);
    ct_tensor *t = ct__empty(dtype, 1, &n);
    if (!t) return NULL;
    void *ctx[2] = {&a, ct__data(t)};
    ct_parallel_for(0, n, CT_GRAIN_SIZE, range_chunk, ctx);
    return finish(t, o);
}

/* linspace_kernel: step_t is double for integral outputs, else the output
 * type itself (float16/bfloat16 arithmetic rounds after every operation,
 * as c10::Half's operators do); the first half counts up from start, the
 * second down from end. Serial per element, so chunking cannot show. */
typedef struct {
    ct_dtype dtype;
    int64_t steps, halfway;
    double ds, de, dstep; /* integral (start/end already converted), float64 */
    float fs, fe, fstep;  /* float32, float16, bfloat16 */
    double base;          /* logspace only */
    bool log;
} lin_args;

/* c - a * b as one x86 fnmadd: a NaN a comes out with its own sign. */
static double fnma(double a, double b, double c) { return isnan(a) ? fma(a, b, c) : fma(-a, b, c); }
static float fnmaf(float a, float b, float c) { return isnan(a) ? fmaf(a, b, c) : fmaf(-a, b, c); }

/* One element of linspace/logspace at index i (the scalar lambda). */
static void lin_scalar(const lin_args *a, int64_t i, char *p) {
    ct_dtype d = a->dtype;
    bool up = i < a->halfway;
    int64_t k = up ? i : a->steps - i - 1;
    if (a->log) {
        /* logspace lives in RangeFactories.cpp, built without FMA */
        double e = up ? a->ds + a->dstep * (double)k : a->de - a->dstep * (double)k;
        double v = pow(a->base, e);
        if (ct_dtype_is_integral(d, false))
            store_cast_f64(d, p, v);
        else if (is_half_like(d))
            store_float(d, p, (float)v);
        else
            store_double(d, p, v);
    } else if (ct_dtype_is_integral(d, false)) {
        store_cast_f64(d, p, up ? fma(a->dstep, (double)k, a->ds) : fnma(a->dstep, (double)k, a->de));
    } else if (d == CT_FLOAT64) {
        store_double(d, p, up ? fma(a->dstep, (double)k, a->ds) : fnma(a->dstep, (double)k, a->de));
    } else if (d == CT_FLOAT32) {
        store_double(d, p, up ? fmaf(a->fstep, (float)k, a->fs) : fnmaf(a->fstep, (float)k, a->fe));
    } else {
        float prod = round_half_like(d, a->fstep * round_half_like(d, (float)k));
        store_float(d, p, up ? a->fs + prod : a->fe - prod);
    }
}

/* One Vectorized<scalar_t> of linspace starting at idx: the lambda picks
 * start- or end-based from idx alone, then Vectorized::arange(base, step)
 * fills lane k with base + k * step in step_t. */
static void lin_vector(const lin_args *a, int64_t idx, char *p, int64_t w) {
    ct_dtype d = a->dtype;
    size_t item = ct__traits(d)->itemsize;
    bool up = idx < a->halfway;
    int64_t k0 = up ? idx : a->steps - idx - 1;
    if (ct_dtype_is_integral(d, false)) {
        char tmp[8];
        store_cast_f64(d, tmp, up ? fma(a->dstep, (double)k0, a->ds) : fnma(a->dstep, (double)k0, a->de));
        double base = ct__traits(d)->load_double(tmp);
        for (int64_t k = 0; k < w; k++)
            store_cast_f64(d, p + k * (int64_t)item, fma((double)k, a->dstep, base));
    } else if (d == CT_FLOAT64) {
        double base = up ? fma(a->dstep, (double)k0, a->ds) : fnma(a->dstep, (double)k0, a->de);
        for (int64_t k = 0; k < w; k++)
            store_double(d, p + k * 8, base + (double)k * a->dstep);
    } else if (d == CT_FLOAT32) {
        float base = up ? fmaf(a->fstep, (float)k0, a->fs) : fnmaf(a->fstep, (float)k0, a->fe);
        for (int64_t k = 0; k < w; k++)
            store_double(d, p + k * 4, base + (float)k * a->fstep);
    } else {
        float prod = round_half_like(d, a->fstep * round_half_like(d, (float)k0));
        float base = round_half_like(d, up ? a->fs + prod : a->fe - prod);
        for (int64_t k = 0; k < w; k++)
            store_float(d, p + k * (int64_t)item, base + round_half_like(d, (float)k * a->fstep));
    }
}

static void lin_chunk(int64_t p_begin, int64_t p_end, void *vctx) {
    const lin_args *a = ((void **)vctx)[0];
    char *out = ((void **)vctx)[1];
    int64_t item = (int64_t)ct__traits(a->dtype)->itemsize, i = p_begin;
    if (!a->log) { /* cpu_serial_kernel_vec: blocks of two vectors, scalar tail */
        int64_t w = vec_size(a->dtype);
        for (; i + 2 * w <= p_end; i += 2 * w) {
            lin_vector(a, i, out + i * item, w);
            lin_vector(a, i + w, out + (i + w) * item, w);
        }
    }
    for (; i < p_end; i++)
        lin_scalar(a, i, out + i * item);
}

/* Scalar::to<scalar_t>() of a bound: checked, then converted as c10 does. */
static int lin_bound(ct_dtype d, double v, double *as_double, float *as_float) {
    if (sc_check(sc_d(v), d) != CT_OK) return CT_ERROR;
    unsigned char buf[8];
    ct__traits(d)->store_double(buf, v);
    *as_double = ct__traits(d)->load_double(buf);
    *as_float = (float)*as_double;
    return CT_OK;
}

static ct_tensor *lin_impl(double start, double end, int64_t steps, double base, bool log, const ct_opts *o) {
    if (steps < 0) {
        ct__error("number of steps must be non-negative");
        return NULL;
    }
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    if (!ct_dtype_is_valid(dtype)) {
        ct__error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    if (steps == 1) { /* result.fill_(start) / fill_(pow(base, start)) */
        return filled(dtype, 1, &steps, log ? pow(base, start) : start, o);
    }
    if (steps >= 2 && not_implemented_bool(dtype, log ? "logspace_cpu" : "linspace_cpu")) return NULL;
    if (steps >= 2 && log && dtype == CT_FLOAT16) {
        ct__error("\"logspace_cpu\" not implemented for 'Half'");
        return NULL;
    }
    lin_args a = {.dtype = dtype, .steps = steps, .halfway = steps / 2, .log = log};
    if (steps >= 2) {
        if (lin_bound(dtype, start, &a.ds, &a.fs) || lin_bound(dtype, end, &a.de, &a.fe)) return NULL;
        double div = (double)(steps - 1);
        if (log) {
            /* logspace: step in double from (end - start) in scalar_t; an
             * integral output uses a float base (pow still runs in double) */
            if (ct_dtype_is_integral(dtype, false)) {
                base = (double)(float)base;
                a.dstep = (double)(int64_t)((uint64_t)(int64_t)a.de - (uint64_t)(int64_t)a.ds) / div;
                if (dtype != CT_INT64) a.dstep = (a.de - a.ds) / div; /* int arithmetic is exact */
            } else if (is_half_like(dtype)) {
                a.dstep = (double)round_half_like(dtype, a.fe - a.fs) / div;
            } else if (dtype == CT_FLOAT32) {
                a.dstep = (double)(a.fe - a.fs) / div;
            } else {
                a.dstep = (a.de - a.ds) / div;
            }
            a.base = base;
        } else if (ct_dtype_is_integral(dtype, false) || dtype == CT_FLOAT64) {
            a.dstep = (a.de - a.ds) / div;
        } else if (dtype == CT_FLOAT32) {
            a.fstep = (a.fe - a.fs) / (float)(steps - 1);
        } else {
            float diff = round_half_like(dtype, a.fe - a.fs);
            a.fstep = round_half_like(dtype, diff / round_half_like(dtype, (float)(steps - 1)));
        }
    }
    ct_tensor *t = ct__empty(dtype, 1, &steps);
    if (!t) return NULL;
    void *ctx[2] = {&a, ct__data(t)};
    if (steps >= 2) ct_parallel_for(0, steps, CT_GRAIN_SIZE, lin_chunk, ctx);
    return finish(t, o);
}

ct_tensor *ct_linspace(double start, double end, int64_t steps, const ct_opts *o) {
    return lin_impl(start, end, steps, 0.0, false, o);
}

ct_tensor *ct_logspace(double start, double end, int64_t steps, double base, const ct_opts *o) {
    return lin_impl(start, end, steps, base, true, o);
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
    ct_dtype dtype = ct__opt_dtype(o, ct_get_default_dtype());
    if (dtype == CT_BFLOAT16) { /* eye_out_cpu dispatches ALL_TYPES_AND(Bool, Half) */
        ct__error("\"eye\" not implemented for 'BFloat16'");
        return NULL;
    }
    ct_tensor *t = ct_zeros(CT_SIZE(n, m), CT_OPTS(.dtype = dtype));
    if (!t) return NULL;
    char *p = ct__data(t);
    size_t item = ct__traits(t->dtype)->itemsize;
    for (int64_t i = 0; i < n && i < m; i++)
        ct__traits(t->dtype)->store_double(p + (i * m + i) * (int64_t)item, 1.0);
    return finish(t, o);
}
