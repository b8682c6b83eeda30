#!/usr/bin/env bash
# Boots the lane's kernel (built and cached by build-kernel.sh) with virtme-ng and runs a
# guest script in it; the host's filesystem is visible read-only in the guest at the same
# paths, so host-built binaries and the host's libgpiod run there. Exits with the guest
# script's exit status.
#
# Usage: scripts/vm/run.sh GUEST_SCRIPT [args...]
#   GUEST_SCRIPT runs as root in the guest, in the host's current directory, through its #!
#   line if it is executable, else with bash. The host's environment is not passed on,
#   except TREADD_VM_SAMPLES, TREADD_VM_BENCH_EDGES and TREADD_VM_DIAGNOSE (interlock.sh's).
# Environment:
#   TREADD_VM_TIMEOUT  overall time limit in seconds, boot included (default 900)
#   TREADD_VM_KVM      auto (default: use /dev/kvm only if QEMU can start a KVM guest), 0, 1
#   TREADD_VM_CPUS     guest CPUs (default 2)     TREADD_VM_MEMORY  guest memory (default 1G)
#   TREADD_VM_LOG      where to keep the full log incl. the kernel console (default: mktemp)
#   TREADD_VM_VERBOSE  1: also show kernel console lines on the terminal
#   TREADD_VM_9P_CACHE 9p cache mode of the guest's root (default loose; none = vng's)
#   TREADD_VM_APPEND   extra kernel command line arguments
#   TREADD_VM_CACHE    cache directory (default /var/cache/treadd-vm)
# Exit status: the guest script's; 124 on timeout; 1 with a reason if the VM failed.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
[ $# -ge 1 ] || { usage >&2; exit 64; }
case $1 in -h|--help) usage; exit 0 ;; esac
script=$(readlink -f "$1") || vm_die "cannot resolve $1"
shift
[ -f "$script" ] || vm_die "guest script not found: $script"

timeout_s=${TREADD_VM_TIMEOUT:-900}
cpus=${TREADD_VM_CPUS:-2}
memory=${TREADD_VM_MEMORY:-1G}

# The kernel: a cache hit unless the key changed (then this builds it, ~10+ minutes).
image=$(bash "$VM_DIR/build-kernel.sh" | tail -n 1) || vm_die "no kernel image (build-kernel.sh failed)"
[ -s "$image" ] || vm_die "kernel image $image is missing"
[ -x "$VM_VNG" ] || vm_die "vng not found at $VM_VNG"
command -v qemu-system-x86_64 >/dev/null || vm_die "qemu-system-x86_64 not installed"
# vng starts virtme-run through the shell, so the venv's bin must be on PATH.
export PATH="$VM_VENV/bin:$PATH"

# KVM: vng uses `-cpu host` with KVM, so probe exactly that; otherwise use TCG.
kvm_usable() {
  [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
  (echo quit | timeout 20 qemu-system-x86_64 -accel kvm -M q35 -cpu host -nodefaults \
    -display none -monitor stdio -S) >/dev/null 2>&1
}
kvm_args=()
case ${TREADD_VM_KVM:-auto} in
  0) kvm_args=(--disable-kvm) ;;
  1) ;;
  auto) if kvm_usable; then vm_log "KVM is usable"; else kvm_args=(--disable-kvm); fi ;;
  *) vm_die "TREADD_VM_KVM must be auto, 0 or 1" ;;
esac

# Kernel arguments. The root is the host's / over 9p, mounted by vng without a cache mode
# (cache=none), which makes every exec and stat a round trip: under TCG that costs ~20 s of
# boot and ~8 s per python3 start. A later rootflags= wins, so re-mount it with cache=loose.
# The guest then may not see host files that change while it runs (it never writes there:
# vng puts a tmpfs overlay on /etc, /usr, /var, /tmp, ...). TREADD_VM_9P_CACHE=none undoes it.
append=(--append printk.time=1)
cache_mode=${TREADD_VM_9P_CACHE:-loose}
if [ "$cache_mode" != none ]; then
  append+=(--append "rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=$cache_mode")
