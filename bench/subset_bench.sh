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
start_standby
"$BUILD/bench/subset_bench" "$(standby_url production)" "$(primary_url postgres)" "$FRACTION"
