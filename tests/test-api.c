/* The public API as a tool author sees it: handles, diagnostics, print, introspection. */
#include "test-common.h"

#include <unistd.h>

START_TEST(api_free_accepts_null_and_bad_arguments_fail)
{
	prc_config_free(NULL);
	prc_diags_free(NULL);
	ck_assert_int_eq(prc_config_new(NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_diags_new(NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_config_load_env(NULL, NULL, NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_config_validate(NULL, NULL), PRC_ERR_ARG);
	ck_assert_int_eq(prc_render(NULL, "/tmp", NULL, NULL), PRC_ERR_ARG);
	ck_assert_uint_eq(prc_diags_count(NULL), 0);
	ck_assert_str_eq(prc_diags_message(NULL, 0), "");
}
END_TEST

START_TEST(api_diagnostics_accessors)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	const char *envp[] = {"MAILNAME=relay", "SIZELIMIT=x", NULL};
	ck_assert_int_eq(prc_config_load_env(cfg, envp, d), PRC_ERR_INVALID);
	ck_assert_int_eq(prc_config_validate(cfg, d), PRC_OK);
	ck_assert_uint_eq(prc_diags_count(d), 2);
	ck_assert_uint_eq(prc_diags_error_count(d), 1);
	ck_assert_int_eq(prc_diags_severity(d, 0), PRC_SEV_ERROR);
	ck_assert_str_eq(prc_diags_origin(d, 0), "env:SIZELIMIT");
	ck_assert_str_eq(prc_diags_key(d, 0), "SIZELIMIT");
	ck_assert_str_eq(prc_diags_code(d, 0), "invalid-value");
	ck_assert_str_eq(prc_diags_message(d, 0),
	                 "'x': expected a size in bytes, optionally with a k, M or G suffix");
	ck_assert_int_eq(prc_diags_severity(d, 1), PRC_SEV_WARNING);
	ck_assert_str_eq(prc_diags_key(d, 1), "MAILNAME");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	prc_diags_print(d, "tool", f);
	fclose(f);
	ck_assert_str_eq(buf, "tool: error: env:SIZELIMIT: 'x': expected a size in bytes, "
	                      "optionally with a k, M or G suffix\n"
	                      "tool: warning: env:MAILNAME: 'relay' is not a fully qualified host "
	                      "name; receivers may reject HELO relay\n");
	free(buf);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

START_TEST(api_print_is_yaml_with_origins_and_redaction)
{
	struct prc_config *cfg;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	const char *envp[] = {"MAILNAME=mail.example.com", "SMTPD_USERS=app:TopSecret",
	                      "POSTCONF=smtpd_banner=yes", NULL};
	ck_assert_int_eq(prc_config_load_env(cfg, envp, NULL), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_config_print(cfg, f), 0);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "TopSecret"));
	ck_assert_ptr_nonnull(strstr(buf, "\nsmtpd:\n  disable_vrfy: true  # default\n"
	                                  "  users:  # env:SMTPD_USERS\n    - user: app\n"
	                                  "      password: \"<redacted>\"\n"));
	/* a YAML 1.1 boolean-looking string is quoted so it reads back as a string */
	ck_assert_ptr_nonnull(strstr(buf, "    smtpd_banner: \"yes\"\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nmailname: mail.example.com  # env:MAILNAME\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\n    ca: null  # default (unset)\n"));
	free(buf);
	prc_config_free(cfg);
}
END_TEST

START_TEST(api_settings_introspection)
{
	size_t n = prc_setting_count();
	ck_assert_uint_ge(n, 41); /* every seed variable, and ours */
	const char *seed[] = {"MAILNAME",
	                      "MYNETWORKS",
	                      "LOGOUTPUT",
	                      "TZ",
	                      "POSTFIX_EXPORTER_ENABLED",
	                      "SIZELIMIT",
	                      "POSTFIX_ADD_MISSING_HEADERS",
	                      "INET_PROTOCOLS",
	                      "BOUNCE_ADDRESS",
	                      "HEADER_CHECKS",
	                      "DISABLE_VRFY_COMMAND",
	                      "SMTP_DESTINATION_CONCURRENCY_LIMIT",
	                      "SMTP_DESTINATION_RATE_DELAY",
	                      "SMTP_EXTRA_RECIPIENT_LIMIT",
	                      "RELAYHOST",
	                      "RELAYHOST_AUTH",
	                      "RELAYHOST_PASSWORDMAP",
	                      "RELAYHOST_MAP",
	                      "SENDER_DEPENDENT_RELAYHOST_AUTH",
	                      "SMTPD_USERS",
	                      "USE_TLS",
	                      "TLS_SECURITY_LEVEL",
	                      "TLS_KEY",
	                      "TLS_CRT",
	                      "TLS_CA",
	                      "CLIENT_TLS_SECURITY_LEVEL",
	                      "CLIENT_TLS_KEY",
	                      "CLIENT_TLS_CRT",
	                      "CLIENT_TLS_CA",
	                      "USE_DKIM",
	                      "DKIM_KEYFILE",
	                      "DKIM_DOMAINS",
	                      "DKIM_SELECTOR",
	                      "DKIM_INTERNALHOSTS",
	                      "DKIM_EXTERNALIGNORE",
	                      "DKIM_OVERSIGN_HEADERS",
	                      "DKIM_SENDER_HEADERS",
	                      "DKIM_SIGN_HEADERS",
	                      "DKIM_OMIT_HEADERS",
	                      "POSTCONF",
	                      "CONFIG_RELOADER_ENABLED"};
	for (size_t k = 0; k < sizeof(seed) / sizeof(seed[0]); k++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = !strcmp(prc_setting_env(i), seed[k]);
		ck_assert_msg(found, "seed variable %s has no row", seed[k]);
	}
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(prc_setting_yaml(i));
		ck_assert_ptr_nonnull(prc_setting_default(i));
		ck_assert_uint_gt(strlen(prc_setting_doc(i)), 10);
	}
	ck_assert_ptr_null(prc_setting_env(n));
	ck_assert_ptr_null(prc_setting_doc(n));
}
END_TEST

