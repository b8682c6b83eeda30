#!/usr/bin/env bash
# Installs what is needed (Debian 12), builds, and runs the demo: treadsim (a simulated
# Delta MS300 served over Modbus TCP on 127.0.0.1:1502), treadd with Config/demo.toml, and
# treadctl following Config/programs/demo.toml: forward, an announced stop and reverse, a
# rail released during reverse (warning, then a controlled stop and pause), the rails held
# again and the session resumed, forward to the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

if [ "${SKIP_INSTALL:-0}" != 1 ]; then bash scripts/install-deps.sh; fi
swift build
bin=$(swift build --show-bin-path)
export TREADD_SOCKET=/tmp/treadd-demo/treadd.sock
log=$(mktemp -d /tmp/treadd-demo-logs.XXXXXX)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$bin/treadsim" --profile Config/drives/delta-ms300.toml --tcp 127.0.0.1:1502 --log "$log/treadsim.jsonl" 2>"$log/treadsim.err" &
pids+=($!)
"$bin/treadd" --config Config/demo.toml 2>"$log/treadd.log" &
pids+=($!)

# Reads one field of `treadctl status --json`.
field() { "$bin/treadctl" status --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" 2>/dev/null || true; }
# Waits until a status condition (a python expression over s) holds, up to $2 seconds.
wait_for() {
  local deadline=$(( $(date +%s) + ${2:-120} ))
  until "$bin/treadctl" status --json 2>/dev/null | python3 -c "import json,sys; s=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "demo: timed out waiting for: $1 (logs in $log)" >&2; exit 1; }
    sleep 0.2
  done
}

wait_for "s['drive'] == 'online'" 15

echo "== the member steps on and holds both rails"
"$bin/treadctl" sim set rail_left=held rail_right=held
"$bin/treadctl" start demo --follow &
follow=$!

# Once the belt has run backwards for a few seconds, let go of the left rail.
wait_for "s['direction'] == 'reverse' and s['belt_speed_kmh'] >= 1.9"
sleep 4
echo "== the member lets go of the left rail"
"$bin/treadctl" sim set rail_left=released
wait_for "s['state'] == 'paused' and s['phase'] == 'stopped'" 20
"$bin/treadctl" resume || echo "== (resume is refused while a rail is released, as it should be)"
sleep 2
echo "== the member holds the rails again and resumes"
"$bin/treadctl" sim set rail_left=held
"$bin/treadctl" resume
wait "$follow"
echo "== done; logs in $log (treadsim.jsonl is the drive's own record of the belt)"
