#!/bin/bash
# Start-up time of the image: from `docker run` to the first 220 banner on
# port 25, and how long `docker stop` takes; several runs, median reported.
# The baseline, measured in the same run: `docker run --rm` of /bin/true in
# the same image (Docker's own cost to create, start and remove a container).
# Uses the image the image tier builds (prt-postrelay:test), building it when
# missing; containers run on the tier's network (prt-net, 10.232.0.0/24).
#
#   bench/image-startup.sh [RUNS] [IMAGE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-7}
image=${2:-prt-postrelay:test}
# shellcheck source=tests/image/engine.sh
. "$top/tests/image/engine.sh"
work=$(mktemp -d /tmp/prt-bench.XXXXXX)
cleanup() {
	docker rm -f prt-bench >/dev/null 2>&1 || true
	[ -z "$own_net" ] || docker network rm prt-net >/dev/null 2>&1 || true
	engine_down
	rm -rf "$work"
}
own_net=
trap cleanup EXIT
engine_up "$work/dockerd.log" || { echo "no Docker engine"; exit 1; }
if ! docker image inspect "$image" >/dev/null 2>&1; then
	"$top/tests/image/base-image.sh"
	docker build -q --force-rm --network host -t "$image" "$top" >/dev/null
fi
if ! docker network inspect prt-net >/dev/null 2>&1; then
	docker network create --subnet 10.232.0.0/24 prt-net >/dev/null
	own_net=1
fi
printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf"
echo "image: $image ($(($(docker image inspect -f '{{.Size}}' "$image") / 1000000)) MB)"
/usr/bin/python3 - "$runs" "$image" "$work/resolv.conf" <<'PY'
import socket, statistics, subprocess, sys, time
runs, image, resolv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ip = "10.232.0.250"
def banner_after(t0):
    while time.monotonic() - t0 < 60:
        try:
            with socket.create_connection((ip, 25), timeout=2) as s:
                line = s.makefile("rb").readline()
                if line.startswith(b"220 "):
                    return time.monotonic() - t0
        except OSError:
            time.sleep(0.005)
    raise SystemExit("no banner within 60 s")
start, stop, base = [], [], []
for i in range(runs):
    t = time.monotonic()
    subprocess.run(["docker", "run", "--rm", "--entrypoint", "true", image], check=True)
    base.append(time.monotonic() - t)
    t0 = time.monotonic()
    subprocess.run(["docker", "run", "-d", "--name", "prt-bench", "--network", "prt-net",
                    "--ip", ip, "-v", resolv + ":/etc/resolv.conf:ro",
                    "-e", "MAILNAME=mail.example.com", image],
                   check=True, stdout=subprocess.DEVNULL)
    start.append(banner_after(t0))
    t1 = time.monotonic()
    subprocess.run(["docker", "stop", "prt-bench"], check=True, stdout=subprocess.DEVNULL)
    stop.append(time.monotonic() - t1)
    subprocess.run(["docker", "rm", "prt-bench"], check=True, stdout=subprocess.DEVNULL)
    print(f"run {i + 1}: banner after {start[-1]:.3f} s, docker stop {stop[-1]:.3f} s, "
          f"baseline {base[-1]:.3f} s")
m = statistics.median
print(f"median of {runs}: banner after {m(start):.3f} s (min {min(start):.3f}, "
      f"max {max(start):.3f}); docker stop {m(stop):.3f} s; baseline docker run --rm true "
      f"{m(base):.3f} s; banner - baseline {m(start) - m(base):.3f} s")
PY
