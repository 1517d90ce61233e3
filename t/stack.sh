#!/bin/sh
# Starts the whole store on loopback: the five FastCGI programs, nginx with
# a configuration rendered from nginx.conf.example, the mail worker
# (enrollctl mail-worker; ENROLL_MAIL_WORKER=0 leaves it out) and (when no
# real Stripe key is set) the local Stripe emulator.  `make run` and every end-to-end
# test use this one script, so what the tests check is what a newcomer runs.
#
#   t/stack.sh run BUILD PORT    foreground; Ctrl-C stops everything
#   t/stack.sh start BUILD DIR   background, free ports; writes DIR/stack.env
#   t/stack.sh stop DIR          stops what start started
#
# ENROLL_HOSTS=2 starts a second complete set of the five programs and its
# mail worker in DIR/host2 (its own sockets, logs, metrics file and mail
# folder) against the same ENROLL_DB, as a second host would run them;
# nginx's upstreams then hold both hosts' sockets, and two more servers
# (HOST1_URL, HOST2_URL in stack.env) each serve the store from one host
# alone, so that a test can send a request to a host of its choice.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
programs="cart checkout webhook account admin"
# nginx lives in /usr/sbin, which a non-login PATH may lack.
nginx=$(command -v nginx || echo /usr/sbin/nginx)

free_port() {
	perl -MIO::Socket::INET -e \
	    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport'
}

# render_nginx RUNDIR PORT: nginx.conf.example with local paths and port.
render_nginx() {
	user_line="# user: nginx runs as the invoking user"
	[ "$(id -u)" = 0 ] && user_line="user root;"
	mkdir -p "$1/nginx-tmp"
	limits='s/^\(\s*limit_req \)/\1/'
	[ "${ENROLL_NO_RATE_LIMITS:-0}" = 1 ] && limits='/^\s*limit_req /d'
	sed -e "s|^user www-data;|$user_line|" \
	    -e "s|^pid .*|pid $1/nginx.pid;|" \
	    -e "s|^error_log .*|error_log $1/nginx-error.log;|" \
	    -e "s|access_log /var/log/nginx/enroll-access.log;|access_log $1/nginx-access.log;|" \
	    -e "s|/run/enroll/|$1/|g" \
	    -e "s|/usr/local/share/enroll/static/|$top/static/|" \
	    -e "s|/var/lib/enroll-media/|$ENROLL_MEDIA_DIR/|" \
	    -e "s|^\(\s*\)listen 80;|\1listen 127.0.0.1:$2;|" \
	    -e "s|^\(\s*\)worker_processes auto;|\1worker_processes ${NGINX_WORKERS:-1};|" \
	    -e "s|# @local-http@|client_body_temp_path $1/nginx-tmp/body; fastcgi_temp_path $1/nginx-tmp/fastcgi; proxy_temp_path $1/nginx-tmp/proxy; scgi_temp_path $1/nginx-tmp/scgi; uwsgi_temp_path $1/nginx-tmp/uwsgi;|" \
	    -e "$limits" \
	    "$top/nginx.conf.example" > "$1/nginx.conf"
}

