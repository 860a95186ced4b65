/* Helpers shared by the Check suites. */
#ifndef PRC_TEST_COMMON_H
#define PRC_TEST_COMMON_H

#include "postrelaycfg.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every suite file ends with TEST_MAIN(suite_fn, suite_fn, ...). */
#define TEST_MAIN(...)                                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		Suite *(*suites[])(void) = {__VA_ARGS__};                                          \
		SRunner *sr = srunner_create(NULL);                                                \
		for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)                    \
			srunner_add_suite(sr, suites[i]());                                        \
		srunner_run_all(sr, CK_ENV);                                                       \
		int failed = srunner_ntests_failed(sr);                                            \
		srunner_free(sr);                                                                  \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                       \
	}

/* One-test-case suite builder: SUITE_BEGIN(name) ADD(test) ... SUITE_END */
#define SUITE_BEGIN(name)                                                                          \
	static Suite *name##_suite(void)                                                           \
	{                                                                                          \
		Suite *s = suite_create(#name);                                                    \
		TCase *tc = tcase_create(#name);
#define ADD(t) tcase_add_test(tc, t);
#define SUITE_END                                                                                  \
	suite_add_tcase(s, tc);                                                                    \
	return s;                                                                                  \
	}

/* All diagnostics as "severity|origin|message" lines, for exact assertions. */
static inline char *diags_text(const struct prc_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (size_t i = 0; i < prc_diags_count(d); i++)
		fprintf(f, "%s|%s|%s\n",
		        prc_diags_severity(d, i) == PRC_SEV_ERROR ? "error" : "warning",
		        prc_diags_origin(d, i), prc_diags_message(d, i));
	fclose(f);
	return buf;
}

/*
 * Load @envp into a fresh config, validate, and return the diagnostics text;
 * *cfg_out gets the config when non-NULL (caller frees).  *rc_out gets the
 * first failing status (load, then validate).
 */
static inline char *load_env(const char *const *envp, struct prc_config **cfg_out, int *rc_out)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	ck_assert_int_eq(prc_config_new(&cfg), 0);
	ck_assert_int_eq(prc_diags_new(&d), 0);
	int rc = prc_config_load_env(cfg, envp, d);
	int vrc = prc_config_validate(cfg, d);
	if (!rc)
		rc = vrc;
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

/* Emit one file to a string (caller frees). */
static inline char *emit_text(const struct prc_config *cfg, enum prc_file file)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(prc_emit(cfg, file, f), 0);
	fclose(f);
	return buf;
}

#endif
