/* The CPU's vector instruction set, probed once (see cpu_isa.h). */
#include "kernels/cpu/cpu_isa.h"

int ct__cpu_isa(void) {
#if defined(__GNUC__) && defined(__x86_64__)
    static _Atomic int best = -1;
    int b = atomic_load_explicit(&best, memory_order_relaxed);
    if (b < 0) {
        __builtin_cpu_init();
        b = __builtin_cpu_supports("avx512f")                                     ? CT_ISA_AVX512
            : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? CT_ISA_AVX2
                                                                                : CT_ISA_SCALAR;
        atomic_store_explicit(&best, b, memory_order_relaxed);
    }
    return b;
#else
    return CT_ISA_SCALAR;
#endif
}
