#!/bin/bash
# Quick start: install what is needed, build, and run a real relay on this
# machine's loopback in the foreground, from an env file (default
# examples/local.env) and with a demo upstream (smtp-sink) that keeps every
# message it receives.  Ctrl-C stops both.  Run as root on Debian 12 or 13.
# Usage: scripts/run-local.sh [ENV_FILE]      (RELAY_ROOT=DIR to choose the instance root)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
env_file=$(realpath "${1:-$top/examples/local.env}")
root=${RELAY_ROOT:-/var/tmp/postrelay-local}
[ "$(id -u)" = 0 ] || { echo "run-local: run as root (Postfix and apt-get need it)" >&2; exit 64; }

"$top/tests/install-deps.sh" --run
build=$top/build-local
if [ ! -f "$build/build.ninja" ]; then
	rm -rf "$build"
	meson setup "$build" "$top" -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null

mkdir -p "$root"
chmod 755 "$root"
conf=$root/etc/postfix
"$build/cli/postrelaycfg" apply --no-env --env-file "$env_file" --root "$root"
# tolerate a relay that a previous run left behind
postfix -c "$conf" stop >/dev/null 2>&1 || true

sink_dir=$root/sink
mkdir -p "$sink_dir"
chown nobody "$sink_dir"
smtp-sink -u nobody -d "$sink_dir/%Y%m%d/%H%M%S." 127.0.0.1:10026 64 &
sink=$!
stop() {
	trap - INT TERM EXIT
	postfix -c "$conf" stop >/dev/null 2>&1 || true
	kill "$sink" 2>/dev/null || true
	{ wait "$sink"; } 2>/dev/null || true
	echo "run-local: stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM

# say where it listens once the master has bound its sockets
(
	pidfile=$root/var/spool/postfix/pid/master.pid
	for _ in $(seq 100); do
		# stderr goes away before the input is opened: no "No such file" while it starts
		pid=$(tr -d ' ' 2>/dev/null <"$pidfile") || pid=
		socks=
		[ -z "$pid" ] || socks=$(ss -Hltnp | awk -v p="pid=$pid," 'index($0, p) { print $4 }' | sort -u)
		[ -n "$socks" ] && break
		sleep 0.1
	done
	echo "run-local: relay (master pid $pid) listening on:"
	for s in $socks; do echo "run-local:   $s"; done
	echo "run-local: demo upstream 127.0.0.1:10026 stores messages in $sink_dir"
	echo "run-local: try: swaks --server 127.0.0.1:10025 --to someone@example.com"
	echo "run-local: Ctrl-C stops the relay"
) &
# The master ignores SIGINT, and a trap waits for a foreground child: so run it
# in the background and wait, and let the INT trap stop it with `postfix stop`.
postfix -c "$conf" start-fg &
wait "$!"