# two_hosts_nginx RUNDIR PORT1 PORT2: the rendered nginx.conf with two
# servers (RUNDIR and RUNDIR/host2) in each upstream, and the public
# server block once more per host, on PORTn, passing to that host alone.
two_hosts_nginx() {
	perl -e '
		my ($f, $run, @ports) = @ARGV;
		open(my $in, "<", $f) or die "$f: $!\n";
		my $c = do { local $/; <$in> };
		close $in;
		$c =~ s{^([ \t]*)upstream (enroll_\w+) \{ server unix:\Q$run\E/(\w+)\.sock; \}$}{
		    "$1upstream $2 { server unix:$run/$3.sock; server unix:$run/host2/$3.sock; }\n" .
		    "$1upstream $2_h1 { server unix:$run/$3.sock; }\n" .
		    "$1upstream $2_h2 { server unix:$run/host2/$3.sock; }"}gme == 5
		    or die "two_hosts_nginx: not five upstreams\n";
		my ($server) = $c =~ /^(\tserver \{\n.*?^\t\}\n)/ms
		    or die "two_hosts_nginx: no server block\n";
		my $more = "";
		for my $h (1, 2) {
			(my $one = $server) =~ s/fastcgi_pass (enroll_\w+);/fastcgi_pass $1_h$h;/g;
			$one =~ s/listen 127\.0\.0\.1:\d+;/listen 127.0.0.1:$ports[$h - 1];/
			    or die "two_hosts_nginx: no listen line\n";
			$more .= "\t# Host $h alone (t/stack.sh ENROLL_HOSTS=2).\n$one";
		}
		$c =~ s/\}\s*\z/$more}\n/ or die;
		open(my $out, ">", $f) or die "$f: $!\n";
		print $out $c;
		close $out or die;
	' "$1/nginx.conf" "$1" "$2" "$3"
}

wait_http() { # url seconds: until it answers, and not with nginx's 502
	# (a program whose socket is not there yet, on a busy machine)
	i=0
	while code=$(curl -s -o /dev/null -w '%{http_code}' "$1"); [ "$code" = 000 ] || [ "$code" = 502 ]; do
		i=$((i + 1))
		[ $i -gt $(($2 * 10)) ] && return 1
		sleep 0.1
	done
}

# start_host BUILD DIR: one host's mail worker and five programs, in the
# background; their sockets, logs and pids in DIR.
start_host() {
	# Mail leaves as it is queued (a reset link must not wait for a
	# cron job): .eml files in $ENROLL_MAIL_DIR unless ENROLL_SMTP_URL.
	if [ "${ENROLL_MAIL_WORKER:-1}" = 1 ]; then
		"$1/bin/enrollctl" mail-worker 2>>"$2/mail-worker.log" &
		echo $! > "$2/mail-worker.pid"
	fi

	for p in $programs; do
		"$1/bin/$p" --socket "$2/$p.sock" --workers "${ENROLL_WORKERS:-2}" \
		    2>>"$2/$p.log" &
		echo $! > "$2/$p.pid"
	done
}

