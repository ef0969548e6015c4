/* im2col / col2im over 1-3 spatial dims and the three convolution
 * products built on them with GEMM (see conv.h). */
#include "kernels/cpu/conv.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/conv_depthwise.h"
#include "kernels/cpu/cpu_isa.h"
#include "kernels/cpu/conv_winograd.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/strided_iter.h" /* CT_SIMD_CLONES */

_Thread_local ct_conv_stats ct__conv_stats; /* conv.h: which kernels ran */

/* One loop nest serves both directions: IM2COL copies x into the column
 * row, COL2IM adds the row back into x. */
#define CONV_COLS_LOOP(T, BODY_ZERO, BODY_COPY)                                                                   \
    const int64_t I = ct__conv_geom_ivol(g);                                                                      \
    for (int64_t c = 0; c < C; c++)                                                                               \
        for (int64_t kd = 0; kd < g->k[0]; kd++)                                                                  \
            for (int64_t kh = 0; kh < g->k[1]; kh++)                                                              \
                for (int64_t kw = 0; kw < g->k[2]; kw++) {                                                        \
                    T *row = cols + (((c * g->k[0] + kd) * g->k[1] + kh) * g->k[2] + kw) * ld;                    \
                    T *xc = x + c * I;                                                                            \
                    int64_t wbase = kw * g->dil[2] - g->pad[2], wlo, whi;                                         \
                    ct__conv_valid_range(wbase, g->stride[2], g->in[2], g->out[2], &wlo, &whi);                   \
                    for (int64_t od = 0; od < g->out[0]; od++) {                                                  \
                        int64_t id = od * g->stride[0] - g->pad[0] + kd * g->dil[0];                              \
                        for (int64_t oh = 0; oh < g->out[1]; oh++) {                                              \
                            int64_t ih = oh * g->stride[1] - g->pad[1] + kh * g->dil[1];                          \
                            T *r = row + (od * g->out[1] + oh) * g->out[2];                                       \
                            if (id < 0 || id >= g->in[0] || ih < 0 || ih >= g->in[1]) {                           \
                                BODY_ZERO(0, g->out[2]);                                                          \
                                continue;                                                                         \
                            }                                                                                     \
                            T *xr = xc + (id * g->in[1] + ih) * g->in[2] + wbase;                                 \
                            BODY_ZERO(0, wlo);                                                                    \
                            BODY_COPY(wlo, whi, g->stride[2]);                                                    \
                            BODY_ZERO(whi, g->out[2]);                                                            \
                        }                                                                                         \
                    }                                                                                             \
                }

/* plain loops, not memset/memcpy: the rows are short (an output row, often
 * 10-60 elements), where the library call costs more than the copy */
#define IM2COL_ZERO(a, b)                                                                                         \
    for (int64_t o = (a); o < (b); o++) r[o] = 0
/* stride 1: blocks of 8 (one AVX2 vector for float) with a fixed trip
 * count, which the compiler turns into straight vector moves; the output
 * rows of small convolutions are 8-32 long, where a counted vector loop
 * spends more on its prologue and epilogue than on the copy */
#define IM2COL_COPY(a, b, s)                                                                                      \
    do {                                                                                                          \
        if ((s) == 1) {                                                                                           \
            int64_t o = (a);                                                                                      \
            for (; o + 8 <= (b); o += 8)                                                                          \
                for (int q = 0; q < 8; q++) r[o + q] = xr[o + q];                                                 \
            for (; o < (b); o++) r[o] = xr[o];                                                                    \
        } else                                                                                                    \
            for (int64_t o = (a); o < (b); o++) r[o] = xr[o * (s)];                                               \
    } while (0)
#define COL2IM_ZERO(a, b) (void)0
#define COL2IM_COPY(a, b, s)                                                                                      \
    do {                                                                                                          \
        if ((s) == 1) {                                                                                           \
            int64_t o = (a);                                                                                      \
            for (; o + 8 <= (b); o += 8)                                                                          \
                for (int q = 0; q < 8; q++) xr[o + q] += r[o + q];                                                \
            for (; o < (b); o++) xr[o] += r[o];                                                                   \
        } else                                                                                                    \
            for (int64_t o = (a); o < (b); o++) xr[o * (s)] += r[o];                                              \
    } while (0)

#if defined(__GNUC__) && !defined(__clang__)
#define CT_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define CT_NO_LIBCALL
#endif
/* The 2-d (and 1-d) case on its own: the 3-d loop nest keeps too many
 * counters for the registers and spilled on every output row. Per kernel
 * tap, the output rows whose input row is padding are one zero span. */
#define CONV_COLS_LOOP_2D(T, BODY_ZERO, BODY_COPY)                                                                \
    const int64_t IH = g->in[1], IW = g->in[2], OH = g->out[1], OW = g->out[2];                                   \
    const int64_t sh = g->stride[1], sw = g->stride[2];                                                           \
    for (int64_t c = 0; c < C; c++)                                                                               \
        for (int64_t kh = 0; kh < g->k[1]; kh++) {                                                                \
            int64_t hbase = kh * g->dil[1] - g->pad[1], hlo, hhi;                                                 \
            ct__conv_valid_range(hbase, sh, IH, OH, &hlo, &hhi);                                                  \
            for (int64_t kw = 0; kw < g->k[2]; kw++) {                                                            \
                T *row = cols + ((c * g->k[1] + kh) * g->k[2] + kw) * ld;                                         \
                int64_t wbase = kw * g->dil[2] - g->pad[2], wlo, whi;                                             \
                ct__conv_valid_range(wbase, sw, IW, OW, &wlo, &whi);                                              \
                T *r = row;                                                                                       \
                BODY_ZERO(0, hlo * OW);                                                                           \
                r = row + hhi * OW;                                                                               \
                BODY_ZERO(0, (OH - hhi) * OW);                                                                    \
                for (int64_t oh = hlo; oh < hhi; oh++) {                                                          \
                    r = row + oh * OW;                                                                            \
                    T *xr = x + (c * IH + oh * sh + hbase) * IW + wbase;                                          \
                    BODY_ZERO(0, wlo);                                                                            \
                    BODY_COPY(wlo, whi, sw);                                                                      \
                    BODY_ZERO(whi, OW);                                                                           \
                }                                                                                                 \
            }                                                                                                     \
        }

