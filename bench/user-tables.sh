#!/bin/bash
# The user's own tables at scale: `postrelaycfg apply --root DIR` of the
# typical relay with an N-entry POSTMAP_ table (POSTMAP_routes_FILE, built
# in process as a hash table: read, checked line by line, keys folded,
# duplicates looked for), against `postmap hash:` of the same text in the
# same run.  Wall time (median, min, max over RUNS runs) and peak RSS, as
# config.sh prints them.
# Usage: user-tables.sh BUILD_DIR RUNS N
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$1
runs=$2
n=$3
cli=$build/cli/postrelaycfg
timer=$build/bench/prb-time
work=$(bench_workdir tables)
trap 'rm -rf "$work"' EXIT
root=$work/root
env=$work/tables.env
# an environment variable holds at most 128 KiB: a big table comes from a file
awk -v n="$n" 'BEGIN {
	print "# routes by recipient domain"
	for (i = 1; i <= n; i++)
		printf "Dest%d.Example.org smtp:[relay%d.example.net]:587\n", i, i % 100
}' >"$work/routes"
grep -v -e '^RELAYHOST_PASSWORDMAP=' -e '^RELAYHOST_MAP=' -e '^RELAYHOST_AUTH=' \
	-e '^SENDER_DEPENDENT_RELAYHOST_AUTH=' -e '^USE_DKIM=' "$here/typical.env" >"$env"
{
	echo "POSTMAP_routes_FILE=$work/routes"
	# shellcheck disable=SC2016 # Postfix expands it
	echo 'POSTFIX_transport_maps=hash:${config_directory}/routes'
} >>"$env"
prepare="rm -rf '$root' && mkdir -p '$root'"
a=$("$timer" -n "$runs" -w 1 -l postrelay -p "$prepare" -o "$work/log" -- \
	"$cli" apply --env-file "$env" --root "$root") || { cat "$work/log" >&2; exit 1; }
printf 'postmap-table-%s\t%s\n' "$n" "$a"
# the table is really there, as Postfix looks it up
got=$(postmap -c "$root/etc/postfix" -q "dest$n.example.org" "hash:$root/etc/postfix/routes")
[ "$got" = "smtp:[relay$((n % 100)).example.net]:587" ] || { echo "lookup: '$got'" >&2; exit 1; }
# postmap of the same text (what mwader/postfix-relay runs at every start)
mkdir -p "$work/pm"
: >"$work/pm/main.cf"
cp "$work/routes" "$work/pm/routes"
b=$("$timer" -n "$runs" -w 1 -l postmap -p "rm -f '$work/pm/routes.db'" -o "$work/log" -- \
	postmap -c "$work/pm" "hash:$work/pm/routes") || { cat "$work/log" >&2; exit 1; }
printf 'postmap-command-%s\t%s\n' "$n" "$b"
