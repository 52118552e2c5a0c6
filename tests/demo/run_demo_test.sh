#!/usr/bin/env bash
# End to end: runs the demo (demo/run_demo.sh, as `./dev demo` does) on its throwaway servers, then
# checks from outside what it claims: review_app's user 1 is anonymized, the sync promoted a full
# copy and kept the old staging database, the client of staging never failed, and the plain-psql
# restore of the dump holds the same anonymized subset. Usage: run_demo_test.sh path/to/understudy
set -euo pipefail
# shellcheck source=../../demo/run_demo.sh
source "$(cd "$(dirname "$0")" && pwd)/../../demo/run_demo.sh"
run_demo "${1:?usage: run_demo_test.sh path/to/understudy}"

failures=0
expect() {  # expect DESCRIPTION ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAILED: $1: got \"$2\", expected \"$3\""; failures=$((failures + 1)); fi
}
value() { "${PSQL[@]}" -p "$1" -d "$2" -Atc "$3"; }

source_email=$(value "$STANDBY_PORT" production "SELECT email FROM public.users WHERE id = 1")
review_email=$(value "$PRIMARY_PORT" review_app "SELECT email FROM public.users WHERE id = 1")
expect "review_app holds user 1" "$([ -n "$review_email" ] && echo yes)" yes
expect "review_app's user 1 has another email than the source's" "$([ "$review_email" != "$source_email" ] && echo yes)" yes
# No email of the review app is one of production's (the whole column, not only user 1).
value "$STANDBY_PORT" production "SELECT email FROM public.users ORDER BY 1" >"$WORK/source_emails"
value "$PRIMARY_PORT" review_app "SELECT email FROM public.users ORDER BY 1" >"$WORK/review_emails"
expect "review_app emails found in production" "$(comm -12 "$WORK/source_emails" "$WORK/review_emails" | wc -l)" 0

source_users=$(value "$STANDBY_PORT" production "SELECT count(*) FROM public.users")
review_users=$(value "$PRIMARY_PORT" review_app "SELECT count(*) FROM public.users")
expect "staging (promoted) holds every user" "$(value "$PRIMARY_PORT" staging "SELECT count(*) FROM public.users")" "$source_users"
expect "staging is anonymized with the same pseudonyms" \
  "$(value "$PRIMARY_PORT" staging "SELECT email FROM public.users WHERE id = 1")" "$review_email"
expect "the old staging database is kept" \
  "$(value "$PRIMARY_PORT" postgres "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'staging%'")" \
  "staging,staging_understudy_prev_1"
expect "the kept copy is yesterday's staging" \
  "$(value "$PRIMARY_PORT" staging_understudy_prev_1 "SELECT count(*) FROM public.users")" "$review_users"

expect "client queries that failed" "$(grep -c '^failed' "$WORK/client.log" || true)" 0
expect "counts the client saw, in order" "$(summarize_client | sed 's/.*in order: //')" "$review_users $source_users"

expect "the laptop restore holds the same subset" "$(value "$PRIMARY_PORT" laptop "SELECT count(*) FROM public.users")" "$review_users"
expect "the laptop's user 1 is the review app's" "$(value "$PRIMARY_PORT" laptop "SELECT email FROM public.users WHERE id = 1")" "$review_email"

[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "every check passed"
