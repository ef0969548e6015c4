/* Internal: the vector instruction set the hand-written kernels may use,
 * probed once per process. Kernels with intrinsics (softmax.c's rows,
 * conv.c's masked rows) compile them with target attributes and pick them
 * at run time, so the build runs on any x86-64. */
#ifndef CT_KERNELS_CPU_CPU_ISA_H
#define CT_KERNELS_CPU_CPU_ISA_H

#include <stdatomic.h>

enum { CT_ISA_SCALAR = 0, CT_ISA_AVX2 = 1 /* with FMA */, CT_ISA_AVX512 = 2 /* AVX-512F */ };

/* the best level this CPU runs (CT_ISA_SCALAR off x86-64 / GCC-compatible
 * compilers) */
int ct__cpu_isa(void);

/* The level a kernel family uses: the CPU's, or the lower one its tests
 * forced (*forced >= 0; -1: none), so each path can be tested on a CPU
 * that has the faster one. */
static inline int ct__isa_in_use(_Atomic int *forced) {
    int b = ct__cpu_isa(), f = atomic_load_explicit(forced, memory_order_relaxed);
    return f >= 0 && f < b ? f : b;
}

#endif
