#!/bin/bash
# The Kubernetes example (examples/kubernetes): every manifest parses and
# matches the Kubernetes API schema; the container runs least-privileged
# (read-only root, every capability dropped but the set examples/compose.yaml
# adds, no privilege escalation, RuntimeDefault seccomp, tmpfs emptyDirs on
# /run and /tmp); the configuration and environment the
# container gets (taken from the manifests, Secrets written to the paths the
# *_FILE settings name) pass `postrelaycfg check` and render a configuration
# that listens where the Service sends; the probes run commands the CLI has;
# the preStop script is valid sh for the image's Postfix.
# Usage: kubernetes.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
src=$2
dir=$src/examples/kubernetes
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

# structure and schema (python3-yaml, python3-kubernetes)
"$src/tests/k8s-manifests.py" check "$dir" >"$work/structure" 2>&1 || true
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) notok "${line#not ok - }" ;;
	*) notok "k8s-manifests.py: $line" ;;
	esac
done <"$work/structure"

out=$work/pod
mkdir -p "$out"
if ! "$src/tests/k8s-manifests.py" extract "$dir" "$out" 2>"$work/err"; then
	notok "extract the container's configuration: $(cat "$work/err")"
	tap_summary || exit 1
fi
ok "extract the container's configuration from the manifests"
if [ -s "$out/config" ]; then
	config=$(cat "$out/config")
	ok "the ConfigMap is mounted at /etc/postrelay/relay.yaml"
else
	config=/dev/null
	notok "nothing is mounted at /etc/postrelay/relay.yaml"
fi
mailname=$(sed -n 's/^mailname: *//p' "$config")
# the TLS Secret is created by the user: make a key pair where it is mounted
while IFS= read -r d; do
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=${mailname:-relay.example.com}" -keyout "$d/tls.key" -out "$d/tls.crt" 2>/dev/null
done <"$out/external"

# expect NAME WANT_RC CMD...: the environment is exactly the container's
expect() {
	local name=$1 want=$2 rc=0
	shift 2
	env -i PATH="$PATH" "$@" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" = "$want" ]; then ok "$name"; else notok "$name: exit $rc, wanted $want: $(cat "$work/err")"; fi
}
expect "the ConfigMap's relay.yaml and the container's env pass postrelaycfg check" 0 \
	"$cli" check -c "$config" --env-file "$out/env"
check "check prints no diagnostic" test ! -s "$work/err"
expect "they render" 0 "$cli" render -c "$config" --env-file "$out/env" -o "$work/etc"
postconf -c "$work/etc" -n >/dev/null 2>"$work/err" || true
check "postconf reads the rendered main.cf without warnings" test ! -s "$work/err"
# the container ports the Services target are the ones Postfix listens on
while read -r name port; do
	case $port in
	25 | 587)
		service=$(getent services "$port/tcp" | awk '{print $1}')
		if postconf -c "$work/etc" -M "$service/inet" 2>/dev/null | grep -q "^$service "; then
			ok "container port $name ($port) is Postfix's $service service"
		else
			notok "container port $name ($port): no $service/inet service in master.cf"
		fi
		;;
	9154)
		expect "print" 0 "$cli" print -c "$config" --env-file "$out/env"
		check "container port $name (9154) is the enabled exporter" \
			grep -qx '  enabled: true  # env:POSTFIX_EXPORTER_ENABLED' "$work/out"
		;;
	*) notok "container port $name ($port) is not one the image serves" ;;
	esac
done <"$out/ports"
reloader_on() { grep -A1 -x 'reloader:' "$work/out" | grep -qx '  enabled: true  # env:CONFIG_RELOADER_ENABLED'; }
check "the config reloader is on" reloader_on
# the *_FILE Secrets reached the configuration
check "relay credentials come from the Secret" \
	grep -qxF '[smtp.example.net]:587 apikey:CHANGE-ME' "$work/etc/sasl_passwd"
crt=$(sed -n 's/^TLS_CRT=//p' "$out/env")
check "the server certificate is the mounted TLS Secret" \
	test "$(postconf -c "$work/etc" -h smtpd_tls_cert_file)" = "$crt"
# and the image serves them
if [ -f "$src/Dockerfile" ]; then
	for port in 25 587; do
		check "the image exposes $port" grep -qE "^EXPOSE .*\\b$port\\b" "$src/Dockerfile"
	done
	check "the image's exporter listens on 9154" \
		grep -q -- '--web.listen-address=:9154' "$src/image/s6/exporter/run"
else
	notok "no Dockerfile: cannot check the image's ports"
fi

# the probes run a command of the image's CLI, through the image's wrapper
# (image/cfg: the sources and instance root the entrypoint's apply used)
"$cli" --help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' >"$work/commands"
while read -r probe prog cmd _; do
	if [ "$prog" = /usr/lib/postrelay/cfg ] && [ -x "$src/image/cfg" ] &&
		grep -q 'COPY .*image/cfg .*/usr/lib/postrelay/' "$src/Dockerfile" && grep -qx "$cmd" "$work/commands"; then
		ok "$probe runs postrelaycfg $cmd through the image's cfg wrapper"
	else
		notok "$probe runs '$prog $cmd', not a command in postrelaycfg --help"
	fi
done <"$out/probes"

# the preStop script
check "preStop is valid sh" sh -n "$out/prestop.sh"
check "preStop passes shellcheck" shellcheck -s sh "$out/prestop.sh"
for prog in postconf postqueue postfix; do
	check "preStop's $prog is Postfix's" test -x "/usr/sbin/$prog"
done
postconf -d master_service_disable >/dev/null 2>"$work/err" || true
check "preStop's master_service_disable is a Postfix parameter" test ! -s "$work/err"

tap_summary
