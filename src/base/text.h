/* Internal: small string helpers (C11 has no strdup). */
#ifndef CT_BASE_TEXT_H
#define CT_BASE_TEXT_H

/* A malloc'd copy of s, or NULL (with the out-of-memory error set). */
char *ct__strdup(const char *s);

#endif
