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

BUILD_PATH="${BUILD_PATH:-.build}"
PROFILE="${PROFILE:-Config/drives/delta-ms300.toml}"

echo "building treadbench and treadsim (release, $BUILD_PATH)" >&2
swift build -c release --scratch-path "$BUILD_PATH" --product treadbench >&2
swift build -c release --scratch-path "$BUILD_PATH" --product treadsim >&2
BIN="$(swift build -c release --scratch-path "$BUILD_PATH" --show-bin-path)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-drive.XXXXXX")"
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

echo "compiling benchmarks/raw_poll.c" >&2
# shellcheck disable=SC2046
gcc -O2 benchmarks/raw_poll.c -o "$WORK/raw_poll" $(pkg-config --cflags --libs libmodbus)

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
"$BIN/treadbench" --host 127.0.0.1 --port "$PORT" --profile "$PROFILE" --raw-poll "$WORK/raw_poll" \
    --results-dir benchmarks/results "$@"
