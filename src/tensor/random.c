/* Random sampling, bit-identical to PyTorch 1.13.1's CPU kernels
 * (aten/src/ATen/native/DistributionTemplates.h, native/cpu/
 * DistributionTemplates.h, core/DistributionsHelper.h, TransformationHelper.h);
 * docs/random.md. Every kernel is serial: element order is the order
 * TensorIterator gives a nullary op (memory order of the output), the
 * vectorised normal path runs on contiguous tensors of >= 16 elements. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctorch/random.h"
#include "kernels/cpu/convert.h"
#include "kernels/cpu/random_normal.h"
#include "tensor/generator.h"
#include "tensor/tensor_iter.h"
#include "tensor/tensor_impl.h"

/* ---- names PyTorch's messages use ---- */

/* caffe2::TypeMeta names (CHECK_OUT_OF_BOUNDS prints the dtype) */
static const char *type_meta_name(ct_dtype d) {
    static const char *const names[CT_NUM_DTYPES] = {
        [CT_BOOL] = "bool",         [CT_UINT8] = "unsigned char", [CT_INT8] = "signed char",
        [CT_INT16] = "short int",   [CT_INT32] = "int",           [CT_INT64] = "long int",
        [CT_FLOAT16] = "c10::Half", [CT_BFLOAT16] = "c10::BFloat16", [CT_FLOAT32] = "float",
        [CT_FLOAT64] = "double",
    };
    return (d > 0 && d < CT_NUM_DTYPES) ? names[d] : "undefined";
}

static bool not_implemented(const char *kernel, ct_dtype d) {
    ct__error("\"%s\" not implemented for '%s'", kernel, ct__traits(d)->scalar_name);
    return false;
}

static bool is_floating(ct_dtype d) { return d == CT_FLOAT16 || d == CT_BFLOAT16 || d == CT_FLOAT32 || d == CT_FLOAT64; }

/* std::numeric_limits<T>::digits of the floating dtypes */
static int float_digits(ct_dtype d) {
    switch (d) {
    case CT_FLOAT16: return 11;
    case CT_BFLOAT16: return 8;
    case CT_FLOAT32: return 24;
    default: return 53;
    }
}

static double float_max(ct_dtype d) {
    switch (d) {
    case CT_FLOAT16: return 65504.0;
    case CT_BFLOAT16: return 0x1.fep127;
    case CT_FLOAT32: return 0x1.fffffep127;
    default: return 0x1.fffffffffffffp1023;
    }
}

/* ---- element stores ---- */

/* store_i64 / store_f64: v converted to d's element type and written at p
 * (CT_CONVERT_TO picks the int64 or the double conversion by v's type). */
#define STORE_CASE(E, NAME, CT, K)                                                                                     \
    case E: {                                                                                                          \
        CT x = CT_CONVERT_TO(NAME, v);                                                                                 \
        memcpy(p, &x, sizeof x);                                                                                       \
        break;                                                                                                         \
    }

static void store_i64(ct_dtype d, char *p, int64_t v) {
    switch (d) {
        CT_FOR_EACH_DTYPE(STORE_CASE)
    default: break;
    }
}

static void store_f64(ct_dtype d, char *p, double v) {
    switch (d) {
        CT_FOR_EACH_DTYPE(STORE_CASE)
    default: break;
    }
}
#undef STORE_CASE

/* ---- output checks and serial iteration ---- */

/* assert_no_internal_overlap: a stride-0 dimension of size > 1 */
static bool check_no_overlap(const ct_tensor *t) {
    for (int i = 0; i < t->ndim; i++) {
        if (t->sizes[i] > 1 && t->strides[i] == 0) {
            ct__error("unsupported operation: more than one element of the written-to tensor refers to a single "
                      "memory location. Please clone() the tensor before performing the operation.");
            return false;
        }
    }
    return true;
}

typedef void (*elem_fn)(void *ctx, char *p);
typedef struct {
    elem_fn fn;
    void *ctx;
} serial_ctx;

static void serial_loop(char **data, const int64_t *byte_strides, int64_t n, void *vctx) {
    serial_ctx *c = vctx;
    char *p = data[0];
    for (int64_t i = 0; i < n; i++, p += byte_strides[0]) c->fn(c->ctx, p);
}

