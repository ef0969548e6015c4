/* Fused softmax / log_softmax kernels (see softmax.h). Work is split by
 * output rows, so threads never share an output element. */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "base/error_state.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/cpu_isa.h"
#include "kernels/cpu/fast_expf.h"
#include "kernels/cpu/softmax.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

typedef struct {
    const void *x;
    void *y;
    int64_t n, inner;
    bool log;
    bool stream; /* large float32 output: streaming stores (rows_f32_stream) */
} sm_ctx;

/* One (outer, inner) row at stride `inner`: T storage, CT compute type. */
#define SM_ROWS(NAME, T, CT, LD, ST, EXP, LOGF)                                     \
    static void NAME(int64_t begin, int64_t end, void *vctx) {                      \
        const sm_ctx *c = vctx;                                                     \
        const int64_t n = c->n, inner = c->inner;                                   \
        for (int64_t r = begin; r < end; r++) {                                     \
            int64_t o = r / inner, i = r % inner;                                   \
            const T *xp = (const T *)c->x + o * n * inner + i;                      \
            T *yp = (T *)c->y + o * n * inner + i;                                  \
            CT mx = -INFINITY;                                                      \
            bool has_nan = false;                                                   \
            for (int64_t k = 0; k < n; k++) {                                       \
                CT v = LD(xp + k * inner);                                          \
                if (isnan(v)) has_nan = true;                                       \
                if (v > mx) mx = v;                                                 \
            }                                                                       \
            if (has_nan) mx = (CT)NAN;                                              \
            double sum = 0;                                                         \
            for (int64_t k = 0; k < n; k++) sum += (double)EXP(LD(xp + k * inner) - mx); \
            if (c->log) {                                                           \
                CT ls = (CT)LOGF(sum);                                              \
                for (int64_t k = 0; k < n; k++) ST(yp + k * inner, LD(xp + k * inner) - mx - ls); \
            } else {                                                                \
                for (int64_t k = 0; k < n; k++)                                     \
                    ST(yp + k * inner, (CT)((double)EXP(LD(xp + k * inner) - mx) / sum)); \
            }                                                                       \
        }                                                                           \
    }

static inline float ld_bf(const uint16_t *p) { return ct_bfloat16_to_float(*p); }
#define LD_NATIVE(p) (*(p))
#define ST_NATIVE(p, v) (*(p) = (v))
#define ST_BF(p, v) (*(p) = ct_float_to_bfloat16(v))

SM_ROWS(rows_f32, float, float, LD_NATIVE, ST_NATIVE, expf, log)
SM_ROWS(rows_f64, double, double, LD_NATIVE, ST_NATIVE, exp, log)
SM_ROWS(rows_bf16, uint16_t, float, ld_bf, ST_BF, expf, log)


/* ---- the vectorized rows of fast_expf.h ---- */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CT_ROWS_X86 1
#include <immintrin.h>
#endif

/* scalar versions (any CPU; also the tails of the AVX2 loops) */
CT_NO_TRAP static bool max_scalar(const float *x, int64_t n, float *mx) {
    float m = -INFINITY;
    int nan = 0;
    for (int64_t k = 0; k < n; k++) {
        m = x[k] > m ? x[k] : m;
        nan |= x[k] != x[k];
    }
    *mx = m;
    return !nan && isfinite(m);
}

/* the 16 partial sums: a[j] + a[j + 8], then pairwise */
static double combine16(const double a[16]) {
    double b[8];
    for (int j = 0; j < 8; j++) b[j] = a[j] + a[j + 8];
    return ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
}

/* from element k0 (a multiple of 16) on, into the partials a */
static void exp_sum_tail(const float *x, float *y, int64_t k0, int64_t n, float shift, double a[16]) {
    for (int64_t k = k0; k < n; k++) {
        float e = ct__expf_poly(x[k] - shift);
        if (y) y[k] = e;
        a[k % 16] += (double)e;
    }
}

static void exp_scale_tail(const float *x, float *y, int64_t k0, int64_t n, float shift, float scale) {
    for (int64_t k = k0; k < n; k++) y[k] = scale * ct__expf_poly(x[k] - shift);
}

