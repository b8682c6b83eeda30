#!/usr/bin/env bash
# Mutation campaign on the safety core: applies one deliberate bug at a time to the speed
# supervisor, the gate's latch, the drive link's policy, the input monitor and the core's
# staleness rule, rebuilds, and runs the safety suites; a mutant the suites do not fail
# survives, and the script exits non-zero. Prints the table that docs/reliability.md keeps.
#
#   bash scripts/mutate.sh            every mutant (about 3 minutes each on 2 cores)
#   bash scripts/mutate.sh S1 G2      only these
#   DRY_RUN=1 bash scripts/mutate.sh  only checks that every mutant still applies to the code
#   MODEL=1 bash scripts/mutate.sh    also runs the model checks on every mutant the fast suites
#                                     killed, for a second column: what the model checks catch alone
#
# The fast suites run first; the model checks (about 90 s) only for a mutant they miss, unless
# MODEL=1. The source file is restored after each mutant, also on Ctrl-C. Not in CI: it
# rebuilds sixteen times (about a minute per mutant, three with MODEL=1, on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

FAST='SpeedSupervisorTests|SupervisedTreadmillTests|GateLatchTests|LinkPolicyTests|InputMonitorTests|TreadmillFaultTests|DriveSupervisionTests|TreadmillTests|TreadmillRailsTests|CorePropertyTests'
MODEL_SUITES='InterlockModelCheckTests|CompositionModelCheckTests'

# id | file | exact text | replacement | what the bug is
MUTANTS=$(cat <<'EOF'
S1|Sources/TreadCore/SpeedSupervisor.swift|        if let f = overspeed(report, commanded) { return f }|        _ = overspeed(report, commanded)|overspeed never checked
S2|Sources/TreadCore/SpeedSupervisor.swift|now - since >= limits.trackingTime ?|now - since >= limits.trackingTime * 1000 ?|a tracking error never lasts long enough
S3|Sources/TreadCore/SpeedSupervisor.swift|        let envelope = from.kmh + Self.stopRiseTolerance.kmh - falling|        let envelope = from.kmh + Self.stopRiseTolerance.kmh - falling * 0|the stopping envelope never falls (a belt holding speed under a stop passes)
S4|Sources/TreadCore/SpeedSupervisor.swift|now - since >= Self.standMotionTime ?|now - since >= Self.standMotionTime * 1000 ?|motion at verified standstill ignored
S5|Sources/TreadCore/SpeedSupervisor.swift|now - since >= Self.wrongDirectionTolerance ?|now - since >= Self.wrongDirectionTolerance * 1000 ?|a belt running the wrong way tolerated
G1|Sources/TreadCore/GateLatch.swift|return (commands.enable && !held,|return (commands.enable,|a held gate lets enable through
G2|Sources/TreadCore/GateLatch.swift|if latched { acknowledged = max(acknowledged, min(seen, trips)) }|if latched { acknowledged = trips }|a latch on readings from before the trip releases it
G3|Sources/TreadCore/GateLatch.swift|held ? .stop : commands.drive|commands.drive|a held gate lets the run command through
L1|Sources/TreadCore/LinkPolicy.swift|submittedAt.map({ now - $0 > setpointLifetime }) ?? true|false|a setpoint that is not renewed never expires
L2|Sources/TreadCore/LinkPolicy.swift|        if setpoint == .stop { inhibited = false }|        inhibited = false|any submission lifts the inhibit (a run restarts after an outage)
L3|Sources/TreadCore/LinkPolicy.swift|needsReconnect \|\| failures >= missedPolls|needsReconnect \|\| failures >= missedPolls * 1000|missed polls never take the link offline
L4|Sources/TreadCore/LinkPolicy.swift|lastReadAt.map({ now - $0 > feedbackBound }) ?? true|false|a run written without a recent status read
L5|Sources/TreadCore/LinkPolicy.swift|        desired = .stop\n        serial += 1|        desired = .stop|a priority stop is not written again (and interrupts nothing)
M1|Sources/TreadCore/InputMonitor.swift|        trips.append(after)|        _ = after|trips not handed to the core (a lost-and-restored line leaves the gate holding)
M2|Sources/TreadCore/InputMonitor.swift|sticky[line] && permissive|permissive|readings not sticky towards unsafe (an e-stop blip between ticks vanishes)
C1|Sources/TreadCore/Treadmill.swift|return age > feedbackBound ? .driveFeedbackStale(age: age) : nil|return age > feedbackBound * 1000 ? .driveFeedbackStale(age: age) : nil|stale drive feedback taken for a speed
EOF
)

apply() {  # file old new -> 0 when applied exactly once
    python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1], sys.argv[2].replace('\\n', '\n').replace('\\|', '|'), sys.argv[3].replace('\\n', '\n').replace('\\|', '|')
s = open(path).read()
n = s.count(old)
if n != 1:
    sys.exit(f"{path}: the mutant's text occurs {n} times")
if len(sys.argv) > 4:
    open(path, 'w').write(s.replace(old, new))
PY
}

# First failing test of a swift test log, or empty.
killer() { grep -m1 -oE '✘ Test [A-Za-z0-9_]+\(\)' "$1" | sed 's/✘ Test //' || true; }

want=" $* "
rows=() survived=0 current=""
restore() { if [ -n "$current" ]; then git checkout -q -- "$current"; current=""; fi; }
trap restore EXIT INT TERM

while IFS= read -r line; do
    [ -z "$line" ] && continue
    # Split on unescaped '|'.
    IFS=$'\t' read -r id file old new what < <(python3 -c 'import re,sys; print("\t".join(re.split(r"(?<!\\)\|", sys.argv[1])))' "$line")
    if [ $# -gt 0 ] && [[ "$want" != *" $id "* ]]; then continue; fi
    apply "$file" "$old" "$new"  # checks only
    if [ -n "${DRY_RUN:-}" ]; then echo "$id applies: $what"; continue; fi
    git diff --quiet -- "$file" || { echo "$file has uncommitted changes; commit them first" >&2; exit 2; }
    current="$file"
    apply "$file" "$old" "$new" write
    echo "== $id: $what" >&2
    log=$(mktemp)
    model="-"
    if ! swift build --build-tests >"$log" 2>&1; then
        by="(does not compile)"
    elif ! swift test --skip-build --disable-xctest --filter "$FAST" >"$log" 2>&1; then
        by="$(killer "$log")"
        if [ -n "${MODEL:-}" ]; then
            if swift test --skip-build --disable-xctest --filter "$MODEL_SUITES" >"$log.model" 2>&1; then model="not killed"
            else model="$(killer "$log.model")"; fi
        fi
    elif ! swift test --skip-build --disable-xctest --filter "$MODEL_SUITES" >"$log" 2>&1; then
        by="$(killer "$log")"
        model="$by"
    else
        by="SURVIVED"
        survived=$((survived + 1))
    fi
    [ -z "$by" ] && by="(a suite failed; see $log)"
    restore
    echo "   killed by: $by; model checks: $model" >&2
    rows+=("| $id | $what | $by | $model |")
done <<< "$MUTANTS"

[ -n "${DRY_RUN:-}" ] && exit 0
echo "| Mutant | Bug | Killed by (first failing test) | Model checks alone |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
swift build --build-tests >/dev/null 2>&1 || true  # leave the build matching the source
[ "$survived" -eq 0 ] || { echo "$survived mutant(s) survived" >&2; exit 1; }
