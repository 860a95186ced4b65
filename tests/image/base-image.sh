#!/bin/sh
# Make the local base image debian:trixie-slim with debootstrap + docker import
# (no registry is reachable from these machines).  Does nothing when the image
# already exists.  Trimmed like Debian's own slim images: no docs, man pages or
# locales, now or for packages installed later, and no apt lists or caches.
set -eu
tag=${1:-debian:trixie-slim}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
docker image inspect "$tag" >/dev/null 2>&1 && exit 0
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
dir=$(mktemp -d /var/tmp/trixie-rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
debootstrap --variant=minbase trixie "$dir" "$mirror" >"$dir.log" 2>&1 ||
	{ tail -n 20 "$dir.log" >&2; rm -f "$dir.log"; exit 1; }
rm -f "$dir.log"
cat >"$dir/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
find "$dir/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$dir/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$dir/usr/share/man" "$dir/usr/share/info" "$dir/usr/share/locale" \
	"$dir/var/cache/apt/"*.bin "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
	>"$dir/etc/apt/apt.conf.d/99slim"
tar -C "$dir" -c . | docker import -c 'CMD ["bash"]' - "$tag" >/dev/null
