#!/bin/bash
# The CLI: exit codes, help, diagnostics on stderr, print redaction, the seed
# image's own postconf checks, and the README's settings table.
# Usage: cli.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
first_err() { # first_err NAME TEXT: the first line of stderr is TEXT
	head -n 1 "$work/err" >"$work/err1"
	same "$1" "$work/err1" "$2"
}

expect "no command is a usage error" 64 "$cli"
expect "--help" 0 "$cli" --help
check "--help lists render" grep -q '^  render ' "$work/out"
for c in check render print settings schema dkim-keygen dkim-record apply; do
	expect "$c --help" 0 "$cli" "$c" --help
done
expect "settings --format scdoc" 0 "$cli" settings --format scdoc
check "settings --format scdoc starts with the first setting" test "$(head -n 1 "$work/out")" = "*mailname*"
expect "settings --format of an unknown format" 64 "$cli" settings --format html
same "unknown format message" "$work/err" "postrelaycfg: error: --format: unknown format 'html'
usage: postrelaycfg settings [--format markdown|scdoc] (see --help)"
expect "unknown command" 64 "$cli" frobnicate
same "unknown command message" "$work/err" "postrelaycfg: error: unknown command 'frobnicate'
usage: postrelaycfg COMMAND [OPTIONS]

commands:
  check          validate the configuration and print every diagnostic
  render         write the configuration files into a directory
  print          print the resolved settings as YAML with their origins
  migrate        print the YAML equivalent of a boky, mwader or panubo environment
  settings       print the settings reference table (Markdown or scdoc)
  schema         print the JSON Schema of the YAML configuration file
  dkim-keygen    make a DKIM private key and print its DNS record
  dkim-record    print the DNS TXT record of a DKIM private key
  apply          install the configuration: files, tables, SASL users, directories
  get            print resolved setting values, one per line
  health         check that Postfix (and the DKIM milter) listen; quiet when healthy
  watch          reload Postfix when a TLS certificate, key or CA file changes
  oauth2-refresh keep the XOAUTH2 relay login's access token fresh
  env-secrets    move secret settings from the environment into 0600 files
  log-json       print log lines from stdin as JSON objects (LOG_FORMAT=json)

'postrelaycfg COMMAND --help' describes a command's options.
exit codes: 0 ok, 64 usage, 70 internal error, 74 I/O error, 78 invalid configuration"
expect "unknown option" 64 "$cli" check --bogus
same "unknown option message names the program and the command" "$work/err" \
	"postrelaycfg: error: check: unknown option '--bogus'
usage: postrelaycfg check [-c FILE] [--env-file FILE] [--no-env] (see --help)"
expect "unknown short option" 64 "$cli" apply -x
first_err "unknown short option message" \
	"postrelaycfg: error: apply: unknown option '-x'"
expect "option without its value" 64 "$cli" render -o
first_err "option without its value message" \
	"postrelaycfg: error: render: option '-o' needs a value"
expect "long option without its value" 64 "$cli" print --env-file
first_err "long option without its value message" \
	"postrelaycfg: error: print: option '--env-file' needs a value"
expect "value for an option that takes none" 64 "$cli" check --no-env=yes
first_err "value for an option that takes none message" \
	"postrelaycfg: error: check: option '--no-env' takes no value"
expect "render without -o" 64 "$cli" render
same "render without -o says so" "$work/err" "postrelaycfg: error: render needs -o DIR
usage: postrelaycfg render [-c FILE] [--env-file FILE] [--no-env] -o DIR [--dkim-dir DIR] (see --help)"

expect "check of a valid environment" 0 MAILNAME=mail.example.com "$cli" check
same "valid check is silent" "$work/err" ""
expect "check of an invalid environment" 78 MAILNAME=mail.example.com \
	RELAYHOST_PASSWORDMAP='[a.example]:587:u:p,broken' "$cli" check
same "invalid check prints the diagnostic" "$work/err" \
	"postrelaycfg: error: env:RELAYHOST_PASSWORDMAP: entry 2: expected [host]:port:user:password, host:user:password or user:password"
expect "check reports validation errors too" 78 RELAYHOST_AUTH=yes SIZELIMIT=x "$cli" check
same "check reports every error" "$work/err" \
	"postrelaycfg: error: env:SIZELIMIT: 'x': expected a size in bytes, optionally with a k, M or G suffix
postrelaycfg: error: env:MAILNAME: MAILNAME is required: set it to this relay's fully qualified host name, e.g. mail.example.com
postrelaycfg: error: env:RELAYHOST_AUTH: RELAYHOST_AUTH=yes needs RELAYHOST"
expect "--no-env ignores the environment" 78 MAILNAME=mail.example.com "$cli" check --no-env
expect "missing --env-file is an I/O error" 74 "$cli" check --env-file "$work/none.env"

mkdir -p "$work/ro"
: >"$work/ro/blocker"
expect "render into an unusable directory is an I/O error" 74 MAILNAME=mail.example.com \
	"$cli" render -o "$work/ro/blocker/x"
