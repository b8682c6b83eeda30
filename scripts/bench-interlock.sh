#!/usr/bin/env bash
# Interlock reaction-latency benchmark: a whole treadd (Config/demo.toml, simulated inputs)
# in process, its drive a real treadsim (Delta MS300 profile) over Modbus TCP on 127.0.0.1,
# a session running, 200 `watch` subscribers on its socket, and >= 10 000 e-stop edges
# injected through SimulatedInputs: edge -> enable write and edge -> stop frame, p50/p99/
# p99.9/max. Prints a table and writes benchmarks/results/interlock-<timestamp>.json.
# See docs/benchmarks.md.
#
#   scripts/bench-interlock.sh [treadbench interlock options...]   e.g. --edges 20000 --max-pause-ms 5
#
# Installs nothing: run scripts/install-deps.sh first. BUILD_PATH (default .build) is the
# SwiftPM scratch path; PROFILE (default Config/drives/delta-ms300.toml) the profile treadsim
# serves (it must be the one the config names: CONFIG, default Config/demo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# shellcheck source=lib/bench.sh
. scripts/lib/bench.sh
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"
CONFIG="${CONFIG:-Config/demo.toml}"

bench_build treadbench treadsim
bench_workdir bench-interlock

bench_start_treadsim "$PROFILE"

# treadbench prints the table, the JSON and, last, "benchmark results written to <file>".
"$BIN/treadbench" interlock --host 127.0.0.1 --port "$PORT" --config "$CONFIG" \
    --results-dir benchmarks/results "$@"
