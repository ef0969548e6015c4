"""Parity vectors for the linalg family (matrix products, cross, diag,
trace, einsum, norms): values, grad_fn names, gradients and PyTorch's
error messages from PyTorch 1.13.1. Run with /usr/bin/python3.
Writes tests/parity/data/linalg.txt (read by tests/ops/test_linalg.c)."""
import os
import warnings

import torch

from op_cases import Writer

warnings.simplefilter("ignore")
W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "linalg.txt"))
make, case, error = W.make, W.case, W.error

F = [torch.float64, torch.float32]
I = [torch.int64, torch.int32, torch.uint8]
D, S, B, H, BF = torch.float64, torch.float32, torch.bool, torch.float16, torch.bfloat16

# ---- mm / bmm / dot / vdot / mv / outer ----
for dt in F:
    for sa, sb in [((2, 3), (3, 4)), ((1, 5), (5, 1)), ((4, 1), (1, 3)), ((0, 3), (3, 2)), ((2, 0), (0, 3)),
                   ((3, 2), (2, 0)), ((7, 9), (9, 8))]:
        case("mm", torch.mm, [make(sa, dt), make(sb, dt)])
    a, b = make((3, 4), dt), make((4, 5), dt)
    case("mm", torch.mm, [a, b], layout=["t", "c"])
    case("mm", torch.mm, [a, b], layout=["c", "t"])
    case("mm", torch.mm, [a, b], layout=["t", "t"])
    for sa, sb in [((2, 3, 4), (2, 4, 5)), ((1, 1, 3), (1, 3, 1)), ((0, 2, 3), (0, 3, 2)), ((2, 0, 3), (2, 3, 4)),
                   ((3, 2, 0), (3, 0, 4))]:
        case("bmm", torch.bmm, [make(sa, dt), make(sb, dt)])
    for n in [5, 1, 0]:
        case("dot", torch.dot, [make((n,), dt), make((n,), dt)])
        case("vdot", torch.vdot, [make((n,), dt), make((n,), dt)])
    for sa, sb in [((3, 4), (4,)), ((1, 3), (3,)), ((0, 3), (3,)), ((3, 0), (0,))]:
        case("mv", torch.mv, [make(sa, dt), make(sb, dt)])
    case("mv", torch.mv, [make((3, 4), dt), make((4,), dt)], layout=["t", "c"])
    for sa, sb in [((3,), (4,)), ((1,), (2,)), ((0,), (3,))]:
        case("outer", torch.outer, [make(sa, dt), make(sb, dt)])
        case("ger", torch.ger, [make(sa, dt), make(sb, dt)])
for dt in I + [BF]:
    case("mm", torch.mm, [make((2, 3), dt), make((3, 4), dt)])
    case("bmm", torch.bmm, [make((2, 2, 3), dt), make((2, 3, 2), dt)])
    case("dot", torch.dot, [make((4,), dt), make((4,), dt)])
    case("mv", torch.mv, [make((2, 3), dt), make((3,), dt)])
    case("outer", torch.outer, [make((2,), dt), make((3,), dt)])
case("outer", torch.outer, [make((2,), torch.int64), make((3,), S)])
case("outer", torch.outer, [make((2,), S), make((3,), D)], grad=False)
case("outer", torch.outer, [make((2,), B), make((3,), B)])
# large: BLAS threads; float32 within tolerance
case("mm", torch.mm, [make((64, 80), D), make((80, 72), D)], grad=False)
case("mm", torch.mm, [make((64, 80), S), make((80, 72), S)], grad=False)
# special values
nanm = torch.tensor([[float("nan"), 1.0], [float("inf"), -0.0]], dtype=D)
case("mm", torch.mm, [nanm, make((2, 2), D)], grad=False)
case("dot", torch.dot, [torch.tensor([float("inf"), 1.0], dtype=D), torch.tensor([0.0, 2.0], dtype=D)], grad=False)
case("mm", torch.mm, [torch.tensor([[-0.0]], dtype=D), torch.tensor([[0.0]], dtype=D)], grad=False)

