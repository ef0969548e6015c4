/* Copy with dtype conversion over a strided iterator: one typed 1-D loop per
 * (source, destination) pair, generated from the dtype list. */
#include <stdbool.h>
#include <string.h>

#include "ctorch/parallel.h"
#include "kernels/cpu/convert.h"
#include "kernels/cpu/copy.h"

#define CT_COPY_LOOP(SE, SN, ST, SK, DE, DN, DT, DK)                                                                   \
    static void copy_##SN##_to_##DN(char **data, const int64_t *st, int64_t n, void *ctx) {                            \
        (void)ctx;                                                                                                     \
        char *d = data[0];                                                                                             \
        const char *s = data[1];                                                                                       \
        for (int64_t i = 0; i < n; i++) {                                                                              \
            ST x;                                                                                                      \
            memcpy(&x, s + i * st[1], sizeof x);                                                                       \
            DT y = CT_CONVERT_TO(DN, CT_LOAD_##SK(x));                                                                 \
            memcpy(d + i * st[0], &y, sizeof y);                                                                       \
        }                                                                                                              \
    }

/* Two copies of the list so that the pair expansion can nest. */
#define CT_FOR_EACH_DST(X, ...)                                                                                        \
    X(__VA_ARGS__, CT_BOOL, bool8, uint8_t, BOOL)                                                                      \
    X(__VA_ARGS__, CT_UINT8, uint8, uint8_t, I)                                                                        \
    X(__VA_ARGS__, CT_INT8, int8, int8_t, I)                                                                           \
    X(__VA_ARGS__, CT_INT16, int16, int16_t, I)                                                                        \
    X(__VA_ARGS__, CT_INT32, int32, int32_t, I)                                                                        \
    X(__VA_ARGS__, CT_INT64, int64, int64_t, I)                                                                        \
    X(__VA_ARGS__, CT_FLOAT16, float16, uint16_t, H)                                                                   \
    X(__VA_ARGS__, CT_BFLOAT16, bfloat16, uint16_t, B)                                                                 \
    X(__VA_ARGS__, CT_FLOAT32, float32, float, F)                                                                      \
    X(__VA_ARGS__, CT_FLOAT64, float64, double, F)

#define CT_COPY_LOOPS_FOR_SRC(SE, SN, ST, SK) CT_FOR_EACH_DST(CT_COPY_LOOP, SE, SN, ST, SK)
CT_FOR_EACH_DTYPE(CT_COPY_LOOPS_FOR_SRC)

#define CT_COPY_ENTRY(SE, SN, ST, SK, DE, DN, DT, DK) [DE][SE] = copy_##SN##_to_##DN,
#define CT_COPY_ENTRIES_FOR_SRC(SE, SN, ST, SK) CT_FOR_EACH_DST(CT_COPY_ENTRY, SE, SN, ST, SK)

/* [destination][source] */
static const ct_loop1d_fn copy_table[CT_NUM_DTYPES][CT_NUM_DTYPES] = {CT_FOR_EACH_DTYPE(CT_COPY_ENTRIES_FOR_SRC)};

static void copy_same_dtype(char **data, const int64_t *st, int64_t n, void *ctx) {
    size_t itemsize = *(const size_t *)ctx;
    if (st[0] == (int64_t)itemsize && st[1] == (int64_t)itemsize) {
        memmove(data[0], data[1], (size_t)n * itemsize);
        return;
    }
    /* strided: one typed move per element (a variable-size memcpy per
     * element costs several times more, e.g. on transposes) */
    char *d = data[0];
    const char *s = data[1];
    switch (itemsize) {
    case 1:
        for (int64_t i = 0; i < n; i++) d[i * st[0]] = s[i * st[1]];
        break;
    case 2:
        for (int64_t i = 0; i < n; i++) memcpy(d + i * st[0], s + i * st[1], 2);
        break;
    case 4:
        for (int64_t i = 0; i < n; i++) memcpy(d + i * st[0], s + i * st[1], 4);
        break;
    case 8:
        for (int64_t i = 0; i < n; i++) memcpy(d + i * st[0], s + i * st[1], 8);
        break;
    default:
        for (int64_t i = 0; i < n; i++) memcpy(d + i * st[0], s + i * st[1], itemsize);
    }
}

/* float32 -> bfloat16 on a contiguous run goes through PyTorch's AVX2
 * cvtfp32_bf16 on x86-64 (for every length, tail included), which rounds
 * to nearest even like c10::BFloat16 but writes NaN (any sign or payload)
 * as 0xFFFF; a strided run uses c10::BFloat16 (NaN -> 0x7FC0). */
static void copy_float32_to_bfloat16_vec(char **data, const int64_t *st, int64_t n, void *ctx) {
    (void)ctx;
    bool vec = n == 1 || (st[0] == 2 && st[1] == 4);
    for (int64_t i = 0; i < n; i++) {
        float x;
        memcpy(&x, data[1] + i * st[1], sizeof x);
        uint16_t y = (x != x && vec) ? (uint16_t)0xFFFFu : ct_float_to_bfloat16(x);
        memcpy(data[0] + i * st[0], &y, sizeof y);
    }
}

