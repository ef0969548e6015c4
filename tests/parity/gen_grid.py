"""Parity vectors for F.affine_grid from PyTorch 1.13.1 (values, grad_fn,
gradients, errors). Run with /usr/bin/python3; writes
tests/parity/data/grid.txt (read by tests/ops/test_grid_ops.c).
args: align_corners; key 'dims' = size."""
import os
import warnings

import torch
import torch.nn.functional as F

from op_cases import Writer

warnings.simplefilter("ignore")
W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "grid.txt"))


def affine(theta_shape, size, ac, dt, err=False, theta=None):
    t = theta if theta is not None else W.make(theta_shape, dt)
    (W.error if err else W.case)("affine_grid", lambda th, a: F.affine_grid(th, list(size), align_corners=bool(a)),
                                 [t], (int(ac),), extra=[f"dims {' '.join(map(str, size))}"])


for dt in [torch.float64, torch.float32]:
    for ac in [False, True]:
        affine((1, 2, 3), (1, 3, 4, 5), ac, dt)
        affine((2, 2, 3), (2, 1, 3, 3), ac, dt)
        affine((2, 2, 3), (2, 1, 1, 4), ac, dt)
        affine((2, 3, 4), (2, 1, 2, 3, 4), ac, dt)
        affine((1, 3, 4), (1, 2, 3, 1, 2), ac, dt)
affine((1, 3, 3), (1, 1, 2, 2), False, torch.float32, err=True)
affine((1, 2, 3), (1, 1, 2, 2, 2), False, torch.float32, err=True)
affine((1, 2, 3), (1, 1, 2), False, torch.float32, err=True)
affine((1, 2, 3), (1, 1, 0, 2), False, torch.float32, err=True)
affine(None, (1, 1, 2, 2), False, None, err=True, theta=torch.zeros(1, 2, 3, dtype=torch.int64))
W.write("gen_grid.py")
