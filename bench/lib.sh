# shellcheck shell=bash
# Helpers of the benchmarks, sourced by bench/run.sh: the benchmark network,
# Postfix instances under a root directory, and the result tables.
#
# Every host is a network namespace "prb-<run>-<name>" with one veth into a
# bridge in the namespace "prb-<run>-sw", on 10.234.0.0/24; <run> is the PID
# of the benchmark script, so two runs at once do not meet (each has its own
# bridge, so the same addresses do not clash either).  Nothing is added to the
# machine's own network namespace.

NET4=10.234.0
ns_prefix=prb-$$-

# bench_workdir NAME: a fresh directory for one benchmark, on disk, in a
# directory only root can write (OpenDKIM refuses keys below /tmp), readable
# by the postfix user; PRB_WORKDIR moves it.
bench_workdir() {
	local base=${PRB_WORKDIR:-/var/lib/postrelay-bench} dir
	mkdir -p "$base"
	chmod 755 "$base"
	dir=$(mktemp -d "$base/$1.XXXXXX")
	chmod 755 "$dir"
	echo "$dir"
}
hosts=() # namespaces we created (without the prb- prefix)
pids=()  # background processes we started

net_up() {
	ip netns add "${ns_prefix}sw"
	hosts+=(sw)
	ip -n "${ns_prefix}sw" link add br0 type bridge
	ip -n "${ns_prefix}sw" link set br0 up
}

# host NAME LAST_OCTET: a namespace with NET4.LAST on the bridge
host() {
	local name=$1 n=$2 ns=$ns_prefix$1
	ip netns add "$ns"
	hosts+=("$name")
	ip -n "$ns" link set lo up
	ip link add e0 netns "$ns" type veth peer name "h-$name" netns "${ns_prefix}sw"
	ip -n "${ns_prefix}sw" link set "h-$name" master br0 up
	ip -n "$ns" addr add "$NET4.$n/24" dev e0
	ip -n "$ns" link set e0 up
}

in_ns() {
	local h=$1
	shift
	ip netns exec "$ns_prefix$h" "$@"
}

# Stop every Postfix instance we started, then every process left in our
# namespaces (by PID), then remove the namespaces.
net_down() {
	local h p r
	for r in "${roots[@]}"; do postfix -c "$r/etc/postfix" stop >/dev/null 2>&1 || true; done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for h in "${hosts[@]}"; do
		for p in $(ip netns pids "$ns_prefix$h" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	done
	for h in "${hosts[@]}"; do ip netns delete "$ns_prefix$h" 2>/dev/null || true; done
	hosts=()
	pids=()
}

roots=() # instance roots that may have a running master

# postfix_start HOST ROOT: start the instance under ROOT inside namespace HOST
postfix_start() {
	roots+=("$2")
	in_ns "$1" postfix -c "$2/etc/postfix" start >/dev/null 2>&1
}

postfix_stop() {
	postfix -c "$1/etc/postfix" stop >/dev/null 2>&1 || true
	# postfix stop returns before master has gone; wait for its pid file lock
	local i=0
	while [ -e "$1/var/spool/postfix/pid/master.pid" ] && [ "$i" -lt 100 ] &&
		kill -0 "$(tr -d ' ' <"$1/var/spool/postfix/pid/master.pid")" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# The conventional relay of the throughput baseline: Debian's default
# configuration (main.cf.debian plus what the package's postinst adds for an
# "Internet Site"), with only relayhost and mynetworks set, in its own
# instance directory; the log goes to a file as it does for postrelay.
debian_default_instance() {
	local root=$1 relayhost=$2 networks=$3 conf=$1/etc/postfix
	mkdir -p "$conf" "$root/var/spool/postfix" "$root/var/lib/postfix" "$root/var/log"
	cp /usr/share/postfix/main.cf.debian "$conf/main.cf"
	cp /usr/share/postfix/master.cf.dist "$conf/master.cf"
	cat >>"$conf/main.cf" <<-EOF
		smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
		myhostname = relay.example.com
		alias_maps = hash:$conf/aliases
		alias_database = hash:$conf/aliases
		mydestination = \$myhostname, relay.example.com, localhost.localdomain, localhost
		relayhost = $relayhost
		mynetworks = $networks
		mailbox_size_limit = 0
		recipient_delimiter = +
		inet_interfaces = all
		inet_protocols = all
		queue_directory = $root/var/spool/postfix
		data_directory = $root/var/lib/postfix
		maillog_file = $root/var/log/mail.log
		maillog_file_prefixes = $root/var/log
	EOF
	echo "postmaster: root" >"$conf/aliases"
	postalias -c "$conf" "$conf/aliases"
	postfix -c "$conf" set-permissions >/dev/null 2>&1
}

# ---- results ---------------------------------------------------------------

# fields of a prb-time line: label median min max rss runs samples
ms() { printf '%s ms (%s–%s)' "$2" "$3" "$4"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
