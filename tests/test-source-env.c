/* The environment source: every seed variable's form, escapes, _FILE, passthrough. */
#include "internal.h"
#include "test-common.h"

#include <sys/stat.h>
#include <unistd.h>

static struct prc_config *cfg;

static void teardown(void)
{
	prc_config_free(cfg);
	cfg = NULL;
}

/* Load @envp; assert the exact diagnostics text. */
static void load(const char *const *envp, const char *expect)
{
	int rc;
	teardown();
	char *text = load_env(envp, &cfg, &rc);
	ck_assert_str_eq(text, expect);
	free(text);
}

static const struct prc_value *val(enum prc_setting_id id)
{
	return &cfg->v[id];
}

static void item_is(enum prc_setting_id id, size_t i, const char *f0, const char *f1,
                    const char *f2)
{
	ck_assert_uint_gt(val(id)->nitems, i);
	const struct prc_item *it = &val(id)->items[i];
	ck_assert_str_eq(it->f[0], f0);
	if (f1)
		ck_assert_str_eq(it->f[1], f1);
	if (f2)
		ck_assert_str_eq(it->f[2], f2);
}

START_TEST(env_defaults_match_the_seed)
{
	load((const char *[]){"MAILNAME=mail.example.com", NULL}, "");
	ck_assert_uint_eq(val(PRC_S_MYNETWORKS)->nitems, 4);
	item_is(PRC_S_MYNETWORKS, 3, "192.168.0.0/16", NULL, NULL);
	ck_assert_str_eq(val(PRC_S_LOGOUTPUT)->str, "/dev/stdout");
	ck_assert_str_eq(val(PRC_S_SIZELIMIT)->str, "15728640");
	ck_assert_str_eq(val(PRC_S_INET_PROTOCOLS)->str, "all");
	ck_assert(val(PRC_S_DISABLE_VRFY_COMMAND)->b);
	ck_assert(!val(PRC_S_POSTFIX_ADD_MISSING_HEADERS)->b);
	ck_assert(val(PRC_S_USE_TLS)->b);
	ck_assert_str_eq(val(PRC_S_TLS_SECURITY_LEVEL)->str, "may");
	ck_assert_str_eq(val(PRC_S_TLS_KEY)->str, "/etc/ssl/private/ssl-cert-snakeoil.key");
	ck_assert_str_eq(val(PRC_S_CLIENT_TLS_CRT)->str, "/etc/ssl/certs/ssl-cert-snakeoil.pem");
	ck_assert(!val(PRC_S_TLS_CA)->set);
	ck_assert_str_eq(val(PRC_S_DKIM_SELECTOR)->str, "mail");
	ck_assert_str_eq(val(PRC_S_DKIM_KEYFILE)->str, "/etc/opendkim/dkim.key");
	item_is(PRC_S_DKIM_OVERSIGN_HEADERS, 0, "From", NULL, NULL);
	ck_assert_str_eq(val(PRC_S_TZ)->str, "UTC");
	ck_assert_str_eq(val(PRC_S_MAILNAME)->origin, "env:MAILNAME");
	ck_assert_str_eq(val(PRC_S_SIZELIMIT)->origin, "default");
	ck_assert(val(PRC_S_MAILNAME)->explicit);
	ck_assert(!val(PRC_S_SIZELIMIT)->explicit);
}
END_TEST

START_TEST(env_passwordmap_all_seed_forms)
{
	load((const char *[]){"MAILNAME=m.example.com", "RELAYHOST=[mail1.example.com]:587",
	                      "RELAYHOST_PASSWORDMAP=[mail1.example.com]:587:user1:pass1,"
	                      "mail2.example.com:user2:pass2, user3:pass3",
	                      NULL},
	     "error|env:RELAYHOST_PASSWORDMAP|entry 3: a credential for '[mail1.example.com]:587' "
	     "is already given by entry 1\n"
	     "warning|env:RELAYHOST_PASSWORDMAP|credentials are given but not used: set "
	     "RELAYHOST_AUTH=yes (or SENDER_DEPENDENT_RELAYHOST_AUTH=yes)\n");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 0, "[mail1.example.com]:587", "user1", "pass1");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 1, "mail2.example.com", "user2", "pass2");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 2, "", "user3", "pass3");
}
END_TEST

