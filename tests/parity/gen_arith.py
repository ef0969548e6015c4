"""Parity vectors for the arithmetic family (tests/ops/test_arith.c):
div with rounding modes, floor_divide, remainder, fmod, pow, rsub, atan2,
hypot, maximum/minimum/fmax/fmin, clamp, lerp, where, integer-scalar forms
and in-place forms, from PyTorch 1.13.1. Run with /usr/bin/python3."""
import os

import torch

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "arith.txt"))
make, case, error = W.make, W.case, W.error
T = torch.tensor
nan, inf = float("nan"), float("inf")

F64, F32 = torch.float64, torch.float32
FLOATS = [F64, F32]
INTS = [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8]
SHAPES2 = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((5,), ()), ((0, 3), (3,)), ((), ())]
MODES = {0: None, 1: "trunc", 2: "floor"}


def nonzero(shape, dt):
    """Integer divisors without zeros; floats away from zero."""
    x = make(shape, dt, "pos" if dt.is_floating_point else "any")
    if not dt.is_floating_point:
        x = torch.where(x == 0, torch.ones_like(x), x)
    return x


def inplace(fn):
    return lambda x, *r: fn(x.clone(), *r)


# ---- binary tensor-tensor ops over dtypes and shapes ----
for dt in FLOATS:
    for sa, sb in SHAPES2:
        a, b, p = make(sa, dt), make(sb, dt), make(sb, dt, "pos")
        for m in (1, 2):
            case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, p], (m,))
        case("remainder", torch.remainder, [a, p])
        case("fmod", torch.fmod, [a, p])
        case("pow", torch.pow, [make(sa, dt, "pos"), b])
        case("atan2", torch.atan2, [a, b])
        case("hypot", torch.hypot, [a, b])
        case("maximum", torch.maximum, [a, b])
        case("minimum", torch.minimum, [a, b])
        case("fmax", torch.fmax, [a, b])
        case("fmin", torch.fmin, [a, b])
        case("rsub", torch.rsub, [a, b])
        case("lerp", torch.lerp, [a, make(sb, dt)] if sa == sb or len(sb) <= len(sa) else [a, make(sa, dt)], (0.3,))
        case("where", torch.where, [make(sa, torch.bool), a, b])
        case("floor_divide", torch.floor_divide, [a, p], grad=False)
    # transposed operands
    a, b = make((3, 4), dt), make((3, 4), dt, "pos")
    for name, fn in [("remainder", torch.remainder), ("fmod", torch.fmod), ("atan2", torch.atan2),
                     ("hypot", torch.hypot), ("maximum", torch.maximum), ("fmin", torch.fmin)]:
        case(name, fn, [a, b], layout=["t", "c"])
    case("pow", torch.pow, [b, a], layout=["c", "t"])
    case("where", torch.where, [make((3, 4), torch.bool), a, b], layout=["t", "c", "t"])
    case("lerp_tensor", torch.lerp, [a, b, make((3, 4), dt, "unit")], layout=["t", "c", "c"])

for dt in INTS:
    a, b = make((3, 4), dt), nonzero((3, 4), dt)
    for m in (1, 2):
        case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, b], (m,))
    case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, b], (0,))
    case("remainder", torch.remainder, [a, b])
    case("fmod", torch.fmod, [a, b])
    case("floor_divide", torch.floor_divide, [a, b])
    case("maximum", torch.maximum, [a, b])
    case("minimum", torch.minimum, [a, b])
    case("fmax", torch.fmax, [a, b])
    case("fmin", torch.fmin, [a, b])
    case("pow", torch.pow, [a, make((3, 4), dt).abs() % 4])
    case("atan2", torch.atan2, [a, b])
    case("rsub", torch.rsub, [a, b])
    case("where", torch.where, [make((3, 4), torch.bool), a, b])
    error("hypot", torch.hypot, [a, b])
    error("lerp", torch.lerp, [a, b], (0.5,))
    z = b.clone()
    z[1, 2] = 0
    for m in (1, 2):
        error("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, z], (m,))
    error("remainder", torch.remainder, [a, z])
    error("fmod", torch.fmod, [a, z])
    error("floor_divide", torch.floor_divide, [a, z])

# integer pow: negative exponents, wrapping
case("pow", torch.pow, [T([1, -1, 2, 0, -1, 3]), T([-1, -3, -1, -1, -4, 40])])
case("pow", torch.pow, [T([2, 3, -2], dtype=torch.int8), T([7, 5, 7], dtype=torch.int8)])
case("pow", torch.pow, [T([2, 3], dtype=torch.uint8), T([9, 2], dtype=torch.uint8)])
case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]),
     [T([250, 5, 7], dtype=torch.uint8), T([3, 7, 2], dtype=torch.uint8)], (2,))
