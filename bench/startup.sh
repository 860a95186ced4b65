#!/bin/bash
# Start-up latency of a local instance: from process start to the first 220
# banner on port 25, configuring the typical relay and starting Postfix,
# postrelay against the conventional script, in a network namespace of its
# own (prb-<run>-start, loopback only).  OpenDKIM is not started in either case
# (Postfix greets without it).
#
# Usage: startup.sh BUILD_DIR RUNS BASELINE_RUNS
# Prints one tab-separated line: local  ours(prb-time fields)  baseline(same)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$1
runs=$2
bruns=$3
cli=$build/cli/postrelaycfg
timer=$build/bench/prb-time
work=$(bench_workdir start)
trap 'net_down; [ -n "${PRB_KEEP:-}" ] || rm -rf "$work"' EXIT
root=$work/root
roots+=("$root")
ip netns add "${ns_prefix}start"
hosts+=(start)
ip -n "${ns_prefix}start" link set lo up

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/dkim.key" 2>/dev/null
env=$work/start.env
sed "s|^LOGOUTPUT=.*|LOGOUTPUT=$root/var/log/mail.log|" "$here/typical.env" >"$env"
prepare="rm -rf '$root' && mkdir -p '$root/etc/opendkim' '$root/var/log' && cp '$work/dkim.key' '$root/etc/opendkim/dkim.key'"
stop=". '$here/lib.sh'; postfix_stop '$root'"

line() {
	in_ns start "$timer" -n "$2" -w "$3" -l "$1" -p "$prepare" -s "bash -c \"$stop\"" \
		-o "$work/log" --banner 127.0.0.1:25 --timeout 60 -- \
		"$here/start-local.sh" "$1" "$cli" "$env" "$root" || { cat "$work/log" >&2; exit 1; }
}
a=$(line postrelay "$runs" 1)
b=$(line baseline "$bruns" 0)
printf 'local\t%s\t%s\n' "$a" "$b"