START_TEST(env_passwordmap_colon_and_comma_in_password)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "RELAYHOST_PASSWORDMAP=[h.example]:587:u:pa\\:ss\\,wo\\\\rd,"
	                      "h2.example:25:u2:a:b:c",
	                      NULL},
	     "warning|env:RELAYHOST_PASSWORDMAP|credentials are given but not used: set "
	     "RELAYHOST_AUTH=yes (or SENDER_DEPENDENT_RELAYHOST_AUTH=yes)\n");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 0, "[h.example]:587", "u", "pa:ss,wo\\rd");
	/* unescaped colons after the user stay in the password */
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 1, "h2.example:25", "u2", "a:b:c");
}
END_TEST

START_TEST(env_passwordmap_ipv6_host_in_brackets)
{
	load((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                      "RELAYHOST=[ipv6:2001:db8::1]:587",
	                      "RELAYHOST_PASSWORDMAP=[ipv6:2001:db8::1]:587:u:p", NULL},
	     "");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 0, "[ipv6:2001:db8::1]:587", "u", "p");
}
END_TEST

START_TEST(env_passwordmap_malformed_entries)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "RELAYHOST_PASSWORDMAP=justone,h.example:u:,[bad:u:p,x:y:z\\", NULL},
	     "error|env:RELAYHOST_PASSWORDMAP|entry 1: expected [host]:port:user:password, "
	     "host:user:password or user:password\n"
	     "error|env:RELAYHOST_PASSWORDMAP|entry 2: password: must not be empty\n"
	     "error|env:RELAYHOST_PASSWORDMAP|entry 3: expected [host]:port:user:password, "
	     "host:user:password or user:password\n"
	     "error|env:RELAYHOST_PASSWORDMAP|entry 4: ends with a lone '\\' (write \\\\ for a "
	     "backslash)\n");
	ck_assert(!val(PRC_S_RELAYHOST_PASSWORDMAP)->set);
}
END_TEST

START_TEST(env_passwordmap_host_without_credentials)
{
	/* a bracketed first field is a host: "[h]:587" is not the user "[h]" with password "587" */
	load((const char *[]){"MAILNAME=m.example.com", "RELAYHOST=[smtp.example.com]:587",
	                      "RELAYHOST_PASSWORDMAP=u:p,[smtp.example.com]:587,[smtp.example.com]",
	                      NULL},
	     "error|env:RELAYHOST_PASSWORDMAP|entry 2: '[smtp.example.com]:587' names a relay host "
	     "but no user:password (expected [host]:port:user:password)\n"
	     "error|env:RELAYHOST_PASSWORDMAP|entry 3: expected [host]:port:user:password, "
	     "host:user:password or user:password\n");
	ck_assert(!val(PRC_S_RELAYHOST_PASSWORDMAP)->set);
	/* with credentials after it, the same host is fine */
	load((const char *[]){"MAILNAME=m.example.com", "RELAYHOST=[smtp.example.com]:587",
	                      "RELAYHOST_AUTH=yes",
	                      "RELAYHOST_PASSWORDMAP=[smtp.example.com]:587:u:p", NULL},
	     "");
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 0, "[smtp.example.com]:587", "u", "p");
}
END_TEST

