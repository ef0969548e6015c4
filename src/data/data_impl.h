/* Internal: the object headers shared by the data layer's files. */
#ifndef CT_DATA_IMPL_H
#define CT_DATA_IMPL_H

#include <stdatomic.h>

#include "ctorch/data.h"

struct ct_dataset {
    atomic_int refcount;
    const ct_dataset_vtable *vt;
    void *ctx;
    int kind; /* CT__DS_* : lets ct_mnist_data find its tensors */
};
enum { CT__DS_USER = 0, CT__DS_TENSOR, CT__DS_SUBSET, CT__DS_CONCAT, CT__DS_MNIST };

/* Internal constructor with a kind tag. */
ct_dataset *ct__dataset_make(const ct_dataset_vtable *vt, void *ctx, int kind);

struct ct_sampler {
    atomic_int refcount;
    const ct_sampler_vtable *vt;
    void *ctx;
    int64_t batch_size; /* > 0 for a BatchSampler */
    bool started;       /* ct_sampler_iter called */
};

/* Python-style index wrap: i in [-n, n) -> [0, n); -1 when out of range. */
static inline int64_t ct__wrap_index(int64_t i, int64_t n) {
    if (i < 0) i += n;
    return (i < 0 || i >= n) ? -1 : i;
}

/* The seed PyTorch draws with torch.empty((), dtype=torch.int64).random_(g):
 * random64() % 2^63 (g NULL: default generator). */
int64_t ct__draw_seed(ct_generator *g);

#endif
