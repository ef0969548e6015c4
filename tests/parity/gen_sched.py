"""lr_scheduler vectors: each scheduler's lr (and momentum) sequence over
100 steps of `optimizer.step(); scheduler.step()` on SGD(momentum=0.9) with
two param groups (lr 0.1 and 0.01) or Adam; PyTorch's warning and error
texts. Mirrored by tests/optim/test_sched.c. Run with /usr/bin/python3."""
import os
import struct
import warnings

import torch
from torch.optim import lr_scheduler as S

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 100
L = [f"# written by gen_sched.py with torch {torch.__version__}; tests/optim/test_sched.c"]


def hx(vals):
    return " ".join(struct.pack(">d", float(v)).hex() for v in vals)


def esc(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


def metrics():
    # falls, plateaus, falls again, rises (for ReduceLROnPlateau)
    out = []
    for i in range(STEPS):
        if i < 15:
            out.append(1.0 / (1 + i))
        elif i < 40:
            out.append(0.07 + 0.001 * (i % 3))
        elif i < 60:
            out.append(0.05 - 0.0005 * (i - 40))
        else:
            out.append(0.04 + 0.01 * ((i * 7) % 5))
    return out


def make_opt(adam=False):
    a = torch.zeros(3, requires_grad=True)
    b = torch.zeros(2, requires_grad=True)
    if adam:
        return torch.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1)
    return torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)


CASES = {
    "step": lambda o: S.StepLR(o, 7),
    "step_gamma": lambda o: S.StepLR(o, 3, gamma=0.5),
    "multi_step": lambda o: S.MultiStepLR(o, [10, 30, 30, 60], gamma=0.3),
    "constant": lambda o: S.ConstantLR(o),
    "constant_opts": lambda o: S.ConstantLR(o, factor=0.25, total_iters=12),
    "linear": lambda o: S.LinearLR(o),
    "linear_opts": lambda o: S.LinearLR(o, start_factor=0.1, end_factor=0.8, total_iters=40),
    "exponential": lambda o: S.ExponentialLR(o, 0.95),
    "cosine": lambda o: S.CosineAnnealingLR(o, 20),
    "cosine_eta": lambda o: S.CosineAnnealingLR(o, 30, eta_min=0.001),
    "polynomial": lambda o: S.PolynomialLR(o),
    "polynomial_opts": lambda o: S.PolynomialLR(o, total_iters=50, power=2.0),
    "warm_restarts": lambda o: S.CosineAnnealingWarmRestarts(o, 10),
    "warm_restarts_mult": lambda o: S.CosineAnnealingWarmRestarts(o, 5, T_mult=2, eta_min=0.0005),
    "lambda": lambda o: S.LambdaLR(o, lambda e: 0.97 ** e),
    "lambda_groups": lambda o: S.LambdaLR(o, [lambda e: 0.97 ** e, lambda e: 1.0 / (1 + e)]),
    "multiplicative": lambda o: S.MultiplicativeLR(o, lambda e: 0.98),
    "one_cycle": lambda o: S.OneCycleLR(o, 1.0, total_steps=100),
    "one_cycle_opts": lambda o: S.OneCycleLR(o, [1.0, 0.5], epochs=10, steps_per_epoch=11, pct_start=0.25,
                                             anneal_strategy="linear", base_momentum=0.8, max_momentum=0.9,
                                             div_factor=10.0, final_div_factor=100.0, three_phase=True),
    "one_cycle_nomom": lambda o: S.OneCycleLR(o, 0.5, total_steps=120, cycle_momentum=False),
    "cyclic": lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=10),
    "cyclic_tri2": lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=7, step_size_down=13, mode="triangular2"),
    "cyclic_exp": lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.97,
                                       base_momentum=0.7, max_momentum=0.95),
    "cyclic_fn": lambda o: S.CyclicLR(o, 0.001, 0.1, step_size_up=8, scale_fn=lambda x: 1 / (1 + 0.1 * x),
                                      scale_mode="iterations", cycle_momentum=False),
    "plateau": lambda o: S.ReduceLROnPlateau(o, patience=3),
    "plateau_opts": lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.5, patience=0, threshold=0.01,
                                                  threshold_mode="abs", cooldown=2, min_lr=[0.01, 0.002],
                                                  eps=1e-3),
    "sequential": lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                               S.ExponentialLR(o, 0.9)], milestones=[5]),
    "sequential3": lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3),
                                                S.CosineAnnealingLR(o, 20), S.StepLR(o, 5, gamma=0.5)],
                                            milestones=[10, 50]),
    "chained": lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.5, total_iters=4),
                                             S.ExponentialLR(o, 0.95)]),
}
ADAM = {"one_cycle_opts"}

M = metrics()
L.append("case metrics")
L.append(f"values {hx(M)}")
L.append("end")
warnings.simplefilter("ignore")
for name, mk in CASES.items():
    o = make_opt(name in ADAM)
    s = mk(o)
    lrs = [[], []]
    moms = [[], []]

    def rec():
        for g in range(2):
            lrs[g].append(o.param_groups[g]["lr"])
            grp = o.param_groups[g]
            moms[g].append(grp["betas"][0] if "betas" in grp else grp["momentum"])
    rec()
    for i in range(STEPS):
        o.step()
        if name.startswith("plateau"):
            s.step(M[i])
        else:
            s.step()
        rec()
    L.append(f"case {name}")
    for g in range(2):
        L.append(f"lr{g} {hx(lrs[g])}")
        L.append(f"mom{g} {hx(moms[g])}")
    L.append(f"last_epoch {getattr(s, 'last_epoch', -1)}")
    L.append(f"last_lr {hx(s._last_lr)}")
    L.append("end")

# the step-order warning and messages
warnings.simplefilter("always")
o = make_opt()
s = S.StepLR(o, 3)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    s.step()
L.append("case warn_order")
L.append(f"msg$ {esc(str(w[0].message))}")
L.append("end")


def err(name, fn):
    try:
        fn()
    except (ValueError, TypeError) as e:
        L.append(f"case err_{name}")
        L.append(f"msg$ {esc(str(e))}")
        L.append("end")
        return
    raise AssertionError(name)


err("constant_factor", lambda: S.ConstantLR(make_opt(), factor=1.5))
err("linear_start", lambda: S.LinearLR(make_opt(), start_factor=1.5))
err("linear_end", lambda: S.LinearLR(make_opt(), end_factor=-0.5))
err("warm_t0", lambda: S.CosineAnnealingWarmRestarts(make_opt(), 0))
err("one_cycle_total", lambda: S.OneCycleLR(make_opt(), 1.0))
err("one_cycle_pct", lambda: S.OneCycleLR(make_opt(), 1.0, total_steps=10, pct_start=1.5))
err("plateau_factor", lambda: S.ReduceLROnPlateau(make_opt(), factor=1.0))
err("plateau_mode", lambda: S.ReduceLROnPlateau(make_opt(), mode="avg"))
err("cyclic_momentum", lambda: S.CyclicLR(make_opt(adam=True), 0.01, 0.1))
err("lambda_count", lambda: S.LambdaLR(make_opt(), [lambda e: 1.0]))


def overstep():
    o = make_opt()
    s = S.OneCycleLR(o, 1.0, total_steps=3)
    for _ in range(4):
        o.step()
        s.step()
err("one_cycle_overstep", overstep)

with open(os.path.join(HERE, "data", "sched.txt"), "w") as f:
    f.write("\n".join(L) + "\n")
