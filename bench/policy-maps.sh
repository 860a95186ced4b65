#!/bin/bash
# The policy tables at scale: `postrelaycfg apply --root DIR` of the typical
# relay with an N-entry TRANSPORT_MAP and an N-entry ALLOWED_SENDER_DOMAINS
# (both built in process as hash tables), against `postmap hash:` of the same
# rendered transport table in the same run.  Wall time (median, min, max over
# RUNS runs) and peak RSS, as config.sh prints them.
# Usage: policy-maps.sh BUILD_DIR RUNS N
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$1
runs=$2
n=$3
cli=$build/cli/postrelaycfg
timer=$build/bench/prb-time
work=$(bench_workdir policy)
trap 'rm -rf "$work"' EXIT
root=$work/root
env=$work/policy.env
grep -v -e '^RELAYHOST_PASSWORDMAP=' -e '^RELAYHOST_MAP=' -e '^RELAYHOST_AUTH=' \
	-e '^SENDER_DEPENDENT_RELAYHOST_AUTH=' -e '^USE_DKIM=' "$here/typical.env" >"$env"
awk -v n="$n" 'BEGIN {
	printf "TRANSPORT_MAP="
	for (i = 1; i <= n; i++)
		printf "%sdest%d.example.org:[relay%d.example.net]:587", (i > 1 ? "," : ""), i, i % 100
	printf "\nALLOWED_SENDER_DOMAINS="
	for (i = 1; i <= n; i++)
		printf "%ssender%d.example.com", (i > 1 ? "," : ""), i
	printf "\n"
}' >>"$env"
prepare="rm -rf '$root' && mkdir -p '$root'"
a=$("$timer" -n "$runs" -w 1 -l postrelay -p "$prepare" -o "$work/log" -- \
	"$cli" apply --env-file "$env" --root "$root") || { cat "$work/log" >&2; exit 1; }
printf 'policy-%s\t%s\n' "$n" "$a"
# postmap of the same transport table (one table: half of apply's work)
"$cli" render --env-file "$env" --no-env -o "$work/out" >/dev/null
b=$("$timer" -n "$runs" -w 1 -l postmap -p "rm -f '$work/out/transport.db'" -o "$work/log" -- \
	postmap -c "$work/out" "hash:$work/out/transport") || { cat "$work/log" >&2; exit 1; }
printf 'postmap-transport-%s\t%s\n' "$n" "$b"
