#!/bin/bash
# Relay throughput: MESSAGES messages of 4 KB over 10 sessions through a
# relay to an upstream, in network namespaces (bench/lib.sh) on 10.234.0.0/24; messages/s
# end to end (until the upstream has counted them all) and how many were lost.
# The relay is postrelay's configuration (postrelaycfg apply) or, as the
# baseline in the same run, Debian's default configuration with only
# relayhost and mynetworks set.  Both relays keep their queue on disk.
#
#   plain: smtp-source (10.234.0.1) -> relay (.2) -> smtp-sink (.3)
#   tls:   the same messages, queued first in a Postfix injector (.1) and
#          released at once, STARTTLS on both legs -> relay (.2) -> a Postfix
#          upstream with STARTTLS that discards (.3); smtp-source and smtp-sink
#          have no TLS
#
# Usage: throughput.sh BUILD_DIR MESSAGES ROUNDS [plain|tls]...
# Prints one tab-separated line per variant and relay:
#   variant  relay  sent  median_msg/s  min  max  fewest_received  most_received  rounds
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
build=$1
count=$2
rounds=$3
shift 3
cli=$build/cli/postrelaycfg
work=$(bench_workdir tput)
trap 'net_down; [ -n "${PRB_KEEP:-}" ] || rm -rf "$work"' EXIT
sessions=10
net_up
host src 1
host relay 2
host sink 3

apply_cmd() {
	if "$cli" apply --help >/dev/null 2>&1; then
		"$cli" apply --env-file "$1" --root "$2"
	else
		"$here/apply-stand-in.sh" "$cli" "$1" "$2"
	fi
}

self_signed() { # self_signed ROOT: the snakeoil pair under ROOT/etc/ssl
	mkdir -p "$1/etc/ssl/certs" "$1/etc/ssl/private"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
		-subj "/CN=$2" -keyout "$1/etc/ssl/private/ssl-cert-snakeoil.key" \
		-out "$1/etc/ssl/certs/ssl-cert-snakeoil.pem" 2>/dev/null
}

# relay_up postrelay|baseline VARIANT ROOT: configure and start the relay
relay_up() {
	local kind=$1 variant=$2 root=$3
	if [ "$kind" = postrelay ]; then
		mkdir -p "$root"
		cat >"$work/relay.env" <<-EOF
			MAILNAME=relay.example.com
			RELAYHOST=[$NET4.3]:25
			MYNETWORKS=$NET4.0/24, 127.0.0.0/8
			LOGOUTPUT=$root/var/log/mail.log
		EOF
		# trying a tuning: PRB_POSTCONF='name=value;...' is added to postrelay's relay
		[ -z "${PRB_POSTCONF:-}" ] || echo "POSTCONF=$PRB_POSTCONF" >>"$work/relay.env"
		apply_cmd "$work/relay.env" "$root" >"$work/apply.log" 2>&1
	else
		debian_default_instance "$root" "[$NET4.3]:25" "$NET4.0/24 127.0.0.0/8"
		if [ "$variant" = tls ]; then
			# what Debian's postinst adds when ssl-cert is installed
			self_signed "$root" relay.example.com
			postconf -c "$root/etc/postfix" -e \
				"smtpd_tls_cert_file=$root/etc/ssl/certs/ssl-cert-snakeoil.pem" \
				"smtpd_tls_key_file=$root/etc/ssl/private/ssl-cert-snakeoil.key" \
				smtpd_tls_security_level=may smtp_tls_CApath=/etc/ssl/certs \
				smtp_tls_security_level=may \
				"smtp_tls_session_cache_database=btree:\${data_directory}/smtp_scache"
		fi
	fi
	postfix_start relay "$root"
}

# A Postfix instance for the TLS rig (injector or upstream) under ROOT.
helper_instance() {
	local root=$1 name=$2 conf=$1/etc/postfix
	mkdir -p "$conf" "$root/var/spool/postfix" "$root/var/lib/postfix" "$root/var/log"
	cp /usr/share/postfix/main.cf.debian "$conf/main.cf"
	cp /usr/share/postfix/master.cf.dist "$conf/master.cf"
	chown postfix: "$root/var/lib/postfix"
	self_signed "$root" "$name"
	postconf -c "$conf" -e "myhostname=$name" "queue_directory=$root/var/spool/postfix" \
		"data_directory=$root/var/lib/postfix" "maillog_file=$root/var/log/mail.log" \
		"maillog_file_prefixes=$root/var/log" alias_maps= alias_database= mydestination= \
		"mynetworks=$NET4.0/24 127.0.0.0/8" inet_protocols=ipv4 \
		"smtpd_tls_cert_file=$root/etc/ssl/certs/ssl-cert-snakeoil.pem" \
		"smtpd_tls_key_file=$root/etc/ssl/private/ssl-cert-snakeoil.key" \
		smtpd_tls_security_level=may smtp_tls_security_level=encrypt
	postconf -c "$conf" -F '*/*/chroot=n'
}

