"""Parity vectors for the loss family (torch.nn.functional.*_loss):
values, grad_fn names, gradients and PyTorch's error messages from
PyTorch 1.13.1. Run with /usr/bin/python3. Writes tests/parity/data/loss.txt
(read by tests/ops/test_loss.c).

args[0] is the reduction (0 mean, 1 sum, 2 none, 3 batchmean); later args
are the op's numbers. Inputs listed in `nograd` do not require grad (class
weights, targets PyTorch does not differentiate)."""
import os
import warnings

import torch
import torch.nn.functional as F

import op_cases
from op_cases import Writer

warnings.simplefilter("ignore")
RED = ["mean", "sum", "none", "batchmean"]


class LossWriter(Writer):
    def case(self, op, fn, inputs, args=(), nograd=(), grad=True, **kw):
        """Writer.case where the inputs listed in nograd never require grad;
        args go to the C side only."""
        orig = torch.Tensor.requires_grad_
        floating = [i for i, x in enumerate(inputs) if x.dtype.is_floating_point]
        skip = {floating.index(i) for i in nograd if i in floating}
        count = [0]

        def requires_grad_(t, flag=True):
            i = count[0]
            count[0] += 1
            return orig(t, flag and i not in skip)

        n = len(inputs)
        torch.Tensor.requires_grad_ = requires_grad_
        try:
            super().case(op, lambda *a: fn(*a[:n]), inputs, args, grad=grad, **kw)
        finally:
            torch.Tensor.requires_grad_ = orig


W = LossWriter(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "loss.txt"))
make, case, error = W.make, W.case, W.error
D, S = torch.float64, torch.float32
L = torch.int64


def cls(shape, C):
    return torch.randint(0, C, shape)


