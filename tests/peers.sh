#!/bin/bash
# The other relay images' variables (boky/postfix, mwader/postfix-relay) and
# `migrate`: the refused ones are each named in an exact warning, the
# understood ones show their peer variable as origin, and the YAML that
# `migrate` prints renders the same files as the environment it came from.
# (Refusals that are errors are in the bad-input corpus, tests/data/bad/peer-*.)
# Usage: peers.sh POSTRELAYCFG SOURCE_ROOT   (PEERS_UPDATE=1 rewrites refused.expected)
set -eu
cli=$(realpath "$1")
src=$(realpath "$2")
data=$src/tests/data/peers
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
cd "$data"

# every warning of lib/peers.def, exactly
rc=0
env -i "$cli" check --env-file refused.env --no-env 2>"$work/err" || rc=$?
[ "${PEERS_UPDATE:-}" != 1 ] || cp "$work/err" refused.expected
if [ "$rc" = 0 ] && cmp -s refused.expected "$work/err"; then
	ok "refused variables: one exact warning each (exit 0)"
else
	notok "refused variables: exit $rc" "$(diff refused.expected "$work/err" || true)"
fi
# each row of the table has its variable in refused.env or an error case in the corpus
while read -r name; do
	if grep -q "^$name" refused.env || grep -qs "^$name" "$src"/tests/data/bad/peer-*.env; then
		ok "peers.def row $name has a case"
	else
		notok "peers.def row $name has no case"
	fi
done < <(sed -n 's/^P("\([^"]*\)".*/\1/p' "$src/lib/peers.def" | sort -u)

# an empty variable is an unset one: nothing to refuse
expect "empty refused variable is unset" 0 env MAILNAME=relay.example.com ANONYMIZE_EMAILS= "$cli" check
same "empty refused variable: no diagnostic" "$work/err" ""

# the understood variables, with the peer variable as origin
expect "boky README environment is valid" 0 "$cli" print --env-file boky-readme.env --no-env
for line in 'mailname: relay.example.com  # env:POSTFIX_myhostname' \
	'  auth: true  # env:RELAYHOST_PASSWORD' \
	'  credentials:  # env:RELAYHOST_PASSWORD' \
	'  users:  # env:SMTPD_SASL_USERS' \
	'  privacy_checks: true  # env:SMTP_HEADER_CHECKS'; do
	if grep -qxF "$line" "$work/out"; then ok "print: $line"; else notok "print lacks: $line"; fi
done
expect "boky: POSTFIX_myhostname alone names the host" 0 \
	env POSTFIX_myhostname=relay.example.com "$cli" check
expect "boky password file, SASL_RELAYHOST, header table" 0 "$cli" render --env-file boky-file.env --no-env -o "$work/r"
grep -v '^#' "$work/r/sasl_passwd" >"$work/creds"
same "sasl_passwd key is SASL_RELAYHOST" "$work/creds" "smtp.example.net relay@example.com:hunter2"
if grep -qxF 'smtp_header_checks = regexp:/etc/postfix/smtp_header_checks' "$work/r/main.cf"; then
	ok "SMTP_HEADER_CHECKS table is smtp_header_checks"
else notok "SMTP_HEADER_CHECKS table not in main.cf"; fi

# master.cf lines: in the plan's services, as postconf -M reads them
expect "mwader master.cf lines" 0 "$cli" render --env-file mwader-readme.env --no-env -o "$work/m"
postconf -c "$work/m" -M submission/inet 10025/inet >"$work/svc" 2>&1 || true
same "postconf -M reads the overridden and the added service" "$work/svc" \
	"submission inet  n       -       n       -       -       smtpd -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes
10025      inet  n       -       n       -       -       smtpd -o syslog_name=postfix/10025"
if [ "$(grep -c '^submission ' "$work/m/master.cf")" = 1 ]; then ok "the override replaces the service (one submission line)"; else notok "submission twice in master.cf"; fi

# migrate: usage
expect "migrate without --from" 64 "$cli" migrate --no-env
expect "migrate --from unknown" 64 "$cli" migrate --from docker-mailserver --no-env
expect "migrate of an invalid environment" 78 \
	env MAILNAME=relay.example.com ANONYMIZE_EMAILS=1 "$cli" migrate --from boky
if [ -s "$work/out" ]; then notok "invalid environment printed YAML"; else ok "invalid environment: no YAML"; fi

# migrate: no secret unless asked, and each variable that does not carry over is a comment
expect "migrate --from boky" 0 "$cli" migrate --from boky --env-file boky-readme.env --no-env
if grep -qF 'pass:word' "$work/out" || grep -qF 'secret1' "$work/out"; then
	notok "migrate printed a secret without --with-secrets"
else ok "migrate: no secret without --with-secrets"; fi
if grep -qxF "#   env:INBOUND_DEBUGGING: ignored (a boky/postfix variable postrelay does not read): use POSTFIX_debug_peer_list=<client address> (and POSTFIX_debug_peer_level) instead" "$work/out"; then
	ok "migrate: a dropped variable is a comment"
else notok "migrate: no comment for INBOUND_DEBUGGING"; fi

# migrate --with-secrets, loaded back with -c --no-env, renders the same files.
# Differences of form only: the origin comments of passthrough parameters in
# main.cf and of OpenDKIM's trusted hosts, and the separators of a MYNETWORKS
# written with blanks and commas mixed (YAML has a list; the env form's text
# is kept).
normalize() {
	sed -i -e '/^# \^ set by /d' -e '/^mynetworks = /s/[, ]\+/, /g' "$1/main.cf"
	grep -rlE '^# DKIM_(INTERNALHOSTS|EXTERNALIGNORE) is not set' "$1" | xargs -r sed -i -E '/^# DKIM_(INTERNALHOSTS|EXTERNALIGNORE) is not set/s/ \(.*\)$//'
}
for envf in "$src"/examples/*.env "$data"/boky-*.env "$data"/mwader-*.env; do
	name=${envf#"$src"/}
	rm -rf "$work/a" "$work/b"
	from=panubo
	case $envf in */boky-*) from=boky ;; */mwader-*) from=mwader ;; esac
	if ! (cd "$(dirname "$envf")" && env -i "$cli" render --env-file "$envf" --no-env -o "$work/a" 2>/dev/null &&
		env -i "$cli" migrate --from "$from" --with-secrets --env-file "$envf" --no-env >"$work/m.yaml" 2>/dev/null &&
		env -i "$cli" render -c "$work/m.yaml" --no-env -o "$work/b" 2>"$work/err"); then
		notok "migrate $name: $(cat "$work/err")"
		continue
	fi
	normalize "$work/a"
	normalize "$work/b"
	if diff -r "$work/a" "$work/b" >"$work/diff"; then
		ok "migrate $name renders the same files"
	else
		notok "migrate $name renders differently" "$(head -20 "$work/diff")"
	fi
done
tap_summary
