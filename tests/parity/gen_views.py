"""Parity vectors for views and strides (tests/tensor/test_view_*.c).

Run with /usr/bin/python3 (Debian's torch 1.13.1). Writes data/views.txt.

Each case describes a chain: a base tensor arange(numel).view(sizes) of a
dtype, then ops applied in order (op0, op1, ...). The C test replays the
chain with ctorch and compares the final tensor's sizes, strides,
storage_offset, is_contiguous, values, whether it shares the base's storage,
and whether the last op returned its input itself (`same`). A chain whose
last op fails records PyTorch's message (`error$`).

Other kinds:
  kind copy   : dst = zeros(dst sizes); dst.copy_(chain result); values/error
  kind bshape : broadcast of shapes a and b (at::infer_size, as
                torch.broadcast_tensors reports it); out or error$
Tokens: N is None (slice end -> CT_END, slice start -> 0 as in aten,
as_strided storage_offset -> keep the input's offset).
"""
import itertools
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "views.txt")

DTYPES = {"int64": torch.int64, "float32": torch.float32, "float64": torch.float64,
          "uint8": torch.uint8, "int16": torch.int16}


def tok(v):
    return "N" if v is None else str(int(v))


def sid(t):
    return t.storage()._cdata


def py_slice(t, d, start, end, step):
    if step <= 0:
        # aten::slice checks 0-dim and the dim first; the step message is
        # Python's (t[::0] / t[::-1]).
        torch.ops.aten.slice(t, d, 0, None, 1)
        raise ValueError("slice step cannot be zero" if step == 0 else "step must be greater than zero")
    return torch.ops.aten.slice(t, d, start, end, step)


def apply(t, op, a):
    if op == "view":
        return t.view(a)
    if op == "view_as":
        return t.view_as(torch.empty(a))
    if op == "reshape":
        return t.reshape(a)
    if op == "reshape_as":
        return t.reshape_as(torch.empty(a))
    if op == "transpose":
        return t.transpose(a[0], a[1])
    if op == "permute":
        return t.permute(a)
    if op == "t":
        return t.t()
    if op == "expand":
        return t.expand(a)
    if op == "expand_as":
        return t.expand_as(torch.empty(a))
    if op == "broadcast_to":
        return torch.broadcast_to(t, a)
    if op == "squeeze":
        return t.squeeze()
    if op == "squeeze_dim":
        return t.squeeze(a[0])
    if op == "unsqueeze":
        return t.unsqueeze(a[0])
    if op == "flatten":
        return t.flatten(a[0], a[1])
    if op == "unflatten":
        return t.unflatten(a[0], a[1:])
    if op == "narrow":
        return t.narrow(a[0], a[1], a[2])
    if op == "select":
        return t.select(a[0], a[1])
    if op == "slice":
        return py_slice(t, a[0], a[1], a[2], a[3])
    if op == "diagonal":
        return torch.diagonal(t, a[0], a[1], a[2])
    if op == "unfold":
        return t.unfold(a[0], a[1], a[2])
    if op == "as_strided":
        n = a[0]
        return torch.as_strided(t, a[1:1 + n], a[1 + n:1 + 2 * n], a[1 + 2 * n])
    if op == "detach":
        return t.detach()
    if op == "contiguous":
        return t.contiguous()
    if op == "clone":
        return t.clone()
    raise AssertionError(op)


class Writer:
    def __init__(self):
        self.lines = []
        self.names = set()

    def case(self, name, fields):
        base = name
        i = 1
        while name in self.names:
            i += 1
            name = "%s_%d" % (base, i)
        self.names.add(name)
        self.lines.append("case " + name)
        self.lines.extend(fields)
        self.lines.append("end")


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def make_base(dtype, sizes):
    n = 1
    for s in sizes:
        n *= s
    return torch.arange(n, dtype=DTYPES[dtype]).view(sizes)


def run_chain(dtype, sizes, ops):
    """Returns (base, result, input of last op) or raises at the failing op."""
    base = make_base(dtype, sizes)
    t = base
    prev = base
    for op, a in ops:
        prev = t
        t = apply(t, op, a)
    return base, t, prev