case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]),
     [T([-128, 7], dtype=torch.int8), T([-1, -2], dtype=torch.int8)], (2,))
case("remainder", torch.remainder, [T([5, -5, 5, -5, 0]), T([3, 3, -3, -3, 3])])
case("fmod", torch.fmod, [T([5, -5, 5, -5, 0]), T([3, 3, -3, -3, 3])])

# bool operands: kernels PyTorch lacks, and the ones it has
bb = [make((4,), torch.bool), make((4,), torch.bool)]
for m in (1, 2):
    error("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), bb, (m,))
error("remainder", torch.remainder, bb)
error("fmod", torch.fmod, bb)
error("pow", torch.pow, bb)
error("hypot", torch.hypot, bb)
error("rsub", torch.rsub, bb)
error("sub", torch.sub, bb)
error("sub", torch.sub, [bb[0], make((4,), F32)])
error("rsub", torch.rsub, [make((4,), torch.int64), bb[0]])
case("maximum", torch.maximum, bb)
case("minimum", torch.minimum, bb)
case("fmax", torch.fmax, bb)
case("atan2", torch.atan2, bb)
case("where", torch.where, [bb[0], bb[1], make((4,), torch.bool)])

# float16 / bfloat16
for dt in [torch.float16, torch.bfloat16]:
    a, b = make((6,), dt), make((6,), dt, "pos")
    for name, fn in [("remainder", torch.remainder), ("fmod", torch.fmod), ("atan2", torch.atan2),
                     ("hypot", torch.hypot), ("maximum", torch.maximum), ("fmin", torch.fmin)]:
        case(name, fn, [a, b], grad=False)
    case("pow", torch.pow, [b, a], grad=False)
    case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, b], (2,), grad=False)
    case("where", torch.where, [make((6,), torch.bool), a, b], grad=False)
    error("lerp", torch.lerp, [a, b], (0.5,))
    error("clamp", lambda x, hl, lo, hh, hi: torch.clamp(x, lo, hi), [a], (1, 0.1, 1, 0.5))

# mixed dtypes: promotion
case("remainder", torch.remainder, [make((3,), torch.int64), make((3,), F32, "pos")])
case("pow", torch.pow, [make((3,), torch.int64).abs() + 1, make((3,), F64)])
case("pow", torch.pow, [make((3,), F32, "pos"), make((), F64)])
case("pow", torch.pow, [make((3,), F64, "pos"), T([2, 3, 1])])
case("maximum", torch.maximum, [make((3,), torch.uint8), make((3,), torch.int8)])
case("fmax", torch.fmax, [make((3,), torch.int32), make((3,), F64)])
case("atan2", torch.atan2, [make((3,), torch.int64), make((3,), F64)])
case("where", torch.where, [make((3,), torch.bool), make((3,), torch.int64), make((3,), F32)])
case("where", torch.where, [make((3,), torch.bool), make((3,), F32), make((), F64)])
case("where", torch.where, [make((3,), torch.uint8), make((3,), F64), make((3,), F64)])
case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]),
     [make((3,), torch.int64), make((3,), F32, "pos")], (1,))