# start_all BUILD RUNDIR PORT: everything in the background; pids in RUNDIR
# (and RUNDIR/host2 with ENROLL_HOSTS=2).
start_all() {
	build=$1 run=$2 port=$3
	mkdir -p "$run"
	export ENROLL_DB="${ENROLL_DB:-$run/enroll.db}"
	export ENROLL_BASE_URL="${ENROLL_BASE_URL:-http://127.0.0.1:$port}"
	export ENROLL_MAIL_DIR="${ENROLL_MAIL_DIR:-$run/mail}"
	export ENROLL_MEDIA_DIR="${ENROLL_MEDIA_DIR:-$run/media}"
	case $ENROLL_DB in
	postgres*) export ENROLL_METRICS_FILE="${ENROLL_METRICS_FILE:-$run/metrics}" ;;
	*) mkdir -p "$(dirname "$ENROLL_DB")" ;;
	esac
	mkdir -p "$ENROLL_MAIL_DIR" "$ENROLL_MEDIA_DIR"
	# nginx's alias needs the folder's full path.
	ENROLL_MEDIA_DIR=$(cd "$ENROLL_MEDIA_DIR" && pwd)
	"$build/bin/enrollctl" migrate >>"$run/enrollctl.log" 2>&1 ||
		{ echo "stack: migration failed; see $run/enrollctl.log" >&2; return 1; }
	if [ "${ENROLL_SEED:-1}" = 1 ]; then
		"$build/bin/enrollctl" seed-demo >>"$run/enrollctl.log" 2>&1 ||
			{ echo "stack: seeding failed; see $run/enrollctl.log" >&2; return 1; }
	fi

	if [ -z "${STRIPE_SECRET_KEY:-}" ] && [ -x "$build/bin/stripe-emu" ]; then
		export STRIPE_SECRET_KEY="sk_test_enroll_local_emulator"
		export STRIPE_WEBHOOK_SECRET="whsec_enroll_local_emulator"
		rm -f "$run/emu.port"
		# The emulator's state lives beside the database it serves: a
		# fresh database never meets the sessions of an older one.
		case $ENROLL_DB in
		postgres*) emu_db="$run/stripe-emu.db" ;;
		*) emu_db="${ENROLL_DB%.db}-stripe-emu.db" ;;
		esac
		# A port of its own, chosen apart from nginx's: asked to pick any
		# port, the kernel could hand it the one nginx is about to bind.
		emu_port=$(free_port)
		while [ "$emu_port" = "$port" ]; do emu_port=$(free_port); done
		"$build/bin/stripe-emu" --listen "127.0.0.1:$emu_port" --port-file "$run/emu.port" \
		    --db "$emu_db" \
		    --spec "${ENROLL_SHARED:-$top/../shared}/stripe/spec3-subset.json" \
		    --api-key "$STRIPE_SECRET_KEY" \
		    --webhook-url "$ENROLL_BASE_URL/payment/webhook" \
		    --webhook-secret "$STRIPE_WEBHOOK_SECRET" \
		    2>>"$run/stripe-emu.log" &
		echo $! > "$run/stripe-emu.pid"
		i=0; while [ ! -s "$run/emu.port" ]; do
			i=$((i + 1)); [ $i -gt 100 ] && { echo "stack: the Stripe emulator did not start; see $run/stripe-emu.log" >&2; return 1; }
			sleep 0.1
		done
		export STRIPE_API_BASE="http://127.0.0.1:$(cat "$run/emu.port")"
	fi

	start_host "$build" "$run"
	hosts=${ENROLL_HOSTS:-1}
	if [ "$hosts" = 2 ]; then
		# The second host: the same database and Stripe, nothing else
		# shared (its own mail folder, as on another machine).
		mkdir -p "$run/host2"
		(
			export ENROLL_MAIL_DIR="$run/host2/mail"
			export ENROLL_METRICS_FILE="$run/host2/metrics"
			mkdir -p "$ENROLL_MAIL_DIR"
			start_host "$build" "$run/host2"
		)
		# Ports apart from nginx's, the emulator's and each other.
		host1_port=$port; host2_port=$port
		while [ "$host1_port" = "$port" ] || [ "$host1_port" = "${emu_port:-}" ]; do host1_port=$(free_port); done
		while [ "$host2_port" = "$port" ] || [ "$host2_port" = "${emu_port:-}" ] ||
		    [ "$host2_port" = "$host1_port" ]; do host2_port=$(free_port); done
		# nginx takes a socket that is not there yet as a failed server
		# for a while: start it once every socket is.
		i=0
		for p in $programs; do
			while [ ! -S "$run/$p.sock" ] || [ ! -S "$run/host2/$p.sock" ]; do
				i=$((i + 1)); [ $i -gt 100 ] && break 2
				sleep 0.1
			done
		done
	elif [ "$hosts" != 1 ]; then
		echo "stack: ENROLL_HOSTS is 1 or 2, not $hosts" >&2
		return 1
	fi
	render_nginx "$run" "$port"
	[ "$hosts" = 2 ] && { two_hosts_nginx "$run" "$host1_port" "$host2_port" || return 1; }
	"$nginx" -p "$run" -c "$run/nginx.conf" -g 'daemon off;' 2>>"$run/nginx-error.log" &
	echo $! > "$run/nginx.pid.wrapper"
	if ! wait_http "http://127.0.0.1:$port/" 10; then
		echo "stack: the store did not answer on port $port; logs in $run" >&2
		return 1
	fi
	# Whoever answers must be our nginx, not another process on the port.
	if ! kill -0 "$(cat "$run/nginx.pid.wrapper")" 2>/dev/null ||
	    ! curl -s -D - -o /dev/null "http://127.0.0.1:$port/" | grep -qi '^content-security-policy:'; then
		echo "stack: port $port is answered by something else; see $run/nginx-error.log" >&2
		return 1
	fi
	if [ "$hosts" = 2 ]; then
		for p in "$host1_port" "$host2_port"; do
			wait_http "http://127.0.0.1:$p/" 10 ||
				{ echo "stack: host port $p did not answer; logs in $run and $run/host2" >&2; return 1; }
		done
	fi
	cat > "$run/stack.env" <<ENV
