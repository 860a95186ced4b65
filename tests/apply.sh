#!/bin/bash
# `postrelaycfg apply --root`: what it leaves on disk.  Bad input changes
# nothing; re-running is idempotent; tables are built and stale ones removed;
# the SMTPD_USERS database holds exactly the configured users; the queue and
# data directories get Postfix's owners and modes.  Needs root (chown).
# Usage: apply.sh POSTRELAYCFG SOURCE_ROOT
set -eu
cli=$1
# OpenDKIM refuses keys below a directory others can write to, such as /tmp
tap_base=/run
[ -w "$tap_base" ] || tap_base=$(dirname "$cli")
# shellcheck source=tests/tap.sh
. "$(dirname "$0")/tap.sh"
chmod 755 "$work"
# check NAME CMD...: ok when CMD succeeds; unlike tap.sh's, its output is shown otherwise
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else notok "$name" "$out"; fi
}
if [ "$(id -u)" != 0 ]; then
	notok "apply tests need root (they set owners)"
	tap_summary || exit 1
fi

# apply ROOT ENV-LINES...: run apply with exactly these settings; rc in $rc
apply() {
	local root=$1
	shift
	printf '%s\n' "$@" >"$work/env"
	rc=0
	"$cli" apply --env-file "$work/env" --root "$root" >"$work/out" 2>"$work/err" || rc=$?
}
# everything under ROOT: type, mode, owner, size, content hash, path, mtime
snapshot() {
	(cd "$1" && find . -printf '%y %m %u:%g %s %p %T@\n' | sort -k5 | while read -r t m o s p mt; do
		h=-
		case $t:$p in
		# Berkeley DB files differ byte-wise between builds: compare their entries
		f:*.db) h=$(postmap -c "$1/etc/postfix" -s "hash:${p%.db}" | sort | md5sum | cut -c 1-32) ;;
		f:*) h=$(md5sum <"$p" | cut -c 1-32) ;;
		esac
		echo "$t $m $o $s $h $p $mt"
	done)
}
# the same without times and without the SASL db (rebuilt on every run)
content() { snapshot "$1" | grep -v ' ./etc/postfix/sasl/sasldb2 ' | sed 's/ [^ ]*$//'; }
base=("MAILNAME=relay.example.com" "RELAYHOST=[smtp.example.com]:587" "RELAYHOST_AUTH=yes"
	"RELAYHOST_PASSWORDMAP=[smtp.example.com]:587:apikey:pa\\:ss\\,word"
	"RELAYHOST_MAP=@one.example:[one.example.net]:25"
	"SMTPD_USERS=alice:alice-pw,bob@example.org:bob-pw")

# ---- bad input ------------------------------------------------------------------
R=$work/fresh
mkdir -m 755 "$R"
apply "$R" "${base[@]}" "SIZELIMIT=lots"
check "invalid config exits 78" test "$rc" = 78
check "invalid config names the setting" grep -qxF \
	"postrelaycfg: error: env:SIZELIMIT: 'lots': expected a size in bytes, optionally with a k, M or G suffix" "$work/err"
check "invalid config creates nothing" test -z "$(ls -A "$R")"

R=$work/r1
mkdir -m 755 "$R"
apply "$R" "${base[@]}"
check "valid config applies (exit 0)" test "$rc" = 0
check "valid config prints nothing" test ! -s "$work/err"
snapshot "$R" >"$work/before"
apply "$R" "${base[@]}" "RELAYHOST_MAP=@one.example"
check "invalid change exits 78" test "$rc" = 78
snapshot "$R" >"$work/after"
check "invalid change leaves every file as it was" diff "$work/before" "$work/after"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=relay.example.com \
	-keyout "$work/user.key" -out "$work/user.crt" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/other.key" 2>/dev/null
chmod 600 "$work/user.key" "$work/other.key"
apply "$R" "${base[@]}" "TLS_CRT=$work/user.crt" "TLS_KEY=$work/other.key"
check "a key that does not match its certificate exits 78" test "$rc" = 78
check "the mismatch names the setting" grep -qxF \
	"postrelaycfg: error: env:TLS_KEY: $work/other.key: the key does not match the certificate in $work/user.crt (TLS_CRT)" "$work/err"
