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

# @MORE@

W.write("gen_join.py")
