"""torch.optim vectors: 20 steps of every algorithm over a grid of options
with gradients fixed by PyTorch, parameters and state after every step;
PyTorch's messages for invalid options. Mirrored by tests/optim/test_optim.c.
Run with /usr/bin/python3 (torch 1.13.1)."""
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 20
SHAPES = [(2, 3), (3,)]


def hx(t):
    t = t.detach().reshape(-1).double()
    return " ".join(struct.pack(">d", v).hex() for v in t.tolist())


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


def fmt_opt(d):
    out = []
    for k, v in d.items():
        if isinstance(v, tuple):
            out.append(f"{k}={v[0]!r},{v[1]!r}")
        elif isinstance(v, bool):
            out.append(f"{k}={int(v)}")
        else:
            out.append(f"{k}={v!r}")
    return " ".join(out) if out else "-"


CLS = {
    "sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
    "adamax": torch.optim.Adamax, "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam,
    "adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta, "rmsprop": torch.optim.RMSprop,
    "rprop": torch.optim.Rprop, "asgd": torch.optim.ASGD,
}

# (name, kind, defaults, group-1 overrides or None)
GRID = [
    ("sgd_plain", "sgd", dict(lr=0.1), None),
    ("sgd_momentum", "sgd", dict(lr=0.1, momentum=0.9), None),
    ("sgd_damp_wd", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.1), None),
    ("sgd_nesterov", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), None),
    ("sgd_maximize", "sgd", dict(lr=0.1, momentum=0.5, maximize=True), None),
    ("sgd_groups", "sgd", dict(lr=1e-2, momentum=0.9), dict(lr=1e-3)),
    ("sgd_groups_zero_momentum", "sgd", dict(lr=1e-2, momentum=0.9), dict(momentum=0.0)),
    ("adam_default", "adam", dict(), None),
    ("adam_amsgrad", "adam", dict(lr=0.01, amsgrad=True), None),
    ("adam_wd_betas", "adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), None),
    ("adam_maximize_amsgrad", "adam", dict(lr=0.01, maximize=True, amsgrad=True), None),
    ("adam_beta1_zero", "adam", dict(lr=0.01, betas=(0.0, 0.9)), None),
    ("adam_groups", "adam", dict(lr=0.01), dict(lr=0.001, weight_decay=0.5)),
    ("adamw_default", "adamw", dict(), None),
    ("adamw_amsgrad_wd", "adamw", dict(lr=0.01, amsgrad=True, weight_decay=0.5), None),
    ("adamw_maximize", "adamw", dict(lr=0.01, maximize=True), None),
    ("adamax_default", "adamax", dict(), None),
    ("adamax_wd_max", "adamax", dict(lr=0.01, weight_decay=0.1, maximize=True, betas=(0.8, 0.9)), None),
    ("nadam_default", "nadam", dict(), None),
    ("nadam_wd_md", "nadam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01), None),
    ("radam_default", "radam", dict(), None),
    ("radam_wd_betas", "radam", dict(lr=0.01, weight_decay=0.1, betas=(0.9, 0.99)), None),
    ("adagrad_default", "adagrad", dict(), None),
    ("adagrad_all", "adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1,
                                    maximize=True), None),
    ("adadelta_default", "adadelta", dict(), None),
    ("adadelta_all", "adadelta", dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True, eps=1e-4), None),
    ("rmsprop_default", "rmsprop", dict(), None),
    ("rmsprop_momentum", "rmsprop", dict(momentum=0.9, alpha=0.9), None),
    ("rmsprop_centered", "rmsprop", dict(centered=True), None),
    ("rmsprop_all", "rmsprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.1, maximize=True), None),
    ("rprop_default", "rprop", dict(), None),
    ("rprop_all", "rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True), None),
    ("asgd_default", "asgd", dict(), None),
    ("asgd_all", "asgd", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5.0, weight_decay=0.1, maximize=True), None),
]


def run(out, dtype, dname):
    torch.manual_seed(0)
    inits = [torch.randn(s, dtype=dtype) for s in SHAPES]
    grads = [[torch.randn(s, dtype=dtype) for s in SHAPES] for _ in range(STEPS)]
    L = out
    L.append(f"case {dname}_grads")
    for k, t in enumerate(inits):
        L.append(f"init{k} {hx(t)}")
    for s in range(STEPS):
        for k in range(len(SHAPES)):
            L.append(f"g{s}_{k} {hx(grads[s][k])}")
    L.append("end")
    for name, kind, d, g1 in GRID:
        params = [t.clone().requires_grad_(True) for t in inits]
        if g1 is None:
            opt = CLS[kind](params, **d)
        else:
            opt = CLS[kind]([{"params": [params[0]]}, dict(params=[params[1]], **g1)], **d)
        L.append(f"case {dname}_{name}")
        L.append(f"kind {kind}")
        L.append(f"opts {fmt_opt(d)}")
        L.append(f"group1 {fmt_opt(g1) if g1 is not None else 'none'}")
        for s in range(STEPS):
            for k, p in enumerate(params):
                p.grad = None if (s == 5 and k == 1) else grads[s][k].clone()
            opt.step()
            for k, p in enumerate(params):
                L.append(f"p{s}_{k} {hx(p)}")
                st = opt.state[p]
                keys = []
                for key, v in st.items():
                    if v is None:
                        keys.append(key + ":none")
                        continue
                    if not isinstance(v, torch.Tensor):
                        v = torch.tensor(float(v))
                    keys.append(key)
                    L.append(f"s{s}_{k}_{key} {hx(v)}")
                L.append(f"keys{s}_{k} {' '.join(keys)}".rstrip())
        L.append("end")


