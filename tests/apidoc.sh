#!/bin/bash
# Every function of the public header has a doxygen comment right above it,
# and every one that returns a status says which (@return).
# Usage: apidoc.sh SOURCE_ROOT
set -eu
header=$1/include/postrelaycfg.h
list=$(mktemp)
trap 'rm -f "$list"' EXIT
pass=0
fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
notok() { echo "not ok - $1"; fail=$((fail + 1)); }

# one line per declaration: NAME RETURN-TYPE DOC-STATE, where DOC-STATE is
# "none", "doc" or "doc+return" for the comment block that ends right above it
awk '
	/^\/\*\*/ { incomment = 1; doc = "doc"; ret = 0 }
	incomment && /@return/ { ret = 1 }
	incomment && /\*\// { incomment = 0; ended = NR; next }
	incomment { next }
	/^[a-z].*prc_[a-z_]+\(/ {
		match($0, /prc_[a-z_]+\(/)
		name = substr($0, RSTART, RLENGTH - 1)
		state = (ended == NR - 1) ? (ret ? "doc+return" : "doc") : "none"
		print name, $1, state
	}
	/^$/ { ended = 0 }
' "$header" >"$list"
while read -r name type state; do
	if [ "$state" = none ]; then
		notok "$name has no doxygen comment"
	elif [ "$type" = int ] && [ "$state" != doc+return ]; then
		notok "$name returns a status but its comment has no @return"
	else
		ok "$name is documented"
	fi
done <"$list"
n=$(wc -l <"$list")
if [ "$n" -gt 20 ]; then ok "$n public functions found"; else notok "only $n public functions found in $header"; fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
