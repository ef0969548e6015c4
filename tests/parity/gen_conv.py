"""Parity vectors for the conv family (F.conv1d/2d/3d, F.conv_transpose*,
F.unfold/F.fold, F.pad) from PyTorch 1.13.1: values, errors, grad_fn names,
gradients (tests/ops/test_conv.c replays them through op_harness), and the
module checks (default init after a seed, repr) for tests/nn/test_conv.c.
Run with /usr/bin/python3."""
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

from op_cases import Writer

HERE = os.path.dirname(os.path.abspath(__file__))
W = Writer(os.path.join(HERE, "data", "conv.txt"))
make, case = W.make, W.case
FLOATS = [torch.float64, torch.float32]
CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONVT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def ex(**kv):
    return [f"{k} {' '.join(map(str, v))}" if isinstance(v, (tuple, list)) else f"{k}$ {v}" for k, v in kv.items()]


def conv_case(nsp, dt, n, cin, cout, size, k, stride=1, pad=0, dil=1, groups=1, bias=True, padding_str=None,
              tuple_args=None):
    x = make((n, cin) + size, dt)
    kk = k if isinstance(k, tuple) else (k,) * nsp
    w = make((cout, cin // groups) + kk, dt)
    extra = ["kernel " + " ".join(map(str, kk))]
    if padding_str:
        extra += ex(padding_str=padding_str)
    kw = dict(stride=stride, padding=padding_str or pad, dilation=dil, groups=groups)
    if tuple_args:
        kw.update(tuple_args)
        extra += [f"{k}_nd {' '.join(map(str, v))}" for k, v in tuple_args.items()]
    ins = [x, w] + ([make((cout,), dt)] if bias else [])
    case(f"conv{nsp}d", lambda x, w, *rest: CONV[nsp](x, w, rest[0] if bias else None, **kw), ins,
         (stride, pad, dil, groups, float(bias)), extra=extra)


def convt_case(nsp, dt, n, cin, cout, size, k, stride=1, pad=0, dil=1, groups=1, opad=0, bias=True):
    x = make((n, cin) + size, dt)
    kk = (k,) * nsp
    w = make((cin, cout // groups) + kk, dt)
    ins = [x, w] + ([make((cout,), dt)] if bias else [])
    case(f"conv_transpose{nsp}d",
         lambda x, w, *rest: CONVT[nsp](x, w, rest[0] if bias else None, stride=stride, padding=pad,
                                        output_padding=opad, groups=groups, dilation=dil),
         ins, (stride, pad, dil, groups, float(bias), opad))


for dt in FLOATS:
    conv_case(2, dt, 2, 1, 3, (6, 6), 3)
    conv_case(2, dt, 2, 3, 4, (7, 6), 3, stride=2, pad=1)
    conv_case(2, dt, 1, 4, 4, (6, 6), 3, groups=2, dil=2, pad=2, bias=False)
    conv_case(2, dt, 2, 3, 3, (5, 5), 3, groups=3)               # depthwise
    conv_case(2, dt, 2, 3, 5, (4, 4), 1)                         # 1x1
    conv_case(2, dt, 2, 2, 3, (5, 6), (2, 3), tuple_args={"stride": (2, 1), "padding": (1, 0)})
    conv_case(2, dt, 2, 2, 3, (5, 6), 3, padding_str="same")
    conv_case(2, dt, 2, 2, 3, (5, 6), 4, padding_str="same", dil=1)  # asymmetric 'same'
    conv_case(2, dt, 2, 2, 3, (5, 6), 3, padding_str="valid")
    conv_case(1, dt, 2, 3, 2, (9,), 3, stride=2, pad=1)
    conv_case(1, dt, 3, 4, 2, (8,), 2, groups=2, dil=3)
    conv_case(3, dt, 1, 2, 2, (4, 5, 3), 2, pad=1)
    conv_case(3, dt, 2, 2, 4, (3, 4, 4), 3, stride=2, pad=1, groups=2)
    convt_case(2, dt, 2, 3, 2, (4, 4), 3)
    convt_case(2, dt, 2, 2, 4, (3, 3), 3, stride=2, pad=1, opad=1, groups=2)
    convt_case(2, dt, 1, 2, 2, (3, 4), 2, stride=3, dil=2, opad=1, bias=False)
    convt_case(1, dt, 2, 3, 2, (5,), 3, stride=2)
    convt_case(3, dt, 1, 2, 2, (2, 3, 2), 2, stride=2, pad=1)
# unbatched and float32 LeNet-sized
case("conv2d", lambda x, w, b, *a: F.conv2d(x, w, b), [make((3, 6, 6), torch.float64), make((2, 3, 3, 3), torch.float64),
                                                     make((2,), torch.float64)], (1, 0, 1, 1, 1.0),
     extra=["kernel 3 3"])
conv_case(2, torch.float32, 2, 1, 6, (9, 9), 5)
conv_case(2, torch.float32, 2, 6, 4, (7, 7), 5)
# stride 1 with output rows of 9-16 and > 16 (im2col/col2im copy whole
# vector blocks there, the last one overlapping), with and without padding
for dt in FLOATS:
    conv_case(2, dt, 2, 2, 3, (12, 14), 5)                       # rows of 10
    conv_case(2, dt, 1, 2, 2, (6, 21), 3, pad=2)                 # rows of 23, padded
    conv_case(2, dt, 2, 1, 2, (7, 28), 5, pad=2)                 # rows as wide as the image
    convt_case(2, dt, 1, 2, 3, (5, 12), 3, pad=1)                # col2im forward, rows of 12
# depthwise (groups == input channels: conv_depthwise.c's direct loops)
for dt in FLOATS:
    conv_case(2, dt, 2, 4, 8, (9, 11), 3, pad=1, groups=4)       # two outputs per channel
    conv_case(2, dt, 2, 3, 3, (10, 12), 3, stride=2, pad=2, dil=2, groups=3)
    conv_case(2, dt, 1, 4, 4, (6, 20), 5, pad=2, groups=4, bias=False)
    conv_case(1, dt, 2, 3, 6, (17,), 3, pad=1, groups=3)
    convt_case(2, dt, 2, 3, 3, (5, 6), 3, stride=2, pad=1, groups=3)
# errors
E = torch.float32
def cerr(x, w, b=None, args=(1, 0, 1, 1), **kw):
    ins = [x, w] + ([b] if b is not None else [])
    has_b = b is not None
    kw.setdefault("padding", args[1])
    W.error("conv2d", lambda x, w, *r: F.conv2d(x, w, r[0] if has_b else None, stride=args[0],
                                                dilation=args[2], groups=args[3], **kw),
            ins, tuple(args) + (float(b is not None),), extra=ex(padding=kw["padding"]) if isinstance(kw["padding"], str) else ())
cerr(make((2, 3, 8, 8), E), make((4, 1, 5, 5), E))
cerr(make((1, 3, 2, 2), E), make((4, 3, 5, 5), E))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, 0, 1, 2))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, 0, 1, 3))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, 0, 1, 5))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), make((3,), E))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), torch.float64))
cerr(make((2, 3, 8, 8), torch.float64), make((4, 3, 3, 3), E))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), make((4,), torch.float64))
cerr(make((3, 8), E), make((4, 3, 3, 3), E))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(-1, 0, 1, 1))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, -1, 1, 1))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, 0, -1, 1))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(1, 0, 1, -1))
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), args=(2, 0, 1, 1), padding="same")
cerr(make((2, 3, 8, 8), E), make((4, 3, 3, 3), E), padding="foo")
cerr(make((2, 3, 8, 8), torch.float16), make((4, 3, 3, 3), torch.float16))
W.error("conv_transpose2d", lambda x, w, *a: F.conv_transpose2d(x, w, stride=2, output_padding=2),
        [make((2, 3, 8, 8), E), make((3, 2, 3, 3), E)], (2, 0, 1, 1, 0.0, 2))
