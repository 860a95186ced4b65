/* The model: one value per setting, created from the defaults. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

PRC_EXPORT int prc_config_new(struct prc_config **out)
{
	if (!out)
		return PRC_ERR_ARG;
	struct prc_config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->root = prc_strdup("/"))) {
		free(cfg);
		return PRC_ERR_NOMEM;
	}
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		if (!prc_settings[i].def)
			continue;
		/* defaults are in env syntax and parsed by the same code as the env */
		int rc = prc_parse_env_value(i, prc_settings[i].def, "default", &cfg->v[i], NULL);
		if (rc) {
			prc_config_free(cfg);
			return rc == PRC_ERR_NOMEM ? rc : PRC_ERR_ARG;
		}
	}
	*out = cfg;
	return PRC_OK;
}

PRC_EXPORT void prc_config_free(struct prc_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		prc_value_clear(&cfg->v[i]);
	for (size_t i = 0; i < cfg->ninputs; i++)
		free(cfg->inputs[i]);
	free(cfg->inputs);
	free(cfg->root);
	free(cfg);
}

int prc_config_add_input(struct prc_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->ninputs; i++)
		if (!strcmp(cfg->inputs[i], path))
			return PRC_OK;
	char **n = realloc(cfg->inputs, (cfg->ninputs + 1) * sizeof(*n));
	if (!n)
		return PRC_ERR_NOMEM;
	cfg->inputs = n;
	if (!(n[cfg->ninputs] = prc_strdup(path)))
		return PRC_ERR_NOMEM;
	cfg->ninputs++;
	return PRC_OK;
}

PRC_EXPORT size_t prc_config_input_count(const struct prc_config *cfg)
{
	return cfg ? cfg->ninputs : 0;
}

PRC_EXPORT const char *prc_config_input(const struct prc_config *cfg, size_t i)
{
	return cfg && i < cfg->ninputs ? cfg->inputs[i] : NULL;
}

PRC_EXPORT int prc_config_set_root(struct prc_config *cfg, const char *root)
{
	if (!cfg || !root || root[0] != '/' || prc_check_control(root))
		return PRC_ERR_ARG;
	size_t n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	char *r = prc_strndup(root, n);
	if (!r)
		return PRC_ERR_NOMEM;
	free(cfg->root);
	cfg->root = r;
	return PRC_OK;
}

PRC_EXPORT int prc_config_set_dkim_key_copies(struct prc_config *cfg, bool on)
{
	if (!cfg)
		return PRC_ERR_ARG;
	cfg->dkim_key_copies = on;
	return PRC_OK;
}

char *prc_root_path(const struct prc_config *cfg, const char *path)
{
	if (!strcmp(cfg->root, "/"))
		return prc_strdup(path);
	return prc_asprintf("%s%s", cfg->root, path);
}

char *prc_setting_path(const struct prc_config *cfg, enum prc_setting_id id)
{
	const struct prc_value *v = &cfg->v[id];
	if (!v->set)
		return NULL;
	return v->explicit ? prc_strdup(v->str) : prc_root_path(cfg, v->str);
}

static const struct prc_value *lookup(const struct prc_config *cfg, const char *env)
{
	if (!cfg || !env)
		return NULL;
	int id = prc_setting_by_env(env, strlen(env));
	return id < 0 ? NULL : &cfg->v[id];
}

PRC_EXPORT const char *prc_config_get(const struct prc_config *cfg, const char *env)
{
	const struct prc_value *v = lookup(cfg, env);
	if (!v || !v->set || prc_type_is_list(prc_settings[v - cfg->v].type))
		return NULL;
	return v->str;
}

PRC_EXPORT size_t prc_config_list_count(const struct prc_config *cfg, const char *env)
{
	const struct prc_value *v = lookup(cfg, env);
	if (!v || !prc_type_is_list(prc_settings[v - cfg->v].type))
		return 0;
	return v->nitems;
}

PRC_EXPORT const char *prc_config_list_field(const struct prc_config *cfg, const char *env,
                                             size_t i, size_t field)
{
	if (i >= prc_config_list_count(cfg, env) || field >= PRC_MAX_FIELDS)
		return NULL;
	return lookup(cfg, env)->items[i].f[field];
}

/* The instance's fixed locations, relative to its root. */
static const char *const instance_paths[PRC_PATH_COUNT] = {
    [PRC_PATH_POSTFIX_DIR] = "/etc/postfix",
    [PRC_PATH_OPENDKIM_DIR] = "/etc/opendkim",
    [PRC_PATH_SASLDB] = "/etc/postfix/sasl/sasldb2",
};

char *prc_instance_path(const struct prc_config *cfg, enum prc_path which)
{
	return prc_root_path(cfg, instance_paths[which]);
}

PRC_EXPORT int prc_config_path(const struct prc_config *cfg, enum prc_path which, char **out)
{
	if (!cfg || !out || (unsigned)which >= PRC_PATH_COUNT)
		return PRC_ERR_ARG;
	*out = prc_instance_path(cfg, which);
	return *out ? PRC_OK : PRC_ERR_NOMEM;
}
