"""Registry parity: one typical configuration of every module constructor of
include/ctorch/nn*.h, built after torch.manual_seed(0) in PyTorch 1.13.1.
Per module: repr, inputs, forward output after torch.manual_seed(1) (in
train mode), then repr and state_dict (keys, shapes, values bit for bit)
after that forward, and for modules with parameters the forward of
module.double() on the float64 inputs. Run with /usr/bin/python3; writes
tests/parity/data/registry.txt (read by tests/nn/test_registry.c, whose
table of C constructors follows the order and names used here)."""
import os
from collections import OrderedDict
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from op_cases import esc, hexvals, DT

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "registry.txt")
L = []


def tensor(prefix, t):
    L.append(f"{prefix}_dtype {DT[t.dtype]}")
    L.append(f"{prefix}_shape {' '.join(map(str, t.shape))}".rstrip())
    L.append(f"{prefix} {' '.join(hexvals(t))}".rstrip())


def r(*s):
    return torch.randn(*s)


def pos(*s):
    return torch.rand(*s) * 0.8 + 0.1


def idx(hi, *s):
    return torch.randint(0, hi, s)


def pm1(*s):
    return torch.randint(0, 2, s).float() * 2 - 1


def unpool_inputs(nd, shape):
    x = r(*shape)
    y, i = [F.max_pool1d, F.max_pool2d, F.max_pool3d][nd - 1](x, 2, return_indices=True)
    return [y, i]


def ctc_inputs():
    lp = torch.randn(6, 2, 4).log_softmax(2)
    return [lp, torch.tensor([[1, 2, 1], [3, 3, 0]]), torch.tensor([6, 5]), torch.tensor([3, 2])]


