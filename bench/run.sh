#!/usr/bin/env bash
# `make bench` (which has started the local services): builds the release binaries,
# then runs every scenario (bench/bench.py) and writes bench/results/<date>.md and .json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cargo build --release --quiet -p polychat-app -p polychat-mock-upstream
exec python3 bench/bench.py "$@"
