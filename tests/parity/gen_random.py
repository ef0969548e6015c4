"""Parity vectors for the random stream (tests/tensor/test_random.c).

Run with /usr/bin/python3 (Debian's torch 1.13.1):
    /usr/bin/python3 tests/parity/gen_random.py
writes tests/parity/data/random.txt. Floats are written as raw bits in hex
(bits key, in the tensor's logical row-major order), integers in decimal.
"""
import os
import warnings

import torch

warnings.simplefilter("ignore")
assert torch.__version__.startswith("1.13"), torch.__version__  # Debian 1.13.1 reports 1.13.0a0

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "random.txt")
SEEDS = [0, 42, 12345]
SIZES = [1, 5, 15, 16, 17, 100, 1000]
DT = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
      "bfloat16": torch.bfloat16, "int64": torch.int64, "int32": torch.int32,
      "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool}
lines = []


def emit(key, *toks):
    lines.append(" ".join([key] + [str(t) for t in toks]))


def values(key, t):
    """Write t's elements in logical order: bits for floats, ints otherwise."""
    t = t.contiguous().reshape(-1)
    if t.dtype == torch.float32:
        emit(key, *["%08x" % (v & 0xFFFFFFFF) for v in t.view(torch.int32).tolist()])
    elif t.dtype == torch.float64:
        emit(key, *["%016x" % (v & 0xFFFFFFFFFFFFFFFF) for v in t.view(torch.int64).tolist()])
    elif t.dtype in (torch.float16, torch.bfloat16):
        emit(key, *["%04x" % (v & 0xFFFF) for v in t.view(torch.int16).tolist()])
    else:
        emit(key, *[int(v) for v in t.tolist()])


def fhex(x):
    return float(x).hex()


# at 1000 elements only these ops are written (keeps the file small)
BIG_OK = {"rand", "randn", "normal_", "uniform_", "randint", "randperm", "random_", "normal_tt",
          "state", "state_legacy"}
skipping = False


def case(name, op, seed, dtype, size, **kw):
    global skipping
    numel = 1
    for s in size:
        numel *= s
    skipping = numel >= 1000 and op not in BIG_OK and not name.startswith("randperm_")
    if skipping:
        return
    lines.append("case " + name)
    emit("op", op)
    emit("seed", seed)
    emit("dtype", dtype)
    emit("size", *size)
    for k, v in kw.items():
        if isinstance(v, torch.Tensor):
            values(k, v)
        elif isinstance(v, float):
            emit(k, fhex(v))
        elif isinstance(v, (list, tuple)):
            emit(k, *v)
        else:
            emit(k, v)


def end():
    if not skipping:
        lines.append("end")


def inputs(n, dtype):
    """Deterministic mean / std / p inputs, written into the vectors too."""
    mean = torch.linspace(-3, 3, n, dtype=torch.float64).to(dtype)
    std = torch.linspace(0.25, 2.5, n, dtype=torch.float64).to(dtype)
    p = torch.linspace(0, 1, n, dtype=torch.float64).to(dtype)
    return mean, std, p


