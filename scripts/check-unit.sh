#!/usr/bin/env bash
# Checks the systemd files in systemd/: for treadd.service, treadconsole.service and treadsync.service,
# `systemd-analyze verify` must print nothing, and `systemd-analyze security --offline=true`
# must give an exposure of 2.0 or less.
#
# verify checks that ExecStart's binary exists; on a build machine /usr/bin/treadd is not
# installed, so the unit is verified from a copy whose ExecStart names the built binary (or
# /bin/true), every other line unchanged. scripts/test-deb.sh verifies the installed unit as is.
# Usage: scripts/check-unit.sh [PATH-TO-BUILT-treadd]
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-/bin/true}"
limit=2.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# treadd.service, and treadconsole.service (the console page) and treadsync.service (the fleet) the same way.
for name in treadd treadconsole treadsync; do
  unit=systemd/$name.service
  if [ -x /usr/bin/$name ]; then
    cp "$unit" "$work/$name.service"
  else
    exe=$binary
    [ "$name" = treadd ] || exe=/bin/true
    sed "s#^ExecStart=/usr/bin/$name #ExecStart=$exe #" "$unit" > "$work/$name.service"
  fi

  out=$(systemd-analyze verify "$work/$name.service" 2>&1) || { echo "$out" >&2; echo "check-unit: systemd-analyze verify failed" >&2; exit 1; }
  if [ -n "$out" ]; then echo "$out" >&2; echo "check-unit: systemd-analyze verify is not clean" >&2; exit 1; fi
  echo "check-unit: systemd-analyze verify $unit: clean"

  exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n "s/.*Overall exposure level for $name.service: \([0-9.]*\).*/\1/p")
  [ -n "$exposure" ] || { echo "check-unit: no exposure figure from systemd-analyze security" >&2; exit 1; }
  echo "check-unit: systemd-analyze security $name.service exposure $exposure (limit $limit)"
  awk -v e="$exposure" -v l="$limit" 'BEGIN { exit !(e <= l) }' || { echo "check-unit: exposure $exposure is above $limit" >&2; exit 1; }
done

# The other files parse: sysusers (dry run) and the udev rules' syntax via udevadm when it can.
for f in treadd treadconsole treadsync; do
  systemd-sysusers --dry-run "$PWD/systemd/$f.sysusers" >/dev/null 2>&1 || { echo "check-unit: systemd/$f.sysusers does not parse" >&2; exit 1; }
done
echo "check-unit: sysusers.d parses"
