"""repr(tensor) parity vectors for tests/tensor/test_print.c (PyTorch 1.13.1).

Run with /usr/bin/python3. Writes data/print.txt. Each case:
  dtype <name>                       torch dtype name ("float32", ...)
  shape <s0> <s1> ...                no tokens for a 0-dim tensor
  bits <hex> ...                     raw bits of every element (row-major), or
  make arange <n>                    torch.arange(n) (int64), built by ctorch too
  opts <precision> <threshold> <edgeitems> <linewidth> <auto|on|off>
  profile <default|short|full>       instead of opts
  requires_grad 1                    optional
  view transpose <d0> <d1>           optional: printed tensor is a view
  view slice <dim> <start> <end> <step>
  view expand <s0> <s1> ...          (stride-0 view: a huge tensor, no data)
  default_dtype float64              optional: torch.set_default_dtype
  expect$ <repr>                     or error$ <RuntimeError message>
"""
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "print.txt")

DTYPES = {
    "bool": torch.bool,
    "uint8": torch.uint8,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
}
BITS_VIEW = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}

cases = []


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def bits_of(t):
    flat = t.contiguous().reshape(-1)
    size = flat.element_size()
    if flat.dtype == torch.bool:
        flat = flat.to(torch.uint8)
    ints = flat.view(BITS_VIEW[size]).tolist()
    mask = (1 << (8 * size)) - 1
    width = 2 * size
    return ["%0*x" % (width, v & mask) for v in ints]


def case(name, t=None, dtype=None, opts=(4, 1000, 3, 80, None), profile=None, requires_grad=False, view=None,
         default_dtype=None, arange=None):
    """t: a tensor or nested list (converted with dtype)."""
    if arange is not None:
        base = torch.arange(arange)
    elif isinstance(t, torch.Tensor):
        base = t if dtype is None else t.to(DTYPES[dtype])
    else:
        base = torch.tensor(t, dtype=DTYPES[dtype])
    dname = str(base.dtype).replace("torch.", "")
    lines = ["case " + name, "dtype " + dname, "shape " + " ".join(str(s) for s in base.shape)]
    if arange is not None:
        lines.append("make arange %d" % arange)
    else:
        lines.append("bits " + " ".join(bits_of(base)))
    if profile is not None:
        torch.set_printoptions(profile=profile)
        lines.append("profile " + profile)
    else:
        p, th, e, lw, sci = opts
        torch.set_printoptions(precision=p, threshold=th, edgeitems=e, linewidth=lw, sci_mode=sci)
        lines.append("opts %d %d %d %d %s" % (p, th, e, lw, {None: "auto", True: "on", False: "off"}[sci]))
    x = base
    if requires_grad:
        x = base.clone().requires_grad_(True)
        lines.append("requires_grad 1")
    if view is not None:
        assert not requires_grad, "a view of a tensor requiring grad has a grad_fn"
        lines.append("view " + " ".join(str(v) for v in view))
        if view[0] == "transpose":
            x = x.transpose(view[1], view[2])
        elif view[0] == "expand":
            x = x.expand(*view[1:])
        else:
            dim, start, end, step = view[1:]
            idx = [slice(None)] * x.dim()
            idx[dim] = slice(start, end, step)
            x = x[tuple(idx)]
        assert not x.is_contiguous()
    if default_dtype is not None:
        torch.set_default_dtype(DTYPES[default_dtype])
        lines.append("default_dtype " + default_dtype)
    try:
        lines.append("expect$ " + esc(repr(x)))
    except RuntimeError as err:
        lines.append("error$ " + esc(str(err)))
    finally:
        torch.set_default_dtype(torch.float32)
        torch.set_printoptions(profile="default")
    lines.append("end")
    cases.append("\n".join(lines))


def opts(precision=4, threshold=1000, edgeitems=3, linewidth=80, sci=None):
    return (precision, threshold, edgeitems, linewidth, sci)


