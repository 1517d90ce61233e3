#!/bin/sh
# make bench (called by bench.sh, or alone: t/bench/seats.sh BUILD): a
# team's seats (issue 18) at the size of a large customer.  A stack of
# its own is filled by seats_fill.sql to a team of 5,000 members holding
# 5,000 seats of a course; the owner's session is made as
# session_create() makes one (only the token's hash stored).  wrk asks
# the seats page; then lists of 1,000 new addresses are confirmed (each
# one transaction giving 1,000 seats by invitation), one at a time with
# the team reset between runs, and once more with wrk and no reset
# (t/bench/seats_bulk.lua).  Targets: p99 under 200 ms for the page and
# for a confirmation.  Nothing passes or fails: figures to read.
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
runs=${BENCH_SEAT_RUNS:-100}
echo "a list of 1,000 new addresses confirmed, one transaction (target: p99 under 200 ms):"
# $runs confirmations one after another, the team put back as it was
# between them (its seats of the course free again, the invitations and
# their mails gone), so each meets the same store: curl's total time.
times="$run/bulk-times"
: > "$times"
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	awk -v r="$i" -v csrf="$csrf" -v course="$course" 'BEGIN {
		printf "csrf_token=%s&course=%s&addresses=", csrf, course
		for (k = 1; k <= 1000; k++)
			printf "%srun%d.person%d%%40example.org", (k > 1 ? "%2C" : ""), r, k
	}' > "$run/body"
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -b "$cookie" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary @"$run/body" "$page/bulk/confirm" >> "$times"
	sqlite3 -cmd ".timeout 10000" "$ENROLL_DB" "BEGIN;
DELETE FROM outbox WHERE dedupe_key LIKE 'seat-invite-%';
DELETE FROM seat_assignments WHERE team_id = $team AND course_id = $course;
UPDATE team_seats SET held = 0 WHERE team_id = $team AND course_id = $course;
COMMIT;"
done
awk '$1 != 303 { bad++ } { print $2 * 1000 } END { if (bad) print "  " bad " answers were not 303" > "/dev/stderr" }' "$times" | sort -n > "$run/ms"
n=$(wc -l < "$run/ms")
p50=$(awk -v n="$n" 'NR == int((n + 1) / 2) { printf "%.1fms", $1 }' "$run/ms")
p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.999) { printf "%.1fms", $1 }' "$run/ms")
max=$(tail -1 "$run/ms" | awk '{ printf "%.1fms", $1 }')
printf '%-44s %6s lists   p50 %-9s p99 %-9s max %s\n' "POST .../seats/bulk/confirm, 1 at a time" "$n" "$p50" "$p99" "$max"
# The same without the reset, as fast as it goes: the tables grow by
# 1,000 invitations (random token hashes, each on its own index page) a
# request, far beyond a school's pending invitations.
out=$(BENCH_COOKIE="$cookie" BENCH_CSRF="$csrf" BENCH_COURSE="$course" BENCH_STAMP=w \
    wrk -t1 -c1 -d"${dur}s" --latency -s "$top/t/bench/seats_bulk.lua" \
    "$page/bulk/confirm" 2>&1)
n=$(printf '%s\n' "$out" | awk '/requests in/ {print $1}')
p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
printf '%-44s %6s lists   p50 %-9s p99 %-9s %s\n' "  same, no reset (wrk, the tables growing)" "$n" "$p50" "$p99" "$errs"
# wrk stops with requests in flight: let them finish, then read both
# counts in one snapshot.
sleep 3
sqlite3 "$ENROLL_DB" "SELECT '  ' || (SELECT count(*) FROM seat_assignments WHERE course_id = $course AND status = 'invited') || ' invitations made, ' || (SELECT held FROM team_seats WHERE team_id = $team AND course_id = $course) || ' seats held (equal: every list gave its 1,000 seats, nothing else)'"