/* The 2-d case with stride 1 and dilation 1 (most convolutions: LeNet's
 * 5x5, every "same" 3x3 that Winograd does not take), with the valid ranges
 * computed once per kernel tap instead of once per (channel, tap) and the
 * rows copied as whole vectors. The generic loop spent ~1 ns per element on
 * Fashion-MNIST's 10-wide rows (counters spilled, scalar tails, an integer
 * division per tap). */
static inline int64_t clamp_to(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }
static bool is_2d_unit_stride(const ct_conv_geom *g) {
    return g->in[0] == 1 && g->k[0] == 1 && g->out[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1 &&
           g->dil[1] == 1 && g->dil[2] == 1;
}
/* Per kernel tap (kh, kw): the input row of output row oh is oh + hb, the
 * input column of output column ow is ow + wb; output rows [hlo, hhi) and
 * columns [wlo, whi) read inside the image, the rest reads padding. */
#define UNIT_STRIDE_TAPS(T, ...)                                                                                  \
    const int64_t IH = g->in[1], IW = g->in[2], OH = g->out[1], OW = g->out[2], KH = g->k[1], KW = g->k[2];       \
    for (int64_t kh = 0; kh < KH; kh++) {                                                                         \
        const int64_t hb = kh - g->pad[1], hlo = clamp_to(-hb, 0, OH), hhi = clamp_to(IH - hb, hlo, OH);          \
        for (int64_t kw = 0; kw < KW; kw++) {                                                                     \
            const int64_t wb = kw - g->pad[2], wlo = clamp_to(-wb, 0, OW), whi = clamp_to(IW - wb, wlo, OW);      \
            for (int64_t c = 0; c < C; c++) {                                                                     \
                T *row = cols + ((c * KH + kh) * KW + kw) * ld;                                                   \
                T *xc = x + c * IH * IW;                                                                          \
                __VA_ARGS__                                                                                       \
            }                                                                                                     \
        }                                                                                                         \
    }

/* ---- im2col rows of at most 16 floats with AVX-512 masks (when the CPU
 * has it) ----
 * One masked load and one masked store per row: the rows of small images'
 * 5x5 kernels are 8-16 wide, where the two overlapping 8-wide blocks below
 * cost ~1.4x as much (conv2 of Fashion-MNIST: 0.32 -> 0.23 ns per element).
 * Masked-off lanes are not read or written, so nothing past a row is
 * touched. Not for col2im: a masked load that follows a masked store to
 * the next row's neighbourhood waited for it (store forwarding failed;
 * 0.23 -> 1.0 ns per element). */
#if defined(__GNUC__) && defined(__x86_64__)
#define CT_CONV_ROWS16 1
#include <immintrin.h>
#endif

static _Atomic int g_conv_isa_forced = -1;

void ct__conv_set_isa(int level) { atomic_store_explicit(&g_conv_isa_forced, level, memory_order_relaxed); }

/* CT_ISA_AVX512 when the masked rows may be used (cpu_isa.h) */
static int conv_isa(void) {
#ifdef CT_CONV_ROWS16
    return ct__isa_in_use(&g_conv_isa_forced);
#else
    return CT_ISA_SCALAR;
#endif
}

#ifdef CT_CONV_ROWS16
__attribute__((target("avx512f"))) static void copy_rows16(float *restrict d, int64_t ds, const float *restrict s,
                                                           int64_t ss, int64_t rows, int64_t n) {
    __mmask16 m = (__mmask16)((1u << n) - 1);
    for (int64_t r = 0; r < rows; r++, d += ds, s += ss) _mm512_mask_storeu_ps(d, m, _mm512_maskz_loadu_ps(m, s));
}
#endif
/* the masked copy for float rows of 1-16 elements; false: not taken */
static inline bool rows16_float(float *d, int64_t ds, const float *s, int64_t ss, int64_t rows, int64_t n) {
#ifdef CT_CONV_ROWS16
    if (n >= 1 && n <= 16 && conv_isa() >= CT_ISA_AVX512) {
        copy_rows16(d, ds, s, ss, rows, n);
        return true;
    }
#else
    (void)d, (void)ds, (void)s, (void)ss, (void)rows, (void)n;
#endif
    return false;
}
static inline bool rows16_double(double *d, int64_t ds, const double *s, int64_t ss, int64_t rows, int64_t n) {
    (void)d, (void)ds, (void)s, (void)ss, (void)rows, (void)n;
    return false;
}

#define DEFINE_UNIT_STRIDE_COLS(T)                                                                                \
    /* Blocks of 8 as GNU vector types, moved with memcpy (unaligned); no                                         \
     * vector value crosses a call, which would tie the ABI to the clone's                                        \
     * ISA. Through T[8] arrays or a 32-byte memcpy GCC spilled them to the                                       \
     * stack or moved them by halves. */                                                                          \
    typedef T vec8_##T __attribute__((vector_size(8 * sizeof(T))));                                               \
    static inline void copy8_##T(T *d, const T *s) {                                                              \
        vec8_##T v;                                                                                               \
        memcpy(&v, s, sizeof v);                                                                                  \
        memcpy(d, &v, sizeof v);                                                                                  \
    }                                                                                                             \
    /* *dst = d[0, 8) + s[0, 8) */                                                                                \
    static inline void sum8_##T(vec8_##T *dst, const T *d, const T *s) {                                          \
        vec8_##T b;                                                                                               \
        memcpy(dst, d, sizeof b);                                                                                 \
        memcpy(&b, s, sizeof b);                                                                                  \
        *dst += b;                                                                                                \
    }                                                                                                             \
    /* d[0, n) = s[0, n): blocks of 8 with the last block overlapping the one                                     \
     * before (same values written twice) instead of a scalar tail */                                             \
    static inline void copy_span_##T(T *restrict d, const T *restrict s, int64_t n) {                             \
        if (n >= 8) {                                                                                             \
            for (int64_t o = 0; o < n - 8; o += 8) copy8_##T(d + o, s + o);                                       \
            copy8_##T(d + n - 8, s + n - 8);                                                                      \
        } else if (n >= 4) {                                                                                      \
            memcpy(d, s, 4 * sizeof(T));                                                                          \
            memcpy(d + n - 4, s + n - 4, 4 * sizeof(T));                                                          \
        } else                                                                                                    \
            for (int64_t o = 0; o < n; o++) d[o] = s[o];                                                          \
    }                                                                                                             \
    /* rows of n elements from stride ss to stride ds; rows of 9-16 (a 5x5                                        \
     * kernel's output rows on small images) as exactly two blocks */                                             \
    static inline void copy_rows_##T(T *restrict d, int64_t ds, const T *restrict s, int64_t ss, int64_t rows,    \
                                     int64_t n) {                                                                 \
        if (rows16_##T(d, ds, s, ss, rows, n)) return;                                                            \
        if (n > 8 && n <= 16)                                                                                     \
            for (int64_t r = 0; r < rows; r++, d += ds, s += ss) {                                                \
                copy8_##T(d, s);                                                                                  \
                copy8_##T(d + n - 8, s + n - 8);                                                                  \
            }                                                                                                     \
        else                                                                                                      \
            for (int64_t r = 0; r < rows; r++, d += ds, s += ss) copy_span_##T(d, s, n);                          \
    }                                                                                                             \
    /* d[0, n) += s[0, n). From 8 elements the last block overlaps the one                                        \
     * before, as in copy_span: it is loaded and summed before any store, so                                      \
     * the lanes both blocks cover get d + s from each, the same value, and                                       \
     * every element is still added exactly once (a scalar tail cost ~3x) */                                      \
    static inline void add_span_##T(T *restrict d, const T *restrict s, int64_t n) {                              \
        if (n < 8) {                                                                                              \
            for (int64_t o = 0; o < n; o++) d[o] += s[o];                                                         \
            return;                                                                                               \
        }                                                                                                         \
        vec8_##T tail, v;                                                                                         \
        sum8_##T(&tail, d + n - 8, s + n - 8);                                                                    \
        for (int64_t o = 0; o + 8 <= n; o += 8) {                                                                 \
            sum8_##T(&v, d + o, s + o);                                                                           \
            memcpy(d + o, &v, sizeof v);                                                                          \
        }                                                                                                         \
        memcpy(d + n - 8, &tail, sizeof tail);                                                                    \
    }                                                                                                             \
    /* add_span over rows (strides ds, ss); rows of 9-16 as exactly two blocks */                                 \
    static inline void add_rows_##T(T *restrict d, int64_t ds, const T *restrict s, int64_t ss, int64_t rows,     \
                                    int64_t n) {                                                                  \
        if (n > 8 && n <= 16)                                                                                     \
            for (int64_t r = 0; r < rows; r++, d += ds, s += ss) {                                                \
                vec8_##T head, tail;                                                                              \
                sum8_##T(&head, d, s);                                                                            \
                sum8_##T(&tail, d + n - 8, s + n - 8);                                                            \
                memcpy(d, &head, sizeof head);                                                                    \
                memcpy(d + n - 8, &tail, sizeof tail);                                                            \
            }                                                                                                     \
        else                                                                                                      \
            for (int64_t r = 0; r < rows; r++, d += ds, s += ss) add_span_##T(d, s, n);                           \
    }                                                                                                             \
    CT_NO_LIBCALL CT_SIMD_CLONES static void im2col_s1_##T(const ct_conv_geom *g, int64_t C, T *restrict x,      \
                                                           T *restrict cols, int64_t ld) {                        \
        UNIT_STRIDE_TAPS(T, {                                                                                     \
            for (int64_t o = 0; o < hlo * OW; o++) row[o] = 0;                                                    \
            for (int64_t o = hhi * OW; o < OH * OW; o++) row[o] = 0;                                              \
            if (wlo == 0 && whi == OW && OW == IW) { /* whole rows: one contiguous span */                       \
                copy_span_##T(row + hlo * OW, xc + (hlo + hb) * IW, (hhi - hlo) * OW);                            \
                continue;                                                                                         \
            }                                                                                                     \
            if (wlo > 0 || whi < OW)                                                                              \
                for (int64_t oh = hlo; oh < hhi; oh++) {                                                          \
                    T *r = row + oh * OW;                                                                         \
                    for (int64_t o = 0; o < wlo; o++) r[o] = 0;                                                   \
                    for (int64_t o = whi; o < OW; o++) r[o] = 0;                                                  \
                }                                                                                                 \
            copy_rows_##T(row + hlo * OW + wlo, OW, xc + (hlo + hb) * IW + wb + wlo, IW, hhi - hlo, whi - wlo);   \
        })                                                                                                        \
    }                                                                                                             \
    CT_SIMD_CLONES static void col2im_s1_##T(const ct_conv_geom *g, int64_t C, T *restrict cols, T *restrict x,   \
                                             int64_t ld) {                                                        \
        UNIT_STRIDE_TAPS(T, {                                                                                     \
            add_rows_##T(xc + (hlo + hb) * IW + wb + wlo, IW, row + hlo * OW + wlo, OW, hhi - hlo, whi - wlo);    \
        })                                                                                                        \
    }
