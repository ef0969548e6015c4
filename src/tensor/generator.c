/* CPU generators: PyTorch 1.13.1's CPUGeneratorImpl (mt19937 engine,
 * at::mt19937 of ATen/core/MT19937RNGEngine.h) and its state bytes
 * (CPUGeneratorImplState, 5056 bytes; CPUGeneratorImplStateLegacy, 5048). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "tensor/generator.h"

#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tensor/tensor_impl.h"

/* c10::detail::default_rng_seed_val */
#define CT_DEFAULT_SEED UINT64_C(67280421310721)

/* PyTorch's state structs, byte for byte on x86-64 (THGeneratorState is
 * the legacy_pod; the new layout appends the float normal sample). */
typedef struct {
    uint64_t the_initial_seed;
    int32_t left;
    int32_t seeded;
    uint64_t next;
    uint64_t state[CT_MT_N];
    double normal_x;
    double normal_y;
    double normal_rho;
    int32_t normal_is_valid;
} ct__legacy_pod;

typedef struct {
    ct__legacy_pod legacy_pod;
    float next_float_normal_sample;
    bool is_next_float_normal_sample_valid;
} ct__state_pod;

_Static_assert(sizeof(ct__legacy_pod) == 5048, "CPUGeneratorImplStateLegacy is 5048 bytes");
_Static_assert(sizeof(ct__state_pod) == 5056, "CPUGeneratorImplState is 5056 bytes");

static void mt_seed(ct_generator *g, uint64_t seed) {
    g->seed = seed;
    g->seeded = true;
    g->state[0] = (uint32_t)seed;
    for (uint32_t j = 1; j < CT_MT_N; j++)
        g->state[j] = 1812433253u * (g->state[j - 1] ^ (g->state[j - 1] >> 30)) + j;
    g->left = 1;
    g->next = 0;
    g->has_next_double = false;
    g->has_next_float = false;
}

