#!/usr/bin/env bash
# Runs inside the VM (started by scripts/vm/run.sh): runs the guest script, then prints a
# sentinel line with its exit status. run.sh requires the sentinel and vng's exit status
# to agree, so a VM that died before the script finished can never count as a pass.
# Usage (guest): guest-entry.sh GUEST_SCRIPT [args...]
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}
script=$1
shift
echo "[vm] guest up after $(cut -d' ' -f1 /proc/uptime) s: kernel $(uname -r), $(nproc) CPU(s), running $script $*"
rc=0
# An executable script runs through its #! line; anything else with bash.
if [ -x "$script" ]; then "$script" "$@" || rc=$?; else bash "$script" "$@" || rc=$?; fi
echo "TREADD_VM_GUEST_EXIT=$rc"
exit "$rc"
