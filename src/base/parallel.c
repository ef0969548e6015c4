/* parallel_for over OpenMP, with at::parallel_for's grain-size contract. */
#include <omp.h>

#include "base/error_state.h"
#include "ctorch/parallel.h"

int ct_set_num_threads(int n) {
    if (n < 1) {
        ct__error("set_num_threads expects a positive integer");
        return CT_ERROR;
    }
    omp_set_num_threads(n);
    return CT_OK;
}

int ct_get_num_threads(void) { return omp_get_max_threads(); }

void ct_parallel_for(int64_t begin, int64_t end, int64_t grain_size, ct_parallel_fn fn, void *ctx) {
    if (end <= begin) return;
    if (grain_size < 1) grain_size = 1;
    int64_t n = end - begin;
    int threads = omp_get_max_threads();
    if (n <= grain_size || threads <= 1 || omp_in_parallel()) {
        fn(begin, end, ctx);
        return;
    }
    int64_t max_chunks = (n + grain_size - 1) / grain_size;
    int nchunks = (int)(max_chunks < threads ? max_chunks : threads);
#pragma omp parallel num_threads(nchunks)
    {
        int tid = omp_get_thread_num();
        int nt = omp_get_num_threads();
        int64_t chunk = (n + nt - 1) / nt;
        int64_t b = begin + tid * chunk;
        int64_t e = b + chunk < end ? b + chunk : end;
        if (b < e) fn(b, e, ctx);
    }
}
