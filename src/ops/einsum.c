/* torch.einsum as PyTorch 1.13 computes it (aten/src/ATen/native/Linear.cpp
 * without opt_einsum): parse, bring every operand to one canonical dim
 * order (output dims, then contraction dims) with diagonal / permute /
 * unsqueeze, then fold operands left to right with sum / squeeze and
 * sumproduct_pair (permute, reshape, bmm, view). Autograd comes from the
 * composed public ops, so grad_fn names match PyTorch's. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ops/op_util.h"

#define NLABELS 52
#define ELL (-1)
#define MAXSUB 64

static int label_of(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : -2; }
static char char_of(int l) { return (char)(l < 26 ? 'A' + l : 'a' + l - 26); }

/* t := f(t): replace a held reference */
static bool step(ct_tensor **t, ct_tensor *next) {
    ct_free(*t);
    *t = next;
    return next != NULL;
}

/* sumproduct_pair(left, right, sum_dims, keepdim=true) of Linear.cpp:
 * (left * right).sum(sum_dims, keepdim) through permute, reshape, bmm */
static ct_tensor *sumproduct_pair(const ct_tensor *left_, const ct_tensor *right_, int nsum, const int64_t *sum_dims_) {
    if (nsum == 0) return ct_mul(left_, right_);
    int dim = left_->ndim;
    bool is_sum[CT_MAX_DIMS] = {0};
    for (int i = 0; i < nsum; i++) is_sum[sum_dims_[i]] = true;
    int64_t lro[CT_MAX_DIMS], lo[CT_MAX_DIMS], ro[CT_MAX_DIMS];
    int nlro = 0, nlo = 0, nro = 0;
    int64_t lro_size = 1, lo_size = 1, ro_size = 1, sum_size = 1;
    ct_tensor *left = ct__retain(left_), *right = ct__retain(right_);
    bool ok = left && right;
    for (int i = 0; i < dim && ok; i++) {
        bool sl = left->sizes[i] != 1, sr = right->sizes[i] != 1;
        if (is_sum[i]) {
            if (sl && sr) {
                if (left->sizes[i] != right->sizes[i]) {
                    ct__error("non-broadcast dimensions must match");
                    ok = false;
                }
                sum_size *= left->sizes[i];
            } else if (sl) {
                ok = step(&left, ct_sum_dim(left, CT_SIZE(i), true));
            } else if (sr) {
                ok = step(&right, ct_sum_dim(right, CT_SIZE(i), true));
            }
        } else if (sl && sr) {
            if (left->sizes[i] != right->sizes[i]) {
                ct__error("non-broadcast dimensions must match");
                ok = false;
            }
            lro[nlro++] = i, lro_size *= left->sizes[i];
        } else if (sl) {
            lo[nlo++] = i, lo_size *= left->sizes[i];
        } else {
            ro[nro++] = i, ro_size *= right->sizes[i];
        }
    }
    ct_tensor *result = NULL;
    if (ok) {
        int64_t out_size[CT_MAX_DIMS], lperm[CT_MAX_DIMS], rperm[CT_MAX_DIMS], operm[CT_MAX_DIMS];
        int no = 0, nl = 0, nr = 0;
        for (int i = 0; i < nlro; i++) out_size[no++] = left->sizes[lro[i]];
        for (int i = 0; i < nlo; i++) out_size[no++] = left->sizes[lo[i]];
        for (int i = 0; i < nsum; i++) out_size[no++] = 1;
        for (int i = 0; i < nro; i++) out_size[no++] = right->sizes[ro[i]];
        for (int i = 0; i < nlro; i++) lperm[nl++] = lro[i], rperm[nr++] = lro[i];
        for (int i = 0; i < nlo; i++) lperm[nl++] = lo[i];
        for (int i = 0; i < nsum; i++) lperm[nl++] = sum_dims_[i], rperm[nr++] = sum_dims_[i];
        for (int i = 0; i < nro; i++) lperm[nl++] = ro[i], rperm[nr++] = ro[i];
        for (int i = 0; i < nlo; i++) rperm[nr++] = lo[i];
        int k = 0;
        for (int i = 0; i < nlro; i++) operm[lro[i]] = k++;
        for (int i = 0; i < nlo; i++) operm[lo[i]] = k++;
        for (int i = 0; i < nsum; i++) operm[sum_dims_[i]] = k++;
        for (int i = 0; i < nro; i++) operm[ro[i]] = k++;
        ok = step(&left, ct_permute(left, dim, lperm)) && step(&left, ct_reshape(left, CT_SIZE(lro_size, lo_size, sum_size))) &&
             step(&right, ct_permute(right, dim, rperm)) &&
             step(&right, ct_reshape(right, CT_SIZE(lro_size, sum_size, ro_size)));
        result = ok ? ct_bmm(left, right) : NULL;
        if (result && step(&result, ct_view(result, no, out_size))) step(&result, ct_permute(result, dim, operm));
    }
    ct_free(left);
    ct_free(right);
    return result;
}

