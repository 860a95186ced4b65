/*
 * `print`: the resolved model as YAML, each value with its origin; and the
 * same YAML limited to what was given (`migrate`), which loaded alone gives
 * the same configuration.
 */
#include "internal.h"
#include "user-tables.h"

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
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			fputs(*p == '\n' ? "\\n" : *p == '\t' ? "\\t" : "\\r", out);
			continue;
		}
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

/* How to write: everything (print) or only what was given (migrate). */
struct mode {
	bool given_only; /* leave out defaults and unset values */
	bool secrets;    /* write secret values as they are */
};

#define SECRET_PLACEHOLDER "<redacted>"

static bool shown(const struct prc_config *cfg, size_t id, const struct mode *m)
{
	return !m->given_only || (cfg->v[id].set && cfg->v[id].explicit);
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
                        const struct mode *m, FILE *out)
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
		const char *eff = m->given_only ? NULL
		                  : id == PRC_S_CLIENT_TLS_SECURITY_LEVEL
		                      ? prc_client_tls_level(cfg)
		                  : id == PRC_S_TLS_SECURITY_LEVEL ? prc_server_tls_level(cfg)
		                                                   : NULL;
		if (eff && strcmp(eff, v->str)) {
			fprintf(out, "%s  # in effect: %s; set to %s by %s\n", eff,
			        !cfg->v[PRC_S_USE_TLS].b         ? "USE_TLS=no"
			        : cfg->v[PRC_S_RELAYHOST_AUTH].b ? "RELAYHOST_AUTH=yes"
			                                         : "an XOAUTH2 login",
			        v->str, origin);
			return;
		}
		if ((set->flags & F_SECRET) && !m->secrets)
			fputs(SECRET_PLACEHOLDER, out);
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
		fprintf(out, " %s  # %s\n",
		        set->type == T_PARAMS || set->type == T_TABLES || set->type == T_MASTER
		            ? "{}"
		            : "[]",
		        origin);
		return;
	}
	fprintf(out, "  # %s\n", origin);
	const char *const *names = prc_type_field_names(set->type);
	size_t nf = prc_type_fields(set->type);
	/* tables of passwords (written 0600) are redacted like the other secrets */
	bool *private_table = NULL;
	const char **types = NULL;
	size_t errors = 0;
	if (set->type == T_TABLES) {
		private_table = calloc(v->nitems, sizeof(*private_table));
		types = calloc(v->nitems, sizeof(*types));
		if (!types || (private_table &&
		               prc_utables_resolve(cfg, types, private_table, NULL, &errors))) {
			free(private_table);
			private_table = NULL;
		}
	}
	for (size_t i = 0; i < v->nitems; i++) {
		const struct prc_item *it = &v->items[i];
		char *found = NULL;
		indent(out, depth + 1);
		if (set->type == T_TABLES) {
			/* a table's text, lines as written (entries are lines too) */
			scalar(out, it->f[0]);
			fputs(":\n", out);
			if (*it->f[1]) {
				indent(out, depth + 2);
				fputs("type: ", out);
				scalar(out, it->f[1]);
				fputc('\n', out);
			}
			indent(out, depth + 2);
			fputs("content: ", out);
			/* a comment: the printed configuration still reads back */
			scalar(out,
			       !private_table || private_table[i] ? "# <redacted>\n" : it->f[2]);
		} else if (set->type == T_PARAMS || set->type == T_MASTER) {
			scalar(out, it->f[0]);
			fputs(": ", out);
			scalar(out, it->f[1]);
		} else if (!names) {
			fputs("- ", out);
			scalar(out, it->f[0]);
		} else {
			/* a DKIM key without a path (OPENDKIM_DOMAINS) is found or
			 * made at apply: written without one, its path in the comment */
			size_t shown_nf = nf;
			if (set->type == T_DKIM_KEYS && !*it->f[2]) {
				shown_nf = 2;
				resolved_key(cfg, it, &found);
			}
			for (size_t k = 0; k < shown_nf; k++) {
				if (k)
					indent(out, depth + 2);
				fprintf(out, "%s%s: ", k ? "" : "- ", names[k]);
				bool secret =
				    (set->flags & F_SECRET) && !strcmp(names[k], "password");
				scalar(out, secret && !m->secrets ? SECRET_PLACEHOLDER : it->f[k]);
				if (k + 1 < shown_nf)
					fputc('\n', out);
			}
		}
		/* the key of an OPENDKIM_DOMAINS entry, as found or to be generated now */
		const char *note = found && *found ? found : NULL;
		if (strcmp(it->origin, origin))
			fprintf(out, "  # %s%s%s%s", it->origin, note ? "; key " : "",
			        note ? note : "", note ? ", found there or generated" : "");
		else if (note)
			fprintf(out, "  # key %s, found there or generated", note);
		free(found);
		fputc('\n', out);
	}
	free(private_table);
	free(types);
}

/* Is any setting under @prefix shown? */
static bool group_shown(const struct prc_config *cfg, const char *prefix, const struct mode *m)
{
	for (size_t i = 0; i < PRC_S_COUNT; i++)
		if (!strncmp(prc_settings[i].yaml, prefix, strlen(prefix)) && shown(cfg, i, m))
			return true;
	return false;
}

/* Print every setting under @prefix, grouping by the next key segment. */
static void print_group(const struct prc_config *cfg, const char *prefix, int depth,
                        const struct mode *m, FILE *out)
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
			if (shown(cfg, i, m))
				print_value(cfg, i, rest, depth, m, out);
			done[i] = true;
			continue;
		}
		char sub[128];
		snprintf(sub, sizeof(sub), "%s%.*s.", prefix, (int)(dot - rest), rest);
		if (group_shown(cfg, sub, m)) {
			indent(out, depth);
			fprintf(out, "%.*s:\n", (int)(dot - rest), rest);
			print_group(cfg, sub, depth + 1, m, out);
		}
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
	struct mode m = {false, false};
	print_group(cfg, "", 0, &m, out);
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}

PRC_EXPORT int prc_config_write_yaml(const struct prc_config *cfg, unsigned flags, FILE *out)
{
	if (!cfg || !out || (flags & ~(unsigned)PRC_YAML_SECRETS))
		return PRC_ERR_ARG;
	struct mode m = {true, (flags & PRC_YAML_SECRETS) != 0};
	print_group(cfg, "", 0, &m, out);
	return ferror(out) ? PRC_ERR_IO : PRC_OK;
}
