#!/bin/sh
# make deps: installs what the build, the store and the tests need and this
# machine lacks.  Each need is checked by what it provides (a command, a
# pkg-config module), not by a package name, so a Node.js or nginx that
# came another way counts.  As root it runs apt-get; otherwise it prints
# the command.  Then the npm packages of t/package.json.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
missing=""

need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }

need_cmd pkg-config pkg-config
need_cmd cc gcc
need_cmd make make
need_pc fcgi libfcgi-dev
need_cmd cgi-fcgi libfcgi-bin
need_pc sqlite3 libsqlite3-dev
need_pc libpq libpq-dev
# make test runs every end-to-end test on PostgreSQL too, in a private
# cluster started with the server's own initdb and pg_ctl (t/pg.sh).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
need_cmd psql postgresql-client
need_pc libcurl libcurl4-openssl-dev
need_pc libcjson libcjson-dev
need_pc libsodium libsodium-dev
need_pc cmocka libcmocka-dev
need_pc libmicrohttpd libmicrohttpd-dev
need_pc libcmark libcmark-dev
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
need_cmd sqlite3 sqlite3
need_cmd curl curl
need_cmd wrk wrk
need_cmd systemd-socket-activate systemd
need_cmd systemd-analyze systemd
need_cmd prove perl
need_cmd clang clang
need_cmd npm "nodejs npm"
# The browser journey (t/journey.t) drives Debian's Chromium.
need_cmd chromium chromium
# ENROLL_TIMEZONE names a zone of the IANA database (t/admin_*.t use one).
[ -e /usr/share/zoneinfo/Europe/Paris ] || missing="$missing tzdata"
# An .ics file is read back by a standard iCalendar parser (t/booking.t).
/usr/bin/python3 -c 'import icalendar' >/dev/null 2>&1 || missing="$missing python3-icalendar"
# libFuzzer's runtime comes with clang's compiler-rt package.
if command -v clang >/dev/null 2>&1 &&
    ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
    clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
	v=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
	missing="$missing libclang-rt-$v-dev"
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing$missing"
		apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $missing >/dev/null
	else
		echo "deps: missing; run: sudo apt-get install -y$missing" >&2
		exit 1
	fi
fi

cd "$top/t"
if [ ! -d node_modules/stripe ] || [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund --silent >/dev/null 2>&1 ||
	    npm install --no-audit --no-fund --silent >/dev/null ||
	    { echo "deps: npm install in t/ failed" >&2; exit 1; }
fi
