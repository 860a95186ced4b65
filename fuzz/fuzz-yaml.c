/* libFuzzer target: the YAML source, then validation and every emitter. */
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prc_config *cfg;
	struct prc_diags *d;
	FUZZ_ASSERT(prc_config_new(&cfg) == 0 && prc_diags_new(&d) == 0);
	int rc = prc_config_load_yaml_buffer(cfg, "fuzz.yaml", (const char *)data, size, d);
	FUZZ_ASSERT(rc == PRC_OK || rc == PRC_ERR_INVALID);
	fuzz_check_diags(d, rc);
	if (rc == PRC_OK) {
		rc = prc_config_validate(cfg, d);
		fuzz_check_diags(d, rc);
		if (rc == PRC_OK)
			fuzz_emit_all(cfg);
	}
	fuzz_check_print_redacts(cfg);
	prc_diags_free(d);
	prc_config_free(cfg);
	return 0;
}
