/* Small float32/float64 products by direct loops, bitwise equal to
 * OpenBLAS 0.3.21's Prescott kernels (sgemm_kernel_8x4_sse3.S,
 * dgemm_kernel_4x4_sse3.S); see gemm_small.h.
 *
 * What those kernels compute, measured against cblas_sgemm/cblas_dgemm on
 * this machine (tests/ops/test_gemm_small.c keeps measuring it) and read
 * from their code: cblas with RowMajor computes C^T = B^T A^T column-major,
 * so the kernel's M dimension runs over our columns j (tiles of 8 floats /
 * 4 doubles, then 4-, 2-, 1-wide remainder tiles) and its N dimension over
 * our rows i (tiles of 4, then 2, 1). Every element of C is one sum over
 * k of products a*b (separate multiply and add, no FMA), in one of five
 * orders fixed by the pair of tile widths the element falls in:
 *   0: one accumulator, k in order;
 *   1: k in blocks of 8 alternating over 2 accumulators, the last k % 8
 *      terms into the first one; then s0 + s1;
 *   2: as 1 with 4 accumulators (k mod 4), then (s0 + s1) + (s2 + s3);
 *   3: as 2, then (s0 + s2) + (s1 + s3);
 *   4: k in blocks of 16 over 8 accumulators (k mod 8), the last k % 16
 *      terms into s0; then ((s0 + s2) + (s4 + s6)) + ((s1 + s3) + (s5 + s7)).
 * Accumulators start at +0. Then C = (sum * alpha) + C', where C' is +0 for
 * beta == 0, C for beta == 1 and C * beta otherwise (OpenBLAS scales C
 * first); alpha == 0 leaves C' (A and B are not read, NaN included).
 * OpenBLAS's driver splits k into blocks of GEMM_Q (128 here: k = 129
 * is the first k whose bits differ) and adds each block's sum to C:
 * CT_GEMM_SMALL_MAX_K keeps k within one block. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "kernels/cpu/gemm_small.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "kernels/cpu/gemm.h"

/* the order of each element's sum: [kernel-M tile (our j)][kernel-N tile (our i)] */
static const unsigned char mode_f32[4][3] = {
    /* j tile 8 */ {0, 0, 1},
    /* j tile 4 */ {0, 1, 1},
    /* j tile 2 */ {1, 1, 4},
    /* j tile 1 */ {1, 1, 2},
};
static const unsigned char mode_f64[3][3] = {
    /* j tile 4 */ {0, 0, 1},
    /* j tile 2 */ {0, 1, 2},
    /* j tile 1 */ {0, 2, 3},
};

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SMALL_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SMALL_CLONES
#endif
#define INLINE static inline __attribute__((always_inline))

