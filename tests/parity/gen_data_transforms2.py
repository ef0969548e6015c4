"""torchvision 0.14 RandomRotation, Resize and RandomCrop(padding_mode="symmetric")
on tensors, for tests/data/test_transforms2.c.
Run with /usr/bin/python3 (Debian's torch 1.13.1 + torchvision 0.14);
writes data/data_transforms2.txt.

Every case names its input (case input_<k>), its options and the result;
random cases give the seed, the drawn angle and the default generator's
position afterwards (torch.randint(0, 2**30, (1,)))."""
import math
import os

import torch
import torchvision.transforms as T
from torchvision.transforms import InterpolationMode as IM
from torchvision.transforms.functional_tensor import _compute_affine_output_size
from torchvision.transforms.functional import _get_inverse_affine_matrix

out = []


def fmt(v):
    if isinstance(v, torch.Tensor):
        v = v.contiguous()
        if v.dtype == torch.float32:
            return "f32", " ".join("%08x" % (x & 0xFFFFFFFF) for x in v.view(torch.int32).flatten().tolist())
        if v.dtype == torch.float64:
            return "f64", " ".join("%016x" % (x & 0xFFFFFFFFFFFFFFFF) for x in v.view(torch.int64).flatten().tolist())
        assert v.dtype == torch.uint8
        return "u8", " ".join(str(int(x)) for x in v.flatten().tolist())
    if isinstance(v, (list, tuple)):
        return None, " ".join(repr(float(x)) if isinstance(x, float) else str(x) for x in v)
    return None, str(v)


def case(name, **kv):
    out.append(f"case {name}")
    for k, v in kv.items():
        dt, text = fmt(v)
        out.append(f"{k} {text}")
        if dt is not None:
            out.append(f"{k}_dtype {dt}")
            out.append(f"{k}_shape " + " ".join(str(s) for s in v.shape))
    out.append("end")


def after():
    return int(torch.randint(0, 1 << 30, (1,)))


# ---- inputs ----
def ramp(n, mul=37, add=11):
    return (torch.arange(n) * mul + add) % 256


inputs = [
    (ramp(3 * 11 * 13).float() / 255).view(3, 11, 13),  # 0: float32 CHW
    ramp(3 * 11 * 13).to(torch.uint8).view(3, 11, 13),  # 1: uint8 CHW
    (torch.sin(torch.arange(2 * 9 * 10, dtype=torch.float64)) * 0.5 + 0.5).view(2, 9, 10),  # 2: float64
    (ramp(2 * 3 * 8 * 9, 53, 7).float() / 255).view(2, 3, 8, 9),  # 3: float32 NCHW
    ramp(28 * 28, 101, 3).to(torch.uint8).view(1, 28, 28),  # 4: uint8 MNIST-sized
]
for k, x in enumerate(inputs):
    case(f"input_{k}", x=x)

# ---- RandomRotation ----
# interp: 0 nearest, 1 bilinear; deg: one number or (lo, hi); center: (x, y) or none
rot_cfgs = [
    dict(inp=0, deg=[30.0]),
    dict(inp=0, deg=[30.0], interp=1),
    dict(inp=0, deg=[10.0, 80.0], expand=1),
    dict(inp=0, deg=[10.0, 80.0], expand=1, interp=1),
    dict(inp=0, deg=[-180.0, 180.0], center=[2, 3], fill=[0.5]),
    dict(inp=0, deg=[-180.0, 180.0], center=[2, 3], fill=[0.1, 0.2, 0.3], interp=1),
    dict(inp=0, deg=[90.0, 90.0]),
    dict(inp=0, deg=[90.0, 90.0], expand=1),
    dict(inp=0, deg=[45.0, 45.0], expand=1, interp=1, fill=[1.0]),
    dict(inp=1, deg=[45.0]),
    dict(inp=1, deg=[45.0], interp=1, fill=[7.0, 100.0, 255.0]),
    dict(inp=1, deg=[0.0, 360.0], expand=1, interp=1),
    dict(inp=2, deg=[60.0]),
    dict(inp=2, deg=[60.0], interp=1, expand=1, fill=[0.25]),
    dict(inp=3, deg=[20.0]),
    dict(inp=3, deg=[20.0], interp=1, center=[1.5, 6.25]),
    dict(inp=4, deg=[15.0]),
    dict(inp=4, deg=[15.0], interp=1, expand=1),
]
for ci, cfg in enumerate(rot_cfgs):
    x = inputs[cfg["inp"]]
    deg = cfg["deg"]
    kw = dict(interpolation=IM.BILINEAR if cfg.get("interp") else IM.NEAREST, expand=bool(cfg.get("expand")))
    if "center" in cfg:
        kw["center"] = cfg["center"]
    if "fill" in cfg:
        f = cfg["fill"]
        kw["fill"] = f[0] if len(f) == 1 else f
    t = T.RandomRotation(deg[0] if len(deg) == 1 else deg, **kw)
    for seed in range(3):
        torch.manual_seed(seed)
        angle = T.RandomRotation.get_params(t.degrees)
        torch.manual_seed(seed)
        y = t(x)
        kv = dict(inp=cfg["inp"], deg=deg, interp=cfg.get("interp", 0), expand=cfg.get("expand", 0), seed=seed,
                  angle=repr(angle), y=y, after=after())
        if "center" in cfg:
            kv["center"] = cfg["center"]
        if "fill" in cfg:
            kv["fill"] = cfg["fill"]
        case(f"rot_{ci}_{seed}", **kv)

