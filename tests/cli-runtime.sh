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
	ip netns delete "prx-live-$$" 2>/dev/null || true
	wait 2>/dev/null || true
	[ -z "${keydir:-}" ] || rm -rf "$keydir"
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


# ---- watch --apply: live reconfiguration ---------------------------------
# An instance in a scratch root; the YAML is laid out like a mounted
# Kubernetes ConfigMap (relay.yaml -> ..data/relay.yaml, ..data -> ..vN), the
# relay credentials come from a NAME_FILE secret.
lr=$work/live
mkdir -p "$lr/cfg"
chmod 755 "$work" "$lr"
swap() { # swap N YAML: the ConfigMap update, as the kubelet does it
	mkdir "$lr/cfg/..v$1"
	printf '%s\n' "$2" >"$lr/cfg/..v$1/relay.yaml"
	ln -s "..v$1" "$lr/cfg/..data_tmp"
	mv -T "$lr/cfg/..data_tmp" "$lr/cfg/..data"
}
swap 1 "limits: {message_size: 10M}"
ln -s ..data/relay.yaml "$lr/cfg/relay.yaml"
printf 'relay.example.net:user:pw1\n' >"$lr/credentials"
cat >"$lr/env" <<LIVEENV
MAILNAME=mail.example.com
RELAYHOST=relay.example.net
RELAYHOST_AUTH=yes
RELAYHOST_PASSWORDMAP_FILE=$lr/credentials
LIVEENV
src=(--env-file "$lr/env" -c "$lr/cfg/relay.yaml" --root "$lr/root")
expect "live: the first apply" 0 "$cli" apply "${src[@]}"
: >"$lr/reloads"
: >"$lr/dkim-restarts"
printf '#!/bin/sh\necho restart >>"%s"\n' "$lr/dkim-restarts" >"$lr/restart-opendkim"
chmod 755 "$lr/restart-opendkim"
env -i PATH="$PATH" "$cli" watch --apply "${src[@]}" --interval 3600 \
	--dkim-command "$lr/restart-opendkim" -- sh -c "echo reload >>'$lr/reloads'" 2>"$lr/watch.err" &
pids+=($!)
for _ in $(seq 1 50); do grep -q "watching configuration input $lr/credentials" "$lr/watch.err" 2>/dev/null && break; sleep 0.1; done
grep ': watching configuration' "$lr/watch.err" >"$work/watching" || true
same "live: the inputs are watched: the YAML, the env file, the NAME_FILE secret" "$work/watching" \
	"postrelaycfg: watch: watching configuration input $lr/cfg/relay.yaml
postrelaycfg: watch: watching configuration input $lr/env
postrelaycfg: watch: watching configuration input $lr/credentials"
status() { grep -v '^time ' "$lr/root/var/lib/postrelaycfg/status"; }
status >"$work/status"
same "live: the status file starts at generation 1" "$work/status" "generation 1
result applied
service 25 smtp
service 587 submission
service 2525 2525
queue_directory $lr/root/var/spool/postfix"
lreloads() { # wait up to 5 s for N runs of the command; prints the count
	for _ in $(seq 1 50); do [ "$(wc -l <"$lr/reloads")" -ge "$1" ] && break; sleep 0.1; done
	wc -l <"$lr/reloads"
}
mainline() { grep "^$1 = " "$lr/root/etc/postfix/main.cf"; }
sleep 0.3
swap 2 "limits: {message_size: 20M}"
n=$(lreloads 1)
if [ "$n" = 1 ]; then ok "live: a ConfigMap swap re-applies and reloads once"; else notok "live: $n reloads after the swap" "$(cat "$lr/watch.err")"; fi
mainline message_size_limit >"$work/line"
same "live: main.cf has the new value" "$work/line" "message_size_limit = 20971520"
status >"$work/status"
same "live: the status says generation 2 applied" "$work/status" "generation 2
result applied
service 25 smtp
service 587 submission
service 2525 2525
queue_directory $lr/root/var/spool/postfix"
same "live: OpenDKIM's files did not change: no restart" "$lr/dkim-restarts" ""
# an invalid configuration: logged, refused, nothing on disk changes
(cd "$lr/root" && find . -path ./var/lib/postrelaycfg -prune -o -type f -print0 | sort -z |
	xargs -0 sha256sum) >"$work/before"
swap 3 "limits: {message_size: lots, bogus: 1}"
for _ in $(seq 1 50); do grep -q 'was refused' "$lr/watch.err" && break; sleep 0.1; done
sleep 0.5
(cd "$lr/root" && find . -path ./var/lib/postrelaycfg -prune -o -type f -print0 | sort -z |
	xargs -0 sha256sum) >"$work/after"
