/* The writer: atomic, all-or-nothing, modes, stale files, back-dated mtimes. */
#include "internal.h"
#include "test-common.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/prc-writer-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char *cmd = prc_asprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *path(const char *name)
{
	return prc_asprintf("%s/%s", dir, name);
}

static char *slurp(const char *name)
{
	char *p = path(name), *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(p, "r"), *m = open_memstream(&buf, &len);
	ck_assert_msg(f != NULL, "cannot open %s", p);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	free(p);
	return buf;
}

static void put(const char *name, const char *content)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static bool exists(const char *name)
{
	char *p = path(name);
	bool e = access(p, F_OK) == 0;
	free(p);
	return e;
}

static int render(const char *const *envp, char **diags_out)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	int rc = prc_config_load_env(cfg, envp, d);
	if (!rc)
		rc = prc_render(cfg, dir, NULL, d);
	if (diags_out)
		*diags_out = diags_text(d);
	prc_diags_free(d);
	prc_config_free(cfg);
	return rc;
}

/* Names in the directory, sorted, "a b c". */
static char *listing(void)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	struct prc_buf b = {0};
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' || names[i]->d_name[1] == 'p')
			prc_buf_printf(&b, "%s%s", b.len ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return prc_buf_take(&b);
}

START_TEST(writer_invalid_config_changes_nothing)
{
	put("main.cf", "old main.cf\n");
	char *diags;
	ck_assert_int_eq(render((const char *[]){"MYNETWORKS=0.0.0.0/0", NULL}, &diags),
	                 PRC_ERR_INVALID);
	ck_assert_ptr_nonnull(strstr(diags, "MAILNAME is required"));
	free(diags);
	char *m = slurp("main.cf"), *l = listing();
	ck_assert_str_eq(m, "old main.cf\n");
	ck_assert_str_eq(l, "main.cf");
	free(m);
	free(l);
}
END_TEST

START_TEST(writer_writes_used_files_with_modes)
{
	ck_assert_int_eq(render((const char *[]){"MAILNAME=m.example.com", "RELAYHOST=r.example",
	                                         "RELAYHOST_AUTH=yes", "RELAYHOST_PASSWORDMAP=u:p",
	                                         "SMTPD_USERS=a:b", NULL},
	                        NULL),
	                 0);
	char *l = listing();
	/* no temporary directory is left behind */
	ck_assert_str_eq(l, "main.cf master.cf sasl sasl_passwd");
	free(l);
	struct stat st;
	char *p = path("sasl_passwd");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	free(p);
	p = path("main.cf");
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	/* dated back so that Postfix does not wait for main.cf to age */
	ck_assert_int_le(st.st_mtime, time(NULL) - 4);
	free(p);
	ck_assert(exists("sasl/smtpd.conf"));
}
END_TEST

START_TEST(writer_removes_only_its_own_stale_files)
{
	ck_assert_int_eq(render((const char *[]){"MAILNAME=m.example.com", "HEADER_CHECKS=true",
	                                         "RELAYHOST_MAP=@a.example:r.example", NULL},
	                        NULL),
	                 0);
	ck_assert(exists("header_checks"));
	ck_assert(exists("sender_relay"));
	put("sasl_passwd", "[mine.example] me:my-own-file\n");
	ck_assert_int_eq(render((const char *[]){"MAILNAME=m.example.com", NULL}, NULL), 0);
	ck_assert(!exists("header_checks"));
	ck_assert(!exists("sender_relay"));
	/* a file the user wrote is never removed */
	ck_assert(exists("sasl_passwd"));
}
END_TEST

START_TEST(writer_is_byte_identical_on_rerun)
{
	const char *envp[] = {"MAILNAME=m.example.com", "SMTPD_USERS=a:b", NULL};
	ck_assert_int_eq(render(envp, NULL), 0);
	char *a = slurp("main.cf");
	ck_assert_int_eq(render(envp, NULL), 0);
	char *b = slurp("main.cf");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(writer_unwritable_directory_is_an_io_error)
{
	char *diags;
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	ck_assert_int_eq(
	    prc_config_load_env(cfg, (const char *[]){"MAILNAME=m.example.com", NULL}, d), 0);
	put("file", "x");
	char *target = path("file/sub");
	ck_assert_int_eq(prc_render(cfg, target, NULL, d), PRC_ERR_IO);
	diags = diags_text(d);
	char *want = prc_asprintf("error|%s|cannot create directory: Not a directory\n", target);
	ck_assert_str_eq(diags, want);
	free(want);
	free(diags);
	free(target);
	prc_diags_free(d);
	prc_config_free(cfg);
}
END_TEST

static Suite *writer_suite(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("writer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writer_invalid_config_changes_nothing);
	tcase_add_test(tc, writer_writes_used_files_with_modes);
	tcase_add_test(tc, writer_removes_only_its_own_stale_files);
	tcase_add_test(tc, writer_is_byte_identical_on_rerun);
	tcase_add_test(tc, writer_unwritable_directory_is_an_io_error);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(writer_suite)
