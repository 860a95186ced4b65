#!/bin/sh
# Install everything the build and every test tier needs, from Debian's packages.
set -eu
pkgs="meson ninja-build gcc libc6-dev clang pkg-config check libyaml-dev libssl-dev libdb5.3-dev openssl
 libcurl4-openssl-dev libjson-c-dev libsasl2-dev python3-aiosmtpd
 postfix sasl2-bin libsasl2-modules opendkim opendkim-tools python3 python3-dkim
 python3-jsonschema python3-yaml swaks libnet-ssleay-perl libio-socket-inet6-perl iproute2
 procps util-linux valgrind libclang-rt-14-dev shellcheck postfix-lmdb postfix-pcre libpcre2-dev
 scdoc groff-base man-db bsdextrautils python3-kubernetes db5.3-util"
# --run: only what building and running a relay needs (scripts/run-local.sh)
if [ "${1:-}" = --run ]; then
	pkgs="meson ninja-build gcc libc6-dev pkg-config libyaml-dev libssl-dev libdb5.3-dev openssl
 libcurl4-openssl-dev libjson-c-dev libsasl2-dev libpcre2-dev postfix postfix-pcre sasl2-bin
 libsasl2-modules opendkim opendkim-tools iproute2"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# postfix asks debconf questions; answer them so the install never blocks
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
