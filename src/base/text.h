/* Internal: small string helpers (C11 has no strdup; Python-style float text). */
#ifndef CT_BASE_TEXT_H
#define CT_BASE_TEXT_H

#include <stddef.h>

/* A malloc'd copy of s, or NULL (with the out-of-memory error set). */
char *ct__strdup(const char *s);

/* repr(float(v)) as Python prints it ("0.1", "1e-05", "inf", "-0.0"): the
 * shortest digits that round-trip, for messages and reprs worded like
 * PyTorch's. Writes into buf (len >= 32) and returns it. */
const char *ct__py_float(char *buf, size_t len, double v);

#endif
