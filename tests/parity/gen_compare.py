"""Parity vectors for the comparison family (ops_compare.h): comparisons,
isclose/allclose/equal, predicates, logical, bitwise and shift ops, from
PyTorch 1.13.1. Run with /usr/bin/python3 (Debian's python3-torch); writes
tests/parity/data/compare.txt, replayed by tests/ops/test_compare.c."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "compare.txt"))
case, error = W.case, W.error

F = [torch.float64, torch.float32]
HALF = [torch.float16, torch.bfloat16]
INTS = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
ALL = F + HALF + INTS + [torch.bool]
SHAPES2 = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ()), ((0, 3), (3,)), ((), ())]
NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, INF, -INF, -0.0, 0.0, 1.0, -1.0, 1e-45, 2.5, 3.0]


def ties(shape, dt):
    """Small integer values (many ties across two draws) in dtype dt."""
    if dt == torch.bool:
        return torch.randint(0, 2, shape).bool()
    lo = 0 if dt == torch.uint8 else -3
    return torch.randint(lo, 4, shape).to(dt)


def special_pairs(dt):
    v = torch.tensor(SPECIAL, dtype=torch.float64)
    n = len(SPECIAL)
    return v.repeat_interleave(n).to(dt), v.repeat(n).to(dt)


CMP = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
INPLACE = {"eq": "eq_", "ne": "ne_", "lt": "lt_", "le": "le_", "gt": "gt_", "ge": "ge_"}

# ---- comparisons ----
for name, fn in CMP.items():
    ip = INPLACE[name]
    for dt in ALL:
        for sa, sb in SHAPES2[:5] if dt in F else SHAPES2[:2] + SHAPES2[5:6]:
            case(name, fn, [ties(sa, dt), ties(sb, dt)])
        case(name, fn, [ties((3, 4), dt), ties((3, 4), dt)], layout=["t", "c"])
        case(name + "_scalar", lambda x, s, f=fn: f(x, s), [ties((2, 3), dt)], (1.0,))
        case(name + "_scalar", lambda x, s, f=fn: f(x, s), [ties((2, 3), dt)], (0.5,))
    for dt in F + HALF:
        a, b = special_pairs(dt)
        case(name, fn, [a, b])
        for s in (NAN, INF, -0.0, 1e-45):
            case(name + "_scalar", lambda x, s_, f=fn: f(x, s_), [a], (s,))
    for dt in F:
        for sa, sb in SHAPES2:
            case(name, fn, [W.make(sa, dt), W.make(sb, dt)])
    # mixed dtypes: compared in torch.result_type
    for da, db in [(torch.int64, torch.float32), (torch.float16, torch.float32), (torch.bool, torch.int8),
                   (torch.uint8, torch.int8), (torch.int32, torch.float64), (torch.bfloat16, torch.float16),
                   (torch.bool, torch.float16), (torch.uint8, torch.bool)]:
        case(name, fn, [ties((2, 3), da), ties((2, 3), db)])
        case(name, fn, [ties((2, 3), db), ties((), da)])
    big = torch.tensor([16777217, 16777216, -16777217, 2**53 + 1])
    case(name, fn, [big, torch.tensor(16777216.0)])
    case(name, fn, [big, torch.tensor([16777216.0, 16777216.0, -16777216.0, 2.0**53], dtype=torch.float64)])
    case(name + "_scalar", lambda x, s, f=fn: f(x, s), [big], (16777216.0,))
    case(name, fn, [torch.tensor([1.0, 1e-50, -1e-50]), torch.tensor(1e-50, dtype=torch.float64)])
    case(name, fn, [torch.tensor([1.0009765625, 65504.0, 1e-8], dtype=torch.float64), torch.tensor(1.0, dtype=torch.float16)])
    case(name + "_scalar", lambda x, s, f=fn: f(x, s), [torch.tensor([1.0, 65504.0, INF], dtype=torch.float16)], (1e10,))
    case(name + "_scalar", lambda x, s, f=fn: f(x, s), [torch.tensor([1.0, 2.0], dtype=torch.float16)], (1.0009,))
    # in-place: a keeps its dtype
    for dt in [torch.float64, torch.float32, torch.int64, torch.uint8, torch.bool, torch.float16]:
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [ties((3, 4), dt), ties((4,), dt)], grad=False)
        case(ip[:-1] + "_scalar_", lambda x, s, m=ip: getattr(x.clone(), m)(s), [ties((3, 4), dt)], (1.0,), grad=False)
    case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [ties((3,), torch.int64), torch.tensor([1.0, 2.5, -3.0])],
         grad=False)
    case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [ties((2,), torch.bool), torch.tensor([1.0, 0.5])], grad=False)
    # in-place with history: EqBackward1 / EqBackward0, zero gradients
    for dt in F:
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((3, 4), dt), W.make((4,), dt)])
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((3, 4), dt), W.make((3, 4), dt)], layout=["t", "c"])
        case(ip[:-1] + "_scalar_", lambda x, s, m=ip: getattr(x.clone(), m)(s), [W.make((2, 3), dt)], (0.0,))
    # errors
    error(name, fn, [W.make((2,), torch.float32), W.make((3,), torch.float32)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((3,), torch.float32), W.make((2, 3), torch.float32)])
    error(ip[:-1] + "_leaf", lambda x, y, m=ip: getattr(x.requires_grad_(), m)(y),
          [W.make((3,), torch.float32), W.make((3,), torch.float32)])

# ---- predicates ----
PRED = {"isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite, "isposinf": torch.isposinf,
        "isneginf": torch.isneginf, "logical_not": torch.logical_not}
for name, fn in PRED.items():
    for dt in F + HALF:
        v = torch.tensor(SPECIAL + [65504.0, 1e30, -1e30, 1e300], dtype=torch.float64).to(dt)
        case(name, fn, [v])
        case(name, fn, [v.reshape(2, 7)], layout=["t"])
    for dt in INTS + [torch.bool]:
        case(name, fn, [ties((2, 3), dt)])
    for shape in [(), (0,), (0, 3)]:
        case(name, fn, [W.make(shape, torch.float32)])
for dt in ALL:
    case("logical_not_", lambda x: x.clone().logical_not_(), [ties((3, 4), dt)], grad=False)

# ---- logical binary ----
LOG = {"logical_and": torch.logical_and, "logical_or": torch.logical_or, "logical_xor": torch.logical_xor}
for name, fn in LOG.items():
    ip = name + "_"
    for dt in ALL:
        for sa, sb in SHAPES2[:2] + SHAPES2[3:6]:
            case(name, fn, [ties(sa, dt), ties(sb, dt)])
        case(name, fn, [ties((3, 4), dt), ties((3, 4), dt)], layout=["c", "t"])
    for dt in F + HALF:
        a, b = special_pairs(dt)
        case(name, fn, [a, b])
    for da, db in [(torch.int64, torch.float32), (torch.bool, torch.float16), (torch.uint8, torch.int8)]:
        case(name, fn, [ties((2, 3), da), ties((3,), db)])
    case(name, fn, [torch.tensor([1.0, 0.0]), torch.tensor(1e-50, dtype=torch.float64)])
    case(name, fn, [torch.tensor([1.0, 0.0]), torch.tensor([1e-50, 1e-50], dtype=torch.float64)])
    for dt in [torch.float32, torch.int64, torch.bool, torch.uint8]:
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [ties((3, 4), dt), ties((4,), torch.float64)], grad=False)
    # float32 with history: PyTorch leaves CloneBackward0 in place (the gradient passes through)
    case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((3,), torch.float32), W.make((3,), torch.float32)])
    error(name, fn, [W.make((2,), torch.float32), W.make((3,), torch.float32)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [ties((2,), torch.int64), ties((1, 2), torch.int64)])

# ---- isclose / allclose / equal ----
TOLS = [(1e-5, 1e-8, 0.0), (0.0, 0.0, 0.0), (0.1, 0.5, 1.0), (1e-3, 0.0, 1.0), (0.0, 1.0, 0.0)]
for dt in F + HALF + INTS + [torch.bool]:
    for rt, at, en in TOLS:
        if dt.is_floating_point:
            a = W.make((4, 5), dt)
            b = (a.double() + torch.randn(4, 5, dtype=torch.float64) * 0.3 * torch.randint(0, 2, (4, 5))).to(dt)
        else:
            a, b = ties((4, 5), dt), ties((4, 5), dt)
        case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)), [a, b], (rt, at, en))
        case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)), [a, b[0]], (rt, at, en))
        case("allclose", lambda x, y, r, t_, e: torch.tensor(torch.allclose(x, y, r, t_, bool(e))), [a, b], (rt, at, en))
        case("allclose", lambda x, y, r, t_, e: torch.tensor(torch.allclose(x, y, r, t_, bool(e))), [a, a.clone()],
             (rt, at, en))
    if dt.is_floating_point:
        a, b = special_pairs(dt)
        for rt, at, en in TOLS:
            case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)), [a, b], (rt, at, en))
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [torch.tensor([16777217, 5, 100]), torch.tensor([16777216, 6, 101])], (0.0, 0.0, 0.0))
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [torch.tensor([16777217, 5, 100]), torch.tensor([16777216, 6, 101])], (0.0, 0.5, 0.0))
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [torch.tensor([1, 2, 0, 255], dtype=torch.uint8), torch.tensor([3, 4, 255, 0], dtype=torch.uint8)], (0.0, 2.5, 0.0))
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [torch.tensor([-128, 127], dtype=torch.int8), torch.tensor([127, -128], dtype=torch.int8)], (0.0, 255.0, 0.0))
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [W.make((3, 4), torch.float64), W.make((3, 4), torch.float64)], (0.5, 0.5, 0.0), layout=["t", "c"])
case("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
     [W.make((0, 3), torch.float32), W.make((3,), torch.float32)], (1e-5, 1e-8, 0.0))
for args in [(-1.0, 0.0, 0.0), (0.0, -1.0, 0.0), (-0.5, 1e-8, 0.0), (1e-5, -1e-7, 0.0), (NAN, 0.0, 0.0)]:
    error("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
          [W.make((2,), torch.float32), W.make((2,), torch.float32)], args)
    error("allclose", lambda x, y, r, t_, e: torch.tensor(torch.allclose(x, y, r, t_, bool(e))),
          [W.make((2,), torch.float32), W.make((2,), torch.float32)], args)
for da, db in [(torch.int64, torch.float32), (torch.float32, torch.float64), (torch.float16, torch.bfloat16),
               (torch.bool, torch.uint8)]:
    error("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)), [ties((2,), da), ties((2,), db)],
          (1e-5, 1e-8, 0.0))
    error("allclose", lambda x, y, r, t_, e: torch.tensor(torch.allclose(x, y, r, t_, bool(e))),
          [ties((2,), da), ties((2,), db)], (1e-5, 1e-8, 0.0))
error("isclose", lambda x, y, r, t_, e: torch.isclose(x, y, r, t_, bool(e)),
      [W.make((2,), torch.float32), W.make((3,), torch.float32)], (1e-5, 1e-8, 0.0))
error("allclose", lambda x, y, r, t_, e: torch.tensor(torch.allclose(x, y, r, t_, bool(e))),
      [W.make((2,), torch.float32), W.make((3,), torch.float32)], (1e-5, 1e-8, 0.0))


def eq_t(x, y):
    return torch.tensor(torch.equal(x, y))


for dt in ALL:
    a = ties((3, 4), dt)
    case("equal", eq_t, [a, a.clone()], grad=False)
    case("equal", eq_t, [a, ties((3, 4), dt)], grad=False)
    case("equal", eq_t, [a, a[0]], grad=False)
    case("equal", eq_t, [a, a.t().contiguous()], layout=["c", "t"], grad=False)
case("equal", eq_t, [torch.tensor([1.0, 2.0]), torch.tensor([1, 2])], grad=False)
case("equal", eq_t, [torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 2.0]])], grad=False)
case("equal", eq_t, [torch.tensor([NAN, 1.0]), torch.tensor([NAN, 1.0])], grad=False)
case("equal", eq_t, [torch.tensor([-0.0]), torch.tensor([0.0])], grad=False)
case("equal", eq_t, [torch.zeros(0, 3), torch.zeros(0, 3, dtype=torch.int64)], grad=False)
case("equal", eq_t, [torch.tensor(3.0), torch.tensor(3)], grad=False)
case("equal", eq_t, [torch.tensor([16777217]), torch.tensor([16777216.0])], grad=False)

# ---- bitwise ----
BIT = {"bitwise_and": torch.bitwise_and, "bitwise_or": torch.bitwise_or, "bitwise_xor": torch.bitwise_xor}


def rand_int(shape, dt):
    if dt == torch.bool:
        return torch.randint(0, 2, shape).bool()
    info = torch.iinfo(dt)
    return torch.randint(max(info.min, -2**62), min(info.max, 2**62), shape, dtype=torch.int64).to(dt)


for name, fn in BIT.items():
    ip = name + "_"
    for dt in INTS + [torch.bool]:
        for sa, sb in SHAPES2[:2] + SHAPES2[3:6]:
            case(name, fn, [rand_int(sa, dt), rand_int(sb, dt)])
        case(name, fn, [rand_int((3, 4), dt), rand_int((3, 4), dt)], layout=["t", "c"])
        for s in (3, -1, 1000, -2**40):
            case(name + "_scalar", lambda x, s_, f=fn: f(x, int(s_)), [rand_int((2, 3), dt)], (s,))
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((3, 4), dt), rand_int((4,), dt)])
        case(name + "_scalar_", lambda x, s, m=ip: getattr(x.clone(), m)(int(s)), [rand_int((3,), dt)], (6,))
    for da, db in [(torch.uint8, torch.int8), (torch.bool, torch.int32), (torch.int16, torch.int64)]:
        case(name, fn, [rand_int((2, 3), da), rand_int((3,), db)])
        case(name, fn, [rand_int((2, 3), da), rand_int((), db)])
    case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((3,), torch.int8), rand_int((3,), torch.int64)])
    for dt in F + HALF:
        error(name, fn, [W.make((2,), dt), W.make((2,), dt)])
    error(name, fn, [rand_int((2,), torch.int64), W.make((2,), torch.float32)])
    error(name + "_scalar", lambda x, s, f=fn: f(x, int(s)), [W.make((2,), torch.float32)], (1,))
    error(name, fn, [rand_int((2,), torch.int64), rand_int((3,), torch.int64)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((2,), torch.int64), W.make((2,), torch.float32)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((2,), torch.bool), rand_int((2,), torch.int64)])
    error(name + "_scalar_", lambda x, s, m=ip: getattr(x.clone(), m)(int(s)), [rand_int((2,), torch.bool)], (3,))
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((2,), torch.float32), rand_int((2,), torch.int64)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((2,), torch.int64), rand_int((3, 2), torch.int64)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [W.make((2,), torch.float32), rand_int((3, 2), torch.int64)])
for dt in INTS + [torch.bool]:
    case("bitwise_not", torch.bitwise_not, [rand_int((3, 4), dt)])
    case("bitwise_not", torch.bitwise_not, [rand_int((3, 4), dt)], layout=["t"])
    case("bitwise_not_", lambda x: x.clone().bitwise_not_(), [rand_int((3,), dt)])
for shape in [(), (0,)]:
    case("bitwise_not", torch.bitwise_not, [rand_int(shape, torch.int32)])
for dt in F + HALF:
    error("bitwise_not", torch.bitwise_not, [W.make((2,), dt)])

# ---- shifts: counts beyond the width and negative counts wrap (x86) ----
SH = {"bitwise_left_shift": torch.bitwise_left_shift, "bitwise_right_shift": torch.bitwise_right_shift}
for name, fn in SH.items():
    ip = name + "_"
    for dt in INTS:
        info = torch.iinfo(dt)
        a = rand_int((80,), dt)
        lo = -70 if info.min < 0 else 0
        b = torch.randint(lo, 71 if info.min < 0 else 256, (80,)).to(dt)
        case(name, fn, [a, b])
        case(name, fn, [rand_int((3, 4), dt), torch.randint(0, 8, (4,)).to(dt)])
        case(name, fn, [rand_int((3, 4), dt), torch.randint(0, 8, (3, 4)).to(dt)], layout=["t", "c"])
        case(name, fn, [rand_int((0, 4), dt), torch.randint(0, 8, (4,)).to(dt)])
        for s in (0, 1, 7, 8, 9, 15, 16, 31, 32, 33, 63, 64, 65, -1, 300):
            case(name + "_scalar", lambda x, s_, f=fn: f(x, int(s_)), [a], (s,))
        case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [a, b])
        case(name + "_scalar_", lambda x, s, m=ip: getattr(x.clone(), m)(int(s)), [a], (3,))
    case(name, fn, [rand_int((4,), torch.int8), torch.tensor([1, 33, 40, -1])])
    case(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((4,), torch.int8), torch.tensor([1, 33, 40, -1])])
    case(name, fn, [torch.tensor([1, -1, 2**62, -2**63]), torch.tensor(1, dtype=torch.uint8)])
    error(name, fn, [rand_int((2,), torch.bool), rand_int((2,), torch.bool)])
    error(name + "_scalar", lambda x, s, f=fn: f(x, int(s)), [rand_int((2,), torch.bool)], (1,))
    for dt in F + HALF:
        error(name, fn, [W.make((2,), dt), W.make((2,), dt)])
    error(name, fn, [rand_int((2,), torch.int64), W.make((2,), torch.float32)])
    error(name, fn, [rand_int((2,), torch.int64), rand_int((3,), torch.int64)])
    error(ip, lambda x, y, m=ip: getattr(x.clone(), m)(y), [rand_int((2,), torch.int64), W.make((2,), torch.float32)])

W.write("gen_compare.py")