START_TEST(env_relayhost_map_forms)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "RELAYHOST_MAP=@domain1.com:smtp.example.com:587,"
	                      "@domain2.com:[smtp.example.com]:587,bob@d3.com:[192.0.2.1]",
	                      NULL},
	     "");
	item_is(PRC_S_RELAYHOST_MAP, 0, "@domain1.com", "smtp.example.com:587", NULL);
	item_is(PRC_S_RELAYHOST_MAP, 1, "@domain2.com", "[smtp.example.com]:587", NULL);
	item_is(PRC_S_RELAYHOST_MAP, 2, "bob@d3.com", "[192.0.2.1]", NULL);
	load((const char *[]){"MAILNAME=m.example.com",
	                      "RELAYHOST_MAP=domain1.com:smtp.example.com,@d2.com:smtp:x,@d3.com",
	                      NULL},
	     "error|env:RELAYHOST_MAP|entry 1: sender 'domain1.com': expected @domain or "
	     "user@domain\n"
	     "error|env:RELAYHOST_MAP|entry 2: relayhost 'smtp:x': port must be a number from 1 "
	     "to 65535\n"
	     "error|env:RELAYHOST_MAP|entry 3: expected @domain:relayhost\n");
}
END_TEST

START_TEST(env_smtpd_users_password_is_everything_after_first_colon)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "SMTPD_USERS=user1:password1,user2:pa:ss:wd,user3:with\\,comma",
	                      NULL},
	     "");
	item_is(PRC_S_SMTPD_USERS, 0, "user1", "password1", NULL);
	item_is(PRC_S_SMTPD_USERS, 1, "user2", "pa:ss:wd", NULL);
	item_is(PRC_S_SMTPD_USERS, 2, "user3", "with,comma", NULL);
	load((const char *[]){"MAILNAME=m.example.com", "SMTPD_USERS=nopass,:pw,u:", NULL},
	     "error|env:SMTPD_USERS|entry 1: expected user:password\n"
	     "error|env:SMTPD_USERS|entry 2: user: must not be empty\n"
	     "error|env:SMTPD_USERS|entry 3: password: must not be empty\n");
}
END_TEST

START_TEST(env_mynetworks_commas_and_spaces)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "MYNETWORKS=10.0.0.0/8 127.0.0.0/8,  ::1/128 , [fd00::]/8", NULL},
	     "");
	ck_assert_uint_eq(val(PRC_S_MYNETWORKS)->nitems, 4);
	item_is(PRC_S_MYNETWORKS, 2, "[::1]/128", NULL, NULL);
	item_is(PRC_S_MYNETWORKS, 3, "[fd00::]/8", NULL, NULL);
	load((const char *[]){"MAILNAME=m.example.com", "MYNETWORKS=10.0.0.0/8,10.1.2.3/16", NULL},
	     "error|env:MYNETWORKS|entry 2: '10.1.2.3/16': network has host bits set beyond its "
	     "prefix length (e.g. use 10.0.0.0/8, not 10.0.0.1/8)\n");
}
END_TEST

START_TEST(env_mynetworks_text_kept_as_written)
{
	/* the seed's own test: postconf -h mynetworks prints exactly what was set */
	load((const char *[]){"MAILNAME=m.example.com", "MYNETWORKS=10.0.0.0/8 127.0.0.0/8", NULL},
	     "");
	ck_assert_str_eq(val(PRC_S_MYNETWORKS)->str, "10.0.0.0/8 127.0.0.0/8");
	item_is(PRC_S_MYNETWORKS, 0, "10.0.0.0/8", NULL, NULL);
	item_is(PRC_S_MYNETWORKS, 1, "127.0.0.0/8", NULL, NULL);
	/* separators and spelling stay; only IPv6 without brackets gets them, in place */
	load((const char *[]){"MAILNAME=m.example.com",
	                      "MYNETWORKS= 10.0.0.0/8,  192.0.2.1 ,,fd00::/8 [2001:DB8::]/32 ::1 ",
	                      NULL},
	     "");
	ck_assert_str_eq(val(PRC_S_MYNETWORKS)->str,
	                 "10.0.0.0/8,  192.0.2.1 ,,[fd00::]/8 [2001:DB8::]/32 [::1]");
	ck_assert_uint_eq(val(PRC_S_MYNETWORKS)->nitems, 5);
	item_is(PRC_S_MYNETWORKS, 1, "192.0.2.1/32", NULL, NULL);
	item_is(PRC_S_MYNETWORKS, 2, "[fd00::]/8", NULL, NULL);
	item_is(PRC_S_MYNETWORKS, 3, "[2001:db8::]/32", NULL, NULL);
	item_is(PRC_S_MYNETWORKS, 4, "[::1]/128", NULL, NULL);
	/* the default is written the same way */
	load((const char *[]){"MAILNAME=m.example.com", NULL}, "");
	ck_assert_str_eq(val(PRC_S_MYNETWORKS)->str, prc_settings[PRC_S_MYNETWORKS].def);
}
END_TEST

