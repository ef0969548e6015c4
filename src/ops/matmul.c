/* Matrix products: mm, bmm, dot, vdot, mv, outer, matmul (every rank case,
 * composed as at::native::matmul composes it so grad_fn names match), and
 * the fused forms addmm, addmv, addbmm, baddbmm with their in-place forms.
 * Backward formulas follow PyTorch 1.13's derivatives.yaml and are written
 * with these same ops, so double backward works. */
#include <inttypes.h>
#include <string.h>

#include "kernels/cpu/gemm.h"
#include "ops/op_util.h"

/* ---- shared pieces ---------------------------------------------------------- */

/* "\"addmm_impl_cpu_\" not implemented for 'Bool'": the CPU kernels of 1.13
 * have no bool and (except dot of bfloat16... ) no float16 GEMM. */
static bool not_implemented(const char *kernel, ct_dtype d) {
    if (d != CT_BOOL && d != CT_FLOAT16) return false;
    ct__error("\"%s\" not implemented for '%s'", kernel, ct__traits(d)->scalar_name);
    return true;
}

static bool dtype_mismatch(ct_dtype want, ct_dtype got) {
    if (want == got) return false;
    ct__error("expected scalar type %s but found %s", ct__traits(want)->scalar_name, ct__traits(got)->scalar_name);
    return true;
}

/* A matrix operand (2-D, or 3-D batched) for the kernel. */
static ct_gemm_operand operand(const ct_tensor *t) {
    ct_gemm_operand o = {ct__data(t), 0, 0, 0};
    int d = t->ndim - 2;
    if (t->ndim == 3) o.sbatch = t->strides[0];
    o.s0 = t->strides[d];
    o.s1 = t->strides[d + 1];
    return o;
}

/* A vector (k,) as a (k, 1) column operand. */
static ct_gemm_operand column(const ct_tensor *v) {
    ct_gemm_operand o = {ct__data(v), 0, v->strides[0], 1};
    return o;
}

/* out = beta * self + (product already to be computed by the caller's
 * kernel): new contiguous output of out_sizes, holding self (broadcast,
 * converted) when self is given and beta != 0. *beta_eff: the beta the
 * kernel must use. */
static ct_tensor *prepare_out(const ct_tensor *self, double beta, ct_dtype dtype, int ndim, const int64_t *sizes,
                              double *beta_eff) {
    ct_tensor *out = ct__empty(dtype, ndim, sizes);
    if (!out) return NULL;
    *beta_eff = 0;
    if (self && beta != 0) {
        if (ct__copy_(out, self) != CT_OK) {
            ct_free(out);
            return NULL;
        }
        *beta_eff = beta;
    }
    return out;
}

/* maybe_multiply(t, s): t itself when s == 1. Takes t's reference. */
static ct_tensor *scale(ct_tensor *t, double s) {
    if (!t || s == 1) return t;
    ct_tensor *r = ct_mul_scalar(t, s);
    ct_free(t);
    return r;
}

/* grad for a broadcast `self` of the add* ops: sum_to(g * beta, self.shape) */
static ct_tensor *self_grad(ct_node *n, const ct_tensor *g, double beta) {
    ct_tensor *s = scale(ct__retain(g), beta);
    ct_tensor *r = s ? ct__sum_to(s, n->ndim_arg, n->shape_arg) : NULL;
    ct_free(s);
    return r;
}

/* Record node over inputs, saving inputs[save[i]] into slot i when the
 * gradient of some other input needs it (need[i] lists which edge). */
static ct_tensor *record(ct_tensor *out, const char *name, ct_backward_fn fn, int n_in, const ct_tensor *const *in,
                         const ct_tensor *self_shape, double beta, double alpha, ct_node **node) {
    if (node) *node = NULL;
    if (!out || !ct__any_requires_grad(n_in, in)) return out;
    ct_node *n = ct__record(name, fn, out, n_in, in);
    if (!n) {
        ct_free(out);
        return NULL;
    }
    n->scalars[0] = beta;
    n->scalars[1] = alpha;
    if (self_shape) {
        n->ndim_arg = self_shape->ndim;
        memcpy(n->shape_arg, self_shape->sizes, sizeof self_shape->sizes);
    }
    if (node) *node = n;
    return out;
}

/* Save the two matrix operands a (slot 0) and b (slot 1) of a product
 * whose edges for a and b are ia and ib: a is needed for b's gradient and
 * vice versa. Frees out on failure. */
static ct_tensor *save_pair(ct_tensor *out, ct_node *n, const ct_tensor *a, const ct_tensor *b, int ia, int ib) {
    if (!n) return out;
    if ((n->next[ib].fn && ct__save(n, 0, a, false, 0) != CT_OK) ||
        (n->next[ia].fn && ct__save(n, 1, b, false, 0) != CT_OK)) {
        ct_free(out);
        return NULL;
    }
    return out;
}

