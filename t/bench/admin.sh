#!/bin/sh
# make bench (called by bench.sh, or alone: t/bench/admin.sh BUILD): the
# admin lists' search in a large store.  A stack of its own is filled by
# admin_fill.sql to 10,000 courses and 100,000 users; an admin's session
# is made as session_create() makes one (only the token's hash stored);
# wrk then asks /admin/users and /admin/courses with a search term, and
# the report gives p99 against the target (under 10 ms).  Nothing passes
# or fails: figures for a person to read.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
dur=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
run=$(mktemp -d /tmp/enroll-bench-admin-XXXXXX)
export ENROLL_WORKERS=${ENROLL_WORKERS:-2} ENROLL_NO_RATE_LIMITS=1

cleanup() {
	"$top/t/stack.sh" stop "$run" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

"$top/t/stack.sh" start "$build" "$run" >/dev/null
. "$run/stack.env"
echo "admin search: filling the store to 10,000 courses and 100,000 users ..."
sqlite3 -cmd ".timeout 10000" "$ENROLL_DB" < "$top/t/bench/admin_fill.sql"
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
now=$(date +%s)
sqlite3 "$ENROLL_DB" ".timeout 5000" "
INSERT INTO users (email, name, password_hash, role) VALUES ('bench-admin@example.org', 'Bench Admin', '\$argon2id\$v=19\$bench', 'admin');
INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)
  SELECT '$(printf %s "$token" | sha256sum | cut -d' ' -f1)', id, $now, $now, $now + 86400
  FROM users WHERE email = 'bench-admin@example.org'"
cookie="enroll_session=$token"
echo "  $(sqlite3 "$ENROLL_DB" 'SELECT count(*) FROM courses') courses, $(sqlite3 "$ENROLL_DB" 'SELECT count(*) FROM users') users"

# admin_line NAME PATH CONNS: one row of the report, as the admin.
admin_line() {
	threads=2; [ "$3" -lt 2 ] && threads=1
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE_URL$2")
	out=$(wrk -t"$threads" -c"$3" -d"${dur}s" --latency -H "Cookie: $cookie" "$BASE_URL$2" 2>&1)
	rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	printf '%-44s %4s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$code" "$rps" "$p50" "$p99" "$errs"
}

echo "admin lists with 100,000 users and 10,000 courses (target: p99 under 10 ms):"
admin_line "/admin/users (no search)" "/admin/users" "$conns"
admin_line "/admin/users?q=grace (5,000 names)" "/admin/users?q=grace" "$conns"
admin_line "/admin/users?q=hopper (no name begins so)" "/admin/users?q=hopper" "$conns"
admin_line "/admin/users?q=ada.lovelace12 (2 addresses)" "/admin/users?q=ada.lovelace12" "$conns"
admin_line "/admin/users?q=grace&sort=name" "/admin/users?q=grace&sort=name" "$conns"
admin_line "/admin/users?q=zzz (none)" "/admin/users?q=zzz" "$conns"
admin_line "  same, 1 connection (q=grace)" "/admin/users?q=grace" 1
# Built by the courses area of the admin; a 404 here means it is not in
# this build yet.
admin_line "/admin/courses?q=gamma" "/admin/courses?q=gamma" "$conns"
admin_line "/admin/courses?q=admin-bench-4321" "/admin/courses?q=admin-bench-4321" "$conns"
# 32 connections on two workers measure the queue as much as the page; a
# school has a few admins at once: 4 connections, and 1.
admin_line "  same, 4 connections (users q=grace)" "/admin/users?q=grace" 4
admin_line "  same, 4 connections (courses q=gamma)" "/admin/courses?q=gamma" 4
admin_line "  same, 1 connection (courses q=gamma)" "/admin/courses?q=gamma" 1
