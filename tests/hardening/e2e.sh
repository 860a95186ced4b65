#!/bin/bash
# Hardening scenarios against a real Postfix relay made by `postrelaycfg
# apply`: faults with zero mail lost (upstream down, kill -9 under load, a full
# spool, OpenDKIM dying under load), open-relay probes, SMTP smuggling, and a
# secrets audit.  Messages are counted by Message-ID at the upstream.
# Network namespaces prh-* on 10.233.0.0/24 and fd00:233::/64; the helpers of
# tests/integration/lib.sh with our own prefix.  Prints "ok/not ok - name" and
# "N passed, N failed" last.  Needs root.  MESSAGES (default 1000) per fault.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/hardening
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR/../..
. "$top/tests/integration/lib.sh"
NET4=10.233.0
NET6=fd00:233:
N=${MESSAGES:-1000}
tool() { /usr/bin/python3 "$here/smtp-tool.py" "$@"; }
# client HOST ARGS...: smtp-tool.py run in the namespace of HOST
client() { local h=$1; shift; in_ns "$h" /usr/bin/python3 "$here/smtp-tool.py" "$@"; }

[ "$(id -u)" = 0 ] || { echo "e2e: must run as root (network namespaces)"; echo "0 passed, 1 failed"; exit 1; }

# ---- lib.sh's network helpers, with the prh- prefix ---------------------------
host() {
	local name=$1 n=$2 ns=prh-$1
	ip netns add "$ns"
	hosts+=("$name")
	ip -n "$ns" link set lo up
	ip link add e0 netns "$ns" type veth peer name "h-$name" netns prh-sw
	ip -n prh-sw link set "h-$name" master br0 up
	ip -n "$ns" addr add "$NET4.$n/24" dev e0
	ip -n "$ns" addr add "$NET6:$n/64" dev e0 nodad
	ip -n "$ns" link set e0 up
}
net_up() {
	ip netns add prh-sw
	hosts+=(sw)
	ip -n prh-sw link add br0 type bridge
	ip -n prh-sw link set br0 up
}
net_down() {
	local h p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for h in "${hosts[@]}"; do
		for p in $(ip netns pids "prh-$h" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
	done
	for h in "${hosts[@]}"; do ip netns delete "prh-$h" 2>/dev/null || true; done
}
in_ns() { local h=$1; shift; ip netns exec "prh-$h" "$@"; }
# sink HOST NAME ADDR:PORT: as lib.sh's; $sink_pid is its PID
sink() {
	local h=$1 name=$2 addr=$3 dir=$work/sink-$2
	shift 3
	mkdir -p "$dir"
	chown nobody "$dir"
	ip netns exec "prh-$h" smtp-sink -u nobody "$@" -d "$dir/%H%M%S." "$addr" 256 \
		>>"$work/sink-$name.log" 2>&1 &
	sink_pid=$!
	pids+=("$sink_pid")
	wait_port "$h" "${addr##*:}"
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# scenario NAME FUNCTION...: run in this shell (state carries over), show its "# " lines
scenario() {
	local name=$1 log=$work/log.$1
	shift
	if "$@" >"$log" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 30 "$log")"; fi
	grep '^# ' "$log" || true
}

build=${BUILD_DIR:-$top/build-hardening}
[ -d "$build" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
ninja -C "$build" >/dev/null
prc=$build/cli/postrelaycfg

work=$(mktemp -d /run/prh-e2e.XXXXXX)
chmod 755 "$work"
R=$work/relay
A=$work/auth
mkdir -p "$R" "$A"
spool_mounted=
finish() {
	local rc=$?
	pf_stop relay "$R"
	pf_stop auth "$A"
	[ -z "$spool_mounted" ] || umount "$spool_mounted" 2>/dev/null || true
	net_down
	if [ "${KEEP:-}" = 1 ]; then echo "# work directory kept: $work"; else rm -rf "$work"; fi
	[ "$completed" = 1 ] || not_ok "e2e_runs_to_completion" "aborted with exit status $rc"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
completed=0
trap finish EXIT
trap 'exit 130' INT TERM

net_up
host relay 10
host up 20
host auth 30
host trust 40
host untr 100
RELAY4=$NET4.10

# relay CONFIG-LINES: apply the base settings plus CONFIG-LINES, start with an empty queue
relay() {
	{
		echo "MAILNAME=relay.test.example"
		echo "MYNETWORKS=$NET4.0/26, [$NET6:]/121"
		echo "LOGOUTPUT=$R/var/log/mail.log"
		echo "RELAYHOST=[$NET4.20]:25"
		printf '%s\n' "$@"
	} >"$work/relay.env"
	pf_stop relay "$R"
	apply_env "$R" "$work/relay.env" || return 1
	postsuper -c "$R/etc/postfix" -d ALL >/dev/null 2>&1 || true
	pf_start relay "$R"
}
pq() { postqueue -c "$R/etc/postfix" "$@"; }
# in_queue QUEUE: how many messages the relay holds in QUEUE ("" = all queues)
in_queue() { pq -j | grep -c "\"queue_name\": \"$1" || true; }
# arrivals SINK PREFIX: "unique U total T" at the sink
arrivals() { tool count "$work/sink-$1" "$2" | head -n 1; }
# wait_arrivals SINK PREFIX COUNT SECONDS: until COUNT distinct messages are there
wait_arrivals() {
	for _ in $(seq $(($4 * 5))); do
		[ "$(arrivals "$1" "$2" | cut -d' ' -f2)" -ge "$3" ] && return 0
		sleep 0.2
	done
	return 1
}
# accepted OUT: how many messages the sender got 250 for (last attempt)
accepted() { awk '$NF == "250"' "$1" | wc -l; }
# up_sink: the upstream sink runs (a failed scenario may have left it stopped)
up_sink() { kill -0 "$up_pid" 2>/dev/null || { sink up up ":25" && up_pid=$sink_pid; }; }
# postfix processes of the relay, by PID (everything in its namespace but sinks)
relay_pids() { ip netns pids prh-relay; }

# ---- faults: upstream down ------------------------------------------------------
sink up up ":25"
up_pid=$sink_pid
if relay; then ok "apply_relay_config"; else not_ok "apply_relay_config"; fi

t_upstream_down() {
	local p=down out=$work/send-down
	stop_pid "$up_pid"
	client trust send "$RELAY4" 25 "$N" "$p" "$out" --from app@trust.test || return 1
	[ "$(accepted "$out")" = "$N" ] || { echo "only $(accepted "$out") of $N accepted"; sort -k2 "$out" | uniq -c -f1 | head; return 1; }
	# every accepted message is queued (deferred once the upstream was tried), none lost
	for _ in $(seq 150); do
		[ "$(in_queue deferred)" = "$N" ] && break
		sleep 0.2
	done
	[ "$(in_queue deferred)" = "$N" ] || { echo "deferred: $(in_queue deferred), in queue: $(in_queue "")"; return 1; }
	[ "$(arrivals up "$p")" = "unique 0 total 0" ] || return 1
	sink up up ":25"
	up_pid=$sink_pid
	pq -f
	wait_arrivals up "$p" "$N" 120 || { echo "arrived: $(arrivals up "$p")"; return 1; }
	sleep 1
	local got
	got=$(arrivals up "$p")
	[ "$got" = "unique $N total $N" ] || { echo "arrived: $got"; tool count "$work/sink-up" "$p" | head; return 1; }
	for _ in $(seq 50); do [ "$(in_queue "")" = 0 ] && break; sleep 0.2; done
	[ "$(in_queue "")" = 0 ] || { echo "still queued: $(in_queue "")"; return 1; }
	echo "# upstream down: $N accepted, $N deferred, $N arrived exactly once after the flush"
}
scenario "fault_upstream_down_${N}_queued_then_delivered_exactly_once" t_upstream_down

# ---- faults: kill -9 of every Postfix process under load ------------------------------
t_kill9() {
	up_sink || return 1
	local p=kill out=$work/send-kill sender killed=0
	relay || return 1
	client trust send "$RELAY4" 25 "$N" "$p" "$out" --from app@trust.test --retry 120 &
	sender=$!
	# kill once a good part is through the relay
	for _ in $(seq 300); do
		[ "$(arrivals up "$p" | cut -d' ' -f2)" -ge $((N / 4)) ] && break
		sleep 0.05
	done
	for pid in $(relay_pids); do kill -9 "$pid" 2>/dev/null && killed=$((killed + 1)); done
	# a supervisor restarts only once the killed processes are gone
	for _ in $(seq 100); do [ -z "$(relay_pids)" ] && break; sleep 0.1; done
	sleep 1
	if ! pf_start relay "$R"; then
		# postfix-script's integrity check runs postsuper: show why it failed
		ip netns exec prh-relay postsuper -c "$R/etc/postfix" 2>&1 | sed 's/^/# postsuper: /'
		sleep 2
		pf_start relay "$R" || { wait "$sender"; return 1; }
		echo "# the first postfix start after kill -9 failed its integrity check; the second started"
	fi
	wait "$sender" || return 1
	[ "$(accepted "$out")" = "$N" ] || { echo "only $(accepted "$out") of $N accepted in the end"; return 1; }
	wait_arrivals up "$p" "$N" 120 || { echo "arrived: $(arrivals up "$p") of $N accepted"; return 1; }
	sleep 1
	local got unknown dups
	got=$(arrivals up "$p")
	unknown=$(grep -c unknown "$out" || true)
	dups=$(( $(echo "$got" | cut -d' ' -f4) - N ))
	echo "# kill -9 of $killed Postfix processes: $N accepted (250), $got arrived; $unknown sends had no answer (client resent), $dups duplicate(s)"
	# at least once: a duplicate only where the 250 could have been lost
	[ "$dups" -le $((unknown + killed)) ]
}
scenario "fault_kill9_postfix_under_load_every_250_arrives" t_kill9

# ---- faults: the spool's filesystem fills up ----------------------------------------
t_spool_full() {
	local p=full out=$work/send-full
	pf_stop relay "$R"
	mkdir -p "$R/var/spool/postfix"
	mount -t tmpfs -o size=6m prh-spool "$R/var/spool/postfix" || return 1
	spool_mounted=$R/var/spool/postfix
	stop_pid "$up_pid"
	relay "SIZELIMIT=1048576" || return 1
	# 80 messages of 100 KB with the upstream down: more than 6 MB holds
	client trust send "$RELAY4" 25 80 "$p" "$out" --size 102400 --sessions 4 --from app@trust.test || return 1
	local ok4 ok5 acc
	acc=$(accepted "$out")
	ok4=$(awk '$NF ~ /^4/' "$out" | wc -l)
	ok5=$(awk '$NF ~ /^5/ || $NF == "unknown" || $NF == "refused"' "$out" | wc -l)
	echo "# full spool: $acc accepted, $ok4 refused with 4xx ($(awk '$NF ~ /^4/ {print $NF}' "$out" | sort | uniq -c | tr '\n' ' ')), $ok5 other"
	if [ "$acc" = 0 ] || [ "$ok4" = 0 ] || [ "$ok5" != 0 ]; then
		sort -k2 "$out" | uniq -c -f1
		return 1
	fi
	sink up up ":25"
	up_pid=$sink_pid
	pq -f
	wait_arrivals up "$p" "$acc" 60 || { echo "arrived: $(arrivals up "$p") of $acc accepted"; return 1; }
	sleep 1
	[ "$(arrivals up "$p")" = "unique $acc total $acc" ] || { echo "arrived: $(arrivals up "$p")"; return 1; }
	# with room again the relay accepts mail
	client trust send "$RELAY4" 25 1 "$p-after" "$out-after" --from app@trust.test &&
		[ "$(accepted "$out-after")" = 1 ] && wait_arrivals up "$p-after" 1 30
}
scenario "fault_spool_full_4xx_nothing_accepted_lost" t_spool_full
pf_stop relay "$R"
if [ -n "$spool_mounted" ]; then umount "$spool_mounted" && spool_mounted=; fi

# ---- faults: OpenDKIM dies under load ------------------------------------------------
mkdir -m 700 "$work/dkim"
"$prc" dkim-keygen --domain signed.example --selector mail -o "$work/dkim/main.key" >"$work/dkim/main.txt"
t_dkim_dies() {
	up_sink || return 1
	local p=dkim out=$work/send-dkim dkim_pid
	relay "USE_DKIM=yes" "DKIM_KEYFILE=$work/dkim/main.key" "DKIM_DOMAINS=signed.example" || return 1
	ip netns exec prh-relay opendkim -x "$R/etc/opendkim/opendkim.conf" -f >"$work/opendkim.log" 2>&1 &
	dkim_pid=$!
	pids+=("$dkim_pid")
	wait_port relay 8891 || return 1
	local m=$((N / 2))
	client trust send "$RELAY4" 25 "$m" "$p" "$out" --from app@signed.example &
	local sender=$!
	for _ in $(seq 300); do
		[ "$(arrivals up "$p" | cut -d' ' -f2)" -ge $((m / 4)) ] && break
		sleep 0.05
	done
	kill -9 "$dkim_pid"
	wait "$sender" || return 1
	local acc refused
	acc=$(accepted "$out")
	refused=$(awk '$NF != "250"' "$out" | wc -l)
	wait_arrivals up "$p" "$acc" 60 || { echo "arrived: $(arrivals up "$p") of $acc accepted"; return 1; }
	sleep 1
	local verdict
	verdict=$(tool dkim "$work/sink-up" "$work/dkim/main.txt")
	echo "# OpenDKIM killed under load: $acc of $m accepted, $refused refused ($(awk '$NF != "250" {print $NF}' "$out" | sort | uniq -c | tr '\n' ' ')), at the upstream: $verdict"
	[ "$acc" -gt 0 ] || { echo "nothing was accepted: the test tests nothing"; return 1; }
	[ "$refused" -gt 0 ] || { echo "the kill came too late to test anything"; return 1; }
	[ "$verdict" = "signed $acc unsigned 0 bad 0" ]
}
rm -rf "$work/sink-up"/*
scenario "fault_opendkim_dies_under_load_nothing_leaves_unsigned" t_dkim_dies

# ---- open-relay probes from an untrusted client ----------------------------------------
relay "SMTPD_USERS=alice:alice-secret" >/dev/null || not_ok "apply_probe_config"
t_probes() {
	up_sink || return 1
	local got
	got=$(in_ns untr /usr/bin/python3 "$here/smtp-tool.py" probe "$RELAY4" 25 probe.test probe@untr.test \
		"victim@dest.example" "victim%dest.example@relay.test.example" "dest.example!victim@relay.test.example" \
		"@relay.test.example:victim@dest.example" '"victim@dest.example"@relay.test.example' \
		"victim@relay.test.example" "victim@[$RELAY4]" "victim@[IPv6:$NET6:10]" "postmaster@dest.example" \
		"victim@dest.example." "victim@DEST.example") || return 1
	echo "# probes: $(tr '\n' ' ' <<<"$got")"
	[ "$(head -n 1 <<<"$got")" = "MAIL 250" ] || { echo "$got"; return 1; }
	[ "$(tail -n +2 <<<"$got" | wc -l)" = 11 ] || { echo "$got"; return 1; }
	# every RCPT refused for good (5xx)
	! tail -n +2 <<<"$got" | awk '$NF !~ /^5[0-9][0-9]$/' | grep . || return 1
}
scenario "open_relay_probes_from_untrusted_all_refused" t_probes

t_probe_auth() {
	# AUTH is not offered before STARTTLS, on 25 and 587
	smtp untr "$RELAY4" --port 587 --auth LOGIN --auth-user alice --auth-password alice-secret \
		--to victim@dest.example && return 1
	grep -q 'Host did not advertise authentication' <<<"$out" || { echo "$out"; return 1; }
	smtp untr "$RELAY4" --port 25 --auth LOGIN --auth-user alice --auth-password alice-secret \
		--to victim@dest.example && return 1
	grep -q 'Host did not advertise authentication' <<<"$out" || { echo "$out"; return 1; }
	# a wrong password after STARTTLS: 535, and the relay still refuses to relay
	smtp untr "$RELAY4" --port 587 -tls --auth LOGIN --auth-user alice --auth-password wrong \
		--to victim@dest.example && return 1
	replied "535 5.7.8 Error: authentication failed" || return 1
	local got
	got=$(in_ns untr /usr/bin/python3 - "$RELAY4" <<'EOF'
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], 587, "probe.test", timeout=20)
s.starttls()
s.ehlo("probe.test")
try:
    s.login("alice", "wrong")
except smtplib.SMTPAuthenticationError as e:
    print("AUTH", e.smtp_code)
print("MAIL", s.mail("probe@untr.test")[0])
print("RCPT", s.rcpt("victim@dest.example")[0])
EOF
)
	[ "$got" = $'AUTH 535\nMAIL 250\nRCPT 554' ] || { echo "$got"; return 1; }
}
scenario "open_relay_auth_before_starttls_and_bad_credentials_refused" t_probe_auth
t_probe_nothing_arrived() { ! grep -rlq 'probe@untr.test' "$work/sink-up"; }
scenario "open_relay_probes_nothing_arrived" t_probe_nothing_arrived

# ---- SMTP smuggling ----------------------------------------------------------------------
t_smuggling() {
	up_sink || return 1
	local mk=smug$$ got
	got=$(in_ns trust /usr/bin/python3 "$here/smtp-tool.py" smuggle "$RELAY4" 25 "$mk") || return 1
	echo "# smuggling attempts, reply to the real end of data: $(tr '\n' ' ' <<<"$got")"
	sleep 3
	# no smuggled message may arrive on its own: its Subject is only ever in the
	# body of a first message, never in a message's header section
	local f bad=0
	while read -r f; do
		if awk -v re="^Subject: $mk-[a-z-]*-smuggled" '/^\r?$/ { exit } $0 ~ re { f = 1 } END { exit !f }' "$f"; then
			echo "smuggled message arrived as a message of its own: $f"
			bad=1
		fi
	done < <(grep -rl -- "$mk-" "$work/sink-up" 2>/dev/null)
	# each accepted attempt arrived once, as one message
	local n250 first
	n250=$(grep -c ' 250$' <<<"$got")
	first=$(grep -rl "^Subject: $mk-[a-z-]*-first" "$work/sink-up" 2>/dev/null | wc -l)
	grep -rqx "smuggled" "$work/sink-up" || { echo "the smuggled text is nowhere: was it sent?"; bad=1; }
	[ "$first" = "$n250" ] || { echo "$first first messages arrived for $n250 accepted"; bad=1; }
	return $bad
}
scenario "smtp_smuggling_bare_lf_cr_not_end_of_data" t_smuggling

# ---- secrets ---------------------------------------------------------------------------------
pw_relay="relay-PLANTED-$$-$(date +%s%N)"
pw_user="user-PLANTED-$$-$(date +%s%N)"
cat >"$work/auth.env" <<EOF
MAILNAME=auth.test.example
MYNETWORKS=127.0.0.0/8
RELAYHOST=[$NET4.20]:25
SMTPD_USERS=relayuser:$pw_relay
LOGOUTPUT=$A/var/log/mail.log
EOF
if ! apply_env "$A" "$work/auth.env" || ! pf_start auth "$A"; then not_ok "secrets_upstream_starts"; fi
t_secrets() {
	up_sink || return 1
	pf_stop relay "$R"
	# everything through the environment, as in a container
	local vars=("MAILNAME=relay.test.example" "MYNETWORKS=$NET4.0/26" "LOGOUTPUT=$R/var/log/mail.log"
		"RELAYHOST=[$NET4.30]:587" "RELAYHOST_AUTH=yes"
		"RELAYHOST_PASSWORDMAP=[$NET4.30]:587:relayuser:$pw_relay" "SMTPD_USERS=carol:$pw_user")
	env "${vars[@]}" "$prc" apply --root "$R" >"$work/apply.out" 2>&1 || { cat "$work/apply.out"; return 1; }
	env "${vars[@]}" "$prc" print >"$work/print.out" 2>&1 || return 1
	postsuper -c "$R/etc/postfix" -d ALL >/dev/null 2>&1 || true
	env "${vars[@]}" ip netns exec prh-relay postfix -c "$R/etc/postfix" start >/dev/null 2>&1 || return 1
	pids+=("$(cat "$R/var/spool/postfix/pid/master.pid")")
	# carol logs in, her mail goes out through the AUTH upstream with the relay password
	send_m=sec$$
	smtp untr "$RELAY4" --port 587 -tls --auth PLAIN --auth-user carol --auth-password "$pw_user" \
		--to someone@dest.example --header "Subject: $send_m" || { echo "$out"; return 1; }
	arrived up "$send_m" >/dev/null || return 1
	logged "$A" "sasl_username=relayuser" || return 1
	local bad=0 f
	# where the passwords may be: the credential table, its postmap form, the SASL db
	while read -r f; do
		case ${f#"$R"/} in
		etc/postfix/sasl_passwd | etc/postfix/sasl_passwd.db | etc/postfix/sasl/sasldb2) ;;
		*) echo "a password is in $f"; bad=1 ;;
		esac
	done < <(grep -rlaF -e "$pw_relay" -e "$pw_user" "$R" 2>/dev/null)
	for f in "$work/apply.out" "$work/print.out" "$R/var/log/mail.log"; do
		if grep -qaF -e "$pw_relay" -e "$pw_user" "$f"; then echo "a password is in $f"; bad=1; fi
	done
	local pid
	for pid in $(relay_pids); do
		if grep -qaF -e "$pw_relay" -e "$pw_user" "/proc/$pid/environ" 2>/dev/null; then
			echo "a password is in the environment of $pid ($(cat "/proc/$pid/comm"))"
			bad=1
		fi
	done
	grep -q '<redacted>' "$work/print.out" || { echo "print shows no redaction"; bad=1; }
	# modes: secrets 0600 root, the SASL db 0640 root:postfix, the TLS key 0600
	local m
	for f in etc/postfix/sasl_passwd:600:root:root etc/postfix/sasl_passwd.db:600:root:root \
		etc/postfix/sasl/sasldb2:640:root:postfix etc/ssl/private/ssl-cert-snakeoil.key:600:root:root; do
		m=$(stat -c '%a:%U:%G' "$R/${f%%:*}" 2>&1)
		[ "$m" = "${f#*:}" ] || { echo "${f%%:*} is $m, expected ${f#*:}"; bad=1; }
	done
	return $bad
}
scenario "secrets_planted_passwords_only_in_secret_files_modes_0600" t_secrets

completed=1
