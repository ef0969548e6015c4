"""Parity vectors for the Lazy* modules (LazyLinear, LazyConv1d/2d/3d,
LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d)
from PyTorch 1.13.1. Run with /usr/bin/python3.

Per case: the constructor (kind, dims, out, k and options), repr and
state_dict keys before the first forward, then torch.manual_seed(0) and a
forward on a stored input (materialization draws), the repr after, the
state_dict (keys, dtypes, shapes, values bit for bit) and the output.
'load' cases instead load a state_dict (of a module built with seed 3)
into the unmaterialized module (PyTorch's _lazy_load_hook) and record the
repr after loading and after a forward. 'error' cases record the message of
the first forward."""
import os
import warnings

import torch
import torch.nn as nn

from op_cases import DT, esc, hexvals

warnings.simplefilter("ignore")
torch.manual_seed(1234)
L = []
n = 0

KINDS = {"linear": None,
         "conv": [nn.LazyConv1d, nn.LazyConv2d, nn.LazyConv3d],
         "convt": [nn.LazyConvTranspose1d, nn.LazyConvTranspose2d, nn.LazyConvTranspose3d],
         "bn": [nn.LazyBatchNorm1d, nn.LazyBatchNorm2d, nn.LazyBatchNorm3d],
         "in": [nn.LazyInstanceNorm1d, nn.LazyInstanceNorm2d, nn.LazyInstanceNorm3d]}
EAGER = {"linear": [nn.Linear] * 3,
         "conv": [nn.Conv1d, nn.Conv2d, nn.Conv3d],
         "convt": [nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d],
         "bn": [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d],
         "in": [nn.InstanceNorm1d, nn.InstanceNorm2d, nn.InstanceNorm3d]}


def tensor(prefix, t):
    L.append(f"{prefix}_dtype {DT[t.dtype]}")
    L.append(f"{prefix}_shape {' '.join(map(str, t.shape))}".rstrip())
    L.append(f"{prefix} {' '.join(hexvals(t))}".rstrip())


def build(kind, dims, out, k, o):
    if kind == "linear":
        return nn.LazyLinear(out, bias=o.get("bias", True))
    cls = KINDS[kind][dims - 1]
    if kind in ("conv", "convt"):
        return cls(out, k, **o)
    return cls(**o)


def header(kind, dims, out, k, o, x):
    global n
    n += 1
    L.append(f"case lazy_{n}")
    L.append(f"kind {kind}")
    L.append(f"dims {dims}")
    L.append(f"outf {out}")
    L.append(f"k {k}")
    for key in ("stride", "padding", "groups", "output_padding", "dilation"):
        if key in o:
            L.append(f"{key} {o[key]}")
    if "bias" in o:
        L.append(f"bias {int(o['bias'])}")
    if "padding_mode" in o:
        L.append(f"padding_mode {o['padding_mode']}")
    if "eps" in o:
        L.append(f"eps {float(o['eps']).hex()}")
    if "momentum" in o:
        if o["momentum"] is None:
            L.append("momentum_none 1")
        else:
            L.append(f"momentum {float(o['momentum']).hex()}")
    for key in ("affine", "track_running_stats"):
        if key in o:
            L.append(f"{key} {int(o[key])}")
    tensor("x", x)


def state(prefix, m):
    sd = m.state_dict()
    L.append(f"{prefix}keys {' '.join(sd.keys())}".rstrip())
    return sd


def case(kind, dims, out, k, o, xshape, dtype=torch.float32, to_double=False, eval_mode=False):
    x = torch.randn(xshape, dtype=torch.float64).to(torch.float64 if to_double else dtype)
    header(kind, dims, out, k, o, x)
    m = build(kind, dims, out, k, o)
    if to_double:
        L.append("to_double 1")
        m.double()
    if eval_mode:
        L.append("eval 1")
        m.eval()
    L.append(f"repr0$ {esc(repr(m))}")
    state("sd0_", m)
    torch.manual_seed(0)
    y = m(x)
    L.append(f"repr1$ {esc(repr(m))}")
    sd = state("sd1_", m)
    for i, v in enumerate(sd.values()):
        tensor(f"sd{i}", v)
    tensor("out", y.detach())
    L.append("end")


def load_case(kind, dims, out, k, o, xshape, in_size):
    x = torch.randn(xshape, dtype=torch.float64).float()
    header(kind, dims, out, k, o, x)
    L.append("load 1")
    torch.manual_seed(3)
    eo = dict(o)
    if kind == "linear":
        src = nn.Linear(in_size, out, bias=o.get("bias", True))
    elif kind in ("conv", "convt"):
        src = EAGER[kind][dims - 1](in_size, out, k, **eo)
    else:
        if kind == "in":
            eo.setdefault("affine", True)
            eo.setdefault("track_running_stats", True)
        src = EAGER[kind][dims - 1](in_size, **eo)
        with torch.no_grad():
            for v in src.parameters():
                v.uniform_(-1, 1)
            if src.running_mean is not None:
                src.running_mean.uniform_(-1, 1)
                src.running_var.uniform_(0.5, 2)
                src.num_batches_tracked.fill_(7)
    sdl = src.state_dict()
    L.append(f"loadkeys {' '.join(sdl.keys())}")
    for i, v in enumerate(sdl.values()):
        tensor(f"ld{i}", v)
    m = build(kind, dims, out, k, o)
    m.load_state_dict(sdl)
    L.append(f"repr0$ {esc(repr(m))}")
    y = m(x)
    L.append(f"repr1$ {esc(repr(m))}")
    sd = state("sd1_", m)
    for i, v in enumerate(sd.values()):
        tensor(f"sd{i}", v)
    tensor("out", y.detach())
    L.append("end")


