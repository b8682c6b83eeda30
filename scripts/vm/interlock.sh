#!/usr/bin/env bash
# Guest script for the VM lane: treadsim and treadd (host-built) against a gpio-sim chip,
# driven through treadctl. Run by scripts/vm/lane.sh, which builds what it needs:
#   bash scripts/vm/run.sh scripts/vm/interlock.sh BIN_DIR EDGE_LATENCY_BINARY
# Scenarios: e-stop, safety key, rail released in reverse, a chattering rail, the chip
# removed while running; then the edge-to-enable latency on the real path.
# Prints PASS/FAIL per check; exits non-zero if any failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/gpio-sim.sh
. "$here/gpio-sim.sh"
BIN=${1:?bin dir}
EDGE=${2:?edge_latency binary}
SAMPLES=${TREADD_VM_SAMPLES:-10}
SCENARIOS=${3:-estop key rails chatter latency chip}
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

[ "$(id -u)" = 0 ] || { echo "FAIL: must run as root in the guest"; exit 1; }
# The guest's /tmp is a writable overlay on the host's, which may hold this checkout (CI
# clones anywhere): never mount over it.
W=/tmp/treadd-vm-guest
mkdir -p "$W/programs" 2>/dev/null || { W=/dev/shm/treadd-vm; mkdir -p "$W/programs"; } || { echo "FAIL: no writable folder in the guest"; exit 1; }
export TREADD_SOCKET=$W/treadd.sock
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

