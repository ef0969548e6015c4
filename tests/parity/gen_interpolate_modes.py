"""Parity vectors for F.interpolate's modes 'area' and 'nearest-exact' and
for antialias=True (bilinear / bicubic on 4-D input) from PyTorch 1.13.1.
Run with /usr/bin/python3.
args: mode (0 nearest 1 linear 2 bilinear 3 bicubic 4 trilinear 5 area
6 nearest-exact), align_corners, recompute_scale_factor, s0, s1, s2
(scale factors, 0 = unset), antialias; key 'dims' = size."""
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "interpolate_modes.txt"))
make = W.make
MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]


def interp(shape, dt, mode, ac=False, rsf=False, size=None, sf=None, aa=False, err=False, kind="any"):
    x = make(shape, dt, kind)
    sfl = list(sf) if isinstance(sf, (list, tuple)) else ([sf] if sf else [])
    args = (mode, int(ac), int(rsf), *(sfl + [0] * (3 - len(sfl))), int(aa))
    sizel = list(size) if isinstance(size, (list, tuple)) else ([size] if size else [])
    extra = [f"dims {' '.join(map(str, sizel))}".rstrip()]
    interpolating = mode in (1, 2, 3, 4)

    def f(t, *a):
        return F.interpolate(t, size=size, scale_factor=sf, mode=MODES[mode],
                             align_corners=True if ac else (False if interpolating else None),
                             recompute_scale_factor=rsf if rsf else None, antialias=aa)
    (W.error if err else W.case)("interpolate", f, [x], args, extra=extra)


for dt in [torch.float64, torch.float32]:
    # nearest-exact, 1-d / 2-d / 3-d, size and scale_factor forms
    for sf in [2.0, 1.5, 0.5, 3.0, 1.7, 0.7]:
        interp((2, 3, 5), dt, 6, sf=sf)
    interp((2, 3, 5), dt, 6, sf=1.7, rsf=True)
    for size in [7, 3, 5, 1, 13]:
        interp((2, 3, 5), dt, 6, size=size)
    for size in [(7, 3), (4, 4), (8, 10), 6, (3, 11)]:
        interp((1, 2, 4, 5), dt, 6, size=size)
    for sf in [(2.0, 1.5), 1.3, (0.6, 2.5), 2.0]:
        interp((1, 2, 4, 5), dt, 6, sf=sf)
        interp((1, 2, 4, 5), dt, 6, sf=sf, rsf=True)
    interp((1, 2, 2, 3, 3), dt, 6, sf=2.0)
    interp((1, 2, 2, 3, 3), dt, 6, sf=(1.5, 0.7, 2.2))
    interp((1, 1, 3, 2, 4), dt, 6, size=(4, 3, 5))
    interp((1, 1, 3, 2, 4), dt, 6, size=(1, 2, 7))
    # area (adaptive average pooling), 1-d / 2-d / 3-d
    for size in [3, 7, 2, 1]:
        interp((2, 3, 5), dt, 5, size=size)
    for sf in [0.5, 1.5, 0.7]:
        interp((2, 3, 5), dt, 5, sf=sf)
    interp((2, 3, 5), dt, 5, sf=0.7, rsf=True)
    for size in [(2, 3), (7, 3), (4, 5), 3]:
        interp((1, 2, 4, 5), dt, 5, size=size)
    for sf in [0.5, (0.6, 2.5), (0.75, 0.4)]:
        interp((1, 2, 4, 5), dt, 5, sf=sf)
    interp((1, 2, 4, 5), dt, 5, sf=(0.6, 2.5), rsf=True)
    interp((1, 1, 4, 4, 6), dt, 5, size=(2, 3, 4))
    interp((1, 1, 4, 4, 6), dt, 5, sf=0.5)
    interp((1, 1, 4, 4, 6), dt, 5, sf=(0.5, 1.5, 0.7))
    # antialias (bilinear, bicubic), downsampling and upsampling
    for mode in [2, 3]:
        for ac in [False, True]:
            for size in [(3, 4), (4, 4), (2, 7), (12, 14), (8, 5), (1, 1), (5, 3), (8, 9)]:
                interp((1, 2, 8, 9), dt, mode, ac=ac, size=size, aa=True)
            for sf in [0.3, (0.5, 1.7), 0.45, 2.0]:
                interp((1, 2, 8, 9), dt, mode, ac=ac, sf=sf, aa=True)
            interp((1, 2, 8, 9), dt, mode, ac=ac, sf=(0.45, 0.3), rsf=True, aa=True)
        interp((2, 1, 17, 13), dt, mode, size=(4, 3), aa=True)
        interp((2, 1, 17, 13), dt, mode, sf=0.15, aa=True)

# errors
f32 = torch.float32
interp((1, 2, 4, 4), f32, 5, size=3, ac=True, err=True)
interp((1, 2, 4, 4), f32, 6, size=3, ac=True, err=True)
interp((1, 2, 4), f32, 6, sf=2.0, ac=True, err=True)
interp((1, 2, 4, 4), f32, 0, size=3, aa=True, err=True)
interp((1, 2, 4, 4), f32, 5, size=3, aa=True, err=True)
interp((1, 2, 4, 4), f32, 6, size=3, aa=True, err=True)
interp((1, 2, 4), f32, 1, size=3, aa=True, err=True)
interp((1, 2, 4, 4, 4), f32, 4, size=3, aa=True, err=True)
interp((1, 2, 4, 4, 4), f32, 2, size=3, aa=True, err=True)
interp((1, 2, 4), f32, 3, size=3, aa=True, err=True)
interp((1, 2, 4, 4), torch.int64, 6, size=3, err=True)
interp((1, 2, 4), torch.int64, 6, size=3, err=True)
interp((1, 2, 4, 4), torch.int64, 2, size=3, aa=True, err=True)
interp((1, 2, 4, 4), torch.int32, 3, size=3, aa=True, err=True)
interp((1, 2, 4, 4), torch.int64, 5, size=3, err=True)
interp((1, 2, 4, 4, 4), torch.int64, 5, size=3, err=True)
interp((1, 2, 4, 4), f32, 6, sf=0.1, err=True)
interp((1, 2, 4, 4), f32, 2, sf=(0.1, 1.0), aa=True, err=True)
interp((1, 2, 4, 4), f32, 6, size=3, sf=2.0, err=True)
interp((1, 2, 4, 4), f32, 5, err=True)
interp((1, 2, 4, 4), f32, 5, size=3, rsf=True, err=True)
interp((1, 2, 4, 4), f32, 6, size=(3, 3, 3), err=True)
interp((2, 4), f32, 6, size=3, err=True)
interp((2, 4), f32, 5, size=3, err=True)
interp((1, 2, 2, 4, 4, 4), f32, 6, sf=2.0, err=True)
W.write("gen_interpolate_modes.py")
