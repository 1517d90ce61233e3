#!/bin/sh
# make bench (called by bench.sh, or alone: t/bench/seats.sh BUILD): a
# team's seats (issue 18) at the size of a large customer.  A stack of
# its own is filled by seats_fill.sql to a team of 5,000 members holding
# 5,000 seats of a course; the owner's session is made as
# session_create() makes one (only the token's hash stored).  wrk then
# asks the seats page, and confirms lists of 1,000 new addresses (each
# request one transaction giving 1,000 seats by invitation, fresh
# addresses every time: t/bench/seats_bulk.lua).  Targets: p99 under
# 200 ms for both.  Nothing passes or fails: figures for a person to read.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/t/bench/lib.sh"
run=$(mktemp -d /tmp/enroll-bench-seats-XXXXXX)
# No mail worker: the invitations pile up in the outbox, unsent, so the
# bench measures the store and not the delivery of 100,000 mails.
export ENROLL_WORKERS=${ENROLL_WORKERS:-2} ENROLL_NO_RATE_LIMITS=1 ENROLL_MAIL_WORKER=0

cleanup() {
	"$top/t/stack.sh" stop "$run" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

"$top/t/stack.sh" start "$build" "$run" >/dev/null
. "$run/stack.env"
echo "team seats: a team of 5,000 members holding 5,000 seats of a course ..."
sqlite3 -cmd ".timeout 10000" "$ENROLL_DB" < "$top/t/bench/seats_fill.sql"
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
now=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$ENROLL_DB" "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)
  SELECT '$(printf %s "$token" | sha256sum | cut -d' ' -f1)', id, $now, $now, $now + 86400 FROM users WHERE email = 'bench-owner@example.org'"
cookie="enroll_session=$token"
team=$(sqlite3 "$ENROLL_DB" "SELECT id FROM teams WHERE name = 'Bench Team'")
course=$(sqlite3 "$ENROLL_DB" "SELECT id FROM courses WHERE slug = 'sql-for-analysts'")
page="$BASE_URL/account/teams/$team/seats"
echo "  $(sqlite3 "$ENROLL_DB" "SELECT count(*) FROM team_members WHERE team_id = $team") members, $(sqlite3 "$ENROLL_DB" "SELECT count(*) FROM seat_assignments WHERE team_id = $team AND status = 'active'") seats held"

echo "seats page of the team (target: p99 under 200 ms):"
bench_admin_line "/account/teams/<id>/seats" "$page" "$conns" "$cookie"
bench_admin_line "  same, 4 connections" "$page" 4 "$cookie"
bench_admin_line "  same, 1 connection" "$page" 1 "$cookie"
bench_admin_line "  next page of holders" "$page?course=$(sqlite3 "$ENROLL_DB" "SELECT id FROM courses WHERE slug = 'c-programming-fundamentals'")&after=2500" 1 "$cookie"

csrf=$(curl -s -b "$cookie" "$page" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
echo "a list of 1,000 new addresses confirmed, one transaction (target: p99 under 200 ms):"
for c in 1 2; do
	out=$(BENCH_COOKIE="$cookie" BENCH_CSRF="$csrf" BENCH_COURSE="$course" BENCH_STAMP="c$c" \
	    wrk -t1 -c"$c" -d"${dur}s" --latency -s "$top/t/bench/seats_bulk.lua" \
	    "$page/bulk/confirm" 2>&1)
	n=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	printf '%-44s %6s lists   p50 %-9s p99 %-9s %s\n' "POST .../seats/bulk/confirm, $c connection(s)" "$n" "$p50" "$p99" "$errs"
done
given=$(sqlite3 "$ENROLL_DB" "SELECT count(*) FROM seat_assignments WHERE course_id = $course AND status = 'invited'")
held=$(sqlite3 "$ENROLL_DB" "SELECT held FROM team_seats WHERE team_id = $team AND course_id = $course")
echo "  $given invitations made, held $held (the two agree: every request gave its 1,000 seats)"
