#!/usr/bin/env bash
# Guest script: proves the VM lane's plumbing with Debian's tools only (gpiod, socat,
# python3). Run it through the VM:
#   bash scripts/vm/run.sh scripts/vm/smoke.sh [HOST_BINARY [ARGS...]]
# HOST_BINARY (optional, e.g. .build/debug/treadctl --help) is run in the guest and must
# exit 0; without it, the host's gpioinfo (linked against the host's libgpiod) stands in.
# Prints PASS/FAIL per check and exits non-zero if any check failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/gpio-sim.sh
. "$here/gpio-sim.sh"

passed=0
failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then pass "$what"; else fail "$what${out:+: $out}"; fi
}
# Waits up to 10 s for a line to be held by a consumer (gpioinfo shows it "used").
wait_used() {
  local i
  for i in $(seq 100); do
    gpioinfo -c "$SIM_CHIP" "$1" 2>/dev/null | grep -q 'consumer=' && return 0
    sleep 0.1
  done
  echo "line $1 was never requested"; return 1
}

[ "$(id -u)" = 0 ] || { echo "FAIL: smoke.sh must run as root in the guest"; exit 1; }

work=$(mktemp -d 2>/dev/null) || {
  mount -t tmpfs tmpfs /tmp && work=$(mktemp -d)
} || { echo "FAIL: no writable temp directory in the guest"; exit 1; }
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

echo "kernel $(uname -r); $(gpioinfo --version | head -n1)"

# --- the chip ------------------------------------------------------------------------
if sim_create; then
  pass "gpio-sim chip '$SIM_NAME' live at $SIM_CHIP ($SIM_SYSFS)"
else
  fail "gpio-sim chip could not be created"
  echo "$passed passed, $failed failed"
  exit 1
fi
names=$(gpioinfo -c "$SIM_CHIP" 2>&1 | sed -nE 's/^[[:space:]]*line[[:space:]]+[0-9]+:[[:space:]]+"([^"]*)".*/\1/p' | tr '\n' ' ')
if [ "$names" = "${SIM_LINES[*]} " ]; then pass "gpioinfo lists lines 0..7: $names"
else fail "gpioinfo line names: got '$names', want '${SIM_LINES[*]}'"; fi
check "gpioinfo finds the chip by its label '$SIM_NAME'" \
  bash -c "gpiodetect | grep -F '$SIM_CHIP_NAME [$SIM_NAME]'"

# --- inputs: sim_pull -> gpioget -------------------------------------------------------
for line in estop rail_left; do
  for pull in pull-up pull-down pull-up; do
    want=0; [ "$pull" = pull-up ] && want=1
    sim_pull "$line" "$pull"
    got=$(gpioget --numeric -c "$SIM_CHIP" "$line" 2>&1)
    if [ "$got" = "$want" ]; then pass "gpioget $line after $pull = $got"
    else fail "gpioget $line after $pull: got '$got', want $want"; fi
  done
done

# --- outputs: gpioset -> sim_value -----------------------------------------------------
for v in 1 0 1; do
  gpioset -c "$SIM_CHIP" "drive_enable=$v" &
  p=$!; pids+=("$p")
  if out=$(wait_used drive_enable); then
    got=$(sim_value drive_enable)
    if [ "$got" = "$v" ]; then pass "gpioset drive_enable=$v seen by sim_value ($got)"
    else fail "gpioset drive_enable=$v: sim_value says '$got'"; fi
  else
    fail "gpioset drive_enable=$v: $out"
  fi
  kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
done

# --- edges: gpiomon --------------------------------------------------------------------
sim_pull rail_right pull-down
timeout 20 gpiomon -c "$SIM_CHIP" --num-events=2 --edges=both rail_right >"$work/mon" 2>&1 &
p=$!; pids+=("$p")
if out=$(wait_used rail_right); then
  sim_pull rail_right pull-up
  sleep 0.2
  sim_pull rail_right pull-down
  if wait "$p"; then
    if grep -q rising "$work/mon" && grep -q falling "$work/mon"; then
      pass "gpiomon saw rising and falling edges on rail_right"
    else
      fail "gpiomon output lacks an edge: $(tr '\n' '|' <"$work/mon")"
    fi
  else
    fail "gpiomon did not see 2 edges within 20 s: $(tr '\n' '|' <"$work/mon")"
  fi
