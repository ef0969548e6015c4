"""Parity vectors for F.interpolate (nearest / linear / bilinear / bicubic /
trilinear, align_corners, size or scale_factor, recompute_scale_factor)
from PyTorch 1.13.1. Run with /usr/bin/python3.
args: mode (0 nearest 1 linear 2 bilinear 3 bicubic 4 trilinear), align_corners,
recompute_scale_factor, s0, s1, s2 (scale factors, 0 = unset); key 'dims' = size."""
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "misc_resample.txt"))
make = W.make
MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear"]


def interp(shape, dt, mode, ac=False, rsf=False, size=None, sf=None, err=False):
    x = make(shape, dt)
    dims = len(shape) - 2
    sfl = list(sf) if isinstance(sf, (list, tuple)) else ([sf] if sf else [])
    args = (mode, int(ac), int(rsf), *(sfl + [0] * (3 - len(sfl))))
    sizel = list(size) if isinstance(size, (list, tuple)) else ([size] if size else [])
    extra = [f"dims {' '.join(map(str, sizel))}".rstrip()]

    def f(t, *a):
        return F.interpolate(t, size=size, scale_factor=sf, mode=MODES[mode],
                             align_corners=True if ac else (False if mode else None),
                             recompute_scale_factor=rsf if rsf else None)
    (W.error if err else W.case)("interpolate", f, [x], args, extra=extra)


for dt in [torch.float64, torch.float32]:
    for sf in [2.0, 1.5, 0.5, 3.0, (2.0,), 1.7]:
        interp((2, 3, 5), dt, 0, sf=sf if not isinstance(sf, tuple) else sf[0])
        interp((2, 3, 5), dt, 1, sf=sf if not isinstance(sf, tuple) else sf[0])
        interp((2, 3, 5), dt, 1, ac=True, sf=sf if not isinstance(sf, tuple) else sf[0])
    for size in [(7, 3), (4, 4), (8, 10), 6]:
        for mode in [0, 2, 3]:
            interp((1, 2, 4, 5), dt, mode, size=size)
            if mode:
                interp((1, 2, 4, 5), dt, mode, size=size, ac=True)
    for sf in [(2.0, 1.5), 1.3, (0.6, 2.5)]:
        for mode in [0, 2, 3]:
            interp((1, 2, 4, 5), dt, mode, sf=sf)
            interp((1, 2, 4, 5), dt, mode, sf=sf, rsf=True)
    for mode in [0, 4]:
        interp((1, 2, 2, 3, 3), dt, mode, sf=2.0)
        interp((1, 1, 3, 2, 4), dt, mode, size=(4, 3, 5))
    interp((1, 1, 3, 2, 4), dt, 4, size=(4, 3, 5), ac=True)
    interp((1, 2, 5), dt, 1, size=5)
    interp((1, 2, 4, 4), dt, 2, size=(4, 4))
interp((1, 2, 4, 4), torch.float32, 0, size=4, sf=2.0, err=True)
interp((1, 2, 4, 4), torch.float32, 0, err=True)
interp((1, 2, 4, 4), torch.float32, 0, sf=2.0, ac=True, err=True)
interp((1, 2, 4), torch.float32, 2, sf=2.0, err=True)
interp((1, 2, 4, 4), torch.float32, 1, sf=2.0, err=True)
interp((1, 2, 4, 4), torch.float32, 4, sf=2.0, err=True)
interp((1, 2, 4, 4), torch.float32, 2, size=(3,), err=True) if False else None
interp((1, 2, 4, 4), torch.float32, 0, size=3, rsf=True, err=True)
W.write("gen_misc_resample.py")