/* In-place add* forms: r (computed out of place) becomes self's value and
 * history (ct__write_back), after the add* family's own shape message:
 * "Bad in-place call: input tensor size [4] and output tensor size [2, 4]
 * should match". */
static int write_back(ct_tensor *self, ct_tensor *r) {
    if (r && (r->ndim != self->ndim || memcmp(r->sizes, self->sizes, (size_t)self->ndim * sizeof *self->sizes))) {
        char s1[256], s2[256];
        ct__error("Bad in-place call: input tensor size %s and output tensor size %s should match",
                  ct__format_shape(s1, sizeof s1, self->ndim, self->sizes),
                  ct__format_shape(s2, sizeof s2, r->ndim, r->sizes));
        ct_free(r);
        return CT_ERROR;
    }
    return ct__write_back(self, r);
}

static int inplace_check(ct_tensor *self, const ct_tensor *a, const ct_tensor *b) {
    if (!self || !a || !b) return CT_ERROR;
    return ct__check_inplace(self);
}

/* ---- mm / addmm --------------------------------------------------------------- */

/* op(a) @ op(b), op = transpose when ta / tb: mm(a.t(), b) etc. without the
 * views (what mm_kernel computes from them, for a backward that records
 * nothing). 2-D operands of one dtype, shapes already checked. */
static ct_tensor *mm_nograd(const ct_tensor *a, bool ta, const ct_tensor *b, bool tb) {
    ct_gemm_operand A = operand(a), B = operand(b);
    int64_t m = a->sizes[ta], k = a->sizes[!ta], nn = b->sizes[!tb];
    if (ta) A.s0 = a->strides[1], A.s1 = a->strides[0];
    if (tb) B.s0 = b->strides[1], B.s1 = b->strides[0];
    ct_tensor *out = ct__empty(a->dtype, CT_SIZE(m, nn));
    if (out) ct__kernel_gemm_batched(a->dtype, 1, m, nn, k, 1.0, A, B, 0.0, ct__data(out));
    return out;
}

/* MmBackward0 (inputs a, b) and AddmmBackward0 (inputs self, a, b):
 * a: g @ b^T * alpha, b: a^T @ g * alpha, self: g * beta summed to shape.
 * saved: a (0), b (1). */
static int addmm_backward_at(ct_node *n, ct_tensor *const *g, ct_tensor **out, int first) {
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (first == 1 && n->next[0].fn && !(out[0] = self_grad(n, g[0], beta))) return CT_ERROR;
    for (int i = 0; i < 2; i++) {
        if (!n->next[first + i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i), *p = NULL;
        if (other && !ct_is_grad_enabled() && other->dtype == g[0]->dtype && other->ndim == 2 && g[0]->ndim == 2 &&
            !not_implemented("addmm_impl_cpu_", other->dtype)) {
            /* no graph to build: the same products by the kernel, reading
             * the transposed operands through swapped strides instead of
             * making t() views */
            ct_tensor *pt = NULL;
            if (n->ints[i]) pt = i == 0 ? mm_nograd(other, false, g[0], true) : mm_nograd(g[0], true, other, false);
            else p = i == 0 ? mm_nograd(g[0], false, other, true) : mm_nograd(other, true, g[0], false);
            if (pt) p = ct_t(pt);
            ct_free(pt);
        } else if (n->ints[i]) {
            /* operand i was column-major (e.g. a Linear's weight.t()): compute
             * its gradient transposed, (b g^T)^T or (g^T a)^T, so that after
             * the TBackward0 of weight.t() the weight's grad is contiguous and
             * AccumulateGrad keeps it without a transposing copy */
            ct_tensor *gt = ct_t(g[0]);
            ct_tensor *pt = gt ? (i == 0 ? ct_mm(other, gt) : ct_mm(gt, other)) : NULL;
            p = pt ? ct_t(pt) : NULL;
            ct_free(gt);
            ct_free(pt);
        } else {
            ct_tensor *ot = ct_t(other);
            p = ot ? (i == 0 ? ct_mm(g[0], ot) : ct_mm(ot, g[0])) : NULL;
            ct_free(ot);
        }
        ct_free(other);
        if (!(out[first + i] = scale(p, alpha))) return CT_ERROR;
    }
    return CT_OK;
}

/* PyTorch's mm_mat1_backward / mm_mat2_backward test the operand's layout
 * when the product is recorded: strides (1, rows) = column-major. */
static ct_tensor *note_layouts(ct_tensor *out, ct_node *n, const ct_tensor *a, const ct_tensor *b) {
    if (!n) return out;
    const ct_tensor *m[2] = {a, b};
    for (int i = 0; i < 2; i++) n->ints[i] = m[i]->strides[0] == 1 && m[i]->strides[1] == m[i]->sizes[0];
    n->nints = 2;
    return out;
}
static int mm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) { return addmm_backward_at(n, g, out, 0); }
static int addmm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    return addmm_backward_at(n, g, out, 1);
}

