/*
 * The JSON Schema of the YAML file, generated from the settings table: the
 * key tree from the dotted YAML keys, types from T_*, defaults from the
 * parsed defaults of a fresh configuration, descriptions from the docs.
 *
 * It describes what the YAML source accepts as closely as JSON Schema can,
 * for a reader that loads the file as YAML 1.1 (PyYAML, editors): quoted
 * numbers and "yes"/"no" strings are allowed where the source takes them.
 */
#include "internal.h"

#include <string.h>

struct out {
	FILE *f;
	int depth;
};

static void nl(struct out *o)
{
	fputc('\n', o->f);
	for (int i = 0; i < o->depth; i++)
		fputs("  ", o->f);
}

static void json_chars(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
}

static void json_string(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	json_chars(f, s, n);
	fputc('"', f);
}

static void str(struct out *o, const char *s)
{
	json_string(o->f, s, strlen(s));
}

/* Open an object member or array element; @first says whether a comma is due. */
static void key(struct out *o, bool *first, const char *k)
{
	if (!*first)
		fputc(',', o->f);
	*first = false;
	nl(o);
	if (k) {
		str(o, k);
		fputs(": ", o->f);
	}
}

static void open_(struct out *o, char c)
{
	fputc(c, o->f);
	o->depth++;
}

static void close_(struct out *o, char c)
{
	o->depth--;
	nl(o);
	fputc(c, o->f);
}

/* The JSON type of a scalar item field (see prc_type_field_names). */
static void field_schema(struct out *o, enum prc_type t, const char *name)
{
	bool first = true;
	open_(o, '{');
	key(o, &first, "type");
	/* user names, passwords and selectors may be plain digits */
	if (!strcmp(name, "user") || !strcmp(name, "password") || !strcmp(name, "selector"))
		fputs("[\"string\", \"integer\"]", o->f);
	else
		str(o, "string");
	if (!strcmp(name, "key") || !strcmp(name, "password_file")) {
		key(o, &first, "pattern");
		str(o, "^/");
	}
	key(o, &first, "description");
	if (!strcmp(name, "password_file"))
		str(o, "File holding the password (instead of password), e.g. a Docker secret.");
	else if (t == T_CREDENTIALS && !strcmp(name, "host"))
		str(o, "Relay host as in relay.host; omit it for the credential of relay.host.");
	else
		fprintf(o->f, "\"%s\"", name);
	close_(o, '}');
}

static void items_schema(struct out *o, enum prc_type t)
{
	const char *const *names = prc_type_field_names(t);
	size_t nf = prc_type_fields(t);
	bool pw = t == T_CREDENTIALS || t == T_USERS, first = true;
	open_(o, '{');
	key(o, &first, "type");
	str(o, "object");
	key(o, &first, "additionalProperties");
	fputs("false", o->f);
	key(o, &first, "properties");
	open_(o, '{');
	bool pfirst = true;
	for (size_t i = 0; i < nf; i++) {
		key(o, &pfirst, names[i]);
		field_schema(o, t, names[i]);
	}
	if (pw) {
		key(o, &pfirst, "password_file");
		field_schema(o, t, "password_file");
	}
	close_(o, '}');
	key(o, &first, "required");
	fputc('[', o->f);
	bool rfirst = true;
	for (size_t i = 0; i < nf; i++) {
		if ((t == T_CREDENTIALS && i == 0) || (pw && !strcmp(names[i], "password")))
			continue;
		fprintf(o->f, "%s\"%s\"", rfirst ? "" : ", ", names[i]);
		rfirst = false;
	}
	fputc(']', o->f);
	if (pw) {
		key(o, &first, "oneOf");
		fputs("[{\"required\": [\"password\"]}, {\"required\": [\"password_file\"]}]",
		      o->f);
	}
	close_(o, '}');
}

