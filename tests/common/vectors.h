/* Test support: reading the parity vectors that tests/parity/ generators write
 * with PyTorch. File format (tests/parity/README.md):
 *
 *   # comment
 *   case <name>
 *   <key> <token> <token> ...
 *   <key>$ <rest of line, escaped: \n \t \\>
 *   end
 */
#ifndef CT_TESTS_VECTORS_H
#define CT_TESTS_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vec_file vec_file;
typedef struct vec_case vec_case;

/* name is relative to the committed vectors folder (tests/parity/data).
 * Aborts the test (Criterion cr_fatal) when the file cannot be read. */
vec_file *vec_load(const char *name);
void vec_free(vec_file *f);

size_t vec_count(const vec_file *f);
const vec_case *vec_at(const vec_file *f, size_t i);
const vec_case *vec_find(const vec_file *f, const char *case_name); /* NULL if absent */
const char *vec_name(const vec_case *c);

bool vec_has(const vec_case *c, const char *key);
/* Number of tokens of key (0 if absent). */
int vec_len(const vec_case *c, const char *key);
const char *vec_tok(const vec_case *c, const char *key, int i);
int64_t vec_int(const vec_case *c, const char *key, int i);
/* Decimal, "nan", "inf", "-inf", or C99 hex float ("0x1.8p+1"). */
double vec_double(const vec_case *c, const char *key, int i);
/* Hex without 0x: raw bits (e.g. float32 bits "3fc00000"). */
uint64_t vec_hex(const vec_case *c, const char *key, int i);
/* The unescaped text of a "key$" line. */
const char *vec_str(const vec_case *c, const char *key);
/* Fill out[0..n) with the ints of key; returns the count (<= max). */
int vec_ints(const vec_case *c, const char *key, int64_t *out, int max);

#endif
