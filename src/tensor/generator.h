/* Internal: the CPU generator (PyTorch 1.13.1's CPUGeneratorImpl): an
 * mt19937 engine, the seed it was made from, and the cached normal
 * samples. Samplers lock a generator with ct__generator_acquire, draw with
 * the inline functions below, and unlock with ct__generator_release.
 * docs/random.md describes the stream. */
#ifndef CT_TENSOR_GENERATOR_H
#define CT_TENSOR_GENERATOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctorch/random.h"

#define CT_MT_N 624
#define CT_MT_M 397

struct ct_generator {
    pthread_mutex_t mutex;
    uint64_t seed;  /* the full 64-bit seed (initial_seed) */
    int left;       /* mt19937_data_pod: left_, seeded_, next_, state_ */
    bool seeded;
    uint32_t next;
    uint32_t state[CT_MT_N];
    /* the scalar normal path's spare sample (next_double_normal_sample_) */
    bool has_next_double;
    double next_double;
    /* next_float_normal_sample_: no CPU kernel uses it; kept so that
     * get_state/set_state round-trips PyTorch's state bytes */
    bool has_next_float;
    float next_float;
};

/* g, or the default generator when g is NULL, locked. Never NULL. */
ct_generator *ct__generator_acquire(ct_generator *g);
void ct__generator_release(ct_generator *g);

/* mt19937's state refill (called by ct__gen_random every 624 draws). */
void ct__mt_next_state(ct_generator *g);

/* One mt19937 output (CPUGeneratorImpl::random). */
static inline uint32_t ct__gen_random(ct_generator *g) {
    if (--g->left == 0) ct__mt_next_state(g);
    uint32_t y = g->state[g->next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* CPUGeneratorImpl::random64: two draws, the first is the high word. */
static inline uint64_t ct__gen_random64(ct_generator *g) {
    uint64_t hi = ct__gen_random(g);
    uint64_t lo = ct__gen_random(g);
    return (hi << 32) | lo;
}

/* U24: uniform_real_distribution<float>(0, 1), one draw. */
static inline float ct__gen_uniform_f32(ct_generator *g) {
    return (float)(ct__gen_random(g) & 0xFFFFFFu) * 0x1p-24f;
}

/* U53: uniform_real_distribution<double>(0, 1), two draws. */
static inline double ct__gen_uniform_f64(ct_generator *g) {
    return (double)(ct__gen_random64(g) & ((UINT64_C(1) << 53) - 1)) * 0x1p-53;
}

/* at::normal_distribution<double>(mean, std): the scalar Box-Muller path
 * with the cached spare sample; result fma(v, std, mean). */
double ct__gen_normal_f64(ct_generator *g, double mean, double std);

#endif
