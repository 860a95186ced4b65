#!/bin/bash
# The commands the image runs at run time, outside any container: get (the
# entrypoint's view of the settings), health (the plan's listeners and
# milters, looked up in /proc of a network namespace of its own) and watch (the config reloader, with the symlink
# swap of a Kubernetes secret).  Listeners are on loopback only.
# Usage: cli-runtime.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns delete "prx-cli-$$" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# ---- get -------------------------------------------------------------------
expect "get" 0 MAILNAME=mail.example.com SIZELIMIT=10M USE_DKIM=true "$cli" get MAILNAME USE_DKIM \
	POSTFIX_EXPORTER_ENABLED SIZELIMIT TLS_CA LOGOUTPUT
same "get prints one value per line as emitted, empty when unset" "$work/out" "mail.example.com
yes
no
10485760

/dev/stdout"
same "get is quiet" "$work/err" ""
expect "get of a secret" 64 MAILNAME=mail.example.com "$cli" get MAILNAME SMTPD_USERS
same "get of a secret says so, prints nothing" "$work/err" \
	"postrelaycfg: error: get: SMTPD_USERS is a secret"
same "get of a secret prints no value" "$work/out" ""
expect "get of a list" 64 MAILNAME=mail.example.com "$cli" get MYNETWORKS
same "get of a list says so" "$work/err" "postrelaycfg: error: get: MYNETWORKS is a list"
expect "get of an unknown name" 64 MAILNAME=mail.example.com "$cli" get NOPE
same "get of an unknown name says so" "$work/err" "postrelaycfg: error: get: NOPE is not a setting"
expect "get validates first" 78 SIZELIMIT=lots "$cli" get TZ
same "get prints every error" "$work/err" \
	"postrelaycfg: error: env:SIZELIMIT: 'lots': expected a size in bytes, optionally with a k, M or G suffix
postrelaycfg: error: env:MAILNAME: MAILNAME is required: set it to this relay's fully qualified host name, e.g. mail.example.com"
expect "get without a name" 64 MAILNAME=mail.example.com "$cli" get

# ---- health ----------------------------------------------------------------
# health checks the listeners and milters of the plan, in a network namespace
# of our own where a listener holds exactly the ports we give it.
ns=prx-cli-$$
ip netns add "$ns"
ip -n "$ns" link set lo up
listen() { # listen PORT... : a listener on loopback (and on milter.sock) in $ns
	rm -f "$work/milter.sock" "$work/listening"
	ip netns exec "$ns" /usr/bin/python3 -c '
import socket, sys, time
socks = []
for p in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(p)))
    s.listen()
    socks.append(s)
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[1])
u.listen()
open(sys.argv[1] + ".ready", "w").close()
time.sleep(120)' "$work/milter.sock" "$@" &
	listener=$!
	pids+=("$listener")
	for _ in $(seq 1 50); do [ -e "$work/milter.sock.ready" ] && break; sleep 0.1; done
	rm -f "$work/milter.sock.ready"
}
health() { expect "$1" "$2" ip netns exec "$ns" "$cli" health --env-file "$work/health.env" "${@:3}"; }
printf 'MAILNAME=mail.example.com\n' >"$work/health.env"
listen 25 587 2525 8891
health "health of a listening instance" 0
same "health is quiet when healthy" "$work/out" ""
printf 'POSTFIX_smtpd_milters={ inet:127.0.0.1:8892, connect_timeout=10s }, unix:%s\n' \
	"$work/milter.sock" >>"$work/health.env"
health "health with a milter down" 1
same "health names the missing milter" "$work/out" \
	"postrelaycfg: health: nothing listens on port 8892 (milter inet:127.0.0.1:8892)"
health "health --milter" 1 --milter
sed -i 's/8892/8891/' "$work/health.env"
kill "$listener"
listen 25 587 8891
health "health with a listener gone" 1
same "health names the missing listener" "$work/out" \
	"postrelaycfg: health: nothing listens on port 2525 (master.cf service 2525)"
health "health --milter ignores the listeners" 0 --milter
printf 'MAILNAME=mail.example.com\nUSE_DKIM=yes\nDKIM_SOCKET=inet:127.0.0.1:8893\n' >"$work/dkim.env"
expect "health follows DKIM_SOCKET" 1 ip netns exec "$ns" "$cli" health --env-file "$work/dkim.env" --milter
same "health names the DKIM milter" "$work/out" \
	"postrelaycfg: health: nothing listens on port 8893 (milter inet:127.0.0.1:8893)"
start=$(date +%s%N)
health "health --wait gives up" 1 --wait 1
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 5000 ]; then ok "health --wait 1 waits about a second"; else notok "health --wait 1 took $elapsed ms"; fi
kill "$listener"
ip netns delete "$ns"
expect "health --wait rejects junk" 64 "$cli" health --wait 1x
expect "health of an invalid configuration" 1 env -i PATH="$PATH" "$cli" health --no-env
same "health says the configuration cannot be used" "$work/out" \
	"postrelaycfg: health: the configuration cannot be used (see the errors above)"
same "health prints the configuration's errors" "$work/err" \
	"postrelaycfg: error: env:MAILNAME: MAILNAME is required: set it to this relay's fully qualified host name, e.g. mail.example.com"

