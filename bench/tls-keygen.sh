#!/bin/sh
# Self-signed certificate generation: in-process (EC P-256 vs RSA-2048) next to
# the seed's way, an openssl req RSA-2048 process, measured in the same run.
# Usage: bench/tls-keygen.sh BUILD_DIR [RUNS]
set -eu
build=$1
runs=${2:-30}
echo "load average: $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
"$build/bench/bench-tls-keygen" "$runs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for alg in "rsa:2048" "ec -pkeyopt ec_paramgen_curve:P-256"; do
	start=$(date +%s%N)
	i=0
	while [ "$i" -lt "$runs" ]; do
		# shellcheck disable=SC2086 # $alg holds the algorithm and its options
		openssl req -x509 -newkey $alg -nodes -subj /CN=mail.example.com -days 3650 \
			-keyout "$work/k.pem" -out "$work/c.pem" 2>/dev/null
		i=$((i + 1))
	done
	end=$(date +%s%N)
	printf '%-34s runs %3d  mean %8.2f ms (whole openssl process)\n' \
		"openssl req -newkey ${alg%% *}" "$runs" "$(echo "($end - $start) / $runs / 1000000" | bc -l)"
done
