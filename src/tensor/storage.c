/* Reference-counted storage: allocator blocks or caller memory. */
#include <stdlib.h>

#include "base/allocator.h"
#include "tensor/tensor_impl.h"

ct_storage *ct__storage_new(size_t nbytes) {
    ct_storage *s = ct__obj_alloc(sizeof *s);
    if (!s) return NULL;
    if (nbytes) {
        s->data = ct__alloc(nbytes);
        if (!s->data) {
            ct__obj_free(s, sizeof *s);
            return NULL;
        }
    }
    s->nbytes = nbytes;
    atomic_init(&s->refcount, 1);
    atomic_init(&s->version, 0);
    return s;
}

void ct__storage_release(ct_storage *s) {
    if (!s || atomic_fetch_sub(&s->refcount, 1) != 1) return;
    if (s->external) {
        if (s->deleter) s->deleter(s->data, s->deleter_ctx);
    } else {
        ct__dealloc(s->data, s->nbytes);
    }
    ct__obj_free(s, sizeof *s);
}