for dt in [D, S]:
    for r in range(3):
        R = RED[r]
        # regression
        for sh in [(3, 4), (5,), ()]:
            case("l1", lambda x, t: F.l1_loss(x, t, reduction=R), [make(sh, dt), make(sh, dt)], [r])
            case("mse", lambda x, t: F.mse_loss(x, t, reduction=R), [make(sh, dt), make(sh, dt)], [r])
        case("mse", lambda x, t: F.mse_loss(x, t, reduction=R), [make((3, 1), dt), make((3,), dt)], [r])
        for delta in [1.0, 0.5, 2.0]:
            x = make((4, 5), dt)
            case("huber", lambda x, t: F.huber_loss(x, t, reduction=R, delta=delta), [x * 2, make((4, 5), dt)], [r, delta])
        for beta in [1.0, 0.5, 0.0]:
            x = make((4, 5), dt)
            case("smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, reduction=R, beta=beta), [x * 2, make((4, 5), dt)],
                 [r, beta])
        case("soft_margin", lambda x, t: F.soft_margin_loss(x, t, reduction=R),
             [make((3, 4), dt), torch.sign(make((3, 4), dt))], [r], nograd=[1])
        # bce
        p = torch.sigmoid(make((3, 4), dt))
        case("bce", lambda x, t: F.binary_cross_entropy(x, t, reduction=R), [p, torch.rand(3, 4, dtype=dt)], [r])
        case("bce_w", lambda x, t, w: F.binary_cross_entropy(x, t, weight=w, reduction=R),
             [p, torch.rand(3, 4, dtype=dt), torch.rand(4, dtype=dt)], [r], nograd=[2])
        case("bce", lambda x, t: F.binary_cross_entropy(x, t, reduction=R),
             [torch.tensor([0.0, 1.0, 0.5], dtype=dt), torch.tensor([1.0, 0.0, 0.5], dtype=dt)], [r], grad=False)
        case("bcel", lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=R),
             [make((3, 4), dt) * 3, torch.rand(3, 4, dtype=dt)], [r])
        case("bcel_w", lambda x, t, w, pw: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=R),
             [make((3, 4), dt) * 3, torch.rand(3, 4, dtype=dt), torch.rand(4, dtype=dt), torch.rand(4, dtype=dt) * 2],
             [r], nograd=[2, 3])
        # nll / cross entropy
        for xs, ts in [((5, 4), (5,)), ((4,), ()), ((2, 3, 4), (2, 4)), ((2, 3, 2, 2), (2, 2, 2)),
                       ((2, 3, 2, 1, 2), (2, 2, 1, 2))]:
            C = xs[0] if len(xs) == 1 else xs[1]
            t = cls(ts, C)
            lp = torch.log_softmax(make(xs, dt), 0 if len(xs) == 1 else 1)
            case("nll", lambda x, t: F.nll_loss(x, t, reduction=R), [lp, t], [r])
            case("ce", lambda x, t: F.cross_entropy(x, t, reduction=R), [make(xs, dt), t], [r])
            w = torch.rand(C, dtype=dt) + 0.1
            case("nll_w", lambda x, t, w: F.nll_loss(x, t, weight=w, reduction=R), [lp, t, w], [r], nograd=[2])
            case("ce_w", lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=R), [make(xs, dt), t, w], [r],
                 nograd=[2])
            case("ce_ls", lambda x, t: F.cross_entropy(x, t, reduction=R, label_smoothing=0.2), [make(xs, dt), t],
                 [r, 0.2])
            case("ce_ls_w", lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=R, label_smoothing=0.1),
                 [make(xs, dt), t, w], [r, 0.1], nograd=[2])
            pt = torch.softmax(make(xs, dt), 0 if len(xs) == 1 else 1)
            case("ce_p", lambda x, t: F.cross_entropy(x, t, reduction=R), [make(xs, dt), pt], [r])
            case("ce_p_w", lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=R, label_smoothing=0.1),
                 [make(xs, dt), pt, w], [r, 0.1], nograd=[2])
        t = torch.tensor([1, -100, 3, 2, 1])
        case("ce_ig", lambda x, t: F.cross_entropy(x, t, reduction=R), [make((5, 4), dt), t], [r, -100])
        t1 = torch.tensor([1, 0, 3, 2, 1])
        case("ce_ig", lambda x, t: F.cross_entropy(x, t, reduction=R, ignore_index=1), [make((5, 4), dt), t1], [r, 1])
        case("nll_ig", lambda x, t: F.nll_loss(x, t, reduction=R, ignore_index=1), [make((5, 4), dt), t1], [r, 1])
        case("nll_ig", lambda x, t: F.nll_loss(x, t, reduction=R), [make((5, 4), dt), t], [r, -100])
        case("ce_ls_ig", lambda x, t: F.cross_entropy(x, t, reduction=R, ignore_index=1, label_smoothing=0.3),
             [make((5, 4), dt), t1], [r, 1, 0.3])
        case("ce_ls_ig", lambda x, t: F.cross_entropy(x, t, reduction=R, label_smoothing=0.3),
             [make((5, 4), dt), t], [r, -100, 0.3])
        case("ce_ig", lambda x, t: F.cross_entropy(x, t, reduction=R),
             [make((2, 3, 4), dt), torch.tensor([[0, -100, 2, 1], [-100, -100, 1, 2]])], [r, -100])
        case("ce", lambda x, t: F.cross_entropy(x, t, reduction=R),
             [torch.tensor([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 3.0]], dtype=dt), torch.tensor([1, 0])], [r])
        # others
        case("poisson", lambda x, t: F.poisson_nll_loss(x, t, reduction=R), [make((3, 4), dt), make((3, 4), dt, "pos")], [r, 1, 0])
        case("poisson", lambda x, t: F.poisson_nll_loss(x, t, log_input=False, full=True, reduction=R),
             [make((3, 4), dt, "pos"), make((3, 4), dt, "pos") * 2], [r, 0, 1])
        case("gauss", lambda x, t, v: F.gaussian_nll_loss(x, t, v, reduction=R),
             [make((3, 4), dt), make((3, 4), dt), make((3, 4), dt, "pos")], [r, 0])
        case("gauss", lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True, reduction=R),
             [make((3, 4), dt), make((3, 4), dt), make((3,), dt, "pos")], [r, 1])
        case("gauss", lambda x, t, v: F.gaussian_nll_loss(x, t, v, reduction=R),
             [make((3, 4), dt), make((3, 4), dt), make((3, 1), dt, "pos")], [r, 0])
        case("kl", lambda x, t: F.kl_div(x, t, reduction=R), [make((3, 4), dt), make((3, 4), dt, "pos")], [r, 0])
        case("kl", lambda x, t: F.kl_div(x, t, reduction=R, log_target=True), [make((3, 4), dt), make((3, 4), dt)], [r, 1])
        case("mlsm", lambda x, t: F.multilabel_soft_margin_loss(x, t, reduction=R),
             [make((3, 4), dt), (torch.rand(3, 4) > 0.5).to(dt)], [r])
        case("mlsm_w", lambda x, t, w: F.multilabel_soft_margin_loss(x, t, weight=w, reduction=R),
             [make((3, 4), dt), (torch.rand(3, 4) > 0.5).to(dt), torch.rand(4, dtype=dt)], [r], nograd=[2])
        y = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=dt)
        case("mrank", lambda a, b, y: F.margin_ranking_loss(a, b, y, reduction=R), [make((4,), dt), make((4,), dt), y], [r, 0.0], nograd=[2])
        case("mrank", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.5, reduction=R),
             [make((4,), dt), make((4,), dt), y], [r, 0.5], nograd=[2])
        yy = torch.tensor([[1.0, -1.0, 1.0, -1.0]] * 3, dtype=dt)
        case("hinge", lambda x, y: F.hinge_embedding_loss(x, y, reduction=R), [make((3, 4), dt), yy], [r, 1.0], nograd=[1])
        case("hinge", lambda x, y: F.hinge_embedding_loss(x, y, margin=0.3, reduction=R), [make((3, 4), dt), yy], [r, 0.3],
             nograd=[1])
        y3 = torch.tensor([1.0, -1.0, -1.0], dtype=dt)
        case("cosine", lambda a, b, y: F.cosine_embedding_loss(a, b, y, reduction=R), [make((3, 5), dt), make((3, 5), dt), y3],
             [r, 0.0], nograd=[2])
        case("cosine", lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=-0.2, reduction=R),
             [make((3, 5), dt), make((3, 5), dt), y3], [r, -0.2], nograd=[2])
        for p, m in [(1, 1.0), (2, 0.5)]:
            case("multi_margin", lambda x, t: F.multi_margin_loss(x, t, p=p, margin=m, reduction=R),
                 [make((4, 5), dt), cls((4,), 5)], [r, p, m])
            case("multi_margin_w", lambda x, t, w: F.multi_margin_loss(x, t, p=p, margin=m, weight=w, reduction=R),
                 [make((4, 5), dt), cls((4,), 5), torch.rand(5, dtype=dt)], [r, p, m], nograd=[2])
        case("multi_margin", lambda x, t: F.multi_margin_loss(x, t, reduction=R), [make((5,), dt), torch.tensor(2)], [r, 1, 1.0])
        case("mlm", lambda x, t: F.multilabel_margin_loss(x, t, reduction=R),
             [make((3, 4), dt), torch.tensor([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]])], [r])
        case("mlm", lambda x, t: F.multilabel_margin_loss(x, t, reduction=R), [make((4,), dt), torch.tensor([2, 1, -1, 0])], [r])
        for swap in [0, 1]:
            case("triplet", lambda a, p_, n: F.triplet_margin_loss(a, p_, n, swap=bool(swap), reduction=R),
                 [make((3, 5), dt), make((3, 5), dt), make((3, 5), dt)], [r, 1.0, 2.0, swap])
            case("triplet", lambda a, p_, n: F.triplet_margin_loss(a, p_, n, margin=0.5, p=1.0, swap=bool(swap), reduction=R),
                 [make((3, 5), dt), make((3, 5), dt), make((3, 5), dt)], [r, 0.5, 1.0, swap])
            case("triplet_dist", lambda a, p_, n: F.triplet_margin_with_distance_loss(a, p_, n, swap=bool(swap), reduction=R),
                 [make((3, 5), dt), make((3, 5), dt), make((3, 5), dt)], [r, 1.0, swap])
        # ctc through log_softmax (PyTorch's gradient assumes it)
        T, N, C = 6, 3, 4
        tg = torch.tensor([[1, 2, 2], [3, 1, 0], [2, 0, 0]])
        il, tl = torch.tensor([6, 5, 4]), torch.tensor([3, 2, 1])
        for zi in [0, 1]:
            case("ctc", lambda x, tg, il, tl: F.ctc_loss(x.log_softmax(2), tg, il, tl, reduction=R, zero_infinity=bool(zi)),
                 [make((T, N, C), dt), tg, il, tl], [r, 0, zi])
        case("ctc_raw", lambda x, tg, il, tl: F.ctc_loss(x, tg, il, tl, reduction=R),
             [torch.log_softmax(make((T, N, C), dt), 2), tg, il, tl], [r, 0, 0])
        case("ctc", lambda x, tg, il, tl: F.ctc_loss(x.log_softmax(2), tg, il, tl, blank=3, reduction=R),
             [make((T, N, C), dt), torch.tensor([1, 2, 0, 1, 2, 0]), il, tl], [r, 3, 0])
        case("ctc", lambda x, tg, il, tl: F.ctc_loss(x.log_softmax(1), tg, il, tl, reduction=R),
             [make((T, C), dt), torch.tensor([1, 2]), torch.tensor(5), torch.tensor(2)], [r, 0, 0])
        # impossible alignment: inf, or 0 with zero_infinity
        for zi in [0, 1]:
            case("ctc", lambda x, tg, il, tl: F.ctc_loss(x.log_softmax(2), tg, il, tl, reduction=R, zero_infinity=bool(zi)),
                 [make((2, 1, C), dt), torch.tensor([[1, 1, 1]]), torch.tensor([2]), torch.tensor([3])], [r, 0, zi],
                 grad=bool(zi))
    case("kl", lambda x, t: F.kl_div(x, t, reduction="batchmean"), [make((3, 4), dt), make((3, 4), dt, "pos")], [3, 0])