def chain_fields(dtype, sizes, ops):
    f = [("base %s %s" % (dtype, " ".join(map(str, sizes)))).rstrip()]
    for i, (op, a) in enumerate(ops):
        f.append(("op%d %s %s" % (i, op, " ".join(tok(x) for x in a))).rstrip())
    return f


def emit_chain(w, name, dtype, sizes, ops):
    f = chain_fields(dtype, sizes, ops)
    try:
        base, r, prev = run_chain(dtype, sizes, ops)
    except (RuntimeError, IndexError, ValueError) as e:
        f.append("error$ " + esc(str(e)))
        w.case(name, f)
        return False
    if any(x < 0 for x in r.shape):
        # PyTorch made a tensor with a negative size (as_strided/unfold of an
        # empty tensor); ctorch refuses those (docs/views.md): no vector.
        return False
    f.append(("sizes " + " ".join(map(str, r.shape))).rstrip())
    f.append(("strides " + " ".join(map(str, r.stride()))).rstrip())
    f.append("offset %d" % r.storage_offset())
    f.append("contig %d" % int(r.is_contiguous()))
    f.append("shares %d" % int(sid(r) == sid(base)))
    f.append("same %d" % int(r is prev))
    f.append(("values " + " ".join(str(int(v)) for v in r.flatten().tolist())).rstrip())
    w.case(name, f)
    return True


# ---- the inputs: (label, dtype, base sizes, prefix ops) ----
INPUTS = [
    ("c234", "int64", (2, 3, 4), []),
    ("c23", "float32", (2, 3), []),
    ("c6", "int64", (6,), []),
    ("scalar", "int64", (), []),
    ("z03", "int64", (0, 3), []),
    ("z204", "float64", (2, 0, 4), []),
    ("ones131", "int64", (1, 3, 1), []),
    ("tr34", "int64", (3, 4), [("transpose", (0, 1))]),
    ("perm234", "int64", (2, 3, 4), [("permute", (2, 0, 1))]),
    ("step46", "int64", (4, 6), [("slice", (1, 1, None, 2))]),
    ("narrow54", "int16", (5, 4), [("narrow", (0, 1, 3))]),
    ("exp34", "int64", (3, 1), [("expand", (3, 4))]),
    ("exp234", "uint8", (4,), [("expand", (2, 3, 4))]),
    ("odd1", "int64", (3, 1, 4), [("as_strided", (3, 3, 1, 4, 4, 7, 1, 0))]),
    ("trz", "int64", (0, 3), [("transpose", (0, 1))]),
    ("sel", "int64", (2, 3, 4), [("select", (1, 1))]),
]


def shape_of(dtype, sizes, prefix):
    _, r, _ = run_chain(dtype, sizes, prefix)
    return tuple(r.shape)


def prod(s):
    n = 1
    for x in s:
        n *= x
    return n


