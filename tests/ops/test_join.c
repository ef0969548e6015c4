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
    if (!strcmp(op, "repeat")) return ct_repeat(in[0], c->ndims, c->dims);
    if (!strcmp(op, "tile")) return ct_tile(in[0], c->ndims, c->dims);
    if (!strcmp(op, "repeat_interleave")) return ct_repeat_interleave(in[0], iarg(c, 0));
    if (!strcmp(op, "repeat_interleave_dim")) return ct_repeat_interleave_dim(in[0], iarg(c, 0), (int)iarg(c, 1));
    if (!strcmp(op, "repeat_interleave_tensor") || !strcmp(op, "repeat_interleave_tensor_dim")) {
        int64_t shape[2] = {c->ndims, 1};
        if (vec_has(c->vc, "rdims")) vec_ints(c->vc, "rdims", shape, 2);
        ct_tensor *r = ct_tensor_from(c->dims, CT_INT64, vec_has(c->vc, "rdims") ? 2 : 1, shape);
        ct_tensor *out = op[24] ? ct_repeat_interleave_tensor_dim(in[0], r, (int)iarg(c, 0))
                                : ct_repeat_interleave_tensor(in[0], r);
        ct_free(r);
        return out;
    }
    if (!strcmp(op, "repeat_interleave_indices")) return ct_repeat_interleave_indices(in[0]);
    if (!strcmp(op, "flip")) return ct_flip(in[0], c->ndims, c->dims);
    if (!strcmp(op, "fliplr")) return ct_fliplr(in[0]);
    if (!strcmp(op, "flipud")) return ct_flipud(in[0]);
    if (!strcmp(op, "roll")) {
        int64_t sh[CT_MAX_DIMS];
        int ns = vec_ints(c->vc, "shifts", sh, CT_MAX_DIMS);
        return ct_roll(in[0], ns, sh, c->ndims, c->dims);
    }
    if (!strcmp(op, "rot90")) return ct_rot90(in[0], iarg(c, 0), 0, NULL);
    if (!strcmp(op, "rot90_dims")) return ct_rot90(in[0], iarg(c, 0), c->ndims, c->dims);
    if (!strcmp(op, "tril")) return ct_tril(in[0], iarg(c, 0));
    if (!strcmp(op, "triu")) return ct_triu(in[0], iarg(c, 0));
    if (!strcmp(op, "tril_") || !strcmp(op, "triu_")) {
        /* clone-then-op_: the clone has history, so the in-place op records */
        ct_tensor *x = ct_clone(in[0]);
        int rc = op[3] == 'l' ? ct_tril_(x, iarg(c, 0)) : ct_triu_(x, iarg(c, 0));
        cr_assert_eq(rc, CT_OK, "%s", ct_last_error());
        return x;
    }
    if (!strcmp(op, "searchsorted"))
        return ct_searchsorted(in[0], in[1], CT_SEARCHSORTED_OPTS(.right = c->args[0] != 0, .out_int32 = c->args[1] != 0));
    if (!strcmp(op, "searchsorted_sorter")) {
        const char *side = vec_has(c->vc, "side") ? vec_tok(c->vc, "side", 0) : NULL;
        bool right = vec_has(c->vc, "right");
        return ct_searchsorted(in[0], in[1], CT_SEARCHSORTED_OPTS(.side = side, .right = right, .sorter = in[2]));
    }
    if (!strcmp(op, "searchsorted_scalar"))
        return ct_searchsorted_scalar(in[0], c->args[1], CT_SEARCHSORTED_OPTS(.right = c->args[0] != 0));
    if (!strcmp(op, "bucketize")) return ct_bucketize(in[0], in[1], c->args[0] != 0, c->args[1] != 0);
    if (!strcmp(op, "bucketize_scalar")) return ct_bucketize_scalar(c->args[1], in[0], false, c->args[0] != 0);
    cr_assert_fail("unknown op %s", op);
    return NULL;
}

/* PyTorch's split/unbind outputs share one multi-output node; ctorch's
 * per-piece nodes carry the same names. */
Test(join, parity_values_gradients_gradcheck) {
    cr_assert_gt(op_harness_run("join.txt", run_op, NULL), 300);
}
