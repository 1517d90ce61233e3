#!/bin/sh
# Runs every libFuzzer target (one per parser of untrusted input, built by
# `make fuzz`) for a few seconds from its seed corpus, so that a parser change
# that crashes, leaks or trips UBSan fails the test run.  Longer runs:
#   build/asan/fuzz/fuzz_request -max_total_time=600 t/fuzz/corpus/fuzz_request
top=$(cd "$(dirname "$0")/.." && pwd)
build=${ENROLL_BUILD:-build/asan}
case $build in /*) ;; *) build="$top/$build";; esac
secs=${FUZZ_SECONDS:-5}
set -- "$build"/fuzz/fuzz_*
if [ ! -x "$1" ]; then
	echo "1..0 # SKIP no fuzz targets built (make fuzz)"
	exit 0
fi
echo "1..$#"
n=0
for f in "$@"; do
	n=$((n + 1))
	name=$(basename "$f")
	work=$(mktemp -d)
	seeds="$top/t/fuzz/corpus/$name"
	[ -d "$seeds" ] || seeds=""
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=0 "$work" $seeds >"$work.log" 2>&1; then
		echo "ok $n - $name survives ${secs}s of fuzzing"
	else
		echo "not ok $n - $name failed; its log:"
		sed 's/^/# /' "$work.log" | tail -40
	fi
	rm -rf "$work" "$work.log"
done
