"""Parity vectors for the misc nn family (embeddings, shuffles, resampling,
bilinear): values, errors, grad_fn names and gradients from PyTorch 1.13.1.
Run with /usr/bin/python3 (Debian's python3-torch).

args conventions (NaN = None):
  embedding: padding_idx, max_norm, norm_type, scale_grad_by_freq
  embedding_bag: mode (0 mean, 1 sum, 2 max), padding_idx, include_last_offset,
                 scale_grad_by_freq, max_norm; inputs: idx, weight[, offsets][, psw]
                 (key 'has_offsets' / 'has_psw')"""
import math
import os

import torch
import torch.nn.functional as F

from op_cases import Writer

W = Writer(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "misc.txt"))
make, case = W.make, W.case
NAN = float("nan")
FLOATS = [torch.float64, torch.float32]


def opt(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def emb(i, w, pad, mn, nt, sg):
    return F.embedding(i, w, padding_idx=None if math.isnan(pad) else int(pad), max_norm=opt(mn), norm_type=nt,
                       scale_grad_by_freq=bool(sg))


I = torch.tensor
for dt in FLOATS:
    w = make((6, 3), dt)
    for idx in [I([[0, 2, 5], [2, 2, 1]]), I(3), I([1, 4, 1, 0]), I([], dtype=torch.long),
                I([[1, 0], [3, 3]], dtype=torch.int32)]:
        case("embedding", emb, [idx, w], (NAN, NAN, 2.0, 0))
        # padding_idx / scale_grad_by_freq change the gradient on purpose: no gradcheck
        case("embedding_nogc", emb, [idx, w], (0, NAN, 2.0, 0))
        case("embedding_nogc", emb, [idx, w], (-1, NAN, 2.0, 1))
        case("embedding_nogc", emb, [idx, w], (NAN, NAN, 2.0, 1))
    case("embedding_nogc", emb, [I([[0, 2, 5], [2, 2, 1]]), w], layout=["c", "t"] and None, args=(2, NAN, 2.0, 1))
# max_norm renormalises the weight in place (float32: no gradcheck on a mutating op)
w = make((6, 3), torch.float32) * 2
for mn, nt in [(1.0, 2.0), (0.5, 1.0), (1.5, 3.0), (100.0, 2.0)]:
    case("embedding", emb, [I([0, 2, 2, 5]), w.clone()], (NAN, mn, nt, 0))
# errors
w = make((5, 3), torch.float64)
W.error("embedding", emb, [I([5]), w], (NAN, NAN, 2.0, 0))
W.error("embedding", emb, [I([-1]), w], (NAN, NAN, 2.0, 0))
W.error("embedding", emb, [I([1.0]), w], (NAN, NAN, 2.0, 0))
W.error("embedding", emb, [I([1]), w], (5, NAN, 2.0, 0))
W.error("embedding", emb, [I([1]), w], (-6, NAN, 2.0, 0))
W.error("embedding", emb, [I([1]), make((5,), torch.float64)], (NAN, NAN, 2.0, 0))

# one_hot
oh = lambda t, n: F.one_hot(t, int(n))
case("one_hot", oh, [I([0, 3, 1])], (-1,))
case("one_hot", oh, [I([[0, 3], [1, 1]])], (5,))
case("one_hot", oh, [I([], dtype=torch.long)], (4,))
W.error("one_hot", oh, [I([0, 3, 1])], (3,))
W.error("one_hot", oh, [I([0, -1])], (3,))
W.error("one_hot", oh, [I([], dtype=torch.long)], (-1,))
W.error("one_hot", oh, [I([0.0])], (3,))

# embedding_bag
MODES = ["mean", "sum", "max"]


def bag(mode, pad, ilo, sg, mn, has_off, has_psw):
    def f(i, w, *rest):
        rest = list(rest)
        off = rest.pop(0) if has_off else None
        psw = rest.pop(0) if has_psw else None
        return F.embedding_bag(i, w, off, mode=MODES[int(mode)], padding_idx=None if math.isnan(pad) else int(pad),
                               include_last_offset=bool(ilo), scale_grad_by_freq=bool(sg), max_norm=opt(mn),
                               per_sample_weights=psw)
    return f


def bag_case(inputs, mode, pad=NAN, ilo=0, sg=0, mn=NAN, has_off=True, has_psw=False, err=False):
    args = (mode, pad, ilo, sg, mn)
    extra = [f"has_offsets {int(has_off)}", f"has_psw {int(has_psw)}"]
    name = "embedding_bag_nogc" if sg else "embedding_bag"
    (W.error if err else case)(name, lambda *a: bag(*a[-5:], has_off, has_psw)(*a[:-5]), inputs, args,
                               extra=extra)


for dt in FLOATS:
    w = make((7, 4), dt)
    idx, off = I([0, 2, 5, 2, 6, 1, 1]), I([0, 3, 3, 5])
    for mode in range(3):
        bag_case([idx, w, off], mode)
        bag_case([idx, w, off], mode, pad=2)
        bag_case([idx, w, I([0, 3, 3, 5, 7])], mode, ilo=1)
        bag_case([I([[1, 3, 4], [6, 6, 0]]), w], mode, has_off=False)
        if mode != 2:
            bag_case([idx, w, off], mode, sg=1)
    bag_case([idx, w, off, make((7,), dt)], 1, has_psw=True)
    bag_case([I([[1, 3, 4], [6, 6, 0]]), w, make((2, 3), dt)], 1, has_off=False, has_psw=True)
    bag_case([idx.int(), w, off.int()], 0)
w = make((7, 4), torch.float32)
idx, off = I([0, 2, 5, 2, 6, 1, 1]), I([0, 3, 3, 5])
bag_case([idx, w * 3, off], 1, mn=1.0)
bag_case([idx, w, I([1, 3])], 0, err=True)
bag_case([idx, w, I([0, 9])], 0, err=True)
bag_case([idx, w, off], 0, pad=7, err=True)
bag_case([idx.float(), w, off], 0, err=True)
bag_case([idx, w, off, make((7,), torch.float32)], 0, has_psw=True, err=True)
bag_case([idx, w, off, make((6,), torch.float32)], 1, has_psw=True, err=True)
bag_case([idx, w, off], 2, sg=1, err=True)
bag_case([I([[1, 3, 4], [6, 6, 0]]), w, off], 0, err=True)
bag_case([idx, w, off, make((7,), torch.float64)], 1, has_psw=True, err=True)

# shuffles
for dt in FLOATS:
    case("pixel_shuffle", F.pixel_shuffle, [make((2, 8, 2, 3), dt)], (2,))
    case("pixel_shuffle", F.pixel_shuffle, [make((9, 2, 2), dt)], (3,))
    case("pixel_shuffle", F.pixel_shuffle, [make((2, 1, 4, 2, 2), dt)], (2,))
    case("pixel_unshuffle", F.pixel_unshuffle, [make((2, 2, 4, 6), dt)], (2,))
    case("pixel_unshuffle", F.pixel_unshuffle, [make((1, 3, 3), dt)], (3,))
    case("pixel_shuffle", F.pixel_shuffle, [make((1, 4, 2, 3), dt)], (1,))
    case("channel_shuffle", lambda x, g: F.channel_shuffle(x, int(g)), [make((2, 6, 2), dt)], (3,), grad=False)
    case("channel_shuffle", lambda x, g: F.channel_shuffle(x, int(g)), [make((1, 4, 2, 3), dt)], (2,), grad=False)
case("pixel_shuffle", F.pixel_shuffle, [make((1, 4, 1, 2), torch.int64)], (2,))
ps = lambda x, r: F.pixel_shuffle(x, int(r))
pu = lambda x, r: F.pixel_unshuffle(x, int(r))
cs = lambda x, g: F.channel_shuffle(x, int(g))
W.error("pixel_shuffle", ps, [make((1, 8, 2, 2), torch.float32)], (3,))
W.error("pixel_shuffle", ps, [make((2, 2), torch.float32)], (2,))
W.error("pixel_shuffle", ps, [make((1, 8, 2, 2), torch.float32)], (0,))
W.error("pixel_unshuffle", pu, [make((1, 8, 2, 2), torch.float32)], (3,))
W.error("pixel_unshuffle", pu, [make((1, 8, 4, 3), torch.float32)], (2,))
W.error("pixel_unshuffle", pu, [make((4, 4), torch.float32)], (2,))
W.error("pixel_unshuffle", pu, [make((1, 8, 4, 4), torch.float32)], (-1,))
W.error("channel_shuffle", cs, [make((1, 8, 2, 2), torch.float32)], (3,))
W.error("channel_shuffle", cs, [make((4,), torch.float32)], (2,))
W.error("channel_shuffle", cs, [make((1, 8, 2), torch.float32)], (0,))

W.write("gen_misc.py")
