#!/usr/bin/env bash
# The one benchmark command: every benchmark in one run, then one table of the targets.
#   1. the drive layer (scripts/bench-drive.sh): status-poll rate against a raw C libmodbus loop
#      in the same run, and stop latency beyond the in-flight transaction;
#   2. the interlock (scripts/bench-interlock.sh): e-stop edge -> enable write and -> stop frame,
#      in its three cases (status in one block, status one register at a time, edge during a
#      fault reset), with the drive and input threads at SCHED_FIFO as shipped, then at normal
#      priority as the baseline of the same run;
#   3. subscribers (scripts/bench-subscribers.sh): control-loop jitter with 0 and 500 `watch`
#      subscribers, daemon CPU, `treadctl status` round trip;
#   4. the whole process (benchmarks/system_figures.py): start-up to READY=1, idle CPU, RSS idle
#      and under load, round trips, config and program load times.
# Each writes its JSON under benchmarks/results/; this script adds all-<timestamp>.json naming
# them, with the combined table. Release builds (BUILD_PATH, default .build); installs nothing
# (run scripts/install-deps.sh first). Prefer an otherwise idle machine: the figures are
# latencies and CPU shares, and other load shows in them.
#   bash scripts/bench.sh            (QUICK=1 for a short smoke run with fewer samples: CI runs
#                                     it; it fails only when a benchmark cannot run, and the
#                                     summary labels the targets a short run cannot judge)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
# shellcheck source=lib/bench.sh
. scripts/lib/bench.sh

bench_build treadbench treadsim treadctl treadd
bench_workdir bench-all

if [[ "${QUICK:-0}" == 1 ]]; then
    drive_args=(--duration 2 --pairs 2 --stops 200)
    interlock_args=(--edges 500)
    subscriber_args=(--seconds 5)
    system_args=(--seconds 3 --starts 2 --round-trips 10)
else
    drive_args=() interlock_args=() subscriber_args=() system_args=()
fi

results=()
run() {  # run NAME COMMAND...: shows the output, remembers every results file it names
    echo "== $1" >&2
    shift
    "$@" 2>&1 | tee "$WORK/out"
    local files
    mapfile -t files < <(sed -n 's/^benchmark results written to //p' "$WORK/out")
    [[ ${#files[@]} -gt 0 ]] || { echo "bench: no results file from $*" >&2; exit 1; }
    results+=("${files[@]}")
}
run drive bash scripts/bench-drive.sh "${drive_args[@]}"
# A profile that reads status one register at a time (three transactions a poll).
run drive-single-register env PROFILE=Config/drives/abb-acs580.toml bash scripts/bench-drive.sh "${drive_args[@]}"
run interlock bash scripts/bench-interlock.sh "${interlock_args[@]}"
run interlock-normal-priority bash scripts/bench-interlock.sh "${interlock_args[@]}" --realtime-priority 0
run subscribers bash scripts/bench-subscribers.sh "${subscriber_args[@]}"
run system python3 benchmarks/system_figures.py --bin "$BIN" "${system_args[@]}"

if [[ "${QUICK:-0}" == 1 ]]; then
    python3 benchmarks/summary.py --quick "${results[@]}"
else
    python3 benchmarks/summary.py "${results[@]}"
fi
