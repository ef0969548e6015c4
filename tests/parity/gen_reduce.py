"""Parity vectors for the reduction and scan family (sum/nansum/mean/
nanmean/prod/var/std/var_mean/std_mean/norm/logsumexp/all/any/
count_nonzero/cumsum/cumprod/cummax/cummin): values, errors and gradients
from PyTorch 1.13.1. Run with /usr/bin/python3 (Debian's python3-torch);
writes tests/parity/data/reduce.txt."""
import os

import torch

from op_cases import DT, Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "reduce.txt"))
make, case, error = W.make, W.case, W.error
F64, F32 = torch.float64, torch.float32
FLOATS = [F64, F32]
INF = float("inf")


def dims_line(d):
    return [f"dims {' '.join(map(str, d))}".rstrip()]


def dt_line(dt):
    return [f"dtype {DT[dt]}"]


def special(dt):
    return torch.tensor([[1.0, float("nan"), -0.0, 2.0], [INF, -1.0, 0.0, -INF], [3.0, 3.0, -2.0, 0.5]], dtype=dt)


# ---- sum / mean / nansum / nanmean ------------------------------------------
for dt in FLOATS:
    x = make((3, 4, 5), dt)
    for d in [(0,), (-1,), (0, 2), (1, 0, 2)]:
        for k in (0.0, 1.0):
            case("sum_dim", lambda t, kd, d=d: torch.sum(t, d, keepdim=bool(kd)), [x], (k,), extra=dims_line(d))
            case("nansum_dim", lambda t, kd, d=d: torch.nansum(t, d, keepdim=bool(kd)), [x], (k,),
                 extra=dims_line(d))
            case("nanmean_dim", lambda t, kd, d=d: torch.nanmean(t, d, keepdim=bool(kd)), [x], (k,),
                 extra=dims_line(d))
    case("sum_dim", lambda t, kd: torch.sum(t, (1,), keepdim=bool(kd)), [make((4, 3), dt)], (0.0,), layout=["t"],
         extra=dims_line((1,)))
    case("sum_dim", lambda t, kd: torch.sum(t, (0,), keepdim=bool(kd)), [make((4, 3), dt)], (1.0,), layout=["t"],
         extra=dims_line((0,)))
    case("sum_dim", lambda t, kd: torch.sum(t, (0,), keepdim=bool(kd)), [make((), dt)], (0.0,), extra=dims_line((0,)))
    case("sum_dim", lambda t, kd: torch.sum(t, (1,), keepdim=bool(kd)), [make((0, 3), dt)], (1.0,),
         extra=dims_line((1,)))
    for s in [(7,), (37,), (64,), (200,), (1000,), (4099,), (3, 257), (5, 33), (300, 7)]:
        case("sum", torch.sum, [make(s, dt)], grad=False)
        case("sum_dim", lambda t, kd: torch.sum(t, (-1,), keepdim=bool(kd)), [make(s, dt)], (0.0,), grad=False,
             extra=dims_line((-1,)))
        case("sum_dim", lambda t, kd: torch.sum(t, (0,), keepdim=bool(kd)), [make(s, dt)], (0.0,), grad=False,
             extra=dims_line((0,)))
    case("sum", torch.sum, [make((2, 3, 70), dt)], grad=False, layout=None)
    case("nansum", torch.nansum, [special(dt)], grad=dt == F32)
    case("nansum_dim", lambda t, kd: torch.nansum(t, (1,), keepdim=bool(kd)), [special(dt)], (0.0,), grad=dt == F32,
         extra=dims_line((1,)))
    case("nanmean", torch.nanmean, [special(dt)], grad=dt == F32)
    case("nanmean_dim", lambda t, kd: torch.nanmean(t, (0,), keepdim=bool(kd)), [special(dt)], (1.0,), grad=dt == F32,
         extra=dims_line((0,)))
    case("nansum", torch.nansum, [make((0, 3), dt)])
    case("nanmean", torch.nanmean, [make((0, 3), dt)])
    case("mean_dtype", lambda t: torch.mean(t, dtype=torch.float64), [make((3, 4), F32)], grad=False, extra=dt_line(F64))
    case("mean_dtype", lambda t: torch.mean(t, dtype=torch.float32), [make((3, 4), F64)], extra=dt_line(F32))
    case("mean_dim_dtype", lambda t, kd: torch.mean(t, (1,), keepdim=bool(kd), dtype=torch.float32),
         [make((3, 4), dt)], (0.0,), extra=dims_line((1,)) + dt_line(F32))
    case("mean", torch.mean, [make((0,), dt)])
    case("sum", torch.sum, [special(dt)], grad=dt == F32)
