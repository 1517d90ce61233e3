#!/bin/sh
# A private PostgreSQL cluster for the tests and for `PG=1 make run`:
# Debian's initdb and pg_ctl, a free loopback port, the socket in DIR.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# unprivileged user the postgresql package made (postgres).
#
#   t/pg.sh start DIR      initdb (once) and start; writes DIR/pg.env
#                          (ENROLL_PG_BASE=postgresql:///?host=DIR&port=N&user=enroll);
#                          PG_DURABLE=1: with fsync, as in production
#   t/pg.sh stop DIR       stops it (the files stay)
#   t/pg.sh restart DIR    stops and starts it again on the same port
#   t/pg.sh createdb DIR NAME   a new empty database; prints its URL
#   t/pg.sh version DIR    the server's version line
set -eu

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || {
	echo "pg.sh: no PostgreSQL server (Debian's postgresql); run make deps" >&2
	exit 1
}

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	perl -MIO::Socket::INET -e \
	    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport'
}

cmd=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: t/pg.sh start|stop|createdb DIR [NAME]" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

case $cmd in
start)
	if [ ! -s "$dir/data/PG_VERSION" ]; then
		mkdir -p "$dir/data"
		# The owner needs to reach the folder (a test's temporary folder).
		if [ "$(id -u)" = 0 ]; then
			chown postgres "$dir" "$dir/data"
			d=$dir; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
		fi
		as_owner "$bindir/initdb" -D "$dir/data" -U enroll -A trust \
		    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ echo "pg.sh: initdb failed; see $dir/initdb.log" >&2; exit 1; }
	fi
	port=$(free_port)
	# Tests start many stacks: room for their connections, and no fsync
	# wait (a test cluster is thrown away; production keeps the default).
	# PG_DURABLE=1 keeps the default (make bench, set beside SQLite's
	# synchronous=FULL).
	nosync="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	[ "${PG_DURABLE:-0}" = 1 ] && nosync=
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir \
	        -c max_connections=400 $nosync -c shared_buffers=128MB" start >/dev/null ||
		{ echo "pg.sh: the server did not start; see $dir/server.log" >&2; exit 1; }
	echo "ENROLL_PG_BASE=postgresql:///?host=$dir&port=$port&user=enroll" > "$dir/pg.env"
	echo "$port" > "$dir/port"
	;;
restart)
	as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast \
	    -w -t 60 restart >/dev/null
	;;
stop)
	[ -s "$dir/data/postmaster.pid" ] || exit 0
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	;;
createdb)
	name=${3:?name}
	port=$(cat "$dir/port")
	psql -X -q -h "$dir" -p "$port" -U enroll -d postgres \
	    -c "CREATE DATABASE \"$name\" TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
	echo "postgresql:///$name?host=$dir&port=$port&user=enroll"
	;;
version)
	psql -X -A -t -h "$dir" -p "$(cat "$dir/port")" -U enroll -d postgres \
	    -c "SHOW server_version" | sed 's/^/PostgreSQL /'
	;;
*)
	echo "usage: t/pg.sh start|stop|createdb DIR [NAME]" >&2; exit 2
	;;
esac
