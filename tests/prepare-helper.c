/*
 * For the shell tests: run prc_tls_prepare() or prc_dkim_check() on a
 * configuration from NAME=VALUE arguments, rooted at ROOT, as `apply` will.
 * Usage: prepare-helper tls|dkim ROOT [NAME=VALUE...]
 * Prints the diagnostics on stderr; exits 0, or 1 when there is an error.
 */
#include "postrelaycfg.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "tls") && strcmp(argv[1], "dkim"))) {
		fprintf(stderr, "usage: prepare-helper tls|dkim ROOT [NAME=VALUE...]\n");
		return 64;
	}
	struct prc_config *cfg;
	struct prc_diags *d;
	if (prc_config_new(&cfg) || prc_diags_new(&d))
		return 70;
	int rc = prc_config_load_env(cfg, (const char *const *)argv + 3, d);
	if (!rc)
		rc = prc_config_set_root(cfg, argv[2]);
	if (!rc)
		rc = prc_config_validate(cfg, d);
	if (!rc)
		rc = !strcmp(argv[1], "tls") ? prc_tls_prepare(cfg, d) : prc_dkim_check(cfg, d);
	prc_diags_print(d, "prepare-helper", stderr);
	prc_diags_free(d);
	prc_config_free(cfg);
	return rc ? 1 : 0;
}
