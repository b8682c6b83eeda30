#!/usr/bin/env bash
# Builds (once) the small kernel the gpio-sim VM lane boots, and installs what the lane
# needs on a Debian 12 host: the 6.12 kernel source, its build dependencies, QEMU,
# virtme-ng (in a venv under the cache) and the guest-side tools (gpiod, socat).
#
# The bzImage is cached outside the repository, keyed by the kernel source version, the
# config fragment scripts/vm/kernel.config, the compiler and the build recipe:
#   ${TREADD_VM_CACHE:-/var/cache/treadd-vm}/kernel-<key>/bzImage
# A second run with the same key is a cache hit and builds nothing.
#
# Usage: scripts/vm/build-kernel.sh [--no-install]
#   Progress goes to stderr; the last line on stdout is the bzImage's path.
#   --no-install  only check the cache / build; fail instead of running apt-get or pip.
# Environment: TREADD_VM_CACHE (cache directory), TREADD_VM_JOBS (make -j, default nproc).
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

install=1
for a in "$@"; do
  case $a in
    --no-install) install=0 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) vm_die "unknown argument: $a" ;;
  esac
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Build dependencies, then what run.sh and the guest scripts use.
BUILD_PKGS=(bc bison flex libelf-dev libssl-dev cpio make gcc libc6-dev xz-utils)
# udev: virtme-ng's guest init finds its script I/O ports (virtio-serial) through the
# /dev/virtio-ports/ links that systemd-udevd makes; without it the guest falls back to the
# console and vng cannot report the script's exit status.
RUN_PKGS=(qemu-system-x86 python3 python3-venv socat udev)
BPO_PKGS=(gpiod libgpiod3)   # libgpiod v2 is only in bookworm-backports

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"
  done
}