def errors(L):
    def err(name, fn):
        try:
            fn()
        except (ValueError, TypeError, RuntimeError) as e:
            L.append(f"case err_{name}")
            L.append(f"msg$ {esc(str(e))}")
            L.append("end")
            return
        raise AssertionError(name)

    p = [torch.zeros(2, requires_grad=True)]
    O = torch.optim
    err("sgd_lr", lambda: O.SGD(p, lr=-0.1))
    err("sgd_required", lambda: O.SGD(p))
    err("sgd_momentum", lambda: O.SGD(p, lr=0.1, momentum=-0.5))
    err("sgd_wd", lambda: O.SGD(p, lr=0.1, weight_decay=-1e-05))
    err("sgd_nesterov", lambda: O.SGD(p, lr=0.1, nesterov=True))
    err("adam_beta0", lambda: O.Adam(p, betas=(1.5, 0.9)))
    err("adam_beta1", lambda: O.Adam(p, betas=(0.9, 1.0)))
    err("adam_eps", lambda: O.Adam(p, eps=-1e-08))
    err("adam_lr", lambda: O.Adam(p, lr=-0.001))
    err("adam_kw", lambda: O.Adam(p, momentum=0.9))
    err("adagrad_iav", lambda: O.Adagrad(p, initial_accumulator_value=-0.5))
    err("adagrad_lr_decay", lambda: O.Adagrad(p, lr_decay=-0.5))
    err("adadelta_rho", lambda: O.Adadelta(p, rho=1.5))
    err("rmsprop_alpha", lambda: O.RMSprop(p, alpha=-0.5))
    err("rmsprop_momentum", lambda: O.RMSprop(p, momentum=-0.5))
    err("rprop_etas", lambda: O.Rprop(p, etas=(1.5, 1.2)))
    err("nadam_md", lambda: O.NAdam(p, momentum_decay=-0.25))
    err("sparse_adam_lr", lambda: O.SparseAdam(p, lr=0.0))
    err("empty", lambda: O.SGD([], lr=0.1))
    q = torch.zeros(2, requires_grad=True)
    err("nonleaf", lambda: O.SGD([q * 2], lr=0.1))
    err("dup", lambda: O.SGD([{"params": [q]}, {"params": [q]}], lr=0.1))
    def sparse_dense():
        o = O.SparseAdam(p)
        p[0].grad = torch.ones(2)
        o.step()
    err("sparse_adam_dense", sparse_dense)
    def lbfgs_groups():
        O.LBFGS([{"params": [q]}, {"params": [p[0]]}])
    err("lbfgs_groups", lbfgs_groups)
    sd_opt = O.SGD([q], lr=0.1)
    def bad_groups():
        sd = O.SGD([{"params": [q]}, {"params": [p[0]]}], lr=0.1).state_dict()
        sd_opt.load_state_dict(sd)
    err("load_groups", bad_groups)
    def bad_sizes():
        sd = O.SGD([q, p[0]], lr=0.1).state_dict()
        sd_opt.load_state_dict(sd)
    err("load_sizes", bad_sizes)
    # Python float reprs the messages use
    for v in (0.1, 1e-05, 1.5, 2.0, 1e16, 123456789.0, 1.25e-07, 0.0001, 3.14159):
        L.append(f"case repr_{len(L)}")
        L.append(f"value {struct.pack('>d', v).hex()}")
        L.append(f"text$ {v!r}")
        L.append("end")


for dtype, dname in ((torch.float32, "f32"), (torch.float64, "f64")):
    L = [f"# written by gen_optim.py with torch {torch.__version__}; tests/optim/test_optim.c"]
    run(L, dtype, dname)
    with open(os.path.join(HERE, "data", f"optim_{dname}.txt"), "w") as f:
        f.write("\n".join(L) + "\n")
L = [f"# written by gen_optim.py with torch {torch.__version__}; tests/optim/test_optim.c"]
errors(L)
with open(os.path.join(HERE, "data", "optim_errors.txt"), "w") as f:
    f.write("\n".join(L) + "\n")