DEFINE_UNIT_STRIDE_COLS(float)
DEFINE_UNIT_STRIDE_COLS(double)

#define DEFINE_COLS(T)                                                                                            \
    CT_NO_LIBCALL CT_SIMD_CLONES static void im2col_##T(const ct_conv_geom *g, int64_t C, T *restrict x,         \
                                                        T *restrict cols, int64_t ld) {                           \
        if (is_2d_unit_stride(g)) {                                                                               \
            ct__conv_stats.unit_stride_cols++;                                                                    \
            im2col_s1_##T(g, C, x, cols, ld);                                                                     \
            return;                                                                                               \
        }                                                                                                         \
        if (g->in[0] == 1 && g->k[0] == 1 && g->out[0] == 1) {                                                    \
            CONV_COLS_LOOP_2D(T, IM2COL_ZERO, IM2COL_COPY)                                                        \
            return;                                                                                               \
        }                                                                                                         \
        CONV_COLS_LOOP(T, IM2COL_ZERO, IM2COL_COPY)                                                               \
    }                                                                                                             \
    CT_SIMD_CLONES static void col2im_##T(const ct_conv_geom *g, int64_t C, T *restrict cols, T *restrict x,      \
                                          int64_t ld) {                                                           \
        if (is_2d_unit_stride(g)) {                                                                               \
            ct__conv_stats.unit_stride_cols++;                                                                    \
            col2im_s1_##T(g, C, cols, x, ld);                                                                     \
            return;                                                                                               \
        }                                                                                                         \
        if (g->in[0] == 1 && g->k[0] == 1 && g->out[0] == 1) {                                                    \
            CONV_COLS_LOOP_2D(T, COL2IM_ZERO, COL2IM_COPY)                                                        \
            return;                                                                                               \
        }                                                                                                         \
        CONV_COLS_LOOP(T, COL2IM_ZERO, COL2IM_COPY)                                                               \
    }
