"""Parity vectors for the normalization and dropout functionals
(F.batch_norm, instance_norm, layer_norm, group_norm, local_response_norm,
normalize, dropout family): values, errors, grad_fn names, gradients from
PyTorch 1.13.1. Replayed by tests/ops/test_norm_parity.c.
Running stats are rebuilt on the C side as rm[i] = 0.25*i - 0.5,
rv[i] = 0.5 + 0.25*i (exact in every float dtype).
Dropout cases seed the generator (args[-1]) right before the call, so the
masks must equal PyTorch's bit for bit. Run with /usr/bin/python3."""
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "norm.txt"))
make, case, error = W.make, W.case, W.error
FLOATS = [torch.float64, torch.float32]


def rstats(c, dt):
    i = torch.arange(c, dtype=torch.float64)
    return (0.25 * i - 0.5).to(dt), (0.5 + 0.25 * i).to(dt)


# ---- batch_norm: args (training, eps, running, affine, momentum)
def bn(training, eps, running, affine, momentum=0.1):
    def f(x, *wb):
        rm, rv = rstats(x.shape[1], x.dtype) if running else (None, None)
        w, b = (wb[0], wb[1]) if affine else (None, None)
        return F.batch_norm(x, rm, rv, w, b, training=bool(training), momentum=momentum, eps=eps)
    return f


for dt in FLOATS:
    for shape in [(4, 3), (2, 3, 5), (2, 3, 2, 3), (2, 2, 2, 1, 3)]:
        c = shape[1]
        for training, running, affine in [(1, 0, 1), (1, 1, 1), (1, 0, 0), (0, 1, 1), (0, 1, 0)]:
            ins = [make(shape, dt)] + ([make((c,), dt), make((c,), dt)] if affine else [])
            case("batch_norm", bn(training, 1e-5, running, affine), ins, (training, 1e-5, running, affine))
    x = make((3, 4, 5), dt)
    case("batch_norm", bn(1, 1e-3, 0, 1), [x, make((4,), dt), make((4,), dt)], (1, 1e-3, 0, 1), layout=None)
    xt = make((5, 4), dt)
    case("batch_norm", bn(1, 1e-5, 1, 1), [xt, make((5,), dt), make((5,), dt)], (1, 1e-5, 1, 1), layout=["t", "c", "c"])
# errors
x = make((2, 3, 4), torch.float32)
error("batch_norm", bn(0, 1e-5, 1, 1), [x, make((4,), torch.float32), make((4,), torch.float32)], (0, 1e-5, 1, 1))
error("batch_norm", bn(1, 1e-5, 0, 1), [x, make((4,), torch.float32), make((3,), torch.float32)], (1, 1e-5, 0, 1))
error("batch_norm", bn(1, 1e-5, 0, 1), [x, make((3,), torch.float32), make((4,), torch.float32)], (1, 1e-5, 0, 1))
error("batch_norm", bn(0, 1e-5, 0, 0), [x], (0, 1e-5, 0, 0))
error("batch_norm", bn(1, 1e-5, 0, 0), [make((1, 3), torch.float32)], (1, 1e-5, 0, 0))
error("batch_norm", bn(1, 1e-5, 0, 0), [make((1, 3, 1, 1), torch.float32)], (1, 1e-5, 0, 0))
error("batch_norm", bn(1, 1e-5, 0, 0), [make((3,), torch.float32)], (1, 1e-5, 0, 0))
error("batch_norm", bn(1, 1e-5, 0, 0), [make((2, 3), torch.int64)], (1, 1e-5, 0, 0))
error("batch_norm", bn(1, 1e-5, 0, 1), [x, make((3,), torch.float64), make((3,), torch.float64)], (1, 1e-5, 0, 1))


# ---- layer_norm: dims = normalized_shape, args (eps, affine)
def ln(shape, eps, affine):
    def f(x, *wb):
        w, b = (wb[0], wb[1]) if affine else (None, None)
        return F.layer_norm(x, shape, w, b, eps)
    return f