apply "$R" "${base[@]}" "USE_DKIM=yes"
check "a missing DKIM key exits 78" test "$rc" = 78
snapshot "$R" >"$work/after"
check "TLS and DKIM errors leave every file as it was" diff "$work/before" "$work/after"
# an account the plan needs that this system lacks: refused before anything is written
apply "$R" "${base[@]}" "SIZELIMIT=1M" "POSTFIX_mail_owner=nosuchuser"
check "a mail_owner that is not a user exits 78" test "$rc" = 78
check "the missing mail_owner names its setting" grep -qxF \
	"postrelaycfg: error: env:POSTFIX_mail_owner: mail_owner 'nosuchuser' is not a user on this system" "$work/err"
snapshot "$R" >"$work/after"
check "a missing mail_owner leaves every file as it was" diff "$work/before" "$work/after"
apply "$R" "${base[@]}" "SIZELIMIT=1M" "POSTFIX_setgid_group=nosuchgroup"
check "a setgid_group that is not a group exits 78" test "$rc" = 78
check "the missing setgid_group names its setting" grep -qxF \
	"postrelaycfg: error: env:POSTFIX_setgid_group: setgid_group 'nosuchgroup' is not a group on this system" "$work/err"
snapshot "$R" >"$work/after"
check "a missing setgid_group leaves every file as it was" diff "$work/before" "$work/after"
check "no stage is left behind" test "$(find "$R" -name '.postrelaycfg-*' | wc -l)" = 0

# ---- idempotence ----------------------------------------------------------------------
content "$R" >"$work/before"
apply "$R" "${base[@]}"
content "$R" >"$work/again"
check "re-applying changes no file, owner or mode" diff "$work/before" "$work/again"

# ---- TLS and DKIM material ---------------------------------------------------------
crt=$R/etc/ssl/certs/ssl-cert-snakeoil.pem
key=$R/etc/ssl/private/ssl-cert-snakeoil.key
check "a default certificate naming MAILNAME is generated" test \
	"$(openssl x509 -in "$crt" -noout -subject -nameopt RFC2253)" = "subject=CN=relay.example.com"
check "its key matches and is 0600" test "$(openssl pkey -in "$key" -pubout | md5sum)" = \
	"$(openssl x509 -in "$crt" -noout -pubkey | md5sum)" -a "$(stat -c %a "$key")" = 600
mkdir -m 700 "$work/dkim"
"$cli" dkim-keygen --domain relay.example.com --selector mail -o "$work/dkim/relay.key" >/dev/null
apply "$R" "${base[@]}" "USE_DKIM=yes" "DKIM_KEYFILE=$work/dkim/relay.key"
check "USE_DKIM with a key applies (exit 0)" test "$rc" = 0
check "the OpenDKIM files are in ROOT/etc/opendkim" test "$(find "$R/etc/opendkim" -type f -printf '%P\n' | sort | tr '\n' ' ')" = \
	"ExternalIgnoreList KeyTable SigningTable TrustedHosts opendkim.conf "
check "the KeyTable names the key" grep -qF "relay.example.com:mail:$work/dkim/relay.key" "$R/etc/opendkim/KeyTable"
# --dkim-key-owner: OpenDKIM signs with copies only its user can read
"$cli" dkim-keygen --domain two.example --selector s2 -o "$work/dkim/two.key" >/dev/null
K=$work/keys
mkdir -m 755 "$K"
keyed=("MAILNAME=relay.example.com" "USE_DKIM=yes"
	"DKIM_KEYS=relay.example.com=mail:$work/dkim/relay.key,two.example=s2:$work/dkim/two.key")
