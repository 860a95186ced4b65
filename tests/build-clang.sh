#!/bin/bash
# The library and CLI must build warning-free with clang too.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build-clang
rm -rf "$build"
if CC=clang meson setup "$build" "$top" -Dwerror=true >/dev/null && ninja -C "$build"; then
	echo "1 passed, 0 failed"
else
	echo "0 passed, 1 failed"
fi