/* Call fn once per element of t, in the order of TensorIterator's
 * reorder_dimensions for a single output: dimensions sorted by stride
 * (insertion sort, equal strides keep the smaller size inside). */
static void serial_fill(ct_tensor *t, elem_fn fn, void *ctx) {
    int nd = t->ndim;
    int perm[CT_MAX_DIMS]; /* innermost first, as TensorIterator's perm_ */
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    for (int i = 1; i < nd; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            int64_t s0 = t->strides[perm[d0]], s1 = t->strides[perm[d1]];
            int cmp = 0;
            if (s0 != 0 && s1 != 0) {
                if (s0 < s1) cmp = -1;
                else if (s0 > s1) cmp = 1;
                else if (t->sizes[perm[d0]] > t->sizes[perm[d1]]) cmp = 1;
            }
            if (cmp > 0) {
                int tmp = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = tmp;
                d1 = d0;
            } else if (cmp < 0) {
                break;
            }
        }
    }
    int64_t sizes[CT_MAX_DIMS], strides[CT_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        sizes[i] = t->sizes[perm[nd - 1 - i]];
        strides[i] = t->strides[perm[nd - 1 - i]];
    }
    char *data = ct__data(t);
    const int64_t *st = strides;
    int64_t itemsize = (int64_t)ct__traits(t->dtype)->itemsize;
    ct_strided_iter it;
    ct__iter_init(&it, nd, sizes, 1, &data, &st, &itemsize);
    serial_ctx c = {fn, ctx};
    ct__iter_run(&it, serial_loop, &c);
}

/* A new tensor like t for the *_like functions: empty_like keeps t's
 * strides when t is non-overlapping and dense (preserve_format), else it
 * is contiguous. */
static bool non_overlapping_and_dense(const ct_tensor *t) {
    int nd = t->ndim;
    if (nd == 1) return t->sizes[0] < 2 || t->strides[0] == 1;
    int perm[CT_MAX_DIMS];
    for (int i = 0; i < nd; i++) perm[i] = nd - 1 - i;
    /* sort by stride ascending, size < 2 dims last */
    for (int i = 1; i < nd; i++) {
        for (int j = i; j > 0; j--) {
            int a = perm[j - 1], b = perm[j];
            bool swap;
            if (t->sizes[a] < 2) swap = true;
            else if (t->sizes[b] < 2) swap = false;
            else swap = t->strides[a] > t->strides[b];
            if (!swap) break;
            perm[j - 1] = b;
            perm[j] = a;
        }
    }
    int64_t req = 1;
    for (int i = 0; i < nd; i++) {
        int64_t sz = t->sizes[perm[i]];
        if (sz < 2) return true;
        if (t->strides[perm[i]] != req) return false;
        req *= sz;
    }
    return true;
}

static ct_tensor *empty_like_preserve(const ct_tensor *t, ct_dtype dtype) {
    if (ct__is_contiguous(t) || !non_overlapping_and_dense(t)) return ct__empty(dtype, t->ndim, t->sizes);
    int64_t numel = ct__check_shape(t->ndim, t->sizes, dtype);
    if (numel < 0) return NULL;
    ct_storage *s = ct__storage_new((size_t)numel * ct__traits(dtype)->itemsize);
    if (!s) return NULL;
    ct_tensor *r = ct__tensor_make(s, dtype, t->ndim, t->sizes, t->strides, 0);
    ct__storage_release(s);
    return r;
}

static ct_generator *gen_of(const ct_opts *o) { return o ? o->generator : NULL; }

/* A fresh tensor that failed to fill is freed; one that filled gets
 * requires_grad and a version counter of 0 (a factory's result). */
static ct_tensor *finish(ct_tensor *t, int status, const ct_opts *o) {
    if (!t) return NULL;
    if (status != CT_OK) {
        ct_free(t);
        return NULL;
    }
    atomic_store(&t->storage->version, 0);
    return ct__apply_requires_grad(t, o);
}

/* ---- uniform_ ---- */

typedef struct {
    ct_generator *g;
    ct_dtype dtype;
    double from, to;
} uniform_ctx;

/* uniform_real_distribution<scalar_t>(from, to) with from/to cast to
 * scalar_t: x * (to - from) + from, fused, in dist_acctype (float for the
 * 16-bit types, whose (to - from) rounds to the 16-bit type). */
