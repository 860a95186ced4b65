#!/bin/bash
# Configuration speed: `postrelaycfg apply --root DIR` against the conventional
# script (bench/baseline-configure.sh) for the typical relay and for maps of
# SIZES relay credentials and sender-relay entries; wall time (median, min,
# max over RUNS runs, each into a fresh root) and peak RSS.
#
# Usage: config.sh BUILD_DIR RUNS BASELINE_RUNS [SIZE...]
# Prints one tab-separated line per case:
#   case  ours(label median min max rss runs samples)  baseline(same)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$1
runs=$2
bruns=$3
shift 3
cli=$build/cli/postrelaycfg
timer=$build/bench/prb-time
work=$(bench_workdir config)
trap 'rm -rf "$work"' EXIT
root=$work/root
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/dkim.key" 2>/dev/null
prepare="rm -rf '$root' && mkdir -p '$root/etc/opendkim' && cp '$work/dkim.key' '$root/etc/opendkim/dkim.key'"

if "$cli" apply --help >/dev/null 2>&1; then
	ours=("$cli" apply --env-file)
else
	ours=("$here/apply-stand-in.sh" "$cli")
fi

# one CASE ENV_FILE: time both ways of configuring the relay of ENV_FILE
a='' b=''
one() {
	local name=$1 env=$2
	a=$("$timer" -n "$runs" -w 1 -l postrelay -p "$prepare" -o "$work/log" -- \
		"${ours[@]}" "$env" ${ours[2]:+--root} "$root") || { cat "$work/log" >&2; exit 1; }
	b=$("$timer" -n "$bruns" -w 0 -l baseline -p "$prepare" -o "$work/log" -- \
		"$here/baseline-configure.sh" "$env" "$root") || { cat "$work/log" >&2; exit 1; }
	printf '%s\t%s\t%s\n' "$name" "$a" "$b"
}

env=$work/typical.env
cp "$here/typical.env" "$env"
one typical "$env"
for n in "$@"; do
	"$here/gen-maps.sh" "$n" "$work/maps.env" "$work/maps.yaml"
	one "maps-$n" "$work/maps.env"
	# the YAML form, against the same baseline run; the YAML source takes files
	# up to 4 MiB, which holds about 30 000 entries of each map
	if [ -n "${ours[2]:-}" ] && [ "$(stat -c %s "$work/maps.yaml")" -le $((4 * 1024 * 1024)) ]; then
		a=$("$timer" -n "$runs" -w 1 -l postrelay -p "$prepare" -o "$work/log" -- \
			"$cli" apply -c "$work/maps.yaml" --env-file "$work/maps.env.nomaps" \
			--root "$root") || { cat "$work/log" >&2; exit 1; }
		printf '%s\t%s\t%s\n' "yaml-$n" "$a" "$b"
	fi
done
