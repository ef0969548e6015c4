"""The PyTorch program examples/model.c mirrors: a user-defined module
(the Model of torch.nn.Module's docs). Run with /usr/bin/python3 (torch
1.13.1); tests/parity/gen_examples.py stores its output."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 20, 5)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        return F.relu(self.conv2(x))


torch.manual_seed(0)
model = Model()
print(model)
for name, p in model.named_parameters():
    print(name, p.shape)
x = torch.randn(8, 1, 28, 28)
y = model(x)
print(y.shape)
loss = y.mean()
print(loss)
loss.backward()
print(model.conv1.weight.grad.shape)
print(model.conv1.bias.grad.abs().sum())
model.eval()
print(model.training, model.conv1.training)