# name, constructor, inputs (a function: list of tensors; None: no forward)
E = [
    ("identity", lambda: nn.Identity(), lambda: [r(2, 3)]),
    ("linear", lambda: nn.Linear(4, 3), lambda: [r(2, 4)]),
    ("linear_nobias", lambda: nn.Linear(4, 3, bias=False), lambda: [r(2, 4)]),
    ("lazy_linear", lambda: nn.LazyLinear(3), lambda: [r(2, 4)]),
    ("bilinear", lambda: nn.Bilinear(3, 2, 4), lambda: [r(2, 3), r(2, 2)]),
    ("flatten", lambda: nn.Flatten(), lambda: [r(2, 3, 2)]),
    ("unflatten", lambda: nn.Unflatten(1, (2, 3)), lambda: [r(2, 6)]),
    ("sequential", lambda: nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)), lambda: [r(2, 4)]),
    ("sequential_named", lambda: nn.Sequential(OrderedDict([("fc", nn.Linear(3, 2)), ("act", nn.Sigmoid())])),
     lambda: [r(2, 3)]),
    ("parameter_list", lambda: nn.ParameterList([nn.Parameter(torch.ones(2, 3)), nn.Parameter(torch.zeros(4))]), None),
    ("parameter_dict", lambda: nn.ParameterDict({"scale": nn.Parameter(torch.ones(2))}), None),
    ("module_list", lambda: nn.ModuleList([nn.Linear(2, 3), nn.Tanh()]), None),
    ("module_dict", lambda: nn.ModuleDict({"fc": nn.Linear(2, 3), "act": nn.ReLU()}), None),
    ("conv1d", lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1), lambda: [r(2, 2, 7)]),
    ("conv2d", lambda: nn.Conv2d(2, 4, 3, padding=1, groups=2), lambda: [r(1, 2, 5, 5)]),
    ("conv2d_reflect", lambda: nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect", bias=False), lambda: [r(1, 1, 4, 4)]),
    ("conv3d", lambda: nn.Conv3d(1, 2, 2), lambda: [r(1, 1, 3, 3, 3)]),
    ("conv_transpose1d", lambda: nn.ConvTranspose1d(2, 3, 3, stride=2), lambda: [r(1, 2, 4)]),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, output_padding=1), lambda: [r(1, 2, 3, 3)]),
    ("conv_transpose3d", lambda: nn.ConvTranspose3d(1, 2, 2), lambda: [r(1, 1, 2, 2, 2)]),
    ("unfold", lambda: nn.Unfold(2, stride=1), lambda: [r(1, 2, 3, 3)]),
    ("fold", lambda: nn.Fold((3, 3), 2), lambda: [r(1, 8, 4)]),
    ("max_pool1d", lambda: nn.MaxPool1d(2), lambda: [r(1, 2, 6)]),
    ("max_pool2d", lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), lambda: [r(1, 2, 5, 5)]),
    ("max_pool3d", lambda: nn.MaxPool3d(2), lambda: [r(1, 1, 4, 4, 4)]),
    ("max_unpool1d", lambda: nn.MaxUnpool1d(2), lambda: unpool_inputs(1, (1, 2, 6))),
    ("max_unpool2d", lambda: nn.MaxUnpool2d(2), lambda: unpool_inputs(2, (1, 2, 4, 4))),
    ("max_unpool3d", lambda: nn.MaxUnpool3d(2), lambda: unpool_inputs(3, (1, 1, 4, 4, 4))),
    ("avg_pool1d", lambda: nn.AvgPool1d(3, stride=2, padding=1), lambda: [r(1, 2, 7)]),
    ("avg_pool2d", lambda: nn.AvgPool2d(2, count_include_pad=False, padding=1), lambda: [r(1, 2, 5, 5)]),
    ("avg_pool3d", lambda: nn.AvgPool3d(2), lambda: [r(1, 1, 4, 4, 4)]),
    ("adaptive_avg_pool1d", lambda: nn.AdaptiveAvgPool1d(3), lambda: [r(1, 2, 7)]),
    ("adaptive_avg_pool2d", lambda: nn.AdaptiveAvgPool2d((2, 3)), lambda: [r(1, 2, 5, 5)]),
    ("adaptive_avg_pool3d", lambda: nn.AdaptiveAvgPool3d(2), lambda: [r(1, 1, 3, 4, 5)]),
    ("adaptive_max_pool1d", lambda: nn.AdaptiveMaxPool1d(3), lambda: [r(1, 2, 7)]),
    ("adaptive_max_pool2d", lambda: nn.AdaptiveMaxPool2d(2), lambda: [r(1, 2, 5, 5)]),
    ("adaptive_max_pool3d", lambda: nn.AdaptiveMaxPool3d(2), lambda: [r(1, 1, 3, 4, 5)]),
    ("lp_pool1d", lambda: nn.LPPool1d(2, 3, stride=2), lambda: [r(1, 2, 7)]),
    ("lp_pool2d", lambda: nn.LPPool2d(1.5, 2), lambda: [pos(1, 2, 4, 4)]),
    ("reflection_pad1d", lambda: nn.ReflectionPad1d(2), lambda: [r(1, 2, 4)]),
    ("reflection_pad2d", lambda: nn.ReflectionPad2d((1, 0, 2, 1)), lambda: [r(1, 1, 3, 3)]),
    ("reflection_pad3d", lambda: nn.ReflectionPad3d(1), lambda: [r(1, 1, 2, 2, 2)]),
    ("replication_pad1d", lambda: nn.ReplicationPad1d((1, 2)), lambda: [r(1, 2, 3)]),
    ("replication_pad2d", lambda: nn.ReplicationPad2d(1), lambda: [r(1, 1, 2, 3)]),
    ("replication_pad3d", lambda: nn.ReplicationPad3d(1), lambda: [r(1, 1, 2, 2, 2)]),
    ("constant_pad1d", lambda: nn.ConstantPad1d(2, 3.5), lambda: [r(1, 2, 3)]),
    ("constant_pad2d", lambda: nn.ConstantPad2d((1, 0, 0, 2), -1.0), lambda: [r(1, 1, 2, 2)]),
    ("constant_pad3d", lambda: nn.ConstantPad3d(1, 0.5), lambda: [r(1, 1, 1, 2, 2)]),
    ("zero_pad2d", lambda: nn.ZeroPad2d((1, 1, 2, 0)), lambda: [r(1, 1, 2, 2)]),
    ("elu", lambda: nn.ELU(0.5), lambda: [r(2, 3)]),
    ("hardshrink", lambda: nn.Hardshrink(0.3), lambda: [r(2, 3)]),
    ("hardsigmoid", lambda: nn.Hardsigmoid(), lambda: [r(2, 3) * 3]),
    ("hardtanh", lambda: nn.Hardtanh(-0.5, 0.5), lambda: [r(2, 3)]),
    ("hardswish", lambda: nn.Hardswish(), lambda: [r(2, 3) * 3]),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), lambda: [r(2, 3)]),
    ("logsigmoid", lambda: nn.LogSigmoid(), lambda: [r(2, 3)]),
    ("prelu", lambda: nn.PReLU(3, 0.1), lambda: [r(2, 3, 2)]),
    ("relu", lambda: nn.ReLU(), lambda: [r(2, 3)]),
    ("relu_inplace", lambda: nn.ReLU(inplace=True), lambda: [r(2, 3)]),
    ("relu6", lambda: nn.ReLU6(), lambda: [r(2, 3) * 4]),
    ("rrelu", lambda: nn.RReLU(0.1, 0.3), lambda: [r(2, 3)]),
    ("selu", lambda: nn.SELU(), lambda: [r(2, 3)]),
    ("celu", lambda: nn.CELU(0.7), lambda: [r(2, 3)]),
    ("gelu", lambda: nn.GELU(), lambda: [r(2, 3)]),
    ("gelu_tanh", lambda: nn.GELU(approximate="tanh"), lambda: [r(2, 3)]),
    ("sigmoid", lambda: nn.Sigmoid(), lambda: [r(2, 3)]),
    ("silu", lambda: nn.SiLU(), lambda: [r(2, 3)]),
    ("mish", lambda: nn.Mish(), lambda: [r(2, 3)]),
    # C takes doubles: whole numbers print as PyTorch prints its int defaults
    ("softplus", lambda: nn.Softplus(2, 10), lambda: [r(2, 3)]),
    ("softshrink", lambda: nn.Softshrink(0.4), lambda: [r(2, 3)]),
    ("softsign", lambda: nn.Softsign(), lambda: [r(2, 3)]),
    ("tanh", lambda: nn.Tanh(), lambda: [r(2, 3)]),
    ("tanhshrink", lambda: nn.Tanhshrink(), lambda: [r(2, 3)]),
    ("threshold", lambda: nn.Threshold(0.1, 20), lambda: [r(2, 3)]),
    ("glu", lambda: nn.GLU(), lambda: [r(2, 4)]),
    ("softmin", lambda: nn.Softmin(1), lambda: [r(2, 3)]),
    ("softmax", lambda: nn.Softmax(-1), lambda: [r(2, 3)]),
    ("softmax2d", lambda: nn.Softmax2d(), lambda: [r(1, 3, 2, 2)]),
    ("log_softmax", lambda: nn.LogSoftmax(1), lambda: [r(2, 3)]),
    ("batch_norm1d", lambda: nn.BatchNorm1d(3), lambda: [r(4, 3)]),
    ("batch_norm2d", lambda: nn.BatchNorm2d(2, momentum=None), lambda: [r(2, 2, 3, 3)]),
    ("batch_norm3d", lambda: nn.BatchNorm3d(2, affine=False), lambda: [r(2, 2, 2, 2, 2)]),
    ("group_norm", lambda: nn.GroupNorm(2, 4), lambda: [r(2, 4, 3)]),
    ("instance_norm1d", lambda: nn.InstanceNorm1d(2, affine=True), lambda: [r(2, 2, 5)]),
    ("instance_norm2d", lambda: nn.InstanceNorm2d(2, track_running_stats=True), lambda: [r(2, 2, 3, 3)]),
    ("instance_norm3d", lambda: nn.InstanceNorm3d(1), lambda: [r(1, 1, 2, 2, 3)]),
    ("layer_norm", lambda: nn.LayerNorm((2, 3)), lambda: [r(2, 2, 3)]),
    ("local_response_norm", lambda: nn.LocalResponseNorm(3), lambda: [r(1, 4, 2, 2)]),
    ("dropout", lambda: nn.Dropout(0.3), lambda: [r(3, 4)]),
    ("dropout1d", lambda: nn.Dropout1d(0.5), lambda: [r(2, 4, 3)]),
    ("dropout2d", lambda: nn.Dropout2d(0.5), lambda: [r(2, 4, 2, 2)]),
    ("dropout3d", lambda: nn.Dropout3d(0.5), lambda: [r(2, 4, 1, 2, 2)]),
    ("alpha_dropout", lambda: nn.AlphaDropout(0.2), lambda: [r(3, 4)]),
    ("feature_alpha_dropout", lambda: nn.FeatureAlphaDropout(0.5), lambda: [r(2, 4, 2)]),
    ("embedding", lambda: nn.Embedding(5, 3, padding_idx=1), lambda: [idx(5, 2, 3)]),
    ("embedding_from_pretrained", lambda: nn.Embedding.from_pretrained(torch.arange(6.0).reshape(3, 2)),
     lambda: [idx(3, 4)]),
    ("embedding_bag", lambda: nn.EmbeddingBag(6, 2, mode="sum"), lambda: [idx(6, 2, 3)]),
    ("pixel_shuffle", lambda: nn.PixelShuffle(2), lambda: [r(1, 4, 2, 2)]),
    ("pixel_unshuffle", lambda: nn.PixelUnshuffle(2), lambda: [r(1, 1, 4, 4)]),
    ("channel_shuffle", lambda: nn.ChannelShuffle(2), lambda: [r(1, 4, 2, 2)]),
    ("upsample", lambda: nn.Upsample(scale_factor=2, mode="bilinear"), lambda: [r(1, 1, 2, 3)]),
    ("upsampling_nearest2d", lambda: nn.UpsamplingNearest2d(size=(3, 4)), lambda: [r(1, 1, 2, 2)]),
    ("upsampling_bilinear2d", lambda: nn.UpsamplingBilinear2d(scale_factor=2), lambda: [r(1, 1, 2, 2)]),
    ("l1_loss", lambda: nn.L1Loss(), lambda: [r(2, 3), r(2, 3)]),
    ("mse_loss", lambda: nn.MSELoss(reduction="sum"), lambda: [r(2, 3), r(2, 3)]),
    ("cross_entropy_loss", lambda: nn.CrossEntropyLoss(label_smoothing=0.1), lambda: [r(3, 4), idx(4, 3)]),
    ("ctc_loss", lambda: nn.CTCLoss(), ctc_inputs),
    ("nll_loss", lambda: nn.NLLLoss(), lambda: [r(3, 4).log_softmax(1), idx(4, 3)]),
    ("poisson_nll_loss", lambda: nn.PoissonNLLLoss(), lambda: [r(2, 3), pos(2, 3) * 3]),
    ("gaussian_nll_loss", lambda: nn.GaussianNLLLoss(), lambda: [r(2, 3), r(2, 3), pos(2, 3)]),
    ("kl_div_loss", lambda: nn.KLDivLoss(reduction="batchmean"), lambda: [r(2, 3).log_softmax(1), r(2, 3).softmax(1)]),
    ("bce_loss", lambda: nn.BCELoss(), lambda: [pos(2, 3), pos(2, 3)]),
    ("bce_with_logits_loss", lambda: nn.BCEWithLogitsLoss(), lambda: [r(2, 3), pos(2, 3)]),
    ("margin_ranking_loss", lambda: nn.MarginRankingLoss(0.1), lambda: [r(4), r(4), pm1(4)]),
    ("hinge_embedding_loss", lambda: nn.HingeEmbeddingLoss(), lambda: [r(2, 3), pm1(2, 3)]),
    ("multilabel_margin_loss", lambda: nn.MultiLabelMarginLoss(), lambda: [r(2, 4), torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])]),
    ("huber_loss", lambda: nn.HuberLoss(delta=0.5), lambda: [r(2, 3), r(2, 3)]),
    ("smooth_l1_loss", lambda: nn.SmoothL1Loss(beta=0.5), lambda: [r(2, 3), r(2, 3)]),
    ("soft_margin_loss", lambda: nn.SoftMarginLoss(), lambda: [r(2, 3), pm1(2, 3)]),
    ("multilabel_soft_margin_loss", lambda: nn.MultiLabelSoftMarginLoss(), lambda: [r(2, 3), pm1(2, 3).clamp(min=0)]),
    ("cosine_embedding_loss", lambda: nn.CosineEmbeddingLoss(0.2), lambda: [r(3, 4), r(3, 4), pm1(3)]),
    ("multi_margin_loss", lambda: nn.MultiMarginLoss(), lambda: [r(3, 4), idx(4, 3)]),
    ("triplet_margin_loss", lambda: nn.TripletMarginLoss(), lambda: [r(3, 4), r(3, 4), r(3, 4)]),
    ("triplet_margin_with_distance_loss", lambda: nn.TripletMarginWithDistanceLoss(), lambda: [r(3, 4), r(3, 4), r(3, 4)]),
]

