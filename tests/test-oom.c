/*
 * Out of memory at every allocation: the library's own malloc/calloc/realloc
 * calls are wrapped (-Wl,--wrap) so that the Nth one fails, for N = 1, 2, ...
 * until a run needs no more than N-1.  Each run must end in PRC_ERR_NOMEM
 * (or success), never crash or leak (this suite runs under ASan and valgrind
 * too), and prc_render must leave the output directory as it was.
 */
#include "internal.h"
#include "test-common.h"

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <sys/stat.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* the allocation that fails; -1 = none */
static long calls;

/* OOM_TRACE=1 prints where the failing allocation is (for addr2line -e). */
static bool fail_now(void)
{
	calls++;
	bool fail = countdown >= 0 && calls == countdown;
	if (fail && getenv("OOM_TRACE") && strtol(getenv("OOM_TRACE"), NULL, 10) == countdown) {
		void *frames[16];
		int n = backtrace(frames, 16);
		backtrace_symbols_fd(frames, n, 2);
	}
	return fail;
}

void *__wrap_malloc(size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

static void arm(long n)
{
	calls = 0;
	countdown = n;
}

/* NUL-terminated lines of examples/NAME as an envp (comments dropped). */
static char **read_env(const char *name, char **store)
{
	char *path = prc_asprintf("%s/examples/%s", SOURCE_ROOT, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	free(path);
	char **envp = calloc(len + 2, sizeof(*envp));
	size_t k = 0;
	for (char *p = buf, *next; p && *p; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		if (*p && *p != '#')
			envp[k++] = p;
	}
	*store = buf;
	return envp;
}

static char *read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	int c;
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

/* The names in @dir, sorted, one per line (caller frees). */
static char *listing(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	for (int i = 0; i < n; i++) {
		fprintf(m, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	fclose(m);
	return buf;
}

/* One whole run: load, validate, emit every used file, print, render. */
static int pipeline(const char *const *envp, const char *yaml, size_t yaml_len, const char *dir)
{
	struct prc_config *cfg = NULL;
	struct prc_diags *d = NULL;
	int rc = prc_config_new(&cfg);
	if (!rc)
		rc = prc_diags_new(&d);
	if (!rc && yaml)
		rc = prc_config_load_yaml_buffer(cfg, "oom.yaml", yaml, yaml_len, d);
	if (!rc && envp)
		rc = prc_config_load_env(cfg, envp, d);
	if (!rc)
		rc = prc_config_validate(cfg, d);
	for (int f = 0; !rc && f < PRC_FILE_COUNT; f++) {
		if (!prc_file_is_used(cfg, f))
			continue;
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		rc = prc_emit(cfg, f, m);
		fclose(m);
		free(buf);
	}
	if (!rc) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		rc = prc_config_print(cfg, m);
		fclose(m);
		free(buf);
	}
	if (!rc)
		rc = prc_render(cfg, dir, NULL, d);
	/* the diagnostics collected so far stay readable (no ck_assert here: Check
	 * allocates, and its allocations are wrapped too) */
	for (size_t i = 0; i < prc_diags_count(d); i++)
		if (!prc_diags_message(d, i) || !prc_diags_origin(d, i))
			abort();
	prc_diags_free(d);
	prc_config_free(cfg);
	return rc;
}

/* Fail each allocation of a run in turn. */
static void every_allocation(const char *const *envp, const char *yaml, size_t yaml_len)
{
	char tmpl[] = "/tmp/prc-oom-XXXXXX";
	char *dir = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(dir);
	/* a first good render: later failed renders must leave exactly this */
	arm(-1);
	ck_assert_int_eq(pipeline(envp, yaml, yaml_len, dir), 0);
	long needed = calls;
	char *main_cf = prc_asprintf("%s/main.cf", dir);
	size_t good_len;
	char *good = read_text(main_cf, &good_len);
	char *names = listing(dir);
	/* make the rendered main.cf recognisable: a failed render must not replace it */
	FILE *f = fopen(main_cf, "a");
	fputs("# marker\n", f);
	fclose(f);
	size_t marked_len;
	char *marked = read_text(main_cf, &marked_len);
	long failures = 0;
	for (long n = 1; n <= needed; n++) {
		arm(n);
		int rc = pipeline(envp, yaml, yaml_len, dir);
		arm(-1);
		ck_assert_msg(rc == PRC_ERR_NOMEM || rc == PRC_OK,
		              "allocation %ld of %ld failed: status %d", n, needed, rc);
		char *now = listing(dir);
		ck_assert_msg(!strcmp(now, names), "allocation %ld: directory now holds\n%s", n,
		              now);
		free(now);
		size_t len;
		char *text = read_text(main_cf, &len);
		if (rc == PRC_OK) {
			/* the failure hit a path that recovers: the render is whole */
			ck_assert(len == good_len && !memcmp(text, good, len));
			f = fopen(main_cf, "a");
			fputs("# marker\n", f);
			fclose(f);
		} else {
			ck_assert_msg(len == marked_len && !memcmp(text, marked, len),
			              "allocation %ld: main.cf changed by a failed render", n);
			failures++;
		}
		free(text);
	}
	ck_assert_int_gt(failures, 0);
	free(good);
	free(marked);
	free(names);
	free(main_cf);
	char *cmd = prc_asprintf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

START_TEST(oom_every_allocation_env_complete)
{
	char *store;
	char **envp = read_env("complete.env", &store);
	every_allocation((const char *const *)envp, NULL, 0);
	free(envp);
	free(store);
}
END_TEST

START_TEST(oom_every_allocation_env_with_credentials_and_passthrough)
{
	const char *names[] = {"complete-seed.env", "passthrough.env", "dkim.env"};
	for (size_t i = 0; i < 3; i++) {
		char *store;
		char **envp = read_env(names[i], &store);
		every_allocation((const char *const *)envp, NULL, 0);
		free(envp);
		free(store);
	}
}
END_TEST

START_TEST(oom_every_allocation_yaml_complete)
{
	char *path = prc_asprintf("%s/examples/complete.yaml", SOURCE_ROOT);
	size_t len;
	char *yaml = read_text(path, &len);
	const char *envp[] = {"MAILNAME=oom.example.com", NULL};
	every_allocation(envp, yaml, len);
	free(yaml);
	free(path);
}
END_TEST

START_TEST(oom_invalid_input_reports_or_runs_out)
{
	/* error paths allocate too: each failure there must also end cleanly */
	const char *envp[] = {"MAILNAME=bad host",
	                      "MYNETWORKS=0.0.0.0/0 10.0.0.1/8",
	                      "RELAYHOST_PASSWORDMAP=a",
	                      "POSTCONF=x;1=2;a=b;a=c",
	                      "SIZELIMIT=lots",
	                      "POSTFIX_bad-name=1",
	                      NULL};
	arm(-1);
	ck_assert_int_eq(pipeline(envp, NULL, 0, "/nonexistent"), PRC_ERR_INVALID);
	long needed = calls;
	for (long n = 1; n <= needed; n++) {
		arm(n);
		int rc = pipeline(envp, NULL, 0, "/nonexistent");
		arm(-1);
		ck_assert_msg(rc == PRC_ERR_NOMEM || rc == PRC_ERR_INVALID,
		              "allocation %ld of %ld: status %d", n, needed, rc);
	}
}
END_TEST

SUITE_BEGIN(oom)
tcase_set_timeout(tc, 600);
ADD(oom_every_allocation_env_complete)
ADD(oom_every_allocation_env_with_credentials_and_passthrough)
ADD(oom_every_allocation_yaml_complete)
ADD(oom_invalid_input_reports_or_runs_out)
SUITE_END

TEST_MAIN(oom_suite)