DEFINE_COLS(float)
DEFINE_COLS(double)

void ct__im2col(ct_dtype dtype, const ct_conv_geom *g, int64_t C, const void *x, void *cols) {
    if (dtype == CT_FLOAT64)
        im2col_double(g, C, (double *)x, cols, ct__conv_geom_ovol(g));
    else
        im2col_float(g, C, (float *)x, cols, ct__conv_geom_ovol(g));
}

void ct__col2im(ct_dtype dtype, const ct_conv_geom *g, int64_t C, const void *cols, void *x) {
    if (dtype == CT_FLOAT64)
        col2im_double(g, C, (double *)cols, x, ct__conv_geom_ovol(g));
    else
        col2im_float(g, C, (float *)cols, x, ct__conv_geom_ovol(g));
}

/* ---- the three products ------------------------------------------------------ */

typedef struct conv_ctx {
    ct_dtype dtype;
    const ct_conv_geom *g;
    int64_t N, Cin, Cout, G;
    const char *x, *w, *bias, *y;
    char *out;
    bool one_by_one; /* kernel 1, stride 1, padding 0: the columns are the input itself */
    size_t isz;
    char **partials; /* weight adjoint: one accumulator per chunk (partials[0] = out) */
    int64_t nchunks;
    int failed;
} conv_ctx;

static bool is_one_by_one(const ct_conv_geom *g) {
    for (int d = 0; d < 3; d++)
        if (g->k[d] != 1 || g->stride[d] != 1 || g->pad[d] != 0) return false;
    return true;
}

static void add_bias(ct_dtype dtype, char *out, const char *bias, int64_t C, int64_t L) {
    if (!bias) return;
    for (int64_t c = 0; c < C; c++) {
        if (dtype == CT_FLOAT64) {
            double *o = (double *)out + c * L, b = ((const double *)bias)[c];
            for (int64_t l = 0; l < L; l++) o[l] += b;
        } else {
            float *o = (float *)out + c * L, b = ((const float *)bias)[c];
            for (int64_t l = 0; l < L; l++) o[l] += b;
        }
    }
}

static ct_gemm_operand op(const char *data, int64_t s0, int64_t s1) {
    ct_gemm_operand o = {data, 0, s0, s1};
    return o;
}

/* What each chunk of the three products needs: the sizes per image and
 * group, and a columns buffer (Cin*K x L) unless the columns are the input
 * itself (1x1). False, with c->failed set, when the buffer cannot be had. */
typedef struct chunk_dims {
    int64_t K, L, I; /* kernel taps, output and input positions per image */
    int64_t Cig, Cog; /* channels per group */
    char *buf;
} chunk_dims;

static bool chunk_begin(conv_ctx *c, chunk_dims *d) {
    const ct_conv_geom *g = c->g;
    d->K = ct__conv_geom_kvol(g), d->L = ct__conv_geom_ovol(g), d->I = ct__conv_geom_ivol(g);
    d->Cig = c->Cin / c->G, d->Cog = c->Cout / c->G;
    d->buf = NULL;
    if (!c->one_by_one && !(d->buf = malloc((size_t)(c->Cin * d->K * d->L) * c->isz + 1))) {
        c->failed = 1;
        return false;
    }
    return true;
}

/* Image n's columns (Cin*K x L): im2col into d->buf, or the image itself
 * when the columns are the input (1x1). */
static const char *columns(const conv_ctx *c, const chunk_dims *d, int64_t n) {
    const char *xn = c->x + (size_t)(n * c->Cin * d->I) * c->isz;
    if (!d->buf) return xn;
    ct__im2col(c->dtype, c->g, c->Cin, xn, d->buf);
    return d->buf;
}

