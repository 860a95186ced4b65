/* libFuzzer target: env -> validate -> every emitter and print, all in memory. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *store;
	char **envp = fuzz_envp(data, size, &store);
	if (!envp)
		return 0;
	struct prc_config *cfg;
	struct prc_diags *d;
	FUZZ_ASSERT(prc_config_new(&cfg) == 0 && prc_diags_new(&d) == 0);
	/* the last byte picks an instance root, so root-relative paths are covered too */
	if (size && data[size - 1] & 1)
		FUZZ_ASSERT(prc_config_set_root(cfg, "/srv/relay one") == 0);
	int rc = prc_config_load_env(cfg, (const char *const *)envp, d);
	if (rc == PRC_OK)
		rc = prc_config_validate(cfg, d);
	fuzz_check_diags(d, rc);
	if (rc == PRC_OK)
		fuzz_emit_all(cfg);
	fuzz_check_print_redacts(cfg); /* print works on any loaded configuration */
	prc_diags_free(d);
	prc_config_free(cfg);
	free(envp);
	free(store);
	return 0;
}
