# Sourced by the bench scripts: how long and how wide each run is, one
# wrk measurement, and an admin's session for the admin benches.

# Seconds of each wrk run, and its connections.
dur=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}

# bench_wrk CONNS URL [COOKIE]: wrk for $dur seconds on URL with CONNS
# connections (2 threads, 1 for one connection), sending COOKIE if
# given; sets rps, p50, p99 and errs (wrk's non-2xx and socket errors).
bench_wrk() {
	threads=2; [ "$1" -lt 2 ] && threads=1
	if [ -n "${3:-}" ]; then
		out=$(wrk -t"$threads" -c"$1" -d"${dur}s" --latency -H "Cookie: $3" "$2" 2>&1)
	else
		out=$(wrk -t"$threads" -c"$1" -d"${dur}s" --latency "$2" 2>&1)
	fi
	rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
}

# bench_admin_cookie DB: makes bench-admin@example.org an admin of DB
# with a session made as session_create() makes one (only the token's
# hash stored); prints the Cookie value that carries it.
bench_admin_cookie() {
	token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	now=$(date +%s)
	sqlite3 -cmd ".timeout 10000" "$1" "
INSERT INTO users (email, name, password_hash, role) VALUES ('bench-admin@example.org', 'Bench Admin', '\$argon2id\$v=19\$bench', 'admin')
  ON CONFLICT (email) DO UPDATE SET role = 'admin';
INSERT INTO sessions (token_hash, user_id, created_at, last_seen, expires_at)
  SELECT '$(printf %s "$token" | sha256sum | cut -d' ' -f1)', id, $now, $now, $now + 86400 FROM users WHERE email = 'bench-admin@example.org'"
	printf 'enroll_session=%s\n' "$token"
}

# bench_admin_line NAME URL CONNS COOKIE: one row of an admin bench's
# report: the page's HTTP status, then wrk's figures as that admin.
bench_admin_line() {
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $4" "$2")
	bench_wrk "$3" "$2" "$4"
	printf '%-44s %4s %10s req/s   p50 %-9s p99 %-9s %s\n' "$1" "$code" "$rps" "$p50" "$p99" "$errs"
}
