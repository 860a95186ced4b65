#!/bin/bash
# shellcheck disable=SC2016 # Postfix $parameters are meant literally
# The conventional baseline: configure the same relay as `postrelaycfg apply`
# the way entrypoint scripts do it (the seed image's way): start from Debian's
# default main.cf/master.cf, one `postconf -e` per parameter, the tables with
# postmap, one saslpasswd2 per SMTP AUTH user, a self-signed certificate with
# `openssl req`, the OpenDKIM files with here-documents, then
# `postfix set-permissions` and `postfix check`.
#
# Usage: baseline-configure.sh ENV_FILE ROOT
# ENV_FILE holds NAME=value lines (the variables of bench/typical.env); the
# instance goes under ROOT (never the machine's /etc/postfix).
set -eu
envfile=$1
root=$2

# Plain shell variables, not exported: a 100 000-entry map is far over the
# kernel's limit for one environment string.
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	declare -- "$line"
done <"$envfile"

conf=$root/etc/postfix
dkim=$root/etc/opendkim
crt=$root/etc/ssl/certs/ssl-cert-snakeoil.pem
key=$root/etc/ssl/private/ssl-cert-snakeoil.key
mkdir -p "$conf/sasl" "$dkim" "$root/etc/ssl/certs" "$root/etc/ssl/private" \
	"$root/var/spool/postfix" "$root/var/lib/postfix"
cp /usr/share/postfix/main.cf.debian "$conf/main.cf"
cp /usr/share/postfix/master.cf.dist "$conf/master.cf"

pc() { postconf -c "$conf" -e "$1"; }
pc "queue_directory=$root/var/spool/postfix"
pc "data_directory=$root/var/lib/postfix"
pc "myhostname=$MAILNAME"
pc 'smtpd_banner=$myhostname ESMTP'
pc "mydestination="
pc "local_recipient_maps="
pc "local_transport=error:5.1.1 local delivery is disabled on this relay"
pc "alias_maps="
pc "alias_database="
pc "inet_interfaces=all"
pc "inet_protocols=$INET_PROTOCOLS"
pc "mynetworks=$MYNETWORKS"
pc "smtpd_relay_restrictions=permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"
pc "disable_vrfy_command=$DISABLE_VRFY_COMMAND"
pc "smtpd_helo_required=yes"
pc "smtpd_forbid_bare_newline=normalize"
pc "smtpd_forbid_unauth_pipelining=yes"
pc "message_size_limit=$((${SIZELIMIT%M} * 1048576))"
pc "mailbox_size_limit=0"
pc "always_add_missing_headers=$POSTFIX_ADD_MISSING_HEADERS"
if [ "$HEADER_CHECKS" = true ]; then
	printf '%s\n' '/^Received:/ IGNORE' '/^X-Originating-IP:/ IGNORE' '/^X-Mailer:/ IGNORE' \
		'/^User-Agent:/ IGNORE' >"$conf/header_checks"
	pc 'header_checks=regexp:${config_directory}/header_checks'
fi
pc "smtp_destination_concurrency_limit=$SMTP_DESTINATION_CONCURRENCY_LIMIT"
pc "smtp_destination_rate_delay=$SMTP_DESTINATION_RATE_DELAY"
pc "smtp_extra_recipient_limit=$SMTP_EXTRA_RECIPIENT_LIMIT"
pc "relayhost=$RELAYHOST"

# relay credentials: [host]:port:user:pass, host:user:pass or user:pass
printf '%s\n' "$RELAYHOST_PASSWORDMAP" | tr ',' '\n' | sed -E \
	-e 's/^(\[[^]]*\](:[0-9]+)?):([^:]*):(.*)$/\1 \3:\4/; t' \
	-e 's/^([^:]*):([^:]*):(.*)$/\1 \2:\3/; t' \
	-e "s/^([^:]*):(.*)\$/$RELAYHOST \\1:\\2/" >"$conf/sasl_passwd"
chmod 600 "$conf/sasl_passwd"
postmap -c "$conf" "hash:$conf/sasl_passwd"
printf '%s\n' "$RELAYHOST_MAP" | tr ',' '\n' | sed 's/:/ /' >"$conf/sender_relay"
postmap -c "$conf" "hash:$conf/sender_relay"
pc 'sender_dependent_relayhost_maps=hash:${config_directory}/sender_relay'
pc "smtp_sasl_auth_enable=yes"
pc 'smtp_sasl_password_maps=hash:${config_directory}/sasl_passwd'
pc "smtp_sasl_security_options=noanonymous"
pc "smtp_sasl_tls_security_options=noanonymous"
pc "smtp_sender_dependent_authentication=$SENDER_DEPENDENT_RELAYHOST_AUTH"

