/* ctorch/random.h — generators and random sampling, bit-identical to
 * PyTorch 1.13.1's CPU stream (docs/random.md): after ct_manual_seed(s),
 * each function returns exactly what torch returns after torch.manual_seed(s).
 *
 * The generator used is opts->generator, or the default generator when opts
 * or its generator is NULL. Generators are not thread-safe: do not share one
 * between threads without a lock (the default generator takes one). */
#ifndef CTORCH_RANDOM_H
#define CTORCH_RANDOM_H

#include <stdint.h>

#include "error.h"
#include "tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* torch.Generator(): a new generator seeded with 67280421310721 (PyTorch's
 * default seed). Free with ct_generator_free. */
ct_generator *ct_generator_new(void);
void ct_generator_free(ct_generator *g);
/* torch.default_generator (owned by the library; never free it). */
ct_generator *ct_default_generator(void);

/* torch.manual_seed(seed) / g.manual_seed(seed): the low 32 bits seed the
 * mt19937 (seed is taken modulo 2^64 as PyTorch does). */
void ct_manual_seed(uint64_t seed);
void ct_generator_manual_seed(ct_generator *g, uint64_t seed);
/* torch.seed() / g.seed(): a non-deterministic seed, set and returned. */
uint64_t ct_seed(void);
uint64_t ct_generator_seed(ct_generator *g);
/* torch.initial_seed() / g.initial_seed(). */
uint64_t ct_initial_seed(void);
uint64_t ct_generator_initial_seed(const ct_generator *g);
/* g.get_state(): a uint8 tensor in PyTorch's CPU generator state layout
 * (5056 bytes), so states move between ctorch and PyTorch.
 * g.set_state(state): state must be such a tensor ("RNG state must be a
 * torch.ByteTensor", "Expected either a THGeneratorState of size 5048 or a
 * CPUGeneratorImplState of size 5056 but found the input RNG state size to be N"). */
ct_tensor *ct_generator_get_state(const ct_generator *g);
CT_NODISCARD int ct_generator_set_state(ct_generator *g, const ct_tensor *state);
ct_tensor *ct_get_rng_state(void);                     /* torch.get_rng_state */
CT_NODISCARD int ct_set_rng_state(const ct_tensor *state);

/* torch.rand / randn(size): floating dtypes only, default float. */
ct_tensor *ct_rand(int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_randn(int ndim, const int64_t *sizes, const ct_opts *opts);
/* torch.randint(low, high, size): values in [low, high), default int64.
 * "random_ expects 'from' to be less than 'to', but got from=5 >= to=5". */
ct_tensor *ct_randint(int64_t low, int64_t high, int ndim, const int64_t *sizes, const ct_opts *opts);
/* torch.randperm(n): default int64. */
ct_tensor *ct_randperm(int64_t n, const ct_opts *opts);
ct_tensor *ct_rand_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_randn_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_randint_like(const ct_tensor *t, int64_t low, int64_t high, const ct_opts *opts);

/* torch.normal, its four forms. Tensor means/stds broadcast (the output
 * takes mean's shape when the numels agree, as PyTorch 1.13).
 * std must be >= 0 ("normal expects std >= 0.0, but found std -1"). */
ct_tensor *ct_normal(const ct_tensor *mean, const ct_tensor *std, ct_generator *g);
ct_tensor *ct_normal_mean_scalar(double mean, const ct_tensor *std, ct_generator *g);
ct_tensor *ct_normal_std_scalar(const ct_tensor *mean, double std, ct_generator *g);
ct_tensor *ct_normal_size(double mean, double std, int ndim, const int64_t *sizes, const ct_opts *opts);

/* In-place samplers (g may be NULL: default generator). */
CT_NODISCARD int ct_uniform_(ct_tensor *t, double from, double to, ct_generator *g);
CT_NODISCARD int ct_normal_(ct_tensor *t, double mean, double std, ct_generator *g);
/* t.random_(): [0, 2^mantissa] for floats, [0, max] for integers. */
CT_NODISCARD int ct_random_(ct_tensor *t, ct_generator *g);
/* t.random_(from, to): [from, to). */
CT_NODISCARD int ct_random_range_(ct_tensor *t, int64_t from, int64_t to, ct_generator *g);
/* t.bernoulli_(p) with a scalar p in [0, 1]. */
CT_NODISCARD int ct_bernoulli_(ct_tensor *t, double p, ct_generator *g);

/* torch.bernoulli(p): p a floating tensor of probabilities in [0, 1]; the
 * result has p's shape and dtype. */
ct_tensor *ct_bernoulli(const ct_tensor *p, ct_generator *g);
/* torch.bernoulli(t, p) with a scalar p: t's shape and dtype. */
ct_tensor *ct_bernoulli_scalar(const ct_tensor *t, double p, ct_generator *g);

#ifdef __cplusplus
}
#endif
#endif