W.error("conv_transpose2d", lambda x, w, *a: F.conv_transpose2d(x, w), [make((2, 3, 8, 8), E), make((4, 2, 3, 3), E)],
        (1, 0, 1, 1, 0.0, 0))
W.error("conv_transpose2d", lambda x, w, *a: F.conv_transpose2d(x, w, padding=5),
        [make((2, 3, 8, 8), E), make((3, 2, 3, 3), E)], (1, 5, 1, 1, 0.0, 0))
W.error("conv_transpose1d", lambda x, w, *a: F.conv_transpose1d(x, w, output_padding=1),
        [make((2, 3, 8), E), make((3, 3, 3), E)], (1, 0, 1, 1, 0.0, 1))
W.error("conv_transpose3d", lambda x, w, *a: F.conv_transpose3d(x, w, output_padding=1),
        [make((2, 3, 4, 4, 4), E), make((3, 3, 3, 3, 3), E)], (1, 0, 1, 1, 0.0, 1))

# unfold / fold
for dt in FLOATS:
    case("unfold", lambda x, *a: F.unfold(x, 3), [make((2, 3, 5, 5), dt)], (3, 1, 0, 1))
    case("unfold", lambda x, *a: F.unfold(x, (2, 3), dilation=2, padding=1, stride=2), [make((2, 2, 6, 7), dt)],
         (0, 2, 1, 2), extra=["kernel 2 3"])
    case("unfold", lambda x, *a: F.unfold(x, 2), [make((3, 4, 4), dt)], (2, 1, 0, 1))
    case("fold", lambda x, *a: F.fold(x, (4, 5), 3), [make((2, 18, 6), dt)], (3, 1, 0, 1), extra=["osize 4 5"])
    case("fold", lambda x, *a: F.fold(x, (5, 5), 2, dilation=1, padding=1, stride=2), [make((1, 8, 9), dt)],
         (2, 1, 1, 2), extra=["osize 5 5"])