static ct_tensor *mm_kernel(const ct_tensor *self, const ct_tensor *a, const ct_tensor *b, double beta, double alpha) {
    double be;
    ct_tensor *out = prepare_out(self, beta, a->dtype, CT_SIZE(a->sizes[0], b->sizes[1]), &be);
    if (!out) return NULL;
    ct__kernel_gemm_batched(a->dtype, 1, a->sizes[0], b->sizes[1], a->sizes[1], alpha, operand(a), operand(b), be,
                            ct__data(out));
    return out;
}

static bool mm_shapes_ok(const ct_tensor *a, const ct_tensor *b) {
    if (a->sizes[1] == b->sizes[0]) return true;
    ct__error("mat1 and mat2 shapes cannot be multiplied (%" PRId64 "x%" PRId64 " and %" PRId64 "x%" PRId64 ")",
              a->sizes[0], a->sizes[1], b->sizes[0], b->sizes[1]);
    return false;
}

ct_tensor *ct_mm(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim != 2) {
        ct__error("self must be a matrix");
        return NULL;
    }
    if (b->ndim != 2) {
        ct__error("mat2 must be a matrix");
        return NULL;
    }
    if (!mm_shapes_ok(a, b) || dtype_mismatch(a->dtype, b->dtype) || not_implemented("addmm_impl_cpu_", a->dtype))
        return NULL;
    const ct_tensor *in[2] = {a, b};
    ct_node *n;
    ct_tensor *out = record(mm_kernel(NULL, a, b, 0, 1), "MmBackward0", mm_backward, 2, in, NULL, 0, 1, &n);
    return save_pair(note_layouts(out, n, a, b), n, a, b, 0, 1);
}

/* addmm's checks, shared by addbmm: dtype rules of 1.13's addmm meta. */
static bool addmm_dtypes_ok(const ct_tensor *self, const ct_tensor *a, const ct_tensor *b) {
    if (self->dtype != b->dtype) {
        ct__error("self and mat2 must have the same dtype");
        return false;
    }
    if (a->dtype != b->dtype) {
        ct__error("mat1 and mat2 must have the same dtype");
        return false;
    }
    return true;
}

/* self must expand to sizes (PyTorch's expand_size message otherwise). */
static bool expands_to(const ct_tensor *self, int ndim, const int64_t *sizes) {
    if (self->ndim <= ndim) { /* the common case (a bias row) without making the expanded view */
        bool ok = true;
        for (int i = 0; i < self->ndim && ok; i++) {
            int64_t s = self->sizes[self->ndim - 1 - i], want = sizes[ndim - 1 - i];
            ok = s == want || s == 1;
        }
        if (ok) return true;
    }
    ct_tensor *e = ct__expand(self, ndim, sizes);
    ct_free(e);
    return e != NULL;
}

ct_tensor *ct_addmm(const ct_tensor *self, const ct_tensor *mat1, const ct_tensor *mat2, double beta, double alpha) {
    if (!self || !mat1 || !mat2) return NULL;
    for (int i = 0; i < 2; i++) {
        const ct_tensor *m = i ? mat2 : mat1;
        if (m->ndim != 2) {
            ct__error("mat%d must be a matrix, got %d-D tensor", i + 1, m->ndim);
            return NULL;
        }
    }
    if (!mm_shapes_ok(mat1, mat2) || !addmm_dtypes_ok(self, mat1, mat2) ||
        !expands_to(self, CT_SIZE(mat1->sizes[0], mat2->sizes[1])) || not_implemented("addmm_impl_cpu_", self->dtype))
        return NULL;
    const ct_tensor *in[3] = {self, mat1, mat2};
    ct_node *n;
    ct_tensor *out =
        record(mm_kernel(self, mat1, mat2, beta, alpha), "AddmmBackward0", addmm_backward, 3, in, self, beta, alpha, &n);
    return save_pair(note_layouts(out, n, mat1, mat2), n, mat1, mat2, 1, 2);
}

int ct_addmm_(ct_tensor *self, const ct_tensor *mat1, const ct_tensor *mat2, double beta, double alpha) {
    if (inplace_check(self, mat1, mat2) != CT_OK) return CT_ERROR;
    return write_back(self, ct_addmm(self, mat1, mat2, beta, alpha));
}

