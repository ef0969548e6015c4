#!/usr/bin/env bash
# Configure and build one tree: scripts/build.sh DIR [cmake args...]
set -euo pipefail
dir=$1; shift
cmake -S "$(dirname "$0")/.." -B "$dir" -DCTORCH_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
