#!/usr/bin/env bash
# Builds the tests with a sanitizer in a build folder of its own and runs the subset that covers
# treadd's threads: `bash scripts/sanitize.sh address`, `... thread`, or both with no argument.
#
#   address -> .build-asan (AddressSanitizer + LeakSanitizer)
#   thread  -> .build-tsan (ThreadSanitizer)
#
# The whole suite does not fit CI's budget for this step (about 30 minutes for both builds and
# both runs on 2 cores: a cold sanitized build took 14-18 minutes each here, about 8 on an idle
# machine, and the full suite ran 8-9 minutes under each), so each run takes the suites that
# exercise the threads that matter:
#   control loop, safety monitor and gate: SafetyReactionTests, DaemonSafetyTests, DaemonSupervisionTests, ControlScheduleTests
#   drive thread and libmodbus:            DriveLink*Tests, ModbusDriveTests
#   socket server and broadcaster (NIO):   SocketServerTests
#   history writer thread and SQLite:      HistoryWriterTests, DaemonHistoryTests
#   sanitized treadd/treadsim processes:   FaultInjectionTests, DaemonDeathTests (integration)
# SANITIZE_FILTER overrides the subset (a `swift test --filter` regex; '.' runs everything).
# The integration tests spawn the binaries next to the test bundle, so they run the sanitized
# treadd, treadsim and treadctl of the same build folder; the options below reach them too.
#
# Any sanitizer report fails the run (halt_on_error=1), also one from a spawned process that a
# test did not notice: reports go to files under <build path>/sanitizer-reports, printed at the end.
# Suppressions (third-party only, each with its reason) are in scripts/sanitizers/.
#
# LeakSanitizer does not gate the run: treadd's object graph is held in retain cycles (closures
# the daemon hands its parts capture it) and lives until the process exits. One per process
# costs nothing on the machine, but LSan reports every daemon the in-process tests build, and
# those cycles are not broken yet (docs/reliability.md). SANITIZE_LEAKS=1 turns it on, with
# TOMLKit's leaks suppressed (scripts/sanitizers/lsan.supp), to list what is left.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

SUBSET='DriveLinkTests|DriveLinkStaleSetpointTests|DriveLinkOutageTests|DriveLinkInterruptTests|ModbusDriveTests|SafetyReactionTests|DaemonSafetyTests|DaemonSupervisionTests|ControlScheduleTests|SocketServerTests|HistoryWriterTests|DaemonHistoryTests|FaultInjectionTests|DaemonDeathTests'
filter="${SANITIZE_FILTER:-$SUBSET}"
supp="$PWD/scripts/sanitizers"
# The integration rig's drive response time-out (150 ms by default): a sanitized treadsim on a
# busy machine missed 150 ms before any fault was injected (Tests/IntegrationTests/Support).
# The fleet's targets are left out of these builds (Package.swift): none of the suites is theirs.
export TREADD_WITHOUT_FLEET=1
export TREAD_TEST_RESPONSE_TIMEOUT_MS="${TREAD_TEST_RESPONSE_TIMEOUT_MS:-500}"

run() {
    local sanitizer="$1" path="$2"
    local reports="$PWD/$path/sanitizer-reports"
    rm -rf "$reports"; mkdir -p "$reports"
    case "$sanitizer" in
    address)
        export ASAN_OPTIONS="halt_on_error=1:detect_leaks=${SANITIZE_LEAKS:-0}:log_path=$reports/asan"
        export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
        ;;
    thread)
        export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:log_path=$reports/tsan"
        ;;
    esac
    local t0=$SECONDS status=0
    swift build --build-tests --sanitize="$sanitizer" --build-path "$path"
    local built=$SECONDS
    swift test --skip-build --sanitize="$sanitizer" --build-path "$path" --disable-xctest --filter "$filter" || status=$?
    echo "sanitize $sanitizer: build $((built - t0)) s, tests $((SECONDS - built)) s"
    if compgen -G "$reports/*" >/dev/null; then
        echo "sanitize $sanitizer: reports from $(ls "$reports" | wc -l) process(es):"
        cat "$reports"/*
        status=1
    fi
    return "$status"
}

case "${1:-both}" in
address) run address .build-asan ;;
thread) run thread .build-tsan ;;
both) s=0; run address .build-asan || s=1; run thread .build-tsan || s=1; exit "$s" ;;
*) echo "usage: scripts/sanitize.sh [address|thread]" >&2; exit 2 ;;
esac
