"""The PyTorch program examples/lenet.c mirrors: LeNet-5 with batch
normalization, a few SGD steps, then eval. Run with /usr/bin/python3 (torch
1.13.1); tests/parity/gen_examples.py stores its output."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16)
        self.classifier = nn.Sequential(
            nn.Linear(16 * 4 * 4, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.max_pool2d(F.relu(self.bn2(self.conv2(x))), 2)
        return self.classifier(torch.flatten(x, 1))


torch.manual_seed(0)
model = LeNet()
print(model)
for k, v in model.state_dict().items():
    print(k, v.shape)
print(sum(p.numel() for p in model.parameters()))

x = torch.randn(16, 1, 28, 28)
target = torch.randint(0, 10, (16,))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for step in range(5):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    opt.step()
    print(step, loss)
print(model.bn1.running_mean)
print(model.bn1.num_batches_tracked)

model.eval()
with torch.no_grad():
    out = model(x[:2])
print(out.shape)
print(out.argmax(1))