/* Type keywords of one setting (members of an already open object). */
static void type_schema(struct out *o, bool *first, const struct prc_setting *s)
{
	switch (s->type) {
	case T_BOOL:
		key(o, first, "anyOf");
		fputs("[{\"type\": [\"boolean\", \"null\"]}, {\"type\": \"string\", \"pattern\": "
		      "\"^([Yy][Ee][Ss]|[Nn][Oo]|[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$\"}]",
		      o->f);
		break;
	case T_SIZE:
		key(o, first, "anyOf");
		fputs(
		    "[{\"type\": [\"integer\", \"null\"], \"minimum\": 0}, {\"type\": \"string\", "
		    "\"pattern\": \"^[0-9]+[kKmMgG]?$\"}]",
		    o->f);
		break;
	case T_TIME:
		key(o, first, "anyOf");
		fputs(
		    "[{\"type\": [\"integer\", \"null\"], \"minimum\": 0}, {\"type\": \"string\", "
		    "\"pattern\": \"^[0-9]+[smhdw]?$\"}]",
		    o->f);
		break;
	case T_COUNT:
		key(o, first, "anyOf");
		fprintf(o->f, "[{\"type\": [\"integer\", \"null\"], \"minimum\": %llu",
		        (unsigned long long)s->min);
		if (s->max)
			fprintf(o->f, ", \"maximum\": %llu", (unsigned long long)s->max);
		fputs("}, {\"type\": \"string\", \"pattern\": \"^[0-9]+$\"}]", o->f);
		break;
	case T_ENUM:
		key(o, first, "enum");
		fputc('[', o->f);
		for (const char *c = s->choices; *c;) {
			size_t n = strcspn(c, "|");
			json_string(o->f, c, n);
			fputs(", ", o->f);
			c += n + (c[n] == '|');
		}
		fputs("null]", o->f);
		break;
	case T_CIDR_LIST:
	case T_HOST_LIST:
	case T_DOMAIN_LIST:
	case T_MATCH_DOMAINS:
	case T_WORD_LIST:
		key(o, first, "type");
		fputs("[\"array\", \"null\"]", o->f);
		key(o, first, "items");
		fputs("{\"type\": \"string\"}", o->f);
		break;
	case T_CREDENTIALS:
	case T_SENDER_RELAYS:
	case T_USERS:
	case T_DKIM_KEYS:
	case T_TRANSPORTS:
	case T_SENDER_LOGINS:
		key(o, first, "type");
		fputs("[\"array\", \"null\"]", o->f);
		key(o, first, "items");
		items_schema(o, s->type);
		break;
	case T_PARAMS:
		key(o, first, "type");
		fputs("[\"object\", \"null\"]", o->f);
		key(o, first, "propertyNames");
		fputs("{\"pattern\": \"^[A-Za-z][A-Za-z0-9_]*$\"}", o->f);
		key(o, first, "additionalProperties");
		fputs("{\"type\": [\"string\", \"integer\", \"null\"]}", o->f);
		break;
	case T_SELECTOR:
		key(o, first, "type");
		fputs("[\"string\", \"integer\", \"null\"]", o->f);
		break;
	default:
		key(o, first, "type");
		fputs("[\"string\", \"null\"]", o->f);
		if (s->type == T_PATH) {
			key(o, first, "pattern");
			str(o, "^/");
		} else if (s->type == T_INET_SOCKET) {
			key(o, first, "pattern");
			str(o, "^inet:");
		}
		break;
	}
}

/* The default as JSON, from the parsed default value. */
static void default_value(struct out *o, bool *first, const struct prc_setting *s,
                          const struct prc_value *v)
{
	if (!v->set)
		return;
	key(o, first, "default");
	if (s->type == T_BOOL) {
		fputs(v->b ? "true" : "false", o->f);
	} else if (s->type == T_SIZE || s->type == T_COUNT) {
		fprintf(o->f, "%llu", (unsigned long long)v->n);
	} else if (prc_type_is_list(s->type)) {
		fputc('[', o->f);
		for (size_t i = 0; i < v->nitems; i++) {
			fputs(i ? ", " : "", o->f);
			str(o, v->items[i].f[0]);
		}
		fputc(']', o->f);
	} else {
		str(o, v->str);
	}
}

static void setting_schema(struct out *o, const struct prc_config *cfg, size_t id)
{
	const struct prc_setting *s = &prc_settings[id];
	bool first = true;
	open_(o, '{');
	key(o, &first, "description");
	fputc('"', o->f);
	json_chars(o->f, s->doc, strlen(s->doc));
	fprintf(o->f, " (env: %s)\"", s->env);
	type_schema(o, &first, s);
	default_value(o, &first, s, &cfg->v[id]);
	close_(o, '}');
}

/* Every setting under @prefix, grouping by the next key segment. */
static void group(struct out *o, const struct prc_config *cfg, const char *prefix)
{
	size_t plen = strlen(prefix);
	bool first = true, done[PRC_S_COUNT] = {false};
	open_(o, '{');
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const char *y = prc_settings[i].yaml;
		if (done[i] || strncmp(y, prefix, plen))
			continue;
		const char *rest = y + plen, *dot = strchr(rest, '.');
		if (!dot) {
			key(o, &first, rest);
			setting_schema(o, cfg, i);
			done[i] = true;
			continue;
		}
		char sub[128], name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(dot - rest), rest);
		snprintf(sub, sizeof(sub), "%s%s.", prefix, name);
		key(o, &first, name);
		bool gfirst = true;
		open_(o, '{');
		key(o, &gfirst, "type");
		fputs("[\"object\", \"null\"]", o->f);
		key(o, &gfirst, "additionalProperties");
		fputs("false", o->f);
		key(o, &gfirst, "properties");
		group(o, cfg, sub);
		close_(o, '}');
		for (size_t k = i; k < PRC_S_COUNT; k++)
			if (!strncmp(prc_settings[k].yaml, sub, strlen(sub)))
				done[k] = true;
	}
	close_(o, '}');
}

PRC_EXPORT int prc_schema_write(FILE *out)
{
	if (!out)
		return PRC_ERR_ARG;
	struct prc_config *cfg;
	int rc = prc_config_new(&cfg);
	if (rc)
		return rc;
	struct out o = {out, 0};
	bool first = true;
	open_(&o, '{');
	key(&o, &first, "$schema");
	str(&o, "http://json-schema.org/draft-07/schema#");
	key(&o, &first, "title");
	str(&o, "postrelay configuration");
	key(&o, &first, "description");
	str(&o, "The YAML configuration file of postrelay (postrelaycfg -c FILE). Environment "
	        "variables override it.");
	key(&o, &first, "type");
	fputs("[\"object\", \"null\"]", out);
	key(&o, &first, "additionalProperties");
	fputs("false", out);
	key(&o, &first, "properties");
	group(&o, cfg, "");
	close_(&o, '}');
	fputc('\n', out);
	prc_config_free(cfg);
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}
