#!/bin/bash
# The commands the image runs at run time, outside any container: get (the
# entrypoint's view of the settings), health (listeners from /proc, against a
# rendered instance root) and watch (the config reloader, with the symlink
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
# Loopback listeners on ports the kernel picks; their ports go into master.cf.
/usr/bin/python3 -c '
import socket, sys, time
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    socks.append(s)
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[1])
u.listen()
print(" ".join(str(s.getsockname()[1]) for s in socks), flush=True)
time.sleep(120)' "$work/milter.sock" >"$work/ports" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/ports" ] && break; sleep 0.1; done
read -r p1 p2 <"$work/ports"
# a port nobody listens on: one the kernel gave out and took back
free=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
root=$work/root
mkdir -p "$root/etc/postfix"
cat >"$root/etc/postfix/master.cf" <<EOF
# service type private unpriv chroot wakeup maxproc command
$p1       inet  n       -       n       -       -       smtpd
127.0.0.1:$p2 inet n    -       n       -       -       smtpd
  -o syslog_name=postfix/second
pickup    unix  n       -       n       60      1       pickup
EOF
printf 'myhostname = mail.example.com\n' >"$root/etc/postfix/main.cf"
expect "health of a listening instance" 0 "$cli" health --root "$root"
same "health is quiet when healthy" "$work/out" ""
printf 'smtpd_milters = { inet:127.0.0.1:%s,\n    connect_timeout=10s }, unix:%s\n' \
	"$free" "$work/milter.sock" >>"$root/etc/postfix/main.cf"
expect "health with a milter down" 1 "$cli" health --root "$root"
same "health names the missing milter" "$work/out" \
	"postrelaycfg: health: nothing listens on port $free (milter inet:127.0.0.1:$free)"
expect "health --milter" 1 "$cli" health --root "$root" --milter
printf '%s     inet  n       -       n       -       -       smtpd\n' "$free" \
	>>"$root/etc/postfix/master.cf"
sed -i "s/inet:127.0.0.1:$free/inet:127.0.0.1:$p2/" "$root/etc/postfix/main.cf"
expect "health with a listener gone" 1 "$cli" health --root "$root"
same "health names the missing listener" "$work/out" \
	"postrelaycfg: health: nothing listens on port $free (master.cf service $free)"
expect "health --milter ignores the listeners" 0 "$cli" health --root "$root" --milter
start=$(date +%s%N)
expect "health --wait gives up" 1 "$cli" health --root "$root" --wait 1
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed" -ge 900 ] && [ "$elapsed" -lt 5000 ]; then ok "health --wait 1 waits about a second"; else notok "health --wait 1 took $elapsed ms"; fi
expect "health --wait rejects junk" 64 "$cli" health --wait 1x
expect "health of a missing instance" 1 "$cli" health --root "$work/none"

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
# main.cf as apply renders it, plus a chain file set through POSTCONF
wroot=$work/wroot
mkdir -p "$wroot/etc/postfix"
cat >"$wroot/etc/postfix/main.cf" <<MAINCF
# TLS towards clients
smtpd_tls_cert_file = $sec/tls.crt
smtpd_tls_key_file = $sec/tls.key
smtp_tls_cert_file = $sec/tls.crt
smtp_tls_key_file =
    $sec/tls.key
smtp_tls_CApath = /etc/ssl/certs
smtpd_tls_chain_files = \$smtpd_tls_key_file, $work/chain.pem
MAINCF
echo chain >"$work/chain.pem"
env -i PATH="$PATH" "$cli" watch --root "$wroot" --interval 3600 -- \
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
	"postrelaycfg: error: $wroot/etc/postfix/main.cf: $sec/tls.key: the key does not match the certificate in $sec/tls.crt"
# the key that belongs to it arrives: now it reloads
cp "$sec/..v2/tls.key" "$sec/..v3/tls.key.new"
mv "$sec/..v3/tls.key.new" "$sec/..v3/tls.key"
n=$(reloads 4)
if [ "$n" = 4 ]; then ok "watch: the matching key then reloads"; else notok "watch: $n reloads after the matching key arrived"; fi
expect "watch rejects a zero interval" 64 "$cli" watch --interval 0
expect "watch without main.cf" 74 "$cli" watch --root "$work/none"
same "watch without main.cf says so" "$work/err" \
	"postrelaycfg: error: watch: cannot read $work/none/etc/postfix/main.cf: No such file or directory"

tap_summary