if cmp -s "$work/before" "$work/after"; then ok "live: a refused configuration changes no file"; else notok "live: files changed" "$(diff "$work/before" "$work/after")"; fi
n=$(wc -l <"$lr/reloads")
if [ "$n" = 1 ]; then ok "live: a refused configuration is not reloaded"; else notok "live: $n reloads after an invalid YAML"; fi
grep -E ': (error|warning): |refused' "$lr/watch.err" >"$work/refusal"
same "live: every diagnostic is logged, and the refusal" "$work/refusal" \
	"postrelaycfg: error: $lr/cfg/relay.yaml:1:24: limits.message_size: 'lots': expected a size in bytes, optionally with a k, M or G suffix
postrelaycfg: error: $lr/cfg/relay.yaml:1:30: limits.bogus: unknown key
postrelaycfg: watch: the changed configuration was refused (the errors above); generation 2 keeps serving"
status >"$work/status"
same "live: the status says refused, with every diagnostic" "$work/status" "generation 2
result refused
diag error: $lr/cfg/relay.yaml:1:24: limits.message_size: 'lots': expected a size in bytes, optionally with a k, M or G suffix
diag error: $lr/cfg/relay.yaml:1:30: limits.bogus: unknown key
service 25 smtp
service 587 submission
service 2525 2525
queue_directory $lr/root/var/spool/postfix"
expect "live: health of the refused change still passes" 0 "$cli" health "${src[@]}" --milter
same "live: health says the last change was refused" "$work/out" \
	"postrelaycfg: health: configuration generation 2 applied; the last change was refused: error: $lr/cfg/relay.yaml:1:24: limits.message_size: 'lots': expected a size in bytes, optionally with a k, M or G suffix (and more in the reloader's log)"
# while the sources are refused, health checks what the applied generation
# listens on (recorded by the reloader): in an empty namespace, nothing
ip netns add "prx-live-$$"
expect "live: health of the refused change without listeners" 1 \
	ip netns exec "prx-live-$$" "$cli" health "${src[@]}"
ip netns delete "prx-live-$$"
sed -n '2,$p' "$work/out" >"$work/missing"
same "live: health names the applied generation's missing listeners" "$work/missing" \
	"postrelaycfg: health: nothing listens on port 25 (master.cf service smtp)
postrelaycfg: health: nothing listens on port 587 (master.cf service submission)
postrelaycfg: health: nothing listens on port 2525 (master.cf service 2525)"
# the fix is applied
swap 4 "limits: {message_size: 30M}"
n=$(lreloads 2)
if [ "$n" = 2 ]; then ok "live: the fixed configuration is applied"; else notok "live: $n reloads after the fix"; fi
mainline message_size_limit >"$work/line"
same "live: main.cf has the fixed value" "$work/line" "message_size_limit = 31457280"
status >"$work/status"
same "live: the status says generation 3 applied" "$work/status" "generation 3
result applied
service 25 smtp
service 587 submission
service 2525 2525
queue_directory $lr/root/var/spool/postfix"
expect "live: health after the fix" 0 "$cli" health "${src[@]}" --milter
same "live: health names the generation" "$work/out" "postrelaycfg: health: configuration generation 3 applied"
# a NAME_FILE secret replaced (written to a new file, renamed over)
printf 'relay.example.net:user:pw2\n' >"$lr/credentials.new"
mv "$lr/credentials.new" "$lr/credentials"
n=$(lreloads 3)
if [ "$n" = 3 ]; then ok "live: a changed NAME_FILE secret is applied"; else notok "live: $n reloads after the secret changed"; fi
grep -c 'pw2' "$lr/root/etc/postfix/sasl_passwd" >"$work/line" || true
same "live: the relay credentials are the new ones" "$work/line" "1"
# OpenDKIM's files change: the --dkim-command runs once
# OpenDKIM (and so apply) refuses a key below /tmp: it is kept below /run
keydir=$(mktemp -d /run/postrelay-test-key.XXXXXX)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keydir/dkim.key" 2>/dev/null
chmod 600 "$keydir/dkim.key"
swap 5 "limits: {message_size: 30M}
dkim: {enabled: true, key: $keydir/dkim.key}"
n=$(lreloads 4)
if [ "$n" = 4 ]; then ok "live: enabling DKIM is applied"; else notok "live: $n reloads after DKIM" "$(tail -n 5 "$lr/watch.err")"; fi
same "live: OpenDKIM's files changed: the --dkim-command ran" "$lr/dkim-restarts" "restart"
expect "watch: --status needs --apply" 64 "$cli" watch --status "$lr/s"

tap_summary
