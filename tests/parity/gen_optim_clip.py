"""torch.nn.utils.clip_grad_norm_ / clip_grad_value_ / parameters_to_vector
vectors. Mirrored by tests/optim/test_clip.c. Run with /usr/bin/python3."""
import math
import os
import struct

import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector

HERE = os.path.dirname(os.path.abspath(__file__))
L = [f"# written by gen_optim_clip.py with torch {torch.__version__}; tests/optim/test_clip.c"]
SHAPES = [(2, 3), (4,), (3,)]  # the third parameter has no grad


def hx(t):
    t = t.detach().reshape(-1).double()
    return " ".join(struct.pack(">d", v).hex() for v in t.tolist())


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


for dtype, dn in ((torch.float32, "f32"), (torch.float64, "f64")):
    torch.manual_seed(1)
    ps = [torch.randn(s, dtype=dtype, requires_grad=True) for s in SHAPES]
    gs = [torch.randn(s, dtype=dtype) * 3 for s in SHAPES[:2]]
    L.append(f"case {dn}_data")
    for k, p in enumerate(ps):
        L.append(f"p{k} {hx(p)}")
    for k, g in enumerate(gs):
        L.append(f"g{k} {hx(g)}")
    L.append(f"vec {hx(parameters_to_vector(ps))}")
    L.append("end")
    for nt in (2.0, 1.0, math.inf, 3.5, 0.5):
        for mx in (1.0, 100.0):
            for k in range(2):
                ps[k].grad = gs[k].clone()
            total = clip_grad_norm_(ps, mx, norm_type=nt)
            L.append(f"case {dn}_norm_{nt}_{mx}")
            L.append(f"norm_type {struct.pack('>d', nt).hex()}")
            L.append(f"max_norm {struct.pack('>d', mx).hex()}")
            L.append(f"total {hx(total)}")
            for k in range(2):
                L.append(f"g{k} {hx(ps[k].grad)}")
            L.append("end")
    for k in range(2):
        ps[k].grad = gs[k].clone()
    clip_grad_value_(ps, 1.5)
    L.append(f"case {dn}_value")
    for k in range(2):
        L.append(f"g{k} {hx(ps[k].grad)}")
    L.append("end")
    for k in range(2):
        ps[k].grad = gs[k].clone()
    ps[0].grad[0, 0] = float("nan")
    try:
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
        raise AssertionError
    except RuntimeError as e:
        L.append(f"case {dn}_nonfinite")
        L.append(f"msg$ {esc(str(e))}")
        L.append("end")
    try:
        clip_grad_norm_(ps, 1.0, norm_type=math.inf, error_if_nonfinite=True)
        raise AssertionError
    except RuntimeError as e:
        L.append(f"case {dn}_nonfinite_inf")
        L.append(f"msg$ {esc(str(e))}")
        L.append("end")

with open(os.path.join(HERE, "data", "optim_clip.txt"), "w") as f:
    f.write("\n".join(L) + "\n")
