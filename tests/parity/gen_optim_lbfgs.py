"""torch.optim.LBFGS vectors: a few steps with a closure on a small
nonlinear least-squares problem, parameters, loss and counters after each
step. Mirrored by tests/optim/test_lbfgs.c. Run with /usr/bin/python3."""
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
L = [f"# written by gen_optim_lbfgs.py with torch {torch.__version__}; tests/optim/test_lbfgs.c"]


def hx(t):
    t = torch.as_tensor(t).detach().reshape(-1).double()
    return " ".join(struct.pack(">d", v).hex() for v in t.tolist())


CASES = [
    ("default", dict(), 3),
    ("lr_hist", dict(lr=0.5, history_size=3, max_iter=7), 4),
    ("wolfe", dict(line_search_fn="strong_wolfe"), 3),
    ("wolfe_opts", dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5, max_eval=9,
                        tolerance_change=1e-12), 4),
]

for dtype, dn in ((torch.float64, "f64"), (torch.float32, "f32")):
    torch.manual_seed(3)
    A = torch.randn(5, 4, dtype=dtype)
    b = torch.randn(5, dtype=dtype)
    w0 = torch.randn(4, dtype=dtype)
    v0 = torch.randn(4, dtype=dtype)
    L.append(f"case {dn}_data")
    for k, t in (("A", A), ("b", b), ("w", w0), ("v", v0)):
        L.append(f"{k} {hx(t)}")
    L.append("end")
    for name, opts, steps in CASES:
        w = w0.clone().requires_grad_(True)
        v = v0.clone().requires_grad_(True)
        opt = torch.optim.LBFGS([w, v], **opts)

        def closure():
            opt.zero_grad()
            r = torch.mv(A, w) - b
            loss = (r * r).sum() + ((v * v * v * v).sum() * 0.5) + (v * w).sum()
            loss.backward()
            return loss
        L.append(f"case {dn}_{name}")
        for k, val in opts.items():
            L.append(f"opt_{k} {val}")
        L.append(f"steps {steps}")
        for s in range(steps):
            loss = opt.step(closure)
            st = opt.state[w]
            L.append(f"loss{s} {hx(loss)}")
            L.append(f"w{s} {hx(w)}")
            L.append(f"v{s} {hx(v)}")
            L.append(f"evals{s} {st['func_evals']} {st['n_iter']}")
        L.append("end")

with open(os.path.join(HERE, "data", "optim_lbfgs.txt"), "w") as f:
    f.write("\n".join(L) + "\n")
