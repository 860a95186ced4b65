#!/bin/sh
# Write an env file for the map benchmarks: the typical relay with N relay
# credentials and N sender-relay entries (each sender domain routed to its own
# relay host, which has its own credential).
# With YAML_FILE, the maps are also written in the YAML form
# (relay.credentials, relay.sender_relays), for `apply -c YAML_FILE` beside an
# env file without the two map variables (OUT_FILE.nomaps).
# Usage: gen-maps.sh N OUT_FILE [YAML_FILE]
set -eu
n=$1
out=$2
yaml=${3:-}
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
[ -n "$yaml" ] || exit 0
grep -v -e '^RELAYHOST_PASSWORDMAP=' -e '^RELAYHOST_MAP=' "$here/typical.env" >"$out.nomaps"
awk -v n="$n" 'BEGIN {
	print "relay:"
	print "  credentials:"
	print "    - {host: \"[smtp.example.net]:587\", user: relayuser, password: relay-secret}"
	for (i = 1; i < n; i++)
		printf "    - {host: \"[relay%d.example.net]:587\", user: user%d, password: secret-%d}\n", i, i, i
	print "  sender_relays:"
	for (i = 1; i < n; i++)
		printf "    - {sender: \"@sender%d.example.com\", relayhost: \"[relay%d.example.net]:587\"}\n", i, i
	print "    - {sender: \"@example.com\", relayhost: \"[smtp.example.net]:587\"}"
}' >"$yaml"
