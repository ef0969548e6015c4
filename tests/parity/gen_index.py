"""Parity vectors for the indexing family (gather, scatter*, index_*,
masked_*, take, nonzero, advanced indexing / index_put) from PyTorch 1.13.1.
Run with /usr/bin/python3 (Debian's python3-torch)."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "index.txt"))
make, case, error = W.make, W.case, W.error
L = torch.long
FLOATS = [torch.float64, torch.float32]
ALL = FLOATS + [torch.int64, torch.int32, torch.bool, torch.float16, torch.bfloat16, torch.uint8]


def ri(hi, shape):
    return torch.randint(0, hi, shape, dtype=L)


def perm_index(n_rows, n_cols, size):
    """An index of shape (n_rows, n_cols) with distinct values per column in [0, size) (scatter without clashes)."""
    return torch.stack([torch.randperm(size)[:n_rows] for _ in range(n_cols)], 1)


# ---- gather ----
for dt in ALL:
    x = make((3, 4), dt)
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, ri(3, (2, 4))], (0,))
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, ri(4, (3, 5))], (-1,))
for dt in FLOATS:
    x = make((4, 3), dt)
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, ri(4, (2, 3))], (1,), layout=["t", "c"])
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [make((2, 3, 4), dt), ri(3, (2, 2, 2))], (1,))
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [make((), dt), torch.tensor(0)], (0,))
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [make((3, 4), dt), ri(3, (0, 4))], (0,))
    case("gather", lambda a, i, d: torch.gather(a, int(d), i), [make((5,), dt), torch.tensor([1, 1, 4, 0, 1, 1])], (0,))
x = make((3, 4), torch.float32)
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.tensor([[0, 5]])], (0,))
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.tensor([[0, -1]])], (0,))
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.tensor([[0, 1]]).int()], (0,))
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.tensor([0, 1])], (0,))
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.zeros(4, 2, dtype=L)], (1,))
error("gather", lambda a, i, d: torch.gather(a, int(d), i), [x, torch.zeros(1, 2, dtype=L)], (2,))

# ---- scatter / scatter_value / scatter_add / scatter_reduce ----
for dt in ALL:
    x, s = make((3, 4), dt), make((2, 4), dt)
    case("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, perm_index(2, 4, 3), s], (0,))
    case("scatter_", lambda a, i, b, d: a.clone().scatter_(int(d), i, b), [x, perm_index(2, 4, 3), s], (0,))
    case("scatter_value", lambda a, i, d, v: torch.scatter(a, int(d), i, v if dt.is_floating_point else int(v)),
         [x, perm_index(2, 3, 4).t().contiguous()], (1, 2.0))
    case("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b), [x, ri(3, (2, 4)), s], (0,))
    case("scatter_add_", lambda a, i, b, d: a.clone().scatter_add_(int(d), i, b), [x, ri(3, (2, 4)), s], (0,))
for dt in FLOATS:
    x = make((4, 3), dt)
    case("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, perm_index(2, 3, 4), make((2, 3), dt)],
         (0,), layout=["t", "c", "c"])
    case("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b), [x, ri(3, (4, 3)), make((4, 3), dt)],
         (1,), layout=["t", "c", "t"])
    case("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b),
         [make((5,), dt), torch.tensor([0, 0, 0, 4, 4]), make((5,), dt)], (-1,))
    case("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b), [make((), dt), torch.tensor(0),
                                                                                  make((), dt)], (0,))
    case("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b),
         [make((2, 3), dt), torch.zeros(0, 3, dtype=L), make((0, 3), dt)], (0,))
    case("scatter_value", lambda a, i, d, v: torch.scatter(a, int(d), i, v), [make((2, 3), dt), ri(2, (1, 3))],
         (0, float("nan")), grad=False)
    for red in ["sum", "prod", "mean", "amax", "amin"]:
        for inc in (1.0, 0.0):
            idx = torch.tensor([[0, 1, 2], [0, 2, 2], [1, 1, 0], [0, 1, 2]])
            if red in ("amax", "amin"):
                # distinct values so max/min are unique (finite differences)
                src = (torch.randperm(12).reshape(4, 3).to(dt) * 0.37 - 2)
                slf = torch.randperm(9).reshape(3, 3).to(dt) * 0.41 + 0.1337 - 2
            else:
                src = make((4, 3), dt, "pos")
                slf = make((3, 3), dt, "pos")
            case("scatter_reduce", lambda a, i, b, d, inc, r=red: torch.scatter_reduce(a, int(d), i, b, r,
                                                                                       include_self=bool(inc)),
                 [slf, idx, src], (0, inc), extra=[f"reduce {red}"])
            case("scatter_reduce_", lambda a, i, b, d, inc, r=red: a.clone().scatter_reduce_(
                int(d), i, b, r, include_self=bool(inc)), [slf, idx.t().contiguous()[:3, :3], src[:3]], (1, inc),
                 extra=[f"reduce {red}"])
for dt in [torch.int64, torch.int32, torch.float16, torch.bfloat16]:
    for red in ["sum", "prod", "mean", "amax", "amin"]:
        for inc in (1.0, 0.0):
            case("scatter_reduce", lambda a, i, b, d, inc, r=red: torch.scatter_reduce(
                a, int(d), i, b, r, include_self=bool(inc)), [make((3, 2), dt), ri(3, (4, 2)), make((4, 2), dt)],
                 (0, inc), extra=[f"reduce {red}"])
# prod around zeros (PyTorch's exclusive-product backward): one zero in a group, a zero in self
for inc in (1.0, 0.0):
    case("scatter_reduce", lambda a, i, b, d, inc: torch.scatter_reduce(a, int(d), i, b, "prod", include_self=bool(inc)),
         [torch.tensor([1.5, 0.0, -2.0, 0.7], dtype=torch.float64), torch.tensor([0, 0, 1, 2, 2, 3]),
          torch.tensor([0.0, 1.3, 0.9, -0.4, 0.0, 2.1], dtype=torch.float64)], (0, inc), extra=["reduce prod"])
    case("index_reduce", lambda a, i, b, d, inc: torch.index_reduce(a, int(d), i, b, "prod", include_self=bool(inc)),
         [torch.tensor([[1.5, 0.0], [-2.0, 0.7]], dtype=torch.float64), torch.tensor([1, 0, 1]),
          torch.tensor([[0.0, 1.3], [0.9, -0.4], [1.1, 0.0]], dtype=torch.float64)], (0, inc), extra=["reduce prod"])
# ties and nan in amax
case("scatter_reduce", lambda a, i, b, d, inc: torch.scatter_reduce(a, int(d), i, b, "amax", include_self=bool(inc)),
     [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1, 2]), torch.tensor([1.0, 1.0, float("nan"), -0.0])], (0, 1.0),
     grad=False, extra=["reduce amax"])
x = make((3, 4), torch.float32)
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.tensor([[0, 5]]), x], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.tensor([[0, 1]]), x.double()], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.tensor([[0, 1]]).int(), x], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.zeros(4, 2, dtype=L), x], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.zeros(2, 2, dtype=L), x[:1, :1]], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.zeros(2, dtype=L), x], (0,))
error("scatter", lambda a, i, b, d: torch.scatter(a, int(d), i, b), [x, torch.zeros(2, 2, dtype=L), x], (3,))
error("scatter_value", lambda a, i, d, v: torch.scatter(a, int(d), i, v), [x, torch.zeros(4, 5, dtype=L)], (0, 1.0))
error("scatter_add", lambda a, i, b, d: torch.scatter_add(a, int(d), i, b), [x, torch.tensor([[0, -5]]), x], (0,))
error("scatter_reduce", lambda a, i, b, d, inc: torch.scatter_reduce(a, int(d), i, b, "foo"),
      [x, torch.tensor([[0, 1]]), x], (0, 1.0), extra=["reduce foo"])

# ---- index_select / index_add / index_copy / index_fill / index_reduce ----
for dt in ALL:
    x = make((4, 3), dt)
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([3, 0, 3, 1])], (0,))
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([2, 0]).int()], (-1,))
    src = make((2, 3), dt)
    al = 2.0 if dt.is_floating_point else 1.0
    case("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al if dt.is_floating_point else int(al)),
         [x, torch.tensor([1, 1]), src], (0, al))
    case("index_copy", lambda a, i, b, d: torch.index_copy(a, int(d), i, b), [x, torch.tensor([3, 0]), src], (0,))
    case("index_fill", lambda a, i, d, v: torch.index_fill(a, int(d), i, v if dt.is_floating_point else int(v)),
         [x, torch.tensor([2, -1])], (1, 3.0))
for dt in FLOATS:
    x = make((3, 4), dt)
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([1, 1, 0])], (1,),
         layout=["t", "c"])
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [make((), dt), torch.tensor([0])], (0,))
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor(2)], (0,))
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.zeros(0, dtype=L)], (0,))
    case("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al),
         [x, torch.tensor([0, 3, 0, 0, 1]), make((5, 3), dt)], (1, -1.5), layout=["c", "c", "t"])
    case("index_add_", lambda a, i, b, d, al: a.clone().index_add_(int(d), i, b, alpha=al),
         [x, torch.tensor([2, 2]), make((2, 4), dt)], (0, 1.0))
    case("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al),
         [make((3,), dt), torch.tensor([1]), make((), dt)], (0, 1.0))
    case("index_copy", lambda a, i, b, d: torch.index_copy(a, int(d), i, b), [x, torch.tensor([3, 1]),
                                                                               make((3, 2), dt)], (1,))
    case("index_copy_", lambda a, i, b, d: a.clone().index_copy_(int(d), i, b), [x, torch.tensor([2]),
                                                                                  make((1, 4), dt)], (0,))
    case("index_fill", lambda a, i, d, v: torch.index_fill(a, int(d), i, v), [x, torch.tensor([0, 0])], (0, float("inf")), grad=False)
    case("index_fill_", lambda a, i, d, v: a.clone().index_fill_(int(d), i, v), [x, torch.tensor([1])], (-1, -0.0))
    for red in ["prod", "mean", "amax", "amin"]:
        for inc in (1.0, 0.0):
            if red in ("amax", "amin"):
                src = torch.randperm(8).reshape(4, 2).to(dt) * 0.37 - 1
                slf = torch.randperm(6).reshape(3, 2).to(dt) * 0.41 + 0.1337 - 1
            else:
                src, slf = make((4, 2), dt, "pos"), make((3, 2), dt, "pos")
            case("index_reduce", lambda a, i, b, d, inc, r=red: torch.index_reduce(a, int(d), i, b, r,
                                                                                   include_self=bool(inc)),
                 [slf, torch.tensor([0, 2, 0, 0]), src], (0, inc), extra=[f"reduce {red}"])
            case("index_reduce_", lambda a, i, b, d, inc, r=red: a.clone().index_reduce_(int(d), i, b, r,
                                                                                         include_self=bool(inc)),
                 [slf.t().contiguous(), torch.tensor([1, 1]), src[:2].t().contiguous()], (1, inc),
                 extra=[f"reduce {red}"])
for dt in [torch.int64, torch.float16]:
    for red in ["prod", "mean", "amax", "amin"]:
        case("index_reduce", lambda a, i, b, d, inc, r=red: torch.index_reduce(a, int(d), i, b, r, include_self=bool(inc)),
             [make((3, 2), dt), torch.tensor([0, 2, 0, 0]), make((4, 2), dt)], (0, 0.0), extra=[f"reduce {red}"])
x = make((3, 4), torch.float32)
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([0, 5])], (0,))
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([0, -1])], (0,))
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([0.0])], (0,))
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([[0, 1]])], (0,))
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x, torch.tensor([0, 1])], (2,))
fa = lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al)  # noqa: E731
error("index_add", fa, [x, torch.tensor([0, 5]), torch.ones(2, 4)], (0, 1.0))
error("index_add", fa, [x, torch.tensor([0, 1]), torch.ones(2, 4).double()], (0, 1.0))
error("index_add", fa, [x, torch.tensor([0, 1]), torch.ones(3, 4)], (0, 1.0))
error("index_add", fa, [x, torch.tensor([0, 1]), torch.ones(2, 5)], (0, 1.0))
error("index_add", fa, [x, torch.tensor([0.0, 1]), torch.ones(2, 4)], (0, 1.0))
fc = lambda a, i, b, d: torch.index_copy(a, int(d), i, b)  # noqa: E731
error("index_copy", fc, [x, torch.tensor([0, 5]), torch.ones(2, 4)], (0,))
error("index_copy", fc, [x, torch.tensor([0, 1]), torch.ones(2, 4).double()], (0,))
error("index_copy", fc, [x, torch.tensor([0, 1]), torch.ones(3, 4)], (0,))
error("index_copy", fc, [x, torch.tensor([0, 1]).int(), torch.ones(2, 4)], (0,))
error("index_copy", fc, [x, torch.tensor([0, 1]), torch.ones(2, 5)], (0,))
error("index_copy", fc, [x, torch.tensor([0, 1]), torch.ones(2, 4, 1)], (0,))
ff = lambda a, i, d, v: torch.index_fill(a, int(d), i, v)  # noqa: E731
error("index_fill", ff, [x, torch.tensor([0, 5])], (0, 1.0))
error("index_fill", ff, [x, torch.tensor([0, -4])], (0, 1.0))
error("index_fill", ff, [x, torch.tensor([0, 1]).int()], (0, 1.0))
fr = lambda a, i, b, d, inc: torch.index_reduce(a, int(d), i, b, "prod")  # noqa: E731
error("index_reduce", fr, [x, torch.tensor([0, 5]), torch.ones(2, 4)], (0, 1.0), extra=["reduce prod"])
error("index_reduce", lambda a, i, b, d, inc: torch.index_reduce(a, int(d), i, b, "sum"),
      [x, torch.tensor([0, 1]), torch.ones(2, 4)], (0, 1.0), extra=["reduce sum"])

# ---- masked_fill / masked_select / masked_scatter ----
for dt in ALL:
    x = make((3, 4), dt)
    v = 2.5 if dt.is_floating_point else 1.0
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v if dt.is_floating_point else int(v)),
         [x, make((3, 4), torch.bool)], (v,))
    case("masked_select", torch.masked_select, [x, make((3, 4), torch.bool)])
    case("masked_scatter", torch.masked_scatter, [x, make((3, 4), torch.bool), make((12,), dt)])
for dt in FLOATS:
    x = make((3, 4), dt)
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [x, make((4,), torch.bool)], (float("nan"),), grad=False)
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [make((4, 3), dt), make((3, 1), torch.bool)],
         (-0.0,), layout=["t", "c"])
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [make((4,), dt), make((3, 4), torch.bool)],
         (float("-inf"),), grad=False)
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [make((), dt), torch.tensor(True)], (1.0,))
    case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [make((0, 4), dt), make((0, 4), torch.bool)],
         (1.0,))
    case("masked_fill_", lambda a, m, v: a.clone().masked_fill_(m, v), [x, make((4,), torch.bool)], (7.0,))
    case("masked_fill_t", torch.masked_fill, [x, make((3, 4), torch.bool), make((), dt)])
    case("masked_fill_t", torch.masked_fill, [x, make((3, 4), torch.bool), make((), torch.float64)])
    case("masked_fill_t_", lambda a, m, v: a.clone().masked_fill_(m, v), [x, make((1, 4), torch.bool), make((), dt)])
    case("masked_select", torch.masked_select, [make((4, 3), dt), make((3, 4), torch.bool)], layout=["t", "c"])
    case("masked_select", torch.masked_select, [make((4,), dt), make((3, 4), torch.bool)])
    case("masked_select", torch.masked_select, [make((3, 1), dt), make((4,), torch.bool)])
    case("masked_select", torch.masked_select, [x, make((3, 4), torch.uint8)])
    case("masked_scatter", torch.masked_scatter, [make((4, 3), dt), make((3, 4), torch.bool), make((3, 5), dt)],
         layout=["t", "c", "c"])
    case("masked_scatter", torch.masked_scatter, [make((4,), dt), make((3, 1), torch.bool), make((20,), dt)])
    case("masked_scatter_", lambda a, m, s: a.clone().masked_scatter_(m, s), [x, make((4,), torch.bool),
                                                                            make((12,), dt)])
x = make((3, 4), torch.float32)
error("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [x, make((3, 5), torch.bool)], (1.0,))
error("masked_fill_", lambda a, m, v: a.clone().masked_fill_(m, v), [x[0], make((3, 4), torch.bool)], (1.0,))
error("masked_fill_t", torch.masked_fill, [x, make((3, 4), torch.bool), torch.tensor([1.0])])
error("masked_select", torch.masked_select, [x, torch.ones(3, 4, dtype=L)])
case("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [x, torch.tensor([1, 0, 1, 1])], (2.0,))
error("masked_fill", lambda a, m, v: torch.masked_fill(a, m, v), [x, torch.tensor([1, 0, 2, 1])], (2.0,))
error("masked_fill_", lambda a, m, v: a.clone().masked_fill_(m, v), [x, torch.tensor([1, 0, 2, 1])], (2.0,))
error("masked_scatter", torch.masked_scatter, [x, torch.tensor([1, 0, 2, 1]), torch.ones(12)])
case("scatter_reduce", lambda a, i, b, d, inc: torch.scatter_reduce(a, int(d), i, b, "sum"),
     [make((3,), torch.float64), torch.tensor([0, 5]), make((2,), torch.float64)], (0, 1.0), extra=["reduce sum"])
error("masked_select", torch.masked_select, [x, make((3, 5), torch.bool)])
error("masked_scatter", torch.masked_scatter, [x, torch.ones(3, 4, dtype=torch.bool), torch.ones(5)])
error("masked_scatter", torch.masked_scatter, [x, torch.ones(3, 4, dtype=torch.bool), torch.ones(12).double()])

# ---- take / nonzero ----
for dt in ALL:
    case("take", torch.take, [make((3, 4), dt), torch.tensor([[0, 11], [-1, 5]])])
    case("nonzero", torch.nonzero, [make((3, 4), dt)])
for dt in FLOATS:
    case("take", torch.take, [make((4, 3), dt), torch.tensor([1, 1, 7, -12])], layout=["t", "c"])
    case("take", torch.take, [make((), dt), torch.tensor(0)])
    case("take", torch.take, [make((5,), dt), torch.zeros(0, dtype=L)])
    case("nonzero", torch.nonzero, [torch.tensor([[0.0, -0.0, float("nan")], [1.0, 0.0, float("inf")]], dtype=dt)])
    case("nonzero", torch.nonzero, [make((4, 3), dt)], layout=["t"])
case("nonzero", torch.nonzero, [torch.tensor(3.0)])
case("nonzero", torch.nonzero, [torch.tensor(0)])
case("nonzero", torch.nonzero, [torch.zeros(0, 3)])
for k in range(3):
    case("nonzero_tuple", lambda a, k: torch.nonzero(a, as_tuple=True)[int(k)], [make((2, 3, 4), torch.bool)], (k,))
case("nonzero_tuple", lambda a, k: torch.nonzero(a, as_tuple=True)[int(k)], [torch.tensor(2.0)], (0,))
x = make((3, 4), torch.float32)
error("take", torch.take, [x, torch.tensor([12])])
error("take", torch.take, [x, torch.tensor([-13])])
error("take", torch.take, [x, torch.tensor([1]).int()])
error("take", torch.take, [torch.ones(0), torch.tensor([0])])


# ---- advanced indexing: pattern tokens 'i' (next input) / 'n' (None = ':') ----
def idx_fn(pat):
    def f(a, *idx):
        # aten::index itself (Python's x[t] turns a 0-dim integer tensor into a select)
        it = iter(idx)
        return torch.ops.aten.index.Tensor(a, [next(it) if p == "i" else None for p in pat])
    return f


def put_fn(pat, inplace=False):
    def f(a, *rest):
        acc = bool(rest[-1])
        idx, vals = rest[:-2], rest[-2]
        it = iter(idx)
        key = [next(it) if p == "i" else None for p in pat]
        if inplace:
            return torch.ops.aten.index_put_(a.clone(), key, vals, acc)
        return torch.ops.aten.index_put(a, key, vals, acc)
    return f


def adv(pat, x, idx, layout=None):
    case("index", idx_fn(pat), [x] + idx, layout=layout, extra=[f"pat {' '.join(pat)}"])


for dt in ALL:
    adv("i", make((4, 3), dt), [torch.tensor([3, 0, 3])])
    adv("ni", make((4, 3), dt), [torch.tensor([[2, 0], [1, 1]])])
    adv("i", make((4, 3), dt), [make((4, 3), torch.bool)])
for dt in FLOATS:
    adv("ii", make((4, 3, 2), dt), [torch.tensor([0, 3, -1]), torch.tensor([[1], [2]])])
    adv("ini", make((4, 3, 2), dt), [torch.tensor([0, 3]), torch.tensor([1, 0])])
    adv("nni", make((4, 3, 2), dt), [torch.tensor([1, 0, 1])])
    adv("ni", make((4, 3, 2), dt), [make((3, 2), torch.bool)])
    adv("i", make((4, 3), dt), [make((4,), torch.uint8).clamp(0, 1)])
    adv("i", make((4, 3), dt), [torch.tensor(2)])
    adv("in", make((4, 3), dt), [torch.zeros(0, dtype=L)])
    adv("ni", make((3, 4), dt), [torch.tensor([2, 2])], layout=["t", "c"])
    adv("in", make((4, 3), dt), [torch.tensor([0, 1, 0])])
    for acc in (0.0, 1.0):
        x = make((4, 3), dt)
        case("index_put", put_fn("i"), [x, torch.tensor([1, 3]), make((2, 3), dt)], (acc,),
             extra=["pat i"])
        case("index_put", put_fn("ni"), [x, torch.tensor([2, 0, 2] if acc else [2, 0, 1]), make((4, 1), dt)], (acc,),
             extra=["pat n i"])
        case("index_put", put_fn("ii"), [x, torch.tensor([1, 1, 1]), torch.tensor([0, 0, 2] if acc else [0, 1, 2]), make((), dt)], (acc,),
             extra=["pat i i"])
        case("index_put", put_fn("i"), [x, make((4, 3), torch.bool), make((1,), dt)], (acc,), extra=["pat i"])
        case("index_put_", put_fn("ini", True), [make((4, 3, 2), dt), torch.tensor([0, 0] if acc else [0, 1]), torch.tensor([1, 1]),
                                                 make((2, 3), dt)], (acc,), extra=["pat i n i"])
for dt in [torch.int64, torch.bool, torch.float16]:
    case("index_put", put_fn("i"), [make((4, 3), dt), torch.tensor([1, 3, 1]), make((3,), dt)], (1.0,),
         extra=["pat i"])
x = make((3, 4), torch.float32)
error("index", idx_fn("i"), [x, torch.tensor([3])], extra=["pat i"])
error("index", idx_fn("ni"), [x, torch.tensor([4])], extra=["pat n i"])
error("index", idx_fn("ni"), [x, torch.tensor([-5])], extra=["pat n i"])
error("index", idx_fn("i"), [x, torch.tensor([1.0])], extra=["pat i"])
error("index", idx_fn("i"), [x, torch.tensor([1]).int()], extra=["pat i"])
error("index", idx_fn("i"), [x, make((3, 5), torch.bool)], extra=["pat i"])
error("index", idx_fn("i"), [x, make((2,), torch.bool)], extra=["pat i"])
error("index", idx_fn("iii"), [x, torch.tensor(0), torch.tensor(0), torch.tensor(0)], extra=["pat i i i"])
error("index", idx_fn("ii"), [x, torch.tensor([0, 1]), torch.tensor([0, 1, 2])], extra=["pat i i"])
error("index_put", put_fn("i"), [x, torch.tensor([0]), torch.ones(4).double()], (0.0,), extra=["pat i"])
error("index_put", put_fn("i"), [x, torch.tensor([0]), torch.ones(5)], (0.0,), extra=["pat i"])
error("index_put", put_fn("i"), [x, torch.tensor([5]), torch.ones(4)], (1.0,), extra=["pat i"])

# ---- index_select / index_add by whole slices (contiguous operands, a
# middle dim: outer > 1 and inner > 1; repeated indices; int32 indices) ----
for dt in FLOATS:
    x3 = make((2, 5, 3), dt)
    case("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [x3, torch.tensor([4, 0, 4, 2])], (1,))
    case("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al),
         [x3, torch.tensor([3, 1, 3, 3]).int(), make((2, 4, 3), dt)], (1, 1.0))
    case("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al),
         [x3, torch.tensor([0, 4, 0]), make((2, 5, 3), dt)[:, :3]], (1, 0.5))
error("index_select", lambda a, i, d: torch.index_select(a, int(d), i), [make((2, 5, 3), torch.float32),
                                                                         torch.tensor([1, 5])], (1,))
error("index_add", lambda a, i, b, d, al: torch.index_add(a, int(d), i, b, alpha=al),
      [make((2, 5, 3), torch.float32), torch.tensor([0, -1]), make((2, 2, 3), torch.float32)], (1, 1.0))

W.write("gen_index.py")