for dt in [torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool]:
    x = make((3, 4), dt)
    case("sum", torch.sum, [x])
    case("sum_dim", lambda t, kd: torch.sum(t, (0,), keepdim=bool(kd)), [x], (1.0,), extra=dims_line((0,)))
    case("nansum", torch.nansum, [x])
    error("mean", torch.mean, [x])
    error("nanmean", torch.nanmean, [x])
for dt in [torch.float16, torch.bfloat16]:
    x = make((3, 5), dt)
    case("sum", torch.sum, [x])
    case("sum_dim", lambda t, kd: torch.sum(t, (1,), keepdim=bool(kd)), [x], (0.0,), extra=dims_line((1,)))
    case("mean", torch.mean, [x])
    case("nansum", torch.nansum, [x])
case("sum_dtype", lambda t: torch.sum(t, dtype=torch.int64), [make((3, 4), F32)], grad=False,
     extra=dt_line(torch.int64))
case("sum_dtype", lambda t: torch.sum(t, dtype=torch.float64), [make((3, 4), F32)], grad=False, extra=dt_line(F64))
case("sum_dtype", lambda t: torch.sum(t, dtype=torch.float32), [make((3, 4), F64)], extra=dt_line(F32))
case("sum_dtype", lambda t: torch.sum(t, dtype=torch.float32), [make((3, 4), torch.int32)], extra=dt_line(F32))
case("sum_dim_dtype", lambda t, kd: torch.sum(t, (1,), keepdim=bool(kd), dtype=torch.float32), [make((3, 4), F64)],
     (1.0,), extra=dims_line((1,)) + dt_line(F32))
case("mean_dtype", lambda t: torch.mean(t, dtype=torch.float32), [make((3, 4), torch.int64)], extra=dt_line(F32))
error("mean_dtype", lambda t: torch.mean(t, dtype=torch.int64), [make((3, 4), F32)], extra=dt_line(torch.int64))
error("nansum_dim", lambda t, kd: torch.nansum(t, (0,), keepdim=bool(kd), dtype=torch.int32), [make((3, 4), F32)],
      (0.0,), extra=dims_line((0,)) + dt_line(torch.int32))
error("sum_dim", lambda t, kd: torch.sum(t, (5,), keepdim=bool(kd)), [make((3, 4), F32)], (0.0,), extra=dims_line((5,)))
error("sum_dim", lambda t, kd: torch.sum(t, (0, -2), keepdim=bool(kd)), [make((3, 4), F32)], (0.0,),
      extra=dims_line((0, -2)))
error("mean_dim", lambda t, kd: torch.mean(t, (-3,), keepdim=bool(kd)), [make((3, 4), F32)], (0.0,),
      extra=dims_line((-3,)))

# ---- prod ------------------------------------------------------------------------
for dt in FLOATS:
    x = make((3, 4), dt, "pos")
    case("prod", torch.prod, [x])
    for d in (0, 1, -1):
        for k in (0.0, 1.0):
            case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [x], (d, k))
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [make((4, 3), dt)], (1, 0.0),
         layout=["t"])
    one_zero = make((3, 4), dt)
    one_zero[1, 2] = 0
    two_zero = one_zero.clone()
    two_zero[0, 2] = 0
    two_zero[2, 0] = 0
    case("prod", torch.prod, [one_zero])
    case("prod", torch.prod, [two_zero])
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [one_zero], (1, 0.0))
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [two_zero], (0, 1.0))
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [two_zero], (1, 0.0))
    case("prod", torch.prod, [make((), dt)])
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [make((), dt)], (0, 0.0))
    case("prod", torch.prod, [make((0, 3), dt)])
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [make((0, 3), dt)], (0, 0.0))
    case("prod", torch.prod, [special(dt)], grad=False)
