#!/bin/bash
# End-to-end XOAUTH2 suite: a relay built by `postrelaycfg apply --root` that
# logs in to its upstream with XOAUTH2 (the project's Cyrus SASL plugin,
# found through SASL_PATH), `postrelaycfg oauth2-refresh` keeping its token
# fresh against a local HTTPS token endpoint (oauth2-endpoint.py: short-lived
# access tokens, rotated refresh tokens, a test CA trusted through
# XOAUTH2_CA_FILE), and an aiosmtpd upstream that accepts only a currently
# valid token (xoauth2-upstream.py).  Each host is a network namespace; the
# token endpoint listens on the relay's loopback.  Last line: "N passed, N failed".
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/integration
# shellcheck source=tests/integration/lib.sh source-path=SCRIPTDIR/../..
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || { echo "xoauth2: must run as root (network namespaces)"; echo "0 passed, 1 failed"; exit 1; }

build=${BUILD_DIR:-$top/build-ci}
[ -d "$build" ] || meson setup "$build" "$top" -Dwerror=true >/dev/null
ninja -C "$build" >/dev/null
prc=$build/cli/postrelaycfg
py=/usr/bin/python3
LIFE=4 # seconds an access token lives

work=$(mktemp -d "/run/$PRI-xo.XXXXXX")
chmod 755 "$work"
R=$work/relay
DB=$work/tokens.json
mkdir -p "$R" "$work/mail"
chown nobody "$work/mail"

finish() {
	local rc=$?
	pf_stop relay "$R"
	[ ! -s "$work/pids" ] || mapfile -t -O "${#pids[@]}" pids <"$work/pids"
	net_down
	if [ "${KEEP:-}" = 1 ]; then echo "# work directory kept: $work"; else rm -rf "$work"; fi
	[ "$completed" = 1 ] || not_ok "xoauth2_suite_runs_to_completion" "aborted with exit status $rc"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
completed=0
trap finish EXIT
trap 'exit 130' INT TERM

net_up
host relay 10
host up 20

# the test CA, the endpoint's certificate (127.0.0.1) and the upstream's
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=postrelay test CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
leaf() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
		-keyout "$work/$1.key" -out "$work/$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\n' "$3" >"$work/$1.ext"
	openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
		-CAcreateserial -days 2 -extfile "$work/$1.ext" -out "$work/$1.pem" 2>/dev/null
}
leaf endpoint localhost "IP:127.0.0.1"
leaf upstream up.test.example "DNS:up.test.example"

CLIENT_SECRET=cs-$(openssl rand -hex 12)
printf '%s\n' "$CLIENT_SECRET" >"$work/client-secret"
INITIAL_RT=rt-initial-$(openssl rand -hex 8)
printf '{"refresh": ["%s"], "access": {}, "issued": ["%s"], "grants": 0}\n' \
	"$INITIAL_RT" "$INITIAL_RT" >"$DB"
chmod 666 "$DB"

endpoint_start() {
	ip netns exec "$PRI-relay" "$py" "$here/oauth2-endpoint.py" "$DB" "$work/endpoint.pem" \
		"$work/endpoint.key" 8443 "$LIFE" client-1 "$work/client-secret" >>"$work/endpoint.log" 2>&1 &
	echo "$!" >"$work/endpoint.pid"
	echo "$!" >>"$work/pids"
	wait_port relay 8443
}
# (the scenarios run in subshells: PIDs are kept in files)
endpoint_stop() { stop_pid "$work/endpoint.pid"; }
# stop_pid FILE: stop the process whose PID FILE holds, and wait until it is gone
stop_pid() {
	local p
	p=$(cat "$1")
	kill "$p" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $p did not stop" >&2
	return 1
}
endpoint_start
ip netns exec "$PRI-up" "$py" "$here/xoauth2-upstream.py" "$DB" "$work/upstream.pem" \
	"$work/upstream.key" "$NET4.20" 587 relay@test.example "$work/mail" >"$work/upstream.log" 2>&1 &
pids+=("$!")
wait_port up 587

# relay.env: the relay's configuration, with refresh token $1
write_env() {
	cat >"$work/relay.env" <<EOF2
MAILNAME=relay.test.example
MYNETWORKS=127.0.0.0/8
LOGOUTPUT=$R/var/log/mail.log
RELAYHOST=[$NET4.20]:587
RELAYHOST_USERNAME=relay@test.example
XOAUTH2_CLIENT_ID=client-1
XOAUTH2_SECRET=$CLIENT_SECRET
XOAUTH2_INITIAL_REFRESH_TOKEN=$1
XOAUTH2_TOKEN_ENDPOINT=https://127.0.0.1:8443/token
XOAUTH2_CA_FILE=$work/ca.pem
POSTCONF=import_environment=MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME SASL_PATH=$build/sasl;smtp_tls_connection_reuse=no
EOF2
}
write_env "$INITIAL_RT"
apply_env "$R" "$work/relay.env"
pf_start relay "$R"

