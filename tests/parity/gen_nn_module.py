"""nn module-system vectors: default initialisation after a seed, reprs,
state_dict keys, load_state_dict messages, Linear forward/backward.
Each case is mirrored by tests/nn/test_module.c. Run with /usr/bin/python3."""
import collections
import os

import torch
import torch.nn as nn

from vectors import Cases, err

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "nn_module.txt")
C = Cases()
case = C.case


# default init of Linear after seeds, several shapes (incl. fan_in 0)
for seed, (i, o) in [(0, (20, 4)), (42, (3, 2)), (12345, (1, 7)), (0, (0, 3)), (7, (5, 1))]:
    torch.manual_seed(seed)
    lin = nn.Linear(i, o)
    case(f"linear_init_{seed}_{i}_{o}", seed=seed, i=i, o=o, weight=lin.weight, bias=lin.bias)
torch.manual_seed(3)
lin = nn.Linear(4, 3, bias=False)
after = torch.rand(2)
case("linear_init_nobias", weight=lin.weight, next_rand=after)

# reprs
case("repr_linear", text=repr(nn.Linear(3, 2)))
case("repr_linear_nobias", text=repr(nn.Linear(3, 2, bias=False)))
case("repr_seq", text=repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1), nn.Sigmoid()))))
case("repr_seq_named", text=repr(nn.Sequential(collections.OrderedDict(
    [("fc1", nn.Linear(1, 2)), ("act", nn.Tanh()), ("flat", nn.Flatten()), ("id", nn.Identity())]))))
case("repr_empty", text=repr(nn.Sequential()))
case("repr_module_list", text=repr(nn.ModuleList([nn.ReLU(), nn.Identity()])))
case("repr_module_dict", text=repr(nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(2, 2)})))
case("repr_param_list", text=repr(nn.ParameterList([nn.Parameter(torch.zeros(2, 3)),
                                                     nn.Parameter(torch.zeros(4, dtype=torch.float64))])))
case("repr_param_list1", text=repr(nn.ParameterList([nn.Parameter(torch.zeros(2, 3))])))
case("repr_param_dict", text=repr(nn.ParameterDict({"p": nn.Parameter(torch.zeros(2)),
                                                     "q": nn.Parameter(torch.zeros(2, 2, dtype=torch.float64))})))
case("repr_unflatten", text=repr(nn.Unflatten(1, (2, 2))))
case("repr_unflatten1", text=repr(nn.Unflatten(0, (4,))))
m = nn.Sequential(nn.Linear(1, 1))
m.add_module("x", None)
case("repr_none_child", text=repr(m), keys=list(m.state_dict().keys()))
s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
case("repr_slice", text=repr(s[1:3]), last=repr(s[-1]))

# state_dict keys and named_* orders
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        self.register_buffer("running", torch.zeros(3))
        self.register_buffer("scratch", torch.zeros(1), persistent=False)
        self.head = nn.Linear(3, 2)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return self.head(self.features(x) + self.running) * self.scale


net = Net()
case("net_keys", keys=list(net.state_dict().keys()),
     params=[n for n, _ in net.named_parameters()], buffers=[n for n, _ in net.named_buffers()],
     modules=[n if n else "<self>" for n, _ in net.named_modules()],
     children=[n for n, _ in net.named_children()], repr=repr(net),
     nparams=sum(p.numel() for p in net.parameters()))

# load_state_dict messages
lin = nn.Linear(3, 2)
case("load_errors",
     size=err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 4), "bias": torch.zeros(2)})),
     missing=err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 3)})),
     unexpected=err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 3), "bias": torch.zeros(2),
                                                 "extra": torch.zeros(1)})),
     all=err(lambda: lin.load_state_dict({"weight": torch.zeros(2, 4), "extra": torch.zeros(1)})))

# Linear forward / backward in float64
torch.manual_seed(5)
lin = nn.Linear(3, 2).double()
x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
y = lin(x)
w = torch.randn(4, 2, dtype=torch.float64)
y.backward(w)
case("linear_forward", weight=lin.weight, bias=lin.bias, x=x, y=y, y_fn=type(y.grad_fn).__name__, w=w, x_grad=x.grad,
     weight_grad=lin.weight.grad, bias_grad=lin.bias.grad)
x3 = torch.randn(2, 5, 3, dtype=torch.float64)
y3 = lin(x3)
case("linear_forward_3d", x=x3, y=y3, y_fn=type(y3.grad_fn).__name__)
case("linear_error", msg=err(lambda: lin(torch.zeros(4, 5, dtype=torch.float64))))

C.write(OUT, "gen_nn_module.py")
