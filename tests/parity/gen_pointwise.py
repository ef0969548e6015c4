"""Parity vectors for the unary pointwise family (src/ops/pointwise.c):
values, dtypes, grad_fn names, gradients and PyTorch's error messages from
PyTorch 1.13.1. Run with /usr/bin/python3 (Debian's python3-torch); writes
tests/parity/data/pointwise.txt, replayed by tests/ops/test_pointwise.c.

Op names: "exp" is torch.exp(x); "exp_" is x.clone().exp_() (the in-place
form); "leaf_exp_" is x.exp_() on the leaf itself (an error when it
requires grad). Ops with arguments carry them in 'args'."""
import math
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "pointwise.txt"))
make, case = W.make, W.case

F64, F32, F16, BF16 = torch.float64, torch.float32, torch.float16, torch.bfloat16


def dom(kind, shape, dt):
    """Inputs inside each op's domain, away from kinks and poles."""
    x = torch.randn(shape, dtype=torch.float64)
    if kind == "any":
        pass
    elif kind == "wide":  # rounding ops: values spread over several integers
        x = x * 3
    elif kind == "pos":
        x = x.abs() + 0.5
    elif kind == "nz":  # both signs, away from 0
        x = torch.sign(x) * (x.abs() + 0.5)
        x[x == 0] = 0.7
    elif kind == "unit":
        x = torch.tanh(x) * 0.9
    elif kind == "gt1":
        x = x.abs() + 1.5
    elif kind == "prob":
        x = torch.sigmoid(x) * 0.9 + 0.05
    elif kind == "gamma":  # positive, and negative non-integers
        x = torch.where(x > -0.3, x.abs() + 0.5, -(x.abs() * 2).floor() - 0.5 + 0.3 * torch.tanh(x))
    return x.to(dt)


# name, python function, domain, float16 supported, keeps integer dtypes
OPS = [
    ("abs", torch.abs, "nz", True, True),
    ("sign", torch.sign, "nz", True, True),
    ("reciprocal", torch.reciprocal, "nz", True, False),
    ("sqrt", torch.sqrt, "pos", False, False),
    ("rsqrt", torch.rsqrt, "pos", False, False),
    ("square", torch.square, "any", True, True),
    ("exp", torch.exp, "any", False, False),
    ("exp2", torch.exp2, "any", True, False),
    ("expm1", torch.expm1, "any", False, False),
    ("log", torch.log, "pos", False, False),
    ("log2", torch.log2, "pos", False, False),
    ("log10", torch.log10, "pos", False, False),
    ("log1p", torch.log1p, "pos", False, False),
    ("sin", torch.sin, "any", False, False),
    ("cos", torch.cos, "any", False, False),
    ("tan", torch.tan, "unit", False, False),
    ("asin", torch.asin, "unit", False, False),
    ("acos", torch.acos, "unit", False, False),
    ("atan", torch.atan, "any", False, False),
    ("sinh", torch.sinh, "any", False, False),
    ("cosh", torch.cosh, "any", False, False),
    ("tanh", torch.tanh, "any", False, False),
    ("asinh", torch.asinh, "any", False, False),
    ("acosh", torch.acosh, "gt1", False, False),
    ("atanh", torch.atanh, "unit", False, False),
    ("sigmoid", torch.sigmoid, "any", False, False),
    ("logit", torch.logit, "prob", False, False),
    ("erf", torch.erf, "any", False, False),
    ("erfc", torch.erfc, "any", False, False),
    ("erfinv", torch.erfinv, "unit", False, False),
    ("lgamma", torch.lgamma, "gamma", False, False),
    ("digamma", torch.digamma, "gamma", False, False),
    ("floor", torch.floor, "wide", False, True),
    ("ceil", torch.ceil, "wide", False, True),
    ("round", torch.round, "wide", False, True),
    ("trunc", torch.trunc, "wide", False, True),
    ("frac", torch.frac, "wide", True, True),
    ("relu", torch.relu, "nz", False, True),
]
INPLACE_ONLY = {"relu": lambda x: x.relu_()}

SPECIAL = [float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1.0, -1.0, 0.25,
           -3.0, 1e-8, 100.0, -100.0, 0.999, -0.999, 2.0]

