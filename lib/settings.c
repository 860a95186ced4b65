/* The settings table (settings.def) and its introspection API. */
#include "internal.h"

#include <string.h>

const struct prc_setting prc_settings[PRC_S_COUNT] = {
#define S(id, env, yaml, type, def, min, max, pf, flags, choices, doc)                            \
	[PRC_S_##id] = {env, yaml, type, def, min, max, pf, flags, choices, doc},
#include "settings.def"
#undef S
};

bool prc_type_is_list(enum prc_type type)
{
	return type >= T_CIDR_LIST;
}

size_t prc_type_fields(enum prc_type type)
{
	switch (type) {
	case T_CREDENTIALS:
	case T_DKIM_KEYS:
		return 3;
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_PARAMS:
		return 2;
	default:
		return 1;
	}
}

const char *const *prc_type_field_names(enum prc_type type)
{
	static const char *const credentials[] = {"host", "user", "password"};
	static const char *const relays[] = {"sender", "relayhost"};
	static const char *const users[] = {"user", "password"};
	static const char *const params[] = {"name", "value"};
	static const char *const keys[] = {"domain", "selector", "key"};
	switch (type) {
	case T_CREDENTIALS:
		return credentials;
	case T_SENDER_RELAYS:
		return relays;
	case T_USERS:
		return users;
	case T_PARAMS:
		return params;
	case T_DKIM_KEYS:
		return keys;
	default:
		return NULL;
	}
}

int prc_setting_by_env(const char *env, size_t len)
{
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		if (strlen(prc_settings[i].env) == len && !memcmp(prc_settings[i].env, env, len))
			return (int)i;
	return -1;
}

int prc_setting_by_yaml(const char *yaml)
{
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		if (!strcmp(prc_settings[i].yaml, yaml))
			return (int)i;
	return -1;
}

PRC_EXPORT size_t prc_setting_count(void)
{
	return PRC_S_COUNT;
}

PRC_EXPORT const char *prc_setting_env(size_t i)
{
	return i < PRC_S_COUNT ? prc_settings[i].env : NULL;
}

PRC_EXPORT const char *prc_setting_yaml(size_t i)
{
	return i < PRC_S_COUNT ? prc_settings[i].yaml : NULL;
}

PRC_EXPORT const char *prc_setting_default(size_t i)
{
	if (i >= PRC_S_COUNT)
		return NULL;
	return prc_settings[i].def ? prc_settings[i].def : "";
}

PRC_EXPORT const char *prc_setting_doc(size_t i)
{
	return i < PRC_S_COUNT ? prc_settings[i].doc : NULL;
}

PRC_EXPORT bool prc_setting_is_secret(size_t i)
{
	return i < PRC_S_COUNT && (prc_settings[i].flags & F_SECRET);
}

/* Markdown table cells must not contain a bare "|". */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
}

PRC_EXPORT int prc_settings_write_markdown(FILE *out)
{
	fputs("| Environment | YAML key | Default | Meaning |\n", out);
	fputs("| --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const struct prc_setting *s = &prc_settings[i];
		fprintf(out, "| `%s` | `%s` | ", s->env, s->yaml);
		if (s->def && *s->def) {
			fputc('`', out);
			md_cell(out, s->def);
			fputc('`', out);
		}
		fputs(" | ", out);
		md_cell(out, s->doc);
		if (s->choices) {
			fputs(" One of: `", out);
			for (const char *c = s->choices; *c; c++)
				fputs(*c == '|' ? "`, `" : (char[2]){*c, '\0'}, out);
			fputs("`.", out);
		}
		if (s->flags & F_SECRET)
			fprintf(out, " Secret; also `%s_FILE`.", s->env);
		fputs(" |\n", out);
	}
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}