static void forward_chunk(int64_t begin, int64_t end, void *vctx) {
    conv_ctx *c = vctx;
    chunk_dims d;
    if (!chunk_begin(c, &d)) return;
    int64_t K = d.K, L = d.L, Cig = d.Cig, Cog = d.Cog;
    for (int64_t n = begin; n < end; n++) {
        const char *cols = columns(c, &d, n);
        char *yn = c->out + (size_t)(n * c->Cout * L) * c->isz;
        for (int64_t gi = 0; gi < c->G; gi++)
            ct__kernel_gemm_batched(c->dtype, 1, Cog, L, Cig * K, 1.0,
                                    op(c->w + (size_t)(gi * Cog * Cig * K) * c->isz, Cig * K, 1),
                                    op(cols + (size_t)(gi * Cig * K * L) * c->isz, L, 1), 0.0,
                                    yn + (size_t)(gi * Cog * L) * c->isz);
        add_bias(c->dtype, yn, c->bias, c->Cout, L);
    }
    free(d.buf);
}

static void input_adjoint_chunk(int64_t begin, int64_t end, void *vctx) {
    conv_ctx *c = vctx;
    chunk_dims d;
    if (!chunk_begin(c, &d)) return;
    int64_t K = d.K, L = d.L, I = d.I, Cig = d.Cig, Cog = d.Cog;
    for (int64_t n = begin; n < end; n++) {
        char *xn = c->out + (size_t)(n * c->Cin * I) * c->isz;
        const char *yn = c->y + (size_t)(n * c->Cout * L) * c->isz;
        char *cols = d.buf ? d.buf : xn;
        for (int64_t gi = 0; gi < c->G; gi++)
            ct__kernel_gemm_batched(c->dtype, 1, Cig * K, L, Cog, 1.0,
                                    op(c->w + (size_t)(gi * Cog * Cig * K) * c->isz, 1, Cig * K),
                                    op(yn + (size_t)(gi * Cog * L) * c->isz, L, 1), 0.0,
                                    cols + (size_t)(gi * Cig * K * L) * c->isz);
        if (d.buf) {
            memset(xn, 0, (size_t)(c->Cin * I) * c->isz);
            ct__col2im(c->dtype, c->g, c->Cin, d.buf, xn);
        }
        add_bias(c->dtype, xn, c->bias, c->Cin, I);
    }
    free(d.buf);
}

static void weight_adjoint_chunk(int64_t begin, int64_t end, void *vctx) {
    conv_ctx *c = vctx;
    chunk_dims d;
    if (!chunk_begin(c, &d)) return;
    int64_t K = d.K, L = d.L, Cig = d.Cig, Cog = d.Cog;
    for (int64_t ch = begin; ch < end; ch++) {
        char *acc = c->partials[ch];
        int64_t n0 = ch * c->N / c->nchunks, n1 = (ch + 1) * c->N / c->nchunks;
        if (n0 == n1) memset(acc, 0, (size_t)(c->Cout * Cig * K) * c->isz);
        for (int64_t n = n0; n < n1; n++) {
            const char *cols = columns(c, &d, n);
            const char *yn = c->y + (size_t)(n * c->Cout * L) * c->isz;
            for (int64_t gi = 0; gi < c->G; gi++)
                ct__kernel_gemm_batched(c->dtype, 1, Cog, Cig * K, L, 1.0,
                                        op(yn + (size_t)(gi * Cog * L) * c->isz, L, 1),
                                        op(cols + (size_t)(gi * Cig * K * L) * c->isz, 1, L), n == n0 ? 0.0 : 1.0,
                                        acc + (size_t)(gi * Cog * Cig * K) * c->isz);
        }
    }
    free(d.buf);
}

/* Images per parallel chunk so that one chunk is worth ~64k multiply-adds. */
static int64_t grain_for(int64_t per_image) {
    int64_t grain = per_image > 0 ? 65536 / per_image : 1 << 20;
    return grain < 1 ? 1 : grain;
}

static conv_ctx make_ctx(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G) {
    conv_ctx c = {.dtype = dtype, .g = g, .N = N, .Cin = Cin, .Cout = Cout, .G = G};
    c.one_by_one = is_one_by_one(g);
    c.isz = (size_t)ct__traits(dtype)->itemsize;
    return c;
}

static int64_t work_per_image(const ct_conv_geom *g, int64_t Cin, int64_t Cout, int64_t G) {
    return ct__conv_geom_ovol(g) * ct__conv_geom_kvol(g) * (Cin / G) * Cout;
}

/* ---- one group of images per GEMM ---------------------------------------------
 * The per-image chunks above run their GEMMs on ctorch's threads, but
 * ct__kernel_gemm serializes BLAS calls (it may swap OpenBLAS's kernel table
 * under a lock, see gemm.c), so at 2 threads they ran one after the other.
 * Here (groups == 1, a product worth more than CT_GEMM_SMALL per image) the
 * columns of nb images are laid side by side, (C*K, nb*L), and ONE GEMM per
 * group is issued from the calling thread, which ct__kernel_gemm splits over
 * the threads itself; the copies around it (im2col, col2im, the
 * (n, C, L) <-> (C, n*L) transposes) run in parallel by image and channel. */
/* the columns of one group, at most (unless 1 image): 1 MB stays in L2;
 * with 4 MB LeNet's step took ~15% more CPU time (its im2col writes rows
 * of 8 floats at a stride of the group width, which then missed L2) */
#define CONV_GROUP_BYTES ((size_t)1 << 20)
#define CONV_GROUP_MIN_WORK 4096           /* gemm.c's CT_GEMM_SMALL */

