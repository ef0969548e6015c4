"""Parity vectors for the activation family (src/ops/activation.c,
src/ops/softmax.c): values, dtypes, grad_fn names, gradients and PyTorch's
error messages from PyTorch 1.13.1. Run with /usr/bin/python3; writes
tests/parity/data/activation.txt, replayed by tests/ops/test_activation.c.

Op names: "elu" is F.elu(x, *args); "elu_" is F.elu_(x.clone(), *args)
(the in-place form, on a differentiable copy). Softmax ops carry the dim in
args[0] and, for the _dtype forms, the dtype in the 'dtype' line."""
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "activation.txt"))
make, case = W.make, W.case
F64, F32, BF16, F16, I64 = torch.float64, torch.float32, torch.bfloat16, torch.float16, torch.int64


def ip(fn):
    """the in-place form on a copy"""
    return lambda x, *a: fn(x.clone(), *a)


# name, function(x, *args), args lists
UNARY = [
    ("elu", F.elu, [(1.0,), (0.5,), (2.0,)]),
    ("elu_", ip(lambda x, a: F.elu(x, a, inplace=True)), [(1.0,), (0.3,)]),
    ("selu", F.selu, [()]),
    ("selu_", ip(lambda x: F.selu(x, inplace=True)), [()]),
    ("celu", F.celu, [(1.0,), (0.7,), (2.5,)]),
    ("celu_", ip(lambda x, a: F.celu(x, a, inplace=True)), [(1.5,)]),
    ("hardtanh", F.hardtanh, [(-1.0, 1.0), (-0.5, 2.0), (0.0, 1.0)]),
    ("hardtanh_", ip(lambda x, a, b: F.hardtanh(x, a, b, inplace=True)), [(-1.0, 1.0)]),
    ("relu6", F.relu6, [()]),
    ("relu6_", ip(lambda x: F.relu6(x, inplace=True)), [()]),
    ("hardsigmoid", F.hardsigmoid, [()]),
    ("hardsigmoid_", ip(lambda x: F.hardsigmoid(x, inplace=True)), [()]),
    ("hardswish", F.hardswish, [()]),
    ("hardswish_", ip(lambda x: F.hardswish(x, inplace=True)), [()]),
    ("leaky_relu", F.leaky_relu, [(0.01,), (0.2,), (-0.5,), (0.0,)]),
    ("leaky_relu_", ip(lambda x, s: F.leaky_relu(x, s, inplace=True)), [(0.1,)]),
    ("logsigmoid", F.logsigmoid, [()]),
    ("rrelu_eval", lambda x, lo, hi: F.rrelu(x, lo, hi, training=False), [(1 / 8, 1 / 3), (0.1, 0.9)]),
    ("gelu", lambda x, a: F.gelu(x, approximate="tanh" if a else "none"), [(0,), (1,)]),
    ("silu", F.silu, [()]),
    ("silu_", ip(lambda x: F.silu(x, inplace=True)), [()]),
    ("mish", F.mish, [()]),
    ("mish_", ip(lambda x: F.mish(x, inplace=True)), [()]),
    ("softplus", F.softplus, [(1.0, 20.0), (2.0, 1.0), (0.5, 0.5)]),
    ("softshrink", F.softshrink, [(0.5,), (0.0,), (1.2,)]),
    ("hardshrink", F.hardshrink, [(0.5,), (0.0,), (1.2,)]),
    ("softsign", F.softsign, [()]),
    ("tanhshrink", F.tanhshrink, [()]),
    ("threshold", F.threshold, [(0.1, 20.0), (-0.5, -2.0)]),
    ("threshold_", ip(lambda x, t, v: F.threshold(x, t, v, inplace=True)), [(0.2, 3.0)]),
]

BF16_EXACT = {"hardtanh", "relu6", "leaky_relu", "softshrink", "hardshrink", "threshold", "rrelu_eval"}

SHAPES = [((3, 4), "c"), ((4, 3), "t"), ((2, 3, 5), "c"), ((0, 3), "c"), ((), "c")]