printf '%s\n' "${keyed[@]}" >"$work/keyed.env"
rc=0
"$cli" apply --env-file "$work/keyed.env" --root "$K" --dkim-key-owner nosuchuser >"$work/out" 2>"$work/err" || rc=$?
check "an unknown --dkim-key-owner exits 78" test "$rc" = 78
check "an unknown --dkim-key-owner is named" grep -qxF \
	"postrelaycfg: error: --dkim-key-owner: 'nosuchuser' is not a user on this system" "$work/err"
check "an unknown --dkim-key-owner writes nothing" test -z "$(ls -A "$K")"
rc=0
"$cli" apply --env-file "$work/keyed.env" --root "$K" --dkim-key-owner opendkim >"$work/out" 2>"$work/err" || rc=$?
check "--dkim-key-owner applies (exit 0)" test "$rc" = 0
check "the key directory is opendkim's, 0700" test "$(stat -c '%a %U' "$K/etc/opendkim/keys")" = "700 opendkim"
check "each key copy is opendkim's, 0400" test \
	"$(cd "$K/etc/opendkim/keys" && stat -c '%n %a %U' -- * | tr '\n' ' ')" = \
	"relay.example.com.key 400 opendkim two.example.key 400 opendkim "
check "a copy holds the key" cmp "$work/dkim/two.key" "$K/etc/opendkim/keys/two.example.key"
check "the KeyTable names the copies" grep -qxF \
	"s2._domainkey.two.example two.example:s2:$K/etc/opendkim/keys/two.example.key" "$K/etc/opendkim/KeyTable"
printf '%s\n' "MAILNAME=relay.example.com" "USE_DKIM=yes" "DKIM_KEYS=two.example=s2:$work/dkim/two.key" >"$work/keyed.env"
"$cli" apply --env-file "$work/keyed.env" --root "$K" --dkim-key-owner opendkim >"$work/out" 2>&1
check "the copy of a domain no longer signed is removed" test \
	"$(ls "$K/etc/opendkim/keys")" = "two.example.key"
rc=0
printf '%s\n' "MAILNAME=relay.example.com" >"$work/keyed.env"
"$cli" apply --env-file "$work/keyed.env" --root "$K" --dkim-key-owner opendkim >"$work/out" 2>"$work/err" || rc=$?
check "--dkim-key-owner without DKIM applies (exit 0)" test "$rc" = 0
check "without DKIM no key copy is left" test -z "$(ls "$K/etc/opendkim/keys")"
apply "$R" "${base[@]}"
check "without USE_DKIM the OpenDKIM files are removed" test -z "$(find "$R/etc/opendkim" -type f)"

# ---- lookup tables --------------------------------------------------------------------
pf=$R/etc/postfix
check "sasl_passwd is built and answers" test "$(postmap -c "$pf" -q '[smtp.example.com]:587' "hash:$pf/sasl_passwd")" = "apikey:pa:ss,word"
check "sender_relay is built and answers" test "$(postmap -c "$pf" -q '@one.example' "hash:$pf/sender_relay")" = "[one.example.net]:25"
check "sasl_passwd.db is 0600 root" test "$(stat -c '%a %U' "$pf/sasl_passwd.db")" = "600 root"
check "sender_relay.db is 0644 root" test "$(stat -c '%a %U' "$pf/sender_relay.db")" = "644 root"
# apply writes hash: tables itself: they must be what postmap makes of the same source
mkdir "$work/postmap"
for t in sasl_passwd sender_relay; do
	cp "$pf/$t" "$work/postmap/$t"
	postmap -c "$pf" "hash:$work/postmap/$t"
	check "$t.db holds what postmap builds from the same source" test \
		"$(postmap -c "$pf" -s "hash:$pf/$t" | sort)" = "$(postmap -c "$pf" -s "hash:$work/postmap/$t" | sort)"
	check "$t.db stores keys and values as postmap does (byte for byte)" test \
		"$(db5.3_dump -p "$pf/$t.db" | sed '1,/^HEADER=END/d' | paste - - | sort)" = \
		"$(db5.3_dump -p "$work/postmap/$t.db" | sed '1,/^HEADER=END/d' | paste - - | sort)"