# special values
SV = T([1., -1., 0., -0., inf, -inf, nan, 5., -5., 2.5, -2.5, 7.])
SW = T([0., 0., -0., 0., 2., -3., 1., inf, -inf, nan, 2.5, -2.])
for dt in FLOATS:
    a, b = SV.to(dt), SW.to(dt)
    for m in (1, 2):
        case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [a, b], (m,), grad=False)
        case("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [b, a], (m,), grad=False)
    for name, fn in [("remainder", torch.remainder), ("fmod", torch.fmod), ("pow", torch.pow),
                     ("atan2", torch.atan2), ("hypot", torch.hypot), ("fmax", torch.fmax), ("fmin", torch.fmin),
                     ("maximum", torch.maximum), ("minimum", torch.minimum)]:
        case(name, fn, [a, b], grad=False)
        case(name, fn, [b, a], grad=False)
    case("pow", torch.pow, [T([0., -0., 2., nan, 1., -8.], dtype=dt), T([-1., -1., nan, 0., nan, 1. / 3], dtype=dt)],
         grad=False)
    case("clamp", lambda x, hl, lo, hh, hi: torch.clamp(x, lo if hl else None, hi if hh else None), [a],
         (1, -2., 1, 3.), grad=False)
    case("clamp_tensor", lambda x, lo, hi, hl, hh: torch.clamp(x, lo, hi), [a, b, b.flip(0)], (1, 1), grad=False)
    case("where", torch.where, [a > 0, a, b], grad=False)

# gradients at ties / zeros (float32: no finite differences)
ta, tb = T([1., 2., 3., -0.5, 2.]), T([1., 1., 4., -0.5, 5.])
for name, fn in [("maximum", torch.maximum), ("minimum", torch.minimum), ("fmax", torch.fmax), ("fmin", torch.fmin)]:
    case(name, fn, [ta, tb])
    case(name, fn, [T([1., nan, nan, 2.]), T([nan, 1., nan, 2.])])
case("pow", torch.pow, [T([0., 0., 0., 2., -1.]), T([0., 2., -1., 0.5, 2.])])
case("pow_scalar_base", lambda e, s: torch.pow(s, e), [T([0., 2., -1., 0.5])], (0.0,))
case("clamp", lambda x, hl, lo, hh, hi: torch.clamp(x, lo if hl else None, hi if hh else None),
     [T([-1., 0., 0.5, 1., 2.])], (1, 0., 1, 1.))
case("clamp_tensor", lambda x, lo, hi, hl, hh: torch.clamp(x, lo, hi),
     [T([-1., 0., 0.5, 1., 2., 3.]), T([0., 0., 0., 0., 3., 1.]), T([1., 1., 1., 1., 2., 0.])], (1, 1))
case("fmod", torch.fmod, [T([5., -5., 5., -5.]), T([3., 3., -3., -3.])])
case("remainder", torch.remainder, [T([5., -5., 5., -5.]), T([3., 3., -3., -3.])])

# ---- scalar forms ----
for dt in FLOATS + [torch.int64, torch.int32]:
    a = make((3, 4), dt)
    for s in (2.5, -3.0):
        for m in (1, 2):
            case("div_scalar_mode", lambda x, v, mm: torch.div(x, v, rounding_mode=MODES[int(mm)]), [a], (s, m))
        case("remainder_scalar", torch.remainder, [a], (s,))
        case("fmod_scalar", torch.fmod, [a], (s,))
        case("rsub_scalar", torch.rsub, [a], (s,))
        case("floor_divide_scalar", torch.floor_divide, [a], (s,), grad=False)
        case("where_scalar_other", lambda c, x, v: torch.where(c, x, v), [make((3, 4), torch.bool), a], (s,))
        case("where_scalar_self", lambda c, x, v: torch.where(c, v, x), [make((4,), torch.bool), a], (s,))
    for s in (3, -2):
        case("div_scalar_mode_int", lambda x, v, mm: torch.div(x, int(v), rounding_mode="floor"), [a], (s, 2))
        case("remainder_scalar_int", lambda x, v: torch.remainder(x, int(v)), [a], (s,))
        case("fmod_scalar_int", lambda x, v: torch.fmod(x, int(v)), [a], (s,))
        case("floor_divide_scalar_int", lambda x, v: torch.floor_divide(x, int(v)), [a], (s,), grad=False)
        case("add_scalar_int", lambda x, v: x + int(v), [a], (s,))
        case("sub_scalar_int", lambda x, v: x - int(v), [a], (s,))
        case("mul_scalar_int", lambda x, v: x * int(v), [a], (s,))
        case("rsub_scalar_int", lambda x, v: torch.rsub(x, int(v)), [a], (s,))
    case("pow_scalar_base", lambda e, s: torch.pow(s, e), [a], (2.5,))
    # base 0: the double backward is NaN (0 * log(0)) in PyTorch too: no float64 gradients
    case("pow_scalar_base", lambda e, s: torch.pow(s, e), [a.abs() + 1], (0.0,), grad=dt != F64)
    case("pow_scalar_base_int", lambda e, s: torch.pow(int(s), e), [a], (2,))
    case("pow_scalar_int", lambda x, s: torch.pow(x, int(s)), [a], (3,))
    case("pow_scalar_int", lambda x, s: torch.pow(x, int(s)), [a], (0,))
    case("rsub_alpha", lambda x, y, al: torch.rsub(x, y, alpha=al if dt.is_floating_point else int(al)),
         [a, make((4,), dt)], (2.0,))
for dt in INTS + [torch.bool]:
    a = make((5,), dt)
    case("add_scalar_int", lambda x, v: x + int(v), [a], (7,))
    case("mul_scalar_int", lambda x, v: x * int(v), [a], (100,))
    case("pow_scalar_int", lambda x, s: torch.pow(x, int(s)), [a], (2,))
    case("pow_scalar_base_int", lambda e, s: torch.pow(int(s), e), [a], (3,))
    case("clamp_int", lambda x, lo, hi: torch.clamp(x, int(lo), int(hi)), [a], (0, 1))
error("pow_scalar_int", lambda x, s: torch.pow(x, int(s)), [make((3,), torch.int64)], (-2,))
error("remainder_scalar_int", lambda x, v: torch.remainder(x, int(v)), [make((3,), torch.int64)], (0,))
error("div_scalar_mode_int", lambda x, v, mm: torch.div(x, int(v), rounding_mode="trunc"),
      [make((3,), torch.int32)], (0, 1))
error("sub_scalar_int", lambda x, v: x - int(v), [make((3,), torch.bool)], (1,))
error("sub_scalar", lambda x, v: x - v, [make((3,), torch.bool)], (1.0,))
case("where_scalar", lambda c, x, y: torch.where(c, x, y), [make((2, 3), torch.bool)], (1.5, -2.0))
case("remainder_scalar", torch.remainder, [SV], (0.0,), grad=False)
case("remainder_scalar", torch.remainder, [SV], (-inf,), grad=False)
case("fmod_scalar", torch.fmod, [SV], (inf,), grad=False)

# ---- clamp ----
def clamp_s(x, hl, lo, hh, hi):
    return torch.clamp(x, lo if hl else None, hi if hh else None)


def clamp_t(x, *r):
    hl, hh = int(r[-2]), int(r[-1])
    t = list(r[:-2])
    lo = t.pop(0) if hl else None
    hi = t.pop(0) if hh else None
    return torch.clamp(x, lo, hi)


for dt in FLOATS + [torch.int64, torch.int32, torch.uint8]:
    for shape in [(3, 4), (), (0, 2)]:
        x = make(shape, dt)
        case("clamp", clamp_s, [x], (1, -0.5, 1, 0.7))
        case("clamp", clamp_s, [x], (1, 0.2, 0, 0.0))
        case("clamp", clamp_s, [x], (0, 0.0, 1, 0.2))
        case("clamp", clamp_s, [x], (1, 1.0, 1, -1.0))
        case("clamp_min", torch.clamp_min, [x], (0.1,))
        case("clamp_max", torch.clamp_max, [x], (-0.1,))
    x = make((3, 4), dt)
    lo, hi = make((4,), dt) - 1, make((3, 1), dt) + 1
    case("clamp_tensor", clamp_t, [x, lo, hi], (1, 1))
    case("clamp_tensor", clamp_t, [x, lo], (1, 0))
    case("clamp_tensor", clamp_t, [x, hi], (0, 1))
    case("clamp_min_tensor", torch.clamp_min, [x, lo])
    case("clamp_max_tensor", torch.clamp_max, [x, hi])
    # (torch 1.13 fails in backward here: "output with shape [3, 4] doesn't match the broadcast shape")
    case("clamp_tensor", clamp_t, [make((4,), dt), make((3, 4), dt), make((2, 1, 1), dt)], (1, 1), grad=False)
x = make((3, 4), F32)
case("clamp_tensor", clamp_t, [x, make((3, 4), F64)], (1, 0), grad=False)
case("clamp_tensor", clamp_t, [make((3,), torch.int32), make((), F64)], (1, 0))
case("clamp_tensor", clamp_t, [x, make((4,), F32), make((3, 1), F32)], (1, 1), layout=["t", "c", "c"])
case("clamp_max_tensor", torch.clamp_max, [make((3,), torch.bool), make((3,), torch.bool)])
error("clamp_tensor", clamp_t, [make((3,), torch.bool), make((3,), torch.bool), make((3,), torch.bool)], (1, 1))
error("clamp_tensor", clamp_t, [make((2,), F32), make((3,), F32)], (1, 0))
error("clamp", clamp_s, [make((3,), F32)], (0, 0.0, 0, 0.0))
error("clamp_tensor", clamp_t, [make((3,), F32)], (0, 0))
error("clamp", clamp_s, [make((3,), torch.bool)], (0, 0.0, 1, 1.0)) if False else None
for hl, hh in [(1, 0), (0, 1), (1, 1)]:
    case("clamp", clamp_s, [T([1., nan, -1., 3.])], (hl, nan, hh, nan), grad=False)
    case("clamp", clamp_s, [T([1., nan, -1., 3.])], (hl, nan, hh, 2.), grad=False)
case("clamp_min", torch.clamp_min, [T([1., nan, -1.])], (nan,), grad=False)
case("clamp_max", torch.clamp_max, [T([1., nan, -1.])], (nan,), grad=False)
case("clamp_tensor", clamp_t, [T([1., nan, -1.]), T([nan, 0., 0.])], (1, 0), grad=False)

# ---- lerp ----
for dt in FLOATS:
    for sa, sb in [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((0, 2), (2,))]:
        a, e = make(sa, dt), make(sb, dt)
        case("lerp", torch.lerp, [a, e], (0.3,))
        case("lerp", torch.lerp, [a, e], (0.8,))
        case("lerp", torch.lerp, [a, e], (-1.5,))
        case("lerp_tensor", torch.lerp, [a, e, make(sb, dt, "unit")])
        case("lerp_tensor", torch.lerp, [a, e, make((), dt, "unit") * 2])
error("lerp", torch.lerp, [make((3,), F32), make((3,), F64)], (0.5,))
error("lerp_tensor", torch.lerp, [make((3,), F32), make((3,), F32), make((), F64)])
error("lerp_tensor", torch.lerp, [make((4,), F32), make((4,), F32), make((5,), F32)])
error("lerp", torch.lerp, [make((4,), F32), make((3,), F32)], (0.5,))

# ---- where errors ----
error("where", torch.where, [make((3,), torch.int64), make((3,), F32), make((3,), F32)])
error("where", torch.where, [make((3,), F32), make((3,), F32), make((3,), F32)])
error("where", torch.where, [make((4,), torch.bool), make((2,), F32), make((4,), F32)])
case("where", torch.where, [make((2, 1), torch.bool), make((3,), F64), make((), F64)])
case("where", torch.where, [make((0, 3), torch.bool), make((3,), F64), make((3,), F64)])

# ---- other errors ----
for name, fn in [("remainder", torch.remainder), ("fmod", torch.fmod), ("pow", torch.pow), ("atan2", torch.atan2),
                 ("hypot", torch.hypot), ("maximum", torch.maximum), ("fmin", torch.fmin), ("rsub", torch.rsub)]:
    error(name, fn, [make((3,), F32), make((4,), F32)])
error("div_mode", lambda x, y, mm: torch.div(x, y, rounding_mode=MODES[int(mm)]), [make((2, 3), F32), make((2,), F32)],
      (2,))

# ---- in-place forms (clone, then the op in place) ----
for dt in FLOATS:
    a, b, p = make((3, 4), dt), make((4,), dt), make((4,), dt, "pos")
    case("div_mode_", inplace(lambda x, y, mm: x.div_(y, rounding_mode=MODES[int(mm)])), [a, p], (2,))
    case("div_scalar_mode_", inplace(lambda x, v, mm: x.div_(v, rounding_mode=MODES[int(mm)])), [a], (1.5, 1))
    case("true_divide_", inplace(lambda x, y: x.true_divide_(y)), [a, p])
    case("floor_divide_", inplace(lambda x, y: x.floor_divide_(y)), [a, p], grad=False)
    case("remainder_", inplace(lambda x, y: x.remainder_(y)), [a, p])
    case("remainder_scalar_", inplace(lambda x, v: x.remainder_(v)), [a], (1.5,))
    case("fmod_", inplace(lambda x, y: x.fmod_(y)), [a, p])
    case("fmod_scalar_", inplace(lambda x, v: x.fmod_(v)), [a], (-1.5,))
    case("pow_", inplace(lambda x, y: x.pow_(y)), [make((3, 4), dt, "pos"), b])
    case("pow_scalar_", inplace(lambda x, v: x.pow_(v)), [make((3, 4), dt, "pos")], (2.5,))
    case("atan2_", inplace(lambda x, y: x.atan2_(y)), [a, b])
    case("hypot_", inplace(lambda x, y: x.hypot_(y)), [a, b])
    case("clamp_", inplace(lambda x, hl, lo, hh, hi: x.clamp_(lo if hl else None, hi if hh else None)), [a],
         (1, -0.5, 1, 0.5))
    case("clamp_min_", inplace(lambda x, v: x.clamp_min_(v)), [a], (0.1,))
    case("clamp_max_", inplace(lambda x, v: x.clamp_max_(v)), [a], (0.1,))
    case("clamp_tensor_", inplace(lambda x, lo, hi: x.clamp_(lo, hi)), [a, b - 1, b + 1])
    case("clamp_min_tensor_", inplace(lambda x, lo: x.clamp_min_(lo)), [a, b])
    case("clamp_max_tensor_", inplace(lambda x, hi: x.clamp_max_(hi)), [a, b])
    case("lerp_", inplace(lambda x, e, w: x.lerp_(e, w)), [a, b], (0.25,))
    case("lerp_tensor_", inplace(lambda x, e, w: x.lerp_(e, w)), [a, b, make((3, 1), dt, "unit")])
    case("sub_scalar_", inplace(lambda x, v: x.sub_(v)), [a], (1.5,))
    case("div_scalar_", inplace(lambda x, v: x.div_(v)), [a], (1.5,))
    error("pow_", inplace(lambda x, y: x.pow_(y)), [make((4,), dt, "pos"), make((3, 4), dt)])
    error("lerp_", inplace(lambda x, e, w: x.lerp_(e, w)), [make((4,), dt), make((3, 4), dt)], (0.5,))
ia, ib = make((3, 4), torch.int64), nonzero((4,), torch.int64)
case("remainder_", inplace(lambda x, y: x.remainder_(y)), [ia, ib])
case("div_mode_", inplace(lambda x, y, mm: x.div_(y, rounding_mode=MODES[int(mm)])), [ia, ib], (1,))
case("add_scalar_int_", inplace(lambda x, v: x.add_(int(v))), [ia], (3,))
case("sub_scalar_int_", inplace(lambda x, v: x.sub_(int(v))), [ia], (3,))
case("mul_scalar_int_", inplace(lambda x, v: x.mul_(int(v))), [ia], (3,))
case("pow_scalar_int_", inplace(lambda x, v: x.pow_(int(v))), [ia], (2,))
error("div_mode_", inplace(lambda x, y, mm: x.div_(y, rounding_mode=MODES[int(mm)])), [ia, ib], (0,))
error("clamp_", inplace(lambda x, hl, lo, hh, hi: x.clamp_(lo if hl else None, hi if hh else None)), [ia],
      (1, 0.5, 0, 0.0))
error("atan2_", inplace(lambda x, y: x.atan2_(y)), [ia, ib])
error("pow_scalar_", inplace(lambda x, v: x.pow_(v)), [ia], (0.5,))

W.write("gen_arith.py")
