/* Whole-model validation: every rule, every problem reported at once. */
#include "internal.h"
#include "test-common.h"

/* Validate @envp and compare the diagnostics and the status. */
static void expect(const char *const *envp, int rc_want, const char *text_want)
{
	int rc;
	char *text = load_env(envp, NULL, &rc);
	ck_assert_str_eq(text, text_want);
	ck_assert_int_eq(rc, rc_want);
	free(text);
}

START_TEST(validate_mailname_required)
{
	expect((const char *[]){NULL}, PRC_ERR_INVALID,
	       "error|env:MAILNAME|MAILNAME is required: set it to this relay's fully qualified "
	       "host name, e.g. mail.example.com\n");
}
END_TEST

START_TEST(validate_unqualified_mailname_warns)
{
	expect((const char *[]){"MAILNAME=relay", NULL}, PRC_OK,
	       "warning|env:MAILNAME|'relay' is not a fully qualified host name; receivers may "
	       "reject HELO relay\n");
}
END_TEST

START_TEST(validate_open_relay_networks_rejected)
{
	expect((const char *[]){"MAILNAME=m.example.com", "MYNETWORKS=10.0.0.0/8,0.0.0.0/0,::/0",
	                        NULL},
	       PRC_ERR_INVALID,
	       "error|env:MYNETWORKS|entry 2: 0.0.0.0/0 lets every address on the Internet relay "
	       "(an open relay); list your clients' networks instead\n"
	       "error|env:MYNETWORKS|entry 3: [::]/0 lets every address on the Internet relay (an "
	       "open relay); list your clients' networks instead\n");
}
END_TEST

