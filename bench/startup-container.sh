#!/bin/bash
# Start-up latency of the container: from `docker run` to the first 220
# banner, for the typical relay: the image's entrypoint against the same image
# started with the conventional script then `postfix start-fg`.  Uses the
# image the image tier builds (tests/image/: its engine, its base image, its
# tag), building it the same way when it is missing.  The containers get
# addresses on a Docker network prb-net, 10.234.0.0/24, removed at the end.
#
# Usage: startup-container.sh RUNS BASELINE_RUNS
# Prints one tab-separated line: container  ours(prb-time fields)  baseline(same)
# Exits 2 when there is no Docker engine or no image tier to build from.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
top=$(cd "$here/.." && pwd)
runs=$1
bruns=$2
timer=${PRB_TIMER:-$top/build/bench/prb-time}
image=${PRT_IMAGE:-prt-postrelay:test}
if [ -f "$top/tests/image/engine.sh" ]; then
	# shellcheck source=/dev/null
	. "$top/tests/image/engine.sh"
else # no image tier in this tree: only an engine that already runs will do
	engine_up() { docker info >/dev/null 2>&1; }
	engine_down() { :; }
fi
work=$(bench_workdir ctr)
own_net=
cleanup() {
	docker rm -f prb-start >/dev/null 2>&1 || true
	[ -z "$own_net" ] || docker network rm prb-net >/dev/null 2>&1 || true
	engine_down
	rm -rf "$work"
}
trap cleanup EXIT
command -v docker >/dev/null && engine_up "$work/dockerd.log" || exit 2
if ! docker image inspect "$image" >/dev/null 2>&1; then
	[ -f "$top/Dockerfile" ] && [ -x "$top/tests/image/base-image.sh" ] || exit 2
	"$top/tests/image/base-image.sh" >&2
	docker build -q --force-rm --network host -t "$image" "$top" >/dev/null
fi
if ! docker network inspect prb-net >/dev/null 2>&1; then
	docker network create --subnet 10.234.0.0/24 --gateway 10.234.0.254 prb-net >/dev/null
	own_net=1
fi
ip=10.234.0.10
printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf" # no DNS here: fail fast
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/dkim.key" 2>/dev/null
chmod 600 "$work/dkim.key" # apply (and OpenDKIM) insist
cp "$here/typical.env" "$here/baseline-configure.sh" "$work/"
cat >"$work/baseline-start.sh" <<'EOF'
#!/bin/bash
set -eu
/prb/baseline-configure.sh /prb/typical.env /
exec postfix start-fg
EOF
chmod 755 "$work/baseline-start.sh"

run=(docker run -d --name prb-start --network prb-net --ip "$ip"
	-v "$work/resolv.conf:/etc/resolv.conf:ro" --env-file "$work/typical.env"
	-v "$work/dkim.key:/etc/opendkim/dkim.key:ro")
stop="docker rm -f prb-start >/dev/null"
prepare="docker rm -f prb-start >/dev/null 2>&1; true"
a=$("$timer" -n "$runs" -w 1 -l postrelay -p "$prepare" -s "$stop" -o "$work/log" \
	--banner "$ip:25" --timeout 60 -- "${run[@]}" "$image") || { cat "$work/log" >&2; exit 1; }
b=$("$timer" -n "$bruns" -w 0 -l baseline -p "$prepare" -s "$stop" -o "$work/log" \
	--banner "$ip:25" --timeout 60 -- "${run[@]}" -v "$work:/prb:ro" \
	--entrypoint /prb/baseline-start.sh "$image") ||
	{ cat "$work/log" >&2; exit 1; }
printf 'container\t%s\t%s\n' "$a" "$b"
