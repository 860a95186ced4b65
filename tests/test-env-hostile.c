/*
 * Hostile input to the env source, including what an env file cannot carry
 * (newlines, every control byte) and files that are not what they claim
 * (FIFOs, /proc files, oversized or NUL-holding secrets).
 */
#include "internal.h"
#include "test-common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char ctrl_msg[] =
    "value contains a control character (newline, tab, ...), which is not allowed";

/* A fresh temporary directory (caller removes it with rm_tmp). */
static char *make_tmp(void)
{
	char *dir = strdup("/tmp/prc-hostile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

static void rm_tmp(char *dir)
{
	char *cmd = prc_asprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

/* Write @len bytes of @data to DIR/NAME; returns the path (caller frees). */
static char *put_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = prc_asprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Load @envp only (no validation); returns the diagnostics text. */
static char *load_only(const char *const *envp, int *rc, struct prc_config **cfg_out)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	*rc = prc_config_load_env(cfg, envp, d);
	char *text = diags_text(d);
	prc_diags_free(d);
	if (cfg_out)
		*cfg_out = cfg;
	else
		prc_config_free(cfg);
	return text;
}

/* Every control byte a value could carry, including CR/LF line injection. */
static const char *const controls[] = {"\n",   "\r",   "\r\n", "\t",   "\x01", "\x08",
                                       "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\xc2\x85"};
#define NCONTROLS (sizeof(controls) / sizeof(controls[0]))

START_TEST(env_control_bytes_rejected_in_every_setting)
{
	for (size_t i = 0; i < prc_setting_count(); i++) {
		const char *name = prc_setting_env(i);
		if (i == PRC_S_POSTMAP)
			continue; /* a table's text is lines: see env_table_text_controls */
		for (size_t k = 0; k < NCONTROLS; k++) {
			char *var = prc_asprintf("%s=x%sinjected = yes", name, controls[k]);
			const char *envp[] = {var, NULL};
			struct prc_config *cfg;
			int rc;
			char *text = load_only(envp, &rc, &cfg);
			char *want = prc_asprintf("error|env:%s|%s\n", name, ctrl_msg);
			ck_assert_msg(!strcmp(text, want), "%s with control %zu: got '%s'", name, k,
			              text);
			ck_assert_int_eq(rc, PRC_ERR_INVALID);
			/* the setting keeps its previous value (the default) */
			ck_assert(!cfg->v[i].explicit);
			prc_config_free(cfg);
			free(want);
			free(text);
			free(var);
		}
	}
}
END_TEST

/* POSTMAP_<name> holds lines: newline, CR and tab are its syntax, nothing else is. */
START_TEST(env_table_text_controls)
{
	for (size_t k = 0; k < NCONTROLS; k++) {
		char *var = prc_asprintf("POSTMAP_t=a b%sc d", controls[k]);
		const char *envp[] = {var, NULL};
		struct prc_config *cfg;
		int rc;
		char *text = load_only(envp, &rc, &cfg);
		bool allowed = strspn(controls[k], "\r\n\t") == strlen(controls[k]);
		if (allowed) {
			ck_assert_msg(!strcmp(text, ""), "control %zu: got '%s'", k, text);
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(cfg->v[PRC_S_POSTMAP].nitems, 1);
		} else {
			ck_assert_msg(!strcmp(text, "error|env:POSTMAP_t|table contains a control "
			                            "character other than newline and tab\n"),
			              "control %zu: got '%s'", k, text);
			ck_assert_int_eq(rc, PRC_ERR_INVALID);
			ck_assert_uint_eq(cfg->v[PRC_S_POSTMAP].nitems, 0);
		}
		prc_config_free(cfg);
		free(text);
		free(var);
	}
}
END_TEST

START_TEST(env_control_bytes_rejected_in_postfix_passthrough)
{
	for (size_t k = 0; k < NCONTROLS; k++) {
		char *var =
		    prc_asprintf("POSTFIX_smtpd_banner=hi%smynetworks = 0.0.0.0/0", controls[k]);
		const char *envp[] = {var, NULL};
		struct prc_config *cfg;
		int rc;
		char *text = load_only(envp, &rc, &cfg);
		char *want = prc_asprintf("error|env:POSTFIX_smtpd_banner|%s\n", ctrl_msg);
		ck_assert_str_eq(text, want);
		ck_assert_int_eq(rc, PRC_ERR_INVALID);
		ck_assert_uint_eq(cfg->v[PRC_S_POSTCONF].nitems, 0);
		prc_config_free(cfg);
		free(want);
		free(text);
		free(var);
	}
}
END_TEST

START_TEST(env_control_bytes_in_secret_file_rejected)
{
	char *dir = make_tmp();
	/* newlines separate entries in a secret file; every other control byte is refused */
	for (size_t k = 0; k < NCONTROLS; k++) {
		if (!strcmp(controls[k], "\n") || !strcmp(controls[k], "\r\n"))
			continue;
		char *data = prc_asprintf("user:pass%sword\n", controls[k]);
		char *path = put_file(dir, "secret", data, strlen(data));
		const char *names[] = {"RELAYHOST_PASSWORDMAP", "SMTPD_USERS"};
		for (size_t n = 0; n < 2; n++) {
			char *var = prc_asprintf("%s_FILE=%s", names[n], path);
			const char *envp[] = {var, NULL};
			int rc;
			char *text = load_only(envp, &rc, NULL);
			char *want = prc_asprintf("error|env:%s_FILE|%s\n", names[n], ctrl_msg);
			ck_assert_str_eq(text, want);
			ck_assert_int_eq(rc, PRC_ERR_INVALID);
			free(want);
			free(text);
			free(var);
		}
		free(path);
		free(data);
	}
	rm_tmp(dir);
}
END_TEST

START_TEST(env_invalid_utf8_rejected)
{
	/* overlong, surrogate, above U+10FFFF, truncated, stray continuation */
	const char *bad[] = {
	    "\xc0\xaf",         "\xe0\x80\xaf",     "\xed\xa0\x80", "\xf0\x80\x80\xaf",
	    "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82",     "\x80",
	    "caf\xe9"};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char *var = prc_asprintf("TZ=Europe/Berlin%s", bad[k]);
		const char *envp[] = {var, NULL};
		int rc;
		char *text = load_only(envp, &rc, NULL);
		ck_assert_str_eq(text, "error|env:TZ|value is not valid UTF-8\n");
		ck_assert_int_eq(rc, PRC_ERR_INVALID);
		free(text);
		free(var);
	}
	/* well-formed multi-byte text passes the byte check (and fails the TZ syntax) */
	const char *envp[] = {"TZ=Europe/\xf0\x9f\x98\x80\xe2\x82\xac\xc3\xa9", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text, "error|env:TZ|'Europe/\xf0\x9f\x98\x80\xe2\x82\xac\xc3\xa9': "
	                       "expected a time zone name like UTC or Europe/Berlin\n");
	free(text);
}
END_TEST

START_TEST(env_secret_file_fifo_refused_without_blocking)
{
	char *dir = make_tmp();
	char *fifo = prc_asprintf("%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	char *var = prc_asprintf("SMTPD_USERS_FILE=%s", fifo);
	const char *envp[] = {var, NULL};
	int rc;
	alarm(10); /* a blocking open would hang here */
	char *text = load_only(envp, &rc, NULL);
	alarm(0);
	char *want = prc_asprintf("error|env:SMTPD_USERS_FILE|%s: not a regular file\n", fifo);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(var);
	free(fifo);
	rm_tmp(dir);
}
END_TEST

START_TEST(env_file_fifo_refused_without_blocking)
{
	char *dir = make_tmp();
	char *fifo = prc_asprintf("%s/env", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	alarm(10);
	ck_assert_int_eq(prc_config_load_env_file(cfg, fifo, d), PRC_ERR_IO);
	alarm(0);
	char *text = diags_text(d);
	char *want = prc_asprintf("error||%s: not a regular file\n", fifo);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	prc_diags_free(d);
	prc_config_free(cfg);
	free(fifo);
	rm_tmp(dir);
}
END_TEST

START_TEST(env_secret_file_size_not_trusted)
{
	/* /proc files report size 0 but have content: it must be read, not taken as empty */
	const char *envp[] = {"SMTPD_USERS_FILE=/proc/self/comm", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text, "error|env:SMTPD_USERS_FILE|entry 1: expected user:password\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(env_secret_file_limit_is_16mib)
{
	char *dir = make_tmp();
	size_t max = 16 * 1024 * 1024;
	char *data = malloc(max + 1);
	memcpy(data, "user:", 5);
	memset(data + 5, 'p', max - 5);
	char *path = put_file(dir, "exact", data, max);
	char *var = prc_asprintf("SMTPD_USERS_FILE=%s", path);
	const char *envp[] = {var, NULL};
	struct prc_config *cfg;
	int rc;
	char *text = load_only(envp, &rc, &cfg);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(strlen(cfg->v[PRC_S_SMTPD_USERS].items[0].f[1]), max - 5);
	prc_config_free(cfg);
	free(text);
	free(var);
	free(path);

	data[max] = 'p';
	path = put_file(dir, "over", data, max + 1);
	var = prc_asprintf("SMTPD_USERS_FILE=%s", path);
	envp[0] = var;
	text = load_only(envp, &rc, NULL);
	char *want = prc_asprintf("error|env:SMTPD_USERS_FILE|%s: larger than 16 MiB\n", path);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(var);
	free(path);
	free(data);
	rm_tmp(dir);
}
END_TEST

START_TEST(env_secret_file_nul_byte_refused)
{
	char *dir = make_tmp();
	char *path = put_file(dir, "nul", "user:pa\0ss\n", 11);
	char *var = prc_asprintf("RELAYHOST_PASSWORDMAP_FILE=%s", path);
	const char *envp[] = {var, NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	char *want =
	    prc_asprintf("error|env:RELAYHOST_PASSWORDMAP_FILE|%s: contains a NUL byte\n", path);
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(want);
	free(text);
	free(var);
	free(path);
	rm_tmp(dir);
}
END_TEST

START_TEST(env_file_path_control_bytes_escaped_in_diagnostic)
{
	const char *envp[] = {"SMTPD_USERS_FILE=/nonexistent\n/x\x1b[2J", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text,
	                 "error|env:SMTPD_USERS_FILE|cannot read /nonexistent\\x0a/x\\x1b[2J: "
	                 "No such file or directory\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(env_long_value_clipped_in_diagnostic)
{
	char host[301];
	memset(host, 'a', 300);
	host[300] = '\0';
	char *var = prc_asprintf("MAILNAME=%s", host);
	const char *envp[] = {var, NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text,
	                 "error|env:MAILNAME|'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                 "aaaaaaaaaaaa...': host name is longer than 253 characters\n");
	free(text);
	free(var);
	/* a multi-byte character is never cut in half */
	char *val = prc_asprintf("BOUNCE_ADDRESS=%.63s\xc3\xa9xxxx", host);
	envp[0] = val;
	text = load_only(envp, &rc, NULL);
	char *want = prc_asprintf("error|env:BOUNCE_ADDRESS|'%.63s...': expected an address like "
	                          "user@example.com\n",
	                          host);
	ck_assert_str_eq(text, want);
	free(want);
	free(text);
	free(val);
}
END_TEST

START_TEST(env_file_syntax_errors_carry_file_and_line)
{
	char *dir = make_tmp();
	const char data[] = "# comment\nMAILNAME=mail.example.com\nRELAYHOST \nSIZELIMIT =1\n";
	char *path = put_file(dir, "x.env", data, sizeof(data) - 1);
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env_file(cfg, path, d), PRC_ERR_INVALID);
	char *text = diags_text(d);
	char *want = prc_asprintf("error|%s:3|expected NAME=value\n"
	                          "error|%s:4|variable name 'SIZELIMIT ' contains a blank\n",
	                          path, path);
	ck_assert_str_eq(text, want);
	char *origin = prc_asprintf("%s:3", path);
	ck_assert_str_eq(prc_diags_origin(d, 0), origin);
	free(origin);
	free(want);
	free(text);
	prc_diags_free(d);
	prc_config_free(cfg);
	free(path);
	rm_tmp(dir);
}
END_TEST

START_TEST(env_file_unreadable_is_io_error_without_validation_noise)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env_file(cfg, "/nonexistent/x.env", d), PRC_ERR_IO);
	char *text = diags_text(d);
	ck_assert_str_eq(text,
	                 "error||cannot read /nonexistent/x.env: No such file or directory\n");
	free(text);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

/* Validation errors of @envp (MAILNAME given), as diags_text lines. */
static char *validate_env(const char *extra, const char *extra2)
{
	const char *envp[] = {"MAILNAME=mail.example.com", extra, extra2, NULL};
	int rc;
	char *text = load_env(envp, NULL, &rc);
	return text;
}

START_TEST(open_relay_mynetworks_prefix_bounds)
{
	const char *fine[] = {"10.0.0.0/8", "11.0.0.0/8", "fc00::/7",      "fe80::/10",
	                      "2001::/16",  "::1/128",    "192.168.0.0/16"};
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		char *var = prc_asprintf("MYNETWORKS=%s", fine[i]);
		char *text = validate_env(var, NULL);
		ck_assert_msg(!strcmp(text, ""), "%s: %s", fine[i], text);
		free(text);
		free(var);
	}
	const char *wide[][2] = {
	    {"0.0.0.0/0", "0.0.0.0/0 lets every address on the Internet"},
	    {"::/0", "[::]/0 lets every address on the Internet"},
	    {"10.0.0.0/7", "10.0.0.0/7 lets a large part of the Internet"},
	    {"128.0.0.0/1", "128.0.0.0/1 lets a large part of the Internet"},
	    {"2000::/3", "[2000::]/3 lets a large part of the Internet"},
	    {"2000::/15", "[2000::]/15 lets a large part of the Internet"},
	    {"fc00::/6", "[fc00::]/6 lets a large part of the Internet"},
	    {"fe80::/9", "[fe80::]/9 lets a large part of the Internet"},
	};
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		char *var = prc_asprintf("MYNETWORKS=192.168.0.0/16 %s", wide[i][0]);
		char *text = validate_env(var, NULL);
		char *want = prc_asprintf("error|env:MYNETWORKS|entry 2: %s relay (an open relay); "
		                          "list your clients' networks instead\n",
		                          wide[i][1]);
		ck_assert_str_eq(text, want);
		free(want);
		free(text);
		free(var);
	}
}
END_TEST

START_TEST(open_relay_through_passthrough)
{
	char *text = validate_env("POSTFIX_mynetworks=10.0.0.0/8, 0.0.0.0/0 hash:/etc/x", NULL);
	ck_assert_str_eq(text, "error|env:POSTFIX_mynetworks|parameter mynetworks: 0.0.0.0/0 lets "
	                       "every address on the Internet relay (an open relay)\n"
	                       "warning|env:POSTFIX_mynetworks|parameter mynetworks overrides the "
	                       "value postrelay derives from MYNETWORKS\n");
	free(text);
	text = validate_env("POSTCONF=smtpd_relay_restrictions=permit_mynetworks,permit,"
	                    "reject_unauth_destination",
	                    NULL);
	ck_assert_str_eq(text, "error|env:POSTCONF|parameter smtpd_relay_restrictions: 'permit' "
	                       "ahead of reject_unauth_destination lets anyone relay (an open "
	                       "relay)\n");
	free(text);
	/* permit after the relay check is harmless */
	text = validate_env("POSTFIX_smtpd_recipient_restrictions=permit_mynetworks "
	                    "reject_unauth_destination permit",
	                    NULL);
	ck_assert_str_eq(text, "");
	free(text);
	text = validate_env("POSTFIX_relay_domains=static:ALL", NULL);
	ck_assert_str_eq(text, "error|env:POSTFIX_relay_domains|parameter relay_domains: a static: "
	                       "table makes every domain a relay domain (an open relay)\n");
	free(text);
}
END_TEST

START_TEST(env_lone_trailing_backslash_reported_not_dropped)
{
	const char *vars[][2] = {
	    {"RELAYHOST_PASSWORDMAP=user:secret\\", "RELAYHOST_PASSWORDMAP|entry 1"},
	    {"SMTPD_USERS=app:secret,\\", "SMTPD_USERS|entry 2"},
	    {"RELAYHOST_MAP=@example.com:[smtp.example.net]:587\\", "RELAYHOST_MAP|entry 1"},
	    {"DKIM_KEYS=example.com=mail:/k\\", "DKIM_KEYS|entry 1"},
	    {"MYNETWORKS=10.0.0.0/8 \\", "MYNETWORKS|entry 2"},
	};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *envp[] = {vars[i][0], NULL};
		int rc;
		char *text = load_only(envp, &rc, NULL);
		char *want = prc_asprintf("error|env:%s: ends with a lone '\\' (write \\\\ for a "
		                          "backslash)\n",
		                          vars[i][1]);
		ck_assert_str_eq(text, want);
		ck_assert_int_eq(rc, PRC_ERR_INVALID);
		free(want);
		free(text);
	}
}
END_TEST

START_TEST(env_numeric_top_label_is_not_a_host)
{
	const char *envp[] = {"MAILNAME=10.0.0.300", "DKIM_EXTERNALIGNORE=300.1.1.1", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text, "error|env:MAILNAME|'10.0.0.300': host name ends in an all-numeric "
	                       "label (and is not an IPv4 address)\n"
	                       "error|env:DKIM_EXTERNALIGNORE|entry 1: '300.1.1.1': expected a "
	                       "network (10.0.0.0/8) or a host name\n");
	free(text);
	ck_assert_ptr_null(prc_check_host("mail.example123.com"));
	ck_assert_ptr_null(prc_check_host("1mail.example.com"));
	/* DKIM selectors are often dates: all digits is a fine selector */
	ck_assert_ptr_null(prc_check_selector("20240601"));
}
END_TEST

START_TEST(env_count_messages_read_well)
{
	const char *envp[] = {"SMTP_DESTINATION_CONCURRENCY_LIMIT=+2",
	                      "SMTP_EXTRA_RECIPIENT_LIMIT=0", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text, "error|env:SMTP_DESTINATION_CONCURRENCY_LIMIT|'+2': expected a "
	                       "whole number from 1 to 1000\n"
	                       "error|env:SMTP_EXTRA_RECIPIENT_LIMIT|'0' is out of range (expected "
	                       "1 to 100000)\n");
	free(text);
}
END_TEST

START_TEST(env_postconf_parameter_given_twice)
{
	const char *envp[] = {"POSTCONF=smtpd_banner=a;x=1;smtpd_banner=b", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(
	    text,
	    "error|env:POSTCONF|entry 3: parameter 'smtpd_banner' is already set by entry 1\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(env_postconf_duplicate_names_the_right_entry_after_a_bad_one)
{
	/* entry 1 is not name=value: the first smtpd_banner is entry 2, not item 1 */
	const char *envp[] = {"POSTCONF=oops;smtpd_banner=a;smtpd_banner=b", NULL};
	int rc;
	char *text = load_only(envp, &rc, NULL);
	ck_assert_str_eq(text,
	                 "error|env:POSTCONF|entry 1: expected name=value\n"
	                 "error|env:POSTCONF|entry 3: parameter 'smtpd_banner' is already set "
	                 "by entry 2\n");
	ck_assert_int_eq(rc, PRC_ERR_INVALID);
	free(text);
}
END_TEST

START_TEST(env_refused_mailname_not_reported_twice_but_still_invalid)
{
	const char *envp[] = {"MAILNAME=bad host", NULL};
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(prc_config_load_env(cfg, envp, d), PRC_ERR_INVALID);
	/* a caller that ignores the load error still cannot get it validated */
	ck_assert_int_eq(prc_config_validate(cfg, d), PRC_ERR_INVALID);
	char *text = diags_text(d);
	ck_assert_str_eq(text, "error|env:MAILNAME|'bad host': host name may only contain letters, "
	                       "digits, '-' and '.'\n");
	free(text);
	/* a later good value clears the refusal */
	const char *good[] = {"MAILNAME=mail.example.com", NULL};
	ck_assert_int_eq(prc_config_load_env(cfg, good, d), 0);
	ck_assert_int_eq(prc_config_validate(cfg, d), 0);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

SUITE_BEGIN(env_hostile)
ADD(env_control_bytes_rejected_in_every_setting)
ADD(env_control_bytes_rejected_in_postfix_passthrough)
ADD(env_table_text_controls)
ADD(env_control_bytes_in_secret_file_rejected)
ADD(env_invalid_utf8_rejected)
ADD(env_secret_file_fifo_refused_without_blocking)
ADD(env_file_fifo_refused_without_blocking)
ADD(env_secret_file_size_not_trusted)
ADD(env_secret_file_limit_is_16mib)
ADD(env_secret_file_nul_byte_refused)
ADD(env_file_path_control_bytes_escaped_in_diagnostic)
ADD(env_long_value_clipped_in_diagnostic)
ADD(env_file_syntax_errors_carry_file_and_line)
ADD(env_file_unreadable_is_io_error_without_validation_noise)
ADD(open_relay_mynetworks_prefix_bounds)
ADD(open_relay_through_passthrough)
ADD(env_lone_trailing_backslash_reported_not_dropped)
ADD(env_numeric_top_label_is_not_a_host)
ADD(env_count_messages_read_well)
ADD(env_postconf_parameter_given_twice)
ADD(env_postconf_duplicate_names_the_right_entry_after_a_bad_one)
ADD(env_refused_mailname_not_reported_twice_but_still_invalid)
SUITE_END

TEST_MAIN(env_hostile_suite)
