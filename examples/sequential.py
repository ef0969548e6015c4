"""The PyTorch program examples/sequential.c mirrors: nn.Sequential in its
three forms (positional, OrderedDict, add_module). Run with /usr/bin/python3
(torch 1.13.1); tests/parity/gen_examples.py stores its output."""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

# a layer is a module: call it like a function
conv = nn.Conv2d(1, 32, 3)
x = torch.randn(100, 1, 28, 28)
print(conv(x).shape)

# 1. positional
model = nn.Sequential(
    nn.Conv2d(1, 20, 5),
    nn.ReLU(),
    nn.Conv2d(20, 64, 5),
    nn.ReLU(),
)
print(model)
y = model(x[:4])
print(y.shape)
print(len(model), model[0], model[-1])
print(model[1:3])
print(list(model.state_dict().keys()))

# 2. named, from an OrderedDict
model = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(1, 20, 5)),
    ("relu1", nn.ReLU()),
    ("conv2", nn.Conv2d(20, 64, 5)),
    ("relu2", nn.ReLU()),
]))
print(model)
print(model.conv2.weight.shape)
print(list(model.state_dict().keys()))

# 3. empty, then add_module
model = nn.Sequential()
model.add_module("conv1", nn.Conv2d(1, 20, 5))
model.add_module("relu1", nn.ReLU())
model.add_module("flatten", nn.Flatten())
model.add_module("fc", nn.Linear(20 * 24 * 24, 10))
print(model)
out = model(x[:4])
print(out.shape)
loss = F.cross_entropy(out, torch.tensor([1, 0, 4, 9]))
print(loss)
