"""The PyTorch side of the benchmark suite: the workloads of bench/ctbench.c,
written as a PyTorch user writes them (run with /usr/bin/python3, Debian's
torch 1.13.1).

    /usr/bin/python3 bench/torch_bench.py <workload|all|startup|list> \
        [--threads N] [--warmup W] [--reps R] [--limit B]

prints the same JSON line as ctbench."""
import sys
import time

T_START = time.perf_counter()

import gzip  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist"
LIMIT = 0

WORKLOADS = [  # name, GFLOP per rep, warmup, reps (as ctbench.c)
    ("mlp_tiny_adam", 0, 200, 2000),
    ("mlp_784_sgd", 0, 20, 200),
    ("lenet_bn_adam", 0, 3, 20),
    ("sgemm_1024", 2.0 * 1024 ** 3 / 1e9, 2, 10),
    ("conv3x3_fwd", 2.0 * 16 * 64 * 56 * 56 * 64 * 9 / 1e9, 1, 5),
    ("conv3x3_fwd_bwd", 3 * 2.0 * 16 * 64 * 56 * 56 * 64 * 9 / 1e9, 1, 5),
    ("dwconv3x3_fwd_bwd", 3 * 2.0 * 16 * 128 * 56 * 56 * 9 / 1e9, 2, 10),
    ("softmax_4096", 0, 2, 10),
    ("relu_mul_add_16m", 0, 2, 10),
    ("cross_entropy_4096x1000", 0, 2, 10),
    ("layer_norm_8192x768_fwd_bwd", 0, 2, 10),
    ("group_norm_16x64x56x56_fwd_bwd", 0, 2, 10),
    ("fmnist_epoch", 0, 0, 1),
]


class Train:
    def __init__(self, model, opt, x, y, mse=False):
        self.model, self.opt, self.x, self.y, self.mse, self.loss = model, opt, x, y, mse, 0.0

    def step(self, x=None, y=None):
        x = self.x if x is None else x
        y = self.y if y is None else y
        self.opt.zero_grad(set_to_none=True)
        out = self.model(x)
        loss = F.mse_loss(out, y) if self.mse else F.cross_entropy(out, y)
        loss.backward()
        self.opt.step()
        self.loss = loss.item()


def tiny():
    m = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))
    return Train(m, torch.optim.Adam(m.parameters(), lr=1e-3), torch.randn(8, 16), torch.randn(8, 1), mse=True)


def mlp():
    m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return Train(m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9),
                 torch.randn(64, 784), torch.randint(0, 10, (64,)))


def lenet():
    m = nn.Sequential(nn.Conv2d(1, 20, 5), nn.BatchNorm2d(20), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(20, 50, 5), nn.BatchNorm2d(50), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))
    return Train(m, torch.optim.Adam(m.parameters(), lr=1e-3),
                 torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,)))