static void uniform_elem(void *vctx, char *p) {
    uniform_ctx *c = vctx;
    switch (c->dtype) {
    case CT_FLOAT32: {
        float from = (float)c->from, to = (float)c->to;
        float x = fmaf(ct__gen_uniform_f32(c->g), to - from, from);
        memcpy(p, &x, sizeof x);
        break;
    }
    case CT_FLOAT64: {
        double x = fma(ct__gen_uniform_f64(c->g), c->to - c->from, c->from);
        memcpy(p, &x, sizeof x);
        break;
    }
    case CT_FLOAT16: {
        float from = ct_half_to_float(ct__float16_from_f64(c->from));
        float to = ct_half_to_float(ct__float16_from_f64(c->to));
        float range = ct_half_to_float(ct_float_to_half(to - from));
        float u = (float)(ct__gen_random(c->g) & 0x7FFu) * 0x1p-11f;
        uint16_t h = ct_float_to_half(fmaf(u, range, from));
        memcpy(p, &h, sizeof h);
        break;
    }
    case CT_BFLOAT16: {
        float from = ct_bfloat16_to_float(ct__bfloat16_from_f64(c->from));
        float to = ct_bfloat16_to_float(ct__bfloat16_from_f64(c->to));
        float range = ct_bfloat16_to_float(ct_float_to_bfloat16(to - from));
        float u = (float)(ct__gen_random(c->g) & 0xFFu) * 0x1p-8f;
        uint16_t h = ct_float_to_bfloat16(fmaf(u, range, from));
        memcpy(p, &h, sizeof h);
        break;
    }
    default: break;
    }
}

int ct_uniform_(ct_tensor *t, double from, double to, ct_generator *g) {
    if (!t) return CT_ERROR;
    ct_dtype d = t->dtype;
    if (!is_floating(d)) return not_implemented("check_uniform_bounds", d), CT_ERROR;
    double max = float_max(d);
    if (!(from >= -max && from <= max)) {
        ct__error("from is out of bounds for %s", type_meta_name(d));
        return CT_ERROR;
    }
    if (!(to >= -max && to <= max)) {
        ct__error("to is out of bounds for %s", type_meta_name(d));
        return CT_ERROR;
    }
    if (!(from <= to)) {
        ct__error("uniform_ expects to return a [from, to) range, but found from=%g > to=%g", from, to);
        return CT_ERROR;
    }
    if (!(to - from <= max)) {
        ct__error("uniform_ expects to-from <= std::numeric_limits<%s>::max(), but found to=%g and from=%g which "
                  "result in to-from to exceed the limit",
                  ct__traits(d)->scalar_name, to, from);
        return CT_ERROR;
    }
    if (!check_no_overlap(t)) return CT_ERROR;
    uniform_ctx c = {ct__generator_acquire(g), d, from, to};
    serial_fill(t, uniform_elem, &c);
    ct__generator_release(c.g);
    ct__bump_version(t);
    return CT_OK;
}

/* ---- normal_ ---- */

typedef struct {
    ct_generator *g;
    ct_dtype dtype;
    double mean, std;
} normal_ctx;

static void normal_elem(void *vctx, char *p) {
    normal_ctx *c = vctx;
    store_f64(c->dtype, p, ct__gen_normal_f64(c->g, c->mean, c->std));
}

/* normal_fill / normal_fill_AVX2: n >= 16 uniforms, blocks of 16, the
 * tail redone on the last 16 with fresh uniforms. */
#define CT_NORMAL_FILL(T, d, n, UNIFORM, FILL16, MEAN, STD)              \
    do {                                                                 \
        for (int64_t i_ = 0; i_ < (n); i_++) (d)[i_] = UNIFORM;          \
        for (int64_t i_ = 0; i_ + 16 <= (n); i_ += 16) FILL16((d) + i_, MEAN, STD); \
        if ((n) % 16 != 0) {                                             \
            T *tail_ = (d) + (n) - 16;                                   \
            for (int i_ = 0; i_ < 16; i_++) tail_[i_] = UNIFORM;         \
            FILL16(tail_, MEAN, STD);                                    \
        }                                                                \
    } while (0)

