"""The PyTorch program examples/losses.c mirrors: loss functions as
modules and as functions, with their reductions, and a gradient through
cross-entropy. Run with /usr/bin/python3 (torch 1.13.1);
tests/parity/gen_examples.py stores its output."""
import torch
import torch.nn as nn
import torch.nn.functional as F

# regression: every prediction 2 away from its target
pred = torch.ones(2, 5)
target = torch.full((2, 5), 3.0)
print(nn.MSELoss()(pred, target))
print(nn.MSELoss(reduction="sum")(pred, target))
print(nn.L1Loss()(pred, target))
print(F.mse_loss(pred, target, reduction="none"))

# classification: raw scores (logits) and class indices
logits = torch.tensor([[1.0, 0.3, 0.3], [0.2, 1.5, -0.4]], requires_grad=True)
labels = torch.tensor([0, 1])
criterion = nn.CrossEntropyLoss()
print(criterion)
print(criterion(logits[:1], labels[:1]))
print(F.cross_entropy(logits[:1], torch.tensor([1])))
loss = criterion(logits, labels)
print(loss)
loss.backward()
print(logits.grad)
print(F.cross_entropy(logits, labels, reduction="none"))
print(F.cross_entropy(logits, labels, label_smoothing=0.1))
print(F.nll_loss(F.log_softmax(logits, dim=1), labels))

# binary: probabilities vs logits
p = torch.tensor([0.9, 0.2, 0.6])
y = torch.tensor([1.0, 0.0, 1.0])
print(nn.BCELoss()(p, y))
print(nn.BCEWithLogitsLoss()(torch.logit(p), y))
