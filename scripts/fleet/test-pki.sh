#!/usr/bin/env bash
# A throwaway certificate authority for the fleet's TLS test (never a production PKI): in DIR,
# ca.crt/ca.key, a server certificate for 127.0.0.1 (server.crt/.key, the address in its
# subjectAltName, as libmosquitto checks it) and a client certificate for the machine
# (client.crt/.key, CN=CLIENT_CN), each valid for two days.
#   bash scripts/fleet/test-pki.sh DIR [CLIENT_CN]
set -euo pipefail
dir=$1 cn=${2:-tm-01}
mkdir -p "$dir"
cd "$dir"
quiet() { "$@" >/dev/null 2>&1 || { echo "test-pki.sh: failed: $*" >&2; "$@"; exit 1; }; }
quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=treadd fleet test CA"
quiet openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\n' > server.ext
quiet openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
quiet openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=$cn"
quiet openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
chmod 0600 ./*.key
