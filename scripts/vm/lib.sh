# Shared settings for scripts/vm/*.sh on the host (sourced, not run).
# shellcheck shell=bash disable=SC2034

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${TREADD_VM_CACHE:-/var/cache/treadd-vm}
VM_KERNEL_SERIES=6.12
VM_KERNEL_PKG=linux-source-$VM_KERNEL_SERIES
VM_KERNEL_CONFIG=$VM_DIR/kernel.config
# Bump when the build recipe in build-kernel.sh changes in a way that changes the image.
VM_RECIPE=1
# virtme-ng is pinned: run.sh relies on how this version reports the guest's exit status.
VM_VIRTME_NG_VERSION=${TREADD_VM_VIRTME_NG_VERSION:-1.42}
VM_VENV=$VM_CACHE/venv-virtme-ng-$VM_VIRTME_NG_VERSION
VM_VNG=$VM_VENV/bin/vng

vm_log() { printf '[vm] %s\n' "$*" >&2; }
vm_die() { printf '[vm] ERROR: %s\n' "$*" >&2; exit 1; }

# Version of the installed kernel source package, empty if it is not installed.
vm_kernel_src_version() {
  dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$VM_KERNEL_PKG" 2>/dev/null \
    | awk '$1 == "installed" {print $2}'
}

# Cache key: kernel source version + config fragment + compiler + recipe.
vm_kernel_key() {
  local ver=$1
  {
    echo "recipe=$VM_RECIPE"
    echo "source=$VM_KERNEL_PKG $ver"
    echo "cc=$(gcc --version 2>/dev/null | head -n1)"
    cat "$VM_KERNEL_CONFIG"
  } | sha256sum | cut -c1-16
}
