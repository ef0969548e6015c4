/* GEMM: CBLAS for float32/float64, loops for the rest. */
#define _GNU_SOURCE /* RTLD_DEFAULT, setenv */
#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dtype_traits.h"
#include "ctorch/parallel.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_small.h"

/* A BLAS view of a strided matrix: row-major with leading dim ld, maybe
 * transposed. False when neither dim has unit stride. */
static bool blas_layout(int64_t rows, int64_t cols, int64_t s0, int64_t s1, CBLAS_TRANSPOSE *trans, int64_t *ld) {
    /* row-major: (i, j) at i * ld + j */
    if (s1 == 1 || cols == 1) {
        int64_t l = rows == 1 ? (cols > 1 ? cols : 1) : s0;
        if (l >= cols && l >= 1) {
            *trans = CblasNoTrans;
            *ld = l;
            return true;
        }
    }
    /* stored transposed: (i, j) at j * ld + i */
    if (s0 == 1 || rows == 1) {
        int64_t l = cols == 1 ? (rows > 1 ? rows : 1) : s1;
        if (l >= rows && l >= 1) {
            *trans = CblasTrans;
            *ld = l;
            return true;
        }
    }
    return false;
}

/* ---- OpenBLAS tuning (docs/performance.md, "OpenBLAS on an unknown CPU") ----
 * A DYNAMIC_ARCH OpenBLAS (Debian's) that does not know the CPU model falls
 * back to its Prescott (SSE3) kernels: on this Xeon (family 6 model 207,
 * newer than OpenBLAS 0.3.21) sgemm then runs 6-7x below the machine. At the
 * first BLAS call, when OpenBLAS reports Prescott and the user did not pick a
 * core with OPENBLAS_CORETYPE, re-run its core selection with the kernels the
 * CPU does support (SkylakeX for AVX-512, Haswell for AVX2+FMA). The OpenBLAS
 * entry points are looked up with dlsym, so another CBLAS links and runs
 * unchanged. The same place keeps OpenBLAS itself single-threaded (see
 * blas_prepare). */
/* Products of at most CT_GEMM_SMALL multiply-adds keep the kernels OpenBLAS
 * chose itself: they gain nothing from wider ones, and their rounding stays
 * the one PyTorch's parity data was made with on the same machine (PyTorch
 * runs this OpenBLAS at its default). The kernel table is a global of
 * OpenBLAS (`gotoblas`), so it is swapped only between calls: any number
 * of calls may run at once with the same table (e.g. the per-thread blocks
 * of a Winograd convolution), and a call that needs the other table waits
 * until those are done. */
#define CT_GEMM_SMALL 4096
static void **blas_table;            /* &gotoblas, when switched */
static void *blas_default, *blas_fast; /* its value before / after the switch */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t blas_idle = PTHREAD_COND_INITIALIZER;
static int blas_active;   /* calls running with the current table (under blas_lock) */
static bool blas_small;   /* the current table is blas_default */

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void (*blas_set_threads)(int);
static atomic_int blas_threads;
static char blas_core_fixed[16];

static void *sym(const char *name) { return dlsym(RTLD_DEFAULT, name); }

/* OpenBLAS runs single-threaded under ctorch (blas_prepare). Its pthreads
 * build starts OPENBLAS_NUM_THREADS - 1 workers when it is loaded, and each
 * spins on sched_yield for its thread timeout (2^28 cycles, ~0.1 s) before it
 * sleeps: on a 2-core machine that worker takes a core from ctorch's own pool
 * for the first ~0.1 s of the process -- all of a short benchmark row (the
 * MLP step at 2 threads: median 0.58-0.83 ms with it, 0.52-0.63 without;
 * docs/performance.md §24). So the first product sets OpenBLAS to one
 * thread and stops its workers; OpenBLAS starts them again by itself if a
 * caller asks it for more threads. */
static void quiet_blas_threads(void) {
    void (*shutdown)(void);
    *(void **)&shutdown = sym("blas_thread_shutdown_");
    if (!blas_set_threads) return;
    blas_set_threads(1);
    atomic_store_explicit(&blas_threads, 1, memory_order_relaxed);
    if (shutdown) shutdown();
}

