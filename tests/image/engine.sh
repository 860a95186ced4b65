# shellcheck shell=bash
# Docker engine for the image tier and the image benchmark (sourced).
# engine_up: use a running engine, else start dockerd (installing docker.io if
# needed) and remember its PID; returns 1 when no engine can be had.
# engine_down: stop only the dockerd that engine_up started, by PID.
engine_pid=

engine_up() {
	local log=$1
	docker info >/dev/null 2>&1 && return 0
	if ! command -v dockerd >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null 2>&1 ||
			return 1
	fi
	command -v docker >/dev/null || return 1
	# no iptables: these machines have no NAT to set up, and tests only use
	# addresses of their own bridge network
	dockerd --iptables=false >"$log" 2>&1 &
	engine_pid=$!
	for _ in $(seq 1 60); do
		docker info >/dev/null 2>&1 && return 0
		kill -0 "$engine_pid" 2>/dev/null || break
		sleep 0.5
	done
	engine_down
	return 1
}

engine_down() {
	[ -n "$engine_pid" ] || return 0
	kill "$engine_pid" 2>/dev/null || true
	wait "$engine_pid" 2>/dev/null || true
	engine_pid=
}