for seed in SEEDS:
    for n in SIZES:
        for dn in ["float32", "float64"]:
            dt = DT[dn]
            tag = "%s_%d_%s" % (dn, n, seed)
            torch.manual_seed(seed); case("rand_" + tag, "rand", seed, dn, [n], out=torch.rand(n, dtype=dt)); end()
            torch.manual_seed(seed); case("randn_" + tag, "randn", seed, dn, [n], out=torch.randn(n, dtype=dt)); end()
            torch.manual_seed(seed)
            case("uniform_" + tag, "uniform_", seed, dn, [n], a=-2.5, b=7.25,
                 out=torch.empty(n, dtype=dt).uniform_(-2.5, 7.25)); end()
            torch.manual_seed(seed)
            case("normal_" + tag, "normal_", seed, dn, [n], a=1.5, b=0.75,
                 out=torch.empty(n, dtype=dt).normal_(1.5, 0.75)); end()
            # non-contiguous: a transposed (n, 2) buffer viewed as (2, n)
            torch.manual_seed(seed)
            x = torch.empty(n, 2, dtype=dt).t()
            x.normal_(-1.0, 2.0)
            case("normal_t_" + tag, "normal_t", seed, dn, [2, n], a=-1.0, b=2.0, out=x); end()
            torch.manual_seed(seed)
            case("normal_size_" + tag, "normal_size", seed, dn, [n], a=0.5, b=3.0,
                 out=torch.normal(0.5, 3.0, (n,), dtype=dt)); end()
            mean, std, p = inputs(n, dt)
            torch.manual_seed(seed)
            case("normal_tt_" + tag, "normal_tt", seed, dn, [n], mean=mean, std=std, out=torch.normal(mean, std)); end()
            torch.manual_seed(seed)
            case("normal_st_" + tag, "normal_st", seed, dn, [n], a=0.3, std=std, out=torch.normal(0.3, std)); end()
            torch.manual_seed(seed)
            case("normal_ts_" + tag, "normal_ts", seed, dn, [n], mean=mean, b=1.7, out=torch.normal(mean, 1.7)); end()
            torch.manual_seed(seed)
            case("bernoulli_" + tag, "bernoulli", seed, dn, [n], p=p, out=torch.bernoulli(p)); end()
            torch.manual_seed(seed)
            case("bernoulli_s_" + tag, "bernoulli_s", seed, dn, [n], a=0.3,
                 out=torch.bernoulli(torch.zeros(n, dtype=dt), 0.3)); end()
            torch.manual_seed(seed)
            case("random_" + tag, "random_", seed, dn, [n], out=torch.empty(n, dtype=dt).random_()); end()
            torch.manual_seed(seed)
            case("random_range_" + tag, "random_range_", seed, dn, [n], lo=-50, hi=1000,
                 out=torch.empty(n, dtype=dt).random_(-50, 1000)); end()
            like = torch.empty(n, 3, dtype=dt).t()  # a transposed input: preserve_format
            torch.manual_seed(seed)
            case("rand_like_" + tag, "rand_like", seed, dn, [3, n], out=torch.rand_like(like)); end()
            torch.manual_seed(seed)
            case("randn_like_" + tag, "randn_like", seed, dn, [3, n], out=torch.randn_like(like)); end()
            torch.manual_seed(seed)
            case("randint_like_" + tag, "randint_like", seed, dn, [3, n], lo=3, hi=77,
                 out=torch.randint_like(like, 3, 77)); end()
        # integer outputs
        tag = "%d_%d" % (n, seed)
        torch.manual_seed(seed)
        case("randint_" + tag, "randint", seed, "int64", [n], lo=-7, hi=12345, out=torch.randint(-7, 12345, (n,))); end()
        torch.manual_seed(seed)
        case("randint_big_" + tag, "randint", seed, "int64", [n], lo=-(2**40), hi=2**41,
             out=torch.randint(-(2**40), 2**41, (n,))); end()
        torch.manual_seed(seed)
        case("randperm_" + tag, "randperm", seed, "int64", [n], out=torch.randperm(n)); end()
        for dn in ["int64", "int32", "int16", "int8", "uint8", "bool", "float16", "bfloat16"]:
            torch.manual_seed(seed)
            case("random_%s_%s" % (dn, tag), "random_", seed, dn, [n], out=torch.empty(n, dtype=DT[dn]).random_()); end()
        for dn in ["float16", "bfloat16"]:
            dt = DT[dn]
            t2 = "%s_%s" % (dn, tag)
            torch.manual_seed(seed); case("rand_" + t2, "rand", seed, dn, [n], out=torch.rand(n, dtype=dt)); end()
            torch.manual_seed(seed); case("randn_" + t2, "randn", seed, dn, [n], out=torch.randn(n, dtype=dt)); end()
            torch.manual_seed(seed)
            case("uniform_" + t2, "uniform_", seed, dn, [n], a=-2.5, b=7.25,
                 out=torch.empty(n, dtype=dt).uniform_(-2.5, 7.25)); end()
            torch.manual_seed(seed)
            case("normal_" + t2, "normal_", seed, dn, [n], a=1.5, b=0.75,
                 out=torch.empty(n, dtype=dt).normal_(1.5, 0.75)); end()
            torch.manual_seed(seed)
            case("randint_" + t2, "randint", seed, dn, [n], lo=-100, hi=100,
                 out=torch.randint(-100, 100, (n,), dtype=dt)); end()
    # randint with a huge range, float32/float64/bfloat16 outputs (random64)
    for dn in ["float32", "float64", "bfloat16", "int32"]:
        torch.manual_seed(seed)
        lo, hi = (-(2**33), 2**34) if dn != "int32" else (-(2**31), 2**31 - 1)
        case("randint_wide_%s_%d" % (dn, seed), "randint", seed, dn, [50], lo=lo, hi=hi,
             out=torch.randint(lo, hi, (50,), dtype=DT[dn])); end()

# randperm for other dtypes
for seed in SEEDS:
    for dn, n in [("int32", 100), ("uint8", 200), ("float32", 100), ("float64", 1000), ("float16", 300),
                  ("bfloat16", 50), ("int16", 1000)]:
        torch.manual_seed(seed)
        case("randperm_%s_%d_%d" % (dn, n, seed), "randperm", seed, dn, [n], out=torch.randperm(n, dtype=DT[dn])); end()

# sequences: the cached normal across dtypes and across vector-path calls
for seed in SEEDS:
    torch.manual_seed(seed)
    a = torch.randn(3, dtype=torch.float64)     # scalar path: leaves a spare
    b = torch.randn(40, dtype=torch.float32)    # vector path: spare survives
    c = torch.randn(1, dtype=torch.float32)     # uses the spare
    d = torch.randn(5, dtype=torch.float16)     # scalar path again
    e = torch.rand(3, dtype=torch.float64)
    f = torch.randn(2, dtype=torch.bfloat16)
    g = torch.empty(4, 5, dtype=torch.float64).t().normal_(2.0, 0.5)
    case("seq_%d" % seed, "seq", seed, "float64", [0], out0=a, out1=b, out2=c, out3=d, out4=e, out5=f, out6=g); end()

