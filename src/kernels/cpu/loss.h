/* Internal: fused loss kernels — cross entropy as one log_softmax + nll
 * pass (forward and backward), and the CTC alpha-beta recursion. */
#ifndef CT_KERNELS_CPU_LOSS_H
#define CT_KERNELS_CPU_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "ctorch/dtype.h"

/* x: (N, C, S) contiguous float32/float64; target: N*S int64 (n-major);
 * weight: C values of x's dtype or NULL. For each (n, s) with target t !=
 * ignore_index: loss = -w[t] * log_softmax(x[n, :, s])[t], computed stably
 * (max subtracted, sums in double). out (N*S values of x's dtype, may be
 * NULL) receives the per-element losses (0 where ignored); *sum_loss and
 * *sum_weight receive the totals (double). Returns 0, or -1 with *bad the
 * first out-of-range target. stats (2 doubles per row, may be NULL) receives
 * each row's max and log(sum(exp(x - max))) for the backward (NaN for
 * ignored rows). */
int ct__kernel_cross_entropy_fwd(ct_dtype dtype, const void *x, const int64_t *target, const void *weight, int64_t N,
                                 int64_t C, int64_t S, int64_t ignore_index, void *out, double *sum_loss,
                                 double *sum_weight, int64_t *bad, double *stats);

/* grad_x[n, c, s] = coef(n, s) * (softmax(x[n, :, s])[c] - [c == t]) with
 * coef = scale * row_w[n, s] * g(n, s); rows whose target is outside [0, C)
 * (ignored) or whose row_w is 0 get 0. row_w: N*S values of x's dtype (the
 * class weight of each row's target); g: grad (N*S values of x's dtype) or,
 * when grad_scalar, grad[0]. grad_x: (N, C, S) contiguous, overwritten.
 * stats: the forward's per-row statistics (then one pass per row), or NULL
 * (recomputed). */
void ct__kernel_cross_entropy_bwd(ct_dtype dtype, const void *x, const int64_t *target, const void *row_w, int64_t N,
                                  int64_t C, int64_t S, const void *grad, bool grad_scalar, double scale,
                                  void *grad_x, const double *stats);

/* CTC for one sequence in double: lp (T, C) log-probabilities with element
 * strides (st, sc); tg: L target labels (stride sl). Returns the negative
 * log-likelihood (may be +inf). When grad is non-NULL (T, C contiguous
 * doubles) it receives PyTorch's gradient exp(lp) - exp(log_alpha_beta + nll - lp)
 * for t < T and 0 for t >= input_length, times g. scratch needs 2*T*(2L+1)
 * doubles. */
double ct__kernel_ctc(const double *lp, int64_t T, int64_t C, const int64_t *tg, int64_t L, int64_t blank,
                      double g, double *grad, double *scratch);

#endif
