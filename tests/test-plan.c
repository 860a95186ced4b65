/* The plan: what the library decided, read through its public accessors. */
#include "test-common.h"

/* Load @envp (valid) and plan it; the config is kept in *cfg. */
static struct prc_plan *plan_env(const char *const *envp, struct prc_config **cfg)
{
	struct prc_plan *p = NULL;
	char *text = load_env(envp, cfg, NULL);
	ck_assert_str_eq(text, "");
	free(text);
	ck_assert_int_eq(prc_plan_new(&p, *cfg, NULL), 0);
	return p;
}

START_TEST(plan_param_value_and_origin)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "SIZELIMIT=10M", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *origin;
	ck_assert_str_eq(prc_plan_param(p, "message_size_limit", &origin), "10485760");
	ck_assert_str_eq(origin, "env:SIZELIMIT");
	ck_assert_str_eq(prc_plan_param(p, "myhostname", &origin), "mail.example.com");
	ck_assert_str_eq(origin, "env:MAILNAME");
	ck_assert_str_eq(prc_plan_param(p, "smtpd_helo_required", &origin), "yes");
	ck_assert_str_eq(origin, "postrelay");
	ck_assert_str_eq(prc_plan_param(p, "smtpd_tls_security_level", &origin), "may");
	ck_assert_str_eq(origin, "default");
	ck_assert_ptr_null(prc_plan_param(p, "no_such_parameter", &origin));
	ck_assert_ptr_null(origin);
	/* in main.cf's order */
	ck_assert_str_eq(prc_plan_param_name(p, 0), "compatibility_level");
	ck_assert_ptr_null(prc_plan_param_name(p, prc_plan_param_count(p)));
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_passthrough_replaces_in_place_with_its_origin)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "POSTFIX_message_size_limit=2000",
	                      "POSTFIX_smtpd_banner= $myhostname ESMTP ", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = NULL;
	char *text = load_env(envp, &cfg, NULL);
	ck_assert_int_eq(prc_plan_new(&p, cfg, NULL), 0);
	free(text);
	const char *origin;
	ck_assert_str_eq(prc_plan_param(p, "message_size_limit", &origin), "2000");
	ck_assert_str_eq(origin, "env:POSTFIX_message_size_limit");
	size_t n = 0;
	for (size_t i = 0; i < prc_plan_param_count(p); i++)
		n += !strcmp(prc_plan_param_name(p, i), "message_size_limit");
	ck_assert_uint_eq(n, 1);
	/* main.cf drops the blanks around a value; the plan holds what Postfix reads */
	ck_assert_str_eq(prc_plan_param(p, "smtpd_banner", NULL), "$myhostname ESMTP");
	char *main_cf = emit_text(cfg, PRC_FILE_MAIN_CF);
	ck_assert_ptr_nonnull(strstr(main_cf, "\nsmtpd_banner = $myhostname ESMTP\n"));
	ck_assert_ptr_null(strstr(main_cf, "{"));
	free(main_cf);
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_yaml_value_with_blanks_is_not_brace_quoted)
{
	static const char yaml[] = "mailname: m.example.com\n"
	                           "postfix:\n"
	                           "  parameters:\n"
	                           "    smtpd_banner: \" $myhostname ESMTP \"\n";
	struct prc_config *cfg;
	struct prc_diags *d;
	struct prc_plan *p = NULL;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_yaml_buffer(cfg, "q.yaml", yaml, sizeof(yaml) - 1, d), 0);
	ck_assert_int_eq(prc_plan_new(&p, cfg, d), 0);
	char *text = diags_text(d);
	ck_assert_str_eq(text, "warning|q.yaml:4:5|parameter smtpd_banner: the blanks around the "
	                       "value are dropped (main.cf cannot hold them)\n");
	free(text);
	ck_assert_str_eq(prc_plan_param(p, "smtpd_banner", NULL), "$myhostname ESMTP");
	char *main_cf = emit_text(cfg, PRC_FILE_MAIN_CF);
	ck_assert_ptr_nonnull(strstr(main_cf, "\nsmtpd_banner = $myhostname ESMTP\n"));
	free(main_cf);
	prc_plan_free(p);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_table_keys_are_folded)
{
	const char *envp[] = {"MAILNAME=mail.example.com",
	                      "RELAYHOST=[Relay.Example.COM]:587",
	                      "RELAYHOST_AUTH=yes",
	                      "RELAYHOST_PASSWORDMAP=[relay.example.com]:587:User:Pass",
	                      "RELAYHOST_MAP=Bob@Example.ORG:[Other.Example]:25",
	                      NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *type, *key, *value, *origin;
	ck_assert(prc_plan_table(p, PRC_FILE_SASL_PASSWD, &type));
	ck_assert_str_eq(type, "hash");
	ck_assert_uint_eq(prc_plan_table_count(p, PRC_FILE_SASL_PASSWD), 1);
	ck_assert_int_eq(prc_plan_table_entry(p, PRC_FILE_SASL_PASSWD, 0, &key, &value, &origin),
	                 0);
	ck_assert_str_eq(key, "[relay.example.com]:587");
	ck_assert_str_eq(value, "User:Pass");
	ck_assert_str_eq(origin, "env:RELAYHOST_PASSWORDMAP");
	ck_assert_int_eq(prc_plan_table_entry(p, PRC_FILE_SENDER_RELAY, 0, &key, &value, NULL), 0);
	ck_assert_str_eq(key, "bob@example.org");
	ck_assert_str_eq(value, "[Other.Example]:25"); /* values keep their case */
	ck_assert_int_eq(prc_plan_table_entry(p, PRC_FILE_SENDER_RELAY, 1, NULL, NULL, NULL),
	                 PRC_ERR_ARG);
	ck_assert(prc_plan_table(p, PRC_FILE_HEADER_CHECKS, &type));
	ck_assert_str_eq(type, "regexp");
	ck_assert(!prc_plan_table(p, PRC_FILE_MAIN_CF, NULL));
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_state_locations_and_accounts)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "POSTFIX_mail_owner=mailer",
	                      "POSTFIX_data_directory=${queue_directory}/data", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = NULL;
	char *text = load_env(envp, &cfg, NULL);
	free(text);
	ck_assert_int_eq(prc_config_set_root(cfg, "/srv/relay"), 0);
	ck_assert_int_eq(prc_plan_new(&p, cfg, NULL), 0);
	const char *origin;
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_MAIL_OWNER, &origin), "mailer");
	ck_assert_str_eq(origin, "env:POSTFIX_mail_owner");
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_SETGID_GROUP, &origin), "postdrop");
	ck_assert_str_eq(origin, "postfix default");
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_QUEUE_DIR, NULL),
	                 "/srv/relay/var/spool/postfix");
	/* a $reference is expanded from the plan's own parameters */
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_DATA_DIR, NULL),
	                 "/srv/relay/var/spool/postfix/data");
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_CONFIG_DIR, NULL), "/srv/relay/etc/postfix");
	ck_assert_str_eq(prc_plan_state(p, PRC_STATE_SASLDB, NULL),
	                 "/srv/relay/etc/postfix/sasl/sasldb2");
	ck_assert_str_eq(prc_plan_dir(p, PRC_DIR_OPENDKIM), "/srv/relay/etc/opendkim");
	ck_assert_str_eq(prc_plan_file_path(p, PRC_FILE_KEY_TABLE),
	                 "/srv/relay/etc/opendkim/KeyTable");
	ck_assert_int_eq(prc_plan_file_dir(p, PRC_FILE_KEY_TABLE), PRC_DIR_OPENDKIM);
	ck_assert_uint_eq(prc_plan_file_mode(p, PRC_FILE_MAIN_CF), 0644);
	const char *path;
	enum prc_owner owner;
	bool setgid;
	unsigned mode;
	bool found_maildrop = false;
	for (size_t i = 0; i < prc_plan_state_dir_count(p); i++) {
		ck_assert_int_eq(prc_plan_state_dir(p, i, &path, &owner, &setgid, &mode), 0);
		if (!strcmp(path, "/srv/relay/var/spool/postfix/maildrop")) {
			found_maildrop = true;
			ck_assert_int_eq(owner, PRC_OWNER_MAIL_OWNER);
			ck_assert(setgid);
			ck_assert_uint_eq(mode, 0730);
		}
	}
	ck_assert(found_maildrop);
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_unresolvable_reference_is_an_error)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "POSTFIX_queue_directory=$nowhere/q",
	                      NULL};
	struct prc_config *cfg;
	struct prc_diags *d;
	struct prc_plan *p = NULL;
	char *text = load_env(envp, &cfg, NULL);
	free(text);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_plan_new(&p, cfg, d), PRC_ERR_INVALID);
	ck_assert_ptr_null(p);
	text = diags_text(d);
	ck_assert_str_eq(text, "error|env:POSTFIX_queue_directory|parameter queue_directory: "
	                       "'$nowhere/q' refers to $nowhere, which postrelay cannot resolve; "
	                       "give the value itself\n");
	free(text);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_listeners_milters_and_users)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                      "SMTPD_USERS=alice:pw1,bob@example.org:pw2", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	unsigned ports[3] = {0};
	size_t np = 0;
	for (size_t i = 0; i < prc_plan_service_count(p); i++) {
		unsigned port;
		const char *type;
		ck_assert_int_eq(prc_plan_service(p, i, NULL, &type, NULL, &port), 0);
		if (port) {
			ck_assert_str_eq(type, "inet");
			ck_assert_uint_lt(np, 3);
			ports[np++] = port;
		}
	}
	ck_assert_uint_eq(np, 3);
	ck_assert_uint_eq(ports[0], 25);
	ck_assert_uint_eq(ports[1], 587);
	ck_assert_uint_eq(ports[2], 2525);
	ck_assert_uint_eq(prc_plan_milter_count(p), 1);
	ck_assert_str_eq(prc_plan_milter(p, 0), "inet:127.0.0.1:8891");
	ck_assert_uint_eq(prc_plan_user_count(p), 2);
	const char *user, *realm, *pw;
	prc_plan_user(p, 0, &user, &realm, &pw);
	ck_assert_str_eq(user, "alice");
	ck_assert_str_eq(realm, "mail.example.com");
	ck_assert_str_eq(pw, "pw1");
	prc_plan_user(p, 1, &user, &realm, &pw);
	ck_assert_str_eq(user, "bob");
	ck_assert_str_eq(realm, "example.org");
	ck_assert_int_eq(prc_plan_user(p, 2, NULL, NULL, NULL), PRC_ERR_ARG);
	ck_assert(prc_plan_file_used(p, PRC_FILE_OPENDKIM_CONF));
	ck_assert(!prc_plan_file_used(p, PRC_FILE_SASL_PASSWD));
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_dkim_key_copies)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "USE_DKIM=yes",
	                      "DKIM_KEYS=example.org=s1:/keys/org.key", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	ck_assert_uint_eq(prc_plan_key_copy_count(p), 0);
	prc_plan_free(p);
	ck_assert_int_eq(prc_config_set_dkim_key_copies(cfg, true), 0);
	ck_assert_int_eq(prc_config_set_root(cfg, "/srv"), 0);
	ck_assert_int_eq(prc_plan_new(&p, cfg, NULL), 0);
	ck_assert_uint_eq(prc_plan_key_copy_count(p), 1);
	const char *source, *dest;
	ck_assert_int_eq(prc_plan_key_copy(p, 0, &source, &dest), 0);
	ck_assert_str_eq(source, "/keys/org.key");
	ck_assert_str_eq(dest, "/srv/etc/opendkim/keys/example.org.key");
	ck_assert_int_eq(prc_plan_key_copy(p, 1, NULL, NULL), PRC_ERR_ARG);
	prc_plan_free(p);
	/* without DKIM there is nothing to copy */
	const char *off[] = {"MAILNAME=mail.example.com", "DKIM_KEYS=example.org=s1:/keys/org.key",
	                     NULL};
	struct prc_config *cfg2;
	char *text = load_env(off, &cfg2, NULL);
	free(text);
	ck_assert_int_eq(prc_config_set_dkim_key_copies(cfg2, true), 0);
	ck_assert_int_eq(prc_plan_new(&p, cfg2, NULL), 0);
	ck_assert_uint_eq(prc_plan_key_copy_count(p), 0);
	prc_plan_free(p);
	prc_config_free(cfg2);
	ck_assert_int_eq(prc_plan_new(&p, cfg, NULL), 0);
	char *kt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&kt, &len);
	ck_assert_int_eq(prc_plan_emit(p, PRC_FILE_KEY_TABLE, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(
	    kt,
	    "\ns1._domainkey.example.org example.org:s1:/srv/etc/opendkim/keys/example.org.key\n"));
	free(kt);
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_null_arguments)
{
	ck_assert_int_eq(prc_plan_new(NULL, NULL, NULL), PRC_ERR_ARG);
	prc_plan_free(NULL);
	ck_assert_uint_eq(prc_plan_param_count(NULL), 0);
	ck_assert_ptr_null(prc_plan_param(NULL, "x", NULL));
	ck_assert_ptr_null(prc_plan_state(NULL, PRC_STATE_QUEUE_DIR, NULL));
	ck_assert_int_eq(prc_plan_emit(NULL, PRC_FILE_MAIN_CF, stdout), PRC_ERR_ARG);
}
END_TEST

