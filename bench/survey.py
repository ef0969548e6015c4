"""Runs the op survey, ctorch (opsurvey) against PyTorch (torch_opsurvey.py),
alternately --rounds times at each thread count, and prints a table of the
median over rounds of each side's per-op minimum and the ratio.

    python3 bench/survey.py [--build build-bench] [--threads 1,2] [--rounds 3] [--markdown out.md]
                            [--before PATH]

--before: another opsurvey binary (e.g. bench/opsurvey.c linked against an
older libctorch.a), run in the same rounds and shown in its own column.

PyTorch runs with OMP_WAIT_POLICY=PASSIVE (its faster setting at 2 threads
on this machine, docs/performance.md §2) and OPENBLAS_CORETYPE as ctorch
picks (run.py explains). The runner needs no torch itself."""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse(out):
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            rows[parts[0]] = float(parts[1])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build-bench"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--markdown")
    ap.add_argument("--before")
    a = ap.parse_args()
    if a.before:
        lines = ["| op | thr | ctorch before ms | ctorch ms | torch ms | ratio before | ratio |",
                 "|---|---|---|---|---|---|---|"]
    else:
        lines = ["| op | thr | ctorch ms | torch ms | ratio |", "|---|---|---|---|---|"]
    for thr in [int(t) for t in a.threads.split(",")]:
        env = dict(os.environ, OMP_NUM_THREADS=str(thr), OPENBLAS_NUM_THREADS=str(thr), MKL_NUM_THREADS=str(thr))
        tenv = dict(env, OMP_WAIT_POLICY="PASSIVE", OPENBLAS_CORETYPE=env.get("OPENBLAS_CORETYPE", "SkylakeX"))
        ct, pt, bt = {}, {}, {}
        for _ in range(a.rounds):
            if a.before:
                for name, val in parse(subprocess.run([a.before, "--threads", str(thr)], env=env, capture_output=True,
                                                      text=True, check=True).stdout).items():
                    bt.setdefault(name, []).append(val)
            for name, val in parse(subprocess.run([os.path.join(a.build, "bench", "opsurvey"), "--threads", str(thr)],
                                                  env=env, capture_output=True, text=True, check=True).stdout).items():
                ct.setdefault(name, []).append(val)
            for name, val in parse(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "torch_opsurvey.py"),
                                                   "--threads", str(thr)], env=tenv, capture_output=True, text=True,
                                                  check=True).stdout).items():
                pt.setdefault(name, []).append(val)
        for name in ct:
            c, p = statistics.median(ct[name]), statistics.median(pt.get(name, [float("nan")]))
            if a.before:
                b = statistics.median(bt.get(name, [float("nan")]))
                lines.append(f"| {name} | {thr} | {b:.3f} | {c:.3f} | {p:.3f} | {b / p:.2f} | {c / p:.2f} |")
            else:
                lines.append(f"| {name} | {thr} | {c:.3f} | {p:.3f} | {c / p:.2f} |")
    text = "\n".join(lines)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
