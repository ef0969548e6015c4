"""Pooling parity vectors (F.max_pool*, avg_pool*, adaptive_*, max_unpool*,
lp_pool*) from PyTorch 1.13.1 -> tests/parity/data/pool.txt.
Run with /usr/bin/python3 (Debian's torch)."""
import math
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(__file__), "data", "pool.txt"), seed=7)
f32, f64 = torch.float32, torch.float64


def ints(key, v):
    if v is None:
        return []
    if isinstance(v, int):
        v = (v,)
    return [f"{key} " + " ".join("N" if a is None else str(a) for a in v)]


def opt_lines(k=None, s=None, p=None, d=None, ceil=False, cip=True, div=None, os_=None, norm=None, osz=None):
    L = ints("k", k) + ints("s", s) + ints("p", p) + ints("d", d) + ints("os", os_) + ints("osz", osz)
    L.append(f"ceil {int(ceil)}")
    L.append(f"cip {int(cip)}")
    if div is not None:
        L.append(f"div {div}")
    if norm is not None:
        L.append(f"norm {norm!r}")
    return L


def maxp(nd, shape, k, s=None, p=0, d=1, ceil=False, dtype=f64, idx=False, x=None, grad=True, err=False):
    fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
    x = W.make(shape, dtype) if x is None else x
    kw = dict(stride=s, padding=p, dilation=d, ceil_mode=ceil)
    ex = opt_lines(k, s, p, d, ceil)
    name = f"max_pool{nd}d"
    if err:
        W.error(name, lambda a: fn(a, k, **kw), [x], extra=ex)
        return
    W.case(name, lambda a: fn(a, k, **kw), [x], extra=ex, grad=grad)
    if idx:
        W.case(name + "_indices", lambda a: fn(a, k, return_indices=True, **kw), [x], extra=ex, grad=False,
               output=1)


def avgp(nd, shape, k, s=None, p=0, ceil=False, cip=True, div=None, dtype=f64, x=None, grad=True, err=False):
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[nd]
    x = W.make(shape, dtype) if x is None else x
    kw = dict(stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip)
    if nd > 1:
        kw["divisor_override"] = div
    ex = opt_lines(k, s, p, None, ceil, cip, div)
    (W.error if err else W.case)(f"avg_pool{nd}d", lambda a: fn(a, k, **kw), [x], extra=ex,
                                 **({} if err else {"grad": grad}))


def adp(kind, nd, shape, os_, dtype=f64, x=None, idx=False, err=False, grad=True):
    fn = getattr(F, f"adaptive_{kind}_pool{nd}d")
    x = W.make(shape, dtype) if x is None else x
    ex = opt_lines(os_=os_)
    name = f"adaptive_{kind}_pool{nd}d"
    if err:
        W.error(name, lambda a: fn(a, os_), [x], extra=ex)
        return
    W.case(name, lambda a: fn(a, os_), [x], extra=ex, grad=grad)
    if idx:
        W.case(name + "_indices", lambda a: fn(a, os_, return_indices=True), [x], extra=ex, grad=False, output=1)


def unpool(nd, shape, k, s=None, p=0, osz=None, dtype=f64, mutate=None, err=False, tag=""):
    pool = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[nd]
    un = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}[nd]
    x = W.make(shape, dtype)
    o, i = pool(x, k, stride=s, padding=p, return_indices=True)
    if mutate:
        o, i = mutate(o, i)
    ex = opt_lines(k, s, p, osz=osz)
    (W.error if err else W.case)(f"max_unpool{nd}d{tag}", lambda a, b: un(a, b, k, stride=s, padding=p, output_size=osz),
                                 [o, i], extra=ex)


def lpp(nd, shape, norm, k, s=None, ceil=False, dtype=f64, kind="pos"):
    fn = {1: F.lp_pool1d, 2: F.lp_pool2d}[nd]
    x = W.make(shape, dtype, kind)
    W.case(f"lp_pool{nd}d", lambda a: fn(a, norm, k, stride=s, ceil_mode=ceil), [x],
           extra=opt_lines(k, s, ceil=ceil, norm=float(norm)))


