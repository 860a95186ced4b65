#!/bin/bash
# Two builds of postrelaycfg, A and B, configuring the same relay with
# `apply --root` in alternating rounds (A, B, B, A, ...), so that both see the
# same machine; prints prb-time's line per round and the medians of the
# round medians.  For "is this change slower?" (e.g. a refactor against the
# commit before it).
#
# Usage: ab-apply.sh BUILD_A BUILD_B ROUNDS RUNS [ENV_FILE | maps:N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
a=$1 b=$2 rounds=$3 runs=$4 input=${5:-$here/typical.env}
work=$(bench_workdir ab)
trap 'rm -rf "$work"' EXIT
root=$work/root
if [ "${input#maps:}" != "$input" ]; then
	"$here/gen-maps.sh" "${input#maps:}" "$work/input.env" "$work/maps.yaml"
else
	cp "$input" "$work/input.env"
fi
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/dkim.key" 2>/dev/null
prepare="rm -rf '$root' && mkdir -p '$root/etc/opendkim' && cp '$work/dkim.key' '$root/etc/opendkim/dkim.key'"
timer=$b/bench/prb-time
time_one() { # LABEL BUILD
	"$timer" -n "$runs" -w 1 -l "$1" -p "$prepare" -o "$work/log" -- \
		"$2/cli/postrelaycfg" apply --env-file "$work/input.env" --root "$root" ||
		{ cat "$work/log" >&2; exit 1; }
}
: >"$work/A" && : >"$work/B"
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) = 1 ]; then order="A B"; else order="B A"; fi
	for x in $order; do
		if [ "$x" = A ]; then line=$(time_one A "$a"); else line=$(time_one B "$b"); fi
		echo "$line"
		printf '%s\n' "$line" | cut -f 2 >>"$work/$x"
	done
done
med() { sort -g "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "median of round medians: A $(med "$work/A")  B $(med "$work/B")"