# errors
error("mm", torch.mm, [make((2, 3), S), make((4, 5), S)])
error("mm", torch.mm, [make((3,), S), make((3, 4), S)])
error("mm", torch.mm, [make((2, 3), S), make((3,), S)])
error("mm", torch.mm, [make((2, 3), S), make((3, 4), D)])
error("mm", torch.mm, [make((2, 3), B), make((3, 4), B)])
error("mm", torch.mm, [make((2, 3), H), make((3, 4), H)])
error("bmm", torch.bmm, [make((2, 3), S), make((2, 3, 4), S)])
error("bmm", torch.bmm, [make((2, 2, 3), S), make((3, 4), S)])
error("bmm", torch.bmm, [make((2, 2, 3), S), make((3, 3, 4), S)])
error("bmm", torch.bmm, [make((2, 2, 3), S), make((2, 4, 4), S)])
error("bmm", torch.bmm, [make((2, 2, 3), S), make((2, 3, 4), D)])
error("bmm", torch.bmm, [make((2, 2, 3), B), make((2, 3, 4), B)])
error("bmm", torch.bmm, [make((2, 2, 3), H), make((2, 3, 4), H)])
error("dot", torch.dot, [make((2, 3), S), make((3,), S)])
error("dot", torch.dot, [make((3,), S), make((3,), D)])
error("dot", torch.dot, [make((3,), S), make((4,), S)])
error("dot", torch.dot, [make((3,), B), make((3,), B)])
error("dot", torch.dot, [make((3,), H), make((3,), H)])
error("vdot", torch.vdot, [make((4,), S), make((3,), S)])
error("mv", torch.mv, [make((3,), S), make((3,), S)])
error("mv", torch.mv, [make((2, 3), S), make((3, 1), S)])
error("mv", torch.mv, [make((2, 3), S), make((4,), S)])
error("mv", torch.mv, [make((2, 3), S), make((3,), D)])
error("mv", torch.mv, [make((2, 3), B), make((3,), B)])
error("mv", torch.mv, [make((2, 3), H), make((3,), H)])
error("outer", torch.outer, [make((2, 3), S), make((3,), S)])
error("outer", torch.outer, [make((3,), S), make((), S)])

# ---- matmul: every rank case ----
MM_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 2, 3), (3,)), ((2, 2, 3), (3, 4)),
             ((3,), (2, 3, 4)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
             ((2, 3, 4), (4,)), ((1, 2, 3), (2, 3, 2)), ((0, 3), (3,)), ((2, 0, 3), (3, 4)), ((3, 5, 0), (0, 2)),
             ((4, 2, 3), (1, 3, 2)), ((2, 2, 2, 3), (3, 2))]
for dt in F:
    for sa, sb in MM_SHAPES:
        case("matmul", torch.matmul, [make(sa, dt), make(sb, dt)])
    case("matmul", torch.matmul, [make((3, 4), dt), make((4,), dt)], layout=["t", "c"])
    case("matmul", torch.matmul, [make((3, 4), dt), make((4, 2), dt)], layout=["t", "t"])
# the should_fold exception: a permuted 3-D operand goes through bmm
for dt in F:
    case("matmul_perm", lambda a, b: torch.matmul(a.permute(0, 2, 1), b), [make((2, 4, 3), dt), make((4, 5), dt)])
case("matmul", torch.matmul, [make((2, 2, 3), torch.int64), make((3, 2), torch.int64)])
case("matmul", torch.matmul, [make((2, 3), torch.int64), make((2, 3, 2), torch.int64)])
error("matmul", torch.matmul, [make((), S), make((3,), S)])
error("matmul", torch.matmul, [make((3,), S), make((4,), S)])
error("matmul", torch.matmul, [make((2, 3), S), make((4,), S)])
error("matmul", torch.matmul, [make((2, 3), S), make((4, 5), S)])
error("matmul", torch.matmul, [make((2, 2, 3), S), make((4,), S)])
error("matmul", torch.matmul, [make((2, 2, 3), S), make((4, 5), S)])
error("matmul", torch.matmul, [make((2, 3, 4), S), make((2, 5, 6), S)])
error("matmul", torch.matmul, [make((2, 3, 4), S), make((3, 4, 5), S)])
error("matmul", torch.matmul, [make((2, 3), S), make((3,), D)])
error("matmul", torch.matmul, [make((3,), S), make((3,), D)])
error("matmul", torch.matmul, [make((2, 2, 3), S), make((2, 3, 4), D)])