typedef struct group_ctx {
    ct_dtype dtype;
    const ct_conv_geom *g;
    size_t isz;
    int64_t C, K, L, I, m; /* channels of the image side, kernel volume, out / in volume, images */
    const char *src;       /* images (n, C, I) or (n, C, L) */
    char *cols;            /* (C*K, m*L) or (C, m*L) */
    char *dst;
    const char *bias;
} group_ctx;

/* im2col of image j, channel c (item j * C + c) into the group's columns */
static void group_im2col(int64_t b, int64_t e, void *vctx) {
    group_ctx *c = vctx;
    int64_t ld = c->m * c->L;
    for (int64_t it = b; it < e; it++) {
        int64_t j = it / c->C, ch = it % c->C;
        const char *x = c->src + (size_t)((j * c->C + ch) * c->I) * c->isz;
        char *cols = c->cols + (size_t)(ch * c->K * ld + j * c->L) * c->isz;
        if (c->dtype == CT_FLOAT64) im2col_double(c->g, 1, (double *)x, (double *)cols, ld);
        else im2col_float(c->g, 1, (float *)x, (float *)cols, ld);
    }
}

/* col2im of image j, channel c into dst (n, C, I), overwritten, + bias */
static void group_col2im(int64_t b, int64_t e, void *vctx) {
    group_ctx *c = vctx;
    int64_t ld = c->m * c->L;
    for (int64_t it = b; it < e; it++) {
        int64_t j = it / c->C, ch = it % c->C;
        char *x = c->dst + (size_t)((j * c->C + ch) * c->I) * c->isz;
        const char *cols = c->cols + (size_t)(ch * c->K * ld + j * c->L) * c->isz;
        memset(x, 0, (size_t)c->I * c->isz);
        if (c->dtype == CT_FLOAT64) col2im_double(c->g, 1, (double *)cols, (double *)x, ld);
        else col2im_float(c->g, 1, (float *)cols, (float *)x, ld);
        if (c->bias) add_bias(c->dtype, x, c->bias + (size_t)ch * c->isz, 1, c->I);
    }
}

/* (n, C, L) -> (C, n*L): item j * C + c */
static void group_gather(int64_t b, int64_t e, void *vctx) {
    group_ctx *c = vctx;
    for (int64_t it = b; it < e; it++) {
        int64_t j = it / c->C, ch = it % c->C;
        memcpy(c->cols + (size_t)(ch * c->m * c->L + j * c->L) * c->isz,
               c->src + (size_t)((j * c->C + ch) * c->L) * c->isz, (size_t)c->L * c->isz);
    }
}

/* (C, n*L) -> (n, C, L) + bias */
static void group_scatter(int64_t b, int64_t e, void *vctx) {
    group_ctx *c = vctx;
    for (int64_t it = b; it < e; it++) {
        int64_t j = it / c->C, ch = it % c->C;
        char *o = c->dst + (size_t)((j * c->C + ch) * c->L) * c->isz;
        memcpy(o, c->cols + (size_t)(ch * c->m * c->L + j * c->L) * c->isz, (size_t)c->L * c->isz);
        if (c->bias) add_bias(c->dtype, o, c->bias + (size_t)ch * c->isz, 1, c->L);
    }
}

/* Small images (LeNet, Fashion-MNIST) keep the per-image chunks: at 2
 * threads their im2col, the larger part there, runs in parallel with one
 * parallel region per op instead of ~3 per group (their serialized GEMMs
 * are short); at 1 thread the two measured the same within noise. From
 * CONV_GROUP_PAR_WORK multiply-adds per image the GEMM dominates and is
 * better split by gemm.c. CT_CONV_GROUPS=1 in the environment takes the
 * groups for every size (tests cover them on small shapes with it). */
#define CONV_GROUP_PAR_WORK ((int64_t)1 << 24)
static bool grouped_ok(const ct_conv_geom *g, int64_t Cin, int64_t Cout, int64_t G) {
    int64_t work = Cout * Cin * ct__conv_geom_kvol(g) * ct__conv_geom_ovol(g);
    if (G != 1 || work <= CONV_GROUP_MIN_WORK) return false;
    return work >= CONV_GROUP_PAR_WORK || getenv("CT_CONV_GROUPS") != NULL;
}

/* images per group */
static int64_t group_images(const ct_conv_geom *g, int64_t N, int64_t Cin, size_t isz) {
    size_t per = (size_t)(Cin * ct__conv_geom_kvol(g) * ct__conv_geom_ovol(g)) * isz;
    int64_t nb = per > 0 ? (int64_t)(CONV_GROUP_BYTES / per) : N;
    if (nb < 1) nb = 1;
    return nb > N ? N : nb;
}

static int64_t copy_grain(int64_t per_item) {
    int64_t gr = per_item > 0 ? CT_GRAIN_SIZE / per_item : 1;
    return gr < 1 ? 1 : gr;
}

/* The weight adjoint of one large image (2-d) in chunks of output rows:
 * the columns of a chunk (~1 MB) stay in cache between im2col and the GEMM
 * that packs them; the whole image's columns (7 MB for 64 channels 3x3 at
 * 56x56) went through memory twice, and the GEMM's packing of them cost
 * half as much as its multiplies. A chunk is a sub-geometry: rows
 * [oh0, oh0 + rows) of the output, i.e. the padding shifted by oh0 rows. */
#define CONV_DW_CHUNK_BYTES ((size_t)1 << 20)
/* CT_CONV_DW_CHUNK=<bytes> in the environment overrides it (tests use a
 * small one to take this path on small shapes) */
