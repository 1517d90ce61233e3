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
. "$top/t/bench/lib.sh"
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
cookie=$(bench_admin_cookie "$ENROLL_DB")
echo "  $(sqlite3 "$ENROLL_DB" 'SELECT count(*) FROM courses') courses, $(sqlite3 "$ENROLL_DB" 'SELECT count(*) FROM users') users"

# admin_line NAME PATH CONNS: one row of the report, as the admin.
admin_line() {
	bench_admin_line "$1" "$BASE_URL$2" "$3" "$cookie"
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