for dt in FLOATS:
    for xs, ns in [((3, 4), (4,)), ((2, 3, 4), (3, 4)), ((5,), (5,)), ((2, 2, 3), (2, 2, 3)), ((0, 4), (4,))]:
        for affine in (1, 0):
            ins = [make(xs, dt)] + ([make(ns, dt), make(ns, dt)] if affine else [])
            case("layer_norm", ln(ns, 1e-5, affine), ins, (1e-5, affine), extra=["dims " + " ".join(map(str, ns))])
    case("layer_norm", ln((3,), 0.1, 1), [make((4, 3), dt), make((3,), dt), make((3,), dt)], (0.1, 1),
         layout=["t", "c", "c"], extra=["dims 3"])
x = make((2, 3, 4), torch.float32)
error("layer_norm", ln((5,), 1e-5, 0), [x], (1e-5, 0), extra=["dims 5"])
error("layer_norm", ln((3, 4, 5, 6), 1e-5, 0), [x], (1e-5, 0), extra=["dims 3 4 5 6"])
error("layer_norm", ln((4,), 1e-5, 1), [x, make((3,), torch.float32), make((4,), torch.float32)], (1e-5, 1),
      extra=["dims 4"])
error("layer_norm", ln((4,), 1e-5, 1), [x, make((4,), torch.float32), make((2, 2), torch.float32)], (1e-5, 1),
      extra=["dims 4"])
error("layer_norm", ln((4,), 1e-5, 0), [make((2, 4), torch.int64)], (1e-5, 0), extra=["dims 4"])


# ---- group_norm: args (groups, eps, affine)
def gn(g, eps, affine):
    def f(x, *wb):
        w, b = (wb[0], wb[1]) if affine else (None, None)
        return F.group_norm(x, g, w, b, eps)
    return f


for dt in FLOATS:
    for xs, g in [((2, 6, 3), 3), ((2, 6), 2), ((3, 4, 2, 2), 1), ((2, 4, 3), 4), ((1, 6, 5), 2)]:
        for affine in (1, 0):
            c = xs[1]
            ins = [make(xs, dt)] + ([make((c,), dt), make((c,), dt)] if affine else [])
            case("group_norm", gn(g, 1e-5, affine), ins, (g, 1e-5, affine))
x = make((2, 3, 4), torch.float32)
error("group_norm", gn(2, 1e-5, 0), [x], (2, 1e-5, 0))
error("group_norm", gn(3, 1e-5, 1), [x, make((4,), torch.float32), make((3,), torch.float32)], (3, 1e-5, 1))
error("group_norm", gn(1, 1e-5, 0), [make((1, 1), torch.float32)], (1, 1e-5, 0))
error("group_norm", gn(1, 1e-5, 0), [make((3,), torch.float32)], (1, 1e-5, 0))
error("group_norm", gn(0, 1e-5, 0), [x], (0, 1e-5, 0))


# ---- instance_norm: args (use_input_stats, eps, affine, running)
def inorm(use, eps, affine, running):
    def f(x, *wb):
        rm, rv = rstats(x.shape[1], x.dtype) if running else (None, None)
        w, b = (wb[0], wb[1]) if affine else (None, None)
        return F.instance_norm(x, rm, rv, w, b, bool(use), 0.1, eps)
    return f


for dt in FLOATS:
    for xs in [(2, 3, 4), (2, 3, 2, 3), (1, 2, 2, 2, 2)]:
        for use, affine, running in [(1, 0, 0), (1, 1, 0), (1, 1, 1), (0, 1, 1), (0, 0, 1)]:
            c = xs[1]
            ins = [make(xs, dt)] + ([make((c,), dt), make((c,), dt)] if affine else [])
            case("instance_norm", inorm(use, 1e-5, affine, running), ins, (use, 1e-5, affine, running))
error("instance_norm", inorm(1, 1e-5, 0, 0), [make((2, 3, 1), torch.float32)], (1, 1e-5, 0, 0))
error("instance_norm", inorm(1, 1e-5, 0, 0), [make((2, 3), torch.float32)], (1, 1e-5, 0, 0))