add_backports() {
  # Same approach as scripts/install-deps.sh: a deb822 source for bookworm-backports.
  local backports=/etc/apt/sources.list.d/treadd-bookworm-backports.sources uri
  if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(awk '/^URIs:/ && /debian$|debian\/$/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$uri" ] || uri="http://deb.debian.org/debian"
    $SUDO tee "$backports" >/dev/null <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    return 0
  fi
  return 1
}

ensure_deps() {
  local need need_bpo updated=0
  # The kernel source is only installed when missing: upgrading it would change the cache
  # key and force a rebuild, so a machine keeps the version its cached kernel was built from.
  mapfile -t need < <(missing_pkgs "$VM_KERNEL_PKG" "${BUILD_PKGS[@]}" "${RUN_PKGS[@]}")
  mapfile -t need_bpo < <(missing_pkgs "${BPO_PKGS[@]}")
  if [ "${#need[@]}" -gt 0 ] || [ "${#need_bpo[@]}" -gt 0 ]; then
    [ "$install" = 1 ] || vm_die "missing packages: ${need[*]} ${need_bpo[*]} (run without --no-install)"
    add_backports || true
    export DEBIAN_FRONTEND=noninteractive
    vm_log "installing: ${need[*]} ${need_bpo[*]}"
    $SUDO apt-get update -q >&2 || vm_die "apt-get update failed"
    updated=1
    if [ "${#need[@]}" -gt 0 ]; then
      # linux-source-6.12 is in bookworm-security and bookworm-backports; apt takes the newest.
      $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >&2 \
        || vm_die "apt-get install ${need[*]} failed"
    fi
    if [ "${#need_bpo[@]}" -gt 0 ]; then
      $SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports "${need_bpo[@]}" >&2 \
        || vm_die "apt-get install -t bookworm-backports ${need_bpo[*]} failed"
    fi
  fi
  : "$updated"

  if [ ! -x "$VM_VNG" ] || ! "$VM_VNG" --version 2>/dev/null | grep -qF "$VM_VIRTME_NG_VERSION"; then
    [ "$install" = 1 ] || vm_die "virtme-ng $VM_VIRTME_NG_VERSION is not installed in $VM_VENV"
    vm_log "installing virtme-ng $VM_VIRTME_NG_VERSION into $VM_VENV"
    $SUDO mkdir -p "$VM_CACHE"
    rm -rf "$VM_VENV"
    # Debian's python3 (not a pyenv one on PATH), so the venv only depends on apt packages.
    /usr/bin/python3 -m venv "$VM_VENV" || vm_die "python3 -m venv failed"
    "$VM_VENV/bin/pip" install -q --disable-pip-version-check "virtme-ng==$VM_VIRTME_NG_VERSION" >&2 \
      || vm_die "pip install virtme-ng==$VM_VIRTME_NG_VERSION failed"
    "$VM_VNG" --version >&2 || vm_die "vng does not run"
  fi
}

ensure_deps

ver=$(vm_kernel_src_version)
[ -n "$ver" ] || vm_die "$VM_KERNEL_PKG is not installed"
key=$(vm_kernel_key "$ver")
kdir=$VM_CACHE/kernel-$key
image=$kdir/bzImage

if [ -s "$image" ]; then
  vm_log "cache hit: $image (key $key: $VM_KERNEL_PKG $ver + $(basename "$VM_KERNEL_CONFIG"))"
  echo "$image"
  exit 0
fi

mkdir -p "$VM_CACHE"
exec 9>"$VM_CACHE/build.lock"
flock 9
if [ -s "$image" ]; then   # another run built it while we waited for the lock
  vm_log "cache hit: $image"
  echo "$image"
  exit 0
fi

vm_log "cache miss for key $key: building $VM_KERNEL_PKG $ver with $VM_KERNEL_CONFIG"
t0=$(date +%s)

# Unpack the source; the build uses a separate output directory (O=).
src=$VM_CACHE/src/$ver
tarball=/usr/src/$VM_KERNEL_PKG.tar.xz
if [ ! -f "$src/Makefile" ]; then
  [ -f "$tarball" ] || vm_die "$tarball not found"
  vm_log "unpacking $tarball"
  rm -rf "$src" "$src.tmp"
  mkdir -p "$src.tmp"
  tar -xJf "$tarball" -C "$src.tmp" || vm_die "unpacking $tarball failed"
  mv "$src.tmp/$VM_KERNEL_PKG" "$src"
  rmdir "$src.tmp"
fi
t1=$(date +%s)

out=$VM_CACHE/build-$key
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
jobs=${TREADD_VM_JOBS:-$(nproc)}

# allnoconfig with the fragment as the starting point: everything else is off.
make -C "$src" O="$out" ARCH=x86_64 KCONFIG_ALLCONFIG="$VM_KERNEL_CONFIG" allnoconfig >"$log" 2>&1 \
  || { tail -n 30 "$log" >&2; vm_die "make allnoconfig failed (log: $log)"; }

# Every "=y" in the fragment must have survived dependency resolution.
dropped=()
while IFS= read -r line; do
  grep -qxF "$line" "$out/.config" || dropped+=("$line")
done < <(grep -E '^CONFIG_[A-Z0-9_]+=' "$VM_KERNEL_CONFIG")
while IFS= read -r sym; do
  if grep -qE "^$sym=" "$out/.config"; then dropped+=("# $sym is not set"); fi
done < <(sed -nE 's/^# (CONFIG_[A-Z0-9_]+) is not set$/\1/p' "$VM_KERNEL_CONFIG")
if [ "${#dropped[@]}" -gt 0 ]; then
  printf '[vm]   %s\n' "${dropped[@]}" >&2
  vm_die "these config lines did not take effect (unmet dependencies?); fix $VM_KERNEL_CONFIG"
fi
t2=$(date +%s)

vm_log "make -j$jobs bzImage (log: $log)"
# nice: the lane's kernel must not starve whatever else the machine is building.
TIMEFORMAT='%R %U %S'
set +e
{ time nice -n 10 make -C "$src" O="$out" ARCH=x86_64 -j"$jobs" bzImage >>"$log" 2>&1; } 2>"$out/make.time"
mrc=$?
set -e
read -r _ cpu_user cpu_sys <"$out/make.time" || true
if [ "$mrc" -ne 0 ]; then
  grep -E 'error|Error' "$log" | tail -n 20 >&2 || true
  tail -n 20 "$log" >&2
  vm_die "kernel build failed (log: $log)"
fi
t3=$(date +%s)

[ -s "$out/arch/x86/boot/bzImage" ] || vm_die "build finished but $out/arch/x86/boot/bzImage is missing"
tmp=$kdir.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
cp "$out/arch/x86/boot/bzImage" "$tmp/bzImage"
cp "$out/.config" "$tmp/config"
cp "$VM_KERNEL_CONFIG" "$tmp/kernel.config"
cp "$log" "$tmp/build.log"
cat >"$tmp/build-info" <<INFO
key=$key
source=$VM_KERNEL_PKG $ver
cc=$(gcc --version | head -n1)
jobs=$jobs
unpack_seconds=$((t1 - t0))
config_seconds=$((t2 - t1))
build_seconds=$((t3 - t2))
make_cpu_user_seconds=${cpu_user:-?}
make_cpu_sys_seconds=${cpu_sys:-?}
total_seconds=$((t3 - t0))
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
INFO
rm -rf "$kdir"
mv "$tmp" "$kdir"
# Neither the object tree nor the 1.7 GB of unpacked source is reused: a new key means a
# new configuration or a new source version, and unpacking again takes well under a minute.
rm -rf "$out" "$src"

vm_log "built in $((t3 - t0)) s (unpack $((t1 - t0)) s, make $((t3 - t2)) s wall, ${cpu_user:-?} s user + ${cpu_sys:-?} s sys CPU): $image"
echo "$image"
