"""The PyTorch side of the op survey (bench/opsurvey.c): the same ops at the
same sizes, each the minimum of 7 runs, printed as "name ms". usage:
/usr/bin/python3 bench/torch_opsurvey.py [--threads N]"""
import sys
import time

import torch
import torch.nn.functional as F

REPS = 7


def run(name, body):
    best = 1e30
    for _ in range(REPS):
        t0 = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - t0)
    print("%-24s %10.3f" % (name, best * 1e3))


def fwd_bwd(leaf, fn):
    def body():
        leaf.grad = None
        o = fn()
        o.backward(torch.ones_like(o))
    return body


def main():
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[1] == "--threads" else 1)
    torch.manual_seed(0)
    x = torch.randn(2048, 2048)
    xg = torch.randn(2048, 2048, requires_grad=True)
    ax, mask = x.abs(), x > 0
    run("sigmoid", lambda: torch.sigmoid(x))
    run("tanh", lambda: torch.tanh(x))
    run("gelu", lambda: F.gelu(x))
    run("exp", lambda: torch.exp(x))
    run("log_abs", lambda: torch.log(ax))
    run("pow2.5_abs", lambda: torch.pow(ax, 2.5))
    run("sum_dim1", lambda: x.sum(1))
    run("sum_dim0", lambda: x.sum(0))
    run("mean_dim1", lambda: x.mean(1))
    run("max_dim1", lambda: x.max(1))
    run("argmax_dim1", lambda: x.argmax(1))
    run("transpose_contig", lambda: x.t().contiguous())
    run("cat_dim1", lambda: torch.cat([x, x], 1))
    run("cumsum_dim1", lambda: torch.cumsum(x, 1))
    run("sort_dim1", lambda: torch.sort(x, 1))
    run("topk10_dim1", lambda: torch.topk(x, 10, 1))
    run("where_gt", lambda: torch.where(mask, x, xg.detach()))
    run("clamp", lambda: x.clamp(-0.5, 0.5))
    run("dropout_train", lambda: F.dropout(x, 0.5, True))
    tbl, idx = torch.randn(100000, 64), torch.randint(0, 100000, (20000,))
    run("index_select", lambda: tbl.index_select(0, idx))
    lg = torch.randn(4096, 1000, requires_grad=True)
    run("log_softmax_fwd_bwd", fwd_bwd(lg, lambda: F.log_softmax(lg, 1)))
    run("sigmoid_fwd_bwd", fwd_bwd(xg, lambda: torch.sigmoid(xg)))
    run("gelu_fwd_bwd", fwd_bwd(xg, lambda: F.gelu(xg)))
    run("tanh_fwd_bwd", fwd_bwd(xg, lambda: torch.tanh(xg)))
    ba, bb = torch.randn(64, 128, 64), torch.randn(64, 64, 128)
    run("bmm_64x128x64x128", lambda: torch.bmm(ba, bb))
    im = torch.randn(16, 64, 56, 56, requires_grad=True)
    with torch.no_grad():
        run("avg_pool2d_k2", lambda: F.avg_pool2d(im, 2))
        run("adaptive_avg_pool_1", lambda: F.adaptive_avg_pool2d(im, 1))
    run("avg_pool2d_fwd_bwd", fwd_bwd(im, lambda: F.avg_pool2d(im, 2)))
    emb, tok = torch.randn(30000, 256, requires_grad=True), torch.randint(0, 30000, (64, 128))
    run("embedding_fwd_bwd", fwd_bwd(emb, lambda: F.embedding(tok, emb)))
    with torch.no_grad():
        run("interp_bilinear_x2", lambda: F.interpolate(im, scale_factor=2, mode="bilinear"))


if __name__ == "__main__":
    main()