for dt in [torch.int64, torch.int32, torch.uint8, torch.bool]:
    case("prod", torch.prod, [make((2, 3), dt)])
    case("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [make((2, 3), dt)], (1, 0.0))
case("prod_dtype", lambda t: torch.prod(t, dtype=torch.float64), [make((2, 3), F32)], grad=False, extra=dt_line(F64))
case("prod", torch.prod, [make((2, 3), torch.float16)])
error("prod_dim", lambda t, dd, kd: torch.prod(t, int(dd), keepdim=bool(kd)), [make((2, 3), F32)], (2, 0.0))

# ---- var / std / var_mean / std_mean ---------------------------------------------
for dt in FLOATS:
    x = make((3, 4, 2), dt)
    case("var", torch.var, [x])
    case("std", torch.std, [x])
    for d in [(0,), (-1,), (0, 2)]:
        for unb in (0.0, 1.0):
            for k in (0.0, 1.0):
                case("var_dim", lambda t, u, kd, d=d: torch.var(t, d, unbiased=bool(u), keepdim=bool(kd)), [x],
                     (unb, k), extra=dims_line(d))
                case("std_dim", lambda t, u, kd, d=d: torch.std(t, d, unbiased=bool(u), keepdim=bool(kd)), [x],
                     (unb, k), extra=dims_line(d))
    for corr in (0, 2):
        case("var_corr", lambda t, c, kd: torch.var(t, (1,), correction=int(c), keepdim=bool(kd)), [x], (corr, 0.0),
             extra=dims_line((1,)))
        case("std_corr", lambda t, c, kd: torch.std(t, (1,), correction=int(c), keepdim=bool(kd)), [x], (corr, 1.0),
             extra=dims_line((1,)))
    for which in (0, 1):
        for fn, name in [(torch.var_mean, "var_mean"), (torch.std_mean, "std_mean")]:
            case(name, lambda t, c, kd, w, fn=fn: fn(t, (0, 2), correction=int(c), keepdim=bool(kd)), [x],
                 (1, 0.0, which), extra=dims_line((0, 2)), output=which)
            case(name, lambda t, c, kd, w, fn=fn: fn(t, None, correction=int(c), keepdim=bool(kd)), [x],
                 (0, 1.0, which), extra=dims_line(()), output=which)
    case("var", torch.var, [make((1,), dt)], grad=False)
    case("var", torch.var, [make((0, 3), dt)])
    case("var_dim", lambda t, u, kd: torch.var(t, (0,), unbiased=bool(u), keepdim=bool(kd)), [make((0, 3), dt)],
         (1.0, 0.0), extra=dims_line((0,)))
    case("var_corr", lambda t, c, kd: torch.var(t, (1,), correction=int(c), keepdim=bool(kd)), [make((2, 3), dt)],
         (5, 0.0), grad=dt == F32, extra=dims_line((1,)))
    case("std", torch.std, [make((), dt)], grad=False)
    case("std_dim", lambda t, u, kd: torch.std(t, (1,), unbiased=bool(u), keepdim=bool(kd)),
         [torch.tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], dtype=dt)], (1.0, 0.0), grad=dt == F32,
         extra=dims_line((1,)))
    case("var_dim", lambda t, u, kd: torch.var(t, (1,), unbiased=bool(u), keepdim=bool(kd)), [make((4, 3), dt)],
         (1.0, 0.0), layout=["t"], extra=dims_line((1,)))
    case("var", torch.var, [special(dt)], grad=False)
