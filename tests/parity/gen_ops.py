"""Parity vectors for the first op families (arithmetic, pointwise,
reductions, matrix products): values and gradients from PyTorch 1.13.1.

Each case: op name, scalar args, inputs (shape, dtype, layout, exact values),
the output (shape, dtype, values) and, for floating cases, the gradient of
sum(out * w) for a fixed w with respect to each input.
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "ops.txt"))
make, case = W.make, W.case

FLOATS = [torch.float64, torch.float32]
SHAPES2 = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ()), ((0, 3), (3,)), ((), ())]

for dt in FLOATS + [torch.int64, torch.int32]:
    for sa, sb in SHAPES2:
        a, b = make(sa, dt, "any"), make(sb, dt, "any")
        case("add", torch.add, [a, b])
        case("sub", torch.sub, [a, b])
        case("mul", torch.mul, [a, b])
        if dt.is_floating_point:
            case("div", torch.div, [a, make(sb, dt, "pos")])
    a, b = make((3, 4), dt, "any"), make((3, 4), dt, "any")
    case("add_alpha", lambda x, y, al: torch.add(x, y, alpha=al if dt.is_floating_point else int(al)), [a, b], (2.0,))
    case("add_scalar", lambda x, s: x + s, [a], (1.5,))
    case("mul_scalar", lambda x, s: x * s, [a], (-2.0,))
    case("div_scalar", lambda x, s: x / s, [a], (4.0,))
    case("neg", torch.neg, [a])

# mixed dtypes: promotion
case("add", torch.add, [make((3,), torch.int64, "any"), make((3,), torch.float32, "any")])
case("mul", torch.mul, [make((3,), torch.float32, "any"), make((), torch.float64, "any")])
case("div", torch.div, [make((4,), torch.int64, "any"), torch.tensor([1, 2, 3, 4])])
case("add", torch.add, [make((2, 2), torch.bool, "any"), make((2, 2), torch.bool, "any")])
case("mul", torch.mul, [make((2, 3), torch.uint8, "any"), make((3,), torch.int32, "any")])

# transposed (non-contiguous) operands
for dt in FLOATS:
    a, b = make((3, 4), dt, "any"), make((3, 4), dt, "any")
    case("add", torch.add, [a, b], layout=["t", "c"])
    case("mul", torch.mul, [a, b], layout=["t", "c"])
    case("exp", torch.exp, [a], layout=["t"])
    case("sum_dim", lambda t, k: torch.sum(t, (1,), keepdim=bool(k)), [a], (0.0,), layout=["t"], extra=["dims 1"])

UNARY = [("exp", torch.exp, "any"), ("log", torch.log, "pos"), ("sin", torch.sin, "any"), ("cos", torch.cos, "any"),
         ("tanh", torch.tanh, "any"), ("sigmoid", torch.sigmoid, "any"), ("sqrt", torch.sqrt, "pos"),
         ("relu", torch.relu, "any"), ("sign", torch.sign, "any")]
for dt in FLOATS:
    for name, fn, kind in UNARY:
        for shape in [(2, 3), (), (0,), (7,)]:
            case(name, fn, [make(shape, dt, kind)])
    for p in [2.0, 3.0, 0.5, 0.0, -1.5]:
        case("pow_scalar", lambda x, e: torch.pow(x, e), [make((2, 3), dt, "pos")], (p,))
for name, fn, kind in UNARY:
    if name in ("relu", "sign"):
        case(name, fn, [make((5,), torch.int64, "any")])
    else:
        case(name, fn, [make((4,), torch.int64, "pos")])

for dt in FLOATS:
    x = make((3, 4, 5), dt, "any")
    case("sum", torch.sum, [x])
    case("mean", torch.mean, [x])
    for dims in [(0,), (1,), (-1,), (0, 2), (2, 0, 1)]:
        for keep in (0.0, 1.0):
            ex = [f"dims {' '.join(map(str, dims))}"]
            case("sum_dim", lambda t, k, d=dims: torch.sum(t, d, keepdim=bool(k)), [x], (keep,), extra=ex)
            case("mean_dim", lambda t, k, d=dims: torch.mean(t, d, keepdim=bool(k)), [x], (keep,), extra=ex)
    case("sum", torch.sum, [make((), dt, "any")])
    case("sum", torch.sum, [make((0, 4), dt, "any")])
    case("sum_dim", lambda t, k: torch.sum(t, (0,), keepdim=bool(k)), [make((0, 4), dt, "any")], (0.0,),
         extra=["dims 0"])
case("sum", torch.sum, [make((3, 4), torch.int32, "any")])
case("sum", torch.sum, [make((3, 4), torch.bool, "any")])

for dt in FLOATS:
    case("mm", torch.mm, [make((2, 3), dt, "any"), make((3, 4), dt, "any")])
    case("mm", torch.mm, [make((2, 3), dt, "any"), make((3, 4), dt, "any")], layout=["t", "c"])
    case("mm", torch.mm, [make((2, 3), dt, "any"), make((3, 4), dt, "any")], layout=["c", "t"])
    case("mm", torch.mm, [make((0, 3), dt, "any"), make((3, 4), dt, "any")])
    case("mm", torch.mm, [make((2, 0), dt, "any"), make((0, 4), dt, "any")])
    case("matmul", torch.matmul, [make((3,), dt, "any"), make((3,), dt, "any")])
    case("matmul", torch.matmul, [make((2, 3), dt, "any"), make((3,), dt, "any")])
    case("matmul", torch.matmul, [make((3,), dt, "any"), make((3, 4), dt, "any")])
    case("matmul", torch.matmul, [make((2, 3), dt, "any"), make((3, 4), dt, "any")])
case("mm", torch.mm, [make((2, 3), torch.int64, "any"), make((3, 2), torch.int64, "any")])

W.write("gen_ops.py")
