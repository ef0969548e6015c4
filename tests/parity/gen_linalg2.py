"""Parity vectors for the SVD-based part of the linalg family:
torch.linalg.svdvals, torch.linalg.svd (through functions invariant to the
signs of the singular vectors), torch.linalg.matrix_norm with numeric orders
and 'nuc', torch.linalg.norm of matrices. Values, grad_fn names, gradients
and PyTorch's error messages from PyTorch 1.13.1. Run with /usr/bin/python3.
Writes tests/parity/data/linalg2.txt (read by tests/ops/test_linalg2.c)."""
import os
import warnings

import torch

from op_cases import Writer

warnings.simplefilter("ignore")
W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "linalg2.txt"), seed=4321)
make, case, error = W.make, W.case, W.error

F = [torch.float64, torch.float32]
D, S, B, H, BF = torch.float64, torch.float32, torch.bool, torch.float16, torch.bfloat16
inf, nan = float("inf"), float("nan")


def dims_extra(dims):
    return [f"dims {' '.join(map(str, dims))}"] if dims is not None else []


# ---- svdvals ----
SHAPES = [(3, 3), (4, 2), (2, 4), (1, 3), (3, 1), (1, 1), (2, 3, 4), (2, 4, 3), (2, 2, 3, 3), (5, 5), (6, 3)]
for dt in F:
    for sh in SHAPES:
        case("svdvals", torch.linalg.svdvals, [make(sh, dt)])
    case("svdvals", torch.linalg.svdvals, [make((3, 4), dt)], layout=["t"])
    for sh in [(0, 3), (3, 0), (2, 0, 3), (0, 2, 2)]:
        case("svdvals", torch.linalg.svdvals, [make(sh, dt)])
    # special matrices (values only): exact zeros, a diagonal, -0.0, rank one
    case("svdvals", torch.linalg.svdvals, [torch.zeros(2, 3, dtype=dt)], grad=False)
    case("svdvals", torch.linalg.svdvals, [torch.tensor([[-0.0, 0.0], [0.0, 2.0]], dtype=dt)], grad=False)
    case("svdvals", torch.linalg.svdvals, [torch.diag(torch.tensor([1.0, -3.0, 2.0], dtype=dt))], grad=False)
    case("svdvals", torch.linalg.svdvals, [torch.tensor([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], dtype=dt)], grad=False)
    case("svdvals", torch.linalg.svdvals, [torch.tensor([[inf, 1.0], [1.0, 1.0]], dtype=dt)], grad=False)
    case("svdvals", torch.linalg.svdvals, [torch.tensor([[1e200, 1.0], [1.0, 1e-200]], dtype=D)], grad=False)
error("svdvals", torch.linalg.svdvals, [make((3,), S)])
error("svdvals", torch.linalg.svdvals, [make((), D)])
error("svdvals", torch.linalg.svdvals, [make((3, 3), torch.int64)])
error("svdvals", torch.linalg.svdvals, [make((3,), torch.int64)])
error("svdvals", torch.linalg.svdvals, [make((3, 3), B)])
error("svdvals", torch.linalg.svdvals, [make((3, 3), H)])
error("svdvals", torch.linalg.svdvals, [make((3, 3), BF)])
error("svdvals", torch.linalg.svdvals, [torch.tensor([[nan, 1.0], [1.0, 1.0]], dtype=D)])

# ---- svd: S, and functions of U and Vh that do not depend on their signs ----
svd_S = lambda x, f: torch.linalg.svd(x, full_matrices=bool(f)).S
def svd_UVh(x, f):
    U, _, Vh = torch.linalg.svd(x, full_matrices=bool(f))
    k = min(x.shape[-2], x.shape[-1])
    return U[..., :, :k] @ Vh[..., :k, :]
def svd_USVh(x, f):
    U, s, Vh = torch.linalg.svd(x, full_matrices=bool(f))
    k = s.shape[-1]
    return (U[..., :, :k] * s.unsqueeze(-2)) @ Vh[..., :k, :]
def svd_U(x, f):
    U, _, _ = torch.linalg.svd(x, full_matrices=bool(f))
    return U * torch.sign(U[..., :1, :])
