#!/bin/bash
# What start-up runs on a plain host: configure the instance under ROOT, then
# `postfix start`.  postrelay: `postrelaycfg apply` (what the image's
# entrypoint runs before it starts its supervisor); baseline: the
# conventional script.
# Usage: start-local.sh postrelay|baseline POSTRELAYCFG ENV_FILE ROOT
set -eu
here=$(cd "$(dirname "$0")" && pwd)
case $1 in
postrelay)
	if "$2" apply --help >/dev/null 2>&1; then
		"$2" apply --env-file "$3" --root "$4"
	else
		"$here/apply-stand-in.sh" "$2" "$3" "$4"
	fi
	;;
baseline) "$here/baseline-configure.sh" "$3" "$4" ;;
*) exit 64 ;;
esac
exec postfix -c "$4/etc/postfix" start