static void normal_vector(ct_tensor *t, int64_t n, double mean, double std, ct_generator *g) {
    switch (t->dtype) {
    case CT_FLOAT32: {
        float *d = (float *)ct__data(t);
        CT_NORMAL_FILL(float, d, n, ct__gen_uniform_f32(g), ct__normal_fill16_f32, (float)mean, (float)std);
        break;
    }
    case CT_FLOAT64: {
        double *d = (double *)ct__data(t);
        CT_NORMAL_FILL(double, d, n, ct__gen_uniform_f64(g), ct__normal_fill16_f64, mean, std);
        break;
    }
    case CT_FLOAT16: {
        uint16_t *d = (uint16_t *)ct__data(t);
        CT_NORMAL_FILL(uint16_t, d, n, ct_float_to_half((float)(ct__gen_random(g) & 0x7FFu) * 0x1p-11f),
                       ct__normal_fill16_f16, ct__float16_from_f64(mean), ct__float16_from_f64(std));
        break;
    }
    case CT_BFLOAT16: {
        uint16_t *d = (uint16_t *)ct__data(t);
        CT_NORMAL_FILL(uint16_t, d, n, ct_float_to_bfloat16((float)(ct__gen_random(g) & 0xFFu) * 0x1p-8f),
                       ct__normal_fill16_bf16, ct__bfloat16_from_f64(mean), ct__bfloat16_from_f64(std));
        break;
    }
    default: break;
    }
}

int ct_normal_(ct_tensor *t, double mean, double std, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (!(std >= 0.0)) {
        ct__error("normal expects std >= 0.0, but found std %g", std);
        return CT_ERROR;
    }
    if (!is_floating(t->dtype)) return not_implemented("normal_kernel_cpu", t->dtype), CT_ERROR;
    int64_t n = ct__numel(t);
    bool vector = n >= 16 && ct__is_contiguous(t);
    if (!vector && !check_no_overlap(t)) return CT_ERROR;
    g = ct__generator_acquire(g);
    if (vector) {
        normal_vector(t, n, mean, std, g);
    } else {
        normal_ctx c = {g, t->dtype, mean, std};
        serial_fill(t, normal_elem, &c);
    }
    ct__generator_release(g);
    ct__bump_version(t);
    return CT_OK;
}

/* ---- random_ ---- */

typedef struct {
    ct_generator *g;
    ct_dtype dtype;
    uint64_t range;
    int64_t base;
    bool wide; /* random64 */
} random_ctx;

/* uniform_int_from_to_distribution: (int64)(v % range + base), cast */
static void random_range_elem(void *vctx, char *p) {
    random_ctx *c = vctx;
    uint64_t v = c->wide ? ct__gen_random64(c->g) : ct__gen_random(c->g);
    store_i64(c->dtype, p, (int64_t)(v % c->range + (uint64_t)c->base));
}

/* uniform_int_distribution<scalar_t> (random_() without bounds) */
static void random_full_elem(void *vctx, char *p) {
    random_ctx *c = vctx;
    switch (c->dtype) {
    case CT_BOOL: store_i64(CT_BOOL, p, (int64_t)(ct__gen_random(c->g) & 1u)); break;
    case CT_INT64: store_i64(CT_INT64, p, (int64_t)(ct__gen_random64(c->g) % (UINT64_C(1) << 63))); break;
    case CT_FLOAT64:
        store_i64(CT_FLOAT64, p, (int64_t)(ct__gen_random64(c->g) % ((UINT64_C(1) << 53) + 1)));
        break;
    default: store_i64(c->dtype, p, (int64_t)(ct__gen_random(c->g) % c->range)); break;
    }
}

int ct_random_(ct_tensor *t, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (!ct_dtype_is_valid(t->dtype)) return not_implemented("random_kernel_cpu", t->dtype), CT_ERROR;
    if (ct__numel(t) == 0) return CT_OK;
    if (!check_no_overlap(t)) return CT_ERROR;
    random_ctx c = {.dtype = t->dtype};
    switch (t->dtype) {
    case CT_UINT8: c.range = 256; break;
    case CT_INT8: c.range = 128; break;
    case CT_INT16: c.range = 32768; break;
    case CT_INT32: c.range = UINT64_C(1) << 31; break;
    default: c.range = is_floating(t->dtype) ? (UINT64_C(1) << float_digits(t->dtype)) + 1 : 0; break;
    }
    c.g = ct__generator_acquire(g);
    serial_fill(t, random_full_elem, &c);
    ct__generator_release(c.g);
    ct__bump_version(t);
    return CT_OK;
}

