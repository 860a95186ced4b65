#!/bin/bash
# The man pages: both build, groff renders them without a warning, they are
# installed into the man directories, postrelaycfg(1) names every command,
# option and exit code that the CLI's --help lists, and postrelaycfg.yaml(5)
# every setting of the settings table.
# Usage: man.sh POSTRELAYCFG BUILD_ROOT
set -eu
cli=$1
build=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

# render PAGE: plain text, one paragraph per line (no hyphenation, wide lines)
render() { groff -man -Tutf8 -rLL=1000n -rHY=0 "$1" 2>/dev/null | col -b; }

for page in postrelaycfg.1 postrelaycfg.yaml.5; do
	f=$build/man/$page
	if [ -s "$f" ]; then ok "$page built"; else notok "$page missing in $build/man"; continue; fi
	if groff -man -Tutf8 -ww -z "$f" 2>"$work/err" && [ ! -s "$work/err" ]; then
		ok "$page renders without warnings (groff -ww)"
	else
		notok "$page: groff: $(cat "$work/err")"
	fi
	if man --warnings -l "$f" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ]; then
		ok "$page renders without warnings (man -l)"
	else
		notok "$page: man -l: $(cat "$work/err")"
	fi
	section=${page##*.}
	if meson introspect "$build" --installed | grep -q "/man$section/$page\""; then
		ok "$page installed into man$section"
	else
		notok "$page not in the install plan under man$section"
	fi
done

render "$build/man/postrelaycfg.1" >"$work/man1"
render "$build/man/postrelaycfg.yaml.5" >"$work/man5"

# every command of --help has its own entry under COMMANDS
"$cli" --help >"$work/help"
sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$work/help" >"$work/commands"
if [ -s "$work/commands" ]; then ok "--help lists $(wc -l <"$work/commands") commands"; else notok "no commands in --help"; fi
sed -n '/^COMMANDS$/,/^[A-Z]/p' "$work/man1" >"$work/man1-commands"
while read -r c; do
	if grep -qE "^ +$c( |$)" "$work/man1-commands"; then
		ok "postrelaycfg(1) describes $c"
	else
		notok "postrelaycfg(1) lacks the command $c"
	fi
	# and every long option its --help names
	"$cli" "$c" --help >"$work/chelp" 2>&1 || true
	grep -oE -- '--[a-z][a-z-]+' "$work/chelp" | sort -u >"$work/options"
	while read -r o; do
		if grep -qF -- "$o" "$work/man1"; then ok "postrelaycfg(1) documents $c $o"; else notok "postrelaycfg(1) lacks $c $o"; fi
	done <"$work/options"
done <"$work/commands"

# every exit code of --help is under EXIT STATUS
sed -n '/^EXIT STATUS$/,/^[A-Z]/p' "$work/man1" >"$work/man1-exit"
sed -n 's/^exit codes: //p' "$work/help" | grep -oE '[0-9]+' >"$work/codes"
while read -r code; do
	if grep -qE "^ +$code$" "$work/man1-exit"; then ok "postrelaycfg(1) explains exit code $code"; else notok "postrelaycfg(1) lacks exit code $code"; fi
done <"$work/codes"

# every setting: its YAML key heads an entry that names its variable
# shellcheck disable=SC2016 # the backquotes are Markdown's
"$cli" settings | sed -n 's/^| `\([A-Z_]*\)` | `\([a-z_.]*\)` |.*/\1 \2/p' >"$work/settings"
missing=0
while read -r env yaml; do
	if ! grep -A4 -xE " +${yaml//./\\.}" "$work/man5" | grep -qE "Environment: $env\." ; then
		notok "postrelaycfg.yaml(5) lacks $yaml ($env)"
		missing=$((missing + 1))
	fi
done <"$work/settings"
n=$(wc -l <"$work/settings")
if [ "$n" -gt 0 ] && [ "$missing" = 0 ]; then ok "postrelaycfg.yaml(5) documents all $n settings"; fi

# the YAML examples of postrelaycfg.yaml(5) are valid configurations
awk -v dir="$work" '
	/^```$/ { if (inblock) { inblock = 0; close(f) } else { inblock = 1; f = dir "/example" ++n ".yaml" }; next }
	inblock { print > f }
' "$build/man/postrelaycfg.yaml.5.scd"
for f in "$work"/example*.yaml; do
	[ -e "$f" ] || { notok "postrelaycfg.yaml(5) has no example"; break; }
	if env -i PATH="$PATH" "$cli" check --no-env -c "$f" >/dev/null 2>"$work/err" && [ ! -s "$work/err" ]; then
		ok "postrelaycfg.yaml(5) example $(basename "$f" .yaml) passes check"
	else
		notok "postrelaycfg.yaml(5) example $(basename "$f" .yaml): $(cat "$work/err")"
	fi
done

tap_summary
