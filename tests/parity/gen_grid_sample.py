"""Parity vectors for F.grid_sample from PyTorch 1.13.1 (values, grad_fn,
gradients w.r.t. input and grid, errors). Run with /usr/bin/python3; writes
tests/parity/data/grid_sample.txt (read by tests/ops/test_grid_sample.c).
args: mode (0 bilinear, 1 nearest, 2 bicubic), padding_mode (0 zeros,
1 border, 2 reflection), align_corners."""
import os
import warnings

import torch
import torch.nn.functional as F

from op_cases import Writer

warnings.simplefilter("ignore")
W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "grid_sample.txt"))
MODES = ["bilinear", "nearest", "bicubic"]
PADS = ["zeros", "border", "reflection"]


def fn(x, g, m, p, a):
    return F.grid_sample(x, g, mode=MODES[int(m)], padding_mode=PADS[int(p)], align_corners=bool(a))


def grid(shape, dt, lim=1.3):
    return (torch.rand(shape, dtype=torch.float64) * (2 * lim) - lim).to(dt)


def case(xs, gs, m, p, a, dt, lim=1.3):
    x, g = W.make(xs, dt), grid(gs, dt, lim)
    if dt == torch.float64 and x.numel() and g.numel():
        # the same inputs pass PyTorch's own gradcheck (no kinks at the sampled points)
        xx, gg = x.clone().requires_grad_(), g.clone().requires_grad_()
        assert torch.autograd.gradcheck(lambda u, v: fn(u, v, m, p, a), (xx, gg)), (xs, gs, m, p, a)
    W.case("grid_sample", fn, [x, g], (m, p, a))


for dt in [torch.float64, torch.float32]:
    for m in range(3):
        for p in range(3):
            for a in range(2):
                case((2, 2, 4, 5), (2, 3, 2, 2), m, p, a, dt)
    for m in range(2):
        for p in range(3):
            for a in range(2):
                case((1, 2, 3, 4, 3), (1, 2, 3, 2, 3), m, p, a, dt)
    # far outside the input (reflection folds several times), a 1-pixel axis
    for m in range(3):
        for p in range(3):
            case((1, 1, 3, 1), (1, 2, 3, 2), m, p, 1, dt, lim=3.5)
            case((1, 1, 3, 1), (1, 2, 3, 2), m, p, 0, dt, lim=3.5)
    case((1, 3, 2, 2, 2), (1, 1, 2, 4, 3), 0, 2, 0, dt, lim=2.5)
    # empty batch / channels / output
    case((0, 2, 3, 4), (0, 2, 2, 2), 0, 0, 0, dt)
    case((1, 0, 3, 4), (1, 2, 2, 2), 0, 0, 0, dt)
    case((1, 2, 3, 4), (1, 0, 2, 2), 2, 0, 0, dt)


def err(x, g, m=0, p=0, a=0):
    W.error("grid_sample", fn, [x, g], (m, p, a))


f = torch.float32
err(torch.randn(2, 2, 3, 4), grid((1, 2, 2, 2), f))
err(torch.randn(1, 2, 3, 4), grid((1, 2, 2, 3), f))
err(torch.randn(1, 2, 0, 4), grid((1, 2, 2, 2), f))
err(torch.randn(1, 2, 3, 4), grid((1, 2, 2, 2, 2), f))
err(torch.randn(1, 2, 3, 4, 5), grid((1, 2, 2, 3), f))
err(torch.randn(1, 2, 3), grid((1, 2, 1), f))
err(torch.randn(1, 2, 3, 4, 5), grid((1, 2, 2, 2, 3), f), m=2)
err(torch.randn(1, 2, 3, 4), grid((1, 2, 2, 2), torch.float64))
err(torch.randn(1, 2, 3, 4, dtype=torch.float64), grid((1, 2, 2, 2), f))
err(torch.randint(0, 5, (1, 2, 3, 4)), grid((1, 2, 2, 2), f))
err(torch.randint(0, 5, (1, 2, 3, 4, 2)), grid((1, 2, 2, 2, 3), f))
err(torch.randn(1, 2, 3, 4), torch.randint(0, 2, (1, 2, 2, 2)))
err(torch.randn(1, 2, 3, 4).half(), grid((1, 2, 2, 2), torch.float16))
W.write("gen_grid_sample.py")