static int64_t int_min(ct_dtype d) {
    switch (d) {
    case CT_BOOL: case CT_UINT8: return 0;
    case CT_INT8: return INT8_MIN;
    case CT_INT16: return INT16_MIN;
    case CT_INT32: return INT32_MIN;
    default: return INT64_MIN;
    }
}
static int64_t int_max(ct_dtype d) {
    switch (d) {
    case CT_BOOL: return 1;
    case CT_UINT8: return UINT8_MAX;
    case CT_INT8: return INT8_MAX;
    case CT_INT16: return INT16_MAX;
    case CT_INT32: return INT32_MAX;
    default: return INT64_MAX;
    }
}

/* static_cast<int64_t>(static_cast<scalar_t>(v)) for the floating dtypes */
static int64_t round_trip(ct_dtype d, int64_t v) {
    char buf[8];
    store_i64(d, buf, v);
    return ct__double_to_int64(ct__traits(d)->load_double(buf));
}

/* update_from / update_to: keep [from, to) inside values the dtype holds */
static int64_t update_from(ct_dtype d, int64_t from) {
    int64_t f1 = round_trip(d, from + 1);
    if (f1 < from) {
        int64_t a = llabs(from + 1);
        int n = 0;
        while (a >>= 1) ++n;
        from = f1 + (INT64_C(1) << (n - float_digits(d) + 1));
    }
    return from;
}
static int64_t update_to(ct_dtype d, int64_t to) {
    int64_t t1 = round_trip(d, to - 1);
    if (t1 >= to) {
        int64_t a = llabs(to - 1);
        int n = 0;
        while (a >>= 1) ++n;
        to = t1 - (INT64_C(1) << (n - float_digits(d) + 1));
    }
    return to;
}

static void warn_fp_bounds(int64_t v, const char *name, ct_dtype d) {
    int digits = float_digits(d);
    int64_t lim = INT64_C(1) << digits;
    if (v < -lim || v > lim)
        ct__warn("%s is out of bounds [-(2^%d), 2^%d]. Due to precision limitations %s can support discrete uniform "
                 "distribution only within this range. This warning will become an error in version 1.7 release, "
                 "please fix the code in advance",
                 name, digits, digits, type_meta_name(d));
}

int ct_random_range_(ct_tensor *t, int64_t from, int64_t to, ct_generator *g) {
    if (!t) return CT_ERROR;
    ct_dtype d = t->dtype;
    if (!ct_dtype_is_valid(d)) return not_implemented("random_from_to_kernel_cpu", d), CT_ERROR;
    if (from >= to) {
        ct__error("random_ expects 'from' to be less than 'to', but got from=%" PRId64 " >= to=%" PRId64, from, to);
        return CT_ERROR;
    }
    if (is_floating(d)) {
        from = update_from(d, from);
        to = update_to(d, to);
        if (from >= to) {
            ct__error("random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from=%" PRId64
                      " >= to=%" PRId64,
                      from, to);
            return CT_ERROR;
        }
        double max = float_max(d);
        if (!((double)from >= -max && (double)from <= max)) {
            ct__error("from is out of bounds for %s", type_meta_name(d));
            return CT_ERROR;
        }
        if (!((double)(to - 1) >= -max && (double)(to - 1) <= max)) {
            ct__error("to - 1 is out of bounds for %s", type_meta_name(d));
            return CT_ERROR;
        }
        warn_fp_bounds(from, "from", d);
        warn_fp_bounds(to - 1, "to - 1", d);
    } else {
        if (from < int_min(d) || from > int_max(d)) {
            ct__error("from is out of bounds for %s", type_meta_name(d));
            return CT_ERROR;
        }
        if (to - 1 < int_min(d) || to - 1 > int_max(d)) {
            ct__error("to - 1 is out of bounds for %s", type_meta_name(d));
            return CT_ERROR;
        }
    }
    if (ct__numel(t) == 0) return CT_OK;
    if (!check_no_overlap(t)) return CT_ERROR;
    random_ctx c = {.dtype = d, .range = (uint64_t)to - (uint64_t)from, .base = from};
    c.wide = c.range >= (UINT64_C(1) << 32) &&
             (d == CT_INT64 || d == CT_FLOAT64 || d == CT_FLOAT32 || d == CT_BFLOAT16);
    c.g = ct__generator_acquire(g);
    serial_fill(t, random_range_elem, &c);
    ct__generator_release(c.g);
    ct__bump_version(t);
    return CT_OK;
}