def error_case(kind, dims, out, k, o, xshape):
    x = torch.randn(xshape, dtype=torch.float64).float()
    header(kind, dims, out, k, o, x)
    m = build(kind, dims, out, k, o)
    try:
        m(x)
        raise SystemExit("expected an error")
    except Exception as e:  # noqa: BLE001 - PyTorch's message is the expected value
        L.append(f"error$ {esc(str(e))}")
    L.append("end")


case("linear", 1, 3, 0, {}, (2, 4))
case("linear", 1, 5, 0, {"bias": False}, (3, 2, 6))
case("linear", 1, 3, 0, {}, (2, 4), to_double=True)
case("conv", 1, 4, 3, {}, (2, 3, 9))
case("conv", 1, 4, 3, {"stride": 2, "padding": 1, "bias": False}, (3, 8))
case("conv", 2, 4, 3, {"stride": 2, "padding": 1}, (2, 3, 7, 6))
case("conv", 2, 6, 2, {"groups": 3, "dilation": 2, "padding_mode": "reflect", "padding": 1}, (1, 6, 5, 5))
case("conv", 3, 2, 2, {}, (1, 2, 4, 3, 5))
case("conv", 2, 4, 3, {"padding": "same"}, (1, 2, 5, 5), to_double=True)
case("convt", 1, 4, 3, {}, (2, 3, 5))
case("convt", 2, 4, 3, {"groups": 2, "stride": 2, "output_padding": 1}, (1, 4, 3, 3))
case("convt", 3, 2, 2, {"bias": False}, (1, 3, 2, 3, 2))
case("bn", 1, 0, 0, {}, (4, 3))
case("bn", 1, 0, 0, {"eps": 1e-3, "momentum": None}, (4, 3, 5))
case("bn", 2, 0, 0, {}, (2, 3, 4, 5))
case("bn", 2, 0, 0, {"affine": False}, (2, 3, 4, 5))
case("bn", 2, 0, 0, {"track_running_stats": False}, (2, 3, 4, 5))
case("bn", 3, 0, 0, {"momentum": 0.3}, (2, 2, 3, 2, 2))
case("bn", 2, 0, 0, {}, (2, 3, 4, 5), eval_mode=True)
case("in", 1, 0, 0, {}, (2, 3, 6))
case("in", 1, 0, 0, {"affine": False, "track_running_stats": False}, (2, 3, 6))
case("in", 2, 0, 0, {"affine": False}, (2, 3, 4, 5))
case("in", 3, 0, 0, {"track_running_stats": False}, (2, 2, 3, 2, 3))
load_case("linear", 1, 3, 0, {}, (2, 4), 4)
load_case("conv", 2, 4, 3, {"padding": 1}, (1, 3, 5, 5), 3)
load_case("convt", 1, 4, 2, {}, (2, 3, 5), 3)
load_case("bn", 2, 0, 0, {}, (2, 3, 4, 4), 3)
load_case("in", 1, 0, 0, {}, (2, 3, 6), 3)
error_case("conv", 2, 4, 3, {}, (4,))
error_case("conv", 2, 4, 3, {"groups": 2}, (1, 3, 5, 5))
error_case("convt", 1, 4, 3, {}, (1, 2, 3, 4))
error_case("bn", 1, 0, 0, {}, (4,))
error_case("linear", 1, 3, 0, {}, ())

# A user's forward pre-hook registered after construction runs after
# PyTorch's _infer_parameters (the module's first pre-hook): it sees the
# materialized module.
for kind, make, x in (("linear", lambda: nn.LazyLinear(3), torch.zeros(2, 4)),
                      ("conv", lambda: nn.LazyConv2d(4, 3), torch.zeros(1, 2, 5, 5))):
    m = make()
    seen = {}
    m.register_forward_pre_hook(lambda mod, inp: seen.update(shape=list(mod.weight.shape), text=repr(mod)))
    m(x)
    L += [f"case prehook_{kind}", f"kind {kind}", f"xshape {' '.join(map(str, x.shape))}",
          f"wshape {' '.join(map(str, seen['shape']))}", f"text$ {esc(seen['text'])}", "end"]
    n += 1

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "lazy.txt")
with open(path, "w") as f:
    f.write(f"# generated by tests/parity/gen_lazy.py with torch {torch.__version__}\n")
    f.write("\n".join(L) + "\n")
print(path, n, "cases")