refresher_start() {
	ip netns exec "$PRI-relay" "$prc" oauth2-refresh --env-file "$work/relay.env" --root "$R" \
		--retry-max 1 >>"$work/refresher.log" 2>&1 &
	echo "$!" >"$work/refresher.pid"
	echo "$!" >>"$work/pids"
}
refresher_stop() { stop_pid "$work/refresher.pid"; }

# refresher_said PATTERN [SECONDS]: a refresher log line matches PATTERN
refresher_said() {
	for _ in $(seq $((${2:-10} * 10))); do
		grep -qE -- "$1" "$work/refresher.log" && return 0
		sleep 0.1
	done
	echo "the refresher did not say '$1'; its log:" >&2
	cat "$work/refresher.log" >&2
	return 1
}
grants() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["grants"])' "$DB"; }
delivered() { grep -rlF -- "$1" "$work/mail" 2>/dev/null; }
# arrived_up MARKER [SECONDS]
arrived_up() {
	for _ in $(seq $((${2:-15} * 10))); do
		delivered "$1" && return 0
		sleep 0.1
	done
	echo "no message with '$1' arrived upstream; mail.log:" >&2
	tail -n 15 "$R/var/log/mail.log" >&2
	return 1
}
# send MARKER: a message from the relay's own loopback (in MYNETWORKS)
send() {
	smtp relay 127.0.0.1 --from app@test.example --to someone@dest.example \
		--header "Subject: $1" --body "marker $1"
}
flush() { in_ns relay postqueue -c "$R/etc/postfix" -f; }

# ---- tokens are fetched and refreshed; mail arrives across several expiries ----
t_across_expiries() {
	refresher_start
	refresher_said "new access token for relay@test.example, valid for $LIFE s" || return 1
	local i
	for i in 1 2 3; do
		send "across-$i" || { echo "$out"; return 1; }
		arrived_up "across-$i" || return 1
		sleep $((LIFE + 1))
	done
	[ "$(grants)" -ge 4 ] || { echo "only $(grants) refresh grants over $((3 * (LIFE + 1))) s"; return 1; }
}
check xoauth2_mail_arrives_across_token_expiries t_across_expiries

t_state_file() {
	local f=$R/var/spool/postfix/xoauth2-token.json
	[ "$(stat -c %a "$f")" = 600 ] || { echo "mode $(stat -c %a "$f")"; return 1; }
	# the state holds a rotated refresh token that the endpoint still accepts
	"$py" - "$f" "$DB" <<'PY'
import json, sys
s, db = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s["refresh_token"] in db["refresh"], "state's refresh token is not the current one"
assert s["refresh_token"] != db["issued"][0], "refresh token was not rotated"
PY
}
check xoauth2_state_file_0600_holds_rotated_refresh_token t_state_file

# table_says ROOT TYPE STATE: the indexed and the text credential table both
# hold the state file's access token (the refresher rewrites both), 0600, and
# no temporary file is left beside them
table_says() {
	local f=$1/etc/postfix/sasl_passwd tok db text
	tok=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$3")
	db=$(postmap -c "$1/etc/postfix" -q "[$NET4.20]:587" "$2:$f")
	text=$(awk -v k="[$NET4.20]:587" '$1 == k { print $2 }' "$f")
	[ "$db" = "relay@test.example:$tok" ] || { echo "$2 table: not the state's token"; return 1; }
	[ "$text" = "$db" ] || { echo "text table: not the $2 table's token"; return 1; }
	[ "$(stat -c %a "$f")" = 600 ] || { echo "text table mode $(stat -c %a "$f")"; return 1; }
	! ls "$f".oauth2-new* 2>/dev/null || { echo "temporary files left"; return 1; }
}
t_text_table() { table_says "$R" hash "$R/var/spool/postfix/xoauth2-token.json"; }
check xoauth2_refresh_rewrites_text_and_hash_table_alike t_text_table

# an lmdb credential table: the refresher rebuilds it with postmap
t_lmdb_table() {
	local R2=$work/relay-lmdb rt
	rt=rt-lmdb-$(openssl rand -hex 8)
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["refresh"].append(sys.argv[2]); d["issued"].append(sys.argv[2]); json.dump(d,open(sys.argv[1],"w"))' "$DB" "$rt"
	sed -e "s|^XOAUTH2_INITIAL_REFRESH_TOKEN=.*|XOAUTH2_INITIAL_REFRESH_TOKEN=$rt|" \
		-e "s|^LOGOUTPUT=.*|LOGOUTPUT=$R2/var/log/mail.log|" "$work/relay.env" >"$work/relay-lmdb.env"
	printf 'TABLE_TYPE=lmdb\nXOAUTH2_STATE_FILE=%s\n' "$work/lmdb-state.json" >>"$work/relay-lmdb.env"
	mkdir -p "$R2"
	apply_env "$R2" "$work/relay-lmdb.env" || return 1
	in_ns relay "$prc" oauth2-refresh --once --env-file "$work/relay-lmdb.env" --root "$R2" || return 1
	table_says "$R2" lmdb "$work/lmdb-state.json"
}
check xoauth2_refresh_rebuilds_an_lmdb_table t_lmdb_table

