#!/usr/bin/python3
"""Parity vectors for the factories (ct_arange, ct_range, ct_linspace,
ct_logspace, ct_eye, ct_full, ...). Run with /usr/bin/python3 (torch 1.13.1).
Writes data/create.txt.

Each case: op <name>; args <token>... (floats as float.hex); dtype <name or
default>; then either error$ <PyTorch's message> or out_dtype, n and either
bits (every element's raw bits in hex) or fnv (FNV-1a 64 of the raw bytes,
for long outputs)."""
import math
import os
import warnings

import torch

torch.set_num_threads(1)  # > 32768 elements PyTorch would split by threads
warnings.simplefilter("ignore")

DT = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "float16": torch.float16,
    "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
}
VIEW = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
FULL_BITS_MAX = 5000

out = []


def tok(x):
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, int):
        return str(x)
    return float(x).hex()


def raw_bytes(t):
    t = t.contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes()


def bits_of(t):
    size = t.element_size()
    b = raw_bytes(t)
    return ["%0*x" % (2 * size, int.from_bytes(b[i:i + size], "little")) for i in range(0, len(b), size)]


def fnv(b):
    h = 0xcbf29ce484222325
    for c in b:
        h ^= c
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def emit(op, args, dtype, fn):
    name = "%s_%d" % (op, len(out))
    lines = ["case " + name, "op " + op, "args " + " ".join(tok(a) for a in args), "dtype " + (dtype or "default")]
    try:
        t = fn()
    except Exception as ex:  # noqa: BLE001 - any PyTorch error is a vector
        lines.append("error$ " + esc(str(ex).split("\n")[0]))
    else:
        lines.append("out_dtype " + str(t.dtype)[6:])
        lines.append("shape " + " ".join(str(s) for s in t.shape))
        lines.append("n %d" % t.numel())
        if t.numel() <= FULL_BITS_MAX:
            lines.append("bits " + " ".join(bits_of(t)))
        else:
            lines.append("fnv " + fnv(raw_bytes(t)))
    lines.append("end")
    out.append("\n".join(lines))


def kw(dtype):
    return {} if dtype is None else {"dtype": DT[dtype]}


ALL = list(DT)
NONBOOL = [d for d in ALL if d != "bool"]
FLOATS = ["float16", "bfloat16", "float32", "float64"]

# ---- arange with integer arguments ----
for a in [(0, 10, 1), (-5, 5, 3), (10, 0, -3), (0, 100, 7), (0, 300, 10), (-7, 40, 1), (3, 3, 1),
          (0, 10, 0), (0, -1, 1), (5, 10, -1), (-(2**62), 2**62, 2**60)]:
    for d in [None] + ALL:
        emit("arange_i", a, d, lambda: torch.arange(*a, **kw(d)))

# ---- arange with floating arguments ----
fcases = [(0.0, 1.0, 0.1), (-1.5, 2.7, 0.3), (1.0, 0.0, -0.1), (0.0, 0.3, 0.1), (0.0, 2.5, 1.0),
          (0.5, 10.7, 0.37), (-3.25, 60.0, 0.5), (100.0, -100.0, -1.7), (0.0, 1.0, 0.0), (0.0, -1.0, 0.5),
          (0.0, math.inf, 1.0), (-math.inf, 0.0, 1.0), (0.0, math.nan, 1.0), (0.5, math.inf, 0.25),
          (0.0, 1e300, 1e-300), (0.0, 1e40, 1e38), (0.0, 1e20, 1e19), (1e-3, 7.0, 0.001),
          (-0.0, 5.0, 1.0), (0.0, 1.5, 0.5)]
for a in fcases:
    for d in [None] + ALL:
        emit("arange_f", a, d, lambda: torch.arange(*a, **kw(d)))