/* ---- bernoulli ---- */

typedef struct {
    ct_generator *g;
    ct_dtype dtype;
    double p;
} bern_ctx;

static void bernoulli_scalar_elem(void *vctx, char *p) {
    bern_ctx *c = vctx;
    store_i64(c->dtype, p, ct__gen_uniform_f64(c->g) < c->p);
}

int ct_bernoulli_(ct_tensor *t, double p, ct_generator *g) {
    if (!t) return CT_ERROR;
    if (!(p >= 0 && p <= 1)) {
        ct__error("bernoulli_ expects p to be in [0, 1], but got p=%g", p);
        return CT_ERROR;
    }
    if (!ct_dtype_is_valid(t->dtype)) return not_implemented("bernoulli_scalar_cpu_", t->dtype), CT_ERROR;
    if (!check_no_overlap(t)) return CT_ERROR;
    bern_ctx c = {ct__generator_acquire(g), t->dtype, p};
    serial_fill(t, bernoulli_scalar_elem, &c);
    ct__generator_release(c.g);
    ct__bump_version(t);
    return CT_OK;
}

ct_tensor *ct_bernoulli_scalar(const ct_tensor *t, double p, ct_generator *g) {
    if (!t) return NULL;
    ct_tensor *r = empty_like_preserve(t, t->dtype);
    if (!r) return NULL;
    return finish(r, ct_bernoulli_(r, p, g), NULL);
}

typedef struct {
    ct_generator *g;
    ct_dtype out, pd;
    bool failed;
} bern_tensor_ctx;

/* bernoulli_distribution<double> for double p, <float> (U24) otherwise;
 * its constructor checks p per element, after the earlier draws. */
static void bernoulli_tensor_loop(char **data, const int64_t *s, int64_t n, void *vctx) {
    bern_tensor_ctx *c = vctx;
    const ct_dtype_traits *pt = ct__traits(c->pd);
    for (int64_t i = 0; i < n && !c->failed; i++) {
        double pv = pt->load_double(data[1] + i * s[1]);
        if (!(pv >= 0 && pv <= 1)) {
            c->failed = true;
            break;
        }
        bool b = c->pd == CT_FLOAT64 ? ct__gen_uniform_f64(c->g) < pv : ct__gen_uniform_f32(c->g) < (float)pv;
        store_i64(c->out, data[0] + i * s[0], b);
    }
}

ct_tensor *ct_bernoulli(const ct_tensor *p, ct_generator *g) {
    if (!p) return NULL;
    if (!is_floating(p->dtype)) {
        not_implemented("bernoulli_tensor_cpu_p_", p->dtype);
        return NULL;
    }
    ct_tensor *r = empty_like_preserve(p, p->dtype);
    if (!r) return NULL;
    ct_strided_iter it;
    const ct_tensor *ops[2] = {r, p};
    if (ct__iter_over(&it, 2, ops) != CT_OK) return finish(r, CT_ERROR, NULL);
    bern_tensor_ctx c = {ct__generator_acquire(g), r->dtype, p->dtype, false};
    ct__iter_run(&it, bernoulli_tensor_loop, &c);
    ct__generator_release(c.g);
    if (c.failed) {
        ct__error("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be "
                  "improved?  If so, please report an enhancement request to PyTorch.)");
        return finish(r, CT_ERROR, NULL);
    }
    return finish(r, CT_OK, NULL);
}

/* ---- factories ---- */

ct_tensor *ct_rand(int ndim, const int64_t *sizes, const ct_opts *o) {
    ct_tensor *t = ct__empty(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes);
    return t ? finish(t, ct_uniform_(t, 0.0, 1.0, gen_of(o)), o) : NULL;
}

ct_tensor *ct_randn(int ndim, const int64_t *sizes, const ct_opts *o) {
    ct_tensor *t = ct__empty(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes);
    return t ? finish(t, ct_normal_(t, 0.0, 1.0, gen_of(o)), o) : NULL;
}