fi
[ -z "${TREADD_VM_APPEND:-}" ] || append+=(--append "$TREADD_VM_APPEND")

log=${TREADD_VM_LOG:-$(mktemp /tmp/treadd-vm-XXXXXX.log)}
: >"$log"
entry=$VM_DIR/guest-entry.sh
# vng --exec takes one shell command line; quote every word.
# The guest scripts' own settings are passed on (the rest of the host's environment is not).
guest_env=()
for v in TREADD_VM_SAMPLES TREADD_VM_BENCH_EDGES TREADD_VM_DIAGNOSE; do
  [ -z "${!v:-}" ] || guest_env+=("$v=${!v}")
done
cmd=$(printf '%q ' env "${guest_env[@]}" bash "$entry" "$script" "$@")

vm_log "booting $(basename "$(dirname "$image")") (${kvm_args[*]:-kvm}, $cpus CPUs, $memory, timeout ${timeout_s}s): $script $*"
t0=$(date +%s)
set +e
# -v sends the kernel console to stderr, so a VM that cannot boot says why (it goes to the
# log; the terminal shows it only with TREADD_VM_VERBOSE=1 or on failure; printk.time=1
# timestamps its lines so they can be told apart from the guest script's output). stdin is
# /dev/null: timeout(1) runs vng in its own process group, and QEMU must not read the tty.
# Output goes through a pipe: QEMU opens /proc/self/fd/1 with O_TRUNC, which would clobber
# a redirected file.
timeout -k 20 "$timeout_s" "$VM_VNG" -r "$image" "${kvm_args[@]}" --force-9p \
    --cpus "$cpus" --memory "$memory" --cwd "$PWD" -v "${append[@]}" --exec "$cmd" </dev/null 2>&1 \
  | tee -a "$log" \
  | if [ "${TREADD_VM_VERBOSE:-0}" = 1 ]; then cat; else
      # The boot console (everything before guest-entry.sh's first line) and timestamped
      # kernel lines after it stay in the log only.
      awk '/^\[vm\] guest up after / {up = 1} up && !/^\[ *[0-9]+\.[0-9]+\] / {print; fflush()}' 
    fi
statuses=("${PIPESTATUS[@]}")
set -e
rc=${statuses[0]}
t1=$(date +%s)

sentinel=$(sed -nE 's/^TREADD_VM_GUEST_EXIT=([0-9]+)\r?$/\1/p' "$log" | tail -n 1)
fail_ctx() { vm_log "last lines of the VM log:"; tail -n 40 "$log" | sed 's/^/    /' >&2; vm_log "full log: $log"; }

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  fail_ctx
  vm_log "FAIL: timed out after ${timeout_s}s (TREADD_VM_TIMEOUT)"
  exit 124
fi
if [ -z "$sentinel" ]; then
  fail_ctx
  if grep -q 'cannot find script I/O ports' "$log"; then
    vm_log "FAIL: the guest found no virtio-serial script ports (is udev installed on the host?)"
  elif grep -q 'Kernel panic' "$log"; then
    vm_log "FAIL: the guest kernel panicked: $(grep -m1 'Kernel panic' "$log")"
  else
    vm_log "FAIL: the VM did not run the guest script to completion (vng exit $rc)"
  fi
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
fi
if [ "$sentinel" != "$rc" ]; then
  fail_ctx
  if grep -q 'cannot find script I/O ports' "$log"; then
    vm_log "FAIL: the guest found no virtio-serial script ports (is udev installed on the host?)"
  fi
  vm_log "FAIL: guest script exited $sentinel but vng exited $rc"
  [ "$rc" -ne 0 ] || rc=1
  exit "$rc"
fi
if [ "$rc" -ne 0 ]; then
  vm_log "FAIL: guest script $(basename "$script") exited $rc ($((t1 - t0)) s; log: $log)"
  exit "$rc"
fi
if [ -n "${TREADD_VM_LOG:-}" ]; then
  vm_log "guest script $(basename "$script") passed ($((t1 - t0)) s; log: $log)"
else
  rm -f "$log"
  vm_log "guest script $(basename "$script") passed ($((t1 - t0)) s)"
fi
exit 0