START_TEST(env_scalar_errors_name_the_variable)
{
	load((const char *[]){"MAILNAME=bad_host!", "SIZELIMIT=lots", "USE_TLS=maybe",
	                      "INET_PROTOCOLS=IPv5", "SMTP_DESTINATION_CONCURRENCY_LIMIT=0",
	                      "SMTP_DESTINATION_RATE_DELAY=5x", "RELAYHOST=[a.example]:99999",
	                      "BOUNCE_ADDRESS=nobody", "TLS_CRT=cert.pem", "TZ=../../etc/passwd",
	                      NULL},
	     "error|env:MAILNAME|'bad_host!': host name may only contain letters, digits, '-' and "
	     "'.'\n"
	     "error|env:INET_PROTOCOLS|'ipv5' is not one of: all, ipv4, ipv6\n"
	     "error|env:TZ|'../../etc/passwd': expected a time zone name like UTC or "
	     "Europe/Berlin\n"
	     "error|env:SIZELIMIT|'lots': expected a size in bytes, optionally with a k, M or G "
	     "suffix\n"
	     "error|env:BOUNCE_ADDRESS|'nobody': expected an address like user@example.com\n"
	     "error|env:SMTP_DESTINATION_CONCURRENCY_LIMIT|'0' is out of range (expected 1 to "
	     "1000)\n"
	     "error|env:SMTP_DESTINATION_RATE_DELAY|'5x': expected a time like 30, 30s, 5m, 2h, "
	     "1d or 1w\n"
	     "error|env:RELAYHOST|'[a.example]:99999': port must be a number from 1 to 65535\n"
	     "error|env:USE_TLS|'maybe': expected yes, no, true or false\n"
	     "error|env:TLS_CRT|'cert.pem': expected an absolute path (starting with '/')\n");
}
END_TEST

START_TEST(env_control_characters_are_rejected_everywhere)
{
	load((const char *[]){"MAILNAME=m.example.com\nmynetworks = 0.0.0.0/0",
	                      "SMTPD_USERS=u:p\rx", "POSTCONF=a=b\nc=d",
	                      "POSTFIX_smtpd_banner=x\ty", NULL},
	     "error|env:MAILNAME|value contains a control character (newline, tab, ...), which is "
	     "not allowed\n"
	     "error|env:SMTPD_USERS|value contains a control character (newline, tab, ...), which "
	     "is not allowed\n"
	     "error|env:POSTCONF|value contains a control character (newline, tab, ...), which is "
	     "not allowed\n"
	     "error|env:POSTFIX_smtpd_banner|value contains a control character (newline, tab, "
	     "...), which is not allowed\n");
}
END_TEST

START_TEST(env_empty_value_means_default)
{
	load((const char *[]){"MAILNAME=m.example.com", "SIZELIMIT=", "TLS_CA=", "USE_TLS=", NULL},
	     "");
	ck_assert_str_eq(val(PRC_S_SIZELIMIT)->str, "15728640");
	ck_assert(!val(PRC_S_SIZELIMIT)->explicit);
	ck_assert(!val(PRC_S_TLS_CA)->set);
	ck_assert(val(PRC_S_USE_TLS)->b);
}
END_TEST