done
check "no temporary files are left beside the tables" test \
	"$(find "$pf" -maxdepth 1 -name '*.tmp-*' | wc -l)" = 0
# keys as an operator writes them, in mixed case: the tables apply builds are
# byte for byte what postmap makes of a source written the same way
M=$work/mixed
mkdir -m 755 "$M"
apply "$M" "MAILNAME=relay.example.com" "RELAYHOST=[Relay.Example.COM]:587" "RELAYHOST_AUTH=yes" \
	"RELAYHOST_PASSWORDMAP=[relay.example.com]:587:User1:Pass1,[Other.Example]:25:User2:Pass2" \
	"RELAYHOST_MAP=@One.Example:[one.example.net]:25,Bob@Two.EXAMPLE:[Two.Example.NET]:25"
check "mixed-case keys apply (exit 0)" test "$rc" = 0
check "a credential is found whatever the case of RELAYHOST" test \
	"$(postmap -c "$M/etc/postfix" -q '[relay.example.com]:587' "hash:$M/etc/postfix/sasl_passwd")" = "User1:Pass1"
mkdir "$work/postmap-mixed"
printf '%s\n' '[relay.example.com]:587 User1:Pass1' '[Other.Example]:25 User2:Pass2' >"$work/postmap-mixed/sasl_passwd"
printf '%s\n' '@One.Example [one.example.net]:25' 'Bob@Two.EXAMPLE [Two.Example.NET]:25' >"$work/postmap-mixed/sender_relay"
for t in sasl_passwd sender_relay; do
	postmap -c "$M/etc/postfix" "hash:$work/postmap-mixed/$t"
	check "$t.db from mixed-case keys is what postmap builds (byte for byte)" test \
		"$(db5.3_dump -p "$M/etc/postfix/$t.db" | sed '1,/^HEADER=END/d' | paste - - | sort)" = \
		"$(db5.3_dump -p "$work/postmap-mixed/$t.db" | sed '1,/^HEADER=END/d' | paste - - | sort)"
done
apply "$R" "${base[@]}" "RELAYHOST_MAP=@two.example:[two.example.net]:25"
check "a removed table entry is gone from the built table" test -z "$(postmap -c "$pf" -q '@one.example' "hash:$pf/sender_relay")"
check "the new entry answers" test "$(postmap -c "$pf" -q '@two.example' "hash:$pf/sender_relay")" = "[two.example.net]:25"
apply "$R" "MAILNAME=relay.example.com" "RELAYHOST=[smtp.example.com]:587"
check "unused tables and their .db files are removed" test -z "$(cd "$pf" && ls sasl_passwd* sender_relay* 2>/dev/null)"
if [ -e /usr/lib/postfix/postfix-lmdb.so ]; then
	apply "$R" "${base[@]}" "TABLE_TYPE=lmdb"
	check "TABLE_TYPE=lmdb builds .lmdb tables" test "$(postmap -c "$pf" -q '@one.example' "lmdb:$pf/sender_relay")" = "[one.example.net]:25"
	check "switching TABLE_TYPE removes the old .db files" test ! -e "$pf/sasl_passwd.db" -a ! -e "$pf/sender_relay.db"
else
	notok "postfix-lmdb is not installed (tests/install-deps.sh installs it)"
fi

# ---- SMTPD_USERS database -----------------------------------------------------------------
db=$pf/sasl/sasldb2
apply "$R" "${base[@]}"
check "sasldb holds every user, in realm MAILNAME or its own domain" test \
	"$(sasldblistusers2 -f "$db" | sort)" = "$(printf '%s\n' 'alice@relay.example.com: userPassword' 'bob@example.org: userPassword')"
