#!/bin/bash
# The benchmarks still run: bench/run.sh --smoke on tiny sizes, and its report
# has every table with figures, and nothing lost in the throughput rig.  No
# timing is asserted (speed is measured in bench/, never in tests).
# Usage: bench-smoke.sh POSTRELAYCFG SOURCE_ROOT
set -eu
build=$(cd "$(dirname "$1")/.." && pwd)
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
has() { # has NAME REGEX: the report has a line matching REGEX
	if grep -qE "$2" "$work/report"; then ok "$1"; else notok "$1"; fi
}

rc=0
before=$(ip netns list | grep -oE '^pr[bd]-[^ ]*' | sort || true)
"$src/bench/run.sh" --smoke --build "$build" --only config,startup,throughput,distance \
	--out "$work/report" >"$work/stdout" 2>"$work/stderr" || rc=$?
if [ "$rc" = 0 ]; then ok "run.sh --smoke exits 0"; else
	notok "run.sh --smoke exits 0 (exit $rc)"
	sed 's/^/#   /' "$work/stderr"
fi
touch "$work/report"
num='[0-9.]+ m?s \([0-9.]+–[0-9.]+\)'
cpu='[0-9.]+ m?s'
row="$num \\| $cpu \\| [0-9.]+ MB \\| $num \\| $cpu \\| [0-9.]+ MB \\| [0-9.]+× \\| [0-9.]+× \\|\$"
has "configuration of the typical relay timed both ways" "^\| typical relay [^|]* \| $row"
has "configuration of 100-entry maps timed both ways" "^\| 100 credentials \+ 100 sender relays \| $row"
has "local start-up to the banner timed both ways" "^\| local \| $num \| $num \| [0-9.]+× \|$"
has "plain relay: every message reached the sink, both relays" "^\| plain \| [0-9]+ \([0-9]+–[0-9]+\) \| 100/100 \| [0-9]+ \([0-9]+–[0-9]+\) \| 100/100 \| [0-9.]+ \|$"
has "TLS on both legs: every message reached the upstream, both relays" "^\| tls \| [0-9]+ \([0-9]+–[0-9]+\) \| 100/100 \| [0-9]+ \([0-9]+–[0-9]+\) \| 100/100 \| [0-9.]+ \|$"
d="[0-9.]+ \\([0-9.]+–[0-9.]+\\) \\| 20/20"
has "distance, RTT 20 ms: every message reached the sink once, all three relays" \
	"^\\| 20 ms \\([0-9.]+ ms\\) \\| $d \\| $d \\| [0-9.]+ \\| $d \\| [0-9.]+ \\|\$"
has "distance: the RTT was checked through the proxy" "^- RTT check .*: banner [0-9.]+ ms at 20 "
has "the report names the machine and its load" "^- load average .* at start: [0-9.]+ [0-9.]+ [0-9.]+$"
# a namespace that appeared during the run and is still there, unless the
# benchmark that owns it (pr[bd]-<pid>-*, another run on this machine) still runs
left=""
for ns in $(ip netns list | grep -oE '^pr[bd]-[^ ]*' | sort || true); do
	grep -qxF "$ns" <<<"$before" && continue
	pid=${ns#pr?-}
	pid=${pid%%-*}
	kill -0 "$pid" 2>/dev/null || left="$left $ns"
done
if [ -z "$left" ]; then ok "no prb-*/prd-* namespace is left behind"; else notok "no prb-*/prd-* namespace is left behind:$left"; fi
tap_summary
