/* Internal: scan kernels (cumulative ops along one dim). */
#ifndef CT_KERNELS_CPU_SCAN_H
#define CT_KERNELS_CPU_SCAN_H

#include <stdint.h>

#include "ctorch/dtype.h"

typedef enum ct_scan_kind { CT_SCAN_CUMSUM, CT_SCAN_CUMPROD, CT_SCAN_CUMMAX, CT_SCAN_CUMMIN } ct_scan_kind;

/* out: contiguous, same sizes as in, of out_dtype. in: (ndim, sizes,
 * in_strides in elements). Along dim: cumsum / cumprod accumulate in
 * double for float32 / float64, float for float16 / bfloat16 (PyTorch's
 * acc_type) and wrapping int64 for integral inputs, storing every step;
 * cummax / cummin (out_dtype == in_dtype) also write int64 indices into
 * `indices` (contiguous), later index on ties, NaN sticks. ndim == 0 is
 * one element. */
void ct__kernel_scan(ct_scan_kind kind, void *out, ct_dtype out_dtype, int64_t *indices, const void *in,
                     ct_dtype in_dtype, int ndim, const int64_t *sizes, const int64_t *in_strides, int dim);

#endif