def inplace_has_backward(n):
    """asinh_/acosh_/atanh_ have no derivative in PyTorch 1.13 (ctorch has)."""
    x = dom("pos", (2,), F64).requires_grad_()
    try:
        getattr(x.clone(), n + "_")().sum().backward()
        return True
    except NotImplementedError:
        return False


for name, fn, kind, half, keeps in OPS:
    ip = lambda x, n=name: getattr(x.clone(), n + "_")()
    ipg = inplace_has_backward(name)
    for dt in (F64, F32):
        for shape in [(2, 3), (), (0,), (7,)]:
            case(name, fn, [dom(kind, shape, dt)])
        case(name, fn, [dom(kind, (3, 4), dt)], layout=["t"])
        case(name + "_", ip, [dom(kind, (2, 3), dt)], grad=ipg)
        case(name + "_", ip, [dom(kind, (3, 4), dt)], layout=["t"], grad=ipg)
        case(name, fn, [torch.tensor(SPECIAL, dtype=dt)], grad=False)
        case(name + "_", ip, [torch.tensor(SPECIAL, dtype=dt)], grad=False)
    case(name, fn, [dom(kind, (4, 8), BF16)])  # >= 32: the vectorized path
    case(name, fn, [torch.tensor(SPECIAL + SPECIAL[:12], dtype=BF16)], grad=False)
    if half:
        case(name, fn, [dom(kind, (2, 5), F16)])
        case(name, fn, [torch.tensor(SPECIAL, dtype=F16)], grad=False)
    else:
        W.error(name, fn, [dom(kind, (2, 3), F16)])
    for dt in (torch.int64, torch.int32, torch.uint8, torch.int8):
        case(name, fn, [torch.tensor([0, 1, 2, 3, 5, 100, 127], dtype=dt)])
    case(name, fn, [torch.tensor([-3, -1, 0, 1, 4, -(2**63)], dtype=torch.int64)])
    case(name + "_", ip, [torch.tensor([0, 1, 2, 3], dtype=torch.int64)])
    case(name, fn, [torch.tensor([True, False, True])])
    case(name + "_", ip, [torch.tensor([True, False, True])])
    # in place on a leaf that requires grad
    case("leaf_" + name + "_", lambda x, n=name: getattr(x, n + "_")(), [dom(kind, (3,), F64)])

# logit with eps (clamps; zero gradient outside [eps, 1 - eps])
for dt in (F64, F32):
    for eps in (0.2, 0.0, 1e-6):
        x = torch.tensor([0.05, 0.1, 0.3, 0.5, 0.7, 0.95, 0.15, 0.85], dtype=dt)
        case("logit_eps", lambda t, e: torch.logit(t, eps=e), [x], (eps,))
        case("logit_eps_", lambda t, e: t.clone().logit_(eps=e), [x], (eps,))
    case("logit_eps", lambda t, e: torch.logit(t, eps=e), [torch.tensor(SPECIAL, dtype=dt)], (0.25,), grad=False)
    case("logit_eps", lambda t, e: torch.logit(t, eps=e), [dom("prob", (3, 4), dt)], (0.3,), layout=["t"])
    case("logit_eps", lambda t, e: torch.logit(t, eps=e), [dom("prob", (), dt)], (0.3,))
case("logit_eps", lambda t, e: torch.logit(t, eps=e), [dom("prob", (4, 8), BF16)], (0.1,))
case("logit_eps", lambda t, e: torch.logit(t, eps=e), [torch.tensor([1, 0, 2])], (0.1,))
# gradients outside [0, 1] without eps are NaN
case("logit", torch.logit, [torch.tensor([-0.5, 0.5, 1.5], dtype=F64)], grad=False)

# polygamma(n, x)
for dt in (F64, F32):
    for n in (0, 1, 2, 3):
        case("polygamma", lambda t, k: torch.polygamma(int(k), t), [dom("gamma", (2, 3), dt)], (n,))
        case("polygamma_", lambda t, k: t.clone().polygamma_(int(k)), [dom("pos", (2, 3), dt)], (n,))
    case("polygamma", lambda t, k: torch.polygamma(int(k), t), [torch.tensor(SPECIAL, dtype=dt)], (1,), grad=False)
    case("polygamma", lambda t, k: torch.polygamma(int(k), t), [torch.tensor(SPECIAL, dtype=dt)], (2,), grad=False)
    case("polygamma", lambda t, k: torch.polygamma(int(k), t), [dom("pos", (3, 4), dt)], (1,), layout=["t"])
