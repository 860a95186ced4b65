# shellcheck shell=bash
# Helpers of the end-to-end suite: the test network, processes started in it,
# SMTP clients and assertions.  Sourced by run.sh.
#
# Every host is a network namespace "pri-<name>" with one veth into a bridge
# that lives in its own namespace "pri-sw", on 10.231.0.0/24 and fd00:231::/64.
# Nothing is added to the host's own network namespace.  PRI (a prefix of
# the form pr?, e.g. prj), PRI_NET4 (three octets) and PRI_NET6 move all of
# it, so that two suites can run at once.
PRI=${PRI:-pri}
NET4=${PRI_NET4:-10.231.0}
NET6=${PRI_NET6:-fd00:231:}
passed=0
failed=0
work=    # the suite's work directory (set by run.sh)
prc=     # the postrelaycfg binary (set by run.sh)
out=     # the transcript of the last smtp call
pids=()     # every background process we started
hosts=()    # every namespace we created (without the $PRI- prefix)

# ---- results ------------------------------------------------------------

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1"
	shift
	local line
	for line in "$@"; do printf '#   %s\n' "$line"; done
}
# run.sh [PATTERN...]: only the checks whose names match a glob PATTERN run
only=()
selected() {
	[ ${#only[@]} = 0 ] && return 0
	local p
	for p in "${only[@]}"; do
		# shellcheck disable=SC2053 # the pattern is a glob
		[[ $1 == $p ]] && return 0
	done
	return 1
}
# check NAME CMD...: the test passes when CMD succeeds; its output is shown on failure
check() {
	local name=$1 out
	selected "$name" || return 0
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		out=$(cut -c 1-200 <<<"$out" | tail -n 40)
		not_ok "$name" "${out//$'\n'/$'\n'#   }"
	fi
}

# ---- network ------------------------------------------------------------

# host NAME LAST_OCTET: a namespace with NET4.LAST and NET6:LAST on the bridge
host() {
	local name=$1 n=$2 ns=${PRI}-$1
	ip netns add "$ns"
	hosts+=("$name")
	ip -n "$ns" link set lo up
	ip link add e0 netns "$ns" type veth peer name "h-$name" netns "$PRI-sw"
	ip -n "$PRI-sw" link set "h-$name" master br0 up
	ip -n "$ns" addr add "$NET4.$n/24" dev e0
	ip -n "$ns" addr add "$NET6:$n/64" dev e0 nodad
	ip -n "$ns" link set e0 up
}

net_up() {
	ip netns add "$PRI-sw"
	hosts+=(sw)
	ip -n "$PRI-sw" link add br0 type bridge
	ip -n "$PRI-sw" link set br0 up
}

# Stop everything we started (by PID: the recorded ones, then whatever still
# runs inside our namespaces), then remove the namespaces.
net_down() {
	local h p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for h in "${hosts[@]}"; do
		for p in $(ip netns pids "${PRI}-$h" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	done
	for h in "${hosts[@]}"; do ip netns delete "${PRI}-$h" 2>/dev/null || true; done
}

in_ns() { local h=$1; shift; ip netns exec "${PRI}-$h" "$@"; }

# ---- upstream sinks -------------------------------------------------------

# sink HOST NAME ADDR:PORT [smtp-sink options]: an smtp-sink writing every
# message it accepts to a file under $work/sink-NAME/
sink() {
	local h=$1 name=$2 addr=$3
	shift 3
	local dir=$work/sink-$name
	mkdir -p "$dir"
	chown nobody "$dir"
	# not through in_ns: $! must be smtp-sink itself (ip netns exec execs it)
	ip netns exec "${PRI}-$h" smtp-sink -u nobody "$@" -d "$dir/%H%M%S." "$addr" 64 \
		>"$work/sink-$name.log" 2>&1 &
	pids+=("$!")
	wait_port "$h" "${addr##*:}"
}

# wait_port HOST PORT: until something listens there (5 s at most)
wait_port() {
	for _ in $(seq 50); do
		in_ns "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listens on port $2 in $PRI-$1" >&2
	return 1
}

# arrived SINK MARKER [SECONDS]: prints the file holding MARKER once it is there
arrived() {
	local dir=$work/sink-$1
	for _ in $(seq $((${3:-15} * 10))); do
		grep -rlF -- "$2" "$dir" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no message with '$2' arrived at sink $1 within ${3:-15} s" >&2
	return 1
}

# not_arrived SINK MARKER: nothing with MARKER at the sink (after a short wait)
not_arrived() {
	sleep "${3:-1}"
	if grep -rlF -- "$2" "$work/sink-$1" 2>/dev/null; then
		echo "a message with '$2' arrived at sink $1" >&2
		return 1
	fi
}

# ---- Postfix instances -----------------------------------------------------

# apply_env ROOT ENVFILE [YAML]: postrelaycfg apply into ROOT; postconf -n must not warn
apply_env() {
	local root=$1 env=$2 err
	"$prc" apply ${3:+-c "$3"} --env-file "$env" --root "$root" || return 1
	err=$(postconf -c "$root/etc/postfix" -n 2>&1 >/dev/null)
	[ -z "$err" ] || { echo "postconf -n warns: $err" >&2; return 1; }
}

# pf_start HOST ROOT / pf_stop HOST ROOT: a Postfix instance in a namespace
pf_start() {
	in_ns "$1" postfix -c "$2/etc/postfix" start >/dev/null 2>&1 || {
		echo "postfix -c $2/etc/postfix start failed; log:" >&2
		tail -n 20 "$2/var/log/mail.log" >&2 2>/dev/null
		return 1
	}
	pids+=("$(cat "$2/var/spool/postfix/pid/master.pid")")
}

pf_stop() {
	local pidfile=$2/var/spool/postfix/pid/master.pid
	[ -s "$pidfile" ] || return 0
	in_ns "$1" postfix -c "$2/etc/postfix" stop >/dev/null 2>&1 || true
}

# queued ROOT QUEUE_ID QUEUE: the message is in the named queue (deferred, ...)
queued() {
	local out
	out=$(postqueue -c "$1/etc/postfix" -j 2>&1)
	if ! grep -q "\"queue_name\": \"$3\", \"queue_id\": \"$2\"" <<<"$out"; then
		echo "message $2 is not in the $3 queue of $1: $out" >&2
		return 1
	fi
}

# logged ROOT PATTERN [SECONDS]: the instance's log gets a line matching PATTERN
logged() {
	for _ in $(seq $((${3:-15} * 10))); do
		grep -qE -- "$2" "$1/var/log/mail.log" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no log line matching '$2' in $1/var/log/mail.log" >&2
	return 1
}

# ---- clients ----------------------------------------------------------------

# smtp CLIENT SERVER [swaks options]: run swaks; its transcript goes to $out
smtp() {
	local h=$1 server=$2
	shift 2
	out=$(in_ns "$h" swaks --server "$server" --helo "$h.client.test" \
		--timeout 20 "$@" 2>&1) && return 0
}

# the queue id from the last transcript ("250 2.0.0 Ok: queued as ID")
queue_id() { sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p' <<<"$out" | tail -n 1; }

# replied TEXT: a server reply in the last transcript starts with TEXT
replied() {
	sed -n 's/^<[-~*][ *] //p' <<<"$out" | awk -v w="$1" 'index($0, w) == 1 { f = 1 } END { exit !f }' || {
		echo "expected a '$1' reply; transcript:" >&2
		echo "$out" >&2
		return 1
	}
}
