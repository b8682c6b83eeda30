#!/usr/bin/env bash
# A throwaway PostgreSQL for treadfleet's tests and local trials (not a production setup).
#
#   scripts/fleet/postgres.sh start DIR PORT   initdb into DIR (if empty), start, create database treadfleet
#   scripts/fleet/postgres.sh stop DIR         stop it (pg_ctl stop -m fast)
#
# The server listens on 127.0.0.1:PORT only, with its Unix socket in DIR, trust authentication
# for local and 127.0.0.1 connections (user postgres, no password) and fsync left on, so a test
# that stops and restarts it sees what a real server keeps. initdb refuses to run as root, so
# when run as root everything runs as the postgres user, and DIR is handed to it.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 64; }

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local dir=$1 port=$2
    [ -x "$PG_BIN/initdb" ] || { echo "postgres.sh: no $PG_BIN/initdb (apt install postgresql-15, or set PG_BIN)" >&2; exit 69; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$dir"
        # The postgres user must be able to reach DIR through its parents (mktemp -d makes 0700 folders).
        local parent; parent=$(dirname "$dir")
        while [ "$parent" != / ]; do
            if ! runuser -u postgres -- test -x "$parent"; then chmod o+x "$parent"; fi
            parent=$(dirname "$parent")
        done
    fi
    local data=$dir/data
    if [ ! -s "$data/PG_VERSION" ]; then
        as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; exit 1; }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$dir'"
            echo "fsync = on"
        } | as_postgres tee -a "$data/postgresql.conf" >/dev/null
        # Trust on the socket and 127.0.0.1 only; nothing else may connect.
        printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" | as_postgres tee "$data/pg_hba.conf" >/dev/null
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null \
        || { echo "postgres.sh: pg_ctl start failed; server log:" >&2; cat "$dir/server.log" >&2 || true; exit 1; }
    if ! as_postgres "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'treadfleet'" | grep -q 1; then
        as_postgres "$PG_BIN/createdb" -h "$dir" -p "$port" -U postgres treadfleet
    fi
    echo "postgres.sh: PostgreSQL on 127.0.0.1:$port, data in $data, database treadfleet"
}

stop() {
    local dir; dir=$(cd "$1" && pwd)
    as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
    start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
    stop) [ $# -eq 2 ] || usage; stop "$2" ;;
    *) usage ;;
esac
