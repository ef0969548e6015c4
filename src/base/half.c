/* float16 and bfloat16 <-> float32, round to nearest even (c10::Half,
 * c10::BFloat16 semantics), written on the bit patterns. */
#include <string.h>

#include "ctorch/dtype.h"

static uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t ct_float_to_half(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7FFFFFFFu;
    if (ax >= 0x7F800000u) /* inf, or NaN -> the canonical quiet NaN 0x7E00 (c10's fp16_ieee_from_fp32_value) */
        return (uint16_t)(sign | (ax > 0x7F800000u ? 0x7E00u : 0x7C00u));
    if (ax >= 0x477FF000u) /* rounds to >= 65520: overflow to inf */
        return (uint16_t)(sign | 0x7C00u);
    if (ax < 0x38800000u) {                /* below 2^-14: subnormal half or zero */
        if (ax < 0x33000000u) return sign; /* below half the smallest subnormal (2^-25) */
        uint32_t e = ax >> 23;             /* biased exponent, 102..112 */
        uint32_t m = (ax & 0x7FFFFFu) | 0x800000u;
        uint32_t shift = 126u - e; /* 14..24 */
        uint32_t q = m >> shift;
        uint32_t rem = m & ((1u << shift) - 1u);
        uint32_t halfway = 1u << (shift - 1u);
        if (rem > halfway || (rem == halfway && (q & 1u))) q++;
        return (uint16_t)(sign | q);
    }
    /* normal: rebias 127 -> 15, keep 10 mantissa bits, round to nearest even */
    uint32_t r = ax - 0x38000000u; /* exponent rebias by 112 << 23 */
    uint32_t q = r >> 13;
    uint32_t rem = r & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) q++;
    return (uint16_t)(sign | q);
}

float ct_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t e = (h >> 10) & 0x1Fu;
    uint32_t m = h & 0x3FFu;
    /* inf; NaN keeps its payload and becomes quiet, as c10 and F16C do */
    if (e == 0x1F) return bits_f32(sign | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0u));
    if (e == 0) {
        if (m == 0) return bits_f32(sign);
        /* subnormal: m * 2^-24 is exact in float */
        float v = (float)m * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    return bits_f32(sign | ((e + 112u) << 23) | (m << 13));
}

uint16_t ct_float_to_bfloat16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0u;
    uint32_t rounding_bias = 0x7FFFu + ((x >> 16) & 1u);
    return (uint16_t)((x + rounding_bias) >> 16);
}

float ct_bfloat16_to_float(uint16_t b) { return bits_f32((uint32_t)b << 16); }
