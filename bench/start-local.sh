#!/bin/bash
# What start-up runs on a plain host: configure the instance under ROOT, then
# start Postfix.  postrelay: `postrelaycfg apply --start` (apply, the queue
# structure check, `postfix start`); baseline: the conventional script, then
# `postfix start`.
# Usage: start-local.sh postrelay|baseline POSTRELAYCFG ENV_FILE ROOT
set -eu
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
postrelay)
	if "$2" apply --help 2>/dev/null | grep -q -e --start; then
		# configure, check the queue structure, start (skipping the shell
		# checks of what apply has just set up)
		exec "$2" apply --env-file "$3" --root "$4" --start
	elif "$2" apply --help >/dev/null 2>&1; then
		"$2" apply --env-file "$3" --root "$4"
	else
		"$here/apply-stand-in.sh" "$2" "$3" "$4"
	fi
	;;
baseline) "$here/baseline-configure.sh" "$3" "$4" ;;
*) exit 64 ;;
esac
exec postfix -c "$4/etc/postfix" start