ct_tensor *ct_normal_size(double mean, double std, int ndim, const int64_t *sizes, const ct_opts *o) {
    ct_tensor *t = ct__empty(ct__opt_dtype(o, ct_get_default_dtype()), ndim, sizes);
    return t ? finish(t, ct_normal_(t, mean, std, gen_of(o)), o) : NULL;
}

ct_tensor *ct_randint(int64_t low, int64_t high, int ndim, const int64_t *sizes, const ct_opts *o) {
    ct_tensor *t = ct__empty(ct__opt_dtype(o, CT_INT64), ndim, sizes);
    return t ? finish(t, ct_random_range_(t, low, high, gen_of(o)), o) : NULL;
}

ct_tensor *ct_rand_like(const ct_tensor *x, const ct_opts *o) {
    if (!x) return NULL;
    ct_tensor *t = empty_like_preserve(x, ct__opt_dtype(o, x->dtype));
    return t ? finish(t, ct_uniform_(t, 0.0, 1.0, gen_of(o)), o) : NULL;
}

ct_tensor *ct_randn_like(const ct_tensor *x, const ct_opts *o) {
    if (!x) return NULL;
    ct_tensor *t = empty_like_preserve(x, ct__opt_dtype(o, x->dtype));
    return t ? finish(t, ct_normal_(t, 0.0, 1.0, gen_of(o)), o) : NULL;
}

ct_tensor *ct_randint_like(const ct_tensor *x, int64_t low, int64_t high, const ct_opts *o) {
    if (!x) return NULL;
    ct_tensor *t = empty_like_preserve(x, ct__opt_dtype(o, x->dtype));
    return t ? finish(t, ct_random_range_(t, low, high, gen_of(o)), o) : NULL;
}

ct_tensor *ct_randperm(int64_t n, const ct_opts *o) {
    ct_dtype d = ct__opt_dtype(o, CT_INT64);
    ct_tensor *t = ct__empty(d, 1, &n);
    if (!t) return NULL;
    /* check_supported_max_int_with_precision */
    int64_t last = n > 0 ? n - 1 : n;
    static const char *const ctype[CT_NUM_DTYPES] = {
        [CT_UINT8] = "uint8_t", [CT_INT8] = "int8_t", [CT_INT16] = "int16_t", [CT_INT32] = "int32_t"};
    if (d != CT_BOOL && !is_floating(d) && (last < int_min(d) || last > int_max(d))) {
        ct__error("value cannot be converted to type %s without overflow", ctype[d]);
        return finish(t, CT_ERROR, NULL);
    }
    if (d == CT_FLOAT16 && n > (INT64_C(1) << 11) + 1) {
        ct__error("n cannot be greater than 2049 for Half type.");
        return finish(t, CT_ERROR, NULL);
    }
    if (d == CT_FLOAT32 && n > (INT64_C(1) << 24) + 1) {
        ct__error("n cannot be greater than 2^24+1 for Float type.");
        return finish(t, CT_ERROR, NULL);
    }
    if (d == CT_FLOAT64 && n > (INT64_C(1) << 53) + 1) {
        ct__error("n cannot be greater than 2^53+1 for Double type.");
        return finish(t, CT_ERROR, NULL);
    }
    if (d == CT_BOOL) {
        not_implemented("randperm", d);
        return finish(t, CT_ERROR, NULL);
    }
    /* the shuffle runs on int64 indices, then converts (exact: n fits) */
    int64_t *r = malloc((size_t)(n > 0 ? n : 1) * sizeof *r);
    if (!r) {
        ct__error_oom((size_t)n * sizeof *r);
        return finish(t, CT_ERROR, NULL);
    }
    for (int64_t i = 0; i < n; i++) r[i] = i;
    ct_generator *g = ct__generator_acquire(gen_of(o));
    for (int64_t i = 0; i < n - 1; i++) {
        int64_t z = (int64_t)(ct__gen_random(g) % (uint64_t)(n - i));
        int64_t sav = r[i];
        r[i] = r[z + i];
        r[z + i] = sav;
    }
    ct__generator_release(g);
    char *data = ct__data(t);
    size_t isz = ct__traits(d)->itemsize;
    for (int64_t i = 0; i < n; i++) store_i64(d, data + (size_t)i * isz, r[i]);
    free(r);
    return finish(t, CT_OK, o);
}

