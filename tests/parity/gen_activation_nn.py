"""Activation modules (src/nn/activation.c) against PyTorch 1.13.1: reprs,
PReLU's parameter, train/eval behaviour of RReLU with its random slopes
drawn bit for bit after a seed, in-place modules, Softmax2d. Run with
/usr/bin/python3; writes tests/parity/data/activation_nn.txt, read by
tests/nn/test_activation.c."""
import os

import torch
import torch.nn as nn

from vectors import Cases

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "activation_nn.txt")
C = Cases()
case = C.case


# reprs: the C test builds the same module for each label
REPRS = {
    "elu": nn.ELU(), "elu_a": nn.ELU(0.5, inplace=True), "celu": nn.CELU(), "celu_a": nn.CELU(2.0),
    "selu": nn.SELU(), "selu_i": nn.SELU(True), "relu": nn.ReLU(), "relu_i": nn.ReLU(inplace=True),
    "relu6": nn.ReLU6(), "relu6_i": nn.ReLU6(True), "hardsigmoid": nn.Hardsigmoid(),
    "hardswish": nn.Hardswish(), "silu": nn.SiLU(), "silu_i": nn.SiLU(True), "mish": nn.Mish(),
    "hardtanh": nn.Hardtanh(), "hardtanh_a": nn.Hardtanh(0.0, 1.0, True), "leaky": nn.LeakyReLU(),
    "leaky_a": nn.LeakyReLU(0.2, True), "rrelu": nn.RReLU(), "rrelu_a": nn.RReLU(0.1, 0.3, True),
    "gelu": nn.GELU(), "gelu_t": nn.GELU("tanh"), "softplus": nn.Softplus(), "softplus_a": nn.Softplus(2, 10),
    "hardshrink": nn.Hardshrink(), "hardshrink_a": nn.Hardshrink(1.25), "softshrink": nn.Softshrink(),
    "threshold": nn.Threshold(0.1, 20), "threshold_a": nn.Threshold(-1.5, 0.25, True),
    "prelu": nn.PReLU(), "prelu_3": nn.PReLU(3, 0.1), "glu": nn.GLU(), "glu_0": nn.GLU(0),
    "logsigmoid": nn.LogSigmoid(), "softsign": nn.Softsign(), "tanhshrink": nn.Tanhshrink(),
    "softmax2d": nn.Softmax2d(), "softmax": nn.Softmax(1), "softmax_none": nn.Softmax(),
    "log_softmax": nn.LogSoftmax(-1), "softmin": nn.Softmin(0), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(),
    "seq": nn.Sequential(nn.Linear(2, 3), nn.PReLU(3), nn.Dropout(0.0) if False else nn.GELU("tanh"),
                         nn.Softmax(dim=-1)),
}
for label, m in REPRS.items():
    case(f"repr_{label}", label=label, text=repr(m))

# PReLU parameter and forward/backward
torch.manual_seed(0)
m = nn.PReLU(3, 0.1)
x = torch.randn(2, 3, 4)
y = m(x)
w = torch.randn(2, 3, 4)
y.backward(w)
case("prelu_fb", weight=m.weight, x=x, y=y, w=w, gx=torch.zeros(1), gweight=m.weight.grad,
     keys=list(m.state_dict().keys()))

# RReLU: training draws slopes for x <= 0, in memory order (float32 / float64)
for seed, dt, shape, lo, hi in [(0, torch.float32, (3, 5), 1 / 8, 1 / 3), (42, torch.float64, (4, 4), 0.1, 0.9),
                                (7, torch.float32, (40,), 0.2, 0.25)]:
    torch.manual_seed(123)
    x = torch.randn(shape, dtype=dt).requires_grad_()
    torch.manual_seed(seed)
    mod = nn.RReLU(lo, hi)
    y = mod(x)
    nxt = torch.rand(3)  # the generator moved exactly as PyTorch's did
    w = torch.ones(shape, dtype=dt)
    y.backward(w)
    mod.eval()
    ye = mod(x)
    case(f"rrelu_{seed}", seed=seed, dtype=str(dt).replace("torch.", ""), shape=list(shape), lower=repr(lo),
         upper=repr(hi), x=x, y=y, next=nxt, grad=x.grad, y_eval=ye, grad_fn=type(y.grad_fn).__name__)

# in-place module returns its input modified; Softmax2d
x = torch.tensor([-2.0, -0.5, 0.0, 1.5])
y = nn.ELU(0.5, inplace=True)(x)
case("elu_inplace", y=x)
torch.manual_seed(1)
x = torch.randn(2, 3, 2, 2)
case("softmax2d", x=x, y=nn.Softmax2d()(x), y3=nn.Softmax2d()(x[0]))
try:
    nn.Softmax2d()(torch.randn(3, 4))
except Exception as e:  # noqa: BLE001
    case("softmax2d_err", text=str(e))

C.write(OUT, "gen_activation_nn.py")