static void blas_setup(void) {
    char *(*corename)(void);
    void (*quit)(void), (*init)(void);
    *(void **)&corename = sym("openblas_get_corename");
    *(void **)&quit = sym("gotoblas_dynamic_quit");
    *(void **)&init = sym("gotoblas_dynamic_init");
    *(void **)&blas_set_threads = sym("openblas_set_num_threads");
    quiet_blas_threads();
    if (!corename || !quit || !init || getenv("OPENBLAS_CORETYPE")) return;
    const char *now = corename();
    if (!now || strcasecmp(now, "prescott") != 0) return;
    __builtin_cpu_init();
    const char *core = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq"))
        core = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        core = "Haswell";
    if (!core) return;
    void **table = sym("gotoblas");
    if (!table || !*table) return;
    void *before = *table;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
    if (!*table) { /* cannot happen with a DYNAMIC_ARCH OpenBLAS; keep it working */
        *table = before;
        return;
    }
    blas_table = table;
    blas_default = before;
    blas_fast = *table;
    strncpy(blas_core_fixed, core, sizeof blas_core_fixed - 1);
}

/* Before a BLAS call: pick the kernel table for its size (released by
 * blas_done). OpenBLAS runs single-threaded: ctorch splits large products
 * across its own threads (blas_block), so one thread pool serves every op.
 * Two pools (ctorch's and OpenBLAS's pthreads) spin against each other on a
 * 2-core machine: ctorch's MLP step ran 10x slower at 2 threads than at 1
 * before this (docs/performance.md). Calls do not nest: the chunks of a
 * split product (blas_block) call CBLAS directly under their caller's
 * table. */
static void blas_prepare(int64_t work) {
    pthread_once(&blas_once, blas_setup);
    if (blas_table) {
        bool small = work <= CT_GEMM_SMALL;
        pthread_mutex_lock(&blas_lock);
        while (blas_active > 0 && blas_small != small) pthread_cond_wait(&blas_idle, &blas_lock);
        if (blas_active++ == 0) { /* nobody else is running: this call picks the table */
            blas_small = small;
            *blas_table = small ? blas_default : blas_fast;
        }
        pthread_mutex_unlock(&blas_lock);
    }
    if (blas_set_threads && atomic_load_explicit(&blas_threads, memory_order_relaxed) != 1) {
        blas_set_threads(1);
        atomic_store_explicit(&blas_threads, 1, memory_order_relaxed);
    }
}

static void blas_done(void) {
    if (!blas_table) return;
    pthread_mutex_lock(&blas_lock);
    if (--blas_active == 0) pthread_cond_broadcast(&blas_idle);
    pthread_mutex_unlock(&blas_lock);
}

const char *ct__blas_core_override(void) {
    pthread_once(&blas_once, blas_setup);
    return blas_core_fixed[0] ? blas_core_fixed : NULL;
}

/* c = beta * c + alpha * sum (beta == 0: c = alpha * sum), computed in ACC */
#define CT_GEMM_LOOP(NAME, T, ACC, LD, ST)                                                                       \
    static void NAME(int64_t m, int64_t n, int64_t k, double alpha_, const T *a, int64_t sa0, int64_t sa1,       \
                     const T *b, int64_t sb0, int64_t sb1, double beta_, T *c) {                                 \
        ACC alpha = (ACC)alpha_, beta = (ACC)beta_;                                                              \
        for (int64_t i = 0; i < m; i++)                                                                          \
            for (int64_t j = 0; j < n; j++) {                                                                    \
                ACC acc = 0;                                                                                     \
                for (int64_t p = 0; p < k; p++) acc += (ACC)LD(a[i * sa0 + p * sa1]) * (ACC)LD(b[p * sb0 + j * sb1]); \
                if (alpha != 1) acc = alpha * acc;                                                               \
                if (beta_ != 0) acc = beta * (ACC)LD(c[i * n + j]) + acc;                                        \
                c[i * n + j] = ST(acc);                                                                          \
            }                                                                                                    \
    }

#define ID(x) (x)
CT_GEMM_LOOP(gemm_f32, float, float, ID, ID)
CT_GEMM_LOOP(gemm_f64, double, double, ID, ID)
CT_GEMM_LOOP(gemm_f16, uint16_t, float, ct_half_to_float, ct_float_to_half)
/* bfloat16 as PyTorch 1.13's gemm_notrans_: C = beta * C first, then
 * C += A * (B * alpha) one k at a time, every step rounded to bfloat16 */
static float bf(float x) { return ct_bfloat16_to_float(ct_float_to_bfloat16(x)); }
static void gemm_bf16(int64_t m, int64_t n, int64_t k, double alpha, const uint16_t *a, int64_t sa0, int64_t sa1,
                      const uint16_t *b, int64_t sb0, int64_t sb1, double beta, uint16_t *c) {
    float al = bf((float)alpha), be = bf((float)beta);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float acc = beta == 0 ? 0.0f : bf(be * ct_bfloat16_to_float(c[i * n + j]));
            for (int64_t p = 0; p < k; p++) {
                float bv = ct_bfloat16_to_float(b[p * sb0 + j * sb1]);
                if (alpha != 1) bv = bf(bv * al);
                acc = bf(acc + bf(ct_bfloat16_to_float(a[i * sa0 + p * sa1]) * bv));
            }
            c[i * n + j] = ct_float_to_bfloat16(acc);
        }
}
/* integers: wrap-around arithmetic in the unsigned type of the same width,
 * alpha/beta truncated to int64 first (the Scalar conversion) */
