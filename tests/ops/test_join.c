/* The join family (include/ctorch/ops_join.h) against
 * tests/parity/data/join.txt (gen_join.py, PyTorch 1.13.1), through the
 * table-driven harness; list arguments are the case's inputs, list results
 * are checked one piece at a time ('pick k'). Plus NULL and list tests. */
#include <criterion/criterion.h>
#include <ctorch.h>
#include <string.h>

#include "op_harness.h"

/* piece k of a list result (a new reference; the rest is freed) */
static ct_tensor *take(ct_tensor_list *l, int k) {
    if (!l) return NULL;
    cr_assert_lt(k, l->n, "list has %d items, want item %d", l->n, k);
    ct_tensor *r = l->items[k];
    l->items[k] = NULL;
    ct_tensor_list_free(l);
    return r;
}

static int64_t iarg(const op_call *c, int i) { return (int64_t)c->args[i]; }

static ct_tensor *run_op(const op_call *c, ct_tensor *const *in) {
    const char *op = c->op;
    int n = (int)vec_int(c->vc, "ninputs", 0);
    int pick = vec_has(c->vc, "pick") ? (int)vec_int(c->vc, "pick", 0) : 0;
    if (!strcmp(op, "cat")) return ct_cat(n, in, (int)iarg(c, 0));
    if (!strcmp(op, "stack")) return ct_stack(n, in, (int)iarg(c, 0));
    if (!strcmp(op, "hstack")) return ct_hstack(n, in);
    if (!strcmp(op, "vstack")) return ct_vstack(n, in);
    if (!strcmp(op, "row_stack")) return ct_row_stack(n, in);
    if (!strcmp(op, "dstack")) return ct_dstack(n, in);
    if (!strcmp(op, "column_stack")) return ct_column_stack(n, in);
    if (!strcmp(op, "chunk")) return take(ct_chunk(in[0], iarg(c, 0), (int)iarg(c, 1)), pick);
    if (!strcmp(op, "split")) return take(ct_split(in[0], iarg(c, 0), (int)iarg(c, 1)), pick);
    if (!strcmp(op, "split_with_sizes"))
        return take(ct_split_with_sizes(in[0], c->ndims, c->dims, (int)iarg(c, 0)), pick);
    if (!strcmp(op, "tensor_split")) return take(ct_tensor_split(in[0], iarg(c, 0), (int)iarg(c, 1)), pick);
    if (!strcmp(op, "tensor_split_indices"))
        return take(ct_tensor_split_indices(in[0], c->ndims, c->dims, (int)iarg(c, 0)), pick);
    if (!strcmp(op, "tensor_split_tensor")) {
        ct_tensor *ios;
        if (vec_has(c->vc, "sections")) {
            ios = ct_scalar_tensor_int(vec_int(c->vc, "sections", 0), NULL);
        } else if (vec_has(c->vc, "tdims")) {
            ios = ct_zeros(CT_SIZE(1, 1), CT_OPTS(.dtype = CT_INT64));
        } else {
            ios = ct_tensor_from(c->dims, CT_INT64, 1, (const int64_t[]){c->ndims});
        }
        ct_tensor *r = take(ct_tensor_split_tensor(in[0], ios, (int)iarg(c, 0)), pick);
        ct_free(ios);
        return r;
    }
    if (!strcmp(op, "hsplit")) return take(ct_hsplit(in[0], iarg(c, 0)), pick);
    if (!strcmp(op, "vsplit")) return take(ct_vsplit(in[0], iarg(c, 0)), pick);
    if (!strcmp(op, "dsplit")) return take(ct_dsplit(in[0], iarg(c, 0)), pick);
    if (!strcmp(op, "unbind")) return take(ct_unbind(in[0], (int)iarg(c, 0)), pick);
    if (!strcmp(op, "broadcast_tensors")) return take(ct_broadcast_tensors(n, in), pick);
    if (!strcmp(op, "meshgrid")) return take(ct_meshgrid(n, in, vec_tok(c->vc, "indexing", 0)), pick);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* PyTorch's split/unbind outputs share one multi-output node; ctorch's
 * per-piece nodes carry the same names. */
Test(join, parity_values_gradients_gradcheck) {
    cr_assert_gt(op_harness_run("join.txt", run_op, NULL), 300);
}
