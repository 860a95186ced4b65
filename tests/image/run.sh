#!/bin/bash
# Image tier: build the real Dockerfile and run the relay in containers on a
# bridge network of its own (prt-net, 10.232.0.0/24) with a real upstream
# (smtp-sink) and real clients (swaks, openssl, python3 and python3-dkim) on the host.
# Every container, volume, network and derived image it makes is named prt-*
# and removed on exit, even when a test fails; a dockerd it started is stopped
# by PID.  Without a Docker engine it says so and counts nothing.
#
#   tests/image/run.sh [TEST...]      (all tests when none is named)
#
# PRT_IMAGE=TAG uses an already built image instead of building (development).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/image
# shellcheck source=tests/image/engine.sh
. "$here/engine.sh"

work=$(mktemp -d /tmp/prt-image.XXXXXX)
image=${PRT_IMAGE:-prt-postrelay:test}
net=prt-net
gateway=10.232.0.1 # the host's address on prt-net: the tests' SMTP client
upstream_ip=10.232.0.20
pass=0
fail=0

cleanup() {
	local ids p
	# the host's test servers (token endpoint, XOAUTH2 upstream), by PID
	if [ -s "$work/host-pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$work/host-pids"
	fi
	ids=$(docker ps -aq --filter name='^prt-' 2>/dev/null || true)
	# shellcheck disable=SC2086
	[ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
	docker network rm "$net" prt-compose_default >/dev/null 2>&1 || true
	docker volume rm prt-spool prt-compose_spool >/dev/null 2>&1 || true
	docker image rm -f prt-derived:good prt-derived:bad >/dev/null 2>&1 || true
	# layers the derived builds left untagged (a failed build keeps its last step)
	docker image ls -q --filter dangling=true --filter since="$image" 2>/dev/null |
		xargs -r docker image rm >/dev/null 2>&1 || true
	engine_down
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! engine_up "$work/dockerd.log"; then
	echo "image: no Docker engine could be started on this machine; image tests skipped"
	echo "0 passed, 0 failed"
	exit 0
fi

# ---- helpers ---------------------------------------------------------------

# Notes for the reader of the output (figures), shown even from inside a test.
exec 3>&1
say() { echo "# $*" >&3; }

fail() {
	echo "FAIL: $*" >&2
	return 1
}

expect_eq() { # ACTUAL EXPECTED WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_grep() { # PATTERN FILE WHAT
	grep -qE -- "$1" "$2" || { sed 's/^/  | /' "$2" | tail -n 30 >&2; fail "$3: no /$1/"; }
}

# The least-privilege way docs/image.md runs the image: read-only root, tmpfs
# on /run and /tmp, the queue on a volume, only these capabilities (the table
# there says why each), no privilege gain through setuid/setgid or file caps.
caps=(CHOWN DAC_OVERRIDE FOWNER SETUID SETGID NET_BIND_SERVICE KILL)
hardened=(--read-only --tmpfs /run --tmpfs /tmp --cap-drop ALL
	--security-opt no-new-privileges)
for c in "${caps[@]}"; do hardened+=(--cap-add "$c"); done

# Run a relay container, hardened: NAME IP, then docker run options, the image
# and its arguments.  An anonymous volume holds the queue unless one is given.
relay() {
	local name=$1 ip=$2 spool=(-v /var/spool/postfix)
	shift 2
	case " $* " in *:/var/spool/postfix\ *) spool=() ;; esac
	relay_plain "$name" "$ip" "${hardened[@]}" "${spool[@]}" "$@"
}

# The same with Docker's defaults: writable root, Docker's capability set.
relay_plain() {
	local name=$1 ip=$2
	shift 2
	docker run -d --name "$name" --network "$net" --ip "$ip" \
		-v "$work/resolv.conf:/etc/resolv.conf:ro" "$@" >/dev/null
}

# Wait until the container's own health command passes (it makes no connection).
wait_ready() { # NAME [SECONDS]
	for _ in $(seq 1 $((${2:-30} * 5))); do
		docker exec "$1" /usr/lib/postrelay/cfg health >/dev/null 2>&1 && return 0
		[ "$(docker inspect -f '{{.State.Running}}' "$1")" = true ] || break
		sleep 0.2
	done
	docker logs "$1" 2>&1 | tail -n 30 | sed 's/^/  | /' >&2
	fail "$1 did not become ready"
}

# Wait for a container to exit; prints its exit code ("running" if it did not).
wait_exit() { # NAME [SECONDS]
	for _ in $(seq 1 $((${2:-30} * 5))); do
		if [ "$(docker inspect -f '{{.State.Running}}' "$1")" = false ]; then
			docker inspect -f '{{.State.ExitCode}}' "$1"
			return 0
		fi
		sleep 0.2
	done
	echo running
}

# The upstream: Postfix's smtp-sink, keeping every message as a file in /sink.
start_upstream() {
	docker rm -f prt-upstream >/dev/null 2>&1 || true
	docker run -d --name prt-upstream --network "$net" --ip "$upstream_ip" \
		-v "$work/resolv.conf:/etc/resolv.conf:ro" --entrypoint sh "$image" -c \
		'mkdir -p /sink && chown nobody /sink && exec smtp-sink -u nobody -d /sink/ -h upstream.test 0.0.0.0:25 32' \
		>/dev/null
}

# Wait for a message whose Subject is $1 at the upstream; prints its file name.
wait_delivered() { # SUBJECT [SECONDS]
	local f
	for _ in $(seq 1 $((${2:-20} * 5))); do
		f=$(docker exec prt-upstream sh -c "grep -l 'Subject: $1' /sink/* 2>/dev/null | head -n 1" | tr -d '\r' || true)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.2
	done
	fail "message '$1' never reached the upstream"
}

# An HTTP GET from the host (no curl needed).
fetch() { # URL
	/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"
}

# swaks from the host (10.232.0.1); extra swaks options follow.
send() { # IP:PORT SUBJECT [swaks options]
	local server=$1 subject=$2
	shift 2
	swaks --server "$server" --helo client.test --from app@example.org --to user@example.net \
		--header "Subject: $subject" --body "postrelay image test: $subject" \
		--timeout 20 "$@"
}

run_test() { # NAME
	local name=$1 rc
	# the upstream is needed by most tests: it always runs
	if [ -n "$only" ] && [ "$name" != upstream_starts ] && ! grep -qw -- "$name" <<<"$only"; then
		return 0
	fi
	set +e
	(set -e; "test_$name") >"$work/$name.log" 2>&1
	rc=$?
	set -e
	docker ps -aq --filter name='^prt-relay' | xargs -r docker rm -f -v >/dev/null 2>&1 || true
	if [ "$rc" = 0 ]; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		sed 's/^/#   /' "$work/$name.log" | tail -n 40
		fail=$((fail + 1))
	fi
}

# ---- setup: network, base image, the image itself ----------------------------

# the clients on the host (tests/run-all.sh has installed them already)
for c in swaks openssl; do
	command -v "$c" >/dev/null || { "$top/tests/install-deps.sh" >&2; break; }
done
printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf" # fail fast: no DNS here
docker ps -aq --filter name='^prt-' | xargs -r docker rm -f -v >/dev/null 2>&1 || true
docker network rm "$net" >/dev/null 2>&1 || true
docker network create --subnet 10.232.0.0/24 --gateway "$gateway" "$net" >/dev/null

only="$*"
t0=$(date +%s)
if [ -z "${PRT_IMAGE:-}" ]; then
	if ! "$here/base-image.sh" >"$work/base.log" 2>&1; then
		sed 's/^/#   /' "$work/base.log" | tail -n 20
		echo "not ok - base_image_debootstrap"
		echo "0 passed, 1 failed"
		exit 1
	fi
	old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
	if ! docker build --force-rm --network host -t "$image" "$top" >"$work/build.log" 2>&1; then
		sed 's/^/#   /' "$work/build.log" | tail -n 40
		echo "not ok - image_builds"
		echo "0 passed, 1 failed"
		exit 1
	fi
	# the previous build of this tag, now untagged (the build cache stays)
	if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
		docker image rm "$old" >/dev/null 2>&1 || true
	fi
fi
if ! docker image inspect "$image" >/dev/null 2>&1; then
	echo "not ok - image_builds"
	echo "# no image $image"
	echo "0 passed, 1 failed"
	exit 1
fi
say "base image and build: $(($(date +%s) - t0)) s"

# ---- the tests -------------------------------------------------------------

test_upstream_starts() {
	start_upstream
	for _ in $(seq 1 50); do
		docker exec prt-upstream sh -c 'grep -q " 00000000:0019 00000000:0000 0A " /proc/net/tcp' \
			2>/dev/null && return 0
		sleep 0.2
	done
	docker logs prt-upstream 2>&1 | tail -n 5
	fail "smtp-sink does not listen"
}

test_image_builds() {
	docker image inspect "$image" >/dev/null
	local bytes
	bytes=$(docker image inspect -f '{{.Size}}' "$image")
	say "image size: $((bytes / 1000000)) MB ($bytes bytes)"
	expect_eq "$(docker image inspect -f '{{json .Config.ExposedPorts}}' "$image")" \
		'{"25/tcp":{},"2525/tcp":{},"587/tcp":{}}' "exposed ports"
}

test_no_compiler_in_image() {
	local found
	found=$(docker run --rm --entrypoint sh "$image" -c '
		for t in cc gcc clang tcc c++ g++ cpp ld as make meson ninja pkg-config curl wget; do
			command -v "$t" || true
		done
		dpkg-query -W -f "\${Package}\n" | grep -E "^(gcc(-[0-9]+)?|g\+\+(-[0-9]+)?|cpp(-[0-9]+)?|clang.*|llvm.*|binutils.*|libc6-dev|libgcc-[0-9]+-dev|make|meson|ninja-build|pkgconf|pkg-config|curl|wget)$" || true')
	expect_eq "$found" "" "build tools in the image"
}

test_every_table_type_works() {
	local t got
	for t in hash lmdb cdb; do
		# arguments run after the configuration is applied, instead of the supervisor
		got=$(docker run --rm -v "$work/resolv.conf:/etc/resolv.conf:ro" \
			"${hardened[@]}" -v /var/spool/postfix -e MAILNAME=mail.example.com -e TABLE_TYPE=$t \
			-e RELAYHOST_MAP="@example.org:[$upstream_ip]:25" "$image" \
			postmap -q @example.org "$t:/etc/postfix/sender_relay")
		expect_eq "$got" "[$upstream_ip]:25" "TABLE_TYPE=$t lookup"
	done
}

test_relay_end_to_end() {
	relay prt-relay1 10.232.0.10 -e MAILNAME=mail.example.com -e TZ=Asia/Tokyo \
		-e RELAYHOST="[$upstream_ip]:25" "$image"
	wait_ready prt-relay1
	send 10.232.0.10:25 e2e-relayed >"$work/swaks.out"
	local f
	f=$(wait_delivered e2e-relayed)
	docker exec prt-upstream cat "$f" >"$work/msg"
	expect_grep 'postrelay image test: e2e-relayed' "$work/msg" "body"
	expect_grep '^Received: from client\.test \(unknown \[10\.232\.0\.1\]\)' "$work/msg" \
		"Received header of the relay"
	expect_grep '^[[:space:]]+by mail\.example\.com \(Postfix\) with ESMTP id ' "$work/msg" \
		"the relay's name in it"
	# TZ: Postfix stamps its Received header in the container's time zone
	expect_grep '^[[:space:]]+for <user@example\.net>; .* \+0900 \(JST\)' "$work/msg" \
		"Received header time zone"
	# the mail log reaches the container's stdout
	docker logs prt-relay1 >"$work/log" 2>&1
	expect_grep "postfix/smtp\[[0-9]+\]: .*relay=$upstream_ip\[$upstream_ip\]:25.*status=sent" \
		"$work/log" "delivery in the mail log"
}

# The hardened flags are not needed: with Docker's defaults (writable root,
# Docker's capability set) the image relays the same.
test_relay_writable_root() {
	relay_plain prt-relay20 10.232.0.29 -e MAILNAME=mail.example.com \
		-e RELAYHOST="[$upstream_ip]:25" "$image"
	wait_ready prt-relay20
	send 10.232.0.29:25 writable-root >"$work/swaks.out"
	wait_delivered writable-root >/dev/null
	expect_eq "$(docker exec prt-relay20 readlink /etc/postfix)" /run/postrelay/etc/postfix \
		"/etc/postfix"
}

# Only the supervisor, Postfix's master and the reloader run as root.
test_services_run_as_their_users() {
	dkim_key
	relay prt-relay21 10.232.0.30 -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e USE_DKIM=yes -e DKIM_DOMAINS=example.org \
		-e DKIM_SELECTOR=s1 -e DKIM_KEYFILE=/etc/postrelay/dkim/mail.key \
		-e POSTFIX_EXPORTER_ENABLED=true -e CONFIG_RELOADER_ENABLED=true "$image"
	wait_ready prt-relay21
	docker exec prt-relay21 ps -eo user:16,comm:32 >"$work/ps"
	sed 's/^/# /' "$work/ps" >&3
	local who
	who=$(awk 'NR > 1 && $2 != "ps" { print $2 "=" $1 }' "$work/ps" | sort -u | tr '\n' ' ')
	expect_eq "$who" "master=root opendkim=opendkim pickup=postfix postlogd=postfix \
postrelaycfg=root prometheus-post=prometheus qmgr=postfix s6-log=postrelay-log \
s6-socklog=postrelay-log s6-supervise=root s6-svscan=root " "users of the processes"
	# the capabilities the container really has
	expect_eq "$(docker exec prt-relay21 sh -c 'grep ^CapBnd /proc/1/status')" \
		"$(printf 'CapBnd:\t%s' "$(cap_mask)")" "bounding set of PID 1"
	expect_eq "$(docker exec prt-relay21 sh -c 'grep ^NoNewPrivs /proc/1/status')" \
		"$(printf 'NoNewPrivs:\t1')" "no_new_privs"
}

# The capability mask of $caps as /proc/PID/status shows it.
cap_mask() {
	local c mask=0
	declare -A bit=([CHOWN]=0 [DAC_OVERRIDE]=1 [DAC_READ_SEARCH]=2 [FOWNER]=3 [FSETID]=4
		[KILL]=5 [SETGID]=6 [SETUID]=7 [SETPCAP]=8 [NET_BIND_SERVICE]=10 [NET_RAW]=13
		[SYS_CHROOT]=18 [MKNOD]=27 [AUDIT_WRITE]=29 [SETFCAP]=31)
	for c in "${caps[@]}"; do mask=$((mask | 1 << ${bit[$c]})); done
	printf '%016x' "$mask"
}

test_no_setuid_or_setgid_files() {
	local found
	found=$(docker run --rm --entrypoint sh "$image" -c \
		'find / -xdev -type f -perm /6000 2>/dev/null')
	expect_eq "$found" "" "setuid or setgid files"
}

test_denied_outside_mynetworks() {
	relay prt-relay2 10.232.0.11 -e MAILNAME=mail.example.com -e MYNETWORKS=127.0.0.0/8 \
		-e RELAYHOST="[$upstream_ip]:25" "$image"
	wait_ready prt-relay2
	local rc=0
	send 10.232.0.11:25 denied-relay >"$work/swaks.out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "swaks succeeded"
	expect_grep '<\*\* 554 5\.7\.1 <user@example\.net>: Relay access denied' "$work/swaks.out" \
		"reply"
	sleep 1
	! docker exec prt-upstream grep -q 'Subject: denied-relay' -r /sink || fail "it arrived"
}

test_smtpd_users_auth_587() {
	relay prt-relay3 10.232.0.12 -e MAILNAME=mail.example.com -e MYNETWORKS=127.0.0.0/8 \
		-e RELAYHOST="[$upstream_ip]:25" -e SMTPD_USERS='alice:s3cret,bob:other' "$image"
	wait_ready prt-relay3
	send 10.232.0.12:587 sasl-login -tls --auth LOGIN --auth-user alice \
		--auth-password s3cret >"$work/swaks.out"
	wait_delivered sasl-login >/dev/null
	local rc=0
	send 10.232.0.12:587 sasl-bad -tls --auth LOGIN --auth-user alice \
		--auth-password wrong >"$work/swaks.bad" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "a wrong password was accepted"
	expect_grep '<~\* 535 5\.7\.8' "$work/swaks.bad" "wrong password reply"
}

# A DKIM key made by openssl (not by us) and its public key for the verifier.
dkim_key() {
	[ -e "$work/dkim/mail.pub" ] && return 0
	mkdir -p "$work/dkim"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/dkim/mail.key" 2>/dev/null
	chmod 600 "$work/dkim/mail.key"
	openssl pkey -in "$work/dkim/mail.key" -pubout -outform DER 2>/dev/null | base64 -w0 \
		>"$work/dkim/mail.pub"
}

test_dkim_signed_mail_verifies() {
	dkim_key
	relay prt-relay4 10.232.0.13 -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e RELAYHOST="[$upstream_ip]:25" \
		-e USE_DKIM=yes -e DKIM_DOMAINS=example.org -e DKIM_SELECTOR=s1 \
		-e DKIM_KEYFILE=/etc/postrelay/dkim/mail.key "$image"
	wait_ready prt-relay4
	send 10.232.0.13:25 dkim-signed >"$work/swaks.out"
	local f
	f=$(wait_delivered dkim-signed)
	docker exec prt-upstream cat "$f" >"$work/msg"
	expect_grep '^DKIM-Signature: .*' "$work/msg" "signature header"
	/usr/bin/python3 - "$work/msg" "$work/dkim/mail.pub" <<-'EOF'
		import sys, dkim
		msg = open(sys.argv[1], "rb").read()
		pub = open(sys.argv[2], "rb").read().strip()
		def dns(name, timeout=5):
		    assert name == b"s1._domainkey.example.org.", name
		    return b"v=DKIM1; k=rsa; p=" + pub
		ok = dkim.verify(msg, dnsfunc=dns)
		print("dkim verify:", ok)
		# the control: the same message with its body changed does not verify
		forged = msg.replace(b"postrelay image test", b"postrelay image TEST")
		assert forged != msg and not dkim.verify(forged, dnsfunc=dns), "forgery verifies"
		sys.exit(0 if ok else 1)
	EOF
	# OpenDKIM's own log (syslog only) reaches the container's output
	docker logs prt-relay4 >"$work/log" 2>&1
	expect_grep 'opendkim\[[0-9]+\]: [0-9A-F]+: DKIM-Signature field added \(s=s1, d=example\.org\)' \
		"$work/log" "OpenDKIM's log line"
}

# A per-domain key (DKIM_KEYS) mounted root-owned 0600: apply gives OpenDKIM,
# which runs as opendkim, a copy only it can read.
test_dkim_per_domain_key_root_owned() {
	dkim_key
	relay prt-relay41 10.232.0.41 -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e RELAYHOST="[$upstream_ip]:25" \
		-e USE_DKIM=yes -e DKIM_KEYS=example.org=s2:/etc/postrelay/dkim/mail.key "$image"
	wait_ready prt-relay41
	expect_eq "$(docker exec prt-relay41 stat -c '%a %U' /etc/postrelay/dkim/mail.key)" "600 root" \
		"the mounted key is root's"
	expect_eq "$(docker exec prt-relay41 stat -c '%a %U' /run/postrelay/etc/opendkim/keys/example.org.key)" \
		"400 opendkim" "OpenDKIM's copy"
	send 10.232.0.41:25 dkim-per-domain >"$work/swaks.out"
	local f
	f=$(wait_delivered dkim-per-domain)
	docker exec prt-upstream cat "$f" >"$work/msg"
	/usr/bin/python3 - "$work/msg" "$work/dkim/mail.pub" <<-'EOF'
		import sys, dkim
		msg = open(sys.argv[1], "rb").read()
		pub = open(sys.argv[2], "rb").read().strip()
		def dns(name, timeout=5):
		    assert name == b"s2._domainkey.example.org.", name
		    return b"v=DKIM1; k=rsa; p=" + pub
		sys.exit(0 if dkim.verify(msg, dnsfunc=dns) else 1)
	EOF
}

# Postfix listens only once OpenDKIM does: start Postfix while OpenDKIM is down.
test_dkim_postfix_waits_for_opendkim() {
	dkim_key
	relay prt-relay18 10.232.0.27 -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e USE_DKIM=yes -e DKIM_DOMAINS=example.org \
		-e DKIM_SELECTOR=s1 -e DKIM_KEYFILE=/etc/postrelay/dkim/mail.key "$image"
	wait_ready prt-relay18
	local svc=/run/postrelay/service
	# -d: down on purpose, so the container stays up
	docker exec prt-relay18 sh -c "s6-svc -wd -d $svc/postfix && s6-svc -wd -d $svc/opendkim"
	docker exec prt-relay18 s6-svc -u $svc/postfix
	sleep 2
	local h
	h=$(docker exec prt-relay18 /usr/lib/postrelay/cfg health 2>&1 || true)
	grep -q 'nothing listens on port 25 ' <<<"$h" || fail "postfix listens without OpenDKIM: $h"
	docker exec prt-relay18 s6-svc -u $svc/opendkim
	wait_ready prt-relay18 20
}

test_dkim_missing_key_stops_container() {
	relay prt-relay5 10.232.0.14 -e MAILNAME=mail.example.com -e USE_DKIM=yes \
		-e DKIM_KEYFILE=/etc/postrelay/dkim/absent.key "$image"
	local code
	code=$(wait_exit prt-relay5)
	case $code in 0 | running) fail "exit code: $code" ;; esac
	docker logs prt-relay5 >"$work/log" 2>&1
	expect_grep '/etc/postrelay/dkim/absent\.key' "$work/log" "message naming the key file"
	! grep -q 'postfix/master' "$work/log" || fail "postfix started"
}

test_invalid_config_exits_78() {
	# a writable root, so that what the container wrote can be copied out after it stopped
	relay_plain prt-relay6 10.232.0.15 -e MAILNAME=mail.example.com -e SIZELIMIT=lots \
		-e RELAYHOST_PASSWORDMAP='nocolon' "$image"
	expect_eq "$(wait_exit prt-relay6)" 78 "exit code"
	docker logs prt-relay6 >"$work/out" 2>"$work/err"
	expect_grep '^postrelaycfg: error: env:SIZELIMIT: ' "$work/err" "SIZELIMIT diagnostic"
	expect_grep '^postrelaycfg: error: env:RELAYHOST_PASSWORDMAP: ' "$work/err" \
		"every diagnostic, not just the first"
	! grep -q 'postfix' "$work/out" || fail "postfix wrote a log line"
	docker cp prt-relay6:/run/. "$work/run" || fail "cannot copy /run out of the container"
	[ ! -e "$work/run/postrelay/etc/postfix/main.cf" ] || fail "main.cf was written"
}

test_mailname_required() {
	relay prt-relay7 10.232.0.16 "$image"
	expect_eq "$(wait_exit prt-relay7)" 78 "exit code"
	docker logs prt-relay7 >"$work/out" 2>"$work/err"
	expect_grep 'env:MAILNAME: MAILNAME is required' "$work/err" "message"
}

test_exporter_metrics_after_mail() {
	relay prt-relay8 10.232.0.17 -e MAILNAME=mail.example.com \
		-e RELAYHOST="[$upstream_ip]:25" -e POSTFIX_EXPORTER_ENABLED=true "$image"
	wait_ready prt-relay8
	# The exporter follows the log from its end: lines Postfix writes before
	# it has opened the file are not counted, so wait until it answers.
	for _ in $(seq 1 100); do
		fetch http://10.232.0.17:9154/metrics >"$work/metrics" 2>/dev/null &&
			grep -q '^postfix_up' "$work/metrics" && break
		sleep 0.2
	done
	send 10.232.0.17:25 exporter-counted >"$work/swaks.out"
	wait_delivered exporter-counted >/dev/null
	for _ in $(seq 1 100); do
		fetch http://10.232.0.17:9154/metrics >"$work/metrics" 2>/dev/null &&
			grep -qE '^postfix_qmgr_messages_removed_total [1-9]' "$work/metrics" &&
			grep -qE '^postfix_smtpd_messages_processed_total\{sasl_method=""\} [1-9]' \
				"$work/metrics" && break
		sleep 0.2
	done
	expect_grep '^postfix_up\{path="/var/spool/postfix/public/showq"\} 1' "$work/metrics" \
		"showq reachable"
	expect_grep '^postfix_smtpd_connects_total [1-9]' "$work/metrics" "smtpd connects"
	expect_grep '^postfix_smtpd_messages_processed_total\{sasl_method=""\} [1-9]' "$work/metrics" \
		"accepted message counted"
	expect_grep '^postfix_qmgr_messages_removed_total [1-9]' "$work/metrics" \
		"delivered message counted"
}

# LOG_FORMAT=json with the exporter, and a mwader/postfix-relay style
# OPENDKIM_DOMAINS without a key: while mail flows, every line of stdout is a
# JSON object and the message's queue id is a field of its lines (Postfix's
# and OpenDKIM's); the exporter still counts (it reads the plain rotated
# file); the key generated on the spool volume signs, its record is in the
# start's log and from dkim-record, and a restart keeps it.
test_log_json_exporter_and_generated_dkim_key() {
	relay prt-relay63 10.232.0.63 -e MAILNAME=mail.example.com \
		-e RELAYHOST="[$upstream_ip]:25" -e POSTFIX_EXPORTER_ENABLED=true -e LOG_FORMAT=json \
		-e OPENDKIM_DOMAINS=example.org "$image"
	wait_ready prt-relay63
	for _ in $(seq 1 100); do
		fetch http://10.232.0.63:9154/metrics >"$work/metrics" 2>/dev/null &&
			grep -q '^postfix_up' "$work/metrics" && break
		sleep 0.2
	done
	send 10.232.0.63:25 json-logged >"$work/swaks.out"
	local qid f
	qid=$(sed -n 's/.*250 2\.0\.0 Ok: queued as \([0-9A-F]*\).*/\1/p' "$work/swaks.out")
	[ -n "$qid" ] || fail "no queue id in the reply"
	f=$(wait_delivered json-logged)
	docker exec prt-upstream cat "$f" >"$work/msg"
	for _ in $(seq 1 100); do
		fetch http://10.232.0.63:9154/metrics >"$work/metrics" 2>/dev/null &&
			grep -qE '^postfix_qmgr_messages_removed_total [1-9]' "$work/metrics" && break
		sleep 0.2
	done
	expect_grep '^postfix_smtpd_messages_processed_total\{sasl_method=""\} [1-9]' "$work/metrics" \
		"accepted message counted"
	expect_grep '^postfix_qmgr_messages_removed_total [1-9]' "$work/metrics" \
		"delivered message counted"
	docker exec prt-relay63 cat /var/log/s6-maillog/current >"$work/file"
	expect_grep "postfix/smtp\[[0-9]+\]: $qid: to=<user@example.net>" "$work/file" \
		"the rotated file keeps Postfix's plain lines"
	docker logs prt-relay63 >"$work/out" 2>"$work/err"
	/usr/bin/python3 - "$work/out" "$qid" <<-'EOF'
		import json, sys
		lines = open(sys.argv[1], "rb").read().split(b"\n")
		assert lines[-1] == b"", "no newline at the end"
		objs = []
		for n, l in enumerate(lines[:-1], 1):
		    try:
		        objs.append(json.loads(l))
		    except ValueError as e:
		        sys.exit("stdout line %d is not JSON (%s): %r" % (n, e, l[:300]))
		qid = sys.argv[2]
		mine = [o for o in objs if o.get("queue_id") == qid]
		procs = {o.get("process") for o in mine}
		for p in ("postfix/cleanup", "postfix/qmgr", "postfix/smtp", "opendkim"):
		    assert p in procs, (p, procs)
		sent = [o for o in mine if o.get("process") == "postfix/smtp"][0]
		assert "status=sent" in sent["message"] and sent["host"], sent
		assert sent["severity"] == "info" and isinstance(sent["pid"], int), sent
		print(len(objs), "JSON lines,", len(mine), "with the queue id")
	EOF
	# the generated key's record, as the start printed it
	expect_eq "$(grep -c '^; example.org: new key /var/spool/postfix/dkim-keys/example.org/mail.private$' "$work/err")" 1 \
		"the start says it made the key"
	grep '^mail._domainkey.example.org IN TXT' "$work/err" >"$work/record1"
	"$top/tests/integration/dkim-verify.py" "$work/msg" "$work/record1" >"$work/verify" ||
		fail "signature: $(cat "$work/verify")"
	expect_eq "$(cat "$work/verify")" "d=example.org s=mail pass" "the signature verifies"
	docker exec prt-relay63 /usr/lib/postrelay/cfg dkim-record | grep -v '^;' >"$work/record2"
	cmp -s "$work/record1" "$work/record2" || fail "dkim-record differs from the start's record"
	expect_eq "$(docker exec prt-relay63 stat -c '%a %U' /var/spool/postfix/dkim-keys/example.org/mail.private)" \
		"600 root" "the generated key"
	# a restart keeps the key (the spool volume): same record, "kept"
	docker restart prt-relay63 >/dev/null
	wait_ready prt-relay63
	docker logs prt-relay63 >/dev/null 2>"$work/err"
	expect_eq "$(grep -c '^; example.org: kept key ' "$work/err")" 1 "the restart keeps the key"
	expect_eq "$(grep '^mail._domainkey.example.org IN TXT' "$work/err" | sort -u | wc -l)" 1 \
		"one record over both starts"
}

# The fingerprint of the certificate served with STARTTLS on IP:25.
fingerprint() {
	openssl s_client -connect "$1:25" -starttls smtp -servername mail.example.com \
		</dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null
}

# A certificate directory laid out like a mounted Kubernetes secret.
make_cert() { # DIR VERSION
	mkdir -p "$1/..$2"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=mail.example.com" -keyout "$1/..$2/tls.key" -out "$1/..$2/tls.crt" \
		2>/dev/null
	openssl x509 -in "$1/..$2/tls.crt" -noout -fingerprint -sha256
}

test_cert_replacement_served_without_restart() {
	local d=$work/tls a b pid1 pid2 got=
	a=$(make_cert "$d" v1)
	ln -s ..v1 "$d/..data"
	ln -s ..data/tls.crt "$d/tls.crt"
	ln -s ..data/tls.key "$d/tls.key"
	relay prt-relay9 10.232.0.18 -v "$d:/etc/postrelay/tls:ro" \
		-e MAILNAME=mail.example.com -e CONFIG_RELOADER_ENABLED=true \
		-e TLS_CRT=/etc/postrelay/tls/tls.crt -e TLS_KEY=/etc/postrelay/tls/tls.key "$image"
	wait_ready prt-relay9
	expect_eq "$(fingerprint 10.232.0.18)" "$a" "first certificate"
	pid1=$(docker exec prt-relay9 head -n 1 /var/spool/postfix/pid/master.pid | tr -d ' ')
	# the swap Kubernetes makes: new directory, ..data renamed over, old one gone
	b=$(make_cert "$d" v2)
	ln -s ..v2 "$d/..data_tmp"
	mv -T "$d/..data_tmp" "$d/..data"
	rm -rf "$d/..v1"
	for _ in $(seq 1 50); do
		got=$(fingerprint 10.232.0.18)
		[ "$got" = "$b" ] && break
		sleep 0.2
	done
	expect_eq "$got" "$b" "certificate after the swap"
	pid2=$(docker exec prt-relay9 head -n 1 /var/spool/postfix/pid/master.pid | tr -d ' ')
	expect_eq "$pid2" "$pid1" "postfix master PID (no restart)"
	expect_eq "$(docker inspect -f '{{.RestartCount}}' prt-relay9)" 0 "container restarts"
	docker logs prt-relay9 >"$work/log" 2>&1
	expect_grep 'postrelaycfg: watch: running postfix -c /run/postrelay/etc/postfix reload' "$work/log" "reload logged"
}

# The control for the test above: without the reloader the running smtpd keeps
# serving the old certificate, so that test can only pass through a reload.
test_cert_replacement_not_served_without_reloader() {
	local d=$work/tls-control a got
	a=$(make_cert "$d" v1)
	ln -s ..v1 "$d/..data"
	ln -s ..data/tls.crt "$d/tls.crt"
	ln -s ..data/tls.key "$d/tls.key"
	relay prt-relay17 10.232.0.26 -v "$d:/etc/postrelay/tls:ro" -e MAILNAME=mail.example.com \
		-e TLS_CRT=/etc/postrelay/tls/tls.crt -e TLS_KEY=/etc/postrelay/tls/tls.key "$image"
	wait_ready prt-relay17
	expect_eq "$(fingerprint 10.232.0.26)" "$a" "first certificate"
	make_cert "$d" v2 >/dev/null
	ln -s ..v2 "$d/..data_tmp"
	mv -T "$d/..data_tmp" "$d/..data"
	sleep 3
	got=$(fingerprint 10.232.0.26)
	expect_eq "$got" "$a" "certificate 3 s after the swap, no reloader"
}

test_health_unhealthy_when_postfix_killed() {
	relay prt-relay10 10.232.0.19 --health-interval 1s --health-retries 2 \
		-e MAILNAME=mail.example.com "$image"
	local st=
	for _ in $(seq 1 100); do
		st=$(docker inspect -f '{{.State.Health.Status}}' prt-relay10)
		[ "$st" = healthy ] && break
		sleep 0.2
	done
	expect_eq "$st" healthy "health after start"
	# -O: the supervisor must not restart it or take the container down, so
	# that only the health check can notice
	docker exec prt-relay10 sh -c 's6-svc -O /run/postrelay/service/postfix &&
		kill -9 "$(head -n 1 /var/spool/postfix/pid/master.pid)"'
	for _ in $(seq 1 100); do
		st=$(docker inspect -f '{{.State.Health.Status}}' prt-relay10)
		[ "$st" = unhealthy ] && break
		sleep 0.2
	done
	expect_eq "$st" unhealthy "health after kill"
	docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' prt-relay10 >"$work/hlog"
	expect_grep 'health: nothing listens on port 25 \(master.cf service smtp\)' "$work/hlog" \
		"health output"
	# quiet: the probes left nothing in the mail log
	docker logs prt-relay10 >"$work/log" 2>&1
	! grep -E 'connect from|lost connection' "$work/log" || fail "health probes are in the mail log"
}

# A pod's container that restarts finds its emptyDir /run as it left it (the
# DKIM key copy owned by opendkim, s6's state): a restart with /run on a
# volume starts, signs and relays again.
test_restart_with_run_kept() {
	dkim_key
	local flags=(--read-only -v /run --tmpfs /tmp -v /var/spool/postfix --cap-drop ALL
		--security-opt no-new-privileges)
	for c in "${caps[@]}"; do flags+=(--cap-add "$c"); done
	relay_plain prt-relay22 10.232.0.31 "${flags[@]}" -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e RELAYHOST="[$upstream_ip]:25" -e USE_DKIM=yes \
		-e DKIM_DOMAINS=example.org -e DKIM_SELECTOR=s1 \
		-e DKIM_KEYFILE=/etc/postrelay/dkim/mail.key "$image"
	wait_ready prt-relay22
	docker restart prt-relay22 >/dev/null
	wait_ready prt-relay22
	send 10.232.0.31:25 after-restart >"$work/swaks.out"
	local f
	f=$(wait_delivered after-restart)
	docker exec prt-upstream cat "$f" >"$work/msg"
	expect_grep '^DKIM-Signature: .*' "$work/msg" "signature header after the restart"
}

test_postfix_crash_stops_container() {
	relay prt-relay11 10.232.0.21 -e MAILNAME=mail.example.com "$image"
	wait_ready prt-relay11
	docker exec prt-relay11 sh -c 'kill -9 "$(head -n 1 /var/spool/postfix/pid/master.pid)"'
	expect_eq "$(wait_exit prt-relay11 10)" 1 "exit code"
	docker logs prt-relay11 >"$work/log" 2>&1
	expect_grep 'postrelay: postfix was killed by signal 9; stopping the container' "$work/log" \
		"message"
}

test_queue_survives_restart_with_volume() {
	docker rm -f prt-upstream >/dev/null
	docker volume rm prt-spool >/dev/null 2>&1 || true
	local opts=(-v prt-spool:/var/spool/postfix -e MAILNAME=mail.example.com
		-e RELAYHOST="[$upstream_ip]:25"
		-e 'POSTCONF=queue_run_delay=1s;minimal_backoff_time=1s;maximal_backoff_time=2s')
	relay prt-relay12 10.232.0.22 "${opts[@]}" "$image"
	wait_ready prt-relay12
	send 10.232.0.22:25 queued-over-restart >"$work/swaks.out"
	sleep 1
	docker exec prt-relay12 postqueue -j >"$work/queue"
	expect_grep '"queue_name": *"(deferred|active|incoming)"' "$work/queue" "message queued"
	local t0 t1
	t0=$(date +%s%N)
	docker stop prt-relay12 >/dev/null
	t1=$(date +%s%N)
	expect_eq "$(docker inspect -f '{{.State.ExitCode}}' prt-relay12)" 0 "exit code of docker stop"
	say "docker stop took $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000000)) -lt 10 ] || fail "stop needed the kill after the grace period"
	docker rm prt-relay12 >/dev/null
	start_upstream
	relay prt-relay13 10.232.0.22 "${opts[@]}" "$image"
	wait_ready prt-relay13
	wait_delivered queued-over-restart 30 >/dev/null
}

test_entrypoint_d_scripts_run_first() {
	mkdir -p "$work/entrypoint.d"
	cat >"$work/entrypoint.d/10-first" <<-'EOF'
		#!/bin/sh
		if /usr/lib/postrelay/cfg health >/dev/null 2>&1; then state=running; else state=down; fi
		echo "first: postfix $state" >>/run/entrypoint-d.log
	EOF
	printf '#!/bin/sh\necho second >>/run/entrypoint-d.log\n' >"$work/entrypoint.d/20-second"
	printf '#!/bin/sh\necho not-executable >>/run/entrypoint-d.log\n' >"$work/entrypoint.d/30-off"
	chmod 755 "$work/entrypoint.d/10-first" "$work/entrypoint.d/20-second"
	chmod 644 "$work/entrypoint.d/30-off"
	relay prt-relay14 10.232.0.23 -v "$work/entrypoint.d:/etc/entrypoint.d:ro" \
		-e MAILNAME=mail.example.com "$image"
	wait_ready prt-relay14
	expect_eq "$(docker exec prt-relay14 cat /run/entrypoint-d.log)" \
		"$(printf 'first: postfix down\nsecond')" "scripts, in order, before postfix"
}

test_entrypoint_d_failure_stops_start() {
	mkdir -p "$work/entrypoint.d-bad"
	printf '#!/bin/sh\necho "cannot fetch the certificate" >&2\nexit 3\n' \
		>"$work/entrypoint.d-bad/10-fails"
	chmod 755 "$work/entrypoint.d-bad/10-fails"
	relay prt-relay19 10.232.0.28 -v "$work/entrypoint.d-bad:/etc/entrypoint.d:ro" \
		-e MAILNAME=mail.example.com "$image"
	expect_eq "$(wait_exit prt-relay19)" 3 "exit code: the script's"
	docker logs prt-relay19 >"$work/log" 2>&1
	expect_grep '^postrelay: /etc/entrypoint\.d/10-fails failed \(exit 3\)$' "$work/log" "message"
	! grep -q 'postfix/master' "$work/log" || fail "postfix started"
}

test_debug_traces_entrypoint() {
	docker run --rm -v "$work/resolv.conf:/etc/resolv.conf:ro" -e DEBUG=true \
		-e MAILNAME=mail.example.com "$image" true >"$work/out" 2>"$work/err"
	expect_grep '^\+ postrelaycfg apply --root /run/postrelay --dkim-key-owner opendkim$' "$work/err" \
		"trace of the apply step"
	docker run --rm -v "$work/resolv.conf:/etc/resolv.conf:ro" \
		-e MAILNAME=mail.example.com "$image" true >"$work/out" 2>"$work/err"
	! grep -q '^+ ' "$work/err" || fail "traced without DEBUG"
}

test_derived_image_bakes_config() {
	local ctx=$work/derived
	mkdir -p "$ctx"
	cp "$top/examples/Dockerfile.derived" "$ctx/Dockerfile"
	cp "$top/examples/relay.yaml" "$ctx/relay.yaml"
	docker build --force-rm --network host --build-arg BASE="$image" -t prt-derived:good "$ctx" \
		>"$work/build-good.log" 2>&1 || { tail -n 20 "$work/build-good.log"; fail "good build"; }
	# a bad value fails the build, in the RUN postrelaycfg check step
	sed 's/^\( *message_size:\).*/\1 lots/' "$top/examples/relay.yaml" >"$ctx/relay.yaml"
	grep -q 'message_size: lots' "$ctx/relay.yaml" || fail "example has no limits.message_size"
	if docker build --force-rm --network host --build-arg BASE="$image" -t prt-derived:bad "$ctx" \
		>"$work/build-bad.raw" 2>&1; then
		fail "the bad configuration built"
	fi
	sed 's/\x1b\[[0-9;]*m//g' "$work/build-bad.raw" >"$work/build-bad.log" # the builder's colours
	expect_grep "postrelaycfg: error: /etc/postrelay/relay\\.yaml:[0-9]+:[0-9]+: limits\\.message_size: 'lots'" \
		"$work/build-bad.log" "diagnostic in the build output"
	# run time: the baked file is used, and the environment overrides it
	relay prt-relay15 10.232.0.24 prt-derived:good
	wait_ready prt-relay15
	expect_eq "$(docker exec prt-relay15 postconf -h myhostname)" \
		"$(sed -n 's/^mailname: *//p' "$top/examples/relay.yaml")" "mailname from the file"
	local size
	size=$(docker exec prt-relay15 postconf -h message_size_limit)
	relay prt-relay16 10.232.0.25 -e SIZELIMIT=1048576 prt-derived:good
	wait_ready prt-relay16
	expect_eq "$(docker exec prt-relay16 postconf -h message_size_limit)" 1048576 \
		"SIZELIMIT from the environment"
	[ "$size" != 1048576 ] || fail "the file's own size equals the override"
}

# examples/compose.yaml as documented, with this run's image and a fixed subnet.
test_compose_example_relays() {
	command -v docker-compose >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
	cat >"$work/compose.override.yaml" <<-EOF
		services:
		  relay:
		    image: $image
		    environment:
		      # no reverse lookup of the host: these machines have no DNS to ask
		      POSTFIX_smtpd_peername_lookup: "no"
		  upstream:
		    image: $image
		networks:
		  default:
		    ipam:
		      config:
		        - subnet: 10.232.1.0/24
	EOF
	local compose=(docker-compose -p prt-compose -f "$top/examples/compose.yaml"
		-f "$work/compose.override.yaml")
	"${compose[@]}" up -d
	local ok=
	for _ in $(seq 1 100); do
		docker exec prt-compose_relay_1 /usr/lib/postrelay/cfg health >/dev/null 2>&1 && ok=1 && break
		sleep 0.2
	done
	[ -n "$ok" ] || fail "the relay did not become ready"
	expect_eq "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}}' prt-compose_relay_1)" \
		"true [ALL] [no-new-privileges:true]" "the compose relay's read-only root, capabilities dropped, no-new-privileges"
	expect_eq "$(docker inspect -f '{{range .HostConfig.CapAdd}}{{println .}}{{end}}' prt-compose_relay_1 | sort | xargs)" \
		"$(printf '%s\n' "${caps[@]}" | sort | xargs)" "the compose relay's capabilities"
	swaks --server 127.0.0.1:2525 --helo client.test --from app@example.org \
		--to someone@example.net --header "Subject: compose-example" --timeout 20
	local f=
	for _ in $(seq 1 100); do
		f=$(docker exec prt-compose_upstream_1 sh -c "grep -l 'Subject: compose-example' /sink/* 2>/dev/null" || true)
		[ -n "$f" ] && break
		sleep 0.2
	done
	[ -n "$f" ] || fail "the message did not reach the compose upstream"
	fetch http://127.0.0.1:9154/metrics >"$work/metrics"
	expect_grep '^postfix_up\{path="/var/spool/postfix/public/showq"\} 1' "$work/metrics" \
		"exporter on the published port"
	"${compose[@]}" down -v
}

# examples/kubernetes run as its StatefulSet describes, everything taken from
# the manifests: the ConfigMap and Secrets mounted the way the kubelet lays
# them out (symlinks into ..data), the container's env.  The probes' command
# passes, the Secret's SMTPD user authenticates on 587, the metrics port the
# pods are annotated with answers, a renewed TLS Secret is served after the
# symlink swap, and the preStop stops the listeners and returns; the SIGTERM
# that follows ends the container with 0.
test_kubernetes_example_pod() {
	local k=$work/k8s ip=10.232.0.40 mp dir mounts=() a b got=
	mkdir -p "$k"
	"$top/tests/k8s-manifests.py" extract "$top/examples/kubernetes" "$k"
	while read -r mp dir; do mounts+=(-v "$dir:$mp:ro"); done <"$k/mounts"
	# the TLS Secret, which the user creates
	a=$(make_cert "$k/tls" v1)
	ln -s ..v1 "$k/tls/..data"
	ln -s ..data/tls.crt "$k/tls/tls.crt"
	ln -s ..data/tls.key "$k/tls/tls.key"
	mounts+=(-v "$k/tls:$(sed -n 's|^TLS_CRT=\(.*\)/tls.crt$|\1|p' "$k/pod.env"):ro")
	# the pod's securityContext and emptyDirs, a volume for its PersistentVolumeClaim
	local flags=()
	mapfile -t flags <"$k/docker-flags"
	grep -qx -- --read-only "$k/docker-flags" || fail "the manifests do not make the root read-only"
	relay_plain prt-relay40 "$ip" "${flags[@]}" -v /var/spool/postfix "${mounts[@]}" \
		--env-file "$k/pod.env" "$image"
	wait_ready prt-relay40
	local probe
	read -r _ probe <<<"$(grep '^livenessProbe ' "$k/probes")"
	# shellcheck disable=SC2086 # the probe's argv, split as Kubernetes does
	docker exec prt-relay40 $probe || fail "the liveness probe fails"
	expect_eq "$(docker exec prt-relay40 postconf -h myhostname)" \
		"$(sed -n 's/^mailname: *//p' "$k/files/etc/postrelay/relay.yaml")" "mailname from the ConfigMap"
	local user pw
	IFS=: read -r user pw <"$k/volumes/credentials/smtpd-users"
	send "$ip:587" k8s-auth -tls --auth PLAIN --auth-user "$user" --auth-password "$pw" \
		>"$work/swaks.out" 2>&1 || { cat "$work/swaks.out"; fail "SMTP AUTH with the Secret's user"; }
	fetch "http://$ip:9154/metrics" >"$work/metrics"
	expect_grep '^postfix_up' "$work/metrics" "exporter on the annotated port"
	expect_eq "$(fingerprint "$ip")" "$a" "certificate from the TLS Secret"
	b=$(make_cert "$k/tls" v2)
	ln -s ..v2 "$k/tls/..data_tmp"
	mv -T "$k/tls/..data_tmp" "$k/tls/..data"
	rm -rf "$k/tls/..v1"
	for _ in $(seq 1 50); do
		got=$(fingerprint "$ip")
		[ "$got" = "$b" ] && break
		sleep 0.2
	done
	expect_eq "$got" "$b" "renewed certificate after the Secret's symlink swap"
	# the message for the example's unreachable relay host would hold the
	# preStop for its whole 45 s: drop it
	docker exec prt-relay40 postsuper -d ALL >/dev/null 2>&1
	local t0
	t0=$(date +%s)
	docker exec prt-relay40 sh -c "$(cat "$k/prestop.sh")" || fail "preStop failed"
	[ $(($(date +%s) - t0)) -lt 10 ] || fail "preStop waited with an empty queue"
	docker exec prt-relay40 /usr/lib/postrelay/cfg health >"$work/health" 2>&1 && fail "still listening after preStop"
	expect_grep 'nothing listens on port 25 ' "$work/health" "port 25 closed by preStop"
	docker stop prt-relay40 >/dev/null
	expect_eq "$(docker inspect -f '{{.State.ExitCode}}' prt-relay40)" 0 "exit code after preStop and SIGTERM"
}

# Live reconfiguration: the YAML mounted from a host directory is changed while
# the relay runs (hardened, reloader on); SIZELIMIT follows it without a
# restart, an invalid file is refused and the old settings keep relaying.
live_yaml() { # DIR MESSAGE_SIZE: replace DIR/relay.yaml as an editor does (new file, rename)
	printf 'limits:\n  message_size: %s\n' "$2" >"$1/relay.yaml.new"
	mv "$1/relay.yaml.new" "$1/relay.yaml"
}
live_wait_log() { # NAME PATTERN COUNT: wait up to 15 s for COUNT log lines matching PATTERN
	local n=0
	for _ in $(seq 1 75); do
		n=$(docker logs "$1" 2>&1 | grep -cE -- "$2" || true)
		[ "$n" -ge "$3" ] && return 0
		sleep 0.2
	done
	docker logs "$1" 2>&1 | tail -n 20 | sed 's/^/  | /' >&2
	fail "$1: $n log lines /$2/, wanted $3"
}
# Send until the relay answers as wanted (ok: accepted; 552: refused for its
# size), for up to 10 s: smtpd processes that were idle during `postfix
# reload` may take one more session with the previous settings.
send_until() { # ok|552 IP:PORT SUBJECT [swaks options]
	local want=$1 rc
	shift
	for _ in $(seq 1 20); do
		rc=0
		send "$@" >"$work/swaks.out" 2>&1 || rc=$?
		if [ "$want" = ok ] && [ "$rc" = 0 ]; then return 0; fi
		if [ "$want" = 552 ] && grep -qE '^<\*\* +552 ' "$work/swaks.out"; then return 0; fi
		sleep 0.5
	done
	sed 's/^/  | /' "$work/swaks.out" | tail -n 10 >&2
	fail "$2: no '$want' within 10 s"
}
test_live_reconfiguration() {
	local d=$work/live ip=10.232.0.32 big pid1 rc
	mkdir -p "$d"
	live_yaml "$d" 1M
	# a 60 kB body, in lines
	big=$(head -c 60000 /dev/zero | tr '\0' x | fold -w 76)
	relay prt-relay32 "$ip" -v "$d:/etc/postrelay:ro" -e MAILNAME=mail.example.com \
		-e RELAYHOST="[$upstream_ip]:25" -e CONFIG_RELOADER_ENABLED=true "$image"
	wait_ready prt-relay32
	live_wait_log prt-relay32 'watching configuration input /etc/postrelay/relay.yaml' 1
	pid1=$(docker exec prt-relay32 head -n 1 /var/spool/postfix/pid/master.pid | tr -d ' ')
	send "$ip:25" live-big-before --body "$big" >"$work/swaks.out" || fail "60 kB under 1M refused"
	wait_delivered live-big-before >/dev/null
	# the limit drops to 40 kB
	live_yaml "$d" 40k
	live_wait_log prt-relay32 'watch: configuration generation 2 applied' 1
	live_wait_log prt-relay32 'watch: running postfix -c /run/postrelay/etc/postfix reload' 1
	expect_eq "$(docker exec prt-relay32 postconf -h message_size_limit)" 40960 "message_size_limit"
	send_until 552 "$ip:25" live-big-after --body "$big"
	send "$ip:25" live-small-after >"$work/swaks.out" || fail "a small message was refused"
	wait_delivered live-small-after >/dev/null
	# an invalid file: refused, logged, the 40k configuration keeps serving
	printf 'limits:\n  message_size: lots\n' >"$d/relay.yaml.new"
	mv "$d/relay.yaml.new" "$d/relay.yaml"
	live_wait_log prt-relay32 'refused \(the errors above\); generation 2 keeps serving' 1
	docker logs prt-relay32 >"$work/log" 2>&1
	expect_grep "^postrelaycfg: error: /etc/postrelay/relay\\.yaml:2:17: limits\\.message_size: 'lots': expected a size" \
		"$work/log" "the diagnostic in the log"
	docker exec prt-relay32 /usr/lib/postrelay/cfg health >"$work/health" 2>/dev/null ||
		fail "health failed while the old configuration serves: $(cat "$work/health")"
	expect_eq "$(cat "$work/health")" \
		"postrelaycfg: health: configuration generation 2 applied; the last change was refused: error: /etc/postrelay/relay.yaml:2:17: limits.message_size: 'lots': expected a size in bytes, optionally with a k, M or G suffix" \
		"health after the refused change"
	expect_eq "$(docker exec prt-relay32 postconf -h message_size_limit)" 40960 "message_size_limit kept"
	rc=0
	send "$ip:25" live-big-invalid --body "$big" >"$work/swaks.out" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "60 kB accepted while the invalid file is refused"
	expect_grep '^<\*\* +552 ' "$work/swaks.out" "552 still, with the old settings"
	send "$ip:25" live-small-invalid >"$work/swaks.out" || fail "small message refused"
	wait_delivered live-small-invalid >/dev/null
	# fixed: applied
	live_yaml "$d" 100k
	live_wait_log prt-relay32 'watch: configuration generation 3 applied' 1
	live_wait_log prt-relay32 'watch: running postfix -c /run/postrelay/etc/postfix reload' 2
	expect_eq "$(docker exec prt-relay32 /usr/lib/postrelay/cfg health 2>&1)" \
		"postrelaycfg: health: configuration generation 3 applied" "health after the fix"
	send_until ok "$ip:25" live-big-fixed --body "$big"
	wait_delivered live-big-fixed >/dev/null
	expect_eq "$(docker exec prt-relay32 head -n 1 /var/spool/postfix/pid/master.pid | tr -d ' ')" \
		"$pid1" "postfix master PID (no restart)"
	expect_eq "$(docker inspect -f '{{.RestartCount}}' prt-relay32)" 0 "container restarts"
}

# Live reconfiguration with DKIM: a changed selector in the mounted YAML is
# applied and OpenDKIM restarted (it signs with the new one); a change that
# leaves OpenDKIM's files alone does not restart it.
opendkim_pid() { # NAME
	docker exec "$1" sh -c 'for p in /proc/[0-9]*; do [ "$(cat "$p/comm" 2>/dev/null)" = opendkim ] && echo "${p#/proc/}"; done; true'
}
test_live_reconfiguration_dkim() {
	local d=$work/live-dkim ip=10.232.0.33 pid1 pid2 f
	dkim_key
	mkdir -p "$d/dkim"
	printf 'dkim:\n  selector: s1\n' >"$d/relay.yaml"
	relay prt-relay33 "$ip" -v "$d:/etc/postrelay:ro" -v "$work/dkim:/etc/postrelay/dkim:ro" \
		-e MAILNAME=mail.example.com -e RELAYHOST="[$upstream_ip]:25" -e USE_DKIM=yes \
		-e DKIM_DOMAINS=example.org -e DKIM_KEYFILE=/etc/postrelay/dkim/mail.key \
		-e CONFIG_RELOADER_ENABLED=true "$image"
	wait_ready prt-relay33
	live_wait_log prt-relay33 'watching configuration input /etc/postrelay/relay.yaml' 1
	pid1=$(opendkim_pid prt-relay33)
	[ -n "$pid1" ] || fail "no opendkim process"
	printf 'dkim:\n  selector: s2\n' >"$d/relay.yaml.new"
	mv "$d/relay.yaml.new" "$d/relay.yaml"
	live_wait_log prt-relay33 'watch: configuration generation 2 applied' 1
	live_wait_log prt-relay33 'watch: running /usr/lib/postrelay/restart opendkim' 1
	for _ in $(seq 1 50); do
		pid2=$(opendkim_pid prt-relay33)
		[ -n "$pid2" ] && [ "$pid2" != "$pid1" ] && break
		sleep 0.2
	done
	if [ -z "$pid2" ] || [ "$pid2" = "$pid1" ]; then fail "OpenDKIM was not restarted ($pid1, $pid2)"; fi
	docker exec prt-relay33 /usr/lib/postrelay/cfg health --milter --wait 10 >/dev/null ||
		fail "OpenDKIM does not listen after its restart"
	send "$ip:25" live-dkim-s2 >"$work/swaks.out" || fail "message refused"
	f=$(wait_delivered live-dkim-s2)
	docker exec prt-upstream cat "$f" >"$work/msg"
	expect_grep '^DKIM-Signature: .*s=s2' "$work/msg" "signed with the new selector"
	# a change OpenDKIM's files do not see: applied, OpenDKIM left running
	printf 'dkim:\n  selector: s2\nlimits:\n  message_size: 2M\n' >"$d/relay.yaml.new"
	mv "$d/relay.yaml.new" "$d/relay.yaml"
	live_wait_log prt-relay33 'watch: configuration generation 3 applied' 1
	sleep 1
	expect_eq "$(opendkim_pid prt-relay33)" "$pid2" "OpenDKIM PID after a change outside its files"
	expect_eq "$(docker logs prt-relay33 2>&1 | grep -c 'running /usr/lib/postrelay/restart')" 1 "OpenDKIM restarts"
}

# ---- issue 13: sender domains, a relay host on 465 -----------------------------

# ALLOWED_SENDER_DOMAINS: an allowed sender relays; another gets the 5xx reply
# and nothing of it arrives.
test_allowed_sender_domains() {
	relay prt-relay34 10.232.0.34 -e MAILNAME=relay.example.com \
		-e RELAYHOST="[$upstream_ip]:25" -e ALLOWED_SENDER_DOMAINS=example.org "$image"
	wait_ready prt-relay34
	send 10.232.0.34:25 sender-allowed >/dev/null
	wait_delivered sender-allowed >/dev/null
	local out
	if out=$(send 10.232.0.34:25 sender-refused --from app@other.example 2>&1); then
		fail "a sender of other.example was accepted"
	fi
	grep -qF '<** 554 5.7.1 <app@other.example>: Sender address rejected: sender domain not allowed on this relay' <<<"$out" ||
		{ echo "$out" | tail -n 8; fail "not the sender domain refusal"; }
	sleep 1
	! docker exec prt-upstream grep -q 'Subject: sender-refused' -r /sink || fail "it arrived"
}

# A relay host on port 465 (implicit TLS, SMTP AUTH): a second container of
# the image whose Postfix has a 465 listener with smtpd_tls_wrappermode,
# relaying on to smtp-sink.  The relay's password (RELAYHOST_PASSWORDMAP,
# a plain variable) is in no service's environment.
test_relayhost_on_465() {
	relay_plain prt-relay35 10.232.0.35 -e MAILNAME=up465.example.com \
		-e RELAYHOST="[$upstream_ip]:25" -e SMTPD_USERS='relayuser:p\:a\,ss-465' "$image" \
		sh -c 'postconf -M "465/inet=465 inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes" &&
			postsuper && exec /usr/lib/postfix/sbin/master -s'
	relay prt-relay36 10.232.0.36 -e MAILNAME=relay.example.com \
		-e RELAYHOST="[10.232.0.35]:465" -e RELAYHOST_AUTH=yes \
		-e RELAYHOST_PASSWORDMAP='[10.232.0.35]:465:relayuser:p\:a\,ss-465' "$image"
	wait_ready prt-relay36
	for _ in $(seq 1 50); do
		docker exec prt-relay35 sh -c 'grep -q " 00000000:01D1 00000000:0000 0A " /proc/net/tcp' && break
		sleep 0.2
	done
	send 10.232.0.36:25 relay-465 >/dev/null
	wait_delivered relay-465 >/dev/null
	expect_grep "postfix/smtps-relay/smtp\[[0-9]+\]: .*relay=10\.232\.0\.35\[10\.232\.0\.35\]:465.*status=sent" \
		<(docker logs prt-relay36 2>&1) "the relay's log"
	docker logs prt-relay35 >"$work/up465.log" 2>&1
	expect_grep "postfix/smtps/smtpd\[[0-9]+\]: .*sasl_method=[A-Z]+, sasl_username=relayuser" \
		"$work/up465.log" "the 465 upstream's log"
	no_secret_in_services prt-relay36 'p\:a\,ss-465' 'p:a,ss-465'
	grep -qxF RELAYHOST_PASSWORDMAP_FILE=/run/postrelay/secrets/RELAYHOST_PASSWORDMAP \
		"$work/prt-relay36.environ" || fail "the services have no RELAYHOST_PASSWORDMAP_FILE"
}

# ---- issue 14: XOAUTH2 ----------------------------------------------------------

# Every process the container's PID 1 started (PID 1 included), found from the
# host: `docker exec` processes are not among them (they carry the container's
# configured environment, as any exec would).
service_pids() { # NAME
	local init
	init=$(docker inspect -f '{{.State.Pid}}' "$1")
	ps -e -o pid=,ppid= | awk -v root="$init" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				q = p
				while (q != root && q in parent && q > 1) q = parent[q]
				if (q == root) print p
			}
		}'
}

