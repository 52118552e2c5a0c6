#!/usr/bin/env bash
# Sync benchmark: a full anonymized `understudy sync` of a generated database against the raw pipe
# (pre-data, `COPY TO STDOUT | COPY FROM STDIN` two tables at a time, post-data `pg_restore -j2`),
# `pgcopydb clone` and `pg_dump -Fd -j2 | pg_restore -j2`, all measured in the same run on the same servers.
#
#   bench/sync_bench.sh [SCALE (default 60, ~1 GB)] [RUNS (default 1)] [SHAPE]
#   bench/sync_bench.sh both [RUNS]      # issue 12's done-means: saas at SCALE 60 (~1 GB), then fat at
#                                        # FAT_SCALE (default 44: >= 2 GB, one table >= 60 %), one run
#
# SHAPE `saas` (default) is generate_saas.sql; `fat` adds generate_fat_table.sql's activity_log,
# one plain table holding FAT_SHARE (default 0.65) of the bytes (scale 21 + the table ≈ 1 GB).
# The sync runs twice per round: tables above SPLIT (default 200MB, pgcopydb's
# --split-tables-larger-than gets the same) copied in page ranges, and never split.
# With RUNS > 1 the tools are run in turn RUNS times and each one's fastest run is reported: on a
# small shared machine, the minimum is the least noisy estimate of what each tool needs.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${UNDERSTUDY_BUILD_DIR:-$HERE/../build}
if [ "${1:-}" = both ]; then
  SHAPES=(saas fat); SCALES=(60 "${FAT_SCALE:-44}"); RUNS=${2:-1}
else
  SHAPES=("${3:-saas}"); SCALES=("${1:-60}"); RUNS=${2:-1}
fi
SPLIT=${SPLIT:-200MB}
FAT_SHARE=${FAT_SHARE:-0.65}
source "$HERE/../scripts/throwaway_servers.sh"

start_primary
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE staging"

