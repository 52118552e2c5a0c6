#!/usr/bin/env bash
# Sync benchmark: a full anonymized `understudy sync` of a generated database of about 1 GB,
# against `pg_dump -Fd -j2 | pg_restore -j2` and `pgcopydb clone`, measured in the same run on the
# same servers. usage: bench/sync_bench.sh [SCALE (default 60, ~1 GB)] [RUNS (default 1)]
# With RUNS > 1 the three are run in turn RUNS times and each one's fastest run is reported: on a
# small shared machine, the minimum is the least noisy estimate of what each tool needs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${UNDERSTUDY_BUILD_DIR:-$HERE/../build}
SCALE=${1:-60}
RUNS=${2:-1}
source "$HERE/../scripts/throwaway_servers.sh"

start_primary
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE production" -c "CREATE DATABASE staging"
echo "generating scale $SCALE ..." >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v scale="$SCALE" -f "$HERE/generate_saas.sql" >/dev/null
start_standby
SIZE=$("${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "SELECT pg_size_pretty(pg_database_size('production'))")
ROWS=$("${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "SELECT sum(reltuples)::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
echo "source: $SIZE, about $ROWS rows, read from the hot standby"

seconds() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - start }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
drop() { "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
SOURCE="$(standby_url production)"

# understudy sync: full copy, anonymized (users' email, names and phone), verified, promoted.
cat > "$WORK/staging.yml" <<YAML
sync: {backend: postgres, full: true, keep: 1}
anonymize:
  default: keep
  tables:
    public.users:
      email: {fake: email, unique: true}
      first_name: {fake: first_name}
      last_name: {fake: last_name}
      phone: {fake: phone}
YAML

fastest() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; fi; }
DUMP_RESTORE=""; PGCOPYDB=""; SYNC=""
for RUN in $(seq 1 "$RUNS"); do
  # 1. pg_dump -Fd -j2 | pg_restore -j2 (the dump needs the standby's snapshot: pg_dump exports it).
  drop restored; "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE restored"
  START=$(date +%s.%N)
  "$PG_BIN/pg_dump" -Fd -j2 -f "$WORK/dumpdir" -d "$SOURCE"
  "$PG_BIN/pg_restore" -j2 --no-owner -d "$(primary_url restored)" "$WORK/dumpdir"
  DUMP_RESTORE=$(fastest "$DUMP_RESTORE" "$(seconds "$START")")
  rm -rf "$WORK/dumpdir"; drop restored

  # 2. pgcopydb clone (Debian package). It cannot read a hot standby (it exports its snapshot in a
  # SERIALIZABLE transaction, which a standby refuses), so it reads the primary: the same data.
  if command -v pgcopydb >/dev/null; then
    drop cloned; rm -rf "$WORK/pgcopydb"
    "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE cloned"
    START=$(date +%s.%N)
    if pgcopydb clone --source "$(primary_url production)" --target "$(primary_url cloned)" --dir "$WORK/pgcopydb" \
         --table-jobs 2 --index-jobs 2 --no-owner >"$WORK/pgcopydb.log" 2>&1; then
      PGCOPYDB=$(fastest "$PGCOPYDB" "$(seconds "$START")")
    else
      echo "pgcopydb clone failed (see below); left out" >&2; tail -5 "$WORK/pgcopydb.log" >&2
    fi
    drop cloned
  fi

  # 3. understudy sync (its config is written once, above the loop).
  if [ "$RUN" -gt 1 ]; then cp "$WORK/sync.json" "$WORK/sync-previous.json"; fi
  START=$(date +%s.%N)
  UNDERSTUDY_SECRET="benchmark secret, not for real use" "$BUILD/understudy" sync --source "$SOURCE" \
    --target "$(primary_url staging)" --config "$WORK/staging.yml" --report "$WORK/sync.json" >/dev/null
  THIS_SYNC=$(seconds "$START")
  # Keep the report (phases) of the fastest sync.
  if [ -n "$SYNC" ] && awk -v a="$THIS_SYNC" -v b="$SYNC" 'BEGIN { exit !(a >= b) }'; then
    cp "$WORK/sync-previous.json" "$WORK/sync.json"
  fi
  SYNC=$(fastest "$SYNC" "$THIS_SYNC")
done

printf 'pg_dump -Fd -j2 | pg_restore -j2: %7.2f s\n' "$DUMP_RESTORE"
[ -n "$PGCOPYDB" ] && printf 'pgcopydb clone (2 jobs, from the primary): %7.2f s\n' "$PGCOPYDB"
printf 'understudy sync (anonymized, verified, promoted): %7.2f s\n' "$SYNC"
[ "$RUNS" -gt 1 ] && echo "(each the fastest of $RUNS runs)"
echo "  phases (s): $(tr -d '\n ' < "$WORK/sync.json" | grep -o '"phases":{[^}]*}')"
echo "ratio sync / pg_dump+pg_restore: $(ratio "$SYNC" "$DUMP_RESTORE")   goal: < 1"
[ -n "$PGCOPYDB" ] && echo "ratio sync / pgcopydb:           $(ratio "$SYNC" "$PGCOPYDB")   goal: < 1"
exit 0