#ifdef CT_ROWS_X86
#define CT_AVX512 __attribute__((target("avx512f")))
#define CT_AVX2 __attribute__((target("avx2,fma")))

/* ct__expf_poly on 16 lanes, the same operations in the same order (the
 * clamps as max/min with x second, so a NaN stays NaN as in the scalar) */
CT_AVX512 static inline __m512 exp16(__m512 x) {
    const __m512 lo = _mm512_set1_ps(-87.3365f), hi = _mm512_set1_ps(88.7228f);
    __mmask16 under = _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ);
    x = _mm512_min_ps(hi, _mm512_max_ps(lo, x)); /* NaN (2nd operand) passes through */
    __m512 n = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), x);
    r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
    __m512 z = _mm512_mul_ps(r, r);
    __m512 y = _mm512_set1_ps(1.9875691500E-4f);
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507E-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073E-3f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894E-2f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459E-1f));
    y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201E-1f));
    y = _mm512_add_ps(_mm512_fmadd_ps(y, z, r), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_maskz_mov_ps((__mmask16)~under, _mm512_mul_ps(y, _mm512_castsi512_ps(bits)));
}

CT_AVX512 static bool max_avx512(const float *x, int64_t n, float *mx) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    __mmask16 nan = 0;
    int64_t k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512 v = _mm512_loadu_ps(x + k);
        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        m = _mm512_max_ps(m, v);
    }
    if (k < n) {
        __mmask16 t = (__mmask16)((1u << (n - k)) - 1);
        __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), t, x + k);
        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        m = _mm512_max_ps(m, v);
    }
    *mx = _mm512_reduce_max_ps(m);
    return !nan && isfinite(*mx);
}

/* the low / high 8 floats of v as 8 doubles */
CT_AVX512 static inline __m512d lo8(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
CT_AVX512 static inline __m512d hi8(__m512 v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

CT_AVX512 static double exp_sum_avx512(const float *x, float *y, int64_t n, float shift, const float *nx, float *ny) {
    const __m512 s = _mm512_set1_ps(shift);
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd(); /* partials 0-7, 8-15 */
    int64_t k = 0;
    for (; k + 16 <= n; k += 16) {
        if (nx) _mm_prefetch((const char *)(nx + k), _MM_HINT_T1);
        if (ny) __builtin_prefetch(ny + k, 1, 2);
        __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(x + k), s));
        if (y) _mm512_storeu_ps(y + k, e);
        a0 = _mm512_add_pd(a0, lo8(e));
        a1 = _mm512_add_pd(a1, hi8(e));
    }
    if (k < n) { /* k % 16 == 0: tail lane j goes to partial j */
        __mmask16 t = (__mmask16)((1u << (n - k)) - 1);
        __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + k), s));
        if (y) _mm512_mask_storeu_ps(y + k, t, e);
        a0 = _mm512_mask_add_pd(a0, (__mmask8)(t & 0xff), a0, lo8(e));
        a1 = _mm512_mask_add_pd(a1, (__mmask8)(t >> 8), a1, hi8(e));
    }
    double a[16];
    _mm512_storeu_pd(a, a0);
    _mm512_storeu_pd(a + 8, a1);
    return combine16(a);
}

CT_AVX512 static void exp_scale_avx512(const float *x, float *y, int64_t n, float shift, float scale, const float *nx,
                                       float *ny) {
    const __m512 s = _mm512_set1_ps(shift), c = _mm512_set1_ps(scale);
    int64_t k = 0;
    for (; k + 16 <= n; k += 16) {
        if (nx) _mm_prefetch((const char *)(nx + k), _MM_HINT_T1);
        if (ny) __builtin_prefetch(ny + k, 1, 2);
        _mm512_storeu_ps(y + k, _mm512_mul_ps(c, exp16(_mm512_sub_ps(_mm512_loadu_ps(x + k), s))));
    }
    if (k < n) {
        __mmask16 t = (__mmask16)((1u << (n - k)) - 1);
        __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + k), s));
        _mm512_mask_storeu_ps(y + k, t, _mm512_mul_ps(c, e));
    }
}

