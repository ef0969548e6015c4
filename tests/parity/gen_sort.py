"""Parity vectors for sorting and selection (max/min, argmax/argmin, median,
nanmedian, mode, kthvalue, topk, sort, argsort, msort): values, indices and
gradients from PyTorch 1.13.1's CPU kernels, with many ties and NaNs so that
the index chosen among equal values is checked.

Two-output ops are split into "<op>_values" and "<op>_indices" cases.
Args per op (doubles, see tests/ops/test_sort_parity.c):
  max_dim/min_dim/median_dim/nanmedian_dim/mode/argmax_dim/argmin_dim: dim keepdim
  kthvalue: k dim keepdim      topk: k dim largest sorted
  sort/argsort: dim descending   sort_stable/argsort_stable: stable dim descending
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sort.txt"))
make = W.make

FLOATS = [torch.float64, torch.float32]
INTS = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
NAN = float("nan")


def ties(shape, dtype, hi=3, nan_p=0.0):
    """Small integer values (many ties), optionally with NaNs and -0.0."""
    x = torch.randint(0, hi, shape).to(torch.float64)
    if nan_p > 0:
        x[torch.rand(shape) < nan_p] = NAN
    if dtype.is_floating_point:
        x[x == 0] = torch.where(torch.rand(x[x == 0].shape) < 0.5, -0.0, 0.0).to(torch.float64)
    return x.to(dtype)


def pair(op, fn, inputs, args, layout=None, grad=True):
    """A two-output op: one case per output."""
    W.case(op + "_values", fn, inputs, args, layout=layout, grad=grad, output=0)
    W.case(op + "_indices", fn, inputs, args, layout=layout, grad=False, output=1)


def b(v):
    return float(bool(v))


# ---- op wrappers taking the doubles the C side gets -------------------------------
def f_max_dim(x, d, k): return torch.max(x, int(d), keepdim=bool(k))
def f_min_dim(x, d, k): return torch.min(x, int(d), keepdim=bool(k))
def f_median_dim(x, d, k): return torch.median(x, int(d), keepdim=bool(k))
def f_nanmedian_dim(x, d, k): return torch.nanmedian(x, int(d), keepdim=bool(k))
def f_mode(x, d, k): return torch.mode(x, int(d), keepdim=bool(k))
def f_kthvalue(x, kk, d, k): return torch.kthvalue(x, int(kk), int(d), keepdim=bool(k))
def f_topk(x, kk, d, lg, s): return torch.topk(x, int(kk), int(d), largest=bool(lg), sorted=bool(s))
def f_sort(x, d, de): return torch.sort(x, int(d), descending=bool(de))
def f_sort_stable(x, st, d, de): return torch.sort(x, stable=bool(st), dim=int(d), descending=bool(de))
def f_argsort(x, d, de): return torch.argsort(x, int(d), descending=bool(de))
def f_argsort_stable(x, st, d, de): return torch.argsort(x, stable=bool(st), dim=int(d), descending=bool(de))
def f_argmax_dim(x, d, k): return torch.argmax(x, int(d), keepdim=bool(k))
def f_argmin_dim(x, d, k): return torch.argmin(x, int(d), keepdim=bool(k))


DIM_PAIRS = [("max_dim", f_max_dim), ("min_dim", f_min_dim), ("median_dim", f_median_dim),
             ("nanmedian_dim", f_nanmedian_dim), ("mode", f_mode)]
ALL_OPS = [("max", torch.max), ("min", torch.min), ("median", torch.median), ("nanmedian", torch.nanmedian)]
SHAPES_DIMS = [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 1), ((), 0), ((), -1), ((1, 4), 0)]

# ---- random values (no ties): values, gradients, gradcheck in float64 -------------
for dt in FLOATS:
    for shape, d in SHAPES_DIMS:
        x = make(shape, dt)
        for keep in (0.0, 1.0):
            for name, fn in DIM_PAIRS:
                pair(name, fn, [x], (d, keep))
            W.case("argmax_dim", f_argmax_dim, [x], (d, keep))
            W.case("argmin_dim", f_argmin_dim, [x], (d, keep))
            if shape:
                pair("kthvalue", f_kthvalue, [x], (1 + (shape[d] - 1) // 2, d, keep))
        for de in (0.0, 1.0):
            pair("sort", f_sort, [x], (d, de))
            pair("sort_stable", f_sort_stable, [x], (1.0, d, de))
            W.case("argsort", f_argsort, [x], (d, de))
        n = shape[d] if shape else 1
        for k in sorted({0, 1, n}):
            for lg in (0.0, 1.0):
                pair("topk", f_topk, [x], (k, d, lg, 1.0))
    for shape in [(5,), (3, 4), (), (2, 3, 4), (6,)]:
        x = make(shape, dt)
        for name, fn in ALL_OPS:
            W.case(name, fn, [x])
        W.case("argmax", torch.argmax, [x])
        W.case("argmin", torch.argmin, [x])
        W.case("msort", torch.msort, [x])
    # transposed input
    x = make((4, 5), dt)
    for d in (0, 1):
        pair("max_dim", f_max_dim, [x], (d, 0.0), layout=["t"])
        pair("median_dim", f_median_dim, [x], (d, 1.0), layout=["t"])
        pair("sort", f_sort, [x], (d, 1.0), layout=["t"])
        pair("topk", f_topk, [x], (2, d, 1.0, 1.0), layout=["t"])
        pair("kthvalue", f_kthvalue, [x], (2, d, 0.0), layout=["t"])
        pair("mode", f_mode, [x], (d, 0.0), layout=["t"])
        W.case("argmin_dim", f_argmin_dim, [x], (d, 0.0), layout=["t"])
    W.case("max", torch.max, [x], layout=["t"])
    W.case("argmax", torch.argmax, [x], layout=["t"])
    W.case("median", torch.median, [x], layout=["t"])
    # zero-size along a kept dim
    z = make((0, 3), dt)
    for name, fn in DIM_PAIRS:
        pair(name, fn, [z], (1, 0.0))
    pair("sort", f_sort, [z], (0, 0.0))
    pair("sort", f_sort, [make((3, 0), dt)], (1, 0.0))
    pair("topk", f_topk, [z], (2, 1, 1.0, 1.0))
    pair("kthvalue", f_kthvalue, [z], (2, 1, 0.0))
    W.case("argmax_dim", f_argmax_dim, [z], (1, 0.0))
    W.case("msort", torch.msort, [z])
    W.case("median", torch.median, [z])
    W.case("nanmedian", torch.nanmedian, [z])

# ---- ties, NaN, -0.0: the index chosen must be PyTorch's -------------------------
# float32 keeps gradients (compared with PyTorch's, no gradcheck at kinks);
# float64 and the other dtypes compare values and indices only.
TIE_DTYPES = [torch.float32, torch.float64, torch.bfloat16, torch.float16] + INTS + [torch.bool]
for dt in TIE_DTYPES:
    fl = dt.is_floating_point
    grad = dt == torch.float32
    hi = 2 if dt == torch.bool else 3
    if dt == torch.float32:
        shapes = [((7,), 0), ((4, 9), 1), ((3, 40), 1), ((200,), 0), ((2, 3, 21), 2)]
    elif dt in (torch.float64, torch.int64):
        shapes = [((7,), 0), ((4, 9), 1), ((3, 40), 1), ((20,), 0)]
    else:
        shapes = [((7,), 0), ((9, 4), 0), ((3, 40), 1)]
    nans = [0.0, 0.1] if dt == torch.float32 else [0.1] if fl else [0.0]
    for shape, d in shapes:
        for nan_p in nans:
            x = ties(shape, dt, hi, nan_p)
            for de in (0.0, 1.0):
                pair("sort", f_sort, [x], (d, de), grad=grad)
                W.case("argsort", f_argsort, [x], (d, de))
            pair("sort_stable", f_sort_stable, [x], (0.0, d, 1.0), grad=grad)
            pair("sort_stable", f_sort_stable, [x], (1.0, d, 0.0), grad=False)
            W.case("argsort_stable", f_argsort_stable, [x], (1.0, d, 1.0))
            for keep in (0.0, 1.0) if len(shape) == 2 else (0.0,):
                for name, fn in DIM_PAIRS:
                    if dt in (torch.bool, torch.float16) and "median" in name:
                        continue
                    pair(name, fn, [x], (d, keep), grad=grad)
                if dt != torch.bool:
                    W.case("argmax_dim", f_argmax_dim, [x], (d, keep))
                    W.case("argmin_dim", f_argmin_dim, [x], (d, keep))
            if dt not in (torch.bool, torch.float16):
                n = shape[d]
                for k in sorted({1, 3, n // 2, n} if n <= 20 else {3, n // 2}):
                    pair("kthvalue", f_kthvalue, [x], (k, d, 0.0), grad=grad)
                    for lg, so in ((1.0, 1.0), (0.0, 1.0), (1.0, 0.0)) if n <= 20 else ((1.0, 1.0), (0.0, 0.0)):
                        pair("topk", f_topk, [x], (k, d, lg, so), grad=grad)
            W.case("max", torch.max, [x], grad=grad)
            W.case("min", torch.min, [x], grad=grad)
            if dt != torch.bool:
                W.case("argmax", torch.argmax, [x])
                W.case("argmin", torch.argmin, [x])
            if dt not in (torch.bool, torch.float16):
                W.case("median", torch.median, [x], grad=grad)
                W.case("nanmedian", torch.nanmedian, [x], grad=grad)

# rows that are all NaN, all equal, mostly NaN
for dt in [torch.float32, torch.float64]:
    grad = dt == torch.float32
    for x in [torch.full((3, 30), NAN, dtype=dt), torch.full((2, 25), 1.5, dtype=dt),
              torch.tensor([[NAN, 1.0, NAN, 2.0, NAN, NAN, 1.0, NAN]] * 2, dtype=dt),
              torch.tensor([[-0.0, 0.0, 0.0, -0.0, 0.0, -0.0]], dtype=dt),
              torch.tensor([[float("inf"), -float("inf"), NAN, float("inf"), 1.0, -float("inf")]], dtype=dt)]:
        for name, fn in DIM_PAIRS:
            pair(name, fn, [x], (1, 0.0), grad=grad)
        for k in (1, 2, x.shape[1]):
            pair("kthvalue", f_kthvalue, [x], (k, 1, 0.0), grad=grad)
            pair("topk", f_topk, [x], (k, 1, 1.0, 1.0), grad=grad)
            pair("topk", f_topk, [x], (k, 1, 0.0, 0.0), grad=grad)
        pair("sort", f_sort, [x], (1, 0.0), grad=grad)
        pair("sort", f_sort, [x], (1, 1.0), grad=grad)
        W.case("argmax_dim", f_argmax_dim, [x], (1, 0.0))
        W.case("argmin_dim", f_argmin_dim, [x], (1, 0.0))
        for name, fn in ALL_OPS:
            W.case(name, fn, [x], grad=grad)
        W.case("argmax", torch.argmax, [x])
        W.case("argmin", torch.argmin, [x])

# int64 beyond 2^53: keys must compare exactly
big = torch.tensor([2**62 + 1, 2**62, 2**62 + 3, 2**62 + 2, -2**62, 2**62 + 1], dtype=torch.int64)
pair("sort", f_sort, [big], (0, 0.0))
pair("max_dim", f_max_dim, [big], (0, 0.0))
pair("topk", f_topk, [big], (2, 0, 1.0, 1.0))
pair("kthvalue", f_kthvalue, [big], (3, 0, 0.0))
W.case("median", torch.median, [big])
W.case("argmin", torch.argmin, [big])

# ---- stress: random lengths, sorted / reversed runs, many ties (compact int8
# data, a few float32 with NaN): exercises introsort, heap select, nth_element
for t in range(40):
    n = int(torch.randint(2, 300, ()).item())
    hi = int(torch.randint(1, 8, ()).item())
    x = torch.randint(0, hi, (n,)).double()
    if t % 4 == 0:
        x[torch.rand(n) < 0.2] = NAN
    if t % 5 == 0:
        x = torch.sort(x).values
    if t % 7 == 0:
        x = x.flip(0)
    x = x.float() if t % 4 == 0 else torch.nan_to_num(x, 9).to(torch.int8)
    W.case("sort_indices", lambda a, d, de: f_sort(a, d, de)[1], [x], (0, float(t % 2)), grad=False)
    k = int(torch.randint(1, n + 1, ()).item())
    W.case("topk_indices", lambda a, *r: f_topk(a, *r)[1], [x], (k, 0, float(t % 2), float(t % 3 > 0)), grad=False)
    W.case("topk_indices", lambda a, *r: f_topk(a, *r)[1], [x], (max(1, n // 70), 0, float(t % 3 > 0), 1.0), grad=False)
    W.case("kthvalue_indices", lambda a, *r: f_kthvalue(a, *r)[1], [x], (k, 0, 0.0), grad=False)
    W.case("nanmedian_dim_indices", lambda a, *r: f_nanmedian_dim(a, *r)[1], [x], (0, 0.0), grad=False)
    W.case("median_dim_indices", lambda a, *r: f_median_dim(a, *r)[1], [x], (0, 0.0), grad=False)
    W.case("mode_indices", lambda a, *r: f_mode(a, *r)[1], [x], (0, 0.0), grad=False)

# ---- errors -------------------------------------------------------------------------
x = make((3, 4), torch.float32)
W.error("max_dim_values", f_max_dim, [x], (2, 0.0))
W.error("sort_values", f_sort, [x], (-3, 0.0))
W.error("argmax_dim", f_argmax_dim, [x], (5, 0.0))
W.error("kthvalue_values", f_kthvalue, [x], (5, 1, 0.0))
W.error("kthvalue_values", f_kthvalue, [x], (0, 1, 0.0))
W.error("kthvalue_values", f_kthvalue, [make((), torch.float32)], (2, 0, 0.0))
W.error("topk_values", f_topk, [x], (5, 1, 1.0, 1.0))
W.error("topk_values", f_topk, [x], (-1, 1, 1.0, 1.0))
W.error("topk_values", f_topk, [make((), torch.float32)], (2, 0, 1.0, 1.0))
W.error("mode_values", f_mode, [x], (2, 0.0))
for name, fn in [("max", torch.max), ("min", torch.min), ("argmax", torch.argmax), ("argmin", torch.argmin)]:
    W.error(name, fn, [make((0, 3), torch.float32)])
for name, fn in DIM_PAIRS:
    W.error(name + "_values", fn, [make((0, 3), torch.float32)], (0, 0.0))
W.error("argmin_dim", f_argmin_dim, [make((0, 3), torch.float32)], (0, 0.0))
W.error("kthvalue_values", f_kthvalue, [make((3, 0), torch.float32)], (1, -1, 0.0))
bx = make((3, 4), torch.bool)
hx = make((3, 4), torch.float16)
W.error("argmax", torch.argmax, [bx])
W.error("argmin_dim", f_argmin_dim, [bx], (0, 0.0))
for t in (bx, hx):
    W.error("median", torch.median, [t])
    W.error("nanmedian", torch.nanmedian, [t])
    W.error("median_dim_values", f_median_dim, [t], (0, 0.0))
    W.error("nanmedian_dim_values", f_nanmedian_dim, [t], (0, 0.0))
    W.error("kthvalue_values", f_kthvalue, [t], (1, 0, 0.0))
    W.error("topk_values", f_topk, [t], (1, 0, 1.0, 1.0))
# empty median of integers: NaN converted
W.case("median", torch.median, [make((0,), torch.int64)])
W.case("median", torch.median, [make((0,), torch.float16)])

W.write("gen_sort.py")
