#!/bin/bash
# Tier 5, hardening: the unit, golden and bad-input suites built with
# ASan+UBSan; the unit suites under valgrind; every libFuzzer target for
# FUZZ_SECONDS (default 20) each; then e2e.sh against a real relay (faults,
# open-relay probes, smuggling, secrets).  One "ok/not ok" line per check,
# and "N passed, N failed" last.  Build directories are build-hardening-*.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-20}
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# build DIR LABEL MESON-ARGS...: configure once, then build; one check line
build() {
	local dir=$1 label=$2
	shift 2
	if { [ -d "$dir" ] || meson setup "$dir" "$top" -Dwerror=true "$@"; } >"$log" 2>&1 &&
		ninja -C "$dir" >>"$log" 2>&1; then
		ok "$label: build"
	else
		notok "$label: build"
		tail -n 20 "$log" | sed 's/^/# /'
		return 1
	fi
}

# meson_tests LABEL MESON-TEST-ARGS...: one line per test meson ran
meson_tests() {
	local label=$1
	shift
	meson test --print-errorlogs --num-processes 2 "$@" >"$log" 2>&1 || true
	local name result
	while read -r name result; do
		if [ "$result" = OK ]; then ok "$label: $name"; else notok "$label: $name ($result)"; fi
	done < <(sed -n 's|^ *[0-9]*/[0-9]* *[^ ]* / \([^ ]*\) *\([A-Z]*\) .*|\1 \2|p' "$log" | sort -u)
	if grep -qE '^ *[0-9]+/[0-9]+ .* (FAIL|TIMEOUT|ERROR)' "$log"; then
		grep -E 'ERROR|runtime error|Assertion|not ok|==[0-9]+==' "$log" | head -n 20 | sed 's/^/# /'
	fi
}

# phase NAME: print how long the previous phase took
phase_start=$SECONDS
phase() {
	echo "# $1 took $((SECONDS - phase_start)) s"
	phase_start=$SECONDS
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
asan=$top/build-hardening-asan
if build "$asan" asan -Db_sanitize=address,undefined -Db_lundef=false; then
	# consumer.sh links a plain program against the library: not with ASan;
	# bench-smoke times whole Postfix instances: sanitizers only slow it down;
	# and the shellcheck suite runs no C code
	mapfile -t names < <(meson test -C "$asan" --list 2>/dev/null |
		sed -n 's|.* / ||p' | grep -vxE 'consumer|bench-smoke|shellcheck')
	meson_tests asan -C "$asan" --timeout-multiplier 3 "${names[@]}"
fi

phase "asan build and tests"
plain=$top/build-hardening
if build "$plain" valgrind; then
	# RSA key generation (dkim, tls) takes a quarter of an hour under memcheck,
	# and oom's 3 500 runs minutes: those three run under ASan+LSan above
	mapfile -t names < <(meson test -C "$plain" --list --suite unit 2>/dev/null |
		sed -n 's|.* / ||p' | grep -vxE 'dkim|tls|oom')
	meson_tests valgrind -C "$plain" --setup valgrind "${names[@]}"
fi

phase "valgrind build and tests"

# relay_lines LOG LABEL: the check lines of a sub-script, counted here
relay_lines() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) notok "${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$1"
	grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$1" || {
		notok "$2: no summary"
		tail -n 20 "$1" | sed 's/^/# /'
	}
}

# the fuzzers: fuzz/run.sh prints its own check lines and a summary
flog=$(mktemp)
FUZZ_BUILD_DIR=$top/build-hardening-fuzz fuzz/run.sh "$secs" >"$flog" 2>&1 || true
relay_lines "$flog" fuzz
rm -f "$flog"
phase "fuzzing (build and ${secs} s per target)"

# faults, open-relay probes, smuggling, secrets against a real relay (e2e.sh)
elog=$(mktemp)
BUILD_DIR=$plain tests/hardening/e2e.sh >"$elog" 2>&1 || true
relay_lines "$elog" e2e
rm -f "$elog"
phase "e2e"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