def svd_Vh(x, f):
    _, _, Vh = torch.linalg.svd(x, full_matrices=bool(f))
    return Vh * torch.sign(Vh[..., :, :1])
for dt in F:
    for sh in [(3, 3), (4, 2), (2, 4), (2, 3, 4), (2, 4, 3), (1, 3), (3, 1)]:
        for name, fn in [("svd_S", svd_S), ("svd_UVh", svd_UVh), ("svd_USVh", svd_USVh)]:
            for full in (0, 1):
                case(name, fn, [make(sh, dt)], (full,))
        case("svd_U", svd_U, [make(sh, dt)], (0,))
        case("svd_Vh", svd_Vh, [make(sh, dt)], (0,))
    case("svd_U", svd_U, [make((4, 4), dt)], (1,))
    case("svd_Vh", svd_Vh, [make((4, 4), dt)], (1,))
    case("svd_UVh", svd_UVh, [make((3, 4), dt)], (0,), layout=["t"])
    case("svd_S", svd_S, [make((0, 3), dt)], (0,))
    case("svd_UVh", svd_UVh, [make((2, 0, 3), dt)], (0,))
error("svd_S", svd_S, [make((3,), S)], (0,))
error("svd_S", svd_S, [make((3, 3), torch.int32)], (0,))
error("svd_S", svd_S, [make((3, 3), H)], (1,))

# ---- matrix_norm with numeric orders and 'nuc' ----
mn = lambda d: (lambda x, o, k: torch.linalg.matrix_norm(x, o, dim=d, keepdim=bool(k)))
mnuc = lambda d: (lambda x, k: torch.linalg.matrix_norm(x, "nuc", dim=d, keepdim=bool(k)))
ORDS = [1.0, -1.0, 2.0, -2.0, inf, -inf]
for dt in F:
    for o in ORDS:
        for sh, dims in [((3, 4), (-2, -1)), ((4, 3), (-2, -1)), ((2, 3, 4), (-2, -1)), ((2, 3, 4), (0, 2)),
                         ((2, 3, 4), (2, 0)), ((3, 2, 4), (-1, 1)), ((1, 1), (-2, -1))]:
            for k in (0, 1):
                case("matrix_norm", mn(dims), [make(sh, dt)], (o, k), extra=dims_extra(dims))
        case("matrix_norm", mn((-2, -1)), [make((3, 4), dt)], (o, 0), layout=["t"], extra=dims_extra((-2, -1)))
    for sh, dims in [((3, 4), (-2, -1)), ((4, 3), (-2, -1)), ((2, 3, 4), (0, 2)), ((2, 3, 4), (2, 1))]:
        for k in (0, 1):
            case("matrix_norm_nuc", mnuc(dims), [make(sh, dt)], (k,), extra=dims_extra(dims))
    case("matrix_norm_nuc", mnuc((-2, -1)), [make((3, 4), dt)], (0,), layout=["t"], extra=dims_extra((-2, -1)))
    # empty matrices: reductions with an identity work, the others fail as amax/amin
    for o in ORDS:
        for sh in [(0, 3), (3, 0)]:
            fn = mn((-2, -1))
            case("matrix_norm", fn, [make(sh, dt)], (o, 0), extra=dims_extra((-2, -1)))
    case("matrix_norm", mn((0, 1)), [make((3, 0, 2), dt)], (-1.0, 0), extra=dims_extra((0, 1)))
    case("matrix_norm", mn((1, 0)), [make((3, 0, 2), dt)], (-1.0, 0), extra=dims_extra((1, 0)))
    case("matrix_norm_nuc", mnuc((-2, -1)), [make((0, 3), dt)], (0,), extra=dims_extra((-2, -1)))
    case("matrix_norm_nuc", mnuc((-2, -1)), [make((2, 0, 3), dt)], (1,), extra=dims_extra((-2, -1)))
    # ties of the column / row sums share the gradient
    tie = torch.tensor([[1.0, -2.0, 0.5], [-2.0, 1.0, 2.5]], dtype=dt)
    for o in [1.0, inf, -1.0]:
        case("matrix_norm_tie", mn((-2, -1)), [tie.clone()], (o, 0), extra=dims_extra((-2, -1)))
    # NaN propagates through amax/amin
    case("matrix_norm", mn((-2, -1)), [torch.tensor([[nan, 1.0], [2.0, 3.0]], dtype=dt)], (1.0, 0), grad=False,
         extra=dims_extra((-2, -1)))
    case("matrix_norm", mn((-2, -1)), [torch.tensor([[inf, 1.0], [2.0, 3.0]], dtype=dt)], (-inf, 0), grad=False,
         extra=dims_extra((-2, -1)))
