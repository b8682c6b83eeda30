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

BUILD_PATH="${BUILD_PATH:-.build}"
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"
CONFIG="${CONFIG:-Config/demo.toml}"

echo "building treadbench, treadsim and treadctl (release, $BUILD_PATH)" >&2
for product in treadbench treadsim treadctl; do
    swift build -c release --scratch-path "$BUILD_PATH" --product "$product" >&2
done
BIN="$(swift build -c release --scratch-path "$BUILD_PATH" --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-subscribers.XXXXXX")"
SIM_PID=""
cleanup() {
    if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BIN/treadsim" --profile "$PROFILE" --tcp 127.0.0.1:0 2>"$WORK/treadsim.err" &
SIM_PID=$!
PORT=""
for _ in $(seq 1 100); do
    PORT="$(sed -n 's/^treadsim: .* on tcp 127\.0\.0\.1:\([0-9][0-9]*\) unit 1$/\1/p' "$WORK/treadsim.err" | head -n 1)"
    [[ -n "$PORT" ]] && break
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
        echo "treadsim exited:" >&2
        cat "$WORK/treadsim.err" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$PORT" ]]; then
    echo "treadsim did not report its port within 10 s:" >&2
    cat "$WORK/treadsim.err" >&2
    exit 1
fi
echo "treadsim (pid $SIM_PID) on 127.0.0.1:$PORT" >&2

# treadbench prints the table, the JSON and, last, "benchmark results written to <file>".
"$BIN/treadbench" subscribers --host 127.0.0.1 --port "$PORT" --config "$CONFIG" --treadctl "$BIN/treadctl" \
    --results-dir benchmarks/results "$@"
