/* libFuzzer target: the env source, as an envp array and as an env file. */
#include "fuzz-common.h"

#include <sys/mman.h>
#include <unistd.h>

/* The env-file parser reads a path: hand it the input through a memfd. */
static void load_as_env_file(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-env", MFD_CLOEXEC);
	FUZZ_ASSERT(fd >= 0);
	/* neutralize NAME_FILE lines: the fuzzer must not read the machine's files */
	char *copy = malloc(size ? size : 1);
	FUZZ_ASSERT(copy);
	memcpy(copy, data, size);
	for (char *p = copy; (p = memmem(p, (size_t)(copy + size - p), "_FILE=", 6)); p += 6)
		p[4] = 'X';
	FUZZ_ASSERT(write(fd, copy, size) == (ssize_t)size);
	free(copy);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct prc_config *cfg;
	struct prc_diags *d;
	FUZZ_ASSERT(prc_config_new(&cfg) == 0 && prc_diags_new(&d) == 0);
	int rc = prc_config_load_env_file(cfg, path, d);
	FUZZ_ASSERT(rc == PRC_OK || rc == PRC_ERR_INVALID || rc == PRC_ERR_IO);
	fuzz_check_diags(d, rc);
	rc = prc_config_validate(cfg, d);
	fuzz_check_diags(d, rc);
	prc_diags_free(d);
	prc_config_free(cfg);
	close(fd);
}

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
	int rc = prc_config_load_env(cfg, (const char *const *)envp, d);
	FUZZ_ASSERT(rc == PRC_OK || rc == PRC_ERR_INVALID);
	fuzz_check_diags(d, rc);
	/* loading twice (as a YAML file then the env would) must not leak or crash */
	rc = prc_config_load_env(cfg, (const char *const *)envp, NULL);
	FUZZ_ASSERT(rc == PRC_OK || rc == PRC_ERR_INVALID);
	prc_diags_free(d);
	prc_config_free(cfg);
	free(envp);
	free(store);
	load_as_env_file(data, size);
	return 0;
}
