#!/bin/bash
# The C sources follow the checked-in .clang-format.
# Usage: clang-format.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cd "$2"
# shellcheck source=tests/tap.sh
. tests/tap.sh
if ! command -v clang-format >/dev/null; then
	echo "1..0 # SKIP clang-format is not installed (apt-get install clang-format)"
	exit 77
fi
for f in $(git ls-files 'lib/*.c' 'lib/*.h' 'cli/*.c' 'cli/*.h' 'include/*.h' 'tests/*.c' 'tests/*.h' 'sasl/*.c'); do
	if out=$(clang-format --dry-run --Werror "$f" 2>&1); then
		ok "clang-format $f"
	else
		notok "clang-format $f: $(printf '%s\n' "$out" | grep -c 'error:') places differ"
	fi
done
tap_summary
