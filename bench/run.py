"""Runs the benchmark suite, ctorch against PyTorch, and prints the table.

    python3 bench/run.py [--build build-bench] [--threads 1,2] [--rounds 3]
                         [--only w1,w2] [--quick] [--markdown out.md]

For every workload and thread count it runs, alternately and --rounds times,
three processes: ctbench (ctorch), torch_bench.py with PyTorch's default
OpenMP wait policy ("active") and torch_bench.py with OMP_WAIT_POLICY=PASSIVE
("passive"); each process warms up, times its repetitions and reports their
median; the table shows the median over rounds. The ratio is ctorch / the
faster PyTorch. Every process gets OMP_NUM_THREADS = OPENBLAS_NUM_THREADS =
the thread count (and calls set_num_threads with it).

Extra rows: "startup" (wall time of a process that builds the tiny MLP, runs
one step and prints the loss, median of 5) and "peak RSS" (ru_maxrss of one
process that runs every workload once: ctbench all / torch_bench.py all).

OpenBLAS: Debian's OpenBLAS 0.3.21 does not know this machine's CPU model
and falls back to its Prescott (SSE3) kernels; ctorch switches it to the
kernels the CPU has (src/kernels/cpu/gemm.c). PyTorch uses the same OpenBLAS
for mm/linear, so to compare against PyTorch at its best its processes get
OPENBLAS_CORETYPE=<the core ctorch picked> (--torch-blas-default: leave it).

--quick: one round, and the Fashion-MNIST epoch cut to 100 batches.
The runner itself needs no torch; the PyTorch side runs with /usr/bin/python3."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_PY = "/usr/bin/python3"

# workload -> (label, target ratio of times; lower is better)
TARGETS = {
    "mlp_tiny_adam": ("tiny MLP 16-16-1, b8, Adam step", 0.01),
    "mlp_784_sgd": ("MLP 784-256-10, b64, SGD-m step", 0.45),
    "lenet_bn_adam": ("LeNet+BN, b64, Adam step", 0.8),
    "sgemm_1024": ("sgemm 1024^3", 1 / 0.95),
    "conv3x3_fwd": ("conv 3x3 64->64 56x56 b16 fwd", 1.0),
    "conv3x3_fwd_bwd": ("conv 3x3 ... fwd+bwd", 1.0),
    "dwconv3x3_fwd_bwd": ("depthwise 3x3 128ch 56x56 b16 fwd+bwd", 1.0),  # ours: not in the issue's table
    "layer_norm_8192x768_fwd_bwd": ("layer norm 8192x768 fwd+bwd", 1.0),  # ours: the issue's "fused ... layer norm"
    "group_norm_16x64x56x56_fwd_bwd": ("group norm 32 groups 16x64x56x56 fwd+bwd", 1.0),  # ours
    "softmax_4096": ("softmax 4096x4096 (last dim)", 0.3),
    "relu_mul_add_16m": ("relu(x*2+x), 16M floats", 0.5),
    "cross_entropy_4096x1000": ("cross-entropy 4096x1000 fwd+bwd", 0.5),
    "fmnist_epoch": ("Fashion-MNIST epoch (main model)", 0.8),
    "startup": ("start to first result (tiny MLP)", 0.02),
    "rss": ("peak RSS, whole suite (MB)", 0.2),
}


BLAS_CORE = None  # OPENBLAS_CORETYPE for the PyTorch processes


def env_for(threads, passive, torch=False):
    e = dict(os.environ)
    if torch and BLAS_CORE:
        e["OPENBLAS_CORETYPE"] = BLAS_CORE
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        e[k] = str(threads)
    e.pop("OMP_WAIT_POLICY", None)
    if passive:
        e["OMP_WAIT_POLICY"] = "PASSIVE"
    return e


def run_json(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"FAILED: {' '.join(cmd)}\n{p.stderr}\n")
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def wall_ms(cmd, env):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    t = (time.perf_counter() - t0) * 1e3
    return t if p.returncode == 0 else None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec=".3f"):
    return "—" if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build-bench"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown", default="")
    ap.add_argument("--torch-blas-default", action="store_true")
    a = ap.parse_args()
    global BLAS_CORE
    ctbench = os.path.join(a.build, "bench", "ctbench")
    if not os.path.exists(ctbench):
        sys.exit(f"{ctbench} not found: cmake --build {a.build} --target ctbench")
    tb = [TORCH_PY, os.path.join(HERE, "torch_bench.py")]
    threads = [int(t) for t in a.threads.split(",")]
    names = list(TARGETS) if not a.only else a.only.split(",")
    rounds = 1 if a.quick else a.rounds
    probe = run_json([ctbench, "sgemm_1024", "--reps", "1", "--warmup", "0"], env_for(1, False))
    core = probe.get("blas_core") if probe else None
    if core and core.lower() not in ("unknown", "prescott") and not a.torch_blas_default:
        BLAS_CORE = core
    print(f"OpenBLAS core: ctorch {core}; PyTorch OPENBLAS_CORETYPE={BLAS_CORE or '(default)'}", flush=True)

    header = ("| workload | thr | ctorch ms | torch ms (active) | torch ms (passive) | ratio | target | ok "
              "| ctorch GFLOP/s | torch GFLOP/s | ctorch RSS MB | torch RSS MB |")
    lines = [header, "|" + "---|" * 12]
    print(header, flush=True)
    print(lines[1], flush=True)
    for name in names:
        label, target = TARGETS[name]
        for n in threads:
            extra = []
            if name == "fmnist_epoch" and a.quick:
                extra = ["--limit", "100"]
            r_ct, r_ta, r_tp = [], [], []
            if name == "startup":
                for _ in range(5):
                    r_ct.append(wall_ms([ctbench, "startup", "--threads", str(n)], env_for(n, False)))
                    r_ta.append(wall_ms(tb + ["startup", "--threads", str(n)], env_for(n, False, True)))
                    r_tp.append(wall_ms(tb + ["startup", "--threads", str(n)], env_for(n, True, True)))
                ms = [med(r_ct), med(r_ta), med(r_tp)]
                gf = rss = [None, None]
            elif name == "rss":
                c = run_json([ctbench, "all", "--threads", str(n)], env_for(n, False))
                ta = run_json(tb + ["all", "--threads", str(n)], env_for(n, False, True))
                tp = run_json(tb + ["all", "--threads", str(n)], env_for(n, True, True))
                ms = [x["rss_kb"] / 1024 if x else None for x in (c, ta, tp)]
                gf = rss = [None, None]
            else:
                rr = 1 if name == "fmnist_epoch" else rounds
                for _ in range(rr):
                    cmd = ["--threads", str(n)] + extra
                    r_ct.append(run_json([ctbench, name] + cmd, env_for(n, False)))
                    r_ta.append(run_json(tb + [name] + cmd, env_for(n, False, True)))
                    r_tp.append(run_json(tb + [name] + cmd, env_for(n, True, True)))
                ms = [med([x["ms"] for x in r if x]) for r in (r_ct, r_ta, r_tp)]
                gflop = next((x["gflop"] for x in r_ct + r_ta if x), 0)
                best_t = min([m for m in ms[1:] if m is not None], default=None)
                gf = [gflop / (m / 1e3) if gflop and m else None for m in (ms[0], best_t)]
                rss = [max([x["rss_kb"] / 1024 for x in r if x], default=None) for r in (r_ct, r_ta + r_tp)]
            best = min([m for m in ms[1:] if m is not None], default=None)
            ratio = ms[0] / best if ms[0] is not None and best else None
            ok = "—" if ratio is None else ("yes" if ratio <= target else "no")
            row = (f"| {label} | {n} | {fmt(ms[0])} | {fmt(ms[1])} | {fmt(ms[2])} | {fmt(ratio)} | "
                   f"≤ {target:.3g} | {ok} | {fmt(gf[0], '.1f')} | {fmt(gf[1], '.1f')} | "
                   f"{fmt(rss[0], '.0f')} | {fmt(rss[1], '.0f')} |")
            print(row, flush=True)
            lines.append(row)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