typedef float f32x8 __attribute__((vector_size(32)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x4 __attribute__((vector_size(32)));
typedef double f64x2 __attribute__((vector_size(16)));

/* R rows x NV vectors of VT (or scalars) of C: the sums in order `md` (a
 * constant after inlining, so the accumulators stay in registers). Row r
 * of A at ar + r * sa0, its element p at [p * sa1]; row p of B at
 * bp + p * ldb. Results in out[r][v]. */
#define CT_SMALL_DOT(NAME, T, VT, R, NV)                                                                        \
    INLINE void NAME(VT out[R][NV], int md, int64_t k, const T *ar, int64_t sa0, int64_t sa1, const T *bp,     \
                     int64_t ldb) {                                                                             \
        enum { W = (int)(sizeof(VT) / sizeof(T)) };                                                             \
        const int na = md == 0 ? 1 : md == 1 ? 2 : md == 4 ? 8 : 4;                                             \
        const int64_t body = md == 0 ? 0 : md == 4 ? k / 16 * 16 : k / 8 * 8;                                   \
        VT s[8][R][NV];                                                                                         \
        for (int q = 0; q < na; q++)                                                                            \
            for (int r = 0; r < R; r++)                                                                         \
                for (int v = 0; v < NV; v++) s[q][r][v] = (VT){0};                                              \
        const T *ap = ar, *bq = bp;                                                                             \
        int64_t p = 0;                                                                                          \
        for (; p < body; p += na)                                                                               \
            for (int q = 0; q < na; q++) {                                                                      \
                VT bv[NV];                                                                                      \
                for (int v = 0; v < NV; v++) memcpy(&bv[v], bq + v * W, sizeof bv[v]);                          \
                for (int r = 0; r < R; r++) {                                                                   \
                    T x = ap[r * sa0];                                                                          \
                    for (int v = 0; v < NV; v++) {                                                              \
                        VT t = x * bv[v];                                                                       \
                        s[q][r][v] = s[q][r][v] + t;                                                            \
                    }                                                                                           \
                }                                                                                               \
                ap += sa1;                                                                                      \
                bq += ldb;                                                                                      \
            }                                                                                                   \
        for (; p < k; p++) {                                                                                    \
            VT bv[NV];                                                                                          \
            for (int v = 0; v < NV; v++) memcpy(&bv[v], bq + v * W, sizeof bv[v]);                              \
            for (int r = 0; r < R; r++) {                                                                       \
                T x = ap[r * sa0];                                                                              \
                for (int v = 0; v < NV; v++) {                                                                  \
                    VT t = x * bv[v];                                                                           \
                    s[0][r][v] = s[0][r][v] + t;                                                                \
                }                                                                                               \
            }                                                                                                   \
            ap += sa1;                                                                                          \
            bq += ldb;                                                                                          \
        }                                                                                                       \
        for (int r = 0; r < R; r++)                                                                             \
            for (int v = 0; v < NV; v++) switch (md) {                                                          \
                case 0: out[r][v] = s[0][r][v]; break;                                                          \
                case 1: out[r][v] = s[0][r][v] + s[1][r][v]; break;                                             \
                case 2: out[r][v] = (s[0][r][v] + s[1][r][v]) + (s[2][r][v] + s[3][r][v]); break;               \
                case 3: out[r][v] = (s[0][r][v] + s[2][r][v]) + (s[1][r][v] + s[3][r][v]); break;               \
                default:                                                                                        \
                    out[r][v] = ((s[0][r][v] + s[2][r][v]) + (s[4][r][v] + s[6][r][v])) +                       \
                                ((s[1][r][v] + s[3][r][v]) + (s[5][r][v] + s[7][r][v]));                        \
                    break;                                                                                      \
                }                                                                                               \
    }

/* C = (sum * alpha) + C' for W elements at cp */
#define CT_SMALL_STORE(NAME, T, VT)                                                                             \
    INLINE void NAME(T *cp, VT r, T alpha, T beta) {                                                            \
        VT cv;                                                                                                  \
        r = r * alpha;                                                                                          \
        if (beta == 0) cv = r + (T)0;                                                                           \
        else {                                                                                                  \
            memcpy(&cv, cp, sizeof cv);                                                                         \
            if (beta != 1) cv = cv * beta;                                                                      \
            cv = r + cv;                                                                                        \
        }                                                                                                       \
        memcpy(cp, &cv, sizeof cv);                                                                             \
    }

CT_SMALL_DOT(dot4_f32x8x2, float, f32x8, 4, 2)
CT_SMALL_DOT(dot4_f32x8, float, f32x8, 4, 1)
CT_SMALL_DOT(dot4_f32x4, float, f32x4, 4, 1)
CT_SMALL_DOT(dot4_f32, float, float, 4, 1)
CT_SMALL_DOT(dot1_f32x8x2, float, f32x8, 1, 2)
CT_SMALL_DOT(dot1_f32x8, float, f32x8, 1, 1)
CT_SMALL_DOT(dot1_f32x4, float, f32x4, 1, 1)
CT_SMALL_DOT(dot1_f32, float, float, 1, 1)
CT_SMALL_DOT(dot4_f64x4x2, double, f64x4, 4, 2)
CT_SMALL_DOT(dot4_f64x4, double, f64x4, 4, 1)
CT_SMALL_DOT(dot4_f64x2, double, f64x2, 4, 1)
CT_SMALL_DOT(dot4_f64, double, double, 4, 1)
CT_SMALL_DOT(dot1_f64x4x2, double, f64x4, 1, 2)
CT_SMALL_DOT(dot1_f64x4, double, f64x4, 1, 1)
CT_SMALL_DOT(dot1_f64x2, double, f64x2, 1, 1)
CT_SMALL_DOT(dot1_f64, double, double, 1, 1)
CT_SMALL_STORE(store_f32x8, float, f32x8)
CT_SMALL_STORE(store_f32x4, float, f32x4)
CT_SMALL_STORE(store_f32, float, float)
CT_SMALL_STORE(store_f64x4, double, f64x4)
CT_SMALL_STORE(store_f64x2, double, f64x2)
CT_SMALL_STORE(store_f64, double, double)

/* R rows from row i x columns [j0, j1) of C in order md: pairs of wide
 * vectors, one wide vector, one narrow vector, then single elements */
#define CT_SMALL_COLS(NAME, T, VW, VN, R, DOTW2, DOTW, DOTN, DOTS, STW, STN, STS)                              \
    INLINE void NAME(int md, int64_t i, int64_t j0, int64_t j1, int64_t k, T alpha, const T *a, int64_t sa0,   \
                     int64_t sa1, const T *bp, int64_t ldb, T beta, T *c, int64_t ldc) {                        \
        enum { WW = (int)(sizeof(VW) / sizeof(T)), WN = (int)(sizeof(VN) / sizeof(T)) };                        \
        const T *ar = a + i * sa0;                                                                              \
        T *cr = c + i * ldc;                                                                                    \
        int64_t j = j0;                                                                                         \
        for (; j + 2 * WW <= j1; j += 2 * WW) {                                                                 \
            VW r[R][2];                                                                                         \
            DOTW2(r, md, k, ar, sa0, sa1, bp + j, ldb);                                                         \
            for (int x = 0; x < R; x++) {                                                                       \
                STW(cr + x * ldc + j, r[x][0], alpha, beta);                                                    \
                STW(cr + x * ldc + j + WW, r[x][1], alpha, beta);                                               \
            }                                                                                                   \
        }                                                                                                       \
        if (j + WW <= j1) {                                                                                     \
            VW r[R][1];                                                                                         \
            DOTW(r, md, k, ar, sa0, sa1, bp + j, ldb);                                                          \
            for (int x = 0; x < R; x++) STW(cr + x * ldc + j, r[x][0], alpha, beta);                            \
            j += WW;                                                                                            \
        }                                                                                                       \
        if (j + WN <= j1) {                                                                                     \
            VN r[R][1];                                                                                         \
            DOTN(r, md, k, ar, sa0, sa1, bp + j, ldb);                                                          \
            for (int x = 0; x < R; x++) STN(cr + x * ldc + j, r[x][0], alpha, beta);                            \
            j += WN;                                                                                            \
        }                                                                                                       \
        for (; j < j1; j++) {                                                                                   \
            T r[R][1];                                                                                          \
            DOTS(r, md, k, ar, sa0, sa1, bp + j, ldb);                                                          \
            for (int x = 0; x < R; x++) STS(cr + x * ldc + j, r[x][0], alpha, beta);                            \
        }                                                                                                       \
    }

CT_SMALL_COLS(cols4_f32, float, f32x8, f32x4, 4, dot4_f32x8x2, dot4_f32x8, dot4_f32x4, dot4_f32, store_f32x8,
              store_f32x4, store_f32)
CT_SMALL_COLS(cols1_f32, float, f32x8, f32x4, 1, dot1_f32x8x2, dot1_f32x8, dot1_f32x4, dot1_f32, store_f32x8,
              store_f32x4, store_f32)
CT_SMALL_COLS(cols4_f64, double, f64x4, f64x2, 4, dot4_f64x4x2, dot4_f64x4, dot4_f64x2, dot4_f64, store_f64x4,
              store_f64x2, store_f64)
CT_SMALL_COLS(cols1_f64, double, f64x4, f64x2, 1, dot1_f64x4x2, dot1_f64x4, dot1_f64x2, dot1_f64, store_f64x4,
              store_f64x2, store_f64)

/* Rows [i0, i1) x columns [j0, j1) of C, all in order md (a constant after
 * inlining): four rows at a time in the orders full row tiles use (0, 1),
 * else one */
#define CT_SMALL_BLOCK(NAME, T, COLS4, COLS1)                                                                   \
    INLINE void NAME(int md, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t k, T alpha, const T *a,    \
                     int64_t sa0, int64_t sa1, const T *bp, int64_t ldb, T beta, T *c, int64_t ldc) {          \
        int64_t i = i0;                                                                                         \
        if (md <= 1)                                                                                            \
            for (; i + 4 <= i1; i += 4) COLS4(md, i, j0, j1, k, alpha, a, sa0, sa1, bp, ldb, beta, c, ldc);     \
        for (; i < i1; i++) COLS1(md, i, j0, j1, k, alpha, a, sa0, sa1, bp, ldb, beta, c, ldc);                 \
    }

CT_SMALL_BLOCK(block_f32, float, cols4_f32, cols1_f32)
CT_SMALL_BLOCK(block_f64, double, cols4_f64, cols1_f64)

/* buf (k, n) row-major = B. B stored transposed (sb0 == 1: each column
 * of B contiguous) goes by 4x4 (float) / 2x2 (double) blocks transposed in
 * registers; other layouts element by element. */
INLINE void pack_f32(float *buf, const float *b, int64_t k, int64_t n, int64_t sb0, int64_t sb1) {
    int64_t j = 0;
    if (sb0 == 1)
        for (; j + 4 <= n; j += 4) {
            const float *s0 = b + j * sb1, *s1 = s0 + sb1, *s2 = s1 + sb1, *s3 = s2 + sb1;
            int64_t p = 0;
            for (; p + 4 <= k; p += 4) {
                f32x4 r0, r1, r2, r3;
                memcpy(&r0, s0 + p, sizeof r0);
                memcpy(&r1, s1 + p, sizeof r1);
                memcpy(&r2, s2 + p, sizeof r2);
                memcpy(&r3, s3 + p, sizeof r3);
                f32x4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5);
                f32x4 t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
                f32x4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5);
                f32x4 t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
                f32x4 o0 = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
                f32x4 o1 = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
                f32x4 o2 = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
                f32x4 o3 = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
                float *d = buf + p * n + j;
                memcpy(d, &o0, sizeof o0);
                memcpy(d + n, &o1, sizeof o1);
                memcpy(d + 2 * n, &o2, sizeof o2);
                memcpy(d + 3 * n, &o3, sizeof o3);
            }
            for (; p < k; p++) {
                float *d = buf + p * n + j;
                d[0] = s0[p], d[1] = s1[p], d[2] = s2[p], d[3] = s3[p];
            }
        }
    for (; j < n; j++)
        for (int64_t p = 0; p < k; p++) buf[p * n + j] = b[p * sb0 + j * sb1];
}
INLINE void pack_f64(double *buf, const double *b, int64_t k, int64_t n, int64_t sb0, int64_t sb1) {
    int64_t j = 0;
    if (sb0 == 1)
        for (; j + 2 <= n; j += 2) {
            const double *s0 = b + j * sb1, *s1 = s0 + sb1;
            int64_t p = 0;
            for (; p + 2 <= k; p += 2) {
                f64x2 r0, r1;
                memcpy(&r0, s0 + p, sizeof r0);
                memcpy(&r1, s1 + p, sizeof r1);
                f64x2 o0 = __builtin_shufflevector(r0, r1, 0, 2);
                f64x2 o1 = __builtin_shufflevector(r0, r1, 1, 3);
                double *d = buf + p * n + j;
                memcpy(d, &o0, sizeof o0);
                memcpy(d + n, &o1, sizeof o1);
            }
            for (; p < k; p++) {
                double *d = buf + p * n + j;
                d[0] = s0[p], d[1] = s1[p];
            }
        }
    for (; j < n; j++)
        for (int64_t p = 0; p < k; p++) buf[p * n + j] = b[p * sb0 + j * sb1];
}

