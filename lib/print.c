/* `print`: the resolved model as YAML, each value with its origin. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const yaml11_words[] = {"y",  "n",   "yes",  "no", "true", "false",
                                           "on", "off", "null", "~",  NULL};

/* Plain scalars only when YAML 1.1 would read them back as the same string. */
static bool needs_quotes(const char *s)
{
	if (!*s)
		return true;
	for (size_t i = 0; yaml11_words[i]; i++)
		if (!strcasecmp(s, yaml11_words[i]))
			return true;
	bool digits = true;
	for (const char *p = s; *p; p++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.@+-",
		            *p))
			return true;
		digits &= (*p >= '0' && *p <= '9') || *p == '.';
	}
	return digits || strchr("-.@", s[0]);
}

static void scalar(FILE *out, const char *s)
{
	if (!needs_quotes(s)) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static void indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

/*
 * The key path a DKIM_KEYS entry without one resolves to (dkim.c), in *owned
 * (caller frees); "" when it cannot be found out.
 */
static const char *resolved_key(const struct prc_config *cfg, const struct prc_item *it,
                                char **owned)
{
	struct prc_dkim_signer *s;
	size_t n;
	if (*owned || prc_dkim_signers(cfg, &s, &n))
		return *owned ? *owned : "";
	for (size_t i = 0; i < n && !*owned; i++)
		if (s[i].domain == it->f[0])
			*owned = prc_strdup(s[i].key);
	prc_dkim_signers_free(s, n);
	return *owned ? *owned : "";
}

static void print_value(const struct prc_config *cfg, size_t id, const char *leaf, int depth,
                        FILE *out)
{
	const struct prc_setting *set = &prc_settings[id];
	const struct prc_value *v = &cfg->v[id];
	const char *origin = v->origin ? v->origin : "default";
	indent(out, depth);
	fprintf(out, "%s:", leaf);
	if (!v->set) {
		fprintf(out, " null  # %s (unset)\n", origin);
		return;
	}
	if (!prc_type_is_list(set->type)) {
		fputc(' ', out);
		/* the TLS levels in effect can differ from the setting (USE_TLS, RELAYHOST_AUTH) */
		const char *eff = id == PRC_S_CLIENT_TLS_SECURITY_LEVEL ? prc_client_tls_level(cfg)
		                  : id == PRC_S_TLS_SECURITY_LEVEL      ? prc_server_tls_level(cfg)
		                                                        : NULL;
		if (eff && strcmp(eff, v->str)) {
			fprintf(out, "%s  # in effect: %s; set to %s by %s\n", eff,
			        !cfg->v[PRC_S_USE_TLS].b         ? "USE_TLS=no"
			        : cfg->v[PRC_S_RELAYHOST_AUTH].b ? "RELAYHOST_AUTH=yes"
			                                         : "an XOAUTH2 login",
			        v->str, origin);
			return;
		}
		if (set->flags & F_SECRET)
			fputs("<redacted>", out);
		else if (set->type == T_BOOL)
			fputs(v->b ? "true" : "false", out);
		else if (set->type == T_SIZE || set->type == T_COUNT)
			fputs(v->str, out);
		else
			scalar(out, v->str);
		fprintf(out, "  # %s\n", origin);
		return;
	}
	if (!v->nitems) {
		fprintf(out, " %s  # %s\n", set->type == T_PARAMS ? "{}" : "[]", origin);
		return;
	}
	fprintf(out, "  # %s\n", origin);
	const char *const *names = prc_type_field_names(set->type);
	size_t nf = prc_type_fields(set->type);
	for (size_t i = 0; i < v->nitems; i++) {
		const struct prc_item *it = &v->items[i];
		char *found = NULL;
		indent(out, depth + 1);
		if (set->type == T_PARAMS) {
			scalar(out, it->f[0]);
			fputs(": ", out);
			scalar(out, it->f[1]);
		} else if (!names) {
			fputs("- ", out);
			scalar(out, it->f[0]);
		} else {
			for (size_t k = 0; k < nf; k++) {
				if (k)
					indent(out, depth + 2);
				fprintf(out, "%s%s: ", k ? "" : "- ", names[k]);
				bool secret =
				    (set->flags & F_SECRET) && !strcmp(names[k], "password");
				const char *val = it->f[k];
				if (set->type == T_DKIM_KEYS && !*val)
					val = resolved_key(cfg, it, &found);
				scalar(out, secret ? "<redacted>" : val);
				if (k + 1 < nf)
					fputc('\n', out);
			}
		}
		/* the key of an OPENDKIM_DOMAINS entry, as found or to be generated now */
		const char *note = found ? "key found beside dkim.key or generated" : NULL;
		if (strcmp(it->origin, origin))
			fprintf(out, "  # %s%s%s", it->origin, note ? "; " : "", note ? note : "");
		else if (note)
			fprintf(out, "  # %s", note);
		free(found);
		fputc('\n', out);
	}
}

/* Print every setting under @prefix, grouping by the next key segment. */
static void print_group(const struct prc_config *cfg, const char *prefix, int depth, FILE *out)
{
	size_t plen = strlen(prefix);
	bool done[PRC_S_COUNT] = {false};
	for (size_t i = 0; i < PRC_S_COUNT; i++) {
		const char *y = prc_settings[i].yaml;
		if (done[i] || strncmp(y, prefix, plen))
			continue;
		const char *rest = y + plen;
		const char *dot = strchr(rest, '.');
		if (!dot) {
			print_value(cfg, i, rest, depth, out);
			done[i] = true;
			continue;
		}
		char sub[128];
		snprintf(sub, sizeof(sub), "%s%.*s.", prefix, (int)(dot - rest), rest);
		indent(out, depth);
		fprintf(out, "%.*s:\n", (int)(dot - rest), rest);
		print_group(cfg, sub, depth + 1, out);
		for (size_t k = i; k < PRC_S_COUNT; k++)
			if (!strncmp(prc_settings[k].yaml, sub, strlen(sub)))
				done[k] = true;
	}
}

PRC_EXPORT int prc_config_print(const struct prc_config *cfg, FILE *out)
{
	if (!cfg || !out)
		return PRC_ERR_ARG;
	fputs("# postrelay configuration as resolved; each value says where it came from\n", out);
	print_group(cfg, "", 0, out);
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}
