#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests.
#
#   test-postgres.sh start DIR PORT   initdb in DIR/data, start listening on 127.0.0.1:PORT only (unix socket in
#                                     DIR), create database crmsync_test; superuser "postgres", trust auth
#   test-postgres.sh stop DIR         stop the server and remove DIR
#
# As root the server runs as the postgres system user (PostgreSQL refuses to run as root); otherwise as the
# current user. Connect with postgresql://postgres@127.0.0.1:PORT/crmsync_test.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB_NAME=crmsync_test

usage() {
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

if [ "$(id -u)" -eq 0 ]; then
  run_user=postgres
  as_user() { runuser -u postgres -- "$@"; }
else
  run_user=$(id -un)
  as_user() { "$@"; }
fi

# Stops a server left in DIR (by an interrupted test run, say); quiet when there is none.
stop_server() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_user "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  start)
    [ $# -eq 3 ] || usage
    port=$3
    case "$port" in '' | *[!0-9]*) echo "test-postgres: PORT must be a number, got '$port'" >&2; exit 2 ;; esac
    mkdir -p "$(dirname "$dir")"
    dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
    stop_server
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$run_user" = postgres ] && [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    chmod 700 "$dir"

    # Tests only: trust auth on loopback, no fsync (the data is thrown away).
    if ! as_user "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1; then
      echo "test-postgres: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    if ! as_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null; then
      echo "test-postgres: the server did not start on 127.0.0.1:$port; its log:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    as_user "$PG_BIN/createdb" -h "$dir" -p "$port" -U postgres "$DB_NAME"
    echo "test-postgres: postgresql://postgres@127.0.0.1:$port/$DB_NAME (data in $dir)"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_server
    rm -rf "$dir"
    ;;
  *)
    usage
    ;;
esac
