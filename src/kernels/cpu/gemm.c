/* GEMM: CBLAS for float32/float64, loops for the rest. */
#include <cblas.h>
#include <string.h>

#include "base/dtype_traits.h"
#include "kernels/cpu/gemm.h"

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

#define CT_GEMM_LOOP(NAME, T, ACC, LD, ST)                                                          \
    static void NAME(int64_t m, int64_t n, int64_t k, const T *a, int64_t sa0, int64_t sa1, const T *b, \
                     int64_t sb0, int64_t sb1, T *c) {                                             \
        for (int64_t i = 0; i < m; i++)                                                            \
            for (int64_t j = 0; j < n; j++) {                                                      \
                ACC acc = 0;                                                                       \
                for (int64_t p = 0; p < k; p++) acc += (ACC)LD(a[i * sa0 + p * sa1]) * (ACC)LD(b[p * sb0 + j * sb1]); \
                c[i * n + j] = ST(acc);                                                            \
            }                                                                                      \
    }

#define ID(x) (x)
CT_GEMM_LOOP(gemm_f32, float, float, ID, ID)
CT_GEMM_LOOP(gemm_f64, double, double, ID, ID)
CT_GEMM_LOOP(gemm_f16, uint16_t, float, ct_half_to_float, ct_float_to_half)
CT_GEMM_LOOP(gemm_bf16, uint16_t, float, ct_bfloat16_to_float, ct_float_to_bfloat16)
CT_GEMM_LOOP(gemm_u8, uint8_t, uint8_t, ID, ID)
CT_GEMM_LOOP(gemm_i8, int8_t, uint8_t, ID, (int8_t))
CT_GEMM_LOOP(gemm_i16, int16_t, uint16_t, ID, (int16_t))
CT_GEMM_LOOP(gemm_i32, int32_t, uint32_t, ID, (int32_t))
CT_GEMM_LOOP(gemm_i64, int64_t, uint64_t, ID, (int64_t))

void ct__kernel_gemm(ct_dtype dtype, int64_t m, int64_t n, int64_t k, const void *a, int64_t sa0, int64_t sa1,
                     const void *b, int64_t sb0, int64_t sb1, void *c) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        memset(c, 0, (size_t)(m * n) * ct__traits(dtype)->itemsize);
        return;
    }
    CBLAS_TRANSPOSE ta, tb;
    int64_t lda, ldb;
    bool blas = (dtype == CT_FLOAT32 || dtype == CT_FLOAT64) && blas_layout(m, k, sa0, sa1, &ta, &lda) &&
                blas_layout(k, n, sb0, sb1, &tb, &ldb);
    if (blas && dtype == CT_FLOAT32) {
        cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb, 0.0f, c, (int)n);
        return;
    }
    if (blas && dtype == CT_FLOAT64) {
        cblas_dgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0, a, (int)lda, b, (int)ldb, 0.0, c, (int)n);
        return;
    }
    switch (dtype) {
    case CT_FLOAT32: gemm_f32(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_FLOAT64: gemm_f64(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_FLOAT16: gemm_f16(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_BFLOAT16: gemm_bf16(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_UINT8: gemm_u8(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_INT8: gemm_i8(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_INT16: gemm_i16(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_INT32: gemm_i32(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    case CT_INT64: gemm_i64(m, n, k, a, sa0, sa1, b, sb0, sb1, c); break;
    default: break; /* bool is refused by the op */
    }
}
