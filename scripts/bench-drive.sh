#!/usr/bin/env bash
# Drive-layer benchmark: status-poll rate of ModbusDrive against raw libmodbus
# (benchmarks/raw_poll.c), and stop latency through DriveLink, against a real treadsim
# (Delta MS300 profile) over Modbus TCP on 127.0.0.1. Prints a table and writes
# benchmarks/results/drive-<timestamp>.json. See docs/benchmarks.md.
#
#   scripts/bench-drive.sh [treadbench options...]      e.g. --duration 10 --stops 1000
#
# Installs nothing: run scripts/install-deps.sh first. BUILD_PATH (default .build) is the
# SwiftPM scratch path; PROFILE (default Config/drives/delta-ms300.toml) the drive profile.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# shellcheck source=lib/bench.sh
. scripts/lib/bench.sh
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"

bench_build treadbench treadsim
bench_workdir bench-drive

echo "compiling benchmarks/raw_poll.c" >&2
# shellcheck disable=SC2046
gcc -O2 benchmarks/raw_poll.c -o "$WORK/raw_poll" $(pkg-config --cflags --libs libmodbus)

bench_start_treadsim "$PROFILE"

# treadbench prints the table, the JSON and, last, "benchmark results written to <file>".
"$BIN/treadbench" --host 127.0.0.1 --port "$PORT" --profile "$PROFILE" --raw-poll "$WORK/raw_poll" \
    --results-dir benchmarks/results "$@"
