# postrelay: a Postfix SMTP relay configured by postrelaycfg.
#
#   docker build -t postrelay .
#   docker run -e MAILNAME=mail.example.com -p 25:25 postrelay
#
# Hardened (docs/image.md): the root filesystem read-only, everything written
# at start under /run/postrelay (/etc/postfix, /etc/localtime, /etc/timezone
# and /var/log/s6-maillog are symlinks into it), the queue on a volume,
# nothing setuid or setgid:
#   docker run --read-only --tmpfs /run --tmpfs /tmp -v spool:/var/spool/postfix \
#     --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE --cap-add FOWNER \
#     --cap-add SETUID --cap-add SETGID --cap-add KILL --cap-add NET_BIND_SERVICE \
#     --security-opt no-new-privileges -e MAILNAME=mail.example.com -p 25:25 postrelay
#
# Build stage: compile libpostrelaycfg and postrelaycfg (RUN_TESTS=true also
# runs the unit suites).  Runtime stage: Debian 13 slim with Postfix (and its
# lmdb, cdb and pcre table modules, so that every TABLE_TYPE and every type of
# a POSTMAP_ table works), OpenDKIM, Cyrus
# SASL, s6 and the exporter from Debian's packages, plus our binary and
# library; no compiler or build tool.

FROM debian:trixie-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
	meson ninja-build gcc libc6-dev pkg-config libyaml-dev libssl-dev libdb5.3-dev check \
	libcurl4-openssl-dev libjson-c-dev libsasl2-dev libpcre2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ARG RUN_TESTS=false
RUN meson setup /build --prefix=/usr --libdir=lib --buildtype=release -Db_lto=true -Dtests=$RUN_TESTS \
 && ninja -C /build \
 && if [ "$RUN_TESTS" = true ]; then meson test -C /build --suite unit --print-errorlogs; fi \
 && DESTDIR=/out meson install -C /build --no-rebuild --strip --quiet \
 && rm -rf /out/usr/include /out/usr/lib/pkgconfig /out/usr/lib/libpostrelaycfg.so

FROM debian:trixie-slim
# No service starts during the install; Postfix gets no debconf configuration
# (postrelaycfg writes it at every start).
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
 && echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
	postfix postfix-lmdb postfix-cdb postfix-pcre opendkim libsasl2-modules sasl2-bin s6 \
	prometheus-postfix-exporter ca-certificates tzdata libyaml-0-2 procps \
	libcurl4t64 libjson-c5 libpcre2-8-0 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old \
	/var/log/apt /var/log/dpkg.log /var/log/alternatives.log /usr/sbin/policy-rc.d \
	/etc/opendkim.conf \
 && usermod -a -G postdrop prometheus \
 && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
	postrelay-log \
 && find / -xdev -type f -perm /6000 -exec chmod ug-s {} + \
 && mkdir -p /usr/lib/postrelay \
 && mv /etc/postfix /usr/lib/postrelay/postfix-meta \
 && rm -rf /var/log/s6-maillog /etc/localtime /etc/timezone \
 && ln -s /run/postrelay/etc/postfix /etc/postfix \
 && ln -s /run/postrelay/localtime /etc/localtime \
 && ln -s /run/postrelay/timezone /etc/timezone \
 && ln -s /run/postrelay/maillog /var/log/s6-maillog
COPY --from=build /out/ /
COPY image/entrypoint image/finish image/cfg image/restart image/log-json /usr/lib/postrelay/
COPY image/s6 /usr/lib/postrelay/s6
EXPOSE 25 587 2525
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
	CMD ["/usr/lib/postrelay/cfg", "health"]
ENTRYPOINT ["/usr/lib/postrelay/entrypoint"]