# ---- local_response_norm: args (size, alpha, beta, k)
for dt in FLOATS:
    for xs in [(2, 5, 3), (1, 4, 2, 3), (2, 3, 2, 2, 2)]:
        for size, alpha, beta, k in [(2, 1e-4, 0.75, 1.0), (3, 0.5, 0.5, 2.0), (1, 1.0, 1.0, 1.0), (6, 0.1, 0.75, 1.0)]:
            case("local_response_norm", lambda x, s, a, b, kk: F.local_response_norm(x, int(s), a, b, kk),
                 [make(xs, dt)], (size, alpha, beta, k))
error("local_response_norm", lambda x, s, a, b, kk: F.local_response_norm(x, int(s), a, b, kk),
      [make((2, 3), torch.float32)], (2, 1e-4, 0.75, 1.0))

# ---- normalize: args (p, dim, eps)
for dt in FLOATS:
    for xs, p, dim in [((3, 4), 2.0, 1), ((3, 4), 1.0, 0), ((2, 3, 4), 2.0, -1), ((2, 3), 3.0, 1), ((4,), 2.0, 0)]:
        case("normalize", lambda x, pp, d, e: F.normalize(x, pp, int(d), e), [make(xs, dt)], (p, dim, 1e-12))
    # all-zero rows: gradgradcheck is skipped for this name (ctorch's norm double backward is NaN at 0)
    case("normalize0", lambda x, pp, d, e: F.normalize(x, pp, int(d), e), [torch.zeros(2, 3, dtype=dt)], (2.0, 1, 0.5))
error("normalize", lambda x, pp, d, e: F.normalize(x, pp, int(d), e), [make((2, 3, 4), torch.float32)],
      (2.0, 3, 1e-12))


# ---- dropout family: op name = function, args (p, training, seed)
def seeded(fn):
    def f(x, p, training, seed):
        torch.manual_seed(int(seed))
        return fn(x, p, bool(training))
    return f


DROP = {"dropout": F.dropout, "dropout1d": F.dropout1d, "dropout2d": F.dropout2d, "dropout3d": F.dropout3d,
        "alpha_dropout": F.alpha_dropout, "feature_alpha_dropout": F.feature_alpha_dropout}
SHAPES = {"dropout": [(5,), (3, 7), (2, 3, 4, 5), (1000,), (0, 3)], "dropout1d": [(2, 3, 5), (3, 6)],
          "dropout2d": [(2, 3, 2, 2), (4, 5, 3)], "dropout3d": [(2, 3, 2, 2, 2), (3, 2, 2, 2)],
          "alpha_dropout": [(5,), (4, 6), (300,)], "feature_alpha_dropout": [(2, 3, 4), (3, 5, 2, 2)]}
for name, fn in DROP.items():
    for dt in FLOATS:
        for shape in SHAPES[name]:
            for p, training, seed in [(0.5, 1, 0), (0.2, 1, 42), (0.9, 1, 7), (0.0, 1, 3), (1.0, 1, 5),
                                      (0.5, 0, 1)]:
                case(name, seeded(fn), [make(shape, dt)], (p, training, seed))
    error(name, seeded(fn), [make((2, 3, 4), torch.float32)], (1.5, 1, 0))
    error(name, seeded(fn), [make((2, 3, 4), torch.float32)], (-0.1, 1, 0))
error("dropout1d", seeded(F.dropout1d), [make((3,), torch.float32)], (0.5, 1, 0))
error("dropout1d", seeded(F.dropout1d), [make((2, 3, 4, 5), torch.float32)], (0.5, 1, 0))
error("feature_alpha_dropout", seeded(F.feature_alpha_dropout), [make((3,), torch.float32)], (0.5, 1, 0))
error("dropout", seeded(F.dropout), [make((3,), torch.int64)], (0.5, 1, 0))

# empty rows: layer norm over a normalized_shape holding 0 (ctorch's rows
# kernels take R == 0 as a layout of its own)
for dt in FLOATS:
    case("layer_norm", ln((0,), 1e-5, 1), [make((3, 0), dt), make((0,), dt), make((0,), dt)], (1e-5, 1),
         extra=["dims 0"])

W.write("gen_norm.py")
