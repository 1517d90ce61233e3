#!/bin/sh
# make bench: wrk against a running stack on this machine, reporting the
# figures DESIGN.md sets targets for.  Nothing here passes or fails: it
# prints numbers for a person to read and compare.
#   - nginx serving the catalog page as a static file (reference)
#   - nginx + a FastCGI responder that does nothing (the floor)
#   - the catalog page, a course page, title search
#   - the same with 10,000 courses in the database
#   - resident memory of a worker
#   - how long a queued mail takes to leave (the mail worker), and how
#     long the forgotten-password form takes for a known and an unknown
#     address
#   - a logged-in student with 200 enrollments: a lesson, the dashboard,
#     My courses against the floor, and Mark complete (a POST that writes)
#   - an admin over 1,000,000 orders: /admin/reports for 90 days and
#     /admin/orders filtered and searched (t/bench/admin_1m.sh)
#   - a team of 5,000 members: its seats page, and a list of 1,000
#     addresses given seats in one transaction (t/bench/seats.sh)
#   - the catalog page, a lesson page and signed webhooks on SQLite and
#     on PostgreSQL, with one host and with two (t/bench/engines.sh)
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/t/bench/lib.sh"
workers=${ENROLL_WORKERS:-2}
run=$(mktemp -d /tmp/enroll-bench-XXXXXX)
export ENROLL_WORKERS=$workers ENROLL_NO_RATE_LIMITS=1

cleanup() {
	"$top/t/stack.sh" stop "$run" 2>/dev/null || true
	[ -f "$run/noop.pid" ] && kill "$(cat "$run/noop.pid")" 2>/dev/null
	[ -f "$run/ref-nginx.pid" ] && kill "$(cat "$run/ref-nginx.pid")" 2>/dev/null
	pkill -f "noop-fcgi --socket $run/" 2>/dev/null || true
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

"$top/t/stack.sh" start "$build" "$run"
. "$run/stack.env"

# Reference server: a static copy of the catalog page and the no-op responder.
mkdir -p "$run/ref/www" "$run/ref/tmp"
curl -s "$BASE_URL/courses" > "$run/ref/www/catalog.html"
"$build/bin/noop-fcgi" --socket "$run/noop.sock" --workers "$workers" \
    --body "$run/ref/www/catalog.html" &
echo $! > "$run/noop.pid"
refport=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
user_line=""; [ "$(id -u)" = 0 ] && user_line="user root;"
cat > "$run/ref/nginx.conf" <<CONF
$user_line
worker_processes 1;
pid $run/ref/nginx.pid;
error_log $run/ref/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $run/ref/tmp; fastcgi_temp_path $run/ref/tmp;
	proxy_temp_path $run/ref/tmp; scgi_temp_path $run/ref/tmp; uwsgi_temp_path $run/ref/tmp;
	server {
		listen 127.0.0.1:$refport;
		location = /static.html { alias $run/ref/www/catalog.html; default_type text/html; }
		location = /noop { fastcgi_pass unix:$run/noop.sock; }
	}
}
CONF
"$(command -v nginx || echo /usr/sbin/nginx)" -p "$run/ref" -c "$run/ref/nginx.conf" -g 'daemon off;' &
echo $! > "$run/ref-nginx.pid"
sleep 0.5

# wrk_line NAME URL: one row of the report.
wrk_line() {
	bench_wrk "$conns" "$2"
	printf '%-34s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
	eval "rps_$3=\${rps%.*}"
}

# Mail: from the commit that queues a message to its .eml file written by
# the stack's mail worker (enrollctl mail-worker), 20 messages queued at
# random moments, one at a time.
mail_latency() {
	perl -MTime::HiRes=time,sleep -e '
		my ($db, $dir) = @ARGV; my @ms;
		for my $i (1 .. 20) {
			sleep(rand(0.3));
			my $key = "bench-mail-$$-$i";
			my $t0 = time;
			system("sqlite3", $db, ".timeout 5000", "INSERT INTO outbox (dedupe_key, to_addr, subject, body) VALUES (\x27$key\x27, \x27bench\@example.org\x27, \x27Bench\x27, \x27x\x27)") == 0 or die "sqlite3 failed\n";
			my $id = `sqlite3 $db "SELECT id FROM outbox WHERE dedupe_key = \x27$key\x27"`; chomp $id;
			my $f = sprintf("%s/%06d.eml", $dir, $id);
			my $end = $t0 + 30;
			sleep(0.002) until -e $f || time > $end;
			push @ms, (time - $t0) * 1000;
		}
		@ms = sort { $a <=> $b } @ms;
		printf "median %.0f ms, p90 %.0f ms, max %.0f ms over %d messages\n", $ms[9], $ms[17], $ms[-1], scalar @ms;
	' "$ENROLL_DB" "$ENROLL_MAIL_DIR"
}
mailfig=$(mail_latency)

