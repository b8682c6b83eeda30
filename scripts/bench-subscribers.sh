#!/usr/bin/env bash
# Socket subscriber benchmark: a whole treadd (Config/demo.toml, simulated inputs) in process,
# its drive a real treadsim (Delta MS300 profile) over Modbus TCP on 127.0.0.1, a session
# running. Control-loop tick lateness (jitter) p99 with 0 subscribers, then with 500 `watch`
# subscribers receiving progress at 10 Hz, in the same run; the daemon's CPU in each phase;
# and the `treadctl status` round trip with the subscribers connected. Prints a table and
# writes benchmarks/results/subscribers-<timestamp>.json. See docs/benchmarks.md.
#
#   scripts/bench-subscribers.sh [treadbench subscribers options...]   e.g. --seconds 30 --subscribers 1000
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

bench_build treadbench treadsim treadctl
bench_workdir bench-subscribers

bench_start_treadsim "$PROFILE"

# treadbench prints the table, the JSON and, last, "benchmark results written to <file>".
"$BIN/treadbench" subscribers --host 127.0.0.1 --port "$PORT" --config "$CONFIG" --treadctl "$BIN/treadctl" \
    --results-dir benchmarks/results "$@"