typedef struct parsed {
    int nops;
    int nlab[CT_MAX_DIMS * 4];       /* labels per operand (ELL counts as one) */
    int lab[CT_MAX_DIMS * 4][MAXSUB]; /* label ids or ELL */
} parsed;

ct_tensor *ct_einsum(const char *equation, int n, const ct_tensor *const *operands) {
    if (!equation || n < 0 || (n > 0 && !operands)) return NULL;
    for (int i = 0; i < n; i++)
        if (!operands[i]) return NULL;
    if (n == 0) {
        ct__error("einsum(): must provide at least one operand");
        return NULL;
    }
    if (n > CT_MAX_DIMS * 4) {
        ct__error("einsum(): too many operands");
        return NULL;
    }
    const char *arrow = strstr(equation, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - equation) : strlen(equation);
    static _Thread_local parsed P;
    memset(&P, 0, sizeof P);
    int cur = 0;
    bool found_ell = false;
    for (size_t i = 0; i < lhs_len; i++) {
        char c = equation[i];
        if (c == ' ') continue;
        if (c == '.') {
            if (found_ell) {
                ct__error("einsum(): found '.' for operand %d for which an ellipsis was already found", cur);
                return NULL;
            }
            if (!(i + 2 < lhs_len && equation[i + 1] == '.' && equation[i + 2] == '.')) {
                ct__error("einsum(): found '.' for operand %d that is not part of any ellipsis", cur);
                return NULL;
            }
            i += 2;
            found_ell = true;
            if (P.nlab[cur] < MAXSUB) P.lab[cur][P.nlab[cur]++] = ELL;
        } else if (c == ',') {
            if (++cur >= n) {
                ct__error("einsum(): fewer operands were provided than specified in the equation");
                return NULL;
            }
            found_ell = false;
        } else {
            int l = label_of(c);
            if (l < 0) {
                ct__error("einsum(): invalid subscript given at index %zu in the equation string, subscripts must be "
                          "in [a-zA-Z]",
                          i);
                return NULL;
            }
            if (P.nlab[cur] >= MAXSUB) {
                ct__error("einsum(): too many subscripts for operand %d", cur);
                return NULL;
            }
            P.lab[cur][P.nlab[cur]++] = l;
        }
    }
    if (cur != n - 1) {
        ct__error("einsum(): more operands were provided than specified in the equation");
        return NULL;
    }
    /* label counts and the ellipsis' dims */
    int count[NLABELS] = {0};
    int ell_num_dim = 0;
    for (int i = 0; i < n; i++) {
        const ct_tensor *op = operands[i];
        bool has_ell = false;
        for (int j = 0; j < P.nlab[i]; j++) {
            if (P.lab[i][j] == ELL) has_ell = true;
            else count[P.lab[i][j]]++;
        }
        int nsub = P.nlab[i] - (has_ell ? 1 : 0);
        if (has_ell) {
            if (nsub > op->ndim) {
                ct__error("einsum(): the number of subscripts in the equation (%d) is more than the number of "
                          "dimensions (%d) for operand %d",
                          nsub, op->ndim, i);
                return NULL;
            }
            if (op->ndim - nsub > ell_num_dim) ell_num_dim = op->ndim - nsub;
        } else if (nsub != op->ndim) {
            ct__error("einsum(): the number of subscripts in the equation (%d) does not match the number of "
                      "dimensions (%d) for operand %d and no ellipsis was given",
                      nsub, op->ndim, i);
            return NULL;
        }
    }
    /* canonical order: output dims, then the contraction dims */
    int perm_index_of[NLABELS];
    for (int l = 0; l < NLABELS; l++) perm_index_of[l] = -1;
    int perm_index = 0, ell_index = 0;
    bool ell_in_output = false;
    if (!arrow) {
        /* implicit output: the ellipsis dims first, then labels seen once */
        ell_in_output = true;
        perm_index = ell_num_dim;
        for (int l = 0; l < NLABELS; l++)
            if (count[l] == 1) perm_index_of[l] = perm_index++;
    } else {
        const char *rhs = arrow + 2;
        for (size_t i = 0; rhs[i]; i++) {
            char c = rhs[i];
            size_t at = (size_t)(rhs - equation) + i;
            if (c == ' ') continue;
            if (c == '.') {
                if (ell_in_output) {
                    ct__error("einsum(): found '.' for output but an ellipsis (...) was already found");
                    return NULL;
                }
                if (!(rhs[i + 1] == '.' && rhs[i + 2] == '.')) {
                    ct__error("einsum(): found '.' for output that is not part of any ellipsis (...)");
                    return NULL;
                }
                i += 2;
                ell_index = perm_index;
                perm_index += ell_num_dim;
                ell_in_output = true;
                continue;
            }
            int l = label_of(c);
            if (l < 0) {
                ct__error("einsum(): invalid subscript given at index %zu in the equation string, subscripts must be "
                          "in [a-zA-Z]",
                          at);
                return NULL;
            }
            if (!count[l]) {
                ct__error("einsum(): output subscript %c does not appear in the equation for any input operand", c);
                return NULL;
            }
            if (perm_index_of[l] != -1) {
                ct__error("einsum(): output subscript %c appears more than once in the output", c);
                return NULL;
            }
            perm_index_of[l] = perm_index++;
        }
    }
    int out_size = perm_index;
    if (!ell_in_output) {
        ell_index = perm_index;
        perm_index += ell_num_dim;
    }
    for (int l = 0; l < NLABELS; l++)
        if (count[l] > 0 && perm_index_of[l] == -1) perm_index_of[l] = perm_index++;
    if (perm_index > CT_MAX_DIMS) {
        ct__error("einsum(): too many dimensions (%d; ctorch supports %d)", perm_index, CT_MAX_DIMS);
        return NULL;
    }

    /* each operand: check sizes, diagonals for repeated labels, unsqueeze
     * missing dims, permute; count operands with size != 1 per dim */
    ct_tensor *ops[CT_MAX_DIMS * 4] = {0};
    int64_t label_size[NLABELS], ell_sizes[CT_MAX_DIMS];
    int64_t dim_counts[CT_MAX_DIMS] = {0};
    for (int l = 0; l < NLABELS; l++) label_size[l] = 1;
    for (int d = 0; d < CT_MAX_DIMS; d++) ell_sizes[d] = 1;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) {
        ct_tensor *op = ct__retain(operands[i]);
        int64_t permutation[CT_MAX_DIMS];
        for (int d = 0; d < perm_index; d++) permutation[d] = -1;
        int dim = 0;
        for (int j = 0; j < P.nlab[i] && ok; j++) {
            int s = P.lab[i][j];
            if (s == ELL) {
                int ndim = operands[i]->ndim - (P.nlab[i] - 1);
                for (int k = ell_num_dim - ndim; k < ell_num_dim && ok; k++) {
                    int64_t sz = op->sizes[dim];
                    if (sz != 1) {
                        if (ell_sizes[k] != 1 && ell_sizes[k] != sz) {
                            ct__error("einsum(): dimension %d covered by ellipsis in operand %dhas size %" PRId64
                                      " which does not broadcast with previously seen ellipsis with size %" PRId64
                                      " for the respective dimension",
                                      dim, i, sz, ell_sizes[k]);
                            ok = false;
                            break;
                        }
                        ell_sizes[k] = sz;
                        dim_counts[ell_index + k]++;
                    }
                    permutation[ell_index + k] = dim++;
                }
            } else if (permutation[perm_index_of[s]] == -1) {
                int64_t sz = op->sizes[dim];
                if (sz != 1) {
                    if (label_size[s] != 1 && label_size[s] != sz) {
                        ct__error("einsum(): subscript %c has size %" PRId64
                                  " for operand %d which does not broadcast with previously seen size %" PRId64,
                                  char_of(s), sz, i, label_size[s]);
                        ok = false;
                        break;
                    }
                    label_size[s] = sz;
                    dim_counts[perm_index_of[s]]++;
                }
                permutation[perm_index_of[s]] = dim++;
            } else {
                int prev = (int)permutation[perm_index_of[s]];
                if (op->sizes[dim] != op->sizes[prev]) {
                    ct__error("einsum(): subscript %c is repeated for operand %d but the sizes don't match, %" PRId64
                              " != %" PRId64,
                              char_of(s), i, op->sizes[dim], op->sizes[prev]);
                    ok = false;
                    break;
                }
                /* operand.diagonal(0, prev, dim).movedim(-1, prev) */
                ok = step(&op, ct_diagonal(op, 0, prev, dim));
                if (ok) {
                    int64_t mv[CT_MAX_DIMS];
                    int nd = op->ndim, k = 0;
                    for (int d = 0; d < prev; d++) mv[k++] = d;
                    mv[k++] = nd - 1;
                    for (int d = prev; d < nd - 1; d++) mv[k++] = d;
                    ok = step(&op, ct_permute(op, nd, mv));
                }
            }
        }
        for (int d = 0; d < perm_index && ok; d++) {
            if (permutation[d] == -1) {
                ok = step(&op, ct_unsqueeze(op, dim));
                permutation[d] = dim++;
            }
        }
        if (ok) ok = step(&op, ct_permute(op, perm_index, permutation));
        ops[i] = op;
    }
    /* contract left to right: sum dims only one operand still has, then
     * sumproduct_pair (keepdim) over dims no later operand needs */
    int nleft = n;
    while (ok && nleft > 1) {
        ct_tensor *a = ops[0], *b = ops[1];
        int64_t sum_dims[CT_MAX_DIMS], as[CT_MAX_DIMS], bs[CT_MAX_DIMS];
        int nsum = 0, nas = 0, nbs = 0;
        for (int d = out_size; d < perm_index; d++) {
            if (a->sizes[d] != 1 && b->sizes[d] != 1) {
                if (--dim_counts[d] == 1) {
                    sum_dims[nsum++] = d;
                    dim_counts[d] = 0;
                }
            } else if (dim_counts[d] == 1) {
                if (a->sizes[d] != 1) {
                    as[nas++] = d;
                    dim_counts[d] = 0;
                } else if (b->sizes[d] != 1) {
                    bs[nbs++] = d;
                    dim_counts[d] = 0;
                }
            }
        }
        ct_tensor *a2 = nas ? ct_sum_dim(a, nas, as, true) : ct__retain(a);
        ct_tensor *b2 = nbs ? ct_sum_dim(b, nbs, bs, true) : ct__retain(b);
        ct_tensor *r = a2 && b2 ? sumproduct_pair(a2, b2, nsum, sum_dims) : NULL;
        ct_free(a2);
        ct_free(b2);
        ct_free(a);
        ct_free(b);
        memmove(ops + 1, ops + 2, (size_t)(nleft - 2) * sizeof *ops);
        ops[--nleft] = NULL;
        ops[0] = r;
        ok = r != NULL;
    }
    ct_tensor *result = NULL;
    if (ok && perm_index > out_size) {
        if (n > 1) {
            result = ct_view(ops[0], out_size, ops[0]->sizes);
        } else {
            int64_t dims[CT_MAX_DIMS];
            for (int d = out_size; d < perm_index; d++) dims[d - out_size] = d;
            result = ct_sum_dim(ops[0], perm_index - out_size, dims, false);
        }
    } else if (ok) {
        result = ct__retain(ops[0]);
    }
    ct__free_all(n, ops);
    return result;
}
