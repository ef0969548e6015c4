#!/usr/bin/env bash
# The main job: install what is missing, build, run the tour of ctorch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/install-deps.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
./build/examples/tour