def main():
    g = torch.Generator().manual_seed(0)
    nan, inf = math.nan, math.inf

    # ---- every dtype, 1-D and 2-D, and 0-dim
    case("bool_1d", [True, False, True], "bool")
    case("bool_2d", [[True, False], [False, False]], "bool")
    case("uint8_1d", [0, 255, 17], "uint8")
    case("int8_1d", [-128, 127, 0, 5], "int8")
    case("int16_2d", [[-300, 2], [32767, -1]], "int16")
    case("int32_1d", [-5, 100000, 7], "int32")
    case("int64_1d", [-9223372036854775808, 9223372036854775807, 0], "int64")
    case("int64_2d_neg", [[-1, 1000000, 5], [42, -7, 0]], "int64")
    case("float16_1d", [1.5, -2.25, 65504.0, 0.1], "float16")
    case("float16_2d", [[0.001, 2.0], [3.5, -0.5]], "float16")
    case("bfloat16_1d", [1.5, -3.0e38, 0.1], "bfloat16")
    case("bfloat16_2d", [[0.1, 0.2], [0.3, 1.0]], "bfloat16")
    case("float32_1d", [1.5, -2.25, 3.14159], "float32")
    case("float64_1d", [1.5, -2.25, 3.14159], "float64")
    case("float32_randn_4x5", torch.randn(4, 5, generator=g))
    case("float64_randn_3x2", torch.randn(3, 2, generator=g, dtype=torch.float64))
    case("scalar_float32", 3.5, "float32")
    case("scalar_float64", -0.125, "float64")
    case("scalar_int64", 7, "int64")
    case("scalar_int8", -7, "int8")
    case("scalar_bool", True, "bool")
    case("scalar_float16", 0.3, "float16")
    case("scalar_bfloat16", 1e20, "bfloat16")
    case("scalar_nan", nan, "float32")
    case("scalar_negzero", -0.0, "float32")
    case("scalar_sci", 1e-7, "float32")

    # ---- empty
    case("empty_1d_float32", torch.zeros(0))
    case("empty_2x0", torch.zeros(2, 0))
    case("empty_0x3_int64", torch.zeros(0, 3, dtype=torch.int64))
    case("empty_1d_int32", torch.zeros(0, dtype=torch.int32))
    case("empty_1d_bool", torch.zeros(0, dtype=torch.bool))
    case("empty_0x2x3_float64", torch.zeros(0, 2, 3, dtype=torch.float64))
    case("empty_float64_default", torch.zeros(0, 3, dtype=torch.float64), default_dtype="float64")

    # ---- sci mode: automatic switch both ways
    case("sci_auto_small", [1e-5, 1.0], "float32")
    case("sci_auto_large", [1e9, 1.5], "float32")
    case("sci_auto_ratio", [1.5, 2000.5], "float32")
    case("sci_auto_ratio_below", [1.5, 999.5], "float32")
    case("intmode_sci_large", [1.0, 1e9], "float32")
    case("intmode_sci_ratio", [1.0, 5000.0], "float32")
    case("intmode_no_sci", [1.0, 900.0, -3.0], "float32")
    case("intmode_1e8", [1.0e8, 2.0e7], "float64")
    case("intmode_above_1e8", [123456789.0, 2.0], "float64")
    case("sci_min_1e-4", [1e-4, 0.5], "float32")
    case("sci_min_1e-4_f64", [1e-4, 0.5], "float64")
    case("huge_tiny_f64", [1e300, -1e-300, 0.0], "float64")
    case("subnormal_f64", [5e-324, 1e-310], "float64")
    case("float32_max", [3.4028234663852886e38, -1.0], "float32")

    # ---- sci mode forced
    case("sci_on", [1.5, 2.5, -3.25], "float32", opts=opts(sci=True))
    case("sci_on_intmode", [1.0, 2.0, 30.0], "float32", opts=opts(sci=True))
    case("sci_on_zeros", [0.0, 0.0], "float32", opts=opts(sci=True))
    case("sci_on_int64", [1, 2000, -3], "int64", opts=opts(sci=True))
    case("sci_off_small", [1e-5, 1.0], "float32", opts=opts(sci=False))
    case("sci_off_large", [1e12, 1.0], "float64", opts=opts(sci=False))
    case("sci_off_intmode", [1.0, 1e10], "float32", opts=opts(sci=False))

    # ---- precision
    case("precision_2", [1.12345, -2.5, 100.0 / 3], "float32", opts=opts(precision=2))
    case("precision_8", [1.12345, -2.5, 100.0 / 3], "float64", opts=opts(precision=8))
    case("precision_8_f32", [0.1, 0.2], "float32", opts=opts(precision=8))
    case("precision_0", [1.5, 2.5, 0.25], "float32", opts=opts(precision=0))
    case("precision_2_sci", [1e-6, 1.0], "float32", opts=opts(precision=2))

    # ---- -0.0, nan, inf
    case("negzero_1d", [-0.0, 0.0], "float32")
    case("negzero_mixed", [-0.0, 1.5], "float32")
    case("negzero_sci", [-0.0, 1e-6], "float32")
    case("nan_inf", [nan, inf, -inf], "float32")
    case("nan_int_values", [nan, 1.0, 2.0], "float32")
    case("nan_fraction", [nan, 1.5, -inf], "float64")
    case("inf_sci", [inf, 1e-5, -1.0], "float32")
    case("nan_2d", [[nan, 1.0], [100.25, -inf]], "float32")
    case("float16_inf", [inf, 1.0, -65504.0], "float16")
    case("bfloat16_nan", [nan, 0.5, 3.0], "bfloat16")
    case("negative_nan", torch.tensor([nan, 1.0]).neg(), None)

    # ---- summarization, thresholds, edgeitems
    case("summ_1d_2000", torch.randn(2000, generator=g))
    case("summ_2d_40x40", torch.randn(40, 40, generator=g) * 100)
    case("summ_3d", torch.randn(10, 12, 14, generator=g))
    case("summ_int64_arange_1e6", arange=1000000)
    case("threshold_10", torch.arange(20, dtype=torch.int32), opts=opts(threshold=10, edgeitems=2))
    case("threshold_0", [1.0, 2.0, 3.0], "float32", opts=opts(threshold=0, edgeitems=1))
    case("threshold_0_scalar", 2.5, "float32", opts=opts(threshold=0))
    case("edgeitems_1_2d", torch.arange(36.0).reshape(6, 6), opts=opts(threshold=10, edgeitems=1))
    case("edgeitems_0_1d", torch.arange(8.0), opts=opts(threshold=5, edgeitems=0))
    case("edgeitems_0_2d", torch.arange(12.0).reshape(3, 4), opts=opts(threshold=5, edgeitems=0))
    case("summ_formatter_only_shown", torch.tensor([1.0] * 3 + [1e-9] * 10 + [2.0] * 3),
         opts=opts(threshold=10))
    case("summ_small_rows", torch.arange(2000.0).reshape(1000, 2) / 7)
    case("profile_short", torch.randn(5, generator=g), profile="short")
    case("profile_full", arange=1500, profile="full")

    # ---- requires_grad, suffix wrapping
    case("rg_float32", [1.0, 2.0], "float32", requires_grad=True)
    case("rg_float64", [1.5, -2.0], "float64", requires_grad=True)
    case("rg_scalar", 3.0, "float32", requires_grad=True)
    case("rg_wrap_suffix", torch.randn(8, generator=g, dtype=torch.float64), requires_grad=True)
    case("rg_float16", [1.0, 0.5], "float16", requires_grad=True)

    # ---- linewidth
    case("linewidth_40_1d", torch.arange(20.0) * 1.5, opts=opts(linewidth=40))
    case("linewidth_40_2d", torch.randn(3, 9, generator=g), opts=opts(linewidth=40))
    case("linewidth_40_int", torch.arange(-10, 30, dtype=torch.int16), opts=opts(linewidth=40))
    case("linewidth_40_suffix", [1.0, 2.0, 3.0, 4.0, 5.0], "float64", opts=opts(linewidth=40),
         requires_grad=True)
    case("linewidth_5", [1.0, 2.0, 3.0], "float32", opts=opts(linewidth=5))
    case("long_rows_default", torch.randn(3, 30, generator=g))
    case("wide_ints_2d", [[1, -123456789012], [3, 4]], "int64")

    # ---- non-contiguous views
    case("transpose_2d", torch.randn(3, 4, generator=g), view=("transpose", 0, 1))
    case("transpose_3d_int", torch.arange(24, dtype=torch.int32).reshape(2, 3, 4), view=("transpose", 0, 2))
    case("slice_step2", torch.arange(10.0) / 3, view=("slice", 0, 1, 9, 2))
    case("expand_huge", [[1.5]], "float32", view=("expand", 100000, 100000))
    case("expand_rows_f64", [[-2.0, 7.0]], "float64", view=("expand", 3000, 2))
    case("four_d", torch.arange(16, dtype=torch.int64).reshape(2, 2, 2, 2))
    case("four_d_summ", torch.randn(4, 7, 5, 8, generator=g), opts=opts(edgeitems=1, linewidth=60))
    case("bfloat16_summ", torch.randn(30, 40, generator=g), "bfloat16")
    case("float16_summ_sci", torch.randn(1200, generator=g) * 1e4, "float16")
    case("transpose_summ", torch.randn(50, 30, generator=g), view=("transpose", 0, 1))

    # ---- default dtype float64
    case("default_f64_double", [1.5, 2.0], "float64", default_dtype="float64")
    case("default_f64_float", [1.5, 2.0], "float32", default_dtype="float64")

    with open(OUT, "w") as f:
        f.write("# generated by gen_print.py with torch %s\n" % torch.__version__)
        f.write("\n".join(cases) + "\n")
    print("wrote %d cases to %s" % (len(cases), OUT))


if __name__ == "__main__":
    main()
