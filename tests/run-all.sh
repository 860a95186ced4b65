#!/bin/bash
# The whole test suite: installs dependencies, builds with -Werror (gcc and
# clang), and runs every tier.  Ends with one line "N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ "$(id -u)" = 0 ] || { echo "run-all: must run as root (installs packages, makes network namespaces)"; exit 64; }

tests/install-deps.sh

# A run that was killed (not stopped) cannot remove its network namespaces:
# clear the test suites' own (pri-, prh-, prb-) before starting, ending the
# processes still inside them by PID.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pr[ihbjklx]-' || true); do
	for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
	ip netns delete "$ns" 2>/dev/null || true
	echo "run-all: removed the stale test namespace $ns"
done

passed=0
failed=0
# Each tier prints "N passed, N failed" as its last line.
tier() {
	local name=$1; shift
	local log; log=$(mktemp)
	echo "=== tier: $name"
	local rc=0
	"$@" 2>&1 | tee "$log" || rc=$?
	local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
	rm -f "$log"
	if [ -z "$line" ]; then
		echo "=== tier $name: no summary (exit $rc), counted as 1 failure"
		failed=$((failed + 1))
		return
	fi
	local p f
	p=${line%% passed*}
	f=${line#*passed, }; f=${f%% failed*}
	[ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
	passed=$((passed + p))
	failed=$((failed + f))
	echo "=== tier $name: $p passed, $f failed"
}

tier build-clang tests/build-clang.sh
tier unit-golden tests/unit.sh
for t in integration image hardening; do
	[ -x "tests/$t/run.sh" ] && tier "$t" "tests/$t/run.sh"
done
# XOAUTH2 end to end (its own namespaces and subnet: it may run beside the above)
[ -x tests/integration/xoauth2.sh ] &&
	PRI=prx PRI_NET4=10.232.0 PRI_NET6=fd00:232: tier xoauth2 tests/integration/xoauth2.sh

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
