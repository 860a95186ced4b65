#!/bin/bash
# The OpenDKIM files against the real opendkim: every example's opendkim.conf
# passes `opendkim -n`; a rendered instance starts and listens; its test mode
# (-t) signs each configured domain with the right key and selector, and
# refuses what prc_dkim_check() refuses.
# Usage: opendkim.sh POSTRELAYCFG SOURCE_ROOT PREPARE_HELPER   (as root)
set -eu
cli=$1
src=$2
helper=$3
# OpenDKIM refuses keys below a directory others can write to, such as /tmp
tap_base=/run
[ -w "$tap_base" ] || tap_base=$(dirname "$cli")
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
chmod 755 "$work"
render() { # ROOT ENV_FILE
	"$cli" render --no-env --env-file "$2" --root "$1" -o "$1/etc/postfix" --dkim-dir "$1/etc/opendkim"
}
check_conf() { opendkim -n -x "$1" >"$work/out" 2>&1 && [ ! -s "$work/out" ]; }

for env in "$src"/examples/*.env; do
	grep -qx 'USE_DKIM=yes' "$env" || continue
	name=$(basename "$env" .env)
	render "$work/$name" "$env"
	check "$name: opendkim -n accepts the rendered opendkim.conf" check_conf "$work/$name/etc/opendkim/opendkim.conf"
done

# a live instance: the seed form for two domains, a key of its own for a third
root=$work/live
conf=$root/etc/opendkim/opendkim.conf
mkdir -p "$root"
cat >"$work/live.env" <<EOF
MAILNAME=mail.example.com
USE_DKIM=yes
DKIM_DOMAINS=example.com,example.org
DKIM_KEYS=example.net=s1:$root/keys/net.key
DKIM_SOCKET=inet:127.0.0.1:8891
EOF
"$cli" dkim-keygen --domain example.com --selector mail -o "$root/etc/opendkim/dkim.key" >/dev/null
"$cli" dkim-keygen --domain example.net --selector s1 -o "$root/keys/net.key" >/dev/null
render "$root" "$work/live.env"
mapfile -t live_env <"$work/live.env"
keys_ok() { "$helper" dkim "$root" "${live_env[@]}" 2>"$work/err" && [ ! -s "$work/err" ]; }
check "prc_dkim_check accepts the keys dkim-keygen made" keys_ok
check "live: opendkim -n accepts the configuration" check_conf "$conf"

# start it in a network namespace of its own (its port is then free), stop it by PID
listens() {
	# shellcheck disable=SC2016 # the inner shell expands them
	unshare -n sh -c 'ip link set lo up
		opendkim -f -x "$1" & pid=$!
		i=0
		until ss -ltn | grep -q "127.0.0.1:8891 " || [ $i -ge 50 ]; do i=$((i + 1)); sleep 0.1; done
		ss -ltn >"$2"
		kill "$pid"; wait "$pid"' sh "$conf" "$work/ss" &&
		grep -q "127.0.0.1:8891 " "$work/ss"
}
check "live: opendkim -f -x opendkim.conf listens on 127.0.0.1:8891 and stops on SIGTERM" listens

# test mode (-t) runs the milter on a message from 127.0.0.1 (an internal host)
sign() { # FROM CONF
	printf 'From: %s\r\nTo: rcpt@dest.example\r\nSubject: test\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\nhello\r\n' "$1" >"$work/msg"
	# the header value is folded over several lines
	opendkim -vv -x "$2" -t "$work/msg" 2>&1 | tr -d '\n\t' | grep -o "hname='DKIM-Signature' hvalue='[^']*'" || true
}
signs() { # FROM DOMAIN SELECTOR [ALGORITHM [CONF]]
	sign "$1" "${5:-$conf}" | grep -q "hvalue='v=1; a=${4:-rsa-sha256}; c=relaxed/simple; d=$2; *s=$3;"
}
unsigned() { [ -z "$(sign "$1" "$conf")" ]; }
check "live: mail from example.com is signed d=example.com s=mail (shared key)" signs user@example.com example.com mail
check "live: mail from example.org is signed d=example.org s=mail (shared key)" signs user@example.org example.org mail
check "live: mail from example.net is signed d=example.net s=s1 (its own key)" signs user@example.net example.net s1
check "live: mail from another domain is not signed" unsigned user@other.example
check "live: a subdomain of a signing domain is not signed" unsigned user@sub.example.com

# Ed25519: one algorithm for all keys
ed=$work/ed
mkdir -p "$ed"
printf 'MAILNAME=mail.example.com\nUSE_DKIM=yes\nDKIM_DOMAINS=example.com\nDKIM_SIGNATURE_ALGORITHM=ed25519-sha256\n' >"$work/ed.env"
"$cli" dkim-keygen --domain example.com --selector mail --type ed25519 -o "$ed/etc/opendkim/dkim.key" >/dev/null
render "$ed" "$work/ed.env"
mapfile -t ed_env <"$work/ed.env"
ed_ok() { "$helper" dkim "$ed" "${ed_env[@]}" 2>"$work/err" && [ ! -s "$work/err" ]; }
check "ed25519: prc_dkim_check accepts the key" ed_ok
check "ed25519: mail is signed a=ed25519-sha256" signs user@example.com example.com mail ed25519-sha256 "$ed/etc/opendkim/opendkim.conf"

# a key below a world-writable directory: refused by both
chmod 1777 "$root/keys"
refused_by_check() {
	! "$helper" dkim "$root" "${live_env[@]}" 2>"$work/err" &&
		grep -q "directory $root/keys can be written by other users (mode 1777)" "$work/err"
}
refused_by_opendkim() { [ -z "$(sign user@example.net "$conf")" ]; }
check "unsafe directory: prc_dkim_check names it" refused_by_check
check "unsafe directory: opendkim refuses to sign with the key too" refused_by_opendkim

tap_summary