# ---- addmm / addmv / addbmm / baddbmm (and in-place) ----
BA = [(1.0, 1.0), (0.5, -2.0), (0.0, 1.5)]
for dt in F:
    for beta, alpha in BA:
        for ss in [(2, 4), (4,), (1, 1), ()]:
            case("addmm", lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al),
                 [make(ss, dt), make((2, 3), dt), make((3, 4), dt)], (beta, alpha))
        case("addmm_", lambda s, a, b, be, al: s.clone().addmm_(a, b, beta=be, alpha=al),
             [make((2, 4), dt), make((2, 3), dt), make((3, 4), dt)], (beta, alpha))
        for ss in [(2,), (1,), ()]:
            case("addmv", lambda s, a, b, be, al: torch.addmv(s, a, b, beta=be, alpha=al),
                 [make(ss, dt), make((2, 3), dt), make((3,), dt)], (beta, alpha))
        case("addmv_", lambda s, a, b, be, al: s.clone().addmv_(a, b, beta=be, alpha=al),
             [make((2,), dt), make((2, 3), dt), make((3,), dt)], (beta, alpha))
        for ss in [(2, 4), (4,)]:
            case("addbmm", lambda s, a, b, be, al: torch.addbmm(s, a, b, beta=be, alpha=al),
                 [make(ss, dt), make((3, 2, 3), dt), make((3, 3, 4), dt)], (beta, alpha))
        case("addbmm_", lambda s, a, b, be, al: s.clone().addbmm_(a, b, beta=be, alpha=al),
             [make((2, 4), dt), make((3, 2, 3), dt), make((3, 3, 4), dt)], (beta, alpha))
        for ss in [(2, 2, 4), (2, 1, 4), (4,)]:
            case("baddbmm", lambda s, a, b, be, al: torch.baddbmm(s, a, b, beta=be, alpha=al),
                 [make(ss, dt), make((2, 2, 3), dt), make((2, 3, 4), dt)], (beta, alpha))
        case("baddbmm_", lambda s, a, b, be, al: s.clone().baddbmm_(a, b, beta=be, alpha=al),
             [make((2, 2, 4), dt), make((2, 2, 3), dt), make((2, 3, 4), dt)], (beta, alpha))
    case("addmm", lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al),
         [make((2, 4), dt), make((2, 3), dt), make((3, 4), dt)], (1.0, 1.0), layout=["t", "t", "c"])
    case("addmm", lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al),
         [make((2, 4), dt), make((2, 0), dt), make((0, 4), dt)], (0.5, 1.0))
    case("addbmm", lambda s, a, b, be, al: torch.addbmm(s, a, b, beta=be, alpha=al),
         [make((2, 4), dt), make((0, 2, 3), dt), make((0, 3, 4), dt)], (0.5, 1.0))
    case("addbmm", lambda s, a, b, be, al: torch.addbmm(s, a, b, beta=be, alpha=al),
         [make((2, 4), dt), make((0, 2, 3), dt), make((0, 3, 4), dt)], (0.0, 1.0))
    # beta == 0 ignores NaN in self
    nan_self = torch.full((2, 4), float("nan"), dtype=dt)
    case("addmm", lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al),
         [nan_self, make((2, 3), dt), make((3, 4), dt)], (0.0, 1.0), grad=False)