START_TEST(plan_invalid_configuration_is_not_planned)
{
	const char *envp[] = {"SIZELIMIT=10M", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = NULL;
	char *text = load_env(envp, &cfg, NULL);
	free(text);
	ck_assert_int_eq(prc_plan_new(&p, cfg, NULL), PRC_ERR_INVALID);
	ck_assert_ptr_null(p);
	prc_config_free(cfg);
}
END_TEST

/* Entry @i of table @f as "key value". */
static void assert_entry(struct prc_plan *p, enum prc_file f, size_t i, const char *key,
                         const char *value)
{
	const char *k, *v;
	ck_assert_int_eq(prc_plan_table_entry(p, f, i, &k, &v, NULL), 0);
	ck_assert_str_eq(k, key);
	ck_assert_str_eq(v, value);
}

START_TEST(plan_policy_tables_allow_the_null_sender_and_fold_keys)
{
	const char *envp[] = {"MAILNAME=mail.example.com",
	                      "ALLOWED_SENDER_DOMAINS=Example.COM .example.com",
	                      "ALLOWED_RECIPIENT_DOMAINS=dest.example",
	                      "SMTPD_USERS=alice:pw,bob@example.org:pw",
	                      "SMTPD_SENDER_LOGINS=alice:Alice@example.com|@example.org,"
	                      "bob@example.org:@example.org",
	                      NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *type, *origin;
	ck_assert(prc_plan_table(p, PRC_FILE_SENDER_ACCESS, &type));
	ck_assert_str_eq(type, "hash");
	ck_assert_uint_eq(prc_plan_table_count(p, PRC_FILE_SENDER_ACCESS), 3);
	assert_entry(p, PRC_FILE_SENDER_ACCESS, 0, "<>", "OK");
	assert_entry(p, PRC_FILE_SENDER_ACCESS, 1, "example.com", "OK");
	assert_entry(p, PRC_FILE_SENDER_ACCESS, 2, ".example.com", "OK");
	assert_entry(p, PRC_FILE_RECIPIENT_ACCESS, 0, "dest.example", "OK");
	/* one entry per sender, with every login that owns it (as smtpd names it) */
	ck_assert_uint_eq(prc_plan_table_count(p, PRC_FILE_SENDER_LOGINS), 2);
	assert_entry(p, PRC_FILE_SENDER_LOGINS, 0, "@example.org",
	             "alice@mail.example.com, bob@example.org");
	assert_entry(p, PRC_FILE_SENDER_LOGINS, 1, "alice@example.com", "alice@mail.example.com");
	ck_assert_str_eq(prc_plan_param(p, "smtpd_sender_restrictions", &origin),
	                 "reject_authenticated_sender_login_mismatch, check_sender_access "
	                 "hash:${config_directory}/sender_access, check_sender_access "
	                 "static:{REJECT sender domain not allowed on this relay}");
	ck_assert_str_eq(origin, "env:ALLOWED_SENDER_DOMAINS");
	ck_assert_str_eq(prc_plan_param(p, "smtpd_relay_restrictions", NULL),
	                 "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination");
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_relays_on_465_get_the_implicit_tls_transport)
{
	const char *envp[] = {
	    "MAILNAME=mail.example.com", "RELAYHOST=[smtp.example.net]:465",
	    "RELAYHOST_MAP=@a.example:[a.example.net]:587",
	    "TRANSPORT_MAP=b.example:[b.example.net]:465,c.example:[c.example.net]", NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *name, *command, *origin;
	ck_assert_str_eq(prc_plan_param(p, "default_transport", &origin), "smtps-relay");
	ck_assert_str_eq(origin, "env:RELAYHOST");
	ck_assert_str_eq(prc_plan_param(p, "relayhost", NULL), "[smtp.example.net]:465");
	assert_entry(p, PRC_FILE_TRANSPORT, 0, "b.example", "smtps-relay:[b.example.net]:465");
	assert_entry(p, PRC_FILE_TRANSPORT, 1, "c.example", "smtp:[c.example.net]");
	assert_entry(p, PRC_FILE_SENDER_TRANSPORT, 0, "@a.example", "smtp:[a.example.net]:587");
	size_t n = prc_plan_service_count(p);
	ck_assert_int_eq(prc_plan_service(p, n - 1, &name, NULL, &command, NULL), 0);
	ck_assert_str_eq(name, "smtps-relay");
	ck_assert_str_eq(command, "smtp");
	char *master = emit_text(cfg, PRC_FILE_MASTER_CF);
	ck_assert_ptr_nonnull(strstr(master, "\nsmtps-relay unix -       -       n       -       "
	                                     "-       smtp\n  -o syslog_name=postfix/smtps-relay\n"
	                                     "  -o smtp_tls_wrappermode=yes\n"
	                                     "  -o smtp_tls_security_level=encrypt\n"
	                                     "  -o smtp_fallback_relay=\n"));
	free(master);
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_postmaster_address_gets_postfix_notices)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "POSTMASTER_ADDRESS=pm@example.com",
	                      NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	ck_assert_str_eq(prc_plan_param(p, "notify_classes", NULL),
	                 "2bounce, delay, resource, software");
	ck_assert_str_eq(prc_plan_param(p, "delay_notice_recipient", NULL), "pm@example.com");
	ck_assert_str_eq(prc_plan_param(p, "error_notice_recipient", NULL), "pm@example.com");
	ck_assert_str_eq(prc_plan_param(p, "2bounce_notice_recipient", NULL), "pm@example.com");
	ck_assert_ptr_null(prc_plan_param(p, "bounce_notice_recipient", NULL));
	ck_assert(!prc_plan_file_used(p, PRC_FILE_SENDER_TRANSPORT));
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

/* The XOAUTH2 login's plan: the credential entry (folded key, the initial
 * token), the transport and its mechanism filter, and the refresher's hook. */
START_TEST(plan_xoauth2_entries)
{
	const char *envp[] = {"MAILNAME=mail.example.com",
	                      "RELAYHOST=[SMTP.Office365.com]:587",
	                      "RELAYHOST_USERNAME=relay@example.com",
	                      "XOAUTH2_CLIENT_ID=client-1",
	                      "XOAUTH2_SECRET=cs",
	                      "XOAUTH2_INITIAL_REFRESH_TOKEN=rt-1",
	                      "XOAUTH2_INITIAL_ACCESS_TOKEN=at-1",
	                      "XOAUTH2_TOKEN_ENDPOINT=https://login.example.com/token",
	                      NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *key, *user, *state, *origin, *name, *command;
	ck_assert_uint_eq(prc_plan_table_count(p, PRC_FILE_SASL_PASSWD), 1);
	assert_entry(p, PRC_FILE_SASL_PASSWD, 0, "[smtp.office365.com]:587",
	             "relay@example.com:at-1");
	ck_assert_int_eq(prc_plan_table_entry(p, PRC_FILE_SASL_PASSWD, 0, NULL, NULL, &origin), 0);
	ck_assert_str_eq(origin, "env:XOAUTH2_CLIENT_ID");
	ck_assert(prc_plan_oauth_login(p, &key, &user, &state));
	ck_assert_str_eq(key, "[smtp.office365.com]:587");
	ck_assert_str_eq(user, "relay@example.com");
	ck_assert_str_eq(state, "/var/spool/postfix/xoauth2-token.json");
	/* mail to the relay host goes through the xoauth2 transport only */
	ck_assert_str_eq(prc_plan_param(p, "default_transport", &origin), "xoauth2");
	ck_assert_str_eq(origin, "env:XOAUTH2_CLIENT_ID");
	ck_assert_str_eq(prc_plan_param(p, "smtp_sasl_auth_enable", NULL), "yes");
	ck_assert_str_eq(prc_plan_param(p, "smtp_sasl_auth_soft_bounce", NULL), "yes");
	ck_assert_str_eq(prc_plan_param(p, "smtp_tls_security_level", NULL), "encrypt");
	size_t n = prc_plan_service_count(p);
	ck_assert_int_eq(prc_plan_service(p, n - 1, &name, NULL, &command, NULL), 0);
	ck_assert_str_eq(name, "xoauth2");
	ck_assert_str_eq(command, "smtp");
	char *master = emit_text(cfg, PRC_FILE_MASTER_CF);
	ck_assert_ptr_nonnull(strstr(master, "\nxoauth2    unix  -       -       n       -       "
	                                     "-       smtp\n  -o syslog_name=postfix/xoauth2\n"
	                                     "  -o smtp_sasl_mechanism_filter=xoauth2\n"));
	free(master);
	/* the refresher's new token replaces the value; the table emitted says so */
	ck_assert_int_eq(prc_plan_oauth_set_token(p, "at-2"), 0);
	assert_entry(p, PRC_FILE_SASL_PASSWD, 0, "[smtp.office365.com]:587",
	             "relay@example.com:at-2");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_plan_emit(p, PRC_FILE_SASL_PASSWD, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\n[smtp.office365.com]:587 relay@example.com:at-2\n"));
	ck_assert_ptr_null(strstr(buf, "at-1"));
	free(buf);
	ck_assert_int_eq(prc_plan_oauth_set_token(p, NULL), PRC_ERR_ARG);
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

START_TEST(plan_without_xoauth2_has_none_of_it)
{
	const char *envp[] = {"MAILNAME=mail.example.com", "RELAYHOST=[smtp.example.net]:587",
	                      NULL};
	struct prc_config *cfg;
	struct prc_plan *p = plan_env(envp, &cfg);
	const char *name;
	ck_assert(!prc_plan_oauth_login(p, NULL, NULL, NULL));
	ck_assert_int_eq(prc_plan_oauth_set_token(p, "at"), PRC_ERR_ARG);
	ck_assert_int_eq(prc_plan_oauth_set_token(NULL, "at"), PRC_ERR_ARG);
	ck_assert_ptr_null(prc_plan_param(p, "default_transport", NULL));
	for (size_t i = 0; i < prc_plan_service_count(p); i++) {
		ck_assert_int_eq(prc_plan_service(p, i, &name, NULL, NULL, NULL), 0);
		ck_assert_str_ne(name, "xoauth2");
	}
	prc_plan_free(p);
	prc_config_free(cfg);
}
END_TEST

SUITE_BEGIN(plan)
ADD(plan_xoauth2_entries)
ADD(plan_without_xoauth2_has_none_of_it)
ADD(plan_policy_tables_allow_the_null_sender_and_fold_keys)
ADD(plan_relays_on_465_get_the_implicit_tls_transport)
ADD(plan_postmaster_address_gets_postfix_notices)
ADD(plan_param_value_and_origin)
ADD(plan_passthrough_replaces_in_place_with_its_origin)
ADD(plan_yaml_value_with_blanks_is_not_brace_quoted)
ADD(plan_table_keys_are_folded)
ADD(plan_state_locations_and_accounts)
ADD(plan_unresolvable_reference_is_an_error)
ADD(plan_listeners_milters_and_users)
ADD(plan_dkim_key_copies)
ADD(plan_null_arguments)
ADD(plan_invalid_configuration_is_not_planned)
SUITE_END

TEST_MAIN(plan_suite)