START_TEST(env_booleans_and_sizes_normalize)
{
	load((const char *[]){"MAILNAME=m.example.com", "HEADER_CHECKS=TRUE", "USE_TLS=No",
	                      "SIZELIMIT=10M", "CLIENT_TLS_SECURITY_LEVEL=none",
	                      "TLS_SECURITY_LEVEL=NONE", NULL},
	     "");
	ck_assert(val(PRC_S_HEADER_CHECKS)->b);
	ck_assert_str_eq(val(PRC_S_HEADER_CHECKS)->str, "yes");
	ck_assert(!val(PRC_S_USE_TLS)->b);
	ck_assert_str_eq(val(PRC_S_SIZELIMIT)->str, "10485760");
	ck_assert_str_eq(val(PRC_S_TLS_SECURITY_LEVEL)->str, "none");
}
END_TEST

START_TEST(env_postconf_semicolons_and_escape)
{
	load(
	    (const char *[]){
	        "MAILNAME=m.example.com",
	        "POSTCONF=masquerade_domains=foo.example.com example.com;"
	        "masquerade_exceptions=root,mailer-daemon; smtpd_banner = hi\\; there ;",
	        NULL},
	    "");
	item_is(PRC_S_POSTCONF, 0, "masquerade_domains", "foo.example.com example.com", NULL);
	item_is(PRC_S_POSTCONF, 1, "masquerade_exceptions", "root,mailer-daemon", NULL);
	item_is(PRC_S_POSTCONF, 2, "smtpd_banner", "hi; there", NULL);
	ck_assert_uint_eq(val(PRC_S_POSTCONF)->nitems, 3);
	load((const char *[]){"MAILNAME=m.example.com", "POSTCONF=novalue;9bad=1;a-b=2", NULL},
	     "error|env:POSTCONF|entry 1: expected name=value\n"
	     "error|env:POSTCONF|entry 2: '9bad' is not a Postfix parameter name (letters, digits "
	     "and '_', starting with a letter)\n"
	     "error|env:POSTCONF|entry 3: 'a-b' is not a Postfix parameter name (letters, digits "
	     "and '_', starting with a letter)\n");
}
END_TEST

START_TEST(env_postfix_prefix_passthrough_wins_over_postconf)
{
	load((const char *[]){"MAILNAME=m.example.com", "POSTCONF=smtp_helo_timeout=10s",
	                      "POSTFIX_smtp_helo_timeout=60s", "POSTFIX_smtp_tls_CApath=/x",
	                      "POSTFIX_EXPORTER_ENABLED=true", "POSTFIX_ADD_MISSING_HEADERS=yes",
	                      "POSTFIX_SOMETHING=1", NULL},
	     "warning|env:POSTFIX_SOMETHING|not a postrelay setting; POSTFIX_<parameter> "
	     "passthrough takes a lower-case Postfix parameter name\n");
	ck_assert_uint_eq(val(PRC_S_POSTCONF)->nitems, 2);
	item_is(PRC_S_POSTCONF, 0, "smtp_helo_timeout", "60s", NULL);
	ck_assert_str_eq(val(PRC_S_POSTCONF)->items[0].origin, "env:POSTFIX_smtp_helo_timeout");
	item_is(PRC_S_POSTCONF, 1, "smtp_tls_CApath", "/x", NULL);
	ck_assert(val(PRC_S_POSTFIX_EXPORTER_ENABLED)->b);
	ck_assert(val(PRC_S_POSTFIX_ADD_MISSING_HEADERS)->b);
}
END_TEST

static char tmpdir[] = "/tmp/prc-env-XXXXXX";

