#!/usr/bin/env bash
# The gpio-sim VM lane: builds the kernel once (cached), the project's binaries and the
# guest helper, then runs the interlock scenarios in the VM against the real libgpiod path.
#   bash scripts/vm/lane.sh          (BUILD_PATH: SwiftPM scratch path, default .build)
# Fails loudly if the kernel cannot be built or the VM cannot boot; never passes by skipping.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="/opt/swift/usr/bin:$PATH"
BUILD_PATH=${BUILD_PATH:-.build}
swift build --scratch-path "$BUILD_PATH" --product treadd >&2
swift build --scratch-path "$BUILD_PATH" --product treadctl >&2
swift build --scratch-path "$BUILD_PATH" --product treadsim >&2
swift build --scratch-path "$BUILD_PATH" --product treadbench >&2   # the in-process figure, for the ratio
BIN=$(readlink -f "$(swift build --scratch-path "$BUILD_PATH" --show-bin-path)")
mkdir -p "$BUILD_PATH/vm"
gcc -O2 -Wall -o "$BUILD_PATH/vm/edge_latency" scripts/vm/edge_latency.c
EDGE=$(readlink -f "$BUILD_PATH/vm/edge_latency")
export TREADD_VM_TIMEOUT=${TREADD_VM_TIMEOUT:-1800}   # the scenarios take 5-10 min under emulation
# Software emulation (TCG) unless asked for KVM: a /dev/kvm that passes run.sh's probe can still
# fail mid-boot ("KVM internal error. Suberror: 1", emulation failure, seen 2026-12-04), and the
# VM then hangs until the time-out. TREADD_VM_KVM=auto probes as before, 1 forces KVM.
export TREADD_VM_KVM=${TREADD_VM_KVM:-0}
exec bash scripts/vm/run.sh scripts/vm/interlock.sh "$BIN" "$EDGE" "${TREADD_VM_SCENARIOS:-}"