for dt in [torch.int64, torch.int32]:
    for beta, alpha in [(1.0, 1.0), (2.0, 3.0), (1.5, 2.5), (0.0, 1.0)]:
        case("addmm", lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al),
             [make((2, 4), dt), make((2, 3), dt), make((3, 4), dt)], (beta, alpha))
        case("addmv", lambda s, a, b, be, al: torch.addmv(s, a, b, beta=be, alpha=al),
             [make((2,), dt), make((2, 3), dt), make((3,), dt)], (beta, alpha))
        case("baddbmm", lambda s, a, b, be, al: torch.baddbmm(s, a, b, beta=be, alpha=al),
             [make((2, 2, 4), dt), make((2, 2, 3), dt), make((2, 3, 4), dt)], (beta, alpha))
        case("addbmm", lambda s, a, b, be, al: torch.addbmm(s, a, b, beta=be, alpha=al),
             [make((2, 4), dt), make((2, 2, 3), dt), make((2, 3, 4), dt)], (beta, alpha))
case("addmv", lambda s, a, b, be, al: torch.addmv(s, a, b, beta=be, alpha=al),
     [make((2,), D), make((2, 3), S), make((3,), S)], (1.0, 1.0))
case("baddbmm", lambda s, a, b, be, al: torch.baddbmm(s, a, b, beta=be, alpha=al),
     [make((2, 2, 4), D), make((2, 2, 3), S), make((2, 3, 4), S)], (1.0, 1.0))
A11 = (1.0, 1.0)
addmm = lambda s, a, b, be, al: torch.addmm(s, a, b, beta=be, alpha=al)
addmv = lambda s, a, b, be, al: torch.addmv(s, a, b, beta=be, alpha=al)
addbmm = lambda s, a, b, be, al: torch.addbmm(s, a, b, beta=be, alpha=al)
baddbmm = lambda s, a, b, be, al: torch.baddbmm(s, a, b, beta=be, alpha=al)
error("addmm", addmm, [make((2, 4), S), make((2, 3), S), make((4, 5), S)], A11)
error("addmm", addmm, [make((3, 4), S), make((2, 3), S), make((3, 4), S)], A11)
error("addmm", addmm, [make((4,), D), make((2, 3), S), make((3, 4), S)], A11)
error("addmm", addmm, [make((4,), S), make((2, 3), D), make((3, 4), S)], A11)
error("addmm", addmm, [make((4,), S), make((2, 3), S), make((3, 4), D)], A11)
error("addmm", addmm, [make((4,), S), make((3,), S), make((3, 4), S)], A11)
error("addmm", addmm, [make((4,), S), make((2, 3), S), make((3,), S)], A11)
error("addmm", addmm, [make((2, 4), B), make((2, 3), B), make((3, 4), B)], A11)
error("addmm", addmm, [make((2, 4), H), make((2, 3), H), make((3, 4), H)], A11)
error("addmm_", lambda s, a, b, be, al: s.clone().addmm_(a, b, beta=be, alpha=al),
      [make((4,), S), make((2, 3), S), make((3, 4), S)], A11)
error("addmv", addmv, [make((3,), S), make((2, 3), S), make((3,), S)], A11)
error("addmv", addmv, [make((2,), S), make((2, 3), S), make((4,), S)], A11)
error("addmv", addmv, [make((2,), S), make((3,), S), make((3,), S)], A11)
error("addmv", addmv, [make((2, 2), S), make((2, 3), S), make((3,), S)], A11)
error("addmv", addmv, [make((2,), S), make((2, 3), S), make((3,), D)], A11)
error("addmv", addmv, [make((2,), B), make((2, 3), B), make((3,), B)], A11)
error("addmv_", lambda s, a, b, be, al: s.clone().addmv_(a, b, beta=be, alpha=al),
      [make((1,), S), make((2, 3), S), make((3,), S)], A11)