static char *write_tmp(const char *name, const char *content, mode_t mode)
{
	char *path = prc_asprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

START_TEST(env_file_variants_read_secrets)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char *users = write_tmp("users", "alice:pa\\,ss:x\nbob:secret\n\n", 0600);
	char *map = write_tmp("map", "[h.example]:587:u:p:w\n", 0600);
	char *e1 = prc_asprintf("SMTPD_USERS_FILE=%s", users);
	char *e2 = prc_asprintf("RELAYHOST_PASSWORDMAP_FILE=%s", map);
	load((const char *[]){"MAILNAME=m.example.com", e1, e2, "RELAYHOST=[h.example]:587",
	                      "RELAYHOST_AUTH=yes", NULL},
	     "");
	/* lines are entries; escapes work as in the variable itself */
	ck_assert_uint_eq(val(PRC_S_SMTPD_USERS)->nitems, 2);
	item_is(PRC_S_SMTPD_USERS, 0, "alice", "pa,ss:x", NULL);
	item_is(PRC_S_SMTPD_USERS, 1, "bob", "secret", NULL);
	item_is(PRC_S_RELAYHOST_PASSWORDMAP, 0, "[h.example]:587", "u", "p:w");
	ck_assert_str_eq(val(PRC_S_SMTPD_USERS)->origin, "env:SMTPD_USERS_FILE");
	free(e1);
	free(e2);
	free(users);
	free(map);
}
END_TEST

START_TEST(env_file_missing_and_conflicting)
{
	load((const char *[]){"MAILNAME=m.example.com", "SMTPD_USERS_FILE=/nonexistent/users",
	                      "RELAYHOST_PASSWORDMAP=u:p",
	                      "RELAYHOST_PASSWORDMAP_FILE=/etc/hostname", "SMTPD_USERS_FILE_x=1",
	                      NULL},
	     "error|env:RELAYHOST_PASSWORDMAP|set either RELAYHOST_PASSWORDMAP or "
	     "RELAYHOST_PASSWORDMAP_FILE, not both\n"
	     "error|env:SMTPD_USERS_FILE|cannot read /nonexistent/users: No such file or "
	     "directory\n"
	     "warning|env:SMTPD_USERS_FILE_x|ignored: not a postrelay setting (see 'postrelaycfg "
	     "settings')\n");
	load((const char *[]){"MAILNAME=m.example.com", "SMTPD_USERS_FILE=/tmp", NULL},
	     "error|env:SMTPD_USERS_FILE|/tmp: not a regular file\n");
}
END_TEST

START_TEST(env_last_duplicate_variable_wins)
{
	load((const char *[]){"MAILNAME=a.example.com", "MAILNAME=b.example.com", NULL}, "");
	ck_assert_str_eq(val(PRC_S_MAILNAME)->str, "b.example.com");
}
END_TEST

START_TEST(env_env_file_format)
{
	if (tmpdir[strlen(tmpdir) - 1] == 'X')
		ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	char *path = write_tmp(
	    "relay.env", "# comment\n\nMAILNAME=mail.example.com\r\n  SIZELIMIT=1k\nnot a var\n",
	    0644);
	struct prc_config *c;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&c), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env_file(c, path, d), PRC_ERR_INVALID);
	char *text = diags_text(d);
	char *expect = prc_asprintf("error|%s:5|expected NAME=value\n", path);
	ck_assert_str_eq(text, expect);
	ck_assert_str_eq(c->v[PRC_S_MAILNAME].str, "mail.example.com");
	ck_assert_str_eq(c->v[PRC_S_SIZELIMIT].str, "1024");
	free(expect);
	free(text);
	free(path);
	prc_diags_free(d);
	prc_config_free(c);
}
END_TEST

START_TEST(env_dkim_keys_per_domain)
{
	load((const char *[]){"MAILNAME=m.example.com",
	                      "DKIM_KEYS=a.example=s1:/k/a.key, b.example=s2:/k/b.key", NULL},
	     "warning|env:DKIM_KEYS|DKIM domains are given but USE_DKIM is not yes: mail is not "
	     "signed\n");
	item_is(PRC_S_DKIM_KEYS, 1, "b.example", "s2", "/k/b.key");
	load((const char *[]){"MAILNAME=m.example.com", "USE_DKIM=yes",
	                      "DKIM_KEYS=a.example,b.example=s2:k", NULL},
	     "error|env:DKIM_KEYS|entry 1: expected domain=selector:/path/to/key\n"
	     "error|env:DKIM_KEYS|entry 2: key 'k': expected an absolute path (starting with "
	     "'/')\n");
}
END_TEST