else
  fail "gpiomon: $out"
fi

# --- sim_remove under a consumer -------------------------------------------------------
gpiomon -c "$SIM_CHIP" front_zone >"$work/mon2" 2>&1 &
p=$!; pids+=("$p")
if out=$(wait_used front_zone); then
  chip=$SIM_CHIP
  sim_remove
  gone=0
  for i in $(seq 50); do [ -e "$chip" ] || { gone=1; break; }; sleep 0.1; done
  if [ "$gone" = 1 ]; then pass "sim_remove: $chip is gone while gpiomon holds front_zone"
  else fail "sim_remove: $chip still exists"; fi
  exited=0
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || { exited=1; break; }; sleep 0.1; done
  if [ "$exited" = 1 ]; then
    wait "$p"; rc=$?
    pass "gpiomon noticed the removal (exit $rc: $(tr '\n' ' ' <"$work/mon2" | cut -c1-120))"
  else
    fail "gpiomon still running 5 s after the chip was removed"
    kill "$p" 2>/dev/null
  fi
  if sim_restore; then pass "sim_restore: chip back at $SIM_CHIP"
  else fail "sim_restore failed"; fi
else
  fail "gpiomon front_zone: $out"
fi

# --- a host binary ---------------------------------------------------------------------
if [ $# -gt 0 ]; then
  check "host binary runs: $*" "$@"
else
  check "host binary runs: $(command -v gpioinfo) (host libgpiod: $(ldd "$(command -v gpioinfo)" | awk '/libgpiod/ {print $3}'))" \
    gpioinfo -c "$SIM_CHIP"
fi

# --- loopback TCP, Unix sockets, PTYs --------------------------------------------------
port=15020
python3 - "$port" >"$work/srv" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.sendall(c.recv(64).upper()); c.close()
PY
p=$!; pids+=("$p")
got=""
for _ in $(seq 100); do
  got=$(echo ping | timeout 5 socat - "TCP:127.0.0.1:$port" 2>/dev/null) && [ -n "$got" ] && break
  sleep 0.1
done
if [ "$got" = PING ]; then pass "TCP on 127.0.0.1:$port (python3 server, socat client)"
else fail "TCP on 127.0.0.1:$port: got '$got' $(cat "$work/srv")"; fi

check "Unix socket (socat)" bash -c "
  socat UNIX-LISTEN:'$work/sock' EXEC:'tr a-z A-Z' & s=\$!
  for i in \$(seq 50); do [ -S '$work/sock' ] && break; sleep 0.1; done
  got=\$(echo unix | timeout 5 socat - UNIX-CONNECT:'$work/sock'); kill \$s 2>/dev/null
  [ \"\$got\" = UNIX ] || { echo \"got '\$got'\"; exit 1; }"

check "PTY pair (socat pty,link=...)" bash -c "
  socat pty,raw,echo=0,link='$work/a' pty,raw,echo=0,link='$work/b' & s=\$!
  for i in \$(seq 50); do [ -e '$work/a' ] && [ -e '$work/b' ] && break; sleep 0.1; done
  (sleep 0.5; echo pty-ok >'$work/a') &
  got=\$(timeout 5 head -n1 '$work/b'); kill \$s 2>/dev/null
  [ \"\$got\" = pty-ok ] || { echo \"got '\$got'\"; exit 1; }"

year=$(date +%Y)
if [ "$year" -ge 2024 ]; then pass "guest clock is set ($(date -u +%FT%TZ))"
else fail "guest clock is at $(date -u +%FT%TZ)"; fi

sim_destroy || fail "sim_destroy"

echo "smoke: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