error("addbmm", addbmm, [make((2, 4), S), make((2, 2, 3), S), make((2, 4, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), S), make((2, 2, 3), S), make((3, 3, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), S), make((2, 3), S), make((2, 3, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), S), make((2, 2, 3), S), make((3, 4), S)], A11)
error("addbmm", addbmm, [make((3, 4), S), make((2, 2, 3), S), make((2, 3, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), S), make((2, 2, 3), D), make((2, 3, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), D), make((2, 2, 3), S), make((2, 3, 4), S)], A11)
error("addbmm", addbmm, [make((2, 4), B), make((2, 2, 3), B), make((2, 3, 4), B)], A11)
error("baddbmm", baddbmm, [make((2, 3, 4), S), make((2, 2, 3), S), make((2, 3, 4), S)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), S), make((2, 3), S), make((2, 3, 4), S)], A11)
error("baddbmm", baddbmm, [make((2, 3, 4), S), make((2, 3), S), make((2, 3, 4), S)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), S), make((2, 2, 3), S), make((3, 4), S)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), S), make((2, 2, 3), S), make((2, 4, 4), S)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), S), make((2, 2, 3), S), make((2, 3, 4), D)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), B), make((2, 2, 3), B), make((2, 3, 4), B)], A11)
error("baddbmm", baddbmm, [make((2, 2, 4), H), make((2, 2, 3), H), make((2, 3, 4), H)], A11)
error("baddbmm_", lambda s, a, b, be, al: s.clone().baddbmm_(a, b, beta=be, alpha=al),
      [make((2, 1, 4), S), make((2, 2, 3), S), make((2, 3, 4), S)], A11)

# ---- diag / diag_embed / trace ----
for dt in F:
    for shape in [(3,), (1,), (0,)]:
        for k in [0, 2, -1]:
            case("diag", lambda x, kk: torch.diag(x, int(kk)), [make(shape, dt)], (k,))
    for shape in [(3, 4), (4, 3), (3, 3)]:
        for k in [0, 1, -2]:
            case("diag", lambda x, kk: torch.diag(x, int(kk)), [make(shape, dt)], (k,))
    case("diag", lambda x, kk: torch.diag(x, int(kk)), [make((3, 4), dt)], (1,), layout=["t"])
    for shape, args in [((2, 3), (0, -2, -1)), ((2, 3), (1, 0, 2)), ((2, 3), (-1, 2, 0)), ((3,), (0, -2, -1)),
                        ((2, 0), (0, -2, -1)), ((2, 1, 3), (2, 1, -1))]:
        case("diag_embed", lambda x, o, d1, d2: torch.diag_embed(x, int(o), int(d1), int(d2)), [make(shape, dt)], args)
    for shape in [(3, 4), (4, 3), (1, 1), (0, 3)]:
        case("trace", torch.trace, [make(shape, dt)])
    case("trace", torch.trace, [make((3, 4), dt)], layout=["t"])
for dt in [torch.int64, torch.int32, torch.uint8, B]:
    case("diag", lambda x, kk: torch.diag(x, int(kk)), [make((3,), dt)], (1,))
    case("diag", lambda x, kk: torch.diag(x, int(kk)), [make((3, 3), dt)], (0,))
    case("diag_embed", lambda x, o, d1, d2: torch.diag_embed(x, int(o), int(d1), int(d2)), [make((2, 3), dt)],
         (0, -2, -1))
for dt in [torch.int64, torch.int32, torch.uint8, torch.int8]:
    case("trace", torch.trace, [make((3, 3), dt)])
error("diag", lambda x, kk: torch.diag(x, int(kk)), [make((2, 2, 2), S)], (0,))
error("diag_embed", lambda x, o, d1, d2: torch.diag_embed(x, int(o), int(d1), int(d2)), [make((2, 3), S)], (0, 1, 1))
error("diag_embed", lambda x, o, d1, d2: torch.diag_embed(x, int(o), int(d1), int(d2)), [make((2, 3), S)], (0, 0, 4))
error("trace", torch.trace, [make((3,), S)])
error("trace", torch.trace, [make((3, 3, 3), S)])
error("trace", torch.trace, [make((3, 3), B)])
error("trace", torch.trace, [make((3, 3), H)])

