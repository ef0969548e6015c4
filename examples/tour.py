"""The PyTorch program examples/tour.c mirrors: run it with /usr/bin/python3
(Debian's python3-torch 1.13.1) and compare its tensors with the C tour's."""
import torch

torch.manual_seed(0)
x = torch.randn(2, 3)
print("x = torch.randn(2, 3):")
print(x)
xt = x.t()
print(f"x.t() shape ({xt.shape[0]}, {xt.shape[1]}), stride {xt.stride()}, contiguous: {xt.is_contiguous()}")
a = torch.arange(12).view(3, 4)
print("torch.arange(12).view(3, 4).half():")
print(a.half())
acc = torch.zeros(3)
for step in range(3):
    acc.add_(a.float()[step][1:])
print("sum of a[:, 1:] rows:")
print(acc)
try:
    xt.view(6)
except RuntimeError as e:
    print("x.t().view(6) -> NULL\n ", e)
w = x.clone().requires_grad_()
y = (w * w).sum()
print("y = (w * w).sum():")
print(y)
y.backward()
print("w.grad:")
print(w.grad)
