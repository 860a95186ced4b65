/* The settings table (settings.def) and its introspection API. */
#include "internal.h"

#include <string.h>

const struct prc_setting prc_settings[PRC_S_COUNT] = {
#define S(id, env, yaml, type, def, min, max, pf, flags, choices, doc)                             \
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
	case T_TABLES:
		return 4;
	case T_CREDENTIALS:
	case T_DKIM_KEYS:
		return 3;
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_PARAMS:
	case T_TRANSPORTS:
	case T_SENDER_LOGINS:
	case T_MASTER:
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
	static const char *const transports[] = {"domain", "relayhost"};
	static const char *const logins[] = {"user", "senders"};
	static const char *const tables[] = {"name", "type", "content", "form"};
	static const char *const master[] = {"service", "line"};
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
	case T_TRANSPORTS:
		return transports;
	case T_SENDER_LOGINS:
		return logins;
	case T_TABLES:
		return tables;
	case T_MASTER:
		return master;
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

/*
 * The settings reference is written in several formats (Markdown for the
 * README, scdoc for postrelaycfg.yaml(5)).  They share the wording; a format
 * only says how it escapes prose and marks a literal.
 */
struct ref_format {
	void (*text)(FILE *out, const char *s, size_t n); /* prose, escaped */
	const char *lit_open, *lit_close;                 /* around a name or value */
};

static void ref_literal(FILE *out, const struct ref_format *f, const char *s, size_t n)
{
	fputs(f->lit_open, out);
	f->text(out, s, n);
	fputs(f->lit_close, out);
}

static void ref_text(FILE *out, const struct ref_format *f, const char *s)
{
	f->text(out, s, strlen(s));
}

/* The meaning of a setting: its doc line, the allowed values, the secret note. */
static void ref_meaning(FILE *out, const struct ref_format *f, const struct prc_setting *s)
{
	ref_text(out, f, s->doc);
	if (s->choices) {
		fputs(" One of: ", out);
		for (const char *c = s->choices;; c++) {
			size_t n = strcspn(c, "|");
			ref_literal(out, f, c, n);
			c += n;
			if (!*c)
				break;
			fputs(", ", out);
		}
		fputc('.', out);
	}
	if (s->flags & F_SECRET) {
		fputs(" Secret; also ", out);
		fputs(f->lit_open, out);
		ref_text(out, f, s->env);
		ref_text(out, f, "_FILE");
		fputs(f->lit_close, out);
		fputc('.', out);
	}
}

/* Markdown table cells must not contain a bare "|". */
static void md_text(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			fputs("\\|", out);
		else
			fputc(s[i], out);
	}
}

static const struct ref_format markdown = {md_text, "`", "`"};

PRC_EXPORT int prc_settings_write_markdown(FILE *out)
{
	fputs("| Environment | YAML key | Default | Meaning |\n", out);
	fputs("| --- | --- | --- | --- |\n", out);
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const struct prc_setting *s = &prc_settings[i];
		fputs("| ", out);
		ref_literal(out, &markdown, s->env, strlen(s->env));
		fputs(" | ", out);
		ref_literal(out, &markdown, s->yaml, strlen(s->yaml));
		fputs(" | ", out);
		if (s->def && *s->def)
			ref_literal(out, &markdown, s->def, strlen(s->def));
		fputs(" | ", out);
		ref_meaning(out, &markdown, s);
		fputs(" |\n", out);
	}
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}

/* scdoc takes the character after a backslash literally; "*" and "_" format. */
static void scdoc_text(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' || s[i] == '*' || s[i] == '_')
			fputc('\\', out);
		fputc(s[i], out);
	}
}

static const struct ref_format scdoc = {scdoc_text, "*", "*"};

/* What a value of @type looks like, for the man page. */
static void ref_type(FILE *out, const struct ref_format *f, const struct prc_setting *s)
{
	static const char *const what[] = {
	    [T_STRING] = "a string",
	    [T_HOST] = "a host name",
	    [T_BOOL] = "a boolean: yes, no, true or false (any case)",
	    [T_SIZE] = "a size in bytes; k, M and G suffixes are powers of 1024",
	    [T_COUNT] = "a whole number",
	    [T_TIME] = "a Postfix time: a number with an optional unit s, m, h, d or w",
	    [T_PATH] = "an absolute path",
	    [T_EMAIL] = "an e-mail address",
	    [T_ENUM] = "a keyword",
	    [T_TZ] = "a time zone database name, e.g. Europe/Berlin",
	    [T_SELECTOR] = "a DKIM selector (letters, digits, '-' and '.')",
	    [T_RELAYHOST] = "a relay host: host, host:port or [host]:port",
	    [T_INET_SOCKET] = "a socket: inet:host:port",
	    [T_CIDR_LIST] = "a list of networks in CIDR form",
	    [T_HOST_LIST] = "a list of networks in CIDR form or host names",
	    [T_DOMAIN_LIST] = "a list of domain names",
	    [T_MATCH_DOMAINS] = "a list of domain names",
	    [T_WORD_LIST] = "a list of header names",
	    [T_CREDENTIALS] = "a list of entries",
	    [T_SENDER_RELAYS] = "a list of entries",
	    [T_USERS] = "a list of entries",
	    [T_PARAMS] = "a mapping from Postfix parameter names to values",
	    [T_MASTER] = "a mapping from service/type to a master.cf line",
	    [T_DKIM_KEYS] = "a list of entries",
	    [T_TRANSPORTS] = "a list of entries",
	    [T_SENDER_LOGINS] = "a list of entries",
	    [T_TABLES] = "a mapping from table names to {type, content | entries | file}",
	};
	ref_text(out, f, what[s->type]);
	if (s->type == T_COUNT) {
		fprintf(out, " from %llu", (unsigned long long)s->min);
		if (s->max)
			fprintf(out, " to %llu", (unsigned long long)s->max);
	}
	const char *const *fields = prc_type_field_names(s->type);
	if (fields && s->type != T_PARAMS && s->type != T_TABLES && s->type != T_MASTER) {
		fputs(", each with the fields ", out);
		for (size_t i = 0; i < prc_type_fields(s->type); i++) {
			if (i)
				fputs(i + 1 < prc_type_fields(s->type) ? ", " : " and ", out);
			ref_literal(out, f, fields[i], strlen(fields[i]));
		}
		if (s->flags & F_SECRET) {
			fputs("; ", out);
			ref_literal(out, f, "password_file", strlen("password_file"));
			fputs(" (an absolute path) may replace ", out);
			ref_literal(out, f, "password", strlen("password"));
		}
	}
}

PRC_EXPORT int prc_settings_write_scdoc(FILE *out)
{
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const struct prc_setting *s = &prc_settings[i];
		ref_literal(out, &scdoc, s->yaml, strlen(s->yaml));
		fputs("\n\t", out);
		ref_meaning(out, &scdoc, s);
		fputs("\n\n\tEnvironment: ", out);
		ref_literal(out, &scdoc, s->env, strlen(s->env));
		fputs(". Value: ", out);
		ref_type(out, &scdoc, s);
		fputs(". ", out);
		if (s->flags & F_REQUIRED) {
			fputs("Required.", out);
		} else if (s->def && *s->def) {
			fputs("Default: ", out);
			ref_literal(out, &scdoc, s->def, strlen(s->def));
			fputc('.', out);
		} else {
			fputs("Unset by default.", out);
		}
		if (s->postfix) {
			fputs(" Sets Postfix's ", out);
			ref_literal(out, &scdoc, s->postfix, strlen(s->postfix));
			fputc('.', out);
		}
		fputs("\n\n", out);
	}
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}
