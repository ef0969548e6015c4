/* Test support: the small helpers many test files need around the parity
 * vectors — loading a suite's file, looking up a case that must be there,
 * decoding hex-bit values, building tensors from them and comparing a
 * tensor with them, and checking where the default generator stands. */
#ifndef CT_TESTS_TEST_UTIL_H
#define CT_TESTS_TEST_UTIL_H

#include <ctorch.h>
#include <stdbool.h>
#include <stdint.h>

#include "vectors.h"

/* vec_load(name), then ct_clear_error(); quiet: also turns warnings off. */
vec_file *tu_load(const char *name, bool quiet);

/* The case `name` of f; fails the test ("no case NAME") when absent. */
const vec_case *tu_case(const vec_file *f, const char *name);

/* Token i of key as raw float64 bits / as raw float32 bits, widened. */
double tu_hexd(const vec_case *c, const char *key, int i);
double tu_hexf(const vec_case *c, const char *key, int i);

/* How the hex tokens of a key are read. */
typedef enum tu_bits {
    TU_BITS64,   /* float64 bits */
    TU_BITS32,   /* float32 bits */
    TU_BITS_OF_T /* float32 bits when the tensor compared is float32, else float64 */
} tu_bits;

/* A new tensor of dtype (float32 / float64) and shape (ndim, sizes) holding
 * the hex values of key, read as bits (TU_BITS64 or TU_BITS32), built in
 * float64 and converted. */
ct_tensor *tu_hex_tensor(const vec_case *c, const char *key, tu_bits bits, ct_dtype dtype, int ndim,
                         const int64_t *sizes);

/* What "equal to PyTorch's value" means for tu_expect_hex. */
typedef struct tu_tol {
    double rtol, atol; /* |got - want| <= rtol * |want| + atol */
    bool exact;        /* got == want instead (rtol, atol unused) */
    bool nan_ok;       /* a NaN where PyTorch has NaN passes too */
    tu_bits bits;      /* how key's tokens are read */
} tu_tol;

/* t is not NULL, has as many elements as key has tokens, and each element
 * (read as float64) matches PyTorch's value under tol. */
void tu_expect_hex(const vec_case *c, const char *key, const ct_tensor *t, tu_tol tol);

/* The default generator's next randint(0, 2^30) is the case's "after". */
void tu_check_after(const vec_case *c);

#endif
