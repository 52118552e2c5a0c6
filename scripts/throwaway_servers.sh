# Sourced by demo/ and bench/ scripts: a throwaway primary and a hot standby of it, on unix sockets
# in a temp dir, removed at exit. Defines PRIMARY_PORT, STANDBY_PORT, WORK, PG_BIN, PSQL, and the
# functions start_primary, start_standby, primary_url DB, standby_url DB.
# shellcheck shell=bash
PG_BIN=${UNDERSTUDY_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}
WORK=$(mktemp -d /tmp/understudy-XXXXXX)
# The servers listen only on a unix socket inside $WORK, so these ports cannot clash with anything.
PRIMARY_PORT=5432
STANDBY_PORT=5433
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -U understudy)

run_pg() {  # PostgreSQL refuses to run as root: use the postgres account then.
  # From $WORK, which postgres owns: started from root's cwd, psql/pg_ctl/pg_basebackup would print
  # `could not change directory to "/root/..."`. Every path they are given is absolute.
  if [ "$(id -u)" -eq 0 ]; then (cd "$WORK" && runuser -u postgres -- "$@"); else "$@"; fi
}
stop_throwaway_servers() {
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -m immediate stop >/dev/null 2>&1 || true
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop_throwaway_servers EXIT
if [ "$(id -u)" -eq 0 ]; then chown postgres "$WORK"; fi

start_primary() {
  run_pg "$PG_BIN/initdb" -D "$WORK/primary" -A trust -U understudy -E UTF8 --locale=C -N >/dev/null
  cat >> "$WORK/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = $PRIMARY_PORT
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
hot_standby_feedback = on
# The standby inherits this file. A copy is never cancelled by replay: what a follower that serves
# copies should have (understudy's preflight warns otherwise).
max_standby_streaming_delay = -1
shared_buffers = 512MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
CONF
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
}

start_standby() {
  run_pg "$PG_BIN/pg_basebackup" -h "$WORK" -p "$PRIMARY_PORT" -U understudy -D "$WORK/standby" -R -X stream -c fast
  sed -i "s/^port = .*/port = $STANDBY_PORT/" "$WORK/standby/postgresql.conf"
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start >/dev/null
  until [ "$("${PSQL[@]}" -p "$STANDBY_PORT" -d postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; do sleep 0.2; done
}

primary_url() { echo "postgresql://understudy@/$1?host=$WORK&port=$PRIMARY_PORT"; }
standby_url() { echo "postgresql://understudy@/$1?host=$WORK&port=$STANDBY_PORT"; }