def view_shapes(shape):
    n = prod(shape)
    cands = [(-1,), (n,), tuple(reversed(shape)), (1, -1), (-1, 1), tuple(shape) + (1,), (1,) + tuple(shape),
             (), (-1, -1), (n + 1,), (-2, -1), (0, -1), (2, -1), (-1, 2), (3, -1), (2, 2, -1)]
    if len(shape) >= 2:
        cands.append(tuple(shape[:-2]) + (shape[-2] * shape[-1],))
        cands.append((shape[0] * shape[1],) + tuple(shape[2:]))
        cands.append((shape[0], -1))
        cands.append((-1, shape[-1]))
    if len(shape) >= 1 and shape[0] % 2 == 0 and shape[0] > 0:
        cands.append((2, shape[0] // 2) + tuple(shape[1:]))
    if len(shape) >= 1 and shape[-1] % 2 == 0 and shape[-1] > 0:
        cands.append(tuple(shape[:-1]) + (shape[-1] // 2, 2))
    out = []
    for c in cands:
        if c not in out:
            out.append(c)
    return out


def op_args(shape):
    """Candidate (op, args) pairs for an input of the given shape."""
    n = len(shape)
    r = []
    for s in view_shapes(shape):
        r.append(("view", s))
        r.append(("reshape", s))
    for s in view_shapes(shape)[:3]:
        if -1 not in s and all(x >= 0 for x in s):
            r.append(("view_as", s))
            r.append(("reshape_as", s))
    for d0, d1 in [(0, -1), (-1, 0), (0, 0), (1, 2), (0, n), (-n - 1, 0)]:
        r.append(("transpose", (d0, d1)))
    perms = list(itertools.permutations(range(n))) if n <= 3 else [tuple(reversed(range(n)))]
    for p in perms:
        r.append(("permute", p))
    neg = tuple(d - n for d in reversed(range(n)))
    r.append(("permute", neg))
    if n >= 2:
        r.append(("permute", (0,) * n))
    r.append(("permute", tuple(range(n + 1))))
    r.append(("permute", tuple(range(n))[:-1] + (n,) if n else (0,)))
    r.append(("t", ()))
    # expand: keep, -1s, new leading dims, grow size-1 dims, mismatches
    r.append(("expand", shape))
    r.append(("expand", tuple(-1 for _ in shape)))
    r.append(("expand", (2,) + tuple(shape)))
    r.append(("expand", (1,) + tuple(shape)))
    r.append(("expand", (1, 2) + tuple(-1 for _ in shape)))
    r.append(("expand", (-1,) + tuple(shape)))
    r.append(("expand", tuple(5 if s == 1 else s for s in shape)))
    r.append(("expand", tuple(s + 1 for s in shape)))
    r.append(("expand", tuple(shape)[1:]))
    r.append(("expand", tuple(-2 if i == 0 else s for i, s in enumerate(shape))))
    r.append(("expand_as", (2,) + tuple(5 if s == 1 else s for s in shape)))
    r.append(("broadcast_to", (3,) + tuple(shape)))
    r.append(("broadcast_to", tuple(s + 1 for s in shape)))
    r.append(("squeeze", ()))
    for d in list(range(-n, n)) + [n, -n - 1]:
        r.append(("squeeze_dim", (d,)))
    for d in list(range(-n - 1, n + 1)) + [n + 1, -n - 2]:
        r.append(("unsqueeze", (d,)))
    for s, e in [(0, -1), (1, -1), (0, 0), (-1, -1), (-1, 0), (0, 1), (1, 2), (0, n)]:
        r.append(("flatten", (s, e)))
    for d in [0, -1, n]:
        sz = shape[d] if n and -n <= d < n else 1
        for sizes in [(sz,), (-1,), (1, -1), (-1, 1), (sz, 1, 1), (2, -1), (-1, -1), (sz + 1,), (), (-2, 1),
                      (0, -1)]:
            r.append(("unflatten", (d,) + sizes))
    for d in [0, -1, n]:
        sz = shape[d] if n and -n <= d < n else 1
        for start, length in [(0, sz), (0, 0), (1, 1), (-1, 1), (-sz, sz), (sz, 0), (sz + 1, 0), (-sz - 1, 0),
                              (0, sz + 1), (1, -1)]:
            r.append(("narrow", (d, start, length)))
    for d in [0, -1, n]:
        sz = shape[d] if n and -n <= d < n else 1
        for idx in [0, -1, sz - 1, sz, -sz - 1]:
            r.append(("select", (d, idx)))
    for d in [0, -1, n]:
        for start, end, step in [(0, None, 1), (1, None, 1), (None, None, 2), (-2, None, 1), (-100, 100, 1),
                                 (100, None, 1), (1, -1, 1), (0, -100, 1), (2, 1, 1), (1, None, 3), (0, 2, 2),
                                 (-3, -1, 2), (0, None, 0), (0, None, -1), (1, 100, 5)]:
            r.append(("slice", (d, start, end, step)))
    dimpairs = [(0, 1), (1, 0), (-1, 0), (-2, -1), (0, 2), (1, 1), (0, -n)]
    for off in [0, 1, -1, 2, -2, 5, -5]:
        for d1, d2 in dimpairs[:3]:
            r.append(("diagonal", (off, d1, d2)))
    for d1, d2 in dimpairs[3:]:
        r.append(("diagonal", (1, d1, d2)))
    for d in [0, -1, n]:
        sz = shape[d] if n and -n <= d < n else 1
        for size, step in [(1, 1), (2, 1), (2, 2), (2, 3), (sz, 1), (sz + 1, 1), (0, 1), (1, 0), (2, -1),
                           (-1, 1)]:
            r.append(("unfold", (d, size, step)))
    r.append(("detach", ()))
    r.append(("contiguous", ()))
    return r


def main():
    w = Writer()
    for label, dtype, sizes, prefix in INPUTS:
        shape = shape_of(dtype, sizes, prefix)
        emit_chain(w, "%s_base" % label, dtype, sizes, prefix)
        for op, a in op_args(shape):
            emit_chain(w, "%s_%s" % (label, op), dtype, sizes, prefix + [(op, tuple(a))])

    # view/reshape of views: viewable and not
    extra = [
        ("chain_tr_view_ok", "int64", (2, 3, 4), [("transpose", (0, 1)), ("view", (3, 2, 2, 2))]),
        ("chain_tr_view_bad", "int64", (2, 3, 4), [("transpose", (1, 2)), ("view", (2, 12))]),
        ("chain_tr_reshape_copy", "int64", (2, 3, 4), [("transpose", (1, 2)), ("reshape", (2, 12))]),
        ("chain_tr_reshape_view", "int64", (2, 3, 4), [("transpose", (0, 1)), ("reshape", (3, 8))]),
        ("chain_step_view_split", "int64", (4, 6), [("slice", (1, 0, None, 2)), ("view", (4, 3, 1))]),
        ("chain_step_view_merge", "int64", (4, 6), [("slice", (0, 0, None, 2)), ("view", (12,))]),
        ("chain_rowstep_merge_ok", "int64", (4, 6), [("slice", (0, 0, None, 2)), ("view", (2, 2, 3))]),
        ("chain_exp_view_ok", "int64", (3, 1), [("expand", (3, 4)), ("view", (3, 2, 2))]),
        ("chain_exp_view_bad", "int64", (3, 1), [("expand", (3, 4)), ("view", (12,))]),
        ("chain_exp_reshape", "int64", (3, 1), [("expand", (3, 4)), ("reshape", (12,))]),
        ("chain_exp_contig", "int64", (3, 1), [("expand", (3, 4)), ("contiguous", ())]),
        ("chain_size1_oddstride", "int64", (12,), [("as_strided", (3, 3, 1, 4, 4, 100, 1, 0)), ("view", (12,))]),
        ("chain_size1_oddstride2", "int64", (12,), [("as_strided", (3, 1, 3, 4, 0, 4, 1, 0)), ("view", (3, 4))]),
        ("chain_zero_view", "int64", (0, 3), [("transpose", (0, 1)), ("view", (0, 3))]),
        ("chain_zero_view2", "int64", (2, 0, 4), [("permute", (2, 0, 1)), ("view", (4, 0))]),
        ("chain_zero_same", "int64", (2, 0, 4), [("permute", (2, 0, 1)), ("view", (4, 2, 0))]),
        ("chain_zero_reshape_inf", "int64", (2, 0, 4), [("reshape", (0, -1))]),
        ("chain_zero_reshape_inf2", "int64", (2, 0, 4), [("reshape", (8, -1))]),
        ("chain_scalar_view", "int64", (), [("view", (1, 1, 1))]),
        ("chain_scalar_unsq", "int64", (), [("unsqueeze", (0,)), ("unsqueeze", (-1,))]),
        ("chain_contig_same", "int64", (2, 3), [("contiguous", ())]),
        ("chain_contig_tr", "int64", (2, 3), [("t", ()), ("contiguous", ())]),
        ("chain_detach_view", "float32", (2, 3), [("detach", ()), ("t", ())]),
        ("chain_unfold_overlap", "int64", (10,), [("unfold", (0, 4, 2)), ("unfold", (1, 2, 1))]),
        ("chain_unfold_step_gt", "int64", (3, 10), [("unfold", (1, 2, 4))]),
        ("chain_unfold_scalar", "int64", (), [("unfold", (0, 1, 1))]),
        ("chain_unfold_scalar0", "int64", (), [("unfold", (-1, 0, 2))]),
        ("chain_asstrided_windows", "int64", (10,), [("as_strided", (2, 4, 3, 2, 1, 1))]),
        ("chain_asstrided_offnone", "int64", (10,), [("slice", (0, 3, None, 1)), ("as_strided", (2, 2, 2, 1, 1, None))]),
        ("chain_asstrided_zero_any", "int64", (4,), [("as_strided", (2, 0, 100, 1, 1, 3))]),
        ("chain_asstrided_bad", "float32", (2, 3), [("as_strided", (2, 3, 3, 3, 1, 0))]),
        ("chain_asstrided_bad_off", "float64", (2, 3), [("as_strided", (1, 2, 1, 5))]),
        ("chain_asstrided_neg", "int64", (2, 3), [("as_strided", (2, 2, 2, -1, 1, 0))]),
        ("chain_asstrided_negsize", "int64", (2, 3), [("as_strided", (2, 2, -1, 3, 1, 0))]),
        ("chain_asstrided_negsize0", "int64", (2, 3), [("as_strided", (1, -1, 0, 0))]),
        ("chain_diag_3d", "int64", (2, 3, 4), [("diagonal", (1, 0, 2))]),
        ("chain_diag_3d_neg", "int64", (2, 3, 4), [("diagonal", (-1, 2, 1))]),
        ("chain_diag_tr", "int64", (3, 4), [("t", ()), ("diagonal", (-1, 0, 1))]),
        ("chain_expand_lead1", "int64", (3,), [("expand", (1, 1, 3))]),
        ("chain_expand_inner_first", "int64", (2, 3), [("expand", (5, 4))]),
        ("chain_expand_scalar", "int64", (), [("expand", (2, 3))]),
        ("chain_expand_scalar_m1", "int64", (), [("expand", (-1,))]),
        ("chain_unflatten_m1", "int64", (2, 12), [("unflatten", (1, 2, -1, 3))]),
        ("chain_unflatten_scalar", "int64", (), [("unflatten", (0, 1))]),
        ("chain_unflatten_tr", "int64", (4, 6), [("t", ()), ("unflatten", (0, 2, 3))]),
        ("chain_unflatten_tr_bad", "int64", (4, 6), [("t", ()), ("unflatten", (1, 2, 2))]),
        ("chain_flatten_scalar", "int64", (), [("flatten", (0, -1))]),
        ("chain_flatten_tr_copy", "int64", (2, 3, 4), [("transpose", (1, 2)), ("flatten", (1, 2))]),
        ("chain_flatten_same", "int64", (2, 3, 4), [("flatten", (1, 1))]),
        ("chain_narrow_zero_end", "int64", (0, 3), [("narrow", (0, -1, 0))]),
        ("chain_slice_start_end", "int64", (6,), [("slice", (0, 9223372036854775807, None, 1))]),
        ("chain_slice_of_slice", "int64", (20,), [("slice", (0, 1, None, 3)), ("slice", (0, -5, -1, 2))]),
        ("chain_squeeze_exp", "int64", (1, 3, 1), [("expand", (2, 1, 3, 1)), ("squeeze", ())]),
        ("chain_select_neg", "int64", (2, 3, 4), [("select", (-1, -2)), ("select", (0, 1))]),
        ("chain_permute_t_view", "int64", (2, 3, 4), [("permute", (1, 2, 0)), ("permute", (2, 0, 1)), ("view", (24,))]),
    ]
    for name, dtype, sizes, ops in extra:
        emit_chain(w, name, dtype, sizes, ops)

    # copy_: broadcasting the source into dst
    copies = [
        ("copy_same", (2, 3), "int64", (2, 3), []),
        ("copy_row", (2, 3), "int64", (3,), []),
        ("copy_col", (2, 3), "int64", (2, 1), []),
        ("copy_scalar", (2, 3), "int64", (), []),
        ("copy_tr", (3, 2), "int64", (2, 3), [("t", ())]),
        ("copy_lead", (4, 2, 3), "int64", (1, 3), []),
        ("copy_zero", (0, 3), "int64", (3,), []),
        ("copy_to_scalar", (), "int64", (1,), []),
        ("copy_step", (2, 3), "int64", (2, 6), [("slice", (1, 0, None, 2))]),
        ("copy_bad", (2, 3), "int64", (2, 4), []),
        ("copy_bad_lead", (2, 3), "int64", (4, 3, 3), []),
        ("copy_bad_bigger", (3,), "int64", (2, 3), []),
        ("copy_bad_bigger1", (1, 3), "int64", (2, 3), []),
        ("copy_bad_zero", (0, 3), "int64", (4,), []),
        ("copy_bad_inner", (2, 3), "int64", (4, 5), []),
        ("copy_bad_scalar_dst", (), "int64", (2,), []),
        ("copy_bad_lead1", (3,), "int64", (1, 3), []),
        ("copy_bad_lead11", (2, 3), "int64", (1, 1, 3), []),
        ("copy_bad_scalar_lead1", (), "int64", (1,), []),
        ("copy_exp_src", (2, 3, 4), "int64", (3, 1), [("expand", (3, 4))]),
        ("copy_perm_src", (4, 2, 3), "int64", (2, 3, 4), [("permute", (2, 0, 1))]),
    ]
    for name, dst, dtype, sizes, ops in copies:
        f = ["kind copy", ("dst " + " ".join(map(str, dst))).rstrip()] + chain_fields(dtype, sizes, ops)
        try:
            _, src, _ = run_chain(dtype, sizes, ops)
            d = torch.zeros(dst, dtype=torch.int64)
            d.copy_(src)
            f.append(("values " + " ".join(str(int(v)) for v in d.flatten().tolist())).rstrip())
        except RuntimeError as e:
            f.append("error$ " + esc(str(e)))
        w.case(name, f)

    # broadcast of two shapes (at::infer_size via torch.broadcast_tensors)
    shapes = [((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 4)), ((), (2, 3)), ((0,), (1,)), ((1,), (0,)),
              ((5, 1, 3), (4, 1)), ((2, 3), (3, 4)), ((2, 3), (4,)), ((3, 2), (4, 5)), ((0,), (3,)),
              ((4, 1, 2), (3, 1, 3)), ((), ())]
    for i, (a, b) in enumerate(shapes):
        f = ["kind bshape", ("a " + " ".join(map(str, a))).rstrip(), ("b " + " ".join(map(str, b))).rstrip()]
        try:
            ta, tb = torch.broadcast_tensors(torch.empty(a), torch.empty(b))
            f.append(("out " + " ".join(map(str, ta.shape))).rstrip())
        except RuntimeError as e:
            f.append("error$ " + esc(str(e)))
        w.case("bshape_%d" % i, f)
    for i, (a, b) in enumerate([((-1,), (3,)), ((2, 3), (-2, 3))]):
        f = ["kind bshape", "a " + " ".join(map(str, a)), "b " + " ".join(map(str, b))]
        try:
            torch.broadcast_shapes(a, b)
            raise AssertionError("expected an error")
        except RuntimeError as e:
            f.append("error$ " + esc(str(e)))
        w.case("bshape_neg_%d" % i, f)

    # t.size(dim) / t.stride(dim): no scalar rule for 0-dim tensors
    for i, (sizes, dim) in enumerate([((2, 3), 1), ((2, 3), -2), ((2, 3), 2), ((2, 3), -3), ((), 0), ((), -1),
                                      ((0, 4), 1)]):
        t = torch.empty(sizes)
        f = ["kind prop", ("sizes " + " ".join(map(str, sizes))).rstrip(), "dim %d" % dim]
        try:
            f.append("size %d" % t.size(dim))
            f.append("stride %d" % t.stride(dim))
        except IndexError as e:
            f.append("error$ " + esc(str(e)))
        w.case("prop_%d" % i, f)

    with open(OUT, "w") as fp:
        fp.write("# Generated by tests/parity/gen_views.py with torch %s. Do not edit.\n" % torch.__version__)
        fp.write("\n".join(w.lines) + "\n")
    print("wrote %s (%d cases)" % (OUT, len(w.names)))


if __name__ == "__main__":
    main()
