#!/usr/bin/env bash
# Build the libFuzzer targets of the file readers with clang and run each
# for a short time, seeded with the valid and malformed files of
# tests/parity/data/io/:
#   bash fuzz/run.sh [SECONDS_PER_TARGET (25)] [BUILD_DIR (build-fuzz)]
# Skipped (exit 0) when clang is missing. A crash, leak, UB report, timeout
# or out-of-memory fails the run; the input is kept in BUILD_DIR/artifacts/
# (replay: BUILD_DIR/fuzz/fuzz_NAME FILE). New corpus entries accumulate in
# BUILD_DIR/corpus/NAME across runs. Inputs that once failed are kept in
# fuzz/regressions/NAME-* and seed every run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-25}
dir=${2:-$root/build-fuzz}
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found, skipped (scripts/install-deps.sh --fuzz installs it)"
  exit 0
fi
CC=clang cmake -S "$root" -B "$dir" -DCTORCH_FUZZ=ON -DCTORCH_SANITIZE=ON -DCTORCH_BUILD_TESTS=OFF \
  -DCTORCH_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$dir" -j "$(nproc)" --target fuzzers >/dev/null

data=$root/tests/parity/data/io
seed() { # seed NAME FILES...: a fresh seed directory with those files
  local s=$dir/seeds/$1; shift
  rm -rf "$s"; mkdir -p "$s"
  cp "$@" "$s/"
}
seed pt "$data"/*.pt "$data"/bad/*.pt
seed pickle "$data"/*.pt "$data"/bad/*.pt "$root"/fuzz/regressions/pickle-*
seed legacy "$data"/legacy*.pt
seed safetensors "$data"/*.safetensors "$data"/bad/*.safetensors "$root"/fuzz/regressions/safetensors-*

export ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$dir/artifacts"
status=0
for name in pt pickle legacy safetensors; do
  mkdir -p "$dir/corpus/$name"
  echo "== fuzz_$name (${secs}s)"
  if ! "$dir/fuzz/fuzz_$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/artifacts/$name-" "$dir/corpus/$name" "$dir/seeds/$name" \
      >"$dir/fuzz_$name.log" 2>&1; then
    tail -n 60 "$dir/fuzz_$name.log"
    echo "fuzz_$name: FAILED (log: $dir/fuzz_$name.log)"
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$dir/fuzz_$name.log" | tr '\n' ' '
    echo
  fi
done
exit $status
