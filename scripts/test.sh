#!/usr/bin/env bash
# The whole test suite: install what is missing, build with -Werror and run
# every test, then build again with AddressSanitizer + UBSan and run them
# all again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh dataset-fashion-mnist
jobs=$(nproc)

echo "== release build"
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan + UBSan build"
bash scripts/build.sh build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCTORCH_SANITIZE=ON -DCTORCH_BUILD_EXAMPLES=OFF
ctest --test-dir build-sanitize --output-on-failure -j "$jobs"

echo "== main job smoke run (a subset, one epoch)"
smoke=$(mktemp -d)
./build/examples/fashion_mnist/train_fashion_mnist --epochs 1 --limit 1200 --batch-size 64 \
  --out "$smoke/fashion_lenet.pt" --plot "$smoke/fashion_lenet.svg"
./build/tools/ctorch inspect "$smoke/fashion_lenet.pt" | tail -n 3
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 examples/fashion_mnist/fashion_lenet.py "$smoke/fashion_lenet.pt"
else
  echo "(PyTorch not installed: skipped loading fashion_lenet.pt in PyTorch)"
fi
rm -rf "$smoke"
