#!/usr/bin/env bash
# Installs what the tests need (Debian 12) and runs every test: unit tests of each library
# and the integration tests that run treadsim, treadd and treadctl as real processes over
# Modbus TCP and Modbus RTU on a socat PTY pair.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash scripts/install-deps.sh
swift build --build-tests
swift test --skip-build --disable-xctest
