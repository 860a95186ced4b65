#!/bin/bash
# Every shell script of the project passes shellcheck.
# Usage: shellcheck.sh SOURCE_ROOT
set -eu
cd "$1"
pass=0
fail=0
while IFS= read -r f; do
	if shellcheck -x "$f" >/dev/null 2>&1; then
		echo "ok - shellcheck $f"; pass=$((pass + 1))
	else
		echo "not ok - shellcheck $f"; shellcheck -x "$f" || true; fail=$((fail + 1))
	fi
done < <(git ls-files | while IFS= read -r f; do
	case $f in *.sh | .ci/run) echo "$f" ;; *) head -n 1 "$f" 2>/dev/null | grep -qE '^#!/bin/(ba)?sh' && echo "$f" ;; esac
done | sort -u)
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
