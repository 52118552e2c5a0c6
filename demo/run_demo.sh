#!/usr/bin/env bash
# The built-in demo (`./dev demo`): the three uses of understudy on a bundled production-like
# database, read from a hot-standby follower of it, with the reviewed rules of demo/understudy.yml.
#   1. plan, then an anonymized subset into a review app's database (user 1 before and after);
#   2. a nightly sync of staging: built beside it, verified, swapped in while a client queries it;
#   3. a dump file for laptops, restored with plain psql.
# Everything runs on a throwaway primary and standby in a temp dir, removed at exit.
# tests/demo/run_demo_test.sh sources this file and calls run_demo, then checks the databases.
set -euo pipefail
DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO_CONFIG=$DEMO_DIR/understudy.yml
# shellcheck source=../scripts/throwaway_servers.sh
source "$DEMO_DIR/../scripts/throwaway_servers.sh"

say() { printf '\n== %s\n' "$*"; }
on_primary() { local database=$1; shift; "${PSQL[@]}" -p "$PRIMARY_PORT" -d "$database" "$@"; }
on_follower() { local database=$1; shift; "${PSQL[@]}" -p "$STANDBY_PORT" -d "$database" "$@"; }
# One line per user: id, email, name, phone; for showing a user before and after anonymization.
USER_LINE="SELECT format('%s | %s | %s %s | %s', id, email, first_name, last_name, coalesce(phone, '(no phone)'))
           FROM public.users WHERE id = 1"

# The client of the staging database: one short session per query, as a web request would use,
# retried at once when the promotion ends it (as a connection pool reconnects). Writes one line per
# query to $WORK/client.log: "answered COUNT RETRIES" or "failed".
query_staging() {
  while [ -d "$WORK" ] && [ ! -e "$WORK/client.stop" ]; do  # $WORK goes when the demo stops
    local retries=0 count
    until count=$(on_primary staging -Atc 'SELECT count(*) FROM public.users' 2>>"$WORK/client.err"); do
      retries=$((retries + 1))
      if [ "$retries" -ge 30 ]; then count=""; break; fi
      sleep 0.1
    done
    if [ -n "$count" ]; then echo "answered $count $retries"; else echo "failed"; fi >>"$WORK/client.log"
    sleep 0.05
  done
}

# Waits until the client's log has more than $1 lines (it answered again), at most 20 s.
wait_for_client_beyond() {
  for _ in $(seq 200); do
    [ "$(wc -l <"$WORK/client.log")" -gt "$1" ] && return 0
    sleep 0.1
  done
  echo "the staging client stopped answering" >&2
  return 1
}

# "45 queries, 0 failed, 0 retried; users seen, in order: 1614 2000"
summarize_client() {
  awk '{ queries++ }
       $1 == "failed" { failed++ }
       $1 == "answered" { retried += $3; if ($2 != last) { seen = seen " " $2; last = $2 } }
       END { printf "%d queries, %d failed, %d retried; users seen, in order:%s\n", queries, failed, retried, seen }' \
      "$WORK/client.log"
}

run_demo() {
  local understudy
  understudy=$(realpath "${1:?usage: run_demo.sh path/to/understudy}")
  local scale=${DEMO_SCALE:-1}
  # The pseudonyms are keyed by this secret; a real setup keeps one per environment, like a password.
  export UNDERSTUDY_SECRET=${UNDERSTUDY_SECRET:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
  local follower review_app staging
  follower=$(standby_url production)
  review_app=$(primary_url review_app)
  staging=$(primary_url staging)
  # The demo app's Rails models (demo/app/models) declare the associations the schema does not, as
  # `belongs_to :author, class_name: "User"` does: a review app's postdeploy runs in the app's directory.
  local sizing=(--logarithmic 0.5 --force users:1 --rails-app "$DEMO_DIR")

  say "a throwaway production primary and a hot-standby follower of it (in $WORK); loading the demo database"
  start_primary
  on_primary postgres -c "CREATE DATABASE production" -c "CREATE DATABASE review_app"
  on_primary production -v scale="$scale" -f "$DEMO_DIR/../bench/generate_saas.sql" >/dev/null
  start_standby
  echo "production: $(on_follower production -Atc "SELECT format('%s accounts, %s users, %s tasks, %s comments',
      (SELECT count(*) FROM public.accounts), (SELECT count(*) FROM public.users), (SELECT count(*) FROM public.tasks),
      (SELECT count(*) FROM public.comments))"); every command below reads the follower only"

  say "1. review app: understudy plan (what the subset will hold, read-only)"
  "$understudy" plan --source "$follower" --config "$DEMO_CONFIG" "${sizing[@]}" >"$WORK/plan.txt"
  awk 'NF == 0 { exit } { print }' "$WORK/plan.txt"
  echo "(the full plan adds the references it follows, how it reads each table, and the rules)"
  say "   understudy check: every column of the copy has a rule or is kept (demo/understudy.yml)"
  "$understudy" check --source "$follower" --config "$DEMO_CONFIG" --rails-app "$DEMO_DIR"

  say "   understudy subset: follower -> review_app, anonymized on the way"
  "$understudy" subset --source "$follower" --target "$review_app" --config "$DEMO_CONFIG" "${sizing[@]}"
  echo "user 1 on the follower:           $(on_follower production -Atc "$USER_LINE")"
  echo "user 1 in review_app, anonymized: $(on_primary review_app -Atc "$USER_LINE")"

  say "2. nightly staging: understudy sync builds a new copy, verifies it, swaps it in while a client queries"
  # Yesterday's staging database: here a copy of the review app, so that the swap shows.
  on_primary postgres -c "CREATE DATABASE staging TEMPLATE review_app"
  : >"$WORK/client.log"
  query_staging &
  local client=$!
  wait_for_client_beyond 0
  "$understudy" sync --source "$follower" --target "$staging" --config "$DEMO_CONFIG"
  wait_for_client_beyond "$(wc -l <"$WORK/client.log")"
  touch "$WORK/client.stop"
  wait "$client"
  echo "client of staging during the sync: $(summarize_client)"
  # What a retried query was told: the promotion ended its session, or the name moved under it.
  [ ! -s "$WORK/client.err" ] || awk '!seen[$0]++ { print "  retried after: " $0 }' "$WORK/client.err"
  on_primary postgres -At -c "SELECT 'databases: ' || string_agg(datname, ', ' ORDER BY datname) FROM pg_database
                              WHERE datname LIKE 'staging%'"

  say "3. laptops: understudy dump writes an anonymized subset as SQL; plain psql restores it"
  "$understudy" dump --source "$follower" --config "$DEMO_CONFIG" "${sizing[@]}" --out "$WORK/seed.sql.gz"
  on_primary postgres -c "CREATE DATABASE laptop"
  # The command docs/README give: one transaction, stop at the first error (the setval rows are noise here).
  gunzip -c "$WORK/seed.sql.gz" | on_primary laptop -1 -v ON_ERROR_STOP=1 >/dev/null
  echo "gunzip -c seed.sql.gz | psql -1 -v ON_ERROR_STOP=1 laptop: $(on_primary laptop -Atc 'SELECT count(*) FROM public.users') users"
  echo "user 1 on the laptop:             $(on_primary laptop -Atc "$USER_LINE")"

  say "done: the servers and every database above are removed now; README.md has the three uses to copy"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then run_demo "$@"; fi
