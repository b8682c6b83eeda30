#!/usr/bin/env bash
# Interlock reaction-latency benchmark: a whole treadd (Config/demo.toml, simulated inputs)
# in process, its drive a real treadsim over Modbus TCP on 127.0.0.1, a session running, 200
# `watch` subscribers on its socket, and >= 10 000 e-stop edges injected through
# SimulatedInputs: edge -> enable write and edge -> stop frame, p50/p99/p99.9/max, the stop
# also as time beyond the one transaction on the wire at the edge. Three cases, each its own
# treadsim and its own table and benchmarks/results/interlock-<timestamp>.json:
#   block            the config's profile (Delta MS300): status in one block read
#   single-register  ABB ACS580: status read one register at a time (three transactions),
#                    polled back to back so that a status read is nearly always in flight
#   fault-reset      Schneider ATV320: every edge comes while the drive link is in a fault
#                    reset (reset, release, and a three-step DRIVECOM sequence with status polls)
# See docs/benchmarks.md.
#
#   scripts/bench-interlock.sh [treadbench interlock options...]   e.g. --edges 20000 --max-pause-ms 5
#
# Installs nothing: run scripts/install-deps.sh first. BUILD_PATH (default .build) is the
# SwiftPM scratch path; CASES (default "block single-register fault-reset") the cases to run;
# PROFILE (default Config/drives/delta-ms300.toml) the profile treadsim serves in the block case
# (it must be the one the config names: CONFIG, default Config/demo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

# shellcheck source=lib/bench.sh
. scripts/lib/bench.sh
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"
CONFIG="${CONFIG:-Config/demo.toml}"
CASES="${CASES:-block single-register fault-reset}"

bench_build treadbench treadsim
bench_workdir bench-interlock

for case in $CASES; do
    case "$case" in
        block) profile="$PROFILE" extra=() ;;
        # Polled back to back, so that an edge nearly always finds a status read on the wire.
        single-register) profile=Config/drives/abb-acs580.toml extra=(--profile "$profile" --link-poll-interval-ms 0) ;;
        fault-reset) profile=Config/drives/schneider-atv320.toml extra=(--profile "$profile" --during fault-reset) ;;
        *) echo "bench-interlock: unknown case $case (block, single-register, fault-reset)" >&2; exit 64 ;;
    esac
    echo "== interlock case $case: treadsim serving $profile" >&2
    bench_start_treadsim "$profile"
    # treadbench prints the table, the JSON and, last, "benchmark results written to <file>".
    "$BIN/treadbench" interlock --host 127.0.0.1 --port "$PORT" --config "$CONFIG" \
        --results-dir benchmarks/results "${extra[@]}" "$@"
    bench_stop_treadsim
done