# No service process of NAME carries any of SECRETS in its environment or
# command line (read from the host, as root); MAILNAME is there, to show that
# the environments were read.
no_secret_in_services() { # NAME SECRET...
	local name=$1 p s n=0 leaks=
	shift
	: >"$work/$name.environ"
	for p in $(service_pids "$name"); do
		{ tr '\0' '\n' <"/proc/$p/environ"; tr '\0' '\n' <"/proc/$p/cmdline"; } \
			>>"$work/$name.environ" 2>/dev/null && n=$((n + 1))
	done
	[ "$n" -ge 5 ] || fail "only $n service processes of $name found"
	grep -q '^MAILNAME=' "$work/$name.environ" || fail "no environment read"
	for s in "$@"; do
		! grep -qF -- "$s" "$work/$name.environ" || leaks+="${s:0:6}... "
	done
	[ -z "$leaks" ] || fail "secrets in the environment of $name's services: $leaks"
	say "$name: $n service processes, none with a secret in its environment"
}

# The container relays through an upstream that requires AUTH XOAUTH2 over
# STARTTLS (tests/integration/xoauth2-upstream.py on the host, 10.232.0.1),
# with access tokens that live 6 s from a local HTTPS token endpoint
# (oauth2-endpoint.py, a test CA trusted through XOAUTH2_CA_FILE); the
# credential table is lmdb.  Mail sent across token expiries arrives, health
# is ok, and no token or secret is in `docker logs`, in `print`, or in any
# service's environment (the secrets are given as plain variables).
test_xoauth2_relay() {
	local x=$work/xo life=6 py=/usr/bin/python3 it=$top/tests/integration
	mkdir -p "$x/mail"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=postrelay image test CA" -keyout "$x/ca.key" -out "$x/ca.pem" 2>/dev/null
	local leaf
	for leaf in endpoint upstream; do
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$leaf" \
			-keyout "$x/$leaf.key" -out "$x/$leaf.csr" 2>/dev/null
		printf 'subjectAltName=IP:%s\n' "$gateway" >"$x/$leaf.ext"
		openssl x509 -req -in "$x/$leaf.csr" -CA "$x/ca.pem" -CAkey "$x/ca.key" \
			-CAcreateserial -days 2 -extfile "$x/$leaf.ext" -out "$x/$leaf.pem" 2>/dev/null
	done
	chmod 644 "$x/ca.pem"
	local secret rt smtpd_pw
	smtpd_pw=smtpd-$(openssl rand -hex 8)
	secret=cs-$(openssl rand -hex 12)
	rt=rt-initial-$(openssl rand -hex 8)
	printf '%s\n' "$secret" >"$x/client-secret"
	printf '{"refresh": ["%s"], "access": {}, "issued": ["%s"], "grants": 0}\n' "$rt" "$rt" >"$x/db.json"
	"$py" "$it/oauth2-endpoint.py" "$x/db.json" "$x/endpoint.pem" "$x/endpoint.key" 8443 "$life" \
		client-1 "$x/client-secret" "$gateway" >"$x/endpoint.log" 2>&1 &
	echo "$!" >>"$work/host-pids"
	"$py" "$it/xoauth2-upstream.py" "$x/db.json" "$x/upstream.pem" "$x/upstream.key" "$gateway" \
		10587 relay@test.example "$x/mail" >"$x/upstream.log" 2>&1 &
	echo "$!" >>"$work/host-pids"
	relay prt-relay40 10.232.0.40 -e MAILNAME=relay.example.com \
		-e RELAYHOST="[$gateway]:10587" -e RELAYHOST_USERNAME=relay@test.example \
		-e XOAUTH2_CLIENT_ID=client-1 -e XOAUTH2_SECRET="$secret" \
		-e XOAUTH2_INITIAL_REFRESH_TOKEN="$rt" \
		-e XOAUTH2_TOKEN_ENDPOINT="https://$gateway:8443/token" \
		-e XOAUTH2_CA_FILE=/etc/postrelay-ca/ca.pem -v "$x/ca.pem:/etc/postrelay-ca/ca.pem:ro" \
		-e TABLE_TYPE=lmdb -e SMTPD_USERS="alice:$smtpd_pw" "$image"
	# health: the listeners, and a valid access token
	wait_ready prt-relay40
	local i f
	for i in 1 2 3; do
		send 10.232.0.40:25 "xoauth2-$i" >/dev/null
		for _ in $(seq 1 100); do
			f=$(grep -l "Subject: xoauth2-$i" "$x/mail"/*.eml 2>/dev/null | head -n 1 || true)
			[ -n "$f" ] && break
			sleep 0.2
		done
		[ -n "$f" ] || { docker logs prt-relay40 2>&1 | tail -n 20 >&2; fail "xoauth2-$i did not arrive"; }
		[ "$i" = 3 ] || sleep $((life + 1))
	done
	local grants
	grants=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["grants"])' "$x/db.json")
	[ "$grants" -ge 3 ] || fail "only $grants refresh grants over $((2 * (life + 1))) s"
	grep -q "upstream: login ok for relay@test.example" "$x/upstream.log" || fail "no XOAUTH2 login"
	docker exec prt-relay40 /usr/lib/postrelay/cfg health || fail "health"
	expect_grep "oauth2-refresh: new access token for relay@test.example, valid for $life s" \
		<(docker logs prt-relay40 2>&1) "the refresher's log"
	# the secrets: the configured ones, and every token the endpoint issued
	local secrets all
	secrets=$("$py" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["issued"]))' "$x/db.json")
	mapfile -t all <<<"$secrets"
	all+=("$secret" "$smtpd_pw")
	docker logs prt-relay40 >"$x/logs" 2>&1
	docker exec prt-relay40 postrelaycfg print >"$x/print" 2>&1
	grep -q "client_secret: <redacted>" "$x/print" || fail "print does not redact"
	local s leaks=
	for s in "${all[@]}"; do
		grep -qF -- "$s" "$x/logs" && leaks+="${s:0:6}... in docker logs; "
		grep -qF -- "$s" "$x/print" && leaks+="${s:0:6}... in print; "
	done
	[ -z "$leaks" ] || fail "leaked: $leaks"
	no_secret_in_services prt-relay40 "${all[@]}"
	# what the services read instead: a 0600 file that NAME_FILE names
	grep -qxF XOAUTH2_SECRET_FILE=/run/postrelay/secrets/XOAUTH2_SECRET \
		"$work/prt-relay40.environ" || fail "the services have no XOAUTH2_SECRET_FILE"
	expect_eq "$(docker exec prt-relay40 stat -c '%a %U' /run/postrelay/secrets/XOAUTH2_SECRET)" \
		"600 root" "the secret's file"
}

for t in image_builds upstream_starts no_compiler_in_image every_table_type_works relay_end_to_end \
	relay_writable_root denied_outside_mynetworks services_run_as_their_users \
	no_setuid_or_setgid_files \
	smtpd_users_auth_587 dkim_signed_mail_verifies dkim_per_domain_key_root_owned \
	dkim_postfix_waits_for_opendkim \
	dkim_missing_key_stops_container \
	invalid_config_exits_78 mailname_required exporter_metrics_after_mail \
	cert_replacement_served_without_restart cert_replacement_not_served_without_reloader \
	health_unhealthy_when_postfix_killed restart_with_run_kept \
	postfix_crash_stops_container queue_survives_restart_with_volume \
	entrypoint_d_scripts_run_first entrypoint_d_failure_stops_start debug_traces_entrypoint \
	derived_image_bakes_config compose_example_relays kubernetes_example_pod \
	live_reconfiguration live_reconfiguration_dkim \
	allowed_sender_domains relayhost_on_465 xoauth2_relay \
	log_json_exporter_and_generated_dkim_key; do
	run_test "$t"
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
