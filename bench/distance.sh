#!/bin/bash
# Throughput to a distant relay host: MESSAGES messages of 4 KB from 10
# smtp-source sessions through a relay whose relay host is RTT milliseconds
# away and requires STARTTLS and AUTH, as SES, Microsoft 365 or Gmail do.
# Messages/s from the first connection until the sink behind the relay host
# has them all, counted by Message-ID (lost = sent - distinct Message-IDs;
# duplicates = files - distinct).  Network namespaces prd-<pid>-* on
# 10.235.0.0/24 (bench/lib.sh), removed at the end, also on failure:
#
#   src .1   smtp-source, 10 sessions -> relay:25
#   relay .2 the relay under test, relayhost [.4]:587, TLS encrypt + AUTH
#   lag .4   bench/lagproxy.py: RTT/2 each way (and the TCP handshake) -> .3:587
#   up .3    the relay host: a Postfix (postrelaycfg apply: SMTPD_USERS,
#            TLS_SECURITY_LEVEL=encrypt, so AUTH only after STARTTLS) that
#            relays to an smtp-sink on its 127.0.0.1:2600 writing one file
#            per message
#
# Relays (PRD_RELAYS, default "baseline postrelay tuned"):
#   baseline   Debian's default Postfix configured the seed image's way:
#              relayhost, smtp_tls_security_level=encrypt, a SASL password
#              map, smtp_sasl_auth_enable=yes (and
#              smtp_sasl_security_options=noanonymous, without which Debian's
#              default refuses PLAIN and LOGIN); PRD_PARAMS_baseline
#              ("name=value;...") adds Postfix parameters, for a look at it
#   postrelay  postrelaycfg apply of RELAYHOST, RELAYHOST_AUTH,
#              RELAYHOST_PASSWORDMAP, CLIENT_TLS_SECURITY_LEVEL=encrypt:
#              today's defaults
#   NAME       the same plus the env lines in PRD_PARAMS_NAME ("A=1;B=2",
#              e.g. POSTFIX_smtp_connection_cache_time_limit=10s);
#              "tuned" defaults to SMTP_DESTINATION_CONCURRENCY_LIMIT=20
#              (Postfix's own), to show what postrelay's default of 40
#              parallel connections to a relay host (the recommendation of
#              bench/distance-findings.md, now the default) does
# Each RTT: ROUNDS rounds, every relay once per round, the order reversed
# every other round.  PRD_SLOW_MESSAGES (default MESSAGES): the message count
# at RTT >= 50 ms of the relays in PRD_SLOW (default "baseline"), which are
# slow there.
#
# Usage: distance.sh BUILD_DIR MESSAGES ROUNDS RTT_MS...
# Prints tab-separated lines:
#   tuned  PRD_PARAMS_tuned
#   check  rtt  banner_ms  noop_median_ms  noop_min  noop_max
#   rate   rtt  relay  sent  median_msg/s  min  max  fewest_distinct  most_distinct  most_duplicates  rounds
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
NET4=10.235.0
ns_prefix=prd-$$-
build=$1
count=$2
rounds=$3
shift 3
[ $# -gt 0 ] || { echo "usage: distance.sh BUILD_DIR MESSAGES ROUNDS RTT_MS..." >&2; exit 64; }
cli=$build/cli/postrelaycfg
relays=${PRD_RELAYS:-baseline postrelay tuned}
slow=${PRD_SLOW_MESSAGES:-$count}
slow_relays=" ${PRD_SLOW:-baseline} "
# postrelay at Postfix's concurrency, against its default of 40 to a relay host
: "${PRD_PARAMS_tuned=SMTP_DESTINATION_CONCURRENCY_LIMIT=20}"
sessions=10
user=relayuser
pass=relay-secret
work=$(bench_workdir dist)
proxy_pid=
trap 'net_down; [ -n "${PRB_KEEP:-}" ] || rm -rf "$work"' EXIT
net_up
host src 1
host relay 2
host up 3
host lag 4
up=$work/upstream
sinkdir=$work/sink

# ---- the relay host: AUTH over STARTTLS on 587, smtp-sink behind it -----------
mkdir -p "$up" "$sinkdir"
chown nobody "$sinkdir"
cat >"$work/up.env" <<EOF
MAILNAME=upstream.example
MYNETWORKS=127.0.0.0/8
RELAYHOST=[127.0.0.1]:2600
SMTPD_USERS=$user:$pass
TLS_SECURITY_LEVEL=encrypt
LOGOUTPUT=$up/var/log/mail.log
POSTFIX_smtpd_peername_lookup=no
EOF
"$cli" apply --env-file "$work/up.env" --root "$up" >"$work/apply-up.log" 2>&1 ||
	{ cat "$work/apply-up.log" >&2; exit 1; }
# smtp-sink: one file per message under $sinkdir (moved away after each run)
ip netns exec "${ns_prefix}up" smtp-sink -u nobody -d "$sinkdir/%H%M%S." 127.0.0.1:2600 256 \
	>"$work/sink.log" 2>&1 &
pids+=("$!")
postfix_start up "$up"

# wait_port HOST ADDR PORT: until something listens there (10 s at most)
wait_port() {
	for _ in $(seq 100); do
		in_ns "$1" ss -Hltn "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	echo "distance.sh: nothing listens on $2:$3 in ${ns_prefix}$1" >&2
	return 1
}
wait_port up 127.0.0.1 2600
wait_port up "$NET4.3" 587

# proxy_up RTT: the delaying proxy on .4:587 -> .3:587
proxy_up() {
	if [ -n "$proxy_pid" ]; then
		kill "$proxy_pid" 2>/dev/null || true
		wait "$proxy_pid" 2>/dev/null || true
	fi
	ip netns exec "${ns_prefix}lag" python3 "$here/lagproxy.py" serve "$NET4.4:587" "$NET4.3:587" "$1" \
		>"$work/proxy.log" 2>&1 &
	proxy_pid=$!
	pids+=("$proxy_pid")
	wait_port lag "$NET4.4" 587
}

# ---- the relays ------------------------------------------------------------------

# relay_up KIND ROOT: configure and start the relay
relay_up() {
	local kind=$1 root=$2 conf=$2/etc/postfix item
	if [ "$kind" = baseline ]; then
		debian_default_instance "$root" "[$NET4.4]:587" "$NET4.0/24 127.0.0.0/8"
		# what Debian's postinst adds when ssl-cert is installed (the seed
		# image has it), with a certificate made here
		mkdir -p "$root/etc/ssl/certs" "$root/etc/ssl/private"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
			-subj "/CN=relay.example.com" -keyout "$root/etc/ssl/private/ssl-cert-snakeoil.key" \
			-out "$root/etc/ssl/certs/ssl-cert-snakeoil.pem" 2>/dev/null
		echo "[$NET4.4]:587 $user:$pass" >"$conf/sasl_passwd"
		chmod 600 "$conf/sasl_passwd"
		postmap -c "$conf" "$conf/sasl_passwd"
		postconf -c "$conf" -e \
			"smtpd_tls_cert_file=$root/etc/ssl/certs/ssl-cert-snakeoil.pem" \
			"smtpd_tls_key_file=$root/etc/ssl/private/ssl-cert-snakeoil.key" \
			smtpd_tls_security_level=may smtp_tls_CApath=/etc/ssl/certs \
			"smtp_tls_session_cache_database=btree:\${data_directory}/smtp_scache" \
			smtp_tls_security_level=encrypt smtp_sasl_auth_enable=yes \
			"smtp_sasl_password_maps=hash:$conf/sasl_passwd" \
			smtp_sasl_security_options=noanonymous
		# PRD_PARAMS_baseline: Postfix parameters for a look at the baseline
		# (e.g. debug_peer_list=10.235.0.4), not used by the report
		if [ -n "${PRD_PARAMS_baseline:-}" ]; then
			local IFS=';'
			for item in $PRD_PARAMS_baseline; do
				[ -z "$item" ] || postconf -c "$conf" -e "$item"
			done
		fi
	else
		mkdir -p "$root"
		cat >"$work/relay.env" <<-EOF
			MAILNAME=relay.example.com
			RELAYHOST=[$NET4.4]:587
			RELAYHOST_AUTH=yes
			RELAYHOST_PASSWORDMAP=[$NET4.4]:587:$user:$pass
			CLIENT_TLS_SECURITY_LEVEL=encrypt
			MYNETWORKS=$NET4.0/24, 127.0.0.0/8
			LOGOUTPUT=$root/var/log/mail.log
		EOF
		if [ "$kind" != postrelay ]; then
			local var=PRD_PARAMS_$kind
			[ -n "${!var+set}" ] || { echo "distance.sh: relay $kind: $var is not set" >&2; return 1; }
			local IFS=';'
			for item in ${!var}; do
				[ -z "$item" ] || echo "$item" >>"$work/relay.env"
			done
		fi
		"$cli" apply --env-file "$work/relay.env" --root "$root" >"$work/apply.log" 2>&1 ||
			{ cat "$work/apply.log" >&2; return 1; }
	fi
	postfix_start relay "$root"
}

received() { find "$sinkdir" -type f | wc -l; }

# measure KIND MESSAGES: prints "seconds distinct files"
measure() {
	local kind=$1 n=$2 root=$work/relay-$1 t0 t1 got last=-1 still=0 distinct files
	rm -rf "$root"
	sync
	sleep 1
	relay_up "$kind" "$root"
	t0=$(date +%s.%N)
	in_ns src smtp-source -s "$sessions" -m "$n" -l 4096 -M src.example \
		-f sender@src.example -t rcpt@dest.example "$NET4.2:25" >"$work/source.log" 2>&1 ||
		echo "distance.sh: smtp-source failed: $(head -c 300 "$work/source.log")" >&2
	# until the sink has them all, or nothing arrived for 60 s
	while :; do
		got=$(received)
		[ "$got" -lt "$n" ] || break
		if [ "$got" = "$last" ]; then still=$((still + 1)); else still=0; fi
		[ "$still" -lt 300 ] || break
		last=$got
		sleep 0.2
	done
	t1=$(date +%s.%N)
	sleep 1 # anything delivered twice shows up as more files
	postfix_stop "$root"
	files=$(received)
	distinct=$(find "$sinkdir" -type f -exec grep -h -m 1 -i '^Message-Id:' {} + 2>/dev/null | sort -u | wc -l)
	if [ "$distinct" -lt "$n" ] && [ -n "${PRB_KEEP:-}" ]; then
		cp "$root/var/log/mail.log" "$work/lost-$kind-$(date +%s).log" 2>/dev/null || true
	fi
	# the next run starts with an empty sink
	mv "$sinkdir" "$work/sink.old"
	mkdir "$sinkdir"
	chown nobody "$sinkdir"
	rm -rf "$work/sink.old"
	awk -v a="$t0" -v b="$t1" -v d="$distinct" -v f="$files" 'BEGIN { printf "%.2f %d %d\n", b - a, d, f }'
}

: >"$work/rates"
printf 'tuned\t%s\n' "$PRD_PARAMS_tuned"
for rtt in "$@"; do
	proxy_up "$rtt"
	# the RTT as SMTP sees it: through the proxy, from the relay's namespace
	in_ns relay python3 "$here/lagproxy.py" check "$NET4.4:587" 20 >"$work/check"
	printf 'check\t%s\t%s\t%s\n' "$rtt" "$(sed -n 's/^banner_ms //p' "$work/check")" \
		"$(sed -n 's/^noop_ms //p' "$work/check" | tr ' ' '\t')"
	for round in $(seq "$rounds"); do
		order=$relays
		# shellcheck disable=SC2086 # a list
		[ $((round % 2)) = 1 ] || order=$(printf '%s\n' $relays | tac | tr '\n' ' ')
		for kind in $order; do
			n=$count
			case $slow_relays in *" $kind "*) [ "$rtt" -lt 50 ] || n=$slow ;; esac
			measure "$kind" "$n" >"$work/measured"
			read -r secs distinct files <"$work/measured"
			echo "$rtt $kind $n $secs $distinct $files" >>"$work/rates"
			echo "distance.sh: rtt $rtt ms, round $round, $kind: $n sent, $distinct arrived ($files files) in $secs s" >&2
		done
	done
done
# per RTT and relay: median, min and max messages/s; fewest and most distinct
# Message-IDs received; most duplicates
awk '
{ k = $1 "\t" $2; c[k] = $3; r = ($5 < $3 ? $5 : $3) / $4; n[k]++; v[k, n[k]] = r
  if (!(k in lo) || $5 < lo[k]) lo[k] = $5; if (!(k in hi) || $5 > hi[k]) hi[k] = $5
  if ($6 - $5 > dup[k]) dup[k] = $6 - $5
  if (!(k in order)) { order[k] = ++nk; keys[nk] = k } }
END {
	for (i = 1; i <= nk; i++) {
		k = keys[i]; m = n[k]
		for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
			if (v[k, b] < v[k, a]) { t = v[k, a]; v[k, a] = v[k, b]; v[k, b] = t }
		med = m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
		printf "rate\t%s\t%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\n", k, c[k], med, v[k, 1], v[k, m], lo[k], hi[k], dup[k] + 0, m
	}
}' "$work/rates"