# lengths around the vector blocks (2*Vec::size()) and up to the grain size
for n in [7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 129, 1000, 4097, 32768]:
    for (s, st) in [(0.1, 0.0137), (-7.3, 0.3)]:
        e = s + st * (n - 0.5)
        for d in FLOATS:
            emit("arange_f", (s, e, st), d, lambda: torch.arange(s, e, st, **kw(d)))

# ---- range (deprecated, inclusive end) ----
for a in [(0.0, 1.0, 0.25), (0.0, 1.0, 0.1), (-1.0, 1.0, 0.3), (1.0, 0.0, -0.1), (0.0, 10.0, 2.5),
          (0.0, 100.0, 0.7), (0.0, 1.0, 0.0), (0.0, -1.0, 1.0), (0.0, math.inf, 1.0), (2.0, 2.0, 1.0)]:
    for d in [None] + ALL:
        emit("range", a, d, lambda: torch.range(*a, **kw(d)))

# ---- linspace / logspace ----
for (s, e) in [(0.0, 1.0), (-3.3, 7.1), (5.0, -5.0), (1e-3, 1e3), (-100.0, 250.0), (0.0, 0.0)]:
    for steps in [0, 1, 2, 3, 4, 5, 10, 11, 100, 1001]:
        for d in [None] + ALL:
            emit("linspace", (s, e, steps), d, lambda: torch.linspace(s, e, steps, **kw(d)))
for a in [(0.0, 1.0, -1), (0.0, 1e6, 5), (0.0, 300.0, 5), (0.0, math.nan, 5), (-1.5, 2.0, 5), (0.0, 1e10, 5),
          (0.0, 1e300, 5), (0.0, math.inf, 5)]:
    for d in [None] + ALL:
        emit("linspace", a, d, lambda: torch.linspace(*a, **kw(d)))
for base in [2.0, 10.0, math.e, 0.5]:
    for (s, e) in [(0.0, 1.0), (-2.0, 2.0), (0.0, 3.0), (1.3, -4.7)]:
        for steps in [0, 1, 2, 5, 10, 33]:
            for d in [None] + ALL:
                emit("logspace", (s, e, steps, base), d, lambda: torch.logspace(s, e, steps, base, **kw(d)))
for a in [(0.0, 1.0, -2, 10.0), (0.0, 40.0, 5, 10.0), (0.0, 1e6, 3, 10.0)]:
    for d in [None] + ALL:
        emit("logspace", a, d, lambda: torch.logspace(*a, **kw(d)))

# ---- eye ----
for a in [(3, -1), (2, 4), (4, 2), (0, 3), (1, -1), (0, -1), (-1, -1), (2, -2)]:
    for d in [None] + ALL:
        if a[1] == -1:
            emit("eye", a, d, lambda: torch.eye(a[0], **kw(d)))
        else:
            emit("eye", a, d, lambda: torch.eye(*a, **kw(d)))

# ---- full / scalar_tensor ----
for v in [0.0, 1.0, -1.0, 2.5, -1.5, 300.5, 255.0, 1e10, -1e20, 65504.0, 65520.0, 1e39, math.nan, math.inf,
          -math.inf, -0.0, 1e-8, 3.3895313892515355e38, 3.4e38]:
    for d in [None] + ALL:
        emit("full", (v,), d, lambda: torch.full((2, 3), v, **kw(d)))
        emit("scalar_tensor", (v,), d, lambda: torch.scalar_tensor(v, **kw(d)))
for shape in [(2, -1), (-1, 2), (0, 3)]:
    emit("zeros", shape, None, lambda: torch.zeros(*shape))
    emit("ones", shape, "int32", lambda: torch.ones(*shape, dtype=torch.int32))
    emit("empty", shape, None, lambda: torch.empty(*shape).zero_())

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "create.txt")
with open(path, "w") as f:
    f.write("# generated by tests/parity/gen_create.py with torch %s\n" % torch.__version__)
    f.write("\n".join(out) + "\n")
print(path, len(out), "cases")