#define CT_GEMM_ILOOP(NAME, T, U)                                                                                \
    static void NAME(int64_t m, int64_t n, int64_t k, double alpha_, const T *a, int64_t sa0, int64_t sa1,       \
                     const T *b, int64_t sb0, int64_t sb1, double beta_, T *c) {                                 \
        U alpha = (U)(int64_t)alpha_, beta = (U)(int64_t)beta_;                                                  \
        for (int64_t i = 0; i < m; i++)                                                                          \
            for (int64_t j = 0; j < n; j++) {                                                                    \
                U acc = 0;                                                                                       \
                for (int64_t p = 0; p < k; p++) acc += (U)((U)a[i * sa0 + p * sa1] * (U)b[p * sb0 + j * sb1]);   \
                acc = (U)(alpha * acc);                                                                          \
                if (beta_ != 0) acc = (U)(beta * (U)c[i * n + j] + acc);                                         \
                c[i * n + j] = (T)acc;                                                                           \
            }                                                                                                    \
    }
CT_GEMM_ILOOP(gemm_u8, uint8_t, uint32_t)
CT_GEMM_ILOOP(gemm_i8, int8_t, uint32_t)
CT_GEMM_ILOOP(gemm_i16, int16_t, uint32_t)
CT_GEMM_ILOOP(gemm_i32, int32_t, uint32_t)
CT_GEMM_ILOOP(gemm_i64, int64_t, uint64_t)

/* One BLAS product, blocked by rows (split_m) or columns of C so
 * ct_parallel_for can share it out: rows [b, e) of C come from rows [b, e)
 * of A; columns from columns of B. Column blocks are counted in units of
 * 64 bytes of C's row (col_unit elements): where C's rows start on a cache
 * line, no line is written by two threads. */
#define CT_GEMM_PAR_WORK ((int64_t)1 << 18) /* multiply-adds per thread, at least */
typedef struct blas_ctx {
    bool f64;
    CBLAS_TRANSPOSE ta, tb;
    int64_t m, n, k;
    double alpha, beta;
    const void *a;
    int64_t lda;
    const void *b;
    int64_t ldb;
    void *c;
    bool split_m;
    int64_t col_unit; /* columns per unit of the parallel range when !split_m */
} blas_ctx;

static void blas_block(int64_t begin, int64_t end, void *vctx) {
    const blas_ctx *x = vctx;
    size_t isz = x->f64 ? sizeof(double) : sizeof(float);
    const char *a = x->a, *b = x->b;
    char *c = x->c;
    int64_t m = x->m, n = x->n;
    if (x->split_m) {
        a += (size_t)(x->ta == CblasNoTrans ? begin * x->lda : begin) * isz;
        c += (size_t)(begin * x->n) * isz;
        m = end - begin;
    } else {
        begin *= x->col_unit;
        end = end * x->col_unit < x->n ? end * x->col_unit : x->n;
        b += (size_t)(x->tb == CblasNoTrans ? begin : begin * x->ldb) * isz;
        c += (size_t)begin * isz;
        n = end - begin;
    }
    if (x->f64)
        cblas_dgemm(CblasRowMajor, x->ta, x->tb, (int)m, (int)n, (int)x->k, x->alpha, (const double *)a, (int)x->lda,
                    (const double *)b, (int)x->ldb, x->beta, (double *)c, (int)x->n);
    else
        cblas_sgemm(CblasRowMajor, x->ta, x->tb, (int)m, (int)n, (int)x->k, (float)x->alpha, (const float *)a,
                    (int)x->lda, (const float *)b, (int)x->ldb, (float)x->beta, (float *)c, (int)x->n);
}