/* the same on 8 lanes (AVX2 + FMA) */
CT_AVX2 static inline __m256 exp8(__m256 x) {
    const __m256 lo = _mm256_set1_ps(-87.3365f), hi = _mm256_set1_ps(88.7228f);
    __m256 under = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_min_ps(hi, _mm256_max_ps(lo, x)); /* NaN (2nd operand) passes through */
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693359375f), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(2.12194440e-4f), r);
    __m256 z = _mm256_mul_ps(r, r);
    __m256 y = _mm256_set1_ps(1.9875691500E-4f);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507E-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073E-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894E-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459E-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201E-1f));
    y = _mm256_add_ps(_mm256_fmadd_ps(y, z, r), _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_andnot_ps(under, _mm256_mul_ps(y, _mm256_castsi256_ps(bits)));
}

CT_AVX2 static bool max_avx2(const float *x, int64_t n, float *mx) {
    __m256 m = _mm256_set1_ps(-INFINITY), nanv = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256 v = _mm256_loadu_ps(x + k);
        nanv = _mm256_or_ps(nanv, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        m = _mm256_max_ps(m, v);
    }
    float lanes[8], best = -INFINITY;
    _mm256_storeu_ps(lanes, m);
    int nan = _mm256_movemask_ps(nanv);
    for (int j = 0; j < 8; j++) best = lanes[j] > best ? lanes[j] : best;
    for (; k < n; k++) {
        best = x[k] > best ? x[k] : best;
        nan |= x[k] != x[k];
    }
    *mx = best;
    return !nan && isfinite(best);
}

CT_AVX2 static double exp_sum_avx2(const float *x, float *y, int64_t n, float shift, const float *nx, float *ny) {
    const __m256 s = _mm256_set1_ps(shift);
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    int64_t k = 0;
    for (; k + 16 <= n; k += 16) {
        if (nx) _mm_prefetch((const char *)(nx + k), _MM_HINT_T1);
        if (ny) __builtin_prefetch(ny + k, 1, 2);
        __m256 e0 = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + k), s));
        __m256 e1 = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + k + 8), s));
        if (y) {
            _mm256_storeu_ps(y + k, e0);
            _mm256_storeu_ps(y + k + 8, e1);
        }
        a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(e0)));
        a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(e0, 1)));
        a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(e1)));
        a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(e1, 1)));
    }
    double a[16];
    _mm256_storeu_pd(a, a0);
    _mm256_storeu_pd(a + 4, a1);
    _mm256_storeu_pd(a + 8, a2);
    _mm256_storeu_pd(a + 12, a3);
    exp_sum_tail(x, y, k, n, shift, a);
    return combine16(a);
}

CT_AVX2 static void exp_scale_avx2(const float *x, float *y, int64_t n, float shift, float scale, const float *nx,
                                   float *ny) {
    const __m256 s = _mm256_set1_ps(shift), c = _mm256_set1_ps(scale);
    int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
        if (nx && k % 16 == 0) _mm_prefetch((const char *)(nx + k), _MM_HINT_T1);
        if (ny && k % 16 == 0) __builtin_prefetch(ny + k, 1, 2);
        _mm256_storeu_ps(y + k, _mm256_mul_ps(c, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + k), s))));
    }
    exp_scale_tail(x, y, k, n, shift, scale);
}
/* dst = src * s with streaming (non-temporal) stores where dst is 64-byte
 * aligned: a large output is not read for ownership first */
CT_AVX512 static void scale_stream_avx512(const float *src, float *dst, int64_t n, float sc) {
    const __m512 c = _mm512_set1_ps(sc);
    int64_t k = 0;
    for (; k < n && ((uintptr_t)(dst + k) & 63); k++) dst[k] = src[k] * sc;
    for (; k + 16 <= n; k += 16) _mm512_stream_ps(dst + k, _mm512_mul_ps(_mm512_loadu_ps(src + k), c));
    for (; k < n; k++) dst[k] = src[k] * sc;
}
/* softmax over a middle dim (inner > 1), 16 columns i0..i0+w at once:
 * per column lane, max over k, y = exp(x - max) with the sum over k in
 * double (sequential in k per lane), then y *= 1/sum (log: x - max -
 * log(sum)). false (nothing written) when a lane holds a NaN or an
 * infinite max: the caller runs the generic loop. */
