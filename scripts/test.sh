#!/usr/bin/env bash
# The whole test suite: install what is missing, build with -Werror and run
# every test, then build again with AddressSanitizer + UBSan and run them
# all again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== release build"
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== ASan + UBSan build"
bash scripts/build.sh build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCTORCH_SANITIZE=ON -DCTORCH_BUILD_EXAMPLES=OFF
ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
