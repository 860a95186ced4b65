#!/bin/bash
# Cross-checks with the openssl program: the self-signed certificate and key
# prc_tls_prepare() generates, files openssl makes going through its checks,
# and the public key in dkim-keygen / dkim-record output.
# Usage: tls-openssl.sh POSTRELAYCFG SOURCE_ROOT PREPARE_HELPER
set -eu
cli=$1
helper=$3
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

root=$work/root
crt=$root/etc/ssl/certs/ssl-cert-snakeoil.pem
key=$root/etc/ssl/private/ssl-cert-snakeoil.key
err=$work/err

generate() { "$helper" tls "$root" MAILNAME=mail.example.com 2>"$err" && [ ! -s "$err" ]; }
checkend() {
	openssl x509 -in "$crt" -noout -checkend 0 >/dev/null &&
		openssl x509 -in "$crt" -noout -checkend $((9 * 365 * 86400)) >/dev/null
}
names() {
	[ "$(openssl x509 -in "$crt" -noout -subject)" = "subject=CN = mail.example.com" ] &&
		[ "$(openssl x509 -in "$crt" -noout -ext subjectAltName | tail -n 1 | tr -d ' ')" = DNS:mail.example.com ] &&
		[ "$(openssl x509 -in "$crt" -noout -checkhost mail.example.com)" = "Hostname mail.example.com does match certificate" ]
}
verifies() { [ "$(openssl verify -CAfile "$crt" -purpose sslserver "$crt")" = "$crt: OK" ]; }
key_matches() { [ "$(openssl pkey -in "$key" -pubout)" = "$(openssl x509 -in "$crt" -noout -pubkey)" ]; }
key_type() { openssl pkey -in "$key" -noout -text | grep -qx 'ASN1 OID: prime256v1'; }
key_mode() { [ "$(stat -c %a "$key")" = 600 ] && [ "$(stat -c %a "$crt")" = 644 ]; }
kept() {
	cp "$crt" "$work/before.pem"
	"$helper" tls "$root" MAILNAME=mail.example.com 2>"$err" && [ ! -s "$err" ] &&
		cmp -s "$crt" "$work/before.pem"
}
check "prepare generates the default certificate without a diagnostic" generate
check "openssl x509 -checkend: valid now and for nine more years" checkend
check "certificate names MAILNAME in CN and subjectAltName" names
check "openssl verify accepts the self-signed certificate as a server certificate" verifies
check "openssl pkey -pubout of the key equals the certificate's public key" key_matches
check "the key is EC P-256" key_type
check "key mode 600, certificate mode 644" key_mode
check "a second prepare keeps the certificate" kept

# files made by openssl go through the checks: accepted, or the mismatch named
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.example.com \
	-addext subjectAltName=DNS:mail.example.com -days 30 \
	-keyout "$work/u.key" -out "$work/u.crt" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/other.key" 2>/dev/null
user_pair_ok() {
	"$helper" tls "$root" MAILNAME=mail.example.com TLS_CRT="$work/u.crt" TLS_KEY="$work/u.key" \
		CLIENT_TLS_CA="$work/u.crt" 2>"$err" && [ ! -s "$err" ]
}
user_pair_mismatch() {
	! "$helper" tls "$root" MAILNAME=mail.example.com TLS_CRT="$work/u.crt" \
		TLS_KEY="$work/other.key" 2>"$err" &&
		[ "$(cat "$err")" = "prepare-helper: error: env:TLS_KEY: $work/other.key: the key does not match the certificate in $work/u.crt (TLS_CRT)" ]
}
check "an RSA pair made by openssl req passes the checks" user_pair_ok
check "a key openssl made for another certificate is named as a mismatch" user_pair_mismatch

# DKIM: the p= of the record is the public key openssl derives
txt() { grep -o '"[^"]*"' "$1" | tr -d '"\n'; }
short_strings() { ! grep -o '"[^"]*"' "$1" | awk 'length($0) > 257 { bad = 1 } END { exit !bad }'; }
nstrings() { grep -o '"[^"]*"' "$1" | wc -l; }
rsa_record() {
	"$cli" dkim-keygen --domain example.com --selector mail -o "$work/dkim/rsa.key" >"$work/rsa.txt" &&
		[ "$(txt "$work/rsa.txt")" = "v=DKIM1; k=rsa; p=$(openssl pkey -in "$work/dkim/rsa.key" -pubout -outform DER | base64 -w0)" ] &&
		grep -q '^mail._domainkey.example.com IN TXT ( "' "$work/rsa.txt" &&
		short_strings "$work/rsa.txt" && [ "$(nstrings "$work/rsa.txt")" = 2 ]
}
rsa_key() {
	[ "$(stat -c %a "$work/dkim/rsa.key")" = 600 ] &&
		openssl pkey -in "$work/dkim/rsa.key" -noout -text | grep -q '^Private-Key: (2048 bit, 2 primes)$'
}
ed_record() {
	"$cli" dkim-keygen --domain example.net --selector s1 --type ed25519 -o "$work/dkim/ed.key" >"$work/ed.txt" &&
		[ "$(cat "$work/ed.txt")" = "s1._domainkey.example.net IN TXT ( \"v=DKIM1; k=ed25519; p=$(openssl pkey -in "$work/dkim/ed.key" -pubout -outform DER | tail -c 32 | base64 -w0)\" )" ]
}
openssl_key_record() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$work/r3072.key" 2>/dev/null &&
		"$cli" dkim-record --key "$work/r3072.key" --domain example.org --selector big >"$work/r3072.txt" &&
		[ "$(txt "$work/r3072.txt")" = "v=DKIM1; k=rsa; p=$(openssl pkey -in "$work/r3072.key" -pubout -outform DER | base64 -w0)" ] &&
		short_strings "$work/r3072.txt" && [ "$(nstrings "$work/r3072.txt")" = 3 ]
}
no_overwrite() {
	cp "$work/dkim/rsa.key" "$work/keep.key"
	local rc=0
	"$cli" dkim-keygen --domain example.com --selector mail -o "$work/dkim/rsa.key" >/dev/null 2>"$err" || rc=$?
	[ "$rc" = 74 ] && cmp -s "$work/dkim/rsa.key" "$work/keep.key"
}
ec_refused() {
	local rc=0
	"$cli" dkim-record --key "$work/other.key" --domain example.com --selector mail >/dev/null 2>"$err" || rc=$?
	[ "$rc" = 78 ] &&
		[ "$(cat "$err")" = "postrelaycfg: error: $work/other.key: holds a key of a type DKIM cannot use (RSA or Ed25519 needed)" ]
}
check "dkim-keygen RSA: p= equals openssl pkey -pubout, 2 strings of <= 255 characters" rsa_record
check "dkim-keygen RSA: 2048-bit key, mode 600" rsa_key
check "dkim-keygen Ed25519: p= is the raw public key openssl derives" ed_record
check "dkim-record of an openssl RSA-3072 key: same public key, 3 strings of <= 255" openssl_key_record
check "dkim-keygen never replaces an existing key (exit 74)" no_overwrite
check "dkim-record refuses an EC key (exit 78)" ec_refused

tap_summary
