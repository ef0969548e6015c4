"""nn-level vectors for the norm family: reprs, state_dict keys, BatchNorm /
InstanceNorm running statistics over several training steps (momentum and
momentum=None), eval behaviour, LayerNorm / GroupNorm / LRN modules, Dropout
modules' masks after a seed. Mirrored by tests/nn/test_norm_modules.c.
Run with /usr/bin/python3."""
import os

import torch
import torch.nn as nn

from vectors import Cases, err

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "norm_modules.txt")
C = Cases()
case = C.case


REPRS = {
    "bn1": nn.BatchNorm1d(3), "bn2": nn.BatchNorm2d(20),
    "bn3": nn.BatchNorm3d(4, eps=1e-3, momentum=None, affine=False),
    "bn2_notrack": nn.BatchNorm2d(5, momentum=0.25, track_running_stats=False),
    "in1": nn.InstanceNorm1d(3), "in2": nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
    "in3": nn.InstanceNorm3d(2, eps=1e-6, momentum=0.3),
    "ln1": nn.LayerNorm(10), "ln2": nn.LayerNorm([3, 4], eps=1e-6, elementwise_affine=False),
    "gn1": nn.GroupNorm(2, 4), "gn2": nn.GroupNorm(1, 3, eps=0.001, affine=False),
    "lrn1": nn.LocalResponseNorm(2), "lrn2": nn.LocalResponseNorm(3, alpha=0.5, beta=0.25, k=2.0),
    "do1": nn.Dropout(), "do2": nn.Dropout(p=0.2, inplace=True), "do1d": nn.Dropout1d(0.1),
    "do2d": nn.Dropout2d(0.25), "do3d": nn.Dropout3d(), "ado": nn.AlphaDropout(0.3),
    "fado": nn.FeatureAlphaDropout(0.0),
}
for k, m in REPRS.items():
    sd = m.state_dict()
    case(f"repr_{k}", text=repr(m), keys=list(sd.keys()),
         params=[n for n, _ in m.named_parameters()], buffers=[n for n, _ in m.named_buffers()])

# BatchNorm running statistics over training steps, then eval
torch.manual_seed(0)
for name, kw, shape in [("bn2_mom", dict(momentum=0.1), (4, 3, 2, 2)), ("bn2_none", dict(momentum=None), (4, 3, 2, 2)),
                        ("bn1_mom", dict(momentum=0.3), (5, 3)), ("bn1_3d", dict(), (2, 3, 4)),
                        ("bn3", dict(eps=1e-3), (2, 3, 2, 1, 2))]:
    ctor = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}[len(shape)]
    m = ctor(3, **kw).double()
    with torch.no_grad():
        m.weight.copy_(torch.tensor([0.5, 1.5, -1.0]))
        m.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
    kv = {}
    for step in range(3):
        x = torch.randn(shape, dtype=torch.float64)
        y = m(x)
        kv[f"x{step}"], kv[f"y{step}"] = x, y
        kv[f"rm{step}"], kv[f"rv{step}"] = m.running_mean.clone(), m.running_var.clone()
        kv[f"nbt{step}"] = int(m.num_batches_tracked)
    m.eval()
    xe = torch.randn(shape, dtype=torch.float64)
    case(name, shape=list(shape), **kv, xe=xe, ye=m(xe))

# track_running_stats=False: batch statistics in eval too
m = nn.BatchNorm1d(3, track_running_stats=False).double().eval()
x = torch.randn(4, 3, dtype=torch.float64)
case("bn_notrack_eval", x=x, y=m(x))

# errors
case("bn_errors", dim2=err(lambda: nn.BatchNorm2d(3)(torch.randn(2, 3, 4))),
     dim1=err(lambda: nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 5))),
     dim3=err(lambda: nn.BatchNorm3d(3)(torch.randn(2, 3, 4))),
     one=err(lambda: nn.BatchNorm1d(3)(torch.randn(1, 3))),
     in2=err(lambda: nn.InstanceNorm2d(3)(torch.randn(4, 5))),
     # 1.13 does not check the channels against num_features: batch_norm does
     in_affine=err(lambda: nn.InstanceNorm2d(3, affine=True)(torch.zeros(2, 4, 5, 5))),
     in_track=err(lambda: nn.InstanceNorm2d(3, track_running_stats=True)(torch.zeros(2, 4, 5, 5))),
     gn=err(lambda: nn.GroupNorm(2, 3)),
     drop=err(lambda: nn.Dropout(1.5)))

# InstanceNorm with running stats: batched and unbatched steps, then eval
m = nn.InstanceNorm1d(3, affine=True, track_running_stats=True).double()
x0 = torch.randn(2, 3, 5, dtype=torch.float64)
y0 = m(x0)
rm0, rv0 = m.running_mean.clone(), m.running_var.clone()
x1 = torch.randn(3, 4, dtype=torch.float64)
y1 = m(x1)
rm1, rv1 = m.running_mean.clone(), m.running_var.clone()
m.eval()
xe = torch.randn(2, 3, 4, dtype=torch.float64)
case("in1_track", x0=x0, y0=y0, rm0=rm0, rv0=rv0, x1=x1, y1=y1, rm1=rm1, rv1=rv1, xe=xe, ye=m(xe),
     nbt=int(m.num_batches_tracked))

# LayerNorm / GroupNorm / LRN modules, float64 forward + parameter grads
torch.manual_seed(1)
ln = nn.LayerNorm([3, 4]).double()
x = torch.randn(2, 3, 4, dtype=torch.float64)
y = ln(x)
w = torch.randn(2, 3, 4, dtype=torch.float64)
y.backward(w)
case("ln_fwd", x=x, y=y, w=w, gw=ln.weight.grad, gb=ln.bias.grad)
gn = nn.GroupNorm(2, 4).double()
x = torch.randn(2, 4, 3, dtype=torch.float64)
case("gn_fwd", x=x, y=gn(x))
lrn = nn.LocalResponseNorm(3, alpha=0.5, beta=0.25, k=2.0)
x = torch.randn(2, 4, 3, dtype=torch.float64)
case("lrn_fwd", x=x, y=lrn(x))

# Dropout modules in train mode after a seed; eval returns the input
for name, ctor, shape in [("do", nn.Dropout(0.3), (4, 5)), ("do2d", nn.Dropout2d(0.5), (2, 4, 3, 3)),
                          ("do1d", nn.Dropout1d(0.5), (4, 6)), ("do3d", nn.Dropout3d(0.5), (3, 2, 2, 2)),
                          ("ado", nn.AlphaDropout(0.2), (6, 5)), ("fado", nn.FeatureAlphaDropout(0.4), (2, 5, 3))]:
    x = torch.randn(shape)
    torch.manual_seed(11)
    y = ctor(x)
    nxt = torch.rand(3)
    case(f"drop_{name}", shape=list(shape), x=x, y=y, next=nxt)

C.write(OUT, "gen_norm_modules.py")