# ---- cross / linalg.cross ----
for dt in F:
    for sa, sb, dim in [((2, 3), (2, 3), 1), ((3, 2), (3, 2), 0), ((2, 3), (1, 3), -1), ((4, 3, 2), (4, 3, 1), 1),
                        ((3,), (3,), 0), ((0, 3), (0, 3), 1)]:
        case("cross_dim", lambda a, b, d: torch.cross(a, b, dim=int(d)), [make(sa, dt), make(sb, dt)], (dim,))
        case("linalg_cross", lambda a, b, d: torch.linalg.cross(a, b, dim=int(d)), [make(sa, dt), make(sb, dt)],
             (dim,))
    for sa, sb in [((3, 3), (3, 3)), ((2, 3, 4), (2, 3, 4)), ((4, 3), (1, 3))]:
        case("cross", torch.cross, [make(sa, dt), make(sb, dt)])
    case("cross_dim", lambda a, b, d: torch.cross(a, b, dim=int(d)), [make((3, 4), dt), make((3, 4), dt)], (0,),
         layout=["t", "c"])
for dt in [torch.int64, torch.int32]:
    case("linalg_cross", lambda a, b, d: torch.linalg.cross(a, b, dim=int(d)), [make((2, 3), dt), make((2, 3), dt)],
         (-1,))
lcross = lambda a, b, d: torch.linalg.cross(a, b, dim=int(d))
error("cross", torch.cross, [make((2, 4), S), make((2, 4), S)])
error("cross_dim", lambda a, b, d: torch.cross(a, b, dim=int(d)), [make((2, 4), S), make((2, 4), S)], (1,))
error("cross_dim", lambda a, b, d: torch.cross(a, b, dim=int(d)), [make((2, 3), S), make((2, 3), S)], (2,))
error("linalg_cross", lcross, [make((2, 3), S), make((4, 3), S)], (-1,))
error("linalg_cross", lcross, [make((2, 3), S), make((3,), S)], (-1,))
error("linalg_cross", lcross, [make((2, 3), S), make((2, 3), D)], (-1,))
error("linalg_cross", lcross, [make((2, 3), B), make((2, 3), B)], (-1,))
error("linalg_cross", lcross, [make((2, 3), H), make((2, 3), H)], (-1,))
error("linalg_cross", lcross, [make((3, 2), S), make((3, 2), S)], (3,))

# ---- norms ----
inf = float("inf")
vn = lambda x, o, k: torch.linalg.vector_norm(x, o, keepdim=bool(k))
vnd = lambda d: (lambda x, o, k: torch.linalg.vector_norm(x, o, d, keepdim=bool(k)))
for dt in F:
    for o in [2.0, 1.0, 0.0, inf, -inf, 3.5, 0.5, 1.5, -1.0]:
        kind = "pos" if o in (0.5, -1.0) else "any"
        case("vector_norm", vn, [make((3, 4), dt, kind)], (o, 0))
        for dims in [(0,), (-1,), (0, 1)]:
            for k in (0, 1):
                case("vector_norm", vnd(dims), [make((3, 4), dt, kind)], (o, k),
                     extra=[f"dims {' '.join(map(str, dims))}"])
    case("vector_norm", vn, [make((), dt)], (2.0, 0))
    case("vector_norm", vn, [make((0, 3), dt)], (2.0, 0))
    case("vector_norm", vnd((1,)), [make((0, 3), dt)], (inf, 0), extra=["dims 1"])
    case("vector_norm", vn, [make((3, 4), dt)], (2.0, 0), layout=["t"])
    case("vector_norm_tie", vn, [torch.tensor([3.0, -3.0, 1.0], dtype=dt)], (inf, 0))
    case("vector_norm", vn, [torch.tensor([float("nan"), 1.0], dtype=dt)], (inf, 0), grad=False)
    case("matrix_norm_fro", lambda x, k: torch.linalg.matrix_norm(x, "fro", keepdim=bool(k)), [make((2, 3, 4), dt)],
         (0,))
    case("matrix_norm_fro", lambda x, k: torch.linalg.matrix_norm(x, "fro", (0, 2), keepdim=bool(k)),
         [make((2, 3, 4), dt)], (1,), extra=["dims 0 2"])
    case("norm", lambda x: torch.linalg.norm(x), [make((2, 3, 4), dt)])
    case("norm_ord", lambda x, o: torch.linalg.norm(x, o), [make((5,), dt)], (3.0,))
    case("norm_ord", lambda x, o: torch.linalg.norm(x, o, (1,)), [make((3, 4), dt)], (1.0,), extra=["dims 1"])
    case("norm", lambda x: torch.linalg.norm(x, dim=(0, 2)), [make((2, 3, 4), dt)], extra=["dims 0 2"])
    case("norm_fro", lambda x: torch.linalg.norm(x, "fro"), [make((3, 4), dt)])
