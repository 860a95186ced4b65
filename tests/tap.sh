# shellcheck shell=bash
# What the shell test scripts share; source it after `set -eu`:
#   . "$(dirname "$0")/tap.sh"
# It makes $work, a scratch directory removed on exit (below $tap_base when
# that is set, e.g. /run for files OpenDKIM must accept), counts results as
# "ok - NAME" / "not ok - NAME" lines, and tap_summary ends the script with
# the "N passed, N failed" line and a status that says whether all passed.
work=$(mktemp -d "${tap_base:-${TMPDIR:-/tmp}}/postrelay-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0
fail=0

ok() { echo "ok - $1"; pass=$((pass + 1)); }

# notok NAME [DETAIL]: DETAIL is shown below, each line prefixed with "#   "
notok() {
	echo "not ok - $1"
	fail=$((fail + 1))
	[ -z "${2:-}" ] || echo "#   ${2//$'\n'/$'\n'#   }"
}

# check NAME CMD...: ok when CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else notok "$name"; fi
}

# expect NAME WANT_RC CMD...: run with a clean environment (PATH only), keep
# stdout and stderr in $work/out and $work/err; ok when it exits WANT_RC
expect() {
	local name=$1 want=$2 rc=0
	shift 2
	env -i PATH="$PATH" "$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" = "$want" ]; then ok "$name (exit $rc)"; else notok "$name: exit $rc, wanted $want: $(cat "$work/err")"; fi
}

# same NAME FILE TEXT: FILE holds exactly TEXT
same() {
	if [ "$(cat "$2")" = "$3" ]; then ok "$1"; else notok "$1: got '$(cat "$2")', wanted '$3'"; fi
}

tap_summary() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
