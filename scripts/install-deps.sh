#!/usr/bin/env bash
# Install what building and testing ctorch needs on Debian 12. As root it
# installs the missing packages; otherwise it prints the apt-get line to run.
# Extra package names may be given as arguments; --fuzz first adds what the
# libFuzzer targets need (clang with its sanitizer and libFuzzer runtimes;
# see fuzz/run.sh).
set -euo pipefail

fuzz=()
if [ "${1:-}" = "--fuzz" ]; then
  shift
  fuzz=(clang libclang-rt-14-dev)
fi
packages=(build-essential cmake pkg-config libopenblas-dev libcriterion-dev zlib1g-dev "${fuzz[@]}" "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "ctorch needs these Debian packages; run as root:" >&2
  echo "  apt-get update && $line" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
