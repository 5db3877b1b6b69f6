#!/usr/bin/env bash
# `make bench` and `make profile` (which have started the local services): builds the
# release binaries, then runs bench/<script> (bench.py by default: every scenario, writing
# bench/results/<date>.md and .json; profile.py: the CPU profile).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cargo build --release --quiet -p polychat-app -p polychat-mock-upstream
script=${1:-bench.py}
shift $(($# > 0 ? 1 : 0))
exec python3 "bench/$script" "$@"