# The forgotten-password form must answer in about the same time whether
# or not an account uses the address: POSTs for a registered address and
# for an unknown one, alternated, each timed alone (the throttle's rows
# are cleared between them, untimed, so every known request mails).
forgot_timing() {
	jar="$run/forgot.jar"
	token() { curl -s -c "$jar" -b "$jar" "$BASE_URL$1" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }
	t=$(token /account/register)
	curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$t" \
	    --data-urlencode "name=Bench" --data-urlencode "email=bench-known@example.org" \
	    --data-urlencode "password=bench password 123" "$BASE_URL/account/register"
	rm -f "$jar"
	t=$(token /account/forgot-password)
	for i in $(seq 1 100); do
		who=known; [ $((i % 2)) = 0 ] && who=unknown
		sqlite3 "$ENROLL_DB" ".timeout 5000" "DELETE FROM mail_requests"
		# curl's own clock: the request alone, not the process.
		printf '%s ' "$who"
		curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_total}\n' \
		    --data-urlencode "csrf_token=$t" --data-urlencode "email=bench-$who@example.org" \
		    "$BASE_URL/account/forgot-password"
	done | perl -lane '$bad++ if $F[1] != 200; push @{$v{$F[0]}}, $F[2] * 1000;
	    END { my %m = map { my @s = sort { $a <=> $b } @{$v{$_}}; ($_ => $s[@s / 2]) } keys %v;
	    printf "known address median %.2f ms, unknown %.2f ms (50 requests each%s)\n",
	        $m{known}, $m{unknown}, $bad ? ", $bad not answered 200" : "" }'
}
forgotfig=$(forgot_timing)

size=$(wc -c < "$run/ref/www/catalog.html")
echo "enroll bench: $(nproc) cores, $workers workers per program, wrk -t2 -c$conns -d${dur}s, catalog page $size bytes"
printf '%-34s %s\n' "mail: queued to sent (worker)" "$mailfig"
printf '%-34s %s\n' "forgot-password answer" "$forgotfig"
wrk_line "nginx static file" "http://127.0.0.1:$refport/static.html" static
wrk_line "nginx + no-op FastCGI (floor)" "http://127.0.0.1:$refport/noop" noop
wrk_line "catalog /courses (12 courses)" "$BASE_URL/courses" catalog
wrk_line "course page" "$BASE_URL/courses/payments-engineering" course
wrk_line "title search ?q=secur" "$BASE_URL/courses?q=secur" search

echo "loading 10,000 more courses ..."
sqlite3 "$ENROLL_DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
  INSERT INTO courses (slug, title, summary, course_type, price_amount)
  SELECT 'bench-' || i, 'Bench Course ' || i || ' ' || substr('alpha beta gamma delta epsilon zeta eta theta', 1 + (i % 40), 12),
         'A generated course for the benchmark.', CASE i % 3 WHEN 0 THEN 'self_paced' WHEN 1 THEN 'cohort' ELSE 'workshop' END, 1000 + i FROM n;"
wrk_line "catalog with 10,012 courses" "$BASE_URL/courses" catalog10k
wrk_line "catalog page 400 of 10k" "$BASE_URL/courses?page=400" page400
wrk_line "title search in 10k ?q=gamma" "$BASE_URL/courses?q=gamma" search10k
wrk_line "title search in 10k ?q=4321" "$BASE_URL/courses?q=4321" searchrare
# Service time without queueing: one connection at a time.
conns_saved=$conns; conns=1
wrk_line "  same, 1 connection (gamma)" "$BASE_URL/courses?q=gamma" search1
wrk_line "  same, 1 connection (4321)" "$BASE_URL/courses?q=4321" searchrare1
conns=$conns_saved

