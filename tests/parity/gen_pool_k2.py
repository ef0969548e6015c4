"""Parity vectors for avg_pool2d with 2x2 windows and stride 2 (ctorch's
row path in src/kernels/cpu/pool.c, avg2_fwd / avg2_bwd) from PyTorch
1.13.1 -> tests/parity/data/pool_k2.txt: odd and even sizes (rows and
columns no window covers), divisor_override, count_include_pad off, -0,
NaN and infinities, batched and unbatched; and the shapes that must leave
the path (ceil_mode's partial windows, padding). Values and gradients
(tests/ops/test_pool_k2.c). Run with /usr/bin/python3 (Debian's torch)."""
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(__file__), "data", "pool_k2.txt"), seed=11)


def lines(k, s, p, ceil, cip, div):
    L = [f"k {k}", f"s {s}", f"p {p}", f"ceil {int(ceil)}", f"cip {int(cip)}"]
    if div is not None:
        L.append(f"div {div}")
    return L


def avgp(x, k=2, s=2, p=0, ceil=False, cip=True, div=None, grad=True):
    W.case("avg_pool2d", lambda a: F.avg_pool2d(a, k, stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip,
                                                 divisor_override=div), [x], extra=lines(k, s, p, ceil, cip, div),
           grad=grad)


for dt in (torch.float32, torch.float64):
    avgp(W.make((2, 3, 8, 8), dt))
    avgp(W.make((2, 3, 7, 9), dt))
    avgp(W.make((1, 2, 5, 34), dt))
    avgp(W.make((3, 6, 11), dt))
    avgp(W.make((2, 2, 9, 7), dt), div=3)
    avgp(W.make((2, 2, 6, 10), dt), cip=False)
    avgp(W.make((1, 2, 7, 9), dt), ceil=True)
    avgp(W.make((1, 2, 7, 9), dt), p=1)
    avgp(W.make((1, 1, 3, 3), dt))
    x = W.make((1, 2, 6, 38), dt)
    x[0, 0, 0, :8] = torch.tensor([-0.0, -0.0, float("nan"), 1.0, float("inf"), 2.0, -0.0, 0.0], dtype=dt)
    x[0, 0, 1, :8] = torch.tensor([-0.0, -0.0, 3.0, 4.0, 5.0, float("-inf"), 0.0, -0.0], dtype=dt)
    avgp(x, grad=False)
    avgp(x.clone().requires_grad_(False).abs().neg(), grad=False)
W.write("gen_pool_k2.py")
