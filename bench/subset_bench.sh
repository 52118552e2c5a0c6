#!/usr/bin/env bash
# Subset benchmark: generates a SaaS-like database at SCALE on a throwaway primary, reads it from a
# hot standby, and prints understudy's subset time against a raw COPY pipe of the same rows (and
# the peak RSS). usage: bench/subset_bench.sh [SCALE (default 20, ~2 M rows)] [FRACTION (0.05)]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${UNDERSTUDY_BUILD_DIR:-$HERE/../build}
SCALE=${1:-20}
FRACTION=${2:-0.05}
source "$HERE/../scripts/throwaway_servers.sh"

start_primary
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE production"
echo "generating scale $SCALE ..." >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v scale="$SCALE" -f "$HERE/generate_saas.sql" >/dev/null
# A users-like table of 1 M rows (3 PII columns of 8), in a database of its own, for the anonymized
# full-table run.
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE people"
"${PSQL[@]}" -p "$PRIMARY_PORT" -d people -c "
  CREATE TABLE people AS
  SELECT g AS id, 'person' || g || '@mail.example' AS email, 'First' || g AS first_name,
         '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0') AS phone, g % 97 AS score,
         timestamptz '2020-01-01' + g * interval '1 minute' AS created_at, (g % 3 = 0) AS active,
         md5(g::text) AS token_digest
    FROM generate_series(1, 1000000) g;
  ALTER TABLE people ADD PRIMARY KEY (id);" -c "VACUUM ANALYZE people"
start_standby
"$BUILD/bench/subset_bench" "$(standby_url production)" "$(primary_url postgres)" "$FRACTION"
echo
echo "anonymized full-table copy against the same copy without rules:"
"$BUILD/bench/anonymized_subset_bench" "$(standby_url people)" "$(primary_url postgres)" "$HERE/people_rules.yml" public.people
echo
echo "anonymizer in-process throughput:"
"$BUILD/bench/anonymizer_bench"