# A logged-in student with 200 enrollments (issue 15): 200 of the bench
# courses get five lessons each (rendered as the store renders them), the
# student a paid order and an enrollment in each, some progress and some
# completions, and a session made as session_create() makes one (only the
# token's hash is stored).
echo "loading a student with 200 enrollments ..."
sqlite3 "$ENROLL_DB" "
INSERT INTO users (email, name, password_hash) VALUES ('bench@example.org', 'Bench Student', '\$argon2id\$v=19\$bench');
WITH s(id) AS (SELECT id FROM courses WHERE slug LIKE 'bench-%' ORDER BY id LIMIT 200),
     p(n) AS (VALUES (1), (2), (3), (4), (5))
  INSERT INTO lessons (course_id, position, title, duration_minutes, body)
  SELECT s.id, p.n, 'Lesson ' || p.n, 10, '## Lesson ' || p.n || char(10) || char(10) ||
         'Some *text*, a list:' || char(10) || char(10) || '- one' || char(10) || '- two' || char(10) || char(10) ||
         '\`\`\`c' || char(10) || 'int main(void) { return 0; }' || char(10) || '\`\`\`'
  FROM s, p;
INSERT INTO orders (number, user_id, status, currency, subtotal_amount, total_amount, paid_at, created_at)
  SELECT 'ORD-BENCH-' || c.id, u.id, 'paid', 'usd', c.price_amount, c.price_amount, 1700000000 + c.id, 1700000000 + c.id
  FROM courses c, users u WHERE u.email = 'bench@example.org' AND c.id IN (SELECT course_id FROM lessons WHERE title = 'Lesson 1' AND course_id IN (SELECT id FROM courses WHERE slug LIKE 'bench-%'));
INSERT INTO enrollments (user_id, course_id, order_id, source, granted_at)
  SELECT user_id, CAST(substr(number, 11) AS INTEGER), id, 'purchase', paid_at FROM orders WHERE number LIKE 'ORD-BENCH-%';
INSERT INTO course_progress (user_id, course_id, last_activity_at, completed_at)
  SELECT user_id, course_id, granted_at + 3600, CASE WHEN course_id % 10 = 0 THEN granted_at + 7200 END
  FROM enrollments WHERE course_id % 2 = 0 AND user_id = (SELECT id FROM users WHERE email = 'bench@example.org');
INSERT INTO lesson_progress (user_id, lesson_id, completed_at)
  SELECT cp.user_id, l.id, cp.last_activity_at FROM course_progress cp JOIN lessons l ON l.course_id = cp.course_id
  WHERE l.position <= CASE WHEN cp.completed_at IS NULL THEN 2 ELSE 5 END;"
ENROLL_DB="$ENROLL_DB" "$build/bin/enrollctl" render-content >/dev/null
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
now=$(date +%s)
sqlite3 "$ENROLL_DB" "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)
  SELECT '$(printf %s "$token" | sha256sum | cut -d' ' -f1)', id, $now, $now, $now + 86400 FROM users WHERE email = 'bench@example.org'"