# the docs' examples
case("l1", lambda x, t: F.l1_loss(x, t), [torch.tensor([1.0, 2, 3]), torch.tensor([2.0, 3, 4])], [0])
case("mse", lambda x, t: F.mse_loss(x, t), [torch.tensor([1.0, 2, 3]), torch.tensor([3.0, 4, 5])], [0])

# errors
error("nll", lambda x, t: F.nll_loss(x, t), [make((3, 4), S), torch.tensor([1, 2, 5])], [0])
error("ce", lambda x, t: F.cross_entropy(x, t), [make((3, 4), S), torch.tensor([1, 2, 5])], [0])
error("ce", lambda x, t: F.cross_entropy(x, t), [make((64, 4), S), cls((32,), 4)], [0])
error("nll", lambda x, t: F.nll_loss(x, t), [make((3, 4), S), torch.tensor([1, 2, 1], dtype=torch.int32)], [0])
error("nll", lambda x, t: F.nll_loss(x, t), [make((3, 4), S), cls((3, 2), 4)], [0])
error("nll", lambda x, t: F.nll_loss(x, t), [make((3, 4, 2, 2), S), cls((3, 2, 3), 4)], [0])
error("nll", lambda x, t: F.nll_loss(x, t), [make((3, 4, 5), S), cls((3, 4), 4)], [0])
error("nll_w", lambda x, t, w: F.nll_loss(x, t, weight=w), [make((3, 4), S), cls((3,), 4), torch.rand(3)], [0])
error("ce_p", lambda x, t: F.cross_entropy(x, t), [make((3, 4), S), cls((3, 4), 4)], [0])
error("ce_ls", lambda x, t: F.cross_entropy(x, t, label_smoothing=1.5), [make((3, 4), S), cls((3,), 4)], [0, 1.5])
error("bce", lambda x, t: F.binary_cross_entropy(x, t), [torch.rand(3, 1), torch.rand(3)], [0])
error("bce", lambda x, t: F.binary_cross_entropy(x, t), [torch.tensor([1.5, 0.5]), torch.rand(2)], [0])
error("bcel", lambda x, t: F.binary_cross_entropy_with_logits(x, t), [make((3, 1), S), torch.rand(3)], [0])
error("huber", lambda x, t: F.huber_loss(x, t, delta=-1.0), [make((3,), S), make((3,), S)], [0, -1.0])
error("smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, beta=-1.0), [make((3,), S), make((3,), S)], [0, -1.0])
error("mse", lambda x, t: F.mse_loss(x, t), [make((3,), S), make((4,), S)], [0])
error("cosine", lambda a, b, y: F.cosine_embedding_loss(a, b, y), [make((3, 5), S), make((3, 5), S), make((3, 1), S)], [0, 0.0])
error("cosine", lambda a, b, y: F.cosine_embedding_loss(a, b, y), [make((5,), S), make((5,), S), make((3,), S)], [0, 0.0])
error("mrank", lambda a, b, y: F.margin_ranking_loss(a, b, y), [make((4,), S), make((4, 1), S), make((4,), S)], [0, 0.0])
error("multi_margin", lambda x, t: F.multi_margin_loss(x, t), [make((4, 5), S), torch.tensor([0, 1, 7, 2])], [0, 1, 1.0])
error("multi_margin", lambda x, t: F.multi_margin_loss(x, t), [make((4, 5), S), torch.tensor([0, 1, 2])], [0, 1, 1.0])
error("mlm", lambda x, t: F.multilabel_margin_loss(x, t), [make((3, 4), S), torch.tensor([[3, 0, -1, 1]] * 2)], [0])
error("triplet", lambda a, p_, n: F.triplet_margin_loss(a, p_, n), [make((3, 5), S), make((5,), S), make((3, 5), S)],
      [0, 1.0, 2.0, 0])
error("gauss", lambda x, t, v: F.gaussian_nll_loss(x, t, v), [make((3, 4), S), make((3, 4), S), make((4,), S)], [0, 0])
error("gauss", lambda x, t, v: F.gaussian_nll_loss(x, t, v), [make((3, 4), S), make((3, 4), S), -make((3, 4), S, "pos")], [0, 0])
error("ctc", lambda x, tg, il, tl: F.ctc_loss(x, tg, il, tl, blank=4), [make((6, 3, 4), S), cls((3, 3), 4),
      torch.tensor([6, 5, 4]), torch.tensor([3, 2, 1])], [0, 4, 0])
error("ctc", lambda x, tg, il, tl: F.ctc_loss(x, tg, il, tl), [make((6, 3, 4), S), cls((3, 3), 4),
      torch.tensor([7, 5, 4]), torch.tensor([3, 2, 1])], [0, 0, 0])
W.write("gen_loss.py")
