#!/usr/bin/env bash
# The built-in demo: a throwaway production-like primary, a hot-standby follower of it, and a
# review-app database filled by `understudy subset` from the follower. Everything is removed at exit.
set -euo pipefail
UNDERSTUDY=$(realpath "${1:?usage: run_demo.sh path/to/understudy}")
HERE=$(cd "$(dirname "$0")" && pwd)
SCALE=${DEMO_SCALE:-1}
source "$HERE/../scripts/throwaway_servers.sh"

echo "== starting a throwaway primary and a hot standby in $WORK" >&2
start_primary
echo "== loading the production-like demo database (scale $SCALE)" >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d postgres -c "CREATE DATABASE production" -c "CREATE DATABASE review_app"
"${PSQL[@]}" -p "$PRIMARY_PORT" -d production -v scale="$SCALE" -f "$HERE/../bench/generate_saas.sql" >/dev/null
start_standby

# The demo app's Rails models (demo/app/models) declare the associations the schema does not, as
# `belongs_to :author, class_name: "User"` does: a review app's postdeploy runs in the app's directory.
echo "== understudy plan (what the review app will get; read from the follower)" >&2
"$UNDERSTUDY" plan --source "$(standby_url production)" --logarithmic 0.5 --force users:1 --rails-app "$HERE"

echo "== understudy subset: follower -> review_app" >&2
"$UNDERSTUDY" subset --source "$(standby_url production)" --target "$(primary_url review_app)" \
  --logarithmic 0.5 --force users:1 --rails-app "$HERE" --report "$WORK/report.json"

echo "== the review app works: user 1 is there with its account, and new rows get fresh ids" >&2
"${PSQL[@]}" -p "$PRIMARY_PORT" -d review_app -P pager=off \
  -c "SELECT u.id, u.email, a.name AS account FROM users u JOIN accounts a ON a.id = u.account_id WHERE u.id = 1" \
  -c "INSERT INTO tags (name) VALUES ('added in the review app') RETURNING id"
echo "== report.json (first lines)" >&2
head -n 40 "$WORK/report.json"
