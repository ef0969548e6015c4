"""The model examples/fashion_mnist/train.c trains, written in PyTorch.

    /usr/bin/python3 examples/fashion_mnist/fashion_lenet.py fashion_lenet.pt

loads the state_dict ctorch saved into this definition (strict), evaluates it
on the Fashion-MNIST test set (Debian's dataset-fashion-mnist files) and
prints the accuracy, which equals the one ctorch printed for its last epoch
(pass the data folder and N // 6 as further arguments after a --limit N run)."""
import gzip
import sys

import torch
import torch.nn as nn


class FashionLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "fashion_lenet.pt"
    root = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0  # the first `limit` test images (train --limit N uses N // 6)
    model = FashionLeNet()
    model.load_state_dict(torch.load(path, weights_only=True))
    model.eval()
    images = read_idx(f"{root}/t10k-images-idx3-ubyte.gz").float().div(255).sub(0.2860).div(0.3530).unsqueeze(1)
    labels = read_idx(f"{root}/t10k-labels-idx1-ubyte.gz").long()
    if limit:
        images, labels = images[:limit], labels[:limit]
    with torch.no_grad():
        correct = sum((model(images[i:i + 1000]).argmax(1) == labels[i:i + 1000]).sum().item()
                      for i in range(0, len(labels), 1000))
    print(f"test accuracy: {100.0 * correct / len(labels):.2f}%")


if __name__ == "__main__":
    main()
