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

BUILD_PATH="${BUILD_PATH:-.build}"
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"
CONFIG="${CONFIG:-Config/demo.toml}"

echo "building treadbench and treadsim (release, $BUILD_PATH)" >&2
swift build -c release --scratch-path "$BUILD_PATH" --product treadbench >&2
swift build -c release --scratch-path "$BUILD_PATH" --product treadsim >&2
BIN="$(swift build -c release --scratch-path "$BUILD_PATH" --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-interlock.XXXXXX")"
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
"$BIN/treadbench" interlock --host 127.0.0.1 --port "$PORT" --config "$CONFIG" \
    --results-dir benchmarks/results "$@"
