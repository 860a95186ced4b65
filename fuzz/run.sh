#!/bin/bash
# Build the libFuzzer targets (clang, ASan+UBSan) and run each for SECONDS.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]     (default 60 s, every target)
# The growing corpus lives in build-fuzz/corpus/TARGET (seeded from examples/
# and tests/data/); a crash or broken invariant is saved to
# build-fuzz/findings/ -- copy it to tests/data/fuzz/TARGET/ to keep it as a
# regression test.  Prints "ok/not ok - TARGET: N executions" per target, the
# total, and "N passed, N failed" last.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-$top/build-fuzz}
if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" "$top" -Dfuzz=true -Dtests=false -Dwerror=true >/dev/null
fi
ninja -C "$build" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-env fuzz-pipeline fuzz-yaml)
mkdir -p "$build/findings"
"$build/fuzz/fuzz-dict" >"$build/fuzz.dict"

pass=0
fail=0
total=0
for t in "${targets[@]}"; do
	corpus=$build/corpus/$t
	seeds=$build/seeds/$t
	rm -rf "$seeds"
	mkdir -p "$corpus" "$seeds"
	case $t in
	fuzz-yaml) pattern='*.yaml' ;;
	*) pattern='*.env' ;;
	esac
	find "$top/examples" "$top/tests/data" -name "$pattern" -type f -exec cp {} "$seeds/" \; 2>/dev/null || true
	[ ! -d "$top/tests/data/fuzz/$t" ] || cp "$top/tests/data/fuzz/$t"/* "$seeds/" 2>/dev/null || true
	log=$build/$t.log
	rc=0
	"$build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -dict="$build/fuzz.dict" \
		-artifact_prefix="$build/findings/$t-" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs))
	units=$(find "$corpus" -type f | wc -l)
	if [ "$rc" = 0 ]; then
		echo "ok - $t: $execs executions in ${secs}s, corpus $units inputs, no finding"
		pass=$((pass + 1))
	else
		echo "not ok - $t: exit $rc after $execs executions; see $log and $build/findings/"
		grep -E 'ERROR|invariant|runtime error|SUMMARY' "$log" | head -n 5 | sed 's/^/# /'
		fail=$((fail + 1))
	fi
done
echo "# fuzz: $total executions in total"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
