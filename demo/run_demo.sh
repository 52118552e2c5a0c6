#!/usr/bin/env bash
# The built-in demo: a throwaway production-like primary, a hot-standby follower of it, and a
# review-app database filled by `understudy subset` from the follower. Everything is removed at exit.
set -euo pipefail
UNDERSTUDY=$(realpath "${1:?usage: run_demo.sh path/to/understudy}")
HERE=$(cd "$(dirname "$0")" && pwd)
PG_BIN=${UNDERSTUDY_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)}
SCALE=${DEMO_SCALE:-1}

WORK=$(mktemp -d /tmp/understudy-demo-XXXXXX)
run_pg() {  # PostgreSQL refuses to run as root: use the postgres account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -m immediate stop >/dev/null 2>&1 || true
  run_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$WORK"

# The servers listen only on a unix socket inside $WORK, so these ports cannot clash with anything.
PRIMARY_PORT=5432
STANDBY_PORT=5433

echo "== starting a throwaway primary (port $PRIMARY_PORT) and a hot standby (port $STANDBY_PORT) in $WORK" >&2
run_pg "$PG_BIN/initdb" -D "$WORK/primary" -A trust -U demo -E UTF8 --locale=C -N >/dev/null
cat >> "$WORK/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = $PRIMARY_PORT
fsync = off
wal_level = replica
max_wal_senders = 4
hot_standby = on
hot_standby_feedback = on
CONF
run_pg "$PG_BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$WORK" -U demo)

echo "== loading the production-like demo database (scale $SCALE)" >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE production" -c "CREATE DATABASE review_app"
"${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v scale="$SCALE" -f "$HERE/../bench/generate_saas.sql" >/dev/null

run_pg "$PG_BIN/pg_basebackup" -h "$WORK" -p "$PRIMARY_PORT" -U demo -D "$WORK/standby" -R -X stream -c fast
sed -i "s/^port = .*/port = $STANDBY_PORT/" "$WORK/standby/postgresql.conf"
run_pg "$PG_BIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start >/dev/null

FOLLOWER="postgresql://demo@/production?host=$WORK&port=$STANDBY_PORT"
REVIEW_APP="postgresql://demo@/review_app?host=$WORK&port=$PRIMARY_PORT"

echo "== understudy plan (what a review app would get)" >&2
"$UNDERSTUDY" plan --source "$FOLLOWER" --logarithmic 0.5 --force users:1

echo "== understudy subset: follower -> review_app" >&2
"$UNDERSTUDY" subset --source "$FOLLOWER" --target "$REVIEW_APP" --logarithmic 0.5 --force users:1 \
  --report "$WORK/report.json"

echo "== the review app works: user 1 is there, and a new user gets a fresh id" >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d review_app -c "SELECT id, email FROM users WHERE id = 1" \
  -c "INSERT INTO users (account_id, email, name) SELECT account_id, 'new@example.com', 'New User' FROM users WHERE id = 1 RETURNING id"
echo "== report.json (abridged)" >&2
head -c 1500 "$WORK/report.json"; echo