def fashion_lenet():
    features = nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(features, classifier)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def timed(body, warmup, reps):
    for _ in range(warmup):
        body()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        body()
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    n = len(times)
    med = times[n // 2] if n % 2 else 0.5 * (times[n // 2 - 1] + times[n // 2])
    return med, times[0]


def run(name, warmup, reps):
    check = [0.0]
    if name in ("mlp_tiny_adam", "mlp_784_sgd", "lenet_bn_adam"):
        t = {"mlp_tiny_adam": tiny, "mlp_784_sgd": mlp, "lenet_bn_adam": lenet}[name]()
        r = timed(t.step, warmup, reps)
        check[0] = t.loss
    elif name == "sgemm_1024":
        a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
        out = [None]

        def body():
            out[0] = torch.mm(a, b)
        r = timed(body, warmup, reps)
        check[0] = out[0].sum().item()
    elif name == "conv3x3_fwd":
        x, w, bias = torch.randn(16, 64, 56, 56), torch.randn(64, 64, 3, 3), torch.randn(64)
        out = [None]

        def body():
            with torch.no_grad():
                out[0] = F.conv2d(x, w, bias, padding=1)
        r = timed(body, warmup, reps)
        check[0] = out[0].sum().item()
    elif name in ("conv3x3_fwd_bwd", "dwconv3x3_fwd_bwd"):
        # 64 -> 64 channels; or depthwise, groups == 128 channels (MobileNet's 3x3)
        c, groups = (128, 128) if name.startswith("dw") else (64, 1)
        x = torch.randn(16, c, 56, 56, requires_grad=True)
        w = torch.randn(c, c // groups, 3, 3, requires_grad=True)
        bias = torch.randn(c, requires_grad=True)
        g = torch.randn(16, c, 56, 56)

        def body():
            x.grad = w.grad = bias.grad = None
            F.conv2d(x, w, bias, padding=1, groups=groups).backward(g)
        r = timed(body, warmup, reps)
        check[0] = w.grad.sum().item()
    elif name == "softmax_4096":
        a = torch.randn(4096, 4096)
        out = [None]

        def body():
            out[0] = torch.softmax(a, -1)
        r = timed(body, warmup, reps)
        check[0] = out[0].sum().item()
    elif name == "relu_mul_add_16m":
        x = torch.randn(16 * 1024 * 1024)
        out = [None]

        def body():
            out[0] = torch.relu(x * 2 + x)
        r = timed(body, warmup, reps)
        check[0] = out[0].sum().item()
    elif name == "cross_entropy_4096x1000":
        logits = torch.randn(4096, 1000, requires_grad=True)
        target = torch.randint(0, 1000, (4096,))

        def body():
            logits.grad = None
            loss = F.cross_entropy(logits, target)
            loss.backward()
            check[0] = loss.item()
        r = timed(body, warmup, reps)
    elif name in ("layer_norm_8192x768_fwd_bwd", "group_norm_16x64x56x56_fwd_bwd"):
        # a transformer's LayerNorm(768) over 8192 tokens, or GroupNorm(32, 64)
        # over a 56x56 feature map of a batch of 16: forward + backward(g)
        ln = name.startswith("layer")
        shape = (8192, 768) if ln else (16, 64, 56, 56)
        x = torch.randn(*shape, requires_grad=True)
        w, b = torch.randn(shape[1], requires_grad=True), torch.randn(shape[1], requires_grad=True)
        g = torch.randn(*shape)

        def body():
            x.grad = w.grad = b.grad = None
            y = F.layer_norm(x, (768,), w, b, 1e-5) if ln else F.group_norm(x, 32, w, b, 1e-5)
            y.backward(g)
        r = timed(body, warmup, reps)
        check[0] = w.grad.sum().item()
    elif name == "fmnist_epoch":
        # uint8 as in the file; each batch converted and normalized when
        # gathered (as ToTensor + Normalize do per sample), as ctbench does
        images = read_idx(f"{FMNIST}/train-images-idx3-ubyte.gz").unsqueeze(1).contiguous()
        labels = read_idx(f"{FMNIST}/train-labels-idx1-ubyte.gz").long()
        m = fashion_lenet()
        t = Train(m, torch.optim.Adam(m.parameters(), lr=1e-3), None, None)
        n, bs = len(labels), 64
        nb = (n + bs - 1) // bs
        if LIMIT > 0:
            nb = min(nb, LIMIT)

        def body():
            perm = torch.randperm(n)
            for b in range(nb):
                idx = perm[b * bs:(b + 1) * bs]
                x = images.index_select(0, idx).float().div_(255).sub_(0.2860).div_(0.3530)
                t.step(x, labels.index_select(0, idx))
        r = timed(body, warmup, reps)
        check[0] = t.loss
    else:
        sys.exit(f"torch_bench: unknown workload '{name}'")
    return r[0], r[1], check[0]


def main():
    global FMNIST, LIMIT
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    name = sys.argv[1]
    opts = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    threads = int(opts.get("--threads", 1))
    LIMIT = int(opts.get("--limit", 0))
    FMNIST = opts.get("--data", FMNIST)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # noqa: E731
    if name == "list":
        print("\n".join(w[0] for w in WORKLOADS))
    elif name == "startup":
        t = tiny()
        t.step()
        print(json.dumps({"workload": "startup", "check": t.loss}))
    elif name == "all":
        t0 = time.perf_counter()
        if LIMIT == 0:
            LIMIT = 20
        for w in WORKLOADS:
            run(w[0], 0, 1)
        print(json.dumps({"workload": "all", "threads": threads, "ms": (time.perf_counter() - t0) * 1e3,
                          "rss_kb": rss()}))
    else:
        w = [w for w in WORKLOADS if w[0] == name]
        if not w:
            sys.exit(f"torch_bench: unknown workload '{name}'")
        _, gflop, warmup, reps = w[0]
        warmup = int(opts.get("--warmup", warmup))
        reps = int(opts.get("--reps", reps))
        med, mn, check = run(name, warmup, reps)
        print(json.dumps({"workload": name, "threads": threads, "ms": med, "min_ms": mn, "gflop": gflop,
                          "rss_kb": rss(), "check": check}))


if __name__ == "__main__":
    main()