cookie="enroll_session=$token"
slug=$(sqlite3 "$ENROLL_DB" "SELECT c.slug FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN users u ON u.id = e.user_id
  WHERE u.email = 'bench@example.org' AND e.course_id % 2 = 1 ORDER BY e.id LIMIT 1")
csrf=$(curl -s -b "$cookie" "$BASE_URL/account/dashboard" | sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
# wrk_auth NAME URL KEY: wrk_line as the logged-in student.
wrk_auth() {
	bench_wrk "$conns" "$2" "$cookie"
	printf '%-34s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "$errs"
	eval "rps_$3=\${rps%.*}"
}
wrk_line "nginx + no-op FastCGI (floor, again)" "http://127.0.0.1:$refport/noop" noop2
wrk_auth "lesson /learn/$slug/3" "$BASE_URL/learn/$slug/3" lesson
wrk_auth "/account/dashboard (200 courses)" "$BASE_URL/account/dashboard" dashboard
wrk_auth "/account/my-courses (200 courses)" "$BASE_URL/account/my-courses" mycourses
slugs=$(sqlite3 "$ENROLL_DB" "SELECT group_concat(slug) FROM (SELECT c.slug FROM enrollments e JOIN courses c ON c.id = e.course_id
  JOIN users u ON u.id = e.user_id WHERE u.email = 'bench@example.org' AND e.course_id % 2 = 1 ORDER BY e.id)")
out=$(BENCH_COOKIE="$cookie" BENCH_CSRF="$csrf" BENCH_SLUGS="$slugs" \
    wrk -t2 -c8 -d"${dur}s" --latency -s "$top/t/bench/mark.lua" "$BASE_URL/" 2>&1)
marks=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
markp99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
markerr=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
printf '%-34s %10s req/s   p99 %-9s %s\n' "Mark complete / not complete (POST)" "$marks" "$markp99" "$markerr"

# Signed webhook deliveries, each a new event committed before the 200,
# against the disk's own rate of one-row transactions (synchronous=FULL).
perl -MDigest::SHA=hmac_sha256_hex -e '
	my ($n, $secret) = @ARGV; my $t = time;
	for my $i (1 .. $n) {
		my $body = qq({"id":"evt_bench_${t}_$i","object":"event","type":"bench.noted","created":$t,"api_version":"2023-08-16","livemode":false,"data":{"object":{"id":"bench_$i"}}});
		print "t=$t,v1=", hmac_sha256_hex("$t.$body", $secret), "\t$body\n";
	}' 400000 "${STRIPE_WEBHOOK_SECRET%%,*}" > "$run/events.tsv"
disk=$("$build/bin/sqlite-tx-rate" "$run/txrate.db" 3)
out=$(BENCH_EVENTS="$run/events.tsv" wrk -t2 -c8 -d"${dur}s" --latency -s "$top/t/bench/webhook.lua" "$BASE_URL/payment/webhook" 2>&1)
hooks=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
hookp99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
stored=$(sqlite3 "$ENROLL_DB" "SELECT count(*) FROM stripe_events WHERE type = 'bench.noted'")
printf '%-34s %10s req/s   p99 %-9s (%s events stored)\n' "signed webhooks, new events" "$hooks" "$hookp99" "$stored"
printf '%-34s %10s tx/s\n' "disk: one-row tx, synchronous=FULL" "$disk"

rss=$(for p in $(pgrep -P "$(cat "$run/cart.pid")"); do ps -o rss= -p "$p"; done | sort -n | tail -1)
echo
echo "catalog / no-op floor:      $(( rps_catalog * 100 / (rps_noop > 0 ? rps_noop : 1) ))%   (target 70% or more)"
echo "10k catalog / 12 catalog:   $(( rps_catalog10k * 100 / (rps_catalog > 0 ? rps_catalog : 1) ))%   (target 90% or more)"
priv=$(for p in $(pgrep -P "$(cat "$run/cart.pid")"); do
	awk '/^Private_(Clean|Dirty):/ {k += $2} END {print k}' "/proc/$p/smaps_rollup"
done | sort -n | tail -1)
echo "largest cart worker RSS:    ${rss} KiB   (target under 5 MiB; ${priv} KiB of it private, the rest shared libraries)"
echo "webhooks / disk tx rate:    $(( ${hooks%.*} * 100 / (disk > 0 ? disk : 1) ))%   (target 50% or more)"
floor=$(( rps_noop2 > 0 ? rps_noop2 : 1 ))
echo "student with 200 courses, against the floor measured beside them (target 70% or more, p99 under 5 ms):"
echo "  lesson page:                $(( rps_lesson * 100 / floor ))%"
echo "  dashboard:                  $(( rps_dashboard * 100 / floor ))%"
echo "  my courses:                 $(( rps_mycourses * 100 / floor ))%"
arss=$(for p in $(pgrep -P "$(cat "$run/account.pid")"); do ps -o rss= -p "$p"; done | sort -n | tail -1)
apriv=$(for p in $(pgrep -P "$(cat "$run/account.pid")"); do
	awk '/^Private_(Clean|Dirty):/ {k += $2} END {print k}' "/proc/$p/smaps_rollup"
done | sort -n | tail -1)
echo "largest account worker RSS:  ${arss} KiB   (${apriv} KiB of it private; target under 2 MiB private)"

# The admin's reports and order search over 1,000,000 orders (issue 17),
# against this stack: t/bench/admin_1m.sh.
echo
sh "$top/t/bench/admin_1m.sh" "$build" "$run"
# The admin lists' search with 100,000 users and 10,000 courses, on a
# stack of its own (t/bench/admin.sh).
echo
sh "$top/t/bench/admin.sh" "$build"
# A team's seats page and a list of 1,000 seats given at once, with a
# team of 5,000 members, on a stack of its own (t/bench/seats.sh).
echo
sh "$top/t/bench/seats.sh" "$build"
# The catalog, a lesson and webhooks on SQLite and PostgreSQL, with one
# host and two, each on a stack of its own (t/bench/engines.sh).
echo
sh "$top/t/bench/engines.sh" "$build"
