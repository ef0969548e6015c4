/* Small string helpers. */
#include <stdlib.h>
#include <string.h>

#include "base/error_state.h"
#include "base/text.h"

char *ct__strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p) {
        ct__error_oom(n);
        return NULL;
    }
    memcpy(p, s, n);
    return p;
}
