"""Parity vectors for the join family (cat, stack, split, repeat, flip,
roll, rot90, meshgrid, searchsorted, tril, ...): values, errors, grad_fn
names and gradients from PyTorch 1.13.1.

List arguments are the case's inputs (in0, in1, ...); list results are
checked one piece at a time: 'pick k' names the piece and the case's
output is that piece (Writer.case(output=k)).
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from op_cases import Writer  # noqa: E402

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "join.txt"))
make, case, error = W.make, W.case, W.error

FLOATS = [torch.float64, torch.float32]
OTHERS = [torch.int64, torch.int32, torch.bool, torch.float16, torch.bfloat16, torch.uint8]


def dims_line(d):
    return [f"dims {' '.join(map(str, d))}"]


def cat_case(op, fn, xs, dim=None, layout=None, grad=True):
    args = () if dim is None else (dim,)
    if dim is None:
        case(op, lambda *a: fn(list(a)), xs, layout=layout, grad=grad)
    else:
        case(op, lambda *a: fn(list(a[:-1]), int(a[-1])), xs, args, layout=layout, grad=grad)


def pieces(op, fn, x, n_out, args=(), extra=(), layout=None):
    """fn(x, *args) returns a tuple: one case per piece (n_out is only a
    hint for error cases; the real count is taken from PyTorch)."""
    try:
        n_out = len(fn(x, *args))
    except Exception:  # noqa: BLE001
        pass
    for k in range(n_out):
        case(op, fn, [x], args, layout=layout, extra=list(extra) + [f"pick {k}"], output=k)


# ---- cat / stack ----
for dt in FLOATS:
    a, b, c = make((2, 3), dt), make((4, 3), dt), make((1, 3), dt)
    cat_case("cat", torch.cat, [a, b, c], 0)
    cat_case("cat", torch.cat, [a, b, c], -2)
    cat_case("cat", torch.cat, [make((3, 2), dt), make((3, 4), dt)], 1, layout=["t", "c"])
    cat_case("cat", torch.cat, [make((2, 0), dt), make((2, 3), dt)], 1)
    cat_case("cat", torch.cat, [make((0,), dt), make((2, 3), dt), make((0,), dt)], 1)
    cat_case("cat", torch.cat, [make((0,), dt), make((0,), dt)], 0)
    cat_case("cat", torch.cat, [make((2, 3, 4), dt), make((2, 1, 4), dt)], 1)
    cat_case("cat", torch.cat, [make((5,), dt)], 0)
    for d in (0, 1, 2, -1):
        cat_case("stack", torch.stack, [make((2, 3), dt), make((2, 3), dt), make((2, 3), dt)], d)
    cat_case("stack", torch.stack, [make((), dt), make((), dt)], 0)
    cat_case("stack", torch.stack, [make((3, 2), dt), make((2, 3), dt)], 1, layout=["t", "c"])
    cat_case("stack", torch.stack, [make((0, 2), dt), make((0, 2), dt)], 1)
    for op, fn in (("hstack", torch.hstack), ("vstack", torch.vstack), ("dstack", torch.dstack),
                   ("column_stack", torch.column_stack), ("row_stack", torch.row_stack)):
        cat_case(op, fn, [make((2, 3), dt), make((2, 3), dt)])
        cat_case(op, fn, [make((3,), dt), make((3,), dt)])
        cat_case(op, fn, [make((), dt), make((), dt)])
    cat_case("hstack", torch.hstack, [make((2, 3, 2), dt), make((2, 1, 2), dt)])
    cat_case("dstack", torch.dstack, [make((2, 3, 2), dt), make((2, 3), dt)])
    cat_case("column_stack", torch.column_stack, [make((3,), dt), make((3, 2), dt)])
for dt in OTHERS:
    cat_case("cat", torch.cat, [make((2, 3), dt), make((1, 3), dt)], 0)
    cat_case("stack", torch.stack, [make((2, 3), dt), make((2, 3), dt)], 1)
# promotion
cat_case("cat", torch.cat, [make((2,), torch.int32), make((3,), torch.bool), make((1,), torch.float32)], 0)
cat_case("cat", torch.cat, [make((2,), torch.int8), make((3,), torch.bool)], 0)
# (no gradcheck with a float32 input: values and dtype only)
cat_case("cat", torch.cat, [make((2,), torch.float32), make((3,), torch.float64)], 0, grad=False)
cat_case("cat", torch.cat, [make((2,), torch.float16), make((3,), torch.bfloat16)], 0)
cat_case("cat", torch.cat, [make((2,), torch.uint8), make((3,), torch.int8), make((0,), torch.float64)], 0)
cat_case("stack", torch.stack, [make((2,), torch.int64), make((2,), torch.float32)], 0)
# errors
f = torch.float32
cat_case("cat", torch.cat, [], 0)
cat_case("cat", torch.cat, [make((2, 3), f), make((3, 3), f)], 1)
cat_case("cat", torch.cat, [make((2, 3), f), make((2, 3, 4), f)], 0)
cat_case("cat", torch.cat, [make((2, 3), f), make((), f)], 0)
cat_case("cat", torch.cat, [make((), f)], 0)
cat_case("cat", torch.cat, [make((2, 3), f)], 2)
cat_case("cat", torch.cat, [make((0,), f), make((2, 3), f)], -3)
cat_case("stack", torch.stack, [], 0)
cat_case("stack", torch.stack, [make((2, 3), f), make((3, 3), f)], 0)
cat_case("stack", torch.stack, [make((2, 3), f), make((3, 3), f)], 2)
cat_case("stack", torch.stack, [make((2, 3), f), make((2, 3), f)], 3)
cat_case("stack", torch.stack, [make((2, 3), f), make((2, 3), f)], -4)
cat_case("stack", torch.stack, [make((), f), make((2,), f)], 0)
for op, fn in (("hstack", torch.hstack), ("vstack", torch.vstack), ("dstack", torch.dstack),
               ("column_stack", torch.column_stack)):
    cat_case(op, fn, [])
cat_case("vstack", torch.vstack, [make((2, 3), f), make((2, 2), f)])

# ---- split family ----
for dt in FLOATS:
    x = make((5, 4), dt)
    pieces("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), x, 3, (2.0, 0.0))
    pieces("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), x, 2, (3.0, -1.0))
    pieces("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), x, 1, (1.0, 1.0))
    pieces("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), make((4, 5), dt), 3, (3.0, 0.0), layout=["t"])
    pieces("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), make((0, 2), dt), 3, (3.0, 0.0))
    pieces("split", lambda t, s, d: torch.split(t, int(s), int(d)), x, 3, (2.0, 0.0))
    pieces("split", lambda t, s, d: torch.split(t, int(s), int(d)), x, 1, (7.0, 1.0))
    pieces("split", lambda t, s, d: torch.split(t, int(s), int(d)), make((4, 5), dt), 2, (3.0, 1.0), layout=["t"])
    pieces("split", lambda t, s, d: torch.split(t, int(s), int(d)), make((0, 2), dt), 1, (0.0, 0.0))
    pieces("split_with_sizes", lambda t, d: torch.split(t, [1, 0, 3], int(d)), x, 3, (1.0,), dims_line([1, 0, 3]))
    pieces("split_with_sizes", lambda t, d: torch.split(t, [2, 3], int(d)), x, 2, (-2.0,), dims_line([2, 3]))
    pieces("tensor_split", lambda t, s, d: torch.tensor_split(t, int(s), int(d)), x, 3, (3.0, 0.0))
    pieces("tensor_split", lambda t, s, d: torch.tensor_split(t, int(s), int(d)), x, 6, (6.0, 1.0))
    for idx in ([1, 3], [-1], [3, 1, 10], [0, 5]):
        pieces("tensor_split_indices", lambda t, d, i=idx: torch.tensor_split(t, i, int(d)), x, len(idx) + 1, (0.0,),
               dims_line(idx))
    pieces("tensor_split_tensor", lambda t, d: torch.tensor_split(t, torch.tensor([1, 2]), int(d)), x, 3, (1.0,),
           dims_line([1, 2]))
    pieces("tensor_split_tensor", lambda t, d: torch.tensor_split(t, torch.tensor(2), int(d)), x, 2, (1.0,),
           ["sections 2"])
    pieces("hsplit", lambda t, s: torch.hsplit(t, int(s)), x, 2, (2.0,))
    pieces("hsplit", lambda t, s: torch.hsplit(t, int(s)), make((6,), dt), 3, (3.0,))
    pieces("vsplit", lambda t, s: torch.vsplit(t, int(s)), make((4, 3), dt), 2, (2.0,))
    pieces("dsplit", lambda t, s: torch.dsplit(t, int(s)), make((2, 2, 4), dt), 2, (2.0,))
    for d in (0, 1, -1):
        pieces("unbind", lambda t, dd: torch.unbind(t, int(dd)), make((3, 2), dt), (3, 2, 2)[d], (float(d),))
    pieces("unbind", lambda t, dd: torch.unbind(t, int(dd)), make((2, 3), dt), 2, (1.0,), layout=["t"])
    pieces("unbind", lambda t, dd: torch.unbind(t, int(dd)), make((4,), dt), 4, (0.0,))
for dt in OTHERS:
    pieces("split", lambda t, s, d: torch.split(t, int(s), int(d)), make((5, 2), dt), 3, (2.0, 0.0))
    pieces("unbind", lambda t, dd: torch.unbind(t, int(dd)), make((2, 3), dt), 3, (1.0,))
# errors
x = make((2, 3), f)
s = make((), f)
for args in ((0.0, 0.0), (2.0, 5.0)):
    error("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), [x], args, ["pick 0"])
error("chunk", lambda t, c, d: torch.chunk(t, int(c), int(d)), [s], (1.0, 0.0), ["pick 0"])
for args in ((0.0, 1.0), (-1.0, 1.0), (1.0, 2.0)):
    error("split", lambda t, c, d: torch.split(t, int(c), int(d)), [x], args, ["pick 0"])
error("split", lambda t, c, d: torch.split(t, int(c), int(d)), [s], (1.0, 0.0), ["pick 0"])
for sz, d in (([1, 1], 1), ([1, 1], -1), ([-1, 4], 1), ([2, 2], 1), ([4], 0)):
    error("split_with_sizes", lambda t, dd, sz=sz: torch.split(t, sz, int(dd)), [x], (float(d),),
          dims_line(sz) + ["pick 0"])
error("split_with_sizes", lambda t, dd: torch.split(t, [1], int(dd)), [s], (0.0,), dims_line([1]) + ["pick 0"])
error("tensor_split", lambda t, c, d: torch.tensor_split(t, int(c), int(d)), [x], (0.0, 1.0), ["pick 0"])
error("tensor_split", lambda t, c, d: torch.tensor_split(t, int(c), int(d)), [x], (1.0, 2.0), ["pick 0"])
error("tensor_split", lambda t, c, d: torch.tensor_split(t, int(c), int(d)), [s], (1.0, 0.0), ["pick 0"])
error("tensor_split_tensor", lambda t, d: torch.tensor_split(t, torch.tensor([[1]]), int(d)), [x], (0.0,),
      ["pick 0", "tdims 1 1"])
error("hsplit", lambda t, c: torch.hsplit(t, int(c)), [x], (2.0,), ["pick 0"])
error("hsplit", lambda t, c: torch.hsplit(t, int(c)), [x], (0.0,), ["pick 0"])
error("hsplit", lambda t, c: torch.hsplit(t, int(c)), [s], (1.0,), ["pick 0"])
error("vsplit", lambda t, c: torch.vsplit(t, int(c)), [make((3,), f)], (1.0,), ["pick 0"])
error("dsplit", lambda t, c: torch.dsplit(t, int(c)), [x], (1.0,), ["pick 0"])
error("dsplit", lambda t, c: torch.dsplit(t, int(c)), [make((2, 2, 3), f)], (2.0,), ["pick 0"])
error("unbind", lambda t, d: torch.unbind(t, int(d)), [s], (0.0,), ["pick 0"])
error("unbind", lambda t, d: torch.unbind(t, int(d)), [s], (-1.0,), ["pick 0"])
error("unbind", lambda t, d: torch.unbind(t, int(d)), [x], (2.0,), ["pick 0"])

# ---- broadcast_tensors / meshgrid ----
for dt in FLOATS:
    for shapes in (((3, 1), (1, 4)), ((2, 3), (3,), ()), ((2, 3), (2, 3)), ((0, 1), (1, 5))):
        xs = [make(sh, dt) for sh in shapes]
        for k in range(len(xs)):
            case("broadcast_tensors", lambda *a, k=k: torch.broadcast_tensors(*a)[k], xs, extra=[f"pick {k}"])
    for ix in ("ij", "xy"):
        xs = [make((3,), dt), make((2,), dt), make((), dt)]
        for n in (1, 2, 3):
            for k in range(n):
                case("meshgrid", lambda *a, k=k, ix=ix: torch.meshgrid(*a, indexing=ix)[k], xs[:n],
                     extra=[f"pick {k}", f"indexing {ix}"])
    xs = [make((4,), dt), make((0,), dt)]
    case("meshgrid", lambda *a: torch.meshgrid(*a, indexing="ij")[1], xs, extra=["pick 1", "indexing ij"])
case("meshgrid", lambda *a: torch.meshgrid(*a, indexing="xy")[0], [make((3,), torch.int64), make((2,), torch.int64)],
     extra=["pick 0", "indexing xy"])
error("broadcast_tensors", lambda *a: torch.broadcast_tensors(*a)[0], [make((2,), f), make((3,), f)], extra=["pick 0"])
error("meshgrid", lambda *a: torch.meshgrid(*a, indexing="ij")[0], [make((2,), f), make((2,), torch.float64)],
      extra=["pick 0", "indexing ij"])
error("meshgrid", lambda *a: torch.meshgrid(*a, indexing="foo")[0], [make((2,), f), make((2,), f)],
      extra=["pick 0", "indexing foo"])
error("meshgrid", lambda *a: torch.meshgrid(*a, indexing="ij")[0], [], extra=["pick 0", "indexing ij"])

# ---- repeat / tile / repeat_interleave ----
for dt in FLOATS:
    x = make((2, 3), dt)
    for reps in ([2, 1], [1, 3], [2, 2], [3, 1, 2], [0, 2], [2, 1, 1, 1]):
        case("repeat", lambda t, r=reps: t.repeat(*r), [x], extra=dims_line(reps))
        case("tile", lambda t, r=reps: torch.tile(t, r), [x], extra=dims_line(reps))
    case("repeat", lambda t: t.repeat(2, 2), [make((3, 2), dt)], layout=["t"], extra=dims_line([2, 2]))
    case("repeat", lambda t: t.repeat(3), [make((), dt)], extra=dims_line([3]))
    case("tile", lambda t: torch.tile(t, (2,)), [x], extra=dims_line([2]))
    case("tile", lambda t: torch.tile(t, (2,)), [make((0, 2), dt)], extra=dims_line([2]))
    for r, d in ((2, None), (3, 0), (2, 1), (1, -1), (0, 0)):
        if d is None:
            case("repeat_interleave", lambda t, rr: torch.repeat_interleave(t, int(rr)), [x], (float(r),))
        else:
            case("repeat_interleave_dim", lambda t, rr, dd: torch.repeat_interleave(t, int(rr), dim=int(dd)), [x],
                 (float(r), float(d)))
    case("repeat_interleave_dim", lambda t, rr, dd: torch.repeat_interleave(t, int(rr), dim=int(dd)),
         [make((3, 2), dt)], (2.0, 1.0), layout=["t"])
    case("repeat_interleave", lambda t, rr: torch.repeat_interleave(t, int(rr)), [make((), dt)], (3.0,))
    for reps, d in (([1, 0, 2], 1), ([2, 1], 0), ([3], 1), ([2], None)):
        ex = dims_line(reps)
        if d is None:
            case("repeat_interleave_tensor", lambda t, r=reps: torch.repeat_interleave(t, torch.tensor(r)), [x], extra=ex)
        else:
            case("repeat_interleave_tensor_dim", lambda t, dd, r=reps: torch.repeat_interleave(t, torch.tensor(r), dim=int(dd)),
                 [x], (float(d),), extra=ex)
for dt in OTHERS:
    x = make((2, 3), dt)
    case("repeat", lambda t: t.repeat(2, 1, 2), [x], extra=dims_line([2, 1, 2]))
    case("repeat_interleave_dim", lambda t, rr, dd: torch.repeat_interleave(t, int(rr), dim=int(dd)), [x], (2.0, 1.0))
for dt in (torch.int64, torch.int32):
    r = torch.tensor([2, 0, 3, 1], dtype=dt)
    case("repeat_interleave_indices", torch.repeat_interleave, [r])
    case("repeat_interleave_indices", torch.repeat_interleave, [torch.zeros(0, dtype=dt)])
x = make((2, 3), f)
error("repeat", lambda t: t.repeat(2), [x], extra=dims_line([2]))
error("repeat", lambda t: t.repeat(2, -1), [x], extra=dims_line([2, -1]))
error("tile", lambda t: torch.tile(t, (-1,)), [x], extra=dims_line([-1]))
error("repeat_interleave", lambda t, rr: torch.repeat_interleave(t, int(rr)), [x], (-1.0,))
error("repeat_interleave_dim", lambda t, rr, dd: torch.repeat_interleave(t, int(rr), dim=int(dd)), [x], (2.0, 2.0))
error("repeat_interleave_tensor_dim", lambda t, dd: torch.repeat_interleave(t, torch.tensor([1, 2]), dim=int(dd)), [x],
      (1.0,), extra=dims_line([1, 2]))
error("repeat_interleave_tensor_dim", lambda t, dd: torch.repeat_interleave(t, torch.tensor([1, -2]), dim=int(dd)), [x],
      (0.0,), extra=dims_line([1, -2]))
error("repeat_interleave_tensor_dim", lambda t, dd: torch.repeat_interleave(t, torch.tensor([[1, 2]]), dim=int(dd)),
      [x], (0.0,), extra=dims_line([1, 2]) + ["rdims 1 2"])
error("repeat_interleave_indices", torch.repeat_interleave, [torch.tensor([1.0, 2.0])])
error("repeat_interleave_indices", torch.repeat_interleave, [torch.tensor([[1, 2]])])
error("repeat_interleave_indices", torch.repeat_interleave, [torch.tensor([1, -2])])

# ---- flip / roll / rot90 ----
for dt in FLOATS:
    x = make((3, 4), dt)
    for dims in ([0], [1], [0, 1], [-1], []):
        case("flip", lambda t, d=dims: torch.flip(t, d), [x], extra=dims_line(dims))
    case("flip", lambda t: torch.flip(t, [0, 2]), [make((2, 3, 2), dt)], extra=dims_line([0, 2]))
    case("flip", lambda t: torch.flip(t, [0]), [make((4, 3), dt)], layout=["t"], extra=dims_line([0]))
    case("flip", lambda t: torch.flip(t, [0]), [make((), dt)], extra=dims_line([0]))
    case("flip", lambda t: torch.flip(t, [1]), [make((0, 3), dt)], extra=dims_line([1]))
    case("fliplr", torch.fliplr, [x])
    case("flipud", torch.flipud, [x])
    for sh, dm in (([1], [0]), ([-1], [1]), ([5], [1]), ([1, 2], [0, 1]), ([2, 1], [1, 1]), ([3], []), ([-7], [])):
        case("roll", lambda t, s=sh, d=dm: torch.roll(t, s, d), [x], extra=["shifts " + " ".join(map(str, sh))] + dims_line(dm))
    case("roll", lambda t: torch.roll(t, [1], [0]), [make((4, 3), dt)], layout=["t"], extra=["shifts 1", "dims 0"])
    case("roll", lambda t: torch.roll(t, [2], []), [make((), dt)], extra=["shifts 2", "dims"])
    case("roll", lambda t: torch.roll(t, [1], [5]), [make((0, 3), dt)], extra=["shifts 1", "dims 5"])
    for k in (1, 2, 3, 0, -1, 5):
        case("rot90", lambda t, kk: torch.rot90(t, int(kk)), [x], (float(k),))
    for dims in ([1, 0], [0, 2], [-1, -3]):
        case("rot90_dims", lambda t, kk, d=dims: torch.rot90(t, int(kk), d), [make((2, 3, 4), dt)], (1.0,),
             extra=dims_line(dims))
for dt in OTHERS:
    x = make((3, 4), dt)
    case("flip", lambda t: torch.flip(t, [0, 1]), [x], extra=dims_line([0, 1]))
    case("roll", lambda t: torch.roll(t, [1], [1]), [x], extra=["shifts 1", "dims 1"])
    case("rot90", lambda t, kk: torch.rot90(t, int(kk)), [x], (1.0,))
x = make((2, 3), f)
error("flip", lambda t: torch.flip(t, [0, 0]), [x], extra=dims_line([0, 0]))
error("flip", lambda t: torch.flip(t, [0, -2]), [x], extra=dims_line([0, -2]))
error("flip", lambda t: torch.flip(t, [2]), [x], extra=dims_line([2]))
error("fliplr", torch.fliplr, [make((3,), f)])
error("flipud", torch.flipud, [make((), f)])
error("roll", lambda t: torch.roll(t, [1, 2], [0]), [x], extra=["shifts 1 2", "dims 0"])
error("roll", lambda t: torch.roll(t, [], []), [x], extra=["shifts", "dims"])
error("roll", lambda t: torch.roll(t, [1, 2], []), [x], extra=["shifts 1 2", "dims"])
error("roll", lambda t: torch.roll(t, [1], [2]), [x], extra=["shifts 1", "dims 2"])
for dims in ([0], [0, 0], [0, 2], [0, 1, 2], [0, -2]):
    error("rot90_dims", lambda t, kk, d=dims: torch.rot90(t, int(kk), d), [x], (1.0,), extra=dims_line(dims))
error("rot90_dims", lambda t, kk: torch.rot90(t, int(kk), [0, 3]), [make((2, 3, 4), f)], (1.0,), extra=dims_line([0, 3]))
error("rot90_dims", lambda t, kk: torch.rot90(t, int(kk), [-4, 1]), [make((2, 3, 4), f)], (1.0,), extra=dims_line([-4, 1]))
error("rot90", lambda t, kk: torch.rot90(t, int(kk)), [make((3,), f)], (1.0,))

# ---- tril / triu ----
for dt in FLOATS:
    for shape in ((4, 5), (5, 3), (2, 3, 3), (0, 3), (3, 0)):
        x = make(shape, dt)
        for k in (0, 1, -1, 3, -4, 10):
            case("tril", lambda t, kk: torch.tril(t, int(kk)), [x], (float(k),))
            case("triu", lambda t, kk: torch.triu(t, int(kk)), [x], (float(k),))
    case("tril", lambda t, kk: torch.tril(t, int(kk)), [make((5, 4), dt)], (1.0,), layout=["t"])
    case("tril_", lambda t, kk: torch.tril(t, int(kk)), [make((3, 4), dt)], (0.0,))
    case("triu_", lambda t, kk: torch.triu(t, int(kk)), [make((3, 4), dt)], (-1.0,))
for dt in OTHERS:
    x = make((3, 4), dt)
    case("tril", lambda t, kk: torch.tril(t, int(kk)), [x], (0.0,))
    case("triu", lambda t, kk: torch.triu(t, int(kk)), [x], (1.0,))
error("tril", lambda t, kk: torch.tril(t, int(kk)), [make((3,), f)], (0.0,))
error("triu", lambda t, kk: torch.triu(t, int(kk)), [make((), f)], (0.0,))

# ---- searchsorted / bucketize ----
def ss(sd, vals, **kw):
    return torch.searchsorted(sd, vals, **kw)


for dt in (torch.float64, torch.float32, torch.int64, torch.int32, torch.float16, torch.bfloat16, torch.int8, torch.uint8):
    bd = torch.tensor([1, 3, 3, 5, 7, 9]).to(dt)
    vals = torch.tensor([[0, 1, 3, 4], [9, 10, 5, 2]]).to(dt)
    for right in (0, 1):
        for i32 in (0, 1):
            case("searchsorted", lambda b, v, r, i: ss(b, v, right=bool(r), out_int32=bool(i)), [bd, vals],
                 (float(right), float(i32)))
    case("bucketize", lambda v, b, i, r: torch.bucketize(v, b, out_int32=bool(i), right=bool(r)), [vals, bd], (0.0, 1.0))
nan = float("nan")
inf = float("inf")
for dt in (torch.float64, torch.float32):
    bd = torch.tensor([-inf, -1.0, -0.0, 0.0, 2.0, inf, nan], dtype=dt)
    vals = torch.tensor([nan, inf, -inf, 0.0, -0.0, 2.0, -5.0], dtype=dt)
    for right in (0, 1):
        case("searchsorted", lambda b, v, r, i: ss(b, v, right=bool(r), out_int32=bool(i)), [bd, vals], (float(right), 0.0))
    # N-D boundaries
    bd2 = torch.tensor([[1.0, 2.0, 3.0], [0.0, 5.0, 6.0]], dtype=dt)
    v2 = torch.tensor([[2.0, 2.5], [5.0, 7.0]], dtype=dt)
    case("searchsorted", lambda b, v, r, i: ss(b, v, right=bool(r)), [bd2, v2], (0.0, 0.0))
    case("searchsorted", lambda b, v, r, i: ss(b, v, right=bool(r)), [bd2, v2], (1.0, 0.0))
    case("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([1.0, 2.0], dtype=dt), torch.zeros(0, 3, dtype=dt)],
         (0.0, 0.0))
    case("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([1.0, 2.0, 3.0], dtype=dt), torch.tensor(2.0, dtype=dt)],
         (0.0, 0.0))
    # transposed values
    case("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([-1.0, 0.0, 1.0], dtype=dt), make((3, 2), dt)],
         (0.0, 0.0), layout=["c", "t"])
    # sorter and side
    bd = torch.tensor([5.0, 1.0, 3.0, 3.0, 9.0], dtype=dt)
    sorter = torch.argsort(bd)
    vals = torch.tensor([0.0, 3.0, 4.0, 10.0, 1.0], dtype=dt)
    for side in ("left", "right"):
        case("searchsorted_sorter", lambda b, v, s, side=side: ss(b, v, side=side, sorter=s), [bd, vals, sorter],
             extra=[f"side {side}"])
    case("searchsorted_scalar", lambda b, r, v: ss(b, v, right=bool(r)), [torch.tensor([1.0, 3.0, 5.0], dtype=dt)], (1.0, 3.0))
    case("bucketize_scalar", lambda b, r, v: torch.bucketize(v, b, right=bool(r)), [torch.tensor([1.0, 3.0], dtype=dt)], (0.0, 2.5))
# mixed dtypes
case("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([1, 2, 3]), torch.tensor([1.5, 2.0, 3.5])], (0.0, 0.0))
case("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([1.5, 2.0, 3.5]), torch.tensor([1, 2, 4])], (0.0, 0.0))
case("searchsorted", lambda b, v, r, i: ss(b, v, right=True), [torch.tensor([16777217, 16777218]), torch.tensor([16777216.0])],
     (1.0, 0.0))
case("searchsorted_scalar", lambda b, r, v: ss(b, v, right=bool(r)), [torch.tensor([1, 2, 3])], (0.0, 2.5))
# errors
b1 = torch.tensor([1.0, 2.0])
error("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([[1.0, 2], [1, 3]]), torch.tensor([[1.0, 2]])], (0.0, 0.0))
error("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([[1.0, 2], [1, 3]]), torch.tensor([1.0, 2])], (0.0, 0.0))
error("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor(1.0), torch.tensor([1.0, 2])], (0.0, 0.0))
error("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([[1.0, 2]]), torch.tensor(1.0)], (0.0, 0.0))
error("searchsorted", lambda b, v, r, i: ss(b, v), [torch.tensor([True, False]), torch.tensor([True])], (0.0, 0.0))
error("searchsorted_sorter", lambda b, v, s: ss(b, v, side="foo", sorter=s), [b1, b1, torch.tensor([0, 1])], extra=["side foo"])
error("searchsorted_sorter", lambda b, v, s: ss(b, v, side="left", right=True, sorter=s), [b1, b1, torch.tensor([0, 1])],
      extra=["side left", "right 1"])
error("searchsorted_sorter", lambda b, v, s: ss(b, v, sorter=s), [b1, b1, torch.tensor([0])])
error("searchsorted_sorter", lambda b, v, s: ss(b, v, sorter=s), [b1, b1, torch.tensor([0.0, 1.0])])
error("bucketize", lambda v, b, i, r: torch.bucketize(v, b), [b1, torch.tensor([[1.0, 2.0]])], (0.0, 0.0))
error("bucketize", lambda v, b, i, r: torch.bucketize(v, b), [b1, torch.tensor(1.0)], (0.0, 0.0))

W.write("gen_join.py")
