#!/bin/bash
# End-to-end suite: a relay built by `postrelaycfg apply --root`, real upstream
# servers (smtp-sink, and a second Postfix that requires AUTH over STARTTLS),
# real clients (swaks, smtp-source, openssl s_client), each host in its own
# network namespace.  Every scenario asserts what arrives upstream or the
# exact SMTP reply.  Prints "ok - name" / "not ok - name", and as its last
# line "N passed, N failed".  Needs root.  KEEP=1 keeps the work directory.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/integration
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR/../..
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || { echo "integration: must run as root (network namespaces)"; echo "0 passed, 1 failed"; exit 1; }

build=${BUILD_DIR:-$top/build-ci}
[ -d "$build" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
ninja -C "$build" >/dev/null
prc=$build/cli/postrelaycfg

work=$(mktemp -d /tmp/pri-e2e.XXXXXX)
chmod 755 "$work"
R=$work/relay   # the relay instance
A=$work/auth    # the upstream that requires AUTH over STARTTLS
mkdir -p "$R" "$A"

finish() {
	local rc=$?
	pf_stop relay "$R"
	pf_stop auth "$A"
	net_down
	if [ "${KEEP:-}" = 1 ]; then echo "# work directory kept: $work"; else rm -rf "$work"; fi
	[ "$completed" = 1 ] || not_ok "suite_runs_to_completion" "aborted with exit status $rc"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
completed=0
trap finish EXIT
trap 'exit 130' INT TERM

# ---- the network --------------------------------------------------------------
net_up
host relay 10   # the relay under test
host up1 20     # smtp-sink: RELAYHOST
host up2 21     # smtp-sinks: RELAYHOST_MAP targets, and one that rejects every RCPT
host auth 30    # Postfix that requires AUTH over STARTTLS, delivering to a local sink
host trust 40   # a client inside MYNETWORKS
host untr 100   # a client outside MYNETWORKS
RELAY4=$NET4.10
RELAY6=$NET6:10

sink up1 up1 ":25"
sink up1 up1 "[::]:25" -6
sink up2 up2 ":25"
sink up2 up3 ":2500"
sink up2 reject ":2626" -f RCPT
sink auth authsink "127.0.0.1:2600"

# Certificates: the relay's default one (until apply generates it) and a user's.
make_cert() {
	mkdir -p "$(dirname "$1")" "$(dirname "$2")"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$3" -keyout "$2" -out "$1" 2>/dev/null
}
make_cert "$R/etc/ssl/certs/ssl-cert-snakeoil.pem" "$R/etc/ssl/private/ssl-cert-snakeoil.key" relay.test.example
make_cert "$A/etc/ssl/certs/ssl-cert-snakeoil.pem" "$A/etc/ssl/private/ssl-cert-snakeoil.key" auth.test.example
make_cert "$work/user-cert.pem" "$work/user-key.pem" user-cert.test.example

# relayuser's password is "p:a,ss-word": a ':' and a ',' (escaped in the env form)
cat >"$work/auth.env" <<EOF
MAILNAME=auth.test.example
MYNETWORKS=127.0.0.0/8
RELAYHOST=[127.0.0.1]:2600
SMTPD_USERS=relayuser:p\\:a\\,ss-word,user2:user2-secret
LOGOUTPUT=$A/var/log/mail.log
EOF
apply_env "$A" "$work/auth.env"
pf_start auth "$A"

# relay CONFIG-LINES: (re)configure the relay with the base settings plus
# CONFIG-LINES, apply, and restart it with an empty queue
relay() {
	{
		echo "MAILNAME=relay.test.example"
		echo "MYNETWORKS=10.231.0.0/26, [fd00:231::]/121"
		echo "LOGOUTPUT=$R/var/log/mail.log"
		printf '%s\n' "$@"
	} >"$work/relay.env"
	pf_stop relay "$R"
	apply_env "$R" "$work/relay.env" || return 1
	postsuper -c "$R/etc/postfix" -d ALL >/dev/null 2>&1 || true
	pf_start relay "$R"
}

# a unique marker (tests run in subshells, so no counter)
marker() { echo "e2e-$(date +%s%N)"; }
# send CLIENT [swaks options]: a message with a fresh marker in Subject and body
send() {
	local h=$1
	shift
	m=$(marker)
	smtp "$h" "$@" --header "Subject: $m" --body "body of $m"
}

# ---- base: MYNETWORKS, SMTPD_USERS, TLS, message settings, passthrough --------
if relay "RELAYHOST=[$NET4.20]:25" \
	"SMTPD_USERS=alice:alice-secret,bob@example.com:bob-secret" \
	"SIZELIMIT=20000" "HEADER_CHECKS=true" "POSTFIX_ADD_MISSING_HEADERS=yes" \
	"BOUNCE_ADDRESS=notices@notices.example" \
	"RELAYHOST_MAP=@bounce.example:[$NET4.21]:2626" \
	"POSTCONF=smtpd_banner=\$myhostname ESMTP postrelay-e2e" \
	"POSTFIX_smtpd_recipient_limit=2"; then
	ok "apply_base_config_postconf_clean"
else
	not_ok "apply_base_config_postconf_clean"
fi

t_trusted() {
	send trust "$RELAY4" --from app@trust.test --to someone@dest.example || { echo "$out"; return 1; }
	f=$(arrived up1 "$m") && grep -q '^X-Rcpt-Args: <someone@dest.example>' "$f"
}
check relay_trusted_client_arrives_via_relayhost t_trusted

t_untrusted() {
	send untr "$RELAY4" --from app@untr.test --to someone@dest.example && return 1
	replied "554 5.7.1 <someone@dest.example>: Relay access denied" && not_arrived up1 "$m"
}
check relay_untrusted_client_denied_554 t_untrusted

t_own_domain() {
	send trust "$RELAY4" --to postmaster@relay.test.example || { echo "$out"; return 1; }
	arrived up1 "$m" >/dev/null
}
check mailname_domain_relayed_not_delivered_locally t_own_domain

t_no_auth_before_tls() {
	smtp untr "$RELAY4" --port 587 --quit-after EHLO || return 1
	! grep -q '^<-  250-AUTH' <<<"$out" || { echo "AUTH offered in plaintext: $out"; return 1; }
	smtp untr "$RELAY4" --port 587 -tls --quit-after HELO || { echo "$out"; return 1; }
	grep -q '^<~  250-AUTH PLAIN LOGIN' <<<"$out" || { echo "no AUTH after STARTTLS: $out"; return 1; }
}
check smtpd_users_auth_offered_only_after_starttls t_no_auth_before_tls

t_login() {
	send untr "$RELAY4" --port 587 -tls --auth PLAIN --auth-user "$1" --auth-password "$2" \
		--to someone@dest.example || { echo "$out"; return 1; }
	arrived up1 "$m" >/dev/null
}
check smtpd_users_login_on_587_relays t_login alice alice-secret
check smtpd_users_login_with_mailname_realm t_login alice@relay.test.example alice-secret
check smtpd_users_user_at_domain_login t_login bob@example.com bob-secret

t_wrong_password() {
	send untr "$RELAY4" --port 587 -tls --auth LOGIN --auth-user alice --auth-password wrong \
		--to someone@dest.example && return 1
	replied "535 5.7.8 Error: authentication failed"
}
check smtpd_users_wrong_password_535 t_wrong_password

# openssl s_client: STARTTLS on 25 serves the certificate at the default path
served_cert() {
	in_ns trust openssl s_client -connect "$RELAY4:25" -starttls smtp </dev/null 2>/dev/null |
		openssl x509 -noout -fingerprint -sha256
}
t_tls_default() {
	local want got
	want=$(openssl x509 -in "$R/etc/ssl/certs/ssl-cert-snakeoil.pem" -noout -fingerprint -sha256)
	got=$(served_cert)
	[ "$got" = "$want" ] || { echo "served '$got', expected '$want'"; return 1; }
}
check tls_starttls_serves_default_certificate t_tls_default

t_sizelimit() {
	local big
	big=$(head -c 30000 /dev/zero | tr '\0' 'x' | fold -w 76)
	m=$(marker)
	smtp trust "$RELAY4" --to someone@dest.example --header "Subject: $m" --body "$big" && return 1
	replied "552 5.3.4 Error: message file too big" && not_arrived up1 "$m"
}
check sizelimit_over_limit_552 t_sizelimit

t_header_checks() {
	send trust "$RELAY4" --to someone@dest.example --add-header "X-Mailer: leaky 1.0" \
		--add-header "User-Agent: leaky" --add-header "X-Originating-IP: [192.0.2.7]" \
		|| { echo "$out"; return 1; }
	f=$(arrived up1 "$m") || return 1
	# smtp-sink adds its own Received: line first; no other may remain
	if grep -E '^(X-Mailer|User-Agent|X-Originating-IP):' "$f" ||
		[ "$(grep -c '^Received:' "$f")" != 1 ]; then
		echo "privacy headers reached the upstream:"; cat "$f"; return 1
	fi
}
check header_checks_remove_privacy_headers t_header_checks

t_vrfy() {
	local r
	r=$(in_ns trust python3 -c "import smtplib; s = smtplib.SMTP('$RELAY4', 25); s.ehlo('t.test'); print(s.verify('postmaster')); s.quit()")
	[ "$r" = "(502, b'5.5.1 VRFY command is disabled')" ] || { echo "VRFY answered: $r"; return 1; }
}
check disable_vrfy_command_502 t_vrfy

t_missing_headers() {
	m=$(marker)
	smtp trust "$RELAY4" --from app@trust.test --to someone@dest.example \
		--data "Subject: $m\n\nno Date, From or Message-ID here\n" || { echo "$out"; return 1; }
	f=$(arrived up1 "$m") || return 1
	if ! grep -q '^Date: ' "$f" || ! grep -q '^Message-Id: <' "$f" ||
		! grep -q '^From: app@trust.test' "$f"; then
		echo "headers not added:"; cat "$f"; return 1
	fi
}
check add_missing_headers_adds_date_from_message_id t_missing_headers

t_bounce_notice() {
	send trust "$RELAY4" --from app@bounce.example --to someone@dest.example || { echo "$out"; return 1; }
	f=$(arrived up1 "Postmaster Copy: Undelivered Mail") || return 1
	if ! grep -q '^X-Rcpt-Args: <notices@notices.example>' "$f" || ! grep -qF "$m" "$f"; then
		echo "notice not for BOUNCE_ADDRESS:"; cat "$f"; return 1
	fi
}
check bounce_address_receives_bounce_notice t_bounce_notice

t_passthrough() {
	smtp trust "$RELAY4" --to a@dest.example,b@dest.example,c@dest.example --quit-after RCPT
	grep -qF '<-  220 relay.test.example ESMTP postrelay-e2e' <<<"$out" ||
		{ echo "POSTCONF banner not in effect: $out"; return 1; }
	replied "452 4.5.3 Error: too many recipients"
}
check postconf_and_postfix_passthrough_take_effect t_passthrough

t_logoutput() {
	send trust "$RELAY4" --to someone@dest.example || { echo "$out"; return 1; }
	arrived up1 "$m" >/dev/null || return 1
	logged "$R" "postfix/smtp\[[0-9]+\]: $(queue_id): to=<someone@dest.example>, relay=$NET4.20\[$NET4.20\]:25, .*status=sent"
}
check logoutput_file_gets_the_mail_log t_logoutput

t_ipv6_client() {
	send trust "[$RELAY6]" --to someone@dest.example || { echo "$out"; return 1; }
	arrived up1 "$m" >/dev/null
}
check inet_protocols_all_ipv6_client_relays t_ipv6_client

t_smtp_source() {
	local before after
	before=$(find "$work/sink-up1" -type f | wc -l)
	in_ns trust smtp-source -c -l 2048 -m 20 -s 4 -f load@trust.test -t someone@dest.example \
		"$RELAY4:25" >/dev/null || return 1
	for _ in $(seq 100); do
		after=$(find "$work/sink-up1" -type f | wc -l)
		[ $((after - before)) -ge 20 ] && return 0
		sleep 0.1
	done
	echo "only $((after - before)) of 20 messages arrived"
	return 1
}
check smtp_source_20_messages_arrive t_smtp_source

t_reapply_running() {
	"$prc" apply --env-file "$work/relay.env" --root "$R" || return 1
	postfix -c "$R/etc/postfix" reload >/dev/null 2>&1 || return 1
	send trust "$RELAY4" --to someone@dest.example || { echo "$out"; return 1; }
	arrived up1 "$m" >/dev/null
}
check reapply_and_reload_while_running_keeps_relaying t_reapply_running

# ---- RELAYHOST_AUTH against the AUTH upstream ----------------------------------
t_relay_auth() {
	relay "RELAYHOST=[$NET4.30]:587" "RELAYHOST_AUTH=yes" \
		"RELAYHOST_PASSWORDMAP=[$NET4.30]:587:relayuser:p\\:a\\,ss-word" || return 1
	send trust "$RELAY4" --to someone@dest.example || { echo "$out"; return 1; }
	arrived authsink "$m" >/dev/null &&
		logged "$A" "sasl_method=PLAIN, sasl_username=relayuser"
}
check relayhost_auth_password_with_colon_and_comma t_relay_auth

t_relay_auth_wrong() {
	relay "RELAYHOST=[$NET4.30]:587" "RELAYHOST_AUTH=yes" \
		"RELAYHOST_PASSWORDMAP=[$NET4.30]:587:relayuser:wrong" || return 1
	send trust "$RELAY4" --to someone@dest.example || { echo "$out"; return 1; }
	local q
	q=$(queue_id)
	logged "$R" "$q: to=<someone@dest.example>, .*status=deferred .*authentication failed" &&
		queued "$R" "$q" deferred && not_arrived authsink "$m"
}
check relayhost_auth_wrong_password_defers t_relay_auth_wrong

# ---- RELAYHOST_MAP ---------------------------------------------------------------
t_sender_map() {
	relay "RELAYHOST=[$NET4.20]:25" \
		"RELAYHOST_MAP=@one.example:[$NET4.21]:25,@two.example:[$NET4.21]:2500" || return 1
	send trust "$RELAY4" --from a@one.example --to x@dest.example || return 1
	local m1=$m
	send trust "$RELAY4" --from b@two.example --to x@dest.example || return 1
	local m2=$m
	send trust "$RELAY4" --from c@three.example --to x@dest.example || return 1
	arrived up2 "$m1" >/dev/null && arrived up3 "$m2" >/dev/null && arrived up1 "$m" >/dev/null &&
		not_arrived up1 "$m1" 0 && not_arrived up1 "$m2" 0
}
check relayhost_map_two_senders_two_upstreams t_sender_map

t_sender_map_auth() {
	relay "RELAYHOST=[$NET4.20]:25" "SENDER_DEPENDENT_RELAYHOST_AUTH=yes" \
		"RELAYHOST_MAP=@one.example:[$NET4.30]:587,@two.example:[$NET4.30]:25" \
		"RELAYHOST_PASSWORDMAP=[$NET4.30]:587:relayuser:p\\:a\\,ss-word,[$NET4.30]:25:user2:user2-secret" ||
		return 1
	send trust "$RELAY4" --from a@one.example --to x@dest.example || return 1
	local q1
	q1=$(queue_id)
	send trust "$RELAY4" --from b@two.example --to y@dest.example || return 1
	arrived authsink "$m" >/dev/null && logged "$A" "sasl_username=user2" &&
		logged "$R" "$q1: to=<x@dest.example>, relay=$NET4.30\[$NET4.30\]:587, .*status=sent"
}
check relayhost_map_per_sender_credentials t_sender_map_auth

# ---- rate limits ------------------------------------------------------------------
t_rate_limits() {
	relay "RELAYHOST=[$NET4.20]:25" "SMTP_DESTINATION_CONCURRENCY_LIMIT=2" \
		"SMTP_DESTINATION_RATE_DELAY=1s" "SMTP_EXTRA_RECIPIENT_LIMIT=5" || return 1
	local got
	got=$(postconf -c "$R/etc/postfix" -h smtp_destination_concurrency_limit \
		smtp_destination_rate_delay smtp_extra_recipient_limit | tr '\n' ' ')
	[ "$got" = "2 1s 5 " ] || { echo "postconf says: $got"; return 1; }
	send trust "$RELAY4" --to someone@dest.example || return 1
	arrived up1 "$m" >/dev/null
}
check rate_limit_settings_in_postconf_and_delivering t_rate_limits

# ---- TLS: user certificate, CLIENT_TLS_SECURITY_LEVEL=encrypt -----------------------
t_tls_user_cert_encrypt() {
	relay "RELAYHOST=[$NET4.20]:25" "CLIENT_TLS_SECURITY_LEVEL=encrypt" \
		"TLS_CRT=$work/user-cert.pem" "TLS_KEY=$work/user-key.pem" || return 1
	local want got
	want=$(openssl x509 -in "$work/user-cert.pem" -noout -fingerprint -sha256)
	got=$(served_cert)
	[ "$got" = "$want" ] || { echo "served '$got', expected the user's '$want'"; return 1; }
}
check tls_user_certificate_served t_tls_user_cert_encrypt

t_encrypt_plaintext_upstream() {
	send trust "$RELAY4" --to someone@dest.example || { echo "$out"; return 1; }
	local q
	q=$(queue_id)
	logged "$R" "$q: .*status=deferred .*TLS is required, but was not offered" &&
		queued "$R" "$q" deferred && not_arrived up1 "$m"
}
check client_tls_encrypt_refuses_plaintext_upstream t_encrypt_plaintext_upstream

# ---- INET_PROTOCOLS ------------------------------------------------------------------
t_ipv6_only() {
	relay "RELAYHOST=[ipv6:$NET6:20]:25" "INET_PROTOCOLS=ipv6" || return 1
	send trust "[$RELAY6]" --to someone@dest.example || { echo "$out"; return 1; }
	f=$(arrived up1 "$m") || return 1
	grep -q "^X-Client-Addr: ipv6:$NET6:10$" "$f" || { echo "not delivered over IPv6:"; cat "$f"; return 1; }
	smtp trust "$RELAY4" --quit-after CONNECT && { echo "IPv4 connection accepted"; return 1; }
	return 0
}
check inet_protocols_ipv6_relays_over_ipv6_only t_ipv6_only

completed=1