CT_AVX512 static bool cols16_avx512(const float *x, float *y, int64_t n, int64_t inner, int w, bool lg) {
    __mmask16 t = (__mmask16)(w >= 16 ? 0xffff : (1u << w) - 1);
    __m512 m = _mm512_set1_ps(-INFINITY);
    __mmask16 bad = 0;
    for (int64_t k = 0; k < n; k++) {
        __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), t, x + k * inner);
        bad |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        m = _mm512_max_ps(m, v);
    }
    bad |= _mm512_cmp_ps_mask(_mm512_abs_ps(m), _mm512_set1_ps(INFINITY), _CMP_EQ_OQ);
    if (bad & t) return false;
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
    for (int64_t k = 0; k < n; k++) {
        __m512 e = exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + k * inner), m));
        if (!lg) _mm512_mask_storeu_ps(y + k * inner, t, e);
        s0 = _mm512_add_pd(s0, lo8(e));
        s1 = _mm512_add_pd(s1, hi8(e));
    }
    double sd[16];
    float f[16];
    _mm512_storeu_pd(sd, s0);
    _mm512_storeu_pd(sd + 8, s1);
    for (int j = 0; j < 16; j++) f[j] = j < w ? (lg ? (float)log(sd[j]) : (float)(1.0 / sd[j])) : 0.0f;
    __m512 c = _mm512_loadu_ps(f);
    for (int64_t k = 0; k < n; k++) {
        if (lg) {
            __m512 v = _mm512_maskz_loadu_ps(t, x + k * inner);
            _mm512_mask_storeu_ps(y + k * inner, t, _mm512_sub_ps(_mm512_sub_ps(v, m), c));
        } else {
            _mm512_mask_storeu_ps(y + k * inner, t, _mm512_mul_ps(_mm512_maskz_loadu_ps(t, y + k * inner), c));
        }
    }
    return true;
}
#endif /* CT_ROWS_X86 */

static _Atomic int g_isa_forced = -1;

/* 0 scalar, 1 AVX2, 2 AVX-512 (cpu_isa.h); scalar where the rows are not compiled */
static int row_isa(void) {
#ifdef CT_ROWS_X86
    return ct__isa_in_use(&g_isa_forced);
#else
    return CT_ISA_SCALAR;
#endif
}

void ct__fast_expf_set_isa(int level) { atomic_store_explicit(&g_isa_forced, level, memory_order_relaxed); }

bool ct__row_max_f32(const float *x, int64_t n, float *mx) {
#ifdef CT_ROWS_X86
    switch (row_isa()) {
    case CT_ISA_AVX512: return max_avx512(x, n, mx);
    case CT_ISA_AVX2: return max_avx2(x, n, mx);
    default: break;
    }
#endif
    return max_scalar(x, n, mx);
}

double ct__row_exp_sum_pf_f32(const float *x, float *y, int64_t n, float shift, const float *next_x, float *next_y) {
#ifdef CT_ROWS_X86
    switch (row_isa()) {
    case CT_ISA_AVX512: return exp_sum_avx512(x, y, n, shift, next_x, next_y);
    case CT_ISA_AVX2: return exp_sum_avx2(x, y, n, shift, next_x, next_y);
    default: break;
    }
#else
    (void)next_x, (void)next_y;
#endif
    double a[16] = {0};
    exp_sum_tail(x, y, 0, n, shift, a);
    return combine16(a);
}

double ct__row_exp_sum_f32(const float *x, float *y, int64_t n, float shift) {
    return ct__row_exp_sum_pf_f32(x, y, n, shift, NULL, NULL);
}

void ct__row_exp_scale_f32(const float *x, float *y, int64_t n, float shift, float scale) {
    ct__row_exp_scale_pf_f32(x, y, n, shift, scale, NULL, NULL);
}