for dt in [H, BF]:
    for o in [1.0, -1.0, inf, -inf]:
        case("matrix_norm", mn((-2, -1)), [make((3, 4), dt)], (o, 0), extra=dims_extra((-2, -1)))
for o in ORDS:
    error("matrix_norm", mn((-2, -1)), [make((3,), S)], (o, 0), extra=dims_extra((-2, -1)))
    error("matrix_norm", mn((-2, -1)), [make((3, 3), torch.int64)], (o, 0), extra=dims_extra((-2, -1)))
    error("matrix_norm", mn((0, 0)), [make((3, 3), S)], (o, 0), extra=dims_extra((0, 0)))
    error("matrix_norm", mn((-1, 1)), [make((3, 3), S)], (o, 0), extra=dims_extra((-1, 1)))
    error("matrix_norm", mn((0, 3)), [make((3, 3), S)], (o, 0), extra=dims_extra((0, 3)))
for o in [2.0, -2.0]:
    error("matrix_norm", mn((-2, -1)), [make((3, 3), H)], (o, 0), extra=dims_extra((-2, -1)))
    error("matrix_norm", mn((-2, -1)), [make((3, 3), BF)], (o, 0), extra=dims_extra((-2, -1)))
    error("matrix_norm", mn((-2, -1)), [torch.tensor([[nan, 1.0], [2.0, 3.0]], dtype=D)], (o, 0),
          extra=dims_extra((-2, -1)))
for o in [3.0, 0.0, -3.0, 1.5]:
    error("matrix_norm", mn((-2, -1)), [make((3, 3), S)], (o, 0), extra=dims_extra((-2, -1)))
error("matrix_norm_nuc", mnuc((-2, -1)), [make((3, 3), H)], (0,), extra=dims_extra((-2, -1)))
error("matrix_norm_nuc", mnuc((-2, -1)), [make((3,), S)], (0,), extra=dims_extra((-2, -1)))
error("matrix_norm_nuc", mnuc((-2, -1)), [make((3, 3), torch.int32)], (0,), extra=dims_extra((-2, -1)))
error("matrix_norm_nuc", mnuc((1, 1)), [make((3, 3), S)], (0,), extra=dims_extra((1, 1)))

# ---- linalg.norm of matrices with a numeric ord / 'nuc' ----
for dt in F:
    for o in ORDS:
        case("norm_ord", lambda x, o, k: torch.linalg.norm(x, o, keepdim=bool(k)), [make((3, 4), dt)], (o, 0))
        case("norm_ord", lambda x, o, k: torch.linalg.norm(x, o, (0, 2), keepdim=bool(k)), [make((2, 3, 4), dt)],
             (o, 1), extra=["dims 0 2"])
    case("norm_nuc", lambda x, k: torch.linalg.norm(x, "nuc", keepdim=bool(k)), [make((4, 3), dt)], (0,))
    case("norm_nuc", lambda x, k: torch.linalg.norm(x, "nuc", (2, 1), keepdim=bool(k)), [make((2, 3, 4), dt)], (1,),
         extra=["dims 2 1"])
error("norm_ord", lambda x, o, k: torch.linalg.norm(x, o, keepdim=bool(k)), [make((3, 4), S)], (3.0, 0))
error("norm_ord", lambda x, o, k: torch.linalg.norm(x, o, keepdim=bool(k)), [make((3, 4), H)], (2.0, 0))
error("norm_nuc", lambda x, k: torch.linalg.norm(x, "nuc", keepdim=bool(k)), [make((3,), S)], (0,))

W.write("gen_linalg2.py")
