/* Padding through per-dim index maps (see pad.h). */
#include "kernels/cpu/pad.h"

#include <string.h>

#include "base/dtype_traits.h"

/* Walk the output rows (all dims but the last): for each row, the input
 * offset of its outer index, or -1 when some outer index maps to the fill. */
#define PAD_ROWS(BODY)                                                                                           \
    int64_t idx[16] = {0};                                                                                       \
    int64_t W = ndim ? osizes[ndim - 1] : 1, rows = 1;                                                           \
    for (int d = 0; d + 1 < ndim; d++) rows *= osizes[d];                                                        \
    const int64_t *wmap = ndim ? map[ndim - 1] : NULL;                                                           \
    int64_t ws = ndim ? istrides[ndim - 1] : 0;                                                                  \
    for (int64_t r = 0; r < rows; r++) {                                                                         \
        int64_t base = 0;                                                                                        \
        for (int d = 0; d + 1 < ndim && base >= 0; d++) {                                                        \
            int64_t m = map[d][idx[d]];                                                                          \
            base = m < 0 ? -1 : base + m * istrides[d];                                                          \
        }                                                                                                        \
        if (base >= 0) {                                                                                         \
            BODY                                                                                                 \
        }                                                                                                        \
        for (int d = ndim - 2; d >= 0; d--) {                                                                    \
            if (++idx[d] < osizes[d]) break;                                                                     \
            idx[d] = 0;                                                                                          \
        }                                                                                                        \
    }

#define GATHER(T)                                                                                                \
    static void gather_##T(int ndim, const int64_t *osizes, const int64_t *const *map, const T *in,            \
                           const int64_t *istrides, T *out) {                                                    \
        PAD_ROWS({                                                                                               \
            T *o = out + r * W;                                                                                  \
            const T *i = in + base;                                                                              \
            for (int64_t w = 0; w < W; w++)                                                                      \
                if (wmap[w] >= 0) o[w] = i[wmap[w] * ws];                                                        \
        })                                                                                                       \
    }
GATHER(uint8_t)
GATHER(uint16_t)
GATHER(uint32_t)
GATHER(uint64_t)

#define SCATTER(T)                                                                                               \
    static void scatter_##T(int ndim, const int64_t *osizes, const int64_t *const *map, const T *g,            \
                            const int64_t *istrides, T *gin) {                                                   \
        PAD_ROWS({                                                                                               \
            const T *o = g + r * W;                                                                              \
            T *i = gin + base;                                                                                   \
            for (int64_t w = 0; w < W; w++)                                                                      \
                if (wmap[w] >= 0) i[wmap[w] * ws] += o[w];                                                       \
        })                                                                                                       \
    }
SCATTER(float)
SCATTER(double)

void ct__pad_gather(ct_dtype dtype, int ndim, const int64_t *osizes, const int64_t *const *map, const void *in,
                    const int64_t *istrides, void *out) {
    switch (ct__traits(dtype)->itemsize) {
    case 1: gather_uint8_t(ndim, osizes, map, in, istrides, out); break;
    case 2: gather_uint16_t(ndim, osizes, map, in, istrides, out); break;
    case 4: gather_uint32_t(ndim, osizes, map, in, istrides, out); break;
    default: gather_uint64_t(ndim, osizes, map, in, istrides, out); break;
    }
}

void ct__pad_scatter_add(ct_dtype dtype, int ndim, const int64_t *osizes, const int64_t *const *map, const void *g,
                         const int64_t *istrides, void *gin) {
    if (dtype == CT_FLOAT64)
        scatter_double(ndim, osizes, map, g, istrides, gin);
    else
        scatter_float(ndim, osizes, map, g, istrides, gin);
}