W.error("unfold", lambda x, *a: F.unfold(x, 3), [make((2, 3, 2, 2), E)], (3, 1, 0, 1))
W.error("unfold", lambda x, *a: F.unfold(x, 3, stride=-1), [make((2, 3, 5, 5), E)], (3, 1, 0, -1))
W.error("fold", lambda x, *a: F.fold(x, (8, 8), 3), [make((2, 26, 36), E)], (3, 1, 0, 1), extra=["osize 8 8"])
W.error("fold", lambda x, *a: F.fold(x, (8, 8), 3), [make((2, 27, 35), E)], (3, 1, 0, 1), extra=["osize 8 8"])

# F.pad
MODES = ["constant", "reflect", "replicate", "circular"]
for dt in FLOATS:
    for mi, mode in enumerate(MODES):
        for shp, pad in [((2, 3, 5), (1, 2)), ((3, 5), (2, 0)), ((2, 3, 5, 6), (1, 2, 2, 1)), ((3, 4, 5), (0, 1, 3, 2)),
                         ((1, 2, 3, 4, 4), (1, 1, 2, 0, 1, 2))]:
            case("pad", lambda x, *a, m=mode, p=pad: F.pad(x, p, mode=m), [make(shp, dt)], (mi, 0.0),
                 extra=["pad " + " ".join(map(str, pad))])
    case("pad", lambda x, *a: F.pad(x, (1, -2, 2, 1), value=1.5), [make((2, 4, 5), dt)], (0, 1.5), extra=["pad 1 -2 2 1"])
    case("pad", lambda x, *a: F.pad(x, (1, 1, 0, 0, 2, 1), value=-3.0), [make((3, 4, 5), dt)], (0, -3.0),
         extra=["pad 1 1 0 0 2 1"])
case("pad", lambda x, *a: F.pad(x, (2, 1), value=7.0), [make((2, 3), torch.int64)], (0, 7.0), extra=["pad 2 1"])
for shp, pad, mi in [((2, 3, 5), (5, 5), 1), ((2, 3, 5, 5), (1, 1, 5, 1), 1), ((2, 3, 5, 5), (5, 1, 1, 1), 1),
                     ((2, 3, 5, 5, 5), (1, 1, 5, 1, 1, 1), 1), ((2, 3, 5), (6, 5), 3), ((2, 3, 5), (1,), 0),
                     ((2, 3, 5, 5), (1, 2), 1), ((2, 3, 5), (1, 1, 1, 1, 1, 1, 1, 1), 0), ((2, 3, 5), (-6, 1), 2)]:
    W.error("pad", lambda x, *a, m=MODES[mi], p=pad: F.pad(x, p, mode=m), [make(shp, E)], (mi, 0.0),
            extra=["pad " + " ".join(map(str, pad))])
