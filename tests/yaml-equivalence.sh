#!/bin/bash
# Every examples/NAME.yaml that has an examples/NAME.env renders the same
# files as the env form, byte for byte, except the "# ^ set by ORIGIN" notes
# that main.cf puts under passthrough parameters (they name their source by
# design: the YAML render must name NAME.yaml:LINE:COL where the env one names
# env:...).  Also: the environment overrides the file, and complete.yaml sets
# every setting.
# Usage: yaml-equivalence.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

note='^# \^ set by '
pairs=0
for yaml in "$src"/examples/*.yaml; do
	name=$(basename "$yaml" .yaml)
	env=$src/examples/$name.env
	[ -e "$env" ] || continue
	pairs=$((pairs + 1))
	y=$work/$name-yaml
	e=$work/$name-env
	if ! "$cli" render -c "$yaml" --no-env -o "$y" 2>"$work/err"; then
		notok "$name: render -c $name.yaml failed: $(cat "$work/err")"
		continue
	fi
	if ! "$cli" render --env-file "$env" --no-env -o "$e" 2>"$work/err"; then
		notok "$name: render --env-file $name.env failed: $(cat "$work/err")"
		continue
	fi
	yn=$(grep -c "$note" "$y/main.cf" || true)
	en=$(grep -c "$note" "$e/main.cf" || true)
	yok=$(grep -cE "$note.*/$name\.yaml:[0-9]+:[0-9]+$" "$y/main.cf" || true)
	if [ "$yn" = "$en" ] && [ "$yn" = "$yok" ]; then
		ok "$name: $yn passthrough notes, each naming $name.yaml:LINE:COL"
	else
		notok "$name: passthrough notes: yaml $yn ($yok naming the file), env $en"
	fi
	sed -i "/$note/d" "$y/main.cf" "$e/main.cf"
	# `print` writes YAML that this source reads back to the same configuration
	# (secrets are redacted, so only main.cf and master.cf are compared)
	p=$work/$name-print
	if "$cli" print -c "$yaml" --no-env >"$work/print.yaml" 2>/dev/null &&
		"$cli" render -c "$work/print.yaml" --no-env -o "$p" 2>"$work/err" &&
		sed -i "/$note/d" "$p/main.cf" &&
		cmp -s "$p/main.cf" "$y/main.cf" && cmp -s "$p/master.cf" "$y/master.cf"; then
		ok "$name: the output of print reads back as the same configuration"
	else
		notok "$name: print output does not read back: $(cat "$work/err")"
	fi
	if diff -r "$y" "$e" >"$work/diff" 2>&1; then
		ok "$name: $name.yaml and $name.env render identical files ($(find "$y" -type f | wc -l) files)"
	else
		notok "$name: $name.yaml and $name.env render different files"
		cat "$work/diff"
	fi
done
if [ "$pairs" -ge 8 ]; then ok "$pairs example pairs compared"; else notok "only $pairs example pairs found"; fi

# the environment overrides the file, setting by setting
out=$(MAILNAME=env.example.com "$cli" print -c "$src/examples/basic.yaml" 2>&1 || true)
if grep -qx 'mailname: env.example.com  # env:MAILNAME' <<<"$out" &&
	grep -qE '^  host: "\[smtp\.example\.net\]:587"  # .*/basic\.yaml:[0-9]+:[0-9]+$' <<<"$out"; then
	ok "environment overrides the YAML file; print shows both origins"
else
	notok "precedence: $out"
fi

# complete.yaml leaves no setting at its default
out=$("$cli" print -c "$src/examples/complete.yaml" --no-env 2>/dev/null || true)
# (but relay.xoauth2: an XOAUTH2 login excludes relay.credentials for the
# same relay host and relay.sender_relays, which complete.yaml sets; the
# XOAUTH2 settings have their own tests in test-validate.c and tests/data/bad/)
left=$(sed '/^  xoauth2:$/,/^  [a-z]/{/^    /d}' <<<"$out" | grep -E '# (default|.*\(unset\))$' || true)
if [ -n "$out" ] && [ -z "$left" ]; then
	ok "complete.yaml sets every setting"
else
	notok "complete.yaml leaves settings at their defaults: $left"
fi

tap_summary
