#!/usr/bin/env bash
# A test host for the fleet's network-cut test (Tests/TreadFleetTests/NetworkCutTests.swift):
# a network namespace of this machine's own, joined to this one by a veth pair with link-local
# addresses (169.254.77.1 on this side, 169.254.77.2 in the namespace) and nothing routed
# beyond it. Needs root (CI and the developers' machines run as root).
#   netns.sh create NAME | down NAME | up NAME | delete NAME
# down/up set this side of the link down or up: the cut a broker's network would make.
set -euo pipefail
cmd=${1:?usage: netns.sh create|down|up|delete NAME} name=${2:?a namespace name (at most 12 characters)}
host=${name}h peer=${name}n
case $cmd in
create)
  # A namespace or link left by a killed run would hold the addresses: remove it first.
  ip netns del "$name" 2>/dev/null || true
  for dev in $(ip -o -4 addr show to 169.254.77.1/32 | awk '{print $2}'); do ip link del "$dev" 2>/dev/null || true; done
  ip netns add "$name"
  ip link add "$host" type veth peer name "$peer"
  ip link set "$peer" netns "$name"
  ip addr add 169.254.77.1/30 dev "$host"
  ip -n "$name" addr add 169.254.77.2/30 dev "$peer"
  ip -n "$name" link set lo up
  ip -n "$name" link set "$peer" up
  ip link set "$host" up
  ;;
down) ip link set "$host" down ;;
up) ip link set "$host" up ;;
delete)
  ip netns del "$name" 2>/dev/null || true
  ip link del "$host" 2>/dev/null || true
  ;;
*) echo "netns.sh: unknown command $cmd" >&2; exit 64 ;;
esac