expect "render of an invalid config" 78 "$cli" render -o "$work/never"
check "invalid render creates nothing" test ! -e "$work/never"

# print: origins and redaction of a planted password
expect "print" 0 MAILNAME=mail.example.com RELAYHOST='[r.example]:587' RELAYHOST_AUTH=yes \
	RELAYHOST_PASSWORDMAP='u:PLANTED-s3cret' SMTPD_USERS='app:PLANTED-2' "$cli" print
if grep -q PLANTED "$work/out" "$work/err"; then notok "print leaks a password"; else ok "print redacts passwords"; fi
check "print shows the origin" grep -qxF '  host: "[r.example]:587"  # env:RELAYHOST' "$work/out"
check "print shows env origin" grep -qxF 'mailname: mail.example.com  # env:MAILNAME' "$work/out"
check "print shows defaults" grep -qxF '  message_size: 15728640  # default' "$work/out"

# a FIFO is refused at once by every file reader, naming the path (a reader
# that opened it blocking would wait for a writer forever: timeout turns that
# into a failure, exit 124)
mkfifo "$work/fifo"
expect "dkim-record --key FIFO is refused" 78 timeout 10 "$cli" dkim-record --key "$work/fifo" \
	--domain example.com --selector mail
same "dkim-record --key FIFO names the path" "$work/err" \
	"postrelaycfg: error: $work/fifo: cannot read: not a regular file"
expect "RELAYHOST_PASSWORDMAP_FILE=FIFO is refused" 78 timeout 10 env MAILNAME=mail.example.com \
	RELAYHOST_PASSWORDMAP_FILE="$work/fifo" "$cli" check
same "RELAYHOST_PASSWORDMAP_FILE=FIFO names the path" "$work/err" \
	"postrelaycfg: error: env:RELAYHOST_PASSWORDMAP_FILE: $work/fifo: not a regular file"

# the seed image's own checks: postconf -h returns exactly these values
expect "seed settings render" 0 MAILNAME=test.example.com MYNETWORKS="10.0.0.0/8 127.0.0.0/8" \
	SIZELIMIT=20480000 RELAYHOST='[mail.example.com]:587' POSTFIX_ADD_MISSING_HEADERS=yes \
	INET_PROTOCOLS=ipv4 DISABLE_VRFY_COMMAND=no "$cli" render -o "$work/seed"
check_param() {
	local got
	got=$(postconf -c "$work/seed" -h "$1" 2>&1)
	if [ "$got" = "$2" ]; then ok "seed: $1 = $2"; else notok "seed: $1 = '$got', wanted '$2'"; fi
}
check_param myhostname test.example.com
check_param mynetworks "10.0.0.0/8 127.0.0.0/8"
check_param message_size_limit 20480000
check_param relayhost "[mail.example.com]:587"
check_param always_add_missing_headers yes
check_param inet_protocols ipv4
check_param disable_vrfy_command no
check_param mydestination ""

# passthrough names Postfix does not know are named, with the nearest one
expect "a misspelt passthrough parameter is a warning" 0 MAILNAME=mail.example.com \
	POSTFIX_mynetwork=10.0.0.0/8 "$cli" check
same "a misspelt passthrough parameter names the nearest one" "$work/err" \
	"postrelaycfg: warning: env:POSTFIX_mynetwork: parameter mynetwork: not a Postfix parameter, Postfix ignores it (did you mean POSTFIX_mynetworks?)"
printf 'mailname: mail.example.com\npostfix:\n  parameters:\n    smtp_tls_loglevl: 1\n' >"$work/typo.yaml"
expect "a misspelt YAML parameter is a warning" 0 "$cli" check --no-env -c "$work/typo.yaml"
same "a misspelt YAML parameter names the nearest one as a YAML key" "$work/err" \
	"postrelaycfg: warning: $work/typo.yaml:4:5: parameter smtp_tls_loglevl: not a Postfix parameter, Postfix ignores it (did you mean smtp_tls_loglevel?)"
expect "transport-specific overrides and \$-referenced names are Postfix parameters" 0 \
	MAILNAME=mail.example.com POSTFIX_relay_destination_rate_delay=1s \
	POSTFIX_my_checks=reject_unknown_sender_domain \
	"POSTFIX_smtpd_sender_restrictions=\$my_checks" "$cli" check
same "no warning for them" "$work/err" ""
expect "a name that is no parameter at all is a warning without a guess" 0 \
	MAILNAME=mail.example.com POSTFIX_zzqqxx=1 "$cli" check
same "the warning without a guess" "$work/err" \
	"postrelaycfg: warning: env:POSTFIX_zzqqxx: parameter zzqqxx: not a Postfix parameter, Postfix ignores it"
if command -v postconf >/dev/null; then
	"$src/scripts/gen-postfix-params.sh" "$work/params.c"
	check "lib/postfix-params.c lists the installed Postfix's parameters" \
		cmp -s "$work/params.c" "$src/lib/postfix-params.c"
