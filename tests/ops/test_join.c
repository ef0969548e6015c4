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

/* NULL arguments: NULL back, the earlier message kept */
Test(join, null_inputs_keep_the_last_error) {
    ct_tensor *x = ct_ones(CT_SIZE(2, 3), NULL);
    ct_tensor *bad = ct_cat(CT_TENSORS(x, x), 5); /* sets an error */
    cr_assert_null(bad);
    const char *msg = ct_last_error();
    cr_assert_not_null(msg);
    char want[256];
    strncpy(want, msg, sizeof want - 1);
    want[sizeof want - 1] = 0;
    ct_tensor *none = NULL;
    cr_assert_null(ct_cat(CT_TENSORS(x, none), 0));
    cr_assert_null(ct_stack(CT_TENSORS(none), 0));
    cr_assert_null(ct_hstack(CT_TENSORS(x, none)));
    cr_assert_null(ct_vstack(CT_TENSORS(none)));
    cr_assert_null(ct_dstack(CT_TENSORS(none)));
    cr_assert_null(ct_column_stack(CT_TENSORS(none)));
    cr_assert_null(ct_cat(2, NULL, 0));
    cr_assert_null(ct_chunk(NULL, 2, 0));
    cr_assert_null(ct_split(NULL, 2, 0));
    cr_assert_null(ct_split_with_sizes(NULL, 1, (const int64_t[]){2}, 0));
    cr_assert_null(ct_tensor_split(NULL, 2, 0));
    cr_assert_null(ct_tensor_split_indices(NULL, 1, (const int64_t[]){1}, 0));
    cr_assert_null(ct_tensor_split_tensor(x, NULL, 0));
    cr_assert_null(ct_hsplit(NULL, 1));
    cr_assert_null(ct_vsplit(NULL, 1));
    cr_assert_null(ct_dsplit(NULL, 1));
    cr_assert_null(ct_unbind(NULL, 0));
    cr_assert_null(ct_broadcast_tensors(CT_TENSORS(x, none)));
    cr_assert_null(ct_meshgrid(CT_TENSORS(none), "ij"));
    cr_assert_null(ct_repeat(NULL, CT_SIZE(2)));
    cr_assert_null(ct_tile(NULL, CT_SIZE(2)));
    cr_assert_null(ct_repeat_interleave(NULL, 2));
    cr_assert_null(ct_repeat_interleave_dim(NULL, 2, 0));
    cr_assert_null(ct_repeat_interleave_tensor(x, NULL));
    cr_assert_null(ct_repeat_interleave_tensor_dim(NULL, x, 0));
    cr_assert_null(ct_repeat_interleave_indices(NULL));
    cr_assert_null(ct_flip(NULL, CT_SIZE(0)));
    cr_assert_null(ct_fliplr(NULL));
    cr_assert_null(ct_flipud(NULL));
    cr_assert_null(ct_roll(NULL, CT_SIZE(1), CT_SIZE(0)));
    cr_assert_null(ct_rot90(NULL, 1, 0, NULL));
    cr_assert_null(ct_tril(NULL, 0));
    cr_assert_null(ct_triu(NULL, 0));
    cr_assert_eq(ct_tril_(NULL, 0), CT_ERROR);
    cr_assert_eq(ct_triu_(NULL, 0), CT_ERROR);
    cr_assert_null(ct_searchsorted(NULL, x, NULL));
    cr_assert_null(ct_searchsorted(x, NULL, NULL));
    cr_assert_null(ct_searchsorted_scalar(NULL, 1.0, NULL));
    cr_assert_null(ct_bucketize(NULL, x, false, false));
    cr_assert_null(ct_bucketize_scalar(1.0, NULL, false, false));
    cr_assert_null(ct_atleast_1d(NULL));
    cr_assert_null(ct_atleast_2d(NULL));
    cr_assert_null(ct_atleast_3d(NULL));
    cr_assert_str_eq(ct_last_error(), want);
    ct_tensor_list_free(NULL);
    ct_free(x);
}

/* Lists: every piece is a view with its own reference; freeing the list
 * frees them; a list result goes straight back into cat. */
Test(join, lists_roundtrip_and_backward) {
    ct_tensor *x = ct_arange_f(0, 12, 1, CT_OPTS(.dtype = CT_FLOAT64));
    ct_tensor *m = ct_view(x, CT_SIZE(3, 4));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_free(m);
    m = ct_view(x, CT_SIZE(3, 4));
    ct_tensor_list *l = ct_split(m, 1, 1);
    cr_assert_not_null(l);
    cr_assert_eq(l->n, 4);
    for (int i = 0; i < l->n; i++) cr_assert(ct_shares_storage(l->items[i], x));
    ct_tensor *back = ct_cat(l->n, l->items, 1);
    cr_assert_str_eq(ct_grad_fn_name(back), "CatBackward0");
    ct_tensor *s = ct_sum(back);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK, "%s", ct_last_error());
    double g[12];
    ct_tensor *gx = ct_grad(x);
    cr_assert_eq(ct_copy_to_buffer(gx, CT_FLOAT64, g, sizeof g), CT_OK);
    ct_free(gx);
    for (int i = 0; i < 12; i++) cr_assert_eq(g[i], 1.0);
    ct_tensor_list_free(l);
    ct_tensor_list *e = ct_broadcast_tensors(0, NULL);
    cr_assert_not_null(e);
    cr_assert_eq(e->n, 0);
    ct_tensor_list_free(e);
    /* a 0-dim value gives a 0-dim result; tril_ refuses a leaf requiring grad */
    cr_assert_eq(ct_tril_(x, 0), CT_ERROR);
    ct_free(s);
    ct_free(back);
    ct_free(m);
    ct_free(x);
}

/* searchsorted's sorter with an out-of-range index: an error, not a crash
 * (PyTorch 1.13 reads out of bounds) */
Test(join, searchsorted_sorter_out_of_range) {
    ct_tensor *b = ct_arange_f(0, 3, 1, NULL);
    int64_t bad[3] = {0, 5, 1};
    ct_tensor *s = ct_tensor_from(bad, CT_INT64, CT_SIZE(3));
    cr_assert_null(ct_searchsorted(b, b, CT_SEARCHSORTED_OPTS(.sorter = s)));
    cr_assert_str_eq(ct_last_error(), "torch.searchsorted(): sorter index out of range");
    ct_free(s);
    ct_free(b);
}

/* repeat with more dims than fit one interleaved view (8 dims, all
 * repeated) still matches PyTorch's rule: sizes multiply */
Test(join, repeat_many_dims) {
    ct_tensor *x = ct_ones(CT_SIZE(1, 2, 1, 2, 1, 2, 1, 2), CT_OPTS(.dtype = CT_FLOAT64));
    cr_assert_eq(ct_requires_grad_(x, true), CT_OK);
    ct_tensor *r = ct_repeat(x, CT_SIZE(2, 2, 2, 2, 2, 2, 2, 2, 2));
    cr_assert_not_null(r, "%s", ct_last_error());
    cr_assert_eq(ct_numel(r), 16 * 256 * 2);
    ct_tensor *s = ct_sum(r);
    cr_assert_eq(ct_backward(s, NULL, NULL), CT_OK, "%s", ct_last_error());
    double g[16];
    ct_tensor *gx = ct_grad(x);
    cr_assert_eq(ct_copy_to_buffer(gx, CT_FLOAT64, g, sizeof g), CT_OK);
    ct_free(gx);
    for (int i = 0; i < 16; i++) cr_assert_eq(g[i], 512.0);
    ct_free(s);
    ct_free(r);
    ct_free(x);
}