void ct__row_exp_scale_pf_f32(const float *x, float *y, int64_t n, float shift, float scale, const float *next_x,
                              float *next_y) {
#ifdef CT_ROWS_X86
    switch (row_isa()) {
    case CT_ISA_AVX512: exp_scale_avx512(x, y, n, shift, scale, next_x, next_y); return;
    case CT_ISA_AVX2: exp_scale_avx2(x, y, n, shift, scale, next_x, next_y); return;
    default: break;
    }
#else
    (void)next_x, (void)next_y;
#endif
    exp_scale_tail(x, y, 0, n, shift, scale);
}

/* ---- float32 rows with unit stride (inner == 1): the approach of the fused
 * cross-entropy kernel (src/kernels/cpu/loss.c): exp in float
 * (ct__expf_poly's operations, vectorized: fast_expf.h), written straight
 * into the output row; the sum in 16 double partial sums in a fixed order;
 * one multiply by 1/sum. Rows holding a NaN or an infinite maximum take the
 * generic loop above. ---- */
CT_SIMD_CLONES static void sm_scale_f32(float *y, int64_t n, float s) {
    for (int64_t k = 0; k < n; k++) y[k] *= s;
}

CT_SIMD_CLONES static void sm_logout_f32(const float *x, float *y, int64_t n, float m, float ls) {
    for (int64_t k = 0; k < n; k++) y[k] = x[k] - m - ls;
}

/* softmax rows into an output too large to stay in cache: exp into an L1
 * scratch row, then scaled into y with streaming stores (y is written once,
 * never read for ownership). Same values as the cached path. */
#define SM_STREAM_ROW 8192                  /* scratch floats (32 KiB) */
#define SM_STREAM_BYTES ((int64_t)32 << 20) /* outputs from 32 MiB */

static bool rows_f32_stream(const sm_ctx *c, int64_t begin, int64_t end) {
#ifdef CT_ROWS_X86
    const int64_t n = c->n;
    if (c->log || n > SM_STREAM_ROW || row_isa() < CT_ISA_AVX512) return false;
    float scratch[SM_STREAM_ROW];
    for (int64_t r = begin; r < end; r++) {
        const float *xp = (const float *)c->x + r * n;
        float *yp = (float *)c->y + r * n;
        float mx;
        if (!ct__row_max_f32(xp, n, &mx)) {
            rows_f32(r, r + 1, (void *)c);
            continue;
        }
        double sum = ct__row_exp_sum_pf_f32(xp, scratch, n, mx, r + 1 < end ? xp + n : NULL, NULL);
        scale_stream_avx512(scratch, yp, n, (float)(1.0 / sum));
    }
    _mm_sfence(); /* the streaming stores are visible before the chunk is reported done */
    return true;
#else
    (void)c, (void)begin, (void)end;
    return false;
#endif
}

static void rows_f32_unit(int64_t begin, int64_t end, void *vctx) {
    const sm_ctx *c = vctx;
    const int64_t n = c->n;
    if (c->stream && rows_f32_stream(c, begin, end)) return;
    for (int64_t r = begin; r < end; r++) {
        const float *xp = (const float *)c->x + r * n;
        float *yp = (float *)c->y + r * n;
        float mx;
        if (!ct__row_max_f32(xp, n, &mx)) {
            rows_f32(r, r + 1, vctx);
            continue;
        }
        /* the next row of x (and y) is prefetched during the exp pass, which
         * is compute-bound: the max pass of the next row then reads L2 */
        const float *nx = r + 1 < end ? xp + n : NULL;
        float *ny = r + 1 < end ? yp + n : NULL;
        if (c->log) {
            double sum = ct__row_exp_sum_pf_f32(xp, NULL, n, mx, nx, ny);
            sm_logout_f32(xp, yp, n, mx, (float)log(sum));
        } else {
            double sum = ct__row_exp_sum_pf_f32(xp, yp, n, mx, nx, ny);
            sm_scale_f32(yp, n, (float)(1.0 / sum));
        }
    }
}

/* ---- backward of float32 rows with unit stride ---- */