static size_t dw_chunk_bytes(void) {
    const char *e = getenv("CT_CONV_DW_CHUNK");
    long long v = e ? atoll(e) : 0;
    return v > 0 ? (size_t)v : CONV_DW_CHUNK_BYTES;
}
static int weight_adjoint_rows(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout,
                               const char *x, const char *y, char *out) {
    size_t isz = (size_t)ct__traits(dtype)->itemsize;
    int64_t K = ct__conv_geom_kvol(g), L = ct__conv_geom_ovol(g), I = ct__conv_geom_ivol(g), CK = Cin * K;
    int64_t OH = g->out[1], OW = g->out[2];
    int64_t rows = (int64_t)(dw_chunk_bytes() / ((size_t)(CK * OW) * isz));
    if (rows < 1) rows = 1;
    if (rows > OH) rows = OH;
    char *cols = malloc((size_t)(CK * rows * OW) * isz + 1);
    if (!cols) return -1;
    for (int64_t n = 0; n < N; n++)
        for (int64_t oh0 = 0; oh0 < OH; oh0 += rows) {
            ct_conv_geom sub = *g;
            sub.out[1] = OH - oh0 < rows ? OH - oh0 : rows;
            sub.pad[1] = g->pad[1] - oh0 * g->stride[1];
            int64_t cl = sub.out[1] * OW;
            group_ctx xc = {dtype, &sub, isz, Cin, K, cl, I, 1, x + (size_t)(n * Cin * I) * isz, cols, NULL, NULL};
            ct_parallel_for(0, Cin, copy_grain(K * cl), group_im2col, &xc);
            const char *yn = y + (size_t)(n * Cout * L + oh0 * OW) * isz;
            ct__kernel_gemm_batched(dtype, 1, Cout, CK, cl, 1.0, op(yn, L, 1), op(cols, 1, cl),
                                    n == 0 && oh0 == 0 ? 0.0 : 1.0, out);
        }
    free(cols);
    return 0;
}

/* mode 0: forward y = w * x + bias; 1: input adjoint x = w^T y (+ bias);
 * 2: weight adjoint w = sum_n y_n cols(x_n)^T */
static int conv_grouped(int mode, ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout,
                        const char *x, const char *w, const char *bias, const char *y, char *out) {
    size_t isz = (size_t)ct__traits(dtype)->itemsize;
    int64_t K = ct__conv_geom_kvol(g), L = ct__conv_geom_ovol(g), I = ct__conv_geom_ivol(g), CK = Cin * K;
    if (N == 0) { /* only the weight adjoint has elements: a sum over no images */
        memset(out, 0, (size_t)(Cout * CK) * isz);
        return 0;
    }
    int64_t nb = group_images(g, N, Cin, isz);
    bool direct = is_one_by_one(g); /* 1x1: one image's columns are the image */
    char *cols = malloc((size_t)(CK * nb * L) * isz + 1);
    char *ybuf = nb > 1 ? malloc((size_t)(Cout * nb * L) * isz + 1) : NULL;
    if (!cols || (nb > 1 && !ybuf)) {
        free(cols), free(ybuf);
        return -1;
    }
    if (mode == 2 && nb == 1 && !direct && g->in[0] == 1 && g->k[0] == 1 && g->out[0] == 1 &&
        (size_t)(CK * L) * isz > 2 * dw_chunk_bytes()) {
        free(cols), free(ybuf);
        return weight_adjoint_rows(dtype, g, N, Cin, Cout, x, y, out);
    }
    for (int64_t n0 = 0; n0 < N; n0 += nb) {
        int64_t m = N - n0 < nb ? N - n0 : nb, mL = m * L;
        group_ctx xc = {dtype, g, isz, Cin, K, L, I, m, NULL, cols, NULL, NULL};
        group_ctx yc = {dtype, g, isz, Cout, 1, L, L, m, NULL, ybuf, NULL, NULL};
        const char *colp = cols;
        if (mode != 1) { /* the columns of x */
            xc.src = x + (size_t)(n0 * Cin * I) * isz;
            if (direct && m == 1) colp = xc.src;
            else ct_parallel_for(0, m * Cin, copy_grain(K * L), group_im2col, &xc);
        }
        const char *yg = NULL; /* y of the group as (Cout, m*L) */
        if (mode != 0) {
            yc.src = y + (size_t)(n0 * Cout * L) * isz;
            if (m == 1) yg = yc.src;
            else {
                ct_parallel_for(0, m * Cout, copy_grain(L), group_gather, &yc);
                yg = ybuf;
            }
        }
        if (mode == 0) {
            char *dst = m == 1 ? out + (size_t)(n0 * Cout * L) * isz : ybuf;
            ct__kernel_gemm_batched(dtype, 1, Cout, mL, CK, 1.0, op(w, CK, 1), op(colp, mL, 1), 0.0, dst);
            if (m == 1) add_bias(dtype, dst, bias, Cout, L);
            else {
                yc.dst = out + (size_t)(n0 * Cout * L) * isz, yc.bias = bias;
                ct_parallel_for(0, m * Cout, copy_grain(L), group_scatter, &yc);
            }
        } else if (mode == 1) {
            ct__kernel_gemm_batched(dtype, 1, CK, mL, Cout, 1.0, op(w, 1, CK), op(yg, mL, 1), 0.0, cols);
            xc.dst = out + (size_t)(n0 * Cin * I) * isz, xc.bias = bias;
            ct_parallel_for(0, m * Cin, copy_grain(K * L), group_col2im, &xc);
        } else {
            ct__kernel_gemm_batched(dtype, 1, Cout, CK, mL, 1.0, op(yg, mL, 1), op(colp, 1, mL), n0 == 0 ? 0.0 : 1.0,
                                    out);
        }
    }
    free(cols), free(ybuf);
    return 0;
}