/* float64 -> bfloat16: on a contiguous run PyTorch converts whole blocks
 * of Vectorized<BFloat16>::size() (16) elements with the vector routine
 * (NaN -> 0xFFFF) and the tail element by element with c10::BFloat16
 * (NaN -> 0x7FC0); a strided run is all scalar. Only NaN tells them apart. */
static void copy_float64_to_bfloat16_vec(char **data, const int64_t *st, int64_t n, void *ctx) {
    (void)ctx;
    int64_t vec_end = (st[0] == 2 && st[1] == 8) ? n - n % 16 : 0;
    for (int64_t i = 0; i < n; i++) {
        double x;
        memcpy(&x, data[1] + i * st[1], sizeof x);
        uint16_t y = (x != x && i < vec_end) ? (uint16_t)0xFFFFu : ct_float_to_bfloat16((float)x);
        memcpy(data[0] + i * st[0], &y, sizeof y);
    }
}

/* bfloat16 -> float32 is the bit shift: a signaling NaN stays signaling
 * (the generic loop's detour through double would quiet it). */
static void copy_bfloat16_to_float32_bits(char **data, const int64_t *st, int64_t n, void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) {
        uint16_t x;
        memcpy(&x, data[1] + i * st[1], sizeof x);
        uint32_t y = (uint32_t)x << 16;
        memcpy(data[0] + i * st[0], &y, sizeof y);
    }
}

void ct__kernel_copy(const ct_strided_iter *it, ct_dtype dst, ct_dtype src) {
    if (dst == CT_FLOAT32 && src == CT_BFLOAT16) {
        ct__iter_run_parallel(it, CT_GRAIN_SIZE, copy_bfloat16_to_float32_bits, NULL);
        return;
    }
    if (dst == CT_BFLOAT16 && (src == CT_FLOAT32 || src == CT_FLOAT64)) {
        ct__iter_run_parallel(it, CT_GRAIN_SIZE,
                              src == CT_FLOAT32 ? copy_float32_to_bfloat16_vec : copy_float64_to_bfloat16_vec, NULL);
        return;
    }
    if (dst == src) {
        size_t itemsize = ct__traits(dst)->itemsize;
        ct__iter_run_parallel(it, CT_GRAIN_SIZE, copy_same_dtype, &itemsize);
        return;
    }
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, copy_table[dst][src], NULL);
}

typedef struct {
    unsigned char bytes[8];
    size_t itemsize;
    bool zero; /* every byte of the value is 0 (not -0.0) */
} fill_ctx;

/* one run of n elements (stride st[0] bytes) set to the value's bytes: a
 * memset for zero bytes, else stores of the element's width (the compiler
 * vectorizes the contiguous ones) */
#define FILL_RUN(U)                                                                  \
    do {                                                                             \
        U v_;                                                                        \
        memcpy(&v_, c->bytes, sizeof v_);                                            \
        if (st[0] == (int64_t)sizeof v_) {                                           \
            U *p_ = (U *)(void *)data[0];                                            \
            for (int64_t i = 0; i < n; i++) p_[i] = v_;                              \
        } else {                                                                     \
            for (int64_t i = 0; i < n; i++) memcpy(data[0] + i * st[0], &v_, sizeof v_); \
        }                                                                            \
    } while (0)

static void fill_loop(char **data, const int64_t *st, int64_t n, void *vctx) {
    const fill_ctx *c = vctx;
    if (c->zero && st[0] == (int64_t)c->itemsize) {
        memset(data[0], 0, (size_t)n * c->itemsize);
        return;
    }
    switch (c->itemsize) {
    case 1: FILL_RUN(uint8_t); break;
    case 2: FILL_RUN(uint16_t); break;
    case 4: FILL_RUN(uint32_t); break;
    case 8: FILL_RUN(uint64_t); break;
    default:
        for (int64_t i = 0; i < n; i++) memcpy(data[0] + i * st[0], c->bytes, c->itemsize);
    }
}

void ct__kernel_fill(const ct_strided_iter *it, ct_dtype dtype, double value) {
    fill_ctx c = {.itemsize = ct__traits(dtype)->itemsize};
    /* convert once, as a double source converts to dtype */
    char *d = (char *)c.bytes;
    double v = value;
    const double *pv = &v;
    char *ptrs[2] = {d, (char *)pv};
    int64_t st[2] = {0, 0};
    copy_table[dtype][CT_FLOAT64](ptrs, st, 1, NULL);
    c.zero = true;
    for (size_t i = 0; i < c.itemsize; i++) c.zero &= c.bytes[i] == 0;
    ct__iter_run_parallel(it, CT_GRAIN_SIZE, fill_loop, &c);
}