/* ---- bmm / baddbmm / addbmm ------------------------------------------------ */

/* BmmBackward0 (a, b) and BaddbmmBackward0 (self, a, b):
 * a: g @ b^T(1,2) * alpha, b: a^T(1,2) @ g * alpha. saved: a (0), b (1). */
static int baddbmm_backward_at(ct_node *n, ct_tensor *const *g, ct_tensor **out, int first) {
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (first == 1 && n->next[0].fn && !(out[0] = self_grad(n, g[0], beta))) return CT_ERROR;
    for (int i = 0; i < 2; i++) {
        if (!n->next[first + i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        ct_tensor *ot = other ? ct_transpose(other, 1, 2) : NULL;
        ct_tensor *p = ot ? (i == 0 ? ct_bmm(g[0], ot) : ct_bmm(ot, g[0])) : NULL;
        ct_free(other);
        ct_free(ot);
        if (!(out[first + i] = scale(p, alpha))) return CT_ERROR;
    }
    return CT_OK;
}
static int bmm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) { return baddbmm_backward_at(n, g, out, 0); }
static int baddbmm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    return baddbmm_backward_at(n, g, out, 1);
}

static bool bmm_checks(const ct_tensor *a, const ct_tensor *b) {
    if (a->ndim != 3) {
        ct__error("batch1 must be a 3D tensor");
        return false;
    }
    if (b->ndim != 3) {
        ct__error("batch2 must be a 3D tensor");
        return false;
    }
    if (b->sizes[0] != a->sizes[0] || b->sizes[1] != a->sizes[2]) {
        ct__error("Expected size for first two dimensions of batch2 tensor to be: [%" PRId64 ", %" PRId64
                  "] but got: [%" PRId64 ", %" PRId64 "].",
                  a->sizes[0], a->sizes[2], b->sizes[0], b->sizes[1]);
        return false;
    }
    return !dtype_mismatch(a->dtype, b->dtype);
}

static ct_tensor *bmm_kernel(const ct_tensor *self, const ct_tensor *a, const ct_tensor *b, double beta, double alpha) {
    double be;
    ct_tensor *out = prepare_out(self, beta, a->dtype, CT_SIZE(a->sizes[0], a->sizes[1], b->sizes[2]), &be);
    if (!out) return NULL;
    ct__kernel_gemm_batched(a->dtype, a->sizes[0], a->sizes[1], b->sizes[2], a->sizes[2], alpha, operand(a),
                            operand(b), be, ct__data(out));
    return out;
}

ct_tensor *ct_bmm(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    if (!bmm_checks(a, b) || not_implemented("bmm", a->dtype)) return NULL;
    const ct_tensor *in[2] = {a, b};
    ct_node *n;
    ct_tensor *out = record(bmm_kernel(NULL, a, b, 0, 1), "BmmBackward0", bmm_backward, 2, in, NULL, 0, 1, &n);
    return save_pair(out, n, a, b, 0, 1);
}

/* batch1.size(d) / batch2.size(d) as PyTorch evaluates them for the
 * expected shape of self; -1 with "Dimension out of range" when missing. */
static int64_t size_at(const ct_tensor *t, int d) {
    int w = ct__wrap_dim(d, t->ndim);
    return w < 0 || t->ndim == 0 ? -1 : t->sizes[w];
}

ct_tensor *ct_baddbmm(const ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                      double alpha) {
    if (!self || !batch1 || !batch2) return NULL;
    int64_t s0 = size_at(batch1, 0), s1 = s0 < 0 ? -1 : size_at(batch1, 1), s2 = s1 < 0 ? -1 : size_at(batch2, 2);
    if (s2 < 0 || !expands_to(self, CT_SIZE(s0, s1, s2))) return NULL;
    if (!bmm_checks(batch1, batch2) || not_implemented("baddbmm", batch1->dtype)) return NULL;
    const ct_tensor *in[3] = {self, batch1, batch2};
    ct_node *n;
    ct_tensor *out = record(bmm_kernel(self, batch1, batch2, beta, alpha), "BaddbmmBackward0", baddbmm_backward, 3,
                            in, self, beta, alpha, &n);
    return save_pair(out, n, batch1, batch2, 1, 2);
}

int ct_baddbmm_(ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta, double alpha) {
    if (inplace_check(self, batch1, batch2) != CT_OK) return CT_ERROR;
    return write_back(self, ct_baddbmm(self, batch1, batch2, beta, alpha));
}

/* AddbmmBackward0 (self, b1, b2): with G = g expanded to (B, n, p),
 * b1: G @ b2^T(1,2) * alpha, b2: b1^T(1,2) @ G * alpha. saved: b1, b2. */