# generator objects are independent of the default generator
for seed in SEEDS:
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed + 1)
    a = torch.randn(3, generator=gen, dtype=torch.float64)
    b = torch.rand(5)
    c = torch.randn(3, generator=gen, dtype=torch.float64)
    d = torch.randint(0, 10, (6,), generator=gen)
    e = torch.randn(17)
    f = torch.randperm(10, generator=gen)
    fresh = torch.Generator()
    h = torch.rand(4, generator=fresh)
    case("gen_%d" % seed, "gen", seed, "float64", [0], out0=a, out1=b, out2=c, out3=d, out4=e, out5=f, out6=h,
         initial=gen.initial_seed(), fresh_initial=fresh.initial_seed()); end()

# state bytes: after a seed and some draws (with a cached normal), then the following draws
for seed in SEEDS:
    torch.manual_seed(seed)
    torch.randn(3, dtype=torch.float64)
    torch.rand(700)
    st = torch.get_rng_state()
    a = torch.randn(5, dtype=torch.float64)
    b = torch.rand(20)
    case("state_%d" % seed, "state", seed, "uint8", [st.numel()], state=st, out0=a, out1=b); end()
# a legacy (5048-byte) state with a valid (x, rho) cache
torch.manual_seed(7)
torch.rand(10)
st = torch.get_rng_state()[:5048].clone()
import struct
buf = bytearray(st.numpy().tobytes())
struct.pack_into("<ddd", buf, 8 + 4 + 4 + 8 + 624 * 8, 0.3125, 0.0, 1.75)  # normal_x, normal_y, normal_rho
struct.pack_into("<i", buf, 8 + 4 + 4 + 8 + 624 * 8 + 24, 1)
st = torch.tensor(list(buf), dtype=torch.uint8)
torch.set_rng_state(st)
a = torch.randn(3, dtype=torch.float64)
b = torch.rand(4)
case("state_legacy", "state_legacy", 7, "uint8", [st.numel()], state=st, out0=a, out1=b, back=torch.get_rng_state())
end()
# seeds beyond 32 bits
for s in [2**32 + 5, 2**64 - 1]:
    torch.manual_seed(s)
    case("seed_%d" % s, "seedwide", s, "float32", [4], out=torch.rand(4), initial=torch.initial_seed()); end()
torch.manual_seed(-1)
case("seed_minus1", "seedwide", 2**64 - 1, "float32", [4], out=torch.rand(4), initial=torch.initial_seed()); end()


# error messages
def err(name, fn):
    try:
        fn()
        raise SystemExit("expected an error: " + name)
    except (RuntimeError, TypeError) as e:
        lines.append("case err_" + name)
        lines.append("msg$ " + str(e).split("\n")[0].replace("\\", "\\\\"))
        lines.append("end")


err("randint_eq", lambda: torch.randint(5, 5, (3,)))
err("randint_gt", lambda: torch.randint(5, 2, (3,)))
err("rand_long", lambda: torch.rand(2, dtype=torch.long))
err("randn_int", lambda: torch.randn(2, dtype=torch.int32))
err("normal_std", lambda: torch.empty(3).normal_(0, -1))
err("normal_std_tensor", lambda: torch.normal(torch.zeros(3), -torch.ones(3)))
err("normal_bcast", lambda: torch.normal(torch.zeros(3), torch.ones(4)))
err("uniform_order", lambda: torch.empty(3).uniform_(1, 0))
err("uniform_range", lambda: torch.empty(3).uniform_(-3e38, 3e38))
err("uniform_half_bounds", lambda: torch.empty(3, dtype=torch.float16).uniform_(-70000, 1))
err("bernoulli_p", lambda: torch.empty(3).bernoulli_(1.5))
err("bernoulli_tensor_p", lambda: torch.bernoulli(torch.tensor([0.5, 1.5])))
err("bernoulli_long", lambda: torch.bernoulli(torch.tensor([1, 0])))
err("randperm_neg", lambda: torch.randperm(-1))
err("randperm_uint8", lambda: torch.randperm(300, dtype=torch.uint8))
err("randperm_half", lambda: torch.randperm(5000, dtype=torch.float16))
err("randperm_bool", lambda: torch.randperm(3, dtype=torch.bool))
err("random_uint8", lambda: torch.empty(3, dtype=torch.uint8).random_(0, 300))
err("random_int8_from", lambda: torch.empty(3, dtype=torch.int8).random_(-200, 3))
err("random_bool", lambda: torch.empty(3, dtype=torch.bool).random_(0, 3))
err("state_dtype", lambda: torch.set_rng_state(torch.zeros(10)))
err("state_size", lambda: torch.set_rng_state(torch.zeros(10, dtype=torch.uint8)))
err("overlap", lambda: torch.zeros(1).expand(3).normal_())

with open(OUT, "w") as f:
    f.write("# generated by tests/parity/gen_random.py with torch %s\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print("wrote", OUT, len(lines), "lines")