fi

# the README's settings table is the settings table
"$cli" settings >"$work/table"
sed -n '/^<!-- settings-table:begin -->$/,/^<!-- settings-table:end -->$/p' "$src/README.md" |
	sed '1d;$d' >"$work/readme-table"
if [ -s "$work/readme-table" ] && diff -u "$work/table" "$work/readme-table" >"$work/diff"; then
	ok "README settings table matches the settings table"
else
	notok "README settings table differs from 'postrelaycfg settings'"
	cat "$work/diff"
fi

# env-secrets: the settings table's secret variables go to 0600 files, named on stdout
sec=$work/secrets
mkdir -p "$sec" && : >"$sec/SMTPD_USERS"
expect "env-secrets" 0 env XOAUTH2_SECRET='s3:cr,et' SMTPD_USERS= \
	RELAYHOST_PASSWORDMAP='h:u:p\:w' MAILNAME=m.example.com "$cli" env-secrets "$sec"
same "env-secrets names the secret variables set, in table order" "$work/out" \
	"RELAYHOST_PASSWORDMAP
XOAUTH2_SECRET
SMTPD_USERS"
same "env-secrets writes the value as it is" "$sec/XOAUTH2_SECRET" 's3:cr,et'
same "env-secrets keeps the escapes" "$sec/RELAYHOST_PASSWORDMAP" 'h:u:p\:w'
check "env-secrets files are 0600, the directory 0700" \
	test "$(stat -c %a "$sec" "$sec/XOAUTH2_SECRET" | tr '\n' ' ')" = "700 600 "
check "env-secrets removes the file of an empty secret" test ! -e "$sec/SMTPD_USERS"
check "env-secrets writes no file for MAILNAME" test ! -e "$sec/MAILNAME"
expect "env-secrets needs an absolute DIR" 64 "$cli" env-secrets relative
# the files give the same configuration as the variables
expect "render with an env-secrets file as NAME_FILE" 0 env \
	RELAYHOST_PASSWORDMAP_FILE="$sec/RELAYHOST_PASSWORDMAP" MAILNAME=m.example.com \
	RELAYHOST=h RELAYHOST_AUTH=yes "$cli" render -o "$work/sec-out"
check "env-secrets files read back through NAME_FILE" grep -qxF 'h u:p:w' "$work/sec-out/sasl_passwd"
# the other images' secret variables too (boky's RELAYHOST_PASSWORD, SMTPD_SASL_USERS)
expect "env-secrets of boky's variables" 0 env RELAYHOST_PASSWORD='p,w' SMTPD_SASL_USERS='al:pw' \
	MAILNAME=m.example.com "$cli" env-secrets "$sec"
same "env-secrets names boky's secret variables" "$work/out" "RELAYHOST_PASSWORD
SMTPD_SASL_USERS"
expect "SMTPD_SASL_USERS_FILE reads the users from the file" 0 env \
	SMTPD_SASL_USERS_FILE="$sec/SMTPD_SASL_USERS" MAILNAME=m.example.com "$cli" print
check "SMTPD_SASL_USERS_FILE gives the users" grep -qxF '    - user: al' "$work/out"

# log-json (LOG_FORMAT=json): JSON on stdout, the lines unchanged to the program
{
	printf 'Dec 03 21:59:58 mail postfix/smtp[8]: 4F2A91C0B3: to=<a@b.example>, status=sent\n'
	head -c 40000 /dev/zero | tr '\0' x
	printf '\nmail.info: Dec  3 21:59:58 opendkim[9]: 4F2A91C0B3: DKIM-Signature field added\n'
	printf 'bad \377 byte\nno newline at the end'
} >"$work/log-in"
# shellcheck disable=SC2016 # the inner shell expands them
expect "log-json -- PROGRAM" 0 sh -c '"$1" log-json -- sh -c "cat >\"\$0\"" "$2" <"$3"' \
	sh "$cli" "$work/log-copy" "$work/log-in"
check "log-json prints one JSON object per line" python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], "rb")]
assert len(objs) == 5, len(objs)
assert objs[0]["queue_id"] == "4F2A91C0B3" and objs[0]["process"] == "postfix/smtp", objs[0]
assert objs[1]["truncated"] is True and len(objs[1]["message"]) == 16384, objs[1].keys()
assert objs[2]["process"] == "opendkim" and objs[2]["facility"] == "mail", objs[2]
assert objs[3]["message"] == "bad \ufffd byte", objs[3]
assert objs[4]["message"] == "no newline at the end", objs[4]
' "$work/out"
check "log-json passes the lines to the program (a long one cut)" test "$(wc -l <"$work/log-copy")" = 5
check "log-json passes the other lines unchanged" \
	cmp <(sed -n '1p;3,5p' "$work/log-copy") <(sed -n '1p;3,4p' "$work/log-in"; printf 'no newline at the end\n')
expect "log-json refuses an argument" 64 "$cli" log-json --bogus

tap_summary