W.error("pad", lambda x, *a: F.pad(x, (1, 1), mode="reflect", value=2.0), [make((2, 3, 5), E)], (1, 2.0),
        extra=["pad 1 1"])
W.error("pad", lambda x, *a: F.pad(x, (2, 1), mode="reflect"), [make((2, 3, 5), torch.int64)], (1, 0.0),
        extra=["pad 2 1"])
W.write("gen_conv.py")

# ---- modules: default init after a seed, reprs, forward --------------------------------------------------------
L = []


def hx(t):
    t = t.detach().reshape(-1)
    fmt = ">d" if t.dtype == torch.float64 else ">f"
    return " ".join(struct.pack(fmt, v).hex() for v in t.tolist())


def mcase(name, **kv):
    L.append(f"case {name}")
    for k, v in kv.items():
        if isinstance(v, torch.Tensor):
            L.append(f"{k} {hx(v)}".rstrip())
        elif isinstance(v, str):
            L.append(f"{k}$ {v}")
        else:
            L.append(f"{k} {v}")
    L.append("end")


MODS = [
    ("conv2d_lenet", lambda: nn.Conv2d(1, 20, 5)),
    ("conv2d_opts", lambda: nn.Conv2d(1, 20, 5, stride=2, padding=1, bias=False)),
    ("conv2d_same", lambda: nn.Conv2d(4, 4, 3, padding="same", groups=2, dilation=2, padding_mode="reflect")),
    ("conv1d_valid", lambda: nn.Conv1d(2, 3, 3, padding="valid")),
    ("conv2d_circular", lambda: nn.Conv2d(2, 3, (2, 3), padding=(1, 2), padding_mode="circular")),
    ("conv1d_replicate", lambda: nn.Conv1d(2, 2, 3, padding=2, padding_mode="replicate")),
    ("convt2d", lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=1)),
    ("convt1d", lambda: nn.ConvTranspose1d(2, 4, 3, groups=2, dilation=2, padding=1)),
    ("conv3d", lambda: nn.Conv3d(2, 3, (1, 2, 3))),
    ("convt3d", lambda: nn.ConvTranspose3d(2, 2, 2, stride=2, bias=False)),
]
for name, ctor in MODS:
    torch.manual_seed(7)
    m = ctor()
    nxt = torch.rand(1)
    m = m.double()
    nsp = m.weight.dim() - 2
    cin = m.in_channels
    torch.manual_seed(11)
    x = torch.randn((2, cin) + (5,) * nsp, dtype=torch.float64)
    y = m(x)
    mcase(name, repr=repr(m), weight=m.weight, bias=m.bias if m.bias is not None else torch.zeros(0),
          next=nxt, x=x, y=y, keys=" ".join(m.state_dict().keys()))
for name, m in [("unfold", nn.Unfold(3)), ("unfold_t", nn.Unfold((2, 3), dilation=2, padding=1, stride=2)),
                ("fold", nn.Fold((4, 5), 3)), ("rpad2", nn.ReflectionPad2d(2)), ("reppad1", nn.ReplicationPad1d((1, 2))),
                ("cpad2", nn.ConstantPad2d(1, 3.5)), ("zpad2", nn.ZeroPad2d((1, 2, 3, 4))),
                ("cpad1", nn.ConstantPad1d(2, 0.0)), ("rpad3", nn.ReflectionPad3d(1)),
                ("reppad3", nn.ReplicationPad3d((1, 0, 1, 0, 0, 1))),
                ("cpad3", nn.ConstantPad3d((1, 1, 1, 1, 2, 2), -1.0))]:
    mcase("repr_" + name, repr=repr(m))
with open(os.path.join(HERE, "data", "conv_modules.txt"), "w") as f:
    f.write("# generated by tests/parity/gen_conv.py with torch %s\n" % torch.__version__)
    f.write("\n".join(L) + "\n")
