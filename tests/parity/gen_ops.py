"""Parity vectors for the first op families (arithmetic, pointwise,
reductions, matrix products): values and gradients from PyTorch 1.13.1.

Each case: op name, scalar args, inputs (shape, dtype, layout, exact values),
the output (shape, dtype, values) and, for floating cases, the gradient of
sum(out * w) for a fixed w with respect to each input.
Run with /usr/bin/python3 (Debian's python3-torch)."""
import math
import os
import struct

import torch

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "ops.txt")
lines = []

DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
      torch.bool: "bool", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.uint8: "uint8"}


def hexvals(t):
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float64:
        return [struct.pack(">d", v).hex() for v in t.tolist()]
    if t.dtype == torch.float32:
        return [struct.pack(">f", v).hex() for v in t.tolist()]
    if t.dtype in (torch.float16, torch.bfloat16):
        return ["%04x" % (v & 0xFFFF) for v in t.view(torch.int16).tolist()]
    return [str(int(v)) for v in t.tolist()]


def emit_tensor(prefix, t):
    lines.append(f"{prefix}_dtype {DT[t.dtype]}")
    lines.append(f"{prefix}_shape {' '.join(map(str, t.shape))}".rstrip())
    lines.append(f"{prefix} {' '.join(hexvals(t))}".rstrip())


def make(shape, dtype, kind):
    if dtype.is_floating_point:
        x = torch.randn(shape, dtype=torch.float64)
        if kind == "pos":
            x = x.abs() + 0.5
        return x.to(dtype)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape).bool()
    lo = 0 if dtype == torch.uint8 else -5
    return torch.randint(lo, 6, shape, dtype=dtype)


CASE = [0]


def case(op, fn, inputs, args=(), layout=None, grad=True, extra=()):
    """layout[i] == 't': input i is passed transposed (a non-contiguous view)."""
    layout = layout or ["c"] * len(inputs)
    leaves = []
    for x, l in zip(inputs, layout):
        base = x.t().contiguous() if l == "t" else x  # stored transposed, viewed back
        v = base.t() if l == "t" else base
        v = v.detach()
        if grad and v.dtype.is_floating_point:
            v.requires_grad_(True)
        leaves.append((base, v, l))
    out = fn(*[v for _, v, _ in leaves], *args)
    CASE[0] += 1
    lines.append(f"case {op}_{CASE[0]}")
    lines.append(f"op {op}")
    lines.append(f"args {' '.join(repr(float(a)) for a in args)}".rstrip())
    lines.append(f"ninputs {len(inputs)}")
    lines.extend(extra)
    for i, (base, v, l) in enumerate(leaves):
        emit_tensor(f"in{i}", base)
        lines.append(f"in{i}_layout {l}")
        lines.append(f"in{i}_requires_grad {int(v.requires_grad)}")
    emit_tensor("out", out)
    if out.requires_grad:
        lines.append(f"grad_fn {type(out.grad_fn).__name__}")
        w = torch.randn(out.shape, dtype=torch.float64).to(out.dtype)
        emit_tensor("w", w)
        out.backward(w)
        for i, (_, v, _) in enumerate(leaves):
            if v.requires_grad:
                emit_tensor(f"grad{i}", v.grad)
    lines.append("end")


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

with open(OUT, "w") as f:
    f.write("# generated by tests/parity/gen_ops.py with torch %s\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(OUT, CASE[0], "cases")