# SMTP AUTH users in a sasldb
printf '%s\n' 'pwcheck_method: auxprop' 'auxprop_plugin: sasldb' 'mech_list: PLAIN LOGIN' \
	"sasldb_path: $conf/sasl/sasldb2" >"$conf/sasl/smtpd.conf"
IFS=, read -ra users <<<"$SMTPD_USERS"
for u in "${users[@]}"; do
	printf '%s' "${u#*:}" | saslpasswd2 -p -c -f "$conf/sasl/sasldb2" -u "$MAILNAME" "${u%%:*}"
done
chown root:postfix "$conf/sasl/sasldb2"
chmod 640 "$conf/sasl/sasldb2"
pc "smtpd_sasl_auth_enable=yes"
pc "smtpd_sasl_type=cyrus"
pc "smtpd_sasl_path=smtpd"
pc 'smtpd_sasl_local_domain=$myhostname'
pc "smtpd_sasl_security_options=noanonymous"
pc "smtpd_sasl_tls_security_options=noanonymous"
pc "broken_sasl_auth_clients=yes"

# TLS: a self-signed certificate when there is none (EC P-256, as apply makes)
if [ "$USE_TLS" = yes ] && [ ! -e "$crt" ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/CN=$MAILNAME" -addext "subjectAltName=DNS:$MAILNAME" \
		-keyout "$key" -out "$crt" 2>/dev/null
	chmod 600 "$key"
fi
pc "smtpd_tls_security_level=$TLS_SECURITY_LEVEL"
pc "smtpd_tls_cert_file=$crt"
pc "smtpd_tls_key_file=$key"
pc "smtpd_tls_auth_only=yes"
pc "smtpd_tls_loglevel=1"
pc "smtpd_tls_received_header=yes"
pc "smtp_tls_security_level=$CLIENT_TLS_SECURITY_LEVEL"
pc "smtp_tls_cert_file=$crt"
pc "smtp_tls_key_file=$key"
pc "smtp_tls_CApath=/etc/ssl/certs"
pc "smtp_tls_loglevel=1"

# DKIM: OpenDKIM's files, and the key must be a readable private key
if [ "$USE_DKIM" = yes ]; then
	openssl pkey -in "$dkim/dkim.key" -noout
	cat >"$dkim/opendkim.conf" <<-EOF
		Syslog yes
		UMask 002
		Socket ${DKIM_SOCKET:-inet:8891@127.0.0.1}
		KeyTable refile:$dkim/KeyTable
		SigningTable refile:$dkim/SigningTable
		InternalHosts refile:$dkim/TrustedHosts
		ExternalIgnoreList refile:$dkim/TrustedHosts
		OversignHeaders $DKIM_OVERSIGN_HEADERS
		SenderHeaders $DKIM_SENDER_HEADERS
		SignHeaders $DKIM_SIGN_HEADERS
		OmitHeaders $DKIM_OMIT_HEADERS
	EOF
	: >"$dkim/KeyTable"
	: >"$dkim/SigningTable"
	IFS=, read -ra domains <<<"$DKIM_DOMAINS"
	for d in "${domains[@]}"; do
		echo "$DKIM_SELECTOR._domainkey.$d $d:$DKIM_SELECTOR:$dkim/dkim.key" >>"$dkim/KeyTable"
		echo "*@$d $DKIM_SELECTOR._domainkey.$d" >>"$dkim/SigningTable"
	done
	printf '%s\n' "$DKIM_INTERNALHOSTS" | tr ',' '\n' >"$dkim/TrustedHosts"
	pc "smtpd_milters=inet:127.0.0.1:8891"
	pc 'non_smtpd_milters=$smtpd_milters'
	pc "milter_default_action=tempfail"
	pc "milter_protocol=6"
fi

pc "notify_classes=bounce, resource, software"
pc "bounce_notice_recipient=$BOUNCE_ADDRESS"
pc "maillog_file=$LOGOUTPUT"
pc "maillog_file_prefixes=/var, /dev/stdout, ${LOGOUTPUT%/*}"
IFS=';' read -ra params <<<"$POSTCONF"
for p in "${params[@]}"; do pc "$p"; done

# master.cf: submission and 2525 beside smtp, no chroot
postconf -c "$conf" -Me 'submission/inet=submission inet n - n - - smtpd'
postconf -c "$conf" -Me '2525/inet=2525 inet n - n - - smtpd'
postconf -c "$conf" -F '*/*/chroot=n'

if [ -e /usr/share/man/man1/mailq.1.gz ]; then
	postfix -c "$conf" set-permissions
else
	# slim container images drop the man pages: set-permissions fails on them,
	# the last entries of postfix-files, after everything else is done
	postfix -c "$conf" set-permissions >/dev/null 2>&1 || true
fi
postfix -c "$conf" check