for dt in (f64, f32):
    # max pooling: LeNet's 2x2, strides, padding, dilation, ceil_mode, unbatched
    maxp(2, (2, 3, 8, 8), 2, dtype=dt, idx=True)
    maxp(2, (2, 2, 7, 9), 3, s=2, p=1, dtype=dt, idx=True)
    maxp(2, (1, 2, 7, 6), (3, 2), s=(2, 1), p=(1, 0), d=(2, 1), dtype=dt, idx=True)
    maxp(2, (1, 2, 6, 7), 3, s=2, ceil=True, dtype=dt, idx=True)
    maxp(2, (2, 5, 5), 2, s=2, p=1, ceil=True, dtype=dt, idx=True)
    maxp(1, (2, 3, 11), 3, s=2, p=1, dtype=dt, idx=True)
    maxp(1, (3, 10), 2, d=3, ceil=True, dtype=dt, idx=True)
    maxp(3, (1, 2, 5, 6, 5), 2, dtype=dt, idx=True)
    maxp(3, (2, 4, 5, 6), (2, 3, 2), s=(1, 2, 2), p=(1, 1, 0), d=(1, 1, 2), ceil=True, dtype=dt, idx=True)
    # average pooling
    avgp(2, (2, 3, 8, 8), 2, dtype=dt)
    avgp(2, (2, 2, 7, 9), 3, s=2, p=1, dtype=dt)
    avgp(2, (2, 2, 7, 9), 3, s=2, p=1, cip=False, dtype=dt)
    avgp(2, (1, 2, 7, 6), (3, 2), s=(2, 1), p=(1, 0), ceil=True, dtype=dt)
    avgp(2, (1, 2, 6, 7), 3, s=2, p=1, ceil=True, cip=False, dtype=dt)
    avgp(2, (2, 5, 5), 2, s=1, div=3, dtype=dt)
    avgp(1, (2, 3, 11), 3, s=2, p=1, dtype=dt)
    avgp(1, (3, 10), 4, s=3, p=2, ceil=True, cip=False, dtype=dt)
    avgp(3, (1, 2, 5, 6, 5), 2, dtype=dt)
    avgp(3, (2, 4, 5, 6), (2, 3, 2), s=(1, 2, 2), p=(1, 1, 0), ceil=True, dtype=dt)
    avgp(3, (2, 4, 5, 6), 3, s=2, p=1, cip=False, dtype=dt)
    avgp(3, (1, 1, 4, 5, 6), 2, s=2, p=1, div=5, dtype=dt)
    # adaptive
    for kind in ("avg", "max"):
        adp(kind, 2, (2, 3, 7, 9), (3, 4), dtype=dt, idx=kind == "max")
        adp(kind, 2, (2, 5, 6), 4, dtype=dt, idx=kind == "max")
        adp(kind, 2, (1, 2, 5, 7), (None, 3), dtype=dt)
        adp(kind, 2, (1, 2, 3, 4), (5, 6), dtype=dt, idx=kind == "max")
        adp(kind, 2, (1, 2, 5, 7), 1, dtype=dt)
        adp(kind, 1, (2, 3, 10), 4, dtype=dt, idx=kind == "max")
        adp(kind, 1, (3, 7), 3, dtype=dt)
        adp(kind, 3, (1, 2, 5, 6, 7), (2, 3, 4), dtype=dt, idx=kind == "max")
        adp(kind, 3, (2, 4, 5, 3), 3, dtype=dt)
        adp(kind, 3, (1, 2, 3, 4, 5), 1, dtype=dt)
    # max unpooling
    unpool(2, (2, 3, 6, 6), 2, dtype=dt)
    # overlapping windows repeat an index: the last write wins, no finite-difference check
    unpool(2, (1, 2, 7, 7), 3, s=2, p=1, dtype=dt, tag="_overlap")
    unpool(2, (1, 2, 6, 6), 2, osz=(7, 7), dtype=dt)
    unpool(2, (2, 6, 6), 2, osz=(2, 7, 7), dtype=dt)
    unpool(1, (2, 3, 9), 3, s=3, p=1, dtype=dt)
    unpool(3, (1, 2, 4, 6, 4), 2, dtype=dt)
    unpool(3, (2, 4, 4, 6), 2, osz=(5, 4, 7), dtype=dt)
    # lp pooling
    lpp(2, (2, 3, 6, 6), 2, 2, dtype=dt)
    lpp(2, (1, 2, 7, 6), 3, (3, 2), s=(2, 1), ceil=True, dtype=dt)
    lpp(1, (2, 3, 9), 1.5, 3, s=2, dtype=dt)

# 2x2 / stride 2 on odd sizes: the last row and column belong to no window
# (their gradient is 0; the backward writes whole tiles there)
for dt in (f64, f32):
    maxp(2, (2, 2, 7, 9), 2, dtype=dt, idx=True)

# NaN and -inf propagation in max pooling (values and indices)
x = torch.tensor([[[[1.0, float("nan"), 3.0, 2.0], [float("nan"), 0.0, -1.0, 5.0],
                    [float("-inf"), float("-inf"), 1.0, float("nan")], [float("-inf"), float("-inf"), 2.0, 4.0]]]])
maxp(2, None, 2, x=x, idx=True, grad=False)
maxp(2, None, 3, s=1, p=1, x=x, idx=True, grad=False)
adp("max", 2, None, 3, x=x, idx=True)
maxp(3, None, 2, x=x, idx=True, grad=False)
maxp(1, None, 2, x=x[0], idx=True, grad=False)
avgp(2, None, 2, x=x, grad=False)

