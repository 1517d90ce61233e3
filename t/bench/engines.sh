#!/bin/sh
# make bench, issue 20: the same three requests on SQLite and on
# PostgreSQL, with one host and with two (t/stack.sh ENROLL_HOSTS=2: a
# second set of the five programs on the same database, nginx sending
# each request to either), printed as one table:
#   - the catalog page (a guest's read),
#   - a lesson page as a logged-in student (session, enrollment, lesson),
#   - signed webhook deliveries, each a new event (a write transaction).
# PostgreSQL is a private cluster (t/pg.sh) with fsync on (PG_DURABLE=1),
# as SQLite runs with synchronous=FULL.  On one machine, "two hosts"
# shares the same cores: the rows show what sharing the database costs,
# not what a second machine would add.
#   sh t/bench/engines.sh BUILD
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/t/bench/lib.sh"
dur=${BENCH_ENGINE_SECONDS:-5}
run=$(mktemp -d /tmp/enroll-bench-engines-XXXXXX)
export ENROLL_WORKERS=${ENROLL_WORKERS:-2} ENROLL_NO_RATE_LIMITS=1

cleanup() {
	for d in "$run"/stack-*; do
		[ -d "$d" ] && "$top/t/stack.sh" stop "$d" 2>/dev/null
	done
	[ -d "$run/pg" ] && "$top/t/pg.sh" stop "$run/pg"
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

# sql DB TEXT: runs TEXT on the stack's database, whichever engine.
sql() {
	case $1 in
	postgres*) psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" ;;
	*) sqlite3 -cmd ".timeout 5000" "$1" "$2" ;;
	esac
}

# row NAME ENGINE HOSTS: one line of the table from bench_wrk's figures.
row() {
	printf '%-10s %-6s %5s %10s   %-9s %-9s %s\n' "$1" "$2" "$3" "$rps" "$p50" "$p99" "$errs"
}

# measure ENGINE HOSTS DB: a stack on DB, then the three rows.
measure() {
	dir="$run/stack-$1-$2"
	mkdir -p "$dir"
	ENROLL_DB=$3 ENROLL_HOSTS=$2 "$top/t/stack.sh" start "$build" "$dir" >/dev/null
	# Not sourced: a PostgreSQL URL holds "&".
	BASE_URL=$(sed -n 's/^BASE_URL=//p' "$dir/stack.env")
	STRIPE_WEBHOOK_SECRET=$(sed -n 's/^STRIPE_WEBHOOK_SECRET=//p' "$dir/stack.env")
	ENROLL_DB=$3
	# A student with a session made as session_create() makes one (only
	# the token's hash stored), enrolled in the first course with a
	# lesson that is not a preview.
	token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	now=$(date +%s)
	lesson=$(sql "$ENROLL_DB" "SELECT c.slug || '/' || l.position FROM lessons l JOIN courses c ON c.id = l.course_id
	    WHERE l.is_preview = 0 ORDER BY c.id, l.position LIMIT 1")
	sql "$ENROLL_DB" "INSERT INTO users (email, name, password_hash) VALUES ('bench@example.org', 'Bench Student', '\$argon2id\$v=19\$bench');
INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)
  SELECT '$(printf %s "$token" | sha256sum | cut -d' ' -f1)', id, $now, $now, $now + 86400 FROM users WHERE email = 'bench@example.org';
INSERT INTO enrollments (user_id, course_id, source, granted_at)
  SELECT u.id, c.id, 'purchase', $now FROM users u, courses c WHERE u.email = 'bench@example.org' AND c.slug = '${lesson%/*}';" >/dev/null
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: enroll_session=$token" "$BASE_URL/learn/$lesson")
	[ "$code" = 200 ] || echo "  (the lesson page answers $code on $1, $2 host(s))" >&2

	bench_wrk "$conns" "$BASE_URL/courses"
	row catalog "$1" "$2"
	bench_wrk "$conns" "$BASE_URL/learn/$lesson" "enroll_session=$token"
	row lesson "$1" "$2"
	# New events, signed now: each delivery is a new durable transaction.
	perl -MDigest::SHA=hmac_sha256_hex -e '
		my ($n, $secret) = @ARGV; my $t = time;
		for my $i (1 .. $n) {
			my $body = qq({"id":"evt_bench_${t}_$i","object":"event","type":"bench.noted","created":$t,"api_version":"2023-08-16","livemode":false,"data":{"object":{"id":"bench_$i"}}});
			print "t=$t,v1=", hmac_sha256_hex("$t.$body", $secret), "\t$body\n";
		}' $((dur * 6000)) "${STRIPE_WEBHOOK_SECRET%%,*}" > "$run/events.tsv"
	out=$(BENCH_EVENTS="$run/events.tsv" wrk -t2 -c8 -d"${dur}s" --latency \
	    -s "$top/t/bench/webhook.lua" "$BASE_URL/payment/webhook" 2>&1)
	rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
	stored=$(sql "$ENROLL_DB" "SELECT count(*) FROM stripe_events WHERE type = 'bench.noted'")
	row webhook "$1" "$2"
	printf '%-24s %s events stored\n' "" "$stored"
	"$top/t/stack.sh" stop "$dir"
}

echo "SQLite and PostgreSQL, one host and two (wrk ${dur}s each, $conns connections; webhooks 8;"
echo "$ENROLL_WORKERS workers per program per host, $(nproc) cores shared by every host and the database)"
printf '%-10s %-6s %5s %10s   %-9s %-9s %s\n' request engine hosts "req/s" p50 p99 errors
for hosts in 1 2; do
	measure sqlite "$hosts" "$run/sqlite-$hosts/enroll.db"
done
if PG_DURABLE=1 "$top/t/pg.sh" start "$run/pg" >/dev/null 2>&1; then
	for hosts in 1 2; do
		measure pg "$hosts" "$("$top/t/pg.sh" createdb "$run/pg" "bench_$hosts")"
	done
	"$top/t/pg.sh" version "$run/pg"
else
	echo "PostgreSQL: no server here (t/pg.sh start failed): its rows are left out"
fi