/* sum of a[k] * b[k] (b NULL: of a[k]) in 8 double partials */
CT_SIMD_CLONES static double smb_dot_f32(const float *a, const float *b, int64_t n) {
    double acc[8] = {0};
    int64_t k = 0;
    if (b) {
        for (; k + 8 <= n; k += 8)
            for (int j = 0; j < 8; j++) acc[j] += (double)a[k + j] * (double)b[k + j];
        for (; k < n; k++) acc[k % 8] += (double)a[k] * (double)b[k];
    } else {
        for (; k + 8 <= n; k += 8)
            for (int j = 0; j < 8; j++) acc[j] += (double)a[k + j];
        for (; k < n; k++) acc[k % 8] += (double)a[k];
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* gx = y * (g - s) */
CT_SIMD_CLONES static void smb_out_f32(const float *y, const float *g, float *gx, int64_t n, float s) {
    for (int64_t k = 0; k < n; k++) gx[k] = y[k] * (g[k] - s);
}

/* gx = g - gx (gx holding exp(y) * s) */
CT_SIMD_CLONES static void smb_logout_f32(const float *g, float *gx, int64_t n) {
    for (int64_t k = 0; k < n; k++) gx[k] = g[k] - gx[k];
}

typedef struct {
    const float *y, *g;
    float *gx;
    int64_t n;
    bool log;
} smb_ctx;

static void smb_rows(int64_t begin, int64_t end, void *vctx) {
    const smb_ctx *c = vctx;
    const int64_t n = c->n;
    for (int64_t r = begin; r < end; r++) {
        const float *y = c->y + r * n, *g = c->g + r * n;
        float *gx = c->gx + r * n;
        if (c->log) {
            float s = (float)smb_dot_f32(g, NULL, n);
            /* exp(y), y a log-probability (<= 0); NaN stays NaN */
            ct__row_exp_scale_f32(y, gx, n, 0.0f, s);
            smb_logout_f32(g, gx, n);
        } else {
            smb_out_f32(y, g, gx, n, (float)smb_dot_f32(g, y, n));
        }
    }
}

void ct__kernel_softmax_backward_f32(const float *y, const float *g, float *gx, int64_t rows, int64_t n, bool log) {
    if (rows <= 0 || n <= 0) return;
    smb_ctx c = {y, g, gx, n, log};
    int64_t grain = 32768 / n;
    ct_parallel_for(0, rows, grain > 0 ? grain : 1, smb_rows, &c);
}

/* float32 over a middle dim (inner > 1) on AVX-512: 16 columns per step */
static void rows_f32_inner(int64_t begin, int64_t end, void *vctx) {
    const sm_ctx *c = vctx;
    const int64_t n = c->n, inner = c->inner;
    for (int64_t r = begin; r < end;) {
        int64_t o = r / inner, i = r % inner, w = inner - i;
        if (w > 16) w = 16;
        if (w > end - r) w = end - r;
        bool done = false;
#ifdef CT_ROWS_X86
        done = cols16_avx512((const float *)c->x + o * n * inner + i, (float *)c->y + o * n * inner + i, n, inner,
                             (int)w, c->log);
#endif
        if (!done) rows_f32(r, r + w, vctx);
        r += w;
    }
}

int ct__kernel_softmax(const void *x, void *y, ct_dtype dtype, int64_t outer, int64_t n, int64_t inner, bool log) {
    ct_parallel_fn fn = dtype == CT_FLOAT32 ? rows_f32 : dtype == CT_FLOAT64 ? rows_f64 : dtype == CT_BFLOAT16 ? rows_bf16 : NULL;
    if (!fn) return CT_ERROR;
    int64_t rows = outer * inner;
    if (rows == 0 || n == 0) return CT_OK;
    sm_ctx c = {x, y, n, inner, log, dtype == CT_FLOAT32 && rows * n * 4 >= SM_STREAM_BYTES};
    if (dtype == CT_FLOAT32 && inner == 1) fn = rows_f32_unit;
    if (dtype == CT_FLOAT32 && inner > 1 && row_isa() == CT_ISA_AVX512) fn = rows_f32_inner;
    int64_t grain = 32768 / (n > 0 ? n : 1);
    ct_parallel_for(0, rows, grain > 0 ? grain : 1, fn, &c);
    return CT_OK;
}
