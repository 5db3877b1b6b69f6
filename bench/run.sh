#!/usr/bin/env bash
# `make bench`: builds the release binaries, makes sure the local services run, then
# runs every scenario (bench/bench.py) and writes bench/results/<date>.md and .json.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash deploy/local/services.sh up >/dev/null
cargo build --release --quiet -p polychat-app -p polychat-mock-upstream
exec python3 bench/bench.py "$@"