START_TEST(api_secret_settings)
{
	size_t secrets = 0;
	for (size_t i = 0; i < prc_setting_count(); i++)
		if (prc_setting_is_secret(i)) {
			secrets++;
			ck_assert(!strcmp(prc_setting_env(i), "RELAYHOST_PASSWORDMAP") ||
			          !strcmp(prc_setting_env(i), "SMTPD_USERS") ||
			          !strcmp(prc_setting_env(i), "XOAUTH2_SECRET") ||
			          !strcmp(prc_setting_env(i), "XOAUTH2_INITIAL_ACCESS_TOKEN") ||
			          !strcmp(prc_setting_env(i), "XOAUTH2_INITIAL_REFRESH_TOKEN"));
		}
	ck_assert_uint_eq(secrets, 5);
}
END_TEST

START_TEST(api_seed_defaults)
{
	struct {
		const char *env, *def;
	} want[] = {{"MYNETWORKS", "127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16"},
	            {"LOGOUTPUT", "/dev/stdout"},
	            {"TZ", "UTC"},
	            {"SIZELIMIT", "15728640"},
	            {"INET_PROTOCOLS", "all"},
	            {"DISABLE_VRFY_COMMAND", "yes"},
	            {"USE_TLS", "yes"},
	            {"TLS_SECURITY_LEVEL", "may"},
	            {"TLS_KEY", "/etc/ssl/private/ssl-cert-snakeoil.key"},
	            {"TLS_CRT", "/etc/ssl/certs/ssl-cert-snakeoil.pem"},
	            {"TLS_CA", ""},
	            {"CLIENT_TLS_SECURITY_LEVEL", "may"},
	            {"USE_DKIM", "no"},
	            {"DKIM_KEYFILE", "/etc/opendkim/dkim.key"},
	            {"DKIM_SELECTOR", "mail"},
	            {"DKIM_OVERSIGN_HEADERS", "From"},
	            {"RELAYHOST_AUTH", "no"},
	            {"POSTFIX_ADD_MISSING_HEADERS", "no"}};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		for (size_t i = 0; i < prc_setting_count(); i++)
			if (!strcmp(prc_setting_env(i), want[k].env))
				ck_assert_str_eq(prc_setting_default(i), want[k].def);
}
END_TEST