for name, fn, arglists in UNARY:
    for args in arglists:
        for shape, lay in SHAPES:
            for dt in (F64, F32):
                x = make(shape, dt) * 2
                case(name, fn, [x], args, layout=[lay] if len(shape) == 2 else None)
        # bfloat16 values, for the piecewise-linear ops only: ctorch computes
        # bfloat16 in float32 and rounds once, PyTorch's vectorized bfloat16
        # paths round every intermediate (a few ulps apart elsewhere)
        if name.rstrip("_") in BF16_EXACT:
            case(name, fn, [make((2, 5), BF16)], args, grad=False)
    # special values: forward only
    sp = torch.tensor([float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 25.0, -25.0, 3.0, -3.0, 1e-3])
    case(name, fn, [sp.clone()], arglists[0], grad=False)
    # integer input: PyTorch's message, or kept integer dtype
    case(name, fn, [torch.tensor([-3, 0, 2, 7])], arglists[0], grad=False)

# prelu: (x, weight)
for dt in (F64, F32):
    for xs, ws in [((2, 3, 4), (3,)), ((2, 3), (3,)), ((2, 3, 4, 2), (1,)), ((5,), (1,)), ((2, 4), ())]:
        case("prelu", F.prelu, [make(xs, dt), make(ws, dt).abs() * 0.3])
W.error("prelu", F.prelu, [make((2, 4), F32), torch.ones(3)])
W.error("prelu", F.prelu, [make((2, 4), F32), torch.ones(2, 2)])
W.error("prelu", F.prelu, [make((2, 4), F32), torch.ones(4, 1)])
W.error("prelu", F.prelu, [torch.ones(2, 3, dtype=I64), torch.ones(1, dtype=I64)])

# glu
for dt in (F64, F32):
    for shape, dim in [((4, 6), -1), ((4, 6), 0), ((2, 4, 3), 1), ((6,), 0)]:
        case("glu", F.glu, [make(shape, dt)], (dim,))
W.error("glu", F.glu, [make((4, 5), F32)], (1,))
W.error("glu", F.glu, [make((4, 5), F32)], (2,))
W.error("glu", F.glu, [torch.tensor(1.0)], (0,))
W.error("glu", F.glu, [torch.ones(4, dtype=I64)], (0,))

# errors of the scalar arguments
W.error("celu", F.celu, [make((3,), F32)], (0.0,))
W.error("softshrink", F.softshrink, [make((3,), F32)], (-1.0,))
W.error("softshrink", F.softshrink, [make((3,), F32)], (-0.25,))
W.error("gelu", lambda x, a: F.gelu(x, approximate="foo"), [make((3,), F32)], (2,))
for name, fn in [("elu", F.elu), ("gelu", F.gelu), ("silu", F.silu), ("softplus", F.softplus)]:
    pass

# softmax family
SM = [("softmax", F.softmax), ("log_softmax", F.log_softmax), ("softmin", F.softmin)]
for name, fn in SM:
    for dt in (F64, F32):
        for shape, dim in [((3, 5), 1), ((3, 5), 0), ((3, 5), -1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((7,), 0),
                           ((), 0), ((0, 4), 1), ((2, 1, 3), 1)]:
            x = make(shape, dt) * 3
            case(name, lambda x, d, fn=fn: fn(x, int(d)), [x], (dim,))
        case(name, lambda x, d, fn=fn: fn(x, int(d)), [make((5, 3), dt)], (1,), layout=["t"])
    # large values stay finite (max subtraction), NaN/inf rows
    big = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0], [float("inf"), 1.0, 2.0],
                        [float("nan"), 1.0, 2.0], [-float("inf"), -float("inf"), 0.0]])
    case(name, lambda x, d, fn=fn: fn(x, int(d)), [big], (1,), grad=False)
    # dtype argument
    for src, dst in [(F32, F64), (F64, F32), (I64, F32)]:
        x = make((3, 4), src)
        # float64 -> float32: the float64 gradient carries float32 rounding
        # of PyTorch's fused backward kernel; compared as values only
        case(name + "_dtype", lambda x, d, fn=fn, dst=dst: fn(x, int(d), dtype=dst), [x], (1,),
             extra=[f"dtype {str(dst).replace('torch.', '')}"], grad=src != F64)
    W.error(name, lambda x, d, fn=fn: fn(x, int(d)), [make((3, 4), F32)], (2,))
    W.error(name, lambda x, d, fn=fn: fn(x, int(d)), [make((3, 4), F32)], (-3,))
    W.error(name, lambda x, d, fn=fn: fn(x, int(d)), [torch.ones(3, 4, dtype=I64)], (1,))
    W.error(name, lambda x, d, fn=fn: fn(x, int(d)), [torch.ones(3, 4, dtype=I64)], (0,))
    W.error(name, lambda x, d, fn=fn: fn(x, int(d)), [torch.ones(3, 4, dtype=F16)], (1,))

W.write("gen_activation.py")
