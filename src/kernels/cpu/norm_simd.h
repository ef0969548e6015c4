/* Internal: what the normalization kernels (norm.c: batch norm and the
 * generic loops; norm_rows.c: layer and group norm) share to vectorize
 * their float32 loops in double: function clones per instruction set and
 * GCC vector types of 8 doubles. */
#ifndef CT_KERNELS_CPU_NORM_SIMD_H
#define CT_KERNELS_CPU_NORM_SIMD_H

#include <string.h>

/* AVX-512 and AVX2 clones of a function, picked by CPU at load time
 * (ifunc); plain code under clang and the sanitizers */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define CT_NORM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CT_NORM_CLONES
#endif

/* GCC vector extensions: elementwise IEEE operations (the same bits as the
 * scalar expressions), lowered to zmm / ymm / xmm by each clone */
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

/* dst (v8d) = 8 floats from p, widened. A macro: a function returning a
 * vector would change the ABI per clone. */
#define LD8(dst, p)                               \
    do {                                          \
        v8f f_;                                   \
        memcpy(&f_, (p), sizeof f_);              \
        (dst) = __builtin_convertvector(f_, v8d); \
    } while (0)

/* the 8 partial sums of a vectorized loop, added pairwise */
static inline double sum8d(const double a[8]) {
    return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

#endif
