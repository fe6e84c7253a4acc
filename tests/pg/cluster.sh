#!/usr/bin/env bash
# cluster.sh: a throw-away PostgreSQL cluster for the tests.
#   tests/pg/cluster.sh start DIR [--durable]
#                                   initdb in DIR/data, start it with its Unix
#                                   socket in DIR (no TCP), print its URI;
#                                   --durable: fsync and full-page writes on,
#                                   as in production (bench/run), not off
#   tests/pg/cluster.sh stop DIR    stop it and remove DIR
#   tests/pg/cluster.sh uri DIR     print the URI of the cluster in DIR
#   tests/pg/cluster.sh restart DIR stop it (fast: connections are cut) and
#                                   start it again, as an upgrade or failover
# The URI names the maintenance database `postgres` as the superuser `folio`;
# a test makes a database of its own in it (tests/integration/harness.py).
# PostgreSQL refuses to run as root: as root, the cluster runs as `nobody`
# in a directory it owns. Debian 12: postgresql puts the programs in
# /usr/lib/postgresql/15/bin. Exits 77 (skipped) when they are missing,
# unless CI=true, where that is a failure.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
durable=${3:-}
if [ -z "$cmd" ] || [ -z "$dir" ] || { [ -n "$durable" ] && [ "$durable" != --durable ]; }; then
  echo "usage: $0 start|stop|restart|uri DIR [--durable]" >&2
  exit 2
fi

bin=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bin=$candidate
done
if [ -z "$bin" ] && command -v initdb >/dev/null; then
  bin=$(dirname "$(command -v initdb)")
fi

uri() { echo "postgresql:///postgres?host=$dir&user=folio"; }

# Runs a command as the cluster's owner: nobody when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

# The settings of the cluster in DIR: durable or not, as it was started.
start_server() {
  local sync="-c fsync=off -c full_page_writes=off"
  [ -f "$dir/durable" ] && sync="-c fsync=on -c full_page_writes=on"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 $sync" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

case $cmd in
  start)
    if [ -z "$bin" ]; then
      echo "cluster.sh: PostgreSQL is not installed (apt-get install postgresql)" >&2
      [ "${CI:-}" = true ] && exit 1
      exit 77
    fi
    # A cluster left over from an interrupted run is stopped first.
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown nobody: "$dir"
    chmod 0755 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U folio --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # fsync is off (start_server) unless --durable: the durability tests kill
    # folio, not the cluster, and a restart of the cluster (fast shutdown)
    # still writes every acknowledged commit to the files; only a crash of the
    # machine would lose one, which no test does. A benchmark's commit rate
    # is the disk's only with fsync on (bench/run passes --durable).
    [ "$durable" = --durable ] && touch "$dir/durable"
    start_server
    uri
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    start_server
    ;;
  stop)
    if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  uri)
    uri
    ;;
  *)
    echo "usage: $0 start|stop|restart|uri DIR [--durable]" >&2
    exit 2
    ;;
esac
