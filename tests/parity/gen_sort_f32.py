"""Parity vectors for float32 sort / topk along a dim of long slices
(ctorch's float32 path: (float, int32) pairs with the order inlined,
src/kernels/cpu/sort.c ct__sort_f32 / ct__topk_f32): the indices chosen
among ties, NaNs and signed zeros by PyTorch 1.13.1's std::sort,
std::stable_sort, std::partial_sort (k * 64 <= n) and std::nth_element
(+ std::sort of the first k - 1), on slices long enough for introsort's
partitions, its heap fallback (organ-pipe and sorted runs) and deep heaps.
And max / min along long contiguous rows (float32 and float64: ties, -0,
NaN, inf). Args as tests/parity/gen_sort.py (tests/ops/test_sort_f32.c):
  topk: k dim largest sorted   sort: dim descending   sort_stable: stable dim descending
  max_dim / min_dim: dim
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sort_f32.txt"), seed=77)
NAN = float("nan")


def data(kind, rows, n):
    if kind == "normal":
        x = torch.randn(rows, n, dtype=torch.float64)
    elif kind.startswith("ties"):
        x = torch.randint(0, int(kind[4:]), (rows, n)).double()
        x[x == 0] = torch.where(torch.rand(x[x == 0].shape) < 0.5, -0.0, 0.0).double()
        x[torch.rand(rows, n) < 0.05] = NAN
    elif kind == "sorted":
        x = torch.sort(torch.randint(0, 40, (rows, n)).double(), 1).values
    elif kind == "reversed":
        x = torch.sort(torch.randint(0, 40, (rows, n)).double(), 1, descending=True).values
    else:  # organ pipe: up then down, many equal pairs
        half = torch.arange(n // 2 + n % 2).double()
        x = torch.cat([half, half.flip(0)[: n // 2]]).repeat(rows, 1)
    return x.float()


def sort_idx(x, d, de): return torch.sort(x, int(d), descending=bool(de))[1]
def sort_val(x, d, de): return torch.sort(x, int(d), descending=bool(de))[0]
def stable_idx(x, st, d, de): return torch.sort(x, stable=bool(st), dim=int(d), descending=bool(de))[1]
def topk_idx(x, k, d, lg, s): return torch.topk(x, int(k), int(d), largest=bool(lg), sorted=bool(s))[1]
def topk_val(x, k, d, lg, s): return torch.topk(x, int(k), int(d), largest=bool(lg), sorted=bool(s))[0]


t = 0
for n in (40, 300, 2100):
    for kind in ("normal", "ties3", "ties50", "sorted", "reversed", "organ"):
        rows = 1 if n > 1000 else 3
        x = data(kind, rows, n)
        t += 1
        de = float(t % 2)
        W.case("sort_indices", sort_idx, [x], (1, de), grad=False)
        if kind in ("ties3", "organ"):
            W.case("sort_indices", sort_idx, [x], (1, 1.0 - de), grad=False)
            W.case("sort_stable_indices", stable_idx, [x], (1.0, 1, de), grad=False)
        if n <= 300:
            W.case("sort_values", sort_val, [x], (1, de), grad=False)
        ks = {max(1, n // 64), n // 64 + 1} if n > 1000 else {1, max(1, n // 64), n // 64 + 1, n // 7, n - 1}
        for i, k in enumerate(sorted(ks)):
            lg = float((i + t) % 2)
            s = float((k + t) % 2) if k > n // 64 else 1.0
            W.case("topk_indices", topk_idx, [x], (k, 1, lg, s), grad=False)
        W.case("topk_values", topk_val, [x], (n // 7, 1, float(t % 2), 1.0), grad=False)
# along dim 0 of a transposed (strided) tensor
x = data("ties50", 3, 700).t()
W.case("sort_indices", sort_idx, [x.contiguous()], (0, 1.0), layout=["t"], grad=False)
W.case("topk_indices", topk_idx, [x.contiguous()], (10, 0, 1.0, 1.0), layout=["t"], grad=False)
# max / min along a long contiguous dim (ctorch's two vector passes: the
# extreme, then its first occurrence; NaN or inf rows take the scan):
# repeated maxima, -0 / +0 ties, NaN and inf anywhere, odd lengths
def maxd_idx(x, d): return torch.max(x, int(d))[1]
def maxd_val(x, d): return torch.max(x, int(d))[0]
def mind_idx(x, d): return torch.min(x, int(d))[1]
def mind_val(x, d): return torch.min(x, int(d))[0]


for dt in (torch.float32, torch.float64):
    for n in (5, 16, 33, 100, 1001):
        x = torch.randint(-3, 4, (8, n)).to(dt)
        x[x == 0] = torch.where(torch.rand(x[x == 0].shape) < 0.5, -0.0, 0.0).to(dt)
        x[1] = -0.0
        x[1, n // 2] = 0.0
        x[2, n - 1] = float("nan")
        x[3, n // 3] = float("nan")
        x[3, n // 2] = float("inf")
        x[4, n // 2] = float("inf")
        x[5, 0] = float("-inf")
        x[6] = torch.randn(n).to(dt)
        x[7, -1] = 100
        for name, fn in (("max_dim_indices", maxd_idx), ("max_dim_values", maxd_val), ("min_dim_indices", mind_idx),
                         ("min_dim_values", mind_val)):
            if "indices" in name or n <= 100:  # (values are x at the indices)
                W.case(name, fn, [x], (1,), grad=False)
W.write("gen_sort_f32.py")