# expand sizes over a sweep of angles (float32 corner arithmetic)
ws, angles = [], [i * 7.3 - 180 for i in range(50)] + [0.0, 90.0, -90.0, 180.0, 45.0, 30.0]
for (w, h) in ((13, 11), (28, 28), (9, 8)):
    for a in angles:
        a = float(torch.tensor(a, dtype=torch.float32))  # the transform draws float32 angles
        m = _get_inverse_affine_matrix([0.0, 0.0], -a, [0.0, 0.0], 1.0, [0.0, 0.0])
        ws.extend([w, h, repr(a), *_compute_affine_output_size(m, w, h)])
case("expand_sizes", n=len(ws) // 5, v=ws)

# errors
for name, fn in (("rot_err_neg", lambda: T.RandomRotation(-3)),
                 ("rot_err_len", lambda: T.RandomRotation([1.0, 2.0, 3.0])),
                 ("rot_err_fill", lambda: T.RandomRotation(10, fill=[1.0, 2.0])(inputs[0])),
                 ("resize_err_max", lambda: T.Resize(7, max_size=7)(inputs[0])),
                 ("resize_err_max_seq", lambda: T.Resize((7, 8), max_size=9)(inputs[0])),
                 ("resize_err_aa", lambda: T.Resize(7, interpolation=IM.NEAREST, antialias=True)(inputs[0]))):
    try:
        fn()
        raise SystemExit(name + " did not fail")
    except (ValueError, TypeError) as e:
        case(name, **{"msg$": str(e)})

# ---- Resize ----
# size: [n] (an int) or [h, w]; interp 0 nearest 1 bilinear 2 bicubic; aa 0/1; max_size 0 = None
IMS = [IM.NEAREST, IM.BILINEAR, IM.BICUBIC]
resize_cfgs = []
for inp in (0, 1, 2, 3, 4):
    for size in ([7], [20], [5, 17], [11, 13]):
        for interp in (0, 1, 2):
            for aa in ((0, 1) if interp else (0,)):
                resize_cfgs.append(dict(inp=inp, size=size, interp=interp, aa=aa))
resize_cfgs += [dict(inp=0, size=[7], interp=1, aa=0, max=8), dict(inp=4, size=[10], interp=1, aa=1, max=12),
                dict(inp=0, size=[4], interp=2, aa=1, max=5), dict(inp=4, size=[3, 2], interp=2, aa=1),
                dict(inp=4, size=[64, 9], interp=1, aa=1), dict(inp=2, size=[3], interp=2, aa=1)]
for ci, cfg in enumerate(resize_cfgs):
    x = inputs[cfg["inp"]]
    size = cfg["size"][0] if len(cfg["size"]) == 1 else cfg["size"]
    t = T.Resize(size, interpolation=IMS[cfg["interp"]], max_size=cfg.get("max"),
                 antialias=bool(cfg["aa"]) if cfg["interp"] else None)
    y = t(x)
    case(f"resize_{ci}", inp=cfg["inp"], size=cfg["size"], interp=cfg["interp"], aa=cfg["aa"],
         max_size=cfg.get("max", 0), y=y)

# ---- RandomCrop with padding_mode="symmetric" ----
crop_cfgs = [dict(size=(4, 5), padding=[2]), dict(size=(10, 12), padding=[1, 2, 3, 0]),
             dict(size=(6, 9), padding=[1, 3]), dict(size=(13, 16), pad_if_needed=1),
             dict(size=(12, 14), padding=[1], pad_if_needed=1)]
for ci, cfg in enumerate(crop_cfgs):
    for inp in (0, 1, 3):
        for seed in range(3):
            torch.manual_seed(seed)
            t = T.RandomCrop(cfg["size"], padding=cfg.get("padding"), pad_if_needed=bool(cfg.get("pad_if_needed")),
                             padding_mode="symmetric")
            y = t(inputs[inp])
            case(f"crop_{ci}_{inp}_{seed}", inp=inp, size=list(cfg["size"]), padding=cfg.get("padding", []),
                 pad_if_needed=cfg.get("pad_if_needed", 0), seed=seed, y=y, after=after())

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data_transforms2.txt")
with open(path, "w") as f:
    f.write("# torchvision RandomRotation / Resize / symmetric RandomCrop vectors (gen_data_transforms2.py)\n"
            + "\n".join(out) + "\n")
print(path, len([l for l in out if l.startswith("case")]), os.path.getsize(path))