static int addbmm_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (n->next[0].fn && !(out[0] = self_grad(n, g[0], beta))) return CT_ERROR;
    if (!n->next[1].fn && !n->next[2].fn) return CT_OK;
    ct_tensor *g1 = ct_unsqueeze(g[0], 0);
    ct_tensor *ge = g1 ? ct_expand(g1, CT_SIZE(n->ints[0], g[0]->sizes[0], g[0]->sizes[1])) : NULL;
    ct_free(g1);
    if (!ge) return CT_ERROR;
    int rc = CT_OK;
    for (int i = 0; i < 2 && rc == CT_OK; i++) {
        if (!n->next[1 + i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        ct_tensor *ot = other ? ct_transpose(other, 1, 2) : NULL;
        ct_tensor *p = ot ? (i == 0 ? ct_bmm(ge, ot) : ct_bmm(ot, ge)) : NULL;
        ct_free(other);
        ct_free(ot);
        if (!(out[1 + i] = scale(p, alpha))) rc = CT_ERROR;
    }
    ct_free(ge);
    return rc;
}

ct_tensor *ct_addbmm(const ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta,
                     double alpha) {
    if (!self || !batch1 || !batch2) return NULL;
    int64_t s1 = size_at(batch1, 1), s2 = s1 < 0 ? -1 : size_at(batch2, 2);
    if (s2 < 0 || !expands_to(self, CT_SIZE(s1, s2))) return NULL;
    if (batch1->ndim != 3) {
        ct__error("batch1 must be a 3D tensor");
        return NULL;
    }
    if (batch2->ndim != 3) {
        ct__error("batch2 must be a 3D tensor");
        return NULL;
    }
    if (batch1->sizes[0] != batch2->sizes[0]) {
        ct__error("batch1 and batch2 must have same number of batches, got %" PRId64 " and %" PRId64, batch1->sizes[0],
                  batch2->sizes[0]);
        return NULL;
    }
    if (batch1->sizes[2] != batch2->sizes[1]) {
        ct__error("Incompatible matrix sizes for bmm (%" PRId64 "x%" PRId64 " and %" PRId64 "x%" PRId64 ")",
                  batch1->sizes[1], batch1->sizes[2], batch2->sizes[1], batch2->sizes[2]);
        return NULL;
    }
    if (!addmm_dtypes_ok(self, batch1, batch2) || not_implemented("addmm_impl_cpu_", self->dtype)) return NULL;
    /* PyTorch loops result.addmm_(batch1[b], batch2[b], beta, alpha) with
     * beta = 1 after the first batch: the same order of sums here */
    int64_t nb = batch1->sizes[0];
    double be;
    ct_tensor *out = prepare_out(self, beta, self->dtype, CT_SIZE(s1, s2), &be);
    if (!out) return NULL;
    if (nb == 0 && be == 0) {
        if (ct__fill_(out, 0) != CT_OK) {
            ct_free(out);
            return NULL;
        }
    } else if (nb == 0) {
        ct_tensor *o = out;
        ct_grad_mode gm = ct_no_grad_begin();
        out = ct_mul_scalar(o, be);
        ct_grad_mode_end(gm);
        ct_free(o);
        if (!out) return NULL;
    }
    ct_gemm_operand A = operand(batch1), B = operand(batch2);
    size_t isz = ct__traits(self->dtype)->itemsize;
    for (int64_t b = 0; b < nb; b++) {
        ct_gemm_operand Ab = {(const char *)A.data + b * A.sbatch * (int64_t)isz, 0, A.s0, A.s1};
        ct_gemm_operand Bb = {(const char *)B.data + b * B.sbatch * (int64_t)isz, 0, B.s0, B.s1};
        ct__kernel_gemm_batched(self->dtype, 1, s1, s2, batch1->sizes[2], alpha, Ab, Bb, b == 0 ? be : 1.0,
                                ct__data(out));
    }
    const ct_tensor *in[3] = {self, batch1, batch2};
    ct_node *n;
    out = record(out, "AddbmmBackward0", addbmm_backward, 3, in, self, beta, alpha, &n);
    if (n) n->ints[0] = nb;
    return save_pair(out, n, batch1, batch2, 1, 2);
}

int ct_addbmm_(ct_tensor *self, const ct_tensor *batch1, const ct_tensor *batch2, double beta, double alpha) {
    if (inplace_check(self, batch1, batch2) != CT_OK) return CT_ERROR;
    return write_back(self, ct_addbmm(self, batch1, batch2, beta, alpha));
}

/* ---- dot / vdot --------------------------------------------------------------- */

/* DotBackward0 / VdotBackward0 (real dtypes): a: g * b, b: g * a. */
static int dot_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    for (int i = 0; i < 2; i++) {
        if (!n->next[i].fn) continue;
        ct_tensor *other = ct__unpack(n, 1 - i);
        out[i] = other ? ct_mul(g[0], other) : NULL;
        ct_free(other);
        if (!out[i]) return CT_ERROR;
    }
    return CT_OK;
}

