#!/usr/bin/env bash
# Installs the Debian 12 packages treadd needs to build, test and run its demo.
# libgpiod v2 is only in bookworm-backports, so that suite is added here; `-t` is
# limited to the two gpiod packages so nothing else is upgraded from backports.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

backports=/etc/apt/sources.list.d/treadd-bookworm-backports.sources
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
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  pkg-config libmodbus-dev libsqlite3-dev socat mbpoll
# treadctl's Zwift import (SWXMLHash over FoundationXML) links libxml2; the static release
# build (scripts/build-deb.sh) needs its development files, the .deb then depends on libxml2.
$SUDO apt-get install -y -q --no-install-recommends libxml2-dev
# The service files' checks (systemd-analyze, systemd-sysusers) and the .deb tools
# (dpkg-shlibdeps; debootstrap for scripts/test-deb.sh).
$SUDO apt-get install -y -q --no-install-recommends systemd dpkg-dev debootstrap
$SUDO apt-get install -y -q --no-install-recommends -t bookworm-backports libgpiod-dev gpiod
# treadconsole's browser tests: headless Chromium loads the console page (Tests/IntegrationTests/ConsoleTests.swift).
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
# The fleet (docs/fleet.md): treadsync and treadfleet link libmosquitto; their tests start
# Debian's own mosquitto broker and PostgreSQL server on loopback (iproute2 for the netns test,
# openssl for the secured broker's throwaway CA, scripts/fleet/test-pki.sh).
$SUDO apt-get install -y -q --no-install-recommends libmosquitto-dev mosquitto mosquitto-clients \
  postgresql postgresql-client iproute2 openssl
# Debian starts both as services on install; the tests run their own instances on free ports.
$SUDO systemctl disable --now mosquitto postgresql >/dev/null 2>&1 || true

# Session export (docs/history.md): the tests validate TCX files against Garmin's published
# schema with xmllint, and decode FIT files with two independent readers from PyPI, fitdecode
# and fitparse (scripts/fit-summary.py), in a venv of their own at a fixed path that the tests
# look for (Debian's pip refuses to install into the system Python).
$SUDO apt-get install -y -q --no-install-recommends libxml2-utils python3-venv
pyenv=/opt/treadd-pyenv
if [ ! -x "$pyenv/bin/python" ]; then $SUDO /usr/bin/python3 -m venv "$pyenv"; fi
"$pyenv/bin/python" -c "import fitdecode, fitparse" 2>/dev/null \
  || $SUDO "$pyenv/bin/pip" install -q --disable-pip-version-check "fitdecode==0.11.0" "fitparse==1.2.0"

pkg-config --atleast-version=2.0 libgpiod || { echo "libgpiod >= 2.0 is required" >&2; exit 1; }