START_TEST(validate_relayhost_auth_needs_relayhost_and_credential)
{
	expect((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes", NULL},
	       PRC_ERR_INVALID, "error|env:RELAYHOST_AUTH|RELAYHOST_AUTH=yes needs RELAYHOST\n");
	expect(
	    (const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                     "RELAYHOST=[smtp.example.net]:587",
	                     "RELAYHOST_PASSWORDMAP=[other.example]:587:u:p", NULL},
	    PRC_ERR_INVALID,
	    "error|env:RELAYHOST_AUTH|RELAYHOST_AUTH=yes but RELAYHOST_PASSWORDMAP has no "
	    "credential for [smtp.example.net]:587 (add [smtp.example.net]:587:user:password)\n");
}
END_TEST

START_TEST(validate_credential_matches_relayhost_name_or_default)
{
	/* Postfix also looks the remote host name up, so "host:user:pass" counts */
	expect((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                        "RELAYHOST=[smtp.example.net]:587",
	                        "RELAYHOST_PASSWORDMAP=smtp.example.net:u:p", NULL},
	       PRC_OK, "");
	expect((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                        "RELAYHOST=[smtp.example.net]:587", "RELAYHOST_PASSWORDMAP=u:p",
	                        NULL},
	       PRC_OK, "");
}
END_TEST

START_TEST(validate_credentials_fit_in_sasl_passwd)
{
	expect(
	    (const char *[]){
	        "MAILNAME=m.example.com", "RELAYHOST=[r.example]:587", "RELAYHOST_AUTH=yes",
	        "RELAYHOST_PASSWORDMAP=[r.example]:587:us\\:er:p,a.example:u:\\ pw\\ ", NULL},
	    PRC_ERR_INVALID,
	    "error|env:RELAYHOST_PASSWORDMAP|entry 1: user name 'us:er' cannot contain ':' or "
	    "blanks\n"
	    "error|env:RELAYHOST_PASSWORDMAP|entry 2: a password cannot start or end with a "
	    "blank\n");
}
END_TEST

START_TEST(validate_default_credential_needs_relayhost)
{
	expect((const char *[]){"MAILNAME=m.example.com", "SENDER_DEPENDENT_RELAYHOST_AUTH=yes",
	                        "RELAYHOST_MAP=@a.example:[r.example]:587",
	                        "RELAYHOST_PASSWORDMAP=[r.example]:587:u:p,user3:pass3", NULL},
	       PRC_ERR_INVALID,
	       "error|env:RELAYHOST_PASSWORDMAP|entry 2: a credential without a host applies to "
	       "RELAYHOST, which is not set\n");
}
END_TEST

START_TEST(validate_sender_auth_needs_credential_per_relay)
{
	expect(
	    (const char *[]){
	        "MAILNAME=m.example.com", "SENDER_DEPENDENT_RELAYHOST_AUTH=yes",
	        "RELAYHOST_MAP=@a.example:[r1.example]:587,@b.example:[r2.example]:587",
	        "RELAYHOST_PASSWORDMAP=[r1.example]:587:u:p", NULL},
	    PRC_ERR_INVALID,
	    "error|env:RELAYHOST_MAP|entry 2: SENDER_DEPENDENT_RELAYHOST_AUTH=yes but "
	    "RELAYHOST_PASSWORDMAP has no credential for [r2.example]:587\n");
	expect(
	    (const char *[]){"MAILNAME=m.example.com", "SENDER_DEPENDENT_RELAYHOST_AUTH=yes", NULL},
	    PRC_OK,
	    "warning|env:SENDER_DEPENDENT_RELAYHOST_AUTH|SENDER_DEPENDENT_RELAYHOST_AUTH=yes has "
	    "no effect without RELAYHOST_MAP\n");
}
END_TEST

START_TEST(validate_duplicate_map_keys)
{
	expect((const char *[]){"MAILNAME=m.example.com",
	                        "RELAYHOST_MAP=@a.example:r1.example,@a.example:r2.example",
	                        "SMTPD_USERS=bob:1,alice:2,bob:3", NULL},
	       PRC_ERR_INVALID,
	       "error|env:RELAYHOST_MAP|entry 2: sender '@a.example' is already given by entry 1\n"
	       "error|env:SMTPD_USERS|entry 3: user 'bob' is already given by entry 1\n");
}
END_TEST

START_TEST(validate_duplicates_name_first_entry_in_entry_order)
{
	/* duplicates are found by sorting; the report still follows entry order and
	 * names the first entry of each key */
	expect(
	    (const char *[]){"MAILNAME=m.example.com", "SMTPD_USERS=c:1,b:2,c:3,a:4,b:5,c:6", NULL},
	    PRC_ERR_INVALID,
	    "error|env:SMTPD_USERS|entry 3: user 'c' is already given by entry 1\n"
	    "error|env:SMTPD_USERS|entry 5: user 'b' is already given by entry 2\n"
	    "error|env:SMTPD_USERS|entry 6: user 'c' is already given by entry 1\n");
}
END_TEST

START_TEST(validate_many_sender_relays_with_credentials)
{
	/* 20 000 entries each way: quadratic checks would take seconds here */
	enum { N = 20000 };
	struct prc_buf creds = {0}, map = {0};
	prc_buf_puts(&creds, "RELAYHOST_PASSWORDMAP=");
	prc_buf_puts(&map, "RELAYHOST_MAP=");
	for (int i = 0; i < N; i++) {
		prc_buf_printf(&creds, "%s[r%d.example]:587:u%d:p%d", i ? "," : "", i, i, i);
		prc_buf_printf(&map, "%s@s%d.example:[r%d.example]:587", i ? "," : "", i,
		               N - 1 - i);
	}
	prc_buf_puts(&map, ",@late.example:[nocred.example]:587");
	char *c = prc_buf_take(&creds), *m = prc_buf_take(&map);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(m);
	expect((const char *[]){"MAILNAME=m.example.com", "SENDER_DEPENDENT_RELAYHOST_AUTH=yes", c,
	                        m, NULL},
	       PRC_ERR_INVALID,
	       "error|env:RELAYHOST_MAP|entry 20001: SENDER_DEPENDENT_RELAYHOST_AUTH=yes but "
	       "RELAYHOST_PASSWORDMAP has no credential for [nocred.example]:587\n");
	free(c);
	free(m);
}
END_TEST

START_TEST(validate_smtpd_user_names)
{
	expect((const char *[]){"MAILNAME=m.example.com",
	                        "SMTPD_USERS=ok.user:1,billing@example.com:2,bad user:3,a@b@c:4",
	                        NULL},
	       PRC_ERR_INVALID,
	       "error|env:SMTPD_USERS|entry 3: user name 'bad user' may only contain letters, "
	       "digits and . _ % + -, optionally followed by @domain\n"
	       "error|env:SMTPD_USERS|entry 4: user name 'a@b@c' may only contain letters, digits "
	       "and . _ % + -, optionally followed by @domain\n");
}
END_TEST

START_TEST(validate_tls_levels_need_tls)
{
	expect(
	    (const char *[]){"MAILNAME=m.example.com", "USE_TLS=no", "TLS_SECURITY_LEVEL=encrypt",
	                     "CLIENT_TLS_SECURITY_LEVEL=verify", NULL},
	    PRC_ERR_INVALID,
	    "error|env:TLS_SECURITY_LEVEL|TLS_SECURITY_LEVEL=encrypt needs TLS, but USE_TLS=no "
	    "(env:USE_TLS)\n"
	    "error|env:CLIENT_TLS_SECURITY_LEVEL|CLIENT_TLS_SECURITY_LEVEL=verify needs TLS, but "
	    "USE_TLS=no (env:USE_TLS)\n");
	/* "may" with USE_TLS=no is harmless: TLS is simply off */
	expect((const char *[]){"MAILNAME=m.example.com", "USE_TLS=no", "TLS_SECURITY_LEVEL=may",
	                        NULL},
	       PRC_OK, "");
}
END_TEST

START_TEST(validate_relay_auth_tls_interaction_is_explicit)
{
	struct prc_config *cfg;
	int rc;
	char *text = load_env((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                                       "RELAYHOST=[r.example]:587",
	                                       "RELAYHOST_PASSWORDMAP=u:p", NULL},
	                      &cfg, &rc);
	ck_assert_str_eq(text, "");
	/* the seed's forced encrypt survives only as the default */
	ck_assert_str_eq(prc_client_tls_level(cfg), "encrypt");
	free(text);
	prc_config_free(cfg);

	text = load_env((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                                 "RELAYHOST=[r.example]:587", "RELAYHOST_PASSWORDMAP=u:p",
	                                 "CLIENT_TLS_SECURITY_LEVEL=may", NULL},
	                &cfg, &rc);
	ck_assert_str_eq(text,
	                 "warning|env:CLIENT_TLS_SECURITY_LEVEL|CLIENT_TLS_SECURITY_LEVEL=may with "
	                 "RELAYHOST_AUTH=yes: credentials are sent unencrypted when the relay host "
	                 "offers no STARTTLS (the default would be encrypt)\n");
	ck_assert_str_eq(prc_client_tls_level(cfg), "may");
	free(text);
	prc_config_free(cfg);

	/* USE_TLS=no is honoured (the seed overrode it), with a warning */
	text = load_env((const char *[]){"MAILNAME=m.example.com", "RELAYHOST_AUTH=yes",
	                                 "RELAYHOST=[r.example]:587", "RELAYHOST_PASSWORDMAP=u:p",
	                                 "USE_TLS=no", NULL},
	                &cfg, &rc);
	ck_assert_str_eq(text, "warning|env:USE_TLS|USE_TLS=no: relay credentials will be sent "
	                       "to the relay host unencrypted\n");
	ck_assert_str_eq(prc_client_tls_level(cfg), "none");
	ck_assert_str_eq(prc_server_tls_level(cfg), "none");
	free(text);
	prc_config_free(cfg);
}
END_TEST

START_TEST(validate_unused_credentials_warn)
{
	expect((const char *[]){"MAILNAME=m.example.com", "RELAYHOST=[r.example]:587",
	                        "RELAYHOST_PASSWORDMAP=u:p", NULL},
	       PRC_OK,
	       "warning|env:RELAYHOST_PASSWORDMAP|credentials are given but not used: set "
	       "RELAYHOST_AUTH=yes (or SENDER_DEPENDENT_RELAYHOST_AUTH=yes)\n");
}
END_TEST

START_TEST(validate_smtpd_users_without_tls_warn)
{
	expect((const char *[]){"MAILNAME=m.example.com", "SMTPD_USERS=u:p", "USE_TLS=no", NULL},
	       PRC_OK,
	       "warning|env:USE_TLS|USE_TLS=no: SMTPD_USERS passwords will be accepted "
	       "unencrypted\n");
}
END_TEST

START_TEST(validate_dkim_domains_once)
{
	expect((const char *[]){"MAILNAME=m.example.com", "USE_DKIM=yes",
	                        "DKIM_DOMAINS=a.example,b.example,a.example",
	                        "DKIM_KEYS=b.example=s:/k/b.key", NULL},
	       PRC_ERR_INVALID,
	       "error|env:DKIM_DOMAINS|entry 3: domain 'a.example' is already given by entry 1\n"
	       "error|env:DKIM_KEYS|entry 1: domain 'b.example' is also in DKIM_DOMAINS; give "
	       "each domain one key\n");
}
END_TEST

START_TEST(validate_postconf_duplicates_and_overrides)
{
	expect((const char *[]){"MAILNAME=m.example.com", "POSTCONF=a_b=1;a_b=2", NULL},
	       PRC_ERR_INVALID,
	       "error|env:POSTCONF|entry 2: parameter 'a_b' is already set by entry 1\n");
	expect((const char *[]){"MAILNAME=m.example.com", "POSTCONF=relayhost=[x.example]", NULL},
	       PRC_OK,
	       "warning|env:POSTCONF|parameter relayhost overrides the value postrelay derives "
	       "from RELAYHOST\n");
}
END_TEST

START_TEST(validate_exporter_needs_stdout_log)
{
	expect((const char *[]){"MAILNAME=m.example.com", "POSTFIX_EXPORTER_ENABLED=true",
	                        "LOGOUTPUT=/var/log/mail.log", NULL},
	       PRC_OK,
	       "warning|env:POSTFIX_EXPORTER_ENABLED|the exporter reads the log from stdout, but "
	       "LOGOUTPUT is /var/log/mail.log: it will count nothing\n");
}
END_TEST

START_TEST(validate_reports_every_problem_at_once)
{
	int rc;
	char *text = load_env((const char *[]){"MYNETWORKS=0.0.0.0/0", "RELAYHOST_AUTH=yes",
	                                       "SMTPD_USERS=a:1,a:2", "USE_TLS=no",
	                                       "TLS_SECURITY_LEVEL=encrypt", NULL},
	                      NULL, &rc);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	/* MAILNAME, open relay, auth without relayhost, duplicate user, TLS conflict,
	 * plus the two plaintext warnings (relay credentials, SMTPD_USERS) */
	ck_assert_uint_eq(lines, 7);
	free(text);
}
END_TEST

SUITE_BEGIN(validate)
ADD(validate_mailname_required)
ADD(validate_unqualified_mailname_warns)
ADD(validate_open_relay_networks_rejected)
ADD(validate_relayhost_auth_needs_relayhost_and_credential)
ADD(validate_credential_matches_relayhost_name_or_default)
ADD(validate_credentials_fit_in_sasl_passwd)
ADD(validate_default_credential_needs_relayhost)
ADD(validate_sender_auth_needs_credential_per_relay)
ADD(validate_duplicate_map_keys)
ADD(validate_duplicates_name_first_entry_in_entry_order)
ADD(validate_many_sender_relays_with_credentials)
ADD(validate_smtpd_user_names)
ADD(validate_tls_levels_need_tls)
ADD(validate_relay_auth_tls_interaction_is_explicit)
ADD(validate_unused_credentials_warn)
ADD(validate_smtpd_users_without_tls_warn)
ADD(validate_dkim_domains_once)
ADD(validate_postconf_duplicates_and_overrides)
ADD(validate_exporter_needs_stdout_log)
ADD(validate_reports_every_problem_at_once)
SUITE_END

TEST_MAIN(validate_suite)