for dt in [H, BF]:
    case("vector_norm", vn, [make((3, 4), dt)], (2.0, 0))
error("vector_norm", vn, [make((3, 4), torch.int64)], (2.0, 0))
error("vector_norm", vn, [make((0, 4), S)], (inf, 0))
error("vector_norm", vn, [make((0, 4), S)], (-inf, 0))
error("vector_norm", vnd((2,)), [make((3, 4), S)], (2.0, 0), extra=["dims 2"])
error("vector_norm", vnd((0, 0)), [make((3, 4), S)], (2.0, 0), extra=["dims 0 0"])
error("matrix_norm_fro", lambda x, k: torch.linalg.matrix_norm(x, "fro", keepdim=bool(k)), [make((3,), S)], (0,))
error("matrix_norm_fro", lambda x, k: torch.linalg.matrix_norm(x, "fro", keepdim=bool(k)),
      [make((3, 3), torch.int64)], (0,))
error("matrix_norm_fro", lambda x, k: torch.linalg.matrix_norm(x, "fro", (0, 0), keepdim=bool(k)), [make((3, 3), S)],
      (0,), extra=["dims 0 0"])
error("matrix_norm", lambda x, o: torch.linalg.matrix_norm(x, o), [make((3, 3), S)], (3.0,))
error("norm_ord", lambda x, o: torch.linalg.norm(x, o), [make((2, 3, 4), S)], (1.0,))
error("norm", lambda x: torch.linalg.norm(x, dim=(0, 1, 2)), [make((2, 3, 4), S)], extra=["dims 0 1 2"])
error("norm_fro", lambda x: torch.linalg.norm(x, "fro"), [make((3,), S)])

# ---- einsum ----
def ein(eq, shapes, dt=D, err=False, grad=True):
    fn = lambda *xs: torch.einsum(eq, *xs)
    ins = [make(sh, dt) for sh in shapes]
    extra = ["eq$ " + eq]
    if err:
        error("einsum", fn, ins, extra=extra)
    else:
        case("einsum", fn, ins, extra=extra, grad=grad)


for dt in F:
    for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii", [(3, 3)]),
                       ("ii->i", [(3, 3)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
                       ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk", [(5, 2, 3), (3, 4)]),
                       ("i,i->", [(3,), (3,)]), ("ij", [(2, 3)]), ("ba", [(2, 3)]), ("iij->j", [(2, 2, 3)]),
                       ("i j , j k -> i k", [(2, 3), (3, 4)]), ("...i,...i->...", [(2, 3), (3,)]),
                       ("a...,b...->ab...", [(2, 3), (4, 3)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
                       ("ij,ij->", [(2, 3), (2, 3)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
                       ("i...->...", [(2, 3, 4)]), ("ij,kl->ijkl", [(2, 3), (1, 2)]), ("ij,j->i", [(2, 3), (1,)]),
                       ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]), ("iji->j", [(2, 3, 2)]),
                       ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("ik,jk->", [(0, 3), (2, 3)]),
                       ("Ab,bC->AC", [(2, 3), (3, 2)])]:
        ein(eq, shapes, dt)
ein("ij,jk->ik", [(2, 3), (3, 4)], torch.int64)
for eq, shapes in [("ij,jk->ik", [(2, 3), (4, 4)]), ("ij->k", [(2, 3)]), ("ij,jk", [(2, 3)]), ("ijk", [(2, 3)]),
                   ("ij->ii", [(2, 3)]), ("i$", [(2,)]), ("ij->i->j", [(2, 3)]), ("..i", [(2,)]),
                   ("ii->", [(2, 3)]), ("i", [(2,), (2,)]), ("...ijk", [(2, 3)])]:
    ein(eq, shapes, S, err=True)

W.write("gen_linalg.py")
