#!/usr/bin/env bash
# Installs the treadd .deb into a fresh Debian 12 (bookworm) chroot and checks it there:
# apt resolves its dependencies (libmodbus, libgpiod v2 from bookworm-backports, systemd),
# postinst creates the treadd user and groups and fills /etc/treadd/programs, the service is
# installed but not enabled, `systemd-analyze verify` of the installed unit is clean,
# `treadd --check-config` reads the shipped /etc/treadd/treadd.toml, `treadctl --help` runs,
# and a purge removes it again.
#
# The base system comes from debootstrap (Debian's packages) and is cached as a tarball in
# /var/cache/treadd-deb, so it is built once per machine. Needs root. Not part of .ci/run:
# a cold cache (debootstrap plus a release build) takes well over 5 minutes.
# Usage: scripts/test-deb.sh [PATH-TO-.deb]     (default: build one with scripts/build-deb.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
[ "$(id -u)" -eq 0 ] || { echo "test-deb: needs root (chroot, mount)" >&2; exit 1; }

deb="${1:-}"
if [ -z "$deb" ]; then
  bash scripts/build-deb.sh dist
  deb=$(ls -t dist/treadd_*.deb | head -1)
fi
[ -f "$deb" ] || { echo "test-deb: no package at $deb" >&2; exit 1; }

command -v debootstrap >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap; }

arch=$(dpkg --print-architecture)
cache=/var/cache/treadd-deb
tarball="$cache/bookworm-minbase-$arch.tar.gz"
mirror=$(awk '/^URIs:/ && /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror="http://deb.debian.org/debian"

if [ ! -f "$tarball" ]; then
  echo "test-deb: building the bookworm base system once (debootstrap from $mirror)"
  mkdir -p "$cache"
  build=$(mktemp -d /var/tmp/treadd-debootstrap-XXXXXX)
  debootstrap --variant=minbase bookworm "$build" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; rm -rf --one-file-system "$build"; exit 1; }
  tar -C "$build" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf --one-file-system "$build"
fi

root=$(mktemp -d /var/tmp/treadd-chroot-XXXXXX)
cleanup() {
  mountpoint -q "$root/proc" && umount -l "$root/proc"
  # --one-file-system: never follow into anything still mounted.
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" -xzf "$tarball"
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Same mirror and apt settings as this machine, plus bookworm-backports for libgpiod v2.
cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
cat > "$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-backports main
SRC
cp "$deb" "$root/tmp/treadd.deb"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

in_root apt-get update -q >/dev/null 2>&1
in_root apt-get install -y -q --no-install-recommends /tmp/treadd.deb > "$root/tmp/install.log" 2>&1 \
  || { tail -30 "$root/tmp/install.log" >&2; exit 1; }
echo "test-deb: installed $(basename "$deb") into a bookworm chroot"

fail() { echo "test-deb: FAIL: $*" >&2; exit 1; }
check() { local what="$1"; shift; if "$@"; then echo "  ok  $what"; else fail "$what"; fi; }

check "treadd user exists, in groups dialout gpio treadmill" \
  bash -c "in_groups=\$(chroot '$root' id -nG treadd); for g in dialout gpio treadmill; do case \" \$in_groups \" in *\" \$g \"*) ;; *) exit 1;; esac; done"
check "/etc/treadd/treadd.toml is a conffile" grep -qx /etc/treadd/treadd.toml "$root/var/lib/dpkg/info/treadd.conffiles"
check "/etc/treadd/programs filled from /usr/share/treadd/programs" test -f "$root/etc/treadd/programs/demo.toml"
check "treadctl man page installed" test -s "$root/usr/share/man/man1/treadctl.1.gz"
check "treadctl bash completion installed" test -s "$root/usr/share/bash-completion/completions/treadctl"
check "the service is installed but not enabled" test ! -e "$root/etc/systemd/system/multi-user.target.wants/treadd.service"
verify=$(in_root systemd-analyze verify /lib/systemd/system/treadd.service 2>&1) || true
[ -z "$verify" ] || echo "$verify" >&2
check "systemd-analyze verify of the installed unit is clean" test -z "$verify"
check "treadd --check-config reads the shipped configuration" bash -c "chroot '$root' /usr/bin/treadd --check-config > '$root/tmp/check.txt'"
check "  ... and prints the effective values" grep -q "delta-ms300" "$root/tmp/check.txt"
check "treadctl --help runs" bash -c "chroot '$root' /usr/bin/treadctl --help >/dev/null"
check "treadsim --help runs" bash -c "chroot '$root' /usr/bin/treadsim --help >/dev/null"
check "treadd refuses a missing serial device at start-up" \
  bash -c "! chroot '$root' /usr/bin/treadd --config /etc/treadd/treadd.toml 2>'$root/tmp/start.txt' && grep -q 'does not exist' '$root/tmp/start.txt'"
sed 's/^/      /' "$root/tmp/start.txt"
in_root apt-get purge -y -q treadd >/dev/null 2>&1
check "purge removes the binaries and the state folder" bash -c "test ! -e '$root/usr/bin/treadd' && test ! -e '$root/var/lib/treadd'"

echo "test-deb: sizes"
echo "  $(basename "$deb"): $(du -h "$deb" | cut -f1)"
dpkg-deb --fsys-tarfile "$deb" | tar -tvf - ./usr/bin/ | awk '$6 ~ /bin\/./ {printf "  %s %.1f MiB\n", $6, $3/1048576}'
echo "test-deb: all checks passed"
