#!/bin/bash
# postrelay's benchmarks, each against a baseline measured in the same run:
# configuration speed (typical relay and large maps), start-up to the first
# 220 banner, relay throughput, throughput to a relay host 0-80 ms away with
# STARTTLS and AUTH.  Prints a Markdown report (bench/README.md).
#
#   bench/run.sh [--quick | --smoke] [--build DIR] [--only LIST] [--out FILE]
#
#   (default)  the reported figures: 11/5 runs, maps up to 100 000 entries,
#              10 000 messages x 3 rounds; distance: 5 000 messages x 3
#              rounds at RTT 0, 20, 80 ms (about 50 minutes)
#   --quick    fewer runs, maps up to 10 000, 2 000 messages; distance:
#              1 000 messages at 0 and 80 ms (about 6 minutes)
#   --smoke    checks that every benchmark still runs, on tiny sizes
#              (distance: 20 messages at 20 ms)
#   --only     comma-separated subset of:
#              config,startup,container,throughput,distance
#   --build    the meson build directory (default: build/, set up when missing)
#   --out      also write the report to FILE
# Needs root (network namespaces, Postfix instances).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
mode=full
build=$top/build
only=config,startup,container,throughput,distance
out=
while [ $# -gt 0 ]; do
	case $1 in
	--quick | --smoke) mode=${1#--} ;;
	--build) build=$2; shift ;;
	--only) only=$2; shift ;;
	--out) out=$2; shift ;;
	-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root" >&2; exit 64; }
case $mode in
full) runs=11 bruns=5 sizes="1000 10000 100000" sruns=7 sbruns=3 msgs=10000 rounds=3 ;;
quick) runs=5 bruns=2 sizes="1000 10000" sruns=3 sbruns=1 msgs=2000 rounds=1 ;;
smoke) runs=1 bruns=1 sizes=100 sruns=1 sbruns=1 msgs=100 rounds=1 ;;
esac
# distance: messages, rounds, RTTs (ms), the baseline's messages at 80 ms
case $mode in
full) dmsgs=5000 drounds=3 drtts="0 20 80" dslow=1500 ;;
quick) dmsgs=1000 drounds=1 drtts="0 80" dslow=300 ;;
smoke) dmsgs=20 drounds=1 drtts=20 dslow=20 ;;
esac
want() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

if [ ! -x "$build/cli/postrelaycfg" ] || [ ! -x "$build/bench/prb-time" ]; then
	[ -d "$build" ] || meson setup "$build" "$top" >/dev/null
	ninja -C "$build" >/dev/null
fi
cli=$build/cli/postrelaycfg
report=$(mktemp)
trap 'rm -f "$report"' EXIT
say() { printf '%s\n' "$*" >>"$report"; }

# ---- formatting -----------------------------------------------------------

# cell MED MIN MAX: "12.3 ms (11.9–13.0)", or in seconds when long
cell() {
	awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN {
		if (m >= 1000) printf "%.2f s (%.2f–%.2f)", m / 1000, a / 1000, b / 1000
		else printf "%.1f ms (%.1f–%.1f)", m, a, b }'
}
msec() { awk -v m="$1" 'BEGIN { printf (m >= 1000 ? "%.2f s" : "%.1f ms"), (m >= 1000 ? m / 1000 : m) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
times() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf (a / b >= 10 ? "%.0f×" : "%.1f×"), a / b }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
pf=$(postconf -d -h mail_version 2>/dev/null || echo "?")
if "$cli" apply --help >/dev/null 2>&1; then
	configurer="\`postrelaycfg apply\`"
else
	configurer="STAND-IN (render + postmap: this build has no \`apply\`; do not report these figures)"
fi
say "# postrelay benchmarks ($mode)"
say ""
say "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
say "- machine: $cpu, $(nproc) cores, $mem RAM; $(. /etc/os-release && echo "$PRETTY_NAME"); Postfix $pf"
say "- load average (1, 5, 15 min) at start: $(load)"
say "- postrelay configures with: $configurer"

# ---- configuration ----------------------------------------------------------

if want config; then
	echo "run.sh: configuration ($runs/$bruns runs; maps: $sizes)" >&2
	say ""
	say "## Configuration (wall time: median (min–max); peak RSS of the command and its children)"
	say ""
	say "| case | postrelay | CPU | peak RSS | baseline script | CPU | peak RSS | ratio (wall) | ratio (CPU) |"
	say "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	# shellcheck disable=SC2086 # $sizes is a list
	"$here/config.sh" "$build" "$runs" "$bruns" $sizes >"$report.config"
	while IFS=$'\t' read -r name _ am amin amax arss _ _ acpu _ bm bmin bmax brss _ _ bcpu; do
		case $name in
		typical) what="typical relay (every seed variable, TLS cert generated, 2 users, DKIM)" ;;
		maps-*) what="${name#maps-} credentials + ${name#maps-} sender relays" ;;
		yaml-*) what="the same ${name#yaml-} + ${name#yaml-} in YAML (baseline: the env form above)" ;;
		esac
		say "| $what | $(cell "$am" "$amin" "$amax") | $(msec "$acpu") | $(mb "$arss") | $(cell "$bm" "$bmin" "$bmax") | $(msec "$bcpu") | $(mb "$brss") | $(times "$bm" "$am") | $(times "$bcpu" "$acpu") |"
	done <"$report.config"
	rm -f "$report.config"
fi

