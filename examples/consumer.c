/*
 * A small program that links libpostrelaycfg: build a configuration from
 * a few settings of its own, validate it, and print main.cf, or the
 * diagnostics.  Build it against the installed library:
 *
 *   cc consumer.c $(pkg-config --cflags --libs postrelaycfg) -o consumer
 */
#include <postrelaycfg.h>

#include <stdio.h>

int main(int argc, char **argv)
{
	const char *mailname = argc > 1 ? argv[1] : "mail.example.com";
	char name[300];
	snprintf(name, sizeof(name), "MAILNAME=%s", mailname);
	const char *envp[] = {name, "RELAYHOST=[smtp.example.net]:587", "SIZELIMIT=10M", NULL};

	struct prc_config *cfg = NULL;
	struct prc_diags *diags = NULL;
	int rc = prc_config_new(&cfg);
	if (!rc)
		rc = prc_diags_new(&diags);
	if (!rc)
		rc = prc_config_load_env(cfg, envp, diags);
	if (!rc)
		rc = prc_config_validate(cfg, diags);
	if (!rc)
		rc = prc_emit(cfg, PRC_FILE_MAIN_CF, stdout);
	prc_diags_print(diags, "consumer", stderr);
	prc_diags_free(diags);
	prc_config_free(cfg);
	return rc ? 1 : 0;
}