/* the mode as a constant */
#define CT_SMALL_SWITCH(BLOCK, md, ...)                         \
    switch (md) {                                               \
    case 0: BLOCK(0, __VA_ARGS__); break;                       \
    case 1: BLOCK(1, __VA_ARGS__); break;                       \
    case 2: BLOCK(2, __VA_ARGS__); break;                       \
    case 3: BLOCK(3, __VA_ARGS__); break;                       \
    default: BLOCK(4, __VA_ARGS__); break;                      \
    }

/* tile widths over len in tiles of 2^u_log2: ends[] and widths' log2 in
 * lg[], full tiles first; returns the count */
static int tiles(int64_t len, int u_log2, int64_t *ends, int *lg) {
    int cnt = 0;
    int64_t full = len >> u_log2 << u_log2;
    if (full > 0) {
        ends[cnt] = full;
        lg[cnt++] = u_log2;
    }
    for (int l = u_log2 - 1; l >= 0; l--)
        if (len & ((int64_t)1 << l)) {
            ends[cnt] = (cnt ? ends[cnt - 1] : 0) + ((int64_t)1 << l);
            lg[cnt++] = l;
        }
    return cnt;
}

#define CT_SMALL_IMPL(NAME, T, MODES, UJ_LOG2, BLOCK, PACK)                                                            \
    SMALL_CLONES void NAME(int64_t m, int64_t n, int64_t k, T alpha, const T *a, int64_t sa0, int64_t sa1,       \
                           const T *b, int64_t sb0, int64_t sb1, T beta, T *c, int64_t ldc) {                    \
        if (alpha == 0) { /* OpenBLAS scales C and returns */                                                    \
            for (int64_t i = 0; i < m; i++)                                                                      \
                for (int64_t j = 0; j < n; j++) {                                                                \
                    T *cp = c + i * ldc + j;                                                                     \
                    *cp = beta == 0 ? (T)0 : beta == 1 ? *cp : *cp * beta;                                       \
                }                                                                                                \
            return;                                                                                              \
        }                                                                                                        \
        T buf[CT_GEMM_SMALL_MAX_WORK];                                                                           \
        if (n == 1 && ldc == 1 && m > 1) {                                                                       \
            /* one column: computed as its transpose, the row b^T @ A^T, so */                                   \
            /* the vectors run over A's rows (A^T packed when A's rows are */                                    \
            /* not unit-strided); each element keeps its own order */                                            \
            const T *at = a;                                                                                     \
            int64_t ldat = sa1;                                                                                  \
            if (sa0 != 1) {                                                                                      \
                PACK(buf, a, k, m, sa1, sa0);                                                                    \
                at = buf;                                                                                        \
                ldat = m;                                                                                        \
            }                                                                                                    \
            int64_t iend[3];                                                                                     \
            int ilg[3], ni = tiles(m, 2, iend, ilg);                                                             \
            for (int ti = 0; ti < ni; ti++) {                                                                    \
                int md = MODES[UJ_LOG2][2 - ilg[ti]];                                                            \
                CT_SMALL_SWITCH(BLOCK, md, 0, 1, ti ? iend[ti - 1] : 0, iend[ti], k, alpha, b, 0, sb0, at, ldat,  \
                                beta, c, 0);                                                                     \
            }                                                                                                    \
            return;                                                                                              \
        }                                                                                                        \
        /* B with unit column stride: rows at bp + p * ldb, else a packed copy */                                \
        const T *bp = b;                                                                                         \
        int64_t ldb = sb0;                                                                                       \
        if (n > 1 && sb1 != 1) {                                                                                 \
            PACK(buf, b, k, n, sb0, sb1);                                                                        \
            bp = buf;                                                                                            \
            ldb = n;                                                                                             \
        }                                                                                                        \
        int64_t jend[4], iend[3];                                                                                \
        int jlg[4], ilg[3];                                                                                      \
        int nj = tiles(n, UJ_LOG2, jend, jlg), ni = tiles(m, 2, iend, ilg);                                      \
        for (int ti = 0; ti < ni; ti++)                                                                          \
            for (int tj = 0; tj < nj; tj++) {                                                                    \
                int md = MODES[UJ_LOG2 - jlg[tj]][2 - ilg[ti]];                                                  \
                CT_SMALL_SWITCH(BLOCK, md, ti ? iend[ti - 1] : 0, iend[ti], tj ? jend[tj - 1] : 0, jend[tj], k,  \
                                alpha, a, sa0, sa1, bp, ldb, beta, c, ldc);                                      \
            }                                                                                                    \
    }