/* The scdoc reference: one entry per setting, escaped, with the facts of its row. */
START_TEST(api_settings_scdoc_reference)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_settings_write_scdoc(f), 0);
	fclose(f);
	const char *first = "*mailname*\n\tFully qualified host name of this relay (required); "
	                    "used in the banner, HELO and Received headers.\n\n\tEnvironment: "
	                    "*MAILNAME*. Value: a host name. Required. Sets Postfix's "
	                    "*myhostname*.\n\n*mynetworks*\n";
	ck_assert_uint_ge(len, strlen(first));
	ck_assert_mem_eq(buf, first, strlen(first));
	ck_assert_ptr_nonnull(strstr(
	    buf, "*limits.destination\\_concurrency*\n\tParallel connections per destination; "
	         "unset: 40 to a RELAYHOST (keep it below your provider's per-client limit), "
	         "else Postfix's 20.\n\n\tEnvironment: "
	         "*SMTP\\_DESTINATION\\_CONCURRENCY\\_LIMIT*. Value: a whole number from 1 to "
	         "1000. Unset by default. Sets Postfix's "
	         "*smtp\\_destination\\_concurrency\\_limit*.\n\n"));
	ck_assert_ptr_nonnull(
	    strstr(buf, "*relay.credentials*\n\tRelay credentials: [host]:port:user:pass, "
	                "host:user:pass or user:pass, comma separated. Secret; also "
	                "*RELAYHOST\\_PASSWORDMAP\\_FILE*.\n\n\tEnvironment: "
	                "*RELAYHOST\\_PASSWORDMAP*. Value: a list of entries, each with the fields "
	                "*host*, *user* and *password*; *password\\_file* (an absolute path) may "
	                "replace *password*. Unset by default.\n\n"));
	ck_assert_ptr_nonnull(strstr(buf, "Environment: *POSTCONF*. Value: a mapping from Postfix "
	                                  "parameter names to values. Unset by default.\n\n"));
	/* a backslash in the doc line reaches the page as one backslash */
	ck_assert_ptr_nonnull(strstr(buf, "name=value;name=value (\\\\; for a literal ;)"));
	ck_assert_ptr_nonnull(strstr(buf, " One of: *hash*, *lmdb*, *cdb*.\n"));
	size_t entries = 0;
	for (const char *p = buf; (p = strstr(p, "\n\tEnvironment: *")); p++)
		entries++;
	ck_assert_uint_eq(entries, prc_setting_count());
	free(buf);

	FILE *full = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(full);
	ck_assert_int_eq(prc_settings_write_scdoc(full), PRC_ERR_IO);
	fclose(full);
}
END_TEST