check "sasldb is 0640 root:postfix" test "$(stat -c '%a %U:%G' "$db")" = "640 root:postfix"
# apply writes the sasldb itself: it must hold what saslpasswd2 stores for the same users
printf 'alice-pw' | saslpasswd2 -f "$work/sasldb2" -u relay.example.com -p -c alice
printf 'bob-pw' | saslpasswd2 -f "$work/sasldb2" -u relay.example.com -p -c bob@example.org
check "sasldb stores users, realms and passwords as saslpasswd2 does (byte for byte)" test \
	"$(db5.3_dump -p "$db" | sed '1,/^HEADER=END/d' | paste - - | sort)" = \
	"$(db5.3_dump -p "$work/sasldb2" | sed '1,/^HEADER=END/d' | paste - - | sort)"
check "sasl/smtpd.conf names this sasldb" grep -qx "sasldb_path: $db" "$pf/sasl/smtpd.conf"
# Postfix 3.10 (Debian 13) reads smtpd.conf only from cyrus_sasl_config_path
check "Postfix reads sasl/smtpd.conf from this instance" test \
	"$(postconf -c "$pf" -xh cyrus_sasl_config_path)" = "$pf/sasl"
apply "$R" "MAILNAME=relay.example.com" "SMTPD_USERS=carol:carol-pw"
check "sasldb is rebuilt: removed users are gone" test \
	"$(sasldblistusers2 -f "$db")" = "carol@relay.example.com: userPassword"
check "no temporary files are left in sasl/" test "$(find "$pf/sasl" -mindepth 1 -printf '%P\n' | sort | tr '\n' ' ')" = "sasldb2 smtpd.conf "
apply "$R" "MAILNAME=relay.example.com"
check "without SMTPD_USERS the sasldb and smtpd.conf are removed" test ! -e "$db" -a ! -e "$pf/sasl/smtpd.conf"

# ---- state directories --------------------------------------------------------------------
q=$R/var/spool/postfix
want="root:root 755 .
postfix:root 700 active
postfix:root 700 bounce
postfix:root 700 corrupt
postfix:root 700 defer
postfix:root 700 deferred
postfix:root 700 flush
postfix:root 700 hold
postfix:root 700 incoming
postfix:postdrop 730 maildrop
root:root 755 pid
postfix:root 700 private
postfix:postdrop 710 public
postfix:root 700 saved
postfix:root 700 trace"
check "queue directories have Postfix's owners and modes" test \
	"$(cd "$q" && find . -maxdepth 1 -printf '%u:%g %m %P\n' | sed 's/ $/ ./' | sort -k3)" = "$want"
check "data directory is postfix-owned 0700" test "$(stat -c '%U %a' "$R/var/lib/postfix")" = "postfix 700"
chmod 777 "$q/active"
chown root "$q/public"
apply "$R" "MAILNAME=relay.example.com"
check "wrong owners and modes are repaired" test \
	"$(stat -c '%U %a' "$q/active" "$q/public" | tr '\n' ' ')" = "postfix 700 postfix 710 "
apply "$R" "MAILNAME=relay.example.com" "LOGOUTPUT=$R/var/log/relay/mail.log"
check "the directory of LOGOUTPUT is created" test -d "$R/var/log/relay"

# ---- a YAML file ---------------------------------------------------------------------
src=$2
Y=$work/yaml
mkdir -m 755 "$Y"
rc=0
"$cli" apply -c "$src/examples/smtpd-users.yaml" --no-env --root "$Y" 2>"$work/err" || rc=$?
check "apply -c FILE.yaml applies (exit 0)" test "$rc" = 0
check "the YAML users are in the sasldb" test "$(sasldblistusers2 -f "$Y/etc/postfix/sasl/sasldb2" | sort | tr '\n' ' ')" = \
	"app1@mail.example.com: userPassword app2@mail.example.com: userPassword "

# ---- the user's own tables (POSTMAP_<name>, postfix.tables) ---------------------------
U=$work/utables
mkdir -m 755 "$U"
upf=$U/etc/postfix
# apply_yaml FILE: apply a YAML file into $U; rc in $rc
apply_yaml() {
	rc=0
	"$cli" apply -c "$1" --no-env --root "$U" >"$work/out" 2>"$work/err" || rc=$?
}
cat >"$work/tables.yaml" <<'END'
mailname: relay.example.com
postfix:
  parameters:
    transport_maps: hash:${config_directory}/transport
    relocated_maps: lmdb:${config_directory}/moved
    smtp_header_checks: pcre:${config_directory}/hdr
  tables:
    transport:
      content: |
        # routes
        Example.ORG smtp:[a.example.net]:25
        b.example
          smtp:[b.example.net]:25
    moved:
      entries:
        - old@example.com new@example.com
    hdr:
      entries:
        - /^X-Secret:/ IGNORE