CT_SMALL_IMPL(ct__gemm_small_prescott_f32, float, mode_f32, 3, block_f32, pack_f32)
CT_SMALL_IMPL(ct__gemm_small_prescott_f64, double, mode_f64, 2, block_f64, pack_f64)

/* Whether this process's small CBLAS products run the Prescott kernels:
 * gemm.c switched away from them (so they are OpenBLAS's default table,
 * which small products keep), or OpenBLAS chose them and nobody switched. */
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static bool prescott;

static void probe(void) {
    if (ct__blas_core_override()) {
        prescott = true;
        return;
    }
    const char *(*corename)(void);
    *(void **)&corename = dlsym(RTLD_DEFAULT, "openblas_get_corename");
    const char *name = corename ? corename() : NULL;
    prescott = name && strcasecmp(name, "prescott") == 0;
}

bool ct__gemm_small(ct_dtype dtype, int64_t m, int64_t n, int64_t k, double alpha, const void *a, int64_t sa0,
                    int64_t sa1, const void *b, int64_t sb0, int64_t sb1, double beta, void *c) {
    if ((dtype != CT_FLOAT32 && dtype != CT_FLOAT64) || k < 1 || k > CT_GEMM_SMALL_MAX_K || m < 1 || n < 1 ||
        m * n * k > CT_GEMM_SMALL_MAX_WORK)
        return false;
    pthread_once(&probe_once, probe);
    if (!prescott) return false;
    if (dtype == CT_FLOAT32)
        ct__gemm_small_prescott_f32(m, n, k, (float)alpha, a, sa0, sa1, b, sb0, sb1, (float)beta, c, n);
    else
        ct__gemm_small_prescott_f64(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c, n);
    return true;
}