# errors with PyTorch's words
x4 = torch.randn(1, 1, 2, 2, dtype=f64)
x5 = torch.randn(1, 1, 2, 2, 2, dtype=f64)
x3 = torch.randn(1, 2, 2, dtype=f64)
maxp(2, None, 2, p=3, x=x4, err=True)
maxp(2, None, 3, x=x4, err=True)
maxp(2, None, 0, x=x4, err=True)
maxp(2, None, 2, s=0, x=x4, err=True)
maxp(2, None, 2, d=0, x=x4, err=True)
maxp(2, None, 1, x=torch.randn(2, 2, dtype=f64), err=True)
maxp(2, None, 1, x=torch.ones(1, 1, 2, 2, dtype=torch.int64), err=True)
maxp(2, None, 1, x=torch.randn(1, 0, 2, 2, dtype=f64), err=True)
maxp(2, None, 1, x=torch.randn(0, 1, 2, 2, dtype=f64), grad=False)
maxp(2, None, (1, 2, 3), x=x4, err=True)
maxp(3, None, 3, x=x5, err=True)
maxp(3, None, 2, p=2, x=x5, err=True)
maxp(3, None, 1, x=x4[0], err=True)
maxp(3, None, 1, x=torch.ones(1, 1, 2, 2, 2, dtype=torch.int64), err=True)
maxp(1, None, 2, p=3, x=x3, err=True)
maxp(1, None, 3, x=x3, grad=False)
maxp(1, None, 1, x=torch.ones(1, 1, 2, dtype=torch.int64), err=True)
maxp(1, None, 0, x=x3, err=True)
maxp(1, None, 1, x=torch.randn(2, dtype=f64), err=True)
avgp(2, None, 2, p=3, x=x4, err=True)
avgp(2, None, 3, x=x4, err=True)
avgp(1, None, 3, x=x3, err=True)
avgp(1, None, 2, p=2, x=x3, err=True)
avgp(1, None, 1, x=torch.randn(2, dtype=f64), err=True)
avgp(3, None, 3, x=x5, err=True)
avgp(3, None, 2, p=2, x=x5, err=True)
avgp(2, None, 1, x=torch.randn(2, 2, dtype=f64), err=True)
adp("avg", 2, None, (-1, 2), x=x4, err=True)
adp("avg", 2, None, (0, 2), x=x4, grad=False)
adp("avg", 2, None, 1, x=torch.ones(2, 2, dtype=f64))
adp("avg", 2, None, 2, x=torch.ones(2, 2, dtype=f64), err=True)
adp("avg", 2, None, 2, x=torch.randn(1, 1, 0, 2, dtype=f64), err=True)
adp("avg", 1, None, 1, x=torch.ones(2, dtype=f64), err=True)
adp("avg", 3, None, 2, x=torch.ones(2, 2, dtype=f64), err=True)
adp("avg", 3, None, 2, x=torch.randn(1, 0, 1, 2, 2, dtype=f64), err=True)
adp("max", 2, None, 1, x=torch.ones(1, 1, 2, 2, dtype=torch.int64), err=True)
adp("max", 2, None, 1, x=torch.ones(2, 2, dtype=f64), err=True)
adp("max", 2, None, 0, x=x4, grad=False)
adp("max", 3, None, 1, x=torch.ones(1, 1, 2, 2, 2, dtype=torch.int64), err=True)
adp("max", 3, None, 1, x=torch.ones(2, 2, dtype=f64), err=True)
adp("max", 1, None, 1, x=torch.ones(2, dtype=f64), err=True)
adp("max", 2, None, 2, x=torch.randn(1, 1, 0, 2, dtype=f64), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o, i * 10), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o, torch.tensor([[[[0, 50], [70, 3]]]])), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o, i[:, :, :1]), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o, i.int()), err=True)
unpool(2, (1, 1, 4, 4), 2, osz=(9, 9), err=True)
unpool(2, (1, 1, 4, 4), 2, osz=(9, 9, 9), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o.long(), i), err=True)
unpool(1, (1, 4, 4), 2, mutate=lambda o, i: (o, i * 10), err=True)
unpool(3, (1, 1, 2, 4, 4), 2, mutate=lambda o, i: (o, i * 10), err=True)
unpool(3, (1, 1, 2, 4, 4), 2, mutate=lambda o, i: (o[0, 0], i[0, 0]), err=True)
unpool(2, (1, 1, 4, 4), 2, mutate=lambda o, i: (o, torch.tensor([[[[0, 1], [1, 1]]]])), tag="_overlap")

W.write("gen_pool.py")
