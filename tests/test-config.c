/* The model's accessors: scalar and list getters, instance paths, table files. */
#include "internal.h"
#include "test-common.h"

static struct prc_config *config(const char *const *envp)
{
	struct prc_config *cfg;
	char *text = load_env(envp, &cfg, NULL);
	free(text);
	return cfg;
}

START_TEST(config_get_scalar_values_in_emitted_form)
{
	const char *envp[] = {"MAILNAME=relay.example.com", "SIZELIMIT=10M", "USE_TLS=TRUE",
	                      "TABLE_TYPE=LMDB", NULL};
	struct prc_config *cfg = config(envp);
	ck_assert_str_eq(prc_config_get(cfg, "MAILNAME"), "relay.example.com");
	ck_assert_str_eq(prc_config_get(cfg, "SIZELIMIT"), "10485760");
	ck_assert_str_eq(prc_config_get(cfg, "USE_TLS"), "yes");
	ck_assert_str_eq(prc_config_get(cfg, "TABLE_TYPE"), "lmdb");
	ck_assert_str_eq(prc_config_get(cfg, "DKIM_SELECTOR"), "mail");
	prc_config_free(cfg);
}
END_TEST

START_TEST(config_get_unset_unknown_and_list_are_null)
{
	const char *envp[] = {"MAILNAME=relay.example.com", NULL};
	struct prc_config *cfg = config(envp);
	ck_assert_ptr_null(prc_config_get(cfg, "RELAYHOST"));
	ck_assert_ptr_null(prc_config_get(cfg, "NO_SUCH_SETTING"));
	ck_assert_ptr_null(prc_config_get(cfg, "MYNETWORKS"));
	ck_assert_ptr_null(prc_config_get(cfg, NULL));
	ck_assert_ptr_null(prc_config_get(NULL, "MAILNAME"));
	prc_config_free(cfg);
}
END_TEST

START_TEST(config_list_fields_return_secrets_in_clear)
{
	const char *envp[] = {"MAILNAME=relay.example.com",
	                      "SMTPD_USERS=alice:pa\\:ss\\,word, bob@example.com:x", NULL};
	struct prc_config *cfg = config(envp);
	ck_assert_uint_eq(prc_config_list_count(cfg, "SMTPD_USERS"), 2);
	ck_assert_str_eq(prc_config_list_field(cfg, "SMTPD_USERS", 0, 0), "alice");
	ck_assert_str_eq(prc_config_list_field(cfg, "SMTPD_USERS", 0, 1), "pa:ss,word");
	ck_assert_str_eq(prc_config_list_field(cfg, "SMTPD_USERS", 1, 0), "bob@example.com");
	ck_assert_str_eq(prc_config_list_field(cfg, "SMTPD_USERS", 1, 1), "x");
	ck_assert_ptr_null(prc_config_list_field(cfg, "SMTPD_USERS", 2, 0));
	ck_assert_ptr_null(prc_config_list_field(cfg, "SMTPD_USERS", 0, 3));
	ck_assert_uint_eq(prc_config_list_count(cfg, "MYNETWORKS"), 4);
	ck_assert_str_eq(prc_config_list_field(cfg, "MYNETWORKS", 3, 0), "192.168.0.0/16");
	ck_assert_uint_eq(prc_config_list_count(cfg, "MAILNAME"), 0);
	ck_assert_uint_eq(prc_config_list_count(cfg, "RELAYHOST_MAP"), 0);
	ck_assert_uint_eq(prc_config_list_count(cfg, "NO_SUCH_SETTING"), 0);
	prc_config_free(cfg);
}
END_TEST

START_TEST(config_paths_follow_the_root)
{
	const char *envp[] = {"MAILNAME=relay.example.com", NULL};
	struct prc_config *cfg = config(envp);
	char *p;
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_POSTFIX_DIR, &p), 0);
	ck_assert_str_eq(p, "/etc/postfix");
	free(p);
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_SASLDB, &p), 0);
	ck_assert_str_eq(p, "/etc/postfix/sasl/sasldb2");
	free(p);
	ck_assert_int_eq(prc_config_set_root(cfg, "/srv/relay1/"), 0);
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_POSTFIX_DIR, &p), 0);
	ck_assert_str_eq(p, "/srv/relay1/etc/postfix");
	free(p);
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_OPENDKIM_DIR, &p), 0);
	ck_assert_str_eq(p, "/srv/relay1/etc/opendkim");
	free(p);
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_SASLDB, &p), 0);
	ck_assert_str_eq(p, "/srv/relay1/etc/postfix/sasl/sasldb2");
	free(p);
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_COUNT, &p), PRC_ERR_ARG);
	ck_assert_int_eq(prc_config_path(NULL, PRC_PATH_SASLDB, &p), PRC_ERR_ARG);
	prc_config_free(cfg);
}
END_TEST

START_TEST(config_sasldb_path_is_the_one_smtpd_conf_names)
{
	const char *envp[] = {"MAILNAME=relay.example.com", "SMTPD_USERS=alice:x", NULL};
	struct prc_config *cfg = config(envp);
	ck_assert_int_eq(prc_config_set_root(cfg, "/srv/relay1"), 0);
	char *conf = emit_text(cfg, PRC_FILE_SMTPD_SASL_CONF);
	char *db;
	ck_assert_int_eq(prc_config_path(cfg, PRC_PATH_SASLDB, &db), 0);
	char *line = prc_asprintf("\nsasldb_path: %s\n", db);
	ck_assert_msg(strstr(conf, line), "%s not in:\n%s", line, conf);
	free(line);
	free(db);
	free(conf);
	prc_config_free(cfg);
}
END_TEST

START_TEST(file_is_table_only_for_postmap_tables)
{
	for (int f = 0; f < PRC_FILE_COUNT; f++)
		ck_assert_int_eq(prc_file_is_table(f), f == PRC_FILE_SASL_PASSWD ||
		                                           f == PRC_FILE_SENDER_RELAY ||
		                                           f >= PRC_FILE_SENDER_ACCESS);
	ck_assert(!prc_file_is_table(PRC_FILE_COUNT));
}
END_TEST

SUITE_BEGIN(config)
ADD(config_get_scalar_values_in_emitted_form)
ADD(config_get_unset_unknown_and_list_are_null)
ADD(config_list_fields_return_secrets_in_clear)
ADD(config_paths_follow_the_root)
ADD(config_sasldb_path_is_the_one_smtpd_conf_names)
ADD(file_is_table_only_for_postmap_tables)
SUITE_END

TEST_MAIN(config_suite)