# ---- start-up -----------------------------------------------------------------

if want startup; then
	echo "run.sh: start-up ($sruns/$sbruns runs)" >&2
	say ""
	say "## Start-up: process start to the first 220 banner (median (min–max))"
	say ""
	say "| instance | postrelay | baseline script + postfix start | ratio |"
	say "| --- | --- | --- | --- |"
	"$here/startup.sh" "$build" "$sruns" "$sbruns" >"$report.start"
	if want container && [ -x "$here/startup-container.sh" ]; then
		PRB_TIMER=$build/bench/prb-time "$here/startup-container.sh" "$sruns" "$sbruns" \
			>>"$report.start" ||
			echo "run.sh: container start-up skipped (no Docker engine or image)" >&2
	fi
	while IFS=$'\t' read -r name _ am amin amax _ _ _ _ _ bm bmin bmax _ _ _ _; do
		say "| $name | $(cell "$am" "$amin" "$amax") | $(cell "$bm" "$bmin" "$bmax") | $(times "$bm" "$am") |"
	done <"$report.start"
	rm -f "$report.start"
fi

# ---- throughput ---------------------------------------------------------------

if want throughput; then
	echo "run.sh: throughput ($msgs messages, $rounds rounds)" >&2
	say ""
	say "## Throughput: $msgs messages of 4 KB over 10 sessions, queue on disk (messages/s: median (min–max) over $rounds rounds)"
	say ""
	say "| legs | baseline (Debian default) | received | postrelay | received | ratio |"
	say "| --- | --- | --- | --- | --- | --- |"
	"$here/throughput.sh" "$build" "$msgs" "$rounds" plain tls >"$report.tput"
	for v in plain tls; do
		read -r _ _ _ bmed bmin bmax blo bhi _ < <(grep -P "^$v\tbaseline\t" "$report.tput")
		read -r _ _ _ amed amin amax alo ahi _ < <(grep -P "^$v\tpostrelay\t" "$report.tput")
		got() { if [ "$1" = "$2" ]; then echo "$1/$msgs"; else echo "$1–$2/$msgs"; fi; }
		say "| $v | $bmed ($bmin–$bmax) | $(got "$blo" "$bhi") | $amed ($amin–$amax) | $(got "$alo" "$ahi") | $(awk -v a="$amed" -v b="$bmed" 'BEGIN { printf "%.2f", a / b }') |"
	done
	rm -f "$report.tput"
fi

# ---- throughput at distance ------------------------------------------------

if want distance; then
	echo "run.sh: distance ($dmsgs messages, $drounds rounds, RTT $drtts ms)" >&2
	# shellcheck disable=SC2086 # $drtts is a list
	PRD_SLOW_MESSAGES=$dslow "$here/distance.sh" "$build" "$dmsgs" "$drounds" $drtts >"$report.dist"
	say ""
	say "## Throughput at distance: $dmsgs messages of 4 KB from 10 sessions, relay host RTT ms away, STARTTLS (encrypt) + AUTH (messages/s: median (min–max) over $drounds rounds)"
	say ""
	say "| RTT (measured NOOP round trip) | baseline (Debian default, seed config) | received | postrelay | received | ratio | postrelay at concurrency 20 | received | ratio |"
	say "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	# got LO HI DUPS SENT: distinct Message-IDs at the sink, and duplicates
	dgot() {
		local r
		if [ "$1" = "$2" ]; then r="$1/$4"; else r="$1–$2/$4"; fi
		[ "$3" = 0 ] || r="$r (+$3 dup)"
		echo "$r"
	}
	for rtt in $drtts; do
		read -r _ _ _ nmed _ _ < <(grep -P "^check\t$rtt\t" "$report.dist")
		read -r _ _ _ bn bmed bmin bmax blo bhi bdup _ < <(grep -P "^rate\t$rtt\tbaseline\t" "$report.dist")
		read -r _ _ _ an amed amin amax alo ahi adup _ < <(grep -P "^rate\t$rtt\tpostrelay\t" "$report.dist")
		read -r _ _ _ tn tmed tmin tmax tlo thi tdup _ < <(grep -P "^rate\t$rtt\ttuned\t" "$report.dist")
		say "| $rtt ms ($nmed ms) | $bmed ($bmin–$bmax) | $(dgot "$blo" "$bhi" "$bdup" "$bn") | $amed ($amin–$amax) | $(dgot "$alo" "$ahi" "$adup" "$an") | $(awk -v a="$amed" -v b="$bmed" 'BEGIN { printf "%.2f", a / b }') | $tmed ($tmin–$tmax) | $(dgot "$tlo" "$thi" "$tdup" "$tn") | $(awk -v a="$tmed" -v b="$bmed" 'BEGIN { printf "%.2f", a / b }') |"
	done
	say ""
	banners=$(awk -F'\t' '$1 == "check" { printf "%s%s ms at %s", s, $3, $2; s = ", " }' "$report.dist")
	say "- RTT check (\`lagproxy.py check\` from the relay's namespace): banner $banners (2 RTT: TCP handshake, then the banner)"
	say "- postrelay at concurrency 20: postrelay plus \`$(sed -n 's/^tuned\t//p' "$report.dist")\` (Postfix's own limit; postrelay's default to a relay host is 40, bench/distance-findings.md)"
	rm -f "$report.dist"
fi

say ""
say "- load average at end: $(load)"
cat "$report"
[ -z "$out" ] || cp "$report" "$out"