sink_count_smtp() { tail -c 64 "$work/sink.out" 2>/dev/null | tr '\r' '\n' | sed -n 's/.*mesg=//p' | tail -n 1; }
sink_count_postfix() { grep -c ' status=sent ' "$work/upstream/var/log/mail.log" 2>/dev/null || true; }

# measure postrelay|baseline VARIANT: prints "seconds received"
measure() {
	local kind=$1 variant=$2 root=$work/relay-$1-$2 counter t0 t1 n=0
	# the same start for both: the previous run's queue files and log written
	# out, not still being flushed while this one is measured
	rm -rf "$root"
	sync
	sleep 2
	relay_up "$kind" "$variant" "$root"
	if [ "$variant" = plain ]; then
		: >"$work/sink.out"
		ip netns exec "${ns_prefix}sink" smtp-sink -c -u nobody "$NET4.3:25" 256 >"$work/sink.out" 2>&1 &
		pids+=("$!")
		counter=sink_count_smtp
		sleep 0.3
		t0=$(date +%s.%N)
		in_ns src smtp-source -s "$sessions" -m "$count" -l 4096 -M src.example \
			-f sender@src.example -t rcpt@dest.example "$NET4.2:25" >"$work/source.log" 2>&1 ||
			{ echo "smtp-source failed: $(head -c 300 "$work/source.log")" >&2; }
	else
		local inj=$work/injector up=$work/upstream
		rm -rf "$inj" "$up"
		helper_instance "$up" upstream.example
		postconf -c "$up/etc/postfix" -e default_transport=discard relay_transport=discard \
			"relay_domains=\$mydestination dest.example"
		helper_instance "$inj" src.example
		postconf -c "$inj/etc/postfix" -e "relayhost=[$NET4.2]:25" \
			"smtp_destination_concurrency_limit=$sessions" \
			"initial_destination_concurrency=$sessions" \
			'smtpd_end_of_data_restrictions=check_client_access static:HOLD'
		postfix_start sink "$up"
		postfix_start src "$inj"
		in_ns src smtp-source -s "$sessions" -m "$count" -l 4096 -M src.example \
			-f sender@src.example -t rcpt@dest.example 127.0.0.1:25 >"$work/source.log" 2>&1
		counter=sink_count_postfix
		t0=$(date +%s.%N)
		postsuper -c "$inj/etc/postfix" -H ALL 2>/dev/null
		postqueue -c "$inj/etc/postfix" -f
	fi
	local last=-1 still=0
	# until the upstream has them all, or nothing moved for 30 s
	while :; do
		n=$($counter)
		n=${n:-0}
		[ "$n" -lt "$count" ] || break
		if [ "$n" = "$last" ]; then still=$((still + 1)); else still=0; fi
		[ "$still" -lt 300 ] || break
		last=$n
		sleep 0.1
	done
	t1=$(date +%s.%N)
	sleep 1 # anything delivered twice shows up as more than $count
	n=$($counter)
	postfix_stop "$root"
	if [ "$variant" = tls ]; then
		postfix_stop "$work/injector"
		postfix_stop "$work/upstream"
	fi
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	pids=()
	awk -v a="$t0" -v b="$t1" -v n="${n:-0}" 'BEGIN { printf "%.2f %d\n", b - a, n }'
}

# ROUNDS rounds, baseline and postrelay alternating within each, and which
# goes first alternating between rounds (ABBA): neither always runs on the
# machine the other has just warmed up or left busy
: >"$work/rates"
for variant in "${@:-plain}"; do
	for round in $(seq "$rounds"); do
		order="baseline postrelay"
		[ $((round % 2)) = 1 ] || order="postrelay baseline"
		for kind in $order; do
			measure "$kind" "$variant" >"$work/measured"
			read -r secs got <"$work/measured"
			echo "$variant $kind $secs $got" >>"$work/rates"
		done
	done
done
# per variant and relay: median, min and max messages/s; fewest and most received
awk -v c="$count" '
{ k = $1 "\t" $2; r = ($4 < c ? $4 : c) / $3; n[k]++; v[k, n[k]] = r
  if (!(k in lo) || $4 < lo[k]) lo[k] = $4; if (!(k in hi) || $4 > hi[k]) hi[k] = $4
  if (!(k in order)) { order[k] = ++nk; keys[nk] = k } }
END {
	for (i = 1; i <= nk; i++) {
		k = keys[i]; m = n[k]
		for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
			if (v[k, b] < v[k, a]) { t = v[k, a]; v[k, a] = v[k, b]; v[k, b] = t }
		med = m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2
		printf "%s\t%d\t%.0f\t%.0f\t%.0f\t%d\t%d\t%d\n", k, c, med, v[k, 1], v[k, m], lo[k], hi[k], m
	}
}' "$work/rates"