for k, (name, ctor, inputs) in enumerate(E):
    torch.manual_seed(1000 + k)
    xs = inputs() if inputs else []
    torch.manual_seed(0)
    m = ctor()
    L.append(f"case {name}")
    L.append(f"repr$ {esc(repr(m))}")
    L.append(f"ninputs {len(xs)}")
    for i, x in enumerate(xs):
        tensor(f"in{i}", x)
    if inputs:
        torch.manual_seed(1)
        y = m(*[x.clone() for x in xs])
        tensor("out", y)
    L.append(f"repr_after$ {esc(repr(m))}")
    sd = m.state_dict()
    L.append(f"sd_n {len(sd)}")
    for i, (key, v) in enumerate(sd.items()):
        L.append(f"sd{i}_key$ {key}")
        tensor(f"sd{i}", v)
    has_params = len(list(m.parameters())) > 0
    L.append(f"has_params {int(has_params)}")
    if has_params and inputs:
        m.double()
        torch.manual_seed(1)
        y = m(*[x.double() if x.is_floating_point() else x for x in xs])
        tensor("out64", y)
    L.append("end")

with open(OUT, "w") as f:
    f.write(f"# generated by tests/parity/gen_registry.py with torch {torch.__version__}\n")
    f.write("\n".join(L) + "\n")
print(OUT, len(E), "modules")
