#!/bin/sh
# Write an env file for the map benchmarks: the typical relay with N relay
# credentials and N sender-relay entries (each sender domain routed to its own
# relay host, which has its own credential).
# Usage: gen-maps.sh N OUT_FILE
set -eu
n=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
grep -v -e '^RELAYHOST_PASSWORDMAP=' -e '^RELAYHOST_MAP=' "$here/typical.env" >"$out"
awk -v n="$n" 'BEGIN {
	printf "RELAYHOST_PASSWORDMAP=[smtp.example.net]:587:relayuser:relay-secret"
	for (i = 1; i < n; i++)
		printf ",[relay%d.example.net]:587:user%d:secret-%d", i, i, i
	printf "\nRELAYHOST_MAP="
	for (i = 1; i < n; i++)
		printf "%s@sender%d.example.com:[relay%d.example.net]:587", (i > 1 ? "," : ""), i, i
	printf "%s@example.com:[smtp.example.net]:587\n", (n > 1 ? "," : "")
}' >>"$out"
