#!/usr/bin/env bash
# Installs what the tests need (Debian 12) and runs every test: unit tests of each library
# and the integration tests that run treadsim, treadd and treadctl as real processes over
# Modbus TCP and Modbus RTU on a socat PTY pair; then the systemd unit's checks (verify clean,
# exposure at most 2.0). The .deb chroot test (scripts/test-deb.sh) is not run here: on a
# cold cache it takes well over 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest
bash scripts/check-unit.sh "$PWD/.build/debug/treadd"
