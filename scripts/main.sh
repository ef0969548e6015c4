#!/usr/bin/env bash
# The main job: install what is missing, build, train a CNN on Fashion-MNIST.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh dataset-fashion-mnist
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
# The main job: train FashionLeNet on Fashion-MNIST (2 epochs on all cores by
# default; flags: --epochs --batch-size --lr --threads --seed --out --plot
# --data --limit), save fashion_lenet.pt and fashion_lenet.svg.
./build/examples/fashion_mnist/train_fashion_mnist --threads "$(nproc)" "$@"