END
apply_yaml "$work/tables.yaml"
check "apply builds the user's tables (exit 0)" test "$rc" = 0
check "a hash table answers with its key folded" test \
	"$(postmap -c "$upf" -q example.org "hash:$upf/transport")" = "smtp:[a.example.net]:25"
check "a continuation line belongs to the entry above" test \
	"$(postmap -c "$upf" -q b.example "hash:$upf/transport")" = "smtp:[b.example.net]:25"
if [ -e /usr/lib/postfix/postfix-lmdb.so ]; then
	check "an lmdb table is built by postmap" test \
		"$(postmap -c "$upf" -q old@example.com "lmdb:$upf/moved")" = new@example.com
fi
check "a pcre table is read as it is" test \
	"$(postmap -c "$upf" -q 'X-Secret: 1' "pcre:$upf/hdr")" = IGNORE
check "a pcre table is not postmapped" test ! -e "$upf/hdr.db"
sed -i 's|transport_maps: hash:|transport_maps: lmdb:|' "$work/tables.yaml"
apply_yaml "$work/tables.yaml"
check "a table whose type changes loses its old build" test \
	"$rc $(cd "$upf" && echo transport.*)" = "0 transport.lmdb"
if [ ! -e /usr/lib/postfix/postfix-cdb.so ]; then
	# every file as it was (the stage came and went: directory times change)
	before=$(snapshot "$U" | grep '^f ')
	sed -i 's|relocated_maps: lmdb:|relocated_maps: cdb:|' "$work/tables.yaml"
	apply_yaml "$work/tables.yaml"
	check "a table postmap cannot build fails apply (exit 74)" test "$rc" = 74
	check "a failed table build changes no file" test "$(snapshot "$U" | grep '^f ')" = "$before"
	check "a failed table build leaves no stage" test "$(find "$U" -name '.postrelaycfg-*' | wc -l)" = 0
fi

# ---- arguments ------------------------------------------------------------------------
rc=0
"$cli" apply --no-env --root relative >/dev/null 2>"$work/err" || rc=$?
check "a relative --root is a usage error (exit 64)" test "$rc" = 64
R=$work/closed
mkdir -m 700 "$R"
apply "$R" "MAILNAME=relay.example.com"
check "an unsearchable root is warned about" grep -qxF \
	"postrelaycfg: warning: --root $R is not searchable by others: Postfix processes running as mail_owner cannot reach files below it" "$work/err"

# the other images' form /etc/postfix/<name> is the instance's table under --root
P=$work/peerpath
mkdir -m 755 "$P"
apply "$P" MAILNAME=relay.example.com 'POSTMAP_transport=example.org smtp:[a.example.net]:25' \
	POSTFIX_transport_maps=hash:/etc/postfix/transport POSTFIX_header_checks=regexp:/etc/postfix/mine
check "apply of /etc/postfix/<name> references (exit 0)" test "$rc" = 0
check "a user table's /etc/postfix/<name> is written \${config_directory}/<name>" \
	grep -qxF "transport_maps = hash:\${config_directory}/transport" "$P/etc/postfix/main.cf"
check "a file that is no user table keeps its /etc/postfix path" \
	grep -qxF 'header_checks = regexp:/etc/postfix/mine' "$P/etc/postfix/main.cf"
check "Postfix finds the table through it" test \
	"$(postconf -c "$P/etc/postfix" -h transport_maps | sed "s|\${config_directory}|$P/etc/postfix|" |
		xargs -I{} postmap -c "$P/etc/postfix" -q example.org {})" = "smtp:[a.example.net]:25"

tap_summary