/* write @text to a new file below @dir; returns its path (free()) */
static char *inputs_file(const char *dir, const char *name, const char *text)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	ck_assert_ptr_nonnull(path);
	snprintf(path, n, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

START_TEST(api_config_inputs_are_the_files_read)
{
	char dir[] = "/tmp/prc-inputs.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char *users = inputs_file(dir, "users", "app:pw\n");
	char *cred = inputs_file(dir, "cred", "pw2\n");
	size_t n = strlen(cred) + 128;
	char *yaml_text = malloc(n);
	snprintf(yaml_text, n,
	         "relay:\n  host: relay.example.net\n  credentials:\n"
	         "    - {host: relay.example.net, user: u, password_file: %s}\n",
	         cred);
	char *yaml = inputs_file(dir, "relay.yaml", yaml_text);
	n = strlen(users) + 64;
	char *env_text = malloc(n);
	snprintf(env_text, n, "MAILNAME=mail.example.com\nSMTPD_USERS_FILE=%s\n", users);
	char *env = inputs_file(dir, "env", env_text);

	struct prc_config *cfg;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_uint_eq(prc_config_input_count(cfg), 0);
	ck_assert_int_eq(prc_config_load_yaml_file(cfg, yaml, NULL), 0);
	ck_assert_int_eq(prc_config_load_env_file(cfg, env, NULL), 0);
	/* loading the same file again adds nothing */
	ck_assert_int_eq(prc_config_load_env_file(cfg, env, NULL), 0);
	ck_assert_uint_eq(prc_config_input_count(cfg), 4);
	ck_assert_str_eq(prc_config_input(cfg, 0), yaml);
	ck_assert_str_eq(prc_config_input(cfg, 1), cred);
	ck_assert_str_eq(prc_config_input(cfg, 2), env);
	ck_assert_str_eq(prc_config_input(cfg, 3), users);
	ck_assert_ptr_null(prc_config_input(cfg, 4));
	ck_assert_ptr_null(prc_config_input(NULL, 0));
	ck_assert_uint_eq(prc_config_input_count(NULL), 0);
	prc_config_free(cfg);

	/* a file that cannot be read is an input too: a reloader waits for it */
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	const char *envp[] = {"MAILNAME=mail.example.com", "SMTPD_USERS_FILE=/nonexistent/users",
	                      NULL};
	ck_assert_int_eq(prc_config_load_env(cfg, envp, NULL), PRC_ERR_INVALID);
	ck_assert_uint_eq(prc_config_input_count(cfg), 1);
	ck_assert_str_eq(prc_config_input(cfg, 0), "/nonexistent/users");
	prc_config_free(cfg);

	char *files[] = {users, cred, yaml, env};
	for (size_t i = 0; i < 4; i++) {
		unlink(files[i]);
		free(files[i]);
	}
	rmdir(dir);
	free(yaml_text);
	free(env_text);
}
END_TEST

/* migrate's writer: only what was given, with the peer variable as origin; secrets on request. */
START_TEST(api_write_yaml_given_settings_peer_origins_and_secrets)
{
	struct prc_config *cfg;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	const char *envp[] = {"POSTFIX_myhostname=relay.example.com",
	                      "RELAYHOST=[smtp.example.net]:587", "RELAYHOST_USERNAME=app",
	                      "RELAYHOST_PASSWORD=pw:with,specials", NULL};
	ck_assert_int_eq(prc_config_load_env(cfg, envp, NULL), PRC_OK);
	ck_assert_int_eq(prc_config_validate(cfg, NULL), PRC_OK);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_config_write_yaml(cfg, 0, f), 0);
	fclose(f);
	ck_assert_str_eq(buf, "mailname: relay.example.com  # env:POSTFIX_myhostname\n"
	                      "relay:\n"
	                      "  host: \"[smtp.example.net]:587\"  # env:RELAYHOST\n"
	                      "  auth: true  # env:RELAYHOST_PASSWORD\n"
	                      "  credentials:  # env:RELAYHOST_PASSWORD\n"
	                      "    - host: \"\"\n"
	                      "      user: app\n"
	                      "      password: \"<redacted>\"\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_config_write_yaml(cfg, PRC_YAML_SECRETS, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "      password: \"pw:with,specials\"\n"));
	free(buf);
	ck_assert_int_eq(prc_config_write_yaml(cfg, 2, stdout), PRC_ERR_ARG);
	ck_assert_int_eq(prc_config_write_yaml(NULL, 0, stdout), PRC_ERR_ARG);
	prc_config_free(cfg);
}
END_TEST

SUITE_BEGIN(api)
ADD(api_free_accepts_null_and_bad_arguments_fail)
ADD(api_diagnostics_accessors)
ADD(api_print_is_yaml_with_origins_and_redaction)
ADD(api_settings_introspection)
ADD(api_secret_settings)
ADD(api_seed_defaults)
ADD(api_settings_scdoc_reference)
ADD(api_config_inputs_are_the_files_read)
ADD(api_write_yaml_given_settings_peer_origins_and_secrets)
SUITE_END

TEST_MAIN(api_suite)