seconds() { awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f", now - start }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
drop() { PGOPTIONS="-c client_min_messages=warning" "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
fastest() { if [ -z "$1" ]; then echo "$2"; else awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; fi; }
SOURCE="$(standby_url production)"

# The standby replays what the primary generated before anything reads it.
wait_for_standby() {
  local target
  target=$("${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -Atc "SELECT pg_current_wal_lsn()")
  until "${PSQL[@]}" -p "$STANDBY_PORT" -d postgres -Atc "SELECT pg_last_wal_replay_lsn() >= '$target'" | grep -q t; do
    sleep 1
  done
}

# understudy sync: full copy, anonymized (users' email, names and phone), verified, promoted;
# staging-split.yml cuts tables above $SPLIT into page ranges, staging-whole.yml never does.
for VARIANT in split whole; do
  THRESHOLD=$([ "$VARIANT" = split ] && echo "$SPLIT" || echo 1000TB)
  cat > "$WORK/staging-$VARIANT.yml" <<YAML
sync: {backend: postgres, full: true, keep: 1, split_tables_larger_than: $THRESHOLD}
anonymize:
  default: keep
  tables:
    public.users:
      email: {fake: email, unique: true}
      first_name: {fake: first_name}
      last_name: {fake: last_name}
      phone: {fake: phone}
YAML
done

# One sync with staging-$1.yml; sets SYNC_$1 to its fastest time and keeps that run's report.
run_sync() {
  local start this best_var="SYNC_$1"
  local measure=()
  # Peak RSS through GNU time when it is installed (Debian's `time` package); item 6's goal is 256 MB.
  [ -x /usr/bin/time ] && measure=(/usr/bin/time -f %M -o "$WORK/rss-$1")
  start=$(date +%s.%N)
  UNDERSTUDY_SECRET="benchmark secret, not for real use" "${measure[@]}" "$BUILD/understudy" sync --source "$SOURCE" \
    --target "$(primary_url staging)" --config "$WORK/staging-$1.yml" --report "$WORK/sync-$1-last.json" >/dev/null 2>"$WORK/sync-$1.log" || { cat "$WORK/sync-$1.log" >&2; return 1; }
  this=$(seconds "$start")
  if [ -s "$WORK/rss-$1" ]; then
    PEAK_RSS_KB=$(awk -v a="${PEAK_RSS_KB:-0}" -v b="$(tail -1 "$WORK/rss-$1")" 'BEGIN { print (b > a ? b : a) }')
  fi
  if [ -z "${!best_var}" ] || awk -v a="$this" -v b="${!best_var}" 'BEGIN { exit !(a < b) }'; then
    cp "$WORK/sync-$1-last.json" "$WORK/sync-$1.json"
  fi
  printf -v "$best_var" '%s' "$(fastest "${!best_var}" "$this")"
}

# The raw pipe: what any copy must at least do, with nothing checked or rewritten. Pre-data through
# psql, every table's `COPY TO STDOUT | COPY FROM STDIN` two at a time, largest first, then post-data
# (indexes, constraints) by `pg_restore -j2`, all from the standby like the sync.
raw_pipe() {
  local target=$1
  "$PG_BIN/pg_dump" --section=pre-data --no-owner -d "$SOURCE" | "${PSQL[@]}" -p "$PRIMARY_PORT" -d "$target" >/dev/null
  "${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "
    SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
     ORDER BY pg_relation_size(c.oid) DESC" >"$WORK/raw-tables"
  export PSQL_LINE="${PSQL[*]}" PRIMARY_PORT STANDBY_PORT target
  # shellcheck disable=SC2016
  xargs -P 2 -I{} bash -c '$PSQL_LINE -p $STANDBY_PORT -d production -c "COPY {} TO STDOUT" |
                            $PSQL_LINE -p $PRIMARY_PORT -d $target -c "COPY {} FROM STDIN"' <"$WORK/raw-tables"
  "$PG_BIN/pg_dump" --section=post-data -Fc --no-owner -f "$WORK/post-data.dump" -d "$SOURCE"
  "$PG_BIN/pg_restore" -j2 --no-owner -d "$(primary_url "$target")" "$WORK/post-data.dump"
  rm -f "$WORK/post-data.dump"
}

# Generates the SHAPE database at SCALE as `production`, runs every tool RUNS times, prints the results.
bench_shape() {
  local shape=$1 scale=$2
  drop production
  "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE production"
  echo "generating $shape at scale $scale ..." >&2
  "${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v scale="$scale" -f "$HERE/generate_saas.sql" >/dev/null
  if [ "$shape" = fat ]; then
    "${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v share="$FAT_SHARE" -f "$HERE/generate_fat_table.sql" >/dev/null
  fi
  if [ -z "${STANDBY_STARTED:-}" ]; then start_standby; STANDBY_STARTED=1; fi
  wait_for_standby
  local size rows largest
  size=$("${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "SELECT pg_size_pretty(pg_database_size('production'))")
  rows=$("${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "SELECT sum(reltuples)::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
  largest=$("${PSQL[@]}" -p "$STANDBY_PORT" -d production -Atc "SELECT c.relname || ' ' || pg_size_pretty(pg_total_relation_size(c.oid)) || ' (' || round(100.0 * pg_total_relation_size(c.oid) / pg_database_size('production')) || ' %)' FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 1")

  RAW=""; DUMP_RESTORE=""; PGCOPYDB=""; SYNC_split=""; SYNC_whole=""; PEAK_RSS_KB=""
  for RUN in $(seq 1 "$RUNS"); do
    # 1. The raw pipe.
    drop rawpiped; "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE rawpiped"
    START=$(date +%s.%N)
    raw_pipe rawpiped
    RAW=$(fastest "$RAW" "$(seconds "$START")")
    drop rawpiped

    # 2. pg_dump -Fd -j2 | pg_restore -j2 (the dump needs the standby's snapshot: pg_dump exports it).
    drop restored; "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE restored"
    START=$(date +%s.%N)
    "$PG_BIN/pg_dump" -Fd -j2 -f "$WORK/dumpdir" -d "$SOURCE"
    "$PG_BIN/pg_restore" -j2 --no-owner -d "$(primary_url restored)" "$WORK/dumpdir"
    DUMP_RESTORE=$(fastest "$DUMP_RESTORE" "$(seconds "$START")")
    rm -rf "$WORK/dumpdir"; drop restored

    # 3. pgcopydb clone (Debian package). It cannot read a hot standby (it exports its snapshot in a
    # SERIALIZABLE transaction, which a standby refuses), so it reads the primary: the same data.
    if command -v pgcopydb >/dev/null; then
      drop cloned; rm -rf "$WORK/pgcopydb"
      "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -qc "CREATE DATABASE cloned"
      START=$(date +%s.%N)
      if pgcopydb clone --source "$(primary_url production)" --target "$(primary_url cloned)" --dir "$WORK/pgcopydb" \
           --table-jobs 2 --index-jobs 2 --split-tables-larger-than "$SPLIT" --no-owner >"$WORK/pgcopydb.log" 2>&1; then
        PGCOPYDB=$(fastest "$PGCOPYDB" "$(seconds "$START")")
      else
        echo "pgcopydb clone failed (see below); left out" >&2; tail -5 "$WORK/pgcopydb.log" >&2
      fi
      drop cloned
    fi

    # 4. understudy sync (its configs are written once, above), split and whole.
    run_sync split
    run_sync whole
  done

  echo
  echo "== $shape (scale $scale): $size, about $rows rows, read from the hot standby; largest table: $largest"
  printf 'raw pipe (pre-data, COPY | COPY 2 at a time, post-data -j2): %7.2f s\n' "$RAW"
  printf 'pg_dump -Fd -j2 | pg_restore -j2: %7.2f s\n' "$DUMP_RESTORE"
  [ -n "$PGCOPYDB" ] && printf 'pgcopydb clone (2 jobs, split above %s, from the primary): %7.2f s\n' "$SPLIT" "$PGCOPYDB"
  printf 'understudy sync, tables above %s split (anonymized, verified, promoted): %7.2f s\n' "$SPLIT" "$SYNC_split"
  printf 'understudy sync, no table split: %7.2f s\n' "$SYNC_whole"
  [ "$RUNS" -gt 1 ] && echo "(each the fastest of $RUNS runs)"
  for VARIANT in split whole; do
    echo "  $VARIANT phases (s): $(tr -d '\n ' < "$WORK/sync-$VARIANT.json" | grep -o '"phases":{[^}]*}')"
  done
  [ -n "${PEAK_RSS_KB:-}" ] && echo "peak RSS of any understudy sync: $((PEAK_RSS_KB / 1024)) MB   goal: <= 256"
  echo "ratio sync split / raw pipe:      $(ratio "$SYNC_split" "$RAW")   goal: <= 1.1"
  echo "ratio sync split / no split:      $(ratio "$SYNC_split" "$SYNC_whole")"
  echo "ratio sync split / pg_dump+pg_restore: $(ratio "$SYNC_split" "$DUMP_RESTORE")   goal: < 1"
  if [ -n "$PGCOPYDB" ]; then
    echo "ratio sync split / pgcopydb:      $(ratio "$SYNC_split" "$PGCOPYDB")   goal: <= 0.9"
    echo "ratio sync no split / pgcopydb:   $(ratio "$SYNC_whole" "$PGCOPYDB")"
  fi
}

for index in "${!SHAPES[@]}"; do
  bench_shape "${SHAPES[$index]}" "${SCALES[$index]}"
done
exit 0
