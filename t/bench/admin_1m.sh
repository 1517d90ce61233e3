#!/bin/sh
# The admin's pages over 1,000,000 orders (issue 17: p99 under 50 ms):
# /admin/reports for 90 days (read from the daily summary, sql/015) and
# /admin/orders filtered by status and searched by a buyer's address.
# Called by bench.sh against its running stack, or alone:
#   t/bench/admin_1m.sh BUILD          starts a stack of its own
#   t/bench/admin_1m.sh BUILD RUNDIR   uses the stack running in RUNDIR
# It prints wrk's figures with 32 connections and with one (the service
# time without queueing), and checks that the summary equals a
# recomputation from the orders.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/t/bench/lib.sh"
own=""
if [ $# -ge 2 ]; then
	run=$2
else
	run=$(mktemp -d /tmp/enroll-bench1m-XXXXXX)
	own=1
	export ENROLL_WORKERS=${ENROLL_WORKERS:-2} ENROLL_NO_RATE_LIMITS=1
	trap '"$top/t/stack.sh" stop "$run" 2>/dev/null || true; rm -rf "$run"' EXIT INT TERM
	"$top/t/stack.sh" start "$build" "$run"
fi
. "$run/stack.env"
db=$ENROLL_DB

echo "loading 1,000,000 orders ..."
t0=$(date +%s)
sqlite3 -cmd ".timeout 10000" -cmd ".parameter set @now $(date +%s)" "$db" < "$top/t/bench/orders_1m.sql"
t1=$(date +%s)
ENROLL_DB="$db" "$build/bin/enrollctl" report-rebuild
t2=$(date +%s)
echo "generated in $((t1 - t0)) s, reports summed in $((t2 - t1)) s"

# The summary equals the orders it sums (money, per currency).
sqlite3 "$db" "SELECT CASE WHEN (SELECT group_concat(x) FROM (SELECT currency || ':' || sum(total_amount) || ':' || sum(refunded_amount) AS x
    FROM orders WHERE paid_at IS NOT NULL GROUP BY currency ORDER BY currency)) =
  (SELECT group_concat(x) FROM (SELECT currency || ':' || sum(gross) || ':' || sum(refunded) AS x
    FROM report_days GROUP BY currency ORDER BY currency))
  AND (SELECT sum(refunded) FROM report_course_days) = (SELECT sum(refunded_amount) FROM orders WHERE paid_at IS NOT NULL)
  THEN 'summary equals the orders' ELSE 'SUMMARY DIFFERS FROM THE ORDERS' END"

cookie=$(bench_admin_cookie "$db")

# admin_line NAME URL CONNECTIONS: one row of the report, as the admin.
admin_line() {
	bench_admin_line "$1" "$2" "$3" "$cookie"
}
echo "admin pages over 1,000,000 orders (target: p99 under 50 ms), wrk -c$conns and -c1:"
admin_line "/admin/reports?days=90" "$BASE_URL/admin/reports?days=90" "$conns"
admin_line "  same, 1 connection" "$BASE_URL/admin/reports?days=90" 1
admin_line "/admin/reports.csv by_day 90 days" "$BASE_URL/admin/reports.csv?table=by_day&days=90" "$conns"
admin_line "/admin/orders?status=paid&q=<email>" "$BASE_URL/admin/orders?status=paid&q=buyer4242%40example.org" "$conns"
admin_line "  same, 1 connection" "$BASE_URL/admin/orders?status=paid&q=buyer4242%40example.org" 1
# Filtered without a search: a quarter's refunded orders, one course's
# orders in a month, and the list as it opens (review first, newest).
admin_line "/admin/orders refunded, a quarter" "$BASE_URL/admin/orders?status=refunded&from=2026-01-01&to=2026-03-31" "$conns"
admin_line "/admin/orders one course, a month" "$BASE_URL/admin/orders?course=sql-for-analysts&from=2026-06-01&to=2026-06-30" "$conns"
admin_line "/admin/orders (as it opens)" "$BASE_URL/admin/orders" "$conns"