BASE_URL=$ENROLL_BASE_URL
PORT=$port
ENROLL_DB=$ENROLL_DB
ENROLL_MAIL_DIR=$ENROLL_MAIL_DIR
ENROLL_MEDIA_DIR=$ENROLL_MEDIA_DIR
STRIPE_API_BASE=${STRIPE_API_BASE:-}
STRIPE_SECRET_KEY=${STRIPE_SECRET_KEY:-}
STRIPE_WEBHOOK_SECRET=${STRIPE_WEBHOOK_SECRET:-}
STRIPE_EMU_DB=${emu_db:-}
RUN_DIR=$run
ENV
	[ "$hosts" = 2 ] && cat >> "$run/stack.env" <<ENV
HOSTS=2
HOST1_URL=http://127.0.0.1:$host1_port
HOST2_URL=http://127.0.0.1:$host2_port
HOST2_DIR=$run/host2
HOST2_MAIL_DIR=$run/host2/mail
HOST2_METRICS_FILE=$run/host2/metrics
ENV
	return 0
}

# demo_admin BUILD FILE: a store made by make run gets an admin to try the
# admin pages with, admin@example.org, whose random password is kept in
# FILE (readable by its owner only) and printed; one that has an admin
# already is left alone.
demo_admin() {
	case $ENROLL_DB in
	postgres*) admins=$(psql -X -A -t "$ENROLL_DB" -c "SELECT count(*) FROM users WHERE role = 'admin'") ;;
	*) admins=$(sqlite3 "$ENROLL_DB" "SELECT count(*) FROM users WHERE role = 'admin'") ;;
	esac
	if [ "$admins" = 0 ]; then
		pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
		(umask 077; echo "$pw" > "$2")
		echo "$pw" | "$1/bin/enrollctl" create-admin admin@example.org "Demo Admin" \
		    >>"$run/enrollctl.log" 2>&1 ||
			{ echo "stack: could not make the demo admin; see $run/enrollctl.log" >&2; return 1; }
	fi
	[ -f "$2" ] && echo "admin pages: log in as admin@example.org with the password $(cat "$2") (kept in $2)"
	return 0
}

stop_all() {
	run=$1
	for f in "$run"/*.pid "$run"/host2/*.pid "$run"/nginx.pid.wrapper; do
		[ -f "$f" ] || continue
		case $f in */nginx.pid) continue;; esac
		kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	# Programs drain in-flight requests, then exit; give them a moment.
	i=0
	for f in "$run"/*.pid "$run"/host2/*.pid "$run"/nginx.pid.wrapper; do
		[ -f "$f" ] || continue
		case $f in */nginx.pid) continue;; esac
		while kill -0 "$(cat "$f")" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1)); sleep 0.1
		done
		kill -KILL "$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
}

