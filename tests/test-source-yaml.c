/* The YAML source: every type, every structure, every diagnostic with its line and column. */
#include "internal.h"
#include "test-common.h"

#include <unistd.h>

/* Load @yaml (as file "t.yaml") into a fresh config; the diagnostics as text. */
static char *load(const char *yaml, size_t len, struct prc_config **cfg_out, int *rc_out)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	int rc = prc_config_load_yaml_buffer(cfg, "t.yaml", yaml, len, d);
	if (rc_out)
		*rc_out = rc;
	char *text = diags_text(d);
	prc_diags_free(d);
	if (cfg_out)
		*cfg_out = cfg;
	else
		prc_config_free(cfg);
	return text;
}

/* Load text that must be accepted without any diagnostic. */
static struct prc_config *load_ok(const char *yaml)
{
	struct prc_config *cfg;
	int rc;
	char *text = load(yaml, strlen(yaml), &cfg, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	return cfg;
}

/* Load text that must be refused with exactly @expected diagnostics. */
static void load_err(const char *yaml, const char *expected)
{
	int rc;
	char *text = load(yaml, strlen(yaml), NULL, &rc);
	ck_assert_str_eq(text, expected);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}

#define VAL(cfg, id) (&(cfg)->v[PRC_S_##id])

static void assert_scalar(const struct prc_config *cfg, enum prc_setting_id id, const char *str,
                          const char *origin)
{
	const struct prc_value *v = &cfg->v[id];
	ck_assert(v->set);
	ck_assert(v->explicit);
	ck_assert_str_eq(v->str, str);
	ck_assert_str_eq(v->origin, origin);
}

/* The reason of the only diagnostic of @d, after the location ("entry 1: " or "path: "). */
static char *reason_after(struct prc_diags *d, const char *prefix)
{
	ck_assert_uint_eq(prc_diags_count(d), 1);
	const char *m = prc_diags_message(d, 0);
	ck_assert_msg(!strncmp(m, prefix, strlen(prefix)), "'%s' does not start with '%s'", m,
	              prefix);
	return prc_strdup(m + strlen(prefix));
}

/* One parser per kind of entry: the same mistake, the same reason from env and YAML. */
START_TEST(yaml_and_env_give_the_same_reason_for_the_same_mistake)
{
	static const struct {
		const char *env, *env_prefix, *yaml, *yaml_prefix;
	} cases[] = {
	    {"RELAYHOST_MAP=@a.example:[smtp.example.net]:0", "entry 1: relayhost ",
	     "relay:\n  sender_relays:\n    - {sender: \"@a.example\", relayhost: "
	     "\"[smtp.example.net]:0\"}\n",
	     "relay.sender_relays[1].relayhost: "},
	    {"SMTPD_USERS=app:", "entry 1: password",
	     "smtpd:\n  users:\n    - {user: app, password: \"\"}\n", "smtpd.users[1].password"},
	    {"DKIM_KEYS=bad_domain=mail:/k", "entry 1: domain ",
	     "dkim:\n  keys:\n    - {domain: bad_domain, selector: mail, key: /k}\n",
	     "dkim.keys[1].domain: "},
	    {"MYNETWORKS=10.0.0.1/8", "entry 1: ", "mynetworks: [10.0.0.1/8]\n", "mynetworks[1]: "},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prc_config *a, *b;
		struct prc_diags *da, *db;
		ck_assert_int_eq(prc_config_new(&a), 0);
		ck_assert_int_eq(prc_config_new(&b), 0);
		ck_assert_int_eq(prc_diags_new(&da), 0);
		ck_assert_int_eq(prc_diags_new(&db), 0);
		const char *envp[] = {cases[i].env, NULL};
		ck_assert_int_eq(prc_config_load_env(a, envp, da), PRC_ERR_INVALID);
		ck_assert_int_eq(prc_config_load_yaml_buffer(b, "t.yaml", cases[i].yaml,
		                                             strlen(cases[i].yaml), db),
		                 PRC_ERR_INVALID);
		char *ra = reason_after(da, cases[i].env_prefix);
		char *rb = reason_after(db, cases[i].yaml_prefix);
		ck_assert_str_eq(ra, rb);
		free(ra);
		free(rb);
		prc_diags_free(da);
		prc_diags_free(db);
		prc_config_free(a);
		prc_config_free(b);
	}
}
END_TEST

/* ---- scalar types ------------------------------------------------------ */

START_TEST(yaml_string_types_set_value_and_origin)
{
	struct prc_config *cfg = load_ok("mailname: relay.example.com\n"
	                                 "log:\n"
	                                 "  output: /var/log/mail.log\n"
	                                 "timezone: Europe/Berlin\n"
	                                 "bounce_address: postmaster@example.com\n"
	                                 "relay:\n"
	                                 "  host: \"[smtp.example.com]:587\"\n"
	                                 "dkim:\n"
	                                 "  selector: mail2024\n"
	                                 "  socket: inet:127.0.0.1:8891\n"
	                                 "  key: '/etc/opendkim/keys/main.key'\n");
	assert_scalar(cfg, PRC_S_MAILNAME, "relay.example.com", "t.yaml:1:11");
	assert_scalar(cfg, PRC_S_LOGOUTPUT, "/var/log/mail.log", "t.yaml:3:11");
	assert_scalar(cfg, PRC_S_TZ, "Europe/Berlin", "t.yaml:4:11");
	assert_scalar(cfg, PRC_S_BOUNCE_ADDRESS, "postmaster@example.com", "t.yaml:5:17");
	assert_scalar(cfg, PRC_S_RELAYHOST, "[smtp.example.com]:587", "t.yaml:7:9");
	assert_scalar(cfg, PRC_S_DKIM_SELECTOR, "mail2024", "t.yaml:9:13");
	assert_scalar(cfg, PRC_S_DKIM_SOCKET, "inet:127.0.0.1:8891", "t.yaml:10:11");
	assert_scalar(cfg, PRC_S_DKIM_KEYFILE, "/etc/opendkim/keys/main.key", "t.yaml:11:8");
	/* untouched settings keep their defaults */
	ck_assert(!VAL(cfg, TLS_SECURITY_LEVEL)->explicit);
	ck_assert_str_eq(VAL(cfg, TLS_SECURITY_LEVEL)->origin, "default");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_string_checks_reuse_env_messages)
{
	load_err(
	    "mailname: bad_host..x\n"
	    "log:\n"
	    "  output: relative/path\n"
	    "bounce_address: nobody\n"
	    "dkim:\n"
	    "  socket: unix:/run/x\n",
	    "error|t.yaml:1:11|mailname: 'bad_host..x': host name has an empty label (\"..\" or "
	    "a leading or trailing dot)\n"
	    "error|t.yaml:3:11|log.output: 'relative/path': expected an absolute path "
	    "(starting with '/')\n"
	    "error|t.yaml:4:17|bounce_address: 'nobody': expected an address like "
	    "user@example.com\n"
	    "error|t.yaml:6:11|dkim.socket: 'unix:/run/x': expected inet:host:port\n");
}
END_TEST

/* A refused value is reported once: validation does not also call it missing. */
START_TEST(yaml_refused_mailname_is_not_also_missing)
{
	static const char *const files[] = {"mailname: \"bad name!\"\n", "mailname: !!int 5\n"};
	static const char *const expected[] = {
	    "error|t.yaml:1:11|mailname: 'bad name!': host name may only contain letters, "
	    "digits, '-' and '.'\n",
	    "error|t.yaml:1:11|mailname: tag !!int is not supported (a value takes no tag, or "
	    "!!str)\n"};
	for (size_t i = 0; i < 2; i++) {
		struct prc_config *cfg;
		int rc;
		char *text = load(files[i], strlen(files[i]), &cfg, &rc);
		ck_assert_str_eq(text, expected[i]);
		free(text);
		struct prc_diags *d;
		ck_assert_int_eq(prc_diags_new(&d), 0);
		ck_assert_int_eq(prc_config_validate(cfg, d), PRC_ERR_INVALID);
		text = diags_text(d);
		ck_assert_ptr_null(strstr(text, "MAILNAME is required"));
		free(text);
		prc_diags_free(d);
		prc_config_free(cfg);
	}
}
END_TEST

START_TEST(yaml_bool_true_false_yes_no)
{
	struct prc_config *cfg = load_ok("tls:\n"
	                                 "  enabled: false\n"
	                                 "  server:\n"
	                                 "    auth_only: No\n"
	                                 "relay:\n"
	                                 "  auth: yes\n"
	                                 "  sender_auth: TRUE\n"
	                                 "headers:\n"
	                                 "  privacy_checks: \"true\"\n");
	ck_assert(!VAL(cfg, USE_TLS)->b);
	ck_assert_str_eq(VAL(cfg, USE_TLS)->origin, "t.yaml:2:12");
	ck_assert(!VAL(cfg, SMTPD_TLS_AUTH_ONLY)->b);
	ck_assert(VAL(cfg, RELAYHOST_AUTH)->b);
	ck_assert(VAL(cfg, SENDER_DEPENDENT_RELAYHOST_AUTH)->b);
	ck_assert(VAL(cfg, HEADER_CHECKS)->b);
	ck_assert(VAL(cfg, HEADER_CHECKS)->explicit);
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_bool_on_off_y_n_refused)
{
	load_err("tls:\n  enabled: on\nrelay:\n  auth: n\nheaders:\n  add_missing: 1\n",
	         "error|t.yaml:2:12|tls.enabled: 'on' is a boolean only in YAML 1.1 and a string "
	         "in YAML 1.2; write true or false\n"
	         "error|t.yaml:4:9|relay.auth: 'n' is a boolean only in YAML 1.1 and a string in "
	         "YAML 1.2; write true or false\n"
	         "error|t.yaml:6:16|headers.add_missing: '1': expected yes, no, true or false\n");
}
END_TEST

START_TEST(yaml_size_bytes_and_suffixes)
{
	struct prc_config *cfg = load_ok("limits:\n  message_size: 10M\n");
	ck_assert_uint_eq(VAL(cfg, SIZELIMIT)->n, 10485760);
	ck_assert_str_eq(VAL(cfg, SIZELIMIT)->str, "10485760");
	prc_config_free(cfg);
	cfg = load_ok("limits:\n  message_size: 0\n");
	ck_assert_uint_eq(VAL(cfg, SIZELIMIT)->n, 0);
	prc_config_free(cfg);
	cfg = load_ok("limits:\n  message_size: \"2k\"\n");
	ck_assert_uint_eq(VAL(cfg, SIZELIMIT)->n, 2048);
	prc_config_free(cfg);
	load_err("limits:\n  message_size: 10 MB\n",
	         "error|t.yaml:2:17|limits.message_size: '10 MB': expected a size in bytes, "
	         "optionally with a k, M or G suffix\n");
}
END_TEST

START_TEST(yaml_count_in_range_and_out_of_range)
{
	struct prc_config *cfg = load_ok("limits:\n"
	                                 "  destination_concurrency: 20\n"
	                                 "  extra_recipients: \"50\"\n");
	ck_assert_uint_eq(VAL(cfg, SMTP_DESTINATION_CONCURRENCY_LIMIT)->n, 20);
	ck_assert_uint_eq(VAL(cfg, SMTP_EXTRA_RECIPIENT_LIMIT)->n, 50);
	prc_config_free(cfg);
	load_err("limits:\n  destination_concurrency: 1001\n  extra_recipients: 0\n",
	         "error|t.yaml:2:28|limits.destination_concurrency: '1001' is out of range "
	         "(expected 1 to 1000)\n"
	         "error|t.yaml:3:21|limits.extra_recipients: '0' is out of range (expected 1 to "
	         "100000)\n");
}
END_TEST

START_TEST(yaml_count_octal_hex_float_refused)
{
	load_err(
	    "limits:\n"
	    "  destination_concurrency: 0755\n"
	    "  extra_recipients: 0x10\n"
	    "  message_size: 1_000\n"
	    "  destination_rate_delay: 1.5\n",
	    "error|t.yaml:2:28|limits.destination_concurrency: '0755' has a leading zero, "
	    "which YAML 1.1 reads as an octal number and YAML 1.2 as decimal; write it without "
	    "the leading zero\n"
	    "error|t.yaml:3:21|limits.extra_recipients: '0x10' is not a plain decimal number; "
	    "write digits only\n"
	    "error|t.yaml:4:17|limits.message_size: '1_000' is not a plain decimal number; "
	    "write digits only\n"
	    "error|t.yaml:5:27|limits.destination_rate_delay: '1.5' is not a plain decimal "
	    "number; write digits only\n");
}
END_TEST

START_TEST(yaml_time_number_and_unit)
{
	struct prc_config *cfg = load_ok("limits:\n  destination_rate_delay: 5s\n");
	assert_scalar(cfg, PRC_S_SMTP_DESTINATION_RATE_DELAY, "5s", "t.yaml:2:27");
	prc_config_free(cfg);
	cfg = load_ok("limits:\n  destination_rate_delay: 30\n");
	assert_scalar(cfg, PRC_S_SMTP_DESTINATION_RATE_DELAY, "30", "t.yaml:2:27");
	prc_config_free(cfg);
	load_err("limits:\n  destination_rate_delay: 1:30\n",
	         "error|t.yaml:2:27|limits.destination_rate_delay: unquoted '1:30' is a base-60 "
	         "number in YAML 1.1; write \"1:30\" (quoted) for the text\n");
	load_err("limits:\n  destination_rate_delay: 5 minutes\n",
	         "error|t.yaml:2:27|limits.destination_rate_delay: '5 minutes': expected a time "
	         "like 30, 30s, 5m, 2h, 1d or 1w\n");
}
END_TEST

START_TEST(yaml_enum_choices)
{
	struct prc_config *cfg = load_ok("tls:\n  server:\n    level: encrypt\n"
	                                 "  client:\n    level: dane-only\n"
	                                 "postfix:\n  table_type: lmdb\n"
	                                 "inet_protocols: ipv4\n");
	assert_scalar(cfg, PRC_S_TLS_SECURITY_LEVEL, "encrypt", "t.yaml:3:12");
	assert_scalar(cfg, PRC_S_CLIENT_TLS_SECURITY_LEVEL, "dane-only", "t.yaml:5:12");
	assert_scalar(cfg, PRC_S_TABLE_TYPE, "lmdb", "t.yaml:7:15");
	assert_scalar(cfg, PRC_S_INET_PROTOCOLS, "ipv4", "t.yaml:8:17");
	prc_config_free(cfg);
	load_err("tls:\n  server:\n    level: sometimes\n",
	         "error|t.yaml:3:12|tls.server.level: 'sometimes' is not one of: none, may, "
	         "encrypt\n");
}
END_TEST

START_TEST(yaml_string_unquoted_boolean_refused_quoted_accepted)
{
	load_err("tls:\n  server:\n    level: no\ndkim:\n  selector: off\n",
	         "error|t.yaml:3:12|tls.server.level: unquoted 'no' is a boolean in YAML 1.1; "
	         "write \"no\" (quoted) for the text\n"
	         "error|t.yaml:5:13|dkim.selector: unquoted 'off' is a boolean in YAML 1.1; write "
	         "\"off\" (quoted) for the text\n");
	struct prc_config *cfg = load_ok("dkim:\n  selector: \"off\"\n");
	assert_scalar(cfg, PRC_S_DKIM_SELECTOR, "off", "t.yaml:2:13");
	prc_config_free(cfg);
	cfg = load_ok("dkim:\n  selector: !!str on\n");
	assert_scalar(cfg, PRC_S_DKIM_SELECTOR, "on", "t.yaml:2:13");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_string_plain_decimal_accepted_octal_float_refused)
{
	struct prc_config *cfg = load_ok("dkim:\n  selector: 20240601\n");
	assert_scalar(cfg, PRC_S_DKIM_SELECTOR, "20240601", "t.yaml:2:13");
	prc_config_free(cfg);
	load_err("dkim:\n  selector: 0755\n",
	         "error|t.yaml:2:13|dkim.selector: unquoted '0755' is an octal number in YAML 1.1; "
	         "write \"0755\" (quoted) for the text\n");
	load_err("dkim:\n  selector: 2024.06\n",
	         "error|t.yaml:2:13|dkim.selector: unquoted '2024.06' is a number in YAML; write "
	         "\"2024.06\" (quoted) for the text\n");
	cfg = load_ok("dkim:\n  selector: \"0755\"\n");
	assert_scalar(cfg, PRC_S_DKIM_SELECTOR, "0755", "t.yaml:2:13");
	prc_config_free(cfg);
	/* dotted quads are strings in YAML 1.1 */
	cfg = load_ok("relay:\n  host: 192.0.2.1\n");
	assert_scalar(cfg, PRC_S_RELAYHOST, "192.0.2.1", "t.yaml:2:9");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_null_means_default)
{
	struct prc_config *cfg =
	    load_ok("tls:\n  server:\n    level: ~\nmailname: null\nrelay:\n  credentials:\n"
	            "limits:\n  message_size: NULL\n");
	ck_assert(VAL(cfg, TLS_SECURITY_LEVEL)->set);
	ck_assert(!VAL(cfg, TLS_SECURITY_LEVEL)->explicit);
	ck_assert_str_eq(VAL(cfg, TLS_SECURITY_LEVEL)->str, "may");
	ck_assert_str_eq(VAL(cfg, TLS_SECURITY_LEVEL)->origin, "default");
	ck_assert(!VAL(cfg, MAILNAME)->set);
	ck_assert(!VAL(cfg, RELAYHOST_PASSWORDMAP)->set);
	ck_assert_uint_eq(VAL(cfg, SIZELIMIT)->n, 15728640);
	prc_config_free(cfg);
}
END_TEST

/* ---- structures ----------------------------------------------------------- */

START_TEST(yaml_plain_lists_normalized_with_item_origins)
{
	struct prc_config *cfg = load_ok("mynetworks:\n"
	                                 "  - 10.0.0.0/8\n"
	                                 "  - 2001:db8::/32\n"
	                                 "dkim:\n"
	                                 "  domains: [example.com, example.org]\n"
	                                 "  internal_hosts: [10.1.0.0/16, app.internal]\n"
	                                 "  external_ignore: [\"[::1]\"]\n"
	                                 "  oversign_headers: [From, Subject]\n");
	const struct prc_value *v = VAL(cfg, MYNETWORKS);
	ck_assert(v->explicit);
	ck_assert_str_eq(v->origin, "t.yaml:2:3");
	ck_assert_uint_eq(v->nitems, 2);
	ck_assert_str_eq(v->items[0].f[0], "10.0.0.0/8");
	ck_assert_str_eq(v->items[0].origin, "t.yaml:2:5");
	ck_assert_str_eq(v->items[1].f[0], "[2001:db8::]/32");
	ck_assert_str_eq(v->items[1].origin, "t.yaml:3:5");
	/* main.cf's text: the entries joined with ", " */
	ck_assert_str_eq(v->str, "10.0.0.0/8, [2001:db8::]/32");
	v = VAL(cfg, DKIM_DOMAINS);
	ck_assert_uint_eq(v->nitems, 2);
	ck_assert_str_eq(v->items[1].f[0], "example.org");
	ck_assert_str_eq(v->items[1].origin, "t.yaml:5:26");
	v = VAL(cfg, DKIM_INTERNALHOSTS);
	ck_assert_str_eq(v->items[0].f[0], "10.1.0.0/16");
	ck_assert_str_eq(v->items[1].f[0], "app.internal");
	ck_assert_str_eq(VAL(cfg, DKIM_EXTERNALIGNORE)->items[0].f[0], "[::1]/128");
	ck_assert_str_eq(VAL(cfg, DKIM_OVERSIGN_HEADERS)->items[1].f[0], "Subject");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_empty_list_is_explicitly_empty)
{
	struct prc_config *cfg = load_ok("dkim:\n  oversign_headers: []\n");
	const struct prc_value *v = VAL(cfg, DKIM_OVERSIGN_HEADERS);
	ck_assert(v->set && v->explicit);
	ck_assert_uint_eq(v->nitems, 0);
	ck_assert_str_eq(v->origin, "t.yaml:2:21");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_plain_list_items_checked_each)
{
	struct prc_config *cfg;
	int rc;
	const char *y = "mynetworks: [10.0.0.1/8, 192.168.0.0/16, [x], ~, yes]\n"
	                "dkim:\n  domains: [bad_domain.com]\n";
	char *text = load(y, strlen(y), &cfg, &rc);
	ck_assert_str_eq(
	    text, "error|t.yaml:1:14|mynetworks[1]: '10.0.0.1/8': network has host bits "
	          "set beyond its prefix length (e.g. use 10.0.0.0/8, not 10.0.0.1/8)\n"
	          "error|t.yaml:1:42|mynetworks[3]: expected a string, got a list\n"
	          "error|t.yaml:1:47|mynetworks[4]: expected a string, got null\n"
	          "error|t.yaml:1:50|mynetworks[5]: unquoted 'yes' is a boolean in YAML 1.1; "
	          "write \"yes\" (quoted) for the text\n"
	          "error|t.yaml:3:13|dkim.domains[1]: 'bad_domain.com': domain name may not "
	          "contain '_'\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	/* a setting with a bad item keeps its previous value */
	ck_assert(!VAL(cfg, MYNETWORKS)->explicit);
	ck_assert_uint_eq(VAL(cfg, MYNETWORKS)->nitems, 4);
	free(text);
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_credentials_items)
{
	struct prc_config *cfg = load_ok("relay:\n"
	                                 "  credentials:\n"
	                                 "    - host: \"[smtp.example.com]:587\"\n"
	                                 "      user: me@example.com\n"
	                                 "      password: \"p:a,s;s\\\\w\"\n"
	                                 "    - {user: 1000, password: 12345}\n");
	const struct prc_value *v = VAL(cfg, RELAYHOST_PASSWORDMAP);
	ck_assert(v->explicit);
	ck_assert_str_eq(v->origin, "t.yaml:3:5");
	ck_assert_uint_eq(v->nitems, 2);
	ck_assert_str_eq(v->items[0].f[0], "[smtp.example.com]:587");
	ck_assert_str_eq(v->items[0].f[1], "me@example.com");
	ck_assert_str_eq(v->items[0].f[2], "p:a,s;s\\w");
	ck_assert_str_eq(v->items[0].origin, "t.yaml:3:7");
	ck_assert_str_eq(v->items[1].f[0], "");
	ck_assert_str_eq(v->items[1].f[1], "1000");
	ck_assert_str_eq(v->items[1].f[2], "12345");
	ck_assert_str_eq(v->items[1].origin, "t.yaml:6:7");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_credentials_item_problems)
{
	load_err("relay:\n"
	         "  credentials:\n"
	         "    - host: \"bad host\"\n"
	         "      user: a\n"
	         "      password: b\n"
	         "    - user: c\n"
	         "      pasword: d\n"
	         "    - password: e\n"
	         "      user: \"\"\n"
	         "      realm: x\n"
	         "    - just-a-string\n"
	         "    - {user: u, password: p, user: v}\n",
	         "error|t.yaml:3:13|relay.credentials[1].host: 'bad host': host name may only "
	         "contain letters, digits, '-' and '.'\n"
	         "error|t.yaml:7:7|relay.credentials[2].pasword: unknown key (did you mean "
	         "password?)\n"
	         "error|t.yaml:6:7|relay.credentials[2]: missing password (or password_file)\n"
	         "error|t.yaml:10:7|relay.credentials[3].realm: unknown key (expected host, user, "
	         "password or password_file)\n"
	         "error|t.yaml:9:13|relay.credentials[3].user: must not be empty\n"
	         "error|t.yaml:11:7|relay.credentials[4]: expected a mapping with keys host, user, "
	         "password, got a string\n"
	         "error|t.yaml:12:30|relay.credentials[5].user: duplicate key (first at line 12, "
	         "column 8)\n");
}
END_TEST

/* A temporary file holding @content; the caller unlinks it. */
static char *temp_file(const char *content)
{
	char *path = strdup("/tmp/prc-yaml-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
	return path;
}

START_TEST(yaml_password_file_read_like_a_secret)
{
	char *pw = temp_file("s3cret:with,all;of it\n");
	char *yaml =
	    prc_asprintf("relay:\n  credentials:\n    - user: me\n      password_file: %s\n"
	                 "smtpd:\n  users:\n    - user: app\n      password_file: %s\n",
	                 pw, pw);
	struct prc_config *cfg = load_ok(yaml);
	ck_assert_str_eq(VAL(cfg, RELAYHOST_PASSWORDMAP)->items[0].f[2], "s3cret:with,all;of it");
	ck_assert_str_eq(VAL(cfg, SMTPD_USERS)->items[0].f[0], "app");
	ck_assert_str_eq(VAL(cfg, SMTPD_USERS)->items[0].f[1], "s3cret:with,all;of it");
	ck_assert_str_eq(VAL(cfg, SMTPD_USERS)->origin, "t.yaml:7:5");
	prc_config_free(cfg);
	free(yaml);
	unlink(pw);
	free(pw);
}
END_TEST

START_TEST(yaml_password_file_problems)
{
	char *two = temp_file("line1\nline2\n");
	char *empty = temp_file("\n");
	char *yaml = prc_asprintf("smtpd:\n  users:\n"
	                          "    - {user: a, password: x, password_file: /run/x}\n"
	                          "    - {user: b, password_file: /nonexistent/pw}\n"
	                          "    - {user: c, password_file: relative}\n"
	                          "    - {user: d, password_file: %s}\n"
	                          "    - {user: e, password_file: %s}\n",
	                          two, empty);
	char *expected = prc_asprintf(
	    "error|t.yaml:3:45|smtpd.users[1]: set either password or password_file, not both\n"
	    "error|t.yaml:4:32|smtpd.users[2].password_file: cannot read /nonexistent/pw: No "
	    "such file or directory\n"
	    "error|t.yaml:5:32|smtpd.users[3].password_file: 'relative': expected an absolute "
	    "path (starting with '/')\n"
	    "error|t.yaml:6:32|smtpd.users[4].password_file: the file's content contains a "
	    "control character (newline, tab, ...), which is not allowed\n"
	    "error|t.yaml:7:32|smtpd.users[5].password_file: the file's content must not be "
	    "empty\n");
	load_err(yaml, expected);
	free(yaml);
	free(expected);
	unlink(two);
	unlink(empty);
	free(two);
	free(empty);
}
END_TEST

START_TEST(yaml_users_sender_relays_dkim_keys)
{
	struct prc_config *cfg =
	    load_ok("smtpd:\n"
	            "  users:\n"
	            "    - {user: app, password: \"a:b\"}\n"
	            "relay:\n"
	            "  sender_relays:\n"
	            "    - sender: \"@example.com\"\n"
	            "      relayhost: \"[smtp.example.com]:587\"\n"
	            "    - {sender: bob@example.org, relayhost: mx.example.org}\n"
	            "dkim:\n"
	            "  keys:\n"
	            "    - domain: example.com\n"
	            "      selector: s1\n"
	            "      key: /etc/opendkim/keys/example.com.key\n");
	const struct prc_value *v = VAL(cfg, SMTPD_USERS);
	ck_assert_str_eq(v->items[0].f[0], "app");
	ck_assert_str_eq(v->items[0].f[1], "a:b");
	v = VAL(cfg, RELAYHOST_MAP);
	ck_assert_uint_eq(v->nitems, 2);
	ck_assert_str_eq(v->items[0].f[0], "@example.com");
	ck_assert_str_eq(v->items[0].f[1], "[smtp.example.com]:587");
	ck_assert_str_eq(v->items[1].f[0], "bob@example.org");
	ck_assert_str_eq(v->items[1].origin, "t.yaml:8:7");
	v = VAL(cfg, DKIM_KEYS);
	ck_assert_str_eq(v->items[0].f[0], "example.com");
	ck_assert_str_eq(v->items[0].f[1], "s1");
	ck_assert_str_eq(v->items[0].f[2], "/etc/opendkim/keys/example.com.key");
	ck_assert_str_eq(v->items[0].origin, "t.yaml:11:7");
	prc_config_free(cfg);
	load_err("relay:\n"
	         "  sender_relays:\n"
	         "    - {sender: example.com, relayhost: mx.example.org}\n"
	         "    - {sender: \"@example.com\"}\n"
	         "dkim:\n"
	         "  keys:\n"
	         "    - {domain: example.com, selector: \"a b\", key: k}\n"
	         "    - {domain: example.com, selector: s, password_file: /x}\n",
	         "error|t.yaml:3:16|relay.sender_relays[1].sender: 'example.com': expected @domain "
	         "or user@domain\n"
	         "error|t.yaml:4:7|relay.sender_relays[2]: missing relayhost\n"
	         "error|t.yaml:7:39|dkim.keys[1].selector: 'a b': expected a DKIM selector "
	         "(letters, digits, '-', '.')\n"
	         "error|t.yaml:7:51|dkim.keys[1].key: 'k': expected an absolute path (starting "
	         "with '/')\n"
	         "error|t.yaml:8:42|dkim.keys[2].password_file: unknown key (expected domain, "
	         "selector, key)\n");
}
END_TEST

START_TEST(yaml_postfix_parameters_mapping)
{
	struct prc_config *cfg = load_ok("postfix:\n"
	                                 "  parameters:\n"
	                                 "    smtp_helo_timeout: 300\n"
	                                 "    smtputf8_enable: \"no\"\n"
	                                 "    header_size_limit: ~\n"
	                                 "    smtpd_banner: \"$myhostname ESMTP; hello\"\n");
	const struct prc_value *v = VAL(cfg, POSTCONF);
	ck_assert(v->explicit);
	ck_assert_uint_eq(v->nitems, 3);
	ck_assert_str_eq(v->items[0].f[0], "smtp_helo_timeout");
	ck_assert_str_eq(v->items[0].f[1], "300");
	ck_assert_str_eq(v->items[0].origin, "t.yaml:3:5");
	ck_assert_str_eq(v->items[1].f[1], "no");
	ck_assert_str_eq(v->items[2].f[0], "smtpd_banner");
	ck_assert_str_eq(v->items[2].f[1], "$myhostname ESMTP; hello");
	prc_config_free(cfg);
	load_err(
	    "postfix:\n"
	    "  parameters:\n"
	    "    smtputf8_enable: no\n"
	    "    9lives: x\n"
	    "    umask: 022\n"
	    "    mydestination: [a, b]\n"
	    "    smtputf8_enable: \"no\"\n",
	    "error|t.yaml:7:5|postfix.parameters.smtputf8_enable: duplicate key (first at line "
	    "3, column 5)\n"
	    "error|t.yaml:3:22|postfix.parameters.smtputf8_enable: unquoted 'no' is a boolean "
	    "in YAML 1.1; write \"no\" (quoted) for the text\n"
	    "error|t.yaml:4:5|postfix.parameters.9lives: '9lives' is not a Postfix parameter "
	    "name (letters, digits and '_', starting with a letter)\n"
	    "error|t.yaml:5:12|postfix.parameters.umask: unquoted '022' is an octal number in "
	    "YAML 1.1; write \"022\" (quoted) for the text\n"
	    "error|t.yaml:6:20|postfix.parameters.mydestination: expected a string, got a "
	    "list\n");
	load_err("postfix:\n  parameters: [a=b]\n",
	         "error|t.yaml:2:15|postfix.parameters: expected a mapping of Postfix parameter "
	         "names to values, got a list\n");
}
END_TEST

/* ---- precedence ---------------------------------------------------------- */

START_TEST(yaml_env_overrides_yaml_and_replaces_lists)
{
	struct prc_config *cfg = load_ok("mailname: yaml.example.com\n"
	                                 "relay:\n"
	                                 "  host: yaml.example.com\n"
	                                 "  credentials:\n"
	                                 "    - {user: a, password: b}\n"
	                                 "    - {host: x.example.com, user: c, password: d}\n");
	const char *env[] = {"RELAYHOST_PASSWORDMAP=e:f", "MAILNAME=env.example.com", NULL};
	struct prc_diags *d;
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env(cfg, env, d), 0);
	ck_assert_uint_eq(prc_diags_count(d), 0);
	assert_scalar(cfg, PRC_S_MAILNAME, "env.example.com", "env:MAILNAME");
	assert_scalar(cfg, PRC_S_RELAYHOST, "yaml.example.com", "t.yaml:3:9");
	const struct prc_value *v = VAL(cfg, RELAYHOST_PASSWORDMAP);
	ck_assert_uint_eq(v->nitems, 1);
	ck_assert_str_eq(v->items[0].f[1], "e");
	ck_assert_str_eq(v->origin, "env:RELAYHOST_PASSWORDMAP");
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_env_merges_postfix_parameters_by_name)
{
	struct prc_config *cfg = load_ok("postfix:\n"
	                                 "  parameters:\n"
	                                 "    smtp_helo_timeout: 300\n"
	                                 "    smtpd_banner: yaml\n");
	const char *env[] = {"POSTFIX_smtpd_banner=env", "POSTCONF=delay_warning_time=4h", NULL};
	struct prc_diags *d;
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env(cfg, env, d), 0);
	const struct prc_value *v = VAL(cfg, POSTCONF);
	ck_assert_uint_eq(v->nitems, 3);
	ck_assert_str_eq(v->items[0].f[0], "smtp_helo_timeout");
	ck_assert_str_eq(v->items[0].origin, "t.yaml:3:5");
	ck_assert_str_eq(v->items[1].f[1], "env");
	ck_assert_str_eq(v->items[1].origin, "env:POSTFIX_smtpd_banner");
	ck_assert_str_eq(v->items[2].f[0], "delay_warning_time");
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_bad_setting_keeps_previous_value_others_apply)
{
	struct prc_config *cfg;
	int rc;
	const char *y = "mailname: relay.example.com\ntls:\n  server:\n    level: maybe\n";
	char *text = load(y, strlen(y), &cfg, &rc);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	ck_assert_str_eq(VAL(cfg, MAILNAME)->str, "relay.example.com");
	ck_assert_str_eq(VAL(cfg, TLS_SECURITY_LEVEL)->str, "may");
	ck_assert_str_eq(VAL(cfg, TLS_SECURITY_LEVEL)->origin, "default");
	free(text);
	prc_config_free(cfg);
}
END_TEST

/* ---- diagnostics --------------------------------------------------------------- */

START_TEST(yaml_syntax_errors_with_line_and_column)
{
	load_err("mailname: a.example\nmynetworks: [10.0.0.0/8\n",
	         "error|t.yaml:3:1|YAML syntax error: did not find expected ',' or ']' (while "
	         "parsing a flow sequence at line 2, column 13)\n");
	load_err("mailname: x\n bad: 1\n",
	         "error|t.yaml:2:5|YAML syntax error: mapping values are not allowed in this "
	         "context\n");
	load_err("relay:\n\t- x\n",
	         "error|t.yaml:2:1|YAML syntax error: found character that cannot start any token "
	         "(while scanning for the next token at line 2, column 1)\n");
	load_err("mailname: *nope\n",
	         "error|t.yaml:1:11|alias *nope does not refer to an earlier, complete anchor\n");
}
END_TEST

START_TEST(yaml_unknown_keys_with_suggestions)
{
	load_err(
	    "mailnme: a.example.com\n"
	    "relayhost: x\n"
	    "USE_TLS: yes\n"
	    "tls.enabled: true\n"
	    "tls:\n"
	    "  servr:\n"
	    "    level: may\n"
	    "  level: may\n"
	    "relay:\n"
	    "  credentails: []\n"
	    "  hots: x\n"
	    "zzz: 1\n",
	    "error|t.yaml:1:1|mailnme: unknown key (did you mean mailname?)\n"
	    "error|t.yaml:2:1|relayhost: unknown key (did you mean relay.host, the YAML key of "
	    "RELAYHOST?)\n"
	    "error|t.yaml:3:1|USE_TLS: unknown key (did you mean tls.enabled, the YAML key of "
	    "USE_TLS?)\n"
	    "error|t.yaml:4:1|tls.enabled: unknown key (dotted keys are nested mappings: write "
	    "each part on its own level)\n"
	    "error|t.yaml:6:3|tls.servr: unknown key (did you mean tls.server?)\n"
	    "error|t.yaml:8:3|tls.level: unknown key (did you mean tls.server.level?)\n"
	    "error|t.yaml:10:3|relay.credentails: unknown key (did you mean "
	    "relay.credentials?)\n"
	    "error|t.yaml:11:3|relay.hots: unknown key (did you mean relay.host?)\n"
	    "error|t.yaml:12:1|zzz: unknown key\n");
}
END_TEST

START_TEST(yaml_wrong_types)
{
	load_err(
	    "mailname: [a.example.com]\n"
	    "mynetworks: 10.0.0.0/8\n"
	    "relay:\n"
	    "  credentials: {user: a, password: b}\n"
	    "  auth: {x: 1}\n"
	    "tls: true\n"
	    "dkim:\n"
	    "  keys: [example.com]\n"
	    "limits:\n"
	    "  destination_concurrency: \"lots\"\n",
	    "error|t.yaml:1:11|mailname: expected a string, got a list\n"
	    "error|t.yaml:2:13|mynetworks: expected a list, got a string\n"
	    "error|t.yaml:4:16|relay.credentials: expected a list of mappings, got a mapping\n"
	    "error|t.yaml:5:9|relay.auth: expected true or false, got a mapping\n"
	    "error|t.yaml:6:6|tls: expected a mapping, got a boolean\n"
	    "error|t.yaml:8:10|dkim.keys[1]: expected a mapping with keys domain, selector, "
	    "key, got a string\n"
	    "error|t.yaml:10:28|limits.destination_concurrency: 'lots': expected a whole number "
	    "from 1 to 1000\n");
	load_err("- mailname\n",
	         "error|t.yaml:1:1|expected a mapping of settings at the top level, got a list\n");
	load_err("? [a, b]\n: c\n",
	         "error|t.yaml:1:3|top level: expected a key name, got a list\n");
}
END_TEST

START_TEST(yaml_duplicate_keys)
{
	load_err("mailname: a.example.com\n"
	         "tls:\n"
	         "  enabled: true\n"
	         "mailname: b.example.com\n"
	         "tls:\n"
	         "  enabled: false\n"
	         "mailname: c.example.com\n",
	         "error|t.yaml:4:1|mailname: duplicate key (first at line 1, column 1)\n"
	         "error|t.yaml:5:1|tls: duplicate key (first at line 2, column 1)\n"
	         "error|t.yaml:7:1|mailname: duplicate key (first at line 1, column 1)\n");
}
END_TEST

START_TEST(yaml_control_characters)
{
	load_err(
	    "mailname: \"a\\x01b\"\n"
	    "relay:\n"
	    "  credentials:\n"
	    "    - {user: \"u\\tv\", password: \"p\\0q\"}\n"
	    "postfix:\n"
	    "  parameters:\n"
	    "    smtpd_banner: |\n"
	    "      two\n"
	    "      lines\n",
	    "error|t.yaml:1:11|mailname: value contains a control character (newline, tab, "
	    "...), which is not allowed\n"
	    "error|t.yaml:4:14|relay.credentials[1].user: 'u\\x09v': contains a control character "
	    "(newline, tab, ...), which is not allowed\n"
	    "error|t.yaml:4:32|relay.credentials[1].password: value contains a NUL character, "
	    "which is not allowed\n"
	    "error|t.yaml:7:19|postfix.parameters.smtpd_banner: value contains a control "
	    "character (newline, tab, ...), which is not allowed\n");
	/* raw control characters in the file: every one is reported, nothing applied */
	const char raw[] = "mailname: a\x01.example.com\nrelay:\n  host: \x7f\n";
	int rc;
	char *text = load(raw, sizeof(raw) - 1, NULL, &rc);
	ck_assert_str_eq(text, "error|t.yaml:1:12|control character U+0001 is not allowed in a "
	                       "YAML file\n"
	                       "error|t.yaml:3:9|control character U+007F is not allowed in a YAML "
	                       "file\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(yaml_multi_document_refused)
{
	load_err("---\nmailname: a.example.com\n---\nmailname: b.example.com\n",
	         "error|t.yaml:3:1|a second YAML document starts here; put every setting in one "
	         "document\n");
	/* one document with explicit markers is fine */
	struct prc_config *cfg = load_ok("---\nmailname: a.example.com\n...\n");
	ck_assert_str_eq(VAL(cfg, MAILNAME)->origin, "t.yaml:2:11");
	prc_config_free(cfg);
}
END_TEST

START_TEST(yaml_size_bound)
{
	size_t n = 4 * 1024 * 1024 + 1;
	char *big = malloc(n);
	memset(big, '#', n);
	big[n - 1] = '\n';
	int rc;
	char *text = load(big, n, NULL, &rc);
	ck_assert_str_eq(text,
	                 "error|t.yaml|larger than 4 MiB; this is not a configuration file\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
	/* exactly at the bound is read */
	text = load(big, n - 1, NULL, &rc);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	free(text);
	free(big);
}
END_TEST

START_TEST(yaml_nesting_depth_bound)
{
	/* libyaml's time grows with the square of the depth: stop at 64 levels */
	char y[256] = "mailname: ";
	memset(y + 10, '[', 100);
	memset(y + 110, ']', 100);
	strcpy(y + 210, "\n");
	load_err(y, "error|t.yaml:1:74|lists and mappings nested deeper than 64 levels\n");
}
END_TEST

START_TEST(yaml_non_utf8_reported_with_position)
{
	const char bad[] = "mailname: a.example.com\ntimezone: \"Z\xfcrich\"\nrelay:\n  host: "
	                   "\xc3\x28x\n";
	int rc;
	char *text = load(bad, sizeof(bad) - 1, NULL, &rc);
	ck_assert_str_eq(text,
	                 "error|t.yaml:2:13|byte 0xfc is not valid UTF-8; the file must be UTF-8 "
	                 "encoded\n"
	                 "error|t.yaml:4:9|byte 0xc3 is not valid UTF-8; the file must be UTF-8 "
	                 "encoded\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(yaml_columns_count_characters_bom_and_crlf)
{
	/* a BOM takes no column; CRLF is one line break; é is one column */
	const char y[] = "\xef\xbb\xbfmailname: a.example.com\r\n"
	                 "postfix: {parameters: {smtpd_banner: \"\xc3\xa9\"}, bogus: 1}\r\n";
	int rc;
	char *text = load(y, sizeof(y) - 1, NULL, &rc);
	ck_assert_str_eq(text, "error|t.yaml:2:44|postfix.bogus: unknown key\n");
	free(text);
}
END_TEST

START_TEST(yaml_tags_and_aliases)
{
	struct prc_config *cfg = load_ok("relay:\n"
	                                 "  credentials:\n"
	                                 "    - &cred {host: a.example.com, user: u, password: p}\n"
	                                 "    - *cred\n"
	                                 "dkim:\n"
	                                 "  domains: !!seq [example.com]\n");
	const struct prc_value *v = VAL(cfg, RELAYHOST_PASSWORDMAP);
	ck_assert_uint_eq(v->nitems, 2);
	/* an alias stands for the anchored node, origins included */
	ck_assert_str_eq(v->items[1].f[0], "a.example.com");
	ck_assert_str_eq(v->items[1].origin, "t.yaml:3:7");
	prc_config_free(cfg);
	load_err("limits:\n  destination_concurrency: !!int 5\ndkim: !custom {}\n",
	         "error|t.yaml:2:28|limits.destination_concurrency: tag !!int is not supported (a "
	         "value takes no tag, or !!str)\n"
	         "error|t.yaml:3:7|dkim: tag !custom is not supported (a value takes no tag, or "
	         "!!str)\n");
	/* an anchor is usable only once complete: no loops */
	load_err("dkim: &a\n  keys: *a\n",
	         "error|t.yaml:2:9|alias *a does not refer to an earlier, complete anchor\n");
}
END_TEST

START_TEST(yaml_empty_and_comment_only_files)
{
	const char *ok[] = {"", "# nothing\n", "---\n", "~\n", "{}\n"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct prc_config *cfg = load_ok(ok[i]);
		ck_assert(!VAL(cfg, MAILNAME)->set);
		prc_config_free(cfg);
	}
}
END_TEST

START_TEST(yaml_reports_every_problem)
{
	int rc;
	const char *y = "mailname: no\n"
	                "tls:\n  enabled: maybe\n  server: {level: x, key: rel}\n"
	                "relay:\n  credentials: [{user: a}]\n  hots: x\n"
	                "limits:\n  message_size: -1\n";
	char *text = load(y, strlen(y), NULL, &rc);
	size_t lines = 0;
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	ck_assert_uint_eq(lines, 7);
	free(text);
}
END_TEST

START_TEST(yaml_file_load_and_io_errors)
{
	char *path = temp_file("mailname: file.example.com\n");
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_yaml_file(cfg, path, d), 0);
	char *origin = prc_asprintf("%s:1:11", path);
	assert_scalar(cfg, PRC_S_MAILNAME, "file.example.com", origin);
	ck_assert_int_eq(prc_config_load_yaml_file(cfg, "/nonexistent/relay.yaml", d), PRC_ERR_IO);
	ck_assert_int_eq(prc_config_load_yaml_file(cfg, "/tmp", d), PRC_ERR_IO);
	char *text = diags_text(d);
	ck_assert_str_eq(text, "error||cannot read /nonexistent/relay.yaml: No such file or "
	                       "directory\n"
	                       "error||/tmp: not a regular file\n");
	ck_assert_int_eq(prc_config_load_yaml_file(NULL, path, d), PRC_ERR_ARG);
	free(text);
	free(origin);
	prc_diags_free(d);
	prc_config_free(cfg);
	unlink(path);
	free(path);
}
END_TEST

SUITE_BEGIN(yaml_types)
ADD(yaml_string_types_set_value_and_origin)
ADD(yaml_string_checks_reuse_env_messages)
ADD(yaml_refused_mailname_is_not_also_missing)
ADD(yaml_bool_true_false_yes_no)
ADD(yaml_bool_on_off_y_n_refused)
ADD(yaml_size_bytes_and_suffixes)
ADD(yaml_count_in_range_and_out_of_range)
ADD(yaml_count_octal_hex_float_refused)
ADD(yaml_time_number_and_unit)
ADD(yaml_enum_choices)
ADD(yaml_string_unquoted_boolean_refused_quoted_accepted)
ADD(yaml_string_plain_decimal_accepted_octal_float_refused)
ADD(yaml_null_means_default)
SUITE_END

SUITE_BEGIN(yaml_structures)
ADD(yaml_plain_lists_normalized_with_item_origins)
ADD(yaml_empty_list_is_explicitly_empty)
ADD(yaml_plain_list_items_checked_each)
ADD(yaml_credentials_items)
ADD(yaml_credentials_item_problems)
ADD(yaml_password_file_read_like_a_secret)
ADD(yaml_password_file_problems)
ADD(yaml_users_sender_relays_dkim_keys)
ADD(yaml_postfix_parameters_mapping)
ADD(yaml_env_overrides_yaml_and_replaces_lists)
ADD(yaml_env_merges_postfix_parameters_by_name)
ADD(yaml_bad_setting_keeps_previous_value_others_apply)
SUITE_END

SUITE_BEGIN(yaml_diagnostics)
ADD(yaml_syntax_errors_with_line_and_column)
ADD(yaml_unknown_keys_with_suggestions)
ADD(yaml_wrong_types)
ADD(yaml_duplicate_keys)
ADD(yaml_control_characters)
ADD(yaml_multi_document_refused)
ADD(yaml_size_bound)
ADD(yaml_nesting_depth_bound)
ADD(yaml_non_utf8_reported_with_position)
ADD(yaml_columns_count_characters_bom_and_crlf)
ADD(yaml_tags_and_aliases)
ADD(yaml_empty_and_comment_only_files)
ADD(yaml_reports_every_problem)
ADD(yaml_and_env_give_the_same_reason_for_the_same_mistake)
ADD(yaml_file_load_and_io_errors)
SUITE_END

TEST_MAIN(yaml_types_suite, yaml_structures_suite, yaml_diagnostics_suite)
