/*
 * Ask the plan what the library decided, without running Postfix: the
 * effective value of a Postfix parameter and where it came from, the
 * listeners, and the entries of the relay credential table.  The settings
 * come from this program's environment, as the image's entrypoint gets them.
 *
 *   cc plan.c $(pkg-config --cflags --libs postrelaycfg) -o plan
 *   MAILNAME=mail.example.com SIZELIMIT=10M ./plan message_size_limit
 */
#include <postrelaycfg.h>

#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *param = argc > 1 ? argv[1] : "myhostname";
	struct prc_config *cfg = NULL;
	struct prc_diags *diags = NULL;
	struct prc_plan *plan = NULL;
	int rc = prc_config_new(&cfg);
	if (!rc)
		rc = prc_diags_new(&diags);
	if (!rc)
		rc = prc_config_load_env(cfg, (const char *const *)environ, diags);
	if (!rc)
		rc = prc_plan_new(&plan, cfg, diags); /* validates first */
	if (!rc) {
		const char *origin;
		const char *value = prc_plan_param(plan, param, &origin);
		if (value)
			printf("%s = %s (from %s)\n", param, value, origin);
		else
			printf("%s: not set by postrelay (Postfix's default)\n", param);
		for (size_t i = 0; i < prc_plan_service_count(plan); i++) {
			const char *name;
			unsigned port;
			prc_plan_service(plan, i, &name, NULL, NULL, &port);
			if (port)
				printf("listener %s on port %u\n", name, port);
		}
		for (size_t i = 0; i < prc_plan_table_count(plan, PRC_FILE_SASL_PASSWD); i++) {
			const char *key, *entry_origin;
			prc_plan_table_entry(plan, PRC_FILE_SASL_PASSWD, i, &key, NULL, &entry_origin);
			printf("credential for %s (from %s)\n", key, entry_origin);
		}
	}
	prc_diags_print(diags, "plan", stderr);
	prc_plan_free(plan);
	prc_diags_free(diags);
	prc_config_free(cfg);
	return rc ? 1 : 0;
}
