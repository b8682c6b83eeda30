#!/usr/bin/env bash
# Builds treadfuzz (libFuzzer + AddressSanitizer; only with TREADD_FUZZ=1, see Package.swift),
# replays every regression input under Fuzz/regressions, then fuzzes each target for a
# bounded time from a scratch copy of its committed corpus (Fuzz/corpus), so the tree stays
# clean. Fails on any crash, trap, timeout, leak or out-of-memory. docs/fuzzing.md.
#
#   FUZZ_SECONDS   time per target (default 60)
#   FUZZ_TARGETS   targets to run (default: all five)
#   FUZZ_BUILD     build folder (default .build-fuzz)
#   FUZZ_KEEP      folder for crash inputs and the grown corpora (default $FUZZ_BUILD/fuzz-out)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"program config profile request modbus-reply"}
build=${FUZZ_BUILD:-.build-fuzz}
keep=${FUZZ_KEEP:-$build/fuzz-out}

runtime=$(dirname "$(dirname "$(command -v swift)")")/lib/swift/clang/lib/linux/libclang_rt.fuzzer-x86_64.a
if [ ! -f "$runtime" ]; then
    echo "fuzz: no libFuzzer runtime at $runtime (this Swift toolchain cannot build -sanitize=fuzzer)" >&2
    exit 1
fi
# The system libraries (libmodbus, libgpiod) come from the test dependencies.
if ! pkg-config --exists libmodbus libgpiod 2>/dev/null; then bash scripts/install-deps.sh; fi

started=$(date +%s)
TREADD_FUZZ=1 swift build --build-path "$build" --product treadfuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
echo "fuzz: build took $(( $(date +%s) - started )) s"
bin="$build/debug/treadfuzz"

# -timeout: one input taking 10 s is a hang; -rss_limit_mb: growth past 2 GB is a leak.
common=(-timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1)
# Swift's own crash backtracer would trip AddressSanitizer (and stall) on a trap; libFuzzer
# prints the stack instead. TOMLKit's leaks are known and suppressed (Fuzz/lsan.supp).
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0"
rm -rf "$keep"
mkdir -p "$keep"
failed=()
summary=()

for t in $targets; do
    mkdir -p "$keep/$t/artifacts" "$keep/$t/corpus"
    log="$keep/$t/fuzz.log"
    dict=()
    [ -f "Fuzz/dict/$t.dict" ] && dict=(-dict="Fuzz/dict/$t.dict")
    # TOMLKit leaks on every load, so a per-input leak check would run (and cost ~0.5 s) on
    # every input of the TOML loaders; the request target's daemon allocates on its own
    # threads between inputs. For those leaks are checked once, when the run ends.
    leaks=1
    case $t in program | config | profile | request) leaks=0 ;; esac

    regressions=(Fuzz/regressions/"$t"/*)
    if [ -e "${regressions[0]}" ]; then
        echo "fuzz: $t: replaying ${#regressions[@]} regression input(s)"
        if ! TREADFUZZ_TARGET=$t "$bin" "${common[@]}" -artifact_prefix="$keep/$t/artifacts/" "${regressions[@]}" >"$keep/$t/regressions.log" 2>&1; then
            echo "fuzz: $t: a regression input fails again:" >&2
            tail -n 40 "$keep/$t/regressions.log" >&2
            failed+=("$t (regression)")
            continue
        fi
    fi

    cp -R "Fuzz/corpus/$t/." "$keep/$t/corpus/"
    echo "fuzz: $t: fuzzing for $seconds s"
    if TREADFUZZ_TARGET=$t "$bin" "${common[@]}" "${dict[@]}" -detect_leaks=$leaks -max_total_time="$seconds" \
        -artifact_prefix="$keep/$t/artifacts/" "$keep/$t/corpus" >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        failed+=("$t")
        echo "fuzz: $t: FAILED; the input is in $keep/$t/artifacts/ (add it to Fuzz/regressions/$t/ once fixed):" >&2
        grep -v '^#[0-9]' "$log" | tail -n 60 >&2
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus=$(find "$keep/$t/corpus" -type f | wc -l)
    summary+=("$(printf '%-13s %-6s execs %-9s exec/s %-6s cov %-6s ft %-6s corpus %s' "$t" "$status" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$corpus")")
done

echo
echo "fuzz: ${seconds} s per target, total $(( $(date +%s) - started )) s including the build"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}" >&2
    exit 1
fi
