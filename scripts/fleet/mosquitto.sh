#!/usr/bin/env bash
# Runs Debian's mosquitto broker in the foreground for the fleet's tests and benchmarks
# (docs/fleet.md): MQTT 5 on ADDRESS:PORT, anonymous (loopback or a test netns only),
# persistence in DIR so a restarted broker keeps its sessions and queued messages.
#   bash scripts/fleet/mosquitto.sh DIR PORT [ADDRESS]
# With DIR/security.conf (listener options: cafile, certfile, keyfile, require_certificate,
# and password_file), the listener takes those and anonymous clients are refused: a broker
# as a chain runs it, TLS with client certificates and a password per machine.
# exec's the broker, so the caller's PID is the broker's (SIGTERM saves and stops it,
# SIGKILL loses what it had not saved, SIGSTOP freezes it).
set -euo pipefail
dir=$1 port=$2 address=${3:-127.0.0.1}
mkdir -p "$dir"
security="" anonymous=true
if [ -f "$dir/security.conf" ]; then security=$(cat "$dir/security.conf"); anonymous=false; fi
cat > "$dir/mosquitto.conf" <<CONF
# Written by scripts/fleet/mosquitto.sh
user root
listener $port $address
$security
allow_anonymous $anonymous
persistence true
persistence_location $dir/
autosave_interval 1
max_queued_messages 100000
log_dest stderr
log_type error
log_type warning
log_type notice
CONF
exec /usr/sbin/mosquitto -c "$dir/mosquitto.conf"