static ct_tensor *dot_impl(const ct_tensor *a, const ct_tensor *b, const char *kernel, const char *node) {
    if (!a || !b) return NULL;
    if (a->ndim != 1 || b->ndim != 1) {
        ct__error("1D tensors expected, but got %dD and %dD tensors", a->ndim, b->ndim);
        return NULL;
    }
    if (a->dtype != b->dtype) {
        ct__error("dot : expected both vectors to have same dtype, but found %s and %s",
                  ct__traits(a->dtype)->scalar_name, ct__traits(b->dtype)->scalar_name);
        return NULL;
    }
    if (a->sizes[0] != b->sizes[0]) {
        ct__error("inconsistent tensor size, expected tensor [%" PRId64 "] and src [%" PRId64
                  "] to have the same number of elements, but got %" PRId64 " and %" PRId64 " elements respectively",
                  a->sizes[0], b->sizes[0], a->sizes[0], b->sizes[0]);
        return NULL;
    }
    if (not_implemented(kernel, a->dtype)) return NULL;
    ct_tensor *out = ct__empty(a->dtype, CT_SIZE0);
    if (!out) return NULL;
    ct_gemm_operand A = {ct__data(a), 0, 0, a->strides[0]};
    ct__kernel_gemm_batched(a->dtype, 1, 1, 1, a->sizes[0], 1.0, A, column(b), 0.0, ct__data(out));
    const ct_tensor *in[2] = {a, b};
    ct_node *n;
    out = record(out, node, dot_backward, 2, in, NULL, 0, 1, &n);
    return save_pair(out, n, a, b, 0, 1);
}

ct_tensor *ct_dot(const ct_tensor *a, const ct_tensor *b) { return dot_impl(a, b, "dot", "DotBackward0"); }
ct_tensor *ct_vdot(const ct_tensor *a, const ct_tensor *b) { return dot_impl(a, b, "vdot", "VdotBackward0"); }

/* ---- mv / addmv ----------------------------------------------------------------- */

/* MvBackward0 (mat, vec) / AddmvBackward0 (self, mat, vec):
 * mat: outer(g, vec) * alpha, vec: mat^T @ g * alpha. saved: mat, vec. */
static int addmv_backward_at(ct_node *n, ct_tensor *const *g, ct_tensor **out, int first) {
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (first == 1 && n->next[0].fn && !(out[0] = self_grad(n, g[0], beta))) return CT_ERROR;
    if (n->next[first].fn) {
        ct_tensor *vec = ct__unpack(n, 1);
        ct_tensor *p = vec ? ct_outer(g[0], vec) : NULL;
        ct_free(vec);
        if (!(out[first] = scale(p, alpha))) return CT_ERROR;
    }
    if (n->next[first + 1].fn) {
        ct_tensor *mat = ct__unpack(n, 0);
        ct_tensor *mt = mat ? ct_t(mat) : NULL;
        ct_tensor *p = mt ? ct_mv(mt, g[0]) : NULL;
        ct_free(mat);
        ct_free(mt);
        if (!(out[first + 1] = scale(p, alpha))) return CT_ERROR;
    }
    return CT_OK;
}
static int mv_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) { return addmv_backward_at(n, g, out, 0); }
static int addmv_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    return addmv_backward_at(n, g, out, 1);
}

/* addmv's checks; self_ndim/self_size describe self (mv: the result). */
static bool addmv_checks(int self_ndim, int64_t self_numel, int64_t self_size0, const ct_tensor *mat,
                         const ct_tensor *vec) {
    if (mat->ndim != 2 || vec->ndim != 1 || self_ndim > 1) {
        ct__error("vector + matrix @ vector expected, got %d, %d, %d", self_ndim, mat->ndim, vec->ndim);
        return false;
    }
    if (mat->sizes[1] != vec->sizes[0] || !(mat->sizes[0] == self_size0 || self_numel == 1)) {
        ct__error("size mismatch, got %" PRId64 ", %" PRId64 "x%" PRId64 ",%" PRId64, self_size0, mat->sizes[0],
                  mat->sizes[1], vec->sizes[0]);
        return false;
    }
    return !dtype_mismatch(mat->dtype, vec->dtype) && !not_implemented("addmv_impl_cpu", mat->dtype);
}