case("polygamma", lambda t, k: torch.polygamma(int(k), t), [dom("pos", (4, 8), BF16)], (1,))
case("polygamma", lambda t, k: torch.polygamma(int(k), t), [torch.tensor([1, 2, 3])], (2,))
for n in (0, 1, 2):
    W.error("polygamma", lambda t, k: torch.polygamma(int(k), t), [dom("pos", (2,), F16)], (n,))
W.error("polygamma", lambda t, k: torch.polygamma(int(k), t), [dom("pos", (2,), F64)], (-1,))

# round(decimals)
for dt in (F64, F32, BF16):
    for d in (0, 1, 2, 3, -1, -2):
        x = dom("wide", (2, 4), dt) * 37
        case("round_decimals", lambda t, k: torch.round(t, decimals=int(k)), [x], (d,))
    ties = torch.tensor([0.125, 0.375, 2.5, -2.5, 0.05, 1.005, 15.0, 25.0, -35.0, float("nan"), float("inf")],
                        dtype=dt)
    for d in (0, 1, 2, -1):
        case("round_decimals", lambda t, k: torch.round(t, decimals=int(k)), [ties], (d,), grad=False)
case("round_decimals", lambda t, k: torch.round(t, decimals=int(k)), [dom("wide", (3, 4), F64)], (1,), layout=["t"])
case("round_decimals_", lambda t, k: t.clone().round_(decimals=int(k)), [dom("wide", (2, 3), F64)], (2,))
for dt in (torch.int64, torch.bool, F16):
    W.error("round_decimals", lambda t, k: torch.round(t, decimals=int(k)), [torch.tensor([1, 0, 2]).to(dt)], (1,))

# nan_to_num(nan, posinf, neginf): args nan, posinf, neginf, has_posinf, has_neginf
NTN = lambda t, a, b, c, hb, hc: torch.nan_to_num(t, a, b if hb else None, c if hc else None)
NTN_ = lambda t, a, b, c, hb, hc: t.clone().nan_to_num_(a, b if hb else None, c if hc else None)
vals = [float("nan"), float("inf"), float("-inf"), 1.5, -0.0, -2.0, 3.0e38, float("nan")]
for dt in (F64, F32, BF16, F16):
    for args in [(0.0, 0, 0, 0, 0), (1.5, 100.0, -7.0, 1, 1), (-1.0, 2.0, 0, 1, 0), (0.0, 0, -1e300, 0, 1)]:
        case("nan_to_num_sp", NTN, [torch.tensor(vals, dtype=dt)], args)  # no gradcheck at inf
    case("nan_to_num_sp_", NTN_, [torch.tensor(vals, dtype=dt)], (2.0, 0, 0, 0, 0))
for dt in (F64, F32):
    case("nan_to_num", NTN, [dom("any", (2, 3), dt)], (0.0, 0, 0, 0, 0))
    case("nan_to_num", NTN, [dom("any", (3, 4), dt)], (0.0, 0, 0, 0, 0), layout=["t"])
    case("nan_to_num", NTN, [dom("any", (), dt)], (0.0, 0, 0, 0, 0))
    case("nan_to_num", NTN, [dom("any", (0, 2), dt)], (0.0, 0, 0, 0, 0))
for dt in (torch.int64, torch.uint8, torch.bool):
    case("nan_to_num", NTN, [torch.tensor([1, 0, 2]).to(dt)], (5.0, 1.0, -1.0, 1, 1))
    case("nan_to_num_", NTN_, [torch.tensor([1, 0, 2]).to(dt)], (5.0, 1.0, -1.0, 1, 1))

# integer extremes of abs / square (wrapping)
case("abs", torch.abs, [torch.tensor([-128, -127, 0, 127], dtype=torch.int8)])
case("square", torch.square, [torch.tensor([-128, 100, 16, 11], dtype=torch.int8)])
case("square", torch.square, [torch.tensor([200, 16, 15], dtype=torch.uint8)])
case("square", torch.square, [torch.tensor([2**40, -(2**33), 7], dtype=torch.int64)])

W.write("gen_pointwise.py")