/* Winograd F(4x4, 3x3) (conv_winograd.c) takes float32 2-d 3x3 kernels
 * with stride 1, dilation 1, padding <= 2 in each dim, one group and at
 * least CT_WINOGRAD_MIN_CH channels in and out (below that the transforms
 * cost more than the multiplies they save). */
#define CT_WINOGRAD_MIN_CH 32
static bool winograd_ok(ct_dtype dtype, const ct_conv_geom *g, int64_t Cin, int64_t Cout, int64_t G) {
    if (dtype != CT_FLOAT32 || G != 1 || Cin < CT_WINOGRAD_MIN_CH || Cout < CT_WINOGRAD_MIN_CH) return false;
    if (g->in[0] != 1 || g->k[0] != 1 || g->out[0] != 1 || g->k[1] != 3 || g->k[2] != 3) return false;
    for (int d = 1; d < 3; d++)
        if (g->stride[d] != 1 || g->dil[d] != 1 || g->pad[d] < 0 || g->pad[d] > 2 || g->out[d] < 1) return false;
    return true;
}

int ct__conv_forward(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                      const void *x, const void *w, const void *bias, void *y) {
    if (winograd_ok(dtype, g, Cin, Cout, G)) {
        int rc = ct__conv3x3_winograd(N, Cin, Cout, g->in[1], g->in[2], g->pad[1], g->pad[2], x, w, false, bias, y);
        ct__conv_stats.winograd += rc > 0;
        if (rc != 0) return rc < 0 ? -1 : 0; /* 0: non-finite values, take the direct sum */
    }
    if (ct__conv_depthwise_ok(g, Cin, Cout, G)) {
        ct__conv_stats.depthwise++;
        return ct__conv_depthwise_forward(dtype, g, N, Cin, Cout / Cin, x, w, bias, y);
    }
    if (grouped_ok(g, Cin, Cout, G)) return conv_grouped(0, dtype, g, N, Cin, Cout, x, w, bias, NULL, y);
    conv_ctx c = make_ctx(dtype, g, N, Cin, Cout, G);
    c.x = x, c.w = w, c.bias = bias, c.out = y;
    ct_parallel_for(0, N, grain_for(work_per_image(g, Cin, Cout, G)), forward_chunk, &c);
    return c.failed ? -1 : 0;
}

int ct__conv_input_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                            const void *y, const void *w, const void *bias, void *x) {
    /* the adjoint of a stride-1 3x3 conv with padding p is a 3x3 conv of y
     * with the flipped, transposed filters and padding 2 - p */
    if (winograd_ok(dtype, g, Cin, Cout, G)) {
        int rc = ct__conv3x3_winograd(N, Cout, Cin, g->out[1], g->out[2], 2 - g->pad[1], 2 - g->pad[2], y, w, true,
                                      bias, x);
        ct__conv_stats.winograd += rc > 0;
        if (rc != 0) return rc < 0 ? -1 : 0;
    }
    if (ct__conv_depthwise_ok(g, Cin, Cout, G)) {
        ct__conv_stats.depthwise++;
        return ct__conv_depthwise_input_adjoint(dtype, g, N, Cin, Cout / Cin, y, w, bias, x);
    }
    if (grouped_ok(g, Cin, Cout, G)) return conv_grouped(1, dtype, g, N, Cin, Cout, NULL, w, bias, y, x);
    conv_ctx c = make_ctx(dtype, g, N, Cin, Cout, G);
    c.y = y, c.w = w, c.bias = bias, c.out = x;
    ct_parallel_for(0, N, grain_for(work_per_image(g, Cin, Cout, G)), input_adjoint_chunk, &c);
    return c.failed ? -1 : 0;
}

int ct__conv_weight_adjoint(ct_dtype dtype, const ct_conv_geom *g, int64_t N, int64_t Cin, int64_t Cout, int64_t G,
                            const void *x, const void *y, void *w) {
    if (ct__conv_depthwise_ok(g, Cin, Cout, G)) {
        ct__conv_stats.depthwise++;
        return ct__conv_depthwise_weight_adjoint(dtype, g, N, Cin, Cout / Cin, x, y, w);
    }
    if (grouped_ok(g, Cin, Cout, G)) return conv_grouped(2, dtype, g, N, Cin, Cout, x, NULL, NULL, y, w);
    conv_ctx c = make_ctx(dtype, g, N, Cin, Cout, G);
    c.x = x, c.y = y, c.out = w;
    size_t wbytes = (size_t)(Cout * (Cin / G) * ct__conv_geom_kvol(g)) * c.isz;
    int64_t per = work_per_image(g, Cin, Cout, G);
    int64_t nchunks = ct_get_num_threads();
    int64_t by_work = N * per / 65536;
    if (nchunks > by_work) nchunks = by_work;
    if (nchunks > N) nchunks = N;
    if (nchunks < 1) nchunks = 1;
    char *parts[256];
    if (nchunks > 256) nchunks = 256;
    parts[0] = w;
    int64_t made = 1;
    for (; made < nchunks; made++)
        if (!(parts[made] = malloc(wbytes + 1))) break;
    if (made < nchunks) {
        for (int64_t i = 1; i < made; i++) free(parts[i]);
        return -1;
    }
    c.partials = parts;
    c.nchunks = nchunks;
    ct_parallel_for(0, nchunks, 1, weight_adjoint_chunk, &c);
    int64_t n = (int64_t)(wbytes / c.isz);
    for (int64_t i = 1; i < nchunks; i++) {
        if (dtype == CT_FLOAT64)
            for (int64_t j = 0; j < n; j++) ((double *)w)[j] += ((double *)parts[i])[j];
        else
            for (int64_t j = 0; j < n; j++) ((float *)w)[j] += ((float *)parts[i])[j];
        free(parts[i]);
    }
    return c.failed ? -1 : 0;
}
