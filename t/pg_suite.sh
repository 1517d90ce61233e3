#!/bin/sh
# make test, second half: every end-to-end test again with the store on
# PostgreSQL.  A private cluster (t/pg.sh) lives in a temporary folder for
# the run; each test stack makes a database of its own in it (t/lib/Stack.pm,
# ENROLL_TEST_PG) and drops it when done.
#   t/pg_suite.sh BUILD [TEST...]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
# lib/db's own checks on both engines (t/unit/test_db_engines.c), then
# every end-to-end test.
[ $# -gt 0 ] || set -- "$build/t/test_db_engines.t" "$top"/t/*.t
dir=$(mktemp -d "${TMPDIR:-/tmp}/enroll-pg-XXXXXX")
stop() { "$top/t/pg.sh" stop "$dir"; rm -rf "$dir"; }
trap stop EXIT
trap 'exit 1' INT TERM
"$top/t/pg.sh" start "$dir"
echo "The end-to-end tests again, on $("$top/t/pg.sh" version "$dir")"
ENROLL_TEST_PG=$dir ENROLL_BUILD=$build prove --exec '' "$@"
