#!/usr/bin/env bash
# Does a subset's cost follow the rows it copies, or the size of production? Generates the SaaS
# database at two scales (10x apart by default) on a throwaway primary, reads both from a hot
# standby, and prints for `subset --logarithmic F` at each scale: the time, the selection's share,
# the rows copied and the rows the standby read for it (pg_stat_user_tables: seq_tup_read +
# idx_tup_fetch, before and after), then the time ratio between the scales. Issue 9's goals: a
# ratio of at most 1.3 and at most 50 rows read per row copied. Last, `subset --fraction 0.05` of
# the larger one against a raw COPY pipe of the same rows (bench/subset_bench, goal at most 2x).
# usage: bench/subset_scaling_bench.sh [SMALL (10)] [LARGE (100)] [LOGARITHMIC (0.2)] [FRACTION (0.05)]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${UNDERSTUDY_BUILD_DIR:-$HERE/../build}
SMALL=${1:-10}
LARGE=${2:-100}
LOGARITHMIC=${3:-0.2}
FRACTION=${4:-0.05}
source "$HERE/../scripts/throwaway_servers.sh"

start_primary
for scale in "$SMALL" "$LARGE"; do
  "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE saas_$scale"
  echo "generating scale $scale ..." >&2
  "${PSQL[@]}" -p "$PRIMARY_PORT" -d "saas_$scale" -v scale="$scale" -f "$HERE/generate_saas.sql" >/dev/null
done
start_standby

# Rows the standby has read from the user tables of DB so far (its own statistics, not the primary's).
rows_read() {
  "${PSQL[@]}" -p "$STANDBY_PORT" -d "$1" -Atc \
    "SELECT coalesce(sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)), 0) FROM pg_stat_user_tables"
}
# awk, not bc: every Debian has it.
calc() { awk "BEGIN { print $1 }"; }
# A number from the report: the first "KEY": N after the "SECTION" key, whitespace ignored.
report_number() {
  tr -d ' \n' < "$1" | grep -o "\"$2\":{[^}]*}" | grep -o "\"$3\":[0-9.e+-]*" | head -n1 | cut -d: -f2
}

printf '%-7s %12s %10s %9s %11s %14s %15s\n' scale "source rows" copied seconds "selection s" "rows read" "read per copied"
declare -A seconds_at
for scale in "$SMALL" "$LARGE"; do
  db="saas_$scale"
  target="review_$scale"
  "${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE $target"
  source_rows=$("${PSQL[@]}" -p "$PRIMARY_PORT" -d "$db" -Atc "SELECT sum(n_live_tup)::bigint FROM pg_stat_user_tables")
  sleep 1  # the statistics of earlier sessions reach the shared counters within a second
  before=$(rows_read "$db")
  start=$(date +%s.%N)
  "$BUILD/understudy" subset --source "$(standby_url "$db")" --target "$(primary_url "$target")" \
    --logarithmic "$LOGARITHMIC" --force users:1 --report "$WORK/report_$scale.json" >/dev/null
  end=$(date +%s.%N)
  sleep 1
  after=$(rows_read "$db")
  copied=$(report_number "$WORK/report_$scale.json" totals rows)
  selection=$(report_number "$WORK/report_$scale.json" phases selection)
  elapsed=$(calc "$end - $start")
  seconds_at[$scale]=$elapsed
  read_rows=$((after - before))
  printf '%-7s %12s %10s %9.2f %11.2f %14s %15.0f\n' "$scale" "$source_rows" "$copied" "$elapsed" "$selection" \
    "$read_rows" "$(calc "$read_rows / $copied")"
done
printf 'time ratio, scale %s to scale %s: %.2f (goal: at most 1.3)\n' "$LARGE" "$SMALL" \
  "$(calc "${seconds_at[$LARGE]} / ${seconds_at[$SMALL]}")"
echo
echo "subset --fraction $FRACTION of scale $LARGE against a raw COPY pipe of the same rows:"
"$BUILD/bench/subset_bench" "$(standby_url "saas_$LARGE")" "$(primary_url postgres)" "$FRACTION"