case("std", torch.std, [make((3, 4), torch.float16)])
case("var", torch.var, [make((3, 4), torch.bfloat16)])
for dt in [torch.int64, torch.bool]:
    error("var", torch.var, [make((3,), dt)])
    error("std_dim", lambda t, u, kd: torch.std(t, (0,), unbiased=bool(u), keepdim=bool(kd)), [make((3,), dt)],
          (1.0, 0.0), extra=dims_line((0,)))
    error("var_mean", lambda t, c, kd, w: torch.var_mean(t, (0,), correction=int(c), keepdim=bool(kd)),
          [make((3,), dt)], (1, 0.0, 0), extra=dims_line((0,)))
    error("std_mean", lambda t, c, kd, w: torch.std_mean(t, (0,), correction=int(c), keepdim=bool(kd)),
          [make((3,), dt)], (1, 0.0, 0), extra=dims_line((0,)))
error("var_dim", lambda t, u, kd: torch.var(t, (3,), unbiased=bool(u), keepdim=bool(kd)), [make((3, 4), F32)],
      (1.0, 0.0), extra=dims_line((3,)))

# ---- norm ------------------------------------------------------------------------------
PS = [2.0, 1.0, INF, -INF, 0.0, 3.0, 1.5, 0.5, -2.5]
for dt in FLOATS:
    x = make((3, 4), dt)
    for p in PS:
        case("norm", lambda t, pp: torch.norm(t, pp), [x], (p,))
        for d in [(1,), (0, 1)]:
            case("norm_dim", lambda t, pp, kd, d=d: torch.norm(t, pp, d, keepdim=bool(kd)), [x], (p, 0.0),
                 extra=dims_line(d))
        case("norm_dim", lambda t, pp, kd: torch.norm(t, pp, (0,), keepdim=bool(kd)), [x], (p, 1.0),
             layout=["t"], extra=dims_line((0,)))
    z = torch.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 0.0]], dtype=dt)
    for p in [2.0, 1.0, INF, 3.0, 1.5, 0.5]:
        case("norm_dim", lambda t, pp, kd: torch.norm(t, pp, (1,), keepdim=bool(kd)), [z], (p, 0.0),
             grad=dt == F32, extra=dims_line((1,)))
    ties = torch.tensor([[1.0, -3.0, 3.0], [2.0, 0.5, -1.0]], dtype=dt)
    case("norm_dim", lambda t, pp, kd: torch.norm(t, pp, (1,), keepdim=bool(kd)), [ties], (INF, 0.0),
         grad=dt == F32, extra=dims_line((1,)))
    case("norm", lambda t, pp: torch.norm(t, pp), [special(dt)], (2.0,), grad=False)
    case("norm", lambda t, pp: torch.norm(t, pp), [special(dt)], (INF,), grad=False)
    case("norm", lambda t, pp: torch.norm(t, pp), [make((), dt)], (2.0,))
    for p in [2.0, INF, -INF, 0.0, 1.0]:
        case("norm", lambda t, pp: torch.norm(t, pp), [make((0, 3), dt)], (p,))
    case("norm_fro", lambda t, kd: torch.norm(t, "fro", keepdim=bool(kd)), [make((2, 3), dt)], (0.0,),
         extra=dims_line(()))
    case("norm_fro", lambda t, kd: torch.norm(t, "fro", (1, 2), keepdim=bool(kd)), [make((2, 3, 4), dt)], (1.0,),
         extra=dims_line((1, 2)))
case("norm", lambda t, pp: torch.norm(t, pp), [make((3, 4), torch.float16)], (2.0,))
error("norm", lambda t, pp: torch.norm(t, pp), [make((3,), torch.int64)], (2.0,))
error("norm_fro", lambda t, kd: torch.norm(t, "fro", (0, 1, 2), keepdim=bool(kd)), [make((2, 3, 4), F32)], (0.0,),
      extra=dims_line((0, 1, 2)))
error("norm_dim", lambda t, pp, kd: torch.norm(t, pp, (0, 0), keepdim=bool(kd)), [make((2, 3), F32)], (2.0, 0.0),
      extra=dims_line((0, 0)))

