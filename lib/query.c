/* Reading resolved values back out of the model (for the CLI's `get`). */
#include "internal.h"

#include <string.h>

PRC_EXPORT int prc_config_get(const struct prc_config *cfg, const char *env, char **out)
{
	if (!out)
		return PRC_ERR_ARG;
	*out = NULL;
	if (!cfg || !env)
		return PRC_ERR_ARG;
	int id = prc_setting_by_env(env, strlen(env));
	if (id < 0)
		return PRC_ERR_ARG;
	const struct prc_setting *s = &prc_settings[id];
	if ((s->flags & F_SECRET) || prc_type_fields(s->type) > 1)
		return PRC_ERR_ARG;
	const struct prc_value *v = &cfg->v[id];
	if (!v->set)
		return PRC_OK;
	char *text;
	if (s->type == T_BOOL) {
		text = prc_strdup(v->b ? "true" : "false");
	} else if (s->type == T_PATH && strncmp(v->str, "/dev/", 5)) {
		/* as the emitters use it: a default file is under the instance root */
		text = prc_setting_path(cfg, (enum prc_setting_id)id);
	} else if (prc_type_is_list(s->type)) {
		struct prc_buf b = {0};
		for (size_t i = 0; i < v->nitems; i++) {
			if (i)
				prc_buf_puts(&b, ", ");
			prc_buf_puts(&b, v->items[i].f[0]);
		}
		text = prc_buf_take(&b);
	} else {
		text = prc_strdup(v->str);
	}
	if (!text)
		return PRC_ERR_NOMEM;
	*out = text;
	return PRC_OK;
}
