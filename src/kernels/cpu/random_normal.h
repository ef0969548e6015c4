/* Internal: the Box-Muller transforms of PyTorch 1.13.1's vectorised
 * normal fill (aten/src/ATen/native/cpu/DistributionTemplates.h,
 * normal_fill_16 / normal_fill_16_AVX2), on 16 uniforms in place:
 * d[j], d[j+8] (j < 8) become the cos / sin samples of u1 = 1 - d[j],
 * u2 = d[j+8]. The float32 version reproduces the AVX2 build, with the
 * Cephes single-precision log and sincos of avx_mathfun.h and the FMA
 * contractions of that build. */
#ifndef CT_KERNELS_CPU_RANDOM_NORMAL_H
#define CT_KERNELS_CPU_RANDOM_NORMAL_H

#include <stdint.h>

void ct__normal_fill16_f32(float *d, float mean, float std);
void ct__normal_fill16_f64(double *d, double mean, double std);
/* float16 / bfloat16 (raw bits): normal_fill_16<c10::Half / BFloat16>,
 * every named intermediate rounded to the 16-bit type. */
void ct__normal_fill16_f16(uint16_t *d, uint16_t mean, uint16_t std);
void ct__normal_fill16_bf16(uint16_t *d, uint16_t mean, uint16_t std);

/* Cephes logf / sincosf of avx_mathfun.h, one lane (exposed for tests). */
float ct__cephes_logf(float x);
void ct__cephes_sincosf(float x, float *s, float *c);

#endif
