/* ctorch/random.h — generators and random sampling, bit-identical to
 * PyTorch 1.13.1's CPU stream (docs/random.md): after ct_manual_seed(s),
 * each function returns exactly what torch returns after torch.manual_seed(s),
 * for every dtype it accepts (float16/bfloat16 included).
 *
 * The generator used is opts->generator (or the g argument), or the default
 * generator when it is NULL. Every generator carries a mutex held for the
 * whole of one sampling call, as PyTorch does; sharing one between threads
 * is safe but the interleaving of draws (hence the values) is then
 * unspecified. Results never depend on ct_set_num_threads: all samplers are
 * serial.
 *
 * Ownership: returned tensors are new references; tensor arguments are
 * borrowed. A NULL tensor argument returns NULL / CT_ERROR and leaves the
 * earlier error message in place. Factories honour opts->requires_grad
 * (floating dtypes only, as PyTorch). */
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
/* g.get_state(): a new (5056,) uint8 tensor in PyTorch's
 * CPUGeneratorImplState layout (seed, mt19937 state, cached normal), so
 * states move between ctorch and torch.get_rng_state/set_rng_state.
 * g.set_state(state): a contiguous uint8 tensor of 5056 bytes, or of 5048
 * bytes (the legacy CPUGeneratorImplStateLegacy layout). Errors:
 * "RNG state must be a torch.ByteTensor", "RNG state must be contiguous",
 * "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a
 * CPUGeneratorImplState of size 5056 but found the input RNG state size to
 * be 10", "Invalid mt19937 state". g NULL = the default generator. */
ct_tensor *ct_generator_get_state(const ct_generator *g);
CT_NODISCARD int ct_generator_set_state(ct_generator *g, const ct_tensor *state);
ct_tensor *ct_get_rng_state(void);                     /* torch.get_rng_state */
CT_NODISCARD int ct_set_rng_state(const ct_tensor *state);

/* torch.rand / randn(size): floating dtypes only, default the default
 * float dtype ("\"check_uniform_bounds\" not implemented for 'Long'",
 * "\"normal_kernel_cpu\" not implemented for 'Int'"). randn of >= 16
 * contiguous elements uses PyTorch's vectorised Box-Muller, otherwise the
 * scalar path with the generator's cached spare sample. */
ct_tensor *ct_rand(int ndim, const int64_t *sizes, const ct_opts *opts);
ct_tensor *ct_randn(int ndim, const int64_t *sizes, const ct_opts *opts);
/* torch.randint(low, high, size): values in [low, high), default int64,
 * any dtype ("random_ expects 'from' to be less than 'to', but got from=5
 * >= to=5", "to - 1 is out of bounds for unsigned char"). */
ct_tensor *ct_randint(int64_t low, int64_t high, int ndim, const int64_t *sizes, const ct_opts *opts);
/* torch.randperm(n): (n,), default int64; not bool. n < 0: "Trying to
 * create tensor with negative dimension -1: [-1]"; "n cannot be greater
 * than 2049 for Half type."; "value cannot be converted to type uint8_t
 * without overflow". */
ct_tensor *ct_randperm(int64_t n, const ct_opts *opts);
/* *_like: t's shape, dtype defaults to t's; like torch.empty_like with
 * preserve_format the result keeps t's strides when t is non-overlapping
 * and dense (so a transposed t gives a transposed result, filled in memory
 * order exactly as PyTorch fills it). */
ct_tensor *ct_rand_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_randn_like(const ct_tensor *t, const ct_opts *opts);
ct_tensor *ct_randint_like(const ct_tensor *t, int64_t low, int64_t high, const ct_opts *opts);

/* torch.normal, its four forms (g NULL = default generator).
 * normal(mean, std): the output has the broadcast shape of mean and std and
 * mean's dtype: N(0,1) samples, then *= std, then += mean.
 * normal_mean_scalar: std's shape and dtype. normal_std_scalar: mean's
 * shape and dtype, N(0, std) samples then += mean. normal_size: like
 * torch.normal(mean, std, size), default float dtype.
 * Errors: "normal expects std >= 0.0, but found std -1" (scalar std, NaN
 * included), "normal expects all elements of std >= 0.0" (tensor std),
 * the broadcast message, "\"normal_kernel_cpu\" not implemented for 'Long'". */
ct_tensor *ct_normal(const ct_tensor *mean, const ct_tensor *std, ct_generator *g);
ct_tensor *ct_normal_mean_scalar(double mean, const ct_tensor *std, ct_generator *g);
ct_tensor *ct_normal_std_scalar(const ct_tensor *mean, double std, ct_generator *g);
ct_tensor *ct_normal_size(double mean, double std, int ndim, const int64_t *sizes, const ct_opts *opts);

/* In-place samplers (g may be NULL: default generator). They return
 * CT_OK / CT_ERROR and bump t's version. Non-contiguous t is filled in
 * memory order (TensorIterator's order); t must not have stride-0
 * dimensions ("unsupported operation: more than one element of the
 * written-to tensor refers to a single memory location. Please clone() the
 * tensor before performing the operation.").
 * uniform_: floating dtypes; from <= to ("uniform_ expects to return a
 * [from, to) range, but found from=1 > to=0"), both representable ("from is
 * out of bounds for c10::Half"), to - from finite in the dtype.
 * normal_: floating dtypes, std >= 0. */
CT_NODISCARD int ct_uniform_(ct_tensor *t, double from, double to, ct_generator *g);
CT_NODISCARD int ct_normal_(ct_tensor *t, double mean, double std, ct_generator *g);
/* t.random_(): every dtype: [0, 2^digits] for floats (digits = 11, 8, 24,
 * 53), [0, max] for integers, {0, 1} for bool. */
CT_NODISCARD int ct_random_(ct_tensor *t, ct_generator *g);
/* t.random_(from, to): [from, to), every dtype; from and to - 1 must fit
 * the dtype; floats outside +-2^digits warn as PyTorch does. */
CT_NODISCARD int ct_random_range_(ct_tensor *t, int64_t from, int64_t to, ct_generator *g);
/* t.bernoulli_(p) with a scalar p in [0, 1], every dtype ("bernoulli_
 * expects p to be in [0, 1], but got p=1.5"). One U53 draw per element. */
CT_NODISCARD int ct_bernoulli_(ct_tensor *t, double p, ct_generator *g);

/* torch.bernoulli(p): p a floating tensor of probabilities in [0, 1]; the
 * result has p's shape and dtype (U53 draws for float64 p, U24 otherwise).
 * Integer p: "\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'";
 * a p outside [0, 1] fails (after the draws for the elements before it,
 * as in PyTorch) with "Expected p_in >= 0 && p_in <= 1 to be true, but got
 * false.  (Could this error message be improved?  If so, please report an
 * enhancement request to PyTorch.)". */
ct_tensor *ct_bernoulli(const ct_tensor *p, ct_generator *g);
/* torch.bernoulli(t, p) with a scalar p: t's shape, dtype and (dense)
 * strides. */
ct_tensor *ct_bernoulli_scalar(const ct_tensor *t, double p, ct_generator *g);

#ifdef __cplusplus
}
#endif
#endif
