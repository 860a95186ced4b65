#!/bin/bash
# The public API as a user gets it: install the library into a staging root,
# build examples/consumer.c through pkg-config, run it; and compile the public
# header alone with -pedantic as C99 and as C++.
# Usage: consumer.sh BUILD_ROOT SOURCE_ROOT
set -eu
build=$1
src=$2
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"

meson install -C "$build" --destdir "$work/stage" >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
	'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
pcdir=$(dirname "$(find "$work/stage" -name postrelaycfg.pc | head -n 1)")
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$work/stage
libdir=$(pkg-config --variable=libdir postrelaycfg)
inc=$(pkg-config --variable=includedir postrelaycfg)
if [ -e "$inc/postrelaycfg.h" ]; then ok "header installed under $prefix"; else notok "header missing in $inc"; fi
if [ -e "$libdir/libpostrelaycfg.so.0" ]; then ok "soname libpostrelaycfg.so.0 installed"; else notok "libpostrelaycfg.so.0 missing"; fi
# shellcheck disable=SC2046
if cc -Wall -Wextra -Werror "$src/examples/consumer.c" $(pkg-config --cflags --libs postrelaycfg) \
	-o "$work/consumer" 2>"$work/err"; then
	ok "consumer builds through pkg-config"
else
	notok "consumer build: $(cat "$work/err")"
fi
if LD_LIBRARY_PATH=$libdir "$work/consumer" relay.example.org >"$work/main.cf" 2>"$work/err" &&
	grep -qx 'myhostname = relay.example.org' "$work/main.cf" &&
	grep -qx 'message_size_limit = 10485760' "$work/main.cf"; then
	ok "consumer renders main.cf"
else
	notok "consumer run: $(cat "$work/err")"
fi
if LD_LIBRARY_PATH=$libdir "$work/consumer" 'bad name' >/dev/null 2>"$work/err"; then
	notok "consumer accepted a bad MAILNAME"
elif grep -qx "consumer: error: env:MAILNAME: 'bad name': host name may only contain letters, digits, '-' and '.'" "$work/err"; then
	ok "consumer gets diagnostics through the API"
else
	notok "consumer diagnostics: $(cat "$work/err")"
fi
# examples/plan.c: a parameter's effective value and origin, from the plan
# shellcheck disable=SC2046
if cc -Wall -Wextra -Werror "$src/examples/plan.c" $(pkg-config --cflags --libs postrelaycfg) \
	-o "$work/plan" 2>"$work/err"; then
	ok "plan example builds through pkg-config"
else
	notok "plan example build: $(cat "$work/err")"
fi
env -i LD_LIBRARY_PATH="$libdir" MAILNAME=relay.example.org SIZELIMIT=10M RELAYHOST='[Smtp.Example.NET]:587' \
	RELAYHOST_AUTH=yes 'RELAYHOST_PASSWORDMAP=[smtp.example.net]:587:u:p' POSTFIX_mail_owner=mailer \
	"$work/plan" message_size_limit >"$work/plan.out" 2>"$work/err" || true
if [ "$(cat "$work/plan.out")" = "message_size_limit = 10485760 (from env:SIZELIMIT)
listener smtp on port 25
listener submission on port 587
listener 2525 on port 2525
credential for [smtp.example.net]:587 (from env:RELAYHOST_PASSWORDMAP)" ]; then
	ok "plan example prints the effective value, its origin, listeners and table keys"
else
	notok "plan example output: $(cat "$work/plan.out" "$work/err")"
fi
env -i LD_LIBRARY_PATH="$libdir" MAILNAME=relay.example.org POSTFIX_mail_owner=mailer \
	"$work/plan" mail_owner >"$work/plan.out" 2>"$work/err" || true
if [ "$(head -n 1 "$work/plan.out")" = "mail_owner = mailer (from env:POSTFIX_mail_owner)" ]; then
	ok "plan example: a passthrough parameter's origin is its variable"
else
	notok "plan example passthrough: $(cat "$work/plan.out" "$work/err")"
fi
# only the documented prc_ symbols are exported
exported=$(nm -D --defined-only "$libdir/libpostrelaycfg.so.0" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort)
declared=$(grep -oE '\bprc_[a-z_]+\(' "$src/include/postrelaycfg.h" | tr -d '(' | sort -u)
if [ "$exported" = "$declared" ]; then ok "exported symbols = public header"; else
	notok "exported symbols differ from the header"; diff <(echo "$declared") <(echo "$exported") || true; fi
echo '#include <postrelaycfg.h>' >"$work/h.c"
if cc -std=c99 -pedantic -Wall -Wextra -Werror -I"$src/include" -c "$work/h.c" -o "$work/h.o" 2>"$work/err"; then
	ok "header is pedantic C99"; else notok "header C99: $(cat "$work/err")"; fi
if command -v c++ >/dev/null; then
	cp "$work/h.c" "$work/h.cc"
	if c++ -pedantic -Wall -Wextra -Werror -I"$src/include" -c "$work/h.cc" -o "$work/h2.o" 2>"$work/err"; then
		ok "header compiles as C++"; else notok "header C++: $(cat "$work/err")"; fi
fi
tap_summary