# ---- a restart resumes with the stored, rotated refresh token ----
t_restart() {
	refresher_stop || return 1
	sleep $((LIFE + 1))
	: >"$work/refresher.log"
	local before; before=$(grants)
	refresher_start
	refresher_said "new access token" || return 1
	! grep -q invalid_grant "$work/refresher.log" || { cat "$work/refresher.log"; return 1; }
	[ "$(grants)" -gt "$before" ] || return 1
	send restart || { echo "$out"; return 1; }
	arrived_up restart
}
check xoauth2_restart_uses_stored_rotated_refresh_token t_restart

# apply after a restart keeps the saved token (not the configured, empty one)
t_apply_keeps_token() {
	apply_env "$R" "$work/relay.env" || return 1
	local tok
	tok=$(postmap -c "$R/etc/postfix" -q "[$NET4.20]:587" "hash:$R/etc/postfix/sasl_passwd")
	if [ "${tok%%:*}" != relay@test.example ] || [ -z "${tok#*:}" ]; then
		echo "entry: '${tok%%:*}:...'"
		return 1
	fi
}
check xoauth2_apply_keeps_the_saved_access_token t_apply_keeps_token

# ---- a revoked refresh token: deferred, one clear log line, health says so;
# delivered once a new refresh token is configured ----
t_revoked() {
	refresher_stop
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["refresh"]=[]; json.dump(d,open(sys.argv[1],"w"))' "$DB"
	sleep $((LIFE + 1))
	: >"$work/refresher.log"
	refresher_start
	refresher_said "refused the refresh: HTTP 400: invalid_grant; mail to the relay host stays deferred until a new refresh token is configured" || return 1
	send revoked || { echo "$out"; return 1; }
	local id; id=$(queue_id)
	logged "$R" "$id: .*status=deferred .*(SASL authentication failed|Authentication|535)" || return 1
	sleep 3
	[ "$(grep -c invalid_grant "$work/refresher.log")" = 1 ] || { echo "refresher log:"; cat "$work/refresher.log"; return 1; }
	queued "$R" "$id" deferred || return 1
	! delivered revoked || return 1
	local h
	h=$(in_ns relay "$prc" health --env-file "$work/relay.env" --root "$R" 2>&1) && { echo "healthy: $h"; return 1; }
	grep -q "relay login XOAUTH2: the access token expired" <<<"$h" || { echo "$h"; return 1; }
	# the operator supplies a new refresh token and restarts the refresher
	refresher_stop
	local fresh; fresh=rt-fresh-$(openssl rand -hex 8)
	"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["refresh"]=[sys.argv[2]]; d["issued"].append(sys.argv[2]); json.dump(d,open(sys.argv[1],"w"))' "$DB" "$fresh"
	write_env "$fresh"
	refresher_start
	refresher_said "configured refresh token changed" || return 1
	refresher_said "new access token" || return 1
	flush
	arrived_up revoked || return 1
	in_ns relay "$prc" health --env-file "$work/relay.env" --root "$R"
}
check xoauth2_revoked_token_defers_then_delivers_with_new_token t_revoked

# ---- the token endpoint down, then up ----
t_endpoint_down() {
	refresher_stop
	endpoint_stop
	sleep $((LIFE + 1))
	: >"$work/refresher.log"
	refresher_start
	refresher_said "token endpoint https://127.0.0.1:8443/token unreachable: Couldn't connect to server \\(curl error 7\\); mail to the relay host stays deferred, retrying" || return 1
	send down || { echo "$out"; return 1; }
	local id; id=$(queue_id)
	logged "$R" "$id: .*status=deferred" || return 1
	sleep 2
	[ "$(grep -c unreachable "$work/refresher.log")" = 1 ] || { cat "$work/refresher.log"; return 1; }
	endpoint_start
	refresher_said "new access token" 10 || return 1
	flush
	arrived_up down
}
check xoauth2_endpoint_down_defers_then_delivers t_endpoint_down

# ---- no token or secret anywhere it should not be ----
t_no_secrets() {
	local secrets s p leaks=""
	secrets=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("\n".join(d["issued"]))' "$DB")
	secrets+=$'\n'$CLIENT_SECRET
	"$prc" print --env-file "$work/relay.env" >"$work/print.out" 2>&1
	for p in $(ip netns pids "$PRI-relay") $(ip netns pids "$PRI-up"); do
		tr '\0' '\n' <"/proc/$p/environ" >"$work/environ.$p" 2>/dev/null || true
		tr '\0' '\n' <"/proc/$p/cmdline" >"$work/cmdline.$p" 2>/dev/null || true
	done
	while IFS= read -r s; do
		[ -n "$s" ] || continue
		for f in "$R/var/log/mail.log" "$work/refresher.log" "$work/upstream.log" \
			"$work/print.out" "$work"/environ.* "$work"/cmdline.*; do
			grep -qF -- "$s" "$f" && leaks+="${s:0:6}... in ${f#"$work"/}; "
		done
	done <<<"$secrets"
	[ -z "$leaks" ] || { echo "leaked: $leaks"; return 1; }
	grep -q "client_secret: <redacted>" "$work/print.out"
}
check xoauth2_no_token_or_secret_in_logs_print_or_proc t_no_secrets

refresher_stop
completed=1