ctl() { timeout 10 "$BIN/treadctl" "$@"; }
status() { ctl status --json 2>/dev/null; }
# wait_status PATTERN [SECONDS]: until `treadctl status --json` contains PATTERN.
wait_status() {
  local i limit=$(( ${2:-30} * 10 ))
  for i in $(seq "$limit"); do
    status | grep -q -- "$1" && return 0
    sleep 0.1
  done
  echo "   status never matched $1; last: $(status)"
  return 1
}
wait_value() { # wait_value LINE WANT [SECONDS]
  local i limit=$(( ${3:-10} * 10 ))
  for i in $(seq "$limit"); do
    [ "$(sim_value "$1" 2>/dev/null)" = "$2" ] && return 0
    sleep 0.1
  done
  echo "   $1 never read $2"
  return 1
}
expect() { # expect DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
healthy() { local l; for l in estop safety_key rail_left rail_right front_zone; do sim_pull "$l" pull-up; done; }
# A session moving, enable energised: start PROGRAM and wait for the relay to pull in.
start_session() {
  ctl reset >/dev/null 2>&1
  # After a reset the belt may coast for up to 5 s (longer under emulation): retry the start
  # until it is accepted, for up to 30 s; a fault latched meanwhile (a starved guest can trip
  # the drive link's setpoint watchdog) is reset again, and shown.
  local deadline=$((SECONDS + 30)) refusal=""
  while [ "$SECONDS" -lt "$deadline" ]; do
    refusal=$(ctl start "$1" 2>&1 >/dev/null) && { refusal=""; break; }
    if status | grep -q '"state":"fault"'; then
      echo "   start refused with a fault latched: $(status | grep -o '"fault":{[^}]*}')"
      ctl reset >/dev/null 2>&1
    fi
    sleep 0.2
  done
  [ -z "$refusal" ] || echo "   start refused: $refusal"
  wait_status '"state":"running"' 20 && wait_value drive_enable 1 10
}

# --- set-up -------------------------------------------------------------------------------
sim_create || { fail "gpio-sim chip"; finish; }
healthy
cat >"$W/programs/vm-reverse.toml" <<'TOML'
[[steps]]
direction = "forward"
speed_kmh = 1.0
duration = "3s"
[[steps]]
direction = "reverse"
speed_kmh = 1.5
duration = "10m"
TOML
cat >"$W/programs/vm-forward.toml" <<'TOML'
[[steps]]
direction = "forward"
speed_kmh = 2.0
duration = "30m"
TOML
sed -e "s|^profile = \"drives/|profile = \"$repo/Config/drives/|" -e "s|^programs = \"programs\"|programs = \"$W/programs\"|" \
  -e "s|^socket = .*|socket = \"$TREADD_SOCKET\"|" "$repo/Config/gpio-sim.toml" >"$W/treadd.toml"

# The drive's comm-loss time-out at the profile loader's maximum (2 s; the shipped Delta
# profile has 0.5 s): a guest under software emulation on a busy host can go that long
# between polls, and the lane is about the GPIO path, not the drive's watchdog (the
# integration tests cover that on the host).
sed -e 's|^timeout_s = .*|timeout_s = 2.0|' "$repo/Config/drives/delta-ms300.toml" >"$W/delta-ms300.toml"
sed -i -e "s|^profile = .*|profile = \"$W/delta-ms300.toml\"|" "$W/treadd.toml"
"$BIN/treadsim" --profile "$W/delta-ms300.toml" --tcp 127.0.0.1:1502 >"$W/treadsim.log" 2>&1 &
pids+=($!)
SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,threads=all "$BIN/treadd" --config "$W/treadd.toml" >"$W/treadd.log" 2>&1 &
TREADD_PID=$!
pids+=($TREADD_PID)
if wait_status '"drive":"online"' 60; then pass "treadd up on $SIM_CHIP with the drive online"; else
  fail "treadd did not come up"; cat "$W/treadd.log"; finish; fi
expect "drive_enable de-energised at idle" wait_value drive_enable 0

# --- e-stop -------------------------------------------------------------------------------
if want estop; then
echo "== e-stop"
if start_session vm-forward; then pass "session running, drive_enable energised"; else fail "session did not start"; fi
sim_pull estop pull-down
expect "e-stop: drive_enable drops" wait_value drive_enable 0 2
expect "e-stop: fault latched" wait_status '"fault":{"code":"estop"' 5
if ctl reset >/dev/null 2>&1; then fail "reset accepted while the e-stop is open"; else pass "reset refused while the e-stop is open"; fi
sim_pull estop pull-up
expect "e-stop closed: treadd sees it" wait_status '"estop":"closed"' 5
if ctl reset >/dev/null 2>&1; then pass "reset accepted once the e-stop is closed"; else fail "reset refused with the e-stop closed"; fi
expect "after reset: idle, belt not restarted" wait_status '"state":"idle"' 5
expect "after reset: drive_enable stays off" wait_value drive_enable 0

fi
# --- safety key -----------------------------------------------------------------------------
if want key; then
echo "== safety key"
if start_session vm-forward; then pass "session running again"; else fail "session did not start"; fi
sim_pull safety_key pull-down
expect "key pulled: drive_enable drops" wait_value drive_enable 0 2
expect "key pulled: fault latched" wait_status '"fault":{"code":"safety_key"' 5
sim_pull safety_key pull-up
expect "key back: belt stopped" wait_status '"belt_speed_kmh":0,' 20

fi
# --- rail released in reverse --------------------------------------------------------------
if want rails; then
echo "== rail released in reverse"
if start_session vm-reverse; then pass "reverse program started"; else fail "reverse program did not start"; fi
expect "belt running in reverse" wait_status '^{"belt_speed_kmh":[0-9.e+-]*,"direction":"reverse",.*"phase":"running"' 40
ctl watch >"$W/watch.log" 2>&1 &
WATCH_PID=$!
pids+=($WATCH_PID)
# treadctl takes seconds to start under emulation: release the rail only once the watch has
# connected and printed its first line.
for i in $(seq 300); do [ -s "$W/watch.log" ] && break; sleep 0.1; done
[ -s "$W/watch.log" ] || fail "treadctl watch printed nothing within 30 s"
# The release and the warning lamp, timed on the real lines (treadctl is too slow under
# emulation to catch a 1 s warning by polling status).
if us=$("$EDGE" "$SIM_SYSFS/sim_gpio$(sim_offset rail_left)/pull" pull-down "$SIM_SYSFS/sim_gpio$(sim_offset warning)/value" 1 3000); then
  pass "rail released: warning output on after $us us"
else
  fail "rail released: warning output never came on"
fi
expect "after the grace: paused, rails released" wait_status '"pause_reason":"rails_released"' 10
expect "paused: belt stopped" wait_status '"belt_speed_kmh":0,' 20
kill "$WATCH_PID" 2>/dev/null
warn_line=$(grep -n "rail released: hold the rails" "$W/watch.log" | head -1 | cut -d: -f1)
pause_line=$(grep -n "paused: rails released" "$W/watch.log" | head -1 | cut -d: -f1)
if [ -n "$warn_line" ] && [ -n "$pause_line" ] && [ "$warn_line" -lt "$pause_line" ]; then
  pass "the warning event came before the pause (treadctl watch lines $warn_line, $pause_line)"
else
  fail "warning then pause not seen in treadctl watch: $(tail -n 20 "$W/watch.log")"
fi
expect "warning output off once paused" wait_value warning 0 5
if ctl resume >/dev/null 2>&1; then fail "resume accepted with a rail released"; else pass "resume refused with a rail released"; fi
sim_pull rail_left pull-up
if ctl resume >/dev/null 2>&1; then pass "resume accepted with the rails held"; else fail "resume refused with the rails held"; fi
expect "running in reverse again" wait_status '^{"belt_speed_kmh":[0-9.e+-]*,"direction":"reverse",.*"phase":"running"' 30
ctl stop >/dev/null 2>&1
expect "stopped" wait_status '"state":"idle"' 30

fi
# --- chattering rail -------------------------------------------------------------------------
if want chatter; then
echo "== chattering rail"
if start_session vm-forward; then pass "session running"; else fail "session did not start"; fi
# Toggles made with shell builtins only: an exec per toggle takes longer than the window
# under emulation. A fifo nobody writes makes `read -t` a builtin sleep.
mkfifo "$W/never" && exec 9<>"$W/never"
pause() { read -r -t "$1" -u 9 || true; }
rr=$SIM_SYSFS/sim_gpio$(sim_offset rail_right)/pull
# A burst faster than the 5 ms debounce: the kernel swallows it, nothing happens.
for i in $(seq 20); do echo pull-down >"$rr"; echo pull-up >"$rr"; done
pause 0.5
expect "a bounce shorter than the debounce is swallowed: still running" wait_status '"state":"running"' 2
expect "... and enable still on" wait_value drive_enable 1 2
# Changes 15 ms apart, past the debounce, for a few seconds: implausible. The chatter keeps
# going in the background while a reset is tried, so the refusal does not depend on how
# fast treadctl starts under emulation.
( for i in $(seq 120); do echo pull-down >"$rr"; pause 0.015; echo pull-up >"$rr"; pause 0.015; done ) &
CHATTER=$!
expect "chatter: sensor fault naming rail_right" wait_status '"fault":{"code":"sensor","message":"input rail_right is chattering' 10
expect "chatter: drive_enable off" wait_value drive_enable 0 2
if kill -0 "$CHATTER" 2>/dev/null; then
  if ctl reset >/dev/null 2>&1; then fail "reset accepted while the rail chatters"; else pass "reset refused while the rail chatters"; fi
else
  fail "the chatter ended before a reset could be tried"
fi
wait "$CHATTER"
accepted=0
for i in $(seq 40); do ctl reset >/dev/null 2>&1 && { accepted=1; break; }; sleep 0.5; done
if [ "$accepted" = 1 ]; then pass "reset accepted once the rail is quiet (chatter_quiet_ms = 2 s)"; else fail "reset still refused 20 s after the chatter"; fi

fi
# --- edge-to-enable latency on the real path ----------------------------------------------------
if want latency; then
echo "== edge to enable latency ($SAMPLES samples)"
estop_off=$(sim_offset estop) enable_off=$(sim_offset drive_enable)
lat=()
for i in $(seq "$SAMPLES"); do
  start_session vm-forward || { fail "latency sample $i: session did not start"; break; }
  if us=$("$EDGE" "$SIM_SYSFS/sim_gpio$estop_off/pull" pull-down "$SIM_SYSFS/sim_gpio$enable_off/value" 0 2000); then lat+=("$us"); fi
  sim_pull estop pull-up
  wait_status '"estop":"closed"' 5 >/dev/null
done
if [ "${#lat[@]}" -gt 0 ]; then
  sorted=$(printf '%s\n' "${lat[@]}" | sort -n | tr '\n' ' ')
  echo "edge-to-enable (gpio-sim pull write -> drive_enable value change), microseconds, sorted: $sorted"
  echo "TREADD_VM_EDGE_TO_ENABLE_US=$sorted"
  pass "edge-to-enable measured on ${#lat[@]} of $SAMPLES edges"
else
  fail "no edge-to-enable sample"
fi
# The in-process figure in the same guest (treadbench interlock: simulated inputs, a real
# treadsim over Modbus TCP), so the ratio compares paths under the same emulation.
if [ -x "$BIN/treadbench" ] && [ "${#lat[@]}" -gt 0 ]; then
  "$BIN/treadsim" --profile "$repo/Config/drives/delta-ms300.toml" --tcp 127.0.0.1:0 2>"$W/bench-sim.err" &
  bench_sim=$!
  pids+=("$bench_sim")
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^treadsim: .* on tcp 127\.0\.0\.1:\([0-9][0-9]*\) unit 1$/\1/p' "$W/bench-sim.err" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
  done
  rm -rf "$W/bench"
  if [ -n "$port" ] && timeout 300 "$BIN/treadbench" interlock --port "$port" --config "$repo/Config/demo.toml" \
      --edges "${TREADD_VM_BENCH_EDGES:-100}" --time-limit 60 --subscribers 0 --results-dir "$W/bench" >"$W/bench.out" 2>&1; then
    ratio=$(python3 - "$W/bench" "${lat[@]}" <<'PY'
import glob, json, statistics, sys
d = json.load(open(sorted(glob.glob(sys.argv[1] + "/interlock-*.json"))[-1]))
vm = sorted(int(x) / 1000 for x in sys.argv[2:])
inproc = d["enable_write_ms"]
p50 = statistics.median(vm)
print(f"in-process edge -> enable write in this guest ({inproc['count']} edges): p50 {inproc['p50']:.3f} ms, p99 {inproc['p99']:.3f} ms, max {inproc['max']:.3f} ms")
print(f"gpio-sim real path p50 {p50:.1f} ms, max {vm[-1]:.1f} ms: {p50 / inproc['p50']:.0f}x the in-process p50")
print(f"TREADD_VM_INPROCESS_ENABLE_MS=p50:{inproc['p50']:.4f},p99:{inproc['p99']:.4f},max:{inproc['max']:.4f}")
PY
) && { echo "$ratio"; pass "in-process figure measured in the same guest"; } || fail "could not read treadbench's results: $(tail -n 5 "$W/bench.out")"
  else
    fail "treadbench interlock in the guest failed: $(tail -n 5 "$W/bench.out" 2>/dev/null; cat "$W/bench-sim.err")"
  fi
  kill "$bench_sim" 2>/dev/null
fi

fi
# --- the chip removed while running ---------------------------------------------------------------
if want chip; then
echo "== chip removed while running"
if start_session vm-forward; then pass "session running"; else fail "session did not start"; fi
if timeout 20 bash -c ". '$here/gpio-sim.sh'; SIM_NAME=$SIM_NAME; sim_remove"; then pass "chip removed (live=0)"; else fail "writing live=0 did not finish within 20 s"; fi
if [ -n "${TREADD_VM_DIAGNOSE:-}" ] || [ "${4:-}" = diagnose ]; then
  sleep 5
  for t in /proc/$TREADD_PID/task/*; do echo "thread $(cat $t/comm 2>/dev/null): $(cat $t/wchan 2>/dev/null) $(grep State $t/status 2>/dev/null)"; done
  timeout 5 "$BIN/treadctl" status --json; echo "status rc=$?"
  tail -n 20 "$W/treadd.log"; dmesg | tail -n 10
fi
expect "chip gone: sensor fault naming a line and the chip" wait_status '"fault":{"code":"sensor","message":"input [a-z_]* cannot be read: [a-z_]* (/dev/gpiochip' 10
expect "chip gone: belt stopped" wait_status '"belt_speed_kmh":0,' 30
kill -0 "$TREADD_PID" 2>/dev/null && pass "treadd still running" || fail "treadd died when the chip went away"
sim_restore && healthy
expect "chip back: inputs restored" wait_status '"estop":"closed"' 10
sleep 2.5
if ctl reset >/dev/null 2>&1; then pass "reset accepted with the chip back"; else fail "reset refused with the chip back: $(ctl reset 2>&1)"; fi

fi
echo "--- treadd log (last 30 lines)"; tail -n 30 "$W/treadd.log"; echo "--- kernel (last 15 lines)"; dmesg | tail -n 15
if grep -q "Crash\|Fatal\|Thread .* crashed" "$W/treadd.log"; then
  echo "--- treadd crashed; its backtrace:"; grep -v "^$" "$W/treadd.log" | grep -A60 "crashed\|Fatal error\|Crash" | head -150
fi
finish