static inline uint32_t mt_twist(uint32_t u, uint32_t v) {
    uint32_t mix = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (mix >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
}

void ct__mt_next_state(ct_generator *g) {
    uint32_t *s = g->state;
    g->left = CT_MT_N;
    g->next = 0;
    int k = 0;
    for (; k < CT_MT_N - CT_MT_M; k++) s[k] = s[k + CT_MT_M] ^ mt_twist(s[k], s[k + 1]);
    for (; k < CT_MT_N - 1; k++) s[k] = s[k + CT_MT_M - CT_MT_N] ^ mt_twist(s[k], s[k + 1]);
    s[CT_MT_N - 1] = s[CT_MT_M - 1] ^ mt_twist(s[CT_MT_N - 1], s[0]);
}

double ct__gen_normal_f64(ct_generator *g, double mean, double std) {
    double v;
    if (g->has_next_double) {
        g->has_next_double = false;
        v = g->next_double;
    } else {
        double u1 = ct__gen_uniform_f64(g);
        double u2 = ct__gen_uniform_f64(g);
        /* 1.13.1 writes log(1 - u2) (newer releases use log1p(-u2)) */
        double r = sqrt(-2.0 * log(1.0 - u2));
        double theta = 2.0 * 3.14159265358979323846 * u1;
        g->next_double = r * sin(theta);
        g->has_next_double = true;
        v = r * cos(theta);
    }
    return fma(v, std, mean);
}

/* ---- the default generator ---- */

static ct_generator g_default;
static pthread_once_t g_default_once = PTHREAD_ONCE_INIT;

static void default_init(void) {
    pthread_mutex_init(&g_default.mutex, NULL);
    mt_seed(&g_default, CT_DEFAULT_SEED);
}

ct_generator *ct_default_generator(void) {
    pthread_once(&g_default_once, default_init);
    return &g_default;
}

ct_generator *ct__generator_acquire(ct_generator *g) {
    if (!g) g = ct_default_generator();
    pthread_mutex_lock(&g->mutex);
    return g;
}

void ct__generator_release(ct_generator *g) { pthread_mutex_unlock(&g->mutex); }

/* ---- public API ---- */

ct_generator *ct_generator_new(void) {
    ct_generator *g = calloc(1, sizeof *g);
    if (!g) {
        ct__error_oom(sizeof *g);
        return NULL;
    }
    pthread_mutex_init(&g->mutex, NULL);
    mt_seed(g, CT_DEFAULT_SEED);
    return g;
}

void ct_generator_free(ct_generator *g) {
    if (!g || g == &g_default) return;
    pthread_mutex_destroy(&g->mutex);
    free(g);
}

void ct_generator_manual_seed(ct_generator *g, uint64_t seed) {
    g = ct__generator_acquire(g);
    mt_seed(g, seed);
    ct__generator_release(g);
}

void ct_manual_seed(uint64_t seed) { ct_generator_manual_seed(NULL, seed); }

/* c10::detail::getNonDeterministicRandom: 64 bits of /dev/urandom (time and
 * address as a fallback when it cannot be read). */
static uint64_t nondeterministic_seed(void) {
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, &s, sizeof s);
        close(fd);
        if (n == (ssize_t)sizeof s) return s;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s = (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
    return s ^ ((uint64_t)(uintptr_t)&s * UINT64_C(0x9E3779B97F4A7C15));
}

uint64_t ct_generator_seed(ct_generator *g) {
    uint64_t s = nondeterministic_seed();
    ct_generator_manual_seed(g, s);
    return s;
}

uint64_t ct_seed(void) { return ct_generator_seed(NULL); }

uint64_t ct_generator_initial_seed(const ct_generator *g) {
    ct_generator *m = ct__generator_acquire((ct_generator *)g);
    uint64_t s = m->seed;
    ct__generator_release(m);
    return s;
}

uint64_t ct_initial_seed(void) { return ct_generator_initial_seed(NULL); }

ct_tensor *ct_generator_get_state(const ct_generator *g) {
    ct__state_pod pod;
    memset(&pod, 0, sizeof pod); /* padding bytes are zero, as in PyTorch */
    ct_generator *m = ct__generator_acquire((ct_generator *)g);
    pod.legacy_pod.the_initial_seed = m->seed;
    pod.legacy_pod.left = m->left;
    pod.legacy_pod.seeded = m->seeded;
    pod.legacy_pod.next = m->next;
    for (int i = 0; i < CT_MT_N; i++) pod.legacy_pod.state[i] = m->state[i];
    if (m->has_next_double) {
        pod.legacy_pod.normal_is_valid = 1;
        pod.legacy_pod.normal_y = m->next_double;
    }
    if (m->has_next_float) {
        pod.is_next_float_normal_sample_valid = true;
        pod.next_float_normal_sample = m->next_float;
    }
    ct__generator_release(m);
    return ct_tensor_from(&pod, CT_UINT8, 1, (const int64_t[]){(int64_t)sizeof pod});
}

ct_tensor *ct_get_rng_state(void) { return ct_generator_get_state(NULL); }

int ct_generator_set_state(ct_generator *g, const ct_tensor *state) {
    if (!state) return CT_ERROR;
    if (state->dtype != CT_UINT8) {
        ct__error("RNG state must be a torch.ByteTensor");
        return CT_ERROR;
    }
    if (!ct__is_contiguous(state)) {
        ct__error("RNG state must be contiguous");
        return CT_ERROR;
    }
    int64_t n = ct__numel(state);
    ct__state_pod pod;
    memset(&pod, 0, sizeof pod);
    bool has_double = false, has_float = false;
    double next_double = 0.0;
    float next_float = 0.0f;
    if (n == (int64_t)sizeof(ct__legacy_pod)) {
        memcpy(&pod.legacy_pod, ct__data(state), sizeof pod.legacy_pod);
        if (pod.legacy_pod.normal_is_valid) {
            /* the legacy layout kept (x, rho): the spare is the sin sample */
            double theta = 2.0 * 3.14159265358979323846 * pod.legacy_pod.normal_x;
            has_double = true;
            next_double = pod.legacy_pod.normal_rho * sin(theta);
        }
    } else if (n == (int64_t)sizeof(ct__state_pod)) {
        memcpy(&pod, ct__data(state), sizeof pod);
        if (pod.is_next_float_normal_sample_valid) {
            has_float = true;
            next_float = pod.next_float_normal_sample;
        }
        if (pod.legacy_pod.normal_is_valid) {
            has_double = true;
            next_double = pod.legacy_pod.normal_y;
        }
    } else {
        ct__error("Expected either a CPUGeneratorImplStateLegacy of size %zu or a CPUGeneratorImplState of size "
                  "%zu but found the input RNG state size to be %lld",
                  sizeof(ct__legacy_pod), sizeof(ct__state_pod), (long long)n);
        return CT_ERROR;
    }
    const ct__legacy_pod *lp = &pod.legacy_pod;
    uint32_t next = (uint32_t)lp->next;
    /* at::mt19937::is_valid (seeded_ is a bool: any nonzero int is true) */
    if (!lp->seeded || lp->left <= 0 || lp->left > CT_MT_N || next > CT_MT_N) {
        ct__error("Invalid mt19937 state");
        return CT_ERROR;
    }
    ct_generator *m = ct__generator_acquire(g);
    m->seed = lp->the_initial_seed;
    m->left = lp->left;
    m->seeded = true;
    m->next = next;
    for (int i = 0; i < CT_MT_N; i++) m->state[i] = (uint32_t)lp->state[i];
    m->has_next_double = has_double;
    m->next_double = next_double;
    m->has_next_float = has_float;
    m->next_float = next_float;
    ct__generator_release(m);
    return CT_OK;
}

int ct_set_rng_state(const ct_tensor *state) { return ct_generator_set_state(NULL, state); }