static void gemm_one(ct_dtype dtype, int64_t m, int64_t n, int64_t k, double alpha, const void *a, int64_t sa0,
                     int64_t sa1, const void *b, int64_t sb0, int64_t sb1, double beta, void *c) {
    if (m == 0 || n == 0) return;
    CBLAS_TRANSPOSE ta, tb;
    int64_t lda, ldb;
    bool blas = k > 0 && (dtype == CT_FLOAT32 || dtype == CT_FLOAT64) && blas_layout(m, k, sa0, sa1, &ta, &lda) &&
                blas_layout(k, n, sb0, sb1, &tb, &ldb);
    if (blas) {
        /* small products: direct loops, bitwise the default kernels (gemm_small.c) */
        if (m * n * k <= CT_GEMM_SMALL && ct__gemm_small(dtype, m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c))
            return;
        /* Per-thread blocks of C's rows: each thread packs all of B, and
         * writes one contiguous block (OpenBLAS zeroes it for beta = 0 in one
         * memset). Blocks of columns: each packs all of A, and writes pieces
         * of every row. Rows cost k * (n - m) more packing when n > m, columns
         * a strided C: rows win unless that packing outweighs C's m * n
         * elements. The linear layer's weight gradient (256x784x64) at 2
         * threads: by columns 0.17-0.26 ms when blocks split C's cache lines,
         * 0.16-0.20 on line boundaries, by rows 0.12-0.17; its forward
         * (64x256x784) stays split by columns (docs/performance.md §24). */
        bool split_m = m >= n || k * (n - m) < m * n;
        int64_t unit = split_m ? 1 : 64 / (int64_t)(dtype == CT_FLOAT64 ? sizeof(double) : sizeof(float));
        blas_ctx x = {dtype == CT_FLOAT64, ta, tb, m, n, k, alpha, beta, a, lda, b, ldb, c, split_m, unit};
        blas_prepare(m * n * k);
        /* split into per-thread blocks when there is enough work for each */
        int64_t len = split_m ? m : n, per = CT_GEMM_PAR_WORK / (m * n * k / len + 1);
        per = per < 16 ? 16 : (per + 15) / 16 * 16;
        int64_t units = (len + unit - 1) / unit;
        if (len > per) ct_parallel_for(0, units, (per + unit - 1) / unit, blas_block, &x);
        else blas_block(0, units, &x);
        blas_done();
        return;
    }
    switch (dtype) {
    case CT_FLOAT32: gemm_f32(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_FLOAT64: gemm_f64(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_FLOAT16: gemm_f16(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_BFLOAT16: gemm_bf16(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_UINT8: gemm_u8(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_INT8: gemm_i8(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_INT16: gemm_i16(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_INT32: gemm_i32(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    case CT_INT64: gemm_i64(m, n, k, alpha, a, sa0, sa1, b, sb0, sb1, beta, c); break;
    default: break; /* bool is refused by the ops */
    }
}

void ct__kernel_gemm(ct_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t sa0, int64_t sa1,
                     const void *b, int64_t sb0, int64_t sb1, void *c) {
    ct_gemm_operand A = {a, 0, sa0, sa1}, B = {b, 0, sb0, sb1};
    ct__kernel_gemm_batched(dtype, 1, m, n, k, 1.0, A, B, 0.0, c);
}

typedef struct batch_ctx {
    ct_dtype dtype;
    int64_t m, n, k;
    double alpha, beta;
    ct_gemm_operand a, b;
    char *c;
    size_t isz;
} batch_ctx;

static void batch_range(int64_t begin, int64_t end, void *p) {
    const batch_ctx *x = p;
    for (int64_t i = begin; i < end; i++)
        gemm_one(x->dtype, x->m, x->n, x->k, x->alpha, (const char *)x->a.data + i * x->a.sbatch * (int64_t)x->isz,
                 x->a.s0, x->a.s1, (const char *)x->b.data + i * x->b.sbatch * (int64_t)x->isz, x->b.s0, x->b.s1,
                 x->beta, x->c + i * x->m * x->n * (int64_t)x->isz);
}

void ct__kernel_gemm_batched(ct_dtype dtype, int64_t batch, int64_t m, int64_t n, int64_t k, double alpha,
                             ct_gemm_operand a, ct_gemm_operand b, double beta, void *c) {
    size_t isz = ct__traits(dtype)->itemsize;
    if (batch == 0 || m == 0 || n == 0) return;
    if (k == 0) {
        /* the product is zero: C = beta * C */
        if (beta == 0) {
            memset(c, 0, (size_t)(batch * m * n) * isz);
            return;
        }
        /* loops with k == 0 give beta * C */
    }
    batch_ctx x = {dtype, m, n, k, alpha, beta, a, b, c, isz};
    bool blas = dtype == CT_FLOAT32 || dtype == CT_FLOAT64;
    /* BLAS threads itself; loops split by batch when there is enough work */
    int64_t work = m * n * (k > 0 ? k : 1);
    if (blas || batch == 1) batch_range(0, batch, &x);
    else ct_parallel_for(0, batch, work >= CT_GRAIN_SIZE ? 1 : CT_GRAIN_SIZE / work, batch_range, &x);
}