# ---- logsumexp ------------------------------------------------------------------------------
for dt in FLOATS:
    x = make((3, 4), dt)
    for d in [(0,), (1,), (0, 1)]:
        for k in (0.0, 1.0):
            case("logsumexp", lambda t, kd, d=d: torch.logsumexp(t, d, keepdim=bool(kd)), [x], (k,),
                 extra=dims_line(d))
    case("logsumexp", lambda t, kd: torch.logsumexp(t, (1,), keepdim=bool(kd)), [make((4, 3), dt)], (0.0,),
         layout=["t"], extra=dims_line((1,)))
    case("logsumexp", lambda t, kd: torch.logsumexp(t, (1,), keepdim=bool(kd)), [special(dt)], (0.0,), grad=False,
         extra=dims_line((1,)))
    case("logsumexp", lambda t, kd: torch.logsumexp(t, (1,), keepdim=bool(kd)),
         [torch.tensor([[-INF, -INF], [INF, 1.0], [1000.0, 1000.0]], dtype=dt)], (0.0,), grad=False,
         extra=dims_line((1,)))
    case("logsumexp", lambda t, kd: torch.logsumexp(t, (0,), keepdim=bool(kd)), [make((), dt)], (0.0,),
         extra=dims_line((0,)))
    case("logsumexp", lambda t, kd: torch.logsumexp(t, (0,), keepdim=bool(kd)), [make((0, 3), dt)], (0.0,),
         extra=dims_line((0,)))
case("logsumexp", lambda t, kd: torch.logsumexp(t, (1,), keepdim=bool(kd)), [make((3, 4), torch.int64)], (0.0,),
     extra=dims_line((1,)))
error("logsumexp", lambda t, kd: torch.logsumexp(t, (), keepdim=bool(kd)), [make((3, 4), F32)], (0.0,),
      extra=dims_line(()))
error("logsumexp", lambda t, kd: torch.logsumexp(t, (2,), keepdim=bool(kd)), [make((3, 4), F32)], (0.0,),
      extra=dims_line((2,)))

# ---- all / any / count_nonzero --------------------------------------------------------------
for dt in [F32, F64, torch.int64, torch.int32, torch.uint8, torch.bool, torch.float16]:
    x = make((3, 4), dt)
    if dt == torch.bool:
        x[0] = True
    else:
        x[1, 1] = 0
    for name, fn in [("all", torch.all), ("any", torch.any)]:
        case(name, fn, [x])
        for d in (0, 1, -1):
            for k in (0.0, 1.0):
                case(name + "_dim", lambda t, dd, kd, fn=fn: fn(t, int(dd), keepdim=bool(kd)), [x], (d, k))
        case(name, fn, [make((0, 3), dt)])
        case(name + "_dim", lambda t, dd, kd, fn=fn: fn(t, int(dd), keepdim=bool(kd)), [make((0, 3), dt)], (0, 0.0))
        case(name, fn, [make((), dt)])
    case("count_nonzero", lambda t: torch.count_nonzero(t), [x], extra=dims_line(()))
    case("count_nonzero", lambda t: torch.count_nonzero(t, (1,)), [x], extra=dims_line((1,)))
    case("count_nonzero", lambda t: torch.count_nonzero(t, (0, 1)), [x], extra=dims_line((0, 1)))
case("all", torch.all, [special(F32)])
case("any", torch.any, [torch.tensor([0.0, float("nan")])])
case("count_nonzero", lambda t: torch.count_nonzero(t), [special(F64)], extra=dims_line(()))
error("all_dim", lambda t, dd, kd: torch.all(t, int(dd), keepdim=bool(kd)), [make((3,), F32)], (1, 0.0))
error("count_nonzero", lambda t: torch.count_nonzero(t, (0, 0)), [make((3, 2), F32)], extra=dims_line((0, 0)))

