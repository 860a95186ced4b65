#!/bin/bash
# Until `postrelaycfg apply` is built: render, postmap the tables, and the
# SASL users, roughly what apply does.  Figures taken with it are not
# reported (bench/run.sh says so in its output).
# Usage: apply-stand-in.sh POSTRELAYCFG ENV_FILE ROOT
set -eu
cli=$1
env=$2
root=$3
conf=$root/etc/postfix
"$cli" render --env-file "$env" --root "$root" -o "$conf" 2>/dev/null
mkdir -p "$root/var/spool/postfix" "$root/var/lib/postfix" "$root/var/log"
chown postfix: "$root/var/lib/postfix"
for t in sasl_passwd sender_relay; do
	[ ! -e "$conf/$t" ] || postmap -c "$conf" "hash:$conf/$t"
done
users=$(grep '^SMTPD_USERS=' "$env" | cut -d= -f2-) || true
IFS=, read -ra list <<<"$users"
for u in "${list[@]}"; do
	printf '%s' "${u#*:}" | saslpasswd2 -p -c -f "$conf/sasl/sasldb2" -u relay "${u%%:*}"
done
if ! grep -q '^USE_TLS=no' "$env" && [ ! -e "$root/etc/ssl/certs/ssl-cert-snakeoil.pem" ]; then
	mkdir -p "$root/etc/ssl/certs" "$root/etc/ssl/private"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj /CN=relay -keyout "$root/etc/ssl/private/ssl-cert-snakeoil.key" \
		-out "$root/etc/ssl/certs/ssl-cert-snakeoil.pem" 2>/dev/null
fi
