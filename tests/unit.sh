#!/bin/bash
# Tier 1 and 2: the Check suites and golden tests, built with gcc -Werror.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-ci}
if [ ! -d "$build" ]; then
	meson setup "$build" "$top" -Dwerror=true >/dev/null
fi
ninja -C "$build" >/dev/null
rc=0
meson test -C "$build" --print-errorlogs --num-processes 2 || rc=$?
log=$build/meson-logs/testlog.txt
# Count individual checks: Check prints "N%: Checks: X, Failures: F, Errors: E",
# the script tests print "N passed, N failed".
read -r p f < <(awk '
	/^[0-9]+%: Checks: / { gsub(",", ""); c += $3; fl += $5 + $7 }
	/^[0-9]+ passed, [0-9]+ failed$/ { c += $1 + $3; fl += $3 }
	END { print c - fl, fl + 0 }' "$log")
[ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
echo "$p passed, $f failed"