static ct_tensor *mv_kernel(const ct_tensor *self, const ct_tensor *mat, const ct_tensor *vec, double beta,
                            double alpha) {
    double be;
    ct_tensor *out = prepare_out(self, beta, mat->dtype, CT_SIZE(mat->sizes[0]), &be);
    if (!out) return NULL;
    ct__kernel_gemm_batched(mat->dtype, 1, mat->sizes[0], 1, mat->sizes[1], alpha, operand(mat), column(vec), be,
                            ct__data(out));
    return out;
}

ct_tensor *ct_mv(const ct_tensor *mat, const ct_tensor *vec) {
    if (!mat || !vec) return NULL;
    int64_t rows = mat->ndim == 2 ? mat->sizes[0] : 1;
    if (!addmv_checks(1, rows, rows, mat, vec)) return NULL;
    const ct_tensor *in[2] = {mat, vec};
    ct_node *n;
    ct_tensor *out = record(mv_kernel(NULL, mat, vec, 0, 1), "MvBackward0", mv_backward, 2, in, NULL, 0, 1, &n);
    return save_pair(out, n, mat, vec, 0, 1);
}

ct_tensor *ct_addmv(const ct_tensor *self, const ct_tensor *mat, const ct_tensor *vec, double beta, double alpha) {
    if (!self || !mat || !vec) return NULL;
    int64_t s0 = self->ndim == 1 ? self->sizes[0] : 1;
    if (!addmv_checks(self->ndim, ct__numel(self), s0, mat, vec)) return NULL;
    const ct_tensor *in[3] = {self, mat, vec};
    ct_node *n;
    ct_tensor *out =
        record(mv_kernel(self, mat, vec, beta, alpha), "AddmvBackward0", addmv_backward, 3, in, self, beta, alpha, &n);
    return save_pair(out, n, mat, vec, 1, 2);
}

int ct_addmv_(ct_tensor *self, const ct_tensor *mat, const ct_tensor *vec, double beta, double alpha) {
    if (inplace_check(self, mat, vec) != CT_OK) return CT_ERROR;
    return write_back(self, ct_addmv(self, mat, vec, beta, alpha));
}

/* ---- outer --------------------------------------------------------------------- */

/* torch.outer is composite: self.reshape(-1, 1) * vec2 (MulBackward0,
 * type promotion of mul). */
ct_tensor *ct_outer(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim != 1) {
        ct__error("outer: Expected 1-D argument self, but got %d-D", a->ndim);
        return NULL;
    }
    if (b->ndim != 1) {
        ct__error("outer: Expected 1-D argument vec2, but got %d-D", b->ndim);
        return NULL;
    }
    ct_tensor *col = ct_reshape(a, CT_SIZE(-1, 1));
    ct_tensor *r = col ? ct_mul(col, b) : NULL;
    ct_free(col);
    return r;
}

ct_tensor *ct_ger(const ct_tensor *a, const ct_tensor *b) { return ct_outer(a, b); }

/* ---- matmul -------------------------------------------------------------------- */

/* at::_unsafe_view: a view of a fresh result, recorded as
 * UnsafeViewBackward0 (grad reshaped back). */
static int unsafe_view_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    out[0] = ct_reshape(g[0], n->ndim_arg, n->shape_arg);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *unsafe_view(ct_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    ct_tensor *r = ct__view(t, ndim, sizes);
    const ct_tensor *in[1] = {t};
    r = record(r, "UnsafeViewBackward0", unsafe_view_backward, 1, in, t, 0, 1, NULL);
    ct_free(t);
    return r;
}

/* squeeze_(0) on a fresh result: SqueezeBackward3 (grad unsqueezed). */
static int squeeze0_backward(ct_node *n, ct_tensor *const *g, ct_tensor **out) {
    (void)n;
    out[0] = ct_unsqueeze(g[0], 0);
    return out[0] ? CT_OK : CT_ERROR;
}

static ct_tensor *squeeze0_(ct_tensor *t) {
    if (!t) return NULL;
    ct_tensor *r = ct__squeeze_dim(t, 0);
    const ct_tensor *in[1] = {t};
    r = record(r, "SqueezeBackward3", squeeze0_backward, 1, in, NULL, 0, 1, NULL);
    ct_free(t);
    return r;
}

/* at::native::should_fold (1.13) */
static bool should_fold(const ct_tensor *t1, int dim2) {
    if (t1->ndim >= 3 && (dim2 == 1 || dim2 == 2)) {
        if (t1->ndim == 3 && dim2 == 2 && t1->strides[2] != 1 && t1->strides[0] == t1->sizes[1] * t1->sizes[2])
            return false;
        return true;
    }
    return false;
}

