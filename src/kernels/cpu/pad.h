/* Internal: padding as an index map. For every output dim d and output
 * position o, map[d][o] is the input index it reads, or -1 for the fill
 * value (constant mode). Reflect, replicate, circular and constant (with
 * negative amounts cropping) are all such maps. */
#ifndef CT_KERNELS_CPU_PAD_H
#define CT_KERNELS_CPU_PAD_H

#include <stdint.h>

#include "ctorch/dtype.h"

/* out (contiguous, ndim, osizes) = in (strided) gathered through map;
 * positions mapped to -1 are left untouched (the caller fills them).
 * Any dtype (copies raw elements). */
void ct__pad_gather(ct_dtype dtype, int ndim, const int64_t *osizes, const int64_t *const *map, const void *in,
                    const int64_t *istrides, void *out);
/* The adjoint: gin (contiguous, zero-filled by the caller) += g (contiguous,
 * osizes) scattered through map. float32 / float64. */
void ct__pad_scatter_add(ct_dtype dtype, int ndim, const int64_t *osizes, const int64_t *const *map, const void *g,
                         const int64_t *istrides, void *gin);

#endif