# ---- watch -----------------------------------------------------------------
# pair DIR: a fresh self-signed certificate and its key, DIR/tls.crt and DIR/tls.key
pair() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=mail.example.com" -addext "subjectAltName=DNS:mail.example.com" \
		-keyout "$1/tls.key" -out "$1/tls.crt" 2>/dev/null
	chmod 600 "$1/tls.key"
}
# A directory laid out like a mounted Kubernetes secret.
sec=$work/secret
pair "$sec/..v1"
ln -s ..v1 "$sec/..data"
ln -s ..data/tls.crt "$sec/tls.crt"
ln -s ..data/tls.key "$sec/tls.key"
: >"$work/reloads"
# the configuration names the pair (server and client side) and, through
# POSTCONF, a chain file
cat >"$work/watch.env" <<WATCHENV
MAILNAME=mail.example.com
TLS_CRT=$sec/tls.crt
TLS_KEY=$sec/tls.key
CLIENT_TLS_CRT=$sec/tls.crt
CLIENT_TLS_KEY=$sec/tls.key
POSTFIX_smtpd_tls_chain_files=\$smtpd_tls_key_file, $work/chain.pem
WATCHENV
echo chain >"$work/chain.pem"
env -i PATH="$PATH" "$cli" watch --env-file "$work/watch.env" --interval 3600 -- \
	sh -c "echo reload >>'$work/reloads'" 2>"$work/watch.err" &
pids+=($!)
for _ in $(seq 1 50); do grep -q 'watching smtpd_tls_chain_files' "$work/watch.err" 2>/dev/null && break; sleep 0.1; done
reloads() { # wait up to 5 s for N reloads; prints the count
	for _ in $(seq 1 50); do
		[ "$(wc -l <"$work/reloads")" -ge "$1" ] && break
		sleep 0.1
	done
	wc -l <"$work/reloads"
}
sleep 0.3
# the swap: a new directory, ..data renamed over the old link, the old one removed
pair "$sec/..v2"
ln -s ..v2 "$sec/..data_tmp"
mv -T "$sec/..data_tmp" "$sec/..data"
rm -rf "$sec/..v1"
n=$(reloads 1)
if [ "$n" = 1 ]; then ok "watch: a Kubernetes secret swap reloads once"; else notok "watch: $n reloads after the swap"; fi
cat "$sec/..v2/tls.crt" >"$sec/..v2/tls.crt.new"
cat "$sec/..v2/tls.crt.new" >"$sec/..v2/tls.crt"
rm "$sec/..v2/tls.crt.new"
n=$(reloads 2)
if [ "$n" = 2 ]; then ok "watch: a file written in place reloads"; else notok "watch: $n reloads after an in-place write"; fi
if grep -qx "postrelaycfg: watch: smtpd_tls_cert_file $sec/tls.crt changed" "$work/watch.err"; then
	ok "watch: says which file changed"
else
	notok "watch: log: $(cat "$work/watch.err")"
fi
sleep 1
n=$(wc -l <"$work/reloads")
if [ "$n" = 2 ]; then ok "watch: no reload without a change"; else notok "watch: $n reloads while nothing changed"; fi
mv "$work/chain.pem" "$work/chain.old"
echo chain2 >"$work/chain.pem"
n=$(reloads 3)
if [ "$n" = 3 ]; then ok "watch: a file set through POSTCONF is watched too"; else notok "watch: $n reloads after the chain file was replaced"; fi
grep ': watching ' "$work/watch.err" >"$work/watching"
same "watch: the files are those of main.cf, each once" "$work/watching" \
	"postrelaycfg: watch: watching smtpd_tls_cert_file $sec/tls.crt
postrelaycfg: watch: watching smtpd_tls_key_file $sec/tls.key
postrelaycfg: watch: watching smtpd_tls_chain_files $work/chain.pem"
# a swap to a key that does not match its certificate: reported, no reload
pair "$work/other"
mkdir "$sec/..v3"
cp "$sec/..v2/tls.crt" "$sec/..v3/tls.crt"
cp "$work/other/tls.key" "$sec/..v3/tls.key"
ln -s ..v3 "$sec/..data_tmp"
mv -T "$sec/..data_tmp" "$sec/..data"
for _ in $(seq 1 50); do grep -q 'not reloading' "$work/watch.err" && break; sleep 0.1; done
sleep 1
n=$(wc -l <"$work/reloads")
if [ "$n" = 3 ]; then ok "watch: a key that does not match its certificate is not reloaded"; else notok "watch: $n reloads after a mismatched swap"; fi
grep -E ': (error|warning): ' "$work/watch.err" >"$work/watch.problems" || true
same "watch: the mismatch is reported, with the paths" "$work/watch.problems" \
	"postrelaycfg: error: env:TLS_CRT: $sec/tls.key: the key does not match the certificate in $sec/tls.crt"
# the key that belongs to it arrives: now it reloads
cp "$sec/..v2/tls.key" "$sec/..v3/tls.key.new"
mv "$sec/..v3/tls.key.new" "$sec/..v3/tls.key"
n=$(reloads 4)
if [ "$n" = 4 ]; then ok "watch: the matching key then reloads"; else notok "watch: $n reloads after the matching key arrived"; fi
expect "watch rejects a zero interval" 64 "$cli" watch --interval 0
expect "watch of an invalid configuration" 78 env -i PATH="$PATH" "$cli" watch --no-env
same "watch of an invalid configuration says why" "$work/err" \
	"postrelaycfg: error: env:MAILNAME: MAILNAME is required: set it to this relay's fully qualified host name, e.g. mail.example.com"

tap_summary
