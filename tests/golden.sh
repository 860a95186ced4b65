#!/bin/bash
# Golden tests: every examples/*.env renders byte for byte to tests/golden/NAME/,
# the real postconf reads each main.cf/master.cf without a warning, and the
# real postmap builds and answers every table entry.
# Usage: golden.sh POSTRELAYCFG SOURCE_ROOT   (GOLDEN_UPDATE=1 rewrites the goldens)
set -eu
cli=$1
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

for env in "$src"/examples/*.env; do
	name=$(basename "$env" .env)
	out=$work/$name
	golden=$src/tests/golden/$name
	if ! "$cli" render --env-file "$env" --no-env -o "$out" 2>"$work/$name.err"; then
		notok "$name: render failed: $(cat "$work/$name.err")"
		continue
	fi
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		rm -rf "$golden"
		mkdir -p "$golden"
		cp -a "$out"/. "$golden"/
	fi
	if diff -r "$golden" "$out" >"$work/diff" 2>&1; then
		ok "$name: files match tests/golden/$name"
	else
		notok "$name: differs from tests/golden/$name"
		cat "$work/diff"
	fi
	# secrets are written 0600, everything else 0644
	if [ -e "$out/sasl_passwd" ]; then
		mode=$(stat -c %a "$out/sasl_passwd")
		if [ "$mode" = 600 ]; then ok "$name: sasl_passwd is mode 600"; else notok "$name: sasl_passwd is mode $mode"; fi
	fi
	for flag in -n -M; do
		if postconf -c "$out" "$flag" >/dev/null 2>"$work/warn" && [ ! -s "$work/warn" ]; then
			ok "$name: postconf $flag without warnings"
		else
			notok "$name: postconf $flag: $(cat "$work/warn")"
		fi
	done
	type=$(postconf -c "$out" -h smtp_sasl_password_maps sender_dependent_relayhost_maps transport_maps smtpd_sender_login_maps 2>/dev/null |
		sed -n 's/^\([a-z]*\):.*/\1/p' | head -n 1)
	for table in sasl_passwd sender_relay sender_access recipient_access sender_logins transport sender_transport; do
		[ -e "$out/$table" ] || continue
		if ! postmap -c "$out" "$type:$out/$table" 2>"$work/warn" || [ -s "$work/warn" ]; then
			notok "$name: postmap $table: $(cat "$work/warn")"
			continue
		fi
		bad=0
		while read -r key value; do
			case $key in "#"* | "") continue ;; esac
			got=$(postmap -c "$out" -q "$key" "$type:$out/$table" || true)
			[ "$got" = "$value" ] || { bad=1; echo "# $table: $key -> '$got', expected '$value'"; }
		done <"$out/$table"
		if [ $bad = 0 ]; then ok "$name: postmap -q answers every $table entry"; else notok "$name: postmap -q $table"; fi
	done
done
tap_summary