/* t1 (>= 3-D) folded to a matrix times t2 (1-D or 2-D); transpose: the
 * operands came swapped (mT), the result is transposed back. */
static ct_tensor *matmul_fold(const ct_tensor *a, const ct_tensor *b) {
    bool transpose = b->ndim > a->ndim;
    ct_tensor *t1 = transpose ? ct_transpose(b, -1, -2) : ct__retain(a);
    ct_tensor *t2 = !transpose ? ct__retain(b) : a->ndim == 2 ? ct_t(a) : ct__retain(a);
    ct_tensor *r = NULL;
    if (t1 && t2) {
        int64_t shape[CT_MAX_DIMS];
        int nd = t1->ndim - 1;
        int64_t folded = 1;
        for (int i = 0; i < nd; i++) folded *= (shape[i] = t1->sizes[i]);
        if (t2->ndim == 2) shape[nd++] = t2->sizes[1];
        ct_tensor *f = ct_reshape(t1, CT_SIZE(folded, t1->sizes[t1->ndim - 1]));
        if (f && t2->ndim == 2) {
            ct_tensor *o = unsafe_view(ct_mm(f, t2), nd, shape);
            if (o && transpose) {
                ct_tensor *ot = ct_transpose(o, -1, -2);
                r = ot ? ct_contiguous(ot) : NULL;
                ct_free(ot);
                ct_free(o);
            } else {
                r = o;
            }
        } else if (f) {
            r = unsafe_view(ct_mv(f, t2), nd, shape);
        }
        ct_free(f);
    }
    ct_free(t1);
    ct_free(t2);
    return r;
}

/* both >= 1-D, one >= 3-D, not folded: broadcast batches, bmm, view. */
static ct_tensor *matmul_batched(const ct_tensor *a, const ct_tensor *b) {
    int da = a->ndim, db = b->ndim;
    int64_t n = da > 1 ? a->sizes[da - 2] : 1, m1 = a->sizes[da - 1];
    int64_t m2 = db > 1 ? b->sizes[db - 2] : b->sizes[0], p = db > 1 ? b->sizes[db - 1] : 1;
    int64_t batch[CT_MAX_DIMS + 2];
    int nb = ct_broadcast_shapes(da > 2 ? da - 2 : 0, a->sizes, db > 2 ? db - 2 : 0, b->sizes, batch);
    if (nb < 0) return NULL;
    if (nb + 2 > CT_MAX_DIMS) {
        ct__error("matmul: too many dimensions");
        return NULL;
    }
    int64_t bp = 1;
    for (int i = 0; i < nb; i++) bp *= batch[i];
    int64_t ea[CT_MAX_DIMS], eb[CT_MAX_DIMS];
    memcpy(ea, batch, (size_t)nb * sizeof *ea);
    memcpy(eb, batch, (size_t)nb * sizeof *eb);
    ea[nb] = n, ea[nb + 1] = m1, eb[nb] = m2, eb[nb + 1] = p;
    ct_tensor *xa = ct_expand(a, nb + 2, ea), *xb = ct_expand(b, nb + 2, eb);
    ct_tensor *ra = xa ? ct_reshape(xa, CT_SIZE(bp, n, m1)) : NULL;
    ct_tensor *rb = xb ? ct_reshape(xb, CT_SIZE(bp, m2, p)) : NULL;
    ct_tensor *r = NULL;
    if (ra && rb) {
        int no = nb;
        if (da > 1) batch[no++] = n;
        if (db > 1) batch[no++] = p;
        r = unsafe_view(ct_bmm(ra, rb), no, batch);
    }
    ct_tensor *tmp[4] = {xa, xb, ra, rb};
    ct__free_all(4, tmp);
    return r;
}

ct_tensor *ct_matmul(const ct_tensor *a, const ct_tensor *b) {
    if (!a || !b) return NULL;
    int da = a->ndim, db = b->ndim;
    if (da == 0 || db == 0) {
        ct__error("both arguments to matmul need to be at least 1D, but they are %dD and %dD", da, db);
        return NULL;
    }
    if (da == 1 && db == 1) return ct_dot(a, b);
    if (da == 2 && db == 1) return ct_mv(a, b);
    if (da == 1 && db == 2) {
        ct_tensor *a2 = ct_unsqueeze(a, 0);
        ct_tensor *r = a2 ? squeeze0_(ct_mm(a2, b)) : NULL;
        ct_free(a2);
        return r;
    }
    if (da == 2 && db == 2) return ct_mm(a, b);
    if (should_fold(a, db) || should_fold(b, da)) return matmul_fold(a, b);
    return matmul_batched(a, b);
}