# ---- scans ---------------------------------------------------------------------------------------
for dt in FLOATS:
    x = make((3, 4), dt)
    for d in (0, 1, -1):
        case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [x], (d,))
        case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [x], (d,))
        case("cummax", lambda t, dd, w: torch.cummax(t, int(dd)), [x], (d, 0), output=0)
        case("cummin", lambda t, dd, w: torch.cummin(t, int(dd)), [x], (d, 0), output=0)
    case("cummax", lambda t, dd, w: torch.cummax(t, int(dd)), [x], (1, 1), output=1)
    case("cummin", lambda t, dd, w: torch.cummin(t, int(dd)), [x], (0, 1), output=1)
    xt = make((4, 3), dt)
    case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [xt], (1,), layout=["t"])
    case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [xt], (0,), layout=["t"])
    case("cummax", lambda t, dd, w: torch.cummax(t, int(dd)), [xt], (1, 0), layout=["t"], output=0)
    for s in [(), (0, 3), (1,)]:
        case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [make(s, dt)], (0,))
        case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [make(s, dt)], (0,))
        case("cummax", lambda t, dd, w: torch.cummax(t, int(dd)), [make(s, dt)], (0, 0), output=0)
        case("cummin", lambda t, dd, w: torch.cummin(t, int(dd)), [make(s, dt)], (0, 1), output=1)
    zs = make((3, 5), dt)
    zs[0, 2] = 0
    zs[1, 1] = 0
    zs[1, 3] = 0
    zs[2, 4] = 0
    case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [zs], (1,))
    case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [zs], (0,))
    ties = torch.tensor([[1.0, 3.0, 3.0, float("nan"), 5.0, -0.0], [2.0, 2.0, 0.0, -0.0, -1.0, -1.0]], dtype=dt)
    for w in (0, 1):
        case("cummax", lambda t, dd, ww: torch.cummax(t, int(dd)), [ties], (1, w), grad=False, output=w)
        case("cummin", lambda t, dd, ww: torch.cummin(t, int(dd)), [ties], (1, w), grad=False, output=w)
    case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [special(dt)], (1,), grad=False)
    case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [special(dt)], (1,), grad=False)
    case("cumsum_", lambda t, dd: t.clone().cumsum_(int(dd)), [x], (1,))
    case("cumprod_", lambda t, dd: t.clone().cumprod_(int(dd)), [x], (0,))
    case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [make((2, 300), dt)], (1,), grad=False)
for dt in [torch.int64, torch.int32, torch.int8, torch.uint8, torch.bool, torch.float16, torch.bfloat16]:
    x = make((3, 4), dt)
    case("cumsum", lambda t, dd: torch.cumsum(t, int(dd)), [x], (1,))
    case("cumprod", lambda t, dd: torch.cumprod(t, int(dd)), [x], (0,))
    case("cummax", lambda t, dd, w: torch.cummax(t, int(dd)), [x], (1, 0), output=0)
    case("cummin", lambda t, dd, w: torch.cummin(t, int(dd)), [x], (1, 1), output=1)
    if dt != torch.bool:
        case("cumsum_", lambda t, dd: t.clone().cumsum_(int(dd)), [x], (0,))
case("cumsum_dtype", lambda t, dd: torch.cumsum(t, int(dd), dtype=torch.int32), [make((3, 4), F32)], (1,),
     grad=False, extra=dt_line(torch.int32))
case("cumsum_dtype", lambda t, dd: torch.cumsum(t, int(dd), dtype=torch.float32), [make((3, 4), F64)], (0,),
     extra=dt_line(F32))
case("cumprod_dtype", lambda t, dd: torch.cumprod(t, int(dd), dtype=torch.float32), [make((3, 4), torch.int64)],
     (1,), extra=dt_line(F32))
for name in ["cumsum", "cumprod"]:
    error(name, lambda t, dd, name=name: getattr(torch, name)(t, int(dd)), [make((3, 4), F32)], (2,))
error("cummax", lambda t, dd, w: torch.cummax(t, int(dd))[0], [make((3, 4), F32)], (-3, 0))
error("cummin", lambda t, dd, w: torch.cummin(t, int(dd))[0], [make((2,), F32)], (1, 0))

W.write("gen_reduce.py")