case "${1:-}" in
run)
	build=$2 port=$3 run="${ENROLL_RUN_DIR:-$top/var/run}"
	# One make run per checkout: a second would share the run folder's
	# sockets and pid files and silently serve the first one's programs.
	# The lock is a file holding "pid port", made with noclobber; a lock
	# whose make run is gone (killed, machine restarted) is taken over.
	mkdir -p "$run"
	lock="$run/make-run.lock"
	while ! (set -C; echo "$$ $port" > "$lock") 2>/dev/null; do
		other=$(cat "$lock" 2>/dev/null || true)
		if [ -n "$other" ] && ps -p "${other%% *}" -o args= 2>/dev/null |
		    grep -q 'stack\.sh run'; then
			echo "make run: this checkout already serves http://127.0.0.1:${other#* }/ (make run, pid ${other%% *});" \
			    "stop it with Ctrl-C first, or run a second store from another checkout" >&2
			exit 1
		fi
		rm -f "$lock"
	done
	trap 'rm -f "$lock"' EXIT
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		echo "make run: port $port is taken; use PORT=8081 make run" >&2
		exit 1
	fi
	# PG=1: the store on PostgreSQL, a private cluster in var/pg (or
	# ENROLL_PG_DIR) that stops with the store; its data stays for the
	# next make run.
	pgdir="${ENROLL_PG_DIR:-$top/var/pg}"
	if [ "${PG:-0}" = 1 ] && [ -z "${ENROLL_DB:-}" ]; then
		"$top/t/pg.sh" start "$pgdir" || exit 1
		pg_up=1
		psql -X -q -h "$pgdir" -p "$(cat "$pgdir/port")" -U enroll -d postgres -tAc \
		    "SELECT 1 FROM pg_database WHERE datname = 'enroll'" | grep -q 1 ||
			"$top/t/pg.sh" createdb "$pgdir" enroll >/dev/null || exit 1
		export ENROLL_DB="postgresql:///enroll?host=$pgdir&port=$(cat "$pgdir/port")&user=enroll"
	fi
	export ENROLL_DB="${ENROLL_DB:-$top/var/enroll.db}"
	export ENROLL_MAIL_DIR="${ENROLL_MAIL_DIR:-$top/var/mail}"
	export ENROLL_MEDIA_DIR="${ENROLL_MEDIA_DIR:-$top/var/media}"
	stop_pg() { [ -n "${pg_up:-}" ] && "$top/t/pg.sh" stop "$pgdir"; return 0; }
	trap 'stop_all "$run"; stop_pg; exit 0' INT TERM
	stop_all "$run"
	start_all "$build" "$run" "$port" || { stop_all "$run"; stop_pg; exit 1; }
	case $ENROLL_DB in
	postgres*) demo_admin "$build" "$(dirname "$pgdir")/admin-password" ;;
	*) demo_admin "$build" "$(dirname "$ENROLL_DB")/admin-password" ;;
	esac
	echo "enroll is serving http://127.0.0.1:$port/  (database $ENROLL_DB, logs in $run)"
	[ -f "$run/stripe-emu.pid" ] && echo "payments go to the local Stripe emulator at $STRIPE_API_BASE (test card 4242 4242 4242 4242)"
	if [ -n "${ENROLL_SMTP_URL:-}" ]; then
		echo "mail goes out at once through $ENROLL_SMTP_URL"
	else
		echo "mail (receipts, password resets, address checks) lands at once as .eml files in $ENROLL_MAIL_DIR/"
	fi
	echo "Ctrl-C stops everything."
	# The operator's periodic job: expire stale checkouts.  Mail has its
	# worker (enrollctl mail-worker, started above).
	while :; do
		"$build/bin/enrollctl" expire-orders >>"$run/enrollctl.log" 2>&1 || true
		# In the background, so that Ctrl-C's trap runs at once.
		sleep 10 & wait $! || true
	done
	;;
start)
	build=$2 run=$3
	start_all "$build" "$run" "${PORT:-$(free_port)}" || { stop_all "$run"; exit 1; }
	;;
stop)
	stop_all "$2"
	;;
*)
	echo "usage: $0 run BUILD PORT | start BUILD DIR | stop DIR" >&2
	exit 2
	;;
esac