/* ---- torch.normal with tensor arguments ---- */

/* CHECK_NORMAL_TENSOR_STD: std.min() >= 0 (a NaN minimum fails) */
static bool check_std_tensor(const ct_tensor *std) {
    int64_t n = ct__numel(std);
    if (n == 0) return true;
    ct_tensor *c = ct_contiguous(std);
    if (!c) return false;
    const ct_dtype_traits *tr = ct__traits(c->dtype);
    const char *p = ct__data(c);
    bool ok = true;
    for (int64_t i = 0; i < n && ok; i++) ok = tr->load_double(p + (size_t)i * tr->itemsize) >= 0.0;
    ct_free(c);
    if (!ok) ct__error("normal expects all elements of std >= 0.0");
    return ok;
}

typedef struct {
    ct_dtype out, other;
    bool mul;
} binop_ctx;

/* out = out * other or out + other, computed in double and rounded once
 * to out's dtype: the same bits as PyTorch's mul_/add_ in the promoted
 * type for every floating pair (one product/sum of two values). */
static void binop_loop(char **data, const int64_t *s, int64_t n, void *vctx) {
    binop_ctx *c = vctx;
    const ct_dtype_traits *to = ct__traits(c->out), *tb = ct__traits(c->other);
    for (int64_t i = 0; i < n; i++) {
        char *po = data[0] + i * s[0];
        double a = to->load_double(po), b = tb->load_double(data[1] + i * s[1]);
        store_f64(c->out, po, c->mul ? a * b : a + b);
    }
}

static int binop_(ct_tensor *out, const ct_tensor *other, bool mul) {
    ct_strided_iter it;
    const ct_tensor *ops[2] = {out, other};
    if (ct__iter_over(&it, 2, ops) != CT_OK) return CT_ERROR;
    binop_ctx c = {out->dtype, other->dtype, mul};
    ct__iter_run(&it, binop_loop, &c);
    return CT_OK;
}

static ct_tensor *normal_out(ct_dtype d, int ndim, const int64_t *sizes, double std, ct_generator *g) {
    ct_tensor *t = ct__empty(d, ndim, sizes);
    if (!t) return NULL;
    if (ct_normal_(t, 0.0, std, g) != CT_OK) {
        ct_free(t);
        return NULL;
    }
    return t;
}

ct_tensor *ct_normal(const ct_tensor *mean, const ct_tensor *std, ct_generator *g) {
    if (!mean || !std) return NULL;
    if (!check_std_tensor(std)) return NULL;
    int64_t shape[CT_MAX_DIMS];
    int nd = ct_broadcast_shapes(mean->ndim, mean->sizes, std->ndim, std->sizes, shape);
    if (nd < 0) return NULL;
    ct_tensor *t = normal_out(mean->dtype, nd, shape, 1.0, g);
    if (!t) return NULL;
    int st = binop_(t, std, true);
    if (st == CT_OK) st = binop_(t, mean, false);
    return finish(t, st, NULL);
}

ct_tensor *ct_normal_mean_scalar(double mean, const ct_tensor *std, ct_generator *g) {
    if (!std) return NULL;
    if (!check_std_tensor(std)) return NULL;
    ct_tensor *t = normal_out(std->dtype, std->ndim, std->sizes, 1.0, g);
    if (!t) return NULL;
    int st = binop_(t, std, true);
    if (st == CT_OK) {
        /* at::full({}, mean, output.options()): mean rounded to the dtype */
        char buf[8];
        store_f64(t->dtype, buf, mean);
        ct_tensor *m = ct_tensor_from(buf, t->dtype, 0, NULL);
        st = m ? binop_(t, m, false) : CT_ERROR;
        ct_free(m);
    }
    return finish(t, st, NULL);
}

ct_tensor *ct_normal_std_scalar(const ct_tensor *mean, double std, ct_generator *g) {
    if (!mean) return NULL;
    if (!(std >= 0.0)) {
        ct__error("normal expects std >= 0.0, but found std %g", std);
        return NULL;
    }
    ct_tensor *t = normal_out(mean->dtype, mean->ndim, mean->sizes, std, g);
    if (!t) return NULL;
    return finish(t, binop_(t, mean, false), NULL);
}