START_TEST(env_unknown_variables_in_our_families_warn)
{
	load((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_PASWORDMAP=x",
	                      "DKIM_SELECTORS=a", "TLS_KEY_FILE=/k", "HOME=/root", "PATH=/bin",
	                      "_=/usr/bin/env", "TS=1", "MAIL_NAME=x", NULL},
	     "warning|env:RELAYHOST_PASWORDMAP|ignored: not a postrelay setting; did you mean "
	     "RELAYHOST_PASSWORDMAP?\n"
	     "warning|env:DKIM_SELECTORS|ignored: not a postrelay setting; did you mean "
	     "DKIM_SELECTOR?\n"
	     "warning|env:TLS_KEY_FILE|ignored: only secret settings (RELAYHOST_PASSWORDMAP, "
	     "SMTPD_USERS) have a _FILE form\n"
	     "warning|env:MAIL_NAME|ignored: not a postrelay setting; did you mean MAILNAME?\n");
}
END_TEST

START_TEST(env_edit_distance)
{
	ck_assert_uint_eq(prc_edit_distance("kitten", "sitting", 10), 3);
	ck_assert_uint_eq(prc_edit_distance("same", "same", 10), 0);
	ck_assert_uint_eq(prc_edit_distance("", "abc", 10), 3);
	ck_assert_uint_eq(prc_edit_distance("abcdef", "zzzzzz", 3), 3);
	/* a swap of neighbours is one typo, for env names and YAML keys alike */
	ck_assert_uint_eq(prc_edit_distance("MAILANME", "MAILNAME", 10), 1);
	ck_assert_uint_eq(prc_edit_distance("ab", "ba", 10), 1);
}
END_TEST

static Suite *source_env_suite(void)
{
	Suite *s = suite_create("source-env");
	TCase *tc = tcase_create("source-env");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, env_defaults_match_the_seed);
	tcase_add_test(tc, env_passwordmap_all_seed_forms);
	tcase_add_test(tc, env_passwordmap_colon_and_comma_in_password);
	tcase_add_test(tc, env_passwordmap_ipv6_host_in_brackets);
	tcase_add_test(tc, env_passwordmap_malformed_entries);
	tcase_add_test(tc, env_passwordmap_host_without_credentials);
	tcase_add_test(tc, env_relayhost_map_forms);
	tcase_add_test(tc, env_smtpd_users_password_is_everything_after_first_colon);
	tcase_add_test(tc, env_mynetworks_commas_and_spaces);
	tcase_add_test(tc, env_mynetworks_text_kept_as_written);
	tcase_add_test(tc, env_scalar_errors_name_the_variable);
	tcase_add_test(tc, env_control_characters_are_rejected_everywhere);
	tcase_add_test(tc, env_empty_value_means_default);
	tcase_add_test(tc, env_booleans_and_sizes_normalize);
	tcase_add_test(tc, env_postconf_semicolons_and_escape);
	tcase_add_test(tc, env_postfix_prefix_passthrough_wins_over_postconf);
	tcase_add_test(tc, env_file_variants_read_secrets);
	tcase_add_test(tc, env_file_missing_and_conflicting);
	tcase_add_test(tc, env_last_duplicate_variable_wins);
	tcase_add_test(tc, env_env_file_format);
	tcase_add_test(tc, env_dkim_keys_per_domain);
	tcase_add_test(tc, env_unknown_variables_in_our_families_warn);
	tcase_add_test(tc, env_edit_distance);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(source_env_suite)
