/* Test support: the table-driven op test. A parity file written with
 * tests/parity/op_cases.py holds cases (op name, args, inputs, expected
 * output or error, grad_fn, gradients); op_harness_run replays each through
 * the caller's dispatch function and checks:
 *   - the output's dtype, shape and values (float64 to 1e-12 relative,
 *     float32 to 2e-6 relative + 1e-5 absolute, others exactly), or NULL
 *     with PyTorch's exact message for error cases;
 *   - when PyTorch's output had a grad_fn: ctorch's has the same name (a
 *     floating op without a backward fails here), and the input gradients
 *     of sum(out * w) match;
 *   - for float64 cases: gradcheck, and gradgradcheck unless the op is
 *     listed as only once differentiable. */
#ifndef CT_TESTS_OP_HARNESS_H
#define CT_TESTS_OP_HARNESS_H

#include <ctorch.h>
#include <stdbool.h>

#include "vectors.h"

/* One call as read from a case: op name, numeric args, optional int lists. */
typedef struct op_call {
    const char *op;
    double args[8];
    int nargs;
    int64_t dims[CT_MAX_DIMS];
    int ndims;
    const vec_case *vc; /* for op-specific keys (vec_int(c->vc, "k", 0)) */
} op_call;

/* Returns the op's result (a new reference) or NULL with the error set. */
typedef ct_tensor *(*op_dispatch_fn)(const op_call *call, ct_tensor *const *inputs);

typedef struct op_harness_opts {
    /* ops whose gradient is not itself differentiable in ctorch / PyTorch
     * (NULL-terminated); gradgradcheck is skipped for them */
    const char *const *once_differentiable;
    /* ops whose grad_fn name differs from PyTorch's on purpose
     * (NULL-terminated); the name is then not compared */
    const char *const *other_grad_fn_name;
    /* skip gradcheck for ops where finite differences are meaningless
     * (NULL-terminated), e.g. ops with kinks at the sampled points */
    const char *const *no_gradcheck;
} op_harness_opts;

/* Replays every case of the file; returns the number of cases run. */
size_t op_harness_run(const char *file, op_dispatch_fn dispatch, const op_harness_opts *opts);

/* Helpers for dispatch functions and other tests. */
ct_dtype oh_dtype_named(const char *name);
ct_tensor *oh_load_tensor(const vec_case *c, const char *prefix);
void oh_expect_close(const vec_case *c, const char *what, const ct_tensor *got, const ct_tensor *want);

#endif
