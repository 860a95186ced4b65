/* The YAML source.  (Being written under the YAML issue.) */
#include "internal.h"

PRC_EXPORT int prc_config_load_yaml_buffer(struct prc_config *cfg, const char *name,
					   const char *data, size_t len, struct prc_diags *d)
{
	(void)cfg;
	(void)data;
	(void)len;
	prc_diag(d, PRC_SEV_ERROR, "unsupported", name, "", "YAML files are not supported yet");
	return PRC_ERR_INVALID;
}

PRC_EXPORT int prc_config_load_yaml_file(struct prc_config *cfg, const char *path,
					 struct prc_diags *d)
{
	return prc_config_load_yaml_buffer(cfg, path, "", 0, d);
}
